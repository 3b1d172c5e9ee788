/* test_world.c — a world over a save: creating and opening worlds, blocks
 * that survive flush and reopen with counted versions, the chunk cache's
 * memory bound, storing areas, and a damaged chunk row giving an error. */
#include "helpers.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "save/chunks.h"
#include "save/worlds.h"
#include "world/render.h"
#include "world/world.h"

static char *dir;
static BlockRegistry *reg;

static int setup(void **state)
{
    (void)state;
    dir = th_tmpdir();
    Err err = {0};
    if (blocks_load_default(&reg, &err) != MA_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    blocks_free(reg);
    th_tmpdir_free(dir);
    return 0;
}

static Save *open_save(const char *name) { return th_save_open(th_path(dir, name), SAVE_CREATE); }

static World *open_world(Save *s, const char *name, size_t cache)
{
    World *w = NULL;
    Err err = {0};
    if (world_open(s, reg, name, 0, cache, &w, &err) != MA_OK)
        fail_msg("world_open: %s", err.msg);
    return w;
}

static BlockId id_of(const char *name)
{
    int id = blocks_find(reg, name);
    if (id < 0)
        fail_msg("no block %s", name);
    return (BlockId)id;
}

static void test_world_create_stores_seed_type_and_generator_version(void **state)
{
    (void)state;
    Save *s = open_save("create.db");
    Err err = {0};
    int64_t id = 0;
    uint64_t seed = 0xF00DFACEDEADBEEFull; /* above INT64_MAX: stored as the same bits */
    if (world_create(s, "Eldoria", seed, "normal", &id, &err) != MA_OK)
        fail_msg("%s", err.msg);
    assert_true(id > 0);
    WorldRow row;
    assert_int_equal(worlds_get(s, id, &row, &err), MA_OK);
    assert_string_equal(row.name, "Eldoria");
    assert_string_equal(row.world_type, "normal");
    assert_int_equal((uint64_t)row.seed, seed);
    assert_int_equal(cJSON_GetObjectItem(row.settings, "generator_version")->valueint, GENERATOR_VERSION);
    world_row_clear(&row);
    assert_int_not_equal(world_create(s, "Eldoria", 1, "normal", NULL, &err), MA_OK);

    World *w = open_world(s, "Eldoria", 0);
    assert_int_equal(world_seed(w), seed);
    assert_int_equal(world_id(w), id);
    assert_string_equal(world_name(w), "Eldoria");
    world_close(w);
    /* By id too. */
    assert_int_equal(world_open(s, reg, NULL, id, 0, &w, &err), MA_OK);
    assert_string_equal(world_name(w), "Eldoria");
    world_close(w);
    save_close(s);
}

/* The center cell of a 5x5 slice at level y around (0, y, 0), as the player sees it. */
static RenderCell seen_center(World *w, int32_t y)
{
    RenderCell cells[5 * 5];
    Err err = {0};
    if (render_slice_seen(w, 0, y, 0, 5, 5, cells, &err) != MA_OK)
        fail_msg("render_slice_seen: %s", err.msg);
    return cells[2 * 5 + 2];
}

/* Every block one level down is drawn in another colour than at the level, and two levels down
 * in another again (dirt's 94 had come back as 94 a level down: a player's own dirt walls looked
 * like the open ground about them). */
static void test_a_level_down_is_drawn_darker_for_every_block(void **state)
{
    (void)state;
    for (int id = 1; id < blocks_count(reg); id++) {
        const BlockDef *d = blocks_get(reg, (BlockId)id);
        uint8_t c = d->color256, one = render_dim256(c, 1), two = render_dim256(c, 2);
        if (one == c || two == c)
            fail_msg("%s (colour %d) is drawn %d a level down and %d two down: the same as at the level", d->name,
                     c, one, two);
    }
    assert_int_not_equal(render_dim256(94, 1), 94);
}

static void test_the_player_does_not_see_into_the_rock(void **state)
{
    (void)state;
    Save *s = open_save("rock.db");
    Err err = {0};
    assert_int_equal(world_create(s, "Rock", 5, "flat", NULL, &err), MA_OK);
    World *w = open_world(s, "Rock", 0);
    BlockId stone = id_of("stone"), ore = id_of("iron_ore");
    const BlockDef *sd = blocks_get(reg, stone), *od = blocks_get(reg, ore);
    /* Solid stone around the cells the test looks at, across the chunk border at y = 32. */
    for (int32_t y = 26; y <= 36; y++)
        for (int32_t x = -3; x <= 3; x++)
            for (int32_t z = -3; z <= 3; z++)
                assert_int_equal(world_set_block(w, x, y, z, stone, &err), MA_OK);
    for (int k = 0; k < 2; k++) {
        int32_t y = k == 0 ? 29 : 31; /* inside a chunk; its top level (the one above in the next chunk) */
        assert_int_equal(world_set_block(w, 0, y, 0, ore, &err), MA_OK);
        /* Inside the rock: drawn as stone, though the developers' view shows the ore. */
        RenderCell c = seen_center(w, y);
        assert_int_equal(c.unseen, 1);
        assert_int_equal(c.block, ore);
        assert_string_equal(c.utf8, sd->glyph_utf8);
        RenderCell all[25];
        assert_int_equal(render_slice(w, 0, y, 0, 5, 5, all, &err), MA_OK);
        assert_string_equal(all[12].utf8, od->glyph_utf8);
        /* A tunnel beside it at that level shows it... */
        assert_int_equal(world_set_block(w, 1, y, 0, BLOCK_AIR, &err), MA_OK);
        c = seen_center(w, y);
        assert_int_equal(c.unseen, 0);
        assert_string_equal(c.utf8, od->glyph_utf8);
        assert_int_equal(world_set_block(w, 1, y, 0, stone, &err), MA_OK);
        /* ...and so does open space above it. */
        assert_int_equal(world_set_block(w, 0, y + 1, 0, BLOCK_AIR, &err), MA_OK);
        c = seen_center(w, y);
        assert_int_equal(c.unseen, 0);
        assert_string_equal(c.utf8, od->glyph_utf8);
        assert_int_equal(world_set_block(w, 0, y + 1, 0, stone, &err), MA_OK);
        /* A tunnel diagonal to it does not. */
        assert_int_equal(world_set_block(w, 1, y, 1, BLOCK_AIR, &err), MA_OK);
        assert_int_equal(seen_center(w, y).unseen, 1);
        assert_int_equal(world_set_block(w, 1, y, 1, stone, &err), MA_OK);
        /* Leaves beside it, and leaves above it, let sight through: a trunk in its leaves is a
         * tree, not "rock at this level". */
        assert_int_equal(world_set_block(w, 1, y, 0, id_of("oak_leaves"), &err), MA_OK);
        assert_int_equal(seen_center(w, y).unseen, 0);
        assert_int_equal(world_set_block(w, 1, y, 0, stone, &err), MA_OK);
        assert_int_equal(world_set_block(w, 0, y + 1, 0, id_of("oak_leaves"), &err), MA_OK);
        assert_int_equal(seen_center(w, y).unseen, 0);
        assert_int_equal(world_set_block(w, 0, y + 1, 0, stone, &err), MA_OK);
    }
    /* The cross-section (looking north at z = 0) hides it the same way: open space beside it
     * in the cut, or in front of it (z + 1, toward the viewer), shows it. */
    RenderCell cut[5 * 5];
    assert_int_equal(render_section_seen(w, 0, 31, 0, 5, 5, cut, &err), MA_OK);
    assert_int_equal(cut[12].unseen, 1);
    assert_int_equal(cut[12].block, ore);
    assert_int_equal(world_set_block(w, 0, 31, 1, BLOCK_AIR, &err), MA_OK);
    assert_int_equal(render_section_seen(w, 0, 31, 0, 5, 5, cut, &err), MA_OK);
    assert_int_equal(cut[12].unseen, 0);
    assert_string_equal(cut[12].utf8, od->glyph_utf8);
    assert_int_equal(world_set_block(w, 0, 31, 1, stone, &err), MA_OK);
    assert_int_equal(world_set_block(w, 0, 32, 0, BLOCK_AIR, &err), MA_OK); /* above it, in the cut */
    assert_int_equal(render_section_seen(w, 0, 31, 0, 5, 5, cut, &err), MA_OK);
    assert_int_equal(cut[12].unseen, 0);
    world_close(w);
    save_close(s);
}

static void test_world_open_refuses_unknown_name_and_generator_version(void **state)
{
    (void)state;
    Save *s = open_save("unknown.db");
    Err err = {0};
    World *w = NULL;
    assert_int_equal(world_open(s, reg, "Atlantis", 0, 0, &w, &err), MA_ERR_NOT_FOUND);
    assert_null(w);
    assert_non_null(strstr(err.msg, "Atlantis"));

    int64_t id = 0;
    assert_int_equal(world_create(s, "Future", 5, "normal", &id, &err), MA_OK);
    WorldRow row;
    assert_int_equal(worlds_get(s, id, &row, &err), MA_OK);
    cJSON_ReplaceItemInObject(row.settings, "generator_version", cJSON_CreateNumber(GENERATOR_VERSION + 7));
    assert_int_equal(worlds_update(s, &row, &err), MA_OK);
    world_row_clear(&row);
    assert_int_not_equal(world_open(s, reg, "Future", 0, 0, &w, &err), MA_OK);
    assert_null(w);
    assert_non_null(strstr(err.msg, "generator version"));

    /* A world made by an older game keeps its version: it opens, and generates as it did. */
    assert_int_equal(world_create_version(s, "Old", 5, "normal", 1, &id, &err), MA_OK);
    assert_int_equal(worlds_get(s, id, &row, &err), MA_OK);
    assert_int_equal(cJSON_GetObjectItem(row.settings, "generator_version")->valueint, 1);
    cJSON_DeleteItemFromObject(row.settings, "generator_version"); /* as the first saves had it */
    assert_int_equal(worlds_update(s, &row, &err), MA_OK);
    world_row_clear(&row);
    assert_int_equal(world_open(s, reg, "Old", 0, 0, &w, &err), MA_OK);
    assert_int_equal(generator_version(world_generator(w)), 1);
    world_close(w);
    w = NULL;
    assert_int_equal(world_open(s, reg, "Future", 0, 0, &w, &err) == MA_OK, 0);
    assert_int_not_equal(world_create_version(s, "Older", 5, "normal", 0, &id, &err), MA_OK);
    save_close(s);
}

static void test_world_blocks_outside_the_vertical_range(void **state)
{
    (void)state;
    Save *s = open_save("range.db");
    assert_int_equal(world_create(s, "R", 1, "normal", NULL, NULL), MA_OK);
    World *w = open_world(s, "R", 0);
    assert_int_equal(world_get_block(w, 5, -1, 5), id_of("bedrock"));
    assert_int_equal(world_get_block(w, 5, WORLD_HEIGHT, 5), BLOCK_AIR);
    Err err = {0};
    assert_int_not_equal(world_set_block(w, 5, WORLD_HEIGHT, 5, id_of("stone"), &err), MA_OK);
    assert_int_not_equal(world_set_block(w, 5, -1, 5, id_of("stone"), &err), MA_OK);
    assert_null(world_chunk(w, 0, WORLD_CHUNKS_Y, 0, &err));
    assert_null(world_chunk(w, 0, -1, 0, &err));
    world_close(w);
    save_close(s);
}

static int64_t stored_version(Save *s, int64_t world, int32_t cx, int32_t cy, int32_t cz)
{
    ChunkRow row;
    if (chunks_get(s, world, cx, cy, cz, &row, NULL) != MA_OK)
        return -1;
    int64_t v = row.version;
    chunk_row_clear(&row);
    return v;
}

static void test_world_set_block_survives_flush_and_reopen_with_versions(void **state)
{
    (void)state;
    Save *s = open_save("persist.db");
    int64_t id = 0;
    assert_int_equal(world_create(s, "P", 77, "normal", &id, NULL), MA_OK);
    World *w = open_world(s, "P", 0);
    Err err = {0};
    /* Negative coordinates exercise the floor division. */
    assert_int_equal(world_set_block(w, -17, 70, 33, id_of("chest"), &err), MA_OK);
    cJSON *meta = cJSON_Parse("{\"items\":[\"ruby\"]}");
    assert_int_equal(world_set_block_meta(w, -17, 70, 33, meta, &err), MA_OK);
    WorldCacheStats st;
    world_cache_stats(w, &st);
    assert_int_equal(st.dirty, 1);
    assert_int_equal(stored_version(s, id, -2, 4, 2), -1); /* nothing stored before flush */
    assert_int_equal(world_flush(w, &err), MA_OK);
    world_cache_stats(w, &st);
    assert_int_equal(st.dirty, 0);
    assert_int_equal(stored_version(s, id, -2, 4, 2), 1);
    world_close(w);
    save_close(s);

    s = open_save("persist.db");
    w = open_world(s, "P", 0);
    assert_int_equal(world_get_block(w, -17, 70, 33), id_of("chest"));
    Chunk *c = world_chunk(w, -2, 4, 2, &err);
    assert_non_null(c);
    assert_int_equal(c->version, 1);
    cJSON *m = chunk_meta_get(c, CHUNK_INDEX(chunk_local(-17), 70 % 16, chunk_local(33)));
    assert_non_null(m);
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(m, "items"), 0)->valuestring, "ruby");
    assert_int_equal(world_set_block(w, -18, 70, 33, id_of("torch"), &err), MA_OK);
    assert_int_equal(world_flush(w, &err), MA_OK);
    assert_int_equal(c->version, 2);
    world_close(w);
    save_close(s);

    s = open_save("persist.db");
    w = open_world(s, "P", 0);
    c = world_chunk(w, -2, 4, 2, &err);
    assert_int_equal(c->version, 2);
    assert_int_equal(world_get_block(w, -18, 70, 33), id_of("torch"));
    assert_int_equal(world_get_block(w, -17, 70, 33), id_of("chest"));
    assert_int_equal(stored_version(s, id, -2, 4, 2), 2);
    /* An unchanged world flushes nothing. */
    assert_int_equal(world_flush(w, &err), MA_OK);
    assert_int_equal(stored_version(s, id, -2, 4, 2), 2);
    world_close(w);
    save_close(s);
}

static void test_world_cache_stays_within_budget_and_keeps_evicted_changes(void **state)
{
    (void)state;
    Save *s = open_save("walk.db");
    assert_int_equal(world_create(s, "Walk", 3, "normal", NULL, NULL), MA_OK);
    const size_t budget = 256 << 10;
    World *w = open_world(s, "Walk", budget);
    Err err = {0};
    BlockId glass = id_of("glass");
    assert_int_equal(world_batch_begin(w, &err), MA_OK);
    for (int32_t i = 0; i < 2000; i++) {
        /* Touch the surface chunk and one below it, and change every 10th. */
        assert_non_null(world_chunk(w, i, 4, 0, &err));
        assert_non_null(world_chunk(w, i, 3, 0, &err));
        if (i % 10 == 0)
            assert_int_equal(world_set_block(w, i * 16 + 3, 66, 5, glass, &err), MA_OK);
        WorldCacheStats st;
        world_cache_stats(w, &st);
        if (st.bytes > st.budget)
            fail_msg("after %d chunks the cache holds %zu bytes, budget %zu", i, st.bytes, st.budget);
    }
    assert_int_equal(world_batch_end(w, &err), MA_OK);
    WorldCacheStats st;
    world_cache_stats(w, &st);
    assert_int_equal(st.budget, budget);
    assert_true(st.evictions > 0);
    assert_true(st.chunks < 4000);
    assert_true(st.stores > 0); /* dirty chunks were written before being dropped */
    /* Per cached non-uniform chunk: under 8 KiB. */
    Chunk *c = world_chunk(w, 0, 4, 0, &err);
    assert_non_null(c->blocks);
    assert_true(chunk_memory(c) < 8192);
    assert_int_equal(world_flush(w, &err), MA_OK);
    world_close(w);

    /* Every change is there after reopening, including evicted ones. */
    w = open_world(s, "Walk", budget);
    for (int32_t i = 0; i < 2000; i += 10)
        if (world_get_block(w, i * 16 + 3, 66, 5) != glass)
            fail_msg("the change in chunk %d was lost", i);
    world_close(w);
    save_close(s);
}

static int progress_calls;
static void count_progress(int done, int total, void *ud)
{
    (void)ud;
    assert_true(done <= total);
    progress_calls++;
}

static int64_t count_rows(Save *s, int64_t world)
{
    int64_t chunks = 0, characters = 0;
    assert_int_equal(worlds_counts(s, world, &chunks, &characters, NULL), MA_OK);
    return chunks;
}

static void test_world_store_area_stores_every_chunk_once(void **state)
{
    (void)state;
    Save *s = open_save("area.db");
    int64_t id = 0;
    assert_int_equal(world_create(s, "Area", 11, "normal", &id, NULL), MA_OK);
    World *w = open_world(s, "Area", 0);
    Err err = {0};
    /* A change made before is kept, not regenerated over. */
    assert_int_equal(world_set_block(w, 1, 100, 1, id_of("obsidian"), &err), MA_OK);
    progress_calls = 0;
    if (world_store_area(w, -2, -1, 2, 1, count_progress, NULL, &err) != MA_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(progress_calls, 15);
    assert_int_equal(count_rows(s, id), 15 * WORLD_CHUNKS_Y);
    assert_int_equal(stored_version(s, id, 0, 6, 0), 1);
    /* Again: nothing new, nothing rewritten. */
    assert_int_equal(world_store_area(w, 2, 1, -2, -1, NULL, NULL, &err), MA_OK);
    assert_int_equal(count_rows(s, id), 15 * WORLD_CHUNKS_Y);
    assert_int_equal(stored_version(s, id, 0, 6, 0), 1);
    assert_int_equal(stored_version(s, id, 0, 0, 0), 1);
    world_close(w);
    w = open_world(s, "Area", 0);
    assert_int_equal(world_get_block(w, 1, 100, 1), id_of("obsidian"));
    WorldCacheStats st;
    world_get_block(w, -20, 10, -5);
    world_cache_stats(w, &st);
    assert_int_equal(st.generated, 0); /* everything came from the save */
    assert_true(st.loads >= 2);
    world_close(w);
    save_close(s);
}

static void test_world_corrupt_chunk_row_gives_an_error(void **state)
{
    (void)state;
    Save *s = open_save("corrupt.db");
    int64_t id = 0;
    assert_int_equal(world_create(s, "C", 1, "normal", &id, NULL), MA_OK);
    World *w = open_world(s, "C", 0);
    Err err = {0};
    assert_int_equal(world_store_area(w, 0, 0, 0, 0, NULL, NULL, &err), MA_OK);
    world_close(w);
    save_close(s);

    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(th_path(dir, "corrupt.db"), &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE world_chunks SET block_data = '{\"palette\":[\"stone\",\"air\"],\"rle\":\"AA\"}' "
                                  "WHERE chunk_y = 3;"
                                  "UPDATE world_chunks SET block_data = '{\"palette\":[\"kryptonite\"]}' WHERE chunk_y = 5;"
                                  "UPDATE world_chunks SET block_data = '[]' WHERE chunk_y = 6;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);

    s = open_save("corrupt.db");
    w = open_world(s, "C", 0);
    int ys[] = {3, 5, 6};
    for (int i = 0; i < 3; i++) {
        err_clear(&err);
        assert_null(world_chunk(w, 0, ys[i], 0, &err));
        assert_int_not_equal(err.code, MA_OK);
        char where[32];
        snprintf(where, sizeof where, "chunk 0,%d,0", ys[i]);
        if (!strstr(err.msg, where) || !strstr(err.msg, "'C'"))
            fail_msg("message: %s", err.msg);
    }
    /* Reading blocks there reads air instead of crashing; others still load. */
    assert_int_equal(world_get_block(w, 1, 3 * 16 + 1, 1), BLOCK_AIR);
    assert_non_null(world_chunk(w, 0, 4, 0, &err));
    world_close(w);
    save_close(s);
}

static void test_world_read_only_save_generates_but_never_stores(void **state)
{
    (void)state;
    Save *s = open_save("ro.db");
    assert_int_equal(world_create(s, "RO", 1, "normal", NULL, NULL), MA_OK);
    save_close(s);
    Err err = {0};
    assert_int_equal(save_open(th_path(dir, "ro.db"), SAVE_READONLY, &s, &err), MA_OK);
    World *w = open_world(s, "RO", 0);
    assert_non_null(world_chunk(w, 0, 4, 0, &err));
    assert_int_not_equal(world_set_block(w, 0, 64, 0, id_of("stone"), &err), MA_OK);
    assert_int_not_equal(world_store_area(w, 0, 0, 0, 0, NULL, NULL, &err), MA_OK);
    world_close(w);
    save_close(s);
}

/* Versions are 64-bit: read and written whole, and the last one is kept
 * rather than turned into a REAL by + 1. */
static void test_chunk_versions_are_64_bit_and_stop_at_the_last(void **state)
{
    (void)state;
    Save *s = open_save("versions.db");
    int64_t id = 0, v = 0;
    Err err = {0};
    assert_int_equal(world_create(s, "V", 1, "normal", &id, NULL), MA_OK);
    assert_int_equal(chunks_put(s, id, 0, 4, 0, "{\"palette\":[\"air\"]}", 19, "[]", &v, &err), MA_OK);
    assert_int_equal(v, 1);
    save_close(s);

    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(th_path(dir, "versions.db"), &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE world_chunks SET version = 9223372036854775806", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);

    s = open_save("versions.db");
    assert_int_equal(stored_version(s, id, 0, 4, 0), INT64_MAX - 1);
    assert_int_equal(chunks_put(s, id, 0, 4, 0, "{\"palette\":[\"stone\"]}", 21, "[]", &v, &err), MA_OK);
    assert_true(v == INT64_MAX);
    assert_true(stored_version(s, id, 0, 4, 0) == INT64_MAX);
    /* One more store is refused, and the row stays as it was. */
    assert_int_equal(chunks_put(s, id, 0, 4, 0, "{\"palette\":[\"dirt\"]}", 20, "[]", &v, &err), MA_ERR_CONSTRAINT);
    assert_non_null(strstr(err.msg, "last version"));
    ChunkRow row;
    assert_int_equal(chunks_get(s, id, 0, 4, 0, &row, &err), MA_OK);
    assert_true(row.version == INT64_MAX);
    assert_string_equal(row.block_data, "{\"palette\":[\"stone\"]}");
    chunk_row_clear(&row);
    save_close(s);

    /* A version an older game overflowed into a REAL is reported, not misread. */
    assert_int_equal(sqlite3_open(th_path(dir, "versions.db"), &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE world_chunks SET version = 9223372036854775808.0", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    s = open_save("versions.db");
    assert_int_equal(chunks_get(s, id, 0, 4, 0, &row, &err), MA_ERR_CORRUPT);
    assert_non_null(strstr(err.msg, "version is not a whole number"));
    save_close(s);
}

/* A row's id is a shortcut only: chunks stored under other ids (by an
 * older game, or where their id was taken by another row) are still read,
 * written and counted; a fresh insert refuses a chunk already there. */
static int64_t row_id_of(sqlite3 *db, int cx, int cy, int cz)
{
    sqlite3_stmt *st = NULL;
    int64_t id = -1;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT id FROM world_chunks WHERE chunk_x = ?1 AND chunk_y = ?2 AND chunk_z = ?3",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int(st, 1, cx);
    sqlite3_bind_int(st, 2, cy);
    sqlite3_bind_int(st, 3, cz);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return id;
}

static void expect_chunk_text(Save *s, int64_t world, int cx, int cy, int cz, const char *text, int64_t version)
{
    ChunkRow row;
    Err err = {0};
    if (chunks_get(s, world, cx, cy, cz, &row, &err) != MA_OK)
        fail_msg("chunk %d,%d,%d: %s", cx, cy, cz, err.msg);
    assert_string_equal(row.block_data, text);
    assert_true(row.version == version);
    chunk_row_clear(&row);
}

static void test_chunks_are_found_whatever_their_row_id(void **state)
{
    (void)state;
    Save *s = open_save("rowids.db");
    int64_t id = 0, v = 0;
    Err err = {0};
    assert_int_equal(world_create(s, "R", 1, "normal", &id, NULL), MA_OK);
    assert_int_equal(chunks_put(s, id, 5, 3, -7, "{\"palette\":[\"stone\"]}", 21, "[]", &v, &err), MA_OK);
    save_close(s);

    /* Another row moves into chunk 5,3,-7's id (as an older game's rows
     * may), and an old row with a small id holds chunk 1,1,1. */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(th_path(dir, "rowids.db"), &db), SQLITE_OK);
    int64_t taken = row_id_of(db, 5, 3, -7);
    assert_true(taken > 0);
    char sql[400];
    snprintf(sql, sizeof sql,
             "DELETE FROM world_chunks; "
             "INSERT INTO world_chunks (id, world_id, chunk_x, chunk_y, chunk_z, block_data) "
             "VALUES (%lld, %lld, 9, 9, 9, '{\"palette\":[\"dirt\"]}'), (7, %lld, 1, 1, 1, '{\"palette\":[\"sand\"]}')",
             (long long)taken, (long long)id, (long long)id);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    s = open_save("rowids.db");
    expect_chunk_text(s, id, 9, 9, 9, "{\"palette\":[\"dirt\"]}", 1);
    expect_chunk_text(s, id, 1, 1, 1, "{\"palette\":[\"sand\"]}", 1);
    ChunkRow row;
    assert_int_equal(chunks_get(s, id, 5, 3, -7, &row, &err), MA_ERR_NOT_FOUND);
    /* Its id taken, the chunk is stored under another, and read back. */
    assert_int_equal(save_begin(s, &err), MA_OK);
    assert_int_equal(chunks_put(s, id, 5, 3, -7, "{\"palette\":[\"stone\"]}", 21, "[]", &v, &err), MA_OK);
    assert_int_equal(chunks_insert(s, id, 6, 3, -7, "{\"palette\":[\"air\"]}", 19, "[]", &err), MA_OK);
    assert_int_equal(save_commit(s, &err), MA_OK);
    assert_true(v == 1);
    expect_chunk_text(s, id, 5, 3, -7, "{\"palette\":[\"stone\"]}", 1);
    expect_chunk_text(s, id, 6, 3, -7, "{\"palette\":[\"air\"]}", 1);
    expect_chunk_text(s, id, 9, 9, 9, "{\"palette\":[\"dirt\"]}", 1);
    /* The old row is updated in place and counted. */
    assert_int_equal(chunks_put(s, id, 1, 1, 1, "{\"palette\":[\"clay\"]}", 20, "[]", &v, &err), MA_OK);
    assert_true(v == 2);
    expect_chunk_text(s, id, 1, 1, 1, "{\"palette\":[\"clay\"]}", 2);
    /* A fresh insert of a chunk already stored is refused, the row left alone. */
    assert_int_equal(chunks_insert(s, id, 6, 3, -7, "{\"palette\":[\"dirt\"]}", 20, "[]", &err), MA_ERR_CONSTRAINT);
    expect_chunk_text(s, id, 6, 3, -7, "{\"palette\":[\"air\"]}", 1);
    /* Coordinates too far out for an id are stored and read all the same. */
    assert_int_equal(chunks_put(s, id, 20000000, 2, -20000000, "{\"palette\":[\"air\"]}", 19, "[]", &v, &err), MA_OK);
    expect_chunk_text(s, id, 20000000, 2, -20000000, "{\"palette\":[\"air\"]}", 1);
    save_close(s);

    assert_int_equal(sqlite3_open(th_path(dir, "rowids.db"), &db), SQLITE_OK);
    assert_int_equal(row_id_of(db, 1, 1, 1), 7);
    assert_int_equal(row_id_of(db, 9, 9, 9), taken);
    assert_true(row_id_of(db, 5, 3, -7) != taken);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_world_create_stores_seed_type_and_generator_version),
        cmocka_unit_test(test_world_open_refuses_unknown_name_and_generator_version),
        cmocka_unit_test(test_the_player_does_not_see_into_the_rock),
        cmocka_unit_test(test_a_level_down_is_drawn_darker_for_every_block),
        cmocka_unit_test(test_world_blocks_outside_the_vertical_range),
        cmocka_unit_test(test_world_set_block_survives_flush_and_reopen_with_versions),
        cmocka_unit_test(test_world_cache_stays_within_budget_and_keeps_evicted_changes),
        cmocka_unit_test(test_world_store_area_stores_every_chunk_once),
        cmocka_unit_test(test_world_corrupt_chunk_row_gives_an_error),
        cmocka_unit_test(test_world_read_only_save_generates_but_never_stores),
        cmocka_unit_test(test_chunk_versions_are_64_bit_and_stop_at_the_last),
        cmocka_unit_test(test_chunks_are_found_whatever_their_row_id),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
