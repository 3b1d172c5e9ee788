/* test_sample_data.c — the sample data generator: every table filled with
 * rows that follow the design, verify-clean for several seeds and sizes,
 * the same bytes for the same seed, safe to run twice, all or nothing, and
 * reachable from the command line. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "save/save.h"
#include "save/sample_data.h"
#include "util/timeutil.h"

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = th_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    th_tmpdir_free(dir);
    return 0;
}

static Save *open_new(const char *name)
{
    Save *s = NULL;
    Err err = {0};
    if (save_open(th_path(dir, name), SAVE_CREATE, &s, &err) != MA_OK)
        fail_msg("save_open %s: %s", name, err.msg);
    return s;
}

static void generate(Save *s, int users, uint64_t seed, SampleDataStats *stats)
{
    Err err = {0};
    SampleDataStats local;
    if (sample_data_generate(s, users, seed, stats ? stats : &local, &err) != MA_OK)
        fail_msg("sample_data_generate(%d users, seed %llu): %s", users, (unsigned long long)seed, err.msg);
}

/* A new save called name with sample data, reopened raw for queries. */
static sqlite3 *generated(const char *name, int users, uint64_t seed, SampleDataStats *stats)
{
    Save *s = open_new(name);
    generate(s, users, seed, stats);
    save_close(s);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(th_path(dir, name), &db), SQLITE_OK);
    return db;
}

static int64_t q64(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

/* Fails with the query when it does not give want. */
static void expect(sqlite3 *db, int64_t want, const char *sql)
{
    int64_t got = q64(db, sql);
    if (got != want)
        fail_msg("got %lld, want %lld: %s", (long long)got, (long long)want, sql);
}

static void expect_positive(sqlite3 *db, const char *sql)
{
    int64_t got = q64(db, sql);
    if (got <= 0)
        fail_msg("got %lld, want > 0: %s", (long long)got, sql);
}

typedef struct Text {
    char *p;
    size_t len, cap;
} Text;

static void text_add(Text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        assert_non_null(t->p);
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static void collect(const char *problem, void *ud)
{
    Text *t = ud;
    text_add(t, problem, strlen(problem));
    text_add(t, "\n", 1);
}

/* save_verify on the save at name: the number of problems; their text in *out (heap). */
static int verify_save(const char *name, char **out)
{
    Save *s = NULL;
    Err err = {0};
    if (save_open(th_path(dir, name), SAVE_READONLY, &s, &err) != MA_OK)
        fail_msg("save_open %s: %s", name, err.msg);
    Text t = {0};
    text_add(&t, "", 0);
    int n = save_verify(s, collect, &t, &err);
    save_close(s);
    if (n < 0)
        fail_msg("verify %s could not run: %s", name, err.msg);
    *out = t.p;
    return n;
}

static void expect_verify_clean(const char *name)
{
    char *problems = NULL;
    int n = verify_save(name, &problems);
    if (n != 0)
        fail_msg("%s: %d problems:\n%.3000s", name, n, problems);
    free(problems);
}

/* Every row of every table in id order, each value with its type: two
 * saves are the same when their dumps are. */
static char *dump_tables(sqlite3 *db)
{
    Text t = {0};
    for (int i = 0; save_table_names[i]; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY id", save_table_names[i]);
        text_add(&t, sql, strlen(sql));
        text_add(&t, "\n", 1);
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                char type = "?ifbtn"[sqlite3_column_type(st, c)];
                const char *v = (const char *)sqlite3_column_text(st, c);
                text_add(&t, &type, 1);
                text_add(&t, v ? v : "", v ? strlen(v) : 0);
                text_add(&t, "\x1f", 1);
            }
            text_add(&t, "\n", 1);
        }
        sqlite3_finalize(st);
    }
    return t.p;
}

/* ------------------------------------------------------------ tests */

static void test_every_table_gets_rows_and_stats_count_them(void **state)
{
    (void)state;
    SampleDataStats stats = {0};
    sqlite3 *db = generated("all.db", 5, 1, &stats);
    int64_t total = 0;
    for (int i = 0; save_table_names[i]; i++) {
        /* The evolution index is the agents' own (src/agents): sample data writes no agent changes. */
        if (strcmp(save_table_names[i], "world_evolution_things") == 0)
            continue;
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", save_table_names[i]);
        int64_t n = q64(db, sql);
        if (n <= 0)
            fail_msg("table %s is empty after sample-data", save_table_names[i]);
        total += n;
    }
    assert_int_equal(stats.users, 5);
    expect(db, 5, "SELECT count(*) FROM users");
    assert_int_equal(stats.worlds, 2); /* one world per ~3 users */
    expect(db, 2, "SELECT count(*) FROM worlds");
    assert_int_equal(stats.characters, q64(db, "SELECT count(*) FROM characters"));
    assert_int_equal(stats.rows, total);
    sqlite3_close(db);
}

static void test_verify_is_clean_for_several_seeds_and_sizes(void **state)
{
    (void)state;
    static const int sizes[] = {1, 5, 40};
    static const uint64_t seeds[] = {1, 42, 987654321987ULL};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
            char name[64];
            snprintf(name, sizeof name, "clean-%d-%zu.db", sizes[i], k);
            SampleDataStats stats = {0};
            sqlite3 *db = generated(name, sizes[i], seeds[k], &stats);
            assert_int_equal(stats.users, sizes[i]);
            assert_int_equal(stats.worlds, (sizes[i] + 2) / 3);
            sqlite3_close(db);
            expect_verify_clean(name);
        }
}

static void test_same_seed_gives_identical_tables_and_other_seeds_differ(void **state)
{
    (void)state;
    sqlite3 *a = generated("same-a.db", 6, 7, NULL);
    sqlite3 *b = generated("same-b.db", 6, 7, NULL);
    sqlite3 *c = generated("other.db", 6, 8, NULL);
    char *da = dump_tables(a), *db = dump_tables(b), *dc = dump_tables(c);
    if (strcmp(da, db) != 0) {
        size_t i = 0;
        while (da[i] && da[i] == db[i])
            i++;
        fail_msg("same seed, different rows, first at byte %zu: ...%.200s", i, da + (i > 100 ? i - 100 : 0));
    }
    assert_true(strlen(da) > 10000);
    assert_true(strcmp(da, dc) != 0);
    /* Not only the shared rows (agents, recipes) but the per-seed ones differ. */
    assert_true(q64(a, "SELECT seed FROM worlds WHERE id = 1") != q64(c, "SELECT seed FROM worlds WHERE id = 1"));
    free(da);
    free(db);
    free(dc);
    sqlite3_close(a);
    sqlite3_close(b);
    sqlite3_close(c);
}

static void test_running_twice_keeps_names_unique_and_verify_clean(void **state)
{
    (void)state;
    Save *s = open_new("twice.db");
    SampleDataStats first = {0}, second = {0}, third = {0};
    generate(s, 8, 3, &first);
    generate(s, 8, 3, &second); /* the same seed: every name is taken */
    generate(s, 4, 99, &third);
    save_close(s);
    expect_verify_clean("twice.db");
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(th_path(dir, "twice.db"), &db), SQLITE_OK);
    expect(db, 20, "SELECT count(*) FROM users");
    expect(db, 3 + 3 + 2, "SELECT count(*) FROM worlds");
    expect_positive(db, "SELECT count(*) FROM users WHERE username LIKE '%\\_2' ESCAPE '\\'");
    expect_positive(db, "SELECT count(*) FROM worlds WHERE name LIKE '% 2'");
    /* Shared rows are not duplicated. */
    expect(db, 6, "SELECT count(*) FROM ai_agents");
    expect(db, 12, "SELECT count(*) FROM crafting_recipes");
    /* stats.rows counts what each run added. */
    int64_t total = 0;
    for (int i = 0; save_table_names[i]; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", save_table_names[i]);
        total += q64(db, sql);
    }
    assert_int_equal(first.rows + second.rows + third.rows, total);
    /* The same seed drew the same rows again, but for the shared 6 agents and 12 recipes. */
    assert_int_equal(second.rows, first.rows - 18);
    assert_true(third.rows > 0);
    sqlite3_close(db);
}

static void test_cli_sample_data_then_verify_exits_0(void **state)
{
    (void)state;
    const char *p = th_path(dir, "cli.db");
    RunResult r = th_run(NULL, "--save", p, "sample-data", "--users", "3", "--seed", "9", NULL);
    if (r.status != 0)
        fail_msg("sample-data exited %d: %s", r.status, r.err);
    assert_non_null(strstr(r.out, "3 users, 1 worlds"));
    th_run_free(&r);
    r = th_run(NULL, "--save", p, "verify", NULL);
    if (r.status != 0)
        fail_msg("verify exited %d:\n%s", r.status, r.out);
    th_run_free(&r);
    r = th_run(NULL, "--save", p, "info", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "world_evolution_log"));
    th_run_free(&r);
}

static void test_characters_relationships_and_sessions_follow_the_design(void **state)
{
    (void)state;
    sqlite3 *db = generated("design.db", 40, 11, NULL);
    /* Relationships: within -100..100, both directions, same world. */
    expect(db, 0, "SELECT count(*) FROM character_relationships WHERE relationship_value NOT BETWEEN -100 AND 100");
    expect_positive(db, "SELECT count(*) FROM character_relationships WHERE relationship_value < 0");
    expect_positive(db, "SELECT count(*) FROM character_relationships WHERE relationship_value > 50");
    expect(db, 0, "SELECT count(*) FROM character_relationships r WHERE NOT EXISTS (SELECT 1 FROM "
                  "character_relationships b WHERE b.character_id = r.target_character_id "
                  "AND b.target_character_id = r.character_id)");
    expect(db, 0, "SELECT count(*) FROM character_relationships WHERE json_type(interaction_history) <> 'array' "
                  "OR json_array_length(interaction_history) = 0");
    /* Stats: exactly the design's seven keys, all numbers. */
    expect(db, 0, "SELECT count(*) FROM characters WHERE (SELECT count(*) FROM json_each(stats)) <> 7 OR "
                  "(SELECT count(*) FROM json_each(stats) WHERE key IN ('health', 'mana', 'strength', "
                  "'intelligence', 'dexterity', 'constitution', 'charisma') AND type IN ('integer', 'real')) <> 7");
    /* Players: 1-3 characters each, of the five classes; NPCs: villagers with a name and role. */
    expect(db, 0, "SELECT count(*) FROM (SELECT count(*) AS n FROM characters WHERE user_id IS NOT NULL "
                  "GROUP BY user_id) WHERE n NOT BETWEEN 1 AND 3");
    expect(db, 40, "SELECT count(DISTINCT user_id) FROM characters");
    expect(db, 0, "SELECT count(*) FROM characters WHERE user_id IS NOT NULL AND character_class NOT IN "
                  "('warrior', 'mage', 'ranger', 'rogue', 'cleric')");
    expect(db, 5, "SELECT count(DISTINCT character_class) FROM characters WHERE user_id IS NOT NULL");
    expect(db, 0, "SELECT count(*) FROM characters WHERE user_id IS NULL AND (character_class <> 'villager' "
                  "OR json_extract(appearance, '$.name') <> name OR json_extract(appearance, '$.role') IS NULL)");
    expect(db, 0, "SELECT count(*) FROM worlds w WHERE (SELECT count(*) FROM characters c WHERE c.world_id = w.id "
                  "AND c.user_id IS NULL) NOT BETWEEN 3 AND 5");
    /* Users: unique names (the schema) and the profile's fields. */
    expect(db, 0, "SELECT count(*) FROM users WHERE json_type(profile, '$.display_name') <> 'text' OR "
                  "json_type(profile, '$.bio') <> 'text' OR json_type(profile, '$.favorite_class') <> 'text' "
                  "OR json_type(profile, '$.preferences') <> 'object' OR email NOT LIKE username || '@%'");
    /* Sessions: hex tokens of 32+ characters; some expired, some still running. */
    expect(db, 0, "SELECT count(*) FROM sessions WHERE length(session_token) < 32 OR session_token GLOB '*[^0-9a-f]*'");
    expect(db, 0, "SELECT count(*) FROM sessions WHERE expires_at <= created_at");
    expect_positive(db, "SELECT count(*) FROM sessions WHERE is_active = 0 AND expires_at < '2025-12-03'");
    expect_positive(db, "SELECT count(*) FROM sessions WHERE is_active = 1 AND expires_at > '2025-12-03'");
    expect_positive(db, "SELECT count(*) FROM users WHERE password_hash LIKE '$2b$12$%' AND length(password_hash) = 60");
    /* Achievements and agents. */
    expect(db, 0, "SELECT count(*) FROM achievements WHERE points <= 0");
    expect(db, 6, "SELECT count(DISTINCT agent_type) FROM ai_agents");
    expect(db, 6, "SELECT count(*) FROM ai_agents");
    sqlite3_close(db);
}

static void test_worlds_and_chunks_use_the_design_forms(void **state)
{
    (void)state;
    sqlite3 *db = generated("chunks.db", 40, 12, NULL);
    expect(db, 14, "SELECT count(*) FROM worlds");
    expect(db, 0, "SELECT count(*) FROM worlds WHERE json_extract(settings, '$.generator_version') IS NOT 1 OR "
                  "json_array_length(settings, '$.spawn') IS NOT 3 OR json_type(settings, '$.difficulty') IS NOT 'text'");
    expect(db, 0, "SELECT count(*) FROM worlds w WHERE (SELECT count(*) FROM world_chunks c WHERE c.world_id = w.id) < 3");
    /* Only the listed block names, each with a metadata object. */
    expect(db, 0, "SELECT count(*) FROM world_chunks c, json_each(c.block_data, '$.blocks') b WHERE "
                  "json_extract(b.value, '$.type') NOT IN ('air', 'stone', 'dirt', 'grass', 'sand', 'gravel', "
                  "'water', 'oak_log', 'oak_leaves', 'tall_grass', 'flower_red', 'coal_ore', 'iron_ore', "
                  "'cobblestone', 'planks', 'chest', 'torch') OR json_type(b.value, '$.metadata') IS NOT 'object'");
    expect_positive(db, "SELECT count(*) FROM world_chunks c, json_each(c.block_data, '$.blocks') b "
                        "WHERE json_extract(b.value, '$.type') = 'air'");
    /* Chests hold items. */
    expect_positive(db, "SELECT count(*) FROM world_chunks c, json_each(c.block_data, '$.blocks') b "
                        "WHERE json_extract(b.value, '$.type') = 'chest'");
    expect(db, 0, "SELECT count(*) FROM world_chunks c, json_each(c.block_data, '$.blocks') b WHERE "
                  "json_extract(b.value, '$.type') = 'chest' AND (json_array_length(b.value, '$.metadata.items') < 1 "
                  "OR json_extract(b.value, '$.metadata.items[0].count') < 1)");
    /* Keys are "x,y,z" inside the chunk. */
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT b.key FROM world_chunks c, json_each(c.block_data, '$.blocks') b",
                                        -1, &st, NULL), SQLITE_OK);
    int keys = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        int x, y, z, n = 0;
        if (sscanf(k, "%d,%d,%d%n", &x, &y, &z, &n) != 3 || k[n] || x < 0 || x > 15 || y < 0 || y > 15 || z < 0 || z > 15)
            fail_msg("block key '%s' is not x,y,z within the chunk", k);
        keys++;
    }
    sqlite3_finalize(st);
    assert_true(keys > 1000);
    /* Entities; every NPC stands in its world's village chunk as an entity. */
    expect(db, 0, "SELECT count(*) FROM world_chunks WHERE json_type(block_data, '$.entities') IS NOT 'array'");
    expect(db, 0, "SELECT count(*) FROM characters ch WHERE ch.user_id IS NULL AND NOT EXISTS (SELECT 1 FROM "
                  "world_chunks c, json_each(c.block_data, '$.entities') e WHERE c.world_id = ch.world_id AND "
                  "json_extract(e.value, '$.type') = 'npc' AND json_extract(e.value, '$.id') = "
                  "json_extract(ch.appearance, '$.entity_id'))");
    /* Structures: an array of objects with type, name, x and z; one village per world. */
    expect(db, 0, "SELECT count(*) FROM world_chunks WHERE json_type(structures) <> 'array'");
    expect(db, 0, "SELECT count(*) FROM world_chunks c, json_each(c.structures) s WHERE s.type <> 'object' OR "
                  "json_type(s.value, '$.type') IS NOT 'text' OR json_type(s.value, '$.name') IS NOT 'text' OR "
                  "json_type(s.value, '$.x') IS NOT 'integer' OR json_type(s.value, '$.z') IS NOT 'integer'");
    expect(db, 14, "SELECT count(*) FROM world_chunks c, json_each(c.structures) s "
                   "WHERE json_extract(s.value, '$.type') = 'village'");
    sqlite3_close(db);
}

static void test_stories_quests_and_agents_hang_together(void **state)
{
    (void)state;
    sqlite3 *db = generated("stories.db", 40, 13, NULL);
    /* Each story: one root, and grandchildren of the same story. */
    expect(db, 0, "SELECT count(*) FROM stories s WHERE (SELECT count(*) FROM story_branches b "
                  "WHERE b.story_id = s.id AND b.parent_branch_id IS NULL) <> 1");
    expect(db, 0, "SELECT count(*) FROM stories s WHERE NOT EXISTS (SELECT 1 FROM story_branches c JOIN "
                  "story_branches p ON p.id = c.parent_branch_id WHERE c.story_id = s.id AND p.parent_branch_id IS NOT NULL)");
    expect(db, 0, "SELECT count(*) FROM story_branches c JOIN story_branches p ON p.id = c.parent_branch_id "
                  "WHERE p.story_id <> c.story_id OR p.id >= c.id");
    /* Choices: by player characters, on branches of stories of their world. */
    expect(db, 0, "SELECT count(*) FROM player_choices pc JOIN characters c ON c.id = pc.character_id "
                  "WHERE c.user_id IS NULL OR pc.story_branch_id IS NULL");
    expect(db, 0, "SELECT count(*) FROM player_choices pc JOIN characters c ON c.id = pc.character_id JOIN "
                  "story_branches b ON b.id = pc.story_branch_id JOIN stories s ON s.id = b.story_id "
                  "WHERE s.world_id <> c.world_id OR pc.made_at < b.created_at");
    /* Quests: objectives in order 0..n-1; progress consistent with its status. */
    expect(db, 0, "SELECT count(*) FROM (SELECT quest_id, count(*) AS n, max(order_index) AS top, min(order_index) AS low "
                  "FROM quest_objectives GROUP BY quest_id) WHERE top <> n - 1 OR low <> 0");
    expect(db, 0, "SELECT count(*) FROM quests q WHERE NOT EXISTS (SELECT 1 FROM quest_objectives o WHERE o.quest_id = q.id)");
    expect(db, 0, "SELECT count(*) FROM quest_progress WHERE status = 'active' AND (completed_at IS NOT NULL OR rewards_earned <> '[]')");
    expect(db, 0, "SELECT count(*) FROM quest_progress WHERE status = 'completed' AND (completed_at IS NULL OR "
                  "json_array_length(rewards_earned) = 0 OR completed_at < started_at)");
    expect_positive(db, "SELECT count(*) FROM quest_progress WHERE status = 'active'");
    expect_positive(db, "SELECT count(*) FROM quest_progress WHERE status = 'completed'");
    expect_positive(db, "SELECT count(*) FROM quest_progress WHERE status = 'failed'");
    expect(db, 0, "SELECT count(*) FROM quest_progress p JOIN characters c ON c.id = p.character_id "
                  "JOIN quests q ON q.id = p.quest_id WHERE q.world_id <> c.world_id");
    /* Agents' work in every world; evolution entries say what and why. */
    expect(db, 0, "SELECT count(*) FROM worlds w WHERE NOT EXISTS (SELECT 1 FROM agent_memory m WHERE m.world_id = w.id) "
                  "OR NOT EXISTS (SELECT 1 FROM world_evolution_log e WHERE e.world_id = w.id) "
                  "OR NOT EXISTS (SELECT 1 FROM world_events e WHERE e.world_id = w.id)");
    expect(db, 0, "SELECT count(*) FROM world_evolution_log WHERE changes_made IN ('{}', '[]', 'null') OR "
                  "reasoning IN ('{}', '[]', 'null') OR agent_id IS NULL");
    expect(db, 0, "SELECT count(*) FROM world_events WHERE end_time IS NOT NULL AND end_time < start_time");
    /* Recipes: ingredients {item, count}, a result with item_name and count. */
    expect(db, 12, "SELECT count(*) FROM crafting_recipes");
    expect(db, 0, "SELECT count(*) FROM crafting_recipes WHERE json_array_length(ingredients) = 0 OR "
                  "json_type(result_item, '$.item_name') IS NOT 'text' OR json_type(result_item, '$.count') IS NOT 'integer'");
    expect(db, 0, "SELECT count(*) FROM crafting_recipes r, json_each(r.ingredients) i WHERE "
                  "json_type(i.value, '$.item') IS NOT 'text' OR json_extract(i.value, '$.count') < 1");
    sqlite3_close(db);
}

static void test_inventory_and_skills_are_sensible(void **state)
{
    (void)state;
    sqlite3 *db = generated("inventory.db", 40, 14, NULL);
    expect(db, 0, "SELECT count(*) FROM characters c WHERE NOT EXISTS (SELECT 1 FROM inventory i WHERE i.character_id = c.id)");
    expect(db, 0, "SELECT count(*) FROM inventory WHERE slot_position BETWEEN 36 AND 41 AND "
                  "json_extract(item_data, '$.equipped') IS NOT 1");
    expect(db, 0, "SELECT count(*) FROM inventory WHERE json_extract(item_data, '$.durability') > "
                  "json_extract(item_data, '$.max_durability')");
    expect_positive(db, "SELECT count(*) FROM inventory WHERE json_array_length(item_data, '$.enchantments') > 0");
    expect_positive(db, "SELECT count(*) FROM inventory WHERE quantity > 1");
    expect_positive(db, "SELECT count(*) FROM inventory WHERE slot_position IS NULL");
    expect(db, 0, "SELECT count(*) FROM characters c WHERE (SELECT count(*) FROM character_skills s "
                  "WHERE s.character_id = c.id) < CASE WHEN c.user_id IS NULL THEN 2 ELSE 3 END");
    expect_positive(db, "SELECT count(*) FROM character_skills WHERE skill_name = 'mining'");
    expect_positive(db, "SELECT count(*) FROM character_skills WHERE skill_name = 'swordsmanship'");
    sqlite3_close(db);
}

static void test_timestamps_are_fixed_not_now(void **state)
{
    (void)state;
    static const char *const cols[][2] = {
        {"users", "created_at"}, {"users", "updated_at"}, {"users", "last_login"}, {"sessions", "created_at"},
        {"sessions", "expires_at"}, {"worlds", "created_at"}, {"worlds", "updated_at"},
        {"world_chunks", "created_at"}, {"world_chunks", "updated_at"}, {"characters", "created_at"},
        {"characters", "updated_at"}, {"character_relationships", "created_at"},
        {"character_relationships", "updated_at"}, {"character_skills", "updated_at"},
        {"crafting_recipes", "created_at"}, {"inventory", "acquired_at"}, {"inventory", "updated_at"},
        {"stories", "created_at"}, {"stories", "updated_at"}, {"story_branches", "created_at"},
        {"player_choices", "made_at"}, {"quests", "created_at"}, {"quests", "expires_at"},
        {"quest_progress", "started_at"}, {"quest_progress", "completed_at"}, {"achievements", "unlocked_at"},
        {"ai_agents", "created_at"}, {"ai_agents", "last_activity"}, {"agent_memory", "created_at"},
        {"agent_memory", "expires_at"}, {"world_evolution_log", "applied_at"}, {"world_events", "start_time"},
        {"world_events", "end_time"},
    };
    sqlite3 *db = generated("times.db", 10, 15, NULL);
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE %s IS NOT NULL AND (%s NOT LIKE "
                 "'____-__-__T__:__:__.___Z' OR %s < '2025-09-04T14:15:00.000Z' OR %s > '2026-03-01')",
                 cols[i][0], cols[i][1], cols[i][1], cols[i][1], cols[i][1]);
        expect(db, 0, sql);
    }
    sqlite3_close(db);
}

static void test_a_failure_rolls_back_every_row(void **state)
{
    (void)state;
    Save *s = open_new("rollback.db");
    save_close(s);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(th_path(dir, "rollback.db"), &db), SQLITE_OK);
    /* The last tables are written last: refusing them must undo all the rest. */
    assert_int_equal(sqlite3_exec(db, "CREATE TRIGGER no_events BEFORE INSERT ON world_events "
                                      "BEGIN SELECT RAISE(ABORT, 'events refused'); END",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    s = NULL;
    Err err = {0};
    assert_int_equal(save_open(th_path(dir, "rollback.db"), 0, &s, &err), MA_OK);
    SampleDataStats stats = {1, 1, 1, 1};
    assert_int_not_equal(sample_data_generate(s, 5, 1, &stats, &err), MA_OK);
    assert_non_null(strstr(err.msg, "events refused"));
    assert_int_equal(stats.rows, 0);
    assert_int_equal(sample_data_generate(s, 0, 1, &stats, &err), MA_ERR_INVALID);
    save_close(s);

    assert_int_equal(sqlite3_open(th_path(dir, "rollback.db"), &db), SQLITE_OK);
    for (int i = 0; save_table_names[i]; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", save_table_names[i]);
        expect(db, 0, sql);
    }
    sqlite3_exec(db, "DROP TRIGGER no_events", NULL, NULL, NULL);
    sqlite3_close(db);
    assert_int_equal(save_open(th_path(dir, "rollback.db"), 0, &s, &err), MA_OK);
    generate(s, 5, 1, NULL);
    save_close(s);
    expect_verify_clean("rollback.db");
}

/* The verify tests above are only worth something if verify notices when the
 * generator gets it wrong: plant the two mistakes a generator could make. */
static void test_verify_notices_a_cross_world_choice_and_a_wild_relationship(void **state)
{
    (void)state;
    sqlite3 *db = generated("broken.db", 5, 1, NULL);
    expect(db, 2, "SELECT count(*) FROM worlds");
    assert_int_equal(sqlite3_exec(db,
        "UPDATE player_choices SET story_branch_id = (SELECT b.id FROM story_branches b JOIN stories s "
        "ON s.id = b.story_id WHERE s.world_id = 2 LIMIT 1) WHERE id = (SELECT pc.id FROM player_choices pc "
        "JOIN characters c ON c.id = pc.character_id WHERE c.world_id = 1 LIMIT 1);"
        "PRAGMA ignore_check_constraints = ON;"
        "UPDATE character_relationships SET relationship_value = 150 WHERE id = 1;",
        NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    char *problems = NULL;
    /* The moved choice breaks two invariants: its world, and its own story (choice_data.story_id). */
    assert_int_equal(verify_save("broken.db", &problems), 3);
    assert_non_null(strstr(problems, "chose in a story of world 2 but lives in world 1"));
    assert_non_null(strstr(problems, "a choice points at a branch of its own story: player_choices "));
    assert_non_null(strstr(problems, "relationship_value 150 is outside -100..100"));
    free(problems);
}

static void test_a_hundred_users_take_well_under_a_second(void **state)
{
    (void)state;
    Save *s = open_new("speed.db");
    SampleDataStats stats = {0};
    uint64_t t0 = time_mono_ns();
    generate(s, 100, 5, &stats);
    double secs = (double)(time_mono_ns() - t0) / 1e9;
    save_close(s);
    print_message("100 users: %d rows in %.3f s\n", stats.rows, secs);
    assert_true(stats.rows > 3000);
    assert_true(secs < 5.0); /* ~0.2 s of CPU; generous for sanitizers and busy disks */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_table_gets_rows_and_stats_count_them),
        cmocka_unit_test(test_verify_is_clean_for_several_seeds_and_sizes),
        cmocka_unit_test(test_same_seed_gives_identical_tables_and_other_seeds_differ),
        cmocka_unit_test(test_running_twice_keeps_names_unique_and_verify_clean),
        cmocka_unit_test(test_cli_sample_data_then_verify_exits_0),
        cmocka_unit_test(test_characters_relationships_and_sessions_follow_the_design),
        cmocka_unit_test(test_worlds_and_chunks_use_the_design_forms),
        cmocka_unit_test(test_stories_quests_and_agents_hang_together),
        cmocka_unit_test(test_inventory_and_skills_are_sensible),
        cmocka_unit_test(test_timestamps_are_fixed_not_now),
        cmocka_unit_test(test_a_failure_rolls_back_every_row),
        cmocka_unit_test(test_verify_notices_a_cross_world_choice_and_a_wild_relationship),
        cmocka_unit_test(test_a_hundred_users_take_well_under_a_second),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
