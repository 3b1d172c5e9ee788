/* quest.c — quests in play: accepting, objectives and their counters, expiry, hand-in. The
 * templates and the quests' rows are quest_book.c; what villagers offer, the log and sharing are
 * quest_dialogue.c; what the three share is quest_internal.h.
 *
 * A template becomes a `quests` row of the world (with its ordered `quest_objectives`) the first
 * time anything asks about quests there. A character's own counters live in
 * quest_progress.progress_data:
 *   {"giver":"villager_3_4","scale":1,"deadline":340,"ready":false,
 *    "objectives":[{"id":"wolves","count":1,"target":3,"base":2,"done":false}]}
 * where target is the template's count scaled by the character's level when accepted, base the
 * charstate counter ("slain_wolf") at that moment, and deadline the game turn it expires at.
 * Completing is one transaction: consumed items, progress_complete (which records
 * rewards_earned and refuses a second time), the rewards through the rule language, the
 * giver's regard. */
#include "game/quest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "game/calendar.h"
#include "game/game_internal.h"
#include "game/game_rules.h"
#include "game/inventory.h"
#include "game/npc.h"
#include "game/rules.h"
#include "save/characters.h"
#include "save/charstate.h"
#include "save/quests.h"
#include "util/data.h"
#include "util/text.h"
#include "game/quest_internal.h"

/* ------------------------------------------------------------ counters */

static int64_t counter_of(Game *g, int64_t character_id, const char *key)
{
    char buf[32];
    if (charstate_get(g->save, character_id, "counter", key, buf, sizeof buf, NULL) != MA_OK)
        return 0;
    return atoll(buf);
}

int quest_scale_for(int level) { return 1 + (level > 1 ? (level - 1) / 5 : 0); }

int quest_scaled_target(const cJSON *ob, int scale)
{
    int count = json_int(ob, "count", 1);
    const char *kind = json_str(ob, "kind");
    if (strcmp(kind, "collect") == 0 || strcmp(kind, "slay") == 0 || strcmp(kind, "craft") == 0)
        return count * scale;
    if (strcmp(kind, "reach") == 0 || strcmp(kind, "talk") == 0)
        return 1;
    return count;
}

/* Fresh progress for a character: counters at 0, targets scaled by its level. */
cJSON *quest_new_progress(Game *g, const cJSON *tpl, int64_t character_id, int level, const char *giver)
{
    int scale = quest_scale_for(level);
    cJSON *pd = cJSON_CreateObject();
    cJSON_AddStringToObject(pd, "giver", giver ? giver : "");
    cJSON_AddNumberToObject(pd, "scale", scale);
    int limit = json_int(tpl, "time_limit", 0);
    if (limit > 0)
        cJSON_AddNumberToObject(pd, "deadline", (double)(g->clock + limit));
    cJSON_AddBoolToObject(pd, "ready", 0);
    cJSON *list = cJSON_AddArrayToObject(pd, "objectives");
    const cJSON *ob;
    cJSON_ArrayForEach(ob, quest_tpl_objectives(tpl)) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", json_str(ob, "id"));
        cJSON_AddNumberToObject(o, "count", 0);
        cJSON_AddNumberToObject(o, "target", quest_scaled_target(ob, scale));
        if (strcmp(json_str(ob, "kind"), "slay") == 0) {
            char key[80];
            snprintf(key, sizeof key, "slain_%s", json_str(ob, "creature"));
            cJSON_AddNumberToObject(o, "base", (double)counter_of(g, character_id, key));
        }
        cJSON_AddBoolToObject(o, "done", 0);
        cJSON_AddItemToArray(list, o);
    }
    return pd;
}

/* Rewards as given to a character of this scale: experience grows with it. */
/* The rewards for a character at this scale, times the world's reward balance (experience only:
 * items stay as written). */
cJSON *quest_scaled_rewards(const Game *g, const cJSON *tpl, int scale)
{
    const cJSON *rew = cJSON_GetObjectItemCaseSensitive(tpl, "rewards");
    cJSON *out = rew ? cJSON_Duplicate(rew, 1) : cJSON_CreateArray();
    cJSON *e;
    cJSON_ArrayForEach(e, out) {
        cJSON *xp = cJSON_GetObjectItemCaseSensitive(e, "experience");
        if (cJSON_IsNumber(xp)) {
            double v = xp->valuedouble * scale * g->mods.reward_scale;
            cJSON_SetNumberValue(xp, v < 1 ? 1 : (int)(v + 0.5));
        }
    }
    return out;
}

cJSON *quest_obj_state(cJSON *pd, int i) { return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(pd, "objectives"), i); }

static int obj_done(cJSON *pd, int i) { return bfield(quest_obj_state(pd, i), "done"); }

int quest_all_done(const cJSON *tpl, cJSON *pd)
{
    for (int i = 0; i < cJSON_GetArraySize(quest_tpl_objectives(tpl)); i++)
        if (!obj_done(pd, i))
            return 0;
    return 1;
}

/* Whether objective i may progress now: not done, its predecessors done (in order), its
 * unlock condition true. */
int quest_obj_open(Game *g, const cJSON *tpl, cJSON *pd, int i, const RuleCtx *ctx)
{
    if (obj_done(pd, i))
        return 0;
    const char *order = json_str(tpl, "order");
    if (!order || strcmp(order, "in_order") == 0)
        for (int j = 0; j < i; j++)
            if (!obj_done(pd, j))
                return 0;
    (void)g;
    return rules_check(ctx, cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(quest_tpl_objectives(tpl), i), "unlock"));
}

static void obj_label(const cJSON *ob, cJSON *st, char *buf, size_t size)
{
    snprintf(buf, size, "%s %d/%d", json_str(ob, "text"), json_int(st, "count", 0), json_int(st, "target", 1));
}

/* Sets objective i's count (capped at its target) and done; announces a change. */
static int obj_set(const cJSON *tpl, cJSON *pd, int i, int count, ActionResult *r)
{
    cJSON *st = quest_obj_state(pd, i);
    int target = json_int(st, "target", 1);
    if (count > target)
        count = target;
    if (count < 0)
        count = 0;
    if (count == json_int(st, "count", 0))
        return 0;
    set_int(st, "count", count);
    const cJSON *ob = cJSON_GetArrayItem(quest_tpl_objectives(tpl), i);
    char label[160];
    obj_label(ob, st, label, sizeof label);
    if (count >= target) {
        set_bool(st, "done", 1);
        if (r)
            game_event(r, SEV_GOOD, "%s: %s — done.", json_str(tpl, "title"), label);
    } else if (r) {
        game_event(r, SEV_INFO, "%s: %s.", json_str(tpl, "title"), label);
    }
    return 1;
}

/* ------------------------------------------------------------ starting */

int quest_start(Game *g, const char *quest, const char *giver, ActionResult *r, Err *err)
{
    int rc = MA_OK;
    const cJSON *tpl = quest_tpl_find(g, quest);
    int64_t qid = 0;
    cJSON *pd = NULL;
    GameRules rules;
    game_rules_bind(&rules, g, r);
    if (!tpl) {
        rc = err_set(err, MA_ERR_INVALID, "there is no quest called %s", quest);
        goto done;
    }
    if ((rc = quest_row(g, tpl, &qid, err)) != MA_OK)
        goto done;
    ProgressRow p;
    if (progress_get(g->save, g->p.character_id, qid, &p, NULL) == MA_OK) {
        rc = err_set(err, MA_ERR_INVALID, "you have already taken %s (%s)", json_str(tpl, "title"), p.status);
        progress_row_clear(&p);
        goto done;
    }
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(tpl, "requirements");
    if (!rules_check(&rules.ctx, req)) {
        char why[300];
        rules_explain(&rules.ctx, req, why, sizeof why);
        rc = err_set(err, MA_ERR_INVALID, "%s %s", json_str(tpl, "title"), why);
        goto done;
    }
    pd = quest_new_progress(g, tpl, g->p.character_id, g->p.level, giver);
    memset(&p, 0, sizeof p);
    p.character_id = g->p.character_id;
    p.quest_id = qid;
    p.progress_data = pd;
    rc = progress_start(g->save, &p, err);
    p.progress_data = NULL;
    progress_row_clear(&p);
    if (rc != MA_OK)
        goto done;
    if (r) {
        const cJSON *first = cJSON_GetArrayItem(quest_tpl_objectives(tpl), 0);
        char label[160];
        obj_label(first, quest_obj_state(pd, 0), label, sizeof label);
        int limit = json_int(tpl, "time_limit", 0);
        if (limit > 0)
            game_event(r, SEV_GOOD, "Quest accepted: %s — %s (%d turns).", json_str(tpl, "title"), label, limit);
        else
            game_event(r, SEV_GOOD, "Quest accepted: %s — %s.", json_str(tpl, "title"), label);
    }
done:
    cJSON_Delete(pd);
    return rc;
}

const char *quest_book_title(const QuestBook *b, const char *name)
{
    const cJSON *q;
    if (!b || !name)
        return NULL;
    cJSON_ArrayForEach(q, b->list)
        if (strcasecmp(json_str(q, "name"), name) == 0 || strcasecmp(json_str(q, "title"), name) == 0)
            return json_str(q, "title");
    return NULL;
}

int quest_fail(Game *g, const char *quest, ActionResult *r, Err *err)
{
    const cJSON *tpl = quest_tpl_find(g, quest);
    if (!tpl)
        return err_set(err, MA_ERR_INVALID, "there is no quest called %s", quest);
    int64_t qid = 0;
    int rc = quest_row(g, tpl, &qid, err);
    if (rc != MA_OK)
        return rc;
    ProgressRow p;
    if (progress_get(g->save, g->p.character_id, qid, &p, NULL) != MA_OK)
        return MA_OK; /* never taken: nothing to fail */
    int active = strcmp(p.status, "active") == 0;
    progress_row_clear(&p);
    if (!active)
        return MA_OK;
    rc = progress_fail(g->save, g->p.character_id, qid, err);
    if (rc == MA_OK && r)
        game_event(r, SEV_BAD, "Quest failed: %s.", json_str(tpl, "title"));
    return rc;
}

int quest_accept(Game *g, const char *name, ActionResult *r, Err *err)
{
    int rc = quest_start(g, name, NULL, r, err);
    if (rc == MA_ERR_INVALID) {
        game_refuse(r, "%s", err->msg);
        err_clear(err);
        return MA_OK;
    }
    if (rc == MA_OK)
        r->ok = 1;
    return rc;
}

/* ------------------------------------------------------------ completing */

/* Gives the rewards of an active quest whose objectives are all done, in one transaction.
 * Returns MA_OK with r->ok = 0 and the reason when it cannot be handed in. */
static int complete(Game *g, const cJSON *tpl, int64_t qid, cJSON *pd, ActionResult *r, Err *err)
{
    GameRules rules;
    game_rules_bind(&rules, g, r);
    const cJSON *ob;
    int i = 0;
    cJSON_ArrayForEach(ob, quest_tpl_objectives(tpl)) {
        if (strcmp(json_str(ob, "kind"), "collect") == 0 && bfield(ob, "consume")) {
            int need = json_int(quest_obj_state(pd, i), "target", 1),
                have = game_item_count(g, json_str(ob, "item"), err);
            if (have < 0)
                return err->code;
            if (have < need) {
                char item[96];
                items_count_words(g->items, json_str(ob, "item"), need, item, sizeof item);
                game_refuse(r, "%s needs %s (you have %d)", json_str(tpl, "title"), item, have);
                return MA_OK;
            }
        }
        i++;
    }
    cJSON *rewards = quest_scaled_rewards(g, tpl, json_int(pd, "scale", 1));
    Player before = g->p;
    int events = r ? r->n_events : 0;
    int rc = save_savepoint(g->save, err);
    if (rc != MA_OK)
        goto out;
    i = 0;
    cJSON_ArrayForEach(ob, quest_tpl_objectives(tpl)) {
        if (rc == MA_OK && strcmp(json_str(ob, "kind"), "collect") == 0 && bfield(ob, "consume"))
            rc = game_take_item(g, json_str(ob, "item"), json_int(quest_obj_state(pd, i), "target", 1), err);
        i++;
    }
    if (rc == MA_OK)
        rc = progress_update(g->save, g->p.character_id, qid, pd, err);
    if (rc == MA_OK) {
        rc = progress_complete(g->save, g->p.character_id, qid, NULL, rewards, err);
        if (rc == MA_ERR_CONSTRAINT) {
            save_rollback_savepoint(g->save);
            game_refuse(r, "%s was already handed in", json_str(tpl, "title"));
            rc = MA_OK;
            goto out;
        }
    }
    if (rc == MA_OK) {
        rc = rules_apply(&rules.ctx, rewards, err);
        if (rc != MA_OK && rc != MA_ERR_DB && rc != MA_ERR_IO && rc != MA_ERR_NOMEM) {
            /* A reward the game refuses (a full pack): nothing of the hand-in is kept. */
            save_rollback_savepoint(g->save);
            g->p = before;
            if (r)
                r->n_events = events;
            game_refuse(r, "cannot hand in %s: %s", json_str(tpl, "title"), err->msg);
            err_clear(err);
            rc = MA_OK;
            goto out;
        }
    }
    const char *giver = json_str(pd, "giver");
    int64_t npc = giver && giver[0] ? npc_character_id(g, giver) : 0;
    if (rc == MA_OK && npc > 0) {
        char why[200];
        snprintf(why, sizeof why, "completed %s", json_str(tpl, "title"));
        rc = npc_relationship_change(g, npc, 10, "quest", why, NULL, err);
    }
    if (rc == MA_OK)
        rc = charstate_add(g->save, g->p.character_id, "quests_completed", 1, NULL, err);
    rc = save_end_savepoint(g->save, rc, err);
    if (rc != MA_OK) {
        g->p = before;
        if (r)
            r->n_events = events;
        goto out;
    }
    if (r) {
        char what[160];
        rules_describe_effects(rewards, g->items, what, sizeof what);
        game_event(r, SEV_GOOD, "Quest complete: %s (%s).", json_str(tpl, "title"), what);
        r->ok = 1;
    }
out:
    cJSON_Delete(rewards);
    return rc;
}

static int role_of(Game *g, const char *entity, char *role, size_t size)
{
    role[0] = '\0';
    int64_t npc = entity && entity[0] ? npc_character_id(g, entity) : 0;
    return npc > 0 && npc_role(g, npc, role, size, NULL, 0);
}

/* The first open deliver objective of a quest for villagers of role; -1 when none. */
int quest_open_delivery(Game *g, const cJSON *tpl, cJSON *pd, const char *role, const RuleCtx *ctx)
{
    for (int i = 0; i < cJSON_GetArraySize(quest_tpl_objectives(tpl)); i++) {
        const cJSON *ob = cJSON_GetArrayItem(quest_tpl_objectives(tpl), i);
        if (strcmp(json_str(ob, "kind"), "deliver") == 0 && strcmp(json_str(ob, "to"), role) == 0 &&
            quest_obj_open(g, tpl, pd, i, ctx))
            return i;
    }
    return -1;
}

int quest_hand_in(Game *g, const char *quest, const char *npc_entity, ActionResult *r, Err *err)
{
    int rc = MA_OK;
    ProgressRow p;
    memset(&p, 0, sizeof p);
    const cJSON *tpl = quest_tpl_find(g, quest);
    int64_t qid = 0;
    if (!tpl) {
        game_refuse(r, "there is no quest called %s", quest);
        goto done;
    }
    if ((rc = quest_row(g, tpl, &qid, err)) != MA_OK)
        goto done;
    rc = progress_get(g->save, g->p.character_id, qid, &p, err);
    if (rc == MA_ERR_NOT_FOUND) {
        rc = MA_OK;
        err_clear(err);
        game_refuse(r, "you have not taken %s", json_str(tpl, "title"));
        goto done;
    }
    if (rc != MA_OK)
        goto done;
    if (strcmp(p.status, "active") != 0) {
        if (strcmp(p.status, "completed") == 0)
            game_refuse(r, "%s was already handed in", json_str(tpl, "title"));
        else
            game_refuse(r, "%s is %s", json_str(tpl, "title"), p.status);
        goto done;
    }
    char role[16] = "";
    int at_npc = npc_entity && npc_entity[0];
    if (at_npc && !role_of(g, npc_entity, role, sizeof role)) {
        game_refuse(r, "nobody here takes quests");
        goto done;
    }
    if (at_npc && !quest_taken_back_by(g, tpl, npc_entity)) {
        game_refuse(r, "%s is %s's own: take it to %s", json_str(tpl, "title"), json_str(tpl, "asker"),
                    json_str(tpl, "asker"));
        goto done;
    }
    GameRules rules;
    game_rules_bind(&rules, g, r);
    if ((rc = save_savepoint(g->save, err)) != MA_OK)
        goto done;
    Player before = g->p;
    int events = r->n_events;
    int d = at_npc ? quest_open_delivery(g, tpl, p.progress_data, role, &rules.ctx) : -1;
    if (d >= 0) {
        const cJSON *ob = cJSON_GetArrayItem(quest_tpl_objectives(tpl), d);
        int need = json_int(quest_obj_state(p.progress_data, d), "target", 1);
        int have = game_item_count(g, json_str(ob, "item"), err);
        char item[96];
        items_count_words(g->items, json_str(ob, "item"), need, item, sizeof item);
        if (have < 0) {
            rc = err->code;
        } else if (have < need) {
            save_rollback_savepoint(g->save);
            game_refuse(r, "%s needs %s (you have %d)", json_str(tpl, "title"), item, have);
            goto done;
        } else if ((rc = inventory_transfer(g, npc_character_id(g, npc_entity), json_str(ob, "item"), need, "quest", 0,
                                            err)) == MA_OK) {
            obj_set(tpl, p.progress_data, d, need, r);
            game_event(r, SEV_GOOD, "You hand over %s.", item);
            if (rc == MA_OK)
                rc = progress_update(g->save, g->p.character_id, qid, p.progress_data, err);
        }
    }
    if (rc == MA_OK && quest_all_done(tpl, p.progress_data)) {
        const char *giver = cJSON_GetObjectItemCaseSensitive(tpl, "giver")->valuestring;
        if (at_npc && strcmp(quest_tpl_turn_in(tpl), "giver") == 0 && strcmp(role, giver) != 0) {
            if (d >= 0) {
                r->ok = 1;
                game_event(r, SEV_INFO, "Return to a %s to hand in %s.", giver, json_str(tpl, "title"));
            } else {
                save_rollback_savepoint(g->save);
                game_refuse(r, "hand %s in to a %s", json_str(tpl, "title"), giver);
                goto done;
            }
        } else {
            rc = complete(g, tpl, qid, p.progress_data, r, err);
            if (rc == MA_OK && !r->ok) {
                save_rollback_savepoint(g->save);
                g->p = before;
                char why[128];
                snprintf(why, sizeof why, "%s", r->text);
                r->n_events = events;
                game_refuse(r, "%s", why);
                goto done;
            }
        }
    } else if (rc == MA_OK && d < 0) {
        save_rollback_savepoint(g->save);
        for (int i = 0; i < cJSON_GetArraySize(quest_tpl_objectives(tpl)); i++)
            if (!obj_done(p.progress_data, i)) {
                char label[160];
                obj_label(cJSON_GetArrayItem(quest_tpl_objectives(tpl), i), quest_obj_state(p.progress_data, i), label, sizeof label);
                game_refuse(r, "%s is not done yet: %s", json_str(tpl, "title"), label);
                break;
            }
        goto done;
    } else if (rc == MA_OK) {
        r->ok = 1;
    }
    rc = save_end_savepoint(g->save, rc, err);
    if (rc != MA_OK) {
        g->p = before;
        r->n_events = events;
    }
done:
    progress_row_clear(&p);
    return rc;
}

int quest_advance(Game *g, const char *quest, const char *objective, int amount, ActionResult *r, Err *err)
{
    int rc = MA_OK;
    ProgressRow p;
    memset(&p, 0, sizeof p);
    const cJSON *tpl = quest_tpl_find(g, quest);
    int64_t qid = 0;
    if (!tpl) {
        rc = err_set(err, MA_ERR_NOT_FOUND, "there is no quest called %s", quest);
        goto done;
    }
    if ((rc = quest_row(g, tpl, &qid, err)) != MA_OK)
        goto done;
    if (progress_get(g->save, g->p.character_id, qid, &p, NULL) != MA_OK || strcmp(p.status, "active") != 0) {
        rc = err_set(err, MA_ERR_INVALID, "the quest %s is not active", quest);
        goto done;
    }
    int i = 0, found = -1;
    const cJSON *ob;
    cJSON_ArrayForEach(ob, quest_tpl_objectives(tpl)) {
        if (strcmp(json_str(ob, "id"), objective) == 0)
            found = i;
        i++;
    }
    if (found < 0) {
        rc = err_set(err, MA_ERR_NOT_FOUND, "the quest %s has no objective %s", quest, objective);
        goto done;
    }
    if (obj_set(tpl, p.progress_data, found, json_int(quest_obj_state(p.progress_data, found), "count", 0) + amount, r))
        rc = progress_update(g->save, g->p.character_id, qid, p.progress_data, err);
done:
    progress_row_clear(&p);
    return rc;
}

/* ------------------------------------------------------------ after every action */

/* Advances the open objectives of one active quest; returns 1 when its progress changed. */
static int advance_objectives(Game *g, const cJSON *tpl, cJSON *pd, const Action *a, ActionResult *r,
                              const char *talk_role, const RuleCtx *ctx)
{
    int changed = 0;
    for (int i = 0; i < cJSON_GetArraySize(quest_tpl_objectives(tpl)); i++) {
        if (!quest_obj_open(g, tpl, pd, i, ctx))
            continue;
        const cJSON *ob = cJSON_GetArrayItem(quest_tpl_objectives(tpl), i);
        cJSON *st = quest_obj_state(pd, i);
        const char *kind = json_str(ob, "kind");
        int count = json_int(st, "count", 0);
        if (strcmp(kind, "collect") == 0) {
            int have = game_item_count(g, json_str(ob, "item"), NULL);
            count = have < 0 ? count : have;
        } else if (strcmp(kind, "slay") == 0) {
            char key[80];
            snprintf(key, sizeof key, "slain_%s", json_str(ob, "creature"));
            count = (int)(counter_of(g, g->p.character_id, key) - json_int(st, "base", 0));
        } else if (strcmp(kind, "reach") == 0) {
            count = game_near_place(g, json_str(ob, "place"), json_int(ob, "radius", 8)) ? 1 : 0;
        } else if (strcmp(kind, "talk") == 0) {
            if (a->kind == ACT_TALK && r->ok && talk_role && strcmp(talk_role, json_str(ob, "role")) == 0)
                count = 1;
        } else if (strcmp(kind, "craft") == 0) {
            if (a->kind == ACT_CRAFT && r->ok && strcmp(a->arg, json_str(ob, "item")) == 0)
                count += a->count > 0 ? a->count : 1;
        }
        /* Objectives only move forward: dropping wood does not undo a finished step. */
        if (count > json_int(st, "count", 0))
            changed |= obj_set(tpl, pd, i, count, r);
    }
    return changed;
}

/* Counters the achievements read that no other module keeps. */
static int count_action(Game *g, const Action *a, const ActionResult *r, Err *err)
{
    const char *key = !r->ok                   ? NULL
                      : a->kind == ACT_MOVE  ? "steps"
                      : a->kind == ACT_DIG   ? "blocks_dug"
                      : a->kind == ACT_PLACE ? "blocks_placed"
                                             : NULL;
    return key ? charstate_add(g->save, g->p.character_id, key, 1, NULL, err) : MA_OK;
}

int quest_expire_overdue(Game *g, ActionResult *r, Err *err)
{
    ProgressRow *rows = NULL;
    int n = 0;
    int rc = progress_list(g->save, g->p.character_id, "active", &rows, &n, err);
    for (int k = 0; k < n && rc == MA_OK; k++) {
        const cJSON *tpl = quest_tpl_of_row(g, rows[k].quest_id);
        const cJSON *deadline = cJSON_GetObjectItemCaseSensitive(rows[k].progress_data, "deadline");
        /* The time limit is for the work: once it is all done, the quest waits to be handed in. */
        if (!tpl || !cJSON_IsNumber(deadline) || g->clock < (int64_t)deadline->valuedouble ||
            quest_all_done(tpl, rows[k].progress_data))
            continue;
        rc = progress_expire(g->save, g->p.character_id, rows[k].quest_id, err);
        if (rc == MA_OK)
            game_event(r, SEV_BAD, "Quest failed: %s — the time ran out.", json_str(tpl, "title"));
    }
    progress_list_free(rows, n);
    return rc;
}

int quest_after_action(Game *g, const Action *a, ActionResult *r, Err *err)
{
    int rc = count_action(g, a, r, err);
    if (rc == MA_OK)
        rc = npc_after_action(g, a, r, err);
    if (rc == MA_OK)
        rc = quest_expire_overdue(g, r, err);
    if (rc != MA_OK)
        return rc;
    ProgressRow *rows = NULL;
    int n = 0;
    if ((rc = progress_list(g->save, g->p.character_id, "active", &rows, &n, err)) != MA_OK || n == 0)
        return rc;
    char talk_role[16] = "";
    if (a->kind == ACT_TALK && r->ok) {
        char entity[64];
        if (charstate_get(g->save, g->p.character_id, "flag", "talking_to", entity, sizeof entity, NULL) == MA_OK)
            role_of(g, entity, talk_role, sizeof talk_role);
    }
    GameRules rules;
    game_rules_bind(&rules, g, r);
    for (int k = 0; k < n && rc == MA_OK; k++) {
        ProgressRow *p = &rows[k];
        const cJSON *tpl = quest_tpl_of_row(g, p->quest_id);
        if (!tpl)
            continue;
        int changed = advance_objectives(g, tpl, p->progress_data, a, r, talk_role[0] ? talk_role : NULL, &rules.ctx);
        if (quest_all_done(tpl, p->progress_data)) {
            if (strcmp(quest_tpl_turn_in(tpl), "auto") == 0) {
                ActionResult sub;
                memset(&sub, 0, sizeof sub);
                rc = complete(g, tpl, p->quest_id, p->progress_data, &sub, err);
                for (int e = 0; e < sub.n_events; e++)
                    game_event(r, sub.events[e].severity, "%s", sub.events[e].text);
                if (rc == MA_OK && !sub.ok)
                    game_event(r, SEV_WARN, "%s", sub.text);
                continue;
            }
            if (!bfield(p->progress_data, "ready")) {
                set_bool(p->progress_data, "ready", 1);
                changed = 1;
                char who[160];
                quest_giver_words(g, tpl, p->progress_data, who, sizeof who);
                game_event(r, SEV_GOOD, "%s is done: hand it in to %s.", json_str(tpl, "title"), who);
            }
        }
        if (changed)
            rc = progress_update(g->save, g->p.character_id, p->quest_id, p->progress_data, err);
    }
    progress_list_free(rows, n);
    return rc;
}
