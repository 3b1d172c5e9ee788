/* world.c — a world in play: its row, its generator and a bounded chunk
 * cache over the save.
 *
 * The cache is a chained hash map keyed by chunk coordinates plus an LRU
 * list. Every entry counts the heap its chunk holds; when the total passes
 * the budget, the least recently used chunks are dropped, after any dirty
 * chunks have been written (world_flush, one transaction). Chunks missing
 * from the save are generated and kept unstored (version 0) until changed
 * or stored by world_store_area. */
#include "world/world.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/chunks.h"
#include "save/synclog.h"
#include "save/worlds.h"
#include "world/chunk_codec.h"
#include "world/chunk_diff.h"

#define DEFAULT_CACHE_BYTES ((size_t)32 << 20)
#define MIN_CACHE_BYTES ((size_t)64 << 10)
#define STORE_BATCH_COLUMNS 64

typedef struct Entry {
    Chunk *chunk;
    uint64_t sync_hash;        /* synced worlds: blocks and metadata as last stored (content_hash) */
    int sync_hashed;
    size_t mem;                /* chunk_memory + this entry */
    struct Entry *hnext;       /* hash chain */
    struct Entry *prev, *next; /* LRU: head is the most recent */
} Entry;

struct World {
    Save *save;
    const BlockRegistry *reg;
    Generator *gen;
    int64_t id;
    char name[65];
    uint64_t seed;
    int readonly;
    BlockId bedrock;
    size_t budget, bytes;
    Entry **buckets;
    size_t nbuckets;
    int count, ndirty;
    Entry *head, *tail;
    int64_t loads, generated, evictions, stores;
    Err load_error;  /* the first chunk that could not be read by world_get_block; code 0 when none */
    int sync;        /* shared through a sync server: world_flush records each chunk's edits (save/synclog.h) */
};

/* ------------------------------------------------------------ hash map */

static size_t hash_key(int32_t cx, int32_t cy, int32_t cz)
{
    uint64_t h = (uint64_t)(uint32_t)cx * 0x9E3779B97F4A7C15ull;
    h ^= (uint64_t)(uint32_t)cz * 0xC2B2AE3D27D4EB4Full;
    h ^= (uint64_t)(uint32_t)cy * 0x165667B19E3779F9ull;
    h ^= h >> 29;
    return (size_t)h;
}

static Entry *cache_find(const World *w, int32_t cx, int32_t cy, int32_t cz)
{
    for (Entry *e = w->buckets[hash_key(cx, cy, cz) & (w->nbuckets - 1)]; e; e = e->hnext)
        if (e->chunk->cx == cx && e->chunk->cy == cy && e->chunk->cz == cz)
            return e;
    return NULL;
}

static void lru_unlink(World *w, Entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        w->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        w->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push(World *w, Entry *e)
{
    e->prev = NULL;
    e->next = w->head;
    if (w->head)
        w->head->prev = e;
    w->head = e;
    if (!w->tail)
        w->tail = e;
}

static void lru_touch(World *w, Entry *e)
{
    if (w->head != e) {
        lru_unlink(w, e);
        lru_push(w, e);
    }
}

static int cache_grow(World *w)
{
    size_t n = w->nbuckets * 2;
    Entry **b = calloc(n, sizeof *b);
    if (!b)
        return MA_ERR_NOMEM;
    for (size_t i = 0; i < w->nbuckets; i++) {
        for (Entry *e = w->buckets[i], *next; e; e = next) {
            next = e->hnext;
            size_t h = hash_key(e->chunk->cx, e->chunk->cy, e->chunk->cz) & (n - 1);
            e->hnext = b[h];
            b[h] = e;
        }
    }
    w->bytes += (n - w->nbuckets) * sizeof *b;
    free(w->buckets);
    w->buckets = b;
    w->nbuckets = n;
    return MA_OK;
}

/* FNV-1a over what sync records of a chunk (its blocks and block metadata, not its entities):
 * a flush whose chunk hashes as it was stored changed only creatures and things on the ground,
 * and need not be compared block by block. */
static uint64_t content_hash(const Chunk *c)
{
    uint64_t h = 0xcbf29ce484222325ull;
#define MIX(word) (h = (h ^ (uint64_t)(word)) * 0x100000001b3ull, h ^= h >> 29)
    if (c->blocks) {
        for (int i = 0; i < CHUNK_VOLUME; i += 8) { /* a word at a time: this runs on every flush */
            uint64_t word;
            memcpy(&word, c->blocks + i, sizeof word);
            MIX(word);
        }
    } else {
        MIX(0x100u | c->uniform);
    }
    for (int i = 0; i < c->n_meta; i++) {
        MIX(c->meta[i].index);
        char *t = cJSON_PrintUnformatted(c->meta[i].metadata);
        for (const char *p = t ? t : ""; *p; p++)
            MIX((unsigned char)*p);
        MIX(0x1FFu);
        cJSON_free(t);
    }
#undef MIX
    return h;
}

static Entry *cache_insert(World *w, Chunk *c)
{
    if ((size_t)w->count >= w->nbuckets && cache_grow(w) != MA_OK)
        return NULL;
    Entry *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->chunk = c;
    e->mem = chunk_memory(c) + sizeof *e;
    if (w->sync && !c->dirty) {
        e->sync_hash = content_hash(c);
        e->sync_hashed = 1;
    }
    size_t h = hash_key(c->cx, c->cy, c->cz) & (w->nbuckets - 1);
    e->hnext = w->buckets[h];
    w->buckets[h] = e;
    lru_push(w, e);
    w->count++;
    w->bytes += e->mem;
    if (c->dirty)
        w->ndirty++;
    return e;
}

static void cache_remove(World *w, Entry *e)
{
    Chunk *c = e->chunk;
    Entry **pp = &w->buckets[hash_key(c->cx, c->cy, c->cz) & (w->nbuckets - 1)];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    lru_unlink(w, e);
    w->count--;
    w->bytes -= e->mem;
    if (c->dirty)
        w->ndirty--;
    chunk_free(c);
    free(e);
}

/* Re-measures a chunk after it changed size (array allocated, metadata). */
static void entry_remeasure(World *w, Entry *e)
{
    size_t mem = chunk_memory(e->chunk) + sizeof *e;
    w->bytes = w->bytes - e->mem + mem;
    e->mem = mem;
}

static void mark_dirty(World *w, Entry *e)
{
    if (!e->chunk->dirty) {
        e->chunk->dirty = 1;
        w->ndirty++;
    }
}

/* Drops least recently used chunks until the cache fits its budget; keep
 * is never dropped. Dirty chunks are flushed first; if that fails they
 * stay (over budget) rather than being lost. */
static void cache_evict(World *w, const Entry *keep)
{
    while (w->bytes > w->budget && w->tail && w->tail != keep) {
        Entry *victim = w->tail;
        if (victim->chunk->dirty && world_flush(w, NULL) != MA_OK)
            return;
        cache_remove(w, victim);
        w->evictions++;
    }
}

/* ------------------------------------------------------------ create, open */

int world_create(Save *s, const char *name, uint64_t seed, const char *world_type, int64_t *id_out, Err *err)
{
    return world_create_version(s, name, seed, world_type, GENERATOR_VERSION, id_out, err);
}

int world_create_version(Save *s, const char *name, uint64_t seed, const char *world_type, int version,
                         int64_t *id_out, Err *err)
{
    Err local;
    if (!err)
        err = &local;
    if (!world_type || !*world_type)
        world_type = "normal";
    if (!name || !*name || strlen(name) > 64)
        return err_set(err, MA_ERR_INVALID, "a world name must be 1 to 64 characters");
    if (strlen(world_type) > 32)
        return err_set(err, MA_ERR_INVALID, "unknown world type '%.40s'", world_type);
    /* Refuse a type the generator does not know before writing anything. */
    BlockRegistry *reg = NULL;
    if (blocks_load_default(&reg, NULL) == MA_OK) {
        Generator *g = NULL;
        int rc = generator_new(reg, seed, world_type, version, &g, err);
        generator_free(g);
        blocks_free(reg);
        if (rc != MA_OK)
            return rc;
    }
    WorldRow row;
    memset(&row, 0, sizeof row);
    snprintf(row.name, sizeof row.name, "%s", name);
    snprintf(row.world_type, sizeof row.world_type, "%s", world_type);
    row.seed = (int64_t)seed; /* stored as the same 64 bits, signed */
    row.is_active = 1;
    row.settings = cJSON_CreateObject();
    if (!row.settings || !cJSON_AddNumberToObject(row.settings, "generator_version", version) ||
        !cJSON_AddNumberToObject(row.settings, "chunk_size", CHUNK_SIZE) ||
        !cJSON_AddNumberToObject(row.settings, "height", WORLD_HEIGHT) ||
        !cJSON_AddNumberToObject(row.settings, "sea_level", SEA_LEVEL)) {
        world_row_clear(&row);
        return err_set(err, MA_ERR_NOMEM, "out of memory creating a world");
    }
    int rc = worlds_insert(s, &row, err);
    if (rc == MA_OK && id_out)
        *id_out = row.id;
    world_row_clear(&row);
    return rc;
}

int world_settings_generator_version(const cJSON *settings, int *version)
{
    const cJSON *gv = cJSON_GetObjectItemCaseSensitive(settings, "generator_version");
    *version = 1;
    if (!gv)
        return 1;
    if (!cJSON_IsNumber(gv) || !(gv->valuedouble >= INT_MIN && gv->valuedouble <= INT_MAX) ||
        gv->valuedouble != (double)(int)gv->valuedouble)
        return 0;
    *version = (int)gv->valuedouble;
    return 1;
}

int world_open(Save *s, const BlockRegistry *reg, const char *name, int64_t id, size_t cache_bytes, World **out,
               Err *err)
{
    Err local;
    if (!err)
        err = &local;
    *out = NULL;
    WorldRow row;
    memset(&row, 0, sizeof row);
    int rc = name ? worlds_get_by_name(s, name, &row, err) : worlds_get(s, id, &row, err);
    if (rc != MA_OK)
        return rc;
    World *w = NULL;
    int version;
    if (!world_settings_generator_version(row.settings, &version)) {
        rc = err_set(err, MA_ERR_CORRUPT, "world '%s' in %s: settings.generator_version is not a whole number",
                     row.name, save_path(s));
        goto cleanup;
    }
    if (version < GENERATOR_VERSION_OLDEST) {
        rc = err_set(err, MA_ERR_CORRUPT, "world '%s' in %s: settings.generator_version %d is not a version (the first is %d)",
                     row.name, save_path(s), version, GENERATOR_VERSION_OLDEST);
        goto cleanup;
    }
    if (version > GENERATOR_VERSION) {
        rc = err_set(err, MA_ERR_NEWER,
                     "world '%s' in %s was made with world generator version %d; this game has version %d "
                     "(a newer game is needed to play it)",
                     row.name, save_path(s), version, GENERATOR_VERSION);
        goto cleanup;
    }
    w = calloc(1, sizeof *w);
    if (!w || !(w->buckets = calloc(64, sizeof *w->buckets))) {
        rc = err_set(err, MA_ERR_NOMEM, "out of memory opening world '%s'", row.name);
        goto cleanup;
    }
    w->nbuckets = 64;
    rc = generator_new(reg, (uint64_t)row.seed, row.world_type, version, &w->gen, err);
    if (rc != MA_OK) {
        err_prefix(err, "world '%s' in %s", row.name, save_path(s));
        goto cleanup;
    }
    w->save = s;
    w->reg = reg;
    w->id = row.id;
    snprintf(w->name, sizeof w->name, "%s", row.name);
    w->seed = (uint64_t)row.seed;
    w->readonly = save_is_readonly(s);
    int bedrock = blocks_find(reg, "bedrock");
    w->bedrock = (BlockId)(bedrock >= 0 ? bedrock : 0);
    w->budget = cache_bytes ? cache_bytes : DEFAULT_CACHE_BYTES;
    if (w->budget < MIN_CACHE_BYTES)
        w->budget = MIN_CACHE_BYTES;
    w->bytes = sizeof *w + w->nbuckets * sizeof *w->buckets;
    if (!w->readonly) {
        Err quiet = {0};
        w->sync = synclog_world_is_synced(s, w->id, &quiet) == 1;
    }
    *out = w;
    w = NULL;
cleanup:
    if (w) {
        free(w->buckets);
        free(w);
    }
    world_row_clear(&row);
    return rc;
}

void world_close(World *w)
{
    if (!w)
        return;
    while (w->head)
        cache_remove(w, w->head);
    free(w->buckets);
    generator_free(w->gen);
    free(w);
}

int64_t world_id(const World *w) { return w->id; }
const char *world_name(const World *w) { return w->name; }
uint64_t world_seed(const World *w) { return w->seed; }
Generator *world_generator(World *w) { return w->gen; }
const BlockRegistry *world_blocks(const World *w) { return w->reg; }

/* ------------------------------------------------------------ chunks */

/* Loads the chunk from the save, or generates it. NULL with err set. */
static Chunk *chunk_fetch(World *w, int32_t cx, int32_t cy, int32_t cz, Err *err)
{
    ChunkRow row;
    int rc = chunks_get(w->save, w->id, cx, cy, cz, &row, err);
    if (rc == MA_OK) {
        Chunk *c = NULL;
        rc = chunk_decode(row.block_data, row.block_len, row.structures, w->reg, cx, cy, cz, &c, err);
        int64_t version = row.version;
        chunk_row_clear(&row);
        if (rc != MA_OK) {
            err_prefix(err, "world '%s' in %s", w->name, save_path(w->save));
            return NULL;
        }
        c->version = version;
        w->loads++;
        return c;
    }
    if (rc != MA_ERR_NOT_FOUND)
        return NULL;
    Chunk *c = chunk_new(cx, cy, cz, BLOCK_AIR);
    if (!c) {
        err_set(err, MA_ERR_NOMEM, "out of memory generating chunk %d,%d,%d", cx, cy, cz);
        return NULL;
    }
    generator_fill(w->gen, c);
    c->version = 0;
    c->dirty = 0;
    w->generated++;
    return c;
}

static Entry *chunk_entry(World *w, int32_t cx, int32_t cy, int32_t cz, Err *err)
{
    if (cy < 0 || cy >= WORLD_CHUNKS_Y) {
        err_set(err, MA_ERR_INVALID, "chunk %d,%d,%d is outside the world (chunk y 0..%d)", cx, cy, cz,
                WORLD_CHUNKS_Y - 1);
        return NULL;
    }
    Entry *e = cache_find(w, cx, cy, cz);
    if (e) {
        lru_touch(w, e);
        return e;
    }
    Err local;
    Chunk *c = chunk_fetch(w, cx, cy, cz, err ? err : &local);
    if (!c)
        return NULL;
    e = cache_insert(w, c);
    if (!e) {
        chunk_free(c);
        err_set(err, MA_ERR_NOMEM, "out of memory caching chunk %d,%d,%d", cx, cy, cz);
        return NULL;
    }
    cache_evict(w, e);
    return e;
}

Chunk *world_chunk(World *w, int32_t cx, int32_t cy, int32_t cz, Err *err)
{
    Entry *e = chunk_entry(w, cx, cy, cz, err);
    return e ? e->chunk : NULL;
}

BlockId world_get_block(World *w, int32_t x, int32_t y, int32_t z)
{
    if (y < 0)
        return w->bedrock;
    if (y >= WORLD_HEIGHT)
        return BLOCK_AIR;
    int32_t cx = chunk_coord(x), cz = chunk_coord(z), cy = y / CHUNK_SIZE;
    Entry *e = w->head;
    if (!e || e->chunk->cx != cx || e->chunk->cy != cy || e->chunk->cz != cz) {
        Err err = {0};
        e = chunk_entry(w, cx, cy, cz, &err);
        if (!e) {
            /* Kept for world_take_error: the caller's action must not go on as if this were air. */
            if (w->load_error.code == MA_OK)
                w->load_error = err.code != MA_OK ? err : (Err){MA_ERR_IO, "a chunk could not be read"};
            return BLOCK_AIR;
        }
    }
    return chunk_get(e->chunk, chunk_local(x), y % CHUNK_SIZE, chunk_local(z));
}

static Entry *entry_for_change(World *w, int32_t x, int32_t y, int32_t z, Err *err)
{
    if (w->readonly) {
        err_set(err, MA_ERR_INVALID, "world '%s': %s is open read-only", w->name, save_path(w->save));
        return NULL;
    }
    if (y < 0 || y >= WORLD_HEIGHT) {
        err_set(err, MA_ERR_INVALID, "world '%s': y %d is outside the world (0..%d)", w->name, y, WORLD_HEIGHT - 1);
        return NULL;
    }
    return chunk_entry(w, chunk_coord(x), y / CHUNK_SIZE, chunk_coord(z), err);
}

int world_set_block(World *w, int32_t x, int32_t y, int32_t z, BlockId id, Err *err)
{
    if ((int)id >= blocks_count(w->reg))
        return err_set(err, MA_ERR_INVALID, "block id %d is not in the registry", id);
    Entry *e = entry_for_change(w, x, y, z, err);
    if (!e)
        return err ? err->code : MA_ERR_INVALID;
    Chunk *c = e->chunk;
    int lx = chunk_local(x), ly = y % CHUNK_SIZE, lz = chunk_local(z);
    if (chunk_get(c, lx, ly, lz) == id)
        return MA_OK;
    int had_array = c->blocks != NULL;
    if (chunk_set(c, lx, ly, lz, id) != MA_OK)
        return err_set(err, MA_ERR_NOMEM, "out of memory changing a block");
    /* A block's metadata belongs to it: a new block starts without. */
    if (c->n_meta)
        chunk_meta_set(c, CHUNK_INDEX(lx, ly, lz), NULL);
    mark_dirty(w, e);
    if (!had_array || c->n_meta)
        entry_remeasure(w, e);
    return MA_OK;
}

int world_set_block_meta(World *w, int32_t x, int32_t y, int32_t z, cJSON *metadata, Err *err)
{
    Entry *e = entry_for_change(w, x, y, z, err);
    if (!e) {
        cJSON_Delete(metadata);
        return err ? err->code : MA_ERR_INVALID;
    }
    if (chunk_meta_set(e->chunk, CHUNK_INDEX(chunk_local(x), y % CHUNK_SIZE, chunk_local(z)), metadata) != MA_OK)
        return err_set(err, MA_ERR_NOMEM, "out of memory changing block metadata");
    mark_dirty(w, e);
    entry_remeasure(w, e);
    return MA_OK;
}

void world_mark_dirty(World *w, int32_t cx, int32_t cy, int32_t cz)
{
    if (w->readonly || cy < 0 || cy >= WORLD_CHUNKS_Y)
        return;
    Entry *e = cache_find(w, cx, cy, cz);
    if (e) {
        mark_dirty(w, e);
        entry_remeasure(w, e);
    }
}

/* ------------------------------------------------------------ storing */

/* Encodes and upserts one chunk; *version receives the stored version. */
/* Writes c: an upsert that counts the version, or, when fresh (a chunk
 * generated for an area known to have none stored there), a plain insert at
 * version 1. */
static int store_chunk(World *w, const Chunk *c, int64_t *version, int fresh, Err *err)
{
    size_t len = 0;
    char *data = chunk_encode(c, w->reg, &len, err);
    if (!data)
        return err ? err->code : MA_ERR_NOMEM;
    char *structures = c->structures && cJSON_GetArraySize(c->structures) > 0
                           ? cJSON_PrintUnformatted(c->structures)
                           : NULL;
    const char *st = structures ? structures : "[]";
    int rc = fresh ? chunks_insert(w->save, w->id, c->cx, c->cy, c->cz, data, len, st, err)
                   : chunks_put(w->save, w->id, c->cx, c->cy, c->cz, data, len, st, version, err);
    if (fresh && rc == MA_OK)
        *version = 1;
    free(data);
    cJSON_free(structures);
    return rc;
}

void world_set_sync(World *w, int on) { w->sync = on && !w->readonly; }
int world_sync(const World *w) { return w->sync; }

/* For a synced world: notes in the change log what c changed since it was last stored (or
 * generated), block by block, in the transaction that stores it. */
static int record_changes(World *w, const Chunk *c, Err *err)
{
    Chunk *base = chunk_fetch(w, c->cx, c->cy, c->cz, err);
    if (!base)
        return err && err->code ? err->code : MA_ERR_IO;
    ChunkDiff d;
    int rc = chunk_diff(base, c, w->reg, &d);
    if (rc != MA_OK)
        rc = err_set(err, MA_ERR_NOMEM, "out of memory comparing chunk %d,%d,%d", c->cx, c->cy, c->cz);
    else
        rc = synclog_record_chunk(w->save, w->id, c->cx, c->cy, c->cz, d.blocks, d.n_blocks, d.meta, d.n_meta, err);
    chunk_diff_clear(&d);
    chunk_free(base);
    return rc;
}

int world_flush(World *w, Err *err)
{
    Err local;
    if (!err)
        err = &local;
    if (w->ndirty == 0)
        return MA_OK;
    if (w->readonly)
        return err_set(err, MA_ERR_INVALID, "world '%s': %s is open read-only", w->name, save_path(w->save));
    Entry **dirty = malloc((size_t)w->ndirty * sizeof *dirty);
    int64_t *versions = malloc((size_t)w->ndirty * sizeof *versions);
    uint64_t *hashes = malloc((size_t)w->ndirty * sizeof *hashes);
    int n = 0, rc;
    if (!dirty || !versions || !hashes) {
        rc = err_set(err, MA_ERR_NOMEM, "out of memory writing world '%s'", w->name);
        goto cleanup;
    }
    for (Entry *e = w->head; e && n < w->ndirty; e = e->next)
        if (e->chunk->dirty)
            dirty[n++] = e;
    /* Inside a unit of work the chunks go into its transaction; alone, into one of their own. */
    int own = !save_in_transaction(w->save);
    if (own && (rc = save_begin(w->save, err)) != MA_OK)
        goto cleanup;
    for (int i = 0; i < n; i++) {
        uint64_t h = hashes[i] = w->sync ? content_hash(dirty[i]->chunk) : 0;
        int same = w->sync && dirty[i]->sync_hashed && h == dirty[i]->sync_hash;
        if ((w->sync && !same && (rc = record_changes(w, dirty[i]->chunk, err)) != MA_OK) ||
            (rc = store_chunk(w, dirty[i]->chunk, &versions[i], 0, err)) != MA_OK) {
            if (own)
                save_rollback(w->save);
            err_prefix(err, "writing world '%s'", w->name);
            goto cleanup;
        }
    }
    if (own && (rc = save_commit(w->save, err)) != MA_OK)
        goto cleanup;
    /* Stored: in the caller's transaction, which must call world_forget if it rolls back. */
    for (int i = 0; i < n; i++) {
        dirty[i]->chunk->version = versions[i];
        dirty[i]->chunk->dirty = 0;
        if (w->sync) {
            dirty[i]->sync_hash = hashes[i];
            dirty[i]->sync_hashed = 1;
        }
    }
    w->ndirty -= n;
    w->stores += n;
cleanup:
    free(dirty);
    free(versions);
    free(hashes);
    return rc;
}

int world_batch_begin(World *w, Err *err) { return save_begin_read(w->save, err); }
int world_batch_end(World *w, Err *err) { return save_commit(w->save, err); }

int world_store_area(World *w, int32_t cx0, int32_t cz0, int32_t cx1, int32_t cz1,
                     void (*progress)(int done, int total, void *ud), void *ud, Err *err)
{
    Err local;
    if (!err)
        err = &local;
    if (w->readonly)
        return err_set(err, MA_ERR_INVALID, "world '%s': %s is open read-only", w->name, save_path(w->save));
    if (cx0 > cx1) {
        int32_t t = cx0;
        cx0 = cx1;
        cx1 = t;
    }
    if (cz0 > cz1) {
        int32_t t = cz0;
        cz0 = cz1;
        cz1 = t;
    }
    int64_t total64 = ((int64_t)cx1 - cx0 + 1) * ((int64_t)cz1 - cz0 + 1);
    if (total64 > INT32_MAX)
        return err_set(err, MA_ERR_INVALID, "the area of %lld chunk columns is too large", (long long)total64);
    int total = (int)total64, done = 0, in_tx = 0, rc;
    Chunk *scratch = NULL;
    if ((rc = world_flush(w, err)) != MA_OK)
        return rc;
    /* A new area (pregen, world creation) has nothing stored: no lookup per chunk. */
    int any_stored = chunks_any_in_area(w->save, w->id, cx0, cz0, cx1, cz1, err);
    if (any_stored < 0)
        return any_stored;
    for (int64_t cx = cx0; cx <= cx1; cx++) {
        for (int64_t cz = cz0; cz <= cz1; cz++) {
            if (!in_tx) {
                if ((rc = save_begin(w->save, err)) != MA_OK)
                    goto done;
                in_tx = 1;
            }
            for (int32_t cy = 0; cy < WORLD_CHUNKS_Y; cy++) {
                Entry *e = cache_find(w, (int32_t)cx, cy, (int32_t)cz);
                if (e && e->chunk->version > 0)
                    continue;
                if (!e && any_stored) {
                    rc = chunks_exists(w->save, w->id, (int32_t)cx, cy, (int32_t)cz, err);
                    if (rc < 0)
                        goto fail;
                    if (rc == 1)
                        continue;
                }
                if (!e) {
                    /* One scratch chunk for the whole area: generator_fill
                     * sets every block and resets entities and metadata. */
                    if (!scratch && !(scratch = chunk_new((int32_t)cx, cy, (int32_t)cz, BLOCK_AIR))) {
                        rc = err_set(err, MA_ERR_NOMEM, "out of memory generating chunks");
                        goto fail;
                    }
                    scratch->cx = (int32_t)cx;
                    scratch->cy = cy;
                    scratch->cz = (int32_t)cz;
                    generator_fill(w->gen, scratch);
                    w->generated++;
                }
                int64_t version = 0;
                rc = store_chunk(w, e ? e->chunk : scratch, &version, !e, err);
                if (rc != MA_OK)
                    goto fail;
                /* A cached unstored chunk is now stored (committed below). */
                if (e)
                    e->chunk->version = version;
                w->stores++;
            }
            done++;
            if (done % STORE_BATCH_COLUMNS == 0 || done == total) {
                if ((rc = save_commit(w->save, err)) != MA_OK)
                    goto done;
                in_tx = 0;
            }
            if (progress)
                progress(done, total, ud);
        }
    }
    rc = MA_OK;
    goto done;
fail:
    save_rollback(w->save);
    err_prefix(err, "storing world '%s'", w->name);
done:
    chunk_free(scratch);
    return rc;
}

void world_forget(World *w)
{
    while (w->head)
        cache_remove(w, w->head);
    err_clear(&w->load_error);
}

int world_take_error(World *w, Err *err)
{
    if (w->load_error.code == MA_OK)
        return MA_OK;
    int code = w->load_error.code;
    if (err)
        *err = w->load_error;
    err_clear(&w->load_error);
    return code;
}

void world_cache_stats(const World *w, WorldCacheStats *out)
{
    memset(out, 0, sizeof *out);
    out->bytes = w->bytes;
    out->budget = w->budget;
    out->chunks = w->count;
    out->dirty = w->ndirty;
    out->loads = w->loads;
    out->generated = w->generated;
    out->evictions = w->evictions;
    out->stores = w->stores;
}
