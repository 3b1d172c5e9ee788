/* game_physics.c — the player in the blocks: the two cells the player occupies (feet at y, head
 * at y+1), stepping, climbing one block with head room, ladders and stairs, falling until
 * something holds (more than three blocks hurts), digging and placing. game_apply (game.c) calls
 * these inside the action's transaction. */
#include "game/game.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/achieve.h"
#include "game/calendar.h"
#include "game/game_internal.h"
#include "game/game_travel.h"
#include "game/inventory.h"
#include "game/npc.h"
#include "game/quest.h"
#include "game/story.h"
#include "save/charstate.h"
#include "save/events.h"
#include "save/evolution.h"
#include "save/skills.h"
#include "save/users.h"
#include "save/worlds.h"
#include "util/prng.h"

static const BlockDef *def_at(Game *g, int32_t x, int32_t y, int32_t z)
{
    return blocks_get(g->blocks, world_get_block(g->world, x, y, z));
}

static int is_solid(Game *g, int32_t x, int32_t y, int32_t z) { return def_at(g, x, y, z)->solid; }
/* A block may be placed here: air, a liquid, or something replaceable (tall grass). */
static int place_free(Game *g, int32_t x, int32_t y, int32_t z)
{
    const BlockDef *d = def_at(g, x, y, z);
    return world_get_block(g->world, x, y, z) == BLOCK_AIR || d->liquid || d->replaceable;
}

static int holds_on(Game *g, int32_t x, int32_t y, int32_t z)
{
    BlockId id = world_get_block(g->world, x, y, z);
    return id == g->ladder || blocks_get(g->blocks, id)->climbable;
}

static int is_stairs(Game *g, int32_t x, int32_t y, int32_t z)
{
    return world_get_block(g->world, x, y, z) == g->stairs;
}

/* ------------------------------------------------------------ damage and falling */

void game_hurt(Game *g, int amount, const char *cause, ActionResult *r)
{
    g->p.health -= amount;
    if (g->p.health > 0) {
        game_event(r, SEV_BAD, "%s: you take %d damage (%d/%d left).", cause, amount, g->p.health, g->p.max_health);
        return;
    }
    game_event(r, SEV_BAD, "%s: you take %d damage and die.", cause, amount);
    g->died = 1;
    g->died_at[0] = g->p.x;
    g->died_at[1] = g->p.y;
    g->died_at[2] = g->p.z;
    g->p.health = g->p.max_health;
    g->p.x = g->spawn[0];
    g->p.y = g->spawn[1];
    g->p.z = g->spawn[2];
    game_event(r, SEV_WARN, "You wake at the world spawn (%d, %d, %d), whole again.", g->p.x, g->p.y, g->p.z);
}

/* Where a fall from (x, y, z) ends: the level in *y, the blocks fallen in *dist; 1 when it ends
 * in a liquid (which breaks the fall). Changes nothing. */
static int fall_from(Game *g, int32_t x, int32_t *y, int32_t z, int *dist)
{
    *dist = 0;
    while (*y > 0 && !holds_on(g, x, *y, z) && !def_at(g, x, *y, z)->liquid) {
        const BlockDef *below = def_at(g, x, *y - 1, z);
        if (below->solid)
            break;
        (*y)--;
        (*dist)++;
        if (below->liquid)
            return 1;
    }
    return 0;
}

/* Drops the player until something holds them. */
void game_fall(Game *g, ActionResult *r)
{
    int dist = 0;
    int32_t y = g->p.y;
    int splash = fall_from(g, g->p.x, &y, g->p.z, &dist);
    g->p.y = y;
    if (splash) {
        if (dist > 1)
            game_event(r, SEV_INFO, "You splash into the water.");
        return;
    }
    if (dist > 3) {
        char cause[64];
        snprintf(cause, sizeof cause, "You fall %d blocks", dist);
        game_hurt(g, (dist - 3) * 4, cause, r);
    } else if (dist > 1) {
        game_event(r, SEV_INFO, "You jump down %d blocks.", dist);
    }
}

/* ------------------------------------------------------------ actions */

int game_fits(Game *g, int32_t x, int32_t y, int32_t z)
{
    return !is_solid(g, x, y, z) && !is_solid(g, x, y + 1, z);
}

/* Why a step from the player's cell to (x, y, z) cannot be taken, in the words of what is in the
 * way: a wall two high, something at head height over open ground, or a block one could climb
 * but for the one above the player's own head. */
static void blocked_by(Game *g, ActionResult *r, int32_t x, int32_t y, int32_t z)
{
    char name[40];
    BlockId feet = world_get_block(g->world, x, y, z), head = world_get_block(g->world, x, y + 1, z);
    if (!blocks_get(g->blocks, feet)->solid) {
        game_refuse(r, "blocked: %s at head height", game_block_label(g, head, name, sizeof name));
        return;
    }
    if (!blocks_get(g->blocks, head)->solid && is_solid(g, g->p.x, y + 2, g->p.z)) {
        char above[40];
        game_refuse(r, "blocked: no room to climb onto the %s (%s above your head)",
                    game_block_label(g, feet, name, sizeof name),
                    game_block_label(g, world_get_block(g->world, g->p.x, y + 2, g->p.z), above, sizeof above));
        return;
    }
    game_refuse(r, "blocked: %s wall", game_block_label(g, blocks_get(g->blocks, head)->solid ? head : feet, name,
                                                         sizeof name));
}

/* How a step from (x, y, z) in direction d goes, before any fall: STEP_BLOCKED, or the way and
 * the level it reaches in *ny. One rule for the move itself and for planning a walk. */
enum { STEP_BLOCKED, STEP_WALK, STEP_CLIMB, STEP_SWIM_OUT };
static int step_rule(Game *g, int32_t x, int32_t y, int32_t z, int32_t tx, int32_t tz, int32_t *ny)
{
    *ny = y;
    if (game_fits(g, tx, y, tz))
        return STEP_WALK;
    if (is_solid(g, tx, y, tz) && game_fits(g, tx, y + 1, tz) && !is_solid(g, x, y + 2, z)) {
        *ny = y + 1;
        return STEP_CLIMB;
    }
    /* In water one swims up and climbs out over a ledge two blocks up (a well's rim, a
     * channel's wall), as in Minecraft: without it a well would be a trap. */
    if (def_at(g, x, y, z)->liquid && is_solid(g, tx, y + 1, tz) && game_fits(g, tx, y + 2, tz) &&
        game_fits(g, x, y + 2, z)) {
        *ny = y + 2;
        return STEP_SWIM_OUT;
    }
    return STEP_BLOCKED;
}

int game_step_to(Game *g, int32_t x, int32_t y, int32_t z, Dir d, int32_t to[3], int *fall, int *into_liquid)
{
    int dx, dz;
    dir_delta(d, &dx, &dz);
    int32_t ny;
    if (step_rule(g, x, y, z, x + dx, z + dz, &ny) == STEP_BLOCKED)
        return 0;
    int dist = 0;
    int liquid = fall_from(g, x + dx, &ny, z + dz, &dist);
    to[0] = x + dx;
    to[1] = ny;
    to[2] = z + dz;
    if (fall)
        *fall = dist;
    if (into_liquid)
        *into_liquid = liquid || def_at(g, x + dx, ny, z + dz)->liquid;
    return 1;
}

void game_do_move(Game *g, Dir d, ActionResult *r)
{
    int dx, dz;
    dir_delta(d, &dx, &dz);
    int32_t tx = g->p.x + dx, tz = g->p.z + dz, y = g->p.y, ny;
    int how = step_rule(g, g->p.x, y, g->p.z, tx, tz, &ny);
    if (how == STEP_BLOCKED) {
        blocked_by(g, r, tx, y, tz);
        return;
    }
    g->p.x = tx;
    g->p.z = tz;
    g->p.y = ny;
    if (how == STEP_SWIM_OUT)
        game_event(r, SEV_INFO, "You swim up and climb out of the water.");
    r->ok = 1;
    game_pass_time(g, 1, r);
    game_fall(g, r);
}

void game_do_up(Game *g, ActionResult *r)
{
    int32_t x = g->p.x, y = g->p.y, z = g->p.z;
    int on_way = holds_on(g, x, y, z) || holds_on(g, x, y + 1, z) || is_stairs(g, x, y, z);
    if (!on_way) {
        game_refuse(r, "no ladder or stairs here");
        return;
    }
    if (is_solid(g, x, y + 2, z) && !holds_on(g, x, y + 2, z)) {
        char name[40];
        game_refuse(r, "blocked: %s above", game_block_label(g, world_get_block(g->world, x, y + 2, z), name, sizeof name));
        return;
    }
    /* At the top of a ladder one more rung up would hold nothing, and the player would drop back
     * onto it: the way on is a step to the side. */
    if (!is_stairs(g, x, y, z) && !holds_on(g, x, y + 1, z) && !is_solid(g, x, y, z)) {
        game_refuse(r, "the top of the ladder: step off it to the side (a direction) onto the ground");
        return;
    }
    g->p.y++;
    r->ok = 1;
    game_pass_time(g, 1, r);
}

void game_do_down(Game *g, ActionResult *r)
{
    int32_t x = g->p.x, y = g->p.y, z = g->p.z;
    if (!holds_on(g, x, y - 1, z) && !is_stairs(g, x, y - 1, z) && !holds_on(g, x, y, z)) {
        game_refuse(r, "no ladder or stairs down here");
        return;
    }
    if (is_solid(g, x, y - 1, z) && !is_stairs(g, x, y - 1, z) && !holds_on(g, x, y - 1, z)) {
        char name[40];
        game_refuse(r, "blocked: %s below", game_block_label(g, world_get_block(g->world, x, y - 1, z), name, sizeof name));
        return;
    }
    g->p.y--;
    r->ok = 1;
    game_pass_time(g, 1, r);
}

static int opaque_at(Game *g, int32_t x, int32_t y, int32_t z)
{
    BlockId id = world_get_block(g->world, x, y, z);
    const BlockDef *d = blocks_get(g->blocks, id);
    return id != BLOCK_AIR && !d->transparent && !d->liquid;
}

int game_line_of_sight(Game *g, int32_t x, int32_t y, int32_t z)
{
    (void)y;
    int32_t x0 = g->p.x, z0 = g->p.z;
    int32_t dx = x > x0 ? x - x0 : x0 - x, dz = z > z0 ? z - z0 : z0 - z;
    int sx = x > x0 ? 1 : -1, sz = z > z0 ? 1 : -1;
    int64_t e = (int64_t)dx - dz;
    int32_t cx = x0, cz = z0;
    for (int steps = 0; steps < 512 && (cx != x || cz != z); steps++) {
        int64_t e2 = 2 * e;
        if (e2 > -(int64_t)dz) {
            e -= dz;
            cx += sx;
        }
        if (e2 < dx) {
            e += dx;
            cz += sz;
        }
        if (cx == x && cz == z)
            break; /* the cell looked at may itself be solid (a creature on a ledge) */
        if (opaque_at(g, cx, g->p.y, cz) && opaque_at(g, cx, g->p.y + 1, cz))
            return 0;
    }
    return 1;
}

/* The cell an action in direction d works on: for compass directions the
 * feet-level cell ahead (or the head-level one when prefer_head). */
static void target_cell(Game *g, Dir d, int head, int32_t *x, int32_t *y, int32_t *z)
{
    int dx, dz;
    dir_delta(d, &dx, &dz);
    *x = g->p.x + dx;
    *z = g->p.z + dz;
    *y = d == DIR_UP ? g->p.y + 2 : d == DIR_DOWN ? g->p.y - 1 : g->p.y + (head ? 1 : 0);
}

int game_do_dig(Game *g, Dir d, ActionResult *r, Err *err)
{
    int32_t x, y, z;
    target_cell(g, d, 0, &x, &y, &z);
    BlockId id = world_get_block(g->world, x, y, z);
    if (d < DIR_UP && (id == BLOCK_AIR || blocks_get(g->blocks, id)->liquid)) {
        /* Nothing at the feet: dig what is at head height instead. A door, a torch or a ladder
         * at the feet is dug (they are not solid, and had sent the dig to the air above them). */
        target_cell(g, d, 1, &x, &y, &z);
        id = world_get_block(g->world, x, y, z);
    }
    const BlockDef *def = blocks_get(g->blocks, id);
    char name[40];
    game_block_label(g, id, name, sizeof name);
    if (id == BLOCK_AIR) {
        game_refuse(r, "nothing to dig");
        return MA_OK;
    }
    if (def->liquid) {
        game_refuse(r, "nothing to dig: %s", name);
        return MA_OK;
    }
    if (def->hardness < 0) {
        game_refuse(r, "cannot dig %s", name);
        return MA_OK;
    }
    if (y < 0 || y >= WORLD_HEIGHT) {
        game_refuse(r, "nothing to dig");
        return MA_OK;
    }
    /* Time: hardness in seconds by hand; the right tool is three times faster,
     * the wrong one (or none) half as fast again. A turn is about a second of work. */
    double secs = def->hardness;
    char tool[64] = "";
    if (def->tool[0])
        secs = game_find_tool(g, def->tool, tool, sizeof tool, err) ? secs / 3.0 : secs * 1.5;
    secs /= progress_mining_speed(g);
    int turns = (int)ceil(secs);
    if (turns < 1)
        turns = 1;
    int rc = world_set_block(g->world, x, y, z, BLOCK_AIR, err);
    /* A block an agent had set, changed by hand: the evolution log's rollback and verify know why. */
    if (rc == MA_OK)
        rc = evolution_things_player_block(g->save, g->p.world_id, x, y, z, g->clock, err);
    /* A door is two high: its other half goes with it (one door comes back). */
    for (int h = -1; def->tall && h <= 1 && rc == MA_OK; h += 2)
        if (y + h >= 0 && y + h < WORLD_HEIGHT && world_get_block(g->world, x, y + h, z) == id) {
            rc = world_set_block(g->world, x, y + h, z, BLOCK_AIR, err);
            if (rc == MA_OK)
                rc = evolution_things_player_block(g->save, g->p.world_id, x, y + h, z, g->clock, err);
            break;
        }
    if (rc != MA_OK)
        return rc;
    if (def->drop[0]) {
        const char *type = blocks_find(g->blocks, def->drop) >= 0 ? "block" : "material";
        int count = def->drop_count > 0 ? def->drop_count : 1;
        int left = game_give_item(g, def->drop, type, count, err);
        if (left < 0)
            return left;
        char dropname[80];
        if (count > 1)
            items_count_words(g->items, def->drop, count, dropname, sizeof dropname); /* "4 snowballs" */
        else
            items_noun(g->items, def->drop, 1, dropname, sizeof dropname);
        if (left >= count)
            game_event(r, SEV_WARN, "Your pack is full; the %s %s lost.", dropname, count > 1 ? "are" : "is");
        else if (left > 0)
            game_event(r, SEV_WARN, "You dig out the %s and take what your pack holds: %d of %s are lost.", name,
                       left, dropname);
        else if (count == 1 && strcmp(def->drop, def->name) == 0) /* not "the oak log and take the oak log" */
            game_event(r, SEV_GOOD, "You dig out the %s and take it.", name);
        else
            game_event(r, SEV_GOOD, "You dig out the %s and take %s%s.", name, count > 1 ? "" : "the ", dropname);
    } else {
        game_event(r, SEV_INFO, "You clear away the %s.", name);
    }
    /* The tool that did the work wears by one (a pickaxe had stayed at 60/60 however much it dug);
     * worn out, it breaks and says so. */
    if (tool[0] && (rc = inventory_wear(g, tool, 1, r, err)) != MA_OK)
        return rc;
    /* Stone and ore (pickaxe work) train mining, harder blocks more. */
    if (strcmp(def->tool, "pickaxe") == 0 &&
        (rc = progress_skill_use(g, "mining", (int)ceil(def->hardness), r, err)) != MA_OK)
        return rc;
    r->ok = 1;
    game_pass_time(g, turns, r);
    game_fall(g, r);
    return MA_OK;
}

/* "to the east", "above you": where something was put, in words. */
static const char *dir_words(Dir d)
{
    static const char *const words[DIR_COUNT] = {"to the north", "to the north-east", "to the east",
                                                 "to the south-east", "to the south", "to the south-west",
                                                 "to the west", "to the north-west", "above you", "below you"};
    return d >= 0 && d < DIR_COUNT ? words[d] : "here";
}

int game_do_place(Game *g, Dir d, const char *want, ActionResult *r, Err *err)
{
    /* A copy: the hand is written below, and the item may be the hand itself. */
    char item[sizeof g->p.hand];
    snprintf(item, sizeof item, "%s", want && want[0] ? want : g->p.hand);
    if (!item[0]) {
        game_refuse(r, "nothing in hand to place");
        return MA_OK;
    }
    int id = blocks_find(g->blocks, item);
    if (id <= 0) {
        game_refuse(r, "cannot place %s: it is not a block", item);
        return MA_OK;
    }
    int have = game_item_count(g, item, err);
    if (have < 0)
        return err->code;
    if (have == 0) {
        game_refuse(r, "you have no %s", item);
        return MA_OK;
    }
    int32_t x, y, z;
    target_cell(g, d, 0, &x, &y, &z);
    if (y < 0 || y >= WORLD_HEIGHT) {
        game_refuse(r, "cannot build beyond the world");
        return MA_OK;
    }
    /* The feet-level cell ahead, or, when something stands there, the one above it: a second P the
     * same way raises a wall two high. A block goes only where there is air, a liquid, or tall grass
     * (replaceable): a door or a torch is dug first, never built over and lost. */
    int head = 0, under = 0, own = 0;
    const BlockDef *def = blocks_get(g->blocks, (BlockId)id);
    /* Only over something solid: a block set above a flower or a torch had left the gap at the feet
     * open (a door "placed" so stood over a flower, and the doorway stayed open); a door, two
     * high, never goes at head height. */
    if (!place_free(g, x, y, z) && is_solid(g, x, y, z) && !def->tall && d < DIR_UP && y + 1 < WORLD_HEIGHT &&
        place_free(g, x, y + 1, z)) {
        y++;
        head = 1;
    }
    /* Down onto something solid: a solid block goes where one stands and one jumps onto it, the way
     * out of a shaft one has dug (a player down one had no step to climb). */
    /* A ladder up or down goes into one's own column, feet first, then head height: a ladder is
     * climbed from inside it, and one put above the head had left a gap no one could climb. */
    if (def->climbable && (d == DIR_UP || d == DIR_DOWN) && !under) {
        if (place_free(g, g->p.x, g->p.y, g->p.z)) {
            y = g->p.y;
            own = 1;
        } else if (d == DIR_UP && g->p.y + 1 < WORLD_HEIGHT && place_free(g, g->p.x, g->p.y + 1, g->p.z)) {
            y = g->p.y + 1;
            own = 1;
        }
    }
    if (!own && d == DIR_DOWN && def->solid && !place_free(g, x, y, z) && place_free(g, g->p.x, g->p.y, g->p.z)) {
        if (g->p.y + 2 < WORLD_HEIGHT && !is_solid(g, g->p.x, g->p.y + 2, g->p.z)) {
            y = g->p.y;
            under = 1;
        } else {
            char name[40];
            game_refuse(r, "no room to climb onto it: %s above your head",
                        game_block_label(g, world_get_block(g->world, g->p.x, g->p.y + 2, g->p.z), name,
                                         sizeof name));
            return MA_OK;
        }
    }
    if (!place_free(g, x, y, z)) {
        char name[40];
        BlockId there = world_get_block(g->world, x, y, z);
        game_block_label(g, there, name, sizeof name);
        char above[40];
        if (is_solid(g, x, y, z) && d < DIR_UP && !under && !own && y + 1 < WORLD_HEIGHT && !place_free(g, x, y + 1, z))
            /* Both cells taken: the one at head height is named too (a chest there had gone unsaid:
             * "blocked: grass is there"). */
            game_refuse(r, "blocked: %s in the way, and %s above it", name,
                        game_block_label(g, world_get_block(g->world, x, y + 1, z), above, sizeof above));
        else if (is_solid(g, x, y, z))
            game_refuse(r, "blocked: %s in the way", name);
        else
            game_refuse(r, "blocked: %s in the way (dig it first: D)", name);
        return MA_OK;
    }
    int rc = world_set_block(g->world, x, y, z, (BlockId)id, err);
    if (rc == MA_OK)
        rc = evolution_things_player_block(g->save, g->p.world_id, x, y, z, g->clock, err);
    /* A door is two high, as a village's are: one placed fills the cell above too when it is free
     * (a wall built over a one-high door had left no way through). */
    if (rc == MA_OK && def->tall && !head && !under && y + 1 < WORLD_HEIGHT &&
        place_free(g, x, y + 1, z)) {
        rc = world_set_block(g->world, x, y + 1, z, (BlockId)id, err);
        if (rc == MA_OK)
            rc = evolution_things_player_block(g->save, g->p.world_id, x, y + 1, z, g->clock, err);
    }
    if (rc == MA_OK)
        rc = game_take_item(g, item, 1, err);
    if (rc == MA_OK && strcmp(item, "bed") == 0) {
        /* A bed is where one wakes after dying. */
        char at[48];
        snprintf(at, sizeof at, "%d,%d,%d", x, y, z);
        rc = charstate_set(g->save, g->p.character_id, "flag", "bed", at, err);
        if (rc == MA_OK)
            game_event(r, SEV_GOOD, "You make your bed here: if you fall, you will wake beside it.");
    }
    if (rc != MA_OK)
        return rc;
    /* The hand keeps the block while any is left, so that the next P places another. */
    if (have > 1)
        snprintf(g->p.hand, sizeof g->p.hand, "%s", item);
    else if (strcmp(g->p.hand, item) == 0)
        g->p.hand[0] = '\0';
    char label[64];
    items_title_words(g->items, item, label, sizeof label);
    if (under)
        g->p.y++;
    if (under && have > 1)
        game_event(r, SEV_INFO, "You jump and place %s under your feet; %d left.", label, have - 1);
    else if (under)
        game_event(r, SEV_WARN, "You jump and place your last %s under your feet.", label);
    else if (own)
        game_event(r, have > 1 ? SEV_INFO : SEV_WARN, "Placed %s%s %s (< climbs it).", have > 1 ? "" : "your last ",
                   label, y == g->p.y ? "where you stand" : "at your head");
    else if (have > 1)
        game_event(r, SEV_INFO, "Placed %s %s%s; %d left.", label, dir_words(d), head ? ", at head height" : "",
                   have - 1);
    else
        game_event(r, SEV_WARN, "Placed your last %s %s%s.", label, dir_words(d), head ? ", at head height" : "");
    r->ok = 1;
    game_pass_time(g, 1, r);
    return MA_OK;
}

/* After a death: wake beside one's bed when it still stands (game_hurt has
 * already put the player at the world spawn). */
