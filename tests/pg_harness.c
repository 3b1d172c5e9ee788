/* pg_harness.c — see pg_harness.h. */
#include "pg_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <pwd.h>

#include <libpq-fe.h>

#include "helpers.h"
#include "net/sync_client.h"

#define PG_PORT 5432 /* only names the socket file: TCP is off */

/* Servers started and not stopped yet: a test that fails half-way leaves its servers to
 * pg_harness_stop, which kills them, instead of leaving them running. */
#define MAX_SERVERS 32
static pid_t started[MAX_SERVERS];

static void remember(pid_t pid, int add)
{
    for (int i = 0; i < MAX_SERVERS; i++)
        if (add ? started[i] == 0 : started[i] == pid) {
            started[i] = add ? pid : 0;
            return;
        }
}

static int run_cmd(const char *cmd, char *why, size_t size)
{
    int st = system(cmd);
    if (st != 0) {
        snprintf(why, size, "command failed (status %d): %s", st, cmd);
        return -1;
    }
    return 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int pg_harness_start(PgHarness *h, char *why, size_t size)
{
    memset(h, 0, sizeof h[0]);
    const char *bin = getenv("MAGIC_PG_BINDIR");
    snprintf(h->bindir, sizeof h->bindir, "%s", bin ? bin : "/usr/lib/postgresql/15/bin");
    char initdb[400];
    snprintf(initdb, sizeof initdb, "%s/initdb", h->bindir);
    if (access(initdb, X_OK) != 0) {
        snprintf(why, size, "PostgreSQL 15 is not installed (%s not found): scripts/test installs the packages "
                 "postgresql and libpq-dev; MAGIC_PG_BINDIR may name another bin directory", initdb);
        return PG_HARNESS_SKIP;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(h->dir, sizeof h->dir, "%s/ma-pg-XXXXXX", tmp && *tmp && strlen(tmp) < 60 ? tmp : "/tmp");
    if (!mkdtemp(h->dir)) {
        snprintf(why, size, "mkdtemp: %s", strerror(errno));
        return -1;
    }
    char cmd[2048];
    if (geteuid() == 0) {
        /* initdb refuses to run as root: the cluster belongs to the package's postgres user. */
        struct passwd *pw = getpwnam("postgres");
        if (!pw) {
            snprintf(why, size, "running as root and there is no 'postgres' user to own the cluster "
                     "(the postgresql package creates it)");
            return PG_HARNESS_SKIP;
        }
        if (chown(h->dir, pw->pw_uid, pw->pw_gid) != 0) {
            snprintf(why, size, "chown %s: %s", h->dir, strerror(errno));
            return -1;
        }
        chmod(h->dir, 0755);
        h->as_postgres = 1;
    }
    const char *as = h->as_postgres ? "runuser -u postgres -- " : "";
    snprintf(cmd, sizeof cmd, "%s'%s' -D '%s/data' -A trust -U postgres -E UTF8 --locale=C --no-sync >'%s/initdb.log' 2>&1",
             as, initdb, h->dir, h->dir);
    if (h->as_postgres) /* the log file must be writable by postgres: write it through the shell as them */
        snprintf(cmd, sizeof cmd, "runuser -u postgres -- sh -c \"'%s' -D '%s/data' -A trust -U postgres -E UTF8 "
                 "--locale=C --no-sync >'%s/initdb.log' 2>&1\"", initdb, h->dir, h->dir);
    if (run_cmd(cmd, why, size) != 0)
        return -1;
    snprintf(cmd, sizeof cmd,
             "%s'%s/pg_ctl' -D '%s/data' -l '%s/postgres.log' -w -t 60 -o \"-k '%s' -p %d -c listen_addresses='' "
             "-c fsync=off -c max_connections=200 -c shared_buffers=64MB\" start >/dev/null",
             as, h->bindir, h->dir, h->dir, h->dir, PG_PORT);
    if (run_cmd(cmd, why, size) != 0)
        return -1;
    h->running = 1;
    snprintf(h->url, sizeof h->url, "postgresql:///magic?host=%s&port=%d&user=postgres", h->dir, PG_PORT);
    char admin[600];
    snprintf(admin, sizeof admin, "host=%s port=%d user=postgres dbname=postgres", h->dir, PG_PORT);
    PGconn *c = PQconnectdb(admin);
    PGresult *r = PQexec(c, "CREATE DATABASE magic");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        snprintf(why, size, "CREATE DATABASE: %s", PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    if (!ok)
        return -1;
    char *out = NULL;
    int st = server_run(h, &out, "migrate", NULL);
    if (st != 0) {
        snprintf(why, size, "magic-adventure-server migrate failed: %s", out ? out : "");
        free(out);
        return -1;
    }
    free(out);
    return 0;
}

void pg_harness_stop(PgHarness *h)
{
    char cmd[1200];
    for (int i = 0; i < MAX_SERVERS; i++)
        if (started[i] > 0) {
            kill(started[i], SIGKILL);
            waitpid(started[i], NULL, 0);
            started[i] = 0;
        }
    if (h->running) {
        snprintf(cmd, sizeof cmd, "%s'%s/pg_ctl' -D '%s/data' -m immediate stop >/dev/null 2>&1",
                 h->as_postgres ? "runuser -u postgres -- " : "", h->bindir, h->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "warning: could not stop the test cluster in %s\n", h->dir);
        h->running = 0;
    }
    if (h->dir[0] && !getenv("MAGIC_KEEP_PG")) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", h->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "warning: could not remove %s\n", h->dir);
    }
}

char *pg_query(const PgHarness *h, const char *sql)
{
    PGconn *c = PQconnectdb(h->url);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "pg_query: %s", PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    PGresult *r = PQexec(c, sql);
    char *out = NULL;
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        out = strdup(PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
    else if (PQresultStatus(r) == PGRES_COMMAND_OK)
        out = strdup("");
    else
        fprintf(stderr, "pg_query: %s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return out;
}

long long pg_query_int(const PgHarness *h, const char *sql)
{
    char *s = pg_query(h, sql);
    long long v = s && *s ? atoll(s) : -1;
    free(s);
    return v;
}

static const char *server_exe(void)
{
    const char *exe = getenv("MAGIC_SERVER_EXE");
    return exe ? exe : "magic-adventure-server";
}

static void set_env(const PgHarness *h, const char *const *env)
{
    setenv("DATABASE_URL", h->url, 1);
    setenv("MAGIC_BCRYPT_COST", "4", 1);
    for (int i = 0; env && env[i]; i++)
        putenv((char *)env[i]);
}

int server_proc_start(ServerProc *s, const PgHarness *h, int port, const char *const *env, const char *const *args,
                      char *why, size_t size)
{
    memset(s, 0, sizeof *s);
    snprintf(s->log, sizeof s->log, "%s/server-%d-%ld.log", h->dir, (int)getpid(), (long)time(NULL) ^ rand());
    int fd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        snprintf(why, size, "cannot create %s: %s", s->log, strerror(errno));
        return -1;
    }
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    const char *argv[32] = {server_exe(), "serve", "--listen", listen};
    int argc = 4;
    for (int i = 0; args && args[i] && argc < 30; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        set_env(h, env);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fd);
    s->pid = pid;
    remember(pid, 1);
    for (int waited = 0; waited < 15000; waited += 20) {
        char buf[4096] = "";
        FILE *f = fopen(s->log, "r");
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f)
            fclose(f);
        buf[n] = '\0';
        const char *at = strstr(buf, "listening on http");
        if (at) {
            const char *colon = strstr(at, "127.0.0.1:");
            s->port = colon ? atoi(colon + 10) : 0;
            snprintf(s->url, sizeof s->url, "%s://127.0.0.1:%d", strstr(at, "https://") == at + 13 ? "https" : "http",
                     s->port);
            return 0;
        }
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            remember(pid, 0);
            s->pid = 0;
            snprintf(why, size, "the server exited before listening: %s", buf);
            return -1;
        }
        sleep_ms(20);
    }
    snprintf(why, size, "the server did not start listening in 15 s (log %s)", s->log);
    server_proc_kill9(s);
    return -1;
}

static void reap(ServerProc *s, int first_sig)
{
    if (s->pid <= 0)
        return;
    remember(s->pid, 0);
    kill(s->pid, first_sig);
    for (int i = 0; i < 250; i++) {
        int st;
        if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
            s->pid = 0;
            return;
        }
        sleep_ms(20);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
}

void server_proc_stop(ServerProc *s)
{
    reap(s, SIGTERM);
}

void server_proc_kill9(ServerProc *s)
{
    reap(s, SIGKILL);
}

int server_run(const PgHarness *h, char **out, const char *arg0, ...)
{
    const char *argv[32] = {server_exe()};
    int argc = 1;
    va_list ap;
    va_start(ap, arg0);
    for (const char *a = arg0; a && argc < 31; a = va_arg(ap, const char *))
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    char path[] = "/tmp/ma-srv-out-XXXXXX";
    int fd = mkstemp(path);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        set_env(h, NULL);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    lseek(fd, 0, SEEK_SET);
    char *buf = calloc(1, 65536);
    ssize_t n = read(fd, buf, 65535);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    *out = buf;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

SyncClient *harness_client(const char *url, const char *name, int retries)
{
    SyncClient *c = NULL;
    Err err = {0};
    SyncClientOptions opt = {.retries = retries, .backoff_ms = 50, .timeout_ms = 20000};
    if (sync_client_new(url, &opt, &c, &err) != MA_OK)
        fail_msg("%s", err.msg);
    int rc = sync_client_register(c, name, "a good password", NULL, &err);
    if (rc != MA_OK && rc != MA_ERR_CONSTRAINT)
        fail_msg("register %s: %s", name, err.msg);
    if (sync_client_login(c, name, "a good password", NULL, &err) != MA_OK)
        fail_msg("login %s: %s", name, err.msg);
    return c;
}

int64_t harness_share_world(SyncClient *c, const char *name)
{
    cJSON *w = cJSON_CreateObject();
    cJSON_AddStringToObject(w, "name", name);
    cJSON_AddStringToObject(w, "seed", "-9000000000000000001"); /* any 64-bit seed, as text */
    cJSON_AddStringToObject(w, "world_type", "flat");
    int64_t id = 0;
    Err err = {0};
    if (sync_client_create_world(c, w, &id, &err) != MA_OK)
        fail_msg("sharing %s: %s", name, err.msg);
    cJSON_Delete(w);
    return id;
}

void pg_harness_start_server_or_exit(PgHarness *h, ServerProc *s, const char *rate)
{
    char why[1024];
    int rc = pg_harness_start(h, why, sizeof why);
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", rc == PG_HARNESS_SKIP ? "SKIP" : "ERROR", why);
        pg_harness_stop(h);
        exit(rc == PG_HARNESS_SKIP ? 77 : 1);
    }
    char rate_env[64];
    snprintf(rate_env, sizeof rate_env, "MAGIC_SERVER_RATE=%s", rate);
    const char *env[] = {rate_env, NULL};
    if (server_proc_start(s, h, 0, env, NULL, why, sizeof why) != 0) {
        fprintf(stderr, "ERROR: %s\n", why);
        pg_harness_stop(h);
        exit(1);
    }
}

void pg_harness_stop_server(PgHarness *h, ServerProc *s)
{
    server_proc_stop(s);
    pg_harness_stop(h);
}
