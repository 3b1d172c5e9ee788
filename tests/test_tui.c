/* test_tui.c — the ncurses client, driven through tmux like a person would:
 * quick start, the main screen at 80x24 and 200x60, moving, the help screen
 * against the key table, resizing and the too-small message, quitting with
 * the terminal restored, and a second launch that continues where the first
 * stopped. Then, each on its own save and tmux session: New game through
 * every screen (player with a password, world, character) checked in the
 * save; signing in with wrong passwords up to the lock; digging down with
 * the keys, checked through `play --script`.
 *
 * The first tests share one save and run in order. Skipped (77) without tmux. */
#include "helpers.h"
#include "tmux.h"

#include <cJSON.h>
#include <locale.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

/* The key table itself, so the help screen is checked against it. */
#include "../ui/keys.c"

static char *g_dir;
static int g_x, g_z; /* position when the first game ended */

/* Starts program exe (with environment settings env, may be "") in tmux
 * session `session` on save dir/save_name with extra arguments `args` (may
 * be ""), in a cols x rows window. */
static void launch_exe(const char *exe, const char *env, const char *session, const char *save_name, const char *args,
                       int cols, int rows)
{
    tmux_start(session, cols, rows, "HOME=%s USER=tester MAGIC_SEED=20261127 MAGIC_BCRYPT_COST=4 %s %s --save %s/%s %s", g_dir, env, exe,
               g_dir, save_name, args);
}

static void launch_with(const char *session, const char *save_name, const char *args, int cols, int rows)
{
    launch_exe(getenv("MAGIC_EXE"), "", session, save_name, args, cols, rows);
}

static void launch(int cols, int rows) { launch_with("tui", "s.db", "", cols, rows); }

static int position(const char *screen, int *x, int *z)
{
    const char *px = strstr(screen, "X: "), *pz = strstr(screen, "Z: ");
    return px && pz && sscanf(px, "X: %d", x) == 1 && sscanf(pz, "Z: %d", z) == 1;
}

/* Presses the keys of the NULL-terminated list in turn, each watched for tries tenths of a
 * second, until the position shown is no longer (x0, z0); whether it moved. */
static int moves_away(const char *const *ways, int x0, int z0, int tries)
{
    for (int i = 0; ways[i]; i++) {
        tmux_keys(ways[i]);
        for (int t = 0; t < tries; t++) {
            th_nap(100);
            char *s = tmux_capture();
            int x, z, moved = position(s, &x, &z) && (x != x0 || z != z0);
            free(s);
            if (moved)
                return 1;
        }
    }
    return 0;
}

/* ---- the screen as a grid of columns ---- */
#define GRID_ROWS 80
#define GRID_COLS 256

typedef struct Grid {
    int rows;
    wchar_t c[GRID_ROWS][GRID_COLS + 1]; /* one character a column, space-padded */
} Grid;

/* Reads a captured screen into columns (a wide glyph takes two: itself and a space). */
static Grid *grid_of(const char *screen)
{
    Grid *g = calloc(1, sizeof *g);
    const char *p = screen;
    while (*p && g->rows < GRID_ROWS) {
        wchar_t *row = g->c[g->rows++];
        wmemset(row, L' ', GRID_COLS);
        mbstate_t st;
        memset(&st, 0, sizeof st);
        int col = 0;
        while (*p && *p != '\n') {
            wchar_t wc;
            size_t n = mbrtowc(&wc, p, strlen(p), &st);
            if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
                wc = L'?';
                n = 1;
                memset(&st, 0, sizeof st);
            }
            p += n;
            int w = wcwidth(wc);
            if (col < GRID_COLS)
                row[col] = wc;
            col += w == 2 ? 2 : 1;
        }
        if (*p == '\n')
            p++;
    }
    return g;
}

/* Whether row r holds text at column col. */
static int grid_at(const Grid *g, int r, int col, const wchar_t *text)
{
    return r >= 0 && r < g->rows && col >= 0 && col < GRID_COLS && wcsncmp(&g->c[r][col], text, wcslen(text)) == 0;
}

/* The first row in [r0, r1) that contains text anywhere, or -1. */
static int grid_row_with(const Grid *g, int r0, int r1, const wchar_t *text)
{
    for (int r = r0 < 0 ? 0 : r0; r < r1 && r < g->rows; r++)
        if (wcsstr(g->c[r], text))
            return r;
    return -1;
}

/* As screen_panel.h lays the screen out: a wider panel from 120 columns on. */
#define PANEL_W(cols) ((cols) >= 120 ? 40 : 26)

/* Whether the main screen at cols x rows shows the map filling its space
 * with @ in the middle, the side panel at the right and the log below.
 * When not, why says what is wrong. */
static int main_layout_ok(const char *screen, int cols, int rows, char *why, size_t size)
{
    Grid *g = grid_of(screen);
    int log_h = rows >= 40 ? 7 : rows >= 30 ? 5 : 4;
    int map_h = rows - log_h - 1, map_w = cols - PANEL_W(cols) - 1, px = cols - PANEL_W(cols) + 1;
    int ok = 0;
    if (g->rows != rows) {
        snprintf(why, size, "the screen has %d lines, not %d", g->rows, rows);
        goto done;
    }
    if (g->c[map_h / 2][map_w / 2] != L'@') {
        snprintf(why, size, "no @ at the centre of the %dx%d map (line %d, column %d)", map_w, map_h, map_h / 2,
                 map_w / 2);
        goto done;
    }
    /* The map fills its space: most cells drawn, and something on every edge. */
    int drawn = 0, top = 0, bottom = 0, left = 0, right = 0;
    for (int r = 0; r < map_h; r++)
        for (int c = 0; c < map_w; c++)
            if (g->c[r][c] != L' ') {
                drawn++;
                top |= r == 0;
                bottom |= r == map_h - 1;
                left |= c == 0;
                right |= c == map_w - 1;
            }
    if (drawn * 2 < map_w * map_h || !top || !bottom || !left || !right) {
        snprintf(why, size, "the map does not fill %dx%d: %d cells drawn, edges top %d bottom %d left %d right %d",
                 map_w, map_h, drawn, top, bottom, left, right);
        goto done;
    }
    for (int r = 0; r < map_h; r++)
        if (g->c[r][map_w] != L'\x2502') {
            snprintf(why, size, "no panel border at column %d, line %d", map_w, r);
            goto done;
        }
    int zrow = -1, hrow = -1;
    for (int r = 0; r < map_h; r++) {
        if (grid_at(g, r, px, L"Z: "))
            zrow = r;
        if (grid_at(g, r, px, L"Health: "))
            hrow = r;
    }
    if (!grid_at(g, 0, px, L"tester") || zrow < 0 || hrow < 0) {
        snprintf(why, size, "the side panel at column %d lacks the name, Z: or Health: (name %d, Z %d, health %d)", px,
                 grid_at(g, 0, px, L"tester"), zrow, hrow);
        goto done;
    }
    if (grid_row_with(g, map_h + 1, rows, L"Welcome, tester") < 0) {
        snprintf(why, size, "the log (lines %d-%d) does not show the welcome", map_h + 1, rows - 1);
        goto done;
    }
    ok = 1;
done:
    free(g);
    return ok;
}

/* Waits up to `seconds` for the main screen laid out for cols x rows. */
static void assert_main_layout(int cols, int rows, int seconds)
{
    char why[300] = "";
    char *s = NULL;
    for (int i = 0; i < seconds * 10; i++) {
        free(s);
        s = tmux_capture();
        if (main_layout_ok(s, cols, rows, why, sizeof why)) {
            free(s);
            return;
        }
        th_nap(100);
    }
    fail_msg("at %dx%d: %s; the screen was:\n%s", cols, rows, why, s);
}

/* Opens the help screen's every page (from the screen showing now) and
 * returns all the text seen (heap). */
static char *help_pages(void)
{
    char *s = tmux_wait_for("Help: keys", 10);
    assert_non_null(s);
    size_t cap = strlen(s) * 8 + 1;
    char *all = calloc(cap, 1);
    strcat(all, s);
    free(s);
    char *last = tmux_capture();
    for (int page = 0; page < 5; page++) {
        tmux_keys("NPage");
        /* Wait for the next page (a busy machine may take a while to draw it); a page that stays the
         * same for two seconds is the last. */
        s = NULL;
        for (int t = 0; t < 20; t++) {
            th_nap(100);
            free(s);
            s = tmux_capture();
            if (strcmp(s, last) != 0)
                break;
        }
        if (strcmp(s, last) == 0) {
            free(s);
            break;
        }
        if (strlen(all) + strlen(s) + 1 < cap)
            strcat(all, s);
        free(last);
        last = s;
    }
    free(last);
    return all;
}

static void assert_help_lists_every_key(const char *all)
{
    for (int i = 0; i < keys_count(); i++) {
        const KeyBinding *b = keys_get(i);
        if (!strstr(all, b->desc))
            fail_msg("the help screen does not list \"%s\"; it showed:\n%s", b->desc, all);
        char label[96];
        keys_row_label(b, label, sizeof label);
        if (!strstr(all, label))
            fail_msg("the help screen does not show the keys \"%s\"; it showed:\n%s", label, all);
    }
}

/* ---- the save, read-only ---- */
static sqlite3 *open_save_ro(const char *name)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(th_path(g_dir, name), &db, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK)
        fail_msg("cannot open %s read-only: %s", name, db ? sqlite3_errmsg(db) : "?");
    return db;
}

/* The first column of the first row of sql with one text parameter (heap), or NULL. */
static char *query1(sqlite3 *db, const char *sql, const char *param)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (param)
        sqlite3_bind_text(st, 1, param, -1, SQLITE_TRANSIENT);
    char *out = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        out = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

static void assert_query(sqlite3 *db, const char *sql, const char *param, const char *want)
{
    char *got = query1(db, sql, param);
    if (!got || strcmp(got, want) != 0)
        fail_msg("%s [%s]: got \"%s\", want \"%s\"", sql, param ? param : "", got ? got : "(no row)", want);
    free(got);
}

/* Whether the bytes of `needle` occur in the file dir/name. */
static int file_contains(const char *name, const char *needle)
{
    size_t len = 0;
    char *data = th_read_file(th_path(g_dir, name), &len);
    if (!data)
        return 0;
    int found = memmem(data, len, needle, strlen(needle)) != NULL;
    free(data);
    return found;
}

static int setup(void **state)
{
    (void)state;
    if (!tmux_available()) {
        fprintf(stderr, "tmux is not installed: skipping\n");
        exit(77);
    }
    g_dir = th_tmpdir();
    setlocale(LC_CTYPE, "C.UTF-8"); /* to read the captured screen by columns */
    setenv("USER", "tester", 1);
    setenv("MAGIC_BCRYPT_COST", "4", 1);
    tmux_init("tui");
    return 0;
}

static int teardown(void **state)
{
    tmux_teardown(state);
    th_tmpdir_free(g_dir);
    return 0;
}

static void test_quick_start_with_enter_reaches_the_map(void **state)
{
    (void)state;
    launch(80, 24);
    char *s = tmux_wait_for("Quick start", 20);
    assert_non_null(s);
    assert_null(strstr(s, "Continue")); /* nothing to continue on a new save */
    free(s);
    tmux_keys("Enter");
    s = tmux_wait_for("Z:", 120);
    assert_non_null(s);
    assert_non_null(strchr(s, '@'));
    assert_non_null(strstr(s, "tester"));
    free(s);
}

/* A message longer than the screen is wide goes on over the next row, broken at a space, instead of
 * being cut: at 80 columns the welcome of a player with a long name ends on the next row. */
static void test_a_long_message_wraps_instead_of_being_cut(void **state)
{
    (void)state;
    launch_exe(getenv("MAGIC_EXE"), "USER=wanderer_of_the_long_roads_and_hills", "wrap", "wrap.db", "", 80, 24);
    char *s = tmux_wait_for("Quick start", 20);
    free(s);
    tmux_keys("Enter");
    s = tmux_wait_for("Z:", 120);
    free(s);
    s = tmux_wait_for("the keys.", 10);
    const char *w = strstr(s, "Welcome, wanderer_of_the_long_roads_and_hills, to ");
    assert_non_null(w);
    const char *end = strstr(w, "the keys.");
    assert_non_null(end);
    assert_non_null(memchr(w, '\n', (size_t)(end - w))); /* on the next row */
    assert_true(end[-1] == '\n');                         /* broken at the space, not inside a word */
    free(s);
    /* Two messages more and the welcome has one row left (of the log's four at 80x24): its
     * beginning, then an ellipsis that says the rest is cut (M shows it whole). */
    tmux_keys("D");
    tmux_keys("<");
    free(tmux_wait_for("nothing to dig", 10));
    tmux_keys("T");
    tmux_keys("y");
    s = tmux_wait_for("to talk to", 10);
    w = strstr(s, "Welcome, wanderer_of_the_long_roads_and_hills, to ");
    if (!w)
        fail_msg("the welcome is gone:\n%s", s);
    const char *eol = strchr(w, '\n');
    assert_non_null(eol);
    while (eol > w && eol[-1] == ' ')
        eol--;
    int dots = (eol - w >= 3 && memcmp(eol - 3, "\xe2\x80\xa6", 3) == 0) || eol[-1] == '~';
    if (!dots || strstr(s, "the keys."))
        fail_msg("the welcome's one row does not end in an ellipsis:\n%s", w);
    free(s);
    /* The status line is one row: looking at yourself on a screen 60 wide says more than fits,
     * and it ends in an ellipsis, not in the middle of a word. */
    tmux_resize(60, 24);
    tmux_keys("x");
    s = tmux_wait_for("you \xe2\x80\x94 (", 10);
    w = strstr(s, "you \xe2\x80\x94 (");
    eol = strchr(w, '\n');
    assert_non_null(eol);
    while (eol > w && eol[-1] == ' ')
        eol--;
    if (!((eol - w >= 3 && memcmp(eol - 3, "\xe2\x80\xa6", 3) == 0) || eol[-1] == '~'))
        fail_msg("the look line does not end in an ellipsis:\n%.*s", (int)(eol - w), w);
    free(s);
    tmux_keys("Escape");
    tmux_resize(80, 24);
    tmux_quit_game();
}

static void test_main_screen_at_80x24_and_200x60_and_help(void **state)
{
    (void)state;
    /* Map, side panel and log at both sizes, resizing between them. */
    assert_main_layout(80, 24, 10);
    tmux_resize(200, 60);
    assert_main_layout(200, 60, 10);
    tmux_resize(80, 24);
    assert_main_layout(80, 24, 10);
    /* The help screen at 80x24: every key of the table, whole, over its pages. */
    tmux_keys("?");
    char *s = tmux_wait_for("Help: keys (map first)", 10);
    assert_non_null(s);
    /* 24 lines: 20 rows a page; every key, then the map's legend (a line a block, creature...). */
    const char *tail = strstr(s, "[1-20 of ");
    if (!tail || atoi(tail + 9) <= keys_count())
        fail_msg("the first help page does not say \"[1-20 of N]\" with N more than the %d keys:\n%s", keys_count(), s);
    free(s);
    char *all = help_pages();
    assert_help_lists_every_key(all);
    free(all);
    /* Esc backs out to the map, laid out as before. */
    tmux_keys("Escape");
    assert_main_layout(80, 24, 10);
    s = tmux_capture();
    assert_null(strstr(s, "Help: keys"));
    free(s);
}

static void test_movement_keys_change_the_position_shown(void **state)
{
    (void)state;
    char *s = tmux_capture();
    int x0, z0;
    assert_true(position(s, &x0, &z0));
    free(s);
    /* Try each way in turn: one of them is open. */
    static const char *const ways[] = {"l", "h", "j", "k", "Right", "Left", "Down", "Up", "y", "n", NULL};
    assert_true(moves_away(ways, x0, z0, 30));
}

static void test_help_lists_every_key_of_the_table(void **state)
{
    (void)state;
    tmux_resize(120, 40);
    free(tmux_wait_for("Z:", 10));
    tmux_keys("?");
    char *all = help_pages();
    assert_help_lists_every_key(all);
    free(all);
    /* Typing filters the list. */
    tmux_keys("Escape");
    free(tmux_wait_for("Z:", 10));
    tmux_keys("?");
    free(tmux_wait_for("Help", 10));
    tmux_type("cross");
    char *s = tmux_wait_for("(1 of", 10);
    assert_non_null(s);
    assert_non_null(strstr(s, "cross-section view"));
    assert_null(strstr(s, "move north"));
    free(s);
    tmux_keys("Escape");
    tmux_keys("Escape");
    free(tmux_wait_for("Z:", 10));
}

static void test_resizing_shows_too_small_and_redraws(void **state)
{
    (void)state;
    tmux_resize(50, 15);
    char *s = tmux_wait_for("Terminal too small", 10);
    assert_non_null(s);
    assert_non_null(strstr(s, "60x20"));
    assert_non_null(strstr(s, "50x15"));
    free(s);
    tmux_resize(120, 40);
    /* Both, not "Z:" alone: a full repaint leaves in several writes, and a capture between them
     * (under AddressSanitizer) had the panel's "Z:" but not yet the map's row with the '@'. */
    static const char *const drawn[] = {"Z:", "@", NULL};
    s = tmux_wait_all(drawn, 10);
    assert_non_null(s);
    assert_non_null(strchr(s, '@'));
    assert_null(strstr(s, "Terminal too small"));
    free(s);
    tmux_resize(80, 24);
    free(tmux_wait_for("Z:", 10));
}

/* The screen once it stops changing (up to 5 s). */
static char *settled_screen(void)
{
    char *s = tmux_capture();
    for (int t = 0; t < 50; t++) {
        th_nap(100);
        char *again = tmux_capture();
        if (strcmp(again, s) == 0) {
            free(again);
            return s;
        }
        free(s);
        s = again;
    }
    return s;
}

/* Steps move what the terminal shows rather than redraw it (north and south in two updates: the
 * map's rows moved whole, then the frame): after steps every way the screen is what a full
 * redraw draws, cell for cell. */
static void test_steps_every_way_leave_the_screen_a_redraw_would_draw(void **state)
{
    (void)state;
    tmux_resize(200, 60);
    free(tmux_wait_for("Z:", 10));
    static const char *const keys[] = {"j", "j", "l", "k", "h", "k", "k", "j", "l", "l", "h", "j", NULL};
    for (int i = 0; keys[i]; i++) {
        tmux_keys(keys[i]);
        th_nap(150);
    }
    char *stepped = settled_screen();
    /* A size change paints everything anew. */
    tmux_resize(199, 60);
    th_nap(300);
    tmux_resize(200, 60);
    th_nap(300);
    char *redrawn = settled_screen();
    if (strcmp(stepped, redrawn) != 0)
        fail_msg("after the steps the screen was\n%s\nand redrawn it is\n%s", stepped, redrawn);
    free(stepped);
    free(redrawn);
    tmux_resize(80, 24);
    free(tmux_wait_for("Z:", 10));
}

/* A letter that picks nothing in a list says so on its bottom line (it did nothing at all): the
 * use list holds only what can be used (the bread), so a) - the sword - is not there. */
static void test_a_letter_that_picks_nothing_says_so(void **state)
{
    (void)state;
    free(tmux_wait_for("Z:", 10));
    tmux_keys("U");
    free(tmux_wait_for("Use what?", 10));
    tmux_keys("a");
    char *s = tmux_wait_for("Nothing here is lettered a)", 10);
    assert_non_null(strstr(s, "Use what?"));
    free(s);
    tmux_keys("Escape");
    free(tmux_wait_for("Z:", 10));
}

static void test_quit_asks_then_restores_the_terminal(void **state)
{
    (void)state;
    char *s = tmux_capture();
    assert_true(position(s, &g_x, &g_z));
    free(s);
    tmux_keys("Q");
    s = tmux_wait_for("[yN]", 10);
    assert_non_null(s);
    free(s);
    tmux_keys("n"); /* the safe default keeps playing */
    th_nap(300);
    s = tmux_capture();
    assert_null(strstr(s, "EXIT="));
    free(s);
    tmux_keys("Q");
    free(tmux_wait_for("[yN]", 10));
    tmux_keys("y");
    s = tmux_wait_for("EXIT=", 20);
    assert_non_null(s);
    assert_non_null(strstr(s, "EXIT=0"));
    assert_null(strstr(s, "Z:")); /* the game's screen is gone */
    free(s);
}

static void test_second_launch_continues_at_the_same_position(void **state)
{
    (void)state;
    launch(80, 24);
    char *s = tmux_wait_for("Continue", 20);
    assert_non_null(s);
    free(s);
    tmux_keys("Enter");
    s = tmux_wait_for("Z:", 60);
    assert_non_null(s);
    int x, z;
    assert_true(position(s, &x, &z));
    assert_int_equal(x, g_x);
    assert_int_equal(z, g_z);
    free(s);
    tmux_keys("Q");
    free(tmux_wait_for("[yN]", 10));
    tmux_keys("y");
    s = tmux_wait_for("EXIT=0", 20);
    assert_non_null(s);
    free(s);
}

/* ---- New game through every screen ---- */
#define NEW_PASSWORD "Plum7tree"

static void test_new_game_creates_player_world_and_character(void **state)
{
    (void)state;
    launch_with("tui-create", "create.db", "", 80, 24);
    free(tmux_wait_for("Quick start", 20));
    tmux_keys("Down");
    free(tmux_wait_for("> New game", 10));
    tmux_keys("Enter");
    char *s = tmux_wait_for("who is playing?", 10);
    assert_non_null(s);
    assert_non_null(strstr(s, "a) Create a new player"));
    free(s);
    tmux_keys("a");
    /* The player: a name (offered: $USER) and a password typed twice, hidden. */
    s = tmux_wait_for("Name of the new player:", 10);
    assert_non_null(s);
    assert_non_null(strstr(s, "> tester"));
    assert_non_null(strstr(s, "type to replace")); /* the offered name is selected */
    free(s);
    tmux_keys("C-u");
    tmux_type("alice");
    tmux_keys("Enter");
    free(tmux_wait_for("Password (optional", 10));
    tmux_type(NEW_PASSWORD);
    s = tmux_wait_for("> *********_", 10);
    assert_non_null(s);
    assert_null(strstr(s, NEW_PASSWORD));
    free(s);
    tmux_keys("Enter");
    free(tmux_wait_for("The same password again:", 10));
    tmux_type(NEW_PASSWORD);
    tmux_keys("Enter");
    /* The world: name, seed 42, flat. */
    s = tmux_wait_for("which world?", 20);
    assert_non_null(s);
    assert_non_null(strstr(s, "a) Create a new world"));
    free(s);
    tmux_keys("a");
    free(tmux_wait_for("Name of the new world:", 10));
    tmux_keys("C-u");
    tmux_type("Testland");
    tmux_keys("Enter");
    free(tmux_wait_for("Seed (a number", 10));
    tmux_type("42");
    tmux_keys("Enter");
    s = tmux_wait_for("which kind?", 10);
    assert_non_null(s);
    assert_non_null(strstr(s, "b) flat"));
    free(s);
    tmux_keys("b");
    /* The character: a name and a class that is not the default. */
    s = tmux_wait_for("who plays in Testland?", 30);
    assert_non_null(s);
    assert_non_null(strstr(s, "a) Create a new character"));
    free(s);
    tmux_keys("a");
    free(tmux_wait_for("Name of the new character:", 10));
    tmux_keys("C-u");
    tmux_type("Mira");
    tmux_keys("Enter");
    s = tmux_wait_for("which class?", 10);
    assert_non_null(s);
    const char *mage = strstr(s, ") Mage ");
    assert_non_null(mage);
    assert_true(mage > s);
    char letter[2] = {mage[-1], '\0'};
    assert_true(letter[0] >= 'a' && letter[0] <= 'z');
    free(s);
    tmux_keys(letter);
    s = tmux_wait_for("Starting stats:", 10); /* the class with its stats and gear */
    assert_non_null(s);
    assert_non_null(strstr(s, "Mage"));
    assert_non_null(strstr(s, "Starting gear:"));
    free(s);
    tmux_keys("Enter");
    free(tmux_wait_for("Play this class?", 10));
    tmux_keys("y");
    /* On the map. */
    s = tmux_wait_for("Z:", 60);
    assert_non_null(s);
    assert_non_null(strchr(s, '@'));
    assert_non_null(strstr(s, "Mira"));
    assert_non_null(strstr(s, "mage, level 1"));
    assert_non_null(strstr(s, "World:  Testland"));
    free(s);
    tmux_quit_game();

    sqlite3 *db = open_save_ro("create.db");
    assert_query(db, "SELECT seed || ' ' || world_type FROM worlds WHERE name = ?", "Testland", "42 flat");
    assert_query(db,
                 "SELECT c.character_class || ' ' || u.username || ' ' || w.name FROM characters c "
                 "JOIN users u ON u.id = c.user_id JOIN worlds w ON w.id = c.world_id WHERE c.name = ?",
                 "Mira", "mage alice Testland");
    char *hash = query1(db, "SELECT password_hash FROM users WHERE username = ?", "alice");
    assert_non_null(hash);
    if (strncmp(hash, "$2b$", 4) != 0)
        fail_msg("alice's password_hash is \"%s\", not bcrypt ($2b$)", hash);
    assert_null(strstr(hash, NEW_PASSWORD));
    free(hash);
    /* Signing in wrote a session with a token and an expiry. */
    assert_query(db,
                 "SELECT count(*) > 0 FROM sessions s JOIN users u ON u.id = s.user_id "
                 "WHERE u.username = ? AND length(s.session_token) >= 32 AND s.expires_at > s.created_at",
                 "alice", "1");
    sqlite3_close(db);
    /* No plain text anywhere in the save. */
    assert_false(file_contains("create.db", NEW_PASSWORD));
    assert_false(file_contains("create.db-wal", NEW_PASSWORD));
}

/* ---- signing in: wrong passwords, then the lock ---- */
static void test_wrong_passwords_count_down_then_lock(void **state)
{
    (void)state;
    launch_with("tui-signin", "signin.db", "", 80, 24);
    free(tmux_wait_for("Quick start", 20));
    tmux_keys("Down");
    free(tmux_wait_for("> New game", 10));
    tmux_keys("Enter");
    free(tmux_wait_for("who is playing?", 10));
    /* Make bob, with a password, then back out of choosing a world. */
    tmux_keys("a");
    free(tmux_wait_for("Name of the new player:", 10));
    tmux_keys("C-u");
    tmux_type("bob");
    tmux_keys("Enter");
    free(tmux_wait_for("Password (optional", 10));
    tmux_type("opensesame");
    tmux_keys("Enter");
    free(tmux_wait_for("The same password again:", 10));
    tmux_type("opensesame");
    tmux_keys("Enter");
    free(tmux_wait_for("which world?", 20));
    tmux_keys("Escape");
    char *s = tmux_wait_for("bob", 10);
    assert_non_null(s);
    assert_non_null(strstr(s, "who is playing?"));
    assert_non_null(strstr(s, "a) bob"));
    assert_non_null(strstr(s, "password"));
    free(s);

    /* Four wrong passwords: each says how many tries are left. */
    tmux_keys("a");
    s = tmux_wait_for("Password for bob:", 10);
    assert_non_null(s);
    assert_non_null(strstr(s, "Sign in: bob"));
    free(s);
    for (int left = 4; left >= 1; left--) {
        tmux_type("wrong");
        tmux_keys("Enter");
        char want[80];
        snprintf(want, sizeof want, "Wrong password: %d tr%s left.", left, left == 1 ? "y" : "ies");
        s = tmux_wait_for(want, 10);
        assert_non_null(s);
        free(s);
    }
    /* The fifth locks the account, and says until when: 15 minutes from now. */
    time_t t0 = time(NULL);
    tmux_type("wrong");
    tmux_keys("Enter");
    s = tmux_wait_for("locked until", 10);
    assert_non_null(s);
    time_t t1 = time(NULL);
    assert_non_null(strstr(s, "Account locked"));
    int hh = -1, mm = -1;
    const char *at = strstr(s, "locked until ");
    if (sscanf(at, "locked until %d:%d UTC", &hh, &mm) != 2)
        fail_msg("no time after \"locked until\":\n%s", s);
    int shown = hh * 60 + mm, lo = (int)(((t0 + 15 * 60) / 60) % 1440), hi = (int)(((t1 + 15 * 60) / 60) % 1440);
    if (!(shown == lo || shown == hi || (lo <= hi && shown >= lo && shown <= hi)))
        fail_msg("locked until %02d:%02d UTC, expected %02d:%02d-%02d:%02d", hh, mm, lo / 60, lo % 60, hi / 60,
                 hi % 60);
    char until[16];
    snprintf(until, sizeof until, "%02d:%02d", hh, mm);
    free(s);

    /* The right password during the lock is refused too, with the same time. */
    tmux_keys("Enter");
    free(tmux_wait_for("who is playing?", 10));
    tmux_keys("a");
    free(tmux_wait_for("Password for bob:", 10));
    tmux_type("opensesame");
    tmux_keys("Enter");
    s = tmux_wait_for("locked until", 10);
    assert_non_null(s);
    assert_non_null(strstr(s, until));
    assert_null(strstr(s, "which world?"));
    free(s);
    tmux_keys("Enter");
    free(tmux_wait_for("who is playing?", 10));
    tmux_keys("Escape");
    free(tmux_wait_for("Quick start", 10));
    tmux_keys("Q");
    free(tmux_wait_for("[yN]", 10));
    tmux_keys("y");
    s = tmux_wait_for("EXIT=", 20);
    assert_non_null(s);
    assert_non_null(strstr(s, "EXIT=0"));
    free(s);

    /* Only the sign-in when bob was made wrote a session; the lock is stored. */
    sqlite3 *db = open_save_ro("signin.db");
    assert_query(db, "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = ?", "bob",
                 "1");
    assert_query(db, "SELECT json_extract(profile, '$.locked_until_ms') > 0 FROM users WHERE username = ?", "bob",
                 "1");
    sqlite3_close(db);
}

/* ---- digging with the keys ---- */
static cJSON *play_state(const char *save_name)
{
    RunResult r = th_run("", "--save", th_path(g_dir, save_name), "play", "--script", "-", "--json", NULL);
    if (r.status != 0)
        fail_msg("play --script: exit %d: %s", r.status, r.err);
    cJSON *j = cJSON_Parse(r.out);
    if (!j)
        fail_msg("play --script --json printed no JSON:\n%s", r.out);
    th_run_free(&r);
    return j;
}

static int position_y(const cJSON *state)
{
    const cJSON *pos = cJSON_GetObjectItemCaseSensitive(state, "position");
    assert_true(cJSON_IsArray(pos) && cJSON_GetArraySize(pos) == 3);
    return cJSON_GetArrayItem(pos, 1)->valueint;
}

static int inventory_count(const cJSON *state, const char *item)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(state, "inventory"))
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "item");
        if (cJSON_IsString(name) && strcmp(name->valuestring, item) == 0)
            return cJSON_GetObjectItemCaseSensitive(it, "count")->valueint;
    }
    return 0;
}

static void test_dig_down_with_the_keys(void **state)
{
    (void)state;
    const char *save = th_path(g_dir, "dig.db");
    RunResult r = th_run(NULL, "--save", save, "world", "create", "flatland", "--seed", "1", "--type", "flat", NULL);
    if (r.status != 0)
        fail_msg("world create: exit %d: %s", r.status, r.err);
    th_run_free(&r);
    r = th_run("", "--save", th_path(g_dir, "dig.db"), "play", "--script", "-", "--world", "flatland", NULL);
    if (r.status != 0)
        fail_msg("play --script --world flatland: exit %d: %s", r.status, r.err);
    th_run_free(&r);
    cJSON *before = play_state("dig.db");
    assert_int_equal(position_y(before), 65); /* feet on the flat ground */
    assert_int_equal(inventory_count(before, "dirt"), 0);
    cJSON_Delete(before);

    launch_with("tui-dig", "dig.db", "--continue", 80, 24);
    char *s = tmux_wait_for("Z:", 30);
    assert_non_null(s);
    assert_non_null(strstr(s, "World:  flatland"));
    assert_non_null(strstr(s, "Y: 65"));
    free(s);
    tmux_keys("D");
    free(tmux_wait_for("Dig in which direction?", 10));
    tmux_keys(">");
    s = tmux_wait_for("You dig out", 10);
    assert_non_null(s);
    assert_non_null(strstr(s, "take the dirt"));
    free(s);
    s = tmux_wait_for("Y: 64", 10);
    assert_non_null(s);
    free(s);
    tmux_quit_game();

    cJSON *after = play_state("dig.db");
    assert_int_equal(position_y(after), 64);
    assert_int_equal(inventory_count(after, "dirt"), 1);
    cJSON_Delete(after);
}

/* Sends a signal to the game running in the current session (a child of the pane's shell). */
static void signal_game(const char *sig)
{
    int pane = tmux_pane_pid();
    assert_true(pane > 0);
    assert_int_equal(th_sh("pkill -%s -P %d", sig, pane), 0);
}

/* The disk fills up while playing (magic-adventure-faults: SIGUSR1 makes every write fail with
 * "disk full", SIGUSR2 frees it): the step is refused on screen in words, the game keeps
 * answering keys, and once there is room again play goes on and the save verifies. */
static void test_a_full_disk_is_said_on_screen_and_play_goes_on(void **state)
{
    (void)state;
    launch_exe(getenv("MAGIC_FAULTS_EXE"), "MAGIC_FAULT=signal", "tui-full", "full.db", "", 100, 30);
    free(tmux_wait_for("Quick start", 20));
    tmux_keys("Enter");
    char *s = tmux_wait_for("Z:", 120);
    assert_non_null(s);
    int x0, z0, x, z;
    assert_true(position(s, &x0, &z0));
    free(s);
    signal_game("USR1");
    th_nap(200);
    tmux_keys("l");
    s = tmux_wait_for("The disk is full", 10);
    assert_non_null(s);
    assert_non_null(strstr(s, "not saved"));
    assert_true(position(s, &x, &z));
    assert_true(x == x0 && z == z0); /* the step did not happen, on screen or in the save */
    free(s);
    tmux_keys("h");
    th_nap(300);
    signal_game("USR2");
    th_nap(200);
    static const char *const ways[] = {"l", "h", "j", "k", "y", "u", "b", "n", NULL};
    assert_true(moves_away(ways, x0, z0, 20));
    tmux_quit_game();
    RunResult r = th_run(NULL, "--save", th_path(g_dir, "full.db"), "verify", NULL);
    if (r.status != 0)
        fail_msg("verify after the full disk: %s%s", r.out, r.err);
    th_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quick_start_with_enter_reaches_the_map),
        cmocka_unit_test(test_main_screen_at_80x24_and_200x60_and_help),
        cmocka_unit_test(test_movement_keys_change_the_position_shown),
        cmocka_unit_test(test_help_lists_every_key_of_the_table),
        cmocka_unit_test(test_resizing_shows_too_small_and_redraws),
        cmocka_unit_test(test_steps_every_way_leave_the_screen_a_redraw_would_draw),
        cmocka_unit_test(test_a_letter_that_picks_nothing_says_so),
        cmocka_unit_test(test_quit_asks_then_restores_the_terminal),
        cmocka_unit_test(test_second_launch_continues_at_the_same_position),
        cmocka_unit_test_teardown(test_new_game_creates_player_world_and_character, tmux_teardown),
        cmocka_unit_test_teardown(test_wrong_passwords_count_down_then_lock, tmux_teardown),
        cmocka_unit_test_teardown(test_dig_down_with_the_keys, tmux_teardown),
        cmocka_unit_test_teardown(test_a_full_disk_is_said_on_screen_and_play_goes_on, tmux_teardown),
        cmocka_unit_test_teardown(test_a_long_message_wraps_instead_of_being_cut, tmux_teardown),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
