/* progress.h — experience and levels, skills and their trees (data/skills.json). */
#ifndef MA_GAME_PROGRESS_H
#define MA_GAME_PROGRESS_H

#include "game/game.h"

typedef struct SkillBook SkillBook;

int skills_load_default(SkillBook **out, Err *err);
void skills_free(SkillBook *b);

/* Raises a stat after a level-up (ACT_LEVELUP). */
int progress_levelup(Game *g, const char *stat, ActionResult *r, Err *err);

#endif
