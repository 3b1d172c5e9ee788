/* data.c — reading the game's data files, embedded or from MAGIC_DATA_DIR. */
#include "util/data.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *file_read_all(const char *path, size_t *len, Err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_set(err, MA_ERR_IO, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        cap *= 2;
        char *nb = realloc(buf, cap + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
        }
        buf = nb;
    }
    int failed = ferror(f);
    fclose(f);
    if (!buf) {
        err_set(err, MA_ERR_NOMEM, "out of memory reading %s", path);
        return NULL;
    }
    if (failed) {
        free(buf);
        err_set(err, MA_ERR_IO, "error reading %s", path);
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

const char *data_describe(const char *name, char *buf, size_t size)
{
    const char *dir = getenv("MAGIC_DATA_DIR");
    if (dir && *dir)
        snprintf(buf, size, "%s/%s", dir, name);
    else
        snprintf(buf, size, "data/%s", name);
    return buf;
}

/* A data file is text: a NUL byte would silently end it early for every
 * reader that takes it as a C string, so one is refused where it lies. */
static char *refuse_nul(char *text, size_t len, const char *name, Err *err)
{
    const char *nul = memchr(text, '\0', len);
    if (!nul)
        return text;
    size_t at = (size_t)(nul - text), line = 1;
    for (const char *c = text; c < nul; c++)
        line += *c == '\n';
    char where[4200];
    err_set(err, MA_ERR_CORRUPT, "%s: a NUL byte at offset %zu (line %zu): a data file is text, so this one is "
            "damaged or is not a data file", data_describe(name, where, sizeof where), at, line);
    free(text);
    return NULL;
}

char *data_read(const char *name, size_t *len, Err *err)
{
    const char *dir = getenv("MAGIC_DATA_DIR");
    if (dir && *dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        size_t n = 0;
        char *text = file_read_all(path, &n, err);
        if (text && !(text = refuse_nul(text, n, name, err)))
            return NULL;
        if (len)
            *len = n;
        return text;
    }
    for (const EmbeddedFile *f = embedded_files; f->name; f++) {
        if (strcmp(f->name, name) == 0) {
            char *copy = malloc((size_t)f->len + 1);
            if (!copy) {
                err_set(err, MA_ERR_NOMEM, "out of memory reading data/%s", name);
                return NULL;
            }
            memcpy(copy, f->bytes, (size_t)f->len + 1);
            if (!refuse_nul(copy, (size_t)f->len, name, err))
                return NULL;
            if (len)
                *len = (size_t)f->len;
            return copy;
        }
    }
    err_set(err, MA_ERR_NOT_FOUND, "data/%s is not built into this game", name);
    return NULL;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && strcmp(s + n - k, suffix) == 0;
}

static int list_add(char ***names, int *n, int *cap, const char *dir, const char *file)
{
    if (*n == *cap) {
        int c = *cap ? *cap * 2 : 16;
        char **grown = realloc(*names, (size_t)c * sizeof *grown);
        if (!grown)
            return -1;
        *names = grown;
        *cap = c;
    }
    size_t len = strlen(dir) + strlen(file) + 2;
    char *name = malloc(len);
    if (!name)
        return -1;
    snprintf(name, len, "%s/%s", dir, file);
    (*names)[(*n)++] = name;
    return 0;
}

int data_list(const char *dir, const char *suffix, char ***names, int *n, Err *err)
{
    *names = NULL;
    *n = 0;
    int cap = 0, failed = 0;
    const char *root = getenv("MAGIC_DATA_DIR");
    if (root && *root) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", root, dir);
        DIR *d = opendir(path);
        if (!d)
            return err_set(err, MA_ERR_IO, "cannot read the directory %s: %s", path, strerror(errno));
        struct dirent *de;
        while (!failed && (de = readdir(d)))
            if (de->d_name[0] != '.' && ends_with(de->d_name, suffix))
                failed = list_add(names, n, &cap, dir, de->d_name) != 0;
        closedir(d);
    } else {
        size_t k = strlen(dir);
        for (const EmbeddedFile *f = embedded_files; f->name && !failed; f++)
            if (strncmp(f->name, dir, k) == 0 && f->name[k] == '/' && !strchr(f->name + k + 1, '/') &&
                ends_with(f->name, suffix))
                failed = list_add(names, n, &cap, dir, f->name + k + 1) != 0;
    }
    if (failed) {
        data_list_free(*names, *n);
        *names = NULL;
        *n = 0;
        return err_set(err, MA_ERR_NOMEM, "out of memory listing data/%s", dir);
    }
    if (*n > 1)
        qsort(*names, (size_t)*n, sizeof **names, by_name);
    return MA_OK;
}

void data_list_free(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int data_book_load(const char *name, DataParseFn parse, void *out, Err *err)
{
    Err local = {0};
    if (!err)
        err = &local;
    char where[4200]; /* "data/NAME" or $MAGIC_DATA_DIR/NAME, which may be a long path */
    data_describe(name, where, sizeof where);
    size_t len = 0;
    char *text = data_read(name, &len, err);
    if (!text)
        return err->code ? err->code : MA_ERR_IO;
    int rc = parse(text, len, where, out, err);
    free(text);
    return rc;
}

int data_book_corrupt(int rc, Err *err)
{
    if (rc != MA_ERR_INVALID)
        return rc;
    if (err)
        err->code = MA_ERR_CORRUPT;
    return MA_ERR_CORRUPT;
}
