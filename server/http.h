/* http.h — the HTTP front: libmicrohttpd, routing, limits, tokens, rate limits.
 *
 * Threading: MHD's internal thread pool with epoll (MHD_USE_EPOLL_INTERNAL_THREAD +
 * MHD_OPTION_THREAD_POOL_SIZE). Each pool thread waits on its own epoll set for many keep-alive
 * connections and runs a request's handler to the end, blocking on PostgreSQL. Why: a sync
 * client keeps one connection open and is idle most of the time, so thousands of connections
 * must cost no thread each (thread-per-connection would need 1,000 threads for 1,000 players);
 * the work itself is short and database-bound, so a few threads (about the number of database
 * connections that can work at once) keep PostgreSQL busy without a second queue and hand-off
 * between an I/O thread and workers. The cost: a slow request delays the other ready
 * connections of its thread; requests are bounded (body size, batch size, statement count), so
 * that delay is bounded too. */
#ifndef MA_SERVER_HTTP_H
#define MA_SERVER_HTTP_H

#include "server.h"

typedef struct HttpServer HttpServer;

/* Starts listening on the configured address (port 0: any free port). */
int http_start(Server *srv, HttpServer **out, Err *err);
/* The port actually bound. */
int http_port(const HttpServer *h);
void http_stop(HttpServer *h);

#endif
