/* fuzz_save_json.c — libFuzzer target for the save's JSON columns as the game
 * reads them: a hostile row (a save edited by hand, by another program, or
 * damaged) must be refused or read around, never crash the game.
 *
 * One save is made at the first input (a player, a flat world, quests); each
 * input is then written into one JSON column with SQLite's own CHECKs off (a
 * hand-edited save has none), and the game reads it through its public
 * functions. The first byte picks the column; the rest is its text:
 *   0 characters.stats        the player, read by game_start, a turn, the state
 *   1 characters.appearance   the same
 *   2 inventory.item_data     a sword in the pack: listed, equipped, swung, repaired, used
 *   3 quest_progress.progress_data   an active quest: the quest log, a turn
 *   4 characters.appearance   of a villager: who it is, its role
 *   5 users.profile           the player's profile, read by game_start
 * Run it with `scripts/fuzz fuzz_save_json SECONDS`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "game/game.h"
#include "game/npc.h"
#include "save/save.h"
#include "util/data.h"
#include "world/world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[4096];
static Save *save;
static Game *game;
static sqlite3 *raw;
static int64_t player_id, user_id, fuzz_world;
static char *stats0, *appearance0, *profile0;

static void die(const char *what, const Err *err)
{
    fprintf(stderr, "fuzz_save_json: %s: %s\n", what, err ? err->msg : sqlite3_errmsg(raw));
    abort();
}

static void exec(const char *sql)
{
    if (sqlite3_exec(raw, sql, NULL, NULL, NULL) != SQLITE_OK)
        die(sql, NULL);
}

static char *text_of(const char *sql)
{
    sqlite3_stmt *st = NULL;
    char *out = NULL;
    if (sqlite3_prepare_v2(raw, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        out = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (!out)
        die(sql, NULL);
    return out;
}

/* Runs sql with ?1 bound to text and ?2 to id: 1 when it was written. Some
 * text cannot be stored even with the CHECKs off (an index over the column
 * reads it as JSON): then no save can hold it, and there is nothing to read. */
static int try_write(const char *sql, const char *text, int64_t id)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(raw, sql, -1, &st, NULL) != SQLITE_OK)
        die(sql, NULL);
    sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, id);
    int done = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return done;
}

/* The same where it must work (the fuzzer's own set-up and clean-up). */
static void write_text(const char *sql, const char *text, int64_t id)
{
    if (!try_write(sql, text, id))
        die(sql, NULL);
}

static void setup_once(void)
{
    char dir[] = "/tmp/ma-fuzz-save-XXXXXX";
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/fuzz.db", dir);
    setenv("MAGIC_BACKUP_SCHEDULE", "off", 1);
    Err err = {0};
    int64_t id;
    if (save_open(path, SAVE_CREATE, &save, &err) != MA_OK || world_create(save, "fuzzland", 7, "flat", &id, &err) != MA_OK)
        die("making the save", &err);
    GameStart st = {.username = "fuzzer", .world = "fuzzland", .seed = 7};
    if (game_start(save, &st, &game, &err) != MA_OK)
        die("starting", &err);
    const Player *p = game_player(game);
    player_id = p->character_id;
    user_id = p->user_id;
    fuzz_world = p->world_id;
    if (sqlite3_open(path, &raw) != SQLITE_OK)
        abort();
    sqlite3_busy_timeout(raw, 2000);
    exec("PRAGMA ignore_check_constraints = ON"); /* a hand-edited save has no CHECKs */
    /* A quest of the world as the game makes it on first use: the first template's title. */
    size_t len;
    char *book = data_read("quests.json", &len, &err);
    cJSON *root = book ? cJSON_Parse(book) : NULL;
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "quests"), 0);
    const cJSON *title = cJSON_GetObjectItemCaseSensitive(first, "title");
    if (!cJSON_IsString(title))
        die("reading the first quest of data/quests.json", &err);
    write_text("INSERT INTO quests (world_id, title, description, quest_type) VALUES (?2, ?1, 'fuzz', 'side')",
               title->valuestring, fuzz_world);
    cJSON_Delete(root);
    free(book);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT stats FROM characters WHERE id = %lld", (long long)player_id);
    stats0 = text_of(sql);
    snprintf(sql, sizeof sql, "SELECT appearance FROM characters WHERE id = %lld", (long long)player_id);
    appearance0 = text_of(sql);
    snprintf(sql, sizeof sql, "SELECT profile FROM users WHERE id = %lld", (long long)user_id);
    profile0 = text_of(sql);
}

static void act(Game *g, const char *line)
{
    Action a;
    ActionResult r;
    Err err;
    if (action_parse(line, &a, &err) > 0)
        game_apply(g, &a, &r, &err);
}

static void read_state(Game *g)
{
    Err err;
    cJSON *state = game_state_json(g, &err);
    cJSON_Delete(state);
    InventoryRow *rows = NULL;
    int n = 0;
    if (game_inventory(g, &rows, &n, &err) == MA_OK)
        inventory_list_free(rows, n);
}

/* A fresh game on the save as it is now: the player's row read anew. */
static void start_again(void)
{
    Game *g = NULL;
    Err err;
    GameStart st = {.username = "fuzzer", .world = "fuzzland", .seed = 7};
    if (game_start(save, &st, &g, &err) == MA_OK) {
        read_state(g);
        act(g, "wait");
        game_close(g);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!game)
        setup_once();
    if (size < 1)
        return 0;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    switch (data[0] % 6) {
    case 0:
    case 1:
        if (try_write(data[0] % 6 == 0 ? "UPDATE characters SET stats = ?1 WHERE id = ?2"
                                       : "UPDATE characters SET appearance = ?1 WHERE id = ?2", text, player_id))
            start_again();
        write_text("UPDATE characters SET stats = ?1 WHERE id = ?2", stats0, player_id);
        write_text("UPDATE characters SET appearance = ?1 WHERE id = ?2", appearance0, player_id);
        break;
    case 2:
        if (!try_write("INSERT INTO inventory (character_id, item_type, item_name, quantity, item_data, slot_position) "
                       "VALUES (?2, 'weapon', 'iron_sword', 1, ?1, 30)", text, player_id))
            break;
        read_state(game);
        act(game, "equip iron_sword");
        act(game, "attack n");
        act(game, "repair iron_sword");
        act(game, "use iron_sword");
        act(game, "unequip iron_sword");
        read_state(game);
        write_text("DELETE FROM inventory WHERE character_id = ?2 AND item_name = 'iron_sword' AND ?1 IS NOT NULL",
                   "", player_id);
        break;
    case 3:
        if (!try_write("INSERT INTO quest_progress (character_id, quest_id, status, progress_data) VALUES (?2, (SELECT "
                       "id FROM quests WHERE world_id = (SELECT world_id FROM characters WHERE id = ?2) ORDER BY id "
                       "LIMIT 1), 'active', ?1)", text, player_id))
            break;
        read_state(game);
        act(game, "wait");
        read_state(game);
        write_text("DELETE FROM quest_progress WHERE character_id = ?2 AND ?1 IS NOT NULL", "", player_id);
        break;
    case 4: {
        if (!try_write("INSERT INTO characters (user_id, world_id, name, character_class, stats, appearance) "
                       "VALUES (NULL, ?2, 'Fuzzy Villager', 'villager', '{}', ?1)", text, fuzz_world))
            break;
        int64_t npc = npc_character_id(game, "villager_0_0_0");
        char role[32], entity[64];
        npc_role(game, npc > 0 ? npc : player_id + 1, role, sizeof role, entity, sizeof entity);
        read_state(game);
        write_text("DELETE FROM characters WHERE name = 'Fuzzy Villager' AND world_id = ?2 AND ?1 IS NOT NULL", "",
                   fuzz_world);
        break;
    }
    case 5:
        if (try_write("UPDATE users SET profile = ?1 WHERE id = ?2", text, user_id))
            start_again();
        write_text("UPDATE users SET profile = ?1 WHERE id = ?2", profile0, user_id);
        break;
    }
    free(text);
    return 0;
}
