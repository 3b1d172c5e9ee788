/* api_auth.c — health, register, login, logout.
 *
 * The local save's rules (src/game/auth.c): bcrypt ($2b$) through libxcrypt, five wrong
 * passwords lock the account for 15 minutes, sessions last 24 hours. A server account must have
 * a password (8 to 72 bytes: bcrypt reads no further). The token is 32 random bytes in hex,
 * given to the client once; the server keeps only its SHA-256 (sessions.session_token). */
#include "api.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_migrate.h"
#include "db_users.h"
#include "game/auth.h"
#include "util/timeutil.h"

/* A bcrypt hash of nothing anyone knows: an unknown name costs as much time as a wrong password. */
static const char dummy_hash[] = "$2b$11$OaTnVrymuwin2Nl3QgNRWeWjbE9PJs5mb9Wbp7ZoPmzceOSz.erzS";

static const char *str_field(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void wipe_field(cJSON *o, const char *name)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (cJSON_IsString(v) && v->valuestring)
        explicit_bzero(v->valuestring, strlen(v->valuestring));
}

/* A player's name: 1 to 64 bytes (the local rule), no control characters. */
static int name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

void api_health(Req *q, Resp *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "service", "magic-adventure-server");
    cJSON_AddStringToObject(o, "version", MA_VERSION);
    cJSON_AddNumberToObject(o, "uptime_s", (double)(time_now_ms() - q->srv->started_ms) / 1000.0);
    int size, open, busy;
    db_pool_stats(q->srv->pool, &size, &open, &busy);
    cJSON *pool = cJSON_AddObjectToObject(o, "pool");
    cJSON_AddNumberToObject(pool, "size", size);
    cJSON_AddNumberToObject(pool, "open", open);
    cJSON_AddNumberToObject(pool, "busy", busy);
    Db db;
    Err err = {0};
    int version = 0, rc = db_acquire(q->srv->pool, &db, &err);
    if (rc == MA_OK) {
        rc = db_schema_version(&db, &version, &err);
        db_release(&db);
    }
    if (rc != MA_OK) {
        cJSON_AddStringToObject(o, "status", "unavailable");
        cJSON_AddStringToObject(o, "database", err.msg);
        r->retry_after = 1;
        resp_json(r, 503, o);
        return;
    }
    int latest = db_migration_count();
    cJSON_AddStringToObject(o, "status", version == latest ? "ok" : "migrate");
    cJSON_AddStringToObject(o, "database", "ok");
    cJSON_AddNumberToObject(o, "schema", version);
    if (version != latest) {
        cJSON_AddStringToObject(o, "error", "the database schema is not current: run magic-adventure-server migrate");
        resp_json(r, 503, o);
        return;
    }
    resp_json(r, 200, o);
}

void api_register(Req *q, Resp *r)
{
    cJSON *body = req_json_object(q, r);
    if (!body)
        return;
    const char *name = str_field(body, "username"), *pw = str_field(body, "password"), *email = str_field(body, "email");
    const cJSON *em = cJSON_GetObjectItemCaseSensitive(body, "email");
    char hash[128] = "";
    Err err = {0};
    if (!name_ok(name)) {
        resp_error(r, 400, "username must be text of 1 to 64 characters without control characters");
    } else if (!pw || strlen(pw) < 8 || strlen(pw) > 72) {
        resp_error(r, 400, "password must be text of 8 to 72 bytes (a server account needs one)");
    } else if (em && !cJSON_IsNull(em) &&
               (!email || strlen(email) > 254 || !strchr(email, '@') || email[0] == '@' || !strchr(email, '@')[1])) {
        resp_error(r, 400, "email must be an address like name@example.org");
    } else if (auth_password_hash(pw, hash, sizeof hash, &err) != MA_OK) {
        resp_error(r, 500, "%s", err.msg);
    } else {
        Db db;
        int64_t id = 0;
        int rc = db_acquire(q->srv->pool, &db, &err);
        if (rc == MA_OK) {
            rc = db_user_create(&db, name, email, hash, &id, &err);
            db_release(&db);
        }
        if (rc == MA_ERR_CONSTRAINT) {
            resp_error(r, 409, "%s", err.msg);
        } else if (rc != MA_OK) {
            resp_db_error(r, &err);
        } else {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "user_id", (double)id);
            cJSON_AddStringToObject(o, "username", name);
            resp_json(r, 201, o);
        }
    }
    explicit_bzero(hash, sizeof hash);
    wipe_field(body, "password");
    cJSON_Delete(body);
}

void api_login(Req *q, Resp *r)
{
    cJSON *body = req_json_object(q, r);
    if (!body)
        return;
    const char *name = str_field(body, "username"), *pw = str_field(body, "password");
    const char *client = str_field(body, "client");
    Err err = {0};
    Db db;
    DbUser u;
    memset(&u, 0, sizeof u);
    if (!name_ok(name) || !pw || strlen(pw) > 1024) {
        resp_error(r, 400, "login needs {\"username\": ..., \"password\": ...}");
        goto done;
    }
    int rc = db_acquire(q->srv->pool, &db, &err);
    if (rc == MA_OK) {
        rc = db_user_get(&db, name, &u, &err);
        db_release(&db);
    }
    if (rc == MA_ERR_NOT_FOUND) {
        auth_password_matches(pw, dummy_hash);
        resp_error(r, 401, "wrong user name or password");
        goto done;
    }
    if (rc != MA_OK) {
        resp_db_error(r, &err);
        goto done;
    }
    int64_t now = time_now_ms();
    if (u.locked_until_ms > now) {
        char until[TIME_ISO_LEN];
        time_iso(u.locked_until_ms, until);
        cJSON *o = cJSON_CreateObject();
        char msg[160];
        snprintf(msg, sizeof msg, "too many wrong passwords: '%s' is locked until %.16s UTC", name, until);
        cJSON_AddStringToObject(o, "error", msg);
        cJSON_AddStringToObject(o, "locked_until", until);
        r->retry_after = (int)((u.locked_until_ms - now) / 1000) + 1;
        resp_json(r, 423, o);
        goto done;
    }
    if (!u.is_active) {
        resp_error(r, 403, "the player '%s' is deactivated", name);
        goto done;
    }
    int ok = u.password_hash[0] && auth_password_matches(pw, u.password_hash);
    if ((rc = db_acquire(q->srv->pool, &db, &err)) != MA_OK) {
        resp_db_error(r, &err);
        goto done;
    }
    if (!ok) {
        int failures = 0, locked = 0;
        int64_t until_ms = now + (int64_t)AUTH_LOCK_MINUTES * 60 * 1000;
        rc = db_user_login_failed(&db, u.id, AUTH_MAX_FAILURES, until_ms, &failures, &locked, &err);
        db_release(&db);
        if (rc != MA_OK) {
            resp_db_error(r, &err);
            goto done;
        }
        cJSON *o = cJSON_CreateObject();
        char msg[200];
        if (locked) {
            char until[TIME_ISO_LEN];
            time_iso(until_ms, until);
            snprintf(msg, sizeof msg, "wrong password; too many tries: '%s' is locked until %.16s UTC", name, until);
            cJSON_AddStringToObject(o, "error", msg);
            cJSON_AddStringToObject(o, "locked_until", until);
            r->retry_after = AUTH_LOCK_MINUTES * 60;
            resp_json(r, 423, o);
        } else {
            int left = AUTH_MAX_FAILURES - failures;
            snprintf(msg, sizeof msg, "wrong user name or password (%d %s left before a %d-minute lock)", left,
                     left == 1 ? "try" : "tries", AUTH_LOCK_MINUTES);
            cJSON_AddStringToObject(o, "error", msg);
            cJSON_AddNumberToObject(o, "tries_left", left);
            resp_json(r, 401, o);
        }
        goto done;
    }
    unsigned char rnd[32];
    char token[65], hash[65], expires[40];
    if (auth_random_bytes(rnd, sizeof rnd, &err) != MA_OK) {
        db_release(&db);
        resp_error(r, 500, "%s", err.msg);
        goto done;
    }
    for (size_t i = 0; i < sizeof rnd; i++)
        snprintf(token + 2 * i, 3, "%02x", rnd[i]);
    explicit_bzero(rnd, sizeof rnd);
    server_token_hash(token, hash);
    char client_buf[65];
    snprintf(client_buf, sizeof client_buf, "%s", client && name_ok(client) ? client : "sync");
    rc = db_user_login_ok(&db, u.id, hash, q->srv->cfg.session_hours, client_buf, expires, &err);
    db_release(&db);
    if (rc != MA_OK) {
        resp_db_error(r, &err);
    } else {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "token", token);
        cJSON_AddStringToObject(o, "expires_at", expires);
        cJSON_AddNumberToObject(o, "user_id", (double)u.id);
        cJSON_AddStringToObject(o, "username", u.username);
        resp_json(r, 200, o);
    }
    explicit_bzero(token, sizeof token);
done:
    explicit_bzero(u.password_hash, sizeof u.password_hash);
    wipe_field(body, "password");
    cJSON_Delete(body);
}

void api_logout(Req *q, Resp *r)
{
    Db db;
    Err err = {0};
    int rc = db_acquire(q->srv->pool, &db, &err);
    if (rc == MA_OK) {
        rc = db_session_end(&db, q->token_hash, &err);
        db_release(&db);
    }
    if (rc != MA_OK) {
        resp_db_error(r, &err);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", "logged out");
    resp_json(r, 200, o);
}
