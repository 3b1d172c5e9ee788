/* screen_help.h — the help screen (screen_help.c). */
#ifndef MA_UI_SCREEN_HELP_H
#define MA_UI_SCREEN_HELP_H

/* The help screen, ctx's keys (a KCTX_* of keys.h) first; returns when the player backs out or a
 * signal arrives. */
void screen_help_run(unsigned ctx);
/* The same from the map, with the map's legend after the keys: what each glyph is (every block
 * of the game's data, who and what stands on the map), as this terminal draws it. */
typedef struct Game Game;
void screen_help_run_map(unsigned ctx, Game *g);

#endif
