/* save_files.c — a save as files on a disk: the files beside it
 * (temporaries left by killed processes, a hot journal left by a killed
 * writer, -wal and -shm, the backups folder) and what a failing disk or a
 * read-only folder means, in words a player can act on.
 *
 * A backup is written to DEST.tmp-PID and renamed into place (backup.c);
 * SQLite gives that file its own DEST.tmp-PID-journal. A process killed
 * halfway leaves both, each as large as the save, and nothing else would
 * ever remove them: the next writer of the save does (save_open), when the
 * process that made them is gone. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "save/save_internal.h"

void save_backups_folder(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    int dir_len = slash ? (int)(slash - path) : 0;
    size_t name_len = strlen(base);
    if (name_len > 3 && strcmp(base + name_len - 3, ".db") == 0)
        name_len -= 3;
    if (slash)
        snprintf(out, size, "%.*s/backups/%.*s", dir_len, path, (int)name_len, base);
    else
        snprintf(out, size, "backups/%.*s", (int)name_len, base);
}

/* The pid in a temporary's name: "X.tmp-PID", with "-journal", "-wal" or
 * "-shm" after it for SQLite's own files of that temporary. 0 when name is
 * not such a temporary. */
static pid_t temp_pid(const char *name)
{
    const char *t = NULL;
    for (const char *p = strstr(name, ".tmp-"); p; p = strstr(p + 1, ".tmp-"))
        t = p;
    if (!t)
        return 0;
    const char *d = t + 5;
    long pid = 0;
    int digits = 0;
    for (; *d >= '0' && *d <= '9' && digits < 10; d++, digits++)
        pid = pid * 10 + (*d - '0');
    if (digits == 0 || pid <= 0 ||
        (*d && strcmp(d, "-journal") != 0 && strcmp(d, "-wal") != 0 && strcmp(d, "-shm") != 0))
        return 0;
    return (pid_t)pid;
}

static int pid_alive(pid_t pid)
{
    return pid == getpid() || kill(pid, 0) == 0 || errno == EPERM;
}

typedef struct Removed {
    int count;
    long long bytes;
    char names[512];
} Removed;

/* Removes the temporaries of dead processes in folder whose names start with prefix. */
static void clean_folder(const char *folder, const char *prefix, Removed *rm)
{
    DIR *d = opendir(folder);
    if (!d)
        return;
    struct dirent *e;
    size_t plen = strlen(prefix);
    while ((e = readdir(d))) {
        pid_t pid;
        if (strncmp(e->d_name, prefix, plen) != 0 || !(pid = temp_pid(e->d_name)) || pid_alive(pid))
            continue;
        char full[4200];
        struct stat st;
        snprintf(full, sizeof full, "%s/%s", folder, e->d_name);
        if (lstat(full, &st) != 0 || !S_ISREG(st.st_mode) || unlink(full) != 0)
            continue;
        rm->count++;
        rm->bytes += st.st_size;
        size_t used = strlen(rm->names);
        if (rm->count <= 3)
            snprintf(rm->names + used, sizeof rm->names - used, "%s%s", used ? ", " : "", full);
    }
    closedir(d);
}

int save_clean_stale_temporaries(const char *path, char *notice, size_t size)
{
    char folder[4200], prefix[1024], backups[4200];
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(folder, sizeof folder, "%.*s", (int)(slash - path), path);
    else
        snprintf(folder, sizeof folder, ".");
    snprintf(prefix, sizeof prefix, "%s.", slash ? slash + 1 : path);
    Removed rm = {0};
    clean_folder(folder[0] ? folder : "/", prefix, &rm);
    save_backups_folder(path, backups, sizeof backups);
    clean_folder(backups, "", &rm);
    notice[0] = '\0';
    if (rm.count)
        snprintf(notice, size, "removed %d stale temporary file%s (%.1f MB) left by a backup, restore or upgrade "
                 "that was killed: %s%s", rm.count, rm.count == 1 ? "" : "s", rm.bytes / 1e6, rm.names,
                 rm.count > 3 ? ", ..." : "");
    return rm.count;
}

int save_settle_hot_journal(const char *path, char *notice, size_t size, Err *err)
{
    notice[0] = '\0';
    char journal[4200];
    struct stat st;
    snprintf(journal, sizeof journal, "%s-journal", path);
    if (lstat(journal, &st) != 0 || st.st_size == 0)
        return MA_OK;
    /* A journal that was finished is zeroed or truncated (journal_mode PERSIST keeps the file): only one
     * starting with the journal's magic number can be hot. */
    static const unsigned char magic[8] = {0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7};
    unsigned char head[8] = {0};
    int jfd = open(journal, O_RDONLY | O_CLOEXEC);
    ssize_t got = jfd >= 0 ? pread(jfd, head, sizeof head, 0) : -1;
    if (jfd >= 0)
        close(jfd);
    if (got == (ssize_t)sizeof head && memcmp(head, magic, sizeof magic) != 0)
        return MA_OK;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, MA_ERR_IO,
                       "%s holds an unfinished change, left by a game that was stopped while writing (%s). It must "
                       "be undone before the save can be read, and that needs write access (%s). Copy the save "
                       "together with its -journal file to a folder you can write to, then use --save with the copy",
                       path, journal, strerror(errno));
    /* A running game holds this lock: then the journal is its own, live one, and SQLite waits for it. */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return MA_OK;
    }
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL); /* rolls the journal back */
    if (rc != SQLITE_OK)
        err_set(err, MA_ERR_IO, "%s holds an unfinished change, left by a game that was stopped while writing (%s), "
                "and it could not be undone: %s", path, journal, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    close(fd);
    if (rc != SQLITE_OK)
        return err->code;
    snprintf(notice, size, "undid an unfinished change in %s, left by a game that was stopped while writing; "
             "the save is as it was at its last completed action", path);
    return MA_OK;
}

/* ------------------------------------------------------------ the file and its folder */

/* The folder holding path ("." for a bare file name). */
void save_folder_of(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, size, ".");
    else if (slash == path)
        snprintf(out, size, "/");
    else
        snprintf(out, size, "%.*s", (int)(slash - path), path);
}

/* The size of PATH+suffix (PATH-wal, PATH-shm, PATH-journal), or -1 when there is none. */
off_t save_side_file_size(const char *path, const char *suffix)
{
    char side[4200];
    struct stat st;
    snprintf(side, sizeof side, "%s%s", path, suffix);
    return lstat(side, &st) == 0 ? st.st_size : -1;
}

/* "file:PATH?immutable=1" with PATH percent-encoded; sqlite3_free it. */
char *save_immutable_uri(const char *path)
{
    sqlite3_str *u = sqlite3_str_new(NULL);
    sqlite3_str_appendall(u, "file:");
    for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("/-_.~", *c))
            sqlite3_str_appendchar(u, 1, (char)*c);
        else
            sqlite3_str_appendf(u, "%%%02X", *c);
    }
    sqlite3_str_appendall(u, "?immutable=1");
    return sqlite3_str_finish(u);
}

/* After a refusal: removes PATH-wal and PATH-shm if this open made them
 * (SQLite may, reading a WAL-mode file it then turned out to be refused). A
 * -wal that holds anything, or one that was there before, is not ours. */
void save_remove_new_side_files(const char *path, off_t wal_before, off_t shm_before)
{
    char side[4200];
    if (wal_before < 0 && save_side_file_size(path, "-wal") == 0) {
        snprintf(side, sizeof side, "%s-wal", path);
        unlink(side);
    }
    if (wal_before < 0 && shm_before < 0 && save_side_file_size(path, "-wal") < 0 && save_side_file_size(path, "-shm") >= 0) {
        snprintf(side, sizeof side, "%s-shm", path);
        unlink(side);
    }
}

int save_read_only_error(const char *path, const char *what, Err *err)
{
    char folder[4200];
    save_folder_of(path, folder, sizeof folder);
    int e = access(folder, W_OK) != 0 ? errno : EACCES;
    return err_set(err, MA_ERR_IO,
                   "the folder holding %s (%s) is read-only (%s) while %s: the game cannot write there. To play, "
                   "copy the save somewhere writable (or, for a new save, choose a writable path) and use --save",
                   path, folder, strerror(e), what);
}

int save_disk_error(const char *path, int rc, int sys_errno, Err *err, const char *what)
{
    int prim = rc & 0xff;
    char folder[4200];
    save_folder_of(path, folder, sizeof folder);
    struct statvfs vfs;
    int no_room = statvfs(folder, &vfs) == 0 && (double)vfs.f_bavail * (double)vfs.f_frsize < 65536;
    if (prim == SQLITE_FULL || (prim == SQLITE_IOERR && (sys_errno == ENOSPC || sys_errno == EDQUOT || no_room))) {
        char free_text[64] = "";
        if (statvfs(folder, &vfs) == 0)
            snprintf(free_text, sizeof free_text, " (%.1f MB free)", (double)vfs.f_bavail * (double)vfs.f_frsize / 1e6);
        return err_set(err, MA_ERR_FULL,
                       "the disk holding %s is full%s while %s: what was being written was not saved; free some "
                       "space (or move the save to another disk and use --save), then try again",
                       path, free_text, what);
    }
    if (prim == SQLITE_READONLY || sys_errno == EROFS ||
        ((prim == SQLITE_CANTOPEN || prim == SQLITE_IOERR) && access(folder, W_OK) != 0))
        return save_read_only_error(path, what, err);
    if (prim == SQLITE_IOERR)
        return err_set(err, MA_ERR_IO,
                       "the disk reported an error while %s %s (%s): what was being written was not saved. Check the disk "
                       "(dmesg shows the kernel's view), then try again; `magic-adventure verify` checks the save",
                       what, path, sys_errno ? strerror(sys_errno) : sqlite3_errstr(rc));
    return MA_OK;
}
