/* crafting.c — placeholder: being written. */
#include "game/crafting.h"

#include <stddef.h>

#include "game/game_internal.h"

int crafting_load_default(CraftBook **out, Err *err) { (void)err; *out = NULL; return MA_OK; }
void crafting_free(CraftBook *b) { (void)b; }
int crafting_craft(Game *g, const char *recipe, int count, ActionResult *r, Err *err) { (void)g; (void)recipe; (void)count; (void)err; game_refuse(r, "not possible yet"); return MA_OK; }
