/* screen_lists.h — the list widget, message boxes and prompts (screen_lists.c); the screens
 * built on it have their own headers (screen_help.h, screen_messages.h, ...). Every screen handles KEY_RESIZE (redraw) and the
 * too-small message, and returns on TERM_KEY_SIGNAL. Only term.c sets up or tears down curses. */
#ifndef MA_UI_SCREEN_LISTS_H
#define MA_UI_SCREEN_LISTS_H

#include <stddef.h>

#include <curses.h>

#include "keys.h"

typedef struct ListItem {
    char text[200];
    char detail[80]; /* right column, may be "" */
    char letter;     /* the item's own letter (an inventory letter that stays); 0: by position */
    attr_t attr;     /* 0: normal; else how to draw the text (a hostile creature, a dim line) */
    int heading;     /* a section's heading: Up and Down pass over it in a selectable list */
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
int screen_message(const char *title, const char *text); /* returns the key that closed it */
/* The same with hint on the bottom line instead of "Press any key" (NULL: that). */
int screen_message_hint(const char *title, const char *text, const char *hint);

#endif
