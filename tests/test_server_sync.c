/* test_server_sync.c — push and pull between clients of one world, through the client library
 * (src/net/sync_client.c), against the real server on a real PostgreSQL: merges, conflicts,
 * deletes against changes, cut connections, concurrent pushes and the cursor, kill -9. */
#include "helpers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/sync_client.h"
#include "pg_harness.h"
#include "world/chunk_codec.h"

static PgHarness pg;
static ServerProc srv;
static BlockRegistry *reg;

static int setup(void **state)
{
    (void)state;
    pg_harness_start_server_or_exit(&pg, &srv, "5000/10000");
    Err err = {0};
    if (blocks_load_default(&reg, &err) != MA_OK)
        fail_msg("%s", err.msg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pg_harness_stop_server(&pg, &srv);
    blocks_free(reg);
    return 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Pushes ops (JSON text of a list); fails the test on a transport error. The answers are
 * returned (caller frees). */
static cJSON *push(SyncClient *c, int64_t world, const char *ops_text)
{
    cJSON *ops = cJSON_Parse(ops_text), *results = NULL;
    if (!ops)
        fail_msg("bad test JSON: %s", ops_text);
    Err err = {0};
    if (sync_client_push(c, world, ops, &results, NULL, &err) != MA_OK)
        fail_msg("push: %s", err.msg);
    cJSON_Delete(ops);
    return results;
}

static const char *status_of(const cJSON *results, int i)
{
    return cJSON_GetObjectItem(cJSON_GetArrayItem(results, i), "status")->valuestring;
}

/* Everything the world has changed, pulled page by page (limit small on purpose). */
static cJSON *pull_all(SyncClient *c, int64_t world)
{
    cJSON *all = cJSON_CreateArray();
    int64_t cursor = 0;
    int more = 1;
    while (more) {
        cJSON *page = NULL;
        Err err = {0};
        if (sync_client_pull(c, world, cursor, 3, &page, &cursor, &more, &err) != MA_OK)
            fail_msg("pull: %s", err.msg);
        cJSON *e;
        while ((e = cJSON_DetachItemFromArray(page, 0)))
            cJSON_AddItemToArray(all, e);
        cJSON_Delete(page);
    }
    return all;
}

/* The chunk at cx,cy,cz as a pull shows it (the last row for it), decoded. */
static Chunk *pulled_chunk(SyncClient *c, int64_t world, int cx, int cy, int cz, int *version)
{
    cJSON *all = pull_all(c, world), *e;
    Chunk *out = NULL;
    cJSON_ArrayForEach(e, all) {
        const cJSON *xyz = cJSON_GetObjectItem(e, "chunk");
        if (strcmp(cJSON_GetObjectItem(e, "kind")->valuestring, "chunk") != 0 ||
            cJSON_GetArrayItem(xyz, 0)->valueint != cx || cJSON_GetArrayItem(xyz, 1)->valueint != cy ||
            cJSON_GetArrayItem(xyz, 2)->valueint != cz)
            continue;
        char *bd = cJSON_PrintUnformatted(cJSON_GetObjectItem(e, "block_data"));
        char *st = cJSON_PrintUnformatted(cJSON_GetObjectItem(e, "structures"));
        Err err = {0};
        chunk_free(out);
        out = NULL;
        if (chunk_decode(bd, strlen(bd), st, reg, cx, cy, cz, &out, &err) != MA_OK)
            fail_msg("%s", err.msg);
        *version = cJSON_GetObjectItem(e, "version")->valueint;
        free(bd);
        free(st);
    }
    cJSON_Delete(all);
    if (!out)
        fail_msg("no chunk %d,%d,%d in the pull", cx, cy, cz);
    return out;
}

static int block(const char *name)
{
    return blocks_find(reg, name);
}

/* Two players of one world: ann owns it, bob is invited. */
static int64_t two_players(const char *world, SyncClient **ann, SyncClient **bob)
{
    char a[64], b[64];
    snprintf(a, sizeof a, "ann_%s", world);
    snprintf(b, sizeof b, "bob_%s", world);
    *ann = harness_client(srv.url, a, 0);
    *bob = harness_client(srv.url, b, 0);
    int64_t w = harness_share_world(*ann, world);
    Err err = {0};
    if (sync_client_invite(*ann, w, b, &err) != MA_OK)
        fail_msg("%s", err.msg);
    return w;
}

/* ------------------------------------------------------------ chunks */

static void test_edits_to_different_blocks_of_one_chunk_both_stand(void **state)
{
    (void)state;
    SyncClient *ann, *bob;
    int64_t w = two_players("merge", &ann, &bob);
    /* In a flat world chunk 0,4,0 is grass at local y 0 and air above. Neither saw the other. */
    cJSON *r = push(ann, w, "[{\"id\":\"merge-a-001\",\"kind\":\"chunk_edit\",\"chunk\":[0,4,0],\"base_version\":0,"
                            "\"blocks\":[{\"x\":1,\"y\":1,\"z\":1,\"from\":\"air\",\"to\":\"stone\"}]}]");
    assert_string_equal(status_of(r, 0), "applied");
    cJSON_Delete(r);
    r = push(bob, w, "[{\"id\":\"merge-b-001\",\"kind\":\"chunk_edit\",\"chunk\":[0,4,0],\"base_version\":0,"
                     "\"blocks\":[{\"x\":2,\"y\":1,\"z\":2,\"from\":\"air\",\"to\":\"planks\"},"
                     "{\"x\":5,\"y\":0,\"z\":5,\"from\":\"grass\",\"to\":\"air\"}]}]");
    assert_string_equal(status_of(r, 0), "applied");
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(r, 0), "version")->valueint, 2);
    cJSON_Delete(r);
    int version = 0;
    Chunk *c = pulled_chunk(ann, w, 0, 4, 0, &version);
    assert_int_equal(version, 2);
    assert_int_equal(chunk_get(c, 1, 1, 1), block("stone"));
    assert_int_equal(chunk_get(c, 2, 1, 2), block("planks"));
    assert_int_equal(chunk_get(c, 5, 0, 5), BLOCK_AIR);
    assert_int_equal(chunk_get(c, 6, 0, 6), block("grass")); /* the generated rest is there too */
    chunk_free(c);
    sync_client_free(ann);
    sync_client_free(bob);
}

static void test_the_same_block_keeps_the_servers_and_reports_the_other(void **state)
{
    (void)state;
    SyncClient *ann, *bob;
    int64_t w = two_players("same", &ann, &bob);
    cJSON *r = push(ann, w, "[{\"id\":\"same-a-001\",\"kind\":\"chunk_edit\",\"chunk\":[-1,4,0],\"base_version\":0,"
                            "\"blocks\":[{\"x\":3,\"y\":1,\"z\":3,\"from\":\"air\",\"to\":\"stone\"}]}]");
    cJSON_Delete(r);
    r = push(bob, w, "[{\"id\":\"same-b-001\",\"kind\":\"chunk_edit\",\"chunk\":[-1,4,0],\"base_version\":0,"
                     "\"blocks\":[{\"x\":3,\"y\":1,\"z\":3,\"from\":\"air\",\"to\":\"dirt\"},"
                     "{\"x\":4,\"y\":1,\"z\":4,\"from\":\"air\",\"to\":\"dirt\"}]}]");
    cJSON *a = cJSON_GetArrayItem(r, 0);
    assert_string_equal(status_of(r, 0), "conflict");
    cJSON *k = cJSON_GetArrayItem(cJSON_GetObjectItem(a, "conflicts"), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(a, "conflicts")), 1);
    assert_string_equal(cJSON_GetObjectItem(k, "yours")->valuestring, "dirt");
    assert_string_equal(cJSON_GetObjectItem(k, "server")->valuestring, "stone");
    assert_int_equal(cJSON_GetObjectItem(k, "x")->valueint, 3);
    /* the server's row comes with it, so the client can show both */
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(a, "server"), "block_data"));
    cJSON_Delete(r);
    int version = 0;
    Chunk *c = pulled_chunk(bob, w, -1, 4, 0, &version);
    assert_int_equal(chunk_get(c, 3, 1, 3), block("stone")); /* the server's stands */
    assert_int_equal(chunk_get(c, 4, 1, 4), block("dirt"));  /* the rest of bob's edit merged */
    chunk_free(c);
    /* Nothing lost: bob's edit is in the stored answer, and bob can re-apply it on purpose. */
    assert_int_equal(pg_query_int(&pg, "SELECT count(*) FROM sync_ops WHERE op_id = 'same-b-001' "
                                       "AND response->'conflicts'->0->>'yours' = 'dirt'"),
                     1);
    r = push(bob, w, "[{\"id\":\"same-b-002\",\"kind\":\"chunk_edit\",\"chunk\":[-1,4,0],\"base_version\":2,"
                     "\"blocks\":[{\"x\":3,\"y\":1,\"z\":3,\"from\":\"stone\",\"to\":\"dirt\"}]}]");
    assert_string_equal(status_of(r, 0), "applied");
    cJSON_Delete(r);
    c = pulled_chunk(ann, w, -1, 4, 0, &version);
    assert_int_equal(chunk_get(c, 3, 1, 3), block("dirt"));
    chunk_free(c);
    sync_client_free(ann);
    sync_client_free(bob);
}

static void test_a_delete_of_something_changed_meanwhile_is_a_conflict(void **state)
{
    (void)state;
    SyncClient *ann, *bob;
    int64_t w = two_players("delete", &ann, &bob);
    /* A villager entity in a chunk: ann moves it; bob, not knowing, kills it where it was. */
    cJSON *r = push(ann, w, "[{\"id\":\"del-a-0001\",\"kind\":\"chunk_edit\",\"chunk\":[0,4,1],\"base_version\":0,"
                            "\"entities\":[{\"id\":\"v7\",\"from\":null,\"to\":{\"id\":\"v7\",\"type\":\"npc\",\"position\":[1,1,1]}}]}]");
    cJSON_Delete(r);
    r = push(ann, w, "[{\"id\":\"del-a-0002\",\"kind\":\"chunk_edit\",\"chunk\":[0,4,1],\"base_version\":1,"
                     "\"entities\":[{\"id\":\"v7\",\"from\":{\"id\":\"v7\",\"type\":\"npc\",\"position\":[1,1,1]},"
                     "\"to\":{\"id\":\"v7\",\"type\":\"npc\",\"position\":[2,1,2]}}]}]");
    assert_string_equal(status_of(r, 0), "applied");
    cJSON_Delete(r);
    r = push(bob, w, "[{\"id\":\"del-b-0001\",\"kind\":\"chunk_edit\",\"chunk\":[0,4,1],\"base_version\":1,"
                     "\"entities\":[{\"id\":\"v7\",\"from\":{\"id\":\"v7\",\"type\":\"npc\",\"position\":[1,1,1]},\"to\":null}]}]");
    assert_string_equal(status_of(r, 0), "conflict");
    cJSON_Delete(r);
    int version = 0;
    Chunk *c = pulled_chunk(bob, w, 0, 4, 1, &version);
    assert_int_equal(cJSON_GetArraySize(c->entities), 1);
    assert_int_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(c->entities, 0), "position"), 0)->valueint, 2);
    chunk_free(c);

    /* A character on two devices of one player: device 2 deletes what device 1 changed. */
    SyncClient *ann2 = harness_client(srv.url, "ann_delete", 0);
    const char *hero = "\"key\":\"hero\",\"character\":{\"name\":\"Hero\",\"character_class\":\"warrior\",\"level\":%d}";
    char ops[1024];
    snprintf(ops, sizeof ops, "[{\"id\":\"del-c-0001\",\"kind\":\"character\",\"base_version\":0,%s}]", hero);
    snprintf(ops, sizeof ops, "[{\"id\":\"del-c-0001\",\"kind\":\"character\",\"base_version\":0,"
             "\"key\":\"hero\",\"character\":{\"name\":\"Hero\",\"character_class\":\"warrior\",\"level\":1}}]");
    r = push(ann, w, ops);
    cJSON_Delete(r);
    r = push(ann, w, "[{\"id\":\"del-c-0002\",\"kind\":\"character\",\"base_version\":1,"
                     "\"key\":\"hero\",\"character\":{\"name\":\"Hero\",\"character_class\":\"warrior\",\"level\":2}}]");
    cJSON_Delete(r);
    r = push(ann2, w, "[{\"id\":\"del-c-0003\",\"kind\":\"character\",\"base_version\":1,\"key\":\"hero\",\"deleted\":true}]");
    assert_string_equal(status_of(r, 0), "conflict");
    cJSON *server_row = cJSON_GetObjectItem(cJSON_GetArrayItem(r, 0), "server");
    assert_false(cJSON_IsTrue(cJSON_GetObjectItem(server_row, "deleted")));
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(server_row, "character"), "level")->valueint, 2);
    cJSON_Delete(r);
    assert_int_equal(pg_query_int(&pg, "SELECT count(*) FROM characters WHERE sync_key = 'hero' AND NOT deleted "
                                       "AND level = 2"),
                     1);
    /* Having seen version 2, the delete goes through; then device 1's stale change bounces. */
    r = push(ann2, w, "[{\"id\":\"del-c-0004\",\"kind\":\"character\",\"base_version\":2,\"key\":\"hero\",\"deleted\":true}]");
    assert_string_equal(status_of(r, 0), "applied");
    cJSON_Delete(r);
    r = push(ann, w, "[{\"id\":\"del-c-0005\",\"kind\":\"character\",\"base_version\":2,"
                     "\"key\":\"hero\",\"character\":{\"name\":\"Hero\",\"character_class\":\"warrior\",\"level\":3}}]");
    assert_string_equal(status_of(r, 0), "conflict");
    cJSON_Delete(r);
    /* Another player may not touch ann's character at all. */
    r = push(bob, w, "[{\"id\":\"del-c-0006\",\"kind\":\"character\",\"base_version\":3,\"key\":\"hero\",\"deleted\":true}]");
    assert_string_equal(status_of(r, 0), "rejected");
    cJSON_Delete(r);
    sync_client_free(ann2);
    sync_client_free(ann);
    sync_client_free(bob);
}

static void test_a_shared_villager_changes_only_from_the_servers_version(void **state)
{
    (void)state;
    SyncClient *ann, *bob;
    int64_t w = two_players("villager", &ann, &bob);
    const char *v = "\"key\":\"villager_3_4\",\"npc\":true,\"character\":{\"name\":\"Mara\",\"character_class\":\"villager\"}";
    char ops[512];
    snprintf(ops, sizeof ops, "[{\"id\":\"vil-a-0001\",\"kind\":\"character\",\"base_version\":0,%s}]", v);
    cJSON *r = push(ann, w, ops);
    assert_string_equal(status_of(r, 0), "applied");
    cJSON_Delete(r);
    /* bob met her too, before seeing ann's row: the server's row comes back */
    snprintf(ops, sizeof ops, "[{\"id\":\"vil-b-0001\",\"kind\":\"character\",\"base_version\":0,%s}]", v);
    r = push(bob, w, ops);
    assert_string_equal(status_of(r, 0), "conflict");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(r, 0), "server"), "key")->valuestring,
                        "villager_3_4");
    cJSON_Delete(r);
    snprintf(ops, sizeof ops, "[{\"id\":\"vil-b-0002\",\"kind\":\"character\",\"base_version\":1,%s}]", v);
    r = push(bob, w, ops);
    assert_string_equal(status_of(r, 0), "applied");
    cJSON_Delete(r);
    sync_client_free(ann);
    sync_client_free(bob);
}

/* ------------------------------------------------------------ histories and logs */

static void test_relationship_and_quest_histories_merge_from_two_devices(void **state)
{
    (void)state;
    SyncClient *ann, *bob;
    int64_t w = two_players("history", &ann, &bob);
    SyncClient *ann2 = harness_client(srv.url, "ann_history", 0);
    cJSON *r = push(ann, w, "[{\"id\":\"his-0000001\",\"kind\":\"character\",\"base_version\":0,\"key\":\"pc\","
                            "\"character\":{\"name\":\"Ann\",\"character_class\":\"warrior\"}},"
                            "{\"id\":\"his-0000002\",\"kind\":\"character\",\"base_version\":0,\"key\":\"npc\",\"npc\":true,"
                            "\"character\":{\"name\":\"Mara\",\"character_class\":\"villager\"}},"
                            "{\"id\":\"his-0000003\",\"kind\":\"relationship\",\"from\":\"npc\",\"to\":\"pc\","
                            "\"entries\":[{\"id\":\"e1\",\"change\":60,\"deed\":\"gift\"},{\"id\":\"e2\",\"change\":30}]},"
                            "{\"id\":\"his-0000004\",\"kind\":\"quest_progress\",\"character\":\"pc\","
                            "\"quest\":{\"title\":\"Wolf Trouble\",\"objectives\":[{\"text\":\"Wolves slain\"}]},\"status\":\"active\","
                            "\"progress_data\":{\"objectives\":[{\"id\":\"wolves\",\"count\":2,\"target\":3}]},"
                            "\"history\":[{\"id\":\"h1\",\"event\":\"accepted\"}]}]");
    for (int i = 0; i < 4; i++)
        assert_string_equal(status_of(r, i), "applied");
    cJSON_Delete(r);
    /* the second device had e2 and made e3; it slew a wolf and finished the quest */
    r = push(ann2, w, "[{\"id\":\"his-0000005\",\"kind\":\"relationship\",\"from\":\"npc\",\"to\":\"pc\","
                      "\"entries\":[{\"id\":\"e2\",\"change\":30},{\"id\":\"e3\",\"change\":-50,\"deed\":\"theft\"}]},"
                      "{\"id\":\"his-0000006\",\"kind\":\"quest_progress\",\"character\":\"pc\",\"quest\":{\"title\":\"Wolf Trouble\"},"
                      "\"status\":\"completed\",\"progress_data\":{\"objectives\":[{\"id\":\"wolves\",\"count\":1,\"done\":true}]},"
                      "\"history\":[{\"id\":\"h2\",\"event\":\"handed in\"}],\"rewards_earned\":[{\"experience\":80}]}]");
    cJSON *rel = cJSON_GetArrayItem(r, 0);
    assert_string_equal(status_of(r, 0), "applied");
    assert_int_equal(cJSON_GetObjectItem(rel, "added")->valueint, 1);
    /* 60, 90, then 40: replayed over the merged history */
    assert_int_equal(cJSON_GetObjectItem(rel, "relationship_value")->valueint, 40);
    assert_string_equal(status_of(r, 1), "applied");
    cJSON_Delete(r);
    assert_int_equal(pg_query_int(&pg, "SELECT jsonb_array_length(interaction_history) FROM character_relationships r "
                                       "JOIN characters c ON c.id = r.character_id WHERE c.sync_key = 'npc' AND r.world_id IN "
                                       "(SELECT id FROM worlds WHERE name = 'history')"),
                     3);
    char *q = pg_query(&pg, "SELECT status || ' ' || (progress_data->'objectives'->0->>'count') || ' ' || "
                            "jsonb_array_length(progress_data->'history') || ' ' || (completed_at IS NOT NULL) "
                            "FROM quest_progress WHERE world_id IN (SELECT id FROM worlds WHERE name = 'history')");
    assert_string_equal(q, "completed 2 2 true");
    free(q);
    /* bob may not write ann's quest or a relationship of ann's character */
    r = push(bob, w, "[{\"id\":\"his-0000007\",\"kind\":\"quest_progress\",\"character\":\"pc\",\"quest\":{\"title\":\"X\"},"
                     "\"status\":\"active\"},"
                     "{\"id\":\"his-0000008\",\"kind\":\"relationship\",\"from\":\"npc\",\"to\":\"pc\",\"entries\":[{\"id\":\"b1\"}]},"
                     "{\"id\":\"his-0000009\",\"kind\":\"relationship\",\"from\":\"npc\",\"to\":\"nobody\",\"entries\":[{\"id\":\"b1\"}]}]");
    assert_string_equal(status_of(r, 0), "rejected");
    assert_string_equal(status_of(r, 1), "rejected");
    assert_string_equal(status_of(r, 2), "rejected");
    assert_non_null(strstr(cJSON_GetObjectItem(cJSON_GetArrayItem(r, 2), "reason")->valuestring, "push the character first"));
    cJSON_Delete(r);
    sync_client_free(ann2);
    sync_client_free(ann);
    sync_client_free(bob);
}

static void test_the_evolution_log_and_choices_are_append_only(void **state)
{
    (void)state;
    SyncClient *ann, *bob;
    int64_t w = two_players("append", &ann, &bob);
    const char *entry = "\"kind\":\"evolution\",\"entry\":\"evo-77\",\"agent\":{\"name\":\"builder\",\"type\":\"world_builder\"},"
                        "\"evolution_type\":\"terrain\",\"changes_made\":{\"what\":\"a bridge\"}";
    char ops[1024];
    snprintf(ops, sizeof ops, "[{\"id\":\"app-a-0001\",%s}]", entry);
    cJSON *r = push(ann, w, ops);
    assert_string_equal(status_of(r, 0), "applied");
    cJSON_Delete(r);
    snprintf(ops, sizeof ops, "[{\"id\":\"app-b-0001\",%s}]", entry); /* the same entry, relayed by another */
    r = push(bob, w, ops);
    assert_string_equal(status_of(r, 0), "applied");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(r, 0), "existing")));
    cJSON_Delete(r);
    assert_int_equal(pg_query_int(&pg, "SELECT count(*) FROM world_evolution_log WHERE sync_key = 'evo-77'"), 1);
    r = push(ann, w, "[{\"id\":\"app-a-0002\",\"kind\":\"character\",\"base_version\":0,\"key\":\"pc\","
                     "\"character\":{\"name\":\"Ann\",\"character_class\":\"priest\"}},"
                     "{\"id\":\"app-a-0003\",\"kind\":\"story_choice\",\"entry\":\"ch-1\",\"character\":\"pc\","
                     "\"story\":{\"title\":\"The Lost Bell\"},\"branch\":{\"name\":\"ask the priest\"},\"choice_text\":\"I will help\"}]");
    assert_string_equal(status_of(r, 1), "applied");
    cJSON_Delete(r);
    cJSON *all = pull_all(bob, w), *e;
    int evo = 0, choices = 0;
    cJSON_ArrayForEach(e, all) {
        const char *k = cJSON_GetObjectItem(e, "kind")->valuestring;
        evo += strcmp(k, "evolution") == 0;
        if (strcmp(k, "story_choice") == 0) {
            choices++;
            assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "branch"), "name")->valuestring, "ask the priest");
            assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "story"), "title")->valuestring, "The Lost Bell");
        }
    }
    assert_int_equal(evo, 1);
    assert_int_equal(choices, 1);
    cJSON_Delete(all);
    sync_client_free(ann);
    sync_client_free(bob);
}

/* ------------------------------------------------------------ pulls around a place */

/* What a pull near (cx, cz) from since 0 brings: kind:key strings in one text. */
static char *near_kinds(SyncClient *c, int64_t w, int cx, int cz)
{
    cJSON *page = NULL, *e;
    int64_t cursor = 0;
    int more = 0;
    Err err = {0};
    if (sync_client_pull_near(c, w, 0, 100, cx, cz, 2, &page, &cursor, &more, &err) != MA_OK)
        fail_msg("%s", err.msg);
    char *out = calloc(1, 4096);
    cJSON_ArrayForEach(e, page) {
        const char *kind = cJSON_GetObjectItem(e, "kind")->valuestring;
        char item[128];
        if (strcmp(kind, "chunk") == 0)
            snprintf(item, sizeof item, "chunk:%d,%d ", cJSON_GetArrayItem(cJSON_GetObjectItem(e, "chunk"), 0)->valueint,
                     cJSON_GetArrayItem(cJSON_GetObjectItem(e, "chunk"), 2)->valueint);
        else if (strcmp(kind, "character") == 0)
            snprintf(item, sizeof item, "character:%s ", cJSON_GetObjectItem(e, "key")->valuestring);
        else
            snprintf(item, sizeof item, "%s ", kind);
        strcat(out, item);
    }
    cJSON_Delete(page);
    return out;
}

static void test_a_pull_near_a_place_brings_what_is_around_and_ones_own(void **state)
{
    (void)state;
    SyncClient *ann, *bob;
    int64_t w = two_players("near", &ann, &bob);
    cJSON *r = push(ann, w, "[{\"id\":\"near-a-001\",\"kind\":\"character\",\"base_version\":0,\"key\":\"ann\","
                            "\"character\":{\"name\":\"Ann\",\"character_class\":\"warrior\",\"position\":[8,65,8]}},"
                            "{\"id\":\"near-a-002\",\"kind\":\"chunk_edit\",\"chunk\":[0,4,0],\"base_version\":0,"
                            "\"blocks\":[{\"x\":1,\"y\":1,\"z\":1,\"from\":\"air\",\"to\":\"stone\"}]},"
                            "{\"id\":\"near-a-003\",\"kind\":\"chunk_edit\",\"chunk\":[40,4,40],\"base_version\":0,"
                            "\"blocks\":[{\"x\":1,\"y\":1,\"z\":1,\"from\":\"air\",\"to\":\"stone\"}]},"
                            "{\"id\":\"near-a-004\",\"kind\":\"evolution\",\"entry\":\"near-e1\",\"agent\":{\"name\":\"b\","
                            "\"type\":\"world_builder\"},\"evolution_type\":\"t\",\"changes_made\":{}}]");
    cJSON_Delete(r);
    r = push(bob, w, "[{\"id\":\"near-b-001\",\"kind\":\"character\",\"base_version\":0,\"key\":\"bob\","
                     "\"character\":{\"name\":\"Bob\",\"character_class\":\"priest\",\"position\":[645,65,650]}}]");
    cJSON_Delete(r);
    /* bob stands at chunk 40,40: the chunk there, himself, the world's log; not ann's corner */
    char *seen = near_kinds(bob, w, 40, 40);
    assert_non_null(strstr(seen, "chunk:40,40"));
    assert_non_null(strstr(seen, "character:bob"));
    assert_non_null(strstr(seen, "evolution"));
    assert_non_null(strstr(seen, "world"));
    assert_null(strstr(seen, "chunk:0,0"));
    assert_null(strstr(seen, "character:ann"));
    free(seen);
    /* walking to ann's corner, a pull from 0 there brings its latest state */
    seen = near_kinds(bob, w, 1, 0);
    assert_non_null(strstr(seen, "chunk:0,0"));
    assert_non_null(strstr(seen, "character:ann"));
    assert_non_null(strstr(seen, "character:bob")); /* his own, wherever he is */
    assert_null(strstr(seen, "chunk:40,40"));
    free(seen);
    Err err = {0};
    cJSON *page = NULL;
    int64_t cursor;
    int more;
    assert_int_equal(sync_client_pull_near(bob, w, 0, 10, 0, 0, 65, &page, &cursor, &more, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "radius"));
    sync_client_free(ann);
    sync_client_free(bob);
}

/* ------------------------------------------------------------ cut connections */

/* Sends bytes to the server on a fresh connection, then closes it without reading. */
static void send_and_hang_up(int port, const char *bytes, size_t len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    size_t sent = 0;
    while (sent < len) {
        ssize_t n = write(fd, bytes + sent, len - sent);
        assert_true(n > 0);
        sent += (size_t)n;
    }
    close(fd);
}

static void test_a_push_cut_in_the_middle_is_applied_once_when_retried(void **state)
{
    (void)state;
    SyncClient *ann = harness_client(srv.url, "ann_cut", 0);
    int64_t w = harness_share_world(ann, "cut");
    const char *body = "{\"ops\":[{\"id\":\"cut-op-0001\",\"kind\":\"chunk_edit\",\"chunk\":[0,4,0],\"base_version\":0,"
                       "\"blocks\":[{\"x\":1,\"y\":1,\"z\":1,\"from\":\"air\",\"to\":\"stone\"}]},"
                       "{\"id\":\"cut-op-0002\",\"kind\":\"evolution\",\"entry\":\"cut-e1\",\"agent\":{\"name\":\"b\","
                       "\"type\":\"world_builder\"},\"evolution_type\":\"t\",\"changes_made\":{}}]}";
    char head[512];
    int hl = snprintf(head, sizeof head,
                      "POST /v1/worlds/%lld/push HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                      "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                      (long long)w, sync_client_token(ann), strlen(body));
    /* 1. cut before the body is complete: the server applies nothing */
    char *req = malloc((size_t)hl + strlen(body) + 1);
    memcpy(req, head, (size_t)hl);
    memcpy(req + hl, body, strlen(body) + 1);
    send_and_hang_up(srv.port, req, (size_t)hl + strlen(body) / 2);
    sleep_ms(300);
    assert_int_equal(pg_query_int(&pg, "SELECT count(*) FROM sync_ops WHERE op_id LIKE 'cut-op-%'"), 0);
    assert_int_equal(pg_query_int(&pg, "SELECT count(*) FROM world_chunks WHERE world_id IN "
                                       "(SELECT id FROM worlds WHERE name = 'cut')"),
                     0);
    /* 2. the whole request sent but the answer lost: the server applies it ... */
    send_and_hang_up(srv.port, req, (size_t)hl + strlen(body));
    for (int i = 0; i < 100 && pg_query_int(&pg, "SELECT count(*) FROM sync_ops WHERE op_id LIKE 'cut-op-%'") < 2; i++)
        sleep_ms(50);
    assert_int_equal(pg_query_int(&pg, "SELECT count(*) FROM sync_ops WHERE op_id LIKE 'cut-op-%'"), 2);
    /* ... and the client's retry gets the first answers back, changing nothing twice */
    cJSON *r = push(ann, w, strchr(body, '['));
    assert_string_equal(status_of(r, 0), "duplicate");
    assert_string_equal(status_of(r, 1), "duplicate");
    cJSON *first = cJSON_GetObjectItem(cJSON_GetArrayItem(r, 0), "first");
    assert_string_equal(cJSON_GetObjectItem(first, "status")->valuestring, "applied");
    assert_int_equal(cJSON_GetObjectItem(first, "version")->valueint, 1);
    cJSON_Delete(r);
    r = push(ann, w, strchr(body, '['));
    cJSON_Delete(r);
    assert_int_equal(pg_query_int(&pg, "SELECT version FROM world_chunks WHERE world_id IN "
                                       "(SELECT id FROM worlds WHERE name = 'cut')"),
                     1);
    assert_int_equal(pg_query_int(&pg, "SELECT count(*) FROM world_evolution_log WHERE sync_key = 'cut-e1'"), 1);
    free(req);
    sync_client_free(ann);
}

/* ------------------------------------------------------------ concurrency */

#define PUSHERS 4
#define ROUNDS 20

typedef struct Pusher {
    int i;
    int64_t world;
    char user[32];
    int done;
    SyncClient *c; /* signed in by the main thread (cmocka's checks belong to it) */
    char failure[400]; /* what went wrong in the thread, checked after the join */
} Pusher;

static void *pusher_main(void *arg)
{
    Pusher *p = arg;
    SyncClient *c = p->c;
    for (int r = 0; r < ROUNDS && !p->failure[0]; r++) {
        char ops[1024];
        snprintf(ops, sizeof ops,
                 "[{\"id\":\"cc-%d-%d-a\",\"kind\":\"evolution\",\"entry\":\"cc-%d-%d-1\",\"agent\":{\"name\":\"b\","
                 "\"type\":\"world_builder\"},\"evolution_type\":\"t\",\"changes_made\":{}},"
                 "{\"id\":\"cc-%d-%d-b\",\"kind\":\"evolution\",\"entry\":\"cc-%d-%d-2\",\"agent\":{\"name\":\"b\","
                 "\"type\":\"world_builder\"},\"evolution_type\":\"t\",\"changes_made\":{}},"
                 "{\"id\":\"cc-%d-%d-c\",\"kind\":\"chunk_edit\",\"chunk\":[%d,4,9],\"base_version\":%d,"
                 "\"blocks\":[{\"x\":%d,\"y\":%d,\"z\":0,\"from\":\"air\",\"to\":\"stone\"}]}]",
                 p->i, r, p->i, r, p->i, r, p->i, r, p->i, r, p->i, r, r % 16, 1 + r / 16);
        cJSON *list = cJSON_Parse(ops), *res = NULL;
        Err err = {0};
        if (sync_client_push(c, p->world, list, &res, NULL, &err) != MA_OK)
            snprintf(p->failure, sizeof p->failure, "push: %s", err.msg);
        for (int k = 0; !p->failure[0] && k < 3; k++)
            if (strcmp(status_of(res, k), "applied") != 0)
                snprintf(p->failure, sizeof p->failure, "round %d op %d: %s", r, k, status_of(res, k));
        cJSON_Delete(list);
        cJSON_Delete(res);
    }
    __atomic_store_n(&p->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void test_the_cursor_misses_no_change_under_concurrent_pushes(void **state)
{
    (void)state;
    SyncClient *owner = harness_client(srv.url, "cc_owner", 0);
    int64_t w = harness_share_world(owner, "concurrent");
    Pusher ps[PUSHERS];
    pthread_t th[PUSHERS];
    Err err = {0};
    for (int i = 0; i < PUSHERS; i++) {
        ps[i].i = i;
        ps[i].world = w;
        ps[i].done = 0;
        ps[i].failure[0] = '\0';
        snprintf(ps[i].user, sizeof ps[i].user, "cc_user_%d", i);
        ps[i].c = harness_client(srv.url, ps[i].user, 3);
        assert_int_equal(sync_client_invite(owner, w, ps[i].user, &err), MA_OK);
    }
    for (int i = 0; i < PUSHERS; i++)
        pthread_create(&th[i], NULL, pusher_main, &ps[i]);
    /* Pull while they push, a few rows at a time, and remember every entry seen. */
    char *seen = calloc(PUSHERS * ROUNDS * 2, 1);
    int64_t cursor = 0, last = 0;
    int all_done = 0, pulls = 0;
    while (!all_done) {
        all_done = 1;
        for (int i = 0; i < PUSHERS; i++)
            all_done &= __atomic_load_n(&ps[i].done, __ATOMIC_SEQ_CST);
        int more = 1;
        while (more) { /* after the last pusher is done, one full drain */
            cJSON *page = NULL, *e;
            assert_int_equal(sync_client_pull(owner, w, cursor, 5, &page, &cursor, &more, &err), MA_OK);
            pulls++;
            cJSON_ArrayForEach(e, page) {
                int64_t seq = (int64_t)cJSON_GetObjectItem(e, "seq")->valuedouble;
                assert_true(seq > last); /* strictly increasing, never repeated */
                last = seq;
                if (strcmp(cJSON_GetObjectItem(e, "kind")->valuestring, "evolution") == 0) {
                    int pi, r, k;
                    assert_int_equal(sscanf(cJSON_GetObjectItem(e, "entry")->valuestring, "cc-%d-%d-%d", &pi, &r, &k), 3);
                    seen[(pi * ROUNDS + r) * 2 + k - 1] = 1;
                }
            }
            cJSON_Delete(page);
            if (!all_done)
                break;
        }
    }
    for (int i = 0; i < PUSHERS; i++) {
        pthread_join(th[i], NULL);
        sync_client_free(ps[i].c);
        if (ps[i].failure[0])
            fail_msg("pusher %d: %s", i, ps[i].failure);
    }
    for (int i = 0; i < PUSHERS * ROUNDS * 2; i++)
        if (!seen[i])
            fail_msg("entry cc-%d-%d-%d was committed but the cursor passed it by", i / 2 / ROUNDS, i / 2 % ROUNDS,
                     i % 2 + 1);
    assert_true(pulls > 1);
    free(seen);
    sync_client_free(owner);
}

/* ------------------------------------------------------------ kill -9 */

typedef struct Killer {
    int64_t world;
    const char *url;
    int batches, failed, retried, done;
} Killer;

static void *steady_pusher(void *arg)
{
    Killer *k = arg;
    SyncClient *c = NULL;
    Err err = {0};
    SyncClientOptions opt = {.retries = 40, .backoff_ms = 25, .timeout_ms = 10000};
    if (sync_client_new(k->url, &opt, &c, &err) != MA_OK || sync_client_login(c, "ann_kill", "a good password", NULL, &err) != MA_OK) {
        fprintf(stderr, "steady pusher: %s\n", err.msg);
        k->failed++;
        __atomic_store_n(&k->done, k->batches, __ATOMIC_SEQ_CST);
        sync_client_free(c);
        return NULL;
    }
    for (int b = 0; b < k->batches; b++) {
        size_t cap = 16384, n = 0;
        char *ops = malloc(cap);
        n += (size_t)snprintf(ops, cap, "[");
        for (int i = 0; i < 20; i++) {
            if (i % 2 == 0)
                n += (size_t)snprintf(ops + n, cap - n,
                                      "%s{\"id\":\"kill-%d-%d\",\"kind\":\"chunk_edit\",\"chunk\":[%d,4,3],\"base_version\":%d,"
                                      "\"blocks\":[{\"x\":%d,\"y\":%d,\"z\":%d,\"from\":\"air\",\"to\":\"stone\"}]}",
                                      i ? "," : "", b, i, i / 2, b, b % 16, 1 + b / 16, 0);
            else
                n += (size_t)snprintf(ops + n, cap - n,
                                      ",{\"id\":\"kill-%d-%d\",\"kind\":\"evolution\",\"entry\":\"kill-e-%d-%d\",\"agent\":"
                                      "{\"name\":\"b\",\"type\":\"world_builder\"},\"evolution_type\":\"t\",\"changes_made\":{}}",
                                      b, i, b, i);
        }
        snprintf(ops + n, cap - n, "]");
        cJSON *list = cJSON_Parse(ops), *res = NULL;
        free(ops);
        if (sync_client_push(c, k->world, list, &res, NULL, &err) != MA_OK) {
            k->failed++;
            fprintf(stderr, "push %d: %s\n", b, err.msg);
        } else {
            cJSON *e;
            cJSON_ArrayForEach(e, res) {
                const char *st = cJSON_GetObjectItem(e, "status")->valuestring;
                /* applied now, or applied before the kill and answered from the record */
                if (strcmp(st, "applied") != 0 && strcmp(st, "duplicate") != 0) {
                    k->failed++;
                    char *text = cJSON_PrintUnformatted(e);
                    fprintf(stderr, "push %d: %s\n", b, text);
                    free(text);
                }
            }
        }
        if (sync_client_last_attempts(c) > 1)
            k->retried++;
        cJSON_Delete(list);
        cJSON_Delete(res);
        __atomic_store_n(&k->done, b + 1, __ATOMIC_SEQ_CST);
    }
    sync_client_free(c);
    return NULL;
}

static void test_the_server_killed_mid_push_loses_and_doubles_nothing(void **state)
{
    (void)state;
    ServerProc victim;
    char why[512];
    const char *env[] = {"MAGIC_SERVER_RATE=5000/10000", NULL};
    if (server_proc_start(&victim, &pg, 0, env, NULL, why, sizeof why) != 0)
        fail_msg("%s", why);
    SyncClient *ann = harness_client(victim.url, "ann_kill", 0);
    Killer k = {.world = harness_share_world(ann, "killed"), .url = victim.url, .batches = 60};
    sync_client_free(ann);
    pthread_t th;
    pthread_create(&th, NULL, steady_pusher, &k);
    for (int kill = 0; kill < 3; kill++) {
        /* kill while the pusher is in the middle of its batches (it pushes back to back) */
        for (int w = 0; w < 30000 && __atomic_load_n(&k.done, __ATOMIC_SEQ_CST) < 10 + 15 * kill; w++)
            sleep_ms(1);
        sleep_ms(2 + kill);
        assert_true(__atomic_load_n(&k.done, __ATOMIC_SEQ_CST) < k.batches);
        int port = victim.port;
        server_proc_kill9(&victim);
        sleep_ms(100);
        if (server_proc_start(&victim, &pg, port, env, NULL, why, sizeof why) != 0)
            fail_msg("restart: %s", why);
    }
    pthread_join(th, NULL);
    server_proc_stop(&victim);
    assert_int_equal(k.failed, 0);
    assert_true(k.retried > 0); /* some pushes met a dead server and were sent again */
    /* Every op once: recorded once, each chunk edit one version, each log entry one row. */
    assert_int_equal(pg_query_int(&pg, "SELECT count(*) FROM sync_ops WHERE op_id LIKE 'kill-%'"), 60 * 20);
    assert_int_equal(pg_query_int(&pg, "SELECT sum(version) FROM world_chunks WHERE world_id IN "
                                       "(SELECT id FROM worlds WHERE name = 'killed')"),
                     60 * 10);
    assert_int_equal(pg_query_int(&pg, "SELECT count(*) FROM world_evolution_log WHERE sync_key LIKE 'kill-e-%'"), 60 * 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edits_to_different_blocks_of_one_chunk_both_stand),
        cmocka_unit_test(test_the_same_block_keeps_the_servers_and_reports_the_other),
        cmocka_unit_test(test_a_delete_of_something_changed_meanwhile_is_a_conflict),
        cmocka_unit_test(test_a_shared_villager_changes_only_from_the_servers_version),
        cmocka_unit_test(test_relationship_and_quest_histories_merge_from_two_devices),
        cmocka_unit_test(test_the_evolution_log_and_choices_are_append_only),
        cmocka_unit_test(test_a_pull_near_a_place_brings_what_is_around_and_ones_own),
        cmocka_unit_test(test_a_push_cut_in_the_middle_is_applied_once_when_retried),
        cmocka_unit_test(test_the_cursor_misses_no_change_under_concurrent_pushes),
        cmocka_unit_test(test_the_server_killed_mid_push_loses_and_doubles_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
