/* push_merge.c — deciding each op of a push against the server's rows (in memory, in op
 * order): applied, conflict or rejected, with the rules of docs/sync-protocol.md, "Merging".
 * The merge of values is sync_merge.c's; this file applies the rules of who may change what
 * and from which version. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_sync.h"
#include "push_internal.h"
#include "world/chunk_codec.h"

/* ------------------------------------------------------------ chunks */


/* The chunk's pull-format row, as it stands now in this batch. */
static cJSON *chunk_row(Push *p, ChunkSlot *s)
{
    size_t len = 0;
    char *bd = chunk_encode_palette(s->c, p->srv->blocks, &len, p->err);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", "chunk");
    int xyz[3] = {s->cx, s->cy, s->cz};
    cJSON_AddItemToObject(o, "chunk", cJSON_CreateIntArray(xyz, 3));
    cJSON_AddNumberToObject(o, "version", s->version);
    cJSON_AddItemToObject(o, "block_data", bd ? cJSON_Parse(bd) : cJSON_CreateNull());
    free(bd);
    cJSON_AddItemToObject(o, "structures", cJSON_Duplicate(s->c->structures, 1));
    return o;
}

int push_apply_chunk(Push *p, const SyncOp *op, cJSON **res)
{
    ChunkSlot *s = push_chunk_slot(p, op->cx, op->cy, op->cz);
    int rc = push_chunk_ready(p, s);
    if (rc != MA_OK)
        return rc;
    cJSON *conflicts = cJSON_CreateArray();
    int changed = 0;
    if ((rc = sync_merge_chunk(s->c, p->srv->blocks, op, conflicts, &changed)) != MA_OK) {
        cJSON_Delete(conflicts);
        return err_set(p->err, rc, "out of memory merging a chunk");
    }
    if (changed) {
        s->version++;
        s->dirty = 1;
    }
    int n_conf = cJSON_GetArraySize(conflicts);
    *res = push_result_new(op, n_conf ? "conflict" : "applied");
    cJSON_AddNumberToObject(*res, "version", s->version);
    cJSON_AddNumberToObject(*res, "changed", changed);
    if (n_conf) {
        cJSON_AddItemToObject(*res, "conflicts", conflicts);
        cJSON_AddItemToObject(*res, "server", chunk_row(p, s));
    } else {
        cJSON_Delete(conflicts);
    }
    return MA_OK;
}

/* ------------------------------------------------------------ characters */

/* The character's pull-format row as it stands now in this batch. */
static cJSON *char_row(const CharSlot *s)
{
    cJSON *o;
    if (s->snapshot) {
        const cJSON *j = s->snapshot->json;
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "kind", "character");
        cJSON_AddStringToObject(o, "key", s->key);
        cJSON_AddBoolToObject(o, "npc", s->user_id == 0);
        static const char *const parts[] = {"character", "inventory", "skills", "state"};
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, parts[i]);
            cJSON_AddItemToObject(o, parts[i], v ? cJSON_Duplicate(v, 1) : cJSON_CreateArray());
        }
    } else {
        o = s->row ? cJSON_Parse(s->row) : NULL;
        if (!o) {
            o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "kind", "character");
            cJSON_AddStringToObject(o, "key", s->key);
        }
    }
    cJSON_DeleteItemFromObjectCaseSensitive(o, "version");
    cJSON_DeleteItemFromObjectCaseSensitive(o, "deleted");
    cJSON_AddNumberToObject(o, "version", (double)s->version);
    cJSON_AddBoolToObject(o, "deleted", s->deleted);
    return o;
}

static cJSON *char_conflict(Push *p, const SyncOp *op, const CharSlot *s, const char *why)
{
    cJSON *r = push_result_new(op, "conflict");
    cJSON_AddNumberToObject(r, "version", (double)s->version);
    cJSON_AddStringToObject(r, "reason", why);
    cJSON_AddItemToObject(r, "server", char_row(s));
    return r;
}

static void char_write(CharSlot *s, const SyncOp *op, int deleted)
{
    s->version = s->exists || s->dirty ? s->version + 1 : 1;
    s->deleted = deleted;
    if (!deleted)
        s->snapshot = op;
    s->dirty = 1;
}

int push_apply_character(Push *p, const SyncOp *op, cJSON **res)
{
    CharSlot *s = push_char_slot(p, op->key);
    int present = s->exists || s->dirty; /* on the server, or created earlier in this batch */
    if (present && s->user_id && s->user_id != p->user) {
        *res = push_rejected(op, "character '%s' belongs to another player", op->key);
        return MA_OK;
    }
    if (present && (s->user_id == 0) != (op->npc != 0)) {
        *res = push_rejected(op, "character '%s' is %s on the server", op->key,
                        s->user_id == 0 ? "a villager (npc: true)" : "a player's character (npc: false)");
        return MA_OK;
    }
    if (op->deleted) {
        if (!present || s->deleted) {
            *res = push_result_new(op, "applied");
            cJSON_AddNumberToObject(*res, "version", (double)s->version);
            return MA_OK;
        }
        /* A delete based on an older version would throw away what someone changed since. */
        if (op->base_version != s->version) {
            *res = char_conflict(p, op, s, "changed on the server since the version this delete saw");
            return MA_OK;
        }
        char_write(s, op, 1);
    } else if (op->npc) {
        /* Villagers are shared: a change must start from the server's version. */
        if (present && op->base_version != s->version) {
            *res = char_conflict(p, op, s, "this villager changed on the server since the version you saw");
            return MA_OK;
        }
        s->user_id = 0;
        char_write(s, op, 0);
    } else {
        /* A player's own character: their latest push wins, except over a delete they had
         * not seen (then the server's delete stands and the push comes back). */
        if (present && s->deleted && op->base_version < s->version) {
            *res = char_conflict(p, op, s, "deleted on the server after the version you changed");
            return MA_OK;
        }
        s->user_id = p->user;
        char_write(s, op, 0);
    }
    *res = push_result_new(op, "applied");
    cJSON_AddNumberToObject(*res, "version", (double)s->version);
    return MA_OK;
}

/* A character that relationships, quests and choices may refer to: present and not deleted. */
static CharSlot *push_live_char(Push *p, const char *key)
{
    CharSlot *s = push_char_slot(p, key);
    return s && (s->exists || s->dirty) && !s->deleted ? s : NULL;
}

/* ------------------------------------------------------------ relationships, quests, logs */

int push_apply_relationship(Push *p, const SyncOp *op, cJSON **res)
{
    CharSlot *f = push_live_char(p, op->key), *t = push_live_char(p, op->key2);
    if (!f || !t) {
        *res = push_rejected(op, "unknown character '%s' in this world: push the character first", !f ? op->key : op->key2);
        return MA_OK;
    }
    if ((f->user_id && f->user_id != p->user) || (t->user_id && t->user_id != p->user)) {
        *res = push_rejected(op, "a relationship of another player's character: only they push it");
        return MA_OK;
    }
    RelSlot *s = push_rel_slot(p, op->key, op->key2);
    if (!s->hist && !(s->hist = cJSON_CreateArray()))
        return err_set(p->err, MA_ERR_NOMEM, "out of memory");
    int added = op->entries ? sync_merge_history(s->hist, op->entries) : 0;
    if (added < 0)
        return err_set(p->err, MA_ERR_NOMEM, "out of memory");
    const char *type = push_str(op->json, "relationship_type");
    if (type)
        snprintf(s->type, sizeof s->type, "%s", type);
    s->value = sync_relationship_value(s->hist);
    s->version = s->exists || s->dirty ? s->version + 1 : 1;
    s->dirty = 1;
    *res = push_result_new(op, "applied");
    cJSON_AddNumberToObject(*res, "version", (double)s->version);
    cJSON_AddNumberToObject(*res, "relationship_value", s->value);
    cJSON_AddNumberToObject(*res, "added", added);
    return MA_OK;
}

static cJSON *quest_row(const QuestSlot *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", "quest_progress");
    cJSON_AddStringToObject(o, "character", s->character);
    cJSON *q = cJSON_AddObjectToObject(o, "quest");
    cJSON_AddStringToObject(q, "title", s->title);
    cJSON_AddNumberToObject(o, "version", (double)s->version);
    cJSON_AddStringToObject(o, "status", s->st.status);
    cJSON_AddItemToObject(o, "progress_data", cJSON_Duplicate(s->st.progress_data, 1));
    cJSON_AddStringToObject(o, "started_at", s->st.started_at);
    if (s->st.completed_at[0])
        cJSON_AddStringToObject(o, "completed_at", s->st.completed_at);
    else
        cJSON_AddNullToObject(o, "completed_at");
    cJSON_AddItemToObject(o, "rewards_earned", cJSON_Duplicate(s->st.rewards_earned, 1));
    return o;
}

int push_apply_quest(Push *p, const SyncOp *op, cJSON **res)
{
    CharSlot *c = push_live_char(p, op->key);
    if (!c) {
        *res = push_rejected(op, "unknown character '%s' in this world: push the character first", op->key);
        return MA_OK;
    }
    if (c->user_id != p->user) {
        *res = push_rejected(op, "quest progress belongs to its player's own character; '%s' is not yours", op->key);
        return MA_OK;
    }
    QuestSlot *s = push_quest_slot(p, op->key, op->key2);
    cJSON *conflicts = cJSON_CreateArray();
    if (sync_merge_quest(&s->st, op, conflicts) != MA_OK) {
        cJSON_Delete(conflicts);
        return err_set(p->err, MA_ERR_NOMEM, "out of memory merging quest progress");
    }
    s->def = cJSON_GetObjectItemCaseSensitive(op->json, "quest");
    s->version = s->exists || s->dirty ? s->version + 1 : 1;
    s->dirty = 1;
    int n_conf = cJSON_GetArraySize(conflicts);
    *res = push_result_new(op, n_conf ? "conflict" : "applied");
    cJSON_AddNumberToObject(*res, "version", (double)s->version);
    if (n_conf) {
        cJSON_AddItemToObject(*res, "conflicts", conflicts);
        cJSON_AddItemToObject(*res, "server", quest_row(s));
    } else {
        cJSON_Delete(conflicts);
    }
    return MA_OK;
}

int push_apply_entry(Push *p, const SyncOp *op, int choice, cJSON **res)
{
    if (choice) {
        CharSlot *c = push_live_char(p, op->key2);
        if (!c) {
            *res = push_rejected(op, "unknown character '%s' in this world: push the character first", op->key2);
            return MA_OK;
        }
        if (c->user_id != p->user) {
            *res = push_rejected(op, "a story choice belongs to its player's own character; '%s' is not yours", op->key2);
            return MA_OK;
        }
    }
    EntrySlot *s = push_entry_slot(choice ? p->choices : p->evo, choice ? p->n_choices : p->n_evo, op->key);
    *res = push_result_new(op, "applied");
    cJSON_AddNumberToObject(*res, "version", 1);
    if (s->exists || s->fresh) {
        /* Append-only: an entry is written once, whoever sends it. */
        cJSON_AddBoolToObject(*res, "existing", 1);
        return MA_OK;
    }
    s->fresh = 1;
    s->op = op;
    return MA_OK;
}

/* ------------------------------------------------------------ the world op (after the lock) */

cJSON *push_apply_world(Push *p, const SyncOp *op, int64_t *version, const char *row, cJSON *fields, int *changed)
{
    if (!p->wa->owner)
        return push_rejected(op, "only the owner changes the world's own row");
    if (op->base_version != *version) {
        cJSON *r = push_result_new(op, "conflict");
        cJSON_AddNumberToObject(r, "version", (double)*version);
        cJSON_AddStringToObject(r, "reason", "the world changed on the server since the version you saw");
        cJSON *srow = cJSON_Parse(row);
        if (srow) {
            cJSON_DeleteItemFromObjectCaseSensitive(srow, "version");
            cJSON_AddNumberToObject(srow, "version", (double)*version);
        }
        cJSON_AddItemToObject(r, "server", srow ? srow : cJSON_CreateNull());
        return r;
    }
    SyncWorldFields f;
    Err e2 = {0};
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(op->json, "world");
    if (sync_world_fields(w, p->srv->blocks, 0, &f, &e2) != MA_OK)
        return push_rejected(op, "%s", e2.msg);
    cJSON *r = NULL;
    if ((f.has_seed && f.seed != p->wa->seed) || (f.has_type && strcmp(f.world_type, p->wa->world_type) != 0)) {
        r = push_rejected(op, "a world's seed and type never change (they make its terrain)");
    } else {
        int taken = 0;
        if (f.has_name && strcmp(f.name, p->wa->name) != 0 &&
            db_sync_world_name_taken(p->db, p->world, f.name, &taken, &e2) != MA_OK)
            taken = -1;
        if (taken == -1) {
            r = NULL;
            *p->err = e2;
        } else if (taken) {
            r = push_rejected(op, "another world is named '%s' on the server", f.name);
        } else {
            if (f.has_name) {
                cJSON_DeleteItemFromObjectCaseSensitive(fields, "name");
                cJSON_AddStringToObject(fields, "name", f.name);
            }
            if (f.has_settings) {
                cJSON_DeleteItemFromObjectCaseSensitive(fields, "settings");
                cJSON_AddItemToObject(fields, "settings", cJSON_Duplicate(f.settings, 1));
            }
            if (f.has_metadata) {
                cJSON_DeleteItemFromObjectCaseSensitive(fields, "metadata");
                cJSON_AddItemToObject(fields, "metadata", cJSON_Duplicate(f.metadata, 1));
            }
            if (f.is_active >= 0) {
                cJSON_DeleteItemFromObjectCaseSensitive(fields, "is_active");
                cJSON_AddBoolToObject(fields, "is_active", f.is_active);
            }
            const cJSON *del = cJSON_GetObjectItemCaseSensitive(w, "deleted");
            if (cJSON_IsBool(del)) {
                cJSON_DeleteItemFromObjectCaseSensitive(fields, "deleted");
                cJSON_AddBoolToObject(fields, "deleted", cJSON_IsTrue(del));
            }
            (*version)++;
            *changed = 1;
            r = push_result_new(op, "applied");
            cJSON_AddNumberToObject(r, "version", (double)*version);
        }
    }
    sync_world_fields_clear(&f);
    return r;
}

