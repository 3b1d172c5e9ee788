/* api.h — the HTTP API's requests, answers and handlers (docs/sync-protocol.md).
 *
 * http.c parses, limits and routes a request, checks its bearer token, then calls one handler
 * with the body collected; a handler fills a Resp (JSON) and never touches the socket. */
#ifndef MA_SERVER_API_H
#define MA_SERVER_API_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "server.h"

typedef struct Req {
    Server *srv;
    const char *method, *path, *query; /* query: after '?', or "" */
    const char *body;                  /* NUL-terminated, may be "" */
    size_t len;
    int64_t world_id;                  /* from /v1/worlds/{id}/..., else 0 */
    int64_t user_id;                   /* the signed-in user, else 0 */
    char username[65];
    char token_hash[65];
    char client_addr[64];
} Req;

typedef struct Resp {
    int status;
    char *body; /* heap JSON text */
    size_t len;
    int retry_after; /* > 0: a Retry-After header */
} Resp;

/* Takes ownership of obj. */
void resp_json(Resp *r, int status, cJSON *obj);
/* {"error": "..."} with status. */
void resp_error(Resp *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The body as a JSON object, or NULL after answering 400 with the reason. */
cJSON *req_json_object(const Req *q, Resp *r);
/* A query parameter's value into buf; 0 when absent. */
int req_query(const Req *q, const char *name, char *buf, size_t size);
/* Maps a DB status to an answer (503 for DB_UNAVAILABLE, 500 otherwise). */
void resp_db_error(Resp *r, const Err *err);

/* The handlers (api_*.c). */
void api_health(Req *q, Resp *r);
void api_register(Req *q, Resp *r);
void api_login(Req *q, Resp *r);
void api_logout(Req *q, Resp *r);
void api_worlds_list(Req *q, Resp *r);
void api_worlds_create(Req *q, Resp *r);
void api_world_get(Req *q, Resp *r);
void api_world_invite(Req *q, Resp *r);
void api_push(Req *q, Resp *r);
void api_changes(Req *q, Resp *r);
void api_chunks_search(Req *q, Resp *r);

/* The request's world, checked with db: 1 when the user may use it (owner_only: must own it),
 * else 0 with the answer (404, 403) set. */
struct WorldAccess;
int api_world_check(Req *q, Resp *r, Db *db, int owner_only, struct WorldAccess *wa);

/* Whether text is valid UTF-8 without NUL bytes (PostgreSQL refuses both in text and JSONB). */
int json_text_acceptable(const char *s, size_t len, int max_depth, char *why, size_t why_size);

#endif
