/* world_builder.c — the world changes away from the player.
 *
 * Once a day (06:00), with the chance data/agents.json gives, it takes on one
 * project chosen by weight, near the players (within "radius" blocks):
 *   house  a new house at the edge of a village (planks, a door, a roof, a bed)
 *          and a villager who moves in;
 *   well   a new well on open ground in a village;
 *   wall   a stretch of cobblestone wall along a village's edge;
 *   path   a road from a village towards the nearest other one, twenty blocks
 *          a day (gravel on land, a plank bridge over water), carried on the
 *          next days until it arrives;
 *   decay  a ruin crumbles a little (cobblestone turns mossy or falls);
 *   mine   a shaft with a ladder down from a village's edge, and a chamber.
 * Every block goes through evo_set_block, which refuses the chunk a player
 * stands in, so a project that would touch it is dropped for another. One
 * evolution entry a project. */
#include "agents/agent_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_block(AgentCtx *c, int32_t x, int32_t y, int32_t z, const char *name)
{
    int id = blocks_find(world_blocks(c->a->w), name);
    return id >= 0 && world_get_block(c->a->w, x, y, z) == (BlockId)id;
}

static int natural_ground(AgentCtx *c, int32_t x, int32_t y, int32_t z)
{
    return is_block(c, x, y, z, "grass") || is_block(c, x, y, z, "dirt") || is_block(c, x, y, z, "sand") ||
           is_block(c, x, y, z, "snow");
}

/* A flat w x d patch of natural ground with `clear` blocks of air above,
 * none of it guarded, around a spot near (cx, cz); *x0, *z0 its corner and
 * *gy its ground level. 0 when none is found in `tries`. */
static int find_flat(AgentCtx *c, int32_t cx, int32_t cz, int spread, int w, int d, int clear, int tries, int32_t *x0,
                     int32_t *z0, int *gy)
{
    for (int t = 0; t < tries; t++) {
        int32_t x = cx - spread + (int32_t)prng_below(&c->rng, (uint32_t)(2 * spread + 1));
        int32_t z = cz - spread + (int32_t)prng_below(&c->rng, (uint32_t)(2 * spread + 1));
        int y = agent_ground(c, x, z), ok = y > 0 && y + clear < WORLD_HEIGHT;
        for (int i = 0; ok && i < w; i++)
            for (int k = 0; ok && k < d; k++) {
                ok = !agent_guarded(c, x + i, z + k) && agent_ground(c, x + i, z + k) == y &&
                     natural_ground(c, x + i, y, z + k);
                for (int h = 1; ok && h <= clear; h++)
                    ok = world_get_block(c->a->w, x + i, y + h, z + k) == BLOCK_AIR;
            }
        if (ok) {
            *x0 = x, *z0 = z, *gy = y;
            return 1;
        }
    }
    return 0;
}

/* Whether a villager of village v (its entities in the chunks over and round its box, at the
 * levels near its ground) is called name. */
static int name_taken(AgentCtx *c, const GenStructure *v, int y, const char *name)
{
    for (int32_t cx = chunk_coord(v->x - 16); cx <= chunk_coord(v->x + v->w + 16); cx++)
        for (int32_t cz = chunk_coord(v->z - 16); cz <= chunk_coord(v->z + v->d + 16); cz++)
            for (int32_t cy = (y - 16) / CHUNK_SIZE; cy <= (y + 16) / CHUNK_SIZE; cy++) {
                if (cy < 0 || cy >= WORLD_CHUNKS_Y)
                    continue;
                Chunk *ch = world_chunk(c->a->w, cx, cy, cz, NULL);
                if (!ch)
                    continue;
                const cJSON *en;
                cJSON_ArrayForEach(en, ch->entities) {
                    const char *t = agent_sfield(en, "type", ""), *vil = agent_sfield(en, "village", "");
                    if (strcmp(t, "npc") == 0 && strcmp(vil, v->name) == 0 &&
                        strcmp(agent_sfield(en, "name", ""), name) == 0)
                        return 1;
                }
            }
    return 0;
}

static int center_x(const GenStructure *s) { return s->x + s->w / 2; }
static int center_z(const GenStructure *s) { return s->z + s->d / 2; }

static int build_house(AgentCtx *c, Evo *e, const GenStructure *v, cJSON *why, Err *err)
{
    int32_t x0, z0;
    int y;
    int spread = (v->w > v->d ? v->w : v->d) / 2 + 8;
    if (!find_flat(c, center_x(v), center_z(v), spread, 5, 5, 6, 60, &x0, &z0, &y))
        return MA_ERR_NOT_FOUND;
    int rc = MA_OK;
    for (int i = 0; i < 5 && rc == MA_OK; i++)
        for (int k = 0; k < 5 && rc == MA_OK; k++) {
            int edge = i == 0 || i == 4 || k == 0 || k == 4, corner = (i == 0 || i == 4) && (k == 0 || k == 4);
            rc = evo_set_block(e, x0 + i, y, z0 + k, edge ? "cobblestone" : "planks", err);
            for (int h = 1; h <= 3 && rc == MA_OK; h++) {
                const char *b = "air";
                if (corner)
                    b = "oak_log";
                else if (edge)
                    b = k == 0 && i == 2 && h <= 2 ? "door" : h == 2 && (i == 0 || i == 4) && k == 2 ? "glass" : "planks";
                else if (h == 1 && i == 1 && k == 3)
                    b = "bed";
                else if (h == 3 && i == 2 && k == 3)
                    b = "torch";
                rc = evo_set_block(e, x0 + i, y + h, z0 + k, b, err);
            }
            if (rc == MA_OK)
                rc = evo_set_block(e, x0 + i, y + 4, z0 + k, "planks", err);
        }
    if (rc != MA_OK)
        return rc;
    /* Someone moves in: a villager in the middle of the new house. */
    static const char *const roles[] = {"farmer", "smith", "trader", "guard", "priest"};
    static const char *const names[] = {"Edda", "Bram", "Wynn", "Osric", "Maren", "Tobin", "Ysolde", "Hale"};
    int32_t vx = x0 + 2, vz = z0 + 2, vy = y + 1;
    int32_t cx = chunk_coord(vx), cy = vy / CHUNK_SIZE, cz = chunk_coord(vz);
    char id[64];
    snprintf(id, sizeof id, "villager_%d_%d", vx, vz);
    if ((rc = evo_touch_entity(e, cx, cy, cz, id, err)) != MA_OK)
        return rc;
    Chunk *ch = world_chunk(c->a->w, cx, cy, cz, err);
    if (!ch)
        return err->code;
    const char *role = roles[prng_below(&c->rng, 5)];
    /* A first name no villager of the village has (two Ysoldes had moved into one village); when
     * every one is taken, the draw stands, and meeting them gives the second a byname. */
    uint32_t pick = prng_below(&c->rng, 8);
    for (int tries = 0; tries < 8 && name_taken(c, v, y, names[pick]); tries++)
        pick = (pick + 1) % 8;
    const char *name = names[pick];
    cJSON *npc = cJSON_CreateObject();
    cJSON_AddStringToObject(npc, "type", "npc");
    cJSON_AddStringToObject(npc, "id", id);
    cJSON_AddStringToObject(npc, "role", role);
    cJSON_AddStringToObject(npc, "name", name);
    cJSON_AddStringToObject(npc, "village", v->name);
    cJSON *pos = cJSON_AddArrayToObject(npc, "position");
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(vx)));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(vy % CHUNK_SIZE));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(vz)));
    cJSON *home = cJSON_AddArrayToObject(npc, "home");
    cJSON_AddItemToArray(home, cJSON_CreateNumber(vx));
    cJSON_AddItemToArray(home, cJSON_CreateNumber(vy));
    cJSON_AddItemToArray(home, cJSON_CreateNumber(vz));
    cJSON_AddItemToArray(ch->entities, npc);
    world_mark_dirty(c->a->w, cx, cy, cz);
    evo_summary(e, "a new house in %s, and %s the %s moves in", v->name, name, role);
    cJSON_AddStringToObject(why, "why", "the village is growing: a family needs a roof");
    return MA_OK;
}

static int build_well(AgentCtx *c, Evo *e, const GenStructure *v, cJSON *why, Err *err)
{
    int32_t x0, z0;
    int y;
    if (!find_flat(c, center_x(v), center_z(v), (v->w > v->d ? v->w : v->d) / 2 + 4, 3, 3, 3, 60, &x0, &z0, &y))
        return MA_ERR_NOT_FOUND;
    int rc = MA_OK;
    for (int i = 0; i < 3 && rc == MA_OK; i++)
        for (int k = 0; k < 3 && rc == MA_OK; k++) {
            int middle = i == 1 && k == 1;
            rc = evo_set_block(e, x0 + i, y - 1, z0 + k, middle ? "water" : "cobblestone", err);
            if (rc == MA_OK)
                rc = evo_set_block(e, x0 + i, y, z0 + k, middle ? "water" : "cobblestone", err);
            if (rc == MA_OK && !middle)
                rc = evo_set_block(e, x0 + i, y + 1, z0 + k, (i + k) % 2 ? "air" : "cobblestone", err);
        }
    evo_summary(e, "a new well in %s", v->name);
    cJSON_AddStringToObject(why, "why", "more houses than one well can serve");
    return rc;
}

static int build_wall(AgentCtx *c, Evo *e, const GenStructure *v, cJSON *why, Err *err)
{
    int side = (int)prng_below(&c->rng, 4), len = 10, rc = MA_OK, placed = 0;
    int32_t x = side == 0 ? v->x - 3 : side == 1 ? v->x + v->w + 2 : v->x + (int32_t)prng_below(&c->rng, (uint32_t)(v->w > len ? v->w - len : 1));
    int32_t z = side >= 2 ? (side == 2 ? v->z - 3 : v->z + v->d + 2) : v->z + (int32_t)prng_below(&c->rng, (uint32_t)(v->d > len ? v->d - len : 1));
    for (int i = 0; i < len && rc == MA_OK; i++) {
        int32_t wx = side < 2 ? x : x + i, wz = side < 2 ? z + i : z;
        int y = agent_ground(c, wx, wz);
        if (y <= 0 || agent_guarded(c, wx, wz) || !natural_ground(c, wx, y, wz) ||
            world_get_block(c->a->w, wx, y + 1, wz) != BLOCK_AIR)
            continue;
        rc = evo_set_block(e, wx, y + 1, wz, "cobblestone", err);
        if (rc == MA_OK)
            rc = evo_set_block(e, wx, y + 2, wz, "cobblestone", err);
        placed++;
    }
    if (rc == MA_OK && placed < 3)
        return MA_ERR_NOT_FOUND;
    static const char *const sides[] = {"west", "east", "north", "south"};
    evo_summary(e, "a wall on the %s side of %s", sides[side], v->name);
    cJSON_AddStringToObject(why, "why", "raids and wolves at night: the village wants walls");
    return rc;
}

/* A road towards the nearest other village; its progress is kept in the state. */
static int build_path(AgentCtx *c, Evo *e, const GenStructure *v, int nv, const GenStructure *all, cJSON *why, Err *err)
{
    const GenStructure *to = NULL;
    long best = 0;
    for (int i = 0; i < nv; i++) {
        if (&all[i] == v)
            continue;
        long dx = center_x(&all[i]) - center_x(v), dz = center_z(&all[i]) - center_z(v), d2 = dx * dx + dz * dz;
        if (d2 < 400L * 400L && (!to || d2 < best)) {
            to = &all[i];
            best = d2;
        }
    }
    if (!to)
        return MA_ERR_NOT_FOUND;
    char key[160];
    snprintf(key, sizeof key, "%s>%s", v->name, to->name);
    cJSON *paths = cJSON_GetObjectItemCaseSensitive(c->state, "paths");
    if (!paths)
        paths = cJSON_AddObjectToObject(c->state, "paths");
    int done = (int)agent_nfield(paths, key, 0);
    int32_t ax = center_x(v), az = center_z(v), bx = center_x(to), bz = center_z(to);
    int steps = abs(bx - ax) > abs(bz - az) ? abs(bx - ax) : abs(bz - az);
    if (done >= steps)
        return MA_ERR_NOT_FOUND;
    int rc = MA_OK, laid = 0, bridge = 0, start = done;
    for (; done < steps && laid < 20 && rc == MA_OK; done++) {
        int32_t x = ax + (int32_t)((long)(bx - ax) * done / steps), z = az + (int32_t)((long)(bz - az) * done / steps);
        if (agent_guarded(c, x, z))
            continue;
        int y = agent_ground(c, x, z);
        if (y <= 0)
            continue;
        if (is_block(c, x, y, z, "water")) {
            rc = evo_set_block(e, x, y, z, "planks", err);
            bridge++;
        } else if (natural_ground(c, x, y, z)) {
            rc = evo_set_block(e, x, y, z, "gravel", err);
        } else {
            continue;
        }
        laid++;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(paths, key);
    cJSON_AddNumberToObject(paths, key, done);
    if (rc != MA_OK)
        return rc;
    if (laid == 0)
        return MA_ERR_NOT_FOUND;
    evo_summary(e, "%s %d blocks of the road from %s to %s%s", start == 0 ? "the first" : "another", laid, v->name,
                to->name, bridge ? ", with a bridge" : "");
    cJSON_AddStringToObject(why, "why", "two villages close enough to trade want a road between them");
    cJSON_AddNumberToObject(why, "road_done", done);
    cJSON_AddNumberToObject(why, "road_length", steps);
    return MA_OK;
}

static int decay_ruin(AgentCtx *c, Evo *e, cJSON *why, Err *err)
{
    GenStructure r[4];
    int nr = agent_places(c, "ruins", (int)agent_nfield(c->conf, "radius", 192), r, 4);
    if (nr == 0)
        return MA_ERR_NOT_FOUND;
    const GenStructure *ru = &r[prng_below(&c->rng, (uint32_t)nr)];
    int rc = MA_OK, n = 0;
    for (int t = 0; t < 400 && n < 6 && rc == MA_OK; t++) {
        int32_t x = ru->x + (int32_t)prng_below(&c->rng, (uint32_t)(ru->w > 0 ? ru->w : 1));
        int32_t z = ru->z + (int32_t)prng_below(&c->rng, (uint32_t)(ru->d > 0 ? ru->d : 1));
        int32_t y = ru->y + (int32_t)prng_below(&c->rng, (uint32_t)(ru->h > 0 ? ru->h : 1));
        if (agent_guarded(c, x, z))
            continue;
        if (is_block(c, x, y, z, "cobblestone")) {
            rc = evo_set_block(e, x, y, z, prng_below(&c->rng, 2) ? "mossy_cobblestone" : "air", err);
            n++;
        } else if (is_block(c, x, y, z, "planks")) {
            rc = evo_set_block(e, x, y, z, "air", err);
            n++;
        }
    }
    if (rc == MA_OK && n == 0)
        return MA_ERR_NOT_FOUND;
    evo_summary(e, "%s crumble a little more", ru->name); /* "Ruins of Thornholm" */
    char text[128];
    snprintf(text, sizeof text, "weather and years: %d stones of the ruin gave way", n);
    cJSON_AddStringToObject(why, "why", text);
    cJSON_AddStringToObject(why, "ruin", ru->name);
    return rc;
}

static int dig_mine(AgentCtx *c, Evo *e, const GenStructure *v, cJSON *why, Err *err)
{
    int32_t x0, z0;
    int y;
    int spread = (v->w > v->d ? v->w : v->d) / 2 + 10;
    if (!find_flat(c, center_x(v), center_z(v), spread, 3, 3, 2, 60, &x0, &z0, &y) || y < 30)
        return MA_ERR_NOT_FOUND;
    int32_t sx = x0 + 1, sz = z0 + 1;
    int depth = 12, rc = MA_OK;
    /* A cobblestone collar, a ladder shaft, and a small chamber with a torch at the bottom. */
    for (int i = 0; i < 3 && rc == MA_OK; i++)
        for (int k = 0; k < 3 && rc == MA_OK; k++)
            if (i != 1 || k != 1)
                rc = evo_set_block(e, x0 + i, y, z0 + k, "cobblestone", err);
    for (int d = 0; d < depth && rc == MA_OK; d++)
        rc = evo_set_block(e, sx, y - d, sz, "ladder", err);
    int by = y - depth;
    for (int i = -1; i <= 1 && rc == MA_OK; i++)
        for (int k = -1; k <= 1 && rc == MA_OK; k++)
            for (int h = 0; h < 2 && rc == MA_OK; h++)
                if (i || k)
                    rc = evo_set_block(e, sx + i, by + h, sz + k, "air", err);
    if (rc == MA_OK)
        rc = evo_set_block(e, sx + 1, by + 1, sz, "torch", err);
    evo_summary(e, "a mine shaft dug at the edge of %s, %d blocks deep", v->name, depth);
    cJSON_AddStringToObject(why, "why", "the smiths of the village want ore of their own");
    return rc;
}

int world_builder_run(AgentCtx *c, Err *err)
{
    if (c->n_players == 0 || prng_unit(&c->rng) >= agent_nfield(c->conf, "chance", 0.8))
        return MA_OK;
    GenStructure v[8];
    int nv = agent_places(c, "village", (int)agent_nfield(c->conf, "radius", 192), v, 8);
    const cJSON *weights = cJSON_GetObjectItemCaseSensitive(c->conf, "projects");
    for (int attempt = 0; attempt < 4; attempt++) {
        const char *project = agent_pick_weighted(c, weights);
        if (!project)
            return MA_OK;
        if (nv == 0 && strcmp(project, "decay") != 0)
            continue;
        const GenStructure *vil = nv ? &v[prng_below(&c->rng, (uint32_t)nv)] : NULL;
        Evo *e = agent_evo(c);
        if (!e)
            return err_set(err, MA_ERR_NOMEM, "out of memory");
        cJSON *why = cJSON_CreateObject();
        cJSON_AddStringToObject(why, "project", project);
        if (vil) {
            cJSON_AddStringToObject(why, "village", vil->name);
            char saw[160];
            snprintf(saw, sizeof saw, "%s, %d blocks across, within %d blocks of a player", vil->name, vil->w,
                     (int)agent_nfield(c->conf, "radius", 192));
            cJSON_AddStringToObject(why, "saw", saw);
        }
        int rc;
        if (strcmp(project, "house") == 0)
            rc = build_house(c, e, vil, why, err);
        else if (strcmp(project, "well") == 0)
            rc = build_well(c, e, vil, why, err);
        else if (strcmp(project, "wall") == 0)
            rc = build_wall(c, e, vil, why, err);
        else if (strcmp(project, "path") == 0)
            rc = build_path(c, e, vil, nv, v, why, err);
        else if (strcmp(project, "mine") == 0)
            rc = dig_mine(c, e, vil, why, err);
        else
            rc = decay_ruin(c, e, why, err);
        if (rc == MA_ERR_NOT_FOUND || (rc == MA_ERR_INVALID && strstr(err->msg, "player stands"))) {
            /* No room, or it would touch a player's chunk: another project, or another day. What was
             * set of it is only in the cache (never written): drop it. */
            cJSON_Delete(why);
            err_clear(err);
            evo_free(e);
            world_forget(c->a->w);
            continue;
        }
        if (rc == MA_OK)
            rc = agent_commit(c, e, "build", why, NULL, err);
        else
            cJSON_Delete(why);
        evo_free(e);
        return rc;
    }
    return MA_OK;
}
