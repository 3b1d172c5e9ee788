/* screen_talk.h — talking to a villager (screen_talk.c): the NPC's line, lettered replies,
 * unavailable ones with the reason. The key table decides which key opens it. */
#ifndef MA_UI_SCREEN_TALK_H
#define MA_UI_SCREEN_TALK_H

#include "game/game.h"
#include "screen_log.h"

#define TALK_OUTCOME_LINES 6

/* Talks to the villager in direction d (an ACT_TALK through game_apply) and runs the
 * conversation: a-f (or 1-6) picks a reply (ACT_SAY), Esc walks away. What the actions report
 * goes to log (may be NULL). Returns 0 when the conversation ends, -1 when nobody is there
 * (the refusal is in the log), -2 on a signal. */
int screen_talk_run(Game *g, Dir d, MsgLog *log);
/* Applies a through game_apply, logs what it did (log may be NULL) and keeps its last
 * TALK_OUTCOME_LINES lines in out (*n_out of them) for a screen to show. Returns game_apply's
 * result. */
int screen_talk_apply(Game *g, const Action *a, MsgLog *log, char out[][160], int *n_out);

#endif
