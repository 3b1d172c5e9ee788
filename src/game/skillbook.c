/* skillbook.c — the skill book: data/skills.json (skills, trees, specialisations, effects per
 * level) and data/progression.json (the experience curve, points and raises per level) read and
 * checked together, every reference between them resolved. */
#include "game/progress.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/game_internal.h"
#include "game/progress_internal.h"
#include "save/charstate.h"
#include "save/skills.h"
#include "util/data.h"
#include "util/json_field.h"
#include "util/text.h"

/* A name: present, not null, not empty. */
#define TEXT_REQUIRED (JSON_FIELD_NULL_ABSENT | JSON_FIELD_NONEMPTY)

/* ------------------------------------------------------------ loading */

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

int progress_is_stat(const char *s)
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
int progress_each_skill_ref(const cJSON *c, SkillRefFn fn, void *ud)
{
    if (!c)
        return 0;
    if (c->string && strcmp(c->string, "skill") == 0 && cJSON_IsObject(c)) {
        const cJSON *n = get(c, "name");
        if (cJSON_IsString(n) && fn(n->valuestring, ud))
            return 1;
    }
    for (const cJSON *ch = c->child; ch; ch = ch->next)
        if (progress_each_skill_ref(ch, fn, ud))
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
                        (progress_is_stat(e->string) >= 2);
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

int skillbook_load(const char *skills_json, size_t skills_len, const char *skills_source, const char *prog_json,
                   size_t prog_len, const char *prog_source, SkillBook **out, Err *err)
{
    *out = NULL;
    SkillBook *b = calloc(1, sizeof *b);
    cJSON *root = NULL, *prog = NULL;
    int rc = MA_OK;
    if (!b)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    if (!(prog = json_parse_data(prog_json, prog_len, prog_source, err)) ||
        !(root = json_parse_data(skills_json, skills_len, skills_source, err))) {
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
        if (progress_each_skill_ref(b->skills[i].requires, ref_missing, &chk)) {
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

const Skill *progress_find_skill(const SkillBook *b, const char *name)
{
    for (int i = 0; b && name && i < b->n_skills; i++)
        if (strcmp(b->skills[i].name, name) == 0)
            return &b->skills[i];
    return NULL;
}

int skillbook_has(const SkillBook *b, const char *skill) { return progress_find_skill(b, skill) != NULL; }
