/* sync_client.h — the client side of the sync protocol (docs/sync-protocol.md), over
 * src/net/http.c (libcurl, loaded with dlopen on first use: the game does not link it).
 *
 * One SyncClient talks to one server and keeps its connection open between requests. It is
 * not shared between threads: the game runs it on its network worker (network work never runs
 * on the main thread) and passes results back through the worker's queue. No ncurses, no
 * SQLite: it moves JSON and reports what happened.
 *
 * Every call returns MA_OK or a negative MaStatus with err->msg saying what went wrong in words
 * a player can act on ("cannot reach the sync server at http://...: connection refused — is it
 * running?", "the server refused the token (401): log in again"). sync_client_last_status gives
 * the HTTP status of the last answer (0 when none came) for callers that branch on it.
 *   MA_ERR_IO         the server could not be reached, timed out, or stayed busy (5xx, 429)
 *   MA_ERR_INVALID    400 (the reason is in the message), 401, 403, 413
 *   MA_ERR_NOT_FOUND  404 (no such world, no such player)
 *   MA_ERR_CONSTRAINT 409 (a name is taken)
 *   MA_ERR_LOCKED     423 (too many wrong passwords)
 * Connection failures, timeouts, 429 and 5xx answers are retried with exponential backoff
 * (honouring Retry-After) for requests that are safe to repeat — a push is, since the server
 * applies each op id once. */
#ifndef MA_NET_SYNC_CLIENT_H
#define MA_NET_SYNC_CLIENT_H

#include <stdatomic.h>
#include <stdint.h>

#include <cJSON.h>

#include "util/err.h"

typedef struct SyncClient SyncClient;

typedef struct SyncClientOptions {
    long connect_timeout_ms; /* default 5,000 */
    long timeout_ms;         /* a whole request, default 30,000 */
    int retries;             /* extra tries after a retryable failure, default 3 */
    long backoff_ms;         /* the first wait, doubled each time (with jitter), default 200 */
    const char *ca_file;     /* PEM certificates to trust for https (NULL: the system's) */
} SyncClientOptions;

/* base_url: "http://127.0.0.1:8787" or "https://host". opt may be NULL for the defaults. */
int sync_client_new(const char *base_url, const SyncClientOptions *opt, SyncClient **out, Err *err);
void sync_client_free(SyncClient *c);

/* The bearer token sent with every request (login sets it). NULL forgets it. */
void sync_client_set_token(SyncClient *c, const char *token);
const char *sync_client_token(const SyncClient *c);
/* A flag another thread may set to stop the request in flight and any retry (the worker's). */
void sync_client_set_cancel(SyncClient *c, const atomic_int *cancel);
/* The HTTP status of the last answer; 0 when no answer came. */
int sync_client_last_status(const SyncClient *c);
/* How many times the last request was sent (1 when it was not retried). */
int sync_client_last_attempts(const SyncClient *c);

/* GET /v1/health. *info (may be NULL) receives the answer; the caller frees it. */
int sync_client_health(SyncClient *c, cJSON **info, Err *err);

/* POST /v1/register. email may be NULL. */
int sync_client_register(SyncClient *c, const char *username, const char *password, const char *email, Err *err);

typedef struct SyncLogin {
    char token[65];
    char expires_at[40];
    int64_t user_id;
    int tries_left;       /* after a wrong password, else -1 */
    char locked_until[40]; /* when locked (MA_ERR_LOCKED) */
} SyncLogin;

/* POST /v1/login; on success the client keeps the token. out may be NULL. */
int sync_client_login(SyncClient *c, const char *username, const char *password, SyncLogin *out, Err *err);
/* POST /v1/logout: the token stops working; the client forgets it. */
int sync_client_logout(SyncClient *c, Err *err);

/* POST /v1/worlds with {"name","seed","world_type","settings","metadata"}: shares a world. */
int sync_client_create_world(SyncClient *c, const cJSON *world, int64_t *id, Err *err);
/* GET /v1/worlds: the worlds this user may use (caller frees *worlds, a list). */
int sync_client_list_worlds(SyncClient *c, cJSON **worlds, Err *err);
/* POST /v1/worlds/{id}/members: the owner invites a player. */
int sync_client_invite(SyncClient *c, int64_t world, const char *username, Err *err);

/* POST /v1/worlds/{id}/push with ops (a list). *results (caller frees) is the list of answers,
 * one per op, in order; *seq_head (may be NULL) the world's last change number (-1 when the
 * push changed nothing). */
int sync_client_push(SyncClient *c, int64_t world, const cJSON *ops, cJSON **results, int64_t *seq_head, Err *err);

/* GET /v1/worlds/{id}/changes?since=&limit=: *changes (caller frees) in sequence order,
 * *cursor the value to pass as since next time, *more whether more are waiting. */
int sync_client_pull(SyncClient *c, int64_t world, int64_t since, int limit, cJSON **changes, int64_t *cursor,
                     int *more, Err *err);

/* The same, limited to what happens within radius chunks of chunk (cx, cz) and to this user's
 * own characters, relationships, quests and choices (plus the world's row and evolution log).
 * since 0 with a new place gives the latest state of every chunk stored around it. */
int sync_client_pull_near(SyncClient *c, int64_t world, int64_t since, int limit, int cx, int cz, int radius,
                          cJSON **changes, int64_t *cursor, int *more, Err *err);

/* GET /v1/worlds/{id}/chunks?block=NAME or ?entity=ID (one may be NULL): [[cx,cy,cz],...]. */
int sync_client_find_chunks(SyncClient *c, int64_t world, const char *block, const char *entity, cJSON **chunks,
                            Err *err);

/* A fresh op id into buf: a UUID version 7 (36 characters; time-ordered, then random), so that
 * ids sort in the order they were made. */
char *sync_client_new_op_id(char buf[37]);

#endif
