/* test_hardening.c — hostile input against the save and the command line:
 * chunks that do not decode, empty and refused files left untouched,
 * control characters in names, read-only folders and full disks, stale
 * temporaries, hot journals, hashed session tokens, scripts checked before
 * the save is touched. One test (or more) per defect of issue 8's campaign. */
#include "helpers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "game/achieve.h"
#include "save/characters.h"
#include "save/save.h"
#include "save/users.h"
#include "save/worlds.h"
#include "util/sha256.h"
#include "world/render.h"
#include "world/world.h"

static char *dir;
static char mounted[4200]; /* a mount a test made (read-only view, small disk), undone by teardown */

static int setup(void **state)
{
    (void)state;
    dir = th_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (mounted[0]) {
        char cmd[4300];
        snprintf(cmd, sizeof cmd, "umount '%s'", mounted);
        if (system(cmd) != 0)
            fprintf(stderr, "warning: could not unmount %s\n", mounted);
        mounted[0] = '\0';
    }
    chmod(dir, 0700);
    th_tmpdir_free(dir);
    return 0;
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("expected to find \"%s\" in:\n%s", needle, haystack);
}

/* Runs SQL on the file with a plain connection (foreign keys off). */
static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(db);
}

static long long raw_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* RUN(status, args...): the binary, asserting its exit status. */
static RunResult run_expect(int want, const char *const *a)
{
    RunResult r = th_run(NULL, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12],
                         a[13], a[14], a[15], NULL);
    if (r.status != want)
        fail_msg("exit %d, wanted %d\nstdout:\n%s\nstderr:\n%s", r.status, want, r.out, r.err);
    return r;
}
#define RUN(want, ...) run_expect((want), (const char *[17]){__VA_ARGS__, NULL})

/* A save with one flat world "w" and a few stored chunks. */
static const char *make_world_save(const char *name)
{
    const char *p = th_path(dir, name);
    RunResult r = RUN(0, "--save", p, "world", "create", "w", "--seed", "5", "--type", "flat");
    th_run_free(&r);
    r = RUN(0, "--save", p, "pregen", "--world", "w", "--radius", "1");
    th_run_free(&r);
    return p;
}

/* ------------------------------------------------------------ 1: verify decodes every chunk */

/* Palette of 3 names: 3-bit codes, 0..2 blocks, 3 "below", 4 "row"; code 7 is out of range.
 * One token of 4096 blocks of code 7: (4095 << 3) | 7 = 32767 = varint FF FF 01 = "//8B". */
#define BAD_INDEX_CHUNK "{\"palette\":[\"stone\",\"air\",\"dirt\"],\"rle\":\"//8B\"}"

/* Fails unless the file at path holds exactly the len bytes of before (which it frees). */
static void assert_file_is(const char *path, char *before, size_t len)
{
    size_t now_len;
    char *now = th_read_file(path, &now_len);
    assert_int_equal(now_len, len);
    assert_memory_equal(before, now, len);
    free(before);
    free(now);
}

static void test_verify_reports_each_chunk_that_does_not_decode(void **state)
{
    (void)state;
    const char *p = make_world_save("chunks.db");
    RunResult r = RUN(0, "--save", p, "verify");
    th_run_free(&r);
    raw_exec(p, "UPDATE world_chunks SET block_data = '" BAD_INDEX_CHUNK "' "
                "WHERE chunk_x = 0 AND chunk_y = 3 AND chunk_z = 0;"
                "UPDATE world_chunks SET block_data = '{\"palette\":[\"no_such_block\"]}' "
                "WHERE chunk_x = 1 AND chunk_y = 2 AND chunk_z = -1;");
    r = RUN(3, "--save", p, "verify");
    assert_contains(r.out, "world 'w' (id 1): chunk 0,3,0 does not load");
    assert_contains(r.out, "world 'w' (id 1): chunk 1,2,-1 does not load");
    th_run_free(&r);
}

/* A chunk the agents' log needs, broken: verify lists it and says the log could not be checked,
 * exit 3, rather than stopping at it with exit 1. */
static void test_verify_goes_on_past_a_chunk_the_evolution_log_needs(void **state)
{
    (void)state;
    const char *p = th_path(dir, "evolved.db");
    /* A seed whose first day has the agents change blocks (a random one often changes only
     * villagers, whose check needs no chunk): the test is the same on every run. */
    RunResult r = RUN(0, "--save", p, "world", "create", "Evolved", "--seed", "933790028780");
    th_run_free(&r);
    r = th_run("wait days 1\n", "--save", p, "play", "--world", "Evolved", "--script", "-", NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    assert_true(raw_int(p, "SELECT count(*) FROM world_evolution_log "
                           "WHERE json_array_length(changes_made, '$.blocks') > 0") > 0);
    raw_exec(p, "UPDATE world_chunks SET block_data = '" BAD_INDEX_CHUNK "'");
    r = RUN(3, "--save", p, "verify");
    assert_contains(r.out, "does not load");
    assert_contains(r.out, "its evolution log could not be checked");
    assert_contains(r.out, " problems found");
    th_run_free(&r);
}

/* A page of the chunk table overwritten (damage below SQL): every stage that cannot read says so
 * as a problem, exit 3 (it had stopped at the chunks with exit 1, as if verify itself failed). */
/* Overwrites the root page of the chunk table of the save at p with noise. */
static void damage_chunk_page(const char *p)
{
    long long root = raw_int(p, "SELECT rootpage FROM sqlite_schema WHERE name = 'world_chunks'");
    long long size = raw_int(p, "PRAGMA page_size");
    assert_true(root > 1);
    FILE *f = fopen(p, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, (long)((root - 1) * size), SEEK_SET), 0);
    for (long long i = 0; i < size; i++)
        fputc((int)((i * 7919) & 0xFF), f);
    fclose(f);
}

static void test_verify_counts_a_damaged_page_as_problems(void **state)
{
    (void)state;
    const char *p = make_world_save("paged.db");
    damage_chunk_page(p);
    RunResult r = RUN(3, "--save", p, "verify");
    assert_contains(r.out, "PROBLEM integrity");
    assert_contains(r.out, "PROBLEM the chunks could not be checked");
    assert_contains(r.out, " problems found");
    th_run_free(&r);
}

/* A backup of a damaged save holds the damage too (SQLite copies the pages as they are), and
 * restore refuses it: backup says so at once, exit 3, the copy kept. It had said only "backed up". */
static void test_a_backup_of_a_damaged_save_says_it_is_damaged(void **state)
{
    (void)state;
    const char *p = make_world_save("sound.db");
    char *copy = strdup(th_path(dir, "sound-copy.db"));
    RunResult r = RUN(0, "--save", p, "backup", copy);
    assert_contains(r.out, "backed up");
    assert_null(strstr(r.err, "damaged"));
    th_run_free(&r);
    damage_chunk_page(p);
    char *bad = strdup(th_path(dir, "damaged-copy.db"));
    r = RUN(3, "--save", p, "backup", bad);
    assert_contains(r.out, "backed up");
    assert_contains(r.err, "is damaged, and so is this copy of it");
    assert_contains(r.err, "`restore` will refuse it");
    th_run_free(&r);
    assert_int_equal(access(bad, F_OK), 0);
    r = RUN(3, "--save", p, "backup");
    assert_contains(r.err, "/backups/sound/");
    th_run_free(&r);
    /* The sound copy restores over the damaged save. */
    r = RUN(0, "--save", p, "restore", copy);
    th_run_free(&r);
    r = RUN(0, "--save", p, "verify");
    th_run_free(&r);
    free(copy);
    free(bad);
}

/* A backup into the backups folder (`backup`, and the game's own on quit and each game day, all
 * backup_auto) checks its copy before it removes backups past the retention period: a damaged
 * copy removes none, as the older ones may be the last sound copies of the save. */
static void test_a_damaged_backup_removes_no_older_backup(void **state)
{
    (void)state;
    const char *p = make_world_save("kept.db");
    char folder[4300], old[4400];
    snprintf(folder, sizeof folder, "%s/backups/kept", dir);
    snprintf(old, sizeof old, "%s/20200101-000000Z-day.db", folder);
    assert_int_equal(th_sh("mkdir -p '%s'", folder), 0);
    th_copy_file(p, old);
    char *sound = strdup(th_path(dir, "kept-sound.db"));
    th_copy_file(p, sound);
    setenv("BACKUP_RETENTION_DAYS", "7", 1);
    damage_chunk_page(p);
    RunResult r = RUN(3, "--save", p, "backup");
    assert_contains(r.err, "is damaged, and so is this copy of it");
    assert_null(strstr(r.out, "removed"));
    th_run_free(&r);
    assert_int_equal(access(old, F_OK), 0);
    /* Sound again, the same backup removes it: past the 7 days kept. */
    r = RUN(0, "--save", p, "restore", sound);
    th_run_free(&r);
    r = RUN(0, "--save", p, "backup");
    assert_contains(r.out, "(removed 1 backup older than 7 days)");
    th_run_free(&r);
    assert_int_equal(access(old, F_OK), -1);
    unsetenv("BACKUP_RETENTION_DAYS");
    free(sound);
}

/* Read-only commands leave no empty -wal and -shm beside the save (a read-only connection cannot
 * remove them; they had stayed after every info); with another connection open they are its, and
 * stay, and what it writes afterwards is kept. */
static void test_read_only_commands_leave_no_side_files(void **state)
{
    (void)state;
    const char *p = make_world_save("tidy.db");
    char wal[4300], shm[4300];
    snprintf(wal, sizeof wal, "%s-wal", p);
    snprintf(shm, sizeof shm, "%s-shm", p);
    static const char *const cmds[][3] = {{"info"}, {"verify"}, {"world", "list"}, {"render", "--world", "w"}};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        RunResult r = th_run(NULL, "--save", p, cmds[i][0], cmds[i][1], cmds[i][2], NULL);
        assert_int_equal(r.status, 0);
        th_run_free(&r);
        if (access(wal, F_OK) == 0 || access(shm, F_OK) == 0)
            fail_msg("%s left a -wal or -shm beside the save", cmds[i][0]);
    }
    sqlite3 *other = NULL;
    assert_int_equal(sqlite3_open(p, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "SELECT count(*) FROM worlds", NULL, NULL, NULL), SQLITE_OK);
    RunResult r = RUN(0, "--save", p, "info");
    th_run_free(&r);
    assert_int_equal(access(wal, F_OK), 0);
    assert_int_equal(access(shm, F_OK), 0);
    assert_int_equal(sqlite3_exec(other, "UPDATE worlds SET name = 'still'", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    assert_int_equal(raw_int(p, "SELECT count(*) FROM worlds WHERE name = 'still'"), 1);
}

/* --at pictures the world after an entry of its own log: an id the log does not hold, or another
 * world's, is refused (map had said "the world as it was after entry #12345"). */
static void test_at_takes_only_an_entry_of_the_worlds_log(void **state)
{
    (void)state;
    const char *p = th_path(dir, "at.db");
    RunResult r = RUN(0, "--save", p, "world", "create", "Atvale", "--seed", "933790028780");
    th_run_free(&r);
    r = th_run("wait days 1\n", "--save", p, "play", "--script", "-", "--world", "Atvale", NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    long long last = raw_int(p, "SELECT max(id) FROM world_evolution_log");
    assert_true(last > 1);
    char id[32];
    snprintf(id, sizeof id, "%lld", last - 1);
    r = RUN(0, "--save", p, "render", "--world", "Atvale", "--at", id, "--width", "8", "--height", "2");
    char want[64];
    snprintf(want, sizeof want, "after entry #%lld", last - 1);
    assert_contains(r.err, want);
    th_run_free(&r);
    snprintf(id, sizeof id, "%lld", last + 100);
    r = RUN(1, "--save", p, "render", "--world", "Atvale", "--at", id);
    assert_contains(r.err, "there is no such entry in the evolution log");
    th_run_free(&r);
    r = RUN(1, "--save", p, "map", "--world", "Atvale", "--at", id, "--out", th_path(dir, "at.png"));
    assert_contains(r.err, "there is no such entry in the evolution log");
    th_run_free(&r);
    r = RUN(0, "--save", p, "world", "create", "Other", "--type", "flat");
    th_run_free(&r);
    snprintf(id, sizeof id, "%lld", last);
    r = RUN(1, "--save", p, "render", "--world", "Other", "--at", id);
    assert_contains(r.err, "that entry is another world's");
    th_run_free(&r);
}

static void test_restore_refuses_a_backup_whose_chunks_do_not_decode(void **state)
{
    (void)state;
    const char *p = make_world_save("good.db");
    const char *bad = make_world_save("bad.db");
    raw_exec(bad, "UPDATE world_chunks SET block_data = '" BAD_INDEX_CHUNK "' "
                  "WHERE chunk_x = 0 AND chunk_y = 3 AND chunk_z = 0");
    size_t len0;
    char *before = th_read_file(p, &len0);
    RunResult r = RUN(1, "--save", p, "restore", bad);
    assert_contains(r.out, "chunk 0,3,0 does not load");
    assert_contains(r.err, "unchanged");
    th_run_free(&r);
    assert_file_is(p, before, len0);
}

/* A restore from a path with nothing, or with something that is no save, says so in words about
 * the backup (not the advice for --save: "create one with init", "pass another path with
 * --save"), and the save is left as it was. A dump of a table the save lacks says which it has. */
static void test_restore_and_dump_name_what_is_wrong_with_their_argument(void **state)
{
    (void)state;
    const char *p = make_world_save("keep.db");
    size_t len0;
    char *before = th_read_file(p, &len0);
    RunResult r = RUN(1, "--save", p, "restore", th_path(dir, "no-such.bak"));
    assert_contains(r.err, "there is no backup at ");
    assert_contains(r.err, "backup list");
    assert_null(strstr(r.err, "init"));
    th_run_free(&r);
    const char *junk = th_path(dir, "junk.bak");
    th_write_file(junk, "not a save at all, only text\n", -1);
    r = RUN(1, "--save", p, "restore", junk);
    assert_contains(r.err, "junk.bak is not a Magic Adventure save (it is not an SQLite database); a backup must be a "
                           "Magic Adventure save. Not restoring it");
    assert_contains(r.err, "unchanged");
    assert_null(strstr(r.err, "--save"));
    th_run_free(&r);
    assert_file_is(p, before, len0);
    r = RUN(1, "--save", p, "dump", "--table", "nope");
    assert_contains(r.err, "the save has no table \"nope\"; its tables: users, sessions, worlds");
    assert_string_equal(r.out, "");
    th_run_free(&r);
    r = RUN(0, "--save", p, "dump", "--table", "worlds");
    assert_contains(r.out, "worlds");
    th_run_free(&r);
}

/* ------------------------------------------------------------ 10: a second restore keeps both copies */

static void test_second_restore_keeps_the_first_copy_and_names_the_new_one(void **state)
{
    (void)state;
    const char *p = th_path(dir, "r.db");
    RunResult r = RUN(0, "--save", p, "world", "create", "first", "--seed", "1");
    th_run_free(&r);
    r = RUN(0, "--save", p, "backup", th_path(dir, "b.db"));
    th_run_free(&r);
    r = RUN(0, "--save", p, "world", "create", "second", "--seed", "2");
    th_run_free(&r);
    r = RUN(0, "--save", p, "restore", th_path(dir, "b.db"));
    assert_contains(r.out, "kept at ");
    assert_contains(r.out, "r.db.before-restore.bak");
    th_run_free(&r);
    r = RUN(0, "--save", p, "world", "create", "third", "--seed", "3");
    th_run_free(&r);
    r = RUN(0, "--save", p, "restore", th_path(dir, "b.db"));
    assert_contains(r.out, "r.db.before-restore-2.bak");
    th_run_free(&r);
    /* The first copy holds "second", the new one "third": neither was overwritten. */
    assert_int_equal(raw_int(th_path(dir, "r.db.before-restore.bak"), "SELECT count(*) FROM worlds WHERE name = 'second'"), 1);
    assert_int_equal(raw_int(th_path(dir, "r.db.before-restore-2.bak"), "SELECT count(*) FROM worlds WHERE name = 'third'"), 1);
}

/* ------------------------------------------------------------ a damaged save is restored whole */

/* The message for a damaged save says to restore a backup; the restore then works: the damaged
 * file moves aside byte for byte as it was, and the backup takes its place. A world alone cannot
 * be rolled back in a damaged save, and it says so. */
static void test_a_damaged_save_can_be_restored_as_its_message_says(void **state)
{
    (void)state;
    const char *p = th_path(dir, "hurt.db");
    RunResult r = RUN(0, "--save", p, "world", "create", "kept", "--seed", "1");
    th_run_free(&r);
    char good[4096];
    snprintf(good, sizeof good, "%s", th_path(dir, "hurt-good.db"));
    r = RUN(0, "--save", p, "backup", good);
    th_run_free(&r);
    /* The header page overwritten: SQLite reads no schema. */
    FILE *f = fopen(p, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, 100, SEEK_SET), 0);
    for (int i = 0; i < 400; i++)
        fputc(0xA5, f);
    fclose(f);
    size_t len0 = 0;
    char *before = th_read_file(p, &len0);
    r = RUN(1, "--save", p, "info");
    assert_contains(r.err, "is damaged");
    assert_contains(r.err, "restore a backup with `magic-adventure restore FILE`");
    th_run_free(&r);
    r = RUN(1, "--save", p, "restore", good, "--world", "kept");
    assert_contains(r.err, "is damaged, so no world of it can be rolled back");
    th_run_free(&r);
    assert_file_is(p, before, len0);
    before = th_read_file(p, &len0);
    r = RUN(0, "--save", p, "restore", good);
    assert_contains(r.out, "the save as it was (damaged) is kept at ");
    assert_contains(r.out, "hurt.db.damaged.bak");
    th_run_free(&r);
    assert_file_is(th_path(dir, "hurt.db.damaged.bak"), before, len0);
    assert_int_equal(raw_int(p, "SELECT count(*) FROM worlds WHERE name = 'kept'"), 1);
    r = RUN(0, "--save", p, "verify");
    th_run_free(&r);
    /* A save cut short inside SQLite's header (a copy that stopped) is damaged, not foreign: it
     * too is restored over (it had been refused as "not an SQLite database"). */
    const char *cut = th_path(dir, "cut.db");
    FILE *cf = fopen(cut, "wb");
    assert_non_null(cf);
    fwrite("SQLite format 3\0\x10\0\x02\x02", 1, 20, cf);
    fclose(cf);
    r = RUN(1, "--save", cut, "info");
    assert_contains(r.err, "is damaged (an SQLite database cut short at 20 bytes)");
    th_run_free(&r);
    r = RUN(0, "--save", cut, "restore", good);
    assert_contains(r.out, "cut.db.damaged.bak");
    th_run_free(&r);
    assert_int_equal(raw_int(cut, "SELECT count(*) FROM worlds WHERE name = 'kept'"), 1);
    /* Onto a save that is not there yet: nothing was there to keep, and no copy is said kept. */
    const char *fresh = th_path(dir, "fresh.db");
    r = RUN(0, "--save", fresh, "restore", good);
    assert_null(strstr(r.out, "kept at"));
    th_run_free(&r);
    assert_int_equal(access(th_path(dir, "fresh.db.before-restore.bak"), F_OK), -1);
    assert_int_equal(raw_int(fresh, "SELECT count(*) FROM worlds WHERE name = 'kept'"), 1);
}

/* ------------------------------------------------------------ 2: render is linear in a chunk's entities */

/* This program is linked with --wrap=cJSON_GetArrayItem: each call is counted
 * with the number of list steps it walks (its index), so the test can tell a
 * linear walk from a quadratic one without timing anything. */
cJSON *__real_cJSON_GetArrayItem(const cJSON *array, int index);
cJSON *__wrap_cJSON_GetArrayItem(const cJSON *array, int index);
static long long array_steps;

cJSON *__wrap_cJSON_GetArrayItem(const cJSON *array, int index)
{
    array_steps += index > 0 ? index : 0;
    return __real_cJSON_GetArrayItem(array, index);
}

static void test_render_walks_a_chunks_entities_once(void **state)
{
    (void)state;
    const char *p = make_world_save("crowd.db");
    Save *s = NULL;
    Err err = {0};
    BlockRegistry *reg = NULL;
    World *w = NULL;
    assert_int_equal(save_open(p, SAVE_READONLY, &s, &err), MA_OK);
    assert_int_equal(blocks_load_default(&reg, &err), MA_OK);
    assert_int_equal(world_open(s, reg, "w", 0, 8u << 20, &w, &err), MA_OK);
    /* A crowd of 20,000 creatures in the chunk under the view. */
    Chunk *c = world_chunk(w, 0, 4, 0, &err);
    assert_non_null(c);
    enum { CROWD = 20000 };
    for (int i = 0; i < CROWD; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "type", "creature");
        const int pos[3] = {i % 16, 0, (i / 16) % 16};
        cJSON_AddItemToObject(e, "position", cJSON_CreateIntArray(pos, 3));
        cJSON_AddItemToArray(c->entities, e);
    }
    RenderCell cells[16 * 16];
    array_steps = 0;
    assert_int_equal(render_slice(w, 8, 64, 8, 16, 16, cells, &err), MA_OK);
    /* A linear walk reads at most a few items per entity (its position); a
     * walk by index would take CROWD * CROWD / 2 = 200,000,000 steps. */
    if (array_steps > 10LL * CROWD)
        fail_msg("rendering took %lld list steps for %d entities", array_steps, CROWD);
    world_close(w);
    blocks_free(reg);
    save_close(s);
}

/* ------------------------------------------------------------ 4: all data checked at start; NUL bytes refused */

/* A copy of data/ in the test's folder, for MAGIC_DATA_DIR; returns its path. */
static const char *copy_data_dir(void)
{
    const char *src = getenv("MAGIC_TEST_DIR");
    assert_non_null(src);
    static char data[4200];
    snprintf(data, sizeof data, "%s/data", dir);
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "cp -r '%s/../data' '%s'", src, data);
    assert_int_equal(system(cmd), 0);
    return data;
}

/* play --script with MAGIC_DATA_DIR=data: its result. */
static RunResult play_with_data(const char *data, const char *save)
{
    setenv("MAGIC_DATA_DIR", data, 1);
    RunResult r = th_run("wait\n", "--save", save, "play", "--script", "-", NULL);
    unsetenv("MAGIC_DATA_DIR");
    return r;
}

static void test_a_broken_or_missing_dialogue_file_stops_the_game_at_start(void **state)
{
    (void)state;
    const char *data = copy_data_dir();
    th_write_file(th_path(data, "dialogue.json"), "{\"roles\": [", -1);
    RunResult r = play_with_data(data, th_path(dir, "d1.db"));
    assert_int_equal(r.status, 1);
    assert_contains(r.err, "dialogue.json");
    th_run_free(&r);
    unlink(th_path(data, "dialogue.json"));
    r = play_with_data(data, th_path(dir, "d2.db"));
    assert_int_equal(r.status, 1);
    assert_contains(r.err, "dialogue.json");
    th_run_free(&r);
}

static void test_a_nul_byte_in_a_data_file_is_refused_with_its_offset(void **state)
{
    (void)state;
    const char *data = copy_data_dir();
    size_t len;
    char *items = th_read_file(th_path(data, "items.json"), &len);
    /* The whole file, then a NUL and more text: a reader that stops at the NUL sees a good file. */
    char *bad = malloc(len + 32);
    memcpy(bad, items, len);
    memcpy(bad + len, "\0{\"items\": []}", 15);
    th_write_file(th_path(data, "items.json"), bad, (long)len + 15);
    RunResult r = play_with_data(data, th_path(dir, "n.db"));
    assert_int_equal(r.status, 1);
    assert_contains(r.err, "items.json");
    char where[64];
    snprintf(where, sizeof where, "NUL byte at offset %zu", len);
    assert_contains(r.err, where);
    th_run_free(&r);
    free(items);
    free(bad);
}

/* ------------------------------------------------------------ 6, 7: refused and empty files are left as they were */

/* The names in dir, sorted, one a line (heap). */
static char *listing(const char *d)
{
    struct dirent **names = NULL;
    int n = scandir(d, &names, NULL, alphasort);
    assert_true(n >= 0);
    char *out = calloc(1, 1);
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        size_t k = strlen(names[i]->d_name);
        out = realloc(out, len + k + 2);
        memcpy(out + len, names[i]->d_name, k);
        out[len + k] = '\n';
        len += k + 1;
        out[len] = '\0';
        free(names[i]);
    }
    free(names);
    return out;
}

/* Runs every command that opens a save on the refused file at p (as the save,
 * and as the file to restore from), each must fail; then the folder and the
 * file must be exactly as before. */
static void assert_refused_untouched(const char *p, const char *message)
{
    const char *good = th_path(dir, "good.db");
    RunResult r = RUN(0, "--save", good, "init");
    th_run_free(&r);
    size_t len0;
    char *before = th_read_file(p, &len0);
    char *files0 = listing(dir);
    static const char *const cmds[][6] = {
        {"info"}, {"verify"}, {"world", "list"}, {"world", "create", "x"}, {"backup", "copy.db"},
        {"play", "--script", "-"}, {"restore", "other.db"}, {"render", "--world", "x"}, {"sample-data", "--users", "1"},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        r = th_run("wait\n", "--save", p, cmds[i][0], cmds[i][1], cmds[i][2], cmds[i][3], NULL);
        if (r.status == 0 || !strstr(r.err, message))
            fail_msg("%s %s: exit %d, wanted a refusal saying \"%s\":\n%s%s", p, cmds[i][0], r.status, message,
                     r.out, r.err);
        th_run_free(&r);
    }
    r = th_run(NULL, "--save", good, "restore", p, NULL);
    assert_int_equal(r.status, 1);
    assert_contains(r.err, message);
    th_run_free(&r);
    /* restore kept nothing and changed nothing: the good save's copies are not new files either. */
    char *files1 = listing(dir);
    assert_string_equal(files0, files1);
    assert_file_is(p, before, len0);
    free(files0);
    free(files1);}

static void test_newer_save_in_wal_mode_is_refused_without_files_beside_it(void **state)
{
    (void)state;
    const char *p = th_path(dir, "newer.db");
    RunResult r = RUN(0, "--save", p, "init");
    th_run_free(&r);
    raw_exec(p, "PRAGMA user_version = 999");
    assert_int_equal(raw_int(p, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
    assert_refused_untouched(p, "newer version");
}

static void test_other_programs_database_is_refused_without_files_beside_it(void **state)
{
    (void)state;
    const char *p = th_path(dir, "other.db");
    raw_exec(p, "PRAGMA journal_mode = WAL; CREATE TABLE notes (t); INSERT INTO notes VALUES ('mine')");
    assert_refused_untouched(p, "not a Magic Adventure save");
}

static void test_corrupt_save_is_refused_without_files_beside_it(void **state)
{
    (void)state;
    const char *p = th_path(dir, "corrupt.db");
    RunResult r = RUN(0, "--save", p, "init");
    th_run_free(&r);
    size_t len;
    char *bytes = th_read_file(p, &len);
    assert_true(len > 8192);
    memset(bytes + 100, 0xA5, len - 100); /* the header says WAL; every page is garbage */
    th_write_file(p, bytes, (long)len);
    free(bytes);
    assert_refused_untouched(p, "damaged");
}

static void test_empty_file_is_refused_by_all_but_init(void **state)
{
    (void)state;
    const char *p = th_path(dir, "empty.db");
    th_write_file(p, "", 0);
    assert_refused_untouched(p, "is empty");
    RunResult r = RUN(0, "--save", p, "init");
    assert_contains(r.out, "format");
    th_run_free(&r);
    r = RUN(0, "--save", p, "info");
    /* Every table, the design's and the client's and sync's beside them. */
    assert_contains(r.out, "world_evolution_things");
    assert_contains(r.out, "message_log");
    assert_contains(r.out, "sync_conflicts");
    assert_contains(r.out, "sync_entries");
    th_run_free(&r);
    /* An SQLite database with no tables is refused the same, and init says it made a save in it
     * (it said "is up to date"). */
    const char *q = th_path(dir, "no-tables.db");
    raw_exec(q, "CREATE TABLE t (x); DROP TABLE t");
    r = RUN(1, "--save", q, "info");
    assert_contains(r.err, "no tables");
    th_run_free(&r);
    r = RUN(0, "--save", q, "init");
    assert_contains(r.out, "made a save in");
    assert_null(strstr(r.out, "up to date"));
    th_run_free(&r);
    r = RUN(0, "--save", q, "init");
    assert_contains(r.out, "is up to date");
    th_run_free(&r);
}

/* `init` with no --save, in a folder without saves/: the default save is made, folder and all
 * (it said "No such file or directory"). */
static void test_init_makes_the_default_saves_folder(void **state)
{
    (void)state;
    const char *home = th_path(dir, "elsewhere");
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cd '%s' && env -u MAGIC_SAVE '%s' init > out.txt 2>&1", home, home,
             getenv("MAGIC_EXE"));
    assert_int_equal(system(cmd), 0);
    char saved[4096];
    snprintf(saved, sizeof saved, "%s/saves/default.db", home);
    assert_int_equal(raw_int(saved, "SELECT count(*) FROM sqlite_master WHERE name = 'worlds'"), 1);
}

/* `bench codec-model --out` never writes over a file: a shipped model is never replaced. */
static void test_codec_model_never_writes_over_a_file(void **state)
{
    (void)state;
    const char *p = th_path(dir, "model.json");
    th_write_file(p, "KEEP", 4);
    char *before = th_read_file(p, NULL);
    RunResult r = RUN(1, "bench", "codec-model", "--out", p);
    assert_contains(r.err, "already exists; a model once shipped is never replaced");
    th_run_free(&r);
    assert_file_is(p, before, 4);
}

/* ------------------------------------------------------------ 8: a script is checked before the save is touched */

static void test_malformed_script_leaves_the_save_untouched(void **state)
{
    (void)state;
    const char *p = th_path(dir, "play.db");
    RunResult r = th_run("wait\n", "--save", p, "play", "--script", "-", NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    const char *script = th_path(dir, "bad1.txt"), *script3 = th_path(dir, "bad3.txt"), *nul = th_path(dir, "nul.txt");
    th_write_file(script, "fly up\nwait\n", -1);
    th_write_file(script3, "wait\nwait\njump\n", -1);
    th_write_file(nul, "wait\nwa\0it\n", 9);
    size_t len0;
    char *before = th_read_file(p, &len0);
    char *files0 = listing(dir);
    /* Line 1 malformed: nothing may be written, not even the sign-in. */
    r = th_run(NULL, "--save", p, "play", "--script", script, NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "line 1");
    th_run_free(&r);
    /* A file with a malformed line 3 runs none of it. */
    r = th_run(NULL, "--save", p, "play", "--script", script3, NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "line 3");
    assert_null(strstr(r.out, "ok"));
    th_run_free(&r);
    /* A NUL byte in a script is refused with where it is. */
    r = th_run(NULL, "--save", p, "play", "--script", nul, NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "line 2");
    assert_contains(r.err, "NUL");
    th_run_free(&r);
    /* A directory is no script (it had played an empty one, and made a backup); an endless stream
     * without line ends is refused at its first 4096 characters (it had been read whole, without
     * end, into memory). */
    r = th_run(NULL, "--save", p, "play", "--script", dir, NULL);
    assert_int_equal(r.status, 1);
    assert_contains(r.err, "Is a directory");
    th_run_free(&r);
    r = th_run(NULL, "--save", p, "play", "--script", "/dev/zero", NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "line 1 is longer than 4096 characters");
    th_run_free(&r);
    /* A name the save cannot hold is refused, not shortened (in the middle of a character). */
    char long_name[80];
    memset(long_name, 'A', 63);
    memcpy(long_name + 63, "\xc3\xa9", 3);
    r = th_run(NULL, "--save", p, "play", "--script", script, "--world", long_name, NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "a world's name is 1 to 64 bytes (this one is 65)");
    th_run_free(&r);
    r = th_run(NULL, "--save", p, "play", "--script", script, "--character", long_name, NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "a character's name is 1 to 64 bytes");
    th_run_free(&r);
    /* Standard input that is a pipe (a bot's) is read as it comes, but its first action is checked first. */
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "printf '# a bot\\nfly up\\nwait\\n' | '%s' --save '%s' play --script - 2>/dev/null",
             getenv("MAGIC_EXE"), p);
    int status = system(cmd);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 2);
    char *files1 = listing(dir);
    assert_string_equal(files0, files1);
    assert_file_is(p, before, len0);
    free(files0);
    free(files1);
    /* A byte-order mark before the first action (some editors write one) is not an action. */
    const char *bom = th_path(dir, "bom.txt");
    th_write_file(bom, "\xef\xbb\xbfwait 2\n", -1);
    char bom_save[4096];
    snprintf(bom_save, sizeof bom_save, "%s", th_path(dir, "bom.db"));
    r = th_run(NULL, "--save", bom_save, "play", "--script", bom, NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    /* An empty FILE for backup is a usage error (it made a backup into the folder). */
    r = th_run(NULL, "--save", bom_save, "backup", "", NULL);
    assert_int_equal(r.status, 2);
    th_run_free(&r);
    /* A negative format version is damage, not "a newer version (format -1)". */
    raw_exec(bom_save, "PRAGMA user_version = -1");
    r = th_run(NULL, "--save", bom_save, "info", NULL);
    assert_int_equal(r.status, 1);
    assert_contains(r.err, "is damaged (its format version reads -1");
    th_run_free(&r);
}

/* ------------------------------------------------------------ 9: control characters in names */

/* ESC ] 0 ; pwned BEL retitles a terminal; CSI as a C1 control (U+009B) moves its cursor. */
#define OSC_NAME "w\x1b]0;pwned\x07"

static void assert_no_control_bytes(const char *text, const char *what)
{
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        if ((*c < 0x20 && *c != '\n') || *c == 0x7f || (c[0] == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f))
            fail_msg("%s printed a raw control byte 0x%02x:\n%s", what, *c, text);
}

static void test_names_with_control_characters_are_refused_by_the_save(void **state)
{
    (void)state;
    Save *s = NULL;
    Err err = {0};
    assert_int_equal(save_open(th_path(dir, "names.db"), SAVE_CREATE, &s, &err), MA_OK);
    UserRow u = {0};
    snprintf(u.username, sizeof u.username, "bob\x07");
    u.is_active = 1;
    assert_int_equal(users_insert(s, &u, &err), MA_ERR_INVALID);
    assert_contains(err.msg, "control character");
    snprintf(u.username, sizeof u.username, "bob");
    assert_int_equal(users_insert(s, &u, &err), MA_OK);
    WorldRow w = {0};
    snprintf(w.name, sizeof w.name, OSC_NAME);
    w.is_active = 1;
    assert_int_equal(worlds_insert(s, &w, &err), MA_ERR_INVALID);
    assert_contains(err.msg, "control character");
    assert_no_control_bytes(err.msg, "the message");
    snprintf(w.name, sizeof w.name, "w\xc2\x9b" "2J"); /* C1 CSI */
    assert_int_equal(worlds_insert(s, &w, &err), MA_ERR_INVALID);
    snprintf(w.name, sizeof w.name, "w\x7f");
    assert_int_equal(worlds_insert(s, &w, &err), MA_ERR_INVALID);
    snprintf(w.name, sizeof w.name, "w\xff"); /* not UTF-8 */
    assert_int_equal(worlds_insert(s, &w, &err), MA_ERR_INVALID);
    snprintf(w.name, sizeof w.name, "Wörld ✦");
    assert_int_equal(worlds_insert(s, &w, &err), MA_OK);
    snprintf(w.name, sizeof w.name, "\x1b[2J");
    assert_int_equal(worlds_update(s, &w, &err), MA_ERR_INVALID);
    CharacterRow c = {0};
    c.user_id = u.id;
    c.world_id = w.id;
    c.level = 1;
    snprintf(c.name, sizeof c.name, "hero\x1b[31m");
    snprintf(c.character_class, sizeof c.character_class, "warrior");
    assert_int_equal(characters_insert(s, &c, &err), MA_ERR_INVALID);
    snprintf(c.name, sizeof c.name, "hero");
    assert_int_equal(characters_insert(s, &c, &err), MA_OK);
    snprintf(c.name, sizeof c.name, "he\rro");
    assert_int_equal(characters_update(s, &c, &err), MA_ERR_INVALID);
    user_row_clear(&u);
    world_row_clear(&w);
    character_row_clear(&c);
    save_close(s);

    RunResult r = RUN(1, "--save", th_path(dir, "names.db"), "world", "create", OSC_NAME);
    assert_contains(r.err, "control character");
    assert_no_control_bytes(r.err, "world create");
    th_run_free(&r);
}

static void test_names_already_in_a_save_are_printed_escaped(void **state)
{
    (void)state;
    /* An older save (or one edited by hand) may hold such names already. */
    const char *p = th_path(dir, "old-names.db");
    RunResult r = RUN(0, "--save", p, "world", "create", "plain", "--type", "flat");
    th_run_free(&r);
    r = th_run("wait\n", "--save", p, "play", "--script", "-", "--world", "plain", NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    raw_exec(p, "UPDATE worlds SET name = 'w' || char(27) || ']0;pwned' || char(7);"
                "UPDATE characters SET name = 'hero' || char(155) || '2J' WHERE user_id IS NOT NULL");
    r = RUN(0, "--save", p, "world", "list");
    assert_no_control_bytes(r.out, "world list");
    assert_contains(r.out, "w\\x1b]0;pwned\\x07");
    th_run_free(&r);
    r = RUN(0, "--save", p, "info");
    assert_no_control_bytes(r.out, "info");
    assert_contains(r.out, "w\\x1b]0;pwned\\x07");
    th_run_free(&r);
    r = th_run("wait\n", "--save", p, "play", "--script", "-", NULL);
    assert_int_equal(r.status, 0);
    assert_no_control_bytes(r.out, "play");
    assert_contains(r.out, "hero\\u009b2J");
    th_run_free(&r);
    /* The developers' tools too (chunk, pregen and dump printed the name raw). */
    const char *name = "w\x1b]0;pwned\x07";
    r = RUN(0, "--save", p, "chunk", "--world", name, "0", "4", "0");
    assert_no_control_bytes(r.out, "chunk");
    assert_contains(r.out, "w\\x1b]0;pwned\\x07");
    th_run_free(&r);
    r = RUN(0, "--save", p, "pregen", "--world", name, "--radius", "0");
    assert_no_control_bytes(r.out, "pregen");
    th_run_free(&r);
    r = RUN(0, "--save", p, "dump", "--table", "worlds");
    assert_no_control_bytes(r.out, "dump");
    assert_contains(r.out, "w\\x1b]0;pwned\\x07");
    th_run_free(&r);
    r = RUN(1, "--save", p, "render", "--world", "NOPE\x1b[2J");
    assert_no_control_bytes(r.err, "render");
    th_run_free(&r);
}

/* ------------------------------------------------------------ 14: session tokens are stored as hashes */

static void test_sha256_matches_the_fips_180_vectors(void **state)
{
    (void)state;
    char hex[SHA256_HEX_LEN];
    assert_string_equal(sha256_hex("", 0, hex), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_string_equal(sha256_hex("abc", 3, hex), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 56 bytes: the padding needs a second block */
    assert_string_equal(sha256_hex(two, strlen(two), hex),
                        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char *million = malloc(1000000);
    memset(million, 'a', 1000000);
    assert_string_equal(sha256_hex(million, 1000000, hex),
                        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(million);
}

#define TOKEN "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define TOKEN_HASH "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"

static void test_session_tokens_are_stored_only_as_hashes(void **state)
{
    (void)state;
    const char *p = th_path(dir, "tokens.db");
    Save *s = NULL;
    Err err = {0};
    assert_int_equal(save_open(p, SAVE_CREATE, &s, &err), MA_OK);
    UserRow u = {0};
    snprintf(u.username, sizeof u.username, "ada");
    assert_int_equal(users_insert(s, &u, &err), MA_OK);
    SessionRow r = {0};
    r.user_id = u.id;
    snprintf(r.session_token, sizeof r.session_token, TOKEN);
    snprintf(r.expires_at, sizeof r.expires_at, "2099-01-01T00:00:00Z");
    assert_int_equal(sessions_create(s, &r, &err), MA_OK);
    SessionRow got = {0};
    assert_int_equal(sessions_get_by_token(s, TOKEN, &got, &err), MA_OK);
    assert_int_equal(got.id, r.id);
    session_row_clear(&got);
    assert_int_equal(sessions_get_by_token(s, TOKEN_HASH, &got, &err), MA_ERR_NOT_FOUND); /* the hash is no key */
    assert_int_equal(sessions_deactivate(s, TOKEN, &err), MA_OK);
    user_row_clear(&u);
    session_row_clear(&r);
    save_close(s);
    assert_int_equal(raw_int(p, "SELECT count(*) FROM sessions WHERE session_token = '" TOKEN_HASH "' AND is_active = 0"), 1);
    size_t len;
    char *bytes = th_read_file(p, &len);
    assert_null(memmem(bytes, len, TOKEN, strlen(TOKEN)));
    free(bytes);
    /* verify finds a token kept in plain text (planted by hand). */
    RunResult rr = RUN(0, "--save", p, "verify");
    th_run_free(&rr);
    raw_exec(p, "INSERT INTO sessions (user_id, session_token, expires_at) VALUES (1, 'plain-token-0123456789', '2099-01-01')");
    rr = RUN(3, "--save", p, "verify");
    assert_contains(rr.out, "is not a SHA-256 hash");
    th_run_free(&rr);
}

static void test_upgrade_hashes_the_session_tokens_already_stored(void **state)
{
    (void)state;
    /* A format-3 save with a plain token, made from the migrations of the source tree. */
    const char *p = th_path(dir, "v3.db");
    for (int v = 1; v <= 3; v++) {
        static const char *const names[] = {"", "001_initial_schema", "002_add_indexes", "003_character_state"};
        char path[4200];
        snprintf(path, sizeof path, "%s/../data/migrations/%s.sql", getenv("MAGIC_TEST_DIR"), names[v]);
        char *sql = th_read_file(path, NULL);
        assert_non_null(sql);
        raw_exec(p, sql);
        free(sql);
    }
    raw_exec(p, "PRAGMA user_version = 3; INSERT INTO users (username) VALUES ('ada');"
                "INSERT INTO sessions (user_id, session_token, expires_at) VALUES (1, '" TOKEN "', '2099-01-01T00:00:00.000Z')");
    Save *s = NULL;
    Err err = {0};
    assert_int_equal(save_open(p, 0, &s, &err), MA_OK);
    SessionRow got = {0};
    assert_int_equal(sessions_get_by_token(s, TOKEN, &got, &err), MA_OK);
    assert_int_equal(got.user_id, 1);
    session_row_clear(&got);
    save_close(s);
    assert_int_equal(raw_int(p, "SELECT count(*) FROM sessions WHERE session_token = '" TOKEN_HASH "'"), 1);
}

/* ------------------------------------------------------------ 12: stale temporaries of killed processes */

static void test_stale_temporaries_of_dead_processes_are_removed_by_the_next_writer(void **state)
{
    (void)state;
    char p[4200]; /* th_path's buffers rotate: keep a copy */
    snprintf(p, sizeof p, "%s", th_path(dir, "stale.db"));
    RunResult r = RUN(0, "--save", p, "init");
    th_run_free(&r);
    pid_t dead = fork();
    if (dead == 0)
        _exit(0);
    waitpid(dead, NULL, 0);
    char bak_dir[4200];
    snprintf(bak_dir, sizeof bak_dir, "%s/backups/stale", dir);
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", bak_dir);
    assert_int_equal(system(cmd), 0);
    const char *stale[] = {"stale.db.v1.bak.tmp-%d", "stale.db.v1.bak.tmp-%d-journal", "stale.db.before-restore.bak.tmp-%d",
                           "backups/stale/20261127-031740-quit.db.tmp-%d", "backups/stale/20261127-031740-quit.db.tmp-%d-journal"};
    const char *kept[] = {"stale.db.v2.bak.tmp-%d" /* live: this test's own pid */, "other.db.tmp-%d" /* not this save's */,
                          "stale.db.tmp-12x%d" /* not a pid */};
    char name[256];
    for (size_t i = 0; i < 5; i++) {
        snprintf(name, sizeof name, stale[i], (int)dead);
        th_write_file(th_path(dir, name), "half a backup", -1);
    }
    for (size_t i = 0; i < 3; i++) {
        snprintf(name, sizeof name, kept[i], i == 0 ? (int)getpid() : (int)dead);
        th_write_file(th_path(dir, name), "keep me", -1);
    }
    r = RUN(0, "--save", p, "info"); /* a reader leaves them */
    assert_null(strstr(r.err, "stale"));
    th_run_free(&r);
    snprintf(name, sizeof name, stale[0], (int)dead);
    assert_int_equal(access(th_path(dir, name), F_OK), 0);
    r = RUN(0, "--save", p, "world", "create", "w");
    assert_contains(r.err, "removed 5 stale temporary files");
    th_run_free(&r);
    for (size_t i = 0; i < 5; i++) {
        snprintf(name, sizeof name, stale[i], (int)dead);
        if (access(th_path(dir, name), F_OK) == 0)
            fail_msg("%s is still there", name);
    }
    for (size_t i = 0; i < 3; i++) {
        snprintf(name, sizeof name, kept[i], i == 0 ? (int)getpid() : (int)dead);
        if (access(th_path(dir, name), F_OK) != 0)
            fail_msg("%s was removed", name);
    }
}

/* ------------------------------------------------------------ 13: a hot journal left by a killed writer */

/* A format-1 save in rollback-journal mode (as older saves and backups are),
 * with a writer killed halfway through a big change: PATH-journal is hot. */
static void make_hot_journal(const char *p)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/../data/migrations/001_initial_schema.sql", getenv("MAGIC_TEST_DIR"));
    char *v1 = th_read_file(path, NULL);
    assert_non_null(v1);
    raw_exec(p, v1);
    free(v1);
    raw_exec(p, "PRAGMA user_version = 1; INSERT INTO worlds (name, seed) VALUES ('kept', 7);"
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
                "INSERT INTO world_chunks (world_id, chunk_x, chunk_y, chunk_z, block_data) "
                "SELECT 1, i, 0, 0, json_object('palette', json_array('stone'), 'pad', hex(randomblob(300))) FROM n");
    pid_t pid = fork();
    if (pid == 0) {
        sqlite3 *db = NULL;
        sqlite3_open(p, &db);
        sqlite3_exec(db, "PRAGMA cache_size = 2; BEGIN; UPDATE world_chunks SET chunk_y = 1; "
                         "UPDATE worlds SET name = 'half-renamed'", NULL, NULL, NULL);
        kill(getpid(), SIGKILL); /* the change spilled into the file; the journal holds the old pages */
        _exit(1);
    }
    int status;
    waitpid(pid, &status, 0);
    char journal[4200];
    snprintf(journal, sizeof journal, "%s-journal", p);
    struct stat st;
    assert_int_equal(stat(journal, &st), 0);
    assert_true(st.st_size > 0);
}

static void test_read_only_commands_cope_with_a_hot_journal(void **state)
{
    (void)state;
    const char *p = th_path(dir, "hot.db");
    make_hot_journal(p);
    RunResult r = RUN(0, "--save", p, "info");
    assert_contains(r.out, "format: 1");
    assert_contains(r.err, "unfinished change");
    th_run_free(&r);
    r = RUN(3, "--save", p, "verify"); /* format 1 is older: verify says to upgrade */
    assert_contains(r.out, "save format 1");
    th_run_free(&r);
    r = RUN(0, "--save", p, "backup", th_path(dir, "hot-copy.db"));
    th_run_free(&r);
    assert_int_equal(raw_int(th_path(dir, "hot-copy.db"), "SELECT count(*) FROM worlds WHERE name = 'kept'"), 1);
    assert_int_equal(raw_int(th_path(dir, "hot-copy.db"), "SELECT count(*) FROM world_chunks WHERE chunk_y = 1"), 0);
}

/* ------------------------------------------------------------ 5: read-only folders and full disks */

/* A read-only view of folder src: the folder itself made 0555 when not root;
 * as root (who ignores permissions) a read-only bind mount, when this machine
 * allows mounts. NULL when neither is possible. */
static const char *read_only_view(const char *src)
{
    if (getuid() != 0) {
        chmod(src, 0555);
        return src;
    }
    static char view[4200];
    snprintf(view, sizeof view, "%s/ro-view", dir);
    mkdir(view, 0700);
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "mount --bind '%s' '%s' 2>/dev/null", src, view);
    if (system(cmd) != 0)
        return NULL;
    snprintf(mounted, sizeof mounted, "%s", view);
    snprintf(cmd, sizeof cmd, "mount -o remount,bind,ro '%s' 2>/dev/null", view);
    return system(cmd) == 0 ? view : NULL;
}

static void test_read_only_folder_is_read_and_writers_say_what_to_do(void **state)
{
    (void)state;
    char src[4200], p[4200], copy[4200];
    snprintf(src, sizeof src, "%s/saves", dir);
    mkdir(src, 0700);
    snprintf(p, sizeof p, "%s/ro.db", src);
    RunResult r = RUN(0, "--save", p, "world", "create", "w", "--type", "flat");
    th_run_free(&r);
    /* A change committed to the -wal by a writer that died before folding it in (-shm beside). */
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        sqlite3 *db = NULL;
        if (sqlite3_open(p, &db) != SQLITE_OK ||
            sqlite3_exec(db, "PRAGMA wal_autocheckpoint = 0; UPDATE worlds SET name = 'walled'", NULL, NULL, NULL) !=
                SQLITE_OK)
            _exit(1);
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    char side[4300];
    snprintf(side, sizeof side, "%s-wal", p);
    assert_int_equal(access(side, F_OK), 0);
    const char *view = read_only_view(src);
    if (!view) {
        fprintf(stderr, "skipped: no read-only folder can be made here (root without mount); the messages are "
                        "checked through the VFS shim test below\n");
        skip();
    }
    snprintf(p, sizeof p, "%s/ro.db", view);
    snprintf(copy, sizeof copy, "%s/copy.db", dir);
    r = RUN(0, "--save", p, "info");
    assert_contains(r.out, "format: ");
    th_run_free(&r);
    r = RUN(0, "--save", p, "verify");
    th_run_free(&r);
    /* What the -wal holds is read (it had been read as immutable, the file alone: "w"). */
    r = RUN(0, "--save", p, "world", "list");
    assert_contains(r.out, "flat");
    assert_contains(r.out, "walled");
    th_run_free(&r);
    r = RUN(0, "--save", p, "backup", copy);
    th_run_free(&r);
    assert_int_equal(raw_int(copy, "SELECT count(*) FROM worlds WHERE name = 'walled'"), 1);
    /* Into its backups folder, which cannot be made there (it had said "read-only (No such file
     * or directory)" and "To play, copy the save"). */
    r = RUN(1, "--save", p, "backup");
    assert_contains(r.err, "the folder it goes in is read-only (");
    assert_null(strstr(r.err, "No such file"));
    assert_contains(r.err, "give backup a FILE in a writable folder");
    th_run_free(&r);
    r = th_run("wait\n", "--save", p, "play", "--script", "-", NULL);
    assert_int_equal(r.status, 1);
    assert_contains(r.err, "read-only");
    assert_contains(r.err, "copy the save");
    th_run_free(&r);
    r = RUN(1, "--save", p, "world", "create", "x");
    assert_contains(r.err, "read-only");
    th_run_free(&r);
    char fresh[4200];
    snprintf(fresh, sizeof fresh, "%s/new.db", view);
    r = RUN(1, "--save", fresh, "init");
    assert_contains(r.err, "read-only");
    th_run_free(&r);
}

static void test_full_disk_says_the_disk_is_full(void **state)
{
    (void)state;
    if (getuid() != 0)
        skip();
    char disk[4200], p[4200], cmd[9000];
    snprintf(disk, sizeof disk, "%s/small-disk", dir);
    mkdir(disk, 0700);
    snprintf(cmd, sizeof cmd, "mount -t tmpfs -o size=1m tmpfs '%s' 2>/dev/null", disk);
    if (system(cmd) != 0) {
        fprintf(stderr, "skipped: cannot mount a small tmpfs here; the VFS shim test checks the message\n");
        skip();
    }
    snprintf(mounted, sizeof mounted, "%s", disk);
    snprintf(p, sizeof p, "%s/full.db", disk);
    RunResult r = RUN(0, "--save", p, "world", "create", "w", "--type", "flat");
    th_run_free(&r);
    r = th_run(NULL, "--save", p, "pregen", "--world", "w", "--radius", "8", NULL);
    assert_int_equal(r.status, 1);
    assert_contains(r.err, "is full");
    assert_contains(r.err, "free some space");
    th_run_free(&r);
    r = th_run(NULL, "--save", p, "backup", th_path(disk, "copy.db"), NULL);
    assert_int_equal(r.status, 1);
    assert_contains(r.err, "is full");
    th_run_free(&r);
}

/* A VFS over the default one whose writes fail once a budget is spent, with
 * a chosen result and errno: how the game words a full disk or an I/O error
 * without needing one. */
typedef struct ShimFile {
    sqlite3_file base;
    sqlite3_file *real;
} ShimFile;

static sqlite3_vfs *real_vfs;
static int shim_writes_left = -1, shim_fail_rc, shim_errno;

static int shim_close(sqlite3_file *f)
{
    ShimFile *s = (ShimFile *)f;
    int rc = s->real->pMethods ? s->real->pMethods->xClose(s->real) : SQLITE_OK;
    sqlite3_free(s->real);
    return rc;
}
#define REAL(f) (((ShimFile *)(f))->real)
static int shim_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o) { return REAL(f)->pMethods->xRead(REAL(f), b, n, o); }
static int shim_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
    if (shim_writes_left == 0) {
        errno = shim_errno; /* as a failed write(2) leaves it */
        return shim_fail_rc;
    }
    if (shim_writes_left > 0)
        shim_writes_left--;
    return REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}
static int shim_truncate(sqlite3_file *f, sqlite3_int64 n) { return REAL(f)->pMethods->xTruncate(REAL(f), n); }
static int shim_sync(sqlite3_file *f, int fl) { return REAL(f)->pMethods->xSync(REAL(f), fl); }
static int shim_size(sqlite3_file *f, sqlite3_int64 *n) { return REAL(f)->pMethods->xFileSize(REAL(f), n); }
static int shim_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int shim_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int shim_reserved(sqlite3_file *f, int *r) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), r); }
static int shim_fcntl(sqlite3_file *f, int op, void *a) { return REAL(f)->pMethods->xFileControl(REAL(f), op, a); }
static int shim_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int shim_device(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int shim_shm_map(sqlite3_file *f, int i, int sz, int ext, void volatile **p)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), i, sz, ext, p);
}
static int shim_shm_lock(sqlite3_file *f, int o, int n, int fl) { return REAL(f)->pMethods->xShmLock(REAL(f), o, n, fl); }
static void shim_shm_barrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int shim_shm_unmap(sqlite3_file *f, int del) { return REAL(f)->pMethods->xShmUnmap(REAL(f), del); }

static const sqlite3_io_methods shim_io = {
    2, shim_close, shim_read, shim_write, shim_truncate, shim_sync, shim_size, shim_lock, shim_unlock, shim_reserved,
    shim_fcntl, shim_sector, shim_device, shim_shm_map, shim_shm_lock, shim_shm_barrier, shim_shm_unmap, NULL, NULL,
};

static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    (void)vfs;
    ShimFile *s = (ShimFile *)f;
    s->real = sqlite3_malloc(real_vfs->szOsFile);
    memset(s->real, 0, (size_t)real_vfs->szOsFile);
    int rc = real_vfs->xOpen(real_vfs, name, s->real, flags, out_flags);
    s->base.pMethods = rc == SQLITE_OK ? &shim_io : NULL;
    if (rc != SQLITE_OK) {
        sqlite3_free(s->real);
        s->real = NULL;
    }
    return rc;
}
static int shim_delete(sqlite3_vfs *v, const char *n, int sync) { (void)v; return real_vfs->xDelete(real_vfs, n, sync); }
static int shim_access(sqlite3_vfs *v, const char *n, int fl, int *out) { (void)v; return real_vfs->xAccess(real_vfs, n, fl, out); }
static int shim_full(sqlite3_vfs *v, const char *n, int sz, char *out) { (void)v; return real_vfs->xFullPathname(real_vfs, n, sz, out); }
static int shim_random(sqlite3_vfs *v, int n, char *out) { (void)v; return real_vfs->xRandomness(real_vfs, n, out); }
static int shim_sleep(sqlite3_vfs *v, int us) { (void)v; return real_vfs->xSleep(real_vfs, us); }
static int shim_time(sqlite3_vfs *v, double *t) { (void)v; return real_vfs->xCurrentTime(real_vfs, t); }
static int shim_last_error(sqlite3_vfs *v, int n, char *b) { (void)v; (void)n; (void)b; return shim_errno; }
static int shim_time64(sqlite3_vfs *v, sqlite3_int64 *t) { (void)v; return real_vfs->xCurrentTimeInt64(real_vfs, t); }

static sqlite3_vfs shim_vfs = {
    2, 0, 1024, NULL, "hardening-shim", NULL, shim_open, shim_delete, shim_access, shim_full, NULL, NULL, NULL, NULL,
    shim_random, shim_sleep, shim_time, shim_last_error, shim_time64, NULL, NULL, NULL,
};

/* Opens a save through the shim, lets one world in, then fails every later
 * write with rc (and errno e); returns the message of the failed write. */
static void failing_write_message(int rc, int e, char *msg, size_t size)
{
    real_vfs = sqlite3_vfs_find(NULL);
    shim_vfs.szOsFile = (int)sizeof(ShimFile);
    shim_vfs.mxPathname = real_vfs->mxPathname;
    assert_int_equal(sqlite3_vfs_register(&shim_vfs, 1), SQLITE_OK);
    shim_writes_left = -1;
    shim_fail_rc = rc;
    shim_errno = e;
    Save *s = NULL;
    Err err = {0};
    char p[4200];
    snprintf(p, sizeof p, "%s/shim-%d-%d.db", dir, rc, e);
    assert_int_equal(save_open(p, SAVE_CREATE, &s, &err), MA_OK);
    WorldRow w = {0};
    snprintf(w.name, sizeof w.name, "first");
    assert_int_equal(worlds_insert(s, &w, &err), MA_OK);
    shim_writes_left = 0;
    snprintf(w.name, sizeof w.name, "second");
    int status = save_begin(s, &err);
    if (status == MA_OK) {
        status = worlds_insert(s, &w, &err);
        if (status == MA_OK)
            status = save_commit(s, &err);
        else
            save_rollback(s);
    }
    assert_int_not_equal(status, MA_OK);
    snprintf(msg, size, "%s", err.msg);
    shim_writes_left = -1;
    save_close(s);
    sqlite3_vfs_unregister(&shim_vfs);
}

static void test_a_full_disk_and_an_io_error_are_worded_by_what_happened(void **state)
{
    (void)state;
    char msg[800];
    failing_write_message(SQLITE_FULL, ENOSPC, msg, sizeof msg);
    assert_contains(msg, "is full");
    assert_contains(msg, "free some space");
    /* Some writes (the WAL index, fsync) report ENOSPC as a plain I/O error. */
    failing_write_message(SQLITE_IOERR_WRITE, ENOSPC, msg, sizeof msg);
    assert_contains(msg, "is full");
    failing_write_message(SQLITE_IOERR_WRITE, EIO, msg, sizeof msg);
    assert_contains(msg, "the disk reported an error");
    assert_contains(msg, "Input/output error");
    failing_write_message(SQLITE_READONLY, EROFS, msg, sizeof msg);
    assert_contains(msg, "read-only");
}

/* ------------------------------------------------------------ found by fuzzing (tests/fuzz) */

/* fuzz_data_files: an "after" naming an achievement looked for past an entry
 * with no name compared against NULL (a crash in strcmp). */
static void test_achievements_after_a_nameless_entry_are_refused_not_crashed(void **state)
{
    (void)state;
    static const char json[] =
        "{\"achievements\": [{\"name\": \"a\", \"title\": \"A\", \"description\": \"d\", \"points\": 1, "
        "\"after\": \"b\", \"counter\": {\"key\": \"k\", \"target\": 1, \"label\": \"l\"}}, {\"title\": \"no name\"}]}";
    AchieveBook *b = NULL;
    Err err = {0};
    assert_int_equal(achieve_book_load(json, sizeof json - 1, "achievements.json", &b, &err), MA_ERR_INVALID);
    assert_null(b);
    assert_contains(err.msg, "after must name another achievement");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_verify_reports_each_chunk_that_does_not_decode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_goes_on_past_a_chunk_the_evolution_log_needs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_counts_a_damaged_page_as_problems, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_backup_of_a_damaged_save_says_it_is_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_damaged_backup_removes_no_older_backup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_only_commands_leave_no_side_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_at_takes_only_an_entry_of_the_worlds_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_makes_the_default_saves_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_codec_model_never_writes_over_a_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_refuses_a_backup_whose_chunks_do_not_decode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_damaged_save_can_be_restored_as_its_message_says, setup, teardown),
        cmocka_unit_test_setup_teardown(test_render_walks_a_chunks_entities_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_broken_or_missing_dialogue_file_stops_the_game_at_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_nul_byte_in_a_data_file_is_refused_with_its_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_save_in_wal_mode_is_refused_without_files_beside_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_programs_database_is_refused_without_files_beside_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_save_is_refused_without_files_beside_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_file_is_refused_by_all_but_init, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_script_leaves_the_save_untouched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names_with_control_characters_are_refused_by_the_save, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names_already_in_a_save_are_printed_escaped, setup, teardown),
        cmocka_unit_test(test_sha256_matches_the_fips_180_vectors),
        cmocka_unit_test_setup_teardown(test_session_tokens_are_stored_only_as_hashes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_hashes_the_session_tokens_already_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_temporaries_of_dead_processes_are_removed_by_the_next_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_only_commands_cope_with_a_hot_journal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_only_folder_is_read_and_writers_say_what_to_do, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_disk_says_the_disk_is_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_full_disk_and_an_io_error_are_worded_by_what_happened, setup, teardown),
        cmocka_unit_test(test_achievements_after_a_nameless_entry_are_refused_not_crashed),
        cmocka_unit_test_setup_teardown(test_second_restore_keeps_the_first_copy_and_names_the_new_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_and_dump_name_what_is_wrong_with_their_argument, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
