/* screen_loading.c — starting a game: the progress bar while the land around a new start is
 * stored, then the main screen, then the backup on quit. See screen_loading.h. */
#include "screen_loading.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autobackup.h"
#include "screen_lists.h"
#include "screen_main.h"
#include "term.h"

#define PREGEN_RADIUS 3 /* chunk columns around the start stored at creation */

/* ---- progress while the world is stored ---- */
typedef struct Progress {
    const char *what;
} Progress;

static void progress_draw(int done, int total, void *ud)
{
    const Progress *pr = ud;
    erase();
    if (!term_too_small()) {
        int w = COLS - 20 > 60 ? 60 : COLS - 20;
        int y = LINES / 2 - 1, x = (COLS - w - 2) / 2;
        attrset(term_role(ROLE_TITLE));
        term_put(y - 2, x, w + 2, pr->what);
        attrset(A_NORMAL);
        int fill = total > 0 ? done * w / total : w;
        mvaddch(y, x, '[');
        attrset(term_role(ROLE_GOOD));
        for (int i = 0; i < w; i++)
            term_glyph(y, x + 1 + i, i < fill ? "\xe2\x96\x88" : " ", i < fill ? '#' : ' ',
                       i < fill ? term_role(ROLE_GOOD) : A_NORMAL);
        attrset(A_NORMAL);
        mvaddch(y, x + w + 1, ']');
        char buf[64];
        snprintf(buf, sizeof buf, "%d of %d chunk columns (%d%%)", done, total, total ? done * 100 / total : 100);
        term_put(y + 1, x, w + 2, buf);
    }
    refresh();
}

void screen_loading_busy(const char *what)
{
    Progress pr = {what};
    progress_draw(0, 0, &pr);
}

/* Stores the land around the character so the first steps need no generation. */
static int pregen(Game *g, Err *err)
{
    const Player *p = game_player(g);
    int32_t cx = chunk_coord(p->x), cz = chunk_coord(p->z);
    Progress pr = {"Shaping the land around you..."};
    return world_store_area(game_world(g), cx - PREGEN_RADIUS, cz - PREGEN_RADIUS, cx + PREGEN_RADIUS,
                            cz + PREGEN_RADIUS, progress_draw, &pr, err);
}

/* ---- starting and playing ---- */
int screen_loading_play(Save *s, const GameStart *st, int fresh)
{
    screen_loading_busy(fresh ? "Creating your world..." : "Loading...");
    Game *g = NULL;
    Err err = {0};
    if (game_start(s, st, &g, &err) != MA_OK) {
        screen_message("Cannot start the game", err.msg);
        return 0;
    }
    if (fresh && pregen(g, &err) != MA_OK)
        screen_message("The land could not be stored", err.msg); /* playable anyway: it generates as you go */
    int r = screen_main_run(s, g);
    AutoBackup backup;
    char note[4400];
    autobackup_start(&backup, g, note, sizeof note);
    int made = autobackup_on_quit(&backup, g, note, sizeof note);
    if (made < 0 && r != -2)
        screen_message(made == -2 ? "The backup on quit is damaged" : "The backup on quit was not made", note);
    game_close(g);
    return r == -2 ? -2 : 1;
}

