/* test_tui.c — the ncurses client, driven through tmux like a person would:
 * quick start, moving, the help screen against the key table, resizing and
 * the too-small message, quitting with the terminal restored, and a second
 * launch that continues where the first stopped.
 *
 * The tests share one save and run in order. Skipped (77) without tmux. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The key table itself, so the help screen is checked against it. */
#include "../ui/keys.c"

static char *g_dir;
static char g_sock[64];
static int g_x, g_z; /* position when the first game ended */

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

/* The visible pane as text (heap). */
static char *capture(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "tmux -L %s capture-pane -p -t tui 2>/dev/null", g_sock);
    FILE *p = popen(cmd, "r");
    if (!p)
        return strdup("");
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t n;
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

/* Waits up to `seconds` for text on the screen; returns the screen (heap)
 * or NULL, printing the last screen when it never came. */
static char *wait_for(const char *text, int seconds)
{
    for (int i = 0; i < seconds * 10; i++) {
        char *s = capture();
        if (strstr(s, text))
            return s;
        if (i == seconds * 10 - 1) {
            fprintf(stderr, "never saw \"%s\"; the screen was:\n%s\n", text, s);
            free(s);
            return NULL;
        }
        free(s);
        nap(100);
    }
    return NULL;
}

static void keys(const char *k) { sh("tmux -L %s send-keys -t tui %s", g_sock, k); }

static void launch(int cols, int rows)
{
    sh("tmux -L %s kill-server 2>/dev/null", g_sock);
    int rc = -1;
    /* The old server may still be going away: retry while it does. */
    for (int attempt = 0; attempt < 20 && rc != 0; attempt++) {
        if (attempt)
            nap(250);
        rc = sh("tmux -L %s new-session -d -s tui -x %d -y %d "
                "'env HOME=%s USER=tester TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 %s --save %s/s.db; "
                "echo EXIT=$?; sleep 120'",
                g_sock, cols, rows, g_dir, getenv("MAGIC_EXE"), g_dir);
    }
    assert_int_equal(rc, 0);
}

static int position(const char *screen, int *x, int *z)
{
    const char *px = strstr(screen, "X: "), *pz = strstr(screen, "Z: ");
    return px && pz && sscanf(px, "X: %d", x) == 1 && sscanf(pz, "Z: %d", z) == 1;
}

static int setup(void **state)
{
    (void)state;
    if (sh("command -v tmux >/dev/null 2>&1") != 0) {
        fprintf(stderr, "tmux is not installed: skipping\n");
        exit(77);
    }
    g_dir = th_tmpdir();
    snprintf(g_sock, sizeof g_sock, "magic-tui-%d", (int)getpid());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sh("tmux -L %s kill-server 2>/dev/null", g_sock);
    th_tmpdir_free(g_dir);
    return 0;
}

static void test_quick_start_with_enter_reaches_the_map(void **state)
{
    (void)state;
    launch(80, 24);
    char *s = wait_for("Quick start", 20);
    assert_non_null(s);
    assert_null(strstr(s, "Continue")); /* nothing to continue on a new save */
    free(s);
    keys("Enter");
    s = wait_for("Z:", 120);
    assert_non_null(s);
    assert_non_null(strchr(s, '@'));
    assert_non_null(strstr(s, "tester"));
    free(s);
}

static void test_movement_keys_change_the_position_shown(void **state)
{
    (void)state;
    char *s = capture();
    int x0, z0, x, z;
    assert_true(position(s, &x0, &z0));
    free(s);
    /* Try each way in turn: one of them is open. */
    static const char *const ways[] = {"l", "h", "j", "k", "Right", "Left", "Down", "Up", "y", "n"};
    int moved = 0;
    for (size_t i = 0; i < sizeof ways / sizeof ways[0] && !moved; i++) {
        keys(ways[i]);
        for (int t = 0; t < 30 && !moved; t++) {
            nap(100);
            s = capture();
            if (position(s, &x, &z) && (x != x0 || z != z0))
                moved = 1;
            free(s);
        }
    }
    assert_true(moved);
}

static void test_help_lists_every_key_of_the_table(void **state)
{
    (void)state;
    sh("tmux -L %s resize-window -t tui -x 120 -y 40", g_sock);
    free(wait_for("Z:", 10));
    keys("?");
    char *s = wait_for("Help", 10);
    assert_non_null(s);
    /* Gather every page. */
    size_t cap = strlen(s) * 8 + 1;
    char *all = calloc(cap, 1);
    strcat(all, s);
    free(s);
    for (int page = 0; page < 5; page++) {
        keys("NPage");
        nap(300);
        s = capture();
        if (strlen(all) + strlen(s) + 1 < cap)
            strcat(all, s);
        free(s);
    }
    for (int i = 0; i < keys_count(); i++) {
        const KeyBinding *b = keys_get(i);
        if (!strstr(all, b->desc))
            fail_msg("the help screen does not list \"%s\"", b->desc);
        char label[96];
        keys_row_label(b, label, sizeof label);
        if (!strstr(all, label))
            fail_msg("the help screen does not show the keys \"%s\"", label);
    }
    free(all);
    /* Typing filters the list. */
    keys("Escape");
    free(wait_for("Z:", 10));
    keys("?");
    free(wait_for("Help", 10));
    sh("tmux -L %s send-keys -t tui -l cross", g_sock);
    s = wait_for("(1 of", 10);
    assert_non_null(s);
    assert_non_null(strstr(s, "cross-section view"));
    assert_null(strstr(s, "move north"));
    free(s);
    keys("Escape");
    keys("Escape");
    free(wait_for("Z:", 10));
}

static void test_resizing_shows_too_small_and_redraws(void **state)
{
    (void)state;
    sh("tmux -L %s resize-window -t tui -x 50 -y 15", g_sock);
    char *s = wait_for("Terminal too small", 10);
    assert_non_null(s);
    assert_non_null(strstr(s, "60x20"));
    assert_non_null(strstr(s, "50x15"));
    free(s);
    sh("tmux -L %s resize-window -t tui -x 120 -y 40", g_sock);
    s = wait_for("Z:", 10);
    assert_non_null(s);
    assert_non_null(strchr(s, '@'));
    assert_null(strstr(s, "Terminal too small"));
    free(s);
    sh("tmux -L %s resize-window -t tui -x 80 -y 24", g_sock);
    free(wait_for("Z:", 10));
}

static void test_quit_asks_then_restores_the_terminal(void **state)
{
    (void)state;
    char *s = capture();
    assert_true(position(s, &g_x, &g_z));
    free(s);
    keys("Q");
    s = wait_for("[yN]", 10);
    assert_non_null(s);
    free(s);
    keys("n"); /* the safe default keeps playing */
    nap(300);
    s = capture();
    assert_null(strstr(s, "EXIT="));
    free(s);
    keys("Q");
    free(wait_for("[yN]", 10));
    keys("y");
    s = wait_for("EXIT=", 20);
    assert_non_null(s);
    assert_non_null(strstr(s, "EXIT=0"));
    assert_null(strstr(s, "Z:")); /* the game's screen is gone */
    free(s);
}

static void test_second_launch_continues_at_the_same_position(void **state)
{
    (void)state;
    launch(80, 24);
    char *s = wait_for("Continue", 20);
    assert_non_null(s);
    free(s);
    keys("Enter");
    s = wait_for("Z:", 60);
    assert_non_null(s);
    int x, z;
    assert_true(position(s, &x, &z));
    assert_int_equal(x, g_x);
    assert_int_equal(z, g_z);
    free(s);
    keys("Q");
    free(wait_for("[yN]", 10));
    keys("y");
    s = wait_for("EXIT=0", 20);
    assert_non_null(s);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quick_start_with_enter_reaches_the_map),
        cmocka_unit_test(test_movement_keys_change_the_position_shown),
        cmocka_unit_test(test_help_lists_every_key_of_the_table),
        cmocka_unit_test(test_resizing_shows_too_small_and_redraws),
        cmocka_unit_test(test_quit_asks_then_restores_the_terminal),
        cmocka_unit_test(test_second_launch_continues_at_the_same_position),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
