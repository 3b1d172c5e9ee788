/* screen_help.h — the help screen (screen_help.c). */
#ifndef MA_UI_SCREEN_HELP_H
#define MA_UI_SCREEN_HELP_H

/* The help screen, ctx's keys (a KCTX_* of keys.h) first; returns when the player backs out or a
 * signal arrives. */
void screen_help_run(unsigned ctx);

#endif
