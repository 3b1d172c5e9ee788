/* evolution.c — see evolution.h. */
#include "save/evolution.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/save_internal.h"

int evolution_things_add(Save *s, int64_t world_id, const char *thing, int64_t entry_id, Err *err)
{
    static const char sql[] =
        "INSERT OR IGNORE INTO world_evolution_things (world_id, thing, entry_id) VALUES (?, ?, ?)";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_text(st, 2, thing, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, entry_id);
    return save_step_done(s, st, err, "indexing an evolution entry");
}

int evolution_things_latest(Save *s, int64_t world_id, const char *thing, int64_t after_entry, int64_t *entry_id,
                            int64_t *player_turn, Err *err)
{
    static const char sql[] =
        "SELECT t.entry_id, t.player_turn FROM world_evolution_things t "
        "JOIN world_evolution_log l ON l.id = t.entry_id "
        "WHERE t.world_id = ? AND t.thing = ? AND t.entry_id > ? AND l.is_active = 1 "
        "ORDER BY t.entry_id DESC LIMIT 1";
    *entry_id = 0;
    if (player_turn)
        *player_turn = -1;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_text(st, 2, thing, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, after_entry);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *entry_id = sqlite3_column_int64(st, 0);
        if (player_turn && sqlite3_column_type(st, 1) != SQLITE_NULL)
            *player_turn = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return save_db_error(s, rc, err, "reading the evolution index");
    return MA_OK;
}

int evolution_things_player(Save *s, int64_t world_id, const char *thing, int64_t turn, Err *err)
{
    static const char sql[] = "UPDATE world_evolution_things SET player_turn = ? WHERE world_id = ? AND thing = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, turn);
    sqlite3_bind_int64(st, 2, world_id);
    sqlite3_bind_text(st, 3, thing, -1, SQLITE_TRANSIENT);
    return save_step_done(s, st, err, "noting a change by hand");
}

int evolution_things_player_block(Save *s, int64_t world_id, int32_t x, int32_t y, int32_t z, int64_t turn, Err *err)
{
    char thing[64];
    snprintf(thing, sizeof thing, "b:%d,%d,%d", x, y, z);
    return evolution_things_player(s, world_id, thing, turn, err);
}

int evolution_things_player_entity(Save *s, int64_t world_id, const char *entity_id, int64_t turn, Err *err)
{
    char thing[128];
    snprintf(thing, sizeof thing, "e:%s", entity_id);
    return evolution_things_player(s, world_id, thing, turn, err);
}

/* ------------------------------------------------------------ rows as JSON */

static int known_table(const char *table)
{
    for (int i = 0; save_table_names[i]; i++)
        if (strcmp(save_table_names[i], table) == 0)
            return 1;
    return 0;
}

static int refuse_table(Save *s, const char *table, Err *err)
{
    return err_set(err, MA_ERR_INVALID, "%s: '%.40s' is not a table of the game", s->path, table);
}

/* Whether column is one of table's (the table is known). */
static int has_column(Save *s, const char *table, const char *column)
{
    char *sql = sqlite3_mprintf("SELECT 1 FROM pragma_table_info(%Q) WHERE name = %Q", table, column);
    sqlite3_stmt *st = NULL;
    int found = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return found;
}

int save_row_get(Save *s, const char *table, int64_t id, cJSON **out, Err *err)
{
    *out = NULL;
    if (!known_table(table))
        return refuse_table(s, table, err);
    char *sql = sqlite3_mprintf("SELECT * FROM \"%w\" WHERE id = ?", table);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return save_db_error(s, rc, err, "reading a row");
    }
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        cJSON *row = cJSON_CreateObject();
        for (int i = 0; row && i < sqlite3_column_count(st); i++) {
            const char *name = sqlite3_column_name(st, i);
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_NULL: cJSON_AddNullToObject(row, name); break;
            case SQLITE_INTEGER: cJSON_AddNumberToObject(row, name, (double)sqlite3_column_int64(st, i)); break;
            case SQLITE_FLOAT: cJSON_AddNumberToObject(row, name, sqlite3_column_double(st, i)); break;
            default: cJSON_AddStringToObject(row, name, (const char *)sqlite3_column_text(st, i)); break;
            }
        }
        *out = row;
        rc = row ? SQLITE_DONE : SQLITE_NOMEM;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return save_db_error(s, rc, err, "reading a row");
    return MA_OK;
}

static void bind_value(sqlite3_stmt *st, int i, const cJSON *v)
{
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == (double)(int64_t)d)
            sqlite3_bind_int64(st, i, (int64_t)d);
        else
            sqlite3_bind_double(st, i, d);
    } else if (cJSON_IsString(v)) {
        sqlite3_bind_text(st, i, v->valuestring, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_null(st, i);
    }
}

int save_row_put(Save *s, const char *table, const cJSON *row, Err *err)
{
    if (!known_table(table))
        return refuse_table(s, table, err);
    const cJSON *idv = cJSON_GetObjectItemCaseSensitive(row, "id");
    if (!cJSON_IsObject(row) || !cJSON_IsNumber(idv))
        return err_set(err, MA_ERR_INVALID, "%s: a %s row to write needs its id", s->path, table);
    int64_t id = (int64_t)idv->valuedouble;
    cJSON *existing = NULL;
    int rc = save_row_get(s, table, id, &existing, err);
    if (rc != MA_OK)
        return rc;
    int update = existing != NULL;
    cJSON_Delete(existing);
    /* Columns are checked against the table before they reach the SQL text. */
    char *cols = sqlite3_mprintf("%s", ""), *vals = sqlite3_mprintf("%s", "");
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, row) {
        if (!has_column(s, table, v->string)) {
            sqlite3_free(cols);
            sqlite3_free(vals);
            return err_set(err, MA_ERR_INVALID, "%s: %s has no column '%.40s'", s->path, table, v->string);
        }
        char *c2 = update ? sqlite3_mprintf("%s%s\"%w\" = ?", cols, n ? ", " : "", v->string)
                          : sqlite3_mprintf("%s%s\"%w\"", cols, n ? ", " : "", v->string);
        char *v2 = sqlite3_mprintf("%s%s?", vals, n ? ", " : "");
        sqlite3_free(cols);
        sqlite3_free(vals);
        cols = c2;
        vals = v2;
        n++;
    }
    char *sql = update ? sqlite3_mprintf("UPDATE \"%w\" SET %s WHERE id = ?", table, cols)
                       : sqlite3_mprintf("INSERT INTO \"%w\" (%s) VALUES (%s)", table, cols, vals);
    sqlite3_free(cols);
    sqlite3_free(vals);
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return save_db_error(s, rc, err, "writing a row back");
    }
    int i = 1;
    cJSON_ArrayForEach(v, row) bind_value(st, i++, v);
    if (update)
        sqlite3_bind_int64(st, i, id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return save_db_error(s, rc, err, "writing a row back");
    return MA_OK;
}

int save_row_delete(Save *s, const char *table, int64_t id, Err *err)
{
    if (!known_table(table))
        return refuse_table(s, table, err);
    char *sql = sqlite3_mprintf("DELETE FROM \"%w\" WHERE id = ?", table);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_OK)
        return save_db_error(s, rc, err, "deleting a row");
    return MA_OK;
}
