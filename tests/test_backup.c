/* test_backup.c — automatic backups (schedule, folder, retention, list) and
 * restoring one world or one character from a backup without touching the
 * rest of the save. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "save/backup.h"
#include "save/save.h"

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = th_tmpdir();
    unsetenv("MAGIC_BACKUP_SCHEDULE");
    unsetenv("BACKUP_RETENTION_DAYS");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unsetenv("MAGIC_BACKUP_SCHEDULE");
    unsetenv("BACKUP_RETENTION_DAYS");
    th_tmpdir_free(dir);
    return 0;
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("expected to find \"%s\" in:\n%s", needle, haystack);
}

static RunResult run_expect(int want, const char *input, const char *const *a)
{
    RunResult r = th_run(input, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], NULL);
    if (r.status != want)
        fail_msg("exit %d, wanted %d\nstdout:\n%s\nstderr:\n%s", r.status, want, r.out, r.err);
    return r;
}
#define RUN(want, ...) run_expect((want), NULL, (const char *[13]){__VA_ARGS__, NULL})
#define PLAY(want, script, ...) run_expect((want), (script), (const char *[13]){__VA_ARGS__, NULL})

static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    /* As the game has them: a deletion takes what hangs off the row with it. */
    assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(db);
}

/* Every row that sql (with ?1 bound to name) returns from the file, as text (heap). */
static char *dump(const char *path, const char *sql, const char *name)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (name)
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    size_t len = 0, cap = 256;
    char *out = malloc(cap);
    out[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const char *t = (const char *)sqlite3_column_text(st, i);
            size_t k = t ? strlen(t) : 4;
            while (len + k + 3 > cap)
                out = realloc(out, cap *= 2);
            memcpy(out + len, t ? t : "NULL", k);
            len += k;
            out[len++] = i + 1 < sqlite3_column_count(st) ? '|' : '\n';
            out[len] = '\0';
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

#define WORLD "(SELECT id FROM worlds WHERE name = ?1)"
#define CHARS "(SELECT id FROM characters WHERE world_id = " WORLD ")"
/* Everything that hangs off a world, by its name. */
static const char *const world_rows[] = {
    "SELECT * FROM worlds WHERE name = ?1",
    "SELECT * FROM world_chunks WHERE world_id = " WORLD " ORDER BY id",
    "SELECT * FROM characters WHERE world_id = " WORLD " ORDER BY id",
    "SELECT * FROM inventory WHERE character_id IN " CHARS " ORDER BY id",
    "SELECT * FROM character_skills WHERE character_id IN " CHARS " ORDER BY id",
    "SELECT * FROM character_state WHERE character_id IN " CHARS " ORDER BY id",
    "SELECT * FROM character_relationships WHERE character_id IN " CHARS " ORDER BY id",
    "SELECT * FROM quest_progress WHERE character_id IN " CHARS " ORDER BY id",
    "SELECT * FROM player_choices WHERE character_id IN " CHARS " ORDER BY id",
    "SELECT * FROM stories WHERE world_id = " WORLD " ORDER BY id",
    "SELECT * FROM story_branches WHERE story_id IN (SELECT id FROM stories WHERE world_id = " WORLD ") ORDER BY id",
    "SELECT * FROM quests WHERE world_id = " WORLD " ORDER BY id",
    "SELECT * FROM quest_objectives WHERE quest_id IN (SELECT id FROM quests WHERE world_id = " WORLD ") ORDER BY id",
    "SELECT * FROM agent_memory WHERE world_id = " WORLD " ORDER BY id",
    "SELECT * FROM world_evolution_log WHERE world_id = " WORLD " ORDER BY id",
    "SELECT * FROM world_events WHERE world_id = " WORLD " ORDER BY id",
};
/* What belongs to no world. */
static const char *const global_rows[] = {
    "SELECT * FROM users ORDER BY id", "SELECT * FROM sessions ORDER BY id", "SELECT * FROM achievements ORDER BY id",
    "SELECT * FROM ai_agents ORDER BY id", "SELECT * FROM crafting_recipes ORDER BY id",
};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* All of a world's rows (name NULL: the global rows), as text (heap). */
static char *world_dump(const char *path, const char *name)
{
    const char *const *q = name ? world_rows : global_rows;
    size_t n = name ? NELEM(world_rows) : NELEM(global_rows);
    char *all = calloc(1, 1);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        char *d = dump(path, q[i], name);
        size_t k = strlen(d);
        all = realloc(all, len + k + 16);
        len += (size_t)sprintf(all + len, "#%zu\n%s", i, d);
        free(d);
    }
    return all;
}

static char *world_names(const char *path)
{
    return dump(path, "SELECT name FROM worlds ORDER BY id", NULL);
}

/* A save full of sample data (4 worlds, 30 steps played by each player), its backup, then changes to every world. */
static void make_changed_save(const char *p, const char *bak)
{
    RunResult r = RUN(0, "--save", p, "sample-data", "--users", "12", "--seed", "3", "--steps", "30");
    th_run_free(&r);
    r = RUN(0, "--save", p, "backup", bak);
    th_run_free(&r);
    raw_exec(p, "UPDATE characters SET level = level + 5, position_x = position_x + 3;"
                "DELETE FROM inventory WHERE id % 3 = 0;"
                "UPDATE character_relationships SET relationship_value = relationship_value / 2;"
                "UPDATE worlds SET metadata = json_set(metadata, '$.changed', 1);"
                "UPDATE world_chunks SET version = version + 1;"
                "DELETE FROM quest_progress WHERE id % 2 = 0;"
                "UPDATE character_skills SET skill_level = skill_level + 1;"
                "DELETE FROM character_state WHERE id % 2 = 1;"
                /* Choices are changed, not deleted: a story's position must follow from its choices (verify). */
                "UPDATE player_choices SET choice_text = choice_text || ' (changed)' WHERE id % 2 = 1;");
}

/* ------------------------------------------------------------ schedule, folder, retention */

static void test_schedule_and_retention_come_from_the_environment(void **state)
{
    (void)state;
    int when;
    Err err = {0};
    assert_int_equal(backup_schedule_parse("quit,day", &when, &err), MA_OK);
    assert_int_equal(when, BACKUP_ON_QUIT | BACKUP_DAILY);
    assert_int_equal(backup_schedule_parse("day", &when, &err), MA_OK);
    assert_int_equal(when, BACKUP_DAILY);
    assert_int_equal(backup_schedule_parse("off", &when, &err), MA_OK);
    assert_int_equal(when, 0);
    assert_int_equal(backup_schedule_parse("hourly", &when, &err), MA_ERR_INVALID);
    assert_contains(err.msg, "hourly");
    BackupSettings set;
    assert_int_equal(backup_settings_from_env(&set, &err), MA_OK);
    assert_int_equal(set.when, BACKUP_ON_QUIT | BACKUP_DAILY);
    assert_int_equal(set.retention_days, 30);
    setenv("MAGIC_BACKUP_SCHEDULE", "quit", 1);
    setenv("BACKUP_RETENTION_DAYS", "7", 1);
    assert_int_equal(backup_settings_from_env(&set, &err), MA_OK);
    assert_int_equal(set.when, BACKUP_ON_QUIT);
    assert_int_equal(set.retention_days, 7);
    setenv("BACKUP_RETENTION_DAYS", "a week", 1);
    assert_int_equal(backup_settings_from_env(&set, &err), MA_ERR_INVALID);
    assert_contains(err.msg, "BACKUP_RETENTION_DAYS");
    assert_int_equal(set.retention_days, 30); /* a bad value keeps the default */
}

static void test_play_backs_up_on_quit_and_when_a_new_game_day_begins(void **state)
{
    (void)state;
    const char *p = th_path(dir, "adventure.db");
    RunResult r = PLAY(0, "wait\n", "--save", p, "play", "--script", "-");
    th_run_free(&r);
    r = RUN(0, "--save", p, "backup", "list");
    assert_contains(r.out, "backups/adventure");
    assert_contains(r.out, " quit ");
    assert_null(strstr(r.out, " day "));
    th_run_free(&r);
    /* 720 turns are a game day: the scripts go on until the clock has crossed into day 2 (a creature
     * may attack a waiting player at spawn and cut each wait short, so how many turns a script takes
     * is the world's to say; no wait crosses more than one day). Each script quits, and each quit
     * is a backup; so is each day begun. */
    long turns = 0;
    int runs = 0;
    while (turns < 800 && runs < 200) {
        r = PLAY(0, "wait 100\nwait 100\nwait 100\nwait 100\nwait 100\n", "--save", p, "play", "--script", "-");
        const char *t = strstr(r.out, "turns: ");
        assert_non_null(t);
        turns = atol(t + 7);
        th_run_free(&r);
        runs++;
    }
    int days_begun = (int)(turns / 720); /* the first script waited 1 turn of day 1 */
    assert_true(days_begun >= 1);
    BackupInfo *v = NULL;
    int n = 0;
    Err err = {0};
    assert_int_equal(backup_list(p, &v, &n, &err), MA_OK);
    assert_int_equal(n, 1 + runs + days_begun);
    int quits = 0, days = 0;
    for (int i = 0; i < n; i++) {
        quits += strcmp(v[i].reason, "quit") == 0;
        days += strcmp(v[i].reason, "day") == 0;
        assert_true(v[i].bytes > 4096);
        assert_true(v[i].time_ms > 0);
        assert_non_null(strstr(v[i].path, "/backups/adventure/"));
    }
    assert_int_equal(quits, 1 + runs);
    assert_int_equal(days, days_begun);
    /* A backup is a whole save: restore takes it. */
    r = RUN(0, "--save", p, "restore", v[0].path);
    th_run_free(&r);
    free(v);
    /* The schedule is the player's: off means none. */
    setenv("MAGIC_BACKUP_SCHEDULE", "off", 1);
    r = PLAY(0, "wait 800\n", "--save", p, "play", "--script", "-");
    th_run_free(&r);
    assert_int_equal(backup_list(p, &v, &n, &err), MA_OK);
    assert_int_equal(n, 1 + runs + days_begun);
    free(v);
    setenv("MAGIC_BACKUP_SCHEDULE", "sometimes", 1);
    r = PLAY(0, "wait\n", "--save", p, "play", "--script", "-");
    assert_contains(r.err, "MAGIC_BACKUP_SCHEDULE");
    th_run_free(&r);
}

static void test_backups_older_than_the_retention_are_pruned(void **state)
{
    (void)state;
    const char *p = th_path(dir, "old.db");
    RunResult r = RUN(0, "--save", p, "init");
    th_run_free(&r);
    char folder[4096], path[4200];
    backup_folder(p, folder, sizeof folder);
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", folder);
    assert_int_equal(system(cmd), 0);
    static const char *const names[] = {"20200101-000000Z-quit.db", "20200102-120000Z-day.db",
                                        "20200102-120000Z-day-2.db", "notes.txt"};
    for (size_t i = 0; i < NELEM(names); i++) {
        snprintf(path, sizeof path, "%s/%s", folder, names[i]);
        th_write_file(path, "an old backup", -1);
    }
    /* Kept forever with 0. */
    setenv("BACKUP_RETENTION_DAYS", "0", 1);
    r = RUN(0, "--save", p, "backup");
    assert_contains(r.out, "backed up");
    th_run_free(&r);
    BackupInfo *v = NULL;
    int n = 0;
    Err err = {0};
    assert_int_equal(backup_list(p, &v, &n, &err), MA_OK);
    assert_int_equal(n, 4); /* notes.txt is not a backup */
    assert_string_equal(v[0].reason, "quit");
    assert_string_equal(v[0].time, "2020-01-01T00:00:00.000Z");
    assert_string_equal(v[3].reason, "manual");
    free(v);
    setenv("BACKUP_RETENTION_DAYS", "30", 1);
    r = RUN(0, "--save", p, "backup");
    assert_contains(r.out, "removed 3 backups older than 30 days");
    th_run_free(&r);
    assert_int_equal(backup_list(p, &v, &n, &err), MA_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].reason, "manual");
    free(v);
    snprintf(path, sizeof path, "%s/notes.txt", folder);
    assert_int_equal(access(path, F_OK), 0);
    r = RUN(0, "--save", p, "backup", "list");
    assert_contains(r.out, "kept 30 days");
    assert_contains(r.out, "manual");
    th_run_free(&r);
}

/* ------------------------------------------------------------ world rollback */

static void test_world_rollback_restores_one_world_and_leaves_the_others(void **state)
{
    (void)state;
    char p[4200], bak[4200];
    snprintf(p, sizeof p, "%s", th_path(dir, "worlds.db"));
    snprintf(bak, sizeof bak, "%s", th_path(dir, "worlds-backup.db"));
    make_changed_save(p, bak);
    char *names = world_names(p);
    const char *target = "Amberfell";
    assert_non_null(strstr(names, target));
    /* The other worlds and the global rows, before. */
    char *others[8] = {0};
    int n_others = 0;
    for (char *line = strtok(names, "\n"); line && n_others < 8; line = strtok(NULL, "\n"))
        if (strcmp(line, target) != 0)
            others[n_others++] = line;
    assert_true(n_others >= 3);
    char *before[8];
    for (int i = 0; i < n_others; i++)
        before[i] = world_dump(p, others[i]);
    char *global_before = world_dump(p, NULL);
    char *target_before = world_dump(p, target);
    char *target_backup = world_dump(bak, target);
    assert_string_not_equal(target_before, target_backup);

    RunResult r = RUN(0, "--save", p, "restore", bak, "--world", target);
    assert_contains(r.out, "rolled world 'Amberfell'");
    assert_contains(r.out, "the rest of the save was not touched");
    assert_contains(r.out, "before-restore.bak");
    th_run_free(&r);

    char *target_after = world_dump(p, target);
    assert_string_equal(target_after, target_backup);
    for (int i = 0; i < n_others; i++) {
        char *after = world_dump(p, others[i]);
        assert_string_equal(after, before[i]);
        free(after);
        free(before[i]);
    }
    char *global_after = world_dump(p, NULL);
    assert_string_equal(global_after, global_before);
    r = RUN(0, "--save", p, "verify");
    th_run_free(&r);

    /* A world the backup does not have: refused, nothing changed, no copy left behind. */
    char *everything = world_dump(p, target);
    r = RUN(1, "--save", p, "restore", bak, "--world", "Atlantis");
    assert_contains(r.err, "no world named 'Atlantis'");
    th_run_free(&r);
    char *again = world_dump(p, target);
    assert_string_equal(everything, again);
    assert_int_not_equal(access(th_path(dir, "worlds.db.before-restore-2.bak"), F_OK), 0);
    free(everything);
    free(again);
    free(names);
    free(global_before);
    free(global_after);
    free(target_before);
    free(target_backup);
    free(target_after);
}

/* ------------------------------------------------------------ character recovery */

#define CHAR "(SELECT id FROM characters WHERE name = ?1)"
/* A character's own rows, by its name (the test checks the name is unique in the save). */
static const char *const character_rows[] = {
    "SELECT * FROM characters WHERE name = ?1",
    "SELECT * FROM inventory WHERE character_id = " CHAR " ORDER BY id",
    "SELECT * FROM character_skills WHERE character_id = " CHAR " ORDER BY id",
    "SELECT * FROM character_state WHERE character_id = " CHAR " ORDER BY id",
    "SELECT * FROM character_relationships WHERE character_id = " CHAR " ORDER BY id",
    "SELECT * FROM quest_progress WHERE character_id = " CHAR " ORDER BY id",
    "SELECT * FROM player_choices WHERE character_id = " CHAR " ORDER BY id",
};

static char *character_dump(const char *path, const char *name)
{
    char *all = calloc(1, 1);
    size_t len = 0;
    for (size_t i = 0; i < NELEM(character_rows); i++) {
        char *d = dump(path, character_rows[i], name);
        all = realloc(all, len + strlen(d) + 16);
        len += (size_t)sprintf(all + len, "#%zu\n%s", i, d);
        free(d);
    }
    return all;
}

static void test_character_recovery_restores_one_character_only(void **state)
{
    (void)state;
    char p[4200], bak[4200];
    snprintf(p, sizeof p, "%s", th_path(dir, "chars.db"));
    snprintf(bak, sizeof bak, "%s", th_path(dir, "chars-backup.db"));
    make_changed_save(p, bak);
    const char *world = "Amberfell";
    /* The player's character with the most rows of its own, and everyone else in its world. */
    char *who = dump(p, "SELECT c.name FROM characters c WHERE c.world_id = " WORLD " AND c.user_id IS NOT NULL "
                        "ORDER BY (SELECT count(*) FROM character_relationships r WHERE r.character_id = c.id) DESC, "
                        "c.id LIMIT 1", world);
    who[strcspn(who, "\n")] = '\0';
    char *same_name = dump(p, "SELECT count(*) FROM characters WHERE name = ?1", who);
    assert_string_equal(same_name, "1\n");
    free(same_name);
    char *others = dump(p, "SELECT name FROM characters WHERE world_id = " WORLD " ORDER BY id", world);
    char *mine_backup = character_dump(bak, who);
    char *mine_before = character_dump(p, who);
    assert_string_not_equal(mine_before, mine_backup);
    /* What others hold (including their relationships with this character) and the other worlds. */
    char *rest_before = dump(p, "SELECT * FROM characters WHERE name <> ?1 ORDER BY id", who);
    char *rel_before = dump(p, "SELECT * FROM character_relationships WHERE character_id <> " CHAR " ORDER BY id", who);
    char *inv_before = dump(p, "SELECT * FROM inventory WHERE character_id <> " CHAR " ORDER BY id", who);
    char *world_before = world_dump(p, "Brightwater");

    RunResult r = RUN(0, "--save", p, "restore", bak, "--world", world, "--character", who);
    assert_contains(r.out, "recovered character");
    th_run_free(&r);

    char *mine_after = character_dump(p, who);
    assert_string_equal(mine_after, mine_backup);
    char *rest_after = dump(p, "SELECT * FROM characters WHERE name <> ?1 ORDER BY id", who);
    char *rel_after = dump(p, "SELECT * FROM character_relationships WHERE character_id <> " CHAR " ORDER BY id", who);
    char *inv_after = dump(p, "SELECT * FROM inventory WHERE character_id <> " CHAR " ORDER BY id", who);
    char *world_after = world_dump(p, "Brightwater");
    assert_string_equal(rest_after, rest_before);
    assert_string_equal(rel_after, rel_before);
    assert_string_equal(inv_after, inv_before);
    assert_string_equal(world_after, world_before);
    r = RUN(0, "--save", p, "verify");
    th_run_free(&r);

    r = RUN(2, "--save", p, "restore", bak, "--character", who);
    assert_contains(r.err, "--world");
    th_run_free(&r);
    r = RUN(1, "--save", p, "restore", bak, "--world", world, "--character", "Nobody Atall");
    assert_contains(r.err, "no character named 'Nobody Atall'");
    th_run_free(&r);
    free(who);
    free(others);
    free(mine_backup);
    free(mine_before);
    free(mine_after);
    free(rest_before);
    free(rest_after);
    free(rel_before);
    free(rel_after);
    free(inv_before);
    free(inv_after);
    free(world_before);
    free(world_after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schedule_and_retention_come_from_the_environment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_play_backs_up_on_quit_and_when_a_new_game_day_begins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backups_older_than_the_retention_are_pruned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_world_rollback_restores_one_world_and_leaves_the_others, setup, teardown),
        cmocka_unit_test_setup_teardown(test_character_recovery_restores_one_character_only, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
