/* auth.h — players and signing in.
 *
 * A local player may have no password; one that will sync must have one.
 * Passwords are kept only as bcrypt hashes made by libxcrypt's crypt (the
 * plain text is wiped from memory as soon as it is hashed or checked).
 * Signing in writes a session row with a random token and an expiry (the
 * design's Users and Sessions). Five wrong passwords lock the account for
 * AUTH_LOCK_MINUTES; the failure count and lock live in users.profile. */
#ifndef MA_GAME_AUTH_H
#define MA_GAME_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "save/save.h"
#include "save/users.h"

#define AUTH_MAX_FAILURES 5
#define AUTH_LOCK_MINUTES 15
#define AUTH_SESSION_HOURS 24

/* Creates a player. password may be NULL or "" for a local player without
 * one; it is wiped after hashing. MA_ERR_CONSTRAINT when the name is taken. */
int auth_create_user(Save *s, const char *username, char *password, int64_t *id_out, Err *err);

typedef struct AuthOutcome {
    int64_t user_id;
    char token[65];          /* the new session's token (on success) */
    char expires_at[32];
    int tries_left;          /* after a wrong password */
    char locked_until[32];   /* set when the account is locked */
} AuthOutcome;

/* Signs username in at time now_ms (epoch milliseconds; tests pass their
 * own clock). password may be NULL for a player without one; it is wiped.
 * MA_OK and a session on success; MA_ERR_NOT_FOUND for no such player;
 * MA_ERR_INVALID for a wrong password (out->tries_left says how many remain);
 * MA_ERR_LOCKED while locked (out->locked_until says until when). */
int auth_sign_in(Save *s, const char *username, char *password, int64_t now_ms, AuthOutcome *out, Err *err);

/* The user of an active, unexpired session token; MA_ERR_NOT_FOUND otherwise. */
int auth_session_user(Save *s, const char *token, int64_t now_ms, int64_t *user_id, Err *err);

/* A live session of username: MA_OK when token (the plain token a client kept from its sign-in)
 * is an active, unexpired session of that player at now_ms, so that Continue needs no password;
 * MA_ERR_NOT_FOUND (and why) otherwise. */
int auth_session_resume(Save *s, const char *username, const char *token, int64_t now_ms, Err *err);
/* Deletes every session expired at now_ms, in a transaction of its own; how many in *deleted
 * (may be NULL). */
int auth_sessions_expire(Save *s, int64_t now_ms, int *deleted, Err *err);

/* Whether the player has a password. */
int auth_has_password(Save *s, const char *username, Err *err);

/* A bcrypt ($2b$, cost MAGIC_BCRYPT_COST or 11) hash of password into out; the sync server
 * uses the same rules. The caller wipes password. */
int auth_password_hash(const char *password, char *out, size_t size, Err *err);
/* Constant-time check of password against a stored bcrypt hash: 1 when it matches. */
int auth_password_matches(const char *password, const char *hash);

/* Fills buf with n random bytes from the system. */
int auth_random_bytes(void *buf, size_t n, Err *err);

#endif
