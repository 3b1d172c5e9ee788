/* test_sync.c — the game's side of sync, end to end: two players, each with a save of their
 * own, share a world through the real server on a real PostgreSQL (tests/pg_harness.c), and
 * play through the game's own front door (`play --script`, the `sync` commands, the client in
 * tmux). Edits to different blocks of one chunk merge; the same block is a conflict kept,
 * shown and re-applied; a delete against a change; a push cut after the server applied it and
 * retried (applied once); the server killed with -9 in the middle of a push (nothing lost or
 * doubled, the whole state compared); an expired token, someone else's world, a world not
 * shared with you; the game killed right after an action (the change is pushed later);
 * relationship histories from two devices merging; other players' log entries kept; the sync
 * key and the sidebar line. Exits 77 (skipped) only when PostgreSQL is not installed. */
#include "helpers.h"
#include "tmux.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pg_harness.h"
#include "save/characters.h"
#include "save/skills.h"
#include "save/worlds.h"
#include "sync/sync.h"
#include "world/world.h"

static PgHarness pg;
static ServerProc srv;
static char *dir;
static BlockRegistry *reg;

static int setup(void **state)
{
    (void)state;
    pg_harness_start_server_or_exit(&pg, &srv, "5000/10000");
    dir = th_tmpdir();
    setenv("MAGIC_AGENTS", "off", 1);
    Err err = {0};
    if (blocks_load_default(&reg, &err) != MA_OK)
        fail_msg("%s", err.msg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pg_harness_stop_server(&pg, &srv);
    th_tmpdir_free(dir);
    blocks_free(reg);
    return 0;
}

/* The game as `user` ($USER names the local player). */
#define MA(user, input, ...) (setenv("USER", (user), 1), th_run((input), __VA_ARGS__, NULL))

static void expect_ok(RunResult *r, const char *what)
{
    if (r->status != 0)
        fail_msg("%s exited %d:\n%s%s", what, r->status, r->out, r->err);
}

/* ------------------------------------------------------------ two players */

typedef struct Pair {
    char tag[24];
    char ann[400], bob[400];       /* their saves */
    char a_user[48], b_user[48];   /* their names, on the server and as local players */
    char world[48];
} Pair;

static void login(const char *user, const char *save, const char *url, int reg_first)
{
    RunResult r = MA(user, "a good password\n", "--save", save, "sync", reg_first ? "register" : "login", "--server",
                     url, "--user", user);
    expect_ok(&r, "sync login");
    assert_non_null(strstr(r.out, "mode 0600"));
    th_run_free(&r);
}

/* ann makes a flat world and shares it; bob is invited and downloads it. */
static void pair_setup(Pair *p, const char *tag, const char *url)
{
    memset(p, 0, sizeof *p);
    snprintf(p->tag, sizeof p->tag, "%s", tag);
    snprintf(p->a_user, sizeof p->a_user, "ann_%s", tag);
    snprintf(p->b_user, sizeof p->b_user, "bob_%s", tag);
    snprintf(p->world, sizeof p->world, "World_%s", tag);
    snprintf(p->ann, sizeof p->ann, "%s/ann_%s.db", dir, tag);
    snprintf(p->bob, sizeof p->bob, "%s/bob_%s.db", dir, tag);
    login(p->a_user, p->ann, url, 1);
    login(p->b_user, p->bob, url, 1);
    RunResult r = MA(p->a_user, NULL, "--save", p->ann, "world", "create", p->world, "--type", "flat", "--seed", "42");
    expect_ok(&r, "world create");
    th_run_free(&r);
    r = MA(p->a_user, NULL, "--save", p->ann, "sync", "share", "--world", p->world);
    expect_ok(&r, "sync share");
    th_run_free(&r);
    r = MA(p->a_user, NULL, "--save", p->ann, "sync", "invite", "--world", p->world, p->b_user);
    expect_ok(&r, "sync invite");
    th_run_free(&r);
    r = MA(p->b_user, NULL, "--save", p->bob, "sync", "get", "--server", url, p->world);
    expect_ok(&r, "sync get");
    th_run_free(&r);
}

/* Plays script (actions a line) as user; every action must be done. Returns the output (heap). */
static char *play(const char *user, const char *save, const char *world, const char *script)
{
    char path[500];
    snprintf(path, sizeof path, "%s/script.txt", dir);
    th_write_file(path, script, -1);
    RunResult r = MA(user, NULL, "--save", save, "play", "--script", path, "--world", world);
    expect_ok(&r, "play");
    int lines = 0;
    for (const char *c = script; *c; c++)
        lines += *c == '\n';
    int oks = 0;
    for (const char *c = r.out; (c = strstr(c, "ok\n")) != NULL; c += 3)
        oks++;
    if (oks < lines)
        fail_msg("not every action of\n%swas done:\n%s", script, r.out);
    free(r.err);
    return r.out;
}

static RunResult sync_cmd(const char *user, const char *save, const char *world)
{
    return MA(user, NULL, "--save", save, "sync", "--world", world);
}

static void sync_ok(const char *user, const char *save, const char *world)
{
    RunResult r = sync_cmd(user, save, world);
    expect_ok(&r, "sync");
    th_run_free(&r);
}

/* The block at x,y,z of a world in a save, by name (static buffer). */
static const char *block_at(const char *save, const char *world, int x, int y, int z)
{
    static char name[64];
    Save *s = NULL;
    World *w = NULL;
    Err err = {0};
    if (save_open(save, SAVE_READONLY, &s, &err) != MA_OK || world_open(s, reg, world, 0, 0, &w, &err) != MA_OK)
        fail_msg("%s", err.msg);
    snprintf(name, sizeof name, "%s", blocks_get(reg, world_get_block(w, x, y, z))->name);
    world_close(w);
    save_close(s);
    return name;
}

static long long sql_int(const char *save, const char *sql) { return th_sql_int(save, sql); }

static void sql_exec(const char *save, const char *sql)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(save, &db) != SQLITE_OK || sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_close(db);
}

static long long remote_world(const Pair *p)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT id FROM worlds WHERE name = '%s'", p->world);
    return pg_query_int(&pg, sql);
}

/* The number of the first conflict listed in text ("#12 ..."), or -1. */
static long conflict_number(const char *text)
{
    const char *h = strchr(text, '#');
    return h ? strtol(h + 1, NULL, 10) : -1;
}

/* ------------------------------------------------------------ chunks */

static void test_edits_to_different_blocks_of_one_chunk_merge_and_each_sees_the_other(void **state)
{
    (void)state;
    Pair p;
    pair_setup(&p, "merge", srv.url);
    /* Both offline, both in chunk 0,4,0 (spawn is 0,65,0 in a flat world). */
    free(play(p.a_user, p.ann, p.world, "move s\nplace e planks\n"));            /* 1,65,1 */
    free(play(p.b_user, p.bob, p.world, "move s\nmove s\nplace e planks\n"));    /* 1,65,2 */
    assert_string_equal(block_at(p.ann, p.world, 1, 65, 2), "air");
    sync_ok(p.a_user, p.ann, p.world);
    sync_ok(p.b_user, p.bob, p.world);
    sync_ok(p.a_user, p.ann, p.world);
    const char *saves[2] = {p.ann, p.bob};
    for (int i = 0; i < 2; i++) {
        assert_string_equal(block_at(saves[i], p.world, 1, 65, 1), "planks");
        assert_string_equal(block_at(saves[i], p.world, 1, 65, 2), "planks");
        assert_string_equal(block_at(saves[i], p.world, 2, 64, 2), "grass"); /* the rest as generated */
    }
    RunResult r = MA(p.a_user, NULL, "--save", p.ann, "sync", "status", "--world", p.world);
    expect_ok(&r, "sync status");
    assert_non_null(strstr(r.out, "waiting to be pushed: 0 ops"));
    assert_non_null(strstr(r.out, "conflicts: 0 open"));
    assert_non_null(strstr(r.out, "state: synced just now"));
    th_run_free(&r);
    /* Each sees the other's character too, as the other's. */
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM characters c JOIN users u ON u.id = c.user_id WHERE c.name = '%s' "
             "AND json_extract(u.profile, '$.sync_remote') = '%s'", p.b_user, p.b_user);
    assert_int_equal(sql_int(p.ann, sql), 1);
}

static void test_the_same_block_is_a_conflict_kept_shown_and_reapplied(void **state)
{
    (void)state;
    Pair p;
    pair_setup(&p, "same", srv.url);
    free(play(p.a_user, p.ann, p.world, "move s\nplace e planks\n"));
    free(play(p.b_user, p.bob, p.world, "move s\nplace e torch\n"));
    sync_ok(p.a_user, p.ann, p.world);
    RunResult r = sync_cmd(p.b_user, p.bob, p.world);
    expect_ok(&r, "bob's sync");
    assert_non_null(strstr(r.out, "1 new conflict kept"));
    th_run_free(&r);
    /* The server's stands in bob's world; his torch is kept, and shown. */
    assert_string_equal(block_at(p.bob, p.world, 1, 65, 1), "planks");
    r = MA(p.b_user, NULL, "--save", p.bob, "sync", "status", "--world", p.world);
    expect_ok(&r, "sync status");
    assert_non_null(strstr(r.out, "conflicts: 1 open"));
    assert_non_null(strstr(r.out, "block 1,65,1: mine torch, theirs planks (before both: air)"));
    th_run_free(&r);
    r = MA(p.b_user, NULL, "--save", p.bob, "sync", "conflicts", "--world", p.world);
    expect_ok(&r, "sync conflicts");
    assert_non_null(strstr(r.out, "[open] block 1,65,1: mine torch, theirs planks"));
    long n = conflict_number(r.out);
    assert_true(n > 0);
    th_run_free(&r);
    /* Re-applied: bob's torch is back, pushed as a change based on the planks, and ann gets it. */
    char id[24];
    snprintf(id, sizeof id, "%ld", n);
    r = MA(p.b_user, NULL, "--save", p.bob, "sync", "conflicts", "--world", p.world, "--mine", id);
    expect_ok(&r, "sync conflicts --mine");
    th_run_free(&r);
    assert_string_equal(block_at(p.bob, p.world, 1, 65, 1), "torch");
    sync_ok(p.b_user, p.bob, p.world);
    sync_ok(p.a_user, p.ann, p.world);
    assert_string_equal(block_at(p.ann, p.world, 1, 65, 1), "torch");
    r = MA(p.b_user, NULL, "--save", p.bob, "sync", "conflicts", "--world", p.world, "--all");
    expect_ok(&r, "sync conflicts --all");
    assert_non_null(strstr(r.out, "[mine] block 1,65,1"));
    th_run_free(&r);
    /* Settling it twice is refused, with why. */
    r = MA(p.b_user, NULL, "--save", p.bob, "sync", "conflicts", "--world", p.world, "--theirs", id);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "settled already"));
    th_run_free(&r);
}

static void test_a_delete_against_a_change_keeps_the_change_and_the_delete_as_a_conflict(void **state)
{
    (void)state;
    Pair p;
    pair_setup(&p, "delete", srv.url);
    free(play(p.a_user, p.ann, p.world, "move s\nplace e planks\n"));
    sync_ok(p.a_user, p.ann, p.world);
    sync_ok(p.b_user, p.bob, p.world);
    assert_string_equal(block_at(p.bob, p.world, 1, 65, 1), "planks");
    /* Offline: ann changes the planks to a torch, bob digs the planks away. */
    free(play(p.a_user, p.ann, p.world, "dig e\nplace e torch\n"));
    free(play(p.b_user, p.bob, p.world, "move s\ndig e\n"));
    assert_string_equal(block_at(p.bob, p.world, 1, 65, 1), "air");
    sync_ok(p.a_user, p.ann, p.world);
    sync_ok(p.b_user, p.bob, p.world);
    assert_string_equal(block_at(p.bob, p.world, 1, 65, 1), "torch");
    RunResult r = MA(p.b_user, NULL, "--save", p.bob, "sync", "conflicts", "--world", p.world);
    expect_ok(&r, "sync conflicts");
    assert_non_null(strstr(r.out, "block 1,65,1: mine air, theirs torch (before both: planks)"));
    th_run_free(&r);
    /* Bob's dig still gave him the planks (16 to start with, one more): his character went up whole. */
    sync_ok(p.a_user, p.ann, p.world);
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT sum(i.quantity) FROM inventory i JOIN characters c ON c.id = i.character_id "
             "WHERE c.name = '%s' AND i.item_name = 'planks'", p.b_user);
    assert_int_equal(sql_int(p.ann, sql), 17);
    assert_int_equal(sql_int(p.bob, sql), 17);
}

static void test_a_change_made_while_a_sync_is_in_flight_stays_and_waits_for_the_next(void **state)
{
    (void)state;
    Pair p;
    pair_setup(&p, "flight", srv.url);
    free(play(p.b_user, p.bob, p.world, "move s\nplace e planks\n")); /* bob: 1,65,1 */
    sync_ok(p.b_user, p.bob, p.world);
    free(play(p.a_user, p.ann, p.world, "move s\nmove s\nplace e torch\n")); /* ann: 1,65,2 */
    /* The client's steps by hand: prepare, the network, and, while it runs, ann builds on. */
    Save *s = NULL;
    World *w = NULL;
    Err err = {0};
    assert_int_equal(save_open(p.ann, 0, &s, &err), MA_OK);
    assert_int_equal(world_open(s, reg, p.world, 0, 0, &w, &err), MA_OK);
    SyncPlan plan;
    assert_int_equal(save_begin(s, &err), MA_OK);
    assert_int_equal(sync_prepare(s, world_id(w), &plan, &err), MA_OK);
    assert_int_equal(save_commit(s, &err), MA_OK);
    SyncJob *j = sync_plan_job(&plan);
    sync_plan_clear(&plan);
    sync_job_run(j, NULL, NULL);
    assert_int_equal(j->rc, MA_OK);
    assert_int_equal(save_begin(s, &err), MA_OK);
    assert_int_equal(world_set_block(w, 1, 65, 3, (BlockId)blocks_find(reg, "stone"), &err), MA_OK);
    assert_int_equal(world_flush(w, &err), MA_OK);
    assert_int_equal(save_commit(s, &err), MA_OK);
    SyncReport rep;
    assert_int_equal(save_begin(s, &err), MA_OK);
    assert_int_equal(sync_take(s, w, j, 0, &rep, &err), MA_OK);
    assert_int_equal(save_commit(s, &err), MA_OK);
    sync_job_free(j);
    /* bob's planks came in; ann's stone, laid again over the server's chunk, waits. */
    assert_int_equal(world_get_block(w, 1, 65, 1), blocks_find(reg, "planks"));
    assert_int_equal(world_get_block(w, 1, 65, 2), blocks_find(reg, "torch"));
    assert_int_equal(world_get_block(w, 1, 65, 3), blocks_find(reg, "stone"));
    assert_int_equal(rep.waiting, 1);
    world_close(w);
    save_close(s);
    sync_ok(p.a_user, p.ann, p.world);
    sync_ok(p.b_user, p.bob, p.world);
    assert_string_equal(block_at(p.bob, p.world, 1, 65, 3), "stone");
    assert_string_equal(block_at(p.bob, p.world, 1, 65, 2), "torch");
}

/* A pulled chunk outside the world (a broken or hostile server): not stored, counted as a row this
 * game cannot hold, and the rows beside it still taken. (x = 2^40 had been stored as INT_MIN.) */
static void test_a_pulled_chunk_outside_the_world_is_left_out(void **state)
{
    (void)state;
    Pair p;
    pair_setup(&p, "far", srv.url);
    Save *s = NULL;
    World *w = NULL;
    Err err = {0};
    assert_int_equal(save_open(p.ann, 0, &s, &err), MA_OK);
    assert_int_equal(world_open(s, reg, p.world, 0, 0, &w, &err), MA_OK);
    SyncJob *j = sync_job_new(SYNC_JOB_SYNC);
    assert_non_null(j);
    j->rc = MA_OK;
    j->changes = cJSON_Parse("["
        "{\"kind\":\"chunk\",\"chunk\":[1099511627776,4,0],\"block_data\":{\"palette\":[\"stone\"]},\"version\":1},"
        "{\"kind\":\"chunk\",\"chunk\":[-134217728,4,0],\"block_data\":{\"palette\":[\"stone\"]},\"version\":1},"
        "{\"kind\":\"chunk\",\"chunk\":[0,16,0],\"block_data\":{\"palette\":[\"stone\"]},\"version\":1},"
        "{\"kind\":\"chunk\",\"chunk\":[0.5,4,0],\"block_data\":{\"palette\":[\"stone\"]},\"version\":1},"
        "{\"kind\":\"chunk\",\"chunk\":[1e300,4,-1e300],\"block_data\":{\"palette\":[\"stone\"]},\"version\":1e300},"
        "{\"kind\":\"chunk\",\"chunk\":\"here\",\"block_data\":{\"palette\":[\"stone\"]},\"version\":1},"
        "{\"kind\":\"chunk\",\"chunk\":[20,4,-20],\"block_data\":{\"palette\":[\"stone\"]},\"version\":1}]");
    assert_non_null(j->changes);
    SyncReport rep;
    assert_int_equal(save_begin(s, &err), MA_OK);
    assert_int_equal(sync_take(s, w, j, 0, &rep, &err), MA_OK);
    assert_int_equal(save_commit(s, &err), MA_OK);
    sync_job_free(j);
    world_close(w);
    save_close(s);
    assert_int_equal(rep.pulled, 7);
    assert_int_equal(rep.skipped, 6);
    assert_int_equal(rep.chunks, 1);
    assert_int_equal(sql_int(p.ann, "SELECT count(*) FROM world_chunks WHERE abs(chunk_x) > 1000 "
                                    "OR abs(chunk_z) > 1000 OR chunk_y NOT BETWEEN 0 AND 15"), 0);
    assert_string_equal(block_at(p.ann, p.world, 20 * 16 + 3, 4 * 16 + 5, -20 * 16 + 7), "stone");
    /* The next sync goes on as before. */
    sync_ok(p.a_user, p.ann, p.world);
}

/* ------------------------------------------------------------ a push cut after the server applied it */

static atomic_int proxy_cut; /* 1: forward requests, never the answers */
static int proxy_port;
static int proxy_fd = -1;

static ssize_t read_some(int fd, char *buf, size_t size, int ms)
{
    struct pollfd pf = {fd, POLLIN, 0};
    if (poll(&pf, 1, ms) <= 0)
        return -1;
    return read(fd, buf, size);
}

/* Forwards one connection's requests to the server, and its answers back unless cutting. */
static void *proxy_conn(void *arg)
{
    int c = (int)(intptr_t)arg;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0)
        goto done;
    for (;;) {
        struct pollfd pf[2] = {{c, POLLIN, 0}, {s, POLLIN, 0}};
        if (poll(pf, 2, 10000) <= 0)
            break;
        char buf[65536];
        if (pf[0].revents) {
            ssize_t n = read(c, buf, sizeof buf);
            if (n <= 0 || write(s, buf, (size_t)n) != n)
                break;
        }
        if (pf[1].revents) {
            ssize_t n = read_some(s, buf, sizeof buf, 0);
            if (n <= 0)
                break;
            if (atomic_load(&proxy_cut))
                break; /* the server answered; the player never hears it */
            if (write(c, buf, (size_t)n) != n)
                break;
        }
    }
done:
    close(s);
    close(c);
    return NULL;
}

static void *proxy_main(void *arg)
{
    (void)arg;
    for (;;) {
        int c = accept(proxy_fd, NULL, NULL);
        if (c < 0)
            return NULL;
        pthread_t t;
        pthread_create(&t, NULL, proxy_conn, (void *)(intptr_t)c);
        pthread_detach(t);
    }
}

static void proxy_start(char *url, size_t size)
{
    proxy_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    assert_int_equal(bind(proxy_fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(proxy_fd, 16), 0);
    getsockname(proxy_fd, (struct sockaddr *)&a, &len);
    proxy_port = ntohs(a.sin_port);
    snprintf(url, size, "http://127.0.0.1:%d", proxy_port);
    pthread_t t;
    pthread_create(&t, NULL, proxy_main, NULL);
    pthread_detach(t);
}

static void test_a_push_cut_after_the_server_applied_it_is_applied_once_when_retried(void **state)
{
    (void)state;
    char purl[64];
    proxy_start(purl, sizeof purl);
    Pair p;
    pair_setup(&p, "cut", purl); /* ann and bob talk to the server through the proxy */
    free(play(p.a_user, p.ann, p.world, "move s\nplace e planks\nmove s\nplace e planks\n"));
    long long ops = sql_int(p.ann, "SELECT count(*) FROM sync_log");
    assert_true(ops >= 2); /* the chunk edit and ann's character */
    long long w = remote_world(&p);
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM sync_ops WHERE world_id = %lld", w);
    long long before = pg_query_int(&pg, sql);
    atomic_store(&proxy_cut, 1);
    RunResult r = sync_cmd(p.a_user, p.ann, p.world);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "nothing is lost"));
    th_run_free(&r);
    /* The server applied the batch; the answers were lost; the ops wait, sealed, with their ids. */
    assert_int_equal(pg_query_int(&pg, sql), before + ops);
    assert_int_equal(sql_int(p.ann, "SELECT count(*) FROM sync_log WHERE sent = 1"), ops);
    r = MA(p.a_user, NULL, "--save", p.ann, "sync", "status", "--world", p.world);
    assert_non_null(strstr(r.out, "sent and not answered yet"));
    assert_non_null(strstr(r.out, "state: offline"));
    th_run_free(&r);
    atomic_store(&proxy_cut, 0);
    sync_ok(p.a_user, p.ann, p.world);
    assert_int_equal(sql_int(p.ann, "SELECT count(*) FROM sync_log"), 0);
    assert_int_equal(pg_query_int(&pg, sql), before + ops); /* nothing applied twice */
    snprintf(sql, sizeof sql, "SELECT version FROM world_chunks WHERE world_id = %lld AND chunk_x = 0 AND chunk_y = 4 "
             "AND chunk_z = 0", w);
    assert_int_equal(pg_query_int(&pg, sql), 1);
    sync_ok(p.b_user, p.bob, p.world);
    assert_string_equal(block_at(p.bob, p.world, 1, 65, 1), "planks");
    assert_string_equal(block_at(p.bob, p.world, 1, 65, 2), "planks");
}

/* ------------------------------------------------------------ the server killed with -9 mid-push */

static pid_t spawn_game(const char *user, const char *const *args, int *in_fd, int *out_fd)
{
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0)
        fail_msg("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);
        close(in[1]);
        close(out[0]);
        setenv("USER", user, 1);
        const char *argv[16] = {getenv("MAGIC_EXE")};
        int n = 1;
        for (int i = 0; args[i] && n < 15; i++)
            argv[n++] = args[i];
        argv[n] = NULL;
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    if (in_fd)
        *in_fd = in[1];
    else
        close(in[1]);
    if (out_fd)
        *out_fd = out[0];
    else
        close(out[0]);
    return pid;
}

static void test_the_server_killed_mid_push_loses_and_doubles_nothing(void **state)
{
    (void)state;
    ServerProc s2;
    char why[1024];
    const char *env[] = {"MAGIC_SERVER_RATE=5000/10000", NULL};
    if (server_proc_start(&s2, &pg, 0, env, NULL, why, sizeof why) != 0)
        fail_msg("%s", why);
    Pair p;
    pair_setup(&p, "kill", s2.url);
    /* 4,000 chunk edits waiting (eight pushes of 500), made through the world as the game does. */
    enum { N = 4000 };
    Save *s = NULL;
    World *w = NULL;
    Err err = {0};
    assert_int_equal(save_open(p.ann, 0, &s, &err), MA_OK);
    assert_int_equal(world_open(s, reg, p.world, 0, 0, &w, &err), MA_OK);
    assert_int_equal(save_begin(s, &err), MA_OK);
    int planks = blocks_find(reg, "planks"), stone = blocks_find(reg, "stone");
    for (int i = 0; i < N; i++)
        assert_int_equal(world_set_block(w, (i % 80) * 16 + 3, 70, (i / 80) * 16 + 5, (BlockId)(i % 2 ? planks : stone), &err),
                         MA_OK);
    assert_int_equal(world_flush(w, &err), MA_OK);
    assert_int_equal(save_commit(s, &err), MA_OK);
    world_close(w);
    save_close(s);
    assert_int_equal(sql_int(p.ann, "SELECT count(*) FROM sync_log WHERE kind = 'chunk_edit'"), N);

    long long rw = remote_world(&p);
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM sync_ops WHERE world_id = %lld", rw);
    const char *args[] = {"--save", p.ann, "sync", "--world", p.world, NULL};
    pid_t pid = spawn_game(p.a_user, args, NULL, NULL);
    long long at_kill = 0;
    for (int i = 0; i < 3000 && (at_kill = pg_query_int(&pg, sql)) < 500; i++)
        th_nap(5);
    server_proc_kill9(&s2);
    int port = s2.port;
    th_nap(300);
    if (server_proc_start(&s2, &pg, port, env, NULL, why, sizeof why) != 0)
        fail_msg("%s", why);
    int st = 0;
    waitpid(pid, &st, 0);
    print_message("killed the server with %lld of %d ops applied; the first sync %s\n", at_kill, N,
                  WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "went on through the restart" : "stopped (tried again below)");
    assert_true(at_kill >= 500 && at_kill < N); /* in the middle */
    if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
        sync_ok(p.a_user, p.ann, p.world);
    assert_int_equal(sql_int(p.ann, "SELECT count(*) FROM sync_log"), 0);
    /* Nothing doubled: one answer kept per op, each chunk at version 1 (applied once). */
    assert_int_equal(pg_query_int(&pg, sql), N);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM world_chunks WHERE world_id = %lld AND version = 1", rw);
    assert_int_equal(pg_query_int(&pg, sql), N);
    /* Nothing lost: bob's copy holds every block, as ann's does. */
    sync_ok(p.b_user, p.bob, p.world);
    Save *sa = NULL, *sb = NULL;
    World *wa = NULL, *wb = NULL;
    assert_int_equal(save_open(p.ann, SAVE_READONLY, &sa, &err), MA_OK);
    assert_int_equal(save_open(p.bob, SAVE_READONLY, &sb, &err), MA_OK);
    assert_int_equal(world_open(sa, reg, p.world, 0, 0, &wa, &err), MA_OK);
    assert_int_equal(world_open(sb, reg, p.world, 0, 0, &wb, &err), MA_OK);
    for (int i = 0; i < N; i++) {
        int x = (i % 80) * 16 + 3, z = (i / 80) * 16 + 5;
        BlockId want = (BlockId)(i % 2 ? planks : stone);
        assert_int_equal(world_get_block(wa, x, 70, z), want);
        assert_int_equal(world_get_block(wb, x, 70, z), want);
        assert_int_equal(world_get_block(wb, x + 1, 70, z), BLOCK_AIR);
    }
    world_close(wa);
    world_close(wb);
    save_close(sa);
    save_close(sb);
    server_proc_stop(&s2);
}

/* ------------------------------------------------------------ refusals */

static void test_an_expired_token_is_refused_with_what_to_do_and_nothing_is_lost(void **state)
{
    (void)state;
    Pair p;
    pair_setup(&p, "expired", srv.url);
    free(play(p.b_user, p.bob, p.world, "move s\nplace e planks\n"));
    char sql[400];
    snprintf(sql, sizeof sql, "UPDATE sessions SET created_at = now() - interval '2 days', expires_at = now() - "
             "interval '1 day' WHERE user_id = (SELECT id FROM users WHERE username = '%s')", p.b_user);
    free(pg_query(&pg, sql));
    RunResult r = sync_cmd(p.b_user, p.bob, p.world);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "401"));
    assert_non_null(strstr(r.err, "log in again"));
    th_run_free(&r);
    r = MA(p.b_user, NULL, "--save", p.bob, "sync", "status", "--world", p.world);
    assert_non_null(strstr(r.out, "signed in: no"));
    assert_non_null(strstr(r.out, "state: log in again"));
    th_run_free(&r);
    r = sync_cmd(p.b_user, p.bob, p.world);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "not signed in"));
    th_run_free(&r);
    login(p.b_user, p.bob, srv.url, 0);
    sync_ok(p.b_user, p.bob, p.world);
    sync_ok(p.a_user, p.ann, p.world);
    assert_string_equal(block_at(p.ann, p.world, 1, 65, 1), "planks");
}

/* A world made by an older game (generator version 1) keeps that version when another player
 * downloads it, so the chunks neither has stored come out the same on both machines. */
static void test_a_world_of_an_older_generator_keeps_its_version_when_downloaded(void **state)
{
    (void)state;
    char ann[400], bob[400];
    snprintf(ann, sizeof ann, "%s/ann_v1.db", dir);
    snprintf(bob, sizeof bob, "%s/bob_v1.db", dir);
    login("ann_v1", ann, srv.url, 1);
    login("bob_v1", bob, srv.url, 1);
    RunResult r = MA("ann_v1", NULL, "--save", ann, "world", "create", "World_v1", "--seed", "31337");
    expect_ok(&r, "world create");
    th_run_free(&r);
    /* As an older game made it. */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(ann, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE worlds SET settings = json_set(settings, '$.generator_version', 1)", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    r = MA("ann_v1", NULL, "--save", ann, "sync", "share", "--world", "World_v1");
    expect_ok(&r, "sync share");
    th_run_free(&r);
    r = MA("ann_v1", NULL, "--save", ann, "sync", "invite", "--world", "World_v1", "bob_v1");
    expect_ok(&r, "sync invite");
    th_run_free(&r);
    r = MA("bob_v1", NULL, "--save", bob, "sync", "get", "--server", srv.url, "World_v1");
    expect_ok(&r, "sync get");
    th_run_free(&r);
    assert_int_equal(th_sql_int(bob, "SELECT json_extract(settings, '$.generator_version') FROM worlds "
                                     "WHERE name = 'World_v1'"),
                     1);
}

static void test_someone_elses_world_is_refused_and_cannot_be_downloaded(void **state)
{
    (void)state;
    Pair p;
    pair_setup(&p, "others", srv.url);
    char carol[400], c_user[48] = "carol_others";
    snprintf(carol, sizeof carol, "%s/carol_others.db", dir);
    login(c_user, carol, srv.url, 1);
    RunResult r = MA(c_user, NULL, "--save", carol, "sync", "get", "--server", srv.url, p.world);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "has no world 'World_others' that carol_others owns or was invited to"));
    assert_non_null(strstr(r.err, "sync invite --world World_others carol_others"));
    th_run_free(&r);
    /* A save pointing its own world at ann's on the server: refused, and it says so. */
    r = MA(c_user, NULL, "--save", carol, "world", "create", "Carolworld", "--type", "flat");
    expect_ok(&r, "world create");
    th_run_free(&r);
    r = MA(c_user, NULL, "--save", carol, "sync", "share", "--world", "Carolworld");
    expect_ok(&r, "sync share");
    th_run_free(&r);
    char sql[200];
    snprintf(sql, sizeof sql, "UPDATE sync_worlds SET remote_id = %lld", remote_world(&p));
    sql_exec(carol, sql);
    free(play(c_user, carol, "Carolworld", "place e planks\n"));
    r = sync_cmd(c_user, carol, "Carolworld");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "not allowed (403)"));
    th_run_free(&r);
    r = MA(c_user, NULL, "--save", carol, "sync", "status", "--world", "Carolworld");
    assert_non_null(strstr(r.out, "state: refused,"));
    assert_non_null(strstr(r.out, "not allowed (403)"));
    th_run_free(&r);
    assert_true(sql_int(carol, "SELECT count(*) FROM sync_log") >= 1); /* kept */
    sync_ok(p.a_user, p.ann, p.world);
    assert_string_equal(block_at(p.ann, p.world, 1, 65, 0), "air");
}

/* ------------------------------------------------------------ a crash right after an action */

static void test_a_change_made_just_before_the_game_was_killed_is_pushed_later(void **state)
{
    (void)state;
    Pair p;
    pair_setup(&p, "crash", srv.url);
    int in = -1, out = -1;
    const char *args[] = {"--save", p.bob, "play", "--script", "-", "--world", p.world, NULL};
    pid_t pid = spawn_game(p.b_user, args, &in, &out);
    const char *acts = "move s\nplace e planks\n";
    assert_int_equal(write(in, acts, strlen(acts)), (ssize_t)strlen(acts));
    char got[4096] = "";
    size_t len = 0;
    for (int i = 0; i < 200; i++) {
        ssize_t n = read_some(out, got + len, sizeof got - 1 - len, 50);
        if (n > 0)
            len += (size_t)n;
        got[len] = '\0';
        char *first = strstr(got, "ok\n");
        if (first && strstr(first + 3, "ok\n"))
            break;
    }
    kill(pid, SIGKILL); /* no clean exit: the action's transaction is all there is */
    waitpid(pid, NULL, 0);
    close(in);
    close(out);
    assert_non_null(strstr(strstr(got, "ok\n") + 3, "ok\n"));
    assert_true(sql_int(p.bob, "SELECT count(*) FROM sync_log WHERE kind = 'chunk_edit'") == 1);
    sync_ok(p.b_user, p.bob, p.world);
    sync_ok(p.a_user, p.ann, p.world);
    assert_string_equal(block_at(p.ann, p.world, 1, 65, 1), "planks");
}

/* ------------------------------------------------------------ histories, entries */

static int64_t character_named(Save *s, int64_t world, const char *name)
{
    CharacterRow c;
    Err err = {0};
    if (characters_get_by_name(s, world, name, &c, &err) != MA_OK)
        fail_msg("%s", err.msg);
    int64_t id = c.id;
    character_row_clear(&c);
    return id;
}

/* Something passes between the villager and ann, in one save, as the game writes it. */
static void villager_regard(const char *save, const char *world, const char *ann, int delta, const char *deed)
{
    Save *s = NULL;
    Err err = {0};
    assert_int_equal(save_open(save, 0, &s, &err), MA_OK);
    WorldRow w;
    assert_int_equal(worlds_get_by_name(s, world, &w, &err), MA_OK);
    assert_int_equal(save_begin(s, &err), MA_OK);
    CharacterRow v;
    int64_t npc = 0;
    if (characters_get_by_name(s, w.id, "Mara", &v, &err) == MA_OK) {
        npc = v.id;
        character_row_clear(&v);
    } else {
        memset(&v, 0, sizeof v);
        v.world_id = w.id;
        snprintf(v.name, sizeof v.name, "Mara");
        snprintf(v.character_class, sizeof v.character_class, "villager");
        v.level = 1;
        v.stats = cJSON_Parse("{\"health\": 40}");
        v.appearance = cJSON_Parse("{\"entity_id\": \"villager_test_1\", \"role\": \"smith\"}");
        assert_int_equal(characters_insert(s, &v, &err), MA_OK);
        npc = v.id;
        character_row_clear(&v);
    }
    cJSON *h = cJSON_CreateObject();
    cJSON_AddNumberToObject(h, "turn", 1);
    cJSON_AddStringToObject(h, "deed", deed);
    cJSON_AddNumberToObject(h, "change", delta);
    cJSON_AddStringToObject(h, "reason", deed);
    assert_int_equal(relationships_change(s, npc, character_named(s, w.id, ann), delta, h, NULL, &err), MA_OK);
    cJSON_Delete(h);
    assert_int_equal(save_commit(s, &err), MA_OK);
    world_row_clear(&w);
    save_close(s);
}

static void test_a_villagers_history_from_two_devices_merges_by_entry(void **state)
{
    (void)state;
    Pair p;
    pair_setup(&p, "history", srv.url);
    free(play(p.a_user, p.ann, p.world, "wait\n"));
    villager_regard(p.ann, p.world, p.a_user, 10, "gift");
    sync_ok(p.a_user, p.ann, p.world);
    /* ann's second machine: the same account, her own world. */
    char ann2[400];
    snprintf(ann2, sizeof ann2, "%s/ann2_history.db", dir);
    login(p.a_user, ann2, srv.url, 0);
    RunResult r = MA(p.a_user, NULL, "--save", ann2, "sync", "get", "--server", srv.url, p.world);
    expect_ok(&r, "sync get on the second machine");
    th_run_free(&r);
    /* Offline on both: more happens between Mara and ann. */
    villager_regard(p.ann, p.world, p.a_user, 5, "help");
    villager_regard(ann2, p.world, p.a_user, -3, "insult");
    sync_ok(p.a_user, p.ann, p.world);
    sync_ok(p.a_user, ann2, p.world);
    sync_ok(p.a_user, p.ann, p.world);
    const char *saves[2] = {p.ann, ann2};
    char sql[400];
    snprintf(sql, sizeof sql, "SELECT json_array_length(r.interaction_history) * 1000 + r.relationship_value + 100 FROM "
             "character_relationships r JOIN characters v ON v.id = r.character_id JOIN characters a ON a.id = "
             "r.target_character_id WHERE v.name = 'Mara' AND a.name = '%s'", p.a_user);
    for (int i = 0; i < 2; i++)
        assert_int_equal(sql_int(saves[i], sql), 3 * 1000 + 12 + 100); /* gift, help, insult: 10 + 5 - 3 */
    /* bob sees Mara, shared, with one history of hers. */
    sync_ok(p.b_user, p.bob, p.world);
    assert_int_equal(sql_int(p.bob, sql), 3 * 1000 + 12 + 100);
}

static void test_other_players_log_entries_are_kept_append_only(void **state)
{
    (void)state;
    Pair p;
    pair_setup(&p, "entries", srv.url);
    free(play(p.a_user, p.ann, p.world, "wait\n"));
    setenv("MAGIC_AGENTS", "on", 1);
    RunResult r = MA(p.a_user, NULL, "--save", p.ann, "agents", "run", "--world", p.world, "--days", "1");
    setenv("MAGIC_AGENTS", "off", 1);
    expect_ok(&r, "agents run");
    th_run_free(&r);
    long long made = sql_int(p.ann, "SELECT count(*) FROM world_evolution_log");
    assert_true(made > 0);
    sync_ok(p.a_user, p.ann, p.world);
    sync_ok(p.b_user, p.bob, p.world);
    sync_ok(p.b_user, p.bob, p.world); /* again: nothing twice */
    assert_int_equal(sql_int(p.bob, "SELECT count(*) FROM sync_entries WHERE local_id IS NULL AND kind = 'evolution'"),
                     made);
    r = MA(p.b_user, NULL, "--save", p.bob, "sync", "status", "--world", p.world);
    char want[100];
    snprintf(want, sizeof want, "other players' log entries and story choices kept: %lld", made);
    assert_non_null(strstr(r.out, want));
    th_run_free(&r);
}

/* ------------------------------------------------------------ the client: the sync key and the sidebar */

static void test_the_sync_key_the_sidebar_line_and_the_conflicts_screen(void **state)
{
    (void)state;
    if (!tmux_available()) {
        print_message("tmux is not installed: the client's part is not tried\n");
        return;
    }
    Pair p;
    pair_setup(&p, "tui", srv.url);
    /* A conflict waiting for ann: she built offline where bob built and synced first. */
    free(play(p.a_user, p.ann, p.world, "move s\nplace e planks\nmove n\n"));
    free(play(p.b_user, p.bob, p.world, "move s\nplace e torch\n"));
    sync_ok(p.b_user, p.bob, p.world);
    tmux_init("sync");
    tmux_start("sync", 110, 34, "USER=%s MAGIC_AGENTS=off %s --save %s --continue", p.a_user, getenv("MAGIC_EXE"),
               p.ann);
    /* Opening syncs at once (on the worker): the conflict comes, and the sidebar says so. */
    free(tmux_wait_for("conflict: the server's stands", 10));
    free(tmux_wait_for("1 conflict (o)", 5));
    free(tmux_wait_for("Sync:   synced just now", 5));
    tmux_keys("o");
    free(tmux_wait_for("mine planks, theirs torch", 5));
    tmux_keys("Enter");
    free(tmux_wait_for("Re-apply mine", 5));
    tmux_keys("Enter");
    free(tmux_wait_for("No conflicts", 5));
    tmux_keys("Escape");
    free(tmux_wait_for("yours is back", 5));
    free(tmux_wait_for("Sync:   1 change waiting", 5));
    /* A move, then O: sent in the background. */
    tmux_keys("j");
    tmux_keys("O");
    free(tmux_wait_for("Synced: 2 sent", 10));
    free(tmux_wait_for("Sync:   synced just now", 5));
    tmux_keys("Q");
    tmux_keys("y");
    free(tmux_wait_for("EXIT=0", 10));
    tmux_kill();
    sync_ok(p.b_user, p.bob, p.world);
    assert_string_equal(block_at(p.bob, p.world, 1, 65, 1), "planks");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edits_to_different_blocks_of_one_chunk_merge_and_each_sees_the_other),
        cmocka_unit_test(test_the_same_block_is_a_conflict_kept_shown_and_reapplied),
        cmocka_unit_test(test_a_world_of_an_older_generator_keeps_its_version_when_downloaded),
        cmocka_unit_test(test_a_delete_against_a_change_keeps_the_change_and_the_delete_as_a_conflict),
        cmocka_unit_test(test_a_change_made_while_a_sync_is_in_flight_stays_and_waits_for_the_next),
        cmocka_unit_test(test_a_pulled_chunk_outside_the_world_is_left_out),
        cmocka_unit_test(test_a_push_cut_after_the_server_applied_it_is_applied_once_when_retried),
        cmocka_unit_test(test_the_server_killed_mid_push_loses_and_doubles_nothing),
        cmocka_unit_test(test_an_expired_token_is_refused_with_what_to_do_and_nothing_is_lost),
        cmocka_unit_test(test_someone_elses_world_is_refused_and_cannot_be_downloaded),
        cmocka_unit_test(test_a_change_made_just_before_the_game_was_killed_is_pushed_later),
        cmocka_unit_test(test_a_villagers_history_from_two_devices_merges_by_entry),
        cmocka_unit_test(test_other_players_log_entries_are_kept_append_only),
        cmocka_unit_test_teardown(test_the_sync_key_the_sidebar_line_and_the_conflicts_screen, tmux_teardown),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
