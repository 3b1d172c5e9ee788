/* auth.c — bcrypt hashes through libxcrypt, lockout and sessions. */
#include "game/auth.h"

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "util/timeutil.h"

/* bcrypt's work factor; MAGIC_BCRYPT_COST may lower it (tests use 4). */
static int bcrypt_cost(void)
{
    const char *env = getenv("MAGIC_BCRYPT_COST");
    int cost = env ? atoi(env) : 11;
    return cost >= 4 && cost <= 15 ? cost : 11;
}

static void wipe(char *password)
{
    if (password)
        explicit_bzero(password, strlen(password));
}

int auth_random_bytes(void *buf, size_t n, Err *err)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom((char *)buf + got, n - got, 0);
        if (r < 0)
            return err_set(err, MA_ERR_IO, "the system could not give random bytes");
        got += (size_t)r;
    }
    return MA_OK;
}

int auth_password_hash(const char *password, char *out, size_t size, Err *err)
{
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    unsigned char rnd[16];
    if (auth_random_bytes(rnd, sizeof rnd, err) != MA_OK)
        return err->code;
    if (!crypt_gensalt_rn("$2b$", (unsigned long)bcrypt_cost(), (const char *)rnd, sizeof rnd, salt, sizeof salt))
        return err_set(err, MA_ERR_INVALID, "bcrypt is not available in this system's libcrypt");
    struct crypt_data *data = calloc(1, sizeof *data);
    if (!data)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    const char *h = crypt_rn(password, salt, data, (int)sizeof *data);
    int rc = MA_OK;
    if (!h || h[0] == '*' || strlen(h) >= size)
        rc = err_set(err, MA_ERR_INVALID, "could not hash the password");
    else
        snprintf(out, size, "%s", h);
    explicit_bzero(data, sizeof *data);
    free(data);
    return rc;
}

int auth_password_matches(const char *password, const char *hash)
{
    struct crypt_data *data = calloc(1, sizeof *data);
    if (!data)
        return 0;
    const char *h = crypt_rn(password, hash, data, (int)sizeof *data);
    int same = 0;
    if (h && h[0] != '*' && strlen(h) == strlen(hash)) {
        unsigned char diff = 0;
        for (size_t i = 0; hash[i]; i++)
            diff |= (unsigned char)(h[i] ^ hash[i]);
        same = diff == 0;
    }
    explicit_bzero(data, sizeof *data);
    free(data);
    return same;
}

int auth_create_user(Save *s, const char *username, char *password, int64_t *id_out, Err *err)
{
    UserRow u;
    memset(&u, 0, sizeof u);
    if (!username || !*username || strlen(username) > 64) {
        wipe(password);
        return err_set(err, MA_ERR_INVALID, "a player's name must be 1 to 64 characters");
    }
    snprintf(u.username, sizeof u.username, "%s", username);
    u.is_active = 1;
    if (password && *password) {
        int rc = auth_password_hash(password, u.password_hash, sizeof u.password_hash, err);
        wipe(password);
        if (rc != MA_OK)
            return rc;
    }
    u.profile = cJSON_CreateObject();
    cJSON_AddStringToObject(u.profile, "display_name", username);
    cJSON_AddBoolToObject(u.profile, "local", u.password_hash[0] == '\0');
    int rc = users_insert(s, &u, err);
    if (rc == MA_OK && id_out)
        *id_out = u.id;
    explicit_bzero(u.password_hash, sizeof u.password_hash);
    user_row_clear(&u);
    return rc;
}

int auth_has_password(Save *s, const char *username, Err *err)
{
    UserRow u;
    int rc = users_get_by_username(s, username, &u, err);
    if (rc != MA_OK)
        return rc;
    int has = u.password_hash[0] != '\0';
    user_row_clear(&u);
    return has;
}

static void set_profile_num(cJSON *profile, const char *key, double v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(profile, key);
    cJSON_AddNumberToObject(profile, key, v);
}

int auth_sign_in(Save *s, const char *username, char *password, int64_t now_ms, AuthOutcome *out, Err *err)
{
    memset(out, 0, sizeof *out);
    UserRow u;
    int rc = users_get_by_username(s, username, &u, err);
    if (rc != MA_OK) {
        wipe(password);
        if (rc == MA_ERR_NOT_FOUND)
            return err_set(err, MA_ERR_NOT_FOUND, "there is no player named '%s'", username);
        return rc;
    }
    out->user_id = u.id;
    const cJSON *lock = cJSON_GetObjectItemCaseSensitive(u.profile, "locked_until_ms");
    if (cJSON_IsNumber(lock) && (int64_t)lock->valuedouble > now_ms) {
        wipe(password);
        time_iso((int64_t)lock->valuedouble, out->locked_until);
        user_row_clear(&u);
        return err_set(err, MA_ERR_LOCKED, "too many wrong passwords: '%s' is locked until %.16s UTC",
                       username, out->locked_until);
    }
    if (!u.is_active) {
        wipe(password);
        user_row_clear(&u);
        return err_set(err, MA_ERR_INVALID, "the player '%s' is deactivated", username);
    }
    int ok = u.password_hash[0] == '\0' || (password && auth_password_matches(password, u.password_hash));
    wipe(password);
    const cJSON *fails_j = cJSON_GetObjectItemCaseSensitive(u.profile, "failed_logins");
    int fails = cJSON_IsNumber(fails_j) ? fails_j->valueint : 0;
    if ((rc = save_begin(s, err)) != MA_OK) {
        user_row_clear(&u);
        return rc;
    }
    if (!ok) {
        fails++;
        if (fails >= AUTH_MAX_FAILURES) {
            int64_t until = now_ms + (int64_t)AUTH_LOCK_MINUTES * 60 * 1000;
            set_profile_num(u.profile, "locked_until_ms", (double)until);
            set_profile_num(u.profile, "failed_logins", 0);
            time_iso(until, out->locked_until);
        } else {
            set_profile_num(u.profile, "failed_logins", fails);
        }
        out->tries_left = fails >= AUTH_MAX_FAILURES ? 0 : AUTH_MAX_FAILURES - fails;
        rc = users_update(s, &u, err);
        if (rc == MA_OK)
            rc = save_commit(s, err);
        else
            save_rollback(s);
        user_row_clear(&u);
        if (rc != MA_OK)
            return rc;
        if (out->locked_until[0])
            return err_set(err, MA_ERR_LOCKED, "wrong password; too many tries: '%s' is locked until %.16s UTC",
                           username, out->locked_until);
        return err_set(err, MA_ERR_INVALID, "wrong password (%d %s left before a %d-minute lock)",
                       out->tries_left, out->tries_left == 1 ? "try" : "tries", AUTH_LOCK_MINUTES);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(u.profile, "failed_logins");
    cJSON_DeleteItemFromObjectCaseSensitive(u.profile, "locked_until_ms");
    time_iso(now_ms, u.last_login);
    rc = users_update(s, &u, err);
    user_row_clear(&u);

    unsigned char rnd[32];
    if (rc == MA_OK)
        rc = auth_random_bytes(rnd, sizeof rnd, err);
    if (rc == MA_OK) {
        SessionRow sr;
        memset(&sr, 0, sizeof sr);
        sr.user_id = out->user_id;
        for (size_t i = 0; i < sizeof rnd; i++)
            snprintf(sr.session_token + 2 * i, 3, "%02x", rnd[i]);
        time_iso(now_ms, sr.created_at);
        time_iso(now_ms + (int64_t)AUTH_SESSION_HOURS * 3600 * 1000, sr.expires_at);
        sr.session_data = cJSON_CreateObject();
        cJSON_AddStringToObject(sr.session_data, "client", "terminal");
        rc = sessions_create(s, &sr, err);
        if (rc == MA_OK) {
            snprintf(out->token, sizeof out->token, "%s", sr.session_token);
            snprintf(out->expires_at, sizeof out->expires_at, "%s", sr.expires_at);
        }
        session_row_clear(&sr);
    }
    if (rc == MA_OK)
        rc = save_commit(s, err);
    else
        save_rollback(s);
    return rc;
}

int auth_session_user(Save *s, const char *token, int64_t now_ms, int64_t *user_id, Err *err)
{
    SessionRow r;
    int rc = sessions_get_by_token(s, token, &r, err);
    if (rc != MA_OK)
        return rc;
    int64_t expires = time_parse_iso(r.expires_at);
    int valid = r.is_active && expires > now_ms;
    *user_id = r.user_id;
    session_row_clear(&r);
    if (!valid)
        return err_set(err, MA_ERR_NOT_FOUND, "the session has expired; sign in again");
    return MA_OK;
}

int auth_session_resume(Save *s, const char *username, const char *token, int64_t now_ms, Err *err)
{
    if (!token || !token[0])
        return err_set(err, MA_ERR_NOT_FOUND, "no session to resume for '%s'; sign in", username);
    int64_t uid = 0;
    int rc = auth_session_user(s, token, now_ms, &uid, err);
    if (rc != MA_OK)
        return rc;
    UserRow u;
    if ((rc = users_get_by_username(s, username, &u, err)) != MA_OK)
        return rc;
    int same = u.id == uid && u.is_active;
    user_row_clear(&u);
    if (!same)
        return err_set(err, MA_ERR_NOT_FOUND, "the session is not one of '%s'; sign in", username);
    return MA_OK;
}

int auth_sessions_expire(Save *s, int64_t now_ms, int *deleted, Err *err)
{
    char now[32];
    time_iso(now_ms, now);
    int rc = save_begin(s, err);
    if (rc != MA_OK)
        return rc;
    rc = sessions_delete_expired(s, now, deleted, err);
    if (rc == MA_OK)
        return save_commit(s, err);
    save_rollback(s);
    return rc;
}
