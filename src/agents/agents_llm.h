/* agents_llm.h — an LLM endpoint writing for the agents and the villagers,
 * without ever deciding anything or making anyone wait.
 *
 * The agents stay deterministic: an agent writes its offline text at once,
 * in its own transaction, as it always does. When an AgentsLlm is attached
 * (agents_llm_attach), the agent also asks for that text to be rewritten
 * (quest titles, descriptions and objective texts; event names and
 * descriptions; a new story branch's choice and passage, with optional
 * conditions and consequences). The request is queued only once the agent's
 * run has committed, and runs on a worker thread (src/net/worker.h) with a
 * context built from the save (world facts, the rows concerned, recent deeds,
 * a summary, each within a token budget).
 *
 * The answer is taken on the main thread by agents_llm_poll, between keys in
 * the client, between actions in `play --script`: validated in C
 * (src/net/llm_reply.h); a refused reply is asked again once with the reason,
 * then the offline text stays and the report says so. A valid one is applied
 * in a transaction of its own as a new evolution entry of type "llm" that
 * touches the same rows, with reasoning {"source": "llm", "model", "usage",
 * "prompt_sections", "reply", "rewrites": the agent's entry}. Rolling that
 * entry back restores the offline text; rolling the agent's entry back takes
 * the rewrite with it (cascade). A text is asked for once, when the agent
 * writes it, and never again: a rollback or a replay of the log uses the
 * stored text.
 *
 * Villagers: after a talk, agents_llm_talk asks for the villager's line (the
 * offline greeting has been shown already); it arrives through the report,
 * and is kept in agent_memory (type "line") so that talking again the same
 * game day repeats it instead of asking again.
 *
 * Caps: requests a minute (on the worker), tokens a game day (counted from
 * each reply's usage, kept in agent_memory "llm_usage"), a queue of at most
 * AGENTS_LLM_QUEUE jobs; after AGENTS_LLM_TRIP failures to reach the
 * endpoint in a row, nothing is asked for AGENTS_LLM_REST seconds. */
#ifndef MA_AGENTS_AGENTS_LLM_H
#define MA_AGENTS_AGENTS_LLM_H

#include <stdint.h>

#include "agents/agents.h"
#include "game/game.h"
#include "net/llm.h"

#define AGENTS_LLM_QUEUE 16
#define AGENTS_LLM_TRIP 3
#define AGENTS_LLM_REST 60

typedef struct AgentsLlm AgentsLlm;

/* What the report says. */
typedef enum AgentsLlmNote {
    AGENTS_LLM_SPOKE,    /* a villager's line: "Mara the farmer: \"...\"" */
    AGENTS_LLM_REWROTE,  /* a text of the world was rewritten: "#12 quest: ..." */
    AGENTS_LLM_FELL_BACK,/* a job gave up: the offline text stays, and why */
    AGENTS_LLM_INFO,     /* the session's own news (resting, budget spent) */
} AgentsLlmNote;
typedef void (*AgentsLlmReportFn)(AgentsLlmNote kind, const char *text, void *ud);

/* Opens a session for world w of save s (the agents' rows are made when
 * missing) with the endpoint of cfg (which must be on), starting its
 * worker. */
int agents_llm_open(Save *s, World *w, const LlmConfig *cfg, AgentsLlm **out, Err *err);
/* Cancels what is in flight, drops what is queued, joins the worker. */
void agents_llm_close(AgentsLlm *l);
/* The agents' rewrites go through l from now on (NULL: no more). Call it
 * after agents_open / agents_attach; detach before closing either. */
void agents_llm_attach(Agents *a, AgentsLlm *l);

/* After an ACT_TALK of game g: asks for the line of the villager the player
 * talks to. A line already written for this villager, player and game day is
 * reported at once (returns 1); else a job is queued (0). Negative: an error
 * of the save. */
int agents_llm_talk(AgentsLlm *l, Game *g, AgentsLlmReportFn report, void *ud, Err *err);

/* Takes every answer that is ready, without waiting: applies what is valid,
 * asks again once what is not, reports each outcome. g (may be NULL) is
 * refreshed after a change; turn is the game clock now. Returns how many
 * jobs ended, or a negative status (the save failed; the job is dropped). */
int agents_llm_poll(AgentsLlm *l, Game *g, int64_t turn, AgentsLlmReportFn report, void *ud, Err *err);
/* Polls until nothing is pending or timeout_ms passed (for play --script and
 * other runs where no player waits). Returns the jobs still pending. */
int agents_llm_drain(AgentsLlm *l, Game *g, int64_t turn, int timeout_ms, AgentsLlmReportFn report, void *ud,
                     Err *err);
/* Jobs queued, in flight or answered and not yet taken. */
int agents_llm_pending(AgentsLlm *l);

/* What the session did so far. */
typedef struct AgentsLlmStats {
    int asked, applied, fell_back, retried, spoke;
    long tokens_today;
} AgentsLlmStats;
void agents_llm_stats(const AgentsLlm *l, AgentsLlmStats *out);

#endif
