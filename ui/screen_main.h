/* screen_main.h — the main screen: map, side panel, log, look, travel (screen_main.c). */
#ifndef MA_UI_SCREEN_MAIN_H
#define MA_UI_SCREEN_MAIN_H

#include "game/game.h"

/* Plays until the player quits (0) or a signal arrives (-2). */
int screen_main_run(Save *s, Game *g);

#endif
