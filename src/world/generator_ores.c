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

/* Veins are random walks kept inside the chunk, each from a hash of the
 * chunk, and replace only stone inside their depth band. */
void gen_place_ores(const Generator *g, uint8_t *buf, int32_t cx, int32_t cy, int32_t cz)
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
