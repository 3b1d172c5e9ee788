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

/* The generator's versions: the same seed gives the same world within a version, and a world
 * keeps the version it was made with (worlds.settings.generator_version).
 *   1: the first;
 *   2: the villagers of one village have different names (version 1 drew each name alone, and a
 *      village often had three of one name);
 *   3: cold land is tundra (snow, scattered pines), where earlier versions froze the sea and lakes
 *      but left the shore beside them green plains and forest;
 *   4: a dungeon or shrine under dry, even ground has a way down: a ladder in a walled shaft from
 *      a rim of cobblestone on the surface to the room's doorway (earlier versions' lie sealed in
 *      the rock, found only by digging); a village of four houses or more has a smith, a farmer,
 *      a priest and a trader (earlier versions drew each house's role alone: seed 777's
 *      Elderholm has no priest). */
#define GENERATOR_VERSION 4         /* what new worlds are made with */
#define GENERATOR_VERSION_OLDEST 1  /* the oldest this game still makes */

typedef enum Biome {
    BIOME_OCEAN, BIOME_PLAINS, BIOME_FOREST, BIOME_DESERT, BIOME_SNOWY_MOUNTAINS,
    BIOME_SWAMP, BIOME_LAKE, BIOME_TUNDRA, BIOME_COUNT
} Biome;

typedef struct Generator Generator;

/* A Generator caches recent height maps and structure plans: use one per
 * thread. */

/* world_type: "normal", "flat" (a superflat world for tests), ...; version:
 * GENERATOR_VERSION_OLDEST .. GENERATOR_VERSION. An unknown type or version is refused. */
int generator_new(const BlockRegistry *reg, uint64_t seed, const char *world_type, int version,
                  Generator **out, Err *err);
void generator_free(Generator *g);
/* The version g makes (generator_new's). */
int generator_version(const Generator *g);

/* Fills c (blocks, entities, structures) for its coordinates. */
void generator_fill(Generator *g, Chunk *c);

/* The height of the top solid block of the terrain at (x, z) — the ground,
 * or the sea floor under water; trees and structures not counted — and the
 * biome there. */
int generator_surface_y(Generator *g, int32_t x, int32_t z);
Biome generator_biome(Generator *g, int32_t x, int32_t z);
const char *biome_name(Biome b);

/* A good place to start: open ground near the origin (a village if one is
 * close). Writes world coordinates of the block the player stands in. */
void generator_spawn_point(Generator *g, int32_t *x, int32_t *y, int32_t *z);

/* A planned structure: its kind ("village", "ruins", "dungeon", "shrine"),
 * its name, and its world bounding box (x, y, z the lowest corner; w, h, d
 * the size along x, y, z). An underground place (dungeon, shrine) with a way
 * down (generator version 4 on) has_entry: (entry_x, entry_y, entry_z) is the
 * top cell of its ladder, where one stands to climb down (`>`); its shaft is
 * not part of the box. */
typedef struct GenStructure {
    char type[16];
    char name[48];
    int32_t x, y, z;
    int32_t w, h, d;
    int has_entry;
    int32_t entry_x, entry_y, entry_z;
} GenStructure;

/* Whether a kind of place lies under the ground (dungeon, shrine). */
int generator_kind_underground(const char *type);

/* The structures whose boxes come within radius_blocks (horizontally) of
 * (x, z), nearest first (by distance to the box centre); at most max are
 * written to out. Returns how many were written. A "flat" world has none. */
int generator_structures_near(Generator *g, int32_t x, int32_t z, int radius_blocks, GenStructure *out,
                              int max);
/* The same, of one type only ("village"): the nearest max of that type, however many places of
 * other types are nearer. */
int generator_structures_of(Generator *g, int32_t x, int32_t z, int radius_blocks, const char *type, GenStructure *out,
                            int max);
/* The nearest structure within radius_blocks of (x, z) of that type (NULL: any) and that name
 * (NULL: any; compared in any case), however many others are nearer: 1 with *out, or 0. */
int generator_structure_nearest(Generator *g, int32_t x, int32_t z, int radius_blocks, const char *type,
                                const char *name, GenStructure *out);

/* The structures planned for region (rx, rz) of STRUCT_REGION_CHUNKS² chunks
 * (see structures.h: pieces, villagers). Borrowed: valid until the next call
 * on g. A "flat" world's regions are empty. */
typedef struct RegionPlan RegionPlan;
const RegionPlan *generator_region_plan(Generator *g, int32_t rx, int32_t rz);

#endif
