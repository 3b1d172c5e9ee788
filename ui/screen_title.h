/* screen_title.h — the title menu (screen_title.c). */
#ifndef MA_UI_SCREEN_TITLE_H
#define MA_UI_SCREEN_TITLE_H

#include "save/save.h"

/* Runs the title menu until the player quits (0) or a signal arrives (-2); resume goes
 * straight to Continue when there is a game to continue. */
int screen_title_run(Save *s, const char *save_path, int resume);

#endif
