/* skills.c — the character_skills and character_relationships tables (see
 * skills.h).
 *
 * Every statement is static text prepared once per Save through save_stmt.
 * Upserts set updated_at themselves so that RETURNING reports the stored
 * value (the touch triggers run after RETURNING is computed). A relationship
 * change is one INSERT ... ON CONFLICT statement: the clamped value and the
 * appended interaction are written together or not at all. */
#include "save/skills.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/save_internal.h"

#define SKILL_COLS "id, character_id, skill_name, skill_level, experience_points, skill_data, updated_at"
#define RELATIONSHIP_COLS \
    "id, character_id, target_character_id, relationship_type, relationship_value, interaction_history, " \
    "created_at, updated_at"

/* ------------------------------------------------------------ reading rows */


/* ------------------------------------------------------------ skills */

void skill_row_clear(SkillRow *r)
{
    if (!r)
        return;
    cJSON_Delete(r->skill_data);
    r->skill_data = NULL;
}

static void skill_clear_any(void *row)
{
    skill_row_clear(row);
}

static void read_skill(sqlite3_stmt *st, void *row)
{
    SkillRow *r = row;
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->character_id = sqlite3_column_int64(st, 1);
    save_col_copy(st, 2, r->skill_name, sizeof r->skill_name);
    r->skill_level = sqlite3_column_int(st, 3);
    r->experience_points = sqlite3_column_int64(st, 4);
    r->skill_data = save_col_json(st, 5);
    save_col_copy(st, 6, r->updated_at, sizeof r->updated_at);
}

int skills_upsert(Save *s, SkillRow *r, Err *err)
{
    static const char sql[] =
        "INSERT INTO character_skills (character_id, skill_name, skill_level, experience_points, skill_data) "
        "VALUES (?1, ?2, ?3, ?4, COALESCE(?5, '{}')) "
        "ON CONFLICT (character_id, skill_name) DO UPDATE SET skill_level = ?3, experience_points = ?4, "
        "skill_data = COALESCE(?5, skill_data), updated_at = " NOW_SQL " "
        "RETURNING id, updated_at";
    char doing[128];
    snprintf(doing, sizeof doing, "saving skill '%s' of character %lld", r->skill_name, (long long)r->character_id);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, r->character_id);
    sqlite3_bind_text(st, 2, r->skill_name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, r->skill_level);
    sqlite3_bind_int64(st, 4, r->experience_points);
    if (r->skill_data && save_bind_json(st, 5, r->skill_data, NULL) != SQLITE_OK)
        return err_set(err, MA_ERR_NOMEM, "%s: out of memory %s", s->path, doing);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
            return err_set(err, MA_ERR_CONSTRAINT, "%s: %s: there is no character with id %lld", s->path, doing,
                           (long long)r->character_id);
        return save_db_error(s, rc, err, doing);
    }
    r->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, r->updated_at, sizeof r->updated_at);
    sqlite3_reset(st);
    return MA_OK;
}

int skills_get(Save *s, int64_t character_id, const char *skill_name, SkillRow *out, Err *err)
{
    static const char sql[] = "SELECT " SKILL_COLS " FROM character_skills WHERE character_id = ? AND skill_name = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_text(st, 2, skill_name, -1, SQLITE_STATIC);
    char what[128];
    snprintf(what, sizeof what, "skill '%.64s' for character %lld", skill_name, (long long)character_id);
    return save_get_one(s, st, read_skill, out, err, what);
}

int skills_update(Save *s, const SkillRow *r, Err *err)
{
    static const char sql[] =
        "UPDATE character_skills SET skill_level = ?, experience_points = ?, skill_data = COALESCE(?, skill_data) "
        "WHERE id = ?";
    char doing[96];
    snprintf(doing, sizeof doing, "updating skill %lld", (long long)r->id);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int(st, 1, r->skill_level);
    sqlite3_bind_int64(st, 2, r->experience_points);
    if (r->skill_data && save_bind_json(st, 3, r->skill_data, NULL) != SQLITE_OK)
        return err_set(err, MA_ERR_NOMEM, "%s: out of memory %s", s->path, doing);
    sqlite3_bind_int64(st, 4, r->id);
    if (save_step_done(s, st, err, doing) != MA_OK)
        return save_failed(err);
    if (sqlite3_changes(s->db) == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no skill with id %lld", s->path, (long long)r->id);
    return MA_OK;
}

int skills_delete(Save *s, int64_t character_id, const char *skill_name, Err *err)
{
    static const char sql[] = "DELETE FROM character_skills WHERE character_id = ? AND skill_name = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_text(st, 2, skill_name, -1, SQLITE_STATIC);
    if (save_step_done(s, st, err, "deleting a skill") != MA_OK)
        return save_failed(err);
    if (sqlite3_changes(s->db) == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: character %lld has no skill '%.64s' to delete", s->path,
                       (long long)character_id, skill_name);
    return MA_OK;
}

int skills_list(Save *s, int64_t character_id, SkillRow **out, int *n, Err *err)
{
    static const char sql[] =
        "SELECT " SKILL_COLS " FROM character_skills WHERE character_id = ? ORDER BY skill_name";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, character_id);
    char what[96];
    snprintf(what, sizeof what, "listing the skills of character %lld", (long long)character_id);
    void *rows = NULL;
    int rc = save_collect_rows(s, st, sizeof **out, read_skill, skill_clear_any, &rows, n, err, what);
    *out = rows;
    return rc;
}

void skills_list_free(SkillRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        skill_row_clear(&rows[i]);
    free(rows);
}

/* ------------------------------------------------------------ relationships */

void relationship_row_clear(RelationshipRow *r)
{
    if (!r)
        return;
    cJSON_Delete(r->interaction_history);
    r->interaction_history = NULL;
}

static void relationship_clear_any(void *row)
{
    relationship_row_clear(row);
}

static void read_relationship(sqlite3_stmt *st, void *row)
{
    RelationshipRow *r = row;
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->character_id = sqlite3_column_int64(st, 1);
    r->target_character_id = sqlite3_column_int64(st, 2);
    save_col_copy(st, 3, r->relationship_type, sizeof r->relationship_type);
    r->relationship_value = sqlite3_column_int(st, 4);
    r->interaction_history = save_col_json(st, 5);
    if (!cJSON_IsArray(r->interaction_history)) { /* unparsable text reads as {}: keep the type promised */
        cJSON_Delete(r->interaction_history);
        r->interaction_history = cJSON_CreateArray();
    }
    save_col_copy(st, 6, r->created_at, sizeof r->created_at);
    save_col_copy(st, 7, r->updated_at, sizeof r->updated_at);
}

/* The rules a relationship write can break, checked or named before SQLite's
 * own text would be shown. */
static int relationship_self_error(Save *s, int64_t character_id, Err *err, const char *doing)
{
    return err_set(err, MA_ERR_CONSTRAINT, "%s: %s: a character cannot have a relationship with itself "
                   "(character %lld)", s->path, doing, (long long)character_id);
}

static int relationship_write_error(Save *s, int rc, int64_t a, int64_t b, int value, Err *err, const char *doing)
{
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return err_set(err, MA_ERR_CONSTRAINT, "%s: %s: character %lld or %lld does not exist", s->path, doing,
                       (long long)a, (long long)b);
    if ((rc & 0xff) == SQLITE_CONSTRAINT && strstr(sqlite3_errmsg(s->db), "relationship_value"))
        return err_set(err, MA_ERR_CONSTRAINT, "%s: %s: the relationship value must be between %d and %d (got %d)",
                       s->path, doing, RELATIONSHIP_MIN, RELATIONSHIP_MAX, value);
    return save_db_error(s, rc, err, doing);
}

int relationships_upsert(Save *s, RelationshipRow *r, Err *err)
{
    static const char sql[] =
        "INSERT INTO character_relationships (character_id, target_character_id, relationship_type, "
        "relationship_value, interaction_history) "
        "VALUES (?1, ?2, COALESCE(NULLIF(?3, ''), 'acquaintance'), ?4, COALESCE(?5, '[]')) "
        "ON CONFLICT (character_id, target_character_id) DO UPDATE SET "
        "relationship_type = COALESCE(NULLIF(?3, ''), relationship_type), relationship_value = ?4, "
        "interaction_history = COALESCE(?5, interaction_history), updated_at = " NOW_SQL " "
        "RETURNING id, relationship_type, created_at, updated_at";
    char doing[128];
    snprintf(doing, sizeof doing, "saving how character %lld regards character %lld", (long long)r->character_id,
             (long long)r->target_character_id);
    if (r->character_id == r->target_character_id)
        return relationship_self_error(s, r->character_id, err, doing);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, r->character_id);
    sqlite3_bind_int64(st, 2, r->target_character_id);
    save_bind_text(st, 3, r->relationship_type); /* copied: RETURNING writes the stored type back into r */
    sqlite3_bind_int(st, 4, r->relationship_value);
    if (r->interaction_history && save_bind_json(st, 5, r->interaction_history, NULL) != SQLITE_OK)
        return err_set(err, MA_ERR_NOMEM, "%s: out of memory %s", s->path, doing);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return relationship_write_error(s, rc, r->character_id, r->target_character_id, r->relationship_value, err,
                                        doing);
    }
    r->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, r->relationship_type, sizeof r->relationship_type);
    save_col_copy(st, 2, r->created_at, sizeof r->created_at);
    save_col_copy(st, 3, r->updated_at, sizeof r->updated_at);
    sqlite3_reset(st);
    return MA_OK;
}

int relationships_get(Save *s, int64_t character_id, int64_t target_id, RelationshipRow *out, Err *err)
{
    static const char sql[] =
        "SELECT " RELATIONSHIP_COLS " FROM character_relationships "
        "WHERE character_id = ? AND target_character_id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_int64(st, 2, target_id);
    char what[128];
    snprintf(what, sizeof what, "relationship of character %lld towards character %lld", (long long)character_id,
             (long long)target_id);
    return save_get_one(s, st, read_relationship, out, err, what);
}

int relationships_change(Save *s, int64_t character_id, int64_t target_id, int delta, const cJSON *interaction,
                         int *new_value, Err *err)
{
    /* ?4 is the interaction as JSON text, or NULL for none. The bounds are
     * RELATIONSHIP_MIN/MAX, the schema's CHECK on relationship_value. */
    static const char sql[] =
        "INSERT INTO character_relationships (character_id, target_character_id, relationship_value, "
        "interaction_history) "
        "VALUES (?1, ?2, max(-100, min(100, ?3)), "
        "CASE WHEN ?4 IS NULL THEN '[]' ELSE json_array(json(?4)) END) "
        "ON CONFLICT (character_id, target_character_id) DO UPDATE SET "
        "relationship_value = max(-100, min(100, relationship_value + ?3)), "
        "interaction_history = CASE WHEN ?4 IS NULL THEN interaction_history "
        "ELSE json_insert(interaction_history, '$[#]', json(?4)) END, "
        "updated_at = " NOW_SQL " "
        "RETURNING relationship_value";
    char doing[128];
    snprintf(doing, sizeof doing, "changing how character %lld regards character %lld", (long long)character_id,
             (long long)target_id);
    if (character_id == target_id)
        return relationship_self_error(s, character_id, err, doing);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_int64(st, 2, target_id);
    sqlite3_bind_int64(st, 3, delta);
    if (interaction && save_bind_json(st, 4, interaction, NULL) != SQLITE_OK)
        return err_set(err, MA_ERR_NOMEM, "%s: out of memory %s", s->path, doing);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return relationship_write_error(s, rc, character_id, target_id, delta, err, doing);
    }
    if (new_value)
        *new_value = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return MA_OK;
}

int relationships_delete(Save *s, int64_t character_id, int64_t target_id, Err *err)
{
    static const char sql[] =
        "DELETE FROM character_relationships WHERE character_id = ? AND target_character_id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_int64(st, 2, target_id);
    if (save_step_done(s, st, err, "deleting a relationship") != MA_OK)
        return save_failed(err);
    if (sqlite3_changes(s->db) == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: character %lld has no relationship towards character %lld to "
                       "delete", s->path, (long long)character_id, (long long)target_id);
    return MA_OK;
}

int relationships_list(Save *s, int64_t character_id, RelationshipRow **out, int *n, Err *err)
{
    static const char sql[] =
        "SELECT " RELATIONSHIP_COLS " FROM character_relationships WHERE character_id = ? "
        "ORDER BY target_character_id";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, character_id);
    char what[96];
    snprintf(what, sizeof what, "listing the relationships of character %lld", (long long)character_id);
    void *rows = NULL;
    int rc = save_collect_rows(s, st, sizeof **out, read_relationship, relationship_clear_any, &rows, n, err, what);
    *out = rows;
    return rc;
}

void relationships_list_free(RelationshipRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        relationship_row_clear(&rows[i]);
    free(rows);
}
