/* cli_bench.c — `bench world`: how fast and how small the world is.
 *
 * Builds a throw-away save in a temporary directory from a fixed seed and
 * measures, on one core: generation, encoding and batched storing; loading
 * and decoding stored chunks at random from a save of --chunks chunks
 * (100,000 by default) inside one read transaction; bytes per stored chunk;
 * RAM per cached chunk; rendering a 200x60 slice. Each figure stands next to
 * the target from the design issue and Luanti 5.6.1's measured figure, and
 * is compared with the design's plain sparse JSON (chunk_encode_sparse) on
 * the same chunks in the same process. It prints; it never fails on time. */
#include "cli.h"

#include <dirent.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
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
#include "world/chunk_model.h"
#include "world/generator.h"
#include "world/render.h"
#include "world/world.h"

#define BENCH_RENDER_W 200
#define BENCH_RENDER_H 60
#define BENCH_BATCH_COLUMNS 64
#define BENCH_SAMPLE_COLUMNS 16 /* full columns encoded both ways for the comparison */
#define BENCH_LOOKUPS 20000
#define BENCH_RAM_CHUNKS 4096

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

/* Everything the phases measure. */
typedef struct Figures {
    double gen_s, enc_s, store_s;                 /* all chunks, ours */
    double s_gen_s, s_enc_s, s_store_s, s_sparse_enc_s, s_sparse_store_s; /* the sample */
    long long chunks, sample_chunks;
    uint32_t *sizes;                              /* ours, every chunk */
    double s_bytes, s_sparse_bytes;               /* sums over the sample */
    double air_sum, stone_sum;
    long long air_n, stone_n;
    double load_med, load_p99, s_load_med, s_load_p99, s_sparse_load_med, s_sparse_load_p99;
    double ram_chunk, s_ram_ours, s_ram_sparse;
    double render_warm, render_cold, render_cold_sparse;
    size_t uni_air, uni_air_sparse, uni_stone, uni_stone_sparse;
    long long file_bytes, sparse_file_bytes;
    int64_t sparse_stored;
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
                double t0 = cpu_s();
                generator_fill(b->gen, c);
                double t1 = cpu_s();
                size_t len = 0;
                char *text = chunk_encode(c, b->reg, &len, err);
                char *structs = cJSON_PrintUnformatted(c->structures);
                double t2 = cpu_s();
                if (!text || !structs) {
                    free(text);
                    cJSON_free(structs);
                    chunk_free(c);
                    rc = text ? err_set(err, MA_ERR_NOMEM, "bench: out of memory") : err->code;
                    goto cleanup;
                }
                f->gen_s += t1 - t0;
                f->enc_s += t2 - t1;
                f->sizes[f->chunks++] = (uint32_t)len;
                if (chunk_is_uniform(c)) {
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
                    double t3 = cpu_s();
                    char *stext = chunk_encode_sparse(c, b->reg, &slen, err);
                    char *sstructs = cJSON_PrintUnformatted(c->structures);
                    double t4 = cpu_s();
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

/* Load + decode: random stored chunks of ours, then the sample both ways. */
static int phase_load(Bench *b, Save *ro, Save *ro_sparse, Figures *f, Err *err)
{
    int n = BENCH_LOOKUPS;
    int ns = b->sample_cols * WORLD_CHUNKS_Y;
    double *t = malloc(sizeof(double) * (size_t)(n > ns ? n : ns));
    double *tsp = malloc(sizeof(double) * (size_t)ns);
    if (!t || !tsp) {
        free(t);
        free(tsp);
        return err_set(err, MA_ERR_NOMEM, "bench: out of memory");
    }
    int rc = save_begin(ro, err);
    if (rc != MA_OK)
        goto cleanup;
    if ((rc = save_begin(ro_sparse, err)) != MA_OK) {
        save_rollback(ro);
        goto cleanup;
    }
    Prng p;
    prng_seed(&p, b->seed ^ 0x10AD);
    size_t sparse_tree = 0, ours_ram = 0;
    for (int pass = 0; pass < 3 && rc == MA_OK; pass++) {
        int count = pass == 0 ? n : ns;
        for (int i = 0; i < count; i++) {
            int col = pass == 0 ? (int)prng_below(&p, (uint32_t)b->ncols) : i / WORLD_CHUNKS_Y;
            int32_t cy = pass == 0 ? (int32_t)prng_below(&p, WORLD_CHUNKS_Y) : i % WORLD_CHUNKS_Y;
            int64_t wid = pass == 2 ? b->sparse_id : b->world_id;
            ChunkRow r = {0};
            Chunk *c = NULL;
            double t0 = now_s();
            rc = chunks_get(pass == 2 ? ro_sparse : ro, wid, b->ccx[col], cy, b->ccz[col], &r, err);
            if (rc == MA_OK)
                rc = chunk_decode(r.block_data, r.block_len, r.structures, b->reg, b->ccx[col], cy, b->ccz[col], &c,
                                  err);
            double t1 = now_s();
            if (rc == MA_OK) {
                (pass == 2 ? tsp : t)[i] = (t1 - t0) * 1e6;
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
        if (pass == 0) {
            f->load_med = quantile(t, (size_t)n, 0.5);
            f->load_p99 = quantile(t, (size_t)n, 0.99);
        } else if (pass == 1) {
            f->s_load_med = quantile(t, (size_t)ns, 0.5);
            f->s_load_p99 = quantile(t, (size_t)ns, 0.99);
        } else {
            f->s_sparse_load_med = quantile(tsp, (size_t)ns, 0.5);
            f->s_sparse_load_p99 = quantile(tsp, (size_t)ns, 0.99);
        }
    }
    f->s_ram_ours = ns ? (double)ours_ram / ns : 0;
    f->s_ram_sparse = ns ? (double)sparse_tree / ns : 0;
    save_rollback(ro); /* read transactions: nothing to keep */
    save_rollback(ro_sparse);
cleanup:
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

static void print_figures(const Bench *b, Figures *f)
{
    char o[64], s[64], x[32], y[32];
    double n = (double)f->chunks, ns = (double)f->sample_chunks;
    printf("\n%-34s %-14s %-14s %-9s %-14s %s\n", "figure", "ours", "sparse JSON", "ratio", "target",
           "Luanti 5.6.1 (issue 3)");
    snprintf(o, sizeof o, "%s/s", thousands(n / f->gen_s, x, sizeof x));
    row("chunks generated per second", o, "(same)", 0, ">= 20,000/s", "~1,830/s (mapgen, 1 thread)");
    snprintf(o, sizeof o, "%s/s", thousands(n / (f->gen_s + f->enc_s), x, sizeof x));
    snprintf(s, sizeof s, "%s/s", thousands(ns / (f->s_gen_s + f->s_sparse_enc_s), y, sizeof y));
    row("  generated + encoded per second", o, s, (f->s_gen_s + f->s_sparse_enc_s) / (f->s_gen_s + f->s_enc_s), "", "");
    snprintf(o, sizeof o, "%s/s", thousands(n / (f->enc_s + f->store_s), x, sizeof x));
    snprintf(s, sizeof s, "%s/s", thousands(ns / (f->s_sparse_enc_s + f->s_sparse_store_s), y, sizeof y));
    row("chunks stored per second (batched)", o, s,
        (f->s_sparse_enc_s + f->s_sparse_store_s) / (f->s_enc_s + f->s_store_s), "", "3-4 us a row batched");
    snprintf(o, sizeof o, "%.1f us", f->load_med);
    snprintf(s, sizeof s, "%.1f us", f->s_sparse_load_med);
    row("load+decode median", o, s, f->s_load_med > 0 ? f->s_sparse_load_med / f->s_load_med : 0, "< 20 us",
        "2-9.5 us lookup + 8.5 us decode");
    snprintf(o, sizeof o, "%.1f us", f->load_p99);
    snprintf(s, sizeof s, "%.1f us", f->s_sparse_load_p99);
    row("load+decode p99", o, s, f->s_load_p99 > 0 ? f->s_sparse_load_p99 / f->s_load_p99 : 0, "",
        "70-110 us end to end");
    double avg = 0;
    for (long long i = 0; i < f->chunks; i++)
        avg += f->sizes[i];
    avg = f->chunks ? avg / n : 0;
    snprintf(o, sizeof o, "%.0f B", avg);
    snprintf(s, sizeof s, "%.0f B", ns ? f->s_sparse_bytes / ns : 0);
    row("bytes per chunk, average", o, s, f->s_bytes > 0 ? f->s_sparse_bytes / f->s_bytes : 0, "<= 250 B",
        "493 B (+~25% SQLite)");
    snprintf(o, sizeof o, "%u B", quantile_u32(f->sizes, (size_t)f->chunks, 0.9));
    row("bytes per chunk, p90", o, "", 0, "", "");
    snprintf(o, sizeof o, "%zu B", f->uni_air);
    snprintf(s, sizeof s, "%zu B", f->uni_air_sparse);
    row("bytes per chunk, all-air", o, s, f->uni_air ? (double)f->uni_air_sparse / (double)f->uni_air : 0, "< 40 B",
        "a few bytes");
    snprintf(o, sizeof o, "%zu B", f->uni_stone);
    snprintf(s, sizeof s, "%zu B", f->uni_stone_sparse);
    row("bytes per chunk, all-stone", o, s, f->uni_stone ? (double)f->uni_stone_sparse / (double)f->uni_stone : 0,
        "< 40 B", "a few bytes");
    snprintf(o, sizeof o, "%s B", thousands((double)f->file_bytes / n, x, sizeof x));
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
           "%lld were all air (avg %.0f B) and %lld all stone (avg %.0f B). RAM: the cache's own count of\n"
           "%d loaded chunks; sparse: its cJSON tree. Render: at the spawn %d,%d,%d.\n",
           f->chunks, b->sample_cols, f->sample_chunks, ns ? f->s_bytes / ns : 0, f->s_load_med, f->s_ram_ours,
           f->air_n, f->air_n ? f->air_sum / (double)f->air_n : 0, f->stone_n,
           f->stone_n ? f->stone_sum / (double)f->stone_n : 0,
           (int)((long long)b->ncols * WORLD_CHUNKS_Y < BENCH_RAM_CHUNKS ? (long long)b->ncols * WORLD_CHUNKS_Y
                                                                          : BENCH_RAM_CHUNKS),
           b->spawn[0], b->spawn[1], b->spawn[2]);
}

static int bench_world(CliCtx *ctx, long long seed, long long nchunks)
{
    Err err = {0};
    int rc = MA_OK;
    BlockRegistry *reg = NULL;
    Save *ro = NULL;
    Bench b = {0};
    Figures f = {0};
    Save *ro_sparse = NULL;
    char dir[4096], path[4200], spath[4200];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/ma-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        fprintf(stderr, "magic-adventure: bench: cannot make a temporary directory under %s\n",
                tmp && *tmp ? tmp : "/tmp");
        return CLI_FAIL;
    }
    snprintf(path, sizeof path, "%s/bench.db", dir);
    snprintf(spath, sizeof spath, "%s/bench-sparse.db", dir);

    b.seed = (uint64_t)seed;
    b.ncols = (int)((nchunks + WORLD_CHUNKS_Y - 1) / WORLD_CHUNKS_Y);
    b.sample_cols = b.ncols < BENCH_SAMPLE_COLUMNS ? b.ncols : BENCH_SAMPLE_COLUMNS;
    b.ccx = malloc(sizeof(int32_t) * (size_t)b.ncols);
    b.ccz = malloc(sizeof(int32_t) * (size_t)b.ncols);
    f.sizes = malloc(sizeof(uint32_t) * (size_t)b.ncols * WORLD_CHUNKS_Y);
    if (!b.ccx || !b.ccz || !f.sizes) {
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
    printf("bench world: seed %lld, type normal, %lld chunks (%d columns of %d), generator version %d\n", seed,
           (long long)b.ncols * WORLD_CHUNKS_Y, b.ncols, WORLD_CHUNKS_Y, GENERATOR_VERSION);
    printf("saves: %s and, for the sparse form, %s (removed afterwards); one thread;\n"
           "times are the thread's CPU time, except storing and loading (wall clock)\n", path,
           spath);
    fflush(stdout);

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
    uniform_sizes(reg, &f);
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
    free(f.sizes);
    remove_tree(dir);
    if (rc != MA_OK)
        return cli_fail(&err);
    (void)ctx;
    return CLI_OK;
}

/* `bench codec-model --out FILE`: trains the "c1" cell model on the chunks
 * that hold terrain around the spawn of seeds other than the benchmark's
 * (so the benchmark measures chunks the model never saw). A model, once
 * shipped, is never replaced: this is how data/chunk_model.json was made. */
static int bench_codec_model(CliCtx *ctx, const char *out, long long columns)
{
    Err err = {0};
    BlockRegistry *reg = NULL;
    ChunkModelCounts *k = chunk_model_counts_new();
    int rc = k ? blocks_load_default(&reg, &err) : err_set(&err, MA_ERR_NOMEM, "bench: out of memory");
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
                            chunk_model_counts_add(k, c->blocks);
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
            FILE *f = text ? fopen(out, "w") : NULL;
            if (!f || fputs(text, f) < 0 || fputc('\n', f) < 0 || fclose(f) != 0)
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

int cmd_bench(CliCtx *ctx)
{
    if (ctx->argc == 2 && strcmp(ctx->argv[1], "client") == 0)
        return bench_client(ctx);
    if (ctx->argc == 4 && strcmp(ctx->argv[1], "codec-model") == 0 && strcmp(ctx->argv[2], "--out") == 0)
        return bench_codec_model(ctx, ctx->argv[3], 1500);
    if (ctx->argc < 2 || strcmp(ctx->argv[1], "world") != 0)
        return cli_usage_error(ctx, "expects what to measure: world [--seed N] [--chunks N], or client");
    static const struct option opts[] = {
        {"seed", required_argument, NULL, 'S'},
        {"chunks", required_argument, NULL, 'n'},
        {NULL, 0, NULL, 0},
    };
    long long seed = 20261127, chunks = 100000;
    int argc = ctx->argc - 1;
    char **argv = ctx->argv + 1;
    int c;
    opterr = 0;
    optind = 0;
    while ((c = getopt_long(argc, argv, ":S:n:", opts, NULL)) != -1) {
        switch (c) {
        case 'S':
            if (cli_parse_i64(optarg, &seed))
                return cli_usage_error(ctx, "--seed takes a whole number, not '%s'", optarg);
            break;
        case 'n':
            if (cli_parse_i64(optarg, &chunks) || chunks < 256 || chunks > 2000000)
                return cli_usage_error(ctx, "--chunks takes a whole number from 256 to 2000000, not '%s'", optarg);
            break;
        default:
            if (c == ':')
                return cli_usage_error(ctx, "%s needs a value", argv[optind - 1]);
            return cli_usage_error(ctx, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc)
        return cli_usage_error(ctx, "unexpected argument '%s'", argv[optind]);
    return bench_world(ctx, seed, chunks);
}
