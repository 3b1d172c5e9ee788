/* creatures.h — creatures from data/creatures.json and spells from
 * data/spells.json: spawning by biome, depth and time, their turns, and
 * combat (melee, ranged, spells).
 *
 * A creature lives as an entity in the chunk that holds it:
 *   {"type":"creature","kind":"wolf","id":"c_12","hp":7,"position":[3,1,9],
 *    "glyph":"w","color256":250,"color8":7}
 * with "position" local to that chunk (0..15 each); "angry":true once a
 * neutral creature has been attacked, "slow":N while frost holds it. A
 * creature that steps over a chunk border moves to the neighbour's entities.
 * Drops lie on the ground as {"type":"item","item":"raw_meat","count":2,
 * "position":[..]}. docs/creatures.md describes the data files and the rules.
 *
 * Every roll comes from the game's PRNG, so the same save and the same
 * actions give the same fight. Like every rule module, these functions
 * change the world and the save but do not commit: game_apply does. */
#ifndef MA_GAME_CREATURES_H
#define MA_GAME_CREATURES_H

#include <stddef.h>

#include "game/game.h"

/* How far a torch's light reaches (blocks, across): no hostile creature spawns within it, and
 * at night the map shows what it lights. */
#define CREATURES_LIGHT_RADIUS 7
#include "world/generator.h"

typedef struct CreatureBook CreatureBook;

typedef enum Aggression { AGGR_PASSIVE, AGGR_NEUTRAL, AGGR_HOSTILE } Aggression;

/* What a dead creature may leave: chance in percent, count in min..max. */
typedef struct CreatureDrop {
    char item[32];
    int chance, min, max;
} CreatureDrop;

/* One kind of creature, as data/creatures.json gives it. */
typedef struct CreatureDef {
    char kind[32];  /* "giant_spider": the entity's "kind" and counter names */
    char name[40];  /* "giant spider": what messages say */
    char glyph[8];  /* one character (UTF-8) */
    int color256, color8;
    int health, attack_min, attack_max, defense, hit, speed, sight;
    Aggression aggression;
    char verb[16]; /* "bites" */
    int xp, weight;
    CreatureDrop drops[8];
    int n_drops;
} CreatureDef;

typedef enum SpellEffect { SPELL_DAMAGE, SPELL_SLOW, SPELL_HEAL } SpellEffect;

/* One spell, as data/spells.json gives it. The caster needs one of the
 * classes, or the skill at min_skill or better. */
typedef struct SpellDef {
    char name[32], title[40];
    int mana;
    SpellEffect effect;
    int amount_min, amount_max; /* damage or health restored */
    int range;                  /* cells along the direction; 0 for oneself */
    int turns;                  /* how long a slow lasts */
    char classes[4][33];
    int n_classes;
    char skill[33];
    int min_skill;
    char verb[16]; /* "burns": "Your firebolt burns the wolf for 7" */
} SpellDef;

/* Loads data/creatures.json and data/spells.json (embedded, or from
 * MAGIC_DATA_DIR), validating every entry; a bad file is refused with the
 * file, the entry and the reason. Caller frees with creatures_free. */
int creatures_load_default(CreatureBook **out, Err *err);
/* The same from text: creatures only (no spells yet); source names the
 * file in messages. */
int creatures_load(const char *json, size_t len, const char *source, CreatureBook **out, Err *err);
/* Adds the spells of a spells.json text to b. */
int creatures_load_spells(CreatureBook *b, const char *json, size_t len, const char *source, Err *err);
void creatures_free(CreatureBook *b);

/* The kind named, or NULL. Borrowed from the book. */
const CreatureDef *creatures_find(const CreatureBook *b, const char *kind);
/* Where a kind of creature comes into being, in words: "forest and plains, by night", "desert",
 * "underground (below y 40)"; "" when the book has no such kind or it never spawns by itself. */
void creatures_habitat_words(const CreatureBook *b, const char *kind, char *buf, size_t size);
int creatures_count(const CreatureBook *b);
const SpellDef *creatures_spell(const CreatureBook *b, const char *name);
/* The spells in file order, for lists. */
int creatures_spell_count(const CreatureBook *b);
const SpellDef *creatures_spell_at(const CreatureBook *b, int i);
const CreatureDef *creatures_get(const CreatureBook *b, int i);
/* The hostile kinds whose habitat is this biome at height y, at any time of day (at most max). */
int creatures_native(const CreatureBook *b, Biome biome, int32_t y, const CreatureDef **out, int max);

/* Bump attack on what stands in the next cell in direction d: a creature,
 * or a villager (allowed, remembered as the flag attacked_<npc id>). */
int combat_attack(Game *g, Dir d, ActionResult *r, Err *err);
/* An arrow along direction d, up to 8 cells: needs a bow and an arrow. */
int combat_shoot(Game *g, Dir d, ActionResult *r, Err *err);
/* A spell from data/spells.json (firebolt, frost toward d; heal on oneself). */
int combat_cast(Game *g, const char *spell, Dir d, ActionResult *r, Err *err);
/* Whether this character may cast s (its class, or its skill); when not, why into why ("needs a
 * mage, or magic skill 1"). */
int combat_may_cast(Game *g, const SpellDef *s, char *why, size_t size);
/* The creatures' turns after the player's action: for each turn, maybe a
 * spawn near the player, then every creature near the player moves or
 * attacks. Only chunks within two chunks of the player are visited. */
int creatures_tick(Game *g, int turns, ActionResult *r, Err *err);

/* ---- shared by creatures.c and combat.c ---- */

/* A creature (or villager) found in the world: its entity object (owned
 * by the chunk; valid only until the next call that may load a chunk), its
 * chunk, its world cell, its kind (NULL for a villager) and its id. */
typedef struct CreatureRef {
    cJSON *entity;
    int32_t cx, cy, cz;
    int32_t x, y, z;
    const CreatureDef *def;
    char id[40];
} CreatureRef;

/* The creature or villager standing at world cell (x, y, z), looking one
 * block above and below too; creatures_only skips villagers. Returns 1 and
 * fills *out when found, 0 when not, or a negative status. */
int creature_at(Game *g, int32_t x, int32_t y, int32_t z, int creatures_only, CreatureRef *out, Err *err);
/* The nearest creature that hunts the player (a hostile kind, or one angered) within its sight
 * and margin more, among those the world moves (the chunks round the player): 1 with *out (its
 * entity borrowed from its chunk) and *dist (steps), 0 when none, or a negative status. */
int creatures_nearest_threat(Game *g, int margin, CreatureRef *out, int *dist, Err *err);
/* The entity of c fetched again by its id (c->entity may be stale after
 * chunk loads); NULL when it is gone or on an error (err set). */
cJSON *creature_entity(Game *g, const CreatureRef *c, Err *err);
/* Deals damage to a creature with a message in words: "<who> the wolf for
 * 6 (4/10 left)." where who is "You hit", "Your arrow hits"... At 0 hp it
 * dies: it leaves its drops on the ground, the player gains its experience
 * and the counter slain_<kind> goes up. A neutral creature turns hostile. */
int creature_damage(Game *g, CreatureRef *c, int amount, const char *who, ActionResult *r, Err *err);
/* A creature's attack on the player: a roll to hit against dexterity and
 * armour, damage in words; a killing blow records the death (counter
 * "deaths"), drops the pack where the player fell, and game_hurt wakes
 * the player at the spawn. */
int combat_creature_attacks(Game *g, const CreatureDef *def, ActionResult *r, Err *err);

#endif
