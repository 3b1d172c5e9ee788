/* quests.c — quests, quest_objectives and quest_progress.
 *
 * A character's progress on a quest moves only out of "active": to
 * completed (once, with its rewards), failed, abandoned or expired. Each
 * change is one UPDATE guarded by status = 'active', so a second completion
 * changes nothing and is reported instead of paying the rewards twice. */
#include "save/quests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/save_internal.h"
#include "util/timeutil.h"

#define QUEST_COLS "id, world_id, title, description, quest_type, requirements, rewards, difficulty_level, " \
                   "is_active, created_at, expires_at, details"
#define OBJECTIVE_COLS "id, quest_id, objective_text, requirements, progress_data, is_completed, order_index"
#define PROGRESS_COLS "id, character_id, quest_id, status, progress_data, started_at, completed_at, rewards_earned"

/* ------------------------------------------------------------ shared helpers */


/* ------------------------------------------------------------ quests */

void quest_row_clear(QuestRow *r)
{
    if (!r)
        return;
    free(r->description);
    cJSON_Delete(r->requirements);
    cJSON_Delete(r->rewards);
    cJSON_Delete(r->details);
    r->description = NULL;
    r->requirements = r->rewards = r->details = NULL;
}

static void read_quest(sqlite3_stmt *st, void *row)
{
    QuestRow *r = row;
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->world_id = sqlite3_column_int64(st, 1);
    save_col_copy(st, 2, r->title, sizeof r->title);
    r->description = save_col_text(st, 3);
    save_col_copy(st, 4, r->quest_type, sizeof r->quest_type);
    r->requirements = save_col_json(st, 5);
    r->rewards = save_col_json(st, 6);
    r->difficulty_level = sqlite3_column_int(st, 7);
    r->is_active = sqlite3_column_int(st, 8);
    save_col_copy(st, 9, r->created_at, sizeof r->created_at);
    save_col_copy(st, 10, r->expires_at, sizeof r->expires_at);
    r->details = save_col_json(st, 11);
}

static void clear_quest(void *row)
{
    quest_row_clear(row);
}

int quests_insert(Save *s, QuestRow *r, Err *err)
{
    static const char sql[] =
        "INSERT INTO quests (world_id, title, description, quest_type, requirements, rewards, difficulty_level, "
        "is_active, created_at, expires_at, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
        "COALESCE(?, " NOW_SQL "), ?, ?) RETURNING id, created_at, expires_at";
    char what[200], missing[64];
    snprintf(what, sizeof what, "adding the quest '%.128s' to world %lld", r->title, (long long)r->world_id);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, r->world_id);
    sqlite3_bind_text(st, 2, r->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->description ? r->description : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->quest_type[0] ? r->quest_type : "side", -1, SQLITE_STATIC);
    save_bind_json(st, 5, r->requirements, "{}");
    save_bind_json(st, 6, r->rewards, "{}");
    sqlite3_bind_int(st, 7, r->difficulty_level ? r->difficulty_level : 1);
    sqlite3_bind_int(st, 8, r->is_active ? 1 : 0);
    if (save_bind_time(s, st, 9, r->created_at, err, what, "created_at") != MA_OK ||
        save_bind_time(s, st, 10, r->expires_at, err, what, "expires_at") != MA_OK)
        return save_failed(err);
    save_bind_json(st, 11, r->details, "{}");
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        snprintf(missing, sizeof missing, "there is no world %lld", (long long)r->world_id);
        return save_write_error(s, rc, err, what, missing);
    }
    r->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, r->created_at, sizeof r->created_at);
    save_col_copy(st, 2, r->expires_at, sizeof r->expires_at);
    sqlite3_reset(st);
    return MA_OK;
}

int quests_get(Save *s, int64_t id, QuestRow *out, Err *err)
{
    static const char sql[] = "SELECT " QUEST_COLS " FROM quests WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    char missing[48];
    snprintf(missing, sizeof missing, "quest with id %lld", (long long)id);
    return save_get_row(s, st, read_quest, out, err, "reading a quest", missing);
}

int quests_list_active(Save *s, int64_t world_id, QuestRow **out, int *n, Err *err)
{
    static const char sql[] = "SELECT " QUEST_COLS " FROM quests WHERE world_id = ? AND is_active = 1 ORDER BY id";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    void *rows;
    int rc = save_collect_rows(s, st, sizeof **out, read_quest, clear_quest, &rows, n, err, "listing a world's active quests");
    *out = rows;
    return rc;
}

int quests_list_world(Save *s, int64_t world_id, QuestRow **out, int *n, Err *err)
{
    static const char sql[] = "SELECT " QUEST_COLS " FROM quests WHERE world_id = ? ORDER BY id";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    void *rows;
    int rc = save_collect_rows(s, st, sizeof **out, read_quest, clear_quest, &rows, n, err, "listing a world's quests");
    *out = rows;
    return rc;
}

int quests_list_expired(Save *s, int64_t world_id, const char *as_of, QuestRow **out, int *n, Err *err)
{
    static const char sql[] =
        "SELECT " QUEST_COLS " FROM quests WHERE (?1 = 0 OR world_id = ?1) AND expires_at IS NOT NULL "
        "AND expires_at <= ?2 ORDER BY expires_at, id";
    const char *what = "listing expired quests";
    *out = NULL;
    *n = 0;
    if (!as_of || !as_of[0])
        return err_set(err, MA_ERR_INVALID, "%s: %s: no time given", s->path, what);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    if (save_bind_time(s, st, 2, as_of, err, what, "the time") != MA_OK)
        return save_failed(err);
    void *rows;
    int rc = save_collect_rows(s, st, sizeof **out, read_quest, clear_quest, &rows, n, err, what);
    *out = rows;
    return rc;
}

void quests_list_free(QuestRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        quest_row_clear(&rows[i]);
    free(rows);
}

int quests_update(Save *s, const QuestRow *r, Err *err)
{
    static const char sql[] =
        "UPDATE quests SET title = ?, description = ?, quest_type = ?, requirements = ?, rewards = ?, "
        "difficulty_level = ?, is_active = ?, expires_at = ?, details = ? WHERE id = ?";
    char what[64];
    snprintf(what, sizeof what, "updating quest %lld", (long long)r->id);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_text(st, 1, r->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->description ? r->description : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->quest_type, -1, SQLITE_STATIC);
    save_bind_json(st, 4, r->requirements, "{}");
    save_bind_json(st, 5, r->rewards, "{}");
    sqlite3_bind_int(st, 6, r->difficulty_level);
    sqlite3_bind_int(st, 7, r->is_active ? 1 : 0);
    if (save_bind_time(s, st, 8, r->expires_at, err, what, "expires_at") != MA_OK)
        return save_failed(err);
    save_bind_json(st, 9, r->details, "{}");
    sqlite3_bind_int64(st, 10, r->id);
    int rc = save_step_done(s, st, err, what);
    if (rc == MA_OK && sqlite3_changes(s->db) == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no quest with id %lld", s->path, (long long)r->id);
    return rc;
}

int quests_delete(Save *s, int64_t id, Err *err)
{
    return save_exec_id(s, "DELETE FROM quests WHERE id = ?", id, err, "deleting a quest");
}

/* ------------------------------------------------------------ quest_objectives */

void objective_row_clear(ObjectiveRow *r)
{
    if (!r)
        return;
    free(r->objective_text);
    cJSON_Delete(r->requirements);
    cJSON_Delete(r->progress_data);
    r->objective_text = NULL;
    r->requirements = r->progress_data = NULL;
}

static void read_objective(sqlite3_stmt *st, void *row)
{
    ObjectiveRow *r = row;
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->quest_id = sqlite3_column_int64(st, 1);
    r->objective_text = save_col_text(st, 2);
    r->requirements = save_col_json(st, 3);
    r->progress_data = save_col_json(st, 4);
    r->is_completed = sqlite3_column_int(st, 5);
    r->order_index = sqlite3_column_int(st, 6);
}

static void clear_objective(void *row)
{
    objective_row_clear(row);
}

int objectives_insert(Save *s, ObjectiveRow *r, Err *err)
{
    static const char sql[] =
        "INSERT INTO quest_objectives (quest_id, objective_text, requirements, progress_data, is_completed, "
        "order_index) VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
    char what[96], missing[64];
    snprintf(what, sizeof what, "adding objective %d to quest %lld", r->order_index, (long long)r->quest_id);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, r->quest_id);
    sqlite3_bind_text(st, 2, r->objective_text ? r->objective_text : "", -1, SQLITE_STATIC);
    save_bind_json(st, 3, r->requirements, "{}");
    save_bind_json(st, 4, r->progress_data, "{}");
    sqlite3_bind_int(st, 5, r->is_completed ? 1 : 0);
    sqlite3_bind_int(st, 6, r->order_index);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_CONSTRAINT_UNIQUE)
            return err_set(err, MA_ERR_CONSTRAINT, "%s: %s: the quest already has an objective at position %d",
                           s->path, what, r->order_index);
        snprintf(missing, sizeof missing, "there is no quest %lld", (long long)r->quest_id);
        return save_write_error(s, rc, err, what, missing);
    }
    r->id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return MA_OK;
}

int objectives_get(Save *s, int64_t id, ObjectiveRow *out, Err *err)
{
    static const char sql[] = "SELECT " OBJECTIVE_COLS " FROM quest_objectives WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    char missing[48];
    snprintf(missing, sizeof missing, "quest objective with id %lld", (long long)id);
    return save_get_row(s, st, read_objective, out, err, "reading a quest objective", missing);
}

int objectives_list(Save *s, int64_t quest_id, ObjectiveRow **out, int *n, Err *err)
{
    static const char sql[] = "SELECT " OBJECTIVE_COLS " FROM quest_objectives WHERE quest_id = ? ORDER BY order_index";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, quest_id);
    void *rows;
    int rc = save_collect_rows(s, st, sizeof **out, read_objective, clear_objective, &rows, n, err,
                     "listing a quest's objectives");
    *out = rows;
    return rc;
}

void objectives_list_free(ObjectiveRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        objective_row_clear(&rows[i]);
    free(rows);
}

int objectives_update_progress(Save *s, int64_t id, const cJSON *progress_data, int is_completed, Err *err)
{
    static const char sql[] = "UPDATE quest_objectives SET progress_data = ?, is_completed = ? WHERE id = ?";
    char what[64];
    snprintf(what, sizeof what, "updating quest objective %lld", (long long)id);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    save_bind_json(st, 1, progress_data, "{}");
    sqlite3_bind_int(st, 2, is_completed ? 1 : 0);
    sqlite3_bind_int64(st, 3, id);
    int rc = save_step_done(s, st, err, what);
    if (rc == MA_OK && sqlite3_changes(s->db) == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no quest objective with id %lld", s->path, (long long)id);
    return rc;
}

/* ------------------------------------------------------------ quest_progress */

void progress_row_clear(ProgressRow *r)
{
    if (!r)
        return;
    cJSON_Delete(r->progress_data);
    cJSON_Delete(r->rewards_earned);
    r->progress_data = r->rewards_earned = NULL;
}

static void read_progress(sqlite3_stmt *st, void *row)
{
    ProgressRow *r = row;
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->character_id = sqlite3_column_int64(st, 1);
    r->quest_id = sqlite3_column_int64(st, 2);
    save_col_copy(st, 3, r->status, sizeof r->status);
    r->progress_data = save_col_json(st, 4);
    save_col_copy(st, 5, r->started_at, sizeof r->started_at);
    save_col_copy(st, 6, r->completed_at, sizeof r->completed_at);
    r->rewards_earned = save_col_json(st, 7);
}

static void clear_progress(void *row)
{
    progress_row_clear(row);
}

int progress_start(Save *s, ProgressRow *p, Err *err)
{
    static const char sql[] =
        "INSERT INTO quest_progress (character_id, quest_id, status, progress_data, started_at) "
        "VALUES (?, ?, 'active', ?, COALESCE(?, " NOW_SQL ")) "
        "RETURNING id, status, started_at, completed_at, rewards_earned";
    static const char sql_character[] = "SELECT 1 FROM characters WHERE id = ?";
    char what[96], missing[96];
    snprintf(what, sizeof what, "starting quest %lld for character %lld", (long long)p->quest_id,
             (long long)p->character_id);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, p->character_id);
    sqlite3_bind_int64(st, 2, p->quest_id);
    save_bind_json(st, 3, p->progress_data, "{}");
    if (save_bind_time(s, st, 4, p->started_at, err, what, "started_at") != MA_OK)
        return save_failed(err);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_CONSTRAINT_UNIQUE)
            return err_set(err, MA_ERR_CONSTRAINT, "%s: %s: the character has already taken this quest", s->path,
                           what);
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY && save_row_exists(s, sql_character, p->character_id))
            snprintf(missing, sizeof missing, "there is no quest %lld", (long long)p->quest_id);
        else
            snprintf(missing, sizeof missing, "there is no character %lld", (long long)p->character_id);
        return save_write_error(s, rc, err, what, missing);
    }
    p->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, p->status, sizeof p->status);
    save_col_copy(st, 2, p->started_at, sizeof p->started_at);
    save_col_copy(st, 3, p->completed_at, sizeof p->completed_at);
    cJSON_Delete(p->rewards_earned);
    p->rewards_earned = save_col_json(st, 4);
    sqlite3_reset(st);
    return MA_OK;
}

int progress_get(Save *s, int64_t character_id, int64_t quest_id, ProgressRow *out, Err *err)
{
    static const char sql[] = "SELECT " PROGRESS_COLS " FROM quest_progress WHERE character_id = ? AND quest_id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_int64(st, 2, quest_id);
    char missing[96];
    snprintf(missing, sizeof missing, "progress of character %lld on quest %lld", (long long)character_id,
             (long long)quest_id);
    return save_get_row(s, st, read_progress, out, err, "reading quest progress", missing);
}

int progress_count_for_quest(Save *s, int64_t quest_id, int64_t *count, Err *err)
{
    static const char sql[] = "SELECT count(*) FROM quest_progress WHERE quest_id = ?";
    *count = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, quest_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *count = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? MA_OK : save_db_error(s, rc, err, "counting who took a quest");
}

int progress_list(Save *s, int64_t character_id, const char *status, ProgressRow **out, int *n, Err *err)
{
    static const char sql[] =
        "SELECT " PROGRESS_COLS " FROM quest_progress WHERE character_id = ?1 AND (?2 IS NULL OR status = ?2) "
        "ORDER BY started_at, id";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, character_id);
    save_bind_text(st, 2, status);
    void *rows;
    int rc = save_collect_rows(s, st, sizeof **out, read_progress, clear_progress, &rows, n, err,
                     "listing a character's quests");
    *out = rows;
    return rc;
}

void progress_list_free(ProgressRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        progress_row_clear(&rows[i]);
    free(rows);
}

/* After a guarded UPDATE changed nothing: says why (never started, or in
 * which status it is), with code for the "not active" case. */
static int explain_not_active(Save *s, int64_t character_id, int64_t quest_id, Err *err, const char *what, int code)
{
    static const char sql[] = "SELECT status, completed_at FROM quest_progress WHERE character_id = ? AND quest_id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_int64(st, 2, quest_id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return err_set(err, MA_ERR_NOT_FOUND, "%s: %s: the character has not started this quest", s->path, what);
        return save_db_error(s, rc, err, what);
    }
    char status[16], completed_at[32];
    save_col_copy(st, 0, status, sizeof status);
    save_col_copy(st, 1, completed_at, sizeof completed_at);
    sqlite3_reset(st);
    if (strcmp(status, "completed") == 0)
        return err_set(err, code, "%s: %s: the quest was already completed at %s, and its rewards recorded then",
                       s->path, what, completed_at);
    return err_set(err, code, "%s: %s: the quest is %s, no longer active", s->path, what, status);
}

int progress_update(Save *s, int64_t character_id, int64_t quest_id, const cJSON *progress_data, Err *err)
{
    static const char sql[] =
        "UPDATE quest_progress SET progress_data = ? WHERE character_id = ? AND quest_id = ? AND status = 'active'";
    char what[112];
    snprintf(what, sizeof what, "updating the progress of character %lld on quest %lld", (long long)character_id,
             (long long)quest_id);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    save_bind_json(st, 1, progress_data, "{}");
    sqlite3_bind_int64(st, 2, character_id);
    sqlite3_bind_int64(st, 3, quest_id);
    int rc = save_step_done(s, st, err, what);
    if (rc == MA_OK && sqlite3_changes(s->db) == 0)
        return explain_not_active(s, character_id, quest_id, err, what, MA_ERR_INVALID);
    return rc;
}

int progress_complete(Save *s, int64_t character_id, int64_t quest_id, const char *completed_at,
                      const cJSON *rewards_earned, Err *err)
{
    static const char sql[] =
        "UPDATE quest_progress SET status = 'completed', "
        "completed_at = COALESCE(?, " NOW_SQL "), rewards_earned = ? "
        "WHERE character_id = ? AND quest_id = ? AND status = 'active'";
    char what[96];
    snprintf(what, sizeof what, "completing quest %lld for character %lld", (long long)quest_id,
             (long long)character_id);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    if (save_bind_time(s, st, 1, completed_at, err, what, "completed_at") != MA_OK)
        return save_failed(err);
    save_bind_json(st, 2, rewards_earned, "[]");
    sqlite3_bind_int64(st, 3, character_id);
    sqlite3_bind_int64(st, 4, quest_id);
    int rc = save_step_done(s, st, err, what);
    if (rc == MA_OK && sqlite3_changes(s->db) == 0)
        return explain_not_active(s, character_id, quest_id, err, what, MA_ERR_CONSTRAINT);
    return rc;
}

/* Moves an active quest to status (failed, abandoned, expired). */
static int progress_end(Save *s, int64_t character_id, int64_t quest_id, const char *status, const char *verb,
                        Err *err)
{
    static const char sql[] =
        "UPDATE quest_progress SET status = ? WHERE character_id = ? AND quest_id = ? AND status = 'active'";
    char what[96];
    snprintf(what, sizeof what, "%s quest %lld for character %lld", verb, (long long)quest_id,
             (long long)character_id);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, character_id);
    sqlite3_bind_int64(st, 3, quest_id);
    int rc = save_step_done(s, st, err, what);
    if (rc == MA_OK && sqlite3_changes(s->db) == 0)
        return explain_not_active(s, character_id, quest_id, err, what, MA_ERR_CONSTRAINT);
    return rc;
}

int progress_fail(Save *s, int64_t character_id, int64_t quest_id, Err *err)
{
    return progress_end(s, character_id, quest_id, "failed", "failing", err);
}

int progress_abandon(Save *s, int64_t character_id, int64_t quest_id, Err *err)
{
    return progress_end(s, character_id, quest_id, "abandoned", "abandoning", err);
}

int progress_expire(Save *s, int64_t character_id, int64_t quest_id, Err *err)
{
    return progress_end(s, character_id, quest_id, "expired", "expiring", err);
}

int progress_expire_due(Save *s, const char *as_of, int64_t *expired, Err *err)
{
    static const char sql[] =
        "UPDATE quest_progress SET status = 'expired' WHERE status = 'active' AND quest_id IN "
        "(SELECT id FROM quests WHERE expires_at IS NOT NULL AND expires_at <= ?)";
    const char *what = "expiring quests past their time";
    if (expired)
        *expired = 0;
    if (!as_of || !as_of[0])
        return err_set(err, MA_ERR_INVALID, "%s: %s: no time given", s->path, what);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    if (save_bind_time(s, st, 1, as_of, err, what, "the time") != MA_OK)
        return save_failed(err);
    int rc = save_step_done(s, st, err, what);
    if (rc == MA_OK && expired)
        *expired = sqlite3_changes(s->db);
    return rc;
}
