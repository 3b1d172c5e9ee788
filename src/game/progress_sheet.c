/* progress_sheet.c — the character sheet: stats, points to spend, and each skill as the sheet
 * and the skills screen show it. */
#include "game/progress.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/game_internal.h"
#include "game/progress_internal.h"
#include "game/inventory.h"
#include "game/items.h"
#include "save/charstate.h"
#include "save/skills.h"
#include "util/data.h"
#include "util/json_field.h"
#include "util/text.h"

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
    EquipBonuses b;
    if ((rc = inventory_bonuses(g, &b, err)) != MA_OK)
        return rc;
    for (int i = 0; i < NSTATS && i < ITEM_STATS; i++)
        out->gear[i] = b.stat[i];
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

int progress_stat(Game *g, const char *name, int fallback, Err *err)
{
    Err quiet;
    if (!err)
        err = &quiet;
    EquipBonuses b;
    int attribute = strcmp(name, "health") != 0 && strcmp(name, "mana") != 0; /* only these read the gear */
    return progress_stat_worn(g, name, fallback, attribute && inventory_bonuses(g, &b, err) == MA_OK ? &b : NULL, err);
}

int progress_stat_worn(Game *g, const char *name, int fallback, const EquipBonuses *worn, Err *err)
{
    Err quiet;
    if (!err)
        err = &quiet;
    if (strcmp(name, "health") == 0)
        return g->p.health;
    if (strcmp(name, "mana") == 0)
        return g->p.mana;
    CharacterRow c;
    if (characters_get(g->save, g->p.character_id, &c, err) != MA_OK)
        return fallback;
    const cJSON *v = get(c.stats, name);
    int have = cJSON_IsNumber(v) ? v->valueint : fallback;
    character_row_clear(&c);
    for (int k = 0; worn && k < ITEM_STATS; k++)
        if (strcmp(item_stat_names[k], name) == 0)
            have += worn->stat[k];
    return have;
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
    int rc = progress_skill_state(g, s->name, &out->level, &out->xp, &has, err);
    if (rc != MA_OK)
        return rc;
    out->max_level = s->max_level;
    out->xp_next = out->level > 0 && out->level < s->max_level ? progress_skill_step(s, out->level) : 0;
    ProgressView v;
    RuleCtx ctx;
    progress_rule_ctx(g, &v, &ctx);
    out->unlocked = out->level > 0 || rules_check(&ctx, s->requires);
    if (!out->unlocked)
        rules_explain(&ctx, s->requires, out->locked_why, sizeof out->locked_why);
    progress_view_clear(&v);
    progress_chosen_spec(g, s->name, out->spec, sizeof out->spec);
    out->spec_at = s->n_specs ? s->spec_at : 0;
    progress_spec_words(s, out->spec_choices, sizeof out->spec_choices);
    for (int k = 0; k < s->n_specs && k < 4; k++) {
        snprintf(out->spec_name[k], sizeof out->spec_name[k], "%s", s->specs[k].name);
        snprintf(out->spec_about[k], sizeof out->spec_about[k], "%s", s->specs[k].description);
        out->n_specs = k + 1;
    }
    effect_words(s->effects, s->n_effects, out->level, out->effects, sizeof out->effects);
    for (int k = 0; k < g->skills->n_skills; k++) {
        const Skill *o = &g->skills->skills[k];
        Mention m = {s->name, 0};
        progress_each_skill_ref(o->requires, progress_mentions, &m);
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
