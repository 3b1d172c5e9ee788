/* sync_ops.h — a push batch, parsed and validated before anything touches the database.
 *
 * The JSON schema of each operation kind is docs/sync-protocol.md. sync_batch_parse refuses
 * the whole batch (the server answers 400 and changes nothing) at the first field that breaks a
 * rule, naming it: "ops[3] (chunk_edit): blocks[2].x: must be a whole number 0..15". The rules
 * are the local save's (name lengths, stat ranges, block names from data/blocks.json, the
 * chunk's local coordinates) plus size limits. Pure C, no database: the fuzz target and the
 * unit tests call it directly. */
#ifndef MA_SERVER_SYNC_OPS_H
#define MA_SERVER_SYNC_OPS_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "world/blocks.h"
#include "world/chunk.h"

#define SYNC_MAX_OPS 500
#define SYNC_MAX_EDITS 4096   /* block edits in one chunk_edit */
#define SYNC_MAX_JSON_EDITS 256 /* metadata or entity edits in one chunk_edit */
#define SYNC_MAX_ENTRIES 1000 /* history entries in one op */
#define SYNC_MAX_ROWS 500     /* inventory stacks, skills */
#define SYNC_MAX_STATE 2000   /* character_state rows */
#define SYNC_CHUNK_XZ_MAX CHUNK_XZ_MAX /* |chunk x|, |chunk z| (world/chunk.h) */

typedef enum SyncKind {
    SYNC_WORLD,
    SYNC_CHUNK_EDIT,
    SYNC_CHARACTER,
    SYNC_RELATIONSHIP,
    SYNC_QUEST_PROGRESS,
    SYNC_EVOLUTION,
    SYNC_STORY_CHOICE,
    SYNC_KIND_COUNT
} SyncKind;

extern const char *const sync_kind_names[SYNC_KIND_COUNT];

typedef struct SyncBlockEdit {
    uint8_t x, y, z;
    uint16_t index; /* CHUNK_INDEX(x, y, z) */
    BlockId from, to;
} SyncBlockEdit;

/* A metadata edit (index set) or an entity edit (entity set). from/to: NULL for "none". */
typedef struct SyncJsonEdit {
    uint8_t x, y, z;
    uint16_t index;
    const char *entity;
    const cJSON *from, *to;
} SyncJsonEdit;

typedef struct SyncOp {
    char id[65];
    SyncKind kind;
    const cJSON *json;    /* the op object, borrowed from the batch */
    int64_t base_version; /* -1 when the kind has none */
    /* chunk_edit */
    int32_t cx, cy, cz;
    SyncBlockEdit *blocks;
    int n_blocks;
    SyncJsonEdit *meta, *ents;
    int n_meta, n_ents;
    /* character: key; relationship: key -> key2; quest_progress: key (character), key2 (title);
     * evolution: key (entry); story_choice: key (entry), key2 (character) */
    const char *key, *key2;
    int deleted, npc;
    const cJSON *entries; /* relationship entries, quest history */
} SyncOp;

typedef struct SyncBatch {
    cJSON *root;
    SyncOp *ops;
    int n;
} SyncBatch;

/* Parses {"ops": [...]} (len bytes of text; need not be NUL-terminated). MA_OK and *out, or
 * MA_ERR_INVALID with the reason. */
int sync_batch_parse(const char *text, size_t len, const BlockRegistry *reg, SyncBatch **out, Err *err);
void sync_batch_free(SyncBatch *b);

/* The fields of a world (creating: name and seed required). Borrowed JSON in settings and
 * metadata is copied; clear with sync_world_fields_clear. */
typedef struct SyncWorldFields {
    char name[65];
    int64_t seed;
    char world_type[32];
    cJSON *settings, *metadata; /* owned copies; empty objects when absent */
    int has_name, has_seed, has_type, has_settings, has_metadata;
    int is_active; /* -1: not given */
} SyncWorldFields;
int sync_world_fields(const cJSON *o, const BlockRegistry *reg, int creating, SyncWorldFields *f, Err *err);
void sync_world_fields_clear(SyncWorldFields *f);

/* Field helpers shared with the merge: an integer member in [lo, hi] (def when absent). */
int sync_int_field(const cJSON *o, const char *name, int64_t lo, int64_t hi, int64_t def, int64_t *out);

#endif
