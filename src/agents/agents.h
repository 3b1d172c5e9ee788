/* agents.h — the six agents of the design that make the world live:
 * story_weaver, world_builder, character_master, quest_generator,
 * event_coordinator and balance_keeper.
 *
 * Each is a row of ai_agents per world (named "TYPE@WORLD_ID"; its
 * configuration and current_state JSON), with its own rules (one file each in src/agents/)
 * and settings (data/agents.json, data/balance.json). They run on the game
 * clock, never per frame: three ticks a day (06:00, 12:00, 19:00);
 * character_master at every tick, the others at 06:00. Each agent's run of a
 * tick is one transaction: its changes, their evolution log entries
 * (evolution.h) and its new state together. The same seed, the same days and
 * the same player actions give the same changes: every roll comes from a
 * PRNG seeded by the world seed, the agent and the tick.
 *
 * What the player does reaches the agents as deeds (agent_memory rows of type
 * "deed": a quest completed, creatures slain, a death), noted after each
 * action; agents also remember facts (a villager's need) with an expiry on the
 * game clock, and read each other's memories. */
#ifndef MA_AGENTS_AGENTS_H
#define MA_AGENTS_AGENTS_H

#include <stdint.h>

#include "game/game.h"
#include "save/save.h"
#include "world/world.h"

typedef enum AgentType {
    AGENT_STORY_WEAVER,
    AGENT_WORLD_BUILDER,
    AGENT_CHARACTER_MASTER,
    AGENT_QUEST_GENERATOR,
    AGENT_EVENT_COORDINATOR,
    AGENT_BALANCE_KEEPER,
    AGENT_COUNT
} AgentType;

const char *agent_type_name(AgentType t);
/* The type named (story_weaver ...), or -1. */
int agent_type_parse(const char *name);

typedef struct Agents Agents;

/* Opens the agents of world w (its save s), creating their six rows when
 * missing (in a transaction of its own). New agents start at the world's
 * present: they do not act for days before they existed. */
int agents_open(Save *s, World *w, Agents **out, Err *err);
void agents_close(Agents *a);

/* One line for each change an agent made (and for days skipped). */
typedef void (*AgentReportFn)(AgentType who, int64_t entry_id, const char *type, const char *line, void *ud);

/* Runs every agent due at each tick after the ones they have run, up to the
 * tick of turn `to_turn`: only the agents in `mask` (bit 1 << AgentType; -1
 * all). At most max_ticks ticks are run: older ones are skipped (reported).
 * Stops at the first failure (that tick rolled back, err set). Returns the
 * number of ticks run, or a negative status. */
int agents_advance(Agents *a, int64_t to_turn, int mask, int max_ticks, AgentReportFn report, void *ud, Err *err);

/* The turn of the last tick every agent has run (the agents' present). */
int64_t agents_present(Agents *a);

/* Notes the player characters' deeds since the last call (quests completed,
 * creatures slain, deaths) as memories, in a transaction of its own, and
 * returns how many were new. */
int agents_note_deeds(Agents *a, int64_t turn, Err *err);

/* Attaches the agents to a game: after every action they note deeds and run
 * for the ticks the action crossed, adding a line or two to the action's
 * events. Catches up first, at most AGENTS_CATCH_UP_DAYS days (the rest
 * are skipped and said), writing what happened into *away (may be NULL).
 * The Agents belong to the game's world; agents_detach before game_close. */
#define AGENTS_CATCH_UP_DAYS 7
int agents_attach(Game *g, Agents **out, ActionResult *away, Err *err);
void agents_detach(Game *g, Agents *a);

/* The newest evolution entry the player's character has seen in the chronicle (0 none), and
 * marking one seen (a unit of work of its own; ignored inside another). */
int64_t agents_chronicle_seen(Game *g);
int agents_chronicle_mark(Game *g, int64_t entry_id, Err *err);

#endif
