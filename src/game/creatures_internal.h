/* creatures_internal.h — the creature book's shape, shared by creature_book.c (which reads it),
 * creature_spells.c (the spells in it) and creatures.c (creatures in the world). Not for other
 * modules: they include game/creatures.h. */
#ifndef MA_GAME_CREATURES_INTERNAL_H
#define MA_GAME_CREATURES_INTERNAL_H

#include "game/creatures.h"

/* How far (in chunks, horizontally) around the player creatures live and act. */
#define TICK_CHUNKS 2

typedef struct Habitat {
    unsigned biomes; /* one bit per Biome */
    int min_y, max_y;
    int time; /* 0 any, 1 day, 2 night */
} Habitat;

typedef struct SpawnRules {
    double chance_day, chance_night, chance_cave; /* percent per turn */
    int cave_below_y, cap, min_distance, max_distance;
} SpawnRules;

struct CreatureBook {
    CreatureDef *defs;
    Habitat *habitats;
    int n;
    SpellDef *spells;
    int n_spells;
    SpawnRules spawn;
};

/* In creature_book.c (what each does is said at its definition). */
int creatures_entry_error(Err *err, const char *source, const char *what, int i, const char *name, const char *why);
int creatures_get_range(const cJSON *o, const char *key, int lo, int hi, int *mn, int *mx);
int creatures_valid_kind(const char *s);

#endif
