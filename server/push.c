/* push.c — see push.h. Reads every row the batch touches (locked), merges in memory in op
 * order, takes change sequence numbers for what changed, writes each table once, stores the
 * answers. About a dozen statements whatever the batch's size. */
#include "push.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_sync.h"
#include "sync_merge.h"
#include "util/timeutil.h"
#include "world/chunk_codec.h"
#include "world/generator.h"

typedef struct ChunkSlot {
    int64_t id;
    int32_t cx, cy, cz;
    int exists, orig_version, version, dirty;
    char *block_data, *structures; /* as loaded (heap), until decoded */
    Chunk *c;
    int ord; /* its change number is the batch's first + ord */
} ChunkSlot;

typedef struct CharSlot {
    const char *key;
    int exists, deleted, dirty;
    int64_t id, user_id; /* user_id 0: a villager */
    int64_t orig_version, version;
    char *row;              /* the loaded pull-format row (heap) */
    const SyncOp *snapshot; /* the last op whose contents are to be written */
    int ord;
} CharSlot;

typedef struct RelSlot {
    int64_t id;
    const char *from, *to;
    int exists, dirty;
    int64_t orig_version, version;
    char type[33];
    cJSON *hist;
    int value;
    int ord;
} RelSlot;

typedef struct QuestSlot {
    int64_t id;
    const char *character, *title;
    const cJSON *def; /* the quest definition of the last op */
    int exists, dirty;
    int64_t orig_version, version;
    SyncQuestState st;
    int ord;
} QuestSlot;

typedef struct EntrySlot {
    const char *entry;
    const SyncOp *op;
    int exists, fresh;
    int ord;
} EntrySlot;

typedef struct Push {
    Server *srv;
    Db *db;
    int64_t world, user;
    const WorldAccess *wa;
    const SyncBatch *b;
    Err *err;
    Generator *gen;
    ChunkSlot *chunks;
    CharSlot *chars;
    RelSlot *rels;
    QuestSlot *quests;
    EntrySlot *evo, *choices;
    int n_chunks, n_chars, n_rels, n_quests, n_evo, n_choices;
    cJSON **results;
    unsigned char *dup;
    DbCharacter *loaded_chars;
    int n_loaded_chars;
} Push;

/* ------------------------------------------------------------ small helpers */

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static cJSON *result_new(const SyncOp *op, const char *status)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "op", op->id);
    cJSON_AddStringToObject(r, "kind", sync_kind_names[op->kind]);
    cJSON_AddStringToObject(r, "status", status);
    return r;
}

static cJSON *rejected(const SyncOp *op, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static cJSON *rejected(const SyncOp *op, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *r = result_new(op, "rejected");
    cJSON_AddStringToObject(r, "reason", msg);
    return r;
}

/* A canonical ISO time for PostgreSQL, or "" when absent. */
static void canon_time(const char *s, char out[TIME_ISO_LEN])
{
    out[0] = '\0';
    if (s && *s) {
        int64_t t = time_parse_iso(s);
        if (t >= 0)
            time_iso(t, out);
    }
}

static char *print(const cJSON *j, Err *err)
{
    char *s = cJSON_PrintUnformatted(j);
    if (!s)
        err_set(err, MA_ERR_NOMEM, "out of memory");
    return s;
}

/* ------------------------------------------------------------ slots */

static ChunkSlot *chunk_slot(Push *p, int32_t cx, int32_t cy, int32_t cz)
{
    for (int i = 0; i < p->n_chunks; i++)
        if (p->chunks[i].cx == cx && p->chunks[i].cy == cy && p->chunks[i].cz == cz)
            return &p->chunks[i];
    return NULL;
}

static CharSlot *char_slot(Push *p, const char *key)
{
    for (int i = 0; i < p->n_chars; i++)
        if (strcmp(p->chars[i].key, key) == 0)
            return &p->chars[i];
    return NULL;
}

static RelSlot *rel_slot(Push *p, const char *from, const char *to)
{
    for (int i = 0; i < p->n_rels; i++)
        if (strcmp(p->rels[i].from, from) == 0 && strcmp(p->rels[i].to, to) == 0)
            return &p->rels[i];
    return NULL;
}

static QuestSlot *quest_slot(Push *p, const char *character, const char *title)
{
    for (int i = 0; i < p->n_quests; i++)
        if (strcmp(p->quests[i].character, character) == 0 && strcmp(p->quests[i].title, title) == 0)
            return &p->quests[i];
    return NULL;
}

static EntrySlot *entry_slot(EntrySlot *list, int n, const char *entry)
{
    for (int i = 0; i < n; i++)
        if (strcmp(list[i].entry, entry) == 0)
            return &list[i];
    return NULL;
}

static void add_char_key(Push *p, const char *key)
{
    if (!char_slot(p, key))
        p->chars[p->n_chars++].key = key;
}

static int cmp_chunk(const void *a, const void *b)
{
    const ChunkSlot *x = a, *y = b;
    if (x->cx != y->cx)
        return x->cx < y->cx ? -1 : 1;
    if (x->cy != y->cy)
        return x->cy < y->cy ? -1 : 1;
    return x->cz < y->cz ? -1 : x->cz > y->cz;
}

static int cmp_rel(const void *a, const void *b)
{
    const RelSlot *x = a, *y = b;
    int c = strcmp(x->from, y->from);
    return c ? c : strcmp(x->to, y->to);
}

static int cmp_quest(const void *a, const void *b)
{
    const QuestSlot *x = a, *y = b;
    int c = strcmp(x->character, y->character);
    return c ? c : strcmp(x->title, y->title);
}

/* Gathers what the batch touches (ops not already applied) into slots, sorted: every push
 * locks rows in the same order, so two pushes never wait for each other in a circle. */
static int gather(Push *p)
{
    const SyncBatch *b = p->b;
    int n = b->n;
    p->chunks = calloc((size_t)n, sizeof *p->chunks);
    p->chars = calloc((size_t)n * 2, sizeof *p->chars);
    p->rels = calloc((size_t)n, sizeof *p->rels);
    p->quests = calloc((size_t)n, sizeof *p->quests);
    p->evo = calloc((size_t)n, sizeof *p->evo);
    p->choices = calloc((size_t)n, sizeof *p->choices);
    if (!p->chunks || !p->chars || !p->rels || !p->quests || !p->evo || !p->choices)
        return err_set(p->err, MA_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        const SyncOp *op = &b->ops[i];
        if (p->dup[i])
            continue;
        switch (op->kind) {
        case SYNC_CHUNK_EDIT:
            if (!chunk_slot(p, op->cx, op->cy, op->cz)) {
                ChunkSlot *s = &p->chunks[p->n_chunks++];
                s->cx = op->cx;
                s->cy = op->cy;
                s->cz = op->cz;
            }
            break;
        case SYNC_CHARACTER: add_char_key(p, op->key); break;
        case SYNC_RELATIONSHIP:
            add_char_key(p, op->key);
            add_char_key(p, op->key2);
            if (!rel_slot(p, op->key, op->key2)) {
                RelSlot *s = &p->rels[p->n_rels++];
                s->from = op->key;
                s->to = op->key2;
            }
            break;
        case SYNC_QUEST_PROGRESS:
            add_char_key(p, op->key);
            if (!quest_slot(p, op->key, op->key2)) {
                QuestSlot *s = &p->quests[p->n_quests++];
                s->character = op->key;
                s->title = op->key2;
            }
            break;
        case SYNC_EVOLUTION:
            if (!entry_slot(p->evo, p->n_evo, op->key))
                p->evo[p->n_evo++].entry = op->key;
            break;
        case SYNC_STORY_CHOICE:
            add_char_key(p, op->key2);
            if (!entry_slot(p->choices, p->n_choices, op->key))
                p->choices[p->n_choices++].entry = op->key;
            break;
        default: break;
        }
    }
    qsort(p->chunks, (size_t)p->n_chunks, sizeof *p->chunks, cmp_chunk);
    qsort(p->rels, (size_t)p->n_rels, sizeof *p->rels, cmp_rel);
    qsort(p->quests, (size_t)p->n_quests, sizeof *p->quests, cmp_quest);
    return MA_OK;
}

/* ------------------------------------------------------------ loading */

static int load(Push *p)
{
    int rc = MA_OK;
    char *json = NULL;
    if (p->n_chunks) {
        cJSON *list = cJSON_CreateArray();
        for (int i = 0; i < p->n_chunks; i++) {
            int xyz[3] = {p->chunks[i].cx, p->chunks[i].cy, p->chunks[i].cz};
            cJSON_AddItemToArray(list, cJSON_CreateIntArray(xyz, 3));
        }
        json = print(list, p->err);
        cJSON_Delete(list);
        DbChunk *rows = NULL;
        int n = 0;
        rc = json ? db_sync_load_chunks(p->db, p->world, json, &rows, &n, p->err) : MA_ERR_NOMEM;
        free(json);
        for (int i = 0; rc == MA_OK && i < n; i++) {
            ChunkSlot *s = chunk_slot(p, rows[i].cx, rows[i].cy, rows[i].cz);
            if (!s)
                continue;
            s->exists = 1;
            s->id = rows[i].id;
            s->orig_version = s->version = rows[i].version;
            s->block_data = rows[i].block_data;
            s->structures = rows[i].structures;
            rows[i].block_data = rows[i].structures = NULL;
        }
        db_sync_chunks_free(rows, n);
        if (rc != MA_OK)
            return rc;
    }
    if (p->n_chars) {
        cJSON *list = cJSON_CreateArray();
        for (int i = 0; i < p->n_chars; i++)
            cJSON_AddItemToArray(list, cJSON_CreateString(p->chars[i].key));
        json = print(list, p->err);
        cJSON_Delete(list);
        rc = json ? db_sync_load_characters(p->db, p->world, json, &p->loaded_chars, &p->n_loaded_chars, p->err)
                  : MA_ERR_NOMEM;
        free(json);
        if (rc != MA_OK)
            return rc;
        for (int i = 0; i < p->n_loaded_chars; i++) {
            DbCharacter *d = &p->loaded_chars[i];
            CharSlot *s = char_slot(p, d->key);
            if (!s)
                continue;
            s->exists = 1;
            s->id = d->id;
            s->user_id = d->user_id;
            s->orig_version = s->version = d->version;
            s->deleted = d->deleted;
            s->row = d->row;
        }
    }
    if (p->n_rels) {
        cJSON *list = cJSON_CreateArray();
        for (int i = 0; i < p->n_rels; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "f", p->rels[i].from);
            cJSON_AddStringToObject(o, "t", p->rels[i].to);
            cJSON_AddItemToArray(list, o);
        }
        json = print(list, p->err);
        cJSON_Delete(list);
        DbRelationship *rows = NULL;
        int n = 0;
        rc = json ? db_sync_load_relationships(p->db, p->world, json, &rows, &n, p->err) : MA_ERR_NOMEM;
        free(json);
        for (int i = 0; rc == MA_OK && i < n; i++) {
            RelSlot *s = rel_slot(p, rows[i].from, rows[i].to);
            if (!s)
                continue;
            s->exists = 1;
            s->id = rows[i].id;
            s->orig_version = s->version = rows[i].version;
            snprintf(s->type, sizeof s->type, "%s", rows[i].type);
            s->hist = cJSON_Parse(rows[i].history);
            if (!cJSON_IsArray(s->hist)) {
                cJSON_Delete(s->hist);
                s->hist = cJSON_CreateArray();
            }
        }
        db_sync_relationships_free(rows, n);
        if (rc != MA_OK)
            return rc;
    }
    if (p->n_quests) {
        cJSON *list = cJSON_CreateArray();
        for (int i = 0; i < p->n_quests; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "c", p->quests[i].character);
            cJSON_AddStringToObject(o, "t", p->quests[i].title);
            cJSON_AddItemToArray(list, o);
        }
        json = print(list, p->err);
        cJSON_Delete(list);
        DbQuestProgress *rows = NULL;
        int n = 0;
        rc = json ? db_sync_load_quest_progress(p->db, p->world, json, &rows, &n, p->err) : MA_ERR_NOMEM;
        free(json);
        for (int i = 0; rc == MA_OK && i < n; i++) {
            QuestSlot *s = quest_slot(p, rows[i].character, rows[i].title);
            if (!s)
                continue;
            s->exists = s->st.exists = 1;
            s->id = rows[i].id;
            s->orig_version = s->version = rows[i].version;
            snprintf(s->st.status, sizeof s->st.status, "%s", rows[i].status);
            s->st.progress_data = cJSON_Parse(rows[i].progress_data);
            s->st.rewards_earned = cJSON_Parse(rows[i].rewards_earned);
            snprintf(s->st.started_at, sizeof s->st.started_at, "%s", rows[i].started_at);
            snprintf(s->st.completed_at, sizeof s->st.completed_at, "%s", rows[i].completed_at);
        }
        db_sync_quest_progress_free(rows, n);
        if (rc != MA_OK)
            return rc;
    }
    for (int k = 0; k < 2; k++) {
        EntrySlot *list = k ? p->choices : p->evo;
        int n = k ? p->n_choices : p->n_evo;
        if (!n)
            continue;
        cJSON *keys = cJSON_CreateArray();
        for (int i = 0; i < n; i++)
            cJSON_AddItemToArray(keys, cJSON_CreateString(list[i].entry));
        json = print(keys, p->err);
        cJSON_Delete(keys);
        cJSON *found = NULL;
        rc = json ? db_sync_existing_entries(p->db, p->world, k, json, &found, p->err) : MA_ERR_NOMEM;
        free(json);
        if (rc != MA_OK)
            return rc;
        const cJSON *e;
        cJSON_ArrayForEach(e, found) {
            EntrySlot *s = cJSON_IsString(e) ? entry_slot(list, n, e->valuestring) : NULL;
            if (s)
                s->exists = 1;
        }
        cJSON_Delete(found);
    }
    return MA_OK;
}

/* ------------------------------------------------------------ chunks */

static int chunk_ready(Push *p, ChunkSlot *s)
{
    if (s->c)
        return MA_OK;
    const BlockRegistry *reg = p->srv->blocks;
    if (s->exists) {
        int rc = chunk_decode(s->block_data, strlen(s->block_data), s->structures, reg, s->cx, s->cy, s->cz, &s->c,
                              p->err);
        if (rc != MA_OK)
            err_prefix(p->err, "world %" PRId64 " chunk %d,%d,%d on the server", p->world, s->cx, s->cy, s->cz);
        return rc;
    }
    /* Never stored: the common base is what the generator makes from the world's seed. */
    if (!p->gen) {
        int rc = generator_new(reg, (uint64_t)p->wa->seed, p->wa->world_type, p->wa->generator_version, &p->gen,
                               p->err);
        if (rc != MA_OK) {
            err_prefix(p->err, "world %" PRId64, p->world);
            return rc;
        }
    }
    s->c = chunk_new(s->cx, s->cy, s->cz, BLOCK_AIR);
    if (!s->c)
        return err_set(p->err, MA_ERR_NOMEM, "out of memory");
    generator_fill(p->gen, s->c);
    return MA_OK;
}

/* The chunk's pull-format row, as it stands now in this batch. */
static cJSON *chunk_row(Push *p, ChunkSlot *s)
{
    size_t len = 0;
    char *bd = chunk_encode(s->c, p->srv->blocks, &len, p->err);
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

static int apply_chunk(Push *p, const SyncOp *op, cJSON **res)
{
    ChunkSlot *s = chunk_slot(p, op->cx, op->cy, op->cz);
    int rc = chunk_ready(p, s);
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
    *res = result_new(op, n_conf ? "conflict" : "applied");
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
    cJSON *r = result_new(op, "conflict");
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

static int apply_character(Push *p, const SyncOp *op, cJSON **res)
{
    CharSlot *s = char_slot(p, op->key);
    int present = s->exists || s->dirty; /* on the server, or created earlier in this batch */
    if (present && s->user_id && s->user_id != p->user) {
        *res = rejected(op, "character '%s' belongs to another player", op->key);
        return MA_OK;
    }
    if (present && (s->user_id == 0) != (op->npc != 0)) {
        *res = rejected(op, "character '%s' is %s on the server", op->key,
                        s->user_id == 0 ? "a villager (npc: true)" : "a player's character (npc: false)");
        return MA_OK;
    }
    if (op->deleted) {
        if (!present || s->deleted) {
            *res = result_new(op, "applied");
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
    *res = result_new(op, "applied");
    cJSON_AddNumberToObject(*res, "version", (double)s->version);
    return MA_OK;
}

/* A character that relationships, quests and choices may refer to: present and not deleted. */
static CharSlot *live_char(Push *p, const char *key)
{
    CharSlot *s = char_slot(p, key);
    return s && (s->exists || s->dirty) && !s->deleted ? s : NULL;
}

/* ------------------------------------------------------------ relationships, quests, logs */

static int apply_relationship(Push *p, const SyncOp *op, cJSON **res)
{
    CharSlot *f = live_char(p, op->key), *t = live_char(p, op->key2);
    if (!f || !t) {
        *res = rejected(op, "unknown character '%s' in this world: push the character first", !f ? op->key : op->key2);
        return MA_OK;
    }
    if ((f->user_id && f->user_id != p->user) || (t->user_id && t->user_id != p->user)) {
        *res = rejected(op, "a relationship of another player's character: only they push it");
        return MA_OK;
    }
    RelSlot *s = rel_slot(p, op->key, op->key2);
    if (!s->hist && !(s->hist = cJSON_CreateArray()))
        return err_set(p->err, MA_ERR_NOMEM, "out of memory");
    int added = op->entries ? sync_merge_history(s->hist, op->entries) : 0;
    if (added < 0)
        return err_set(p->err, MA_ERR_NOMEM, "out of memory");
    const char *type = str(op->json, "relationship_type");
    if (type)
        snprintf(s->type, sizeof s->type, "%s", type);
    s->value = sync_relationship_value(s->hist);
    s->version = s->exists || s->dirty ? s->version + 1 : 1;
    s->dirty = 1;
    *res = result_new(op, "applied");
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

static int apply_quest(Push *p, const SyncOp *op, cJSON **res)
{
    CharSlot *c = live_char(p, op->key);
    if (!c) {
        *res = rejected(op, "unknown character '%s' in this world: push the character first", op->key);
        return MA_OK;
    }
    if (c->user_id != p->user) {
        *res = rejected(op, "quest progress belongs to its player's own character; '%s' is not yours", op->key);
        return MA_OK;
    }
    QuestSlot *s = quest_slot(p, op->key, op->key2);
    cJSON *conflicts = cJSON_CreateArray();
    if (sync_merge_quest(&s->st, op, conflicts) != MA_OK) {
        cJSON_Delete(conflicts);
        return err_set(p->err, MA_ERR_NOMEM, "out of memory merging quest progress");
    }
    s->def = cJSON_GetObjectItemCaseSensitive(op->json, "quest");
    s->version = s->exists || s->dirty ? s->version + 1 : 1;
    s->dirty = 1;
    int n_conf = cJSON_GetArraySize(conflicts);
    *res = result_new(op, n_conf ? "conflict" : "applied");
    cJSON_AddNumberToObject(*res, "version", (double)s->version);
    if (n_conf) {
        cJSON_AddItemToObject(*res, "conflicts", conflicts);
        cJSON_AddItemToObject(*res, "server", quest_row(s));
    } else {
        cJSON_Delete(conflicts);
    }
    return MA_OK;
}

static int apply_entry(Push *p, const SyncOp *op, int choice, cJSON **res)
{
    if (choice) {
        CharSlot *c = live_char(p, op->key2);
        if (!c) {
            *res = rejected(op, "unknown character '%s' in this world: push the character first", op->key2);
            return MA_OK;
        }
        if (c->user_id != p->user) {
            *res = rejected(op, "a story choice belongs to its player's own character; '%s' is not yours", op->key2);
            return MA_OK;
        }
    }
    EntrySlot *s = entry_slot(choice ? p->choices : p->evo, choice ? p->n_choices : p->n_evo, op->key);
    *res = result_new(op, "applied");
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

static cJSON *apply_world(Push *p, const SyncOp *op, int64_t *version, const char *row, cJSON *fields, int *changed)
{
    if (!p->wa->owner)
        return rejected(op, "only the owner changes the world's own row");
    if (op->base_version != *version) {
        cJSON *r = result_new(op, "conflict");
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
        return rejected(op, "%s", e2.msg);
    cJSON *r = NULL;
    if ((f.has_seed && f.seed != p->wa->seed) || (f.has_type && strcmp(f.world_type, p->wa->world_type) != 0)) {
        r = rejected(op, "a world's seed and type never change (they make its terrain)");
    } else {
        int taken = 0;
        if (f.has_name && strcmp(f.name, p->wa->name) != 0 &&
            db_sync_world_name_taken(p->db, p->world, f.name, &taken, &e2) != MA_OK)
            taken = -1;
        if (taken == -1) {
            r = NULL;
            *p->err = e2;
        } else if (taken) {
            r = rejected(op, "another world is named '%s' on the server", f.name);
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
            r = result_new(op, "applied");
            cJSON_AddNumberToObject(r, "version", (double)*version);
        }
    }
    sync_world_fields_clear(&f);
    return r;
}

/* ------------------------------------------------------------ writing
 *
 * Rows are sent to db_sync_write_all as JSON lists, each row with its "ord": its change
 * number is the batch's first + ord, fixed inside the one statement that locks the world's row. */

static void add_copy(cJSON *to, const cJSON *from, const char *name, const char *as)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, name);
    if (v && !cJSON_IsNull(v))
        cJSON_AddItemToObject(to, as ? as : name, cJSON_Duplicate(v, 1));
}

static int chunk_rows(Push *p, cJSON *rows, int *n)
{
    for (int i = 0; i < p->n_chunks; i++) {
        ChunkSlot *s = &p->chunks[i];
        if (!s->dirty)
            continue;
        size_t len = 0;
        char *bd = chunk_encode(s->c, p->srv->blocks, &len, p->err);
        if (!bd)
            return p->err->code ? p->err->code : MA_ERR_NOMEM;
        cJSON *o = cJSON_CreateObject();
        if (s->exists)
            cJSON_AddNumberToObject(o, "id", (double)s->id);
        cJSON_AddNumberToObject(o, "x", s->cx);
        cJSON_AddNumberToObject(o, "y", s->cy);
        cJSON_AddNumberToObject(o, "z", s->cz);
        cJSON_AddRawToObject(o, "block_data", bd);
        free(bd);
        if (s->exists)
            cJSON_AddRawToObject(o, "structures", s->structures);
        else
            cJSON_AddItemToObject(o, "structures", cJSON_Duplicate(s->c->structures, 1));
        cJSON_AddNumberToObject(o, "version", s->version);
        cJSON_AddNumberToObject(o, "ord", s->ord);
        cJSON_AddNumberToObject(o, "expect", s->exists ? s->orig_version : 0);
        cJSON_AddItemToArray(rows, o);
        (*n)++;
    }
    return MA_OK;
}

static void character_rows(Push *p, cJSON *rows, int *n)
{
    for (int i = 0; i < p->n_chars; i++) {
        CharSlot *s = &p->chars[i];
        if (!s->dirty)
            continue;
        cJSON *o = cJSON_CreateObject();
        if (s->exists)
            cJSON_AddNumberToObject(o, "id", (double)s->id);
        cJSON_AddStringToObject(o, "key", s->key);
        if (s->user_id)
            cJSON_AddNumberToObject(o, "user_id", (double)s->user_id);
        if (s->snapshot) {
            const cJSON *ch = cJSON_GetObjectItemCaseSensitive(s->snapshot->json, "character");
            static const char *const f[] = {"name", "character_class", "level", "experience", "stats", "appearance"};
            for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
                add_copy(o, ch, f[k], NULL);
            const cJSON *pos = cJSON_GetObjectItemCaseSensitive(ch, "position");
            if (cJSON_IsArray(pos)) {
                cJSON_AddNumberToObject(o, "px", cJSON_GetArrayItem(pos, 0)->valuedouble);
                cJSON_AddNumberToObject(o, "py", cJSON_GetArrayItem(pos, 1)->valuedouble);
                cJSON_AddNumberToObject(o, "pz", cJSON_GetArrayItem(pos, 2)->valuedouble);
            }
        }
        cJSON_AddBoolToObject(o, "deleted", s->deleted);
        cJSON_AddNumberToObject(o, "version", (double)s->version);
        cJSON_AddNumberToObject(o, "ord", s->ord);
        cJSON_AddNumberToObject(o, "expect", s->exists ? (double)s->orig_version : 0);
        cJSON_AddItemToArray(rows, o);
        (*n)++;
    }
}

/* Replaces the inventory, skills and state of the characters written with contents: those
 * already on the server (fresh 0, before the world's row is locked: these rows carry no change
 * number), or those just created (fresh 1, once they have ids). */
static int write_character_rows(Push *p, int fresh)
{
    int rc = MA_OK;
    cJSON *idlist = cJSON_CreateArray(), *inv = cJSON_CreateArray(), *skills = cJSON_CreateArray();
    cJSON *state = cJSON_CreateArray();
    for (int i = 0; i < p->n_chars; i++) {
        CharSlot *s = &p->chars[i];
        if (!s->dirty || !s->snapshot || s->exists == fresh)
            continue;
        cJSON_AddItemToArray(idlist, cJSON_CreateNumber((double)s->id));
        const cJSON *j = s->snapshot->json, *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "inventory")) {
            cJSON *o = cJSON_Duplicate(e, 1);
            cJSON_AddNumberToObject(o, "cid", (double)s->id);
            cJSON_AddItemToArray(inv, o);
        }
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "skills")) {
            cJSON *o = cJSON_Duplicate(e, 1);
            cJSON_AddNumberToObject(o, "cid", (double)s->id);
            cJSON_AddItemToArray(skills, o);
        }
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "state");
        cJSON_ArrayForEach(e, st) {
            /* the same (kind, key) twice: the last one counts */
            int later = 0;
            for (const cJSON *f = e->next; f && !later; f = f->next)
                later = strcmp(str(f, "kind"), str(e, "kind")) == 0 && strcmp(str(f, "key"), str(e, "key")) == 0;
            if (later)
                continue;
            cJSON *o = cJSON_Duplicate(e, 1);
            cJSON_AddNumberToObject(o, "cid", (double)s->id);
            cJSON_AddItemToArray(state, o);
        }
    }
    if (cJSON_GetArraySize(idlist)) {
        char *a = print(idlist, p->err), *b = print(inv, p->err), *c = print(skills, p->err), *d = print(state, p->err);
        rc = a && b && c && d ? db_sync_replace_character_rows(p->db, a, b, c, d, p->err) : MA_ERR_NOMEM;
        free(a);
        free(b);
        free(c);
        free(d);
    }
    cJSON_Delete(idlist);
    cJSON_Delete(inv);
    cJSON_Delete(skills);
    cJSON_Delete(state);
    return rc;
}

/* A character's id when it is on the server already, else its key (created in this batch:
 * the statement that creates it gives its id). */
static void add_character_ref(cJSON *o, Push *p, const char *key, const char *id_name, const char *key_name)
{
    CharSlot *c = char_slot(p, key);
    if (c->exists)
        cJSON_AddNumberToObject(o, id_name, (double)c->id);
    cJSON_AddStringToObject(o, key_name, key);
}

static void relationship_rows(Push *p, cJSON *rows, int *n)
{
    for (int i = 0; i < p->n_rels; i++) {
        RelSlot *s = &p->rels[i];
        if (!s->dirty)
            continue;
        cJSON *o = cJSON_CreateObject();
        if (s->exists)
            cJSON_AddNumberToObject(o, "id", (double)s->id);
        add_character_ref(o, p, s->from, "f", "fkey");
        add_character_ref(o, p, s->to, "t", "tkey");
        if (s->type[0])
            cJSON_AddStringToObject(o, "type", s->type);
        cJSON_AddNumberToObject(o, "value", s->value);
        cJSON_AddItemToObject(o, "hist", cJSON_Duplicate(s->hist, 1));
        cJSON_AddNumberToObject(o, "version", (double)s->version);
        cJSON_AddNumberToObject(o, "ord", s->ord);
        cJSON_AddNumberToObject(o, "expect", s->exists ? (double)s->orig_version : 0);
        cJSON_AddItemToArray(rows, o);
        (*n)++;
    }
}

/* Makes sure the quests the batch's progress refers to exist; *ids receives title -> id. */
static int ensure_quests(Push *p, cJSON **ids)
{
    cJSON *defs = cJSON_CreateArray();
    *ids = NULL;
    int n = 0;
    for (int i = 0; i < p->n_quests; i++) {
        QuestSlot *s = &p->quests[i];
        if (!s->dirty)
            continue;
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = p->quests[j].dirty && strcmp(p->quests[j].title, s->title) == 0;
        if (!seen)
            cJSON_AddItemToArray(defs, cJSON_Duplicate(s->def, 1));
        n++;
    }
    int rc = MA_OK;
    if (n) {
        char *json = print(defs, p->err);
        rc = json ? db_sync_ensure_quests(p->db, p->world, json, ids, p->err) : MA_ERR_NOMEM;
        free(json);
    }
    cJSON_Delete(defs);
    return rc;
}

static int quest_rows(Push *p, const cJSON *quest_ids, cJSON *rows, int *n)
{
    for (int i = 0; i < p->n_quests; i++) {
        QuestSlot *s = &p->quests[i];
        if (!s->dirty)
            continue;
        const cJSON *qid = cJSON_GetObjectItemCaseSensitive(quest_ids, s->title);
        if (!cJSON_IsNumber(qid))
            return err_set(p->err, DB_RETRY, "quest '%s' was being created by another push", s->title);
        char started[TIME_ISO_LEN], completed[TIME_ISO_LEN];
        canon_time(s->st.started_at, started);
        canon_time(s->st.completed_at, completed);
        cJSON *o = cJSON_CreateObject();
        if (s->exists)
            cJSON_AddNumberToObject(o, "id", (double)s->id);
        add_character_ref(o, p, s->character, "cid", "ckey");
        cJSON_AddNumberToObject(o, "qid", qid->valuedouble);
        cJSON_AddStringToObject(o, "status", s->st.status);
        cJSON_AddItemToObject(o, "pd", cJSON_Duplicate(s->st.progress_data, 1));
        cJSON_AddItemToObject(o, "rewards", cJSON_Duplicate(s->st.rewards_earned, 1));
        cJSON_AddStringToObject(o, "started", started);
        cJSON_AddStringToObject(o, "completed", completed);
        cJSON_AddNumberToObject(o, "version", (double)s->version);
        cJSON_AddNumberToObject(o, "ord", s->ord);
        cJSON_AddNumberToObject(o, "expect", s->exists ? (double)s->orig_version : 0);
        cJSON_AddItemToArray(rows, o);
        (*n)++;
    }
    return MA_OK;
}

/* The agents of new evolution entries and the stories and branches of new choices exist
 * before the world's row is locked (they carry no change number); *agents receives
 * name -> id, *branches "title\nbranch" -> id. */
static int ensure_log_owners(Push *p, cJSON **agents, cJSON **branches)
{
    cJSON *a = cJSON_CreateArray(), *b = cJSON_CreateArray();
    *agents = *branches = NULL;
    for (int i = 0; i < p->n_evo; i++) {
        if (!p->evo[i].fresh)
            continue;
        const cJSON *agent = cJSON_GetObjectItemCaseSensitive(p->evo[i].op->json, "agent");
        cJSON *o = cJSON_CreateObject();
        add_copy(o, agent, "name", NULL);
        add_copy(o, agent, "type", NULL);
        cJSON_AddItemToArray(a, o);
    }
    for (int i = 0; i < p->n_choices; i++) {
        if (!p->choices[i].fresh)
            continue;
        const cJSON *j = p->choices[i].op->json;
        const cJSON *story = cJSON_GetObjectItemCaseSensitive(j, "story");
        const cJSON *branch = cJSON_GetObjectItemCaseSensitive(j, "branch");
        cJSON *o = cJSON_CreateObject();
        add_copy(o, story, "title", NULL);
        add_copy(o, story, "description", NULL);
        add_copy(o, story, "story_type", NULL);
        add_copy(o, branch, "name", "branch");
        add_copy(o, branch, "content", NULL);
        add_copy(o, branch, "parent", NULL);
        cJSON_AddItemToArray(b, o);
    }
    int rc = MA_OK;
    if (cJSON_GetArraySize(a)) {
        char *json = print(a, p->err);
        rc = json ? db_sync_ensure_agents(p->db, json, agents, p->err) : MA_ERR_NOMEM;
        free(json);
    }
    if (rc == MA_OK && cJSON_GetArraySize(b)) {
        char *json = print(b, p->err);
        rc = json ? db_sync_ensure_branches(p->db, p->world, json, branches, p->err) : MA_ERR_NOMEM;
        free(json);
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
    return rc;
}

static int entry_rows(Push *p, int choice, const cJSON *owners, cJSON *rows, int *n)
{
    EntrySlot *list = choice ? p->choices : p->evo;
    int count = choice ? p->n_choices : p->n_evo;
    for (int i = 0; i < count; i++) {
        EntrySlot *s = &list[i];
        if (!s->fresh)
            continue;
        const cJSON *j = s->op->json, *owner;
        cJSON *o = cJSON_CreateObject();
        char t[TIME_ISO_LEN];
        cJSON_AddStringToObject(o, "entry", s->entry);
        if (!choice) {
            owner = cJSON_GetObjectItemCaseSensitive(owners, str(cJSON_GetObjectItemCaseSensitive(j, "agent"), "name"));
            add_copy(o, j, "evolution_type", NULL);
            add_copy(o, j, "changes_made", NULL);
            add_copy(o, j, "reasoning", NULL);
            add_copy(o, j, "is_active", NULL);
            canon_time(str(j, "applied_at"), t);
            cJSON_AddStringToObject(o, "applied_at", t);
            if (cJSON_IsNumber(owner))
                cJSON_AddNumberToObject(o, "agent_id", owner->valuedouble);
        } else {
            char key[300];
            snprintf(key, sizeof key, "%s\n%s", str(cJSON_GetObjectItemCaseSensitive(j, "story"), "title"),
                     str(cJSON_GetObjectItemCaseSensitive(j, "branch"), "name"));
            owner = cJSON_GetObjectItemCaseSensitive(owners, key);
            add_character_ref(o, p, s->op->key2, "cid", "ckey");
            add_copy(o, j, "choice_text", NULL);
            add_copy(o, j, "choice_data", NULL);
            add_copy(o, j, "consequences", NULL);
            canon_time(str(j, "made_at"), t);
            cJSON_AddStringToObject(o, "made_at", t);
            if (cJSON_IsNumber(owner))
                cJSON_AddNumberToObject(o, "branch_id", owner->valuedouble);
        }
        if (!cJSON_IsNumber(owner)) {
            /* its agent or branch was being created by another push: not visible yet */
            cJSON_Delete(o);
            return err_set(p->err, DB_RETRY, "a log entry's agent or story was being created by another push");
        }
        cJSON_AddNumberToObject(o, "ord", s->ord);
        cJSON_AddItemToArray(rows, o);
        (*n)++;
    }
    return MA_OK;
}

/* ------------------------------------------------------------ the batch */

static void push_free(Push *p)
{
    for (int i = 0; i < p->n_chunks; i++) {
        free(p->chunks[i].block_data);
        free(p->chunks[i].structures);
        chunk_free(p->chunks[i].c);
    }
    for (int i = 0; i < p->n_rels; i++)
        cJSON_Delete(p->rels[i].hist);
    for (int i = 0; i < p->n_quests; i++)
        sync_quest_state_clear(&p->quests[i].st);
    /* CharSlot.row points into loaded_chars */
    db_sync_characters_free(p->loaded_chars, p->n_loaded_chars);
    for (int i = 0; p->results && i < p->b->n; i++)
        cJSON_Delete(p->results[i]);
    free(p->results);
    free(p->dup);
    free(p->chunks);
    free(p->chars);
    free(p->rels);
    free(p->quests);
    free(p->evo);
    free(p->choices);
    generator_free(p->gen);
}

/* Stores the answers of the new ops of the batch that are world ops (world_ops 1) or not (0),
 * with their op ids. A short count means a concurrent request applied the same ops first. */
static int store_answers(Push *p, int world_ops)
{
    const SyncBatch *b = p->b;
    cJSON *store = cJSON_CreateArray();
    int want = 0;
    for (int i = 0; i < b->n; i++) {
        if (p->dup[i] || (b->ops[i].kind == SYNC_WORLD) != (world_ops != 0))
            continue;
        /* The row holds the op id and kind; the answer is stored without them. */
        cJSON *o = cJSON_CreateObject(), *r = cJSON_Duplicate(p->results[i], 1);
        cJSON_DeleteItemFromObjectCaseSensitive(r, "op");
        cJSON_DeleteItemFromObjectCaseSensitive(r, "kind");
        cJSON_AddStringToObject(o, "op", b->ops[i].id);
        cJSON_AddStringToObject(o, "kind", sync_kind_names[b->ops[i].kind]);
        cJSON_AddItemToObject(o, "response", r);
        cJSON_AddItemToArray(store, o);
        want++;
    }
    int rc = MA_OK;
    if (want) {
        char *json = print(store, p->err);
        int stored = 0;
        rc = json ? db_sync_store_ops(p->db, p->world, p->user, json, &stored, p->err) : MA_ERR_NOMEM;
        free(json);
        if (rc == MA_OK && stored != want)
            rc = err_set(p->err, DB_RETRY, "the same operations were being applied by another request");
    }
    cJSON_Delete(store);
    return rc;
}

int push_apply(Server *srv, Db *db, int64_t world, int64_t user, const WorldAccess *wa, const SyncBatch *b,
               cJSON **answer, Err *err)
{
    Push p;
    memset(&p, 0, sizeof p);
    p.srv = srv;
    p.db = db;
    p.world = world;
    p.user = user;
    p.wa = wa;
    p.b = b;
    p.err = err;
    *answer = NULL;
    int n = b->n, rc = MA_OK;
    p.results = calloc((size_t)n, sizeof *p.results);
    p.dup = calloc((size_t)n, 1);
    if (!p.results || !p.dup) {
        push_free(&p);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }

    /* 1. Ops applied before get their first answer back. */
    cJSON *ids = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(ids, cJSON_CreateString(b->ops[i].id));
    char *json = print(ids, err);
    cJSON_Delete(ids);
    cJSON *seen = NULL;
    rc = json ? db_sync_seen_ops(db, world, json, &seen, err) : MA_ERR_NOMEM;
    free(json);
    int fresh = 0;
    for (int i = 0; rc == MA_OK && i < n; i++) {
        const cJSON *first = cJSON_GetObjectItemCaseSensitive(seen, b->ops[i].id);
        if (first) {
            p.dup[i] = 1;
            p.results[i] = result_new(&b->ops[i], "duplicate");
            cJSON *f = cJSON_Duplicate(first, 1);
            cJSON_AddItemToObject(p.results[i], "first", f);
            if (f && !cJSON_GetObjectItemCaseSensitive(f, "op")) { /* stored without them */
                cJSON_AddItemToObjectCS(f, "op", cJSON_CreateString(b->ops[i].id));
                cJSON_AddItemToObjectCS(f, "kind", cJSON_CreateString(sync_kind_names[b->ops[i].kind]));
            }
        } else {
            fresh++;
        }
    }
    cJSON_Delete(seen);

    /* 2. Read and lock what the new ops touch; 3. merge in op order. */
    if (rc == MA_OK && fresh)
        rc = gather(&p);
    if (rc == MA_OK && fresh)
        rc = load(&p);
    int world_ops = 0;
    for (int i = 0; rc == MA_OK && i < n; i++) {
        const SyncOp *op = &b->ops[i];
        if (p.dup[i])
            continue;
        switch (op->kind) {
        case SYNC_CHUNK_EDIT: rc = apply_chunk(&p, op, &p.results[i]); break;
        case SYNC_CHARACTER: rc = apply_character(&p, op, &p.results[i]); break;
        case SYNC_RELATIONSHIP: rc = apply_relationship(&p, op, &p.results[i]); break;
        case SYNC_QUEST_PROGRESS: rc = apply_quest(&p, op, &p.results[i]); break;
        case SYNC_EVOLUTION: rc = apply_entry(&p, op, 0, &p.results[i]); break;
        case SYNC_STORY_CHOICE: rc = apply_entry(&p, op, 1, &p.results[i]); break;
        case SYNC_WORLD: world_ops++; break;
        default: break;
        }
    }

    /* 4. What carries no change number is written before the world's row is locked, which
     * keeps short the part of a push that other pushes of the same world wait for: the answers
     * (but a world op's, decided under the lock), the quests, agents, stories and branches
     * referred to, the pack, skills and state of characters already on the server. */
    if (rc == MA_OK && fresh)
        rc = store_answers(&p, 0);
    cJSON *quest_ids = NULL, *agent_ids = NULL, *branch_ids = NULL;
    if (rc == MA_OK)
        rc = ensure_quests(&p, &quest_ids);
    if (rc == MA_OK)
        rc = ensure_log_owners(&p, &agent_ids, &branch_ids);
    if (rc == MA_OK)
        rc = write_character_rows(&p, 0);

    /* 5. Every changed row gets the next change number of the world: the statement that
     * writes them takes the numbers on the world's row, whose lock is held to the commit, so
     * numbers become visible in the order they were given. One statement: nothing else waits
     * on the lock while this push talks to the database. */
    int ord = 0;
    for (int i = 0; i < p.n_chunks; i++)
        if (p.chunks[i].dirty)
            p.chunks[i].ord = ord++;
    for (int i = 0; i < p.n_chars; i++)
        if (p.chars[i].dirty)
            p.chars[i].ord = ord++;
    for (int i = 0; i < p.n_rels; i++)
        if (p.rels[i].dirty)
            p.rels[i].ord = ord++;
    for (int i = 0; i < p.n_quests; i++)
        if (p.quests[i].dirty)
            p.quests[i].ord = ord++;
    for (int i = 0; i < p.n_evo; i++)
        if (p.evo[i].fresh)
            p.evo[i].ord = ord++;
    for (int i = 0; i < p.n_choices; i++)
        if (p.choices[i].fresh)
            p.choices[i].ord = ord++;
    int changes = ord, take = changes + (world_ops ? 1 : 0);
    int64_t first = 0, head = -1;
    cJSON *lists[6] = {0};
    int want[6] = {0};
    if (rc == MA_OK && take) {
        for (int k = 0; k < 6; k++)
            lists[k] = cJSON_CreateArray();
        rc = chunk_rows(&p, lists[0], &want[0]);
        character_rows(&p, lists[1], &want[1]);
        relationship_rows(&p, lists[2], &want[2]);
        if (rc == MA_OK)
            rc = quest_rows(&p, quest_ids, lists[3], &want[3]);
        if (rc == MA_OK)
            rc = entry_rows(&p, 0, agent_ids, lists[4], &want[4]);
        if (rc == MA_OK)
            rc = entry_rows(&p, 1, branch_ids, lists[5], &want[5]);
    }
    cJSON *fields = NULL;
    int wchanged = 0;
    int64_t wversion = 0;
    if (rc == MA_OK && world_ops) {
        /* A world op is decided on the locked row, before the others are written. */
        char *wrow = NULL;
        rc = db_sync_take_seqs(db, world, take, &first, &wversion, &wrow, err);
        fields = cJSON_CreateObject();
        for (int i = 0; rc == MA_OK && i < n; i++) {
            if (p.dup[i] || b->ops[i].kind != SYNC_WORLD)
                continue;
            p.results[i] = apply_world(&p, &b->ops[i], &wversion, wrow, fields, &wchanged);
            if (!p.results[i])
                rc = err->code ? err->code : MA_ERR_DB;
        }
        free(wrow);
    }
    if (rc == MA_OK && changes) {
        char *text[6] = {0};
        for (int k = 0; k < 6; k++)
            text[k] = print(lists[k], err);
        int got[6] = {0};
        cJSON *char_ids = NULL;
        if (!text[0] || !text[1] || !text[2] || !text[3] || !text[4] || !text[5])
            rc = MA_ERR_NOMEM;
        else
            rc = db_sync_write_all(db, world, world_ops ? 0 : take, first, (const char *const *)text, &first, got,
                                   &char_ids, err);
        for (int k = 0; k < 6; k++)
            free(text[k]);
        /* A short count: a row changed (or was created) under this push since it was read. */
        for (int k = 0; rc == MA_OK && k < 4; k++)
            if (got[k] != want[k])
                rc = err_set(err, DB_RETRY, "a row changed under this push");
        for (int i = 0; rc == MA_OK && i < p.n_chars; i++) {
            CharSlot *s = &p.chars[i];
            const cJSON *id = s->dirty ? cJSON_GetObjectItemCaseSensitive(char_ids, s->key) : NULL;
            if (cJSON_IsNumber(id))
                s->id = (int64_t)id->valuedouble;
        }
        cJSON_Delete(char_ids);
        /* The pack, skills and state of characters created just now (rare: a first push). */
        if (rc == MA_OK)
            rc = write_character_rows(&p, 1);
    }
    if (rc == MA_OK && take)
        head = first + take - 1;
    if (rc == MA_OK && wchanged) {
        cJSON_AddNumberToObject(fields, "version", (double)wversion);
        cJSON_AddNumberToObject(fields, "seq", (double)(first + changes));
        char *fj = print(fields, err);
        rc = fj ? db_sync_write_world(db, world, fj, err) : MA_ERR_NOMEM;
        free(fj);
    }
    cJSON_Delete(fields);
    for (int k = 0; k < 6; k++)
        cJSON_Delete(lists[k]);
    cJSON_Delete(quest_ids);
    cJSON_Delete(agent_ids);
    cJSON_Delete(branch_ids);
    if (rc == MA_OK && world_ops)
        rc = store_answers(&p, 1);
    if (rc == MA_OK) {
        cJSON *a = cJSON_CreateObject();
        cJSON *list = cJSON_AddArrayToObject(a, "results");
        for (int i = 0; i < n; i++) {
            cJSON_AddItemToArray(list, p.results[i]);
            p.results[i] = NULL;
        }
        if (head >= 0)
            cJSON_AddNumberToObject(a, "seq_head", (double)head);
        *answer = a;
    }
    push_free(&p);
    return rc;
}
