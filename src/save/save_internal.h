/* save_internal.h — shared by the files of src/save/ only. */
#ifndef MA_SAVE_INTERNAL_H
#define MA_SAVE_INTERNAL_H

#include <sys/types.h>

#include <sqlite3.h>
#include <cJSON.h>

#include "save/save.h"

struct Save {
    sqlite3 *db;
    char *path;
    int fd_lock;       /* holds the flock for writers; -1 for readers */
    int readonly;
    int tidy_on_close; /* read-only, in a writable folder: an empty -wal and its -shm are let go on close */
    int tx_depth;      /* 0 none, 1 a transaction, more: savepoints inside it */
    int64_t commits;   /* transactions committed (explicit or autocommit) */
    char *migration_backup;
    int was_empty; /* opened with no tables: made a save now */
    char *notice;      /* what opening did besides opening (a journal undone, temporaries removed), or NULL */
    /* Prepared statements, reused: keyed by the address of the static SQL text. */
    struct { const char *sql; sqlite3_stmt *stmt; } stmts[512];
    int n_stmts;
};

/* The cached, reset statement for sql (a string with static storage).
 * NULL on failure with err set. Do not finalize it. */
sqlite3_stmt *save_stmt(Save *s, const char *sql, Err *err);

/* MA_OK, or MA_ERR_INVALID naming what ("world name") when name is not valid
 * UTF-8 or holds a control character (util/text.h). Every name a user gives
 * passes here before it is written. */
int save_check_name(Save *s, const char *name, Err *err, const char *what);
/* The same for a rename of row id: sql selects the stored name by id. A name
 * stored before this rule (by an older game) is kept when it is not changed. */
int save_check_new_name(Save *s, const char *sql, int64_t id, const char *name, Err *err, const char *what);

/* The files beside a save (save_files.c). The folder of automatic backups:
 * DIR/backups/NAME for the save DIR/NAME.db. */
void save_backups_folder(const char *path, char *out, size_t size);
/* The folder holding path ("." for a bare name). */
void save_folder_of(const char *path, char *out, size_t size);
/* The size of PATH+suffix ("-wal", "-shm", "-journal"), or -1 when there is none. */
off_t save_side_file_size(const char *path, const char *suffix);
/* "file:PATH?immutable=1", PATH percent-encoded, for reading a save in a read-only folder; sqlite3_free it. */
char *save_immutable_uri(const char *path);
/* After a refused open: removes the PATH-wal and PATH-shm that open made (sizes before it: -1 for none). */
void save_remove_new_side_files(const char *path, off_t wal_before, off_t shm_before);
/* Removes DEST.tmp-PID (and its -journal) of processes no longer running,
 * beside the save and in its backups folder; says what in notice ("" when
 * nothing). Returns how many files went. For writers only. */
int save_clean_stale_temporaries(const char *path, char *notice, size_t size);
/* Before a read-only open: rolls back a hot PATH-journal left by a killed
 * writer (a read-only connection cannot, and fails on it), holding the
 * writers' lock; leaves a running game's live journal alone. notice says
 * what was done ("" when nothing). */
int save_settle_hot_journal(const char *path, char *notice, size_t size, Err *err);

/* PATH.SUFFIX.bak, or PATH.SUFFIX-2.bak, -3... : the first name not taken. */
void save_unique_path(const char *path, const char *suffix, char *out, size_t size);

/* World rollback or character recovery from the save at src (validated by
 * the caller; version is its schema version): see save_restore_from. */
int save_restore_part(Save *s, const char *src, int version, const char *world, const char *character,
                      SaveRestoreResult *res, Err *err);

/* Applies the migrations after version from, each in one transaction. */
int save_migrate_from(Save *s, int from, Err *err);

/* When rc (an extended SQLite result, with the errno SQLite saw) is a full
 * disk, a read-only folder or an I/O error, words it by what happened and
 * what to do, about the file at path, and returns the MaStatus; otherwise
 * returns MA_OK and leaves err alone. */
int save_disk_error(const char *path, int rc, int sys_errno, Err *err, const char *what);

/* "the folder holding PATH is read-only ... copy the save somewhere writable". */
int save_read_only_error(const char *path, const char *what, Err *err);

/* The status of a failure err already describes (MA_ERR_DB when err is NULL):
 * `return save_failed(err);` after a helper that set err. */
static inline int save_failed(const Err *err)
{
    return err ? err->code : MA_ERR_DB;
}

/* The current time as SQL, in the ISO form every time column holds. */
#define NOW_SQL "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

/* Maps a SQLite result to an Err with context; returns the MaStatus. */
int save_db_error(Save *s, int rc, Err *err, const char *what);

/* Runs a statement that returns no rows; resets it. Returns MA_OK or error. */
int save_step_done(Save *s, sqlite3_stmt *st, Err *err, const char *what);

/* Runs sql (static text, one parameter: a row's id) with id bound, as save_step_done does: the
 * body of every "DELETE FROM table WHERE id = ?". */
int save_exec_id(Save *s, const char *sql, int64_t id, Err *err, const char *what);

/* Binding helpers: text NULL binds NULL; JSON NULL binds the fallback text. */
void save_bind_text(sqlite3_stmt *st, int i, const char *text);
int save_bind_json(sqlite3_stmt *st, int i, const cJSON *json, const char *fallback);
/* Column helpers: heap copies the caller frees (NULL for SQL NULL). */
char *save_col_text(sqlite3_stmt *st, int i);
/* Parses a JSON column; returns a new cJSON (never NULL: {} when unparsable). */
cJSON *save_col_json(sqlite3_stmt *st, int i);
/* Copies a text column into a fixed buffer (empty string for NULL). */
void save_col_copy(sqlite3_stmt *st, int i, char *buf, size_t size);

/* Row readers and clearers, for save_collect_rows. */
typedef void (*SaveReadFn)(sqlite3_stmt *st, void *row);
typedef void (*SaveClearFn)(void *row);

/* Steps st to the end, reading each row (of `size` bytes) with read into a
 * growing heap array *out the caller frees (after clearing each row). On
 * failure frees what was read, sets err and returns the status. */
int save_collect_rows(Save *s, sqlite3_stmt *st, size_t size, SaveReadFn read, SaveClearFn clear, void **out,
                      int *n, Err *err, const char *what);

/* Binds a caller's ISO-8601 time in the save's canonical form (so SQL text
 * comparison orders it as time), or NULL for "" so the column default
 * applies. MA_ERR_INVALID, naming what and field, for a malformed time. */
int save_bind_time(Save *s, sqlite3_stmt *st, int i, const char *t, Err *err, const char *what, const char *field);

/* Shared by the table groups: one row into out (MA_ERR_NOT_FOUND "there is no
 * <missing>" when none), whether a row with id exists (sql selects by id),
 * refusing JSON that is not an object, and a write failure as a message
 * naming what was missing or refused. */
int save_get_row(Save *s, sqlite3_stmt *st, SaveReadFn read, void *out, Err *err, const char *what, const char *missing);
/* save_get_row with the messages most lookups use: "reading WHAT" and "there is no WHAT". */
int save_get_one(Save *s, sqlite3_stmt *st, SaveReadFn read, void *out, Err *err, const char *what);
int save_row_exists(Save *s, const char *sql, int64_t id);
int save_need_object(Save *s, const cJSON *json, Err *err, const char *what, const char *column);
int save_write_error(Save *s, int rc, Err *err, const char *what, const char *missing);

#endif
