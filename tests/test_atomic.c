/* test_atomic.c — one action, one transaction, proved by breaking it.
 *
 * For each kind of action (move, dig, place, craft with success and with
 * failure, quest accept and hand-in, talk with a consequence, equip, a kill
 * with a drop, death and respawn, level-up, an achievement, putting into a chest, a story choice that
 * sends a villager away) on a small flat
 * world set up for it (and the making of a new character, whose gear, weapon in hand, skills,
 * quests and story come in the same transaction: the save holds all of it or none):
 *   - a clean run gives the save "after"; the save before the action is
 *     "before"; the action commits exactly once;
 *   - the game is stopped as kill -9 would stop it (tests/fault: _exit with no
 *     cleanup) at every SQLite statement and at every file write the action
 *     makes, and each time the save verifies and equals "before" or "after",
 *     row by row, in every table;
 *   - every write in turn fails with "disk full" (once, and from then on) and
 *     with an I/O error: the action is refused in words, the game in memory
 *     and the save stay at "before", and once the disk is back the same
 *     action gives exactly "after".
 * MAGIC_FAULT_STRIDE=K tries every Kth crash point only (the sanitizer run
 * uses it to stay quick); the default tries every one. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "fault/fault.h"
#include "game/game.h"
#include "save/characters.h"
#include "save/charstate.h"
#include "save/dump.h"
#include "world/blocks.h"

static char *dir;
static char base_db[4096];
static int32_t hx, hy, hz; /* where the hero stands */
static long stride = 1;
static long crash_points; /* over the whole program, for the summary */

/* ------------------------------------------------------------ files and saves */

static void copy_file(const char *from, const char *to) { th_copy_file(from, to); }

static Save *open_save(const char *path) { return th_save_open(path, 0); }

static Game *start_game(Save *s)
{
    Game *g = NULL;
    Err err = {0};
    GameStart st = {.username = "hero", .world = "meadow"};
    if (game_start(s, &st, &g, &err) != MA_OK)
        fail_msg("%s", err.msg);
    return g;
}

static void problem(const char *text, void *ud)
{
    (void)ud;
    print_error("verify: %s\n", text);
}

/* The save's whole stable dump after checking that it verifies. */
static char *checked_dump(const char *path)
{
    Save *s = open_save(path);
    Err err = {0};
    int problems = save_verify(s, problem, NULL, &err);
    if (problems != 0)
        fail_msg("%s does not verify (%d): %s", path, problems, err.msg);
    char *text = save_dump_text(s, SAVE_DUMP_STABLE, &err);
    if (!text)
        fail_msg("%s", err.msg);
    save_close(s);
    return text;
}

/* The first line where two dumps differ, for the failure message. */
static void first_difference(const char *a, const char *b, char *out, size_t size)
{
    while (*a && *a == *b) {
        const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
        if (!ea || !eb || ea - a != eb - b || memcmp(a, b, (size_t)(ea - a)) != 0)
            break;
        a = ea + 1;
        b = eb + 1;
    }
    snprintf(out, size, "\n  got:  %.300s\n  want: %.300s", a, b);
}

/* ------------------------------------------------------------ the world */

/* A flat world: the hero (a warrior) with a farmer to the east, twelve oak
 * logs in a row to the west and a workbench two steps south-west. */
static void build_base(void)
{
    snprintf(base_db, sizeof base_db, "%s", th_path(dir, "base.db"));
    th_make_meadow(base_db, 1, &hx, &hy, &hz);
}

/* ------------------------------------------------------------ scenarios */

typedef struct Ctx {
    Save *s;
    Game *g;
} Ctx;

static ActionResult run(Game *g, const char *line)
{
    Action a;
    ActionResult r;
    Err err = {0};
    if (action_parse(line, &a, &err) != 1)
        fail_msg("%s: %s", line, err.msg);
    if (game_apply(g, &a, &r, &err) != MA_OK)
        fail_msg("%s: %s", line, err.msg);
    return r;
}

static void give(Ctx *c, const char *item, int count)
{
    InventoryRow r;
    memset(&r, 0, sizeof r);
    r.character_id = game_player(c->g)->character_id;
    snprintf(r.item_name, sizeof r.item_name, "%s", item);
    snprintf(r.item_type, sizeof r.item_type, "material");
    r.quantity = count;
    r.slot_position = 30;
    r.item_data = cJSON_CreateObject();
    Err err = {0};
    if (inventory_add(c->s, &r, &err) != MA_OK)
        fail_msg("give %s: %s", item, err.msg);
    inventory_row_clear(&r);
}

static void counter(Ctx *c, const char *key, int value)
{
    Err err = {0};
    assert_int_equal(charstate_add(c->s, game_player(c->g)->character_id, key, value, NULL, &err), MA_OK);
}

static void prep_none(Ctx *c) { (void)c; }
static void prep_planks(Ctx *c) { give(c, "planks", 60); }
static void prep_dagger(Ctx *c) { give(c, "dagger", 1); }
static char picked_reply[32]; /* "say N" for the reply a preparation found by its text */

/* Says `line` (talking to the farmer) and picks the reply whose text holds `text`. */
static void say_and_pick(Ctx *c, const char *line, const char *text)
{
    ActionResult r = run(c->g, line);
    picked_reply[0] = '\0';
    for (int i = 0; i < r.n_events; i++) {
        int n = 0;
        if (sscanf(r.events[i].text, "%d)", &n) == 1 && strstr(r.events[i].text, text))
            snprintf(picked_reply, sizeof picked_reply, "say %d", n);
    }
    if (!picked_reply[0])
        fail_msg("no reply \"%s\" after \"%s\" to the farmer", text, line);
}
static void talk_and_pick(Ctx *c, const char *text) { say_and_pick(c, "talk e", text); }
static void prep_hand_in(Ctx *c)
{
    run(c->g, "quest accept wood_for_winter");
    give(c, "oak_log", 10);
    run(c->g, "wait"); /* the quest counts what the pack holds after an action */
    talk_and_pick(c, "Hand in");
}
static void prep_gift(Ctx *c)
{
    give(c, "bread", 1);
    talk_and_pick(c, "have a loaf of bread");
}
static void prep_wolf(Ctx *c)
{
    cJSON *wolf = th_creature("wolf", "wolf_1", 1);
    th_put_entity(game_world(c->g), wolf, hx, hy, hz - 1);
    Err err = {0};
    assert_int_equal(world_flush(game_world(c->g), &err), MA_OK);
}
static void prep_fall(Ctx *c)
{
    /* High above the meadow with one point of health: the next step is a fatal fall. */
    CharacterRow row;
    Err err = {0};
    assert_int_equal(characters_get(c->s, game_player(c->g)->character_id, &row, &err), MA_OK);
    row.position_y += 8;
    cJSON_ReplaceItemInObject(row.stats, "health", cJSON_CreateNumber(1));
    assert_int_equal(characters_update(c->s, &row, &err), MA_OK);
    character_row_clear(&row);
}
static void prep_chest(Ctx *c)
{
    /* A chest south of the hero, and bread to put in it. */
    give(c, "bread", 3);
    Err err = {0};
    int chest = blocks_find(game_blocks(c->g), "chest");
    assert_true(chest > 0);
    assert_int_equal(world_set_block(game_world(c->g), hx, hy, hz + 1, (BlockId)chest, &err), MA_OK);
    assert_int_equal(world_flush(game_world(c->g), &err), MA_OK);
}
/* Talking to Mara begins her storyline (The Blight in the Wheat); its choice to burn the field
 * sends her away in this test's data (group_setup): a chunk's entity, her row, the agents' log,
 * the story's rows, all in the one action. */
static void prep_blight(Ctx *c)
{
    run(c->g, "talk e");
    ActionResult r = run(c->g, "story");
    picked_reply[0] = '\0';
    for (int i = 0; i < r.n_events; i++) {
        int n = 0;
        if (sscanf(r.events[i].text, "%d)", &n) == 1 && strstr(r.events[i].text, "burn the field"))
            snprintf(picked_reply, sizeof picked_reply, "choose %d", n);
    }
    if (!picked_reply[0])
        fail_msg("Mara's storyline offers no choice to burn the field");
}
static void prep_stat_point(Ctx *c) { counter(c, "stat_points", 1); }
static void prep_steps(Ctx *c) { counter(c, "steps", 19); }

typedef struct Scenario {
    const char *name;
    void (*prep)(Ctx *c);
    const char *action; /* NULL: the reply the preparation picked */
    const char *expect; /* an event (or the result) the clean run must show */
} Scenario;

static const Scenario scenarios[] = {
    {"move", prep_none, "move s", "ok"},
    {"dig", prep_none, "dig w", "Achievement unlocked: Breaking Ground"},
    {"place", prep_none, "place s planks", "ok"},
    {"craft_success", prep_none, "craft stick 8", "You make 32 sticks"},
    {"craft_failure", prep_planks, "craft door 8", "fail"},
    {"quest_accept", prep_none, "quest accept wood_for_winter", "Wood for the Winter"},
    {"quest_hand_in", prep_hand_in, NULL, "gold coin"},
    {"talk_consequence", prep_gift, NULL, "Bread from a stranger"},
    {"talk_start", prep_none, "talk e", "Mara"},
    {"equip", prep_dagger, "equip dagger", "The iron sword goes back into your pack."}, /* two rows swap */
    {"kill_and_drop", prep_wolf, "attack n", "raw meat"},
    {"death_and_respawn", prep_fall, "move s", "Your pack lies where you fell"},
    {"level_up", prep_stat_point, "levelup strength", "ok"},
    {"achievement", prep_steps, "move s", "First Steps"},
    {"store", prep_chest, "store bread 2", "You put 2 bread in the chest."},
    {"story_leave", prep_blight, NULL, "Mara the farmer has gone away"},
};

/* The scenario's own start: a copy of the base with its preparation done. */
static void make_start(const Scenario *sc, char *path, size_t size)
{
    snprintf(path, size, "%s", th_path(dir, "start.db"));
    copy_file(base_db, path);
    Ctx c = {open_save(path), NULL};
    c.g = start_game(c.s);
    sc->prep(&c);
    game_close(c.g);
    save_close(c.s);
}

/* Runs the scenario's action in a child stopped by the armed fault; returns
 * the child's exit status. kind: 's' statement, 'w' write, 0 none. */
static int run_child(const char *path, const Scenario *sc, char kind, long n)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        Save *s = NULL;
        Err err = {0};
        Game *g = NULL;
        GameStart st = {.username = "hero", .world = "meadow"};
        if (save_open(path, 0, &s, &err) != MA_OK || game_start(s, &st, &g, &err) != MA_OK)
            _exit(2);
        if (kind == 's')
            fault_exit_at_statement(n);
        else if (kind == 'w')
            fault_exit_at_write(n);
        Action a;
        ActionResult r;
        if (action_parse(sc->action, &a, &err) != 1 || game_apply(g, &a, &r, &err) != MA_OK)
            _exit(3);
        _exit(0); /* as if killed just after: no close, no checkpoint */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int has_event(const ActionResult *r, const char *text)
{
    if (strstr(r->text, text))
        return 1;
    for (int i = 0; i < r->n_events; i++)
        if (strstr(r->events[i].text, text))
            return 1;
    return 0;
}

static void describe(const ActionResult *r, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "%s", r->text);
    for (int i = 0; i < r->n_events && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, " | %s", r->events[i].text);
}

static void run_scenario(const Scenario *scenario)
{
    Scenario copy = *scenario;
    const Scenario *sc = &copy;
    char start[4096], work[4096];
    make_start(sc, start, sizeof start);
    if (!copy.action)
        copy.action = picked_reply;
    snprintf(work, sizeof work, "%s", th_path(dir, "work.db"));

    /* before: the start as a game opens it; after: a clean run of the action. */
    copy_file(start, work);
    assert_int_equal(run_child(work, sc, 0, 0), 0);
    char *after = checked_dump(work);
    copy_file(start, work);
    Save *s = open_save(work);
    Game *g = start_game(s);
    game_close(g);
    save_close(s);
    char *before = checked_dump(work);
    assert_true(strcmp(before, after) != 0);

    /* The clean run in this process: what it shows, how many commits, statements and writes. */
    copy_file(start, work);
    s = open_save(work);
    g = start_game(s);
    int64_t commits = save_commits(s);
    fault_reset();
    ActionResult r = run(g, sc->action);
    long statements = fault_statements(), writes = fault_writes();
    char what[2048];
    describe(&r, what, sizeof what);
    if (!has_event(&r, sc->expect))
        fail_msg("%s: the clean run did not show \"%s\": %s", sc->name, sc->expect, what);
    if (save_commits(s) - commits != 1)
        fail_msg("%s: the action committed %lld times (once is right): %s", sc->name,
                 (long long)(save_commits(s) - commits), what);
    game_close(g);
    save_close(s);
    assert_true(statements > 0 && writes > 0);

    char diff[800];
    long tried = 0;
    for (int pass = 0; pass < 2; pass++) {
        char kind = pass == 0 ? 's' : 'w';
        long total = pass == 0 ? statements : writes;
        for (long n = 1; n <= total; n += n < 4 || n > total - 4 ? 1 : stride) {
            copy_file(start, work);
            int st = run_child(work, sc, kind, n);
            if (st != FAULT_EXIT_STATUS && st != 0)
                fail_msg("%s: the child stopped at %s %ld exited with %d", sc->name,
                         kind == 's' ? "statement" : "write", n, st);
            char *now = checked_dump(work);
            if (strcmp(now, before) != 0 && strcmp(now, after) != 0) {
                first_difference(now, strcmp(now, before) < 0 ? after : before, diff, sizeof diff);
                fail_msg("%s: killed at %s %ld of %ld, the save holds half an action:%s", sc->name,
                         kind == 's' ? "statement" : "write", n, total, diff);
            }
            free(now);
            tried++;
        }
    }

    /* A full disk or a broken one at every write: refused in words, nothing half kept, and the
     * same action once the disk is back gives exactly "after". */
    static const int codes[] = {SQLITE_FULL, SQLITE_IOERR_WRITE};
    for (int c = 0; c < 2; c++) {
        for (int persist = 0; persist < 2; persist++) {
            for (long n = 1; n <= writes; n += n < 4 || n > writes - 4 ? 1 : stride) {
                copy_file(start, work);
                s = open_save(work);
                g = start_game(s);
                Player pb = *game_player(g);
                int64_t clock_before = game_clock(g);
                fault_fail_writes(n, codes[c], persist);
                Action a;
                ActionResult res;
                Err err = {0};
                assert_int_equal(action_parse(sc->action, &a, &err), 1);
                int rc = game_apply(g, &a, &res, &err);
                fault_reset();
                if (rc == MA_OK)
                    fail_msg("%s: write %ld of %ld failed (%s) but the action reported success", sc->name, n, writes,
                             codes[c] == SQLITE_FULL ? "full" : "ioerr");
                if (!strstr(err.msg, "the last action was not saved") ||
                    (codes[c] == SQLITE_FULL && !strstr(err.msg, "The disk is full")))
                    fail_msg("%s: the failure was not said in words: %s", sc->name, err.msg);
                /* The game in memory is where it was before the action. */
                const Player *p = game_player(g);
                if (memcmp(p, &pb, sizeof pb) != 0 || game_clock(g) != clock_before)
                    fail_msg("%s: after a failed write %ld the player or the clock in memory moved on", sc->name, n);
                char *now = save_dump_text(s, SAVE_DUMP_STABLE, &err);
                assert_non_null(now);
                if (strcmp(now, before) != 0) {
                    first_difference(now, before, diff, sizeof diff);
                    fail_msg("%s: after a failed write %ld the save is not as before:%s", sc->name, n, diff);
                }
                free(now);
                /* The disk is back: the same action, the same result. */
                ActionResult again = run(g, sc->action);
                char again_what[2048];
                describe(&again, again_what, sizeof again_what);
                if (strcmp(again_what, what) != 0)
                    fail_msg("%s: after the disk came back the action said\n  %s\nnot\n  %s", sc->name, again_what, what);
                game_close(g);
                save_close(s);
                now = checked_dump(work);
                if (strcmp(now, after) != 0) {
                    first_difference(now, after, diff, sizeof diff);
                    fail_msg("%s: after the disk came back the save is not the clean run's:%s", sc->name, diff);
                }
                free(now);
                tried++;
            }
        }
    }
    print_message("%-18s %4ld statements %3ld writes, %ld crash and fault points: before or after every time\n",
                  sc->name, statements, writes, tried);
    crash_points += tried;
    free(before);
    free(after);
}

/* One test per scenario, so a failure names the action. */
static void test_scenario(void **state) { run_scenario((const Scenario *)*state); }

/* A new character is made in one transaction with everything it starts with: its gear (the
 * mage's staff in hand since a new character holds the class's weapon), its skills, its quests
 * and story. Stopped at every statement and every write of its making, the save holds all of it
 * or none of it. kind: 's', 'w' or 0 (a clean run). */
static int create_child(const char *path, char kind, long n)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        Save *s = NULL;
        Err err = {0};
        Game *g = NULL;
        GameStart st = {.username = "hero", .world = "meadow", .character = "Brenna", .class_name = "mage"};
        if (save_open(path, 0, &s, &err) != MA_OK)
            _exit(2);
        if (kind == 's')
            fault_exit_at_statement(n);
        else if (kind == 'w')
            fault_exit_at_write(n);
        else
            fault_reset();
        if (game_start(s, &st, &g, &err) != MA_OK)
            _exit(3);
        if (!kind)
            printf("counts %ld %ld\n", fault_statements(), fault_writes());
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_a_new_character_is_made_whole_or_not_at_all(void **state)
{
    (void)state;
    char work[4096];
    snprintf(work, sizeof work, "%s", th_path(dir, "create.db"));
    copy_file(base_db, work);
    char *before = checked_dump(work);
    /* The clean run, counted in this process (a fork would lose the counts). */
    Save *s = open_save(work);
    Game *g = NULL;
    Err err = {0};
    GameStart st = {.username = "hero", .world = "meadow", .character = "Brenna", .class_name = "mage"};
    fault_reset();
    assert_int_equal(game_start(s, &st, &g, &err), MA_OK);
    long statements = fault_statements(), writes = fault_writes();
    game_close(g);
    save_close(s);
    char *after = checked_dump(work);
    assert_true(strcmp(before, after) != 0);
    char *staff = th_sql_text(work, "SELECT i.item_name FROM inventory i JOIN characters c ON c.id = i.character_id "
                                    "WHERE c.name = 'Brenna' AND i.slot_position = 40");
    assert_non_null(staff);
    assert_string_equal(staff, "oak_staff");
    free(staff);
    char diff[800];
    long tried = 0;
    for (int pass = 0; pass < 2; pass++) {
        char kind = pass == 0 ? 's' : 'w';
        long total = pass == 0 ? statements : writes;
        for (long n = 1; n <= total; n += n < 4 || n > total - 4 ? 1 : stride) {
            copy_file(base_db, work);
            int rc = create_child(work, kind, n);
            if (rc != FAULT_EXIT_STATUS && rc != 0)
                fail_msg("creating a character, the child stopped at %s %ld exited with %d",
                         kind == 's' ? "statement" : "write", n, rc);
            char *now = checked_dump(work);
            if (strcmp(now, before) != 0 && strcmp(now, after) != 0) {
                first_difference(now, strcmp(now, before) < 0 ? after : before, diff, sizeof diff);
                fail_msg("killed at %s %ld of %ld while making a character, the save holds half of it:%s",
                         kind == 's' ? "statement" : "write", n, total, diff);
            }
            free(now);
            tried++;
        }
    }
    print_message("%-18s %4ld statements %3ld writes, %ld crash points: before or after every time\n", "new_character",
                  statements, writes, tried);
    crash_points += tried;
    free(before);
    free(after);
}

/* A step of a unit of work cannot commit on its own: outside a transaction
 * its savepoint is refused, and a unit cannot begin inside another. */
static void test_a_step_outside_a_unit_of_work_is_refused(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s", th_path(dir, "units.db"));
    copy_file(base_db, path);
    Save *s = open_save(path);
    Err err = {0};
    assert_int_not_equal(save_savepoint(s, &err), MA_OK);
    assert_non_null(strstr(err.msg, "outside its transaction"));
    assert_int_equal(save_begin(s, &err), MA_OK);
    assert_int_not_equal(save_begin(s, &err), MA_OK);
    assert_non_null(strstr(err.msg, "already open"));
    assert_int_equal(save_savepoint(s, &err), MA_OK);
    assert_int_equal(save_savepoint(s, &err), MA_OK);
    assert_int_equal(save_release(s, &err), MA_OK);
    /* A commit with a savepoint still open keeps nothing. */
    int64_t commits = save_commits(s);
    assert_int_not_equal(save_commit(s, &err), MA_OK);
    assert_int_equal(save_commits(s), commits);
    assert_int_equal(save_in_transaction(s), 0);
    save_close(s);
}

static int group_setup(void **state)
{
    (void)state;
    dir = th_tmpdir();
    setenv("USER", "hero", 1);
    setenv("MAGIC_BCRYPT_COST", "4", 1);
    const char *k = getenv("MAGIC_FAULT_STRIDE");
    stride = k && atol(k) > 0 ? atol(k) : 1;
    /* The game's data, with a villager story's choice that sends the villager away. */
    const char *data = th_data_copy(dir, "data");
    th_data_patch(data, "stories/blight_in_the_wheat.json", "\"reason\": \"told me to burn my field\"\n     }\n    },",
                  "\"reason\": \"told me to burn my field\"\n     }\n    },\n    {\"leave\": {\"who\": \"@villager\"}},");
    setenv("MAGIC_DATA_DIR", data, 1);
    build_base();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    print_message("%ld crash and fault points in all (stride %ld)\n", crash_points, stride);
    th_tmpdir_free(dir);
    return 0;
}

int main(void)
{
    enum { N = sizeof scenarios / sizeof scenarios[0] };
    struct CMUnitTest tests[N + 2];
    for (int i = 0; i < N; i++) {
        tests[i] = (struct CMUnitTest)cmocka_unit_test(test_scenario);
        tests[i].name = scenarios[i].name;
        tests[i].initial_state = (void *)&scenarios[i];
    }
    tests[N] = (struct CMUnitTest)cmocka_unit_test(test_a_step_outside_a_unit_of_work_is_refused);
    tests[N + 1] = (struct CMUnitTest)cmocka_unit_test(test_a_new_character_is_made_whole_or_not_at_all);
    return _cmocka_run_group_tests("atomic", tests, N + 2, group_setup, group_teardown);
}
