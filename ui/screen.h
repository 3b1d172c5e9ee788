/* screen.h — the ncurses client's screens and the pieces they share.
 *
 * client.c (client.h): the client's loop; screen_title.c, screen_signin.c, screen_newgame.c,
 * screen_loading.c (each with its header): the title menu, signing in, new game, starting one.
 * screen_main.c:  the main screen (map, side panel, log), look, travel.
 * screen_lists.c: the list widget and the screens built on it (help,
 *                 message history), prompts.
 * screen_inventory.c: the inventory, the block picker, the item pickers.
 * screen_panel.c: the main screen's side panel (screen_panel.h).
 * screen_log.c:   the message log.
 * Every screen handles KEY_RESIZE (redraw) and the too-small message, and
 * returns on TERM_KEY_SIGNAL. Only term.c sets up or tears down curses. */
#ifndef MA_UI_SCREEN_H
#define MA_UI_SCREEN_H

#include <stddef.h>
#include <stdint.h>

#include <curses.h>

#include "game/game.h"
#include "keys.h"

/* ---- the message log (screen_log.c) ---- */
typedef struct LogLine {
    Severity sev;
    int count; /* repeats stacked into this line ("x3") */
    long turn;
    char text[160];
    int64_t id; /* its message_log row once kept in the save, else 0 */
    int dirty;  /* kept, and repeated since */
} LogLine;

typedef struct MsgLog {
    LogLine *lines;
    int n, cap;
} MsgLog;

/* The message log is kept in the save (message_log, migration 008), per character: log_load reads
 * the last `limit` lines of an earlier session into an empty log (and removes older ones from
 * the save); log_keep writes the lines added or repeated since, in one transaction of its own
 * (call it between actions). Both return MA_OK or a status with err filled. */
#define LOG_KEEP_IN_SAVE 500
int log_load(MsgLog *log, Save *s, int64_t character_id, int limit, Err *err);
int log_keep(MsgLog *log, Save *s, int64_t character_id, Err *err);

void log_add(MsgLog *log, Severity sev, long turn, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void log_free(MsgLog *log);
/* "Warning: " etc.: the word that says the severity without colour. */
const char *log_prefix(Severity sev);
/* The line as shown: prefix, text and " x3". */
void log_format(const LogLine *l, char *buf, size_t size);

/* ---- lists and prompts (screen_lists.c), the pack (screen_inventory.c) ---- */
typedef struct ListItem {
    char text[200];
    char detail[80]; /* right column, may be "" */
    char letter;     /* the item's own letter (an inventory letter that stays); 0: by position */
    attr_t attr;     /* 0: normal; else how to draw the text (a hostile creature, a dim line) */
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
    int wrap;               /* a text too long for its column goes on over more lines */
    const char *keys_ok;    /* more keys that end the list (returned as -100 - key), or NULL */
} ListSpec;

/* Shows a list until the player picks (returns the index into items) or
 * backs out (-1), or a signal arrives (-2). Typing filters it. A key of
 * spec->keys_ok returns LIST_KEY(key), with the highlighted item in *at
 * (may be NULL). A detail is never cut: a text that does not fit beside it
 * wraps (spec->wrap) or ends in an ellipsis. */
int list_run(const ListSpec *spec);
int list_run_at(const ListSpec *spec, int *at);
#define LIST_KEY(k) (-100 - (k))

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
/* Which items a command can take: anything, what can be worn and is not, what is worn, what
 * can be eaten, drunk or read, what is worn down and can be repaired. */
typedef enum ItemPick { PICK_ANY, PICK_EQUIP, PICK_WORN, PICK_USE, PICK_REPAIR } ItemPick;
/* Picks a carried item that `what` allows, under a title (each with its letter): 1 and its name
 * in buf when chosen, 0 when backed out, -1 when nothing applies (buf says so in words). */
int item_pick_run(Game *g, const char *title, ItemPick what, char *buf, size_t size);
/* Picks an item to hold; 1 and name in buf when chosen. */
int block_pick_run(Game *g, char *buf, size_t size);


#endif
