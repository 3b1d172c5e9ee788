/* test_save.c — the save file: the design's schema, migrations, opening
 * rules (newer, non-save, corrupt, locked), backup/restore, verify, and the
 * command line around them. */
#include "helpers.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "save/save.h"

/* The design (../shared/spec/schema-design.md): every table and its columns. */
static const char *const design[][16] = {
    {"users", "id", "username", "email", "password_hash", "profile", "created_at", "updated_at", "is_active", "last_login"},
    {"characters", "id", "user_id", "world_id", "name", "character_class", "level", "experience", "stats", "appearance",
     "position_x", "position_y", "position_z", "created_at", "updated_at"},
    {"worlds", "id", "name", "settings", "world_type", "seed", "created_at", "updated_at", "is_active", "metadata"},
    {"world_chunks", "id", "world_id", "chunk_x", "chunk_y", "chunk_z", "block_data", "structures", "created_at", "updated_at", "version"},
    {"stories", "id", "world_id", "title", "description", "story_type", "metadata", "is_active", "created_at", "updated_at"},
    {"story_branches", "id", "story_id", "parent_branch_id", "branch_name", "content", "conditions", "consequences", "branch_order", "created_at"},
    {"player_choices", "id", "character_id", "story_branch_id", "choice_text", "choice_data", "consequences", "made_at"},
    {"quests", "id", "world_id", "title", "description", "quest_type", "requirements", "rewards", "difficulty_level", "is_active", "created_at", "expires_at"},
    {"quest_objectives", "id", "quest_id", "objective_text", "requirements", "progress_data", "is_completed", "order_index"},
    {"quest_progress", "id", "character_id", "quest_id", "status", "progress_data", "started_at", "completed_at", "rewards_earned"},
    {"inventory", "id", "character_id", "item_type", "item_name", "quantity", "item_data", "slot_position", "acquired_at", "updated_at"},
    {"character_relationships", "id", "character_id", "target_character_id", "relationship_type", "relationship_value", "interaction_history", "created_at", "updated_at"},
    {"character_skills", "id", "character_id", "skill_name", "skill_level", "experience_points", "skill_data", "updated_at"},
    {"achievements", "id", "user_id", "achievement_name", "description", "points", "unlock_data", "unlocked_at"},
    {"ai_agents", "id", "agent_name", "agent_type", "configuration", "current_state", "is_active", "created_at", "last_activity"},
    {"agent_memory", "id", "agent_id", "world_id", "memory_type", "memory_data", "created_at", "expires_at"},
    {"world_evolution_log", "id", "world_id", "agent_id", "evolution_type", "changes_made", "reasoning", "applied_at", "is_active"},
    {"world_events", "id", "world_id", "event_type", "event_name", "description", "event_data", "start_time", "end_time", "is_active"},
    {"crafting_recipes", "id", "recipe_name", "ingredients", "result_item", "required_level", "recipe_type", "unlock_conditions", "created_at"},
    {"sessions", "id", "user_id", "session_token", "session_data", "created_at", "expires_at", "is_active"},
};

/* Foreign keys the design draws: table, column, parent table. */
static const char *const design_fks[][3] = {
    {"characters", "user_id", "users"}, {"characters", "world_id", "worlds"},
    {"world_chunks", "world_id", "worlds"}, {"stories", "world_id", "worlds"},
    {"story_branches", "story_id", "stories"}, {"story_branches", "parent_branch_id", "story_branches"},
    {"player_choices", "character_id", "characters"}, {"player_choices", "story_branch_id", "story_branches"},
    {"quests", "world_id", "worlds"}, {"quest_objectives", "quest_id", "quests"},
    {"quest_progress", "character_id", "characters"}, {"quest_progress", "quest_id", "quests"},
    {"inventory", "character_id", "characters"},
    {"character_relationships", "character_id", "characters"},
    {"character_relationships", "target_character_id", "characters"},
    {"character_skills", "character_id", "characters"}, {"achievements", "user_id", "users"},
    {"agent_memory", "agent_id", "ai_agents"}, {"agent_memory", "world_id", "worlds"},
    {"world_evolution_log", "world_id", "worlds"}, {"world_evolution_log", "agent_id", "ai_agents"},
    {"world_events", "world_id", "worlds"}, {"sessions", "user_id", "users"},
};

/* Unique constraints the design names (UK), as table.column. */
static const char *const design_uniques[][2] = {
    {"users", "username"}, {"users", "email"}, {"worlds", "name"},
    {"ai_agents", "agent_name"}, {"crafting_recipes", "recipe_name"}, {"sessions", "session_token"},
};

/* Every index the design names: name, table, first column. */
static const char *const design_indexes[][3] = {
    {"idx_users_username", "users", "username"}, {"idx_users_email", "users", "email"},
    {"idx_users_last_login", "users", "last_login"},
    {"idx_world_chunks_coordinates", "world_chunks", "world_id"},
    {"idx_world_chunks_updated", "world_chunks", "updated_at"},
    {"idx_characters_position", "characters", "world_id"}, {"idx_characters_user", "characters", "user_id"},
    {"idx_characters_user_world", "characters", "user_id"},
    {"idx_story_branches_parent", "story_branches", "parent_branch_id"},
    {"idx_player_choices_character", "player_choices", "character_id"},
    {"idx_quest_progress_character", "quest_progress", "character_id"},
    {"idx_world_evolution_world", "world_evolution_log", "world_id"},
    {"idx_agent_memory_world", "agent_memory", "world_id"},
    {"idx_characters_stats", "characters", NULL}, {"idx_world_chunks_blocks", "world_chunks", NULL},
    {"idx_users_profile", "users", NULL},
};

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

static Save *open_new(const char *name) { return th_save_open(th_path(dir, name), SAVE_CREATE); }

static sqlite3 *raw_open(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    return db;
}

static int query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

static void test_fresh_save_has_every_design_table_and_column(void **state)
{
    (void)state;
    Save *s = open_new("fresh.db");
    save_close(s);
    sqlite3 *db = raw_open(th_path(dir, "fresh.db"));
    for (size_t t = 0; t < sizeof design / sizeof design[0]; t++) {
        for (int c = 1; c < 16 && design[t][c]; c++) {
            char sql[256];
            snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s') WHERE name = '%s'",
                     design[t][0], design[t][c]);
            if (query_int(db, sql) != 1)
                fail_msg("table %s lacks column %s", design[t][0], design[t][c]);
        }
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT pk FROM pragma_table_info('%s') WHERE name = 'id'", design[t][0]);
        assert_int_equal(query_int(db, sql), 1);
    }
    /* The design's 20 tables, the game's own four (migrations 003 and 004), the evolution index (005),
     * the client's message log (008) and sync's seven (009). */
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"), 33);
    assert_int_equal(query_int(db, "SELECT count(*) FROM pragma_table_info('quests') WHERE name = 'details'"), 1);
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('character_state', 'item_transfers')"), 2);
    sqlite3_close(db);
}

static void test_fresh_save_has_design_foreign_keys_uniques_and_indexes(void **state)
{
    (void)state;
    Save *s = open_new("keys.db");
    save_close(s);
    sqlite3 *db = raw_open(th_path(dir, "keys.db"));
    char sql[512];
    for (size_t i = 0; i < sizeof design_fks / sizeof design_fks[0]; i++) {
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM pragma_foreign_key_list('%s') WHERE \"from\" = '%s' AND \"table\" = '%s'",
                 design_fks[i][0], design_fks[i][1], design_fks[i][2]);
        if (query_int(db, sql) != 1)
            fail_msg("no foreign key %s.%s -> %s", design_fks[i][0], design_fks[i][1], design_fks[i][2]);
    }
    for (size_t i = 0; i < sizeof design_uniques / sizeof design_uniques[0]; i++) {
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM pragma_index_list('%s') il WHERE il.\"unique\" = 1 AND "
                 "(SELECT count(*) FROM pragma_index_info(il.name)) = 1 AND "
                 "(SELECT name FROM pragma_index_info(il.name)) = '%s'",
                 design_uniques[i][0], design_uniques[i][1]);
        if (query_int(db, sql) < 1)
            fail_msg("no unique constraint on %s.%s", design_uniques[i][0], design_uniques[i][1]);
    }
    for (size_t i = 0; i < sizeof design_indexes / sizeof design_indexes[0]; i++) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = '%s' AND tbl_name = '%s'",
                 design_indexes[i][0], design_indexes[i][1]);
        if (query_int(db, sql) != 1)
            fail_msg("no index %s on %s", design_indexes[i][0], design_indexes[i][1]);
        if (design_indexes[i][2]) {
            snprintf(sql, sizeof sql, "SELECT name = '%s' FROM pragma_index_info('%s') WHERE seqno = 0",
                     design_indexes[i][2], design_indexes[i][0]);
            if (query_int(db, sql) != 1)
                fail_msg("index %s does not start with %s", design_indexes[i][0], design_indexes[i][2]);
        }
    }
    /* The coordinates index makes a chunk unique per world. */
    assert_int_equal(query_int(db, "SELECT \"unique\" FROM pragma_index_list('world_chunks') WHERE name = 'idx_world_chunks_coordinates'"), 1);
    sqlite3_close(db);
}

static void test_open_sets_wal_foreign_keys_and_mode_0600(void **state)
{
    (void)state;
    Save *s = open_new("mode.db");
    struct stat st;
    assert_int_equal(stat(th_path(dir, "mode.db"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    save_close(s);
    sqlite3 *db = raw_open(th_path(dir, "mode.db"));
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
    sqlite3_finalize(q);
    assert_int_equal(query_int(db, "PRAGMA application_id"), SAVE_APPLICATION_ID);
    assert_int_equal(query_int(db, "PRAGMA user_version"), save_latest_version());
    sqlite3_close(db);
}

static void test_constraints_refuse_bad_values(void **state)
{
    (void)state;
    Save *s = open_new("checks.db");
    save_close(s);
    sqlite3 *db = raw_open(th_path(dir, "checks.db"));
    sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO users (username) VALUES ('ann')", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO worlds (name, seed) VALUES ('w', 1)", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO characters (user_id, world_id, name, character_class) VALUES (1, 1, 'a', 'mage'), (1, 1, 'b', 'mage')", NULL, NULL, NULL), SQLITE_OK);
    const char *bad[] = {
        "INSERT INTO users (username) VALUES ('ann')", /* unique */
        "INSERT INTO users (username, profile) VALUES ('bob', 'not json')",
        "INSERT INTO characters (user_id, world_id, name, character_class, level) VALUES (1, 1, 'c', 'mage', 0)",
        "INSERT INTO characters (user_id, world_id, name, character_class) VALUES (1, 99, 'd', 'mage')", /* FK */
        "INSERT INTO inventory (character_id, item_type, item_name, quantity) VALUES (1, 'tool', 'pick', 0)",
        "INSERT INTO character_relationships (character_id, target_character_id, relationship_value) VALUES (1, 2, 101)",
        "INSERT INTO character_relationships (character_id, target_character_id) VALUES (1, 1)",
        "INSERT INTO users (username, is_active) VALUES ('cy', 2)",
        NULL,
    };
    for (int i = 0; bad[i]; i++)
        if (sqlite3_exec(db, bad[i], NULL, NULL, NULL) == SQLITE_OK)
            fail_msg("accepted: %s", bad[i]);
    /* Cascades: deleting the world removes its characters. */
    assert_int_equal(sqlite3_exec(db, "INSERT INTO inventory (character_id, item_type, item_name) VALUES (1, 'tool', 'pick')", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DELETE FROM worlds", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(query_int(db, "SELECT count(*) FROM characters"), 0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM inventory"), 0);
    sqlite3_close(db);
}

static void test_updated_at_is_kept_current(void **state)
{
    (void)state;
    Save *s = open_new("touch.db");
    save_close(s);
    sqlite3 *db = raw_open(th_path(dir, "touch.db"));
    sqlite3_exec(db, "INSERT INTO worlds (name, seed, updated_at) VALUES ('w', 1, '2000-01-01T00:00:00.000Z')", NULL, NULL, NULL);
    sqlite3_exec(db, "UPDATE worlds SET seed = 2", NULL, NULL, NULL);
    assert_int_equal(query_int(db, "SELECT updated_at > '2020' AND updated_at LIKE '____-__-__T__:__:__.___Z' FROM worlds"), 1);
    sqlite3_close(db);
}

static void test_migrations_from_empty_and_reopen_is_noop(void **state)
{
    (void)state;
    /* An empty file (0 bytes) becomes a new save through init (SAVE_INIT) only. */
    th_write_file(th_path(dir, "empty.db"), "", 0);
    Save *s = NULL;
    Err err = {0};
    assert_int_equal(save_open(th_path(dir, "empty.db"), SAVE_INIT, &s, &err), MA_OK);
    assert_int_equal(save_schema_version(s), save_latest_version());
    save_close(s);
    sqlite3 *db = raw_open(th_path(dir, "empty.db"));
    int objects = query_int(db, "SELECT count(*) FROM sqlite_master");
    sqlite3_close(db);
    assert_int_equal(save_open(th_path(dir, "empty.db"), 0, &s, &err), MA_OK);
    assert_null(save_migration_backup(s));
    save_close(s);
    db = raw_open(th_path(dir, "empty.db"));
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master"), objects);
    sqlite3_close(db);
}

static void test_older_save_is_migrated_with_a_backup(void **state)
{
    (void)state;
    /* Build a version-1 save by hand: migration 001 of the source tree only. */
    Save *s = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/../data/migrations/001_initial_schema.sql", getenv("MAGIC_TEST_DIR"));
    char *v1 = th_read_file(path, NULL);
    assert_non_null(v1);
    sqlite3 *db = raw_open(th_path(dir, "old.db"));
    assert_int_equal(sqlite3_exec(db, v1, NULL, NULL, NULL), SQLITE_OK);
    free(v1);
    sqlite3_exec(db, "PRAGMA user_version = 1; INSERT INTO worlds (name, seed) VALUES ('kept', 7)", NULL, NULL, NULL);
    sqlite3_close(db);

    Err err = {0};
    assert_int_equal(save_open(th_path(dir, "old.db"), 0, &s, &err), MA_OK);
    assert_int_equal(save_schema_version(s), save_latest_version());
    assert_non_null(save_migration_backup(s));
    assert_non_null(strstr(save_migration_backup(s), "old.db.v1.bak"));
    save_close(s);
    db = raw_open(th_path(dir, "old.db"));
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'idx_world_chunks_coordinates'"), 1);
    assert_int_equal(query_int(db, "SELECT seed FROM worlds WHERE name = 'kept'"), 7);
    sqlite3_close(db);
    db = raw_open(th_path(dir, "old.db.v1.bak"));
    assert_int_equal(query_int(db, "PRAGMA user_version"), 1);
    sqlite3_close(db);
}

/* A version-1 save by hand (migration 001 of the source tree), with extra SQL after it. */
static void make_v1_save(const char *name, const char *extra)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/../data/migrations/001_initial_schema.sql", getenv("MAGIC_TEST_DIR"));
    char *v1 = th_read_file(path, NULL);
    assert_non_null(v1);
    sqlite3 *db = raw_open(th_path(dir, name));
    assert_int_equal(sqlite3_exec(db, v1, NULL, NULL, NULL), SQLITE_OK);
    free(v1);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, extra, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* An upgrade that fails in its first format leaves the save as it was and keeps no copy of it
 * (each try had left another: v1.bak, v1-2.bak, ...); one that fails later keeps the copy made
 * before it and says how far it got. */
static void test_a_failed_upgrade_says_how_far_it_got_and_keeps_one_copy(void **state)
{
    (void)state;
    make_v1_save("stuck.db", "CREATE INDEX idx_users_username ON users (username)"); /* 002 makes it */
    Save *s = NULL;
    Err err = {0};
    for (int i = 0; i < 2; i++) {
        assert_int_not_equal(save_open(th_path(dir, "stuck.db"), 0, &s, &err), MA_OK);
        assert_non_null(strstr(err.msg, "was not upgraded and is unchanged (save format 1)"));
        assert_non_null(strstr(err.msg, "already exists"));
    }
    assert_int_equal(access(th_path(dir, "stuck.db.v1.bak"), F_OK), -1);
    assert_int_equal(access(th_path(dir, "stuck.db.v1-2.bak"), F_OK), -1);
    sqlite3 *db = raw_open(th_path(dir, "stuck.db"));
    assert_int_equal(query_int(db, "PRAGMA user_version"), 1);
    sqlite3_close(db);

    make_v1_save("halfway.db", "CREATE TABLE character_state (x)"); /* 003 makes it */
    err = (Err){0};
    assert_int_not_equal(save_open(th_path(dir, "halfway.db"), 0, &s, &err), MA_OK);
    assert_non_null(strstr(err.msg, "was upgraded only to save format 2; the save as it was is kept at"));
    db = raw_open(th_path(dir, "halfway.db.v1.bak"));
    assert_int_equal(query_int(db, "PRAGMA user_version"), 1);
    sqlite3_close(db);
    err = (Err){0};
    assert_int_not_equal(save_open(th_path(dir, "halfway.db"), 0, &s, &err), MA_OK);
    assert_non_null(strstr(err.msg, "unchanged (save format 2)"));
    assert_int_equal(access(th_path(dir, "halfway.db.v2.bak"), F_OK), -1);
    assert_int_equal(access(th_path(dir, "halfway.db.v1.bak"), F_OK), 0);
}

static void test_newer_save_is_refused_and_left_unchanged(void **state)
{
    (void)state;
    Save *s = open_new("newer.db");
    save_close(s);
    sqlite3 *db = raw_open(th_path(dir, "newer.db"));
    sqlite3_exec(db, "PRAGMA journal_mode = DELETE; PRAGMA user_version = 999", NULL, NULL, NULL);
    sqlite3_close(db);
    size_t len0, len1;
    char *before = th_read_file(th_path(dir, "newer.db"), &len0);
    Err err = {0};
    assert_int_equal(save_open(th_path(dir, "newer.db"), 0, &s, &err), MA_ERR_NEWER);
    assert_null(s);
    assert_non_null(strstr(err.msg, "newer version"));
    char *after = th_read_file(th_path(dir, "newer.db"), &len1);
    assert_int_equal(len0, len1);
    assert_memory_equal(before, after, len0);
    free(before);
    free(after);
}

static void test_non_save_and_corrupt_files_are_refused_untouched(void **state)
{
    (void)state;
    const char *text = "these are my notes, not a save\n";
    th_write_file(th_path(dir, "notes.txt"), text, -1);
    Save *s = NULL;
    Err err = {0};
    assert_int_equal(save_open(th_path(dir, "notes.txt"), SAVE_CREATE, &s, &err), MA_ERR_NOT_SAVE);
    assert_non_null(strstr(err.msg, "not a Magic Adventure save"));
    char *after = th_read_file(th_path(dir, "notes.txt"), NULL);
    assert_string_equal(after, text);
    free(after);

    /* Another program's SQLite database. */
    sqlite3 *db = raw_open(th_path(dir, "other.db"));
    sqlite3_exec(db, "CREATE TABLE t (x); INSERT INTO t VALUES (1)", NULL, NULL, NULL);
    sqlite3_close(db);
    assert_int_equal(save_open(th_path(dir, "other.db"), 0, &s, &err), MA_ERR_NOT_SAVE);
    db = raw_open(th_path(dir, "other.db"));
    assert_int_equal(query_int(db, "SELECT count(*) FROM sqlite_master"), 1);
    sqlite3_close(db);

    /* A real save with its pages overwritten by garbage. */
    s = open_new("corrupt.db");
    save_close(s);
    size_t len;
    char *bytes = th_read_file(th_path(dir, "corrupt.db"), &len);
    assert_true(len > 8192);
    memset(bytes + 100, 0xA5, len - 100);
    th_write_file(th_path(dir, "corrupt.db"), bytes, (long)len);
    unlink(th_path(dir, "corrupt.db-wal"));
    unlink(th_path(dir, "corrupt.db-shm"));
    int rc = save_open(th_path(dir, "corrupt.db"), 0, &s, &err);
    assert_int_not_equal(rc, MA_OK);
    assert_null(s);
    assert_true(strstr(err.msg, "damaged") || strstr(err.msg, "malformed") || strstr(err.msg, "not a Magic"));
    size_t len2;
    char *again = th_read_file(th_path(dir, "corrupt.db"), &len2);
    assert_int_equal(len, len2);
    assert_memory_equal(bytes, again, len);
    free(bytes);
    free(again);
}

static void test_save_open_in_another_game_is_refused(void **state)
{
    (void)state;
    Save *s = open_new("locked.db");
    save_close(s);
    int to_child[2], to_parent[2];
    assert_int_equal(pipe(to_child), 0);
    assert_int_equal(pipe(to_parent), 0);
    pid_t pid = fork();
    if (pid == 0) {
        Save *mine = NULL;
        Err e = {0};
        char c = save_open(th_path(dir, "locked.db"), 0, &mine, &e) == MA_OK ? 'y' : 'n';
        if (write(to_parent[1], &c, 1) != 1 || read(to_child[0], &c, 1) != 1)
            _exit(1);
        save_close(mine);
        _exit(0);
    }
    char c = 0;
    assert_int_equal(read(to_parent[0], &c, 1), 1);
    assert_int_equal(c, 'y');
    Err err = {0};
    assert_int_equal(save_open(th_path(dir, "locked.db"), 0, &s, &err), MA_ERR_LOCKED);
    assert_non_null(strstr(err.msg, "open in another running game"));
    /* Readers (info, verify, render) may still look. */
    assert_int_equal(save_open(th_path(dir, "locked.db"), SAVE_READONLY, &s, &err), MA_OK);
    save_close(s);
    assert_int_equal(write(to_child[1], "x", 1), 1);
    int status;
    waitpid(pid, &status, 0);
    assert_int_equal(save_open(th_path(dir, "locked.db"), 0, &s, &err), MA_OK);
    save_close(s);
}

static void test_backup_restore_round_trip_and_garbage_refused(void **state)
{
    (void)state;
    Save *s = open_new("main.db");
    save_close(s);
    sqlite3 *db = raw_open(th_path(dir, "main.db"));
    sqlite3_exec(db, "INSERT INTO worlds (name, seed) VALUES ('before', 1)", NULL, NULL, NULL);
    sqlite3_close(db);
    Err err = {0};
    assert_int_equal(save_open(th_path(dir, "main.db"), 0, &s, &err), MA_OK);
    assert_int_equal(save_backup(s, th_path(dir, "b1.db"), &err), MA_OK);
    /* A second backup never overwrites the first. */
    assert_int_equal(save_backup(s, th_path(dir, "b1.db"), &err), MA_ERR_IO);
    save_close(s);

    db = raw_open(th_path(dir, "main.db"));
    sqlite3_exec(db, "UPDATE worlds SET name = 'after'", NULL, NULL, NULL);
    sqlite3_close(db);

    th_write_file(th_path(dir, "garbage.db"), "GARBAGE GARBAGE GARBAGE GARBAGE GARBAGE GARBAGE", -1);
    assert_int_equal(save_open(th_path(dir, "main.db"), 0, &s, &err), MA_OK);
    assert_int_not_equal(save_restore(s, th_path(dir, "garbage.db"), &err), MA_OK);
    assert_non_null(strstr(err.msg, "unchanged"));
    assert_int_equal(save_restore(s, th_path(dir, "b1.db"), &err), MA_OK);
    save_close(s);
    db = raw_open(th_path(dir, "main.db"));
    assert_int_equal(query_int(db, "SELECT count(*) FROM worlds WHERE name = 'before'"), 1);
    sqlite3_close(db);
    db = raw_open(th_path(dir, "main.db.before-restore.bak"));
    assert_int_equal(query_int(db, "SELECT count(*) FROM worlds WHERE name = 'after'"), 1);
    sqlite3_close(db);
}

static void test_verify_finds_planted_fk_violation_and_broken_invariant(void **state)
{
    (void)state;
    Save *s = open_new("verify.db");
    save_close(s);
    RunResult r = th_run(NULL, "--save", th_path(dir, "verify.db"), "verify", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "ok"));
    th_run_free(&r);

    sqlite3 *db = raw_open(th_path(dir, "verify.db"));
    /* foreign keys are off in this raw connection: plant a dangling reference */
    sqlite3_exec(db, "INSERT INTO worlds (name, seed) VALUES ('w', 1);"
                     "INSERT INTO stories (world_id, title) VALUES (1, 'A'), (1, 'B');"
                     "INSERT INTO story_branches (story_id, branch_name) VALUES (1, 'root-a'), (2, 'root-b');"
                     /* broken invariant: a branch of story 2 whose parent is in story 1 */
                     "INSERT INTO story_branches (story_id, parent_branch_id, branch_name) VALUES (2, 1, 'stray');",
                 NULL, NULL, NULL);
    r = th_run(NULL, "--save", th_path(dir, "verify.db"), "verify", NULL);
    assert_int_equal(r.status, 3);
    assert_non_null(strstr(r.out, "belongs to story 1, not 2"));
    assert_null(strstr(r.out, "foreign key:"));
    th_run_free(&r);

    sqlite3_exec(db, "INSERT INTO inventory (character_id, item_type, item_name) VALUES (42, 'tool', 'ghost pick')", NULL, NULL, NULL);
    sqlite3_close(db);
    r = th_run(NULL, "--save", th_path(dir, "verify.db"), "verify", NULL);
    assert_int_equal(r.status, 3);
    assert_non_null(strstr(r.out, "foreign key: table inventory"));
    assert_non_null(strstr(r.out, "2 problems"));
    th_run_free(&r);
}

static void test_cli_bad_input_gets_clear_messages(void **state)
{
    (void)state;
    RunResult r = th_run(NULL, "frobnicate", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "unknown command 'frobnicate'"));
    th_run_free(&r);

    r = th_run(NULL, "--bogus", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "unknown option"));
    th_run_free(&r);

    r = th_run(NULL, "--save", NULL);
    assert_int_equal(r.status, 2);
    th_run_free(&r);

    r = th_run(NULL, "--save", th_path(dir, "x.db"), "backup", "a.db", "b.db", NULL);
    assert_int_equal(r.status, 2);
    th_run_free(&r);

    r = th_run(NULL, "--save", th_path(dir, "x.db"), "sample-data", "--users", "many", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--users"));
    th_run_free(&r);

    r = th_run(NULL, "--save", "/nonexistent/dir/save.db", "info", NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "/nonexistent/dir/save.db"));
    th_run_free(&r);

    r = th_run(NULL, "--save", "/nonexistent/dir/save.db", "init", NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "cannot create"));
    th_run_free(&r);

    th_write_file(th_path(dir, "text.db"), "hello, this is not a save at all, just text\n", -1);
    r = th_run(NULL, "--save", th_path(dir, "text.db"), "init", NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "not a Magic Adventure save"));
    th_run_free(&r);

    r = th_run(NULL, "--version", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "magic-adventure"));
    th_run_free(&r);

    r = th_run(NULL, "--help", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "sample-data"));
    th_run_free(&r);
}

static void test_cli_init_info_backup_restore(void **state)
{
    (void)state;
    const char *p = th_path(dir, "cli.db");
    RunResult r = th_run(NULL, "--save", p, "init", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "created"));
    th_run_free(&r);
    r = th_run(NULL, "--save", p, "init", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "up to date"));
    th_run_free(&r);
    r = th_run(NULL, "--save", p, "info", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "world_evolution_log"));
    assert_non_null(strstr(r.out, "format: "));
    th_run_free(&r);
    r = th_run(NULL, "--save", p, "backup", th_path(dir, "cli-backup.db"), NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    r = th_run(NULL, "--save", p, "restore", th_path(dir, "cli-backup.db"), NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    r = th_run(NULL, "--save", p, "restore", th_path(dir, "nope.db"), NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "unchanged"));
    th_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_save_has_every_design_table_and_column),
        cmocka_unit_test(test_fresh_save_has_design_foreign_keys_uniques_and_indexes),
        cmocka_unit_test(test_open_sets_wal_foreign_keys_and_mode_0600),
        cmocka_unit_test(test_constraints_refuse_bad_values),
        cmocka_unit_test(test_updated_at_is_kept_current),
        cmocka_unit_test(test_migrations_from_empty_and_reopen_is_noop),
        cmocka_unit_test(test_older_save_is_migrated_with_a_backup),
        cmocka_unit_test(test_a_failed_upgrade_says_how_far_it_got_and_keeps_one_copy),
        cmocka_unit_test(test_newer_save_is_refused_and_left_unchanged),
        cmocka_unit_test(test_non_save_and_corrupt_files_are_refused_untouched),
        cmocka_unit_test(test_save_open_in_another_game_is_refused),
        cmocka_unit_test(test_backup_restore_round_trip_and_garbage_refused),
        cmocka_unit_test(test_verify_finds_planted_fk_violation_and_broken_invariant),
        cmocka_unit_test(test_cli_bad_input_gets_clear_messages),
        cmocka_unit_test(test_cli_init_info_backup_restore),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
