/* sync_session.c — the client's sync in the background (see sync.h): one worker thread
 * (src/net/worker.c) runs the network job; this file, on the main thread, prepares it and takes
 * its result, each in a transaction of its own between the player's actions. */
#include "sync/sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/http.h"
#include "net/worker.h"

struct SyncSession {
    Save *s;
    World *w;
    int64_t world_id;
    int64_t playing;
    Worker *worker;
    SyncJob *running; /* borrowed view of the job in flight (the worker owns it until taken) */
    time_t last_start;
    char line[160];   /* the state line, read from the save at most once a second or when it changed */
    int conflicts;
    uint64_t line_at_ms; /* 0: to be read again */
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void sync_session_changed(SyncSession *ss)
{
    if (ss)
        ss->line_at_ms = 0;
}

SyncSession *sync_session_open(Save *s, World *w, int64_t playing)
{
    Err quiet = {0};
    if (synclog_world_is_synced(s, world_id(w), &quiet) != 1)
        return NULL;
    SyncSession *ss = calloc(1, sizeof *ss);
    if (!ss)
        return NULL;
    ss->s = s;
    ss->w = w;
    ss->world_id = world_id(w);
    ss->playing = playing;
    http_global_init(); /* libcurl's set-up, here on the main thread, before the worker's first request */
    ss->worker = worker_new(sync_job_run, sync_job_free_any, NULL, 1);
    if (!ss->worker) {
        free(ss);
        return NULL;
    }
    return ss;
}

void sync_session_close(SyncSession *ss)
{
    if (!ss)
        return;
    worker_free(ss->worker); /* cancels the request in flight; its sealed ops wait in the log */
    free(ss);
}

int sync_session_busy(const SyncSession *ss) { return ss && ss->running != NULL; }

int sync_session_start(SyncSession *ss, Err *err)
{
    if (ss->running)
        return 1;
    SyncPlan plan = {0};
    int rc = save_begin(ss->s, err);
    if (rc == MA_OK) {
        rc = sync_prepare(ss->s, ss->world_id, &plan, err);
        if (rc == MA_OK)
            rc = save_commit(ss->s, err);
        if (rc != MA_OK)
            save_rollback(ss->s);
    }
    if (rc != MA_OK) {
        sync_plan_clear(&plan);
        return rc;
    }
    SyncJob *j = sync_plan_job(&plan);
    sync_plan_clear(&plan);
    if (!j)
        return err_set(err, MA_ERR_NOMEM, "out of memory starting a sync");
    j->retries = 1;
    j->timeout_ms = 20000;
    if (worker_submit(ss->worker, j) != 0) {
        sync_job_free(j);
        return 1;
    }
    ss->running = j;
    ss->last_start = time(NULL);
    ss->line_at_ms = 0;
    return 0;
}

int sync_session_maybe(SyncSession *ss, long every_s, Err *err)
{
    if (!ss || ss->running || time(NULL) - ss->last_start < every_s)
        return 0;
    int waiting = 0, sent = 0;
    if (synclog_count(ss->s, ss->world_id, &waiting, &sent, err) != MA_OK || waiting + sent == 0)
        return 0;
    int rc = sync_session_start(ss, err);
    return rc < 0 ? rc : 0;
}

int sync_session_poll(SyncSession *ss, SyncReport *rep, char *note, size_t size, Err *err)
{
    if (note && size)
        note[0] = '\0';
    if (!ss || !ss->running)
        return 0;
    SyncJob *j = worker_take(ss->worker);
    if (!j)
        return 0;
    ss->running = NULL;
    int rc = save_begin(ss->s, err);
    if (rc == MA_OK) {
        rc = sync_take(ss->s, ss->w, j, ss->playing, rep, err);
        if (rc == MA_OK)
            rc = save_commit(ss->s, err);
        if (rc != MA_OK) {
            save_rollback(ss->s);
            world_forget(ss->w);
        }
    }
    if (rc == MA_OK && j->rc != MA_OK && note)
        snprintf(note, size, "%s", j->err.msg);
    sync_job_free(j);
    ss->line_at_ms = 0;
    return rc == MA_OK ? 1 : rc;
}

void sync_session_line(SyncSession *ss, char *buf, size_t size)
{
    if (ss && ss->running) {
        int total = atomic_load(&ss->running->total), pushed = atomic_load(&ss->running->pushed);
        int phase = atomic_load(&ss->running->phase);
        if (phase == SYNC_PHASE_PULLING)
            snprintf(buf, size, "pulling");
        else if (phase == SYNC_PHASE_PUSHING && total > 0)
            snprintf(buf, size, "sending %d/%d", pushed, total);
        else
            snprintf(buf, size, "connecting");
        return;
    }
    uint64_t now = now_ms();
    if (!ss->line_at_ms || now - ss->line_at_ms >= 1000) {
        sync_status_line(ss->s, ss->world_id, (long long)time(NULL), ss->line, sizeof ss->line);
        Err quiet = {0};
        int n = synclog_conflict_count(ss->s, ss->world_id, &quiet);
        ss->conflicts = n < 0 ? 0 : n;
        ss->line_at_ms = now;
    }
    snprintf(buf, size, "%s", ss->line);
}

int sync_session_conflicts(SyncSession *ss)
{
    if (!ss)
        return 0;
    char line[160];
    sync_session_line(ss, line, sizeof line);
    return ss->conflicts;
}
