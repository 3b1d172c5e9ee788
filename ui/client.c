/* client.c — the full-screen client: opens the save and the terminal, runs the title screen
 * (and from it the game) and closes both. It borrows nothing from the command line: what both
 * need to start is in launch.c. */
#include "client.h"

#include <stdio.h>

#include "game/auth.h"
#include "launch.h"
#include "screen_signin.h"
#include "screen_title.h"
#include "term.h"
#include "util/timeutil.h"

int client_run(const char *save_path, int resume)
{
    Save *s = launch_open_save(save_path, SAVE_CREATE);
    if (!s)
        return 1;
    char msg[300];
    if (term_open(msg, sizeof msg) != 0) {
        fprintf(stderr, "magic-adventure: %s\n", msg);
        save_close(s);
        return 1;
    }
    screen_signin_init(save_path);
    /* Sessions past their 24 hours are of no use to anyone: gone. */
    auth_sessions_expire(s, time_now_ms(), NULL, NULL);
    int r = screen_title_run(s, save_path, resume);
    term_close();
    save_close(s);
    if (r == -2)
        return 128 + term_signal();
    return 0;
}

