/* backup.c — online backup and restore through SQLite's backup API.
 *
 * A backup is written to a temporary file next to the destination and
 * renamed into place, so a failed backup never leaves a half-written file.
 * A restore first validates the source as a save (header, application id,
 * version, integrity check) and copies the current save aside, so that
 * nothing already saved is lost to a bad restore. */
#include "save/save.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "save/save_internal.h"

/* Copies every page of from into to. what and path say what is done ("backing up to", a file) for
 * messages; dest_path is the file being written, whose disk a failure is about. */
static int copy_db(sqlite3 *from, sqlite3 *to, const char *what, const char *path, const char *dest_path, Err *err)
{
    sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
    if (!b)
        return err_set(err, MA_ERR_DB, "%s %s: %s", what, path, sqlite3_errmsg(to));
    int rc;
    do {
        rc = sqlite3_backup_step(b, 1024);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(20);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    int frc = sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE || frc != SQLITE_OK) {
        int bad = rc != SQLITE_DONE ? rc : frc;
        char doing[4200];
        snprintf(doing, sizeof doing, "%s %s", what, path);
        if (save_disk_error(dest_path, bad, sqlite3_system_errno(to) ? sqlite3_system_errno(to) : errno, err, doing))
            return err->code;
        return err_set(err, MA_ERR_DB, "%s %s: %s", what, path, sqlite3_errstr(bad));
    }
    return MA_OK;
}

int save_backup(Save *s, const char *dest, Err *err)
{
    struct stat st;
    if (lstat(dest, &st) == 0)
        return err_set(err, MA_ERR_IO, "%s already exists; choose a new file name for the backup", dest);
    size_t n = strlen(dest) + 32;
    char *tmp = malloc(n);
    if (!tmp)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    snprintf(tmp, n, "%s.tmp-%ld", dest, (long)getpid());
    int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        err_set(err, MA_ERR_IO, "cannot create the backup %s: %s", dest, strerror(errno));
        free(tmp);
        return err->code;
    }
    close(fd);
    sqlite3 *out = NULL;
    int rc = MA_OK;
    if (sqlite3_open_v2(tmp, &out, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        rc = err_set(err, MA_ERR_IO, "cannot open the backup %s: %s", dest, sqlite3_errmsg(out));
    else
        rc = copy_db(s->db, out, "backing up to", dest, dest, err);
    if (rc == MA_OK && sqlite3_exec(out, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK)
        rc = err_set(err, MA_ERR_IO, "finishing the backup %s: %s", dest, sqlite3_errmsg(out));
    sqlite3_close_v2(out);
    if (rc == MA_OK) {
        fd = open(tmp, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            fsync(fd);
            close(fd);
        }
        if (rename(tmp, dest) != 0)
            rc = err_set(err, MA_ERR_IO, "cannot move the backup into place at %s: %s", dest, strerror(errno));
    }
    if (rc != MA_OK)
        unlink(tmp);
    free(tmp);
    return rc;
}

static int integrity_ok(Save *src, Err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(src->db, "PRAGMA integrity_check(1)", -1, &st, NULL);
    int ok = 0;
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        ok = strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    sqlite3_finalize(st);
    if (!ok)
        return err_set(err, MA_ERR_CORRUPT, "%s is damaged (integrity check failed); not restoring it",
                       src->path);
    return MA_OK;
}

int save_restore(Save *s, const char *src_path, Err *err)
{
    return save_restore_from(s, src_path, NULL, NULL, err);
}

int save_restore_from(Save *s, const char *src_path, const SaveRestoreOpts *opts, SaveRestoreResult *res, Err *err)
{
    static const SaveRestoreOpts none;
    SaveRestoreResult local;
    if (!opts)
        opts = &none;
    if (!res)
        res = &local;
    memset(res, 0, sizeof *res);
    if (s->readonly)
        return err_set(err, MA_ERR_INVALID, "%s is open read-only", s->path);
    struct stat a, b;
    if (stat(src_path, &a) == 0 && stat(s->path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        return err_set(err, MA_ERR_INVALID, "%s is the save itself; restore from a backup file", src_path);
    Save *src = NULL;
    int rc = save_open(src_path, SAVE_READONLY, &src, err);
    if (rc != MA_OK) {
        err_prefix(err, "not restoring (your save %s is unchanged)", s->path);
        return rc;
    }
    if (save_schema_version(src) < 1) {
        save_close(src);
        return err_set(err, MA_ERR_NOT_SAVE, "%s holds no Magic Adventure data; not restoring it "
                       "(your save %s is unchanged)", src_path, s->path);
    }
    if ((rc = integrity_ok(src, err)) != MA_OK) {
        save_close(src);
        err_prefix(err, "your save %s is unchanged", s->path);
        return rc;
    }
    if (opts->check) {
        int problems = opts->check(src, opts->check_ud, err);
        if (problems != 0) {
            save_close(src);
            if (problems < 0) {
                err_prefix(err, "not restoring: %s could not be checked (your save %s is unchanged)", src_path,
                           s->path);
                return problems;
            }
            return err_set(err, MA_ERR_CORRUPT, "%s has %d problem%s (listed above); not restoring it (your save "
                           "%s is unchanged)", src_path, problems, problems == 1 ? "" : "s", s->path);
        }
    }
    /* Keep what is being replaced, under a name no earlier restore used. */
    if (save_schema_version(s) > 0) {
        save_unique_path(s->path, "before-restore", res->kept, sizeof res->kept);
        if ((rc = save_backup(s, res->kept, err)) != MA_OK) {
            save_close(src);
            res->kept[0] = '\0';
            err_prefix(err, "not restoring: could not keep a copy of the current save first");
            return rc;
        }
    }
    if (opts->world) {
        int version = save_schema_version(src);
        save_close(src);
        return save_restore_part(s, src_path, version, opts->world, opts->character, res, err);
    }
    /* Cached statements would hold the old schema; drop them. */
    for (int i = 0; i < s->n_stmts; i++)
        sqlite3_finalize(s->stmts[i].stmt);
    s->n_stmts = 0;
    rc = copy_db(src->db, s->db, "restoring from", src_path, s->path, err);
    int version = save_schema_version(src);
    save_close(src);
    if (rc != MA_OK)
        return rc;
    if (version < save_latest_version())
        rc = save_migrate_from(s, version, err);
    return rc;
}
