/* progress.c — experience, levels and stat points; skills, their trees,
 * unlocks, specialisations and effects.
 *
 * Every number (the experience curve, points per level, what a stat raise
 * changes, xp per skill level, effects per level) comes from
 * data/progression.json and data/skills.json; this file only knows their
 * shapes. Skill levels live in character_skills; a class's starting skills
 * count as trained from the start and get their row on first use. */
#include "game/progress.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/game_internal.h"
#include "save/charstate.h"
#include "save/skills.h"
#include "util/data.h"
#include "util/text.h"
#include "util/json_field.h"

/* A name: present, not null, not empty. */
#define TEXT_REQUIRED (JSON_FIELD_NULL_ABSENT | JSON_FIELD_NONEMPTY)

#define MAX_EFFECTS 6
#define MAX_SPECS 4
#define NSTATS 7

static const char *const stat_names[NSTATS] = {"health", "mana", "strength", "intelligence", "dexterity",
                                               "constitution", "charisma"};

/* Effects a skill may give; other modules ask for them by name. */
static const char *const effect_names[] = {"mining_speed", "craft_success", "melee_damage", "ranged_damage",
                                           "spell_damage", "price_discount", "extra_yield", "healing",
                                           "persuasion", "stealth"};
#define NEFFECT_NAMES (sizeof effect_names / sizeof effect_names[0])

typedef struct Effect {
    char name[24];
    double value;
} Effect;

typedef struct Spec {
    char name[33], description[96];
    Effect effects[MAX_EFFECTS];
    int n_effects;
} Spec;

typedef struct Skill {
    char name[33], title[48], description[160];
    int tree;
    cJSON *requires; /* owned; {} when none */
    int max_level;
    double xp_first, xp_growth;
    Effect effects[MAX_EFFECTS];
    int n_effects;
    int spec_at;
    Spec specs[MAX_SPECS];
    int n_specs;
} Skill;

typedef struct Tree {
    char name[33], title[48];
} Tree;

typedef struct Raise {
    char key[16];
    int amount;
} Raise;

struct SkillBook {
    Tree *trees;
    int n_trees;
    Skill *skills;
    int n_skills;
    /* progression */
    int max_level;
    double xp_first, xp_growth;
    int xp_per_skill_level;
    int points_per_level, hp_per_level, mana_per_level, restore_on_level;
    int stat_max;
    Raise raise[NSTATS][4];
    int n_raise[NSTATS];
    double mining_speed_max, price_factor_min;
};

/* ------------------------------------------------------------ loading */

static const cJSON *get(const cJSON *o, const char *k) { return cJSON_GetObjectItemCaseSensitive(o, k); }

/* A number in lo..hi (def when missing and not required). */
static int get_num(const cJSON *o, const char *k, double lo, double hi, double def, double *out)
{
    const cJSON *v = get(o, k);
    if (!v) {
        *out = def;
        return isnan(def) ? -1 : 0;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi)
        return -1;
    *out = v->valuedouble;
    return 0;
}

static int is_stat(const char *s)
{
    for (int i = 0; i < NSTATS; i++)
        if (strcmp(stat_names[i], s) == 0)
            return i;
    return -1;
}

static int parse_effects(const cJSON *o, Effect *out, int *n, const char *where, Err *err)
{
    *n = 0;
    if (!o)
        return MA_OK;
    if (!cJSON_IsObject(o))
        return err_set(err, MA_ERR_INVALID, "%s: \"effects\" must be an object of effect: number", where);
    const cJSON *e;
    cJSON_ArrayForEach(e, o) {
        size_t k = 0;
        while (k < NEFFECT_NAMES && strcmp(effect_names[k], e->string) != 0)
            k++;
        if (k == NEFFECT_NAMES) {
            char known[256] = "";
            for (size_t j = 0; j < NEFFECT_NAMES; j++)
                snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", j ? ", " : "", effect_names[j]);
            return err_set(err, MA_ERR_INVALID, "%s: unknown effect \"%s\" (known: %s)", where, e->string, known);
        }
        if (!cJSON_IsNumber(e) || fabs(e->valuedouble) > 100)
            return err_set(err, MA_ERR_INVALID, "%s: effect \"%s\" must be a number from -100 to 100", where,
                           e->string);
        if (*n >= MAX_EFFECTS)
            return err_set(err, MA_ERR_INVALID, "%s: at most %d effects", where, MAX_EFFECTS);
        snprintf(out[*n].name, sizeof out[*n].name, "%s", e->string);
        out[*n].value = e->valuedouble;
        (*n)++;
    }
    return MA_OK;
}

static int parse_curve(const cJSON *o, double *first, double *growth, const char *where, Err *err)
{
    if (!o)
        return MA_OK;
    if (!cJSON_IsObject(o) || get_num(o, "first_level", 1, 1e6, NAN, first) != 0 ||
        get_num(o, "growth", 1, 10, NAN, growth) != 0)
        return err_set(err, MA_ERR_INVALID,
                       "%s: needs {\"first_level\": 1..1000000, \"growth\": 1..10} (the experience for the first "
                       "level, and how much more each next level takes)",
                       where);
    return MA_OK;
}

/* Every skill named in {"skill":{"name":...}} inside a condition. */
typedef int (*SkillRefFn)(const char *skill, void *ud);
static int each_skill_ref(const cJSON *c, SkillRefFn fn, void *ud)
{
    if (!c)
        return 0;
    if (c->string && strcmp(c->string, "skill") == 0 && cJSON_IsObject(c)) {
        const cJSON *n = get(c, "name");
        if (cJSON_IsString(n) && fn(n->valuestring, ud))
            return 1;
    }
    for (const cJSON *ch = c->child; ch; ch = ch->next)
        if (each_skill_ref(ch, fn, ud))
            return 1;
    return 0;
}

typedef struct RefCheck {
    const SkillBook *b;
    const char *missing;
} RefCheck;

static int ref_missing(const char *skill, void *ud)
{
    RefCheck *rc = ud;
    if (skillbook_has(rc->b, skill))
        return 0;
    rc->missing = skill;
    return 1;
}

static int parse_skill(SkillBook *b, Skill *s, const cJSON *o, const cJSON *defaults, const char *source,
                       int index, Err *err)
{
    char where[160];
    if (!cJSON_IsObject(o) ||
        json_field_str(o, "name", s->name, sizeof s->name, NULL, TEXT_REQUIRED) != 0)
        return err_set(err, MA_ERR_INVALID, "%s: skill %d: \"name\" must be a non-empty string under 33 characters",
                       source, index);
    snprintf(where, sizeof where, "%s: skill %d (\"%s\")", source, index, s->name);
    for (int i = 0; i < b->n_skills; i++)
        if (strcmp(b->skills[i].name, s->name) == 0)
            return err_set(err, MA_ERR_INVALID, "%s: the name is used twice", where);
    if (json_field_str(o, "title", s->title, sizeof s->title, "", JSON_FIELD_NULL_ABSENT) != 0 ||
        json_field_str(o, "description", s->description, sizeof s->description, "", JSON_FIELD_NULL_ABSENT) != 0)
        return err_set(err, MA_ERR_INVALID, "%s: \"title\" and \"description\" must be short strings", where);
    if (!s->title[0])
        snprintf(s->title, sizeof s->title, "%s", s->name);
    double max_level;
    if (get_num(defaults, "max_level", 1, 100, 10, &max_level) != 0 ||
        get_num(o, "max_level", 1, 100, max_level, &max_level) != 0)
        return err_set(err, MA_ERR_INVALID, "%s: \"max_level\" must be a number from 1 to 100", where);
    s->max_level = (int)max_level;
    s->xp_first = 20;
    s->xp_growth = 1.5;
    char cw[200];
    snprintf(cw, sizeof cw, "%s: xp_curve", where);
    int rc = parse_curve(get(defaults, "xp_curve"), &s->xp_first, &s->xp_growth, cw, err);
    if (rc == MA_OK)
        rc = parse_curve(get(o, "xp_curve"), &s->xp_first, &s->xp_growth, cw, err);
    if (rc != MA_OK)
        return rc;
    const cJSON *req = get(o, "requires");
    char rw[200];
    snprintf(rw, sizeof rw, "%s: requires", where);
    if ((rc = rules_validate_condition(req, rw, err)) != MA_OK)
        return rc;
    s->requires = req && !cJSON_IsNull(req) ? cJSON_Duplicate(req, 1) : cJSON_CreateObject();
    snprintf(cw, sizeof cw, "%s: effects", where);
    if ((rc = parse_effects(get(o, "effects"), s->effects, &s->n_effects, where, err)) != MA_OK)
        return rc;
    const cJSON *sp = get(o, "specializations");
    if (sp) {
        const cJSON *choices = get(sp, "choices");
        double at;
        if (!cJSON_IsObject(sp) || get_num(sp, "at", 1, s->max_level, NAN, &at) != 0 || !cJSON_IsArray(choices) ||
            cJSON_GetArraySize(choices) < 2 || cJSON_GetArraySize(choices) > MAX_SPECS)
            return err_set(err, MA_ERR_INVALID,
                           "%s: \"specializations\" needs \"at\" (a level up to max_level %d) and 2 to %d "
                           "\"choices\"",
                           where, s->max_level, MAX_SPECS);
        s->spec_at = (int)at;
        const cJSON *c;
        cJSON_ArrayForEach(c, choices) {
            Spec *p = &s->specs[s->n_specs];
            if (json_field_str(c, "name", p->name, sizeof p->name, NULL, TEXT_REQUIRED) != 0 ||
                json_field_str(c, "description", p->description, sizeof p->description, "", JSON_FIELD_NULL_ABSENT) != 0)
                return err_set(err, MA_ERR_INVALID,
                               "%s: specialization %d needs a \"name\" and a short \"description\"", where,
                               s->n_specs);
            char sw[240];
            snprintf(sw, sizeof sw, "%s: specialization \"%s\"", where, p->name);
            if ((rc = parse_effects(get(c, "effects"), p->effects, &p->n_effects, sw, err)) != MA_OK)
                return rc;
            s->n_specs++;
        }
    }
    return MA_OK;
}

static int parse_progression(SkillBook *b, const cJSON *root, const char *src, Err *err)
{
    double v;
    if (!cJSON_IsObject(root))
        return err_set(err, MA_ERR_INVALID, "%s: must be a JSON object", src);
    if (get_num(root, "max_level", 2, 1000, NAN, &v) != 0)
        return err_set(err, MA_ERR_INVALID, "%s: \"max_level\" must be a number from 2 to 1000", src);
    b->max_level = (int)v;
    char w[160];
    snprintf(w, sizeof w, "%s: experience", src);
    if (!get(root, "experience"))
        return err_set(err, MA_ERR_INVALID, "%s: \"experience\" is missing", src);
    int rc = parse_curve(get(root, "experience"), &b->xp_first, &b->xp_growth, w, err);
    if (rc != MA_OK)
        return rc;
    if (get_num(root, "experience_per_skill_level", 0, 100000, 0, &v) != 0)
        return err_set(err, MA_ERR_INVALID, "%s: \"experience_per_skill_level\" must be a number from 0 to 100000", src);
    b->xp_per_skill_level = (int)v;
    const cJSON *lu = get(root, "level_up");
    double pts, hp, mp;
    if (!cJSON_IsObject(lu) || get_num(lu, "stat_points", 0, 100, NAN, &pts) != 0 ||
        get_num(lu, "max_health", 0, 1000, 0, &hp) != 0 || get_num(lu, "max_mana", 0, 1000, 0, &mp) != 0)
        return err_set(err, MA_ERR_INVALID,
                       "%s: \"level_up\" needs \"stat_points\" (0..100) and may have \"max_health\", \"max_mana\" "
                       "(0..1000), \"restore\"",
                       src);
    b->points_per_level = (int)pts;
    b->hp_per_level = (int)hp;
    b->mana_per_level = (int)mp;
    b->restore_on_level = cJSON_IsTrue(get(lu, "restore"));
    if (get_num(root, "stat_max", 1, 10000, NAN, &v) != 0)
        return err_set(err, MA_ERR_INVALID, "%s: \"stat_max\" must be a number from 1 to 10000", src);
    b->stat_max = (int)v;
    const cJSON *raise = get(root, "raise");
    for (int i = 0; i < NSTATS; i++) {
        const cJSON *r = get(raise, stat_names[i]);
        if (!cJSON_IsObject(r) || !r->child)
            return err_set(err, MA_ERR_INVALID, "%s: raise.%s must be an object saying what raising it changes", src,
                           stat_names[i]);
        const cJSON *e;
        cJSON_ArrayForEach(e, r) {
            int known = strcmp(e->string, "max_health") == 0 || strcmp(e->string, "max_mana") == 0 ||
                        (is_stat(e->string) >= 2);
            if (!known || !cJSON_IsNumber(e) || e->valuedouble < 1 || e->valuedouble > 1000 || b->n_raise[i] >= 4)
                return err_set(err, MA_ERR_INVALID,
                               "%s: raise.%s.%s: each change must be a stat (strength..charisma), max_health or "
                               "max_mana, with an amount from 1 to 1000",
                               src, stat_names[i], e->string);
            Raise *x = &b->raise[i][b->n_raise[i]++];
            snprintf(x->key, sizeof x->key, "%s", e->string);
            x->amount = e->valueint;
        }
    }
    const cJSON *lim = get(root, "limits");
    if (!cJSON_IsObject(lim) || get_num(lim, "mining_speed_max", 1, 100, NAN, &b->mining_speed_max) != 0 ||
        get_num(lim, "price_factor_min", 0.01, 1, NAN, &b->price_factor_min) != 0)
        return err_set(err, MA_ERR_INVALID,
                       "%s: \"limits\" needs \"mining_speed_max\" (1..100) and \"price_factor_min\" (0.01..1)", src);
    return MA_OK;
}

static cJSON *parse_json(const char *json, size_t len, const char *source, Err *err)
{
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        long off = at && at >= json && at <= json + len ? (long)(at - json) : -1;
        err_set(err, MA_ERR_INVALID, "%s: not valid JSON (near byte %ld)", source, off);
    }
    return root;
}

int skillbook_load(const char *skills_json, size_t skills_len, const char *skills_source, const char *prog_json,
                   size_t prog_len, const char *prog_source, SkillBook **out, Err *err)
{
    *out = NULL;
    SkillBook *b = calloc(1, sizeof *b);
    cJSON *root = NULL, *prog = NULL;
    int rc = MA_OK;
    if (!b)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    if (!(prog = parse_json(prog_json, prog_len, prog_source, err)) ||
        !(root = parse_json(skills_json, skills_len, skills_source, err))) {
        rc = MA_ERR_INVALID;
        goto done;
    }
    if ((rc = parse_progression(b, prog, prog_source, err)) != MA_OK)
        goto done;
    const cJSON *trees = get(root, "trees"), *defaults = get(root, "defaults");
    if (!cJSON_IsArray(trees) || cJSON_GetArraySize(trees) == 0) {
        rc = err_set(err, MA_ERR_INVALID, "%s: \"trees\" must be a non-empty array", skills_source);
        goto done;
    }
    int total = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, trees) total += cJSON_GetArraySize(get(t, "skills"));
    b->trees = calloc((size_t)cJSON_GetArraySize(trees), sizeof *b->trees);
    b->skills = calloc((size_t)(total > 0 ? total : 1), sizeof *b->skills);
    if (!b->trees || !b->skills) {
        rc = err_set(err, MA_ERR_NOMEM, "out of memory");
        goto done;
    }
    cJSON_ArrayForEach(t, trees) {
        Tree *tr = &b->trees[b->n_trees];
        const cJSON *skills = get(t, "skills");
        if (json_field_str(t, "name", tr->name, sizeof tr->name, NULL, TEXT_REQUIRED) != 0 ||
            json_field_str(t, "title", tr->title, sizeof tr->title, "", JSON_FIELD_NULL_ABSENT) != 0 ||
                !cJSON_IsArray(skills)) {
            rc = err_set(err, MA_ERR_INVALID, "%s: tree %d needs a \"name\", a short \"title\" and a \"skills\" array",
                         skills_source, b->n_trees);
            goto done;
        }
        if (!tr->title[0])
            snprintf(tr->title, sizeof tr->title, "%s", tr->name);
        const cJSON *s;
        cJSON_ArrayForEach(s, skills) {
            Skill *sk = &b->skills[b->n_skills];
            sk->tree = b->n_trees;
            if ((rc = parse_skill(b, sk, s, defaults, skills_source, b->n_skills, err)) != MA_OK) {
                cJSON_Delete(sk->requires);
                sk->requires = NULL;
                goto done;
            }
            b->n_skills++;
        }
        b->n_trees++;
    }
    /* Requirements may name only skills of the book. */
    for (int i = 0; i < b->n_skills; i++) {
        RefCheck chk = {b, NULL};
        if (each_skill_ref(b->skills[i].requires, ref_missing, &chk)) {
            rc = err_set(err, MA_ERR_INVALID, "%s: skill %d (\"%s\"): requires: there is no skill named \"%s\"",
                         skills_source, i, b->skills[i].name, chk.missing);
            goto done;
        }
    }
done:
    cJSON_Delete(root);
    cJSON_Delete(prog);
    if (rc != MA_OK) {
        skillbook_free(b);
        return rc;
    }
    *out = b;
    return MA_OK;
}

int skillbook_load_default(SkillBook **out, Err *err)
{
    *out = NULL;
    char src1[512], src2[512];
    data_describe("skills.json", src1, sizeof src1);
    data_describe("progression.json", src2, sizeof src2);
    size_t l1 = 0, l2 = 0;
    char *s = data_read("skills.json", &l1, err);
    char *p = s ? data_read("progression.json", &l2, err) : NULL;
    int rc = s && p ? skillbook_load(s, l1, src1, p, l2, src2, out, err) : err->code;
    free(s);
    free(p);
    return rc;
}

void skillbook_free(SkillBook *b)
{
    if (!b)
        return;
    for (int i = 0; i < b->n_skills; i++)
        cJSON_Delete(b->skills[i].requires);
    free(b->skills);
    free(b->trees);
    free(b);
}

static const Skill *find_skill(const SkillBook *b, const char *name)
{
    for (int i = 0; b && name && i < b->n_skills; i++)
        if (strcmp(b->skills[i].name, name) == 0)
            return &b->skills[i];
    return NULL;
}

int skillbook_has(const SkillBook *b, const char *skill) { return find_skill(b, skill) != NULL; }

/* ------------------------------------------------------------ words */

/* ------------------------------------------------------------ experience and levels */

int64_t progress_experience_for_level(const Game *g, int level)
{
    const SkillBook *b = g->skills;
    double total = 0, step = b->xp_first;
    for (int l = 1; l < level; l++) {
        total += floor(step + 0.5);
        step *= b->xp_growth;
    }
    return (int64_t)total;
}

static int64_t counter_get(Game *g, const char *key)
{
    char buf[32];
    if (charstate_get(g->save, g->p.character_id, "counter", key, buf, sizeof buf, NULL) != MA_OK)
        return 0;
    return strtoll(buf, NULL, 10);
}

int progress_stat_points(Game *g) { return (int)counter_get(g, "stat_points"); }

static void set_num(cJSON *obj, const char *key, double v)
{
    cJSON *old = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (old)
        cJSON_SetNumberValue(old, v);
    else
        cJSON_AddNumberToObject(obj, key, v);
}

/* Writes level, experience, health and mana from g->p, and adds stat_add[i]
 * to stat i of the character row (stat_add may be NULL). */
static int write_character(Game *g, const int *stat_add, Err *err)
{
    CharacterRow c;
    int rc = characters_get(g->save, g->p.character_id, &c, err);
    if (rc != MA_OK)
        return rc;
    c.level = g->p.level;
    c.experience = g->p.experience;
    for (int i = 2; stat_add && i < NSTATS; i++)
        if (stat_add[i]) {
            const cJSON *v = get(c.stats, stat_names[i]);
            set_num(c.stats, stat_names[i], (cJSON_IsNumber(v) ? v->valueint : 0) + stat_add[i]);
        }
    set_num(c.stats, "health", g->p.health);
    set_num(c.stats, "max_health", g->p.max_health);
    set_num(c.stats, "mana", g->p.mana);
    set_num(c.stats, "max_mana", g->p.max_mana);
    rc = characters_update(g->save, &c, err);
    character_row_clear(&c);
    return rc;
}

int progress_add_experience(Game *g, int amount, ActionResult *r, Err *err)
{
    const SkillBook *b = g->skills;
    if (amount <= 0)
        return MA_OK;
    g->p.experience += amount;
    int gained = 0;
    while (g->p.level < b->max_level && g->p.experience >= progress_experience_for_level(g, g->p.level + 1)) {
        g->p.level++;
        gained++;
        g->p.max_health += b->hp_per_level;
        g->p.max_mana += b->mana_per_level;
        if (b->restore_on_level) {
            g->p.health = g->p.max_health;
            g->p.mana = g->p.max_mana;
        }
        game_event(r, SEV_GOOD, "You reach level %d! You may raise a stat (levelup STAT)", g->p.level);
    }
    int rc = MA_OK;
    if (gained && b->points_per_level > 0)
        rc = charstate_add(g->save, g->p.character_id, "stat_points", (int64_t)gained * b->points_per_level, NULL, err);
    if (rc == MA_OK)
        rc = write_character(g, NULL, err);
    return rc;
}

int progress_levelup(Game *g, const char *stat, ActionResult *r, Err *err)
{
    const SkillBook *b = g->skills;
    int si = stat ? is_stat(stat) : -1;
    if (si < 0) {
        game_refuse(r, "unknown stat '%s' (choose health, mana, strength, intelligence, dexterity, constitution or "
                       "charisma)", stat ? stat : "");
        return MA_OK;
    }
    int points = progress_stat_points(g);
    if (points < 1) {
        game_refuse(r, "no stat points to spend: the next comes at level %d (%lld more experience)", g->p.level + 1,
                    (long long)(progress_experience_for_level(g, g->p.level + 1) - g->p.experience));
        return MA_OK;
    }
    CharSheet sh;
    int rc = progress_sheet(g, &sh, err);
    if (rc != MA_OK)
        return rc;
    int add[NSTATS] = {0};
    for (int k = 0; k < b->n_raise[si]; k++) {
        const Raise *x = &b->raise[si][k];
        int ti = is_stat(x->key);
        if (ti >= 2) {
            if (sh.stats[ti] + x->amount > b->stat_max) {
                game_refuse(r, "%s is already at the most it can be (%d)", x->key, b->stat_max);
                return MA_OK;
            }
            add[ti] += x->amount;
        }
    }
    char what[160] = "";
    for (int k = 0; k < b->n_raise[si]; k++) {
        const Raise *x = &b->raise[si][k];
        size_t len = strlen(what);
        if (strcmp(x->key, "max_health") == 0) {
            g->p.max_health += x->amount;
            g->p.health += x->amount;
            snprintf(what + len, sizeof what - len, "%smax health %d", len ? ", " : "", g->p.max_health);
        } else if (strcmp(x->key, "max_mana") == 0) {
            g->p.max_mana += x->amount;
            g->p.mana += x->amount;
            snprintf(what + len, sizeof what - len, "%smax mana %d", len ? ", " : "", g->p.max_mana);
        } else {
            int ti = is_stat(x->key);
            snprintf(what + len, sizeof what - len, "%s%s %d", len ? ", " : "", x->key, sh.stats[ti] + x->amount);
        }
    }
    int64_t left = 0;
    if ((rc = charstate_add(g->save, g->p.character_id, "stat_points", -1, &left, err)) != MA_OK ||
        (rc = write_character(g, add, err)) != MA_OK)
        return rc;
    game_event(r, SEV_GOOD, "You raise your %s: %s. %lld stat point%s left.", stat, what, (long long)left,
               left == 1 ? "" : "s");
    r->ok = 1;
    return MA_OK;
}

/* ------------------------------------------------------------ skills */

static const ClassDef *player_class(const Game *g) { return classes_find(&g->classes, g->p.character_class); }

/* The level a class starts the skill at, 0 when it does not. */
static int class_level(const Game *g, const char *skill)
{
    const ClassDef *c = player_class(g);
    const cJSON *v = c ? get(c->skills, skill) : NULL;
    return cJSON_IsNumber(v) && v->valueint > 0 ? v->valueint : 0;
}

/* Level and xp from the row, or the class's start; *has_row says which. */
static int skill_state(Game *g, const char *skill, int *level, int64_t *xp, int *has_row, Err *err)
{
    SkillRow row;
    int rc = skills_get(g->save, g->p.character_id, skill, &row, err);
    if (rc == MA_OK) {
        *level = row.skill_level;
        *xp = row.experience_points;
        *has_row = 1;
        skill_row_clear(&row);
        return MA_OK;
    }
    if (rc != MA_ERR_NOT_FOUND)
        return rc;
    if (err)
        err_clear(err);
    *level = class_level(g, skill);
    *xp = 0;
    *has_row = 0;
    return MA_OK;
}

int progress_skill_level(Game *g, const char *skill)
{
    int level = 0, has;
    int64_t xp;
    if (skill_state(g, skill, &level, &xp, &has, NULL) != MA_OK)
        return 0;
    return level;
}

static int requires_met(Game *g, const Skill *s, const char *override, int level)
{
    ProgressView v;
    RuleCtx ctx;
    progress_rule_ctx(g, &v, &ctx);
    v.skill_override = override;
    v.level_override = level;
    int ok = rules_check(&ctx, s->requires);
    progress_view_clear(&v);
    return ok;
}

int progress_skill_unlocked(Game *g, const char *skill)
{
    const Skill *s = find_skill(g->skills, skill);
    if (!s)
        return 0;
    return progress_skill_level(g, skill) > 0 || requires_met(g, s, NULL, 0);
}

static int64_t skill_step(const Skill *s, int level)
{
    return (int64_t)floor(s->xp_first * pow(s->xp_growth, level - 1) + 0.5);
}

typedef struct Mention {
    const char *skill;
    int found;
} Mention;

static int mentions(const char *skill, void *ud)
{
    Mention *m = ud;
    if (strcmp(skill, m->skill) == 0)
        m->found = 1;
    return m->found;
}

static void spec_words(const Skill *s, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int i = 0; i < s->n_specs; i++) {
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, "%s%s (%s)", i ? (i + 1 == s->n_specs ? " or " : ", ") : "", s->specs[i].name,
                 s->specs[i].description);
    }
}

int progress_skill_use(Game *g, const char *skill, int xp, ActionResult *r, Err *err)
{
    const Skill *s = find_skill(g->skills, skill);
    if (!s)
        return err_set(err, MA_ERR_INVALID, "data/skills.json has no skill named '%s'", skill ? skill : "");
    if (xp <= 0)
        return MA_OK;
    int level, has_row;
    int64_t have;
    int rc = skill_state(g, skill, &level, &have, &has_row, err);
    if (rc != MA_OK)
        return rc;
    char title[64];
    text_words(s->title, title, sizeof title);
    if (level == 0) {
        if (!requires_met(g, s, NULL, 0))
            return MA_OK; /* locked: nothing to learn yet */
        level = 1;
        game_event(r, SEV_GOOD, "You begin to learn %s.", title);
    }
    int old_level = level;
    have += xp;
    while (level < s->max_level && have >= skill_step(s, level)) {
        have -= skill_step(s, level);
        level++;
    }
    if (level >= s->max_level)
        have = 0;
    SkillRow row;
    memset(&row, 0, sizeof row);
    row.character_id = g->p.character_id;
    snprintf(row.skill_name, sizeof row.skill_name, "%s", s->name);
    row.skill_level = level;
    row.experience_points = have;
    if ((rc = skills_upsert(g->save, &row, err)) != MA_OK)
        return rc;
    skill_row_clear(&row);
    if (level == old_level)
        return MA_OK;
    game_event(r, SEV_GOOD, "Your %s rises to %d.", title, level);
    if (s->n_specs && old_level < s->spec_at && level >= s->spec_at) {
        char choices[200];
        spec_words(s, choices, sizeof choices);
        game_event(r, SEV_INFO, "%s %d: choose a specialisation (specialize %s NAME): %s", title, level, s->name,
                   choices);
    }
    /* Skills that this level opens. */
    for (int i = 0; i < g->skills->n_skills; i++) {
        const Skill *o = &g->skills->skills[i];
        Mention m = {s->name, 0};
        each_skill_ref(o->requires, mentions, &m);
        if (!m.found || progress_skill_level(g, o->name) > 0)
            continue;
        if (requires_met(g, o, NULL, 0) && !requires_met(g, o, s->name, old_level)) {
            char ot[64];
            text_words(o->title, ot, sizeof ot);
            game_event(r, SEV_GOOD, "You can now learn %s.", ot);
        }
    }
    if (g->skills->xp_per_skill_level > 0)
        rc = progress_add_experience(g, g->skills->xp_per_skill_level * (level - old_level), r, err);
    return rc;
}

static int chosen_spec(Game *g, const char *skill, char *buf, size_t size)
{
    buf[0] = '\0';
    return charstate_get(g->save, g->p.character_id, "specialization", skill, buf, size, NULL) == MA_OK;
}

int progress_specialize(Game *g, const char *skill, const char *spec, ActionResult *r, Err *err)
{
    const Skill *s = find_skill(g->skills, skill);
    if (!s) {
        game_refuse(r, "there is no skill called '%s'", skill ? skill : "");
        return MA_OK;
    }
    if (!s->n_specs) {
        game_refuse(r, "%s has no specialisations", s->title);
        return MA_OK;
    }
    char have[40];
    if (chosen_spec(g, s->name, have, sizeof have)) {
        game_refuse(r, "you have already specialised in %s as a %s", s->title, have);
        return MA_OK;
    }
    const Spec *p = NULL;
    for (int i = 0; i < s->n_specs; i++)
        if (spec && strcmp(s->specs[i].name, spec) == 0)
            p = &s->specs[i];
    if (!p) {
        char choices[200];
        spec_words(s, choices, sizeof choices);
        game_refuse(r, "%s has no specialisation '%s' (choose %s)", s->title, spec ? spec : "", choices);
        return MA_OK;
    }
    int level = progress_skill_level(g, s->name);
    if (level < s->spec_at) {
        game_refuse(r, "needs %s %d to specialise (you have %d)", s->title, s->spec_at, level);
        return MA_OK;
    }
    int rc = charstate_set(g->save, g->p.character_id, "specialization", s->name, p->name, err);
    if (rc != MA_OK)
        return rc;
    game_event(r, SEV_GOOD, "You specialise in %s: %s. %s", s->title, p->name, p->description);
    r->ok = 1;
    return MA_OK;
}

/* ------------------------------------------------------------ effects */

static double effect_of(const Effect *e, int n, const char *name)
{
    double v = 0;
    for (int i = 0; i < n; i++)
        if (strcmp(e[i].name, name) == 0)
            v += e[i].value;
    return v;
}

/* One skill's contribution to an effect at a level, with its specialisation. */
static double skill_effect(Game *g, const Skill *s, int level, const char *effect)
{
    if (level <= 0)
        return 0;
    double v = level * effect_of(s->effects, s->n_effects, effect);
    char spec[40];
    if (s->n_specs && chosen_spec(g, s->name, spec, sizeof spec))
        for (int i = 0; i < s->n_specs; i++)
            if (strcmp(s->specs[i].name, spec) == 0)
                v += effect_of(s->specs[i].effects, s->specs[i].n_effects, effect);
    return v;
}

double progress_effect(Game *g, const char *effect)
{
    double v = 0;
    for (int i = 0; i < g->skills->n_skills; i++) {
        const Skill *s = &g->skills->skills[i];
        v += skill_effect(g, s, progress_skill_level(g, s->name), effect);
    }
    return v;
}

double progress_mining_speed(Game *g)
{
    double v = 1.0 + progress_effect(g, "mining_speed");
    if (v > g->skills->mining_speed_max)
        v = g->skills->mining_speed_max;
    return v < 0.1 ? 0.1 : v;
}

int progress_damage_bonus(Game *g, const char *kind)
{
    char effect[32];
    snprintf(effect, sizeof effect, "%s_damage", kind ? kind : "");
    return (int)floor(progress_effect(g, effect));
}

double progress_craft_bonus(Game *g, const char *skill)
{
    const Skill *s = find_skill(g->skills, skill);
    if (!s)
        return 0;
    double v = skill_effect(g, s, progress_skill_level(g, s->name), "craft_success");
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

double progress_price_factor(Game *g)
{
    double v = 1.0 - progress_effect(g, "price_discount");
    if (v < g->skills->price_factor_min)
        v = g->skills->price_factor_min;
    return v > 1.0 ? 1.0 : v;
}

/* ------------------------------------------------------------ the rule language */

static int q_level(void *ud) { return ((ProgressView *)ud)->g->p.level; }

static int q_skill(void *ud, const char *name)
{
    ProgressView *v = ud;
    if (v->skill_override && strcmp(v->skill_override, name) == 0)
        return v->level_override;
    return progress_skill_level(v->g, name);
}

static int q_items(void *ud, const char *item)
{
    ProgressView *v = ud;
    if (!v->inv_loaded) {
        v->inv_loaded = 1;
        if (game_inventory(v->g, &v->inv, &v->n_inv, NULL) != MA_OK) {
            v->inv = NULL;
            v->n_inv = 0;
        }
    }
    int total = 0;
    for (int i = 0; i < v->n_inv; i++)
        if (strcmp(v->inv[i].item_name, item) == 0)
            total += v->inv[i].quantity;
    return total;
}

static int q_stat(void *ud, const char *name)
{
    ProgressView *v = ud;
    if (strcmp(name, "health") == 0)
        return v->g->p.health;
    if (strcmp(name, "mana") == 0)
        return v->g->p.mana;
    CharSheet sh;
    int i = is_stat(name);
    if (i < 0 || progress_sheet(v->g, &sh, NULL) != MA_OK)
        return 0;
    return sh.stats[i];
}

static int q_flag(void *ud, const char *name, char *buf, size_t size)
{
    ProgressView *v = ud;
    return charstate_get(v->g->save, v->g->p.character_id, "flag", name, buf, size, NULL) == MA_OK;
}

static int q_minute(void *ud) { return game_minute_of_day(((ProgressView *)ud)->g); }

/* A block of that name within radius cells (radius at most 8). */
static int q_near(void *ud, const char *kind, int radius)
{
    Game *g = ((ProgressView *)ud)->g;
    int id = blocks_find(g->blocks, kind);
    if (id <= 0)
        return 0;
    if (radius > 8)
        radius = 8;
    for (int dy = -radius; dy <= radius + 1; dy++)
        for (int dx = -radius; dx <= radius; dx++)
            for (int dz = -radius; dz <= radius; dz++) {
                int32_t y = g->p.y + dy;
                if (y >= 0 && y < WORLD_HEIGHT && world_get_block(g->world, g->p.x + dx, y, g->p.z + dz) == id)
                    return 1;
            }
    return 0;
}

void progress_rule_ctx(Game *g, ProgressView *view, RuleCtx *ctx)
{
    memset(view, 0, sizeof *view);
    memset(ctx, 0, sizeof *ctx);
    view->g = g;
    ctx->ud = view;
    ctx->level = q_level;
    ctx->stat = q_stat;
    ctx->skill_level = q_skill;
    ctx->item_count = q_items;
    ctx->flag = q_flag;
    ctx->minute_of_day = q_minute;
    ctx->near_place = q_near;
}

void progress_view_clear(ProgressView *view)
{
    inventory_list_free(view->inv, view->n_inv);
    view->inv = NULL;
    view->n_inv = 0;
    view->inv_loaded = 0;
}

/* ------------------------------------------------------------ sheets */

const char *const *progress_stat_names(void) { return stat_names; }

int progress_sheet(Game *g, CharSheet *out, Err *err)
{
    memset(out, 0, sizeof *out);
    CharacterRow c;
    int rc = characters_get(g->save, g->p.character_id, &c, err);
    if (rc != MA_OK)
        return rc;
    for (int i = 0; i < NSTATS; i++) {
        const cJSON *v = get(c.stats, stat_names[i]);
        out->stats[i] = cJSON_IsNumber(v) ? v->valueint : 0;
    }
    character_row_clear(&c);
    out->stats[0] = g->p.health;
    out->stats[1] = g->p.mana;
    out->level = g->p.level;
    out->max_level = g->skills->max_level;
    out->experience = g->p.experience;
    out->next_level_at = g->p.level < g->skills->max_level ? progress_experience_for_level(g, g->p.level + 1) : 0;
    out->stat_points = progress_stat_points(g);
    out->health = g->p.health;
    out->max_health = g->p.max_health;
    out->mana = g->p.mana;
    out->max_mana = g->p.max_mana;
    return MA_OK;
}

int progress_skill_count(const Game *g) { return g->skills->n_skills; }

static void effect_words(const Effect *e, int n, int level, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t len = strlen(buf);
        char name[32];
        text_words(e[i].name, name, sizeof name);
        double v = e[i].value * (level > 0 ? level : 1);
        if (strcmp(e[i].name, "craft_success") == 0 || strcmp(e[i].name, "price_discount") == 0 ||
            strcmp(e[i].name, "extra_yield") == 0 || strcmp(e[i].name, "mining_speed") == 0)
            snprintf(buf + len, size - len, "%s%+.0f%% %s", len ? ", " : "", v * 100, name);
        else
            snprintf(buf + len, size - len, "%s%+g %s", len ? ", " : "", v, name);
    }
}

int progress_skill_info(Game *g, int i, SkillInfo *out, Err *err)
{
    memset(out, 0, sizeof *out);
    if (i < 0 || i >= g->skills->n_skills)
        return err_set(err, MA_ERR_NOT_FOUND, "no skill number %d", i);
    const Skill *s = &g->skills->skills[i];
    const Tree *t = &g->skills->trees[s->tree];
    snprintf(out->name, sizeof out->name, "%s", s->name);
    snprintf(out->title, sizeof out->title, "%s", s->title);
    snprintf(out->tree, sizeof out->tree, "%s", t->name);
    snprintf(out->tree_title, sizeof out->tree_title, "%s", t->title);
    snprintf(out->description, sizeof out->description, "%s", s->description);
    int has;
    int rc = skill_state(g, s->name, &out->level, &out->xp, &has, err);
    if (rc != MA_OK)
        return rc;
    out->max_level = s->max_level;
    out->xp_next = out->level > 0 && out->level < s->max_level ? skill_step(s, out->level) : 0;
    ProgressView v;
    RuleCtx ctx;
    progress_rule_ctx(g, &v, &ctx);
    out->unlocked = out->level > 0 || rules_check(&ctx, s->requires);
    if (!out->unlocked)
        rules_explain(&ctx, s->requires, out->locked_why, sizeof out->locked_why);
    progress_view_clear(&v);
    chosen_spec(g, s->name, out->spec, sizeof out->spec);
    out->spec_at = s->n_specs ? s->spec_at : 0;
    spec_words(s, out->spec_choices, sizeof out->spec_choices);
    effect_words(s->effects, s->n_effects, out->level, out->effects, sizeof out->effects);
    for (int k = 0; k < g->skills->n_skills; k++) {
        const Skill *o = &g->skills->skills[k];
        Mention m = {s->name, 0};
        each_skill_ref(o->requires, mentions, &m);
        if (!m.found)
            continue;
        size_t len = strlen(out->opens);
        char why[160] = "";
        ProgressView v2;
        RuleCtx c2;
        progress_rule_ctx(g, &v2, &c2);
        rules_explain(&c2, o->requires, why, sizeof why);
        progress_view_clear(&v2);
        snprintf(out->opens + len, sizeof out->opens - len, "%s%s%s%s%s", len ? "; " : "", o->name,
                 why[0] ? " (" : " (open)", why, why[0] ? ")" : "");
    }
    return MA_OK;
}
