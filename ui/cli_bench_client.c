/* cli_bench_client.c — `bench client`: how fast the ncurses client starts,
 * redraws and how much it holds, measured on the real binary in a
 * pseudo-terminal of 200×60 over a save holding 10,000 stored chunks.
 *
 * The client is started with --continue (straight to the map) and two
 * bench-only variables: MAGIC_BENCH_EXIT_AFTER_DRAWS=N makes it leave after N
 * screens, MAGIC_BENCH_REPORT=FILE makes it write each draw's CPU time. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "game/game.h"
#include "save/worlds.h"
#include "world/world.h"

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Builds the save: a world with 10,000 stored chunks around the spawn, and a
 * character standing at the spawn. */
static int build_save(const char *path, int64_t *chunks, Err *err)
{
    Save *s = NULL;
    int rc = save_open(path, SAVE_CREATE, &s, err);
    if (rc != MA_OK)
        return rc;
    GameStart st = {.username = "bench", .world = "benchland", .seed = 20261127, .new_world = 1};
    Game *g = NULL;
    if ((rc = game_start(s, &st, &g, err)) == MA_OK) {
        const Player *p = game_player(g);
        int32_t cx = chunk_coord(p->x), cz = chunk_coord(p->z);
        /* 25 × 25 columns × 16 chunks high = 10,000 chunks. */
        rc = world_store_area(game_world(g), cx - 12, cz - 12, cx + 12, cz + 12, NULL, NULL, err);
        int64_t chars;
        if (rc == MA_OK)
            rc = worlds_counts(s, p->world_id, chunks, &chars, err);
        game_close(g);
    }
    save_close(s);
    return rc;
}

typedef struct Child {
    pid_t pid;
    int fd;
} Child;

static int spawn(const char *exe, const char *save, const char *draws, const char *report, Child *c)
{
    struct winsize ws = {.ws_row = 60, .ws_col = 200};
    c->pid = forkpty(&c->fd, NULL, NULL, &ws);
    if (c->pid < 0)
        return -1;
    if (c->pid == 0) {
        setenv("TERM", "xterm-256color", 1);
        setenv("USER", "bench", 1);
        unsetenv("NO_COLOR");
        if (draws)
            setenv("MAGIC_BENCH_EXIT_AFTER_DRAWS", draws, 1);
        if (report)
            setenv("MAGIC_BENCH_REPORT", report, 1);
        execl(exe, "magic-adventure", "--save", save, "--continue", (char *)NULL);
        _exit(127);
    }
    return 0;
}

/* Reads and discards what the child draws until it exits or timeout_s
 * passes; sends keys (if any) as it goes. Returns the exit status or -1. */
static long long drained_bytes;

static int drain(Child *c, const char *keys, double timeout_s, struct rusage *ru)
{
    char buf[65536];
    size_t sent = 0, nkeys = keys ? strlen(keys) : 0;
    double end = wall_s() + timeout_s;
    for (;;) {
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN | (sent < nkeys ? POLLOUT : 0)};
        int n = poll(&pfd, 1, 50);
        if (n > 0 && (pfd.revents & POLLIN)) {
            ssize_t got = read(c->fd, buf, sizeof buf);
            if (got <= 0)
                break; /* EIO: the child closed the terminal */
            drained_bytes += got;
        } else if (n > 0 && (pfd.revents & POLLOUT) && sent < nkeys) {
            /* One key at a time, so each is a separate step. */
            if (write(c->fd, keys + sent, 1) == 1)
                sent++;
        } else if (n > 0 && (pfd.revents & (POLLHUP | POLLERR))) {
            break;
        }
        if (wall_s() > end)
            return -1;
    }
    int status = 0;
    if (wait4(c->pid, &status, 0, ru) < 0)
        return -1;
    close(c->fd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* CPU ticks (user + system) the process has used, from /proc. */
static long cpu_ticks(pid_t pid)
{
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long ut = -1, st = -1;
    if (fgets(line, sizeof line, f)) {
        char *p = strrchr(line, ')');
        if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &ut, &st) != 2)
            ut = st = -1;
    }
    fclose(f);
    return ut < 0 ? -1 : ut + st;
}

int bench_client(CliCtx *ctx, int json)
{
    (void)ctx;
    (void)json;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        fprintf(stderr, "magic-adventure: bench: cannot find its own executable\n");
        return CLI_FAIL;
    }
    exe[n] = '\0';
    char dir[] = "/tmp/ma-bench-client-XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "magic-adventure: bench: cannot make a temporary directory: %s\n", strerror(errno));
        return CLI_FAIL;
    }
    char save[256], report[256];
    snprintf(save, sizeof save, "%s/bench.db", dir);
    snprintf(report, sizeof report, "%s/draws.txt", dir);
    Err err = {0};
    int64_t chunks = 0;
    printf("building a save with 10,000 stored chunks...\n");
    fflush(stdout);
    int status = CLI_OK;
    if (build_save(save, &chunks, &err) != MA_OK) {
        status = cli_fail(&err);
        goto done;
    }

    /* 1. Launch to the first drawn map, 7 runs, median. */
    double launch[7];
    for (int i = 0; i < 7; i++) {
        Child c;
        double t0 = wall_s();
        if (spawn(exe, save, "1", NULL, &c) != 0 || drain(&c, NULL, 20, NULL) != 0) {
            fprintf(stderr, "magic-adventure: bench: the client did not start and leave cleanly\n");
            status = CLI_FAIL;
            goto done;
        }
        launch[i] = (wall_s() - t0) * 1000;
    }
    qsort(launch, 7, sizeof launch[0], cmp_double);

    /* 2. 400 steps east and west; the CPU time of each redraw; peak memory. */
    char keys[401];
    for (int i = 0; i < 400; i++)
        keys[i] = i % 2 ? 'h' : 'l';
    keys[400] = '\0';
    Child c;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    drained_bytes = 0;
    if (spawn(exe, save, "401", report, &c) != 0 || drain(&c, keys, 60, &ru) != 0) {
        fprintf(stderr, "magic-adventure: bench: the client did not finish its steps\n");
        status = CLI_FAIL;
        goto done;
    }
    long long step_bytes = drained_bytes / 401;
    double draws[512], outs[512], totals[512];
    int nd = 0;
    FILE *f = fopen(report, "r");
    long long ns, ons;
    while (f && nd < 512 && fscanf(f, "%lld %lld", &ns, &ons) == 2) {
        draws[nd] = (double)ns / 1000.0;
        outs[nd] = (double)ons / 1000.0;
        totals[nd] = draws[nd] + outs[nd];
        nd++;
    }
    if (f)
        fclose(f);
    /* The first draw loads the chunks around the player; the rest follow a step. */
    double first = nd ? draws[0] : 0;
    size_t rest = (size_t)(nd > 1 ? nd - 1 : 0);
    qsort(draws + 1, rest, sizeof draws[0], cmp_double);
    qsort(outs + 1, rest, sizeof outs[0], cmp_double);
    qsort(totals + 1, rest, sizeof totals[0], cmp_double);

    /* 3. CPU used while waiting for a key, over two seconds. */
    Child idle;
    if (spawn(exe, save, NULL, NULL, &idle) != 0) {
        status = CLI_FAIL;
        goto done;
    }
    drain(&idle, NULL, 1.0, NULL); /* lets it draw, then times out: still running */
    long before = cpu_ticks(idle.pid);
    drain(&idle, NULL, 2.0, NULL);
    long after = cpu_ticks(idle.pid);
    kill(idle.pid, SIGTERM);
    drain(&idle, NULL, 5, NULL);
    double idle_ms = before >= 0 && after >= 0 ? (double)(after - before) * 1000.0 / (double)sysconf(_SC_CLK_TCK) : -1;

    printf("client in a 200x60 pseudo-terminal, save with %lld stored chunks\n", (long long)chunks);
    printf("%-44s %12s  %s\n", "figure", "measured", "target (reference)");
    printf("%-44s %9.1f ms  < 100 ms (NetHack ~70 ms, the biggest curses RPG ~6 s)\n",
           "launch to first drawn map, median of 7", launch[3]);
    printf("%-44s %5.1f / %.1f ms\n", "  fastest / slowest", launch[0], launch[6]);
    if (nd > 1) {
        int mid = 1 + (nd - 1) / 2, p99 = 1 + (int)((nd - 2) * 0.99);
        printf("%-44s %9.0f us  < 1 ms of CPU\n", "redraw 200x60 after a step: compose, median", draws[mid]);
        printf("%-44s %9.0f us\n", "  compose, p99", draws[p99]);
        printf("%-44s %9.0f us\n", "  writing it to the terminal (doupdate), median", outs[mid]);
        printf("%-44s %9.0f us\n", "  both, median", totals[mid]);
        printf("%-44s %9.0f us\n", "  both, p99", totals[p99]);
        printf("%-44s %9.0f us\n", "  first compose (loads the chunks in view)", first);
        printf("%-44s %9lld B\n", "  bytes sent to the terminal per step", step_bytes);
    }
    printf("%-44s %9.1f MB  < 50 MB\n", "peak resident memory over 400 steps", (double)ru.ru_maxrss / 1024.0);
    printf("%-44s %9.0f ms  0 (no CPU while waiting for a key)\n", "CPU used in 2 s waiting for a key", idle_ms);
done:;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "magic-adventure: bench: could not remove %s\n", dir);
    return status;
}
