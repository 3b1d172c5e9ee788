/* test_blocks.c — the block registry: the default data/blocks.json loads
 * with the names the world code relies on, and malformed files are refused
 * with the file, the entry and the reason. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world/blocks.h"

static const char *const required[] = {
    "air", "stone", "dirt", "grass", "sand", "gravel", "clay", "water", "lava", "bedrock", "oak_log",
    "oak_leaves", "pine_log", "pine_leaves", "cactus", "tall_grass", "flower_red", "flower_yellow", "reeds",
    "snow", "ice", "coal_ore", "iron_ore", "gold_ore", "diamond_ore", "cobblestone", "mossy_cobblestone",
    "planks", "brick", "glass", "torch", "chest", "door", "sign", "ladder", "stairs", "workbench", "furnace",
    "anvil", "alchemy_table", "bed", "farmland", "wheat", "mud", "lily_pad", "sandstone", "granite", "obsidian",
    NULL,
};

#define GOOD_ENTRY(name) \
    "{\"name\":\"" name "\",\"ascii\":\"#\",\"unicode\":\"\\u2592\",\"color256\":245,\"color8\":7," \
    "\"rgb\":[1,2,3],\"solid\":true,\"hardness\":1.5,\"tool\":\"pickaxe\",\"drop\":\"" name "\",\"drop_count\":1}"
#define AIR_ENTRY \
    "{\"name\":\"air\",\"ascii\":\" \",\"unicode\":\" \",\"color256\":0,\"color8\":0,\"rgb\":[0,0,0]," \
    "\"transparent\":true,\"hardness\":0}"

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = th_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unsetenv("MAGIC_DATA_DIR");
    th_tmpdir_free(dir);
    return 0;
}

/* Loads text with blocks_load; returns the status and leaves the message in err. */
static int load_text(const char *text, Err *err)
{
    BlockRegistry *r = NULL;
    err_clear(err);
    int rc = blocks_load(text, strlen(text), "test/blocks.json", &r, err);
    blocks_free(r);
    return rc;
}

/* The text must be refused with a message holding every fragment. */
static void assert_refused(const char *text, const char *f1, const char *f2)
{
    Err err;
    int rc = load_text(text, &err);
    if (rc == MA_OK)
        fail_msg("accepted: %s", text);
    if (!strstr(err.msg, "test/blocks.json") || (f1 && !strstr(err.msg, f1)) || (f2 && !strstr(err.msg, f2)))
        fail_msg("message \"%s\" lacks \"%s\" / \"%s\"", err.msg, f1 ? f1 : "", f2 ? f2 : "");
}

static void test_default_registry_has_every_required_block(void **state)
{
    (void)state;
    BlockRegistry *r = NULL;
    Err err = {0};
    if (blocks_load_default(&r, &err) != MA_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(blocks_find(r, "air"), 0);
    for (int i = 0; required[i]; i++)
        if (blocks_find(r, required[i]) < 0)
            fail_msg("the default registry lacks \"%s\"", required[i]);
    assert_true(blocks_count(r) >= 48);
    assert_int_equal(blocks_find(r, "no_such_block"), -1);
    assert_int_equal(blocks_find_n(r, "stonex", 5), blocks_find(r, "stone"));
    blocks_free(r);
}

static void test_default_registry_properties_are_sensible(void **state)
{
    (void)state;
    BlockRegistry *r = NULL;
    Err err = {0};
    assert_int_equal(blocks_load_default(&r, &err), MA_OK);
    const BlockDef *air = blocks_get(r, BLOCK_AIR);
    assert_false(air->solid);
    assert_true(air->transparent);
    const BlockDef *stone = blocks_get(r, (BlockId)blocks_find(r, "stone"));
    assert_true(stone->solid);
    assert_string_equal(stone->drop, "cobblestone");
    assert_string_equal(stone->tool, "pickaxe");
    assert_string_equal(blocks_get(r, (BlockId)blocks_find(r, "grass"))->drop, "dirt");
    assert_string_equal(blocks_get(r, (BlockId)blocks_find(r, "oak_leaves"))->drop, "");
    assert_true(blocks_get(r, (BlockId)blocks_find(r, "bedrock"))->hardness < 0);
    assert_true(blocks_get(r, (BlockId)blocks_find(r, "water"))->liquid);
    assert_true(blocks_get(r, (BlockId)blocks_find(r, "chest"))->has_metadata);
    assert_true(blocks_get(r, (BlockId)blocks_find(r, "ladder"))->climbable);
    /* Light: the torch and the lantern, and nothing else. */
    assert_true(blocks_get(r, (BlockId)blocks_find(r, "torch"))->light);
    assert_true(blocks_get(r, (BlockId)blocks_find(r, "lantern"))->light);
    assert_false(blocks_get(r, (BlockId)blocks_find(r, "stone"))->light);
    /* Every glyph is printable ASCII, every id out of range reads as air. */
    for (int i = 0; i < blocks_count(r); i++) {
        char g = blocks_get(r, (BlockId)i)->glyph_ascii;
        assert_true(g >= 0x20 && g <= 0x7E);
        assert_true(blocks_get(r, (BlockId)i)->glyph_utf8[0] != '\0');
    }
    assert_ptr_equal(blocks_get(r, (BlockId)255), air);
    blocks_free(r);
}

static void test_blocks_load_accepts_a_minimal_registry(void **state)
{
    (void)state;
    const char *text = "{\"blocks\":[" AIR_ENTRY "," GOOD_ENTRY("stone") "]}";
    BlockRegistry *r = NULL;
    Err err = {0};
    if (blocks_load(text, strlen(text), "x", &r, &err) != MA_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(blocks_count(r), 2);
    assert_string_equal(blocks_get(r, 1)->glyph_utf8, "\xe2\x96\x92");
    blocks_free(r);
}

static void test_blocks_load_reports_json_error_position(void **state)
{
    (void)state;
    assert_refused("{\"blocks\":[\n" AIR_ENTRY ",\n  {\"name\": oops}]}", "line 3", "not valid JSON");
    assert_refused("{\"blocks\":[" AIR_ENTRY ",{\"name\":\"lamp\",\"ascii\":\"l\",\"unicode\":\"l\",\"color256\":1,"
                   "\"color8\":1,\"rgb\":[1,2,3],\"light\":1,\"hardness\":1}]}",
                   "block 1", "\"light\" must be true or false");
}

static void test_blocks_load_refuses_missing_or_duplicate_names(void **state)
{
    (void)state;
    assert_refused("{\"blocks\":[" AIR_ENTRY ",{\"ascii\":\"#\"}]}", "block 1", "\"name\"");
    assert_refused("{\"blocks\":[" AIR_ENTRY "," GOOD_ENTRY("stone") "," GOOD_ENTRY("stone") "]}",
                   "block 2 (\"stone\")", "already used by block 1");
    assert_refused("{\"blocks\":[" AIR_ENTRY "," GOOD_ENTRY("Bad Name") "]}", "block 1", "\"name\" must be");
}

static void test_blocks_load_refuses_first_entry_not_air(void **state)
{
    (void)state;
    assert_refused("{\"blocks\":[" GOOD_ENTRY("stone") "]}", "block 0 (\"stone\")", "must be \"air\"");
    assert_refused("{\"blocks\":[]}", "empty", NULL);
    assert_refused("{\"rows\":[]}", "\"blocks\" array", NULL);
}

static void test_blocks_load_refuses_bad_glyphs(void **state)
{
    (void)state;
    const char *two = "{\"blocks\":[" AIR_ENTRY ",{\"name\":\"oak_log\",\"ascii\":\"ab\",\"unicode\":\"x\","
                      "\"color256\":1,\"color8\":1,\"rgb\":[1,2,3],\"hardness\":1}]}";
    assert_refused(two, "block 1 (\"oak_log\")", "\"ascii\" must be one printable character");
    const char *ctrl = "{\"blocks\":[" AIR_ENTRY ",{\"name\":\"oak_log\",\"ascii\":\"\\t\",\"unicode\":\"x\","
                       "\"color256\":1,\"color8\":1,\"rgb\":[1,2,3],\"hardness\":1}]}";
    assert_refused(ctrl, "block 1 (\"oak_log\")", "\"ascii\"");
    const char *uni2 = "{\"blocks\":[" AIR_ENTRY ",{\"name\":\"oak_log\",\"ascii\":\"|\",\"unicode\":\"\\u2592\\u2592\","
                       "\"color256\":1,\"color8\":1,\"rgb\":[1,2,3],\"hardness\":1}]}";
    assert_refused(uni2, "block 1 (\"oak_log\")", "\"unicode\"");
    const char *uni_bad = "{\"blocks\":[" AIR_ENTRY ",{\"name\":\"oak_log\",\"ascii\":\"|\",\"unicode\":\"\xff\","
                          "\"color256\":1,\"color8\":1,\"rgb\":[1,2,3],\"hardness\":1}]}";
    assert_refused(uni_bad, "block 1", "\"unicode\"");
}

static void test_blocks_load_refuses_bad_colours_and_numbers(void **state)
{
    (void)state;
    const char *c256 = "{\"blocks\":[" AIR_ENTRY ",{\"name\":\"stone\",\"ascii\":\"#\",\"unicode\":\"#\","
                       "\"color256\":256,\"color8\":1,\"rgb\":[1,2,3],\"hardness\":1}]}";
    assert_refused(c256, "block 1 (\"stone\")", "\"color256\"");
    const char *c8 = "{\"blocks\":[" AIR_ENTRY ",{\"name\":\"stone\",\"ascii\":\"#\",\"unicode\":\"#\","
                     "\"color256\":1,\"color8\":8,\"rgb\":[1,2,3],\"hardness\":1}]}";
    assert_refused(c8, "block 1 (\"stone\")", "\"color8\"");
    const char *rgb = "{\"blocks\":[" AIR_ENTRY ",{\"name\":\"stone\",\"ascii\":\"#\",\"unicode\":\"#\","
                      "\"color256\":1,\"color8\":1,\"rgb\":[1,2,300],\"hardness\":1}]}";
    assert_refused(rgb, "block 1 (\"stone\")", "\"rgb\"");
    const char *hard = "{\"blocks\":[" AIR_ENTRY ",{\"name\":\"stone\",\"ascii\":\"#\",\"unicode\":\"#\","
                       "\"color256\":1,\"color8\":1,\"rgb\":[1,2,3],\"hardness\":\"hard\"}]}";
    assert_refused(hard, "block 1 (\"stone\")", "\"hardness\" must be a number");
    const char *flag = "{\"blocks\":[" AIR_ENTRY ",{\"name\":\"stone\",\"ascii\":\"#\",\"unicode\":\"#\","
                       "\"color256\":1,\"color8\":1,\"rgb\":[1,2,3],\"hardness\":1,\"solid\":1}]}";
    assert_refused(flag, "block 1 (\"stone\")", "\"solid\"");
    const char *unknown = "{\"blocks\":[" AIR_ENTRY ",{\"name\":\"stone\",\"ascii\":\"#\",\"unicode\":\"#\","
                          "\"color256\":1,\"color8\":1,\"rgb\":[1,2,3],\"hardness\":1,\"hardnes\":2}]}";
    assert_refused(unknown, "block 1 (\"stone\")", "unknown field \"hardnes\"");
    const char *drop = "{\"blocks\":[" AIR_ENTRY ",{\"name\":\"stone\",\"ascii\":\"#\",\"unicode\":\"#\","
                       "\"color256\":1,\"color8\":1,\"rgb\":[1,2,3],\"hardness\":1,\"drop\":\"\",\"drop_count\":3}]}";
    assert_refused(drop, "block 1 (\"stone\")", "\"drop_count\"");
}

static void test_blocks_load_accepts_drop_naming_an_item(void **state)
{
    (void)state;
    const char *text = "{\"blocks\":[" AIR_ENTRY ",{\"name\":\"coal_ore\",\"ascii\":\"*\",\"unicode\":\"*\","
                       "\"color256\":1,\"color8\":1,\"rgb\":[1,2,3],\"hardness\":3,\"drop\":\"coal\"}]}";
    Err err;
    BlockRegistry *r = NULL;
    assert_int_equal(blocks_load(text, strlen(text), "x", &r, &err), MA_OK);
    assert_int_equal(blocks_get(r, 1)->drop_count, 1);
    blocks_free(r);
}

static void test_blocks_load_refuses_more_than_256_blocks(void **state)
{
    (void)state;
    size_t cap = 300 * 256;
    char *text = malloc(cap);
    size_t n = (size_t)snprintf(text, cap, "{\"blocks\":[" AIR_ENTRY);
    for (int i = 1; i < 257; i++)
        n += (size_t)snprintf(text + n, cap - n,
                              ",{\"name\":\"b%d\",\"ascii\":\"#\",\"unicode\":\"#\",\"color256\":1,\"color8\":1,"
                              "\"rgb\":[1,2,3],\"hardness\":1}",
                              i);
    snprintf(text + n, cap - n, "]}");
    assert_refused(text, "257 blocks", "at most 256");
    free(text);
}

static void test_blocks_load_default_reads_magic_data_dir(void **state)
{
    (void)state;
    th_write_file(th_path(dir, "blocks.json"),
                  "{\"blocks\":[" AIR_ENTRY ",{\"name\":\"oak_log\",\"ascii\":\"\",\"unicode\":\"x\","
                  "\"color256\":1,\"color8\":1,\"rgb\":[1,2,3],\"hardness\":1}]}",
                  -1);
    setenv("MAGIC_DATA_DIR", dir, 1);
    BlockRegistry *r = NULL;
    Err err = {0};
    int rc = blocks_load_default(&r, &err);
    unsetenv("MAGIC_DATA_DIR");
    assert_int_not_equal(rc, MA_OK);
    assert_null(r);
    char expect[4200];
    snprintf(expect, sizeof expect, "%s/blocks.json: block 1 (\"oak_log\"): \"ascii\" must be one printable character",
             dir);
    assert_string_equal(err.msg, expect);

    /* A good file there is used instead of the embedded one. */
    th_write_file(th_path(dir, "blocks.json"), "{\"blocks\":[" AIR_ENTRY "," GOOD_ENTRY("moonstone") "]}", -1);
    setenv("MAGIC_DATA_DIR", dir, 1);
    rc = blocks_load_default(&r, &err);
    unsetenv("MAGIC_DATA_DIR");
    assert_int_equal(rc, MA_OK);
    assert_int_equal(blocks_find(r, "moonstone"), 1);
    assert_int_equal(blocks_find(r, "stone"), -1);
    blocks_free(r);

    /* A missing file says so. */
    setenv("MAGIC_DATA_DIR", th_path(dir, "nowhere"), 1);
    rc = blocks_load_default(&r, &err);
    unsetenv("MAGIC_DATA_DIR");
    assert_int_not_equal(rc, MA_OK);
    assert_non_null(strstr(err.msg, "nowhere/blocks.json"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_registry_has_every_required_block),
        cmocka_unit_test(test_default_registry_properties_are_sensible),
        cmocka_unit_test(test_blocks_load_accepts_a_minimal_registry),
        cmocka_unit_test(test_blocks_load_reports_json_error_position),
        cmocka_unit_test(test_blocks_load_refuses_missing_or_duplicate_names),
        cmocka_unit_test(test_blocks_load_refuses_first_entry_not_air),
        cmocka_unit_test(test_blocks_load_refuses_bad_glyphs),
        cmocka_unit_test(test_blocks_load_refuses_bad_colours_and_numbers),
        cmocka_unit_test(test_blocks_load_accepts_drop_naming_an_item),
        cmocka_unit_test(test_blocks_load_refuses_more_than_256_blocks),
        cmocka_unit_test(test_blocks_load_default_reads_magic_data_dir),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
