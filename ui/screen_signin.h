/* screen_signin.h — signing in and picking the player (screen_signin.c). */
#ifndef MA_UI_SCREEN_SIGNIN_H
#define MA_UI_SCREEN_SIGNIN_H

#include <stddef.h>

#include "game/auth.h"
#include "save/save.h"

/* Where the session file lives: next to the save at save_path (borrowed; keep it alive). */
void screen_signin_init(const char *save_path);
/* Signs username in, asking for the password when it has one: 1 signed in, 0 backed out or
 * refused, -2 on a signal. */
int screen_signin_run(Save *s, const char *username);
/* 1 when this client kept a live session of username: Continue needs no password then. */
int screen_signin_resume(Save *s, const char *username);
/* Keeps a new session's token for Continue (a failure only means a password next time). */
void screen_signin_keep(const char *username, const AuthOutcome *out);
/* Picks a player for a new game, or creates one (signed in either way): 1 and the name in
 * name, 0 backed out, -2 on a signal. */
int screen_signin_pick_player(Save *s, char *name, size_t size);

#endif
