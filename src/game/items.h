/* items.h — every item of the game, from data/items.json: type, stack
 * size, equipment slot, durability, damage, armour, stat bonuses, value. */
#ifndef MA_GAME_ITEMS_H
#define MA_GAME_ITEMS_H

#include "util/err.h"

typedef struct ItemRegistry ItemRegistry;

int items_load_default(ItemRegistry **out, Err *err);
void items_free(ItemRegistry *r);

#endif
