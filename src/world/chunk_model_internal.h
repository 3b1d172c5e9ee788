/* chunk_model_internal.h — what the coder (chunk_model.c) and the loading of
 * its tables (chunk_model_load.c) share: the sizes of the model and the model
 * itself. Not for other modules: they use chunk_model.h. */
#ifndef MA_CHUNK_MODEL_INTERNAL_H
#define MA_CHUNK_MODEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "world/chunk_model.h"

#define CM_NONE CHUNK_MODEL_MAX_BLOCKS /* c0 when a cell has no neighbour */
#define CM_C0 (CHUNK_MODEL_MAX_BLOCKS + 1)
#define CM_PATTERNS 64
#define CM_SYM_PATTERNS (2 * CM_PATTERNS) /* and whether two below equals below */
#define CM_BANDS 5 /* depth bands of chunk y: 0, 1, 2-3, 4-7, 8-15 (ores and caves go by depth) */
#define CM_LIT (CM_BANDS * 2 * CM_C0) /* literal contexts: band, after a run or after symbol 3, c0 */
#define CM_RUNCTX (CM_BANDS * CM_C0) /* run contexts: band, c0 of the cell that opens it */
#define CM_RUN_BUCKETS 13 /* R + 1 in [2^k, 2^(k+1)), R + 1 <= 4097 */
#define SCALE_BITS 12
#define SCALE (1u << SCALE_BITS)
#define RADIX 92u
#define RANS_L (RADIX * RADIX * SCALE) /* 34,668,544: a multiple of SCALE */
#define RANS_XMAX_UNIT ((RANS_L / SCALE) * RADIX)
#define STATE_DIGITS 5                 /* 92^5 > 92 L */
#define VOLUME 4096
#define CV_SHAPES 64 /* which of a vein cell's six neighbours the vein grows into */

/* The 92 digits of the coder, each a printable character that needs no escape in JSON. */
static const char digit_chars[] = "!#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`"
                                  "abcdefghijklmnopqrstuvwxyz{|}~";

struct ChunkModel {
    int count;
    char names[CHUNK_MODEL_MAX_BLOCKS][32];
    uint16_t sym_cum[CM_SYM_PATTERNS * CM_C0][5]; /* [(p | twice << 6) * CM_C0 + c0] */
    uint16_t lit_cum[CM_LIT][CHUNK_MODEL_MAX_BLOCKS + 1];
    uint16_t run_cum[CM_RUNCTX][CM_RUN_BUCKETS + 1];
    uint8_t lit_start[CM_LIT][64]; /* the literal whose range holds slot 64 k, for a short search */
    uint8_t run_start[CM_RUNCTX][64]; /* the same for run buckets */
    uint8_t digit_of[256];        /* character -> digit, 0xFF when not one */
    /* The veins of "c2" (the c2 model only; see the veins section). */
    int has_veins;
    uint16_t vcount_cum[CM_BANDS][CM_RUN_BUCKETS + 1];
    uint16_t vgap_cum[CM_BANDS][CM_RUN_BUCKETS + 1];
    uint16_t vtype_cum[CM_BANDS][CHUNK_MODEL_MAX_BLOCKS + 1];
    uint16_t vshape_cum[CHUNK_MODEL_MAX_BLOCKS][CV_SHAPES + 1];
    uint8_t vcount_start[CM_BANDS][64], vgap_start[CM_BANDS][64], vtype_start[CM_BANDS][64];
    uint8_t vshape_start[CHUNK_MODEL_MAX_BLOCKS][64];
    /* The encoder's choice of vein cells (not part of the format): */
    int stone;                                /* the model id of stone, -1 when none */
    uint8_t vein_kind[256];                   /* 1: a vein block */
    uint8_t vein_ids[8]; /* the vein blocks */
    int vein_nids;
};

/* Reads a model file's text (data/chunk_model*.json) into m; NULL, or why it is refused. */
const char *chunk_model_parse(ChunkModel *m, const char *text, size_t len);

#endif
