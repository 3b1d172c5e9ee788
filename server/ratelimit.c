/* ratelimit.c — see ratelimit.h. A sharded open-addressing table of buckets. */
#include "ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/timeutil.h"

#define SHARDS 16
#define SLOTS 4096 /* per shard */
#define PROBE 8

typedef struct Bucket {
    char key[72];
    double tokens;
    uint64_t last_ns;
} Bucket;

typedef struct Shard {
    pthread_mutex_t mu;
    Bucket slots[SLOTS];
} Shard;

struct RateLimiter {
    double rate;
    int burst;
    Shard shards[SHARDS];
};

RateLimiter *ratelimit_new(double per_second, int burst)
{
    RateLimiter *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->rate = per_second;
    r->burst = burst;
    for (int i = 0; i < SHARDS; i++)
        pthread_mutex_init(&r->shards[i].mu, NULL);
    return r;
}

void ratelimit_free(RateLimiter *r)
{
    if (!r)
        return;
    for (int i = 0; i < SHARDS; i++)
        pthread_mutex_destroy(&r->shards[i].mu);
    free(r);
}

static uint64_t hash_key(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

int ratelimit_take(RateLimiter *r, const char *key, int *retry_after_s)
{
    uint64_t h = hash_key(key), now = time_mono_ns();
    Shard *sh = &r->shards[h % SHARDS];
    size_t base = (size_t)(h >> 8) % SLOTS;
    pthread_mutex_lock(&sh->mu);
    Bucket *b = NULL, *oldest = NULL;
    for (int i = 0; i < PROBE && !b; i++) {
        Bucket *s = &sh->slots[(base + (size_t)i) % SLOTS];
        if (strncmp(s->key, key, sizeof s->key) == 0 && s->key[0])
            b = s;
        else if (!oldest || s->last_ns < oldest->last_ns)
            oldest = s;
    }
    if (!b) {
        b = oldest;
        snprintf(b->key, sizeof b->key, "%s", key);
        b->tokens = r->burst;
        b->last_ns = now;
    }
    b->tokens += (double)(now - b->last_ns) / 1e9 * r->rate;
    if (b->tokens > r->burst)
        b->tokens = r->burst;
    b->last_ns = now;
    int ok = b->tokens >= 1.0;
    if (ok)
        b->tokens -= 1.0;
    else if (retry_after_s)
        *retry_after_s = (int)ceil((1.0 - b->tokens) / r->rate) > 0 ? (int)ceil((1.0 - b->tokens) / r->rate) : 1;
    pthread_mutex_unlock(&sh->mu);
    return ok;
}
