/* api_sync.c — push and pull (docs/sync-protocol.md). */
#include "api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_sync.h"
#include "db_users.h"
#include "push.h"
#include "sync_ops.h"

#define PUSH_ATTEMPTS 8

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

void api_push(Req *q, Resp *r)
{
    char why[160];
    if (!json_text_acceptable(q->body, q->len, SERVER_MAX_DEPTH, why, sizeof why)) {
        resp_error(r, 400, "%s", why);
        return;
    }
    SyncBatch *b = NULL;
    Err err = {0};
    if (sync_batch_parse(q->body, q->len, q->srv->blocks, &b, &err) != MA_OK) {
        resp_error(r, err.code == MA_ERR_NOMEM ? 500 : 400, "%s", err.msg);
        return;
    }
    Db db;
    if (db_acquire(q->srv->pool, &db, &err) != MA_OK) {
        resp_db_error(r, &err);
        sync_batch_free(b);
        return;
    }
    WorldAccess wa;
    if (!api_world_check(q, r, &db, 0, &wa)) {
        db_release(&db);
        sync_batch_free(b);
        return;
    }
    cJSON *answer = NULL;
    int rc = MA_OK;
    for (int attempt = 0; attempt < PUSH_ATTEMPTS; attempt++) {
        err_clear(&err);
        rc = db_begin(&db, &err);
        if (rc == MA_OK)
            rc = push_apply(q->srv, &db, q->world_id, q->user_id, &wa, b, &answer, &err);
        if (rc == MA_OK)
            rc = db_commit(&db, &err);
        else
            db_rollback(&db);
        if (rc != DB_RETRY)
            break;
        /* Another push got to a row first: run the batch again on what it left. */
        cJSON_Delete(answer);
        answer = NULL;
        sleep_ms(1 + rand() % (2 << attempt));
    }
    db_release(&db);
    sync_batch_free(b);
    if (rc == MA_OK) {
        resp_json(r, 200, answer);
    } else if (rc == DB_RETRY) {
        cJSON_Delete(answer);
        r->retry_after = 1;
        resp_error(r, 503, "the world is busy (%d tries): send the same batch again (%s)", PUSH_ATTEMPTS, err.msg);
    } else {
        cJSON_Delete(answer);
        resp_db_error(r, &err);
    }
}

static int query_int(const Req *q, Resp *r, const char *name, int64_t lo, int64_t hi, int64_t def, int64_t *out)
{
    char buf[32];
    *out = def;
    if (!req_query(q, name, buf, sizeof buf))
        return 1;
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (!buf[0] || *end || v < lo || v > hi) {
        resp_error(r, 400, "%s=%s: must be a whole number %" PRId64 "..%" PRId64, name, buf, lo, hi);
        return 0;
    }
    *out = v;
    return 1;
}

void api_changes(Req *q, Resp *r)
{
    int64_t since, limit;
    if (!query_int(q, r, "since", 0, INT64_C(1) << 53, 0, &since) || !query_int(q, r, "limit", 1, 1000, 100, &limit))
        return;
    char near_text[64];
    SyncArea area, *near = NULL;
    if (req_query(q, "near", near_text, sizeof near_text)) {
        int cx, cz, radius;
        char tail;
        if (sscanf(near_text, "%d,%d,%d%c", &cx, &cz, &radius, &tail) != 3 || radius < 0 || radius > 64 ||
            cx < -SYNC_CHUNK_XZ_MAX || cx > SYNC_CHUNK_XZ_MAX || cz < -SYNC_CHUNK_XZ_MAX || cz > SYNC_CHUNK_XZ_MAX) {
            resp_error(r, 400, "near=%s: write CX,CZ,RADIUS in chunks (radius 0 to 64)", near_text);
            return;
        }
        area.x0 = cx - radius;
        area.x1 = cx + radius;
        area.z0 = cz - radius;
        area.z1 = cz + radius;
        near = &area;
    }
    Db db;
    Err err = {0};
    if (db_acquire(q->srv->pool, &db, &err) != MA_OK) {
        resp_db_error(r, &err);
        return;
    }
    WorldAccess wa;
    if (api_world_check(q, r, &db, 0, &wa)) {
        char *list = NULL;
        int more = 0;
        int64_t head = 0, cursor = since;
        if (db_sync_changes(&db, q->world_id, since, (int)limit, near, q->user_id, &list, &cursor, &more, &head, &err) !=
            MA_OK) {
            resp_db_error(r, &err);
        } else {
            /* The rows come from PostgreSQL as JSON text: wrapped, not parsed and printed again. */
            size_t n = strlen(list) + 128;
            char *body = malloc(n);
            if (!body) {
                resp_error(r, 500, "out of memory");
            } else {
                r->status = 200;
                r->len = (size_t)snprintf(body, n, "{\"changes\":%s,\"cursor\":%" PRId64 ",\"more\":%s,\"seq_head\":%" PRId64 "}",
                                          list, cursor, more ? "true" : "false", head);
                free(r->body);
                r->body = body;
            }
            free(list);
        }
    }
    db_release(&db);
}
