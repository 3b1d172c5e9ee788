/* test_rules.c — the rule language through a fake game: every condition form true and false,
 * combinations, time windows over midnight, the player-facing explanations, effects applied in
 * order in one all-or-nothing transaction, validation messages with their JSON path, and hostile
 * input that validation refuses and checking and applying survive. The examples of docs/rules.md
 * are validated too, so the documentation cannot drift from the code. */
#include "helpers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/rules.h"

/* ---- the fake game ---------------------------------------------------------------------- */

/* Everything the fake knows is a number or a text under a namespaced key ("item:torch",
 * "quest:wolves"). Effects write to `pending`, queries read `now`; commit copies one onto the
 * other, so an effect that was applied but rolled back leaves no trace. */
typedef struct Num {
    char key[96];
    int n;
} Num;

typedef struct Txt {
    char key[96];
    char val[256];
} Txt;

typedef struct State {
    int level;
    int xp;
    Num nums[32];
    int nn;
    Txt txts[32];
    int nt;
    char msgs[4][256];
    int nmsg;
} State;

typedef struct Fake {
    State now, pending;
    int in_tx;
    int minute;
    const char *place; /* the one kind of place the player is near, within place_radius */
    int place_radius;
    char log[2048]; /* "begin;give torch 4;commit;" */
    int fail_commit;
    int fail_begin;
} Fake;

static Num *num_slot(State *s, const char *key, int create)
{
    for (int i = 0; i < s->nn; i++)
        if (strcmp(s->nums[i].key, key) == 0)
            return &s->nums[i];
    if (!create || s->nn == (int)(sizeof s->nums / sizeof s->nums[0]))
        return NULL;
    Num *n = &s->nums[s->nn++];
    snprintf(n->key, sizeof n->key, "%s", key);
    n->n = 0;
    return n;
}

static Txt *txt_slot(State *s, const char *key, int create)
{
    for (int i = 0; i < s->nt; i++)
        if (strcmp(s->txts[i].key, key) == 0)
            return &s->txts[i];
    if (!create || s->nt == (int)(sizeof s->txts / sizeof s->txts[0]))
        return NULL;
    Txt *t = &s->txts[s->nt++];
    snprintf(t->key, sizeof t->key, "%s", key);
    t->val[0] = '\0';
    return t;
}

static const char *key2(const char *ns, const char *name)
{
    static char buf[4][96];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s:%s", ns, name ? name : "(null)");
    return buf[i];
}

static int num_get(State *s, const char *ns, const char *name)
{
    Num *n = num_slot(s, key2(ns, name), 0);
    return n ? n->n : 0;
}

static void num_set(State *s, const char *ns, const char *name, int v)
{
    num_slot(s, key2(ns, name), 1)->n = v;
}

static const char *txt_get(State *s, const char *ns, const char *name)
{
    Txt *t = txt_slot(s, key2(ns, name), 0);
    return t ? t->val : NULL;
}

static void txt_set(State *s, const char *ns, const char *name, const char *v)
{
    snprintf(txt_slot(s, key2(ns, name), 1)->val, sizeof(((Txt *)0)->val), "%s", v);
}

static void logf_(Fake *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void logf_(Fake *f, const char *fmt, ...)
{
    size_t len = strlen(f->log);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->log + len, sizeof f->log - len, fmt, ap);
    va_end(ap);
}

static int q_level(void *ud) { return ((Fake *)ud)->now.level; }
static int q_stat(void *ud, const char *n) { return num_get(&((Fake *)ud)->now, "stat", n); }
static int q_skill(void *ud, const char *n) { return num_get(&((Fake *)ud)->now, "skill", n); }
static int q_items(void *ud, const char *n) { return num_get(&((Fake *)ud)->now, "item", n); }
static int q_rel(void *ud, const char *n) { return num_get(&((Fake *)ud)->now, "rel", n); }
static const char *q_quest(void *ud, const char *n) { return txt_get(&((Fake *)ud)->now, "quest", n); }
static int q_ach(void *ud, const char *n) { return txt_get(&((Fake *)ud)->now, "ach", n) != NULL; }
static int q_flag(void *ud, const char *n, char *buf, size_t size)
{
    const char *v = txt_get(&((Fake *)ud)->now, "flag", n);
    if (v)
        snprintf(buf, size, "%s", v);
    return v != NULL;
}
static int q_minute(void *ud) { return ((Fake *)ud)->minute; }

static int q_near(void *ud, const char *kind, int radius)
{
    Fake *f = ud;
    return f->place && strcmp(f->place, kind) == 0 && f->place_radius <= radius;
}

/* Every effect goes through here: refused outside a transaction, logged inside one. */
static State *tx(Fake *f, Err *err)
{
    if (!f->in_tx) {
        err_set(err, MA_ERR_INVALID, "effect outside a transaction");
        return NULL;
    }
    return &f->pending;
}

static int e_give(void *ud, const char *item, int count, Err *err)
{
    State *s = tx(ud, err);
    if (!s)
        return MA_ERR_INVALID;
    logf_(ud, "give %s %d;", item, count);
    num_set(s, "item", item, num_get(s, "item", item) + count);
    return MA_OK;
}

static int e_take(void *ud, const char *item, int count, Err *err)
{
    State *s = tx(ud, err);
    if (!s)
        return MA_ERR_INVALID;
    logf_(ud, "take %s %d;", item, count);
    int have = num_get(s, "item", item);
    if (have < count)
        return err_set(err, MA_ERR_CONSTRAINT, "you have only %d %s", have, item);
    num_set(s, "item", item, have - count);
    return MA_OK;
}

static int e_xp(void *ud, int amount, Err *err)
{
    State *s = tx(ud, err);
    if (!s)
        return MA_ERR_INVALID;
    logf_(ud, "experience %d;", amount);
    s->xp += amount;
    return MA_OK;
}

static int e_stat(void *ud, const char *name, int amount, Err *err)
{
    State *s = tx(ud, err);
    if (!s)
        return MA_ERR_INVALID;
    logf_(ud, "stat %s %d;", name, amount);
    num_set(s, "stat", name, num_get(s, "stat", name) + amount);
    return MA_OK;
}

static int e_skill_xp(void *ud, const char *name, int amount, Err *err)
{
    State *s = tx(ud, err);
    if (!s)
        return MA_ERR_INVALID;
    logf_(ud, "skill_xp %s %d;", name, amount);
    num_set(s, "skillxp", name, num_get(s, "skillxp", name) + amount);
    return MA_OK;
}

static int e_rel(void *ud, const char *who, int amount, const char *reason, Err *err)
{
    State *s = tx(ud, err);
    if (!s)
        return MA_ERR_INVALID;
    logf_(ud, "relationship %s %d %s;", who, amount, reason);
    int v = num_get(s, "rel", who) + amount;
    num_set(s, "rel", who, v > 100 ? 100 : v < -100 ? -100 : v);
    return MA_OK;
}

static int e_start_quest(void *ud, const char *quest, Err *err)
{
    State *s = tx(ud, err);
    if (!s)
        return MA_ERR_INVALID;
    logf_(ud, "start_quest %s;", quest);
    if (txt_get(s, "quest", quest))
        return err_set(err, MA_ERR_CONSTRAINT, "the quest %s was already taken", quest);
    txt_set(s, "quest", quest, "active");
    return MA_OK;
}

static int e_advance(void *ud, const char *quest, const char *objective, int amount, Err *err)
{
    State *s = tx(ud, err);
    if (!s)
        return MA_ERR_INVALID;
    logf_(ud, "advance_quest %s %s %d;", quest, objective, amount);
    char k[96];
    snprintf(k, sizeof k, "%s/%s", quest, objective);
    num_set(s, "obj", k, num_get(s, "obj", k) + amount);
    return MA_OK;
}

static int e_recipe(void *ud, const char *recipe, Err *err)
{
    State *s = tx(ud, err);
    if (!s)
        return MA_ERR_INVALID;
    logf_(ud, "unlock_recipe %s;", recipe);
    if (strcmp(recipe, "forbidden") == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "there is no recipe forbidden");
    txt_set(s, "recipe", recipe, "1");
    return MA_OK;
}

static int e_ach(void *ud, const char *name, Err *err)
{
    State *s = tx(ud, err);
    if (!s)
        return MA_ERR_INVALID;
    logf_(ud, "achievement %s;", name);
    txt_set(s, "ach", name, "1");
    return MA_OK;
}

static int e_flag(void *ud, const char *name, const char *value, Err *err)
{
    State *s = tx(ud, err);
    if (!s)
        return MA_ERR_INVALID;
    logf_(ud, "flag %s=%s;", name, value);
    txt_set(s, "flag", name, value);
    return MA_OK;
}

static int e_message(void *ud, const char *text, Err *err)
{
    State *s = tx(ud, err);
    if (!s)
        return MA_ERR_INVALID;
    logf_(ud, "message %s;", text);
    if (s->nmsg < 4)
        snprintf(s->msgs[s->nmsg++], sizeof s->msgs[0], "%s", text);
    return MA_OK;
}

static int t_begin(void *ud, Err *err)
{
    Fake *f = ud;
    logf_(f, "begin;");
    if (f->fail_begin)
        return err_set(err, MA_ERR_LOCKED, "the save is busy");
    assert_false(f->in_tx);
    f->pending = f->now;
    f->in_tx = 1;
    return MA_OK;
}

static int t_commit(void *ud, Err *err)
{
    Fake *f = ud;
    logf_(f, "commit;");
    assert_true(f->in_tx);
    if (f->fail_commit)
        return err_set(err, MA_ERR_IO, "disk full");
    f->now = f->pending;
    f->in_tx = 0;
    return MA_OK;
}

static void t_rollback(void *ud)
{
    Fake *f = ud;
    logf_(f, "rollback;");
    assert_true(f->in_tx);
    f->in_tx = 0;
}

static RuleCtx fake_ctx(Fake *f)
{
    RuleCtx c = {
        .ud = f,
        .level = q_level,
        .stat = q_stat,
        .skill_level = q_skill,
        .item_count = q_items,
        .relationship = q_rel,
        .quest_state = q_quest,
        .has_achievement = q_ach,
        .flag = q_flag,
        .minute_of_day = q_minute,
        .near_place = q_near,
        .give_item = e_give,
        .take_item = e_take,
        .add_experience = e_xp,
        .add_stat = e_stat,
        .add_skill_xp = e_skill_xp,
        .change_relationship = e_rel,
        .start_quest = e_start_quest,
        .advance_quest = e_advance,
        .unlock_recipe = e_recipe,
        .unlock_achievement = e_ach,
        .set_flag = e_flag,
        .message = e_message,
        .begin = t_begin,
        .commit = t_commit,
        .rollback = t_rollback,
    };
    return c;
}

/* A player at level 3 with some of everything, at 12:30, 10 blocks from a village. */
static void fake_init(Fake *f)
{
    memset(f, 0, sizeof *f);
    f->now.level = 3;
    num_set(&f->now, "stat", "strength", 8);
    num_set(&f->now, "stat", "health", 20);
    num_set(&f->now, "skill", "mining", 1);
    num_set(&f->now, "item", "iron_ingot", 1);
    num_set(&f->now, "item", "torch", 5);
    num_set(&f->now, "rel", "Mara", 5);
    num_set(&f->now, "rel", "Brok", -40);
    txt_set(&f->now, "quest", "wolves", "active");
    txt_set(&f->now, "quest", "rats", "completed");
    txt_set(&f->now, "ach", "first_steps", "1");
    txt_set(&f->now, "flag", "met_king", "yes");
    f->minute = 12 * 60 + 30;
    f->place = "village";
    f->place_radius = 10;
}

/* ---- helpers ---------------------------------------------------------------------------- */

static cJSON *J(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    if (!j)
        fail_msg("test JSON does not parse: %s", text);
    return j;
}

/* Checks text against the fake after asserting it validates. */
static int check(Fake *f, const char *text)
{
    cJSON *c = J(text);
    Err err = {0};
    if (rules_validate_condition(c, "t", &err) != MA_OK)
        fail_msg("%s should validate: %s", text, err.msg);
    RuleCtx ctx = fake_ctx(f);
    int r = rules_check(&ctx, c);
    cJSON_Delete(c);
    return r;
}

static const char *explain(Fake *f, const char *text)
{
    static char buf[512];
    cJSON *c = J(text);
    RuleCtx ctx = fake_ctx(f);
    rules_explain(&ctx, c, buf, sizeof buf);
    cJSON_Delete(c);
    return buf;
}

static int apply(Fake *f, const char *text, Err *err)
{
    cJSON *e = J(text);
    RuleCtx ctx = fake_ctx(f);
    int rc = rules_apply(&ctx, e, err);
    cJSON_Delete(e);
    return rc;
}

/* The validation message for a condition (is_effects 0) or effect list, or "" when valid. */
static const char *invalid(int is_effects, const char *text)
{
    static Err err;
    err_clear(&err);
    cJSON *j = J(text);
    int rc = is_effects ? rules_validate_effects(j, "data/quests.json: quest 3 (\"wolves\"): rewards", &err)
                        : rules_validate_condition(j, "data/quests.json: quest 3 (\"wolves\"): requirements", &err);
    cJSON_Delete(j);
    if (rc == MA_OK)
        return "";
    assert_int_equal(rc, MA_ERR_INVALID);
    return err.msg;
}

#define assert_contains(hay, needle)                                                                    \
    do {                                                                                                \
        const char *h_ = (hay);                                                                         \
        if (!strstr(h_, (needle)))                                                                      \
            fail_msg("expected \"%s\" in \"%s\"", (needle), h_);                                       \
    } while (0)

/* ---- conditions ------------------------------------------------------------------------- */

static void test_null_null_json_and_empty_object_are_true(void **state)
{
    (void)state;
    Fake f;
    fake_init(&f);
    RuleCtx ctx = fake_ctx(&f);
    assert_int_equal(rules_check(&ctx, NULL), 1);
    assert_int_equal(rules_check(NULL, NULL), 1);
    assert_int_equal(check(&f, "{}"), 1);
    assert_int_equal(check(&f, "null"), 1);
    assert_int_equal(rules_validate_condition(NULL, "x", NULL), MA_OK);
}

static void test_level_min_and_max(void **state)
{
    (void)state;
    Fake f;
    fake_init(&f);
    assert_int_equal(check(&f, "{\"level\":{\"min\":3}}"), 1);
    assert_int_equal(check(&f, "{\"level\":{\"min\":4}}"), 0);
    assert_int_equal(check(&f, "{\"level\":{\"max\":3}}"), 1);
    assert_int_equal(check(&f, "{\"level\":{\"max\":2}}"), 0);
    assert_int_equal(check(&f, "{\"level\":{\"min\":2,\"max\":4}}"), 1);
    assert_int_equal(check(&f, "{\"level\":{\"min\":4,\"max\":9}}"), 0);
}

static void test_stat_and_skill_ranges_with_untrained_skill_zero(void **state)
{
    (void)state;
    Fake f;
    fake_init(&f);
    assert_int_equal(check(&f, "{\"stat\":{\"name\":\"strength\",\"min\":8}}"), 1);
    assert_int_equal(check(&f, "{\"stat\":{\"name\":\"strength\",\"min\":9}}"), 0);
    assert_int_equal(check(&f, "{\"stat\":{\"name\":\"health\",\"max\":19}}"), 0);
    assert_int_equal(check(&f, "{\"skill\":{\"name\":\"mining\",\"min\":1}}"), 1);
    assert_int_equal(check(&f, "{\"skill\":{\"name\":\"mining\",\"min\":3}}"), 0);
    assert_int_equal(check(&f, "{\"skill\":{\"name\":\"alchemy\",\"min\":1}}"), 0);
    assert_int_equal(check(&f, "{\"skill\":{\"name\":\"alchemy\",\"max\":0}}"), 1);
}

static void test_item_means_at_least_count(void **state)
{
    (void)state;
    Fake f;
    fake_init(&f);
    assert_int_equal(check(&f, "{\"item\":{\"name\":\"torch\",\"count\":5}}"), 1);
    assert_int_equal(check(&f, "{\"item\":{\"name\":\"torch\",\"count\":6}}"), 0);
    assert_int_equal(check(&f, "{\"item\":{\"name\":\"iron_ingot\"}}"), 1);
    assert_int_equal(check(&f, "{\"item\":{\"name\":\"diamond\"}}"), 0);
}

static void test_relationship_range_with_negative_values(void **state)
{
    (void)state;
    Fake f;
    fake_init(&f);
    assert_int_equal(check(&f, "{\"relationship\":{\"with\":\"Mara\",\"min\":5}}"), 1);
    assert_int_equal(check(&f, "{\"relationship\":{\"with\":\"Mara\",\"min\":20}}"), 0);
    assert_int_equal(check(&f, "{\"relationship\":{\"with\":\"Brok\",\"max\":-30}}"), 1);
    assert_int_equal(check(&f, "{\"relationship\":{\"with\":\"Brok\",\"min\":-30,\"max\":30}}"), 0);
    assert_int_equal(check(&f, "{\"relationship\":{\"with\":\"Stranger\",\"min\":0,\"max\":0}}"), 1);
}

static void test_quest_states_with_unknown_quest_as_none(void **state)
{
    (void)state;
    Fake f;
    fake_init(&f);
    assert_int_equal(check(&f, "{\"quest\":{\"name\":\"wolves\",\"state\":\"active\"}}"), 1);
    assert_int_equal(check(&f, "{\"quest\":{\"name\":\"wolves\",\"state\":\"completed\"}}"), 0);
    assert_int_equal(check(&f, "{\"quest\":{\"name\":\"rats\",\"state\":\"completed\"}}"), 1);
    assert_int_equal(check(&f, "{\"quest\":{\"name\":\"dragon\",\"state\":\"none\"}}"), 1);
    assert_int_equal(check(&f, "{\"quest\":{\"name\":\"dragon\",\"state\":\"failed\"}}"), 0);
}

static void test_achievement_and_flags(void **state)
{
    (void)state;
    Fake f;
    fake_init(&f);
    assert_int_equal(check(&f, "{\"achievement\":\"first_steps\"}"), 1);
    assert_int_equal(check(&f, "{\"achievement\":\"dragon_slayer\"}"), 0);
    assert_int_equal(check(&f, "{\"flag\":\"met_king\"}"), 1);
    assert_int_equal(check(&f, "{\"flag\":\"met_queen\"}"), 0);
    assert_int_equal(check(&f, "{\"flag\":{\"name\":\"met_king\",\"value\":\"yes\"}}"), 1);
    assert_int_equal(check(&f, "{\"flag\":{\"name\":\"met_king\",\"value\":\"no\"}}"), 0);
    assert_int_equal(check(&f, "{\"flag\":{\"name\":\"met_king\"}}"), 1);
    assert_int_equal(check(&f, "{\"flag\":{\"name\":\"met_queen\",\"value\":\"\"}}"), 0);
}

static void test_time_window_includes_from_excludes_to_and_wraps_midnight(void **state)
{
    (void)state;
    Fake f;
    fake_init(&f);
    const char *day = "{\"time\":{\"from\":\"06:00\",\"to\":\"20:00\"}}";
    const char *night = "{\"time\":{\"from\":\"20:00\",\"to\":\"06:00\"}}";
    struct {
        int minute, day, night;
    } cases[] = {
        {0, 0, 1}, {5 * 60 + 59, 0, 1}, {6 * 60, 1, 0}, {12 * 60 + 30, 1, 0},
        {19 * 60 + 59, 1, 0}, {20 * 60, 0, 1}, {23 * 60 + 59, 0, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        f.minute = cases[i].minute;
        assert_int_equal(check(&f, day), cases[i].day);
        assert_int_equal(check(&f, night), cases[i].night);
    }
    /* A clock beyond one day is taken modulo the day rather than trusted. */
    f.minute = 1440 + 21 * 60;
    assert_int_equal(check(&f, night), 1);
    f.minute = -60; /* 23:00 */
    assert_int_equal(check(&f, night), 1);
}

static void test_place_passes_kind_and_radius(void **state)
{
    (void)state;
    Fake f;
    fake_init(&f);
    assert_int_equal(check(&f, "{\"place\":{\"near\":\"village\",\"radius\":16}}"), 1);
    assert_int_equal(check(&f, "{\"place\":{\"near\":\"village\",\"radius\":8}}"), 0);
    assert_int_equal(check(&f, "{\"place\":{\"near\":\"dungeon\",\"radius\":64}}"), 0);
}

static void test_all_any_not_combine(void **state)
{
    (void)state;
    Fake f;
    fake_init(&f);
    const char *T = "{\"level\":{\"min\":1}}", *F = "{\"level\":{\"min\":50}}";
    char buf[512];
#define C(fmt, ...) (snprintf(buf, sizeof buf, fmt, __VA_ARGS__), check(&f, buf))
    assert_int_equal(C("{\"all\":[%s,%s]}", T, T), 1);
    assert_int_equal(C("{\"all\":[%s,%s]}", T, F), 0);
    assert_int_equal(C("{\"any\":[%s,%s]}", F, T), 1);
    assert_int_equal(C("{\"any\":[%s,%s]}", F, F), 0);
    assert_int_equal(C("{\"not\":%s}", F), 1);
    assert_int_equal(C("{\"not\":%s}", T), 0);
    assert_int_equal(C("{\"not\":{\"not\":%s}}", T), 1);
    assert_int_equal(C("{\"all\":[%s,{\"any\":[%s,{\"not\":%s}]}]}", T, F, F), 1);
    assert_int_equal(C("{\"any\":[{\"all\":[%s,%s]},{\"not\":{\"any\":[%s,%s]}}]}", T, F, F, T), 0);
#undef C
}

static void test_missing_callbacks_make_conditions_false(void **state)
{
    (void)state;
    RuleCtx empty = {0};
    const char *conds[] = {
        "{\"level\":{\"min\":1}}", "{\"item\":{\"name\":\"torch\"}}", "{\"achievement\":\"x\"}",
        "{\"flag\":\"x\"}", "{\"place\":{\"near\":\"village\",\"radius\":5}}",
        "{\"quest\":{\"name\":\"x\",\"state\":\"active\"}}",
    };
    for (size_t i = 0; i < sizeof conds / sizeof conds[0]; i++) {
        cJSON *c = J(conds[i]);
        assert_int_equal(rules_check(&empty, c), 0);
        assert_int_equal(rules_check(NULL, c), 0);
        cJSON_Delete(c);
    }
}

/* ---- explanations ----------------------------------------------------------------------- */

static void test_explain_says_what_is_needed_and_what_you_have(void **state)
{
    (void)state;
    Fake f;
    fake_init(&f);
    assert_string_equal(explain(&f, "{\"skill\":{\"name\":\"mining\",\"min\":3}}"), "needs mining 3 (you have 1)");
    assert_string_equal(explain(&f, "{\"level\":{\"min\":5}}"), "needs level 5 (you are level 3)");
    assert_string_equal(explain(&f, "{\"level\":{\"max\":2}}"), "needs level 2 or lower (you are level 3)");
    assert_string_equal(explain(&f, "{\"stat\":{\"name\":\"strength\",\"min\":10,\"max\":20}}"),
                        "needs strength 10 to 20 (you have 8)");
    assert_string_equal(explain(&f, "{\"item\":{\"name\":\"iron_ingot\",\"count\":3}}"),
                        "needs 3 iron ingots (you have 1)");
    assert_string_equal(explain(&f, "{\"relationship\":{\"with\":\"Mara\",\"min\":20}}"),
                        "needs a relationship of 20 or more with Mara (it is 5)");
    assert_string_equal(explain(&f, "{\"quest\":{\"name\":\"wolves\",\"state\":\"completed\"}}"),
                        "needs the quest wolves completed (it is active)");
    assert_string_equal(explain(&f, "{\"quest\":{\"name\":\"dragon_hunt\",\"state\":\"active\"}}"),
                        "needs the quest dragon hunt active (it is not started)");
    assert_string_equal(explain(&f, "{\"achievement\":\"dragon_slayer\"}"), "needs the achievement dragon slayer");
    assert_string_equal(explain(&f, "{\"flag\":{\"name\":\"met_king\",\"value\":\"no\"}}"),
                        "needs the flag met_king = \"no\" (it is \"yes\")");
    assert_string_equal(explain(&f, "{\"flag\":\"met_queen\"}"), "needs the flag met_queen set");
    assert_string_equal(explain(&f, "{\"time\":{\"from\":\"20:00\",\"to\":\"06:00\"}}"),
                        "needs a time between 20:00 and 06:00 (it is 12:30)");
    assert_string_equal(explain(&f, "{\"place\":{\"near\":\"dungeon\",\"radius\":16}}"),
                        "needs a dungeon within 16 blocks");
}

static int q_way(void *ud, const char *kind, char *buf, size_t size)
{
    (void)ud;
    if (strcmp(kind, "ruins") != 0)
        return 0;
    snprintf(buf, size, "the nearest: Ruins of Larkton, E 204");
    return 1;
}

/* A place not near is explained with the way to the nearest one, when the game knows it; "ruins"
 * takes no article. rules_place_wanted says when going there is all a condition waits for. */
static void test_a_place_not_near_says_which_way_and_whether_it_is_all_that_is_missing(void **state)
{
    (void)state;
    Fake f;
    fake_init(&f);
    f.place = "village";
    f.place_radius = 3;
    RuleCtx ctx = fake_ctx(&f);
    ctx.place_way = q_way;
    char buf[300], kind[32];
    cJSON *c = J("{\"place\":{\"near\":\"ruins\",\"radius\":24}}");
    rules_explain(&ctx, c, buf, sizeof buf);
    assert_string_equal(buf, "needs ruins within 24 blocks (the nearest: Ruins of Larkton, E 204)");
    assert_int_equal(rules_place_wanted(&ctx, c, kind, sizeof kind), 1);
    assert_string_equal(kind, "ruins");
    cJSON_Delete(c);
    /* No way known (a block, or no place of the kind): the reason alone. */
    c = J("{\"place\":{\"near\":\"furnace\",\"radius\":8}}");
    rules_explain(&ctx, c, buf, sizeof buf);
    assert_string_equal(buf, "needs a furnace within 8 blocks");
    cJSON_Delete(c);
    /* With an item the player has: still only the place. With a stat the player lacks: going
     * there would not be enough. */
    c = J("{\"all\":[{\"item\":{\"name\":\"torch\"}},{\"place\":{\"near\":\"ruins\",\"radius\":24}}]}");
    assert_int_equal(rules_place_wanted(&ctx, c, kind, sizeof kind), 1);
    cJSON_Delete(c);
    c = J("{\"all\":[{\"stat\":{\"name\":\"strength\",\"min\":14}},{\"place\":{\"near\":\"ruins\",\"radius\":24}}]}");
    assert_int_equal(rules_place_wanted(&ctx, c, kind, sizeof kind), 0);
    assert_string_equal(kind, "");
    cJSON_Delete(c);
    /* Near already, or not asking for a place, or asking to be away from one: nothing to go to. */
    const char *none[] = {"{\"place\":{\"near\":\"village\",\"radius\":8}}", "{\"level\":{\"min\":9}}",
                          "{\"not\":{\"place\":{\"near\":\"village\",\"radius\":8}}}", "{}"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        c = J(none[i]);
        assert_int_equal(rules_place_wanted(&ctx, c, kind, sizeof kind), 0);
        assert_string_equal(kind, "");
        cJSON_Delete(c);
    }
    /* One of two places: either would do, the first not near is named. */
    c = J("{\"any\":[{\"place\":{\"near\":\"shrine\",\"radius\":8}},{\"place\":{\"near\":\"ruins\",\"radius\":8}}]}");
    assert_int_equal(rules_place_wanted(&ctx, c, kind, sizeof kind), 1);
    assert_string_equal(kind, "shrine");
    cJSON_Delete(c);
}

static void test_explain_combinations_and_true_conditions(void **state)
{
    (void)state;
    Fake f;
    fake_init(&f);
    assert_string_equal(explain(&f, "{\"level\":{\"min\":1}}"), "");
    assert_string_equal(explain(&f, "{}"), "");
    /* all: only the unmet parts, joined. */
    assert_string_equal(explain(&f, "{\"all\":[{\"level\":{\"min\":5}},{\"item\":{\"name\":\"torch\"}},"
                                    "{\"skill\":{\"name\":\"mining\",\"min\":3}}]}"),
                        "needs level 5 (you are level 3); needs mining 3 (you have 1)");
    assert_string_equal(explain(&f, "{\"any\":[{\"level\":{\"min\":5}},{\"skill\":{\"name\":\"mining\",\"min\":3}}]}"),
                        "needs one of: level 5 (you are level 3), or mining 3 (you have 1)");
    assert_string_equal(explain(&f, "{\"not\":{\"item\":{\"name\":\"torch\",\"count\":2}}}"),
                        "not allowed with 2 torches");
    assert_string_equal(explain(&f, "{\"any\":[{\"not\":{\"flag\":\"met_king\"}},{\"all\":[{\"level\":{\"min\":9}},"
                                    "{\"achievement\":\"x\"}]}]}"),
                        "needs one of: without the flag met_king set, or level 9 (you are level 3) and "
                        "the achievement x");
    assert_string_equal(explain(&f, "{\"level\":\"high\"}"), "the requirement is malformed and cannot be met");
}

static void test_explain_cuts_to_the_buffer(void **state)
{
    (void)state;
    Fake f;
    fake_init(&f);
    cJSON *c = J("{\"item\":{\"name\":\"iron_ingot\",\"count\":3}}");
    RuleCtx ctx = fake_ctx(&f);
    char small[8];
    memset(small, 'x', sizeof small);
    rules_explain(&ctx, c, small, sizeof small);
    assert_string_equal(small, "needs 3");
    char one[1] = {'x'};
    rules_explain(&ctx, c, one, sizeof one);
    assert_int_equal(one[0], '\0');
    cJSON_Delete(c);
}

/* ---- effects ---------------------------------------------------------------------------- */

static void test_effects_apply_in_order_in_one_transaction(void **state)
{
    (void)state;
    Fake f;
    fake_init(&f);
    Err err = {0};
    int rc = apply(&f,
                   "[{\"take\":{\"item\":\"iron_ingot\",\"count\":1}},{\"give\":{\"item\":\"iron_sword\"}},"
                   "{\"experience\":50},{\"stat\":{\"name\":\"strength\",\"add\":2}},"
                   "{\"skill_xp\":{\"name\":\"smithing\",\"add\":10}},"
                   "{\"relationship\":{\"with\":\"Mara\",\"add\":-15,\"reason\":\"rude\"}},"
                   "{\"start_quest\":\"dragon\"},{\"advance_quest\":{\"quest\":\"wolves\",\"objective\":\"slay\",\"add\":3}},"
                   "{\"advance_quest\":{\"quest\":\"wolves\",\"objective\":\"slay\"}},"
                   "{\"unlock_recipe\":\"iron_sword\"},{\"achievement\":\"smith\"},"
                   "{\"flag\":{\"name\":\"forged\",\"value\":\"1\"}},{\"message\":\"You forge a sword.\"}]",
                   &err);
    assert_int_equal(rc, MA_OK);
    assert_string_equal(f.log, "begin;take iron_ingot 1;give iron_sword 1;experience 50;stat strength 2;"
                               "skill_xp smithing 10;relationship Mara -15 rude;start_quest dragon;"
                               "advance_quest wolves slay 3;advance_quest wolves slay 1;unlock_recipe iron_sword;"
                               "achievement smith;flag forged=1;message You forge a sword.;commit;");
    assert_false(f.in_tx);
    assert_int_equal(num_get(&f.now, "item", "iron_ingot"), 0);
    assert_int_equal(num_get(&f.now, "item", "iron_sword"), 1);
    assert_int_equal(f.now.xp, 50);
    assert_int_equal(num_get(&f.now, "stat", "strength"), 10);
    assert_int_equal(num_get(&f.now, "rel", "Mara"), -10);
    assert_string_equal(txt_get(&f.now, "quest", "dragon"), "active");
    assert_int_equal(num_get(&f.now, "obj", "wolves/slay"), 4);
    assert_non_null(txt_get(&f.now, "recipe", "iron_sword"));
    assert_string_equal(txt_get(&f.now, "flag", "forged"), "1");
    assert_string_equal(f.now.msgs[0], "You forge a sword.");
    /* The applied effects are what the conditions now see. */
    assert_int_equal(check(&f, "{\"all\":[{\"achievement\":\"smith\"},{\"flag\":{\"name\":\"forged\",\"value\":\"1\"}},"
                               "{\"item\":{\"name\":\"iron_sword\"}},{\"quest\":{\"name\":\"dragon\",\"state\":\"active\"}}]}"),
                     1);
}

static void test_failing_effect_in_the_middle_leaves_nothing_applied(void **state)
{
    (void)state;
    Fake f;
    fake_init(&f);
    State before = f.now;
    Err err = {0};
    /* The take fails: only one iron ingot. The give and experience before it must not stay. */
    int rc = apply(&f,
                   "[{\"give\":{\"item\":\"torch\",\"count\":4}},{\"experience\":20},"
                   "{\"take\":{\"item\":\"iron_ingot\",\"count\":3}},{\"achievement\":\"never\"}]",
                   &err);
    assert_int_equal(rc, MA_ERR_CONSTRAINT);
    assert_string_equal(err.msg, "effects[2] (take): you have only 1 iron_ingot");
    assert_string_equal(f.log, "begin;give torch 4;experience 20;take iron_ingot 3;rollback;");
    assert_false(f.in_tx);
    assert_memory_equal(&f.now, &before, sizeof before);
    assert_int_equal(num_get(&f.now, "item", "torch"), 5);
    assert_null(txt_get(&f.now, "ach", "never"));

    /* A later effect failing (a recipe that does not exist) rolls back the same way. */
    f.log[0] = '\0';
    rc = apply(&f, "[{\"give\":{\"item\":\"torch\"}},{\"unlock_recipe\":\"forbidden\"}]", &err);
    assert_int_equal(rc, MA_ERR_NOT_FOUND);
    assert_contains(err.msg, "effects[1] (unlock_recipe): there is no recipe forbidden");
    assert_string_equal(f.log, "begin;give torch 1;unlock_recipe forbidden;rollback;");
    assert_memory_equal(&f.now, &before, sizeof before);
}

static void test_failing_begin_or_commit_applies_nothing(void **state)
{
    (void)state;
    Fake f;
    fake_init(&f);
    State before = f.now;
    Err err = {0};
    f.fail_commit = 1;
    assert_int_equal(apply(&f, "[{\"give\":{\"item\":\"torch\"}}]", &err), MA_ERR_IO);
    assert_string_equal(err.msg, "committing the effects: disk full");
    assert_string_equal(f.log, "begin;give torch 1;commit;rollback;");
    assert_memory_equal(&f.now, &before, sizeof before);

    fake_init(&f);
    f.fail_begin = 1;
    assert_int_equal(apply(&f, "[{\"give\":{\"item\":\"torch\"}}]", &err), MA_ERR_LOCKED);
    assert_string_equal(err.msg, "starting the effects: the save is busy");
    assert_string_equal(f.log, "begin;");
    assert_memory_equal(&f.now, &before, sizeof before);
}

static void test_malformed_or_unsupported_effects_call_nothing(void **state)
{
    (void)state;
    Fake f;
    fake_init(&f);
    Err err = {0};
    /* The bad entry is last: validation must refuse before the first effect runs. */
    assert_int_equal(apply(&f, "[{\"give\":{\"item\":\"torch\"}},{\"give\":{\"item\":\"torch\",\"count\":0}}]", &err),
                     MA_ERR_INVALID);
    assert_string_equal(err.msg, "[1].give.count must be a whole number from 1 to 9999");
    assert_string_equal(f.log, "");

    RuleCtx ctx = fake_ctx(&f);
    ctx.unlock_recipe = NULL;
    cJSON *e = J("[{\"give\":{\"item\":\"torch\"}},{\"unlock_recipe\":\"x\"}]");
    assert_int_equal(rules_apply(&ctx, e, &err), MA_ERR_INVALID);
    assert_contains(err.msg, "effects[1] (unlock_recipe): this effect cannot happen here");
    ctx = fake_ctx(&f);
    ctx.rollback = NULL;
    assert_int_equal(rules_apply(&ctx, e, &err), MA_ERR_INVALID);
    assert_contains(err.msg, "transaction");
    assert_int_equal(rules_apply(NULL, e, &err), MA_ERR_INVALID);
    cJSON_Delete(e);
    assert_string_equal(f.log, "");

    /* Nothing to do opens no transaction. */
    assert_int_equal(apply(&f, "[]", &err), MA_OK);
    assert_int_equal(apply(&f, "null", &err), MA_OK);
    ctx = fake_ctx(&f);
    assert_int_equal(rules_apply(&ctx, NULL, &err), MA_OK);
    assert_string_equal(f.log, "");
}

static void test_describe_effects_in_words(void **state)
{
    (void)state;
    char buf[256];
    cJSON *e = J("[{\"give\":{\"item\":\"iron_ingot\",\"count\":3}},{\"experience\":50}]");
    rules_describe_effects(e, NULL, buf, sizeof buf);
    assert_string_equal(buf, "gives 3 iron ingots, 50 experience");
    cJSON_Delete(e);
    e = J("[{\"take\":{\"item\":\"oak_log\",\"count\":2}},{\"stat\":{\"name\":\"strength\",\"add\":1}},"
          "{\"skill_xp\":{\"name\":\"mining\",\"add\":10}},{\"relationship\":{\"with\":\"Mara\",\"add\":-5}},"
          "{\"flag\":{\"name\":\"secret\",\"value\":\"1\"}},{\"message\":\"hidden\"},"
          "{\"start_quest\":\"wolf_hunt\"},{\"advance_quest\":{\"quest\":\"wolf_hunt\",\"objective\":\"slay\"}},"
          "{\"unlock_recipe\":\"iron_sword\"},{\"achievement\":\"smith\"}]");
    rules_describe_effects(e, NULL, buf, sizeof buf);
    assert_string_equal(buf, "takes 2 oak logs, +1 strength, +10 mining experience, Mara's opinion -5, "
                             "starts the quest wolf hunt, advances the quest wolf hunt (slay +1), "
                             "unlocks the recipe iron sword, the achievement smith");
    cJSON_Delete(e);
    e = J("[{\"wait_until\":{\"hour\":19,\"minute\":30}},{\"wait_until\":{\"hour\":0}}]");
    rules_describe_effects(e, NULL, buf, sizeof buf);
    assert_string_equal(buf, "time passes to 19:30, time passes to 00:00");
    cJSON_Delete(e);
    e = J("[{\"message\":\"only a message\"}]");
    rules_describe_effects(e, NULL, buf, sizeof buf);
    assert_string_equal(buf, "nothing");
    cJSON_Delete(e);
    rules_describe_effects(NULL, NULL, buf, sizeof buf);
    assert_string_equal(buf, "nothing");
    e = J("{\"give\":1}");
    rules_describe_effects(e, NULL, buf, sizeof buf);
    assert_string_equal(buf, "(malformed effects)");
    cJSON_Delete(e);
}

/* ---- validation ------------------------------------------------------------------------- */

static void test_validation_names_file_entry_path_and_reason(void **state)
{
    (void)state;
    assert_string_equal(invalid(0, "{\"all\":[{\"level\":{\"min\":1}},{\"item\":{\"name\":\"x\",\"count\":0}}]}"),
                        "data/quests.json: quest 3 (\"wolves\"): requirements: all[1].item.count must be a whole "
                        "number from 1 to 9999");
    assert_string_equal(invalid(1, "[{\"experience\":10},{\"give\":{\"item\":\"torch\",\"count\":\"3\"}}]"),
                        "data/quests.json: quest 3 (\"wolves\"): rewards: [1].give.count must be a whole number "
                        "from 1 to 9999");
    /* Without a `where` the message is the path and reason alone. */
    Err err = {0};
    cJSON *j = J("{\"levle\":{}}");
    assert_int_equal(rules_validate_condition(j, NULL, &err), MA_ERR_INVALID);
    assert_string_equal(err.msg, "levle is not a condition (known: all, any, not, level, stat, skill, item, "
                                 "relationship, quest, achievement, flag, time, place, season)");
    cJSON_Delete(j);
}

static void test_validation_refuses_each_kind_of_mistake(void **state)
{
    (void)state;
    struct {
        int effects;
        const char *json, *expect;
    } cases[] = {
        /* unknown keys */
        {0, "{\"any\":[{\"levl\":1}]}", "any[0].levl is not a condition"},
        {1, "[{\"wait_until\":{\"hour\":24}}]", "[0].wait_until.hour must be a whole number from 0 to 23"},
        {1, "[{\"wait_until\":{\"minute\":30}}]", "[0].wait_until.hour is missing"},
        {0, "{\"level\":{\"mn\":1}}", "level.mn is not a field of level (known: min, max)"},
        {1, "[{\"gift\":{\"item\":\"x\"}}]", "[0].gift is not an effect (known: give, take"},
        {1, "[{\"give\":{\"item\":\"x\",\"colour\":\"red\"}}]", "[0].give.colour is not a field of give"},
        /* shape and types */
        {0, "[]", "the condition must be an object with one key"},
        {0, "{\"level\":{\"min\":1},\"item\":{\"name\":\"x\"}}", "the condition must have exactly one key (it has 2)"},
        {0, "{\"all\":[{}]}", "all[0] must have exactly one key (it has 0)"},
        {0, "{\"all\":[]}", "all must be a non-empty array of conditions"},
        {0, "{\"all\":{\"level\":{\"min\":1}}}", "all must be a non-empty array"},
        {0, "{\"not\":[{\"level\":{\"min\":1}}]}", "not must be an object with one key"},
        {0, "{\"level\":5}", "level must be an object with min, max"},
        {0, "{\"level\":{}}", "level needs min, max or both"},
        {0, "{\"level\":{\"min\":5,\"max\":2}}", "level has min 5 above max 2"},
        {0, "{\"level\":{\"min\":1.5}}", "level.min must be a whole number from 1 to 1000"},
        {0, "{\"level\":{\"min\":true}}", "level.min must be a whole number"},
        {0, "{\"level\":{\"min\":1,\"min\":2}}", "level.min is given twice"},
        {0, "{\"stat\":{\"name\":\"luck\",\"min\":1}}", "stat.name must be one of health, mana"},
        {0, "{\"skill\":{\"min\":1}}", "skill.name is missing"},
        {0, "{\"item\":{\"name\":\"\"}}", "item.name must be a name of 1 to 63 characters"},
        {0, "{\"item\":{\"name\":\"a\\nb\"}}", "item.name must be a name of 1 to 63 characters without control"},
        {0, "{\"relationship\":{\"with\":\"Mara\",\"min\":-101}}", "relationship.min must be a whole number from -100 to 100"},
        {0, "{\"quest\":{\"name\":\"q\",\"state\":\"done\"}}", "quest.state must be one of none, active, completed, failed"},
        {0, "{\"achievement\":{\"name\":\"x\"}}", "achievement must be a name"},
        {0, "{\"flag\":7}", "flag must be an object with name, value"},
        {0, "{\"time\":{\"from\":\"25:00\",\"to\":\"06:00\"}}", "time.from must be a time \"HH:MM\""},
        {0, "{\"time\":{\"from\":\"6:00\",\"to\":\"07:00\"}}", "time.from must be a time"},
        {0, "{\"time\":{\"from\":\"06:00\",\"to\":\"06:00\"}}", "time has the same from and to"},
        {0, "{\"place\":{\"near\":\"village\"}}", "place.radius is missing"},
        {0, "{\"place\":{\"near\":\"village\",\"radius\":1000}}", "place.radius must be a whole number from 1 to 256"},
        {1, "{\"experience\":5}", "the effect list must be an array of effects"},
        {1, "[5]", "[0] must be an object with one key"},
        {1, "[{\"experience\":0}]", "[0].experience must be a whole number from 1 to 1000000"},
        {1, "[{\"experience\":-5}]", "[0].experience must be a whole number"},
        {1, "[{\"stat\":{\"name\":\"strength\",\"add\":0}}]", "[0].stat.add must be a whole number from -10000 to 10000 other than 0"},
        {1, "[{\"relationship\":{\"with\":\"M\",\"add\":300}}]", "[0].relationship.add must be a whole number from -200 to 200"},
        {1, "[{\"relationship\":{\"with\":\"M\",\"add\":3,\"reason\":5}}]", "[0].relationship.reason must be a text"},
        {1, "[{\"advance_quest\":{\"quest\":\"q\"}}]", "[0].advance_quest.objective is missing"},
        {1, "[{\"flag\":{\"name\":\"f\"}}]", "[0].flag.value is missing"},
        {1, "[{\"message\":\"\"}]", "[0].message must be a text of 1 to 255 characters"},
        {1, "[{\"start_quest\":null}]", "[0].start_quest must be a name"},
        {1, "[{\"give\":{\"item\":\"x\"},\"take\":{\"item\":\"x\"}}]", "[0] must have exactly one key (it has 2)"},
        /* huge numbers */
        {0, "{\"item\":{\"name\":\"x\",\"count\":1e300}}", "item.count must be a whole number from 1 to 9999"},
        {1, "[{\"experience\":4294967297}]", "[0].experience must be a whole number"},
        {0, "{\"level\":{\"min\":-1e308}}", "level.min must be a whole number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *msg = invalid(cases[i].effects, cases[i].json);
        if (!msg[0])
            fail_msg("%s should be refused", cases[i].json);
        assert_contains(msg, cases[i].expect);
        assert_contains(msg, cases[i].effects ? "): rewards: " : "): requirements: ");
    }
}

static void test_names_up_to_63_characters_pass(void **state)
{
    (void)state;
    char name[80], json[160];
    memset(name, 'a', sizeof name);
    name[63] = '\0';
    snprintf(json, sizeof json, "{\"item\":{\"name\":\"%s\"}}", name);
    assert_string_equal(invalid(0, json), "");
    name[63] = 'a';
    name[64] = '\0';
    snprintf(json, sizeof json, "{\"item\":{\"name\":\"%s\"}}", name);
    assert_contains(invalid(0, json), "item.name must be a name of 1 to 63 characters");
}

/* {"not":{"not":...{"level":{"min":1}}}} with `levels` condition objects in all. */
static cJSON *nested_not(int levels)
{
    cJSON *c = J("{\"level\":{\"min\":1}}");
    for (int i = 1; i < levels; i++) {
        cJSON *outer = cJSON_CreateObject();
        cJSON_AddItemToObject(outer, "not", c);
        c = outer;
    }
    return c;
}

static void test_nesting_limit_is_16(void **state)
{
    (void)state;
    Fake f;
    fake_init(&f);
    RuleCtx ctx = fake_ctx(&f);
    Err err = {0};
    cJSON *ok = nested_not(16); /* 15 nots: true is negated an odd number of times */
    assert_int_equal(rules_validate_condition(ok, "t", &err), MA_OK);
    assert_int_equal(rules_check(&ctx, ok), 0);
    cJSON_Delete(ok);
    ok = nested_not(15);
    assert_int_equal(rules_check(&ctx, ok), 1);
    cJSON_Delete(ok);
    cJSON *deep = nested_not(17);
    assert_int_equal(rules_validate_condition(deep, "t", &err), MA_ERR_INVALID);
    assert_contains(err.msg, "t: not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not is nested deeper "
                             "than 16 levels");
    assert_int_equal(rules_check(&ctx, deep), 0);
    cJSON_Delete(deep);
}

static void test_effect_list_limit_is_64(void **state)
{
    (void)state;
    cJSON *list = cJSON_CreateArray();
    for (int i = 0; i < 64; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "experience", 1);
        cJSON_AddItemToArray(list, e);
    }
    Err err = {0};
    assert_int_equal(rules_validate_effects(list, "t", &err), MA_OK);
    cJSON *e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "experience", 1);
    cJSON_AddItemToArray(list, e);
    assert_int_equal(rules_validate_effects(list, "t", &err), MA_ERR_INVALID);
    assert_string_equal(err.msg, "t: the effect list has 65 effects; at most 64");
    Fake f;
    fake_init(&f);
    RuleCtx ctx = fake_ctx(&f);
    assert_int_equal(rules_apply(&ctx, list, &err), MA_ERR_INVALID);
    assert_string_equal(f.log, "");
    assert_int_equal(f.now.xp, 0);
    cJSON_Delete(list);
}

static void test_hostile_input_is_refused_and_harmless(void **state)
{
    (void)state;
    Fake f;
    fake_init(&f);
    RuleCtx ctx = fake_ctx(&f);
    State before = f.now;
    Err err = {0};
    char buf[256];

    /* Nesting far deeper than any stack frame budget for naive recursion. */
    cJSON *deep = nested_not(5000);
    assert_int_equal(rules_validate_condition(deep, "t", &err), MA_ERR_INVALID);
    assert_int_equal(rules_check(&ctx, deep), 0);
    rules_explain(&ctx, deep, buf, sizeof buf);
    assert_string_equal(buf, "the requirement is malformed and cannot be met");
    cJSON_Delete(deep);

    /* Numbers JSON cannot even spell, built by hand. */
    cJSON *nan = J("{\"level\":{\"min\":1}}");
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(nan, "level"), "min", cJSON_CreateNumber(NAN));
    assert_int_equal(rules_validate_condition(nan, "t", &err), MA_ERR_INVALID);
    assert_int_equal(rules_check(&ctx, nan), 0);
    cJSON_Delete(nan);
    cJSON *inf = J("[{\"experience\":1}]");
    cJSON_ReplaceItemInArray(inf, 0, cJSON_CreateObject());
    cJSON_AddItemToObject(cJSON_GetArrayItem(inf, 0), "experience", cJSON_CreateNumber(INFINITY));
    assert_int_equal(rules_apply(&ctx, inf, &err), MA_ERR_INVALID);
    cJSON_Delete(inf);

    /* A pile of wrong types: each refused by validation, false to check, refused by apply. */
    const char *conds[] = {
        "5", "\"level\"", "true", "[{\"level\":{\"min\":1}}]", "{\"all\":5}", "{\"any\":[5,\"x\",null]}",
        "{\"not\":null}", "{\"item\":{\"name\":5}}", "{\"item\":{\"name\":\"torch\",\"count\":-1e999}}",
        "{\"quest\":{\"name\":\"wolves\"}}", "{\"flag\":{\"value\":\"x\"}}", "{\"time\":{\"from\":\"ab:cd\",\"to\":\"01:00\"}}",
        "{\"time\":{\"from\":5,\"to\":6}}", "{\"place\":{\"near\":null,\"radius\":5}}",
        "{\"not\":{\"level\":{\"min\":99999999999999999999}}}",
    };
    for (size_t i = 0; i < sizeof conds / sizeof conds[0]; i++) {
        cJSON *c = J(conds[i]);
        if (rules_validate_condition(c, "t", &err) != MA_ERR_INVALID)
            fail_msg("%s should be refused", conds[i]);
        assert_int_equal(rules_check(&ctx, c), 0);
        rules_explain(&ctx, c, buf, sizeof buf);
        assert_string_equal(buf, "the requirement is malformed and cannot be met");
        cJSON_Delete(c);
    }
    const char *effects[] = {
        "{}", "5", "[[]]", "[null]", "[{\"give\":null}]", "[{\"give\":{\"item\":[\"torch\"]}}]",
        "[{\"take\":{\"item\":\"torch\",\"count\":1e18}}]", "[{\"experience\":\"50\"}]",
        "[{\"experience\":2147483648}]", "[{\"message\":{\"text\":\"hi\"}}]",
        "[{\"give\":{\"item\":\"torch\"}},{\"flag\":{\"name\":\"x\",\"value\":5}}]",
    };
    for (size_t i = 0; i < sizeof effects / sizeof effects[0]; i++) {
        cJSON *e = J(effects[i]);
        if (rules_validate_effects(e, "t", &err) != MA_ERR_INVALID)
            fail_msg("%s should be refused", effects[i]);
        assert_int_equal(rules_apply(&ctx, e, &err), MA_ERR_INVALID);
        rules_describe_effects(e, NULL, buf, sizeof buf);
        cJSON_Delete(e);
    }
    assert_string_equal(f.log, "");
    assert_memory_equal(&f.now, &before, sizeof before);

    /* An absurdly long unknown key is cut in the message, not overflowing it. */
    char key[2000];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    cJSON *c = cJSON_CreateObject();
    cJSON_AddItemToObject(c, key, cJSON_CreateNumber(1));
    assert_int_equal(rules_validate_condition(c, "t", &err), MA_ERR_INVALID);
    assert_contains(err.msg, "kkk... is not a condition");
    cJSON_Delete(c);
}

/* Every ```json block in docs/rules.md is a rule: an object is a condition, an array effects. */
static void test_documented_examples_are_valid(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/../docs/rules.md", getenv("MAGIC_TEST_DIR") ? getenv("MAGIC_TEST_DIR") : "tests");
    size_t len;
    char *doc = th_read_file(path, &len);
    assert_non_null(doc);
    int blocks = 0, conds = 0, lists = 0;
    for (char *p = strstr(doc, "```json\n"); p; p = strstr(p, "```json\n")) {
        p += 8;
        char *end = strstr(p, "```");
        assert_non_null(end);
        *end = '\0';
        cJSON *j = cJSON_Parse(p);
        if (!j)
            fail_msg("docs/rules.md: a json block does not parse:\n%s", p);
        Err err = {0};
        int rc = cJSON_IsArray(j) ? rules_validate_effects(j, "docs/rules.md", &err)
                                  : rules_validate_condition(j, "docs/rules.md", &err);
        if (rc != MA_OK)
            fail_msg("%s\n%s", err.msg, p);
        conds += !cJSON_IsArray(j);
        lists += cJSON_IsArray(j);
        blocks++;
        cJSON_Delete(j);
        p = end + 3;
    }
    free(doc);
    /* One example per condition form and per effect at least. */
    assert_true(conds >= 13);
    assert_true(lists >= 1);
    assert_true(blocks >= 14);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_null_json_and_empty_object_are_true),
        cmocka_unit_test(test_level_min_and_max),
        cmocka_unit_test(test_stat_and_skill_ranges_with_untrained_skill_zero),
        cmocka_unit_test(test_item_means_at_least_count),
        cmocka_unit_test(test_relationship_range_with_negative_values),
        cmocka_unit_test(test_quest_states_with_unknown_quest_as_none),
        cmocka_unit_test(test_achievement_and_flags),
        cmocka_unit_test(test_time_window_includes_from_excludes_to_and_wraps_midnight),
        cmocka_unit_test(test_place_passes_kind_and_radius),
        cmocka_unit_test(test_all_any_not_combine),
        cmocka_unit_test(test_missing_callbacks_make_conditions_false),
        cmocka_unit_test(test_explain_says_what_is_needed_and_what_you_have),
        cmocka_unit_test(test_explain_combinations_and_true_conditions),
        cmocka_unit_test(test_a_place_not_near_says_which_way_and_whether_it_is_all_that_is_missing),
        cmocka_unit_test(test_explain_cuts_to_the_buffer),
        cmocka_unit_test(test_effects_apply_in_order_in_one_transaction),
        cmocka_unit_test(test_failing_effect_in_the_middle_leaves_nothing_applied),
        cmocka_unit_test(test_failing_begin_or_commit_applies_nothing),
        cmocka_unit_test(test_malformed_or_unsupported_effects_call_nothing),
        cmocka_unit_test(test_describe_effects_in_words),
        cmocka_unit_test(test_validation_names_file_entry_path_and_reason),
        cmocka_unit_test(test_validation_refuses_each_kind_of_mistake),
        cmocka_unit_test(test_names_up_to_63_characters_pass),
        cmocka_unit_test(test_nesting_limit_is_16),
        cmocka_unit_test(test_effect_list_limit_is_64),
        cmocka_unit_test(test_hostile_input_is_refused_and_harmless),
        cmocka_unit_test(test_documented_examples_are_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
