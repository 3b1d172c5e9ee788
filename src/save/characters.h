/* characters.h — the characters and inventory tables: who plays (or lives)
 * in a world, where they stand, and what they carry.
 *
 * Follows the pattern of worlds.h: one plain struct per row (short strings
 * in fixed buffers, JSON columns as owned cJSON trees), a _row_clear for the
 * heap parts, and functions that return MA_OK or a negative MaStatus and fill
 * an Err naming the save and what was being done. A character belongs to a
 * world and, for a player character, to a user; deleting it deletes its
 * inventory, skills, relationships, quest progress and choices (cascade). */
#ifndef MA_SAVE_CHARACTERS_H
#define MA_SAVE_CHARACTERS_H

#include <stdint.h>

#include <cJSON.h>

#include "save/save.h"

typedef struct CharacterRow {
    int64_t id;
    int64_t user_id;          /* 0 for a non-player character (NULL in the save) */
    int64_t world_id;
    char name[65];            /* 1..64 bytes, unique within the world */
    char character_class[33];
    int level;                /* >= 1, written as given */
    int64_t experience;       /* >= 0 */
    cJSON *stats;             /* owned object: health, mana, strength... */
    cJSON *appearance;        /* owned object */
    double position_x, position_y, position_z;
    char created_at[32];
    char updated_at[32];
} CharacterRow;

/* Frees the JSON trees of a row (not the row itself) and sets them to NULL. */
void character_row_clear(CharacterRow *c);

/* Inserts c; fills in c->id, created_at and updated_at. stats/appearance NULL
 * mean {}. Fails with MA_ERR_CONSTRAINT when the world already has a
 * character of that name, the world or user does not exist, or a value
 * breaks a CHECK (level < 1, negative experience, empty name). */
int characters_insert(Save *s, CharacterRow *c, Err *err);
/* Reads one character into *out (cleared by the caller with
 * character_row_clear). MA_ERR_NOT_FOUND when there is none. */
int characters_get(Save *s, int64_t id, CharacterRow *out, Err *err);
int characters_get_by_name(Save *s, int64_t world_id, const char *name, CharacterRow *out, Err *err);
/* Writes name, character_class, level, experience, stats, appearance and the
 * position of c->id (its user and world do not change). stats/appearance NULL
 * keep the stored ones. MA_ERR_NOT_FOUND when c->id is not stored. */
int characters_update(Save *s, const CharacterRow *c, Err *err);
/* Moves a character: only its position (the common write of the game loop). */
int characters_set_position(Save *s, int64_t id, double x, double y, double z, Err *err);
/* Deletes the character and, by cascade, everything it owns.
 * MA_ERR_NOT_FOUND when there is none. */
int characters_delete(Save *s, int64_t id, Err *err);

/* Lists characters by id into a heap array of *n rows that the caller frees
 * with characters_list_free (*out is NULL when there are none).
 * _by_user: the user's characters in one world, or in every world when
 * world_id is 0. _by_world: every character (player or not) of a world. */
int characters_list_by_user(Save *s, int64_t user_id, int64_t world_id, CharacterRow **out, int *n, Err *err);
int characters_list_by_world(Save *s, int64_t world_id, CharacterRow **out, int *n, Err *err);
void characters_list_free(CharacterRow *rows, int n);

/* slot_position of an item that is carried but not placed in a slot. */
#define INVENTORY_NO_SLOT (-1)

typedef struct InventoryRow {
    int64_t id;
    int64_t character_id;
    char item_type[33];  /* weapon, tool, material, food... */
    char item_name[65];
    int quantity;        /* > 0 */
    cJSON *item_data;    /* owned object: durability, enchantments... */
    int slot_position;   /* >= 0, one stack per slot; INVENTORY_NO_SLOT (NULL) when unplaced */
    char acquired_at[32];
    char updated_at[32];
} InventoryRow;

void inventory_row_clear(InventoryRow *r);

/* Adds an item row for r->character_id; fills in r->id, acquired_at and
 * updated_at. item_data NULL means {}. It does not merge stacks (see
 * inventory_find_stack). Fails with MA_ERR_CONSTRAINT when the slot is
 * taken, the character does not exist, or quantity < 1. */
int inventory_add(Save *s, InventoryRow *r, Err *err);
/* One item row; MA_ERR_NOT_FOUND when there is none. */
int inventory_get(Save *s, int64_t id, InventoryRow *out, Err *err);
/* Writes quantity, item_data and slot_position of r->id (item_data NULL
 * keeps the stored one). MA_ERR_NOT_FOUND when r->id is not stored;
 * MA_ERR_CONSTRAINT for quantity < 1 or a slot taken by another stack. */
int inventory_update(Save *s, const InventoryRow *r, Err *err);
/* Deletes one item row; MA_ERR_NOT_FOUND when there is none. */
int inventory_delete(Save *s, int64_t id, Err *err);
/* A character's items ordered by slot, unplaced items last (by id).
 * Free with inventory_list_free. */
int inventory_list(Save *s, int64_t character_id, InventoryRow **out, int *n, Err *err);
/* The name of the item in one slot of a character's inventory into name ("" when the slot is
 * empty): one indexed read, no JSON, for what the side panel shows each frame. */
int inventory_item_in_slot(Save *s, int64_t character_id, int slot, char *name, size_t size, Err *err);
void inventory_list_free(InventoryRow *rows, int n);
/* The character's stack of item_name to add to (the lowest slot, placed
 * stacks before unplaced ones). MA_ERR_NOT_FOUND when it carries none. */
int inventory_find_stack(Save *s, int64_t character_id, const char *item_name, InventoryRow *out, Err *err);

#endif
