/* synclog.c — the sync tables (see synclog.h and data/migrations/009_sync.sql). */
#include "save/synclog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/save_internal.h"

/* ------------------------------------------------------------ accounts */

int synclog_account_put(Save *s, const char *server_url, const char *username, int64_t remote_user_id,
                        const char *token, const char *expires_at, int64_t *id, Err *err)
{
    static const char sql[] =
        "INSERT INTO sync_accounts (server_url, username, remote_user_id, token, expires_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (server_url, username) DO UPDATE SET remote_user_id = excluded.remote_user_id, "
        "token = excluded.token, expires_at = excluded.expires_at, logged_in_at = " NOW_SQL " RETURNING id";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_text(st, 1, server_url, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, username, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, remote_user_id);
    sqlite3_bind_text(st, 4, token ? token : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, expires_at ? expires_at : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && id)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return save_write_error(s, rc, err, "keeping the sync account", "account");
    return MA_OK;
}

int synclog_account_ensure(Save *s, const char *server_url, const char *username, int64_t *id, Err *err)
{
    static const char sql[] = "INSERT INTO sync_accounts (server_url, username) VALUES (?, ?) "
                              "ON CONFLICT (server_url, username) DO UPDATE SET username = excluded.username "
                              "RETURNING id";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_text(st, 1, server_url, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, username, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && id)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return save_write_error(s, rc, err, "keeping the sync account", "account");
    return MA_OK;
}

#define ACCOUNT_COLS "id, server_url, username, remote_user_id, token, expires_at, logged_in_at"

static void read_account(sqlite3_stmt *st, void *row)
{
    SyncAccount *a = row;
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, a->server_url, sizeof a->server_url);
    save_col_copy(st, 2, a->username, sizeof a->username);
    a->remote_user_id = sqlite3_column_int64(st, 3);
    save_col_copy(st, 4, a->token, sizeof a->token);
    save_col_copy(st, 5, a->expires_at, sizeof a->expires_at);
    save_col_copy(st, 6, a->logged_in_at, sizeof a->logged_in_at);
}

int synclog_account_get(Save *s, int64_t id, SyncAccount *out, Err *err)
{
    static const char sql[] = "SELECT " ACCOUNT_COLS " FROM sync_accounts WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    return save_get_row(s, st, read_account, out, err, "reading a sync account", "such sync account");
}

int synclog_account_find(Save *s, const char *server_url, const char *username, SyncAccount *out, Err *err)
{
    static const char sql[] = "SELECT " ACCOUNT_COLS " FROM sync_accounts WHERE (?1 IS NULL OR server_url = ?1) "
                              "AND (?2 IS NULL OR username = ?2) ORDER BY token = '', logged_in_at DESC, id DESC LIMIT 1";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    save_bind_text(st, 1, server_url);
    save_bind_text(st, 2, username);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_account(st, out);
        sqlite3_reset(st);
        return MA_OK;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return save_db_error(s, rc, err, "reading the sync accounts");
    if (server_url)
        return err_set(err, MA_ERR_NOT_FOUND, "%s has no sign-in to the sync server %s%s%s: run `magic-adventure sync "
                       "login --server %s --user NAME` first", s->path, server_url, username ? " as " : "",
                       username ? username : "", server_url);
    return err_set(err, MA_ERR_NOT_FOUND, "%s has no sign-in to a sync server: run `magic-adventure sync login "
                   "--server URL --user NAME` first", s->path);
}

int synclog_account_forget_token(Save *s, int64_t id, Err *err)
{
    static const char sql[] = "UPDATE sync_accounts SET token = '', expires_at = '' WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    return save_step_done(s, st, err, "forgetting a sync token");
}

/* ------------------------------------------------------------ synced worlds */

int synclog_world_add(Save *s, const SyncWorld *w, Err *err)
{
    static const char sql[] =
        "INSERT INTO sync_worlds (world_id, account_id, remote_id, user_id, cursor) VALUES (?, ?, ?, ?, ?)";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, w->world_id);
    sqlite3_bind_int64(st, 2, w->account_id);
    sqlite3_bind_int64(st, 3, w->remote_id);
    if (w->user_id > 0)
        sqlite3_bind_int64(st, 4, w->user_id);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_int64(st, 5, w->cursor);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return save_write_error(s, rc, err, "marking the world as synced", "world or account");
    return MA_OK;
}

static void read_world(sqlite3_stmt *st, void *row)
{
    SyncWorld *w = row;
    memset(w, 0, sizeof *w);
    w->world_id = sqlite3_column_int64(st, 0);
    w->account_id = sqlite3_column_int64(st, 1);
    w->remote_id = sqlite3_column_int64(st, 2);
    w->user_id = sqlite3_column_int64(st, 3);
    w->cursor = sqlite3_column_int64(st, 4);
    save_col_copy(st, 5, w->last_sync_at, sizeof w->last_sync_at);
    save_col_copy(st, 6, w->last_try_at, sizeof w->last_try_at);
    save_col_copy(st, 7, w->last_error, sizeof w->last_error);
}

int synclog_world_get(Save *s, int64_t world_id, SyncWorld *out, Err *err)
{
    static const char sql[] = "SELECT world_id, account_id, remote_id, user_id, cursor, last_sync_at, last_try_at, "
                              "last_error FROM sync_worlds WHERE world_id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    return save_get_row(s, st, read_world, out, err, "reading a synced world",
                        "sync for this world (share it with `magic-adventure sync share --world NAME`)");
}

int synclog_world_is_synced(Save *s, int64_t world_id, Err *err)
{
    static const char sql[] = "SELECT 1 FROM sync_worlds WHERE world_id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return save_db_error(s, rc, err, "reading the synced worlds");
}

int synclog_world_set_cursor(Save *s, int64_t world_id, int64_t cursor, Err *err)
{
    static const char sql[] = "UPDATE sync_worlds SET cursor = ? WHERE world_id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, cursor);
    sqlite3_bind_int64(st, 2, world_id);
    return save_step_done(s, st, err, "moving the pull cursor");
}

int synclog_world_note(Save *s, int64_t world_id, const char *error, Err *err)
{
    static const char sql[] =
        "UPDATE sync_worlds SET last_try_at = " NOW_SQL ", last_error = ?2, "
        "last_sync_at = CASE WHEN ?2 = '' THEN " NOW_SQL " ELSE last_sync_at END WHERE world_id = ?1";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_text(st, 2, error ? error : "", -1, SQLITE_STATIC);
    return save_step_done(s, st, err, "noting a sync");
}

int synclog_world_applying(Save *s, int64_t world_id, int on, Err *err)
{
    static const char sql[] = "UPDATE sync_worlds SET applying = ? WHERE world_id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int(st, 1, on ? 1 : 0);
    sqlite3_bind_int64(st, 2, world_id);
    return save_step_done(s, st, err, "marking a sync being written");
}

/* ------------------------------------------------------------ the change log */

void synclog_row_clear(SyncLogRow *r)
{
    if (!r)
        return;
    cJSON_Delete(r->body);
    r->body = NULL;
}

#define LOG_COLS "id, world_id, op_id, kind, ref, base_version, body, sent, created_at"

static void read_log(sqlite3_stmt *st, void *row)
{
    SyncLogRow *r = row;
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->world_id = sqlite3_column_int64(st, 1);
    save_col_copy(st, 2, r->op_id, sizeof r->op_id);
    save_col_copy(st, 3, r->kind, sizeof r->kind);
    save_col_copy(st, 4, r->ref, sizeof r->ref);
    r->base_version = sqlite3_column_int64(st, 5);
    r->body = sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL : save_col_json(st, 6);
    r->sent = sqlite3_column_int(st, 7);
    save_col_copy(st, 8, r->created_at, sizeof r->created_at);
}

static void clear_log(void *row) { synclog_row_clear(row); }

int synclog_list(Save *s, int64_t world_id, int sent, SyncLogRow **out, int *n, Err *err)
{
    static const char sql[] = "SELECT " LOG_COLS " FROM sync_log WHERE world_id = ?1 AND (?2 < 0 OR sent = ?2) "
                              "ORDER BY id";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_int(st, 2, sent);
    void *rows = NULL;
    int rc = save_collect_rows(s, st, sizeof(SyncLogRow), read_log, clear_log, &rows, n, err, "reading the change log");
    *out = rows;
    return rc;
}

void synclog_rows_free(SyncLogRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        synclog_row_clear(&rows[i]);
    free(rows);
}

int synclog_count(Save *s, int64_t world_id, int *waiting, int *sent, Err *err)
{
    static const char sql[] = "SELECT coalesce(sum(sent = 0), 0), coalesce(sum(sent = 1), 0) FROM sync_log "
                              "WHERE world_id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (waiting)
            *waiting = sqlite3_column_int(st, 0);
        if (sent)
            *sent = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? MA_OK : save_db_error(s, rc, err, "counting the change log");
}

int synclog_count_kinds(Save *s, int64_t world_id, void (*fn)(const char *kind, int waiting, int sent, void *ud),
                        void *ud, Err *err)
{
    static const char sql[] = "SELECT kind, sum(sent = 0), sum(sent = 1) FROM sync_log WHERE world_id = ? "
                              "GROUP BY kind ORDER BY min(id)";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn((const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1), sqlite3_column_int(st, 2), ud);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? MA_OK : save_db_error(s, rc, err, "counting the change log");
}

int synclog_has_op(Save *s, int64_t world_id, const char *kind, const char *ref, Err *err)
{
    static const char sql[] = "SELECT 1 FROM sync_log WHERE world_id = ? AND kind = ? AND ref = ? LIMIT 1";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, ref, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : save_db_error(s, rc, err, "reading the change log");
}

int synclog_seal(Save *s, int64_t log_id, const cJSON *op, Err *err)
{
    static const char sql[] = "UPDATE sync_log SET body = ?, sent = 1 WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    if (save_bind_json(st, 1, op, "{}") != SQLITE_OK) {
        sqlite3_reset(st);
        return err_set(err, MA_ERR_NOMEM, "%s: out of memory sealing an op", s->path);
    }
    sqlite3_bind_int64(st, 2, log_id);
    return save_step_done(s, st, err, "sealing an op of the change log");
}

int synclog_drop(Save *s, int64_t log_id, Err *err)
{
    static const char sql[] = "DELETE FROM sync_log WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, log_id);
    return save_step_done(s, st, err, "taking an answered op off the change log");
}

int synclog_find_op(Save *s, int64_t world_id, const char *op_id, SyncLogRow *out, Err *err)
{
    static const char sql[] = "SELECT " LOG_COLS " FROM sync_log WHERE world_id = ? AND op_id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_text(st, 2, op_id, -1, SQLITE_STATIC);
    return save_get_row(s, st, read_log, out, err, "reading the change log", "such op waiting");
}

int synclog_add(Save *s, int64_t world_id, const char *kind, const char *ref, int64_t base_version, const cJSON *body,
                Err *err)
{
    static const char sql[] =
        "INSERT OR IGNORE INTO sync_log (world_id, kind, ref, base_version, body) VALUES (?, ?, ?, ?, ?)";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, ref, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, base_version);
    if (body) {
        if (save_bind_json(st, 5, body, "{}") != SQLITE_OK) {
            sqlite3_reset(st);
            return err_set(err, MA_ERR_NOMEM, "%s: out of memory recording a change", s->path);
        }
    } else {
        sqlite3_bind_null(st, 5);
    }
    return save_step_done(s, st, err, "recording a change for sync");
}

/* ------------------------------------------------------------ chunk edits */

static cJSON *find_xyz(cJSON *list, int x, int y, int z)
{
    cJSON *e;
    cJSON_ArrayForEach(e, list) {
        if (cJSON_GetObjectItemCaseSensitive(e, "x")->valueint == x &&
            cJSON_GetObjectItemCaseSensitive(e, "y")->valueint == y &&
            cJSON_GetObjectItemCaseSensitive(e, "z")->valueint == z)
            return e;
    }
    return NULL;
}

static cJSON *xyz_object(int x, int y, int z)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "x", x);
    cJSON_AddNumberToObject(o, "y", y);
    cJSON_AddNumberToObject(o, "z", z);
    return o;
}

static void replace_value(cJSON *o, const char *name, const cJSON *v)
{
    cJSON *copy = v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull();
    if (cJSON_GetObjectItemCaseSensitive(o, name))
        cJSON_ReplaceItemInObjectCaseSensitive(o, name, copy);
    else
        cJSON_AddItemToObject(o, name, copy);
}

/* A JSON value or null: metadata of none is null on the wire. */
static int same_json(const cJSON *a, const cJSON *b)
{
    int an = !a || cJSON_IsNull(a), bn = !b || cJSON_IsNull(b);
    if (an || bn)
        return an && bn;
    return cJSON_Compare(a, b, 1);
}

int synclog_record_chunk(Save *s, int64_t world_id, int32_t cx, int32_t cy, int32_t cz, const SyncBlockChange *blocks,
                         int n_blocks, const SyncMetaChange *meta, int n_meta, Err *err)
{
    static const char q_world[] = "SELECT applying FROM sync_worlds WHERE world_id = ?";
    static const char q_waiting[] = "SELECT id, body FROM sync_log WHERE world_id = ? AND kind = 'chunk_edit' "
                                    "AND ref = ? AND sent = 0";
    static const char q_update[] = "UPDATE sync_log SET body = ? WHERE id = ?";
    static const char q_delete[] = "DELETE FROM sync_log WHERE id = ?";
    static const char q_insert[] =
        "INSERT INTO sync_log (world_id, kind, ref, base_version, body) VALUES (?, 'chunk_edit', ?, "
        "coalesce((SELECT version FROM sync_rows WHERE world_id = ?1 AND kind = 'chunk' AND key = ?2), 0), ?)";
    if (n_blocks == 0 && n_meta == 0)
        return MA_OK;
    sqlite3_stmt *st = save_stmt(s, q_world, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    int rc = sqlite3_step(st);
    int applying = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 1;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return save_db_error(s, rc, err, "reading the synced worlds");
    if (applying)
        return MA_OK; /* not synced, or the server's own changes being written */

    char ref[48];
    snprintf(ref, sizeof ref, "%d,%d,%d", cx, cy, cz);
    st = save_stmt(s, q_waiting, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    int64_t log_id = 0;
    cJSON *body = NULL;
    if (rc == SQLITE_ROW) {
        log_id = sqlite3_column_int64(st, 0);
        body = save_col_json(st, 1);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return save_db_error(s, rc, err, "reading the change log");
    if (!body)
        body = cJSON_CreateObject();
    cJSON *bl = cJSON_GetObjectItemCaseSensitive(body, "blocks");
    if (!cJSON_IsArray(bl)) {
        cJSON_DeleteItemFromObjectCaseSensitive(body, "blocks");
        bl = cJSON_AddArrayToObject(body, "blocks");
    }
    cJSON *ml = cJSON_GetObjectItemCaseSensitive(body, "meta");
    if (!cJSON_IsArray(ml)) {
        cJSON_DeleteItemFromObjectCaseSensitive(body, "meta");
        ml = cJSON_AddArrayToObject(body, "meta");
    }
    for (int i = 0; i < n_blocks; i++) {
        const SyncBlockChange *b = &blocks[i];
        cJSON *e = find_xyz(bl, b->x, b->y, b->z);
        if (e) {
            const cJSON *from = cJSON_GetObjectItemCaseSensitive(e, "from");
            if (cJSON_IsString(from) && strcmp(from->valuestring, b->to) == 0)
                cJSON_Delete(cJSON_DetachItemViaPointer(bl, e)); /* back where it started: nothing to send */
            else
                cJSON_ReplaceItemInObjectCaseSensitive(e, "to", cJSON_CreateString(b->to));
        } else {
            e = xyz_object(b->x, b->y, b->z);
            cJSON_AddStringToObject(e, "from", b->from);
            cJSON_AddStringToObject(e, "to", b->to);
            cJSON_AddItemToArray(bl, e);
        }
    }
    for (int i = 0; i < n_meta; i++) {
        const SyncMetaChange *m = &meta[i];
        cJSON *e = find_xyz(ml, m->x, m->y, m->z);
        if (e) {
            if (same_json(cJSON_GetObjectItemCaseSensitive(e, "from"), m->to))
                cJSON_Delete(cJSON_DetachItemViaPointer(ml, e));
            else
                replace_value(e, "to", m->to);
        } else {
            e = xyz_object(m->x, m->y, m->z);
            replace_value(e, "from", m->from);
            replace_value(e, "to", m->to);
            cJSON_AddItemToArray(ml, e);
        }
    }
    int empty = cJSON_GetArraySize(bl) == 0 && cJSON_GetArraySize(ml) == 0;
    if (empty && log_id == 0) {
        cJSON_Delete(body);
        return MA_OK;
    }
    if (empty) {
        cJSON_Delete(body);
        st = save_stmt(s, q_delete, err);
        if (!st)
            return save_failed(err);
        sqlite3_bind_int64(st, 1, log_id);
        return save_step_done(s, st, err, "recording a chunk edit");
    }
    st = save_stmt(s, log_id ? q_update : q_insert, err);
    if (!st) {
        cJSON_Delete(body);
        return save_failed(err);
    }
    int bind_rc;
    if (log_id) {
        bind_rc = save_bind_json(st, 1, body, "{}");
        sqlite3_bind_int64(st, 2, log_id);
    } else {
        sqlite3_bind_int64(st, 1, world_id);
        sqlite3_bind_text(st, 2, ref, -1, SQLITE_TRANSIENT);
        bind_rc = save_bind_json(st, 3, body, "{}");
    }
    cJSON_Delete(body);
    if (bind_rc != SQLITE_OK) {
        sqlite3_reset(st);
        return err_set(err, MA_ERR_NOMEM, "%s: out of memory recording a chunk edit", s->path);
    }
    return save_step_done(s, st, err, "recording a chunk edit");
}

/* ------------------------------------------------------------ keys and versions */

int synclog_key_get(Save *s, int64_t character_id, char key[65], int64_t *version, Err *err)
{
    static const char sql[] = "SELECT key, version FROM sync_keys WHERE character_id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, character_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (key)
            save_col_copy(st, 0, key, 65);
        if (version)
            *version = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return MA_OK;
    if (rc == SQLITE_DONE)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: character %lld has no sync key yet", s->path, (long long)character_id);
    return save_db_error(s, rc, err, "reading a character's sync key");
}

int synclog_key_set(Save *s, int64_t character_id, int64_t world_id, const char *key, int64_t version, Err *err)
{
    static const char sql[] = "INSERT INTO sync_keys (character_id, world_id, key, version) VALUES (?, ?, ?, ?) "
                              "ON CONFLICT (character_id) DO UPDATE SET key = excluded.key, version = excluded.version";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_int64(st, 2, world_id);
    sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, version);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return save_write_error(s, rc, err, "keeping a character's sync key", "character");
    return MA_OK;
}

int synclog_key_find(Save *s, int64_t world_id, const char *key, int64_t *character_id, int64_t *version, Err *err)
{
    static const char sql[] = "SELECT character_id, version FROM sync_keys WHERE world_id = ? AND key = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (character_id)
            *character_id = sqlite3_column_int64(st, 0);
        if (version)
            *version = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return MA_OK;
    if (rc == SQLITE_DONE)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: no character has the sync key '%s'", s->path, key);
    return save_db_error(s, rc, err, "reading the sync keys");
}

int synclog_version_get(Save *s, int64_t world_id, const char *kind, const char *key, int64_t *version, Err *err)
{
    static const char sql[] = "SELECT version FROM sync_rows WHERE world_id = ? AND kind = ? AND key = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *version = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? MA_OK : save_db_error(s, rc, err, "reading the synced versions");
}

int synclog_version_set(Save *s, int64_t world_id, const char *kind, const char *key, int64_t version, Err *err)
{
    static const char sql[] = "INSERT INTO sync_rows (world_id, kind, key, version) VALUES (?, ?, ?, ?) "
                              "ON CONFLICT (world_id, kind, key) DO UPDATE SET version = excluded.version";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, version);
    return save_step_done(s, st, err, "keeping a synced version");
}

/* ------------------------------------------------------------ conflicts */

void synclog_conflict_clear(SyncConflict *c)
{
    if (!c)
        return;
    cJSON_Delete(c->detail);
    c->detail = NULL;
}

int synclog_conflict_add(Save *s, int64_t world_id, const char *op_id, const char *kind, const char *place,
                         const cJSON *detail, Err *err)
{
    static const char sql[] =
        "INSERT INTO sync_conflicts (world_id, op_id, kind, place, detail) VALUES (?, ?, ?, ?, ?)";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_text(st, 2, op_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, place, -1, SQLITE_STATIC);
    if (save_bind_json(st, 5, detail, "{}") != SQLITE_OK) {
        sqlite3_reset(st);
        return err_set(err, MA_ERR_NOMEM, "%s: out of memory keeping a conflict", s->path);
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return save_write_error(s, rc, err, "keeping a sync conflict", "world");
    return MA_OK;
}

#define CONFLICT_COLS "id, world_id, op_id, kind, place, detail, status, created_at, resolved_at"

static void read_conflict(sqlite3_stmt *st, void *row)
{
    SyncConflict *c = row;
    memset(c, 0, sizeof *c);
    c->id = sqlite3_column_int64(st, 0);
    c->world_id = sqlite3_column_int64(st, 1);
    save_col_copy(st, 2, c->op_id, sizeof c->op_id);
    save_col_copy(st, 3, c->kind, sizeof c->kind);
    save_col_copy(st, 4, c->place, sizeof c->place);
    c->detail = save_col_json(st, 5);
    save_col_copy(st, 6, c->status, sizeof c->status);
    save_col_copy(st, 7, c->created_at, sizeof c->created_at);
    save_col_copy(st, 8, c->resolved_at, sizeof c->resolved_at);
}

static void clear_conflict(void *row) { synclog_conflict_clear(row); }

int synclog_conflicts(Save *s, int64_t world_id, int open_only, SyncConflict **out, int *n, Err *err)
{
    static const char sql[] = "SELECT " CONFLICT_COLS " FROM sync_conflicts WHERE world_id = ?1 "
                              "AND (?2 = 0 OR status = 'open') ORDER BY id";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_int(st, 2, open_only);
    void *rows = NULL;
    int rc = save_collect_rows(s, st, sizeof(SyncConflict), read_conflict, clear_conflict, &rows, n, err,
                               "reading the sync conflicts");
    *out = rows;
    return rc;
}

void synclog_conflicts_free(SyncConflict *rows, int n)
{
    for (int i = 0; i < n; i++)
        synclog_conflict_clear(&rows[i]);
    free(rows);
}

int synclog_conflict_get(Save *s, int64_t id, SyncConflict *out, Err *err)
{
    static const char sql[] = "SELECT " CONFLICT_COLS " FROM sync_conflicts WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    return save_get_row(s, st, read_conflict, out, err, "reading a sync conflict", "conflict with that number");
}

int synclog_conflict_resolve(Save *s, int64_t id, const char *status, Err *err)
{
    static const char sql[] = "UPDATE sync_conflicts SET status = ?, resolved_at = " NOW_SQL " WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    return save_step_done(s, st, err, "resolving a sync conflict");
}

int synclog_conflict_count(Save *s, int64_t world_id, Err *err)
{
    static const char sql[] = "SELECT count(*) FROM sync_conflicts WHERE world_id = ? AND status = 'open'";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    int rc = sqlite3_step(st);
    int n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? n : save_db_error(s, rc, err, "counting the sync conflicts");
}

/* ------------------------------------------------------------ entries */

int synclog_entry_add(Save *s, int64_t world_id, const char *kind, const char *entry, int64_t local_id,
                      const cJSON *data, Err *err)
{
    static const char sql[] =
        "INSERT OR IGNORE INTO sync_entries (world_id, kind, entry, local_id, data) VALUES (?, ?, ?, ?, ?)";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, entry, -1, SQLITE_STATIC);
    if (local_id > 0)
        sqlite3_bind_int64(st, 4, local_id);
    else
        sqlite3_bind_null(st, 4);
    if (save_bind_json(st, 5, data, "{}") != SQLITE_OK) {
        sqlite3_reset(st);
        return err_set(err, MA_ERR_NOMEM, "%s: out of memory keeping an entry", s->path);
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return save_write_error(s, rc, err, "keeping a synced entry", "world");
    return sqlite3_changes(s->db) > 0 ? 1 : 0;
}

int synclog_entry_count(Save *s, int64_t world_id, int64_t *remote, Err *err)
{
    static const char sql[] = "SELECT count(*) FROM sync_entries WHERE world_id = ? AND local_id IS NULL";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    int rc = sqlite3_step(st);
    *remote = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? MA_OK : save_db_error(s, rc, err, "counting synced entries");
}
