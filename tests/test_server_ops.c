/* test_server_ops.c — the push parser and the merge rules, without a database. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_merge.h"
#include "sync_ops.h"
#include "world/chunk_codec.h"

static BlockRegistry *reg;

static int setup(void **state)
{
    (void)state;
    Err err = {0};
    if (blocks_load_default(&reg, &err) != MA_OK)
        fail_msg("%s", err.msg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    blocks_free(reg);
    return 0;
}

/* Parses text; returns the status and leaves the message in err. */
static int parse(const char *text, SyncBatch **b, Err *err)
{
    return sync_batch_parse(text, strlen(text), reg, b, err);
}

static void assert_refused(const char *text, const char *words)
{
    SyncBatch *b = NULL;
    Err err = {0};
    int rc = parse(text, &b, &err);
    if (rc != MA_ERR_INVALID)
        fail_msg("accepted: %s", text);
    assert_null(b);
    if (!strstr(err.msg, words))
        fail_msg("message '%s' lacks '%s'", err.msg, words);
}

#define EDIT(fields) "{\"ops\":[{\"id\":\"op-00000001\",\"kind\":\"chunk_edit\",\"chunk\":[0,4,0],\"base_version\":0," fields "}]}"

static void test_parse_accepts_every_kind(void **state)
{
    (void)state;
    const char *text =
        "{\"ops\":["
        "{\"id\":\"w-0000001\",\"kind\":\"world\",\"base_version\":1,\"world\":{\"metadata\":{\"a\":1}}},"
        "{\"id\":\"c-0000001\",\"kind\":\"chunk_edit\",\"chunk\":[-3,4,7],\"base_version\":2,"
        " \"blocks\":[{\"x\":0,\"y\":0,\"z\":15,\"from\":\"grass\",\"to\":\"air\"}],"
        " \"meta\":[{\"x\":1,\"y\":1,\"z\":1,\"from\":null,\"to\":{\"items\":[]}}],"
        " \"entities\":[{\"id\":\"v1\",\"from\":{\"id\":\"v1\",\"type\":\"npc\"},\"to\":null}]},"
        "{\"id\":\"p-0000001\",\"kind\":\"character\",\"key\":\"pc\",\"base_version\":0,\"character\":{\"name\":\"Ann\","
        " \"character_class\":\"warrior\",\"position\":[1,2,3]},\"inventory\":[{\"item_type\":\"tool\",\"item_name\":\"axe\","
        " \"slot_position\":3}],\"skills\":[{\"skill_name\":\"mining\"}],\"state\":[{\"kind\":\"flag\",\"key\":\"k\",\"value\":\"v\"}]},"
        "{\"id\":\"r-0000001\",\"kind\":\"relationship\",\"from\":\"pc\",\"to\":\"npc\",\"entries\":[{\"id\":\"e1\",\"change\":3}]},"
        "{\"id\":\"q-0000001\",\"kind\":\"quest_progress\",\"character\":\"pc\",\"quest\":{\"title\":\"Wolves\"},\"status\":\"active\"},"
        "{\"id\":\"e-0000001\",\"kind\":\"evolution\",\"entry\":\"x1\",\"agent\":{\"name\":\"a\",\"type\":\"world_builder\"},"
        " \"evolution_type\":\"terrain\",\"changes_made\":{}},"
        "{\"id\":\"s-0000001\",\"kind\":\"story_choice\",\"entry\":\"c1\",\"character\":\"pc\",\"story\":{\"title\":\"Bell\"},"
        " \"branch\":{\"name\":\"b\"},\"choice_text\":\"yes\"}]}";
    SyncBatch *b = NULL;
    Err err = {0};
    if (parse(text, &b, &err) != MA_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(b->n, 7);
    assert_int_equal(b->ops[1].kind, SYNC_CHUNK_EDIT);
    assert_int_equal(b->ops[1].cx, -3); /* negative chunk coordinates are the world west of 0 */
    assert_int_equal(b->ops[1].n_blocks, 1);
    assert_int_equal(b->ops[1].blocks[0].to, BLOCK_AIR);
    assert_int_equal(b->ops[1].n_meta, 1);
    assert_null(b->ops[1].ents[0].to);
    assert_string_equal(b->ops[3].key2, "npc");
    sync_batch_free(b);
}

static void test_parse_refuses_malformed_and_hostile_batches(void **state)
{
    (void)state;
    assert_refused("not json", "not JSON");
    assert_refused("[1,2]", "must be an object");
    assert_refused("{\"ops\":{}}", "ops must be a list");
    assert_refused("{\"ops\":[]}", "1 to 500 operations");
    assert_refused("{\"ops\":[{\"id\":\"short\",\"kind\":\"world\"}]}", "id must be 8 to 64");
    assert_refused("{\"ops\":[{\"id\":\"x'; DROP TABLE users;--\",\"kind\":\"world\"}]}", "id must be");
    assert_refused("{\"ops\":[{\"id\":\"op-00000001\",\"kind\":\"teleport\"}]}", "kind must be one of");
    assert_refused(EDIT("\"blocks\":[{\"x\":-1,\"y\":0,\"z\":0,\"from\":\"air\",\"to\":\"stone\"}]"),
                   "blocks[0].x must be a whole number 0..15");
    assert_refused(EDIT("\"blocks\":[{\"x\":16,\"y\":0,\"z\":0,\"from\":\"air\",\"to\":\"stone\"}]"), "0..15");
    assert_refused(EDIT("\"blocks\":[{\"x\":1.5,\"y\":0,\"z\":0,\"from\":\"air\",\"to\":\"stone\"}]"), "whole number");
    assert_refused(EDIT("\"blocks\":[{\"x\":\"1\",\"y\":0,\"z\":0,\"from\":\"air\",\"to\":\"stone\"}]"), "whole number");
    assert_refused(EDIT("\"blocks\":[{\"x\":1,\"y\":0,\"z\":0,\"from\":\"air\",\"to\":\"unobtainium\"}]"),
                   "'unobtainium' is not a block");
    assert_refused(EDIT("\"blocks\":[{\"x\":1,\"y\":0,\"z\":0,\"from\":\"air\",\"to\":\"stone\"},"
                        "{\"x\":1,\"y\":0,\"z\":0,\"from\":\"air\",\"to\":\"dirt\"}]"),
                   "listed twice");
    assert_refused(EDIT("\"blocks\":[]"), "at least one change");
    assert_refused("{\"ops\":[{\"id\":\"op-00000001\",\"kind\":\"chunk_edit\",\"chunk\":[0,16,0],\"base_version\":0,"
                   "\"blocks\":[{\"x\":1,\"y\":0,\"z\":0,\"from\":\"air\",\"to\":\"stone\"}]}]}",
                   "chunk y must be");
    assert_refused("{\"ops\":[{\"id\":\"op-00000001\",\"kind\":\"chunk_edit\",\"chunk\":[1e300,4,0],\"base_version\":0,"
                   "\"blocks\":[{\"x\":1,\"y\":0,\"z\":0,\"from\":\"air\",\"to\":\"stone\"}]}]}",
                   "within");
    /* 2^27: its cells' x, 2^31 and on, would not fit in 32 bits. */
    assert_refused("{\"ops\":[{\"id\":\"op-00000001\",\"kind\":\"chunk_edit\",\"chunk\":[134217728,4,0],\"base_version\":0,"
                   "\"blocks\":[{\"x\":1,\"y\":0,\"z\":0,\"from\":\"air\",\"to\":\"stone\"}]}]}",
                   "within ±134217727");
    assert_refused("{\"ops\":[{\"id\":\"op-00000001\",\"kind\":\"chunk_edit\",\"chunk\":[0,4,0],\"base_version\":-1,"
                   "\"blocks\":[{\"x\":1,\"y\":0,\"z\":0,\"from\":\"air\",\"to\":\"stone\"}]}]}",
                   "base_version");
    assert_refused(EDIT("\"entities\":[{\"id\":\"v1\",\"from\":null,\"to\":{\"id\":\"v2\"}}]"), "to.id must be 'v1'");
    assert_refused("{\"ops\":[{\"id\":\"op-00000001\",\"kind\":\"character\",\"key\":\"k\",\"base_version\":0,"
                   "\"character\":{\"name\":\"\",\"character_class\":\"x\"}}]}",
                   "name must be 1 to 64");
    assert_refused("{\"ops\":[{\"id\":\"op-00000001\",\"kind\":\"character\",\"key\":\"k\",\"base_version\":0,"
                   "\"character\":{\"name\":\"a\",\"character_class\":\"x\",\"level\":0}}]}",
                   "level must be");
    assert_refused("{\"ops\":[{\"id\":\"op-00000001\",\"kind\":\"character\",\"key\":\"k\",\"base_version\":0,"
                   "\"character\":{\"name\":\"a\",\"character_class\":\"x\"},\"inventory\":[{\"item_type\":\"t\","
                   "\"item_name\":\"n\",\"quantity\":-5}]}]}",
                   "quantity must be");
    assert_refused("{\"ops\":[{\"id\":\"op-00000001\",\"kind\":\"relationship\",\"from\":\"a\",\"to\":\"a\","
                   "\"entries\":[{\"id\":\"e\"}]}]}",
                   "with itself");
    assert_refused("{\"ops\":[{\"id\":\"op-00000001\",\"kind\":\"relationship\",\"from\":\"a\",\"to\":\"b\","
                   "\"entries\":[{\"id\":\"e\",\"change\":1000}]}]}",
                   "change must be");
    assert_refused("{\"ops\":[{\"id\":\"op-00000001\",\"kind\":\"quest_progress\",\"character\":\"a\","
                   "\"quest\":{\"title\":\"t\"},\"status\":\"won\"}]}",
                   "status must be");
    assert_refused("{\"ops\":[{\"id\":\"op-00000001\",\"kind\":\"evolution\",\"entry\":\"e\",\"agent\":{\"name\":\"a\","
                   "\"type\":\"overlord\"},\"evolution_type\":\"t\",\"changes_made\":{}}]}",
                   "agent.type");
    assert_refused("{\"ops\":[{\"id\":\"op-00000001\",\"kind\":\"world\",\"base_version\":1,\"world\":{\"seed\":\"12x\"}}]}",
                   "seed must be");
    assert_refused("{\"ops\":[{\"id\":\"op-00000001\",\"kind\":\"world\",\"base_version\":1,\"world\":{}},"
                   "{\"id\":\"op-00000001\",\"kind\":\"world\",\"base_version\":1,\"world\":{}}]}",
                   "used twice");
    assert_refused("{\"ops\":[]} trailing", "not JSON");
}

static void test_parse_limits_the_number_of_operations(void **state)
{
    (void)state;
    size_t cap = 200000, n = 0;
    char *text = malloc(cap);
    n += (size_t)snprintf(text, cap, "{\"ops\":[");
    for (int i = 0; i <= SYNC_MAX_OPS; i++)
        n += (size_t)snprintf(text + n, cap - n, "%s{\"id\":\"op-%08d\",\"kind\":\"world\",\"base_version\":1,\"world\":{}}",
                              i ? "," : "", i);
    snprintf(text + n, cap - n, "]}");
    SyncBatch *b = NULL;
    Err err = {0};
    assert_int_equal(parse(text, &b, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "1 to 500"));
    free(text);
}

/* ------------------------------------------------------------ merging */

static SyncOp *one_op(const char *text, SyncBatch **b)
{
    Err err = {0};
    if (parse(text, b, &err) != MA_OK)
        fail_msg("%s", err.msg);
    return &(*b)->ops[0];
}

static Chunk *stone_chunk(void)
{
    Chunk *c = chunk_new(0, 4, 0, (BlockId)blocks_find(reg, "stone"));
    assert_non_null(c);
    return c;
}

static void test_merge_applies_edits_whose_base_still_holds(void **state)
{
    (void)state;
    Chunk *c = stone_chunk();
    SyncBatch *b;
    SyncOp *op = one_op(EDIT("\"blocks\":[{\"x\":1,\"y\":2,\"z\":3,\"from\":\"stone\",\"to\":\"air\"},"
                             "{\"x\":4,\"y\":5,\"z\":6,\"from\":\"stone\",\"to\":\"dirt\"}]"),
                        &b);
    cJSON *conf = cJSON_CreateArray();
    int changed = 0;
    assert_int_equal(sync_merge_chunk(c, reg, op, conf, &changed), MA_OK);
    assert_int_equal(changed, 2);
    assert_int_equal(cJSON_GetArraySize(conf), 0);
    assert_int_equal(chunk_get(c, 1, 2, 3), BLOCK_AIR);
    assert_int_equal(chunk_get(c, 4, 5, 6), blocks_find(reg, "dirt"));
    /* The same edit again finds "to" already there: nothing changes, no conflict. */
    assert_int_equal(sync_merge_chunk(c, reg, op, conf, &changed), MA_OK);
    assert_int_equal(changed, 0);
    assert_int_equal(cJSON_GetArraySize(conf), 0);
    cJSON_Delete(conf);
    sync_batch_free(b);
    chunk_free(c);
}

static void test_merge_keeps_the_servers_block_when_both_changed_it(void **state)
{
    (void)state;
    Chunk *c = stone_chunk();
    chunk_set(c, 1, 2, 3, (BlockId)blocks_find(reg, "dirt")); /* the other player got there first */
    SyncBatch *b;
    SyncOp *op = one_op(EDIT("\"blocks\":[{\"x\":1,\"y\":2,\"z\":3,\"from\":\"stone\",\"to\":\"air\"},"
                             "{\"x\":9,\"y\":9,\"z\":9,\"from\":\"stone\",\"to\":\"air\"}]"),
                        &b);
    cJSON *conf = cJSON_CreateArray();
    int changed = 0;
    assert_int_equal(sync_merge_chunk(c, reg, op, conf, &changed), MA_OK);
    assert_int_equal(changed, 1); /* the other block still merges */
    assert_int_equal(chunk_get(c, 9, 9, 9), BLOCK_AIR);
    assert_int_equal(chunk_get(c, 1, 2, 3), blocks_find(reg, "dirt"));
    assert_int_equal(cJSON_GetArraySize(conf), 1);
    cJSON *k = cJSON_GetArrayItem(conf, 0);
    assert_string_equal(cJSON_GetObjectItem(k, "yours")->valuestring, "air");
    assert_string_equal(cJSON_GetObjectItem(k, "server")->valuestring, "dirt");
    assert_string_equal(cJSON_GetObjectItem(k, "base")->valuestring, "stone");
    cJSON_Delete(conf);
    sync_batch_free(b);
    chunk_free(c);
}

static void test_merge_reports_a_removed_entity_that_was_changed(void **state)
{
    (void)state;
    Chunk *c = stone_chunk();
    cJSON_AddItemToArray(c->entities, cJSON_Parse("{\"id\":\"v1\",\"type\":\"npc\",\"position\":[2,0,2]}"));
    SyncBatch *b;
    /* This client killed the villager standing at 1,0,1; on the server it had moved to 2,0,2. */
    SyncOp *op = one_op(EDIT("\"entities\":[{\"id\":\"v1\",\"from\":{\"id\":\"v1\",\"type\":\"npc\",\"position\":[1,0,1]},"
                             "\"to\":null}]"),
                        &b);
    cJSON *conf = cJSON_CreateArray();
    int changed = 0;
    assert_int_equal(sync_merge_chunk(c, reg, op, conf, &changed), MA_OK);
    assert_int_equal(changed, 0);
    assert_int_equal(cJSON_GetArraySize(c->entities), 1);
    assert_int_equal(cJSON_GetArraySize(conf), 1);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(conf, 0), "yours")));
    cJSON_Delete(conf);
    sync_batch_free(b);
    chunk_free(c);
}

static void test_histories_merge_by_entry_id_and_value_replays(void **state)
{
    (void)state;
    cJSON *hist = cJSON_Parse("[{\"id\":\"a\",\"change\":60},{\"id\":\"b\",\"change\":60}]");
    cJSON *mine = cJSON_Parse("[{\"id\":\"b\",\"change\":60},{\"id\":\"c\",\"change\":-30}]");
    assert_int_equal(sync_merge_history(hist, mine), 1);
    assert_int_equal(cJSON_GetArraySize(hist), 3);
    /* 60, then 120 clamped to 100, then 70: the local game's rule */
    assert_int_equal(sync_relationship_value(hist), 70);
    assert_int_equal(sync_merge_history(hist, mine), 0);
    cJSON_Delete(hist);
    cJSON_Delete(mine);
}

static void test_quest_progress_takes_the_larger_count_and_a_finished_status(void **state)
{
    (void)state;
    SyncQuestState s = {0};
    s.exists = 1;
    snprintf(s.status, sizeof s.status, "active");
    s.progress_data = cJSON_Parse("{\"objectives\":[{\"id\":\"wolves\",\"count\":2,\"target\":3}],"
                                  "\"history\":[{\"id\":\"h1\"}]}");
    s.rewards_earned = cJSON_CreateArray();
    SyncBatch *b;
    SyncOp *op = one_op("{\"ops\":[{\"id\":\"op-00000001\",\"kind\":\"quest_progress\",\"character\":\"pc\","
                        "\"quest\":{\"title\":\"Wolves\"},\"status\":\"completed\",\"completed_at\":\"2026-11-27T03:00:00.000Z\","
                        "\"progress_data\":{\"objectives\":[{\"id\":\"wolves\",\"count\":1,\"done\":true}]},"
                        "\"history\":[{\"id\":\"h2\"}],\"rewards_earned\":[{\"experience\":80}]}]}",
                        &b);
    cJSON *conf = cJSON_CreateArray();
    assert_int_equal(sync_merge_quest(&s, op, conf), MA_OK);
    assert_int_equal(cJSON_GetArraySize(conf), 0);
    assert_string_equal(s.status, "completed");
    cJSON *ob = cJSON_GetArrayItem(cJSON_GetObjectItem(s.progress_data, "objectives"), 0);
    assert_int_equal(cJSON_GetObjectItem(ob, "count")->valueint, 2);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(ob, "done")));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(s.progress_data, "history")), 2);
    sync_batch_free(b);
    /* Another device says "failed": the server's "completed" stands, reported as a conflict. */
    op = one_op("{\"ops\":[{\"id\":\"op-00000002\",\"kind\":\"quest_progress\",\"character\":\"pc\","
                "\"quest\":{\"title\":\"Wolves\"},\"status\":\"failed\"}]}",
                &b);
    assert_int_equal(sync_merge_quest(&s, op, conf), MA_OK);
    assert_string_equal(s.status, "completed");
    assert_int_equal(cJSON_GetArraySize(conf), 1);
    cJSON_Delete(conf);
    sync_batch_free(b);
    sync_quest_state_clear(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_accepts_every_kind),
        cmocka_unit_test(test_parse_refuses_malformed_and_hostile_batches),
        cmocka_unit_test(test_parse_limits_the_number_of_operations),
        cmocka_unit_test(test_merge_applies_edits_whose_base_still_holds),
        cmocka_unit_test(test_merge_keeps_the_servers_block_when_both_changed_it),
        cmocka_unit_test(test_merge_reports_a_removed_entity_that_was_changed),
        cmocka_unit_test(test_histories_merge_by_entry_id_and_value_replays),
        cmocka_unit_test(test_quest_progress_takes_the_larger_count_and_a_finished_status),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
