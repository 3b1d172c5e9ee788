/* sync_merge.h — what merges how (docs/sync-protocol.md, "Merging").
 *
 * Pure functions over the server's current state and one operation; push.c loads the state,
 * calls these, and writes the result. No database, so tests and the fuzz target call them.
 *   - chunk edits merge block by block: an edit applies when the server's block is still the
 *     one the client started from ("from"), is a no-op when the server already has "to", and
 *     is a conflict otherwise — the server's block stands and the edit comes back in the answer
 *     (the client keeps it for the player to see and re-apply). Block metadata and entities
 *     (by id) merge the same way.
 *   - histories (relationship interaction_history, quest progress history) merge by union on
 *     entry ids; a relationship's value is replayed from its merged history.
 *   - quest progress: objective counts take the larger, a finished status beats "active", two
 *     different finished statuses are a conflict (the server's stands). */
#ifndef MA_SERVER_SYNC_MERGE_H
#define MA_SERVER_SYNC_MERGE_H

#include <cJSON.h>

#include "sync_ops.h"
#include "world/chunk.h"

/* Applies op (a chunk_edit) to c. Conflicting edits are appended to conflicts as
 * {"what":"block"|"meta"|"entity", "x","y","z" | "id", "base", "yours", "server"}.
 * *changed receives how many edits changed c. MA_OK or MA_ERR_NOMEM. */
int sync_merge_chunk(Chunk *c, const BlockRegistry *reg, const SyncOp *op, cJSON *conflicts, int *changed);

/* Appends to hist (a JSON array, modified) the entries whose "id" it does not hold yet, in
 * their order. Returns how many were added, or -1 when out of memory. */
int sync_merge_history(cJSON *hist, const cJSON *entries);

/* A relationship's value: the entries' "change" replayed from 0, clamped to -100..100 at each
 * step (the local game's rule). */
int sync_relationship_value(const cJSON *hist);

/* A quest's progress on the server (or not there yet). */
typedef struct SyncQuestState {
    int exists;
    char status[16];
    cJSON *progress_data; /* owned object */
    cJSON *rewards_earned; /* owned array */
    char started_at[40], completed_at[40]; /* "" when none */
} SyncQuestState;

/* Merges op (a quest_progress) into s. A status conflict is appended to conflicts.
 * MA_OK or MA_ERR_NOMEM. */
int sync_merge_quest(SyncQuestState *s, const SyncOp *op, cJSON *conflicts);
void sync_quest_state_clear(SyncQuestState *s);

/* Whether a quest status ends the quest. */
int sync_quest_finished(const char *status);

#endif
