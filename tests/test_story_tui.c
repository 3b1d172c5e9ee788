/* test_story_tui.c — the story pane and the journal in the real client, driven through tmux as
 * a player would: after Quick start the map says a story waits; `s` opens the pane with the
 * passage and lettered choices (a locked one dim, with its reason); a letter takes a choice
 * and the next passage follows; Esc leaves the story waiting; `J` lists the storyline and
 * opens the path taken. The choice is then checked in the save. Skipped (77) without tmux. */
#include "helpers.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char *g_dir;
static char g_sock[64];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

static char *capture(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "tmux -L %s capture-pane -p -t story 2>/dev/null", g_sock);
    FILE *p = popen(cmd, "r");
    if (!p)
        return strdup("");
    size_t cap = 1 << 16, len = 0, n;
    char *buf = malloc(cap);
    while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (len + 1 >= cap)
            buf = realloc(buf, cap *= 2);
    }
    buf[len] = '\0';
    pclose(p);
    return buf;
}

static void nap(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits up to `seconds` for text on the screen; returns the screen (heap), or fails showing it. */
static char *wait_for(const char *text, int seconds)
{
    char *s = NULL;
    for (int i = 0; i < seconds * 10; i++) {
        free(s);
        s = capture();
        if (strstr(s, text))
            return s;
        nap(100);
    }
    fail_msg("never saw \"%s\"; the screen was:\n%s", text, s);
    return NULL;
}

/* Waits until every text of the NULL-terminated list is on one screen (a screen is drawn top
 * down, so a capture can catch half of one). */
static char *wait_all(const char *const *texts, int seconds)
{
    char *s = NULL;
    for (int i = 0; i < seconds * 10; i++) {
        free(s);
        s = capture();
        int all = 1;
        for (int k = 0; texts[k] && all; k++)
            all = strstr(s, texts[k]) != NULL;
        if (all)
            return s;
        nap(100);
    }
    for (int k = 0; texts[k]; k++)
        if (!strstr(s, texts[k]))
            fail_msg("never saw \"%s\"; the screen was:\n%s", texts[k], s);
    return s;
}

static void keys(const char *k) { sh("tmux -L %s send-keys -t story '%s'", g_sock, k); }

static int setup(void **state)
{
    (void)state;
    if (sh("command -v tmux >/dev/null 2>&1") != 0) {
        fprintf(stderr, "tmux is not installed: skipping\n");
        exit(77);
    }
    g_dir = th_tmpdir();
    setenv("USER", "tester", 1);
    snprintf(g_sock, sizeof g_sock, "magic-story-%d", (int)getpid());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sh("tmux -L %s kill-server 2>/dev/null", g_sock);
    th_tmpdir_free(g_dir);
    return 0;
}

static int64_t q64(const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(th_path(g_dir, "s.db"), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void test_read_a_passage_and_take_a_choice_by_its_letter(void **state)
{
    (void)state;
    int rc = sh("tmux -L %s new-session -d -s story -x 120 -y 40 "
                "'env HOME=%s USER=tester TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 %s --save %s/s.db; "
                "echo EXIT=$?; sleep 120'",
                g_sock, g_dir, getenv("MAGIC_EXE"), g_dir);
    assert_int_equal(rc, 0);
    free(wait_for("Quick start", 20));
    keys("Enter");
    static const char *const map[] = {"A story waits for you: The Cold Hearth. Press s to read it.", "Story (press s):", NULL};
    char *s = wait_all(map, 120);
    free(s);

    keys("s");
    static const char *const pane[] = {"The Cold Hearth — main story", "\"The Ember is gone,\"", "a) Kneel beside ",
                                       "b) [Charisma 13] Step between the crowd and the smithy  [locked: needs charisma 13 (you",
                                       "c) Point at the soot on ", "a-c choose", NULL};
    free(wait_all(pane, 10));
    /* A locked letter does nothing but say why; a free one takes the choice. */
    keys("b");
    free(wait_for("locked: [Charisma 13]", 10));
    keys("a");
    static const char *const next[] = {"It is a coal from the first forge", "[Intelligence 12] Study the cage and the ashes",
                                       "You gain 10 experience.", NULL};
    free(wait_all(next, 10));
    /* Esc: back to the map; the story waits. */
    keys("Escape");
    s = wait_for("Z:", 10);
    assert_null(strstr(s, "main story"));
    free(s);
    keys("J");
    static const char *const journal[] = {"Journal", "a) * The Cold Hearth — 1 choice so far", NULL};
    free(wait_all(journal, 10));
    keys("a");
    static const char *const path[] = {"the path you took (1 choice)", "1. Kneel beside ", "changed: 10 experience", NULL};
    free(wait_all(path, 10));
    keys("Escape");
    keys("Escape");
    s = wait_for("Z:", 10);
    free(s);
    keys("Q");
    free(wait_for("[yN]", 10));
    keys("y");
    s = wait_for("EXIT=", 20);
    assert_non_null(strstr(s, "EXIT=0"));
    free(s);
    assert_int_equal(q64("SELECT count(*) FROM player_choices WHERE json_extract(choice_data, '$.branch') = "
                         "'hear_the_priest'"), 1);
    assert_int_equal(q64("SELECT count(*) FROM story_progress p JOIN story_branches b ON b.id = p.current_branch_id "
                         "WHERE b.branch_name = 'hear_the_priest' AND p.focused = 1"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_a_passage_and_take_a_choice_by_its_letter),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
