/* rules.c — validating, checking, explaining and applying rule-language JSON.
 *
 * The grammar lives in two tables (condition forms and effect forms) that validation walks;
 * checking, explaining and applying first validate, so malformed input is refused in one place
 * and the code after it may read fields without re-checking each one (it still reads them
 * through helpers that fall back to a harmless value). Nothing here touches the save: the game
 * is reached only through RuleCtx. */
#include "game/rules.h"
#include "util/text.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
static const char *const season_names[] = {"spring", "summer", "autumn", "winter"};

#define NSTATS (sizeof stat_names / sizeof stat_names[0])
#define NSTATES (sizeof quest_states / sizeof quest_states[0])
#define NSEASONS (sizeof season_names / sizeof season_names[0])
#define WORLD_SPAN 30000000

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

/* ---- small readers shared by every pass ------------------------------------------------- */

static int text_ok(const cJSON *v, size_t min, size_t max)
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
static int int_ok(const cJSON *v, int lo, int hi, int *out)
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
static int parse_time(const char *s)
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
static int vec_ok(const cJSON *v, int lo, int hi, int out[3])
{
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 3)
        return 0;
    for (int i = 0; i < 3; i++)
        if (!int_ok(cJSON_GetArrayItem(v, i), lo, hi, out ? &out[i] : NULL))
            return 0;
    return 1;
}

/* The one key/value of a form object, or NULL when it does not have exactly one. */
static const cJSON *only_child(const cJSON *o)
{
    if (!cJSON_IsObject(o) || !o->child || o->child->next)
        return NULL;
    return o->child;
}

static const cJSON *field(const cJSON *o, const char *key)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static const char *str_field(const cJSON *o, const char *key)
{
    const cJSON *v = field(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *or_q(const char *s)
{
    return s ? s : "?";
}

static int int_field(const cJSON *o, const char *key, int def)
{
    int v;
    return int_ok(field(o, key), INT_MIN, INT_MAX, &v) ? v : def;
}

static int is_nothing(const cJSON *c, int want_array)
{
    if (!c || cJSON_IsNull(c))
        return 1;
    return want_array ? cJSON_IsArray(c) && !c->child : cJSON_IsObject(c) && !c->child;
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

/* ---- checking --------------------------------------------------------------------------- */

static int q_level(const RuleCtx *x) { return x && x->level ? x->level(x->ud) : 0; }
static int q_stat(const RuleCtx *x, const char *s) { return x && x->stat ? x->stat(x->ud, s) : 0; }
static int q_skill(const RuleCtx *x, const char *s) { return x && x->skill_level ? x->skill_level(x->ud, s) : 0; }
static int q_items(const RuleCtx *x, const char *s) { return x && x->item_count ? x->item_count(x->ud, s) : 0; }
static int q_rel(const RuleCtx *x, const char *s) { return x && x->relationship ? x->relationship(x->ud, s) : 0; }

static const char *q_quest(const RuleCtx *x, const char *s)
{
    const char *st = x && x->quest_state ? x->quest_state(x->ud, s) : NULL;
    return st ? st : "none";
}

static int q_minute(const RuleCtx *x)
{
    int m = x && x->minute_of_day ? x->minute_of_day(x->ud) : 0;
    return (m % 1440 + 1440) % 1440;
}

/* 0 spring .. 3 winter; -1 when the game gave no season. */
static int q_season(const RuleCtx *x)
{
    int s = x && x->season ? x->season(x->ud) : -1;
    return s >= 0 && s < (int)NSEASONS ? s : -1;
}

static int season_index(const char *name)
{
    for (size_t i = 0; name && i < NSEASONS; i++)
        if (strcmp(name, season_names[i]) == 0)
            return (int)i;
    return -2;
}

static int in_range(const cJSON *args, int have)
{
    return have >= int_field(args, "min", INT_MIN) && have <= int_field(args, "max", INT_MAX);
}

static int time_in(const cJSON *args, int now)
{
    int from = parse_time(str_field(args, "from")), to = parse_time(str_field(args, "to"));
    if (from < 0 || to < 0)
        return 0;
    return from <= to ? now >= from && now < to : now >= from || now < to;
}

static int eval(const RuleCtx *x, const cJSON *c, int depth);

/* Evaluates one leaf or combination whose form key is kv->string. */
static int eval_form(const RuleCtx *x, const cJSON *kv, int depth)
{
    const char *k = kv->string ? kv->string : "";
    const cJSON *it;
    if (strcmp(k, "all") == 0) {
        cJSON_ArrayForEach(it, kv) {
            if (!eval(x, it, depth + 1))
                return 0;
        }
        return 1;
    }
    if (strcmp(k, "any") == 0) {
        cJSON_ArrayForEach(it, kv) {
            if (eval(x, it, depth + 1))
                return 1;
        }
        return 0;
    }
    if (strcmp(k, "not") == 0)
        return !eval(x, kv, depth + 1);
    if (strcmp(k, "level") == 0)
        return in_range(kv, q_level(x));
    if (strcmp(k, "stat") == 0)
        return in_range(kv, q_stat(x, str_field(kv, "name")));
    if (strcmp(k, "skill") == 0)
        return in_range(kv, q_skill(x, str_field(kv, "name")));
    if (strcmp(k, "item") == 0)
        return q_items(x, str_field(kv, "name")) >= int_field(kv, "count", 1);
    if (strcmp(k, "relationship") == 0)
        return in_range(kv, q_rel(x, str_field(kv, "with")));
    if (strcmp(k, "quest") == 0) {
        const char *want = str_field(kv, "state");
        return want && strcmp(q_quest(x, str_field(kv, "name")), want) == 0;
    }
    if (strcmp(k, "achievement") == 0)
        return x && x->has_achievement && cJSON_IsString(kv) && x->has_achievement(x->ud, kv->valuestring) != 0;
    if (strcmp(k, "flag") == 0) {
        if (!x || !x->flag)
            return 0;
        const char *name = cJSON_IsString(kv) ? kv->valuestring : str_field(kv, "name");
        char buf[RULES_MAX_TEXT + 1];
        const char *have = name && x->flag(x->ud, name, buf, sizeof buf) ? buf : NULL;
        const char *want = cJSON_IsString(kv) ? NULL : str_field(kv, "value");
        return have && (!want || strcmp(have, want) == 0);
    }
    if (strcmp(k, "time") == 0)
        return time_in(kv, q_minute(x));
    if (strcmp(k, "place") == 0)
        return x && x->near_place && str_field(kv, "near") &&
               x->near_place(x->ud, str_field(kv, "near"), int_field(kv, "radius", 1)) != 0;
    if (strcmp(k, "season") == 0)
        return cJSON_IsString(kv) && q_season(x) == season_index(kv->valuestring);
    return 0;
}

static int eval(const RuleCtx *x, const cJSON *c, int depth)
{
    if (depth > RULES_MAX_DEPTH)
        return 0;
    if (cJSON_IsObject(c) && !c->child)
        return 1;
    const cJSON *kv = only_child(c);
    return kv ? eval_form(x, kv, depth) : 0;
}

int rules_check(const RuleCtx *ctx, const cJSON *cond)
{
    if (is_nothing(cond, 0))
        return 1;
    if (rules_validate_condition(cond, NULL, NULL) != MA_OK)
        return 0;
    return eval(ctx, cond, 1);
}

/* ---- words ------------------------------------------------------------------------------ */

typedef struct Sb {
    char *buf;
    size_t size, len;
} Sb;

static void sb_add(Sb *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(Sb *sb, const char *fmt, ...)
{
    if (sb->len + 1 >= sb->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(sb->buf + sb->len, sb->size - sb->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        sb->len += (size_t)n < sb->size - sb->len ? (size_t)n : sb->size - sb->len - 1;
}

/* A data name for a player: "iron_ingot" reads "iron ingot". */
static void sb_name(Sb *sb, const char *name)
{
    for (const char *p = name ? name : "?"; *p && sb->len + 1 < sb->size; p++)
        sb->buf[sb->len++] = *p == '_' ? ' ' : *p;
    sb->buf[sb->len] = '\0';
}

static void sb_range(Sb *sb, const cJSON *args, const char *above, const char *below)
{
    const cJSON *mn = field(args, "min"), *mx = field(args, "max");
    if (mn && mx)
        sb_add(sb, "%d to %d", int_field(args, "min", 0), int_field(args, "max", 0));
    else if (mn)
        sb_add(sb, "%d%s", int_field(args, "min", 0), above);
    else
        sb_add(sb, "%d%s", int_field(args, "max", 0), below);
}

static const char *state_words(const char *s)
{
    return s && strcmp(s, "none") == 0 ? "not started" : s ? s : "?";
}

/* What a condition asks for, as a noun phrase ("3 iron ingot", "mining 3"). */
static void phrase(const RuleCtx *x, const cJSON *c, int depth, Sb *sb)
{
    const cJSON *kv = depth <= RULES_MAX_DEPTH ? only_child(c) : NULL;
    const char *k = kv && kv->string ? kv->string : "";
    const cJSON *it;
    if (strcmp(k, "all") == 0 || strcmp(k, "any") == 0) {
        int first = 1;
        sb_add(sb, "(");
        cJSON_ArrayForEach(it, kv) {
            sb_add(sb, "%s", first ? "" : k[1] == 'l' ? " and " : " or ");
            phrase(x, it, depth + 1, sb);
            first = 0;
        }
        sb_add(sb, ")");
    } else if (strcmp(k, "not") == 0) {
        sb_add(sb, "not ");
        phrase(x, kv, depth + 1, sb);
    } else if (strcmp(k, "level") == 0) {
        sb_add(sb, "level ");
        sb_range(sb, kv, "", " or lower");
    } else if (strcmp(k, "stat") == 0 || strcmp(k, "skill") == 0) {
        sb_name(sb, str_field(kv, "name"));
        sb_add(sb, " ");
        sb_range(sb, kv, "", " or lower");
    } else if (strcmp(k, "item") == 0) {
        sb_add(sb, "%d ", int_field(kv, "count", 1));
        sb_name(sb, str_field(kv, "name"));
    } else if (strcmp(k, "relationship") == 0) {
        sb_add(sb, "%s", field(kv, "min") && field(kv, "max") ? "a relationship from " : "a relationship of ");
        sb_range(sb, kv, " or more", " or less");
        sb_add(sb, " with ");
        sb_name(sb, str_field(kv, "with"));
    } else if (strcmp(k, "quest") == 0) {
        sb_add(sb, "the quest ");
        sb_name(sb, str_field(kv, "name"));
        sb_add(sb, " %s", state_words(str_field(kv, "state")));
    } else if (strcmp(k, "achievement") == 0) {
        sb_add(sb, "the achievement ");
        sb_name(sb, cJSON_IsString(kv) ? kv->valuestring : NULL);
    } else if (strcmp(k, "flag") == 0) {
        const char *want = cJSON_IsString(kv) ? NULL : str_field(kv, "value");
        sb_add(sb, "the flag %s ", or_q(cJSON_IsString(kv) ? kv->valuestring : str_field(kv, "name")));
        if (want)
            sb_add(sb, "= \"%s\"", want);
        else
            sb_add(sb, "set");
    } else if (strcmp(k, "time") == 0) {
        sb_add(sb, "a time between %s and %s", or_q(str_field(kv, "from")), or_q(str_field(kv, "to")));
    } else if (strcmp(k, "place") == 0) {
        sb_add(sb, "a ");
        sb_name(sb, str_field(kv, "near"));
        sb_add(sb, " within %d blocks", int_field(kv, "radius", 1));
    } else if (strcmp(k, "season") == 0) {
        sb_add(sb, "the season %s", cJSON_IsString(kv) ? kv->valuestring : "?");
    } else {
        sb_add(sb, "(nothing)");
    }
}

/* What the player has now, after the phrase of a false leaf (" (you have 1)"), or nothing. */
static void have_words(const RuleCtx *x, const cJSON *kv, Sb *sb)
{
    const char *k = kv->string ? kv->string : "";
    if (strcmp(k, "level") == 0) {
        sb_add(sb, " (you are level %d)", q_level(x));
    } else if (strcmp(k, "stat") == 0) {
        sb_add(sb, " (you have %d)", q_stat(x, str_field(kv, "name")));
    } else if (strcmp(k, "skill") == 0) {
        sb_add(sb, " (you have %d)", q_skill(x, str_field(kv, "name")));
    } else if (strcmp(k, "item") == 0) {
        sb_add(sb, " (you have %d)", q_items(x, str_field(kv, "name")));
    } else if (strcmp(k, "relationship") == 0) {
        sb_add(sb, " (it is %d)", q_rel(x, str_field(kv, "with")));
    } else if (strcmp(k, "quest") == 0) {
        sb_add(sb, " (it is %s)", state_words(q_quest(x, str_field(kv, "name"))));
    } else if (strcmp(k, "flag") == 0 && !cJSON_IsString(kv) && str_field(kv, "value")) {
        char buf[RULES_MAX_TEXT + 1];
        const char *have = x && x->flag && x->flag(x->ud, str_field(kv, "name"), buf, sizeof buf) ? buf : NULL;
        if (have)
            sb_add(sb, " (it is \"%s\")", have);
        else
            sb_add(sb, " (it is not set)");
    } else if (strcmp(k, "time") == 0) {
        int m = q_minute(x);
        sb_add(sb, " (it is %02d:%02d)", m / 60, m % 60);
    } else if (strcmp(k, "season") == 0 && q_season(x) >= 0) {
        sb_add(sb, " (it is %s)", season_names[q_season(x)]);
    }
}

/* Why c (known to be false) is false. bare: inside "one of", without the leading "needs". */
static void explain(const RuleCtx *x, const cJSON *c, int depth, int bare, Sb *sb)
{
    const cJSON *kv = depth <= RULES_MAX_DEPTH ? only_child(c) : NULL;
    const char *k = kv && kv->string ? kv->string : "";
    const cJSON *it;
    if (strcmp(k, "all") == 0) {
        int first = 1;
        cJSON_ArrayForEach(it, kv) {
            if (eval(x, it, depth + 1))
                continue;
            sb_add(sb, "%s", first ? "" : bare ? " and " : "; ");
            explain(x, it, depth + 1, bare, sb);
            first = 0;
        }
    } else if (strcmp(k, "any") == 0) {
        int first = 1;
        sb_add(sb, "%s", bare ? "(one of: " : "needs one of: ");
        cJSON_ArrayForEach(it, kv) {
            sb_add(sb, "%s", first ? "" : ", or ");
            explain(x, it, depth + 1, 1, sb);
            first = 0;
        }
        sb_add(sb, "%s", bare ? ")" : "");
    } else if (strcmp(k, "not") == 0) {
        sb_add(sb, "%s", bare ? "without " : "not allowed with ");
        phrase(x, kv, depth + 1, sb);
    } else if (kv) {
        sb_add(sb, "%s", bare ? "" : "needs ");
        phrase(x, c, depth, sb);
        have_words(x, kv, sb);
    } else {
        sb_add(sb, "the requirement cannot be met");
    }
}

void rules_describe_condition(const cJSON *cond, char *buf, size_t size)
{
    if (!buf || size == 0)
        return;
    buf[0] = '\0';
    Sb sb = {buf, size, 0};
    if (is_nothing(cond, 0))
        return;
    if (rules_validate_condition(cond, NULL, NULL) != MA_OK) {
        sb_add(&sb, "(malformed condition)");
        return;
    }
    phrase(NULL, cond, 1, &sb);
}

const char *rules_season_name(int season)
{
    return season >= 0 && season < (int)NSEASONS ? season_names[season] : "?";
}

void rules_explain(const RuleCtx *ctx, const cJSON *cond, char *buf, size_t size)
{
    if (!buf || size == 0)
        return;
    buf[0] = '\0';
    if (rules_check(ctx, cond))
        return;
    Sb sb = {buf, size, 0};
    if (rules_validate_condition(cond, NULL, NULL) != MA_OK) {
        sb_add(&sb, "the requirement is malformed and cannot be met");
        return;
    }
    explain(ctx, cond, 1, 0, &sb);
}

static void describe_one(const cJSON *kv, Sb *sb)
{
    const char *k = kv->string;
    if (strcmp(k, "give") == 0 || strcmp(k, "take") == 0) {
        sb_add(sb, "%s %d ", k[0] == 'g' ? "gives" : "takes", int_field(kv, "count", 1));
        sb_name(sb, str_field(kv, "item"));
    } else if (strcmp(k, "experience") == 0) {
        int n = 0;
        int_ok(kv, 1, INT_MAX, &n);
        sb_add(sb, "%d experience", n);
    } else if (strcmp(k, "stat") == 0) {
        sb_add(sb, "%+d %s", int_field(kv, "add", 0), or_q(str_field(kv, "name")));
    } else if (strcmp(k, "skill_xp") == 0) {
        sb_add(sb, "%+d ", int_field(kv, "add", 0));
        sb_name(sb, str_field(kv, "name"));
        sb_add(sb, " experience");
    } else if (strcmp(k, "relationship") == 0) {
        const char *who = str_field(kv, "with");
        if (who && strcmp(who, "@npc") == 0) { /* the one being talked to */
            sb_add(sb, "their opinion of you %+d", int_field(kv, "add", 0));
        } else {
            sb_name(sb, who);
            sb_add(sb, "'s opinion %+d", int_field(kv, "add", 0));
        }
    } else if (strcmp(k, "start_quest") == 0) {
        sb_add(sb, "starts the quest ");
        sb_name(sb, kv->valuestring);
    } else if (strcmp(k, "advance_quest") == 0) {
        sb_add(sb, "advances the quest ");
        sb_name(sb, str_field(kv, "quest"));
        sb_add(sb, " (");
        sb_name(sb, str_field(kv, "objective"));
        sb_add(sb, " +%d)", int_field(kv, "add", 1));
    } else if (strcmp(k, "unlock_recipe") == 0) {
        sb_add(sb, "unlocks the recipe ");
        sb_name(sb, kv->valuestring);
    } else if (strcmp(k, "achievement") == 0) {
        sb_add(sb, "the achievement ");
        sb_name(sb, kv->valuestring);
    } else if (strcmp(k, "set_block") == 0) {
        const char *block = str_field(kv, "block"), *replace = str_field(kv, "replace");
        int count = int_field(kv, "count", 1);
        int clear = block && strcmp(block, "air") == 0;
        if (replace && count > 1)
            sb_add(sb, "%s up to %d ", clear ? "breaks" : "turns", count);
        else if (replace)
            sb_add(sb, "%s the nearest ", clear ? "breaks" : "turns");
        if (replace) {
            sb_name(sb, replace);
            if (!clear) {
                sb_add(sb, " into ");
                sb_name(sb, block);
            }
        } else if (clear) {
            sb_add(sb, "clears a block");
        } else {
            sb_add(sb, "places ");
            sb_name(sb, block);
        }
    } else if (strcmp(k, "fail_quest") == 0) {
        sb_add(sb, "fails the quest ");
        sb_name(sb, kv->valuestring);
    } else if (strcmp(k, "start_story") == 0) {
        sb_add(sb, "begins the story ");
        sb_name(sb, kv->valuestring);
    } else if (strcmp(k, "start_event") == 0) {
        sb_add(sb, "brings about %s", str_field(kv, "name") ? str_field(kv, "name") : "an event");
    }
}

static int shown(const char *key)
{
    return strcmp(key, "flag") != 0 && strcmp(key, "message") != 0;
}

void rules_describe_effects(const cJSON *effects, char *buf, size_t size)
{
    if (!buf || size == 0)
        return;
    buf[0] = '\0';
    Sb sb = {buf, size, 0};
    if (rules_validate_effects(effects, NULL, NULL) != MA_OK) {
        sb_add(&sb, "(malformed effects)");
        return;
    }
    int first = 1;
    const cJSON *list = is_nothing(effects, 1) ? NULL : effects;
    const cJSON *it;
    cJSON_ArrayForEach(it, list) {
        const cJSON *kv = it->child;
        if (!shown(kv->string))
            continue;
        sb_add(&sb, "%s", first ? "" : ", ");
        describe_one(kv, &sb);
        first = 0;
    }
    if (first)
        sb_add(&sb, "nothing");
}

/* ---- applying --------------------------------------------------------------------------- */

/* Whether the game supplied the callback an effect needs. */
static int can_apply(const RuleCtx *x, const char *k)
{
    if (strcmp(k, "give") == 0) return x->give_item != NULL;
    if (strcmp(k, "take") == 0) return x->take_item != NULL;
    if (strcmp(k, "experience") == 0) return x->add_experience != NULL;
    if (strcmp(k, "stat") == 0) return x->add_stat != NULL;
    if (strcmp(k, "skill_xp") == 0) return x->add_skill_xp != NULL;
    if (strcmp(k, "relationship") == 0) return x->change_relationship != NULL;
    if (strcmp(k, "start_quest") == 0) return x->start_quest != NULL;
    if (strcmp(k, "advance_quest") == 0) return x->advance_quest != NULL;
    if (strcmp(k, "unlock_recipe") == 0) return x->unlock_recipe != NULL;
    if (strcmp(k, "achievement") == 0) return x->unlock_achievement != NULL;
    if (strcmp(k, "flag") == 0) return x->set_flag != NULL;
    if (strcmp(k, "message") == 0) return x->message != NULL;
    if (strcmp(k, "set_block") == 0) return x->set_block != NULL;
    if (strcmp(k, "fail_quest") == 0) return x->fail_quest != NULL;
    if (strcmp(k, "start_story") == 0) return x->start_story != NULL;
    if (strcmp(k, "start_event") == 0) return x->start_event != NULL;
    return 0;
}

static int apply_one(const RuleCtx *x, const cJSON *kv, Err *e)
{
    const char *k = kv->string;
    void *ud = x->ud;
    if (strcmp(k, "give") == 0)
        return x->give_item(ud, str_field(kv, "item"), int_field(kv, "count", 1), e);
    if (strcmp(k, "take") == 0)
        return x->take_item(ud, str_field(kv, "item"), int_field(kv, "count", 1), e);
    if (strcmp(k, "experience") == 0)
        return x->add_experience(ud, (int)kv->valuedouble, e);
    if (strcmp(k, "stat") == 0)
        return x->add_stat(ud, str_field(kv, "name"), int_field(kv, "add", 0), e);
    if (strcmp(k, "skill_xp") == 0)
        return x->add_skill_xp(ud, str_field(kv, "name"), int_field(kv, "add", 0), e);
    if (strcmp(k, "relationship") == 0) {
        const char *reason = str_field(kv, "reason");
        return x->change_relationship(ud, str_field(kv, "with"), int_field(kv, "add", 0), reason ? reason : "", e);
    }
    if (strcmp(k, "start_quest") == 0)
        return x->start_quest(ud, kv->valuestring, e);
    if (strcmp(k, "advance_quest") == 0)
        return x->advance_quest(ud, str_field(kv, "quest"), str_field(kv, "objective"), int_field(kv, "add", 1), e);
    if (strcmp(k, "unlock_recipe") == 0)
        return x->unlock_recipe(ud, kv->valuestring, e);
    if (strcmp(k, "achievement") == 0)
        return x->unlock_achievement(ud, kv->valuestring, e);
    if (strcmp(k, "flag") == 0)
        return x->set_flag(ud, str_field(kv, "name"), str_field(kv, "value"), e);
    if (strcmp(k, "message") == 0)
        return x->message(ud, kv->valuestring, e);
    if (strcmp(k, "set_block") == 0) {
        RuleBlockChange c;
        memset(&c, 0, sizeof c);
        c.block = str_field(kv, "block");
        const cJSON *at = field(kv, "at");
        c.anchor = cJSON_IsString(at) ? at->valuestring : at ? NULL : "player";
        c.has_pos = at && vec_ok(at, -WORLD_SPAN, WORLD_SPAN, c.pos);
        c.has_offset = vec_ok(field(kv, "offset"), -32, 32, c.offset);
        c.replace = str_field(kv, "replace");
        c.radius = int_field(kv, "radius", 8);
        c.count = int_field(kv, "count", 1);
        return x->set_block(ud, &c, e);
    }
    if (strcmp(k, "fail_quest") == 0)
        return x->fail_quest(ud, kv->valuestring, e);
    if (strcmp(k, "start_story") == 0)
        return x->start_story(ud, kv->valuestring, e);
    if (strcmp(k, "start_event") == 0) {
        RuleEvent ev = {str_field(kv, "name"), str_field(kv, "kind"), str_field(kv, "text"), int_field(kv, "days", 1),
                        int_field(kv, "spawn_pct", 100), int_field(kv, "price_pct", 100)};
        return x->start_event(ud, &ev, e);
    }
    return err_set(e, MA_ERR_INVALID, "unknown effect");
}

/* A callback's failure as a negative status with a message, whatever it left in e. */
static int failed(int rc, Err *err, const Err *e, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int failed(int rc, Err *err, const Err *e, const char *fmt, ...)
{
    char head[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    int code = rc < 0 ? rc : MA_ERR_INVALID;
    return err_set(err, code, "%s: %s", head, e->msg[0] ? e->msg : "failed without saying why");
}

int rules_apply(const RuleCtx *ctx, const cJSON *effects, Err *err)
{
    if (!ctx)
        return err_set(err, MA_ERR_INVALID, "no game to apply the effects to");
    int rc = rules_validate_effects(effects, NULL, err);
    if (rc != MA_OK || is_nothing(effects, 1))
        return rc;
    if (!ctx->begin || !ctx->commit || !ctx->rollback)
        return err_set(err, MA_ERR_INVALID, "effects need a transaction, and the game gave none");
    const cJSON *it;
    int i = 0;
    cJSON_ArrayForEach(it, effects) {
        if (!can_apply(ctx, it->child->string))
            return err_set(err, MA_ERR_INVALID, "effects[%d] (%s): this effect cannot happen here", i,
                           it->child->string);
        i++;
    }
    Err e = {0};
    rc = ctx->begin(ctx->ud, &e);
    if (rc != MA_OK)
        return failed(rc, err, &e, "starting the effects");
    i = 0;
    cJSON_ArrayForEach(it, effects) {
        err_clear(&e);
        rc = apply_one(ctx, it->child, &e);
        if (rc != MA_OK) {
            ctx->rollback(ctx->ud);
            return failed(rc, err, &e, "effects[%d] (%s)", i, it->child->string);
        }
        i++;
    }
    err_clear(&e);
    rc = ctx->commit(ctx->ud, &e);
    if (rc != MA_OK) {
        ctx->rollback(ctx->ud);
        return failed(rc, err, &e, "committing the effects");
    }
    return MA_OK;
}
