/* inventory.c — placeholder: being written. */
#include "game/inventory.h"

#include "game/game_internal.h"

int inventory_equip(Game *g, const char *item, ActionResult *r, Err *err) { (void)g; (void)item; (void)err; game_refuse(r, "not possible yet"); return MA_OK; }
int inventory_unequip(Game *g, const char *item, ActionResult *r, Err *err) { (void)g; (void)item; (void)err; game_refuse(r, "not possible yet"); return MA_OK; }
int inventory_drop(Game *g, const char *item, int count, ActionResult *r, Err *err) { (void)g; (void)item; (void)count; (void)err; game_refuse(r, "not possible yet"); return MA_OK; }
int inventory_take(Game *g, ActionResult *r, Err *err) { (void)g; (void)err; game_refuse(r, "not possible yet"); return MA_OK; }
int inventory_use(Game *g, const char *item, ActionResult *r, Err *err) { (void)g; (void)item; (void)err; game_refuse(r, "not possible yet"); return MA_OK; }
int inventory_repair(Game *g, const char *item, ActionResult *r, Err *err) { (void)g; (void)item; (void)err; game_refuse(r, "not possible yet"); return MA_OK; }
