/* db.h — the server's PostgreSQL connections: a fixed pool and a thin exec layer.
 *
 * DB_POOL_SIZE connections are opened lazily and shared by the HTTP threads; a thread that
 * finds none free waits up to DB_POOL_TIMEOUT seconds, then gets a 503. A connection that
 * broke (server restarted, pgbouncer recycled it) is reset when next taken.
 * All SQL of the server lives in server/db_*.c; other files call their typed functions.
 * Each statement is prepared once per connection (planning the long ones costs more than
 * running them); DB_PREPARE=0 turns that off for poolers that cannot keep prepared statements
 * (pgbouncer's transaction pooling before 1.21; session pooling is fine). */
#ifndef MA_SERVER_DB_H
#define MA_SERVER_DB_H

#include <libpq-fe.h>

#include "util/err.h"

/* A status the push loop handles by rolling back and running the batch again: a unique
 * violation from a concurrent insert, a deadlock, a serialization failure. */
#define DB_RETRY (-100)
/* The database could not be reached or the pool stayed busy: answer 503. */
#define DB_UNAVAILABLE (-101)

typedef struct DbPool DbPool;

typedef struct DbPrepared DbPrepared;

/* One borrowed connection. */
typedef struct Db {
    PGconn *conn;
    DbPool *pool;
    DbPrepared *prepared; /* NULL: unnamed statements only */
    int in_tx;
} Db;

/* conninfo: a URL or key=value string (libpq's; empty uses the PG* environment). prepare:
 * prepare each statement once per connection and reuse its plan (DB_PREPARE=1, the default);
 * 0 sends every statement unnamed, as pgbouncer's transaction pooling before 1.21 needs. */
int db_pool_new(const char *conninfo, int size, int timeout_s, int prepare, DbPool **out, Err *err);
void db_pool_free(DbPool *p);

/* Takes a connection, waiting up to the pool timeout: MA_OK, or DB_UNAVAILABLE with err. */
int db_acquire(DbPool *p, Db *out, Err *err);
/* Gives it back (rolling back a transaction left open). */
void db_release(Db *db);

/* Runs sql with n text parameters (NULL = SQL NULL). Returns the result (PGRES_COMMAND_OK or
 * PGRES_TUPLES_OK) for the caller to PQclear, or NULL with err set: code DB_RETRY for the
 * retryable SQLSTATEs, DB_UNAVAILABLE when the connection is gone, MA_ERR_CONSTRAINT for other
 * integrity violations, MA_ERR_DB otherwise. what names the statement in the message. */
PGresult *db_exec(Db *db, const char *what, const char *sql, int n, const char *const *params, Err *err);
/* The same for statements whose result is not needed. */
int db_run(Db *db, const char *what, const char *sql, int n, const char *const *params, Err *err);

int db_begin(Db *db, Err *err);
int db_commit(Db *db, Err *err);
void db_rollback(Db *db);

/* Opens one connection outside any pool (migrate, report, bench's row count). */
int db_connect(const char *conninfo, Db *out, Err *err);
void db_disconnect(Db *db);

/* Pool figures for the health answer. */
void db_pool_stats(DbPool *p, int *size, int *open, int *busy);

#endif
