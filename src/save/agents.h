/* agents.h — the AI agent tables: ai_agents (the six kinds of agent and
 * their state), agent_memory (what an agent keeps about a world, until it
 * expires) and world_evolution_log (every change an agent made to a world,
 * with its reasoning, kept for audit and rollback).
 *
 * Follows worlds.h: a plain struct per row, JSON columns as owned cJSON
 * trees, a *_row_clear for them, functions that return MA_OK or a negative
 * MaStatus with err filled, and heap arrays for lists that the caller frees
 * with the matching *_list_free. Times are ISO-8601 UTC text; a time passed
 * in is stored in that form, and a malformed one is MA_ERR_INVALID. */
#ifndef MA_SAVE_AGENTS_H
#define MA_SAVE_AGENTS_H

#include <stdint.h>

#include <cJSON.h>

#include "save/save.h"

/* ------------------------------------------------------------ ai_agents */

typedef struct AgentRow {
    int64_t id;
    char agent_name[65];
    char agent_type[33];   /* story_weaver, world_builder, character_master,
                              quest_generator, event_coordinator, balance_keeper */
    cJSON *configuration;  /* owned; a JSON object; NULL on insert means {} */
    cJSON *current_state;  /* owned; a JSON object; NULL on insert means {} */
    int is_active;         /* written as given: a zeroed row inserts an inactive agent */
    char created_at[32];
    char last_activity[32]; /* "": never active yet */
} AgentRow;

void agent_row_clear(AgentRow *r);

/* Inserts r; fills id and created_at. A name already taken or an agent_type
 * that is not one of the six is MA_ERR_CONSTRAINT; a configuration or state
 * that is not a JSON object is MA_ERR_INVALID. */
int agents_insert(Save *s, AgentRow *r, Err *err);
int agents_get(Save *s, int64_t id, AgentRow *out, Err *err);
int agents_get_by_name(Save *s, const char *name, AgentRow *out, Err *err);
/* Every agent by id, only the active ones when active_only. */
int agents_list(Save *s, int active_only, AgentRow **out, int *n, Err *err);
void agents_list_free(AgentRow *rows, int n);
/* Replace one part of agent id: its configuration or its current state (each
 * a JSON object; NULL means {}), or whether it is active. */
int agents_update_configuration(Save *s, int64_t id, const cJSON *configuration, Err *err);
int agents_update_state(Save *s, int64_t id, const cJSON *current_state, Err *err);
int agents_set_active(Save *s, int64_t id, int is_active, Err *err);
/* Sets last_activity of agent id to at (NULL or "" means now). */
int agents_touch(Save *s, int64_t id, const char *at, Err *err);
/* Deletes the agent and its memories; its evolution log entries stay, with
 * no agent (agent_id 0). */
int agents_delete(Save *s, int64_t id, Err *err);

/* ------------------------------------------------------------ agent_memory */

typedef struct MemoryRow {
    int64_t id;
    int64_t agent_id;
    int64_t world_id;
    char memory_type[33];
    cJSON *memory_data;   /* owned; NULL on insert means {} */
    char created_at[32];  /* "" on insert means now */
    char expires_at[32];  /* "": kept until forgotten; else after created_at */
} MemoryRow;

void memory_row_clear(MemoryRow *r);

/* Stores a memory; fills id and created_at. A missing agent or world, or an
 * expires_at not after created_at, is MA_ERR_CONSTRAINT. */
int memory_remember(Save *s, MemoryRow *r, Err *err);
/* What agent_id remembers about world_id as of the time as_of: the memories
 * that have not expired by then, oldest first. */
int memory_list(Save *s, int64_t agent_id, int64_t world_id, const char *as_of, MemoryRow **out, int *n,
                Err *err);
/* Every agent's memories of one type about world_id, not expired as of as_of
 * (agents read what the others learned), oldest first. */
int memory_list_type(Save *s, int64_t world_id, const char *memory_type, const char *as_of, MemoryRow **out, int *n,
                     Err *err);
void memory_list_free(MemoryRow *rows, int n);
/* Deletes every memory (of any agent) that expired at or before as_of;
 * *forgotten (may be NULL) receives how many. */
int memory_forget_expired(Save *s, const char *as_of, int64_t *forgotten, Err *err);
/* Deletes one memory; a missing one is not an error. */
int memory_delete(Save *s, int64_t id, Err *err);

/* ------------------------------------------------------------ world_evolution_log */

typedef struct EvolutionRow {
    int64_t id;
    int64_t world_id;
    int64_t agent_id;       /* 0: no agent (or the agent was deleted) */
    char evolution_type[33];
    cJSON *changes_made;    /* owned; required */
    cJSON *reasoning;       /* owned; NULL on append means {} */
    char applied_at[32];    /* "" on append means now */
    int is_active;          /* 1: applied; 0: rolled back */
} EvolutionRow;

void evolution_row_clear(EvolutionRow *r);

/* Appends an applied change (is_active 1); fills id, applied_at, is_active.
 * changes_made NULL is MA_ERR_INVALID; a missing world or agent is
 * MA_ERR_CONSTRAINT. */
int evolution_append(Save *s, EvolutionRow *r, Err *err);
int evolution_get(Save *s, int64_t id, EvolutionRow *out, Err *err);
/* A world's log in the order the changes were applied (applied_at, then id),
 * only the ones not rolled back when active_only. */
int evolution_list(Save *s, int64_t world_id, int active_only, EvolutionRow **out, int *n, Err *err);
void evolution_list_free(EvolutionRow *rows, int n);
/* Marks entry id rolled back (is_active 0). The entry stays for audit. An
 * entry already rolled back is refused with MA_ERR_CONSTRAINT, so a change is
 * undone once. */
int evolution_rollback_mark(Save *s, int64_t id, Err *err);

/* How many entries a world's evolution log holds and about how many bytes they and their index
 * take (the JSON text and the row overhead), for the benchmark. */
int evolution_log_size(Save *s, int64_t world_id, int64_t *entries, int64_t *bytes, Err *err);

#endif
