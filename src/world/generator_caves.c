/* generator_caves.c — caves: a 3D noise field sampled on a world-aligned 4-block lattice
 * (spaghetti tunnels and cheese caverns), evaluated only where a cell's corners say a tunnel may
 * pass; lava at or below LAVA_LEVEL. */
#include "world/generator.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "util/prng.h"
#include "world/generator_internal.h"
#include "world/noise.h"
#include "world/structures.h"

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

void gen_carve_caves(const Generator *g, const Column *col, uint8_t *buf, int32_t cx, int32_t cy, int32_t cz)
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
#if defined(__SSE2__)
    /* Two lanes at a time, each lane the same operations in the same order
     * as mix() (SSE2 arithmetic is IEEE double, and nothing is contracted),
     * so the field and the chunk are bit for bit those of the scalar code. */
    const __m128d t01 = _mm_set_pd(1 * inv, 0 * inv), t23 = _mm_set_pd(3 * inv, 2 * inv);
#endif
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
#if defined(__SSE2__)
                const __m128d lo0 = _mm_set_pd(c001, c000), hi0 = _mm_set_pd(c011, c010);
                const __m128d lo1 = _mm_set_pd(c101, c100), hi1 = _mm_set_pd(c111, c110);
                const __m128d zero = _mm_setzero_pd();
#endif
                for (int dy = 0; dy < CAVE_STEP; dy++) {
                    int ly = j * CAVE_STEP + dy, y = y0 + ly;
                    if (y < 1)
                        continue;
                    double ty = dy * inv;
                    for (int dz = 0; dz < CAVE_STEP; dz++) {
                        int lz = k * CAVE_STEP + dz;
                        double tz = dz * inv;
#if defined(__SSE2__)
                        /* (a0, a1) = mix(mix(c00i, c01i, tz), mix(c10i, c11i, tz), ty) for i = 0, 1 */
                        __m128d vtz = _mm_set1_pd(tz), vty = _mm_set1_pd(ty);
                        __m128d m0 = _mm_add_pd(lo0, _mm_mul_pd(_mm_sub_pd(hi0, lo0), vtz));
                        __m128d m1 = _mm_add_pd(lo1, _mm_mul_pd(_mm_sub_pd(hi1, lo1), vtz));
                        __m128d a = _mm_add_pd(m0, _mm_mul_pd(_mm_sub_pd(m1, m0), vty));
                        __m128d a0 = _mm_unpacklo_pd(a, a), d = _mm_sub_pd(_mm_unpackhi_pd(a, a), a0);
                        /* The cells whose value is not >= 0 (mix(a0, a1, dx * inv)), a bit per dx. */
                        unsigned open = (unsigned)_mm_movemask_pd(_mm_cmpnge_pd(_mm_add_pd(a0, _mm_mul_pd(d, t01)), zero)) |
                                        (unsigned)_mm_movemask_pd(_mm_cmpnge_pd(_mm_add_pd(a0, _mm_mul_pd(d, t23)), zero))
                                            << 2;
                        for (; open; open &= open - 1) {
                            int dx = __builtin_ctz(open);
#else
                        double a0 = mix(mix(c000, c010, tz), mix(c100, c110, tz), ty);
                        double a1 = mix(mix(c001, c011, tz), mix(c101, c111, tz), ty);
                        for (int dx = 0; dx < CAVE_STEP; dx++) {
                            if (mix(a0, a1, dx * inv) >= 0.0)
                                continue;
#endif
                            int lx = i * CAVE_STEP + dx;
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
