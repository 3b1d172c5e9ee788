/* test_world_cli.c — the world tools on the command line: world create and
 * list, render (compared byte for byte with tests/data/render_*.txt), map
 * (a real PNG of the right size), chunk, pregen, bench, and bad input.
 *
 * MAGIC_UPDATE_EXPECTED=1 rewrites the expected render files from the
 * current build instead of comparing (look at them before committing). */
#include "helpers.h"

#include <cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <png.h>
#include <sqlite3.h>

typedef struct Fixture {
    char *dir;
    const char *save;
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    f->dir = th_tmpdir();
    static char save[4200];
    snprintf(save, sizeof save, "%s/test.db", f->dir);
    f->save = save;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    th_tmpdir_free(f->dir);
    free(f);
    return 0;
}

/* Runs the binary with args (NULL-terminated, at most 30) and asserts the
 * exit status. */
static RunResult run_expect(int want, const char *const *a)
{
    RunResult r = th_run(NULL, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12],
                         a[13], a[14], a[15], a[16], a[17], a[18], a[19], a[20], a[21], a[22], a[23], a[24],
                         a[25], a[26], a[27], a[28], a[29], NULL);
    if (r.status != want)
        fail_msg("exit %d, wanted %d\nstdout:\n%s\nstderr:\n%s", r.status, want, r.out, r.err);
    return r;
}

/* RUN(fixture, status, args...): the binary on the fixture's save. */
#define RUN(f, want, ...) run_expect((want), (const char *[32]){"--save", (f)->save, __VA_ARGS__, NULL})

static void create_world(Fixture *f, const char *name, const char *seed, const char *type)
{
    RunResult r = RUN(f, 0, "world", "create", name, "--seed", seed, "--type", type);
    th_run_free(&r);
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("expected to find \"%s\" in:\n%s", needle, haystack);
}

/* Compares text with tests/data/name, or rewrites that file when
 * MAGIC_UPDATE_EXPECTED is set. */
static void assert_matches_expected(const char *text, const char *name)
{
    const char *dir = getenv("MAGIC_TEST_DIR");
    assert_non_null(dir);
    char path[4200];
    snprintf(path, sizeof path, "%s/data/%s", dir, name);
    const char *update = getenv("MAGIC_UPDATE_EXPECTED");
    if (update && *update && strcmp(update, "0") != 0) {
        th_write_file(path, text, -1);
        fprintf(stderr, "rewrote %s\n", path);
        return;
    }
    size_t len = 0;
    char *want = th_read_file(path, &len);
    if (!want)
        fail_msg("missing %s (run the test with MAGIC_UPDATE_EXPECTED=1 to write it)", path);
    if (len != strlen(text) || memcmp(want, text, len) != 0)
        fail_msg("render differs from %s\n--- expected:\n%s\n--- got:\n%s", path, want, text);
    free(want);
}

static long long count_chunk_rows(const char *save, const char *world)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long n = -1;
    assert_int_equal(sqlite3_open_v2(save, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*) FROM world_chunks c JOIN worlds w ON w.id = c.world_id "
                                        "WHERE w.name = ?",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, world, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* ---- world create / list ---- */

static void test_world_create_then_list_shows_name_seed_and_type(void **state)
{
    Fixture *f = *state;
    RunResult r = RUN(f, 0, "world", "create", "alpha", "--seed", "42");
    assert_contains(r.out, "alpha");
    assert_contains(r.out, "seed 42");
    assert_contains(r.out, "generator version 4");
    th_run_free(&r);
    r = RUN(f, 0, "world", "create", "beta", "--type", "flat");
    assert_contains(r.out, "seed ");
    th_run_free(&r);
    r = RUN(f, 0, "world", "list");
    assert_contains(r.out, "alpha");
    assert_contains(r.out, " 42 ");
    assert_contains(r.out, "normal   4 "); /* the generator version it keeps making chunks with */
    assert_contains(r.out, "normal");
    assert_contains(r.out, "beta");
    assert_contains(r.out, "flat");
    assert_contains(r.out, "chunks");
    assert_contains(r.out, "characters");
    th_run_free(&r);
}

static void test_world_create_refuses_a_duplicate_name(void **state)
{
    Fixture *f = *state;
    create_world(f, "alpha", "1", "normal");
    RunResult r = RUN(f, 1, "world", "create", "alpha", "--seed", "2");
    assert_contains(r.err, "already exists");
    assert_contains(r.err, "alpha");
    th_run_free(&r);
    r = RUN(f, 0, "world", "list");
    assert_contains(r.out, " 1 "); /* the first one is untouched */
    assert_null(strstr(r.out, " 2 "));
    th_run_free(&r);
}

static void test_world_create_refuses_bad_seed_and_type_as_usage_errors(void **state)
{
    Fixture *f = *state;
    RunResult r = RUN(f, 2, "world", "create", "alpha", "--seed", "twelve");
    assert_contains(r.err, "--seed");
    th_run_free(&r);
    r = RUN(f, 2, "world", "create", "alpha", "--type", "nonsense");
    assert_contains(r.err, "nonsense");
    th_run_free(&r);
    r = RUN(f, 2, "world", "create");
    th_run_free(&r);
    r = RUN(f, 2, "world", "destroy", "alpha");
    th_run_free(&r);
    /* MAGIC_SEED gives a new world its seed when none is asked for; a bad one is refused before anything runs. */
    setenv("MAGIC_SEED", "777", 1);
    r = RUN(f, 0, "world", "create", "gamma");
    assert_contains(r.out, "seed 777");
    th_run_free(&r);
    setenv("MAGIC_SEED", "seven", 1);
    r = RUN(f, 2, "world", "create", "delta");
    assert_contains(r.err, "MAGIC_SEED=seven is not a seed");
    th_run_free(&r);
    unsetenv("MAGIC_SEED");
    r = RUN(f, 0, "world", "list");
    assert_null(strstr(r.out, "delta"));
    th_run_free(&r);
}

/* ---- render ---- */

static void test_render_of_flat_world_matches_expected_slice(void **state)
{
    Fixture *f = *state;
    create_world(f, "plain", "7", "flat");
    RunResult r = RUN(f, 0, "render", "--world", "plain", "--x", "0", "--y", "65", "--z", "0", "--width", "48",
                      "--height", "12", "--ascii");
    assert_matches_expected(r.out, "render_flat.txt");
    th_run_free(&r);
}

static void test_render_of_normal_world_matches_expected_slice(void **state)
{
    Fixture *f = *state;
    create_world(f, "wild", "12345", "normal");
    /* The village near the spawn: houses, a well, fields, trees, villagers. */
    RunResult r = RUN(f, 0, "render", "--world", "wild", "--x", "34", "--y", "70", "--z", "-83", "--width",
                      "100", "--height", "30", "--ascii");
    assert_matches_expected(r.out, "render_normal.txt");
    th_run_free(&r);
    r = RUN(f, 0, "render", "--world", "wild", "--x", "34", "--y", "75", "--z", "-83", "--width", "100",
            "--height", "30", "--ascii", "--section");
    assert_matches_expected(r.out, "render_normal_section.txt");
    th_run_free(&r);
}

static void test_render_colour_and_utf8_when_asked(void **state)
{
    Fixture *f = *state;
    create_world(f, "plain", "7", "flat");
    RunResult r = RUN(f, 0, "render", "--world", "plain", "--x", "0", "--y", "64", "--z", "0", "--width", "10",
                      "--height", "3", "--color", "--ascii");
    assert_contains(r.out, "\033[0;38;5;");
    assert_contains(r.out, "\033[0m");
    th_run_free(&r);
    r = RUN(f, 0, "render", "--world", "plain", "--x", "0", "--y", "64", "--z", "0", "--width", "10", "--height",
            "3", "--color=8", "--ascii");
    assert_contains(r.out, "\033[1;3");
    assert_contains(r.out, " | dimmer = deeper\n"); /* with colour, depth is drawn and the footer says how */
    th_run_free(&r);
    /* Not a terminal and not asked: no escapes at all. */
    r = RUN(f, 0, "render", "--world", "plain", "--x", "0", "--y", "64", "--z", "0", "--width", "10", "--height",
            "3", "--ascii");
    assert_null(strchr(r.out, '\033'));
    th_run_free(&r);
    setenv("LC_ALL", "C.UTF-8", 1);
    r = RUN(f, 0, "render", "--world", "plain", "--x", "0", "--y", "64", "--z", "0", "--width", "10", "--height",
            "3");
    unsetenv("LC_ALL");
    int high = 0;
    for (const char *p = r.out; *p; p++)
        high |= (unsigned char)*p >= 0x80;
    assert_true(high); /* Unicode glyphs under a UTF-8 locale */
    th_run_free(&r);
}

/* ---- map ---- */

static void test_map_writes_a_valid_png_of_the_right_size(void **state)
{
    Fixture *f = *state;
    create_world(f, "wild", "12345", "normal");
    const char *png = th_path(f->dir, "map.png");
    RunResult r = RUN(f, 0, "map", "--world", "wild", "--out", png, "--radius", "1", "--scale", "2", "--x", "0",
                      "--z", "0");
    assert_contains(r.out, "96x96");
    th_run_free(&r);

    /* The header by hand: signature, then IHDR with width and height. */
    size_t len = 0;
    unsigned char *b = (unsigned char *)th_read_file(png, &len);
    assert_non_null(b);
    assert_true(len > 33);
    assert_memory_equal(b, "\x89PNG\r\n\x1a\n", 8);
    assert_memory_equal(b + 12, "IHDR", 4);
    unsigned w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
    unsigned h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
    assert_int_equal(w, 96);
    assert_int_equal(h, 96);
    free(b);

    /* And libpng decodes all of it; the picture is not one flat colour. */
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_file(&img, png));
    img.format = PNG_FORMAT_RGB;
    unsigned char *px = malloc(PNG_IMAGE_SIZE(img));
    assert_true(png_image_finish_read(&img, NULL, px, 0, NULL));
    int varied = 0;
    for (size_t i = 3; i < PNG_IMAGE_SIZE(img); i++)
        varied |= px[i] != px[i % 3];
    assert_true(varied);
    free(px);

    /* A level map, and no temporary file left behind. */
    const char *level = th_path(f->dir, "level.png");
    mode_t old_mask = umask(022);
    r = RUN(f, 0, "map", "--world", "wild", "--out", level, "--radius", "0", "--y", "40");
    th_run_free(&r);
    b = (unsigned char *)th_read_file(level, &len);
    assert_non_null(b);
    assert_int_equal((unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19], 16);
    free(b);
    /* Made as any file is (0666 less the umask: others may look at it), not for its owner alone;
     * drawn again, it keeps the mode it was given. */
    struct stat st;
    assert_int_equal(stat(level, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(chmod(level, 0640), 0);
    r = RUN(f, 0, "map", "--world", "wild", "--out", level, "--radius", "0", "--y", "40");
    th_run_free(&r);
    assert_int_equal(stat(level, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    umask(old_mask);
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -q tmp", f->dir);
    assert_int_not_equal(system(cmd), 0);
}

/* ---- chunk ---- */

static void test_chunk_prints_generated_then_stored_json_and_summary(void **state)
{
    Fixture *f = *state;
    create_world(f, "wild", "12345", "normal");
    RunResult r = RUN(f, 0, "chunk", "--world", "wild", "0", "4", "0");
    assert_contains(r.out, "not stored; this is what generation gives:");
    assert_contains(r.out, "{\"c2\":\""); /* the model form of a chunk that holds terrain */
    assert_contains(r.out, "palette:");
    assert_contains(r.out, "version:    0");
    assert_contains(r.out, "structures:");
    assert_contains(r.out, "entities:");
    assert_contains(r.out, "bytes");
    th_run_free(&r);

    r = RUN(f, 0, "pregen", "--world", "wild", "--radius", "0", "--x", "0", "--z", "0");
    th_run_free(&r);
    r = RUN(f, 0, "chunk", "--world", "wild", "0", "4", "0");
    assert_contains(r.out, "stored chunk 0,4,0");
    assert_contains(r.out, "version:    1");
    assert_null(strstr(r.out, "not stored"));
    th_run_free(&r);
    /* Versions are 64-bit: one past 2^32 is printed whole. */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->save, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE world_chunks SET version = 5000000000 WHERE chunk_x = 0 AND chunk_y = 4 "
                                      "AND chunk_z = 0", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    r = RUN(f, 0, "chunk", "--world", "wild", "0", "4", "0");
    assert_contains(r.out, "version:    5000000000");
    th_run_free(&r);

    /* Negative coordinates are coordinates, not options. */
    r = RUN(f, 0, "chunk", "--world", "wild", "-3", "0", "-7");
    assert_contains(r.out, "bedrock");
    th_run_free(&r);
}

/* ---- pregen ---- */

static void test_pregen_radius_1_stores_nine_columns_of_chunks(void **state)
{
    Fixture *f = *state;
    create_world(f, "wild", "12345", "normal");
    RunResult r = RUN(f, 0, "pregen", "--world", "wild", "--radius", "1");
    assert_contains(r.out, "144 new chunks");
    assert_null(strchr(r.err, '\r')); /* no progress bar when stderr is not a terminal */
    th_run_free(&r);
    assert_int_equal(count_chunk_rows(f->save, "wild"), 9 * 16);
    /* Again: nothing new to store. */
    r = RUN(f, 0, "pregen", "--world", "wild", "--radius", "1");
    assert_contains(r.out, "0 new chunks");
    th_run_free(&r);
    assert_int_equal(count_chunk_rows(f->save, "wild"), 9 * 16);
    r = RUN(f, 0, "world", "list");
    assert_contains(r.out, "144");
    th_run_free(&r);
}

/* ---- bench ---- */

static void test_bench_world_prints_every_figure(void **state)
{
    (void)state;
    RunResult r = th_run(NULL, "bench", "world", "--chunks", "2000", NULL);
    if (r.status != 0)
        fail_msg("bench failed: %s", r.err);
    static const char *const labels[] = {
        "chunks generated per second", "chunks stored per second", "load+decode median", "load+decode p99",
        "bytes per chunk, average",    "bytes per chunk, p90",      "bytes per chunk, all-air",
        "bytes per chunk, all-stone",  "RAM per cached chunk",      "render 200x60 slice",
        "sparse JSON",                 "target",                    "Luanti",
        "non-uniform",                 "encode, median",            "pregen: chunks per CPU-second",
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        assert_contains(r.out, labels[i]);
    th_run_free(&r);
    /* The same figures as JSON, so that runs can be compared. */
    r = th_run(NULL, "bench", "world", "--chunks", "1000", "--json", NULL);
    if (r.status != 0)
        fail_msg("bench --json failed: %s", r.err);
    cJSON *j = cJSON_Parse(r.out);
    if (!j)
        fail_msg("not JSON: %s", r.out);
    const cJSON *terrain = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "by_kind"), "non-uniform");
    assert_true(cJSON_GetObjectItem(terrain, "bytes_average")->valuedouble > 0);
    assert_true(cJSON_GetObjectItem(terrain, "load_decode_median_us")->valuedouble > 0);
    assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "pregen"), "non_uniform_per_cpu_second")->valuedouble > 0);
    cJSON_Delete(j);
    th_run_free(&r);
}

/* bench client runs the real client in a pseudo-terminal (no terminal needed): every figure is
 * there, and the launch is timed to the first map the client reports, which it draws before it
 * leaves (broken on purpose: timed to the child's exit, as before 2026-12-03, the launch took in
 * the backup made on quitting). */
static void test_bench_client_times_the_launch_to_the_first_map(void **state)
{
    (void)state;
    RunResult r = th_run(NULL, "bench", "client", "--chunks", "16", "--json", NULL);
    if (r.status != 0)
        fail_msg("bench client failed: %s", r.err);
    cJSON *j = cJSON_Parse(r.out);
    if (!j)
        fail_msg("not JSON: %s", r.out);
    double launch = cJSON_GetObjectItem(j, "launch_median_ms")->valuedouble;
    double to_exit = cJSON_GetObjectItem(j, "launch_to_exit_median_ms")->valuedouble;
    if (!(launch > 0 && launch < to_exit))
        fail_msg("launch %.1f ms, start to exit %.1f ms", launch, to_exit);
    static const char *const modes[] = {"unicode_256_colours", "ascii"};
    static const char *const dirs[] = {"east", "west", "south", "north"};
    for (int m = 0; m < 2; m++) {
        const cJSON *run = cJSON_GetObjectItem(j, modes[m]);
        assert_true(cJSON_GetObjectItem(run, "compose_median_us")->valuedouble > 0);
        for (int d = 0; d < 4; d++) {
            const cJSON *dir = cJSON_GetObjectItem(run, dirs[d]);
            assert_true(cJSON_GetObjectItem(dir, "steps")->valueint > 0);
            assert_true(cJSON_GetObjectItem(dir, "writes_per_step")->valuedouble > 0);
            assert_true(cJSON_GetObjectItem(dir, "bytes_per_step")->valuedouble > 0);
        }
    }
    cJSON_Delete(j);
    th_run_free(&r);
}

/* ---- bad input ---- */

static void test_world_tools_refuse_bad_input_clearly(void **state)
{
    Fixture *f = *state;
    create_world(f, "wild", "12345", "normal");
    const char *png = th_path(f->dir, "x.png");
    RunResult r = RUN(f, 1, "render", "--world", "nowhere", "--x", "0", "--y", "64", "--z", "0");
    assert_contains(r.err, "no world named 'nowhere'");
    th_run_free(&r);
    r = RUN(f, 1, "map", "--world", "nowhere", "--out", png);
    assert_contains(r.err, "nowhere");
    th_run_free(&r);
    r = RUN(f, 2, "map", "--world", "wild");
    assert_contains(r.err, "--out");
    th_run_free(&r);
    /* The save given as --out by mistake: refused, and the save is still the save (it had been
     * replaced by the picture). Any other file that is not a picture is refused the same way. */
    r = RUN(f, 1, "map", "--world", "wild", "--out", f->save, "--radius", "0");
    assert_contains(r.err, "is not a PNG picture");
    th_run_free(&r);
    r = RUN(f, 0, "world", "list");
    assert_contains(r.out, "wild");
    th_run_free(&r);
    const char *notes = th_path(f->dir, "notes.txt");
    FILE *nf = fopen(notes, "w");
    assert_non_null(nf);
    fputs("my notes\n", nf);
    fclose(nf);
    r = RUN(f, 1, "map", "--world", "wild", "--out", notes, "--radius", "0");
    th_run_free(&r);
    char *kept = th_read_file(notes, NULL);
    assert_string_equal(kept, "my notes\n");
    free(kept);
    r = RUN(f, 1, "map", "--world", "wild", "--out", f->dir, "--radius", "0");
    assert_contains(r.err, "is not a file");
    th_run_free(&r);
    r = RUN(f, 2, "map", "--world", "wild", "--out", png, "--radius", "-2");
    assert_contains(r.err, "--radius");
    th_run_free(&r);
    /* A number is digits with an optional minus: strtoll's " 5" and "+5" are not (they were taken). */
    static const char *const not_numbers[] = {" 5", "+5", "5 ", "0x10", "-"};
    for (size_t i = 0; i < sizeof not_numbers / sizeof not_numbers[0]; i++) {
        r = RUN(f, 2, "render", "--world", "wild", "--width", not_numbers[i]);
        assert_contains(r.err, "--width takes a whole number from 1 to");
        th_run_free(&r);
    }
    r = RUN(f, 0, "render", "--world", "wild", "--width", "12", "--height", "3", "--x", "-5");
    th_run_free(&r);
    /* A forgotten value is a usage error, not a world named after the next option. */
    r = RUN(f, 2, "render", "--world", "--ascii");
    assert_contains(r.err, "--world needs a value (NAME) before --ascii");
    th_run_free(&r);
    r = RUN(f, 2, "pregen", "--world", "wild", "--radius", "-1");
    assert_contains(r.err, "--radius");
    th_run_free(&r);
    r = RUN(f, 2, "pregen", "--world", "wild");
    th_run_free(&r);
    r = RUN(f, 2, "render", "--world", "wild", "--x", "east", "--y", "64", "--z", "0");
    assert_contains(r.err, "--x");
    th_run_free(&r);
    r = RUN(f, 2, "render", "--world", "wild", "--x", "0", "--y", "9999", "--z", "0");
    assert_contains(r.err, "--y");
    th_run_free(&r);
    r = RUN(f, 2, "render", "--world", "wild", "--bogus");
    assert_contains(r.err, "--bogus");
    th_run_free(&r);
    r = RUN(f, 2, "render", "--x", "0");
    assert_contains(r.err, "--world");
    th_run_free(&r);
    r = RUN(f, 2, "chunk", "--world", "wild", "0", "north", "0");
    assert_contains(r.err, "north");
    th_run_free(&r);
    r = RUN(f, 2, "chunk", "--world", "wild", "0", "99", "0");
    assert_contains(r.err, "chunk y");
    th_run_free(&r);
    r = RUN(f, 2, "chunk", "--world", "wild", "0", "1");
    th_run_free(&r);
    r = RUN(f, 1, "chunk", "--world", "nowhere", "0", "1", "0");
    th_run_free(&r);
    r = RUN(f, 2, "bench", "world", "--chunks", "lots");
    assert_contains(r.err, "--chunks");
    th_run_free(&r);
    r = RUN(f, 2, "bench", "everything");
    th_run_free(&r);
    /* Nothing above wrote to the save. */
    assert_int_equal(count_chunk_rows(f->save, "wild"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_world_create_then_list_shows_name_seed_and_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_world_create_refuses_a_duplicate_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_world_create_refuses_bad_seed_and_type_as_usage_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_render_of_flat_world_matches_expected_slice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_render_of_normal_world_matches_expected_slice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_render_colour_and_utf8_when_asked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_writes_a_valid_png_of_the_right_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunk_prints_generated_then_stored_json_and_summary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pregen_radius_1_stores_nine_columns_of_chunks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bench_world_prints_every_figure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bench_client_times_the_launch_to_the_first_map, setup, teardown),
        cmocka_unit_test_setup_teardown(test_world_tools_refuse_bad_input_clearly, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
