/* sync_take.c — a finished sync taken into the save (sync_take): each answer off the change
 * log (conflicts kept, the server's row written), then what was pulled (sync_pull.c), the
 * cursor, and the try noted for `sync status` and the sidebar. See sync.h. */
#include "sync/sync_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void place_of_block(const cJSON *op, const cJSON *k, char *place, size_t size, int32_t w[3])
{
    int32_t at[3] = {0, 0, 0};
    (void)sync_chunk_coords(cJSON_GetObjectItemCaseSensitive(op, "chunk"), at); /* our own op's */
    int32_t cx = at[0], cy = at[1], cz = at[2];
    /* The cell in the chunk is the server's word: kept inside the chunk. */
    static const char *const axis[3] = {"x", "y", "z"};
    for (int i = 0; i < 3; i++) {
        int64_t v = sync_jint(k, axis[i], 0);
        w[i] = at[i] * 16 + (int32_t)(v < 0 ? 0 : v > 15 ? 15 : v);
    }
    const char *what = sync_jstr(k, "what");
    if (what && strcmp(what, "entity") == 0)
        snprintf(place, size, "entity %s in chunk %d,%d,%d", sync_jstr(k, "id") ? sync_jstr(k, "id") : "?", cx, cy, cz);
    else
        snprintf(place, size, "%s %d,%d,%d", what && strcmp(what, "meta") == 0 ? "chest or sign at" : "block", w[0],
                 w[1], w[2]);
}

/* Whether a villager's op and the server's row differ only where villagers differ between
 * games (where they stand, what they are called after a clash of names). */
static int same_villager(const cJSON *op, const cJSON *server)
{
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(op, "npc")) || !cJSON_IsObject(server))
        return 0;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(op, "deleted")) != cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(server, "deleted")))
        return 0;
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(op, "character"), *b = cJSON_GetObjectItemCaseSensitive(server, "character");
    static const char *const fields[] = {"character_class", "level", "experience", "stats"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, fields[i]), *y = cJSON_GetObjectItemCaseSensitive(b, fields[i]);
        if (!x || !y || !cJSON_Compare(x, y, 1))
            return 0;
    }
    return 1;
}

/* One answer: the op off the log, its conflicts kept, the server's row taken. */
static int take_answer(SyncCtx *c, const cJSON *op, const cJSON *answer, Err *err)
{
    const char *op_id = sync_jstr(op, "id");
    const char *kind = sync_jstr(op, "kind");
    if (!op_id || !kind)
        return MA_OK;
    SyncLogRow row;
    Err quiet = {0};
    if (synclog_find_op(c->s, c->world_id, op_id, &row, &quiet) != MA_OK)
        return quiet.code == MA_ERR_NOT_FOUND ? MA_OK : ((*err = quiet).code); /* taken before */
    int64_t log_id = row.id;
    synclog_row_clear(&row);
    const char *status = sync_jstr(answer, "status");
    if (status && strcmp(status, "duplicate") == 0) {
        const cJSON *first = cJSON_GetObjectItemCaseSensitive(answer, "first");
        if (cJSON_IsObject(first)) {
            answer = first;
            status = sync_jstr(answer, "status");
        }
    }
    if (!status)
        status = "rejected";
    int rc = MA_OK;
    if (c->rep)
        c->rep->pushed++;
    if (strcmp(status, "applied") == 0) {
        if (c->rep)
            c->rep->applied++;
        /* A character applied as sent: the server's row is ours at that version. (Chunks and
         * histories are merged there: their versions come with the next pull.) */
        if (strcmp(kind, "character") == 0 && sync_jstr(op, "key")) {
            int64_t id = 0;
            if (synclog_key_find(c->s, c->world_id, sync_jstr(op, "key"), &id, NULL, &quiet) == MA_OK)
                rc = synclog_key_set(c->s, id, c->world_id, sync_jstr(op, "key"), sync_jint(answer, "version", 0), err);
        }
    } else if (strcmp(status, "conflict") == 0) {
        if (c->rep)
            c->rep->conflicts++;
        if (strcmp(kind, "chunk_edit") == 0) {
            const cJSON *k;
            cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(answer, "conflicts")) {
                char place[160];
                int32_t w[3];
                place_of_block(op, k, place, sizeof place, w);
                cJSON *d = cJSON_Duplicate(k, 1);
                cJSON_AddItemToObject(d, "chunk", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(op, "chunk"), 1));
                cJSON *at = cJSON_AddArrayToObject(d, "at");
                for (int i = 0; i < 3; i++)
                    cJSON_AddItemToArray(at, cJSON_CreateNumber(w[i]));
                const char *what = sync_jstr(k, "what");
                rc = synclog_conflict_add(c->s, c->world_id, op_id, what && (strcmp(what, "meta") == 0 || strcmp(what, "entity") == 0) ? what : "block",
                                          place, d, err);
                cJSON_Delete(d);
                if (rc != MA_OK)
                    break;
                if (c->rep)
                    c->rep->new_conflicts++;
            }
        } else if (strcmp(kind, "character") == 0 && same_villager(op, cJSON_GetObjectItemCaseSensitive(answer, "server"))) {
            /* Two games met the same villager: the server's row is the same person. */
            if (c->rep)
                c->rep->conflicts--, c->rep->applied++;
        } else {
            char place[160];
            const char *key = sync_jstr(op, "key");
            const cJSON *q = cJSON_GetObjectItemCaseSensitive(op, "quest");
            if (strcmp(kind, "character") == 0) {
                const char *name = sync_jstr(cJSON_GetObjectItemCaseSensitive(op, "character"), "name");
                snprintf(place, sizeof place, "%s %s", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(op, "npc")) ? "villager" : "character",
                         name ? name : key ? key : "?");
            } else if (strcmp(kind, "quest_progress") == 0) {
                snprintf(place, sizeof place, "quest %s", sync_jstr(q, "title") ? sync_jstr(q, "title") : "?");
            } else {
                snprintf(place, sizeof place, "%s", kind);
            }
            cJSON *d = cJSON_CreateObject();
            cJSON_AddItemToObject(d, "yours", cJSON_Duplicate(op, 1));
            const cJSON *srv = cJSON_GetObjectItemCaseSensitive(answer, "server");
            cJSON_AddItemToObject(d, "server", srv ? cJSON_Duplicate(srv, 1) : cJSON_CreateNull());
            const cJSON *ks = cJSON_GetObjectItemCaseSensitive(answer, "conflicts");
            if (ks)
                cJSON_AddItemToObject(d, "conflicts", cJSON_Duplicate(ks, 1));
            rc = synclog_conflict_add(c->s, c->world_id, op_id,
                                      strcmp(kind, "character") == 0 || strcmp(kind, "quest_progress") == 0 ||
                                              strcmp(kind, "world") == 0 ? kind : "rejected",
                                      place, d, err);
            cJSON_Delete(d);
            if (rc == MA_OK && c->rep)
                c->rep->new_conflicts++;
        }
    } else {
        if (c->rep)
            c->rep->rejected++;
        char place[160];
        snprintf(place, sizeof place, "%s refused: %.120s", kind, sync_jstr(answer, "reason") ? sync_jstr(answer, "reason") : "no reason given");
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "reason", sync_jstr(answer, "reason") ? sync_jstr(answer, "reason") : "");
        cJSON_AddItemToObject(d, "yours", cJSON_Duplicate(op, 1));
        rc = synclog_conflict_add(c->s, c->world_id, op_id, "rejected", place, d, err);
        cJSON_Delete(d);
        if (rc == MA_OK && c->rep)
            c->rep->new_conflicts++;
    }
    if (rc == MA_OK)
        rc = synclog_drop(c->s, log_id, err);
    /* The server's row stands: take it (with the op off the log, so that its edits are not laid
     * over the server's again). */
    const cJSON *srv = cJSON_GetObjectItemCaseSensitive(answer, "server");
    if (rc == MA_OK && strcmp(status, "conflict") == 0 && cJSON_IsObject(srv)) {
        cJSON *copy = cJSON_Duplicate(srv, 1);
        if (!cJSON_GetObjectItemCaseSensitive(copy, "kind"))
            cJSON_AddStringToObject(copy, "kind", strcmp(kind, "chunk_edit") == 0 ? "chunk" : kind);
        rc = sync_apply_row(c, copy, err);
        cJSON_Delete(copy);
    }
    return rc;
}

/* An op the server refused whole (400): kept as a rejected conflict and taken off the log, so
 * that the ops after it can go. */
static int take_refused(SyncCtx *c, const cJSON *op, const char *reason, Err *err)
{
    cJSON *answer = cJSON_CreateObject();
    cJSON_AddStringToObject(answer, "status", "rejected");
    cJSON_AddStringToObject(answer, "reason", reason);
    int rc = take_answer(c, op, answer, err);
    cJSON_Delete(answer);
    return rc;
}

int sync_take(Save *s, World *w, SyncJob *job, int64_t playing, SyncReport *rep, Err *err)
{
    SyncReport local;
    if (!rep)
        rep = &local;
    memset(rep, 0, sizeof *rep);
    SyncCtx c = {.s = s, .w = w, .world_id = world_id(w), .playing = playing, .rep = rep};
    int rc = synclog_world_get(s, c.world_id, &c.sw, err);
    if (rc == MA_OK)
        rc = synclog_account_get(s, c.sw.account_id, &c.account, err);
    if (rc != MA_OK)
        return rc;
    /* What comes from the server is not a change of ours to push back. */
    if ((rc = world_flush(w, err)) != MA_OK || (rc = synclog_world_applying(s, c.world_id, 1, err)) != MA_OK)
        return rc;
    int n = cJSON_GetArraySize(job->results);
    for (int i = 0; rc == MA_OK && i < n; i++)
        rc = take_answer(&c, cJSON_GetArrayItem(job->ops, i), cJSON_GetArrayItem(job->results, i), err);
    if (rc == MA_OK && job->rc != MA_OK && job->bad_op >= 0)
        rc = take_refused(&c, cJSON_GetArrayItem(job->ops, job->bad_op), job->err.msg, err);
    if (rc == MA_OK && job->rc == MA_OK && job->changes) {
        rep->pulled = cJSON_GetArraySize(job->changes);
        rep->more_waiting = job->more_waiting;
        rc = sync_take_pull(&c, job->changes, err);
        if (rc == MA_OK && job->cursor_out > c.sw.cursor)
            rc = synclog_world_set_cursor(s, c.world_id, job->cursor_out, err);
    }
    if (rc == MA_OK)
        rc = synclog_world_applying(s, c.world_id, 0, err);
    world_forget(w); /* its chunks are read again from the save */
    if (rc != MA_OK)
        return rc;
    /* The try, for `sync status` and the sidebar; a token the server refused is forgotten. */
    if (job->rc != MA_OK) {
        /* Unreachable, or busy past every retry: "offline" (the sidebar says so); else refused. */
        rep->offline = job->http_status == 0 || job->http_status == 429 || job->http_status >= 500;
        if (job->http_status == 401 && (rc = synclog_account_forget_token(s, c.account.id, err)) != MA_OK)
            return rc;
        char msg[512];
        if (job->http_status == 401)
            snprintf(msg, sizeof msg, "%s — log in again: magic-adventure sync login --server %s --user %s",
                     job->err.msg, c.account.server_url, c.account.username);
        else
            snprintf(msg, sizeof msg, "%s%s", rep->offline ? "offline: " : "", job->err.msg);
        rc = synclog_world_note(s, c.world_id, msg, err);
    } else {
        rc = synclog_world_note(s, c.world_id, NULL, err);
    }
    if (rc == MA_OK)
        rc = synclog_count(s, c.world_id, &rep->waiting, NULL, err);
    if (rc == MA_OK) {
        int sent = 0;
        rc = synclog_count(s, c.world_id, NULL, &sent, err);
        rep->waiting += sent;
    }
    return rc;
}
