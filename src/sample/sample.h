/* sample.h — the design's "Sample Data Generation", through the front door.
 *
 * A sample save is one the game itself could have made, because the game
 * made it: players are created and signed in by the accounts code (every
 * third with a password, so that sessions and lockout data exist), worlds by
 * the world code, characters by game_start (one per player, the classes in
 * turn, three to a world), and then each character plays: a bot sends
 * actions through game_apply exactly as a script would — it reads the main
 * storyline and takes choices, walks to the nearest villager, talks and takes
 * work, digs, builds, crafts, equips, drops — and lets game days pass with the
 * world's agents attached, so that seasons, events, quests, memories, the
 * evolution log and villagers' walks come from the agents. Nothing here
 * writes SQL or knows a table: every row comes from the functions the game
 * uses.
 *
 * The same seed on an empty save gives the same rows, but for what honest
 * runs always differ in: times, password salts and session tokens. */
#ifndef MA_SAMPLE_SAMPLE_H
#define MA_SAMPLE_SAMPLE_H

#include <stdint.h>

#include "save/save.h"

typedef struct SampleStats {
    int users, worlds, characters;
    int actions, done; /* actions sent, and how many the game carried out (not refused) */
    int days;          /* game days each world lived with its agents */
} SampleStats;

/* Adds n_users players (1..10000) with their worlds and characters to s, and
 * plays `steps` actions for each character, of which a game day or two of
 * waiting (the agents work then). Names are made unique against what the save
 * holds. Each action is its own transaction, as in play; a failure stops at
 * once (what was played before it stays, as it would in a game). */
int sample_generate(Save *s, int n_users, uint64_t seed, int steps, SampleStats *stats, Err *err);

#endif
