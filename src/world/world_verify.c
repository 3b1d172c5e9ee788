/* world_verify.c — see world_verify.h. */
#include "world/world_verify.h"

#include <stdio.h>
#include <string.h>

#include "save/chunks.h"
#include "save/worlds.h"
#include "world/chunk_codec.h"

typedef struct Check {
    const BlockRegistry *reg;
    const WorldRow *world;
    SaveProblemFn report;
    void *ud;
    int problems;
} Check;

static int check_chunk(int32_t cx, int32_t cy, int32_t cz, const char *block_data, size_t len,
                       const char *structures, int64_t version, void *ud)
{
    (void)version;
    Check *c = ud;
    Chunk *chunk = NULL;
    Err err = {0};
    if (chunk_decode(block_data, len, structures, c->reg, cx, cy, cz, &chunk, &err) != MA_OK) {
        /* The codec's message starts with the chunk's coordinates, which the line already names. */
        char prefix[64], line[1024];
        snprintf(prefix, sizeof prefix, "chunk %d,%d,%d: ", cx, cy, cz);
        const char *why = strncmp(err.msg, prefix, strlen(prefix)) == 0 ? err.msg + strlen(prefix) : err.msg;
        snprintf(line, sizeof line, "chunks: world '%s' (id %lld): chunk %d,%d,%d does not load: %s",
                 c->world->name, (long long)c->world->id, cx, cy, cz, why);
        c->report(line, c->ud);
        c->problems++;
    }
    chunk_free(chunk);
    return 0;
}

int world_verify_chunks(Save *s, const BlockRegistry *reg, SaveProblemFn report, void *ud, Err *err)
{
    WorldRow *worlds = NULL;
    int n = 0;
    int rc = worlds_list(s, &worlds, &n, err);
    if (rc != MA_OK)
        return rc;
    Check c = {.reg = reg, .report = report, .ud = ud};
    for (int i = 0; i < n && rc == MA_OK; i++) {
        c.world = &worlds[i];
        rc = chunks_each(s, worlds[i].id, check_chunk, &c, err);
    }
    worlds_list_free(worlds, n);
    return rc == MA_OK ? c.problems : rc;
}
