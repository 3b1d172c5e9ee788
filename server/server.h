/* server.h — the sync server: its configuration and the state its threads share.
 *
 * magic-adventure-server is one process: libmicrohttpd's thread pool (epoll) answers HTTP,
 * each request borrows a PostgreSQL connection from the pool for its unit of work, and no
 * game state is kept in memory between requests (only the rate limiter's buckets), so any
 * number of server processes can run behind a load balancer on one database. */
#ifndef MA_SERVER_SERVER_H
#define MA_SERVER_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "ratelimit.h"
#include "world/blocks.h"

typedef struct ServerConfig {
    char database_url[1024]; /* DATABASE_URL ("" = libpq's PG* environment) */
    int pool_size;           /* DB_POOL_SIZE, default 20 */
    int pool_timeout_s;      /* DB_POOL_TIMEOUT, default 30 */
    int backup_retention_days; /* BACKUP_RETENTION_DAYS, default 30 */
    char listen_host[256];   /* --listen ADDR:PORT, default 127.0.0.1:8787 */
    int listen_port;
    char tls_cert[1024], tls_key[1024]; /* --tls-cert / --tls-key (PEM files) */
    int threads;             /* --threads: HTTP threads, default 4 */
    double rate_per_s;       /* MAGIC_SERVER_RATE "R/B": requests a second per token */
    int rate_burst;
    int session_hours;       /* MAGIC_SESSION_HOURS, default 24 (the local save's) */
    int prepare;             /* DB_PREPARE: 1 (default) prepared statements, 0 unnamed ones */
} ServerConfig;

/* Defaults, then the environment. MA_ERR_INVALID with a message naming the variable. */
int server_config_from_env(ServerConfig *c, Err *err);
/* "127.0.0.1:8787", "[::1]:8787", ":8787". */
int server_config_listen(ServerConfig *c, const char *addr, Err *err);

typedef struct Server {
    ServerConfig cfg;
    DbPool *pool;
    BlockRegistry *blocks;
    RateLimiter *limiter;
    int64_t started_ms;
} Server;

/* Request body limits. */
#define SERVER_MAX_BODY (4u << 20)  /* a push */
#define SERVER_SMALL_BODY (16u << 10) /* everything else */
#define SERVER_MAX_DEPTH 24         /* JSON nesting */

/* The hex SHA-256 of a bearer token: what sessions.session_token holds. */
void server_token_hash(const char *token, char out[65]);

#endif
