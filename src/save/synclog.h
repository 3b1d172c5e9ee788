/* synclog.h — the save's sync tables (data/migrations/009_sync.sql): the accounts on sync
 * servers, the synced worlds, the change log, the server's versions of rows, the characters'
 * keys, the conflicts kept for the player, and append-only entries by their ids.
 *
 * The change log is written by the migration's triggers and by synclog_record_chunk (called by
 * world_flush), always inside the writer's own transaction; src/sync/ reads it to build pushes
 * and takes the answers. Every function here runs inside the caller's transaction when one is
 * open (none commits); err must not be NULL. */
#ifndef MA_SAVE_SYNCLOG_H
#define MA_SAVE_SYNCLOG_H

#include <stdint.h>

#include <cJSON.h>

#include "save/save.h"

/* ------------------------------------------------------------ accounts */

typedef struct SyncAccount {
    int64_t id;
    char server_url[256];
    char username[65];
    int64_t remote_user_id;
    char token[65];       /* "" after a refused token or a logout */
    char expires_at[40];
    char logged_in_at[40];
} SyncAccount;

/* Inserts or updates the account (server_url, username) with a new token; *id (may be NULL). */
int synclog_account_put(Save *s, const char *server_url, const char *username, int64_t remote_user_id,
                        const char *token, const char *expires_at, int64_t *id, Err *err);
/* Registers the account without a token (after `sync register`), unless it is known. */
int synclog_account_ensure(Save *s, const char *server_url, const char *username, int64_t *id, Err *err);
int synclog_account_get(Save *s, int64_t id, SyncAccount *out, Err *err);
/* The account last logged in, of server_url and/or username when not NULL. MA_ERR_NOT_FOUND
 * when there is none. */
int synclog_account_find(Save *s, const char *server_url, const char *username, SyncAccount *out, Err *err);
/* Forgets the token (refused by the server, or logged out). */
int synclog_account_forget_token(Save *s, int64_t id, Err *err);

/* ------------------------------------------------------------ synced worlds */

typedef struct SyncWorld {
    int64_t world_id;
    int64_t account_id;
    int64_t remote_id;
    int64_t user_id;      /* the local player playing as the account (0: none) */
    int64_t cursor;
    char last_sync_at[40]; /* "" never */
    char last_try_at[40];
    char last_error[512];  /* "" when the last try went through */
} SyncWorld;

int synclog_world_add(Save *s, const SyncWorld *w, Err *err);
/* MA_ERR_NOT_FOUND when the world is not synced. */
int synclog_world_get(Save *s, int64_t world_id, SyncWorld *out, Err *err);
/* 1 when the world is synced, 0 when not, or a negative status. */
int synclog_world_is_synced(Save *s, int64_t world_id, Err *err);
int synclog_world_set_cursor(Save *s, int64_t world_id, int64_t cursor, Err *err);
/* Notes a try: now as last_try_at; when error is NULL also last_sync_at and no error. */
int synclog_world_note(Save *s, int64_t world_id, const char *error, Err *err);
/* While on, the triggers record nothing for the world (what is written came from the server). */
int synclog_world_applying(Save *s, int64_t world_id, int on, Err *err);

/* ------------------------------------------------------------ the change log */

typedef struct SyncBlockChange {
    uint8_t x, y, z;      /* local to the chunk */
    const char *from, *to; /* block names */
} SyncBlockChange;

typedef struct SyncMetaChange {
    uint8_t x, y, z;
    const cJSON *from, *to; /* NULL: no metadata */
} SyncMetaChange;

/* Records changes of one chunk into its waiting op (made when there is none): a block already
 * waiting keeps its first `from` and takes the new `to`; one back at its `from` is dropped.
 * Does nothing when the world is not synced or is being written from the server. */
int synclog_record_chunk(Save *s, int64_t world_id, int32_t cx, int32_t cy, int32_t cz, const SyncBlockChange *blocks,
                         int n_blocks, const SyncMetaChange *meta, int n_meta, Err *err);

typedef struct SyncLogRow {
    int64_t id;
    int64_t world_id;
    char op_id[65];
    char kind[20];
    char ref[80];
    int64_t base_version;
    cJSON *body; /* owned; NULL when none */
    int sent;
    char created_at[40];
} SyncLogRow;

void synclog_row_clear(SyncLogRow *r);
/* The world's log in recording order: sent 0 the ops waiting, 1 those sent and not yet
 * answered, -1 both. Free with synclog_rows_free. */
int synclog_list(Save *s, int64_t world_id, int sent, SyncLogRow **out, int *n, Err *err);
void synclog_rows_free(SyncLogRow *rows, int n);
/* Ops waiting (not sent) and sent without an answer. */
int synclog_count(Save *s, int64_t world_id, int *waiting, int *sent, Err *err);
/* Counts by kind, for `sync status`: calls fn(kind, waiting, sent, ud) per kind present. */
int synclog_count_kinds(Save *s, int64_t world_id, void (*fn)(const char *kind, int waiting, int sent, void *ud),
                        void *ud, Err *err);
/* Whether an op about (kind, ref) is waiting or unanswered: 1, 0, or a negative status. */
int synclog_has_op(Save *s, int64_t world_id, const char *kind, const char *ref, Err *err);
/* Seals a waiting op: body = op (the whole op JSON), sent = 1. */
int synclog_seal(Save *s, int64_t log_id, const cJSON *op, Err *err);
int synclog_drop(Save *s, int64_t log_id, Err *err);
/* The log row of an op id; MA_ERR_NOT_FOUND when it is gone (answered before). */
int synclog_find_op(Save *s, int64_t world_id, const char *op_id, SyncLogRow *out, Err *err);
/* Adds a waiting op (INSERT OR IGNORE: a waiting op for the same row stays as it is). */
int synclog_add(Save *s, int64_t world_id, const char *kind, const char *ref, int64_t base_version, const cJSON *body,
                Err *err);

/* ------------------------------------------------------------ keys and versions */

/* A character's key and the server's version of it; MA_ERR_NOT_FOUND when it has none yet. */
int synclog_key_get(Save *s, int64_t character_id, char key[65], int64_t *version, Err *err);
int synclog_key_set(Save *s, int64_t character_id, int64_t world_id, const char *key, int64_t version, Err *err);
/* The local character of a key; MA_ERR_NOT_FOUND when none. */
int synclog_key_find(Save *s, int64_t world_id, const char *key, int64_t *character_id, int64_t *version, Err *err);

/* The server's version last pulled of a chunk, relationship or quest progress (0: never). */
int synclog_version_get(Save *s, int64_t world_id, const char *kind, const char *key, int64_t *version, Err *err);
int synclog_version_set(Save *s, int64_t world_id, const char *kind, const char *key, int64_t version, Err *err);

/* ------------------------------------------------------------ conflicts */

typedef struct SyncConflict {
    int64_t id;
    int64_t world_id;
    char op_id[65];
    char kind[16];     /* block, meta, entity, character, quest_progress, world, rejected */
    char place[160];
    cJSON *detail;     /* owned: base, yours, server, and what re-applying needs */
    char status[8];    /* open, mine, theirs */
    char created_at[40];
    char resolved_at[40];
} SyncConflict;

void synclog_conflict_clear(SyncConflict *c);
int synclog_conflict_add(Save *s, int64_t world_id, const char *op_id, const char *kind, const char *place,
                         const cJSON *detail, Err *err);
/* The world's conflicts, oldest first (open_only: those not resolved). */
int synclog_conflicts(Save *s, int64_t world_id, int open_only, SyncConflict **out, int *n, Err *err);
void synclog_conflicts_free(SyncConflict *rows, int n);
int synclog_conflict_get(Save *s, int64_t id, SyncConflict *out, Err *err);
/* status: "mine" (re-applied) or "theirs" (the server's kept). */
int synclog_conflict_resolve(Save *s, int64_t id, const char *status, Err *err);
/* Open conflicts of a world (or a negative status). */
int synclog_conflict_count(Save *s, int64_t world_id, Err *err);

/* ------------------------------------------------------------ append-only entries */

/* Notes an entry: ours (local_id > 0) or another player's (data). 1 when new, 0 when it was
 * there, or a negative status. */
int synclog_entry_add(Save *s, int64_t world_id, const char *kind, const char *entry, int64_t local_id,
                      const cJSON *data, Err *err);
/* Entries of another player kept for a world. */
int synclog_entry_count(Save *s, int64_t world_id, int64_t *remote, Err *err);

#endif
