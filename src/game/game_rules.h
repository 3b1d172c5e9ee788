/* game_rules.h — the rule language (rules.h) wired to a Game.
 *
 * game_rule_ctx fills every query and effect callback of a RuleCtx from the player of a Game:
 * level, stats, skills, items, relationships, quests, achievements, flags, the clock, places;
 * effects write through the save inside a savepoint of the game action's one transaction
 * (rules_apply outside a transaction is refused). `message` lines and achievement announcements are
 * held until the commit and then added to the ActionResult's events, so a rolled-back reward
 * says nothing; a rollback also restores the Player in memory.
 *
 * Names: "@npc" stands for the villager the player is talking to (the charstate flag
 * talking_to); any other "who" is a villager's entity id ("villager_12_-40"), a character
 * name in the world, or a numeric character id. */
#ifndef MA_GAME_GAME_RULES_H
#define MA_GAME_GAME_RULES_H

#include "game/game.h"
#include "game/rules.h"
#include "world/blocks.h"

#define GAME_RULES_MAX_BLOCKS 256
#define GAME_RULES_MAX_MOVES 8
#define GAME_RULES_ENTITY_TEXT 1024

/* One villager a leave or come_home effect took out of a chunk or put into one: the entity as
 * JSON text, so that a rollback can undo it in the world's cache. */
typedef struct RuleEntityLog {
    int32_t cx, cy, cz;
    int index;    /* where it stood in the chunk's entity list (leave) */
    int inserted; /* 1: come_home put it there; 0: leave took it out */
    char entity[GAME_RULES_ENTITY_TEXT];
} RuleEntityLog;

/* One block a set_block effect changed. */
typedef struct RuleBlockLog {
    int32_t x, y, z;
    BlockId from, to;
} RuleBlockLog;

/* The character a rule's "who" names (see above); 0 when none is known. Villagers met for the
 * first time are not created here (see npc_ensure). */
int64_t game_rules_who(Game *g, const char *who);

/* A RuleCtx bound to a game and an action result, owned by the caller (usually on its stack):
 * pass &rules.ctx to rules_check, rules_explain and rules_apply. It stays valid as long as the
 * GameRules, g and r do; r may be NULL (queries only, or effects whose messages are dropped). */
typedef struct GameRules {
    RuleCtx ctx;
    Game *g;
    ActionResult *r;
    int depth;         /* begin calls not yet committed or rolled back */
    Player before;     /* the Player at the outermost begin */
    int events_before; /* r->n_events at the outermost begin */
    /* Blocks changed by set_block, in order, for the caller to read (a story records them).
     * A rollback puts the blocks changed since the outermost begin back in the world. */
    RuleBlockLog blocks[GAME_RULES_MAX_BLOCKS];
    int n_blocks;
    int blocks_before; /* n_blocks at the outermost begin */
    /* Villagers moved out of or into the world by leave and come_home, undone the same way. */
    RuleEntityLog moves[GAME_RULES_MAX_MOVES];
    int n_moves;
    int moves_before; /* n_moves at the outermost begin */
    int64_t clock_before; /* the game's clock at the outermost begin (wait_until moves it) */
} GameRules;

void game_rules_bind(GameRules *gr, Game *g, ActionResult *r);

/* Puts back, in the world's cache, the blocks gr changed after its first `from` log entries
 * (newest first) and forgets them, and undoes every villager it moved: for a caller that rolls
 * back its own savepoint after effects that had committed into it. */
void game_rules_restore_blocks(GameRules *gr, int from);

/* Writes the in-memory Player's level, experience, health and mana to its character row
 * (inside the caller's transaction), so an effect and its bookkeeping commit together. */
int game_rules_store_player(Game *g, Err *err);

/* Whether a place of kind (a structure type: village, ruins, dungeon, shrine; or a block name)
 * is within radius blocks of the player. Block searches look at most 16 blocks sideways and 8 up
 * or down. */
int game_near_place(Game *g, const char *kind, int radius);

#endif
