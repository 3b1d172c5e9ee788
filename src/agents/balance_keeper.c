/* balance_keeper.c — watches the rates of play and tunes the world within
 * bounds.
 *
 * Once a day (06:00) it takes a snapshot, over the player characters of the
 * world, of experience, deaths, quests completed and quests failed or
 * expired, keeps the last "window_days" + 1 snapshots in its state, and
 * compares the rates per day over that window with data/balance.json's
 * targets:
 *   - more deaths a day than the target: fewer spawns, easier quests;
 *   - less experience a day than the target: better rewards, more creatures;
 *     more than the target: smaller rewards;
 *   - quests succeeding less often than the target: easier quests, better
 *     rewards;
 *   - all within the targets: difficulty drifts back toward its start.
 * Every knob moves one "step" a day at most and stays within its min and max.
 * The knobs live in the world row's settings ("balance"), where the game
 * reads them (WorldMods); a change is one evolution entry with the rates and
 * targets as its reasoning. */
#include "agents/agent_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/characters.h"
#include "save/charstate.h"
#include "save/quests.h"
#include "save/worlds.h"

static double counter(Save *s, int64_t character_id, const char *key)
{
    char buf[32];
    if (charstate_get(s, character_id, "counter", key, buf, sizeof buf, NULL) != MA_OK)
        return 0;
    return atof(buf);
}

static double count_progress(Save *s, int64_t character_id, const char *status)
{
    ProgressRow *rows = NULL;
    int n = 0;
    if (progress_list(s, character_id, status, &rows, &n, NULL) != MA_OK)
        return 0;
    progress_list_free(rows, n);
    return n;
}

/* Moves knob name of bal by dir steps, within bounds; returns whether it moved. */
static int nudge(AgentCtx *c, cJSON *bal, const char *name, int dir, cJSON *moves, const char *because)
{
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c->a->balance, "knobs"), name);
    double lo = agent_nfield(k, "min", 1), hi = agent_nfield(k, "max", 1), step = agent_nfield(k, "step", 0.1);
    double now = agent_nfield(bal, name, agent_nfield(k, "start", 1));
    double next = now + dir * step;
    next = next < lo ? lo : next > hi ? hi : next;
    next = round(next * 1000) / 1000;
    if (fabs(next - now) < 1e-9)
        return 0;
    cJSON_DeleteItemFromObjectCaseSensitive(bal, name);
    cJSON_AddNumberToObject(bal, name, next);
    char line[200];
    snprintf(line, sizeof line, "%s %.2f -> %.2f: %s", name, now, next, because);
    cJSON_AddItemToArray(moves, cJSON_CreateString(line));
    return 1;
}

int balance_keeper_run(AgentCtx *c, Err *err)
{
    Save *s = c->a->s;
    double xp = 0, deaths = 0, done = 0, failed = 0, steps = 0;
    for (int i = 0; i < c->n_players; i++) {
        CharacterRow row;
        if (characters_get(s, c->players[i].id, &row, NULL) == MA_OK) {
            xp += (double)row.experience;
            character_row_clear(&row);
        }
        deaths += counter(s, c->players[i].id, "deaths");
        steps += counter(s, c->players[i].id, "steps") + counter(s, c->players[i].id, "blocks_dug");
        done += counter(s, c->players[i].id, "quests_completed");
        failed += count_progress(s, c->players[i].id, "failed") + count_progress(s, c->players[i].id, "expired");
    }
    int window = (int)agent_nfield(c->a->balance, "window_days", 3);
    cJSON *snaps = cJSON_GetObjectItemCaseSensitive(c->state, "snapshots");
    if (!snaps)
        snaps = cJSON_AddArrayToObject(c->state, "snapshots");
    cJSON *now = cJSON_CreateObject();
    cJSON_AddNumberToObject(now, "day", (double)c->day);
    cJSON_AddNumberToObject(now, "experience", xp);
    cJSON_AddNumberToObject(now, "deaths", deaths);
    cJSON_AddNumberToObject(now, "quests_completed", done);
    cJSON_AddNumberToObject(now, "quests_failed", failed);
    cJSON_AddNumberToObject(now, "steps", steps);
    cJSON_AddItemToArray(snaps, now);
    while (cJSON_GetArraySize(snaps) > window + 1)
        cJSON_DeleteItemFromArray(snaps, 0);
    if (cJSON_GetArraySize(snaps) < window + 1 || c->n_players == 0)
        return MA_OK; /* not enough days seen yet to judge */
    const cJSON *old = cJSON_GetArrayItem(snaps, 0);
    double days = c->day - agent_nfield(old, "day", (double)c->day);
    if (days <= 0)
        return MA_OK;
    double xp_day = (xp - agent_nfield(old, "experience", xp)) / days / c->n_players;
    double deaths_day = (deaths - agent_nfield(old, "deaths", deaths)) / days / c->n_players;
    double d_done = done - agent_nfield(old, "quests_completed", done), d_failed = failed - agent_nfield(old, "quests_failed", failed);
    double d_steps = steps - agent_nfield(old, "steps", steps);
    /* Nobody played in the window (the world only waited): no rate says anything about balance. */
    if (d_steps <= 0 && xp_day <= 0 && deaths_day <= 0 && d_done + d_failed <= 0)
        return MA_OK;
    double success = d_done + d_failed > 0 ? d_done / (d_done + d_failed) : -1;

    const cJSON *targets = cJSON_GetObjectItemCaseSensitive(c->a->balance, "targets");
    const cJSON *t_xp = cJSON_GetObjectItemCaseSensitive(targets, "experience_per_day");
    const cJSON *t_deaths = cJSON_GetObjectItemCaseSensitive(targets, "deaths_per_day");
    const cJSON *t_quests = cJSON_GetObjectItemCaseSensitive(targets, "quest_success");

    WorldRow w;
    int rc = worlds_get(s, c->a->world_id, &w, err);
    if (rc != MA_OK)
        return rc;
    cJSON *bal = cJSON_GetObjectItemCaseSensitive(w.settings, "balance");
    cJSON *next = bal ? cJSON_Duplicate(bal, 1) : cJSON_CreateObject();
    cJSON *moves = cJSON_CreateArray();
    int moved = 0, off = 0;
    if (deaths_day > agent_nfield(t_deaths, "max", 1e9)) {
        moved |= nudge(c, next, "spawn_rate", -1, moves, "too many deaths");
        moved |= nudge(c, next, "difficulty", -1, moves, "too many deaths");
        off = 1;
    }
    if (xp_day < agent_nfield(t_xp, "min", 0)) {
        moved |= nudge(c, next, "reward_scale", +1, moves, "too little experience a day");
        if (deaths_day <= agent_nfield(t_deaths, "max", 1e9))
            moved |= nudge(c, next, "spawn_rate", +1, moves, "too little experience a day");
        off = 1;
    } else if (xp_day > agent_nfield(t_xp, "max", 1e12)) {
        moved |= nudge(c, next, "reward_scale", -1, moves, "too much experience a day");
        off = 1;
    }
    if (success >= 0 && success < agent_nfield(t_quests, "min", 0)) {
        moved |= nudge(c, next, "difficulty", -1, moves, "quests fail too often");
        moved |= nudge(c, next, "reward_scale", +1, moves, "quests fail too often");
        off = 1;
    }
    if (!off) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c->a->balance, "knobs"), "difficulty");
        double start = agent_nfield(k, "start", 1), cur = agent_nfield(next, "difficulty", start);
        if (fabs(cur - start) > 1e-9)
            moved |= nudge(c, next, "difficulty", cur < start ? +1 : -1, moves, "all rates within their targets");
    }
    if (!moved) {
        cJSON_Delete(next);
        cJSON_Delete(moves);
        world_row_clear(&w);
        return MA_OK;
    }
    Evo *e = agent_evo(c);
    if (!e) {
        cJSON_Delete(next);
        cJSON_Delete(moves);
        world_row_clear(&w);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    rc = evo_touch_row(e, "worlds", c->a->world_id, err);
    if (rc == MA_OK) {
        cJSON_DeleteItemFromObjectCaseSensitive(w.settings, "balance");
        cJSON_AddItemToObject(w.settings, "balance", next);
        next = NULL;
        rc = worlds_update(s, &w, err);
    }
    if (rc == MA_OK) {
        evo_summary(e, "the balance is tuned: %s", cJSON_GetArrayItem(moves, 0)->valuestring);
        cJSON *why = cJSON_CreateObject();
        cJSON_AddNumberToObject(why, "window_days", days);
        cJSON_AddNumberToObject(why, "experience_per_day", round(xp_day * 10) / 10);
        cJSON_AddNumberToObject(why, "deaths_per_day", round(deaths_day * 100) / 100);
        if (success >= 0)
            cJSON_AddNumberToObject(why, "quest_success", round(success * 100) / 100);
        cJSON_AddItemToObject(why, "targets", cJSON_Duplicate(targets, 1));
        cJSON_AddItemToObject(why, "changes", moves);
        moves = NULL;
        rc = agent_commit(c, e, "balance", why, NULL, err);
    }
    evo_free(e);
    cJSON_Delete(next);
    cJSON_Delete(moves);
    world_row_clear(&w);
    return rc;
}
