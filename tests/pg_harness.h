/* pg_harness.h — a real PostgreSQL and a real sync server for the server's tests.
 *
 * pg_harness_start makes a cluster with initdb in a new temporary directory (as the `postgres`
 * user the package creates when running as root, since initdb refuses root), starts it with
 * TCP off (a Unix socket in that directory only), creates the database and migrates it with
 * the built magic-adventure-server ($MAGIC_SERVER_EXE). One cluster per test program, reused
 * by its tests; pg_harness_stop stops it and removes the directory. When PostgreSQL is not
 * installed it returns PG_HARNESS_SKIP with the reason (the test program then exits 77, which
 * meson reports as skipped). */
#ifndef MA_TESTS_PG_HARNESS_H
#define MA_TESTS_PG_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PG_HARNESS_SKIP 77

typedef struct PgHarness {
    char dir[256];
    char url[600];
    char bindir[256];
    int as_postgres;
    int running;
} PgHarness;

/* 0 when running; PG_HARNESS_SKIP or -1 with why filled. */
int pg_harness_start(PgHarness *h, char *why, size_t why_size);
void pg_harness_stop(PgHarness *h);

/* Runs sql on the test database. Returns the first column of the first row as heap text
 * ("" when there is no row), or NULL on error (printed). */
char *pg_query(const PgHarness *h, const char *sql);
/* The same as a number (-1 on error). */
long long pg_query_int(const PgHarness *h, const char *sql);

typedef struct ServerProc {
    pid_t pid;
    int port;
    char url[64];
    char log[320];
} ServerProc;

/* Starts magic-adventure-server serve on 127.0.0.1:port (0: a free port) against h, with extra
 * environment entries ("NAME=value", NULL-terminated, may be NULL) and extra arguments (may be
 * NULL); waits for its "listening on" line. 0 or -1 with why. */
int server_proc_start(ServerProc *s, const PgHarness *h, int port, const char *const *env, const char *const *args,
                      char *why, size_t why_size);
/* SIGTERM and wait (SIGKILL after 5 s). */
void server_proc_stop(ServerProc *s);
/* kill -9 and wait. */
void server_proc_kill9(ServerProc *s);

/* For a test program's group setup: starts h and then s (on a free port, with MAGIC_SERVER_RATE
 * set to rate), or exits: 77 (skipped) when PostgreSQL is not installed, 1 on any other failure,
 * saying why on stderr. */
void pg_harness_start_server_or_exit(PgHarness *h, ServerProc *s, const char *rate);
/* Stops s, then h. */
void pg_harness_stop_server(PgHarness *h, ServerProc *s);

/* Runs magic-adventure-server with args (NULL-terminated) against h; returns the exit status and
 * the output (stdout and stderr, heap) in *out. */
int server_run(const PgHarness *h, char **out, const char *arg0, ...);

/* A sync client signed in as name (registered first when the name is new); fails the test
 * otherwise. retries: the client's retry count. */
struct SyncClient;
struct SyncClient *harness_client(const char *url, const char *name, int retries);
/* Shares a new world named name (flat, a fixed seed) from c; returns its server id. */
int64_t harness_share_world(struct SyncClient *c, const char *name);

#endif
