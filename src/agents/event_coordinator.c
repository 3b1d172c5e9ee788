/* event_coordinator.c — the calendar of the world.
 *
 * Once a day (06:00) it looks at the date and at what the player has done:
 *   - the first day of a season starts the season's event (its spawn and
 *     price multipliers from data/agents.json) and changes the surface around
 *     the villages near the players: snow on the ground in winter (melted in
 *     spring), wheat on the farmland in summer (harvested in autumn);
 *   - festivals on their day of their season;
 *   - by chance: a blood moon tonight (hostile spawns at night times three),
 *     a storm today, a raid on a village (hostile creatures at its edge);
 *   - deeds: a quest completed is celebrated in the nearest village (a feast:
 *     prices down for a day); ten wolves slain make the wolves retreat.
 * Each is one world_events row (start and end in game time) and one
 * evolution entry with its blocks and creatures. */
#include "agents/agent_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/events.h"
#include "util/text.h"

/* Inserts an event row inside e: start and end in game turns; its id goes to *id (may be NULL). */
static int add_event(AgentCtx *c, Evo *e, const char *type, const char *name, const char *text, cJSON *data,
                     int64_t start, int64_t end, int64_t *id, Err *err)
{
    EventRow r;
    memset(&r, 0, sizeof r);
    r.world_id = c->a->world_id;
    snprintf(r.event_type, sizeof r.event_type, "%s", type);
    snprintf(r.event_name, sizeof r.event_name, "%s", name);
    r.description = strdup(text);
    r.event_data = data ? data : cJSON_CreateObject();
    cJSON_AddNumberToObject(r.event_data, "start_turn", (double)start);
    cJSON_AddNumberToObject(r.event_data, "end_turn", (double)end);
    calendar_iso(start, r.start_time, sizeof r.start_time);
    calendar_iso(end, r.end_time, sizeof r.end_time);
    r.is_active = 1;
    int rc = events_insert(c->a->s, &r, err);
    if (rc == MA_OK)
        rc = evo_new_row(e, "world_events", r.id, err);
    if (id)
        *id = r.id;
    event_row_clear(&r);
    return rc;
}

static cJSON *reason(const char *saw, const char *why)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "saw", saw);
    cJSON_AddStringToObject(r, "why", why);
    return r;
}

/* An event with nothing but its row. */
static int simple_event(AgentCtx *c, const char *type, const char *name, const char *text, cJSON *data, int64_t start,
                        int64_t end, cJSON *why, Err *err)
{
    Evo *e = agent_evo(c);
    if (!e) {
        cJSON_Delete(data);
        cJSON_Delete(why);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    evo_summary(e, "%s", name);
    int64_t event = 0, entry = 0;
    int rc = add_event(c, e, type, name, text, data, start, end, &event, err);
    if (rc == MA_OK)
        rc = agent_commit(c, e, "event", why, &entry, err);
    else
        cJSON_Delete(why);
    if (rc == MA_OK)
        rc = agent_llm_rewrite(c, LLM_EVENT, event, entry, err);
    evo_free(e);
    return rc;
}

/* Changes the surface around the villages: every cell of their boxes (and a
 * margin) whose top block is `on` and has air above gets `put` on top (or,
 * with replace, instead); at most max cells. */
static int change_surface(AgentCtx *c, Evo *e, const char *on, const char *put, int replace, int max, Err *err)
{
    GenStructure v[8];
    int nv = agent_places(c, "village", (int)agent_nfield(c->conf, "radius", 192), v, 8);
    int on_id = blocks_find(world_blocks(c->a->w), on), done = 0;
    if (on_id < 0)
        return MA_OK;
    for (int i = 0; i < nv && done < max; i++) {
        for (int32_t x = v[i].x - 4; x < v[i].x + v[i].w + 4 && done < max; x++)
            for (int32_t z = v[i].z - 4; z < v[i].z + v[i].d + 4 && done < max; z++) {
                if (agent_guarded(c, x, z) || prng_below(&c->rng, 4) != 0)
                    continue; /* a scatter, not a carpet */
                int y = agent_ground(c, x, z);
                if (y < 0 || y + 1 >= WORLD_HEIGHT || world_get_block(c->a->w, x, y, z) != (BlockId)on_id ||
                    world_get_block(c->a->w, x, y + 1, z) != BLOCK_AIR)
                    continue;
                int rc = evo_set_block(e, x, replace ? y : y + 1, z, put, err);
                if (rc != MA_OK)
                    return rc;
                done++;
            }
    }
    return MA_OK;
}

static int season_begins(AgentCtx *c, Season s, Err *err)
{
    const char *name = calendar_season_name(s);
    const cJSON *conf = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c->a->config, "seasons"), name);
    char title[64];
    snprintf(title, sizeof title, "%c%s, year %lld", name[0] - 32, name + 1, (long long)calendar_year(c->turn));
    Evo *e = agent_evo(c);
    if (!e)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    evo_summary(e, "%s begins", title);
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "season", name);
    cJSON_AddNumberToObject(data, "spawn_rate", agent_nfield(conf, "spawn_rate", 1));
    cJSON_AddNumberToObject(data, "price", agent_nfield(conf, "price", 1));
    int64_t start = calendar_day_start(c->day);
    int rc = add_event(c, e, "season", title, agent_sfield(conf, "text", ""), data, start,
                       start + (int64_t)CALENDAR_SEASON_DAYS * TURNS_PER_DAY, NULL, err);
    int snow = (int)agent_nfield(c->conf, "snow_blocks", 160), crops = (int)agent_nfield(c->conf, "crop_blocks", 40);
    const char *surface = "";
    if (rc == MA_OK && s == SEASON_WINTER) {
        rc = change_surface(c, e, "grass", "snow", 0, snow, err);
        surface = "snow settles on the fields around the villages";
    } else if (rc == MA_OK && s == SEASON_SPRING) {
        rc = change_surface(c, e, "snow", "air", 1, snow * 4, err);
        surface = "the snow around the villages melts";
    } else if (rc == MA_OK && s == SEASON_SUMMER) {
        rc = change_surface(c, e, "farmland", "wheat", 0, crops, err);
        surface = "wheat stands high on the farmland";
    } else if (rc == MA_OK && s == SEASON_AUTUMN) {
        rc = change_surface(c, e, "wheat", "air", 1, crops * 4, err);
        surface = "the wheat is harvested";
    }
    if (rc == MA_OK) {
        cJSON *why = reason("the first day of a season", surface);
        cJSON_AddStringToObject(why, "season", name);
        rc = agent_commit(c, e, "season", why, NULL, err);
    }
    evo_free(e);
    return rc;
}

/* How close to a player a raider may appear: at the edge of sight, not at the player's elbow. */
#define RAID_MIN_DIST 12

static int near_a_player(const AgentCtx *c, int32_t x, int32_t z)
{
    for (int i = 0; i < c->n_players; i++)
        if (abs(c->players[i].x - x) < RAID_MIN_DIST && abs(c->players[i].z - z) < RAID_MIN_DIST)
            return 1;
    return 0;
}

/* Hostile creatures at the edge of a village near a player; never on the world's first day (a new
 * player starts in a village and has a day to find their feet), never within a few steps of one. */
static int raid(AgentCtx *c, Err *err)
{
    if (c->day < 1) /* the calendar's first day (its run at 06:00 of day 1 is turn 660) */
        return MA_OK;
    GenStructure v[4];
    int nv = agent_places(c, "village", (int)agent_nfield(c->conf, "radius", 192), v, 4);
    if (nv == 0)
        return MA_OK;
    const GenStructure *vil = &v[prng_below(&c->rng, (uint32_t)nv)];
    static const char *const raiders[] = {"bandit", "zombie", "wolf"};
    const char *kind = raiders[prng_below(&c->rng, 3)];
    if (!creatures_find(c->a->creatures, kind))
        return MA_OK;
    Evo *e = agent_evo(c);
    if (!e)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    char name[96], text[200], plural[48];
    const CreatureDef *raider = creatures_find(c->a->creatures, kind);
    text_plural(raider->name, 2, plural, sizeof plural);
    snprintf(name, sizeof name, "Raid on %s", vil->name);
    snprintf(text, sizeof text, "A band of %s gathers at the edge of %s. The villagers bar their doors.", plural,
             vil->name);
    evo_summary(e, "%s: %s gather at its edge", name, plural);
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "village", vil->name);
    cJSON_AddStringToObject(data, "creature", kind);
    cJSON *ids = cJSON_AddArrayToObject(data, "creatures");
    int64_t start = c->turn;
    int rc = MA_OK, n = prng_range(&c->rng, 3, 5), placed = 0;
    for (int i = 0; i < n * 4 && placed < n && rc == MA_OK; i++) {
        int32_t x = vil->x - 6 + (int32_t)prng_below(&c->rng, (uint32_t)(vil->w + 12));
        int32_t z = prng_below(&c->rng, 2) ? vil->z - 6 : vil->z + vil->d + 5;
        if (agent_guarded(c, x, z) || near_a_player(c, x, z))
            continue;
        int y = agent_ground(c, x, z) + 1;
        if (y <= 0 || y + 1 >= WORLD_HEIGHT || world_get_block(c->a->w, x, y, z) != BLOCK_AIR)
            continue;
        int32_t cx = chunk_coord(x), cy = y / CHUNK_SIZE, cz = chunk_coord(z);
        char id[64];
        snprintf(id, sizeof id, "raider_%lld_%d", (long long)c->tick, i);
        if ((rc = evo_touch_entity(e, cx, cy, cz, id, err)) != MA_OK)
            break;
        Chunk *ch = world_chunk(c->a->w, cx, cy, cz, err);
        if (!ch) {
            rc = err->code;
            break;
        }
        const CreatureDef *d = creatures_find(c->a->creatures, kind);
        cJSON *ent = cJSON_CreateObject();
        cJSON_AddStringToObject(ent, "type", "creature");
        cJSON_AddStringToObject(ent, "kind", kind);
        cJSON_AddStringToObject(ent, "id", id);
        cJSON_AddNumberToObject(ent, "hp", d->health);
        cJSON *pos = cJSON_AddArrayToObject(ent, "position");
        cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(x)));
        cJSON_AddItemToArray(pos, cJSON_CreateNumber(y % CHUNK_SIZE));
        cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(z)));
        cJSON_AddItemToArray(ch->entities, ent);
        world_mark_dirty(c->a->w, cx, cy, cz);
        cJSON_AddItemToArray(ids, cJSON_CreateString(id));
        placed++;
    }
    int64_t event = 0, entry = 0;
    if (rc == MA_OK && placed > 0)
        rc = add_event(c, e, "raid", name, text, data, start, start + TURNS_PER_DAY, &event, err);
    else
        cJSON_Delete(data);
    if (rc == MA_OK && placed > 0) {
        cJSON *why = reason("a village near the players, with no walls against the night",
                            "raids come now and then (data/agents.json: raid)");
        cJSON_AddNumberToObject(why, "chance", agent_nfield(c->conf, "raid", 0));
        rc = agent_commit(c, e, "event", why, &entry, err);
    }
    if (rc == MA_OK && placed > 0)
        rc = agent_llm_rewrite(c, LLM_EVENT, event, entry, err);
    evo_free(e);
    return rc;
}

/* Deeds remembered since the last look become celebrations and retreats. */
/* Whether an event of this name is on now (a feast for the same player in the same village). */
static int event_on(AgentCtx *c, const char *name, Err *err)
{
    char now[32];
    calendar_iso(c->turn, now, sizeof now);
    EventRow *rows = NULL;
    int n = 0, on = 0;
    if (events_list_active(c->a->s, c->a->world_id, now, &rows, &n, err) != MA_OK)
        return -1;
    for (int i = 0; i < n && !on; i++)
        on = strcmp(rows[i].event_name, name) == 0;
    events_list_free(rows, n);
    return on;
}

static int answer_deeds(AgentCtx *c, Err *err)
{
    MemoryRow *m = NULL;
    int n = 0;
    int rc = agent_recall(c, "deed", &m, &n, err);
    if (rc != MA_OK)
        return rc;
    int64_t seen = (int64_t)agent_nfield(c->state, "deeds_seen_id", 0), newest = seen;
    for (int i = 0; i < n && rc == MA_OK; i++) {
        if (m[i].id <= seen)
            continue;
        newest = m[i].id > newest ? m[i].id : newest;
        const char *what = agent_sfield(m[i].memory_data, "what", "");
        const char *who = agent_sfield(m[i].memory_data, "name", "a traveller");
        if (strcmp(what, "quests_completed") == 0) {
            GenStructure v[1];
            if (agent_places(c, "village", 512, v, 1) == 0)
                continue;
            char name[96], text[240];
            snprintf(name, sizeof name, "A feast for %s in %s", who, v[0].name);
            /* One feast at a time for one player in one village, however many quests they handed
             * in (four quests had made four feasts, four lines in the panel and the chronicle). */
            int on = event_on(c, name, err);
            if (on < 0) {
                rc = err->code;
                break;
            }
            if (on)
                continue;
            snprintf(text, sizeof text, "%s finished what was asked of them, and %s lays the tables: the traders "
                                        "are in a generous mood.", who, v[0].name);
            cJSON *data = cJSON_CreateObject();
            cJSON_AddNumberToObject(data, "price", 0.85);
            cJSON_AddStringToObject(data, "village", v[0].name);
            cJSON *why = reason("a quest completed", "a deed the villages celebrate");
            cJSON_AddNumberToObject(why, "memory", (double)m[i].id);
            rc = simple_event(c, "celebration", name, text, data, c->turn, c->turn + TURNS_PER_DAY, why, err);
        } else if (strcmp(what, "slain") == 0 && strcmp(agent_sfield(m[i].memory_data, "kind", ""), "wolf") == 0 &&
                   agent_nfield(m[i].memory_data, "total", 0) >= 10 &&
                   agent_nfield(m[i].memory_data, "total", 0) - agent_nfield(m[i].memory_data, "count", 0) < 10) {
            char text[200];
            snprintf(text, sizeof text, "Word of %s's hunting spreads, and the wolves keep away from the villages.",
                     who);
            cJSON *data = cJSON_CreateObject();
            cJSON_AddNumberToObject(data, "spawn_rate", 0.8);
            cJSON *why = reason("ten wolves slain", "the pack learns to fear the hunter");
            rc = simple_event(c, "retreat", "The wolves retreat", text, data, c->turn, c->turn + 3 * TURNS_PER_DAY, why,
                              err);
        }
    }
    memory_list_free(m, n);
    if (rc == MA_OK && newest != seen) {
        cJSON_DeleteItemFromObjectCaseSensitive(c->state, "deeds_seen_id");
        cJSON_AddNumberToObject(c->state, "deeds_seen_id", (double)newest);
    }
    return rc;
}

int event_coordinator_run(AgentCtx *c, Err *err)
{
    int rc = answer_deeds(c, err);
    if (rc != MA_OK)
        return rc;
    int64_t d = c->day % CALENDAR_SEASON_DAYS;
    if (d < 0)
        d += CALENDAR_SEASON_DAYS;
    Season s = calendar_season(c->turn);
    if (d == 0 && (rc = season_begins(c, s, err)) != MA_OK)
        return rc;
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(c->a->config, "festivals")) {
        if (strcmp(agent_sfield(f, "season", ""), calendar_season_name(s)) != 0 || agent_nfield(f, "day", -1) != d + 1)
            continue;
        cJSON *data = cJSON_CreateObject();
        cJSON_AddNumberToObject(data, "price", agent_nfield(f, "price", 1));
        int64_t start = calendar_day_start(c->day);
        cJSON *why = reason("the festival's day on the calendar", "data/agents.json: festivals");
        if ((rc = simple_event(c, "festival", agent_sfield(f, "name", "A festival"), agent_sfield(f, "text", ""), data,
                               start, start + (int64_t)agent_nfield(f, "days", 1) * TURNS_PER_DAY, why, err)) != MA_OK)
            return rc;
    }
    /* Not on the world's first night: a new player has a day and a night to find their feet (the
     * roll is made all the same, so that the days after draw as they always did). */
    if (prng_unit(&c->rng) < agent_nfield(c->conf, "blood_moon", 0) && c->day >= 1) {
        cJSON *data = cJSON_CreateObject();
        cJSON_AddNumberToObject(data, "spawn_rate", 3.0);
        cJSON_AddBoolToObject(data, "night_only", 1);
        int64_t dusk = calendar_day_start(c->day) + 20 * 30;
        cJSON *why = reason("the moon rising red", "a blood moon comes now and then (data/agents.json: blood_moon)");
        if ((rc = simple_event(c, "blood_moon", "Blood Moon",
                               "The moon rises red tonight. Hostile things walk in threes: stay by a light.", data,
                               dusk, dusk + 10 * 30, why, err)) != MA_OK)
            return rc;
    }
    if (prng_unit(&c->rng) < agent_nfield(c->conf, "storm", 0)) {
        cJSON *data = cJSON_CreateObject();
        cJSON_AddNumberToObject(data, "spawn_rate", 1.2);
        cJSON_AddNumberToObject(data, "price", 1.1);
        int64_t start = c->turn;
        cJSON *why = reason("clouds over the hills", "storms come now and then (data/agents.json: storm)");
        if ((rc = simple_event(c, "storm", "Storm", "A storm rolls in: rain in sheets, and the traders raise their prices.",
                               data, start, start + 12 * 30, why, err)) != MA_OK)
            return rc;
    }
    if (prng_unit(&c->rng) < agent_nfield(c->conf, "raid", 0) && (rc = raid(c, err)) != MA_OK)
        return rc;
    return MA_OK;
}
