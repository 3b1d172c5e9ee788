/* crafting.h — recipes from data/recipes.json (stored in crafting_recipes),
 * stations, discovery, and crafting with success odds from a skill.
 *
 * A recipe is discovered per character (charstate kind "recipe") when its
 * unlock condition (the rule language) first holds; only discovered
 * recipes are listed or can be made. A station is a block that must be
 * within CRAFT_STATION_REACH cells of the player. */
#ifndef MA_GAME_CRAFTING_H
#define MA_GAME_CRAFTING_H

#include <stddef.h>

#include "game/game.h"
#include "world/blocks.h"

#define CRAFT_STATION_REACH 2
#define CRAFT_MAX_INGREDIENTS 6

typedef struct CraftBook CraftBook;

/* Parses recipes JSON, checking stations against blocks and skills against
 * data/skills.json; source names the file in messages (file, entry, reason). */
int crafting_load(const char *json, size_t len, const char *source, const BlockRegistry *blocks, CraftBook **out,
                  Err *err);
/* Loads data/recipes.json (with data/blocks.json and data/skills.json to check it). */
int crafting_load_default(CraftBook **out, Err *err);
void crafting_free(CraftBook *b);
int crafting_recipe_count(const CraftBook *b);

/* Writes every recipe into crafting_recipes (recipes_upsert). Crafting and
 * discovery do it on their first call of a game; callable at game start. */
int crafting_store(Game *g, Err *err);

/* Records the recipes whose unlock condition now holds and announces them
 * ("You could make: torch, ladder"). Call after each action. Returns how
 * many were found, or a negative status. */
int crafting_discover(Game *g, ActionResult *r, Err *err);

/* Makes a recipe count times (ACT_CRAFT): refuses with the reason when it is
 * undiscovered, the level is too low, the station is not near or an
 * ingredient is short ("iron ingot 1/3 — missing 2"); otherwise rolls each
 * attempt with g->rng, takes the ingredients of the successes and the
 * failure cost of the failures, gives the results, trains the skill and
 * takes the recipe's turns. */
int crafting_craft(Game *g, const char *recipe, int count, ActionResult *r, Err *err);

/* The chance (0..1) that one attempt succeeds for this character. */
double crafting_chance(Game *g, const char *recipe);

/* ---- for the crafting screen ---- */

typedef struct CraftIngredient {
    char item[33];
    int need, have; /* need is for one craft */
} CraftIngredient;

typedef struct CraftView {
    char name[65], description[120];
    char result[33], result_type[16];
    int result_count;
    CraftIngredient ing[CRAFT_MAX_INGREDIENTS];
    int n_ing;
    char station[33];  /* "" for none */
    int station_near;
    int required_level;
    char skill[33];    /* "" for none */
    double chance;
    char failure[128]; /* "a failure loses 1 coal" */
    int can_make;      /* how many times with what is carried and where you stand */
    char blocked[200]; /* why it cannot be made now, "" when it can */
} CraftView;

/* The discovered recipes by name, into a heap array the caller frees. */
int crafting_list(Game *g, CraftView **out, int *n, Err *err);
/* "iron ingot 1/3 — missing 2", or "planks 8/4 — enough", for count crafts. */
void crafting_ingredient_words(const CraftIngredient *c, int count, char *buf, size_t size);

#endif
