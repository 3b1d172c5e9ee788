/* agents.c — ai_agents, agent_memory and world_evolution_log.
 *
 * The schema's ON DELETE choices matter here: deleting an agent deletes its
 * memories, but its log entries stay with agent_id NULL (read as 0), since
 * the log is the world's audit trail. Rolling back a change is the game's
 * work; this file only records that it happened (is_active = 0). */
#include "save/agents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/save_internal.h"
#include "util/timeutil.h"

#define AGENT_COLS "id, agent_name, agent_type, configuration, current_state, is_active, created_at, last_activity"
#define MEMORY_COLS "id, agent_id, world_id, memory_type, memory_data, created_at, expires_at"
#define EVOLUTION_COLS "id, world_id, agent_id, evolution_type, changes_made, reasoning, applied_at, is_active"

static const char sql_agent_exists[] = "SELECT 1 FROM ai_agents WHERE id = ?";

/* ------------------------------------------------------------ shared helpers */

static void bind_id_or_null(sqlite3_stmt *st, int i, int64_t id)
{
    if (id > 0)
        sqlite3_bind_int64(st, i, id);
    else
        sqlite3_bind_null(st, i);
}


/* Runs an UPDATE of one agent and reports a missing one. */
static int update_agent(Save *s, sqlite3_stmt *st, int64_t id, Err *err, const char *what)
{
    int rc = save_step_done(s, st, err, what);
    if (rc == MA_OK && sqlite3_changes(s->db) == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no AI agent with id %lld", s->path, (long long)id);
    return rc;
}

/* ------------------------------------------------------------ ai_agents */

void agent_row_clear(AgentRow *r)
{
    if (!r)
        return;
    cJSON_Delete(r->configuration);
    cJSON_Delete(r->current_state);
    r->configuration = r->current_state = NULL;
}

static void read_agent(sqlite3_stmt *st, void *row)
{
    AgentRow *r = row;
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, r->agent_name, sizeof r->agent_name);
    save_col_copy(st, 2, r->agent_type, sizeof r->agent_type);
    r->configuration = save_col_json(st, 3);
    r->current_state = save_col_json(st, 4);
    r->is_active = sqlite3_column_int(st, 5);
    save_col_copy(st, 6, r->created_at, sizeof r->created_at);
    save_col_copy(st, 7, r->last_activity, sizeof r->last_activity);
}

static void clear_agent(void *row)
{
    agent_row_clear(row);
}

int agents_insert(Save *s, AgentRow *r, Err *err)
{
    static const char sql[] =
        "INSERT INTO ai_agents (agent_name, agent_type, configuration, current_state, is_active) "
        "VALUES (?, ?, ?, ?, ?) RETURNING id, created_at";
    char what[160];
    snprintf(what, sizeof what, "adding the AI agent '%.64s' of type '%.32s'", r->agent_name, r->agent_type);
    if (save_need_object(s, r->configuration, err, what, "ai_agents.configuration") != MA_OK ||
        save_need_object(s, r->current_state, err, what, "ai_agents.current_state") != MA_OK)
        return save_failed(err);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_text(st, 1, r->agent_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->agent_type, -1, SQLITE_STATIC);
    save_bind_json(st, 3, r->configuration, "{}");
    save_bind_json(st, 4, r->current_state, "{}");
    sqlite3_bind_int(st, 5, r->is_active ? 1 : 0);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_CONSTRAINT_UNIQUE)
            return err_set(err, MA_ERR_CONSTRAINT, "%s: %s: an agent with that name already exists", s->path, what);
        /* SQLite quotes only the first line of the multi-line CHECK; the list
         * below is that CHECK's (001_initial_schema.sql). */
        if (rc == SQLITE_CONSTRAINT_CHECK && strstr(sqlite3_errmsg(s->db), "agent_type IN"))
            return err_set(err, MA_ERR_CONSTRAINT,
                           "%s: %s: agent_type must be one of story_weaver, world_builder, character_master, "
                           "quest_generator, event_coordinator, balance_keeper",
                           s->path, what);
        return save_db_error(s, rc, err, what);
    }
    r->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, r->created_at, sizeof r->created_at);
    sqlite3_reset(st);
    return MA_OK;
}

int agents_get(Save *s, int64_t id, AgentRow *out, Err *err)
{
    static const char sql[] = "SELECT " AGENT_COLS " FROM ai_agents WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    char missing[48];
    snprintf(missing, sizeof missing, "AI agent with id %lld", (long long)id);
    return save_get_row(s, st, read_agent, out, err, "reading an AI agent", missing);
}

int agents_get_by_name(Save *s, const char *name, AgentRow *out, Err *err)
{
    static const char sql[] = "SELECT " AGENT_COLS " FROM ai_agents WHERE agent_name = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    char missing[96];
    snprintf(missing, sizeof missing, "AI agent named '%.64s'", name);
    return save_get_row(s, st, read_agent, out, err, "reading an AI agent", missing);
}

int agents_list(Save *s, int active_only, AgentRow **out, int *n, Err *err)
{
    static const char sql[] = "SELECT " AGENT_COLS " FROM ai_agents WHERE ?1 = 0 OR is_active = 1 ORDER BY id";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int(st, 1, active_only ? 1 : 0);
    void *rows;
    int rc = save_collect_rows(s, st, sizeof **out, read_agent, clear_agent, &rows, n, err, "listing the AI agents");
    *out = rows;
    return rc;
}

void agents_list_free(AgentRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        agent_row_clear(&rows[i]);
    free(rows);
}

int agents_update_configuration(Save *s, int64_t id, const cJSON *configuration, Err *err)
{
    static const char sql[] = "UPDATE ai_agents SET configuration = ? WHERE id = ?";
    char what[80];
    snprintf(what, sizeof what, "updating the configuration of AI agent %lld", (long long)id);
    if (save_need_object(s, configuration, err, what, "ai_agents.configuration") != MA_OK)
        return save_failed(err);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    save_bind_json(st, 1, configuration, "{}");
    sqlite3_bind_int64(st, 2, id);
    return update_agent(s, st, id, err, what);
}

int agents_update_state(Save *s, int64_t id, const cJSON *current_state, Err *err)
{
    static const char sql[] = "UPDATE ai_agents SET current_state = ? WHERE id = ?";
    char what[80];
    snprintf(what, sizeof what, "updating the state of AI agent %lld", (long long)id);
    if (save_need_object(s, current_state, err, what, "ai_agents.current_state") != MA_OK)
        return save_failed(err);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    save_bind_json(st, 1, current_state, "{}");
    sqlite3_bind_int64(st, 2, id);
    return update_agent(s, st, id, err, what);
}

int agents_set_active(Save *s, int64_t id, int is_active, Err *err)
{
    static const char sql[] = "UPDATE ai_agents SET is_active = ? WHERE id = ?";
    char what[80];
    snprintf(what, sizeof what, "%s AI agent %lld", is_active ? "activating" : "deactivating", (long long)id);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int(st, 1, is_active ? 1 : 0);
    sqlite3_bind_int64(st, 2, id);
    return update_agent(s, st, id, err, what);
}

int agents_touch(Save *s, int64_t id, const char *at, Err *err)
{
    static const char sql[] =
        "UPDATE ai_agents SET last_activity = COALESCE(?, " NOW_SQL ") WHERE id = ?";
    char what[80];
    snprintf(what, sizeof what, "recording activity of AI agent %lld", (long long)id);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    if (save_bind_time(s, st, 1, at, err, what, "the time") != MA_OK)
        return save_failed(err);
    sqlite3_bind_int64(st, 2, id);
    return update_agent(s, st, id, err, what);
}

int agents_delete(Save *s, int64_t id, Err *err)
{
    return save_exec_id(s, "DELETE FROM ai_agents WHERE id = ?", id, err, "deleting an AI agent");
}

/* ------------------------------------------------------------ agent_memory */

void memory_row_clear(MemoryRow *r)
{
    if (!r)
        return;
    cJSON_Delete(r->memory_data);
    r->memory_data = NULL;
}

static void read_memory(sqlite3_stmt *st, void *row)
{
    MemoryRow *r = row;
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->agent_id = sqlite3_column_int64(st, 1);
    r->world_id = sqlite3_column_int64(st, 2);
    save_col_copy(st, 3, r->memory_type, sizeof r->memory_type);
    r->memory_data = save_col_json(st, 4);
    save_col_copy(st, 5, r->created_at, sizeof r->created_at);
    save_col_copy(st, 6, r->expires_at, sizeof r->expires_at);
}

static void clear_memory(void *row)
{
    memory_row_clear(row);
}

int memory_remember(Save *s, MemoryRow *r, Err *err)
{
    static const char sql[] =
        "INSERT INTO agent_memory (agent_id, world_id, memory_type, memory_data, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, COALESCE(?, " NOW_SQL "), ?) "
        "RETURNING id, created_at, expires_at";
    char what[160], missing[96];
    snprintf(what, sizeof what, "storing a '%.32s' memory of AI agent %lld about world %lld", r->memory_type,
             (long long)r->agent_id, (long long)r->world_id);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, r->agent_id);
    sqlite3_bind_int64(st, 2, r->world_id);
    sqlite3_bind_text(st, 3, r->memory_type, -1, SQLITE_STATIC);
    save_bind_json(st, 4, r->memory_data, "{}");
    if (save_bind_time(s, st, 5, r->created_at, err, what, "created_at") != MA_OK ||
        save_bind_time(s, st, 6, r->expires_at, err, what, "expires_at") != MA_OK)
        return save_failed(err);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY && save_row_exists(s, sql_agent_exists, r->agent_id))
            snprintf(missing, sizeof missing, "there is no world %lld", (long long)r->world_id);
        else
            snprintf(missing, sizeof missing, "there is no AI agent %lld", (long long)r->agent_id);
        return save_write_error(s, rc, err, what, missing);
    }
    r->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, r->created_at, sizeof r->created_at);
    save_col_copy(st, 2, r->expires_at, sizeof r->expires_at);
    sqlite3_reset(st);
    return MA_OK;
}

int memory_list(Save *s, int64_t agent_id, int64_t world_id, const char *as_of, MemoryRow **out, int *n, Err *err)
{
    static const char sql[] =
        "SELECT " MEMORY_COLS " FROM agent_memory WHERE world_id = ? AND agent_id = ? "
        "AND (expires_at IS NULL OR expires_at > ?) ORDER BY created_at, id";
    const char *what = "listing an AI agent's memories";
    *out = NULL;
    *n = 0;
    if (!as_of || !as_of[0])
        return err_set(err, MA_ERR_INVALID, "%s: %s: no time given", s->path, what);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_int64(st, 2, agent_id);
    if (save_bind_time(s, st, 3, as_of, err, what, "the time") != MA_OK)
        return save_failed(err);
    void *rows;
    int rc = save_collect_rows(s, st, sizeof **out, read_memory, clear_memory, &rows, n, err, what);
    *out = rows;
    return rc;
}

int memory_list_type(Save *s, int64_t world_id, const char *memory_type, const char *as_of, MemoryRow **out, int *n,
                     Err *err)
{
    static const char sql[] =
        "SELECT " MEMORY_COLS " FROM agent_memory WHERE world_id = ? AND memory_type = ? "
        "AND (expires_at IS NULL OR expires_at > ?) ORDER BY created_at, id";
    const char *what = "listing the agents' memories";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    save_bind_text(st, 2, memory_type);
    if (save_bind_time(s, st, 3, as_of, err, what, "the time") != MA_OK)
        return save_failed(err);
    void *rows;
    int rc = save_collect_rows(s, st, sizeof **out, read_memory, clear_memory, &rows, n, err, what);
    *out = rows;
    return rc;
}

void memory_list_free(MemoryRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        memory_row_clear(&rows[i]);
    free(rows);
}

int memory_forget_expired(Save *s, const char *as_of, int64_t *forgotten, Err *err)
{
    static const char sql[] = "DELETE FROM agent_memory WHERE expires_at IS NOT NULL AND expires_at <= ?";
    const char *what = "forgetting expired AI agent memories";
    if (forgotten)
        *forgotten = 0;
    if (!as_of || !as_of[0])
        return err_set(err, MA_ERR_INVALID, "%s: %s: no time given", s->path, what);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    if (save_bind_time(s, st, 1, as_of, err, what, "the time") != MA_OK)
        return save_failed(err);
    int rc = save_step_done(s, st, err, what);
    if (rc == MA_OK && forgotten)
        *forgotten = sqlite3_changes(s->db);
    return rc;
}

int memory_delete(Save *s, int64_t id, Err *err)
{
    return save_exec_id(s, "DELETE FROM agent_memory WHERE id = ?", id, err, "deleting an AI agent memory");
}

/* ------------------------------------------------------------ world_evolution_log */

void evolution_row_clear(EvolutionRow *r)
{
    if (!r)
        return;
    cJSON_Delete(r->changes_made);
    cJSON_Delete(r->reasoning);
    r->changes_made = r->reasoning = NULL;
}

static void read_evolution(sqlite3_stmt *st, void *row)
{
    EvolutionRow *r = row;
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->world_id = sqlite3_column_int64(st, 1);
    r->agent_id = sqlite3_column_int64(st, 2); /* NULL reads as 0 */
    save_col_copy(st, 3, r->evolution_type, sizeof r->evolution_type);
    r->changes_made = save_col_json(st, 4);
    r->reasoning = save_col_json(st, 5);
    save_col_copy(st, 6, r->applied_at, sizeof r->applied_at);
    r->is_active = sqlite3_column_int(st, 7);
}

static void clear_evolution(void *row)
{
    evolution_row_clear(row);
}

int evolution_append(Save *s, EvolutionRow *r, Err *err)
{
    static const char sql[] =
        "INSERT INTO world_evolution_log (world_id, agent_id, evolution_type, changes_made, reasoning, applied_at, "
        "is_active) VALUES (?, ?, ?, ?, ?, COALESCE(?, " NOW_SQL "), 1) "
        "RETURNING id, applied_at, is_active";
    char what[128], missing[96];
    snprintf(what, sizeof what, "logging a '%.32s' change to world %lld", r->evolution_type, (long long)r->world_id);
    if (!r->changes_made)
        return err_set(err, MA_ERR_INVALID, "%s: %s: changes_made is required", s->path, what);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, r->world_id);
    bind_id_or_null(st, 2, r->agent_id);
    sqlite3_bind_text(st, 3, r->evolution_type, -1, SQLITE_STATIC);
    save_bind_json(st, 4, r->changes_made, "{}");
    save_bind_json(st, 5, r->reasoning, "{}");
    if (save_bind_time(s, st, 6, r->applied_at, err, what, "applied_at") != MA_OK)
        return save_failed(err);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY && r->agent_id > 0 && !save_row_exists(s, sql_agent_exists, r->agent_id))
            snprintf(missing, sizeof missing, "there is no AI agent %lld", (long long)r->agent_id);
        else
            snprintf(missing, sizeof missing, "there is no world %lld", (long long)r->world_id);
        return save_write_error(s, rc, err, what, missing);
    }
    r->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, r->applied_at, sizeof r->applied_at);
    r->is_active = sqlite3_column_int(st, 2);
    sqlite3_reset(st);
    return MA_OK;
}

int evolution_get(Save *s, int64_t id, EvolutionRow *out, Err *err)
{
    static const char sql[] = "SELECT " EVOLUTION_COLS " FROM world_evolution_log WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    char missing[64];
    snprintf(missing, sizeof missing, "world evolution log entry with id %lld", (long long)id);
    return save_get_row(s, st, read_evolution, out, err, "reading a world evolution log entry", missing);
}

int evolution_list(Save *s, int64_t world_id, int active_only, EvolutionRow **out, int *n, Err *err)
{
    static const char sql[] =
        "SELECT " EVOLUTION_COLS " FROM world_evolution_log WHERE world_id = ?1 AND (?2 = 0 OR is_active = 1) "
        "ORDER BY applied_at, id";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_int(st, 2, active_only ? 1 : 0);
    void *rows;
    int rc = save_collect_rows(s, st, sizeof **out, read_evolution, clear_evolution, &rows, n, err,
                     "listing a world's evolution log");
    *out = rows;
    return rc;
}

void evolution_list_free(EvolutionRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        evolution_row_clear(&rows[i]);
    free(rows);
}

int evolution_rollback_mark(Save *s, int64_t id, Err *err)
{
    static const char sql[] = "UPDATE world_evolution_log SET is_active = 0 WHERE id = ? AND is_active = 1";
    static const char sql_exists[] = "SELECT 1 FROM world_evolution_log WHERE id = ?";
    char what[80];
    snprintf(what, sizeof what, "marking world evolution log entry %lld rolled back", (long long)id);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    int rc = save_step_done(s, st, err, what);
    if (rc != MA_OK || sqlite3_changes(s->db) > 0)
        return rc;
    st = save_stmt(s, sql_exists, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return err_set(err, MA_ERR_CONSTRAINT, "%s: %s: it was already rolled back", s->path, what);
    if (rc == SQLITE_DONE)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no world evolution log entry with id %lld", s->path,
                       (long long)id);
    return save_db_error(s, rc, err, what);
}

int evolution_log_size(Save *s, int64_t world_id, int64_t *entries, int64_t *bytes, Err *err)
{
    static const char sql[] =
        "SELECT count(*), coalesce(sum(length(changes_made) + length(reasoning) + length(evolution_type) + 40), 0) "
        "FROM world_evolution_log WHERE world_id = ?";
    static const char things[] =
        "SELECT coalesce(sum(length(thing) + 32), 0) FROM world_evolution_things WHERE world_id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *entries = sqlite3_column_int64(st, 0);
        *bytes = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return save_db_error(s, rc, err, "measuring the evolution log");
    if (!(st = save_stmt(s, things, err)))
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW)
        *bytes += sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? MA_OK : save_db_error(s, rc, err, "measuring the evolution index");
}
