/* creatures.h — creatures from data/creatures.json: spawning by biome,
 * depth and time, their turns, and combat (melee, ranged, spells). */
#ifndef MA_GAME_CREATURES_H
#define MA_GAME_CREATURES_H

#include "game/game.h"

typedef struct CreatureBook CreatureBook;

int creatures_load_default(CreatureBook **out, Err *err);
void creatures_free(CreatureBook *b);

int combat_attack(Game *g, Dir d, ActionResult *r, Err *err);
int combat_shoot(Game *g, Dir d, ActionResult *r, Err *err);
int combat_cast(Game *g, const char *spell, Dir d, ActionResult *r, Err *err);
/* The creatures' turns after the player's action: spawn, move, attack. */
int creatures_tick(Game *g, int turns, ActionResult *r, Err *err);

#endif
