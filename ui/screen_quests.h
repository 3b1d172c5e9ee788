/* screen_quests.h — the quest log (screen_quests.c). */
#ifndef MA_UI_SCREEN_QUESTS_H
#define MA_UI_SCREEN_QUESTS_H

#include <stddef.h>

#include "game/game.h"
#include "screen_log.h"

/* The quest log: active quests first, each with who gave it and its counters. Enter opens a
 * quest's page, where t tracks it in the side panel (its name goes to tracked), s shares it
 * with another of the player's characters in this world (an ACT_QUEST_SHARE; the result goes
 * to log, which may be NULL), and g, when an open objective asks to reach a place, leaves with 2
 * and the kind of place in go ("ruins") for the caller to travel there; else 0. */
int screen_quests_run(Game *g, MsgLog *log, char *tracked, size_t tracked_size, char *go, size_t go_size);

#endif
