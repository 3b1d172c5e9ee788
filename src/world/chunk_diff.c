/* chunk_diff.c — see chunk_diff.h. */
#include "world/chunk_diff.h"

#include <stdlib.h>
#include <string.h>

static int same_meta(const cJSON *a, const cJSON *b)
{
    if (!a || !b)
        return !a && !b;
    return cJSON_Compare(a, b, 1);
}

int chunk_diff(const Chunk *base, const Chunk *now, const BlockRegistry *reg, ChunkDiff *out)
{
    memset(out, 0, sizeof *out);
    int cap = 0;
    if (base->blocks || now->blocks || base->uniform != now->uniform) {
        for (int i = 0; i < CHUNK_VOLUME; i++) {
            int x = i & 15, z = (i >> 4) & 15, y = i >> 8;
            BlockId a = chunk_get(base, x, y, z), b = chunk_get(now, x, y, z);
            if (a == b)
                continue;
            if (out->n_blocks == cap) {
                cap = cap ? cap * 2 : 16;
                SyncBlockChange *grown = realloc(out->blocks, (size_t)cap * sizeof *grown);
                if (!grown) {
                    chunk_diff_clear(out);
                    return MA_ERR_NOMEM;
                }
                out->blocks = grown;
            }
            out->blocks[out->n_blocks++] = (SyncBlockChange){(uint8_t)x, (uint8_t)y, (uint8_t)z,
                                                             blocks_get(reg, a)->name, blocks_get(reg, b)->name};
        }
    }
    /* Metadata by block: every index either side holds. */
    int most = base->n_meta + now->n_meta;
    if (most > 0) {
        out->meta = calloc((size_t)most, sizeof *out->meta);
        if (!out->meta) {
            chunk_diff_clear(out);
            return MA_ERR_NOMEM;
        }
    }
    for (int side = 0; side < 2; side++) {
        const Chunk *c = side ? now : base;
        for (int i = 0; i < c->n_meta; i++) {
            int index = c->meta[i].index;
            if (side == 1 && chunk_meta_get(base, index))
                continue; /* seen from the base's side */
            const cJSON *a = chunk_meta_get(base, index), *b = chunk_meta_get(now, index);
            if (same_meta(a, b))
                continue;
            out->meta[out->n_meta++] = (SyncMetaChange){(uint8_t)(index & 15), (uint8_t)(index >> 8),
                                                        (uint8_t)((index >> 4) & 15), a, b};
        }
    }
    return MA_OK;
}

void chunk_diff_clear(ChunkDiff *d)
{
    free(d->blocks);
    free(d->meta);
    memset(d, 0, sizeof *d);
}
