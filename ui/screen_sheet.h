/* screen_sheet.h — the character sheet (screen_sheet.c). */
#ifndef MA_UI_SCREEN_SHEET_H
#define MA_UI_SCREEN_SHEET_H

#include "game/game.h"

/* Stats (with equipment bonuses when the inventory module gives them), level, experience to
 * the next level and unspent stat points; returns when the player backs out. */
void screen_sheet_run(Game *g);

#endif
