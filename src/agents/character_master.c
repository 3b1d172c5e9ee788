/* character_master.c — the villagers' days.
 *
 * At every tick, in each village near a player, the villagers walk: to work at
 * 06:00 (between home and the well, by role), to the village green at noon,
 * home at 19:00 (a villager remembers where home is the first time it moves).
 * A villager in a player's chunk, or whose way ends there, stays put.
 * At 19:00 the village gossips: each villager who knows a player moves their
 * opinion of that player toward the village's (data/agents.json: gossip, the
 * fraction of the gap closed), with the change in the relationship's history.
 * At 06:00 a villager may come to need something (data/agents.json: needs),
 * remembered for "need_days" days, which the quest generator turns into a
 * request. One evolution entry per village and kind of change. */
#include "agents/agent_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/characters.h"
#include "save/skills.h"

typedef struct Walker {
    char id[64];
    int32_t x, y, z;       /* where it stands */
    int32_t hx, hy, hz;    /* home */
    char role[16], name[48];
} Walker;

/* Where a villager can stand near (x, z): on the ground with two cells of air. */
static int stand_at(AgentCtx *c, int32_t x, int32_t z, int32_t *y)
{
    int g = agent_ground(c, x, z);
    if (g <= 0 || g + 2 >= WORLD_HEIGHT)
        return 0;
    const BlockDef *d = blocks_get(world_blocks(c->a->w), world_get_block(c->a->w, x, g, z));
    if (d->liquid || world_get_block(c->a->w, x, g + 1, z) != BLOCK_AIR || world_get_block(c->a->w, x, g + 2, z) != BLOCK_AIR)
        return 0;
    *y = g + 1;
    return 1;
}

static int move_villager(AgentCtx *c, Evo *e, const Walker *w, int32_t tx, int32_t ty, int32_t tz, Err *err)
{
    int32_t ocx = chunk_coord(w->x), ocy = w->y / CHUNK_SIZE, ocz = chunk_coord(w->z);
    int32_t ncx = chunk_coord(tx), ncy = ty / CHUNK_SIZE, ncz = chunk_coord(tz);
    int rc = evo_touch_entity(e, ocx, ocy, ocz, w->id, err);
    if (rc == MA_OK)
        rc = evo_touch_entity(e, ncx, ncy, ncz, w->id, err);
    if (rc != MA_OK)
        return rc;
    Chunk *from = world_chunk(c->a->w, ocx, ocy, ocz, err);
    if (!from)
        return err->code;
    int i;
    if (!chunk_entity_find(from, w->id, &i))
        return MA_OK;
    cJSON *ent = cJSON_DetachItemFromArray(from->entities, i);
    world_mark_dirty(c->a->w, ocx, ocy, ocz);
    cJSON *pos = cJSON_CreateArray();
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(tx)));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(ty % CHUNK_SIZE));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(tz)));
    cJSON_ReplaceItemInObjectCaseSensitive(ent, "position", pos);
    if (!cJSON_GetObjectItemCaseSensitive(ent, "home")) {
        cJSON *home = cJSON_AddArrayToObject(ent, "home");
        cJSON_AddItemToArray(home, cJSON_CreateNumber(w->hx));
        cJSON_AddItemToArray(home, cJSON_CreateNumber(w->hy));
        cJSON_AddItemToArray(home, cJSON_CreateNumber(w->hz));
    }
    Chunk *to = world_chunk(c->a->w, ncx, ncy, ncz, err);
    if (!to) {
        cJSON_Delete(ent);
        return err->code;
    }
    cJSON_AddItemToArray(to->entities, ent);
    world_mark_dirty(c->a->w, ncx, ncy, ncz);
    return MA_OK;
}

static int walk(AgentCtx *c, const GenStructure *v, Walker *ws, int n, Err *err)
{
    static const char *const where[] = {"go to work", "gather on the village green", "go home"};
    static const char *const where_one[] = {"goes to work", "gathers on the village green", "goes home"};
    int32_t cx = v->x + v->w / 2, cz = v->z + v->d / 2;
    Evo *e = agent_evo(c);
    if (!e)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    int moved = 0, rc = MA_OK;
    for (int i = 0; i < n && rc == MA_OK; i++) {
        Walker *w = &ws[i];
        int32_t tx, tz;
        if (c->phase == 2) {
            tx = w->hx, tz = w->hz;
        } else if (c->phase == 1) {
            tx = cx - 3 + (int32_t)prng_below(&c->rng, 7);
            tz = cz - 3 + (int32_t)prng_below(&c->rng, 7);
        } else {
            /* Work: two thirds of the way from home to the well, the smith and the guard by the well itself. */
            int by_well = strcmp(w->role, "smith") == 0 || strcmp(w->role, "guard") == 0 || strcmp(w->role, "trader") == 0;
            tx = by_well ? cx + (int32_t)prng_below(&c->rng, 5) - 2 : w->hx + (cx - w->hx) * 2 / 3;
            tz = by_well ? cz + (int32_t)prng_below(&c->rng, 5) - 2 : w->hz + (cz - w->hz) * 2 / 3;
        }
        int32_t ty;
        if ((tx == w->x && tz == w->z) || agent_guarded(c, w->x, w->z) || agent_guarded(c, tx, tz))
            continue;
        if (c->phase == 2)
            ty = w->hy;
        else if (!stand_at(c, tx, tz, &ty))
            continue;
        rc = move_villager(c, e, w, tx, ty, tz, err);
        moved++;
    }
    if (rc == MA_OK && moved > 0) {
        evo_summary(e, "%d villager%s of %s %s", moved, moved == 1 ? "" : "s", v->name,
                    (moved == 1 ? where_one : where)[c->phase]);
        cJSON *why = cJSON_CreateObject();
        static const char *const hours[] = {"06:00", "12:00", "19:00"};
        cJSON_AddStringToObject(why, "saw", hours[c->phase]);
        cJSON_AddStringToObject(why, "why", "villagers keep the hours of the village: work, the green, home");
        rc = agent_commit(c, e, "schedule", why, NULL, err);
    }
    evo_free(e);
    return rc;
}

/* The village's opinion of each player spreads: villagers who know the player move toward the mean. */
static int gossip(AgentCtx *c, const GenStructure *v, Err *err)
{
    CharacterRow *rows = NULL;
    int n = 0;
    int rc = characters_list_by_world(c->a->s, c->a->world_id, &rows, &n, err);
    if (rc != MA_OK)
        return rc;
    double share = agent_nfield(c->conf, "gossip", 0.2);
    for (int p = 0; p < c->n_players && rc == MA_OK; p++) {
        int64_t who = c->players[p].id;
        int64_t ids[64];
        int values[64], k = 0;
        double sum = 0;
        for (int i = 0; i < n && k < 64; i++) {
            if (rows[i].user_id > 0 || strcmp(agent_sfield(rows[i].appearance, "village", ""), v->name) != 0)
                continue;
            RelationshipRow rel;
            if (relationships_get(c->a->s, rows[i].id, who, &rel, NULL) != MA_OK)
                continue;
            ids[k] = rows[i].id;
            values[k] = rel.relationship_value;
            sum += rel.relationship_value;
            k++;
            relationship_row_clear(&rel);
        }
        if (k < 2)
            continue;
        double mean = sum / k;
        Evo *e = agent_evo(c);
        if (!e) {
            rc = err_set(err, MA_ERR_NOMEM, "out of memory");
            break;
        }
        int changed = 0;
        for (int i = 0; i < k && rc == MA_OK; i++) {
            int delta = (int)lround((mean - values[i]) * share);
            if (delta == 0)
                continue;
            RelationshipRow rel;
            if ((rc = relationships_get(c->a->s, ids[i], who, &rel, err)) != MA_OK)
                break;
            rc = evo_touch_row(e, "character_relationships", rel.id, err);
            relationship_row_clear(&rel);
            cJSON *h = cJSON_CreateObject();
            cJSON_AddStringToObject(h, "deed", "gossip");
            cJSON_AddNumberToObject(h, "delta", delta);
            char why[120];
            snprintf(why, sizeof why, "what %s says about %s", v->name, c->players[p].name);
            cJSON_AddStringToObject(h, "reason", why);
            char at[32];
            cJSON_AddStringToObject(h, "at", calendar_iso(c->turn, at, sizeof at));
            if (rc == MA_OK)
                rc = relationships_change(c->a->s, ids[i], who, delta, h, NULL, err);
            cJSON_Delete(h);
            changed++;
        }
        if (rc == MA_OK && changed) {
            evo_summary(e, "gossip in %s: %d %s opinion of %s drifts toward %+.0f", v->name, changed,
                        changed == 1 ? "villager's" : "villagers'", c->players[p].name, mean);
            cJSON *why = cJSON_CreateObject();
            cJSON_AddNumberToObject(why, "village_opinion", mean);
            cJSON_AddNumberToObject(why, "villagers_who_know", k);
            cJSON_AddStringToObject(why, "why", "villagers talk in the evening: an opinion spreads along who knows whom");
            rc = agent_commit(c, e, "gossip", why, NULL, err);
        }
        evo_free(e);
    }
    characters_list_free(rows, n);
    return rc;
}

/* A villager comes to need something; the quest generator reads it. */
static int need(AgentCtx *c, const GenStructure *v, const Walker *ws, int n, Err *err)
{
    if (n == 0 || prng_unit(&c->rng) >= agent_nfield(c->conf, "need_chance", 0.5))
        return MA_OK;
    const Walker *w = &ws[prng_below(&c->rng, (uint32_t)n)];
    MemoryRow *m = NULL;
    int nm = 0;
    int rc = agent_recall(c, "need", &m, &nm, err);
    if (rc != MA_OK)
        return rc;
    for (int i = 0; i < nm; i++)
        if (strcmp(agent_sfield(m[i].memory_data, "entity", ""), w->id) == 0) {
            memory_list_free(m, nm);
            return MA_OK; /* one need at a time */
        }
    memory_list_free(m, nm);
    const cJSON *needs = cJSON_GetObjectItemCaseSensitive(c->a->config, "needs"), *it;
    const cJSON *fit[16];
    int nf = 0;
    cJSON_ArrayForEach(it, needs) if (nf < 16 && strcmp(agent_sfield(it, "role", ""), w->role) == 0) fit[nf++] = it;
    if (nf == 0)
        return MA_OK;
    const cJSON *chosen = fit[prng_below(&c->rng, (uint32_t)nf)];
    char text[200];
    agent_fill(text, sizeof text, agent_sfield(chosen, "text", "{villager} needs something."), "villager", w->name,
               NULL);
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "villager", w->name);
    cJSON_AddStringToObject(data, "entity", w->id);
    cJSON_AddStringToObject(data, "role", w->role);
    cJSON_AddStringToObject(data, "village", v->name);
    cJSON_AddStringToObject(data, "item", agent_sfield(chosen, "item", "bread"));
    cJSON_AddNumberToObject(data, "count", agent_nfield(chosen, "count", 1));
    cJSON_AddStringToObject(data, "text", text);
    Evo *e = agent_evo(c);
    if (!e) {
        cJSON_Delete(data);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    int64_t days = (int64_t)agent_nfield(c->conf, "need_days", 3);
    MemoryRow row;
    memset(&row, 0, sizeof row);
    row.agent_id = c->agent_id;
    row.world_id = c->a->world_id;
    snprintf(row.memory_type, sizeof row.memory_type, "need");
    row.memory_data = data;
    calendar_iso(c->turn, row.created_at, sizeof row.created_at);
    calendar_iso(c->turn + days * TURNS_PER_DAY, row.expires_at, sizeof row.expires_at);
    rc = memory_remember(c->a->s, &row, err);
    if (rc == MA_OK)
        rc = evo_new_row(e, "agent_memory", row.id, err);
    memory_row_clear(&row);
    if (rc == MA_OK) {
        evo_summary(e, "%s", text);
        cJSON *why = cJSON_CreateObject();
        cJSON_AddStringToObject(why, "why", "a villager's daily life runs short of something; a traveller could help");
        rc = agent_commit(c, e, "need", why, NULL, err);
    }
    evo_free(e);
    return rc;
}

int character_master_run(AgentCtx *c, Err *err)
{
    GenStructure v[8];
    int nv = agent_places(c, "village", (int)agent_nfield(c->conf, "radius", 192), v, 8), rc = MA_OK;
    for (int i = 0; i < nv && rc == MA_OK; i++) {
        AgentVillager found[64];
        int n = agent_villagers(c, &v[i], found, 64, err);
        if (n < 0)
            return n;
        /* Copies: moving one villager may load chunks and evict the ones the others were read from. */
        Walker ws[64];
        for (int k = 0; k < n; k++) {
            Walker *w = &ws[k];
            memset(w, 0, sizeof *w);
            snprintf(w->id, sizeof w->id, "%s", agent_sfield(found[k].e, "id", ""));
            snprintf(w->role, sizeof w->role, "%s", agent_sfield(found[k].e, "role", "farmer"));
            snprintf(w->name, sizeof w->name, "%s", agent_sfield(found[k].e, "name", "A villager"));
            w->x = found[k].x, w->y = found[k].y, w->z = found[k].z;
            const cJSON *home = cJSON_GetObjectItemCaseSensitive(found[k].e, "home");
            if (cJSON_GetArraySize(home) == 3) {
                w->hx = cJSON_GetArrayItem(home, 0)->valueint;
                w->hy = cJSON_GetArrayItem(home, 1)->valueint;
                w->hz = cJSON_GetArrayItem(home, 2)->valueint;
            } else {
                w->hx = w->x, w->hy = w->y, w->hz = w->z;
            }
        }
        rc = walk(c, &v[i], ws, n, err);
        if (rc == MA_OK && c->phase == 2)
            rc = gossip(c, &v[i], err);
        if (rc == MA_OK && c->phase == 0)
            rc = need(c, &v[i], ws, n, err);
    }
    return rc;
}
