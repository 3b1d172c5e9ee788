/* names.c — the rule every name a user gives (users, worlds, characters)
 * must follow before it is stored: see util/text.h. */
#include "save/save_internal.h"

#include <string.h>

#include "util/text.h"

int save_check_name(Save *s, const char *name, Err *err, const char *what)
{
    char why[160], shown[200];
    if (text_check_name(name, why, sizeof why) == 0)
        return MA_OK;
    return err_set(err, MA_ERR_INVALID, "%s: the %s '%s' is refused: %s", s->path, what,
                   text_escape(name, shown, sizeof shown), why);
}

int save_check_new_name(Save *s, const char *sql, int64_t id, const char *name, Err *err, const char *what)
{
    if (text_check_name(name, NULL, 0) == 0)
        return MA_OK;
    /* A name already stored (by an older game, or by hand) may stay as it is; the printers escape it. */
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err ? err->code : MA_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    int same = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) &&
               strcmp((const char *)sqlite3_column_text(st, 0), name) == 0;
    sqlite3_reset(st);
    return same ? MA_OK : save_check_name(s, name, err, what);
}
