/* cli_bench_client.c — `bench client`: how fast the ncurses client starts,
 * redraws and how much it holds, measured on the real binary in a
 * pseudo-terminal of 200×60 over a save holding 10,000 stored chunks
 * (--chunks N: at least N, in a square of columns around the spawn).
 *
 * The client is started with --continue (straight to the map) and two
 * bench-only variables: MAGIC_BENCH_EXIT_AFTER_DRAWS=N makes it leave after N
 * screens, MAGIC_BENCH_REPORT=FILE makes it write, for each draw, the CPU
 * time of composing and of writing it, the write() calls and bytes of the
 * update, and where the character stands. 400 steps are taken in Unicode
 * with 256 colours and again in ASCII; steps are told apart by direction.
 * --json prints the same figures as JSON. */
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

#include <cJSON.h>

#include "bench_clock.h"
#include "game/game.h"
#include "save/worlds.h"
#include "world/world.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Builds the save: a world with 10,000 stored chunks around the spawn, and a
 * character standing at the spawn. */
static int build_save(const char *path, int radius, int64_t *chunks, Err *err)
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
        /* (2 radius + 1)^2 columns x 16 chunks high: radius 12 is 10,000 chunks, 62 is 250,000. */
        rc = world_store_area(game_world(g), cx - radius, cz - radius, cx + radius, cz + radius, NULL, NULL, err);
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

static int spawn(const char *exe, const char *save, const char *draws, const char *report, int ascii, Child *c)
{
    struct winsize ws = {.ws_row = 60, .ws_col = 200};
    c->pid = forkpty(&c->fd, NULL, NULL, &ws);
    if (c->pid < 0)
        return -1;
    if (c->pid == 0) {
        setenv("TERM", "xterm-256color", 1);
        setenv("USER", "bench", 1);
        unsetenv("NO_COLOR");
        if (ascii)
            setenv("MAGIC_ASCII", "1", 1);
        else
            unsetenv("MAGIC_ASCII");
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
    double end = bench_wall_s() + timeout_s;
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
        if (bench_wall_s() > end)
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

/* One direction's steps: the frames drawn after a step that way. */
enum { STEP_EAST, STEP_WEST, STEP_SOUTH, STEP_NORTH, STEP_DIRS };
static const char *const dir_names[STEP_DIRS] = {"east", "west", "south", "north"};

typedef struct StepFigures {
    int n;                       /* frames */
    double bytes_avg, bytes_max; /* written by the update (doupdate) */
    double writes_avg, writes_max;
} StepFigures;

/* A run of steps: what each frame cost, from the client's report. */
typedef struct StepRun {
    int frames;
    double compose_med, compose_p99, output_med, both_med, both_p99, first_compose;
    long long pty_bytes_per_step; /* everything read from the terminal, over the frames */
    StepFigures dir[STEP_DIRS];
    double peak_rss_mb;
} StepRun;

/* Keys for the step runs: east and west by turns, then south and north,
 * so that every step moves the view by one cell. */
#define STEP_KEYS 400

/* One line of the client's report (screen_main.c, draw_timed): the CPU time of composing and of
 * writing a frame, the write() calls and bytes of its update, where the character stood, and
 * the monotonic clock when the update was written. 1 when a whole line was read. */
typedef struct ReportLine {
    long long compose_ns, output_ns, writes, bytes, shown_ns;
    int x, z;
} ReportLine;

static int read_report_line(FILE *f, ReportLine *l)
{
    return fscanf(f, "%lld %lld %lld %lld %d %d %lld", &l->compose_ns, &l->output_ns, &l->writes, &l->bytes, &l->x,
                  &l->z, &l->shown_ns) == 7;
}

/* Runs the client over STEP_KEYS steps and reads its report. */
static int step_run(const char *exe, const char *save, const char *report, int ascii, StepRun *out)
{
    char keys[STEP_KEYS + 1];
    for (int i = 0; i < STEP_KEYS; i++)
        keys[i] = i < STEP_KEYS / 2 ? (i % 2 ? 'h' : 'l') : (i % 2 ? 'k' : 'j');
    keys[STEP_KEYS] = '\0';
    char draws[16];
    snprintf(draws, sizeof draws, "%d", STEP_KEYS + 1);
    Child c;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    memset(out, 0, sizeof *out);
    drained_bytes = 0;
    if (spawn(exe, save, draws, report, ascii, &c) != 0 || drain(&c, keys, 60, &ru) != 0)
        return -1;
    out->pty_bytes_per_step = drained_bytes / (STEP_KEYS + 1);
    out->peak_rss_mb = (double)ru.ru_maxrss / 1024.0;
    static double compose[STEP_KEYS + 1], output[STEP_KEYS + 1], both[STEP_KEYS + 1];
    int nd = 0, px = 0, pz = 0;
    FILE *f = fopen(report, "r");
    ReportLine l;
    while (f && nd <= STEP_KEYS && read_report_line(f, &l)) {
        long long cns = l.compose_ns, ons = l.output_ns, w = l.writes, b = l.bytes;
        int x = l.x, z = l.z;
        compose[nd] = (double)cns / 1000.0;
        output[nd] = (double)ons / 1000.0;
        both[nd] = compose[nd] + output[nd];
        if (nd > 0) {
            int d = x == px + 1 && z == pz ? STEP_EAST : x == px - 1 && z == pz ? STEP_WEST
                  : z == pz + 1 && x == px ? STEP_SOUTH : z == pz - 1 && x == px ? STEP_NORTH : -1;
            if (d >= 0) {
                StepFigures *sf = &out->dir[d];
                sf->n++;
                sf->bytes_avg += (double)b;
                sf->writes_avg += (double)w;
                if (b > sf->bytes_max)
                    sf->bytes_max = (double)b;
                if (w > sf->writes_max)
                    sf->writes_max = (double)w;
            }
        }
        px = x;
        pz = z;
        nd++;
    }
    if (f)
        fclose(f);
    for (int d = 0; d < STEP_DIRS; d++)
        if (out->dir[d].n) {
            out->dir[d].bytes_avg /= out->dir[d].n;
            out->dir[d].writes_avg /= out->dir[d].n;
        }
    out->frames = nd;
    if (nd < 2)
        return 0;
    /* The first draw loads the chunks around the player; the rest follow a step. */
    out->first_compose = compose[0];
    size_t rest = (size_t)(nd - 1);
    qsort(compose + 1, rest, sizeof compose[0], cmp_double);
    qsort(output + 1, rest, sizeof output[0], cmp_double);
    qsort(both + 1, rest, sizeof both[0], cmp_double);
    int mid = 1 + (nd - 1) / 2, p99 = 1 + (int)((nd - 2) * 0.99);
    out->compose_med = compose[mid];
    out->compose_p99 = compose[p99];
    out->output_med = output[mid];
    out->both_med = both[mid];
    out->both_p99 = both[p99];
    return 0;
}

static void print_steps(const char *title, const StepRun *r)
{
    printf("%s (%d frames)\n", title, r->frames);
    printf("%-44s %9.0f us  <= 500 us of CPU\n", "  compose (our code + curses), median", r->compose_med);
    printf("%-44s %9.0f us\n", "  compose, p99", r->compose_p99);
    printf("%-44s %9.0f us\n", "  writing it (doupdate), median", r->output_med);
    printf("%-44s %9.0f us\n", "  both, median", r->both_med);
    printf("%-44s %9.0f us\n", "  both, p99", r->both_p99);
    printf("%-44s %9.0f us\n", "  first compose (loads the chunks in view)", r->first_compose);
    printf("%-44s %9lld B\n", "  bytes read from the terminal per step", r->pty_bytes_per_step);
    printf("  %-10s %6s %24s %22s\n", "step", "steps", "bytes sent (avg / max)", "write() calls (avg/max)");
    for (int d = 0; d < STEP_DIRS; d++)
        printf("  %-10s %6d %13.0f / %-8.0f %14.1f / %-4.0f\n", dir_names[d], r->dir[d].n, r->dir[d].bytes_avg,
               r->dir[d].bytes_max, r->dir[d].writes_avg, r->dir[d].writes_max);
}

static void json_steps(cJSON *root, const char *name, const StepRun *r)
{
    cJSON *o = cJSON_AddObjectToObject(root, name);
    if (!o)
        return;
    cJSON_AddNumberToObject(o, "frames", r->frames);
    cJSON_AddNumberToObject(o, "compose_median_us", r->compose_med);
    cJSON_AddNumberToObject(o, "compose_p99_us", r->compose_p99);
    cJSON_AddNumberToObject(o, "output_median_us", r->output_med);
    cJSON_AddNumberToObject(o, "both_median_us", r->both_med);
    cJSON_AddNumberToObject(o, "both_p99_us", r->both_p99);
    cJSON_AddNumberToObject(o, "first_compose_us", r->first_compose);
    cJSON_AddNumberToObject(o, "pty_bytes_per_step", (double)r->pty_bytes_per_step);
    cJSON_AddNumberToObject(o, "peak_rss_mb", r->peak_rss_mb);
    for (int d = 0; d < STEP_DIRS; d++) {
        cJSON *s = cJSON_AddObjectToObject(o, dir_names[d]);
        cJSON_AddNumberToObject(s, "steps", r->dir[d].n);
        cJSON_AddNumberToObject(s, "bytes_per_step", r->dir[d].bytes_avg);
        cJSON_AddNumberToObject(s, "bytes_per_step_max", r->dir[d].bytes_max);
        cJSON_AddNumberToObject(s, "writes_per_step", r->dir[d].writes_avg);
        cJSON_AddNumberToObject(s, "writes_per_step_max", r->dir[d].writes_max);
    }
}

int bench_client(CliCtx *ctx, int json, long long want_chunks)
{
    /* The square of columns around the spawn that holds at least want_chunks. */
    int radius = 0;
    while ((2LL * radius + 1) * (2LL * radius + 1) * WORLD_CHUNKS_Y < want_chunks)
        radius++;
    (void)ctx;
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
    if (!json) {
        printf("building a save with %lld stored chunks...\n", (2LL * radius + 1) * (2LL * radius + 1) * WORLD_CHUNKS_Y);
        fflush(stdout);
    }
    int status = CLI_OK;
    if (build_save(save, radius, &chunks, &err) != MA_OK) {
        status = cli_fail(&err);
        goto done;
    }

    /* 1. Launch to the first drawn map (the client's report says when its first update was
     * written, on the same monotonic clock), 7 runs, median; and to its exit, which adds
     * leaving: the backup made on quitting, checked. */
    double launch[7], to_exit[7];
    for (int i = 0; i < 7; i++) {
        Child c;
        double t0 = bench_wall_s();
        if (spawn(exe, save, "1", report, 0, &c) != 0 || drain(&c, NULL, 20, NULL) != 0) {
            fprintf(stderr, "magic-adventure: bench: the client did not start and leave cleanly\n");
            status = CLI_FAIL;
            goto done;
        }
        to_exit[i] = (bench_wall_s() - t0) * 1000;
        FILE *f = fopen(report, "r");
        ReportLine first;
        if (!f || !read_report_line(f, &first)) {
            fprintf(stderr, "magic-adventure: bench: the client did not report its first map\n");
            if (f)
                fclose(f);
            status = CLI_FAIL;
            goto done;
        }
        fclose(f);
        launch[i] = ((double)first.shown_ns / 1e9 - t0) * 1000;
    }
    qsort(launch, 7, sizeof launch[0], cmp_double);
    qsort(to_exit, 7, sizeof to_exit[0], cmp_double);

    /* 2. 400 steps (east and west by turns, then south and north), in
     * Unicode and 256 colours, then in ASCII (MAGIC_ASCII=1). */
    StepRun uni, ascii;
    if (step_run(exe, save, report, 0, &uni) != 0 || step_run(exe, save, report, 1, &ascii) != 0) {
        fprintf(stderr, "magic-adventure: bench: the client did not finish its steps\n");
        status = CLI_FAIL;
        goto done;
    }

    /* 3. CPU used while waiting for a key, over two seconds. */
    Child idle;
    if (spawn(exe, save, NULL, NULL, 0, &idle) != 0) {
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

    if (json) {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddStringToObject(root, "bench", "client");
        cJSON_AddNumberToObject(root, "stored_chunks", (double)chunks);
        cJSON_AddNumberToObject(root, "launch_median_ms", launch[3]);
        cJSON_AddNumberToObject(root, "launch_fastest_ms", launch[0]);
        cJSON_AddNumberToObject(root, "launch_slowest_ms", launch[6]);
        cJSON_AddNumberToObject(root, "launch_to_exit_median_ms", to_exit[3]);
        json_steps(root, "unicode_256_colours", &uni);
        json_steps(root, "ascii", &ascii);
        cJSON_AddNumberToObject(root, "idle_cpu_ms_in_2s", idle_ms);
        char *text = cJSON_Print(root);
        if (text)
            printf("%s\n", text);
        cJSON_free(text);
        cJSON_Delete(root);
        goto done;
    }
    printf("client in a 200x60 pseudo-terminal, save with %lld stored chunks\n", (long long)chunks);
    printf("%-44s %12s  %s\n", "figure", "measured", "target (reference)");
    printf("%-44s %9.1f ms  < 100 ms (NetHack ~70 ms, the biggest curses RPG ~6 s)\n",
           "launch to first drawn map, median of 7", launch[3]);
    printf("%-44s %5.1f / %.1f ms\n", "  fastest / slowest", launch[0], launch[6]);
    printf("%-44s %9.1f ms\n", "  start, first map and quit (its backup)", to_exit[3]);
    print_steps("400 steps, Unicode and 256 colours", &uni);
    print_steps("the same steps in ASCII (MAGIC_ASCII=1)", &ascii);
    printf("targets: <= 10,000 bytes sent to the terminal per step and <= 4 write() calls per step, every direction\n");
    printf("%-44s %9.1f MB  < 50 MB\n", "peak resident memory over 400 steps", uni.peak_rss_mb);
    printf("%-44s %9.1f MB\n", "  the same in ASCII", ascii.peak_rss_mb);
    printf("%-44s %9.0f ms  0 (no CPU while waiting for a key)\n", "CPU used in 2 s waiting for a key", idle_ms);
    printf("bytes and write() calls per step: the update after the step (its share of /proc/self/io), by the\n"
           "direction the character moved; steps that did not move (blocked) are left out.\n");
done:;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "magic-adventure: bench: could not remove %s\n", dir);
    return status;
}
