/* users.c — the users and sessions tables (see users.h).
 *
 * Every statement is static text prepared once per Save through save_stmt.
 * Times from callers go through canon_time so that the text comparisons in
 * SQL (expires_at > now) compare instants, whatever form the caller used. */
#include "save/users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/save_internal.h"
#include "util/sha256.h"
#include "util/timeutil.h"

#define USER_COLS "id, username, email, password_hash, profile, created_at, updated_at, is_active, last_login"
#define SESSION_COLS "id, user_id, session_token, session_data, created_at, expires_at, is_active"

static int is_unique_error(Save *s, int rc, const char *column)
{
    return (rc & 0xff) == SQLITE_CONSTRAINT && strstr(sqlite3_errmsg(s->db), "UNIQUE") &&
           strstr(sqlite3_errmsg(s->db), column);
}

static int is_fk_error(int rc)
{
    return rc == SQLITE_CONSTRAINT_FOREIGNKEY;
}

/* Rewrites an ISO time in the save's canonical form; MA_ERR_INVALID when
 * text does not read as one. */
static int canon_time(Save *s, const char *text, const char *field, char out[TIME_ISO_LEN], Err *err)
{
    int64_t ms = time_parse_iso(text);
    if (ms < 0)
        return err_set(err, MA_ERR_INVALID, "%s: %s '%s' is not an ISO-8601 UTC time (like 2026-11-27T03:17:40.123Z)",
                       s->path, field, text ? text : "(null)");
    time_iso(ms, out);
    return MA_OK;
}

/* ------------------------------------------------------------ reading rows */


/* ------------------------------------------------------------ users */

void user_row_clear(UserRow *u)
{
    if (!u)
        return;
    cJSON_Delete(u->profile);
    u->profile = NULL;
}

static void user_clear_any(void *row)
{
    user_row_clear(row);
}

static void read_user(sqlite3_stmt *st, void *row)
{
    UserRow *u = row;
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, u->username, sizeof u->username);
    save_col_copy(st, 2, u->email, sizeof u->email);
    save_col_copy(st, 3, u->password_hash, sizeof u->password_hash);
    u->profile = save_col_json(st, 4);
    save_col_copy(st, 5, u->created_at, sizeof u->created_at);
    save_col_copy(st, 6, u->updated_at, sizeof u->updated_at);
    u->is_active = sqlite3_column_int(st, 7);
    save_col_copy(st, 8, u->last_login, sizeof u->last_login);
}

/* The user's optional text columns: "" is stored as NULL. */
static void bind_optional(sqlite3_stmt *st, int i, const char *text)
{
    save_bind_text(st, i, text[0] ? text : NULL);
}

/* Turns a failed write of u into a message naming what was refused. */
static int user_write_error(Save *s, int rc, const UserRow *u, Err *err, const char *doing)
{
    if (is_unique_error(s, rc, "users.username"))
        return err_set(err, MA_ERR_CONSTRAINT, "%s: a user named '%s' already exists", s->path, u->username);
    if (is_unique_error(s, rc, "users.email"))
        return err_set(err, MA_ERR_CONSTRAINT, "%s: the email '%s' is already used by another user", s->path,
                       u->email);
    return save_db_error(s, rc, err, doing);
}

int users_insert(Save *s, UserRow *u, Err *err)
{
    static const char sql[] =
        "INSERT INTO users (username, email, password_hash, profile, is_active, last_login) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id, created_at, updated_at";
    char login[TIME_ISO_LEN] = "";
    int rc = save_check_name(s, u->username, err, "user name");
    if (rc != MA_OK)
        return rc;
    if (u->last_login[0] && canon_time(s, u->last_login, "last_login", login, err) != MA_OK)
        return save_failed(err);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_text(st, 1, u->username, -1, SQLITE_STATIC);
    bind_optional(st, 2, u->email);
    bind_optional(st, 3, u->password_hash);
    if (save_bind_json(st, 4, u->profile, "{}") != SQLITE_OK)
        return err_set(err, MA_ERR_NOMEM, "%s: out of memory adding user '%s'", s->path, u->username);
    sqlite3_bind_int(st, 5, u->is_active ? 1 : 0);
    bind_optional(st, 6, login);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        char doing[128];
        snprintf(doing, sizeof doing, "adding user '%s'", u->username);
        return user_write_error(s, rc, u, err, doing);
    }
    u->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, u->created_at, sizeof u->created_at);
    save_col_copy(st, 2, u->updated_at, sizeof u->updated_at);
    snprintf(u->last_login, sizeof u->last_login, "%s", login);
    sqlite3_reset(st);
    return MA_OK;
}

int users_get(Save *s, int64_t id, UserRow *out, Err *err)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    char what[64];
    snprintf(what, sizeof what, "user with id %lld", (long long)id);
    return save_get_one(s, st, read_user, out, err, what);
}

int users_get_by_username(Save *s, const char *username, UserRow *out, Err *err)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users WHERE username = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
    char what[96];
    snprintf(what, sizeof what, "user named '%.64s'", username);
    return save_get_one(s, st, read_user, out, err, what);
}

int users_update(Save *s, const UserRow *u, Err *err)
{
    static const char sql[] =
        "UPDATE users SET email = ?, password_hash = ?, profile = COALESCE(?, profile), is_active = ?, "
        "last_login = ? WHERE id = ?";
    char login[TIME_ISO_LEN] = "";
    if (u->last_login[0] && canon_time(s, u->last_login, "last_login", login, err) != MA_OK)
        return save_failed(err);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    bind_optional(st, 1, u->email);
    bind_optional(st, 2, u->password_hash);
    if (u->profile && save_bind_json(st, 3, u->profile, NULL) != SQLITE_OK)
        return err_set(err, MA_ERR_NOMEM, "%s: out of memory updating user %lld", s->path, (long long)u->id);
    sqlite3_bind_int(st, 4, u->is_active ? 1 : 0);
    bind_optional(st, 5, login);
    sqlite3_bind_int64(st, 6, u->id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        char doing[96];
        snprintf(doing, sizeof doing, "updating user %lld", (long long)u->id);
        return user_write_error(s, rc, u, err, doing);
    }
    if (sqlite3_changes(s->db) == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no user with id %lld", s->path, (long long)u->id);
    return MA_OK;
}

int users_set_last_login(Save *s, int64_t id, const char *when, Err *err)
{
    static const char sql[] = "UPDATE users SET last_login = COALESCE(?, " NOW_SQL ") WHERE id = ?";
    char at[TIME_ISO_LEN] = "";
    if (when && canon_time(s, when, "last_login", at, err) != MA_OK)
        return save_failed(err);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    save_bind_text(st, 1, when ? at : NULL);
    sqlite3_bind_int64(st, 2, id);
    if (save_step_done(s, st, err, "recording a login") != MA_OK)
        return save_failed(err);
    if (sqlite3_changes(s->db) == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no user with id %lld", s->path, (long long)id);
    return MA_OK;
}

int users_delete(Save *s, int64_t id, Err *err)
{
    static const char sql[] = "DELETE FROM users WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    if (save_step_done(s, st, err, "deleting a user") != MA_OK)
        return save_failed(err);
    if (sqlite3_changes(s->db) == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no user with id %lld to delete", s->path,
                       (long long)id);
    return MA_OK;
}

int users_list(Save *s, UserRow **out, int *n, Err *err)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users ORDER BY id";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    void *rows = NULL;
    int rc = save_collect_rows(s, st, sizeof **out, read_user, user_clear_any, &rows, n, err, "listing users");
    *out = rows;
    return rc;
}

void users_list_free(UserRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        user_row_clear(&rows[i]);
    free(rows);
}

/* ------------------------------------------------------------ sessions */

/* A session token is a bearer secret: the save keeps only its SHA-256 (hex),
 * so a copied save or backup hands out no live session. Lookups hash the
 * token they are given. A token is random (256 bits from auth.c), so a fast
 * unsalted hash is enough; passwords, which are guessable, use bcrypt. */
static const char *token_hash(const char *token, char out[SHA256_HEX_LEN])
{
    return sha256_hex(token, strlen(token), out);
}

void session_row_clear(SessionRow *r)
{
    if (!r)
        return;
    cJSON_Delete(r->session_data);
    r->session_data = NULL;
}

static void session_clear_any(void *row)
{
    session_row_clear(row);
}

static void read_session(sqlite3_stmt *st, void *row)
{
    SessionRow *r = row;
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->user_id = sqlite3_column_int64(st, 1);
    save_col_copy(st, 2, r->session_token, sizeof r->session_token);
    r->session_data = save_col_json(st, 3);
    save_col_copy(st, 4, r->created_at, sizeof r->created_at);
    save_col_copy(st, 5, r->expires_at, sizeof r->expires_at);
    r->is_active = sqlite3_column_int(st, 6);
}

int sessions_create(Save *s, SessionRow *r, Err *err)
{
    static const char sql[] =
        "INSERT INTO sessions (user_id, session_token, session_data, created_at, expires_at) "
        "VALUES (?, ?, ?, COALESCE(?, " NOW_SQL "), ?) RETURNING id, created_at, expires_at, is_active";
    char created[TIME_ISO_LEN] = "", expires[TIME_ISO_LEN], hash[SHA256_HEX_LEN];
    if (strlen(r->session_token) < 16)
        return err_set(err, MA_ERR_CONSTRAINT, "%s: cannot create a session for user %lld: a session_token must be "
                       "at least 16 bytes", s->path, (long long)r->user_id);
    if (r->created_at[0] && canon_time(s, r->created_at, "session created_at", created, err) != MA_OK)
        return save_failed(err);
    if (canon_time(s, r->expires_at, "session expires_at", expires, err) != MA_OK)
        return save_failed(err);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, r->user_id);
    sqlite3_bind_text(st, 2, token_hash(r->session_token, hash), -1, SQLITE_TRANSIENT);
    if (save_bind_json(st, 3, r->session_data, "{}") != SQLITE_OK)
        return err_set(err, MA_ERR_NOMEM, "%s: out of memory creating a session", s->path);
    bind_optional(st, 4, created);
    sqlite3_bind_text(st, 5, expires, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (is_unique_error(s, rc, "sessions.session_token"))
            return err_set(err, MA_ERR_CONSTRAINT, "%s: that session token is already in use", s->path);
        if (is_fk_error(rc))
            return err_set(err, MA_ERR_CONSTRAINT, "%s: cannot create a session for user %lld: there is no such user",
                           s->path, (long long)r->user_id);
        char doing[96];
        snprintf(doing, sizeof doing, "creating a session for user %lld", (long long)r->user_id);
        return save_db_error(s, rc, err, doing);
    }
    r->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, r->created_at, sizeof r->created_at);
    save_col_copy(st, 2, r->expires_at, sizeof r->expires_at);
    r->is_active = sqlite3_column_int(st, 3);
    sqlite3_reset(st);
    return MA_OK;
}

int sessions_get_by_token(Save *s, const char *token, SessionRow *out, Err *err)
{
    static const char sql[] = "SELECT " SESSION_COLS " FROM sessions WHERE session_token = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    char hash[SHA256_HEX_LEN];
    sqlite3_bind_text(st, 1, token_hash(token, hash), -1, SQLITE_TRANSIENT);
    /* The token is a secret: the message does not repeat it. */
    return save_get_one(s, st, read_session, out, err, "session with that token");
}

int sessions_list_active(Save *s, int64_t user_id, const char *now, SessionRow **out, int *n, Err *err)
{
    static const char sql[] =
        "SELECT " SESSION_COLS " FROM sessions "
        "WHERE user_id = ? AND is_active = 1 AND expires_at > COALESCE(?, " NOW_SQL ") "
        "ORDER BY created_at, id";
    *out = NULL;
    *n = 0;
    char at[TIME_ISO_LEN] = "";
    if (now && canon_time(s, now, "now", at, err) != MA_OK)
        return save_failed(err);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, user_id);
    save_bind_text(st, 2, now ? at : NULL);
    char what[96];
    snprintf(what, sizeof what, "listing the active sessions of user %lld", (long long)user_id);
    void *rows = NULL;
    int rc = save_collect_rows(s, st, sizeof **out, read_session, session_clear_any, &rows, n, err, what);
    *out = rows;
    return rc;
}

void sessions_list_free(SessionRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        session_row_clear(&rows[i]);
    free(rows);
}

int sessions_deactivate(Save *s, const char *token, Err *err)
{
    static const char sql[] = "UPDATE sessions SET is_active = 0 WHERE session_token = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    char hash[SHA256_HEX_LEN];
    sqlite3_bind_text(st, 1, token_hash(token, hash), -1, SQLITE_TRANSIENT);
    if (save_step_done(s, st, err, "ending a session") != MA_OK)
        return save_failed(err);
    if (sqlite3_changes(s->db) == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no session with that token to end", s->path);
    return MA_OK;
}

int sessions_deactivate_all(Save *s, int64_t user_id, int *changed, Err *err)
{
    static const char sql[] = "UPDATE sessions SET is_active = 0 WHERE user_id = ? AND is_active = 1";
    if (changed)
        *changed = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, user_id);
    char doing[96];
    snprintf(doing, sizeof doing, "ending every session of user %lld", (long long)user_id);
    if (save_step_done(s, st, err, doing) != MA_OK)
        return save_failed(err);
    if (changed)
        *changed = sqlite3_changes(s->db);
    return MA_OK;
}

int sessions_delete_expired(Save *s, const char *now, int *deleted, Err *err)
{
    static const char sql[] = "DELETE FROM sessions WHERE expires_at <= COALESCE(?, " NOW_SQL ")";
    if (deleted)
        *deleted = 0;
    char at[TIME_ISO_LEN] = "";
    if (now && canon_time(s, now, "now", at, err) != MA_OK)
        return save_failed(err);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    save_bind_text(st, 1, now ? at : NULL);
    if (save_step_done(s, st, err, "deleting expired sessions") != MA_OK)
        return save_failed(err);
    if (deleted)
        *deleted = sqlite3_changes(s->db);
    return MA_OK;
}

int sessions_count(Save *s, int64_t user_id, int64_t *count, Err *err)
{
    static const char sql_all[] = "SELECT count(*) FROM sessions";
    static const char sql_user[] = "SELECT count(*) FROM sessions WHERE user_id = ?";
    *count = 0;
    sqlite3_stmt *st = save_stmt(s, user_id ? sql_user : sql_all, err);
    if (!st)
        return save_failed(err);
    if (user_id)
        sqlite3_bind_int64(st, 1, user_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *count = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? MA_OK : save_db_error(s, rc, err, "counting sessions");
}
