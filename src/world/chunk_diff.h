/* chunk_diff.h — what changed between two states of one chunk, block by block.
 *
 * Sync records a chunk edit as the blocks and block metadata that differ between the chunk as
 * it was last stored (or generated) and as it is now: world_flush diffs each changed chunk of a
 * synced world, `sync share` diffs every stored chunk against the generator. Entities (creatures,
 * villagers walking about, items on the ground) are each game's own and are not compared. */
#ifndef MA_WORLD_CHUNK_DIFF_H
#define MA_WORLD_CHUNK_DIFF_H

#include "save/synclog.h"
#include "world/chunk.h"

typedef struct ChunkDiff {
    SyncBlockChange *blocks; /* heap; names borrowed from the registry */
    int n_blocks;
    SyncMetaChange *meta;    /* heap; values borrowed from the two chunks */
    int n_meta;
} ChunkDiff;

/* Fills out with the differences from base to now (same coordinates). MA_ERR_NOMEM or MA_OK. */
int chunk_diff(const Chunk *base, const Chunk *now, const BlockRegistry *reg, ChunkDiff *out);
void chunk_diff_clear(ChunkDiff *d);

#endif
