/* llm.h — an OpenAI-compatible chat endpoint (llama.cpp's llama-server,
 * Ollama's /v1, vLLM, OpenAI): configuration, one chat request with its
 * retries, and the check behind `magic-adventure llm check`.
 *
 * Off unless configured: MAGIC_LLM_URL (the base URL, ".../v1"),
 * MAGIC_LLM_MODEL, MAGIC_LLM_KEY (a bearer token), MAGIC_LLM_TIMEOUT
 * (seconds), MAGIC_LLM_RPM (requests a minute), MAGIC_LLM_TOKENS_PER_DAY
 * (per game day), or the same keys in $XDG_CONFIG_HOME/magic-adventure/
 * llm.json (~/.config/... without XDG_CONFIG_HOME): {"url", "model", "key",
 * "timeout", "rpm", "tokens_per_day"}; the environment wins key by key. A
 * file that holds a key and that other users can read is refused. The key is
 * sent in the Authorization header and nowhere else: never logged, never in
 * the save.
 *
 * llm_chat is blocking and meant for the worker thread (src/net/worker.h):
 * one POST to URL/chat/completions asking for one JSON object
 * (response_format json_schema, or json_object after an endpoint refused
 * the schema with a 400), retried with backoff on 429 and 5xx (honouring
 * Retry-After, at most LLM_MAX_RETRY_AFTER seconds), after waiting for the
 * requests-a-minute cap. An LlmClient belongs to one thread at a time. */
#ifndef MA_NET_LLM_H
#define MA_NET_LLM_H

#include <stdatomic.h>
#include <stddef.h>

#include "util/err.h"

#define LLM_DEFAULT_TIMEOUT 60       /* seconds, a whole request */
#define LLM_DEFAULT_RPM 20
#define LLM_DEFAULT_TOKENS_PER_DAY 20000
#define LLM_MAX_RETRY_AFTER 30       /* longer asked waits give up (the offline text stays) */
#define LLM_RETRIES 2                /* after the first try, on 429 and 5xx */

typedef struct LlmConfig {
    int on;
    char url[512];          /* the base, without a trailing slash */
    char model[128];        /* "" : the first the endpoint lists */
    char key[512];          /* secret: never print or store it */
    int timeout_s;
    int rpm;
    long tokens_per_day;
    char file[512];         /* the config file read, or "" */
    char problem[600];      /* why it is off although something asked for it ("" when none) */
} LlmConfig;

/* Reads the configuration (environment over file). Never fails: a bad file
 * or value leaves it off (or the value at its default) and says why in
 * problem. */
void llm_config_load(LlmConfig *out);
/* One line for a title screen or `llm check`: "on: model M at URL (timeout
 * 60 s, ...)" or "off: set MAGIC_LLM_URL ..." — never the key. */
void llm_config_describe(const LlmConfig *c, char *buf, size_t size);

typedef struct LlmClient LlmClient;
LlmClient *llm_client_new(const LlmConfig *c);
void llm_client_free(LlmClient *c);

/* One chat request. */
typedef struct LlmCall {
    const char *system, *user;
    const char *schema_name;  /* "quest", ... */
    const char *schema;       /* a JSON schema text, or NULL for json_object */
    int max_tokens;
    double temperature;
} LlmCall;

typedef struct LlmAnswer {
    int ok;
    char *body;               /* heap: the raw response body of the last try (caller frees with llm_answer_clear) */
    size_t body_len;
    long status;              /* the last HTTP status, 0 for none */
    char model[128];          /* the model that answered (or was asked) */
    char fail[24];            /* when !ok: "refused", "timeout", "tls", "cut", "http_401", "rate_limited" ... */
    char error[512];          /* when !ok: what happened, in words a user can act on */
    int attempts;
    double seconds;           /* all tries, waits included */
} LlmAnswer;

/* Sends call; fills *out (clear it with llm_answer_clear). out->ok when a
 * 2xx body came (its content is not checked here: llm_reply.h). */
void llm_chat(LlmClient *c, const LlmCall *call, LlmAnswer *out, const atomic_int *cancel);
void llm_answer_clear(LlmAnswer *a);

/* `llm check`: what the endpoint answered, step by step. */
typedef struct LlmProbe {
    int reached;              /* GET /models answered (any status) */
    long models_status;
    char models[8][96];       /* the model ids listed (up to 8) */
    int n_models, more_models;
    int chat_ok;              /* the tiny request came back as JSON */
    double models_seconds, chat_seconds;
    long prompt_tokens, completion_tokens;
    char model[128];          /* the model used for the tiny request */
    char error[600];          /* the first failure, in words a user can act on; "" when none */
    char advice[300];
} LlmProbe;
void llm_probe(const LlmConfig *c, LlmProbe *out);

#endif
