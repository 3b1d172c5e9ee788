/* noise.c — improved Perlin noise (Ken Perlin, 2002) with a seeded
 * permutation. The gradient sets are the classic ones: 8 directions in 2D,
 * the 12 cube-edge directions in 3D. */
#include "world/noise.h"

#include "util/prng.h"

/* Clang contracts a*b+c into one fused multiply-add where the CPU has one,
 * which rounds differently; keep every machine on plain IEEE arithmetic
 * (GCC in ISO C mode never contracts, and warns about this pragma). */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

void noise_init(Noise *n, uint64_t seed)
{
    Prng p;
    prng_seed(&p, seed ^ 0x6e6f697365ULL); /* "noise" */
    for (int i = 0; i < 256; i++)
        n->perm[i] = (uint8_t)i;
    for (int i = 255; i > 0; i--) {
        int j = (int)prng_below(&p, (uint32_t)i + 1);
        uint8_t t = n->perm[i];
        n->perm[i] = n->perm[j];
        n->perm[j] = t;
    }
    for (int i = 0; i < 256; i++)
        n->perm[256 + i] = n->perm[i];
    n->ox = prng_unit(&p) * 256.0;
    n->oy = prng_unit(&p) * 256.0;
    n->oz = prng_unit(&p) * 256.0;
}

static inline double fade(double t) { return t * t * t * (t * (t * 6.0 - 15.0) + 10.0); }
static inline double lerp(double t, double a, double b) { return a + t * (b - a); }

/* The 8 gradients of 2D noise: x + y, -x + y, x - y, -x - y, then x, -x,
 * y, -y. The two-term ones as sa v[a] + sb v[b] (the same addition as the
 * classic switch; a = {0, 0, 0, 0, 0, 0, 1, 1}[h], b is y), the one-term
 * ones as sa v[a] alone (so that no + 0 turns
 * a -0 into +0): the same bits, chosen without a jump. */
static const double grad2_sa[8] = {1, -1, 1, -1, 1, -1, 1, -1};
static const double grad2_sb[8] = {1, 1, -1, -1, 0, 0, 0, 0};

/* The corners' offsets are V = (x, x - 1, y, y - 1) and corner c (bit 0:
 * x + 1, bit 1: y + 1) takes V[2 axis + bit axis of c] on each axis;
 * grad2_ia[c][h] is the index of the term sa multiplies (a = grad2_a[h]),
 * and the y term is V[2 + bit 1 of c]. */
static const uint8_t grad2_ia[4][8] = {
    {0, 0, 0, 0, 0, 0, 2, 2},
    {1, 1, 1, 1, 1, 1, 2, 2},
    {0, 0, 0, 0, 0, 0, 3, 3},
    {1, 1, 1, 1, 1, 1, 3, 3},
};

static inline double grad2(int c, int h, const double *V)
{
    h &= 7;
    double one = grad2_sa[h] * V[grad2_ia[c][h]];
    double two = one + grad2_sb[h] * V[2 + (c >> 1)];
    return h < 4 ? two : one;
}

/* The 12 cube-edge gradients of improved Perlin noise (and 4 repeated), as
 * two signed terms each: g = sa v[a] + sb v[b] with v = (x, y, z), where
 * a = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1}[h] and
 * b = {1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 1, 2, 1, 2}[h]. The same two
 * additions in the same order as the classic switch (x - y is x + -y
 * exactly), so the same bits, without a jump the CPU cannot predict. */
static const double grad3_sa[16] = {1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, -1, -1};
static const double grad3_sb[16] = {1, 1, -1, -1, 1, 1, -1, -1, 1, 1, -1, -1, 1, 1, 1, -1};

/* As for 2D: V = (x, x - 1, y, y - 1, z, z - 1), corner c's bits say
 * which on each axis, and grad3_ia / grad3_ib [c][h] index the two terms
 * (2 axis + bit axis of c, for axis grad3_a[h] and grad3_b[h]): the
 * corners' coordinates are written once, not three for each corner. */
static const uint8_t grad3_ia[8][16] = {
    {0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 0, 2, 0, 2}, {1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 1, 2, 1, 2},
    {0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 0, 3, 0, 3}, {1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 1, 3, 1, 3},
    {0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 0, 2, 0, 2}, {1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 1, 2, 1, 2},
    {0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 0, 3, 0, 3}, {1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 1, 3, 1, 3},
};
static const uint8_t grad3_ib[8][16] = {
    {2, 2, 2, 2, 4, 4, 4, 4, 4, 4, 4, 4, 2, 4, 2, 4}, {2, 2, 2, 2, 4, 4, 4, 4, 4, 4, 4, 4, 2, 4, 2, 4},
    {3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 3, 4, 3, 4}, {3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 3, 4, 3, 4},
    {2, 2, 2, 2, 5, 5, 5, 5, 5, 5, 5, 5, 2, 5, 2, 5}, {2, 2, 2, 2, 5, 5, 5, 5, 5, 5, 5, 5, 2, 5, 2, 5},
    {3, 3, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5, 3, 5, 3, 5}, {3, 3, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5, 3, 5, 3, 5},
};

static inline double grad3(int c, int h, const double *V)
{
    h &= 15;
    return grad3_sa[h] * V[grad3_ia[c][h]] + grad3_sb[h] * V[grad3_ib[c][h]];
}

/* The lattice cell of v (wrapped to 0..255) and the offset inside it.
 * floor by truncation: exact for |v| < 2^53, and no libm call; the step
 * down for negative v by arithmetic, not a branch (half the coordinates
 * of a world are negative, in no order a predictor could follow). */
static inline int cell(double v, double *frac)
{
    int64_t i = (int64_t)v;
    i -= (double)i > v;
    *frac = v - (double)i;
    return (int)(i & 255);
}

/* The noises' bodies, inlined into the sums of octaves. */
static inline __attribute__((always_inline)) double noise2_at(const Noise *n, double x, double y)
{
    x += n->ox;
    y += n->oy;
    double fx, fy;
    int xi = cell(x, &fx), yi = cell(y, &fy);
    const uint8_t *p = n->perm;
    int a = p[xi] + yi, b = p[xi + 1] + yi;
    double u = fade(fx), v = fade(fy);
    const double V[4] = {fx, fx - 1.0, fy, fy - 1.0};
    double r = lerp(v, lerp(u, grad2(0, p[a], V), grad2(1, p[b], V)), lerp(u, grad2(2, p[a + 1], V), grad2(3, p[b + 1], V)));
    return r;
}

static inline __attribute__((always_inline)) double noise3_at(const Noise *n, double x, double y, double z)
{
    x += n->ox;
    y += n->oy;
    z += n->oz;
    double fx, fy, fz;
    int xi = cell(x, &fx), yi = cell(y, &fy), zi = cell(z, &fz);
    const uint8_t *p = n->perm;
    int a = p[xi] + yi, aa = p[a] + zi, ab = p[a + 1] + zi;
    int b = p[xi + 1] + yi, ba = p[b] + zi, bb = p[b + 1] + zi;
    double u = fade(fx), v = fade(fy), w = fade(fz);
    const double V[6] = {fx, fx - 1.0, fy, fy - 1.0, fz, fz - 1.0};
    return lerp(w,
                lerp(v, lerp(u, grad3(0, p[aa], V), grad3(1, p[ba], V)), lerp(u, grad3(2, p[ab], V), grad3(3, p[bb], V))),
                lerp(v, lerp(u, grad3(4, p[aa + 1], V), grad3(5, p[ba + 1], V)),
                     lerp(u, grad3(6, p[ab + 1], V), grad3(7, p[bb + 1], V))));
}

double noise2(const Noise *n, double x, double y) { return noise2_at(n, x, y); }
double noise3(const Noise *n, double x, double y, double z) { return noise3_at(n, x, y, z); }

/* Octaves are shifted by an irrational-looking step so their lattices do
 * not line up. */
#define OCTAVE_SHIFT 71.31

double noise_fbm2(const Noise *n, double x, double y, int octaves)
{
    double sum = 0.0, amp = 1.0, norm = 0.0, f = 1.0;
    for (int i = 0; i < octaves; i++) {
        sum += amp * noise2_at(n, x * f + OCTAVE_SHIFT * i, y * f - OCTAVE_SHIFT * i);
        norm += amp;
        amp *= 0.5;
        f *= 2.0;
    }
    return sum / norm;
}

double noise_fbm3(const Noise *n, double x, double y, double z, int octaves)
{
    double sum = 0.0, amp = 1.0, norm = 0.0, f = 1.0;
    for (int i = 0; i < octaves; i++) {
        sum += amp * noise3_at(n, x * f + OCTAVE_SHIFT * i, y * f + OCTAVE_SHIFT * i, z * f - OCTAVE_SHIFT * i);
        norm += amp;
        amp *= 0.5;
        f *= 2.0;
    }
    return sum / norm;
}
