/* test_llm_cli.c — the LLM endpoint through the binary (issue 11), against
 * tests/llm_stub.py on a loopback port: on a flat world with a farmer to the
 * east of the hero, `play --script` with `talk e` shows the villager's line
 * written by the model (kept in agent_memory as a "line", and not asked for
 * again the same game day), the key goes to the endpoint and nowhere else
 * (not the save, not the output); with the endpoint unreachable the script
 * plays as it does offline, says why, and the save verifies; `llm check`
 * says what works and what failed (refused, 401, 404 model); and the client,
 * driven through tmux, keeps answering keys while the stub sleeps on the
 * villager's line, which appears in the log when it arrives. */
#include "helpers.h"
#include "llm_stub.h"
#include "tmux.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "game/game.h"
#include "world/blocks.h"

static char *dir;
static char db[600];

/* The one stub of the test running (stopped by its teardown, failed or not). */
static LlmStub stub;

static int stop_stub(void **state)
{
    (void)state;
    llm_stub_stop(&stub);
    return 0;
}

/* A flat world "meadow" where the hero stands with Mara the farmer to the east. */
static void build_world(const char *path) { th_make_meadow(path, 0, NULL, NULL, NULL); }

static int query_int(const char *path, const char *sql) { return (int)th_sql_int(path, sql); }

static void llm_env(const char *url, const char *timeout)
{
    char home[600];
    snprintf(home, sizeof home, "%s/xdg", dir);
    setenv("XDG_CONFIG_HOME", home, 1); /* no config file of the machine's user */
    if (url)
        setenv("MAGIC_LLM_URL", url, 1);
    else
        unsetenv("MAGIC_LLM_URL");
    setenv("MAGIC_LLM_TIMEOUT", timeout, 1);
}

static int setup(void **state)
{
    (void)state;
    dir = th_tmpdir();
    setenv("USER", "hero", 1);
    setenv("MAGIC_BCRYPT_COST", "4", 1);
    unsetenv("MAGIC_LLM_KEY");
    unsetenv("MAGIC_LLM_MODEL");
    snprintf(db, sizeof db, "%s/meadow.db", dir);
    build_world(db);
    tmux_init("llm");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unsetenv("MAGIC_LLM_URL");
    th_tmpdir_free(dir);
    return 0;
}

static RunResult play(const char *path, const char *script)
{
    return th_run(script, "--save", path, "play", "--script", "-", "--world", "meadow", "--verbose", NULL);
}

static void copy_db(const char *to) { th_copy_file(db, to); }

/* ------------------------------------------------------------ play --script */

static void test_play_talk_shows_the_models_line_and_keeps_it(void **state)
{
    (void)state;
    char path[700];
    snprintf(path, sizeof path, "%s/talk.db", dir);
    copy_db(path);
    llm_stub_start(&stub, dir, "{\"default\": \"good\"}");
    llm_env(stub.url, "10");
    setenv("MAGIC_LLM_KEY", "sk-test-key-7781", 1);
    RunResult r = play(path, "talk e\nsay 1\n");
    if (r.status != 0)
        fail_msg("play failed (%d): %s\n%s", r.status, r.err, r.out);
    /* The offline greeting comes first, the model's line when it arrives. */
    const char *offline = strstr(r.out, "Mara the farmer: \"");
    const char *llm = strstr(r.out, "Mara the farmer: \"Stub says hello");
    if (!offline || !llm || offline >= llm)
        fail_msg("expected the offline greeting, then the model's line:\n%s", r.out);
    assert_null(strstr(r.out, "sk-test-key-7781"));
    assert_null(strstr(r.err, "sk-test-key-7781"));
    th_run_free(&r);
    assert_int_equal(query_int(path, "SELECT count(*) FROM agent_memory WHERE memory_type='line' AND "
                                     "json_extract(memory_data,'$.line') LIKE 'Stub says hello%' AND "
                                     "json_extract(memory_data,'$.model')='stub-model'"),
                     1);
    int asked = llm_stub_count(&stub, "/chat/completions");
    assert_int_equal(asked, 1);
    /* The key went in the Authorization header, and is nowhere in the save. */
    char *log = llm_stub_requests(&stub);
    assert_non_null(strstr(log, "\"auth\": \"Bearer sk-test-key-7781\""));
    free(log);
    size_t len = 0;
    char *bytes = th_read_file(path, &len);
    assert_null(memmem(bytes, len, "sk-test-key-7781", 16));
    free(bytes);
    /* Talking again the same day repeats the line kept, without asking. */
    r = play(path, "talk e\n");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Stub says hello"));
    th_run_free(&r);
    assert_int_equal(llm_stub_count(&stub, "/chat/completions"), asked);
    unsetenv("MAGIC_LLM_KEY");
    llm_stub_stop(&stub);
    r = th_run(NULL, "--save", path, "verify", NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
}

static void test_play_with_the_endpoint_unreachable_plays_as_offline(void **state)
{
    (void)state;
    char path[700], off[700], url[96];
    snprintf(path, sizeof path, "%s/unreachable.db", dir);
    snprintf(off, sizeof off, "%s/off.db", dir);
    copy_db(path);
    copy_db(off);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", llm_stub_closed_port());
    const char *script = "talk e\nsay 1\nmove s\nwait 3\n";
    llm_env(NULL, "5");
    RunResult a = play(off, script);
    assert_int_equal(a.status, 0);
    llm_env(url, "5");
    RunResult b = play(path, script);
    assert_int_equal(b.status, 0);
    assert_string_equal(a.out, b.out);
    assert_non_null(strstr(b.err, "connection refused"));
    th_run_free(&a);
    th_run_free(&b);
    RunResult r = th_run(NULL, "--save", path, "verify", NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    /* And a hostile one: a reply with escape sequences and an unknown field, twice. */
    llm_stub_start(&stub, dir,
                   "{\"default\": {\"content\": \"{\\\"line\\\": \\\"\\\\u001b]0;pwned\\\\u0007hi\\\", \\\"give\\\": 99}\"}}");
    llm_env(stub.url, "5");
    copy_db(path);
    b = play(path, script);
    llm_stub_stop(&stub);
    assert_int_equal(b.status, 0);
    assert_null(strstr(b.out, "pwned"));
    assert_non_null(strstr(b.err, "\"give\" is not a field"));
    th_run_free(&b);
    assert_int_equal(query_int(path, "SELECT count(*) FROM agent_memory WHERE memory_type='line'"), 0);
}

/* ------------------------------------------------------------ llm check */

static void test_llm_check_says_what_works_and_what_failed(void **state)
{
    (void)state;
    llm_stub_start(&stub, dir, "{\"models\": [\"stub-model\", \"other\"], \"default\": \"good\"}");
    llm_env(stub.url, "5");
    RunResult r = th_run(NULL, "llm", "check", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "stub-model, other"));
    assert_non_null(strstr(r.out, "came back in"));
    th_run_free(&r);
    setenv("MAGIC_LLM_MODEL", "missing-model", 1);
    r = th_run(NULL, "llm", "check", NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "HTTP 404"));
    assert_non_null(strstr(r.out, "MAGIC_LLM_MODEL to one of the models listed"));
    th_run_free(&r);
    unsetenv("MAGIC_LLM_MODEL");
    llm_stub_stop(&stub);
    llm_stub_start(&stub, dir, "{\"models_status\": 401}");
    llm_env(stub.url, "5");
    r = th_run(NULL, "llm", "check", NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "refused the key"));
    th_run_free(&r);
    llm_stub_stop(&stub);
    /* No /models, and no MAGIC_LLM_MODEL: the game would have no model to ask, and check says so
     * (it said ok, having asked for a model named "default"). */
    llm_stub_start(&stub, dir, "{\"models_status\": 404, \"models\": [\"default\"], \"default\": \"good\"}");
    llm_env(stub.url, "5");
    r = th_run(NULL, "llm", "check", NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "lists no model at"));
    assert_non_null(strstr(r.out, "set MAGIC_LLM_MODEL"));
    th_run_free(&r);
    llm_stub_stop(&stub);
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", llm_stub_closed_port());
    llm_env(url, "5");
    r = th_run(NULL, "llm", "check", NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "connection refused"));
    th_run_free(&r);
    llm_env(NULL, "5");
    r = th_run(NULL, "llm", "check", NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "LLM: off"));
    th_run_free(&r);
}

/* ------------------------------------------------------------ the client through tmux */

static int stop_all(void **state)
{
    tmux_teardown(state);
    return stop_stub(state);
}

static void test_client_answers_keys_while_the_line_is_written(void **state)
{
    (void)state;
    if (!tmux_available())
        skip();
    char path[700];
    snprintf(path, sizeof path, "%s/tui.db", dir);
    copy_db(path);
    llm_stub_start(&stub, dir, "{\"replies\": {\"line\": [{\"good\": true, \"delay\": 6}]}, \"default\": \"good\"}");
    tmux_start("llm", 120, 40,
               "HOME=%s XDG_CONFIG_HOME=%s/xdg USER=hero MAGIC_BCRYPT_COST=4 MAGIC_LLM_URL=%s MAGIC_LLM_TIMEOUT=30 "
               "%s --save %s --continue",
               dir, dir, stub.url, getenv("MAGIC_EXE"), path);
    char *s = tmux_wait_for("Welcome", 15);
    assert_non_null(s);
    free(s);
    s = tmux_capture();
    char *z = strstr(s, "Z: ");
    assert_non_null(z);
    int z0 = atoi(z + 3);
    free(s);
    tmux_keys("T");
    tmux_keys("l");
    s = tmux_wait_for("Mara, the farmer", 10);
    assert_non_null(s);
    free(s);
    tmux_keys("Escape");
    /* The stub sleeps on the line: the client moves at once all the same. */
    for (int i = 0; i < 100 && llm_stub_count(&stub, "/chat/completions") == 0; i++)
        th_nap(100);
    assert_int_equal(llm_stub_count(&stub, "/chat/completions"), 1);
    tmux_keys("j");
    char want[32];
    snprintf(want, sizeof want, "Z: %d", z0 + 1);
    s = tmux_find(want, 10);
    if (!s)
        fail_msg("the client did not move while the line was being written");
    if (strstr(s, "Stub says hello"))
        fail_msg("the line was there before the move: the client waited for it:\n%s", s);
    free(s);
    /* ... and the line comes into the log when the stub answers. */
    s = tmux_wait_for("Stub says hello", 20);
    assert_non_null(s);
    free(s);
    tmux_keys("Q");
    tmux_keys("y");
    s = tmux_wait_for("EXIT=0", 10);
    assert_non_null(s);
    free(s);
    llm_stub_stop(&stub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_play_talk_shows_the_models_line_and_keeps_it, stop_stub),
        cmocka_unit_test_teardown(test_play_with_the_endpoint_unreachable_plays_as_offline, stop_stub),
        cmocka_unit_test_teardown(test_llm_check_says_what_works_and_what_failed, stop_stub),
        cmocka_unit_test_teardown(test_client_answers_keys_while_the_line_is_written, stop_all),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
