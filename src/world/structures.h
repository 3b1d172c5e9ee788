/* structures.h — villages, ruins, dungeons and shrines.
 *
 * The world is cut into regions of STRUCT_REGION_CHUNKS × STRUCT_REGION_CHUNKS
 * chunks. Each region's structures are planned from a hash of (seed, region)
 * alone — where they stand, what pieces they are made of, who lives there —
 * and every structure's box lies inside its region. Filling a chunk stamps
 * the part of every structure piece that overlaps it, so a building that
 * crosses chunk borders comes out whole in whatever order chunks are made.
 *
 * A piece is described by a pure function from world position to block
 * (structures_piece_block): stamping and the tests both use it. */
#ifndef MA_WORLD_STRUCTURES_H
#define MA_WORLD_STRUCTURES_H

#include <stdint.h>

#include "world/chunk.h"
#include "world/generator.h"

#define STRUCT_REGION_CHUNKS 8
#define STRUCT_REGION_BLOCKS (STRUCT_REGION_CHUNKS * CHUNK_SIZE)
#define STRUCT_MAX_PER_REGION 2
#define STRUCT_MAX_PIECES 32
#define STRUCT_MAX_NPCS 20

/* The block ids structures build with (looked up once by name). */
typedef struct StructBlocks {
    BlockId air, stone, dirt, grass, sand, gravel, water, cobblestone, mossy_cobblestone, planks, brick,
        glass, torch, chest, door, oak_log, bed, workbench, furnace, alchemy_table, farmland, wheat,
        sandstone, obsidian, ladder;
} StructBlocks;

typedef enum PieceKind {
    PIECE_PATH,    /* a one-block-wide line following the ground */
    PIECE_STEP,    /* the path cell before a door, at the floor's level */
    PIECE_FARM,    /* farmland and wheat around a water row */
    PIECE_WELL,
    PIECE_HOUSE,
    PIECE_RUIN,    /* broken walls */
    PIECE_DUNGEON, /* an underground room with chests */
    PIECE_SHRINE,  /* an underground brick chamber with an alchemy table */
    PIECE_SHAFT,   /* a walled ladder shaft from the surface down to a dungeon's or shrine's doorway */
} PieceKind;

typedef struct StructPiece {
    uint8_t kind;    /* PieceKind */
    uint8_t facing;  /* the wall with the door: 0 -z, 1 +x, 2 +z, 3 -x */
    uint32_t variant; /* hash bits for details */
    int32_t base_y;  /* floor level (the ground block) */
    int32_t x0, y0, z0, x1, y1, z1; /* inclusive world box */
} StructPiece;

typedef struct StructNpc {
    int32_t x, y, z; /* world position of the block the villager stands in */
    char role[8];    /* smith, farmer, guard, priest, trader */
    char name[24];
} StructNpc;

typedef struct StructPlan {
    GenStructure info; /* type, name, bounding box of all pieces but a shaft */
    int32_t box[6];    /* x0, y0, z0, x1, y1, z1 (inclusive) of all pieces: what is stamped */
    int n_pieces;
    StructPiece pieces[STRUCT_MAX_PIECES]; /* stamped in this order */
    int n_npcs;
    StructNpc npcs[STRUCT_MAX_NPCS];
} StructPlan;

struct RegionPlan {
    int32_t rx, rz;
    int n;
    StructPlan s[STRUCT_MAX_PER_REGION];
};

/* Looks up the ids; returns the name of the first missing block, or NULL. */
const char *structures_blocks_init(StructBlocks *ids, const BlockRegistry *reg);

/* The region holding world block coordinate v (floor division). */
static inline int32_t structures_region_of(int32_t v)
{
    return v >= 0 ? v / STRUCT_REGION_BLOCKS : -((-v + STRUCT_REGION_BLOCKS - 1) / STRUCT_REGION_BLOCKS);
}

/* Plans region (rx, rz) of g's world. Uses generator_surface_y and
 * generator_biome for the terrain; deterministic in (seed, rx, rz). */
void structures_plan_region(Generator *g, uint64_t seed, int32_t rx, int32_t rz, RegionPlan *out);

/* The block piece p puts at world (x, y, z), or -1 where it leaves the
 * world as it is. ground is the terrain height at (x, z) (only paths follow
 * the ground). */
int structures_piece_block(const StructPiece *p, const StructBlocks *ids, int32_t x, int32_t y, int32_t z,
                           int ground);

/* Chest contents for the chest at (x, y, z): {"items":[{"item","count"}..]}
 * (heap; the caller owns it). Deterministic in seed and position. */
cJSON *structures_chest_loot(uint64_t seed, int kind, int32_t x, int32_t y, int32_t z);

/* Stamps every structure of rp overlapping chunk (cx, cy, cz) into blocks
 * (CHUNK_VOLUME ids, CHUNK_INDEX order); heights holds the terrain height of
 * the chunk's 16×16 columns at [z*16+x]. Appends the landmark objects and
 * villager entities to c->structures and c->entities, and chest loot
 * to meta_out (at most meta_max; CHUNK_INDEX in meta_index). Returns how many
 * metadata objects were written (the caller sets them on the chunk). */
int structures_stamp(const RegionPlan *rp, const StructBlocks *ids, uint64_t seed, Chunk *c, uint8_t *blocks,
                     const int16_t *heights, int *meta_index, cJSON **meta_out, int meta_max);

/* True when world column (x, z) is inside a surface structure of rp grown by
 * margin blocks (no trees grow there). */
int structures_column_reserved(const RegionPlan *rp, int32_t x, int32_t z, int margin);

#endif
