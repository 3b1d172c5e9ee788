/* rules_internal.h — what the rule-language files share: the small readers every pass uses
 * (rules_validate.c validates against the grammar; rules.c checks, explains and applies what
 * validation let through). Not for other modules: they include game/rules.h. */
#ifndef MA_GAME_RULES_INTERNAL_H
#define MA_GAME_RULES_INTERNAL_H

#include <stddef.h>
#include <string.h>

#include <cJSON.h>

#include "game/rules.h"

static const char *const season_names[] = {"spring", "summer", "autumn", "winter"};
#define NSEASONS (sizeof season_names / sizeof season_names[0])
#define WORLD_SPAN 30000000
/* ---- small readers shared by every pass ------------------------------------------------- */

static inline int text_ok(const cJSON *v, size_t min, size_t max)
{
    if (!cJSON_IsString(v) || !v->valuestring)
        return 0;
    size_t n = strlen(v->valuestring);
    if (n < min || n > max)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v->valuestring[i];
        if (ch < 0x20 || ch == 0x7f)
            return 0;
    }
    return 1;
}

/* A whole number in lo..hi; NaN and infinities fail the comparisons. */
static inline int int_ok(const cJSON *v, int lo, int hi, int *out)
{
    if (!cJSON_IsNumber(v))
        return 0;
    double d = v->valuedouble;
    if (!(d >= lo && d <= hi) || d != (double)(int)d)
        return 0;
    if (out)
        *out = (int)d;
    return 1;
}

/* "HH:MM" as minutes since midnight, or -1. */
static inline int parse_time(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    return h < 24 && m < 60 ? h * 60 + m : -1;
}

/* [x, y, z] of whole numbers in lo..hi, into out (may be NULL). */
static inline int vec_ok(const cJSON *v, int lo, int hi, int out[3])
{
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 3)
        return 0;
    for (int i = 0; i < 3; i++)
        if (!int_ok(cJSON_GetArrayItem(v, i), lo, hi, out ? &out[i] : NULL))
            return 0;
    return 1;
}

/* The one key/value of a form object, or NULL when it does not have exactly one. */
static inline const cJSON *only_child(const cJSON *o)
{
    if (!cJSON_IsObject(o) || !o->child || o->child->next)
        return NULL;
    return o->child;
}

static inline const cJSON *field(const cJSON *o, const char *key)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static inline const char *str_field(const cJSON *o, const char *key)
{
    const cJSON *v = field(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static inline const char *or_q(const char *s)
{
    return s ? s : "?";
}

static inline int int_field(const cJSON *o, const char *key, int def)
{
    int v;
    return int_ok(field(o, key), INT_MIN, INT_MAX, &v) ? v : def;
}

static inline int is_nothing(const cJSON *c, int want_array)
{
    if (!c || cJSON_IsNull(c))
        return 1;
    return want_array ? cJSON_IsArray(c) && !c->child : cJSON_IsObject(c) && !c->child;
}

#endif
