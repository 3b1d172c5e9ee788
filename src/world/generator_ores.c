/* generator_ores.c — ores: veins as random walks kept inside the chunk, each from a hash of
 * the chunk, by the depth rules of each ore. */
#include "world/generator.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/prng.h"
#include "world/generator_internal.h"
#include "world/noise.h"
#include "world/structures.h"

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

/* The steps of a walk by direction (+x, -x, +z, -z, +y, -y). */
static const int8_t step_x[6] = {1, -1, 0, 0, 0, 0}, step_z[6] = {0, 0, 1, -1, 0, 0}, step_y[6] = {0, 0, 0, 0, 1, -1};

/* Veins are random walks kept inside the chunk, each from a hash of the
 * chunk, and replace only stone inside their depth band. A step that would
 * leave the chunk goes the other way. The walk is written without branches
 * on its direction or on what it finds (each would be a guess the processor
 * gets wrong about every other step): the same cells as a switch on the
 * direction, which the generator's fingerprint test holds it to. */
void gen_place_ores(const Generator *g, uint8_t *buf, int32_t cx, int32_t cy, int32_t cz)
{
    int y0 = cy * CHUNK_SIZE, y1 = y0 + CHUNK_SIZE - 1;
    const uint8_t stone = g->b.stone;
    Prng p;
    prng_seed(&p, gen_hash(g, cx, cy, cz, SALT_ORE));
    for (size_t o = 0; o < sizeof ore_rules / sizeof ore_rules[0]; o++) {
        const OreRule *r = &ore_rules[o];
        uint8_t ore = *(const BlockId *)((const char *)&g->b + r->off);
        int lo = r->ylo > y0 ? r->ylo : y0, hi = r->yhi < y1 ? r->yhi : y1;
        /* Local y inside the rule's band: lo..hi made local. */
        unsigned band_lo = (unsigned)(lo - y0), band_n = (unsigned)(hi - lo);
        for (int t = 0; t < r->tries; t++) {
            uint64_t v = prng_next(&p);
            if (lo > hi || (int)(v % 100) >= r->chance)
                continue;
            int x = (int)(v >> 8) & 15, z = (int)(v >> 12) & 15;
            int y = lo + (int)((v >> 16) % (uint64_t)(hi - lo + 1)) - y0;
            uint64_t steps = v >> 24;
            for (int s = 0; s < r->size; s++) {
                int idx = CHUNK_INDEX(x, y, z);
                uint8_t here = buf[idx];
                buf[idx] = here == stone && (unsigned)(y - (int)band_lo) <= band_n ? ore : here;
                unsigned dir = (unsigned)(steps % 6);
                steps /= 6;
                if (!steps)
                    steps = prng_next(&p) >> 8;
                int nx = x + step_x[dir], ny = y + step_y[dir], nz = z + step_z[dir];
                x = (unsigned)nx > 15 ? x - step_x[dir] : nx;
                y = (unsigned)ny > 15 ? y - step_y[dir] : ny;
                z = (unsigned)nz > 15 ? z - step_z[dir] : nz;
            }
        }
    }
}
