/* screen.h — the ncurses client's screens and the pieces they share.
 *
 * screen_title.c: the title menu, quick start, continue, sign-in, new game.
 * screen_main.c:  the main screen (map, side panel, log), look, travel.
 * screen_lists.c: the list widget and the screens built on it (help,
 *                 message history, inventory, block picker), prompts.
 * screen_log.c:   the message log.
 * Every screen handles KEY_RESIZE (redraw) and the too-small message, and
 * returns on TERM_KEY_SIGNAL. Only term.c sets up or tears down curses. */
#ifndef MA_UI_SCREEN_H
#define MA_UI_SCREEN_H

#include <stddef.h>

#include "cli.h"
#include "game/game.h"
#include "keys.h"

/* ---- the message log (screen_log.c) ---- */
typedef struct LogLine {
    Severity sev;
    int count; /* repeats stacked into this line ("x3") */
    long turn;
    char text[160];
} LogLine;

typedef struct MsgLog {
    LogLine *lines;
    int n, cap;
} MsgLog;

void log_add(MsgLog *log, Severity sev, long turn, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void log_free(MsgLog *log);
/* "Warning: " etc.: the word that says the severity without colour. */
const char *log_prefix(Severity sev);
/* The line as shown: prefix, text and " x3". */
void log_format(const LogLine *l, char *buf, size_t size);

/* ---- lists and prompts (screen_lists.c) ---- */
typedef struct ListItem {
    char text[200];
    char detail[80]; /* right column, may be "" */
} ListItem;

typedef struct ListSpec {
    const char *title;
    const char *hint;       /* bottom line; NULL for a default */
    const ListItem *items;
    int n;
    int lettered;           /* a-z pick at once, `/` filters */
    int selectable;         /* Enter returns the highlighted item */
    int start;              /* first highlighted item */
    unsigned help_ctx;      /* which keys `?` shows first */
} ListSpec;

/* Shows a list until the player picks (returns the index into items) or
 * backs out (-1), or a signal arrives (-2). Typing filters it. */
int list_run(const ListSpec *spec);

/* Asks a yes/no question on the bottom line; def is the answer for Enter.
 * Returns 1 for yes, 0 for no, -2 on a signal. */
int prompt_yn(const char *question, int def);
/* Reads a line of text into buf. hidden: echo '*'. Returns 1 when entered,
 * 0 when the player backed out with Esc, -2 on a signal. */
int prompt_text(const char *title, const char *question, char *buf, size_t size, int hidden);
/* Shows a message box until a key. */
void screen_message(const char *title, const char *text);
/* The help screen, ctx's keys first. */
void help_run(unsigned ctx);

/* ---- the main screen (screen_main.c) ---- */
/* Plays until the player quits (0) or a signal arrives (-2). */
int main_screen_run(Save *s, Game *g);
void messages_run(const MsgLog *log);
void inventory_run(Game *g);
/* Picks any carried item under a title; 1 and its name in buf when chosen. */
int item_pick_run(Game *g, const char *title, char *buf, size_t size);
/* Picks an item to hold; 1 and name in buf when chosen. */
int block_pick_run(Game *g, char *buf, size_t size);

/* ---- the title screens (screen_title.c) ---- */
/* Runs the whole client on an open save; returns a CLI exit status. */
int client_run(CliCtx *ctx);

#endif
