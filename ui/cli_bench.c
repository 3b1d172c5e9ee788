/* cli_bench.c — `bench world`: how fast and how small the world is.
 *
 * Builds a throw-away save in a temporary directory from a fixed seed and
 * measures, on one core: generation, encoding and batched storing of every
 * chunk (each timed alone), and the chunks that hold terrain generated again
 * in one loop timed by the thread's CPU clock; loading and decoding every stored chunk once in
 * a random order inside one read transaction; bytes per stored chunk; RAM
 * per chunk; rendering a 200x60 slice; and `pregen` as the game does it
 * (world_store_area on a fresh save, timed by the process's CPU clock).
 * Uniform chunks (all one block: two thirds of a world, all air) and
 * non-uniform ones (terrain) are reported apart, beside the averages, with
 * the targets of issue 15; the averages stand next to the design's plain
 * sparse JSON (chunk_encode_sparse) on the same chunks. --json prints the
 * same figures as one JSON object. It prints; it never fails on time. */
#include "cli.h"

#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "save/chunks.h"
#include "save/worlds.h"
#include "util/prng.h"
#include "world/blocks.h"
#include "world/chunk_codec.h"
#include "world/generator.h"
#include "world/render.h"
#include "world/world.h"

#define BENCH_RENDER_W 200
#define BENCH_RENDER_H 60
#define BENCH_BATCH_COLUMNS 64
#define BENCH_SAMPLE_COLUMNS 16 /* full columns encoded both ways for the comparison */
#define BENCH_LOOKUPS 20000
#define BENCH_RAM_CHUNKS 4096
#define BENCH_PREGEN_COLUMNS 1600 /* a 40 x 40 square: 25,600 chunks */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this thread: what the work costs, whatever else the machine
 * is doing. Storing is timed by the wall clock, since it waits for the disk,
 * and so is one load (a few microseconds, where reading this clock, a
 * system call, would weigh). */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the whole process (SQLite included): for pregen, timed once. */
static double proc_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The q-quantile (0..1) of v (sorted in place). */
static double quantile(double *v, size_t n, double q)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    size_t i = (size_t)(q * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

static uint32_t quantile_u32(uint32_t *v, size_t n, double q)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, cmp_u32);
    size_t i = (size_t)(q * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

/* 12345678 -> "12,345,678" in buf. */
static const char *thousands(double v, char *buf, size_t size)
{
    char raw[48];
    snprintf(raw, sizeof raw, "%.0f", v);
    const char *digits = raw[0] == '-' ? raw + 1 : raw;
    size_t nd = strlen(digits), o = 0;
    if (raw[0] == '-' && o + 1 < size)
        buf[o++] = '-';
    for (size_t i = 0; i < nd && o + 2 < size; i++) {
        if (i && (nd - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

/* One line of the table. ratio: sparse / ours, for figures where more is
 * worse, and ours / sparse where more is better; 0 prints "-". */
static void row(const char *label, const char *ours, const char *sparse, double ratio, const char *target,
                const char *luanti)
{
    char r[32] = "-";
    if (ratio > 0)
        snprintf(r, sizeof r, ratio >= 10 ? "%.0fx" : "%.1fx", ratio);
    printf("%-34s %-14s %-14s %-9s %-14s %s\n", label, ours, sparse, r, target, luanti);
}

/* Heap bytes a cJSON tree takes: every allocation made while parsing. */
static size_t counted_bytes;
static void *counting_malloc(size_t n)
{
    void *p = malloc(n);
    if (p)
        counted_bytes += malloc_usable_size(p) + sizeof(size_t);
    return p;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char path[4200];
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

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

static int in_render(const Bench *b, int32_t cx, int32_t cz)
{
    return cx >= b->rx0 && cx <= b->rx1 && cz >= b->rz0 && cz <= b->rz1;
}

/* The render area's columns first (the render then reads stored chunks),
 * then rings around the spawn until ncols. */
static void plan_columns(Bench *b)
{
    int n = 0;
    for (int32_t cz = b->rz0; cz <= b->rz1 && n < b->ncols; cz++)
        for (int32_t cx = b->rx0; cx <= b->rx1 && n < b->ncols; cx++) {
            b->ccx[n] = cx;
            b->ccz[n] = cz;
            n++;
        }
    int32_t ox = chunk_coord(b->spawn[0]), oz = chunk_coord(b->spawn[2]);
    for (int k = 0; n < b->ncols; k++)
        for (int dz = -k; dz <= k && n < b->ncols; dz++)
            for (int dx = -k; dx <= k && n < b->ncols; dx++) {
                if (abs(dx) != k && abs(dz) != k)
                    continue;
                if (in_render(b, ox + dx, oz + dz))
                    continue;
                b->ccx[n] = ox + dx;
                b->ccz[n] = oz + dz;
                n++;
            }
}

typedef struct Pending {
    int32_t cx, cy, cz;
    char *text, *structures;
    size_t len;
} Pending;

static int store_batch(Save *s, int64_t world_id, Pending *p, int n, Err *err)
{
    if (save_begin(s, err) != MA_OK)
        return err->code;
    for (int i = 0; i < n; i++)
        if (chunks_put(s, world_id, p[i].cx, p[i].cy, p[i].cz, p[i].text, p[i].len, p[i].structures, NULL, err) !=
            MA_OK) {
            save_rollback(s);
            return err->code;
        }
    return save_commit(s, err);
}

static void pending_clear(Pending *p, int n)
{
    for (int i = 0; i < n; i++) {
        free(p[i].text);
        cJSON_free(p[i].structures);
        p[i].text = p[i].structures = NULL;
    }
}

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
static const char *const kind_names[KIND_COUNT] = {"all", "uniform", "non-uniform"};

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

static int phase_build(Bench *b, Figures *f, Err *err)
{
    int stone = blocks_find(b->reg, "stone");
    int rc = MA_OK;
    int per_batch = BENCH_BATCH_COLUMNS * WORLD_CHUNKS_Y;
    Pending *ours = calloc((size_t)per_batch, sizeof *ours);
    Pending *sparse = calloc((size_t)per_batch, sizeof *sparse);
    if (!ours || !sparse) {
        rc = err_set(err, MA_ERR_NOMEM, "bench: out of memory");
        goto cleanup;
    }
    for (int col0 = 0; col0 < b->ncols; col0 += BENCH_BATCH_COLUMNS) {
        int col1 = col0 + BENCH_BATCH_COLUMNS < b->ncols ? col0 + BENCH_BATCH_COLUMNS : b->ncols;
        int n = 0, ns = 0;
        double sample_store_share = 0;
        for (int col = col0; col < col1; col++) {
            int sample = col < b->sample_cols;
            int render = in_render(b, b->ccx[col], b->ccz[col]);
            for (int32_t cy = 0; cy < WORLD_CHUNKS_Y; cy++) {
                Chunk *c = chunk_new(b->ccx[col], cy, b->ccz[col], BLOCK_AIR);
                if (!c) {
                    rc = err_set(err, MA_ERR_NOMEM, "bench: out of memory");
                    goto cleanup;
                }
                double t0 = now_s();
                generator_fill(b->gen, c);
                double t1 = now_s();
                size_t len = 0;
                char *text = chunk_encode(c, b->reg, &len, err);
                double t2 = now_s();
                char *structs = cJSON_PrintUnformatted(c->structures);
                if (!text || !structs) {
                    free(text);
                    cJSON_free(structs);
                    chunk_free(c);
                    rc = text ? err_set(err, MA_ERR_NOMEM, "bench: out of memory") : err->code;
                    goto cleanup;
                }
                Sample *sm = &f->s[f->chunks++];
                sm->gen_us = (float)((t1 - t0) * 1e6);
                sm->enc_us = (float)((t2 - t1) * 1e6);
                sm->bytes = (uint32_t)len;
                sm->uniform = (uint8_t)chunk_is_uniform(c);
                if (sm->uniform) {
                    BlockId u = chunk_get(c, 0, 0, 0);
                    if (u == BLOCK_AIR) {
                        f->air_sum += (double)len;
                        f->air_n++;
                    } else if ((int)u == stone) {
                        f->stone_sum += (double)len;
                        f->stone_n++;
                    }
                }
                ours[n++] = (Pending){c->cx, c->cy, c->cz, text, structs, len};
                int both = sample || (render && cy >= b->rcy0 && cy <= b->rcy1);
                if (both) {
                    size_t slen = 0;
                    double t3 = now_s();
                    char *stext = chunk_encode_sparse(c, b->reg, &slen, err);
                    double t4 = now_s();
                    char *sstructs = cJSON_PrintUnformatted(c->structures);
                    if (!stext || !sstructs) {
                        free(stext);
                        cJSON_free(sstructs);
                        chunk_free(c);
                        rc = stext ? err_set(err, MA_ERR_NOMEM, "bench: out of memory") : err->code;
                        goto cleanup;
                    }
                    sparse[ns++] = (Pending){c->cx, c->cy, c->cz, stext, sstructs, slen};
                    if (sample) {
                        f->sample_chunks++;
                        f->s_gen_s += t1 - t0;
                        f->s_enc_s += t2 - t1;
                        f->s_sparse_enc_s += t4 - t3;
                        f->s_bytes += (double)len;
                        f->s_sparse_bytes += (double)slen;
                    }
                }
                chunk_free(c);
            }
            if (sample)
                sample_store_share += WORLD_CHUNKS_Y;
        }
        double t0 = now_s();
        if ((rc = store_batch(b->save, b->world_id, ours, n, err)) != MA_OK)
            goto cleanup;
        double t1 = now_s();
        f->store_s += t1 - t0;
        f->s_store_s += (t1 - t0) * sample_store_share / n; /* the sample's share of its batch */
        /* The sparse twin: time only the sample's rows (the render rows ride along). */
        int nsample = 0;
        while (nsample < ns && col0 + nsample / WORLD_CHUNKS_Y < b->sample_cols)
            nsample++;
        t0 = now_s();
        if ((rc = store_batch(b->sparse_save, b->sparse_id, sparse, nsample, err)) != MA_OK)
            goto cleanup;
        t1 = now_s();
        f->s_sparse_store_s += t1 - t0;
        if ((rc = store_batch(b->sparse_save, b->sparse_id, sparse + nsample, ns - nsample, err)) != MA_OK)
            goto cleanup;
        pending_clear(ours, n);
        pending_clear(sparse, ns);
        if (isatty(STDERR_FILENO)) {
            fprintf(stderr, "\rbuilding the save: %lld/%lld chunks ", f->chunks, (long long)b->ncols * WORLD_CHUNKS_Y);
            fflush(stderr);
        }
    }
    if (isatty(STDERR_FILENO))
        fputc('\n', stderr);
cleanup:
    if (ours)
        pending_clear(ours, per_batch);
    if (sparse)
        pending_clear(sparse, per_batch);
    free(ours);
    free(sparse);
    return rc;
}

/* Load + decode: every stored chunk of ours once, in a random order, inside
 * one read transaction; then the sample both ways. */
static int phase_load(Bench *b, Save *ro, Save *ro_sparse, Figures *f, Err *err)
{
    long long n = f->chunks;
    int ns = b->sample_cols * WORLD_CHUNKS_Y;
    uint32_t *order = malloc(sizeof *order * (size_t)n);
    double *t = malloc(sizeof(double) * (size_t)ns);
    double *tsp = malloc(sizeof(double) * (size_t)ns);
    if (!order || !t || !tsp) {
        free(order);
        free(t);
        free(tsp);
        return err_set(err, MA_ERR_NOMEM, "bench: out of memory");
    }
    Prng p;
    prng_seed(&p, b->seed ^ 0x10AD);
    for (long long i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    for (long long i = n - 1; i > 0; i--) {
        uint32_t j = prng_below(&p, (uint32_t)i + 1), tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }
    int rc = save_begin(ro, err);
    if (rc != MA_OK)
        goto cleanup;
    if ((rc = save_begin(ro_sparse, err)) != MA_OK) {
        save_rollback(ro);
        goto cleanup;
    }
    size_t sparse_tree = 0, ours_ram = 0;
    for (int pass = 0; pass < 3 && rc == MA_OK; pass++) {
        long long count = pass == 0 ? n : ns;
        for (long long i = 0; i < count; i++) {
            long long k = pass == 0 ? order[i] : i; /* the k-th chunk built */
            int col = (int)(k / WORLD_CHUNKS_Y);
            int32_t cy = (int32_t)(k % WORLD_CHUNKS_Y);
            int64_t wid = pass == 2 ? b->sparse_id : b->world_id;
            ChunkRow r = {0};
            Chunk *c = NULL;
            double t0 = now_s();
            rc = chunks_get(pass == 2 ? ro_sparse : ro, wid, b->ccx[col], cy, b->ccz[col], &r, err);
            double t1 = now_s();
            if (rc == MA_OK)
                rc = chunk_decode(r.block_data, r.block_len, r.structures, b->reg, b->ccx[col], cy, b->ccz[col], &c,
                                  err);
            double us = (now_s() - t0) * 1e6;
            if (rc == MA_OK) {
                if (pass == 0) {
                    f->s[k].load_us = (float)us;
                    f->s[k].read_us = (float)((t1 - t0) * 1e6);
                    f->s[k].ram = (uint32_t)chunk_memory(c);
                } else {
                    (pass == 2 ? tsp : t)[i] = us;
                }
                if (pass == 1)
                    ours_ram += chunk_memory(c);
                if (pass == 2) {
                    /* The design's form held as it is: a cJSON tree. */
                    cJSON_Hooks hooks = {counting_malloc, free};
                    counted_bytes = 0;
                    cJSON_InitHooks(&hooks);
                    cJSON *tree = cJSON_ParseWithLength(r.block_data, r.block_len);
                    sparse_tree += counted_bytes;
                    cJSON_Delete(tree);
                    cJSON_InitHooks(NULL);
                }
            }
            if (c)
                chunk_free(c);
            chunk_row_clear(&r);
            if (rc != MA_OK)
                break;
        }
        if (rc != MA_OK)
            break;
        if (pass == 1) {
            f->s_load_med = quantile(t, (size_t)ns, 0.5);
        } else if (pass == 2) {
            f->s_sparse_load_med = quantile(tsp, (size_t)ns, 0.5);
            f->s_sparse_load_p99 = quantile(tsp, (size_t)ns, 0.99);
        }
    }
    f->s_ram_ours = ns ? (double)ours_ram / ns : 0;
    f->s_ram_sparse = ns ? (double)sparse_tree / ns : 0;
    save_rollback(ro); /* read transactions: nothing to keep */
    save_rollback(ro_sparse);
cleanup:
    free(order);
    free(t);
    free(tsp);
    return rc;
}

/* RAM per cached chunk (the cache's own count) and the 200x60 render,
 * cold from the save in both forms and warm from the cache. */
static int phase_world(Bench *b, Save *ro, Save *ro_sparse, Figures *f, Err *err)
{
    World *w = NULL;
    RenderCell *cells = malloc(sizeof *cells * BENCH_RENDER_W * BENCH_RENDER_H);
    double warm[25];
    int rc = MA_OK;
    if (!cells)
        return err_set(err, MA_ERR_NOMEM, "bench: out of memory");
    for (int form = 0; form < 2; form++) {
        const char *name = form == 0 ? "bench" : "bench-sparse";
        if ((rc = world_open(form == 0 ? ro : ro_sparse, b->reg, name, 0, 0, &w, err)) != MA_OK)
            goto cleanup;
        if ((rc = world_batch_begin(w, err)) != MA_OK)
            goto cleanup;
        double t0 = cpu_s();
        rc = render_slice(w, b->spawn[0], b->spawn[1], b->spawn[2], BENCH_RENDER_W, BENCH_RENDER_H, cells, err);
        double t1 = cpu_s();
        if (rc != MA_OK)
            goto cleanup;
        if (form == 0) {
            f->render_cold = (t1 - t0) * 1e6;
            int nw = (int)(sizeof warm / sizeof warm[0]);
            for (int i = 0; i < nw && rc == MA_OK; i++) {
                t0 = cpu_s();
                rc = render_slice(w, b->spawn[0], b->spawn[1], b->spawn[2], BENCH_RENDER_W, BENCH_RENDER_H, cells, err);
                warm[i] = (cpu_s() - t0) * 1e6;
            }
            if (rc != MA_OK)
                goto cleanup;
            f->render_warm = quantile(warm, (size_t)nw, 0.5);
            /* Fill the cache with stored chunks and ask it what they cost. */
            long long want = (long long)b->ncols * WORLD_CHUNKS_Y;
            if (want > BENCH_RAM_CHUNKS)
                want = BENCH_RAM_CHUNKS;
            for (long long i = 0; i < want; i++) {
                int col = (int)(i / WORLD_CHUNKS_Y);
                if (!world_chunk(w, b->ccx[col], (int32_t)(i % WORLD_CHUNKS_Y), b->ccz[col], err)) {
                    rc = err->code ? err->code : MA_ERR_INVALID;
                    goto cleanup;
                }
            }
            WorldCacheStats st;
            world_cache_stats(w, &st);
            f->ram_chunk = st.chunks ? (double)st.bytes / st.chunks : 0;
        } else {
            f->render_cold_sparse = (t1 - t0) * 1e6;
        }
        Err e2 = {0};
        world_batch_end(w, &e2);
        world_close(w);
        w = NULL;
    }
cleanup:
    if (w) {
        Err e2 = {0};
        world_batch_end(w, &e2);
        world_close(w);
    }
    free(cells);
    return rc;
}

static int count_terrain(int32_t cx, int32_t cy, int32_t cz, const char *block_data, size_t len,
                         const char *structures, int64_t version, void *ud)
{
    (void)cx, (void)cy, (void)cz, (void)len, (void)structures, (void)version;
    /* A uniform chunk is {"palette":["name"]} (with metadata or entities after it). */
    if (strncmp(block_data, "{\"palette\":[\"", 13) != 0 || strstr(block_data, "\"rle\""))
        ++*(long long *)ud;
    return 0;
}

/* `pregen` as the game does it: world_store_area over a square of columns
 * around the spawn on a fresh save; the process's CPU time, so the SQLite
 * work counts, and the wall clock. */
/* The generation rate of chunks that hold terrain by the thread's CPU
 * clock, which a busy machine does not inflate: those chunks generated
 * again in one timed loop, in the order of the build, by a fresh generator
 * into one reused chunk (the build interleaves generating with encoding and
 * storing, and times each chunk on the wall clock). */
static int phase_gen_cpu(Bench *b, Figures *f, Err *err)
{
    Generator *g = NULL;
    int rc = generator_new(b->reg, b->seed, "normal", GENERATOR_VERSION, &g, err);
    if (rc != MA_OK)
        return rc;
    Chunk *c = chunk_new(0, 0, 0, BLOCK_AIR);
    if (!c) {
        generator_free(g);
        return err_set(err, MA_ERR_NOMEM, "bench: out of memory");
    }
    long long n = 0;
    double t0 = cpu_s();
    for (long long k = 0; k < f->chunks; k++) {
        if (f->s[k].uniform)
            continue;
        c->cx = b->ccx[k / WORLD_CHUNKS_Y];
        c->cy = (int32_t)(k % WORLD_CHUNKS_Y);
        c->cz = b->ccz[k / WORLD_CHUNKS_Y];
        generator_fill(g, c);
        n++;
    }
    double t = cpu_s() - t0;
    f->kind[KIND_TERRAIN].gen_cpu_rate = t > 0 ? (double)n / t : 0;
    chunk_free(c);
    generator_free(g);
    return MA_OK;
}

static int phase_pregen(Bench *b, const char *path, Figures *f, Err *err)
{
    Save *s = NULL;
    World *w = NULL;
    int rc = save_open(path, SAVE_CREATE, &s, err);
    if (rc == MA_OK)
        rc = world_create(s, "pregen", b->seed, "normal", NULL, err);
    if (rc == MA_OK)
        rc = world_open(s, b->reg, "pregen", 0, 0, &w, err);
    if (rc != MA_OK)
        goto cleanup;
    int side = 1;
    while ((side + 1) * (side + 1) <= (b->ncols < BENCH_PREGEN_COLUMNS ? b->ncols : BENCH_PREGEN_COLUMNS))
        side++;
    int32_t x0 = chunk_coord(b->spawn[0]) - side / 2, z0 = chunk_coord(b->spawn[2]) - side / 2;
    double c0 = proc_cpu_s(), w0 = now_s();
    rc = world_store_area(w, x0, z0, x0 + side - 1, z0 + side - 1, NULL, NULL, err);
    f->pg_cpu_s = proc_cpu_s() - c0;
    f->pg_wall_s = now_s() - w0;
    if (rc != MA_OK)
        goto cleanup;
    f->pg_side = side;
    f->pg_chunks = (long long)side * side * WORLD_CHUNKS_Y;
    rc = chunks_each(s, world_id(w), count_terrain, &f->pg_terrain, err);
cleanup:
    world_close(w);
    save_close(s);
    struct stat st;
    f->pg_file_bytes = stat(path, &st) == 0 ? (long long)st.st_size : 0;
    return rc;
}

static void uniform_sizes(const BlockRegistry *reg, Figures *f)
{
    int stone = blocks_find(reg, "stone");
    for (int k = 0; k < 2; k++) {
        Chunk *c = chunk_new(0, 0, 0, k == 0 ? BLOCK_AIR : (BlockId)(stone < 0 ? 0 : stone));
        if (!c)
            return;
        size_t a = 0, s = 0;
        char *t1 = chunk_encode(c, reg, &a, NULL), *t2 = chunk_encode_sparse(c, reg, &s, NULL);
        free(t1);
        free(t2);
        chunk_free(c);
        if (k == 0) {
            f->uni_air = a;
            f->uni_air_sparse = s;
        } else {
            f->uni_stone = a;
            f->uni_stone_sparse = s;
        }
    }
}

/* The per-kind figures from the samples. */
static int kind_figures(Figures *f)
{
    size_t n = (size_t)f->chunks;
    double *v = malloc(sizeof *v * (n ? n : 1));
    uint32_t *u = malloc(sizeof *u * (n ? n : 1));
    if (!v || !u) {
        free(v);
        free(u);
        return -1;
    }
    for (int k = 0; k < KIND_COUNT; k++) {
        KindFigures *kf = &f->kind[k];
        size_t m;
#define GATHER(field)                                                                                                  \
    m = 0;                                                                                                             \
    for (size_t i = 0; i < n; i++)                                                                                     \
        if (k == KIND_ALL || (k == KIND_UNIFORM) == (f->s[i].uniform != 0))                                            \
            v[m++] = f->s[i].field;
        double sum = 0, bytes = 0, ram = 0;
        GATHER(gen_us);
        for (size_t i = 0; i < m; i++)
            sum += v[i];
        kf->n = (long long)m;
        kf->gen_rate = sum > 0 ? (double)m / (sum / 1e6) : 0;
        kf->gen_med = quantile(v, m, 0.5);
        GATHER(enc_us);
        kf->enc_med = quantile(v, m, 0.5);
        kf->enc_p99 = quantile(v, m, 0.99);
        GATHER(load_us);
        kf->load_med = quantile(v, m, 0.5);
        kf->load_p99 = quantile(v, m, 0.99);
        GATHER(read_us);
        kf->read_med = quantile(v, m, 0.5);
        m = 0;
        for (size_t i = 0; i < n; i++)
            if (k == KIND_ALL || (k == KIND_UNIFORM) == (f->s[i].uniform != 0))
                v[m++] = f->s[i].load_us - f->s[i].read_us;
        kf->decode_med = quantile(v, m, 0.5);
        GATHER(ram);
        for (size_t i = 0; i < m; i++)
            ram += v[i];
        kf->ram_avg = m ? ram / (double)m : 0;
        m = 0;
        for (size_t i = 0; i < n; i++)
            if (k == KIND_ALL || (k == KIND_UNIFORM) == (f->s[i].uniform != 0)) {
                u[m++] = f->s[i].bytes;
                bytes += f->s[i].bytes;
            }
        kf->bytes_avg = m ? bytes / (double)m : 0;
        kf->bytes_p90 = quantile_u32(u, m, 0.9);
#undef GATHER
    }
    free(v);
    free(u);
    return 0;
}

static void print_figures(const Bench *b, Figures *f)
{
    char o[64], s[64], x[32], y[32];
    const KindFigures *all = &f->kind[KIND_ALL], *uni = &f->kind[KIND_UNIFORM], *ter = &f->kind[KIND_TERRAIN];
    double ns = (double)f->sample_chunks;
    printf("\nBy kind of chunk: uniform chunks are all one block (all air above the terrain, which stays below\n"
           "y ~ 96); non-uniform chunks hold terrain. Targets are for non-uniform chunks (issue 15).\n");
    printf("%-36s %-12s %-12s %-12s %s\n", "figure", "all", "uniform", "non-uniform", "target (non-uniform)");
#define KROW(label, fmt, field, target)                                                                                \
    printf("%-36s " fmt " " fmt " " fmt " %s\n", label, all->field, uni->field, ter->field, target)
    printf("%-36s %-12lld %-12lld %-12lld\n", "chunks", all->n, uni->n, ter->n);
    printf("%-36s %-12s %-12s %-12.0f %s\n", "generated per CPU-second, alone", "", "", ter->gen_cpu_rate,
           ">= 50,000/s");
    KROW("generated per second, in the build", "%-12.0f", gen_rate, "");
    KROW("generate, median (us)", "%-12.1f", gen_med, "");
    KROW("encode, median (us)", "%-12.1f", enc_med, "<= 10 us");
    KROW("encode, p99 (us)", "%-12.1f", enc_p99, "");
    KROW("load+decode, median (us)", "%-12.1f", load_med, "<= 5 us");
    KROW("load+decode, p99 (us)", "%-12.1f", load_p99, "");
    KROW("  of which the read, median (us)", "%-12.1f", read_med, "");
    KROW("  of which decoding, median (us)", "%-12.1f", decode_med, "");
    KROW("bytes per stored chunk, average", "%-12.1f", bytes_avg, "<= 180 B");
    KROW("bytes per stored chunk, p90", "%-12.0f", bytes_p90, "");
    KROW("RAM per loaded chunk (B)", "%-12.0f", ram_avg, "");
#undef KROW
    printf("%-36s %-12.0f %-12s %-12.0f %s\n", "pregen: chunks per CPU-second",
           f->pg_cpu_s > 0 ? (double)f->pg_chunks / f->pg_cpu_s : 0, "",
           f->pg_cpu_s > 0 ? (double)f->pg_terrain / f->pg_cpu_s : 0, ">= 20,000/s");
    printf("pregen: world_store_area over %dx%d columns (%lld chunks, %lld non-uniform) on a fresh save:\n"
           "%.2f s of process CPU, %.2f s wall; save file %s B per chunk.\n",
           f->pg_side, f->pg_side, f->pg_chunks, f->pg_terrain, f->pg_cpu_s, f->pg_wall_s,
           thousands(f->pg_chunks ? (double)f->pg_file_bytes / (double)f->pg_chunks : 0, x, sizeof x));

    printf("\nAll chunks together, beside the design's plain sparse JSON (measured on the sample below):\n");
    printf("%-34s %-14s %-14s %-9s %-14s %s\n", "figure", "ours", "sparse JSON", "ratio", "target",
           "Luanti 5.6.1 (issue 3)");
    snprintf(o, sizeof o, "%s/s", thousands(all->gen_rate, x, sizeof x));
    row("chunks generated per second", o, "(same)", 0, ">= 20,000/s", "~1,830/s (mapgen, 1 thread)");
    double enc_all = 0, gen_all = 0;
    for (long long i = 0; i < f->chunks; i++) {
        enc_all += f->s[i].enc_us / 1e6;
        gen_all += f->s[i].gen_us / 1e6;
    }
    snprintf(o, sizeof o, "%s/s", thousands((double)f->chunks / (gen_all + enc_all), x, sizeof x));
    snprintf(s, sizeof s, "%s/s", thousands(ns / (f->s_gen_s + f->s_sparse_enc_s), y, sizeof y));
    row("  generated + encoded per second", o, s, (f->s_gen_s + f->s_sparse_enc_s) / (f->s_gen_s + f->s_enc_s), "", "");
    snprintf(o, sizeof o, "%s/s", thousands((double)f->chunks / (enc_all + f->store_s), x, sizeof x));
    snprintf(s, sizeof s, "%s/s", thousands(ns / (f->s_sparse_enc_s + f->s_sparse_store_s), y, sizeof y));
    row("chunks stored per second (batched)", o, s,
        (f->s_sparse_enc_s + f->s_sparse_store_s) / (f->s_enc_s + f->s_store_s), "", "3-4 us a row batched");
    snprintf(o, sizeof o, "%.1f us", all->load_med);
    snprintf(s, sizeof s, "%.1f us", f->s_sparse_load_med);
    row("load+decode median", o, s, f->s_load_med > 0 ? f->s_sparse_load_med / f->s_load_med : 0, "< 20 us",
        "2-9.5 us lookup + 8.5 us decode");
    snprintf(o, sizeof o, "%.1f us", all->load_p99);
    snprintf(s, sizeof s, "%.1f us", f->s_sparse_load_p99);
    row("load+decode p99", o, s, 0, "", "70-110 us end to end");
    snprintf(o, sizeof o, "%.0f B", all->bytes_avg);
    snprintf(s, sizeof s, "%.0f B", ns ? f->s_sparse_bytes / ns : 0);
    row("bytes per chunk, average", o, s, f->s_bytes > 0 ? f->s_sparse_bytes / f->s_bytes : 0, "<= 250 B",
        "493 B (+~25% SQLite)");
    snprintf(o, sizeof o, "%.0f B", all->bytes_p90);
    row("bytes per chunk, p90", o, "", 0, "", "");
    snprintf(o, sizeof o, "%zu B", f->uni_air);
    snprintf(s, sizeof s, "%zu B", f->uni_air_sparse);
    row("bytes per chunk, all-air", o, s, f->uni_air ? (double)f->uni_air_sparse / (double)f->uni_air : 0, "< 40 B",
        "a few bytes");
    snprintf(o, sizeof o, "%zu B", f->uni_stone);
    snprintf(s, sizeof s, "%zu B", f->uni_stone_sparse);
    row("bytes per chunk, all-stone", o, s, f->uni_stone ? (double)f->uni_stone_sparse / (double)f->uni_stone : 0,
        "< 40 B", "a few bytes");
    snprintf(o, sizeof o, "%s B", thousands((double)f->file_bytes / (double)f->chunks, x, sizeof x));
    snprintf(s, sizeof s, "%s B", thousands((double)f->sparse_file_bytes / (double)f->sparse_stored, y, sizeof y));
    row("save file bytes per chunk", o, s, 0, "", "~616 B (493 + 25%)");
    snprintf(o, sizeof o, "%s B", thousands(f->ram_chunk, x, sizeof x));
    snprintf(s, sizeof s, "%s B", thousands(f->s_ram_sparse, y, sizeof y));
    row("RAM per cached chunk", o, s, f->s_ram_ours > 0 ? f->s_ram_sparse / f->s_ram_ours : 0, "< 8 KiB", "16 KiB");
    snprintf(o, sizeof o, "%.0f us", f->render_warm);
    row("render 200x60 slice (cached)", o, "(same)", 0, "< 1 ms", "-");
    snprintf(o, sizeof o, "%.0f us", f->render_cold);
    snprintf(s, sizeof s, "%.0f us", f->render_cold_sparse);
    row("render 200x60 slice (from save)", o, s, f->render_cold > 0 ? f->render_cold_sparse / f->render_cold : 0,
        "", "-");
    printf("\nours: all %lld chunks; sparse JSON: the same seed's first %d columns (%lld chunks), ratio = how many\n"
           "times worse the sparse form is on those same chunks (ours on them: %.0f B, %.1f us load+decode,\n"
           "%.0f B of RAM). All-air/all-stone: one uniform chunk encoded each way; among the generated chunks\n"
           "%lld were all air (avg %.0f B) and %lld all stone (avg %.0f B). RAM per cached chunk: the cache's own\n"
           "count of %d loaded chunks (entry and hash table included); RAM per loaded chunk: the chunk alone.\n"
           "Render: at the spawn %d,%d,%d (thread CPU time).\n",
           f->chunks, b->sample_cols, f->sample_chunks, ns ? f->s_bytes / ns : 0, f->s_load_med, f->s_ram_ours,
           f->air_n, f->air_n ? f->air_sum / (double)f->air_n : 0, f->stone_n,
           f->stone_n ? f->stone_sum / (double)f->stone_n : 0,
           (int)((long long)b->ncols * WORLD_CHUNKS_Y < BENCH_RAM_CHUNKS ? (long long)b->ncols * WORLD_CHUNKS_Y
                                                                          : BENCH_RAM_CHUNKS),
           b->spawn[0], b->spawn[1], b->spawn[2]);
}

/* The same figures as one JSON object, for comparing runs. */
static void print_json(const Bench *b, const Figures *f)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return;
    cJSON_AddStringToObject(root, "bench", "world");
    cJSON_AddNumberToObject(root, "seed", (double)b->seed);
    cJSON_AddNumberToObject(root, "chunks", (double)f->chunks);
    cJSON_AddNumberToObject(root, "generator_version", GENERATOR_VERSION);
    cJSON_AddStringToObject(root, "load_average", f->load);
    cJSON *kinds = cJSON_AddObjectToObject(root, "by_kind");
    for (int k = 0; k < KIND_COUNT && kinds; k++) {
        const KindFigures *kf = &f->kind[k];
        cJSON *o = cJSON_AddObjectToObject(kinds, kind_names[k]);
        cJSON_AddNumberToObject(o, "chunks", (double)kf->n);
        cJSON_AddNumberToObject(o, "generated_per_second", kf->gen_rate);
        if (k == KIND_TERRAIN)
            cJSON_AddNumberToObject(o, "generated_per_cpu_second_alone", kf->gen_cpu_rate);
        cJSON_AddNumberToObject(o, "generate_median_us", kf->gen_med);
        cJSON_AddNumberToObject(o, "encode_median_us", kf->enc_med);
        cJSON_AddNumberToObject(o, "encode_p99_us", kf->enc_p99);
        cJSON_AddNumberToObject(o, "load_decode_median_us", kf->load_med);
        cJSON_AddNumberToObject(o, "load_decode_p99_us", kf->load_p99);
        cJSON_AddNumberToObject(o, "read_median_us", kf->read_med);
        cJSON_AddNumberToObject(o, "decode_median_us", kf->decode_med);
        cJSON_AddNumberToObject(o, "bytes_average", kf->bytes_avg);
        cJSON_AddNumberToObject(o, "bytes_p90", kf->bytes_p90);
        cJSON_AddNumberToObject(o, "ram_per_loaded_chunk", kf->ram_avg);
    }
    cJSON *pg = cJSON_AddObjectToObject(root, "pregen");
    cJSON_AddNumberToObject(pg, "columns", (double)f->pg_side * f->pg_side);
    cJSON_AddNumberToObject(pg, "chunks", (double)f->pg_chunks);
    cJSON_AddNumberToObject(pg, "non_uniform_chunks", (double)f->pg_terrain);
    cJSON_AddNumberToObject(pg, "cpu_s", f->pg_cpu_s);
    cJSON_AddNumberToObject(pg, "wall_s", f->pg_wall_s);
    cJSON_AddNumberToObject(pg, "chunks_per_cpu_second", f->pg_cpu_s > 0 ? (double)f->pg_chunks / f->pg_cpu_s : 0);
    cJSON_AddNumberToObject(pg, "non_uniform_per_cpu_second",
                            f->pg_cpu_s > 0 ? (double)f->pg_terrain / f->pg_cpu_s : 0);
    cJSON_AddNumberToObject(pg, "file_bytes_per_chunk",
                            f->pg_chunks ? (double)f->pg_file_bytes / (double)f->pg_chunks : 0);
    cJSON *o = cJSON_AddObjectToObject(root, "all");
    double ns = (double)f->sample_chunks;
    cJSON_AddNumberToObject(o, "stored_per_second_batched", 0);
    double enc_all = 0;
    for (long long i = 0; i < f->chunks; i++)
        enc_all += f->s[i].enc_us / 1e6;
    cJSON_ReplaceItemInObject(o, "stored_per_second_batched",
                              cJSON_CreateNumber((double)f->chunks / (enc_all + f->store_s)));
    cJSON_AddNumberToObject(o, "bytes_all_air", (double)f->uni_air);
    cJSON_AddNumberToObject(o, "bytes_all_stone", (double)f->uni_stone);
    cJSON_AddNumberToObject(o, "save_file_bytes_per_chunk", (double)f->file_bytes / (double)f->chunks);
    cJSON_AddNumberToObject(o, "ram_per_cached_chunk", f->ram_chunk);
    cJSON_AddNumberToObject(o, "render_cached_us", f->render_warm);
    cJSON_AddNumberToObject(o, "render_from_save_us", f->render_cold);
    cJSON *sp = cJSON_AddObjectToObject(root, "sparse_sample");
    cJSON_AddNumberToObject(sp, "chunks", ns);
    cJSON_AddNumberToObject(sp, "ours_bytes_average", ns ? f->s_bytes / ns : 0);
    cJSON_AddNumberToObject(sp, "sparse_bytes_average", ns ? f->s_sparse_bytes / ns : 0);
    cJSON_AddNumberToObject(sp, "ours_load_decode_median_us", f->s_load_med);
    cJSON_AddNumberToObject(sp, "sparse_load_decode_median_us", f->s_sparse_load_med);
    cJSON_AddNumberToObject(sp, "sparse_ram_per_chunk", f->s_ram_sparse);
    cJSON_AddNumberToObject(sp, "render_from_save_us", f->render_cold_sparse);
    char *text = cJSON_Print(root);
    if (text)
        printf("%s\n", text);
    cJSON_free(text);
    cJSON_Delete(root);
}

static int bench_world(CliCtx *ctx, long long seed, long long nchunks, int json)
{
    Err err = {0};
    int rc = MA_OK;
    BlockRegistry *reg = NULL;
    Save *ro = NULL;
    Bench b = {0};
    Figures f = {0};
    Save *ro_sparse = NULL;
    char dir[4096], path[4200], spath[4200], ppath[4200];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/ma-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        fprintf(stderr, "magic-adventure: bench: cannot make a temporary directory under %s\n",
                tmp && *tmp ? tmp : "/tmp");
        return CLI_FAIL;
    }
    snprintf(path, sizeof path, "%s/bench.db", dir);
    snprintf(spath, sizeof spath, "%s/bench-sparse.db", dir);
    snprintf(ppath, sizeof ppath, "%s/pregen.db", dir);
    FILE *la = fopen("/proc/loadavg", "r");
    if (!la || !fgets(f.load, sizeof f.load, la))
        snprintf(f.load, sizeof f.load, "unknown");
    if (la)
        fclose(la);
    f.load[strcspn(f.load, "\n")] = '\0';

    b.seed = (uint64_t)seed;
    b.ncols = (int)((nchunks + WORLD_CHUNKS_Y - 1) / WORLD_CHUNKS_Y);
    b.sample_cols = b.ncols < BENCH_SAMPLE_COLUMNS ? b.ncols : BENCH_SAMPLE_COLUMNS;
    b.ccx = malloc(sizeof(int32_t) * (size_t)b.ncols);
    b.ccz = malloc(sizeof(int32_t) * (size_t)b.ncols);
    f.s = calloc((size_t)b.ncols * WORLD_CHUNKS_Y, sizeof *f.s);
    if (!b.ccx || !b.ccz || !f.s) {
        rc = err_set(&err, MA_ERR_NOMEM, "bench: out of memory");
        goto cleanup;
    }
    if ((rc = blocks_load_default(&reg, &err)) != MA_OK)
        goto cleanup;
    b.reg = reg;
    if ((rc = save_open(path, SAVE_CREATE, &b.save, &err)) != MA_OK ||
        (rc = save_open(spath, SAVE_CREATE, &b.sparse_save, &err)) != MA_OK)
        goto cleanup;
    if ((rc = world_create(b.save, "bench", b.seed, "normal", &b.world_id, &err)) != MA_OK ||
        (rc = world_create(b.sparse_save, "bench-sparse", b.seed, "normal", &b.sparse_id, &err)) != MA_OK)
        goto cleanup;
    if ((rc = generator_new(reg, b.seed, "normal", GENERATOR_VERSION, &b.gen, &err)) != MA_OK)
        goto cleanup;
    generator_spawn_point(b.gen, &b.spawn[0], &b.spawn[1], &b.spawn[2]);
    b.rx0 = chunk_coord(b.spawn[0] - BENCH_RENDER_W / 2);
    b.rx1 = chunk_coord(b.spawn[0] - BENCH_RENDER_W / 2 + BENCH_RENDER_W - 1);
    b.rz0 = chunk_coord(b.spawn[2] - BENCH_RENDER_H / 2);
    b.rz1 = chunk_coord(b.spawn[2] - BENCH_RENDER_H / 2 + BENCH_RENDER_H - 1);
    b.rcy0 = chunk_coord(b.spawn[1] - RENDER_LOOK_DOWN);
    b.rcy1 = chunk_coord(b.spawn[1]);
    plan_columns(&b);
    if (!json) {
        printf("bench world: seed %lld, type normal, %lld chunks (%d columns of %d), generator version %d\n", seed,
               (long long)b.ncols * WORLD_CHUNKS_Y, b.ncols, WORLD_CHUNKS_Y, GENERATOR_VERSION);
        printf("saves: %s, %s (the sparse form) and %s (pregen), removed afterwards;\n"
               "one thread; load average at the start: %s\n",
               path, spath, ppath, f.load);
        fflush(stdout);
    }

    if ((rc = phase_build(&b, &f, &err)) != MA_OK)
        goto cleanup;
    generator_free(b.gen);
    b.gen = NULL;
    int64_t chars = 0;
    if ((rc = worlds_counts(b.sparse_save, b.sparse_id, &f.sparse_stored, &chars, &err)) != MA_OK)
        goto cleanup;
    save_close(b.save); /* checkpoints the WAL: the file is all there is */
    b.save = NULL;
    save_close(b.sparse_save);
    b.sparse_save = NULL;
    struct stat st;
    f.file_bytes = stat(path, &st) == 0 ? (long long)st.st_size : 0;
    f.sparse_file_bytes = stat(spath, &st) == 0 ? (long long)st.st_size : 0;
    if ((rc = save_open(path, SAVE_READONLY, &ro, &err)) != MA_OK ||
        (rc = save_open(spath, SAVE_READONLY, &ro_sparse, &err)) != MA_OK)
        goto cleanup;
    if ((rc = phase_load(&b, ro, ro_sparse, &f, &err)) != MA_OK)
        goto cleanup;
    if ((rc = phase_world(&b, ro, ro_sparse, &f, &err)) != MA_OK)
        goto cleanup;
    if ((rc = phase_gen_cpu(&b, &f, &err)) != MA_OK || (rc = phase_pregen(&b, ppath, &f, &err)) != MA_OK)
        goto cleanup;
    uniform_sizes(reg, &f);
    if (kind_figures(&f) != 0) {
        rc = err_set(&err, MA_ERR_NOMEM, "bench: out of memory");
        goto cleanup;
    }
    if (json)
        print_json(&b, &f);
    else
        print_figures(&b, &f);
cleanup:
    if (b.gen)
        generator_free(b.gen);
    if (b.save)
        save_close(b.save);
    if (b.sparse_save)
        save_close(b.sparse_save);
    if (ro)
        save_close(ro);
    if (ro_sparse)
        save_close(ro_sparse);
    if (reg)
        blocks_free(reg);
    free(b.ccx);
    free(b.ccz);
    free(f.s);
    remove_tree(dir);
    if (rc != MA_OK)
        return cli_fail(&err);
    (void)ctx;
    return CLI_OK;
}

static int bench_world_cmd(CliCtx *ctx)
{
    long long seed = 20261127, chunks = 100000;
    if (cli_opt_int(ctx, "seed", LLONG_MIN, LLONG_MAX, &seed) == CLI_USAGE ||
        cli_opt_int(ctx, "chunks", 256, 2000000, &chunks) == CLI_USAGE)
        return CLI_USAGE;
    return bench_world(ctx, seed, chunks, cli_flag(ctx, "json") > 0);
}

static int bench_client_cmd(CliCtx *ctx)
{
    long long chunks = 10000;
    if (cli_opt_int(ctx, "chunks", 16, 2000000, &chunks) == CLI_USAGE)
        return CLI_USAGE;
    return bench_client(ctx, cli_flag(ctx, "json") > 0, chunks);
}

static int bench_codec_model_cmd(CliCtx *ctx)
{
    const char *out = cli_opt(ctx, "out");
    if (!out)
        return cli_usage_error(ctx, "needs --out FILE");
    return bench_codec_model(ctx, out, 1500, cli_flag(ctx, "c2") > 0);
}

static const CliCommand bench_subs[] = {
    {"world", "[--seed N] [--chunks N] [--json]",
     "the world: generation, storage, loading, size, memory, rendering", bench_world_cmd, 0,
     {{"seed", 'S', "N", "the world's seed (20261127)"},
      {"chunks", 'n', "N", "chunks to store (256 to 2000000; 100000)"},
      {"json", 'j', NULL, "the figures as JSON"}},
     NULL},
    {"client", "[--chunks N] [--json]", "the client: launch, redraw, memory, idle CPU", bench_client_cmd, 0,
     {{"chunks", 0, "N", "chunks in the save (16 to 2000000; 10000)"}, {"json", 0, NULL, "the figures as JSON"}},
     NULL},
    {"agents", "", "a game year of the six agents on 10,000 stored chunks", bench_agents, 0, {{0}}, NULL},
    {"codec-model", "[--c2] --out FILE", "train the chunk model on generated terrain and write it to FILE",
     bench_codec_model_cmd, 0,
     {{"out", 0, "FILE", "where to write it"}, {"c2", 0, NULL, "the model of the \"c2\" form (veins apart)"}}, NULL},
    {NULL, NULL, NULL, NULL, 0, {{0}}, NULL},
};
const CliCommand cli_cmd_bench = {
    "bench", NULL,
    "measure the world (generation, storage, loading, size, memory, rendering) or the client (launch, redraw, "
    "memory, idle CPU)",
    NULL, 0, {{0}}, bench_subs,
};
