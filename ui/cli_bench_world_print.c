/* cli_bench_world_print.c — `bench world`'s figures (cli_bench_world.c measures them) as
 * tables beside the targets of issue 15 and Luanti's figures, or as one JSON object (--json). */
#include "cli_bench_world_internal.h"

#include <stdio.h>
#include <string.h>

#include <cJSON.h>

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

static const char *const kind_names[KIND_COUNT] = {"all", "uniform", "non-uniform"};

void bench_world_print_table(const Bench *b, const Figures *f)
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

void bench_world_print_json(const Bench *b, const Figures *f)
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
