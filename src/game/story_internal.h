/* story_internal.h — for the story files of src/game/ only: the cast of a storyline
 * (the village, villagers and place it is about, kept in story_progress.state) and how
 * its texts and rules are filled from it. */
#ifndef MA_GAME_STORY_INTERNAL_H
#define MA_GAME_STORY_INTERNAL_H

#include <stddef.h>

#include <cJSON.h>

#include "game/game.h"
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

#endif
