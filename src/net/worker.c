/* worker.c — the background thread and its two queues (see worker.h). */
#include "net/worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

typedef struct Node {
    void *job;
    struct Node *next;
} Node;

typedef struct Queue {
    Node *head, *tail;
    int n;
} Queue;

struct Worker {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t job_ready, result_ready;
    Queue jobs, done;
    int running; /* a job is being run */
    int stop;
    int max_queued;
    atomic_int cancel;
    WorkerRunFn run;
    WorkerFreeFn free_job;
    void *ctx;
};

static void push(Queue *q, Node *n)
{
    n->next = NULL;
    if (q->tail)
        q->tail->next = n;
    else
        q->head = n;
    q->tail = n;
    q->n++;
}

static Node *pop(Queue *q)
{
    Node *n = q->head;
    if (n) {
        q->head = n->next;
        if (!q->head)
            q->tail = NULL;
        q->n--;
    }
    return n;
}

static void *thread_main(void *arg)
{
    Worker *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->stop && !w->jobs.head)
            pthread_cond_wait(&w->job_ready, &w->mu);
        if (w->stop)
            break;
        Node *n = pop(&w->jobs);
        w->running = 1;
        pthread_mutex_unlock(&w->mu);
        w->run(n->job, &w->cancel, w->ctx);
        pthread_mutex_lock(&w->mu);
        w->running = 0;
        push(&w->done, n);
        pthread_cond_broadcast(&w->result_ready);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

Worker *worker_new(WorkerRunFn run, WorkerFreeFn free_job, void *ctx, int max_queued)
{
    Worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->run = run;
    w->free_job = free_job;
    w->ctx = ctx;
    w->max_queued = max_queued > 0 ? max_queued : 16;
    atomic_init(&w->cancel, 0);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->job_ready, NULL);
    pthread_cond_init(&w->result_ready, NULL);
    if (pthread_create(&w->thread, NULL, thread_main, w) != 0) {
        pthread_cond_destroy(&w->job_ready);
        pthread_cond_destroy(&w->result_ready);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return NULL;
    }
    return w;
}

static void free_queue(Worker *w, Queue *q)
{
    Node *n;
    while ((n = pop(q)) != NULL) {
        if (w->free_job)
            w->free_job(n->job);
        free(n);
    }
}

void worker_free(Worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    atomic_store(&w->cancel, 1);
    pthread_cond_broadcast(&w->job_ready);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    free_queue(w, &w->jobs);
    free_queue(w, &w->done);
    pthread_cond_destroy(&w->job_ready);
    pthread_cond_destroy(&w->result_ready);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

int worker_submit(Worker *w, void *job)
{
    Node *n = malloc(sizeof *n);
    if (!n)
        return -1;
    n->job = job;
    pthread_mutex_lock(&w->mu);
    int ok = !w->stop && w->jobs.n < w->max_queued;
    if (ok) {
        push(&w->jobs, n);
        pthread_cond_signal(&w->job_ready);
    }
    pthread_mutex_unlock(&w->mu);
    if (!ok)
        free(n);
    return ok ? 0 : -1;
}

void *worker_take(Worker *w)
{
    pthread_mutex_lock(&w->mu);
    Node *n = pop(&w->done);
    pthread_mutex_unlock(&w->mu);
    if (!n)
        return NULL;
    void *job = n->job;
    free(n);
    return job;
}

int worker_wait(Worker *w, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&w->mu);
    int rc = 0;
    while (!w->done.head && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&w->result_ready, &w->mu, &until);
    int ready = w->done.head != NULL;
    pthread_mutex_unlock(&w->mu);
    return ready;
}

int worker_pending(Worker *w)
{
    pthread_mutex_lock(&w->mu);
    int n = w->jobs.n + w->done.n + w->running;
    pthread_mutex_unlock(&w->mu);
    return n;
}

int worker_busy(Worker *w)
{
    pthread_mutex_lock(&w->mu);
    int n = w->jobs.n + w->running;
    pthread_mutex_unlock(&w->mu);
    return n;
}
