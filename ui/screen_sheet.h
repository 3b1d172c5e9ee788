/* screen_sheet.h — the character sheet, the skills screen and the crafting
 * screen (screen_sheet.c). The caller binds them to keys; each returns
 * when the player backs out (or a signal arrives). */
#ifndef MA_UI_SCREEN_SHEET_H
#define MA_UI_SCREEN_SHEET_H

#include <stddef.h>

#include "game/game.h"

/* Stats (with equipment bonuses when the inventory module gives them),
 * level, experience to the next level and unspent stat points. */
void sheet_run(Game *g);
/* Every skill tree: levels, xp to next, specialisations, what opens next
 * and why a skill is still locked. */
void skills_run(Game *g);
/* The discovered recipes, lettered, type-to-filter; picking one shows its
 * ingredients (have/need in numbers and words), station, chance and
 * result, and asks how many. Returns 1 with the recipe name and count to
 * craft (the caller applies ACT_CRAFT), 0 when backed out, -2 on a signal. */
int craft_screen_run(Game *g, char *recipe_out, size_t size, int *count_out);

#endif
