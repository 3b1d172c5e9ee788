/* tmux.h — driving the real client in tmux as a person would, for the tests that look at the
 * screen (test_tui, test_story_tui, test_firsthour_tui, test_llm_cli, test_sync).
 *
 * One tmux server per test program, on a socket of its own, running one session at a time: the
 * command started in it ends with `echo EXIT=<status>` and stays on screen afterwards, so a
 * test can read how the game ended. A wait that fails kills the server at once (the game and
 * its pane go with it), and so does tmux_teardown, the per-test teardown of cmocka, and the
 * program's exit: a failing test ends in seconds and leaves nothing running. */
#ifndef MA_TESTS_TMUX_H
#define MA_TESTS_TMUX_H

#include <stdarg.h>

/* Whether tmux is installed. */
int tmux_available(void);

/* Names the socket of this program's tmux server ("ma-<name>-<pid>") and kills the server at
 * exit. Call once, before tmux_start. */
void tmux_init(const char *name);

/* Starts `env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 <command>` in a new session
 * `session` of a cols x rows window, after killing whatever ran before. The command (printf
 * format) names its own environment, program and arguments; it must hold no single quote. */
void tmux_start(const char *session, int cols, int rows, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The visible pane of the current session as text (heap; "" when there is no session). */
char *tmux_capture(void);

/* Waits up to `seconds` for text on the screen and returns the screen (heap). When it never
 * comes (or the game ended, or the session is gone, so that it never will), prints the last
 * screen whole to stderr, kills the server and fails the test. */
char *tmux_wait_for(const char *text, int seconds);

/* The same for every text of a NULL-terminated list on one screen (a screen is drawn top down,
 * so one capture can catch half of it). */
char *tmux_wait_all(const char *const *texts, int seconds);

/* As tmux_wait_for, but returns NULL instead of failing (the screen is printed all the same),
 * for a test that says in its own words what went wrong. */
char *tmux_find(const char *text, int seconds);

/* Sends tmux key names (Enter, C-u, NPage, Escape) or single characters. */
void tmux_keys(const char *k);
/* Types text literally (no single quote in it). */
void tmux_type(const char *text);
/* Resizes the current session's window. */
void tmux_resize(int cols, int rows);
/* The process id of the current pane's shell (the game is its child), or -1. */
int tmux_pane_pid(void);

/* Quits the game from its main screen as a player does (Q, then y at "[yN]") and waits for it
 * to exit with 0; fails showing the screen otherwise. */
void tmux_quit_game(void);

/* Kills the tmux server and everything running in it. */
void tmux_kill(void);
/* tmux_kill as a cmocka setup or teardown. */
int tmux_teardown(void **state);

#endif
