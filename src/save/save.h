/* save.h — a Magic Adventure save: one SQLite file.
 *
 * save_open validates the file before touching it (a non-save, a corrupt
 * file or a save from a newer game is refused and left as it was), takes an
 * exclusive lock for writers so two running games never share a save, turns
 * on WAL, foreign keys and a busy timeout, and migrates an older save to the
 * current schema (after copying it to PATH.vN.bak).
 *
 * All SQL of the project lives in src/save/: this file (opening, migrating,
 * transactions), backup.c, verify.c, and one file per table group. */
#ifndef MA_SAVE_SAVE_H
#define MA_SAVE_SAVE_H

#include <stdint.h>

#include "util/err.h"

typedef struct Save Save;

enum SaveOpenFlags {
    SAVE_READONLY = 1 << 0, /* no lock, no writes, no migration; older versions allowed */
    SAVE_CREATE = 1 << 1,   /* create the file (mode 0600) when it does not exist */
    SAVE_NO_MIGRATE = 1 << 2, /* writable, but refuse an older save instead of migrating it */
    SAVE_INIT = 1 << 3,       /* an existing empty file (0 bytes, or SQLite with no tables) may become a
                                 save; without it such a file is refused (only `init` passes it) */
};

/* The application_id every save carries ("MADV"). */
#define SAVE_APPLICATION_ID 0x4D414456

/* Opens (and, for writers, migrates) the save at path. On success *out owns
 * the connection; close it with save_close. On failure *out is NULL, err says
 * why, and the file is unchanged. */
int save_open(const char *path, int flags, Save **out, Err *err);
void save_close(Save *s);

const char *save_path(const Save *s);
int save_is_readonly(const Save *s);
/* The schema version of the open save (PRAGMA user_version). */
int save_schema_version(Save *s);
/* The schema version this build writes (the number of migrations). */
int save_latest_version(void);
/* The path of the backup made before the last migration, or NULL. */
const char *save_migration_backup(const Save *s);
/* Whether the file held no tables when opened (new, empty, or an SQLite database with none): the
 * save was made in it now. */
int save_was_empty(const Save *s);
/* What opening did besides opening, for the user to know, or NULL: a hot
 * journal left by a killed writer was rolled back, stale temporaries of
 * killed processes were removed. */
const char *save_notice(const Save *s);

/* Transactions. One unit of work -- a game action, a command, an agent's
 * run, a sync batch -- is one transaction: its outermost caller opens it with
 * save_begin and ends it once with save_commit or save_rollback. Units do not
 * nest: save_begin while a transaction is open is refused (MA_ERR_INVALID).
 * A step inside the unit that must undo its own part on failure takes a
 * savepoint: save_savepoint (refused outside a transaction, so a step can never
 * commit on its own), then save_release to keep its work or
 * save_rollback_savepoint to undo exactly that part (the transaction stays
 * open). A save_release that fails has undone the step's part already. save_commit with a savepoint still open rolls everything back.
 * save_begin_read opens a deferred transaction, for reading many rows at the
 * speed of one. */
int save_begin(Save *s, Err *err);
int save_begin_read(Save *s, Err *err);
int save_commit(Save *s, Err *err);
void save_rollback(Save *s);
int save_in_transaction(const Save *s);
int save_savepoint(Save *s, Err *err);
int save_release(Save *s, Err *err);
void save_rollback_savepoint(Save *s);
/* Ends a step's savepoint by how the step went: keeps its work when rc is MA_OK (returning
 * save_release's status), else undoes it and returns rc. */
int save_end_savepoint(Save *s, int rc, Err *err);
/* How many transactions this connection has committed (explicit or
 * autocommit), for tests that check a unit of work commits once. */
int64_t save_commits(const Save *s);

/* Row counts of every table of the save: the design's (save_table_names) in schema order, then
 * the client's message log and the sync tables. Returns the number of tables filled (at most
 * max); names point to static strings. */
int save_table_counts(Save *s, const char **names, int64_t *counts, int max, Err *err);

/* The tables of the design, in creation order; NULL-terminated. */
extern const char *const save_table_names[];

/* verify: integrity check, foreign-key check and the game's invariants.
 * Calls report(problem, ud) once per problem; returns the number of problems,
 * or a negative status when the check itself could not run. */
typedef void (*SaveProblemFn)(const char *problem, void *ud);
int save_verify(Save *s, SaveProblemFn report, void *ud, Err *err);

/* Online backup of the open save into a new file dest (refused if it exists). */
int save_backup(Save *s, const char *dest, Err *err);
/* Whether the backup at path is sound (PRAGMA quick_check): MA_OK, or MA_ERR_CORRUPT with what
 * SQLite found, on one line (a backup copies a damaged page as it is, and restore refuses such a
 * file). */
int save_backup_check(const char *path, Err *err);
/* Replaces the save's contents with those of the save at src, which must be
 * a valid save (not newer, passes integrity_check). Migrates it if older.
 * The same as save_restore_from with no options. */
int save_restore(Save *s, const char *src, Err *err);

/* A further check of a file about to be restored, from a layer above the
 * save (the world's: every chunk decodes). It reports what it finds itself
 * and returns the number of problems, or a negative status. */
typedef int (*SaveCheckFn)(Save *src, void *ud, Err *err);

typedef struct SaveRestoreOpts {
    SaveCheckFn check;     /* NULL, or run on the source; a source with problems is refused */
    void *check_ud;
    const char *world;     /* NULL: the whole save; else roll back only this world (by name) */
    const char *character; /* with world: recover only this character of that world */
} SaveRestoreOpts;

typedef struct SaveRestoreResult {
    char kept[4096]; /* the copy of the save as it was before ("" when it held nothing); never an old copy overwritten */
    int64_t rows;    /* part restores: rows written */
    int64_t skipped; /* character recovery: rows left out because what they point to is gone from the save */
    int damaged;     /* refused because the save itself is damaged: save_restore_over_damaged can */
} SaveRestoreResult;

/* Restores from the save at src: the whole save, or (opts->world) one world
 * with everything that hangs off it, or (opts->world and opts->character)
 * one character with its inventory, skills, relationships, quest progress,
 * choices and state. The source is validated first (a save, not newer,
 * integrity_check, opts->check) and the current save is copied to a new
 * PATH.before-restore[-N].bak, named in res->kept. A part restore is one
 * transaction, verified (foreign keys and invariants) before it commits.
 * On failure the save is unchanged and err says why. res may be NULL. */
int save_restore_from(Save *s, const char *src, const SaveRestoreOpts *opts, SaveRestoreResult *res, Err *err);
/* The whole save at save_path restored from src when the save itself is damaged (it cannot be
 * opened, or its pages cannot be read to keep a copy): src is checked as save_restore_from checks
 * it, the damaged file (with its -wal and -shm) moved aside to res->kept (a name no earlier
 * restore used), and src copied in its place. A world alone cannot be rolled back this way. */
int save_restore_over_damaged(const char *save_path, const char *src, const SaveRestoreOpts *opts,
                              SaveRestoreResult *res, Err *err);

#endif
