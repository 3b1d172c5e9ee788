/* http.c — see http.h. */
#include "http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "api.h"
#include "db_users.h"
#include "util/data.h"

struct HttpServer {
    struct MHD_Daemon *daemon;
    Server *srv;
    char *cert, *key;
    int port;
};

/* ------------------------------------------------------------ the route table */

typedef void (*Handler)(Req *, Resp *);

typedef struct Route {
    const char *method;
    const char *pattern; /* "{id}" matches a positive whole number */
    int auth;            /* needs a bearer token */
    size_t max_body;
    Handler fn;
} Route;

static const Route routes[] = {
    {"GET", "/v1/health", 0, 0, api_health},
    {"POST", "/v1/register", 0, SERVER_SMALL_BODY, api_register},
    {"POST", "/v1/login", 0, SERVER_SMALL_BODY, api_login},
    {"POST", "/v1/logout", 1, SERVER_SMALL_BODY, api_logout},
    {"GET", "/v1/worlds", 1, 0, api_worlds_list},
    {"POST", "/v1/worlds", 1, SERVER_SMALL_BODY, api_worlds_create},
    {"GET", "/v1/worlds/{id}", 1, 0, api_world_get},
    {"POST", "/v1/worlds/{id}/members", 1, SERVER_SMALL_BODY, api_world_invite},
    {"POST", "/v1/worlds/{id}/push", 1, SERVER_MAX_BODY, api_push},
    {"GET", "/v1/worlds/{id}/changes", 1, 0, api_changes},
    {"GET", "/v1/worlds/{id}/chunks", 1, 0, api_chunks_search},
};

/* Matches path against pattern; fills *id for "{id}". */
static int route_match(const char *pattern, const char *path, int64_t *id)
{
    while (*pattern) {
        if (strncmp(pattern, "{id}", 4) == 0) {
            if (!isdigit((unsigned char)*path) || *path == '0')
                return 0;
            int64_t v = 0;
            int digits = 0;
            while (isdigit((unsigned char)*path)) {
                if (++digits > 15)
                    return 0;
                v = v * 10 + (*path++ - '0');
            }
            *id = v;
            pattern += 4;
            continue;
        }
        if (*pattern++ != *path++)
            return 0;
    }
    return *path == '\0';
}

/* ------------------------------------------------------------ answers */

void resp_json(Resp *r, int status, cJSON *obj)
{
    free(r->body);
    r->status = status;
    r->body = obj ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
    if (!r->body) {
        r->status = 500;
        r->body = strdup("{\"error\":\"out of memory\"}");
    }
    r->len = r->body ? strlen(r->body) : 0;
}

void resp_error(Resp *r, int status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", msg);
    resp_json(r, status, o);
}

void resp_db_error(Resp *r, const Err *err)
{
    if (err->code == DB_UNAVAILABLE) {
        r->retry_after = 1;
        resp_error(r, 503, "the database is unavailable, try again: %s", err->msg);
    } else {
        resp_error(r, 500, "database error: %s", err->msg);
    }
}

/* ------------------------------------------------------------ requests */

int json_text_acceptable(const char *s, size_t len, int max_depth, char *why, size_t why_size)
{
    int depth = 0, in_str = 0, esc = 0;
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned char c = *p;
        if (c == 0) {
            snprintf(why, why_size, "the body holds a NUL byte");
            return 0;
        }
        if (c >= 0x80) { /* UTF-8: the shortest form, no surrogates, at most U+10FFFF */
            int n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : -1;
            if (n < 0 || c > 0xF4 || end - p <= n) {
                snprintf(why, why_size, "the body is not valid UTF-8 (byte %zu)", (size_t)(p - (const unsigned char *)s));
                return 0;
            }
            uint32_t cp = c & (0x3F >> n);
            for (int i = 1; i <= n; i++) {
                if ((p[i] & 0xC0) != 0x80) {
                    snprintf(why, why_size, "the body is not valid UTF-8 (byte %zu)",
                             (size_t)(p - (const unsigned char *)s));
                    return 0;
                }
                cp = cp << 6 | (p[i] & 0x3F);
            }
            if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF)) {
                snprintf(why, why_size, "the body is not valid UTF-8 (byte %zu)", (size_t)(p - (const unsigned char *)s));
                return 0;
            }
            p += n + 1;
            esc = 0;
            continue;
        }
        if (in_str) {
            if (esc)
                esc = 0;
            else if (c == '\\')
                esc = 1;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) {
                snprintf(why, why_size, "the JSON is nested deeper than %d levels", max_depth);
                return 0;
            }
        } else if (c == ']' || c == '}') {
            depth--;
        }
        p++;
    }
    return 1;
}

cJSON *req_json_object(const Req *q, Resp *r)
{
    char why[160];
    if (q->len == 0) {
        resp_error(r, 400, "the request needs a JSON object as its body");
        return NULL;
    }
    if (!json_text_acceptable(q->body, q->len, SERVER_MAX_DEPTH, why, sizeof why)) {
        resp_error(r, 400, "%s", why);
        return NULL;
    }
    const char *end = NULL;
    cJSON *o = cJSON_ParseWithLengthOpts(q->body, q->len, &end, 0);
    while (o && end < q->body + q->len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
        end++;
    if (o && end != q->body + q->len) {
        cJSON_Delete(o);
        o = NULL;
    }
    if (!o) {
        resp_error(r, 400, "the body is not JSON (near byte %zu)", end ? (size_t)(end - q->body) : (size_t)0);
        return NULL;
    }
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        resp_error(r, 400, "the body must be a JSON object");
        return NULL;
    }
    return o;
}

int req_query(const Req *q, const char *name, char *buf, size_t size)
{
    size_t nl = strlen(name);
    const char *p = q->query;
    while (p && *p) {
        const char *amp = strchr(p, '&');
        size_t seg = amp ? (size_t)(amp - p) : strlen(p);
        if (seg > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t vl = seg - nl - 1;
            if (vl >= size)
                vl = size - 1;
            memcpy(buf, p + nl + 1, vl);
            buf[vl] = '\0';
            return 1;
        }
        p = amp ? amp + 1 : NULL;
    }
    return 0;
}

typedef struct Conn {
    const Route *route;
    int64_t world_id;
    char *body;
    size_t len, cap;
    int too_big;
    Resp early; /* an answer decided before the body arrived */
} Conn;

static enum MHD_Result send_resp(struct MHD_Connection *c, Resp *r)
{
    if (!r->body) {
        r->body = strdup("{}");
        r->len = 2;
    }
    struct MHD_Response *m = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
    r->body = NULL;
    if (!m)
        return MHD_NO;
    MHD_add_response_header(m, "Content-Type", "application/json");
    MHD_add_response_header(m, "Cache-Control", "no-store");
    if (r->retry_after > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", r->retry_after);
        MHD_add_response_header(m, "Retry-After", ra);
    }
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)r->status, m);
    MHD_destroy_response(m);
    return ok;
}

static void client_addr(struct MHD_Connection *c, char *buf, size_t size)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    buf[0] = '\0';
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf, (socklen_t)size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf, (socklen_t)size);
}

/* Token check and rate limit; 0 when an answer has been set in r. */
static int authorize(HttpServer *h, struct MHD_Connection *c, const Route *rt, Req *q, Resp *r)
{
    int retry = 1;
    if (!rt->auth) {
        /* Before login a client is limited by its address (register and login hash bcrypt). */
        if (strcmp(rt->pattern, "/v1/health") != 0) {
            char key[80];
            snprintf(key, sizeof key, "ip:%s", q->client_addr);
            if (!ratelimit_take(h->srv->limiter, key, &retry)) {
                r->retry_after = retry;
                resp_error(r, 429, "too many requests from %s: wait %d s", q->client_addr, retry);
                return 0;
            }
        }
        return 1;
    }
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0) {
        resp_error(r, 401, "this needs a token: log in, then send \"Authorization: Bearer TOKEN\"");
        return 0;
    }
    const char *tok = auth + 7;
    size_t tl = strlen(tok);
    int hex = tl == 64;
    for (size_t i = 0; hex && i < tl; i++)
        hex = isxdigit((unsigned char)tok[i]) != 0;
    if (!hex) {
        resp_error(r, 401, "the token is malformed (64 hexadecimal characters expected): log in again");
        return 0;
    }
    server_token_hash(tok, q->token_hash);
    if (!ratelimit_take(h->srv->limiter, q->token_hash, &retry)) {
        r->retry_after = retry;
        resp_error(r, 429, "too many requests with this token (%.0f a second, bursts of %d): wait %d s",
                   h->srv->cfg.rate_per_s, h->srv->cfg.rate_burst, retry);
        return 0;
    }
    Db db;
    Err err = {0};
    if (db_acquire(h->srv->pool, &db, &err) != MA_OK) {
        resp_db_error(r, &err);
        return 0;
    }
    int expired = 0;
    int rc = db_session_user(&db, q->token_hash, &q->user_id, q->username, &expired, &err);
    db_release(&db);
    if (rc == MA_ERR_NOT_FOUND || rc == MA_ERR_LOCKED) {
        resp_error(r, 401, "%s", err.msg);
        return 0;
    }
    if (rc != MA_OK) {
        resp_db_error(r, &err);
        return 0;
    }
    return 1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    HttpServer *h = cls;
    Conn *cn = *con_cls;
    if (!cn) {
        cn = calloc(1, sizeof *cn);
        if (!cn)
            return MHD_NO;
        *con_cls = cn;
        int path_known = 0;
        for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
            int64_t id = 0;
            if (!route_match(routes[i].pattern, url, &id))
                continue;
            path_known = 1;
            if (strcmp(routes[i].method, method) == 0) {
                cn->route = &routes[i];
                cn->world_id = id;
                break;
            }
        }
        /* Refused before the body is read: MHD answers at once and does not read the upload. */
        if (!cn->route) {
            if (path_known)
                resp_error(&cn->early, 405, "%s is not allowed on %s", method, url);
            else
                resp_error(&cn->early, 404, "no such endpoint: %s %s (see docs/sync-protocol.md)", method, url);
            return send_resp(c, &cn->early);
        }
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > cn->route->max_body) {
            resp_error(&cn->early, 413, "the body is %s bytes; at most %zu are accepted here", cl, cn->route->max_body);
            return send_resp(c, &cn->early);
        }
        return MHD_YES;
    }
    if (cn->early.status) { /* answered already: drop what still arrives */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!cn->too_big) {
            if (cn->len + *upload_size > cn->route->max_body) {
                cn->too_big = 1;
                free(cn->body);
                cn->body = NULL;
                cn->len = cn->cap = 0;
            } else {
                if (cn->len + *upload_size + 1 > cn->cap) {
                    size_t cap = cn->cap ? cn->cap : 4096;
                    while (cap < cn->len + *upload_size + 1)
                        cap *= 2;
                    char *nb = realloc(cn->body, cap);
                    if (!nb)
                        return MHD_NO;
                    cn->body = nb;
                    cn->cap = cap;
                }
                memcpy(cn->body + cn->len, upload, *upload_size);
                cn->len += *upload_size;
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    Resp r = {0};
    if (cn->too_big) {
        resp_error(&r, 413, "the body is larger than the %zu bytes accepted here", cn->route->max_body);
        return send_resp(c, &r);
    }
    Req q;
    memset(&q, 0, sizeof q);
    q.srv = h->srv;
    q.method = method;
    q.path = url;
    q.world_id = cn->world_id;
    q.body = cn->body ? cn->body : "";
    if (cn->body)
        cn->body[cn->len] = '\0';
    q.len = cn->len;
    char query[512] = "";
    /* MHD splits the query off the URL; rebuild the parameters the handlers read. */
    static const char *const names[] = {"since", "limit", "near", "block", "entity"};
    size_t used = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, names[i]);
        if (v && used < sizeof query)
            used += (size_t)snprintf(query + used, sizeof query - used, "%s%s=%s", used ? "&" : "", names[i], v);
    }
    q.query = query;
    client_addr(c, q.client_addr, sizeof q.client_addr);
    if (authorize(h, c, cn->route, &q, &r))
        cn->route->fn(&q, &r);
    if (!r.body)
        resp_error(&r, 500, "the handler gave no answer");
    return send_resp(c, &r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    Conn *cn = *con_cls;
    if (cn) {
        free(cn->body);
        free(cn->early.body);
        free(cn);
    }
    *con_cls = NULL;
}

static void log_mhd(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fprintf(stderr, "magic-adventure-server: libmicrohttpd: ");
    vfprintf(stderr, fmt, ap);
}

int http_start(Server *srv, HttpServer **out, Err *err)
{
    HttpServer *h = calloc(1, sizeof *h);
    if (!h)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    h->srv = srv;
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
    char port[16];
    snprintf(port, sizeof port, "%d", srv->cfg.listen_port);
    int gai = getaddrinfo(srv->cfg.listen_host, port, &hints, &ai);
    if (gai != 0) {
        free(h);
        return err_set(err, MA_ERR_INVALID, "--listen %s: not a numeric IP address (%s)", srv->cfg.listen_host,
                       gai_strerror(gai));
    }
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    int tls = srv->cfg.tls_cert[0] != '\0';
    if (tls) {
        h->cert = file_read_all(srv->cfg.tls_cert, NULL, err);
        h->key = h->cert ? file_read_all(srv->cfg.tls_key, NULL, err) : NULL;
        if (!h->cert || !h->key) {
            freeaddrinfo(ai);
            free(h->cert);
            free(h);
            err_prefix(err, "reading the TLS certificate and key");
            return err->code;
        }
        flags |= MHD_USE_TLS;
    }
    struct MHD_OptionItem tls_opts[] = {
        {tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, h->cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, h->key},
        {MHD_OPTION_END, 0, NULL},
    };
    h->daemon = MHD_start_daemon(flags, (uint16_t)srv->cfg.listen_port, NULL, NULL, on_request, h,
                                 MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
                                 MHD_OPTION_SOCK_ADDR, ai->ai_addr,
                                 MHD_OPTION_THREAD_POOL_SIZE, (unsigned)srv->cfg.threads,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned)8192,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
                                 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
                                 MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)4096,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
                                 MHD_OPTION_ARRAY, tls_opts,
                                 MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!h->daemon) {
        free(h->cert);
        free(h->key);
        free(h);
        return err_set(err, MA_ERR_IO, "cannot listen on %s:%d (in use, not a local address, or a bad TLS "
                       "certificate/key)", srv->cfg.listen_host, srv->cfg.listen_port);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = di ? di->port : srv->cfg.listen_port;
    *out = h;
    return MA_OK;
}

int http_port(const HttpServer *h)
{
    return h->port;
}

void http_stop(HttpServer *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->daemon);
    free(h->cert);
    free(h->key);
    free(h);
}
