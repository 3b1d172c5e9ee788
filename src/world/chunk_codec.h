/* chunk_codec.h — world_chunks.block_data: a chunk as compact JSON.
 *
 * Written forms (see docs/chunk-format.md): {"c1":"<model-coded cells>"}
 * for a chunk that holds terrain, {"palette":["stone"]} for a uniform one,
 * {"palette":[...],"rle":"<base64 runs>"} when a block is unknown to the
 * model; then "blocks":{"x,y,z":{"type":..,"metadata":{...}}} for blocks
 * with metadata and "entities":[...]. The decoder also reads the design's
 * plain sparse form, {"blocks":{"x,y,z":{...}}} or {"blocks":[{"x":..,
 * "y":..,"z":..,"type":..}]}, every non-air block listed.
 * Hostile input (bad JSON, wrong lengths, unknown names, huge numbers,
 * more than CHUNK_MAX_ENTITIES entities) is refused with an error, never a
 * crash. */
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

/* Encodes in the palette form even where the model form is smaller, so that
 * the block names present stand in "palette" for a JSONB containment search
 * (the sync server stores chunks so, under its GIN index). */
char *chunk_encode_palette(const Chunk *c, const BlockRegistry *reg, size_t *len, Err *err);

/* Encodes in the design's plain sparse form (every non-air block listed),
 * used by the benchmark's comparison and by export. */
char *chunk_encode_sparse(const Chunk *c, const BlockRegistry *reg, size_t *len, Err *err);

/* Decodes block_data (either form) into a new chunk at (cx, cy, cz).
 * structures_json may be NULL. */
int chunk_decode(const char *json, size_t len, const char *structures_json, const BlockRegistry *reg,
                 int32_t cx, int32_t cy, int32_t cz, Chunk **out, Err *err);

#endif
