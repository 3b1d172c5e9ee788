/* screen_talk.h — the screens of villagers, quests and achievements: a conversation (the NPC's
 * line, lettered replies, unavailable ones with the reason), the quest log (active, completed,
 * failed, with counters and time left) and the achievements (points, progress fractions, "???"
 * for hidden ones). The key table decides which keys open them. */
#ifndef MA_UI_SCREEN_TALK_H
#define MA_UI_SCREEN_TALK_H

#include "game/game.h"
#include "screen.h"

/* Talks to the villager in direction d (an ACT_TALK through game_apply) and runs the
 * conversation: a-f (or 1-6) picks a reply (ACT_SAY), Esc walks away. What the actions report
 * goes to log (may be NULL). Returns 0 when the conversation ends, -1 when nobody is there
 * (the refusal is in the log), -2 on a signal. */
int talk_screen_run(Game *g, Dir d, MsgLog *log);
/* The quest log: active quests first, each with who gave it and its counters. Enter opens a
 * quest's page, where t tracks it in the side panel (its name goes to tracked) and s shares it
 * with another of the player's characters in this world (an ACT_QUEST_SHARE; the result goes
 * to log, which may be NULL). */
void quests_run(Game *g, MsgLog *log, char *tracked, size_t tracked_size);
/* The achievements of the user, with total points. */
void achievements_run(Game *g);

#endif
