/* recipes.c — the crafting_recipes table (see recipes.h).
 *
 * Every statement is static text prepared once per Save through save_stmt.
 * insert and upsert share their checks and bindings (write_recipe); only the
 * ON CONFLICT clause tells them apart. */
#include "save/recipes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/save_internal.h"

#define RECIPE_COLS \
    "id, recipe_name, ingredients, result_item, required_level, recipe_type, unlock_conditions, created_at"

void recipe_row_clear(RecipeRow *r)
{
    if (!r)
        return;
    cJSON_Delete(r->ingredients);
    cJSON_Delete(r->result_item);
    cJSON_Delete(r->unlock_conditions);
    r->ingredients = r->result_item = r->unlock_conditions = NULL;
}

static void read_recipe(sqlite3_stmt *st, RecipeRow *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, r->recipe_name, sizeof r->recipe_name);
    r->ingredients = save_col_json(st, 2);
    r->result_item = save_col_json(st, 3);
    r->required_level = sqlite3_column_int(st, 4);
    save_col_copy(st, 5, r->recipe_type, sizeof r->recipe_type);
    r->unlock_conditions = save_col_json(st, 6);
    save_col_copy(st, 7, r->created_at, sizeof r->created_at);
}

/* Runs sql (an insert or an upsert of the same seven parameters, returning
 * id and created_at) for r. */
static int write_recipe(Save *s, const char *sql, RecipeRow *r, Err *err)
{
    char doing[128];
    snprintf(doing, sizeof doing, "saving recipe '%s'", r->recipe_name);
    if (!cJSON_IsArray(r->ingredients))
        return err_set(err, MA_ERR_INVALID, "%s: %s: its ingredients must be a JSON array", s->path, doing);
    if (!cJSON_IsObject(r->result_item))
        return err_set(err, MA_ERR_INVALID, "%s: %s: its result_item must be a JSON object", s->path, doing);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_text(st, 1, r->recipe_name, -1, SQLITE_STATIC);
    if (save_bind_json(st, 2, r->ingredients, "[]") != SQLITE_OK ||
        save_bind_json(st, 3, r->result_item, "{}") != SQLITE_OK ||
        save_bind_json(st, 6, r->unlock_conditions, "{}") != SQLITE_OK)
        return err_set(err, MA_ERR_NOMEM, "%s: out of memory %s", s->path, doing);
    sqlite3_bind_int(st, 4, r->required_level);
    sqlite3_bind_text(st, 5, r->recipe_type[0] ? r->recipe_type : "general", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if ((rc & 0xff) == SQLITE_CONSTRAINT && strstr(sqlite3_errmsg(s->db), "UNIQUE") &&
            strstr(sqlite3_errmsg(s->db), "crafting_recipes.recipe_name"))
            return err_set(err, MA_ERR_CONSTRAINT, "%s: a recipe named '%s' already exists", s->path,
                           r->recipe_name);
        return save_db_error(s, rc, err, doing);
    }
    r->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, r->created_at, sizeof r->created_at);
    sqlite3_reset(st);
    return MA_OK;
}

int recipes_insert(Save *s, RecipeRow *r, Err *err)
{
    static const char sql[] =
        "INSERT INTO crafting_recipes (recipe_name, ingredients, result_item, required_level, recipe_type, "
        "unlock_conditions) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id, created_at";
    return write_recipe(s, sql, r, err);
}

int recipes_upsert(Save *s, RecipeRow *r, Err *err)
{
    static const char sql[] =
        "INSERT INTO crafting_recipes (recipe_name, ingredients, result_item, required_level, recipe_type, "
        "unlock_conditions) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
        "ON CONFLICT (recipe_name) DO UPDATE SET ingredients = ?2, result_item = ?3, required_level = ?4, "
        "recipe_type = ?5, unlock_conditions = ?6 "
        "RETURNING id, created_at";
    return write_recipe(s, sql, r, err);
}

static int get_one(Save *s, sqlite3_stmt *st, RecipeRow *out, Err *err, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_recipe(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return MA_OK;
    if (rc == SQLITE_DONE)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no recipe %s", s->path, what);
    return save_db_error(s, rc, err, "reading a recipe");
}

int recipes_get(Save *s, int64_t id, RecipeRow *out, Err *err)
{
    static const char sql[] = "SELECT " RECIPE_COLS " FROM crafting_recipes WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    char what[48];
    snprintf(what, sizeof what, "with id %lld", (long long)id);
    return get_one(s, st, out, err, what);
}

int recipes_get_by_name(Save *s, const char *name, RecipeRow *out, Err *err)
{
    static const char sql[] = "SELECT " RECIPE_COLS " FROM crafting_recipes WHERE recipe_name = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    char what[96];
    snprintf(what, sizeof what, "named '%.64s'", name);
    return get_one(s, st, out, err, what);
}

int recipes_delete(Save *s, int64_t id, Err *err)
{
    static const char sql[] = "DELETE FROM crafting_recipes WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    if (save_step_done(s, st, err, "deleting a recipe") != MA_OK)
        return save_failed(err);
    if (sqlite3_changes(s->db) == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no recipe with id %lld to delete", s->path,
                       (long long)id);
    return MA_OK;
}

int recipes_list(Save *s, const char *recipe_type, RecipeRow **out, int *n, Err *err)
{
    static const char sql_all[] = "SELECT " RECIPE_COLS " FROM crafting_recipes ORDER BY recipe_name";
    static const char sql_type[] =
        "SELECT " RECIPE_COLS " FROM crafting_recipes WHERE recipe_type = ? ORDER BY recipe_name";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, recipe_type ? sql_type : sql_all, err);
    if (!st)
        return save_failed(err);
    if (recipe_type)
        sqlite3_bind_text(st, 1, recipe_type, -1, SQLITE_STATIC);
    RecipeRow *rows = NULL;
    int count = 0, cap = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 8;
            RecipeRow *grown = realloc(rows, (size_t)cap * sizeof *rows);
            if (!grown) {
                sqlite3_reset(st);
                recipes_list_free(rows, count);
                return err_set(err, MA_ERR_NOMEM, "%s: out of memory listing recipes", s->path);
            }
            rows = grown;
        }
        read_recipe(st, &rows[count++]);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        recipes_list_free(rows, count);
        return save_db_error(s, rc, err, "listing recipes");
    }
    *out = rows;
    *n = count;
    return MA_OK;
}

void recipes_list_free(RecipeRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        recipe_row_clear(&rows[i]);
    free(rows);
}
