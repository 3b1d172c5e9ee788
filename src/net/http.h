/* http.h — one HTTP request through libcurl, for the worker thread.
 *
 * Plain data in, plain data out: the request names a URL, headers and a body;
 * the response holds the status, the body (capped), Retry-After, and when the
 * request did not complete, why, as a kind the caller can act on (refused,
 * timed out, TLS, cut mid-reply) and a sentence. TLS certificates and host
 * names are always verified. A request can be cancelled from another thread
 * through *cancel (checked while it runs, so a quit does not wait for a slow
 * server). Nothing here touches the game or the save. */
#ifndef MA_NET_HTTP_H
#define MA_NET_HTTP_H

#include <stdatomic.h>
#include <stddef.h>

/* Why a request gave no HTTP status. */
typedef enum HttpFail {
    HTTP_FAIL_NONE,      /* a response came (any status) */
    HTTP_FAIL_REFUSED,   /* nothing listens there (connection refused) */
    HTTP_FAIL_RESOLVE,   /* the host name does not resolve */
    HTTP_FAIL_CONNECT,   /* could not connect (unreachable, connect timeout) */
    HTTP_FAIL_TLS,       /* TLS failed: certificate, host name, handshake */
    HTTP_FAIL_TIMEOUT,   /* no complete reply within the total timeout */
    HTTP_FAIL_CUT,       /* the connection closed in the middle of the reply */
    HTTP_FAIL_TOO_BIG,   /* the reply is larger than max_body */
    HTTP_FAIL_CANCELLED, /* *cancel was set */
    HTTP_FAIL_OTHER,
} HttpFail;

typedef struct HttpRequest {
    const char *url;
    const char *body;           /* NULL: a GET */
    const char *content_type;   /* for a body; NULL means application/json */
    const char *bearer;         /* sent as "Authorization: Bearer ..."; NULL or "" for none */
    long connect_timeout_ms;
    long timeout_ms;            /* the whole request */
    size_t max_body;            /* bytes of reply kept; more is HTTP_FAIL_TOO_BIG (0: 1 MiB) */
    const atomic_int *cancel;   /* may be NULL */
    const char *ca_file;        /* PEM certificates to trust for https; NULL: the system's */
} HttpRequest;

typedef struct HttpResponse {
    long status;       /* 0 when fail != HTTP_FAIL_NONE */
    char *body;        /* heap, NUL-terminated (may be ""); the caller frees with http_response_clear */
    size_t len;
    long retry_after;  /* seconds from a Retry-After header, -1 when none */
    HttpFail fail;
    char error[256];   /* when fail: what happened, in words */
    double seconds;    /* how long it took */
} HttpResponse;

/* Once per process, on the main thread, before any worker runs a request
 * (libcurl's global set-up is not thread-safe): loads libcurl.so.4 (dlopen)
 * and sets it up. Returns 0, or -1 (a request then fails saying why). */
int http_global_init(void);
/* Performs the request (blocking: call it on a worker). Always fills *out
 * (clear it with http_response_clear); returns 0 when a response came. */
int http_perform(const HttpRequest *req, HttpResponse *out);
void http_response_clear(HttpResponse *r);

/* A connection kept open between requests to one server (one libcurl handle,
 * whose keep-alive connection the next request reuses): a sync client talks
 * to its server many times. Not shared between threads. http_conn_new never
 * fails for want of libcurl: a request on the connection then fails saying
 * why. NULL only when out of memory. */
typedef struct HttpConn HttpConn;
HttpConn *http_conn_new(void);
void http_conn_free(HttpConn *c);
/* http_perform on the connection (c NULL: a connection of its own). */
int http_perform_conn(HttpConn *c, const HttpRequest *req, HttpResponse *out);
/* A short name of a failure kind ("refused", "timeout" ...), for logs. */
const char *http_fail_name(HttpFail f);

#endif
