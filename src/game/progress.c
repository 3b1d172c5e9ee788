/* progress.c — placeholder: being written. */
#include "game/progress.h"

#include <stddef.h>

#include "game/game_internal.h"

int skills_load_default(SkillBook **out, Err *err) { (void)err; *out = NULL; return MA_OK; }
void skills_free(SkillBook *b) { (void)b; }
int progress_levelup(Game *g, const char *stat, ActionResult *r, Err *err) { (void)g; (void)stat; (void)err; game_refuse(r, "not possible yet"); return MA_OK; }
