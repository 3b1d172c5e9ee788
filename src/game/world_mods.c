/* world_mods.c — the world's balance and events as multipliers on play
 * (see WorldMods in game.h), and the hook that runs after each action. */
#include "game/game_internal.h"

#include <stdio.h>
#include <string.h>

#include "game/calendar.h"
#include "save/events.h"
#include "save/worlds.h"

static double knob(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    /* Bounded here too: a hostile row must not make spawning certain or prices free. */
    double d = cJSON_IsNumber(v) ? v->valuedouble : 1.0;
    return d < 0.1 ? 0.1 : d > 10 ? 10 : d;
}

int game_refresh(Game *g, Err *err)
{
    WorldMods m = {1, 1, 1, 1, 1, "", {""}, 0};
    snprintf(m.season, sizeof m.season, "%s", calendar_season_name(calendar_season(g->clock)));
    WorldRow w;
    int rc = worlds_get(g->save, g->p.world_id, &w, err);
    if (rc != MA_OK)
        return rc;
    const cJSON *bal = cJSON_GetObjectItemCaseSensitive(w.settings, "balance");
    m.spawn_rate = m.spawn_rate_night = knob(bal, "spawn_rate");
    m.reward_scale = knob(bal, "reward_scale");
    m.difficulty = knob(bal, "difficulty");
    world_row_clear(&w);
    char now[32];
    calendar_iso(g->clock, now, sizeof now);
    EventRow *ev = NULL;
    int n = 0;
    if ((rc = events_list_active(g->save, g->p.world_id, now, &ev, &n, err)) != MA_OK)
        return rc;
    for (int i = 0; i < n; i++) {
        const cJSON *d = ev[i].event_data;
        double spawn = knob(d, "spawn_rate");
        m.spawn_rate_night *= spawn;
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "night_only")))
            m.spawn_rate *= spawn;
        m.price *= knob(d, "price");
        m.reward_scale *= knob(d, "reward_scale");
        if (m.n_events < 4 && strcmp(ev[i].event_type, "season") != 0)
            snprintf(m.events[m.n_events++], sizeof m.events[0], "%s", ev[i].event_name);
    }
    events_list_free(ev, n);
    g->mods = m;
    quest_forget_templates(g); /* an agent or a sync may have written quests */
    return MA_OK;
}

const WorldMods *game_world_mods(const Game *g) { return &g->mods; }

void game_set_after_action(Game *g, GameAfterFn fn, GameEndFn end, void *ud)
{
    g->after = fn;
    g->after_end = end;
    g->after_ud = ud;
}
