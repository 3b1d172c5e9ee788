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
 * classic switch), the one-term ones as sa v[a] alone (so that no + 0 turns
 * a -0 into +0): the same bits, chosen without a jump. */
static const uint8_t grad2_a[8] = {0, 0, 0, 0, 0, 0, 1, 1};
static const double grad2_sa[8] = {1, -1, 1, -1, 1, -1, 1, -1};
static const double grad2_sb[8] = {1, 1, -1, -1, 0, 0, 0, 0};

static inline double grad2(int h, double x, double y)
{
    const double v[2] = {x, y};
    h &= 7;
    double one = grad2_sa[h] * v[grad2_a[h]];
    double two = one + grad2_sb[h] * y;
    return h < 4 ? two : one;
}

/* The 12 cube-edge gradients of improved Perlin noise (and 4 repeated), as
 * two signed terms each: g = sa v[a] + sb v[b] with v = (x, y, z). The same
 * two additions in the same order as the classic switch (x - y is x + -y
 * exactly), so the same bits, without a jump the CPU cannot predict. */
static const uint8_t grad3_a[16] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1};
static const uint8_t grad3_b[16] = {1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 1, 2, 1, 2};
static const double grad3_sa[16] = {1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, -1, -1};
static const double grad3_sb[16] = {1, 1, -1, -1, 1, 1, -1, -1, 1, 1, -1, -1, 1, 1, 1, -1};

static inline double grad3(int h, double x, double y, double z)
{
    const double v[3] = {x, y, z};
    h &= 15;
    return grad3_sa[h] * v[grad3_a[h]] + grad3_sb[h] * v[grad3_b[h]];
}

/* The lattice cell of v (wrapped to 0..255) and the offset inside it.
 * floor by truncation: exact for |v| < 2^53, and no libm call. */
static inline int cell(double v, double *frac)
{
    int64_t i = (int64_t)v;
    if ((double)i > v)
        i--;
    *frac = v - (double)i;
    return (int)(i & 255);
}

double noise2(const Noise *n, double x, double y)
{
    x += n->ox;
    y += n->oy;
    double fx, fy;
    int xi = cell(x, &fx), yi = cell(y, &fy);
    const uint8_t *p = n->perm;
    int a = p[xi] + yi, b = p[xi + 1] + yi;
    double u = fade(fx), v = fade(fy);
    double r = lerp(v,
                    lerp(u, grad2(p[a], fx, fy), grad2(p[b], fx - 1.0, fy)),
                    lerp(u, grad2(p[a + 1], fx, fy - 1.0), grad2(p[b + 1], fx - 1.0, fy - 1.0)));
    return r;
}

double noise3(const Noise *n, double x, double y, double z)
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
    double x1 = fx - 1.0, y1 = fy - 1.0, z1 = fz - 1.0;
    return lerp(w,
                lerp(v, lerp(u, grad3(p[aa], fx, fy, fz), grad3(p[ba], x1, fy, fz)),
                     lerp(u, grad3(p[ab], fx, y1, fz), grad3(p[bb], x1, y1, fz))),
                lerp(v, lerp(u, grad3(p[aa + 1], fx, fy, z1), grad3(p[ba + 1], x1, fy, z1)),
                     lerp(u, grad3(p[ab + 1], fx, y1, z1), grad3(p[bb + 1], x1, y1, z1))));
}

/* Octaves are shifted by an irrational-looking step so their lattices do
 * not line up. */
#define OCTAVE_SHIFT 71.31

double noise_fbm2(const Noise *n, double x, double y, int octaves)
{
    double sum = 0.0, amp = 1.0, norm = 0.0, f = 1.0;
    for (int i = 0; i < octaves; i++) {
        sum += amp * noise2(n, x * f + OCTAVE_SHIFT * i, y * f - OCTAVE_SHIFT * i);
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
        sum += amp * noise3(n, x * f + OCTAVE_SHIFT * i, y * f + OCTAVE_SHIFT * i, z * f - OCTAVE_SHIFT * i);
        norm += amp;
        amp *= 0.5;
        f *= 2.0;
    }
    return sum / norm;
}
