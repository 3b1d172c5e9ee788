/* progress_internal.h — what the progress files share: the skill book's shape (skillbook.c reads
 * it), and the helpers levels (progress.c), skills (progress_skills.c) and the sheet
 * (progress_sheet.c) all use. Not for other modules: they include game/progress.h. */
#ifndef MA_GAME_PROGRESS_INTERNAL_H
#define MA_GAME_PROGRESS_INTERNAL_H

#include <stdint.h>

#include <cJSON.h>

#include "game/game_internal.h"
#include "game/progress.h"

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

static inline const cJSON *get(const cJSON *o, const char *k) { return cJSON_GetObjectItemCaseSensitive(o, k); }
typedef int (*SkillRefFn)(const char *skill, void *ud);
typedef struct Mention {
    const char *skill;
    int found;
} Mention;

/* In skillbook.c (what each does is said at its definition). */
int progress_is_stat(const char *s);
int progress_each_skill_ref(const cJSON *c, SkillRefFn fn, void *ud);
const Skill *progress_find_skill(const SkillBook *b, const char *name);

/* In progress_skills.c (what each does is said at its definition). */
int progress_skill_state(Game *g, const char *skill, int *level, int64_t *xp, int *has_row, Err *err);
int64_t progress_skill_step(const Skill *s, int level);
int progress_mentions(const char *skill, void *ud);
void progress_spec_words(const Skill *s, char *buf, size_t size);
int progress_chosen_spec(Game *g, const char *skill, char *buf, size_t size);

#endif
