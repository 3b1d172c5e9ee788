/* llm.c — configuration, the chat request with its retries and caps, and
 * the endpoint check (see llm.h). */
#include "net/llm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cJSON.h>

#include "net/http.h"
#include "net/llm_reply.h"

/* ------------------------------------------------------------ configuration */

static void set_problem(LlmConfig *c, const char *fmt, const char *a, const char *b)
{
    size_t n = strlen(c->problem);
    if (n + 3 < sizeof c->problem)
        snprintf(c->problem + n, sizeof c->problem - n, fmt, n ? "; " : "", a ? a : "", b ? b : "");
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static void trim_url(char *url)
{
    size_t n = strlen(url);
    while (n > 0 && (url[n - 1] == '/' || url[n - 1] == ' '))
        url[--n] = '\0';
}

/* Reads the config file into c (keys the environment does not set). */
static void read_file(LlmConfig *c)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(c->file, sizeof c->file, "%s/magic-adventure/llm.json", xdg);
    else if (home && *home)
        snprintf(c->file, sizeof c->file, "%s/.config/magic-adventure/llm.json", home);
    else
        return;
    FILE *f = fopen(c->file, "r");
    if (!f) {
        c->file[0] = '\0';
        return;
    }
    struct stat st;
    char text[8192];
    size_t len = fread(text, 1, sizeof text - 1, f);
    int big = !feof(f);
    int readable_by_others = fstat(fileno(f), &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH));
    fclose(f);
    text[len] = '\0';
    cJSON *j = big ? NULL : cJSON_Parse(text);
    if (!cJSON_IsObject(j)) {
        set_problem(c, "%s%s is not a JSON object of url, model, key, timeout, rpm, tokens_per_day%s", c->file, NULL);
        cJSON_Delete(j);
        return;
    }
    const cJSON *kv;
    cJSON_ArrayForEach(kv, j) {
        static const char *const known[] = {"url", "model", "key", "timeout", "rpm", "tokens_per_day"};
        int k = -1;
        for (int i = 0; i < 6; i++)
            if (strcmp(kv->string, known[i]) == 0)
                k = i;
        if (k < 0) {
            set_problem(c, "%s%s: unknown key \"%s\" (ignored)", c->file, kv->string);
            continue;
        }
        if (k <= 2 && !cJSON_IsString(kv)) {
            set_problem(c, "%s%s: \"%s\" must be a string (ignored)", c->file, kv->string);
            continue;
        }
        if (k >= 3 && !cJSON_IsNumber(kv)) {
            set_problem(c, "%s%s: \"%s\" must be a number (ignored)", c->file, kv->string);
            continue;
        }
        if (k == 2 && readable_by_others) {
            /* Refuse the whole file: a key others can read is a leaked key. */
            set_problem(c, "%s%s holds a key and other users can read it: refused (chmod 600 %s)", c->file, c->file);
            c->url[0] = c->model[0] = c->key[0] = '\0';
            cJSON_Delete(j);
            c->file[0] = '\0';
            return;
        }
        switch (k) {
        case 0: snprintf(c->url, sizeof c->url, "%s", kv->valuestring); break;
        case 1: snprintf(c->model, sizeof c->model, "%s", kv->valuestring); break;
        case 2: snprintf(c->key, sizeof c->key, "%s", kv->valuestring); break;
        case 3: c->timeout_s = (int)kv->valuedouble; break;
        case 4: c->rpm = (int)kv->valuedouble; break;
        default: c->tokens_per_day = (long)kv->valuedouble; break;
        }
    }
    cJSON_Delete(j);
}

void llm_config_load(LlmConfig *c)
{
    memset(c, 0, sizeof *c);
    read_file(c);
    const char *v;
    if ((v = getenv("MAGIC_LLM_URL")) != NULL)
        snprintf(c->url, sizeof c->url, "%s", v);
    if ((v = getenv("MAGIC_LLM_MODEL")) != NULL)
        snprintf(c->model, sizeof c->model, "%s", v);
    if ((v = getenv("MAGIC_LLM_KEY")) != NULL)
        snprintf(c->key, sizeof c->key, "%s", v);
    long n;
    if ((v = getenv("MAGIC_LLM_TIMEOUT")) != NULL) {
        if (parse_int(v, 1, 600, &n) == 0)
            c->timeout_s = (int)n;
        else
            set_problem(c, "%sMAGIC_LLM_TIMEOUT=%s is not a number of seconds from 1 to 600 (using %s)", v, "60");
    }
    if ((v = getenv("MAGIC_LLM_RPM")) != NULL) {
        if (parse_int(v, 1, 600, &n) == 0)
            c->rpm = (int)n;
        else
            set_problem(c, "%sMAGIC_LLM_RPM=%s is not a number from 1 to 600 (using %s)", v, "20");
    }
    if ((v = getenv("MAGIC_LLM_TOKENS_PER_DAY")) != NULL) {
        if (parse_int(v, 0, 100000000, &n) == 0)
            c->tokens_per_day = n;
        else
            set_problem(c, "%sMAGIC_LLM_TOKENS_PER_DAY=%s is not a number (using %s)", v, "20000");
    }
    if (c->timeout_s < 1 || c->timeout_s > 600)
        c->timeout_s = LLM_DEFAULT_TIMEOUT;
    if (c->rpm < 1 || c->rpm > 600)
        c->rpm = LLM_DEFAULT_RPM;
    if (c->tokens_per_day <= 0)
        c->tokens_per_day = LLM_DEFAULT_TOKENS_PER_DAY;
    trim_url(c->url);
    if (c->url[0] && strncmp(c->url, "http://", 7) != 0 && strncmp(c->url, "https://", 8) != 0) {
        set_problem(c, "%sthe LLM URL \"%s\" must start with http:// or https://%s", c->url, NULL);
        c->url[0] = '\0';
    }
    c->on = c->url[0] != '\0';
}

void llm_config_describe(const LlmConfig *c, char *buf, size_t size)
{
    if (c->on)
        snprintf(buf, size, "on: %s at %s (timeout %d s, %d requests a minute, %ld tokens a game day%s)",
                 c->model[0] ? c->model : "the endpoint's first model", c->url, c->timeout_s, c->rpm,
                 c->tokens_per_day, c->key[0] ? ", with a key" : "");
    else
        snprintf(buf, size, "off%s%s", c->problem[0] ? ": " : " (set MAGIC_LLM_URL to a local model's /v1)",
                 c->problem);
}

/* ------------------------------------------------------------ the client */

struct LlmClient {
    LlmConfig cfg;
    char model[128];   /* the configured one, or the first listed */
    int json_object;   /* the endpoint refused response_format json_schema: ask for json_object */
    double sent[600];  /* when the last requests went, for the cap a minute (a ring) */
    int n_sent, next;
};

LlmClient *llm_client_new(const LlmConfig *cfg)
{
    LlmClient *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->cfg = *cfg;
    snprintf(c->model, sizeof c->model, "%s", cfg->model);
    http_global_init();
    return c;
}

void llm_client_free(LlmClient *c)
{
    if (!c)
        return;
    memset(c->cfg.key, 0, sizeof c->cfg.key);
    free(c);
}

void llm_answer_clear(LlmAnswer *a)
{
    free(a->body);
    a->body = NULL;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleeps up to seconds, waking early when cancelled; 0, or -1 when cancelled. */
static int nap(double seconds, const atomic_int *cancel)
{
    double until = mono_s() + seconds;
    while (mono_s() < until) {
        if (cancel && atomic_load(cancel))
            return -1;
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return cancel && atomic_load(cancel) ? -1 : 0;
}

/* Waits until one more request fits under the cap a minute. */
static int wait_for_slot(LlmClient *c, const atomic_int *cancel)
{
    int cap = c->cfg.rpm;
    if (c->n_sent >= cap) {
        double oldest = c->sent[(c->next - cap + 600) % 600];
        double wait = oldest + 60.0 - mono_s();
        if (wait > 0 && nap(wait, cancel) != 0)
            return -1;
    }
    c->sent[c->next] = mono_s();
    c->next = (c->next + 1) % 600;
    if (c->n_sent < 600)
        c->n_sent++;
    return 0;
}

static void url_of(const LlmClient *c, const char *path, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", c->cfg.url, path);
}

static HttpRequest request(const LlmClient *c, const char *url, const char *body, const atomic_int *cancel)
{
    long total = (long)c->cfg.timeout_s * 1000;
    HttpRequest r = {.url = url, .body = body, .bearer = c->cfg.key, .timeout_ms = total,
                     .connect_timeout_ms = total < 5000 ? total : 5000, .max_body = 1u << 20, .cancel = cancel};
    return r;
}

/* The error an endpoint put in its body, cleaned ("" when none). */
static void body_message(const char *body, size_t len, char *buf, size_t size)
{
    buf[0] = '\0';
    cJSON *j = cJSON_ParseWithLength(body, len);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    const cJSON *m = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "message") : e;
    if (!cJSON_IsString(m))
        m = cJSON_GetObjectItemCaseSensitive(j, "message");
    if (cJSON_IsString(m))
        llm_clean_text(m->valuestring, buf, size, 0);
    else if (!j && len > 0)
        llm_clean_text(body, buf, size < 120 ? size : 120, 0);
    cJSON_Delete(j);
}

/* Words for a failed response or request. */
static void explain(const LlmClient *c, const HttpResponse *r, char *fail, size_t fail_size, char *buf, size_t size)
{
    char msg[200];
    if (r->fail != HTTP_FAIL_NONE) {
        snprintf(fail, fail_size, "%s", http_fail_name(r->fail));
        const char *advice = "";
        switch (r->fail) {
        case HTTP_FAIL_REFUSED: advice = " — is the model server (llama-server, ollama serve) running, on that port?"; break;
        case HTTP_FAIL_RESOLVE: advice = " — check the host in MAGIC_LLM_URL"; break;
        case HTTP_FAIL_CONNECT: advice = " — check the address in MAGIC_LLM_URL and that the server is up"; break;
        case HTTP_FAIL_TLS:
            advice = " — use http:// for a server on this machine, or give it a certificate the system trusts";
            break;
        case HTTP_FAIL_TIMEOUT: advice = " — the model may be loading or too slow: raise MAGIC_LLM_TIMEOUT"; break;
        case HTTP_FAIL_CUT: advice = " — the server closed the connection early; look at its log"; break;
        default: break;
        }
        snprintf(buf, size, "%s%s", r->error, advice);
        return;
    }
    body_message(r->body, r->len, msg, sizeof msg);
    snprintf(fail, fail_size, "http_%ld", r->status);
    const char *what = r->status == 401 || r->status == 403
                           ? "the endpoint refused the key: set MAGIC_LLM_KEY to a valid key (or none for a local server)"
                       : r->status == 404 ? "not found: check that MAGIC_LLM_URL ends in /v1 and that MAGIC_LLM_MODEL is "
                                            "a model the endpoint lists (magic-adventure llm check lists them)"
                       : r->status == 429 ? "rate limited by the endpoint"
                       : r->status >= 500 ? "the model server failed"
                       : r->status == 400 ? "the endpoint refused the request"
                                          : "unexpected status";
    snprintf(buf, size, "HTTP %ld (%s), model %s%s%s", r->status, what, c->model[0] ? c->model : "(none)",
             msg[0] ? ": " : "", msg);
}

/* The first model an endpoint lists at /models (cached in the client). */
static int discover_model(LlmClient *c, const atomic_int *cancel, LlmAnswer *out)
{
    if (c->model[0])
        return 0;
    char url[600];
    url_of(c, "/models", url, sizeof url);
    HttpRequest req = request(c, url, NULL, cancel);
    HttpResponse r;
    http_perform(&req, &r);
    int rc = -1;
    if (r.fail == HTTP_FAIL_NONE && r.status / 100 == 2) {
        cJSON *j = cJSON_ParseWithLength(r.body, r.len);
        const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "data"), 0);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(first, "id");
        if (!cJSON_IsString(id)) /* Ollama's own /api/tags form */
            id = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "models"), 0),
                                                  "name");
        if (cJSON_IsString(id)) {
            llm_clean_text(id->valuestring, c->model, sizeof c->model, 0);
            rc = c->model[0] ? 0 : -1;
        }
        cJSON_Delete(j);
        if (rc != 0) {
            snprintf(out->fail, sizeof out->fail, "no_model");
            snprintf(out->error, sizeof out->error, "the endpoint lists no model at %s: set MAGIC_LLM_MODEL", url);
        }
    } else {
        explain(c, &r, out->fail, sizeof out->fail, out->error, sizeof out->error);
    }
    out->status = r.status;
    http_response_clear(&r);
    return rc;
}

static char *chat_body(const LlmClient *c, const LlmCall *call)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "model", c->model);
    cJSON *msgs = cJSON_AddArrayToObject(b, "messages");
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", "system");
    cJSON_AddStringToObject(m, "content", call->system ? call->system : "");
    cJSON_AddItemToArray(msgs, m);
    m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", "user");
    cJSON_AddStringToObject(m, "content", call->user ? call->user : "");
    cJSON_AddItemToArray(msgs, m);
    cJSON_AddNumberToObject(b, "max_tokens", call->max_tokens > 0 ? call->max_tokens : 256);
    cJSON_AddNumberToObject(b, "temperature", call->temperature);
    cJSON_AddBoolToObject(b, "stream", 0);
    cJSON *rf = cJSON_AddObjectToObject(b, "response_format");
    cJSON *schema = call->schema && !c->json_object ? cJSON_Parse(call->schema) : NULL;
    if (schema) {
        cJSON_AddStringToObject(rf, "type", "json_schema");
        cJSON *js = cJSON_AddObjectToObject(rf, "json_schema");
        cJSON_AddStringToObject(js, "name", call->schema_name ? call->schema_name : "reply");
        cJSON_AddItemToObject(js, "schema", schema);
    } else {
        cJSON_AddStringToObject(rf, "type", "json_object");
    }
    char *text = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    return text;
}

void llm_chat(LlmClient *c, const LlmCall *call, LlmAnswer *out, const atomic_int *cancel)
{
    memset(out, 0, sizeof *out);
    double t0 = mono_s();
    if (discover_model(c, cancel, out) != 0) {
        out->seconds = mono_s() - t0;
        return;
    }
    snprintf(out->model, sizeof out->model, "%s", c->model);
    char url[600];
    url_of(c, "/chat/completions", url, sizeof url);
    int retries = 0, schema_fallback = 0;
    for (;;) {
        if (wait_for_slot(c, cancel) != 0) {
            snprintf(out->fail, sizeof out->fail, "cancelled");
            snprintf(out->error, sizeof out->error, "cancelled");
            break;
        }
        char *body = chat_body(c, call);
        HttpRequest req = request(c, url, body, cancel);
        HttpResponse r;
        http_perform(&req, &r);
        free(body);
        out->attempts++;
        out->status = r.status;
        free(out->body);
        out->body = r.body;
        out->body_len = r.len;
        r.body = NULL;
        if (r.fail == HTTP_FAIL_NONE && r.status / 100 == 2) {
            out->ok = 1;
            out->fail[0] = out->error[0] = '\0';
            break;
        }
        HttpResponse view = r;
        view.body = out->body;
        explain(c, &view, out->fail, sizeof out->fail, out->error, sizeof out->error);
        if (r.fail == HTTP_FAIL_NONE && r.status == 400 && !c->json_object && call->schema && !schema_fallback) {
            /* An endpoint without JSON schema support: ask for a JSON object instead, from now on. */
            c->json_object = 1;
            schema_fallback = 1;
            continue;
        }
        int again = r.fail == HTTP_FAIL_NONE && (r.status == 429 || r.status / 100 == 5);
        if (!again || retries >= LLM_RETRIES)
            break;
        double wait = r.retry_after >= 0 ? (double)r.retry_after : (double)(1 << retries);
        if (wait > LLM_MAX_RETRY_AFTER) {
            snprintf(out->fail, sizeof out->fail, "rate_limited");
            snprintf(out->error, sizeof out->error, "HTTP %ld: the endpoint asks to wait %ld s (more than %d): gave up",
                     r.status, r.retry_after, LLM_MAX_RETRY_AFTER);
            break;
        }
        retries++;
        if (nap(wait, cancel) != 0) {
            snprintf(out->fail, sizeof out->fail, "cancelled");
            snprintf(out->error, sizeof out->error, "cancelled");
            break;
        }
    }
    out->seconds = mono_s() - t0;
}

/* ------------------------------------------------------------ llm check */

void llm_probe(const LlmConfig *cfg, LlmProbe *p)
{
    memset(p, 0, sizeof *p);
    p->prompt_tokens = p->completion_tokens = -1;
    if (!cfg->on) {
        snprintf(p->error, sizeof p->error, "the LLM is off%s%s", cfg->problem[0] ? ": " : "", cfg->problem);
        snprintf(p->advice, sizeof p->advice, "set MAGIC_LLM_URL (for example http://127.0.0.1:8080/v1 for "
                                              "llama-server, http://127.0.0.1:11434/v1 for Ollama)");
        return;
    }
    LlmClient *c = llm_client_new(cfg);
    if (!c) {
        snprintf(p->error, sizeof p->error, "out of memory");
        return;
    }
    char url[600], fail[24];
    url_of(c, "/models", url, sizeof url);
    HttpRequest req = request(c, url, NULL, NULL);
    HttpResponse r;
    http_perform(&req, &r);
    p->models_seconds = r.seconds;
    p->models_status = r.status;
    p->reached = r.fail == HTTP_FAIL_NONE;
    if (!p->reached) {
        explain(c, &r, fail, sizeof fail, p->error, sizeof p->error);
        http_response_clear(&r);
        llm_client_free(c);
        return;
    }
    if (r.status / 100 == 2) {
        cJSON *j = cJSON_ParseWithLength(r.body, r.len);
        const cJSON *m;
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(j, "data")) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
            if (!cJSON_IsString(id))
                continue;
            if (p->n_models < 8)
                llm_clean_text(id->valuestring, p->models[p->n_models++], sizeof p->models[0], 0);
            else
                p->more_models++;
        }
        cJSON_Delete(j);
    } else if (r.status == 401 || r.status == 403) {
        explain(c, &r, fail, sizeof fail, p->error, sizeof p->error);
        http_response_clear(&r);
        llm_client_free(c);
        return;
    }
    http_response_clear(&r);
    if (!c->model[0] && p->n_models > 0)
        snprintf(c->model, sizeof c->model, "%s", p->models[0]);
    if (!c->model[0]) {
        /* As the game would find: no model set and none listed is no model to ask (a request
         * for "default" might answer here, and the game would still have none). */
        snprintf(p->error, sizeof p->error, "the endpoint lists no model at %s: set MAGIC_LLM_MODEL", url);
        llm_client_free(c);
        return;
    }
    snprintf(p->model, sizeof p->model, "%s", c->model);
    LlmCall call = {.system = "Reply with one JSON object.", .user = "Say hello as {\"line\": \"...\"}.",
                    .schema_name = "line", .schema = llm_kind_schema(LLM_LINE), .max_tokens = 24, .temperature = 0};
    LlmAnswer a;
    llm_chat(c, &call, &a, NULL);
    p->chat_seconds = a.seconds;
    if (!a.ok) {
        snprintf(p->error, sizeof p->error, "%s", a.error);
    } else {
        LlmEnvelope e;
        char why[300];
        if (llm_envelope_parse(a.body, a.body_len, &e, why, sizeof why) != 0 &&
            strstr(why, "finish_reason") == NULL) {
            snprintf(p->error, sizeof p->error, "the reply to a tiny request did not read as a chat completion: %s",
                     why);
        } else {
            p->chat_ok = 1; /* a reply cut at 24 tokens still shows the endpoint works */
            p->prompt_tokens = e.prompt_tokens;
            p->completion_tokens = e.completion_tokens;
            if (e.model[0])
                snprintf(p->model, sizeof p->model, "%s", e.model);
        }
        llm_envelope_clear(&e);
    }
    if (!p->chat_ok && a.status == 404 && p->n_models > 0)
        snprintf(p->advice, sizeof p->advice, "set MAGIC_LLM_MODEL to one of the models listed above");
    llm_answer_clear(&a);
    llm_client_free(c);
}
