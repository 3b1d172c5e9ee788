/* data.h — the game's data files (migrations, JSON game data).
 *
 * They are compiled into the binary (see data/meson.build), so the game
 * works from any directory. When MAGIC_DATA_DIR is set, files are read from
 * that directory instead, which lets modders and tests supply their own. */
#ifndef MA_UTIL_DATA_H
#define MA_UTIL_DATA_H

#include <stddef.h>

#include "util/err.h"

typedef struct EmbeddedFile {
    const char *name; /* relative to data/, e.g. "migrations/001_initial_schema.sql" */
    const unsigned char *bytes;
    int len;
} EmbeddedFile;

extern const EmbeddedFile embedded_files[];

/* Reads data file NAME (relative to data/). Returns a NUL-terminated heap
 * buffer the caller frees, with its length in *len (may be NULL); NULL on
 * failure with err set. */
char *data_read(const char *name, size_t *len, Err *err);

/* The data files in directory DIR (relative to data/, e.g. "stories") whose names end
 * in suffix, as "DIR/NAME" in name order: the built-in ones, or those in
 * $MAGIC_DATA_DIR/DIR (which must exist). *names is a heap array of heap strings;
 * free it with data_list_free. */
int data_list(const char *dir, const char *suffix, char ***names, int *n, Err *err);
void data_list_free(char **names, int n);

/* Reads any file into a NUL-terminated heap buffer the caller frees. */
char *file_read_all(const char *path, size_t *len, Err *err);

/* Where a data file comes from, for messages: "data/NAME" or the override path.
 * Writes into buf and returns it. */
const char *data_describe(const char *name, char *buf, size_t size);

/* Parses one data file: text (NUL-terminated, len bytes) read from where (for messages) into
 * out, whatever out points to for that book. */
typedef int (*DataParseFn)(const char *text, size_t len, const char *where, void *out, Err *err);

/* The body every book's *_load_default shares: reads data file NAME (embedded, or from
 * $MAGIC_DATA_DIR), names where it came from, and hands both to parse. A file that cannot be read
 * returns its error (MA_ERR_IO when err says none) without calling parse. err may be NULL. */
int data_book_load(const char *name, DataParseFn parse, void *out, Err *err);

/* A data file that does not hold what the game needs is a damaged install, not a refused action:
 * turns MA_ERR_INVALID into MA_ERR_CORRUPT (in err too), so callers pass it up. */
int data_book_corrupt(int rc, Err *err);

#endif
