/* recipes.h — the crafting_recipes table: what can be made from what.
 *
 * Follows the pattern of worlds.h: one plain struct per row (short strings
 * in fixed buffers, JSON columns as owned cJSON trees), a _row_clear for the
 * heap parts, and functions that return MA_OK or a negative MaStatus and fill
 * an Err naming the save and what was being done. Recipes are shared by
 * every world; a recipe's name is its key (recipes_upsert is how the game
 * refreshes the stored recipes from data/recipes.json). */
#ifndef MA_SAVE_RECIPES_H
#define MA_SAVE_RECIPES_H

#include <stdint.h>

#include <cJSON.h>

#include "save/save.h"

typedef struct RecipeRow {
    int64_t id;
    char recipe_name[65];       /* unique */
    cJSON *ingredients;         /* owned array, required: [{"item": "oak_plank", "count": 4}, ...] */
    cJSON *result_item;         /* owned object, required: {"item": "chest", "count": 1} */
    int required_level;         /* >= 1, written as given */
    char recipe_type[33];       /* "" means 'general' */
    cJSON *unlock_conditions;   /* owned; NULL on write means {} */
    char created_at[32];
} RecipeRow;

/* Frees the JSON trees of a row (not the row itself) and sets them to NULL. */
void recipe_row_clear(RecipeRow *r);

/* Inserts r; fills in r->id and created_at. MA_ERR_INVALID when ingredients
 * is not an array or result_item not an object; MA_ERR_CONSTRAINT when the
 * name is taken or a value breaks a CHECK (required_level < 1, empty name). */
int recipes_insert(Save *s, RecipeRow *r, Err *err);
/* Inserts r, or overwrites every column of the stored recipe of that name
 * (its id and created_at stay). Fills in r->id and created_at. Fails as
 * recipes_insert does, except that a taken name is the point. */
int recipes_upsert(Save *s, RecipeRow *r, Err *err);
/* One recipe into *out (cleared by the caller with recipe_row_clear).
 * MA_ERR_NOT_FOUND when there is none. */
int recipes_get(Save *s, int64_t id, RecipeRow *out, Err *err);
int recipes_get_by_name(Save *s, const char *name, RecipeRow *out, Err *err);
/* Deletes a recipe. MA_ERR_NOT_FOUND when there is none with that id. */
int recipes_delete(Save *s, int64_t id, Err *err);
/* The recipes of one type, or every recipe when recipe_type is NULL, by name,
 * into a heap array the caller frees with recipes_list_free (*out NULL when
 * none). */
int recipes_list(Save *s, const char *recipe_type, RecipeRow **out, int *n, Err *err);
void recipes_list_free(RecipeRow *rows, int n);

#endif
