/* evolution.c — recording, explaining and undoing changes to the world (see
 * evolution.h). */
#include "agents/evolution.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/calendar.h"
#include "save/agents.h"
#include "save/evolution.h"
#include "save/quests.h"
#include "util/json_field.h"
#include "util/text.h"

typedef struct Item {
    char kind;         /* 'b' block, 'e' entity, 'r' row */
    int32_t x, y, z;   /* the block, or the entity's chunk */
    char key[72];      /* the entity id, or the row's table */
    int64_t id;        /* the row id */
    char before_block[32];
    cJSON *before;     /* entity or row JSON; a block's metadata; NULL: none */
    int index;         /* an entity's place in its chunk's list before (-1: not there) */
} Item;

struct Evo {
    Save *s;
    World *w;
    int64_t world_id, turn;
    int n_guards;
    int32_t guards[16][2]; /* chunk columns no change may touch */
    Item *items;
    int n, cap;
    char summary[200];
};

/* ------------------------------------------------------------ helpers */

static void thing_of(char kind, int32_t x, int32_t y, int32_t z, const char *key, int64_t id, char *buf, size_t size)
{
    if (kind == 'b')
        snprintf(buf, size, "b:%d,%d,%d", x, y, z);
    else if (kind == 'e')
        snprintf(buf, size, "e:%s", key);
    else
        snprintf(buf, size, "r:%s:%lld", key, (long long)id);
}

static const char *block_name_at(World *w, int32_t x, int32_t y, int32_t z)
{
    return blocks_get(world_blocks(w), world_get_block(w, x, y, z))->name;
}

static cJSON *block_meta_at(World *w, int32_t x, int32_t y, int32_t z)
{
    if (y < 0 || y >= WORLD_HEIGHT)
        return NULL;
    Chunk *c = world_chunk(w, chunk_coord(x), y / CHUNK_SIZE, chunk_coord(z), NULL);
    if (!c || !c->n_meta)
        return NULL;
    const cJSON *m = chunk_meta_get(c, CHUNK_INDEX(chunk_local(x), y % CHUNK_SIZE, chunk_local(z)));
    return m ? cJSON_Duplicate(m, 1) : NULL;
}


/* Puts item at position at of array (or last). Written out because cJSON_InsertItemInArray of the
 * cJSON in Debian 12 (1.7.15) leaves the list's last-item link stale when inserting at 0, and the
 * next append then loses items. */
static void insert_at(cJSON *array, int at, cJSON *item)
{
    int n = cJSON_GetArraySize(array);
    if (at < 0 || at >= n) {
        cJSON_AddItemToArray(array, item);
        return;
    }
    cJSON *all[4096 + 1];
    int k = 0;
    while (array->child && k < 4096)
        all[k++] = cJSON_DetachItemFromArray(array, 0);
    for (int i = 0; i < k; i++) {
        if (i == at)
            cJSON_AddItemToArray(array, item);
        cJSON_AddItemToArray(array, all[i]);
    }
}

static int set_block_named(World *w, int32_t x, int32_t y, int32_t z, const char *name, const cJSON *meta, Err *err)
{
    int id = blocks_find(world_blocks(w), name);
    if (id < 0)
        return err_set(err, MA_ERR_INVALID, "there is no block named '%.40s'", name);
    int rc = world_set_block(w, x, y, z, (BlockId)id, err);
    if (rc == MA_OK && meta)
        rc = world_set_block_meta(w, x, y, z, cJSON_Duplicate(meta, 1), err);
    return rc;
}

/* ------------------------------------------------------------ recording */

Evo *evo_new(Save *s, World *w, int64_t world_id, int64_t turn)
{
    Evo *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->s = s;
    e->w = w;
    e->world_id = world_id;
    e->turn = turn;
    return e;
}

void evo_free(Evo *e)
{
    if (!e)
        return;
    for (int i = 0; i < e->n; i++)
        cJSON_Delete(e->items[i].before);
    free(e->items);
    free(e);
}

void evo_guard_column(Evo *e, int32_t cx, int32_t cz)
{
    if (e->n_guards < 16) {
        e->guards[e->n_guards][0] = cx;
        e->guards[e->n_guards][1] = cz;
        e->n_guards++;
    }
}

int evo_guarded(const Evo *e, int32_t x, int32_t z)
{
    for (int i = 0; i < e->n_guards; i++)
        if (chunk_coord(x) == e->guards[i][0] && chunk_coord(z) == e->guards[i][1])
            return 1;
    return 0;
}

int evo_size(const Evo *e) { return e->n; }

void evo_summary(Evo *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->summary, sizeof e->summary, fmt, ap);
    va_end(ap);
}

static Item *find_item(Evo *e, char kind, int32_t x, int32_t y, int32_t z, const char *key, int64_t id)
{
    for (int i = 0; i < e->n; i++) {
        Item *it = &e->items[i];
        if (it->kind != kind)
            continue;
        if (kind == 'b' && it->x == x && it->y == y && it->z == z)
            return it;
        if (kind == 'e' && it->x == x && it->y == y && it->z == z && strcmp(it->key, key) == 0)
            return it;
        if (kind == 'r' && it->id == id && strcmp(it->key, key) == 0)
            return it;
    }
    return NULL;
}

static Item *add_item(Evo *e, Err *err)
{
    if (e->n == e->cap) {
        int cap = e->cap ? e->cap * 2 : 16;
        Item *grown = realloc(e->items, (size_t)cap * sizeof *grown);
        if (!grown) {
            err_set(err, MA_ERR_NOMEM, "out of memory recording a change");
            return NULL;
        }
        e->items = grown;
        e->cap = cap;
    }
    Item *it = &e->items[e->n++];
    memset(it, 0, sizeof *it);
    return it;
}

int evo_set_block(Evo *e, int32_t x, int32_t y, int32_t z, const char *block, Err *err)
{
    if (evo_guarded(e, x, z))
        return err_set(err, MA_ERR_INVALID, "(%d, %d, %d) is in the chunk the player stands in", x, y, z);
    if (y < 0 || y >= WORLD_HEIGHT)
        return err_set(err, MA_ERR_INVALID, "y %d is outside the world", y);
    if (blocks_find(world_blocks(e->w), block) < 0)
        return err_set(err, MA_ERR_INVALID, "there is no block named '%.40s'", block);
    if (!find_item(e, 'b', x, y, z, NULL, 0)) {
        Item *it = add_item(e, err);
        if (!it)
            return err->code;
        it->kind = 'b';
        it->x = x, it->y = y, it->z = z;
        snprintf(it->before_block, sizeof it->before_block, "%s", block_name_at(e->w, x, y, z));
        it->before = block_meta_at(e->w, x, y, z);
        int rc = world_take_error(e->w, err);
        if (rc != MA_OK) {
            e->n--;
            cJSON_Delete(it->before);
            return rc;
        }
    }
    return set_block_named(e->w, x, y, z, block, NULL, err);
}

int evo_touch_entity(Evo *e, int32_t cx, int32_t cy, int32_t cz, const char *entity_id, Err *err)
{
    if (find_item(e, 'e', cx, cy, cz, entity_id, 0))
        return MA_OK;
    Chunk *c = world_chunk(e->w, cx, cy, cz, err);
    if (!c)
        return err->code;
    Item *it = add_item(e, err);
    if (!it)
        return err->code;
    it->kind = 'e';
    it->x = cx, it->y = cy, it->z = cz;
    snprintf(it->key, sizeof it->key, "%s", entity_id);
    cJSON *now = chunk_entity_find(c, entity_id, &it->index);
    it->before = now ? cJSON_Duplicate(now, 1) : NULL;
    return MA_OK;
}

int evo_touch_row(Evo *e, const char *table, int64_t id, Err *err)
{
    if (find_item(e, 'r', 0, 0, 0, table, id))
        return MA_OK;
    cJSON *before = NULL;
    int rc = save_row_get(e->s, table, id, &before, err);
    if (rc != MA_OK)
        return rc;
    Item *it = add_item(e, err);
    if (!it) {
        cJSON_Delete(before);
        return err->code;
    }
    it->kind = 'r';
    snprintf(it->key, sizeof it->key, "%s", table);
    it->id = id;
    it->before = before;
    return MA_OK;
}

int evo_new_row(Evo *e, const char *table, int64_t id, Err *err)
{
    if (find_item(e, 'r', 0, 0, 0, table, id))
        return MA_OK;
    Item *it = add_item(e, err);
    if (!it)
        return err->code;
    it->kind = 'r';
    snprintf(it->key, sizeof it->key, "%s", table);
    it->id = id;
    it->before = NULL;
    return MA_OK;
}

static cJSON *json_or_null(const cJSON *j) { return j ? cJSON_Duplicate(j, 1) : cJSON_CreateNull(); }

int evo_commit(Evo *e, int64_t agent_id, const char *type, cJSON *reasoning, int64_t *entry_id, Err *err)
{
    *entry_id = 0;
    int rc = world_flush(e->w, err);
    if (rc != MA_OK) {
        cJSON_Delete(reasoning);
        return rc;
    }
    cJSON *changes = cJSON_CreateObject();
    cJSON_AddStringToObject(changes, "summary", e->summary);
    cJSON *blocks = cJSON_AddArrayToObject(changes, "blocks");
    cJSON *ents = cJSON_AddArrayToObject(changes, "entities");
    cJSON *rows = cJSON_AddArrayToObject(changes, "rows");
    int kept = 0;
    for (int i = 0; i < e->n && rc == MA_OK; i++) {
        Item *it = &e->items[i];
        cJSON *o = cJSON_CreateObject();
        int changed = 0;
        if (it->kind == 'b') {
            const char *after = block_name_at(e->w, it->x, it->y, it->z);
            cJSON *after_meta = block_meta_at(e->w, it->x, it->y, it->z);
            changed = strcmp(after, it->before_block) != 0 || !cJSON_Compare(after_meta, it->before, 1);
            cJSON_AddNumberToObject(o, "x", it->x);
            cJSON_AddNumberToObject(o, "y", it->y);
            cJSON_AddNumberToObject(o, "z", it->z);
            cJSON_AddStringToObject(o, "before", it->before_block);
            cJSON_AddStringToObject(o, "after", after);
            if (it->before)
                cJSON_AddItemToObject(o, "before_meta", cJSON_Duplicate(it->before, 1));
            if (after_meta)
                cJSON_AddItemToObject(o, "after_meta", after_meta);
            if (changed)
                cJSON_AddItemToArray(blocks, o);
        } else if (it->kind == 'e') {
            Chunk *c = world_chunk(e->w, it->x, it->y, it->z, err);
            if (!c) {
                rc = err->code;
                cJSON_Delete(o);
                break;
            }
            const cJSON *after = chunk_entity_find(c, it->key, NULL);
            changed = !((after == NULL && it->before == NULL) || (after && it->before && cJSON_Compare(after, it->before, 1)));
            cJSON *chunk = cJSON_AddArrayToObject(o, "chunk");
            cJSON_AddItemToArray(chunk, cJSON_CreateNumber(it->x));
            cJSON_AddItemToArray(chunk, cJSON_CreateNumber(it->y));
            cJSON_AddItemToArray(chunk, cJSON_CreateNumber(it->z));
            cJSON_AddStringToObject(o, "id", it->key);
            cJSON_AddItemToObject(o, "before", json_or_null(it->before));
            cJSON_AddItemToObject(o, "after", json_or_null(after));
            /* Where in the chunk's list, so that undoing puts it back in its place. */
            int after_index = -1;
            chunk_entity_find(c, it->key, &after_index);
            cJSON_AddNumberToObject(o, "before_index", it->index);
            cJSON_AddNumberToObject(o, "after_index", after_index);
            if (changed)
                cJSON_AddItemToArray(ents, o);
        } else {
            cJSON *after = NULL;
            if ((rc = save_row_get(e->s, it->key, it->id, &after, err)) != MA_OK) {
                cJSON_Delete(o);
                break;
            }
            changed = !((after == NULL && it->before == NULL) || (after && it->before && cJSON_Compare(after, it->before, 1)));
            cJSON_AddStringToObject(o, "table", it->key);
            cJSON_AddNumberToObject(o, "id", (double)it->id);
            cJSON_AddItemToObject(o, "before", json_or_null(it->before));
            cJSON_AddItemToObject(o, "after", after ? after : cJSON_CreateNull());
            if (changed)
                cJSON_AddItemToArray(rows, o);
        }
        if (!changed)
            cJSON_Delete(o);
        kept += changed;
    }
    if (rc != MA_OK || kept == 0) {
        cJSON_Delete(changes);
        cJSON_Delete(reasoning);
        return rc;
    }
    EvolutionRow row;
    memset(&row, 0, sizeof row);
    row.world_id = e->world_id;
    row.agent_id = agent_id;
    snprintf(row.evolution_type, sizeof row.evolution_type, "%s", type);
    row.changes_made = changes;
    row.reasoning = reasoning ? reasoning : cJSON_CreateObject();
    calendar_iso(e->turn, row.applied_at, sizeof row.applied_at);
    rc = evolution_append(e->s, &row, err);
    int64_t id = row.id;
    evolution_row_clear(&row);
    for (int i = 0; rc == MA_OK && i < e->n; i++) {
        Item *it = &e->items[i];
        char thing[128];
        thing_of(it->kind, it->x, it->y, it->z, it->key, it->id, thing, sizeof thing);
        rc = evolution_things_add(e->s, e->world_id, thing, id, err);
    }
    if (rc == MA_OK)
        *entry_id = id;
    return rc;
}

/* ------------------------------------------------------------ rolling back */

static int rollback_one(Save *s, World *w, EvolutionRow *entry, EvoRollback *opt, int depth, Err *err);

/* The thing an item of a diff names; 0 when the item is malformed. */
static int item_thing(const cJSON *it, char kind, char *buf, size_t size)
{
    if (kind == 'b') {
        if (!cJSON_IsNumber(cJSON_GetObjectItem(it, "x")) || !cJSON_IsNumber(cJSON_GetObjectItem(it, "y")) ||
            !cJSON_IsNumber(cJSON_GetObjectItem(it, "z")) || !json_str(it, "before") || !json_str(it, "after"))
            return 0;
        thing_of('b', json_int(it, "x", 0), json_int(it, "y", 0), json_int(it, "z", 0), NULL, 0, buf, size);
    } else if (kind == 'e') {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "chunk");
        if (!json_str(it, "id") || cJSON_GetArraySize(c) != 3)
            return 0;
        thing_of('e', 0, 0, 0, json_str(it, "id"), 0, buf, size);
    } else {
        if (!json_str(it, "table") || !cJSON_IsNumber(cJSON_GetObjectItem(it, "id")))
            return 0;
        thing_of('r', 0, 0, 0, json_str(it, "table"), (int64_t)cJSON_GetObjectItem(it, "id")->valuedouble, buf, size);
    }
    return 1;
}

/* Whether a row still holds what the entry left in the columns the entry changed. */
static int row_matches(const cJSON *now, const cJSON *before, const cJSON *after)
{
    if (cJSON_IsNull(after))
        return now == NULL;
    if (!now)
        return 0;
    const cJSON *col;
    cJSON_ArrayForEach(col, after) {
        if (strcmp(col->string, "updated_at") == 0)
            continue;
        const cJSON *was = cJSON_IsNull(before) ? NULL : cJSON_GetObjectItemCaseSensitive(before, col->string);
        if (was && cJSON_Compare(was, col, 1))
            continue; /* a column the entry did not change */
        const cJSON *is = cJSON_GetObjectItemCaseSensitive(now, col->string);
        if (!is || !cJSON_Compare(is, col, 1))
            return 0;
    }
    return 1;
}

static const char *const kinds_key[3] = {"blocks", "entities", "rows"};
static const char kinds[3] = {'b', 'e', 'r'};

/* A creature an agent brought (a raid) lives its own life after: it moves, fights and dies by the
 * game's rules, so that it is no longer where the entry left it needs no explaining, and a rollback
 * takes back only the creatures still where they were. */
static int is_creature(const cJSON *it)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(it, "after"), *b = cJSON_GetObjectItemCaseSensitive(it, "before");
    const cJSON *e = cJSON_IsObject(a) ? a : b;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "type");
    return cJSON_IsString(type) && strcmp(type->valuestring, "creature") == 0;
}

/* Does the world hold what item `it` (of kind) left? *now_desc says what it holds. */
static int item_holds(Save *s, World *w, char kind, const cJSON *it, char *now_desc, size_t size, Err *err)
{
    if (kind == 'b') {
        const char *now = block_name_at(w, json_int(it, "x", 0), json_int(it, "y", 0), json_int(it, "z", 0));
        snprintf(now_desc, size, "%s", now);
        return strcmp(now, json_str(it, "after")) == 0;
    }
    if (kind == 'e') {
        if (is_creature(it))
            return 1;
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "chunk");
        Chunk *ch = world_chunk(w, cJSON_GetArrayItem(c, 0)->valueint, cJSON_GetArrayItem(c, 1)->valueint,
                                cJSON_GetArrayItem(c, 2)->valueint, err);
        if (!ch)
            return -1;
        const cJSON *now = chunk_entity_find(ch, json_str(it, "id"), NULL);
        const cJSON *after = cJSON_GetObjectItemCaseSensitive(it, "after");
        snprintf(now_desc, size, "%s", now ? "somewhere else or changed" : "gone");
        return cJSON_IsNull(after) ? now == NULL : now && cJSON_Compare(now, after, 1);
    }
    cJSON *now = NULL;
    if (save_row_get(s, json_str(it, "table"), (int64_t)cJSON_GetObjectItem(it, "id")->valuedouble, &now, err) != MA_OK)
        return -1;
    int ok = row_matches(now, cJSON_GetObjectItemCaseSensitive(it, "before"), cJSON_GetObjectItemCaseSensitive(it, "after"));
    snprintf(now_desc, size, "%s", now ? "changed since" : "deleted since");
    cJSON_Delete(now);
    /* A quest the entry made that a player has taken: undoing it would take their progress too. */
    if (ok && strcmp(json_str(it, "table"), "quests") == 0 && cJSON_IsNull(cJSON_GetObjectItem(it, "before"))) {
        int64_t taken = 0;
        if (progress_count_for_quest(s, (int64_t)cJSON_GetObjectItem(it, "id")->valuedouble, &taken, err) != MA_OK)
            return -1;
        if (taken > 0) {
            snprintf(now_desc, size, "taken by %lld character%s (their progress on it would go too)", (long long)taken,
                     taken == 1 ? "" : "s");
            return 0;
        }
    }
    return ok;
}

/* Puts back what item `it` held before the entry. */
static int item_undo(Save *s, World *w, char kind, const cJSON *it, Err *err)
{
    const cJSON *before = cJSON_GetObjectItemCaseSensitive(it, "before");
    const cJSON *after = cJSON_GetObjectItemCaseSensitive(it, "after");
    if (kind == 'b')
        return set_block_named(w, json_int(it, "x", 0), json_int(it, "y", 0), json_int(it, "z", 0),
                               json_str(it, "before"), cJSON_GetObjectItemCaseSensitive(it, "before_meta"), err);
    if (kind == 'e') {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "chunk");
        int32_t cx = cJSON_GetArrayItem(c, 0)->valueint, cy = cJSON_GetArrayItem(c, 1)->valueint,
                cz = cJSON_GetArrayItem(c, 2)->valueint;
        Chunk *ch = world_chunk(w, cx, cy, cz, err);
        if (!ch)
            return err->code;
        int i;
        if (chunk_entity_find(ch, json_str(it, "id"), &i))
            cJSON_DeleteItemFromArray(ch->entities, i);
        if (cJSON_IsObject(before)) {
            insert_at(ch->entities, json_int(it, "before_index", -1), cJSON_Duplicate(before, 1));
        }
        world_mark_dirty(w, cx, cy, cz);
        return MA_OK;
    }
    const char *table = json_str(it, "table");
    int64_t id = (int64_t)cJSON_GetObjectItem(it, "id")->valuedouble;
    if (cJSON_IsNull(before))
        return save_row_delete(s, table, id, err);
    if (cJSON_IsNull(after))
        return save_row_put(s, table, before, err);
    /* Only the columns the entry changed go back: the rest may have moved on since. */
    cJSON *back = cJSON_CreateObject();
    cJSON_AddNumberToObject(back, "id", (double)id);
    const cJSON *col;
    cJSON_ArrayForEach(col, before) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(after, col->string);
        if (strcmp(col->string, "id") != 0 && (!a || !cJSON_Compare(a, col, 1)))
            cJSON_AddItemToObject(back, col->string, cJSON_Duplicate(col, 1));
    }
    int rc = save_row_put(s, table, back, err);
    cJSON_Delete(back);
    return rc;
}

/* The inverse of a diff: before and after swapped in every item. */
static cJSON *inverse(const cJSON *changes)
{
    cJSON *inv = cJSON_Duplicate(changes, 1);
    for (int k = 0; k < 3; k++) {
        cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(inv, kinds_key[k])) {
            cJSON *b = cJSON_DetachItemFromObjectCaseSensitive(it, "before");
            cJSON *a = cJSON_DetachItemFromObjectCaseSensitive(it, "after");
            if (a)
                cJSON_AddItemToObject(it, "before", a);
            if (b)
                cJSON_AddItemToObject(it, "after", b);
            cJSON *bi = cJSON_DetachItemFromObjectCaseSensitive(it, "before_index");
            cJSON *ai = cJSON_DetachItemFromObjectCaseSensitive(it, "after_index");
            if (ai)
                cJSON_AddItemToObject(it, "before_index", ai);
            if (bi)
                cJSON_AddItemToObject(it, "after_index", bi);
            cJSON *bm = cJSON_DetachItemFromObjectCaseSensitive(it, "before_meta");
            cJSON *am = cJSON_DetachItemFromObjectCaseSensitive(it, "after_meta");
            if (am)
                cJSON_AddItemToObject(it, "before_meta", am);
            if (bm)
                cJSON_AddItemToObject(it, "after_meta", bm);
        }
    }
    return inv;
}

static int rollback_later(Save *s, World *w, int64_t later, EvoRollback *opt, int depth, Err *err)
{
    EvolutionRow row;
    int rc = evolution_get(s, later, &row, err);
    if (rc != MA_OK)
        return rc;
    rc = rollback_one(s, w, &row, opt, depth + 1, err);
    evolution_row_clear(&row);
    return rc;
}

static int rollback_one(Save *s, World *w, EvolutionRow *entry, EvoRollback *opt, int depth, Err *err)
{
    if (depth > 64)
        return err_set(err, MA_ERR_INVALID, "entry #%lld: too many later entries built on each other", (long long)entry->id);
    if (strcmp(entry->evolution_type, "rollback") == 0)
        return err_set(err, MA_ERR_INVALID, "entry #%lld is itself a rollback; it cannot be rolled back",
                       (long long)entry->id);
    if (!entry->is_active)
        return err_set(err, MA_ERR_INVALID, "entry #%lld was already rolled back", (long long)entry->id);
    const cJSON *changes = entry->changes_made;
    /* First: a later entry that changed the same things goes first, or refuses. */
    for (int k = 0; k < 3; k++) {
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(changes, kinds_key[k])) {
            char thing[128];
            if (!item_thing(it, kinds[k], thing, sizeof thing))
                return err_set(err, MA_ERR_CORRUPT, "entry #%lld: a malformed item in its %s", (long long)entry->id,
                               kinds_key[k]);
            for (;;) {
                int64_t later = 0;
                int rc = evolution_things_latest(s, entry->world_id, thing, entry->id, &later, NULL, err);
                if (rc != MA_OK)
                    return rc;
                if (later == 0)
                    break;
                if (!opt->cascade)
                    return err_set(err, MA_ERR_INVALID,
                                   "entry #%lld built on what entry #%lld changed (%s); roll it back first, or "
                                   "use --cascade to roll back both",
                                   (long long)later, (long long)entry->id, thing + 2);
                if ((rc = rollback_later(s, w, later, opt, depth, err)) != MA_OK)
                    return rc;
            }
        }
    }
    /* Then: everything must still be as the entry left it, unless forced. */
    for (int k = 0; k < 3 && !opt->force; k++) {
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(changes, kinds_key[k])) {
            char thing[128], now[64];
            item_thing(it, kinds[k], thing, sizeof thing);
            int holds = item_holds(s, w, kinds[k], it, now, sizeof now, err);
            if (holds < 0)
                return err->code;
            if (holds)
                continue;
            int64_t self = 0, turn = -1;
            int rc = evolution_things_latest(s, entry->world_id, thing, entry->id - 1, &self, &turn, err);
            if (rc != MA_OK)
                return rc;
            if (turn >= 0) {
                char when[48];
                calendar_date(turn, when, sizeof when);
                return err_set(err, MA_ERR_INVALID,
                               "the player built on what entry #%lld changed: %s was changed by hand on %s "
                               "(--force undoes it anyway)",
                               (long long)entry->id, thing + 2, when);
            }
            return err_set(err, MA_ERR_INVALID, "what entry #%lld changed is not as it left it: %s is %s (--force undoes it anyway)",
                           (long long)entry->id, thing + 2, now);
        }
    }
    /* Undo, newest item first. */
    for (int k = 2; k >= 0; k--) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(changes, kinds_key[k]);
        for (int i = cJSON_GetArraySize(list) - 1; i >= 0; i--) {
            int rc = item_undo(s, w, kinds[k], cJSON_GetArrayItem(list, i), err);
            if (rc != MA_OK)
                return rc;
        }
    }
    int rc = world_flush(w, err);
    if (rc != MA_OK)
        return rc;
    EvolutionRow back;
    memset(&back, 0, sizeof back);
    back.world_id = entry->world_id;
    back.agent_id = entry->agent_id;
    snprintf(back.evolution_type, sizeof back.evolution_type, "rollback");
    back.changes_made = inverse(changes);
    char summary[240];
    snprintf(summary, sizeof summary, "undid #%lld: %s", (long long)entry->id,
             json_str(changes, "summary") ? json_str(changes, "summary") : entry->evolution_type);
    cJSON_ReplaceItemInObjectCaseSensitive(back.changes_made, "summary", cJSON_CreateString(summary));
    back.reasoning = cJSON_CreateObject();
    cJSON_AddNumberToObject(back.reasoning, "rolled_back", (double)entry->id);
    cJSON_AddStringToObject(back.reasoning, "why", depth ? "a later change built on an entry being rolled back"
                                                         : "asked to");
    if (opt->force)
        cJSON_AddBoolToObject(back.reasoning, "forced", 1);
    calendar_iso(opt->turn, back.applied_at, sizeof back.applied_at);
    rc = evolution_append(s, &back, err);
    evolution_row_clear(&back);
    if (rc == MA_OK)
        rc = evolution_rollback_mark(s, entry->id, err);
    if (rc == MA_OK) {
        entry->is_active = 0;
        opt->n_total++;
        if (opt->n_rolled < (int)(sizeof opt->rolled / sizeof opt->rolled[0]))
            opt->rolled[opt->n_rolled++] = entry->id;
    }
    return rc;
}

int evolution_rollback(Save *s, World *w, int64_t entry_id, EvoRollback *opt, Err *err)
{
    EvolutionRow row;
    int rc = evolution_get(s, entry_id, &row, err);
    if (rc != MA_OK)
        return rc;
    if (row.world_id != world_id(w))
        rc = err_set(err, MA_ERR_INVALID, "entry #%lld belongs to another world", (long long)entry_id);
    else
        rc = rollback_one(s, w, &row, opt, 0, err);
    evolution_row_clear(&row);
    return rc;
}

int evolution_rollback_to(Save *s, World *w, int64_t wid, int64_t to_id, EvoRollback *opt, Err *err)
{
    EvolutionRow *rows = NULL;
    int n = 0;
    int rc = evolution_list(s, wid, 1, &rows, &n, err);
    if (rc != MA_OK)
        return rc;
    /* Newest first, by id (the order they were applied). */
    for (int i = n - 1; i >= 0 && rc == MA_OK; i--) {
        int64_t best = -1;
        int bi = -1;
        for (int k = 0; k < n; k++)
            if (rows[k].is_active && rows[k].id > to_id && strcmp(rows[k].evolution_type, "rollback") != 0 &&
                rows[k].id > best) {
                best = rows[k].id;
                bi = k;
            }
        if (bi < 0)
            break;
        /* It may have been rolled back by a cascade already: read it again. */
        EvolutionRow now;
        if ((rc = evolution_get(s, rows[bi].id, &now, err)) != MA_OK)
            break;
        rows[bi].is_active = 0;
        if (now.is_active) {
            EvoRollback sub = *opt;
            sub.cascade = 1;
            sub.n_rolled = sub.n_total = 0;
            rc = rollback_one(s, w, &now, &sub, 0, err);
            opt->n_total += sub.n_total;
            for (int j = 0; j < sub.n_rolled && opt->n_rolled < 256; j++)
                opt->rolled[opt->n_rolled++] = sub.rolled[j];
        }
        evolution_row_clear(&now);
    }
    evolution_list_free(rows, n);
    return rc;
}

/* ------------------------------------------------------------ reading the log */

static int64_t provenance(Save *s, int64_t wid, const char *thing, char *buf, size_t size)
{
    int64_t id = 0;
    if (size)
        buf[0] = '\0';
    if (evolution_things_latest(s, wid, thing, 0, &id, NULL, NULL) != MA_OK || id == 0)
        return 0;
    EvolutionRow row;
    if (evolution_get(s, id, &row, NULL) != MA_OK)
        return 0;
    AgentRow a;
    const char *who = row.evolution_type;
    int have_agent = row.agent_id > 0 && agents_get(s, row.agent_id, &a, NULL) == MA_OK;
    if (have_agent)
        who = a.agent_type;
    const char *summary = json_str(row.changes_made, "summary");
    char words[64];
    text_words(who, words, sizeof words); /* "world builder", as the chronicle names them */
    snprintf(buf, size, "chronicle #%lld, %s: %s", (long long)id, words, summary && *summary ? summary : row.evolution_type);
    if (have_agent)
        agent_row_clear(&a);
    evolution_row_clear(&row);
    return id;
}

int64_t evolution_block_provenance(Save *s, int64_t wid, int32_t x, int32_t y, int32_t z, char *buf, size_t size)
{
    char thing[64];
    thing_of('b', x, y, z, NULL, 0, thing, sizeof thing);
    return provenance(s, wid, thing, buf, size);
}

int64_t evolution_entity_provenance(Save *s, int64_t wid, const char *entity_id, char *buf, size_t size)
{
    char thing[128];
    thing_of('e', 0, 0, 0, entity_id, 0, thing, sizeof thing);
    return provenance(s, wid, thing, buf, size);
}

int evolution_note_player_block(Save *s, int64_t wid, int32_t x, int32_t y, int32_t z, int64_t turn, Err *err)
{
    return evolution_things_player_block(s, wid, x, y, z, turn, err);
}

int evolution_verify(Save *s, World *w, int64_t wid, EvoProblemFn report, void *ud, Err *err)
{
    EvolutionRow *rows = NULL;
    int n = 0, problems = 0;
    int rc = evolution_list(s, wid, 1, &rows, &n, err);
    if (rc != MA_OK)
        return rc;
    for (int i = 0; i < n && rc == MA_OK; i++) {
        if (strcmp(rows[i].evolution_type, "rollback") == 0)
            continue;
        for (int k = 0; k < 2 && rc == MA_OK; k++) { /* blocks and entities: rows move on with play */
            const cJSON *it;
            cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(rows[i].changes_made, kinds_key[k])) {
                char thing[128], now[64], msg[400];
                if (!item_thing(it, kinds[k], thing, sizeof thing)) {
                    snprintf(msg, sizeof msg, "evolution entry #%lld: a malformed item in its %s",
                             (long long)rows[i].id, kinds_key[k]);
                    report(msg, ud);
                    problems++;
                    continue;
                }
                int holds = item_holds(s, w, kinds[k], it, now, sizeof now, err);
                if (holds < 0) {
                    rc = err->code;
                    break;
                }
                if (holds)
                    continue;
                int64_t latest = 0, turn = -1;
                if ((rc = evolution_things_latest(s, wid, thing, rows[i].id - 1, &latest, &turn, err)) != MA_OK)
                    break;
                if (latest != rows[i].id || turn >= 0)
                    continue; /* a later entry, or the player's own hand, changed it since */
                snprintf(msg, sizeof msg, "evolution entry #%lld left %s as %s, but it is %s and nothing explains why",
                         (long long)rows[i].id, thing + 2, k == 0 ? json_str(it, "after") : "it was", now);
                report(msg, ud);
                problems++;
            }
        }
    }
    evolution_list_free(rows, n);
    return rc == MA_OK ? problems : rc;
}

/* ------------------------------------------------------------ diff */

cJSON *evolution_diff(Save *s, int64_t wid, int64_t from_id, int64_t to_id, Err *err)
{
    EvolutionRow *rows = NULL;
    int n = 0;
    if (evolution_list(s, wid, 1, &rows, &n, err) != MA_OK)
        return NULL;
    cJSON *blocks = cJSON_CreateObject(), *tables = cJSON_CreateObject();
    for (int i = 0; i < n; i++) {
        if (rows[i].id <= from_id || rows[i].id > to_id || strcmp(rows[i].evolution_type, "rollback") == 0)
            continue;
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(rows[i].changes_made, "blocks")) {
            int x = json_int(it, "x", 0), y = json_int(it, "y", 0), z = json_int(it, "z", 0);
            char key[64];
            snprintf(key, sizeof key, "%d,%d,%d", chunk_coord(x), chunk_coord(y), chunk_coord(z));
            cJSON *list = cJSON_GetObjectItemCaseSensitive(blocks, key);
            if (!list)
                list = cJSON_AddArrayToObject(blocks, key);
            cJSON *found = NULL, *b;
            cJSON_ArrayForEach(b, list)
                if (json_int(b, "x", 0) == x && json_int(b, "y", 0) == y && json_int(b, "z", 0) == z)
                    found = b;
            if (found) {
                cJSON_ReplaceItemInObjectCaseSensitive(found, "to", cJSON_CreateString(json_str(it, "after")));
            } else {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddNumberToObject(o, "x", x);
                cJSON_AddNumberToObject(o, "y", y);
                cJSON_AddNumberToObject(o, "z", z);
                cJSON_AddStringToObject(o, "from", json_str(it, "before"));
                cJSON_AddStringToObject(o, "to", json_str(it, "after"));
                cJSON_AddItemToArray(list, o);
            }
        }
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(rows[i].changes_made, "rows")) {
            const char *table = json_str(it, "table");
            if (!table)
                continue;
            cJSON *list = cJSON_GetObjectItemCaseSensitive(tables, table);
            if (!list)
                list = cJSON_AddArrayToObject(tables, table);
            int64_t id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "id"));
            cJSON *found = NULL, *r;
            cJSON_ArrayForEach(r, list)
                if ((int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(r, "id")) == id)
                    found = r;
            if (found) {
                cJSON_ReplaceItemInObjectCaseSensitive(found, "to",
                                                       cJSON_Duplicate(cJSON_GetObjectItem(it, "after"), 1));
            } else {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddNumberToObject(o, "id", (double)id);
                cJSON_AddItemToObject(o, "from", cJSON_Duplicate(cJSON_GetObjectItem(it, "before"), 1));
                cJSON_AddItemToObject(o, "to", cJSON_Duplicate(cJSON_GetObjectItem(it, "after"), 1));
                cJSON_AddItemToArray(list, o);
            }
        }
    }
    evolution_list_free(rows, n);
    /* A block that went back to what it was is no difference. */
    cJSON *chunk;
    cJSON_ArrayForEach(chunk, blocks) {
        for (int i = cJSON_GetArraySize(chunk) - 1; i >= 0; i--) {
            cJSON *b = cJSON_GetArrayItem(chunk, i);
            if (strcmp(json_str(b, "from"), json_str(b, "to")) == 0)
                cJSON_DeleteItemFromArray(chunk, i);
        }
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "blocks", blocks);
    cJSON_AddItemToObject(out, "rows", tables);
    return out;
}

/* ------------------------------------------------------------ news */

static const char *news_summary(const EvolutionRow *r)
{
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(r->changes_made, "summary");
    return cJSON_IsString(sum) && sum->valuestring[0] ? sum->valuestring : r->evolution_type;
}

/* How much a kind of entry matters to a player coming back, most first: a new quest, an event of
 * the calendar, a house built; a villager's need, the season; gossip and the balance's tuning last. */
static int news_rank(const char *type)
{
    static const char *const order[] = {"quest", "event", "story", "build", "need", "season", "gossip", "balance"};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (strcmp(type, order[i]) == 0)
            return (int)i;
    return 5; /* another kind: among the middling news */
}

int evolution_news(Save *s, int64_t world_id, int64_t seen, char lines[][160], int max, int64_t *newest)
{
    EvolutionRow *rows = NULL;
    int n = 0, count = 0;
    *newest = seen;
    if (evolution_list(s, world_id, 1, &rows, &n, NULL) != MA_OK)
        return 0;
    /* Rank by rank, newest first within one. */
    for (int rank = 0; rank < 8; rank++)
        for (int i = n - 1; i >= 0; i--) {
            if (rows[i].id <= seen || strcmp(rows[i].evolution_type, "rollback") == 0 ||
                strcmp(rows[i].evolution_type, "schedule") == 0)
                continue; /* villagers walking to work is not news */
            int r = news_rank(rows[i].evolution_type);
            if (r != rank)
                continue;
            if (rows[i].id > *newest)
                *newest = rows[i].id;
            if (count < max)
                snprintf(lines[count], 160, "%s", news_summary(&rows[i]));
            count++;
        }
    for (int i = 0; i < n; i++)
        if (rows[i].id > *newest)
            *newest = rows[i].id;
    evolution_list_free(rows, n);
    return count;
}
