/* launch.h — what the command line and the client both need to start a game: the save opened
 * with what happened to it said on standard error, a fresh random seed, the player's name.
 * Neither cli*.c nor client.c owns these, so that neither depends on the other. */
#ifndef MA_UI_LAUNCH_H
#define MA_UI_LAUNCH_H

#include <stdint.h>

#include "game/game.h"
#include "save/save.h"

/* Opens the save at path (flags as save_open). On failure prints the error and returns NULL;
 * otherwise prints the save's notice and an upgrade's backup, if any. The caller closes it. */
Save *launch_open_save(const char *path, int flags);
/* A new world's seed: random (from /dev/urandom, else the clock), at most 12 digits so that
 * players can read and type it, and positive as the save's signed integer. */
/* A new world's seed when none is given: $MAGIC_SEED when set (a whole number from 0, checked by
 * cli_main before anything runs), else a random one below 10^12. */
uint64_t launch_random_seed(void);
/* The player's name on this machine: $USER, $LOGNAME, else "player". Static storage. */
const char *launch_username(void);
/* A seed as the player typed it: a whole number from 0; 0 on success. */
int launch_parse_seed(const char *text, long long *out);
/* Whether the world's agents should run with the game (MAGIC_AGENTS=off stops them). */
int launch_agents_wanted(void);
/* The LLM session of a game, NULL when off or failing (note says why, "" when there is nothing
 * to say). The caller closes it with agents_llm_close. */
struct AgentsLlm;
struct AgentsLlm *launch_llm_open(Game *g, char *note, size_t size);

#endif
