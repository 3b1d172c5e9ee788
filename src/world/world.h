/* world.h — a world in play: its row, generator, and a bounded chunk cache
 * over the save.
 *
 * Reading or changing a block at world coordinates is world_get_block /
 * world_set_block: the game, the tests and the tools all use them. Chunks
 * missing from the save are generated; changed chunks are marked dirty and
 * written back by world_flush in one transaction. The cache never holds more
 * than its byte budget (dirty chunks are flushed before eviction). */
#ifndef MA_WORLD_WORLD_H
#define MA_WORLD_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include "save/save.h"
#include "world/chunk.h"
#include "world/generator.h"

typedef struct World World;

/* Creates a world row (name unique) with seed and type; settings hold the
 * generator version (GENERATOR_VERSION). *id_out receives its id. */
int world_create(Save *s, const char *name, uint64_t seed, const char *world_type, int64_t *id_out, Err *err);
/* The same with an older generator version (GENERATOR_VERSION_OLDEST ..): a copy of a world
 * made elsewhere, which must come out as it does there. */
int world_create_version(Save *s, const char *name, uint64_t seed, const char *world_type, int version,
                         int64_t *id_out, Err *err);

/* The generator version a world's settings (worlds.settings) keep: 1 when they have none (the
 * world predates the setting). Returns 0 when it is there but not a whole number (a damaged
 * row; world_open refuses it), else 1. Whether this game knows that version is the caller's
 * question (GENERATOR_VERSION_OLDEST .. GENERATOR_VERSION). */
int world_settings_generator_version(const cJSON *settings, int *version);

/* Opens the world named `name` (or by id when name is NULL). The registry
 * is borrowed and must outlive the World. cache_bytes 0 means the default
 * (32 MiB). A read-only save gives a world that generates but never stores. */
int world_open(Save *s, const BlockRegistry *reg, const char *name, int64_t id, size_t cache_bytes,
               World **out, Err *err);
/* Flushes nothing: call world_flush first to keep changes. */
void world_close(World *w);

int64_t world_id(const World *w);
const char *world_name(const World *w);
uint64_t world_seed(const World *w);
Generator *world_generator(World *w);
const BlockRegistry *world_blocks(const World *w);

/* The chunk at chunk coordinates, loaded or generated; NULL on failure
 * (err set) or when cy is outside 0..WORLD_CHUNKS_Y-1. Borrowed: valid until
 * the next call that may evict. */
Chunk *world_chunk(World *w, int32_t cx, int32_t cy, int32_t cz, Err *err);

/* The block at world coordinates; air above the world, bedrock-like
 * "bedrock" below it. A chunk that cannot be read (damaged in the save, out
 * of memory) reads as air here, and the error is kept until
 * world_take_error: a game action checks it and is refused, so a broken
 * chunk is never played as air. */
BlockId world_get_block(World *w, int32_t x, int32_t y, int32_t z);
int world_set_block(World *w, int32_t x, int32_t y, int32_t z, BlockId id, Err *err);

/* Writes every dirty chunk (version + 1 each): inside the caller's
 * transaction when one is open (the caller calls world_forget if it rolls
 * back), else in one transaction of its own. */
int world_flush(World *w, Err *err);

/* Whether the world is shared through a sync server (read from the save at world_open): then
 * world_flush records every chunk's edits, block by block, in the sync change log of the
 * transaction that writes them (save/synclog.h). `sync share` and `sync get` turn it on. */
void world_set_sync(World *w, int on);
int world_sync(const World *w);

/* Drops every cached chunk without writing, so the next reads come from the
 * save: after rolling back a transaction that held the world's changes. */
void world_forget(World *w);

/* The first chunk read error world_get_block met since the last call (and
 * clears it): MA_OK when none, else its status with err filled. */
int world_take_error(World *w, Err *err);

/* Cache statistics, for the benchmark and tests. */
typedef struct WorldCacheStats {
    size_t bytes, budget;
    int chunks, dirty;
    int64_t loads, generated, evictions, stores;
} WorldCacheStats;
void world_cache_stats(const World *w, WorldCacheStats *out);

/* Takes ownership of metadata (NULL removes it) for the block at world
 * coordinates and marks its chunk dirty. */
int world_set_block_meta(World *w, int32_t x, int32_t y, int32_t z, cJSON *metadata, Err *err);
/* Marks a cached chunk dirty after changing it directly (entities,
 * structures, metadata through world_chunk); no-op when not cached. */
void world_mark_dirty(World *w, int32_t cx, int32_t cy, int32_t cz);

/* Holds one read transaction over many chunk loads (render, map, bench): one
 * lookup then costs a couple of microseconds instead of an autocommit
 * statement. It is a unit of its own: not inside another transaction. */
int world_batch_begin(World *w, Err *err);
int world_batch_end(World *w, Err *err);

/* Generates and stores every chunk of the chunk columns in the rectangle
 * (cx0..cx1, cz0..cz1 inclusive, every cy) that is not stored yet, in
 * batched transactions of its own (so never inside another transaction); used by `pregen` and world creation. Dirty cached
 * chunks are flushed first; stored chunks are left as they are. progress
 * (may be NULL) is called after each column with done and total columns. */
int world_store_area(World *w, int32_t cx0, int32_t cz0, int32_t cx1, int32_t cz1,
                     void (*progress)(int done, int total, void *ud), void *ud, Err *err);

#endif
