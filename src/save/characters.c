/* characters.c — the characters and inventory tables (see characters.h).
 *
 * Every statement is static text prepared once per Save through save_stmt.
 * A refused write is turned into a message that names the row and the rule
 * it broke (a taken name or slot, a missing world or character); other
 * CHECK failures keep SQLite's text, which quotes the rule. */
#include "save/characters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/save_internal.h"

#define CHARACTER_COLS \
    "id, user_id, world_id, name, character_class, level, experience, stats, appearance, " \
    "position_x, position_y, position_z, created_at, updated_at"
#define INVENTORY_COLS \
    "id, character_id, item_type, item_name, quantity, item_data, slot_position, acquired_at, updated_at"
/* Placed stacks by slot, then unplaced ones by id. */
#define INVENTORY_ORDER "ORDER BY slot_position IS NULL, slot_position, id"

static int is_unique_error(Save *s, int rc, const char *column)
{
    return (rc & 0xff) == SQLITE_CONSTRAINT && strstr(sqlite3_errmsg(s->db), "UNIQUE") &&
           strstr(sqlite3_errmsg(s->db), column);
}

/* ------------------------------------------------------------ reading rows */


/* ------------------------------------------------------------ characters */

void character_row_clear(CharacterRow *c)
{
    if (!c)
        return;
    cJSON_Delete(c->stats);
    cJSON_Delete(c->appearance);
    c->stats = c->appearance = NULL;
}

static void character_clear_any(void *row)
{
    character_row_clear(row);
}

static void read_character(sqlite3_stmt *st, void *row)
{
    CharacterRow *c = row;
    memset(c, 0, sizeof *c);
    c->id = sqlite3_column_int64(st, 0);
    c->user_id = sqlite3_column_int64(st, 1); /* NULL reads as 0 */
    c->world_id = sqlite3_column_int64(st, 2);
    save_col_copy(st, 3, c->name, sizeof c->name);
    save_col_copy(st, 4, c->character_class, sizeof c->character_class);
    c->level = sqlite3_column_int(st, 5);
    c->experience = sqlite3_column_int64(st, 6);
    c->stats = save_col_json(st, 7);
    c->appearance = save_col_json(st, 8);
    c->position_x = sqlite3_column_double(st, 9);
    c->position_y = sqlite3_column_double(st, 10);
    c->position_z = sqlite3_column_double(st, 11);
    save_col_copy(st, 12, c->created_at, sizeof c->created_at);
    save_col_copy(st, 13, c->updated_at, sizeof c->updated_at);
}

/* After a foreign-key failure: says which parent of c is missing. */
static int character_parent_error(Save *s, const CharacterRow *c, Err *err)
{
    static const char sql[] =
        "SELECT EXISTS (SELECT 1 FROM worlds WHERE id = ?1), "
        "?2 IS NULL OR EXISTS (SELECT 1 FROM users WHERE id = ?2)";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, c->world_id);
    if (c->user_id)
        sqlite3_bind_int64(st, 2, c->user_id);
    int world_ok = 1, user_ok = 1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        world_ok = sqlite3_column_int(st, 0);
        user_ok = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    if (!world_ok)
        return err_set(err, MA_ERR_CONSTRAINT, "%s: cannot add character '%s': there is no world with id %lld",
                       s->path, c->name, (long long)c->world_id);
    if (!user_ok)
        return err_set(err, MA_ERR_CONSTRAINT, "%s: cannot add character '%s': there is no user with id %lld",
                       s->path, c->name, (long long)c->user_id);
    return err_set(err, MA_ERR_CONSTRAINT, "%s: cannot add character '%s': its world or user does not exist",
                   s->path, c->name);
}

int characters_insert(Save *s, CharacterRow *c, Err *err)
{
    static const char sql[] =
        "INSERT INTO characters (user_id, world_id, name, character_class, level, experience, stats, "
        "appearance, position_x, position_y, position_z) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "RETURNING id, created_at, updated_at";
    int name_rc = save_check_name(s, c->name, err, "character name");
    if (name_rc != MA_OK)
        return name_rc;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    if (c->user_id)
        sqlite3_bind_int64(st, 1, c->user_id);
    sqlite3_bind_int64(st, 2, c->world_id);
    sqlite3_bind_text(st, 3, c->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, c->character_class, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, c->level);
    sqlite3_bind_int64(st, 6, c->experience);
    if (save_bind_json(st, 7, c->stats, "{}") != SQLITE_OK || save_bind_json(st, 8, c->appearance, "{}") != SQLITE_OK)
        return err_set(err, MA_ERR_NOMEM, "%s: out of memory adding character '%s'", s->path, c->name);
    sqlite3_bind_double(st, 9, c->position_x);
    sqlite3_bind_double(st, 10, c->position_y);
    sqlite3_bind_double(st, 11, c->position_z);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (is_unique_error(s, rc, "characters.name"))
            return err_set(err, MA_ERR_CONSTRAINT, "%s: world %lld already has a character named '%s'", s->path,
                           (long long)c->world_id, c->name);
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
            return character_parent_error(s, c, err);
        char doing[128];
        snprintf(doing, sizeof doing, "adding character '%s'", c->name);
        return save_db_error(s, rc, err, doing);
    }
    c->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, c->created_at, sizeof c->created_at);
    save_col_copy(st, 2, c->updated_at, sizeof c->updated_at);
    sqlite3_reset(st);
    return MA_OK;
}

int characters_get(Save *s, int64_t id, CharacterRow *out, Err *err)
{
    static const char sql[] = "SELECT " CHARACTER_COLS " FROM characters WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    char what[64];
    snprintf(what, sizeof what, "character with id %lld", (long long)id);
    return save_get_one(s, st, read_character, out, err, what);
}

int characters_get_by_name(Save *s, int64_t world_id, const char *name, CharacterRow *out, Err *err)
{
    static const char sql[] = "SELECT " CHARACTER_COLS " FROM characters WHERE world_id = ? AND name = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    char what[128];
    snprintf(what, sizeof what, "character named '%.64s' in world %lld", name, (long long)world_id);
    return save_get_one(s, st, read_character, out, err, what);
}

int characters_update(Save *s, const CharacterRow *c, Err *err)
{
    static const char sql[] =
        "UPDATE characters SET name = ?, character_class = ?, level = ?, experience = ?, "
        "stats = COALESCE(?, stats), appearance = COALESCE(?, appearance), "
        "position_x = ?, position_y = ?, position_z = ? WHERE id = ?";
    static const char stored[] = "SELECT name FROM characters WHERE id = ?";
    int name_rc = save_check_new_name(s, stored, c->id, c->name, err, "character name");
    if (name_rc != MA_OK)
        return name_rc;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_text(st, 1, c->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c->character_class, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, c->level);
    sqlite3_bind_int64(st, 4, c->experience);
    if ((c->stats && save_bind_json(st, 5, c->stats, NULL) != SQLITE_OK) ||
        (c->appearance && save_bind_json(st, 6, c->appearance, NULL) != SQLITE_OK))
        return err_set(err, MA_ERR_NOMEM, "%s: out of memory updating character %lld", s->path, (long long)c->id);
    sqlite3_bind_double(st, 7, c->position_x);
    sqlite3_bind_double(st, 8, c->position_y);
    sqlite3_bind_double(st, 9, c->position_z);
    sqlite3_bind_int64(st, 10, c->id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        if (is_unique_error(s, rc, "characters.name"))
            return err_set(err, MA_ERR_CONSTRAINT, "%s: cannot rename character %lld: its world already has a "
                           "character named '%s'", s->path, (long long)c->id, c->name);
        char doing[96];
        snprintf(doing, sizeof doing, "updating character %lld", (long long)c->id);
        return save_db_error(s, rc, err, doing);
    }
    if (sqlite3_changes(s->db) == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no character with id %lld", s->path, (long long)c->id);
    return MA_OK;
}

int characters_set_position(Save *s, int64_t id, double x, double y, double z, Err *err)
{
    static const char sql[] = "UPDATE characters SET position_x = ?, position_y = ?, position_z = ? WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_double(st, 1, x);
    sqlite3_bind_double(st, 2, y);
    sqlite3_bind_double(st, 3, z);
    sqlite3_bind_int64(st, 4, id);
    char doing[96];
    snprintf(doing, sizeof doing, "moving character %lld", (long long)id);
    if (save_step_done(s, st, err, doing) != MA_OK)
        return save_failed(err);
    if (sqlite3_changes(s->db) == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no character with id %lld", s->path, (long long)id);
    return MA_OK;
}

int characters_delete(Save *s, int64_t id, Err *err)
{
    static const char sql[] = "DELETE FROM characters WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    char doing[96];
    snprintf(doing, sizeof doing, "deleting character %lld", (long long)id);
    if (save_step_done(s, st, err, doing) != MA_OK)
        return save_failed(err);
    if (sqlite3_changes(s->db) == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no character with id %lld to delete", s->path,
                       (long long)id);
    return MA_OK;
}

int characters_list_by_user(Save *s, int64_t user_id, int64_t world_id, CharacterRow **out, int *n, Err *err)
{
    static const char sql_all[] = "SELECT " CHARACTER_COLS " FROM characters WHERE user_id = ? ORDER BY id";
    static const char sql_world[] =
        "SELECT " CHARACTER_COLS " FROM characters WHERE user_id = ? AND world_id = ? ORDER BY id";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, world_id ? sql_world : sql_all, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, user_id);
    if (world_id)
        sqlite3_bind_int64(st, 2, world_id);
    char what[96];
    snprintf(what, sizeof what, "listing the characters of user %lld", (long long)user_id);
    void *rows = NULL;
    int rc = save_collect_rows(s, st, sizeof **out, read_character, character_clear_any, &rows, n, err, what);
    *out = rows;
    return rc;
}

int characters_list_by_world(Save *s, int64_t world_id, CharacterRow **out, int *n, Err *err)
{
    static const char sql[] = "SELECT " CHARACTER_COLS " FROM characters WHERE world_id = ? ORDER BY id";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    char what[96];
    snprintf(what, sizeof what, "listing the characters of world %lld", (long long)world_id);
    void *rows = NULL;
    int rc = save_collect_rows(s, st, sizeof **out, read_character, character_clear_any, &rows, n, err, what);
    *out = rows;
    return rc;
}

void characters_list_free(CharacterRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        character_row_clear(&rows[i]);
    free(rows);
}

/* ------------------------------------------------------------ inventory */

void inventory_row_clear(InventoryRow *r)
{
    if (!r)
        return;
    cJSON_Delete(r->item_data);
    r->item_data = NULL;
}

static void inventory_clear_any(void *row)
{
    inventory_row_clear(row);
}

static void read_item(sqlite3_stmt *st, void *row)
{
    InventoryRow *r = row;
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->character_id = sqlite3_column_int64(st, 1);
    save_col_copy(st, 2, r->item_type, sizeof r->item_type);
    save_col_copy(st, 3, r->item_name, sizeof r->item_name);
    r->quantity = sqlite3_column_int(st, 4);
    r->item_data = save_col_json(st, 5);
    r->slot_position = sqlite3_column_type(st, 6) == SQLITE_NULL ? INVENTORY_NO_SLOT : sqlite3_column_int(st, 6);
    save_col_copy(st, 7, r->acquired_at, sizeof r->acquired_at);
    save_col_copy(st, 8, r->updated_at, sizeof r->updated_at);
}

static void bind_slot(sqlite3_stmt *st, int i, int slot)
{
    if (slot == INVENTORY_NO_SLOT)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int(st, i, slot);
}

/* Turns a refused inventory write into a message naming the rule. */
static int inventory_write_error(Save *s, int rc, const InventoryRow *r, Err *err, const char *doing)
{
    if (is_unique_error(s, rc, "inventory.slot_position"))
        return err_set(err, MA_ERR_CONSTRAINT, "%s: %s: slot %d of character %lld already holds another item",
                       s->path, doing, r->slot_position, (long long)r->character_id);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return err_set(err, MA_ERR_CONSTRAINT, "%s: %s: there is no character with id %lld", s->path, doing,
                       (long long)r->character_id);
    if ((rc & 0xff) == SQLITE_CONSTRAINT && strstr(sqlite3_errmsg(s->db), "quantity"))
        return err_set(err, MA_ERR_CONSTRAINT, "%s: %s: the quantity must be at least 1 (got %d)", s->path, doing,
                       r->quantity);
    return save_db_error(s, rc, err, doing);
}

int inventory_add(Save *s, InventoryRow *r, Err *err)
{
    static const char sql[] =
        "INSERT INTO inventory (character_id, item_type, item_name, quantity, item_data, slot_position) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id, acquired_at, updated_at";
    char doing[128];
    snprintf(doing, sizeof doing, "adding %d '%s' to character %lld", r->quantity, r->item_name,
             (long long)r->character_id);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, r->character_id);
    sqlite3_bind_text(st, 2, r->item_type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->item_name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, r->quantity);
    if (save_bind_json(st, 5, r->item_data, "{}") != SQLITE_OK)
        return err_set(err, MA_ERR_NOMEM, "%s: out of memory %s", s->path, doing);
    bind_slot(st, 6, r->slot_position);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return inventory_write_error(s, rc, r, err, doing);
    }
    r->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, r->acquired_at, sizeof r->acquired_at);
    save_col_copy(st, 2, r->updated_at, sizeof r->updated_at);
    sqlite3_reset(st);
    return MA_OK;
}

int inventory_get(Save *s, int64_t id, InventoryRow *out, Err *err)
{
    static const char sql[] = "SELECT " INVENTORY_COLS " FROM inventory WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    char what[64];
    snprintf(what, sizeof what, "inventory item with id %lld", (long long)id);
    return save_get_one(s, st, read_item, out, err, what);
}

int inventory_update(Save *s, const InventoryRow *r, Err *err)
{
    static const char sql[] =
        "UPDATE inventory SET quantity = ?, item_data = COALESCE(?, item_data), slot_position = ? WHERE id = ?";
    char doing[96];
    snprintf(doing, sizeof doing, "updating inventory item %lld", (long long)r->id);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int(st, 1, r->quantity);
    if (r->item_data && save_bind_json(st, 2, r->item_data, NULL) != SQLITE_OK)
        return err_set(err, MA_ERR_NOMEM, "%s: out of memory %s", s->path, doing);
    bind_slot(st, 3, r->slot_position);
    sqlite3_bind_int64(st, 4, r->id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return inventory_write_error(s, rc, r, err, doing);
    if (sqlite3_changes(s->db) == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no inventory item with id %lld", s->path,
                       (long long)r->id);
    return MA_OK;
}

int inventory_delete(Save *s, int64_t id, Err *err)
{
    static const char sql[] = "DELETE FROM inventory WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    char doing[96];
    snprintf(doing, sizeof doing, "deleting inventory item %lld", (long long)id);
    if (save_step_done(s, st, err, doing) != MA_OK)
        return save_failed(err);
    if (sqlite3_changes(s->db) == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no inventory item with id %lld to delete", s->path,
                       (long long)id);
    return MA_OK;
}

int inventory_list(Save *s, int64_t character_id, InventoryRow **out, int *n, Err *err)
{
    static const char sql[] = "SELECT " INVENTORY_COLS " FROM inventory WHERE character_id = ? " INVENTORY_ORDER;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, character_id);
    char what[96];
    snprintf(what, sizeof what, "listing the inventory of character %lld", (long long)character_id);
    void *rows = NULL;
    int rc = save_collect_rows(s, st, sizeof **out, read_item, inventory_clear_any, &rows, n, err, what);
    *out = rows;
    return rc;
}

int inventory_item_in_slot(Save *s, int64_t character_id, int slot, char *name, size_t size, Err *err)
{
    static const char sql[] = "SELECT item_name FROM inventory WHERE character_id = ? AND slot_position = ? LIMIT 1";
    if (size)
        name[0] = '\0';
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_int(st, 2, slot);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        save_col_copy(st, 0, name, size);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return save_db_error(s, rc, err, "reading an inventory slot");
    return MA_OK;
}

void inventory_list_free(InventoryRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        inventory_row_clear(&rows[i]);
    free(rows);
}

int inventory_find_stack(Save *s, int64_t character_id, const char *item_name, InventoryRow *out, Err *err)
{
    static const char sql[] =
        "SELECT " INVENTORY_COLS " FROM inventory WHERE character_id = ? AND item_name = ? " INVENTORY_ORDER
        " LIMIT 1";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_text(st, 2, item_name, -1, SQLITE_STATIC);
    char what[128];
    snprintf(what, sizeof what, "stack of '%.64s' carried by character %lld", item_name, (long long)character_id);
    return save_get_one(s, st, read_item, out, err, what);
}
