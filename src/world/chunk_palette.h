/* chunk_palette.h — the "rle" member of block_data's palette form: the
 * 4096 blocks as run tokens over palette indices, in base64 (see
 * docs/chunk-format.md). Used by chunk_codec.c, which writes and reads the
 * rest of the form (the palette of names, metadata, entities). */
#ifndef MA_WORLD_CHUNK_PALETTE_H
#define MA_WORLD_CHUNK_PALETTE_H

#include <stddef.h>
#include <stdint.h>

#include "world/chunk.h"

/* The longest "rle" text: 3 bytes of tokens a block at most, in base64. */
#define CHUNK_PALETTE_RLE_MAX (4 * CHUNK_VOLUME)

/* Writes the "rle" text for 4096 palette indices (each < palette_size) to
 * out (CHUNK_PALETTE_RLE_MAX bytes, no NUL); returns its length. */
size_t chunk_palette_rle_encode(const uint8_t *idx, int palette_size, char *out);

/* Decodes "rle" text (n bytes) into 4096 block ids through map (palette
 * index -> block id). Returns NULL, or the reason the text is refused. */
const char *chunk_palette_rle_decode(const char *b64, size_t n, const BlockId *map, int palette_size, uint8_t *blocks);

#endif
