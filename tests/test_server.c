/* test_server.c — the sync server against a real PostgreSQL: schema, accounts, tokens, who may
 * use a world, hostile requests, rate limits, TLS, the chunk search and backups. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include <curl/curl.h>

#include "net/sync_client.h"
#include "pg_harness.h"

static PgHarness pg;
static ServerProc srv;

static int setup(void **state)
{
    (void)state;
    pg_harness_start_server_or_exit(&pg, &srv, "1000/2000");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pg_harness_stop_server(&pg, &srv);
    return 0;
}

static SyncClient *client_as(const char *url, const char *name)
{
    return harness_client(url, name, 0);
}

static int64_t share_world(SyncClient *c, const char *name)
{
    return harness_share_world(c, name);
}

typedef struct Raw {
    long status;
    char *body;
    char retry_after[16];
} Raw;

static size_t raw_data(char *p, size_t s, size_t n, void *u)
{
    Raw *r = u;
    size_t old = r->body ? strlen(r->body) : 0;
    r->body = realloc(r->body, old + s * n + 1);
    memcpy(r->body + old, p, s * n);
    r->body[old + s * n] = '\0';
    return s * n;
}

static size_t raw_header(char *b, size_t s, size_t n, void *u)
{
    Raw *r = u;
    if (s * n > 12 && strncasecmp(b, "Retry-After:", 12) == 0)
        snprintf(r->retry_after, sizeof r->retry_after, "%.*s", (int)(s * n - 12), b + 12);
    return s * n;
}

/* Whether raw() asks to go on before sending its body ("Expect: 100-continue"): a client that
 * does hears a refusal before it sends; one that sends blind may find the connection closed
 * under its upload (the server answers at once and does not read on), so that what it reads is
 * a race between the answer and the reset. */
static int raw_expect_continue;

/* Any request, as a hostile client would send it. body may hold any bytes (len of them). */
static Raw raw(const char *method, const char *path, const char *token, const char *body, size_t len)
{
    Raw r = {0};
    char url[512], auth[128];
    snprintf(url, sizeof url, "%s%s", srv.url, path);
    CURL *k = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, raw_expect_continue ? "Expect: 100-continue" : "Expect:");
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    curl_easy_setopt(k, CURLOPT_URL, url);
    curl_easy_setopt(k, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(k, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(k, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(k, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, raw_data);
    curl_easy_setopt(k, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(k, CURLOPT_HEADERFUNCTION, raw_header);
    curl_easy_setopt(k, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(k, CURLOPT_TIMEOUT, 30L);
    if (curl_easy_perform(k) == CURLE_OK)
        curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    curl_easy_cleanup(k);
    if (!r.body)
        r.body = strdup("");
    return r;
}

static Raw raw_text(const char *method, const char *path, const char *token, const char *body)
{
    return raw(method, path, token, body, body ? strlen(body) : 0);
}

static void expect_status(Raw r, long status, const char *words)
{
    if (r.status != status || (words && !strstr(r.body, words)))
        fail_msg("expected %ld with '%s', got %ld: %s", status, words ? words : "", r.status, r.body);
    free(r.body);
}

/* ------------------------------------------------------------ schema */

static void test_migrate_builds_the_designs_twenty_tables_and_gin_indexes(void **state)
{
    (void)state;
    static const char *const tables[] = {"users", "sessions", "worlds", "world_chunks", "characters",
        "character_relationships", "character_skills", "crafting_recipes", "inventory", "stories", "story_branches",
        "player_choices", "quests", "quest_objectives", "quest_progress", "achievements", "ai_agents", "agent_memory",
        "world_evolution_log", "world_events"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM information_schema.columns WHERE table_name = '%s' "
                 "AND column_name = 'id' AND column_default LIKE 'nextval%%' AND data_type = 'bigint'", tables[i]);
        if (pg_query_int(&pg, sql) != 1)
            fail_msg("table %s has no BIGSERIAL id", tables[i]);
    }
    assert_int_equal(pg_query_int(&pg, "SELECT count(*) FROM pg_indexes WHERE indexname IN ('idx_characters_stats', "
                                       "'idx_world_chunks_blocks', 'idx_users_profile') AND indexdef LIKE '%USING gin%'"),
                     3);
    assert_int_equal(pg_query_int(&pg, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'world_chunks' "
                                       "AND column_name = 'block_data' AND data_type = 'jsonb'"),
                     1);
    char *out = NULL;
    assert_int_equal(server_run(&pg, &out, "migrate", NULL), 0);
    assert_non_null(strstr(out, "schema version 4 (0 migrations applied now)"));
    free(out);
}

static void test_health_answers_with_the_database_state(void **state)
{
    (void)state;
    SyncClient *c = NULL;
    Err err = {0};
    assert_int_equal(sync_client_new(srv.url, NULL, &c, &err), MA_OK);
    cJSON *info = NULL;
    assert_int_equal(sync_client_health(c, &info, &err), MA_OK);
    assert_string_equal(cJSON_GetObjectItem(info, "status")->valuestring, "ok");
    assert_int_equal(cJSON_GetObjectItem(info, "schema")->valueint, 4);
    cJSON_Delete(info);
    sync_client_free(c);
}

/* ------------------------------------------------------------ accounts and tokens */

static void test_accounts_keep_only_hashes_of_passwords_and_tokens(void **state)
{
    (void)state;
    SyncClient *c = client_as(srv.url, "hash_ann");
    char *hash = pg_query(&pg, "SELECT password_hash FROM users WHERE username = 'hash_ann'");
    assert_memory_equal(hash, "$2b$", 4);
    assert_null(strstr(hash, "a good password"));
    free(hash);
    const char *token = sync_client_token(c);
    assert_int_equal(strlen(token), 64);
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM sessions WHERE session_token = '%s' OR session_data::text LIKE '%%%s%%'",
             token, token);
    assert_int_equal(pg_query_int(&pg, sql), 0);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM sessions WHERE session_token = encode(sha256('%s'::bytea), 'hex')",
             token);
    assert_int_equal(pg_query_int(&pg, sql), 1);
    /* A name is taken once; a short password is refused. */
    Err err = {0};
    assert_int_equal(sync_client_register(c, "hash_ann", "another password", NULL, &err), MA_ERR_CONSTRAINT);
    assert_non_null(strstr(err.msg, "taken"));
    assert_int_equal(sync_client_register(c, "hash_bob", "short", NULL, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "8 to 72"));
    sync_client_free(c);
}

static void test_five_wrong_passwords_lock_the_account(void **state)
{
    (void)state;
    SyncClient *c = client_as(srv.url, "lock_cat");
    Err err = {0};
    SyncLogin out;
    for (int i = 1; i <= 4; i++) {
        assert_int_equal(sync_client_login(c, "lock_cat", "wrong password", &out, &err), MA_ERR_INVALID);
        assert_int_equal(out.tries_left, 5 - i);
    }
    assert_int_equal(sync_client_login(c, "lock_cat", "wrong password", &out, &err), MA_ERR_LOCKED);
    assert_true(out.locked_until[0] != '\0');
    assert_non_null(strstr(err.msg, "locked until"));
    /* Even the right password waits for the lock. */
    assert_int_equal(sync_client_login(c, "lock_cat", "a good password", &out, &err), MA_ERR_LOCKED);
    assert_int_equal(sync_client_last_status(c), 423);
    /* The operator's report finds it (through the users GIN index). */
    char *report = NULL;
    assert_int_equal(server_run(&pg, &report, "report", NULL), 0);
    assert_non_null(strstr(report, "lock_cat"));
    free(report);
    /* An unknown name gets the same answer as a wrong password. */
    assert_int_equal(sync_client_login(c, "nobody_at_all", "whatever pw", &out, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "wrong user name or password"));
    sync_client_free(c);
}

static void test_expired_ended_and_forged_tokens_are_refused(void **state)
{
    (void)state;
    SyncClient *c = client_as(srv.url, "tok_dan");
    Err err = {0};
    cJSON *worlds = NULL;
    assert_int_equal(sync_client_list_worlds(c, &worlds, &err), MA_OK);
    cJSON_Delete(worlds);
    char sql[512];
    snprintf(sql, sizeof sql, "UPDATE sessions SET created_at = now() - interval '2 days', expires_at = now() - interval '1 day' "
             "WHERE session_token = encode(sha256('%s'::bytea), 'hex')", sync_client_token(c));
    free(pg_query(&pg, sql));
    assert_int_equal(sync_client_list_worlds(c, &worlds, &err), MA_ERR_INVALID);
    assert_int_equal(sync_client_last_status(c), 401);
    assert_non_null(strstr(err.msg, "expired"));
    /* Log in again; log out; the token stops working. */
    assert_int_equal(sync_client_login(c, "tok_dan", "a good password", NULL, &err), MA_OK);
    char token[65];
    snprintf(token, sizeof token, "%s", sync_client_token(c));
    assert_int_equal(sync_client_logout(c, &err), MA_OK);
    expect_status(raw_text("GET", "/v1/worlds", token, NULL), 401, "log in again");
    expect_status(raw_text("GET", "/v1/worlds", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL),
                  401, "unknown");
    expect_status(raw_text("GET", "/v1/worlds", "'; DROP TABLE sessions; --", NULL), 401, "malformed");
    expect_status(raw_text("GET", "/v1/worlds", NULL, NULL), 401, "Bearer");
    assert_true(pg_query_int(&pg, "SELECT count(*) FROM sessions") > 0);
    sync_client_free(c);
}

/* ------------------------------------------------------------ worlds */

static void test_a_world_is_for_its_owner_and_the_players_they_invite(void **state)
{
    (void)state;
    SyncClient *ann = client_as(srv.url, "own_ann"), *bob = client_as(srv.url, "own_bob");
    SyncClient *cat = client_as(srv.url, "own_cat");
    int64_t w = share_world(ann, "Owned World");
    Err err = {0};
    cJSON *changes = NULL, *results = NULL;
    int64_t cursor = 0;
    int more = 0;
    assert_int_equal(sync_client_pull(bob, w, 0, 10, &changes, &cursor, &more, &err), MA_ERR_INVALID);
    assert_int_equal(sync_client_last_status(bob), 403);
    assert_non_null(strstr(err.msg, "not yours"));
    cJSON *ops = cJSON_Parse("[{\"id\":\"own-op-0001\",\"kind\":\"evolution\",\"entry\":\"x1\",\"agent\":{\"name\":\"a\","
                             "\"type\":\"world_builder\"},\"evolution_type\":\"t\",\"changes_made\":{}}]");
    assert_int_equal(sync_client_push(bob, w, ops, &results, NULL, &err), MA_ERR_INVALID);
    assert_int_equal(sync_client_last_status(bob), 403);
    /* Only the owner invites. */
    assert_int_equal(sync_client_invite(bob, w, "own_bob", &err), MA_ERR_INVALID);
    assert_int_equal(sync_client_invite(ann, w, "no_such_player", &err), MA_ERR_NOT_FOUND);
    assert_int_equal(sync_client_invite(ann, w, "own_bob", &err), MA_OK);
    assert_int_equal(sync_client_pull(bob, w, 0, 10, &changes, &cursor, &more, &err), MA_OK);
    assert_int_equal(cJSON_GetArraySize(changes), 1); /* the world's own row */
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(changes, 0), "kind")->valuestring, "world");
    cJSON_Delete(changes);
    assert_int_equal(sync_client_push(bob, w, ops, &results, NULL, &err), MA_OK);
    cJSON_Delete(results);
    /* A member may not invite either, and the third player still may not read. */
    assert_int_equal(sync_client_invite(bob, w, "own_cat", &err), MA_ERR_INVALID);
    assert_int_equal(sync_client_pull(cat, w, 0, 10, &changes, &cursor, &more, &err), MA_ERR_INVALID);
    cJSON *list = NULL;
    assert_int_equal(sync_client_list_worlds(bob, &list, &err), MA_OK);
    assert_int_equal(cJSON_GetArraySize(list), 1);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "role")->valuestring, "member");
    cJSON_Delete(list);
    /* World names are the design's UNIQUE. */
    cJSON *dup = cJSON_Parse("{\"name\":\"Owned World\",\"seed\":1}");
    int64_t id;
    assert_int_equal(sync_client_create_world(bob, dup, &id, &err), MA_ERR_CONSTRAINT);
    cJSON_Delete(dup);
    cJSON_Delete(ops);
    sync_client_free(ann);
    sync_client_free(bob);
    sync_client_free(cat);
}

/* ------------------------------------------------------------ hostile requests */

static long long table_rows(void)
{
    return pg_query_int(&pg, "SELECT (SELECT count(*) FROM sync_ops) + (SELECT count(*) FROM world_chunks) + "
                             "(SELECT count(*) FROM characters) + (SELECT count(*) FROM world_evolution_log) + "
                             "(SELECT count(*) FROM worlds) + (SELECT count(*) FROM users)");
}

static void test_hostile_requests_get_a_4xx_with_a_reason_and_change_nothing(void **state)
{
    (void)state;
    SyncClient *c = client_as(srv.url, "host_eve");
    int64_t w = share_world(c, "Hostile World");
    const char *tok = sync_client_token(c);
    char path[64];
    snprintf(path, sizeof path, "/v1/worlds/%lld/push", (long long)w);
    long long before = table_rows();

    /* huge */
    size_t big = 5u << 20;
    char *huge = malloc(big);
    memset(huge, ' ', big);
    memcpy(huge, "{\"ops\":[", 8);
    raw_expect_continue = 1;
    expect_status(raw("POST", path, tok, huge, big), 413, "at most");
    raw_expect_continue = 0;
    /* Sent blind, the same is refused the same way, or the connection closes under the upload
     * (seen under ASan: curl read status 0); either way nothing is taken (counted below). */
    Raw blind = raw("POST", path, tok, huge, big);
    if (blind.status != 0 && (blind.status != 413 || !strstr(blind.body, "at most")))
        fail_msg("a blind upload of 5 MiB got %ld: %s", blind.status, blind.body);
    free(blind.body);
    free(huge);
    /* deep */
    char deep[4096] = "{\"ops\":";
    for (int i = 0; i < 500; i++)
        strcat(deep, "[");
    expect_status(raw_text("POST", path, tok, deep), 400, "nested deeper");
    /* wrong types, negative coordinates, unknown blocks, not JSON, not UTF-8 */
    expect_status(raw_text("POST", path, tok, "{\"ops\":\"all of them\"}"), 400, "ops must be a list");
    expect_status(raw_text("POST", path, tok,
                           "{\"ops\":[{\"id\":\"bad-op-0001\",\"kind\":\"chunk_edit\",\"chunk\":[0,4,0],\"base_version\":0,"
                           "\"blocks\":[{\"x\":-3,\"y\":0,\"z\":0,\"from\":\"air\",\"to\":\"stone\"}]}]}"),
                  400, "blocks[0].x must be a whole number 0..15");
    expect_status(raw_text("POST", path, tok,
                           "{\"ops\":[{\"id\":\"bad-op-0002\",\"kind\":\"chunk_edit\",\"chunk\":[0,-1,0],\"base_version\":0,"
                           "\"blocks\":[{\"x\":3,\"y\":0,\"z\":0,\"from\":\"air\",\"to\":\"stone\"}]}]}"),
                  400, "chunk y");
    expect_status(raw_text("POST", path, tok,
                           "{\"ops\":[{\"id\":\"bad-op-0003\",\"kind\":\"character\",\"key\":\"k\",\"base_version\":\"zero\","
                           "\"character\":{}}]}"),
                  400, "base_version");
    expect_status(raw_text("POST", path, tok, "{\"ops\": [1, 2, 3"), 400, "not JSON");
    expect_status(raw("POST", path, tok, "{\"ops\":[\"\xff\xfe\"]}", 13), 400, "UTF-8");
    expect_status(raw("POST", path, tok, "{\"ops\":[\"a\0b\"]}", 15), 400, "NUL");
    /* a valid op next to a bad one: the whole batch is refused */
    expect_status(raw_text("POST", path, tok,
                           "{\"ops\":[{\"id\":\"good-op-001\",\"kind\":\"evolution\",\"entry\":\"e1\",\"agent\":{\"name\":\"a\","
                           "\"type\":\"world_builder\"},\"evolution_type\":\"t\",\"changes_made\":{}},"
                           "{\"id\":\"bad-op-0004\",\"kind\":\"evolution\"}]}"),
                  400, "ops[1]");
    /* the wrong endpoint, method, parameters */
    expect_status(raw_text("GET", "/v1/worlds/1/../../etc/passwd", tok, NULL), 404, "no such endpoint");
    expect_status(raw_text("DELETE", "/v1/worlds", tok, NULL), 405, "not allowed");
    snprintf(path, sizeof path, "/v1/worlds/%lld/changes?since=-5", (long long)w);
    expect_status(raw_text("GET", path, tok, NULL), 400, "since");
    snprintf(path, sizeof path, "/v1/worlds/%lld/changes?limit=100000", (long long)w);
    expect_status(raw_text("GET", path, tok, NULL), 400, "limit");
    expect_status(raw_text("GET", "/v1/worlds/99999999/changes", tok, NULL), 404, "no world");
    expect_status(raw_text("POST", "/v1/register", NULL, "{\"username\":\"\",\"password\":\"long enough\"}"), 400,
                  "username");
    expect_status(raw_text("POST", "/v1/register", NULL, "{\"username\":[1],\"password\":\"long enough\"}"), 400,
                  "username");
    assert_int_equal(table_rows(), before);

    /* SQL in strings is only ever text. */
    cJSON *ops = cJSON_Parse("[{\"id\":\"sql-op-0001\",\"kind\":\"character\",\"key\":\"k'); DROP TABLE users; --\","
                             "\"base_version\":0,\"character\":{\"name\":\"Robert'); DROP TABLE characters;--\","
                             "\"character_class\":\"' OR 1=1 --\",\"stats\":{\"health\":1}},"
                             "\"state\":[{\"kind\":\"flag\",\"key\":\"$1\",\"value\":\"'; DELETE FROM sessions; --\"}]}]");
    cJSON *results = NULL;
    Err err = {0};
    assert_int_equal(sync_client_push(c, w, ops, &results, NULL, &err), MA_OK);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(results, 0), "status")->valuestring, "applied");
    char *name = pg_query(&pg, "SELECT name FROM characters WHERE sync_key = 'k''); DROP TABLE users; --'");
    assert_string_equal(name, "Robert'); DROP TABLE characters;--");
    free(name);
    assert_true(pg_query_int(&pg, "SELECT count(*) FROM users") > 0);
    assert_true(pg_query_int(&pg, "SELECT count(*) FROM sessions") > 0);
    cJSON_Delete(results);
    cJSON_Delete(ops);
    sync_client_free(c);
}

static void test_each_token_is_rate_limited(void **state)
{
    (void)state;
    ServerProc slow;
    char why[512];
    const char *env[] = {"MAGIC_SERVER_RATE=5/10", NULL};
    if (server_proc_start(&slow, &pg, 0, env, NULL, why, sizeof why) != 0)
        fail_msg("%s", why);
    SyncClient *a = client_as(slow.url, "rate_fay"), *b = client_as(slow.url, "rate_gus");
    Err err = {0};
    int refused = 0;
    for (int i = 0; i < 30; i++) {
        cJSON *list = NULL;
        if (sync_client_list_worlds(a, &list, &err) != MA_OK) {
            assert_int_equal(sync_client_last_status(a), 429);
            refused++;
        }
        cJSON_Delete(list);
    }
    assert_true(refused > 0);
    assert_non_null(strstr(err.msg, "slow down"));
    /* another player's token has its own bucket */
    cJSON *list = NULL;
    assert_int_equal(sync_client_list_worlds(b, &list, &err), MA_OK);
    cJSON_Delete(list);
    sync_client_free(a);
    sync_client_free(b);
    server_proc_stop(&slow);
}

static void test_the_server_speaks_tls_when_given_a_certificate(void **state)
{
    (void)state;
    if (system("command -v openssl >/dev/null 2>&1") != 0)
        skip();
    char cert[400], key[400], cmd[1400], why[512];
    snprintf(cert, sizeof cert, "%s/cert.pem", pg.dir);
    snprintf(key, sizeof key, "%s/key.pem", pg.dir);
    snprintf(cmd, sizeof cmd, "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
             "-addext subjectAltName=IP:127.0.0.1 -keyout '%s' -out '%s' >/dev/null 2>&1", key, cert);
    assert_int_equal(system(cmd), 0);
    ServerProc tls;
    const char *args[] = {"--tls-cert", cert, "--tls-key", key, NULL};
    if (server_proc_start(&tls, &pg, 0, NULL, args, why, sizeof why) != 0)
        fail_msg("%s", why);
    assert_memory_equal(tls.url, "https://", 8);
    SyncClient *c = NULL;
    Err err = {0};
    SyncClientOptions opt = {.ca_file = cert, .retries = 0};
    assert_int_equal(sync_client_new(tls.url, &opt, &c, &err), MA_OK);
    assert_int_equal(sync_client_health(c, NULL, &err), MA_OK);
    sync_client_free(c);
    /* without trusting the certificate the client refuses, and says why */
    SyncClientOptions plain = {.retries = 0};
    assert_int_equal(sync_client_new(tls.url, &plain, &c, &err), MA_OK);
    assert_int_equal(sync_client_health(c, NULL, &err), MA_ERR_IO);
    assert_non_null(strstr(err.msg, "secure connection"));
    sync_client_free(c);
    server_proc_stop(&tls);
}

static void test_a_client_says_when_the_server_is_not_running(void **state)
{
    (void)state;
    SyncClient *c = NULL;
    Err err = {0};
    SyncClientOptions opt = {.retries = 2, .backoff_ms = 10};
    assert_int_equal(sync_client_new("http://127.0.0.1:1", &opt, &c, &err), MA_OK);
    assert_int_equal(sync_client_health(c, NULL, &err), MA_ERR_IO);
    assert_non_null(strstr(err.msg, "cannot reach the sync server at http://127.0.0.1:1"));
    assert_non_null(strstr(err.msg, "is it running?"));
    assert_int_equal(sync_client_last_status(c), 0);
    sync_client_free(c);
    assert_int_equal(sync_client_new("ftp://example.org", NULL, &c, &err), MA_ERR_INVALID);
}

/* ------------------------------------------------------------ search and backups */

static void test_chunks_are_found_by_the_blocks_and_entities_they_hold(void **state)
{
    (void)state;
    SyncClient *c = client_as(srv.url, "find_hal");
    int64_t w = share_world(c, "Chest World");
    cJSON *ops = cJSON_Parse(
        "[{\"id\":\"find-op-001\",\"kind\":\"chunk_edit\",\"chunk\":[2,4,-3],\"base_version\":0,"
        "\"blocks\":[{\"x\":1,\"y\":1,\"z\":1,\"from\":\"air\",\"to\":\"chest\"}],"
        "\"entities\":[{\"id\":\"villager_9\",\"from\":null,\"to\":{\"id\":\"villager_9\",\"type\":\"npc\"}}]},"
        "{\"id\":\"find-op-002\",\"kind\":\"chunk_edit\",\"chunk\":[3,4,-3],\"base_version\":0,"
        "\"blocks\":[{\"x\":1,\"y\":1,\"z\":1,\"from\":\"air\",\"to\":\"dirt\"}]}]");
    cJSON *results = NULL, *found = NULL;
    Err err = {0};
    assert_int_equal(sync_client_push(c, w, ops, &results, NULL, &err), MA_OK);
    assert_int_equal(sync_client_find_chunks(c, w, "chest", NULL, &found, &err), MA_OK);
    char *s = cJSON_PrintUnformatted(found);
    assert_string_equal(s, "[[2,4,-3]]");
    free(s);
    cJSON_Delete(found);
    assert_int_equal(sync_client_find_chunks(c, w, NULL, "villager_9", &found, &err), MA_OK);
    assert_int_equal(cJSON_GetArraySize(found), 1);
    cJSON_Delete(found);
    assert_int_equal(sync_client_find_chunks(c, w, "no_such_block", NULL, &found, &err), MA_ERR_INVALID);
    /* The containment query can be answered by the GIN index on block_data. */
    char *plan = pg_query(&pg, "SET enable_seqscan = off; EXPLAIN (FORMAT JSON) SELECT chunk_x FROM world_chunks "
                               "WHERE block_data @> '{\"palette\":[\"chest\"]}'");
    assert_non_null(plan);
    if (!strstr(plan, "idx_world_chunks_blocks"))
        fail_msg("the plan does not use the GIN index: %s", plan);
    free(plan);
    cJSON_Delete(results);
    cJSON_Delete(ops);
    sync_client_free(c);
}

static void test_backup_dumps_the_database_and_keeps_the_retention(void **state)
{
    (void)state;
    if (system("command -v pg_dump >/dev/null 2>&1") != 0)
        skip();
    char dir[400], old[500], *out = NULL;
    snprintf(dir, sizeof dir, "%s/backups", pg.dir);
    mkdir(dir, 0700);
    snprintf(old, sizeof old, "%s/magic-adventure-20000101-000000.dump", dir);
    th_write_file(old, "old", 3);
    struct utimbuf t = {time(NULL) - 40 * 86400, time(NULL) - 40 * 86400};
    utime(old, &t);
    assert_int_equal(server_run(&pg, &out, "backup", "--dir", dir, NULL), 0);
    assert_non_null(strstr(out, "backup: "));
    assert_non_null(strstr(out, "removed 1 backup older than 30 days"));
    assert_int_not_equal(access(old, F_OK), 0);
    free(out);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate_builds_the_designs_twenty_tables_and_gin_indexes),
        cmocka_unit_test(test_health_answers_with_the_database_state),
        cmocka_unit_test(test_accounts_keep_only_hashes_of_passwords_and_tokens),
        cmocka_unit_test(test_five_wrong_passwords_lock_the_account),
        cmocka_unit_test(test_expired_ended_and_forged_tokens_are_refused),
        cmocka_unit_test(test_a_world_is_for_its_owner_and_the_players_they_invite),
        cmocka_unit_test(test_hostile_requests_get_a_4xx_with_a_reason_and_change_nothing),
        cmocka_unit_test(test_each_token_is_rate_limited),
        cmocka_unit_test(test_the_server_speaks_tls_when_given_a_certificate),
        cmocka_unit_test(test_a_client_says_when_the_server_is_not_running),
        cmocka_unit_test(test_chunks_are_found_by_the_blocks_and_entities_they_hold),
        cmocka_unit_test(test_backup_dumps_the_database_and_keeps_the_retention),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
