/* charstate.c — per-character state and the item transfer log. */
#include "save/charstate.h"

#include <stdio.h>
#include <string.h>

#include "save/save_internal.h"

int charstate_set(Save *s, int64_t character_id, const char *kind, const char *key, const char *value, Err *err)
{
    static const char sql[] =
        "INSERT INTO character_state (character_id, kind, key, value) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (character_id, kind, key) DO UPDATE SET value = excluded.value, "
        "updated_at = " NOW_SQL;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err ? err->code : MA_ERR_DB;
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, value ? value : "", -1, SQLITE_STATIC);
    return save_step_done(s, st, err, "writing a character's state");
}

int charstate_get(Save *s, int64_t character_id, const char *kind, const char *key, char *buf, size_t size, Err *err)
{
    static const char sql[] = "SELECT value FROM character_state WHERE character_id = ? AND kind = ? AND key = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err ? err->code : MA_ERR_DB;
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        save_col_copy(st, 0, buf, size);
        sqlite3_reset(st);
        return MA_OK;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: character %lld has no %s '%s'", s->path,
                       (long long)character_id, kind, key);
    return save_db_error(s, rc, err, "reading a character's state");
}

int charstate_delete(Save *s, int64_t character_id, const char *kind, const char *key, Err *err)
{
    static const char sql[] = "DELETE FROM character_state WHERE character_id = ? AND kind = ? AND key = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err ? err->code : MA_ERR_DB;
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
    return save_step_done(s, st, err, "forgetting a character's state");
}

int charstate_clear(Save *s, int64_t character_id, Err *err)
{
    static const char sql[] = "DELETE FROM character_state WHERE character_id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err ? err->code : MA_ERR_DB;
    sqlite3_bind_int64(st, 1, character_id);
    return save_step_done(s, st, err, "forgetting a character's state");
}

int charstate_add(Save *s, int64_t character_id, const char *key, int64_t delta, int64_t *out, Err *err)
{
    static const char sql[] =
        "INSERT INTO character_state (character_id, kind, key, value) VALUES (?1, 'counter', ?2, CAST(?3 AS TEXT)) "
        "ON CONFLICT (character_id, kind, key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + ?3 AS TEXT), "
        "updated_at = " NOW_SQL " RETURNING CAST(value AS INTEGER)";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err ? err->code : MA_ERR_DB;
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, delta);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && out)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? MA_OK : save_db_error(s, rc, err, "counting for a character");
}

int charstate_each(Save *s, int64_t character_id, const char *kind, CharstateFn fn, void *ud, Err *err)
{
    static const char sql[] =
        "SELECT key, value FROM character_state WHERE character_id = ? AND kind = ? ORDER BY key";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err ? err->code : MA_ERR_DB;
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1), ud)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? MA_OK : save_db_error(s, rc, err, "listing a character's state");
}

int transfers_log(Save *s, int64_t from_character_id, int64_t to_character_id, const char *item, int quantity,
                  const char *reason, int price, Err *err)
{
    static const char sql[] =
        "INSERT INTO item_transfers (from_character_id, to_character_id, item_name, quantity, reason, price) "
        "VALUES (?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err ? err->code : MA_ERR_DB;
    if (from_character_id > 0)
        sqlite3_bind_int64(st, 1, from_character_id);
    else
        sqlite3_bind_null(st, 1);
    if (to_character_id > 0)
        sqlite3_bind_int64(st, 2, to_character_id);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_text(st, 3, item, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, quantity);
    sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, price);
    return save_step_done(s, st, err, "logging an item transfer");
}

int transfers_count(Save *s, int64_t character_id, int64_t *count, Err *err)
{
    static const char sql[] =
        "SELECT count(*) FROM item_transfers WHERE from_character_id = ?1 OR to_character_id = ?1";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err ? err->code : MA_ERR_DB;
    sqlite3_bind_int64(st, 1, character_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *count = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? MA_OK : save_db_error(s, rc, err, "counting item transfers");
}
