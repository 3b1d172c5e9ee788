/* changeset.c — see changeset.h. SQLite's session extension (built into Debian's
 * libsqlite3) does the recording; this file only wraps it in the save's errors. */
#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include "save/changeset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/save_internal.h"

struct SaveChanges {
    Save *save;
    sqlite3_session *session;
};

/* What is recorded: not sync's own bookkeeping, and not the worlds table, whose row holds the
 * shared world's clock and settings: taking a choice back must not turn the world's time back
 * (every action writes the clock; a choice is one action). */
static int recorded_table(void *ud, const char *table)
{
    (void)ud;
    return strncmp(table, "sync_", 5) != 0 && strcmp(table, "worlds") != 0;
}

int save_changes_begin(Save *s, SaveChanges **out, Err *err)
{
    *out = NULL;
    SaveChanges *c = calloc(1, sizeof *c);
    if (!c)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    c->save = s;
    int rc = sqlite3session_create(s->db, "main", &c->session);
    if (rc == SQLITE_OK) {
        /* Every table, those made later too, but sync's own bookkeeping (its change log, keys,
         * conflicts: undoing a story choice restores the game's rows, and those restored rows
         * are recorded for sync again by the triggers) and the worlds row (recorded_table). */
        sqlite3session_table_filter(c->session, recorded_table, NULL);
        rc = sqlite3session_attach(c->session, NULL);
    }
    if (rc != SQLITE_OK) {
        if (c->session)
            sqlite3session_delete(c->session);
        free(c);
        return save_db_error(s, rc, err, "starting to record changes");
    }
    *out = c;
    return MA_OK;
}

int save_changes_take(SaveChanges *c, void **changeset, int *len, Err *err)
{
    *changeset = NULL;
    *len = 0;
    int n = 0;
    void *p = NULL;
    int rc = sqlite3session_changeset(c->session, &n, &p);
    if (rc != SQLITE_OK)
        return save_db_error(c->save, rc, err, "reading the recorded changes");
    void *copy = malloc(n > 0 ? (size_t)n : 1);
    if (!copy) {
        sqlite3_free(p);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    if (n > 0)
        memcpy(copy, p, (size_t)n);
    sqlite3_free(p);
    *changeset = copy;
    *len = n;
    return MA_OK;
}

void save_changes_end(SaveChanges *c)
{
    if (!c)
        return;
    sqlite3session_delete(c->session);
    free(c);
}

typedef struct Tally {
    SaveRevert r;
} Tally;

static int on_conflict(void *ctx, int kind, sqlite3_changeset_iter *it)
{
    (void)it;
    Tally *t = ctx;
    switch (kind) {
    case SQLITE_CHANGESET_DATA:     /* the row changed again since: put the old values back */
    case SQLITE_CHANGESET_CONFLICT: /* a row to bring back is there already: overwrite it */
        t->r.conflicts++;
        return SQLITE_CHANGESET_REPLACE;
    case SQLITE_CHANGESET_NOTFOUND: /* the row is gone: nothing to restore */
        t->r.missing++;
        return SQLITE_CHANGESET_OMIT;
    default: /* a constraint or foreign key would break: give up, nothing is applied */
        return SQLITE_CHANGESET_ABORT;
    }
}

static int count_changes(const void *changeset, int len, char *buf, size_t size)
{
    sqlite3_changeset_iter *it = NULL;
    if (sqlite3changeset_start(&it, len, (void *)changeset) != SQLITE_OK)
        return -1;
    struct { char name[64]; int n; } tables[32];
    int nt = 0, total = 0;
    while (sqlite3changeset_next(it) == SQLITE_ROW) {
        const char *table = NULL;
        int cols = 0, op = 0, indirect = 0;
        if (sqlite3changeset_op(it, &table, &cols, &op, &indirect) != SQLITE_OK)
            continue;
        total++;
        int k = 0;
        while (k < nt && strcmp(tables[k].name, table) != 0)
            k++;
        if (k == nt && nt < 32) {
            snprintf(tables[nt].name, sizeof tables[nt].name, "%s", table);
            tables[nt++].n = 0;
        }
        if (k < nt)
            tables[k].n++;
    }
    if (sqlite3changeset_finalize(it) != SQLITE_OK)
        return -1;
    if (buf && size) {
        size_t o = 0;
        buf[0] = '\0';
        for (int k = 0; k < nt && o < size; k++) {
            int w = snprintf(buf + o, size - o, "%s%s %d", k ? ", " : "", tables[k].name, tables[k].n);
            if (w < 0)
                break;
            o += (size_t)w;
        }
    }
    return total;
}

int save_changes_describe(const void *changeset, int len, char *buf, size_t size)
{
    return count_changes(changeset, len, buf, size);
}

int save_changes_revert(Save *s, const void *changeset, int len, SaveRevert *out, Err *err)
{
    if (!save_in_transaction(s))
        return err_set(err, MA_ERR_INVALID, "%s: undoing changes needs an open transaction", s->path);
    int n = 0;
    void *inverse = NULL;
    int rc = sqlite3changeset_invert(len, changeset, &n, &inverse);
    if (rc != SQLITE_OK)
        return err_set(err, MA_ERR_CORRUPT, "%s: the recorded changes cannot be read (%s)", s->path,
                       sqlite3_errstr(rc));
    Tally t;
    memset(&t, 0, sizeof t);
    t.r.rows = count_changes(inverse, n, NULL, 0);
    rc = sqlite3changeset_apply(s->db, n, inverse, NULL, on_conflict, &t);
    sqlite3_free(inverse);
    if (rc != SQLITE_OK) {
        if (rc == SQLITE_ABORT)
            return err_set(err, MA_ERR_CONSTRAINT,
                           "%s: undoing would break the save's rules (a constraint or a reference); nothing was changed",
                           s->path);
        return save_db_error(s, rc, err, "undoing recorded changes");
    }
    if (out)
        *out = t.r;
    return MA_OK;
}
