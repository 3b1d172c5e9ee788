/* db_users.h — accounts, sessions, worlds and who may use them (all their SQL is in db_users.c). */
#ifndef MA_SERVER_DB_USERS_H
#define MA_SERVER_DB_USERS_H

#include <stdint.h>

#include <cJSON.h>

#include "db.h"

typedef struct DbUser {
    int64_t id;
    char username[65];
    char password_hash[128];
    int is_active;
    int failed_logins;
    int64_t locked_until_ms; /* 0: not locked */
} DbUser;

/* Inserts a user; MA_ERR_CONSTRAINT with a message when the name or email is taken. */
int db_user_create(Db *db, const char *username, const char *email, const char *password_hash, int64_t *id,
                   Err *err);
/* MA_ERR_NOT_FOUND when there is none. */
int db_user_get(Db *db, const char *username, DbUser *out, Err *err);
/* A wrong password: counts it, and locks the account until lock_until_ms at the max_failures-th
 * (counting again from zero). Returns the failures counted and whether it locked now. */
int db_user_login_failed(Db *db, int64_t user_id, int max_failures, int64_t lock_until_ms, int *failures,
                         int *locked, Err *err);
/* A right password: clears the failures and the lock, sets last_login, and stores a session
 * whose token hash is token_hash, valid for hours. expires_at receives its ISO end. */
int db_user_login_ok(Db *db, int64_t user_id, const char *token_hash, int hours, const char *client,
                     char expires_at[40], Err *err);

/* The session of a token hash: MA_OK with the user; MA_ERR_NOT_FOUND when unknown or ended;
 * MA_ERR_LOCKED (with *expired) when it has expired. */
int db_session_user(Db *db, const char *token_hash, int64_t *user_id, char username[65], int *expired, Err *err);
int db_session_end(Db *db, const char *token_hash, Err *err);

typedef struct WorldAccess {
    int exists, member, owner, deleted;
    int64_t seed;
    char name[65];
    char world_type[32];
    int generator_version;
} WorldAccess;

/* Creates a world owned by user (its owner row in world_members too). MA_ERR_CONSTRAINT when
 * the name is taken. */
int db_world_create(Db *db, int64_t owner, const char *name, int64_t seed, const char *world_type,
                    const char *settings_json, const char *metadata_json, int64_t *id, Err *err);
int db_world_access(Db *db, int64_t world_id, int64_t user_id, WorldAccess *out, Err *err);
/* Adds username as a member (owner only: the caller checks). MA_ERR_NOT_FOUND for no such
 * user; *added 0 when already a member. */
int db_world_invite(Db *db, int64_t world_id, int64_t by, const char *username, int *added, Err *err);
/* The worlds user may use: [{"id","name","role","owner","seed","world_type","seq_head"}]. */
int db_worlds_of(Db *db, int64_t user_id, cJSON **out, Err *err);
/* One world with its members. */
int db_world_describe(Db *db, int64_t world_id, cJSON **out, Err *err);

/* Operator report (magic-adventure-server report): locked accounts, through the users GIN
 * index; characters at zero health, through the characters GIN index; chunks holding a block,
 * through the world_chunks GIN index. */
int db_report_locked_users(Db *db, int64_t now_ms, cJSON **out, Err *err);
int db_report_fallen_characters(Db *db, cJSON **out, Err *err);
/* Chunks of world whose palette holds block (when block is not NULL), else whose entities hold
 * one with id entity, at most limit: [[cx,cy,cz],...]. */
int db_chunks_containing(Db *db, int64_t world_id, const char *block, const char *entity, int limit, cJSON **out,
                         Err *err);

#endif
