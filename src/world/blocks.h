/* blocks.h — the block registry, loaded from data/blocks.json.
 *
 * A block type is named ("stone", "oak_log"); in memory it is a BlockId, its
 * index in the registry. Index 0 is always "air". At most 256 types, so a
 * chunk holds one byte per block. */
#ifndef MA_WORLD_BLOCKS_H
#define MA_WORLD_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef uint8_t BlockId;
#define BLOCK_AIR ((BlockId)0)
#define BLOCKS_MAX 256

typedef struct BlockDef {
    char name[32];
    char glyph_ascii;     /* one printable ASCII character */
    char glyph_utf8[8];   /* one Unicode character, UTF-8 encoded */
    uint8_t color256;     /* xterm-256 foreground */
    uint8_t color8;       /* 0..7 basic foreground (black red green yellow blue magenta cyan white) */
    uint8_t rgb[3];       /* for the PNG map */
    unsigned solid : 1;   /* blocks movement */
    unsigned liquid : 1;  /* water, lava */
    unsigned transparent : 1; /* light and sight pass (air, glass, leaves, plants) */
    unsigned has_metadata : 1; /* carries per-block metadata (chest, sign, door) */
    unsigned climbable : 1;    /* ladders */
    unsigned light : 1;        /* lights what is near it at night, and nothing hostile spawns there
                                  (torch, lantern) */
    unsigned replaceable : 1;  /* a placed block takes its cell without digging (tall grass); air and
                                  liquids always may be built into */
    unsigned tall : 1;         /* two blocks high (a door): one item placed fills its cell and the one
                                  above when that is free, and digging either half takes both */
    float hardness;       /* seconds to dig by hand; <0: cannot be dug */
    char tool[16];        /* "pickaxe", "axe", "shovel", "" (any) */
    char drop[32];        /* item name dropped when dug, "" for nothing */
    int drop_count;
} BlockDef;

typedef struct BlockRegistry BlockRegistry;

/* Parses a registry from JSON text. source names the file in messages.
 * A malformed or inconsistent file is refused with file, entry and reason. */
int blocks_load(const char *json_text, size_t len, const char *source, BlockRegistry **out, Err *err);
/* Loads data/blocks.json (embedded, or from $MAGIC_DATA_DIR). */
int blocks_load_default(BlockRegistry **out, Err *err);
void blocks_free(BlockRegistry *r);

int blocks_count(const BlockRegistry *r);
/* The definition of id; ids out of range give the air definition. */
const BlockDef *blocks_get(const BlockRegistry *r, BlockId id);
/* The id of a named block, or -1. */
int blocks_find(const BlockRegistry *r, const char *name);
/* The same for a name of len bytes (not NUL-terminated), or -1. */
int blocks_find_n(const BlockRegistry *r, const char *name, size_t len);

#endif
