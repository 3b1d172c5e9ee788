/* agent_internal.h — for the files of src/agents/ only: the Agents, the
 * context of one agent's run, and the helpers every agent builds on. */
#ifndef MA_AGENTS_INTERNAL_H
#define MA_AGENTS_INTERNAL_H

#include <cJSON.h>

#include "agents/agents.h"
#include "agents/evolution.h"
#include "game/calendar.h"
#include "game/creatures.h"
#include "game/items.h"
#include "net/llm_reply.h"
#include "save/agents.h"
#include "util/prng.h"
#include "world/generator.h"

#define AGENT_MAX_PLAYERS 16
#define TICKS_PER_DAY 3

typedef struct AgentPlayer {
    int64_t id;
    char name[65];
    int level;
    int32_t x, y, z;
} AgentPlayer;

struct Agents {
    Save *s;
    World *w;
    int64_t world_id;
    uint64_t seed;
    cJSON *config;  /* data/agents.json */
    cJSON *balance; /* data/balance.json */
    CreatureBook *creatures;
    ItemRegistry *items;
    int64_t ids[AGENT_COUNT];
    Game *game; /* when attached: its player is guarded too, and refreshed after a run */
    struct AgentsLlm *llm; /* agents_llm_attach: rewrites of the texts agents write; NULL: none */
};

/* One agent's run of one tick (or of a deed). */
typedef struct AgentCtx {
    Agents *a;
    AgentType type;
    int64_t agent_id;
    int64_t tick, day;
    int phase;          /* 0: 06:00, 1: 12:00, 2: 19:00 */
    int64_t turn;       /* the game turn of the tick */
    Prng rng;
    const cJSON *conf;  /* this agent's entry of data/agents.json */
    cJSON *state;       /* its current_state, saved with the run */
    AgentPlayer players[AGENT_MAX_PLAYERS];
    int n_players;
    AgentReportFn report;
    void *ud;
    int changes;        /* entries written by this run */
} AgentCtx;

/* The rules of each agent (one file each). */
int story_weaver_run(AgentCtx *c, Err *err);
int world_builder_run(AgentCtx *c, Err *err);
int character_master_run(AgentCtx *c, Err *err);
int quest_generator_run(AgentCtx *c, Err *err);
int event_coordinator_run(AgentCtx *c, Err *err);
int balance_keeper_run(AgentCtx *c, Err *err);

/* A new Evo for this run, with every player's chunk column guarded. */
Evo *agent_evo(AgentCtx *c);
/* Commits e as an entry of this agent (reasoning taken) and reports its summary. */
int agent_commit(AgentCtx *c, Evo *e, const char *type, cJSON *reasoning, int64_t *entry_id, Err *err);

/* Structures of a kind ("village", "ruins", "dungeon", "shrine"; NULL any)
 * within radius blocks of any player, each once, nearest first. */
int agent_places(AgentCtx *c, const char *type, int radius, GenStructure *out, int max);
/* The y of the top solid block at (x, z) below y 200, or -1. */
int agent_ground(AgentCtx *c, int32_t x, int32_t z);
/* Whether (x, z) is in a player's chunk column. */
int agent_guarded(AgentCtx *c, int32_t x, int32_t z);

/* The LLM (agents_llm.c). After entry entry_id wrote row row_id (a quest, a
 * world event, a story branch: kind LLM_QUEST, LLM_EVENT, LLM_BRANCH), asks
 * for its texts to be rewritten. Nothing happens without an LLM attached, so
 * an agent behaves the same with or without one. The request is only staged:
 * it goes out when the run commits (agents_llm_run_end, called by the
 * runner), and is dropped when the run rolls back. */
int agent_llm_rewrite(AgentCtx *c, LlmKind kind, int64_t row_id, int64_t entry_id, Err *err);
/* The staged requests go out (committed) or are dropped: called when the
 * transaction that holds the runs ends (the run's own, or the player's
 * action that the runs were part of). */
void agents_llm_run_end(Agents *a, int committed);
/* How many requests are staged: a mark for agents_llm_drop_from, which drops
 * those staged since (a run undone to its savepoint inside an action). */
int agents_llm_staged(const Agents *a);
void agents_llm_drop_from(Agents *a, int mark);

/* Remembers a memory of this agent (data taken), forgotten at expires_turn
 * (-1: kept). */
int agent_remember(AgentCtx *c, const char *type, cJSON *data, int64_t expires_turn, Err *err);
/* The memories of a type, of any agent of this world, not expired at the
 * run's turn (each agent reads what the others learned). Caller frees with
 * memory_list_free. */
int agent_recall(AgentCtx *c, const char *type, MemoryRow **out, int *n, Err *err);

/* Villager entities (type "npc") in the chunks of a structure's box: their
 * JSON (borrowed from the chunk) and chunk coordinates. */
typedef struct AgentVillager {
    cJSON *e;
    int32_t cx, cy, cz;
    int32_t x, y, z; /* world coordinates */
} AgentVillager;
int agent_villagers(AgentCtx *c, const GenStructure *place, AgentVillager *out, int max, Err *err);

/* Text helpers: "{key}" in tpl replaced from vars (pairs: key, value, ..., NULL). */
void agent_fill(char *buf, size_t size, const char *tpl, ...);
const char *agent_sfield(const cJSON *o, const char *k, const char *fallback);
double agent_nfield(const cJSON *o, const char *k, double fallback);
/* A key chosen by weight from an object {key: weight}. */
const char *agent_pick_weighted(AgentCtx *c, const cJSON *weights);

#endif
