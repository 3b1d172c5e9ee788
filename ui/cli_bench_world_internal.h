/* cli_bench_world_internal.h — for `bench world`'s files only (cli_bench_world.c measures,
 * cli_bench_world_print.c prints the tables or the JSON) and cli_bench.c's command table: what
 * the phases measure. */
#ifndef MA_UI_CLI_BENCH_WORLD_INTERNAL_H
#define MA_UI_CLI_BENCH_WORLD_INTERNAL_H

#include <stdint.h>

#include "cli.h"
#include "save/save.h"
#include "world/blocks.h"
#include "world/generator.h"

#define BENCH_RENDER_W 200
#define BENCH_RENDER_H 60
#define BENCH_BATCH_COLUMNS 64
#define BENCH_SAMPLE_COLUMNS 16 /* full columns encoded both ways for the comparison */
#define BENCH_LOOKUPS 20000
#define BENCH_RAM_CHUNKS 4096
#define BENCH_PREGEN_COLUMNS 1600 /* a 40 x 40 square: 25,600 chunks */

typedef struct Bench {
    const BlockRegistry *reg;
    Save *save, *sparse_save; /* the two forms in two files, so that each file's size is its own */
    Generator *gen;
    int64_t world_id, sparse_id;
    uint64_t seed;
    /* the columns, in the order they are generated */
    int32_t *ccx, *ccz;
    int ncols;
    int sample_cols;      /* the first sample_cols columns are encoded both ways */
    int32_t rx0, rx1, rz0, rz1, rcy0, rcy1; /* chunks under the render */
    int32_t spawn[3];
} Bench;

/* One generated chunk: what it cost and what it takes. Times are wall-clock
 * microseconds (CLOCK_MONOTONIC, 40 ns a reading: the thread CPU clock is a
 * system call of about a microsecond here, as long as what it would time). */
typedef struct Sample {
    float gen_us, enc_us, load_us, read_us; /* read_us: the SQLite read alone, the rest of load_us is decoding */
    uint32_t bytes, ram;
    uint8_t uniform;
} Sample;

/* Figures of one kind of chunk (all, uniform, non-uniform). */
typedef struct KindFigures {
    long long n;
    double gen_rate, gen_med, enc_med, enc_p99, load_med, load_p99, read_med, decode_med, bytes_avg, bytes_p90, ram_avg;
    double gen_cpu_rate; /* generated again in one go, by the thread's CPU clock */
} KindFigures;

enum { KIND_ALL, KIND_UNIFORM, KIND_TERRAIN, KIND_COUNT };

/* Everything the phases measure. */
typedef struct Figures {
    Sample *s;                                    /* every chunk, in build order */
    long long chunks, sample_chunks;
    double store_s;                               /* storing all chunks, batched (wall) */
    double s_gen_s, s_enc_s, s_store_s, s_sparse_enc_s, s_sparse_store_s; /* the sample */
    double s_bytes, s_sparse_bytes;               /* sums over the sample */
    double air_sum, stone_sum;
    long long air_n, stone_n;
    double s_load_med, s_sparse_load_med, s_sparse_load_p99;
    double ram_chunk, s_ram_ours, s_ram_sparse;
    double render_warm, render_cold, render_cold_sparse;
    size_t uni_air, uni_air_sparse, uni_stone, uni_stone_sparse;
    long long file_bytes, sparse_file_bytes;
    int64_t sparse_stored;
    /* pregen: world_store_area on a fresh save */
    long long pg_chunks, pg_terrain, pg_file_bytes;
    double pg_cpu_s, pg_wall_s;
    int pg_side;
    KindFigures kind[KIND_COUNT];
    char load[64];
} Figures;

/* Builds a throw-away save in a temporary directory (removed afterwards) from seed with about
 * nchunks chunks, measures it and prints the figures (json: as one JSON object). Returns CLI_OK,
 * or CLI_FAIL with the message printed. */
int bench_world(CliCtx *ctx, long long seed, long long nchunks, int json);

/* The figures as tables (by kind of chunk; all chunks beside the sparse form) and notes. */
void bench_world_print_table(const Bench *b, const Figures *f);
/* The same figures as one JSON object, for comparing runs. */
void bench_world_print_json(const Bench *b, const Figures *f);

#endif
