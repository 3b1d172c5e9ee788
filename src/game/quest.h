/* quest.h — quests as the player lives them: accepting, objectives of
 * several kinds (collect, slay, reach, talk, craft, deliver), counters,
 * expiry on the game clock, rewards given once, sharing; data/quests.json. */
#ifndef MA_GAME_QUEST_H
#define MA_GAME_QUEST_H

#include "game/game.h"

int quest_accept(Game *g, const char *name, ActionResult *r, Err *err);
/* After every action: advances objectives that the action fulfilled. */
int quest_after_action(Game *g, const Action *a, ActionResult *r, Err *err);

#endif
