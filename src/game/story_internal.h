/* story_internal.h — for the story files of src/game/ only: the cast of a storyline
 * (the village, villagers and place it is about, kept in story_progress.state) and how
 * its texts and rules are filled from it (story_cast.c); the menu of choices story.c
 * builds and story_choose.c takes from. */
#ifndef MA_GAME_STORY_INTERNAL_H
#define MA_GAME_STORY_INTERNAL_H

#include <stddef.h>

#include <cJSON.h>

#include "game/game.h"
#include "game/story.h"
#include "game/story_book.h"
#include "save/stories.h"
#include "world/generator.h"

/* A new state object for a storyline beginning now: the village nearest the player (or
 * the villager's own, for a villager story) with one villager per role, the villager
 * talked to (villager_entity, may be NULL) and the place entered (may be NULL). */
cJSON *story_cast_new(Game *g, const char *villager_entity, const GenStructure *place);

/* in with its {fields} filled from the player and the state (see docs/stories.md):
 * a missing villager reads "the smith", capitalised at the start of a sentence. */
void story_fill_text(Game *g, const cJSON *state, const char *in, char *out, size_t size);

/* A copy of a condition (effects == 0) or an effect list (effects == 1) with the cast's
 * "@role", "@villager" and "@place" made concrete: a relationship's "with" becomes the
 * villager's entity id (for effects, the villager is met first, as npc_ensure does), a
 * set_block's "at" becomes a position, and texts are filled. An effect about someone
 * the cast lacks is left out and described in *skipped (a new array, may be NULL).
 * Returns NULL (err set) only when the save fails. */
cJSON *story_fill_rules(Game *g, const cJSON *state, const cJSON *json, int effects, cJSON **skipped, Err *err);


/* ---- story.c, for story_choose.c ---- */

/* The choices of a passage as the player sees them: in branch order, without the hidden ones
 * whose condition is false, numbered from 1. */
typedef struct MenuItem {
    int kid;              /* index into Menu.kids */
    int readable;         /* the row reads as a branch */
    StoryBranchInfo info; /* borrowed from Menu.kids[kid] */
    StoryChoice c;
} MenuItem;

typedef struct Menu {
    BranchRow *kids;
    int n_kids;
    MenuItem item[STORY_MAX_CHOICES];
    int n;
} Menu;

/* The menu of p's current passage (an empty one when the storyline is not active). Free it
 * with story_menu_free, also after a failure. */
int story_menu_build(Game *g, const StoryProgressRow *p, Menu *m, Err *err);
/* The same without the reasons of the locked choices (why ""), which may look for the nearest
 * place of a kind far around: for a panel drawn after every step. */
int story_menu_build_quick(Game *g, const StoryProgressRow *p, Menu *m, Err *err);
void story_menu_free(Menu *m);
/* Puts the cast's names where the rules' words show their entity ids ("villager 12 -40"). */
void story_name_cast(const cJSON *state, char *text, size_t size);
/* The character's storyline in focus; MA_ERR_NOT_FOUND when none is. */
int story_focused_progress(Game *g, StoryProgressRow *out, Err *err);
/* A view as events: the title, the passage in lines, the numbered choices or the ending. */
void story_show_view(const StoryView *v, ActionResult *r);

#endif
