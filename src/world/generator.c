/* generator.c — the world from its seed.
 *
 * Every decision is a function of the seed and world coordinates: terrain
 * height and biome come from 2D noise at the column (terrain_sample), caves
 * from 3D noise sampled on a world-aligned 4-block lattice, ores from a hash
 * of the chunk, trees and plants from a hash of their root column, and
 * structures from their region's plan (structures.c). A chunk is filled into
 * a scratch buffer in this order: terrain, bedrock, caves, ores, trees,
 * plants, structures. This file sets up and fills a chunk in that order; each step has its
 * own file: generator_terrain.c, generator_caves.c, generator_ores.c, generator_trees.c, and
 * generator_spawn.c for structures near a point and the spawn (shared: generator_internal.h).
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
#include "world/generator_internal.h"

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
    if (version < GENERATOR_VERSION_OLDEST || version > GENERATOR_VERSION)
        return err_set(err, MA_ERR_INVALID,
                       "world generator version %d is not known to this game (it knows versions %d to %d); "
                       "the world was made by a different game version",
                       version, GENERATOR_VERSION_OLDEST, GENERATOR_VERSION);
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
    g->version = version;
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

int generator_version(const Generator *g) { return g->version; }

void generator_free(Generator *g)
{
    if (!g)
        return;
    free(g->plans);
    free(g->cave_cache);
    free(g->climate_cache);
    free(g);
}

/* ---- public terrain queries ---------------------------------------------------- */

int generator_kind_underground(const char *type)
{
    return type && (strcmp(type, "dungeon") == 0 || strcmp(type, "shrine") == 0);
}

int generator_surface_y(Generator *g, int32_t x, int32_t z)
{
    if (g->flat)
        return SEA_LEVEL;
    TerrainSample s;
    gen_terrain_sample(g, x, z, &s);
    return s.h;
}

Biome generator_biome(Generator *g, int32_t x, int32_t z)
{
    if (g->flat)
        return BIOME_PLAINS;
    TerrainSample s;
    gen_terrain_sample(g, x, z, &s);
    return s.biome;
}

const char *biome_name(Biome b)
{
    static const char *names[] = {"ocean", "plains", "forest", "desert", "snowy mountains", "swamp", "lake", "tundra"};
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
        const int32_t *b = rp->s[i].box; /* all its pieces: a dungeon's shaft too */
        if (b[0] <= x0 + CHUNK_SIZE - 1 && b[3] >= x0 && b[1] <= y0 + CHUNK_SIZE - 1 && b[4] >= y0 &&
            b[2] <= z0 + CHUNK_SIZE - 1 && b[5] >= z0)
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
    const Column *col = gen_column_get(g, c->cx, c->cz);
    /* Chunks sit inside one region, and so do their region's structures. */
    const RegionPlan *rp = generator_region_plan(g, structures_region_of(c->cx * CHUNK_SIZE),
                                                 structures_region_of(c->cz * CHUNK_SIZE));
    int has_structure = chunk_overlaps_structure(rp, c);
    if (y0 > col->feat_max && !has_structure) {
        chunk_commit(c, memset(buf, g->b.air, CHUNK_VOLUME));
        return;
    }
    gen_fill_terrain(g, col, buf, y0);
    if (c->cy == 0)
        gen_fill_bedrock(g, buf, c->cx, c->cz);
    if (y0 < col->hmax - 3)
        gen_carve_caves(g, col, buf, c->cx, c->cy, c->cz);
    if (y0 < col->hmax)
        gen_place_ores(g, buf, c->cx, c->cy, c->cz);
    if (y0 + CHUNK_SIZE > col->hmin && y0 <= col->feat_max) {
        gen_place_trees(g, col, buf, c->cx, c->cy, c->cz);
        gen_place_plants(g, col, buf, y0);
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
