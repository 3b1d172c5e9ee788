/* term.c — terminal set-up, colours, keys and clean-up (see term.h). */
#include "term.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ncursesw/term.h> /* the terminfo interface (not ui/term.h) */
#include <unistd.h>

#include "world/render.h"

static int g_open;
static int g_utf8;
static int g_colors;
static volatile sig_atomic_t g_signal;
static short g_pair_of[256]; /* fg colour -> pair, 0 = not yet made */
static short g_next_pair;
static attr_t g_roles[ROLE_COUNT];

static void on_signal(int sig)
{
    if (g_signal) {
        /* A second signal while the first is handled: leave at once. The
         * save is committed after every action, so nothing is lost. */
        static const char msg[] = "\033[0m\033[?1049l\033[?25h\r\n";
        if (write(STDOUT_FILENO, msg, sizeof msg - 1) < 0) {
            /* nothing more to do */
        }
        _exit(128 + sig);
    }
    g_signal = sig;
}

static void at_exit(void) { term_close(); }

static int env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0") != 0;
}

/* A colour pair for foreground fg on the default background. */
static short pair_for(int fg)
{
    if (fg < 0 || fg > 255)
        fg = 7;
    if (g_pair_of[fg])
        return g_pair_of[fg];
    if (g_next_pair >= COLOR_PAIRS - 1 || g_next_pair >= 32000)
        return 0;
    short p = ++g_next_pair;
    init_pair(p, (short)fg, -1);
    g_pair_of[fg] = p;
    return p;
}

static void roles_init(void)
{
    for (int i = 0; i < ROLE_COUNT; i++)
        g_roles[i] = A_NORMAL;
    g_roles[ROLE_TITLE] = A_BOLD;
    g_roles[ROLE_HILITE] = A_REVERSE;
    g_roles[ROLE_BAD] = A_BOLD;
    g_roles[ROLE_PLAYER] = A_BOLD;
    g_roles[ROLE_DIM] = A_DIM;
    if (!g_colors)
        return;
    int big = g_colors >= 256;
    g_roles[ROLE_TITLE] = A_BOLD | COLOR_PAIR(pair_for(big ? 220 : COLOR_YELLOW));
    g_roles[ROLE_GOOD] = COLOR_PAIR(pair_for(big ? 114 : COLOR_GREEN));
    g_roles[ROLE_WARN] = COLOR_PAIR(pair_for(big ? 214 : COLOR_YELLOW));
    g_roles[ROLE_BAD] = A_BOLD | COLOR_PAIR(pair_for(big ? 203 : COLOR_RED));
    g_roles[ROLE_INFO] = COLOR_PAIR(pair_for(big ? 117 : COLOR_CYAN));
    g_roles[ROLE_PLAYER] = A_BOLD | COLOR_PAIR(pair_for(big ? 231 : COLOR_WHITE));
    g_roles[ROLE_DIM] = big ? COLOR_PAIR(pair_for(244)) : A_DIM;
}

int term_open(char *msg, size_t size)
{
    if (g_open)
        return 0;
    setlocale(LC_ALL, "");
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        snprintf(msg, size, "standard input and output must be a terminal");
        return -1;
    }
    const char *term = getenv("TERM");
    if (!term || !*term || strcmp(term, "dumb") == 0) {
        snprintf(msg, size, "the terminal (TERM=%s) cannot draw the game's screen; "
                            "use a full terminal (TERM=xterm-256color), or `play --script FILE`",
                 term && *term ? term : "(unset)");
        return -1;
    }
    int terr = 0;
    if (setupterm(NULL, STDOUT_FILENO, &terr) != OK) {
        snprintf(msg, size, "no terminal description for TERM=%s; try TERM=xterm-256color, "
                            "or `play --script FILE`", term);
        return -1;
    }
    const char *cup = tigetstr("cup");
    int is_hardcopy = tigetflag("hc") > 0;
    del_curterm(cur_term);
    if (!cup || cup == (char *)-1 || is_hardcopy) {
        snprintf(msg, size, "the terminal (TERM=%s) cannot move the cursor; use a full terminal, "
                            "or `play --script FILE`", term);
        return -1;
    }
    const char *cs = nl_langinfo(CODESET);
    g_utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0) && !env_set("MAGIC_ASCII");
    if (!initscr()) {
        snprintf(msg, size, "cannot start the terminal screen");
        return -1;
    }
    g_open = 1;
    atexit(at_exit);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocked getch returns so we can leave cleanly */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    cbreak();
    noecho();
    nonl();
    /* No look-ahead for keys during an update: with keys queued, curses
     * flushes and polls every few lines and leaves frames half drawn, a
     * write() each time (400 a step under key repeat). A frame is drawn
     * whole and leaves in one write (curses' buffer holds (2 + LINES) x
     * (6 + COLS) bytes). */
    typeahead(-1);
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    g_colors = 0;
    if (has_colors() && !env_set("NO_COLOR") && getenv("NO_COLOR") == NULL) {
        start_color();
        use_default_colors();
        g_colors = COLORS >= 256 ? 256 : COLORS >= 8 ? 8 : 0;
    }
    roles_init();
    /* ncurses 6.4 flushes its output at every cursor movement until the
     * screen has been through endwin() once (its mvcur cannot tell its own
     * calls from a program's before that): a frame left in hundreds of
     * write() calls. One round trip now, before anything is drawn, and a
     * frame leaves in one write (its buffer holds (2 + LINES) x (6 + COLS)
     * bytes). */
    refresh();
    endwin();
    refresh();
    return 0;
}

void term_close(void)
{
    if (!g_open)
        return;
    g_open = 0;
    if (!isendwin()) {
        curs_set(1);
        endwin();
    }
    fflush(stdout);
}

int term_utf8(void) { return g_utf8; }
int term_colors(void) { return g_colors; }
int term_signal(void) { return (int)g_signal; }

static int (*g_idle)(void *ud);
static void *g_idle_ud;
static int g_idle_ms;

void term_set_idle(int (*fn)(void *ud), void *ud, int ms)
{
    g_idle = fn;
    g_idle_ud = ud;
    g_idle_ms = ms > 0 ? ms : 100;
}

int term_getkey(void)
{
    for (;;) {
        if (g_signal)
            return TERM_KEY_SIGNAL;
        int idle = g_idle ? g_idle(g_idle_ud) : TERM_IDLE_BLOCK;
        if (idle == TERM_IDLE_REDRAW)
            return KEY_RESIZE;
        timeout(idle == TERM_IDLE_POLL ? g_idle_ms : -1);
        int ch = getch();
        if (g_signal)
            return TERM_KEY_SIGNAL;
        if (ch != ERR)
            return ch;
        if (idle == TERM_IDLE_POLL && isatty(STDIN_FILENO))
            continue; /* no key within the poll interval */
        /* ERR with no signal: a spurious wake-up (EINTR from SIGWINCH
         * handled elsewhere, or stdin closed). Leave if stdin is gone. */
        if (!isatty(STDIN_FILENO)) {
            g_signal = SIGHUP;
            return TERM_KEY_SIGNAL;
        }
    }
}

int term_too_small(void)
{
    if (COLS >= TERM_MIN_COLS && LINES >= TERM_MIN_ROWS)
        return 0;
    erase();
    char buf[96];
    snprintf(buf, sizeof buf, "Terminal too small: need at least %dx%d, have %dx%d", TERM_MIN_COLS,
             TERM_MIN_ROWS, COLS, LINES);
    int len = (int)strlen(buf);
    if (len > COLS) {
        /* Break into words so the whole message stays readable. */
        mvaddnstr(0, 0, "Terminal too small:", COLS);
        snprintf(buf, sizeof buf, "need at least %dx%d,", TERM_MIN_COLS, TERM_MIN_ROWS);
        mvaddnstr(1, 0, buf, COLS);
        snprintf(buf, sizeof buf, "have %dx%d", COLS, LINES);
        mvaddnstr(2, 0, buf, COLS);
    } else {
        mvaddnstr(LINES / 2, (COLS - len) / 2, buf, COLS);
    }
    refresh();
    return 1;
}

attr_t term_role(TermRole r) { return r >= 0 && r < ROLE_COUNT ? g_roles[r] : A_NORMAL; }

attr_t term_map_attr(uint8_t c256, uint8_t c8, int depth, int dim)
{
    if (g_colors >= 256) {
        int d = depth + (dim ? 3 : 0);
        if (d > RENDER_LOOK_DOWN)
            d = RENDER_LOOK_DOWN;
        /* Brightness by colour alone: no bold for the level itself, as
         * every bold/normal change costs an attribute reset and the colour
         * again (two thirds of the bytes of a frame were such escapes). */
        uint8_t c = d > 0 ? render_dim256(c256, d) : c256;
        return COLOR_PAIR(pair_for(c));
    }
    attr_t a = depth == 0 && !dim ? A_BOLD : depth > 0 || dim ? A_DIM : A_NORMAL;
    if (g_colors >= 8)
        a |= COLOR_PAIR(pair_for(c8 & 7));
    return a;
}

void term_put(int y, int x, int width, const char *s)
{
    if (width <= 0 || y < 0 || y >= LINES || x >= COLS)
        return;
    if (x + width > COLS)
        width = COLS - x;
    if (g_utf8) {
        /* Clip by columns, not bytes: count UTF-8 lead bytes. */
        int cols = 0;
        const char *p = s;
        while (*p && cols < width) {
            p++;
            while ((*p & 0xC0) == 0x80)
                p++;
            cols++;
        }
        mvaddnstr(y, x, s, (int)(p - s));
    } else {
        char buf[512];
        int n = 0;
        for (const char *p = s; *p && n < width && n < (int)sizeof buf - 1; p++) {
            if ((*p & 0xC0) == 0x80)
                continue;
            buf[n++] = (*p & 0x80) ? '?' : *p;
        }
        buf[n] = '\0';
        mvaddnstr(y, x, buf, n);
    }
}

/* One UTF-8 character to a wide character, without the locale's converter
 * (the map draws twelve thousand of these a frame). */
static wchar_t utf8_char(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80)
        return u[0];
    if ((u[0] & 0xE0) == 0xC0 && u[1])
        return (wchar_t)(((u[0] & 0x1F) << 6) | (u[1] & 0x3F));
    if ((u[0] & 0xF0) == 0xE0 && u[1] && u[2])
        return (wchar_t)(((u[0] & 0x0F) << 12) | ((u[1] & 0x3F) << 6) | (u[2] & 0x3F));
    if ((u[0] & 0xF8) == 0xF0 && u[1] && u[2] && u[3])
        return (wchar_t)(((u[0] & 0x07) << 18) | ((u[1] & 0x3F) << 12) | ((u[2] & 0x3F) << 6) | (u[3] & 0x3F));
    return L'?';
}

void term_glyph(int y, int x, const char *utf8, char ascii, attr_t attr)
{
    if (g_utf8 && utf8 && utf8[0]) {
        wchar_t wc[2] = {utf8_char(utf8), L'\0'};
        cchar_t cc;
        setcchar(&cc, wc, attr & ~A_COLOR, (short)PAIR_NUMBER(attr), NULL);
        mvadd_wch(y, x, &cc);
    } else {
        mvaddch(y, x, (chtype)(unsigned char)(ascii ? ascii : ' ') | attr);
    }
}

void term_glyph_row(int y, int x, const TermGlyph *g, int n)
{
    if (n <= 0 || y < 0 || y >= LINES || x < 0 || x >= COLS)
        return;
    if (x + n > COLS)
        n = COLS - x;
    if (g_utf8) {
        cchar_t buf[512];
        for (int i = 0; i < n; i++) {
            wchar_t wc = g[i].utf8 && g[i].utf8[0] ? utf8_char(g[i].utf8) : (wchar_t)(g[i].ascii ? g[i].ascii : ' ');
#if defined(NCURSES_VERSION) && defined(NCURSES_EXT_COLORS)
            /* ncurses' cchar_t filled in directly: setcchar checks and
             * measures its string each time, a third of composing a frame. */
            cchar_t *cc = &buf[i % 512];
            memset(cc, 0, sizeof *cc);
            cc->attr = g[i].attr; /* COLOR_PAIR(pair) inside, as setcchar leaves it */
            cc->chars[0] = wc;
            cc->ext_color = PAIR_NUMBER(g[i].attr);
#else
            wchar_t wcs[2] = {wc, L'\0'};
            setcchar(&buf[i % 512], wcs, g[i].attr & ~A_COLOR, (short)PAIR_NUMBER(g[i].attr), NULL);
#endif
            if (i % 512 == 511 || i == n - 1)
                mvadd_wchnstr(y, x + i - i % 512, buf, i % 512 + 1);
        }
    } else {
        chtype buf[512];
        for (int i = 0; i < n; i++) {
            buf[i % 512] = (chtype)(unsigned char)(g[i].ascii ? g[i].ascii : ' ') | g[i].attr;
            if (i % 512 == 511 || i == n - 1)
                mvaddchnstr(y, x + i - i % 512, buf, i % 512 + 1);
        }
    }
}

/* One terminfo string, or NULL when the terminal has none. */
static const char *cap(const char *s) { return s && s != (char *)-1 && *s ? s : NULL; }

/* What term_shift_map sends is gathered here and written with one write()
 * before the update's own: putp and vidputs would go through stdio, whose
 * buffer curses keeps small. */
static char g_shift_out[16384];
static size_t g_shift_len;
static int g_shift_full;

static int out_char(int c)
{
    if (g_shift_len < sizeof g_shift_out)
        g_shift_out[g_shift_len++] = (char)c;
    else
        g_shift_full = 1;
    return c;
}

static void put_str(const char *s) { tputs(s, 1, out_char); }
static void put_move(int y, int x) { put_str(tiparm(cursor_address, y, x)); }

/* Emits a one-column insert or delete at the cursor. */
static void put_ich_dch(int insert)
{
    const char *parm = cap(insert ? parm_ich : parm_dch), *one = cap(insert ? insert_character : delete_character);
    if (parm)
        put_str(tiparm(parm, 1));
    else if (one)
        put_str(one);
}

static void shift_out_flush(void)
{
    const char *p = g_shift_out;
    size_t left = g_shift_len;
    while (left > 0) {
        ssize_t n = write(STDOUT_FILENO, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        p += n;
        left -= (size_t)n;
    }
    g_shift_len = 0;
}

/* A step north or south. Curses finds moved lines itself (its hash of each whole line) and
 * scrolls them, but only where a whole line, side panel included, moved; with a side panel
 * full of text (who is in view) each step repainted most of the map. So the step is shown in
 * two updates: first the screen as it was with the map's rows moved whole, side panel and all,
 * which curses sends as one scroll of the map's region; then the frame itself, which sends the
 * new row and the panel's columns. (The rows had been scrolled here by hand and curses' copy of
 * the screen moved to match: its hash of each line, kept apart, then no longer matched, and it
 * scrolled parts of the map again on its own and repainted them: 14 KB a step.) */
static WINDOW *g_shift_win;

static int shift_rows(int rows, int dz)
{
    if (rows < 2 || rows > LINES)
        return -1;
    if (g_shift_win && (getmaxy(g_shift_win) != LINES || getmaxx(g_shift_win) != COLS)) {
        delwin(g_shift_win);
        g_shift_win = NULL;
    }
    if (!g_shift_win) {
        if (!(g_shift_win = newwin(LINES, COLS, 0, 0)))
            return -1;
        clearok(g_shift_win, FALSE); /* a new window of the screen's size asks for a clear screen */
    }
    cchar_t *row = malloc(sizeof *row * (size_t)(COLS + 1)), blank; /* and its terminator */
    if (!row)
        return -1;
    setcchar(&blank, L" ", A_NORMAL, 0, NULL);
    int cy = getcury(curscr), cx = getcurx(curscr);
    for (int r = 0; r < LINES; r++) {
        /* Walking south the picture moves up: row r shows what row r + 1 did. */
        int from = r < rows ? r + dz : r;
        if (from < 0 || from >= rows) {
            for (int c = 0; c < COLS; c++)
                mvwadd_wch(g_shift_win, r, c, &blank);
            continue;
        }
        mvwin_wchnstr(curscr, from, 0, row, COLS);
        mvwadd_wchnstr(g_shift_win, r, 0, row, COLS);
    }
    free(row);
    wmove(g_shift_win, cy, cx);
    touchwin(g_shift_win);
    wnoutrefresh(g_shift_win);
    doupdate();
    /* The frame again, whole, for the caller's update. */
    touchwin(stdscr);
    wnoutrefresh(stdscr);
    return 0;
}

int term_shift_map(int rows, int cols, int dx, int dz)
{
    if (!g_open || rows < 1 || cols < 2 || rows > LINES || cols >= COLS || is_cleared(curscr))
        return -1;
    if (dx == 0 && (dz == 1 || dz == -1))
        return shift_rows(rows, dz);
    /* Left and right curses cannot find the move: a line moved by one column is another line
     * to it. */
    if (dz != 0 || (dx != 1 && dx != -1))
        return -1;
    if (!cap(cursor_address) || !(cap(parm_ich) || cap(insert_character)) ||
        !(cap(parm_dch) || cap(delete_character)))
        return -1;
    /* Where curses believes the cursor is (it left it there): put it back
     * there at the end. */
    int cy = getcury(curscr), cx = getcurx(curscr);
    cchar_t *row = malloc(sizeof *row * (size_t)cols), blank;
    if (!row)
        return -1;
    setcchar(&blank, L" ", A_NORMAL, 0, NULL);
    g_shift_len = 0;
    g_shift_full = 0;
    /* Blanks that come in take the current background: make it the default. */
    vidputs(A_NORMAL, out_char);
    for (int r = 0; r < rows; r++) {
        /* Walking east the picture moves west: delete its first column and
         * open one at its last (the side panel goes back to where it was);
         * walking west, the other way round. */
        int del = dx > 0 ? 0 : cols - 1, ins = dx > 0 ? cols - 1 : 0;
        put_move(r, del);
        put_ich_dch(0);
        put_move(r, ins);
        put_ich_dch(1);
        /* What curses believes is on the screen moves the same way. */
        mvwin_wchnstr(curscr, r, dx > 0 ? 1 : 0, row, cols - 1);
        mvwadd_wchnstr(curscr, r, dx > 0 ? 0 : 1, row, cols - 1);
        mvwadd_wch(curscr, r, ins, &blank);
    }
    free(row);
    put_move(cy, cx);
    wmove(curscr, cy, cx);
    /* The buffer holds a 256-row screen's worth; more would be a bug. */
    if (!g_shift_full)
        shift_out_flush();
    else
        clearok(curscr, TRUE);
    return 0;
}

int term_output_counters(long long *writes, long long *bytes)
{
    FILE *f = fopen("/proc/self/io", "r");
    if (!f)
        return -1;
    char line[96];
    int got = 0;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "syscw: %lld", writes) == 1)
            got |= 1;
        else if (sscanf(line, "wchar: %lld", bytes) == 1)
            got |= 2;
    }
    fclose(f);
    return got == 3 ? 0 : -1;
}

/* ------------------------------------------------------------ text in columns */

/* Columns of UTF-8 text (a code point a column). */
int term_text_cols(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += (*s & 0xC0) != 0x80;
    return n;
}

void term_clip(const char *s, int width, char *out, size_t size)
{
    if (width <= 0) {
        out[0] = '\0';
        return;
    }
    if (term_text_cols(s) <= width) {
        snprintf(out, size, "%s", s);
        return;
    }
    const char *dots = term_utf8() ? "\xe2\x80\xa6" : "~";
    size_t b = term_bytes_of_cols(s, width - 1);
    snprintf(out, size, "%.*s%s", (int)b, s, dots);
}

/* Bytes of the first `cols` columns of s. */
size_t term_bytes_of_cols(const char *s, int cols)
{
    const char *p = s;
    while (*p && cols > 0) {
        p++;
        while ((*p & 0xC0) == 0x80)
            p++;
        cols--;
    }
    return (size_t)(p - s);
}

/* The next line of s wrapped at width columns (at a space where there is one): its bytes
 * in *take, and where the line after it starts. */
const char *term_wrap_line(const char *s, int width, size_t *take)
{
    if (term_text_cols(s) <= width) {
        *take = strlen(s);
        return s + *take;
    }
    size_t fit = term_bytes_of_cols(s, width);
    size_t cut = fit;
    while (cut > 0 && s[cut] != ' ')
        cut--;
    if (cut == 0)
        cut = fit;
    *take = cut;
    const char *next = s + cut;
    while (*next == ' ')
        next++;
    return next;
}
