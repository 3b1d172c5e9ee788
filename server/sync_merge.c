/* sync_merge.c — the merge rules (see sync_merge.h). */
#include "sync_merge.h"

#include <stdio.h>
#include <string.h>

#include "util/timeutil.h"

static int same(const cJSON *a, const cJSON *b)
{
    if (!a || !b)
        return !a && !b;
    return cJSON_Compare(a, b, 1);
}

static cJSON *dup_or_null(const cJSON *j)
{
    return j ? cJSON_Duplicate(j, 1) : cJSON_CreateNull();
}

static cJSON *conflict_at(cJSON *conflicts, const char *what, int x, int y, int z)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "what", what);
    cJSON_AddNumberToObject(c, "x", x);
    cJSON_AddNumberToObject(c, "y", y);
    cJSON_AddNumberToObject(c, "z", z);
    cJSON_AddItemToArray(conflicts, c);
    return c;
}

/* The entity with this id in c's list, and its position in *at. */
static cJSON *entity_find(const Chunk *c, const char *id, int *at)
{
    int i = 0;
    cJSON *e;
    cJSON_ArrayForEach(e, c->entities) {
        const cJSON *eid = cJSON_GetObjectItemCaseSensitive(e, "id");
        if (cJSON_IsString(eid) && strcmp(eid->valuestring, id) == 0) {
            *at = i;
            return e;
        }
        i++;
    }
    *at = -1;
    return NULL;
}

int sync_merge_chunk(Chunk *c, const BlockRegistry *reg, const SyncOp *op, cJSON *conflicts, int *changed)
{
    *changed = 0;
    for (int i = 0; i < op->n_blocks; i++) {
        const SyncBlockEdit *b = &op->blocks[i];
        BlockId cur = chunk_get(c, b->x, b->y, b->z);
        if (cur == b->from) {
            if (b->from != b->to) {
                if (chunk_set(c, b->x, b->y, b->z, b->to) != MA_OK)
                    return MA_ERR_NOMEM;
                (*changed)++;
            }
        } else if (cur != b->to) {
            cJSON *k = conflict_at(conflicts, "block", b->x, b->y, b->z);
            cJSON_AddStringToObject(k, "base", blocks_get(reg, b->from)->name);
            cJSON_AddStringToObject(k, "yours", blocks_get(reg, b->to)->name);
            cJSON_AddStringToObject(k, "server", blocks_get(reg, cur)->name);
        }
    }
    for (int i = 0; i < op->n_meta; i++) {
        const SyncJsonEdit *m = &op->meta[i];
        const cJSON *cur = chunk_meta_get(c, m->index);
        if (same(cur, m->from)) {
            if (!same(m->from, m->to)) {
                cJSON *to = m->to ? cJSON_Duplicate(m->to, 1) : NULL;
                if ((m->to && !to) || chunk_meta_set(c, m->index, to) != MA_OK)
                    return MA_ERR_NOMEM;
                (*changed)++;
            }
        } else if (!same(cur, m->to)) {
            cJSON *k = conflict_at(conflicts, "meta", m->x, m->y, m->z);
            cJSON_AddItemToObject(k, "base", dup_or_null(m->from));
            cJSON_AddItemToObject(k, "yours", dup_or_null(m->to));
            cJSON_AddItemToObject(k, "server", dup_or_null(cur));
        }
    }
    for (int i = 0; i < op->n_ents; i++) {
        const SyncJsonEdit *m = &op->ents[i];
        int at;
        cJSON *cur = entity_find(c, m->entity, &at);
        if (same(cur, m->from)) {
            if (same(m->from, m->to))
                continue;
            if (!m->to) {
                cJSON_DeleteItemFromArray(c->entities, at);
            } else {
                cJSON *to = cJSON_Duplicate(m->to, 1);
                if (!to)
                    return MA_ERR_NOMEM;
                if (cur)
                    cJSON_ReplaceItemInArray(c->entities, at, to);
                else
                    cJSON_AddItemToArray(c->entities, to);
            }
            (*changed)++;
        } else if (!same(cur, m->to)) {
            cJSON *k = cJSON_CreateObject();
            cJSON_AddStringToObject(k, "what", "entity");
            cJSON_AddStringToObject(k, "id", m->entity);
            cJSON_AddItemToObject(k, "base", dup_or_null(m->from));
            cJSON_AddItemToObject(k, "yours", dup_or_null(m->to));
            cJSON_AddItemToObject(k, "server", dup_or_null(cur));
            cJSON_AddItemToArray(conflicts, k);
        }
    }
    if (*changed)
        chunk_compact(c);
    return MA_OK;
}

static int history_has(const cJSON *hist, const char *id)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, hist) {
        const cJSON *eid = cJSON_GetObjectItemCaseSensitive(e, "id");
        if (cJSON_IsString(eid) && strcmp(eid->valuestring, id) == 0)
            return 1;
    }
    return 0;
}

int sync_merge_history(cJSON *hist, const cJSON *entries)
{
    int added = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, entries) {
        const char *id = cJSON_GetObjectItemCaseSensitive(e, "id")->valuestring;
        if (history_has(hist, id))
            continue;
        cJSON *copy = cJSON_Duplicate(e, 1);
        if (!copy)
            return -1;
        cJSON_AddItemToArray(hist, copy);
        added++;
    }
    return added;
}

int sync_relationship_value(const cJSON *hist)
{
    int v = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, hist) {
        const cJSON *ch = cJSON_GetObjectItemCaseSensitive(e, "change");
        if (cJSON_IsNumber(ch))
            v += (int)ch->valuedouble;
        v = v < -100 ? -100 : v > 100 ? 100 : v;
    }
    return v;
}

int sync_quest_finished(const char *status)
{
    return strcmp(status, "active") != 0;
}

void sync_quest_state_clear(SyncQuestState *s)
{
    cJSON_Delete(s->progress_data);
    cJSON_Delete(s->rewards_earned);
    s->progress_data = s->rewards_earned = NULL;
}

static cJSON *objective_find(cJSON *list, const char *id)
{
    cJSON *e;
    cJSON_ArrayForEach(e, list) {
        const cJSON *eid = cJSON_GetObjectItemCaseSensitive(e, "id");
        if (cJSON_IsString(eid) && strcmp(eid->valuestring, id) == 0)
            return e;
    }
    return NULL;
}

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* objectives: counts take the larger, "done" once true stays true, new ones are added. */
static int merge_objectives(cJSON *pd, const cJSON *pushed)
{
    cJSON *mine = cJSON_GetObjectItemCaseSensitive(pd, "objectives");
    if (!cJSON_IsArray(mine)) {
        cJSON_DeleteItemFromObjectCaseSensitive(pd, "objectives");
        mine = cJSON_AddArrayToObject(pd, "objectives");
        if (!mine)
            return MA_ERR_NOMEM;
    }
    const cJSON *p;
    cJSON_ArrayForEach(p, pushed) {
        cJSON *s = objective_find(mine, str(p, "id"));
        if (!s) {
            cJSON *copy = cJSON_Duplicate(p, 1);
            if (!copy)
                return MA_ERR_NOMEM;
            cJSON_AddItemToArray(mine, copy);
            continue;
        }
        int64_t a = 0, b = 0;
        sync_int_field(s, "count", 0, INT32_MAX, 0, &a);
        sync_int_field(p, "count", 0, INT32_MAX, 0, &b);
        if (b > a) {
            cJSON_DeleteItemFromObjectCaseSensitive(s, "count");
            cJSON_AddNumberToObject(s, "count", (double)b);
        }
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "done")) &&
            !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "done"))) {
            cJSON_DeleteItemFromObjectCaseSensitive(s, "done");
            cJSON_AddTrueToObject(s, "done");
        }
        /* fields the server's entry lacks (target, base...) come from the push */
        const cJSON *f;
        cJSON_ArrayForEach(f, p) {
            if (!cJSON_GetObjectItemCaseSensitive(s, f->string))
                cJSON_AddItemToObject(s, f->string, cJSON_Duplicate(f, 1));
        }
    }
    return MA_OK;
}

int sync_merge_quest(SyncQuestState *s, const SyncOp *op, cJSON *conflicts)
{
    const cJSON *o = op->json;
    const char *status = str(o, "status");
    const cJSON *pd = cJSON_GetObjectItemCaseSensitive(o, "progress_data");
    const cJSON *rewards = cJSON_GetObjectItemCaseSensitive(o, "rewards_earned");
    const char *started = str(o, "started_at"), *completed = str(o, "completed_at");
    char now[TIME_ISO_LEN];
    time_iso(time_now_ms(), now);
    if (!s->progress_data && !(s->progress_data = cJSON_CreateObject()))
        return MA_ERR_NOMEM;
    if (!s->rewards_earned && !(s->rewards_earned = cJSON_CreateArray()))
        return MA_ERR_NOMEM;
    int server_finished = s->exists && sync_quest_finished(s->status);
    /* progress_data: other fields follow the push while the quest runs on the server */
    const cJSON *f;
    cJSON_ArrayForEach(f, pd) {
        if (strcmp(f->string, "objectives") == 0 || strcmp(f->string, "history") == 0)
            continue;
        if (server_finished && cJSON_GetObjectItemCaseSensitive(s->progress_data, f->string))
            continue;
        cJSON *copy = cJSON_Duplicate(f, 1);
        if (!copy)
            return MA_ERR_NOMEM;
        cJSON_DeleteItemFromObjectCaseSensitive(s->progress_data, f->string);
        cJSON_AddItemToObject(s->progress_data, f->string, copy);
    }
    const cJSON *objs = pd ? cJSON_GetObjectItemCaseSensitive(pd, "objectives") : NULL;
    if (objs && merge_objectives(s->progress_data, objs) != MA_OK)
        return MA_ERR_NOMEM;
    if (op->entries) {
        cJSON *hist = cJSON_GetObjectItemCaseSensitive(s->progress_data, "history");
        if (!cJSON_IsArray(hist)) {
            cJSON_DeleteItemFromObjectCaseSensitive(s->progress_data, "history");
            hist = cJSON_AddArrayToObject(s->progress_data, "history");
        }
        if (!hist || sync_merge_history(hist, op->entries) < 0)
            return MA_ERR_NOMEM;
    }
    if (!s->exists) {
        snprintf(s->started_at, sizeof s->started_at, "%s", started ? started : now);
    }
    if (!s->exists || !server_finished) {
        snprintf(s->status, sizeof s->status, "%s", status);
        if (sync_quest_finished(status)) {
            snprintf(s->completed_at, sizeof s->completed_at, "%s", completed ? completed : now);
            if (rewards) {
                cJSON_Delete(s->rewards_earned);
                if (!(s->rewards_earned = cJSON_Duplicate(rewards, 1)))
                    return MA_ERR_NOMEM;
            }
        } else {
            s->completed_at[0] = '\0';
        }
    } else if (sync_quest_finished(status) && strcmp(status, s->status) != 0) {
        cJSON *k = cJSON_CreateObject();
        cJSON_AddStringToObject(k, "what", "status");
        cJSON_AddStringToObject(k, "yours", status);
        cJSON_AddStringToObject(k, "server", s->status);
        cJSON_AddItemToArray(conflicts, k);
    }
    s->exists = 1;
    return MA_OK;
}
