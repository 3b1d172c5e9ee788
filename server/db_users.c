/* db_users.c — the SQL of accounts, sessions, worlds and membership (see db_users.h). */
#include "db_users.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t to_i64(const char *s)
{
    return s && *s ? strtoll(s, NULL, 10) : 0;
}

/* Parses the single text cell of r as JSON into *out; frees r. */
static int take_json(PGresult *r, cJSON **out, Err *err)
{
    const char *text = PQntuples(r) ? PQgetvalue(r, 0, 0) : "[]";
    *out = cJSON_Parse(text);
    PQclear(r);
    if (!*out)
        return err_set(err, MA_ERR_NOMEM, "out of memory reading a database answer");
    return MA_OK;
}

int db_user_create(Db *db, const char *username, const char *email, const char *password_hash, int64_t *id,
                   Err *err)
{
    const char *p[3] = {username, email && *email ? email : NULL, password_hash};
    PGresult *r = db_exec(db, "creating a user",
                          "INSERT INTO users (username, email, password_hash, profile) "
                          "VALUES ($1, $2, $3, jsonb_build_object('display_name', $1::text, 'local', false)) "
                          "ON CONFLICT DO NOTHING RETURNING id",
                          3, p, err);
    if (!r)
        return err->code;
    int made = PQntuples(r) == 1;
    if (made)
        *id = to_i64(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (made)
        return MA_OK;
    r = db_exec(db, "checking a user name", "SELECT 1 FROM users WHERE username = $1", 1, p, err);
    if (!r)
        return err->code;
    int name_taken = PQntuples(r) > 0;
    PQclear(r);
    if (name_taken)
        return err_set(err, MA_ERR_CONSTRAINT, "the name '%s' is taken", username);
    return err_set(err, MA_ERR_CONSTRAINT, "the email address is already used by another player");
}

int db_user_get(Db *db, const char *username, DbUser *out, Err *err)
{
    memset(out, 0, sizeof *out);
    const char *p[1] = {username};
    PGresult *r = db_exec(db, "reading a user",
                          "SELECT id, username, COALESCE(password_hash, ''), is_active, "
                          " CASE WHEN jsonb_typeof(profile->'failed_logins') = 'number' "
                          "      THEN (profile->>'failed_logins')::numeric::int ELSE 0 END, "
                          " CASE WHEN jsonb_typeof(profile->'locked_until_ms') = 'number' "
                          "      THEN (profile->>'locked_until_ms')::numeric::bigint ELSE 0 END "
                          "FROM users WHERE username = $1",
                          1, p, err);
    if (!r)
        return err->code;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return err_set(err, MA_ERR_NOT_FOUND, "there is no player named '%s'", username);
    }
    out->id = to_i64(PQgetvalue(r, 0, 0));
    snprintf(out->username, sizeof out->username, "%s", PQgetvalue(r, 0, 1));
    snprintf(out->password_hash, sizeof out->password_hash, "%s", PQgetvalue(r, 0, 2));
    out->is_active = PQgetvalue(r, 0, 3)[0] == 't';
    out->failed_logins = atoi(PQgetvalue(r, 0, 4));
    out->locked_until_ms = to_i64(PQgetvalue(r, 0, 5));
    PQclear(r);
    return MA_OK;
}

int db_user_login_failed(Db *db, int64_t user_id, int max_failures, int64_t lock_until_ms, int *failures,
                         int *locked, Err *err)
{
    char id[24], maxf[16], until[24];
    snprintf(id, sizeof id, "%" PRId64, user_id);
    snprintf(maxf, sizeof maxf, "%d", max_failures);
    snprintf(until, sizeof until, "%" PRId64, lock_until_ms);
    const char *p[3] = {id, maxf, until};
    /* One statement, so that two wrong passwords at once both count. */
    PGresult *r = db_exec(db, "counting a wrong password",
                          "WITH old AS (SELECT id, CASE WHEN jsonb_typeof(profile->'failed_logins') = 'number' "
                          "  THEN (profile->>'failed_logins')::numeric::int ELSE 0 END + 1 AS n "
                          "  FROM users WHERE id = $1 FOR UPDATE) "
                          "UPDATE users u SET profile = CASE WHEN old.n >= $2::int "
                          "  THEN (u.profile - 'failed_logins') || jsonb_build_object('locked_until_ms', $3::bigint) "
                          "  ELSE u.profile || jsonb_build_object('failed_logins', old.n) END "
                          "FROM old WHERE u.id = old.id RETURNING old.n, old.n >= $2::int",
                          3, p, err);
    if (!r)
        return err->code;
    *failures = PQntuples(r) ? atoi(PQgetvalue(r, 0, 0)) : 0;
    *locked = PQntuples(r) ? PQgetvalue(r, 0, 1)[0] == 't' : 0;
    PQclear(r);
    return MA_OK;
}

int db_user_login_ok(Db *db, int64_t user_id, const char *token_hash, int hours, const char *client,
                     char expires_at[40], Err *err)
{
    char id[24], h[16];
    snprintf(id, sizeof id, "%" PRId64, user_id);
    snprintf(h, sizeof h, "%d", hours);
    const char *p[4] = {id, token_hash, client, h};
    PGresult *r = db_exec(db, "starting a session",
                          "WITH u AS (UPDATE users SET profile = profile - 'failed_logins' - 'locked_until_ms', "
                          "  last_login = now() WHERE id = $1) "
                          "INSERT INTO sessions (user_id, session_token, session_data, expires_at) "
                          "VALUES ($1, $2, jsonb_build_object('client', $3::text), now() + make_interval(hours => $4::int)) "
                          "RETURNING to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
                          4, p, err);
    if (!r)
        return err->code;
    snprintf(expires_at, 40, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return MA_OK;
}

int db_session_user(Db *db, const char *token_hash, int64_t *user_id, char username[65], int *expired, Err *err)
{
    const char *p[1] = {token_hash};
    *expired = 0;
    PGresult *r = db_exec(db, "checking a token",
                          "SELECT s.user_id, u.username, s.expires_at <= now() FROM sessions s "
                          "JOIN users u ON u.id = s.user_id "
                          "WHERE s.session_token = $1 AND s.is_active AND u.is_active",
                          1, p, err);
    if (!r)
        return err->code;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return err_set(err, MA_ERR_NOT_FOUND, "unknown or ended token: log in again");
    }
    *user_id = to_i64(PQgetvalue(r, 0, 0));
    snprintf(username, 65, "%s", PQgetvalue(r, 0, 1));
    *expired = PQgetvalue(r, 0, 2)[0] == 't';
    PQclear(r);
    if (*expired)
        return err_set(err, MA_ERR_LOCKED, "the token has expired: log in again");
    return MA_OK;
}

int db_session_end(Db *db, const char *token_hash, Err *err)
{
    const char *p[1] = {token_hash};
    return db_run(db, "ending a session", "UPDATE sessions SET is_active = false WHERE session_token = $1", 1, p,
                  err);
}

int db_world_create(Db *db, int64_t owner, const char *name, int64_t seed, const char *world_type,
                    const char *settings_json, const char *metadata_json, int64_t *id, Err *err)
{
    char o[24], s[24];
    snprintf(o, sizeof o, "%" PRId64, owner);
    snprintf(s, sizeof s, "%" PRId64, seed);
    const char *p[6] = {name, s, world_type, settings_json, metadata_json, o};
    PGresult *r = db_exec(db, "creating a world",
                          "WITH w AS (INSERT INTO worlds (name, seed, world_type, settings, metadata, owner_id, "
                          "  seq_head, change_seq) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, 1, 1) "
                          "  ON CONFLICT (name) DO NOTHING RETURNING id), "
                          "m AS (INSERT INTO world_members (world_id, user_id, role) SELECT id, $6, 'owner' FROM w) "
                          "SELECT id FROM w",
                          6, p, err);
    if (!r)
        return err->code;
    int made = PQntuples(r) == 1;
    if (made)
        *id = to_i64(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (!made)
        return err_set(err, MA_ERR_CONSTRAINT, "a world named '%s' exists on the server already: choose another name",
                       name);
    return MA_OK;
}

int db_world_access(Db *db, int64_t world_id, int64_t user_id, WorldAccess *out, Err *err)
{
    memset(out, 0, sizeof *out);
    char w[24], u[24];
    snprintf(w, sizeof w, "%" PRId64, world_id);
    snprintf(u, sizeof u, "%" PRId64, user_id);
    const char *p[2] = {w, u};
    PGresult *r = db_exec(db, "checking access to a world",
                          "SELECT w.name, w.seed, w.world_type, "
                          " CASE WHEN jsonb_typeof(w.settings->'generator_version') = 'number' "
                          "      THEN (w.settings->>'generator_version')::numeric::int ELSE 1 END, "
                          " w.deleted, COALESCE(m.role, '') "
                          "FROM worlds w LEFT JOIN world_members m ON m.world_id = w.id AND m.user_id = $2 "
                          "WHERE w.id = $1",
                          2, p, err);
    if (!r)
        return err->code;
    if (PQntuples(r) == 1) {
        out->exists = 1;
        snprintf(out->name, sizeof out->name, "%s", PQgetvalue(r, 0, 0));
        out->seed = to_i64(PQgetvalue(r, 0, 1));
        snprintf(out->world_type, sizeof out->world_type, "%s", PQgetvalue(r, 0, 2));
        out->generator_version = atoi(PQgetvalue(r, 0, 3));
        out->deleted = PQgetvalue(r, 0, 4)[0] == 't';
        const char *role = PQgetvalue(r, 0, 5);
        out->member = role[0] != '\0';
        out->owner = strcmp(role, "owner") == 0;
    }
    PQclear(r);
    return MA_OK;
}

int db_world_invite(Db *db, int64_t world_id, int64_t by, const char *username, int *added, Err *err)
{
    char w[24], b[24];
    snprintf(w, sizeof w, "%" PRId64, world_id);
    snprintf(b, sizeof b, "%" PRId64, by);
    const char *p[3] = {w, b, username};
    PGresult *r = db_exec(db, "inviting a player",
                          "INSERT INTO world_members (world_id, user_id, role, invited_by) "
                          "SELECT $1, id, 'member', $2 FROM users WHERE username = $3 AND is_active "
                          "ON CONFLICT DO NOTHING RETURNING user_id",
                          3, p, err);
    if (!r)
        return err->code;
    *added = PQntuples(r) == 1;
    PQclear(r);
    if (*added)
        return MA_OK;
    r = db_exec(db, "checking a player", "SELECT 1 FROM users WHERE username = $1 AND is_active", 1, p + 2, err);
    if (!r)
        return err->code;
    int exists = PQntuples(r) > 0;
    PQclear(r);
    if (!exists)
        return err_set(err, MA_ERR_NOT_FOUND, "there is no player named '%s' on the server", username);
    return MA_OK;
}

int db_worlds_of(Db *db, int64_t user_id, cJSON **out, Err *err)
{
    char u[24];
    snprintf(u, sizeof u, "%" PRId64, user_id);
    const char *p[1] = {u};
    PGresult *r = db_exec(db, "listing worlds",
                          "SELECT COALESCE(jsonb_agg(jsonb_build_object('id', w.id, 'name', w.name, 'role', m.role, "
                          " 'owner', o.username, 'seed', w.seed::text, 'world_type', w.world_type, 'settings', w.settings, "
                          " 'seq_head', w.seq_head, 'version', w.row_version) ORDER BY w.id), '[]')::text "
                          "FROM world_members m JOIN worlds w ON w.id = m.world_id "
                          "LEFT JOIN users o ON o.id = w.owner_id WHERE m.user_id = $1 AND NOT w.deleted",
                          1, p, err);
    if (!r)
        return err->code;
    return take_json(r, out, err);
}

int db_world_describe(Db *db, int64_t world_id, cJSON **out, Err *err)
{
    char w[24];
    snprintf(w, sizeof w, "%" PRId64, world_id);
    const char *p[1] = {w};
    PGresult *r = db_exec(db, "describing a world",
                          "SELECT jsonb_build_object('id', w.id, 'name', w.name, 'seed', w.seed::text, "
                          " 'world_type', w.world_type, 'settings', w.settings, 'metadata', w.metadata, "
                          " 'is_active', w.is_active, 'deleted', w.deleted, 'version', w.row_version, "
                          " 'seq_head', w.seq_head, 'owner', o.username, "
                          " 'members', (SELECT COALESCE(jsonb_agg(jsonb_build_object('user', u.username, "
                          "   'role', m.role) ORDER BY m.created_at, u.username), '[]') "
                          "   FROM world_members m JOIN users u ON u.id = m.user_id WHERE m.world_id = w.id))::text "
                          "FROM worlds w LEFT JOIN users o ON o.id = w.owner_id WHERE w.id = $1",
                          1, p, err);
    if (!r)
        return err->code;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return err_set(err, MA_ERR_NOT_FOUND, "there is no world %" PRId64, world_id);
    }
    return take_json(r, out, err);
}

int db_report_locked_users(Db *db, int64_t now_ms, cJSON **out, Err *err)
{
    char n[24];
    snprintf(n, sizeof n, "%" PRId64, now_ms);
    const char *p[1] = {n};
    /* profile ? 'locked_until_ms' is answered by idx_users_profile (GIN). */
    PGresult *r = db_exec(db, "listing locked accounts",
                          "SELECT COALESCE(jsonb_agg(jsonb_build_object('user', username, "
                          " 'locked_until_ms', profile->'locked_until_ms') ORDER BY username), '[]')::text "
                          "FROM users WHERE profile ? 'locked_until_ms' "
                          "AND jsonb_typeof(profile->'locked_until_ms') = 'number' "
                          "AND (profile->>'locked_until_ms')::numeric > $1::numeric",
                          1, p, err);
    if (!r)
        return err->code;
    return take_json(r, out, err);
}

int db_report_fallen_characters(Db *db, cJSON **out, Err *err)
{
    /* stats @> '{"health": 0}' is answered by idx_characters_stats (GIN). */
    PGresult *r = db_exec(db, "listing fallen characters",
                          "SELECT COALESCE(jsonb_agg(jsonb_build_object('world', world_id, 'character', name, "
                          " 'key', sync_key) ORDER BY world_id, name), '[]')::text "
                          "FROM characters WHERE stats @> '{\"health\": 0}' AND NOT deleted",
                          0, NULL, err);
    if (!r)
        return err->code;
    return take_json(r, out, err);
}

int db_chunks_containing(Db *db, int64_t world_id, const char *block, const char *entity, int limit, cJSON **out,
                         Err *err)
{
    char w[24], l[16];
    snprintf(w, sizeof w, "%" PRId64, world_id);
    snprintf(l, sizeof l, "%d", limit);
    const char *p[3] = {w, block ? block : entity, l};
    /* block_data @> ... is answered by idx_world_chunks_blocks (GIN); one statement per kind of
     * search so that a prepared (generic) plan still sees a plain containment. */
    PGresult *r = db_exec(db, "finding chunks",
                          block ? "SELECT COALESCE(jsonb_agg(jsonb_build_array(chunk_x, chunk_y, chunk_z) "
                                  " ORDER BY chunk_x, chunk_y, chunk_z), '[]')::text FROM ("
                                  " SELECT chunk_x, chunk_y, chunk_z FROM world_chunks WHERE world_id = $1 "
                                  " AND block_data @> jsonb_build_object('palette', jsonb_build_array($2::text)) "
                                  " ORDER BY chunk_x, chunk_y, chunk_z LIMIT $3::int) c"
                                : "SELECT COALESCE(jsonb_agg(jsonb_build_array(chunk_x, chunk_y, chunk_z) "
                                  " ORDER BY chunk_x, chunk_y, chunk_z), '[]')::text FROM ("
                                  " SELECT chunk_x, chunk_y, chunk_z FROM world_chunks WHERE world_id = $1 "
                                  " AND block_data @> jsonb_build_object('entities', "
                                  "     jsonb_build_array(jsonb_build_object('id', $2::text))) "
                                  " ORDER BY chunk_x, chunk_y, chunk_z LIMIT $3::int) c",
                          3, p, err);
    if (!r)
        return err->code;
    return take_json(r, out, err);
}
