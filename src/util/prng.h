/* prng.h — the game's own deterministic random numbers.
 *
 * xoshiro256** seeded through splitmix64: the same seed gives the same
 * sequence on every machine, unlike rand(). Also stateless hashes for
 * position-based randomness (world generation must not depend on the order
 * in which chunks are visited). */
#ifndef MA_UTIL_PRNG_H
#define MA_UTIL_PRNG_H

#include <stdint.h>

typedef struct Prng {
    uint64_t s[4];
} Prng;

void prng_seed(Prng *p, uint64_t seed);
/* xoshiro256**: the next number. Inline: the generator's ore veins draw it in their walk. */
static inline uint64_t prng_next(Prng *p)
{
    uint64_t *s = p->s;
    uint64_t r = s[1] * 5, result = ((r << 7) | (r >> 57)) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}
/* Uniform in [0, n); n > 0. */
uint32_t prng_below(Prng *p, uint32_t n);
/* Uniform in [lo, hi]. */
int prng_range(Prng *p, int lo, int hi);
/* Uniform in [0, 1). */
double prng_unit(Prng *p);
/* 1 with probability pct/100. */
int prng_chance(Prng *p, double pct);

uint64_t hash_u64(uint64_t x);
/* Hash of a seed and up to four integer coordinates. */
uint64_t hash_coords(uint64_t seed, int64_t a, int64_t b, int64_t c, int64_t d);

/* A fresh seed for a new world or character: from the kernel's random source (the clock when it
 * fails), below 10^12 so it stays readable and fits a save's signed integer. Not deterministic:
 * the one place a seed comes from outside. */
uint64_t util_random_seed(void);

#endif
