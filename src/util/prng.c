/* prng.c — xoshiro256** and splitmix64 (public-domain algorithms by
 * Blackman and Vigna). */
#include "util/prng.h"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void prng_seed(Prng *p, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        p->s[i] = splitmix64(&seed);
}



uint32_t prng_below(Prng *p, uint32_t n)
{
    /* Lemire's multiply-shift; the tiny bias is irrelevant for a game. */
    return (uint32_t)(((prng_next(p) >> 32) * (uint64_t)n) >> 32);
}

int prng_range(Prng *p, int lo, int hi)
{
    if (hi <= lo)
        return lo;
    return lo + (int)prng_below(p, (uint32_t)(hi - lo + 1));
}

double prng_unit(Prng *p) { return (double)(prng_next(p) >> 11) * 0x1.0p-53; }

int prng_chance(Prng *p, double pct) { return prng_unit(p) * 100.0 < pct; }

uint64_t hash_u64(uint64_t x)
{
    return splitmix64(&x);
}

uint64_t hash_coords(uint64_t seed, int64_t a, int64_t b, int64_t c, int64_t d)
{
    uint64_t h = hash_u64(seed ^ 0x5851f42d4c957f2dULL);
    h = hash_u64(h ^ (uint64_t)a);
    h = hash_u64(h ^ (uint64_t)b * 0x9e3779b97f4a7c15ULL);
    h = hash_u64(h ^ (uint64_t)c * 0xc2b2ae3d27d4eb4fULL);
    h = hash_u64(h ^ (uint64_t)d * 0x165667b19e3779f9ULL);
    return h;
}

uint64_t util_random_seed(void)
{
    uint64_t v = 0;
    if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v || !v)
        v = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL ^ (uint64_t)getpid();
    return v % 1000000000000ULL;
}
