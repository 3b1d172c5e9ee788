/* evolution.h — the save's side of the world evolution log beyond its rows
 * (agents.h has those): which entries touched which things, and whole rows
 * of any table read and written as JSON, so that a change can be recorded as
 * a before and after and undone exactly.
 *
 * A thing is named 'b:X,Y,Z' (a block), 'e:ID' (an entity) or 'r:TABLE:ID'
 * (a row); see data/migrations/005_evolution_index.sql. */
#ifndef MA_SAVE_EVOLUTION_H
#define MA_SAVE_EVOLUTION_H

#include <stdint.h>

#include <cJSON.h>

#include "save/save.h"

/* Records that entry_id touched thing. */
int evolution_things_add(Save *s, int64_t world_id, const char *thing, int64_t entry_id, Err *err);
/* The newest entry still applied (not rolled back) that touched thing with an
 * id above after_entry: *entry_id (0 when none) and the turn the player last
 * changed the thing by hand after that entry (*player_turn, -1 when never). */
int evolution_things_latest(Save *s, int64_t world_id, const char *thing, int64_t after_entry, int64_t *entry_id,
                            int64_t *player_turn, Err *err);
/* The player changed thing by hand at turn: noted on every entry that touched
 * it (nothing happens when no entry did). */
int evolution_things_player(Save *s, int64_t world_id, const char *thing, int64_t turn, Err *err);
/* The same for the block at (x, y, z): digging and placing call it. */
int evolution_things_player_block(Save *s, int64_t world_id, int32_t x, int32_t y, int32_t z, int64_t turn, Err *err);
/* The same for the entity with this id (a villager a story sent away or brought home). */
int evolution_things_player_entity(Save *s, int64_t world_id, const char *entity_id, int64_t turn, Err *err);

/* Whole rows as JSON objects {column: value}: integers and reals as numbers,
 * text as strings (JSON columns too, byte for byte), NULL as null. Only the
 * game's own tables (save_table_names); column names are checked against
 * the table. save_row_get sets *out NULL when there is no row with that id. */
int save_row_get(Save *s, const char *table, int64_t id, cJSON **out, Err *err);
/* Writes row (with its "id") back: an UPDATE of the columns given when the
 * row exists, else an INSERT. */
int save_row_put(Save *s, const char *table, const cJSON *row, Err *err);
int save_row_delete(Save *s, const char *table, int64_t id, Err *err);

#endif
