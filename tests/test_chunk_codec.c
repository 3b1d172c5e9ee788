/* test_chunk_codec.c — world_chunks.block_data: the compact form round-trips
 * every chunk exactly (random, uniform, with metadata and entities, every
 * chunk of a generated area), the design's sparse form is read, sizes stay
 * small, and hostile input is refused with an error. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/data.h"
#include "util/prng.h"
#include "world/chunk_codec.h"
#include "world/chunk_model.h"
#include "world/generator.h"

static BlockRegistry *reg;

static int setup(void **state)
{
    (void)state;
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
    return 0;
}

static BlockId id_of(const char *name)
{
    int id = blocks_find(reg, name);
    if (id < 0)
        fail_msg("no block %s", name);
    return (BlockId)id;
}

static void assert_same_chunk(const Chunk *a, const Chunk *b)
{
    for (int i = 0; i < CHUNK_VOLUME; i++) {
        BlockId x = a->blocks ? a->blocks[i] : a->uniform, y = b->blocks ? b->blocks[i] : b->uniform;
        if (x != y)
            fail_msg("chunk %d,%d,%d: block %d differs: %d vs %d", a->cx, a->cy, a->cz, i, x, y);
    }
    assert_int_equal(a->n_meta, b->n_meta);
    for (int i = 0; i < a->n_meta; i++) {
        assert_int_equal(a->meta[i].index, b->meta[i].index);
        assert_true(cJSON_Compare(a->meta[i].metadata, b->meta[i].metadata, 1));
    }
    assert_true(cJSON_Compare(a->entities, b->entities, 1));
}

/* Encodes, decodes and compares; returns the encoded size. */
static size_t round_trip(const Chunk *c)
{
    Err err = {0};
    size_t len = 0;
    char *text = chunk_encode(c, reg, &len, &err);
    if (!text)
        fail_msg("encode: %s", err.msg);
    assert_int_equal(strlen(text), len);
    cJSON *parsed = cJSON_Parse(text);
    if (!parsed)
        fail_msg("not JSON: %s", text);
    cJSON_Delete(parsed);
    Chunk *d = NULL;
    if (chunk_decode(text, len, NULL, reg, c->cx, c->cy, c->cz, &d, &err) != MA_OK)
        fail_msg("decode: %s\n%s", err.msg, text);
    assert_same_chunk(c, d);
    assert_int_equal(d->cx, c->cx);
    chunk_free(d);
    free(text);
    return len;
}

static void test_codec_round_trips_random_chunks(void **state)
{
    (void)state;
    Prng p;
    prng_seed(&p, 1234);
    int n = blocks_count(reg);
    for (int k = 0; k < 200; k++) {
        Chunk *c = chunk_new(k, k % 16, -k, BLOCK_AIR);
        /* From pure noise to mostly uniform with a few changes. */
        int kinds = 1 + (int)prng_below(&p, (uint32_t)n);
        int changes = k < 50 ? CHUNK_VOLUME : (int)prng_below(&p, 300);
        for (int i = 0; i < changes; i++)
            chunk_set(c, (int)prng_below(&p, 16), (int)prng_below(&p, 16), (int)prng_below(&p, 16),
                      (BlockId)prng_below(&p, (uint32_t)kinds));
        round_trip(c);
        chunk_free(c);
    }
}

static void test_codec_round_trips_layers_and_every_block_type(void **state)
{
    (void)state;
    Chunk *c = chunk_new(0, 0, 0, BLOCK_AIR);
    for (int i = 0; i < CHUNK_VOLUME; i++)
        chunk_set(c, i & 15, i >> 8, (i >> 4) & 15, (BlockId)((i / 7) % blocks_count(reg)));
    round_trip(c);
    chunk_free(c);
    c = chunk_new(0, 0, 0, id_of("stone"));
    for (int y = 8; y < 16; y++)
        for (int z = 0; z < 16; z++)
            for (int x = 0; x < 16; x++)
                chunk_set(c, x, y, z, (x + z) % 5 == 0 ? id_of("water") : BLOCK_AIR);
    round_trip(c);
    chunk_free(c);
}

static void test_codec_uniform_chunks_are_tiny(void **state)
{
    (void)state;
    const char *names[] = {"air", "stone", "water", "bedrock"};
    for (int i = 0; i < 4; i++) {
        Chunk *c = chunk_new(3, 4, 5, id_of(names[i]));
        size_t len = round_trip(c);
        assert_true(len < 40);
        char *text = chunk_encode(c, reg, &len, NULL);
        char expect[64];
        snprintf(expect, sizeof expect, "{\"palette\":[\"%s\"]}", names[i]);
        assert_string_equal(text, expect);
        free(text);
        /* A chunk with an array that happens to be uniform is written the same. */
        chunk_set(c, 1, 1, 1, id_of("glass"));
        chunk_set(c, 1, 1, 1, id_of(names[i]));
        assert_non_null(c->blocks);
        text = chunk_encode(c, reg, &len, NULL);
        assert_string_equal(text, expect);
        free(text);
        chunk_free(c);
    }
}

static void test_codec_round_trips_metadata_and_entities(void **state)
{
    (void)state;
    Chunk *c = chunk_new(-1, 4, 2, id_of("stone"));
    for (int y = 5; y < 16; y++)
        for (int z = 0; z < 16; z++)
            for (int x = 0; x < 16; x++)
                chunk_set(c, x, y, z, BLOCK_AIR);
    chunk_set(c, 3, 5, 7, id_of("chest"));
    chunk_meta_set(c, CHUNK_INDEX(3, 5, 7), cJSON_Parse("{\"items\":[{\"name\":\"gold_coin\",\"count\":12}]}"));
    chunk_set(c, 4, 5, 7, id_of("sign"));
    chunk_meta_set(c, CHUNK_INDEX(4, 5, 7), cJSON_Parse("{\"text\":\"Beware \\\"the\\\" dragon\\n\\u00e9\"}"));
    chunk_set(c, 15, 15, 15, id_of("door"));
    chunk_meta_set(c, CHUNK_INDEX(15, 15, 15), cJSON_Parse("{\"open\":true}"));
    cJSON_AddItemToArray(c->entities,
                         cJSON_Parse("{\"type\":\"npc\",\"id\":\"villager_001\",\"position\":[8,6,8]}"));
    size_t len = round_trip(c);
    char *text = chunk_encode(c, reg, &len, NULL);
    assert_non_null(strstr(text, "\"3,5,7\":{\"type\":\"chest\""));
    assert_non_null(strstr(text, "\"entities\":[{"));
    free(text);
    /* The sparse form keeps them too. */
    text = chunk_encode_sparse(c, reg, &len, NULL);
    Chunk *d = NULL;
    Err err = {0};
    if (chunk_decode(text, len, "[{\"type\":\"ruin\"}]", reg, -1, 4, 2, &d, &err) != MA_OK)
        fail_msg("%s", err.msg);
    assert_same_chunk(c, d);
    assert_int_equal(cJSON_GetArraySize(d->structures), 1);
    chunk_free(d);
    free(text);
    chunk_free(c);
}

static void test_codec_round_trips_every_chunk_of_a_generated_area(void **state)
{
    (void)state;
    Generator *g = NULL;
    Err err = {0};
    if (generator_new(reg, 42, "normal", GENERATOR_VERSION, &g, &err) != MA_OK)
        fail_msg("%s", err.msg);
    size_t total = 0, total_sparse = 0, uniform_max = 0;
    int n = 0;
    for (int cx = -4; cx < 4; cx++)
        for (int cz = -4; cz < 4; cz++)
            for (int cy = 0; cy < WORLD_CHUNKS_Y; cy++) {
                Chunk *c = chunk_new(cx, cy, cz, BLOCK_AIR);
                generator_fill(g, c);
                size_t len = round_trip(c);
                total += len;
                if (chunk_is_uniform(c) && len > uniform_max)
                    uniform_max = len;
                size_t sl = 0;
                free(chunk_encode_sparse(c, reg, &sl, NULL));
                total_sparse += sl;
                n++;
                chunk_free(c);
            }
    printf("generated area: %d chunks, %.1f bytes per chunk (sparse form %.1f), largest uniform %zu\n", n,
           (double)total / n, (double)total_sparse / n, uniform_max);
    assert_true(total / (size_t)n <= 250);
    assert_true(uniform_max < 40);
    generator_free(g);
}

/* The example of the design (schema-design.md, "Block Data Format"). */
static const char design_example[] = "{\n"
                                     "  \"blocks\": {\n"
                                     "    \"0,0,0\": {\"type\": \"grass\", \"metadata\": {}},\n"
                                     "    \"0,1,0\": {\"type\": \"air\", \"metadata\": {}}\n"
                                     "  },\n"
                                     "  \"entities\": [\n"
                                     "    {\"type\": \"npc\", \"id\": \"villager_001\", \"position\": [8, 1, 8]}\n"
                                     "  ]\n"
                                     "}\n";

static void test_codec_reads_the_design_sparse_example(void **state)
{
    (void)state;
    Chunk *c = NULL;
    Err err = {0};
    if (chunk_decode(design_example, strlen(design_example), NULL, reg, 0, 4, 0, &c, &err) != MA_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(chunk_get(c, 0, 0, 0), id_of("grass"));
    assert_int_equal(chunk_get(c, 0, 1, 0), BLOCK_AIR);
    assert_int_equal(chunk_get(c, 5, 5, 5), BLOCK_AIR);
    assert_int_equal(c->n_meta, 0);
    assert_int_equal(cJSON_GetArraySize(c->entities), 1);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(c->entities, 0), "id")->valuestring, "villager_001");
    /* And it survives the compact form. */
    round_trip(c);
    chunk_free(c);
}

static void test_codec_sparse_form_lists_every_non_air_block(void **state)
{
    (void)state;
    Chunk *c = chunk_new(0, 0, 0, BLOCK_AIR);
    chunk_set(c, 1, 2, 3, id_of("stone"));
    size_t len = 0;
    char *text = chunk_encode_sparse(c, reg, &len, NULL);
    assert_string_equal(text, "{\"blocks\":{\"1,2,3\":{\"type\":\"stone\",\"metadata\":{}}},\"entities\":[]}");
    free(text);
    chunk_free(c);
}

/* Each must be refused with an error naming the chunk. */
static const char *const hostile[] = {
    "",
    "{",
    "null",
    "[1,2,3]",
    "{}",
    "{\"palette\":\"stone\"}",
    "{\"palette\":[]}",
    "{\"palette\":[1]}",
    "{\"palette\":[\"unobtainium\"]}",
    "{\"palette\":[\"stone\",\"stone\"],\"rle\":\"AA\"}",
    "{\"palette\":[\"stone\",\"air\"]}",
    "{\"palette\":[\"stone\",\"air\"],\"rle\":\"!!!!\"}",
    "{\"palette\":[\"stone\",\"air\"],\"rle\":\"A\"}",
    "{\"palette\":[\"stone\",\"air\"],\"rle\":5}",
    "{\"rle\":\"AAAA\"}",
    /* one run of 1 stone: under-fills 4096 */
    "{\"palette\":[\"stone\",\"air\"],\"rle\":\"AA\"}",
    /* a varint that never ends */
    "{\"palette\":[\"stone\",\"air\"],\"rle\":\"/////w\"}",
    /* a huge run length */
    "{\"palette\":[\"stone\",\"air\"],\"rle\":\"//8D\"}",
    /* code 5 with a palette of 3 (3 bits: 3 = below, 4 = north, 5+ unused) */
    "{\"palette\":[\"stone\",\"air\",\"dirt\"],\"rle\":\"BQ\"}",
    /* copy from the row before at the very start (code 3 of a palette of 2) */
    "{\"palette\":[\"stone\",\"air\"],\"rle\":\"Bw\"}",
    /* copy from below at the very start */
    "{\"palette\":[\"stone\",\"air\"],\"rle\":\"Ag\"}",
    /* two runs of 4096 stone */
    "{\"palette\":[\"stone\",\"air\"],\"rle\":\"/H/8fw\"}",
    /* one run of 4096 stone, then bytes left over */
    "{\"palette\":[\"stone\",\"air\"],\"rle\":\"/H8A\"}",
    "{\"palette\":[\"stone\"],\"blocks\":{\"0,0,0\":{\"type\":\"stone\"}}}",
    "{\"palette\":[\"stone\"],\"blocks\":{\"0,0,0\":{\"type\":\"air\",\"metadata\":{}}}}",
    "{\"palette\":[\"stone\"],\"entities\":{}}",
    "{\"blocks\":{\"16,0,0\":{\"type\":\"stone\"}}}",
    "{\"blocks\":{\"-1,0,0\":{\"type\":\"stone\"}}}",
    "{\"blocks\":{\"0,0\":{\"type\":\"stone\"}}}",
    "{\"blocks\":{\"0,0,0,0\":{\"type\":\"stone\"}}}",
    "{\"blocks\":{\"a,b,c\":{\"type\":\"stone\"}}}",
    "{\"blocks\":{\"99999999999999999999,0,0\":{\"type\":\"stone\"}}}",
    "{\"blocks\":{\"0,0,0\":{\"type\":\"mithril\"}}}",
    "{\"blocks\":{\"0,0,0\":{\"type\":7}}}",
    "{\"blocks\":{\"0,0,0\":\"stone\"}}",
    "{\"blocks\":{\"0,0,0\":{\"type\":\"stone\",\"metadata\":[]}}}",
    "{\"blocks\":{\"0,0,0\":{\"type\":\"stone\"},\"0,0,0\":{\"type\":\"dirt\"}}}",
    "{\"blocks\":{},\"entities\":\"none\"}",
    "{\"palette\":[\"stone\"]}trailing",
    /* the model form: too short, outside the alphabet, damaged, beside a palette, not a string */
    "{\"c1\":\"\"}",
    "{\"c1\":\"#####\"}",
    "{\"c1\":\"##pA#Lq]XR \"}",
    "{\"c1\":\"##pA#\"}",
    "{\"c1\":\"~~~~~~~~~~~~~~~~~~~~~~~~\"}",
    "{\"c1\":\"##pA#Lq]XRT~5Srf&XzsCcUYe\",\"palette\":[\"stone\"]}",
    "{\"c1\":7}",
    /* the same for "c2" (the model with veins), and both model forms at once */
    "{\"c2\":\"\"}",
    "{\"c2\":\"#####\"}",
    "{\"c2\":\"##pA#Lq]XR \"}",
    "{\"c2\":\"~~~~~~~~~~~~~~~~~~~~~~~~\"}",
    "{\"c2\":\"##pA#Lq]XRT~5Srf&XzsCcUYe\",\"palette\":[\"stone\"]}",
    "{\"c2\":7}",
    "{\"c1\":\"##pA#\",\"c2\":\"##pA#\"}",
    /* the design's list form: out of range, not whole, unknown, duplicate, no type */
    "{\"blocks\":[{\"x\":16,\"y\":0,\"z\":0,\"type\":\"stone\"}]}",
    "{\"blocks\":[{\"x\":0,\"y\":-1,\"z\":0,\"type\":\"stone\"}]}",
    "{\"blocks\":[{\"x\":0.5,\"y\":0,\"z\":0,\"type\":\"stone\"}]}",
    "{\"blocks\":[{\"x\":\"0\",\"y\":0,\"z\":0,\"type\":\"stone\"}]}",
    "{\"blocks\":[{\"y\":0,\"z\":0,\"type\":\"stone\"}]}",
    "{\"blocks\":[{\"x\":0,\"y\":0,\"z\":0,\"type\":\"mithril\"}]}",
    "{\"blocks\":[{\"x\":0,\"y\":0,\"z\":0,\"type\":\"stone\"},{\"x\":0,\"y\":0,\"z\":0,\"type\":\"dirt\"}]}",
    "{\"blocks\":[{\"x\":0,\"y\":0,\"z\":0}]}",
    "{\"blocks\":[\"stone\"]}",
    "{\"blocks\":[{\"x\":1,\"y\":2,\"z\":3,\"type\":\"chest\",\"metadata\":[]}]}",
};

static void test_codec_refuses_hostile_input(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        Chunk *c = NULL;
        Err err = {0};
        int rc = chunk_decode(hostile[i], strlen(hostile[i]), NULL, reg, 7, 8, 9, &c, &err);
        if (rc == MA_OK)
            fail_msg("accepted: %s", hostile[i]);
        assert_null(c);
        if (!strstr(err.msg, "chunk 7,8,9"))
            fail_msg("message \"%s\" does not name the chunk (input %s)", err.msg, hostile[i]);
    }
    Chunk *c = NULL;
    Err err = {0};
    assert_int_not_equal(chunk_decode("{\"palette\":[\"stone\"]}", 21, "{}", reg, 0, 0, 0, &c, &err), MA_OK);
    assert_non_null(strstr(err.msg, "structures"));
}

static void test_codec_refuses_palette_over_256_names(void **state)
{
    (void)state;
    char *text = malloc(10000);
    size_t n = (size_t)sprintf(text, "{\"palette\":[");
    for (int i = 0; i < 257; i++)
        n += (size_t)sprintf(text + n, "%s\"stone\"", i ? "," : "");
    sprintf(text + n, "],\"rle\":\"AA\"}");
    Chunk *c = NULL;
    Err err = {0};
    assert_int_not_equal(chunk_decode(text, strlen(text), NULL, reg, 0, 0, 0, &c, &err), MA_OK);
    free(text);
}

static void test_codec_truncated_and_mutated_input_never_crashes(void **state)
{
    (void)state;
    Chunk *c = chunk_new(0, 4, 0, id_of("stone"));
    Prng p;
    prng_seed(&p, 99);
    for (int i = 0; i < 600; i++)
        chunk_set(c, (int)prng_below(&p, 16), (int)prng_below(&p, 16), (int)prng_below(&p, 16),
                  (BlockId)prng_below(&p, 6));
    size_t len = 0;
    char *text = chunk_encode(c, reg, &len, NULL);
    char *copy = malloc(len + 1);
    for (size_t cut = 0; cut < len; cut++) {
        Chunk *d = NULL;
        memcpy(copy, text, cut);
        copy[cut] = '\0';
        assert_int_not_equal(chunk_decode(copy, cut, NULL, reg, 0, 4, 0, &d, NULL), MA_OK);
    }
    for (int k = 0; k < 3000; k++) {
        memcpy(copy, text, len + 1);
        copy[prng_below(&p, (uint32_t)len)] = (char)prng_below(&p, 256);
        Chunk *d = NULL;
        if (chunk_decode(copy, len, NULL, reg, 0, 4, 0, &d, NULL) == MA_OK)
            chunk_free(d);
    }
    free(copy);
    free(text);
    chunk_free(c);
}

/* A fixed chunk (terrain with a slope, water, coal) and its "c1" text: the
 * model, once shipped, must decode stored chunks the same forever. */
static Chunk *golden_chunk(void)
{
    Chunk *c = chunk_new(0, 4, 0, id_of("stone"));
    for (int y = 0; y < 16; y++)
        for (int z = 0; z < 16; z++)
            for (int x = 0; x < 16; x++) {
                int h = 8 + (x + 2 * z) / 9;
                BlockId id = y > h        ? (y <= 9 ? id_of("water") : BLOCK_AIR)
                             : y == h     ? id_of("grass")
                             : y >= h - 2 ? id_of("dirt")
                                          : id_of("stone");
                if (y < h - 2 && (x * 7 + y * 3 + z * 5) % 23 == 0)
                    id = id_of("coal_ore");
                chunk_set(c, x, y, z, id);
            }
    return c;
}

static const char golden_c1[] =
    "{\"c1\":\"&1;4/B@mtc<zLst9'9h?@zkI{_HpZ#79/}XmT:!-pJc166(|8=w`z<KM*Y63^J<V_>LqOw3`h5+Pp:z[8!Ro!X;IN0dQ-"
    ":I^D|kg?$RO#wN[<qmVmjWc0cm)h{1]^Ft,+#[k!%HQ,Y_I#khk#-=C][g]B8t_<Rg~S'MX=Ux!wA3T_i?NpB{Hm3q:7F3c'yB^`"
    "JGED-v#*x/Ab4m#EQE%ZSkS#_jP2BP?s1}9Q~\"}";

/* The same chunk as the game writes it since "c2" (the cells with the veins
 * apart): this text, too, must decode the same forever. */
static const char golden_c2[] =
    "{\"c2\":\"#ylOie2hHsy=+q4yW|z2wd~i&aA8Uuwa*G{_4GFWpj2ns~3rCco:HIwH`{xiN1s}oOn7CNa$S.uxLDvPL2w-#l^&Bt"
    "[`}i~f2MZb%.@dHGTy5..Edy@U<pkVEDsxUNccZEx%v,Zcgsf7.dv|yaP=,HZO)*]~:%,r3:J:N$E[rlquK&!^QOy_jnugH+kEO8"
    "Ea|k5pTGmMvt6N2N0|xD_nJ,+jZ9?UU/r\"}";

static void test_codec_model_form_is_fixed_forever(void **state)
{
    (void)state;
    Chunk *c = golden_chunk();
    size_t len = 0;
    char *text = chunk_encode(c, reg, &len, NULL);
    assert_string_equal(text, golden_c2);
    /* "c1" is no longer written, but its coder still makes the same text. */
    const ChunkModel *m = chunk_model_get(NULL);
    static char c1[CHUNK_MODEL_TEXT_MAX];
    uint64_t used = 0;
    size_t n = chunk_model_encode(m, c->blocks, c->cy, c1, &used);
    assert_int_equal(n, strlen(golden_c1) - 9);
    assert_memory_equal(c1, golden_c1 + 7, n);
    const char *golden[] = {golden_c1, golden_c2};
    for (int k = 0; k < 2; k++) {
        Chunk *d = NULL;
        Err err = {0};
        if (chunk_decode(golden[k], strlen(golden[k]), NULL, reg, 0, 4, 0, &d, &err) != MA_OK)
            fail_msg("%s", err.msg);
        assert_same_chunk(c, d);
        chunk_free(d);
    }
    free(text);
    chunk_free(c);
}

/* A chunk of stone with veins of every block the model knows (walks of
 * faces, the way the generator makes ore; the ores and granite become veins,
 * the rest stay cells), a layer of dirt and grass, caves of air: written as
 * "c2", it reads back the same. */
static Chunk *veined_chunk(uint64_t seed, int cy)
{
    Chunk *c = chunk_new(3, cy, -2, id_of("stone"));
    Prng p;
    prng_seed(&p, seed);
    int n = blocks_count(reg);
    for (int y = 12; y < 16; y++) /* a layer of dirt under grass and air */
        for (int z = 0; z < 16; z++)
            for (int x = 0; x < 16; x++)
                chunk_set(c, x, y, z, y < 14 ? id_of("dirt") : y == 14 ? id_of("grass") : BLOCK_AIR);
    for (int v = 0; v < 40; v++) {
        BlockId id = v < n ? (BlockId)v : (BlockId)prng_below(&p, (uint32_t)n);
        if (blocks_get(reg, id)->has_metadata)
            id = id_of("gravel"); /* blocks with metadata need their metadata; not what this tests */
        int x = (int)prng_below(&p, 16), y = (int)prng_below(&p, 12), z = (int)prng_below(&p, 16);
        int len = 1 + (int)prng_below(&p, 28);
        for (int s = 0; s < len; s++) {
            chunk_set(c, x, y, z, id);
            switch (prng_below(&p, 6)) {
            case 0: x = x < 15 ? x + 1 : x - 1; break;
            case 1: x = x > 0 ? x - 1 : x + 1; break;
            case 2: z = z < 15 ? z + 1 : z - 1; break;
            case 3: z = z > 0 ? z - 1 : z + 1; break;
            case 4: y = y < 15 ? y + 1 : y - 1; break;
            default: y = y > 0 ? y - 1 : y + 1; break;
            }
        }
    }
    for (int k = 0; k < 3; k++) { /* caves */
        int cx = (int)prng_below(&p, 16), cy2 = (int)prng_below(&p, 12), cz = (int)prng_below(&p, 16);
        for (int y = 0; y < 16; y++)
            for (int z = 0; z < 16; z++)
                for (int x = 0; x < 16; x++)
                    if ((x - cx) * (x - cx) + 3 * (y - cy2) * (y - cy2) + (z - cz) * (z - cz) < 12)
                        chunk_set(c, x, y, z, BLOCK_AIR);
    }
    return c;
}

static void test_codec_c2_round_trips_veins_of_every_block(void **state)
{
    (void)state;
    for (int k = 0; k < 60; k++) {
        Chunk *c = veined_chunk((uint64_t)k, k % 16);
        size_t len = 0;
        char *text = chunk_encode(c, reg, &len, NULL);
        if (strncmp(text, "{\"c2\":\"", 7) != 0)
            fail_msg("not written as c2: %.40s", text);
        free(text);
        round_trip(c);
        chunk_free(c);
    }
    /* A chunk all of one ore but for one cell: one vein of 4095 cells. */
    Chunk *c = chunk_new(0, 1, 0, id_of("coal_ore"));
    chunk_set(c, 5, 5, 5, id_of("stone"));
    round_trip(c);
    chunk_free(c);
    /* Every cell its own vein: a checkerboard of two ores. */
    c = chunk_new(0, 1, 0, id_of("iron_ore"));
    for (int y = 0; y < 16; y++)
        for (int z = 0; z < 16; z++)
            for (int x = 0; x < 16; x++)
                if ((x + y + z) % 2)
                    chunk_set(c, x, y, z, id_of("gold_ore"));
    round_trip(c);
    chunk_free(c);
}

/* Damaged "c2" text (cut anywhere, or a character changed near the end,
 * where the veins are) is refused with a message naming the chunk and the
 * form, or decodes to some chunk; never read out of bounds (ASan runs it). */
static void test_codec_c2_refuses_damaged_veins(void **state)
{
    (void)state;
    Chunk *c = veined_chunk(5, 3);
    size_t len = 0;
    char *text = chunk_encode(c, reg, &len, NULL);
    assert_int_equal(strncmp(text, "{\"c2\":\"", 7), 0);
    char *copy = malloc(len + 1);
    for (size_t cut = 8; cut + 2 < len; cut++) { /* the text cut short, closed again */
        memcpy(copy, text, cut);
        memcpy(copy + cut, "\"}", 3);
        Chunk *d = NULL;
        Err err = {0};
        assert_int_not_equal(chunk_decode(copy, cut + 2, NULL, reg, 7, 3, 9, &d, &err), MA_OK);
        if (!strstr(err.msg, "chunk 7,3,9") || !strstr(err.msg, "\"c2\""))
            fail_msg("message \"%s\" names neither the chunk nor the form", err.msg);
    }
    Prng p;
    prng_seed(&p, 7);
    int vein_errors = 0;
    for (int k = 0; k < 3000; k++) {
        memcpy(copy, text, len + 1);
        size_t at = len - 3 - prng_below(&p, 30);
        copy[at] = "!#~AZaz09"[prng_below(&p, 9)];
        Chunk *d = NULL;
        Err err = {0};
        if (chunk_decode(copy, len, NULL, reg, 7, 3, 9, &d, &err) == MA_OK) {
            chunk_free(d);
            continue;
        }
        assert_non_null(strstr(err.msg, "chunk 7,3,9"));
        vein_errors += strstr(err.msg, "vein") != NULL;
    }
    assert_true(vein_errors > 0); /* the veins' own checks are reached */
    free(copy);
    free(text);
    chunk_free(c);
}

/* Older saves hold the palette + rle form (docs/chunk-format.md's example
 * and what the game wrote before "c1"); they still load. */
static void test_codec_reads_the_older_palette_form(void **state)
{
    (void)state;
    static const char older[] =
        "{\"palette\":[\"stone\",\"dirt\",\"grass\",\"air\",\"chest\"],\"rle\":\"+C85/g+5Dzq+Dzs6vg/TAQTbjQE\","
        "\"blocks\":{\"3,7,2\":{\"type\":\"chest\",\"metadata\":{\"items\":[{\"name\":\"iron_ingot\",\"count\":3}]}}},"
        "\"entities\":[{\"type\":\"npc\",\"id\":\"villager_001\",\"position\":[8,7,8]}]}";
    Chunk *c = NULL;
    Err err = {0};
    if (chunk_decode(older, strlen(older), NULL, reg, 0, 4, 0, &c, &err) != MA_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(chunk_get(c, 5, 0, 5), id_of("stone"));
    assert_int_equal(chunk_get(c, 5, 2, 5), id_of("stone"));
    assert_int_equal(chunk_get(c, 3, 7, 2), id_of("chest"));
    assert_int_equal(chunk_get(c, 5, 15, 5), BLOCK_AIR);
    assert_int_equal(c->n_meta, 1);
    assert_int_equal(cJSON_GetArraySize(c->entities), 1);
    /* Stored again, it is written in the model form and reads back the same. */
    size_t len = 0;
    char *text = chunk_encode(c, reg, &len, NULL);
    assert_non_null(strstr(text, "{\"c2\":\""));
    round_trip(c);
    free(text);
    chunk_free(c);
}

/* The registry of data/blocks.json, changed by edit(root's "blocks" array). */
static BlockRegistry *edited_registry(void (*edit)(cJSON *blocks))
{
    size_t len = 0;
    char *text = data_read("blocks.json", &len, NULL);
    cJSON *root = cJSON_Parse(text);
    edit(cJSON_GetObjectItem(root, "blocks"));
    char *out = cJSON_PrintUnformatted(root);
    BlockRegistry *r = NULL;
    Err err = {0};
    if (blocks_load(out, strlen(out), "edited blocks.json", &r, &err) != MA_OK)
        fail_msg("%s", err.msg);
    free(out);
    cJSON_Delete(root);
    free(text);
    return r;
}

static void add_mithril(cJSON *blocks)
{
    cJSON *m = cJSON_Duplicate(cJSON_GetArrayItem(blocks, 1), 1);
    cJSON_ReplaceItemInObject(m, "name", cJSON_CreateString("mithril"));
    cJSON_AddItemToArray(blocks, m);
}

static void swap_stone_and_dirt(cJSON *blocks)
{
    /* Stone is id 2 and dirt id 1: ids of this registry differ from the model's. */
    cJSON *a = cJSON_GetArrayItem(blocks, 1), *b = cJSON_GetArrayItem(blocks, 2);
    cJSON *na = cJSON_DetachItemFromObject(a, "name"), *nb = cJSON_DetachItemFromObject(b, "name");
    cJSON_AddItemToObject(a, "name", nb);
    cJSON_AddItemToObject(b, "name", na);
}

static void test_codec_model_follows_block_names_not_ids(void **state)
{
    (void)state;
    /* A block the model does not know: the palette form, readable by all. */
    BlockRegistry *r = edited_registry(add_mithril);
    Chunk *c = chunk_new(0, 2, 0, (BlockId)blocks_find(r, "stone"));
    chunk_set(c, 1, 1, 1, (BlockId)blocks_find(r, "mithril"));
    size_t len = 0;
    Err err = {0};
    char *text = chunk_encode(c, r, &len, &err);
    assert_non_null(strstr(text, "\"palette\":[\"stone\",\"mithril\"]"));
    Chunk *d = NULL;
    assert_int_equal(chunk_decode(text, len, NULL, r, 0, 2, 0, &d, &err), MA_OK);
    assert_int_equal(chunk_get(d, 1, 1, 1), blocks_find(r, "mithril"));
    chunk_free(d);
    free(text);
    chunk_free(c);
    blocks_free(r);

    /* Blocks in another order: the model form maps names both ways. */
    r = edited_registry(swap_stone_and_dirt);
    c = golden_chunk(); /* ids of the default registry */
    text = chunk_encode(c, reg, &len, NULL);
    if (chunk_decode(text, len, NULL, r, 0, 4, 0, &d, &err) != MA_OK)
        fail_msg("%s", err.msg);
    for (int i = 0; i < CHUNK_VOLUME; i++)
        assert_string_equal(blocks_get(r, d->blocks[i])->name, blocks_get(reg, c->blocks[i])->name);
    char *again = chunk_encode(d, r, &len, NULL);
    assert_string_equal(again, golden_c2);
    free(again);
    chunk_free(d);
    free(text);
    chunk_free(c);
    blocks_free(r);
}

static void test_codec_reads_the_design_list_form(void **state)
{
    (void)state;
    static const char list[] = "{\"blocks\":[{\"x\":0,\"y\":0,\"z\":0,\"type\":\"stone\"},"
                               "{\"x\":15,\"y\":2,\"z\":3,\"type\":\"chest\",\"metadata\":{\"items\":[]}},"
                               "{\"x\":4,\"y\":5,\"z\":6,\"type\":\"grass\",\"metadata\":{}}],"
                               "\"entities\":[{\"type\":\"npc\",\"id\":\"v1\",\"position\":[1,2,3]}]}";
    Chunk *c = NULL;
    Err err = {0};
    if (chunk_decode(list, strlen(list), NULL, reg, 0, 4, 0, &c, &err) != MA_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(chunk_get(c, 0, 0, 0), id_of("stone"));
    assert_int_equal(chunk_get(c, 15, 2, 3), id_of("chest"));
    assert_int_equal(chunk_get(c, 4, 5, 6), id_of("grass"));
    assert_int_equal(chunk_get(c, 1, 0, 0), BLOCK_AIR);
    assert_int_equal(c->n_meta, 1);
    assert_int_equal(cJSON_GetArraySize(c->entities), 1);
    round_trip(c);
    chunk_free(c);
    /* An empty list is all air. */
    assert_int_equal(chunk_decode("{\"blocks\":[]}", 13, NULL, reg, 0, 4, 0, &c, &err), MA_OK);
    assert_true(chunk_is_uniform(c) && chunk_get(c, 0, 0, 0) == BLOCK_AIR);
    chunk_free(c);
    /* Refusals say why. */
    static const struct {
        const char *text, *why;
    } bad[] = {
        {"{\"blocks\":[{\"x\":16,\"y\":0,\"z\":0,\"type\":\"stone\"}]}", "each a whole number 0..15"},
        {"{\"blocks\":[{\"x\":0,\"y\":0,\"z\":0,\"type\":\"mithril\"}]}", "unknown \"type\" \"mithril\""},
        {"{\"blocks\":[{\"x\":1,\"y\":2,\"z\":3,\"type\":\"stone\"},{\"x\":1,\"y\":2,\"z\":3,\"type\":\"dirt\"}]}",
         "block \"1,2,3\" is listed twice"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_not_equal(chunk_decode(bad[i].text, strlen(bad[i].text), NULL, reg, 0, 4, 0, &c, &err), MA_OK);
        if (!strstr(err.msg, bad[i].why))
            fail_msg("message \"%s\" does not say \"%s\"", err.msg, bad[i].why);
    }
}

static void test_codec_caps_entities_per_chunk(void **state)
{
    (void)state;
    /* A stored row with 200,000 entities is refused at once, with the reason. */
    size_t cap = 200000 * 24 + 64, n = 0;
    char *text = malloc(cap);
    n += (size_t)sprintf(text, "{\"palette\":[\"air\"],\"entities\":[");
    for (int i = 0; i < 200000; i++)
        n += (size_t)sprintf(text + n, "%s{\"type\":\"rat\"}", i ? "," : "");
    n += (size_t)sprintf(text + n, "]}");
    Chunk *c = NULL;
    Err err = {0};
    assert_int_not_equal(chunk_decode(text, n, NULL, reg, 1, 2, 3, &c, &err), MA_OK);
    assert_non_null(strstr(err.msg, "200000 entities, more than the 4096 a chunk may hold"));
    assert_null(c);
    free(text);
    /* The game never writes what it could not read back. */
    c = chunk_new(1, 2, 3, BLOCK_AIR);
    for (int i = 0; i <= CHUNK_MAX_ENTITIES; i++)
        cJSON_AddItemToArray(c->entities, cJSON_Parse("{\"type\":\"rat\"}"));
    size_t len = 0;
    assert_null(chunk_encode(c, reg, &len, &err));
    assert_non_null(strstr(err.msg, "4097 entities"));
    cJSON_DeleteItemFromArray(c->entities, 0);
    char *ok = chunk_encode(c, reg, &len, &err);
    assert_non_null(ok);
    free(ok);
    chunk_free(c);
}

/* Chunks that hold terrain are written in the model form, smaller than the
 * palette form they replace. */
static void test_codec_model_form_is_used_for_terrain(void **state)
{
    (void)state;
    Generator *g = NULL;
    Err err = {0};
    if (generator_new(reg, 7, "normal", GENERATOR_VERSION, &g, &err) != MA_OK)
        fail_msg("%s", err.msg);
    int model = 0, terrain = 0;
    for (int cx = 0; cx < 3; cx++)
        for (int cy = 0; cy < WORLD_CHUNKS_Y; cy++) {
            Chunk *c = chunk_new(cx, cy, 5, BLOCK_AIR);
            generator_fill(g, c);
            if (!chunk_is_uniform(c)) {
                terrain++;
                size_t len = 0;
                char *text = chunk_encode(c, reg, &len, NULL);
                model += strncmp(text, "{\"c2\":\"", 7) == 0;
                free(text);
            }
            chunk_free(c);
        }
    assert_true(terrain > 0);
    assert_int_equal(model, terrain);
    generator_free(g);
}

/* The sync server stores chunks in the palette form, so that a JSONB containment search on
 * "palette" finds the chunks holding a block: every block present is named, and it reads back. */
static void test_codec_palette_form_names_every_block_present(void **state)
{
    (void)state;
    Generator *g = NULL;
    Err err = {0};
    if (generator_new(reg, 7, "normal", GENERATOR_VERSION, &g, &err) != MA_OK)
        fail_msg("%s", err.msg);
    int checked = 0;
    for (int cy = 0; cy < WORLD_CHUNKS_Y; cy++) {
        Chunk *c = chunk_new(1, cy, 5, BLOCK_AIR);
        generator_fill(g, c);
        if (!chunk_is_uniform(c))
            chunk_set(c, 3, 3, 3, (BlockId)blocks_find(reg, "chest"));
        size_t len = 0;
        char *text = chunk_encode_palette(c, reg, &len, &err);
        assert_non_null(text);
        cJSON *j = cJSON_Parse(text);
        const cJSON *pal = cJSON_GetObjectItemCaseSensitive(j, "palette");
        assert_true(cJSON_IsArray(pal));
        int present[BLOCKS_MAX] = {0};
        for (int i = 0; i < CHUNK_VOLUME; i++)
            present[c->blocks ? c->blocks[i] : c->uniform] = 1;
        int named = 0;
        const cJSON *n;
        cJSON_ArrayForEach(n, pal) {
            int id = blocks_find(reg, n->valuestring);
            assert_true(id >= 0 && present[id]);
            named++;
        }
        int distinct = 0;
        for (int i = 0; i < BLOCKS_MAX; i++)
            distinct += present[i];
        assert_int_equal(named, distinct);
        Chunk *back = NULL;
        assert_int_equal(chunk_decode(text, len, NULL, reg, 1, cy, 5, &back, &err), MA_OK);
        for (int y = 0; y < CHUNK_SIZE; y++)
            for (int z = 0; z < CHUNK_SIZE; z++)
                for (int x = 0; x < CHUNK_SIZE; x++)
                    assert_int_equal(chunk_get(back, x, y, z), chunk_get(c, x, y, z));
        checked += named > 1;
        chunk_free(back);
        cJSON_Delete(j);
        free(text);
        chunk_free(c);
    }
    assert_true(checked > 0);
    generator_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codec_round_trips_random_chunks),
        cmocka_unit_test(test_codec_round_trips_layers_and_every_block_type),
        cmocka_unit_test(test_codec_uniform_chunks_are_tiny),
        cmocka_unit_test(test_codec_round_trips_metadata_and_entities),
        cmocka_unit_test(test_codec_round_trips_every_chunk_of_a_generated_area),
        cmocka_unit_test(test_codec_reads_the_design_sparse_example),
        cmocka_unit_test(test_codec_sparse_form_lists_every_non_air_block),
        cmocka_unit_test(test_codec_refuses_hostile_input),
        cmocka_unit_test(test_codec_refuses_palette_over_256_names),
        cmocka_unit_test(test_codec_truncated_and_mutated_input_never_crashes),
        cmocka_unit_test(test_codec_model_form_is_fixed_forever),
        cmocka_unit_test(test_codec_c2_round_trips_veins_of_every_block),
        cmocka_unit_test(test_codec_c2_refuses_damaged_veins),
        cmocka_unit_test(test_codec_reads_the_older_palette_form),
        cmocka_unit_test(test_codec_model_follows_block_names_not_ids),
        cmocka_unit_test(test_codec_reads_the_design_list_form),
        cmocka_unit_test(test_codec_caps_entities_per_chunk),
        cmocka_unit_test(test_codec_model_form_is_used_for_terrain),
        cmocka_unit_test(test_codec_palette_form_names_every_block_present),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
