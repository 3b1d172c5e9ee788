/* rules.h — the one rule language of quests, recipes, achievements and dialogue.
 *
 * A condition asks "is this true?" ({"all":[{"level":{"min":5}},{"item":{"name":"iron_ingot",
 * "count":3}}]}); an effect list says "make this happen" ([{"give":{"item":"torch","count":4}},
 * {"experience":50}]). Both are JSON held in the design's JSON columns (requirements, rewards,
 * unlock_conditions, unlock_data); docs/rules.md describes every form.
 *
 * This module is pure: it knows nothing of the save or the game. It reads the player's state and
 * changes it only through the callbacks of a RuleCtx, so it is tested with a fake and the game
 * supplies the real thing. Data is validated once at load (rules_validate_*); checking and
 * applying still refuse malformed input instead of trusting it. */
#ifndef MA_GAME_RULES_H
#define MA_GAME_RULES_H

#include <stddef.h>

#include <cJSON.h>

#include "game/items.h"
#include "util/err.h"

enum {
    RULES_MAX_DEPTH = 16,   /* condition objects nested inside one another, the outermost is 1 */
    RULES_MAX_LIST = 64,    /* entries in one all/any list, and effects in one effect list */
    RULES_MAX_NAME = 63,    /* bytes in a name (item, skill, quest, flag, NPC, ...) */
    RULES_MAX_TEXT = 255,   /* bytes in a flag value, a message or a reason */
};

/* What a set_block effect asks for (see docs/rules.md): at the anchor ("player", another
 * name the game knows, or an absolute position), either the block `offset` from it becomes
 * `block`, or the `count` blocks of kind `replace` nearest to it within `radius` do. */
typedef struct RuleBlockChange {
    const char *block;
    const char *anchor; /* NULL when has_pos */
    int has_pos, pos[3];
    int has_offset, offset[3];
    const char *replace; /* NULL with has_offset */
    int radius, count;
} RuleBlockChange;

/* How the rules see and change the game. Every query callback may be NULL (the condition that
 * needs it is then false); an effect whose callback is NULL is refused. Names are passed as
 * written in the data (e.g. "iron_ingot"); pointers are borrowed for the call only. */
/* What a start_event effect asks for (see docs/rules.md). */
typedef struct RuleEvent {
    const char *name;   /* shown to the player */
    const char *kind;   /* the event's type: "story" when not given */
    const char *text;   /* its description ("" when not given) */
    int days;           /* how long, 1..28 game days */
    int spawn_pct, price_pct; /* multipliers while it lasts, in percent (100: none) */
} RuleEvent;

typedef struct RuleCtx {
    void *ud;
    const ItemRegistry *items; /* for counting items in words ("3 bread"); NULL: English rules */
    /* queries */
    int (*level)(void *ud);
    int (*stat)(void *ud, const char *name);                  /* health, mana, strength, ... */
    int (*skill_level)(void *ud, const char *name);           /* 0 when untrained */
    const char *(*skill_title)(void *ud, const char *name);   /* its title in words ("Spellcraft" for
                                                               * "magic"), or NULL: the name is said */
    int (*item_count)(void *ud, const char *item);
    int (*relationship)(void *ud, const char *who);           /* -100..100, 0 when none */
    const char *(*quest_state)(void *ud, const char *quest);  /* "none","active","completed","failed"; NULL = "none" */
    int (*has_achievement)(void *ud, const char *name);
    int (*flag)(void *ud, const char *name, char *buf, size_t size); /* 1 and the text in buf when set, else 0 */
    int (*minute_of_day)(void *ud);                           /* 0..1439 */
    int (*near_place)(void *ud, const char *kind, int radius); /* "village", "dungeon", or a block name */
    /* Which way the nearest place of that kind lies, in words ("the nearest: Ruins of Larkton, E
     * 204"), for explaining a place that is not near: 1 and buf, or 0 (none known; may be NULL) */
    int (*place_way)(void *ud, const char *kind, char *buf, size_t size);
    int (*season)(void *ud);                                  /* 0 spring, 1 summer, 2 autumn, 3 winter */
    /* effects: return MA_OK or a negative status with err set */
    int (*give_item)(void *ud, const char *item, int count, Err *err);
    int (*take_item)(void *ud, const char *item, int count, Err *err);
    int (*add_experience)(void *ud, int amount, Err *err);
    int (*add_stat)(void *ud, const char *name, int amount, Err *err);
    int (*add_skill_xp)(void *ud, const char *skill, int amount, Err *err);
    int (*change_relationship)(void *ud, const char *who, int amount, const char *reason, Err *err);
    int (*start_quest)(void *ud, const char *quest, Err *err);
    int (*advance_quest)(void *ud, const char *quest, const char *objective, int amount, Err *err);
    int (*unlock_recipe)(void *ud, const char *recipe, Err *err);
    int (*unlock_achievement)(void *ud, const char *name, Err *err);
    int (*set_flag)(void *ud, const char *name, const char *value, Err *err);
    int (*message)(void *ud, const char *text, Err *err); /* a line for the player; show it after commit */
    int (*set_block)(void *ud, const RuleBlockChange *change, Err *err);
    int (*fail_quest)(void *ud, const char *quest, Err *err); /* fails it when active, else nothing */
    int (*start_story)(void *ud, const char *story, Err *err);
    int (*start_event)(void *ud, const RuleEvent *event, Err *err); /* a world event from now */
    /* a villager leaves the world (home = 0) or comes back to their home (home = 1) */
    int (*villager_away)(void *ud, const char *who, int home, Err *err);
    /* wait_until: passes the game's clock on to that minute of the day (0..1439), unless it is
     * within two hours after it already (it is dusk, or just past). */
    int (*pass_time_until)(void *ud, int minute_of_day, Err *err);
    /* one transaction around applying effects; all three are required by rules_apply */
    int (*begin)(void *ud, Err *err);
    int (*commit)(void *ud, Err *err);
    void (*rollback)(void *ud);
} RuleCtx;

/* Validation at load time. `where` names the file and entry for messages (may be NULL), e.g.
 * "data/quests.json: quest 3 (\"wolves\"): requirements"; the message adds the JSON path inside
 * and the reason: "...: requirements: all[1].item.count must be a whole number from 1 to 9999".
 * A NULL pointer, JSON null and {} are valid conditions (always true); NULL, JSON null and [] are
 * valid effect lists (nothing happens). Returns MA_OK or MA_ERR_INVALID with err set. */
int rules_validate_condition(const cJSON *cond, const char *where, Err *err);
int rules_validate_effects(const cJSON *effects, const char *where, Err *err);

/* 1 when the condition holds, 0 when not. A NULL, null or {} condition is true; a malformed one
 * (that rules_validate_condition would refuse) is false. ctx may be NULL (every query fails). */
int rules_check(const RuleCtx *ctx, const cJSON *cond);

/* Why the condition is false, in words for the player ("needs mining 3 (you have 1)"); several
 * reasons are joined with "; ". Writes "" when it holds. Always NUL-terminates buf (size > 0). */
void rules_explain(const RuleCtx *ctx, const cJSON *cond, char *buf, size_t size);

/* 1 when cond is false now but would hold were the player near every place it names: it waits
 * only for the player to go somewhere. kind receives the first place it names that is not near
 * ("ruins"); "" and 0 otherwise. */
int rules_place_wanted(const RuleCtx *ctx, const cJSON *cond, char *kind, size_t size);

/* Applies an effect list, in order, inside one transaction: begin, every effect, commit. If the
 * list is malformed nothing is called; if an effect or the commit fails, rollback is called and
 * the error returned ("effect 2 (take): ..."), so either all effects happen or none. An empty
 * list returns MA_OK without opening a transaction. */
int rules_apply(const RuleCtx *ctx, const cJSON *effects, Err *err);

/* What a condition asks for, in words, without a player to compare with ("charisma 14", "1
 * silver key"), for authors' views. "" for an empty condition. */
void rules_describe_condition(const cJSON *cond, char *buf, size_t size);
/* "spring", "summer", "autumn", "winter" for 0..3. */
const char *rules_season_name(int season);

/* The effects in words for a UI ("gives 3 iron ingots, 50 experience"); flags and messages are
 * not shown (they are the story's business, not a reward). Items are counted with
 * items_count_words and the plurals of items (may be NULL: English rules). "nothing" for an empty
 * list. Always NUL-terminates buf (size > 0). */
void rules_describe_effects(const cJSON *effects, const ItemRegistry *items, char *buf, size_t size);

#endif
