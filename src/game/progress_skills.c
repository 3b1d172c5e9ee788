/* progress_skills.c — a character's skills: their levels (character_skills, or the class's
 * starting level), unlocks, experience from use, specialisations, and the effects they give other
 * modules (mining speed, damage, crafting, prices). */
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
int progress_skill_state(Game *g, const char *skill, int *level, int64_t *xp, int *has_row, Err *err)
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
    if (progress_skill_state(g, skill, &level, &xp, &has, NULL) != MA_OK)
        return 0;
    return level;
}

const char *skillbook_title(const SkillBook *b, const char *skill)
{
    const Skill *s = b && skill ? progress_find_skill(b, skill) : NULL;
    return s && s->title[0] ? s->title : NULL;
}

const char *progress_skill_title(Game *g, const char *skill) { return skillbook_title(g->skills, skill); }

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
    const Skill *s = progress_find_skill(g->skills, skill);
    if (!s)
        return 0;
    return progress_skill_level(g, skill) > 0 || requires_met(g, s, NULL, 0);
}

int64_t progress_skill_step(const Skill *s, int level)
{
    return (int64_t)floor(s->xp_first * pow(s->xp_growth, level - 1) + 0.5);
}

int progress_mentions(const char *skill, void *ud)
{
    Mention *m = ud;
    if (strcmp(skill, m->skill) == 0)
        m->found = 1;
    return m->found;
}

void progress_spec_words(const Skill *s, char *buf, size_t size)
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
    const Skill *s = progress_find_skill(g->skills, skill);
    if (!s)
        return err_set(err, MA_ERR_INVALID, "data/skills.json has no skill named '%s'", skill ? skill : "");
    if (xp <= 0)
        return MA_OK;
    int level, has_row;
    int64_t have;
    int rc = progress_skill_state(g, skill, &level, &have, &has_row, err);
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
    while (level < s->max_level && have >= progress_skill_step(s, level)) {
        have -= progress_skill_step(s, level);
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
        progress_spec_words(s, choices, sizeof choices);
        game_event(r, SEV_INFO, "%s %d: choose a specialisation (S: the skills; specialize %s NAME in a script): %s",
                   title, level, s->name, choices);
    }
    /* Skills that this level opens. */
    for (int i = 0; i < g->skills->n_skills; i++) {
        const Skill *o = &g->skills->skills[i];
        Mention m = {s->name, 0};
        progress_each_skill_ref(o->requires, progress_mentions, &m);
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

int progress_chosen_spec(Game *g, const char *skill, char *buf, size_t size)
{
    buf[0] = '\0';
    return charstate_get(g->save, g->p.character_id, "specialization", skill, buf, size, NULL) == MA_OK;
}

int progress_specialize(Game *g, const char *skill, const char *spec, ActionResult *r, Err *err)
{
    const Skill *s = progress_find_skill(g->skills, skill);
    if (!s) {
        game_refuse(r, "there is no skill called '%s'", skill ? skill : "");
        return MA_OK;
    }
    if (!s->n_specs) {
        game_refuse(r, "%s has no specialisations", s->title);
        return MA_OK;
    }
    char have[40];
    if (progress_chosen_spec(g, s->name, have, sizeof have)) {
        game_refuse(r, "you have already specialised in %s as a %s", s->title, have);
        return MA_OK;
    }
    const Spec *p = NULL;
    for (int i = 0; i < s->n_specs; i++)
        if (spec && strcmp(s->specs[i].name, spec) == 0)
            p = &s->specs[i];
    if (!p) {
        char choices[200];
        progress_spec_words(s, choices, sizeof choices);
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
    if (s->n_specs && progress_chosen_spec(g, s->name, spec, sizeof spec))
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
    const Skill *s = progress_find_skill(g->skills, skill);
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
