/* generator.c — the world from its seed.
 *
 * Every decision is a function of the seed and world coordinates: terrain
 * height and biome come from 2D noise at the column (terrain_sample), caves
 * from 3D noise sampled on a world-aligned 4-block lattice, ores from a hash
 * of the chunk, trees and plants from a hash of their root column, and
 * structures from their region's plan (structures.c). A chunk is filled into
 * a scratch buffer in this order: terrain, bedrock, caves, ores, trees,
 * plants, structures.
 *
 * Speed: a column of chunks shares one height map (a small cache of recent
 * columns); chunks above everything are all air at once, chunks below the
 * soil start from all stone; caves are evaluated only where a 4×4×4 cell's
 * corners say a tunnel may pass.
 *
 * Trees are decided per root column, and a chunk also draws the trees rooted
 * up to TREE_REACH blocks outside it, so trees on borders come out whole. */
#include "world/generator.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/prng.h"
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

static inline uint64_t gen_hash(const Generator *g, int64_t a, int64_t b, int64_t c, int64_t d)
{
    uint64_t h = gen_mix(g->seed_hash ^ (uint64_t)a);
    h = gen_mix(h ^ (uint64_t)b * 0x9e3779b97f4a7c15ULL);
    h = gen_mix(h ^ (uint64_t)c * 0xc2b2ae3d27d4eb4fULL);
    return gen_mix(h ^ (uint64_t)d * 0x165667b19e3779f9ULL);
}

/* ---- set-up ----------------------------------------------------------------- */

static const char *lookup_blocks(Blocks *b, const BlockRegistry *reg)
{
    static const struct {
        const char *name;
        size_t off;
    } table[] = {
#define B(n) {#n, offsetof(Blocks, n)}
        B(air), B(stone), B(dirt), B(grass), B(sand), B(gravel), B(clay), B(water), B(lava), B(bedrock),
        B(oak_log), B(oak_leaves), B(pine_log), B(pine_leaves), B(cactus), B(tall_grass), B(flower_red),
        B(flower_yellow), B(reeds), B(snow), B(ice), B(coal_ore), B(iron_ore), B(gold_ore), B(diamond_ore),
        B(mud), B(lily_pad), B(sandstone), B(granite),
#undef B
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int id = blocks_find(reg, table[i].name);
        if (id < 0)
            return table[i].name;
        *(BlockId *)((char *)b + table[i].off) = (BlockId)id;
    }
    return NULL;
}

int generator_new(const BlockRegistry *reg, uint64_t seed, const char *world_type, int version,
                  Generator **out, Err *err)
{
    *out = NULL;
    if (version != GENERATOR_VERSION)
        return err_set(err, MA_ERR_INVALID,
                       "world generator version %d is not known to this game (it knows version %d); "
                       "the world was made by a different game version",
                       version, GENERATOR_VERSION);
    const char *type = world_type ? world_type : "normal";
    int flat;
    if (strcmp(type, "normal") == 0)
        flat = 0;
    else if (strcmp(type, "flat") == 0)
        flat = 1;
    else
        return err_set(err, MA_ERR_INVALID, "unknown world type \"%s\" (known types: normal, flat)", type);
    Generator *g = calloc(1, sizeof *g);
    if (!g)
        return err_set(err, MA_ERR_NOMEM, "out of memory creating the world generator");
    g->plans = calloc(PLAN_CACHE, sizeof *g->plans);
    g->cave_cache = malloc(CAVE_CACHE * sizeof *g->cave_cache);
    g->climate_cache = malloc(CLIMATE_CACHE * sizeof *g->climate_cache);
    if (!g->plans || !g->cave_cache || !g->climate_cache) {
        free(g->plans);
        free(g->cave_cache);
        free(g->climate_cache);
        free(g);
        return err_set(err, MA_ERR_NOMEM, "out of memory creating the world generator");
    }
    for (int i = 0; i < CAVE_CACHE; i++)
        g->cave_cache[i].x = INT32_MIN; /* empty: no lattice point is that far out */
    for (int i = 0; i < CLIMATE_CACHE; i++)
        g->climate_cache[i].x = INT32_MIN; /* x is a multiple of 4, never this */
    g->reg = reg;
    g->seed = seed;
    g->seed_hash = hash_u64(seed ^ 0x5851f42d4c957f2dULL);
    g->flat = flat;
    const char *missing = lookup_blocks(&g->b, reg);
    if (!missing)
        missing = structures_blocks_init(&g->sb, reg);
    if (missing) {
        generator_free(g);
        return err_set(err, MA_ERR_INVALID, "the block registry has no \"%s\" block, which the world generator needs",
                       missing);
    }
    Noise *noises[] = {&g->n_cont, &g->n_hill, &g->n_mount, &g->n_temp, &g->n_hum,
                       &g->n_lake, &g->n_cave1, &g->n_cave2, &g->n_cheese};
    for (size_t i = 0; i < sizeof noises / sizeof noises[0]; i++)
        noise_init(noises[i], hash_coords(seed, (int64_t)i, 0x6e6f, 0, 0));
    *out = g;
    return MA_OK;
}

void generator_free(Generator *g)
{
    if (!g)
        return;
    free(g->plans);
    free(g->cave_cache);
    free(g->climate_cache);
    free(g);
}

/* ---- terrain ---------------------------------------------------------------- */

static inline double smoothstep(double e0, double e1, double v)
{
    double t = (v - e0) / (e1 - e0);
    t = t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
    return t * t * (3.0 - 2.0 * t);
}

static inline double mix(double a, double b, double t) { return a + (b - a) * t; }

/* The slowly varying fields (continents, climate, mountains, lakes) are
 * sampled every CLIMATE_STEP blocks on a world-aligned lattice and blended
 * in between; a column and a single point compute the same lattice values
 * and blend them the same way, so they agree to the bit. */
#define CLIMATE_STEP 4
#define CLIMATE_N (CHUNK_SIZE / CLIMATE_STEP + 1)

static void climate_compute(const Generator *g, int32_t x, int32_t z, Climate *c);

static void climate_corner(const Generator *g, int32_t x, int32_t z, Climate *c)
{
    uint32_t h = ((uint32_t)x * 0x9E3779B1u) ^ ((uint32_t)z * 0x85EBCA77u);
    ClimateSlot *slot = &g->climate_cache[(h ^ h >> 16) & (CLIMATE_CACHE - 1)];
    if (slot->x != x || slot->z != z) {
        slot->x = x;
        slot->z = z;
        climate_compute(g, x, z, &slot->c);
    }
    *c = slot->c;
}

static void climate_compute(const Generator *g, int32_t x, int32_t z, Climate *c)
{
    double fx = (double)x, fz = (double)z;
    c->cont = noise_fbm2(&g->n_cont, fx / 1100.0, fz / 1100.0, 4);
    c->temp = noise_fbm2(&g->n_temp, fx / 700.0, fz / 700.0, 2);
    c->hum = noise_fbm2(&g->n_hum, fx / 600.0, fz / 600.0, 2);
    c->mount = noise_fbm2(&g->n_mount, fx / 450.0, fz / 450.0, 3);
    c->lake = noise_fbm2(&g->n_lake, fx / 220.0, fz / 220.0, 2);
}

/* Bilinear blend of corners c00 (low x, low z), c10, c01, c11. */
static void climate_blend(const Climate *c00, const Climate *c10, const Climate *c01, const Climate *c11,
                          double tx, double tz, Climate *out)
{
    out->cont = mix(mix(c00->cont, c10->cont, tx), mix(c01->cont, c11->cont, tx), tz);
    out->temp = mix(mix(c00->temp, c10->temp, tx), mix(c01->temp, c11->temp, tx), tz);
    out->hum = mix(mix(c00->hum, c10->hum, tx), mix(c01->hum, c11->hum, tx), tz);
    out->mount = mix(mix(c00->mount, c10->mount, tx), mix(c01->mount, c11->mount, tx), tz);
    out->lake = mix(mix(c00->lake, c10->lake, tx), mix(c01->lake, c11->lake, tx), tz);
}

/* Height and biome of a column from its climate and the local hills. */
static void terrain_finish(const Generator *g, int32_t x, int32_t z, const Climate *c, TerrainSample *s)
{
    double hills = noise_fbm2(&g->n_hill, (double)x / 150.0, (double)z / 150.0, 4);
    double cont = c->cont, temp = c->temp, hum = c->hum;

    double land = smoothstep(-0.14, 0.0, cont);
    double ocean_h = SEA_LEVEL - 5.0 - 24.0 * smoothstep(-0.14, -0.4, cont) + hills * 4.0;
    double m = smoothstep(0.1, 0.4, c->mount);
    double land_h = SEA_LEVEL + 4.0 + hills * (12.0 + 30.0 * m) + m * 62.0;
    double sw = smoothstep(0.12, 0.24, hum) * smoothstep(-0.05, 0.08, temp) * (1.0 - m);
    land_h = mix(land_h, SEA_LEVEL + 0.3 + hills * 4.0, sw);
    double lk = smoothstep(0.25, 0.42, c->lake) * (1.0 - m) * (1.0 - sw);
    land_h = mix(land_h, SEA_LEVEL - 8.0 + hills * 3.0, lk);
    double h = mix(ocean_h, land_h, land);
    int hi = (int)floor(h);
    if (hi < 4)
        hi = 4;
    if (hi > WORLD_HEIGHT - 40)
        hi = WORLD_HEIGHT - 40;

    s->h = hi;
    s->temp = temp;
    s->beach = 0;
    if (land < 0.5 && hi < SEA_LEVEL)
        s->biome = BIOME_OCEAN;
    else if (hi < SEA_LEVEL)
        s->biome = sw > 0.5 ? BIOME_SWAMP : BIOME_LAKE;
    else if (hi >= SNOW_LINE || (m > 0.5 && temp < -0.1 && hi >= SNOW_LINE - 12))
        s->biome = BIOME_SNOWY_MOUNTAINS;
    else if (sw > 0.5)
        s->biome = BIOME_SWAMP;
    else if (temp > 0.12 && hum < 0.0)
        s->biome = BIOME_DESERT;
    else if (hum > 0.02)
        s->biome = BIOME_FOREST;
    else
        s->biome = BIOME_PLAINS;
    if (s->biome != BIOME_OCEAN && land < 0.95 && hi <= SEA_LEVEL + 2)
        s->beach = 1;
}

/* Height and biome of one column: pure in (seed, x, z). */
static void terrain_sample(const Generator *g, int32_t x, int32_t z, TerrainSample *s)
{
    int32_t x0 = x & ~(int32_t)(CLIMATE_STEP - 1), z0 = z & ~(int32_t)(CLIMATE_STEP - 1);
    Climate c00, c10, c01, c11, c;
    climate_corner(g, x0, z0, &c00);
    climate_corner(g, x0 + CLIMATE_STEP, z0, &c10);
    climate_corner(g, x0, z0 + CLIMATE_STEP, &c01);
    climate_corner(g, x0 + CLIMATE_STEP, z0 + CLIMATE_STEP, &c11);
    climate_blend(&c00, &c10, &c01, &c11, (x - x0) * (1.0 / CLIMATE_STEP), (z - z0) * (1.0 / CLIMATE_STEP), &c);
    terrain_finish(g, x, z, &c, s);
}

/* Surface materials of a column; bits of the column hash pick variations. */
static void column_materials(const Generator *g, const TerrainSample *s, uint64_t r, uint8_t *top, uint8_t *soil,
                             uint8_t *soil_depth, uint8_t *sub, uint8_t *sub_depth, uint8_t *water_top)
{
    const Blocks *b = &g->b;
    int frozen = s->temp < -0.3;
    *water_top = frozen ? b->ice : b->water;
    *sub = b->stone;
    *sub_depth = 0;
    *soil = b->dirt;
    *soil_depth = (uint8_t)(3 + (r >> 40) % 2);
    switch (s->biome) {
    case BIOME_OCEAN:
        *top = s->h < SEA_LEVEL - 14 ? b->gravel : (r >> 44) % 9 == 0 ? b->clay : b->sand;
        *soil = b->sand;
        break;
    case BIOME_LAKE:
        *top = (r >> 44) % 4 == 0 ? b->clay : b->sand;
        *soil = b->dirt;
        break;
    case BIOME_SWAMP:
        *water_top = b->water;
        if (s->h < SEA_LEVEL)
            *top = b->mud, *soil = b->mud;
        else
            *top = (r >> 44) % 3 == 0 ? b->mud : b->grass;
        break;
    case BIOME_DESERT:
        *top = b->sand;
        *soil = b->sand;
        *sub = b->sandstone;
        *sub_depth = 3;
        break;
    case BIOME_SNOWY_MOUNTAINS:
        *top = s->h >= 140 ? b->ice : b->snow;
        *soil_depth = s->h >= 120 ? 1 : 2;
        *soil = s->h >= 120 ? b->stone : b->dirt;
        break;
    default:
        *top = s->beach ? b->sand : b->grass;
        *soil = s->beach ? b->sand : b->dirt;
        break;
    }
}

/* The tree rooted at (x, z), if any. s is the column's sample when the
 * caller has it (NULL: computed here only if the hash says a tree may grow). */
static int tree_at(Generator *g, int32_t x, int32_t z, const TerrainSample *s, TreeSpot *t)
{
    uint64_t r = gen_hash(g, x, z, SALT_TREE, 0);
    unsigned roll = (unsigned)(r & 0xffff);
    if (roll >= 65536 / 18)
        return 0;
    TerrainSample own;
    if (!s) {
        terrain_sample(g, x, z, &own);
        s = &own;
    }
    if (s->h < SEA_LEVEL || s->beach)
        return 0;
    unsigned odds; /* one in `odds` columns */
    int kind;
    switch (s->biome) {
    case BIOME_FOREST: odds = 18; kind = (r >> 20) % 5 == 0 ? TREE_PINE : TREE_OAK; break;
    case BIOME_PLAINS: odds = 260; kind = TREE_OAK; break;
    case BIOME_SWAMP: odds = 60; kind = TREE_OAK; break;
    case BIOME_SNOWY_MOUNTAINS: odds = s->h < 125 ? 40 : 0; kind = TREE_PINE; break;
    case BIOME_DESERT: odds = 180; kind = TREE_CACTUS; break;
    default: odds = 0; kind = TREE_OAK; break;
    }
    if (!odds || roll >= 65536 / odds)
        return 0;
    const RegionPlan *rp = generator_region_plan(g, structures_region_of(x), structures_region_of(z));
    if (structures_column_reserved(rp, x, z, TREE_REACH + 1))
        return 0;
    t->x = x;
    t->z = z;
    t->ground = (int16_t)s->h;
    t->kind = (uint8_t)kind;
    unsigned extra = (unsigned)((r >> 16) & 0xf);
    t->height = (uint8_t)(kind == TREE_OAK ? 4 + extra % 3 : kind == TREE_PINE ? 6 + extra % 4 : 1 + extra % 3);
    return 1;
}

static int tree_top(const TreeSpot *t) { return t->ground + t->height + (t->kind == TREE_CACTUS ? 0 : 1); }

static Column *column_get(Generator *g, int32_t cx, int32_t cz)
{
    Column *col = &g->cols[((unsigned)cx & 3) | ((unsigned)cz & 3) << 2];
    if (col->valid && col->cx == cx && col->cz == cz)
        return col;
    col->cx = cx;
    col->cz = cz;
    col->valid = 1;
    col->hmin = WORLD_HEIGHT;
    col->hmax = 0;
    col->stone_top = WORLD_HEIGHT;
    int plant_max = 0;
    const Blocks *b = &g->b;
    TerrainSample samples[CHUNK_SIZE * CHUNK_SIZE];
    Climate corner[CLIMATE_N][CLIMATE_N]; /* [z][x] */
    for (int k = 0; k < CLIMATE_N; k++)
        for (int i = 0; i < CLIMATE_N; i++)
            climate_corner(g, cx * CHUNK_SIZE + i * CLIMATE_STEP, cz * CHUNK_SIZE + k * CLIMATE_STEP,
                           &corner[k][i]);
    for (int lz = 0; lz < CHUNK_SIZE; lz++)
        for (int lx = 0; lx < CHUNK_SIZE; lx++) {
            int i = lz * CHUNK_SIZE + lx;
            int32_t x = cx * CHUNK_SIZE + lx, z = cz * CHUNK_SIZE + lz;
            TerrainSample *s = &samples[i];
            int ci = lx / CLIMATE_STEP, ck = lz / CLIMATE_STEP;
            Climate c;
            climate_blend(&corner[ck][ci], &corner[ck][ci + 1], &corner[ck + 1][ci], &corner[ck + 1][ci + 1],
                          (lx % CLIMATE_STEP) * (1.0 / CLIMATE_STEP), (lz % CLIMATE_STEP) * (1.0 / CLIMATE_STEP),
                          &c);
            terrain_finish(g, x, z, &c, s);
            uint64_t r = gen_hash(g, x, z, SALT_COLUMN, 0);
            col->h[i] = (int16_t)s->h;
            col->biome[i] = (uint8_t)s->biome;
            column_materials(g, s, r, &col->top[i], &col->soil[i], &col->soil_depth[i], &col->sub[i],
                             &col->sub_depth[i], &col->water_top[i]);
            if (s->h < col->hmin)
                col->hmin = s->h;
            if (s->h > col->hmax)
                col->hmax = s->h;
            int st = s->h - col->soil_depth[i] - col->sub_depth[i];
            if (st < col->stone_top)
                col->stone_top = st;
            /* Plants: one in a few grass columns, reeds on swamp shores,
             * lily pads on swamp water. */
            unsigned p = (unsigned)(r & 1023);
            uint8_t plant = b->air;
            int py = s->h + 1;
            if (col->top[i] == b->grass && (s->biome == BIOME_PLAINS || s->biome == BIOME_FOREST)) {
                unsigned grass = s->biome == BIOME_PLAINS ? 140 : 70;
                plant = p < grass ? b->tall_grass : p < grass + 10 ? b->flower_red : p < grass + 20 ? b->flower_yellow
                                                                                            : b->air;
            } else if (s->biome == BIOME_SWAMP) {
                if (s->h >= SEA_LEVEL && s->h <= SEA_LEVEL + 1 && p < 220)
                    plant = b->reeds;
                else if (s->h < SEA_LEVEL && p < 110)
                    plant = b->lily_pad, py = SEA_LEVEL + 1;
                else if (s->h > SEA_LEVEL + 1 && p < 80)
                    plant = b->tall_grass;
            }
            col->plant[i] = plant;
            col->plant_y[i] = (int16_t)py;
            if (plant != b->air && py > plant_max)
                plant_max = py;
        }
    col->feat_max = col->hmax > SEA_LEVEL ? col->hmax : SEA_LEVEL;
    if (plant_max > col->feat_max)
        col->feat_max = plant_max;
    /* Trees rooted in or near this column, in world order. */
    col->n_trees = 0;
    for (int dz = -TREE_REACH; dz < CHUNK_SIZE + TREE_REACH; dz++)
        for (int dx = -TREE_REACH; dx < CHUNK_SIZE + TREE_REACH; dx++) {
            int inside = dx >= 0 && dx < CHUNK_SIZE && dz >= 0 && dz < CHUNK_SIZE;
            TreeSpot t;
            if (col->n_trees >= MAX_TREES)
                break;
            if (!tree_at(g, cx * CHUNK_SIZE + dx, cz * CHUNK_SIZE + dz,
                         inside ? &samples[dz * CHUNK_SIZE + dx] : NULL, &t))
                continue;
            col->trees[col->n_trees++] = t;
            if (tree_top(&t) > col->feat_max)
                col->feat_max = tree_top(&t);
        }
    return col;
}

/* ---- public terrain queries ---------------------------------------------------- */

int generator_surface_y(Generator *g, int32_t x, int32_t z)
{
    if (g->flat)
        return SEA_LEVEL;
    TerrainSample s;
    terrain_sample(g, x, z, &s);
    return s.h;
}

Biome generator_biome(Generator *g, int32_t x, int32_t z)
{
    if (g->flat)
        return BIOME_PLAINS;
    TerrainSample s;
    terrain_sample(g, x, z, &s);
    return s.biome;
}

const char *biome_name(Biome b)
{
    static const char *names[] = {"ocean", "plains", "forest", "desert", "snowy mountains", "swamp", "lake"};
    return (unsigned)b < BIOME_COUNT ? names[b] : "unknown";
}

const RegionPlan *generator_region_plan(Generator *g, int32_t rx, int32_t rz)
{
    unsigned slot = (((unsigned)rx & 3) | ((unsigned)rz & 3) << 2) & (PLAN_CACHE - 1);
    RegionPlan *rp = &g->plans[slot];
    if (g->plan_valid[slot] && rp->rx == rx && rp->rz == rz)
        return rp;
    if (g->flat) {
        rp->rx = rx;
        rp->rz = rz;
        rp->n = 0;
    } else {
        structures_plan_region(g, g->seed, rx, rz, rp);
    }
    g->plan_valid[slot] = 1;
    return rp;
}

/* ---- filling a chunk ------------------------------------------------------------- */

static void fill_terrain(const Generator *g, const Column *col, uint8_t *buf, int y0)
{
    const Blocks *b = &g->b;
    int y1 = y0 + CHUNK_SIZE - 1;
    if (y1 <= col->stone_top) {
        memset(buf, b->stone, CHUNK_VOLUME);
        return;
    }
    /* A layer at a time: above every column's surface it is all air or
     * water, below every column's soil all stone (the same blocks the cell
     * rule below gives); only the layers in between go cell by cell. */
    for (int ly = 0; ly < CHUNK_SIZE; ly++) {
        int y = y0 + ly;
        uint8_t *layer = buf + ly * CHUNK_SIZE * CHUNK_SIZE;
        if (y > col->hmax) {
            if (y == SEA_LEVEL)
                memcpy(layer, col->water_top, CHUNK_SIZE * CHUNK_SIZE);
            else
                memset(layer, y > SEA_LEVEL ? b->air : b->water, CHUNK_SIZE * CHUNK_SIZE);
            continue;
        }
        if (y < col->stone_top) {
            memset(layer, b->stone, CHUNK_SIZE * CHUNK_SIZE);
            continue;
        }
        for (int i = 0; i < CHUNK_SIZE * CHUNK_SIZE; i++) {
            int h = col->h[i];
            int soil_lo = h - col->soil_depth[i];
            int sub_lo = soil_lo - col->sub_depth[i];
            uint8_t id;
            if (y > h)
                id = y > SEA_LEVEL ? b->air : y == SEA_LEVEL ? col->water_top[i] : b->water;
            else if (y == h)
                id = col->top[i];
            else if (y >= soil_lo)
                id = col->soil[i];
            else if (y >= sub_lo)
                id = col->sub[i];
            else
                id = b->stone;
            layer[i] = id;
        }
    }
}

static void fill_bedrock(const Generator *g, uint8_t *buf, int32_t cx, int32_t cz)
{
    for (int lz = 0; lz < CHUNK_SIZE; lz++)
        for (int lx = 0; lx < CHUNK_SIZE; lx++) {
            buf[CHUNK_INDEX(lx, 0, lz)] = g->b.bedrock;
            uint64_t r = gen_hash(g, cx * CHUNK_SIZE + lx, cz * CHUNK_SIZE + lz, SALT_BEDROCK, 0);
            /* Layer y is bedrock when (r >> 8y) % (y + 1) == 0, written out
             * so that each division is by a constant. */
            if ((r >> 8) % 2 == 0)
                buf[CHUNK_INDEX(lx, 1, lz)] = g->b.bedrock;
            if ((r >> 16) % 3 == 0)
                buf[CHUNK_INDEX(lx, 2, lz)] = g->b.bedrock;
            if ((r >> 24) % 4 == 0)
                buf[CHUNK_INDEX(lx, 3, lz)] = g->b.bedrock;
        }
}

/* The cave field at a world point: below zero is open. Spaghetti tunnels
 * where two noises are both near zero, and caverns deep down. */
static double cave_field(const Generator *g, double x, double y, double z)
{
    double a = noise3(&g->n_cave1, x / 44.0, y / 30.0, z / 44.0);
    double c = noise3(&g->n_cave2, x / 44.0, y / 30.0, z / 44.0);
    double tunnel = a * a + c * c - 0.008;
    double cavern = (0.5 - noise3(&g->n_cheese, x / 80.0, y / 40.0, z / 80.0)) * 0.05;
    if (y > 40.0)
        cavern += (y - 40.0) * 0.01;
    return tunnel < cavern ? tunnel : cavern;
}

static void carve_caves(const Generator *g, const Column *col, uint8_t *buf, int32_t cx, int32_t cy, int32_t cz)
{
    double f[CAVE_N][CAVE_N][CAVE_N]; /* [y][z][x] */
    int32_t x0 = cx * CHUNK_SIZE, y0 = cy * CHUNK_SIZE, z0 = cz * CHUNK_SIZE;
    for (int j = 0; j < CAVE_N; j++)
        for (int k = 0; k < CAVE_N; k++)
            for (int i = 0; i < CAVE_N; i++) {
                int32_t px = x0 / CAVE_STEP + i, py = y0 / CAVE_STEP + j, pz = z0 / CAVE_STEP + k;
                uint32_t h = ((uint32_t)px * 0x9E3779B1u) ^ ((uint32_t)py * 0x85EBCA77u) ^ ((uint32_t)pz * 0xC2B2AE3Du);
                CaveSlot *slot = &g->cave_cache[(h ^ h >> 15) & (CAVE_CACHE - 1)];
                if (slot->x != px || slot->y != py || slot->z != pz) {
                    slot->x = px;
                    slot->y = py;
                    slot->z = pz;
                    slot->v = cave_field(g, x0 + i * CAVE_STEP, y0 + j * CAVE_STEP, z0 + k * CAVE_STEP);
                }
                f[j][k][i] = slot->v;
            }
    const double inv = 1.0 / CAVE_STEP;
    for (int j = 0; j < CAVE_N - 1; j++)
        for (int k = 0; k < CAVE_N - 1; k++)
            for (int i = 0; i < CAVE_N - 1; i++) {
                double c000 = f[j][k][i], c001 = f[j][k][i + 1], c010 = f[j][k + 1][i], c011 = f[j][k + 1][i + 1];
                double c100 = f[j + 1][k][i], c101 = f[j + 1][k][i + 1], c110 = f[j + 1][k + 1][i],
                       c111 = f[j + 1][k + 1][i + 1];
                double mn = c000;
                double cs[7] = {c001, c010, c011, c100, c101, c110, c111};
                for (int q = 0; q < 7; q++)
                    mn = cs[q] < mn ? cs[q] : mn;
                if (mn >= 0.0)
                    continue; /* trilinear values stay within the corners' range */
                for (int dy = 0; dy < CAVE_STEP; dy++) {
                    int ly = j * CAVE_STEP + dy, y = y0 + ly;
                    if (y < 1)
                        continue;
                    double ty = dy * inv;
                    for (int dz = 0; dz < CAVE_STEP; dz++) {
                        int lz = k * CAVE_STEP + dz;
                        double tz = dz * inv;
                        double a0 = mix(mix(c000, c010, tz), mix(c100, c110, tz), ty);
                        double a1 = mix(mix(c001, c011, tz), mix(c101, c111, tz), ty);
                        for (int dx = 0; dx < CAVE_STEP; dx++) {
                            int lx = i * CAVE_STEP + dx;
                            if (mix(a0, a1, dx * inv) >= 0.0)
                                continue;
                            int ci = lz * CHUNK_SIZE + lx;
                            int h = col->h[ci];
                            /* Keep a crust: thin under land, thicker under water. */
                            if (y >= h - (h < SEA_LEVEL ? 6 : 3))
                                continue;
                            int idx = CHUNK_INDEX(lx, ly, lz);
                            if (buf[idx] == g->b.bedrock || buf[idx] == g->b.water)
                                continue;
                            buf[idx] = y <= LAVA_LEVEL ? g->b.lava : g->b.air;
                        }
                    }
                }
            }
}

typedef struct OreRule {
    size_t off; /* in Blocks */
    int ylo, yhi, tries, size, chance; /* chance: percent per try */
} OreRule;

static const OreRule ore_rules[] = {
    {offsetof(Blocks, coal_ore), 1, 127, 10, 10, 100},
    {offsetof(Blocks, iron_ore), 1, 63, 6, 7, 100},
    {offsetof(Blocks, gold_ore), 1, 31, 2, 6, 100},
    {offsetof(Blocks, diamond_ore), 1, 15, 1, 5, 60},
    {offsetof(Blocks, granite), 1, 100, 1, 28, 60},
    {offsetof(Blocks, gravel), 1, 100, 1, 18, 40},
    {offsetof(Blocks, dirt), 20, 100, 1, 18, 40},
};

/* Veins are random walks kept inside the chunk, each from a hash of the
 * chunk, and replace only stone inside their depth band. */
static void place_ores(const Generator *g, uint8_t *buf, int32_t cx, int32_t cy, int32_t cz)
{
    int y0 = cy * CHUNK_SIZE, y1 = y0 + CHUNK_SIZE - 1;
    Prng p;
    prng_seed(&p, gen_hash(g, cx, cy, cz, SALT_ORE));
    for (size_t o = 0; o < sizeof ore_rules / sizeof ore_rules[0]; o++) {
        const OreRule *r = &ore_rules[o];
        uint8_t ore = *(const BlockId *)((const char *)&g->b + r->off);
        int lo = r->ylo > y0 ? r->ylo : y0, hi = r->yhi < y1 ? r->yhi : y1;
        for (int t = 0; t < r->tries; t++) {
            uint64_t v = prng_next(&p);
            if (lo > hi || (int)(v % 100) >= r->chance)
                continue;
            int x = (int)(v >> 8) & 15, z = (int)(v >> 12) & 15;
            int y = lo + (int)((v >> 16) % (uint64_t)(hi - lo + 1)) - y0;
            uint64_t steps = v >> 24;
            for (int s = 0; s < r->size; s++) {
                int idx = CHUNK_INDEX(x, y, z);
                if (buf[idx] == g->b.stone && y0 + y >= r->ylo && y0 + y <= r->yhi)
                    buf[idx] = ore;
                unsigned dir = (unsigned)(steps % 6);
                steps /= 6;
                if (!steps)
                    steps = prng_next(&p) >> 8;
                switch (dir) {
                case 0: x = x < 15 ? x + 1 : x - 1; break;
                case 1: x = x > 0 ? x - 1 : x + 1; break;
                case 2: z = z < 15 ? z + 1 : z - 1; break;
                case 3: z = z > 0 ? z - 1 : z + 1; break;
                case 4: y = y < 15 ? y + 1 : y - 1; break;
                default: y = y > 0 ? y - 1 : y + 1; break;
                }
            }
        }
    }
}

static inline void put(uint8_t *buf, int32_t bx, int32_t by, int32_t bz, int32_t x, int32_t y, int32_t z,
                       uint8_t id, uint8_t only_over)
{
    int32_t lx = x - bx, ly = y - by, lz = z - bz;
    if ((uint32_t)lx >= CHUNK_SIZE || (uint32_t)ly >= CHUNK_SIZE || (uint32_t)lz >= CHUNK_SIZE)
        return;
    uint8_t *at = &buf[CHUNK_INDEX(lx, ly, lz)];
    if (only_over == 0xff || *at == only_over)
        *at = id;
}

/* Leaves of every tree first (into air only), then trunks, so overlapping
 * trees give the same blocks whichever chunk draws them. */
static void place_trees(const Generator *g, const Column *col, uint8_t *buf, int32_t cx, int32_t cy, int32_t cz)
{
    const Blocks *b = &g->b;
    int32_t bx = cx * CHUNK_SIZE, by = cy * CHUNK_SIZE, bz = cz * CHUNK_SIZE;
    for (int pass = 0; pass < 2; pass++)
        for (int ti = 0; ti < col->n_trees; ti++) {
            const TreeSpot *t = &col->trees[ti];
            int g0 = t->ground, H = t->height;
            if (g0 + 1 > by + CHUNK_SIZE - 1 || tree_top(t) < by)
                continue;
            if (pass == 1) {
                uint8_t log = t->kind == TREE_OAK ? b->oak_log : t->kind == TREE_PINE ? b->pine_log : b->cactus;
                for (int y = g0 + 1; y <= g0 + H; y++)
                    put(buf, bx, by, bz, t->x, y, t->z, log, 0xff);
                continue;
            }
            if (t->kind == TREE_OAK) {
                for (int dy = H - 2; dy <= H + 1; dy++) {
                    int r = dy <= H - 1 ? 2 : 1;
                    for (int dz = -r; dz <= r; dz++)
                        for (int dx = -r; dx <= r; dx++) {
                            if (abs(dx) == r && abs(dz) == r && (r == 2 || dy == H + 1))
                                continue;
                            put(buf, bx, by, bz, t->x + dx, g0 + dy, t->z + dz, b->oak_leaves, b->air);
                        }
                }
            } else if (t->kind == TREE_PINE) {
                for (int dy = 3; dy <= H + 1; dy++) {
                    int from_top = H + 1 - dy;
                    int r = from_top == 0 ? 0 : from_top <= 2 ? 1 : (from_top % 2 ? 2 : 1);
                    for (int dz = -r; dz <= r; dz++)
                        for (int dx = -r; dx <= r; dx++) {
                            if (abs(dx) + abs(dz) > r + (r == 2 ? 1 : 0))
                                continue;
                            put(buf, bx, by, bz, t->x + dx, g0 + dy, t->z + dz, b->pine_leaves, b->air);
                        }
                }
            }
        }
}

static void place_plants(const Generator *g, const Column *col, uint8_t *buf, int y0)
{
    for (int i = 0; i < CHUNK_SIZE * CHUNK_SIZE; i++) {
        int ly = col->plant_y[i] - y0;
        if (col->plant[i] == g->b.air || ly < 0 || ly >= CHUNK_SIZE)
            continue;
        uint8_t *at = &buf[ly * CHUNK_SIZE * CHUNK_SIZE + i];
        if (*at == g->b.air)
            *at = col->plant[i];
    }
}

static void fill_flat(const Generator *g, uint8_t *buf, int y0)
{
    for (int ly = 0; ly < CHUNK_SIZE; ly++) {
        int y = y0 + ly;
        uint8_t id = y == 0 ? g->b.bedrock : y < SEA_LEVEL - 3 ? g->b.stone : y < SEA_LEVEL ? g->b.dirt
                   : y == SEA_LEVEL ? g->b.grass : g->b.air;
        memset(buf + ly * CHUNK_SIZE * CHUNK_SIZE, id, CHUNK_SIZE * CHUNK_SIZE);
    }
}

static void chunk_reset_extras(Chunk *c)
{
    while (cJSON_GetArraySize(c->entities) > 0)
        cJSON_DeleteItemFromArray(c->entities, 0);
    while (cJSON_GetArraySize(c->structures) > 0)
        cJSON_DeleteItemFromArray(c->structures, 0);
    while (c->n_meta > 0)
        if (chunk_meta_set(c, c->meta[c->n_meta - 1].index, NULL) != MA_OK)
            break;
}

/* Moves buf into c: no array when every block is the same. */
static void chunk_commit(Chunk *c, const uint8_t *buf)
{
    if (memcmp(buf, buf + 1, CHUNK_VOLUME - 1) == 0) {
        if (c->blocks) {
            memset(c->blocks, buf[0], CHUNK_VOLUME);
            chunk_compact(c);
        } else {
            c->uniform = buf[0];
        }
        return;
    }
    if (!c->blocks)
        chunk_set(c, 0, 0, 0, (BlockId)(c->uniform == 0 ? 1 : 0)); /* makes the array */
    if (c->blocks)
        memcpy(c->blocks, buf, CHUNK_VOLUME);
}

static int chunk_overlaps_structure(const RegionPlan *rp, const Chunk *c)
{
    int32_t x0 = c->cx * CHUNK_SIZE, y0 = c->cy * CHUNK_SIZE, z0 = c->cz * CHUNK_SIZE;
    for (int i = 0; i < rp->n; i++) {
        const GenStructure *s = &rp->s[i].info;
        if (s->x <= x0 + CHUNK_SIZE - 1 && s->x + s->w - 1 >= x0 && s->y <= y0 + CHUNK_SIZE - 1 &&
            s->y + s->h - 1 >= y0 && s->z <= z0 + CHUNK_SIZE - 1 && s->z + s->d - 1 >= z0)
            return 1;
    }
    return 0;
}

void generator_fill(Generator *g, Chunk *c)
{
    uint8_t *buf = g->scratch;
    int y0 = c->cy * CHUNK_SIZE;
    chunk_reset_extras(c);
    if (c->cy < 0 || c->cy >= WORLD_CHUNKS_Y) {
        chunk_commit(c, memset(buf, g->b.air, CHUNK_VOLUME));
        return;
    }
    if (g->flat) {
        fill_flat(g, buf, y0);
        chunk_commit(c, buf);
        return;
    }
    const Column *col = column_get(g, c->cx, c->cz);
    /* Chunks sit inside one region, and so do their region's structures. */
    const RegionPlan *rp = generator_region_plan(g, structures_region_of(c->cx * CHUNK_SIZE),
                                                 structures_region_of(c->cz * CHUNK_SIZE));
    int has_structure = chunk_overlaps_structure(rp, c);
    if (y0 > col->feat_max && !has_structure) {
        chunk_commit(c, memset(buf, g->b.air, CHUNK_VOLUME));
        return;
    }
    fill_terrain(g, col, buf, y0);
    if (c->cy == 0)
        fill_bedrock(g, buf, c->cx, c->cz);
    if (y0 < col->hmax - 3)
        carve_caves(g, col, buf, c->cx, c->cy, c->cz);
    if (y0 < col->hmax)
        place_ores(g, buf, c->cx, c->cy, c->cz);
    if (y0 + CHUNK_SIZE > col->hmin && y0 <= col->feat_max) {
        place_trees(g, col, buf, c->cx, c->cy, c->cz);
        place_plants(g, col, buf, y0);
    }
    int meta_index[MAX_META];
    cJSON *meta[MAX_META];
    int n_meta = 0;
    if (has_structure)
        n_meta = structures_stamp(rp, &g->sb, g->seed, c, buf, col->h, meta_index, meta, MAX_META);
    chunk_commit(c, buf);
    for (int i = 0; i < n_meta; i++)
        if (chunk_meta_set(c, meta_index[i], meta[i]) != MA_OK)
            cJSON_Delete(meta[i]);
}

/* ---- structures and spawn ------------------------------------------------------- */

int generator_structures_near(Generator *g, int32_t x, int32_t z, int radius_blocks, GenStructure *out, int max)
{
    if (g->flat || max <= 0 || radius_blocks < 0)
        return 0;
    int n = 0;
    double dist[64];
    if (max > 64)
        max = 64;
    int32_t rx0 = structures_region_of(x - radius_blocks), rx1 = structures_region_of(x + radius_blocks);
    int32_t rz0 = structures_region_of(z - radius_blocks), rz1 = structures_region_of(z + radius_blocks);
    for (int32_t rz = rz0; rz <= rz1; rz++)
        for (int32_t rx = rx0; rx <= rx1; rx++) {
            const RegionPlan *rp = generator_region_plan(g, rx, rz);
            for (int i = 0; i < rp->n; i++) {
                const GenStructure *s = &rp->s[i].info;
                /* Horizontal distance from (x, z) to the box. */
                double ex = x < s->x ? s->x - x : x > s->x + s->w - 1 ? x - (s->x + s->w - 1) : 0;
                double ez = z < s->z ? s->z - z : z > s->z + s->d - 1 ? z - (s->z + s->d - 1) : 0;
                if (ex * ex + ez * ez > (double)radius_blocks * radius_blocks)
                    continue;
                double mx = s->x + s->w / 2.0 - x, mz = s->z + s->d / 2.0 - z;
                double d = mx * mx + mz * mz;
                if (n == max && d >= dist[n - 1])
                    continue;
                int at = n < max ? n++ : n - 1;
                while (at > 0 && dist[at - 1] > d) {
                    dist[at] = dist[at - 1];
                    out[at] = out[at - 1];
                    at--;
                }
                dist[at] = d;
                out[at] = *s;
            }
        }
    return n;
}

/* One generated chunk kept for block lookups while choosing the spawn. */
typedef struct Probe {
    Chunk *c;
} Probe;

static int probe_block(Generator *g, Probe *pr, int32_t x, int32_t y, int32_t z)
{
    if (y < 0 || y >= WORLD_HEIGHT)
        return g->b.air;
    int32_t cx = chunk_coord(x), cy = y / CHUNK_SIZE, cz = chunk_coord(z);
    if (!pr->c || pr->c->cx != cx || pr->c->cy != cy || pr->c->cz != cz) {
        chunk_free(pr->c);
        pr->c = chunk_new(cx, cy, cz, BLOCK_AIR);
        if (!pr->c)
            return -1;
        generator_fill(g, pr->c);
    }
    return chunk_get(pr->c, chunk_local(x), y - cy * CHUNK_SIZE, chunk_local(z));
}

/* Solid, dry ground with two blocks of air above; *y gets the feet level. */
static int standable(Generator *g, Probe *pr, int32_t x, int32_t z, int32_t *y)
{
    int h = generator_surface_y(g, x, z);
    if (h < SEA_LEVEL)
        return 0;
    /* Paths and steps may lift the ground a block or two; roofs are higher. */
    for (int yy = h + 3; yy >= h && yy >= 1; yy--) {
        int below = probe_block(g, pr, x, yy - 1, z);
        if (below < 0)
            return 0;
        const BlockDef *d = blocks_get(g->reg, (BlockId)below);
        if (!d->solid || d->liquid)
            continue;
        if (probe_block(g, pr, x, yy, z) == g->b.air && probe_block(g, pr, x, yy + 1, z) == g->b.air) {
            *y = yy;
            return 1;
        }
        return 0;
    }
    return 0;
}

/* Searches squares of growing size around (x, z) for a standable spot. */
/* Whether a villager of plan rp stands on column (x, z): nobody is spawned on top of one. */
static int villager_at(const RegionPlan *rp, int32_t x, int32_t z)
{
    for (int k = 0; rp && k < rp->n; k++)
        for (int i = 0; i < rp->s[k].n_npcs; i++)
            if (rp->s[k].npcs[i].x == x && rp->s[k].npcs[i].z == z)
                return 1;
    return 0;
}

static int spawn_search(Generator *g, Probe *pr, const RegionPlan *rp, int32_t x, int32_t z, int radius, int32_t *ox,
                        int32_t *oy, int32_t *oz)
{
    for (int r = 0; r <= radius; r++)
        for (int dz = -r; dz <= r; dz++)
            for (int dx = -r; dx <= r; dx++) {
                if (abs(dx) != r && abs(dz) != r)
                    continue;
                int32_t y;
                Biome b = generator_biome(g, x + dx, z + dz);
                if (b == BIOME_OCEAN || b == BIOME_LAKE || villager_at(rp, x + dx, z + dz))
                    continue;
                if (standable(g, pr, x + dx, z + dz, &y)) {
                    *ox = x + dx, *oy = y, *oz = z + dz;
                    return 1;
                }
            }
    return 0;
}

void generator_spawn_point(Generator *g, int32_t *x, int32_t *y, int32_t *z)
{
    *x = 0;
    *y = SEA_LEVEL + 1;
    *z = 0;
    if (g->flat)
        return;
    Probe pr = {NULL};
    GenStructure near[64];
    int n = generator_structures_near(g, 0, 0, 200, near, 64);
    int found = 0;
    for (int i = 0; i < n && !found; i++) {
        if (strcmp(near[i].type, "village") != 0)
            continue;
        /* Beside the well, by the guard (not on the guard's own cell). */
        int32_t vx = near[i].x + near[i].w / 2, vz = near[i].z + near[i].d / 2;
        const RegionPlan *rp = generator_region_plan(g, structures_region_of(vx), structures_region_of(vz));
        for (int k = 0; k < rp->n; k++)
            for (int p = 0; p < rp->s[k].n_pieces; p++)
                if (rp->s[k].pieces[p].kind == PIECE_WELL)
                    vx = rp->s[k].pieces[p].x1 + 1, vz = rp->s[k].pieces[p].z1 + 1;
        found = spawn_search(g, &pr, rp, vx, vz, 24, x, y, z);
    }
    if (!found)
        found = spawn_search(g, &pr, NULL, 0, 0, 96, x, y, z);
    /* Out at sea: look for the nearest land in widening rings (up to 2 km). */
    for (int ring = 1; !found && ring <= 64; ring++) {
        int32_t r = ring * 32;
        for (int32_t t = -r; t < r && !found; t += 32) {
            const int32_t cand[4][2] = {{t, -r}, {r, t}, {-t, r}, {-r, -t}};
            for (int k = 0; k < 4 && !found; k++)
                if (generator_surface_y(g, cand[k][0], cand[k][1]) >= SEA_LEVEL)
                    found = spawn_search(g, &pr, NULL, cand[k][0], cand[k][1], 24, x, y, z);
        }
    }
    if (!found) {
        /* All water near the origin: stand on the sea (the game may place a raft). */
        *y = generator_surface_y(g, 0, 0) + 1;
        if (*y <= SEA_LEVEL)
            *y = SEA_LEVEL + 1;
    }
    chunk_free(pr.c);
}
