/* err.h — how the core reports failure.
 *
 * Core functions return 0 (MA_OK) or a negative MaStatus and, when given an
 * Err, fill it with a human message that already names the file, table,
 * entry or chunk involved. The UI or CLI decides how to show it; nothing in
 * src/ prints or exits. */
#ifndef MA_UTIL_ERR_H
#define MA_UTIL_ERR_H

typedef enum MaStatus {
    MA_OK = 0,
    MA_ERR_IO = -1,         /* file missing, unreadable, unwritable */
    MA_ERR_NOT_SAVE = -2,   /* the file is not a Magic Adventure save */
    MA_ERR_CORRUPT = -3,    /* the save or a data file is damaged */
    MA_ERR_NEWER = -4,      /* made by a newer version of the game */
    MA_ERR_LOCKED = -5,     /* another running game has it open */
    MA_ERR_CONSTRAINT = -6, /* the save refused a value (CHECK, UNIQUE, FK) */
    MA_ERR_NOT_FOUND = -7,  /* no such row / entry */
    MA_ERR_INVALID = -8,    /* bad argument or malformed input */
    MA_ERR_DB = -9,         /* any other SQLite failure */
    MA_ERR_NOMEM = -10,
    MA_ERR_FULL = -11,      /* the disk (or the file system's quota) is full */
} MaStatus;

typedef struct Err {
    int code;
    char msg[768];
} Err;

/* Sets err (if not NULL) and returns code, so `return err_set(...)` works. */
int err_set(Err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes err->msg with more context ("loading data/blocks.json: ..."). */
void err_prefix(Err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void err_clear(Err *err);

#endif
