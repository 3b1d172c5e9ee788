/* term.h — the one owner of the terminal.
 *
 * Everything in ui/ that draws goes through here for set-up, colours, key
 * reading and clean-up: locale and Unicode detection (MAGIC_ASCII=1 forces
 * ASCII), colour depth (256, 8 or none; NO_COLOR turns colour off), a
 * minimum size check, and restoring the terminal on every way out (normal
 * return, error, atexit, SIGINT/SIGTERM/SIGHUP). */
#ifndef MA_UI_TERM_H
#define MA_UI_TERM_H

#include <stddef.h>
#include <stdint.h>

#include <curses.h>

#define TERM_MIN_COLS 60
#define TERM_MIN_ROWS 20

/* What term_getkey returns when a signal asked the game to stop. */
#define TERM_KEY_SIGNAL (KEY_MAX + 1)

/* Colour roles for the interface (not the map). */
typedef enum TermRole {
    ROLE_NORMAL, ROLE_TITLE, ROLE_DIM, ROLE_HILITE, ROLE_GOOD, ROLE_WARN, ROLE_BAD, ROLE_INFO, ROLE_PLAYER,
    ROLE_COUNT
} TermRole;

/* Sets up the terminal. On failure (no terminal, TERM=dumb, no cursor
 * addressing) returns -1 with a message in msg and the terminal untouched. */
int term_open(char *msg, size_t size);
/* Restores the terminal; safe to call more than once. */
void term_close(void);

int term_utf8(void);
/* 0, 8 or 256. */
int term_colors(void);

/* Blocks until a key (no CPU while waiting). Returns KEY_RESIZE after a
 * resize, TERM_KEY_SIGNAL when SIGINT/SIGTERM/SIGHUP arrived. */
int term_getkey(void);

/* Work waiting on something outside the terminal (the LLM's answers): while
 * term_getkey waits, fn(ud) is called before each wait. It returns
 * TERM_IDLE_BLOCK (nothing outstanding: wait for a key without waking),
 * TERM_IDLE_POLL (call again in `ms` unless a key comes first) or
 * TERM_IDLE_REDRAW (something changed: term_getkey returns KEY_RESIZE, which
 * every screen takes as "draw again"). NULL fn: none. */
enum { TERM_IDLE_BLOCK, TERM_IDLE_POLL, TERM_IDLE_REDRAW };
void term_set_idle(int (*fn)(void *ud), void *ud, int ms);
/* The signal that stopped the game, 0 when none. */
int term_signal(void);

/* When the terminal is below the minimum, clears it, says how big it must
 * be and returns 1; the caller then waits for the next key. */
int term_too_small(void);

/* The attribute for a map glyph of colour c256 / c8 seen `depth` levels
 * down; `dim` darkens it further (night). */
attr_t term_map_attr(uint8_t c256, uint8_t c8, int depth, int dim);
attr_t term_role(TermRole r);

/* Draws a UTF-8 or ASCII string clipped to `width` columns at (y, x). */
void term_put(int y, int x, int width, const char *s);
/* Draws one glyph cell. */
void term_glyph(int y, int x, const char *utf8, char ascii, attr_t attr);

/* A cell of a row drawn by term_glyph_row. */
typedef struct TermGlyph {
    const char *utf8; /* NULL or "" for the ASCII glyph */
    char ascii;
    attr_t attr;
} TermGlyph;
/* Draws n cells from (y, x) on in one call: the map draws ten thousand
 * cells a frame, and a call per cell was most of composing it. */
void term_glyph_row(int y, int x, const TermGlyph *g, int n);

/* The map in the top-left rows x cols of the screen is about to be drawn
 * moved by one column (dx = 1: the view moved east, so the picture moves
 * west) or one row (dz = 1: the view moved south). Moves what the terminal
 * shows the same way — delete and insert character on each row, or a
 * scrolling region of the map's rows — and curses' copy of the screen with
 * it, so that the next update sends only the new column or row (and, for a
 * row, the side panel's columns again), not the whole map. Call between
 * wnoutrefresh and doupdate. Returns -1 (and does nothing) when it cannot:
 * a cleared screen, no such terminal capabilities, or another move. */
int term_shift_map(int rows, int cols, int dx, int dz);

/* Write system calls and bytes written by this process so far (from
 * /proc/self/io), for `bench client`: read around doupdate, when nothing
 * else writes. -1 when unknown. */
int term_output_counters(long long *writes, long long *bytes);

/* Columns of UTF-8 text (a code point a column). */
int term_text_cols(const char *s);
/* s clipped to width columns into out, ending in an ellipsis ("~" in ASCII) when it did not fit. */
void term_clip(const char *s, int width, char *out, size_t size);
/* Bytes of the first `cols` columns of s. */
size_t term_bytes_of_cols(const char *s, int cols);
/* The next line of s wrapped at width columns (at a space where there is one): its bytes in *take,
 * and where the line after it starts (the spaces at the break skipped). */
const char *term_wrap_line(const char *s, int width, size_t *take);

#endif
