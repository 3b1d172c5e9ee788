/* game.h — a game in progress: one player's character in one world.
 *
 * game_apply carries out any Action (move, climb, dig, place, wait...) and
 * commits all its effects — blocks, position, health, inventory, the clock —
 * in one transaction before it returns, so killing the game at any moment
 * loses at most the action in progress. The UI, `play --script` and the
 * tests all drive the game through these functions. */
#ifndef MA_GAME_GAME_H
#define MA_GAME_GAME_H

#include <stdint.h>

#include <cJSON.h>

#include "game/action.h"
#include "game/classes.h"
#include "save/characters.h"
#include "save/save.h"
#include "world/world.h"

typedef enum Severity { SEV_INFO, SEV_GOOD, SEV_WARN, SEV_BAD } Severity;

#define GAME_MAX_EVENTS 32
#define TURNS_PER_DAY 720 /* a turn is two minutes of game time */

typedef struct GameEvent {
    Severity severity;
    char text[160];
} GameEvent;

/* What an action did. text is the one-line result of `play --script`:
 * "ok", or why not ("blocked: stone wall", "nothing to dig"). */
typedef struct ActionResult {
    int ok;
    char text[128];
    int turns;
    GameEvent events[GAME_MAX_EVENTS];
    int n_events;
    int story_news; /* a storyline began or moved on: a client may open the story pane */
    int attacked;   /* a creature struck at the player during the action, hit or miss */
} ActionResult;

/* Adds a line to what an action reports (at most GAME_MAX_EVENTS). */
void game_event(ActionResult *r, Severity sev, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

typedef struct Player {
    int64_t user_id, character_id, world_id;
    char username[65], name[65], character_class[33], world_name[65];
    int32_t x, y, z; /* the block the feet are in */
    int level;
    int64_t experience;
    int health, max_health, mana, max_mana; /* the maximums with what worn gear adds */
    int gear_health, gear_mana; /* what worn gear adds to them (inventory_gear_settle) */
    char hand[32]; /* the item held, "" for none */
} Player;

typedef struct Game Game;

/* What the world's balance and its events make of play now: multipliers on
 * spawn chances, trade prices and quest rewards (1: as the data says). The
 * balance comes from the world's settings ("balance", kept by the
 * balance_keeper agent), the rest from the world events active at the game
 * clock (their event_data: spawn_rate, price, reward_scale; night_only). */
typedef struct WorldMods {
    double spawn_rate, spawn_rate_night, price, reward_scale, difficulty;
    char season[16];
    char events[4][64]; /* the names of the first events active now */
    int n_events;
} WorldMods;

/* How to find or make the character to play. */
typedef struct GameStart {
    const char *username;   /* the local player; created when missing */
    const char *world;      /* NULL: the user's last world, else a new one */
    const char *character;  /* NULL: the user's last character in that world, else a new one */
    const char *class_name; /* NULL: the default class (for a new character) */
    uint64_t seed;          /* for a new world */
    int new_world;          /* always create a new world (named `world`, or from the seed) */
} GameStart;

/* Opens (or quick-starts) a game: the user, the world and the character as
 * GameStart says, creating what is missing exactly as the title screen's
 * "Quick start" does. The save must be open for writing. */
int game_start(Save *s, const GameStart *start, Game **out, Err *err);

/* The name Quick start gives a new world of this seed ("Frostmere"), with " 2", " 3"... after
 * it while a world of s has that name, into buf. */
void game_world_name_suggest(Save *s, uint64_t seed, char *buf, size_t size);
void game_close(Game *g);
/* What starting the game did, to tell the player (events only): quests whose time ran out while
 * they were away. */
const ActionResult *game_started(const Game *g);

const Player *game_player(const Game *g);
World *game_world(Game *g);
const BlockRegistry *game_blocks(const Game *g);
const ClassList *game_classes(const Game *g);
Save *game_save(Game *g);
/* The creature and spell book (data/creatures.json, data/spells.json). */
const struct CreatureBook *game_creatures(const Game *g);
/* Turns since the world began, and the time of day in minutes (0..1439). */
int64_t game_clock(const Game *g);
int game_minute_of_day(const Game *g);
/* 1 at night (20:00 to 06:00). */
int game_is_night(const Game *g);
/* The season of the game calendar (calendar.h): 0 spring, 1 summer, 2 autumn, 3 winter, each
 * CALENDAR_SEASON_DAYS days long, the first day of the world being the first of spring. */
int game_season(const Game *g);

/* Carries out a, commits, and reports in *res. Returns MA_OK even when the
 * action could not be done (res->ok = 0 says why); an error return means
 * the save failed and nothing of the action was kept. */
int game_apply(Game *g, const Action *a, ActionResult *res, Err *err);

/* Where a step from (x, y, z) in direction d would take the player, by the rules of a move
 * (walk, climb one block, swim out two, then fall): 1 with the cell in to, the blocks fallen in
 * *fall and whether it ends in a liquid in *into_liquid (either may be NULL), or 0 when the way
 * is blocked. Changes nothing: for planning a walk (travel). Creatures and villagers, who move,
 * are not counted. */
int game_step_to(Game *g, int32_t x, int32_t y, int32_t z, Dir d, int32_t to[3], int *fall, int *into_liquid);

/* A walk of the fewest steps from the player to the nearest cell (x, z) within radius (a square)
 * for which goal(x, y, z, ud) is true (y: the level of the feet there, as the walk reaches it),
 * each step by game_step_to, never through a fall that hurts
 * (more than 3 blocks, not into water) or into lava, and round the cells where a creature or a
 * villager stands now (but onto one that is a goal). Fills path with its first steps (at most
 * max) and *gx, *gz with the cell reached; returns how many steps it has (0: the player's own
 * cell is a goal; at most max), or -1 when no goal can be reached. Changes nothing. */
int game_plan_walk(Game *g, int radius, int (*goal)(int32_t x, int32_t y, int32_t z, void *ud), void *ud, Dir *path,
                   int max,
                   int32_t *gx, int32_t *gz);

/* The longest walk game_walk takes, in steps. */
#define GAME_WALK_MAX 200
/* ACT_WALK (game_apply hands it here): walks to cell (a->x, a->z) by the fewest steps
 * (game_plan_walk), each step a move action of its own through game_apply, committed as it is
 * taken. Stops when a step is refused, goes elsewhere than planned (someone stepped in the way:
 * the move attacked them) or hurts; what was walked stays. res: "ok" and "You walk N steps to
 * (x, z)." when there, else refused with how far it got and why ("no way there from here",
 * "stopped after 5 steps: ..."); the steps' own events in between. */
int game_walk(Game *g, const Action *a, ActionResult *res, Err *err);

/* The character's inventory (see characters.h). */
int game_inventory(Game *g, InventoryRow **rows, int *n, Err *err);
/* The state printed at the end of `play --script`: world, character,
 * position, health, inventory, turns. Caller deletes. */
cJSON *game_state_json(Game *g, Err *err);

const WorldMods *game_world_mods(const Game *g);
/* Reads again what changed in the save beside the game (agents, sync): the
 * world's balance and active events. Call it between actions. */
int game_refresh(Game *g, Err *err);

/* Called at the end of every action, inside its transaction (after the
 * player and the clock are written, before the commit), with the clock
 * before the action: the agents use it to run for the time the action took
 * and to add a line or two to its events, so that the action and the world's
 * answer to it are saved together. One hook per game. */
typedef void (*GameAfterFn)(Game *g, int64_t clock_before, ActionResult *r, void *ud);
/* Called when that transaction has ended: committed, or rolled back (then
 * nothing the hook wrote is saved). May be NULL. */
typedef void (*GameEndFn)(Game *g, int committed, void *ud);
void game_set_after_action(Game *g, GameAfterFn fn, GameEndFn end, void *ud);

/* Name of the block at a position, with underscores as spaces ("oak log"). */
const char *game_block_label(const Game *g, BlockId id, char *buf, size_t size);

#endif
