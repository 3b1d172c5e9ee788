/* http.c — one HTTP request through libcurl (see http.h).
 *
 * libcurl is loaded with dlopen the first time a request is to be made, not
 * linked: with its TLS, HTTP/2, SSH, LDAP and Kerberos libraries it would add
 * some thirty shared libraries to every start of the game, which cost about
 * 12 ms an exec on this machine (2.6 times the whole start of `--version`),
 * for a feature that is off by default. */
#include "net/http.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <dlfcn.h>

#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#define HTTP_DEFAULT_MAX_BODY (1u << 20)

/* The libcurl functions used, from libcurl.so.4. */
static struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
    CURLcode (*easy_perform)(CURL *h);
    CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
    void (*easy_cleanup)(CURL *h);
    void (*easy_reset)(CURL *h);
    const char *(*easy_strerror)(CURLcode rc);
    struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
    void (*slist_free_all)(struct curl_slist *l);
    time_t (*getdate)(const char *s, const time_t *unused);
} C;

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static int g_init_rc = -1;
static char g_init_error[300];

static void global_init(void)
{
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(g_init_error, sizeof g_init_error, "libcurl could not be loaded (%s): install libcurl4", dlerror());
        return;
    }
    static const char *const names[] = {"curl_global_init",  "curl_easy_init",     "curl_easy_setopt",
                                        "curl_easy_perform", "curl_easy_getinfo",  "curl_easy_cleanup",
                                        "curl_easy_strerror", "curl_slist_append", "curl_slist_free_all",
                                        "curl_getdate", "curl_easy_reset"};
    void **slots[] = {(void **)&C.global_init,  (void **)&C.easy_init,     (void **)&C.easy_setopt,
                      (void **)&C.easy_perform, (void **)&C.easy_getinfo,  (void **)&C.easy_cleanup,
                      (void **)&C.easy_strerror, (void **)&C.slist_append, (void **)&C.slist_free_all,
                      (void **)&C.getdate, (void **)&C.easy_reset};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        /* POSIX: a function pointer read through dlsym's object pointer. */
        *slots[i] = dlsym(lib, names[i]);
        if (!*slots[i]) {
            snprintf(g_init_error, sizeof g_init_error, "libcurl.so.4 has no %s: install a newer libcurl4", names[i]);
            return;
        }
    }
    if (C.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(g_init_error, sizeof g_init_error, "libcurl could not start (curl_global_init failed)");
        return;
    }
    g_init_rc = 0; /* the library stays loaded for the life of the process */
}

int http_global_init(void)
{
    pthread_once(&g_once, global_init);
    return g_init_rc;
}

const char *http_fail_name(HttpFail f)
{
    static const char *const names[] = {"none", "refused", "resolve", "connect", "tls",
                                        "timeout", "cut", "too_big", "cancelled", "other"};
    return f >= HTTP_FAIL_NONE && f <= HTTP_FAIL_OTHER ? names[f] : "other";
}

typedef struct Sink {
    char *buf;
    size_t len, cap, max;
    int too_big;
    long retry_after;
    const atomic_int *cancel;
} Sink;

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    Sink *s = ud;
    size_t add = size * n;
    if (s->len + add > s->max) {
        s->too_big = 1;
        return 0; /* makes curl stop with CURLE_WRITE_ERROR */
    }
    if (s->len + add + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + add + 1)
            cap *= 2;
        char *grown = realloc(s->buf, cap);
        if (!grown)
            return 0;
        s->buf = grown;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, add);
    s->len += add;
    s->buf[s->len] = '\0';
    return add;
}

/* Retry-After: delay-seconds or an HTTP date. */
static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    Sink *s = ud;
    size_t len = size * n;
    static const char key[] = "retry-after:";
    if (len > sizeof key - 1 && strncasecmp(data, key, sizeof key - 1) == 0) {
        char value[128];
        size_t vlen = len - (sizeof key - 1);
        if (vlen >= sizeof value)
            vlen = sizeof value - 1;
        memcpy(value, data + sizeof key - 1, vlen);
        value[vlen] = '\0';
        char *p = value;
        while (*p == ' ' || *p == '\t')
            p++;
        p[strcspn(p, "\r\n")] = '\0';
        if (isdigit((unsigned char)*p)) {
            long v = strtol(p, NULL, 10);
            s->retry_after = v < 0 ? 0 : v > 86400 ? 86400 : v;
        } else if (*p) {
            time_t when = C.getdate(p, NULL);
            if (when > 0) {
                long v = (long)(when - time(NULL));
                s->retry_after = v < 0 ? 0 : v > 86400 ? 86400 : v;
            }
        }
    }
    return len;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    Sink *s = ud;
    return s->cancel && atomic_load(s->cancel) ? 1 : 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void classify(HttpResponse *out, CURLcode rc, long os_errno, const char *detail, const Sink *sink,
                     const HttpRequest *req)
{
    const char *d = detail && *detail ? detail : C.easy_strerror(rc);
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
        if (os_errno == ECONNREFUSED || strstr(d, "refused")) {
            out->fail = HTTP_FAIL_REFUSED;
            snprintf(out->error, sizeof out->error, "connection refused: nothing is listening at %s", req->url);
        } else {
            out->fail = HTTP_FAIL_CONNECT;
            snprintf(out->error, sizeof out->error, "could not connect to %s (%s)", req->url, d);
        }
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        out->fail = HTTP_FAIL_RESOLVE;
        snprintf(out->error, sizeof out->error, "the host name in %s does not resolve (%s)", req->url, d);
        break;
    case CURLE_OPERATION_TIMEDOUT:
        out->fail = HTTP_FAIL_TIMEOUT;
        snprintf(out->error, sizeof out->error, "no complete reply within %.1f s (%s)", (double)req->timeout_ms / 1000,
                 d);
        break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
        out->fail = HTTP_FAIL_TLS;
        snprintf(out->error, sizeof out->error, "TLS failed (%s): the certificate or the host name did not check out",
                 d);
        break;
    case CURLE_ABORTED_BY_CALLBACK:
        out->fail = HTTP_FAIL_CANCELLED;
        snprintf(out->error, sizeof out->error, "cancelled");
        break;
    case CURLE_WRITE_ERROR:
        if (sink->too_big) {
            out->fail = HTTP_FAIL_TOO_BIG;
            snprintf(out->error, sizeof out->error, "the reply is larger than %zu bytes", sink->max);
            break;
        }
        /* fall through */
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
        out->fail = HTTP_FAIL_CUT;
        snprintf(out->error, sizeof out->error, "the connection was cut in the middle of the reply (%s)", d);
        break;
    default:
        out->fail = HTTP_FAIL_OTHER;
        snprintf(out->error, sizeof out->error, "%s", d);
        break;
    }
}

struct HttpConn {
    CURL *h; /* NULL until the first request */
};

HttpConn *http_conn_new(void)
{
    return calloc(1, sizeof(HttpConn));
}

void http_conn_free(HttpConn *c)
{
    if (!c)
        return;
    if (c->h)
        C.easy_cleanup(c->h);
    free(c);
}

int http_perform(const HttpRequest *req, HttpResponse *out)
{
    return http_perform_conn(NULL, req, out);
}

int http_perform_conn(HttpConn *conn, const HttpRequest *req, HttpResponse *out)
{
    memset(out, 0, sizeof *out);
    out->retry_after = -1;
    Sink sink = {.max = req->max_body ? req->max_body : HTTP_DEFAULT_MAX_BODY, .retry_after = -1,
                 .cancel = req->cancel};
    double t0 = now_s();
    CURL *h = NULL;
    if (http_global_init() == 0) {
        if (conn && conn->h) {
            h = conn->h;
            C.easy_reset(h); /* the options go; the open connection stays */
        } else {
            h = C.easy_init();
            if (conn)
                conn->h = h;
        }
    }
    if (!h) {
        out->fail = HTTP_FAIL_OTHER;
        snprintf(out->error, sizeof out->error, "%s", g_init_error[0] ? g_init_error : "libcurl could not start");
        out->body = calloc(1, 1);
        return -1;
    }
    struct curl_slist *headers = NULL;
    char auth[1200];
    if (req->body) {
        char ct[160];
        snprintf(ct, sizeof ct, "Content-Type: %s", req->content_type ? req->content_type : "application/json");
        headers = C.slist_append(headers, ct);
    }
    headers = C.slist_append(headers, "Accept: application/json");
    /* No "Expect: 100-continue" round trip on larger bodies. */
    headers = C.slist_append(headers, "Expect:");
    if (req->bearer && req->bearer[0]) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", req->bearer);
        headers = C.slist_append(headers, auth);
    }
    char detail[CURL_ERROR_SIZE] = "";
    C.easy_setopt(h, CURLOPT_URL, req->url);
    C.easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    C.easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* required with threads */
    C.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms > 0 ? req->connect_timeout_ms : 5000L);
    C.easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : 30000L);
    C.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    C.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    C.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    C.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    C.easy_setopt(h, CURLOPT_ERRORBUFFER, detail);
    C.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    C.easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    C.easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    C.easy_setopt(h, CURLOPT_HEADERDATA, &sink);
    C.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    C.easy_setopt(h, CURLOPT_XFERINFODATA, &sink);
    C.easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    C.easy_setopt(h, CURLOPT_USERAGENT, "magic-adventure/" MA_VERSION);
    C.easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    if (req->ca_file)
        C.easy_setopt(h, CURLOPT_CAINFO, req->ca_file);
    if (req->body) {
        C.easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
        C.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(req->body));
    }
    CURLcode rc = C.easy_perform(h);
    if (rc == CURLE_OK) {
        C.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
        out->fail = HTTP_FAIL_NONE;
    } else {
        long os_errno = 0;
        C.easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
        classify(out, rc, os_errno, detail, &sink, req);
    }
    out->retry_after = sink.retry_after;
    C.slist_free_all(headers);
    if (!conn)
        C.easy_cleanup(h);
    /* The key lived in auth[] for the call only. */
    memset(auth, 0, sizeof auth);
    if (rc != CURLE_OK) {
        free(sink.buf);
        sink.buf = NULL;
        sink.len = 0;
    }
    out->body = sink.buf ? sink.buf : calloc(1, 1);
    out->len = sink.len;
    out->seconds = now_s() - t0;
    return rc == CURLE_OK ? 0 : -1;
}

void http_response_clear(HttpResponse *r)
{
    free(r->body);
    r->body = NULL;
    r->len = 0;
}
