/* generator_terrain.c — terrain: the slowly varying fields (continents, climate, mountains,
 * lakes) on a lattice, each column's height, biome and surface, the column height maps a column
 * of chunks shares, and filling a chunk's ground and bedrock. Pure in (seed, x, z). */
#include "world/generator.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/prng.h"
#include "world/generator_internal.h"
#include "world/noise.h"
#include "world/structures.h"

/* ---- terrain ---------------------------------------------------------------- */

/* The slowly varying fields (continents, climate, mountains, lakes) are
 * sampled every CLIMATE_STEP blocks on a world-aligned lattice and blended
 * in between; a column and a single point compute the same lattice values
 * and blend them the same way, so they agree to the bit. */
#define CLIMATE_STEP 4
#define CLIMATE_N (CHUNK_SIZE / CLIMATE_STEP + 1)
/* Below this temperature water freezes at the top, and (version 3 on) land is tundra. */
#define FREEZING (-0.3)

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
    else if (g->version >= 3 && temp < FREEZING)
        s->biome = BIOME_TUNDRA; /* where the water beside it freezes (column_materials) */
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
void gen_terrain_sample(const Generator *g, int32_t x, int32_t z, TerrainSample *s)
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
    int frozen = s->temp < FREEZING;
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
    case BIOME_TUNDRA:
        *top = s->beach ? b->gravel : b->snow;
        *soil = s->beach ? b->gravel : b->dirt;
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

Column *gen_column_get(Generator *g, int32_t cx, int32_t cz)
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
            if (!gen_tree_at(g, cx * CHUNK_SIZE + dx, cz * CHUNK_SIZE + dz,
                         inside ? &samples[dz * CHUNK_SIZE + dx] : NULL, &t))
                continue;
            col->trees[col->n_trees++] = t;
            if (gen_tree_top(&t) > col->feat_max)
                col->feat_max = gen_tree_top(&t);
        }
    return col;
}

void gen_fill_terrain(const Generator *g, const Column *col, uint8_t *buf, int y0)
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

/* bedrock when set, else cell: by a mask, so that no branch depends on set. */
static inline uint8_t bedrock_if(uint8_t cell, uint8_t bedrock, int set)
{
    uint8_t m = (uint8_t)-(unsigned)(set != 0);
    return (uint8_t)((cell & ~m) | (bedrock & m));
}

void gen_fill_bedrock(const Generator *g, uint8_t *buf, int32_t cx, int32_t cz)
{
    /* gen_hash(g, x, z, SALT_BEDROCK, 0) of each column, its first step (of x) done once a row. */
    uint64_t first[CHUNK_SIZE];
    for (int lx = 0; lx < CHUNK_SIZE; lx++)
        first[lx] = gen_hash_first(g, cx * CHUNK_SIZE + lx);
    for (int lz = 0; lz < CHUNK_SIZE; lz++)
        for (int lx = 0; lx < CHUNK_SIZE; lx++) {
            buf[CHUNK_INDEX(lx, 0, lz)] = g->b.bedrock;
            uint64_t r = gen_hash_rest(first[lx], cz * CHUNK_SIZE + lz, SALT_BEDROCK, 0);
            /* Layer y is bedrock when (r >> 8y) % (y + 1) == 0, written out
             * so that each division is by a constant, and as a select rather
             * than a branch: each is a coin toss the processor cannot guess. */
            uint8_t *b1 = &buf[CHUNK_INDEX(lx, 1, lz)], *b2 = &buf[CHUNK_INDEX(lx, 2, lz)],
                    *b3 = &buf[CHUNK_INDEX(lx, 3, lz)];
            *b1 = bedrock_if(*b1, g->b.bedrock, (r >> 8) % 2 == 0);
            *b2 = bedrock_if(*b2, g->b.bedrock, (r >> 16) % 3 == 0);
            *b3 = bedrock_if(*b3, g->b.bedrock, (r >> 24) % 4 == 0);
        }
}
