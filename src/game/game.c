/* game.c — starting a game and carrying out actions.
 *
 * Physics in blocks: the player occupies two cells (feet at y, head at y+1).
 * Moving steps into the next column when both cells are free, climbs one
 * block when the feet cell is solid and there is head room, and then falls
 * until something solid, a liquid or a ladder is underfoot (more than three
 * blocks hurts). Every action is one transaction (see game_apply), ending with
 * the changed chunks, the character row and the world clock. */
#include "game/game.h"

#include "game/game_internal.h"
#include "game/achieve.h"
#include "game/inventory.h"
#include "game/npc.h"
#include "game/quest.h"
#include "game/story.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/calendar.h"
#include "save/charstate.h"
#include "save/events.h"
#include "save/evolution.h"
#include "save/skills.h"
#include "save/users.h"
#include "save/worlds.h"
#include "util/prng.h"



/* ------------------------------------------------------------ helpers */

void game_event(ActionResult *r, Severity sev, const char *fmt, ...)
{
    if (r->n_events >= GAME_MAX_EVENTS)
        return;
    GameEvent *e = &r->events[r->n_events++];
    e->severity = sev;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    va_end(ap);
}

void game_refuse(ActionResult *r, const char *fmt, ...)
{
    r->ok = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->text, sizeof r->text, fmt, ap);
    va_end(ap);
}

const char *game_block_label(const Game *g, BlockId id, char *buf, size_t size)
{
    snprintf(buf, size, "%s", blocks_get(g->blocks, id)->name);
    for (char *c = buf; *c; c++)
        if (*c == '_')
            *c = ' ';
    return buf;
}

static const BlockDef *def_at(Game *g, int32_t x, int32_t y, int32_t z)
{
    return blocks_get(g->blocks, world_get_block(g->world, x, y, z));
}

static int is_solid(Game *g, int32_t x, int32_t y, int32_t z) { return def_at(g, x, y, z)->solid; }

static int holds_on(Game *g, int32_t x, int32_t y, int32_t z)
{
    BlockId id = world_get_block(g->world, x, y, z);
    return id == g->ladder || blocks_get(g->blocks, id)->climbable;
}

static int is_stairs(Game *g, int32_t x, int32_t y, int32_t z)
{
    return world_get_block(g->world, x, y, z) == g->stairs;
}

/* ------------------------------------------------------------ the character row */

static int stat_int(const cJSON *stats, const char *key, int fallback)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(stats, key);
    return cJSON_IsNumber(v) ? v->valueint : fallback;
}

static void set_num(cJSON *obj, const char *key, double v)
{
    cJSON *old = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (old)
        cJSON_SetNumberValue(old, v);
    else
        cJSON_AddNumberToObject(obj, key, v);
}

static void player_from_row(Game *g, const CharacterRow *c)
{
    Player *p = &g->p;
    p->character_id = c->id;
    p->world_id = c->world_id;
    snprintf(p->name, sizeof p->name, "%s", c->name);
    snprintf(p->character_class, sizeof p->character_class, "%s", c->character_class);
    p->x = (int32_t)floor(c->position_x);
    p->y = (int32_t)floor(c->position_y);
    p->z = (int32_t)floor(c->position_z);
    p->level = c->level;
    p->experience = c->experience;
    p->health = stat_int(c->stats, "health", 100);
    p->max_health = stat_int(c->stats, "max_health", p->health);
    p->mana = stat_int(c->stats, "mana", 0);
    p->max_mana = stat_int(c->stats, "max_mana", p->mana);
    const cJSON *hand = cJSON_GetObjectItemCaseSensitive(c->appearance, "held_item");
    snprintf(p->hand, sizeof p->hand, "%s", cJSON_IsString(hand) ? hand->valuestring : "");
}

/* Writes the player's position, health, mana and held item to the save. */
static int store_player(Game *g, Err *err)
{
    CharacterRow c;
    int rc = characters_get(g->save, g->p.character_id, &c, err);
    if (rc != MA_OK)
        return rc;
    c.position_x = g->p.x + 0.5;
    c.position_y = g->p.y;
    c.position_z = g->p.z + 0.5;
    c.level = g->p.level;
    c.experience = g->p.experience;
    set_num(c.stats, "health", g->p.health);
    set_num(c.stats, "max_health", g->p.max_health);
    set_num(c.stats, "mana", g->p.mana);
    set_num(c.stats, "max_mana", g->p.max_mana);
    cJSON_DeleteItemFromObjectCaseSensitive(c.appearance, "held_item");
    cJSON_AddStringToObject(c.appearance, "held_item", g->p.hand);
    rc = characters_update(g->save, &c, err);
    character_row_clear(&c);
    return rc;
}

static int store_clock(Game *g, Err *err)
{
    WorldRow w;
    int rc = worlds_get(g->save, g->p.world_id, &w, err);
    if (rc != MA_OK)
        return rc;
    set_num(w.metadata, "clock", (double)g->clock);
    rc = worlds_update(g->save, &w, err);
    world_row_clear(&w);
    return rc;
}

/* The end of every action, inside its transaction: a chunk that could not be
 * read refuses the action (it must not be played as air); then the changed
 * chunks, the character and the clock are written. */
static int store_action(Game *g, Err *err)
{
    int rc = world_take_error(g->world, err);
    if (rc != MA_OK)
        return rc;
    if ((rc = world_flush(g->world, err)) != MA_OK || (rc = store_player(g, err)) != MA_OK)
        return rc;
    return store_clock(g, err);
}

/* ------------------------------------------------------------ inventory */

int game_inventory(Game *g, InventoryRow **rows, int *n, Err *err)
{
    return inventory_list(g->save, g->p.character_id, rows, n, err);
}

/* Adds count of item to the backpack, filling existing stacks first.
 * Returns how many did not fit (0 normally), or a negative status. */
int game_give_item(Game *g, const char *item, const char *type, int count, Err *err)
{
    /* Per-item stack sizes and the bag's slots: see inventory.c. */
    return inventory_give(g, g->p.character_id, item, type, count, NULL, err);
}

/* Count of item carried. */
int game_item_count(Game *g, const char *item, Err *err)
{
    return inventory_count(g, g->p.character_id, item, err);
}

/* Whether the player carries a tool of this kind ("pickaxe" matches "stone_pickaxe"). */
int game_has_tool(Game *g, const char *tool, Err *err)
{
    /* A tool of that kind in items.json, else (an item the file does not
     * name) the old rule: the name ends in the kind. */
    InventoryRow *rows = NULL;
    int n = 0, found = 0;
    if (!tool[0] || inventory_list(g->save, g->p.character_id, &rows, &n, err) != MA_OK)
        return 0;
    size_t tl = strlen(tool);
    for (int i = 0; i < n && !found; i++) {
        const ItemDef *d = items_find(g->items, rows[i].item_name);
        size_t il = strlen(rows[i].item_name);
        found = d ? strcmp(d->tool_kind, tool) == 0 : il >= tl && strcmp(rows[i].item_name + il - tl, tool) == 0;
    }
    inventory_list_free(rows, n);
    return found;
}

int game_take_item(Game *g, const char *item, int count, Err *err)
{
    /* The pack before the equipment: see inventory.c. */
    return inventory_take_from(g, g->p.character_id, item, count, err);
}

/* ------------------------------------------------------------ time */

int64_t game_clock(const Game *g) { return g->clock; }
int game_minute_of_day(const Game *g)
{
    /* Turn 0 is 08:00 on the first day. */
    int64_t minutes = 8 * 60 + (g->clock % TURNS_PER_DAY) * (1440 / TURNS_PER_DAY);
    return (int)(minutes % 1440);
}
int game_is_night(const Game *g)
{
    int m = game_minute_of_day(g);
    return m >= 20 * 60 || m < 6 * 60;
}

int game_season(const Game *g) { return (int)calendar_season(g->clock); }

void game_pass_time(Game *g, int turns, ActionResult *r)
{
    int was_night = game_is_night(g);
    for (int i = 0; i < turns; i++) {
        g->clock++;
        /* Slow natural healing: a point of health every 10 turns, mana every 5. */
        if (g->clock % 10 == 0 && g->p.health < g->p.max_health)
            g->p.health++;
        if (g->clock % 5 == 0 && g->p.mana < g->p.max_mana)
            g->p.mana++;
    }
    r->turns += turns;
    if (game_is_night(g) != was_night)
        game_event(r, SEV_INFO, game_is_night(g) ? "Night falls. It grows dark." : "The sun rises.");
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

/* Drops the player until something holds them. */
static void fall(Game *g, ActionResult *r)
{
    int dist = 0;
    while (g->p.y > 0 && !holds_on(g, g->p.x, g->p.y, g->p.z) && !def_at(g, g->p.x, g->p.y, g->p.z)->liquid) {
        const BlockDef *below = def_at(g, g->p.x, g->p.y - 1, g->p.z);
        if (below->solid)
            break;
        g->p.y--;
        dist++;
        if (below->liquid) {
            if (dist > 1)
                game_event(r, SEV_INFO, "You splash into the water.");
            return;
        }
    }
    if (dist > 3) {
        char cause[64];
        snprintf(cause, sizeof cause, "You fall %d blocks", dist);
        game_hurt(g, (dist - 3) * 4, cause, r);
    } else if (dist > 1) {
        game_event(r, SEV_INFO, "You drop %d blocks.", dist);
    }
}

/* ------------------------------------------------------------ actions */

static int fits(Game *g, int32_t x, int32_t y, int32_t z)
{
    return !is_solid(g, x, y, z) && !is_solid(g, x, y + 1, z);
}

static void blocked_by(Game *g, ActionResult *r, int32_t x, int32_t y, int32_t z)
{
    char name[40];
    BlockId id = world_get_block(g->world, x, y, z);
    if (!blocks_get(g->blocks, id)->solid)
        id = world_get_block(g->world, x, y + 1, z);
    game_refuse(r, "blocked: %s wall", game_block_label(g, id, name, sizeof name));
}

static void do_move(Game *g, Dir d, ActionResult *r)
{
    int dx, dz;
    dir_delta(d, &dx, &dz);
    int32_t tx = g->p.x + dx, tz = g->p.z + dz, y = g->p.y;
    if (fits(g, tx, y, tz)) {
        g->p.x = tx;
        g->p.z = tz;
    } else if (is_solid(g, tx, y, tz) && fits(g, tx, y + 1, tz) && !is_solid(g, g->p.x, y + 2, g->p.z)) {
        g->p.x = tx;
        g->p.z = tz;
        g->p.y = y + 1;
    } else {
        blocked_by(g, r, tx, y, tz);
        return;
    }
    r->ok = 1;
    game_pass_time(g, 1, r);
    fall(g, r);
}

static void do_up(Game *g, ActionResult *r)
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
    g->p.y++;
    r->ok = 1;
    game_pass_time(g, 1, r);
}

static void do_down(Game *g, ActionResult *r)
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

static int do_dig(Game *g, Dir d, ActionResult *r, Err *err)
{
    int32_t x, y, z;
    target_cell(g, d, 0, &x, &y, &z);
    BlockId id = world_get_block(g->world, x, y, z);
    if (d < DIR_UP && !blocks_get(g->blocks, id)->solid) {
        /* Nothing at the feet: dig what is at head height instead. */
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
    if (def->tool[0])
        secs = game_has_tool(g, def->tool, err) ? secs / 3.0 : secs * 1.5;
    secs /= progress_mining_speed(g);
    int turns = (int)ceil(secs);
    if (turns < 1)
        turns = 1;
    int rc = world_set_block(g->world, x, y, z, BLOCK_AIR, err);
    /* A block an agent had set, changed by hand: the evolution log's rollback and verify know why. */
    if (rc == MA_OK)
        rc = evolution_things_player_block(g->save, g->p.world_id, x, y, z, g->clock, err);
    if (rc != MA_OK)
        return rc;
    if (def->drop[0]) {
        const char *type = blocks_find(g->blocks, def->drop) >= 0 ? "block" : "material";
        int left = game_give_item(g, def->drop, type, def->drop_count > 0 ? def->drop_count : 1, err);
        if (left < 0)
            return left;
        char dropname[40];
        snprintf(dropname, sizeof dropname, "%s", def->drop);
        for (char *c = dropname; *c; c++)
            if (*c == '_')
                *c = ' ';
        if (left > 0)
            game_event(r, SEV_WARN, "Your pack is full; the %s is lost.", dropname);
        else
            game_event(r, SEV_GOOD, "You dig out the %s and take the %s.", name, dropname);
    } else {
        game_event(r, SEV_INFO, "You clear away the %s.", name);
    }
    /* Stone and ore (pickaxe work) train mining, harder blocks more. */
    if (strcmp(def->tool, "pickaxe") == 0 &&
        (rc = progress_skill_use(g, "mining", (int)ceil(def->hardness), r, err)) != MA_OK)
        return rc;
    r->ok = 1;
    game_pass_time(g, turns, r);
    fall(g, r);
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

static int do_place(Game *g, Dir d, const char *want, ActionResult *r, Err *err)
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
    const BlockDef *there = def_at(g, x, y, z);
    if (there->solid) {
        char name[40];
        game_refuse(r, "blocked: %s is there", game_block_label(g, world_get_block(g->world, x, y, z), name, sizeof name));
        return MA_OK;
    }
    int rc = world_set_block(g->world, x, y, z, (BlockId)id, err);
    if (rc == MA_OK)
        rc = evolution_things_player_block(g->save, g->p.world_id, x, y, z, g->clock, err);
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
    items_label(item, label, sizeof label);
    if (have > 1)
        game_event(r, SEV_INFO, "Placed %s %s; %d left.", label, dir_words(d), have - 1);
    else
        game_event(r, SEV_WARN, "Placed your last %s %s.", label, dir_words(d));
    r->ok = 1;
    game_pass_time(g, 1, r);
    return MA_OK;
}

/* After a death: wake beside one's bed when it still stands (game_hurt has
 * already put the player at the world spawn). */
static int wake_at_bed(Game *g, ActionResult *r, Err *err)
{
    char at[48];
    Err quiet = {0};
    if (charstate_get(g->save, g->p.character_id, "flag", "bed", at, sizeof at, &quiet) != MA_OK)
        return MA_OK;
    int32_t bx, by, bz;
    int bed = blocks_find(g->blocks, "bed");
    if (sscanf(at, "%d,%d,%d", &bx, &by, &bz) != 3 || bed <= 0 || world_get_block(g->world, bx, by, bz) != (BlockId)bed) {
        game_event(r, SEV_WARN, "Your bed is gone; you wake at the world spawn.");
        return charstate_delete(g->save, g->p.character_id, "flag", "bed", err);
    }
    /* The first free cell beside the bed, or on top of it. */
    static const int around[9][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {-1, -1}, {1, -1}, {-1, 1}, {0, 0}};
    for (int i = 0; i < 9; i++) {
        int32_t x = bx + around[i][0], z = bz + around[i][1], y = i == 8 ? by + 1 : by;
        if (fits(g, x, y, z)) {
            g->p.x = x;
            g->p.y = y;
            g->p.z = z;
            fall(g, r);
            game_event(r, SEV_INFO, "You wake beside your bed.");
            return MA_OK;
        }
    }
    return MA_OK;
}

/* Every action is one transaction, begun here and committed once at the end:
 * the modules it calls write into it (taking savepoints where they must undo
 * their own part) and never commit. When anything fails the transaction is
 * rolled back and the game in memory -- the player, the clock, the dice, the
 * cached chunks -- goes back to where it was before the action. */
int game_apply(Game *g, const Action *a, ActionResult *res, Err *err)
{
    memset(res, 0, sizeof *res);
    Player before = g->p;
    int64_t clock_before = g->clock;
    Prng rng_before = g->rng;
    world_take_error(g->world, NULL); /* a read error before this action is not this action's */
    int rc = save_begin(g->save, err);
    if (rc != MA_OK) {
        err_prefix(err, "the action was not done");
        return rc;
    }
    switch (a->kind) {
    case ACT_MOVE: {
        /* Moving into a creature attacks it; into a villager, says who is there. */
        int dx, dz;
        dir_delta(a->dir, &dx, &dz);
        CreatureRef who;
        int found = creature_at(g, g->p.x + dx, g->p.y, g->p.z + dz, 0, &who, err);
        if (found < 0)
            rc = found;
        else if (found && who.def)
            rc = combat_attack(g, a->dir, res, err);
        else if (found) {
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(who.entity, "name");
            game_refuse(res, "blocked: %s is in the way (talk, or attack)",
                        cJSON_IsString(name) ? name->valuestring : "someone");
        } else
            do_move(g, a->dir, res);
        break;
    }
    case ACT_UP: do_up(g, res); break;
    case ACT_DOWN: do_down(g, res); break;
    case ACT_DIG: rc = do_dig(g, a->dir, res, err); break;
    case ACT_PLACE: rc = do_place(g, a->dir, a->block, res, err); break;
    case ACT_WAIT: {
        /* Turn by turn, so that being hurt ends the wait (a long wait is not a way to die unaware). */
        int want = a->count > 0 ? a->count : 1;
        res->ok = 1;
        for (int t = 0; t < want && rc == MA_OK && !g->died; t++) {
            int health = g->p.health;
            game_pass_time(g, 1, res);
            rc = creatures_tick(g, 1, res, err);
            if (g->p.health < health && t + 1 < want && !g->died) {
                game_event(res, SEV_WARN, "You stop waiting: you are under attack.");
                break;
            }
        }
        break;
    }
    case ACT_SELECT: {
        int have = game_item_count(g, a->block, err);
        if (have < 0) {
            rc = err->code;
        } else if (have == 0) {
            game_refuse(res, "you have no %s", a->block);
        } else {
            snprintf(g->p.hand, sizeof g->p.hand, "%s", a->block);
            res->ok = 1;
        }
        break;
    }
    case ACT_ATTACK: rc = combat_attack(g, a->dir, res, err); break;
    case ACT_SHOOT: rc = combat_shoot(g, a->dir, res, err); break;
    case ACT_CAST: rc = combat_cast(g, a->arg, a->dir, res, err); break;
    case ACT_TAKE: rc = inventory_take(g, res, err); break;
    case ACT_DROP: rc = inventory_drop(g, a->arg, a->count, res, err); break;
    case ACT_EQUIP: rc = inventory_equip(g, a->arg, res, err); break;
    case ACT_UNEQUIP: rc = inventory_unequip(g, a->arg, res, err); break;
    case ACT_USE: rc = inventory_use(g, a->arg, res, err); break;
    case ACT_REPAIR: rc = inventory_repair(g, a->arg, res, err); break;
    case ACT_CRAFT: rc = crafting_craft(g, a->arg, a->count, res, err); break;
    case ACT_LEVELUP: rc = progress_levelup(g, a->arg, res, err); break;
    case ACT_SPECIALIZE: rc = progress_specialize(g, a->arg, a->block, res, err); break;
    case ACT_TALK: rc = npc_talk(g, a->dir, res, err); break;
    case ACT_SAY: rc = npc_say(g, a->count, res, err); break;
    case ACT_QUEST_ACCEPT: rc = quest_accept(g, a->arg, res, err); break;
    case ACT_QUEST_SHARE: rc = quest_share(g, a->arg, a->target, res, err); break;
    case ACT_STORY: rc = story_show(g, res, err); break;
    case ACT_CHOOSE: rc = story_choose(g, a->count, res, err); break;
    case ACT_STORY_FOCUS: rc = story_focus(g, a->arg, res, err); break;
    default: game_refuse(res, "not possible yet"); break;
    }
    /* The world's creatures take their turns for the time the action took (waiting took them already). */
    if (rc == MA_OK && res->turns > 0 && a->kind != ACT_WAIT)
        rc = creatures_tick(g, res->turns, res, err);
    /* A death is counted and the pack stays where it happened. */
    if (rc == MA_OK && g->died) {
        g->died = 0;
        rc = wake_at_bed(g, res, err);
        if (rc == MA_OK)
            rc = charstate_add(g->save, g->p.character_id, "deaths", 1, NULL, err);
        if (rc == MA_OK)
            rc = inventory_drop_all_at(g, g->died_at[0], g->died_at[1], g->died_at[2], err);
        if (rc == MA_OK)
            game_event(res, SEV_WARN, "Your pack lies where you fell (%d, %d, %d).", g->died_at[0], g->died_at[1],
                       g->died_at[2]);
    }
    /* New recipes may be known now; quest objectives and achievements may be met. */
    if (rc == MA_OK)
        rc = crafting_discover(g, res, err) < 0 ? err->code : MA_OK;
    /* What the action changed may fulfil quest objectives and achievements. */
    if (rc == MA_OK)
        rc = quest_after_action(g, a, res, err);
    if (rc == MA_OK)
        rc = achieve_check(g, res, err);
    /* Storylines that the action began (a villager talked to, a ruin entered, a quest done). */
    if (rc == MA_OK)
        rc = story_after_action(g, a, res, err);
    if (rc == MA_OK)
        rc = store_action(g, err);
    /* A story choice keeps the record of everything its action wrote, for `story undo`. */
    if (rc == MA_OK)
        rc = story_seal_choice(g, err);
    /* The world answers (the agents run for the time the action took), in the same transaction; what
     * they wrote to chunks is stored with the rest. Their own failure is theirs: they undo their part. */
    if (rc == MA_OK && g->after) {
        g->after(g, clock_before, res, g->after_ud);
        if ((rc = world_take_error(g->world, err)) == MA_OK)
            rc = world_flush(g->world, err);
    }
    if (rc == MA_OK)
        rc = save_commit(g->save, err);
    if (g->after_end)
        g->after_end(g, rc == MA_OK, g->after_ud);
    if (rc != MA_OK) {
        story_drop_choice(g);
        save_rollback(g->save);
        world_forget(g->world);
        g->p = before;
        g->clock = clock_before;
        g->rng = rng_before;
        g->died = 0;
        char cause[sizeof err->msg];
        snprintf(cause, sizeof cause, "%s", err->msg);
        if (rc == MA_ERR_FULL)
            err_set(err, rc, "The disk is full: the last action was not saved. Free some space and play on; "
                    "everything before it is safe (%s)", save_path(g->save));
        else
            err_set(err, rc, "%s: the last action was not saved, and the game goes on from before it", cause);
        return rc;
    }
    if (res->ok)
        snprintf(res->text, sizeof res->text, "ok");
    /* Time passed: other world events may have begun or ended. */
    if (g->clock != clock_before)
        game_refresh(g, NULL);
    return MA_OK;
}

/* ------------------------------------------------------------ starting */

static const char *const name_a[] = {"Elder", "Raven", "Thorn", "Amber", "Frost", "Willow", "Iron", "Mist",
                                     "Storm", "Gold", "Ash", "Silver", "Moon", "Oak", "Stone", "Wyrm"};
static const char *const name_b[] = {"moor", "vale", "reach", "hold", "fell", "mere", "wood", "haven",
                                     "crest", "march", "shire", "deep", "watch", "glen", "ford", "spire"};

static void world_name_for(uint64_t seed, char *buf, size_t size)
{
    uint64_t h = hash_u64(seed);
    snprintf(buf, size, "%s%s", name_a[h % 16], name_b[(h >> 8) % 16]);
}

static int ensure_user(Game *g, const char *username, Err *err)
{
    UserRow u;
    int rc = users_get_by_username(g->save, username, &u, err);
    if (rc == MA_ERR_NOT_FOUND) {
        memset(&u, 0, sizeof u);
        snprintf(u.username, sizeof u.username, "%s", username);
        u.is_active = 1;
        u.profile = cJSON_CreateObject();
        cJSON_AddStringToObject(u.profile, "display_name", username);
        cJSON_AddBoolToObject(u.profile, "local", 1);
        rc = users_insert(g->save, &u, err);
    }
    if (rc == MA_OK) {
        g->p.user_id = u.id;
        snprintf(g->p.username, sizeof g->p.username, "%s", u.username);
    }
    user_row_clear(&u);
    return rc;
}

/* The user's profile remembers the last world and character for "Continue". */
static int64_t profile_last(Game *g, const char *key)
{
    UserRow u;
    if (users_get(g->save, g->p.user_id, &u, NULL) != MA_OK)
        return 0;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(u.profile, key);
    int64_t id = cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
    user_row_clear(&u);
    return id;
}

static int remember_last(Game *g, Err *err)
{
    UserRow u;
    int rc = users_get(g->save, g->p.user_id, &u, err);
    if (rc != MA_OK)
        return rc;
    set_num(u.profile, "last_world_id", (double)g->p.world_id);
    set_num(u.profile, "last_character_id", (double)g->p.character_id);
    rc = users_update(g->save, &u, err);
    user_row_clear(&u);
    return rc;
}

static int create_character(Game *g, const char *name, const char *class_name, Err *err)
{
    const ClassDef *cls = class_name ? classes_find(&g->classes, class_name)
                                     : &g->classes.classes[g->classes.default_index];
    if (!cls)
        return err_set(err, MA_ERR_INVALID, "there is no class named '%s'", class_name);
    CharacterRow c;
    memset(&c, 0, sizeof c);
    c.user_id = g->p.user_id;
    c.world_id = g->p.world_id;
    snprintf(c.name, sizeof c.name, "%s", name);
    snprintf(c.character_class, sizeof c.character_class, "%s", cls->name);
    c.level = 1;
    c.stats = cJSON_Duplicate(cls->stats, 1);
    set_num(c.stats, "max_health", stat_int(cls->stats, "health", 100));
    set_num(c.stats, "max_mana", stat_int(cls->stats, "mana", 0));
    c.appearance = cJSON_CreateObject();
    const char *hand = "";
    for (int i = 0; i < cls->n_gear; i++)
        if (strcmp(cls->gear[i].type, "block") == 0 && !hand[0])
            hand = cls->gear[i].item;
    cJSON_AddStringToObject(c.appearance, "held_item", hand);
    c.position_x = g->spawn[0] + 0.5;
    c.position_y = g->spawn[1];
    c.position_z = g->spawn[2] + 0.5;
    int rc = characters_insert(g->save, &c, err);
    if (rc == MA_OK)
        player_from_row(g, &c);
    character_row_clear(&c);
    for (int i = 0; rc == MA_OK && i < cls->n_gear; i++) {
        int left = game_give_item(g, cls->gear[i].item, cls->gear[i].type, cls->gear[i].count, err);
        rc = left < 0 ? left : MA_OK;
    }
    /* The class's skills are the character's from the start: rows in character_skills, as the
     * skills screen, `verify`, sync and a character recovery read them. */
    const cJSON *sk;
    cJSON_ArrayForEach(sk, cls->skills) {
        if (rc != MA_OK)
            break;
        if (!cJSON_IsNumber(sk) || sk->valueint < 1 || !skillbook_has(g->skills, sk->string))
            continue;
        SkillRow row;
        memset(&row, 0, sizeof row);
        row.character_id = g->p.character_id;
        snprintf(row.skill_name, sizeof row.skill_name, "%s", sk->string);
        row.skill_level = sk->valueint;
        rc = skills_upsert(g->save, &row, err);
        skill_row_clear(&row);
    }
    return rc;
}

static int open_world(Game *g, int64_t id, const char *name, Err *err)
{
    int rc = world_open(g->save, g->blocks, name, id, 0, &g->world, err);
    if (rc != MA_OK)
        return rc;
    g->p.world_id = world_id(g->world);
    snprintf(g->p.world_name, sizeof g->p.world_name, "%s", world_name(g->world));
    generator_spawn_point(world_generator(g->world), &g->spawn[0], &g->spawn[1], &g->spawn[2]);
    WorldRow w;
    if ((rc = worlds_get(g->save, g->p.world_id, &w, err)) != MA_OK)
        return rc;
    const cJSON *clock = cJSON_GetObjectItemCaseSensitive(w.metadata, "clock");
    g->clock = cJSON_IsNumber(clock) ? (int64_t)clock->valuedouble : 0;
    world_row_clear(&w);
    return MA_OK;
}

int game_start(Save *s, const GameStart *st, Game **out, Err *err)
{
    *out = NULL;
    Game *g = calloc(1, sizeof *g);
    if (!g)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    g->save = s;
    g->story_starts = -1;
    int rc = blocks_load_default(&g->blocks, err);
    if (rc == MA_OK)
        rc = classes_load_default(&g->classes, err);
    if (rc == MA_OK)
        rc = items_load_default(&g->items, err);
    if (rc == MA_OK)
        rc = skillbook_load_default(&g->skills, err);
    if (rc == MA_OK)
        rc = crafting_load_default(&g->craft, err);
    if (rc == MA_OK)
        rc = creatures_load_default(&g->creatures, err);
    if (rc == MA_OK)
        rc = quest_book_load_default(&g->quest_book, err);
    if (rc == MA_OK)
        rc = achieve_book_load_default(&g->achieve_book, err);
    if (rc == MA_OK) {
        StoryRefs refs = {.items = g->items, .blocks = g->blocks, .quests = g->quest_book};
        rc = story_book_load_default(&refs, &g->story_book, err);
    }
    if (rc == MA_OK)
        rc = dialogue_load_default(&g->dialogue, err);
    if (rc != MA_OK)
        goto fail;
    g->ladder = (BlockId)(blocks_find(g->blocks, "ladder") > 0 ? blocks_find(g->blocks, "ladder") : 0);
    g->stairs = (BlockId)(blocks_find(g->blocks, "stairs") > 0 ? blocks_find(g->blocks, "stairs") : 0);
    const char *username = st->username && st->username[0] ? st->username : "player";

    if ((rc = save_begin(s, err)) != MA_OK)
        goto fail;
    if ((rc = ensure_user(g, username, err)) != MA_OK)
        goto fail_tx;

    /* The world: named, the last one, or a new one. */
    int64_t last_world = profile_last(g, "last_world_id");
    if (st->world && !st->new_world) {
        rc = open_world(g, 0, st->world, err);
    } else if (!st->new_world && last_world > 0 && open_world(g, last_world, NULL, NULL) == MA_OK) {
        rc = MA_OK;
    } else {
        char name[65];
        if (st->world)
            snprintf(name, sizeof name, "%s", st->world);
        else
            world_name_for(st->seed, name, sizeof name);
        int64_t id;
        WorldRow existing;
        for (int i = 2; worlds_get_by_name(s, name, &existing, NULL) == MA_OK && !st->world; i++) {
            world_row_clear(&existing);
            char base[48];
            world_name_for(st->seed, base, sizeof base);
            snprintf(name, sizeof name, "%s %d", base, i);
        }
        rc = world_create(s, name, st->seed, "normal", &id, err);
        if (rc == MA_OK)
            rc = open_world(g, id, NULL, err);
    }
    if (rc != MA_OK)
        goto fail_tx;

    /* The character: named, the last one in this world, any of the user's there, or a new one. */
    CharacterRow c;
    int found = 0;
    if (st->character) {
        if (characters_get_by_name(s, g->p.world_id, st->character, &c, NULL) == MA_OK) {
            if (c.user_id != g->p.user_id) {
                character_row_clear(&c);
                rc = err_set(err, MA_ERR_INVALID, "the character '%s' in %s belongs to another player",
                             st->character, g->p.world_name);
                goto fail_tx;
            }
            found = 1;
        }
    } else {
        int64_t last = profile_last(g, "last_character_id");
        if (last > 0 && characters_get(s, last, &c, NULL) == MA_OK) {
            if (c.world_id == g->p.world_id && c.user_id == g->p.user_id)
                found = 1;
            else
                character_row_clear(&c);
        }
        if (!found) {
            CharacterRow *rows = NULL;
            int n = 0;
            if (characters_list_by_user(s, g->p.user_id, g->p.world_id, &rows, &n, NULL) == MA_OK && n > 0) {
                c = rows[n - 1];
                memset(&rows[n - 1], 0, sizeof rows[n - 1]);
                found = 1;
            }
            characters_list_free(rows, n);
        }
    }
    if (found) {
        player_from_row(g, &c);
        character_row_clear(&c);
    } else if ((rc = create_character(g, st->character ? st->character : username, st->class_name, err)) != MA_OK) {
        goto fail_tx;
    }
    /* Items keep their letters; rows of an older save get theirs now. */
    if ((rc = inventory_letters_assign(g, err)) != MA_OK)
        goto fail_tx;
    if ((rc = quest_seed(g, err)) != MA_OK)
        goto fail_tx;
    ActionResult discovered; /* what is already known how to make is recorded quietly */
    memset(&discovered, 0, sizeof discovered);
    if ((rc = crafting_discover(g, &discovered, err)) < 0)
        goto fail_tx;
    /* The world's storylines, and the main one's opening for a character starting out. */
    if ((rc = story_game_started(g, err)) != MA_OK)
        goto fail_tx;
    if ((rc = remember_last(g, err)) != MA_OK || (rc = world_flush(g->world, err)) != MA_OK ||
        (rc = save_commit(s, err)) != MA_OK)
        goto fail_tx;
    if ((rc = game_refresh(g, err)) != MA_OK)
        goto fail;
    /* Rolls are reproducible: the same save state gives the same fights and crafts. */
    prng_seed(&g->rng, hash_coords(world_seed(g->world), g->p.character_id, g->clock, 0, 0));
    *out = g;
    return MA_OK;

fail_tx:
    save_rollback(s);
fail:
    game_close(g);
    return rc;
}

void game_close(Game *g)
{
    if (!g)
        return;
    story_drop_choice(g);
    story_book_free(g->story_book);
    world_close(g->world);
    creatures_free(g->creatures);
    quest_book_free(g->quest_book);
    quest_forget_templates(g);
    achieve_book_free(g->achieve_book);
    dialogue_free(g->dialogue);
    crafting_free(g->craft);
    skillbook_free(g->skills);
    items_free(g->items);
    classes_free(&g->classes);
    blocks_free(g->blocks);
    free(g);
}

const Player *game_player(const Game *g) { return &g->p; }
World *game_world(Game *g) { return g->world; }
const BlockRegistry *game_blocks(const Game *g) { return g->blocks; }
const ClassList *game_classes(const Game *g) { return &g->classes; }
Save *game_save(Game *g) { return g->save; }
const struct CreatureBook *game_creatures(const Game *g) { return g->creatures; }

cJSON *game_state_json(Game *g, Err *err)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "world", g->p.world_name);
    cJSON_AddStringToObject(j, "character", g->p.name);
    cJSON_AddStringToObject(j, "class", g->p.character_class);
    cJSON_AddNumberToObject(j, "level", g->p.level);
    cJSON *pos = cJSON_AddArrayToObject(j, "position");
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(g->p.x));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(g->p.y));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(g->p.z));
    cJSON_AddNumberToObject(j, "health", g->p.health);
    cJSON_AddNumberToObject(j, "max_health", g->p.max_health);
    cJSON_AddNumberToObject(j, "mana", g->p.mana);
    cJSON_AddStringToObject(j, "hand", g->p.hand);
    cJSON_AddNumberToObject(j, "turns", (double)g->clock);
    char date[48], now[32];
    cJSON_AddStringToObject(j, "date", calendar_date(g->clock, date, sizeof date));
    cJSON_AddStringToObject(j, "season", calendar_season_name(calendar_season(g->clock)));
    cJSON *events = cJSON_AddArrayToObject(j, "events");
    EventRow *ev = NULL;
    int nev = 0;
    if (events_list_active(g->save, g->p.world_id, calendar_iso(g->clock, now, sizeof now), &ev, &nev, NULL) == MA_OK) {
        for (int i = 0; i < nev; i++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "name", ev[i].event_name);
            cJSON_AddStringToObject(e, "type", ev[i].event_type);
            cJSON_AddStringToObject(e, "description", ev[i].description ? ev[i].description : "");
            cJSON_AddItemToArray(events, e);
        }
        events_list_free(ev, nev);
    }
    cJSON *inv = cJSON_AddArrayToObject(j, "inventory");
    InventoryRow *rows = NULL;
    int n = 0;
    if (game_inventory(g, &rows, &n, err) != MA_OK) {
        cJSON_Delete(j);
        return NULL;
    }
    cJSON *equipment = cJSON_CreateObject();
    for (int i = 0; i < n; i++) {
        const cJSON *slot = cJSON_GetObjectItemCaseSensitive(rows[i].item_data, "slot");
        const cJSON *worn = cJSON_GetObjectItemCaseSensitive(rows[i].item_data, "equipped");
        if (cJSON_IsString(slot) && cJSON_IsTrue(worn)) {
            cJSON_AddStringToObject(equipment, slot->valuestring, rows[i].item_name);
            continue;
        }
        cJSON *it = cJSON_CreateObject();
        cJSON_AddStringToObject(it, "item", rows[i].item_name);
        cJSON_AddNumberToObject(it, "count", rows[i].quantity);
        cJSON_AddItemToArray(inv, it);
    }
    inventory_list_free(rows, n);
    cJSON_AddItemToObject(j, "equipment", equipment);
    cJSON_AddNumberToObject(j, "experience", (double)g->p.experience);

    /* Skills, quests and achievements, as the screens show them. */
    cJSON *skills = cJSON_AddObjectToObject(j, "skills");
    SkillRow *sk = NULL;
    int nsk = 0;
    if (skills_list(g->save, g->p.character_id, &sk, &nsk, err) == MA_OK) {
        for (int i = 0; i < nsk; i++)
            cJSON_AddNumberToObject(skills, sk[i].skill_name, sk[i].skill_level);
        skills_list_free(sk, nsk);
    }
    cJSON *quests = cJSON_AddArrayToObject(j, "quests");
    QuestView *qv = NULL;
    int nq = 0;
    if (quest_log(g, &qv, &nq, err) == MA_OK) {
        for (int i = 0; i < nq; i++) {
            cJSON *q = cJSON_CreateObject();
            cJSON_AddStringToObject(q, "quest", qv[i].name);
            cJSON_AddStringToObject(q, "status", qv[i].status);
            cJSON *objs = cJSON_AddArrayToObject(q, "objectives");
            for (int k = 0; k < qv[i].n_objectives; k++) {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "text", qv[i].objectives[k].text);
                cJSON_AddNumberToObject(o, "count", qv[i].objectives[k].count);
                cJSON_AddNumberToObject(o, "target", qv[i].objectives[k].target);
                cJSON_AddItemToArray(objs, o);
            }
            cJSON_AddItemToArray(quests, q);
        }
        free(qv);
    }
    cJSON *earned = cJSON_AddArrayToObject(j, "achievements");
    AchieveView *av = NULL;
    int na = 0;
    int64_t points = 0;
    if (achieve_list(g, &av, &na, &points, err) == MA_OK) {
        for (int i = 0; i < na; i++)
            if (av[i].earned)
                cJSON_AddItemToArray(earned, cJSON_CreateString(av[i].name));
        free(av);
    }
    cJSON_AddNumberToObject(j, "achievement_points", (double)points);
    cJSON *stories = story_state_json(g, err);
    if (!stories) {
        cJSON_Delete(j);
        return NULL;
    }
    cJSON_AddItemToObject(j, "stories", stories);
    return j;
}
