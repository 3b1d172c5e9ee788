/* screen_achievements.h — the achievements screen (screen_achievements.c). */
#ifndef MA_UI_SCREEN_ACHIEVEMENTS_H
#define MA_UI_SCREEN_ACHIEVEMENTS_H

#include "game/game.h"

/* The achievements of the user, with total points; returns when the player backs out. */
void screen_achievements_run(Game *g);

#endif
