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
 * generator version. *id_out receives its id. */
int world_create(Save *s, const char *name, uint64_t seed, const char *world_type, int64_t *id_out, Err *err);

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
 * "bedrock" below it. Errors read as air. */
BlockId world_get_block(World *w, int32_t x, int32_t y, int32_t z);
int world_set_block(World *w, int32_t x, int32_t y, int32_t z, BlockId id, Err *err);

/* Writes every dirty chunk in one transaction (version + 1 each). */
int world_flush(World *w, Err *err);

/* Cache statistics, for the benchmark and tests. */
typedef struct WorldCacheStats {
    size_t bytes, budget;
    int chunks, dirty;
    int64_t loads, generated, evictions, stores;
} WorldCacheStats;
void world_cache_stats(const World *w, WorldCacheStats *out);

#endif
