/* screen_craft.h — the crafting screen (screen_craft.c). */
#ifndef MA_UI_SCREEN_CRAFT_H
#define MA_UI_SCREEN_CRAFT_H

#include <stddef.h>

#include "game/game.h"

/* The discovered recipes, lettered, type-to-filter; picking one shows its ingredients (have/need
 * in numbers and words), station, chance and result, and asks how many. Returns 1 with the
 * recipe name and count to craft (the caller applies ACT_CRAFT), 0 when backed out, -2 on a
 * signal. */
int screen_craft_run(Game *g, char *recipe_out, size_t size, int *count_out);

#endif
