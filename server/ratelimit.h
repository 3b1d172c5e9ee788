/* ratelimit.h — token buckets per key (a bearer token's hash, or a client address before login).
 *
 * In memory, per server process: behind a load balancer each process limits on its own, so
 * the effective limit is the per-process one times the number of processes that see a client
 * (haproxy's "balance source" keeps a client on one). A fixed table: when full, the bucket
 * idle longest is reused (a forgotten client simply starts with a full bucket). */
#ifndef MA_SERVER_RATELIMIT_H
#define MA_SERVER_RATELIMIT_H

typedef struct RateLimiter RateLimiter;

RateLimiter *ratelimit_new(double per_second, int burst);
void ratelimit_free(RateLimiter *r);

/* Takes one request from key's bucket: 1 allowed, 0 refused (then *retry_after_s says when
 * the next one will be allowed, at least 1). */
int ratelimit_take(RateLimiter *r, const char *key, int *retry_after_s);

#endif
