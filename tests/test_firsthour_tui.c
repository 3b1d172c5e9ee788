/* test_firsthour_tui.c — what a new player trips over in the first hour (issue 13), each in the
 * real client driven through tmux as a person would, at 80x24 unless said:
 *   1. the block in hand stays after a placement, and placing says so;
 *   2. travel refuses with a hostile creature in view;
 *   3. a pre-filled text field is replaced by what one types;
 *   4. Quick start asks before starting over, and Load reaches the old character;
 *   5. the class picker shows whole numbers and its page words, not JSON;
 *   6. an item keeps its letter when the pack changes;
 *   7. a conversation goes to the message log without its numbered replies, and the footer
 *      names the letters there are;
 *   8. two villagers of one village with one name get two names, and the quest log says who
 *      gave a quest;
 *   9. who is in view: direction, distance, health and hostility, in the panel and in look;
 *  10. the message history survives a relaunch; the achievements wrap at 80 columns; Use lists
 *      what can be used; item details use words, not ids.
 * And: the class's skills are rows from the start; Continue uses the session of a sign-in and
 * expired sessions are removed; night falls once; the wide panel at 160x50 has its minimap, the
 * quest followed, and the depth.
 *
 * Each test builds its own save through the game's own functions (a flat world, a warrior,
 * creatures and villagers put beside the player) and plays it with --continue.
 * Skipped (77) without tmux. */
#include "helpers.h"
#include "tmux.h"

#include <cJSON.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "game/game.h"
#include "game/progress.h"
#include "save/save.h"
#include "save/worlds.h"
#include "world/world.h"

static char *g_dir;

/* Starts the client on dir/save with args in a cols x rows terminal; HOME is the test's folder
 * (the session file goes there), the world's agents are still. */
static void launch(const char *save, const char *args, int cols, int rows)
{
    tmux_start("fh", cols, rows,
               "HOME=%s XDG_STATE_HOME= USER=tester MAGIC_SEED=20261127 MAGIC_BCRYPT_COST=4 MAGIC_AGENTS=off "
               "MAGIC_BACKUP_SCHEDULE=off %s --save %s/%s %s",
               g_dir, getenv("MAGIC_EXE"), g_dir, save, args);
}


/* ---- saves made through the game's own functions ---- */

typedef struct Made {
    int32_t x, y, z; /* where the character stands */
} Made;

/* What to put beside the character of a new save. */
enum { WITH_WOLF = 1, WITH_TWO_ALDAS = 2 };

/* A save with a flat world and a warrior "tester" in it, as Quick start's player would be. */
static Made make_save(const char *name, int with)
{
    ThGame f;
    th_game_start(&f, th_path(g_dir, name), NULL);
    const Player *p = game_player(f.game);
    World *w = game_world(f.game);
    Made m = {p->x, p->y, p->z};
    if (with & WITH_WOLF)
        th_put_entity(w, th_creature("wolf", "c_test_wolf", 7), p->x + 5, p->y, p->z);
    if (with & WITH_TWO_ALDAS) {
        /* Two guards of one village with one name, as generation often makes them. */
        th_put_entity(w, th_villager("villager_t_1", "Alda", "guard", "Greenbrook"), p->x + 1, p->y, p->z - 1);
        th_put_entity(w, th_villager("villager_t_2", "Alda", "guard", "Greenbrook"), p->x + 1, p->y, p->z + 1);
    }
    Err err = {0};
    if (world_flush(w, &err) != MA_OK)
        fail_msg("%s", err.msg);
    th_game_stop(&f);
    return m;
}

static sqlite3 *open_ro(const char *name)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(th_path(g_dir, name), &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        fail_msg("cannot open %s", name);
    return db;
}

static void assert_query(const char *save, const char *sql, const char *want)
{
    char *got = th_sql_text(th_path(g_dir, save), sql);
    if (!got || strcmp(got, want) != 0)
        fail_msg("%s: got \"%s\", want \"%s\"", sql, got ? got : "(no row)", want);
    free(got);
}

/* The line of the screen that holds text (heap), or fails. */
static char *line_with(const char *screen, const char *text)
{
    const char *at = strstr(screen, text);
    if (!at)
        fail_msg("no line with \"%s\" on:\n%s", text, screen);
    const char *b = at, *e = at;
    while (b > screen && b[-1] != '\n')
        b--;
    while (*e && *e != '\n')
        e++;
    return strndup(b, (size_t)(e - b));
}

/* The map's row with the player on it (heap): '@' left of the side panel's bar, not the minimap's. */
static char *map_row_with_player(const char *screen)
{
    for (const char *line = screen; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *copy = strndup(line, len);
        char *bar = strstr(copy, "\xe2\x94\x82"), *at = strchr(copy, '@');
        if (at && (!bar || at < bar))
            return copy;
        free(copy);
        line = end ? end + 1 : NULL;
    }
    fail_msg("no map row with the player on:\n%s", screen);
    return NULL;
}

/* ---- 1. placing ---- */

static void test_1_the_block_stays_in_hand_and_placing_says_so(void **state)
{
    (void)state;
    make_save("place.db", 0);
    launch("place.db", "--continue", 80, 24);
    static const char *const panel[] = {"Wield:  iron sword", "Block:  planks", NULL};
    free(tmux_wait_all(panel, 30));
    tmux_keys("P");
    tmux_keys("l");
    free(tmux_wait_for("Placed planks to the east; 15 left.", 10));
    tmux_keys("P");
    tmux_keys("j");
    char *s = tmux_wait_for("Placed planks to the south; 14 left.", 10);
    assert_null(strstr(s, "Your hand is empty"));
    assert_non_null(strstr(s, "Block:  planks"));
    free(s);
    tmux_quit_game();
    /* The hand empty (the planks dropped): P asks which block, then which way (the next key had
     * been taken as a move after "Your hand is empty"). */
    RunResult r = th_run("drop planks 14\n", "--save", th_path(g_dir, "place.db"), "play", "--script", "-", NULL);
    if (r.status != 0)
        fail_msg("play --script: %s", r.err);
    th_run_free(&r);
    launch("place.db", "--continue", 80, 24);
    free(tmux_wait_for("Block:  none (B)", 30));
    tmux_keys("P");
    s = tmux_wait_for("Hold which block?", 10);
    char *torch = line_with(s, "orch");
    char letter = torch[0] == ' ' ? torch[1] : torch[0];
    free(torch);
    free(s);
    char key[2] = {letter, 0};
    tmux_keys(key);
    free(tmux_wait_for("Place in which direction?", 10));
    tmux_keys("k");
    free(tmux_wait_for("Placed torch to the north", 10));
    tmux_quit_game();
}

/* ---- 2. travel ---- */

static void test_2_travel_refuses_with_a_hostile_creature_in_view(void **state)
{
    (void)state;
    make_save("travel.db", WITH_WOLF);
    launch("travel.db", "--continue", 80, 24);
    char *s = tmux_wait_for("Z: ", 30);
    char *xline = line_with(s, "X: ");
    free(s);
    tmux_keys("t");
    s = tmux_wait_for("Not with danger in view: wolf to the east, 5 away", 10);
    /* Not a step was taken. */
    char *now = line_with(s, "X: ");
    assert_string_equal(now, xline);
    assert_null(strstr(s, "Travelled"));
    free(now);
    free(xline);
    free(s);
    tmux_quit_game();
}

/* A save whose character has met Alda the farmer (put a step east of where the game started)
 * and walked 30 steps west, out of her sight; with_stranger, Bran the farmer, never met, stands
 * 32 east of the character too (2: and two of his village beyond him; 3: a boar there instead).
 * Travel east towards a spot 20 steps away brings them into view. */
static void make_walk_save(const char *name, int with_stranger)
{
    ThGame f;
    th_game_start(&f, th_path(g_dir, name), NULL);
    const Player *p = game_player(f.game);
    World *w = game_world(f.game);
    th_put_entity(w, th_villager("villager_t_alda", "Alda", "farmer", "Greenbrook"), p->x + 1, p->y, p->z);
    /* One meets the villagers near where one steps. */
    ActionResult r = th_act(f.game, "move w");
    if (!th_event_with(&r, "You meet Alda"))
        fail_msg("Alda was not met: %s", r.text);
    for (int i = 1; i < 30; i++)
        if (!th_act(f.game, "move w").ok)
            fail_msg("the walk west was blocked");
    /* Nobody else: no deer or wolf of the generated world within sight of the way. */
    th_clear_creatures(w, p->x - 48, p->x + 80, p->y, p->z - 32, p->z + 32);
    if (with_stranger == 3) /* a boar, which only fights back, where Bran would stand */
        th_put_entity(w, th_creature("boar", "c_t_boar", 14), p->x + 32, p->y, p->z);
    else if (with_stranger)
        th_put_entity(w, th_villager("villager_t_bran", "Bran", "farmer", "Greenbrook"), p->x + 32, p->y, p->z);
    if (with_stranger == 2) { /* two more of his village, a little further on */
        th_put_entity(w, th_villager("villager_t_cid", "Cid", "smith", "Greenbrook"), p->x + 35, p->y, p->z + 2);
        th_put_entity(w, th_villager("villager_t_dora", "Dora", "guard", "Greenbrook"), p->x + 38, p->y, p->z - 2);
    }
    Err err = {0};
    if (world_flush(w, &err) != MA_OK)
        fail_msg("%s", err.msg);
    th_game_stop(&f);
}

/* Travel to the look cursor, 20 steps east; returns the screen that says how it ended. */
static char *travel_east(const char *save)
{
    launch(save, "--continue", 80, 24);
    free(tmux_wait_for("Z: ", 30));
    tmux_keys("x");
    for (int i = 0; i < 20; i++)
        tmux_keys("l");
    tmux_keys("t");
    return tmux_wait_for("Travelled", 20);
}

static void test_2_travel_goes_on_past_villagers_already_met(void **state)
{
    (void)state;
    /* Alda comes into view a few steps out: someone the player knows, no reason to stop. */
    make_walk_save("walk_met.db", 0);
    char *s = travel_east("walk_met.db");
    char *line = line_with(s, "Travelled");
    if (!strstr(line, "Travelled 20 steps: arrived."))
        fail_msg("travel past a villager met before: %s\n%s", line, s);
    free(line);
    free(s);
    tmux_quit_game();
    /* A boar, which only fights back, comes into view without a stop (travel had stopped every
     * few steps in the wilds for deer and boars). */
    make_walk_save("walk_boar.db", 3);
    s = travel_east("walk_boar.db");
    line = line_with(s, "Travelled");
    if (!strstr(line, "Travelled 20 steps: arrived."))
        fail_msg("travel towards a boar: %s\n%s", line, s);
    free(line);
    free(s);
    tmux_quit_game();
    /* A stranger coming into view stops it, and is named. */
    make_walk_save("walk_stranger.db", 1);
    s = travel_east("walk_stranger.db");
    line = line_with(s, "Travelled");
    if (!strstr(line, ": new in view: Bran, the farmer to the east") || strstr(line, "20 steps"))
        fail_msg("travel towards a stranger: %s\n%s", line, s);
    free(line);
    free(s);
    tmux_quit_game();
    /* A village's strangers stop it once: Bran does, then his neighbours come into view on the
     * way on without a stop (it stopped for each of them in turn). */
    make_walk_save("walk_village.db", 2);
    s = travel_east("walk_village.db");
    line = line_with(s, "Travelled");
    if (!strstr(line, ": new in view: Bran, the farmer to the east"))
        fail_msg("travel towards a village: %s\n%s", line, s);
    free(line);
    free(s);
    tmux_keys("x");
    for (int i = 0; i < 10; i++)
        tmux_keys("l");
    tmux_keys("t");
    s = tmux_wait_for("arrived.", 20);
    if (!s || strstr(s, "new in view: Cid") || strstr(s, "new in view: Dora"))
        fail_msg("travel on towards Bran's neighbours stopped for them:\n%s", s ? s : "(no arrival)");
    free(s);
    tmux_quit_game();
}

/* A wall of planks three high across the way east, from 5 north to 5 south of the character, 6
 * steps east; nothing else about. */
static void make_wall_save(const char *name)
{
    ThGame f;
    th_game_start(&f, th_path(g_dir, name), NULL);
    const Player *p = game_player(f.game);
    World *w = game_world(f.game);
    Err err = {0};
    int planks = blocks_find(game_blocks(f.game), "planks");
    for (int dz = -5; dz <= 5; dz++)
        for (int h = 0; h < 3; h++)
            if (world_set_block(w, p->x + 6, p->y + h, p->z + dz, (BlockId)planks, &err) != MA_OK)
                fail_msg("%s", err.msg);
    th_clear_creatures(w, p->x - 48, p->x + 80, p->y, p->z - 32, p->z + 32);
    if (world_flush(w, &err) != MA_OK)
        fail_msg("%s", err.msg);
    th_game_stop(&f);
}

static void test_2_travel_walks_around_a_wall(void **state)
{
    (void)state;
    /* The cursor 10 east, past the wall: the walk goes round its end (5 south or north), not
     * into it. */
    make_wall_save("wall.db");
    launch("wall.db", "--continue", 80, 24);
    char *s = tmux_wait_for("Z: ", 30);
    char *xline = line_with(s, "X: ");
    free(s);
    tmux_keys("x");
    for (int i = 0; i < 10; i++)
        tmux_keys("l");
    tmux_keys("t");
    s = tmux_wait_for("Travelled", 20);
    char *line = line_with(s, "Travelled");
    int steps = 0;
    if (sscanf(strstr(line, "Travelled"), "Travelled %d steps: arrived.", &steps) != 1 || steps < 12)
        fail_msg("travel round a wall: %s\n%s", line, s);
    char *now = line_with(s, "X: ");
    assert_string_not_equal(now, xline);
    free(now);
    free(xline);
    free(line);
    free(s);
    tmux_quit_game();
}

/* ---- resting ---- */

static void test_rest_until_healed(void **state)
{
    (void)state;
    make_save("rest.db", 0);
    /* Wounded: 100 of 120 health, 5 of 20 mana (as after a fight). */
    sqlite3 *db = open_ro("rest.db");
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE characters SET stats = json_set(stats, '$.health', 100, '$.mana', 5) "
                                  "WHERE user_id IS NOT NULL AND user_id != 0",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    launch("rest.db", "--continue", 80, 24);
    free(tmux_wait_for("Health: 100/120", 30));
    tmux_keys("Z");
    /* A point of health every 10 turns: 200 turns bring it back, mana long before. */
    char *s = tmux_wait_for("Rested ", 30);
    char *line = line_with(s, "Rested ");
    if (!strstr(line, "Rested 200 turns: health and mana are full."))
        fail_msg("resting: %s\n%s", line, s);
    assert_non_null(strstr(s, "Health: 120/120"));
    free(line);
    free(s);
    tmux_quit_game();
}

/* A wolf shut in a ring of stone two high, 4 east: the map shows it (every open cell of the
 * level), but it is no danger in view, and a rest goes on (a zombie behind a house's wall had
 * refused every rest of a night). */
static void test_rest_with_a_wolf_behind_a_wall(void **state)
{
    (void)state;
    ThGame f;
    th_game_start(&f, th_path(g_dir, "walled.db"), NULL);
    const Player *p = game_player(f.game);
    World *w = game_world(f.game);
    Err err = {0};
    th_clear_creatures(w, p->x - 48, p->x + 48, p->y, p->z - 32, p->z + 32);
    BlockId stone = (BlockId)blocks_find(game_blocks(f.game), "stone");
    for (int dx = -1; dx <= 1; dx++)
        for (int dz = -1; dz <= 1; dz++)
            for (int h = 0; h < 3 && (dx || dz); h++)
                if (world_set_block(w, p->x + 4 + dx, p->y + h, p->z + dz, stone, &err) != MA_OK)
                    fail_msg("%s", err.msg);
    th_put_entity(w, th_creature("wolf", "c_walled_wolf", 7), p->x + 4, p->y, p->z);
    if (world_flush(w, &err) != MA_OK)
        fail_msg("%s", err.msg);
    th_game_stop(&f);
    sqlite3 *db = open_ro("walled.db");
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE characters SET stats = json_set(stats, '$.health', 100) "
                                  "WHERE user_id IS NOT NULL AND user_id != 0",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    launch("walled.db", "--continue", 80, 24);
    free(tmux_wait_for("Health: 100/120", 30));
    tmux_keys("Z");
    char *s = tmux_wait_for("Rested ", 30);
    char *line = line_with(s, "Rested ");
    if (strstr(s, "danger in view") || !strstr(line, "health and mana are full"))
        fail_msg("resting with a wolf behind a wall: %s\n%s", line, s);
    free(line);
    free(s);
    tmux_quit_game();
}

static void test_2_a_hostile_creature_far_off_does_not_stop_travel(void **state)
{
    (void)state;
    /* A scorpion (it notices within 7 blocks) 20 west: in view, listed as hostile, but too far
     * to notice anyone, so travel east goes on; a wolf 5 east would not let it start (test 2). */
    ThGame f;
    th_game_start(&f, th_path(g_dir, "far.db"), NULL);
    const Player *p = game_player(f.game);
    World *w = game_world(f.game);
    th_clear_creatures(w, p->x - 48, p->x + 80, p->y, p->z - 32, p->z + 32);
    th_put_entity(w, th_creature("scorpion", "c_test_scorpion", 12), p->x - 20, p->y, p->z);
    Err err = {0};
    if (world_flush(w, &err) != MA_OK)
        fail_msg("%s", err.msg);
    th_game_stop(&f);
    launch("far.db", "--continue", 80, 24);
    free(tmux_wait_for("In view (hostile!):", 30));
    tmux_keys("x");
    for (int i = 0; i < 10; i++)
        tmux_keys("l");
    tmux_keys("t");
    char *s = tmux_wait_for("Travelled", 20);
    char *line = line_with(s, "Travelled");
    if (!strstr(line, "Travelled 10 steps: arrived."))
        fail_msg("travel with a scorpion far off: %s\n%s", line, s);
    free(line);
    free(s);
    tmux_quit_game();
}

/* ---- 3. and sessions: text fields, Continue on a session, expired sessions ---- */

static void test_3_typing_replaces_the_offered_name_and_continue_uses_the_session(void **state)
{
    (void)state;
    launch("names.db", "", 80, 24);
    free(tmux_wait_for("Quick start", 20));
    tmux_keys("Down");
    free(tmux_wait_for("> New game", 10));
    tmux_keys("Enter");
    free(tmux_wait_for("a) Create a new player", 10));
    tmux_keys("a");
    free(tmux_wait_for("> tester", 10)); /* $USER, offered */
    tmux_type("alice");
    free(tmux_wait_for("> alice", 10));
    tmux_keys("Enter");
    free(tmux_wait_for("Password (optional", 10));
    tmux_type("s3cret-pass");
    tmux_keys("Enter");
    free(tmux_wait_for("The same password again:", 10));
    tmux_type("s3cret-pass");
    tmux_keys("Enter");
    free(tmux_wait_for("a) Create a new world", 20));
    tmux_keys("a");
    /* A name as Quick start gives ("Frostmere"), offered; not "World 1". */
    char *offer = tmux_wait_for("Name of the new world:", 10);
    const char *said = strstr(offer, "> ");
    assert_non_null(said);
    assert_null(strstr(offer, "> World"));
    assert_true(said[2] >= 'A' && said[2] <= 'Z' && said[3] >= 'a' && said[3] <= 'z');
    free(offer);
    tmux_type("Testland");
    tmux_keys("Enter");
    free(tmux_wait_for("Seed (a number", 10));
    tmux_type("5");
    tmux_keys("Enter");
    free(tmux_wait_for("b) flat", 10));
    tmux_keys("b");
    free(tmux_wait_for("a) Create a new character", 30));
    tmux_keys("a");
    free(tmux_wait_for("> alice", 10)); /* the player's name, offered */
    tmux_type("Mira");
    tmux_keys("Enter");
    free(tmux_wait_for("which class?", 10));
    tmux_keys("Enter");
    free(tmux_wait_for("Starting stats:", 10));
    tmux_keys("Enter");
    free(tmux_wait_for("Play this class?", 10));
    tmux_keys("y");
    free(tmux_wait_for("Z: ", 60));
    tmux_quit_game();
    assert_query("names.db", "SELECT group_concat(username) FROM users", "alice");
    assert_query("names.db", "SELECT group_concat(name) FROM worlds", "Testland");
    assert_query("names.db", "SELECT group_concat(name) FROM characters", "Mira");
    /* The session of that sign-in is kept beside the client, 0600; Continue goes on without the
     * password. */
    char dir[600];
    snprintf(dir, sizeof dir, "%s/.local/state/magic-adventure", g_dir);
    assert_int_equal(th_sh("ls %s/sessions-* >/dev/null 2>&1", dir), 0);
    if (th_sh("for f in %s/sessions-*; do test \"$(stat -c %%a \"$f\")\" = 600 || exit 1; done", dir) != 0) {
        th_sh("ls -la %s >&2", dir);
        fail_msg("a session file is not 0600");
    }
    launch("names.db", "", 80, 24);
    free(tmux_wait_for("> Continue", 20));
    tmux_keys("Enter");
    char *s = tmux_wait_for("Z: ", 30);
    assert_null(strstr(s, "Password for alice"));
    free(s);
    tmux_quit_game();
    /* An expired session is of no use: the password is asked, and the row is gone. */
    sqlite3 *db = open_ro("names.db");
    sqlite3_exec(db, "UPDATE sessions SET expires_at = '2001-01-01T00:00:00.000Z', created_at = "
                     "'2000-12-31T00:00:00.000Z'", NULL, NULL, NULL);
    sqlite3_close(db);
    launch("names.db", "", 80, 24);
    free(tmux_wait_for("> Continue", 20));
    tmux_keys("Enter");
    free(tmux_wait_for("Password for alice", 10));
    assert_query("names.db", "SELECT count(*) FROM sessions WHERE expires_at < '2002'", "0");
    tmux_keys("Escape");
    free(tmux_wait_for("> Continue", 10));
    tmux_keys("q");
    free(tmux_wait_for("[yN]", 10));
    tmux_keys("y");
    free(tmux_wait_for("EXIT=0", 20));
}

/* ---- 4. quick start asks; load ---- */

static void test_4_quick_start_asks_and_load_reaches_the_old_game(void **state)
{
    (void)state;
    make_save("load.db", 0);
    launch("load.db", "", 80, 24);
    free(tmux_wait_for("> Continue", 20));
    tmux_keys("Down");
    free(tmux_wait_for("> Load", 10));
    tmux_keys("Down");
    free(tmux_wait_for("> Quick start", 10));
    tmux_keys("Enter");
    free(tmux_wait_for("Start a new world? Your game stays saved", 10));
    tmux_keys("n"); /* nothing new was made */
    free(tmux_wait_for("> Continue", 10));
    assert_query("load.db", "SELECT count(*) FROM worlds", "1");
    tmux_keys("Down");
    free(tmux_wait_for("> Load", 10));
    tmux_keys("Enter");
    free(tmux_wait_for("a) tester the warrior, level 1, in flatland", 10));
    tmux_keys("a");
    char *s = tmux_wait_for("World:  flatland", 30);
    assert_non_null(strstr(s, "tester"));
    free(s);
    tmux_quit_game();
}

/* ---- 5. the class picker ---- */

static void test_5_class_picker_shows_whole_numbers_and_words(void **state)
{
    (void)state;
    make_save("class.db", 0);
    launch("class.db", "", 80, 24);
    free(tmux_wait_for("> Continue", 20));
    tmux_keys("Down");
    tmux_keys("Down");
    tmux_keys("Down");
    free(tmux_wait_for("> New game", 10));
    tmux_keys("Enter");
    free(tmux_wait_for("who is playing?", 10));
    tmux_keys("a"); /* tester */
    free(tmux_wait_for("which world?", 10));
    tmux_keys("a"); /* flatland */
    free(tmux_wait_for("who plays in flatland?", 10));
    tmux_keys("b"); /* a new character */
    free(tmux_wait_for("Name of the new character:", 10));
    tmux_type("Nia");
    tmux_keys("Enter");
    /* Every number whole: the warrior's, the mage's 120 mana, the rogue's 85 health. */
    static const char *const numbers[] = {"HP 120 MP 20 STR 16 INT 8", "HP 70 MP 120 STR 8 INT 17",
                                          "HP 85 MP 40 STR 11 INT 12", NULL};
    char *s = tmux_wait_all(numbers, 10);
    free(s);
    /* The rogue's page in words: stats by name, gear by title. */
    s = tmux_capture();
    char *rogue = line_with(s, ") Rogue");
    char letter[2] = {rogue[1], '\0'};
    free(rogue);
    free(s);
    tmux_keys(letter);
    static const char *const page[] = {"Starting stats:", "Health 85, Mana 40", "Dexterity 18", "Stone pickaxe",
                                       "Stealth 2", "Cobblestone x12", NULL};
    s = tmux_wait_all(page, 10);
    assert_null(strstr(s, "{\""));
    assert_null(strstr(s, "stone_pickaxe"));
    free(s);
    tmux_keys("Escape");
    tmux_keys("n");
    /* The mage's skills by the names the skills screen gives them: its "magic" is Spellcraft. */
    free(tmux_wait_for("HP 70 MP 120", 10));
    s = tmux_capture();
    char *mage = line_with(s, ") Mage");
    letter[0] = mage[1];
    free(mage);
    free(s);
    tmux_keys(letter);
    free(tmux_wait_for("Starting skills: Spellcraft 2, Alchemy 1", 10));
    tmux_keys("Escape");
    tmux_keys("n");
    tmux_keys("Escape");
    tmux_keys("Escape");
    tmux_keys("Escape");
    tmux_keys("Escape");
    free(tmux_wait_for("Quick start", 10));
}

/* ---- 6. letters ---- */

static void test_6_an_item_keeps_its_letter(void **state)
{
    (void)state;
    make_save("letters.db", 0);
    launch("letters.db", "--continue", 80, 24);
    free(tmux_wait_for("Z: ", 30));
    /* A new warrior holds the sword from the start: a), worn in the main hand. */
    tmux_keys("i");
    char *s = tmux_wait_for("[worn: main hand]", 10);
    char *sword = line_with(s, "Iron sword");
    if (strncmp(sword, " a) ", 4) != 0)
        fail_msg("the sword is not a):\n%s", s);
    free(sword);
    free(s);
    tmux_keys("Escape");
    /* Put away into the pack and wielded again, it stays a. */
    tmux_keys("r");
    free(tmux_wait_for("Take off what?", 10));
    tmux_keys("a");
    free(tmux_wait_for("You take off the iron sword and put it in your pack.", 10));
    tmux_keys("e");
    free(tmux_wait_for("Equip what?", 10));
    tmux_keys("a");
    free(tmux_wait_for("You take up the iron sword", 10));
    tmux_keys("i");
    s = tmux_wait_for("[worn: main hand]", 10);
    sword = line_with(s, "Iron sword");
    if (strncmp(sword, " a) ", 4) != 0)
        fail_msg("the sword is no longer a):\n%s", s);
    free(sword);
    free(s);
    tmux_keys("Escape");
    /* Placing all eight torches frees d; the bread stays e. */
    tmux_keys("B");
    free(tmux_wait_for("Hold which block?", 10));
    tmux_keys("d");
    static const char *const around[] = {"h", "k", "y", "u", "b", "n", "l", "j"};
    for (int i = 0; i < 8; i++) {
        tmux_keys("P");
        tmux_keys(around[i]);
        th_nap(150);
    }
    free(tmux_wait_for("Placed your last torch", 10));
    tmux_keys("i");
    s = tmux_wait_for("Inventory", 10);
    char *bread = line_with(s, "Bread");
    if (strncmp(bread, " e) ", 4) != 0)
        fail_msg("the bread is no longer e):\n%s", s);
    free(bread);
    free(s);
    tmux_keys("Escape");
    tmux_quit_game();
}

/* ---- 7 and 8: talking, names, quests ---- */

/* The letter of the reply on screen that contains text, or 0. */
static char reply_letter(const char *screen, const char *text)
{
    const char *at = strstr(screen, text);
    if (!at)
        return 0;
    while (at > screen && at[-1] != '\n')
        at--;
    while (*at == ' ')
        at++;
    return at[1] == ')' ? at[0] : 0;
}

static void test_7_8_talk_log_footer_and_two_aldas(void **state)
{
    (void)state;
    make_save("talk.db", WITH_TWO_ALDAS);
    launch("talk.db", "--continue", 80, 24);
    free(tmux_wait_for("Z: ", 30));
    /* Nobody to the west, in words. */
    tmux_keys("T");
    tmux_keys("h");
    free(tmux_wait_for("nobody to the west to talk to", 10));
    /* A step, and both Aldas are met: two names. */
    tmux_keys("h");
    char *s = tmux_wait_for("You meet Alda, the guard of Greenbrook.", 10);
    free(s);
    s = tmux_wait_for("You meet Alda ", 10);
    char *second = line_with(s, "You meet Alda ");
    free(s);
    if (strstr(second, "You meet Alda, "))
        fail_msg("the second Alda was met under the same name: %s", second);
    char name2[64] = "";
    sscanf(strstr(second, "Alda "), "Alda %63[^,]", name2);
    free(second);
    assert_true(name2[0] != '\0');
    tmux_keys("l");
    th_nap(300);
    /* The second Alda (south-east) gives a quest; the footer names the letters there are. */
    tmux_keys("T");
    tmux_keys("n");
    s = tmux_wait_for("Esc walk away", 10);
    char full[96];
    snprintf(full, sizeof full, "Alda %s, the guard of Greenbrook", name2);
    assert_non_null(strstr(s, full));
    int replies = 0;
    for (char c = 'a'; c <= 'h'; c++) {
        char tag[8];
        snprintf(tag, sizeof tag, "   %c) ", c);
        replies += strstr(s, tag) != NULL;
    }
    char foot[32];
    snprintf(foot, sizeof foot, "a-%c reply", 'a' + replies - 1);
    if (!strstr(s, foot))
        fail_msg("%d replies, but the footer does not say \"%s\":\n%s", replies, foot, s);
    assert_null(strstr(s, "1-6"));
    /* The guard offers the quest at once, counted in words. */
    assert_non_null(strstr(s, "slay 3 wolves"));
    char take = reply_letter(s, "Wolf Trouble");
    if (!take)
        fail_msg("no reply to take Wolf Trouble:\n%s", s);
    free(s);
    char k[2] = {take, '\0'};
    tmux_keys(k);
    th_nap(500);
    tmux_keys("Escape");
    /* Back on the map, the side panel follows the quest at once (not after the next key). */
    s = tmux_wait_for("Quest: Wolf Trouble", 10);
    /* The log has the words, not the numbered menu. */
    assert_null(strstr(s, "1) "));
    assert_null(strstr(s, "2) "));
    free(s);
    tmux_keys("M");
    s = tmux_wait_for("Messages (newest last)", 10);
    assert_non_null(strstr(s, "You: \"I'll take it: Wolf Trouble"));
    assert_null(strstr(s, "1) "));
    free(s);
    tmux_keys("Escape");
    /* The quest log says who gave it. */
    tmux_keys("q");
    char from[128];
    snprintf(from, sizeof from, "Wolf Trouble (tracked) — from Alda %s, the guard of", name2);
    s = tmux_wait_for(from, 10);
    /* One quest: its heading, itself and its objective are three lines (it said "(3 of 3)"),
     * and the quests on offer follow under their own heading, each a line. */
    assert_non_null(strstr(s, "1 quest,"));
    const char *count = strstr(s, "lines)");
    while (count && count > s && count[-1] != '(')
        count--;
    int shown = 0, all = 0, offers = 0;
    if (!count || sscanf(count, "%d of %d lines)", &shown, &all) != 2)
        fail_msg("no line count:\n%s", s);
    if (!strstr(s, "On offer") || sscanf(strstr(s, "1 quest,"), "1 quest, %d on offer", &offers) != 1)
        fail_msg("no quests on offer:\n%s", s);
    assert_int_equal(shown, all);
    assert_int_equal(all, 3 + 1 + offers);
    free(s);
    tmux_keys("Escape");
    /* The side panel follows the quest. */
    free(tmux_wait_for("Quest: Wolf Trouble", 10));
    tmux_quit_game();
}

/* ---- 9. threats ---- */

static void test_9_threats_in_view_with_direction_distance_health(void **state)
{
    (void)state;
    make_save("threat.db", WITH_WOLF);
    launch("threat.db", "--continue", 80, 24);
    char *s = tmux_wait_for("In view (hostile!):", 30);
    char *wolf = line_with(s, " wolf");
    if (!strstr(wolf, "E5 7/10!"))
        fail_msg("the panel's wolf line lacks \"E5 7/10!\": %s\n%s", wolf, s);
    free(wolf);
    free(s);
    /* Look at it: the same, in words. */
    tmux_keys("x");
    for (int i = 0; i < 5; i++)
        tmux_keys("l");
    free(tmux_wait_for("wolf to the east, 5 away, 7/10 health, hostile", 10));
    tmux_keys("Escape");
    /* At 160x50 the wide panel spells it out. */
    tmux_resize(160, 50);
    s = tmux_wait_for("Depth:  on the surface", 10); /* said so only in the wide panel */
    free(s);
    s = tmux_wait_for("hostile", 10);
    wolf = line_with(s, " wolf");
    if (!strstr(wolf, "E 5") || !strstr(wolf, "7/10") || !strstr(wolf, "hostile"))
        fail_msg("the wide panel's wolf line: %s\n%s", wolf, s);
    free(wolf);
    assert_non_null(strstr(s, "Depth:  on the surface"));
    free(s);
    /* A step west: the minimap's arrow and the panel say which way. */
    tmux_keys("h");
    static const char *const heading[] = {"Going:  west", "\xe2\x86\x90", NULL};
    free(tmux_wait_all(heading, 10));
    tmux_quit_game();
}

/* ---- 10. history, wrapping, what applies, words ---- */

static void test_10_history_survives_and_lists_fit(void **state)
{
    (void)state;
    make_save("history.db", 0);
    launch("history.db", "--continue", 80, 24);
    free(tmux_wait_for("Z: ", 30));
    tmux_keys("P");
    tmux_keys("l");
    free(tmux_wait_for("Placed planks to the east; 15 left.", 10));
    /* Use lists what can be used: the bread, not the sword. */
    tmux_keys("U");
    char *s = tmux_wait_for("Use what?", 10);
    assert_non_null(strstr(s, "Bread"));
    assert_null(strstr(s, "Iron sword"));
    free(s);
    tmux_keys("Escape");
    /* Repair: nothing is worn down, said in words. */
    tmux_keys("R");
    free(tmux_wait_for("Nothing needs repairing", 10));
    /* An item's page in words. */
    tmux_keys("i");
    free(tmux_wait_for("a) Iron sword", 10));
    tmux_keys("Enter");
    static const char *const words[] = {"Worn: main hand (press r on the map to take it off)",
                                           "Repaired with: Iron ingot", NULL};
    s = tmux_wait_all(words, 10);
    assert_null(strstr(s, "main_hand"));
    assert_null(strstr(s, "iron_ingot"));
    free(s);
    tmux_keys("Escape");
    tmux_keys("Escape");
    /* Achievements at 80 columns: the longest reason whole. */
    tmux_keys("A");
    static const char *const explorer[] = {"Walk 500 steps and stand in a village.", "(25 pts)", "after First Steps",
                                           NULL};
    free(tmux_wait_all(explorer, 10));
    tmux_keys("Escape");
    free(tmux_wait_for("Z: ", 10));
    tmux_quit_game();
    /* Relaunched: the earlier lines are there. */
    launch("history.db", "--continue", 80, 24);
    free(tmux_wait_for("Earlier messages above", 30));
    /* A returning player is welcomed back, not told the keys again. */
    free(tmux_wait_for("Welcome back to flatland, ", 10));
    tmux_keys("M");
    static const char *const back[] = {"Placed planks to the east; 15 left.", "Nothing needs repairing",
                                       "Earlier messages above", NULL};
    free(tmux_wait_all(back, 10));
    tmux_keys("Escape");
    free(tmux_wait_for("Z: ", 10));
    tmux_quit_game();
    /* The marker is the client's, not a message: it is not kept (it had piled up in the history). */
    assert_query("history.db", "SELECT count(*) FROM message_log WHERE text LIKE '%Earlier messages above%'", "0");
    /* And the skills of the class are the character's rows. */
    assert_query("history.db",
                 "SELECT group_concat(skill_name || ' ' || skill_level, ', ') FROM (SELECT * FROM character_skills "
                 "ORDER BY skill_name)",
                 "mining 1, swordsmanship 2");
}

/* ---- night falls once ---- */

static void test_night_falls_once(void **state)
{
    (void)state;
    make_save("night.db", 0);
    /* 08:00 + 359 turns of two minutes: 19:58. */
    RunResult r = th_run("wait 359\n", "--save", th_path(g_dir, "night.db"), "play", "--script", "-", NULL);
    if (r.status != 0)
        fail_msg("play --script: %s", r.err);
    th_run_free(&r);
    launch("night.db", "--continue", 80, 24);
    free(tmux_wait_for("Time:   19:58", 30));
    tmux_keys(".");
    char *s = tmux_wait_for("Night falls", 10);
    const char *first = strstr(s, "Night falls");
    if (strstr(first + 1, "Night falls"))
        fail_msg("night fell twice:\n%s", s);
    free(s);
    tmux_quit_game();
}

/* At night one sees 9 cells round (18 across); a torch lights what is near it however far. */
static void test_a_torch_lights_the_night(void **state)
{
    (void)state;
    ThGame f;
    th_game_start(&f, th_path(g_dir, "torch.db"), NULL);
    const Player *p = game_player(f.game);
    int torch = blocks_find(game_blocks(f.game), "torch");
    Err err = {0};
    if (torch <= 0 || world_set_block(game_world(f.game), p->x + 26, p->y, p->z, (BlockId)torch, &err) != MA_OK)
        fail_msg("no torch: %s", err.msg);
    th_clear_creatures(game_world(f.game), p->x - 48, p->x + 80, p->y, p->z - 32, p->z + 32);
    if (world_flush(game_world(f.game), &err) != MA_OK)
        fail_msg("%s", err.msg);
    th_game_stop(&f);
    RunResult r = th_run("wait 400\n", "--save", th_path(g_dir, "torch.db"), "play", "--script", "-", NULL);
    if (r.status != 0)
        fail_msg("play --script: %s", r.err);
    th_run_free(&r);
    launch("torch.db", "--continue", 140, 30);
    char *s = tmux_wait_for("It is night", 30);
    char *row = map_row_with_player(s);
    /* The row's columns, a character each (the map's glyphs are one column wide). */
    const char *col[200];
    int n = 0, at = -1;
    for (const char *c = row; *c && n < 200; n++) {
        col[n] = c;
        if (*c == '@' && at < 0)
            at = n;
        c++;
        while ((*c & 0xC0) == 0x80)
            c++;
    }
    /* 26 columns east of @, past the night's 18: the torch shows, and the ground around it. */
    if (at < 0 || at + 40 >= n || strncmp(col[at + 26], "\xe2\x80\xa0", 3) != 0) /* the torch's glyph, U+2020 */
        fail_msg("the torch does not show at night 26 east of @: %s\n%s", row, s);
    /* Its light is the circle of 7 blocks where nothing hostile comes into being, not 14 across
     * as the player's own sight is: dark from 8 east of it, lit up to 7 east of it. */
    int lit = 0;
    for (int k = at + 27; k <= at + 33; k++)
        lit += *col[k] != ' ';
    for (int k = at + 34; k <= at + 40; k++)
        if (*col[k] != ' ')
            fail_msg("column %d east of the torch is lit at night: %s\n%s", k - at - 26, row, s);
    if (lit == 0)
        fail_msg("nothing shows within 7 east of the torch at night: %s\n%s", row, s);
    free(row);
    free(s);
    tmux_quit_game();
}

/* The client spends what a level gives: a stat on the sheet, a specialisation on a skill's page
 * (both had been script words only: the sheet said "levelup STAT raises one" and nothing did). */
static void test_a_stat_point_and_a_specialisation_are_spent_in_the_client(void **state)
{
    (void)state;
    ThGame f;
    th_game_start(&f, th_path(g_dir, "levels.db"), NULL);
    ActionResult r;
    memset(&r, 0, sizeof r);
    Err err = {0};
    if (progress_add_experience(f.game, 400, &r, &err) != MA_OK || progress_stat_points(f.game) < 1)
        fail_msg("no stat point: %s", err.msg);
    if (progress_skill_use(f.game, "swordsmanship", 100000, &r, &err) != MA_OK ||
        progress_skill_level(f.game, "swordsmanship") < 5)
        fail_msg("swordsmanship below 5: %s", err.msg);
    int strength = progress_stat_worn(f.game, "strength", 0, NULL, &err); /* without the sword's +1 */
    th_game_stop(&f);
    launch("levels.db", "--continue", 100, 30);
    free(tmux_wait_for("Health:", 30));
    tmux_keys("C");
    free(tmux_wait_for("Enter on a stat raises it", 10));
    tmux_keys("Down"); /* from Health to Mana, then Strength */
    tmux_keys("Down");
    tmux_keys("Enter");
    free(tmux_wait_for("Spend a stat point on strength? [yN]", 10));
    tmux_keys("y");
    free(tmux_wait_for("You raise your strength", 10));
    tmux_keys("S");
    free(tmux_wait_for("Swordsmanship", 10));
    tmux_type("Swordsm");
    tmux_keys("Enter");
    free(tmux_wait_for("Choose a specialisation now", 10));
    tmux_keys("Enter");
    free(tmux_wait_for("Specialise in Swordsmanship (once, for good)", 10));
    tmux_keys("Enter");
    free(tmux_wait_for("It cannot be undone. [yN]", 10));
    tmux_keys("y");
    free(tmux_wait_for("You specialise in Swordsmanship: duelist", 10));
    tmux_quit_game();
    char want[32];
    snprintf(want, sizeof want, "%d", strength + 1);
    assert_query("levels.db", "SELECT json_extract(stats, '$.strength') FROM characters WHERE user_id IS NOT NULL", want);
    assert_query("levels.db", "SELECT value FROM character_state WHERE kind = 'specialization' AND key = 'swordsmanship'",
                 "duelist");
}

/* Esc on a recipe's page goes back to the recipes (it asked "How many?" instead); Enter, which the
 * page names, goes on to the question (the page had said only "Press any key"). */
static void test_esc_on_a_recipe_page_goes_back(void **state)
{
    (void)state;
    ThGame f;
    th_game_start(&f, th_path(g_dir, "craft.db"), NULL);
    th_game_stop(&f);
    launch("craft.db", "--continue", 100, 30);
    free(tmux_wait_for("Health:", 30));
    tmux_keys("c");
    char *s = tmux_wait_for(") stick ", 10);
    const char *at = strstr(s, ") stick ");
    char letter[2] = {at[-1], 0};
    free(s);
    tmux_keys(letter);
    free(tmux_wait_for("Enter: make it   any other key: back to the recipes", 10));
    tmux_keys("Escape");
    s = tmux_wait_for("Crafting: the recipes you know (new materials in your pack teach more)", 10);
    if (strstr(s, "How many?"))
        fail_msg("Esc on the recipe's page asked how many:\n%s", s);
    free(s);
    tmux_keys(letter);
    free(tmux_wait_for("Enter: make it", 10));
    tmux_keys("Enter");
    free(tmux_wait_for("How many?", 10));
    tmux_keys("Escape");
    tmux_keys("Escape");
    tmux_quit_game();
}

/* A wolf a level up beside you (on a block at your level, north-east) bites as one beside you
 * does: the map draws it there and the panel lists it "NE1 up" (it had fought unseen). */
static void test_a_creature_a_level_up_beside_you_is_shown(void **state)
{
    (void)state;
    ThGame f;
    th_game_start(&f, th_path(g_dir, "ledge.db"), NULL);
    const Player *p = game_player(f.game);
    World *w = game_world(f.game);
    Err err = {0};
    th_clear_creatures(w, p->x - 40, p->x + 40, p->y, p->z - 20, p->z + 20);
    if (world_set_block(w, p->x + 1, p->y, p->z - 1, (BlockId)blocks_find(game_blocks(f.game), "stone"), &err) != MA_OK)
        fail_msg("%s", err.msg);
    th_put_entity(w, th_creature("wolf", "c_ledge_wolf", 7), p->x + 1, p->y + 1, p->z - 1);
    if (world_flush(w, &err) != MA_OK)
        fail_msg("%s", err.msg);
    th_game_stop(&f);
    launch("ledge.db", "--continue", 80, 24);
    char *s = tmux_wait_for("Z: ", 30);
    char *line = line_with(s, "wolf");
    if (!strstr(line, "NE1 up"))
        fail_msg("the wolf a level up is not listed as such:\n%s", s);
    free(line);
    free(s);
    tmux_quit_game();
}

/* At 120x40 in a crowded village the minimap keeps its middle rows, with the player on them (it
 * had gone whole under a dozen villagers, and players never saw it). */
static void test_the_minimap_stays_among_many_villagers(void **state)
{
    (void)state;
    ThGame f;
    th_game_start(&f, th_path(g_dir, "crowd.db"), NULL);
    const Player *p = game_player(f.game);
    World *w = game_world(f.game);
    Err err = {0};
    th_clear_creatures(w, p->x - 40, p->x + 40, p->y, p->z - 20, p->z + 20);
    static const char *const names[] = {"Alda", "Bram", "Cora", "Dunn", "Edda", "Finn", "Gert",
                                        "Hild", "Ivo",  "Jory", "Kara", "Lene", "Mads", "Nils"};
    for (int i = 0; i < 14; i++) {
        char id[32];
        snprintf(id, sizeof id, "villager_c_%d", i);
        th_put_entity(w, th_villager(id, names[i], i % 2 ? "farmer" : "smith", "Crowdham"), p->x - 7 + i, p->y,
                      p->z + 3);
    }
    if (world_flush(w, &err) != MA_OK)
        fail_msg("%s", err.msg);
    th_game_stop(&f);
    launch("crowd.db", "--continue", 120, 40);
    char *s = tmux_wait_for("Cora, smith", 30);
    int found = 0;
    for (const char *line = s; line && *line && !found;) {
        const char *end = strchr(line, '\n'), *bar = strstr(line, "\xe2\x94\x82");
        if (bar && (!end || bar < end)) {
            const char *at = memchr(bar, '@', (size_t)((end ? end : line + strlen(line)) - bar));
            found = at != NULL;
        }
        line = end ? end + 1 : NULL;
    }
    if (!found)
        fail_msg("no minimap with the player in the side panel among 14 villagers:\n%s", s);
    free(s);
    tmux_quit_game();
}

/* The spell list dims what this character cannot cast and says why; picking one says so at once
 * (a cleric was offered Firebolt like any other spell, then refused after a direction). */
static void test_the_spell_list_says_what_cannot_be_cast(void **state)
{
    (void)state;
    make_save("spells.db", 0); /* a warrior */
    launch("spells.db", "--continue", 100, 30);
    free(tmux_wait_for("Z: ", 30));
    tmux_keys("z");
    const char *const list[] = {"Cast which spell?", "(needs a mage", NULL};
    free(tmux_wait_all(list, 10));
    tmux_keys("a");
    free(tmux_wait_for("You cannot cast", 10));
    tmux_quit_game();
}

/* Giving a storyline up asks first, and No keeps it (a player who had pressed Tab gave up the
 * wrong storyline with a letter meant for another). */
static void test_giving_up_a_storyline_asks_first(void **state)
{
    (void)state;
    ThGame f;
    th_game_start(&f, th_path(g_dir, "giveup.db"), NULL);
    const Player *p = game_player(f.game);
    World *w = game_world(f.game);
    Err err = {0};
    th_clear_creatures(w, p->x - 40, p->x + 40, p->y, p->z - 20, p->z + 20);
    th_put_entity(w, th_villager("villager_g_smith", "Odo", "smith", "Giveham"), p->x + 1, p->y, p->z);
    if (world_flush(w, &err) != MA_OK)
        fail_msg("%s", err.msg);
    ActionResult r = th_act(f.game, "talk e");
    (void)r;
    ActionResult focus = th_act(f.game, "story focus blade_for_the_dead");
    if (!focus.ok)
        fail_msg("A Blade for the Dead did not begin on talking to a smith: %s", focus.text);
    th_game_stop(&f);
    launch("giveup.db", "--continue", 100, 30);
    free(tmux_wait_for("Z: ", 30));
    tmux_keys("s");
    char *s = tmux_wait_for("Ask what it would cost to buy the sword", 10);
    char *line = line_with(s, "Ask what it would cost");
    const char *close = strchr(line, ')');
    if (!close || close == line)
        fail_msg("no letter before the choice: %s", line);
    char key[2] = {close[-1], 0};
    free(line);
    free(s);
    tmux_keys(key);
    free(tmux_wait_for("Give up A Blade for the Dead for good?", 10));
    tmux_keys("n");
    s = tmux_wait_for("Ask what it would cost to buy the sword", 10);
    free(s);
    tmux_keys("Escape");
    tmux_quit_game();
    assert_query("giveup.db",
                 "SELECT sp.status FROM story_progress sp JOIN stories st ON st.id = sp.story_id "
                 "WHERE st.title = 'A Blade for the Dead'",
                 "active");
}

/* Two piles on one cell: the side panel names both (it had said "8 gold coins" with a bread
 * lying there too). */
static void test_the_panel_names_every_pile_on_a_cell(void **state)
{
    (void)state;
    ThGame f;
    th_game_start(&f, th_path(g_dir, "piles.db"), NULL);
    const Player *p = game_player(f.game);
    World *w = game_world(f.game);
    Err err = {0};
    th_clear_creatures(w, p->x - 40, p->x + 40, p->y, p->z - 20, p->z + 20);
    th_put_entity(w, cJSON_Parse("{\"type\":\"item\",\"id\":\"pile_gold\",\"item\":\"gold_coin\",\"count\":8}"),
                  p->x + 2, p->y, p->z);
    th_put_entity(w, cJSON_Parse("{\"type\":\"item\",\"id\":\"pile_bread\",\"item\":\"bread\",\"count\":1}"),
                  p->x + 2, p->y, p->z);
    if (world_flush(w, &err) != MA_OK)
        fail_msg("%s", err.msg);
    th_game_stop(&f);
    launch("piles.db", "--continue", 140, 40); /* the wide panel: the whole line */
    free(tmux_wait_for("8 gold coins, 1 bread", 30));
    tmux_quit_game();
}

/* The help from the map ends with the map's legend: what each glyph is (a playtester had looked
 * at every cell to learn what the shades and signs were). */
static void test_the_help_has_the_maps_legend(void **state)
{
    (void)state;
    make_save("legend.db", 0);
    launch("legend.db", "--continue", 100, 30);
    free(tmux_wait_for("Z: ", 30));
    tmux_keys("?");
    free(tmux_wait_for("Help: keys", 10));
    /* A key of the story pane says where it works (its column had been blank). */
    tmux_type("storyline");
    char *s = tmux_wait_for("the next storyline you are in", 10);
    char *line = line_with(s, "the next storyline you are in");
    size_t len = strlen(line);
    while (len > 0 && line[len - 1] == ' ')
        line[--len] = '\0';
    if (len < 5 || strcmp(line + len - 5, "story") != 0)
        fail_msg("the story pane's Tab does not say where it works: \"%s\"", line);
    free(line);
    free(s);
    tmux_keys("Escape"); /* the filter goes; the help stays */
    free(tmux_wait_for("Help: keys", 10));
    tmux_type("flower");
    static const char *const legend[] = {"red flower", "yellow flower", NULL};
    free(tmux_wait_all(legend, 10));
    tmux_keys("Escape");
    tmux_keys("Escape");
    tmux_quit_game();
}

/* g beside a chest of several things asks which (everything, or one of them): it had emptied the
 * whole chest into the pack. */
static void test_g_at_a_chest_asks_what_to_take(void **state)
{
    (void)state;
    ThGame f;
    th_game_start(&f, th_path(g_dir, "chest.db"), NULL);
    const Player *p = game_player(f.game);
    World *w = game_world(f.game);
    Err err = {0};
    if (world_set_block(w, p->x + 1, p->y, p->z, (BlockId)blocks_find(game_blocks(f.game), "chest"), &err) != MA_OK ||
        world_set_block_meta(w, p->x + 1, p->y, p->z,
                             cJSON_Parse("{\"items\":[{\"item\":\"iron_ingot\",\"count\":3},"
                                         "{\"item\":\"healing_potion\",\"count\":2}]}"),
                             &err) != MA_OK ||
        world_flush(w, &err) != MA_OK)
        fail_msg("%s", err.msg);
    th_game_stop(&f);
    launch("chest.db", "--continue", 100, 30);
    free(tmux_wait_for("Z: ", 30));
    tmux_keys("g");
    const char *const list[] = {"Take what from the chest?", "everything", "3 iron ingots", "2 healing potions", NULL};
    free(tmux_wait_all(list, 10));
    tmux_keys("c");
    free(tmux_wait_for("You open the chest and take 2 healing potions.", 10));
    tmux_quit_game();
    assert_query("chest.db", "SELECT sum(quantity) FROM inventory WHERE item_name = 'healing_potion'", "2");
    assert_query("chest.db", "SELECT count(*) FROM inventory WHERE item_name = 'iron_ingot'", "0");
}

/* At 60 columns a long list's key line puts where you are in the list first and ends in an
 * ellipsis where it is cut (the chronicle's had ended "[1-"). */
static void test_a_long_list_says_where_you_are_on_a_narrow_screen(void **state)
{
    (void)state;
    make_save("narrow.db", 0);
    launch("narrow.db", "--continue", 60, 20);
    free(tmux_wait_for("Z: ", 30));
    tmux_keys("?");
    char *s = tmux_wait_for("type to search", 10);
    const char *at = strstr(s, " [1-");
    if (!at || !strstr(at, " of ") || !strstr(at, "]  type to search") || !strstr(at, "\xe2\x80\xa6"))
        fail_msg("the help's key line does not begin with where you are:\n%s", s);
    free(s);
    tmux_keys("Escape");
    tmux_quit_game();
}

static int setup(void **state)
{
    (void)state;
    if (!tmux_available()) {
        fprintf(stderr, "tmux is not installed: skipping\n");
        exit(77);
    }
    g_dir = th_tmpdir();
    setenv("USER", "tester", 1);
    setenv("MAGIC_BCRYPT_COST", "4", 1);
    setenv("MAGIC_AGENTS", "off", 1);
    setenv("MAGIC_BACKUP_SCHEDULE", "off", 1);
    tmux_init("fh");
    return 0;
}

static int teardown(void **state)
{
    tmux_teardown(state);
    th_tmpdir_free(g_dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_1_the_block_stays_in_hand_and_placing_says_so, tmux_teardown),
        cmocka_unit_test_teardown(test_g_at_a_chest_asks_what_to_take, tmux_teardown),
        cmocka_unit_test_teardown(test_the_help_has_the_maps_legend, tmux_teardown),
        cmocka_unit_test_teardown(test_the_panel_names_every_pile_on_a_cell, tmux_teardown),
        cmocka_unit_test_teardown(test_giving_up_a_storyline_asks_first, tmux_teardown),
        cmocka_unit_test_teardown(test_the_spell_list_says_what_cannot_be_cast, tmux_teardown),
        cmocka_unit_test_teardown(test_the_minimap_stays_among_many_villagers, tmux_teardown),
        cmocka_unit_test_teardown(test_2_travel_refuses_with_a_hostile_creature_in_view, tmux_teardown),
        cmocka_unit_test_teardown(test_2_travel_goes_on_past_villagers_already_met, tmux_teardown),
        cmocka_unit_test_teardown(test_rest_until_healed, tmux_teardown),
        cmocka_unit_test_teardown(test_2_travel_walks_around_a_wall, tmux_teardown),
        cmocka_unit_test_teardown(test_2_a_hostile_creature_far_off_does_not_stop_travel, tmux_teardown),
        cmocka_unit_test_teardown(test_3_typing_replaces_the_offered_name_and_continue_uses_the_session, tmux_teardown),
        cmocka_unit_test_teardown(test_4_quick_start_asks_and_load_reaches_the_old_game, tmux_teardown),
        cmocka_unit_test_teardown(test_5_class_picker_shows_whole_numbers_and_words, tmux_teardown),
        cmocka_unit_test_teardown(test_6_an_item_keeps_its_letter, tmux_teardown),
        cmocka_unit_test_teardown(test_7_8_talk_log_footer_and_two_aldas, tmux_teardown),
        cmocka_unit_test_teardown(test_9_threats_in_view_with_direction_distance_health, tmux_teardown),
        cmocka_unit_test_teardown(test_10_history_survives_and_lists_fit, tmux_teardown),
        cmocka_unit_test_teardown(test_night_falls_once, tmux_teardown),
        cmocka_unit_test_teardown(test_a_torch_lights_the_night, tmux_teardown),
        cmocka_unit_test_teardown(test_esc_on_a_recipe_page_goes_back, tmux_teardown),
        cmocka_unit_test_teardown(test_a_creature_a_level_up_beside_you_is_shown, tmux_teardown),
        cmocka_unit_test_teardown(test_a_long_list_says_where_you_are_on_a_narrow_screen, tmux_teardown),
        cmocka_unit_test_teardown(test_rest_with_a_wolf_behind_a_wall, tmux_teardown),
        cmocka_unit_test_teardown(test_a_stat_point_and_a_specialisation_are_spent_in_the_client, tmux_teardown),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
