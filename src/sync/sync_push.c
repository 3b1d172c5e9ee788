/* sync_push.c — building pushes from the change log: each waiting op built from the rows of
 * the game and sealed (sync_prepare). The answers are taken by sync_take.c. See sync.h for the
 * steps and docs/sync-protocol.md for the ops. */
#include "sync/sync_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/agents.h"
#include "save/charstate.h"
#include "save/evolution.h"
#include "save/quests.h"
#include "save/skills.h"
#include "save/stories.h"
#include "save/users.h"

#define MAX_ENTRIES 1000   /* history entries in one op (the server's limit) */
#define MAX_ROWS 500       /* inventory stacks, skills in one op */
#define MAX_META 256

/* ------------------------------------------------------------ small helpers */

int64_t sync_jint(const cJSON *o, const char *name, int64_t def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v))
        return def;
    /* Clamped: a number past 64 bits (a hostile server's 1e300) has no integer value in C. */
    double d = v->valuedouble;
    return d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : (int64_t)d;
}

const char *sync_jstr(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int sync_kind_rank(const char *kind)
{
    static const char *const order[] = {"world", "character", "chunk_edit", "chunk", "relationship",
                                        "quest_progress", "evolution", "story_choice"};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (strcmp(kind, order[i]) == 0)
            return (int)i;
    return 99;
}

/* A JSON column read by save_row_get (text) as a tree; def ("{}" or "[]") when it does not parse. */
static cJSON *column_json(const cJSON *row, const char *name, const char *def)
{
    const char *t = sync_jstr(row, name);
    cJSON *j = t ? cJSON_Parse(t) : NULL;
    return j ? j : cJSON_Parse(def);
}

SyncOwner sync_owner_of(Save *s, const CharacterRow *c)
{
    if (c->user_id == 0)
        return SYNC_NPC;
    UserRow u;
    Err quiet = {0};
    if (users_get(s, c->user_id, &u, &quiet) != MA_OK)
        return SYNC_OWN;
    int remote = cJSON_GetObjectItemCaseSensitive(u.profile, "sync_remote") != NULL;
    user_row_clear(&u);
    return remote ? SYNC_OTHERS : SYNC_OWN;
}

int sync_character_key(SyncCtx *c, const CharacterRow *row, char key[65], Err *err)
{
    Err quiet = {0};
    if (synclog_key_get(c->s, row->id, key, NULL, &quiet) == MA_OK)
        return MA_OK;
    if (quiet.code != MA_ERR_NOT_FOUND)
        return *err = quiet, quiet.code;
    SyncOwner owner = sync_owner_of(c->s, row);
    if (owner == SYNC_OTHERS)
        return err_set(err, MA_ERR_NOT_FOUND, "character '%s' is another player's and has no sync key", row->name);
    if (owner == SYNC_NPC) {
        const char *entity = sync_jstr(row->appearance, "entity_id");
        if (!entity || !entity[0] || strlen(entity) > 64)
            return err_set(err, MA_ERR_NOT_FOUND, "the villager '%s' has no entity id to be known by", row->name);
        snprintf(key, 65, "%s", entity);
    } else {
        char id[37];
        snprintf(key, 65, "pc-%s", sync_client_new_op_id(id));
    }
    return synclog_key_set(c->s, row->id, c->world_id, key, 0, err);
}

/* ------------------------------------------------------------ building ops */

static cJSON *op_head(const SyncLogRow *r, const char *kind)
{
    cJSON *op = cJSON_CreateObject();
    cJSON_AddStringToObject(op, "id", r->op_id);
    cJSON_AddStringToObject(op, "kind", kind);
    return op;
}

static cJSON *build_chunk_edit(const SyncLogRow *r)
{
    int cx, cy, cz;
    if (sscanf(r->ref, "%d,%d,%d", &cx, &cy, &cz) != 3 || !r->body)
        return NULL;
    const cJSON *blocks = cJSON_GetObjectItemCaseSensitive(r->body, "blocks");
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(r->body, "meta");
    int nb = cJSON_GetArraySize(blocks), nm = cJSON_GetArraySize(meta);
    if (nb == 0 && nm == 0)
        return NULL;
    cJSON *op = op_head(r, "chunk_edit");
    cJSON *xyz = cJSON_AddArrayToObject(op, "chunk");
    cJSON_AddItemToArray(xyz, cJSON_CreateNumber(cx));
    cJSON_AddItemToArray(xyz, cJSON_CreateNumber(cy));
    cJSON_AddItemToArray(xyz, cJSON_CreateNumber(cz));
    cJSON_AddNumberToObject(op, "base_version", (double)r->base_version);
    if (nb)
        cJSON_AddItemToObject(op, "blocks", cJSON_Duplicate(blocks, 1));
    if (nm) {
        cJSON *m = cJSON_Duplicate(meta, 1);
        while (cJSON_GetArraySize(m) > MAX_META) /* the server's bound; a chunk holds far fewer chests */
            cJSON_DeleteItemFromArray(m, MAX_META);
        cJSON_AddItemToObject(op, "meta", m);
    }
    return op;
}

typedef struct StateList {
    cJSON *list;
    const char *kind;
} StateList;

static int state_collect(const char *key, const char *value, void *ud)
{
    cJSON *list = ((StateList *)ud)->list;
    const char *kind = ((StateList *)ud)->kind;
    if (cJSON_GetArraySize(list) >= 2000 || strlen(key) > 64 || strlen(value) > 1024)
        return 0;
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "kind", kind);
    cJSON_AddStringToObject(e, "key", key);
    cJSON_AddStringToObject(e, "value", value);
    cJSON_AddItemToArray(list, e);
    return 0;
}

/* The character's whole state as the op's fields (character, inventory, skills, state). */
static int character_fields(Save *s, const CharacterRow *row, cJSON *op, Err *err)
{
    cJSON *ch = cJSON_AddObjectToObject(op, "character");
    cJSON_AddStringToObject(ch, "name", row->name);
    cJSON_AddStringToObject(ch, "character_class", row->character_class);
    cJSON_AddNumberToObject(ch, "level", row->level);
    cJSON_AddNumberToObject(ch, "experience", (double)row->experience);
    cJSON *stats = cJSON_CreateObject();
    const cJSON *v;
    cJSON_ArrayForEach(v, row->stats) { /* numbers, text and booleans only (the server's rule) */
        if ((cJSON_IsNumber(v) && isfinite(v->valuedouble) && fabs(v->valuedouble) <= 1e9) || cJSON_IsString(v) ||
            cJSON_IsBool(v))
            cJSON_AddItemToObject(stats, v->string, cJSON_Duplicate(v, 1));
    }
    cJSON_AddItemToObject(ch, "stats", stats);
    cJSON_AddItemToObject(ch, "appearance", row->appearance ? cJSON_Duplicate(row->appearance, 1) : cJSON_CreateObject());
    cJSON *pos = cJSON_AddArrayToObject(ch, "position");
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(row->position_x));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(row->position_y));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(row->position_z));

    InventoryRow *inv = NULL;
    int n = 0;
    int rc = inventory_list(s, row->id, &inv, &n, err);
    if (rc != MA_OK)
        return rc;
    cJSON *list = cJSON_AddArrayToObject(op, "inventory");
    for (int i = 0; i < n && i < MAX_ROWS; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "item_type", inv[i].item_type);
        cJSON_AddStringToObject(e, "item_name", inv[i].item_name);
        cJSON_AddNumberToObject(e, "quantity", inv[i].quantity);
        cJSON_AddItemToObject(e, "item_data", inv[i].item_data ? cJSON_Duplicate(inv[i].item_data, 1) : cJSON_CreateObject());
        if (inv[i].slot_position >= 0)
            cJSON_AddNumberToObject(e, "slot_position", inv[i].slot_position);
        cJSON_AddItemToArray(list, e);
    }
    inventory_list_free(inv, n);

    SkillRow *sk = NULL;
    if ((rc = skills_list(s, row->id, &sk, &n, err)) != MA_OK)
        return rc;
    list = cJSON_AddArrayToObject(op, "skills");
    for (int i = 0; i < n && i < MAX_ROWS; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "skill_name", sk[i].skill_name);
        cJSON_AddNumberToObject(e, "skill_level", sk[i].skill_level);
        cJSON_AddNumberToObject(e, "experience_points", (double)sk[i].experience_points);
        cJSON_AddItemToObject(e, "skill_data", sk[i].skill_data ? cJSON_Duplicate(sk[i].skill_data, 1) : cJSON_CreateObject());
        cJSON_AddItemToArray(list, e);
    }
    skills_list_free(sk, n);

    list = cJSON_AddArrayToObject(op, "state");
    static const char *const kinds[] = {"flag", "recipe", "specialization", "counter"};
    for (int k = 0; k < 4; k++) {
        StateList ud = {list, kinds[k]};
        if ((rc = charstate_each(s, row->id, kinds[k], state_collect, &ud, err)) != MA_OK)
            return rc;
    }
    return MA_OK;
}

/* A character op, or NULL (*rc MA_OK) when it is not to be pushed. */
static cJSON *build_character(SyncCtx *c, const SyncLogRow *r, int *rc, Err *err)
{
    *rc = MA_OK;
    if (strncmp(r->ref, "key:", 4) == 0) { /* a delete, recorded whole by the trigger */
        if (!r->body)
            return NULL;
        cJSON *op = cJSON_Duplicate(r->body, 1);
        cJSON_DeleteItemFromObjectCaseSensitive(op, "id");
        cJSON_AddStringToObject(op, "id", r->op_id);
        return op;
    }
    CharacterRow row;
    Err quiet = {0};
    if (characters_get(c->s, strtoll(r->ref, NULL, 10), &row, &quiet) != MA_OK) {
        if (quiet.code != MA_ERR_NOT_FOUND)
            *rc = (*err = quiet).code;
        return NULL; /* gone since (its delete is an op of its own) */
    }
    SyncOwner owner = sync_owner_of(c->s, &row);
    char key[65];
    cJSON *op = NULL;
    if (owner == SYNC_OTHERS || sync_character_key(c, &row, key, &quiet) != MA_OK) {
        if (quiet.code && quiet.code != MA_ERR_NOT_FOUND)
            *rc = (*err = quiet).code;
        goto done;
    }
    op = op_head(r, "character");
    cJSON_AddStringToObject(op, "key", key);
    int64_t version = 0;
    synclog_key_get(c->s, row.id, NULL, &version, &quiet);
    /* The version it was based on: a villager's at the server's version as we knew it when
     * the change began; our own, as recorded with the change. */
    cJSON_AddNumberToObject(op, "base_version", (double)(r->base_version > 0 ? r->base_version : version));
    cJSON_AddBoolToObject(op, "npc", owner == SYNC_NPC);
    if ((*rc = character_fields(c->s, &row, op, err)) != MA_OK) {
        cJSON_Delete(op);
        op = NULL;
    }
done:
    character_row_clear(&row);
    return op;
}

/* The key of a character that an op points at, when it may be pointed at from here (ours or a
 * villager); makes sure a villager never pushed yet is pushed first (a character op of its own).
 * 0 with key, 1 when it cannot be pointed at, or a negative status. */
static int pointed_key(SyncCtx *c, int64_t character_id, char key[65], Err *err)
{
    CharacterRow row;
    Err quiet = {0};
    if (characters_get(c->s, character_id, &row, &quiet) != MA_OK)
        return quiet.code == MA_ERR_NOT_FOUND ? 1 : ((*err = quiet).code);
    int rc = 1;
    if (sync_owner_of(c->s, &row) != SYNC_OTHERS && sync_character_key(c, &row, key, &quiet) == MA_OK) {
        int64_t version = 0;
        synclog_key_get(c->s, row.id, NULL, &version, &quiet);
        char ref[24];
        snprintf(ref, sizeof ref, "%lld", (long long)row.id);
        int has = synclog_has_op(c->s, c->world_id, "character", ref, err);
        rc = has < 0 ? has : 0;
        if (rc == 0 && version == 0 && has == 0)
            rc = synclog_add(c->s, c->world_id, "character", ref, 0, NULL, err);
    }
    character_row_clear(&row);
    return rc;
}

/* Entries of a history without an id are the new ones: each gets an id (up to max); they are
 * returned (copies), and the history (with the ids) replaces *history. *more: some were left. */
static cJSON *new_entries(cJSON *history, int max, int *more)
{
    cJSON *out = cJSON_CreateArray(), *e;
    *more = 0;
    cJSON_ArrayForEach(e, history) {
        if (!cJSON_IsObject(e) || cJSON_GetObjectItemCaseSensitive(e, "id"))
            continue;
        if (cJSON_GetArraySize(out) >= max) {
            *more = 1;
            break;
        }
        char id[37];
        cJSON_AddStringToObject(e, "id", sync_client_new_op_id(id));
        cJSON *copy = cJSON_Duplicate(e, 1);
        cJSON *ch = cJSON_GetObjectItemCaseSensitive(copy, "change");
        if (ch && !cJSON_IsNumber(ch))
            cJSON_DeleteItemFromObjectCaseSensitive(copy, "change");
        else if (ch)
            cJSON_SetNumberValue(ch, ch->valuedouble > 200 ? 200 : ch->valuedouble < -200 ? -200 : round(ch->valuedouble));
        cJSON_AddItemToArray(out, copy);
    }
    return out;
}

static cJSON *build_relationship(SyncCtx *c, const SyncLogRow *r, int *rc, Err *err)
{
    *rc = MA_OK;
    cJSON *row = NULL;
    if ((*rc = save_row_get(c->s, "character_relationships", strtoll(r->ref, NULL, 10), &row, err)) != MA_OK || !row)
        return NULL;
    char from[65], to[65];
    cJSON *op = NULL;
    int64_t a = sync_jint(row, "character_id", 0), b = sync_jint(row, "target_character_id", 0);
    int ka = pointed_key(c, a, from, err), kb = ka == 0 ? pointed_key(c, b, to, err) : 1;
    if (ka < 0 || kb < 0) {
        *rc = ka < 0 ? ka : kb;
        goto done;
    }
    if (ka || kb)
        goto done; /* another player's character is in it: theirs to push */
    cJSON *history = column_json(row, "interaction_history", "[]");
    int more = 0;
    cJSON *entries = new_entries(history, MAX_ENTRIES, &more);
    if (cJSON_GetArraySize(entries) == 0) {
        cJSON_Delete(entries);
        cJSON_Delete(history);
        goto done; /* nothing new to tell */
    }
    /* The ids are kept in the save (the world is marked as being written: no new op for it). */
    RelationshipRow rr = {.character_id = a, .target_character_id = b,
                          .relationship_value = (int)sync_jint(row, "relationship_value", 0),
                          .interaction_history = history};
    snprintf(rr.relationship_type, sizeof rr.relationship_type, "%s",
             sync_jstr(row, "relationship_type") ? sync_jstr(row, "relationship_type") : "");
    *rc = relationships_upsert(c->s, &rr, err);
    rr.interaction_history = NULL;
    cJSON_Delete(history);
    if (*rc == MA_OK && more) /* the rest goes in an op of its own */
        *rc = synclog_add(c->s, c->world_id, "relationship", r->ref, 0, NULL, err);
    if (*rc != MA_OK) {
        cJSON_Delete(entries);
        goto done;
    }
    op = op_head(r, "relationship");
    cJSON_AddStringToObject(op, "from", from);
    cJSON_AddStringToObject(op, "to", to);
    cJSON_AddStringToObject(op, "relationship_type", rr.relationship_type[0] ? rr.relationship_type : "acquaintance");
    cJSON_AddItemToObject(op, "entries", entries);
done:
    cJSON_Delete(row);
    return op;
}

/* progress_data as the server checks it: objectives each with a text id and a count. */
static cJSON *clean_progress(cJSON *pd)
{
    if (!cJSON_IsObject(pd)) {
        cJSON_Delete(pd);
        return cJSON_CreateObject();
    }
    cJSON *objs = cJSON_GetObjectItemCaseSensitive(pd, "objectives");
    if (objs && !cJSON_IsArray(objs)) {
        cJSON_DeleteItemFromObjectCaseSensitive(pd, "objectives");
    } else if (objs) {
        for (int i = cJSON_GetArraySize(objs) - 1; i >= 0; i--) {
            cJSON *o = cJSON_GetArrayItem(objs, i);
            const char *id = sync_jstr(o, "id");
            const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "count");
            if (!cJSON_IsObject(o) || !id || !id[0] || strlen(id) > 64 || (n && (!cJSON_IsNumber(n) || n->valuedouble < 0)))
                cJSON_DeleteItemFromArray(objs, i);
        }
        while (cJSON_GetArraySize(objs) > 100)
            cJSON_DeleteItemFromArray(objs, 100);
    }
    return pd;
}

static void add_time(cJSON *op, const char *name, const char *t)
{
    if (t && t[0])
        cJSON_AddStringToObject(op, name, t);
    else
        cJSON_AddNullToObject(op, name);
}

static cJSON *build_quest(SyncCtx *c, const SyncLogRow *r, int *rc, Err *err)
{
    *rc = MA_OK;
    cJSON *row = NULL, *op = NULL;
    if ((*rc = save_row_get(c->s, "quest_progress", strtoll(r->ref, NULL, 10), &row, err)) != MA_OK || !row)
        return NULL;
    CharacterRow ch;
    QuestRow q;
    memset(&q, 0, sizeof q);
    Err quiet = {0};
    char key[65];
    if (characters_get(c->s, sync_jint(row, "character_id", 0), &ch, &quiet) != MA_OK) {
        cJSON_Delete(row);
        return NULL;
    }
    int ok = sync_owner_of(c->s, &ch) == SYNC_OWN && sync_character_key(c, &ch, key, &quiet) == MA_OK &&
             quests_get(c->s, sync_jint(row, "quest_id", 0), &q, &quiet) == MA_OK;
    if (!ok)
        goto done;
    op = op_head(r, "quest_progress");
    cJSON_AddStringToObject(op, "character", key);
    cJSON *qo = cJSON_AddObjectToObject(op, "quest");
    cJSON_AddStringToObject(qo, "title", q.title);
    cJSON_AddStringToObject(qo, "description", q.description ? q.description : "");
    cJSON_AddStringToObject(qo, "quest_type", q.quest_type[0] ? q.quest_type : "side");
    cJSON_AddNumberToObject(qo, "difficulty_level", q.difficulty_level > 0 ? q.difficulty_level : 1);
    cJSON_AddItemToObject(qo, "requirements", q.requirements ? cJSON_Duplicate(q.requirements, 1) : cJSON_CreateObject());
    cJSON_AddItemToObject(qo, "rewards", q.rewards ? cJSON_Duplicate(q.rewards, 1) : cJSON_CreateObject());
    cJSON *objs = cJSON_AddArrayToObject(qo, "objectives");
    ObjectiveRow *ob = NULL;
    int n = 0;
    if (objectives_list(c->s, q.id, &ob, &n, &quiet) == MA_OK) {
        for (int i = 0; i < n && i < 100; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "text", ob[i].objective_text);
            cJSON_AddItemToArray(objs, o);
        }
        objectives_list_free(ob, n);
    }
    cJSON_AddStringToObject(op, "status", sync_jstr(row, "status") ? sync_jstr(row, "status") : "active");
    cJSON_AddItemToObject(op, "progress_data", clean_progress(column_json(row, "progress_data", "{}")));
    add_time(op, "started_at", sync_jstr(row, "started_at"));
    add_time(op, "completed_at", sync_jstr(row, "completed_at"));
    cJSON *rewards = column_json(row, "rewards_earned", "[]");
    if (!cJSON_IsArray(rewards)) {
        cJSON_Delete(rewards);
        rewards = cJSON_CreateArray();
    }
    cJSON_AddItemToObject(op, "rewards_earned", rewards);
done:
    quest_row_clear(&q);
    character_row_clear(&ch);
    cJSON_Delete(row);
    return op;
}

static cJSON *build_evolution(SyncCtx *c, const SyncLogRow *r, int *rc, Err *err)
{
    *rc = MA_OK;
    cJSON *row = NULL, *op = NULL;
    int64_t id = strtoll(r->ref, NULL, 10);
    if ((*rc = save_row_get(c->s, "world_evolution_log", id, &row, err)) != MA_OK || !row)
        return NULL;
    AgentRow a;
    Err quiet = {0};
    if (agents_get(c->s, sync_jint(row, "agent_id", 0), &a, &quiet) != MA_OK) {
        cJSON_Delete(row);
        return NULL; /* no agent to name: the server keeps only agents' entries */
    }
    op = op_head(r, "evolution");
    cJSON_AddStringToObject(op, "entry", r->op_id);
    cJSON *ag = cJSON_AddObjectToObject(op, "agent");
    cJSON_AddStringToObject(ag, "name", a.agent_name);
    cJSON_AddStringToObject(ag, "type", a.agent_type);
    cJSON_AddStringToObject(op, "evolution_type", sync_jstr(row, "evolution_type") ? sync_jstr(row, "evolution_type") : "change");
    cJSON_AddItemToObject(op, "changes_made", column_json(row, "changes_made", "{}"));
    cJSON_AddItemToObject(op, "reasoning", column_json(row, "reasoning", "{}"));
    add_time(op, "applied_at", sync_jstr(row, "applied_at"));
    cJSON_AddBoolToObject(op, "is_active", sync_jint(row, "is_active", 1) != 0);
    agent_row_clear(&a);
    cJSON_Delete(row);
    /* Ours: a pull that brings it back is not another player's entry. */
    *rc = synclog_entry_add(c->s, c->world_id, "evolution", r->op_id, id, NULL, err);
    if (*rc > 0)
        *rc = MA_OK;
    if (*rc != MA_OK) {
        cJSON_Delete(op);
        return NULL;
    }
    return op;
}

static cJSON *build_choice(SyncCtx *c, const SyncLogRow *r, int *rc, Err *err)
{
    *rc = MA_OK;
    cJSON *row = NULL, *op = NULL;
    int64_t id = strtoll(r->ref, NULL, 10);
    if ((*rc = save_row_get(c->s, "player_choices", id, &row, err)) != MA_OK || !row)
        return NULL;
    CharacterRow ch;
    BranchRow br, parent;
    StoryRow st;
    memset(&br, 0, sizeof br);
    memset(&parent, 0, sizeof parent);
    memset(&st, 0, sizeof st);
    Err quiet = {0};
    char key[65];
    if (characters_get(c->s, sync_jint(row, "character_id", 0), &ch, &quiet) != MA_OK) {
        cJSON_Delete(row);
        return NULL;
    }
    int ok = sync_owner_of(c->s, &ch) == SYNC_OWN && sync_character_key(c, &ch, key, &quiet) == MA_OK &&
             branches_get(c->s, sync_jint(row, "story_branch_id", 0), &br, &quiet) == MA_OK &&
             stories_get(c->s, br.story_id, &st, &quiet) == MA_OK;
    if (!ok)
        goto done;
    op = op_head(r, "story_choice");
    cJSON_AddStringToObject(op, "entry", r->op_id);
    cJSON_AddStringToObject(op, "character", key);
    cJSON *so = cJSON_AddObjectToObject(op, "story");
    cJSON_AddStringToObject(so, "title", st.title);
    cJSON_AddStringToObject(so, "description", st.description ? st.description : "");
    cJSON_AddStringToObject(so, "story_type", st.story_type[0] ? st.story_type : "main");
    cJSON *bo = cJSON_AddObjectToObject(op, "branch");
    cJSON_AddStringToObject(bo, "name", br.branch_name);
    cJSON_AddStringToObject(bo, "content", br.content ? br.content : "");
    if (br.parent_branch_id > 0 && branches_get(c->s, br.parent_branch_id, &parent, &quiet) == MA_OK)
        cJSON_AddStringToObject(bo, "parent", parent.branch_name);
    const char *text = sync_jstr(row, "choice_text");
    cJSON_AddStringToObject(op, "choice_text", text && text[0] ? text : "(a choice)");
    cJSON_AddItemToObject(op, "choice_data", column_json(row, "choice_data", "{}"));
    cJSON_AddItemToObject(op, "consequences", column_json(row, "consequences", "{}"));
    add_time(op, "made_at", sync_jstr(row, "made_at"));
    if ((*rc = synclog_entry_add(c->s, c->world_id, "story_choice", r->op_id, id, NULL, err)) > 0)
        *rc = MA_OK;
    if (*rc != MA_OK) {
        cJSON_Delete(op);
        op = NULL;
    }
done:
    branch_row_clear(&br);
    branch_row_clear(&parent);
    story_row_clear(&st);
    character_row_clear(&ch);
    cJSON_Delete(row);
    return op;
}

static int seal_waiting(SyncCtx *c, int *sealed, Err *err)
{
    SyncLogRow *rows = NULL;
    int n = 0;
    int rc = synclog_list(c->s, c->world_id, 0, &rows, &n, err);
    /* Phase one: every villager an op points at and that the server has not seen gets an op
     * of its own, so that it is there before what points at it. */
    for (int i = 0; rc == MA_OK && i < n; i++) {
        if (strcmp(rows[i].kind, "relationship") != 0)
            continue;
        cJSON *row = NULL;
        if ((rc = save_row_get(c->s, "character_relationships", strtoll(rows[i].ref, NULL, 10), &row, err)) != MA_OK ||
            !row)
            continue;
        char key[65];
        int64_t ends[2] = {sync_jint(row, "character_id", 0), sync_jint(row, "target_character_id", 0)};
        for (int k = 0; k < 2 && rc == MA_OK; k++) {
            int r2 = pointed_key(c, ends[k], key, err);
            rc = r2 < 0 ? r2 : MA_OK;
        }
        cJSON_Delete(row);
    }
    if (rc == MA_OK) {
        synclog_rows_free(rows, n);
        rows = NULL;
        rc = synclog_list(c->s, c->world_id, 0, &rows, &n, err);
    }
    for (int i = 0; rc == MA_OK && i < n; i++) {
        SyncLogRow *r = &rows[i];
        cJSON *op = NULL;
        if (strcmp(r->kind, "chunk_edit") == 0)
            op = build_chunk_edit(r);
        else if (strcmp(r->kind, "character") == 0)
            op = build_character(c, r, &rc, err);
        else if (strcmp(r->kind, "relationship") == 0)
            op = build_relationship(c, r, &rc, err);
        else if (strcmp(r->kind, "quest_progress") == 0)
            op = build_quest(c, r, &rc, err);
        else if (strcmp(r->kind, "evolution") == 0)
            op = build_evolution(c, r, &rc, err);
        else if (strcmp(r->kind, "story_choice") == 0)
            op = build_choice(c, r, &rc, err);
        if (rc != MA_OK) {
            cJSON_Delete(op);
            break;
        }
        rc = op ? synclog_seal(c->s, r->id, op, err) : synclog_drop(c->s, r->id, err);
        if (op && rc == MA_OK)
            (*sealed)++;
        cJSON_Delete(op);
    }
    synclog_rows_free(rows, n);
    return rc;
}

typedef struct Ranked {
    int rank;
    int64_t id;
    cJSON *op;
} Ranked;

static int by_rank(const void *a, const void *b)
{
    const Ranked *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

int sync_prepare(Save *s, int64_t world_id, SyncPlan *plan, Err *err)
{
    memset(plan, 0, sizeof *plan);
    plan->world_id = world_id;
    int rc = synclog_world_get(s, world_id, &plan->sw, err);
    if (rc == MA_OK)
        rc = synclog_account_get(s, plan->sw.account_id, &plan->account, err);
    if (rc != MA_OK)
        return rc;
    if (!plan->account.token[0])
        return err_set(err, MA_ERR_INVALID, "not signed in to %s as %s (the token was refused or ended): run "
                       "`magic-adventure sync login --server %s --user %s`", plan->account.server_url,
                       plan->account.username, plan->account.server_url, plan->account.username);
    SyncCtx c = {.s = s, .world_id = world_id, .sw = plan->sw, .account = plan->account};
    /* What sealing writes (history ids, keys) is bookkeeping, not a change to push. */
    if ((rc = synclog_world_applying(s, world_id, 1, err)) != MA_OK)
        return rc;
    rc = seal_waiting(&c, &plan->sealed_now, err);
    int rc2 = synclog_world_applying(s, world_id, 0, rc == MA_OK ? err : &(Err){0});
    if (rc == MA_OK)
        rc = rc2;
    if (rc != MA_OK)
        return rc;
    SyncLogRow *rows = NULL;
    int n = 0;
    if ((rc = synclog_list(s, world_id, 1, &rows, &n, err)) != MA_OK)
        return rc;
    Ranked *r = calloc((size_t)(n ? n : 1), sizeof *r);
    plan->ops = cJSON_CreateArray();
    if (!r || !plan->ops) {
        free(r);
        synclog_rows_free(rows, n);
        return err_set(err, MA_ERR_NOMEM, "out of memory preparing a push");
    }
    for (int i = 0; i < n; i++) {
        r[i].rank = sync_kind_rank(rows[i].kind);
        r[i].id = rows[i].id;
        r[i].op = rows[i].body;
        rows[i].body = NULL;
    }
    qsort(r, (size_t)n, sizeof *r, by_rank);
    for (int i = 0; i < n; i++)
        if (r[i].op)
            cJSON_AddItemToArray(plan->ops, r[i].op);
    free(r);
    synclog_rows_free(rows, n);
    return MA_OK;
}

void sync_plan_clear(SyncPlan *plan)
{
    cJSON_Delete(plan->ops);
    plan->ops = NULL;
}

SyncJob *sync_plan_job(SyncPlan *plan)
{
    SyncJob *j = sync_job_new(SYNC_JOB_SYNC);
    if (!j)
        return NULL;
    snprintf(j->url, sizeof j->url, "%s", plan->account.server_url);
    snprintf(j->token, sizeof j->token, "%s", plan->account.token);
    j->remote_id = plan->sw.remote_id;
    j->cursor = plan->sw.cursor;
    j->ops = plan->ops;
    plan->ops = NULL;
    return j;
}

