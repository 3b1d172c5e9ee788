/* screen_newgame.h — New game: player, world, character, then play (screen_newgame.c). */
#ifndef MA_UI_SCREEN_NEWGAME_H
#define MA_UI_SCREEN_NEWGAME_H

#include "save/save.h"

/* Returns 1 when a game was played, 0 when the player backed out, -2 on a signal. */
int screen_newgame_run(Save *s);

#endif
