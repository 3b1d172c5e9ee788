/* inventory.h — the player's pack and equipment as game actions: equip,
 * unequip, drop, take (items on the ground, chests), use, repair; stacks
 * with per-item maximums; equipment bonuses; wear. */
#ifndef MA_GAME_INVENTORY_H
#define MA_GAME_INVENTORY_H

#include "game/game.h"

int inventory_equip(Game *g, const char *item, ActionResult *r, Err *err);
int inventory_unequip(Game *g, const char *item_or_slot, ActionResult *r, Err *err);
int inventory_drop(Game *g, const char *item, int count, ActionResult *r, Err *err);
int inventory_take(Game *g, ActionResult *r, Err *err);
int inventory_use(Game *g, const char *item, ActionResult *r, Err *err);
int inventory_repair(Game *g, const char *item, ActionResult *r, Err *err);

#endif
