/* save.c — opening, validating, locking and migrating a save; transactions
 * and the prepared-statement cache the table-group files share. */
#include "save/save.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "save/save_internal.h"
#include "util/data.h"
#include "util/timeutil.h"

const char *const save_table_names[] = {
    "users", "sessions", "worlds", "world_chunks", "characters",
    "character_relationships", "character_skills", "crafting_recipes", "inventory",
    "stories", "story_branches", "player_choices", "quests", "quest_objectives",
    "quest_progress", "achievements", "ai_agents", "agent_memory",
    "world_evolution_log", "world_events", "character_state", "item_transfers", NULL,
};

/* ------------------------------------------------------------ migrations */

/* The embedded migrations are "migrations/NNN_name.sql", numbered 1..N in order. */
static const EmbeddedFile *migration(int version)
{
    char prefix[32];
    snprintf(prefix, sizeof prefix, "migrations/%03d_", version);
    for (const EmbeddedFile *f = embedded_files; f->name; f++)
        if (strncmp(f->name, prefix, strlen(prefix)) == 0)
            return f;
    return NULL;
}

int save_latest_version(void)
{
    int v = 0;
    while (migration(v + 1))
        v++;
    return v;
}

static int exec_sql(Save *s, const char *sql, Err *err, const char *what)
{
    char *msg = NULL;
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        err_set(err, rc == SQLITE_CONSTRAINT ? MA_ERR_CONSTRAINT : MA_ERR_DB, "%s: %s: %s",
                s->path, what, msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return err ? err->code : MA_ERR_DB;
    }
    return MA_OK;
}

int save_migrate_from(Save *s, int from, Err *err)
{
    int latest = save_latest_version();
    for (int v = from + 1; v <= latest; v++) {
        const EmbeddedFile *m = migration(v);
        char what[160], pragma[64];
        snprintf(what, sizeof what, "applying %s", m->name);
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v);
        if (exec_sql(s, "BEGIN IMMEDIATE", err, what) != MA_OK)
            return err->code;
        if (exec_sql(s, (const char *)m->bytes, err, what) != MA_OK ||
            exec_sql(s, pragma, err, what) != MA_OK ||
            exec_sql(s, "COMMIT", err, what) != MA_OK) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return err->code;
        }
    }
    return MA_OK;
}

/* ------------------------------------------------------------ opening */

/* Every commit of the connection, explicit or autocommit, for save_commits. */
static int count_commit(void *ud)
{
    ((Save *)ud)->commits++;
    return 0;
}

int save_db_error(Save *s, int rc, Err *err, const char *what)
{
    int code;
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT: code = MA_ERR_CONSTRAINT; break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: code = MA_ERR_CORRUPT; break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: code = MA_ERR_LOCKED; break;
    case SQLITE_NOMEM: code = MA_ERR_NOMEM; break;
    case SQLITE_FULL: code = MA_ERR_FULL; break;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY: code = MA_ERR_IO; break;
    default: code = MA_ERR_DB;
    }
    const char *detail = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    if (code == MA_ERR_FULL)
        return err_set(err, code, "the disk is full (%s: %s)", s ? s->path : "save", what);
    return err_set(err, code, "%s: %s: %s", s ? s->path : "save", what, detail);
}

static int check_header(const char *path, int fd, Err *err)
{
    unsigned char head[100];
    ssize_t n = pread(fd, head, sizeof head, 0);
    if (n == 0)
        return MA_OK; /* empty file: a new save */
    if (n < 0)
        return err_set(err, MA_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
    if (n < (ssize_t)sizeof head || memcmp(head, "SQLite format 3", 16) != 0)
        return err_set(err, MA_ERR_NOT_SAVE,
                       "%s is not a Magic Adventure save (it is not an SQLite database). "
                       "It was left untouched; pass another path with --save", path);
    return MA_OK;
}

static int read_int(Save *s, const char *sql, int *out, Err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int(st, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
        if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
            return err_set(err, MA_ERR_CORRUPT,
                           "%s is damaged (%s). It was left untouched: restore a backup "
                           "with `magic-adventure restore FILE`",
                           s->path, sqlite3_errstr(rc));
        return save_db_error(s, rc, err, "reading the save's header");
    }
    return MA_OK;
}

static int make_backup_name(const char *path, const char *suffix, char *out, size_t size)
{
    struct stat st;
    snprintf(out, size, "%s.%s.bak", path, suffix);
    for (int i = 2; stat(out, &st) == 0 && i < 1000; i++)
        snprintf(out, size, "%s.%s-%d.bak", path, suffix, i);
    return 0;
}

int save_open(const char *path, int flags, Save **out, Err *err)
{
    *out = NULL;
    int readonly = (flags & SAVE_READONLY) != 0;
    struct stat stt;
    int created = 0;
    int fd = -1;

    if (stat(path, &stt) != 0) {
        if (errno != ENOENT)
            return err_set(err, MA_ERR_IO, "%s: %s", path, strerror(errno));
        if (!(flags & SAVE_CREATE) || readonly)
            return err_set(err, MA_ERR_IO,
                           "there is no save at %s; create one with `magic-adventure --save %s init`",
                           path, path);
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
            return err_set(err, MA_ERR_IO, "cannot create the save %s: %s", path, strerror(errno));
        created = 1;
    } else {
        if (!S_ISREG(stt.st_mode))
            return err_set(err, MA_ERR_NOT_SAVE, "%s is not a Magic Adventure save (not a regular file)", path);
        fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
        if (fd < 0)
            return err_set(err, MA_ERR_IO, "cannot open the save %s%s: %s", path,
                           readonly ? "" : " for writing", strerror(errno));
        if (check_header(path, fd, err) != MA_OK) {
            close(fd);
            return err->code;
        }
    }

    if (!readonly && flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        if (errno == EWOULDBLOCK)
            return err_set(err, MA_ERR_LOCKED,
                           "%s is open in another running game. Close that game first "
                           "(or use another save with --save)", path);
        return err_set(err, MA_ERR_IO, "cannot lock %s: %s", path, strerror(errno));
    }

    Save *s = calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        return err_set(err, MA_ERR_NOMEM, "out of memory opening %s", path);
    }
    s->path = strdup(path);
    s->readonly = readonly;
    if (readonly) {
        close(fd);
        s->fd_lock = -1;
    } else {
        s->fd_lock = fd;
    }

    int rc = sqlite3_open_v2(path, &s->db, readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, NULL);
    if (rc != SQLITE_OK) {
        save_db_error(s, rc, err, "opening");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 5000);
    sqlite3_commit_hook(s->db, count_commit, s);

    int app_id = 0, version = 0, objects = 0;
    if (read_int(s, "PRAGMA application_id", &app_id, err) != MA_OK ||
        read_int(s, "PRAGMA user_version", &version, err) != MA_OK ||
        read_int(s, "SELECT count(*) FROM sqlite_master", &objects, err) != MA_OK)
        goto fail;

    int latest = save_latest_version();
    if (app_id != SAVE_APPLICATION_ID && !(app_id == 0 && version == 0 && objects == 0)) {
        err_set(err, MA_ERR_NOT_SAVE,
                "%s is an SQLite database but not a Magic Adventure save. It was left "
                "untouched; pass another path with --save", path);
        goto fail;
    }
    if (version > latest) {
        err_set(err, MA_ERR_NEWER,
                "%s was saved by a newer version of Magic Adventure (save format %d; this "
                "game reads up to %d). It was left untouched: update the game to play it",
                path, version, latest);
        goto fail;
    }

    if (exec_sql(s, "PRAGMA foreign_keys = ON", err, "enabling foreign keys") != MA_OK ||
        exec_sql(s, "PRAGMA mmap_size = 16777216", err, "enabling mmap") != MA_OK)
        goto fail;
    if (readonly) {
        if (exec_sql(s, "PRAGMA query_only = ON", err, "opening read-only") != MA_OK)
            goto fail;
    } else {
        if (exec_sql(s, "PRAGMA journal_mode = WAL", err, "enabling WAL") != MA_OK ||
            exec_sql(s, "PRAGMA synchronous = NORMAL", err, "setting synchronous") != MA_OK)
            goto fail;
        if (version < latest) {
            if ((flags & SAVE_NO_MIGRATE) && version > 0) {
                err_set(err, MA_ERR_INVALID,
                        "%s is at save format %d and this game needs %d; run "
                        "`magic-adventure --save %s init` to upgrade it", path, version, latest, path);
                goto fail;
            }
            if (version > 0) {
                char bak[4096], suffix[16];
                snprintf(suffix, sizeof suffix, "v%d", version);
                make_backup_name(path, suffix, bak, sizeof bak);
                if (save_backup(s, bak, err) != MA_OK) {
                    err_prefix(err, "not upgrading %s, as it could not be backed up first", path);
                    goto fail;
                }
                s->migration_backup = strdup(bak);
            }
            if (save_migrate_from(s, version, err) != MA_OK)
                goto fail;
        }
    }
    *out = s;
    return MA_OK;

fail:
    save_close(s);
    if (created)
        unlink(path);
    return err ? err->code : MA_ERR_DB;
}

static void finalize_stmts(Save *s)
{
    for (int i = 0; i < s->n_stmts; i++)
        sqlite3_finalize(s->stmts[i].stmt);
    s->n_stmts = 0;
}

void save_close(Save *s)
{
    if (!s)
        return;
    finalize_stmts(s);
    if (s->db)
        sqlite3_close_v2(s->db);
    if (s->fd_lock >= 0)
        close(s->fd_lock); /* releases the flock */
    free(s->migration_backup);
    free(s->path);
    free(s);
}

const char *save_path(const Save *s) { return s->path; }
int save_is_readonly(const Save *s) { return s->readonly; }
const char *save_migration_backup(const Save *s) { return s->migration_backup; }

int save_schema_version(Save *s)
{
    int v = -1;
    read_int(s, "PRAGMA user_version", &v, NULL);
    return v;
}

/* ------------------------------------------------------------ statements */

sqlite3_stmt *save_stmt(Save *s, const char *sql, Err *err)
{
    for (int i = 0; i < s->n_stmts; i++) {
        if (s->stmts[i].sql == sql) {
            sqlite3_stmt *st = s->stmts[i].stmt;
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return st;
        }
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) {
        save_db_error(s, rc, err, "preparing a query");
        return NULL;
    }
    if (s->n_stmts < (int)(sizeof s->stmts / sizeof s->stmts[0])) {
        s->stmts[s->n_stmts].sql = sql;
        s->stmts[s->n_stmts].stmt = st;
        s->n_stmts++;
    } else {
        /* Cache full: should not happen; grow the array in save_internal.h. */
        sqlite3_finalize(st);
        err_set(err, MA_ERR_DB, "%s: statement cache full", s->path);
        return NULL;
    }
    return st;
}

int save_step_done(Save *s, sqlite3_stmt *st, Err *err, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return save_db_error(s, rc, err, what);
    return MA_OK;
}

void save_bind_text(sqlite3_stmt *st, int i, const char *text)
{
    if (text)
        sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

int save_bind_json(sqlite3_stmt *st, int i, const cJSON *json, const char *fallback)
{
    if (!json)
        return sqlite3_bind_text(st, i, fallback, -1, SQLITE_STATIC);
    char *text = cJSON_PrintUnformatted(json);
    if (!text)
        return SQLITE_NOMEM;
    return sqlite3_bind_text(st, i, text, -1, cJSON_free);
}

char *save_col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

cJSON *save_col_json(sqlite3_stmt *st, int i)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    cJSON *j = t ? cJSON_ParseWithLength(t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
    return j ? j : cJSON_CreateObject();
}

void save_col_copy(sqlite3_stmt *st, int i, char *buf, size_t size)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(buf, size, "%s", t ? (const char *)t : "");
}

/* ------------------------------------------------------------ transactions */

/* tx_depth: 0 no transaction, 1 the unit of work's transaction, n > 1 that
 * transaction with n - 1 savepoints open (named sp2, sp3, ...). */

static int begin_unit(Save *s, const char *sql, Err *err)
{
    if (s->tx_depth > 0)
        return err_set(err, MA_ERR_INVALID,
                       "%s: a transaction is already open (a unit of work began inside another; "
                       "inner steps take savepoints)", s->path);
    int rc = exec_sql(s, sql, err, "starting a transaction");
    if (rc == MA_OK)
        s->tx_depth = 1;
    return rc;
}

int save_begin(Save *s, Err *err) { return begin_unit(s, s->readonly ? "BEGIN" : "BEGIN IMMEDIATE", err); }

int save_begin_read(Save *s, Err *err) { return begin_unit(s, "BEGIN", err); }

int save_commit(Save *s, Err *err)
{
    if (s->tx_depth <= 0)
        return err_set(err, MA_ERR_INVALID, "%s: commit without a transaction", s->path);
    if (s->tx_depth > 1) {
        save_rollback(s);
        return err_set(err, MA_ERR_INVALID, "%s: commit with a savepoint still open; nothing was saved", s->path);
    }
    int rc = exec_sql(s, "COMMIT", err, "committing");
    if (rc != MA_OK)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->tx_depth = 0;
    return rc;
}

void save_rollback(Save *s)
{
    if (s->tx_depth <= 0)
        return;
    s->tx_depth = 0;
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int save_in_transaction(const Save *s) { return s->tx_depth > 0; }

int save_savepoint(Save *s, Err *err)
{
    if (s->tx_depth <= 0)
        return err_set(err, MA_ERR_INVALID,
                       "%s: a step of a unit of work ran outside its transaction; nothing was saved", s->path);
    char sql[32];
    snprintf(sql, sizeof sql, "SAVEPOINT sp%d", s->tx_depth + 1);
    int rc = exec_sql(s, sql, err, "taking a savepoint");
    if (rc == MA_OK)
        s->tx_depth++;
    return rc;
}

int save_release(Save *s, Err *err)
{
    if (s->tx_depth <= 1)
        return err_set(err, MA_ERR_INVALID, "%s: release without a savepoint", s->path);
    char sql[32];
    snprintf(sql, sizeof sql, "RELEASE sp%d", s->tx_depth);
    int rc = exec_sql(s, sql, err, "releasing a savepoint");
    if (rc != MA_OK) {
        /* The step's work is undone either way, so the caller's nesting stays whole. */
        save_rollback_savepoint(s);
        return rc;
    }
    s->tx_depth--;
    return MA_OK;
}

void save_rollback_savepoint(Save *s)
{
    if (s->tx_depth <= 1)
        return;
    char sql[64];
    snprintf(sql, sizeof sql, "ROLLBACK TO sp%d; RELEASE sp%d", s->tx_depth, s->tx_depth);
    sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    s->tx_depth--;
}

int64_t save_commits(const Save *s) { return s->commits; }

/* ------------------------------------------------------------ info */

int save_table_counts(Save *s, const char **names, int64_t *counts, int max, Err *err)
{
    int n = 0;
    for (int i = 0; save_table_names[i] && n < max; i++) {
        char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", save_table_names[i]);
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
        sqlite3_free(sql);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(st);
            if (strstr(sqlite3_errmsg(s->db), "no such table"))
                continue; /* an old save that lacks it */
            return save_db_error(s, rc, err, "counting rows");
        }
        rc = sqlite3_step(st);
        names[n] = save_table_names[i];
        counts[n] = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
        sqlite3_finalize(st);
        n++;
    }
    return n;
}

/* ------------------------------------------------------------ row helpers for the table groups */

int save_bind_time(Save *s, sqlite3_stmt *st, int i, const char *t, Err *err, const char *what, const char *field)
{
    if (!t || !t[0]) {
        sqlite3_bind_null(st, i);
        return MA_OK;
    }
    int64_t ms = time_parse_iso(t);
    if (ms < 0)
        return err_set(err, MA_ERR_INVALID,
                       "%s: %s: %s '%.40s' is not an ISO-8601 UTC time (like 2026-11-27T03:17:40.123Z)", s->path,
                       what, field, t);
    char buf[TIME_ISO_LEN];
    sqlite3_bind_text(st, i, time_iso(ms, buf), -1, SQLITE_TRANSIENT);
    return MA_OK;
}

int save_collect_rows(Save *s, sqlite3_stmt *st, size_t size, SaveReadFn read, SaveClearFn clear, void **out, int *n,
                   Err *err, const char *what)
{
    char *rows = NULL;
    int count = 0, cap = 0, rc;
    *out = NULL;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 8;
            char *grown = realloc(rows, (size_t)cap * size);
            if (!grown) {
                sqlite3_reset(st);
                for (int i = 0; i < count; i++)
                    clear(rows + (size_t)i * size);
                free(rows);
                return err_set(err, MA_ERR_NOMEM, "%s: out of memory %s", s->path, what);
            }
            rows = grown;
        }
        read(st, rows + (size_t)count * size);
        count++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        for (int i = 0; i < count; i++)
            clear(rows + (size_t)i * size);
        free(rows);
        return save_db_error(s, rc, err, what);
    }
    *out = rows;
    *n = count;
    return MA_OK;
}

int save_get_row(Save *s, sqlite3_stmt *st, SaveReadFn read, void *out, Err *err, const char *what, const char *missing)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read(st, out);
        sqlite3_reset(st);
        return MA_OK;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no %s", s->path, missing);
    return save_db_error(s, rc, err, what);
}

int save_row_exists(Save *s, const char *sql, int64_t id)
{
    sqlite3_stmt *st = save_stmt(s, sql, NULL);
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, id);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found;
}

int save_need_object(Save *s, const cJSON *json, Err *err, const char *what, const char *column)
{
    if (json && !cJSON_IsObject(json))
        return err_set(err, MA_ERR_INVALID, "%s: %s: %s must be a JSON object", s->path, what, column);
    return MA_OK;
}

int save_write_error(Save *s, int rc, Err *err, const char *what, const char *missing)
{
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY && missing)
        return err_set(err, MA_ERR_CONSTRAINT, "%s: %s: %s", s->path, what, missing);
    return save_db_error(s, rc, err, what);
}
