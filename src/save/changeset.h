/* changeset.h — recording what a unit of work wrote, so that it can be taken back.
 *
 * A SaveChanges records (through SQLite's session extension) every row that is
 * inserted, updated or deleted on the save's connection while it is open, in
 * every table but sync's bookkeeping and `worlds` (the shared world's clock and
 * settings, which taking a choice back must not turn back). save_changes_take turns the record into a changeset: for each
 * row changed, its primary key and its values before and after. Applying the
 * inverse of a changeset (save_changes_revert) puts those rows back exactly as
 * they were before the recorded work: rows it inserted are deleted, rows it
 * deleted come back, updated columns get their old values. Story choices use it
 * for `magic-adventure story undo`. */
#ifndef MA_SAVE_CHANGESET_H
#define MA_SAVE_CHANGESET_H

#include <stddef.h>

#include "save/save.h"

typedef struct SaveChanges SaveChanges;

/* Starts recording on s. End it with save_changes_end. */
int save_changes_begin(Save *s, SaveChanges **out, Err *err);
/* The changeset of what was written since save_changes_begin, as a heap buffer
 * the caller frees with free(). */
int save_changes_take(SaveChanges *c, void **changeset, int *len, Err *err);
/* Stops recording and frees c (NULL is fine). */
void save_changes_end(SaveChanges *c);

typedef struct SaveRevert {
    int rows;      /* row changes applied */
    int conflicts; /* rows that had changed again since: restored to their old values anyway */
    int missing;   /* rows to restore that no longer exist: skipped */
} SaveRevert;

/* Applies the inverse of changeset (len bytes) inside the caller's transaction
 * (refused outside one). A row changed again since the recording is put back to
 * its recorded old values (counted in conflicts); a row that is gone is skipped
 * (counted in missing). *out may be NULL. */
int save_changes_revert(Save *s, const void *changeset, int len, SaveRevert *out, Err *err);
/* How many row changes a changeset holds, per table, as "inventory 2, characters 1"
 * (written into buf); returns the total, or -1 when it cannot be read. */
int save_changes_describe(const void *changeset, int len, char *buf, size_t size);

#endif
