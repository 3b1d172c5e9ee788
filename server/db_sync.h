/* db_sync.h — the SQL of push and pull (all of it is in db_sync.c).
 *
 * Lists go to PostgreSQL as one JSON parameter each (jsonb_to_recordset), so a push of any size
 * costs a fixed number of statements: about one to read and one to write per kind of row it
 * touches. Readers lock what they read (FOR UPDATE, in id order, so two pushes never wait on
 * each other in a circle); writers take the row version they expect and report how many rows
 * they wrote, and a short count means a concurrent push got there first: the caller rolls back
 * and runs the batch again (DB_RETRY). Rows come back in the pull format of
 * docs/sync-protocol.md, built by the same SQL for pulls and for conflict answers. */
#ifndef MA_SERVER_DB_SYNC_H
#define MA_SERVER_DB_SYNC_H

#include <stdint.h>

#include <cJSON.h>

#include "db.h"

/* Answers already given for these op ids (a JSON list of strings): an object op id -> answer. */
int db_sync_seen_ops(Db *db, int64_t world, const char *ids_json, cJSON **out, Err *err);
/* Stores the answers [{"op","kind","response"}] of a push; *stored receives how many were new. */
int db_sync_store_ops(Db *db, int64_t world, int64_t user, const char *ops_json, int *stored, Err *err);

typedef struct DbChunk {
    int64_t id;
    int32_t cx, cy, cz;
    int version;
    char *block_data, *structures; /* heap text */
} DbChunk;
/* Locks and reads the chunks at [[x,y,z],...] that exist, in that order (callers sort, so two
 * pushes lock in one order). Free with db_sync_chunks_free. */
int db_sync_load_chunks(Db *db, int64_t world, const char *coords_json, DbChunk **out, int *n, Err *err);
void db_sync_chunks_free(DbChunk *rows, int n);

typedef struct DbCharacter {
    char key[65];
    int64_t id, user_id; /* user_id 0: a villager */
    int64_t version;
    int deleted;
    char *row; /* heap text: the pull-format row */
} DbCharacter;
/* Locks and reads the characters with these keys (a JSON list of strings). */
int db_sync_load_characters(Db *db, int64_t world, const char *keys_json, DbCharacter **out, int *n, Err *err);
void db_sync_characters_free(DbCharacter *rows, int n);
/* Replaces the inventory, skills and state of the characters in ids_json ([id,...]) with the
 * rows given ({"cid",...} each). */
int db_sync_replace_character_rows(Db *db, const char *ids_json, const char *inventory_json, const char *skills_json,
                                   const char *state_json, Err *err);

typedef struct DbRelationship {
    int64_t id;
    char from[65], to[65];
    int64_t version;
    char type[33];
    char *history; /* heap text */
} DbRelationship;
/* Locks and reads the relationships [{"f": key, "t": key}] that exist, in that order. */
int db_sync_load_relationships(Db *db, int64_t world, const char *pairs_json, DbRelationship **out, int *n, Err *err);
void db_sync_relationships_free(DbRelationship *rows, int n);

typedef struct DbQuestProgress {
    int64_t id;
    char character[65], title[129];
    char status[16];
    char *progress_data, *rewards_earned; /* heap text */
    char started_at[40], completed_at[40];
    int64_t version;
} DbQuestProgress;
int db_sync_load_quest_progress(Db *db, int64_t world, const char *pairs_json, DbQuestProgress **out, int *n,
                                Err *err);
void db_sync_quest_progress_free(DbQuestProgress *rows, int n);
/* Makes sure the quests [{"title",...definition}] exist; *ids receives title -> id. */
int db_sync_ensure_quests(Db *db, int64_t world, const char *defs_json, cJSON **ids, Err *err);

/* Which of these entry ids (a JSON list) the evolution log (0) or the choices (1) hold already. */
int db_sync_existing_entries(Db *db, int64_t world, int choices, const char *keys_json, cJSON **out, Err *err);

/* The agents [{"name","type"}] of new evolution entries exist after this; *ids name -> id. */
int db_sync_ensure_agents(Db *db, const char *agents_json, cJSON **ids, Err *err);
/* The stories and branches [{"title","description","story_type","branch","content","parent"}]
 * of new choices exist after this; *ids "title\nbranch" -> branch id. */
int db_sync_ensure_branches(Db *db, int64_t world, const char *rows_json, cJSON **ids, Err *err);

/* Writes a push's rows in one statement: rows[0..5] are JSON lists of chunks, characters,
 * relationships, quest progress, evolution entries and story choices (see db_sync.c for their
 * fields), each row with "ord". take > 0: takes that many change numbers on the world's row
 * (locked to the commit) and *first is the first; take 0: they were taken already, starting at
 * first_taken. A row's change_seq is first + ord; an update applies only at the version it
 * expects. counts[i] receives the rows written of each list (a short count: a concurrent push
 * got there first), *char_ids an object key -> id of the characters written. */
int db_sync_write_all(Db *db, int64_t world, int take, int64_t first_taken, const char *const rows[6], int64_t *first,
                      int counts[6], cJSON **char_ids, Err *err);

/* Takes n change sequence numbers for world (locking its row until commit): *first is the first.
 * *row receives the world's pull-format row (heap text), *version its row version. */
int db_sync_take_seqs(Db *db, int64_t world, int n, int64_t *first, int64_t *version, char **row, Err *err);
/* Whether another world has this name. */
int db_sync_world_name_taken(Db *db, int64_t world, const char *name, int *taken, Err *err);
/* Writes the world op's fields {"name","settings","metadata","is_active","deleted","version","seq"}. */
int db_sync_write_world(Db *db, int64_t world, const char *fields_json, Err *err);

/* A square of chunks (inclusive) a pull is limited to. */
typedef struct SyncArea {
    int32_t x0, x1, z0, z1;
} SyncArea;

/* The changes of world after since, at most limit, in sequence order: *json (heap text) a JSON
 * list in the pull format; *cursor what to pass as since next time; *more whether more follow;
 * *head the world's last sequence number. near (may be NULL) limits the pull to what happens
 * around a place and to user's own rows (docs/sync-protocol.md, "Pull"). */
int db_sync_changes(Db *db, int64_t world, int64_t since, int limit, const SyncArea *near, int64_t user, char **json,
                    int64_t *cursor, int *more, int64_t *head, Err *err);

#endif
