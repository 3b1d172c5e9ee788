/* noise.h — the world generator's own gradient noise.
 *
 * Classic (improved) Perlin gradient noise in 2D and 3D over a permutation
 * shuffled from a seed with the game's PRNG, and fractal sums of octaves.
 * Only IEEE double additions, subtractions, multiplications, divisions and
 * exact integer conversions are used, so the same seed gives the same values
 * on every machine with IEEE doubles (the build uses ISO C mode, where GCC
 * does not contract to fused multiply-add; noise.c tells clang not to).
 * Coordinates must stay well below 2^53 in magnitude. */
#ifndef MA_WORLD_NOISE_H
#define MA_WORLD_NOISE_H

#include <stdint.h>

typedef struct Noise {
    uint8_t perm[512]; /* a shuffled 0..255, repeated once */
    double ox, oy, oz; /* a seed-derived offset so the origin is not a lattice point */
} Noise;

/* Fills n from seed (deterministic). */
void noise_init(Noise *n, uint64_t seed);

/* Single-octave noise, roughly in [-1, 1], 0 on lattice points. */
double noise2(const Noise *n, double x, double y);
double noise3(const Noise *n, double x, double y, double z);

/* Fractal sum of `octaves` octaves (each twice the frequency and half the
 * amplitude of the one before), divided by the sum of amplitudes, so the
 * result stays roughly in [-1, 1]. */
double noise_fbm2(const Noise *n, double x, double y, int octaves);
double noise_fbm3(const Noise *n, double x, double y, double z, int octaves);

#endif
