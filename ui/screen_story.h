/* screen_story.h — the story pane and the journal.
 *
 * The story pane shows the storyline in focus: its title, the passage, and the choices
 * lettered a, b, c...; a locked choice is shown dim with the reason. A letter takes the
 * choice (ACT_CHOOSE through game_apply, exactly as `choose N` in a script), Tab moves the
 * focus to the next storyline, J opens the journal, Esc leaves the story where it is: it
 * waits for the player. The journal lists the storylines, active first, and opens the
 * history of each: the path taken, when, and what every choice changed. */
#ifndef MA_UI_SCREEN_STORY_H
#define MA_UI_SCREEN_STORY_H

#include "game/game.h"
#include "screen_log.h"

/* Runs the story pane until Esc (0) or a signal (-2). What the choices report goes to log
 * (may be NULL). With no storyline begun it says so and returns 0. When a choice waits only for
 * the player to go somewhere, `t` leaves the pane with 2 and the kind of place in go ("ruins"):
 * the caller travels there. */
int screen_story_run(Game *g, MsgLog *log, char *go, size_t go_size);
/* The journal (and from it, each storyline's history). */
void screen_story_journal_run(Game *g);

#endif
