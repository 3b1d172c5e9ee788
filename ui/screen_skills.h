/* screen_skills.h — the skills screen (screen_skills.c). */
#ifndef MA_UI_SCREEN_SKILLS_H
#define MA_UI_SCREEN_SKILLS_H

#include "game/game.h"

/* Every skill tree: levels, xp to next, specialisations, what opens next and why a skill is
 * still locked. A skill at the level of its specialisation offers the choice after its details:
 * returns 1 with *out the ACT_SPECIALIZE for the caller to take (game_apply), else 0 when the
 * player backs out. */
int screen_skills_run(Game *g, Action *out);

#endif
