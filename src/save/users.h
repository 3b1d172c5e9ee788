/* users.h — the users and sessions tables: accounts and their login sessions.
 *
 * Follows the pattern of worlds.h: one plain struct per row (short strings
 * in fixed buffers, JSON columns as owned cJSON trees), a _row_clear for the
 * heap parts, and functions that return MA_OK or a negative MaStatus and fill
 * an Err naming the save and what was being done. Timestamps are ISO-8601 UTC
 * text ("2026-11-27T03:17:40.123Z"); times given by callers are checked and
 * rewritten in that form, so comparisons in SQL are comparisons in time. */
#ifndef MA_SAVE_USERS_H
#define MA_SAVE_USERS_H

#include <stdint.h>

#include <cJSON.h>

#include "save/save.h"

typedef struct UserRow {
    int64_t id;
    char username[65];       /* 1..64 bytes, unique */
    char email[255];         /* "" when the user has none (NULL in the save); unique otherwise */
    char password_hash[128]; /* bcrypt text, "" when none (a local player) */
    cJSON *profile;          /* owned object; display_name, preferences... */
    char created_at[32];
    char updated_at[32];
    int is_active;           /* written as given: set 1 for a usable account */
    char last_login[32];     /* "" when never logged in */
} UserRow;

/* Frees the JSON tree of a row (not the row itself) and sets it to NULL. */
void user_row_clear(UserRow *u);

/* Inserts u; fills in u->id, created_at and updated_at. profile NULL means {}.
 * last_login is written when not "" (it must be an ISO time). Fails with
 * MA_ERR_CONSTRAINT when the username or email is taken or a value breaks a
 * CHECK (empty username, malformed email), MA_ERR_INVALID for a bad time. */
int users_insert(Save *s, UserRow *u, Err *err);
/* Read one user into *out (which the caller clears with user_row_clear).
 * MA_ERR_NOT_FOUND when there is no such user. */
int users_get(Save *s, int64_t id, UserRow *out, Err *err);
int users_get_by_username(Save *s, const char *username, UserRow *out, Err *err);
/* Writes email, password_hash, profile, is_active and last_login of u->id
 * (the username is the account's name and does not change). profile NULL
 * keeps the stored one. MA_ERR_NOT_FOUND when u->id is not stored;
 * MA_ERR_CONSTRAINT when the new email belongs to another user. */
int users_update(Save *s, const UserRow *u, Err *err);
/* Records a login: last_login = when (an ISO time), or the current time when
 * when is NULL. MA_ERR_NOT_FOUND when there is no such user. */
int users_set_last_login(Save *s, int64_t id, const char *when, Err *err);
/* Deletes the user and, by cascade, their sessions, characters (with their
 * inventories, skills...) and achievements. MA_ERR_NOT_FOUND when absent. */
int users_delete(Save *s, int64_t id, Err *err);

/* Lists every user by id into a heap array of *n rows that the caller frees
 * with users_list_free (*out is NULL when there are none). */
int users_list(Save *s, UserRow **out, int *n, Err *err);
void users_list_free(UserRow *rows, int n);

typedef struct SessionRow {
    int64_t id;
    int64_t user_id;
    char session_token[129]; /* to create: the token, 16..128 bytes, made by the caller; read back: the
                                SHA-256 of it as 64 hex digits (the save never holds the token itself) */
    cJSON *session_data;     /* owned object */
    char created_at[32];     /* "" on create means now */
    char expires_at[32];     /* required, after created_at */
    int is_active;           /* always 1 when created */
} SessionRow;

void session_row_clear(SessionRow *r);

/* Creates a session for r->user_id with r->session_token, expiring at
 * r->expires_at; fills in r->id, created_at and is_active. session_data NULL
 * means {}. Fails with MA_ERR_CONSTRAINT when the token is in use, the user
 * does not exist, the token is shorter than 16 bytes or the session would
 * expire before it starts; MA_ERR_INVALID for a malformed time. */
int sessions_create(Save *s, SessionRow *r, Err *err);
/* The session with this token, active or not, expired or not (callers
 * decide what a stale session means). MA_ERR_NOT_FOUND when there is none. */
int sessions_get_by_token(Save *s, const char *token, SessionRow *out, Err *err);
/* The user's sessions that are active and expire after now (an ISO time, or
 * NULL for the current time), oldest first. Free with sessions_list_free. */
int sessions_list_active(Save *s, int64_t user_id, const char *now, SessionRow **out, int *n, Err *err);
void sessions_list_free(SessionRow *rows, int n);
/* Logs one session out (is_active = 0). MA_ERR_NOT_FOUND when no session has
 * this token. */
int sessions_deactivate(Save *s, const char *token, Err *err);
/* Logs every session of the user out; *changed (if not NULL) receives how
 * many were active before. */
int sessions_deactivate_all(Save *s, int64_t user_id, int *changed, Err *err);
/* Deletes the sessions whose expires_at is at or before now (an ISO time, or
 * NULL for the current time); *deleted (if not NULL) receives how many. */
int sessions_delete_expired(Save *s, const char *now, int *deleted, Err *err);
/* Number of stored sessions (active or not) of a user, or of every user when
 * user_id is 0. */
int sessions_count(Save *s, int64_t user_id, int64_t *count, Err *err);

#endif
