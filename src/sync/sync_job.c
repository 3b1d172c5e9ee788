/* sync_job.c — the network side of sync: one job, run on a worker (see sync.h). It holds
 * copies in and answers out and never touches the save. */
#include "sync/sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_OPS 500              /* the server's limit of ops a push */
#define BATCH_BYTES (3u << 20)     /* under the server's 4 MiB a push, with room for the envelope */
#define PULL_PAGE 1000
/* Rows one sync pulls at most (all held in memory until taken in one transaction): past them the
 * pull stops where a page ends and the next sync goes on from there. A server that always says
 * more waits can keep a client no longer than this. */
#define PULL_MAX_ROWS 20000

SyncJob *sync_job_new(SyncJobKind kind)
{
    SyncJob *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->kind = kind;
    j->retries = 3;
    j->bad_op = -1;
    atomic_init(&j->phase, SYNC_PHASE_WAITING);
    atomic_init(&j->pushed, 0);
    atomic_init(&j->total, 0);
    atomic_init(&j->pulled, 0);
    return j;
}

void sync_job_free(SyncJob *j)
{
    if (!j)
        return;
    explicit_bzero(j->password, sizeof j->password);
    explicit_bzero(j->token, sizeof j->token);
    explicit_bzero(j->login.token, sizeof j->login.token);
    cJSON_Delete(j->world);
    cJSON_Delete(j->ops);
    cJSON_Delete(j->worlds);
    cJSON_Delete(j->results);
    cJSON_Delete(j->changes);
    free(j);
}

void sync_job_free_any(void *job) { sync_job_free(job); }

static int fail(SyncJob *j, SyncClient *c, int rc)
{
    j->rc = rc;
    j->http_status = c ? sync_client_last_status(c) : 0;
    return rc;
}

/* The index N of "ops[N]" in a 400's reason, or -1. */
static int refused_op(const char *msg)
{
    const char *p = strstr(msg, "ops[");
    if (!p)
        return -1;
    char *end;
    long n = strtol(p + 4, &end, 10);
    return end != p + 4 && *end == ']' && n >= 0 && n < 100000 ? (int)n : -1;
}

/* Pushes ops in batches (by count and size), collecting the answers; stops at a failure. */
static int push_all(SyncJob *j, SyncClient *c)
{
    int n = cJSON_GetArraySize(j->ops);
    atomic_store(&j->total, n);
    j->results = cJSON_CreateArray();
    if (!j->results)
        return fail(j, c, err_set(&j->err, MA_ERR_NOMEM, "out of memory"));
    atomic_store(&j->phase, SYNC_PHASE_PUSHING);
    int at = 0;
    while (at < n) {
        cJSON *batch = cJSON_CreateArray();
        size_t bytes = 0;
        int first = at;
        while (at < n && cJSON_GetArraySize(batch) < BATCH_OPS) {
            const cJSON *op = cJSON_GetArrayItem(j->ops, at);
            char *text = cJSON_PrintUnformatted(op);
            size_t len = text ? strlen(text) : 0;
            cJSON_free(text);
            if (cJSON_GetArraySize(batch) > 0 && bytes + len > BATCH_BYTES)
                break;
            bytes += len + 1;
            cJSON_AddItemReferenceToArray(batch, (cJSON *)op);
            at++;
        }
        cJSON *answers = NULL;
        int rc = sync_client_push(c, j->remote_id, batch, &answers, NULL, &j->err);
        cJSON_Delete(batch);
        if (rc != MA_OK) {
            if (sync_client_last_status(c) == 400) {
                int bad = refused_op(j->err.msg);
                j->bad_op = bad >= 0 && first + bad < n ? first + bad : -1;
            }
            return fail(j, c, rc);
        }
        cJSON *a;
        while ((a = cJSON_DetachItemFromArray(answers, 0)))
            cJSON_AddItemToArray(j->results, a);
        cJSON_Delete(answers);
        atomic_store(&j->pushed, at);
    }
    return MA_OK;
}

static int pull_all(SyncJob *j, SyncClient *c)
{
    atomic_store(&j->phase, SYNC_PHASE_PULLING);
    cJSON *all = cJSON_CreateArray();
    int64_t cursor = j->cursor;
    int more = 1;
    while (more) {
        cJSON *page = NULL;
        int rc = sync_client_pull(c, j->remote_id, cursor, PULL_PAGE, &page, &cursor, &more, &j->err);
        if (rc != MA_OK) {
            cJSON_Delete(all);
            return fail(j, c, rc);
        }
        cJSON *e;
        while ((e = cJSON_DetachItemFromArray(page, 0)))
            cJSON_AddItemToArray(all, e);
        cJSON_Delete(page);
        atomic_store(&j->pulled, cJSON_GetArraySize(all));
        if (more && cJSON_GetArraySize(all) >= PULL_MAX_ROWS) {
            j->more_waiting = 1;
            break;
        }
    }
    j->changes = all;
    j->cursor_out = cursor;
    return MA_OK;
}

/* CREATE_WORLD answered 409: a world of ours by that name that nothing was pushed to yet (a
 * share cut after the server made it) is taken as the one made; anything else stays refused. */
static int adopt_world(SyncJob *j, SyncClient *c)
{
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j->world, "name"));
    Err e2 = {0};
    cJSON *worlds = NULL;
    if (!name || sync_client_list_worlds(c, &worlds, &e2) != MA_OK)
        return 0;
    const cJSON *w;
    int found = 0;
    cJSON_ArrayForEach(w, worlds) {
        const char *wn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w, "name"));
        const char *role = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w, "role"));
        const cJSON *head = cJSON_GetObjectItemCaseSensitive(w, "seq_head");
        if (wn && role && strcmp(wn, name) == 0 && strcmp(role, "owner") == 0 && cJSON_IsNumber(head) &&
            head->valuedouble == 0) {
            j->new_id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(w, "id"));
            found = j->new_id > 0;
        }
    }
    cJSON_Delete(worlds);
    return found;
}

void sync_job_run(void *job, const atomic_int *cancel, void *ctx)
{
    (void)ctx;
    SyncJob *j = job;
    SyncClient *c = NULL;
    SyncClientOptions opt = {.retries = j->retries, .timeout_ms = j->timeout_ms};
    j->rc = sync_client_new(j->url, &opt, &c, &j->err);
    if (j->rc != MA_OK) {
        atomic_store(&j->phase, SYNC_PHASE_DONE);
        return;
    }
    sync_client_set_cancel(c, cancel);
    if (j->token[0])
        sync_client_set_token(c, j->token);
    int rc = MA_OK;
    switch (j->kind) {
    case SYNC_JOB_REGISTER:
        rc = sync_client_register(c, j->username, j->password, NULL, &j->err);
        break;
    case SYNC_JOB_LOGIN:
        rc = sync_client_login(c, j->username, j->password, &j->login, &j->err);
        break;
    case SYNC_JOB_CREATE_WORLD:
        rc = sync_client_create_world(c, j->world, &j->new_id, &j->err);
        if (rc == MA_ERR_CONSTRAINT && adopt_world(j, c))
            rc = MA_OK;
        break;
    case SYNC_JOB_LIST_WORLDS:
        rc = sync_client_list_worlds(c, &j->worlds, &j->err);
        break;
    case SYNC_JOB_INVITE:
        rc = sync_client_invite(c, j->remote_id, j->invitee, &j->err);
        break;
    case SYNC_JOB_SYNC:
        rc = j->ops && cJSON_GetArraySize(j->ops) > 0 ? push_all(j, c) : MA_OK;
        if (rc == MA_OK)
            rc = pull_all(j, c);
        break;
    }
    explicit_bzero(j->password, sizeof j->password);
    if (rc != MA_OK)
        fail(j, c, rc);
    else
        j->rc = MA_OK;
    sync_client_free(c);
    atomic_store(&j->phase, SYNC_PHASE_DONE);
}
