/* helpers.h — shared by the tests: temporary directories, running the
 * built binary, reading files. */
#ifndef MA_TESTS_HELPERS_H
#define MA_TESTS_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* A fresh empty directory under $TMPDIR, removed by th_tmpdir_free. */
char *th_tmpdir(void);
void th_tmpdir_free(char *dir);
/* dir/name in a static rotating buffer. */
const char *th_path(const char *dir, const char *name);

typedef struct RunResult {
    int status; /* exit status, or 128+signal */
    char *out;  /* stdout, heap */
    char *err;  /* stderr, heap */
} RunResult;

/* Runs the magic-adventure binary ($MAGIC_EXE) with the given arguments
 * (NULL-terminated), stdin from /dev/null or from the text `input` if not NULL. */
RunResult th_run(const char *input, const char *arg0, ...);
void th_run_free(RunResult *r);

/* Writes text (len bytes, or strlen if len < 0) to path. */
void th_write_file(const char *path, const char *text, long len);
/* Reads a whole file (heap). */
char *th_read_file(const char *path, size_t *len);

#endif
