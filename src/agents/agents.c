/* agents.c — opening the agents of a world, the ticks of the game clock they
 * run on, one transaction per agent and tick, deeds, and the helpers every
 * agent shares (see agents.h and agent_internal.h). */
#include "agents/agent_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/agents.h"
#include "save/characters.h"
#include "save/charstate.h"
#include "save/quests.h"
#include "save/worlds.h"
#include "util/data.h"

static const char *const type_names[AGENT_COUNT] = {"story_weaver",    "world_builder",     "character_master",
                                                    "quest_generator", "event_coordinator", "balance_keeper"};

/* The order agents run in within a tick: the calendar first, then people, then what follows from them. */
static const AgentType pipeline[AGENT_COUNT] = {AGENT_EVENT_COORDINATOR, AGENT_CHARACTER_MASTER,
                                                AGENT_QUEST_GENERATOR,   AGENT_WORLD_BUILDER,
                                                AGENT_STORY_WEAVER,      AGENT_BALANCE_KEEPER};

static int (*const runners[AGENT_COUNT])(AgentCtx *, Err *) = {
    story_weaver_run, world_builder_run, character_master_run, quest_generator_run, event_coordinator_run,
    balance_keeper_run};

/* Minutes after midnight of the three ticks, in turns (two minutes each). */
static const int tick_offset[TICKS_PER_DAY] = {6 * 30, 12 * 30, 19 * 30};

const char *agent_type_name(AgentType t) { return t >= 0 && t < AGENT_COUNT ? type_names[t] : "?"; }

int agent_type_parse(const char *name)
{
    for (int i = 0; i < AGENT_COUNT; i++)
        if (name && strcmp(type_names[i], name) == 0)
            return i;
    return -1;
}

static int64_t tick_turn(int64_t tick)
{
    int64_t day = tick >= 0 ? tick / TICKS_PER_DAY : -((-tick + TICKS_PER_DAY - 1) / TICKS_PER_DAY);
    return calendar_day_start(day) + tick_offset[tick - day * TICKS_PER_DAY];
}

/* The last tick at or before turn. */
static int64_t tick_of(int64_t turn)
{
    int64_t day = calendar_day(turn);
    int64_t t = day * TICKS_PER_DAY + TICKS_PER_DAY - 1;
    while (tick_turn(t) > turn)
        t--;
    return t;
}

/* ------------------------------------------------------------ data */

static int load_json(const char *name, cJSON **out, Err *err)
{
    size_t len = 0;
    char *text = data_read(name, &len, err);
    if (!text)
        return err->code;
    char where[512];
    cJSON *j = cJSON_ParseWithLength(text, len);
    free(text);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return err_set(err, MA_ERR_CORRUPT, "%s: not a JSON object", data_describe(name, where, sizeof where));
    }
    *out = j;
    return MA_OK;
}

/* data/agents.json and data/balance.json, checked: an agent entry for every
 * type, and every balance knob with min <= start <= max. */
static int check_data(Agents *a, Err *err)
{
    char where[512];
    const cJSON *agents = cJSON_GetObjectItemCaseSensitive(a->config, "agents");
    for (int i = 0; i < AGENT_COUNT; i++) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(agents, type_names[i]);
        const char *every = agent_sfield(e, "every", "");
        if (!cJSON_IsObject(e) || (strcmp(every, "day") != 0 && strcmp(every, "phase") != 0))
            return err_set(err, MA_ERR_CORRUPT, "%s: agents.%s needs \"every\": \"day\" or \"phase\"",
                           data_describe("agents.json", where, sizeof where), type_names[i]);
    }
    static const char *const seasons[] = {"spring", "summer", "autumn", "winter"};
    for (int i = 0; i < 4; i++)
        if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a->config, "seasons"),
                                                             seasons[i])))
            return err_set(err, MA_ERR_CORRUPT, "%s: seasons.%s is missing",
                           data_describe("agents.json", where, sizeof where), seasons[i]);
    const cJSON *knobs = cJSON_GetObjectItemCaseSensitive(a->balance, "knobs"), *k;
    if (!cJSON_IsObject(knobs))
        return err_set(err, MA_ERR_CORRUPT, "%s: \"knobs\" is missing", data_describe("balance.json", where, sizeof where));
    cJSON_ArrayForEach(k, knobs) {
        double lo = agent_nfield(k, "min", 1), hi = agent_nfield(k, "max", 0), st = agent_nfield(k, "start", -1),
               step = agent_nfield(k, "step", 0);
        if (!(lo <= st && st <= hi) || step <= 0 || lo <= 0)
            return err_set(err, MA_ERR_CORRUPT, "%s: knobs.%s needs 0 < min <= start <= max and step > 0",
                           data_describe("balance.json", where, sizeof where), k->string);
    }
    return MA_OK;
}

/* ------------------------------------------------------------ opening */

static int ensure_rows(Agents *a, int64_t now_turn, Err *err)
{
    int rc = save_begin(a->s, err);
    if (rc != MA_OK)
        return rc;
    char iso[32];
    calendar_iso(now_turn, iso, sizeof iso);
    for (int i = 0; i < AGENT_COUNT && rc == MA_OK; i++) {
        char name[65];
        snprintf(name, sizeof name, "%s@%lld", type_names[i], (long long)a->world_id);
        AgentRow row;
        if (agents_get_by_name(a->s, name, &row, NULL) == MA_OK) {
            a->ids[i] = row.id;
            agent_row_clear(&row);
            continue;
        }
        memset(&row, 0, sizeof row);
        snprintf(row.agent_name, sizeof row.agent_name, "%s", name);
        snprintf(row.agent_type, sizeof row.agent_type, "%s", type_names[i]);
        row.configuration = cJSON_Duplicate(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a->config, "agents"), type_names[i]), 1);
        cJSON_AddNumberToObject(row.configuration, "world_id", (double)a->world_id);
        row.current_state = cJSON_CreateObject();
        /* In a world's first day the agents see its first morning (the first season begins); later they
         * start at the present. */
        int64_t start = tick_of(now_turn) - (now_turn < TURNS_PER_DAY ? 1 : 0);
        cJSON_AddNumberToObject(row.current_state, "last_tick", (double)start);
        row.is_active = 1;
        rc = agents_insert(a->s, &row, err);
        a->ids[i] = row.id;
        agent_row_clear(&row);
    }
    if (rc == MA_OK)
        return save_commit(a->s, err);
    save_rollback(a->s);
    return rc;
}

static int64_t world_clock(Agents *a)
{
    WorldRow w;
    int64_t clock = 0;
    if (worlds_get(a->s, a->world_id, &w, NULL) == MA_OK) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(w.metadata, "clock");
        clock = cJSON_IsNumber(c) ? (int64_t)c->valuedouble : 0;
        world_row_clear(&w);
    }
    return clock;
}

int agents_open(Save *s, World *w, Agents **out, Err *err)
{
    *out = NULL;
    Agents *a = calloc(1, sizeof *a);
    if (!a)
        return err_set(err, MA_ERR_NOMEM, "out of memory opening the agents");
    a->s = s;
    a->w = w;
    a->world_id = world_id(w);
    a->seed = world_seed(w);
    int rc = load_json("agents.json", &a->config, err);
    if (rc == MA_OK)
        rc = load_json("balance.json", &a->balance, err);
    if (rc == MA_OK)
        rc = check_data(a, err);
    if (rc == MA_OK)
        rc = creatures_load_default(&a->creatures, err);
    if (rc == MA_OK)
        rc = items_load_default(&a->items, err);
    if (rc == MA_OK)
        rc = ensure_rows(a, world_clock(a), err);
    if (rc != MA_OK) {
        agents_close(a);
        return rc;
    }
    *out = a;
    return MA_OK;
}

void agents_close(Agents *a)
{
    if (!a)
        return;
    cJSON_Delete(a->config);
    cJSON_Delete(a->balance);
    creatures_free(a->creatures);
    items_free(a->items);
    free(a);
}

/* ------------------------------------------------------------ players */

static int load_players(AgentCtx *c, Err *err)
{
    CharacterRow *rows = NULL;
    int n = 0;
    int rc = characters_list_by_world(c->a->s, c->a->world_id, &rows, &n, err);
    if (rc != MA_OK)
        return rc;
    c->n_players = 0;
    for (int i = 0; i < n && c->n_players < AGENT_MAX_PLAYERS; i++) {
        if (rows[i].user_id <= 0)
            continue; /* villagers */
        AgentPlayer *p = &c->players[c->n_players++];
        p->id = rows[i].id;
        snprintf(p->name, sizeof p->name, "%s", rows[i].name);
        p->level = rows[i].level;
        p->x = (int32_t)rows[i].position_x;
        p->y = (int32_t)rows[i].position_y;
        p->z = (int32_t)rows[i].position_z;
        if (rows[i].position_x < 0)
            p->x = (int32_t)(rows[i].position_x - 0.999);
        if (rows[i].position_z < 0)
            p->z = (int32_t)(rows[i].position_z - 0.999);
    }
    characters_list_free(rows, n);
    /* The game's own player, where it is now (its row is written at every action anyway). */
    if (c->a->game) {
        const Player *gp = game_player(c->a->game);
        for (int i = 0; i < c->n_players; i++)
            if (c->players[i].id == gp->character_id) {
                c->players[i].x = gp->x;
                c->players[i].y = gp->y;
                c->players[i].z = gp->z;
                c->players[i].level = gp->level;
            }
    }
    return MA_OK;
}

/* ------------------------------------------------------------ units of work */

/* An agent's run is a unit of work of its own, or, inside a game action's transaction (the agents
 * attached to a game run there, so the action and the world's answer to it are saved together),
 * a savepoint of it. The world is flushed first, so that undoing the agent's part (world_forget)
 * never drops the action's own unwritten blocks. */
static int unit_begin(Agents *a, int *own, Err *err)
{
    *own = !save_in_transaction(a->s);
    if (*own)
        return save_begin(a->s, err);
    int rc = world_flush(a->w, err);
    return rc == MA_OK ? save_savepoint(a->s, err) : rc;
}

static int unit_end(Agents *a, int own, int rc, Err *err)
{
    if (rc == MA_OK)
        return own ? save_commit(a->s, err) : save_release(a->s, err);
    if (own)
        save_rollback(a->s);
    else
        save_rollback_savepoint(a->s);
    world_forget(a->w);
    return rc;
}

/* ------------------------------------------------------------ running */

static int agent_state(Agents *a, AgentType t, cJSON **state, Err *err)
{
    AgentRow row;
    int rc = agents_get(a->s, a->ids[t], &row, err);
    if (rc != MA_OK)
        return rc;
    *state = row.current_state;
    row.current_state = NULL;
    agent_row_clear(&row);
    return MA_OK;
}

static int64_t last_tick(const cJSON *state)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(state, "last_tick");
    return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : INT64_MIN / 4;
}

static int run_one(Agents *a, AgentType t, int64_t tick, cJSON *state, AgentReportFn report, void *ud, Err *err)
{
    AgentCtx c;
    memset(&c, 0, sizeof c);
    c.a = a;
    c.type = t;
    c.agent_id = a->ids[t];
    c.tick = tick;
    c.day = tick >= 0 ? tick / TICKS_PER_DAY : -((-tick + TICKS_PER_DAY - 1) / TICKS_PER_DAY);
    c.phase = (int)(tick - c.day * TICKS_PER_DAY);
    c.turn = tick_turn(tick);
    prng_seed(&c.rng, hash_coords(a->seed, (int64_t)t, tick, 0x6A67, 0));
    c.conf = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a->config, "agents"), type_names[t]);
    c.state = state;
    c.report = report;
    c.ud = ud;
    int own, mark = agents_llm_staged(a);
    int rc = unit_begin(a, &own, err);
    if (rc != MA_OK)
        return rc;
    const char *every = agent_sfield(c.conf, "every", "day");
    int due = strcmp(every, "phase") == 0 || c.phase == 0;
    char iso[32];
    calendar_iso(c.turn, iso, sizeof iso);
    if (due && (rc = load_players(&c, err)) == MA_OK)
        rc = runners[t](&c, err);
    if (rc == MA_OK) {
        cJSON_ReplaceItemInObjectCaseSensitive(state, "last_tick", cJSON_CreateNumber((double)tick));
        if (!cJSON_GetObjectItemCaseSensitive(state, "last_tick"))
            cJSON_AddNumberToObject(state, "last_tick", (double)tick);
        rc = agents_update_state(a->s, a->ids[t], state, err);
    }
    if (rc == MA_OK && due)
        rc = agents_touch(a->s, a->ids[t], iso, err);
    if ((rc = unit_end(a, own, rc, err)) != MA_OK)
        err_prefix(err, "%s on %s", type_names[t], iso);
    /* The LLM's requests name rows of this run: they go out once the rows are committed. Inside a
     * player's action that is when the action commits (agents_game.c); a run undone to its savepoint
     * drops its own. */
    if (own)
        agents_llm_run_end(a, rc == MA_OK);
    else if (rc != MA_OK)
        agents_llm_drop_from(a, mark);
    return rc;
}

int agents_advance(Agents *a, int64_t to_turn, int mask, int max_ticks, AgentReportFn report, void *ud, Err *err)
{
    cJSON *states[AGENT_COUNT] = {0};
    int rc = MA_OK, ran = 0;
    int64_t target = tick_of(to_turn), from = INT64_MAX;
    for (int i = 0; i < AGENT_COUNT && rc == MA_OK; i++) {
        if (!(mask & (1 << i)))
            continue;
        rc = agent_state(a, (AgentType)i, &states[i], err);
        if (rc == MA_OK && last_tick(states[i]) < from)
            from = last_tick(states[i]);
    }
    if (rc == MA_OK && from < target && max_ticks > 0 && target - from > max_ticks) {
        int64_t skip_to = target - max_ticks;
        if (report) {
            char line[160];
            snprintf(line, sizeof line, "The world dozed: %lld days passed with nobody to tend it.",
                     (long long)((skip_to - from) / TICKS_PER_DAY));
            report(AGENT_COUNT, 0, "skipped", line, ud);
        }
        for (int i = 0; i < AGENT_COUNT; i++)
            if (states[i] && last_tick(states[i]) < skip_to)
                cJSON_ReplaceItemInObjectCaseSensitive(states[i], "last_tick", cJSON_CreateNumber((double)skip_to));
        from = skip_to;
    }
    for (int64_t t = from + 1; rc == MA_OK && t <= target; t++) {
        for (int k = 0; k < AGENT_COUNT && rc == MA_OK; k++) {
            AgentType ty = pipeline[k];
            if (!states[ty] || last_tick(states[ty]) >= t)
                continue;
            rc = run_one(a, ty, t, states[ty], report, ud, err);
        }
        ran++;
    }
    for (int i = 0; i < AGENT_COUNT; i++)
        cJSON_Delete(states[i]);
    return rc == MA_OK ? ran : rc;
}

int64_t agents_present(Agents *a)
{
    int64_t least = INT64_MAX;
    for (int i = 0; i < AGENT_COUNT; i++) {
        cJSON *st = NULL;
        if (agent_state(a, (AgentType)i, &st, NULL) == MA_OK) {
            if (last_tick(st) < least)
                least = last_tick(st);
            cJSON_Delete(st);
        }
    }
    return least == INT64_MAX ? 0 : tick_turn(least);
}

/* ------------------------------------------------------------ deeds */

typedef struct DeedScan {
    cJSON *seen;  /* the counters as last seen */
    cJSON *deeds; /* new deeds */
    int64_t character_id;
} DeedScan;

static int scan_counter(const char *key, const char *value, void *ud)
{
    DeedScan *d = ud;
    int tracked = strcmp(key, "quests_completed") == 0 || strcmp(key, "deaths") == 0 || strncmp(key, "slain_", 6) == 0;
    if (!tracked)
        return 0;
    double now = atof(value);
    const cJSON *was = cJSON_GetObjectItemCaseSensitive(d->seen, key);
    double before = cJSON_IsNumber(was) ? was->valuedouble : 0;
    if (now > before) {
        cJSON *deed = cJSON_CreateObject();
        cJSON_AddNumberToObject(deed, "character_id", (double)d->character_id);
        cJSON_AddStringToObject(deed, "what", strncmp(key, "slain_", 6) == 0 ? "slain" : key);
        if (strncmp(key, "slain_", 6) == 0)
            cJSON_AddStringToObject(deed, "kind", key + 6);
        cJSON_AddNumberToObject(deed, "count", now - before);
        cJSON_AddNumberToObject(deed, "total", now);
        cJSON_AddItemToArray(d->deeds, deed);
    }
    if (was)
        cJSON_ReplaceItemInObjectCaseSensitive(d->seen, key, cJSON_CreateNumber(now));
    else
        cJSON_AddNumberToObject(d->seen, key, now);
    return 0;
}

int agents_note_deeds(Agents *a, int64_t turn, Err *err)
{
    /* The counters as last seen live in the story weaver's state (the agent that reads deeds most). */
    cJSON *state = NULL;
    int rc = agent_state(a, AGENT_STORY_WEAVER, &state, err);
    if (rc != MA_OK)
        return rc;
    cJSON *seen_all = cJSON_GetObjectItemCaseSensitive(state, "deeds_seen");
    if (!seen_all)
        seen_all = cJSON_AddObjectToObject(state, "deeds_seen");
    AgentCtx c;
    memset(&c, 0, sizeof c);
    c.a = a;
    c.type = AGENT_STORY_WEAVER;
    c.agent_id = a->ids[AGENT_STORY_WEAVER];
    c.turn = turn;
    int own;
    if ((rc = load_players(&c, err)) != MA_OK || (rc = unit_begin(a, &own, err)) != MA_OK) {
        cJSON_Delete(state);
        return rc;
    }
    int found = 0;
    for (int i = 0; i < c.n_players && rc == MA_OK; i++) {
        char key[32];
        snprintf(key, sizeof key, "%lld", (long long)c.players[i].id);
        cJSON *seen = cJSON_GetObjectItemCaseSensitive(seen_all, key);
        int first = seen == NULL;
        if (!seen)
            seen = cJSON_AddObjectToObject(seen_all, key);
        DeedScan d = {seen, cJSON_CreateArray(), c.players[i].id};
        rc = charstate_each(a->s, c.players[i].id, "counter", scan_counter, &d, err);
        cJSON *deed;
        /* The first look only learns where the counters stand. */
        cJSON_ArrayForEach(deed, d.deeds) {
            if (rc != MA_OK || first)
                break;
            cJSON_AddStringToObject(deed, "name", c.players[i].name);
            rc = agent_remember(&c, "deed", cJSON_Duplicate(deed, 1), turn + 7 * TURNS_PER_DAY, err);
            found++;
        }
        cJSON_Delete(d.deeds);
    }
    if (rc == MA_OK)
        rc = agents_update_state(a->s, a->ids[AGENT_STORY_WEAVER], state, err);
    rc = unit_end(a, own, rc, err);
    cJSON_Delete(state);
    return rc == MA_OK ? found : rc;
}

/* ------------------------------------------------------------ helpers for agents */

Evo *agent_evo(AgentCtx *c)
{
    Evo *e = evo_new(c->a->s, c->a->w, c->a->world_id, c->turn);
    for (int i = 0; e && i < c->n_players; i++)
        evo_guard_column(e, chunk_coord(c->players[i].x), chunk_coord(c->players[i].z));
    return e;
}

int agent_guarded(AgentCtx *c, int32_t x, int32_t z)
{
    for (int i = 0; i < c->n_players; i++)
        if (chunk_coord(c->players[i].x) == chunk_coord(x) && chunk_coord(c->players[i].z) == chunk_coord(z))
            return 1;
    return 0;
}

int agent_commit(AgentCtx *c, Evo *e, const char *type, cJSON *reasoning, int64_t *entry_id, Err *err)
{
    int64_t id = 0;
    if (!reasoning)
        reasoning = cJSON_CreateObject();
    cJSON_AddStringToObject(reasoning, "agent", type_names[c->type]);
    char date[48];
    cJSON_AddStringToObject(reasoning, "date", calendar_date(c->turn, date, sizeof date));
    int rc = evo_commit(e, c->agent_id, type, reasoning, &id, err);
    if (entry_id)
        *entry_id = id;
    if (rc == MA_OK && id > 0) {
        c->changes++;
        EvolutionRow row;
        if (c->report && evolution_get(c->a->s, id, &row, NULL) == MA_OK) {
            c->report(c->type, id, type, agent_sfield(row.changes_made, "summary", type), c->ud);
            evolution_row_clear(&row);
        }
    }
    return rc;
}

int agent_places(AgentCtx *c, const char *type, int radius, GenStructure *out, int max)
{
    int n = 0;
    Generator *g = world_generator(c->a->w);
    for (int p = 0; p < c->n_players; p++) {
        GenStructure near[32];
        /* of the type asked for, however many places of other types are nearer */
        int k = type ? generator_structures_of(g, c->players[p].x, c->players[p].z, radius, type, near, 32)
                     : generator_structures_near(g, c->players[p].x, c->players[p].z, radius, near, 32);
        for (int i = 0; i < k && n < max; i++) {
            if (type && strcmp(near[i].type, type) != 0)
                continue;
            int dup = 0;
            for (int j = 0; j < n && !dup; j++)
                dup = out[j].x == near[i].x && out[j].z == near[i].z && strcmp(out[j].type, near[i].type) == 0;
            if (!dup)
                out[n++] = near[i];
        }
    }
    return n;
}

int agent_ground(AgentCtx *c, int32_t x, int32_t z)
{
    const BlockRegistry *reg = world_blocks(c->a->w);
    for (int y = 200; y > 0; y--) {
        const BlockDef *d = blocks_get(reg, world_get_block(c->a->w, x, y, z));
        if (d->solid || d->liquid)
            return y;
    }
    return -1;
}

int agent_remember(AgentCtx *c, const char *type, cJSON *data, int64_t expires_turn, Err *err)
{
    MemoryRow m;
    memset(&m, 0, sizeof m);
    m.agent_id = c->agent_id;
    m.world_id = c->a->world_id;
    snprintf(m.memory_type, sizeof m.memory_type, "%s", type);
    m.memory_data = data;
    calendar_iso(c->turn, m.created_at, sizeof m.created_at);
    if (expires_turn > c->turn)
        calendar_iso(expires_turn, m.expires_at, sizeof m.expires_at);
    int rc = memory_remember(c->a->s, &m, err);
    memory_row_clear(&m);
    return rc;
}

int agent_recall(AgentCtx *c, const char *type, MemoryRow **out, int *n, Err *err)
{
    char iso[32];
    calendar_iso(c->turn, iso, sizeof iso);
    return memory_list_type(c->a->s, c->a->world_id, type, iso, out, n, err);
}

int agent_villagers(AgentCtx *c, const GenStructure *p, AgentVillager *out, int max, Err *err)
{
    int n = 0;
    int32_t cx0 = chunk_coord(p->x - 8), cx1 = chunk_coord(p->x + p->w + 8);
    int32_t cz0 = chunk_coord(p->z - 8), cz1 = chunk_coord(p->z + p->d + 8);
    int32_t cy0 = chunk_coord(p->y > 8 ? p->y - 8 : 0), cy1 = chunk_coord(p->y + p->h + 8);
    if (cy1 >= WORLD_CHUNKS_Y)
        cy1 = WORLD_CHUNKS_Y - 1;
    for (int32_t cx = cx0; cx <= cx1; cx++)
        for (int32_t cz = cz0; cz <= cz1; cz++)
            for (int32_t cy = cy0; cy <= cy1; cy++) {
                Chunk *ch = world_chunk(c->a->w, cx, cy, cz, err);
                if (!ch)
                    return err->code;
                cJSON *e;
                cJSON_ArrayForEach(e, ch->entities) {
                    if (n >= max || strcmp(agent_sfield(e, "type", ""), "npc") != 0 || !agent_sfield(e, "id", NULL))
                        continue;
                    const cJSON *pos = cJSON_GetObjectItemCaseSensitive(e, "position");
                    if (cJSON_GetArraySize(pos) != 3)
                        continue;
                    AgentVillager *v = &out[n++];
                    v->e = e;
                    v->cx = cx, v->cy = cy, v->cz = cz;
                    v->x = cx * CHUNK_SIZE + cJSON_GetArrayItem(pos, 0)->valueint;
                    v->y = cy * CHUNK_SIZE + cJSON_GetArrayItem(pos, 1)->valueint;
                    v->z = cz * CHUNK_SIZE + cJSON_GetArrayItem(pos, 2)->valueint;
                }
            }
    return n;
}

const char *agent_sfield(const cJSON *o, const char *k, const char *fallback)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : fallback;
}

double agent_nfield(const cJSON *o, const char *k, double fallback)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

void agent_fill(char *buf, size_t size, const char *tpl, ...)
{
    size_t n = 0;
    if (!size)
        return;
    for (const char *p = tpl; *p && n + 1 < size;) {
        if (*p == '{') {
            const char *end = strchr(p, '}');
            if (end) {
                va_list ap;
                va_start(ap, tpl);
                const char *value = NULL;
                for (const char *k = va_arg(ap, const char *); k; k = va_arg(ap, const char *)) {
                    const char *v = va_arg(ap, const char *);
                    if (strlen(k) == (size_t)(end - p - 1) && strncmp(k, p + 1, (size_t)(end - p - 1)) == 0)
                        value = v;
                }
                va_end(ap);
                if (value) {
                    n += (size_t)snprintf(buf + n, size - n, "%s", value);
                    if (n >= size)
                        n = size - 1;
                    p = end + 1;
                    continue;
                }
            }
        }
        buf[n++] = *p++;
    }
    buf[n] = '\0';
}

const char *agent_pick_weighted(AgentCtx *c, const cJSON *weights)
{
    double total = 0;
    const cJSON *w;
    cJSON_ArrayForEach(w, weights) if (cJSON_IsNumber(w) && w->valuedouble > 0) total += w->valuedouble;
    if (total <= 0)
        return NULL;
    double roll = prng_unit(&c->rng) * total;
    cJSON_ArrayForEach(w, weights) {
        if (!cJSON_IsNumber(w) || w->valuedouble <= 0)
            continue;
        if ((roll -= w->valuedouble) < 0)
            return w->string;
    }
    return NULL;
}
