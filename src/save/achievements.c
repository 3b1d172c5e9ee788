/* achievements.c — the achievements table (see achievements.h).
 *
 * Every statement is static text prepared once per Save through save_stmt.
 * Unlocking is INSERT ... ON CONFLICT DO NOTHING: a second unlock of the same
 * achievement writes nothing and is told apart by the missing RETURNING row,
 * not by parsing SQLite's error text. */
#include "save/achievements.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/save_internal.h"

#define ACHIEVEMENT_COLS "id, user_id, achievement_name, description, points, unlock_data, unlocked_at"

void achievement_row_clear(AchievementRow *a)
{
    if (!a)
        return;
    cJSON_Delete(a->unlock_data);
    a->unlock_data = NULL;
}

static void read_achievement(sqlite3_stmt *st, AchievementRow *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    a->user_id = sqlite3_column_int64(st, 1);
    save_col_copy(st, 2, a->achievement_name, sizeof a->achievement_name);
    save_col_copy(st, 3, a->description, sizeof a->description);
    a->points = sqlite3_column_int(st, 4);
    a->unlock_data = save_col_json(st, 5);
    save_col_copy(st, 6, a->unlocked_at, sizeof a->unlocked_at);
}

int achievements_unlock(Save *s, AchievementRow *a, int *already_earned, Err *err)
{
    static const char sql[] =
        "INSERT INTO achievements (user_id, achievement_name, description, points, unlock_data) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, achievement_name) DO NOTHING "
        "RETURNING id, unlocked_at";
    if (already_earned)
        *already_earned = 0;
    char doing[128];
    snprintf(doing, sizeof doing, "unlocking '%s' for user %lld", a->achievement_name, (long long)a->user_id);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, a->user_id);
    sqlite3_bind_text(st, 2, a->achievement_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, a->description, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, a->points);
    if (save_bind_json(st, 5, a->unlock_data, "{}") != SQLITE_OK)
        return err_set(err, MA_ERR_NOMEM, "%s: out of memory %s", s->path, doing);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        a->id = sqlite3_column_int64(st, 0);
        save_col_copy(st, 1, a->unlocked_at, sizeof a->unlocked_at);
        sqlite3_reset(st);
        return MA_OK;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        if (already_earned)
            *already_earned = 1;
        return err_set(err, MA_ERR_CONSTRAINT, "%s: user %lld has already earned '%s'", s->path,
                       (long long)a->user_id, a->achievement_name);
    }
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return err_set(err, MA_ERR_CONSTRAINT, "%s: %s: there is no user with id %lld", s->path, doing,
                       (long long)a->user_id);
    return save_db_error(s, rc, err, doing);
}

int achievements_get(Save *s, int64_t user_id, const char *name, AchievementRow *out, Err *err)
{
    static const char sql[] =
        "SELECT " ACHIEVEMENT_COLS " FROM achievements WHERE user_id = ? AND achievement_name = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_achievement(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return MA_OK;
    if (rc == SQLITE_DONE)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: user %lld has not earned '%.64s'", s->path, (long long)user_id,
                       name);
    return save_db_error(s, rc, err, "reading an achievement");
}

int achievements_has(Save *s, int64_t user_id, const char *name, int *has, Err *err)
{
    static const char sql[] =
        "SELECT EXISTS (SELECT 1 FROM achievements WHERE user_id = ? AND achievement_name = ?)";
    *has = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *has = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? MA_OK : save_db_error(s, rc, err, "checking for an achievement");
}

int achievements_total_points(Save *s, int64_t user_id, int64_t *total, Err *err)
{
    static const char sql[] = "SELECT COALESCE(sum(points), 0) FROM achievements WHERE user_id = ?";
    *total = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, user_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *total = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? MA_OK : save_db_error(s, rc, err, "adding up achievement points");
}

int achievements_revoke(Save *s, int64_t id, Err *err)
{
    static const char sql[] = "DELETE FROM achievements WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    if (save_step_done(s, st, err, "revoking an achievement") != MA_OK)
        return save_failed(err);
    if (sqlite3_changes(s->db) == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no achievement with id %lld to revoke", s->path,
                       (long long)id);
    return MA_OK;
}

int achievements_list(Save *s, int64_t user_id, AchievementRow **out, int *n, Err *err)
{
    static const char sql[] =
        "SELECT " ACHIEVEMENT_COLS " FROM achievements WHERE user_id = ? ORDER BY unlocked_at, id";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, user_id);
    AchievementRow *rows = NULL;
    int count = 0, cap = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 8;
            AchievementRow *grown = realloc(rows, (size_t)cap * sizeof *rows);
            if (!grown) {
                sqlite3_reset(st);
                achievements_list_free(rows, count);
                return err_set(err, MA_ERR_NOMEM, "%s: out of memory listing the achievements of user %lld",
                               s->path, (long long)user_id);
            }
            rows = grown;
        }
        read_achievement(st, &rows[count++]);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        achievements_list_free(rows, count);
        return save_db_error(s, rc, err, "listing achievements");
    }
    *out = rows;
    *n = count;
    return MA_OK;
}

void achievements_list_free(AchievementRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        achievement_row_clear(&rows[i]);
    free(rows);
}
