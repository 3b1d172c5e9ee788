/* progress.c — experience, levels and stat points, and the rule language's view of a character.
 * The skill book is read in skillbook.c; skills, unlocks, specialisations and effects are
 * progress_skills.c; the character sheet is progress_sheet.c (shared: progress_internal.h).
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
#include "game/progress_internal.h"
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
        game_event(r, SEV_GOOD, "You reach level %d! You may raise a stat (C: the character sheet)", g->p.level);
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
    int si = stat ? progress_is_stat(stat) : -1;
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
        int ti = progress_is_stat(x->key);
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
            int ti = progress_is_stat(x->key);
            /* As the sheet shows it, gear included (the sheet had shown 15 where this said 14). */
            if (sh.gear[ti])
                snprintf(what + len, sizeof what - len, "%s%s %d (%+d from what you wear)", len ? ", " : "", x->key,
                         sh.stats[ti] + x->amount + sh.gear[ti], sh.gear[ti]);
            else
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

/* ------------------------------------------------------------ the rule language */

static int q_level(void *ud) { return ((ProgressView *)ud)->g->p.level; }

static int q_skill(void *ud, const char *name)
{
    ProgressView *v = ud;
    if (v->skill_override && strcmp(v->skill_override, name) == 0)
        return v->level_override;
    return progress_skill_level(v->g, name);
}

static const char *q_skill_title(void *ud, const char *name) { return progress_skill_title(((ProgressView *)ud)->g, name); }

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
    int i = progress_is_stat(name);
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
    ctx->items = g->items;
    ctx->level = q_level;
    ctx->stat = q_stat;
    ctx->skill_level = q_skill;
    ctx->skill_title = q_skill_title;
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
