/* worker.h — one background thread with a job queue and a result queue.
 *
 * The main thread submits jobs (plain data the caller defines) and takes them
 * back once done, without ever waiting on the network: worker_take does not
 * block. The worker runs each job with the function given at creation, in
 * order, one at a time; that function gets a cancel flag to pass on to the
 * request it makes. Only the main thread touches the game and the save: a
 * job carries copies in, and answers out.
 *
 * worker_free cancels what is in flight (the request stops within a fraction
 * of a second), joins the thread and frees every job still queued or done. */
#ifndef MA_NET_WORKER_H
#define MA_NET_WORKER_H

#include <stdatomic.h>

typedef struct Worker Worker;

/* run(job, cancel, ctx) fills the job's answer; it runs on the worker thread. */
typedef void (*WorkerRunFn)(void *job, const atomic_int *cancel, void *ctx);
typedef void (*WorkerFreeFn)(void *job);

/* A worker whose queue holds at most max_queued jobs not yet run. NULL when
 * the thread cannot start. */
Worker *worker_new(WorkerRunFn run, WorkerFreeFn free_job, void *ctx, int max_queued);
/* Cancels, joins, frees every job left. NULL is fine. */
void worker_free(Worker *w);
/* Queues job (taken on success). -1 when the queue is full or the worker is
 * stopping: the caller still owns job. */
int worker_submit(Worker *w, void *job);
/* A finished job (the caller owns it now), or NULL when none is done yet. */
void *worker_take(Worker *w);
/* Waits at most timeout_ms for a finished job to be ready; 1 when one is. */
int worker_wait(Worker *w, int timeout_ms);
/* Jobs queued, running or done and not yet taken. */
int worker_pending(Worker *w);
/* Jobs queued or running (not yet done). */
int worker_busy(Worker *w);

#endif
