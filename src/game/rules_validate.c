/* rules_validate.c — the rule language's grammar (two tables: condition forms and effect forms)
 * and the validator that walks it, naming the path of whatever is wrong. rules.c checks,
 * explains and applies only what this let through. */
#include "game/rules.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "game/rules_internal.h"
#include "util/text.h"

/* ---- the grammar ------------------------------------------------------------------------ */

typedef enum FieldKind {
    FK_NAME,   /* string, 1..RULES_MAX_NAME bytes, no control characters */
    FK_TEXT,   /* string, 0..RULES_MAX_TEXT bytes, no control characters */
    FK_INT,    /* whole number in lo..hi */
    FK_INT_NZ, /* whole number in lo..hi, not 0 */
    FK_TIME,   /* "HH:MM" */
    FK_STATE,  /* a quest state */
    FK_STAT,   /* one of the design's seven stats */
    FK_VEC,    /* [x, y, z]: three whole numbers, each in lo..hi */
    FK_ANCHOR, /* a name, or [x, y, z] anywhere in the world */
} FieldKind;

typedef struct FieldSpec {
    const char *key;
    FieldKind kind;
    int required;
    int lo, hi;
} FieldSpec;

typedef enum Shape {
    SH_LIST,     /* array of conditions (all, any) */
    SH_COND,     /* one condition (not) */
    SH_FIELDS,   /* object of fields */
    SH_NAME,     /* a name */
    SH_TEXT,     /* a non-empty text */
    SH_INT,      /* a whole number */
    SH_NAME_OR_FIELDS,
    SH_SEASON,   /* one of the four seasons */
} Shape;

typedef enum Extra {
    EX_NONE,
    EX_RANGE, /* min and/or max, min <= max */
    EX_TIME,  /* from != to */
    EX_BLOCK, /* set_block: offset or replace, not both; radius and count only with replace */
} Extra;

typedef struct FormSpec {
    const char *key;
    Shape shape;
    const FieldSpec *fields; /* NULL-key terminated; for SH_INT: fields[0] holds the range */
    Extra extra;
} FormSpec;

static const char *const stat_names[] = {"health", "mana", "strength", "intelligence", "dexterity",
                                         "constitution", "charisma"};
static const char *const quest_states[] = {"none", "active", "completed", "failed"};

#define NSTATS (sizeof stat_names / sizeof stat_names[0])
#define NSTATES (sizeof quest_states / sizeof quest_states[0])

static const FieldSpec f_level[] = {{"min", FK_INT, 0, 1, 1000}, {"max", FK_INT, 0, 1, 1000}, {0}};
static const FieldSpec f_stat[] = {{"name", FK_STAT, 1, 0, 0},
                                   {"min", FK_INT, 0, 0, 10000},
                                   {"max", FK_INT, 0, 0, 10000},
                                   {0}};
static const FieldSpec f_skill[] = {{"name", FK_NAME, 1, 0, 0},
                                    {"min", FK_INT, 0, 0, 1000},
                                    {"max", FK_INT, 0, 0, 1000},
                                    {0}};
static const FieldSpec f_item[] = {{"name", FK_NAME, 1, 0, 0}, {"count", FK_INT, 0, 1, 9999}, {0}};
static const FieldSpec f_rel[] = {{"with", FK_NAME, 1, 0, 0},
                                  {"min", FK_INT, 0, -100, 100},
                                  {"max", FK_INT, 0, -100, 100},
                                  {0}};
static const FieldSpec f_quest[] = {{"name", FK_NAME, 1, 0, 0}, {"state", FK_STATE, 1, 0, 0}, {0}};
static const FieldSpec f_flag_cond[] = {{"name", FK_NAME, 1, 0, 0}, {"value", FK_TEXT, 0, 0, 0}, {0}};
static const FieldSpec f_time[] = {{"from", FK_TIME, 1, 0, 0}, {"to", FK_TIME, 1, 0, 0}, {0}};
static const FieldSpec f_place[] = {{"near", FK_NAME, 1, 0, 0}, {"radius", FK_INT, 1, 1, 256}, {0}};

static const FormSpec cond_forms[] = {
    {"all", SH_LIST, NULL, EX_NONE},
    {"any", SH_LIST, NULL, EX_NONE},
    {"not", SH_COND, NULL, EX_NONE},
    {"level", SH_FIELDS, f_level, EX_RANGE},
    {"stat", SH_FIELDS, f_stat, EX_RANGE},
    {"skill", SH_FIELDS, f_skill, EX_RANGE},
    {"item", SH_FIELDS, f_item, EX_NONE},
    {"relationship", SH_FIELDS, f_rel, EX_RANGE},
    {"quest", SH_FIELDS, f_quest, EX_NONE},
    {"achievement", SH_NAME, NULL, EX_NONE},
    {"flag", SH_NAME_OR_FIELDS, f_flag_cond, EX_NONE},
    {"time", SH_FIELDS, f_time, EX_TIME},
    {"place", SH_FIELDS, f_place, EX_NONE},
    {"season", SH_SEASON, NULL, EX_NONE},
};

static const FieldSpec f_give[] = {{"item", FK_NAME, 1, 0, 0}, {"count", FK_INT, 0, 1, 9999}, {0}};
static const FieldSpec f_xp[] = {{"", FK_INT, 1, 1, 1000000}, {0}};
static const FieldSpec f_add_stat[] = {{"name", FK_STAT, 1, 0, 0}, {"add", FK_INT_NZ, 1, -10000, 10000}, {0}};
static const FieldSpec f_skill_xp[] = {{"name", FK_NAME, 1, 0, 0}, {"add", FK_INT, 1, 1, 100000}, {0}};
static const FieldSpec f_add_rel[] = {{"with", FK_NAME, 1, 0, 0},
                                      {"add", FK_INT_NZ, 1, -200, 200},
                                      {"reason", FK_TEXT, 0, 0, 0},
                                      {0}};
static const FieldSpec f_advance[] = {{"quest", FK_NAME, 1, 0, 0},
                                      {"objective", FK_NAME, 1, 0, 0},
                                      {"add", FK_INT, 0, 1, 9999},
                                      {0}};
static const FieldSpec f_set_flag[] = {{"name", FK_NAME, 1, 0, 0}, {"value", FK_TEXT, 1, 0, 0}, {0}};
static const FieldSpec f_set_block[] = {{"block", FK_NAME, 1, 0, 0},
                                        {"at", FK_ANCHOR, 0, 0, 0},
                                        {"offset", FK_VEC, 0, -32, 32},
                                        {"replace", FK_NAME, 0, 0, 0},
                                        {"radius", FK_INT, 0, 1, 16},
                                        {"count", FK_INT, 0, 1, 64},
                                        {0}};

static const FieldSpec f_start_event[] = {{"name", FK_TEXT, 1, 0, 0},
                                          {"kind", FK_NAME, 0, 0, 0},
                                          {"text", FK_TEXT, 0, 0, 0},
                                          {"days", FK_INT, 0, 1, 28},
                                          {"spawn_pct", FK_INT, 0, 10, 500},
                                          {"price_pct", FK_INT, 0, 10, 500},
                                          {0}};

static const FieldSpec f_who[] = {{"who", FK_NAME, 1, 0, 0}, {0}};

static const FieldSpec f_wait_until[] = {{"hour", FK_INT, 1, 0, 23}, {"minute", FK_INT, 0, 0, 59}, {0}};

static const FormSpec effect_forms[] = {
    {"give", SH_FIELDS, f_give, EX_NONE},
    {"take", SH_FIELDS, f_give, EX_NONE},
    {"experience", SH_INT, f_xp, EX_NONE},
    {"stat", SH_FIELDS, f_add_stat, EX_NONE},
    {"skill_xp", SH_FIELDS, f_skill_xp, EX_NONE},
    {"relationship", SH_FIELDS, f_add_rel, EX_NONE},
    {"start_quest", SH_NAME, NULL, EX_NONE},
    {"advance_quest", SH_FIELDS, f_advance, EX_NONE},
    {"unlock_recipe", SH_NAME, NULL, EX_NONE},
    {"achievement", SH_NAME, NULL, EX_NONE},
    {"flag", SH_FIELDS, f_set_flag, EX_NONE},
    {"message", SH_TEXT, NULL, EX_NONE},
    {"set_block", SH_FIELDS, f_set_block, EX_BLOCK},
    {"fail_quest", SH_NAME, NULL, EX_NONE},
    {"start_story", SH_NAME, NULL, EX_NONE},
    {"start_event", SH_FIELDS, f_start_event, EX_NONE},
    {"leave", SH_FIELDS, f_who, EX_NONE},
    {"come_home", SH_FIELDS, f_who, EX_NONE},
    {"wait_until", SH_FIELDS, f_wait_until, EX_NONE},
};

#define NCOND (sizeof cond_forms / sizeof cond_forms[0])
#define NEFFECT (sizeof effect_forms / sizeof effect_forms[0])

static const FormSpec *form_find(const FormSpec *forms, size_t n, const char *key)
{
    for (size_t i = 0; key && i < n; i++)
        if (strcmp(forms[i].key, key) == 0)
            return &forms[i];
    return NULL;
}

/* ---- validation ------------------------------------------------------------------------- */

typedef struct Validator {
    const char *where;
    const char *root; /* subject when the path is empty */
    char path[512];
    size_t len;
    Err *err;
} Validator;

static size_t path_push(Validator *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static size_t path_push(Validator *v, const char *fmt, ...)
{
    size_t old = v->len;
    if (v->len < sizeof v->path - 1) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(v->path + v->len, sizeof v->path - v->len, fmt, ap);
        va_end(ap);
        if (n > 0)
            v->len += (size_t)n < sizeof v->path - v->len ? (size_t)n : sizeof v->path - v->len - 1;
    }
    return old;
}

static void path_pop(Validator *v, size_t old)
{
    v->len = old;
    v->path[old] = '\0';
}

/* Pushes ".key" (or "key" at the start), cutting absurdly long keys for the message. */
static size_t path_key(Validator *v, const char *key)
{
    const char *dot = v->len ? "." : "";
    if (!key)
        return path_push(v, "%s?", dot);
    if (strlen(key) > 40)
        return path_push(v, "%s%.40s...", dot, key);
    return path_push(v, "%s%s", dot, key);
}

static int fail(Validator *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(Validator *v, const char *fmt, ...)
{
    char why[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    const char *subject = v->len ? v->path : v->root;
    if (v->where && v->where[0])
        return err_set(v->err, MA_ERR_INVALID, "%s: %s %s", v->where, subject, why);
    return err_set(v->err, MA_ERR_INVALID, "%s %s", subject, why);
}

static void list_keys(const FormSpec *forms, size_t n, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && len < size; i++) {
        int w = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", forms[i].key);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

static int field_valid(Validator *v, const FieldSpec *f, const cJSON *val)
{
    switch (f->kind) {
    case FK_NAME:
        return text_ok(val, 1, RULES_MAX_NAME)
                   ? MA_OK
                   : fail(v, "must be a name of 1 to %d characters without control characters", RULES_MAX_NAME);
    case FK_TEXT:
        return text_ok(val, 0, RULES_MAX_TEXT)
                   ? MA_OK
                   : fail(v, "must be a text of at most %d characters without control characters", RULES_MAX_TEXT);
    case FK_INT:
        return int_ok(val, f->lo, f->hi, NULL) ? MA_OK
                                               : fail(v, "must be a whole number from %d to %d", f->lo, f->hi);
    case FK_INT_NZ:
        return int_ok(val, f->lo, f->hi, NULL) && val->valuedouble != 0
                   ? MA_OK
                   : fail(v, "must be a whole number from %d to %d other than 0", f->lo, f->hi);
    case FK_TIME:
        return cJSON_IsString(val) && parse_time(val->valuestring) >= 0
                   ? MA_OK
                   : fail(v, "must be a time \"HH:MM\" from 00:00 to 23:59");
    case FK_STATE:
        return cJSON_IsString(val) && text_in_list(val->valuestring, quest_states, NSTATES)
                   ? MA_OK
                   : fail(v, "must be one of none, active, completed, failed");
    case FK_STAT:
        return cJSON_IsString(val) && text_in_list(val->valuestring, stat_names, NSTATS)
                   ? MA_OK
                   : fail(v, "must be one of health, mana, strength, intelligence, dexterity, constitution, "
                             "charisma");
    case FK_VEC:
        return vec_ok(val, f->lo, f->hi, NULL)
                   ? MA_OK
                   : fail(v, "must be [x, y, z]: three whole numbers from %d to %d", f->lo, f->hi);
    case FK_ANCHOR:
        return text_ok(val, 1, RULES_MAX_NAME) || vec_ok(val, -WORLD_SPAN, WORLD_SPAN, NULL)
                   ? MA_OK
                   : fail(v, "must be a name (\"player\") or a position [x, y, z]");
    }
    return fail(v, "has an unknown kind");
}

static int fields_valid(Validator *v, const FormSpec *form, const cJSON *args)
{
    const FieldSpec *fs = form->fields;
    char known[128] = "";
    size_t klen = 0;
    for (int i = 0; fs[i].key; i++) {
        int w = snprintf(known + klen, sizeof known - klen, "%s%s", i ? ", " : "", fs[i].key);
        if (w > 0 && (size_t)w < sizeof known - klen)
            klen += (size_t)w;
    }
    if (!cJSON_IsObject(args))
        return fail(v, "must be an object with %s", known);
    unsigned seen = 0;
    const cJSON *kv;
    cJSON_ArrayForEach(kv, args) {
        int idx = -1;
        for (int i = 0; fs[i].key; i++)
            if (kv->string && strcmp(kv->string, fs[i].key) == 0)
                idx = i;
        size_t old = path_key(v, kv->string);
        int rc = MA_OK;
        if (idx < 0)
            rc = fail(v, "is not a field of %s (known: %s)", form->key, known);
        else if (seen & (1u << idx))
            rc = fail(v, "is given twice");
        else
            rc = field_valid(v, &fs[idx], kv);
        path_pop(v, old);
        if (rc != MA_OK)
            return rc;
        if (idx >= 0)
            seen |= 1u << idx;
    }
    for (int i = 0; fs[i].key; i++)
        if (fs[i].required && !(seen & (1u << i))) {
            size_t old = path_key(v, fs[i].key);
            int rc = fail(v, "is missing");
            path_pop(v, old);
            return rc;
        }
    if (form->extra == EX_RANGE) {
        const cJSON *mn = field(args, "min"), *mx = field(args, "max");
        if (!mn && !mx)
            return fail(v, "needs min, max or both");
        if (mn && mx && mn->valuedouble > mx->valuedouble)
            return fail(v, "has min %d above max %d", (int)mn->valuedouble, (int)mx->valuedouble);
    }
    if (form->extra == EX_TIME &&
        parse_time(str_field(args, "from")) == parse_time(str_field(args, "to")))
        return fail(v, "has the same from and to; the window would be empty");
    if (form->extra == EX_BLOCK) {
        int off = field(args, "offset") != NULL, repl = field(args, "replace") != NULL;
        if (off == repl)
            return fail(v, "needs either offset (a block beside the anchor) or replace (the nearest blocks of a kind)");
        if (off && (field(args, "radius") || field(args, "count")))
            return fail(v, "takes radius and count only with replace");
    }
    return MA_OK;
}

static int cond_valid(Validator *v, const cJSON *c, int depth);

/* The value of one form (condition or effect): the shape decides what it must be. */
static int form_valid(Validator *v, const FormSpec *form, const cJSON *val, int depth)
{
    switch (form->shape) {
    case SH_LIST: {
        if (!cJSON_IsArray(val) || !val->child)
            return fail(v, "must be a non-empty array of conditions");
        int n = cJSON_GetArraySize(val);
        if (n > RULES_MAX_LIST)
            return fail(v, "has %d conditions; at most %d", n, RULES_MAX_LIST);
        int i = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, val) {
            size_t old = path_push(v, "[%d]", i++);
            int rc = cond_valid(v, it, depth + 1);
            path_pop(v, old);
            if (rc != MA_OK)
                return rc;
        }
        return MA_OK;
    }
    case SH_COND:
        return cond_valid(v, val, depth + 1);
    case SH_FIELDS:
        return fields_valid(v, form, val);
    case SH_NAME: {
        FieldSpec f = {"", FK_NAME, 1, 0, 0};
        return field_valid(v, &f, val);
    }
    case SH_TEXT:
        return text_ok(val, 1, RULES_MAX_TEXT)
                   ? MA_OK
                   : fail(v, "must be a text of 1 to %d characters without control characters", RULES_MAX_TEXT);
    case SH_INT:
        return field_valid(v, &form->fields[0], val);
    case SH_NAME_OR_FIELDS:
        if (cJSON_IsString(val)) {
            FieldSpec f = {"", FK_NAME, 1, 0, 0};
            return field_valid(v, &f, val);
        }
        return fields_valid(v, form, val);
    case SH_SEASON:
        return cJSON_IsString(val) && text_in_list(val->valuestring, season_names, NSEASONS)
                   ? MA_OK
                   : fail(v, "must be one of spring, summer, autumn, winter");
    }
    return fail(v, "has an unknown shape");
}

static int one_key_valid(Validator *v, const cJSON *o, const FormSpec *forms, size_t n, const char *what,
                         int depth)
{
    if (!cJSON_IsObject(o))
        return fail(v, "must be an object with one key, such as %s",
                    forms == cond_forms ? "{\"level\":{\"min\":5}}" : "{\"experience\":50}");
    int keys = cJSON_GetArraySize(o);
    if (keys != 1)
        return fail(v, "must have exactly one key (it has %d)%s", keys,
                    forms == cond_forms && keys > 1 ? "; combine conditions with all" : "");
    const cJSON *kv = o->child;
    const FormSpec *form = form_find(forms, n, kv->string);
    size_t old = path_key(v, kv->string);
    int rc;
    if (!form) {
        char known[256];
        list_keys(forms, n, known, sizeof known);
        rc = fail(v, "is not %s (known: %s)", what, known);
    } else {
        rc = form_valid(v, form, kv, depth);
    }
    path_pop(v, old);
    return rc;
}

static int cond_valid(Validator *v, const cJSON *c, int depth)
{
    if (depth > RULES_MAX_DEPTH)
        return fail(v, "is nested deeper than %d levels", RULES_MAX_DEPTH);
    return one_key_valid(v, c, cond_forms, NCOND, "a condition", depth);
}

int rules_validate_condition(const cJSON *cond, const char *where, Err *err)
{
    if (is_nothing(cond, 0))
        return MA_OK;
    Validator v = {.where = where, .root = "the condition", .err = err};
    return cond_valid(&v, cond, 1);
}

int rules_validate_effects(const cJSON *effects, const char *where, Err *err)
{
    if (is_nothing(effects, 1))
        return MA_OK;
    Validator v = {.where = where, .root = "the effect list", .err = err};
    if (!cJSON_IsArray(effects))
        return fail(&v, "must be an array of effects, such as [{\"experience\":50}]");
    int n = cJSON_GetArraySize(effects);
    if (n > RULES_MAX_LIST)
        return fail(&v, "has %d effects; at most %d", n, RULES_MAX_LIST);
    int i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, effects) {
        size_t old = path_push(&v, "[%d]", i++);
        int rc = one_key_valid(&v, it, effect_forms, NEFFECT, "an effect", 1);
        path_pop(&v, old);
        if (rc != MA_OK)
            return rc;
    }
    return MA_OK;
}
