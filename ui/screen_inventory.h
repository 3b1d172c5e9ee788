/* screen_inventory.h — the pack, the block picker and the item pickers (screen_inventory.c). */
#ifndef MA_UI_SCREEN_INVENTORY_H
#define MA_UI_SCREEN_INVENTORY_H

#include <stddef.h>

#include "game/game.h"

/* The pack: each item under the letter it keeps, Enter for its page in words. */
void screen_inventory_run(Game *g);
/* Which items a command can take: anything, what can be worn and is not, what is worn, what
 * can be eaten, drunk or read, what is worn down and can be repaired. */
typedef enum ItemPick { PICK_ANY, PICK_EQUIP, PICK_WORN, PICK_USE, PICK_REPAIR } ItemPick;
/* Picks a carried item that `what` allows, under a title (each with its letter): 1 and its name
 * in buf when chosen, 0 when backed out, -1 when nothing applies (buf says so in words). */
int screen_inventory_pick_item(Game *g, const char *title, ItemPick what, char *buf, size_t size);
/* Picks an item to hold; 1 and name in buf when chosen. */
int screen_inventory_pick_block(Game *g, char *buf, size_t size);

#endif
