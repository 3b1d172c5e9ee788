/* achieve.c — placeholder: being written. */
#include "game/achieve.h"

#include "game/game_internal.h"

int achieve_check(Game *g, ActionResult *r, Err *err) { (void)g; (void)r; (void)err; return MA_OK; }
