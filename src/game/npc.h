/* npc.h — villagers as characters: talking (dialogue with lettered
 * replies from data/dialogue.json), relationships both ways, trading. */
#ifndef MA_GAME_NPC_H
#define MA_GAME_NPC_H

#include "game/game.h"

int npc_talk(Game *g, Dir d, ActionResult *r, Err *err);
int npc_say(Game *g, int reply, ActionResult *r, Err *err);

#endif
