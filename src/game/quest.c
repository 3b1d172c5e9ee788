/* quest.c — quests: templates (data/quests.json), accepting, objectives, expiry, hand-in.
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

static void giver_words(Game *g, const cJSON *tpl, const cJSON *pd, char *buf, size_t size);

struct QuestBook {
    cJSON *root;
    const cJSON *list; /* the "quests" array */
};

static const char *const kinds[] = {"collect", "slay", "reach", "talk", "craft", "deliver"};
static const char *const roles[] = {"smith", "farmer", "guard", "priest", "trader"};

/* ------------------------------------------------------------ small JSON helpers */

static const char *sfield(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int ifield(const cJSON *o, const char *k, int def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valueint : def;
}

static int bfield(const cJSON *o, const char *k) { return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k)); }

static void set_int(cJSON *o, const char *k, double v)
{
    cJSON *old = cJSON_GetObjectItemCaseSensitive(o, k);
    if (old)
        cJSON_SetNumberValue(old, v);
    else
        cJSON_AddNumberToObject(o, k, v);
}

static void set_bool(cJSON *o, const char *k, int v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, k);
    cJSON_AddBoolToObject(o, k, v);
}



#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ loading */

static int is_ident(const char *s)
{
    if (!s || !s[0] || strlen(s) > 63)
        return 0;
    for (const char *c = s; *c; c++)
        if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_'))
            return 0;
    return 1;
}

static int text_ok(const char *s, size_t max) { return s && s[0] && strlen(s) <= max; }

static int whole(const cJSON *o, const char *k, int lo, int hi, int required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!v)
        return !required;
    return cJSON_IsNumber(v) && v->valuedouble == (double)v->valueint && v->valueint >= lo && v->valueint <= hi;
}

static int validate_objective(const cJSON *ob, char *why, size_t size, const char *where, Err *err, int *rc)
{
    *rc = MA_OK;
    const char *kind = sfield(ob, "kind");
    if (!cJSON_IsObject(ob))
        return snprintf(why, size, "must be an object"), 1;
    if (!is_ident(sfield(ob, "id")))
        return snprintf(why, size, "id must be a name of a-z, 0-9 and _ (1 to 63 characters)"), 1;
    if (!text_in_list(kind, kinds, NELEM(kinds)))
        return snprintf(why, size, "kind must be one of collect, slay, reach, talk, craft, deliver"), 1;
    if (!text_ok(sfield(ob, "text"), 100))
        return snprintf(why, size, "text must be 1 to 100 characters"), 1;
    const char *need = strcmp(kind, "collect") == 0 || strcmp(kind, "craft") == 0 ||
        strcmp(kind, "deliver") == 0 ? "item"
                       : strcmp(kind, "slay") == 0                                                             ? "creature"
                       : strcmp(kind, "reach") == 0                                                            ? "place"
                                                                                                               : "role";
    if (!is_ident(sfield(ob, need)))
        return snprintf(why, size, "a %s objective needs \"%s\", a name of a-z, 0-9 and _", kind, need), 1;
    if (strcmp(kind, "talk") == 0 && !text_in_list(sfield(ob, "role"), roles, NELEM(roles)))
        return snprintf(why, size, "role must be one of smith, farmer, guard, priest, trader"), 1;
    if (strcmp(kind, "deliver") == 0 && !text_in_list(sfield(ob, "to"), roles, NELEM(roles)))
        return snprintf(why, size, "a deliver objective needs \"to\": smith, farmer, guard, priest or trader"), 1;
    if (!whole(ob, "count", 1, 9999, 0))
        return snprintf(why, size, "count must be a whole number from 1 to 9999"), 1;
    if (strcmp(kind, "reach") == 0 && !whole(ob, "radius", 1, 256, 0))
        return snprintf(why, size, "radius must be a whole number from 1 to 256"), 1;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(ob, "unlock");
    if (c && (*rc = rules_validate_condition(c, where, err)) != MA_OK)
        return 1;
    return 0;
}

static int entry_fail(Err *err, const char *source, int i, const char *name, const char *why)
{
    return err_set(err, MA_ERR_INVALID, "%s: quest %d (\"%s\"): %s", source, i, name ? name : "?", why);
}

/* One quest template (data/quests.json's form, or a row's): every field checked. Entry i of
 * source, for messages. */
static int check_template(const cJSON *q, const char *source, int i, Err *err)
{
    const char *name = sfield(q, "name");
    char why[200], where[256];
    int rc;
    if (!text_ok(sfield(q, "title"), 128))
        return entry_fail(err, source, i, name, "title must be 1 to 128 characters");
    if (!text_in_list(sfield(q, "giver"), roles, NELEM(roles)))
        return entry_fail(err, source, i, name, "giver must be one of smith, farmer, guard, priest, trader");
    if (cJSON_GetObjectItemCaseSensitive(q, "description") && !text_ok(sfield(q, "description"), 1000))
        return entry_fail(err, source, i, name, "description must be 1 to 1000 characters");
    if (!whole(q, "difficulty", 1, 10, 0) || !whole(q, "time_limit", 0, 1000000, 0))
        return entry_fail(err, source, i, name,
                          "difficulty must be a whole number from 1 to 10 and time_limit one from 0 to 1000000 turns");
    const char *turn_in = sfield(q, "turn_in"), *order = sfield(q, "order");
    if ((cJSON_GetObjectItemCaseSensitive(q, "turn_in") && (!turn_in ||
        (strcmp(turn_in, "giver") && strcmp(turn_in, "auto")))) ||
        (cJSON_GetObjectItemCaseSensitive(q, "order") && (!order ||
            (strcmp(order, "in_order") && strcmp(order, "any")))))
        return entry_fail(err, source, i, name, "turn_in must be \"giver\" or \"auto\", order \"in_order\" or \"any\"");
    static const char *const conds[] = {"unlock", "requirements"};
    for (int k = 0; k < 2; k++) {
        snprintf(where, sizeof where, "%s: quest %d (\"%s\"): %s", source, i, name, conds[k]);
        if ((rc = rules_validate_condition(cJSON_GetObjectItemCaseSensitive(q, conds[k]), where, err)) != MA_OK)
            return rc;
    }
    snprintf(where, sizeof where, "%s: quest %d (\"%s\"): rewards", source, i, name);
    if ((rc = rules_validate_effects(cJSON_GetObjectItemCaseSensitive(q, "rewards"), where, err)) != MA_OK)
        return rc;
    const cJSON *obs = cJSON_GetObjectItemCaseSensitive(q, "objectives");
    int n_obs = cJSON_GetArraySize(obs);
    if (!cJSON_IsArray(obs) || n_obs < 1 || n_obs > QUEST_MAX_OBJECTIVES)
        return entry_fail(err, source, i, name, "objectives must be an array of 1 to 8 objectives");
    int j = 0;
    const cJSON *ob;
    cJSON_ArrayForEach(ob, obs) {
        snprintf(where, sizeof where, "%s: quest %d (\"%s\"): objectives[%d].unlock", source, i, name, j);
        int vrc;
        if (validate_objective(ob, why, sizeof why, where, err, &vrc)) {
            if (vrc != MA_OK)
                return vrc;
            char msg[260];
            snprintf(msg, sizeof msg, "objectives[%d]: %s", j, why);
            return entry_fail(err, source, i, name, msg);
        }
        for (const cJSON *p = obs->child; p != ob; p = p->next)
            if (strcmp(sfield(p, "id"), sfield(ob, "id")) == 0) {
                snprintf(why, sizeof why, "objectives[%d]: the id \"%s\" is used twice", j, sfield(ob, "id"));
                return entry_fail(err, source, i, name, why);
            }
        j++;
    }
    return MA_OK;
}

int quest_book_load(const char *json, size_t len, const char *source, QuestBook **out, Err *err)
{
    *out = NULL;
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root)
        return err_set(err, MA_ERR_INVALID, "%s: not valid JSON (near byte %ld)", source,
                       cJSON_GetErrorPtr() ? (long)(cJSON_GetErrorPtr() - json) : -1L);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "quests");
    int rc = MA_OK;
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
        rc = err_set(err, MA_ERR_INVALID, "%s: \"quests\" must be a non-empty array", source);
        goto fail;
    }
    int i = 0;
    const cJSON *q;
    cJSON_ArrayForEach(q, list) {
        const char *name = cJSON_IsObject(q) ? sfield(q, "name") : NULL;
        if (!is_ident(name)) {
            rc = entry_fail(err, source, i, name, "name must be a name of a-z, 0-9 and _ (1 to 63 characters)");
            goto fail;
        }
        for (const cJSON *p = list->child; p != q; p = p->next)
            if (strcmp(sfield(p, "name"), name) == 0) {
                rc = entry_fail(err, source, i, name, "the name is used twice");
                goto fail;
            }
        if ((rc = check_template(q, source, i, err)) != MA_OK)
            goto fail;
        i++;
    }
    QuestBook *b = calloc(1, sizeof *b);
    if (!b) {
        rc = err_set(err, MA_ERR_NOMEM, "out of memory");
        goto fail;
    }
    b->root = root;
    b->list = list;
    *out = b;
    return MA_OK;
fail:
    cJSON_Delete(root);
    return rc;
}

static int parse_book(const char *text, size_t len, const char *where, void *out, Err *err)
{
    return quest_book_load(text, len, where, out, err);
}

int quest_book_load_default(QuestBook **out, Err *err)
{
    *out = NULL;
    return data_book_corrupt(data_book_load("quests.json", parse_book, out, err), err);
}

void quest_book_free(QuestBook *b)
{
    if (!b)
        return;
    cJSON_Delete(b->root);
    free(b);
}

static const cJSON *tpl_objectives(const cJSON *tpl) { return cJSON_GetObjectItemCaseSensitive(tpl, "objectives"); }

static const char *tpl_turn_in(const cJSON *tpl)
{
    const char *t = sfield(tpl, "turn_in");
    return t ? t : "giver";
}

/* ------------------------------------------------------------ quests are played from their rows */

/* What a quest row's details hold of its template (migration 006). */
static const char *const detail_keys[] = {"name", "giver", "turn_in", "time_limit", "unlock", "order", "type", "for"};

static cJSON *details_of(const cJSON *tpl, const char *source)
{
    cJSON *d = cJSON_CreateObject();
    for (size_t k = 0; k < NELEM(detail_keys); k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(tpl, detail_keys[k]);
        if (v)
            cJSON_AddItemToObject(d, detail_keys[k], cJSON_Duplicate(v, 1));
    }
    cJSON_AddStringToObject(d, "source", source);
    return d;
}

int quest_insert_template(Save *s, int64_t world_id, const cJSON *q, const char *source, const char *created_at,
                          const char *expires_at, int64_t *id, Err *err)
{
    char where[64];
    snprintf(where, sizeof where, "a quest from %s", source);
    int rc = is_ident(sfield(q, "name")) ? check_template(q, where, 0, err)
                                         : entry_fail(err, where, 0, sfield(q, "name"), "name must be a-z, 0-9 and _");
    if (rc != MA_OK)
        return rc;
    QuestRow r;
    memset(&r, 0, sizeof r);
    r.world_id = world_id;
    snprintf(r.title, sizeof r.title, "%s", sfield(q, "title"));
    r.description = strdup(sfield(q, "description") ? sfield(q, "description") : sfield(q, "title"));
    snprintf(r.quest_type, sizeof r.quest_type, "%s", sfield(q, "type") ? sfield(q, "type") : "side");
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(q, "requirements");
    const cJSON *rew = cJSON_GetObjectItemCaseSensitive(q, "rewards");
    r.requirements = req ? cJSON_Duplicate(req, 1) : cJSON_CreateObject();
    r.rewards = rew ? cJSON_Duplicate(rew, 1) : cJSON_CreateArray();
    r.difficulty_level = ifield(q, "difficulty", 1);
    r.is_active = 1;
    r.details = details_of(q, source);
    if (created_at)
        snprintf(r.created_at, sizeof r.created_at, "%s", created_at);
    if (expires_at)
        snprintf(r.expires_at, sizeof r.expires_at, "%s", expires_at);
    rc = quests_insert(s, &r, err);
    int64_t qid = r.id;
    quest_row_clear(&r);
    int k = 0;
    const cJSON *ob;
    cJSON_ArrayForEach(ob, tpl_objectives(q)) {
        if (rc != MA_OK)
            break;
        ObjectiveRow o;
        memset(&o, 0, sizeof o);
        o.quest_id = qid;
        o.objective_text = strdup(sfield(ob, "text"));
        const cJSON *unlock = cJSON_GetObjectItemCaseSensitive(ob, "unlock");
        o.requirements = unlock ? cJSON_Duplicate(unlock, 1) : cJSON_CreateObject();
        /* The objective's kind and target: with the text and the unlock, the whole objective. */
        o.progress_data = cJSON_Duplicate(ob, 1);
        cJSON_DeleteItemFromObjectCaseSensitive(o.progress_data, "unlock");
        cJSON_DeleteItemFromObjectCaseSensitive(o.progress_data, "text");
        o.order_index = k++;
        rc = objectives_insert(s, &o, err);
        objective_row_clear(&o);
    }
    if (rc == MA_OK && id)
        *id = qid;
    return rc;
}

int quest_seed(Game *g, Err *err)
{
    QuestBook *b = g->quest_book;
    QuestRow *rows = NULL;
    int n = 0;
    int rc = quests_list_world(g->save, g->p.world_id, &rows, &n, err);
    if (rc != MA_OK)
        return rc;
    const cJSON *q;
    cJSON_ArrayForEach(q, b->list) {
        if (rc != MA_OK)
            break;
        int found = 0;
        for (int i = 0; i < n && !found && rc == MA_OK; i++) {
            const char *name = sfield(rows[i].details, "name");
            if (name ? strcmp(name, sfield(q, "name")) == 0 : strcmp(rows[i].title, sfield(q, "title")) == 0) {
                found = 1;
                if (!name) { /* a row from before quests kept their details: give it them */
                    cJSON_Delete(rows[i].details);
                    rows[i].details = details_of(q, "data");
                    rc = quests_update(g->save, &rows[i], err);
                }
            }
        }
        if (!found && rc == MA_OK)
            rc = quest_insert_template(g->save, g->p.world_id, q, "data", NULL, NULL, NULL, err);
    }
    quests_list_free(rows, n);
    quest_forget_templates(g);
    return rc;
}

void quest_forget_templates(Game *g)
{
    cJSON_Delete(g->quest_tpls);
    g->quest_tpls = NULL;
}

/* A quest row as a template in data/quests.json's form, with "quest_id", "active", "for" (the one
 * character it was written for; 0 anyone) and "expires_turn" (-1 never); NULL when the row does
 * not hold a quest the game can play (reported by verify). */
static cJSON *template_of_save(Save *save, const QuestRow *q, Err *why)
{
    if (!sfield(q->details, "name")) {
        err_set(why, MA_ERR_INVALID, "its details name no quest (a row the game did not write)");
        return NULL;
    }
    cJSON *t = cJSON_CreateObject();
    for (size_t k = 0; k < NELEM(detail_keys); k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(q->details, detail_keys[k]);
        if (v)
            cJSON_AddItemToObject(t, detail_keys[k], cJSON_Duplicate(v, 1));
    }
    cJSON_AddStringToObject(t, "title", q->title);
    if (q->description && q->description[0])
        cJSON_AddStringToObject(t, "description", q->description);
    cJSON_AddNumberToObject(t, "difficulty", q->difficulty_level > 10 ? 10 : q->difficulty_level);
    if (cJSON_IsObject(q->requirements) && q->requirements->child)
        cJSON_AddItemToObject(t, "requirements", cJSON_Duplicate(q->requirements, 1));
    if (cJSON_IsArray(q->rewards))
        cJSON_AddItemToObject(t, "rewards", cJSON_Duplicate(q->rewards, 1));
    ObjectiveRow *obs = NULL;
    int n = 0;
    if (objectives_list(save, q->id, &obs, &n, why) != MA_OK) {
        cJSON_Delete(t);
        return NULL;
    }
    cJSON *list = cJSON_AddArrayToObject(t, "objectives");
    for (int i = 0; i < n; i++) {
        cJSON *o = cJSON_IsObject(obs[i].progress_data) ? cJSON_Duplicate(obs[i].progress_data, 1) : cJSON_CreateObject();
        cJSON_DeleteItemFromObjectCaseSensitive(o, "text");
        cJSON_AddStringToObject(o, "text", obs[i].objective_text ? obs[i].objective_text : "");
        if (cJSON_IsObject(obs[i].requirements) && obs[i].requirements->child)
            cJSON_AddItemToObject(o, "unlock", cJSON_Duplicate(obs[i].requirements, 1));
        cJSON_AddItemToArray(list, o);
    }
    objectives_list_free(obs, n);
    char source[64];
    snprintf(source, sizeof source, "quest row %lld", (long long)q->id);
    if (check_template(t, source, 0, why) != MA_OK) {
        cJSON_Delete(t);
        return NULL;
    }
    cJSON_AddNumberToObject(t, "quest_id", (double)q->id);
    cJSON_AddBoolToObject(t, "active", q->is_active);
    if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(t, "for")))
        cJSON_AddNumberToObject(t, "for", 0);
    cJSON_AddNumberToObject(t, "expires_turn", q->expires_at[0] ? (double)calendar_turn_of_iso(q->expires_at) : -1);
    return t;
}

static cJSON *template_of(Game *g, const QuestRow *q) { return template_of_save(g->save, q, NULL); }

int quest_row_playable(Save *s, const QuestRow *q, Err *why)
{
    cJSON *t = template_of_save(s, q, why);
    cJSON_Delete(t);
    return t != NULL;
}

/* Every quest of the world that can be played, read once and kept until quest_forget_templates. */
static const cJSON *templates(Game *g)
{
    if (g->quest_tpls)
        return g->quest_tpls;
    g->quest_tpls = cJSON_CreateArray();
    QuestRow *rows = NULL;
    int n = 0;
    if (quests_list_world(g->save, g->p.world_id, &rows, &n, NULL) == MA_OK) {
        for (int i = 0; i < n; i++) {
            cJSON *t = template_of(g, &rows[i]);
            if (t)
                cJSON_AddItemToArray(g->quest_tpls, t);
        }
        quests_list_free(rows, n);
    }
    return g->quest_tpls;
}

/* A quest this character may be offered now: active, not expired, for anyone or for them. */
static int tpl_open(const Game *g, const cJSON *t)
{
    int64_t who = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(t, "for"));
    double exp = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(t, "expires_turn"));
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "active")) && (who == 0 || who == g->p.character_id) &&
           (exp < 0 || (int64_t)exp > g->clock);
}

static const cJSON *tpl_find(Game *g, const char *name)
{
    const cJSON *q, *found = NULL;
    cJSON_ArrayForEach(q, templates(g)) {
        int64_t who = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(q, "for"));
        if (who != 0 && who != g->p.character_id)
            continue;
        if (strcasecmp(sfield(q, "name"), name) == 0 || strcasecmp(sfield(q, "title"), name) == 0)
            if (!found || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(q, "active")))
                found = q;
    }
    return found;
}

static int quest_row(Game *g, const cJSON *tpl, int64_t *id, Err *err)
{
    (void)g, (void)err;
    *id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(tpl, "quest_id"));
    return MA_OK;
}

static const cJSON *tpl_of_row(Game *g, int64_t quest_id)
{
    const cJSON *q;
    cJSON_ArrayForEach(q, templates(g))
        if ((int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(q, "quest_id")) == quest_id)
            return q;
    return NULL;
}

const char *quest_state_name(Game *g, const char *quest)
{
    const cJSON *tpl = tpl_find(g, quest);
    const char *state = "none";
    int64_t qid = 0;
    if (tpl && quest_row(g, tpl, &qid, NULL) == MA_OK && qid > 0) {
        ProgressRow p;
        if (progress_get(g->save, g->p.character_id, qid, &p, NULL) == MA_OK) {
            state = strcmp(p.status, "active") == 0      ? "active"
                    : strcmp(p.status, "completed") == 0 ? "completed"
                                                         : "failed";
            progress_row_clear(&p);
        }
    }
    return state;
}

/* ------------------------------------------------------------ counters */

static int64_t counter_of(Game *g, int64_t character_id, const char *key)
{
    char buf[32];
    if (charstate_get(g->save, character_id, "counter", key, buf, sizeof buf, NULL) != MA_OK)
        return 0;
    return atoll(buf);
}

static int scale_for(int level) { return 1 + (level > 1 ? (level - 1) / 5 : 0); }

static int scaled_target(const cJSON *ob, int scale)
{
    int count = ifield(ob, "count", 1);
    const char *kind = sfield(ob, "kind");
    if (strcmp(kind, "collect") == 0 || strcmp(kind, "slay") == 0 || strcmp(kind, "craft") == 0)
        return count * scale;
    if (strcmp(kind, "reach") == 0 || strcmp(kind, "talk") == 0)
        return 1;
    return count;
}

/* Fresh progress for a character: counters at 0, targets scaled by its level. */
static cJSON *new_progress(Game *g, const cJSON *tpl, int64_t character_id, int level, const char *giver)
{
    int scale = scale_for(level);
    cJSON *pd = cJSON_CreateObject();
    cJSON_AddStringToObject(pd, "giver", giver ? giver : "");
    cJSON_AddNumberToObject(pd, "scale", scale);
    int limit = ifield(tpl, "time_limit", 0);
    if (limit > 0)
        cJSON_AddNumberToObject(pd, "deadline", (double)(g->clock + limit));
    cJSON_AddBoolToObject(pd, "ready", 0);
    cJSON *list = cJSON_AddArrayToObject(pd, "objectives");
    const cJSON *ob;
    cJSON_ArrayForEach(ob, tpl_objectives(tpl)) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", sfield(ob, "id"));
        cJSON_AddNumberToObject(o, "count", 0);
        cJSON_AddNumberToObject(o, "target", scaled_target(ob, scale));
        if (strcmp(sfield(ob, "kind"), "slay") == 0) {
            char key[80];
            snprintf(key, sizeof key, "slain_%s", sfield(ob, "creature"));
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
static cJSON *scaled_rewards(const Game *g, const cJSON *tpl, int scale)
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

static cJSON *obj_state(cJSON *pd, int i) { return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(pd, "objectives"), i); }

static int obj_done(cJSON *pd, int i) { return bfield(obj_state(pd, i), "done"); }

static int all_done(const cJSON *tpl, cJSON *pd)
{
    for (int i = 0; i < cJSON_GetArraySize(tpl_objectives(tpl)); i++)
        if (!obj_done(pd, i))
            return 0;
    return 1;
}

/* Whether objective i may progress now: not done, its predecessors done (in order), its
 * unlock condition true. */
static int obj_open(Game *g, const cJSON *tpl, cJSON *pd, int i, const RuleCtx *ctx)
{
    if (obj_done(pd, i))
        return 0;
    const char *order = sfield(tpl, "order");
    if (!order || strcmp(order, "in_order") == 0)
        for (int j = 0; j < i; j++)
            if (!obj_done(pd, j))
                return 0;
    (void)g;
    return rules_check(ctx, cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(tpl_objectives(tpl), i), "unlock"));
}

static void obj_label(const cJSON *ob, cJSON *st, char *buf, size_t size)
{
    snprintf(buf, size, "%s %d/%d", sfield(ob, "text"), ifield(st, "count", 0), ifield(st, "target", 1));
}

/* Sets objective i's count (capped at its target) and done; announces a change. */
static int obj_set(const cJSON *tpl, cJSON *pd, int i, int count, ActionResult *r)
{
    cJSON *st = obj_state(pd, i);
    int target = ifield(st, "target", 1);
    if (count > target)
        count = target;
    if (count < 0)
        count = 0;
    if (count == ifield(st, "count", 0))
        return 0;
    set_int(st, "count", count);
    const cJSON *ob = cJSON_GetArrayItem(tpl_objectives(tpl), i);
    char label[160];
    obj_label(ob, st, label, sizeof label);
    if (count >= target) {
        set_bool(st, "done", 1);
        if (r)
            game_event(r, SEV_GOOD, "%s: %s — done.", sfield(tpl, "title"), label);
    } else if (r) {
        game_event(r, SEV_INFO, "%s: %s.", sfield(tpl, "title"), label);
    }
    return 1;
}

/* ------------------------------------------------------------ starting */

int quest_start(Game *g, const char *quest, const char *giver, ActionResult *r, Err *err)
{
    int rc = MA_OK;
    const cJSON *tpl = tpl_find(g, quest);
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
        rc = err_set(err, MA_ERR_INVALID, "you have already taken %s (%s)", sfield(tpl, "title"), p.status);
        progress_row_clear(&p);
        goto done;
    }
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(tpl, "requirements");
    if (!rules_check(&rules.ctx, req)) {
        char why[300];
        rules_explain(&rules.ctx, req, why, sizeof why);
        rc = err_set(err, MA_ERR_INVALID, "%s %s", sfield(tpl, "title"), why);
        goto done;
    }
    pd = new_progress(g, tpl, g->p.character_id, g->p.level, giver);
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
        const cJSON *first = cJSON_GetArrayItem(tpl_objectives(tpl), 0);
        char label[160];
        obj_label(first, obj_state(pd, 0), label, sizeof label);
        int limit = ifield(tpl, "time_limit", 0);
        if (limit > 0)
            game_event(r, SEV_GOOD, "Quest accepted: %s — %s (%d turns).", sfield(tpl, "title"), label, limit);
        else
            game_event(r, SEV_GOOD, "Quest accepted: %s — %s.", sfield(tpl, "title"), label);
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
        if (strcasecmp(sfield(q, "name"), name) == 0 || strcasecmp(sfield(q, "title"), name) == 0)
            return sfield(q, "title");
    return NULL;
}

int quest_fail(Game *g, const char *quest, ActionResult *r, Err *err)
{
    const cJSON *tpl = tpl_find(g, quest);
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
        game_event(r, SEV_BAD, "Quest failed: %s.", sfield(tpl, "title"));
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
    cJSON_ArrayForEach(ob, tpl_objectives(tpl)) {
        if (strcmp(sfield(ob, "kind"), "collect") == 0 && bfield(ob, "consume")) {
            int need = ifield(obj_state(pd, i), "target", 1), have = game_item_count(g, sfield(ob, "item"), err);
            if (have < 0)
                return err->code;
            if (have < need) {
                char item[64];
                text_words(sfield(ob, "item"), item, sizeof item);
                game_refuse(r, "%s needs %d %s (you have %d)", sfield(tpl, "title"), need, item, have);
                return MA_OK;
            }
        }
        i++;
    }
    cJSON *rewards = scaled_rewards(g, tpl, ifield(pd, "scale", 1));
    Player before = g->p;
    int events = r ? r->n_events : 0;
    int rc = save_savepoint(g->save, err);
    if (rc != MA_OK)
        goto out;
    i = 0;
    cJSON_ArrayForEach(ob, tpl_objectives(tpl)) {
        if (rc == MA_OK && strcmp(sfield(ob, "kind"), "collect") == 0 && bfield(ob, "consume"))
            rc = game_take_item(g, sfield(ob, "item"), ifield(obj_state(pd, i), "target", 1), err);
        i++;
    }
    if (rc == MA_OK)
        rc = progress_update(g->save, g->p.character_id, qid, pd, err);
    if (rc == MA_OK) {
        rc = progress_complete(g->save, g->p.character_id, qid, NULL, rewards, err);
        if (rc == MA_ERR_CONSTRAINT) {
            save_rollback_savepoint(g->save);
            game_refuse(r, "%s was already handed in", sfield(tpl, "title"));
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
            game_refuse(r, "cannot hand in %s: %s", sfield(tpl, "title"), err->msg);
            err_clear(err);
            rc = MA_OK;
            goto out;
        }
    }
    const char *giver = sfield(pd, "giver");
    int64_t npc = giver && giver[0] ? npc_character_id(g, giver) : 0;
    if (rc == MA_OK && npc > 0) {
        char why[200];
        snprintf(why, sizeof why, "completed %s", sfield(tpl, "title"));
        rc = npc_relationship_change(g, npc, 10, "quest", why, NULL, err);
    }
    if (rc == MA_OK)
        rc = charstate_add(g->save, g->p.character_id, "quests_completed", 1, NULL, err);
    if (rc == MA_OK)
        rc = save_release(g->save, err);
    else
        save_rollback_savepoint(g->save);
    if (rc != MA_OK) {
        g->p = before;
        if (r)
            r->n_events = events;
        goto out;
    }
    if (r) {
        char what[160];
        rules_describe_effects(rewards, what, sizeof what);
        game_event(r, SEV_GOOD, "Quest complete: %s (%s).", sfield(tpl, "title"), what);
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
static int open_delivery(Game *g, const cJSON *tpl, cJSON *pd, const char *role, const RuleCtx *ctx)
{
    for (int i = 0; i < cJSON_GetArraySize(tpl_objectives(tpl)); i++) {
        const cJSON *ob = cJSON_GetArrayItem(tpl_objectives(tpl), i);
        if (strcmp(sfield(ob, "kind"), "deliver") == 0 && strcmp(sfield(ob, "to"), role) == 0 &&
            obj_open(g, tpl, pd, i, ctx))
            return i;
    }
    return -1;
}

int quest_hand_in(Game *g, const char *quest, const char *npc_entity, ActionResult *r, Err *err)
{
    int rc = MA_OK;
    ProgressRow p;
    memset(&p, 0, sizeof p);
    const cJSON *tpl = tpl_find(g, quest);
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
        game_refuse(r, "you have not taken %s", sfield(tpl, "title"));
        goto done;
    }
    if (rc != MA_OK)
        goto done;
    if (strcmp(p.status, "active") != 0) {
        if (strcmp(p.status, "completed") == 0)
            game_refuse(r, "%s was already handed in", sfield(tpl, "title"));
        else
            game_refuse(r, "%s is %s", sfield(tpl, "title"), p.status);
        goto done;
    }
    char role[16] = "";
    int at_npc = npc_entity && npc_entity[0];
    if (at_npc && !role_of(g, npc_entity, role, sizeof role)) {
        game_refuse(r, "nobody here takes quests");
        goto done;
    }
    GameRules rules;
    game_rules_bind(&rules, g, r);
    if ((rc = save_savepoint(g->save, err)) != MA_OK)
        goto done;
    Player before = g->p;
    int events = r->n_events;
    int d = at_npc ? open_delivery(g, tpl, p.progress_data, role, &rules.ctx) : -1;
    if (d >= 0) {
        const cJSON *ob = cJSON_GetArrayItem(tpl_objectives(tpl), d);
        int need = ifield(obj_state(p.progress_data, d), "target", 1);
        int have = game_item_count(g, sfield(ob, "item"), err);
        char item[64];
        text_words(sfield(ob, "item"), item, sizeof item);
        if (have < 0) {
            rc = err->code;
        } else if (have < need) {
            save_rollback_savepoint(g->save);
            game_refuse(r, "%s needs %d %s (you have %d)", sfield(tpl, "title"), need, item, have);
            goto done;
        } else if ((rc = inventory_transfer(g, npc_character_id(g, npc_entity), sfield(ob, "item"), need, "quest", 0,
                                            err)) == MA_OK) {
            obj_set(tpl, p.progress_data, d, need, r);
            game_event(r, SEV_GOOD, "You hand over %d %s.", need, item);
            if (rc == MA_OK)
                rc = progress_update(g->save, g->p.character_id, qid, p.progress_data, err);
        }
    }
    if (rc == MA_OK && all_done(tpl, p.progress_data)) {
        const char *giver = cJSON_GetObjectItemCaseSensitive(tpl, "giver")->valuestring;
        if (at_npc && strcmp(tpl_turn_in(tpl), "giver") == 0 && strcmp(role, giver) != 0) {
            if (d >= 0) {
                r->ok = 1;
                game_event(r, SEV_INFO, "Return to a %s to hand in %s.", giver, sfield(tpl, "title"));
            } else {
                save_rollback_savepoint(g->save);
                game_refuse(r, "hand %s in to a %s", sfield(tpl, "title"), giver);
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
        for (int i = 0; i < cJSON_GetArraySize(tpl_objectives(tpl)); i++)
            if (!obj_done(p.progress_data, i)) {
                char label[160];
                obj_label(cJSON_GetArrayItem(tpl_objectives(tpl), i), obj_state(p.progress_data, i), label, sizeof label);
                game_refuse(r, "%s is not done yet: %s", sfield(tpl, "title"), label);
                break;
            }
        goto done;
    } else if (rc == MA_OK) {
        r->ok = 1;
    }
    if (rc == MA_OK)
        rc = save_release(g->save, err);
    else
        save_rollback_savepoint(g->save);
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
    const cJSON *tpl = tpl_find(g, quest);
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
    cJSON_ArrayForEach(ob, tpl_objectives(tpl)) {
        if (strcmp(sfield(ob, "id"), objective) == 0)
            found = i;
        i++;
    }
    if (found < 0) {
        rc = err_set(err, MA_ERR_NOT_FOUND, "the quest %s has no objective %s", quest, objective);
        goto done;
    }
    if (obj_set(tpl, p.progress_data, found, ifield(obj_state(p.progress_data, found), "count", 0) + amount, r))
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
    for (int i = 0; i < cJSON_GetArraySize(tpl_objectives(tpl)); i++) {
        if (!obj_open(g, tpl, pd, i, ctx))
            continue;
        const cJSON *ob = cJSON_GetArrayItem(tpl_objectives(tpl), i);
        cJSON *st = obj_state(pd, i);
        const char *kind = sfield(ob, "kind");
        int count = ifield(st, "count", 0);
        if (strcmp(kind, "collect") == 0) {
            int have = game_item_count(g, sfield(ob, "item"), NULL);
            count = have < 0 ? count : have;
        } else if (strcmp(kind, "slay") == 0) {
            char key[80];
            snprintf(key, sizeof key, "slain_%s", sfield(ob, "creature"));
            count = (int)(counter_of(g, g->p.character_id, key) - ifield(st, "base", 0));
        } else if (strcmp(kind, "reach") == 0) {
            count = game_near_place(g, sfield(ob, "place"), ifield(ob, "radius", 8)) ? 1 : 0;
        } else if (strcmp(kind, "talk") == 0) {
            if (a->kind == ACT_TALK && r->ok && talk_role && strcmp(talk_role, sfield(ob, "role")) == 0)
                count = 1;
        } else if (strcmp(kind, "craft") == 0) {
            if (a->kind == ACT_CRAFT && r->ok && strcmp(a->arg, sfield(ob, "item")) == 0)
                count += a->count > 0 ? a->count : 1;
        }
        /* Objectives only move forward: dropping wood does not undo a finished step. */
        if (count > ifield(st, "count", 0))
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

int quest_after_action(Game *g, const Action *a, ActionResult *r, Err *err)
{
    int rc = count_action(g, a, r, err);
    if (rc == MA_OK)
        rc = npc_after_action(g, a, r, err);
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
        const cJSON *tpl = tpl_of_row(g, p->quest_id);
        if (!tpl)
            continue;
        const cJSON *deadline = cJSON_GetObjectItemCaseSensitive(p->progress_data, "deadline");
        if (cJSON_IsNumber(deadline) && g->clock >= (int64_t)deadline->valuedouble) {
            rc = progress_expire(g->save, g->p.character_id, p->quest_id, err);
            if (rc == MA_OK)
                game_event(r, SEV_BAD, "Quest failed: %s — the time ran out.", sfield(tpl, "title"));
            continue;
        }
        int changed = advance_objectives(g, tpl, p->progress_data, a, r, talk_role[0] ? talk_role : NULL, &rules.ctx);
        if (all_done(tpl, p->progress_data)) {
            if (strcmp(tpl_turn_in(tpl), "auto") == 0) {
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
                giver_words(g, tpl, p->progress_data, who, sizeof who);
                game_event(r, SEV_GOOD, "%s is done: return to %s to hand it in.", sfield(tpl, "title"), who);
            }
        }
        if (changed)
            rc = progress_update(g->save, g->p.character_id, p->quest_id, p->progress_data, err);
    }
    progress_list_free(rows, n);
    return rc;
}

/* Who gave the quest, as the screens name villagers ("Alda Greycloak, the guard of Greenbrook"),
 * or "a guard" when no villager is recorded (a quest taken by script, or shared). */
static void giver_words(Game *g, const cJSON *tpl, const cJSON *pd, char *buf, size_t size)
{
    const char *entity = sfield(pd, "giver");
    int64_t npc = entity && entity[0] ? npc_character_id(g, entity) : 0;
    if (npc <= 0 || !npc_display_name(g, npc, buf, size)) {
        const char *role = sfield(tpl, "giver");
        snprintf(buf, size, "a %s", role && role[0] ? role : "villager");
    }
}

/* ------------------------------------------------------------ dialogue lists */

static void summary(const Game *g, const cJSON *tpl, int scale, char *buf, size_t size)
{
    const cJSON *ob = cJSON_GetArrayItem(tpl_objectives(tpl), 0);
    char what[64], rew[100];
    const char *kind = sfield(ob, "kind");
    const char *target = strcmp(kind, "slay") == 0 ? sfield(ob, "creature")
                         : strcmp(kind, "reach") == 0 ? sfield(ob, "place")
                         : strcmp(kind, "talk") == 0  ? sfield(ob, "role")
                                                      : sfield(ob, "item");
    text_words(target, what, sizeof what);
    cJSON *rewards = scaled_rewards(g, tpl, scale);
    rules_describe_effects(rewards, rew, sizeof rew);
    cJSON_Delete(rewards);
    if (strcmp(kind, "reach") == 0 || strcmp(kind, "talk") == 0)
        snprintf(buf, size, "%s the %s; %s", strcmp(kind, "talk") == 0 ? "talk to" : kind, what, rew);
    else {
        /* Creatures are counted nouns ("slay 3 wolves"); items keep their names, which are often
         * already plural or uncountable ("planks", "bread"). */
        int n = scaled_target(ob, scale);
        char noun[72];
        if (strcmp(kind, "slay") == 0)
            text_plural(what, n, noun, sizeof noun);
        else
            snprintf(noun, sizeof noun, "%s", what);
        snprintf(buf, size, "%s %d %s; %s", kind, n, noun, rew);
    }
}

int quest_offers(Game *g, const char *role, QuestOffer *out, int max, Err *err)
{
    int rc = MA_OK;
    GameRules rules;
    game_rules_bind(&rules, g, NULL);
    int n = 0;
    const cJSON *tpl;
    cJSON_ArrayForEach(tpl, templates(g)) {
        if (n >= max)
            break;
        if (strcmp(sfield(tpl, "giver"), role) != 0 || !tpl_open(g, tpl))
            continue;
        int64_t qid;
        if ((rc = quest_row(g, tpl, &qid, err)) != MA_OK)
            break;
        ProgressRow p;
        if (progress_get(g->save, g->p.character_id, qid, &p, NULL) == MA_OK) {
            progress_row_clear(&p);
            continue;
        }
        if (!rules_check(&rules.ctx, cJSON_GetObjectItemCaseSensitive(tpl, "unlock")))
            continue;
        QuestOffer *o = &out[n++];
        memset(o, 0, sizeof *o);
        snprintf(o->name, sizeof o->name, "%s", sfield(tpl, "name"));
        snprintf(o->title, sizeof o->title, "%s", sfield(tpl, "title"));
        summary(g, tpl, scale_for(g->p.level), o->summary, sizeof o->summary);
        const cJSON *req = cJSON_GetObjectItemCaseSensitive(tpl, "requirements");
        o->available = rules_check(&rules.ctx, req);
        if (!o->available)
            rules_explain(&rules.ctx, req, o->why, sizeof o->why);
    }
    return rc == MA_OK ? n : rc;
}

int quest_hand_ins(Game *g, const char *role, QuestOffer *out, int max, Err *err)
{
    ProgressRow *rows = NULL;
    int n = 0, k = 0;
    int rc = progress_list(g->save, g->p.character_id, "active", &rows, &n, err);
    if (rc != MA_OK || n == 0)
        return rc;
    GameRules rules;
    game_rules_bind(&rules, g, NULL);
    for (int i = 0; i < n && k < max; i++) {
        const cJSON *tpl = tpl_of_row(g, rows[i].quest_id);
        if (!tpl)
            continue;
        cJSON *pd = rows[i].progress_data;
        int d = open_delivery(g, tpl, pd, role, &rules.ctx);
        int ready = all_done(tpl, pd) && strcmp(sfield(tpl, "giver"), role) == 0;
        if (d < 0 && !ready)
            continue;
        QuestOffer *o = &out[k++];
        memset(o, 0, sizeof *o);
        snprintf(o->name, sizeof o->name, "%s", sfield(tpl, "name"));
        snprintf(o->title, sizeof o->title, "%s", sfield(tpl, "title"));
        o->available = 1;
        o->deliver = d >= 0;
        int j = 0;
        const cJSON *ob;
        cJSON_ArrayForEach(ob, tpl_objectives(tpl)) {
            int need = ifield(obj_state(pd, j), "target", 1);
            int due = d >= 0 ? j == d : strcmp(sfield(ob, "kind"), "collect") == 0 && bfield(ob, "consume");
            if (due) {
                char item[64];
                text_words(sfield(ob, "item"), item, sizeof item);
                int have = game_item_count(g, sfield(ob, "item"), NULL);
                snprintf(o->summary, sizeof o->summary, "%d %s", need, item);
                if (have < need) {
                    o->available = 0;
                    snprintf(o->why, sizeof o->why, "needs %d %s (you have %d)", need, item, have < 0 ? 0 : have);
                }
            }
            j++;
        }
    }
    progress_list_free(rows, n);
    return k;
}

/* ------------------------------------------------------------ log and sharing */

static int status_rank(const char *s)
{
    return strcmp(s, "active") == 0 ? 0 : strcmp(s, "completed") == 0 ? 1 : 2;
}

int quest_log(Game *g, QuestView **out, int *n_out, Err *err)
{
    *out = NULL;
    *n_out = 0;
    ProgressRow *rows = NULL;
    int n = 0;
    int rc = progress_list(g->save, g->p.character_id, NULL, &rows, &n, err);
    if (rc != MA_OK || n == 0)
        return rc;
    QuestView *v = calloc((size_t)n, sizeof *v);
    if (!v) {
        rc = err_set(err, MA_ERR_NOMEM, "out of memory");
        goto done;
    }
    GameRules rules;
    game_rules_bind(&rules, g, NULL);
    int k = 0;
    for (int rank = 0; rank < 3; rank++)
        for (int i = 0; i < n; i++) {
            if (status_rank(rows[i].status) != rank)
                continue;
            const cJSON *tpl = tpl_of_row(g, rows[i].quest_id);
            QuestView *q = &v[k++];
            snprintf(q->status, sizeof q->status, "%s", rows[i].status);
            q->turns_left = -1;
            if (!tpl) {
                QuestRow qr;
                if (quests_get(g->save, rows[i].quest_id, &qr, NULL) == MA_OK) {
                    snprintf(q->title, sizeof q->title, "%s", qr.title);
                    quest_row_clear(&qr);
                }
                continue;
            }
            cJSON *pd = rows[i].progress_data;
            snprintf(q->name, sizeof q->name, "%s", sfield(tpl, "name"));
            snprintf(q->title, sizeof q->title, "%s", sfield(tpl, "title"));
            snprintf(q->giver, sizeof q->giver, "%s", sfield(tpl, "giver"));
            giver_words(g, tpl, rows[i].progress_data, q->giver_name, sizeof q->giver_name);
            const cJSON *deadline = cJSON_GetObjectItemCaseSensitive(pd, "deadline");
            if (cJSON_IsNumber(deadline) && rank == 0) {
                q->turns_left = (int64_t)deadline->valuedouble - g->clock;
                if (q->turns_left < 0)
                    q->turns_left = 0;
            }
            cJSON *rewards = scaled_rewards(g, tpl, ifield(pd, "scale", 1));
            rules_describe_effects(rewards, q->rewards, sizeof q->rewards);
            cJSON_Delete(rewards);
            const cJSON *ob;
            cJSON_ArrayForEach(ob, tpl_objectives(tpl)) {
                if (q->n_objectives >= QUEST_MAX_OBJECTIVES)
                    break;
                int j = q->n_objectives++;
                QuestObjectiveView *o = &q->objectives[j];
                cJSON *st = obj_state(pd, j);
                snprintf(o->text, sizeof o->text, "%s", sfield(ob, "text"));
                o->count = ifield(st, "count", 0);
                o->target = ifield(st, "target", 1);
                o->done = bfield(st, "done");
                o->open = rank == 0 && obj_open(g, tpl, pd, j, &rules.ctx);
            }
        }
    *out = v;
    *n_out = k;
done:
    progress_list_free(rows, n);
    return rc;
}

int quest_share(Game *g, const char *quest, const char *character_name, ActionResult *r, Err *err)
{
    int rc = MA_OK;
    CharacterRow other;
    memset(&other, 0, sizeof other);
    ProgressRow mine, theirs;
    memset(&mine, 0, sizeof mine);
    memset(&theirs, 0, sizeof theirs);
    const cJSON *tpl = tpl_find(g, quest);
    int64_t qid = 0;
    if (!tpl) {
        game_refuse(r, "there is no quest called %s", quest);
        goto done;
    }
    if ((rc = quest_row(g, tpl, &qid, err)) != MA_OK)
        goto done;
    if (progress_get(g->save, g->p.character_id, qid, &mine, NULL) != MA_OK || strcmp(mine.status, "active") != 0) {
        game_refuse(r, "you can share only a quest you are on, and %s is not one", sfield(tpl, "title"));
        goto done;
    }
    if (characters_get_by_name(g->save, g->p.world_id, character_name, &other, NULL) != MA_OK ||
        other.user_id != g->p.user_id || other.id == g->p.character_id) {
        game_refuse(r, "%s is not another of your characters in this world", character_name);
        goto done;
    }
    if (progress_get(g->save, other.id, qid, &theirs, NULL) == MA_OK) {
        game_refuse(r, "%s has already taken %s (%s)", other.name, sfield(tpl, "title"), theirs.status);
        goto done;
    }
    ProgressRow p;
    memset(&p, 0, sizeof p);
    p.character_id = other.id;
    p.quest_id = qid;
    p.progress_data = new_progress(g, tpl, other.id, other.level, sfield(mine.progress_data, "giver"));
    /* A shared quest keeps the sharer's deadline. */
    const cJSON *deadline = cJSON_GetObjectItemCaseSensitive(mine.progress_data, "deadline");
    if (cJSON_IsNumber(deadline))
        set_int(p.progress_data, "deadline", deadline->valuedouble);
    rc = save_savepoint(g->save, err);
    if (rc == MA_OK) {
        rc = progress_start(g->save, &p, err);
        if (rc == MA_OK)
            rc = save_release(g->save, err);
        else
            save_rollback_savepoint(g->save);
    }
    progress_row_clear(&p);
    if (rc == MA_OK) {
        r->ok = 1;
        game_event(r, SEV_GOOD, "You share %s with %s.", sfield(tpl, "title"), other.name);
    }
done:
    character_row_clear(&other);
    progress_row_clear(&mine);
    progress_row_clear(&theirs);
    return rc;
}
