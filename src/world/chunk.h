/* chunk.h — a 16×16×16 piece of the world in memory.
 *
 * Coordinates: x east, z south, y up. The world is unbounded in x and z and
 * spans y = 0 .. WORLD_HEIGHT-1 (chunk_y 0 .. WORLD_CHUNKS_Y-1); sea level is
 * SEA_LEVEL. Blocks are stored y-major (index = (y*16 + z)*16 + x) so that a
 * horizontal slice, what the map draws, is 256 contiguous bytes. A chunk all
 * of one block (all air, all stone) holds no array at all. */
#ifndef MA_WORLD_CHUNK_H
#define MA_WORLD_CHUNK_H

#include <stdint.h>

#include <cJSON.h>

#include "world/blocks.h"

#define CHUNK_SIZE 16
#define CHUNK_VOLUME 4096
#define WORLD_HEIGHT 256
#define WORLD_CHUNKS_Y (WORLD_HEIGHT / CHUNK_SIZE)
#define SEA_LEVEL 64
/* |chunk x| and |chunk z| that the sync client and server take: every cell's world coordinate
 * (chunk * 16 + 0..15) fits in 32 bits; at 1 << 27 it had reached 2^31. */
#define CHUNK_XZ_MAX ((1 << 27) - 1)

#define CHUNK_INDEX(x, y, z) ((((y) << 4 | (z)) << 4) | (x))

/* A block that carries metadata (chest contents, sign text, door state). */
typedef struct ChunkMeta {
    uint16_t index;  /* CHUNK_INDEX of the block */
    cJSON *metadata; /* owned object */
} ChunkMeta;

typedef struct Chunk {
    int32_t cx, cy, cz;
    uint8_t *blocks;    /* CHUNK_VOLUME BlockIds, or NULL when all are `uniform` */
    BlockId uniform;
    int64_t version;    /* the stored version (0: never stored) */
    unsigned dirty : 1; /* changed since stored */
    ChunkMeta *meta;    /* heap array of n_meta */
    int n_meta;
    cJSON *entities;    /* owned array (the design's "entities"), never NULL */
    cJSON *structures;  /* owned array of landmark objects, never NULL */
} Chunk;

/* A new chunk filled with one block; NULL when out of memory. */
Chunk *chunk_new(int32_t cx, int32_t cy, int32_t cz, BlockId fill);
void chunk_free(Chunk *c);

static inline BlockId chunk_get(const Chunk *c, int x, int y, int z)
{
    return c->blocks ? c->blocks[CHUNK_INDEX(x, y, z)] : c->uniform;
}

/* Sets a block (local coordinates 0..15); returns MA_ERR_NOMEM on failure.
 * Does not mark the chunk dirty: the world does. */
int chunk_set(Chunk *c, int x, int y, int z, BlockId id);
/* Drops the array when every block is the same. */
void chunk_compact(Chunk *c);
/* True when every block is the same (after compacting or not). */
int chunk_is_uniform(const Chunk *c);

/* Metadata of the block at index, or NULL. */
cJSON *chunk_meta_get(const Chunk *c, int index);
/* Takes ownership of metadata (NULL removes it). */
int chunk_meta_set(Chunk *c, int index, cJSON *metadata);

/* The entity whose "id" is id in c's entities, or NULL; its place in the list goes to *index
 * (-1 when none; index may be NULL). */
cJSON *chunk_entity_find(const Chunk *c, const char *id, int *index);

/* Bytes of heap this chunk holds, struct included (for the cache bound). */
size_t chunk_memory(const Chunk *c);

/* Floor division helpers: world coordinate -> chunk coordinate and local. */
static inline int32_t chunk_coord(int32_t w) { return w >= 0 ? w / CHUNK_SIZE : -((-w + CHUNK_SIZE - 1) / CHUNK_SIZE); }
static inline int chunk_local(int32_t w) { return (int)(w - chunk_coord(w) * CHUNK_SIZE); }

#endif
