/* achieve.h — achievements from data/achievements.json: chains, hidden
 * ones, points, progress fractions; earned per user and announced. */
#ifndef MA_GAME_ACHIEVE_H
#define MA_GAME_ACHIEVE_H

#include "game/game.h"

/* After every action: unlocks what became true. */
int achieve_check(Game *g, ActionResult *r, Err *err);

#endif
