/* push_internal.h — what the parts of a push share: the rows a batch touches ("slots") and the
 * helpers. push.c reads, locks and orchestrates; push_merge.c decides each op against the
 * server's rows; push_rows.c turns the changed rows into what db_sync_write_all writes. */
#ifndef MA_SERVER_PUSH_INTERNAL_H
#define MA_SERVER_PUSH_INTERNAL_H

#include <stdint.h>

#include <cJSON.h>

#include "db_users.h"
#include "server.h"
#include "sync_merge.h"
#include "sync_ops.h"
#include "util/timeutil.h"
#include "world/chunk.h"
#include "world/generator.h"

typedef struct ChunkSlot {
    int64_t id;
    int32_t cx, cy, cz;
    int exists, orig_version, version, dirty;
    char *block_data, *structures; /* as loaded (heap), until decoded */
    Chunk *c;
    int ord; /* its change number is the batch's first + ord */
} ChunkSlot;

typedef struct CharSlot {
    const char *key;
    int exists, deleted, dirty;
    int64_t id, user_id; /* user_id 0: a villager */
    int64_t orig_version, version;
    char *row;              /* the loaded pull-format row (heap) */
    const SyncOp *snapshot; /* the last op whose contents are to be written */
    int ord;
} CharSlot;

typedef struct RelSlot {
    int64_t id;
    const char *from, *to;
    int exists, dirty;
    int64_t orig_version, version;
    char type[33];
    cJSON *hist;
    int value;
    int ord;
} RelSlot;

typedef struct QuestSlot {
    int64_t id;
    const char *character, *title;
    const cJSON *def; /* the quest definition of the last op */
    int exists, dirty;
    int64_t orig_version, version;
    SyncQuestState st;
    int ord;
} QuestSlot;

typedef struct EntrySlot {
    const char *entry;
    const SyncOp *op;
    int exists, fresh;
    int ord;
} EntrySlot;

typedef struct Push {
    Server *srv;
    Db *db;
    int64_t world, user;
    const WorldAccess *wa;
    const SyncBatch *b;
    Err *err;
    Generator *gen;
    ChunkSlot *chunks;
    CharSlot *chars;
    RelSlot *rels;
    QuestSlot *quests;
    EntrySlot *evo, *choices;
    int n_chunks, n_chars, n_rels, n_quests, n_evo, n_choices;
    cJSON **results;
    unsigned char *dup;
    DbCharacter *loaded_chars;
    int n_loaded_chars;
} Push;

/* ---- helpers (push.c) */
const char *push_str(const cJSON *o, const char *name);
cJSON *push_result_new(const SyncOp *op, const char *status);
cJSON *push_rejected(const SyncOp *op, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A canonical ISO time for PostgreSQL, or "" when absent. */
void push_canon_time(const char *s, char out[TIME_ISO_LEN]);
/* cJSON_PrintUnformatted, with err set when out of memory. */
char *push_print(const cJSON *j, Err *err);
ChunkSlot *push_chunk_slot(Push *p, int32_t cx, int32_t cy, int32_t cz);
CharSlot *push_char_slot(Push *p, const char *key);
RelSlot *push_rel_slot(Push *p, const char *from, const char *to);
QuestSlot *push_quest_slot(Push *p, const char *character, const char *title);
EntrySlot *push_entry_slot(EntrySlot *list, int n, const char *entry);
/* The slot's chunk in memory: decoded from the server's row, or generated from the seed. */
int push_chunk_ready(Push *p, ChunkSlot *s);

/* ---- deciding each op (push_merge.c): *res receives its answer */
int push_apply_chunk(Push *p, const SyncOp *op, cJSON **res);
int push_apply_character(Push *p, const SyncOp *op, cJSON **res);
int push_apply_relationship(Push *p, const SyncOp *op, cJSON **res);
int push_apply_quest(Push *p, const SyncOp *op, cJSON **res);
int push_apply_entry(Push *p, const SyncOp *op, int choice, cJSON **res);
/* A world op, on the locked world row (its version and pull-format row); NULL on a database error. */
cJSON *push_apply_world(Push *p, const SyncOp *op, int64_t *version, const char *row, cJSON *fields, int *changed);

/* ---- the rows to write (push_rows.c) */
int push_chunk_rows(Push *p, cJSON *rows, int *n);
void push_character_rows(Push *p, cJSON *rows, int *n);
int push_write_character_rows(Push *p, int fresh);
void push_relationship_rows(Push *p, cJSON *rows, int *n);
int push_ensure_quests(Push *p, cJSON **ids);
int push_quest_rows(Push *p, const cJSON *quest_ids, cJSON *rows, int *n);
int push_ensure_log_owners(Push *p, cJSON **agents, cJSON **branches);
int push_entry_rows(Push *p, int choice, const cJSON *owners, cJSON *rows, int *n);

#endif
