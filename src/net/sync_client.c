/* sync_client.c — see sync_client.h. */
#include "net/sync_client.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "net/http.h"

#define MAX_ANSWER (64u << 20) /* a larger answer is refused: no server of ours sends one */
/* JSON values in one answer: parsed, 64 MiB of "[0,0,0,..." took 2,625 MB (peak resident, cJSON
 * alone; about 80 bytes a value); a page of 1,000 chunks is about 50,000. A larger answer is
 * refused unparsed. */
#define MAX_VALUES 2000000u

struct SyncClient {
    HttpConn *conn;
    char *base;
    char token[65];
    int last_status, last_attempts;
    int last_too_big; /* the last request's answer was over MAX_ANSWER bytes or MAX_VALUES values */
    SyncClientOptions opt;
    char *ca_file;
    const atomic_int *cancel;
};

int sync_client_new(const char *base_url, const SyncClientOptions *opt, SyncClient **out, Err *err)
{
    *out = NULL;
    if (!base_url || (strncmp(base_url, "http://", 7) != 0 && strncmp(base_url, "https://", 8) != 0))
        return err_set(err, MA_ERR_INVALID, "the sync server's address must start with http:// or https:// (got '%s')",
                       base_url ? base_url : "");
    /* libcurl's global set-up, before any request of any thread (once a process). A failure to
     * load it is reported by the first request, in words. */
    http_global_init();
    SyncClient *c = calloc(1, sizeof *c);
    if (!c)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    c->base = strdup(base_url);
    c->conn = http_conn_new();
    if (!c->base || !c->conn) {
        sync_client_free(c);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    size_t bl = strlen(c->base);
    while (bl > 0 && c->base[bl - 1] == '/')
        c->base[--bl] = '\0';
    c->opt.connect_timeout_ms = 5000;
    c->opt.timeout_ms = 30000;
    c->opt.retries = 3;
    c->opt.backoff_ms = 200;
    if (opt) {
        if (opt->connect_timeout_ms > 0)
            c->opt.connect_timeout_ms = opt->connect_timeout_ms;
        if (opt->timeout_ms > 0)
            c->opt.timeout_ms = opt->timeout_ms;
        if (opt->retries >= 0)
            c->opt.retries = opt->retries;
        if (opt->backoff_ms > 0)
            c->opt.backoff_ms = opt->backoff_ms;
        if (opt->ca_file && !(c->ca_file = strdup(opt->ca_file))) {
            sync_client_free(c);
            return err_set(err, MA_ERR_NOMEM, "out of memory");
        }
    }
    *out = c;
    return MA_OK;
}

void sync_client_free(SyncClient *c)
{
    if (!c)
        return;
    http_conn_free(c->conn);
    explicit_bzero(c->token, sizeof c->token);
    free(c->base);
    free(c->ca_file);
    free(c);
}

void sync_client_set_token(SyncClient *c, const char *token)
{
    explicit_bzero(c->token, sizeof c->token);
    if (token)
        snprintf(c->token, sizeof c->token, "%s", token);
}

const char *sync_client_token(const SyncClient *c)
{
    return c->token[0] ? c->token : NULL;
}

void sync_client_set_cancel(SyncClient *c, const atomic_int *cancel)
{
    c->cancel = cancel;
}

static int cancelled(const SyncClient *c)
{
    return c->cancel && atomic_load(c->cancel);
}

int sync_client_last_status(const SyncClient *c)
{
    return c->last_status;
}

int sync_client_last_attempts(const SyncClient *c)
{
    return c->last_attempts;
}

/* Waits ms, in slices, returning early when the client is cancelled. */
static void sleep_ms(const SyncClient *c, long ms)
{
    while (ms > 0 && !cancelled(c)) {
        long slice = ms < 50 ? ms : 50;
        struct timespec ts = {slice / 1000, (slice % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        ms -= slice;
    }
}

/* Whether the JSON text holds at most max values: the commas, brackets and braces outside
 * strings are counted, one pass, before anything is parsed. */
static int values_within(const char *t, size_t len, size_t max)
{
    size_t n = 1;
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = t[i];
        if (in_string) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_string = 0;
        } else if (ch == '"') {
            in_string = 1;
        } else if (ch == ',' || ch == '[' || ch == '{') {
            if (++n > max)
                return 0;
        }
    }
    return 1;
}

/* The server's "error" text, or a short piece of the body. */
static void answer_reason(const char *body, char *out, size_t size)
{
    out[0] = '\0';
    cJSON *j = body && *body && values_within(body, strlen(body), MAX_VALUES) ? cJSON_Parse(body) : NULL;
    const cJSON *e = j ? cJSON_GetObjectItemCaseSensitive(j, "error") : NULL;
    if (cJSON_IsString(e))
        snprintf(out, size, "%s", e->valuestring);
    else if (body)
        snprintf(out, size, "%.200s", body);
    cJSON_Delete(j);
}

/* Sends one request (retrying what may be retried) and parses the JSON answer into *out (may
 * be NULL). idempotent: whether a request that may have reached the server can be sent again.
 * A body, even empty, makes a POST. */
static int request(SyncClient *c, const char *method, const char *path, const char *body, int idempotent,
                   cJSON **out, Err *err)
{
    if (out)
        *out = NULL;
    char url[2048];
    snprintf(url, sizeof url, "%s%s", c->base, path);
    int is_post = strcmp(method, "POST") == 0;
    int rc = MA_OK;
    c->last_too_big = 0;
    for (int attempt = 0;; attempt++) {
        HttpRequest req = {.url = url, .body = is_post ? (body ? body : "") : NULL, .bearer = c->token,
                           .connect_timeout_ms = c->opt.connect_timeout_ms, .timeout_ms = c->opt.timeout_ms,
                           .max_body = MAX_ANSWER, .cancel = c->cancel, .ca_file = c->ca_file};
        HttpResponse res;
        http_perform_conn(c->conn, &req, &res);
        long status = res.fail == HTTP_FAIL_NONE ? res.status : 0;
        c->last_status = (int)status;
        c->last_attempts = attempt + 1;

        int retry = 0;
        long wait = c->opt.backoff_ms << (attempt < 10 ? attempt : 10);
        wait += wait > 1 ? rand() % (wait / 2 + 1) : 0; /* jitter, so that clients cut together do not return together */
        char reason[400];
        if (res.fail != HTTP_FAIL_NONE) {
            int never_sent = res.fail == HTTP_FAIL_REFUSED || res.fail == HTTP_FAIL_RESOLVE || res.fail == HTTP_FAIL_CONNECT;
            switch (res.fail) {
            case HTTP_FAIL_TOO_BIG:
                rc = err_set(err, MA_ERR_IO, "the sync server at %s sent an answer larger than %u MiB", c->base,
                             MAX_ANSWER >> 20);
                c->last_too_big = 1;
                break;
            case HTTP_FAIL_REFUSED:
            case HTTP_FAIL_CONNECT:
            case HTTP_FAIL_RESOLVE:
                rc = err_set(err, MA_ERR_IO, "cannot reach the sync server at %s: %s (is it running?)", c->base, res.error);
                break;
            case HTTP_FAIL_TIMEOUT:
                rc = err_set(err, MA_ERR_IO, "the sync server at %s did not answer in time: %s", c->base, res.error);
                break;
            case HTTP_FAIL_TLS:
                rc = err_set(err, MA_ERR_IO, "cannot make a secure connection to %s: %s", c->base, res.error);
                break;
            case HTTP_FAIL_CANCELLED:
                rc = err_set(err, MA_ERR_IO, "the request to the sync server at %s was cancelled", c->base);
                break;
            default:
                rc = err_set(err, MA_ERR_IO, "talking to the sync server at %s failed: %s", c->base, res.error);
                break;
            }
            retry = (never_sent || idempotent) && res.fail != HTTP_FAIL_TOO_BIG && res.fail != HTTP_FAIL_TLS &&
                    res.fail != HTTP_FAIL_CANCELLED;
        } else if (status >= 200 && status < 300) {
            rc = MA_OK;
            if (out && res.body && res.len) {
                if (!values_within(res.body, res.len, MAX_VALUES)) {
                    rc = err_set(err, MA_ERR_IO, "the sync server at %s sent an answer of more than %u JSON values",
                                 c->base, MAX_VALUES);
                    c->last_too_big = 1;
                }
                else if (!(*out = cJSON_ParseWithLength(res.body, res.len)))
                    rc = err_set(err, MA_ERR_IO, "the sync server at %s answered something that is not JSON", c->base);
            }
        } else {
            answer_reason(res.body, reason, sizeof reason);
            switch (status) {
            case 400: rc = err_set(err, MA_ERR_INVALID, "the sync server refused the request (400): %s", reason); break;
            case 401:
                rc = err_set(err, MA_ERR_INVALID, "the sync server did not accept the sign-in (401): %s", reason);
                break;
            case 403: rc = err_set(err, MA_ERR_INVALID, "not allowed (403): %s", reason); break;
            case 404: rc = err_set(err, MA_ERR_NOT_FOUND, "not found on the sync server (404): %s", reason); break;
            case 409: rc = err_set(err, MA_ERR_CONSTRAINT, "%s (409)", reason); break;
            case 413: rc = err_set(err, MA_ERR_INVALID, "too large for the sync server (413): %s", reason); break;
            case 423: rc = err_set(err, MA_ERR_LOCKED, "%s (423)", reason); break;
            case 429:
                rc = err_set(err, MA_ERR_IO, "the sync server asks to slow down (429): %s", reason);
                retry = 1;
                break;
            default:
                rc = err_set(err, status >= 500 ? MA_ERR_IO : MA_ERR_INVALID, "the sync server answered %ld: %s", status,
                             reason);
                retry = status >= 500 && (idempotent || status == 503);
                break;
            }
            if (out && res.body && res.len && values_within(res.body, res.len, MAX_VALUES))
                *out = cJSON_ParseWithLength(res.body, res.len); /* callers may want the details (tries_left...) */
            if (retry && res.retry_after > 0)
                wait = res.retry_after * 1000 > wait ? res.retry_after * 1000 : wait;
        }
        if (res.body && body && is_post)
            explicit_bzero(res.body, res.len); /* a login answer holds a token */
        http_response_clear(&res);
        if (rc == MA_OK || !retry || attempt >= c->opt.retries || wait > 60000 || cancelled(c))
            break;
        if (out) {
            cJSON_Delete(*out);
            *out = NULL;
        }
        sleep_ms(c, wait);
    }
    return rc;
}

int sync_client_health(SyncClient *c, cJSON **info, Err *err)
{
    cJSON *o = NULL;
    int rc = request(c, "GET", "/v1/health", NULL, 1, &o, err);
    if (info)
        *info = o;
    else
        cJSON_Delete(o);
    return rc;
}

/* Prints o, sends it, frees the text. */
static int post_json(SyncClient *c, const char *path, const cJSON *o, int idempotent, cJSON **out, Err *err)
{
    char *body = cJSON_PrintUnformatted(o);
    if (!body)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    int rc = request(c, "POST", path, body, idempotent, out, err);
    explicit_bzero(body, strlen(body)); /* it may hold a password */
    free(body);
    return rc;
}

int sync_client_register(SyncClient *c, const char *username, const char *password, const char *email, Err *err)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "username", username ? username : "");
    cJSON_AddStringToObject(o, "password", password ? password : "");
    if (email)
        cJSON_AddStringToObject(o, "email", email);
    int rc = post_json(c, "/v1/register", o, 0, NULL, err);
    cJSON *pw = cJSON_GetObjectItemCaseSensitive(o, "password");
    if (pw && pw->valuestring)
        explicit_bzero(pw->valuestring, strlen(pw->valuestring));
    cJSON_Delete(o);
    return rc;
}

static const char *ostr(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int sync_client_login(SyncClient *c, const char *username, const char *password, SyncLogin *out, Err *err)
{
    SyncLogin local;
    if (!out)
        out = &local;
    memset(out, 0, sizeof *out);
    out->tries_left = -1;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "username", username ? username : "");
    cJSON_AddStringToObject(o, "password", password ? password : "");
    cJSON *a = NULL;
    int rc = post_json(c, "/v1/login", o, 1, &a, err);
    cJSON *pw = cJSON_GetObjectItemCaseSensitive(o, "password");
    if (pw && pw->valuestring)
        explicit_bzero(pw->valuestring, strlen(pw->valuestring));
    cJSON_Delete(o);
    if (rc == MA_OK) {
        const char *tok = ostr(a, "token");
        if (!tok || strlen(tok) != 64) {
            rc = err_set(err, MA_ERR_IO, "the sync server's login answer has no token");
        } else {
            snprintf(out->token, sizeof out->token, "%s", tok);
            snprintf(out->expires_at, sizeof out->expires_at, "%s", ostr(a, "expires_at") ? ostr(a, "expires_at") : "");
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(a, "user_id");
            out->user_id = cJSON_IsNumber(id) ? (int64_t)id->valuedouble : 0;
            sync_client_set_token(c, tok);
        }
    } else if (a) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(a, "tries_left");
        if (cJSON_IsNumber(t))
            out->tries_left = t->valueint;
        if (ostr(a, "locked_until"))
            snprintf(out->locked_until, sizeof out->locked_until, "%s", ostr(a, "locked_until"));
    }
    cJSON_Delete(a);
    return rc;
}

int sync_client_logout(SyncClient *c, Err *err)
{
    cJSON *o = cJSON_CreateObject();
    int rc = post_json(c, "/v1/logout", o, 1, NULL, err);
    cJSON_Delete(o);
    if (rc == MA_OK)
        sync_client_set_token(c, NULL);
    return rc;
}

int sync_client_create_world(SyncClient *c, const cJSON *world, int64_t *id, Err *err)
{
    cJSON *a = NULL;
    int rc = post_json(c, "/v1/worlds", world, 0, &a, err);
    if (rc == MA_OK) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, "id");
        if (!cJSON_IsNumber(v))
            rc = err_set(err, MA_ERR_IO, "the sync server's answer has no world id");
        else if (id)
            *id = (int64_t)v->valuedouble;
    }
    cJSON_Delete(a);
    return rc;
}

int sync_client_list_worlds(SyncClient *c, cJSON **worlds, Err *err)
{
    cJSON *a = NULL;
    *worlds = NULL;
    int rc = request(c, "GET", "/v1/worlds", NULL, 1, &a, err);
    if (rc == MA_OK) {
        *worlds = cJSON_DetachItemFromObjectCaseSensitive(a, "worlds");
        if (!cJSON_IsArray(*worlds)) {
            cJSON_Delete(*worlds);
            *worlds = NULL;
            rc = err_set(err, MA_ERR_IO, "the sync server's answer has no list of worlds");
        }
    }
    cJSON_Delete(a);
    return rc;
}

int sync_client_invite(SyncClient *c, int64_t world, const char *username, Err *err)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/worlds/%" PRId64 "/members", world);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "username", username ? username : "");
    int rc = post_json(c, path, o, 1, NULL, err);
    cJSON_Delete(o);
    return rc;
}

int sync_client_push(SyncClient *c, int64_t world, const cJSON *ops, cJSON **results, int64_t *seq_head, Err *err)
{
    *results = NULL;
    if (seq_head)
        *seq_head = -1;
    char path[96];
    snprintf(path, sizeof path, "/v1/worlds/%" PRId64 "/push", world);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemReferenceToObject(o, "ops", (cJSON *)ops);
    cJSON *a = NULL;
    int rc = post_json(c, path, o, 1, &a, err);
    cJSON_Delete(o);
    if (rc == MA_OK) {
        *results = cJSON_DetachItemFromObjectCaseSensitive(a, "results");
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(a, "seq_head");
        if (seq_head && cJSON_IsNumber(h))
            *seq_head = (int64_t)h->valuedouble;
        if (!cJSON_IsArray(*results) || cJSON_GetArraySize(*results) != cJSON_GetArraySize(ops)) {
            cJSON_Delete(*results);
            *results = NULL;
            rc = err_set(err, MA_ERR_IO, "the sync server's push answer does not hold one result per operation");
        }
    }
    cJSON_Delete(a);
    return rc;
}

static int pull(SyncClient *c, int64_t world, const char *near, int64_t since, int limit, cJSON **changes,
                int64_t *cursor, int *more, Err *err);

int sync_client_pull(SyncClient *c, int64_t world, int64_t since, int limit, cJSON **changes, int64_t *cursor,
                     int *more, Err *err)
{
    return pull(c, world, NULL, since, limit, changes, cursor, more, err);
}

int sync_client_pull_near(SyncClient *c, int64_t world, int64_t since, int limit, int cx, int cz, int radius,
                          cJSON **changes, int64_t *cursor, int *more, Err *err)
{
    char near[64];
    snprintf(near, sizeof near, "&near=%d,%d,%d", cx, cz, radius);
    return pull(c, world, near, since, limit, changes, cursor, more, err);
}

/* A page of changes since `since`, at most limit of them. An answer with more than limit, or that
 * says more wait without moving its cursor on, is refused as malformed: a client that followed it
 * would fill its memory or ask for ever. An answer too large to take (over MAX_ANSWER bytes or
 * MAX_VALUES values: a page of large chunks) is asked for again with half the limit, down to one
 * change, so that such a page cannot stop every sync for good; *cursor and *more then say where
 * the smaller page ended. */
static int pull(SyncClient *c, int64_t world, const char *near, int64_t since, int limit, cJSON **changes,
                int64_t *cursor, int *more, Err *err)
{
    *changes = NULL;
    cJSON *a = NULL;
    int rc;
    for (;;) {
        char path[200];
        snprintf(path, sizeof path, "/v1/worlds/%" PRId64 "/changes?since=%" PRId64 "&limit=%d%s", world, since, limit,
                 near ? near : "");
        rc = request(c, "GET", path, NULL, 1, &a, err);
        if (rc == MA_OK || !c->last_too_big || limit <= 1 || cancelled(c))
            break;
        cJSON_Delete(a);
        a = NULL;
        limit /= 2;
    }
    if (rc != MA_OK && c->last_too_big && limit <= 1)
        err_prefix(err, "one change after %lld is larger than this client takes", (long long)since);
    if (rc == MA_OK) {
        *changes = cJSON_DetachItemFromObjectCaseSensitive(a, "changes");
        const cJSON *cur = cJSON_GetObjectItemCaseSensitive(a, "cursor");
        if (!cJSON_IsArray(*changes) || !cJSON_IsNumber(cur)) {
            cJSON_Delete(*changes);
            *changes = NULL;
            rc = err_set(err, MA_ERR_IO, "the sync server's changes answer is malformed");
        } else if (cJSON_GetArraySize(*changes) > limit) {
            rc = err_set(err, MA_ERR_IO, "the sync server sent %d changes when at most %d were asked for",
                         cJSON_GetArraySize(*changes), limit);
            cJSON_Delete(*changes);
            *changes = NULL;
        } else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "more")) && cur->valuedouble <= (double)since) {
            rc = err_set(err, MA_ERR_IO, "the sync server says more changes wait but its cursor (%.0f) did not move on "
                         "from %lld", cur->valuedouble, (long long)since);
            cJSON_Delete(*changes);
            *changes = NULL;
        } else {
            if (cursor)
                *cursor = (int64_t)cur->valuedouble;
            if (more)
                *more = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "more"));
        }
    }
    cJSON_Delete(a);
    return rc;
}

/* Percent-encodes s into buf (cut at a whole escape when too long). */
static char *url_escape(const char *s, char *buf, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (; *s && n + 4 <= size; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
            ch == '.' || ch == '~') {
            buf[n++] = (char)ch;
        } else {
            buf[n++] = '%';
            buf[n++] = hex[ch >> 4];
            buf[n++] = hex[ch & 15];
        }
    }
    buf[n] = '\0';
    return buf;
}

int sync_client_find_chunks(SyncClient *c, int64_t world, const char *block, const char *entity, cJSON **chunks,
                            Err *err)
{
    *chunks = NULL;
    char eb_buf[200], ee_buf[200];
    char *eb = block ? url_escape(block, eb_buf, sizeof eb_buf) : NULL;
    char *ee = entity ? url_escape(entity, ee_buf, sizeof ee_buf) : NULL;
    char path[512];
    snprintf(path, sizeof path, "/v1/worlds/%" PRId64 "/chunks?%s%s%s%s%s", world, eb ? "block=" : "", eb ? eb : "",
             eb && ee ? "&" : "", ee ? "entity=" : "", ee ? ee : "");
    cJSON *a = NULL;
    int rc = request(c, "GET", path, NULL, 1, &a, err);
    if (rc == MA_OK) {
        *chunks = cJSON_DetachItemFromObjectCaseSensitive(a, "chunks");
        if (!cJSON_IsArray(*chunks)) {
            cJSON_Delete(*chunks);
            *chunks = NULL;
            rc = err_set(err, MA_ERR_IO, "the sync server's chunk list is malformed");
        }
    }
    cJSON_Delete(a);
    return rc;
}

char *sync_client_new_op_id(char buf[37])
{
    /* A UUID version 7: 48 bits of Unix milliseconds, then random bits. Ids made one after the
     * other sort one after the other, so the server's index of applied operations grows at its
     * end instead of being written all over. */
    unsigned char r[16];
    size_t got = 0;
    while (got < sizeof r) {
        ssize_t n = getrandom(r + got, sizeof r - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    for (; got < sizeof r; got++) /* getrandom cannot fail on Linux >= 3.17; keep ids unique anyway */
        r[got] = (unsigned char)rand();
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    for (int i = 0; i < 6; i++)
        r[i] = (unsigned char)(ms >> (40 - 8 * i));
    r[6] = (unsigned char)((r[6] & 0x0F) | 0x70); /* version 7 */
    r[8] = (unsigned char)((r[8] & 0x3F) | 0x80);
    snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3],
             r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
    return buf;
}
