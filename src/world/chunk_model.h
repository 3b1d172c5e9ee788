/* chunk_model.h — the cell coder of block_data's "c1" form.
 *
 * The 4096 blocks of a chunk are coded cell by cell in y-major order, each
 * predicted from the three neighbours already known: below (index - 256),
 * north (- 16) and west (- 1). A cell whose known neighbours (at least two)
 * all agree is "easy": runs of easy cells that match are coded as one run
 * length. Any other cell codes which neighbour it copies, or a literal block.
 * The symbols go through a range coder (rANS) with static frequency tables
 * trained on generated chunks (data/chunk_model.json, compiled in and never
 * read from MAGIC_DATA_DIR), whose output digits are 92 printable ASCII
 * characters, so the result is JSON string text as it is (no base64).
 *
 * Cells are model ids: positions in the model's block list ("blocks" in the
 * JSON), which is data/blocks.json's order when the model was trained. A
 * model, once shipped, never changes: data written with it must decode the
 * same forever (tests/test_chunk_codec.c holds a fixed payload). A better
 * model is a new file and a new key, as "c2" is. See docs/chunk-format.md. */
#ifndef MA_WORLD_CHUNK_MODEL_H
#define MA_WORLD_CHUNK_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define CHUNK_MODEL_MAX_BLOCKS 64
/* Longest text chunk_model_encode can write (a hostile worst case). */
#define CHUNK_MODEL_TEXT_MAX 40000

typedef struct ChunkModel ChunkModel;

/* The compiled-in model, loaded on first use (thread-safe); NULL with err
 * set when the embedded file is damaged (a build error, caught by tests). */
const ChunkModel *chunk_model_get(Err *err);

int chunk_model_count(const ChunkModel *m);
const char *chunk_model_name(const ChunkModel *m, int id);
/* The model id of a block name, or -1. */
int chunk_model_find(const ChunkModel *m, const char *name);

/* Codes the 4096 ids (each < CHUNK_MODEL_MAX_BLOCKS) of a chunk at chunk
 * y cy (some tables go by depth: ores and caves do) into out, which holds at
 * least CHUNK_MODEL_TEXT_MAX bytes. Returns the text's length (no NUL), or
 * 0 when an id is not below chunk_model_count. *used receives the set of
 * ids that occur (bit i: id i) either way. */
size_t chunk_model_encode(const ChunkModel *m, const uint8_t *cells, int cy, char *out, uint64_t *used);

/* Decodes text into the 4096 model ids of a chunk at chunk y cy. Returns NULL, or the reason the text is
 * not a valid coding. *used receives the set of ids that occur. */
const char *chunk_model_decode(const ChunkModel *m, const char *text, size_t len, int cy, uint8_t *cells,
                               uint64_t *used);

/* The "c2" form: the same cells with the model of data/chunk_model_c2.json,
 * after the veins (ores and granite) are taken out of them and replaced by
 * stone; the veins follow in the same text, each a first cell and its type,
 * then grown breadth first, a set of neighbours at a time
 * (docs/chunk-format.md). Fewer coded symbols than "c1" for the same chunk:
 * a vein cell costs about one symbol instead of the several it and its
 * neighbours cost among the cells. */
#define CHUNK_MODEL_C2_TEXT_MAX 60000

/* The compiled-in "c2" model (thread-safe); NULL with err set when damaged. */
const ChunkModel *chunk_model_get_c2(Err *err);
/* As chunk_model_encode, with m the c2 model, into out of at least
 * CHUNK_MODEL_C2_TEXT_MAX bytes. */
size_t chunk_model_encode_c2(const ChunkModel *m, const uint8_t *cells, int cy, char *out, uint64_t *used);
/* As chunk_model_decode, for "c2" text and the c2 model. */
const char *chunk_model_decode_c2(const ChunkModel *m, const char *text, size_t len, int cy, uint8_t *cells,
                                  uint64_t *used);

/* Training (bench codec-model): symbol counts over many chunks. */
typedef struct ChunkModelCounts ChunkModelCounts;
ChunkModelCounts *chunk_model_counts_new(void);
void chunk_model_counts_free(ChunkModelCounts *k);
/* Counts one chunk of ids (each < CHUNK_MODEL_MAX_BLOCKS). */
void chunk_model_counts_add(ChunkModelCounts *k, const uint8_t *cells, int cy);
/* Counts one chunk as "c2" codes it: its veins taken out as model m (whose
 * block names are the ids') would. */
void chunk_model_counts_add_c2(ChunkModelCounts *k, const ChunkModel *m, const uint8_t *cells, int cy);
/* The model file for these counts and block names, as heap JSON text the
 * caller frees; NULL when out of memory. */
char *chunk_model_counts_json(const ChunkModelCounts *k, const char *const *names, int count);

#endif
