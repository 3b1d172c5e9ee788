/* save.c — opening, validating, locking and migrating a save; transactions
 * and the prepared-statement cache the table-group files share. */
#include "save/save.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "save/save_internal.h"
#include "util/data.h"
#include "util/sha256.h"
#include "util/timeutil.h"

const char *const save_table_names[] = {
    "users", "sessions", "worlds", "world_chunks", "characters",
    "character_relationships", "character_skills", "crafting_recipes", "inventory",
    "stories", "story_branches", "player_choices", "quests", "quest_objectives",
    "quest_progress", "achievements", "ai_agents", "agent_memory",
    "world_evolution_log", "world_events", "character_state", "item_transfers", "story_progress",
    "story_choice_undo", "world_evolution_things", NULL,
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
        /* SQLite records errno only for failed statements, not for a failed COMMIT: take it as it is. */
        int sys = sqlite3_system_errno(s->db) ? sqlite3_system_errno(s->db) : errno;
        if (save_disk_error(s->path, sqlite3_extended_errcode(s->db), sys, err, what) == MA_OK)
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

/* ma_sha256_hex(text): the SHA-256 of text as hex, for migration 007 (session
 * tokens are stored only as their hash; see users.c). */
static void sql_sha256_hex(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    char hex[SHA256_HEX_LEN];
    const unsigned char *text = sqlite3_value_text(argv[0]);
    sha256_hex(text, (size_t)sqlite3_value_bytes(argv[0]), hex);
    sqlite3_result_text(ctx, hex, 64, SQLITE_TRANSIENT);
}

/* Every commit of the connection, explicit or autocommit, for save_commits. */
static int count_commit(void *ud)
{
    ((Save *)ud)->commits++;
    return 0;
}

int save_db_error(Save *s, int rc, Err *err, const char *what)
{
    if (s && s->db && save_disk_error(s->path, rc, sqlite3_system_errno(s->db), err, what) != MA_OK)
        return err->code;
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

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int refuse_not_save(const char *path, Err *err)
{
    return err_set(err, MA_ERR_NOT_SAVE,
                   "%s is an SQLite database but not a Magic Adventure save. It was left "
                   "untouched; pass another path with --save", path);
}

static int refuse_newer(const char *path, int version, Err *err)
{
    return err_set(err, MA_ERR_NEWER,
                   "%s was saved by a newer version of Magic Adventure (save format %d; this "
                   "game reads up to %d). It was left untouched: update the game to play it",
                   path, version, save_latest_version());
}

static int refuse_empty(const char *path, const char *what, Err *err)
{
    return err_set(err, MA_ERR_NOT_SAVE,
                   "%s is empty (%s), not a Magic Adventure save. It was left untouched; to make a new "
                   "save there, run `magic-adventure --save %s init` (or pass another path with --save)",
                   path, what, path);
}

/* Refuses from the file's own first bytes, before SQLite opens it, whatever
 * can be refused there: SQLite would create PATH-wal and PATH-shm beside a
 * WAL-mode file just to read it, and a refused file must be left exactly as
 * it was, with nothing new beside it. An empty file (0 bytes, or an SQLite
 * database with nothing in it) becomes a save only with SAVE_INIT. */
static int check_header(const char *path, int fd, int flags, Err *err)
{
    unsigned char head[100];
    ssize_t n = pread(fd, head, sizeof head, 0);
    if (n < 0)
        return err_set(err, MA_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
    if (n == 0)
        return flags & SAVE_INIT ? MA_OK : refuse_empty(path, "0 bytes", err);
    /* SQLite's header cut short: a database that lost its end (a copy that stopped, a full disk),
     * damaged rather than foreign, so that `restore` may put a backup in its place. */
    if (n < (ssize_t)sizeof head && n >= 16 && memcmp(head, "SQLite format 3", 16) == 0)
        return err_set(err, MA_ERR_CORRUPT,
                       "%s is damaged (an SQLite database cut short at %zd bytes). It was left untouched: restore a "
                       "backup with `magic-adventure restore FILE`",
                       path, n);
    if (n < (ssize_t)sizeof head || memcmp(head, "SQLite format 3", 16) != 0)
        return err_set(err, MA_ERR_NOT_SAVE,
                       "%s is not a Magic Adventure save (it is not an SQLite database). "
                       "It was left untouched; pass another path with --save", path);
    /* Committed pages may still sit in PATH-wal, newer than the file's first page: SQLite decides then. */
    if (save_side_file_size(path, "-wal") > 0)
        return MA_OK;
    uint32_t app_id = be32(head + 68), version = be32(head + 60);
    if (app_id == SAVE_APPLICATION_ID && version > (uint32_t)INT32_MAX) /* a negative format: no game wrote it */
        return err_set(err, MA_ERR_CORRUPT,
                       "%s is damaged (its format version reads %d, which no version of the game writes). It was "
                       "left untouched: restore a backup with `magic-adventure restore FILE`",
                       path, (int)version);
    if (app_id == SAVE_APPLICATION_ID)
        return version > (uint32_t)save_latest_version() ? refuse_newer(path, (int)version, err) : MA_OK;
    if (app_id != 0 || version != 0)
        return refuse_not_save(path, err);
    /* No application id: a database with nothing in it yet has an empty
     * first page (a leaf table page with no cells); anything else is another program's. */
    unsigned char page[8];
    if (pread(fd, page, sizeof page, 100) != (ssize_t)sizeof page || page[0] != 0x0D || page[3] != 0 || page[4] != 0)
        return refuse_not_save(path, err);
    return flags & SAVE_INIT ? MA_OK : refuse_empty(path, "an SQLite database with no tables", err);
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

void save_unique_path(const char *path, const char *suffix, char *out, size_t size)
{
    struct stat st;
    snprintf(out, size, "%s.%s.bak", path, suffix);
    for (int i = 2; lstat(out, &st) == 0 && i < 100000; i++)
        snprintf(out, size, "%s.%s-%d.bak", path, suffix, i);
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
        if (fd < 0 && (errno == EROFS || errno == EACCES || errno == EPERM))
            return save_read_only_error(path, "creating the save", err);
        if (fd < 0)
            return err_set(err, MA_ERR_IO, "cannot create the save %s: %s", path, strerror(errno));
        created = 1;
    } else {
        if (!S_ISREG(stt.st_mode))
            return err_set(err, MA_ERR_NOT_SAVE, "%s is not a Magic Adventure save (not a regular file)", path);
        fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
        if (fd < 0 && !readonly && (errno == EROFS || errno == EACCES || errno == EPERM)) {
            char folder[4200];
            save_folder_of(path, folder, sizeof folder);
            if (errno == EROFS || access(folder, W_OK) != 0)
                return save_read_only_error(path, "opening the save to play", err);
            return err_set(err, MA_ERR_IO,
                           "the save %s is read-only (%s): the game cannot write to it. Make it writable "
                           "(chmod u+w %s), or copy it and use --save with the copy", path, strerror(EACCES), path);
        }
        if (fd < 0)
            return err_set(err, MA_ERR_IO, "cannot open the save %s%s: %s", path,
                           readonly ? "" : " for writing", strerror(errno));
        if (check_header(path, fd, flags, err) != MA_OK) {
            close(fd);
            return err->code;
        }
    }

    /* A writer needs PATH-wal and PATH-shm beside the save: say so now rather than "unable to open". */
    char folder[4200];
    save_folder_of(path, folder, sizeof folder);
    int folder_read_only = access(folder, W_OK) != 0;
    if (!readonly && folder_read_only) {
        close(fd);
        if (created)
            unlink(path);
        return save_read_only_error(path, "opening the save to play", err);
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
    char notice[1024] = "";
    if (readonly) {
        close(fd);
        s->fd_lock = -1;
        if (save_settle_hot_journal(path, notice, sizeof notice, err) != MA_OK) {
            save_close(s);
            return err->code;
        }
    } else {
        s->fd_lock = fd;
        save_clean_stale_temporaries(path, notice, sizeof notice);
    }
    if (notice[0])
        s->notice = strdup(notice);

    off_t wal_before = save_side_file_size(path, "-wal"), shm_before = save_side_file_size(path, "-shm");
    int rc;
    if (readonly && folder_read_only && !(wal_before > 0 && shm_before >= 0)) {
        /* SQLite reads a WAL-mode file only with a -shm beside it, which it cannot make here. Nothing
         * can be writing a save in a folder nobody can write to, so it may be read as immutable; but
         * committed changes still in a -wal would be missed, and need a -shm to be read. With both
         * beside it, it is opened as any read-only save, and SQLite reads the -wal through the -shm
         * (immutable had read the file alone: a backup of it lacked what the -wal held). */
        if (wal_before > 0 && shm_before < 0) {
            err_set(err, MA_ERR_IO,
                    "%s has changes in %s-wal that were never folded into the save, and its folder (%s) is "
                    "read-only, so they cannot be read here: copy the save together with its -wal file somewhere "
                    "writable and use --save with the copy", path, path, folder);
            goto fail;
        }
        char *uri = save_immutable_uri(path);
        rc = uri ? sqlite3_open_v2(uri, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) : SQLITE_NOMEM;
        sqlite3_free(uri);
    } else {
        rc = sqlite3_open_v2(path, &s->db, readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, NULL);
    }
    if (rc != SQLITE_OK) {
        save_db_error(s, rc, err, "opening");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_create_function(s->db, "ma_sha256_hex", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_sha256_hex,
                            NULL, NULL);
    sqlite3_busy_timeout(s->db, 5000);
    sqlite3_commit_hook(s->db, count_commit, s);

    int app_id = 0, version = 0, objects = 0;
    if (read_int(s, "PRAGMA application_id", &app_id, err) != MA_OK ||
        read_int(s, "PRAGMA user_version", &version, err) != MA_OK ||
        read_int(s, "SELECT count(*) FROM sqlite_master", &objects, err) != MA_OK)
        goto fail;

    int latest = save_latest_version();
    int fresh = app_id == 0 && version == 0 && objects == 0;
    if (app_id != SAVE_APPLICATION_ID && !fresh) {
        refuse_not_save(path, err);
        goto fail;
    }
    if (fresh && !created && !(flags & SAVE_INIT)) {
        refuse_empty(path, "an SQLite database with no tables", err);
        goto fail;
    }
    s->was_empty = fresh;
    if (version > latest) {
        refuse_newer(path, version, err);
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
                save_unique_path(path, suffix, bak, sizeof bak);
                if (save_backup(s, bak, err) != MA_OK) {
                    err_prefix(err, "not upgrading %s, as it could not be backed up first", path);
                    goto fail;
                }
                s->migration_backup = strdup(bak);
            }
            if (save_migrate_from(s, version, err) != MA_OK) {
                /* Each format is one transaction: a save still at its format is as it was, and the
                 * copy made for this try is not kept (each failed try had left another one). */
                int now = save_schema_version(s);
                if (s->migration_backup && now == version) {
                    unlink(s->migration_backup);
                    err_prefix(err, "%s was not upgraded and is unchanged (save format %d)", path, version);
                } else if (s->migration_backup) {
                    err_prefix(err, "%s was upgraded only to save format %d; the save as it was is kept at %s", path,
                               now, s->migration_backup);
                }
                goto fail;
            }
        }
    }
    s->tidy_on_close = readonly && !folder_read_only;
    *out = s;
    return MA_OK;

fail:
    save_close(s);
    if (created)
        unlink(path);
    save_remove_new_side_files(path, wal_before, shm_before);
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
    /* A read-only connection cannot remove the -wal and -shm it leaves (SQLite does that when the
     * last connection that can write closes): with nothing in the -wal, a connection that can is
     * opened and closed, and SQLite removes them if no other is open (its own locks decide). */
    if (s->tidy_on_close && save_side_file_size(s->path, "-wal") == 0) {
        sqlite3 *rw = NULL;
        if (sqlite3_open_v2(s->path, &rw, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK)
            sqlite3_exec(rw, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
        sqlite3_close_v2(rw);
    }
    if (s->fd_lock >= 0)
        close(s->fd_lock); /* releases the flock */
    free(s->migration_backup);
    free(s->notice);
    free(s->path);
    free(s);
}

const char *save_path(const Save *s) { return s->path; }
int save_is_readonly(const Save *s) { return s->readonly; }
const char *save_migration_backup(const Save *s) { return s->migration_backup; }
int save_was_empty(const Save *s) { return s->was_empty; }
const char *save_notice(const Save *s) { return s->notice; }

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

int save_exec_id(Save *s, const char *sql, int64_t id, Err *err, const char *what)
{
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    return save_step_done(s, st, err, what);
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

int save_end_savepoint(Save *s, int rc, Err *err)
{
    if (rc == MA_OK)
        return save_release(s, err);
    save_rollback_savepoint(s);
    return rc;
}

int64_t save_commits(const Save *s) { return s->commits; }

/* ------------------------------------------------------------ info */

/* The tables beside the design's: the client's message log and the sync state. */
static const char *const other_table_names[] = {
    "message_log", "sync_accounts", "sync_worlds", "sync_log", "sync_keys", "sync_rows", "sync_conflicts",
    "sync_entries", NULL,
};

int save_table_counts(Save *s, const char **names, int64_t *counts, int max, Err *err)
{
    int n = 0, designed = 0;
    while (save_table_names[designed])
        designed++;
    for (int i = 0; n < max; i++) {
        const char *name = i < designed ? save_table_names[i] : other_table_names[i - designed];
        if (!name)
            break;
        char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", name);
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
        names[n] = name;
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

int save_get_one(Save *s, sqlite3_stmt *st, SaveReadFn read, void *out, Err *err, const char *what)
{
    char doing[192];
    snprintf(doing, sizeof doing, "reading %s", what);
    return save_get_row(s, st, read, out, err, doing, what);
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
