/* tmux.c — see tmux.h. */
#include "tmux.h"

#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char sock[64];
static char sess[32];

int tmux_available(void) { return system("command -v tmux >/dev/null 2>&1") == 0; }

static void kill_at_exit(void) { tmux_kill(); }

void tmux_init(const char *name)
{
    snprintf(sock, sizeof sock, "ma-%s-%d", name, (int)getpid());
    atexit(kill_at_exit);
}

void tmux_kill(void)
{
    if (sock[0])
        th_sh("tmux -L %s kill-server >/dev/null 2>&1", sock);
}

int tmux_teardown(void **state)
{
    (void)state;
    tmux_kill();
    return 0;
}

void tmux_start(const char *session, int cols, int rows, const char *fmt, ...)
{
    if (!sock[0])
        fail_msg("tmux_start before tmux_init");
    char command[3000];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(command, sizeof command, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof command)
        fail_msg("the command for tmux is too long");
    tmux_kill();
    snprintf(sess, sizeof sess, "%s", session);
    int rc = -1;
    /* The old server may still be going away: retry while it does. */
    for (int attempt = 0; attempt < 20 && rc != 0; attempt++) {
        if (attempt)
            th_nap(250);
        rc = th_sh("tmux -L %s new-session -d -s %s -x %d -y %d "
                "'env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 %s; echo EXIT=$?; sleep 120'",
                sock, sess, cols, rows, command);
    }
    if (rc != 0)
        fail_msg("tmux new-session failed (%d) for: %s", rc, command);
}

char *tmux_capture(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "tmux -L %s capture-pane -p -t %s 2>/dev/null", sock, sess);
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

/* Whether every text of the list is on screen s; *missing gets the first that is not. */
static int has_all(const char *s, const char *const *texts, const char **missing)
{
    for (int k = 0; texts[k]; k++)
        if (!strstr(s, texts[k])) {
            *missing = texts[k];
            return 0;
        }
    return 1;
}

/* Waits for every text; returns the screen, or NULL (with the last screen printed and, when
 * must, the server killed and the test failed). A screen that will not change any more ends the
 * wait early: no session at all (an empty capture), or the game gone (EXIT= shown). */
static char *wait_texts(const char *const *texts, int seconds, int must)
{
    char *s = NULL;
    const char *missing = texts[0];
    const char *why = "";
    for (int i = 0; i < seconds * 10; i++) {
        free(s);
        s = tmux_capture();
        if (has_all(s, texts, &missing))
            return s;
        if (!s[0]) {
            why = " (the tmux session is gone)";
            break;
        }
        if (strstr(s, "EXIT=")) {
            why = " (the game has ended)";
            break;
        }
        th_nap(100);
    }
    /* cmocka cuts long messages: the screen goes to standard error whole. */
    fprintf(stderr, "never saw \"%s\"%s; the screen was:\n%s\n", missing, why, s);
    free(s);
    if (must) {
        tmux_kill();
        fail_msg("never saw \"%s\"%s", missing, why);
    }
    return NULL;
}

char *tmux_wait_for(const char *text, int seconds)
{
    const char *const texts[] = {text, NULL};
    return wait_texts(texts, seconds, 1);
}

char *tmux_wait_all(const char *const *texts, int seconds) { return wait_texts(texts, seconds, 1); }

char *tmux_find(const char *text, int seconds)
{
    const char *const texts[] = {text, NULL};
    return wait_texts(texts, seconds, 0);
}

void tmux_keys(const char *k)
{
    if (th_sh("tmux -L %s send-keys -t %s '%s'", sock, sess, k) != 0)
        fail_msg("tmux could not send the keys %s", k);
}

void tmux_type(const char *text)
{
    if (th_sh("tmux -L %s send-keys -t %s -l '%s'", sock, sess, text) != 0)
        fail_msg("tmux could not type %s", text);
}

void tmux_resize(int cols, int rows) { th_sh("tmux -L %s resize-window -t %s -x %d -y %d", sock, sess, cols, rows); }

void tmux_quit_game(void)
{
    tmux_keys("Q");
    free(tmux_wait_for("[yN]", 10));
    tmux_keys("y");
    char *s = tmux_wait_for("EXIT=", 20);
    if (!strstr(s, "EXIT=0")) {
        tmux_kill();
        fail_msg("the game did not exit with 0:\n%s", s);
    }
    free(s);
}

int tmux_pane_pid(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "tmux -L %s list-panes -t %s -F '#{pane_pid}' 2>/dev/null", sock, sess);
    FILE *p = popen(cmd, "r");
    int pid = -1;
    if (p) {
        if (fscanf(p, "%d", &pid) != 1)
            pid = -1;
        pclose(p);
    }
    return pid;
}
