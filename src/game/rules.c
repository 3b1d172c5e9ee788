/* rules.c — checking, explaining and applying rule-language JSON (validating it against the
 * grammar is rules_validate.c; shared readers in rules_internal.h).
 *
 * The grammar lives in two tables (condition forms and effect forms) that validation walks;
 * checking, explaining and applying first validate, so malformed input is refused in one place
 * and the code after it may read fields without re-checking each one (it still reads them
 * through helpers that fall back to a harmless value). Nothing here touches the save: the game
 * is reached only through RuleCtx. */
#include "game/rules.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "game/rules_internal.h"
#include "util/text.h"

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

/* The first place leaf of c (any depth) that is false now, its kind into kind. */
static int false_place(const RuleCtx *x, const cJSON *c, int depth, char *kind, size_t size)
{
    const cJSON *kv = depth <= RULES_MAX_DEPTH ? only_child(c) : NULL;
    if (!kv || !kv->string || strcmp(kv->string, "not") == 0)
        return 0; /* "not near" is not a way to go */
    if (strcmp(kv->string, "all") == 0 || strcmp(kv->string, "any") == 0) {
        const cJSON *it;
        cJSON_ArrayForEach(it, kv) {
            if (false_place(x, it, depth + 1, kind, size))
                return 1;
        }
        return 0;
    }
    if (strcmp(kv->string, "place") != 0 || eval(x, c, depth) || !str_field(kv, "near"))
        return 0;
    snprintf(kind, size, "%s", str_field(kv, "near"));
    return 1;
}

static int near_anywhere(void *ud, const char *kind, int radius)
{
    (void)ud, (void)kind, (void)radius;
    return 1;
}

int rules_place_wanted(const RuleCtx *ctx, const cJSON *cond, char *kind, size_t size)
{
    if (!kind || size == 0)
        return 0;
    kind[0] = '\0';
    if (!ctx || rules_check(ctx, cond) || !false_place(ctx, cond, 1, kind, size)) {
        kind[0] = '\0';
        return 0;
    }
    RuleCtx there = *ctx;
    there.near_place = near_anywhere;
    if (!rules_check(&there, cond)) {
        kind[0] = '\0';
        return 0;
    }
    return 1;
}

/* ---- words ------------------------------------------------------------------------------ */

/* A data name for a player: "iron_ingot" reads "iron ingot". */
static void sb_name(TextBuf *sb, const char *name)
{
    for (const char *p = name ? name : "?"; *p && sb->len + 1 < sb->size; p++)
        sb->buf[sb->len++] = *p == '_' ? ' ' : *p;
    sb->buf[sb->len] = '\0';
}

static void sb_range(TextBuf *sb, const cJSON *args, const char *above, const char *below)
{
    const cJSON *mn = field(args, "min"), *mx = field(args, "max");
    if (mn && mx)
        text_add(sb, "%d to %d", int_field(args, "min", 0), int_field(args, "max", 0));
    else if (mn)
        text_add(sb, "%d%s", int_field(args, "min", 0), above);
    else
        text_add(sb, "%d%s", int_field(args, "max", 0), below);
}

static const char *state_words(const char *s)
{
    return s && strcmp(s, "none") == 0 ? "not started" : s ? s : "?";
}

/* What a condition asks for, as a noun phrase ("3 iron ingot", "mining 3"). */
static void phrase(const RuleCtx *x, const cJSON *c, int depth, TextBuf *sb)
{
    const cJSON *kv = depth <= RULES_MAX_DEPTH ? only_child(c) : NULL;
    const char *k = kv && kv->string ? kv->string : "";
    const cJSON *it;
    if (strcmp(k, "all") == 0 || strcmp(k, "any") == 0) {
        int first = 1;
        text_add(sb, "(");
        cJSON_ArrayForEach(it, kv) {
            text_add(sb, "%s", first ? "" : k[1] == 'l' ? " and " : " or ");
            phrase(x, it, depth + 1, sb);
            first = 0;
        }
        text_add(sb, ")");
    } else if (strcmp(k, "not") == 0) {
        text_add(sb, "not ");
        phrase(x, kv, depth + 1, sb);
    } else if (strcmp(k, "level") == 0) {
        text_add(sb, "level ");
        sb_range(sb, kv, "", " or lower");
    } else if (strcmp(k, "stat") == 0 || strcmp(k, "skill") == 0) {
        const char *title = k[1] == 'k' && x && x->skill_title ? x->skill_title(x->ud, str_field(kv, "name")) : NULL;
        if (title)
            text_add(sb, "%s", title);
        else
            sb_name(sb, str_field(kv, "name"));
        text_add(sb, " ");
        sb_range(sb, kv, "", " or lower");
    } else if (strcmp(k, "item") == 0) {
        char what[96];
        const char *item = str_field(kv, "name");
        text_add(sb, "%s", items_count_words(x ? x->items : NULL, item ? item : "?", int_field(kv, "count", 1), what,
                                             sizeof what));
    } else if (strcmp(k, "relationship") == 0) {
        text_add(sb, "%s", field(kv, "min") && field(kv, "max") ? "a relationship from " : "a relationship of ");
        sb_range(sb, kv, " or more", " or less");
        text_add(sb, " with ");
        sb_name(sb, str_field(kv, "with"));
    } else if (strcmp(k, "quest") == 0) {
        text_add(sb, "the quest ");
        sb_name(sb, str_field(kv, "name"));
        text_add(sb, " %s", state_words(str_field(kv, "state")));
    } else if (strcmp(k, "achievement") == 0) {
        text_add(sb, "the achievement ");
        sb_name(sb, cJSON_IsString(kv) ? kv->valuestring : NULL);
    } else if (strcmp(k, "flag") == 0) {
        const char *want = cJSON_IsString(kv) ? NULL : str_field(kv, "value");
        text_add(sb, "the flag %s ", or_q(cJSON_IsString(kv) ? kv->valuestring : str_field(kv, "name")));
        if (want)
            text_add(sb, "= \"%s\"", want);
        else
            text_add(sb, "set");
    } else if (strcmp(k, "time") == 0) {
        text_add(sb, "a time between %s and %s", or_q(str_field(kv, "from")), or_q(str_field(kv, "to")));
    } else if (strcmp(k, "place") == 0) {
        /* "a shrine", but "ruins" (a word that is already plural takes no article) */
        const char *near = str_field(kv, "near");
        size_t n = near ? strlen(near) : 0;
        /* and no article before a place's own name ("Frosthaven") */
        int proper = n > 0 && near[0] >= 'A' && near[0] <= 'Z';
        text_add(sb, "%s", proper || (n > 1 && near[n - 1] == 's' && near[n - 2] != 's') ? "" : "a ");
        sb_name(sb, near);
        text_add(sb, " within %d blocks", int_field(kv, "radius", 1));
    } else if (strcmp(k, "season") == 0) {
        text_add(sb, "the season %s", cJSON_IsString(kv) ? kv->valuestring : "?");
    } else {
        text_add(sb, "(nothing)");
    }
}

/* What the player has now, after the phrase of a false leaf (" (you have 1)"), or nothing. */
static void have_words(const RuleCtx *x, const cJSON *kv, TextBuf *sb)
{
    const char *k = kv->string ? kv->string : "";
    if (strcmp(k, "level") == 0) {
        text_add(sb, " (you are level %d)", q_level(x));
    } else if (strcmp(k, "stat") == 0) {
        text_add(sb, " (you have %d)", q_stat(x, str_field(kv, "name")));
    } else if (strcmp(k, "skill") == 0) {
        text_add(sb, " (you have %d)", q_skill(x, str_field(kv, "name")));
    } else if (strcmp(k, "item") == 0) {
        text_add(sb, " (you have %d)", q_items(x, str_field(kv, "name")));
    } else if (strcmp(k, "relationship") == 0) {
        text_add(sb, " (it is %d)", q_rel(x, str_field(kv, "with")));
    } else if (strcmp(k, "quest") == 0) {
        text_add(sb, " (it is %s)", state_words(q_quest(x, str_field(kv, "name"))));
    } else if (strcmp(k, "flag") == 0 && !cJSON_IsString(kv) && str_field(kv, "value")) {
        char buf[RULES_MAX_TEXT + 1];
        const char *have = x && x->flag && x->flag(x->ud, str_field(kv, "name"), buf, sizeof buf) ? buf : NULL;
        if (have)
            text_add(sb, " (it is \"%s\")", have);
        else
            text_add(sb, " (it is not set)");
    } else if (strcmp(k, "time") == 0) {
        int m = q_minute(x);
        text_add(sb, " (it is %02d:%02d)", m / 60, m % 60);
    } else if (strcmp(k, "season") == 0 && q_season(x) >= 0) {
        text_add(sb, " (it is %s)", season_names[q_season(x)]);
    } else if (strcmp(k, "place") == 0 && x && x->place_way && str_field(kv, "near")) {
        char way[RULES_MAX_TEXT + 1];
        if (x->place_way(x->ud, str_field(kv, "near"), way, sizeof way))
            text_add(sb, " (%s)", way);
    }
}

/* Why c (known to be false) is false. bare: inside "one of", without the leading "needs". */
static void explain(const RuleCtx *x, const cJSON *c, int depth, int bare, TextBuf *sb)
{
    const cJSON *kv = depth <= RULES_MAX_DEPTH ? only_child(c) : NULL;
    const char *k = kv && kv->string ? kv->string : "";
    const cJSON *it;
    if (strcmp(k, "all") == 0) {
        int first = 1;
        cJSON_ArrayForEach(it, kv) {
            if (eval(x, it, depth + 1))
                continue;
            text_add(sb, "%s", first ? "" : bare ? " and " : "; ");
            explain(x, it, depth + 1, bare, sb);
            first = 0;
        }
    } else if (strcmp(k, "any") == 0) {
        int first = 1;
        text_add(sb, "%s", bare ? "(one of: " : "needs one of: ");
        cJSON_ArrayForEach(it, kv) {
            text_add(sb, "%s", first ? "" : ", or ");
            explain(x, it, depth + 1, 1, sb);
            first = 0;
        }
        text_add(sb, "%s", bare ? ")" : "");
    } else if (strcmp(k, "not") == 0) {
        text_add(sb, "%s", bare ? "without " : "not allowed with ");
        phrase(x, kv, depth + 1, sb);
    } else if (kv) {
        text_add(sb, "%s", bare ? "" : "needs ");
        phrase(x, c, depth, sb);
        have_words(x, kv, sb);
    } else {
        text_add(sb, "the requirement cannot be met");
    }
}

void rules_describe_condition(const cJSON *cond, char *buf, size_t size)
{
    if (!buf || size == 0)
        return;
    buf[0] = '\0';
    TextBuf sb = {buf, size, 0};
    if (is_nothing(cond, 0))
        return;
    if (rules_validate_condition(cond, NULL, NULL) != MA_OK) {
        text_add(&sb, "(malformed condition)");
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
    TextBuf sb = {buf, size, 0};
    if (rules_validate_condition(cond, NULL, NULL) != MA_OK) {
        text_add(&sb, "the requirement is malformed and cannot be met");
        return;
    }
    explain(ctx, cond, 1, 0, &sb);
}

static void describe_one(const cJSON *kv, const ItemRegistry *items, TextBuf *sb)
{
    const char *k = kv->string;
    if (strcmp(k, "give") == 0 || strcmp(k, "take") == 0) {
        char what[96];
        const char *item = str_field(kv, "item");
        items_count_words(items, item ? item : "?", int_field(kv, "count", 1), what, sizeof what);
        text_add(sb, "%s %s", k[0] == 'g' ? "gives" : "takes", what);
    } else if (strcmp(k, "experience") == 0) {
        int n = 0;
        int_ok(kv, 1, INT_MAX, &n);
        text_add(sb, "%d experience", n);
    } else if (strcmp(k, "stat") == 0) {
        text_add(sb, "%+d %s", int_field(kv, "add", 0), or_q(str_field(kv, "name")));
    } else if (strcmp(k, "skill_xp") == 0) {
        text_add(sb, "%+d ", int_field(kv, "add", 0));
        sb_name(sb, str_field(kv, "name"));
        text_add(sb, " experience");
    } else if (strcmp(k, "relationship") == 0) {
        const char *who = str_field(kv, "with");
        if (who && strcmp(who, "@npc") == 0) { /* the one being talked to */
            text_add(sb, "their opinion of you %+d", int_field(kv, "add", 0));
        } else {
            sb_name(sb, who);
            text_add(sb, "'s opinion %+d", int_field(kv, "add", 0));
        }
    } else if (strcmp(k, "start_quest") == 0) {
        text_add(sb, "starts the quest ");
        sb_name(sb, kv->valuestring);
    } else if (strcmp(k, "advance_quest") == 0) {
        text_add(sb, "advances the quest ");
        sb_name(sb, str_field(kv, "quest"));
        text_add(sb, " (");
        sb_name(sb, str_field(kv, "objective"));
        text_add(sb, " +%d)", int_field(kv, "add", 1));
    } else if (strcmp(k, "unlock_recipe") == 0) {
        text_add(sb, "unlocks the recipe ");
        sb_name(sb, kv->valuestring);
    } else if (strcmp(k, "achievement") == 0) {
        text_add(sb, "the achievement ");
        sb_name(sb, kv->valuestring);
    } else if (strcmp(k, "set_block") == 0) {
        const char *block = str_field(kv, "block"), *replace = str_field(kv, "replace");
        int count = int_field(kv, "count", 1);
        int clear = block && strcmp(block, "air") == 0;
        if (replace && count > 1)
            text_add(sb, "%s up to %d ", clear ? "breaks" : "turns", count);
        else if (replace)
            text_add(sb, "%s the nearest ", clear ? "breaks" : "turns");
        if (replace) {
            sb_name(sb, replace);
            if (!clear) {
                text_add(sb, " into ");
                sb_name(sb, block);
            }
        } else if (clear) {
            text_add(sb, "clears a block");
        } else {
            text_add(sb, "places ");
            sb_name(sb, block);
        }
    } else if (strcmp(k, "fail_quest") == 0) {
        text_add(sb, "fails the quest ");
        sb_name(sb, kv->valuestring);
    } else if (strcmp(k, "start_story") == 0) {
        text_add(sb, "begins the story ");
        sb_name(sb, kv->valuestring);
    } else if (strcmp(k, "start_event") == 0) {
        text_add(sb, "brings about %s", str_field(kv, "name") ? str_field(kv, "name") : "an event");
    } else if (strcmp(k, "leave") == 0 || strcmp(k, "come_home") == 0) {
        sb_name(sb, str_field(kv, "who"));
        text_add(sb, k[0] == 'l' ? " leaves home" : " comes home");
    } else if (strcmp(k, "wait_until") == 0) {
        text_add(sb, "time passes to %02d:%02d", int_field(kv, "hour", 0), int_field(kv, "minute", 0));
    }
}

static int shown(const char *key)
{
    return strcmp(key, "flag") != 0 && strcmp(key, "message") != 0;
}

void rules_describe_effects(const cJSON *effects, const ItemRegistry *items, char *buf, size_t size)
{
    if (!buf || size == 0)
        return;
    buf[0] = '\0';
    TextBuf sb = {buf, size, 0};
    if (rules_validate_effects(effects, NULL, NULL) != MA_OK) {
        text_add(&sb, "(malformed effects)");
        return;
    }
    int first = 1;
    const cJSON *list = is_nothing(effects, 1) ? NULL : effects;
    const cJSON *it;
    cJSON_ArrayForEach(it, list) {
        const cJSON *kv = it->child;
        if (!shown(kv->string))
            continue;
        text_add(&sb, "%s", first ? "" : ", ");
        describe_one(kv, items, &sb);
        first = 0;
    }
    if (first)
        text_add(&sb, "nothing");
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
    if (strcmp(k, "leave") == 0 || strcmp(k, "come_home") == 0) return x->villager_away != NULL;
    if (strcmp(k, "wait_until") == 0) return x->pass_time_until != NULL;
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
    if (strcmp(k, "leave") == 0 || strcmp(k, "come_home") == 0)
        return x->villager_away(ud, str_field(kv, "who"), k[0] == 'c', e);
    if (strcmp(k, "wait_until") == 0)
        return x->pass_time_until(ud, int_field(kv, "hour", 0) * 60 + int_field(kv, "minute", 0), e);
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
