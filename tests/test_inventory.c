/* test_inventory.c — the pack and the equipment through game_start /
 * game_apply on "flat" worlds (grass at SEA_LEVEL, feet at SEA_LEVEL + 1)
 * and through `play --script`: equipping and its bonuses, stacks, items on
 * the ground and in chests (a placed one and one from world generation),
 * eating and reading, wear and repair, transfers, death, verify, and
 * data/items.json validation. The default class (warrior) starts with an
 * iron sword, a stone pickaxe, 16 planks, 8 torches and 4 bread. */
#include "helpers.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "game/game.h"
#include "game/game_internal.h"
#include "game/inventory.h"
#include "game/items.h"
#include "game/rules.h"
#include "game/game_rules.h"
#include "game/progress.h"
#include "util/data.h"
#include "game/creatures.h"
#include "save/characters.h"
#include "save/charstate.h"
#include "world/blocks.h"
#include "world/structures.h"

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = th_tmpdir();
    setenv("USER", "tester", 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    th_tmpdir_free(dir);
    return 0;
}

typedef ThGame Fixture;

/* A save `file` with the player in the world "land" of type and seed: created first when
 * create_world, else the one game_start makes. */
static void start_world(Fixture *f, const char *file, const char *type, uint64_t seed, int create_world)
{
    th_game_start(f, th_path(dir, file),
                  &(ThGameOpts){.world = "land", .seed = seed, .type = type, .no_world = !create_world});
}

static void start(Fixture *f, const char *file, int create_world) { start_world(f, file, "flat", 7, create_world); }

static int has_event(const ActionResult *r, const char *text) { return th_event_with(r, text) != NULL; }

static int64_t me(Fixture *f) { return game_player(f->game)->character_id; }

/* The rows of item, by slot. Returns how many (at most max). */
static int rows_of(Fixture *f, const char *item, InventoryRow *out, int max)
{
    InventoryRow *rows = NULL;
    int n = 0, k = 0;
    Err err = {0};
    if (game_inventory(f->game, &rows, &n, &err) != MA_OK)
        fail_msg("%s", err.msg);
    for (int i = 0; i < n; i++)
        if (strcmp(rows[i].item_name, item) == 0 && k < max) {
            out[k] = rows[i];
            out[k].item_data = cJSON_Duplicate(rows[i].item_data, 1);
            k++;
        }
    inventory_list_free(rows, n);
    return k;
}

static void rows_clear(InventoryRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        inventory_row_clear(&rows[i]);
}

static int count_of(Fixture *f, const char *item)
{
    Err err = {0};
    int n = inventory_count(f->game, me(f), item, &err);
    assert_true(n >= 0);
    return n;
}

static const char *data_str(const InventoryRow *r, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->item_data, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int data_int(const InventoryRow *r, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->item_data, key);
    return cJSON_IsNumber(v) ? v->valueint : -1;
}

static EquipBonuses bonuses(Fixture *f)
{
    EquipBonuses b;
    Err err = {0};
    assert_int_equal(inventory_bonuses(f->game, &b, &err), MA_OK);
    return b;
}

static void give(Fixture *f, const char *item, int count)
{
    Err err = {0};
    assert_int_equal(inventory_give(f->game, me(f), item, "", count, NULL, &err), 0);
}

/* Fills every free backpack slot with single-stack gear. */
static void fill_pack(Fixture *f)
{
    Err err = {0};
    int left;
    do
        left = inventory_give(f->game, me(f), "wooden_shovel", "", 1, NULL, &err);
    while (left == 0);
    assert_int_equal(left, 1);
}

static int stat_index(const char *name)
{
    for (int k = 0; k < ITEM_STATS; k++)
        if (strcmp(item_stat_names[k], name) == 0)
            return k;
    fail_msg("no stat %s", name);
    return -1;
}

/* ------------------------------------------------------------ equipment */

static void test_equip_moves_the_item_to_its_slot_and_changes_bonuses(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "equip.db", 1);
    /* A new warrior holds the class's sword from the start; the rest of the gear is in the pack. */
    EquipBonuses b = bonuses(&f);
    assert_int_equal(b.attack, 7);
    assert_string_equal(b.weapon, "iron_sword");
    assert_string_equal(th_act(f.game, "unequip main_hand").text, "ok");
    b = bonuses(&f);
    assert_int_equal(b.attack, 0);
    assert_null(b.weapon);
    ActionResult r = th_act(f.game, "equip iron_sword");
    assert_string_equal(r.text, "ok");
    assert_true(has_event(&r, "iron sword in your main hand"));
    b = bonuses(&f);
    assert_int_equal(b.attack, 7);
    assert_string_equal(b.weapon, "iron_sword");
    assert_int_equal(b.stat[stat_index("strength")], 1);
    assert_int_equal(th_act(f.game, "equip leather_cap").ok, 0); /* not carried */
    give(&f, "iron_helmet", 1);
    give(&f, "ring_of_vigor", 1);
    assert_string_equal(th_act(f.game, "equip iron_helmet").text, "ok");
    assert_string_equal(th_act(f.game, "equip ring_of_vigor").text, "ok");
    b = bonuses(&f);
    assert_int_equal(b.armor, 2);
    assert_int_equal(b.stat[stat_index("health")], 10);
    assert_int_equal(b.stat[stat_index("constitution")], 2);
    th_game_stop(&f);

    /* The save keeps it: slot 40 with item_data.slot "main_hand". */
    start(&f, "equip.db", 0);
    InventoryRow rows[4];
    assert_int_equal(rows_of(&f, "iron_sword", rows, 4), 1);
    assert_int_equal(rows[0].slot_position, INV_SLOT_MAIN_HAND);
    assert_string_equal(data_str(&rows[0], "slot"), "main_hand");
    assert_int_equal(data_int(&rows[0], "durability"), 250);
    rows_clear(rows, 1);
    assert_int_equal(rows_of(&f, "iron_helmet", rows, 4), 1);
    assert_int_equal(rows[0].slot_position, INV_SLOT_HEAD);
    rows_clear(rows, 1);
    assert_int_equal(rows_of(&f, "ring_of_vigor", rows, 4), 1);
    assert_int_equal(rows[0].slot_position, INV_SLOT_RING1);
    assert_string_equal(data_str(&rows[0], "slot"), "ring1");
    rows_clear(rows, 1);
    assert_int_equal(bonuses(&f).attack, 7);
    th_game_stop(&f);
}

/* Worn gear's bonuses count: a ring of strength adds 2 strength wherever play reads it (combat,
 * a story's "[Strength N]", the sheet); a ring of vigor raises health's maximum by 10 while it is
 * worn, and taking it off lowers it again, keeping health within it. */
static void test_worn_gear_bonuses_count_in_play(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "gear_counts.db", 1);
    Game *g = f.game;
    const Player *p = game_player(g);
    Err err = {0};
    int strength = progress_stat(g, "strength", 0, &err), max = p->max_health;
    GameRules gr;
    ActionResult scratch;
    memset(&scratch, 0, sizeof scratch);
    game_rules_bind(&gr, g, &scratch);
    char cond[96];
    snprintf(cond, sizeof cond, "{\"stat\":{\"name\":\"strength\",\"min\":%d}}", strength + 2);
    cJSON *needs = cJSON_Parse(cond);
    assert_false(rules_check(&gr.ctx, needs));
    give(&f, "ring_of_strength", 1);
    assert_string_equal(th_act(g, "equip ring_of_strength").text, "ok");
    assert_int_equal(progress_stat(g, "strength", 0, &err), strength + 2);
    assert_true(rules_check(&gr.ctx, needs)); /* a lock that needs 2 more opens with the ring */
    CharSheet sh;
    assert_int_equal(progress_sheet(g, &sh, &err), MA_OK);
    assert_int_equal(sh.stats[2], strength - 1); /* the base, and what is worn beside it: */
    assert_int_equal(sh.gear[2], 3);              /* the ring's 2 and the sword's 1 (in hand from the start) */
    cJSON_Delete(needs);
    /* The ring of vigor: +10 health at most while worn, said when it changes. */
    give(&f, "ring_of_vigor", 1);
    ActionResult r = th_act(g, "equip ring_of_vigor");
    assert_string_equal(r.text, "ok");
    assert_int_equal(p->max_health, max + 10);
    char said[96];
    snprintf(said, sizeof said, "Health at most %d now (+10 from what you wear).", max + 10);
    assert_non_null(th_event_with(&r, said));
    assert_int_equal(progress_sheet(g, &sh, &err), MA_OK);
    assert_int_equal(sh.max_health, max + 10);
    assert_int_equal(sh.gear[0], 10);
    th_game_stop(&f);
    /* Kept across a restart, counted once. */
    start(&f, "gear_counts.db", 0);
    g = f.game;
    p = game_player(g);
    assert_int_equal(p->max_health, max + 10);
    assert_true(th_act(g, "wait").ok);
    assert_int_equal(p->max_health, max + 10);
    /* Rested to the new maximum, then the ring off: back to the old, and health within it. */
    assert_true(th_act(g, "wait 200").ok);
    assert_int_equal(p->health, max + 10);
    assert_string_equal(th_act(g, "unequip ring_of_vigor").text, "ok");
    assert_int_equal(p->max_health, max);
    assert_int_equal(p->health, max);
    assert_string_equal(th_act(g, "unequip ring_of_strength").text, "ok");
    assert_int_equal(progress_stat(g, "strength", 0, &err), strength);
    th_game_stop(&f);
}

static void test_unequip_returns_to_the_pack_and_refuses_when_full(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "unequip.db", 1); /* the warrior's sword is in hand from the start */
    ActionResult r = th_act(f.game, "unequip main_hand");
    assert_string_equal(r.text, "ok");
    InventoryRow rows[2];
    assert_int_equal(rows_of(&f, "iron_sword", rows, 2), 1);
    assert_true(rows[0].slot_position >= 0 && rows[0].slot_position < INV_BACKPACK_SLOTS);
    assert_null(data_str(&rows[0], "slot"));
    assert_int_equal(data_int(&rows[0], "durability"), 250);
    rows_clear(rows, 1);
    assert_int_equal(bonuses(&f).attack, 0);
    assert_string_equal(th_act(f.game, "unequip head").text, "nothing is worn in your head slot");
    assert_string_equal(th_act(f.game, "unequip iron_sword").text, "the iron sword is not equipped");

    /* By item name, and refused when the pack has no free slot. */
    assert_string_equal(th_act(f.game, "equip iron_sword").text, "ok");
    fill_pack(&f);
    r = th_act(f.game, "unequip iron_sword");
    assert_false(r.ok);
    assert_string_equal(r.text, "your pack is full: no room for the iron sword");
    assert_int_equal(rows_of(&f, "iron_sword", rows, 2), 1);
    assert_int_equal(rows[0].slot_position, INV_SLOT_MAIN_HAND);
    rows_clear(rows, 1);
    th_game_stop(&f);
}

static void test_equipping_swaps_out_what_was_worn(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "swap.db", 1);
    give(&f, "dagger", 1);
    InventoryRow rows[4];
    assert_int_equal(rows_of(&f, "dagger", rows, 4), 1);
    int dagger_slot = rows[0].slot_position;
    rows_clear(rows, 1);
    ActionResult r = th_act(f.game, "equip dagger"); /* the sword, in hand from the start, goes back */
    assert_string_equal(r.text, "ok");
    assert_true(has_event(&r, "The iron sword goes back into your pack."));
    assert_int_equal(rows_of(&f, "dagger", rows, 4), 1);
    assert_int_equal(rows[0].slot_position, INV_SLOT_MAIN_HAND);
    rows_clear(rows, 1);
    assert_int_equal(rows_of(&f, "iron_sword", rows, 4), 1);
    assert_int_equal(rows[0].slot_position, dagger_slot);
    assert_null(data_str(&rows[0], "slot"));
    rows_clear(rows, 1);
    EquipBonuses b = bonuses(&f);
    assert_string_equal(b.weapon, "dagger");
    assert_int_equal(b.attack, 4);
    assert_int_equal(b.stat[stat_index("strength")], 0);
    assert_int_equal(b.stat[stat_index("dexterity")], 2);

    /* Two ring fingers; a third ring takes the first finger's place. */
    give(&f, "gold_ring", 1);
    give(&f, "ring_of_strength", 1);
    give(&f, "ring_of_wisdom", 1);
    assert_string_equal(th_act(f.game, "equip gold_ring").text, "ok");
    assert_string_equal(th_act(f.game, "equip ring_of_strength").text, "ok");
    assert_string_equal(th_act(f.game, "equip ring_of_wisdom").text, "ok");
    assert_int_equal(rows_of(&f, "ring_of_wisdom", rows, 4), 1);
    assert_int_equal(rows[0].slot_position, INV_SLOT_RING1);
    rows_clear(rows, 1);
    assert_int_equal(rows_of(&f, "ring_of_strength", rows, 4), 1);
    assert_int_equal(rows[0].slot_position, INV_SLOT_RING2);
    rows_clear(rows, 1);
    assert_int_equal(rows_of(&f, "gold_ring", rows, 4), 1);
    assert_true(rows[0].slot_position < INV_BACKPACK_SLOTS);
    rows_clear(rows, 1);
    th_game_stop(&f);
}

static void test_equipping_what_cannot_be_worn_is_refused_with_a_reason(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "refuse.db", 1);
    ActionResult r = th_act(f.game, "equip bread");
    assert_false(r.ok);
    assert_string_equal(r.text, "cannot equip the bread: a food is not worn or wielded");
    assert_string_equal(th_act(f.game, "equip torch").text, "cannot equip the torch: a block is not worn or wielded");
    assert_string_equal(th_act(f.game, "equip unicorn_horn").text, "you have no unicorn horn");
    assert_string_equal(th_act(f.game, "equip iron_sword").text, "the iron sword is already equipped");
    /* Nothing moved: bread still in the pack. */
    InventoryRow rows[2];
    assert_int_equal(rows_of(&f, "bread", rows, 2), 1);
    assert_true(rows[0].slot_position < INV_BACKPACK_SLOTS);
    rows_clear(rows, 1);
    th_game_stop(&f);
}

/* ------------------------------------------------------------ stacks and the bag */

static void test_stacks_split_at_the_items_maximum(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "stacks.db", 1);
    assert_string_equal(th_act(f.game, "unequip main_hand").text, "ok"); /* the sword back in slot a */
    InventoryRow rows[8];
    give(&f, "bread", 20); /* 4 + 20, bread stacks to 16 */
    assert_int_equal(rows_of(&f, "bread", rows, 8), 2);
    assert_int_equal(rows[0].quantity, 16);
    assert_int_equal(rows[1].quantity, 8);
    rows_clear(rows, 2);
    give(&f, "torch", 100); /* 8 + 100, torches stack to 64 */
    assert_int_equal(rows_of(&f, "torch", rows, 8), 2);
    assert_int_equal(rows[0].quantity, 64);
    assert_int_equal(rows[1].quantity, 44);
    rows_clear(rows, 2);
    give(&f, "gold_coin", 1500);
    assert_int_equal(rows_of(&f, "gold_coin", rows, 8), 2);
    assert_int_equal(rows[0].quantity, 999);
    rows_clear(rows, 2);
    give(&f, "mystery_goo", 150); /* not in items.json: a material of 99 */
    assert_int_equal(rows_of(&f, "mystery_goo", rows, 8), 2);
    assert_int_equal(rows[0].quantity, ITEM_DEFAULT_STACK);
    assert_string_equal(rows[0].item_type, "material");
    rows_clear(rows, 2);
    give(&f, "dagger", 2); /* gear: one per slot, each with its durability */
    assert_int_equal(rows_of(&f, "dagger", rows, 8), 2);
    assert_int_equal(rows[0].quantity, 1);
    assert_int_equal(data_int(&rows[1], "durability"), 180);
    rows_clear(rows, 2);
    /* Taking uses the later stacks first and leaves whole stacks. */
    Err err = {0};
    assert_int_equal(game_take_item(f.game, "bread", 10, &err), MA_OK);
    assert_int_equal(rows_of(&f, "bread", rows, 8), 1);
    assert_int_equal(rows[0].quantity, 14);
    rows_clear(rows, 1);
    th_game_stop(&f);
}

static void test_a_bag_adds_backpack_slots(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "bag.db", 1);
    give(&f, "leather_bag", 1);
    assert_string_equal(th_act(f.game, "equip leather_bag").text, "ok");
    fill_pack(&f);
    InventoryRow *rows = NULL;
    int n = 0, in_bag = 0;
    Err err = {0};
    assert_int_equal(game_inventory(f.game, &rows, &n, &err), MA_OK);
    for (int i = 0; i < n; i++) {
        int pos = rows[i].slot_position;
        assert_true(pos < INV_BACKPACK_SLOTS || inventory_is_equipment_slot(pos) ||
                    (pos >= INV_BAG_FIRST && pos < INV_BAG_FIRST + INV_BAG_SLOTS));
        in_bag += pos >= INV_BAG_FIRST && pos < INV_BAG_FIRST + INV_BAG_SLOTS;
    }
    inventory_list_free(rows, n);
    assert_int_equal(in_bag, 16);
    ActionResult r = th_act(f.game, "unequip bag");
    assert_false(r.ok);
    assert_string_equal(r.text, "empty the leather bag first: 16 stacks are still in it");
    th_game_stop(&f);
}

/* ------------------------------------------------------------ the ground */

static int entities_with(Chunk *c, const char *item, int *count)
{
    int n = 0;
    *count = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, c->entities) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "item");
        if (cJSON_IsString(name) && strcmp(name->valuestring, item) == 0) {
            n++;
            *count += cJSON_GetObjectItemCaseSensitive(e, "count")->valueint;
        }
    }
    return n;
}

static Chunk *feet_chunk(Fixture *f)
{
    const Player *p = game_player(f->game);
    Err err = {0};
    Chunk *c = world_chunk(game_world(f->game), chunk_coord(p->x), chunk_coord(p->y), chunk_coord(p->z), &err);
    assert_non_null(c);
    return c;
}

static void test_drop_then_take_round_trips_through_the_chunk(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "drop.db", 1);
    Err err = {0};
    int64_t logged0, logged;
    assert_int_equal(transfers_count(f.save, me(&f), &logged0, &err), MA_OK);
    ActionResult r = th_act(f.game, "drop torch 3");
    assert_string_equal(r.text, "ok");
    assert_true(has_event(&r, "You drop 3 torches at your feet."));
    assert_int_equal(count_of(&f, "torch"), 5);
    /* A worn sword keeps its durability on the ground. */
    ActionResult w = {0};
    assert_int_equal(inventory_wear(f.game, "iron_sword", 50, &w, &err), MA_OK);
    assert_string_equal(th_act(f.game, "drop iron_sword").text, "ok");
    int count;
    assert_int_equal(entities_with(feet_chunk(&f), "torch", &count), 1);
    assert_int_equal(count, 3);
    assert_int_equal(transfers_count(f.save, me(&f), &logged, &err), MA_OK);
    assert_int_equal(logged, logged0 + 2);
    const Player *p = game_player(f.game);
    int32_t px = p->x, py = p->y, pz = p->z;
    th_game_stop(&f);

    /* The entity is in the stored chunk: reopen the save and find it. */
    start(&f, "drop.db", 0);
    Chunk *c = feet_chunk(&f);
    assert_int_equal(entities_with(c, "torch", &count), 1);
    assert_int_equal(count, 3);
    const cJSON *e;
    int seen_sword = 0;
    cJSON_ArrayForEach(e, c->entities) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "item");
        if (!cJSON_IsString(name))
            continue;
        const cJSON *pos = cJSON_GetObjectItemCaseSensitive(e, "position");
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "type")->valuestring, "item");
        assert_int_equal(cJSON_GetArrayItem(pos, 0)->valueint, chunk_local(px));
        assert_int_equal(cJSON_GetArrayItem(pos, 1)->valueint, chunk_local(py));
        assert_int_equal(cJSON_GetArrayItem(pos, 2)->valueint, chunk_local(pz));
        if (strcmp(name->valuestring, "iron_sword") == 0) {
            seen_sword = 1;
            const cJSON *dur = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(e, "data"), "durability");
            assert_int_equal(dur->valueint, 200);
        }
    }
    assert_true(seen_sword);
    assert_string_equal(th_act(f.game, "take").text, "ok");
    assert_int_equal(count_of(&f, "torch"), 8);
    InventoryRow rows[2];
    assert_int_equal(rows_of(&f, "iron_sword", rows, 2), 1);
    assert_int_equal(data_int(&rows[0], "durability"), 200);
    rows_clear(rows, 1);
    assert_int_equal(entities_with(feet_chunk(&f), "torch", &count), 0);
    /* Nothing left: take says so. */
    assert_string_equal(th_act(f.game, "take").text, "nothing here to take");
    assert_string_equal(th_act(f.game, "drop torch 99").text, "you have only 8 torches");
    th_game_stop(&f);
}

/* ------------------------------------------------------------ chests */

static void test_a_placed_chest_gives_its_items_once(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "chest.db", 1);
    const Player *p = game_player(f.game);
    Err err = {0};
    int chest = blocks_find(game_blocks(f.game), "chest");
    assert_true(chest > 0);
    assert_int_equal(world_set_block(game_world(f.game), p->x + 1, p->y, p->z, (BlockId)chest, &err), MA_OK);
    cJSON *meta = cJSON_Parse("{\"items\":[{\"item\":\"iron_ingot\",\"count\":3},{\"item\":\"healing_potion\",\"count\":2}]}");
    assert_int_equal(world_set_block_meta(game_world(f.game), p->x + 1, p->y, p->z, meta, &err), MA_OK);
    ActionResult r = th_act(f.game, "take");
    assert_string_equal(r.text, "ok");
    assert_true(has_event(&r, "You open the chest and take 3 iron ingots, 2 healing potions."));
    assert_int_equal(count_of(&f, "iron_ingot"), 3);
    assert_int_equal(count_of(&f, "healing_potion"), 2);
    assert_string_equal(th_act(f.game, "take").text, "the chest is empty");
    assert_int_equal(count_of(&f, "iron_ingot"), 3);
    th_game_stop(&f);
    start(&f, "chest.db", 0);
    assert_string_equal(th_act(f.game, "take").text, "the chest is empty");
    th_game_stop(&f);
}

/* One thing out of a chest: `take ITEM` takes that item's stacks and leaves the rest (g at a
 * chest had taken everything); the take list names what the chest holds. */
static void test_one_item_is_taken_from_a_chest(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "chest_one.db", 1);
    const Player *p = game_player(f.game);
    Err err = {0};
    int chest = blocks_find(game_blocks(f.game), "chest");
    assert_int_equal(world_set_block(game_world(f.game), p->x + 1, p->y, p->z, (BlockId)chest, &err), MA_OK);
    cJSON *meta = cJSON_Parse("{\"items\":[{\"item\":\"iron_ingot\",\"count\":3},{\"item\":\"healing_potion\","
                              "\"count\":2},{\"item\":\"iron_ingot\",\"count\":1}]}");
    assert_int_equal(world_set_block_meta(game_world(f.game), p->x + 1, p->y, p->z, meta, &err), MA_OK);
    InventoryChoice ch[8];
    assert_int_equal(inventory_chest_choices(f.game, ch, 8), 2);
    assert_string_equal(ch[0].item, "iron_ingot");
    assert_int_equal(ch[0].count, 4);
    assert_string_equal(ch[1].item, "healing_potion");
    assert_int_equal(ch[1].count, 2);
    ActionResult r = th_act(f.game, "take healing_potion");
    assert_string_equal(r.text, "ok");
    assert_true(has_event(&r, "You open the chest and take 2 healing potions."));
    assert_int_equal(count_of(&f, "healing_potion"), 2);
    assert_int_equal(count_of(&f, "iron_ingot"), 0);
    assert_int_equal(inventory_chest_choices(f.game, ch, 8), 1);
    assert_string_equal(th_act(f.game, "take bread").text, "no bread here or in the chest");
    assert_string_equal(th_act(f.game, "take healing_potion").text, "no healing potion here or in the chest");
    r = th_act(f.game, "take");
    assert_true(has_event(&r, "You open the chest and take 4 iron ingots."));
    assert_int_equal(inventory_chest_choices(f.game, ch, 8), 0);
    Action a;
    assert_int_equal(action_parse("take bread sword", &a, &err), MA_ERR_INVALID);
    assert_string_equal(err.msg, "take takes at most an item: take bread");
    th_game_stop(&f);
}

/* A chest keeps what is put in it, across a restart, and gives it back; with no chest near, or a
 * full one, nothing leaves the pack. */
static void test_items_put_in_a_chest_stay_there(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "store.db", 1);
    const Player *p = game_player(f.game);
    Err err = {0};
    int bread = count_of(&f, "bread"), torches = count_of(&f, "torch");
    assert_true(bread >= 2 && torches >= 1);
    ActionResult r = th_act(f.game, "store bread 2");
    assert_false(r.ok);
    assert_non_null(strstr(r.text, "no chest beside you"));
    assert_int_equal(count_of(&f, "bread"), bread);
    int chest = blocks_find(game_blocks(f.game), "chest");
    assert_int_equal(world_set_block(game_world(f.game), p->x + 1, p->y, p->z, (BlockId)chest, &err), MA_OK);
    r = th_act(f.game, "store bread 2");
    assert_string_equal(r.text, "ok");
    assert_true(has_event(&r, "You put 2 bread in the chest."));
    assert_int_equal(th_act(f.game, "store bread 1").ok, 1); /* joins the stack */
    assert_int_equal(th_act(f.game, "store torch").ok, 1);
    assert_int_equal(count_of(&f, "bread"), bread - 3);
    assert_int_equal(count_of(&f, "torch"), torches - 1);
    /* Looking at the chest says what it holds. */
    char holds[200];
    assert_int_equal(inventory_chest_words(f.game, p->x + 1, p->y, p->z, holds, sizeof holds), 1);
    assert_string_equal(holds, "3 bread, 1 torch");
    assert_int_equal(inventory_chest_words(f.game, p->x - 1, p->y, p->z, holds, sizeof holds), 0);
    th_game_stop(&f);
    /* Saved with the chest: after a restart it gives them back. */
    start(&f, "store.db", 0);
    r = th_act(f.game, "take");
    assert_string_equal(r.text, "ok");
    assert_true(has_event(&r, "You open the chest and take 3 bread, 1 torch."));
    assert_int_equal(count_of(&f, "bread"), bread);
    assert_int_equal(count_of(&f, "torch"), torches);
    /* A chest of 27 stacks takes no more. */
    cJSON *meta = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(meta, "items");
    for (int i = 0; i < INVENTORY_CHEST_STACKS; i++) {
        cJSON *it = cJSON_CreateObject();
        cJSON_AddStringToObject(it, "item", "iron_sword");
        cJSON_AddNumberToObject(it, "count", 1);
        cJSON_AddItemToObject(it, "data", cJSON_Parse("{\"durability\":10}"));
        cJSON_AddItemToArray(items, it);
    }
    const Player *q = game_player(f.game);
    assert_int_equal(world_set_block_meta(game_world(f.game), q->x + 1, q->y, q->z, meta, &err), MA_OK);
    r = th_act(f.game, "store bread 1");
    assert_false(r.ok);
    assert_non_null(strstr(r.text, "the chest is full"));
    assert_int_equal(count_of(&f, "bread"), bread);
    th_game_stop(&f);
}

/* Finds a dungeon chest of the generated world: its position and a cell next to it to stand in. */
static int find_dungeon_chest(Fixture *f, int32_t at[3], int32_t stand[3])
{
    Generator *gen = world_generator(game_world(f->game));
    GenStructure found[16];
    int n = generator_structures_near(gen, 0, 0, 3000, found, 16);
    BlockId chest = (BlockId)blocks_find(game_blocks(f->game), "chest");
    World *w = game_world(f->game);
    for (int i = 0; i < n; i++) {
        if (strcmp(found[i].type, "dungeon") != 0)
            continue;
        const GenStructure *s = &found[i];
        for (int32_t y = s->y; y < s->y + s->h; y++)
            for (int32_t z = s->z; z < s->z + s->d; z++)
                for (int32_t x = s->x; x < s->x + s->w; x++) {
                    if (world_get_block(w, x, y, z) != chest)
                        continue;
                    static const int side[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
                    for (int k = 0; k < 4; k++) {
                        int32_t sx = x + side[k][0], sz = z + side[k][1];
                        const BlockRegistry *reg = game_blocks(f->game);
                        /* Only this chest within reach, so `take` must open it. */
                        int chests = 0;
                        for (int dy = -1; dy <= 1; dy++)
                            for (int dz = -1; dz <= 1; dz++)
                                for (int dx = -1; dx <= 1; dx++)
                                    chests += world_get_block(w, sx + dx, y + dy, sz + dz) == chest;
                        if (chests == 1 && !blocks_get(reg, world_get_block(w, sx, y, sz))->solid &&
                            !blocks_get(reg, world_get_block(w, sx, y + 1, sz))->solid &&
                            blocks_get(reg, world_get_block(w, sx, y - 1, sz))->solid) {
                            at[0] = x, at[1] = y, at[2] = z;
                            stand[0] = sx, stand[1] = y, stand[2] = sz;
                            return 1;
                        }
                    }
                }
    }
    return 0;
}

static void test_a_dungeon_chest_from_world_generation_gives_its_loot_once(void **state)
{
    (void)state;
    Fixture f;
    start_world(&f, "dungeon.db", "normal", 20261127, 1);
    int32_t at[3] = {0}, stand[3] = {0};
    assert_true(find_dungeon_chest(&f, at, stand));
    Err err = {0};
    Chunk *c = world_chunk(game_world(f.game), chunk_coord(at[0]), chunk_coord(at[1]), chunk_coord(at[2]), &err);
    assert_non_null(c);
    cJSON *meta = cJSON_Duplicate(
        chunk_meta_get(c, CHUNK_INDEX(chunk_local(at[0]), chunk_local(at[1]), chunk_local(at[2]))), 1);
    cJSON *items = cJSON_GetObjectItemCaseSensitive(meta, "items");
    assert_true(cJSON_GetArraySize(items) > 0);
    /* Stand next to it (the game has no teleport; the test moves the player). */
    f.game->p.x = stand[0];
    f.game->p.y = stand[1];
    f.game->p.z = stand[2];
    int before[16];
    int i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, items) {
        before[i++] = count_of(&f, cJSON_GetObjectItemCaseSensitive(it, "item")->valuestring);
    }
    ActionResult r = th_act(f.game, "take");
    assert_string_equal(r.text, "ok");
    assert_true(has_event(&r, "You open the chest and take"));
    i = 0;
    cJSON_ArrayForEach(it, items) {
        const char *name = cJSON_GetObjectItemCaseSensitive(it, "item")->valuestring;
        int n = cJSON_GetObjectItemCaseSensitive(it, "count")->valueint;
        assert_int_equal(count_of(&f, name), before[i++] + n);
        assert_non_null(items_find(inventory_items(f.game), name));
    }
    cJSON_Delete(meta);
    assert_string_equal(th_act(f.game, "take").text, "the chest is empty");
    th_game_stop(&f);
}

/* ------------------------------------------------------------ use, wear, repair */

static void test_eating_bread_heals_and_a_scroll_teaches_a_recipe(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "use.db", 1);
    const Player *p = game_player(f.game);
    ActionResult r = th_act(f.game, "use bread");
    assert_false(r.ok);
    assert_string_equal(r.text, "you are not hurt (120/120 health)");
    f.game->p.health = 100;
    r = th_act(f.game, "use bread");
    assert_string_equal(r.text, "ok");
    assert_true(has_event(&r, "You eat the bread: +8 health (108/120)."));
    assert_int_equal(p->health, 108);
    assert_int_equal(count_of(&f, "bread"), 3);
    assert_string_equal(th_act(f.game, "use torch").text, "cannot use the torch: it is not food, a potion, a book or a scroll");
    assert_string_equal(th_act(f.game, "use iron_sword").text,
                        "cannot use the iron sword: it is not food, a potion, a book or a scroll (equip it instead)");

    give(&f, "spell_scroll", 2);
    r = th_act(f.game, "use spell_scroll");
    assert_string_equal(r.text, "ok");
    assert_true(has_event(&r, "learn how to make mana potion"));
    char value[64];
    Err err = {0};
    assert_int_equal(charstate_get(f.save, me(&f), "recipe", "mana_potion", value, sizeof value, &err), MA_OK);
    assert_string_equal(th_act(f.game, "use spell_scroll").text, "you already know how to make mana potion");
    assert_int_equal(count_of(&f, "spell_scroll"), 1);
    th_game_stop(&f);
}

static void test_wear_breaks_a_tool_at_zero(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "wear.db", 1);
    assert_string_equal(th_act(f.game, "equip stone_pickaxe").text, "ok");
    assert_int_equal(bonuses(&f).tool_power, 2);
    ActionResult r = {0};
    Err err = {0};
    assert_int_equal(inventory_wear(f.game, "main_hand", 131, &r, &err), MA_OK);
    assert_true(has_event(&r, "Your stone pickaxe is nearly worn out (1/132)."));
    InventoryRow rows[2];
    assert_int_equal(rows_of(&f, "stone_pickaxe", rows, 2), 1);
    assert_int_equal(data_int(&rows[0], "durability"), 1);
    rows_clear(rows, 1);
    memset(&r, 0, sizeof r);
    assert_int_equal(inventory_wear(f.game, "main_hand", 1, &r, &err), MA_OK);
    assert_true(has_event(&r, "Your stone pickaxe breaks!"));
    assert_int_equal(rows_of(&f, "stone_pickaxe", rows, 2), 0);
    assert_int_equal(bonuses(&f).tool_power, 0);
    /* An empty slot and an item without durability are left alone. */
    memset(&r, 0, sizeof r);
    assert_int_equal(inventory_wear(f.game, "main_hand", 5, &r, &err), MA_OK);
    assert_int_equal(inventory_wear(f.game, "torch", 5, &r, &err), MA_OK);
    assert_int_equal(r.n_events, 0);
    assert_int_equal(count_of(&f, "torch"), 8);
    th_game_stop(&f);
}

static void test_repair_costs_the_items_material(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "repair.db", 1);
    assert_string_equal(th_act(f.game, "repair iron_sword").text, "the iron sword is not damaged (250/250)");
    ActionResult r = {0};
    Err err = {0};
    assert_int_equal(inventory_wear(f.game, "iron_sword", 100, &r, &err), MA_OK);
    assert_string_equal(th_act(f.game, "repair iron_sword").text, "repairing the iron sword takes 1 iron ingot; you have none");
    give(&f, "iron_ingot", 2);
    r = th_act(f.game, "repair iron_sword");
    assert_string_equal(r.text, "ok");
    assert_true(has_event(&r, "You repair the iron sword with 1 iron ingot (250/250)."));
    assert_int_equal(count_of(&f, "iron_ingot"), 1);
    InventoryRow rows[2];
    assert_int_equal(rows_of(&f, "iron_sword", rows, 2), 1);
    assert_int_equal(data_int(&rows[0], "durability"), 250);
    rows_clear(rows, 1);
    assert_string_equal(th_act(f.game, "repair bread").text, "the bread does not wear out");
    th_game_stop(&f);
}

/* ------------------------------------------------------------ between characters, death */

static void test_transfer_moves_items_and_logs_a_row(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "transfer.db", 1);
    Err err = {0};
    CharacterRow npc;
    memset(&npc, 0, sizeof npc);
    npc.world_id = game_player(f.game)->world_id;
    snprintf(npc.name, sizeof npc.name, "Mara the smith");
    snprintf(npc.character_class, sizeof npc.character_class, "villager");
    npc.level = 1;
    assert_int_equal(characters_insert(f.save, &npc, &err), MA_OK);
    int64_t logged;
    assert_int_equal(inventory_transfer(f.game, npc.id, "bread", 3, "gift", 0, &err), MA_OK);
    assert_int_equal(count_of(&f, "bread"), 1);
    assert_int_equal(inventory_count(f.game, npc.id, "bread", &err), 3);
    assert_int_equal(inventory_transfer(f.game, npc.id, "iron_sword", 1, "sale", 30, &err), MA_OK);
    assert_int_equal(inventory_count(f.game, npc.id, "iron_sword", &err), 1);
    assert_int_equal(transfers_count(f.save, npc.id, &logged, &err), MA_OK);
    assert_int_equal(logged, 2);
    /* Too many: refused, nothing moves, nothing logged. */
    assert_int_equal(inventory_transfer(f.game, npc.id, "torch", 9, "gift", 0, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "has only 8 torches"));
    assert_int_equal(inventory_transfer(f.game, npc.id, "torch", 1, "borrowed", 0, &err), MA_ERR_INVALID);
    assert_int_equal(count_of(&f, "torch"), 8);
    assert_int_equal(transfers_count(f.save, npc.id, &logged, &err), MA_OK);
    assert_int_equal(logged, 2);
    character_row_clear(&npc);
    th_game_stop(&f);
}

static void test_death_drops_everything_where_one_fell(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "death.db", 1); /* the sword is in hand: equipment drops too */
    const Player *p = game_player(f.game);
    Err err = {0};
    assert_int_equal(inventory_drop_all_at(f.game, p->x, p->y, p->z, &err), MA_OK);
    InventoryRow *rows = NULL;
    int n = 0;
    assert_int_equal(game_inventory(f.game, &rows, &n, &err), MA_OK);
    assert_int_equal(n, 0);
    int count;
    Chunk *c = feet_chunk(&f);
    assert_int_equal(entities_with(c, "bread", &count), 1);
    assert_int_equal(count, 4);
    assert_int_equal(entities_with(c, "iron_sword", &count), 1);
    assert_string_equal(th_act(f.game, "take").text, "ok");
    assert_int_equal(count_of(&f, "bread"), 4);
    assert_int_equal(count_of(&f, "iron_sword"), 1);
    th_game_stop(&f);
}

/* ------------------------------------------------------------ play --script and verify */

static void test_script_words_and_verify(void **state)
{
    (void)state;
    const char *db = th_path(dir, "script.db");
    RunResult r = th_run(NULL, "--save", db, "init", NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    Save *s = NULL;
    Err err = {0};
    int64_t id;
    assert_int_equal(save_open(db, 0, &s, &err), MA_OK);
    assert_int_equal(world_create(s, "flatland", 7, "flat", &id, &err), MA_OK);
    save_close(s);
    const char *script = "unequip main_hand\nequip iron_sword\nequip bread\ndrop torch 2\ntake\nuse bread\nunequip main_hand\n"
                         "repair iron_sword\nequip stone_pickaxe\n";
    r = th_run(script, "--save", db, "play", "--script", "-", "--world", "flatland", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "ok\nok\ncannot equip the bread: a food is not worn or wielded\nok\nok\n"
                                  "you are not hurt (120/120 health)\nok\n"
                                  "the iron sword is not damaged (250/250)\nok\n"));
    assert_non_null(strstr(r.out, "torch x8"));
    th_run_free(&r);
    r = th_run(NULL, "--save", db, "verify", NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);

    /* A hand-edited save: bread in the head slot, a sword claiming the body. */
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw,
                                  "UPDATE inventory SET slot_position = 36 WHERE item_name = 'bread';"
                                  "UPDATE inventory SET item_data = json_set(item_data, '$.slot', 'body') "
                                  "WHERE item_name = 'stone_pickaxe';",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    r = th_run(NULL, "--save", db, "verify", NULL);
    assert_int_equal(r.status, 3);
    assert_non_null(strstr(r.out, "bread"));
    assert_non_null(strstr(r.out, "stone_pickaxe"));
    th_run_free(&r);
}

/* ------------------------------------------------------------ data/items.json */

static ItemRegistry *load_text(const char *text, Err *err)
{
    ItemRegistry *reg = NULL;
    int rc = items_load(text, strlen(text), "items.json", &reg, err);
    if (rc != MA_OK)
        assert_null(reg);
    return reg;
}

static void expect_refused(const char *text, const char *message)
{
    Err err = {0};
    ItemRegistry *reg = load_text(text, &err);
    if (reg)
        fail_msg("accepted: %s", text);
    assert_int_equal(err.code, MA_ERR_INVALID);
    if (!strstr(err.msg, message))
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, message);
}

static void test_items_json_is_validated_with_file_entry_and_reason(void **state)
{
    (void)state;
    Err err = {0};
    ItemRegistry *reg = load_text("{\"items\":[{\"name\":\"rock\",\"type\":\"material\"},"
                                  "{\"name\":\"sling\",\"type\":\"weapon\",\"slot\":\"main_hand\",\"ranged\":true,"
                                  "\"ammo\":\"rock\",\"durability\":10,\"repair\":\"rock\",\"bonuses\":{\"dexterity\":1}}]}",
                                  &err);
    assert_non_null(reg);
    assert_int_equal(items_count(reg), 2);
    assert_int_equal(items_find(reg, "rock")->stack, 64);
    assert_int_equal(items_find(reg, "sling")->stack, 1);
    assert_int_equal(items_at(reg, 1)->slot, ITEM_SLOT_MAIN_HAND);
    assert_null(items_find(reg, "pebble"));
    assert_int_equal(items_lookup(reg, "pebble")->stack, ITEM_DEFAULT_STACK);
    items_free(reg);

    expect_refused("{\"items\":[{\"name\":\"a\",\"type\":\"armor\",\"slot\":\"tail\"}]}",
                   "items.json: item 0 (\"a\"): unknown slot \"tail\"");
    expect_refused("{\"items\":[{\"name\":\"a\",\"type\":\"material\",\"stack\":-5}]}",
                   "items.json: item 0 (\"a\"): \"stack\" must be at least 1");
    expect_refused("{\"items\":[{\"name\":\"a\",\"type\":\"material\"},{\"name\":\"a\",\"type\":\"food\"}]}",
                   "items.json: item 1 (\"a\"): duplicate name");
    expect_refused("{\"items\":[{\"name\":\"a\",\"type\":\"ring\",\"slot\":\"ring\",\"bonuses\":{\"luck\":3}}]}",
                   "item 0 (\"a\"): bonus stat \"luck\" is not one of");
    expect_refused("{\"items\":[{\"name\":\"a\",\"type\":\"gizmo\"}]}", "item 0 (\"a\"): \"type\" must be one of");
    expect_refused("{\"items\":[{\"name\":\"a\",\"type\":\"armor\",\"slot\":\"head\",\"stack\":5}]}",
                   "item 0 (\"a\"): \"stack\" must be 1");
    expect_refused("{\"items\":[{\"name\":\"bow\",\"type\":\"weapon\",\"slot\":\"main_hand\",\"ranged\":true,"
                   "\"ammo\":\"arrow\"}]}",
                   "item 0 (\"bow\"): \"ammo\" names the unknown item \"arrow\"");
    expect_refused("{\"items\":[{\"name\":\"a\",\"type\":\"tool\",\"tool\":{\"kind\":\"spoon\",\"power\":1}}]}",
                   "item 0 (\"a\"): \"tool\" must be");
    expect_refused("{\"items\":[{\"name\":\"a\",\"type\":\"material\",\"colour\":\"red\"}]}",
                   "unknown field \"colour\"");
    expect_refused("{\"items\": [", "items.json: not valid JSON");
}

/* Messages count items as English does: the plural by rule, or the item's own "plural" for the
 * uncountable and irregular ones; 1 stays singular; names already plural stay as they are. */
static void test_items_are_counted_in_words_with_their_plurals(void **state)
{
    (void)state;
    Err err = {0};
    ItemRegistry *reg = NULL;
    assert_int_equal(items_load_default(&reg, &err), MA_OK);
    char buf[96];
    assert_string_equal(items_count_words(reg, "torch", 1, buf, sizeof buf), "1 torch");
    assert_string_equal(items_count_words(reg, "torch", 4, buf, sizeof buf), "4 torches");
    assert_string_equal(items_count_words(reg, "gold_coin", 10, buf, sizeof buf), "10 gold coins");
    assert_string_equal(items_count_words(reg, "bread", 3, buf, sizeof buf), "3 bread");
    assert_string_equal(items_count_words(reg, "iron_ore", 2, buf, sizeof buf), "2 iron ore");
    assert_string_equal(items_count_words(reg, "cactus", 2, buf, sizeof buf), "2 cacti");
    assert_string_equal(items_count_words(reg, "planks", 5, buf, sizeof buf), "5 planks");
    assert_string_equal(items_count_words(reg, "leather_boots", 2, buf, sizeof buf), "2 leather boots");
    /* One of a thing whose name is plural: its own "singular". */
    assert_string_equal(items_count_words(reg, "planks", 1, buf, sizeof buf), "1 plank");
    assert_string_equal(items_count_words(reg, "leather_boots", 1, buf, sizeof buf), "1 pair of leather boots");
    assert_string_equal(items_count_words(reg, "flower_red", 1, buf, sizeof buf), "1 red flower");
    assert_string_equal(items_count_words(reg, "torch", 1, buf, sizeof buf), "1 torch");
    assert_string_equal(items_count_words(reg, "ring_of_vigor", 2, buf, sizeof buf), "2 rings of vigor");
    assert_string_equal(items_count_words(reg, "small_pouch", 0, buf, sizeof buf), "0 small pouches");
    /* An item the registry does not hold, or no registry: the rules alone. */
    assert_string_equal(items_count_words(reg, "blue_berry", 2, buf, sizeof buf), "2 blue berries");
    assert_string_equal(items_count_words(NULL, "bread", 2, buf, sizeof buf), "2 breads");
    items_free(reg);

    reg = load_text("{\"items\":[{\"name\":\"mead\",\"type\":\"food\",\"plural\":\"mead\"},"
                    "{\"name\":\"wolf_pelt\",\"type\":\"material\"}]}",
                    &err);
    assert_non_null(reg);
    assert_string_equal(items_find(reg, "mead")->plural, "mead");
    assert_string_equal(items_find(reg, "wolf_pelt")->plural, "wolf pelts");
    assert_string_equal(items_find(reg, "wolf_pelt")->singular, "wolf pelt");
    items_free(reg);
    expect_refused("{\"items\":[{\"name\":\"a\",\"type\":\"material\",\"plural\":7}]}",
                   "item 0 (\"a\"): \"plural\" must be a string under 64 characters");
    expect_refused("{\"items\":[{\"name\":\"a\",\"type\":\"material\",\"singular\":[]}]}",
                   "item 0 (\"a\"): \"singular\" must be a string under 64 characters");
    /* Every item whose name reads as a plural says how one of it reads ("1 plank", not "1 planks"),
     * unless its "plural" says it is uncountable ("glass"). */
    size_t len = 0;
    char *text = data_read("items.json", &len, &err);
    assert_non_null(text);
    cJSON *file = cJSON_ParseWithLength(text, len);
    free(text);
    assert_non_null(file);
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(file, "items")) {
        const char *name = cJSON_GetObjectItemCaseSensitive(e, "name")->valuestring;
        if (name[strlen(name) - 1] == 's' && !cJSON_HasObjectItem(e, "plural")) {
            if (!cJSON_HasObjectItem(e, "singular"))
                fail_msg("items.json: \"%s\" reads as a plural but has no \"singular\"", name);
        }
    }
    cJSON_Delete(file);
}

/* Copies every file of data/ (and data/migrations/) into a new directory. */
static void copy_data(const char *to)
{
    char from[1024], sub[1024];
    snprintf(from, sizeof from, "%s/../data", getenv("MAGIC_TEST_DIR"));
    snprintf(sub, sizeof sub, "%s/migrations", to);
    assert_int_equal(mkdir(sub, 0700), 0);
    const char *dirs[] = {"", "migrations/"};
    for (int k = 0; k < 2; k++) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", from, dirs[k]);
        DIR *d = opendir(path);
        assert_non_null(d);
        struct dirent *e;
        while ((e = readdir(d))) {
            size_t len = strlen(e->d_name);
            if (len < 5 || (strcmp(e->d_name + len - 5, ".json") != 0 && strcmp(e->d_name + len - 4, ".sql") != 0))
                continue;
            char src[1400], dst[1400];
            snprintf(src, sizeof src, "%s%s", path, e->d_name);
            snprintf(dst, sizeof dst, "%s/%s%s", to, dirs[k], e->d_name);
            size_t n;
            char *text = th_read_file(src, &n);
            assert_non_null(text);
            th_write_file(dst, text, (long)n);
            free(text);
        }
        closedir(d);
    }
}

static void test_a_malformed_items_json_stops_the_game_with_a_clear_message(void **state)
{
    (void)state;
    char *data = th_tmpdir();
    copy_data(data);
    char path[1200];
    snprintf(path, sizeof path, "%s/items.json", data);
    size_t n;
    char *text = th_read_file(path, &n);
    assert_non_null(text);
    /* Give the iron sword a slot no one has. */
    char *at = strstr(text, "\"name\": \"iron_sword\"");
    assert_non_null(at);
    char *slot = strstr(at, "\"main_hand\"");
    assert_non_null(slot);
    memcpy(slot, "\"left_paw\" ", 11);
    th_write_file(path, text, (long)n);
    free(text);

    const char *db = th_path(dir, "baddata.db");
    RunResult r = th_run(NULL, "--save", db, "init", NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    char *old = getenv("MAGIC_DATA_DIR") ? strdup(getenv("MAGIC_DATA_DIR")) : NULL;
    setenv("MAGIC_DATA_DIR", data, 1);
    r = th_run("move e\n", "--save", db, "play", "--script", "-", NULL);
    if (old)
        setenv("MAGIC_DATA_DIR", old, 1);
    else
        unsetenv("MAGIC_DATA_DIR");
    free(old);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "items.json: item"));
    assert_non_null(strstr(r.err, "(\"iron_sword\"): unknown slot \"left_paw\""));
    th_run_free(&r);
    th_tmpdir_free(data);
}

static void test_every_block_drop_class_gear_and_chest_loot_is_an_item(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "complete.db", 1);
    const ItemRegistry *reg = inventory_items(f.game);
    assert_true(items_count(reg) > 80);
    const BlockRegistry *blocks = game_blocks(f.game);
    for (int id = 1; id < blocks_count(blocks); id++) {
        const BlockDef *b = blocks_get(blocks, (BlockId)id);
        if (b->drop[0] && !items_find(reg, b->drop))
            fail_msg("block %s drops %s, which items.json lacks", b->name, b->drop);
    }
    const ClassList *cl = game_classes(f.game);
    for (int i = 0; i < cl->n; i++)
        for (int k = 0; k < cl->classes[i].n_gear; k++)
            if (!items_find(reg, cl->classes[i].gear[k].item))
                fail_msg("class %s starts with %s, which items.json lacks", cl->classes[i].name,
                         cl->classes[i].gear[k].item);
    const int kinds[] = {PIECE_DUNGEON, PIECE_SHRINE, PIECE_RUIN};
    for (int k = 0; k < 3; k++)
        for (int32_t x = 0; x < 200; x++) {
            cJSON *loot = structures_chest_loot(99, kinds[k], x, 40, x * 7);
            const cJSON *it;
            cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(loot, "items")) {
                const char *name = cJSON_GetObjectItemCaseSensitive(it, "item")->valuestring;
                if (!items_find(reg, name))
                    fail_msg("chests hold %s, which items.json lacks", name);
            }
            cJSON_Delete(loot);
        }
    /* What creatures leave behind, and what recipes use and make: a wolf pelt, a strength potion
     * and a reed bag were plain nameless things (no use, no worth, no description). */
    const CreatureBook *book = game_creatures(f.game);
    for (int i = 0; i < creatures_count(book); i++) {
        const CreatureDef *d = creatures_get(book, i);
        for (int k = 0; k < d->n_drops; k++)
            if (!items_find(reg, d->drops[k].item))
                fail_msg("a %s drops %s, which items.json lacks", d->kind, d->drops[k].item);
    }
    size_t len = 0;
    Err err = {0};
    char *text = data_read("recipes.json", &len, &err);
    assert_non_null(text);
    cJSON *recipes = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *rec;
    int n_recipes = 0;
    cJSON_ArrayForEach(rec, cJSON_GetObjectItemCaseSensitive(recipes, "recipes")) {
        const char *made = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "result"), "item")->valuestring;
        if (!items_find(reg, made))
            fail_msg("a recipe makes %s, which items.json lacks", made);
        const cJSON *ing;
        cJSON_ArrayForEach(ing, cJSON_GetObjectItemCaseSensitive(rec, "ingredients")) {
            const char *name = cJSON_GetObjectItemCaseSensitive(ing, "item")->valuestring;
            if (!items_find(reg, name))
                fail_msg("a recipe uses %s, which items.json lacks", name);
        }
        n_recipes++;
    }
    cJSON_Delete(recipes);
    assert_true(n_recipes > 40);
    assert_int_equal(items_find(reg, "bag")->bag_slots, 8);
    assert_true(items_find(reg, "strength_potion")->heal > 0);
    /* Class gear that can be worn is gear of the right kind. */
    assert_int_equal(items_find(reg, "short_bow")->ranged, 1);
    assert_string_equal(items_find(reg, "short_bow")->ammo, "arrow");
    assert_string_equal(items_find(reg, "stone_pickaxe")->tool_kind, "pickaxe");
    th_game_stop(&f);
}

/* Each of the player's items keeps the letter it got on arrival (NetHack's and Crawl's way):
 * equipping the sword, using up the torches and getting new things move no other letter; a
 * letter given up is given again to the next new item. */
static char letter_of(Fixture *f, const char *item)
{
    InventoryRow r[2];
    int n = rows_of(f, item, r, 2);
    char l = n > 0 ? inventory_letter(&r[0]) : 0;
    rows_clear(r, n);
    return l;
}

static void test_items_keep_their_letters_when_the_pack_changes(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "letters.db", 1);
    /* The warrior's gear, in the order it came. */
    assert_int_equal(letter_of(&f, "iron_sword"), 'a');
    assert_int_equal(letter_of(&f, "stone_pickaxe"), 'b');
    assert_int_equal(letter_of(&f, "planks"), 'c');
    assert_int_equal(letter_of(&f, "torch"), 'd');
    assert_int_equal(letter_of(&f, "bread"), 'e');
    assert_true(th_act(f.game, "unequip main_hand").ok);
    assert_int_equal(letter_of(&f, "iron_sword"), 'a');
    assert_true(th_act(f.game, "equip iron_sword").ok);
    assert_int_equal(letter_of(&f, "iron_sword"), 'a');
    Err err = {0};
    assert_int_equal(save_begin(f.save, &err), MA_OK);
    assert_int_equal(inventory_take_from(f.game, me(&f), "torch", 8, &err), MA_OK);
    assert_int_equal(save_commit(f.save, &err), MA_OK);
    assert_int_equal(letter_of(&f, "bread"), 'e');
    give(&f, "iron_helmet", 1); /* d is free again */
    assert_int_equal(letter_of(&f, "iron_helmet"), 'd');
    give(&f, "coal", 3);
    assert_int_equal(letter_of(&f, "coal"), 'f');
    assert_int_equal(letter_of(&f, "iron_sword"), 'a');
    assert_int_equal(letter_of(&f, "bread"), 'e');
    /* A save whose rows have no letters (an older one) gets them when the game starts. */
    th_game_stop(&f);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(th_path(dir, "letters.db"), &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE inventory SET item_data = json_remove(item_data, '$.letter')", NULL, NULL,
                                  NULL), SQLITE_OK);
    sqlite3_close(db);
    start(&f, "letters.db", 0);
    InventoryRow *rows = NULL;
    int n = 0;
    assert_int_equal(game_inventory(f.game, &rows, &n, &err), MA_OK);
    char seen[64] = "";
    for (int i = 0; i < n; i++) {
        char l = inventory_letter(&rows[i]);
        assert_true(l != 0);
        assert_null(strchr(seen, l));
        seen[strlen(seen)] = l;
    }
    inventory_list_free(rows, n);
    th_game_stop(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equip_moves_the_item_to_its_slot_and_changes_bonuses),
        cmocka_unit_test(test_worn_gear_bonuses_count_in_play),
        cmocka_unit_test(test_unequip_returns_to_the_pack_and_refuses_when_full),
        cmocka_unit_test(test_equipping_swaps_out_what_was_worn),
        cmocka_unit_test(test_equipping_what_cannot_be_worn_is_refused_with_a_reason),
        cmocka_unit_test(test_stacks_split_at_the_items_maximum),
        cmocka_unit_test(test_a_bag_adds_backpack_slots),
        cmocka_unit_test(test_drop_then_take_round_trips_through_the_chunk),
        cmocka_unit_test(test_a_placed_chest_gives_its_items_once),
        cmocka_unit_test(test_one_item_is_taken_from_a_chest),
        cmocka_unit_test(test_items_put_in_a_chest_stay_there),
        cmocka_unit_test(test_a_dungeon_chest_from_world_generation_gives_its_loot_once),
        cmocka_unit_test(test_eating_bread_heals_and_a_scroll_teaches_a_recipe),
        cmocka_unit_test(test_wear_breaks_a_tool_at_zero),
        cmocka_unit_test(test_repair_costs_the_items_material),
        cmocka_unit_test(test_transfer_moves_items_and_logs_a_row),
        cmocka_unit_test(test_death_drops_everything_where_one_fell),
        cmocka_unit_test(test_script_words_and_verify),
        cmocka_unit_test(test_items_json_is_validated_with_file_entry_and_reason),
        cmocka_unit_test(test_items_are_counted_in_words_with_their_plurals),
        cmocka_unit_test(test_a_malformed_items_json_stops_the_game_with_a_clear_message),
        cmocka_unit_test(test_every_block_drop_class_gear_and_chest_loot_is_an_item),
        cmocka_unit_test(test_items_keep_their_letters_when_the_pack_changes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
