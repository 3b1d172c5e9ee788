/* game_rules.c — the RuleCtx of a Game: how quests, dialogue, achievements (and later stories)
 * read and change the player through the one rule language.
 *
 * Queries read the Player in memory and the save (skills, inventory, relationships, quest
 * progress, achievements, charstate flags). Effects write through the save; rules_apply wraps
 * them in begin/commit, which are a savepoint inside the game action's one transaction. A
 * rollback restores the Player in memory and drops the events the effects added, so either the
 * whole effect is kept and announced or none of it. The binding is the caller's (a GameRules on
 * its stack): nothing here is global. */
#include "game/game_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/achieve.h"
#include "game/game_internal.h"
#include "game/story.h"
#include "game/npc.h"
#include "game/progress.h"
#include "game/quest.h"
#include "save/achievements.h"
#include "save/characters.h"
#include "game/calendar.h"
#include "save/charstate.h"
#include "save/events.h"
#include "save/evolution.h"
#include "save/skills.h"
#include "util/json_field.h"
#include "world/chunk_codec.h"
#include "world/generator.h"

typedef GameRules Binding;

/* ------------------------------------------------------------ who is who */

int64_t game_rules_who(Game *g, const char *who)
{
    char buf[RULES_MAX_TEXT + 1];
    if (!who || !who[0])
        return 0;
    if (strcmp(who, "@npc") == 0) {
        if (charstate_get(g->save, g->p.character_id, "flag", "talking_to", buf, sizeof buf, NULL) != MA_OK)
            return 0;
        who = buf;
    }
    int64_t id = npc_character_id(g, who);
    if (id > 0)
        return id;
    CharacterRow c;
    if (characters_get_by_name(g->save, g->p.world_id, who, &c, NULL) == MA_OK) {
        id = c.id;
        character_row_clear(&c);
        return id;
    }
    char *end;
    long long n = strtoll(who, &end, 10);
    if (*end == '\0' && n > 0 && characters_get(g->save, n, &c, NULL) == MA_OK && c.world_id == g->p.world_id) {
        character_row_clear(&c);
        return n;
    }
    return 0;
}

/* ------------------------------------------------------------ queries */

static int q_level(void *ud) { return ((Binding *)ud)->g->p.level; }

static int q_stat(void *ud, const char *name)
{
    return progress_stat(((Binding *)ud)->g, name, 0, NULL); /* with what gear adds */
}

static int q_skill(void *ud, const char *name) { return progress_skill_level(((Binding *)ud)->g, name); }
static const char *q_skill_title(void *ud, const char *name) { return progress_skill_title(((Binding *)ud)->g, name); }

static int q_items(void *ud, const char *item)
{
    int n = game_item_count(((Binding *)ud)->g, item, NULL);
    return n < 0 ? 0 : n;
}

static int q_relationship(void *ud, const char *who)
{
    Game *g = ((Binding *)ud)->g;
    int64_t npc = game_rules_who(g, who);
    if (npc <= 0)
        return 0;
    RelationshipRow rel;
    if (relationships_get(g->save, npc, g->p.character_id, &rel, NULL) != MA_OK)
        return 0;
    int v = rel.relationship_value;
    relationship_row_clear(&rel);
    return v;
}

static const char *q_quest(void *ud, const char *quest) { return quest_state_name(((Binding *)ud)->g, quest); }

static int q_achievement(void *ud, const char *name)
{
    Game *g = ((Binding *)ud)->g;
    int has = 0;
    if (achievements_has(g->save, g->p.user_id, name, &has, NULL) != MA_OK)
        return 0;
    return has;
}

static int q_flag(void *ud, const char *name, char *buf, size_t size)
{
    Binding *b = ud;
    return charstate_get(b->g->save, b->g->p.character_id, "flag", name, buf, size, NULL) == MA_OK;
}

static int q_minute(void *ud) { return game_minute_of_day(((Binding *)ud)->g); }

/* Block searches are bounded: a cube of at most 16 blocks each way horizontally and 8
 * vertically, whatever the radius asked (a radius of 256 would read millions of blocks). */
#define BLOCK_SEARCH_H 16
#define BLOCK_SEARCH_V 8

int game_near_place(Game *g, const char *kind, int radius)
{
    int id = blocks_find(g->blocks, kind);
    if (id <= 0) {
        /* A kind of place ("ruins"), or one place by its name ("Frosthaven": a story's village). */
        GenStructure near;
        int named = quest_place_is_name(kind);
        if (!generator_structure_nearest(world_generator(g->world), g->p.x, g->p.z, radius, named ? NULL : kind,
                                         named ? kind : NULL, &near))
            return 0;
        /* A dungeon or shrine is reached down in it, not on the ground above nor high in its
         * shaft: at its rooms' height. */
        return !generator_kind_underground(near.type) || (g->p.y >= near.y && g->p.y <= near.y + near.h - 1);
    }
    int h = radius < BLOCK_SEARCH_H ? radius : BLOCK_SEARCH_H;
    int v = radius < BLOCK_SEARCH_V ? radius : BLOCK_SEARCH_V;
    for (int dy = -v; dy <= v; dy++)
        for (int dz = -h; dz <= h; dz++)
            for (int dx = -h; dx <= h; dx++)
                if (world_get_block(g->world, g->p.x + dx, g->p.y + dy, g->p.z + dz) == (BlockId)id)
                    return 1;
    return 0;
}

static int q_near(void *ud, const char *kind, int radius) { return game_near_place(((Binding *)ud)->g, kind, radius); }

/* Only the generated places have a way: a block (a furnace) is looked for close by only. */
static int q_place_way(void *ud, const char *kind, char *buf, size_t size)
{
    Game *g = ((Binding *)ud)->g;
    if (blocks_find(g->blocks, kind) > 0)
        return 0;
    quest_place_way(g, kind, buf, size);
    return 1;
}

static int q_season(void *ud) { return game_season(((Binding *)ud)->g); }

/* ------------------------------------------------------------ effects */

int game_rules_store_player(Game *g, Err *err)
{
    CharacterRow c;
    int rc = characters_get(g->save, g->p.character_id, &c, err);
    if (rc != MA_OK)
        return rc;
    c.level = g->p.level;
    c.experience = g->p.experience;
    cJSON *stats = c.stats ? c.stats : (c.stats = cJSON_CreateObject());
    const char *keys[] = {"health", "max_health", "mana", "max_mana"};
    int vals[] = {g->p.health, g->p.max_health, g->p.mana, g->p.max_mana};
    for (int i = 0; i < 4; i++) {
        cJSON *old = cJSON_GetObjectItemCaseSensitive(stats, keys[i]);
        if (old)
            cJSON_SetNumberValue(old, vals[i]);
        else
            cJSON_AddNumberToObject(stats, keys[i], vals[i]);
    }
    rc = characters_update(g->save, &c, err);
    character_row_clear(&c);
    return rc;
}

static int e_give(void *ud, const char *item, int count, Err *err)
{
    Game *g = ((Binding *)ud)->g;
    const char *type = blocks_find(g->blocks, item) > 0 ? "block" : "material";
    int left = game_give_item(g, item, type, count, err);
    if (left < 0)
        return left;
    if (left > 0)
        return err_set(err, MA_ERR_INVALID, "your pack has no room for %d more %s", left, item);
    return MA_OK;
}

static int e_take(void *ud, const char *item, int count, Err *err)
{
    Game *g = ((Binding *)ud)->g;
    int have = game_item_count(g, item, err);
    if (have < 0)
        return err->code;
    char what[80];
    if (have < count)
        return err_set(err, MA_ERR_INVALID, "you have only %s", items_count_words(g->items, item, have, what, sizeof what));
    return game_take_item(g, item, count, err);
}

/* Experience goes through progress (levels, stat points, the announcement); the character row
 * is written at once so that it commits with the rest of the effect. */
static int e_experience(void *ud, int amount, Err *err)
{
    Binding *b = ud;
    ActionResult scratch;
    memset(&scratch, 0, sizeof scratch);
    ActionResult *r = b->r ? b->r : &scratch;
    game_event(r, SEV_GOOD, "You gain %d experience.", amount);
    int rc = progress_add_experience(b->g, amount, r, err);
    return rc == MA_OK ? game_rules_store_player(b->g, err) : rc;
}

static const char *const stat_names[] = {"health", "mana", "strength", "intelligence", "dexterity",
                                         "constitution", "charisma"};

static int e_stat(void *ud, const char *name, int amount, Err *err)
{
    Game *g = ((Binding *)ud)->g;
    if (strcmp(name, "health") == 0) {
        g->p.health += amount;
        g->p.health = g->p.health > g->p.max_health ? g->p.max_health : g->p.health < 1 ? 1 : g->p.health;
        return game_rules_store_player(g, err);
    }
    if (strcmp(name, "mana") == 0) {
        g->p.mana += amount;
        g->p.mana = g->p.mana > g->p.max_mana ? g->p.max_mana : g->p.mana < 0 ? 0 : g->p.mana;
        return game_rules_store_player(g, err);
    }
    int known = 0;
    for (size_t i = 0; i < sizeof stat_names / sizeof stat_names[0]; i++)
        known |= strcmp(stat_names[i], name) == 0;
    if (!known)
        return err_set(err, MA_ERR_INVALID, "there is no stat named %s", name);
    CharacterRow c;
    int rc = characters_get(g->save, g->p.character_id, &c, err);
    if (rc != MA_OK)
        return rc;
    cJSON *v = cJSON_GetObjectItemCaseSensitive(c.stats, name);
    int now = (cJSON_IsNumber(v) ? v->valueint : 0) + amount;
    if (now < 0)
        now = 0;
    if (v)
        cJSON_SetNumberValue(v, now);
    else
        cJSON_AddNumberToObject(c.stats, name, now);
    rc = characters_update(g->save, &c, err);
    character_row_clear(&c);
    return rc;
}

static int e_skill_xp(void *ud, const char *skill, int amount, Err *err)
{
    Binding *b = ud;
    ActionResult scratch;
    memset(&scratch, 0, sizeof scratch);
    return progress_skill_use(b->g, skill, amount, b->r ? b->r : &scratch, err);
}

static int e_relationship(void *ud, const char *who, int amount, const char *reason, Err *err)
{
    Binding *b = ud;
    int64_t npc = game_rules_who(b->g, who);
    if (npc <= 0)
        return err_set(err, MA_ERR_NOT_FOUND, "nobody called %s lives here", who);
    return npc_relationship_change(b->g, npc, amount, "deed", reason && reason[0] ? reason : "a deed", b->r, err);
}

static int e_start_quest(void *ud, const char *quest, Err *err)
{
    Binding *b = ud;
    return quest_start(b->g, quest, NULL, b->r, err);
}

static int e_advance_quest(void *ud, const char *quest, const char *objective, int amount, Err *err)
{
    Binding *b = ud;
    return quest_advance(b->g, quest, objective, amount, b->r, err);
}

static int e_recipe(void *ud, const char *recipe, Err *err)
{
    Binding *b = ud;
    char buf[8];
    if (charstate_get(b->g->save, b->g->p.character_id, "recipe", recipe, buf, sizeof buf, NULL) == MA_OK)
        return MA_OK;
    int rc = charstate_set(b->g->save, b->g->p.character_id, "recipe", recipe, "discovered", err);
    if (rc == MA_OK && b->r)
        game_event(b->r, SEV_GOOD, "You learn a new recipe: %s.", recipe);
    return rc;
}

static int e_achievement(void *ud, const char *name, Err *err)
{
    Binding *b = ud;
    return achieve_unlock(b->g, name, b->r, err);
}

static int e_flag(void *ud, const char *name, const char *value, Err *err)
{
    Binding *b = ud;
    return charstate_set(b->g->save, b->g->p.character_id, "flag", name, value, err);
}

/* A world event, from now, for the days asked: the game's spawns and prices follow it at once. */
static int e_start_event(void *ud, const RuleEvent *ev, Err *err)
{
    Binding *b = ud;
    Game *g = b->g;
    EventRow r;
    memset(&r, 0, sizeof r);
    r.world_id = g->p.world_id;
    snprintf(r.event_type, sizeof r.event_type, "%s", ev->kind && ev->kind[0] ? ev->kind : "story");
    snprintf(r.event_name, sizeof r.event_name, "%s", ev->name);
    r.description = strdup(ev->text ? ev->text : "");
    r.event_data = cJSON_CreateObject();
    cJSON_AddNumberToObject(r.event_data, "spawn_rate", ev->spawn_pct / 100.0);
    cJSON_AddNumberToObject(r.event_data, "price", ev->price_pct / 100.0);
    cJSON_AddNumberToObject(r.event_data, "start_turn", (double)g->clock);
    cJSON_AddNumberToObject(r.event_data, "end_turn", (double)(g->clock + (int64_t)ev->days * TURNS_PER_DAY));
    cJSON_AddStringToObject(r.event_data, "source", "story");
    calendar_iso(g->clock, r.start_time, sizeof r.start_time);
    calendar_iso(g->clock + (int64_t)ev->days * TURNS_PER_DAY, r.end_time, sizeof r.end_time);
    r.is_active = 1;
    int rc = events_insert(g->save, &r, err);
    event_row_clear(&r);
    if (rc == MA_OK && b->r)
        game_event(b->r, SEV_INFO, "%s begins.", ev->name);
    if (rc == MA_OK)
        rc = game_refresh(g, err);
    return rc;
}

static int e_fail_quest(void *ud, const char *quest, Err *err)
{
    Binding *b = ud;
    return quest_fail(b->g, quest, b->r, err);
}

static int e_start_story(void *ud, const char *story, Err *err)
{
    Binding *b = ud;
    return story_start_named(b->g, story, b->r, err);
}

/* Sets one block, logging it; refuses to bury the player or build beyond the world. */
static int change_block(Binding *b, int32_t x, int32_t y, int32_t z, BlockId to, Err *err)
{
    Game *g = b->g;
    if (y < 0 || y >= WORLD_HEIGHT)
        return err_set(err, MA_ERR_INVALID, "(%d, %d, %d) is beyond the world", x, y, z);
    BlockId was = world_get_block(g->world, x, y, z);
    if (was == to)
        return MA_OK;
    if (blocks_get(g->blocks, to)->solid && x == g->p.x && z == g->p.z && (y == g->p.y || y == g->p.y + 1))
        return err_set(err, MA_ERR_INVALID, "a %s at (%d, %d, %d) would bury you", blocks_get(g->blocks, to)->name, x,
                       y, z);
    if (b->n_blocks >= GAME_RULES_MAX_BLOCKS)
        return err_set(err, MA_ERR_INVALID, "more than %d blocks changed at once", GAME_RULES_MAX_BLOCKS);
    int rc = world_set_block(g->world, x, y, z, to, err);
    if (rc == MA_OK)
        b->blocks[b->n_blocks++] = (RuleBlockLog){x, y, z, was, to};
    return rc;
}

static int e_set_block(void *ud, const RuleBlockChange *c, Err *err)
{
    Binding *b = ud;
    Game *g = b->g;
    int32_t ax, ay, az;
    if (c->has_pos) {
        ax = c->pos[0], ay = c->pos[1], az = c->pos[2];
    } else if (c->anchor && strcmp(c->anchor, "player") == 0) {
        ax = g->p.x, ay = g->p.y, az = g->p.z;
    } else {
        return err_set(err, MA_ERR_INVALID, "there is no place called %s here", c->anchor ? c->anchor : "?");
    }
    int to = blocks_find(g->blocks, c->block);
    if (to < 0)
        return err_set(err, MA_ERR_INVALID, "there is no block called %s", c->block);
    int first = b->n_blocks, rc = MA_OK;
    if (c->has_offset) {
        rc = change_block(b, ax + c->offset[0], ay + c->offset[1], az + c->offset[2], (BlockId)to, err);
    } else {
        int from = blocks_find(g->blocks, c->replace);
        if (from < 0)
            return err_set(err, MA_ERR_INVALID, "there is no block called %s", c->replace);
        /* The count nearest blocks of that kind (by squared distance, then scan order). */
        enum { MAXN = 64 };
        int32_t at[MAXN][3];
        long dist[MAXN];
        int n = 0, r = c->radius, vr = c->radius < 8 ? c->radius : 8;
        for (int dy = -vr; dy <= vr; dy++)
            for (int dz = -r; dz <= r; dz++)
                for (int dx = -r; dx <= r; dx++) {
                    int32_t x = ax + dx, y = ay + dy, z = az + dz;
                    if (y < 0 || y >= WORLD_HEIGHT || world_get_block(g->world, x, y, z) != (BlockId)from)
                        continue;
                    if (blocks_get(g->blocks, (BlockId)to)->solid && x == g->p.x && z == g->p.z &&
                        (y == g->p.y || y == g->p.y + 1))
                        continue;
                    long d = (long)dx * dx + (long)dy * dy + (long)dz * dz;
                    if (n == c->count && d >= dist[n - 1])
                        continue;
                    int k = n < c->count ? n++ : n - 1;
                    while (k > 0 && dist[k - 1] > d) {
                        dist[k] = dist[k - 1];
                        memcpy(at[k], at[k - 1], sizeof at[k]);
                        k--;
                    }
                    dist[k] = d;
                    at[k][0] = x, at[k][1] = y, at[k][2] = z;
                }
        for (int i = 0; i < n && rc == MA_OK; i++)
            rc = change_block(b, at[i][0], at[i][1], at[i][2], (BlockId)to, err);
    }
    if (rc == MA_OK && b->r && b->n_blocks > first) {
        const RuleBlockLog *l = &b->blocks[first];
        char was[40], now[40];
        game_block_label(g, l->from, was, sizeof was);
        game_block_label(g, l->to, now, sizeof now);
        int changed = b->n_blocks - first;
        /* "becomes a torch", "becomes snow", "is cleared away" (it had said "becomes torch"). */
        const BlockDef *to_def = blocks_get(g->blocks, l->to);
        const char *article = l->to == BLOCK_AIR                           ? ""
                              : to_def->has_metadata || to_def->light || to_def->climbable
                                  ? (strchr("aeiou", now[0]) ? "an " : "a ") /* a door, a torch, a ladder */
                                  : "";
        if (changed == 1 && l->to == BLOCK_AIR)
            game_event(b->r, SEV_INFO, "The world changes: the %s at (%d, %d, %d) is cleared away.", was, l->x, l->y,
                       l->z);
        else if (changed == 1)
            game_event(b->r, SEV_INFO, "The world changes: the %s at (%d, %d, %d) becomes %s%s.", was, l->x, l->y, l->z,
                       article, now);
        else
            game_event(b->r, SEV_INFO, "The world changes: %d blocks of %s near (%d, %d, %d) become %s.", changed,
                       was, l->x, l->y, l->z, now);
    }
    return rc;
}

/* ------------------------------------------------------------ villagers leaving and coming home */

/* How far from home a villager is looked for: the agents walk them about their village. */
#define AWAY_SEARCH_CHUNKS 3

/* The chunk and index of villager entity `id` near home[]: 1 when found, 0 when not,
 * or a negative status. */
static int villager_find(Game *g, const char *id, const int32_t home[3], Chunk **out, int *index, Err *err)
{
    int32_t hcx = chunk_coord(home[0]), hcy = chunk_coord(home[1]), hcz = chunk_coord(home[2]);
    for (int32_t cy = hcy - 1; cy <= hcy + 1; cy++) {
        if (cy < 0 || cy >= WORLD_CHUNKS_Y)
            continue;
        for (int32_t cz = hcz - AWAY_SEARCH_CHUNKS; cz <= hcz + AWAY_SEARCH_CHUNKS; cz++)
            for (int32_t cx = hcx - AWAY_SEARCH_CHUNKS; cx <= hcx + AWAY_SEARCH_CHUNKS; cx++) {
                Chunk *c = world_chunk(g->world, cx, cy, cz, err);
                if (!c)
                    return err->code;
                const cJSON *e = chunk_entity_find(c, id, index);
                if (e && json_str(e, "type") && strcmp(json_str(e, "type"), "npc") == 0) {
                    *out = c;
                    return 1;
                }
            }
    }
    return 0;
}

/* A villager's entity made again from their row, for one who was nowhere to be found. */
static cJSON *villager_entity(const CharacterRow *c, const char *id)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "type", "npc");
    cJSON_AddStringToObject(e, "id", id);
    cJSON_AddStringToObject(e, "role", json_str(c->appearance, "role") ? json_str(c->appearance, "role") : "farmer");
    cJSON_AddStringToObject(e, "name", c->name);
    cJSON_AddStringToObject(e, "village", json_str(c->appearance, "village") ? json_str(c->appearance, "village") : "");
    return e;
}

/* Undoes, in the world's cache, the villagers moved after the first `from` (newest first). */
static void restore_moves(Binding *b, int from)
{
    while (b->n_moves > from && b->n_moves > 0) {
        const RuleEntityLog *l = &b->moves[--b->n_moves];
        Chunk *c = world_chunk(b->g->world, l->cx, l->cy, l->cz, NULL);
        cJSON *e = cJSON_Parse(l->entity);
        int i;
        if (!c || !e) {
            cJSON_Delete(e);
            continue;
        }
        if (l->inserted) {
            if (chunk_entity_find(c, json_str(e, "id"), &i))
                cJSON_DeleteItemFromArray(c->entities, i);
            cJSON_Delete(e);
        } else if (l->index >= 0 && l->index < cJSON_GetArraySize(c->entities)) {
            cJSON_InsertItemInArray(c->entities, l->index, e);
        } else {
            cJSON_AddItemToArray(c->entities, e);
        }
        world_mark_dirty(b->g->world, l->cx, l->cy, l->cz);
    }
}

/* The nearest place to stand to at[] within 4 blocks across and 2 up or down, the player's cells
 * left out: at[] moves there and 1 is returned; 0, at[] as it was, when there is none. */
static int stand_near(Game *g, int32_t at[3])
{
    for (int r = 1; r <= 4; r++)
        for (int dy = 0; dy <= 4; dy++) {
            int32_t y = at[1] + (dy % 2 ? (dy + 1) / 2 : -(dy / 2));
            for (int dz = -r; dz <= r; dz++)
                for (int dx = -r; dx <= r; dx++) {
                    int32_t x = at[0] + dx, z = at[2] + dz;
                    if ((abs(dx) != r && abs(dz) != r) || !game_standable(g, x, y, z) ||
                        (x == g->p.x && z == g->p.z && abs(y - g->p.y) <= 1))
                        continue;
                    at[0] = x, at[1] = y, at[2] = z;
                    return 1;
                }
        }
    return 0;
}

/* leave: the villager's entity, wherever it stands near home, out of its chunk (logged in l) and
 * into their row's appearance.away; one nowhere to be found is recorded away all the same. */
static int villager_leave(Binding *b, CharacterRow *c, const char *id, const int32_t home[3], RuleEntityLog *l,
                          Err *err)
{
    Game *g = b->g;
    Chunk *ch = NULL;
    int index = -1, found = villager_find(g, id, home, &ch, &index, err);
    if (found < 0)
        return found;
    cJSON *ent;
    if (found) {
        ent = cJSON_DetachItemFromArray(ch->entities, index);
        l->cx = ch->cx, l->cy = ch->cy, l->cz = ch->cz, l->index = index, l->inserted = 0;
        if (!cJSON_PrintPreallocated(ent, l->entity, (int)sizeof l->entity, 0)) {
            cJSON_InsertItemInArray(ch->entities, index, ent);
            return err_set(err, MA_ERR_INVALID, "%s carries too much to leave", c->name);
        }
        b->n_moves++;
        world_mark_dirty(g->world, ch->cx, ch->cy, ch->cz);
    } else {
        ent = villager_entity(c, id);
    }
    cJSON *a = cJSON_AddObjectToObject(c->appearance, "away");
    cJSON_AddItemToObject(a, "entity", ent);
    cJSON_AddNumberToObject(a, "since", (double)g->clock);
    return MA_OK;
}

/* come_home: the entity kept in away (or made again from the row) stands at home, or, where home
 * has been built over, at the nearest place to stand (logged in l); appearance.away goes. */
static int villager_come_home(Binding *b, CharacterRow *c, const char *id, const int32_t home[3], cJSON *away,
                              RuleEntityLog *l, Err *err)
{
    Game *g = b->g;
    if (home[1] < 0 || home[1] >= WORLD_HEIGHT)
        return err_set(err, MA_ERR_INVALID, "%s's home (%d, %d, %d) is beyond the world", c->name, home[0], home[1],
                       home[2]);
    int32_t at[3] = {home[0], home[1], home[2]};
    if (!game_standable(g, at[0], at[1], at[2]))
        stand_near(g, at); /* else home all the same */
    int32_t cx = chunk_coord(at[0]), cy = chunk_coord(at[1]), cz = chunk_coord(at[2]);
    Chunk *ch = world_chunk(g->world, cx, cy, cz, err);
    if (!ch)
        return err->code;
    if (cJSON_GetArraySize(ch->entities) >= CHUNK_MAX_ENTITIES)
        return err_set(err, MA_ERR_INVALID, "there is no room at %s's home", c->name);
    cJSON *ent = away ? cJSON_DetachItemFromObjectCaseSensitive(away, "entity") : NULL;
    if (!cJSON_IsObject(ent) || !json_str(ent, "id") || strcmp(json_str(ent, "id"), id) != 0) {
        cJSON_Delete(ent);
        ent = villager_entity(c, id);
    }
    cJSON *pos = cJSON_CreateArray();
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(at[0])));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(at[1])));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(at[2])));
    if (cJSON_GetObjectItemCaseSensitive(ent, "position"))
        cJSON_ReplaceItemInObjectCaseSensitive(ent, "position", pos);
    else
        cJSON_AddItemToObject(ent, "position", pos);
    if (!cJSON_PrintPreallocated(ent, l->entity, (int)sizeof l->entity, 0)) {
        cJSON_Delete(ent);
        return err_set(err, MA_ERR_INVALID, "%s carries too much to come home", c->name);
    }
    l->cx = cx, l->cy = cy, l->cz = cz, l->index = cJSON_GetArraySize(ch->entities), l->inserted = 1;
    cJSON_AddItemToArray(ch->entities, ent);
    b->n_moves++;
    world_mark_dirty(g->world, cx, cy, cz);
    cJSON_DeleteItemFromObjectCaseSensitive(c->appearance, "away");
    return MA_OK;
}

/* leave (home = 0): the villager's entity leaves the world (their row keeps it, under
 * appearance.away), so that no map, panel, talk or fight finds them; come_home (home = 1): it
 * stands at their home again, also when they are gone from the world with no record of leaving.
 * Each is nothing when the villager is already so. */
static int e_villager_away(void *ud, const char *who, int home, Err *err)
{
    Binding *b = ud;
    Game *g = b->g;
    int64_t npc = game_rules_who(g, who);
    if (npc <= 0)
        return err_set(err, MA_ERR_NOT_FOUND, "nobody called %s lives here", who);
    CharacterRow c;
    int rc = characters_get(g->save, npc, &c, err);
    if (rc != MA_OK)
        return rc;
    char id[48];
    snprintf(id, sizeof id, "%s", json_str(c.appearance, "entity_id") ? json_str(c.appearance, "entity_id") : "");
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(c.appearance, "home");
    cJSON *away = cJSON_GetObjectItemCaseSensitive(c.appearance, "away");
    if (c.user_id != 0 || !id[0] || cJSON_GetArraySize(h) != 3) {
        rc = err_set(err, MA_ERR_INVALID, "%s is no villager of this world", c.name);
        goto done;
    }
    const int32_t at[3] = {cJSON_GetArrayItem(h, 0)->valueint, cJSON_GetArrayItem(h, 1)->valueint,
                           cJSON_GetArrayItem(h, 2)->valueint};
    Chunk *ch;
    int index;
    if (!home && away)
        goto done; /* already away */
    /* Home already, unless gone from the world with no record of it (a shared world's sync
     * brought the chunk without them, from another player's story): then made again. */
    if (home && !away && (rc = villager_find(g, id, at, &ch, &index, err)) != 0) {
        rc = rc < 0 ? rc : MA_OK;
        goto done;
    }
    if (b->n_moves >= GAME_RULES_MAX_MOVES) {
        rc = err_set(err, MA_ERR_INVALID, "more than %d villagers moved at once", GAME_RULES_MAX_MOVES);
        goto done;
    }
    RuleEntityLog *l = &b->moves[b->n_moves];
    rc = home ? villager_come_home(b, &c, id, at, away, l, err) : villager_leave(b, &c, id, at, l, err);
    if (rc == MA_OK)
        rc = characters_update(g->save, &c, err);
    /* The agents' log of where they walked the villager now gives way to this. */
    if (rc == MA_OK)
        rc = evolution_things_player_entity(g->save, g->p.world_id, id, (int64_t)g->clock, err);
    if (rc == MA_OK && b->r) {
        const char *village = json_str(c.appearance, "village"), *role = json_str(c.appearance, "role");
        char who_is[120];
        snprintf(who_is, sizeof who_is, "%s%s%s", c.name, role ? " the " : "", role ? role : "");
        if (!village || !village[0])
            game_event(b->r, SEV_INFO, home ? "%s is home again." : "%s has gone away.", who_is);
        else
            game_event(b->r, SEV_INFO, home ? "%s is home again in %s." : "%s has left %s.", who_is, village);
    }
done:
    character_row_clear(&c);
    return rc;
}

/* How far a story's "it is dusk" may lag behind dusk: within two hours after the hour, no wait. */
#define WAIT_UNTIL_SLACK_MINUTES 120

static int e_wait_until(void *ud, int minute_of_day, Err *err)
{
    (void)err;
    Binding *b = ud;
    int now = game_minute_of_day(b->g);
    int ahead = ((minute_of_day - now) % 1440 + 1440) % 1440; /* minutes until it next comes round */
    if (ahead == 0 || 1440 - ahead < WAIT_UNTIL_SLACK_MINUTES)
        return MA_OK; /* it is that hour, or not long after it */
    int turns = (ahead + 1440 / TURNS_PER_DAY - 1) / (1440 / TURNS_PER_DAY);
    if (b->r) {
        game_pass_time(b->g, turns, b->r);
        /* The hours a story skips are not turns the world's creatures take: a bandit had the
         * whole night to kill the player while the passage told of the vault. */
        b->r->turns -= turns;
        game_event(b->r, SEV_INFO, "Hours pass: it is %02d:%02d.", game_minute_of_day(b->g) / 60,
                   game_minute_of_day(b->g) % 60);
    } else {
        b->g->clock += turns;
    }
    return MA_OK;
}

static int e_message(void *ud, const char *text, Err *err)
{
    (void)err;
    Binding *b = ud;
    if (b->r)
        game_event(b->r, SEV_INFO, "%s", text);
    return MA_OK;
}

/* The effects of one rules_apply are a savepoint of the unit of work: undone together, with the
 * Player in memory and the events they announced, when one of them fails. */
static int e_begin(void *ud, Err *err)
{
    Binding *b = ud;
    int rc = save_savepoint(b->g->save, err);
    if (rc != MA_OK)
        return rc;
    if (b->depth++ == 0) {
        b->before = b->g->p;
        b->clock_before = b->g->clock;
        b->events_before = b->r ? b->r->n_events : 0;
        b->blocks_before = b->n_blocks;
        b->moves_before = b->n_moves;
    }
    return MA_OK;
}

/* The save has undone the effects; the Player, the events and the blocks in the world's
 * cache (which the save's rollback does not reach) go back too. */
static void restore(Binding *b)
{
    b->g->p = b->before;
    b->g->clock = b->clock_before;
    if (b->r)
        b->r->n_events = b->events_before;
    while (b->n_blocks > b->blocks_before) {
        const RuleBlockLog *l = &b->blocks[--b->n_blocks];
        world_set_block(b->g->world, l->x, l->y, l->z, l->from, NULL);
    }
    restore_moves(b, b->moves_before);
}

static int e_commit(void *ud, Err *err)
{
    Binding *b = ud;
    int rc = save_release(b->g->save, err);
    if (b->depth > 0 && --b->depth == 0 && rc != MA_OK)
        restore(b); /* save_release has undone the savepoint's work */
    return rc;
}

static void e_rollback(void *ud)
{
    Binding *b = ud;
    if (b->depth <= 0)
        return;
    save_rollback_savepoint(b->g->save);
    if (--b->depth == 0)
        restore(b);
}

void game_rules_restore_blocks(GameRules *gr, int from)
{
    while (gr->n_blocks > from && gr->n_blocks > 0) {
        const RuleBlockLog *l = &gr->blocks[--gr->n_blocks];
        world_set_block(gr->g->world, l->x, l->y, l->z, l->from, NULL);
    }
    restore_moves(gr, 0);
}

void game_rules_bind(GameRules *gr, Game *g, ActionResult *r)
{
    memset(gr, 0, sizeof *gr);
    gr->g = g;
    gr->r = r;
    RuleCtx *out = &gr->ctx;
    out->ud = gr;
    out->items = g->items;
    out->level = q_level;
    out->stat = q_stat;
    out->skill_level = q_skill;
    out->skill_title = q_skill_title;
    out->item_count = q_items;
    out->relationship = q_relationship;
    out->quest_state = q_quest;
    out->has_achievement = q_achievement;
    out->flag = q_flag;
    out->minute_of_day = q_minute;
    out->near_place = q_near;
    out->place_way = q_place_way;
    out->season = q_season;
    out->give_item = e_give;
    out->take_item = e_take;
    out->add_experience = e_experience;
    out->add_stat = e_stat;
    out->add_skill_xp = e_skill_xp;
    out->change_relationship = e_relationship;
    out->start_quest = e_start_quest;
    out->advance_quest = e_advance_quest;
    out->unlock_recipe = e_recipe;
    out->unlock_achievement = e_achievement;
    out->set_flag = e_flag;
    out->message = e_message;
    out->set_block = e_set_block;
    out->fail_quest = e_fail_quest;
    out->start_event = e_start_event;
    out->start_story = e_start_story;
    out->villager_away = e_villager_away;
    out->pass_time_until = e_wait_until;
    out->begin = e_begin;
    out->commit = e_commit;
    out->rollback = e_rollback;
}
