/* quest_book.c — quests as data: data/quests.json read and checked (the quest book), and the
 * world's quests rows, which every quest is played from whether it came from the data, an agent
 * or a sync (seeded on first need, read back as templates). The progress itself is quest.c. */
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
#include "game/quest_internal.h"
#include "game/rules.h"
#include "save/characters.h"
#include "save/charstate.h"
#include "save/quests.h"
#include "util/data.h"
#include "util/text.h"
#include "util/json_field.h"

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
    const char *kind = json_str(ob, "kind");
    if (!cJSON_IsObject(ob))
        return snprintf(why, size, "must be an object"), 1;
    if (!is_ident(json_str(ob, "id")))
        return snprintf(why, size, "id must be a name of a-z, 0-9 and _ (1 to 63 characters)"), 1;
    if (!text_in_list(kind, kinds, NELEM(kinds)))
        return snprintf(why, size, "kind must be one of collect, slay, reach, talk, craft, deliver"), 1;
    if (!text_ok(json_str(ob, "text"), 100))
        return snprintf(why, size, "text must be 1 to 100 characters"), 1;
    const char *need = strcmp(kind, "collect") == 0 || strcmp(kind, "craft") == 0 ||
        strcmp(kind, "deliver") == 0 ? "item"
                       : strcmp(kind, "slay") == 0                                                             ? "creature"
                       : strcmp(kind, "reach") == 0                                                            ? "place"
                                                                                                               : "role";
    if (!is_ident(json_str(ob, need)))
        return snprintf(why, size, "a %s objective needs \"%s\", a name of a-z, 0-9 and _", kind, need), 1;
    if (strcmp(kind, "talk") == 0 && !text_in_list(json_str(ob, "role"), roles, NELEM(roles)))
        return snprintf(why, size, "role must be one of smith, farmer, guard, priest, trader"), 1;
    if (strcmp(kind, "deliver") == 0 && !text_in_list(json_str(ob, "to"), roles, NELEM(roles)))
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
    const char *name = json_str(q, "name");
    char why[200], where[256];
    int rc;
    if (!text_ok(json_str(q, "title"), 128))
        return entry_fail(err, source, i, name, "title must be 1 to 128 characters");
    if (!text_in_list(json_str(q, "giver"), roles, NELEM(roles)))
        return entry_fail(err, source, i, name, "giver must be one of smith, farmer, guard, priest, trader");
    if (cJSON_GetObjectItemCaseSensitive(q, "asker") && !text_ok(json_str(q, "asker"), 63))
        return entry_fail(err, source, i, name, "asker (the villager whose request it is) must be 1 to 63 characters");
    if (cJSON_GetObjectItemCaseSensitive(q, "asker_entity") && !text_ok(json_str(q, "asker_entity"), 47))
        return entry_fail(err, source, i, name, "asker_entity (the asker's entity id) must be 1 to 47 characters");
    if (cJSON_GetObjectItemCaseSensitive(q, "description") && !text_ok(json_str(q, "description"), 1000))
        return entry_fail(err, source, i, name, "description must be 1 to 1000 characters");
    if (!whole(q, "difficulty", 1, 10, 0) || !whole(q, "time_limit", 0, 1000000, 0))
        return entry_fail(err, source, i, name,
                          "difficulty must be a whole number from 1 to 10 and time_limit one from 0 to 1000000 turns");
    const char *turn_in = json_str(q, "turn_in"), *order = json_str(q, "order");
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
            if (strcmp(json_str(p, "id"), json_str(ob, "id")) == 0) {
                snprintf(why, sizeof why, "objectives[%d]: the id \"%s\" is used twice", j, json_str(ob, "id"));
                return entry_fail(err, source, i, name, why);
            }
        j++;
    }
    return MA_OK;
}

int quest_book_load(const char *json, size_t len, const char *source, QuestBook **out, Err *err)
{
    *out = NULL;
    cJSON *root = json_parse_data(json, len, source, err);
    if (!root)
        return MA_ERR_INVALID;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "quests");
    int rc = MA_OK;
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
        rc = err_set(err, MA_ERR_INVALID, "%s: \"quests\" must be a non-empty array", source);
        goto fail;
    }
    int i = 0;
    const cJSON *q;
    cJSON_ArrayForEach(q, list) {
        const char *name = cJSON_IsObject(q) ? json_str(q, "name") : NULL;
        if (!is_ident(name)) {
            rc = entry_fail(err, source, i, name, "name must be a name of a-z, 0-9 and _ (1 to 63 characters)");
            goto fail;
        }
        for (const cJSON *p = list->child; p != q; p = p->next)
            if (strcmp(json_str(p, "name"), name) == 0) {
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

const cJSON *quest_tpl_objectives(const cJSON *tpl) { return cJSON_GetObjectItemCaseSensitive(tpl, "objectives"); }

const char *quest_tpl_turn_in(const cJSON *tpl)
{
    const char *t = json_str(tpl, "turn_in");
    return t ? t : "giver";
}

/* ------------------------------------------------------------ quests are played from their rows */

/* What a quest row's details hold of its template (migration 006). */
static const char *const detail_keys[] = {"name", "giver", "asker", "asker_entity", "turn_in", "time_limit", "unlock", "order", "type", "for"};

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
    const char *name = json_str(q, "name");
    int rc = is_ident(name) ? check_template(q, where, 0, err)
                            : entry_fail(err, where, 0, name, "name must be a-z, 0-9 and _");
    if (rc != MA_OK)
        return rc;
    QuestRow r;
    memset(&r, 0, sizeof r);
    r.world_id = world_id;
    snprintf(r.title, sizeof r.title, "%s", json_str(q, "title"));
    r.description = strdup(json_str(q, "description") ? json_str(q, "description") : json_str(q, "title"));
    snprintf(r.quest_type, sizeof r.quest_type, "%s", json_str(q, "type") ? json_str(q, "type") : "side");
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(q, "requirements");
    const cJSON *rew = cJSON_GetObjectItemCaseSensitive(q, "rewards");
    r.requirements = req ? cJSON_Duplicate(req, 1) : cJSON_CreateObject();
    r.rewards = rew ? cJSON_Duplicate(rew, 1) : cJSON_CreateArray();
    r.difficulty_level = json_int(q, "difficulty", 1);
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
    cJSON_ArrayForEach(ob, quest_tpl_objectives(q)) {
        if (rc != MA_OK)
            break;
        ObjectiveRow o;
        memset(&o, 0, sizeof o);
        o.quest_id = qid;
        o.objective_text = strdup(json_str(ob, "text"));
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
            const char *name = json_str(rows[i].details, "name");
            if (name ? strcmp(name, json_str(q, "name")) == 0 : strcmp(rows[i].title, json_str(q, "title")) == 0) {
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
    if (!json_str(q->details, "name")) {
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
const cJSON *quest_templates(Game *g)
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
int quest_tpl_open(const Game *g, const cJSON *t)
{
    int64_t who = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(t, "for"));
    double exp = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(t, "expires_turn"));
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "active")) && (who == 0 || who == g->p.character_id) &&
           (exp < 0 || (int64_t)exp > g->clock);
}

const cJSON *quest_tpl_find(Game *g, const char *name)
{
    const cJSON *q, *found = NULL;
    cJSON_ArrayForEach(q, quest_templates(g)) {
        int64_t who = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(q, "for"));
        if (who != 0 && who != g->p.character_id)
            continue;
        if (strcasecmp(json_str(q, "name"), name) == 0 || strcasecmp(json_str(q, "title"), name) == 0)
            if (!found || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(q, "active")))
                found = q;
    }
    return found;
}

int quest_row(Game *g, const cJSON *tpl, int64_t *id, Err *err)
{
    (void)g, (void)err;
    *id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(tpl, "quest_id"));
    return MA_OK;
}

const cJSON *quest_tpl_of_row(Game *g, int64_t quest_id)
{
    const cJSON *q;
    cJSON_ArrayForEach(q, quest_templates(g))
        if ((int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(q, "quest_id")) == quest_id)
            return q;
    return NULL;
}

const char *quest_state_name(Game *g, const char *quest)
{
    const cJSON *tpl = quest_tpl_find(g, quest);
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
