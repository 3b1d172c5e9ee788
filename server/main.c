/* main.c — magic-adventure-server: the sync server's command line.
 *
 *   magic-adventure-server [serve] [--listen ADDR:PORT] [--threads N] [--tls-cert F --tls-key F]
 *   magic-adventure-server migrate | report | backup --dir DIR | bench ... | --help
 * Configuration comes from the design's variables (DATABASE_URL, DB_POOL_SIZE,
 * DB_POOL_TIMEOUT, BACKUP_RETENTION_DAYS) and the flags; see README.md, "The sync server". */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "db_migrate.h"
#include "db_users.h"
#include "http.h"
#include "server.h"
#include "util/timeutil.h"

static const char usage[] =
    "usage: magic-adventure-server [COMMAND] [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  serve (default)   answer the sync protocol (docs/sync-protocol.md) until Ctrl-C or SIGTERM\n"
    "      --listen ADDR:PORT   where to listen (default 127.0.0.1:8787; port 0 picks a free one)\n"
    "      --threads N          HTTP threads (libmicrohttpd thread pool with epoll; default 4)\n"
    "      --tls-cert FILE --tls-key FILE   serve https with this PEM certificate and key\n"
    "  migrate           apply data/pg/ migrations that are missing, then exit\n"
    "  report            locked accounts, fallen characters, chunks holding chests (operator view)\n"
    "  backup --dir DIR  pg_dump the database into DIR; delete dumps older than BACKUP_RETENTION_DAYS\n"
    "  bench --url URL [--clients N] [--worlds one|many] [--seconds S] [--ops N] [--interval-ms MS]\n"
    "                    load test: N simulated clients pushing and pulling (see docs/scaling.md)\n"
    "\n"
    "environment: DATABASE_URL (libpq URL or key=value; unset: libpq's PG* variables), DB_POOL_SIZE (20),\n"
    "  DB_POOL_TIMEOUT seconds (30), BACKUP_RETENTION_DAYS (30), DB_PREPARE (1; 0 behind pgbouncer's\n"
    "  transaction pooling), MAGIC_SERVER_RATE requests/s per token\n"
    "  as RATE/BURST (50/100), MAGIC_SESSION_HOURS (24), MAGIC_BCRYPT_COST (11)\n";

static int fail(const char *msg)
{
    fprintf(stderr, "magic-adventure-server: %s\n", msg);
    return 1;
}

static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static const char *db_label(const ServerConfig *c)
{
    return c->database_url[0] ? "DATABASE_URL" : "libpq's PG* environment (DATABASE_URL is not set)";
}

static int cmd_migrate(const ServerConfig *cfg)
{
    Db db;
    Err err = {0};
    if (db_connect(cfg->database_url, &db, &err) != MA_OK)
        return fail(err.msg);
    int applied = 0, version = 0;
    int rc = db_migrate(&db, &applied, &version, &err);
    db_disconnect(&db);
    if (rc != MA_OK)
        return fail(err.msg);
    printf("schema version %d (%d migration%s applied now)\n", version, applied, applied == 1 ? "" : "s");
    return 0;
}

static int cmd_report(const ServerConfig *cfg)
{
    Db db;
    Err err = {0};
    if (db_connect(cfg->database_url, &db, &err) != MA_OK)
        return fail(err.msg);
    cJSON *locked = NULL, *fallen = NULL;
    int rc = db_report_locked_users(&db, time_now_ms(), &locked, &err);
    if (rc == MA_OK)
        rc = db_report_fallen_characters(&db, &fallen, &err);
    db_disconnect(&db);
    if (rc != MA_OK)
        return fail(err.msg);
    char *a = cJSON_PrintUnformatted(locked), *b = cJSON_PrintUnformatted(fallen);
    printf("locked accounts: %s\ncharacters at zero health: %s\n", a, b);
    free(a);
    free(b);
    cJSON_Delete(locked);
    cJSON_Delete(fallen);
    return 0;
}

static int cmd_backup(const ServerConfig *cfg, const char *dir)
{
    if (!dir)
        return fail("backup needs --dir DIR");
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "magic-adventure-server: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    char stamp[32], path[4096];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(path, sizeof path, "%s/magic-adventure-%s.dump", dir, stamp);
    pid_t pid = fork();
    if (pid == 0) {
        if (cfg->database_url[0])
            execlp("pg_dump", "pg_dump", "--format=custom", "--file", path, "--dbname", cfg->database_url, (char *)NULL);
        else
            execlp("pg_dump", "pg_dump", "--format=custom", "--file", path, (char *)NULL);
        fprintf(stderr, "magic-adventure-server: cannot run pg_dump: %s (install postgresql-client)\n", strerror(errno));
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        unlink(path);
        return fail("pg_dump failed; no backup was made (see its message above)");
    }
    printf("backup: %s\n", path);
    /* Retention: dumps of ours older than BACKUP_RETENTION_DAYS go. */
    DIR *d = opendir(dir);
    struct dirent *e;
    int removed = 0;
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, "magic-adventure-", 16) != 0 || !strstr(e->d_name, ".dump"))
            continue;
        char p2[4096];
        struct stat st;
        snprintf(p2, sizeof p2, "%s/%s", dir, e->d_name);
        if (stat(p2, &st) == 0 && now - st.st_mtime > (time_t)cfg->backup_retention_days * 86400 && unlink(p2) == 0)
            removed++;
    }
    if (d)
        closedir(d);
    printf("removed %d backup%s older than %d days\n", removed, removed == 1 ? "" : "s", cfg->backup_retention_days);
    return 0;
}

static int cmd_serve(ServerConfig *cfg)
{
    Err err = {0};
    Server srv;
    memset(&srv, 0, sizeof srv);
    srv.cfg = *cfg;
    srv.started_ms = time_now_ms();
    raise_fd_limit();
    if (blocks_load_default(&srv.blocks, &err) != MA_OK)
        return fail(err.msg);
    srv.limiter = ratelimit_new(cfg->rate_per_s, cfg->rate_burst);
    if (!srv.limiter || db_pool_new(cfg->database_url, cfg->pool_size, cfg->pool_timeout_s, cfg->prepare, &srv.pool, &err) != MA_OK) {
        blocks_free(srv.blocks);
        ratelimit_free(srv.limiter);
        return fail(err.msg[0] ? err.msg : "out of memory");
    }
    /* Refuse to serve an old schema: answers would be wrong, not just slow. */
    Db db;
    int version = 0, rc = db_acquire(srv.pool, &db, &err);
    if (rc == MA_OK) {
        rc = db_schema_version(&db, &version, &err);
        db_release(&db);
    }
    if (rc == MA_OK && version != db_migration_count())
        rc = err_set(&err, MA_ERR_INVALID, "the database is at schema version %d, this server needs %d: run "
                     "magic-adventure-server migrate", version, db_migration_count());
    HttpServer *http = NULL;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    /* Blocked before MHD starts its threads, so that only sigwait below receives them. */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (rc == MA_OK)
        rc = http_start(&srv, &http, &err);
    if (rc != MA_OK) {
        db_pool_free(srv.pool);
        ratelimit_free(srv.limiter);
        blocks_free(srv.blocks);
        return fail(err.msg);
    }
    printf("magic-adventure-server %s: listening on %s://%s%s%s:%d (database: %s; pool %d, threads %d)\n", MA_VERSION,
           cfg->tls_cert[0] ? "https" : "http", strchr(cfg->listen_host, ':') ? "[" : "", cfg->listen_host,
           strchr(cfg->listen_host, ':') ? "]" : "", http_port(http), db_label(cfg), cfg->pool_size, cfg->threads);
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    printf("magic-adventure-server: stopping (%s)\n", sig == SIGINT ? "Ctrl-C" : "SIGTERM");
    fflush(stdout);
    http_stop(http);
    db_pool_free(srv.pool);
    ratelimit_free(srv.limiter);
    blocks_free(srv.blocks);
    return 0;
}

int main(int argc, char **argv)
{
    ServerConfig cfg;
    Err err = {0};
    const char *cmd = "serve";
    int i = 1;
    if (argc > 1 && argv[1][0] != '-')
        cmd = argv[i++];
    if (strcmp(cmd, "help") == 0 || (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "bench") == 0)
        return bench_main(argc - i, argv + i);
    if (server_config_from_env(&cfg, &err) != MA_OK)
        return fail(err.msg);
    const char *dir = NULL;
    for (; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--listen") == 0 && v) {
            if (server_config_listen(&cfg, v, &err) != MA_OK)
                return fail(err.msg);
            i++;
        } else if (strcmp(a, "--threads") == 0 && v) {
            cfg.threads = atoi(v);
            if (cfg.threads < 1 || cfg.threads > 256)
                return fail("--threads must be 1 to 256");
            i++;
        } else if (strcmp(a, "--tls-cert") == 0 && v) {
            snprintf(cfg.tls_cert, sizeof cfg.tls_cert, "%s", v);
            i++;
        } else if (strcmp(a, "--tls-key") == 0 && v) {
            snprintf(cfg.tls_key, sizeof cfg.tls_key, "%s", v);
            i++;
        } else if (strcmp(a, "--dir") == 0 && v) {
            dir = v;
            i++;
        } else {
            fprintf(stderr, "magic-adventure-server: unknown option '%s'\n%s", a, usage);
            return 2;
        }
    }
    if (!cfg.tls_cert[0] != !cfg.tls_key[0])
        return fail("--tls-cert and --tls-key go together");
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(&cfg);
    if (strcmp(cmd, "migrate") == 0)
        return cmd_migrate(&cfg);
    if (strcmp(cmd, "report") == 0)
        return cmd_report(&cfg);
    if (strcmp(cmd, "backup") == 0)
        return cmd_backup(&cfg, dir);
    fprintf(stderr, "magic-adventure-server: unknown command '%s'\n%s", cmd, usage);
    return 2;
}
