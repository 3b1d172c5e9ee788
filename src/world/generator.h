/* generator.h — the world from its seed.
 *
 * Deterministic: the same seed, world type and generator version give the
 * same bytes on every machine and in any order of visiting chunks (own PRNG
 * and noise; every decision is a hash of the seed and world coordinates).
 * Structures that cross chunk borders are planned on a coarse grid and
 * stamped into every chunk they overlap, so they come out whole. */
#ifndef MA_WORLD_GENERATOR_H
#define MA_WORLD_GENERATOR_H

#include <stdint.h>

#include "world/chunk.h"

#define GENERATOR_VERSION 1

typedef enum Biome {
    BIOME_OCEAN, BIOME_PLAINS, BIOME_FOREST, BIOME_DESERT, BIOME_SNOWY_MOUNTAINS,
    BIOME_SWAMP, BIOME_LAKE, BIOME_COUNT
} Biome;

typedef struct Generator Generator;

/* world_type: "normal", "flat" (a superflat world for tests), ...; an
 * unknown type or version is refused. */
int generator_new(const BlockRegistry *reg, uint64_t seed, const char *world_type, int version,
                  Generator **out, Err *err);
void generator_free(Generator *g);

/* Fills c (blocks, entities, structures) for its coordinates. */
void generator_fill(Generator *g, Chunk *c);

/* The height of the top solid block at (x, z), and the biome there. */
int generator_surface_y(Generator *g, int32_t x, int32_t z);
Biome generator_biome(Generator *g, int32_t x, int32_t z);
const char *biome_name(Biome b);

/* A good place to start: open ground near the origin (a village if one is
 * close). Writes world coordinates of the block the player stands in. */
void generator_spawn_point(Generator *g, int32_t *x, int32_t *y, int32_t *z);

#endif
