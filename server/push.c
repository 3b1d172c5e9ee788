/* push.c — see push.h. Reads every row the batch touches (locked, in a fixed order), decides
 * each op in memory in op order (push_merge.c), writes what needs no change number, then every
 * changed row in one statement that takes the change numbers (push_rows.c builds the rows),
 * and stores the answers. About a dozen statements whatever the batch's size. */
#include "push.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_sync.h"
#include "push_internal.h"
#include "world/chunk_codec.h"

/* ------------------------------------------------------------ small helpers */

const char *push_str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

cJSON *push_result_new(const SyncOp *op, const char *status)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "op", op->id);
    cJSON_AddStringToObject(r, "kind", sync_kind_names[op->kind]);
    cJSON_AddStringToObject(r, "status", status);
    return r;
}

cJSON *push_rejected(const SyncOp *op, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *r = push_result_new(op, "rejected");
    cJSON_AddStringToObject(r, "reason", msg);
    return r;
}

/* A canonical ISO time for PostgreSQL, or "" when absent. */
void push_canon_time(const char *s, char out[TIME_ISO_LEN])
{
    out[0] = '\0';
    if (s && *s) {
        int64_t t = time_parse_iso(s);
        if (t >= 0)
            time_iso(t, out);
    }
}

char *push_print(const cJSON *j, Err *err)
{
    char *s = cJSON_PrintUnformatted(j);
    if (!s)
        err_set(err, MA_ERR_NOMEM, "out of memory");
    return s;
}

/* ------------------------------------------------------------ slots */

ChunkSlot *push_chunk_slot(Push *p, int32_t cx, int32_t cy, int32_t cz)
{
    for (int i = 0; i < p->n_chunks; i++)
        if (p->chunks[i].cx == cx && p->chunks[i].cy == cy && p->chunks[i].cz == cz)
            return &p->chunks[i];
    return NULL;
}

CharSlot *push_char_slot(Push *p, const char *key)
{
    for (int i = 0; i < p->n_chars; i++)
        if (strcmp(p->chars[i].key, key) == 0)
            return &p->chars[i];
    return NULL;
}

RelSlot *push_rel_slot(Push *p, const char *from, const char *to)
{
    for (int i = 0; i < p->n_rels; i++)
        if (strcmp(p->rels[i].from, from) == 0 && strcmp(p->rels[i].to, to) == 0)
            return &p->rels[i];
    return NULL;
}

QuestSlot *push_quest_slot(Push *p, const char *character, const char *title)
{
    for (int i = 0; i < p->n_quests; i++)
        if (strcmp(p->quests[i].character, character) == 0 && strcmp(p->quests[i].title, title) == 0)
            return &p->quests[i];
    return NULL;
}

EntrySlot *push_entry_slot(EntrySlot *list, int n, const char *entry)
{
    for (int i = 0; i < n; i++)
        if (strcmp(list[i].entry, entry) == 0)
            return &list[i];
    return NULL;
}

static void add_char_key(Push *p, const char *key)
{
    if (!push_char_slot(p, key))
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
            if (!push_chunk_slot(p, op->cx, op->cy, op->cz)) {
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
            if (!push_rel_slot(p, op->key, op->key2)) {
                RelSlot *s = &p->rels[p->n_rels++];
                s->from = op->key;
                s->to = op->key2;
            }
            break;
        case SYNC_QUEST_PROGRESS:
            add_char_key(p, op->key);
            if (!push_quest_slot(p, op->key, op->key2)) {
                QuestSlot *s = &p->quests[p->n_quests++];
                s->character = op->key;
                s->title = op->key2;
            }
            break;
        case SYNC_EVOLUTION:
            if (!push_entry_slot(p->evo, p->n_evo, op->key))
                p->evo[p->n_evo++].entry = op->key;
            break;
        case SYNC_STORY_CHOICE:
            add_char_key(p, op->key2);
            if (!push_entry_slot(p->choices, p->n_choices, op->key))
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
        json = push_print(list, p->err);
        cJSON_Delete(list);
        DbChunk *rows = NULL;
        int n = 0;
        rc = json ? db_sync_load_chunks(p->db, p->world, json, &rows, &n, p->err) : MA_ERR_NOMEM;
        free(json);
        for (int i = 0; rc == MA_OK && i < n; i++) {
            ChunkSlot *s = push_chunk_slot(p, rows[i].cx, rows[i].cy, rows[i].cz);
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
        json = push_print(list, p->err);
        cJSON_Delete(list);
        rc = json ? db_sync_load_characters(p->db, p->world, json, &p->loaded_chars, &p->n_loaded_chars, p->err)
                  : MA_ERR_NOMEM;
        free(json);
        if (rc != MA_OK)
            return rc;
        for (int i = 0; i < p->n_loaded_chars; i++) {
            DbCharacter *d = &p->loaded_chars[i];
            CharSlot *s = push_char_slot(p, d->key);
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
        json = push_print(list, p->err);
        cJSON_Delete(list);
        DbRelationship *rows = NULL;
        int n = 0;
        rc = json ? db_sync_load_relationships(p->db, p->world, json, &rows, &n, p->err) : MA_ERR_NOMEM;
        free(json);
        for (int i = 0; rc == MA_OK && i < n; i++) {
            RelSlot *s = push_rel_slot(p, rows[i].from, rows[i].to);
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
        json = push_print(list, p->err);
        cJSON_Delete(list);
        DbQuestProgress *rows = NULL;
        int n = 0;
        rc = json ? db_sync_load_quest_progress(p->db, p->world, json, &rows, &n, p->err) : MA_ERR_NOMEM;
        free(json);
        for (int i = 0; rc == MA_OK && i < n; i++) {
            QuestSlot *s = push_quest_slot(p, rows[i].character, rows[i].title);
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
        json = push_print(keys, p->err);
        cJSON_Delete(keys);
        cJSON *found = NULL;
        rc = json ? db_sync_existing_entries(p->db, p->world, k, json, &found, p->err) : MA_ERR_NOMEM;
        free(json);
        if (rc != MA_OK)
            return rc;
        const cJSON *e;
        cJSON_ArrayForEach(e, found) {
            EntrySlot *s = cJSON_IsString(e) ? push_entry_slot(list, n, e->valuestring) : NULL;
            if (s)
                s->exists = 1;
        }
        cJSON_Delete(found);
    }
    return MA_OK;
}

int push_chunk_ready(Push *p, ChunkSlot *s)
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
        char *json = push_print(store, p->err);
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
    char *json = push_print(ids, err);
    cJSON_Delete(ids);
    cJSON *seen = NULL;
    rc = json ? db_sync_seen_ops(db, world, json, &seen, err) : MA_ERR_NOMEM;
    free(json);
    int fresh = 0;
    for (int i = 0; rc == MA_OK && i < n; i++) {
        const cJSON *first = cJSON_GetObjectItemCaseSensitive(seen, b->ops[i].id);
        if (first) {
            p.dup[i] = 1;
            p.results[i] = push_result_new(&b->ops[i], "duplicate");
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
        case SYNC_CHUNK_EDIT: rc = push_apply_chunk(&p, op, &p.results[i]); break;
        case SYNC_CHARACTER: rc = push_apply_character(&p, op, &p.results[i]); break;
        case SYNC_RELATIONSHIP: rc = push_apply_relationship(&p, op, &p.results[i]); break;
        case SYNC_QUEST_PROGRESS: rc = push_apply_quest(&p, op, &p.results[i]); break;
        case SYNC_EVOLUTION: rc = push_apply_entry(&p, op, 0, &p.results[i]); break;
        case SYNC_STORY_CHOICE: rc = push_apply_entry(&p, op, 1, &p.results[i]); break;
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
        rc = push_ensure_quests(&p, &quest_ids);
    if (rc == MA_OK)
        rc = push_ensure_log_owners(&p, &agent_ids, &branch_ids);
    if (rc == MA_OK)
        rc = push_write_character_rows(&p, 0);

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
        rc = push_chunk_rows(&p, lists[0], &want[0]);
        push_character_rows(&p, lists[1], &want[1]);
        push_relationship_rows(&p, lists[2], &want[2]);
        if (rc == MA_OK)
            rc = push_quest_rows(&p, quest_ids, lists[3], &want[3]);
        if (rc == MA_OK)
            rc = push_entry_rows(&p, 0, agent_ids, lists[4], &want[4]);
        if (rc == MA_OK)
            rc = push_entry_rows(&p, 1, branch_ids, lists[5], &want[5]);
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
            p.results[i] = push_apply_world(&p, &b->ops[i], &wversion, wrow, fields, &wchanged);
            if (!p.results[i])
                rc = err->code ? err->code : MA_ERR_DB;
        }
        free(wrow);
    }
    if (rc == MA_OK && changes) {
        char *text[6] = {0};
        for (int k = 0; k < 6; k++)
            text[k] = push_print(lists[k], err);
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
            rc = push_write_character_rows(&p, 1);
    }
    if (rc == MA_OK && take)
        head = first + take - 1;
    if (rc == MA_OK && wchanged) {
        cJSON_AddNumberToObject(fields, "version", (double)wversion);
        cJSON_AddNumberToObject(fields, "seq", (double)(first + changes));
        char *fj = push_print(fields, err);
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
