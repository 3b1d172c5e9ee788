/* session_file.c — the client's session tokens (see session_file.h). One file per save, named by
 * the SHA-256 of the save's real path; a line "username token" per player. */
#include "session_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/sha256.h"

/* The folder and the file of save_path's tokens; 0, or -1 without a home. */
static int paths(const char *save_path, char *dir, size_t dsize, char *file, size_t fsize)
{
    const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    if (state && state[0] == '/')
        snprintf(dir, dsize, "%s/magic-adventure", state);
    else if (home && home[0] == '/')
        snprintf(dir, dsize, "%s/.local/state/magic-adventure", home);
    else
        return -1;
    char real[PATH_MAX];
    const char *key = realpath(save_path, real) ? real : save_path;
    char hex[SHA256_HEX_LEN];
    sha256_hex(key, strlen(key), hex);
    snprintf(file, fsize, "%s/sessions-%.16s", dir, hex);
    return 0;
}

/* mkdir -p with mode 0700 for the parts it makes. */
static int make_dirs(const char *dir)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

int session_file_read(const char *save_path, const char *username, char *token, size_t size)
{
    char dir[PATH_MAX], file[PATH_MAX + 32];
    if (paths(save_path, dir, sizeof dir, file, sizeof file) != 0)
        return 0;
    FILE *f = fopen(file, "r");
    if (!f)
        return 0;
    char line[512];
    int found = 0;
    size_t ulen = strlen(username);
    while (!found && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, username, ulen) == 0 && line[ulen] == ' ') {
            snprintf(token, size, "%s", line + ulen + 1);
            found = token[0] != '\0';
        }
    }
    fclose(f);
    return found;
}

int session_file_write(const char *save_path, const char *username, const char *token)
{
    char dir[PATH_MAX], file[PATH_MAX + 32], tmp[PATH_MAX + 64];
    if (strchr(username, '\n') || strchr(username, ' ') || paths(save_path, dir, sizeof dir, file, sizeof file) != 0 ||
        make_dirs(dir) != 0)
        return -1;
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", file, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return -1;
    FILE *out = fdopen(fd, "w");
    if (!out) {
        close(fd);
        unlink(tmp);
        return -1;
    }
    /* Every other player's line as it was, then this one's. */
    FILE *in = fopen(file, "r");
    char line[512];
    size_t ulen = strlen(username);
    while (in && fgets(line, sizeof line, in))
        if (!(strncmp(line, username, ulen) == 0 && line[ulen] == ' '))
            fputs(line, out);
    if (in)
        fclose(in);
    fprintf(out, "%s %s\n", username, token);
    int bad = fflush(out) != 0 || fsync(fileno(out)) != 0;
    bad |= fclose(out) != 0;
    if (bad || rename(tmp, file) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}
