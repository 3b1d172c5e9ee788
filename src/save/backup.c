/* backup.c — online backup and restore through SQLite's backup API.
 *
 * A backup is written to a temporary file next to the destination and
 * renamed into place, so a failed backup never leaves a half-written file.
 * A restore first validates the source as a save (header, application id,
 * version, integrity check) and copies the current save aside, so that
 * nothing already saved is lost to a bad restore. */
#include "save/save.h"
#include "save/backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "save/save_internal.h"
#include "util/timeutil.h"

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

int save_backup_check(const char *path, Err *err)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = MA_OK;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL) != SQLITE_OK) {
        rc = err_set(err, MA_ERR_CORRUPT, "%s cannot be checked: %s", path, sqlite3_errmsg(db));
    } else {
        int step = sqlite3_step(st);
        const char *said = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : sqlite3_errmsg(db);
        if (step != SQLITE_ROW || !said || strcmp(said, "ok") != 0) {
            /* SQLite's finding on one line, without its "*** in database main ***" heading */
            char what[400];
            snprintf(what, sizeof what, "%s", said ? said : "no answer");
            const char *head = "*** in database main ***\n";
            char *w = strncmp(what, head, strlen(head)) == 0 ? what + strlen(head) : what;
            for (char *c = w; *c; c++)
                if (*c == '\n')
                    *c = ' ';
            rc = err_set(err, MA_ERR_CORRUPT, "%s", w);
        }
    }
    sqlite3_finalize(st);
    sqlite3_close_v2(db);
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

/* Opens the backup at src_path read-only and checks it as a source of a restore into the save
 * at save_path (named in the messages): a save, with data, whole, and passing opts->check. */
static int open_source(const char *save_path, const char *src_path, const SaveRestoreOpts *opts, Save **out,
                       Err *err)
{
    *out = NULL;
    struct stat a, b;
    /* save_open's own words are about the --save path; a backup is named here. */
    if (stat(src_path, &a) != 0)
        return err_set(err, MA_ERR_IO, "there is no backup at %s (%s); not restoring (your save %s is unchanged; "
                       "`magic-adventure backup list` shows the backups made)", src_path, strerror(errno), save_path);
    if (stat(save_path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        return err_set(err, MA_ERR_INVALID, "%s is the save itself; restore from a backup file", src_path);
    Save *src = NULL;
    int rc = save_open(src_path, SAVE_READONLY, &src, err);
    if (rc == MA_ERR_NOT_SAVE && err) {
        /* Its reason, without the advice that follows it for a --save path. */
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        char *advice = strstr(why, ". It was left untouched");
        if (advice)
            *advice = '\0';
        return err_set(err, rc, "%s; a backup must be a Magic Adventure save. Not restoring it (your save %s is "
                       "unchanged)", why, save_path);
    }
    if (rc != MA_OK) {
        err_prefix(err, "not restoring (your save %s is unchanged)", save_path);
        return rc;
    }
    if (save_schema_version(src) < 1) {
        save_close(src);
        return err_set(err, MA_ERR_NOT_SAVE, "%s holds no Magic Adventure data; not restoring it "
                       "(your save %s is unchanged)", src_path, save_path);
    }
    if ((rc = integrity_ok(src, err)) != MA_OK) {
        save_close(src);
        err_prefix(err, "your save %s is unchanged", save_path);
        return rc;
    }
    if (opts->check) {
        int problems = opts->check(src, opts->check_ud, err);
        if (problems != 0) {
            save_close(src);
            if (problems < 0) {
                err_prefix(err, "not restoring: %s could not be checked (your save %s is unchanged)", src_path,
                           save_path);
                return problems;
            }
            return err_set(err, MA_ERR_CORRUPT, "%s has %d problem%s (listed above); not restoring it (your save "
                           "%s is unchanged)", src_path, problems, problems == 1 ? "" : "s", save_path);
        }
    }
    *out = src;
    return MA_OK;
}

/* Options and result as given, or none and a scratch result (cleared). */
#define RESTORE_DEFAULTS(opts, res)                                                                                    \
    static const SaveRestoreOpts none_;                                                                                \
    SaveRestoreResult local_;                                                                                          \
    if (!(opts))                                                                                                       \
        (opts) = &none_;                                                                                               \
    if (!(res))                                                                                                        \
        (res) = &local_;                                                                                               \
    memset((res), 0, sizeof *(res))

int save_restore_from(Save *s, const char *src_path, const SaveRestoreOpts *opts, SaveRestoreResult *res, Err *err)
{
    RESTORE_DEFAULTS(opts, res);
    if (s->readonly)
        return err_set(err, MA_ERR_INVALID, "%s is open read-only", s->path);
    Save *src = NULL;
    int rc = open_source(s->path, src_path, opts, &src, err);
    if (rc != MA_OK)
        return rc;
    /* Keep what is being replaced, under a name no earlier restore used. */
    if (save_schema_version(s) > 0) {
        save_unique_path(s->path, "before-restore", res->kept, sizeof res->kept);
        if ((rc = save_backup(s, res->kept, err)) != MA_OK) {
            save_close(src);
            res->kept[0] = '\0';
            Err why = {0};
            if (integrity_ok(s, &why) != MA_OK) { /* the save's own pages do not read */
                res->damaged = 1;
                return err_set(err, MA_ERR_CORRUPT, "%s is damaged (%s)", s->path, err->msg);
            }
            err_prefix(err, "not restoring: could not keep a copy of the current save first");
            return rc;
        }
    }
    if (opts->world) {
        int version = save_schema_version(src);
        save_close(src);
        rc = save_restore_part(s, src_path, version, opts->world, opts->character, res, err);
        if (rc != MA_OK && res->kept[0]) {
            unlink(res->kept); /* nothing was restored: the copy would only be clutter */
            res->kept[0] = '\0';
        }
        return rc;
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

/* Moves path's file, and its -wal and -shm beside it, to to (and to-wal, to-shm). Returns 0, or
 * -1 with errno when the main file could not be moved. */
static int move_save_files(const char *path, const char *to)
{
    if (rename(path, to) != 0)
        return -1;
    static const char *const sides[] = {"-wal", "-shm"};
    for (int i = 0; i < 2; i++) {
        char a[4200], b[4200];
        snprintf(a, sizeof a, "%s%s", path, sides[i]);
        snprintf(b, sizeof b, "%s%s", to, sides[i]);
        if (rename(a, b) != 0 && errno != ENOENT)
            unlink(a); /* a journal left beside the restored file would be read into it */
    }
    return 0;
}

int save_restore_over_damaged(const char *save_path, const char *src_path, const SaveRestoreOpts *opts,
                              SaveRestoreResult *res, Err *err)
{
    RESTORE_DEFAULTS(opts, res);
    res->damaged = 1;
    if (opts->world)
        return err_set(err, MA_ERR_CORRUPT, "%s is damaged, so no world of it can be rolled back; restore the "
                       "whole save from %s (without --world)", save_path, src_path);
    Save *src = NULL;
    int rc = open_source(save_path, src_path, opts, &src, err);
    if (rc != MA_OK) {
        err_prefix(err, "%s is damaged", save_path);
        return rc;
    }
    save_unique_path(save_path, "damaged", res->kept, sizeof res->kept);
    if (move_save_files(save_path, res->kept) != 0) {
        int e = errno;
        save_close(src);
        res->kept[0] = '\0';
        return err_set(err, MA_ERR_IO, "cannot move the damaged save %s aside: %s; not restoring (it is unchanged)",
                       save_path, strerror(e));
    }
    rc = save_backup(src, save_path, err);
    save_close(src);
    if (rc != MA_OK) {
        move_save_files(res->kept, save_path); /* as it was */
        res->kept[0] = '\0';
        err_prefix(err, "not restoring (your save %s is as it was)", save_path);
    }
    return rc;
}

/* ------------------------------------------------------------ automatic backups */

int backup_schedule_parse(const char *text, int *when, Err *err)
{
    *when = 0;
    if (strcmp(text, "off") == 0 || strcmp(text, "none") == 0)
        return MA_OK;
    char copy[128];
    if (strlen(text) >= sizeof copy)
        return err_set(err, MA_ERR_INVALID, "the backup schedule '%.40s...' is too long", text);
    snprintf(copy, sizeof copy, "%s", text);
    char *save_ptr = NULL;
    for (char *w = strtok_r(copy, ", ", &save_ptr); w; w = strtok_r(NULL, ", ", &save_ptr)) {
        if (strcmp(w, "quit") == 0)
            *when |= BACKUP_ON_QUIT;
        else if (strcmp(w, "day") == 0)
            *when |= BACKUP_DAILY;
        else
            return err_set(err, MA_ERR_INVALID, "the backup schedule '%s' has '%s': it takes quit, day "
                           "(or both, as quit,day) or off", text, w);
    }
    if (!*when)
        return err_set(err, MA_ERR_INVALID, "the backup schedule is empty: give quit, day, quit,day or off");
    return MA_OK;
}

int backup_settings_from_env(BackupSettings *out, Err *err)
{
    out->when = BACKUP_DEFAULT_WHEN;
    out->retention_days = BACKUP_DEFAULT_RETENTION_DAYS;
    int rc = MA_OK;
    const char *when = getenv("MAGIC_BACKUP_SCHEDULE");
    int parsed;
    if (when && *when) {
        if (backup_schedule_parse(when, &parsed, err) == MA_OK)
            out->when = parsed;
        else {
            err_prefix(err, "MAGIC_BACKUP_SCHEDULE (keeping quit,day)");
            rc = MA_ERR_INVALID;
        }
    }
    const char *days = getenv("BACKUP_RETENTION_DAYS");
    if (days && *days) {
        char *end;
        errno = 0;
        long v = strtol(days, &end, 10);
        if (errno || *end || v < 0 || v > 36500)
            rc = err_set(err, MA_ERR_INVALID, "BACKUP_RETENTION_DAYS is '%.40s', not a whole number of days from 0 "
                         "(keep every backup) to 36500; keeping %d", days, BACKUP_DEFAULT_RETENTION_DAYS);
        else
            out->retention_days = (int)v;
    }
    return rc;
}

void backup_folder(const char *save_path, char *out, size_t size)
{
    save_backups_folder(save_path, out, size);
}

/* Reads a backup's name (20261127-031740Z-quit.db, or ...-quit-2.db): 0 and
 * the time and reason, or -1 when name is not one. */
static int parse_name(const char *name, BackupInfo *b)
{
    int Y, M, D, h, m, sec, used = 0;
    if (sscanf(name, "%4d%2d%2d-%2d%2d%2dZ-%n", &Y, &M, &D, &h, &m, &sec, &used) != 6 || used != 17)
        return -1;
    const char *r = name + used;
    size_t k = 0;
    while (r[k] >= 'a' && r[k] <= 'z' && k + 1 < sizeof b->reason)
        k++;
    if (k == 0)
        return -1;
    const char *rest = r + k;
    if (rest[0] == '-') {
        rest++;
        if (!(*rest >= '0' && *rest <= '9'))
            return -1;
        while (*rest >= '0' && *rest <= '9')
            rest++;
    }
    if (strcmp(rest, ".db") != 0)
        return -1;
    snprintf(b->reason, sizeof b->reason, "%.*s", (int)k, r);
    snprintf(b->time, sizeof b->time, "%04d-%02d-%02dT%02d:%02d:%02d.000Z", Y, M, D, h, m, sec);
    b->time_ms = time_parse_iso(b->time);
    return b->time_ms < 0 ? -1 : 0;
}

static int by_time(const void *a, const void *b)
{
    const BackupInfo *x = a, *y = b;
    if (x->time_ms != y->time_ms)
        return x->time_ms < y->time_ms ? -1 : 1;
    return strcmp(x->path, y->path);
}

int backup_list(const char *save_path, BackupInfo **out, int *n, Err *err)
{
    *out = NULL;
    *n = 0;
    char folder[4096];
    backup_folder(save_path, folder, sizeof folder);
    DIR *d = opendir(folder);
    if (!d)
        return errno == ENOENT ? MA_OK : err_set(err, MA_ERR_IO, "cannot read the backups folder %s: %s", folder,
                                                 strerror(errno));
    BackupInfo *v = NULL;
    int count = 0, cap = 0, rc = MA_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        BackupInfo b;
        memset(&b, 0, sizeof b);
        struct stat st;
        if (parse_name(e->d_name, &b) != 0)
            continue;
        snprintf(b.path, sizeof b.path, "%s/%s", folder, e->d_name);
        if (lstat(b.path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        b.bytes = st.st_size;
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            BackupInfo *grown = realloc(v, (size_t)cap * sizeof *v);
            if (!grown) {
                rc = err_set(err, MA_ERR_NOMEM, "out of memory listing %s", folder);
                break;
            }
            v = grown;
        }
        v[count++] = b;
    }
    closedir(d);
    if (rc != MA_OK) {
        free(v);
        return rc;
    }
    qsort(v, (size_t)count, sizeof *v, by_time);
    *out = v;
    *n = count;
    return MA_OK;
}

int backup_prune(const char *save_path, int retention_days, int64_t now_ms, int *pruned, Err *err)
{
    if (pruned)
        *pruned = 0;
    if (retention_days <= 0)
        return MA_OK;
    BackupInfo *v = NULL;
    int n = 0;
    int rc = backup_list(save_path, &v, &n, err);
    if (rc != MA_OK)
        return rc;
    int64_t cutoff = now_ms - (int64_t)retention_days * 86400 * 1000;
    for (int i = 0; i < n; i++) {
        if (v[i].time_ms >= cutoff)
            continue;
        if (unlink(v[i].path) != 0) {
            rc = err_set(err, MA_ERR_IO, "cannot remove the old backup %s: %s", v[i].path, strerror(errno));
            break;
        }
        if (pruned)
            (*pruned)++;
    }
    free(v);
    return rc;
}

/* mkdir -p for the backups folder (mode 0700: backups hold the whole save). */
static int make_folder(const char *folder, Err *err)
{
    char part[4096];
    snprintf(part, sizeof part, "%s", folder);
    for (char *p = part + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(part, 0700) != 0 && errno != EEXIST) {
                int e = errno;
                if (e == EROFS || e == EACCES || e == EPERM) /* the folder it is made in cannot be written */
                    return err_set(err, MA_ERR_IO,
                                   "cannot make the backups folder %s: the folder it goes in is read-only (%s); "
                                   "give backup a FILE in a writable folder instead (backup /somewhere/copy.db)",
                                   part, strerror(e));
                return err_set(err, MA_ERR_IO, "cannot make the backups folder %s: %s", part, strerror(e));
            }
            *p = c;
            if (c == '\0')
                return MA_OK;
        }
    }
}

int backup_auto(Save *s, const char *reason, int retention_days, BackupInfo *made, int *pruned, Err *err)
{
    BackupInfo local;
    if (!made)
        made = &local;
    memset(made, 0, sizeof *made);
    if (pruned)
        *pruned = 0;
    size_t k = strlen(reason);
    if (k == 0 || k >= sizeof made->reason || strspn(reason, "abcdefghijklmnopqrstuvwxyz") != k)
        return err_set(err, MA_ERR_INVALID, "a backup's reason is a short lower-case word, not '%.20s'", reason);
    char folder[4096];
    backup_folder(s->path, folder, sizeof folder);
    int rc = make_folder(folder, err);
    if (rc != MA_OK)
        return rc;
    int64_t now = time_now_ms();
    time_t secs = (time_t)(now / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%SZ", &tm);
    struct stat st;
    snprintf(made->path, sizeof made->path, "%s/%s-%s.db", folder, stamp, reason);
    for (int i = 2; lstat(made->path, &st) == 0 && i < 1000; i++)
        snprintf(made->path, sizeof made->path, "%s/%s-%s-%d.db", folder, stamp, reason, i);
    if ((rc = save_backup(s, made->path, err)) != MA_OK)
        return rc;
    const char *base = strrchr(made->path, '/');
    parse_name(base ? base + 1 : made->path, made);
    if (stat(made->path, &st) == 0)
        made->bytes = st.st_size;
    Err check = {0};
    if (save_backup_check(made->path, &check) != MA_OK) {
        snprintf(made->damaged, sizeof made->damaged, "%s", check.msg);
        return MA_OK;
    }
    return backup_prune(s->path, retention_days, now, pruned, err);
}
