/* cli_bench_world.c — `bench world`: how fast and how small the world is.
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
 * same figures as one JSON object (cli_bench_world_print.c prints them). It prints; it never
 * fails on time. */
#include "cli_bench_world_internal.h"

#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "bench_clock.h"
#include "save/chunks.h"
#include "save/worlds.h"
#include "util/prng.h"
#include "world/blocks.h"
#include "world/chunk_codec.h"
#include "world/generator.h"
#include "world/render.h"
#include "world/world.h"

/* Clocks (bench_clock.h): work is timed by the thread's CPU clock; storing by the wall clock,
 * since it waits for the disk, and so is one load (a few microseconds, where reading the CPU
 * clock, a system call, would weigh); pregen by the process's CPU clock, SQLite included. */

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
                double t0 = bench_wall_s();
                generator_fill(b->gen, c);
                double t1 = bench_wall_s();
                size_t len = 0;
                char *text = chunk_encode(c, b->reg, &len, err);
                double t2 = bench_wall_s();
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
                    double t3 = bench_wall_s();
                    char *stext = chunk_encode_sparse(c, b->reg, &slen, err);
                    double t4 = bench_wall_s();
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
        double t0 = bench_wall_s();
        if ((rc = store_batch(b->save, b->world_id, ours, n, err)) != MA_OK)
            goto cleanup;
        double t1 = bench_wall_s();
        f->store_s += t1 - t0;
        f->s_store_s += (t1 - t0) * sample_store_share / n; /* the sample's share of its batch */
        /* The sparse twin: time only the sample's rows (the render rows ride along). */
        int nsample = 0;
        while (nsample < ns && col0 + nsample / WORLD_CHUNKS_Y < b->sample_cols)
            nsample++;
        t0 = bench_wall_s();
        if ((rc = store_batch(b->sparse_save, b->sparse_id, sparse, nsample, err)) != MA_OK)
            goto cleanup;
        t1 = bench_wall_s();
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
            double t0 = bench_wall_s();
            rc = chunks_get(pass == 2 ? ro_sparse : ro, wid, b->ccx[col], cy, b->ccz[col], &r, err);
            double t1 = bench_wall_s();
            if (rc == MA_OK)
                rc = chunk_decode(r.block_data, r.block_len, r.structures, b->reg, b->ccx[col], cy, b->ccz[col], &c,
                                  err);
            double us = (bench_wall_s() - t0) * 1e6;
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
        double t0 = bench_thread_cpu_s();
        rc = render_slice(w, b->spawn[0], b->spawn[1], b->spawn[2], BENCH_RENDER_W, BENCH_RENDER_H, cells, err);
        double t1 = bench_thread_cpu_s();
        if (rc != MA_OK)
            goto cleanup;
        if (form == 0) {
            f->render_cold = (t1 - t0) * 1e6;
            int nw = (int)(sizeof warm / sizeof warm[0]);
            for (int i = 0; i < nw && rc == MA_OK; i++) {
                t0 = bench_thread_cpu_s();
                rc = render_slice(w, b->spawn[0], b->spawn[1], b->spawn[2], BENCH_RENDER_W, BENCH_RENDER_H, cells, err);
                warm[i] = (bench_thread_cpu_s() - t0) * 1e6;
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
    double t0 = bench_thread_cpu_s();
    for (long long k = 0; k < f->chunks; k++) {
        if (f->s[k].uniform)
            continue;
        c->cx = b->ccx[k / WORLD_CHUNKS_Y];
        c->cy = (int32_t)(k % WORLD_CHUNKS_Y);
        c->cz = b->ccz[k / WORLD_CHUNKS_Y];
        generator_fill(g, c);
        n++;
    }
    double t = bench_thread_cpu_s() - t0;
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
    double c0 = bench_process_cpu_s(), w0 = bench_wall_s();
    rc = world_store_area(w, x0, z0, x0 + side - 1, z0 + side - 1, NULL, NULL, err);
    f->pg_cpu_s = bench_process_cpu_s() - c0;
    f->pg_wall_s = bench_wall_s() - w0;
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

int bench_world(CliCtx *ctx, long long seed, long long nchunks, int json)
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
        bench_world_print_json(&b, &f);
    else
        bench_world_print_table(&b, &f);
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
