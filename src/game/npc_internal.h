/* npc_internal.h — what the villager files share (npc.c: villagers in the world, meeting, deeds;
 * npc_dialogue.c: data/dialogue.json and conversations). Not for other modules: they include
 * game/npc.h. */
#ifndef MA_GAME_NPC_INTERNAL_H
#define MA_GAME_NPC_INTERNAL_H

#include <stdint.h>

#include <cJSON.h>

#include "game/game_internal.h"
#include "game/npc.h"
#include "util/json_field.h"

struct DialogueBook {
    cJSON *root;
    const cJSON *roles; /* object: role -> {greetings, replies, trade} */
};

#define MEET_RADIUS 3
#define TALK_REACH 3
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const role_names[] = {"smith", "farmer", "guard", "priest", "trader"};
static const char *const offers[] = {"work", "hand_in", "buy", "sell", "bye"};

/* In npc.c (what each does is said at its definition). */
cJSON *npc_entity_at(Game *g, int32_t x, int32_t y, int32_t z, int32_t pos[3]);
int npc_within_reach(Game *g, const char *entity, int reach);
int npc_mark_met(Game *g, const char *entity, int *was_new, Err *err);

#endif
