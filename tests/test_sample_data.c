/* test_sample_data.c — sample data made by the game itself (src/sample/):
 * every table filled by the game's own functions, verify-clean (also the
 * game's own invariants: achievements and quests it could have made), the
 * same save for the same seed, names kept unique when run twice, bad
 * arguments refused, and the command line. verify is shown to catch what the
 * game could not have made. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sample/sample.h"
#include "save/dump.h"
#include "save/save.h"

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = th_tmpdir();
    setenv("MAGIC_BCRYPT_COST", "4", 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    th_tmpdir_free(dir);
    return 0;
}

static void generate(const char *name, int users, uint64_t seed, int steps, SampleStats *stats)
{
    Save *s = NULL;
    Err err = {0};
    SampleStats local;
    if (save_open(th_path(dir, name), SAVE_CREATE, &s, &err) != MA_OK)
        fail_msg("%s", err.msg);
    if (sample_generate(s, users, seed, steps, stats ? stats : &local, &err) != MA_OK)
        fail_msg("sample_generate(%d users, seed %llu): %s", users, (unsigned long long)seed, err.msg);
    save_close(s);
}

static int64_t count(const char *name, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(th_path(dir, name), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void expect_verify_clean(const char *name)
{
    RunResult r = th_run(NULL, "--save", th_path(dir, name), "verify", NULL);
    if (r.status != 0)
        fail_msg("verify %s (%d):\n%s%s", name, r.status, r.out, r.err);
    th_run_free(&r);
}

static char *dump_of(const char *name)
{
    Save *s = NULL;
    Err err = {0};
    assert_int_equal(save_open(th_path(dir, name), SAVE_READONLY, &s, &err), MA_OK);
    char *text = save_dump_text(s, SAVE_DUMP_STABLE, &err);
    assert_non_null(text);
    save_close(s);
    return text;
}

static void test_every_table_gets_rows_made_by_the_game(void **state)
{
    (void)state;
    SampleStats st;
    generate("all.db", 6, 3, 60, &st);
    assert_int_equal(st.users, 6);
    assert_int_equal(st.worlds, 2);
    assert_int_equal(st.characters, 6);
    assert_int_equal(st.actions, 6 * 60);
    assert_true(st.done > st.actions / 2); /* most of what the bot tries, the game carries out */
    for (int i = 0; save_table_names[i]; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", save_table_names[i]);
        if (count("all.db", sql) <= 0)
            fail_msg("table %s is empty after sample data", save_table_names[i]);
    }
    assert_int_equal(count("all.db", "SELECT count(*) FROM users"), 6);
    assert_int_equal(count("all.db", "SELECT count(*) FROM characters WHERE user_id IS NOT NULL"), 6);
    /* Every third player has a password and signed in; a session expires a day after it starts. */
    assert_int_equal(count("all.db", "SELECT count(*) FROM users WHERE password_hash LIKE '$2b$%'"), 2);
    assert_int_equal(count("all.db", "SELECT count(*) FROM sessions WHERE expires_at > created_at"), 2);
    /* The six agents of each world, and what they did, logged. */
    assert_int_equal(count("all.db", "SELECT count(*) FROM ai_agents"), 12);
    assert_true(count("all.db", "SELECT count(*) FROM world_evolution_log") > 20);
    assert_true(count("all.db", "SELECT count(*) FROM world_events WHERE event_type = 'season'") >= 2);
    /* Story choices that the game's story rules took (each with its undo record). */
    assert_int_equal(count("all.db", "SELECT count(*) FROM player_choices"),
                     count("all.db", "SELECT count(*) FROM story_choice_undo"));
    expect_verify_clean("all.db");
}

static void test_verify_is_clean_for_other_seeds_and_sizes(void **state)
{
    (void)state;
    generate("v1.db", 2, 1, 40, NULL);
    expect_verify_clean("v1.db");
    generate("v2.db", 7, 2, 30, NULL);
    expect_verify_clean("v2.db");
}

static void test_the_same_seed_gives_the_same_save_and_other_seeds_differ(void **state)
{
    (void)state;
    generate("same_a.db", 4, 9, 40, NULL);
    generate("same_b.db", 4, 9, 40, NULL);
    generate("other.db", 4, 10, 40, NULL);
    char *a = dump_of("same_a.db"), *b = dump_of("same_b.db"), *c = dump_of("other.db");
    if (strcmp(a, b) != 0) {
        size_t i = 0;
        while (a[i] && a[i] == b[i])
            i++;
        size_t from = i > 80 ? i - 80 : 0;
        fail_msg("the same seed gave different saves:\n  ...%.240s\n  ...%.240s", a + from, b + from);
    }
    assert_true(strcmp(a, c) != 0);
    free(a);
    free(b);
    free(c);
}

static void test_running_twice_keeps_names_unique_and_verify_clean(void **state)
{
    (void)state;
    generate("twice.db", 3, 1, 20, NULL);
    generate("twice.db", 3, 1, 20, NULL);
    assert_int_equal(count("twice.db", "SELECT count(*) FROM users"), 6);
    assert_int_equal(count("twice.db", "SELECT count(DISTINCT username) FROM users"), 6);
    assert_int_equal(count("twice.db", "SELECT count(DISTINCT name) FROM worlds"), 2);
    expect_verify_clean("twice.db");
}

static void test_bad_arguments_are_refused_and_nothing_is_written(void **state)
{
    (void)state;
    Save *s = NULL;
    Err err = {0};
    SampleStats st;
    assert_int_equal(save_open(th_path(dir, "bad.db"), SAVE_CREATE, &s, &err), MA_OK);
    assert_int_equal(sample_generate(s, 0, 1, 10, &st, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "1 to 10000 users"));
    assert_int_equal(sample_generate(s, 2, 1, -1, &st, &err), MA_ERR_INVALID);
    save_close(s);
    assert_int_equal(count("bad.db", "SELECT count(*) FROM users"), 0);
    RunResult r = th_run(NULL, "--save", th_path(dir, "bad.db"), "sample-data", "--steps", "many", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--steps"));
    th_run_free(&r);
}

static void test_cli_sample_data_then_verify_exits_0(void **state)
{
    (void)state;
    RunResult r = th_run(NULL, "--save", th_path(dir, "cli.db"), "sample-data", "--users", "3", "--seed", "5", NULL);
    if (r.status != 0)
        fail_msg("%s%s", r.out, r.err);
    assert_non_null(strstr(r.out, "3 players, 1 world, 3 characters"));
    th_run_free(&r);
    expect_verify_clean("cli.db");
}

/* verify is only worth something if it notices what the game could not have made. */
static void test_verify_catches_what_the_game_could_not_have_made(void **state)
{
    (void)state;
    generate("broken.db", 3, 1, 30, NULL);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(th_path(dir, "broken.db"), &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE achievements SET achievement_name = 'First Steps' WHERE id = "
                                  "(SELECT min(id) FROM achievements);"
                                  "UPDATE quests SET details = '{}' WHERE id = (SELECT min(id) FROM quests);"
                                  "PRAGMA ignore_check_constraints = ON;"
                                  "UPDATE character_relationships SET relationship_value = 150 WHERE id = "
                                  "(SELECT min(id) FROM character_relationships);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    RunResult r = th_run(NULL, "--save", th_path(dir, "broken.db"), "verify", NULL);
    assert_int_equal(r.status, 3);
    assert_non_null(strstr(r.out, "is 'First Steps', which the game does not have"));
    assert_non_null(strstr(r.out, "is not one the game can play"));
    assert_non_null(strstr(r.out, "relationship_value 150 is outside -100..100"));
    th_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_table_gets_rows_made_by_the_game),
        cmocka_unit_test(test_verify_is_clean_for_other_seeds_and_sizes),
        cmocka_unit_test(test_the_same_seed_gives_the_same_save_and_other_seeds_differ),
        cmocka_unit_test(test_running_twice_keeps_names_unique_and_verify_clean),
        cmocka_unit_test(test_bad_arguments_are_refused_and_nothing_is_written),
        cmocka_unit_test(test_cli_sample_data_then_verify_exits_0),
        cmocka_unit_test(test_verify_catches_what_the_game_could_not_have_made),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
