/* events.c — the world_events table.
 *
 * "Going on at time t" is decided in SQL from is_active, start_time and
 * end_time, so a scheduled event (a start in the future, an end already
 * known) needs no timer: it appears in events_list_active when its time
 * comes and leaves when its end passes. */
#include "save/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/save_internal.h"
#include "util/timeutil.h"

#define EVENT_COLS "id, world_id, event_type, event_name, description, event_data, start_time, end_time, is_active"

/* ------------------------------------------------------------ shared helpers */


/* ------------------------------------------------------------ world_events */

void event_row_clear(EventRow *r)
{
    if (!r)
        return;
    free(r->description);
    cJSON_Delete(r->event_data);
    r->description = NULL;
    r->event_data = NULL;
}

static void read_event(sqlite3_stmt *st, void *row)
{
    EventRow *r = row;
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->world_id = sqlite3_column_int64(st, 1);
    save_col_copy(st, 2, r->event_type, sizeof r->event_type);
    save_col_copy(st, 3, r->event_name, sizeof r->event_name);
    r->description = save_col_text(st, 4);
    r->event_data = save_col_json(st, 5);
    save_col_copy(st, 6, r->start_time, sizeof r->start_time);
    save_col_copy(st, 7, r->end_time, sizeof r->end_time);
    r->is_active = sqlite3_column_int(st, 8);
}

static void clear_event(void *row)
{
    event_row_clear(row);
}

int events_insert(Save *s, EventRow *r, Err *err)
{
    static const char sql[] =
        "INSERT INTO world_events (world_id, event_type, event_name, description, event_data, start_time, end_time, "
        "is_active) VALUES (?, ?, ?, ?, ?, COALESCE(?, " NOW_SQL "), ?, ?) "
        "RETURNING id, start_time, end_time";
    char what[200];
    snprintf(what, sizeof what, "adding the event '%.128s' to world %lld", r->event_name, (long long)r->world_id);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, r->world_id);
    sqlite3_bind_text(st, 2, r->event_type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->event_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->description ? r->description : "", -1, SQLITE_STATIC);
    save_bind_json(st, 5, r->event_data, "{}");
    if (save_bind_time(s, st, 6, r->start_time, err, what, "start_time") != MA_OK ||
        save_bind_time(s, st, 7, r->end_time, err, what, "end_time") != MA_OK)
        return save_failed(err);
    sqlite3_bind_int(st, 8, r->is_active ? 1 : 0);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
            return err_set(err, MA_ERR_CONSTRAINT, "%s: %s: there is no world %lld", s->path, what,
                           (long long)r->world_id);
        return save_db_error(s, rc, err, what);
    }
    r->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, r->start_time, sizeof r->start_time);
    save_col_copy(st, 2, r->end_time, sizeof r->end_time);
    sqlite3_reset(st);
    return MA_OK;
}

int events_get(Save *s, int64_t id, EventRow *out, Err *err)
{
    static const char sql[] = "SELECT " EVENT_COLS " FROM world_events WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_event(st, out);
        sqlite3_reset(st);
        return MA_OK;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no world event with id %lld", s->path, (long long)id);
    return save_db_error(s, rc, err, "reading a world event");
}

int events_list_active(Save *s, int64_t world_id, const char *at, EventRow **out, int *n, Err *err)
{
    static const char sql[] =
        "SELECT " EVENT_COLS " FROM world_events WHERE world_id = ?1 AND is_active = 1 AND start_time <= ?2 "
        "AND (end_time IS NULL OR end_time > ?2) ORDER BY start_time, id";
    const char *what = "listing a world's current events";
    *out = NULL;
    *n = 0;
    if (!at || !at[0])
        return err_set(err, MA_ERR_INVALID, "%s: %s: no time given", s->path, what);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    if (save_bind_time(s, st, 2, at, err, what, "the time") != MA_OK)
        return save_failed(err);
    void *rows;
    int rc = save_collect_rows(s, st, sizeof **out, read_event, clear_event, &rows, n, err, what);
    *out = rows;
    return rc;
}

int events_list(Save *s, int64_t world_id, EventRow **out, int *n, Err *err)
{
    static const char sql[] = "SELECT " EVENT_COLS " FROM world_events WHERE world_id = ? ORDER BY start_time, id";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    void *rows;
    int rc = save_collect_rows(s, st, sizeof **out, read_event, clear_event, &rows, n, err, "listing a world's events");
    *out = rows;
    return rc;
}

void events_list_free(EventRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        event_row_clear(&rows[i]);
    free(rows);
}

int events_end(Save *s, int64_t id, const char *end_time, Err *err)
{
    static const char sql[] =
        "UPDATE world_events SET end_time = COALESCE(?, " NOW_SQL "), is_active = 0 "
        "WHERE id = ? AND is_active = 1";
    static const char sql_state[] = "SELECT end_time FROM world_events WHERE id = ?";
    char what[64];
    snprintf(what, sizeof what, "ending world event %lld", (long long)id);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    if (save_bind_time(s, st, 1, end_time, err, what, "end_time") != MA_OK)
        return save_failed(err);
    sqlite3_bind_int64(st, 2, id);
    int rc = save_step_done(s, st, err, what);
    if (rc != MA_OK || sqlite3_changes(s->db) > 0)
        return rc;
    st = save_stmt(s, sql_state, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    char ended[32] = "";
    if (rc == SQLITE_ROW)
        save_col_copy(st, 0, ended, sizeof ended);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return err_set(err, MA_ERR_CONSTRAINT, "%s: %s: it has already ended%s%s", s->path, what,
                       ended[0] ? " at " : "", ended);
    if (rc == SQLITE_DONE)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no world event with id %lld", s->path, (long long)id);
    return save_db_error(s, rc, err, what);
}

int events_delete(Save *s, int64_t id, Err *err)
{
    return save_exec_id(s, "DELETE FROM world_events WHERE id = ?", id, err, "deleting a world event");
}
