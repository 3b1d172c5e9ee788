/* agents_llm_internal.h — for agents_llm.c and agents_llm_prompt.c only: one
 * LLM job, and the builders of its prompt from the save. */
#ifndef MA_AGENTS_LLM_INTERNAL_H
#define MA_AGENTS_LLM_INTERNAL_H

#include <cJSON.h>

#include "agents/agents_llm.h"
#include "game/quest.h"
#include "net/llm.h"
#include "net/llm_reply.h"

/* One job: plain data. The worker reads kind, user and the config only, and
 * writes answer; everything else is the main thread's. */
typedef struct LlmJob {
    LlmKind kind;
    int agent;                /* the AgentType it writes for */
    int64_t agent_id;
    int64_t world_id;
    int64_t source_entry;     /* the agent's evolution entry; 0 for a line */
    int64_t row_id;           /* quests / world_events / story_branches id; a line: the villager's characters row */
    int n_obj;
    int64_t obj_rows[QUEST_MAX_OBJECTIVES];
    char obj_ids[QUEST_MAX_OBJECTIVES][48];
    cJSON *offline;           /* the texts as the offline rules wrote them (what the reply replaces) */
    /* a line */
    char entity[48], who[120];
    int64_t character_id, day;
    /* the prompt */
    char *user;
    char *echo;               /* instructions and context a reply may not repeat */
    cJSON *sections;          /* [{"name", "tokens", "cut"}] */
    int attempt;              /* 1, then 2 when asked again with the reason */
    char retry_why[300];
    /* written by the worker */
    LlmAnswer answer;
} LlmJob;

LlmJob *llm_job_new(LlmKind kind);
void llm_job_free(LlmJob *j);

/* Build a job's prompt (user, echo, sections, offline and ids) from the save,
 * inside whatever transaction is open. */
int llm_prompt_quest(Save *s, int64_t world_id, int64_t quest_id, int64_t turn, LlmJob *j, Err *err);
int llm_prompt_event(Save *s, int64_t world_id, int64_t event_id, int64_t turn, LlmJob *j, Err *err);
int llm_prompt_branch(Save *s, int64_t world_id, int64_t branch_id, int64_t turn, LlmJob *j, Err *err);
/* A villager's line: npc is the villager's characters row, player the player's. */
int llm_prompt_line(Save *s, int64_t world_id, int64_t npc_id, int64_t player_id, const char *greeting,
                    int64_t turn, LlmJob *j, Err *err);

#endif
