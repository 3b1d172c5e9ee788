/* npc.c — placeholder: being written. */
#include "game/npc.h"

#include "game/game_internal.h"

int npc_talk(Game *g, Dir d, ActionResult *r, Err *err) { (void)g; (void)d; (void)err; game_refuse(r, "not possible yet"); return MA_OK; }
int npc_say(Game *g, int reply, ActionResult *r, Err *err) { (void)g; (void)reply; (void)err; game_refuse(r, "not possible yet"); return MA_OK; }
