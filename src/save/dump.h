/* dump.h — the whole save as text, one line a row, for comparing two saves.
 *
 * Tests and the crash campaign compare a save after a crash with the save a
 * clean run of the same actions gives; developers diff two saves. Each line
 * is `table|column=value|...` with the rows of every table in rowid order and
 * the tables in schema order; values are SQL literals (text quoted, BLOBs in
 * hex). With SAVE_DUMP_STABLE the values that differ between two honest runs
 * of the same actions are masked: ISO-8601 times (wherever they appear, also
 * inside JSON) become <time>, session tokens <token> and password hashes
 * (their salt is random) <hash>, and BLOBs (undo records) <blob>. */
#ifndef MA_SAVE_DUMP_H
#define MA_SAVE_DUMP_H

#include "save/save.h"

enum SaveDumpFlags {
    SAVE_DUMP_STABLE = 1 << 0,
};

/* Calls line(text, ud) once per row (text without a newline, valid for the
 * call). Only tables whose name matches `table` when it is not NULL. Returns
 * MA_OK or the status of a failed query. */
typedef void (*SaveDumpFn)(const char *text, void *ud);
int save_dump(Save *s, int flags, const char *table, SaveDumpFn line, void *ud, Err *err);

/* The whole dump as one heap string (lines joined by '\n'); NULL on failure. */
char *save_dump_text(Save *s, int flags, Err *err);

#endif
