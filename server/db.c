/* db.c — the connection pool and exec helpers (see db.h). */
#include "db.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Statements prepared on one connection, by the address of their text: every statement of
 * the server is a string literal, so the address names it. */
#define DB_MAX_PREPARED 96
struct DbPrepared {
    const char *sql[DB_MAX_PREPARED];
    int n;
};

struct DbPool {
    char *conninfo;
    int size, timeout_s, prepare;
    PGconn **conns; /* NULL until first used */
    DbPrepared *prepared;
    unsigned char *busy;
    int open;
    pthread_mutex_t mu;
    pthread_cond_t freed;
};

static void noop_notice(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static int connect_one(const char *conninfo, PGconn **out, Err *err)
{
    PGconn *c = PQconnectdb(conninfo);
    if (!c)
        return err_set(err, DB_UNAVAILABLE, "out of memory connecting to PostgreSQL");
    if (PQstatus(c) != CONNECTION_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(c));
        msg[strcspn(msg, "\n")] = '\0';
        PQfinish(c);
        return err_set(err, DB_UNAVAILABLE, "cannot connect to PostgreSQL: %s", msg);
    }
    /* Quiet NOTICEs (CREATE ... IF NOT EXISTS and the like) instead of libpq printing them. */
    PQsetNoticeProcessor(c, noop_notice, NULL);
    *out = c;
    return MA_OK;
}

int db_pool_new(const char *conninfo, int size, int timeout_s, int prepare, DbPool **out, Err *err)
{
    DbPool *p = calloc(1, sizeof *p);
    if (!p || size < 1)
        return free(p), err_set(err, MA_ERR_INVALID, "DB_POOL_SIZE must be at least 1");
    p->conninfo = strdup(conninfo ? conninfo : "");
    p->size = size;
    p->timeout_s = timeout_s;
    p->prepare = prepare;
    p->conns = calloc((size_t)size, sizeof *p->conns);
    p->prepared = calloc((size_t)size, sizeof *p->prepared);
    p->busy = calloc((size_t)size, 1);
    if (!p->conninfo || !p->conns || !p->prepared || !p->busy) {
        db_pool_free(p);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->freed, NULL);
    *out = p;
    return MA_OK;
}

void db_pool_free(DbPool *p)
{
    if (!p)
        return;
    for (int i = 0; p->conns && i < p->size; i++)
        if (p->conns[i])
            PQfinish(p->conns[i]);
    free(p->conns);
    free(p->prepared);
    free(p->busy);
    free(p->conninfo);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->freed);
    free(p);
}

int db_acquire(DbPool *p, Db *out, Err *err)
{
    memset(out, 0, sizeof *out);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += p->timeout_s;
    pthread_mutex_lock(&p->mu);
    int slot = -1;
    for (;;) {
        for (int i = 0; i < p->size && slot < 0; i++)
            if (!p->busy[i])
                slot = i;
        if (slot >= 0)
            break;
        if (pthread_cond_timedwait(&p->freed, &p->mu, &until) == ETIMEDOUT) {
            pthread_mutex_unlock(&p->mu);
            return err_set(err, DB_UNAVAILABLE, "all %d database connections stayed busy for %d s (DB_POOL_TIMEOUT)",
                           p->size, p->timeout_s);
        }
    }
    p->busy[slot] = 1;
    PGconn *c = p->conns[slot];
    pthread_mutex_unlock(&p->mu);

    /* Connect or repair outside the lock: it may take a while. A new session has none of the
     * old one's prepared statements. */
    int rc = MA_OK;
    if (!c || PQstatus(c) == CONNECTION_BAD)
        p->prepared[slot].n = 0;
    if (c && PQstatus(c) == CONNECTION_BAD) {
        PQreset(c);
        if (PQstatus(c) != CONNECTION_OK) {
            PQfinish(c);
            c = NULL;
        }
    }
    if (!c) {
        rc = connect_one(p->conninfo, &c, err);
    }
    pthread_mutex_lock(&p->mu);
    if (rc != MA_OK) {
        if (p->conns[slot])
            p->open--;
        p->conns[slot] = NULL;
        p->busy[slot] = 0;
        pthread_cond_signal(&p->freed);
        pthread_mutex_unlock(&p->mu);
        return rc;
    }
    if (!p->conns[slot])
        p->open++;
    p->conns[slot] = c;
    pthread_mutex_unlock(&p->mu);
    out->conn = c;
    out->pool = p;
    out->prepared = p->prepare ? &p->prepared[slot] : NULL;
    return MA_OK;
}

void db_release(Db *db)
{
    if (!db->conn)
        return;
    if (db->in_tx)
        db_rollback(db);
    if (!db->pool) {
        db->conn = NULL;
        return;
    }
    DbPool *p = db->pool;
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < p->size; i++)
        if (p->conns[i] == db->conn) {
            p->busy[i] = 0;
            break;
        }
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->mu);
    db->conn = NULL;
}

void db_pool_stats(DbPool *p, int *size, int *open, int *busy)
{
    pthread_mutex_lock(&p->mu);
    *size = p->size;
    *open = p->open;
    int b = 0;
    for (int i = 0; i < p->size; i++)
        b += p->busy[i];
    *busy = b;
    pthread_mutex_unlock(&p->mu);
}

static int classify(const char *state)
{
    if (!state)
        return MA_ERR_DB;
    /* 23505 unique_violation, 40P01 deadlock_detected, 40001 serialization_failure */
    if (strcmp(state, "23505") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "40001") == 0)
        return DB_RETRY;
    if (strncmp(state, "23", 2) == 0)
        return MA_ERR_CONSTRAINT;
    /* 08 connection exceptions, 57P01 admin shutdown, 57P03 cannot connect now, 53 resources */
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 || strncmp(state, "53", 2) == 0)
        return DB_UNAVAILABLE;
    return MA_ERR_DB;
}

/* The prepared name of sql on this connection, preparing it the first time; NULL when it is
 * not to be prepared (no pool, DB_PREPARE=0, the table full) or preparing failed (*failed). */
static const char *prepared_name(Db *db, const char *sql, int n, char name[16], PGresult **failed)
{
    DbPrepared *ps = db->prepared;
    *failed = NULL;
    if (!ps)
        return NULL;
    for (int i = 0; i < ps->n; i++)
        if (ps->sql[i] == sql) {
            snprintf(name, 16, "ma%d", i);
            return name;
        }
    if (ps->n >= DB_MAX_PREPARED)
        return NULL;
    snprintf(name, 16, "ma%d", ps->n);
    PGresult *r = PQprepare(db->conn, name, sql, n, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        *failed = r;
        return NULL;
    }
    PQclear(r);
    ps->sql[ps->n++] = sql;
    return name;
}

/* MAGIC_SERVER_SLOW_MS: statements slower than this are logged to stderr (0: none). */
static double slow_ms(void)
{
    static double ms = -1;
    if (ms < 0) {
        const char *v = getenv("MAGIC_SERVER_SLOW_MS");
        ms = v ? atof(v) : 0;
    }
    return ms;
}

PGresult *db_exec(Db *db, const char *what, const char *sql, int n, const char *const *params, Err *err)
{
    char name[16];
    PGresult *r = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const char *stmt = prepared_name(db, sql, n, name, &r);
    if (stmt)
        r = PQexecPrepared(db->conn, stmt, n, params, NULL, NULL, 0);
    else if (!r)
        r = PQexecParams(db->conn, sql, n, NULL, params, NULL, NULL, 0);
    if (slow_ms() > 0) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
        if (ms >= slow_ms())
            fprintf(stderr, "magic-adventure-server: slow statement (%.1f ms): %s\n", ms, what);
    }
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return r;
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    int code = PQstatus(db->conn) == CONNECTION_BAD ? DB_UNAVAILABLE : classify(state);
    char msg[400];
    snprintf(msg, sizeof msg, "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(db->conn));
    msg[strcspn(msg, "\n")] = '\0';
    err_set(err, code, "%s: %s%s%s%s", what, msg, state ? " (SQLSTATE " : "", state ? state : "", state ? ")" : "");
    PQclear(r);
    return NULL;
}

int db_run(Db *db, const char *what, const char *sql, int n, const char *const *params, Err *err)
{
    PGresult *r = db_exec(db, what, sql, n, params, err);
    if (!r)
        return err->code;
    PQclear(r);
    return MA_OK;
}

int db_begin(Db *db, Err *err)
{
    int rc = db_run(db, "BEGIN", "BEGIN", 0, NULL, err);
    db->in_tx = rc == MA_OK;
    return rc;
}

int db_commit(Db *db, Err *err)
{
    db->in_tx = 0;
    return db_run(db, "COMMIT", "COMMIT", 0, NULL, err);
}

void db_rollback(Db *db)
{
    db->in_tx = 0;
    PGresult *r = PQexec(db->conn, "ROLLBACK");
    PQclear(r);
}

int db_connect(const char *conninfo, Db *out, Err *err)
{
    memset(out, 0, sizeof *out);
    return connect_one(conninfo ? conninfo : "", &out->conn, err);
}

void db_disconnect(Db *db)
{
    if (db->conn)
        PQfinish(db->conn);
    db->conn = NULL;
}
