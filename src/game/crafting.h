/* crafting.h — recipes from data/recipes.json (into crafting_recipes),
 * stations, discovery, success odds from skill. */
#ifndef MA_GAME_CRAFTING_H
#define MA_GAME_CRAFTING_H

#include "game/game.h"

typedef struct CraftBook CraftBook;

int crafting_load_default(CraftBook **out, Err *err);
void crafting_free(CraftBook *b);

int crafting_craft(Game *g, const char *recipe, int count, ActionResult *r, Err *err);

#endif
