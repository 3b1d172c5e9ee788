/* messages.c — the message log kept between sessions (see messages.h). */
#include "save/messages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/save_internal.h"

int messages_append(Save *s, int64_t character_id, int64_t turn, const char *severity, int repeats,
                    const char *text, int64_t *id, Err *err)
{
    static const char sql[] =
        "INSERT INTO message_log (character_id, turn, severity, repeats, text) VALUES (?, ?, ?, ?, ?)";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err ? err->code : MA_ERR_DB;
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_int64(st, 2, turn < 0 ? 0 : turn);
    sqlite3_bind_text(st, 3, severity, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, repeats < 1 ? 1 : repeats);
    sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC);
    int rc = save_step_done(s, st, err, "keeping a line of the message log");
    if (rc == MA_OK && id)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

int messages_update(Save *s, int64_t id, int repeats, int64_t turn, Err *err)
{
    static const char sql[] = "UPDATE message_log SET repeats = ?, turn = ? WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err ? err->code : MA_ERR_DB;
    sqlite3_bind_int(st, 1, repeats < 1 ? 1 : repeats);
    sqlite3_bind_int64(st, 2, turn < 0 ? 0 : turn);
    sqlite3_bind_int64(st, 3, id);
    return save_step_done(s, st, err, "counting a repeated line of the message log");
}

int messages_recent(Save *s, int64_t character_id, int limit, MessageRow **out, int *n_out, Err *err)
{
    *out = NULL;
    *n_out = 0;
    static const char sql[] =
        "SELECT id, turn, severity, repeats, text FROM (SELECT * FROM message_log WHERE character_id = ? "
        "ORDER BY id DESC LIMIT ?) ORDER BY id";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err ? err->code : MA_ERR_DB;
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_int(st, 2, limit);
    MessageRow *v = calloc((size_t)(limit > 0 ? limit : 1), sizeof *v);
    if (!v) {
        sqlite3_reset(st);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < limit) {
        MessageRow *m = &v[n++];
        m->id = sqlite3_column_int64(st, 0);
        m->turn = sqlite3_column_int64(st, 1);
        save_col_copy(st, 2, m->severity, sizeof m->severity);
        m->repeats = sqlite3_column_int(st, 3);
        save_col_copy(st, 4, m->text, sizeof m->text);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        free(v);
        return save_db_error(s, rc, err, "reading the message log");
    }
    *out = v;
    *n_out = n;
    return MA_OK;
}

int messages_trim(Save *s, int64_t character_id, int keep, int *deleted, Err *err)
{
    static const char sql[] =
        "DELETE FROM message_log WHERE character_id = ?1 AND id < (SELECT min(id) FROM (SELECT id FROM "
        "message_log WHERE character_id = ?1 ORDER BY id DESC LIMIT ?2))";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err ? err->code : MA_ERR_DB;
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_int(st, 2, keep);
    int rc = save_step_done(s, st, err, "trimming the message log");
    if (rc == MA_OK && deleted)
        *deleted = sqlite3_changes(s->db);
    return rc;
}
