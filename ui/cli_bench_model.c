/* cli_bench_model.c — `bench codec-model [--c2] --out FILE`: trains the
 * "c1" cell model of block_data (src/world/chunk_model.c) on generated
 * chunks, or with --c2 the "c2" model (the cells with their veins taken out,
 * and the veins). This is how data/chunk_model.json and
 * data/chunk_model_c2.json were made; a shipped model is never replaced
 * (stored chunks depend on it), so this is for a future form. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "world/blocks.h"
#include "world/chunk_model.h"
#include "world/generator.h"

/* `bench codec-model --out FILE`: trains the "c1" cell model on the chunks
 * that hold terrain around the spawn of seeds other than the benchmark's
 * (so the benchmark measures chunks the model never saw). A model, once
 * shipped, is never replaced: this is how data/chunk_model.json was made. */
int bench_codec_model(CliCtx *ctx, const char *out, long long columns, int c2)
{
    Err err = {0};
    if (access(out, F_OK) == 0) { /* said before the minutes of training, and again at the write */
        err_set(&err, MA_ERR_IO, "%s already exists; a model once shipped is never replaced (data written with it "
                "must decode the same forever): write the new one to a new file", out);
        return cli_fail(&err);
    }
    BlockRegistry *reg = NULL;
    ChunkModelCounts *k = chunk_model_counts_new();
    int rc = k ? blocks_load_default(&reg, &err) : err_set(&err, MA_ERR_NOMEM, "bench: out of memory");
    /* c2 takes veins out as the c1 model's names say (the same names as data/blocks.json). */
    const ChunkModel *c1 = c2 && rc == MA_OK ? chunk_model_get(&err) : NULL;
    if (c2 && !c1 && rc == MA_OK)
        rc = err.code;
    long long trained = 0;
    static const uint64_t seeds[] = {1, 42, 777, 31337};
    for (size_t si = 0; rc == MA_OK && si < sizeof seeds / sizeof seeds[0]; si++) {
        Generator *g = NULL;
        if ((rc = generator_new(reg, seeds[si], "normal", GENERATOR_VERSION, &g, &err)) != MA_OK)
            break;
        int32_t sx, sy, sz;
        generator_spawn_point(g, &sx, &sy, &sz);
        int32_t ox = chunk_coord(sx), oz = chunk_coord(sz);
        long long n = 0;
        for (int r = 0; n < columns; r++)
            for (int dz = -r; dz <= r && n < columns; dz++)
                for (int dx = -r; dx <= r && n < columns; dx++) {
                    if (abs(dx) != r && abs(dz) != r)
                        continue;
                    n++;
                    for (int32_t cy = 0; cy < WORLD_CHUNKS_Y; cy++) {
                        Chunk *c = chunk_new(ox + dx, cy, oz + dz, BLOCK_AIR);
                        if (!c)
                            continue;
                        generator_fill(g, c);
                        if (c->blocks) {
                            if (c2)
                                chunk_model_counts_add_c2(k, c1, c->blocks, cy);
                            else
                                chunk_model_counts_add(k, c->blocks, cy);
                            trained++;
                        }
                        chunk_free(c);
                    }
                }
        generator_free(g);
    }
    if (rc == MA_OK) {
        const char *names[CHUNK_MODEL_MAX_BLOCKS];
        int count = blocks_count(reg);
        if (count > CHUNK_MODEL_MAX_BLOCKS) {
            rc = err_set(&err, MA_ERR_INVALID, "the model holds at most %d blocks; data/blocks.json has %d",
                         CHUNK_MODEL_MAX_BLOCKS, count);
        } else {
            for (int i = 0; i < count; i++)
                names[i] = blocks_get(reg, (BlockId)i)->name;
            char *text = chunk_model_counts_json(k, names, count);
            /* "wx": never over a file, so that a shipped model (data/chunk_model*.json) is not replaced. */
            FILE *f = text ? fopen(out, "wx") : NULL;
            if (!f && errno == EEXIST)
                rc = err_set(&err, MA_ERR_IO, "%s already exists; a model once shipped is never replaced (data written "
                             "with it must decode the same forever): write the new one to a new file", out);
            else if (!f || fputs(text, f) < 0 || fputc('\n', f) < 0 || fclose(f) != 0)
                rc = err_set(&err, MA_ERR_IO, "cannot write %s", out);
            else
                printf("trained on %lld chunks that hold terrain (seeds 1, 42, 777, 31337); wrote %s\n", trained,
                       out);
            free(text);
        }
    }
    chunk_model_counts_free(k);
    blocks_free(reg);
    (void)ctx;
    return rc == MA_OK ? CLI_OK : cli_fail(&err);
}
