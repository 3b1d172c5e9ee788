/* chunk_codec.h — world_chunks.block_data: a chunk as compact JSON.
 *
 * Written form (see docs/chunk-format.md):
 *   {"palette":["air","stone",...], "rle":"<base64 run-length indices>",
 *    "blocks":{"x,y,z":{"type":"chest","metadata":{...}}}, "entities":[...]}
 * A uniform chunk is {"palette":["stone"]}. The decoder also reads the
 * design's plain sparse form {"blocks":{"x,y,z":{"type":..,"metadata":..}}}
 * with every non-air block listed (missing blocks are air).
 * Hostile input (bad JSON, wrong lengths, unknown names, huge numbers) is
 * refused with an error, never a crash. */
#ifndef MA_WORLD_CHUNK_CODEC_H
#define MA_WORLD_CHUNK_CODEC_H

#include <stddef.h>

#include "world/chunk.h"

/* The most entities a chunk may hold: far above what the game makes (a
 * village's villagers, the creatures about, item piles on the ground);
 * a stored chunk with more is refused, and so is encoding one. */
#define CHUNK_MAX_ENTITIES 4096

/* Encodes c's blocks, metadata and entities. Returns heap text the caller
 * frees (with free), its length in *len; NULL with err set on failure. */
char *chunk_encode(const Chunk *c, const BlockRegistry *reg, size_t *len, Err *err);

/* Encodes in the design's plain sparse form (every non-air block listed),
 * used by the benchmark's comparison and by export. */
char *chunk_encode_sparse(const Chunk *c, const BlockRegistry *reg, size_t *len, Err *err);

/* Decodes block_data (either form) into a new chunk at (cx, cy, cz).
 * structures_json may be NULL. */
int chunk_decode(const char *json, size_t len, const char *structures_json, const BlockRegistry *reg,
                 int32_t cx, int32_t cy, int32_t cz, Chunk **out, Err *err);

#endif
