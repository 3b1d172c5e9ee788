/* cli_bench_agents.c — `bench agents`: how long a game year of the six agents
 * takes, and how much the save grows for it.
 *
 * Builds a save with a normal world (seed 3: villages and ruins near the
 * start) and a character, stores the 10,000 or so chunks around the start,
 * then lets a game year (28 days, 84 ticks) pass for all six agents and
 * prints the CPU time (this thread), the wall time, the entries written, the
 * log's bytes and the save file's growth. Targets: a year in under 2 s of CPU
 * on one core, under 5 MB of log a year; a catch-up of 7 days (the most a
 * game opened after an absence runs) under 0.5 s. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agents/agents.h"
#include "bench_clock.h"
#include "game/calendar.h"
#include "game/game.h"
#include "save/agents.h"
#include "world/blocks.h"

static long long file_size(const char *path)
{
    struct stat st;
    long long n = stat(path, &st) == 0 ? (long long)st.st_size : 0;
    char wal[4200];
    snprintf(wal, sizeof wal, "%s-wal", path);
    if (stat(wal, &st) == 0)
        n += (long long)st.st_size;
    return n;
}

typedef struct Count {
    int entries;
} Count;

static void count_entry(AgentType who, int64_t id, const char *type, const char *line, void *ud)
{
    (void)who, (void)type, (void)line;
    if (id > 0)
        ((Count *)ud)->entries++;
}

static int villagers_in(World *w, int32_t cx0, int32_t cz0, int32_t cx1, int32_t cz1)
{
    int n = 0;
    for (int32_t cx = cx0; cx <= cx1; cx++)
        for (int32_t cz = cz0; cz <= cz1; cz++)
            for (int32_t cy = 3; cy <= 6; cy++) {
                Chunk *c = world_chunk(w, cx, cy, cz, NULL);
                const cJSON *e;
                if (c)
                    cJSON_ArrayForEach(e, c->entities) n += cJSON_IsString(cJSON_GetObjectItem(e, "type")) &&
                                                            strcmp(cJSON_GetObjectItem(e, "type")->valuestring, "npc") == 0;
            }
    return n;
}

int bench_agents(CliCtx *ctx)
{
    char dir[] = "/tmp/ma-bench-agents-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("magic-adventure: bench agents");
        return CLI_FAIL;
    }
    char path[256];
    snprintf(path, sizeof path, "%s/agents.db", dir);
    Err err = {0};
    Save *s = NULL;
    Game *g = NULL;
    Agents *a = NULL;
    int rc = save_open(path, SAVE_CREATE | SAVE_INIT, &s, &err);
    int64_t wid = 0;
    if (rc == MA_OK)
        rc = world_create(s, "bench", 3, "normal", &wid, &err);
    GameStart st = {.username = "bench", .world = "bench"};
    if (rc == MA_OK)
        rc = game_start(s, &st, &g, &err);
    int villagers = 0;
    long long stored = 0;
    if (rc == MA_OK) {
        const Player *p = game_player(g);
        int32_t cx = chunk_coord(p->x), cz = chunk_coord(p->z);
        printf("storing the chunks around the start (25 x 25 columns of 16)...\n");
        fflush(stdout);
        rc = world_store_area(game_world(g), cx - 12, cz - 12, cx + 12, cz + 12, NULL, NULL, &err);
        stored = 25LL * 25 * WORLD_CHUNKS_Y;
        villagers = villagers_in(game_world(g), cx - 12, cz - 12, cx + 12, cz + 12);
    }
    /* Closed and opened again, so that the file's size is the checkpointed save's. */
    game_close(g);
    g = NULL;
    save_close(s);
    s = NULL;
    long long size0 = file_size(path);
    BlockRegistry *reg = NULL;
    World *w = NULL;
    if (rc == MA_OK)
        rc = save_open(path, 0, &s, &err);
    if (rc == MA_OK)
        rc = blocks_load_default(&reg, &err);
    if (rc == MA_OK)
        rc = world_open(s, reg, "bench", 0, 0, &w, &err);
    if (rc == MA_OK)
        rc = agents_open(s, w, &a, &err);
    if (rc != MA_OK) {
        agents_close(a);
        world_close(w);
        blocks_free(reg);
        save_close(s);
        return cli_fail(&err);
    }
    int64_t e0 = 0, b0 = 0;
    evolution_log_size(s, wid, &e0, &b0, &err);
    Count week = {0}, year = {0};
    int64_t start = agents_present(a);
    double c0 = bench_thread_cpu_s(), w0 = bench_wall_s();
    int ran = agents_advance(a, start + (int64_t)AGENTS_CATCH_UP_DAYS * TURNS_PER_DAY, -1, 0, count_entry, &week, &err);
    double c1 = bench_thread_cpu_s(), w1 = bench_wall_s();
    if (ran >= 0)
        ran = agents_advance(a, start + (int64_t)CALENDAR_YEAR_DAYS * TURNS_PER_DAY, -1, 0, count_entry, &year, &err);
    double c2 = bench_thread_cpu_s(), w2 = bench_wall_s();
    int64_t e1 = 0, b1 = 0;
    if (ran >= 0)
        evolution_log_size(s, wid, &e1, &b1, &err);
    agents_close(a);
    world_close(w);
    blocks_free(reg);
    save_close(s);
    if (ran < 0)
        return cli_fail(&err);
    long long size1 = file_size(path);
    printf("world: seed 3, %lld chunks stored, %d villagers in them\n", stored, villagers);
    printf("%-46s %10.3f s CPU (%.3f s wall)   target < 0.5 s\n", "7 days of agents (the longest catch-up)", c1 - c0,
           w1 - w0);
    printf("%-46s %10.3f s CPU (%.3f s wall)   target < 2 s\n", "a game year (28 days, 84 ticks)", c2 - c0, w2 - w0);
    printf("%-46s %10lld\n", "evolution entries a year", (long long)(e1 - e0));
    printf("%-46s %10.2f MB   target < 5 MB\n", "evolution log a year (JSON and index)", (double)(b1 - b0) / 1e6);
    printf("%-46s %10.2f MB\n", "save file growth a year (log, chunks, rows)", (double)(size1 - size0) / 1e6);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "magic-adventure: could not remove %s\n", dir);
    (void)ctx;
    return CLI_OK;
}
