/* test_dal_story.c — the data-access layer for stories, branches, choices,
 * quests, objectives, quest progress, AI agents, their memory, the world
 * evolution log and world events: round trips through every function,
 * the refusals (with the message they give), cascades and time queries. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "save/agents.h"
#include "save/events.h"
#include "save/quests.h"
#include "save/save.h"
#include "save/save_internal.h"
#include "save/stories.h"
#include "save/worlds.h"

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

static int64_t make_world(Save *s, const char *name)
{
    WorldRow w = {0};
    snprintf(w.name, sizeof w.name, "%s", name);
    w.seed = 42;
    w.is_active = 1;
    Err err = {0};
    if (worlds_insert(s, &w, &err) != MA_OK)
        fail_msg("worlds_insert: %s", err.msg);
    return w.id;
}

/* Characters belong to characters.c; the fixture adds them directly. */
static int64_t make_character(Save *s, int64_t world_id, const char *name)
{
    char *sql = sqlite3_mprintf("INSERT INTO characters (world_id, name, character_class) VALUES (%lld, %Q, 'mage')",
                                (long long)world_id, name);
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK)
        fail_msg("adding character %s: %s", name, sqlite3_errmsg(s->db));
    return sqlite3_last_insert_rowid(s->db);
}

static int count_rows(Save *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(s->db));
    int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

static cJSON *json(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    if (!j)
        fail_msg("bad test JSON: %s", text);
    return j;
}

/* The string at key of a JSON object, or "" when missing. */
static const char *jstr(const cJSON *obj, const char *key)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));
    return v ? v : "";
}

static double jnum(const cJSON *obj, const char *key)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

#define assert_ok(call, err)                                        \
    do {                                                            \
        int rc_ = (call);                                           \
        if (rc_ != MA_OK)                                           \
            fail_msg("%s returned %d: %s", #call, rc_, (err).msg);  \
    } while (0)

/* call must fail with code, and its message must name the save and hold needle. */
#define assert_refused(call, code, err, needle)                                                      \
    do {                                                                                             \
        err_clear(&(err));                                                                           \
        int rc_ = (call);                                                                            \
        if (rc_ != (code))                                                                           \
            fail_msg("%s returned %d, not %d (%s)", #call, rc_, (int)(code), (err).msg);             \
        if (!strstr((err).msg, (needle)) || !strstr((err).msg, ".db"))                              \
            fail_msg("%s: message \"%s\" lacks \"%s\" or the save's path", #call, (err).msg, needle); \
    } while (0)

/* ------------------------------------------------------------ stories */

static void test_story_round_trip_through_insert_get_update_list_delete(void **state)
{
    (void)state;
    Save *s = open_new("stories.db");
    Err err = {0};
    int64_t w = make_world(s, "Eldoria");

    StoryRow st = {0};
    st.world_id = w;
    snprintf(st.title, sizeof st.title, "The Sunken Crown");
    st.description = strdup("A crown lies beneath the lake.");
    st.metadata = json("{\"mood\":\"dark\",\"chapter\":1}");
    st.is_active = 1;
    assert_ok(stories_insert(s, &st, &err), err);
    assert_true(st.id > 0);
    assert_int_equal(strlen(st.created_at), 24);

    StoryRow got = {0};
    assert_ok(stories_get(s, st.id, &got, &err), err);
    assert_int_equal(got.world_id, w);
    assert_string_equal(got.title, "The Sunken Crown");
    assert_string_equal(got.description, "A crown lies beneath the lake.");
    assert_string_equal(got.story_type, "main"); /* "" took the default */
    assert_string_equal(jstr(got.metadata, "mood"), "dark");
    assert_true(jnum(got.metadata, "chapter") == 1);
    assert_int_equal(got.is_active, 1);

    snprintf(got.title, sizeof got.title, "The Risen Crown");
    free(got.description);
    got.description = strdup("The crown was found.");
    snprintf(got.story_type, sizeof got.story_type, "side");
    cJSON_ReplaceItemInObjectCaseSensitive(got.metadata, "chapter", cJSON_CreateNumber(2));
    got.is_active = 0;
    assert_ok(stories_update(s, &got, &err), err);
    story_row_clear(&got);
    assert_ok(stories_get(s, st.id, &got, &err), err);
    assert_string_equal(got.title, "The Risen Crown");
    assert_string_equal(got.description, "The crown was found.");
    assert_string_equal(got.story_type, "side");
    assert_true(jnum(got.metadata, "chapter") == 2);
    assert_int_equal(got.is_active, 0);
    story_row_clear(&got);

    StoryRow other = {0};
    other.world_id = w;
    snprintf(other.title, sizeof other.title, "The Lantern Road");
    other.is_active = 1;
    assert_ok(stories_insert(s, &other, &err), err);

    StoryRow *rows = NULL;
    int n = -1;
    assert_ok(stories_list(s, w, 0, &rows, &n, &err), err);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].id, st.id);
    assert_string_equal(rows[1].description, "");
    stories_list_free(rows, n);
    assert_ok(stories_list(s, w, 1, &rows, &n, &err), err);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, other.id);
    stories_list_free(rows, n);

    assert_ok(stories_delete(s, st.id, &err), err);
    assert_refused(stories_get(s, st.id, &got, &err), MA_ERR_NOT_FOUND, err, "no story");
    StoryRow ghost = {0};
    ghost.id = st.id;
    snprintf(ghost.title, sizeof ghost.title, "ghost");
    assert_refused(stories_update(s, &ghost, &err), MA_ERR_NOT_FOUND, err, "no story");

    story_row_clear(&st);
    story_row_clear(&other);
    save_close(s);
}

static void test_story_metadata_that_is_not_an_object_is_refused(void **state)
{
    (void)state;
    Save *s = open_new("story-json.db");
    Err err = {0};
    StoryRow st = {0};
    st.world_id = make_world(s, "w");
    snprintf(st.title, sizeof st.title, "Arrays are not stories");
    st.metadata = json("[1, 2, 3]");
    assert_refused(stories_insert(s, &st, &err), MA_ERR_INVALID, err, "stories.metadata must be a JSON object");
    assert_int_equal(count_rows(s, "SELECT count(*) FROM stories"), 0);
    story_row_clear(&st);
    save_close(s);
}

static void test_story_in_missing_world_is_refused(void **state)
{
    (void)state;
    Save *s = open_new("story-fk.db");
    Err err = {0};
    StoryRow st = {0};
    st.world_id = 77;
    snprintf(st.title, sizeof st.title, "Nowhere");
    assert_refused(stories_insert(s, &st, &err), MA_ERR_CONSTRAINT, err, "there is no world 77");
    save_close(s);
}

/* ------------------------------------------------------------ branches */

static int64_t add_branch(Save *s, int64_t story, int64_t parent, const char *name, int order)
{
    BranchRow b = {0};
    b.story_id = story;
    b.parent_branch_id = parent;
    snprintf(b.branch_name, sizeof b.branch_name, "%s", name);
    b.branch_order = order;
    Err err = {0};
    assert_ok(branches_insert(s, &b, &err), err);
    return b.id;
}

static int64_t add_story(Save *s, int64_t world, const char *title)
{
    StoryRow st = {0};
    st.world_id = world;
    snprintf(st.title, sizeof st.title, "%s", title);
    st.is_active = 1;
    Err err = {0};
    assert_ok(stories_insert(s, &st, &err), err);
    return st.id;
}

static void test_branch_round_trip_keeps_content_and_json(void **state)
{
    (void)state;
    Save *s = open_new("branch.db");
    Err err = {0};
    int64_t story = add_story(s, make_world(s, "w"), "Tale");

    BranchRow b = {0};
    b.story_id = story;
    snprintf(b.branch_name, sizeof b.branch_name, "The gate");
    b.content = strdup("You stand before a gate of bone.");
    b.conditions = json("{\"min_level\":3}");
    b.consequences = json("{\"reputation\":-5}");
    b.branch_order = 2;
    assert_ok(branches_insert(s, &b, &err), err);
    assert_true(b.id > 0);
    assert_true(b.created_at[0] != '\0');

    BranchRow got = {0};
    assert_ok(branches_get(s, b.id, &got, &err), err);
    assert_int_equal(got.story_id, story);
    assert_int_equal(got.parent_branch_id, 0);
    assert_string_equal(got.branch_name, "The gate");
    assert_string_equal(got.content, "You stand before a gate of bone.");
    assert_true(jnum(got.conditions, "min_level") == 3);
    assert_true(jnum(got.consequences, "reputation") == -5);
    assert_int_equal(got.branch_order, 2);

    snprintf(got.branch_name, sizeof got.branch_name, "The open gate");
    free(got.content);
    got.content = strdup("The gate is open.");
    cJSON_Delete(got.conditions);
    got.conditions = json("{\"min_level\":5,\"item\":\"bone key\"}");
    got.branch_order = 0;
    assert_ok(branches_update(s, &got, &err), err);
    branch_row_clear(&got);
    assert_ok(branches_get(s, b.id, &got, &err), err);
    assert_string_equal(got.branch_name, "The open gate");
    assert_string_equal(got.content, "The gate is open.");
    assert_string_equal(jstr(got.conditions, "item"), "bone key");
    assert_int_equal(got.branch_order, 0);
    branch_row_clear(&got);

    assert_ok(branches_delete(s, b.id, &err), err);
    assert_refused(branches_get(s, b.id, &got, &err), MA_ERR_NOT_FOUND, err, "no story branch");
    branch_row_clear(&b);
    save_close(s);
}

static void test_branches_children_roots_and_path_to_root_on_three_levels(void **state)
{
    (void)state;
    Save *s = open_new("tree.db");
    Err err = {0};
    int64_t story = add_story(s, make_world(s, "w"), "Tale");
    /* root_b is inserted first but ordered second */
    int64_t root_b = add_branch(s, story, 0, "root b", 1);
    int64_t root_a = add_branch(s, story, 0, "root a", 0);
    int64_t a2 = add_branch(s, story, root_a, "a2", 2);
    int64_t a1 = add_branch(s, story, root_a, "a1", 1);
    int64_t a1x = add_branch(s, story, a1, "a1x", 0);

    BranchRow *rows = NULL;
    int n = 0;
    assert_ok(branches_children(s, root_a, &rows, &n, &err), err);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].id, a1);
    assert_int_equal(rows[1].id, a2);
    assert_int_equal(rows[0].parent_branch_id, root_a);
    branches_list_free(rows, n);

    assert_ok(branches_roots(s, story, &rows, &n, &err), err);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].id, root_a);
    assert_int_equal(rows[1].id, root_b);
    branches_list_free(rows, n);

    assert_ok(branches_list(s, story, &rows, &n, &err), err);
    assert_int_equal(n, 5);
    branches_list_free(rows, n);

    assert_ok(branches_path_to_root(s, a1x, &rows, &n, &err), err);
    assert_int_equal(n, 3);
    assert_int_equal(rows[0].id, a1x);
    assert_int_equal(rows[1].id, a1);
    assert_int_equal(rows[2].id, root_a);
    assert_string_equal(rows[2].branch_name, "root a");
    branches_list_free(rows, n);

    assert_ok(branches_path_to_root(s, root_b, &rows, &n, &err), err);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, root_b);
    branches_list_free(rows, n);

    assert_refused(branches_path_to_root(s, 9999, &rows, &n, &err), MA_ERR_NOT_FOUND, err, "9999");
    assert_null(rows);
    assert_int_equal(n, 0);

    /* Moving a2 under root_b shows in both children lists and in its path. */
    BranchRow b = {0};
    assert_ok(branches_get(s, a2, &b, &err), err);
    b.parent_branch_id = root_b;
    assert_ok(branches_update(s, &b, &err), err);
    assert_ok(branches_path_to_root(s, a2, &rows, &n, &err), err);
    assert_int_equal(n, 2);
    assert_int_equal(rows[1].id, root_b);
    branches_list_free(rows, n);
    assert_ok(branches_children(s, root_a, &rows, &n, &err), err);
    assert_int_equal(n, 1);
    branches_list_free(rows, n);
    branch_row_clear(&b);

    /* Deleting a1 leaves a1x as a root. */
    assert_ok(branches_delete(s, a1, &err), err);
    assert_ok(branches_path_to_root(s, a1x, &rows, &n, &err), err);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].parent_branch_id, 0);
    branches_list_free(rows, n);
    save_close(s);
}

static void test_branch_update_refuses_a_cycle_and_a_parent_from_another_story(void **state)
{
    (void)state;
    Save *s = open_new("cycle.db");
    Err err = {0};
    int64_t w = make_world(s, "w");
    int64_t story = add_story(s, w, "Tale");
    int64_t other = add_story(s, w, "Other tale");
    int64_t root = add_branch(s, story, 0, "root", 0);
    int64_t mid = add_branch(s, story, root, "mid", 0);
    int64_t leaf = add_branch(s, story, mid, "leaf", 0);
    int64_t stranger = add_branch(s, other, 0, "stranger", 0);

    BranchRow b = {0};
    assert_ok(branches_get(s, root, &b, &err), err);
    b.parent_branch_id = leaf;
    assert_refused(branches_update(s, &b, &err), MA_ERR_INVALID, err, "cannot hang under");
    b.parent_branch_id = root;
    assert_refused(branches_update(s, &b, &err), MA_ERR_INVALID, err, "cannot hang under");
    b.parent_branch_id = stranger;
    assert_refused(branches_update(s, &b, &err), MA_ERR_INVALID, err, "belongs to story");
    branch_row_clear(&b);

    BranchRow *rows = NULL;
    int n = 0;
    assert_ok(branches_path_to_root(s, leaf, &rows, &n, &err), err);
    assert_int_equal(n, 3); /* nothing moved */
    branches_list_free(rows, n);

    BranchRow nb = {0};
    nb.story_id = story;
    nb.parent_branch_id = stranger;
    snprintf(nb.branch_name, sizeof nb.branch_name, "stray");
    assert_refused(branches_insert(s, &nb, &err), MA_ERR_INVALID, err, "belongs to story");
    nb.parent_branch_id = 4242;
    assert_refused(branches_insert(s, &nb, &err), MA_ERR_NOT_FOUND, err, "no parent branch 4242");
    save_close(s);
}

static void test_branch_path_to_root_reports_a_cycle_planted_by_another_writer(void **state)
{
    (void)state;
    Save *s = open_new("planted.db");
    Err err = {0};
    int64_t story = add_story(s, make_world(s, "w"), "Tale");
    int64_t a = add_branch(s, story, 0, "a", 0);
    int64_t b = add_branch(s, story, a, "b", 0);
    char *sql = sqlite3_mprintf("UPDATE story_branches SET parent_branch_id = %lld WHERE id = %lld", (long long)b,
                                (long long)a);
    assert_int_equal(sqlite3_exec(s->db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_free(sql);
    BranchRow *rows = NULL;
    int n = 0;
    assert_refused(branches_path_to_root(s, b, &rows, &n, &err), MA_ERR_CORRUPT, err, "do not lead to a root");
    assert_null(rows);
    save_close(s);
}

static void test_branch_of_missing_story_is_refused_with_a_clear_message(void **state)
{
    (void)state;
    Save *s = open_new("branch-fk.db");
    Err err = {0};
    BranchRow b = {0};
    b.story_id = 999;
    snprintf(b.branch_name, sizeof b.branch_name, "orphan");
    assert_refused(branches_insert(s, &b, &err), MA_ERR_CONSTRAINT, err, "there is no story 999");
    assert_non_null(strstr(err.msg, "'orphan'"));
    assert_int_equal(count_rows(s, "SELECT count(*) FROM story_branches"), 0);
    save_close(s);
}

static void test_deleting_a_story_removes_its_branches(void **state)
{
    (void)state;
    Save *s = open_new("story-cascade.db");
    Err err = {0};
    int64_t w = make_world(s, "w");
    int64_t story = add_story(s, w, "Doomed");
    int64_t keep = add_story(s, w, "Kept");
    int64_t root = add_branch(s, story, 0, "root", 0);
    add_branch(s, story, root, "child", 0);
    add_branch(s, keep, 0, "kept root", 0);
    assert_ok(stories_delete(s, story, &err), err);
    BranchRow *rows = NULL;
    int n = -1;
    assert_ok(branches_list(s, story, &rows, &n, &err), err);
    assert_int_equal(n, 0);
    branches_list_free(rows, n);
    assert_ok(branches_list(s, keep, &rows, &n, &err), err);
    assert_int_equal(n, 1);
    branches_list_free(rows, n);
    save_close(s);
}

/* ------------------------------------------------------------ choices */

static void test_choices_listed_by_character_in_time_order_and_by_branch(void **state)
{
    (void)state;
    Save *s = open_new("choices.db");
    Err err = {0};
    int64_t w = make_world(s, "w");
    int64_t hero = make_character(s, w, "Ayla");
    int64_t story = add_story(s, w, "Tale");
    int64_t fork = add_branch(s, story, 0, "fork", 0);

    ChoiceRow late = {0};
    late.character_id = hero;
    late.story_branch_id = fork;
    late.choice_text = strdup("Take the left path");
    late.choice_data = json("{\"path\":\"left\"}");
    late.consequences = json("{\"gold\":10}");
    snprintf(late.made_at, sizeof late.made_at, "2020-05-02T10:00:00.000Z");
    assert_ok(choices_record(s, &late, &err), err);

    ChoiceRow early = {0};
    early.character_id = hero;
    early.choice_text = strdup("Ask the ferryman");
    snprintf(early.made_at, sizeof early.made_at, "2020-05-01T09:00:00Z"); /* stored in the canonical form */
    assert_ok(choices_record(s, &early, &err), err);
    assert_string_equal(early.made_at, "2020-05-01T09:00:00.000Z");

    ChoiceRow now = {0};
    now.character_id = hero;
    now.story_branch_id = fork;
    now.choice_text = strdup("Wait");
    assert_ok(choices_record(s, &now, &err), err);
    assert_int_equal(strlen(now.made_at), 24); /* filled in */

    ChoiceRow *rows = NULL;
    int n = 0;
    assert_ok(choices_list_by_character(s, hero, &rows, &n, &err), err);
    assert_int_equal(n, 3);
    assert_int_equal(rows[0].id, early.id);
    assert_int_equal(rows[0].story_branch_id, 0);
    assert_int_equal(rows[1].id, late.id);
    assert_string_equal(rows[1].choice_text, "Take the left path");
    assert_string_equal(jstr(rows[1].choice_data, "path"), "left");
    assert_true(jnum(rows[1].consequences, "gold") == 10);
    assert_string_equal(rows[1].made_at, "2020-05-02T10:00:00.000Z");
    assert_int_equal(rows[2].id, now.id);
    choices_list_free(rows, n);

    assert_ok(choices_list_by_branch(s, fork, &rows, &n, &err), err);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].id, late.id);
    assert_int_equal(rows[1].id, now.id);
    choices_list_free(rows, n);

    /* A deleted branch leaves the choice, with no branch. */
    assert_ok(branches_delete(s, fork, &err), err);
    assert_ok(choices_list_by_character(s, hero, &rows, &n, &err), err);
    assert_int_equal(n, 3);
    assert_int_equal(rows[1].story_branch_id, 0);
    choices_list_free(rows, n);

    ChoiceRow bad = {0};
    bad.character_id = 555;
    bad.choice_text = strdup("Vanish");
    assert_refused(choices_record(s, &bad, &err), MA_ERR_CONSTRAINT, err, "there is no character 555");
    bad.character_id = hero;
    bad.story_branch_id = 666;
    assert_refused(choices_record(s, &bad, &err), MA_ERR_CONSTRAINT, err, "there is no story branch 666");
    bad.story_branch_id = 0;
    snprintf(bad.made_at, sizeof bad.made_at, "yesterday");
    assert_refused(choices_record(s, &bad, &err), MA_ERR_INVALID, err, "'yesterday' is not an ISO-8601");

    choice_row_clear(&late);
    choice_row_clear(&early);
    choice_row_clear(&now);
    choice_row_clear(&bad);
    save_close(s);
}

/* ------------------------------------------------------------ quests */

static int64_t add_quest(Save *s, int64_t world, const char *title, const char *created, const char *expires)
{
    QuestRow q = {0};
    q.world_id = world;
    snprintf(q.title, sizeof q.title, "%s", title);
    q.is_active = 1;
    snprintf(q.created_at, sizeof q.created_at, "%s", created ? created : "");
    snprintf(q.expires_at, sizeof q.expires_at, "%s", expires ? expires : "");
    Err err = {0};
    assert_ok(quests_insert(s, &q, &err), err);
    return q.id;
}

static void test_quest_round_trip_through_insert_get_update_list_delete(void **state)
{
    (void)state;
    Save *s = open_new("quests.db");
    Err err = {0};
    int64_t w = make_world(s, "w");

    QuestRow q = {0};
    q.world_id = w;
    snprintf(q.title, sizeof q.title, "Wolves at the Mill");
    q.description = strdup("Drive off the wolves.");
    snprintf(q.quest_type, sizeof q.quest_type, "hunt");
    q.requirements = json("{\"level\":2}");
    q.rewards = json("{\"xp\":150,\"items\":[\"wolf pelt\"]}");
    q.difficulty_level = 3;
    q.is_active = 1;
    assert_ok(quests_insert(s, &q, &err), err);
    assert_true(q.id > 0);
    assert_int_equal(strlen(q.created_at), 24);
    assert_string_equal(q.expires_at, "");

    QuestRow got = {0};
    assert_ok(quests_get(s, q.id, &got, &err), err);
    assert_string_equal(got.title, "Wolves at the Mill");
    assert_string_equal(got.description, "Drive off the wolves.");
    assert_string_equal(got.quest_type, "hunt");
    assert_true(jnum(got.requirements, "level") == 2);
    assert_true(jnum(got.rewards, "xp") == 150);
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(got.rewards, "items"), 0)->valuestring, "wolf pelt");
    assert_int_equal(got.difficulty_level, 3);
    assert_int_equal(got.is_active, 1);
    assert_string_equal(got.expires_at, "");

    cJSON_ReplaceItemInObjectCaseSensitive(got.rewards, "xp", cJSON_CreateNumber(300));
    got.difficulty_level = 4;
    snprintf(got.expires_at, sizeof got.expires_at, "2999-01-01T00:00:00.000Z");
    assert_ok(quests_update(s, &got, &err), err);
    quest_row_clear(&got);
    assert_ok(quests_get(s, q.id, &got, &err), err);
    assert_true(jnum(got.rewards, "xp") == 300);
    assert_int_equal(got.difficulty_level, 4);
    assert_string_equal(got.expires_at, "2999-01-01T00:00:00.000Z");

    QuestRow *rows = NULL;
    int n = 0;
    assert_ok(quests_list_active(s, w, &rows, &n, &err), err);
    assert_int_equal(n, 1);
    quests_list_free(rows, n);
    got.is_active = 0;
    assert_ok(quests_update(s, &got, &err), err);
    assert_ok(quests_list_active(s, w, &rows, &n, &err), err);
    assert_int_equal(n, 0);
    quests_list_free(rows, n);
    quest_row_clear(&got);

    assert_ok(quests_delete(s, q.id, &err), err);
    assert_refused(quests_get(s, q.id, &got, &err), MA_ERR_NOT_FOUND, err, "no quest");
    quest_row_clear(&q);
    save_close(s);
}

static void test_expired_quests_are_listed_as_of_the_given_time(void **state)
{
    (void)state;
    Save *s = open_new("expiry.db");
    Err err = {0};
    int64_t w = make_world(s, "w");
    int64_t w2 = make_world(s, "w2");
    int64_t soon = add_quest(s, w, "Soon", "2030-01-01T00:00:00.000Z", "2030-02-01T00:00:00.000Z");
    int64_t later = add_quest(s, w, "Later", "2030-01-01T00:00:00.000Z", "2030-06-01T00:00:00.000Z");
    add_quest(s, w, "Forever", "2030-01-01T00:00:00.000Z", NULL);
    int64_t elsewhere = add_quest(s, w2, "Elsewhere", "2030-01-01T00:00:00.000Z", "2030-01-15T00:00:00.000Z");

    QuestRow *rows = NULL;
    int n = -1;
    assert_ok(quests_list_expired(s, w, "2030-01-31T23:59:59.999Z", &rows, &n, &err), err);
    assert_int_equal(n, 0);
    quests_list_free(rows, n);
    assert_ok(quests_list_expired(s, w, "2030-02-01T00:00:00.000Z", &rows, &n, &err), err);
    assert_int_equal(n, 1); /* expiring at exactly that time counts */
    assert_int_equal(rows[0].id, soon);
    quests_list_free(rows, n);
    assert_ok(quests_list_expired(s, w, "2031-01-01T00:00:00Z", &rows, &n, &err), err);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].id, soon);
    assert_int_equal(rows[1].id, later);
    quests_list_free(rows, n);
    assert_ok(quests_list_expired(s, 0, "2031-01-01T00:00:00Z", &rows, &n, &err), err);
    assert_int_equal(n, 3);
    assert_int_equal(rows[0].id, elsewhere);
    quests_list_free(rows, n);

    assert_refused(quests_list_expired(s, w, "soon", &rows, &n, &err), MA_ERR_INVALID, err, "ISO-8601");
    QuestRow bad = {0};
    bad.world_id = w;
    snprintf(bad.title, sizeof bad.title, "Backwards");
    snprintf(bad.created_at, sizeof bad.created_at, "2030-01-01T00:00:00.000Z");
    snprintf(bad.expires_at, sizeof bad.expires_at, "2029-01-01T00:00:00.000Z");
    assert_refused(quests_insert(s, &bad, &err), MA_ERR_CONSTRAINT, err, "expires_at");
    save_close(s);
}

static void test_objectives_listed_in_order_and_duplicate_order_index_refused(void **state)
{
    (void)state;
    Save *s = open_new("objectives.db");
    Err err = {0};
    int64_t quest = add_quest(s, make_world(s, "w"), "Three steps", NULL, NULL);
    const char *texts[] = {"Find the map", "Cross the river", "Open the vault"};
    int order[] = {2, 0, 1};
    int64_t ids[3];
    for (int i = 0; i < 3; i++) {
        ObjectiveRow o = {0};
        o.quest_id = quest;
        o.objective_text = strdup(texts[i]);
        o.requirements = json("{\"count\":1}");
        o.order_index = order[i];
        assert_ok(objectives_insert(s, &o, &err), err);
        ids[i] = o.id;
        objective_row_clear(&o);
    }

    ObjectiveRow *rows = NULL;
    int n = 0;
    assert_ok(objectives_list(s, quest, &rows, &n, &err), err);
    assert_int_equal(n, 3);
    assert_string_equal(rows[0].objective_text, "Cross the river");
    assert_string_equal(rows[1].objective_text, "Open the vault");
    assert_string_equal(rows[2].objective_text, "Find the map");
    assert_true(jnum(rows[0].requirements, "count") == 1);
    assert_int_equal(rows[0].is_completed, 0);
    objectives_list_free(rows, n);

    cJSON *progress = json("{\"found\":1}");
    assert_ok(objectives_update_progress(s, ids[0], progress, 1, &err), err);
    cJSON_Delete(progress);
    ObjectiveRow got = {0};
    assert_ok(objectives_get(s, ids[0], &got, &err), err);
    assert_int_equal(got.is_completed, 1);
    assert_true(jnum(got.progress_data, "found") == 1);
    assert_int_equal(got.order_index, 2);
    objective_row_clear(&got);
    assert_refused(objectives_update_progress(s, 9999, NULL, 0, &err), MA_ERR_NOT_FOUND, err, "9999");

    ObjectiveRow dup = {0};
    dup.quest_id = quest;
    dup.objective_text = strdup("Again at position 1");
    dup.order_index = 1;
    assert_refused(objectives_insert(s, &dup, &err), MA_ERR_CONSTRAINT, err, "already has an objective at position 1");
    dup.quest_id = 31337;
    assert_refused(objectives_insert(s, &dup, &err), MA_ERR_CONSTRAINT, err, "there is no quest 31337");
    objective_row_clear(&dup);
    assert_ok(objectives_list(s, quest, &rows, &n, &err), err);
    assert_int_equal(n, 3);
    objectives_list_free(rows, n);
    save_close(s);
}

static void test_quest_progress_lifecycle_and_second_completion_refused(void **state)
{
    (void)state;
    Save *s = open_new("progress.db");
    Err err = {0};
    int64_t w = make_world(s, "w");
    int64_t hero = make_character(s, w, "Ayla");
    int64_t q1 = add_quest(s, w, "First", NULL, NULL);
    int64_t q2 = add_quest(s, w, "Second", NULL, NULL);
    int64_t q3 = add_quest(s, w, "Third", NULL, NULL);
    int64_t q4 = add_quest(s, w, "Fourth", NULL, NULL);

    ProgressRow p = {0};
    p.character_id = hero;
    p.quest_id = q1;
    p.progress_data = json("{\"wolves\":0}");
    snprintf(p.started_at, sizeof p.started_at, "2030-01-01T00:00:00.000Z");
    assert_ok(progress_start(s, &p, &err), err);
    assert_true(p.id > 0);
    assert_string_equal(p.status, "active");
    assert_int_equal(cJSON_GetArraySize(p.rewards_earned), 0);
    progress_row_clear(&p);
    assert_refused(progress_start(s, &(ProgressRow){.character_id = hero, .quest_id = q1}, &err),
                   MA_ERR_CONSTRAINT, err, "already taken this quest");
    assert_refused(progress_start(s, &(ProgressRow){.character_id = hero, .quest_id = 808}, &err),
                   MA_ERR_CONSTRAINT, err, "there is no quest 808");
    assert_refused(progress_start(s, &(ProgressRow){.character_id = 909, .quest_id = q1}, &err),
                   MA_ERR_CONSTRAINT, err, "there is no character 909");

    cJSON *data = json("{\"wolves\":3}");
    assert_ok(progress_update(s, hero, q1, data, &err), err);
    cJSON_Delete(data);
    ProgressRow got = {0};
    assert_ok(progress_get(s, hero, q1, &got, &err), err);
    assert_true(jnum(got.progress_data, "wolves") == 3);
    assert_string_equal(got.started_at, "2030-01-01T00:00:00.000Z");
    assert_string_equal(got.completed_at, "");
    progress_row_clear(&got);

    cJSON *rewards = json("[{\"item\":\"silver ring\"},{\"xp\":150}]");
    assert_ok(progress_complete(s, hero, q1, "2030-01-02T12:00:00.000Z", rewards, &err), err);
    cJSON_Delete(rewards);
    assert_ok(progress_get(s, hero, q1, &got, &err), err);
    assert_string_equal(got.status, "completed");
    assert_string_equal(got.completed_at, "2030-01-02T12:00:00.000Z");
    assert_int_equal(cJSON_GetArraySize(got.rewards_earned), 2);
    progress_row_clear(&got);

    /* The second completion is refused and changes nothing. */
    cJSON *again = json("[{\"item\":\"another ring\"}]");
    assert_refused(progress_complete(s, hero, q1, NULL, again, &err), MA_ERR_CONSTRAINT, err,
                   "already completed at 2030-01-02T12:00:00.000Z");
    cJSON_Delete(again);
    assert_ok(progress_get(s, hero, q1, &got, &err), err);
    assert_int_equal(cJSON_GetArraySize(got.rewards_earned), 2);
    assert_string_equal(got.completed_at, "2030-01-02T12:00:00.000Z");
    progress_row_clear(&got);
    assert_refused(progress_update(s, hero, q1, NULL, &err), MA_ERR_INVALID, err, "already completed");
    assert_refused(progress_fail(s, hero, q1, &err), MA_ERR_CONSTRAINT, err, "already completed");
    assert_refused(progress_complete(s, hero, q2, NULL, NULL, &err), MA_ERR_NOT_FOUND, err, "not started");

    ProgressRow start = {0};
    start.character_id = hero;
    int64_t others[] = {q2, q3, q4};
    for (int i = 0; i < 3; i++) {
        start.quest_id = others[i];
        snprintf(start.started_at, sizeof start.started_at, "2030-02-0%dT00:00:00.000Z", i + 1);
        assert_ok(progress_start(s, &start, &err), err);
        progress_row_clear(&start);
    }
    assert_ok(progress_fail(s, hero, q2, &err), err);
    assert_ok(progress_abandon(s, hero, q3, &err), err);
    assert_refused(progress_complete(s, hero, q2, NULL, NULL, &err), MA_ERR_CONSTRAINT, err, "is failed");

    ProgressRow *rows = NULL;
    int n = 0;
    assert_ok(progress_list(s, hero, NULL, &rows, &n, &err), err);
    assert_int_equal(n, 4);
    assert_int_equal(rows[0].quest_id, q1);
    assert_string_equal(rows[1].status, "failed");
    assert_string_equal(rows[2].status, "abandoned");
    assert_string_equal(rows[3].status, "active");
    progress_list_free(rows, n);
    assert_ok(progress_list(s, hero, "active", &rows, &n, &err), err);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].quest_id, q4);
    progress_list_free(rows, n);
    assert_ok(progress_expire(s, hero, q4, &err), err);
    assert_ok(progress_list(s, hero, "expired", &rows, &n, &err), err);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].quest_id, q4);
    assert_string_equal(rows[0].completed_at, "");
    progress_list_free(rows, n);
    save_close(s);
}

static void test_progress_expire_due_honours_the_given_time(void **state)
{
    (void)state;
    Save *s = open_new("progress-expiry.db");
    Err err = {0};
    int64_t w = make_world(s, "w");
    int64_t hero = make_character(s, w, "Ayla");
    int64_t brief = add_quest(s, w, "Brief", "2030-01-01T00:00:00.000Z", "2030-01-10T00:00:00.000Z");
    int64_t lasting = add_quest(s, w, "Lasting", "2030-01-01T00:00:00.000Z", NULL);
    ProgressRow p = {.character_id = hero, .quest_id = brief};
    assert_ok(progress_start(s, &p, &err), err);
    progress_row_clear(&p);
    p = (ProgressRow){.character_id = hero, .quest_id = lasting};
    assert_ok(progress_start(s, &p, &err), err);
    progress_row_clear(&p);

    int64_t expired = -1;
    assert_ok(progress_expire_due(s, "2030-01-09T00:00:00.000Z", &expired, &err), err);
    assert_int_equal(expired, 0);
    assert_ok(progress_expire_due(s, "2030-01-10T00:00:00.000Z", &expired, &err), err);
    assert_int_equal(expired, 1);
    ProgressRow got = {0};
    assert_ok(progress_get(s, hero, brief, &got, &err), err);
    assert_string_equal(got.status, "expired");
    progress_row_clear(&got);
    assert_ok(progress_get(s, hero, lasting, &got, &err), err);
    assert_string_equal(got.status, "active");
    progress_row_clear(&got);
    save_close(s);
}

/* ------------------------------------------------------------ agents */

static int64_t add_agent(Save *s, const char *name, const char *type)
{
    AgentRow a = {0};
    snprintf(a.agent_name, sizeof a.agent_name, "%s", name);
    snprintf(a.agent_type, sizeof a.agent_type, "%s", type);
    a.is_active = 1;
    Err err = {0};
    assert_ok(agents_insert(s, &a, &err), err);
    return a.id;
}

static void test_agent_round_trip_through_every_function(void **state)
{
    (void)state;
    Save *s = open_new("agents.db");
    Err err = {0};
    AgentRow a = {0};
    snprintf(a.agent_name, sizeof a.agent_name, "Loom");
    snprintf(a.agent_type, sizeof a.agent_type, "story_weaver");
    a.configuration = json("{\"model\":\"small\",\"temperature\":0.5}");
    a.is_active = 1;
    assert_ok(agents_insert(s, &a, &err), err);
    assert_true(a.id > 0);
    int64_t other = add_agent(s, "Mason", "world_builder");

    AgentRow got = {0};
    assert_ok(agents_get_by_name(s, "Loom", &got, &err), err);
    assert_int_equal(got.id, a.id);
    assert_string_equal(got.agent_type, "story_weaver");
    assert_string_equal(jstr(got.configuration, "model"), "small");
    assert_int_equal(cJSON_GetArraySize(got.current_state), 0);
    assert_string_equal(got.last_activity, "");
    agent_row_clear(&got);

    cJSON *cfg = json("{\"model\":\"large\"}");
    cJSON *st = json("{\"thread\":\"crown\",\"step\":4}");
    assert_ok(agents_update_configuration(s, a.id, cfg, &err), err);
    assert_ok(agents_update_state(s, a.id, st, &err), err);
    assert_ok(agents_touch(s, a.id, "2030-03-03T03:03:03.003Z", &err), err);
    assert_ok(agents_set_active(s, other, 0, &err), err);
    assert_ok(agents_get(s, a.id, &got, &err), err);
    assert_string_equal(jstr(got.configuration, "model"), "large");
    assert_string_equal(jstr(got.current_state, "thread"), "crown");
    assert_true(jnum(got.current_state, "step") == 4);
    assert_string_equal(got.last_activity, "2030-03-03T03:03:03.003Z");
    agent_row_clear(&got);
    assert_ok(agents_touch(s, a.id, NULL, &err), err);
    assert_ok(agents_get(s, a.id, &got, &err), err);
    assert_true(strcmp(got.last_activity, "2030-03-03T03:03:03.003Z") != 0);
    agent_row_clear(&got);

    AgentRow *rows = NULL;
    int n = 0;
    assert_ok(agents_list(s, 0, &rows, &n, &err), err);
    assert_int_equal(n, 2);
    agents_list_free(rows, n);
    assert_ok(agents_list(s, 1, &rows, &n, &err), err);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].agent_name, "Loom");
    agents_list_free(rows, n);

    cJSON *arr = json("[\"not\", \"an object\"]");
    assert_refused(agents_update_state(s, a.id, arr, &err), MA_ERR_INVALID, err,
                   "current_state must be a JSON object");
    assert_refused(agents_update_configuration(s, 4040, cfg, &err), MA_ERR_NOT_FOUND, err, "no AI agent");
    assert_refused(agents_get_by_name(s, "Nobody", &got, &err), MA_ERR_NOT_FOUND, err, "'Nobody'");
    cJSON_Delete(arr);
    cJSON_Delete(cfg);
    cJSON_Delete(st);

    assert_ok(agents_delete(s, other, &err), err);
    assert_refused(agents_get(s, other, &got, &err), MA_ERR_NOT_FOUND, err, "no AI agent");
    agent_row_clear(&a);
    save_close(s);
}

static void test_agent_of_unknown_type_or_duplicate_name_is_refused(void **state)
{
    (void)state;
    Save *s = open_new("agent-bad.db");
    Err err = {0};
    add_agent(s, "Loom", "story_weaver");
    AgentRow a = {0};
    snprintf(a.agent_name, sizeof a.agent_name, "Overlord");
    snprintf(a.agent_type, sizeof a.agent_type, "world_destroyer");
    assert_refused(agents_insert(s, &a, &err), MA_ERR_CONSTRAINT, err, "'world_destroyer'");
    assert_non_null(strstr(err.msg, "agent_type must be one of story_weaver"));
    snprintf(a.agent_name, sizeof a.agent_name, "Loom");
    snprintf(a.agent_type, sizeof a.agent_type, "balance_keeper");
    assert_refused(agents_insert(s, &a, &err), MA_ERR_CONSTRAINT, err, "already exists");
    snprintf(a.agent_name, sizeof a.agent_name, "Config");
    a.configuration = json("\"just a string\"");
    assert_refused(agents_insert(s, &a, &err), MA_ERR_INVALID, err, "configuration must be a JSON object");
    agent_row_clear(&a);
    assert_int_equal(count_rows(s, "SELECT count(*) FROM ai_agents"), 1);
    save_close(s);
}

static void test_agent_memory_excludes_what_expired_by_the_given_time(void **state)
{
    (void)state;
    Save *s = open_new("memory.db");
    Err err = {0};
    int64_t w = make_world(s, "w");
    int64_t w2 = make_world(s, "w2");
    int64_t agent = add_agent(s, "Loom", "story_weaver");
    int64_t other = add_agent(s, "Mason", "world_builder");

    MemoryRow m = {0};
    m.agent_id = agent;
    m.world_id = w;
    snprintf(m.memory_type, sizeof m.memory_type, "observation");
    m.memory_data = json("{\"saw\":\"dragon\"}");
    snprintf(m.created_at, sizeof m.created_at, "2030-01-01T00:00:00.000Z");
    snprintf(m.expires_at, sizeof m.expires_at, "2030-01-05T00:00:00.000Z");
    assert_ok(memory_remember(s, &m, &err), err);
    int64_t fleeting = m.id;
    memory_row_clear(&m);

    MemoryRow keep = {.agent_id = agent, .world_id = w};
    snprintf(keep.memory_type, sizeof keep.memory_type, "fact");
    snprintf(keep.created_at, sizeof keep.created_at, "2030-01-02T00:00:00.000Z");
    assert_ok(memory_remember(s, &keep, &err), err);
    MemoryRow elsewhere = {.agent_id = agent, .world_id = w2};
    snprintf(elsewhere.memory_type, sizeof elsewhere.memory_type, "fact");
    assert_ok(memory_remember(s, &elsewhere, &err), err);
    MemoryRow others = {.agent_id = other, .world_id = w};
    snprintf(others.memory_type, sizeof others.memory_type, "fact");
    assert_ok(memory_remember(s, &others, &err), err);

    MemoryRow *rows = NULL;
    int n = 0;
    assert_ok(memory_list(s, agent, w, "2030-01-04T23:59:59.999Z", &rows, &n, &err), err);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].id, fleeting);
    assert_string_equal(jstr(rows[0].memory_data, "saw"), "dragon");
    assert_string_equal(rows[0].expires_at, "2030-01-05T00:00:00.000Z");
    assert_int_equal(rows[1].id, keep.id);
    assert_string_equal(rows[1].expires_at, "");
    memory_list_free(rows, n);
    assert_ok(memory_list(s, agent, w, "2030-01-05T00:00:00.000Z", &rows, &n, &err), err);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, keep.id);
    memory_list_free(rows, n);

    int64_t forgotten = -1;
    assert_ok(memory_forget_expired(s, "2030-01-04T00:00:00.000Z", &forgotten, &err), err);
    assert_int_equal(forgotten, 0);
    assert_ok(memory_forget_expired(s, "2030-01-06T00:00:00.000Z", &forgotten, &err), err);
    assert_int_equal(forgotten, 1);
    assert_ok(memory_list(s, agent, w, "2000-01-01T00:00:00.000Z", &rows, &n, &err), err);
    assert_int_equal(n, 1); /* gone even when asked about the past */
    memory_list_free(rows, n);

    assert_ok(memory_delete(s, keep.id, &err), err);
    assert_ok(memory_list(s, agent, w, "2030-01-01T00:00:00.000Z", &rows, &n, &err), err);
    assert_int_equal(n, 0);
    memory_list_free(rows, n);

    MemoryRow bad = {.agent_id = agent, .world_id = 999};
    snprintf(bad.memory_type, sizeof bad.memory_type, "fact");
    assert_refused(memory_remember(s, &bad, &err), MA_ERR_CONSTRAINT, err, "there is no world 999");
    bad.world_id = w;
    bad.agent_id = 998;
    assert_refused(memory_remember(s, &bad, &err), MA_ERR_CONSTRAINT, err, "there is no AI agent 998");
    save_close(s);
}

static void test_evolution_log_append_list_and_rollback_mark_once(void **state)
{
    (void)state;
    Save *s = open_new("evolution.db");
    Err err = {0};
    int64_t w = make_world(s, "w");
    int64_t agent = add_agent(s, "Mason", "world_builder");

    EvolutionRow e = {0};
    e.world_id = w;
    e.agent_id = agent;
    snprintf(e.evolution_type, sizeof e.evolution_type, "terrain");
    e.changes_made = json("{\"added\":\"tower\",\"at\":[4,5,6]}");
    e.reasoning = json("{\"why\":\"the north was empty\"}");
    snprintf(e.applied_at, sizeof e.applied_at, "2030-04-02T00:00:00.000Z");
    assert_ok(evolution_append(s, &e, &err), err);
    assert_int_equal(e.is_active, 1);

    EvolutionRow first = {.world_id = w, .agent_id = agent};
    snprintf(first.evolution_type, sizeof first.evolution_type, "npc");
    first.changes_made = json("{\"spawned\":\"hermit\"}");
    snprintf(first.applied_at, sizeof first.applied_at, "2030-04-01T00:00:00.000Z");
    assert_ok(evolution_append(s, &first, &err), err);

    EvolutionRow got = {0};
    assert_ok(evolution_get(s, e.id, &got, &err), err);
    assert_int_equal(got.agent_id, agent);
    assert_string_equal(got.evolution_type, "terrain");
    assert_string_equal(jstr(got.changes_made, "added"), "tower");
    assert_string_equal(jstr(got.reasoning, "why"), "the north was empty");
    assert_string_equal(got.applied_at, "2030-04-02T00:00:00.000Z");
    evolution_row_clear(&got);

    EvolutionRow *rows = NULL;
    int n = 0;
    assert_ok(evolution_list(s, w, 0, &rows, &n, &err), err);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].id, first.id); /* by applied_at */
    assert_int_equal(rows[1].id, e.id);
    evolution_list_free(rows, n);

    assert_ok(evolution_rollback_mark(s, e.id, &err), err);
    assert_refused(evolution_rollback_mark(s, e.id, &err), MA_ERR_CONSTRAINT, err, "already rolled back");
    assert_refused(evolution_rollback_mark(s, 5150, &err), MA_ERR_NOT_FOUND, err, "5150");
    assert_ok(evolution_list(s, w, 1, &rows, &n, &err), err);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, first.id);
    evolution_list_free(rows, n);
    assert_ok(evolution_list(s, w, 0, &rows, &n, &err), err);
    assert_int_equal(n, 2);
    assert_int_equal(rows[1].is_active, 0);
    evolution_list_free(rows, n);

    EvolutionRow bare = {.world_id = w};
    snprintf(bare.evolution_type, sizeof bare.evolution_type, "weather");
    assert_refused(evolution_append(s, &bare, &err), MA_ERR_INVALID, err, "changes_made is required");
    bare.changes_made = json("{\"rain\":true}");
    bare.agent_id = 7007;
    assert_refused(evolution_append(s, &bare, &err), MA_ERR_CONSTRAINT, err, "there is no AI agent 7007");
    bare.agent_id = 0;
    bare.world_id = 8008;
    assert_refused(evolution_append(s, &bare, &err), MA_ERR_CONSTRAINT, err, "there is no world 8008");
    evolution_row_clear(&bare);
    evolution_row_clear(&e);
    evolution_row_clear(&first);
    save_close(s);
}

static void test_deleting_an_agent_keeps_its_log_entries_without_agent(void **state)
{
    (void)state;
    Save *s = open_new("agent-delete.db");
    Err err = {0};
    int64_t w = make_world(s, "w");
    int64_t agent = add_agent(s, "Mason", "world_builder");
    EvolutionRow e = {.world_id = w, .agent_id = agent};
    snprintf(e.evolution_type, sizeof e.evolution_type, "terrain");
    e.changes_made = json("{\"added\":\"bridge\"}");
    assert_ok(evolution_append(s, &e, &err), err);
    MemoryRow m = {.agent_id = agent, .world_id = w};
    snprintf(m.memory_type, sizeof m.memory_type, "plan");
    assert_ok(memory_remember(s, &m, &err), err);

    assert_ok(agents_delete(s, agent, &err), err);
    EvolutionRow got = {0};
    assert_ok(evolution_get(s, e.id, &got, &err), err);
    assert_int_equal(got.agent_id, 0);
    assert_string_equal(jstr(got.changes_made, "added"), "bridge");
    evolution_row_clear(&got);
    assert_int_equal(count_rows(s, "SELECT count(*) FROM agent_memory"), 0);
    evolution_row_clear(&e);
    save_close(s);
}

/* ------------------------------------------------------------ events */

static void test_event_round_trip_and_active_at_the_given_time(void **state)
{
    (void)state;
    Save *s = open_new("events.db");
    Err err = {0};
    int64_t w = make_world(s, "w");

    EventRow fair = {0};
    fair.world_id = w;
    snprintf(fair.event_type, sizeof fair.event_type, "festival");
    snprintf(fair.event_name, sizeof fair.event_name, "Harvest Fair");
    fair.description = strdup("Stalls and songs in the square.");
    fair.event_data = json("{\"stalls\":12}");
    snprintf(fair.start_time, sizeof fair.start_time, "2030-09-01T00:00:00.000Z");
    snprintf(fair.end_time, sizeof fair.end_time, "2030-09-08T00:00:00.000Z");
    fair.is_active = 1;
    assert_ok(events_insert(s, &fair, &err), err);

    EventRow storm = {.world_id = w, .is_active = 1};
    snprintf(storm.event_type, sizeof storm.event_type, "weather");
    snprintf(storm.event_name, sizeof storm.event_name, "Long Storm");
    snprintf(storm.start_time, sizeof storm.start_time, "2030-09-05T00:00:00.000Z");
    assert_ok(events_insert(s, &storm, &err), err);

    EventRow got = {0};
    assert_ok(events_get(s, fair.id, &got, &err), err);
    assert_string_equal(got.event_name, "Harvest Fair");
    assert_string_equal(got.description, "Stalls and songs in the square.");
    assert_true(jnum(got.event_data, "stalls") == 12);
    assert_string_equal(got.end_time, "2030-09-08T00:00:00.000Z");
    assert_int_equal(got.is_active, 1);
    event_row_clear(&got);

    EventRow *rows = NULL;
    int n = 0;
    assert_ok(events_list_active(s, w, "2030-08-31T23:59:59.999Z", &rows, &n, &err), err);
    assert_int_equal(n, 0);
    events_list_free(rows, n);
    assert_ok(events_list_active(s, w, "2030-09-06T00:00:00.000Z", &rows, &n, &err), err);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].id, fair.id);
    assert_int_equal(rows[1].id, storm.id);
    events_list_free(rows, n);
    assert_ok(events_list_active(s, w, "2030-09-08T00:00:00.000Z", &rows, &n, &err), err);
    assert_int_equal(n, 1); /* the fair is over at its end time */
    assert_int_equal(rows[0].id, storm.id);
    events_list_free(rows, n);

    assert_ok(events_end(s, storm.id, "2030-09-10T00:00:00.000Z", &err), err);
    assert_refused(events_end(s, storm.id, NULL, &err), MA_ERR_CONSTRAINT, err, "already ended at 2030-09-10");
    assert_ok(events_get(s, storm.id, &got, &err), err);
    assert_int_equal(got.is_active, 0);
    assert_string_equal(got.end_time, "2030-09-10T00:00:00.000Z");
    event_row_clear(&got);
    assert_ok(events_list_active(s, w, "2030-09-09T00:00:00.000Z", &rows, &n, &err), err);
    assert_int_equal(n, 0); /* ended events are not going on */
    events_list_free(rows, n);

    assert_ok(events_list(s, w, &rows, &n, &err), err);
    assert_int_equal(n, 2);
    events_list_free(rows, n);

    EventRow backwards = {.world_id = w, .is_active = 1};
    snprintf(backwards.event_type, sizeof backwards.event_type, "x");
    snprintf(backwards.event_name, sizeof backwards.event_name, "Backwards");
    snprintf(backwards.start_time, sizeof backwards.start_time, "2030-09-05T00:00:00.000Z");
    snprintf(backwards.end_time, sizeof backwards.end_time, "2030-09-01T00:00:00.000Z");
    assert_refused(events_insert(s, &backwards, &err), MA_ERR_CONSTRAINT, err, "end_time");
    backwards.world_id = 4444;
    backwards.end_time[0] = '\0';
    assert_refused(events_insert(s, &backwards, &err), MA_ERR_CONSTRAINT, err, "no world 4444");

    assert_ok(events_delete(s, fair.id, &err), err);
    assert_refused(events_get(s, fair.id, &got, &err), MA_ERR_NOT_FOUND, err, "no world event");
    assert_refused(events_end(s, fair.id, NULL, &err), MA_ERR_NOT_FOUND, err, "no world event");
    event_row_clear(&fair);
    save_close(s);
}

/* ------------------------------------------------------------ world cascade */

static void test_deleting_a_world_removes_its_quests_events_memories_and_log(void **state)
{
    (void)state;
    Save *s = open_new("world-cascade.db");
    Err err = {0};
    int64_t doomed = make_world(s, "doomed");
    int64_t kept = make_world(s, "kept");
    int64_t agent = add_agent(s, "Loom", "story_weaver");
    int64_t worlds[] = {doomed, kept};
    for (int i = 0; i < 2; i++) {
        int64_t hero = make_character(s, worlds[i], "hero");
        int64_t quest = add_quest(s, worlds[i], "Q", NULL, NULL);
        ObjectiveRow o = {.quest_id = quest, .objective_text = strdup("step")};
        assert_ok(objectives_insert(s, &o, &err), err);
        objective_row_clear(&o);
        ProgressRow p = {.character_id = hero, .quest_id = quest};
        assert_ok(progress_start(s, &p, &err), err);
        progress_row_clear(&p);
        EventRow ev = {.world_id = worlds[i], .is_active = 1};
        snprintf(ev.event_type, sizeof ev.event_type, "festival");
        snprintf(ev.event_name, sizeof ev.event_name, "Fair");
        assert_ok(events_insert(s, &ev, &err), err);
        MemoryRow m = {.agent_id = agent, .world_id = worlds[i]};
        snprintf(m.memory_type, sizeof m.memory_type, "fact");
        assert_ok(memory_remember(s, &m, &err), err);
        EvolutionRow e = {.world_id = worlds[i], .agent_id = agent};
        snprintf(e.evolution_type, sizeof e.evolution_type, "terrain");
        e.changes_made = json("{}");
        assert_ok(evolution_append(s, &e, &err), err);
        evolution_row_clear(&e);
        int64_t story = add_story(s, worlds[i], "S");
        add_branch(s, story, 0, "root", 0);
    }

    assert_ok(worlds_delete(s, doomed, &err), err);
    const char *tables[] = {"quests", "quest_objectives", "quest_progress", "world_events", "agent_memory",
                            "world_evolution_log", "stories", "story_branches"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i]);
        if (count_rows(s, sql) != 1)
            fail_msg("%s holds %d rows after deleting one of two worlds", tables[i], count_rows(s, sql));
    }
    QuestRow *qs = NULL;
    int n = 0;
    assert_ok(quests_list_active(s, kept, &qs, &n, &err), err);
    assert_int_equal(n, 1);
    quests_list_free(qs, n);
    AgentRow a = {0};
    assert_ok(agents_get(s, agent, &a, &err), err); /* the agent is not the world's */
    agent_row_clear(&a);
    save_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_story_round_trip_through_insert_get_update_list_delete),
        cmocka_unit_test(test_story_metadata_that_is_not_an_object_is_refused),
        cmocka_unit_test(test_story_in_missing_world_is_refused),
        cmocka_unit_test(test_branch_round_trip_keeps_content_and_json),
        cmocka_unit_test(test_branches_children_roots_and_path_to_root_on_three_levels),
        cmocka_unit_test(test_branch_update_refuses_a_cycle_and_a_parent_from_another_story),
        cmocka_unit_test(test_branch_path_to_root_reports_a_cycle_planted_by_another_writer),
        cmocka_unit_test(test_branch_of_missing_story_is_refused_with_a_clear_message),
        cmocka_unit_test(test_deleting_a_story_removes_its_branches),
        cmocka_unit_test(test_choices_listed_by_character_in_time_order_and_by_branch),
        cmocka_unit_test(test_quest_round_trip_through_insert_get_update_list_delete),
        cmocka_unit_test(test_expired_quests_are_listed_as_of_the_given_time),
        cmocka_unit_test(test_objectives_listed_in_order_and_duplicate_order_index_refused),
        cmocka_unit_test(test_quest_progress_lifecycle_and_second_completion_refused),
        cmocka_unit_test(test_progress_expire_due_honours_the_given_time),
        cmocka_unit_test(test_agent_round_trip_through_every_function),
        cmocka_unit_test(test_agent_of_unknown_type_or_duplicate_name_is_refused),
        cmocka_unit_test(test_agent_memory_excludes_what_expired_by_the_given_time),
        cmocka_unit_test(test_evolution_log_append_list_and_rollback_mark_once),
        cmocka_unit_test(test_deleting_an_agent_keeps_its_log_entries_without_agent),
        cmocka_unit_test(test_event_round_trip_and_active_at_the_given_time),
        cmocka_unit_test(test_deleting_a_world_removes_its_quests_events_memories_and_log),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
