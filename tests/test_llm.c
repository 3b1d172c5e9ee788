/* test_llm.c — the LLM endpoint for the agents (issue 11), in the core.
 *
 * First the pure parts: the configuration (environment and file, a key in a
 * file others can read refused, the key never described), the reply
 * envelope and the validator of every kind (unknown fields, wrong types,
 * unknown ids, escape sequences, an echoed prompt, numbers clamped, the rule
 * language's own validation for a branch).
 *
 * Then the agents against tests/llm_stub.py on a loopback port, each case on
 * a fresh copy of one prepared save, running the agents over a game day with
 * a session attached and draining its answers: a good reply rewrites the
 * quest as a new evolution entry of type "llm" (source, model, usage, prompt
 * sections, the reply) and rolling it back restores the offline text; every
 * hostile reply (non-JSON, wrong types, unknown ids, escapes, an echoed
 * prompt, truncation, 401, 404, 429, 500, too slow, refused, cut) falls back
 * with the reason said, leaves the offline text and a save that verifies; and
 * with the endpoint hostile the world the agents make is the one they make
 * with no endpoint at all. */
#include "helpers.h"
#include "llm_stub.h"

#include <cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agents/agent_internal.h" /* the story weaver's hook, as an agent calls it */
#include "agents/agents.h"
#include "agents/agents_llm.h"
#include "agents/evolution.h"
#include "game/calendar.h"
#include "game/game.h"
#include "net/llm.h"
#include "net/sync_client.h"
#include "sync/sync.h"
#include "net/llm_reply.h"
#include "save/agents.h"
#include "save/dump.h"
#include "save/stories.h"

static char *dir;
static char base_db[600];

/* ------------------------------------------------------------ helpers */

/* The first column of the first row (heap; "" when none). */
static char *query_text(const char *db, const char *sql)
{
    char *t = th_sql_text(db, sql);
    return t ? t : strdup("");
}

static int query_int(const char *db, const char *sql)
{
    char *t = query_text(db, sql);
    int v = atoi(t);
    free(t);
    return v;
}

static void copy_file(const char *from, const char *to) { th_copy_file(from, to); }

typedef struct Notes {
    char text[16384];
    int spoke, rewrote, fell_back;
} Notes;

static void on_note(AgentsLlmNote kind, const char *text, void *ud)
{
    Notes *n = ud;
    size_t len = strlen(n->text);
    snprintf(n->text + len, sizeof n->text - len, "[%d] %s\n", kind, text);
    n->spoke += kind == AGENTS_LLM_SPOKE;
    n->rewrote += kind == AGENTS_LLM_REWROTE;
    n->fell_back += kind == AGENTS_LLM_FELL_BACK;
}

static LlmConfig config_for(const char *url, int timeout_s)
{
    LlmConfig c;
    memset(&c, 0, sizeof c);
    c.on = 1;
    snprintf(c.url, sizeof c.url, "%s", url);
    c.timeout_s = timeout_s;
    c.rpm = 600;
    c.tokens_per_day = 1000000;
    return c;
}

/* Runs the agents of the prepared world over one game day on a copy of the base save named name, with an LLM
 * session on cfg (NULL: none), draining its answers for up to drain_s seconds. Returns the copy's path. */
static const char *run_day(const char *name, const LlmConfig *cfg, int drain_s, Notes *notes)
{
    static char path[600];
    snprintf(path, sizeof path, "%s/%s.db", dir, name);
    copy_file(base_db, path);
    Save *s = NULL;
    Err err = {0};
    assert_int_equal(save_open(path, 0, &s, &err), MA_OK);
    Game *g = NULL;
    GameStart st = {.username = "hero", .world = "vale"};
    if (game_start(s, &st, &g, &err) != MA_OK)
        fail_msg("%s", err.msg);
    Agents *a = NULL;
    if (agents_open(s, game_world(g), &a, &err) != MA_OK)
        fail_msg("%s", err.msg);
    AgentsLlm *l = NULL;
    if (cfg) {
        if (agents_llm_open(s, game_world(g), cfg, &l, &err) != MA_OK)
            fail_msg("%s", err.msg);
        agents_llm_attach(a, l);
    }
    int64_t to = game_clock(g) + TURNS_PER_DAY;
    if (agents_advance(a, to, -1, 100, NULL, NULL, &err) < 0)
        fail_msg("%s", err.msg);
    if (l) {
        int left = agents_llm_drain(l, g, to, drain_s * 1000, on_note, notes, &err);
        assert_true(left >= 0);
        agents_llm_attach(a, NULL);
        agents_llm_close(l);
    }
    agents_close(a);
    game_close(g);
    save_close(s);
    return path;
}

static int verify_problems(const char *path)
{
    Save *s = NULL;
    Err err = {0};
    assert_int_equal(save_open(path, SAVE_READONLY, &s, &err), MA_OK);
    int n = save_verify(s, NULL, NULL, &err);
    save_close(s);
    return n;
}

/* The offline quest title of the base save's first agent quest (from a run without an LLM). */
static char offline_title[200];

/* ------------------------------------------------------------ setup */

static int setup(void **state)
{
    (void)state;
    dir = th_tmpdir();
    setenv("MAGIC_BCRYPT_COST", "4", 1);
    snprintf(base_db, sizeof base_db, "%s/base.db", dir);
    Save *s = NULL;
    Err err = {0};
    if (save_open(base_db, SAVE_CREATE, &s, &err) != MA_OK)
        fail_msg("%s", err.msg);
    int64_t id;
    assert_int_equal(world_create(s, "vale", 7, "normal", &id, &err), MA_OK);
    Game *g = NULL;
    GameStart st = {.username = "hero", .world = "vale", .seed = 7};
    if (game_start(s, &st, &g, &err) != MA_OK)
        fail_msg("%s", err.msg);
    game_close(g);
    save_close(s);
    Notes n = {0};
    const char *off = run_day("offline", NULL, 0, &n);
    char *t = query_text(off, "SELECT title FROM quests WHERE json_extract(details,'$.source')='agent' ORDER BY id LIMIT 1");
    snprintf(offline_title, sizeof offline_title, "%s", t);
    free(t);
    if (!offline_title[0])
        fail_msg("the quest generator wrote no quest on the prepared world: the tests need one");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    th_tmpdir_free(dir);
    return 0;
}

/* ------------------------------------------------------------ configuration */

static void test_config_off_by_default_and_on_with_the_url(void **state)
{
    (void)state;
    char home[600];
    snprintf(home, sizeof home, "%s/home-empty", dir);
    mkdir(home, 0700);
    setenv("XDG_CONFIG_HOME", home, 1);
    unsetenv("MAGIC_LLM_URL"), unsetenv("MAGIC_LLM_MODEL"), unsetenv("MAGIC_LLM_KEY"), unsetenv("MAGIC_LLM_TIMEOUT");
    LlmConfig c;
    llm_config_load(&c);
    assert_false(c.on);
    setenv("MAGIC_LLM_URL", "http://127.0.0.1:8080/v1/", 1);
    setenv("MAGIC_LLM_KEY", "sk-secret-123", 1);
    setenv("MAGIC_LLM_TIMEOUT", "9", 1);
    llm_config_load(&c);
    assert_true(c.on);
    assert_string_equal(c.url, "http://127.0.0.1:8080/v1");
    assert_int_equal(c.timeout_s, 9);
    char line[800];
    llm_config_describe(&c, line, sizeof line);
    assert_non_null(strstr(line, "on: "));
    assert_null(strstr(line, "sk-secret-123"));
    setenv("MAGIC_LLM_TIMEOUT", "soon", 1);
    llm_config_load(&c);
    assert_int_equal(c.timeout_s, LLM_DEFAULT_TIMEOUT);
    assert_non_null(strstr(c.problem, "MAGIC_LLM_TIMEOUT"));
    setenv("MAGIC_LLM_URL", "ftp://x", 1);
    llm_config_load(&c);
    assert_false(c.on);
    unsetenv("MAGIC_LLM_URL"), unsetenv("MAGIC_LLM_KEY"), unsetenv("MAGIC_LLM_TIMEOUT");
}

static void test_config_file_with_a_key_readable_by_others_is_refused(void **state)
{
    (void)state;
    char home[600], file[700];
    snprintf(home, sizeof home, "%s/xdg", dir);
    mkdir(home, 0700);
    snprintf(file, sizeof file, "%s/magic-adventure", home);
    mkdir(file, 0700);
    snprintf(file, sizeof file, "%s/magic-adventure/llm.json", home);
    th_write_file(file, "{\"url\": \"http://127.0.0.1:9/v1\", \"model\": \"m\", \"key\": \"sk-file-key\"}", -1);
    setenv("XDG_CONFIG_HOME", home, 1);
    chmod(file, 0644);
    LlmConfig c;
    llm_config_load(&c);
    assert_false(c.on);
    assert_string_equal(c.key, "");
    assert_non_null(strstr(c.problem, "other users can read it"));
    chmod(file, 0600);
    llm_config_load(&c);
    assert_true(c.on);
    assert_string_equal(c.model, "m");
    assert_string_equal(c.key, "sk-file-key");
    /* Without a key, a readable file is fine. */
    th_write_file(file, "{\"url\": \"http://127.0.0.1:9/v1\", \"timeout\": 5}", -1);
    chmod(file, 0644);
    llm_config_load(&c);
    assert_true(c.on);
    assert_int_equal(c.timeout_s, 5);
    unsetenv("XDG_CONFIG_HOME");
}

/* ------------------------------------------------------------ replies */

static int validate(LlmKind kind, const char *content, cJSON **out, char *why)
{
    static const char *ids[] = {"bring", "slay"};
    LlmExpect ex = {.kind = kind, .objective_ids = ids, .n_objectives = 2,
                    .prompt = "## World\nWorld: vale. Date: Spring 1, year 1, 08:00 (day). Season: spring.\n"
                              "Going on: nothing much at all in the whole wide world today.\n"};
    return llm_reply_validate(&ex, content, out, why, 300);
}

static void test_reply_good_quest_is_taken_with_only_its_fields(void **state)
{
    (void)state;
    cJSON *v = NULL;
    char why[300];
    assert_int_equal(validate(LLM_QUEST,
                              "```json\n{\"title\": \"Bread for Mara\", \"description\": \"Mara needs three loaves.\", "
                              "\"objectives\": [{\"id\": \"bring\", \"text\": \"Loaves brought\"}]}\n```",
                              &v, why),
                     0);
    assert_string_equal(cJSON_GetObjectItem(v, "title")->valuestring, "Bread for Mara");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(v, "objectives")), 1);
    cJSON_Delete(v);
}

static void test_reply_refuses_what_is_not_asked(void **state)
{
    (void)state;
    cJSON *v = NULL;
    char why[300];
    static const struct {
        LlmKind kind;
        const char *content, *because;
    } cases[] = {
        {LLM_QUEST, "here is your quest: The Baker", "not one JSON object"},
        {LLM_QUEST, "[1, 2]", "JSON object"},
        {LLM_QUEST, "{\"title\": 5, \"description\": \"A fine description\", \"objectives\": []}", "must be a string"},
        {LLM_QUEST, "{\"title\": \"Ok title\", \"description\": \"A fine description\", \"objectives\": [],"
                    " \"reward\": 9999}", "\"reward\" is not a field"},
        {LLM_QUEST, "{\"title\": \"Ok title\", \"description\": \"A fine description\", \"objectives\": "
                    "[{\"id\": \"kill_the_king\", \"text\": \"Do it\"}]}", "not one of this quest's"},
        {LLM_EVENT, "{\"name\": \"\\u001b[2J\\u001b]0;x\\u0007\", \"description\": \"A storm comes in.\"}", "too short"},
        {LLM_LINE, "{\"line\": \"Going on: nothing much at all in the whole wide world today.\"}", "repeats"},
        {LLM_LINE, "{\"line\": \"hi\", \"action\": \"give_gold\"}", "\"action\" is not a field"},
        {LLM_BRANCH, "{\"choice\": \"Burn it\", \"text\": \"The village burns to the ground tonight.\", "
                     "\"consequences\": [{\"set_block\": {\"block\": \"fire\"}}]}", "not allowed here"},
        {LLM_BRANCH, "{\"choice\": \"Banish her\", \"text\": \"The trader is driven out of the village tonight.\", "
                     "\"consequences\": [{\"leave\": {\"who\": \"@trader\"}}]}", "not allowed here"},
        {LLM_BRANCH, "{\"choice\": \"Look\", \"text\": \"You look around the square for a while.\", "
                     "\"conditions\": {\"levle\": {\"min\": 3}}}", "conditions"},
        {LLM_BRANCH, "{\"choice\": \"Greet {king}\", \"text\": \"You greet the king of the hills.\"}", "{king}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        why[0] = '\0';
        if (validate(cases[i].kind, cases[i].content, &v, why) == 0)
            fail_msg("case %zu was taken: %s", i, cases[i].content);
        if (!strstr(why, cases[i].because))
            fail_msg("case %zu: \"%s\" does not say \"%s\"", i, why, cases[i].because);
        assert_null(v);
    }
}

static void test_reply_strips_escapes_and_clamps_numbers(void **state)
{
    (void)state;
    cJSON *v = NULL;
    char why[300];
    assert_int_equal(validate(LLM_EVENT,
                              "{\"name\": \"Red \\u001b[31mMoon\\u001b[0m\\u009b2J\", \"description\": \"It rises.\\u0007"
                              "\\u202e Stay in.\\u001b]0;pwned\\u0007 Light a fire.\"}",
                              &v, why),
                     0);
    assert_string_equal(cJSON_GetObjectItem(v, "name")->valuestring, "Red Moon");
    assert_string_equal(cJSON_GetObjectItem(v, "description")->valuestring, "It rises. Stay in. Light a fire.");
    cJSON_Delete(v);
    assert_int_equal(validate(LLM_BRANCH,
                              "{\"choice\": \"Trade with {trader}\", \"text\": \"{trader} smiles and counts the coins.\","
                              " \"conditions\": {\"level\": {\"min\": 1e9}}, \"consequences\": [{\"experience\": 99999999},"
                              " {\"give\": {\"item\": \"gold_coin\", \"count\": 1000}}, {\"relationship\": {\"with\": "
                              "\"@trader\", \"add\": -500, \"reason\": \"a hard \\u001b[1mbargain\"}}]}",
                              &v, why),
                     0);
    const cJSON *eff = cJSON_GetObjectItem(v, "consequences");
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(eff, 0), "experience")->valueint, 200);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(eff, 1), "give"), "count")->valueint, 5);
    const cJSON *rel = cJSON_GetObjectItem(cJSON_GetArrayItem(eff, 2), "relationship");
    assert_int_equal(cJSON_GetObjectItem(rel, "add")->valueint, -10);
    assert_string_equal(cJSON_GetObjectItem(rel, "reason")->valuestring, "a hard bargain");
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "conditions"), "level"), "min")->valueint,
                     100);
    cJSON_Delete(v);
    char out[32];
    llm_clean_text("a very long line of words that goes on and on", out, sizeof out, 0);
    assert_true(strlen(out) < sizeof out);
    assert_non_null(strstr(out, "..."));
}

static void test_envelope_refuses_a_cut_reply_and_reads_errors(void **state)
{
    (void)state;
    LlmEnvelope e;
    char why[300];
    const char *cut = "{\"choices\":[{\"message\":{\"content\":\"{\\\"line\\\": \\\"Hel\"},\"finish_reason\":\"length\"}],"
                      "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}}";
    assert_int_equal(llm_envelope_parse(cut, strlen(cut), &e, why, sizeof why), -1);
    assert_non_null(strstr(why, "length"));
    assert_int_equal(e.total_tokens, 15); /* tokens count even so */
    llm_envelope_clear(&e);
    const char *err = "{\"error\":{\"message\":\"model \\u001b[31mgone\"}}";
    assert_int_equal(llm_envelope_parse(err, strlen(err), &e, why, sizeof why), -1);
    assert_non_null(strstr(why, "model gone"));
    llm_envelope_clear(&e);
    assert_int_equal(llm_envelope_parse("<html>", 6, &e, why, sizeof why), -1);
    assert_non_null(strstr(why, "not JSON"));
    llm_envelope_clear(&e);
}

/* ------------------------------------------------------------ a hostile sync server */

/* A sync client of the stub at stub's port, without retries. */
static SyncClient *stub_client(const LlmStub *stub)
{
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", stub->port);
    SyncClient *c = NULL;
    Err err = {0};
    SyncClientOptions opt = {.retries = 0};
    if (sync_client_new(base, &opt, &c, &err) != MA_OK)
        fail_msg("%s", err.msg);
    return c;
}

/* A sync job run against the stub for remote world `world` from cursor `since`, without retries. */
static SyncJob *stub_sync(const LlmStub *stub, int64_t world, int64_t since)
{
    SyncJob *j = sync_job_new(SYNC_JOB_SYNC);
    assert_non_null(j);
    snprintf(j->url, sizeof j->url, "http://127.0.0.1:%d", stub->port);
    snprintf(j->token, sizeof j->token, "%064d", 7);
    j->remote_id = world;
    j->cursor = since;
    j->retries = 0;
    sync_job_run(j, NULL, NULL);
    return j;
}

/* The sync client over the stub as a sync server: a page that says more wait without moving its
 * cursor on (a client that followed it asked for ever: 909 requests in 40 s), a page of more
 * changes than were asked for, and an answer of millions of values, are refused as malformed. */
static void test_the_sync_client_refuses_a_pull_that_would_never_end(void **state)
{
    (void)state;
    char twelve[512] = "{\"changes\":[";
    for (int i = 0; i < 12; i++)
        snprintf(twelve + strlen(twelve), sizeof twelve - strlen(twelve), "%s{\"seq\":%d}", i ? "," : "", i + 1);
    strcat(twelve, "],\"cursor\":12,\"more\":false}");
    cJSON *root = cJSON_CreateObject(), *paths = cJSON_AddObjectToObject(root, "paths");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(paths, "/v1/worlds/1/changes"), "body",
                            "{\"changes\":[],\"cursor\":3,\"more\":true}");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(paths, "/v1/worlds/2/changes"), "body", twelve);
    /* 2,100,000 values in 4 MB: parsed, about 130 MB (66 MB of them had taken 1 GB). */
    size_t nz = 2100000, blen = 2 * nz + 64;
    char *zeros = malloc(blen);
    assert_non_null(zeros);
    char *z = zeros + sprintf(zeros, "{\"changes\":[");
    for (size_t i = 0; i < nz; i++)
        *z++ = '0', *z++ = ',';
    sprintf(z - 1, "],\"cursor\":1,\"more\":false}");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(paths, "/v1/worlds/3/changes"), "body", zeros);
    free(zeros);
    char *script = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    LlmStub stub;
    llm_stub_start(&stub, dir, script);
    SyncClient *c = stub_client(&stub);
    Err err = {0};
    cJSON *page = NULL;
    int64_t cursor = 0;
    int more = 0;
    /* From 3 on, "more" at cursor 3 goes nowhere. */
    assert_int_equal(sync_client_pull(c, 1, 3, 10, &page, &cursor, &more, &err), MA_ERR_IO);
    assert_non_null(strstr(err.msg, "cursor (3) did not move on from 3"));
    assert_null(page);
    /* From 0 the same page moves the cursor on: taken. */
    err = (Err){0};
    assert_int_equal(sync_client_pull(c, 1, 0, 10, &page, &cursor, &more, &err), MA_OK);
    assert_int_equal(cursor, 3);
    assert_true(more);
    cJSON_Delete(page);
    page = NULL;
    /* Twelve changes when ten were asked for. */
    assert_int_equal(sync_client_pull(c, 2, 0, 10, &page, &cursor, &more, &err), MA_ERR_IO);
    assert_non_null(strstr(err.msg, "sent 12 changes when at most 10 were asked for"));
    assert_null(page);
    err = (Err){0};
    assert_int_equal(sync_client_pull(c, 2, 0, 12, &page, &cursor, &more, &err), MA_OK);
    assert_int_equal(cJSON_GetArraySize(page), 12);
    cJSON_Delete(page);
    page = NULL;
    /* Millions of values: refused before they are parsed. */
    err = (Err){0};
    assert_int_equal(sync_client_pull(c, 3, 0, 1000, &page, &cursor, &more, &err), MA_ERR_IO);
    assert_non_null(strstr(err.msg, "an answer of more than 2000000 JSON values"));
    assert_null(page);
    sync_client_free(c);
    llm_stub_stop(&stub);
    free(script);
}

/* A page too large to take (here 25 changes of 100,000 values each: 2.5 million) is asked for
 * again with half the limit until it fits (15 changes), and the next page goes on from there; the
 * whole sync takes every change. (The client had refused the page, and every later sync asked for
 * the same page and refused it again.) */
static void test_a_page_too_large_is_asked_for_again_in_smaller_pages(void **state)
{
    (void)state;
    LlmStub stub;
    llm_stub_start(&stub, dir, "{\"paths\": {\"/v1/worlds/5/changes\": {\"heavy\": {\"changes\": 25, \"values\": 100000}}}}");
    SyncClient *c = stub_client(&stub);
    Err err = {0};
    cJSON *page = NULL;
    int64_t cursor = 0;
    int more = 0;
    assert_int_equal(sync_client_pull(c, 5, 0, 1000, &page, &cursor, &more, &err), MA_OK);
    assert_int_equal(cJSON_GetArraySize(page), 15); /* 1000, 500, 250, 125, 62, 31: 25 each; 15 fit */
    assert_int_equal(cursor, 15);
    assert_true(more);
    cJSON_Delete(page);
    sync_client_free(c);
    /* A whole sync job: every change, in two pages. */
    SyncJob *j = stub_sync(&stub, 5, 0);
    assert_int_equal(j->rc, MA_OK);
    assert_false(j->more_waiting);
    assert_int_equal(cJSON_GetArraySize(j->changes), 25);
    assert_int_equal(j->cursor_out, 25);
    sync_job_free(j);
    llm_stub_stop(&stub);
}

/* A server that always says more wait, moving its cursor on each time: one sync pulls at most
 * 20,000 rows (all held in memory until taken), stops where a page ends, and says more wait; the
 * next goes on from its cursor. (A client had asked for ever, its memory growing.) */
static void test_one_sync_pulls_a_bounded_number_of_rows(void **state)
{
    (void)state;
    LlmStub stub;
    llm_stub_start(&stub, dir, "{\"paths\": {\"/v1/worlds/4/changes\": {\"endless\": 1000}}}");
    SyncJob *j = stub_sync(&stub, 4, 500);
    assert_int_equal(j->rc, MA_OK);
    assert_true(j->more_waiting);
    assert_int_equal(cJSON_GetArraySize(j->changes), 20000);
    assert_int_equal(j->cursor_out, 20500);
    sync_job_free(j);
    llm_stub_stop(&stub);
}

/* ------------------------------------------------------------ the agents with the stub */

static void test_good_reply_rewrites_the_quest_as_an_llm_entry_that_rolls_back(void **state)
{
    (void)state;
    LlmStub stub;
    llm_stub_start(&stub, dir, "{\"default\": \"good\"}");
    LlmConfig cfg = config_for(stub.url, 10);
    Notes n = {0};
    const char *path = run_day("good", &cfg, 20, &n);
    llm_stub_stop(&stub);
    if (n.rewrote < 1)
        fail_msg("nothing was rewritten:\n%s", n.text);
    char *title = query_text(path, "SELECT title FROM quests WHERE json_extract(details,'$.source')='agent' ORDER BY id LIMIT 1");
    assert_string_equal(title, "The Stub's Errand");
    free(title);
    assert_int_equal(query_int(path, "SELECT count(*) FROM quest_objectives o JOIN quests q ON q.id=o.quest_id WHERE "
                                     "json_extract(q.details,'$.source')='agent' AND o.objective_text LIKE 'Stub objective %'"),
                     query_int(path, "SELECT count(*) FROM quest_objectives o JOIN quests q ON q.id=o.quest_id WHERE "
                                     "json_extract(q.details,'$.source')='agent'"));
    /* The entry: type llm, with its source, model, usage, sections, the reply, and the entry it rewrites. */
    char *r = query_text(path, "SELECT reasoning FROM world_evolution_log WHERE evolution_type='llm' AND "
                               "json_extract(reasoning,'$.kind')='quest' ORDER BY id LIMIT 1");
    cJSON *why = cJSON_Parse(r);
    free(r);
    assert_non_null(why);
    assert_string_equal(cJSON_GetObjectItem(why, "source")->valuestring, "llm");
    assert_string_equal(cJSON_GetObjectItem(why, "model")->valuestring, "stub-model");
    assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(why, "usage"), "total_tokens")->valuedouble > 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(why, "prompt_sections")), 4);
    assert_non_null(strstr(cJSON_GetObjectItem(why, "reply")->valuestring, "The Stub's Errand"));
    int64_t rewrites = (int64_t)cJSON_GetObjectItem(why, "rewrites")->valuedouble;
    cJSON_Delete(why);
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT evolution_type FROM world_evolution_log WHERE id=%lld", (long long)rewrites);
    char *src_type = query_text(path, sql);
    assert_string_equal(src_type, "quest");
    free(src_type);
    assert_int_equal(verify_problems(path), 0);
    /* Rolling the llm entry back gives the offline text back. */
    int64_t llm_id = query_int(path, "SELECT id FROM world_evolution_log WHERE evolution_type='llm' AND "
                                     "json_extract(reasoning,'$.kind')='quest' ORDER BY id LIMIT 1");
    Save *s = NULL;
    Err err = {0};
    assert_int_equal(save_open(path, 0, &s, &err), MA_OK);
    Game *g = NULL;
    GameStart st = {.username = "hero", .world = "vale"};
    assert_int_equal(game_start(s, &st, &g, &err), MA_OK);
    EvoRollback opt = {.turn = game_clock(g)};
    assert_int_equal(save_begin(s, &err), MA_OK);
    if (evolution_rollback(s, game_world(g), llm_id, &opt, &err) != MA_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(save_commit(s, &err), MA_OK);
    game_close(g);
    save_close(s);
    title = query_text(path, "SELECT title FROM quests WHERE json_extract(details,'$.source')='agent' ORDER BY id LIMIT 1");
    assert_string_equal(title, offline_title);
    free(title);
    assert_int_equal(verify_problems(path), 0);
}

/* A hostile or failing endpoint: the offline text stays, the reason is said, the save verifies. */
typedef struct Hostile {
    const char *name;
    const char *script; /* for the quest job (the same reply twice: first try and the retry) */
    const char *said;   /* in the fallback note */
    int timeout_s;
} Hostile;

static void test_hostile_replies_fall_back_and_leave_the_save_valid(void **state)
{
    (void)state;
    char closed[96];
    snprintf(closed, sizeof closed, "http://127.0.0.1:%d/v1", llm_stub_closed_port());
#define TWICE(step) "{\"replies\": {\"quest\": [" step ", " step "]}, \"default\": \"good\"}"
    static const Hostile cases[] = {
        {"not_json", TWICE("{\"content\": \"Sure! Here is the quest you asked for.\"}"), "not one JSON object", 10},
        {"wrong_types", TWICE("{\"content\": \"{\\\"title\\\": [1], \\\"description\\\": {}, \\\"objectives\\\": 3}\"}"),
         "must be a string", 10},
        {"unknown_id", TWICE("{\"content\": \"{\\\"title\\\": \\\"A title\\\", \\\"description\\\": \\\"Some words here.\\\", "
                             "\\\"objectives\\\": [{\\\"id\\\": \\\"burn_the_village\\\", \\\"text\\\": \\\"Burn it\\\"}]}\"}"),
         "not one of this quest's", 10},
        {"huge_numbers", TWICE("{\"content\": \"{\\\"title\\\": \\\"A title\\\", \\\"description\\\": \\\"Some words.\\\", "
                               "\\\"objectives\\\": [], \\\"rewards\\\": [{\\\"experience\\\": 1e300}]}\"}"),
         "\"rewards\" is not a field", 10},
        {"escapes", TWICE("{\"content\": \"{\\\"title\\\": \\\"\\\\u001b[2J\\\\u001b[H\\\", \\\"description\\\": "
                          "\\\"\\\\u001b]0;pwned\\\\u0007\\\", \\\"objectives\\\": []}\"}"),
         "too short", 10},
        {"echo", TWICE("{\"content\": \"{\\\"title\\\": \\\"Echo\\\", \\\"description\\\": \\\"You write for Magic Adventure, "
                       "a fantasy game played in a terminal. Rewrite the texts\\\", \\\"objectives\\\": []}\"}"),
         "repeats", 10},
        {"truncated", TWICE("{\"content\": \"{\\\"title\\\": \\\"The Bak\", \"finish_reason\": \"length\"}"), "length", 10},
        {"http_401", TWICE("{\"status\": 401}"), "refused the key", 10},
        {"http_404", TWICE("{\"status\": 404}"), "404", 10},
        {"http_429", TWICE("{\"status\": 429, \"retry_after\": \"120\"}"), "wait 120 s", 10},
        {"http_500", "{\"replies\": {\"quest\": [{\"status\": 500}, {\"status\": 500}, {\"status\": 500}]}, "
                     "\"default\": \"good\"}", "500", 10},
        {"too_slow", TWICE("{\"delay\": 4}"), "no complete reply", 1},
        {"cut", TWICE("{\"cut\": true}"), "cut", 10},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        LlmStub stub;
        llm_stub_start(&stub, dir, cases[i].script);
        LlmConfig cfg = config_for(stub.url, cases[i].timeout_s);
        Notes n = {0};
        const char *path = run_day(cases[i].name, &cfg, 30, &n);
        llm_stub_stop(&stub);
        if (!strstr(n.text, cases[i].said) || n.fell_back < 1)
            fail_msg("%s: the notes do not say \"%s\":\n%s", cases[i].name, cases[i].said, n.text);
        char *title = query_text(path, "SELECT title FROM quests WHERE json_extract(details,'$.source')='agent' "
                                       "ORDER BY id LIMIT 1");
        if (strcmp(title, offline_title) != 0)
            fail_msg("%s: the quest is \"%s\", not the offline \"%s\"", cases[i].name, title, offline_title);
        free(title);
        assert_int_equal(query_int(path, "SELECT count(*) FROM world_evolution_log WHERE evolution_type='llm' AND "
                                         "json_extract(reasoning,'$.kind')='quest'"),
                         0);
        assert_int_equal(verify_problems(path), 0);
        print_message("%-13s falls back: %.160s\n", cases[i].name, strstr(n.text, cases[i].said));
    }
    /* Nothing listening. */
    LlmConfig cfg = config_for(closed, 5);
    Notes n = {0};
    const char *path = run_day("refused", &cfg, 10, &n);
    if (!strstr(n.text, "connection refused"))
        fail_msg("refused: %s", n.text);
    assert_int_equal(verify_problems(path), 0);
}

static void test_a_refused_reply_is_asked_again_once_with_the_reason(void **state)
{
    (void)state;
    LlmStub stub;
    llm_stub_start(&stub, dir,
                   "{\"replies\": {\"quest\": [{\"content\": \"{\\\"title\\\": \\\"x\\\"}\"}, \"good\"]}, \"default\": \"good\"}");
    LlmConfig cfg = config_for(stub.url, 10);
    Notes n = {0};
    const char *path = run_day("retry", &cfg, 20, &n);
    char *log = llm_stub_requests(&stub);
    llm_stub_stop(&stub);
    assert_non_null(strstr(n.text, "asking once more"));
    assert_non_null(strstr(log, "Your previous reply was refused"));
    free(log);
    char *title = query_text(path, "SELECT title FROM quests WHERE json_extract(details,'$.source')='agent' ORDER BY id LIMIT 1");
    assert_string_equal(title, "The Stub's Errand");
    free(title);
    assert_int_equal(query_int(path, "SELECT json_extract(reasoning,'$.attempts') FROM world_evolution_log WHERE "
                                     "evolution_type='llm' AND json_extract(reasoning,'$.kind')='quest' LIMIT 1"),
                     2);
}

static void test_429_is_retried_after_retry_after_and_400_falls_back_to_json_object(void **state)
{
    (void)state;
    LlmStub stub;
    llm_stub_start(&stub, dir,
                   "{\"replies\": {\"quest\": [{\"status\": 429, \"retry_after\": \"1\"}, {\"good\": true, \"schema_400\": "
                   "true}, \"good\"]}, \"default\": \"good\"}");
    LlmConfig cfg = config_for(stub.url, 10);
    Notes n = {0};
    const char *path = run_day("retry_after", &cfg, 20, &n);
    char *log = llm_stub_requests(&stub);
    llm_stub_stop(&stub);
    char *title = query_text(path, "SELECT title FROM quests WHERE json_extract(details,'$.source')='agent' ORDER BY id LIMIT 1");
    assert_string_equal(title, "The Stub's Errand");
    free(title);
    /* The first retry waited the second asked for; after the 400 the request asked for json_object. */
    double t[3] = {0};
    int k = 0;
    for (const char *p = strstr(log, "\"name\": \"quest\""); p && k < 3; p = strstr(p + 1, "\"name\": \"quest\"")) {
        const char *tm = strstr(p, "\"time\": ");
        if (tm)
            t[k++] = atof(tm + 8);
    }
    assert_true(k >= 2);
    assert_true(t[1] - t[0] >= 0.9);
    assert_non_null(strstr(log, "\"type\": \"json_object\""));
    free(log);
}

static void test_with_the_endpoint_hostile_the_world_is_the_offline_one(void **state)
{
    (void)state;
    LlmStub stub;
    llm_stub_start(&stub, dir, "{\"default\": {\"content\": \"no\", \"usage\": {}}}");
    LlmConfig cfg = config_for(stub.url, 10);
    Notes n = {0};
    const char *hostile = run_day("hostile_world", &cfg, 20, &n);
    llm_stub_stop(&stub);
    assert_true(n.fell_back >= 1);
    char off[600];
    snprintf(off, sizeof off, "%s/offline.db", dir);
    Err err = {0};
    Save *a = NULL, *b = NULL;
    assert_int_equal(save_open(off, SAVE_READONLY, &a, &err), MA_OK);
    assert_int_equal(save_open(hostile, SAVE_READONLY, &b, &err), MA_OK);
    char *da = save_dump_text(a, SAVE_DUMP_STABLE, &err), *db = save_dump_text(b, SAVE_DUMP_STABLE, &err);
    save_close(a);
    save_close(b);
    assert_non_null(da);
    assert_non_null(db);
    if (strcmp(da, db) != 0)
        fail_msg("the world with a hostile endpoint differs from the offline one");
    free(da);
    free(db);
}

/* A story weaver's run as continue_storyline (src/agents/story_weaver.c) makes it: one transaction that
 * writes a new branch under `parent` and its entry, then asks for the rewrite with agent_llm_rewrite(c,
 * LLM_BRANCH, branch_id, entry_id, err); the request goes out when the run commits. Returns the branch id. */
static int64_t weave(Agents *a, Game *g, int64_t story, int64_t parent, const char *name)
{
    Save *s = game_save(g);
    Err err = {0};
    AgentCtx c;
    memset(&c, 0, sizeof c);
    c.a = a;
    c.type = AGENT_STORY_WEAVER;
    c.agent_id = a->ids[AGENT_STORY_WEAVER];
    c.turn = game_clock(g);
    assert_int_equal(save_begin(s, &err), MA_OK);
    BranchRow b;
    memset(&b, 0, sizeof b);
    b.story_id = story;
    b.parent_branch_id = parent;
    snprintf(b.branch_name, sizeof b.branch_name, "%s", name);
    b.content = strdup("The offline passage, as the weaver's rules wrote it.");
    b.conditions = cJSON_Parse("{\"choice\": \"An offline choice\"}");
    b.consequences = cJSON_CreateObject();
    b.branch_order = 7;
    assert_int_equal(branches_insert(s, &b, &err), MA_OK);
    int64_t branch = b.id;
    branch_row_clear(&b);
    Evo *e = agent_evo(&c);
    assert_int_equal(evo_new_row(e, "story_branches", branch, &err), MA_OK);
    evo_summary(e, "a branch woven");
    int64_t entry = 0;
    assert_int_equal(agent_commit(&c, e, "branch", NULL, &entry, &err), MA_OK);
    evo_free(e);
    assert_true(entry > 0);
    assert_int_equal(agent_llm_rewrite(&c, LLM_BRANCH, branch, entry, &err), MA_OK);
    assert_int_equal(save_commit(s, &err), MA_OK);
    agents_llm_run_end(a, 1);
    return branch;
}

typedef struct Woven {
    Save *s;
    Game *g;
    Agents *a;
    AgentsLlm *l;
    int64_t story, parent;
} Woven;

static void woven_open(Woven *w, const char *path, const LlmConfig *cfg)
{
    copy_file(base_db, path);
    w->parent = query_int(path, "SELECT id FROM story_branches WHERE parent_branch_id IS NOT NULL ORDER BY id LIMIT 1");
    w->story = query_int(path, "SELECT story_id FROM story_branches WHERE parent_branch_id IS NOT NULL ORDER BY id LIMIT 1");
    assert_true(w->parent > 0);
    Err err = {0};
    assert_int_equal(save_open(path, 0, &w->s, &err), MA_OK);
    GameStart st = {.username = "hero", .world = "vale"};
    assert_int_equal(game_start(w->s, &st, &w->g, &err), MA_OK);
    assert_int_equal(agents_open(w->s, game_world(w->g), &w->a, &err), MA_OK);
    assert_int_equal(agents_llm_open(w->s, game_world(w->g), cfg, &w->l, &err), MA_OK);
    agents_llm_attach(w->a, w->l);
}

static void woven_close(Woven *w)
{
    agents_llm_attach(w->a, NULL);
    agents_llm_close(w->l);
    agents_close(w->a);
    game_close(w->g);
    save_close(w->s);
}

/* How the story weaver plugs in (see weave): the reply's passage and choice replace the offline ones, and its
 * consequences, clamped, fill in what the offline branch left empty. */
static void test_a_new_story_branch_is_rewritten_through_the_weavers_hook(void **state)
{
    (void)state;
    char path[600];
    snprintf(path, sizeof path, "%s/branch.db", dir);
    LlmStub stub;
    llm_stub_start(&stub, dir, "{\"default\": \"good\"}");
    LlmConfig cfg = config_for(stub.url, 10);
    Woven w;
    woven_open(&w, path, &cfg);
    int64_t branch = weave(w.a, w.g, w.story, w.parent, "woven_1");
    Notes n = {0};
    Err err = {0};
    assert_int_equal(agents_llm_drain(w.l, w.g, game_clock(w.g), 20000, on_note, &n, &err), 0);
    woven_close(&w);
    llm_stub_stop(&stub);
    if (n.rewrote != 1)
        fail_msg("%s", n.text);
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT content || '|' || json_extract(conditions,'$.choice') || '|' || "
                              "json_extract(consequences,'$.effects') FROM story_branches WHERE id=%lld", (long long)branch);
    char *row = query_text(path, sql);
    assert_string_equal(row, "The stub hums. {character}, it says, every road has two ends.|Ask the stub for its counsel|"
                             "[{\"experience\":200},{\"message\":\"You feel wiser.\"}]");
    free(row);
    assert_int_equal(verify_problems(path), 0);
}

/* The story weaver itself: a woven storyline waits at its open branch with the hero on it; a day of the
 * weaver continues it with two branches, and with the endpoint attached each is rewritten. */
static void test_the_story_weaver_asks_for_its_new_branches(void **state)
{
    (void)state;
    char path[600];
    snprintf(path, sizeof path, "%s/weaver.db", dir);
    LlmStub stub;
    llm_stub_start(&stub, dir, "{\"default\": \"good\"}");
    LlmConfig cfg = config_for(stub.url, 10);
    Woven w;
    woven_open(&w, path, &cfg);
    Err err = {0};
    assert_int_equal(save_begin(w.s, &err), MA_OK);
    StoryRow st;
    memset(&st, 0, sizeof st);
    st.world_id = 1;
    snprintf(st.title, sizeof st.title, "Left Behind");
    st.description = strdup("A woven storyline.");
    snprintf(st.story_type, sizeof st.story_type, "villager");
    st.metadata = cJSON_Parse("{\"source\": \"agent:story_weaver\", \"open\": \"a_rumour\"}");
    st.is_active = 1;
    assert_int_equal(stories_insert(w.s, &st, &err), MA_OK);
    BranchRow b;
    memset(&b, 0, sizeof b);
    b.story_id = st.id;
    snprintf(b.branch_name, sizeof b.branch_name, "a_rumour");
    b.content = strdup("Word comes of something out in the hills.");
    b.conditions = cJSON_CreateObject();
    b.consequences = cJSON_CreateObject();
    assert_int_equal(branches_insert(w.s, &b, &err), MA_OK);
    StoryProgressRow sp;
    memset(&sp, 0, sizeof sp);
    sp.character_id = game_player(w.g)->character_id;
    sp.story_id = st.id;
    sp.current_branch_id = b.id;
    snprintf(sp.status, sizeof sp.status, "active");
    assert_int_equal(story_progress_insert(w.s, &sp, &err), MA_OK);
    assert_int_equal(save_commit(w.s, &err), MA_OK);
    int64_t leaf = b.id;
    story_progress_row_clear(&sp);
    branch_row_clear(&b);
    story_row_clear(&st);
    int64_t to = game_clock(w.g) + TURNS_PER_DAY;
    if (agents_advance(w.a, to, 1 << AGENT_STORY_WEAVER, 10, NULL, NULL, &err) < 0)
        fail_msg("%s", err.msg);
    Notes n = {0};
    assert_int_equal(agents_llm_drain(w.l, w.g, to, 20000, on_note, &n, &err), 0);
    woven_close(&w);
    llm_stub_stop(&stub);
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM story_branches WHERE parent_branch_id = %lld", (long long)leaf);
    int kids = query_int(path, sql);
    assert_int_equal(kids, 2);
    if (n.rewrote != kids)
        fail_msg("%d of %d new branches rewritten:\n%s", n.rewrote, kids, n.text);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM story_branches WHERE parent_branch_id = %lld AND content LIKE "
                              "'The stub hums.%%'", (long long)leaf);
    assert_int_equal(query_int(path, sql), kids);
    assert_int_equal(verify_problems(path), 0);
}

/* Once a game day's tokens are spent, nothing more is asked that day: the offline text stays. */
static void test_tokens_a_day_cap_stops_asking(void **state)
{
    (void)state;
    char path[600];
    snprintf(path, sizeof path, "%s/budget.db", dir);
    LlmStub stub;
    llm_stub_start(&stub, dir, "{\"default\": \"good\"}");
    LlmConfig cfg = config_for(stub.url, 10);
    cfg.tokens_per_day = 50;
    Woven w;
    woven_open(&w, path, &cfg);
    Notes n = {0};
    Err err = {0};
    weave(w.a, w.g, w.story, w.parent, "woven_1");
    assert_int_equal(agents_llm_drain(w.l, w.g, game_clock(w.g), 20000, on_note, &n, &err), 0);
    assert_int_equal(n.rewrote, 1);
    int64_t second = weave(w.a, w.g, w.story, w.parent, "woven_2");
    assert_int_equal(agents_llm_drain(w.l, w.g, game_clock(w.g), 20000, on_note, &n, &err), 0);
    AgentsLlmStats stats;
    agents_llm_stats(w.l, &stats);
    woven_close(&w);
    assert_int_equal(llm_stub_count(&stub, "/chat/completions"), 1);
    llm_stub_stop(&stub);
    assert_true(stats.tokens_today > 50);
    assert_non_null(strstr(n.text, "spent today's 50 tokens"));
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT content FROM story_branches WHERE id=%lld", (long long)second);
    char *text = query_text(path, sql);
    assert_string_equal(text, "The offline passage, as the weaver's rules wrote it.");
    free(text);
    /* The count is kept in the save for the day, so a new session does not start afresh. */
    assert_true(query_int(path, "SELECT json_extract(memory_data,'$.tokens') FROM agent_memory WHERE "
                                "memory_type='llm_usage'") > 50);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_off_by_default_and_on_with_the_url),
        cmocka_unit_test(test_config_file_with_a_key_readable_by_others_is_refused),
        cmocka_unit_test(test_reply_good_quest_is_taken_with_only_its_fields),
        cmocka_unit_test(test_reply_refuses_what_is_not_asked),
        cmocka_unit_test(test_reply_strips_escapes_and_clamps_numbers),
        cmocka_unit_test(test_envelope_refuses_a_cut_reply_and_reads_errors),
        cmocka_unit_test(test_good_reply_rewrites_the_quest_as_an_llm_entry_that_rolls_back),
        cmocka_unit_test(test_hostile_replies_fall_back_and_leave_the_save_valid),
        cmocka_unit_test(test_a_refused_reply_is_asked_again_once_with_the_reason),
        cmocka_unit_test(test_429_is_retried_after_retry_after_and_400_falls_back_to_json_object),
        cmocka_unit_test(test_with_the_endpoint_hostile_the_world_is_the_offline_one),
        cmocka_unit_test(test_tokens_a_day_cap_stops_asking),
        cmocka_unit_test(test_a_new_story_branch_is_rewritten_through_the_weavers_hook),
        cmocka_unit_test(test_the_story_weaver_asks_for_its_new_branches),
        cmocka_unit_test(test_the_sync_client_refuses_a_pull_that_would_never_end),
        cmocka_unit_test(test_one_sync_pulls_a_bounded_number_of_rows),
        cmocka_unit_test(test_a_page_too_large_is_asked_for_again_in_smaller_pages),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
