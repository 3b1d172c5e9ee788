/* test_generator.c — the world generator: deterministic whatever the order
 * of chunks, biomes, caves, ores by depth, trees and structures that come out
 * whole across chunk borders, chest loot, villagers, the spawn point, the
 * "flat" world, refusing unknown types and versions. (Its speed: `bench world`, run by
 * `meson test --benchmark`.) */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/prng.h"
#include "world/generator.h"
#include "world/structures.h"

/* The seed whose world the tests look at: it has a village near the origin. */
#define SEED 8
/* See test_generator_output_is_pinned_for_its_version: seed SEED at version 2 (unchanged by
 * version 3: no cold land near its origin), and seed PINNED_SEED_3 (tundra by its origin) at 2 and 3;
 * version 4 (the ways down to dungeons and shrines, every role in a village) changes SEED's area,
 * which has a way down and a village, and not PINNED_SEED_3's, which has neither. */
#define PINNED_FINGERPRINT 0xeec63aec0da8c3d5ULL
#define PINNED_SEED_3 20261127
#define PINNED_FINGERPRINT_3_V2 0x99bf8b4f9cde2bbfULL
#define PINNED_FINGERPRINT_3_V3 0xbd192ca9c9ef9c12ULL
#define PINNED_FINGERPRINT_V4 0xdcc3ee6cf8d23f7dULL
#define PINNED_FINGERPRINT_3_V4 0xbd192ca9c9ef9c12ULL

static BlockRegistry *reg;
static StructBlocks ids;

static int setup(void **state)
{
    (void)state;
    Err err;
    if (blocks_load_default(&reg, &err) != MA_OK) {
        fprintf(stderr, "cannot load blocks: %s\n", err.msg);
        return -1;
    }
    if (structures_blocks_init(&ids, reg) != NULL)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    blocks_free(reg);
    return 0;
}

static BlockId block(const char *name)
{
    int id = blocks_find(reg, name);
    assert_true(id >= 0);
    return (BlockId)id;
}

static Generator *gen_new(uint64_t seed, const char *type)
{
    Generator *g = NULL;
    Err err;
    int rc = generator_new(reg, seed, type, GENERATOR_VERSION, &g, &err);
    if (rc != MA_OK)
        fail_msg("generator_new: %s", err.msg);
    return g;
}

static Chunk *gen_chunk(Generator *g, int32_t cx, int32_t cy, int32_t cz)
{
    Chunk *c = chunk_new(cx, cy, cz, BLOCK_AIR);
    assert_non_null(c);
    generator_fill(g, c);
    return c;
}

/* A box of generated chunks, chunk coordinates [cx0, cx0+nx) etc. */
typedef struct Area {
    int32_t cx0, cy0, cz0;
    int nx, ny, nz;
    Chunk **c;
} Area;

static Chunk **area_slot(Area *a, int32_t cx, int32_t cy, int32_t cz)
{
    return &a->c[((cy - a->cy0) * a->nz + (cz - a->cz0)) * a->nx + (cx - a->cx0)];
}

/* order 0: x fastest; 1: everything reversed, y outermost; 2: shuffled. */
static void area_generate(Area *a, Generator *g, int order, uint64_t shuffle_seed)
{
    int n = a->nx * a->ny * a->nz;
    a->c = calloc((size_t)n, sizeof *a->c);
    int *seq = malloc((size_t)n * sizeof *seq);
    assert_non_null(a->c);
    assert_non_null(seq);
    for (int i = 0; i < n; i++)
        seq[i] = order == 1 ? n - 1 - i : i;
    if (order == 2) {
        Prng p;
        prng_seed(&p, shuffle_seed);
        for (int i = n - 1; i > 0; i--) {
            int j = (int)prng_below(&p, (uint32_t)i + 1);
            int t = seq[i];
            seq[i] = seq[j];
            seq[j] = t;
        }
    }
    for (int i = 0; i < n; i++) {
        int k = seq[i];
        int x = k % a->nx, z = (k / a->nx) % a->nz, y = k / (a->nx * a->nz);
        a->c[k] = gen_chunk(g, a->cx0 + x, a->cy0 + y, a->cz0 + z);
    }
    free(seq);
}

static void area_free(Area *a)
{
    for (int i = 0; i < a->nx * a->ny * a->nz; i++)
        chunk_free(a->c[i]);
    free(a->c);
    a->c = NULL;
}

static BlockId area_get(Area *a, int32_t x, int32_t y, int32_t z)
{
    int32_t cx = chunk_coord(x), cy = chunk_coord(y), cz = chunk_coord(z);
    assert_true(cx >= a->cx0 && cx < a->cx0 + a->nx && cy >= a->cy0 && cy < a->cy0 + a->ny && cz >= a->cz0 &&
                cz < a->cz0 + a->nz);
    return chunk_get(*area_slot(a, cx, cy, cz), chunk_local(x), chunk_local(y), chunk_local(z));
}

/* The area covering a world box (inclusive). */
static Area area_for_box(int32_t x0, int32_t y0, int32_t z0, int32_t x1, int32_t y1, int32_t z1)
{
    Area a = {0};
    a.cx0 = chunk_coord(x0), a.cy0 = chunk_coord(y0), a.cz0 = chunk_coord(z0);
    a.nx = chunk_coord(x1) - a.cx0 + 1, a.ny = chunk_coord(y1) - a.cy0 + 1, a.nz = chunk_coord(z1) - a.cz0 + 1;
    return a;
}

static char *json_text(const cJSON *j)
{
    char *s = cJSON_PrintUnformatted(j);
    assert_non_null(s);
    return s;
}

/* Blocks, metadata, entities and structures all equal. */
static void assert_chunks_equal(const Chunk *a, const Chunk *b)
{
    for (int y = 0; y < CHUNK_SIZE; y++)
        for (int z = 0; z < CHUNK_SIZE; z++)
            for (int x = 0; x < CHUNK_SIZE; x++)
                if (chunk_get(a, x, y, z) != chunk_get(b, x, y, z))
                    fail_msg("chunk %d,%d,%d differs at %d,%d,%d", (int)a->cx, (int)a->cy, (int)a->cz, x, y, z);
    assert_int_equal(a->blocks == NULL, b->blocks == NULL);
    assert_int_equal(a->n_meta, b->n_meta);
    for (int i = 0; i < a->n_meta; i++) {
        assert_int_equal(a->meta[i].index, b->meta[i].index);
        assert_true(cJSON_Compare(a->meta[i].metadata, b->meta[i].metadata, 1));
    }
    char *ea = json_text(a->entities), *eb = json_text(b->entities);
    char *sa = json_text(a->structures), *sb = json_text(b->structures);
    assert_string_equal(ea, eb);
    assert_string_equal(sa, sb);
    free(ea), free(eb), free(sa), free(sb);
}

/* The nearest structure of a type within radius of the origin. */
static int find_structure(Generator *g, const char *type, int radius, GenStructure *out)
{
    GenStructure s[64];
    int n = generator_structures_near(g, 0, 0, radius, s, 64);
    for (int i = 0; i < n; i++)
        if (strcmp(s[i].type, type) == 0) {
            *out = s[i];
            return 1;
        }
    return 0;
}

static const StructPlan *plan_of(Generator *g, const GenStructure *s)
{
    const RegionPlan *rp = generator_region_plan(g, structures_region_of(s->x), structures_region_of(s->z));
    for (int i = 0; i < rp->n; i++)
        if (rp->s[i].info.x == s->x && rp->s[i].info.z == s->z && strcmp(rp->s[i].info.type, s->type) == 0)
            return &rp->s[i];
    fail_msg("no plan for %s at %d,%d", s->name, (int)s->x, (int)s->z);
    return NULL;
}

/* ---- determinism ---------------------------------------------------------------- */

static void test_generator_same_seed_same_chunks_in_any_order(void **state)
{
    (void)state;
    Generator *g1 = gen_new(SEED, "normal"), *g2 = gen_new(SEED, "normal"), *g3 = gen_new(SEED, "normal");
    /* Covers part of the village near the origin, its streets and houses. */
    Area a = {.cx0 = 0, .cy0 = 0, .cz0 = 0, .nx = 5, .ny = 7, .nz = 5};
    Area b = a, c = a;
    area_generate(&a, g1, 0, 0);
    area_generate(&b, g2, 1, 0);
    area_generate(&c, g3, 2, 12345);
    int mixed = 0, entities = 0;
    for (int i = 0; i < a.nx * a.ny * a.nz; i++) {
        assert_chunks_equal(a.c[i], b.c[i]);
        assert_chunks_equal(a.c[i], c.c[i]);
        mixed += a.c[i]->blocks != NULL;
        entities += cJSON_GetArraySize(a.c[i]->entities);
    }
    assert_true(mixed > 20);
    assert_true(entities > 0);
    /* Generating the same chunk again from a warm generator changes nothing. */
    Chunk *again = gen_chunk(g2, 1, 4, 2);
    assert_chunks_equal(*area_slot(&a, 1, 4, 2), again);
    chunk_free(again);
    area_free(&a), area_free(&b), area_free(&c);
    generator_free(g1), generator_free(g2), generator_free(g3);
}

/* FNV-1a over the blocks, metadata and entities of an area of SEED's world. */
static uint64_t area_fingerprint(Generator *g)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int cz = -2; cz < 3; cz++)
        for (int cx = -2; cx < 3; cx++)
            for (int cy = 0; cy < 9; cy++) {
                Chunk *c = gen_chunk(g, cx, cy, cz);
                for (int i = 0; i < CHUNK_VOLUME; i++)
                    h = (h ^ chunk_get(c, i & 15, i >> 8, (i >> 4) & 15)) * 0x100000001b3ULL;
                char *e = json_text(c->entities);
                for (const char *p = e; *p; p++)
                    h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
                free(e);
                for (int m = 0; m < c->n_meta; m++) {
                    char *t = json_text(c->meta[m].metadata);
                    for (const char *p = t; *p; p++)
                        h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
                    free(t);
                }
                chunk_free(c);
            }
    return h;
}

/* The world of a seed is pinned for GENERATOR_VERSION: saved worlds rely on
 * chunks they have not stored yet coming out as before, on every machine.
 * A deliberate change to the generator's output must raise the version
 * (keeping the old one for old saves) and update this fingerprint. */
static uint64_t version_fingerprint(uint64_t seed, int version)
{
    Generator *g = NULL;
    Err err;
    if (generator_new(reg, seed, "normal", version, &g, &err) != MA_OK)
        fail_msg("generator_new: %s", err.msg);
    uint64_t h = area_fingerprint(g);
    printf("# fingerprint of seed %llu, version %d: 0x%016llx\n", (unsigned long long)seed, version,
           (unsigned long long)h);
    generator_free(g);
    return h;
}

static void test_generator_output_is_pinned_for_its_version(void **state)
{
    (void)state;
    assert_true(GENERATOR_VERSION == 4);
    assert_true(version_fingerprint(SEED, 2) == PINNED_FINGERPRINT);
    assert_true(version_fingerprint(SEED, 3) == PINNED_FINGERPRINT);
    assert_true(version_fingerprint(PINNED_SEED_3, 2) == PINNED_FINGERPRINT_3_V2);
    assert_true(version_fingerprint(PINNED_SEED_3, 3) == PINNED_FINGERPRINT_3_V3);
    assert_true(version_fingerprint(SEED, 4) == PINNED_FINGERPRINT_V4);
    assert_true(version_fingerprint(PINNED_SEED_3, 4) == PINNED_FINGERPRINT_3_V4);
}

static void test_generator_different_seeds_differ(void **state)
{
    (void)state;
    Generator *g1 = gen_new(SEED, "normal"), *g2 = gen_new(SEED + 1, "normal");
    int differ = 0;
    for (int cy = 2; cy <= 5; cy++) {
        Chunk *a = gen_chunk(g1, 3, cy, -2), *b = gen_chunk(g2, 3, cy, -2);
        for (int i = 0; i < CHUNK_VOLUME && !differ; i++)
            differ = chunk_get(a, i & 15, i >> 8, (i >> 4) & 15) != chunk_get(b, i & 15, i >> 8, (i >> 4) & 15);
        chunk_free(a), chunk_free(b);
    }
    assert_true(differ);
    int heights_differ = 0;
    for (int x = 0; x < 200; x += 10)
        heights_differ += generator_surface_y(g1, x, 7) != generator_surface_y(g2, x, 7);
    assert_true(heights_differ > 0);
    generator_free(g1), generator_free(g2);
}

/* ---- terrain ------------------------------------------------------------------- */

static void test_generator_every_biome_appears(void **state)
{
    (void)state;
    Generator *g = gen_new(SEED, "normal");
    int count[BIOME_COUNT] = {0}, total = 0;
    for (int32_t z = -4000; z <= 4000; z += 40)
        for (int32_t x = -4000; x <= 4000; x += 40) {
            Biome b = generator_biome(g, x, z);
            assert_true(b >= 0 && b < BIOME_COUNT);
            count[b]++;
            total++;
        }
    for (int b = 0; b < BIOME_COUNT; b++) {
        printf("# biome %-16s %5.1f%%\n", biome_name((Biome)b), 100.0 * count[b] / total);
        if (count[b] == 0)
            fail_msg("biome %s never appears within 4000 blocks", biome_name((Biome)b));
    }
    assert_string_equal(biome_name(BIOME_SNOWY_MOUNTAINS), "snowy mountains");
    assert_string_equal(biome_name(BIOME_COUNT), "unknown");
    generator_free(g);
}

static BlockId block_at(Generator *g, int32_t x, int32_t y, int32_t z)
{
    Chunk *c = gen_chunk(g, chunk_coord(x), chunk_coord(y), chunk_coord(z));
    BlockId b = chunk_get(c, chunk_local(x), chunk_local(y), chunk_local(z));
    chunk_free(c);
    return b;
}

/* Version 3: cold land is tundra, under snow (gravel on its shores), where versions 1 and 2 froze
 * the water but kept the land beside it green; a version 2 world keeps its green land. */
static void test_cold_land_is_tundra_from_version_3(void **state)
{
    (void)state;
    Generator *v2 = NULL, *v3 = NULL;
    Err err;
    assert_int_equal(generator_new(reg, PINNED_SEED_3, "normal", 2, &v2, &err), MA_OK);
    assert_int_equal(generator_new(reg, PINNED_SEED_3, "normal", 3, &v3, &err), MA_OK);
    BlockId snow = (BlockId)blocks_find(reg, "snow"), gravel = (BlockId)blocks_find(reg, "gravel");
    BlockId grass = (BlockId)blocks_find(reg, "grass"), sand = (BlockId)blocks_find(reg, "sand");
    BlockId ice = (BlockId)blocks_find(reg, "ice");
    int tundra = 0, white = 0, green_in_v2 = 0, frozen = 0;
    for (int32_t z = -200; z <= 200; z += 10)
        for (int32_t x = -200; x <= 200; x += 10) {
            if (generator_biome(v3, x, z) != BIOME_TUNDRA) {
                assert_true(generator_biome(v2, x, z) == generator_biome(v3, x, z));
                continue;
            }
            tundra++;
            int y = generator_surface_y(v3, x, z);
            BlockId top = block_at(v3, x, y, z), was = block_at(v2, x, y, z);
            white += top == snow || top == gravel;
            green_in_v2 += was == grass || was == sand;
            Biome b2 = generator_biome(v2, x, z);
            assert_true(b2 == BIOME_PLAINS || b2 == BIOME_FOREST);
            /* Water within 16 blocks of tundra lies under ice. */
            for (int k = 0; k < 4; k++) {
                int32_t wx = x + (k == 0 ? 16 : k == 1 ? -16 : 0), wz = z + (k == 2 ? 16 : k == 3 ? -16 : 0);
                if (generator_surface_y(v3, wx, wz) < SEA_LEVEL && generator_biome(v3, wx, wz) != BIOME_SWAMP) {
                    BlockId w = block_at(v3, wx, SEA_LEVEL, wz);
                    frozen += w == ice;
                    if (w != ice)
                        printf("# open water at %d,%d beside tundra at %d,%d\n", wx, wz, x, z);
                }
            }
        }
    printf("# tundra %d of 1681 columns, %d under snow or gravel (%d grass or sand at version 2), %d frozen waters\n",
           tundra, white, green_in_v2, frozen);
    assert_true(tundra >= 40);
    assert_true(white >= tundra * 9 / 10); /* the rest: a village's street or floor */
    assert_true(green_in_v2 >= tundra * 9 / 10);
    assert_true(frozen > 0);
    generator_free(v2);
    generator_free(v3);
}

/* The ground the height map promises is there, with nothing solid but a
 * tree right above it (structures aside). */
static void test_generator_surface_matches_chunks(void **state)
{
    (void)state;
    Generator *g = gen_new(SEED, "normal");
    Area a = {.cx0 = -6, .cy0 = 0, .cz0 = 4, .nx = 3, .ny = 12, .nz = 3};
    area_generate(&a, g, 0, 0);
    BlockId plant[] = {block("oak_log"), block("pine_log"), block("cactus"), block("oak_leaves"),
                       block("pine_leaves")};
    GenStructure near[64];
    int n_near = generator_structures_near(g, -70, 90, 120, near, 64);
    int checked = 0;
    for (int32_t z = a.cz0 * 16; z < (a.cz0 + a.nz) * 16; z++)
        for (int32_t x = a.cx0 * 16; x < (a.cx0 + a.nx) * 16; x++) {
            int inside = 0;
            for (int i = 0; i < n_near; i++)
                inside |= x >= near[i].x - 1 && x <= near[i].x + near[i].w && z >= near[i].z - 1 &&
                          z <= near[i].z + near[i].d;
            if (inside)
                continue;
            int h = generator_surface_y(g, x, z);
            assert_true(h > 0 && h < 12 * 16 - 1);
            assert_true(blocks_get(reg, area_get(&a, x, h, z))->solid);
            BlockId above = area_get(&a, x, h + 1, z);
            int is_plant = 0;
            for (size_t k = 0; k < sizeof plant / sizeof plant[0]; k++)
                is_plant |= above == plant[k];
            if (blocks_get(reg, above)->solid && !is_plant)
                fail_msg("solid %s above the surface at %d,%d,%d", blocks_get(reg, above)->name, (int)x, h + 1,
                         (int)z);
            checked++;
        }
    assert_true(checked > 300);
    area_free(&a);
    generator_free(g);
}

static void test_generator_ores_by_depth_caves_and_bedrock(void **state)
{
    (void)state;
    Generator *g = gen_new(SEED, "normal");
    BlockId coal = block("coal_ore"), iron = block("iron_ore"), gold = block("gold_ore"),
            diamond = block("diamond_ore"), bedrock = block("bedrock"), lava = block("lava");
    long n_coal = 0, n_iron = 0, n_gold = 0, n_diamond = 0, open = 0, below = 0;
    int top[4] = {0, 0, 0, 0};
    for (int cz = -4; cz < 4; cz++)
        for (int cx = -4; cx < 4; cx++) {
            int hs[256];
            for (int i = 0; i < 256; i++)
                hs[i] = generator_surface_y(g, cx * 16 + (i & 15), cz * 16 + (i >> 4));
            for (int cy = 0; cy < 6; cy++) {
                Chunk *c = gen_chunk(g, cx, cy, cz);
                for (int y = 0; y < 16; y++)
                    for (int z = 0; z < 16; z++)
                        for (int x = 0; x < 16; x++) {
                            int wy = cy * 16 + y;
                            BlockId b = chunk_get(c, x, y, z);
                            if (wy == 0)
                                assert_int_equal(b, bedrock);
                            if (b == coal && ++n_coal && wy > top[0])
                                top[0] = wy;
                            if (b == iron && ++n_iron && wy > top[1])
                                top[1] = wy;
                            if (b == gold && ++n_gold && wy > top[2])
                                top[2] = wy;
                            if (b == diamond && ++n_diamond && wy > top[3])
                                top[3] = wy;
                            if (wy > 0 && wy < hs[z * 16 + x] - 3) {
                                below++;
                                open += b == BLOCK_AIR || b == lava;
                            }
                        }
                chunk_free(c);
            }
        }
    printf("# ores in 384 chunks: coal %ld (top y %d), iron %ld (%d), gold %ld (%d), diamond %ld (%d); "
           "caves %.1f%% of the underground\n",
           n_coal, top[0], n_iron, top[1], n_gold, top[2], n_diamond, top[3], 100.0 * open / below);
    assert_true(n_diamond > 0 && n_gold > 0 && n_iron > 0 && n_coal > 0);
    assert_true(n_coal > n_iron && n_iron > n_gold && n_gold > n_diamond);
    assert_true(top[3] <= 15); /* diamonds never above y 16 */
    assert_true(top[2] <= 31);
    assert_true(top[1] <= 63);
    assert_true(open > 0 && open < below / 8);
    generator_free(g);
}

/* Leaves at the top of every trunk on a chunk border reach into the next
 * chunk: trees rooted outside a chunk are drawn into it. */
static void test_generator_trees_whole_across_borders(void **state)
{
    (void)state;
    Generator *g = gen_new(SEED, "normal");
    int32_t fx = 0, fz = 0, found = 0;
    for (int r = 0; r < 3000 && !found; r += 48)
        for (int32_t x = -r; x <= r && !found; x += 48)
            if (generator_biome(g, x, r) == BIOME_FOREST && generator_biome(g, x + 48, r + 48) == BIOME_FOREST)
                fx = x, fz = r, found = 1;
    assert_true(found);
    int h = generator_surface_y(g, fx, fz);
    Area a = area_for_box(fx, h - 20, fz, fx + 63, h + 20, fz + 63);
    area_generate(&a, g, 1, 0);
    BlockId oak = block("oak_log"), pine = block("pine_log");
    int checked = 0;
    for (int32_t z = a.cz0 * 16 + 1; z < (a.cz0 + a.nz) * 16 - 1; z++)
        for (int32_t x = a.cx0 * 16 + 1; x < (a.cx0 + a.nx) * 16 - 1; x++) {
            int lx = chunk_local(x), lz = chunk_local(z);
            if (lx != 0 && lx != 15 && lz != 0 && lz != 15)
                continue;
            for (int32_t y = a.cy0 * 16 + 1; y < (a.cy0 + a.ny) * 16 - 1; y++) {
                BlockId b = area_get(&a, x, y, z);
                if ((b != oak && b != pine) || area_get(&a, x, y + 1, z) == b)
                    continue;
                static const int dx[4] = {1, -1, 0, 0}, dz[4] = {0, 0, 1, -1};
                for (int k = 0; k < 4; k++)
                    if (area_get(&a, x + dx[k], y, z + dz[k]) == BLOCK_AIR)
                        fail_msg("no leaves beside the trunk top at %d,%d,%d", (int)(x + dx[k]), (int)y,
                                 (int)(z + dz[k]));
                checked++;
            }
        }
    printf("# %d trunk tops on chunk borders have their leaves\n", checked);
    assert_true(checked >= 3);
    area_free(&a);
    generator_free(g);
}

/* ---- structures ------------------------------------------------------------------ */

/* Generates the chunks of a structure's box in two orders with two
 * generators; the blocks must agree, and every block the plan's buildings
 * put must be there. */
static void test_generator_village_whole_across_chunk_borders(void **state)
{
    (void)state;
    Generator *g1 = gen_new(SEED, "normal"), *g2 = gen_new(SEED, "normal");
    GenStructure v;
    assert_true(find_structure(g1, "village", 300, &v));
    printf("# seed %d: village %s at %d,%d,%d size %dx%dx%d\n", SEED, v.name, (int)v.x, (int)v.y, (int)v.z,
           (int)v.w, (int)v.h, (int)v.d);
    Area a = area_for_box(v.x, v.y, v.z, v.x + v.w - 1, v.y + v.h - 1, v.z + v.d - 1);
    Area b = a;
    area_generate(&a, g1, 0, 0);
    area_generate(&b, g2, 1, 0);
    for (int32_t y = v.y; y < v.y + v.h; y++)
        for (int32_t z = v.z; z < v.z + v.d; z++)
            for (int32_t x = v.x; x < v.x + v.w; x++)
                if (area_get(&a, x, y, z) != area_get(&b, x, y, z))
                    fail_msg("orders disagree at %d,%d,%d", (int)x, (int)y, (int)z);

    const StructPlan *plan = plan_of(g1, &v);
    int houses = 0, crossing = 0, checked = 0;
    for (int i = 0; i < plan->n_pieces; i++) {
        const StructPiece *p = &plan->pieces[i];
        if (p->kind != PIECE_HOUSE && p->kind != PIECE_WELL && p->kind != PIECE_FARM)
            continue;
        houses += p->kind == PIECE_HOUSE;
        crossing += chunk_coord(p->x0) != chunk_coord(p->x1) || chunk_coord(p->z0) != chunk_coord(p->z1) ||
                    chunk_coord(p->y0) != chunk_coord(p->y1);
        for (int32_t y = p->y0; y <= p->y1; y++)
            for (int32_t z = p->z0; z <= p->z1; z++)
                for (int32_t x = p->x0; x <= p->x1; x++) {
                    int want = structures_piece_block(p, &ids, x, y, z, generator_surface_y(g1, x, z));
                    if (want < 0)
                        continue;
                    BlockId got = area_get(&a, x, y, z);
                    if (got != want)
                        fail_msg("%s: planned %s at %d,%d,%d but found %s", v.name,
                                 blocks_get(reg, (BlockId)want)->name, (int)x, (int)y, (int)z,
                                 blocks_get(reg, got)->name);
                    checked++;
                }
    }
    assert_true(houses >= 3);
    assert_true(crossing >= 1);
    assert_true(checked > 500);
    /* Every chunk the village overlaps names it in its structures. */
    for (int i = 0; i < a.nx * a.ny * a.nz; i++) {
        const cJSON *s;
        int named = 0;
        cJSON_ArrayForEach(s, a.c[i]->structures)
        {
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(s, "name");
            const cJSON *ty = cJSON_GetObjectItemCaseSensitive(s, "type");
            if (cJSON_IsString(nm) && strcmp(nm->valuestring, v.name) == 0) {
                assert_string_equal(ty->valuestring, "village");
                assert_int_equal(cJSON_GetObjectItemCaseSensitive(s, "x")->valueint, v.x);
                assert_int_equal(cJSON_GetObjectItemCaseSensitive(s, "w")->valueint, v.w);
                named = 1;
            }
        }
        assert_true(named);
    }
    area_free(&a), area_free(&b);
    generator_free(g1), generator_free(g2);
}

static void test_generator_villagers_are_entities_with_local_positions(void **state)
{
    (void)state;
    Generator *g = gen_new(SEED, "normal");
    GenStructure v;
    assert_true(find_structure(g, "village", 300, &v));
    Area a = area_for_box(v.x, v.y, v.z, v.x + v.w - 1, v.y + v.h - 1, v.z + v.d - 1);
    area_generate(&a, g, 2, 99);
    int n = 0, guards = 0;
    for (int i = 0; i < a.nx * a.ny * a.nz; i++) {
        const Chunk *c = a.c[i];
        const cJSON *e;
        cJSON_ArrayForEach(e, c->entities)
        {
            assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "type")->valuestring, "npc");
            const char *id = cJSON_GetObjectItemCaseSensitive(e, "id")->valuestring;
            const char *role = cJSON_GetObjectItemCaseSensitive(e, "role")->valuestring;
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
            assert_true(cJSON_IsString(name) && name->valuestring[0]);
            assert_true(strcmp(role, "smith") == 0 || strcmp(role, "farmer") == 0 || strcmp(role, "guard") == 0 ||
                        strcmp(role, "priest") == 0 || strcmp(role, "trader") == 0);
            guards += strcmp(role, "guard") == 0;
            const cJSON *pos = cJSON_GetObjectItemCaseSensitive(e, "position");
            assert_int_equal(cJSON_GetArraySize(pos), 3);
            int l[3];
            for (int k = 0; k < 3; k++) {
                l[k] = cJSON_GetArrayItem(pos, k)->valueint;
                assert_true(l[k] >= 0 && l[k] <= 15);
            }
            int32_t wx = c->cx * 16 + l[0], wy = c->cy * 16 + l[1], wz = c->cz * 16 + l[2];
            char want[48];
            snprintf(want, sizeof want, "villager_%d_%d", (int)wx, (int)wz);
            assert_string_equal(id, want);
            /* Standing in open space, not inside a wall. */
            assert_false(blocks_get(reg, area_get(&a, wx, wy, wz))->solid);
            assert_false(blocks_get(reg, area_get(&a, wx, wy + 1, wz))->solid);
            n++;
        }
    }
    assert_int_equal(n, plan_of(g, &v)->n_npcs);
    assert_true(n >= 4);
    assert_int_equal(guards, 1);
    area_free(&a);
    generator_free(g);
}

/* From version 4 a dungeon or shrine under dry, even ground has a way down: from the top of its
 * ladder (GenStructure's entry, open to the sky) a ladder runs down to the floor of the room, and
 * a passage two high at the floor leads through the room's wall, so the player climbs down and
 * walks in. Version 3 made none: the rooms lay sealed in the rock. */
static void test_dungeons_and_shrines_have_a_way_down_from_version_4(void **state)
{
    (void)state;
    BlockId ladder = block("ladder");
    int with = 0, without = 0, under = 0;
    for (int version = 3; version <= 4; version++) {
        Generator *g = NULL;
        Err err;
        assert_int_equal(generator_new(reg, 777, "normal", version, &g, &err), MA_OK);
        GenStructure s[64];
        int n = generator_structures_near(g, 0, 0, 600, s, 64);
        for (int i = 0; i < n; i++) {
            if (!generator_kind_underground(s[i].type))
                continue;
            if (version == 3) {
                assert_false(s[i].has_entry);
                continue;
            }
            under++;
            if (!s[i].has_entry) {
                without++;
                continue;
            }
            with++;
            int32_t ex = s[i].entry_x, ey = s[i].entry_y, ez = s[i].entry_z, floor = s[i].y + 1;
            /* Above the top of the ladder, room to stand and climb in. */
            assert_int_equal(block_at(g, ex, ey + 1, ez), BLOCK_AIR);
            assert_false(blocks_get(reg, block_at(g, ex, ey + 2, ez))->solid);
            assert_true(ey >= SEA_LEVEL);
            for (int32_t y = floor; y <= ey; y++)
                if (block_at(g, ex, y, ez) != ladder)
                    fail_msg("%s: no ladder at %d %d %d (top %d, floor %d)", s[i].name, ex, y, ez, ey, floor);
            assert_true(blocks_get(reg, block_at(g, ex, floor - 1, ez))->solid); /* the shaft's floor */
            /* The passage: the neighbour of the ladder's foot toward the room, then the wall's
             * cell beyond it, both open two high, and the room's inside beyond them. */
            int dx = ex < s[i].x ? 1 : ex >= s[i].x + s[i].w ? -1 : 0;
            int dz = ez < s[i].z ? 1 : ez >= s[i].z + s[i].d ? -1 : 0;
            assert_true(abs(dx) + abs(dz) == 1);
            for (int k = 1; k <= 3; k++) {
                int32_t px = ex + k * dx, pz = ez + k * dz;
                assert_false(blocks_get(reg, block_at(g, px, floor, pz))->solid);
                assert_false(blocks_get(reg, block_at(g, px, floor + 1, pz))->solid);
                assert_true(blocks_get(reg, block_at(g, px, floor - 1, pz))->solid);
            }
            int32_t wx = ex + 2 * dx, wz = ez + 2 * dz; /* the wall's cell: in the room's box */
            assert_true(wx >= s[i].x && wx < s[i].x + s[i].w && wz >= s[i].z && wz < s[i].z + s[i].d);
        }
        generator_free(g);
    }
    printf("# version 4, seed 777: %d of %d dungeons and shrines within 600 blocks have a way down (%d under the "
           "sea or on steep ground have none)\n", with, under, without);
    assert_true(with * 2 >= under);
}

static void test_generator_dungeon_chests_carry_loot(void **state)
{
    (void)state;
    Generator *g = gen_new(SEED, "normal");
    GenStructure s[64];
    int n = generator_structures_near(g, 0, 0, 500, s, 64);
    int structures = 0, chests = 0;
    BlockId chest = block("chest");
    for (int i = 0; i < n && structures < 4; i++) {
        if (strcmp(s[i].type, "dungeon") != 0 && strcmp(s[i].type, "shrine") != 0)
            continue;
        assert_true(s[i].y + s[i].h <= generator_surface_y(g, s[i].x, s[i].z));
        Area a = area_for_box(s[i].x, s[i].y, s[i].z, s[i].x + s[i].w - 1, s[i].y + s[i].h - 1,
                              s[i].z + s[i].d - 1);
        area_generate(&a, g, i % 2, 0);
        int here = 0;
        for (int k = 0; k < a.nx * a.ny * a.nz; k++) {
            const Chunk *c = a.c[k];
            for (int idx = 0; idx < CHUNK_VOLUME; idx++) {
                if (chunk_get(c, idx & 15, idx >> 8, (idx >> 4) & 15) != chest)
                    continue;
                const cJSON *meta = chunk_meta_get(c, idx);
                assert_non_null(meta);
                const cJSON *items = cJSON_GetObjectItemCaseSensitive(meta, "items");
                assert_true(cJSON_IsArray(items) && cJSON_GetArraySize(items) >= 1);
                const cJSON *it;
                cJSON_ArrayForEach(it, items)
                {
                    assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(it, "item")));
                    assert_true(cJSON_GetObjectItemCaseSensitive(it, "count")->valueint >= 1);
                }
                here++;
            }
        }
        assert_true(here >= 1);
        chests += here;
        structures++;
        area_free(&a);
    }
    printf("# %d chests with loot in %d dungeons and shrines\n", chests, structures);
    assert_true(structures >= 2);
    generator_free(g);
}

static void test_generator_structures_near_is_sorted_and_bounded(void **state)
{
    (void)state;
    Generator *g = gen_new(SEED, "normal");
    GenStructure s[64];
    int n = generator_structures_near(g, 100, -50, 400, s, 64);
    assert_true(n > 3);
    double last = -1;
    for (int i = 0; i < n; i++) {
        double mx = s[i].x + s[i].w / 2.0 - 100, mz = s[i].z + s[i].d / 2.0 + 50;
        assert_true(mx * mx + mz * mz >= last);
        last = mx * mx + mz * mz;
        assert_true(s[i].w > 0 && s[i].h > 0 && s[i].d > 0 && s[i].name[0]);
    }
    assert_int_equal(generator_structures_near(g, 100, -50, 400, s, 2), 2);
    assert_int_equal(generator_structures_near(g, 100, -50, 400, s, 0), 0);
    /* Of one type: every village within 640 blocks, though the 64 nearest places of all types
     * (the list's bound) stop short of 640 and hold fewer of them. */
    n = generator_structures_near(g, 100, -50, 640, s, 64);
    int in_near = 0;
    for (int i = 0; i < n; i++)
        in_near += strcmp(s[i].type, "village") == 0;
    GenStructure v[64];
    int nv = generator_structures_of(g, 100, -50, 640, "village", v, 64);
    if (n < 64 || nv <= in_near)
        fail_msg("%d places near, %d villages among them, %d villages of all", n, in_near, nv);
    last = -1;
    for (int i = 0; i < nv; i++) {
        double mx = v[i].x + v[i].w / 2.0 - 100, mz = v[i].z + v[i].d / 2.0 + 50;
        assert_string_equal(v[i].type, "village");
        assert_true(mx * mx + mz * mz >= last);
        last = mx * mx + mz * mz;
    }
    GenStructure one;
    assert_int_equal(generator_structure_nearest(g, 100, -50, 640, NULL, v[nv - 1].name, &one), 1);
    assert_int_equal(generator_structure_nearest(g, 100, -50, 640, NULL, "Nowhere at all", &one), 0);
    generator_free(g);
}

/* ---- spawn, flat, refusals --------------------------------------------------------- */

static void assert_standable(Generator *g, int32_t x, int32_t y, int32_t z)
{
    Area a = area_for_box(x, y - 1, z, x, y + 1, z);
    area_generate(&a, g, 0, 0);
    const BlockDef *below = blocks_get(reg, area_get(&a, x, y - 1, z));
    if (!below->solid || below->liquid)
        fail_msg("spawn %d,%d,%d stands on %s", (int)x, (int)y, (int)z, below->name);
    assert_int_equal(area_get(&a, x, y, z), BLOCK_AIR);
    assert_int_equal(area_get(&a, x, y + 1, z), BLOCK_AIR);
    area_free(&a);
}

static void test_generator_spawn_point_is_standable(void **state)
{
    (void)state;
    /* 269368491687ULL: a world whose spawn was once the guard's own cell. */
    uint64_t seeds[] = {SEED, 42, 7, 1234567, 269368491687ULL};
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        Generator *g = gen_new(seeds[i], "normal");
        int32_t x, y, z;
        generator_spawn_point(g, &x, &y, &z);
        assert_standable(g, x, y, z);
        /* Nobody stands where the player appears. */
        Chunk *c = gen_chunk(g, chunk_coord(x), y / CHUNK_SIZE, chunk_coord(z));
        const cJSON *e;
        cJSON_ArrayForEach(e, c->entities) {
            const cJSON *pos = cJSON_GetObjectItemCaseSensitive(e, "position");
            if (cJSON_GetArrayItem(pos, 0)->valueint == chunk_local(x) && cJSON_GetArrayItem(pos, 2)->valueint == chunk_local(z))
                fail_msg("seed %llu: the spawn %d,%d,%d is where %s stands", (unsigned long long)seeds[i], (int)x, (int)y,
                         (int)z, cJSON_GetObjectItemCaseSensitive(e, "name")->valuestring);
        }
        chunk_free(c);
        GenStructure v;
        if (find_structure(g, "village", 200, &v)) {
            /* Near the village, outside its buildings. */
            assert_true(x >= v.x - 24 && x < v.x + v.w + 24 && z >= v.z - 24 && z < v.z + v.d + 24);
        } else {
            assert_true(abs(x) <= 96 && abs(z) <= 96);
        }
        if (seeds[i] == SEED)
            assert_true(find_structure(g, "village", 200, &v));
        generator_free(g);
    }
}

static void test_generator_flat_world_layout(void **state)
{
    (void)state;
    Generator *g = gen_new(SEED, "flat");
    BlockId grass = block("grass"), dirt = block("dirt"), stone = block("stone"), bedrock = block("bedrock");
    for (int cy = 0; cy < WORLD_CHUNKS_Y; cy++) {
        Chunk *c = gen_chunk(g, -3, cy, 5);
        for (int y = 0; y < 16; y++) {
            int wy = cy * 16 + y;
            BlockId want = wy == 0 ? bedrock : wy < SEA_LEVEL - 3 ? stone : wy < SEA_LEVEL ? dirt
                         : wy == SEA_LEVEL ? grass : BLOCK_AIR;
            for (int z = 0; z < 16; z++)
                for (int x = 0; x < 16; x++)
                    assert_int_equal(chunk_get(c, x, y, z), want);
        }
        if (cy >= 5 || (cy >= 1 && cy <= 2))
            assert_null(c->blocks); /* uniform chunks hold no array */
        assert_int_equal(cJSON_GetArraySize(c->entities), 0);
        assert_int_equal(cJSON_GetArraySize(c->structures), 0);
        chunk_free(c);
    }
    assert_int_equal(generator_surface_y(g, 123, -77), SEA_LEVEL);
    assert_int_equal(generator_biome(g, 123, -77), BIOME_PLAINS);
    GenStructure s[4];
    assert_int_equal(generator_structures_near(g, 0, 0, 1000, s, 4), 0);
    int32_t x, y, z;
    generator_spawn_point(g, &x, &y, &z);
    assert_int_equal(y, SEA_LEVEL + 1);
    assert_standable(g, x, y, z);
    generator_free(g);
}

/* Version 2 gives the villagers of a village names of their own; version 1, which older worlds
 * keep, still draws each name alone (a village of three Quins), and otherwise plans the very
 * same villages: the same places, roles and first draws. */
/* From version 4 a village of four houses or more has all five roles the stories and quests send
 * the player to (smith, farmer, priest, trader, and the guard by the well); version 3 drew each
 * house's role alone, and seed 777's Elderholm, where the game starts, had no priest. */
static void test_a_village_has_every_role_from_version_4(void **state)
{
    (void)state;
    static const char *const want[] = {"smith", "farmer", "priest", "trader", "guard"};
    int lacking[2] = {0, 0}, villages = 0;
    for (int version = 3; version <= 4; version++) {
        Generator *g = NULL;
        Err err;
        assert_int_equal(generator_new(reg, 777, "normal", version, &g, &err), MA_OK);
        for (int32_t rz = -6; rz < 6; rz++)
            for (int32_t rx = -6; rx < 6; rx++) {
                const RegionPlan *rp = generator_region_plan(g, rx, rz);
                for (int i = 0; i < rp->n; i++) {
                    const StructPlan *v = &rp->s[i];
                    if (strcmp(v->info.type, "village") != 0 || v->n_npcs < 5)
                        continue;
                    villages += version == 4;
                    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
                        int has = 0;
                        for (int j = 0; j < v->n_npcs && !has; j++)
                            has = strcmp(v->npcs[j].role, want[k]) == 0;
                        if (!has && version == 4)
                            fail_msg("%s (%d villagers) has no %s", v->info.name, v->n_npcs, want[k]);
                        if (!has && version == 3 && strcmp(v->info.name, "Elderholm") == 0)
                            assert_string_equal(want[k], "priest");
                        lacking[version - 3] += !has;
                    }
                }
            }
        generator_free(g);
    }
    printf("# seed 777: %d villages; roles lacking: %d at version 3, %d at version 4\n", villages, lacking[0],
           lacking[1]);
    assert_true(villages >= 5);
    assert_true(lacking[0] > 0);
}

static void test_villagers_of_one_village_have_their_own_names_from_version_2(void **state)
{
    (void)state;
    Generator *v1 = NULL, *v2 = NULL;
    Err err;
    assert_int_equal(generator_new(reg, 31337, "normal", 1, &v1, &err), MA_OK);
    assert_int_equal(generator_new(reg, 31337, "normal", 2, &v2, &err), MA_OK);
    assert_int_equal(generator_version(v1), 1);
    assert_int_equal(generator_version(v2), 2);
    int villages = 0, v1_repeats = 0, renamed = 0;
    for (int32_t rz = -4; rz < 4; rz++)
        for (int32_t rx = -4; rx < 4; rx++) {
            RegionPlan a = *generator_region_plan(v1, rx, rz); /* a copy: the cache moves on */
            const RegionPlan *b = generator_region_plan(v2, rx, rz);
            assert_int_equal(a.n, b->n);
            for (int i = 0; i < a.n; i++) {
                const StructPlan *p1 = &a.s[i], *p2 = &b->s[i];
                assert_string_equal(p1->info.name, p2->info.name);
                assert_int_equal(p1->n_npcs, p2->n_npcs);
                villages += strcmp(p1->info.type, "village") == 0;
                for (int j = 0; j < p2->n_npcs; j++) {
                    assert_int_equal(p1->npcs[j].x, p2->npcs[j].x);
                    assert_int_equal(p1->npcs[j].z, p2->npcs[j].z);
                    assert_string_equal(p1->npcs[j].role, p2->npcs[j].role);
                    renamed += strcmp(p1->npcs[j].name, p2->npcs[j].name) != 0;
                    for (int k = 0; k < j; k++) {
                        if (strcmp(p2->npcs[k].name, p2->npcs[j].name) == 0)
                            fail_msg("%s has two villagers named %s", p2->info.name, p2->npcs[j].name);
                        v1_repeats += strcmp(p1->npcs[k].name, p1->npcs[j].name) == 0;
                    }
                }
            }
        }
    assert_true(villages >= 5);
    assert_true(v1_repeats > 0);
    assert_true(renamed > 0);
    generator_free(v1);
    generator_free(v2);
}

static void test_generator_refuses_unknown_type_and_version(void **state)
{
    (void)state;
    Generator *g = NULL;
    Err err;
    assert_int_equal(generator_new(reg, 1, "amplified", GENERATOR_VERSION, &g, &err), MA_ERR_INVALID);
    assert_null(g);
    assert_non_null(strstr(err.msg, "amplified"));
    assert_non_null(strstr(err.msg, "world type"));
    assert_int_equal(generator_new(reg, 1, "normal", GENERATOR_VERSION + 1, &g, &err), MA_ERR_INVALID);
    assert_null(g);
    char said[32];
    snprintf(said, sizeof said, "version %d", GENERATOR_VERSION + 1);
    assert_non_null(strstr(err.msg, said));
    assert_int_equal(generator_new(reg, 1, "flat", 0, &g, &err), MA_ERR_INVALID);
    assert_null(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generator_same_seed_same_chunks_in_any_order),
        cmocka_unit_test(test_generator_output_is_pinned_for_its_version),
        cmocka_unit_test(test_generator_different_seeds_differ),
        cmocka_unit_test(test_generator_every_biome_appears),
        cmocka_unit_test(test_generator_surface_matches_chunks),
        cmocka_unit_test(test_generator_ores_by_depth_caves_and_bedrock),
        cmocka_unit_test(test_generator_trees_whole_across_borders),
        cmocka_unit_test(test_generator_village_whole_across_chunk_borders),
        cmocka_unit_test(test_generator_villagers_are_entities_with_local_positions),
        cmocka_unit_test(test_generator_dungeon_chests_carry_loot),
        cmocka_unit_test(test_dungeons_and_shrines_have_a_way_down_from_version_4),
        cmocka_unit_test(test_generator_structures_near_is_sorted_and_bounded),
        cmocka_unit_test(test_generator_spawn_point_is_standable),
        cmocka_unit_test(test_generator_flat_world_layout),
        cmocka_unit_test(test_generator_refuses_unknown_type_and_version),
        cmocka_unit_test(test_cold_land_is_tundra_from_version_3),
        cmocka_unit_test(test_villagers_of_one_village_have_their_own_names_from_version_2),
        cmocka_unit_test(test_a_village_has_every_role_from_version_4),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
