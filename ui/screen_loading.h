/* screen_loading.h — starting a game and playing it (screen_loading.c). */
#ifndef MA_UI_SCREEN_LOADING_H
#define MA_UI_SCREEN_LOADING_H

#include "game/game.h"

/* Starts the game st describes (fresh: a new world, whose land around the start is stored
 * first, with a progress bar), plays it on the main screen and makes the backup on quit.
 * Returns 1 when played, 0 when it could not start (said on screen), -2 on a signal. */
int screen_loading_play(Save *s, const GameStart *st, int fresh);
/* Shows what is being done (a progress bar without progress) until the next screen is drawn. */
void screen_loading_busy(const char *what);

#endif
