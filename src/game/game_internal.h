/* game_internal.h — for the files of src/game/ only: the Game itself and
 * the small operations every rule module (inventory, crafting, combat,
 * quests) builds on. Each of these writes through the save but does not
 * commit: game_apply commits the whole action at once. */
#ifndef MA_GAME_INTERNAL_H
#define MA_GAME_INTERNAL_H

#include "game/achieve.h"
#include "game/crafting.h"
#include "game/creatures.h"
#include "game/game.h"
#include "game/items.h"
#include "game/npc.h"
#include "game/progress.h"
#include "game/quest.h"
#include "game/story_book.h"
#include "util/prng.h"

struct SaveChanges;

struct Game {
    Save *save;
    BlockRegistry *blocks;
    ClassList classes;
    World *world;
    Player p;
    int64_t clock;
    int32_t spawn[3];
    BlockId ladder, stairs; /* 0 when the registry has none */
    int has_light; /* the registry has a block that gives light (blocks.json "light") */
    ItemRegistry *items;     /* data/items.json */
    SkillBook *skills;       /* data/skills.json */
    CraftBook *craft;        /* data/recipes.json */
    CreatureBook *creatures; /* data/creatures.json */
    QuestBook *quest_book;   /* data/quests.json */
    AchieveBook *achieve_book; /* data/achievements.json */
    DialogueBook *dialogue;  /* data/dialogue.json */
    Prng rng;                /* combat and crafting rolls; seeded from the world and the clock */
    int died;                /* set by game_hurt; game_apply records the death and drops the pack */
    int32_t died_at[3];
    WorldMods mods;          /* game_refresh: balance and events */
    cJSON *quest_tpls;       /* the world's quests as templates, read from their rows (quest.c) */
    GameAfterFn after;       /* game_set_after_action */
    GameEndFn after_end;
    void *after_ud;
    StoryBook *story_book;   /* data/stories/NAME.json */
    struct SaveChanges *story_changes; /* recording the action of a story choice (story.c) */
    int64_t story_choice_id; /* the choice being recorded */
    int story_starts;        /* how the storylines not yet begun start (story.c); -1: not known */
    int told_bare_hands;     /* combat.c said this session that a weapon in the pack is not in hand */
    ActionResult started;    /* what the start itself did: quests whose time ran out while away */
    int64_t story_quests_seen; /* quests completed when story_starts was worked out */
    uint8_t *explored;       /* the explored map (game_travel.c): a bit a cell, NULL until made */
    int64_t ex0, ez0;        /* its north-west corner */
    int explored_failed;     /* it could not be made: everything counts as explored */
};

/* Marks the action as not done, with the reason as its result line. */
void game_refuse(ActionResult *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adds count of item to the backpack, filling existing stacks first.
 * Returns how many did not fit (0 normally), or a negative status. */
int game_give_item(Game *g, const char *item, const char *type, int count, Err *err);
/* Removes count of item (from the last stacks first). */
int game_take_item(Game *g, const char *item, int count, Err *err);
/* How many of item the player carries; -1 on a save error. */
int game_item_count(Game *g, const char *item, Err *err);
/* Whether the player carries a tool of this kind ("pickaxe" matches "stone_pickaxe"). */
int game_has_tool(Game *g, const char *tool, Err *err);
/* The same, with the item's name into name (the one in the main hand when it is one): 1, or 0
 * and "". */
int game_find_tool(Game *g, const char *tool, char *name, size_t size, Err *err);
/* Damage from a cause; at 0 health the player dies and wakes at the spawn
 * (game_apply then counts the death and leaves the pack where it happened). */
void game_hurt(Game *g, int amount, const char *cause, ActionResult *r);
/* Advances the clock (regeneration, day and night). */
void game_pass_time(Game *g, int turns, ActionResult *r);


/* Shared by game.c (the character row, game_apply), game_physics.c (moving, digging, placing)
 * and game_start.c (starting a game). */
struct CharacterRow;
int game_stat_int(const cJSON *stats, const char *key, int fallback);
void game_set_num(cJSON *obj, const char *key, double v);
void game_player_from_row(Game *g, const struct CharacterRow *c);
/* Falls until something holds the player (more than three blocks hurts). */
void game_fall(Game *g, ActionResult *r);
/* One step of a planned walk (game_walk.c, game_travel.c): a move in direction d, an action of
 * its own through game_apply (committed), its result in r. *planned: it went where game_step_to
 * said (nobody in the way, the ground as it was); *hurt: health was lost. Returns an error only
 * when the step could not be saved. */
int game_walk_step(Game *g, Dir d, ActionResult *r, int *planned, int *hurt, Err *err);
/* Whether the player's two cells at (x, y, z) are free. */
int game_fits(Game *g, int32_t x, int32_t y, int32_t z);
/* Whether someone can stand with their feet at (x, y, z): feet and head free, feet not in a
 * liquid, solid ground below (creatures.c). */
int game_standable(Game *g, int32_t x, int32_t y, int32_t z);
void game_do_move(Game *g, Dir d, ActionResult *r);
void game_do_up(Game *g, ActionResult *r);
void game_do_down(Game *g, ActionResult *r);
int game_do_dig(Game *g, Dir d, ActionResult *r, Err *err);
int game_do_place(Game *g, Dir d, const char *want, ActionResult *r, Err *err);

#endif
