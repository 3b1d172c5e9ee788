/* dump.c — the whole save as comparable text (see dump.h). */
#include "save/dump.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/save_internal.h"

typedef struct Buf {
    char *p;
    size_t len, cap;
    int oom;
} Buf;

static void buf_add(Buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_str(Buf *b, const char *s) { buf_add(b, s, strlen(s)); }

/* Length of an ISO-8601 UTC time starting at s (2026-11-27T03:17:40Z or with
 * .123 fraction), or 0. */
static size_t iso_time_at(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    size_t i = 0;
    for (; shape[i]; i++) {
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
            return 0;
    }
    if (s[i] == '.') {
        i++;
        while (isdigit((unsigned char)s[i]))
            i++;
    }
    return s[i] == 'Z' ? i + 1 : 0;
}

/* Adds text, quoted as an SQL literal; times masked when stable. */
static void add_text(Buf *b, const char *t, int stable)
{
    buf_add(b, "'", 1);
    for (const char *p = t; *p; p++) {
        size_t n = stable ? iso_time_at(p) : 0;
        if (n) {
            buf_str(b, "<time>");
            p += n - 1;
        } else if (*p == '\'') {
            buf_add(b, "''", 2);
        } else if (*p == '\n') {
            buf_add(b, "\\n", 2);
        } else if ((unsigned char)*p < 0x20 || *p == 0x7f ||
                   ((unsigned char)p[0] == 0xc2 && (unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9f)) {
            /* A control character (ESC, BEL, a C1 one) as \xHH: printed raw it would drive the
             * terminal that shows the dump. */
            char hex[8];
            unsigned c = (unsigned char)*p == 0xc2 ? (unsigned char)*++p : (unsigned char)*p;
            snprintf(hex, sizeof hex, "\\x%02x", c);
            buf_str(b, hex);
        } else {
            buf_add(b, p, 1);
        }
    }
    buf_add(b, "'", 1);
}

static int dump_table(Save *s, const char *table, int flags, SaveDumpFn line, void *ud, Err *err)
{
    char *sql = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY rowid", table);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return save_db_error(s, rc, err, "dumping a table");
    }
    int stable = (flags & SAVE_DUMP_STABLE) != 0;
    /* What differs between two honest runs besides times: session tokens and password salts. */
    int token_col = -1, hash_col = -1, secret_col = -1;
    for (int i = 0; i < sqlite3_column_count(st); i++) {
        /* A sync server's bearer token is never printed, stable or not. */
        if (strcmp(table, "sync_accounts") == 0 && strcmp(sqlite3_column_name(st, i), "token") == 0)
            secret_col = i;
        if (strcmp(table, "sessions") == 0 && strstr(sqlite3_column_name(st, i), "token"))
            token_col = i;
        if (strcmp(table, "users") == 0 && strcmp(sqlite3_column_name(st, i), "password_hash") == 0)
            hash_col = i;
    }
    Buf b = {0};
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        b.len = 0;
        buf_str(&b, table);
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            buf_str(&b, "|");
            buf_str(&b, sqlite3_column_name(st, i));
            buf_str(&b, "=");
            char num[64];
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_NULL: buf_str(&b, "NULL"); break;
            case SQLITE_INTEGER:
                snprintf(num, sizeof num, "%lld", (long long)sqlite3_column_int64(st, i));
                buf_str(&b, num);
                break;
            case SQLITE_FLOAT:
                snprintf(num, sizeof num, "%.17g", sqlite3_column_double(st, i));
                buf_str(&b, num);
                break;
            case SQLITE_BLOB: {
                const unsigned char *p = sqlite3_column_blob(st, i);
                int n = sqlite3_column_bytes(st, i);
                if (stable) {
                    /* An undo record: which columns it holds depends on whether a time moved within a
                     * millisecond. The rows it undoes are compared themselves. */
                    buf_str(&b, "<blob>");
                    break;
                }
                buf_str(&b, "x'");
                for (int k = 0; k < n; k++) {
                    snprintf(num, sizeof num, "%02x", p[k]);
                    buf_str(&b, num);
                }
                buf_str(&b, "'");
                break;
            }
            default:
                if (i == secret_col)
                    buf_str(&b, sqlite3_column_bytes(st, i) ? "'<token>'" : "''");
                else if (stable && i == token_col)
                    buf_str(&b, "<token>");
                else if (stable && i == hash_col)
                    buf_str(&b, "<hash>");
                else
                    add_text(&b, (const char *)sqlite3_column_text(st, i), stable);
            }
        }
        if (b.oom)
            break;
        line(b.p, ud);
    }
    free(b.p);
    sqlite3_finalize(st);
    if (b.oom)
        return err_set(err, MA_ERR_NOMEM, "%s: out of memory dumping %s", s->path, table);
    if (rc != SQLITE_DONE)
        return save_db_error(s, rc, err, "dumping a table");
    return MA_OK;
}

int save_dump(Save *s, int flags, const char *table, SaveDumpFn line, void *ud, Err *err)
{
    /* Every table, the game's own and any a later format adds, in creation order. */
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                                "ORDER BY rowid",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return save_db_error(s, rc, err, "listing the tables");
    }
    char **names = NULL;
    int n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char **grown = realloc(names, (size_t)(n + 1) * sizeof *names);
        if (!grown)
            break;
        names = grown;
        names[n++] = strdup((const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    int status = rc == SQLITE_DONE ? MA_OK : save_db_error(s, rc, err, "listing the tables");
    int found = !table;
    for (int i = 0; i < n; i++)
        found |= table && names[i] && strcmp(table, names[i]) == 0;
    if (status == MA_OK && !found) {
        /* Nothing printed and success would read as an empty table. */
        char list[1024] = "";
        size_t len = 0;
        for (int i = 0; i < n && names[i] && len < sizeof list; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", names[i]);
        status = err_set(err, MA_ERR_INVALID, "the save has no table \"%s\"; its tables: %s", table, list);
    }
    for (int i = 0; i < n; i++) {
        if (status == MA_OK && names[i] && (!table || strcmp(table, names[i]) == 0))
            status = dump_table(s, names[i], flags, line, ud, err);
        free(names[i]);
    }
    free(names);
    return status;
}

static void collect(const char *text, void *ud)
{
    Buf *b = ud;
    buf_str(b, text);
    buf_add(b, "\n", 1);
}

char *save_dump_text(Save *s, int flags, Err *err)
{
    Buf b = {0};
    buf_add(&b, "", 0);
    int rc = save_dump(s, flags, NULL, collect, &b, err);
    if (rc != MA_OK || b.oom) {
        if (b.oom)
            err_set(err, MA_ERR_NOMEM, "%s: out of memory dumping the save", s->path);
        free(b.p);
        return NULL;
    }
    return b.p;
}
