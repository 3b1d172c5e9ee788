/* llm_reply.c — the kinds of LLM job, their schemas, and the validation of
 * every reply (see llm_reply.h). */
#include "net/llm_reply.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/rules.h"
#include "game/story_book.h"
#include "util/json_field.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ the kinds */

static const char *const kind_names[LLM_KIND_COUNT] = {"quest", "event", "line", "branch"};

static const char *const instructions[LLM_KIND_COUNT] = {
    /* quest */
    "You write for Magic Adventure, a fantasy game played in a terminal. Rewrite the texts of a quest the game has "
    "already made, in the voice of the villager who gives it, using only the facts given. Keep what the quest asks "
    "(the same things to bring, slay or find, the same numbers and places); change only the words. Plain prose, no "
    "markdown, no lists, no quotation marks around the whole text. Reply with one JSON object: "
    "{\"title\": at most 80 characters, \"description\": one to three sentences, at most 480 characters, "
    "\"objectives\": [{\"id\": the objective's id as given, \"text\": at most 100 characters}]}.",
    /* event */
    "You write for Magic Adventure, a fantasy game played in a terminal. Rename and describe a world event the game "
    "has already decided, using only the facts given: keep what happens, where and to whom. Plain prose, no markdown. "
    "Reply with one JSON object: {\"name\": at most 80 characters, \"description\": one or two sentences, at most 480 "
    "characters}.",
    /* line */
    "You write the spoken lines of villagers in Magic Adventure, a fantasy game played in a terminal. Write what the "
    "villager says now to the traveller, in character: their role, their opinion of the traveller and what has "
    "passed between them, what the traveller has done lately, the season and the hour. One or two short sentences, "
    "spoken words only (no narration, no name prefix, no quotation marks), at most 190 characters. Reply with one "
    "JSON object: {\"line\": \"...\"}.",
    /* branch */
    "You extend a branching storyline of Magic Adventure, a fantasy game played in a terminal. Write one new choice "
    "that follows the passage given, and the passage the player reads after taking it, in the storyline's voice, "
    "using only the facts given. Text may use the fields {character}, {village}, {villager}, {smith}, {farmer}, "
    "{guard}, {priest}, {trader}, {place}, {world}, {class}. Optionally add \"conditions\" (when the choice is "
    "offered) and \"consequences\" (what taking it does) in the game's rule language; consequences may only be "
    "give, take, experience, relationship (with @smith, @farmer, @guard, @priest, @trader or @villager), flag and "
    "message. Reply with one JSON object: {\"choice\": at most 120 characters, \"text\": at most 1400 characters, "
    "\"conditions\": {...}, \"consequences\": [...]}.",
};

static const char *const schemas[LLM_KIND_COUNT] = {
    "{\"type\":\"object\",\"properties\":{"
    "\"title\":{\"type\":\"string\",\"maxLength\":80},"
    "\"description\":{\"type\":\"string\",\"maxLength\":480},"
    "\"objectives\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
    "\"id\":{\"type\":\"string\"},\"text\":{\"type\":\"string\",\"maxLength\":100}},"
    "\"required\":[\"id\",\"text\"],\"additionalProperties\":false}}},"
    "\"required\":[\"title\",\"description\",\"objectives\"],\"additionalProperties\":false}",
    "{\"type\":\"object\",\"properties\":{"
    "\"name\":{\"type\":\"string\",\"maxLength\":80},"
    "\"description\":{\"type\":\"string\",\"maxLength\":480}},"
    "\"required\":[\"name\",\"description\"],\"additionalProperties\":false}",
    "{\"type\":\"object\",\"properties\":{\"line\":{\"type\":\"string\",\"maxLength\":190}},"
    "\"required\":[\"line\"],\"additionalProperties\":false}",
    "{\"type\":\"object\",\"properties\":{"
    "\"choice\":{\"type\":\"string\",\"maxLength\":120},"
    "\"text\":{\"type\":\"string\",\"maxLength\":1400},"
    "\"conditions\":{\"type\":\"object\"},"
    "\"consequences\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}},"
    "\"required\":[\"choice\",\"text\"],\"additionalProperties\":false}",
};

static const int max_tokens[LLM_KIND_COUNT] = {400, 250, 120, 900};

const char *llm_kind_name(LlmKind k) { return k >= 0 && k < LLM_KIND_COUNT ? kind_names[k] : "?"; }
const char *llm_kind_instructions(LlmKind k) { return k >= 0 && k < LLM_KIND_COUNT ? instructions[k] : ""; }
const char *llm_kind_schema(LlmKind k) { return k >= 0 && k < LLM_KIND_COUNT ? schemas[k] : "{}"; }
int llm_kind_max_tokens(LlmKind k) { return k >= 0 && k < LLM_KIND_COUNT ? max_tokens[k] : 200; }

/* ------------------------------------------------------------ the envelope */

static long usage_field(const cJSON *usage, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(usage, k);
    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e12 ? (long)v->valuedouble : -1;
}

int llm_envelope_parse(const char *body, size_t len, LlmEnvelope *out, char *why, size_t why_size)
{
    memset(out, 0, sizeof *out);
    out->prompt_tokens = out->completion_tokens = out->total_tokens = -1;
    cJSON *root = body ? cJSON_ParseWithLength(body, len) : NULL;
    int rc = -1;
    if (!cJSON_IsObject(root)) {
        snprintf(why, why_size, "the reply is not JSON (%zu bytes)", len);
        goto done;
    }
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(root, "error");
    if (error) {
        const cJSON *msg = cJSON_IsObject(error) ? cJSON_GetObjectItemCaseSensitive(error, "message") : error;
        char clean[200];
        llm_clean_text(cJSON_IsString(msg) ? msg->valuestring : "(no message)", clean, sizeof clean, 0);
        snprintf(why, why_size, "the endpoint answered with an error: %s", clean);
        goto done;
    }
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
    if (cJSON_IsString(model))
        llm_clean_text(model->valuestring, out->model, sizeof out->model, 0);
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(root, "usage");
    if (cJSON_IsObject(usage)) {
        out->prompt_tokens = usage_field(usage, "prompt_tokens");
        out->completion_tokens = usage_field(usage, "completion_tokens");
        out->total_tokens = usage_field(usage, "total_tokens");
        if (out->total_tokens < 0 && out->prompt_tokens >= 0 && out->completion_tokens >= 0)
            out->total_tokens = out->prompt_tokens + out->completion_tokens;
    }
    const cJSON *choice = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "choices"), 0);
    const cJSON *message = cJSON_GetObjectItemCaseSensitive(choice, "message");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(message, "content");
    const cJSON *finish = cJSON_GetObjectItemCaseSensitive(choice, "finish_reason");
    if (cJSON_IsString(finish))
        llm_clean_text(finish->valuestring, out->finish, sizeof out->finish, 0);
    if (!cJSON_IsObject(choice) || !cJSON_IsString(content)) {
        snprintf(why, why_size, "the reply has no choices[0].message.content");
        goto done;
    }
    if (strcmp(out->finish, "length") == 0) {
        snprintf(why, why_size, "the reply was cut at its token limit (finish_reason \"length\")");
        goto done;
    }
    out->content = strdup(content->valuestring);
    if (!out->content) {
        snprintf(why, why_size, "out of memory");
        goto done;
    }
    rc = 0;
done:
    cJSON_Delete(root);
    return rc;
}

void llm_envelope_clear(LlmEnvelope *e)
{
    free(e->content);
    e->content = NULL;
}

/* ------------------------------------------------------------ cleaning text */

/* The length of the UTF-8 sequence at p (n bytes left) and its code point, or 0 when invalid. */
static int utf8_at(const unsigned char *p, size_t n, unsigned *cp)
{
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    int len = p[0] >= 0xF0 && p[0] <= 0xF4 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 && p[0] <= 0xDF ? 2 : 0;
    if (len == 0 || (size_t)len > n || (p[0] >= 0xE0 && p[0] < 0xF0 && len != 3))
        return 0;
    unsigned v = p[0] & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (int i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)))
        return 0;
    *cp = v;
    return len;
}

/* Skips an escape sequence starting at ESC (p[0]); returns the bytes it spans. */
static size_t escape_len(const unsigned char *p, size_t n)
{
    if (n < 2)
        return n;
    size_t i = 2;
    switch (p[1]) {
    case '[': /* CSI: parameters, intermediates, one final byte */
        while (i < n && p[i] >= 0x20 && p[i] <= 0x3F)
            i++;
        return i < n && p[i] >= 0x40 && p[i] <= 0x7E ? i + 1 : i;
    case ']': case 'P': case 'X': case '^': case '_': /* strings, to BEL or ST (ESC \) */
        for (; i < n; i++) {
            if (p[i] == 0x07)
                return i + 1;
            if (p[i] == 0x1B && i + 1 < n && p[i + 1] == '\\')
                return i + 2;
        }
        return n;
    default:
        return 2;
    }
}

size_t llm_clean_text(const char *in, char *out, size_t cap, int newlines)
{
    if (!cap)
        return 0;
    const unsigned char *p = (const unsigned char *)(in ? in : "");
    size_t n = strlen((const char *)p), o = 0, i = 0;
    int cut = 0;
    while (i < n) {
        unsigned cp = 0;
        if (p[i] == 0x1B) {
            i += escape_len(p + i, n - i);
            continue;
        }
        int len = utf8_at(p + i, n - i, &cp);
        if (len == 0) {
            i++;
            continue;
        }
        if (cp == 0x9B || cp == 0x9D || cp == 0x90) { /* C1 CSI, OSC, DCS: skip like their ESC forms */
            size_t j = i + (size_t)len;
            if (cp == 0x9B) {
                while (j < n && p[j] >= 0x20 && p[j] <= 0x3F)
                    j++;
                if (j < n && p[j] >= 0x40 && p[j] <= 0x7E)
                    j++;
            } else {
                while (j < n && p[j] != 0x07 && !(p[j] == 0x1B && j + 1 < n && p[j + 1] == '\\'))
                    j++;
                j += j < n ? (p[j] == 0x07 ? 1 : 2) : 0;
            }
            i = j > n ? n : j;
            continue;
        }
        const char *put = (const char *)p + i;
        size_t put_len = (size_t)len;
        if (cp == '\t' || cp == '\r' || (cp == '\n' && !newlines)) {
            put = " ";
            put_len = 1;
        } else if ((cp < 0x20 && cp != '\n') || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
                   (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
                   cp == 0x200F || cp == 0xFEFF) {
            i += (size_t)len;
            continue;
        }
        i += (size_t)len;
        if (put[0] == ' ' && (o == 0 || out[o - 1] == ' ' || out[o - 1] == '\n'))
            continue; /* no leading or doubled spaces */
        if (o + put_len + 1 > cap) {
            cut = 1;
            break;
        }
        memcpy(out + o, put, put_len);
        o += put_len;
    }
    if (cut && cap > 8) {
        /* Cut at the last word that fits with "...". */
        size_t keep = o;
        while (keep > 0 && keep + 4 > cap)
            keep--;
        while (keep > 0 && (out[keep] & 0xC0) == 0x80)
            keep--;
        size_t space = keep;
        while (space > 0 && out[space] != ' ')
            space--;
        if (space > keep / 2)
            keep = space;
        while (keep > 0 && (out[keep - 1] == ' ' || out[keep - 1] == ',' || out[keep - 1] == '\n'))
            keep--;
        memcpy(out + keep, "...", 3);
        o = keep + 3;
    }
    while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\n'))
        o--;
    out[o] = '\0';
    return o;
}

/* ------------------------------------------------------------ validating */

typedef struct Check {
    const LlmExpect *ex;
    char *why;
    size_t why_size;
} Check;

static int fail(Check *c, const char *fmt, const char *a, const char *b)
{
    snprintf(c->why, c->why_size, fmt, a ? a : "", b ? b : "");
    return -1;
}

/* Whether s repeats LLM_ECHO_WINDOW bytes of the prompt. */
static int echoes(const char *s, const char *prompt)
{
    size_t n = strlen(s);
    if (!prompt || n < LLM_ECHO_WINDOW)
        return 0;
    for (size_t i = 0; i + LLM_ECHO_WINDOW <= n; i += 8)
        if (memmem(prompt, strlen(prompt), s + i, LLM_ECHO_WINDOW))
            return 1;
    return 0;
}

/* A cleaned string field of o into out: required, min..cap bytes after cleaning. */
static int text_field(Check *c, const cJSON *o, const char *key, size_t min, size_t cap, int newlines, cJSON *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v)
        return fail(c, "\"%s\" is missing", key, NULL);
    if (!cJSON_IsString(v))
        return fail(c, "\"%s\" must be a string", key, NULL);
    char *buf = malloc(cap + 1);
    if (!buf)
        return fail(c, "out of memory", NULL, NULL);
    size_t len = llm_clean_text(v->valuestring, buf, cap + 1, newlines);
    int rc = 0;
    if (len < min)
        rc = fail(c, "\"%s\" is empty or too short after removing control characters", key, NULL);
    else if (echoes(buf, c->ex->prompt))
        rc = fail(c, "\"%s\" repeats the instructions or the context instead of writing new text", key, NULL);
    else
        cJSON_AddStringToObject(out, key, buf);
    free(buf);
    return rc;
}

/* Refuses keys of o that are not in known (NULL-terminated). */
static int only_keys(Check *c, const cJSON *o, const char *const *known, const char *where)
{
    const cJSON *kv;
    cJSON_ArrayForEach(kv, o) {
        int found = 0;
        for (int i = 0; known[i] && !found; i++)
            found = kv->string && strcmp(kv->string, known[i]) == 0;
        if (!found) {
            char name[48];
            llm_clean_text(kv->string, name, sizeof name, 0);
            return fail(c, "\"%s\" is not a field of %s", name, where);
        }
    }
    return 0;
}

static int is_name(const char *s)
{
    if (!s || !*s || strlen(s) > RULES_MAX_NAME)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    return 1;
}

static const char *const people[] = {"@smith", "@farmer", "@guard", "@priest", "@trader", "@villager"};

static int is_person(const char *s)
{
    for (size_t i = 0; s && i < NELEM(people); i++)
        if (strcmp(s, people[i]) == 0)
            return 1;
    return 0;
}

/* Clamps number field k of o (when it is a number) to lo..hi, whole. */
static void clamp(cJSON *o, const char *k, double lo, double hi)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(v))
        return;
    double d = v->valuedouble;
    d = isfinite(d) ? round(d) : lo;
    cJSON_SetNumberValue(v, d < lo ? lo : d > hi ? hi : d);
}

/* Cleans string field k of o in place (messages and reasons the player reads). */
static int clean_in_place(Check *c, cJSON *o, const char *k, int required)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!v)
        return required ? fail(c, "\"%s\" is missing in a consequence", k, NULL) : 0;
    if (!cJSON_IsString(v))
        return fail(c, "\"%s\" must be a string in a consequence", k, NULL);
    char buf[RULES_MAX_TEXT + 1], bad[48];
    llm_clean_text(v->valuestring, buf, sizeof buf, 0);
    if (!buf[0])
        return fail(c, "\"%s\" is empty in a consequence", k, NULL);
    if (!story_fields_ok(buf, bad, sizeof bad))
        return fail(c, "%s is not a field a text may hold", bad, NULL);
    if (echoes(buf, c->ex->prompt))
        return fail(c, "\"%s\" repeats the prompt", k, NULL);
    cJSON_SetValuestring(v, buf);
    return 0;
}

static int names_exist(Check *c, const char *item, const char *quest)
{
    const LlmExpect *ex = c->ex;
    if (item && ex->item_exists && !ex->item_exists(ex->ud, item))
        return fail(c, "there is no item called \"%s\"%s", is_name(item) ? item : "(not a name)", NULL);
    if (quest && ex->quest_exists && !ex->quest_exists(ex->ud, quest))
        return fail(c, "there is no quest called \"%s\"%s", is_name(quest) ? quest : "(not a name)", NULL);
    return 0;
}

/* Clamps the numbers of a condition to what a generated branch may ask, and checks its names. */
static int condition_fix(Check *c, cJSON *cond, int depth)
{
    if (!cJSON_IsObject(cond) || depth > RULES_MAX_DEPTH)
        return 0; /* rules_validate_condition says what is wrong */
    cJSON *kv = cond->child;
    if (!kv || !kv->string)
        return 0;
    const char *k = kv->string;
    cJSON *it;
    if (strcmp(k, "all") == 0 || strcmp(k, "any") == 0) {
        cJSON_ArrayForEach(it, kv) if (condition_fix(c, it, depth + 1) != 0) return -1;
        return 0;
    }
    if (strcmp(k, "not") == 0)
        return condition_fix(c, kv, depth + 1);
    if (strcmp(k, "level") == 0) {
        clamp(kv, "min", 1, 100);
        clamp(kv, "max", 1, 100);
    } else if (strcmp(k, "stat") == 0 || strcmp(k, "skill") == 0) {
        clamp(kv, "min", 0, 100);
        clamp(kv, "max", 0, 100);
    } else if (strcmp(k, "item") == 0) {
        clamp(kv, "count", 1, 99);
        return names_exist(c, json_str(kv, "name"), NULL);
    } else if (strcmp(k, "relationship") == 0) {
        clamp(kv, "min", -100, 100);
        clamp(kv, "max", -100, 100);
        if (json_str(kv, "with") && !is_person(json_str(kv, "with")))
            return fail(c, "a relationship must be with @smith, @farmer, @guard, @priest, @trader or @villager%s%s",
                        NULL, NULL);
    } else if (strcmp(k, "quest") == 0) {
        return names_exist(c, NULL, json_str(kv, "name"));
    } else if (strcmp(k, "place") == 0) {
        clamp(kv, "radius", 1, 256);
    }
    return 0;
}

static const char *const allowed_effects[] = {"give", "take", "experience", "relationship", "flag", "message"};

/* Clamps and checks one consequence (an object of one key). */
static int effect_fix(Check *c, cJSON *e)
{
    cJSON *kv = cJSON_IsObject(e) ? e->child : NULL;
    if (!kv || !kv->string || kv->next)
        return fail(c, "each consequence must be an object with one key%s%s", NULL, NULL);
    const char *k = kv->string;
    size_t i = 0;
    while (i < NELEM(allowed_effects) && strcmp(allowed_effects[i], k) != 0)
        i++;
    if (i == NELEM(allowed_effects)) {
        char name[40];
        llm_clean_text(k, name, sizeof name, 0);
        return fail(c, "consequence \"%s\" is not allowed here (give, take, experience, relationship, flag, "
                       "message)%s", name, NULL);
    }
    if (strcmp(k, "give") == 0 || strcmp(k, "take") == 0) {
        clamp(kv, "count", 1, 5);
        return names_exist(c, json_str(kv, "item"), NULL);
    }
    if (strcmp(k, "experience") == 0) {
        if (cJSON_IsNumber(kv)) {
            double d = isfinite(kv->valuedouble) ? round(kv->valuedouble) : 1;
            cJSON_SetNumberValue(kv, d < 1 ? 1 : d > 200 ? 200 : d);
        }
        return 0;
    }
    if (strcmp(k, "relationship") == 0) {
        clamp(kv, "add", -10, 10);
        const cJSON *add = cJSON_GetObjectItemCaseSensitive(kv, "add");
        if (cJSON_IsNumber(add) && add->valuedouble == 0)
            cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(kv, "add"), 1);
        if (!is_person(json_str(kv, "with")))
            return fail(c, "a relationship must be with @smith, @farmer, @guard, @priest, @trader or @villager%s%s",
                        NULL, NULL);
        return clean_in_place(c, kv, "reason", 0);
    }
    if (strcmp(k, "flag") == 0)
        return clean_in_place(c, kv, "value", 0);
    /* message */
    if (!cJSON_IsString(kv))
        return fail(c, "\"message\" must be a string%s%s", NULL, NULL);
    return clean_in_place(c, e, "message", 1);
}

static int validate_quest(Check *c, const cJSON *in, cJSON *out)
{
    static const char *const keys[] = {"title", "description", "objectives", NULL};
    static const char *const okeys[] = {"id", "text", NULL};
    if (only_keys(c, in, keys, "a quest") != 0 || text_field(c, in, "title", 3, LLM_MAX_TITLE, 0, out) != 0 ||
        text_field(c, in, "description", 10, LLM_MAX_DESCRIPTION, 0, out) != 0)
        return -1;
    const cJSON *obs = cJSON_GetObjectItemCaseSensitive(in, "objectives");
    if (!cJSON_IsArray(obs))
        return fail(c, "\"objectives\" must be a list%s%s", NULL, NULL);
    cJSON *list = cJSON_AddArrayToObject(out, "objectives");
    const cJSON *o;
    int seen = 0;
    cJSON_ArrayForEach(o, obs) {
        if (!cJSON_IsObject(o))
            return fail(c, "each objective must be an object%s%s", NULL, NULL);
        if (only_keys(c, o, okeys, "an objective") != 0)
            return -1;
        const char *id = json_str(o, "id");
        int k = -1;
        for (int i = 0; id && i < c->ex->n_objectives; i++)
            if (strcmp(id, c->ex->objective_ids[i]) == 0)
                k = i;
        if (k < 0) {
            char name[48];
            llm_clean_text(id ? id : "(none)", name, sizeof name, 0);
            return fail(c, "objective id \"%s\" is not one of this quest's%s", name, NULL);
        }
        if (seen & (1 << k))
            return fail(c, "objective \"%s\" is given twice%s", c->ex->objective_ids[k], NULL);
        seen |= 1 << k;
        cJSON *ob = cJSON_CreateObject();
        cJSON_AddItemToArray(list, ob);
        cJSON_AddStringToObject(ob, "id", c->ex->objective_ids[k]);
        if (text_field(c, o, "text", 3, LLM_MAX_OBJECTIVE, 0, ob) != 0)
            return -1;
    }
    return 0;
}

static int validate_branch(Check *c, const cJSON *in, cJSON *out)
{
    static const char *const keys[] = {"choice", "text", "conditions", "consequences", NULL};
    char bad[48], where[64];
    Err err = {0};
    if (only_keys(c, in, keys, "a branch") != 0 || text_field(c, in, "choice", 3, LLM_MAX_CHOICE, 0, out) != 0 ||
        text_field(c, in, "text", 20, LLM_MAX_PASSAGE, 1, out) != 0)
        return -1;
    if (!story_fields_ok(json_str(out, "choice"), bad, sizeof bad) ||
        !story_fields_ok(json_str(out, "text"), bad, sizeof bad))
        return fail(c, "%s is not a field a text may hold", bad, NULL);
    const cJSON *cond = cJSON_GetObjectItemCaseSensitive(in, "conditions");
    if (cond && !cJSON_IsNull(cond)) {
        cJSON *copy = cJSON_Duplicate(cond, 1);
        cJSON_AddItemToObject(out, "conditions", copy);
        if (!cJSON_IsObject(copy))
            return fail(c, "\"conditions\" must be an object%s%s", NULL, NULL);
        if (condition_fix(c, copy, 1) != 0)
            return -1;
        snprintf(where, sizeof where, "conditions");
        if (rules_validate_condition(copy, where, &err) != MA_OK)
            return fail(c, "%s%s", err.msg, NULL);
    }
    const cJSON *eff = cJSON_GetObjectItemCaseSensitive(in, "consequences");
    if (eff && !cJSON_IsNull(eff)) {
        cJSON *copy = cJSON_Duplicate(eff, 1);
        cJSON_AddItemToObject(out, "consequences", copy);
        if (!cJSON_IsArray(copy))
            return fail(c, "\"consequences\" must be a list%s%s", NULL, NULL);
        if (cJSON_GetArraySize(copy) > 6)
            return fail(c, "at most 6 consequences%s%s", NULL, NULL);
        cJSON *e;
        cJSON_ArrayForEach(e, copy) if (effect_fix(c, e) != 0) return -1;
        snprintf(where, sizeof where, "consequences");
        if (rules_validate_effects(copy, where, &err) != MA_OK)
            return fail(c, "%s%s", err.msg, NULL);
    }
    return 0;
}

/* The content without a Markdown code fence around it, in buf (heap). */
static char *unfence(const char *content)
{
    const char *p = content;
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    size_t n = strlen(p);
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == '\t'))
        n--;
    if (n >= 6 && strncmp(p, "```", 3) == 0 && strncmp(p + n - 3, "```", 3) == 0) {
        const char *nl = memchr(p, '\n', n);
        if (nl && nl < p + n - 3) {
            n = (size_t)(p + n - 3 - (nl + 1));
            p = nl + 1;
        }
    }
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, p, n);
        out[n] = '\0';
    }
    return out;
}

int llm_reply_validate(const LlmExpect *ex, const char *content, cJSON **out, char *why, size_t why_size)
{
    *out = NULL;
    Check c = {ex, why, why_size};
    char *text = content ? unfence(content) : NULL;
    const char *end = NULL;
    cJSON *in = text ? cJSON_ParseWithOpts(text, &end, 1) : NULL;
    free(text);
    if (!in)
        return fail(&c, "the reply is not one JSON object%s%s", NULL, NULL);
    if (!cJSON_IsObject(in)) {
        cJSON_Delete(in);
        return fail(&c, "the reply must be a JSON object, not a list or a value%s%s", NULL, NULL);
    }
    cJSON *res = cJSON_CreateObject();
    int rc;
    static const char *const event_keys[] = {"name", "description", NULL};
    static const char *const line_keys[] = {"line", NULL};
    switch (ex->kind) {
    case LLM_QUEST: rc = validate_quest(&c, in, res); break;
    case LLM_EVENT:
        rc = only_keys(&c, in, event_keys, "an event") != 0 || text_field(&c, in, "name", 3, LLM_MAX_TITLE, 0, res) != 0 ||
                     text_field(&c, in, "description", 10, LLM_MAX_DESCRIPTION, 0, res) != 0
                 ? -1
                 : 0;
        break;
    case LLM_LINE:
        rc = only_keys(&c, in, line_keys, "a line") != 0 || text_field(&c, in, "line", 2, LLM_MAX_LINE, 0, res) != 0
                 ? -1
                 : 0;
        break;
    case LLM_BRANCH: rc = validate_branch(&c, in, res); break;
    default: rc = fail(&c, "unknown kind of job%s%s", NULL, NULL); break;
    }
    cJSON_Delete(in);
    if (rc != 0) {
        cJSON_Delete(res);
        return -1;
    }
    *out = res;
    return 0;
}
