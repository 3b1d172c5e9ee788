/* creatures.c — creatures as chunk entities, spawning near the player and the creatures' own
 * turns. The creature book is read in creature_book.c, its spells in creature_spells.c (shared:
 * creatures_internal.h). What the player does to them (bump,
 * arrows, spells) and what they do to the player is in combat.c.
 *
 * The world cache may evict a chunk whenever another one is loaded, and the
 * entity objects go with it, so a creature's turn looks at the blocks first
 * and only then fetches its chunk and changes the entity; nothing holds an
 * entity pointer across a call that may load chunks. */
#include "game/creatures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/game_internal.h"
#include "save/charstate.h"
#include "util/data.h"
#include "util/json_field.h"
#include "game/creatures_internal.h"

/* ------------------------------------------------------------ entities */

static const char *ent_str(const cJSON *e, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* The local position of an entity, 0..15 each; 0 when it has none. */
static int ent_local(const cJSON *e, int p[3])
{
    const cJSON *pos = cJSON_GetObjectItemCaseSensitive(e, "position");
    if (!cJSON_IsArray(pos) || cJSON_GetArraySize(pos) < 3)
        return 0;
    for (int i = 0; i < 3; i++) {
        const cJSON *v = cJSON_GetArrayItem(pos, i);
        if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble >= CHUNK_SIZE)
            return 0;
        p[i] = (int)v->valuedouble;
    }
    return 1;
}

static void ent_set_local(cJSON *e, int32_t x, int32_t y, int32_t z)
{
    cJSON *pos = cJSON_CreateArray();
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(x)));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(y)));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(z)));
    if (cJSON_GetObjectItemCaseSensitive(e, "position"))
        cJSON_ReplaceItemInObjectCaseSensitive(e, "position", pos);
    else
        cJSON_AddItemToObject(e, "position", pos);
}

static void fill_ref(Game *g, const Chunk *ch, cJSON *e, const int lp[3], CreatureRef *out)
{
    memset(out, 0, sizeof *out);
    out->entity = e;
    out->cx = ch->cx;
    out->cy = ch->cy;
    out->cz = ch->cz;
    out->x = ch->cx * CHUNK_SIZE + lp[0];
    out->y = ch->cy * CHUNK_SIZE + lp[1];
    out->z = ch->cz * CHUNK_SIZE + lp[2];
    out->def = creatures_find(g->creatures, ent_str(e, "kind"));
    snprintf(out->id, sizeof out->id, "%s", ent_str(e, "id"));
}

int creature_at(Game *g, int32_t x, int32_t y, int32_t z, int creatures_only, CreatureRef *out, Err *err)
{
    static const int dys[3] = {0, 1, -1};
    for (int k = 0; k < 3; k++) {
        int32_t yy = y + dys[k];
        if (yy < 0 || yy >= WORLD_HEIGHT)
            continue;
        Chunk *ch = world_chunk(g->world, chunk_coord(x), chunk_coord(yy), chunk_coord(z), err);
        if (!ch)
            return err ? err->code : MA_ERR_IO;
        int want[3] = {chunk_local(x), chunk_local(yy), chunk_local(z)};
        cJSON *e;
        cJSON_ArrayForEach(e, ch->entities) {
            int lp[3];
            if (!cJSON_IsObject(e) || !ent_local(e, lp) || lp[0] != want[0] || lp[1] != want[1] || lp[2] != want[2])
                continue;
            const char *type = ent_str(e, "type");
            int is_creature = strcmp(type, "creature") == 0 && creatures_find(g->creatures, ent_str(e, "kind"));
            if (!is_creature && (creatures_only || strcmp(type, "npc") != 0))
                continue;
            fill_ref(g, ch, e, lp, out);
            return 1;
        }
    }
    return 0;
}

cJSON *creature_entity(Game *g, const CreatureRef *c, Err *err)
{
    Chunk *ch = world_chunk(g->world, c->cx, c->cy, c->cz, err);
    if (!ch)
        return NULL;
    cJSON *e;
    cJSON_ArrayForEach(e, ch->entities)
        if (cJSON_IsObject(e) && strcmp(ent_str(e, "id"), c->id) == 0 && strcmp(ent_str(e, "type"), "creature") == 0)
            return e;
    return NULL;
}

/* ------------------------------------------------------------ the creatures near the player */

typedef struct Near {
    CreatureRef *v;
    int n, cap;
} Near;

static int in_area(const Game *g, int32_t x, int32_t y, int32_t z)
{
    int32_t dcx = chunk_coord(x) - chunk_coord(g->p.x), dcz = chunk_coord(z) - chunk_coord(g->p.z);
    int32_t dcy = chunk_coord(y) - chunk_coord(g->p.y);
    return dcx >= -TICK_CHUNKS && dcx <= TICK_CHUNKS && dcz >= -TICK_CHUNKS && dcz <= TICK_CHUNKS && dcy >= -1 &&
           dcy <= 1 && y >= 1 && y < WORLD_HEIGHT - 2;
}

/* Every creature in the chunks around the player (a copy of where each is:
 * entities are fetched again by id before they change). */
static int gather(Game *g, Near *near, Err *err)
{
    near->n = 0;
    int32_t pcx = chunk_coord(g->p.x), pcy = chunk_coord(g->p.y), pcz = chunk_coord(g->p.z);
    for (int32_t cy = pcy - 1; cy <= pcy + 1; cy++) {
        if (cy < 0 || cy >= WORLD_CHUNKS_Y)
            continue;
        for (int32_t cz = pcz - TICK_CHUNKS; cz <= pcz + TICK_CHUNKS; cz++)
            for (int32_t cx = pcx - TICK_CHUNKS; cx <= pcx + TICK_CHUNKS; cx++) {
                Chunk *ch = world_chunk(g->world, cx, cy, cz, err);
                if (!ch)
                    return err->code;
                cJSON *e;
                cJSON_ArrayForEach(e, ch->entities) {
                    int lp[3];
                    if (!cJSON_IsObject(e) || strcmp(ent_str(e, "type"), "creature") != 0 || !ent_local(e, lp) ||
                        !creatures_find(g->creatures, ent_str(e, "kind")) || !ent_str(e, "id")[0])
                        continue;
                    if (near->n == near->cap) {
                        int cap = near->cap ? near->cap * 2 : 32;
                        CreatureRef *v = realloc(near->v, (size_t)cap * sizeof *v);
                        if (!v)
                            return err_set(err, MA_ERR_NOMEM, "out of memory");
                        near->v = v;
                        near->cap = cap;
                    }
                    fill_ref(g, ch, e, lp, &near->v[near->n++]);
                }
            }
    }
    return MA_OK;
}

int creatures_nearest_threat(Game *g, int margin, CreatureRef *out, int *dist, Err *err)
{
    Near near = {0};
    int rc = gather(g, &near, err), found = 0;
    for (int i = 0; rc == MA_OK && i < near.n; i++) {
        const CreatureRef *c = &near.v[i];
        int hunts = c->def->aggression == AGGR_HOSTILE || cJSON_IsTrue(cJSON_GetObjectItem(c->entity, "angry"));
        int dx = abs(c->x - g->p.x), dz = abs(c->z - g->p.z), d = dx > dz ? dx : dz;
        if (hunts && d <= c->def->sight + margin && (!found || d < *dist)) {
            *out = *c;
            *dist = d;
            found = 1;
        }
    }
    free(near.v);
    return rc != MA_OK ? rc : found;
}

static int solid_at(Game *g, int32_t x, int32_t y, int32_t z)
{
    return blocks_get(g->blocks, world_get_block(g->world, x, y, z))->solid;
}

/* Feet and head free, feet not in a liquid, solid ground below. */
int game_standable(Game *g, int32_t x, int32_t y, int32_t z)
{
    if (y < 1 || y >= WORLD_HEIGHT - 1)
        return 0;
    const BlockDef *feet = blocks_get(g->blocks, world_get_block(g->world, x, y, z));
    return !feet->solid && !feet->liquid && !solid_at(g, x, y + 1, z) && solid_at(g, x, y - 1, z);
}

/* Someone (the player, another creature) stands in that cell. */
static int occupied(const Game *g, const Near *near, int32_t x, int32_t y, int32_t z, const char *self)
{
    if (x == g->p.x && z == g->p.z && y >= g->p.y - 1 && y <= g->p.y + 1)
        return 1;
    for (int i = 0; i < near->n; i++)
        if (near->v[i].x == x && near->v[i].z == z && near->v[i].y >= y - 1 && near->v[i].y <= y + 1 &&
            strcmp(near->v[i].id, self) != 0)
            return 1;
    return 0;
}

/* Moves the creature's entity to world cell (x, y, z), into the
 * neighbouring chunk's entities when it crosses a border. */
static int relocate(Game *g, CreatureRef *c, int32_t x, int32_t y, int32_t z, Err *err)
{
    int32_t ncx = chunk_coord(x), ncy = chunk_coord(y), ncz = chunk_coord(z);
    Chunk *dst = world_chunk(g->world, ncx, ncy, ncz, err);
    if (!dst)
        return err->code;
    Chunk *src = world_chunk(g->world, c->cx, c->cy, c->cz, err);
    if (!src)
        return err->code;
    cJSON *e = creature_entity(g, c, err);
    if (!e)
        return MA_OK; /* gone (killed this turn) */
    if (src != dst) {
        cJSON_DetachItemViaPointer(src->entities, e);
        cJSON_AddItemToArray(dst->entities, e);
        world_mark_dirty(g->world, c->cx, c->cy, c->cz);
    }
    ent_set_local(e, x, y, z);
    world_mark_dirty(g->world, ncx, ncy, ncz);
    c->cx = ncx;
    c->cy = ncy;
    c->cz = ncz;
    c->x = x;
    c->y = y;
    c->z = z;
    return MA_OK;
}

/* One step toward (nx, nz) from where c stands: level, up one block or down
 * at most three. Returns 1 when it moved. */
static int step(Game *g, Near *near, CreatureRef *c, int32_t nx, int32_t nz, Err *err)
{
    int32_t ny = -1;
    if (game_standable(g, nx, c->y, nz))
        ny = c->y;
    else if (game_standable(g, nx, c->y + 1, nz) && !solid_at(g, c->x, c->y + 2, c->z))
        ny = c->y + 1;
    else if (!solid_at(g, nx, c->y, nz) && !solid_at(g, nx, c->y + 1, nz))
        for (int32_t k = 1; k <= 3 && ny < 0; k++) {
            if (game_standable(g, nx, c->y - k, nz))
                ny = c->y - k;
            else if (solid_at(g, nx, c->y - k, nz))
                break;
        }
    if (ny < 0 || !in_area(g, nx, ny, nz) || occupied(g, near, nx, ny, nz, c->id))
        return 0;
    int rc = relocate(g, c, nx, ny, nz, err);
    return rc != MA_OK ? rc : 1;
}

static int sign(int v) { return (v > 0) - (v < 0); }

/* What one creature does with one of its moves. Returns 1 when it attacked
 * (no more moves this turn), 0 otherwise, or a negative status. */
static int creature_move(Game *g, Near *near, CreatureRef *c, int angry, ActionResult *r, Err *err)
{
    const CreatureDef *d = c->def;
    int dx = g->p.x - c->x, dz = g->p.z - c->z, dy = g->p.y - c->y;
    int dist = abs(dx) > abs(dz) ? abs(dx) : abs(dz);
    int hunts = d->aggression == AGGR_HOSTILE || angry;
    if (hunts && dist <= 1 && abs(dy) <= 1 && (dist || dy)) {
        int rc = combat_creature_attacks(g, d, r, err);
        return rc != MA_OK ? rc : 1;
    }
    if (hunts && dist <= d->sight && abs(dy) <= 4) {
        int tries[3][2] = {{sign(dx), sign(dz)}, {sign(dx), 0}, {0, sign(dz)}};
        for (int i = 0; i < 3; i++) {
            if (!tries[i][0] && !tries[i][1])
                continue;
            int rc = step(g, near, c, c->x + tries[i][0], c->z + tries[i][1], err);
            if (rc != 0)
                return rc < 0 ? rc : 0;
        }
        return 0;
    }
    /* Wandering: now and then a step in a random direction. */
    if (prng_chance(&g->rng, 35)) {
        int ddx, ddz;
        dir_delta((Dir)prng_below(&g->rng, 8), &ddx, &ddz);
        int rc = step(g, near, c, c->x + ddx, c->z + ddz, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* A creature's turn: as many moves as its speed gives (100: one a turn),
 * half as many while slowed. */
static int creature_turn(Game *g, Near *near, CreatureRef *c, ActionResult *r, Err *err)
{
    cJSON *e = creature_entity(g, c, err);
    if (!e)
        return MA_OK;
    const cJSON *angry_v = cJSON_GetObjectItemCaseSensitive(e, "angry");
    int angry = cJSON_IsTrue(angry_v);
    cJSON *slow = cJSON_GetObjectItemCaseSensitive(e, "slow");
    int speed = c->def->speed;
    if (cJSON_IsNumber(slow)) {
        speed /= 2;
        if (slow->valueint <= 1)
            cJSON_DeleteItemFromObjectCaseSensitive(e, "slow");
        else
            cJSON_SetNumberValue(slow, slow->valueint - 1);
        world_mark_dirty(g->world, c->cx, c->cy, c->cz);
    }
    int moves = speed / 100 + (prng_chance(&g->rng, speed % 100) ? 1 : 0);
    for (int i = 0; i < moves; i++) {
        int rc = creature_move(g, near, c, angry, r, err);
        if (rc != 0)
            return rc < 0 ? rc : MA_OK;
    }
    return MA_OK;
}

/* ------------------------------------------------------------ spawning */

static int habitat_fits(const Habitat *h, Biome biome, int32_t y, int night)
{
    return (h->biomes & (1u << biome)) && y >= h->min_y && y <= h->max_y &&
           (h->time == 0 || (h->time == 2) == (night != 0));
}

int creatures_native(const CreatureBook *b, Biome biome, int32_t y, const CreatureDef **out, int max)
{
    int n = 0;
    for (int i = 0; i < b->n && n < max; i++) {
        const Habitat *h = &b->habitats[i];
        if (b->defs[i].aggression == AGGR_HOSTILE && b->defs[i].weight > 0 && (h->biomes & (1u << biome)) &&
            y >= h->min_y && y <= h->max_y)
            out[n++] = &b->defs[i];
    }
    return n;
}

/* Whether a light (a torch, a lantern: blocks.json "light") burns within CREATURES_LIGHT_RADIUS
 * blocks (across) and 3 levels (up or down) of (x, y, z): hostile things do not come into being
 * in its light. */
static int lit(Game *g, int32_t x, int32_t y, int32_t z)
{
    if (!g->has_light)
        return 0;
    for (int32_t dy = -3; dy <= 3; dy++)
        for (int32_t dz = -CREATURES_LIGHT_RADIUS; dz <= CREATURES_LIGHT_RADIUS; dz++)
            for (int32_t dx = -CREATURES_LIGHT_RADIUS; dx <= CREATURES_LIGHT_RADIUS; dx++)
                if (dx * dx + dz * dz <= CREATURES_LIGHT_RADIUS * CREATURES_LIGHT_RADIUS &&
                    blocks_get(g->blocks, world_get_block(g->world, x + dx, y + dy, z + dz))->light)
                    return 1;
    return 0;
}

/* Maybe one new creature near the player: the chance per turn depends on
 * night and depth, the kind on the place and the time; none while `cap`
 * creatures are already in the chunks around the player. */
/* Under a roof: a solid block that is not see-through (leaves and glass are) 2 to 6 above the
 * feet. Nothing comes into being indoors on the surface: a boar in a villager's house. */
static int roofed(Game *g, int32_t x, int32_t y, int32_t z)
{
    for (int32_t yy = y + 2; yy <= y + 6 && yy < WORLD_HEIGHT; yy++) {
        const BlockDef *b = blocks_get(g->blocks, world_get_block(g->world, x, yy, z));
        if (b->solid && !b->transparent)
            return 1;
    }
    return 0;
}

static int maybe_spawn(Game *g, Near *near, Err *err)
{
    const CreatureBook *b = g->creatures;
    const SpawnRules *sr = &b->spawn;
    int night = game_is_night(g);
    int cave = g->p.y < sr->cave_below_y;
    double chance = cave ? sr->chance_cave : night ? sr->chance_night : sr->chance_day;
    chance *= night ? g->mods.spawn_rate_night : g->mods.spawn_rate; /* the season, the balance, a blood moon */
    if (!prng_chance(&g->rng, chance))
        return MA_OK;
    if (near->n >= sr->cap)
        return MA_OK;
    for (int attempt = 0; attempt < 6; attempt++) {
        int dx = prng_range(&g->rng, -sr->max_distance, sr->max_distance);
        int dz = prng_range(&g->rng, -sr->max_distance, sr->max_distance);
        int d2 = dx * dx + dz * dz;
        if (d2 < sr->min_distance * sr->min_distance || d2 > sr->max_distance * sr->max_distance)
            continue;
        int32_t x = g->p.x + dx, z = g->p.z + dz, y = -1;
        for (int k = 0; k <= 16 && y < 0; k++) {
            int32_t yy = g->p.y + (k % 2 ? (k + 1) / 2 : -(k / 2));
            if (in_area(g, x, yy, z) && game_standable(g, x, yy, z))
                y = yy;
        }
        if (y < 0 || occupied(g, near, x, y, z, "") || (y >= sr->cave_below_y && roofed(g, x, y, z)))
            continue;
        Biome biome = generator_biome(world_generator(g->world), x, z);
        int total = 0;
        for (int i = 0; i < b->n; i++)
            if (habitat_fits(&b->habitats[i], biome, y, night))
                total += b->defs[i].weight;
        if (total <= 0)
            return MA_OK;
        int roll = (int)prng_below(&g->rng, (uint32_t)total);
        const CreatureDef *d = NULL;
        for (int i = 0; i < b->n && !d; i++)
            if (habitat_fits(&b->habitats[i], biome, y, night) && (roll -= b->defs[i].weight) < 0)
                d = &b->defs[i];
        if (d && d->aggression == AGGR_HOSTILE && lit(g, x, y, z))
            continue; /* not in a torch's light (the blood moon's "stay by a light") */
        int64_t serial = 0;
        int rc = charstate_add(g->save, g->p.character_id, "creatures_spawned", 1, &serial, err);
        if (rc != MA_OK)
            return rc;
        Chunk *ch = world_chunk(g->world, chunk_coord(x), chunk_coord(y), chunk_coord(z), err);
        if (!ch)
            return err->code;
        char id[32];
        snprintf(id, sizeof id, "c_%lld", (long long)serial);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "type", "creature");
        cJSON_AddStringToObject(e, "kind", d->kind);
        cJSON_AddStringToObject(e, "id", id);
        cJSON_AddNumberToObject(e, "hp", d->health);
        ent_set_local(e, x, y, z);
        cJSON_AddStringToObject(e, "glyph", d->glyph);
        cJSON_AddNumberToObject(e, "color256", d->color256);
        cJSON_AddNumberToObject(e, "color8", d->color8);
        cJSON_AddItemToArray(ch->entities, e);
        world_mark_dirty(g->world, ch->cx, ch->cy, ch->cz);
        return MA_OK;
    }
    return MA_OK;
}

int creatures_tick(Game *g, int turns, ActionResult *r, Err *err)
{
    if (!g->creatures || g->creatures->n == 0 || turns <= 0)
        return MA_OK;
    Near near = {0};
    int rc = MA_OK;
    for (int t = 0; t < turns && rc == MA_OK; t++) {
        if ((rc = gather(g, &near, err)) != MA_OK || (rc = maybe_spawn(g, &near, err)) != MA_OK)
            break;
        for (int i = 0; i < near.n && rc == MA_OK; i++)
            rc = creature_turn(g, &near, &near.v[i], r, err);
    }
    free(near.v);
    return rc;
}
