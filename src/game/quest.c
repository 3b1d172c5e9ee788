/* quest.c — placeholder: being written. */
#include "game/quest.h"

#include "game/game_internal.h"

int quest_accept(Game *g, const char *name, ActionResult *r, Err *err) { (void)g; (void)name; (void)err; game_refuse(r, "not possible yet"); return MA_OK; }
int quest_after_action(Game *g, const Action *a, ActionResult *r, Err *err) { (void)g; (void)a; (void)r; (void)err; return MA_OK; }
