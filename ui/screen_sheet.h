/* screen_sheet.h — the character sheet (screen_sheet.c). */
#ifndef MA_UI_SCREEN_SHEET_H
#define MA_UI_SCREEN_SHEET_H

#include "game/game.h"

/* Stats (with equipment bonuses when the inventory module gives them), level, experience to
 * the next level and unspent stat points. With points to spend, Enter on a stat (and yes) raises
 * it: returns 1 with *out the ACT_LEVELUP for the caller to take (game_apply), else 0 when the
 * player backs out. */
int screen_sheet_run(Game *g, Action *out);

#endif
