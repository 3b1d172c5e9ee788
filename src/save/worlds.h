/* worlds.h — the worlds table (and world_chunks, see chunks.h).
 *
 * The pattern every table group of src/save/ follows: a plain struct per
 * row whose JSON columns are owned cJSON trees, a _free for the heap parts,
 * insert/get/list/update/delete functions that take an Err, and statements
 * prepared once per Save (save_stmt). */
#ifndef MA_SAVE_WORLDS_H
#define MA_SAVE_WORLDS_H

#include <stdint.h>

#include <cJSON.h>

#include "save/save.h"

typedef struct WorldRow {
    int64_t id;
    char name[65];
    cJSON *settings; /* owned; generator version, spawn, options */
    char world_type[33];
    int64_t seed;
    char created_at[32];
    char updated_at[32];
    int is_active;
    cJSON *metadata; /* owned; context for the AI agents */
} WorldRow;

/* Frees the JSON trees of a row (not the row itself). */
void world_row_clear(WorldRow *w);

/* Inserts w (id, created_at, updated_at are filled in). JSON NULL means {}. */
int worlds_insert(Save *s, WorldRow *w, Err *err);
int worlds_get(Save *s, int64_t id, WorldRow *out, Err *err);
int worlds_get_by_name(Save *s, const char *name, WorldRow *out, Err *err);
/* Writes name, settings, world_type, seed, is_active and metadata of w->id. */
int worlds_update(Save *s, const WorldRow *w, Err *err);
/* Sets the world's game clock (metadata.clock, in turns), the rest of its row as it is. */
int worlds_set_clock(Save *s, int64_t world_id, int64_t clock, Err *err);
/* Deletes the world and, by cascade, its chunks, characters, stories, quests... */
int worlds_delete(Save *s, int64_t id, Err *err);

/* Lists every world, by id. *out is a heap array of n rows the caller frees
 * with worlds_list_free. */
int worlds_list(Save *s, WorldRow **out, int *n, Err *err);
void worlds_list_free(WorldRow *rows, int n);

/* Chunks and characters stored for a world, for `info` and `world list`. */
int worlds_counts(Save *s, int64_t id, int64_t *chunks, int64_t *characters, Err *err);

#endif
