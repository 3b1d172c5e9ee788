/* fuzz_llm_reply.c — libFuzzer target for what an LLM endpoint sends back.
 *
 * The first byte chooses the kind of job (quest, event, line, branch) and
 * whether the rest is a whole response body (through llm_envelope_parse, as
 * the worker's answer is read) or the model's content alone. The validator
 * must accept or refuse with a reason, never crash; what it accepts must hold
 * only clean strings: no control characters (a newline only in a branch's
 * passage), no ESC, within the caps. Run it with
 * `scripts/fuzz fuzz_llm_reply SECONDS`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "net/llm_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int known_item(void *ud, const char *name)
{
    (void)ud;
    return strcmp(name, "bread") == 0 || strcmp(name, "gold_coin") == 0;
}

static int known_quest(void *ud, const char *name)
{
    (void)ud;
    return strcmp(name, "wolf_trouble") == 0;
}

/* Every string in v is clean and within cap bytes (newlines: 1 allowed in this string, 2 allowed in a
 * "text" under it: a branch's passage). */
static void check_clean(const cJSON *v, int newlines)
{
    if (cJSON_IsString(v)) {
        size_t n = strlen(v->valuestring);
        if (n > 1400)
            abort();
        for (const unsigned char *p = (const unsigned char *)v->valuestring; *p; p++)
            if ((*p < 0x20 && !(newlines && *p == '\n')) || *p == 0x7f || *p == 0x1b)
                abort();
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, v) {
        /* Rule-language names inside conditions and consequences are checked by the rules' own validation. */
        if (c->string && (strcmp(c->string, "conditions") == 0 || strcmp(c->string, "consequences") == 0))
            continue;
        check_clean(c, newlines == 2 && c->string && strcmp(c->string, "text") == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    LlmKind kind = (LlmKind)(data[0] % LLM_KIND_COUNT);
    int whole_body = (data[0] / LLM_KIND_COUNT) & 1;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char why[300];
    char *content = text;
    LlmEnvelope e;
    memset(&e, 0, sizeof e);
    if (whole_body) {
        if (llm_envelope_parse(text, size - 1, &e, why, sizeof why) != 0) {
            if (memchr(why, '\0', sizeof why) == NULL)
                abort();
            llm_envelope_clear(&e);
            free(text);
            return 0;
        }
        content = e.content;
    }
    static const char *const ids[] = {"bring", "slay", "find"};
    LlmExpect ex = {.kind = kind, .objective_ids = ids, .n_objectives = 3,
                    .prompt = "## World\nWorld: vale. Date: Spring 1, year 1, 08:00 (day). Season: spring.\n",
                    .item_exists = known_item, .quest_exists = known_quest};
    cJSON *v = NULL;
    if (llm_reply_validate(&ex, content, &v, why, sizeof why) == 0) {
        if (!cJSON_IsObject(v))
            abort();
        check_clean(v, kind == LLM_BRANCH ? 2 : 0);
    } else if (v != NULL || memchr(why, '\0', sizeof why) == NULL) {
        abort();
    }
    cJSON_Delete(v);
    llm_envelope_clear(&e);
    free(text);
    return 0;
}
