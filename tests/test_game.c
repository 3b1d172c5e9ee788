/* test_game.c — playing through the core and through `play --script`:
 * walking, climbing, falling, digging and placing, with the save checked
 * afterwards, and a kill -9 in the middle of play. Uses "flat" worlds:
 * grass at y = SEA_LEVEL, the player's feet at SEA_LEVEL + 1. */
#include "helpers.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "game/calendar.h"
#include "game/game.h"
#include "game/game_internal.h"
#include "game/progress.h"
#include "game/items.h"
#include "game/classes.h"
#include "game/game_travel.h"
#include "save/characters.h"
#include "save/charstate.h"
#include "save/chunks.h"
#include "world/blocks.h"

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

/* A save `file` with the player in "flatland" (seed 7): a flat world created first when
 * create_world, else the one game_start makes. */
static void start(Fixture *f, const char *file, int create_world)
{
    th_game_start(f, th_path(dir, file), &(ThGameOpts){.no_world = !create_world});
}

static int block_id(Fixture *f, const char *name)
{
    int id = blocks_find(game_blocks(f->game), name);
    assert_true(id > 0);
    return id;
}

/* A refusal longer than the result line is cut at a word and says so, never inside a word or a
 * UTF-8 character (it had been cut anywhere, silently). */
static void test_a_long_refusal_is_cut_at_a_word_with_an_ellipsis(void **state)
{
    (void)state;
    ActionResult r;
    memset(&r, 0, sizeof r);
    char words[600] = "";
    for (int i = 0; i < 40; i++)
        strcat(words, "caf\u00e9 d\u00e9j\u00e0 ");
    game_refuse(&r, "locked: %s", words);
    size_t n = strlen(r.text);
    assert_false(r.ok);
    assert_true(n < sizeof r.text && n > sizeof r.text / 2);
    assert_string_equal(r.text + n - 3, "...");
    assert_true(r.text[n - 4] != ' ' && ((unsigned char)r.text[n - 4] & 0xC0) != 0xC0); /* a word's whole end */
    assert_true(strncmp(words, r.text + 8, n - 11) == 0);
    assert_true(words[n - 11] == ' ');
    game_refuse(&r, "blocked: %s", "stone wall");
    assert_string_equal(r.text, "blocked: stone wall");
}

static int no_goal(int32_t x, int32_t y, int32_t z, void *ud)
{
    (void)x, (void)y, (void)z, (void)ud;
    return 0;
}

static int corner_goal(int32_t x, int32_t y, int32_t z, void *ud)
{
    const int32_t *c = ud;
    (void)y;
    return x == c[0] && z == c[1];
}

/* On open flat ground every cell of the planning square is reached: a goal nowhere in it is
 * searched for in all of them (before the start was kept apart from the cells not reached yet, a
 * neighbour queued it again and the queue ran one past its end: found by a random walk under
 * valgrind, and by this test under AddressSanitizer), and a goal in its corner is found. */
static void test_planning_a_walk_over_open_ground_reaches_every_cell_once(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "open-ground.db", 1);
    const Player *p = game_player(f.game);
    th_clear_creatures(game_world(f.game), p->x - 8, p->x + 8, p->y, p->z - 8, p->z + 8);
    Dir path[64];
    int32_t gx = 0, gz = 0;
    for (int radius = 1; radius <= 6; radius++)
        assert_int_equal(game_plan_walk(f.game, radius, no_goal, NULL, path, 64, &gx, &gz), -1);
    int32_t corner[2] = {p->x + 5, p->z - 5};
    assert_int_equal(game_plan_walk(f.game, 5, corner_goal, corner, path, 64, &gx, &gz), 5);
    assert_int_equal(gx, corner[0]);
    assert_int_equal(gz, corner[1]);
    for (int i = 0; i < 5; i++)
        assert_int_equal(path[i], DIR_NE);
    th_game_stop(&f);
}

static void test_walk_is_saved_before_the_next_action(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "walk.db", 1);
    const Player *p = game_player(f.game);
    int32_t x0 = p->x, y0 = p->y, z0 = p->z;
    assert_int_equal(y0, SEA_LEVEL + 1);
    assert_string_equal(th_act(f.game, "move e").text, "ok");
    assert_string_equal(th_act(f.game, "move s").text, "ok");
    assert_string_equal(th_act(f.game, "move sw").text, "ok");
    assert_int_equal(p->x, x0);
    assert_int_equal(p->z, z0 + 2);
    /* Another connection sees the new position already. */
    Save *other = NULL;
    Err err = {0};
    assert_int_equal(save_open(th_path(dir, "walk.db"), SAVE_READONLY, &other, &err), MA_OK);
    CharacterRow c;
    assert_int_equal(characters_get(other, p->character_id, &c, &err), MA_OK);
    assert_int_equal((int)c.position_x, x0);
    assert_int_equal((int)c.position_z, z0 + 2);
    character_row_clear(&c);
    save_close(other);
    th_game_stop(&f);
}

static void test_climb_one_block_but_not_two(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "climb.db", 1);
    const Player *p = game_player(f.game);
    int32_t x = p->x, y = p->y, z = p->z;
    Err err = {0};
    int planks = block_id(&f, "planks");
    /* One block east: climbable. Two blocks high further east: a wall. */
    assert_int_equal(world_set_block(game_world(f.game), x + 1, y, z, (BlockId)planks, &err), MA_OK);
    assert_int_equal(world_set_block(game_world(f.game), x + 2, y + 1, z, (BlockId)planks, &err), MA_OK);
    assert_int_equal(world_set_block(game_world(f.game), x + 2, y + 2, z, (BlockId)planks, &err), MA_OK);
    assert_string_equal(th_act(f.game, "move e").text, "ok");
    assert_int_equal(p->y, y + 1);
    ActionResult r = th_act(f.game, "move e");
    assert_false(r.ok);
    assert_string_equal(r.text, "blocked: planks wall");
    assert_int_equal(p->x, x + 1);
    /* Something at head height over open ground is named as such (it had been a "wall"). */
    int leaves = block_id(&f, "oak_leaves");
    assert_int_equal(world_set_block(game_world(f.game), x + 1, y + 2, z + 1, (BlockId)leaves, &err), MA_OK);
    r = th_act(f.game, "move s");
    assert_false(r.ok);
    assert_string_equal(r.text, "blocked: oak leaves at head height");
    /* A block one could climb but for the one above one's own head says so. */
    assert_int_equal(world_set_block(game_world(f.game), x + 1, y + 2, z + 1, 0, &err), MA_OK);
    assert_int_equal(world_set_block(game_world(f.game), x + 1, y + 1, z - 1, (BlockId)planks, &err), MA_OK);
    assert_int_equal(world_set_block(game_world(f.game), x + 1, y + 3, z, (BlockId)planks, &err), MA_OK);
    r = th_act(f.game, "move n");
    assert_false(r.ok);
    assert_string_equal(r.text, "blocked: no room to climb onto the planks (planks above your head)");
    th_game_stop(&f);
}

/* Down a ladder sunk in the ground and back up: at its top one more rung up would hold nothing
 * (the player dropped back onto it with the clock moved on and not a word): it says to step off,
 * and a step to the side climbs out. */
static void test_down_a_ladder_and_up_to_its_top_and_off(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "ladder.db", 1);
    const Player *p = game_player(f.game);
    int32_t x = p->x, y = p->y, z = p->z;
    Err err = {0};
    int ladder = block_id(&f, "ladder"), stone = block_id(&f, "stone");
    for (int d = 1; d <= 4; d++)
        assert_int_equal(world_set_block(game_world(f.game), x, y - d, z, (BlockId)ladder, &err), MA_OK);
    assert_int_equal(world_set_block(game_world(f.game), x, y - 5, z, (BlockId)stone, &err), MA_OK);
    for (int d = 1; d <= 4; d++) {
        assert_string_equal(th_act(f.game, "down").text, "ok");
        assert_int_equal(p->y, y - d);
    }
    assert_string_equal(th_act(f.game, "down").text, "blocked: stone below");
    for (int d = 3; d >= 1; d--) {
        assert_string_equal(th_act(f.game, "up").text, "ok");
        assert_int_equal(p->y, y - d);
    }
    int64_t clock = game_clock(f.game);
    ActionResult r = th_act(f.game, "up");
    assert_false(r.ok);
    assert_string_equal(r.text, "the top of the ladder: step off it to the side (a direction) onto the ground");
    assert_int_equal(p->y, y - 1);
    assert_int_equal(game_clock(f.game), clock);
    assert_string_equal(th_act(f.game, "move e").text, "ok");
    assert_int_equal(p->y, y);
    assert_int_equal(p->x, x + 1);
    th_game_stop(&f);
}

/* The planner's view of a step (game_step_to) is the move's own rule: it changes nothing, and
 * where it says a step ends is where the move ends. */
static void test_a_planned_step_is_the_step(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "plan.db", 1);
    const Player *p = game_player(f.game);
    int32_t x = p->x, y = p->y, z = p->z;
    Err err = {0};
    BlockId planks = (BlockId)block_id(&f, "planks");
    World *w = game_world(f.game);
    /* East: one block to climb. West: a wall two high. South: a pit five deep. */
    assert_int_equal(world_set_block(w, x + 1, y, z, planks, &err), MA_OK);
    for (int h = 0; h < 2; h++)
        assert_int_equal(world_set_block(w, x - 1, y + h, z, planks, &err), MA_OK);
    for (int d = 1; d <= 5; d++)
        assert_int_equal(world_set_block(w, x, y - d, z + 1, BLOCK_AIR, &err), MA_OK);
    int32_t to[3];
    int fall = -1, wet = -1;
    assert_int_equal(game_step_to(f.game, x, y, z, DIR_W, to, &fall, &wet), 0);
    assert_int_equal(game_step_to(f.game, x, y, z, DIR_E, to, &fall, &wet), 1);
    assert_int_equal(to[0], x + 1);
    assert_int_equal(to[1], y + 1);
    assert_int_equal(fall, 0);
    assert_int_equal(game_step_to(f.game, x, y, z, DIR_S, to, &fall, &wet), 1);
    assert_int_equal(to[1], y - 5);
    assert_int_equal(fall, 5);
    assert_int_equal(wet, 0);
    assert_int_equal(p->x, x); /* nothing moved */
    assert_int_equal(p->y, y);
    ActionResult r = th_act(f.game, "move s");
    assert_true(r.ok);
    assert_int_equal(p->y, y - 5);
    assert_int_equal(p->z, z + 1);
    th_game_stop(&f);
}

/* A creature that steps into a walk's way is not walked into (that is an attack: a walk had
 * killed a deer that wandered onto its path): the step is refused, nothing moves, no time
 * passes, and the deer lives. */
static void test_a_walk_does_not_attack_a_creature_in_its_way(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "walk_deer.db", 1);
    const Player *p = game_player(f.game);
    int32_t x = p->x, y = p->y, z = p->z;
    Err err = {0};
    th_put_entity(game_world(f.game), th_creature("deer", "c_deer", 10), x + 1, y, z);
    assert_int_equal(world_flush(game_world(f.game), &err), MA_OK);
    int64_t clock = game_clock(f.game);
    ActionResult r;
    int planned = 1, hurt = 1;
    assert_int_equal(game_walk_step(f.game, DIR_E, &r, &planned, &hurt, &err), MA_OK);
    assert_false(r.ok);
    assert_string_equal(r.text, "blocked: a deer is in the way");
    assert_int_equal(planned, 0);
    assert_int_equal(hurt, 0);
    assert_int_equal(p->x, x);
    assert_int_equal(game_clock(f.game), clock);
    char *hp = th_sql_text(th_path(dir, "walk_deer.db"),
                           "SELECT count(*) FROM world_chunks, json_each(world_chunks.block_data, '$.entities') e "
                           "WHERE json_extract(e.value, '$.id') = 'c_deer' AND json_extract(e.value, '$.hp') = 10");
    assert_string_equal(hp, "1");
    free(hp);
    /* A plain move still attacks it: only walking does not. */
    r = th_act(f.game, "move e");
    assert_non_null(th_event_with(&r, "deer"));
    th_game_stop(&f);
}

/* walk X Z: the fewest steps round a wall, each a move of its own; refused (nothing moved) when
 * there is no way or it is too far. */
static void test_walk_goes_round_a_wall(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "walk_round.db", 1);
    const Player *p = game_player(f.game);
    int32_t x = p->x, y = p->y, z = p->z;
    Err err = {0};
    BlockId planks = (BlockId)block_id(&f, "planks");
    World *w = game_world(f.game);
    /* A wall two high from 3 north to 3 south, 2 east; the goal 4 east, behind it. */
    for (int dz = -3; dz <= 3; dz++)
        for (int h = 0; h < 2; h++)
            assert_int_equal(world_set_block(w, x + 2, y + h, z + dz, planks, &err), MA_OK);
    char line[64];
    snprintf(line, sizeof line, "walk %d %d", x + 4, z);
    ActionResult r = th_act(f.game, line);
    assert_string_equal(r.text, "ok");
    assert_int_equal(p->x, x + 4);
    assert_int_equal(p->z, z);
    assert_true(r.turns >= 8); /* round the wall's end: more than the 4 steps straight on */
    assert_non_null(th_event_with(&r, "You walk "));
    /* Walking to where one stands: said so, no time passes (it had said "You walk 0 steps"). */
    r = th_act(f.game, line);
    assert_string_equal(r.text, "ok");
    assert_int_equal(r.turns, 0);
    char here[64];
    snprintf(here, sizeof here, "You are already at (%d, %d).", x + 4, z);
    assert_non_null(th_event_with(&r, here));
    assert_null(th_event_with(&r, "0 steps"));
    /* A cell walled in on every side: no way, and nothing moves. */
    for (int dz = -1; dz <= 1; dz++)
        for (int dx = -1; dx <= 1; dx++)
            if (dx || dz)
                for (int h = 0; h < 2; h++)
                    assert_int_equal(world_set_block(w, x + 10 + dx, y + h, z + dz, planks, &err), MA_OK);
    snprintf(line, sizeof line, "walk %d %d", x + 10, z);
    r = th_act(f.game, line);
    assert_false(r.ok);
    assert_non_null(strstr(r.text, "no way there"));
    assert_int_equal(p->x, x + 4);
    snprintf(line, sizeof line, "walk %d %d", x + 500, z);
    r = th_act(f.game, line);
    assert_false(r.ok);
    assert_non_null(strstr(r.text, "too far"));
    /* Far past 30,000,000 too: the same answer (it had been "walk takes whole numbers"). */
    Action far;
    Err perr = {0};
    assert_int_equal(action_parse("walk 99999999 0", &far, &perr), 1);
    assert_true(action_parse("walk 99999999999 0", &far, &perr) < 0);
    assert_non_null(strstr(perr.msg, "past the edge of any world"));
    r = th_act(f.game, "walk 99999999 0");
    assert_false(r.ok);
    assert_non_null(strstr(r.text, "too far to walk at once"));
    /* A wall 221 long across the way to a cell 190 east: the way round is longer than a walk
     * takes, and the walk says so where it stops rather than "ok". */
    int32_t sx = p->x;
    for (int dz = -110; dz <= 110; dz++)
        for (int h = 0; h < 2; h++)
            assert_int_equal(world_set_block(w, sx + 95, y + h, z + dz, planks, &err), MA_OK);
    snprintf(line, sizeof line, "walk %d %d", sx + 190, z);
    r = th_act(f.game, line);
    assert_false(r.ok);
    assert_string_equal(r.text, "stopped after 200 steps: the way there is longer than 200 steps");
    assert_true(p->x != sx + 190 || p->z != z);
    th_game_stop(&f);
}

/* A walk plans round a villager standing in its way: a wall with two gaps, the near one held by
 * a villager; the walk takes the far gap instead of stopping at the villager ("someone was in the
 * way"). A villager on the goal itself is walked up to. */
static void test_walk_goes_round_someone_standing_in_the_way(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "walk_someone.db", 1);
    const Player *p = game_player(f.game);
    int32_t x = p->x, y = p->y, z = p->z;
    Err err = {0};
    BlockId planks = (BlockId)block_id(&f, "planks");
    World *w = game_world(f.game);
    /* A wall two high 2 east, from 6 north to 6 south, open at z and at z + 4. */
    for (int dz = -6; dz <= 6; dz++)
        if (dz != 0 && dz != 4)
            for (int h = 0; h < 2; h++)
                assert_int_equal(world_set_block(w, x + 2, y + h, z + dz, planks, &err), MA_OK);
    th_put_entity(w, th_villager("villager_gap", "Edda", "farmer", "Gapford"), x + 2, y, z);
    assert_int_equal(world_flush(w, &err), MA_OK);
    char line[64];
    snprintf(line, sizeof line, "walk %d %d", x + 4, z);
    ActionResult r = th_act(f.game, line);
    assert_string_equal(r.text, "ok");
    assert_int_equal(p->x, x + 4);
    assert_int_equal(p->z, z);
    assert_true(r.turns >= 6); /* through the far gap: more than the 4 steps straight on */
    /* Edda on the goal: the walk ends beside her, stopped by her, not refused as having no way. */
    snprintf(line, sizeof line, "walk %d %d", x + 2, z);
    r = th_act(f.game, line);
    assert_false(r.ok);
    assert_string_equal(r.text, "stopped after 1 step: blocked: Edda is in the way (talk, or attack)");
    assert_int_equal(abs(p->x - (x + 2)) <= 1 && abs(p->z - z) <= 1, 1);
    th_game_stop(&f);
}

/* explore (the script word, game_travel): walks toward ground not explored yet, marking what it
 * passes, up to GAME_TRAVEL_STEPS steps, and says how far it went; walled in, it is refused and
 * nothing moves. */
static void test_explore_walks_to_ground_not_seen_yet(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "explore.db", 1);
    Game *g = f.game;
    const Player *p = game_player(g);
    int32_t x = p->x, z = p->z;
    int near = game_sight_radius(g) / 2;
    assert_true(game_explored(g, x + near, z));  /* marked where the game began */
    assert_false(game_explored(g, x + near + 2, z));
    assert_false(game_explored(g, x - 30, z + 30));
    ActionResult r = th_act(g, "explore");
    assert_string_equal(r.text, "ok");
    char want[64];
    snprintf(want, sizeof want, "Travelled %d steps.", GAME_TRAVEL_STEPS);
    assert_string_equal(r.events[r.n_events - 1].text, want);
    assert_int_equal(r.turns, GAME_TRAVEL_STEPS);
    assert_true(abs(p->x - x) > near || abs(p->z - z) > near); /* past what was seen at the start */
    assert_true(game_explored(g, p->x + near, p->z));
    /* Walled in (two high, all round): nothing to explore, and no step. */
    Err err = {0};
    BlockId planks = (BlockId)block_id(&f, "planks");
    int32_t px = p->x, py = p->y, pz = p->z;
    for (int dz = -1; dz <= 1; dz++)
        for (int dx = -1; dx <= 1; dx++)
            if (dx || dz)
                for (int h = 0; h < 3; h++)
                    assert_int_equal(world_set_block(game_world(g), px + dx, py + h, pz + dz, planks, &err), MA_OK);
    r = th_act(g, "explore");
    assert_false(r.ok);
    assert_string_equal(r.text, "everything you can walk to nearby is explored (40 steps around)");
    assert_int_equal(p->x, px);
    assert_int_equal(p->z, pz);
    assert_int_equal(r.turns, 0);
    th_game_stop(&f);
}

/* A hook that stops travel after 3 steps (14 when *ud starts at -11); and one that stops it at
 * once without a word. */
static int stop_after(void *ud, const ActionResult *step, char *why, size_t size, int *alarm)
{
    int *n = ud;
    (void)step;
    if (++*n < 3)
        return 0;
    snprintf(why, size, "enough");
    *alarm = 1;
    return 1;
}

/* Exploring from a shore goes to new land, not out to sea: water all round but for the ground
 * underfoot and a shore 20 east; the nearest new ground is water 13 away, yet explore swims east
 * to the land and walks on there. */
static void test_explore_prefers_land_to_open_water(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "explore_shore.db", 1);
    Game *g = f.game;
    const Player *p = game_player(g);
    int32_t x = p->x, y = p->y, z = p->z;
    Err err = {0};
    BlockId water = (BlockId)block_id(&f, "water");
    World *w = game_world(g);
    for (int dz = -44; dz <= 44; dz++)
        for (int dx = -44; dx < 20; dx++)
            if (abs(dx) > 2 || abs(dz) > 2)
                assert_int_equal(world_set_block(w, x + dx, y - 1, z + dz, water, &err), MA_OK);
    /* Fourteen steps, each one east: the walk of the fewest steps to the shore 20 east. */
    int calls = -11;
    TravelHooks hooks = {stop_after, &calls};
    ActionResult r;
    assert_int_equal(game_travel(g, &(TravelTo){.explore = 1}, &hooks, &r, &err), MA_OK);
    assert_int_equal(p->x, x + 14);
    /* Then on to the land and over it. */
    r = th_act(g, "explore");
    assert_string_equal(r.text, "ok");
    assert_true(p->x >= x + 20);
    assert_false(blocks_get(game_blocks(g), world_get_block(w, p->x, p->y, p->z))->liquid);
    th_game_stop(&f);
}

static int stop_quietly(void *ud, const ActionResult *step, char *why, size_t size, int *alarm)
{
    (void)ud, (void)step, (void)why, (void)size, (void)alarm;
    return -1;
}

/* Travel to a cell: there, with its own line; beside it when someone stands on it; stopped by
 * the caller's hook with the caller's words, each step committed. */
static void test_travel_to_a_cell_and_its_stops(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "travel.db", 1);
    Game *g = f.game;
    const Player *p = game_player(g);
    int32_t x = p->x, y = p->y, z = p->z;
    ActionResult r;
    Err err = {0};
    assert_int_equal(game_travel(g, &(TravelTo){0, x + 5, z + 2}, NULL, &r, &err), MA_OK);
    assert_true(r.ok);
    assert_string_equal(r.events[r.n_events - 1].text, "Travelled 5 steps: arrived.");
    assert_int_equal(p->x, x + 5);
    assert_int_equal(p->z, z + 2);
    /* A wall two high on the goal: reached beside it, and said so (it had said "arrived"). */
    BlockId stone = (BlockId)block_id(&f, "stone");
    assert_int_equal(world_set_block(game_world(g), x + 5, y, z + 5, stone, &err), MA_OK);
    assert_int_equal(world_set_block(game_world(g), x + 5, y + 1, z + 5, stone, &err), MA_OK);
    assert_int_equal(game_travel(g, &(TravelTo){0, x + 5, z + 5}, NULL, &r, &err), MA_OK);
    assert_string_equal(r.events[r.n_events - 1].text, "Travelled 2 steps: arrived beside it.");
    assert_int_equal(game_travel(g, &(TravelTo){0, x + 5, z + 2}, NULL, &r, &err), MA_OK);
    /* Edda on the goal: travel ends beside her and says why. */
    th_put_entity(game_world(g), th_villager("villager_goal", "Edda", "farmer", "Gapford"), x + 9, y, z + 2);
    assert_int_equal(world_flush(game_world(g), &err), MA_OK);
    assert_int_equal(game_travel(g, &(TravelTo){0, x + 9, z + 2}, NULL, &r, &err), MA_OK);
    assert_true(r.ok);
    assert_string_equal(r.events[r.n_events - 1].text,
                        "Travelled 3 steps: beside it (blocked: Edda is in the way (talk, or attack)).");
    assert_int_equal(p->x, x + 8);
    /* The hook's stop: three steps, its words, a warning. */
    int calls = 0;
    int32_t z0 = p->z;
    TravelHooks hooks = {stop_after, &calls};
    assert_int_equal(game_travel(g, &(TravelTo){0, x + 8, z + 20}, &hooks, &r, &err), MA_OK);
    assert_true(r.ok);
    assert_int_equal(r.n_events, 1); /* the steps' own events were the hook's */
    assert_string_equal(r.events[0].text, "Travelled 3 steps: enough.");
    assert_int_equal(r.events[0].severity, SEV_WARN);
    assert_int_equal(p->z, z0 + 3); /* each step of the fewest goes one south */
    hooks.step = stop_quietly;
    assert_int_equal(game_travel(g, &(TravelTo){0, x + 8, z + 20}, &hooks, &r, &err), MA_OK);
    assert_int_equal(r.n_events, 0);
    assert_int_equal(p->z, z0 + 4);
    /* Too far, and walled off: refused, nothing moves. */
    assert_int_equal(game_travel(g, &(TravelTo){0, x + 900, z}, NULL, &r, &err), MA_OK);
    assert_false(r.ok);
    assert_non_null(strstr(r.text, "too far to travel at once"));
    assert_int_equal(p->z, z0 + 4);
    /* Farther than an exploring leg (60): to a cell, travel goes the whole way. */
    int32_t from_x = p->x;
    assert_int_equal(game_travel(g, &(TravelTo){0, from_x + 80, p->z}, NULL, &r, &err), MA_OK);
    assert_string_equal(r.events[r.n_events - 1].text, "Travelled 80 steps: arrived.");
    assert_int_equal(game_travel(g, &(TravelTo){0, from_x, p->z}, NULL, &r, &err), MA_OK);
    assert_int_equal(p->x, from_x);
    int32_t left_x = p->x;
    th_game_stop(&f);
    /* Each step was committed: the save has the player where travel left them. */
    start(&f, "travel.db", 0);
    assert_int_equal(game_player(f.game)->x, left_x);
    assert_int_equal(game_player(f.game)->z, z0 + 4);
    th_game_stop(&f);
}

/* A hook that never stops: the client, whose own stops are for what its map shows. */
static int go_on(void *ud, const ActionResult *step, char *why, size_t size, int *alarm)
{
    (void)ud, (void)step, (void)why, (void)size, (void)alarm;
    return 0;
}

/* A wolf 3 east: a script's travel and rest (no hook, no map) are refused with danger near; the
 * client's (a hook) goes, and stops when the wolf strikes: "you are attacked", a warning, with the
 * health left. A wolf 30 east that has not seen the player: travel toward it stops once it is
 * within its sight and 4. */
/* Danger in the same column (a cave under the player) is said to be below, not "to the here, 0
 * away" (seen in a long random script). */
static void test_danger_straight_below_is_said_to_be_below(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "danger_below.db", 1);
    Game *g = f.game;
    const Player *p = game_player(g);
    th_clear_creatures(game_world(g), p->x - 30, p->x + 30, p->y, p->z - 30, p->z + 30);
    th_put_entity(game_world(g), th_creature("skeleton", "c_below", 12), p->x, p->y - 3, p->z);
    Err err = {0};
    assert_int_equal(world_flush(game_world(g), &err), MA_OK);
    ActionResult r = th_act(g, "rest");
    assert_string_equal(r.text, "not with danger near: skeleton below you");
    th_game_stop(&f);
}

static void test_travel_stops_for_danger_and_when_attacked(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "travel_wolf.db", 1);
    Game *g = f.game;
    const Player *p = game_player(g);
    int32_t x = p->x, y = p->y, z = p->z;
    th_put_entity(game_world(g), th_creature("wolf", "c_wolf", 10), x + 3, y, z);
    Err err = {0};
    assert_int_equal(world_flush(game_world(g), &err), MA_OK);
    ActionResult r;
    assert_int_equal(game_travel(g, &(TravelTo){0, x, z + 40}, NULL, &r, &err), MA_OK);
    assert_false(r.ok);
    assert_string_equal(r.text, "not with danger near: wolf to the east, 3 away");
    r = th_act(g, "rest");
    assert_string_equal(r.text, "not with danger near: wolf to the east, 3 away");
    assert_int_equal(p->z, z);
    TravelHooks client = {go_on, NULL};
    assert_int_equal(game_travel(g, &(TravelTo){0, x, z + 40}, &client, &r, &err), MA_OK);
    const GameEvent *last = &r.events[r.n_events - 1];
    char want[80];
    snprintf(want, sizeof want, ": you are attacked (%d/%d health).", p->health, p->max_health);
    assert_non_null(strstr(last->text, want));
    assert_int_equal(last->severity, SEV_WARN);
    assert_true(r.attacked);
    assert_true(abs(p->z - z) < 40);
    th_game_stop(&f);

    start(&f, "travel_far_wolf.db", 1);
    g = f.game;
    p = game_player(g);
    x = p->x, y = p->y, z = p->z;
    th_put_entity(game_world(g), th_creature("wolf", "c_far", 10), x + 30, y, z);
    assert_int_equal(world_flush(game_world(g), &err), MA_OK);
    assert_int_equal(game_travel(g, &(TravelTo){0, x + 25, z}, NULL, &r, &err), MA_OK);
    last = &r.events[r.n_events - 1];
    assert_non_null(strstr(last->text, ": danger near: wolf to the ")); /* it wanders a little */
    assert_non_null(strstr(last->text, ", 14 away.")); /* its sight, 10, and 4 */
    assert_int_equal(last->severity, SEV_WARN);
    assert_true(p->x > x && p->x < x + 25);
    th_game_stop(&f);
}

/* rest (game_rest, as the client's Z): time passes until health and mana are full, ten turns an
 * action; at full health, a hundred turns pass. */
static void test_rest_until_full(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "rest.db", 1);
    const Player *p = game_player(f.game);
    /* Nothing to heal: time passes, a hundred turns. */
    ActionResult r = th_act(f.game, "rest");
    assert_true(r.ok);
    assert_int_equal(r.turns, GAME_REST_IDLE);
    assert_string_equal(r.events[r.n_events - 1].text, "Rested 100 turns.");
    /* Wounded by a fall of six blocks (8 damage): a point comes back every 10 turns. */
    Err err = {0};
    int32_t x = p->x, y = p->y, z = p->z;
    for (int d = 1; d <= 6; d++)
        assert_int_equal(world_set_block(game_world(f.game), x + 1, y - d, z, BLOCK_AIR, &err), MA_OK);
    assert_true(th_act(f.game, "move e").ok);
    int hurt = p->health;
    assert_true(hurt < p->max_health);
    r = th_act(f.game, "rest");
    assert_true(r.ok);
    assert_int_equal(p->health, p->max_health);
    /* Ten turns an action: it stops at the first batch that ends full. */
    assert_true(r.turns >= 10 * (p->max_health - hurt) - 10 && r.turns <= 10 * (p->max_health - hurt) + 10);
    char want[64];
    snprintf(want, sizeof want, "Rested %d turns: health and mana are full.", r.turns);
    assert_string_equal(r.events[r.n_events - 1].text, want);
    th_game_stop(&f);
}

static void test_swim_out_of_a_well(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "well.db", 1);
    const Player *p = game_player(f.game);
    int32_t x = p->x, y = p->y, z = p->z;
    Err err = {0};
    int water = block_id(&f, "water"), stone = block_id(&f, "cobblestone");
    /* A well: water where the player stands, a rim two blocks high all round (its top at the
     * player's head), open above. */
    assert_int_equal(world_set_block(game_world(f.game), x, y, z, (BlockId)water, &err), MA_OK);
    for (int dx = -1; dx <= 1; dx++)
        for (int dz = -1; dz <= 1; dz++)
            if (dx || dz)
                for (int h = 0; h < 2; h++)
                    assert_int_equal(world_set_block(game_world(f.game), x + dx, y + h, z + dz, (BlockId)stone, &err),
                                     MA_OK);
    /* On dry ground the rim is a wall: two blocks are too high to climb. */
    assert_int_equal(world_set_block(game_world(f.game), x, y, z, BLOCK_AIR, &err), MA_OK);
    ActionResult r = th_act(f.game, "move e");
    assert_false(r.ok);
    assert_int_equal(p->y, y);
    /* In the water, under a roof (a block two above the head), there is no way up either. */
    assert_int_equal(world_set_block(game_world(f.game), x, y, z, (BlockId)water, &err), MA_OK);
    assert_int_equal(world_set_block(game_world(f.game), x, y + 3, z, (BlockId)stone, &err), MA_OK);
    r = th_act(f.game, "move e");
    assert_false(r.ok);
    assert_int_equal(p->y, y);
    /* Open above: the player swims up and climbs out onto the rim. */
    assert_int_equal(world_set_block(game_world(f.game), x, y + 3, z, BLOCK_AIR, &err), MA_OK);
    r = th_act(f.game, "move e");
    assert_true(r.ok);
    assert_int_equal(p->x, x + 1);
    assert_int_equal(p->y, y + 2);
    assert_non_null(th_event_with(&r, "swim up and climb out"));
    th_game_stop(&f);
}

static void test_fall_hurts_beyond_three_blocks(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "fall.db", 1);
    const Player *p = game_player(f.game);
    int32_t x = p->x, y = p->y, z = p->z;
    Err err = {0};
    int planks = block_id(&f, "planks");
    /* A staircase up to a ledge six blocks high, then a drop to the east. */
    for (int h = 0; h < 6; h++)
        for (int col = h; col < 6; col++)
            assert_int_equal(world_set_block(game_world(f.game), x + 1 + col, y + h, z, (BlockId)planks, &err), MA_OK);
    for (int i = 0; i < 6; i++)
        assert_string_equal(th_act(f.game, "move e").text, "ok");
    assert_int_equal(p->y, y + 6);
    int before = p->health;
    ActionResult r = th_act(f.game, "move e");
    assert_true(r.ok);
    assert_int_equal(p->y, y);
    assert_int_equal(p->health, before - (6 - 3) * 4);
    char said[96];
    snprintf(said, sizeof said, "You fall 6 blocks: you take 12 damage (%d/%d left).", p->health, p->max_health);
    assert_string_equal(r.events[0].text, said);
    th_game_stop(&f);
}

/* Ground taken away by something other than a step (a story's consequence turning the blocks
 * under the player to air): the player falls at once, not at the next step (they had stood on
 * air, waiting after waiting). */
static void test_ground_taken_away_drops_the_player_at_once(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "floor.db", 1);
    const Player *p = game_player(f.game);
    int32_t x = p->x, y = p->y, z = p->z;
    Err err = {0};
    for (int d = 1; d <= 2; d++)
        assert_int_equal(world_set_block(game_world(f.game), x, y - d, z, 0, &err), MA_OK);
    ActionResult r = th_act(f.game, "wait");
    assert_true(r.ok);
    assert_int_equal(p->y, y - 2);
    assert_non_null(th_event_with(&r, "You jump down 2 blocks."));
    th_game_stop(&f);
}

/* An event too long for its line is cut at a word and says so; it had ended in the middle of a
 * word ("Ilse goes qu", "(Steady guard: +2 melee damage, be"). */
static void test_a_long_event_is_cut_at_a_word_with_an_ellipsis(void **state)
{
    (void)state;
    ActionResult r;
    memset(&r, 0, sizeof r);
    char text[400] = "";
    while (strlen(text) < 300)
        strcat(text, "Ilse goes quietly ");
    game_event(&r, SEV_INFO, "%s", text);
    const char *t = r.events[0].text;
    size_t n = strlen(t);
    assert_true(n < sizeof r.events[0].text);
    assert_string_equal(t + n - 3, "...");
    assert_true(n > 3 && t[n - 4] != ' ');
    /* The word before the ellipsis is whole: the text up to it is a prefix of the words. */
    assert_memory_equal(t, text, n - 3);
    assert_true(text[n - 3] == ' ');
    /* Short ones are as they were, and a cut never splits a UTF-8 character. */
    game_event(&r, SEV_INFO, "%s", "Short.");
    assert_string_equal(r.events[1].text, "Short.");
    char wide[400] = "";
    while (strlen(wide) < 300)
        strcat(wide, "\xc3\xa9");
    game_event(&r, SEV_INFO, "%s", wide);
    t = r.events[2].text;
    n = strlen(t);
    assert_string_equal(t + n - 3, "...");
    assert_int_equal((n - 3) % 2, 0);
}

/* What a wall hides: a wall two high between the player and a cell hides it (a zombie behind a
 * house's wall had kept a rest from starting all night); a wall one high, glass or leaves do not;
 * a door in the wall hides as the wall does. */
static void test_a_wall_two_high_hides_what_is_behind_it(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "sight.db", 1);
    const Player *p = game_player(f.game);
    int32_t x = p->x, y = p->y, z = p->z;
    World *w = game_world(f.game);
    Err err = {0};
    BlockId stone = (BlockId)block_id(&f, "stone"), glass = (BlockId)block_id(&f, "glass");
    assert_true(game_line_of_sight(f.game, x + 5, y, z));
    assert_int_equal(world_set_block(w, x + 2, y, z, stone, &err), MA_OK);
    assert_true(game_line_of_sight(f.game, x + 5, y, z)); /* one high: seen over */
    assert_int_equal(world_set_block(w, x + 2, y + 1, z, stone, &err), MA_OK);
    assert_false(game_line_of_sight(f.game, x + 5, y, z));
    assert_false(game_line_of_sight(f.game, x + 5, y, z + 1)); /* the line still crosses it */
    assert_true(game_line_of_sight(f.game, x + 2, y, z));     /* the wall's own cell is seen */
    assert_true(game_line_of_sight(f.game, x - 5, y, z));     /* the other way is open */
    assert_int_equal(world_set_block(w, x + 2, y + 1, z, glass, &err), MA_OK);
    assert_true(game_line_of_sight(f.game, x + 5, y, z)); /* through glass */
    assert_int_equal(world_set_block(w, x + 2, y, z, (BlockId)block_id(&f, "door"), &err), MA_OK);
    assert_int_equal(world_set_block(w, x + 2, y + 1, z, stone, &err), MA_OK);
    assert_false(game_line_of_sight(f.game, x + 5, y, z)); /* a shut door */
    th_game_stop(&f);
}

/* Time left in game time, as the quest screens say it (they had said "720 turns left"). */
static void test_a_span_of_turns_is_said_in_game_time(void **state)
{
    (void)state;
    char b[48];
    assert_string_equal(calendar_span(720, b, sizeof b), "1 day");
    assert_string_equal(calendar_span(2 * 720 + 120, b, sizeof b), "2 days 4 hours");
    assert_string_equal(calendar_span(30, b, sizeof b), "1 hour");
    assert_string_equal(calendar_span(20, b, sizeof b), "40 minutes");
    assert_string_equal(calendar_span(0, b, sizeof b), "0 minutes");
    assert_string_equal(calendar_span(-5, b, sizeof b), "0 minutes");
}

static void test_dig_gives_the_drop_and_place_uses_it(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "dig.db", 1);
    const Player *p = game_player(f.game);
    int32_t x = p->x, y = p->y, z = p->z;
    assert_string_equal(th_act(f.game, "dig n").text, "nothing to dig");
    ActionResult r = th_act(f.game, "dig down");
    assert_true(r.ok);
    assert_int_equal(p->y, y - 1); /* dropped into the hole */
    Err err = {0};
    cJSON *state_json = game_state_json(f.game, &err);
    char *text = cJSON_PrintUnformatted(state_json);
    assert_non_null(strstr(text, "\"item\":\"dirt\",\"count\":1"));
    cJSON_free(text);
    cJSON_Delete(state_json);
    /* Climb out and fill the hole back with the dirt. */
    assert_string_equal(th_act(f.game, "move n").text, "ok");
    assert_int_equal(p->y, y);
    /* Standing north of the hole, place the dirt into it from above: it lands at
     * feet level ahead only when that cell is open, so dig a step first. */
    r = th_act(f.game, "place s dirt");
    assert_true(r.ok);
    int32_t px = p->x, py = p->y, pz = p->z;
    th_game_stop(&f);
    /* Reopen: the placed dirt is in the save, south of where the player stands. */
    start(&f, "dig.db", 0);
    assert_int_equal(world_get_block(game_world(f.game), px, py, pz + 1), block_id(&f, "dirt"));
    (void)x; (void)z;
    assert_string_equal(th_act(f.game, "place e dirt").text, "you have no dirt");
    th_game_stop(&f);
}

/* Gives the player count of block item `name` in pack slot `slot`. */
static void give_block(Fixture *f, const char *name, int count, int slot)
{
    Err err = {0};
    InventoryRow row;
    memset(&row, 0, sizeof row);
    row.character_id = game_player(f->game)->character_id;
    snprintf(row.item_type, sizeof row.item_type, "block");
    snprintf(row.item_name, sizeof row.item_name, "%s", name);
    row.quantity = count;
    row.slot_position = slot;
    assert_int_equal(inventory_add(f->save, &row, &err), MA_OK);
    inventory_row_clear(&row);
}

/* Building: a second P the same way puts the block at head height (a wall two high); a door or a
 * torch at the feet is dug and comes back (the dig had gone to the air above them: "nothing to
 * dig"), and is never built over; tall grass gives way to a placed block. */
static void test_walls_go_two_high_and_a_door_or_torch_is_dug_back(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "build.db", 1);
    const Player *p = game_player(f.game);
    int32_t x = p->x, y = p->y, z = p->z;
    World *w = game_world(f.game);
    Err err = {0};
    give_block(&f, "door", 1, 30);
    give_block(&f, "torch", 1, 31);
    BlockId planks = (BlockId)block_id(&f, "planks");
    ActionResult r = th_act(f.game, "place n planks");
    assert_string_equal(r.text, "ok");
    r = th_act(f.game, "place n planks");
    assert_string_equal(r.text, "ok");
    assert_non_null(th_event_with(&r, "Placed planks to the north, at head height; 14 left."));
    assert_int_equal(world_get_block(w, x, y, z - 1), planks);
    assert_int_equal(world_get_block(w, x, y + 1, z - 1), planks);
    assert_string_equal(th_act(f.game, "place n planks").text, "blocked: planks in the way, and planks above it");
    /* A door east is two high, as a village's (a wall built over a one-high door left no way
     * through); nothing is built over it; dug, both halves go and one door comes back. */
    int torches = th_item_count(f.game, "torch");
    BlockId door = (BlockId)block_id(&f, "door");
    assert_string_equal(th_act(f.game, "place e door").text, "ok");
    assert_int_equal(th_item_count(f.game, "door"), 0);
    assert_int_equal(world_get_block(w, x + 1, y, z), door);
    assert_int_equal(world_get_block(w, x + 1, y + 1, z), door);
    assert_string_equal(th_act(f.game, "place e torch").text, "blocked: door in the way (dig it first: D)");
    assert_string_equal(th_act(f.game, "move e").text, "ok"); /* through it */
    assert_string_equal(th_act(f.game, "move w").text, "ok");
    r = th_act(f.game, "dig e");
    assert_string_equal(r.text, "ok");
    assert_int_equal(world_get_block(w, x + 1, y, z), BLOCK_AIR);
    assert_int_equal(world_get_block(w, x + 1, y + 1, z), BLOCK_AIR);
    assert_int_equal(th_item_count(f.game, "door"), 1);
    /* Under a lintel (a block at head height already), a door is one high. */
    assert_int_equal(world_set_block(w, x + 1, y + 1, z, planks, &err), MA_OK);
    assert_string_equal(th_act(f.game, "place e door").text, "ok");
    assert_int_equal(world_get_block(w, x + 1, y + 2, z), BLOCK_AIR);
    assert_int_equal(world_get_block(w, x + 1, y + 1, z), planks);
    /* A torch at the feet is dug, not the air above it. */
    assert_string_equal(th_act(f.game, "place w torch").text, "ok");
    assert_string_equal(th_act(f.game, "dig w").text, "ok");
    assert_int_equal(world_get_block(w, x - 1, y, z), BLOCK_AIR);
    assert_int_equal(th_item_count(f.game, "torch"), torches);
    /* Tall grass gives way; a placed torch in the way of a block is never built over. */
    assert_int_equal(world_set_block(w, x, y, z + 1, (BlockId)block_id(&f, "tall_grass"), &err), MA_OK);
    assert_string_equal(th_act(f.game, "place s planks").text, "ok");
    assert_int_equal(world_get_block(w, x, y, z + 1), planks);
    assert_int_equal(world_set_block(w, x - 1, y, z, (BlockId)block_id(&f, "torch"), &err), MA_OK);
    assert_int_equal(world_set_block(w, x - 1, y + 1, z, planks, &err), MA_OK);
    assert_string_equal(th_act(f.game, "place w planks").text, "blocked: torch in the way (dig it first: D)");
    assert_int_equal(world_get_block(w, x - 1, y, z), block_id(&f, "torch"));
    /* A door over a flower: refused, named as players call it (a door had gone up to head height
     * over it, and the doorway stayed open beneath). */
    give_block(&f, "door", 1, 32);
    assert_int_equal(world_set_block(w, x, y, z - 1, (BlockId)block_id(&f, "flower_red"), &err), MA_OK);
    assert_int_equal(world_set_block(w, x, y + 1, z - 1, BLOCK_AIR, &err), MA_OK);
    assert_string_equal(th_act(f.game, "place n door").text, "blocked: red flower in the way (dig it first: D)");
    assert_int_equal(world_get_block(w, x, y + 1, z - 1), BLOCK_AIR);
    th_game_stop(&f);
}

/* Out of a shaft one has dug: a block placed down, onto the floor one stands on, goes under one's
 * feet as one jumps (a player three blocks down had no way up: no step to climb), one level a
 * block, until one walks out at the top; with something solid above one's head it is refused. */
static void test_a_block_placed_down_lifts_you_out_of_a_shaft(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "pillar.db", 1);
    const Player *p = game_player(f.game);
    int32_t x = p->x, y = p->y, z = p->z;
    World *w = game_world(f.game);
    Err err = {0};
    BlockId stone = (BlockId)block_id(&f, "stone"), planks = (BlockId)block_id(&f, "planks");
    /* A shaft three deep in stone, the player at its floor. */
    for (int dy = 1; dy <= 4; dy++)
        for (int dx = -1; dx <= 1; dx++)
            for (int dz = -1; dz <= 1; dz++)
                assert_int_equal(world_set_block(w, x + dx, y - dy, z + dz, dx || dz || dy == 4 ? stone : BLOCK_AIR,
                                                 &err),
                                 MA_OK);
    for (int dx = -1; dx <= 1; dx++)
        for (int dz = -1; dz <= 1; dz++)
            for (int dy = 0; dy <= 3; dy++)
                assert_int_equal(world_set_block(w, x + dx, y + dy, z + dz, BLOCK_AIR, &err), MA_OK);
    assert_string_equal(th_act(f.game, "wait").text, "ok");
    assert_int_equal(game_player(f.game)->y, y - 3); /* fell to the floor */
    assert_string_equal(th_act(f.game, "move e").text, "blocked: stone wall");
    int before = th_item_count(f.game, "planks");
    ActionResult r = th_act(f.game, "place down planks");
    assert_string_equal(r.text, "ok");
    assert_non_null(th_event_with(&r, "You jump and place planks under your feet;"));
    assert_int_equal(game_player(f.game)->y, y - 2);
    assert_int_equal(world_get_block(w, x, y - 3, z), planks);
    assert_string_equal(th_act(f.game, "place down planks").text, "ok");
    assert_string_equal(th_act(f.game, "place down planks").text, "ok");
    assert_int_equal(game_player(f.game)->y, y);
    assert_int_equal(th_item_count(f.game, "planks"), before - 3);
    assert_string_equal(th_act(f.game, "move e").text, "ok"); /* out at the top */
    assert_int_equal(game_player(f.game)->y, y);
    /* Down again, and up the shaft by a ladder: one goes where you stand, the next at your head
     * (one put above the head had left a gap: "no ladder or stairs here"), and < climbs. */
    assert_string_equal(th_act(f.game, "move w").text, "ok");
    for (int dy = 0; dy <= 2; dy++)
        assert_int_equal(world_set_block(w, x, y - 3 + dy, z, BLOCK_AIR, &err), MA_OK);
    assert_string_equal(th_act(f.game, "wait").text, "ok");
    assert_int_equal(game_player(f.game)->y, y - 3);
    give_block(&f, "ladder", 8, 33);
    r = th_act(f.game, "place up ladder");
    assert_string_equal(r.text, "ok");
    assert_non_null(th_event_with(&r, "Placed ladder where you stand (< climbs it)."));
    r = th_act(f.game, "place up ladder");
    assert_non_null(th_event_with(&r, "Placed ladder at your head (< climbs it)."));
    for (int rung = 0; rung < 3; rung++) {
        assert_string_equal(th_act(f.game, "up").text, "ok");
        assert_string_equal(th_act(f.game, "place up ladder").text, "ok");
    }
    assert_int_equal(game_player(f.game)->y, y);
    assert_string_equal(th_act(f.game, "move e").text, "ok"); /* off the ladder onto the ground */
    assert_int_equal(game_player(f.game)->y, y);
    /* A block that is its own drop is taken once in words ("the dirt and take the dirt" before). */
    assert_int_equal(world_set_block(w, x + 2, y, z, (BlockId)block_id(&f, "dirt"), &err), MA_OK);
    r = th_act(f.game, "dig e");
    assert_non_null(th_event_with(&r, "You dig out the dirt and take it."));
    /* Under a low roof there is no room to jump: refused, nothing placed. */
    assert_int_equal(world_set_block(w, x + 1, y + 2, z, stone, &err), MA_OK);
    r = th_act(f.game, "place down planks");
    assert_string_equal(r.text, "no room to climb onto it: stone above your head");
    assert_int_equal(world_get_block(w, x + 1, y, z), BLOCK_AIR);
    assert_int_equal(th_item_count(f.game, "planks"), before - 3);
    th_game_stop(&f);
}

/* The tool that digs wears: stone dug with the warrior's stone pickaxe takes one point off it
 * (it had stayed whole however much it dug), and the right tool is what makes it quick. */
static void test_a_pickaxe_wears_as_it_digs(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "wear.db", 1);
    const Player *p = game_player(f.game);
    World *w = game_world(f.game);
    Err err = {0};
    const char *sql = "SELECT json_extract(item_data, '$.durability') FROM inventory "
                      "WHERE item_name = 'stone_pickaxe'";
    char *before = th_sql_text(th_path(dir, "wear.db"), sql);
    assert_string_equal(before, "132"); /* a new tool: its full measure (data/items.json) */
    free(before);
    for (int i = 1; i <= 3; i++)
        assert_int_equal(world_set_block(w, p->x + i, p->y, p->z, (BlockId)block_id(&f, "stone"), &err), MA_OK);
    ActionResult r = th_act(f.game, "dig e");
    assert_string_equal(r.text, "ok");
    assert_int_equal(r.turns, 1); /* 1.5 s of stone, a third with a pickaxe */
    char *after = th_sql_text(th_path(dir, "wear.db"), sql);
    int now = atoi(after);
    free(after);
    assert_int_equal(now, 132 - 1);
    /* Two more blocks, two more points. */
    assert_string_equal(th_act(f.game, "move e").text, "ok");
    assert_string_equal(th_act(f.game, "dig e").text, "ok");
    char *later = th_sql_text(th_path(dir, "wear.db"), sql);
    assert_int_equal(atoi(later), now - 1);
    free(later);
    th_game_stop(&f);
}

/* The lantern and the reinforced door, which recipes make, are blocks: they are set down, a door
 * is walked through, and both stay in the save, whose chunk (holding blocks the chunk model was
 * not trained on) is stored in the palette form. */
static void test_a_lantern_and_a_reinforced_door_are_set_down_and_kept(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "lantern.db", 1);
    const Player *p = game_player(f.game);
    int32_t x = p->x, y = p->y, z = p->z;
    give_block(&f, "lantern", 2, 30);
    give_block(&f, "reinforced_door", 1, 31);
    assert_string_equal(th_act(f.game, "place n lantern").text, "ok");
    assert_string_equal(th_act(f.game, "place e reinforced_door").text, "ok");
    assert_string_equal(th_act(f.game, "move e").text, "ok"); /* through the door */
    assert_int_equal(p->x, x + 1);
    assert_true(blocks_get(game_blocks(f.game), (BlockId)block_id(&f, "lantern"))->light);
    th_game_stop(&f);
    start(&f, "lantern.db", 0);
    assert_int_equal(world_get_block(game_world(f.game), x, y, z - 1), block_id(&f, "lantern"));
    assert_int_equal(world_get_block(game_world(f.game), x + 1, y, z), block_id(&f, "reinforced_door"));
    th_game_stop(&f);
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT substr(block_data, 1, 11) FROM world_chunks WHERE chunk_x = %d AND chunk_y = %d AND chunk_z = %d",
             chunk_coord(x), chunk_coord(y), chunk_coord(z - 1));
    char *form = th_sql_text(th_path(dir, "lantern.db"), sql);
    assert_non_null(form);
    assert_string_equal(form, "{\"palette\":");
    free(form);
}

static void test_script_runs_and_reports_each_action(void **state)
{
    (void)state;
    const char *db = th_path(dir, "script.db");
    RunResult r = th_run(NULL, "--save", db, "init", NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    Fixture f;
    Err err = {0};
    assert_int_equal(save_open(db, 0, &f.save, &err), MA_OK);
    int64_t id;
    assert_int_equal(world_create(f.save, "flatland", 7, "flat", &id, &err), MA_OK);
    save_close(f.save);
    const char *script = "# a walk\nmove e\n\nmove e   # east again\ndig n\nwait 3\nup\n";
    r = th_run(script, "--save", db, "play", "--script", "-", "--world", "flatland", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "ok\nok\nnothing to dig\nok\nno ladder or stairs here\n"));
    assert_non_null(strstr(r.out, "character: tester (warrior, level 1)"));
    assert_non_null(strstr(r.out, "turns: 5"));
    th_run_free(&r);
    /* The same script again continues the same character. */
    r = th_run("move w\n", "--save", db, "play", "--script", "-", "--json", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"result\":\"ok\""));
    assert_non_null(strstr(r.out, "\"turns\":\t6"));
    th_run_free(&r);
    /* A malformed line stops the run with its number; a script that is a file is checked whole first, so
     * nothing of it is done. */
    r = th_run("move w\nfly up\nmove w\n", "--save", db, "play", "--script", "-", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "line 2"));
    th_run_free(&r);
    r = th_run("", "--save", db, "play", "--script", "-", NULL);
    assert_non_null(strstr(r.out, "turns: 6"));
    th_run_free(&r);
    r = th_run(NULL, "--save", db, "play", NULL);
    assert_int_equal(r.status, 2);
    th_run_free(&r);
    /* --world names a world the save does not have yet: it is made, as the help says, and the
     * next run plays in it again rather than making another. */
    r = th_run("wait\n", "--save", db, "play", "--script", "-", "--world", "Newmoor", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "world: Newmoor\n"));
    th_run_free(&r);
    r = th_run("wait\n", "--save", db, "play", "--script", "-", "--world", "Newmoor", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "world: Newmoor\n"));
    assert_non_null(strstr(r.out, "turns: 2"));
    th_run_free(&r);
    assert_int_equal(th_sql_int(db, "SELECT count(*) FROM worlds WHERE name = 'Newmoor'"), 1);
}

static void test_kill_9_mid_play_keeps_what_was_reported(void **state)
{
    (void)state;
    const char *db = th_path(dir, "kill.db");
    Fixture f;
    start(&f, "kill.db", 1);
    th_game_stop(&f);
    int to_game, from_game;
    pid_t pid = th_spawn(&to_game, &from_game, "--save", db, "play", "--script", "-", "--world", "flatland", NULL);
    const char *steps = "move e\nmove e\ndig down\nmove s\n";
    assert_true(write(to_game, steps, strlen(steps)) > 0);
    /* Wait for the four results, then kill without warning. */
    char buf[256];
    size_t got = 0;
    int lines = 0;
    while (lines < 4 && got < sizeof buf - 1) {
        ssize_t n = read(from_game, buf + got, sizeof buf - 1 - got);
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            lines += buf[got + (size_t)i] == '\n';
        got += (size_t)n;
    }
    buf[got] = '\0';
    assert_int_equal(lines, 4);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    close(to_game);
    close(from_game);

    RunResult r = th_run(NULL, "--save", db, "verify", NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    start(&f, "kill.db", 0);
    const Player *p = game_player(f.game);
    /* Two steps east, a dig down (drop one), a step south climbing back out. */
    assert_int_equal(p->y, SEA_LEVEL + 1);
    assert_int_equal(world_get_block(game_world(f.game), p->x, SEA_LEVEL, p->z - 1), BLOCK_AIR);
    assert_int_equal(game_clock(f.game), 4);
    th_game_stop(&f);
}

static void test_malformed_classes_file_is_refused_with_entry_and_reason(void **state)
{
    (void)state;
    ClassList l;
    Err err = {0};
    const char *bad_stat = "{\"classes\":[{\"name\":\"knight\",\"stats\":{\"health\":10}}]}";
    assert_int_equal(classes_load(bad_stat, strlen(bad_stat), "x/classes.json", &l, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "x/classes.json: class 0 (\"knight\"): stats.mana"));
    const char *not_json = "{\"classes\": [";
    assert_int_equal(classes_load(not_json, strlen(not_json), "x/classes.json", &l, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "not valid JSON"));
    const char *bad_default = "{\"default\":\"bard\",\"classes\":[{\"name\":\"a\",\"stats\":{\"health\":1,\"mana\":1,"
                              "\"strength\":1,\"intelligence\":1,\"dexterity\":1,\"constitution\":1,\"charisma\":1}}]}";
    assert_int_equal(classes_load(bad_default, strlen(bad_default), "x/classes.json", &l, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "unknown class \"bard\""));
    /* Through MAGIC_DATA_DIR, the game refuses to start and says which file. */
    th_write_file(th_path(dir, "classes.json"), not_json, -1);
    setenv("MAGIC_DATA_DIR", dir, 1);
    ClassList d;
    int rc = classes_load_default(&d, &err);
    unsetenv("MAGIC_DATA_DIR");
    assert_int_equal(rc, MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "classes.json"));
    assert_int_equal(classes_load_default(&d, &err), MA_OK);
    assert_true(d.n >= 5);
    /* What the classes name must be in the other books: gear an item of its type, skills known. */
    ItemRegistry *items = NULL;
    SkillBook *skills = NULL;
    assert_int_equal(items_load_default(&items, &err), MA_OK);
    assert_int_equal(skillbook_load_default(&skills, &err), MA_OK);
    assert_int_equal(classes_check_refs(&d, items, skills, &err), MA_OK); /* the shipped file */
    ClassGear keep = d.classes[0].gear[0];
    snprintf(d.classes[0].gear[0].item, sizeof d.classes[0].gear[0].item, "unobtainium");
    assert_int_equal(classes_check_refs(&d, items, skills, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "gear \"unobtainium\" is not an item of items.json"));
    d.classes[0].gear[0] = keep;
    snprintf(d.classes[0].gear[0].type, sizeof d.classes[0].gear[0].type, "potion");
    assert_int_equal(classes_check_refs(&d, items, skills, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "says type \"potion\"; items.json says"));
    d.classes[0].gear[0] = keep;
    cJSON_AddNumberToObject(d.classes[0].skills, "basketweaving", 1);
    assert_int_equal(classes_check_refs(&d, items, skills, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "skill \"basketweaving\" is not a skill of skills.json"));
    items_free(items);
    skillbook_free(skills);
    classes_free(&d);
}

static void test_dying_wakes_beside_the_bed_and_leaves_the_pack(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "bed.db", 1);
    const Player *p = game_player(f.game);
    int32_t x = p->x, y = p->y, z = p->z;
    Err err = {0};
    give_block(&f, "bed", 1, 35);
    ActionResult r = th_act(f.game, "place e bed");
    assert_true(r.ok);
    assert_non_null(th_event_with(&r, "You make your bed here: if you fall, you will wake beside it."));
    /* A deep pit three steps west, and the hero at 1 health. */
    for (int d = 1; d <= 8; d++)
        assert_int_equal(world_set_block(game_world(f.game), x - 3, y - d, z, BLOCK_AIR, &err), MA_OK);
    assert_int_equal(world_flush(game_world(f.game), &err), MA_OK);
    int64_t id = p->character_id;
    th_game_stop(&f);
    Save *s = NULL;
    assert_int_equal(save_open(th_path(dir, "bed.db"), 0, &s, &err), MA_OK);
    CharacterRow c;
    assert_int_equal(characters_get(s, id, &c, &err), MA_OK);
    cJSON_ReplaceItemInObject(c.stats, "health", cJSON_CreateNumber(1));
    assert_int_equal(characters_update(s, &c, &err), MA_OK);
    character_row_clear(&c);
    save_close(s);
    start(&f, "bed.db", 0);
    p = game_player(f.game);
    th_act(f.game, "move w");
    th_act(f.game, "move w");
    r = th_act(f.game, "move w");
    int died = 0, woke = 0;
    for (int i = 0; i < r.n_events; i++) {
        died |= strstr(r.events[i].text, "and die") != NULL;
        woke |= strstr(r.events[i].text, "You wake beside your bed") != NULL;
    }
    assert_true(died);
    assert_true(woke);
    /* Beside the bed (one step east of the start), not at the world spawn. */
    assert_true(abs(p->x - (x + 1)) <= 1 && abs(p->z - z) <= 1);
    assert_int_equal(p->health, p->max_health);
    th_game_stop(&f);
}

static int count_keys(const char *key, const char *value, void *ud)
{
    (void)key;
    (void)value;
    (*(int *)ud)++;
    return 0;
}

static void test_character_state_and_transfer_log_round_trip(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "state.db", 1);
    Err err = {0};
    int64_t id = game_player(f.game)->character_id;
    char buf[64];
    assert_int_equal(charstate_get(f.save, id, "flag", "met_elder", buf, sizeof buf, &err), MA_ERR_NOT_FOUND);
    assert_int_equal(charstate_set(f.save, id, "flag", "met_elder", "yes", &err), MA_OK);
    assert_int_equal(charstate_set(f.save, id, "flag", "met_elder", "twice", &err), MA_OK);
    assert_int_equal(charstate_get(f.save, id, "flag", "met_elder", buf, sizeof buf, &err), MA_OK);
    assert_string_equal(buf, "twice");
    assert_int_equal(charstate_set(f.save, id, "recipe", "torch", "", &err), MA_OK);
    int64_t v = 0;
    assert_int_equal(charstate_add(f.save, id, "wolves_slain", 3, &v, &err), MA_OK);
    assert_int_equal(charstate_add(f.save, id, "wolves_slain", 4, &v, &err), MA_OK);
    assert_int_equal(v, 7);
    int flags = 0;
    assert_int_equal(charstate_each(f.save, id, "flag", count_keys, &flags, &err), MA_OK);
    assert_int_equal(flags, 1);
    assert_int_equal(charstate_set(f.save, id, "nonsense", "k", "v", &err), MA_ERR_CONSTRAINT);
    assert_int_equal(transfers_log(f.save, 0, id, "gold_coin", 5, "loot", 0, &err), MA_OK);
    assert_int_equal(transfers_log(f.save, id, 0, "gold_coin", 0, "drop", 0, &err), MA_ERR_CONSTRAINT);
    int64_t n = 0;
    assert_int_equal(transfers_count(f.save, id, &n, &err), MA_OK);
    assert_int_equal(n, 1);
    th_game_stop(&f);
}

/* A chunk the save cannot decode is never played as air: the action that
 * needs it is refused with the chunk named, nothing of it is kept, and
 * play --script stops with a failure. */
static void test_a_broken_chunk_is_an_error_not_air(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "broken.db", 1);
    const Player *p = game_player(f.game);
    int32_t x = p->x, y = p->y, z = p->z;
    int64_t clock = game_clock(f.game);
    th_game_stop(&f);
    /* The chunk under the player's feet, damaged in the save. */
    Save *s = NULL;
    Err err = {0};
    assert_int_equal(save_open(th_path(dir, "broken.db"), 0, &s, &err), MA_OK);
    const char junk[] = "{\"palette\": [\"no_such_block\"]}";
    int64_t version = 0;
    assert_int_equal(chunks_put(s, 1, chunk_coord(x), chunk_coord(y - 1), chunk_coord(z), junk, sizeof junk - 1, "[]",
                                &version, &err),
                     MA_OK);
    save_close(s);

    start(&f, "broken.db", 0);
    Action a;
    assert_int_equal(action_parse("dig down", &a, &err), 1);
    ActionResult r;
    int rc = game_apply(f.game, &a, &r, &err);
    assert_int_not_equal(rc, MA_OK);
    if (!strstr(err.msg, "world 'flatland'") || !strstr(err.msg, "not saved"))
        fail_msg("the message does not name the world and say nothing was saved: %s", err.msg);
    assert_int_equal(game_clock(f.game), clock);
    assert_int_equal(game_player(f.game)->y, y);
    th_game_stop(&f);

    RunResult run = th_run("dig down\n", "--save", th_path(dir, "broken.db"), "play", "--script", "-", "--world",
                           "flatland", NULL);
    assert_int_equal(run.status, 1);
    assert_null(strstr(run.out, "nothing to dig"));
    assert_non_null(strstr(run.err, "not saved"));
    th_run_free(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_is_saved_before_the_next_action),
        cmocka_unit_test(test_climb_one_block_but_not_two),
        cmocka_unit_test(test_down_a_ladder_and_up_to_its_top_and_off),
        cmocka_unit_test(test_a_long_event_is_cut_at_a_word_with_an_ellipsis),
        cmocka_unit_test(test_ground_taken_away_drops_the_player_at_once),
        cmocka_unit_test(test_swim_out_of_a_well),
        cmocka_unit_test(test_a_planned_step_is_the_step),
        cmocka_unit_test(test_a_walk_does_not_attack_a_creature_in_its_way),
        cmocka_unit_test(test_walk_goes_round_a_wall),
        cmocka_unit_test(test_walk_goes_round_someone_standing_in_the_way),
        cmocka_unit_test(test_explore_walks_to_ground_not_seen_yet),
        cmocka_unit_test(test_explore_prefers_land_to_open_water),
        cmocka_unit_test(test_travel_to_a_cell_and_its_stops),
        cmocka_unit_test(test_travel_stops_for_danger_and_when_attacked),
        cmocka_unit_test(test_rest_until_full),
        cmocka_unit_test(test_fall_hurts_beyond_three_blocks),
        cmocka_unit_test(test_a_span_of_turns_is_said_in_game_time),
        cmocka_unit_test(test_a_wall_two_high_hides_what_is_behind_it),
        cmocka_unit_test(test_dig_gives_the_drop_and_place_uses_it),
        cmocka_unit_test(test_walls_go_two_high_and_a_door_or_torch_is_dug_back),
        cmocka_unit_test(test_a_block_placed_down_lifts_you_out_of_a_shaft),
        cmocka_unit_test(test_a_pickaxe_wears_as_it_digs),
        cmocka_unit_test(test_a_lantern_and_a_reinforced_door_are_set_down_and_kept),
        cmocka_unit_test(test_script_runs_and_reports_each_action),
        cmocka_unit_test(test_kill_9_mid_play_keeps_what_was_reported),
        cmocka_unit_test(test_malformed_classes_file_is_refused_with_entry_and_reason),
        cmocka_unit_test(test_character_state_and_transfer_log_round_trip),
        cmocka_unit_test(test_a_broken_chunk_is_an_error_not_air),
        cmocka_unit_test(test_dying_wakes_beside_the_bed_and_leaves_the_pack),
        cmocka_unit_test(test_planning_a_walk_over_open_ground_reaches_every_cell_once),
        cmocka_unit_test(test_a_long_refusal_is_cut_at_a_word_with_an_ellipsis),
        cmocka_unit_test(test_danger_straight_below_is_said_to_be_below),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
