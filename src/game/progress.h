/* progress.h — experience and levels (data/progression.json), skills and
 * their trees (data/skills.json): training by use, unlock dependencies,
 * specialisations, and the bonuses skills give to other systems.
 *
 * Levels: characters.level/experience (experience is the running total).
 * Unspent stat points: the charstate counter "stat_points". Skills: rows of
 * character_skills (experience_points counts towards the next level and
 * starts again at 0 after each level). A skill with no row is untrained
 * (level 0) unless the character's class starts with it. Specialisations:
 * charstate kind "specialization", key = skill, value = the choice.
 *
 * The functions taking an ActionResult are game actions or parts of one:
 * they refuse with a reason (r->ok = 0) or add events, write through the
 * save without committing (game_apply commits), and return MA_OK unless the
 * save failed. The skillbook_ names avoid the save layer's skills_ DAL. */
#ifndef MA_GAME_PROGRESS_H
#define MA_GAME_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "game/game.h"
#include "game/rules.h"

typedef struct SkillBook SkillBook;

/* Parses skills and progression JSON (sources name the files in messages:
 * file, entry, field, reason). */
int skillbook_load(const char *skills_json, size_t skills_len, const char *skills_source, const char *prog_json,
                   size_t prog_len, const char *prog_source, SkillBook **out, Err *err);
/* Loads data/skills.json and data/progression.json. */
int skillbook_load_default(SkillBook **out, Err *err);
void skillbook_free(SkillBook *b);
/* Whether the book has a skill of that name. */
int skillbook_has(const SkillBook *b, const char *skill);
/* A skill's title as the player reads it ("Spellcraft" for the skill named "magic"), or NULL. */
const char *skillbook_title(const SkillBook *b, const char *skill);

/* ---- experience and levels ---- */

/* Adds experience; each level reached grants stat points and is announced
 * ("You reach level 3! You may raise a stat (levelup STAT)"). */
int progress_add_experience(Game *g, int amount, ActionResult *r, Err *err);
/* Spends a stat point on one of the seven stats (ACT_LEVELUP). */
int progress_levelup(Game *g, const char *stat, ActionResult *r, Err *err);
/* Total experience needed to be at level (level 1: 0). */
int64_t progress_experience_for_level(const Game *g, int level);
/* Unspent stat points (0 on a save error). */
int progress_stat_points(Game *g);

/* ---- skills ---- */

/* The character's level in a skill: 0 when untrained. */
int progress_skill_level(Game *g, const char *skill);
/* A skill's title as the player reads it ("Spellcraft" for the skill named "magic"), or NULL
 * when data/skills.json has no such skill. */
const char *progress_skill_title(Game *g, const char *skill);
/* Whether the skill may be trained: trained already, a class skill, or its
 * requirements met. */
int progress_skill_unlocked(Game *g, const char *skill);
/* Trains a skill by use with xp points (announcing new levels, a
 * specialisation to choose, skills that open up). A locked skill is not
 * trained and nothing is said. MA_ERR_INVALID for a skill not in the book. */
int progress_skill_use(Game *g, const char *skill, int xp, ActionResult *r, Err *err);
/* Chooses a specialisation of a skill that reached its threshold (once). */
int progress_specialize(Game *g, const char *skill, const char *spec, ActionResult *r, Err *err);

/* ---- what skills do ---- */

/* Sum over every skill of an effect (per level, plus the chosen
 * specialisations): "mining_speed", "melee_damage", "extra_yield"... */
double progress_effect(Game *g, const char *effect);
/* Digging speed factor, 1.0 untrained (divide the dig time by it). */
double progress_mining_speed(Game *g);
/* Whole extra damage of a kind: "melee", "ranged" or "spell". */
int progress_damage_bonus(Game *g, const char *kind);
/* Extra craft success chance (0.0..1.0) from one skill and its specialisation. */
double progress_craft_bonus(Game *g, const char *skill);
/* Multiplier on prices the player pays (1.0 untrained, lower is better). */
double progress_price_factor(Game *g);

/* ---- rule-language queries for this game ---- */

/* The state behind a RuleCtx filled by progress_rule_ctx; lives as long as
 * the ctx is used. skill_override (when set) pretends that skill is at
 * level_override. */
typedef struct ProgressView {
    Game *g;
    const char *skill_override;
    int level_override;
    InventoryRow *inv; /* loaded on first item query */
    int n_inv, inv_loaded;
} ProgressView;
/* Fills the query callbacks of ctx (no effects). Free with progress_view_clear. */
void progress_rule_ctx(Game *g, ProgressView *view, RuleCtx *ctx);
void progress_view_clear(ProgressView *view);

/* ---- for the character sheet and the skills screen ---- */

typedef struct CharSheet {
    int level, max_level;
    int64_t experience, next_level_at; /* next_level_at 0 at the top level */
    int stat_points;
    int stats[7];                      /* in progress_stat_names order: the base values */
    int gear[7];                       /* what worn gear adds, in the same order */
    int health, max_health, mana, max_mana;
} CharSheet;
/* "health", "mana", "strength", "intelligence", "dexterity", "constitution", "charisma". */
const char *const *progress_stat_names(void);
/* The sheet; stats[] are the base values (what the character row holds), gear[] what worn gear
 * adds to each (health and mana: to their maximums, which already hold it). */
int progress_sheet(Game *g, CharSheet *out, Err *err);
/* A stat as play uses it (strength ... charisma): the character's own value and what worn gear
 * adds ("bonuses" in items.json); fallback when the row cannot be read or has none. Health and
 * mana are the current values. Combat, the rules (a story's "[Strength 14]") and the sheet read it. */
int progress_stat(Game *g, const char *name, int fallback, Err *err);
/* As progress_stat, with the worn gear's bonuses already read (inventory_bonuses; NULL: none). */
struct EquipBonuses;
int progress_stat_worn(Game *g, const char *name, int fallback, const struct EquipBonuses *worn, Err *err);

typedef struct SkillInfo {
    char name[33], title[48], tree[33], tree_title[48], description[160];
    int level, max_level;
    int64_t xp, xp_next;    /* towards the next level; xp_next 0 at the top */
    int unlocked;
    char locked_why[256];   /* why still locked, "" when unlocked */
    char spec[33];          /* the chosen specialisation, "" */
    int spec_at;            /* the level at which one is chosen, 0 when none */
    char spec_choices[200]; /* "prospector (More ore...), tunneler (...)" */
    int n_specs;            /* the same one by one: */
    char spec_name[4][33], spec_about[4][96];
    char effects[160];      /* what it gives now, in words */
    char opens[200];        /* skills that need this one: "smithing (needs mining 2)" */
} SkillInfo;
int progress_skill_count(const Game *g);
/* Skill i (in tree order) as the skills screen shows it. */
int progress_skill_info(Game *g, int i, SkillInfo *out, Err *err);

#endif
