/* worlds.c — the worlds table. */
#include "save/worlds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/save_internal.h"

#define WORLD_COLS "id, name, settings, world_type, seed, created_at, updated_at, is_active, metadata"

void world_row_clear(WorldRow *w)
{
    if (!w)
        return;
    cJSON_Delete(w->settings);
    cJSON_Delete(w->metadata);
    w->settings = w->metadata = NULL;
}

static void read_row(sqlite3_stmt *st, WorldRow *w)
{
    memset(w, 0, sizeof *w);
    w->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, w->name, sizeof w->name);
    w->settings = save_col_json(st, 2);
    save_col_copy(st, 3, w->world_type, sizeof w->world_type);
    w->seed = sqlite3_column_int64(st, 4);
    save_col_copy(st, 5, w->created_at, sizeof w->created_at);
    save_col_copy(st, 6, w->updated_at, sizeof w->updated_at);
    w->is_active = sqlite3_column_int(st, 7);
    w->metadata = save_col_json(st, 8);
}

int worlds_insert(Save *s, WorldRow *w, Err *err)
{
    static const char sql[] =
        "INSERT INTO worlds (name, settings, world_type, seed, is_active, metadata) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id, created_at, updated_at";
    int name_rc = save_check_name(s, w->name, err, "world name");
    if (name_rc != MA_OK)
        return name_rc;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_text(st, 1, w->name, -1, SQLITE_STATIC);
    save_bind_json(st, 2, w->settings, "{}");
    sqlite3_bind_text(st, 3, w->world_type[0] ? w->world_type : "normal", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, w->seed);
    sqlite3_bind_int(st, 5, w->is_active ? 1 : 0);
    save_bind_json(st, 6, w->metadata, "{}");
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if ((rc & 0xff) == SQLITE_CONSTRAINT && strstr(sqlite3_errmsg(s->db), "UNIQUE"))
            return err_set(err, MA_ERR_CONSTRAINT, "a world named '%s' already exists in %s", w->name, s->path);
        return save_db_error(s, rc, err, "adding a world");
    }
    w->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, w->created_at, sizeof w->created_at);
    save_col_copy(st, 2, w->updated_at, sizeof w->updated_at);
    sqlite3_reset(st);
    return MA_OK;
}

static int get_one(Save *s, sqlite3_stmt *st, WorldRow *out, Err *err, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_row(st, out);
        sqlite3_reset(st);
        return MA_OK;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no world %s", s->path, what);
    return save_db_error(s, rc, err, "reading a world");
}

int worlds_get(Save *s, int64_t id, WorldRow *out, Err *err)
{
    static const char sql[] = "SELECT " WORLD_COLS " FROM worlds WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    char what[32];
    snprintf(what, sizeof what, "with id %lld", (long long)id);
    return get_one(s, st, out, err, what);
}

int worlds_get_by_name(Save *s, const char *name, WorldRow *out, Err *err)
{
    static const char sql[] = "SELECT " WORLD_COLS " FROM worlds WHERE name = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    char what[96];
    snprintf(what, sizeof what, "named '%.64s'", name);
    return get_one(s, st, out, err, what);
}

int worlds_update(Save *s, const WorldRow *w, Err *err)
{
    static const char sql[] =
        "UPDATE worlds SET name = ?, settings = ?, world_type = ?, seed = ?, is_active = ?, metadata = ? "
        "WHERE id = ?";
    static const char stored[] = "SELECT name FROM worlds WHERE id = ?";
    int name_rc = save_check_new_name(s, stored, w->id, w->name, err, "world name");
    if (name_rc != MA_OK)
        return name_rc;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_text(st, 1, w->name, -1, SQLITE_STATIC);
    save_bind_json(st, 2, w->settings, "{}");
    sqlite3_bind_text(st, 3, w->world_type, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, w->seed);
    sqlite3_bind_int(st, 5, w->is_active ? 1 : 0);
    save_bind_json(st, 6, w->metadata, "{}");
    sqlite3_bind_int64(st, 7, w->id);
    int rc = save_step_done(s, st, err, "updating a world");
    if (rc == MA_OK && sqlite3_changes(s->db) == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no world with id %lld", s->path, (long long)w->id);
    return rc;
}

int worlds_delete(Save *s, int64_t id, Err *err)
{
    static const char sql[] = "DELETE FROM worlds WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    return save_step_done(s, st, err, "deleting a world");
}

int worlds_list(Save *s, WorldRow **out, int *n, Err *err)
{
    static const char sql[] = "SELECT " WORLD_COLS " FROM worlds ORDER BY id";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err->code;
    int cap = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            WorldRow *grown = realloc(*out, (size_t)cap * sizeof **out);
            if (!grown) {
                sqlite3_reset(st);
                worlds_list_free(*out, *n);
                *out = NULL;
                *n = 0;
                return err_set(err, MA_ERR_NOMEM, "out of memory listing worlds");
            }
            *out = grown;
        }
        read_row(st, &(*out)[(*n)++]);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        worlds_list_free(*out, *n);
        *out = NULL;
        *n = 0;
        return save_db_error(s, rc, err, "listing worlds");
    }
    return MA_OK;
}

void worlds_list_free(WorldRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        world_row_clear(&rows[i]);
    free(rows);
}

int worlds_counts(Save *s, int64_t id, int64_t *chunks, int64_t *characters, Err *err)
{
    static const char sql[] =
        "SELECT (SELECT count(*) FROM world_chunks WHERE world_id = ?1), "
        "(SELECT count(*) FROM characters WHERE world_id = ?1)";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *chunks = sqlite3_column_int64(st, 0);
        *characters = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? MA_OK : save_db_error(s, rc, err, "counting a world's rows");
}

int worlds_set_clock(Save *s, int64_t world_id, int64_t clock, Err *err)
{
    WorldRow w;
    int rc = worlds_get(s, world_id, &w, err);
    if (rc != MA_OK)
        return rc;
    cJSON *meta = w.metadata ? w.metadata : (w.metadata = cJSON_CreateObject());
    cJSON *now = cJSON_GetObjectItemCaseSensitive(meta, "clock");
    if (cJSON_IsNumber(now))
        cJSON_SetNumberValue(now, (double)clock); /* in its place: the row's text keeps its order */
    else {
        cJSON_DeleteItemFromObjectCaseSensitive(meta, "clock");
        cJSON_AddNumberToObject(meta, "clock", (double)clock);
    }
    rc = worlds_update(s, &w, err);
    world_row_clear(&w);
    return rc;
}
