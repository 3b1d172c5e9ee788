/* generator_internal.h — what the generator's files share: the generator's state, its caches and
 * block ids, and its seeded hash. generator.c sets up and fills a chunk in order (terrain,
 * bedrock, caves, ores, trees, plants, structures) from generator_terrain.c, generator_caves.c,
 * generator_ores.c and generator_trees.c; generator_spawn.c finds structures and the spawn.
 * Not for other modules: they include world/generator.h. */
#ifndef MA_WORLD_GENERATOR_INTERNAL_H
#define MA_WORLD_GENERATOR_INTERNAL_H

#include <stdint.h>

#include "world/generator.h"
#include "world/noise.h"
#include "world/structures.h"

/* Clang contracts a*b+c into one fused multiply-add where the CPU has one,
 * which rounds differently; keep every machine on plain IEEE arithmetic
 * (GCC in ISO C mode never contracts, and warns about this pragma). */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define COL_CACHE 16       /* column height maps kept (power of two) */
#define PLAN_CACHE 16      /* region plans kept (power of two) */
#define TREE_REACH 2       /* leaves reach this far from the trunk */
#define TREE_SPAN (CHUNK_SIZE + 2 * TREE_REACH)
#define MAX_TREES 160
#define CAVE_STEP 4        /* cave noise lattice spacing */
#define CAVE_N (CHUNK_SIZE / CAVE_STEP + 1)
#define LAVA_LEVEL 10      /* caves at or below fill with lava */
#define SNOW_LINE 94
#define MAX_META 16

enum { SALT_TREE = 0x7472, SALT_ORE, SALT_BEDROCK, SALT_COLUMN };
enum { TREE_OAK, TREE_PINE, TREE_CACTUS };

typedef struct TerrainSample {
    int h;        /* top solid block */
    Biome biome;
    double temp;  /* -1 cold .. 1 hot */
    int beach;
} TerrainSample;

typedef struct TreeSpot {
    int32_t x, z;
    int16_t ground; /* the block the trunk stands on */
    uint8_t kind, height;
} TreeSpot;

/* One chunk column's worth of terrain. */
typedef struct Column {
    int32_t cx, cz;
    int valid;
    int16_t h[CHUNK_SIZE * CHUNK_SIZE]; /* [z*16+x] */
    uint8_t biome[CHUNK_SIZE * CHUNK_SIZE];
    uint8_t top[CHUNK_SIZE * CHUNK_SIZE], soil[CHUNK_SIZE * CHUNK_SIZE], sub[CHUNK_SIZE * CHUNK_SIZE];
    uint8_t soil_depth[CHUNK_SIZE * CHUNK_SIZE], sub_depth[CHUNK_SIZE * CHUNK_SIZE];
    uint8_t water_top[CHUNK_SIZE * CHUNK_SIZE]; /* water or ice at sea level */
    uint8_t plant[CHUNK_SIZE * CHUNK_SIZE];     /* block above ground (air: none) */
    int16_t plant_y[CHUNK_SIZE * CHUNK_SIZE];
    int hmin, hmax;   /* terrain heights */
    int stone_top;    /* every column is plain stone up to here */
    int feat_max;     /* nothing but air above this */
    int n_trees;
    TreeSpot trees[MAX_TREES];
} Column;

/* A cave field value at a lattice point (world coordinates / CAVE_STEP).
 * Neighbouring chunks share the lattice points of their common faces; the
 * field is a pure function of the point, so a remembered value is the value. */
typedef struct CaveSlot {
    int32_t x, y, z;
    double v;
} CaveSlot;
#define CAVE_CACHE 8192 /* power of two; a column's worth of chunks and more */

/* The slowly varying fields at a point of the climate lattice (see
 * terrain_sample). */
typedef struct Climate {
    double cont, temp, hum, mount, lake;
} Climate;

/* A climate value at a lattice point, remembered: neighbouring columns
 * share the corners of their edges, and the trees near a column's edge ask
 * for the corners of the next. The value is a pure function of the point. */
typedef struct ClimateSlot {
    int32_t x, z;
    Climate c;
} ClimateSlot;
#define CLIMATE_CACHE 1024 /* power of two */

typedef struct Blocks {
    BlockId air, stone, dirt, grass, sand, gravel, clay, water, lava, bedrock, oak_log, oak_leaves, pine_log,
        pine_leaves, cactus, tall_grass, flower_red, flower_yellow, reeds, snow, ice, coal_ore, iron_ore,
        gold_ore, diamond_ore, mud, lily_pad, sandstone, granite;
} Blocks;

struct Generator {
    const BlockRegistry *reg;
    uint64_t seed;
    uint64_t seed_hash; /* the first step of hash_coords for this seed (see gen_hash) */
    int flat;
    int version; /* GENERATOR_VERSION_OLDEST .. GENERATOR_VERSION */
    Blocks b;
    StructBlocks sb;
    Noise n_cont, n_hill, n_mount, n_temp, n_hum, n_lake, n_cave1, n_cave2, n_cheese;
    Column cols[COL_CACHE];
    RegionPlan *plans; /* PLAN_CACHE entries */
    uint8_t plan_valid[PLAN_CACHE];
    uint8_t scratch[CHUNK_VOLUME];
    CaveSlot *cave_cache; /* CAVE_CACHE recent cave lattice values */
    ClimateSlot *climate_cache; /* CLIMATE_CACHE recent climate lattice values */
};

/* hash_coords(g->seed, a, b, c, d) (util/prng.c), bit for bit, with its
 * first step (of the seed alone) done once and the steps inlined: the
 * generator hashes hundreds of columns a chunk (trees, soil, bedrock).
 * The generator's fingerprint (test_generator) holds it to that. */
static inline uint64_t gen_mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* gen_hash in two parts, for a loop whose first coordinate stays the same: the step of a, then
 * the steps of b, c and d. */
static inline uint64_t gen_hash_first(const Generator *g, int64_t a) { return gen_mix(g->seed_hash ^ (uint64_t)a); }
static inline uint64_t gen_hash_rest(uint64_t h, int64_t b, int64_t c, int64_t d)
{
    h = gen_mix(h ^ (uint64_t)b * 0x9e3779b97f4a7c15ULL);
    h = gen_mix(h ^ (uint64_t)c * 0xc2b2ae3d27d4eb4fULL);
    return gen_mix(h ^ (uint64_t)d * 0x165667b19e3779f9ULL);
}

static inline uint64_t gen_hash(const Generator *g, int64_t a, int64_t b, int64_t c, int64_t d)
{
    return gen_hash_rest(gen_hash_first(g, a), b, c, d);
}

static inline double smoothstep(double e0, double e1, double v)
{
    double t = (v - e0) / (e1 - e0);
    t = t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
    return t * t * (3.0 - 2.0 * t);
}

static inline double mix(double a, double b, double t) { return a + (b - a) * t; }

/* In generator_terrain.c (what each does is said at its definition). */
void gen_terrain_sample(const Generator *g, int32_t x, int32_t z, TerrainSample *s);

/* In generator_trees.c (what each does is said at its definition). */
int gen_tree_at(Generator *g, int32_t x, int32_t z, const TerrainSample *s, TreeSpot *t);
int gen_tree_top(const TreeSpot *t);

/* In generator_terrain.c (what each does is said at its definition). */
Column *gen_column_get(Generator *g, int32_t cx, int32_t cz);
void gen_fill_terrain(const Generator *g, const Column *col, uint8_t *buf, int y0);
void gen_fill_bedrock(const Generator *g, uint8_t *buf, int32_t cx, int32_t cz);

/* In generator_caves.c (what each does is said at its definition). */
void gen_carve_caves(const Generator *g, const Column *col, uint8_t *buf, int32_t cx, int32_t cy, int32_t cz);

/* In generator_ores.c (what each does is said at its definition). */
void gen_place_ores(const Generator *g, uint8_t *buf, int32_t cx, int32_t cy, int32_t cz);

/* In generator_trees.c (what each does is said at its definition). */
void gen_place_trees(const Generator *g, const Column *col, uint8_t *buf, int32_t cx, int32_t cy, int32_t cz);
void gen_place_plants(const Generator *g, const Column *col, uint8_t *buf, int y0);

#endif
