/* test_crafting.c — recipes: data/recipes.json loaded and stored in
 * crafting_recipes, discovery by unlock condition, and crafting through
 * game_apply and `play --script`: undiscovered refused, missing ingredients
 * in numbers and words, stations, success odds over 1,000 crafts with the
 * game's seeded PRNG, failure costs as said, skill training; malformed
 * recipes refused with file, entry and reason. Flat worlds, own data/ copy. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/crafting.h"
#include "game/game.h"
#include "save/characters.h"
#include "save/charstate.h"
#include "save/recipes.h"
#include "save/skills.h"
#include "world/blocks.h"

static char *dir;

/* A copy of data/ under dir/name, for $MAGIC_DATA_DIR. */
static const char *data_copy(const char *name) { return th_data_copy(dir, name); }

static int setup(void **state)
{
    (void)state;
    dir = th_tmpdir();
    setenv("USER", "tester", 1);
    setenv("MAGIC_DATA_DIR", data_copy("data"), 1);
    return 0;
}

/* Before each test: the unchanged copy of data/. */
static int real_data(void **state)
{
    (void)state;
    setenv("MAGIC_DATA_DIR", th_path(dir, "data"), 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    th_tmpdir_free(dir);
    return 0;
}

typedef ThGame Fixture;

/* A new save `file` with a flat world and a character of class cls (NULL: the default). */
static void start(Fixture *f, const char *file, const char *cls)
{
    th_game_start(f, th_path(dir, file), &(ThGameOpts){.class_name = cls});
}

static int has_event(const ActionResult *r, const char *text) { return th_event_with(r, text) != NULL; }

/* Adds count of item to the pack in stacks of up to 50, in free slots. */
static void give(Fixture *f, const char *item, int count)
{
    Err err = {0};
    while (count > 0) {
        InventoryRow *rows = NULL;
        int n = 0;
        assert_int_equal(inventory_list(f->save, game_player(f->game)->character_id, &rows, &n, &err), MA_OK);
        int slot = 0;
        for (int again = 1; again;) {
            again = 0;
            for (int i = 0; i < n; i++)
                if (rows[i].slot_position == slot) {
                    slot++;
                    again = 1;
                }
        }
        inventory_list_free(rows, n);
        InventoryRow r;
        memset(&r, 0, sizeof r);
        r.character_id = game_player(f->game)->character_id;
        snprintf(r.item_type, sizeof r.item_type, "%s", "material");
        snprintf(r.item_name, sizeof r.item_name, "%s", item);
        r.quantity = count < 50 ? count : 50;
        r.slot_position = slot;
        assert_int_equal(inventory_add(f->save, &r, &err), MA_OK);
        inventory_row_clear(&r);
        count -= count < 50 ? count : 50;
    }
}

static int count_of(Fixture *f, const char *item)
{
    InventoryRow *rows = NULL;
    int n = 0, total = 0;
    Err err = {0};
    assert_int_equal(inventory_list(f->save, game_player(f->game)->character_id, &rows, &n, &err), MA_OK);
    for (int i = 0; i < n; i++)
        if (strcmp(rows[i].item_name, item) == 0)
            total += rows[i].quantity;
    inventory_list_free(rows, n);
    return total;
}

static void place_block(Fixture *f, const char *block, int dx, int dz)
{
    const Player *p = game_player(f->game);
    int id = blocks_find(game_blocks(f->game), block);
    assert_true(id > 0);
    Err err = {0};
    assert_int_equal(world_set_block(game_world(f->game), p->x + dx, p->y, p->z + dz, (BlockId)id, &err), MA_OK);
}

static void discover(Fixture *f, ActionResult *r)
{
    Err err = {0};
    memset(r, 0, sizeof *r);
    if (crafting_discover(f->game, r, &err) < 0)
        fail_msg("%s", err.msg);
}

/* ------------------------------------------------------------ the data */

static void test_recipes_load_and_are_stored(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "store.db", NULL);
    CraftBook *b = NULL;
    Err err = {0};
    assert_int_equal(crafting_load_default(&b, &err), MA_OK);
    int n = crafting_recipe_count(b);
    assert_true(n >= 30);
    crafting_free(b);
    ActionResult r;
    discover(&f, &r);
    RecipeRow *rows = NULL;
    int m = 0;
    assert_int_equal(recipes_list(f.save, NULL, &rows, &m, &err), MA_OK);
    assert_int_equal(m, n);
    RecipeRow ingot;
    assert_int_equal(recipes_get_by_name(f.save, "iron_ingot", &ingot, &err), MA_OK);
    assert_int_equal(cJSON_GetArraySize(ingot.ingredients), 2);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(ingot.result_item, "station")->valuestring, "furnace");
    recipe_row_clear(&ingot);
    recipes_list_free(rows, m);
    th_game_stop(&f);
}

static void expect_refused(const char *json, const char *want1, const char *want2)
{
    BlockRegistry *blocks = NULL;
    Err err = {0};
    assert_int_equal(blocks_load_default(&blocks, &err), MA_OK);
    CraftBook *b = NULL;
    int rc = crafting_load(json, strlen(json), "data/recipes.json", blocks, &b, &err);
    blocks_free(blocks);
    if (rc != MA_ERR_INVALID)
        fail_msg("accepted: %s", json);
    assert_null(b);
    if (!strstr(err.msg, want1) || (want2 && !strstr(err.msg, want2)))
        fail_msg("message \"%s\" lacks \"%s\" / \"%s\"", err.msg, want1, want2 ? want2 : "");
}

#define RECIPE(extra)                                                                                                  \
    "{\"recipes\": [{\"name\": \"thing\", \"ingredients\": [{\"item\": \"stick\", \"count\": 2}], \"result\": "       \
    "{\"item\": \"torch\"}, \"chance\": 0.5, \"on_failure\": {\"lose\": \"all\"}" extra "}]}"

static void test_malformed_recipes_are_refused_with_file_entry_and_reason(void **state)
{
    (void)state;
    BlockRegistry *blocks = NULL;
    Err err = {0};
    assert_int_equal(blocks_load_default(&blocks, &err), MA_OK);
    CraftBook *b = NULL;
    const char *ok = RECIPE(", \"station\": \"anvil\", \"skill\": \"smithing\"");
    assert_int_equal(crafting_load(ok, strlen(ok), "data/recipes.json", blocks, &b, &err), MA_OK);
    crafting_free(b);
    blocks_free(blocks);
    expect_refused("{\"recipes\": [", "data/recipes.json: not valid JSON", NULL);
    expect_refused(RECIPE(", \"station\": \"forge\""), "data/recipes.json: recipe 0 (\"thing\")",
                   "station \"forge\" is not a block");
    expect_refused(RECIPE(", \"unlock\": {\"item\": {\"name\": \"coal\", \"count\": 0}}"),
                   "data/recipes.json: recipe 0 (\"thing\"): unlock", "count");
    expect_refused(RECIPE(", \"unlock\": {\"wish\": 1}"), "recipe 0 (\"thing\"): unlock", NULL);
    expect_refused(RECIPE(", \"skill\": \"juggling\""), "recipe 0 (\"thing\")", "skill \"juggling\"");
    expect_refused("{\"recipes\": [{\"name\": \"thing\", \"ingredients\": [{\"item\": \"stick\"}], \"result\": "
                   "{\"item\": \"torch\"}, \"chance\": 0.5, \"on_failure\": {\"lose\": [{\"item\": \"coal\"}]}}]}",
                   "recipe 0 (\"thing\"): on_failure.lose", "only ingredients");
    expect_refused("{\"recipes\": [{\"name\": \"thing\", \"ingredients\": [], \"result\": {\"item\": \"torch\"}, "
                   "\"chance\": 0.5, \"on_failure\": {\"lose\": \"all\"}}]}",
                   "recipe 0 (\"thing\"): \"ingredients\"", NULL);
    expect_refused("{\"recipes\": [{\"name\": \"thing\", \"ingredients\": [{\"item\": \"stick\"}], \"result\": "
                   "{\"item\": \"torch\"}, \"chance\": 1.5, \"on_failure\": {\"lose\": \"all\"}}]}",
                   "recipe 0 (\"thing\"): \"chance\"", NULL);
}

/* ------------------------------------------------------------ discovery */

static void test_only_discovered_recipes_are_listed_or_made(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "discover.db", "warrior"); /* carries planks, not iron */
    ActionResult r = th_act(f.game, "craft iron_ingot");
    assert_false(r.ok);
    /* and says what would teach it */
    assert_string_equal(r.text, "you do not know how to make iron ingot yet (you learn it with 1 iron ore (you have 0))");
    r = th_act(f.game, "craft iron_pickaxe");
    assert_string_equal(r.text, "you do not know how to make iron pickaxe yet (you learn it with 1 iron ingot (you have 0) "
                                "and Smithing 1 (you have 0))");
    /* What the starting gear can make was discovered when the game began: nothing new to announce. */
    assert_false(has_event(&r, "You could make: "));
    r = th_act(f.game, "craft moonbeam");
    assert_string_equal(r.text, "there is no recipe called 'moonbeam'");
    assert_false(has_event(&r, "You could make: "));
    discover(&f, &r);
    assert_false(has_event(&r, "You could make: "));
    CraftView *v = NULL;
    int n = 0;
    Err err = {0};
    assert_int_equal(crafting_list(f.game, &v, &n, &err), MA_OK);
    for (int i = 0; i < n; i++)
        assert_string_not_equal(v[i].name, "iron_ingot");
    free(v);
    /* Picking up iron ore finds the ingot; said once. */
    give(&f, "iron_ore", 1);
    discover(&f, &r);
    assert_true(has_event(&r, "You could make: iron ingot"));
    discover(&f, &r);
    assert_int_equal(r.n_events, 0);
    char buf[40];
    assert_int_equal(charstate_get(f.save, game_player(f.game)->character_id, "recipe", "iron_ingot", buf,
                                   sizeof buf, &err), MA_OK);
    /* Dropping the ore keeps the knowledge. */
    assert_int_equal(crafting_list(f.game, &v, &n, &err), MA_OK);
    int found = 0;
    for (int i = 0; i < n; i++)
        found |= strcmp(v[i].name, "iron_ingot") == 0;
    free(v);
    assert_true(found);
    th_game_stop(&f);
}

/* ------------------------------------------------------------ making things */

static void test_missing_ingredients_and_station_are_said_in_numbers_and_words(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "missing.db", "warrior");
    give(&f, "stick", 3);
    ActionResult r = th_act(f.game, "craft ladder");
    assert_false(r.ok);
    assert_string_equal(r.text, "needs a workbench within 2 steps; stick 3/7 — missing 4");
    place_block(&f, "workbench", 2, 0);
    r = th_act(f.game, "craft ladder");
    assert_false(r.ok);
    assert_string_equal(r.text, "stick 3/7 — missing 4");
    r = th_act(f.game, "craft ladder 2");
    assert_string_equal(r.text, "stick 3/14 — missing 11");
    give(&f, "stick", 11);
    CraftView *v = NULL;
    int n = 0;
    Err err = {0};
    assert_int_equal(crafting_list(f.game, &v, &n, &err), MA_OK);
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].name, "ladder") == 0) {
            char w[96];
            crafting_ingredient_words(&v[i].ing[0], 1, w, sizeof w);
            assert_string_equal(w, "stick 14/7 — enough");
            assert_int_equal(v[i].can_make, 2);
            assert_true(v[i].station_near);
            assert_string_equal(v[i].failure, "a failure loses 2 sticks");
        }
    free(v);
    /* Three steps away is too far. */
    assert_string_equal(th_act(f.game, "move w").text, "ok");
    r = th_act(f.game, "craft ladder");
    assert_string_equal(r.text, "needs a workbench within 2 steps");
    assert_string_equal(th_act(f.game, "move e").text, "ok");
    int before = (int)game_clock(f.game);
    r = th_act(f.game, "craft ladder");
    assert_string_equal(r.text, "ok");
    assert_true(game_clock(f.game) > before);
    assert_true(count_of(&f, "stick") == 7 || count_of(&f, "stick") == 12);
    th_game_stop(&f);
}

static void test_level_gate_is_said(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "level.db", "warrior");
    give(&f, "iron_ingot", 5);
    give(&f, "cobblestone", 4);
    place_block(&f, "workbench", 1, 0);
    ActionResult r = th_act(f.game, "craft anvil");
    assert_false(r.ok);
    assert_string_equal(r.text, "needs level 2 (you are level 1)");
    th_game_stop(&f);
}

/* A data dir whose recipes.json holds only the test's recipes. */
static void use_recipes(const char *name, const char *json)
{
    const char *data = data_copy(name);
    char path[4200];
    snprintf(path, sizeof path, "%s/recipes.json", data);
    th_write_file(path, json, -1);
    setenv("MAGIC_DATA_DIR", data, 1);
}

/* Successes reported by a craft's "You make N gravel." event. */
static int made_in(const ActionResult *r)
{
    int n = 0;
    for (int i = 0; i < r->n_events; i++)
        if (sscanf(r->events[i].text, "You make %d gravel.", &n) == 1)
            return n;
    return 0;
}

static void test_success_odds_over_a_thousand_crafts(void **state)
{
    (void)state;
    use_recipes("data-odds",
                "{\"recipes\": [{\"name\": \"pebble\", \"ingredients\": [{\"item\": \"cobblestone\"}], \"result\": "
                "{\"item\": \"gravel\"}, \"chance\": 0.7, \"skill\": null, \"on_failure\": {\"lose\": \"all\"}}]}");
    Fixture f;
    start(&f, "odds.db", "warrior");
    assert_true(crafting_chance(f.game, "pebble") == 0.7);
    /* A script word makes at most 999 at once: two crafts of 500. The
     * first is checked in the pack too; 500 turns later night creatures
     * may have had their way with the pack, so the second is counted
     * from what it reports. */
    give(&f, "cobblestone", 500);
    ActionResult r1 = th_act(f.game, "craft pebble 500");
    assert_string_equal(r1.text, "ok");
    int first = made_in(&r1);
    char want[96];
    snprintf(want, sizeof want, "%d of 500 attempts failed (70%% chance): a failure loses all the ingredients",
             500 - first);
    assert_true(has_event(&r1, want));
    if (!has_event(&r1, "die")) {
        assert_int_equal(count_of(&f, "gravel"), first);
        assert_int_equal(count_of(&f, "cobblestone"), 0); /* a failure loses all the ingredients */
    }
    give(&f, "cobblestone", 500 - count_of(&f, "cobblestone"));
    ActionResult r = th_act(f.game, "craft pebble 500");
    assert_string_equal(r.text, "ok");
    int made = first + made_in(&r);
    if (made < 650 || made > 750)
        fail_msg("%d successes of 1000 at 70%%", made);
    th_game_stop(&f);
}

static void test_failure_costs_what_it_says(void **state)
{
    (void)state;
    use_recipes("data-fail",
                "{\"skill_xp\": 4, \"failure_xp_fraction\": 0.5, \"recipes\": [{\"name\": \"brew\", \"ingredients\": "
                "[{\"item\": \"stick\"}, {\"item\": \"coal\", \"count\": 2}], \"result\": {\"item\": \"torch\"}, "
                "\"chance\": 0.2, \"skill\": \"carpentry\", \"on_failure\": {\"lose\": [{\"item\": \"coal\"}], "
                "\"hurt\": 1}}]}");
    Fixture f;
    start(&f, "fail.db", "warrior");
    give(&f, "stick", 20);
    give(&f, "coal", 40);
    int torches = count_of(&f, "torch"), hp = game_player(f.game)->health;
    ActionResult r = th_act(f.game, "craft brew 20");
    assert_string_equal(r.text, "ok");
    int ok = count_of(&f, "torch") - torches, failed = 20 - ok;
    assert_true(failed > 0 && ok > 0);
    assert_int_equal(count_of(&f, "stick"), 20 - ok);
    assert_int_equal(count_of(&f, "coal"), 40 - 2 * ok - failed);
    /* Each failure hurts for 1 (twenty turns pass, which heal 2). */
    assert_true(game_player(f.game)->health <= hp - failed + 2);
    assert_true(has_event(&r, "a failure loses 1 coal and hurts you for 1"));
    assert_true(has_event(&r, "The mixture boils over"));
    /* Crafting trains the recipe's skill, failures at half. */
    SkillRow row;
    Err err = {0};
    assert_int_equal(skills_get(f.save, game_player(f.game)->character_id, "carpentry", &row, &err), MA_OK);
    assert_true(row.skill_level >= 1);
    skill_row_clear(&row);
    th_game_stop(&f);
}

static void test_craft_through_play_script(void **state)
{
    (void)state;
    const char *db = th_path(dir, "script.db");
    RunResult r = th_run(NULL, "--save", db, "world", "create", "flatland", "--type", "flat", "--seed", "3", NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    /* A warrior carries 16 planks: sticks need no station. */
    r = th_run("craft stick 2\ncraft door\n", "--save", db, "play", "--script", "-", "--world", "flatland",
               "--class", "warrior", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "ok\nneeds a workbench within 2 steps\n"));
    assert_non_null(strstr(r.out, "stick x"));
    th_run_free(&r);
}

/* Tundra's snow digs into four snowballs (said with their number), and four snowballs pack into a
 * snow block that builds (broken on purpose: "take the snowball" when four were taken). */
static void test_snow_digs_into_snowballs_that_pack_into_a_block(void **state)
{
    (void)state;
    const char *db = th_path(dir, "snow.db");
    RunResult r = th_run(NULL, "--save", db, "world", "create", "Snowy", "--seed", "20261127", NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    /* (20, 4) is tundra in this world, some 60 steps from the spawn. */
    r = th_run("walk 20 4\ndig down\ncraft snow\nmove e\nplace w snow\n", "--save", db, "play", "--script", "-",
               "--world", "Snowy", "--class", "warrior", "--verbose", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "You dig out the snow block and take 4 snowballs."));
    assert_non_null(strstr(r.out, "You make 1 snow block."));
    assert_non_null(strstr(r.out, "Placed your last snow block to the west."));
    assert_null(strstr(r.out, "snowball x"));
    th_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_recipes_load_and_are_stored, real_data),
        cmocka_unit_test_setup(test_malformed_recipes_are_refused_with_file_entry_and_reason, real_data),
        cmocka_unit_test_setup(test_only_discovered_recipes_are_listed_or_made, real_data),
        cmocka_unit_test_setup(test_missing_ingredients_and_station_are_said_in_numbers_and_words, real_data),
        cmocka_unit_test_setup(test_level_gate_is_said, real_data),
        cmocka_unit_test_setup(test_success_odds_over_a_thousand_crafts, real_data),
        cmocka_unit_test_setup(test_failure_costs_what_it_says, real_data),
        cmocka_unit_test_setup(test_craft_through_play_script, real_data),
        cmocka_unit_test_setup(test_snow_digs_into_snowballs_that_pack_into_a_block, real_data),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
