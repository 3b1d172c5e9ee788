/* creatures.c — placeholder: being written. */
#include "game/creatures.h"

#include <stddef.h>

#include "game/game_internal.h"

int creatures_load_default(CreatureBook **out, Err *err) { (void)err; *out = NULL; return MA_OK; }
void creatures_free(CreatureBook *b) { (void)b; }
int combat_attack(Game *g, Dir d, ActionResult *r, Err *err) { (void)g; (void)d; (void)err; game_refuse(r, "not possible yet"); return MA_OK; }
int combat_shoot(Game *g, Dir d, ActionResult *r, Err *err) { (void)g; (void)d; (void)err; game_refuse(r, "not possible yet"); return MA_OK; }
int combat_cast(Game *g, const char *spell, Dir d, ActionResult *r, Err *err) { (void)g; (void)spell; (void)d; (void)err; game_refuse(r, "not possible yet"); return MA_OK; }
int creatures_tick(Game *g, int turns, ActionResult *r, Err *err) { (void)g; (void)turns; (void)r; (void)err; return MA_OK; }
