/* generator_trees.c — trees and plants: a tree is decided by its root column's hash, and a
 * chunk also draws the trees rooted up to TREE_REACH blocks outside it, so trees on borders
 * come out whole; then the small plants on the surface. */
#include "world/generator.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/prng.h"
#include "world/generator_internal.h"
#include "world/noise.h"
#include "world/structures.h"

/* The tree rooted at (x, z), if any. s is the column's sample when the
 * caller has it (NULL: computed here only if the hash says a tree may grow). */
int gen_tree_at(Generator *g, int32_t x, int32_t z, const TerrainSample *s, TreeSpot *t)
{
    uint64_t r = gen_hash(g, x, z, SALT_TREE, 0);
    unsigned roll = (unsigned)(r & 0xffff);
    if (roll >= 65536 / 18)
        return 0;
    TerrainSample own;
    if (!s) {
        gen_terrain_sample(g, x, z, &own);
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
    case BIOME_TUNDRA: odds = 150; kind = TREE_PINE; break;
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

int gen_tree_top(const TreeSpot *t) { return t->ground + t->height + (t->kind == TREE_CACTUS ? 0 : 1); }

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
void gen_place_trees(const Generator *g, const Column *col, uint8_t *buf, int32_t cx, int32_t cy, int32_t cz)
{
    const Blocks *b = &g->b;
    int32_t bx = cx * CHUNK_SIZE, by = cy * CHUNK_SIZE, bz = cz * CHUNK_SIZE;
    for (int pass = 0; pass < 2; pass++)
        for (int ti = 0; ti < col->n_trees; ti++) {
            const TreeSpot *t = &col->trees[ti];
            int g0 = t->ground, H = t->height;
            if (g0 + 1 > by + CHUNK_SIZE - 1 || gen_tree_top(t) < by)
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

void gen_place_plants(const Generator *g, const Column *col, uint8_t *buf, int y0)
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
