/* chunks.h — the world_chunks table: stored chunk JSON by coordinates.
 *
 * Reads are meant to run inside a read transaction (save_begin) held over
 * many lookups; writes inside one write transaction per batch. */
#ifndef MA_SAVE_CHUNKS_H
#define MA_SAVE_CHUNKS_H

#include <stddef.h>
#include <stdint.h>

#include "save/save.h"

typedef struct ChunkRow {
    char *block_data;  /* heap, NUL-terminated */
    size_t block_len;
    char *structures;  /* heap JSON array text */
    int64_t version;   /* 1 .. INT64_MAX */
} ChunkRow;

void chunk_row_clear(ChunkRow *r);

/* MA_ERR_NOT_FOUND when the chunk is not stored. */
int chunks_get(Save *s, int64_t world_id, int32_t cx, int32_t cy, int32_t cz, ChunkRow *out, Err *err);
/* Inserts or replaces; the stored version becomes the old one + 1 (1 when
 * new) and is written to *version_out when not NULL. A chunk whose version
 * is already INT64_MAX is refused (MA_ERR_CONSTRAINT) and left unchanged. */
int chunks_put(Save *s, int64_t world_id, int32_t cx, int32_t cy, int32_t cz, const char *block_data,
               size_t block_len, const char *structures, int64_t *version_out, Err *err);
/* Stores a chunk that is not stored yet, at version 1 (a chunk already
 * stored is refused: MA_ERR_CONSTRAINT). For storing new areas. */
int chunks_insert(Save *s, int64_t world_id, int32_t cx, int32_t cy, int32_t cz, const char *block_data,
                  size_t block_len, const char *structures, Err *err);
/* Whether world_id has any stored chunk in the columns cx0..cx1, cz0..cz1
 * (1 or 0, or a negative status): world_store_area skips its existence
 * checks for an area with none. */
int chunks_any_in_area(Save *s, int64_t world_id, int32_t cx0, int32_t cz0, int32_t cx1, int32_t cz1, Err *err);
int chunks_exists(Save *s, int64_t world_id, int32_t cx, int32_t cy, int32_t cz, Err *err);
/* Visits every stored chunk of a world (for verify and tools). fn returns
 * non-zero to stop. */
typedef int (*ChunkVisitFn)(int32_t cx, int32_t cy, int32_t cz, const char *block_data, size_t len,
                            const char *structures, int64_t version, void *ud);
int chunks_each(Save *s, int64_t world_id, ChunkVisitFn fn, void *ud, Err *err);

#endif
