/* game.c — carrying out actions: game_apply, the character row, time, and the game's state as
 * JSON. Every action is one transaction (see game_apply), ending with the changed chunks, the
 * character row and the world clock. Moving, digging and placing in the blocks are
 * game_physics.c; starting and closing a game game_start.c. */
#include "game/game.h"

#include "game/game_internal.h"
#include "game/game_travel.h"
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
#include "util/text.h"

/* ------------------------------------------------------------ helpers */

/* Text of n bytes written into buf (size bytes) by vsnprintf: when it did not fit, cut at a word
 * and say so ("..."), never in the middle of a word or of a UTF-8 character. */
static void cut_to_fit(char *buf, size_t size, int n)
{
    if (n < (int)size)
        return;
    size_t cut = size - 4;
    for (size_t k = cut; k > size / 2; k--)
        if (buf[k] == ' ') {
            cut = k;
            break;
        }
    while (cut > 0 && ((unsigned char)buf[cut] & 0xC0) == 0x80)
        cut--; /* not inside a UTF-8 character */
    memcpy(buf + cut, "...", 4);
}

void game_event(ActionResult *r, Severity sev, const char *fmt, ...)
{
    if (r->n_events >= GAME_MAX_EVENTS)
        return;
    GameEvent *e = &r->events[r->n_events++];
    e->severity = sev;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->text, sizeof e->text, fmt, ap);
    va_end(ap);
    cut_to_fit(e->text, sizeof e->text, n);
}

void game_refuse(ActionResult *r, const char *fmt, ...)
{
    r->ok = 0;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->text, sizeof r->text, fmt, ap);
    va_end(ap);
    cut_to_fit(r->text, sizeof r->text, n);
}

const char *game_block_label(const Game *g, BlockId id, char *buf, size_t size)
{
    /* As the item of the block is called, where there is one ("red flower", not "flower red"). */
    const char *name = blocks_get(g->blocks, id)->name;
    return items_find(g->items, name) ? items_title_words(g->items, name, buf, size) : text_words(name, buf, size);
}

/* ------------------------------------------------------------ the character row */

const ActionResult *game_started(const Game *g) { return &g->started; }

int game_stat_int(const cJSON *stats, const char *key, int fallback)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(stats, key);
    return cJSON_IsNumber(v) ? v->valueint : fallback;
}

void game_set_num(cJSON *obj, const char *key, double v)
{
    cJSON *old = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (old)
        cJSON_SetNumberValue(old, v);
    else
        cJSON_AddNumberToObject(obj, key, v);
}

void game_player_from_row(Game *g, const CharacterRow *c)
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
    p->health = game_stat_int(c->stats, "health", 100);
    p->max_health = game_stat_int(c->stats, "max_health", p->health);
    p->mana = game_stat_int(c->stats, "mana", 0);
    p->max_mana = game_stat_int(c->stats, "max_mana", p->mana);
    p->gear_health = game_stat_int(c->stats, "gear_health", 0);
    p->gear_mana = game_stat_int(c->stats, "gear_mana", 0);
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
    game_set_num(c.stats, "health", g->p.health);
    game_set_num(c.stats, "max_health", g->p.max_health);
    game_set_num(c.stats, "mana", g->p.mana);
    game_set_num(c.stats, "max_mana", g->p.max_mana);
    game_set_num(c.stats, "gear_health", g->p.gear_health);
    game_set_num(c.stats, "gear_mana", g->p.gear_mana);
    cJSON_DeleteItemFromObjectCaseSensitive(c.appearance, "held_item");
    cJSON_AddStringToObject(c.appearance, "held_item", g->p.hand);
    rc = characters_update(g->save, &c, err);
    character_row_clear(&c);
    return rc;
}

static int store_clock(Game *g, Err *err) { return worlds_set_clock(g->save, g->p.world_id, g->clock, err); }

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
int game_find_tool(Game *g, const char *tool, char *name, size_t size, Err *err)
{
    /* A tool of that kind in items.json, else (an item the file does not
     * name) the old rule: the name ends in the kind. The one in hand first. */
    InventoryRow *rows = NULL;
    int n = 0, found = -1;
    if (name && size)
        name[0] = '\0';
    if (!tool[0] || inventory_list(g->save, g->p.character_id, &rows, &n, err) != MA_OK)
        return 0;
    size_t tl = strlen(tool);
    for (int i = 0; i < n; i++) {
        const ItemDef *d = items_find(g->items, rows[i].item_name);
        size_t il = strlen(rows[i].item_name);
        int is = d ? strcmp(d->tool_kind, tool) == 0 : il >= tl && strcmp(rows[i].item_name + il - tl, tool) == 0;
        if (is && (found < 0 || rows[i].slot_position == INV_SLOT_MAIN_HAND))
            found = i;
    }
    if (found >= 0 && name && size)
        snprintf(name, size, "%s", rows[found].item_name);
    inventory_list_free(rows, n);
    return found >= 0;
}

int game_has_tool(Game *g, const char *tool, Err *err) { return game_find_tool(g, tool, NULL, 0, err); }

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
        if (game_fits(g, x, y, z)) {
            g->p.x = x;
            g->p.y = y;
            g->p.z = z;
            game_fall(g, r);
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
    if (a->kind == ACT_WALK)
        return game_walk(g, a, res, err); /* a move action a step, each its own transaction */
    if (a->kind == ACT_EXPLORE) {
        TravelTo to = {.explore = 1};
        return game_travel(g, &to, NULL, res, err); /* the same, to the nearest ground not seen */
    }
    if (a->kind == ACT_REST)
        return game_rest(g, NULL, res, err); /* ten turns of waiting an action */
    memset(res, 0, sizeof *res);
    Player before = g->p;
    int64_t clock_before = g->clock;
    Prng rng_before = g->rng;
    int told_before = g->told_bare_hands;
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
            game_do_move(g, a->dir, res);
        break;
    }
    case ACT_UP: game_do_up(g, res); break;
    case ACT_DOWN: game_do_down(g, res); break;
    case ACT_DIG: rc = game_do_dig(g, a->dir, res, err); break;
    case ACT_PLACE: rc = game_do_place(g, a->dir, a->block, res, err); break;
    case ACT_WAIT: {
        /* Turn by turn, so that being struck at (hit or miss) or hurt ends the wait, as it ends a
         * rest (a long wait is not a way to die unaware). */
        int want = a->count > 0 ? a->count : 1;
        res->ok = 1;
        for (int t = 0; t < want && rc == MA_OK && !g->died; t++) {
            int health = g->p.health;
            game_pass_time(g, 1, res);
            rc = creatures_tick(g, 1, res, err);
            if ((g->p.health < health || res->attacked) && t + 1 < want && !g->died) {
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
    case ACT_TAKE: rc = inventory_take(g, a->arg, res, err); break;
    case ACT_DROP: rc = inventory_drop(g, a->arg, a->count, res, err); break;
    case ACT_STORE: rc = inventory_store(g, a->arg, a->count, res, err); break;
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
        rc = inventory_gear_settle(g, res, err); /* whatever took gear off or put it on */
    /* Whatever took the ground away (a story's consequence, a rule's blocks): the player falls
     * now, not at the next step. */
    if (rc == MA_OK && g->p.health > 0)
        game_fall(g, res);
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
        g->told_bare_hands = told_before; /* what was said is said again */
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
    game_explored_mark_here(g); /* the ground around where the player is now (travel's map) */
    /* Time passed: other world events may have begun or ended. */
    if (g->clock != clock_before)
        game_refresh(g, NULL);
    return MA_OK;
}

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
