/* screen_skills.h — the skills screen (screen_skills.c). */
#ifndef MA_UI_SCREEN_SKILLS_H
#define MA_UI_SCREEN_SKILLS_H

#include "game/game.h"

/* Every skill tree: levels, xp to next, specialisations, what opens next and why a skill is
 * still locked; returns when the player backs out. */
void screen_skills_run(Game *g);

#endif
