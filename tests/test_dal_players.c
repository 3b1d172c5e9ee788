/* test_dal_players.c — the data-access layer of the player tables: users and
 * sessions (users.c), characters and inventory (characters.c), skills and
 * relationships (skills.c), achievements (achievements.c) and crafting
 * recipes (recipes.c).
 *
 * Each test opens its own fresh save in a temporary directory. Round trips
 * go insert -> get -> update -> get -> list -> delete and compare JSON
 * columns field by field; refused writes must come back as a status with a
 * message that names the save and the rule, and leave the save unchanged. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "save/achievements.h"
#include "save/characters.h"
#include "save/recipes.h"
#include "save/save.h"
#include "save/skills.h"
#include "save/users.h"
#include "save/worlds.h"

static char *dir;
static Save *s;
static char *save_file; /* heap: th_path's buffers rotate */

static int setup(void **state)
{
    (void)state;
    dir = th_tmpdir();
    save_file = strdup(th_path(dir, "players.db"));
    Err err = {0};
    if (save_open(save_file, SAVE_CREATE, &s, &err) != MA_OK)
        fail_msg("save_open: %s", err.msg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    save_close(s);
    s = NULL;
    free(save_file);
    save_file = NULL;
    th_tmpdir_free(dir);
    return 0;
}

/* ------------------------------------------------------------ helpers */

#define ASSERT_OK(call)                                                                  \
    do {                                                                                 \
        Err e_ = {0};                                                                    \
        Err *err = &e_;                                                                  \
        int rc_ = (call);                                                                \
        if (rc_ != MA_OK)                                                                \
            fail_msg("%s failed (%d): %s", #call, rc_, e_.msg);                          \
    } while (0)

/* The call must fail with status code and a message holding both needles. */
#define ASSERT_FAILS(want, call, needle1, needle2)                                       \
    do {                                                                                 \
        Err e_ = {0};                                                                    \
        Err *err = &e_;                                                                  \
        int rc_ = (call);                                                                \
        if (rc_ != (want))                                                               \
            fail_msg("%s returned %d, wanted %d (%s)", #call, rc_, (want), e_.msg);      \
        assert_int_equal(e_.code, (want));                                               \
        if (!strstr(e_.msg, (needle1)) || !strstr(e_.msg, (needle2)))                     \
            fail_msg("%s: message '%s' lacks '%s' or '%s'", #call, e_.msg, (needle1),     \
                     (needle2));                                                         \
        if (!strstr(e_.msg, save_file))                                                  \
            fail_msg("%s: message '%s' does not name the save", #call, e_.msg);          \
    } while (0)

static cJSON *json(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    if (!j)
        fail_msg("bad JSON in test: %s", text);
    return j;
}

static const char *jstr(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(v))
        fail_msg("JSON field '%s' is not a string", key);
    return v->valuestring;
}

static double jnum(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(v))
        fail_msg("JSON field '%s' is not a number", key);
    return v->valuedouble;
}

static int64_t add_world(const char *name)
{
    WorldRow w = {0};
    snprintf(w.name, sizeof w.name, "%s", name);
    w.seed = 42;
    w.is_active = 1;
    ASSERT_OK(worlds_insert(s, &w, err));
    return w.id;
}

static int64_t add_user(const char *name)
{
    UserRow u = {0};
    snprintf(u.username, sizeof u.username, "%s", name);
    u.is_active = 1;
    ASSERT_OK(users_insert(s, &u, err));
    return u.id;
}

static int64_t add_character(int64_t user_id, int64_t world_id, const char *name)
{
    CharacterRow c = {0};
    c.user_id = user_id;
    c.world_id = world_id;
    snprintf(c.name, sizeof c.name, "%s", name);
    snprintf(c.character_class, sizeof c.character_class, "ranger");
    c.level = 1;
    ASSERT_OK(characters_insert(s, &c, err));
    return c.id;
}

static int64_t session_count(int64_t user_id)
{
    int64_t n = -1;
    ASSERT_OK(sessions_count(s, user_id, &n, err));
    return n;
}

/* ------------------------------------------------------------ users */

static void test_users_round_trip_keeps_every_column(void **state)
{
    (void)state;
    UserRow u = {0};
    snprintf(u.username, sizeof u.username, "aria");
    snprintf(u.email, sizeof u.email, "aria@example.org");
    snprintf(u.password_hash, sizeof u.password_hash, "$2b$12$abcdefghijklmnopqrstuv");
    u.profile = json("{\"display_name\": \"Aria\", \"theme\": \"dark\", \"volume\": 7}");
    u.is_active = 1;
    ASSERT_OK(users_insert(s, &u, err));
    assert_true(u.id > 0);
    assert_int_equal(strlen(u.created_at), 24);
    assert_string_equal(u.created_at, u.updated_at);
    user_row_clear(&u);
    assert_null(u.profile);

    UserRow got = {0};
    ASSERT_OK(users_get(s, u.id, &got, err));
    assert_string_equal(got.username, "aria");
    assert_string_equal(got.email, "aria@example.org");
    assert_string_equal(got.password_hash, "$2b$12$abcdefghijklmnopqrstuv");
    assert_string_equal(jstr(got.profile, "display_name"), "Aria");
    assert_string_equal(jstr(got.profile, "theme"), "dark");
    assert_int_equal((int)jnum(got.profile, "volume"), 7);
    assert_int_equal(got.is_active, 1);
    assert_string_equal(got.last_login, "");
    assert_string_equal(got.created_at, u.created_at);

    /* update: new email, profile field changed, deactivated, a login time in
     * a loose form that the save stores canonically */
    snprintf(got.email, sizeof got.email, "aria@guild.example");
    got.password_hash[0] = '\0';
    cJSON_ReplaceItemInObjectCaseSensitive(got.profile, "theme", cJSON_CreateString("light"));
    got.is_active = 0;
    snprintf(got.last_login, sizeof got.last_login, "2030-01-02T03:04:05Z");
    ASSERT_OK(users_update(s, &got, err));
    user_row_clear(&got);

    ASSERT_OK(users_get_by_username(s, "aria", &got, err));
    assert_int_equal(got.id, u.id);
    assert_string_equal(got.email, "aria@guild.example");
    assert_string_equal(got.password_hash, "");
    assert_string_equal(jstr(got.profile, "theme"), "light");
    assert_string_equal(jstr(got.profile, "display_name"), "Aria");
    assert_int_equal(got.is_active, 0);
    assert_string_equal(got.last_login, "2030-01-02T03:04:05.000Z");

    /* profile NULL on update keeps the stored profile */
    cJSON_Delete(got.profile);
    got.profile = NULL;
    got.is_active = 1;
    ASSERT_OK(users_update(s, &got, err));
    ASSERT_OK(users_get(s, u.id, &got, err));
    assert_string_equal(jstr(got.profile, "theme"), "light");
    assert_int_equal(got.is_active, 1);
    user_row_clear(&got);

    ASSERT_OK(users_set_last_login(s, u.id, "2031-06-07T08:09:10.500Z", err));
    ASSERT_OK(users_get(s, u.id, &got, err));
    assert_string_equal(got.last_login, "2031-06-07T08:09:10.500Z");
    user_row_clear(&got);
    ASSERT_OK(users_set_last_login(s, u.id, NULL, err)); /* now */
    ASSERT_OK(users_get(s, u.id, &got, err));
    assert_int_equal(strlen(got.last_login), 24);
    assert_string_not_equal(got.last_login, "2031-06-07T08:09:10.500Z");
    user_row_clear(&got);

    int64_t bram = add_user("bram");
    UserRow *rows = NULL;
    int n = -1;
    ASSERT_OK(users_list(s, &rows, &n, err));
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].username, "aria");
    assert_string_equal(rows[1].username, "bram");
    assert_int_equal(rows[1].id, bram);
    assert_non_null(rows[1].profile); /* the column default {} */
    assert_true(cJSON_IsObject(rows[1].profile));
    assert_string_equal(rows[1].email, "");
    users_list_free(rows, n);

    ASSERT_OK(users_delete(s, u.id, err));
    ASSERT_FAILS(MA_ERR_NOT_FOUND, users_get(s, u.id, &got, err), "no user", "with id");
    ASSERT_FAILS(MA_ERR_NOT_FOUND, users_get_by_username(s, "aria", &got, err), "no user", "'aria'");
    ASSERT_FAILS(MA_ERR_NOT_FOUND, users_delete(s, u.id, err), "no user", "delete");
    ASSERT_OK(users_list(s, &rows, &n, err));
    assert_int_equal(n, 1);
    users_list_free(rows, n);
}

static void test_users_refuse_duplicates_and_bad_values_with_clear_messages(void **state)
{
    (void)state;
    UserRow u = {0};
    snprintf(u.username, sizeof u.username, "cato");
    snprintf(u.email, sizeof u.email, "cato@example.org");
    u.is_active = 1;
    ASSERT_OK(users_insert(s, &u, err));

    UserRow dup = {0};
    snprintf(dup.username, sizeof dup.username, "cato");
    ASSERT_FAILS(MA_ERR_CONSTRAINT, users_insert(s, &dup, err), "a user named 'cato'", "already exists");

    snprintf(dup.username, sizeof dup.username, "cato2");
    snprintf(dup.email, sizeof dup.email, "cato@example.org");
    ASSERT_FAILS(MA_ERR_CONSTRAINT, users_insert(s, &dup, err), "cato@example.org", "already used");

    /* an update that takes another user's email is refused the same way */
    dup.email[0] = '\0';
    ASSERT_OK(users_insert(s, &dup, err));
    snprintf(dup.email, sizeof dup.email, "cato@example.org");
    ASSERT_FAILS(MA_ERR_CONSTRAINT, users_update(s, &dup, err), "cato@example.org", "already used");

    UserRow bad = {0};
    snprintf(bad.username, sizeof bad.username, "dora");
    snprintf(bad.email, sizeof bad.email, "not-an-email");
    ASSERT_FAILS(MA_ERR_CONSTRAINT, users_insert(s, &bad, err), "adding user 'dora'", "CHECK");
    bad.email[0] = '\0';
    snprintf(bad.last_login, sizeof bad.last_login, "yesterday");
    ASSERT_FAILS(MA_ERR_INVALID, users_insert(s, &bad, err), "last_login 'yesterday'", "ISO-8601");
    UserRow nameless = {0};
    ASSERT_FAILS(MA_ERR_CONSTRAINT, users_insert(s, &nameless, err), "adding user ''", "username");

    UserRow ghost = {0};
    ghost.id = 9999;
    ASSERT_FAILS(MA_ERR_NOT_FOUND, users_update(s, &ghost, err), "no user", "9999");
    ASSERT_FAILS(MA_ERR_NOT_FOUND, users_set_last_login(s, 9999, NULL, err), "no user", "9999");

    UserRow *rows = NULL;
    int n = 0;
    ASSERT_OK(users_list(s, &rows, &n, err));
    assert_int_equal(n, 2); /* cato and cato2: nothing refused was written */
    users_list_free(rows, n);
}

/* ------------------------------------------------------------ sessions */

static SessionRow make_session(int64_t user_id, const char *token, const char *created, const char *expires)
{
    SessionRow r = {0};
    r.user_id = user_id;
    snprintf(r.session_token, sizeof r.session_token, "%s", token);
    snprintf(r.created_at, sizeof r.created_at, "%s", created);
    snprintf(r.expires_at, sizeof r.expires_at, "%s", expires);
    return r;
}

static void test_sessions_round_trip_and_logout(void **state)
{
    (void)state;
    int64_t uid = add_user("eira");
    int64_t other = add_user("finn");

    SessionRow a = make_session(uid, "token-aaaaaaaaaaaaaaaa", "", "2099-01-01T00:00:00.000Z");
    a.session_data = json("{\"client\": \"terminal\", \"ip\": \"127.0.0.1\"}");
    ASSERT_OK(sessions_create(s, &a, err));
    assert_true(a.id > 0);
    assert_int_equal(a.is_active, 1);
    assert_int_equal(strlen(a.created_at), 24);
    session_row_clear(&a);
    SessionRow b = make_session(uid, "token-bbbbbbbbbbbbbbbb", "2020-01-01T00:00:00Z", "2098-01-01T00:00:00Z");
    ASSERT_OK(sessions_create(s, &b, err));
    assert_string_equal(b.created_at, "2020-01-01T00:00:00.000Z");
    assert_string_equal(b.expires_at, "2098-01-01T00:00:00.000Z");
    SessionRow c = make_session(other, "token-cccccccccccccccc", "", "2099-01-01T00:00:00.000Z");
    ASSERT_OK(sessions_create(s, &c, err));

    SessionRow got = {0};
    ASSERT_OK(sessions_get_by_token(s, "token-aaaaaaaaaaaaaaaa", &got, err));
    assert_int_equal(got.id, a.id);
    assert_int_equal(got.user_id, uid);
    assert_string_equal(jstr(got.session_data, "client"), "terminal");
    assert_string_equal(jstr(got.session_data, "ip"), "127.0.0.1");
    assert_string_equal(got.expires_at, "2099-01-01T00:00:00.000Z");
    assert_int_equal(got.is_active, 1);
    session_row_clear(&got);
    ASSERT_FAILS(MA_ERR_NOT_FOUND, sessions_get_by_token(s, "token-zzzzzzzzzzzzzzzz", &got, err), "no session",
                 "token");

    SessionRow *rows = NULL;
    int n = 0;
    ASSERT_OK(sessions_list_active(s, uid, NULL, &rows, &n, err));
    assert_int_equal(n, 2);
    /* Oldest first; the save keeps only the tokens' hashes, so rows are told apart by id. */
    assert_int_equal(rows[0].id, b.id);
    assert_int_equal(rows[1].id, a.id);
    assert_int_equal(strlen(rows[0].session_token), 64);
    assert_true(cJSON_IsObject(rows[0].session_data));
    sessions_list_free(rows, n);

    ASSERT_OK(sessions_deactivate(s, "token-aaaaaaaaaaaaaaaa", err));
    ASSERT_OK(sessions_get_by_token(s, "token-aaaaaaaaaaaaaaaa", &got, err));
    assert_int_equal(got.is_active, 0);
    session_row_clear(&got);
    ASSERT_OK(sessions_list_active(s, uid, NULL, &rows, &n, err));
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, b.id);
    sessions_list_free(rows, n);
    ASSERT_FAILS(MA_ERR_NOT_FOUND, sessions_deactivate(s, "token-zzzzzzzzzzzzzzzz", err), "no session", "end");

    int changed = -1;
    ASSERT_OK(sessions_deactivate_all(s, uid, &changed, err));
    assert_int_equal(changed, 1);
    ASSERT_OK(sessions_list_active(s, uid, NULL, &rows, &n, err));
    assert_int_equal(n, 0);
    assert_null(rows);
    ASSERT_OK(sessions_list_active(s, other, NULL, &rows, &n, err)); /* another user's session is untouched */
    assert_int_equal(n, 1);
    sessions_list_free(rows, n);

    assert_int_equal(session_count(uid), 2); /* deactivated sessions stay until they expire */
    assert_int_equal(session_count(other), 1);
    assert_int_equal(session_count(0), 3);
}

static void test_sessions_refuse_duplicate_token_unknown_user_and_bad_times(void **state)
{
    (void)state;
    int64_t uid = add_user("gwen");
    SessionRow a = make_session(uid, "token-gggggggggggggggg", "", "2099-01-01T00:00:00.000Z");
    ASSERT_OK(sessions_create(s, &a, err));
    SessionRow dup = make_session(uid, "token-gggggggggggggggg", "", "2099-01-01T00:00:00.000Z");
    ASSERT_FAILS(MA_ERR_CONSTRAINT, sessions_create(s, &dup, err), "session token", "already in use");
    SessionRow orphan = make_session(777, "token-oooooooooooooooo", "", "2099-01-01T00:00:00.000Z");
    ASSERT_FAILS(MA_ERR_CONSTRAINT, sessions_create(s, &orphan, err), "user 777", "no such user");
    SessionRow shorty = make_session(uid, "short", "", "2099-01-01T00:00:00.000Z");
    ASSERT_FAILS(MA_ERR_CONSTRAINT, sessions_create(s, &shorty, err), "session for user", "session_token");
    SessionRow backwards = make_session(uid, "token-bbbbbbbbbbbbbbbb", "2030-01-01T00:00:00.000Z",
                                        "2029-01-01T00:00:00.000Z");
    ASSERT_FAILS(MA_ERR_CONSTRAINT, sessions_create(s, &backwards, err), "session for user", "expires_at");
    SessionRow garbled = make_session(uid, "token-xxxxxxxxxxxxxxxx", "", "next week");
    ASSERT_FAILS(MA_ERR_INVALID, sessions_create(s, &garbled, err), "expires_at 'next week'", "ISO-8601");
    assert_int_equal(session_count(uid), 1);
}

static void test_sessions_delete_expired_removes_only_expired_sessions(void **state)
{
    (void)state;
    int64_t uid = add_user("hale");
    const char *created = "2030-01-01T00:00:00.000Z";
    SessionRow r1 = make_session(uid, "token-1111111111111111", created, "2030-06-01T00:00:00.000Z");
    SessionRow r2 = make_session(uid, "token-2222222222222222", created, "2031-01-01T00:00:00.000Z");
    SessionRow r3 = make_session(uid, "token-3333333333333333", created, "2040-01-01T00:00:00.000Z");
    ASSERT_OK(sessions_create(s, &r1, err));
    ASSERT_OK(sessions_create(s, &r2, err));
    ASSERT_OK(sessions_create(s, &r3, err));

    /* listing at a given time leaves out what has expired by then */
    SessionRow *rows = NULL;
    int n = 0;
    ASSERT_OK(sessions_list_active(s, uid, "2030-12-31T23:59:59.999Z", &rows, &n, err));
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].id, r2.id);
    sessions_list_free(rows, n);

    int deleted = -1;
    ASSERT_FAILS(MA_ERR_INVALID, sessions_delete_expired(s, "the end of time", &deleted, err), "now", "ISO-8601");
    assert_int_equal(deleted, 0);
    assert_int_equal(session_count(uid), 3);

    /* a session expiring exactly at "now" is expired; "now" in a loose form */
    ASSERT_OK(sessions_delete_expired(s, "2031-01-01T00:00:00Z", &deleted, err));
    assert_int_equal(deleted, 2);
    assert_int_equal(session_count(uid), 1);
    SessionRow got = {0};
    ASSERT_OK(sessions_get_by_token(s, "token-3333333333333333", &got, err));
    session_row_clear(&got);
    ASSERT_FAILS(MA_ERR_NOT_FOUND, sessions_get_by_token(s, "token-1111111111111111", &got, err), "no session",
                 "token");

    ASSERT_OK(sessions_delete_expired(s, NULL, &deleted, err)); /* the real clock: 2040 is still ahead */
    assert_int_equal(deleted, 0);
    assert_int_equal(session_count(uid), 1);
}

static void test_deleting_a_user_removes_sessions_characters_and_achievements(void **state)
{
    (void)state;
    int64_t world = add_world("Eldoria");
    int64_t uid = add_user("ivo");
    int64_t keep = add_user("jun");
    SessionRow a = make_session(uid, "token-iiiiiiiiiiiiiiii", "", "2099-01-01T00:00:00.000Z");
    SessionRow b = make_session(keep, "token-jjjjjjjjjjjjjjjj", "", "2099-01-01T00:00:00.000Z");
    ASSERT_OK(sessions_create(s, &a, err));
    ASSERT_OK(sessions_create(s, &b, err));
    int64_t hero = add_character(uid, world, "Ivo the Bold");
    AchievementRow ach = {0};
    ach.user_id = uid;
    snprintf(ach.achievement_name, sizeof ach.achievement_name, "first_steps");
    ASSERT_OK(achievements_unlock(s, &ach, NULL, err));

    ASSERT_OK(users_delete(s, uid, err));
    assert_int_equal(session_count(uid), 0);
    assert_int_equal(session_count(keep), 1);
    CharacterRow c = {0};
    ASSERT_FAILS(MA_ERR_NOT_FOUND, characters_get(s, hero, &c, err), "no character", "with id");
    int has = 1;
    ASSERT_OK(achievements_has(s, uid, "first_steps", &has, err));
    assert_int_equal(has, 0);
}

/* ------------------------------------------------------------ characters */

static void test_characters_round_trip_keeps_every_column(void **state)
{
    (void)state;
    int64_t w1 = add_world("Eldoria");
    int64_t w2 = add_world("Frostmere");
    int64_t uid = add_user("kara");

    CharacterRow c = {0};
    c.user_id = uid;
    c.world_id = w1;
    snprintf(c.name, sizeof c.name, "Kara");
    snprintf(c.character_class, sizeof c.character_class, "mage");
    c.level = 3;
    c.experience = 1234;
    c.stats = json("{\"health\": 90, \"mana\": 120, \"intelligence\": 18}");
    c.appearance = json("{\"hair\": \"silver\", \"height\": 1.7}");
    c.position_x = 10.5;
    c.position_y = 64;
    c.position_z = -3.25;
    ASSERT_OK(characters_insert(s, &c, err));
    assert_true(c.id > 0);
    assert_int_equal(strlen(c.created_at), 24);
    character_row_clear(&c);
    assert_null(c.stats);

    CharacterRow got = {0};
    ASSERT_OK(characters_get(s, c.id, &got, err));
    assert_int_equal(got.user_id, uid);
    assert_int_equal(got.world_id, w1);
    assert_string_equal(got.name, "Kara");
    assert_string_equal(got.character_class, "mage");
    assert_int_equal(got.level, 3);
    assert_int_equal(got.experience, 1234);
    assert_int_equal((int)jnum(got.stats, "health"), 90);
    assert_int_equal((int)jnum(got.stats, "mana"), 120);
    assert_int_equal((int)jnum(got.stats, "intelligence"), 18);
    assert_string_equal(jstr(got.appearance, "hair"), "silver");
    assert_float_equal(jnum(got.appearance, "height"), 1.7, 1e-9);
    assert_float_equal(got.position_x, 10.5, 1e-9);
    assert_float_equal(got.position_y, 64, 1e-9);
    assert_float_equal(got.position_z, -3.25, 1e-9);

    got.level = 4;
    got.experience = 2000;
    cJSON_ReplaceItemInObjectCaseSensitive(got.stats, "health", cJSON_CreateNumber(45));
    cJSON_AddNumberToObject(got.stats, "strength", 11);
    cJSON_Delete(got.appearance);
    got.appearance = NULL; /* keeps the stored appearance */
    got.position_x = -100;
    snprintf(got.character_class, sizeof got.character_class, "archmage");
    ASSERT_OK(characters_update(s, &got, err));
    character_row_clear(&got);

    ASSERT_OK(characters_get_by_name(s, w1, "Kara", &got, err));
    assert_int_equal(got.id, c.id);
    assert_int_equal(got.level, 4);
    assert_int_equal(got.experience, 2000);
    assert_string_equal(got.character_class, "archmage");
    assert_int_equal((int)jnum(got.stats, "health"), 45);
    assert_int_equal((int)jnum(got.stats, "strength"), 11);
    assert_int_equal((int)jnum(got.stats, "mana"), 120);
    assert_string_equal(jstr(got.appearance, "hair"), "silver");
    assert_float_equal(got.position_x, -100, 1e-9);
    character_row_clear(&got);

    ASSERT_OK(characters_set_position(s, c.id, 1.5, 2.5, 3.5, err));
    ASSERT_OK(characters_get(s, c.id, &got, err));
    assert_float_equal(got.position_x, 1.5, 1e-9);
    assert_float_equal(got.position_y, 2.5, 1e-9);
    assert_float_equal(got.position_z, 3.5, 1e-9);
    assert_int_equal(got.level, 4);
    character_row_clear(&got);

    /* the same name in another world is another character */
    int64_t alt = add_character(uid, w2, "Kara");
    int64_t npc = add_character(0, w1, "Old Tom");
    ASSERT_OK(characters_get(s, npc, &got, err));
    assert_int_equal(got.user_id, 0);
    character_row_clear(&got);

    CharacterRow *rows = NULL;
    int n = 0;
    ASSERT_OK(characters_list_by_user(s, uid, w1, &rows, &n, err));
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, c.id);
    assert_int_equal((int)jnum(rows[0].stats, "health"), 45);
    characters_list_free(rows, n);
    ASSERT_OK(characters_list_by_user(s, uid, 0, &rows, &n, err));
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].id, c.id);
    assert_int_equal(rows[1].id, alt);
    characters_list_free(rows, n);
    ASSERT_OK(characters_list_by_world(s, w1, &rows, &n, err));
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].name, "Kara");
    assert_string_equal(rows[1].name, "Old Tom");
    characters_list_free(rows, n);

    ASSERT_OK(characters_delete(s, c.id, err));
    ASSERT_FAILS(MA_ERR_NOT_FOUND, characters_get(s, c.id, &got, err), "no character", "with id");
    ASSERT_FAILS(MA_ERR_NOT_FOUND, characters_get_by_name(s, w1, "Kara", &got, err), "'Kara'", "world");
    ASSERT_FAILS(MA_ERR_NOT_FOUND, characters_delete(s, c.id, err), "no character", "delete");
    got.id = c.id;
    ASSERT_FAILS(MA_ERR_NOT_FOUND, characters_update(s, &got, err), "no character", "with id");
    ASSERT_FAILS(MA_ERR_NOT_FOUND, characters_set_position(s, c.id, 0, 0, 0, err), "no character", "with id");
    ASSERT_OK(characters_list_by_world(s, w1, &rows, &n, err));
    assert_int_equal(n, 1);
    characters_list_free(rows, n);
}

static void test_characters_refuse_missing_world_level_zero_and_taken_names(void **state)
{
    (void)state;
    int64_t world = add_world("Eldoria");
    int64_t uid = add_user("lio");
    add_character(uid, world, "Lio");

    CharacterRow c = {0};
    c.user_id = uid;
    c.world_id = 4242;
    snprintf(c.name, sizeof c.name, "Wanderer");
    snprintf(c.character_class, sizeof c.character_class, "bard");
    c.level = 1;
    ASSERT_FAILS(MA_ERR_CONSTRAINT, characters_insert(s, &c, err), "'Wanderer'", "no world with id 4242");
    c.world_id = world;
    c.user_id = 999;
    ASSERT_FAILS(MA_ERR_CONSTRAINT, characters_insert(s, &c, err), "'Wanderer'", "no user with id 999");
    c.user_id = uid;
    c.level = 0;
    ASSERT_FAILS(MA_ERR_CONSTRAINT, characters_insert(s, &c, err), "adding character 'Wanderer'", "level");
    c.level = 1;
    c.experience = -5;
    ASSERT_FAILS(MA_ERR_CONSTRAINT, characters_insert(s, &c, err), "adding character 'Wanderer'", "experience");
    c.experience = 0;
    snprintf(c.name, sizeof c.name, "Lio");
    ASSERT_FAILS(MA_ERR_CONSTRAINT, characters_insert(s, &c, err), "already has a character", "'Lio'");

    /* an update to level 0 is refused and the stored level stays */
    CharacterRow got = {0};
    ASSERT_OK(characters_get_by_name(s, world, "Lio", &got, err));
    got.level = 0;
    ASSERT_FAILS(MA_ERR_CONSTRAINT, characters_update(s, &got, err), "updating character", "level");
    character_row_clear(&got);
    ASSERT_OK(characters_get_by_name(s, world, "Lio", &got, err));
    assert_int_equal(got.level, 1);
    character_row_clear(&got);

    CharacterRow *rows = NULL;
    int n = 0;
    ASSERT_OK(characters_list_by_world(s, world, &rows, &n, err));
    assert_int_equal(n, 1);
    characters_list_free(rows, n);
}

/* ------------------------------------------------------------ inventory */

static InventoryRow make_item(int64_t character_id, const char *type, const char *name, int qty, int slot)
{
    InventoryRow r = {0};
    r.character_id = character_id;
    snprintf(r.item_type, sizeof r.item_type, "%s", type);
    snprintf(r.item_name, sizeof r.item_name, "%s", name);
    r.quantity = qty;
    r.slot_position = slot;
    return r;
}

static void test_inventory_round_trip_orders_by_slot_and_finds_stacks(void **state)
{
    (void)state;
    int64_t world = add_world("Eldoria");
    int64_t hero = add_character(add_user("mira"), world, "Mira");

    InventoryRow sword = make_item(hero, "weapon", "iron_sword", 1, 2);
    sword.item_data = json("{\"durability\": 250, \"enchantments\": [\"sharpness\"]}");
    ASSERT_OK(inventory_add(s, &sword, err));
    assert_true(sword.id > 0);
    assert_int_equal(strlen(sword.acquired_at), 24);
    inventory_row_clear(&sword);
    InventoryRow wood = make_item(hero, "material", "oak_log", 12, 0);
    ASSERT_OK(inventory_add(s, &wood, err));
    InventoryRow loose = make_item(hero, "material", "oak_log", 3, INVENTORY_NO_SLOT);
    ASSERT_OK(inventory_add(s, &loose, err));

    InventoryRow got = {0};
    ASSERT_OK(inventory_get(s, sword.id, &got, err));
    assert_int_equal(got.character_id, hero);
    assert_string_equal(got.item_type, "weapon");
    assert_string_equal(got.item_name, "iron_sword");
    assert_int_equal(got.quantity, 1);
    assert_int_equal(got.slot_position, 2);
    assert_int_equal((int)jnum(got.item_data, "durability"), 250);
    const cJSON *ench = cJSON_GetObjectItemCaseSensitive(got.item_data, "enchantments");
    assert_int_equal(cJSON_GetArraySize(ench), 1);
    assert_string_equal(cJSON_GetArrayItem(ench, 0)->valuestring, "sharpness");

    got.quantity = 1;
    got.slot_position = 5;
    cJSON_ReplaceItemInObjectCaseSensitive(got.item_data, "durability", cJSON_CreateNumber(249));
    ASSERT_OK(inventory_update(s, &got, err));
    inventory_row_clear(&got);
    ASSERT_OK(inventory_get(s, sword.id, &got, err));
    assert_int_equal(got.slot_position, 5);
    assert_int_equal((int)jnum(got.item_data, "durability"), 249);
    inventory_row_clear(&got);

    ASSERT_OK(inventory_get(s, loose.id, &got, err));
    assert_int_equal(got.slot_position, INVENTORY_NO_SLOT);
    assert_true(cJSON_IsObject(got.item_data));
    inventory_row_clear(&got);

    InventoryRow *rows = NULL;
    int n = 0;
    ASSERT_OK(inventory_list(s, hero, &rows, &n, err));
    assert_int_equal(n, 3);
    assert_int_equal(rows[0].slot_position, 0);
    assert_string_equal(rows[0].item_name, "oak_log");
    assert_int_equal(rows[1].slot_position, 5);
    assert_string_equal(rows[1].item_name, "iron_sword");
    assert_int_equal(rows[2].slot_position, INVENTORY_NO_SLOT);
    inventory_list_free(rows, n);

    /* the stack to add to: the slotted one before the loose one */
    ASSERT_OK(inventory_find_stack(s, hero, "oak_log", &got, err));
    assert_int_equal(got.id, wood.id);
    got.quantity += 4;
    ASSERT_OK(inventory_update(s, &got, err));
    inventory_row_clear(&got);
    ASSERT_OK(inventory_get(s, wood.id, &got, err));
    assert_int_equal(got.quantity, 16);
    inventory_row_clear(&got);
    ASSERT_FAILS(MA_ERR_NOT_FOUND, inventory_find_stack(s, hero, "diamond", &got, err), "'diamond'", "character");

    ASSERT_OK(inventory_delete(s, wood.id, err));
    ASSERT_OK(inventory_find_stack(s, hero, "oak_log", &got, err));
    assert_int_equal(got.id, loose.id);
    inventory_row_clear(&got);
    ASSERT_FAILS(MA_ERR_NOT_FOUND, inventory_get(s, wood.id, &got, err), "no inventory item", "with id");
    ASSERT_FAILS(MA_ERR_NOT_FOUND, inventory_delete(s, wood.id, err), "no inventory item", "delete");
    ASSERT_OK(inventory_list(s, hero, &rows, &n, err));
    assert_int_equal(n, 2);
    inventory_list_free(rows, n);
}

static void test_inventory_refuses_quantity_zero_taken_slot_and_missing_character(void **state)
{
    (void)state;
    int64_t world = add_world("Eldoria");
    int64_t hero = add_character(add_user("nell"), world, "Nell");
    InventoryRow zero = make_item(hero, "food", "bread", 0, 1);
    ASSERT_FAILS(MA_ERR_CONSTRAINT, inventory_add(s, &zero, err), "'bread'", "quantity must be at least 1");

    InventoryRow bread = make_item(hero, "food", "bread", 2, 1);
    ASSERT_OK(inventory_add(s, &bread, err));
    InventoryRow apple = make_item(hero, "food", "apple", 1, 1);
    ASSERT_FAILS(MA_ERR_CONSTRAINT, inventory_add(s, &apple, err), "slot 1", "already holds");
    InventoryRow orphan = make_item(31337, "food", "apple", 1, 0);
    ASSERT_FAILS(MA_ERR_CONSTRAINT, inventory_add(s, &orphan, err), "apple", "no character with id 31337");

    bread.quantity = 0;
    ASSERT_FAILS(MA_ERR_CONSTRAINT, inventory_update(s, &bread, err), "updating inventory item", "quantity");
    InventoryRow got = {0};
    ASSERT_OK(inventory_get(s, bread.id, &got, err));
    assert_int_equal(got.quantity, 2);
    inventory_row_clear(&got);

    InventoryRow *rows = NULL;
    int n = 0;
    ASSERT_OK(inventory_list(s, hero, &rows, &n, err));
    assert_int_equal(n, 1);
    inventory_list_free(rows, n);
}

/* ------------------------------------------------------------ skills */

static void test_skills_upsert_get_update_list_delete(void **state)
{
    (void)state;
    int64_t world = add_world("Eldoria");
    int64_t hero = add_character(add_user("otto"), world, "Otto");

    SkillRow r = {0};
    r.character_id = hero;
    snprintf(r.skill_name, sizeof r.skill_name, "smithing");
    r.skill_level = 2;
    r.experience_points = 150;
    r.skill_data = json("{\"specialisation\": \"armour\", \"mastery\": 0.25}");
    ASSERT_OK(skills_upsert(s, &r, err));
    int64_t id = r.id;
    assert_true(id > 0);
    assert_int_equal(strlen(r.updated_at), 24);
    skill_row_clear(&r);

    SkillRow got = {0};
    ASSERT_OK(skills_get(s, hero, "smithing", &got, err));
    assert_int_equal(got.id, id);
    assert_int_equal(got.character_id, hero);
    assert_int_equal(got.skill_level, 2);
    assert_int_equal(got.experience_points, 150);
    assert_string_equal(jstr(got.skill_data, "specialisation"), "armour");
    assert_float_equal(jnum(got.skill_data, "mastery"), 0.25, 1e-9);
    skill_row_clear(&got);

    /* the same skill again: the row is overwritten in place; NULL data kept */
    r.skill_level = 3;
    r.experience_points = 400;
    ASSERT_OK(skills_upsert(s, &r, err));
    assert_int_equal(r.id, id);
    ASSERT_OK(skills_get(s, hero, "smithing", &got, err));
    assert_int_equal(got.skill_level, 3);
    assert_int_equal(got.experience_points, 400);
    assert_string_equal(jstr(got.skill_data, "specialisation"), "armour");

    got.skill_level = 5;
    got.experience_points = 1000;
    cJSON_ReplaceItemInObjectCaseSensitive(got.skill_data, "specialisation", cJSON_CreateString("weapons"));
    ASSERT_OK(skills_update(s, &got, err));
    skill_row_clear(&got);
    ASSERT_OK(skills_get(s, hero, "smithing", &got, err));
    assert_int_equal(got.skill_level, 5);
    assert_int_equal(got.experience_points, 1000);
    assert_string_equal(jstr(got.skill_data, "specialisation"), "weapons");
    assert_float_equal(jnum(got.skill_data, "mastery"), 0.25, 1e-9);
    skill_row_clear(&got);

    SkillRow other = {0};
    other.character_id = hero;
    snprintf(other.skill_name, sizeof other.skill_name, "archery");
    other.skill_level = 1;
    ASSERT_OK(skills_upsert(s, &other, err));
    SkillRow *rows = NULL;
    int n = 0;
    ASSERT_OK(skills_list(s, hero, &rows, &n, err));
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].skill_name, "archery");
    assert_true(cJSON_IsObject(rows[0].skill_data));
    assert_int_equal(cJSON_GetArraySize(rows[0].skill_data), 0);
    assert_string_equal(rows[1].skill_name, "smithing");
    assert_int_equal(rows[1].skill_level, 5);
    skills_list_free(rows, n);

    ASSERT_OK(skills_delete(s, hero, "smithing", err));
    ASSERT_FAILS(MA_ERR_NOT_FOUND, skills_get(s, hero, "smithing", &got, err), "no skill", "'smithing'");
    ASSERT_FAILS(MA_ERR_NOT_FOUND, skills_delete(s, hero, "smithing", err), "no skill", "'smithing'");
    got.id = id;
    got.skill_level = 1;
    ASSERT_FAILS(MA_ERR_NOT_FOUND, skills_update(s, &got, err), "no skill", "with id");
    ASSERT_OK(skills_list(s, hero, &rows, &n, err));
    assert_int_equal(n, 1);
    skills_list_free(rows, n);
}

static void test_skills_refuse_level_zero_and_missing_character(void **state)
{
    (void)state;
    int64_t world = add_world("Eldoria");
    int64_t hero = add_character(add_user("pia"), world, "Pia");
    SkillRow r = {0};
    r.character_id = hero;
    snprintf(r.skill_name, sizeof r.skill_name, "alchemy");
    r.skill_level = 0;
    ASSERT_FAILS(MA_ERR_CONSTRAINT, skills_upsert(s, &r, err), "skill 'alchemy'", "skill_level");
    r.skill_level = 1;
    r.character_id = 5555;
    ASSERT_FAILS(MA_ERR_CONSTRAINT, skills_upsert(s, &r, err), "'alchemy'", "no character with id 5555");
    SkillRow *rows = NULL;
    int n = -1;
    ASSERT_OK(skills_list(s, hero, &rows, &n, err));
    assert_int_equal(n, 0);
}

/* ------------------------------------------------------------ relationships */

static void test_relationships_upsert_get_change_list_delete(void **state)
{
    (void)state;
    int64_t world = add_world("Eldoria");
    int64_t uid = add_user("quinn");
    int64_t a = add_character(uid, world, "Quinn");
    int64_t b = add_character(0, world, "Rook");
    int64_t c = add_character(0, world, "Sable");

    RelationshipRow r = {0};
    r.character_id = a;
    r.target_character_id = b;
    snprintf(r.relationship_type, sizeof r.relationship_type, "friend");
    r.relationship_value = 20;
    r.interaction_history = json("[{\"event\": \"met\", \"where\": \"tavern\"}]");
    ASSERT_OK(relationships_upsert(s, &r, err));
    int64_t id = r.id;
    assert_true(id > 0);
    relationship_row_clear(&r);

    RelationshipRow got = {0};
    ASSERT_OK(relationships_get(s, a, b, &got, err));
    assert_int_equal(got.id, id);
    assert_string_equal(got.relationship_type, "friend");
    assert_int_equal(got.relationship_value, 20);
    assert_int_equal(cJSON_GetArraySize(got.interaction_history), 1);
    assert_string_equal(jstr(cJSON_GetArrayItem(got.interaction_history, 0), "where"), "tavern");
    relationship_row_clear(&got);
    ASSERT_FAILS(MA_ERR_NOT_FOUND, relationships_get(s, b, a, &got, err), "no relationship", "towards");

    /* change: value moves, the interaction is appended, the rest stays */
    cJSON *gift = json("{\"event\": \"gift\", \"item\": \"apple\"}");
    int value = 0;
    ASSERT_OK(relationships_change(s, a, b, 15, gift, &value, err));
    assert_int_equal(value, 35);
    ASSERT_OK(relationships_change(s, a, b, -5, NULL, &value, err));
    assert_int_equal(value, 30);
    ASSERT_OK(relationships_get(s, a, b, &got, err));
    assert_int_equal(got.relationship_value, 30);
    assert_string_equal(got.relationship_type, "friend");
    assert_int_equal(cJSON_GetArraySize(got.interaction_history), 2);
    assert_string_equal(jstr(cJSON_GetArrayItem(got.interaction_history, 0), "event"), "met");
    assert_string_equal(jstr(cJSON_GetArrayItem(got.interaction_history, 1), "event"), "gift");
    assert_string_equal(jstr(cJSON_GetArrayItem(got.interaction_history, 1), "item"), "apple");
    relationship_row_clear(&got);

    /* the value saturates at the ends of -100..100 */
    ASSERT_OK(relationships_change(s, a, b, 500, gift, &value, err));
    assert_int_equal(value, 100);
    ASSERT_OK(relationships_change(s, a, b, -1000, NULL, &value, err));
    assert_int_equal(value, -100);

    /* a first interaction creates the relationship */
    ASSERT_OK(relationships_change(s, a, c, -7, gift, &value, err));
    assert_int_equal(value, -7);
    ASSERT_OK(relationships_get(s, a, c, &got, err));
    assert_string_equal(got.relationship_type, "acquaintance");
    assert_int_equal(cJSON_GetArraySize(got.interaction_history), 1);
    assert_string_equal(jstr(cJSON_GetArrayItem(got.interaction_history, 0), "item"), "apple");
    relationship_row_clear(&got);
    cJSON_Delete(gift);

    /* upsert over an existing row: new type and value, history kept when NULL */
    r.relationship_value = -40;
    snprintf(r.relationship_type, sizeof r.relationship_type, "rival");
    ASSERT_OK(relationships_upsert(s, &r, err));
    assert_int_equal(r.id, id);
    ASSERT_OK(relationships_get(s, a, b, &got, err));
    assert_string_equal(got.relationship_type, "rival");
    assert_int_equal(got.relationship_value, -40);
    assert_int_equal(cJSON_GetArraySize(got.interaction_history), 3);
    relationship_row_clear(&got);

    RelationshipRow *rows = NULL;
    int n = 0;
    ASSERT_OK(relationships_list(s, a, &rows, &n, err));
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].target_character_id, b);
    assert_string_equal(rows[0].relationship_type, "rival");
    assert_int_equal(rows[1].target_character_id, c);
    assert_int_equal(rows[1].relationship_value, -7);
    relationships_list_free(rows, n);
    ASSERT_OK(relationships_list(s, b, &rows, &n, err));
    assert_int_equal(n, 0); /* B holds no view of A */

    ASSERT_OK(relationships_delete(s, a, b, err));
    ASSERT_FAILS(MA_ERR_NOT_FOUND, relationships_get(s, a, b, &got, err), "no relationship", "towards");
    ASSERT_FAILS(MA_ERR_NOT_FOUND, relationships_delete(s, a, b, err), "no relationship", "delete");
    ASSERT_OK(relationships_list(s, a, &rows, &n, err));
    assert_int_equal(n, 1);
    relationships_list_free(rows, n);
}

static void test_relationships_refuse_out_of_range_self_and_missing_character(void **state)
{
    (void)state;
    int64_t world = add_world("Eldoria");
    int64_t a = add_character(0, world, "Tamsin");
    int64_t b = add_character(0, world, "Ulric");

    RelationshipRow r = {0};
    r.character_id = a;
    r.target_character_id = b;
    r.relationship_value = 150;
    ASSERT_FAILS(MA_ERR_CONSTRAINT, relationships_upsert(s, &r, err), "between -100 and 100", "150");
    r.relationship_value = -101;
    ASSERT_FAILS(MA_ERR_CONSTRAINT, relationships_upsert(s, &r, err), "between -100 and 100", "-101");
    r.relationship_value = 0;
    r.target_character_id = a;
    ASSERT_FAILS(MA_ERR_CONSTRAINT, relationships_upsert(s, &r, err), "with itself", "character");
    ASSERT_FAILS(MA_ERR_CONSTRAINT, relationships_change(s, a, a, 5, NULL, NULL, err), "with itself", "character");
    r.target_character_id = 8080;
    ASSERT_FAILS(MA_ERR_CONSTRAINT, relationships_upsert(s, &r, err), "8080", "does not exist");
    cJSON *note = json("{\"event\": \"wave\"}");
    ASSERT_FAILS(MA_ERR_CONSTRAINT, relationships_change(s, a, 8080, 5, note, NULL, err), "8080", "does not exist");
    cJSON_Delete(note);

    RelationshipRow *rows = NULL;
    int n = -1;
    ASSERT_OK(relationships_list(s, a, &rows, &n, err));
    assert_int_equal(n, 0);
}

/* ------------------------------------------------------------ cascades */

static void test_deleting_a_character_removes_its_inventory_skills_and_relationships(void **state)
{
    (void)state;
    int64_t world = add_world("Eldoria");
    int64_t uid = add_user("vera");
    int64_t doomed = add_character(uid, world, "Vera");
    int64_t friend_ = add_character(0, world, "Wren");

    InventoryRow item = make_item(doomed, "tool", "pickaxe", 1, 0);
    ASSERT_OK(inventory_add(s, &item, err));
    InventoryRow kept = make_item(friend_, "tool", "shovel", 1, 0);
    ASSERT_OK(inventory_add(s, &kept, err));
    SkillRow sk = {0};
    sk.character_id = doomed;
    snprintf(sk.skill_name, sizeof sk.skill_name, "mining");
    sk.skill_level = 1;
    ASSERT_OK(skills_upsert(s, &sk, err));
    ASSERT_OK(relationships_change(s, doomed, friend_, 10, NULL, NULL, err));
    ASSERT_OK(relationships_change(s, friend_, doomed, 10, NULL, NULL, err)); /* the view of her, held by Wren */

    ASSERT_OK(characters_delete(s, doomed, err));

    InventoryRow *items = NULL;
    SkillRow *skills = NULL;
    RelationshipRow *rels = NULL;
    int n = -1;
    ASSERT_OK(inventory_list(s, doomed, &items, &n, err));
    assert_int_equal(n, 0);
    InventoryRow got = {0};
    ASSERT_FAILS(MA_ERR_NOT_FOUND, inventory_get(s, item.id, &got, err), "no inventory item", "with id");
    ASSERT_OK(skills_list(s, doomed, &skills, &n, err));
    assert_int_equal(n, 0);
    ASSERT_OK(relationships_list(s, doomed, &rels, &n, err));
    assert_int_equal(n, 0);
    ASSERT_OK(relationships_list(s, friend_, &rels, &n, err));
    assert_int_equal(n, 0);
    ASSERT_OK(inventory_list(s, friend_, &items, &n, err)); /* the other character keeps hers */
    assert_int_equal(n, 1);
    inventory_list_free(items, n);
}

/* ------------------------------------------------------------ achievements */

static void test_achievements_unlock_once_list_has_points_and_revoke(void **state)
{
    (void)state;
    int64_t uid = add_user("xan");
    int64_t other = add_user("yara");

    AchievementRow a = {0};
    a.user_id = uid;
    snprintf(a.achievement_name, sizeof a.achievement_name, "dragon_slayer");
    snprintf(a.description, sizeof a.description, "Defeat the dragon of the north");
    a.points = 50;
    a.unlock_data = json("{\"character\": \"Xan\", \"world\": \"Eldoria\", \"day\": 12}");
    int already = -1;
    ASSERT_OK(achievements_unlock(s, &a, &already, err));
    assert_int_equal(already, 0);
    assert_true(a.id > 0);
    assert_int_equal(strlen(a.unlocked_at), 24);
    achievement_row_clear(&a);

    AchievementRow b = {0};
    b.user_id = uid;
    snprintf(b.achievement_name, sizeof b.achievement_name, "first_steps");
    b.points = 5;
    ASSERT_OK(achievements_unlock(s, &b, NULL, err));
    AchievementRow c = {0};
    c.user_id = other;
    snprintf(c.achievement_name, sizeof c.achievement_name, "dragon_slayer");
    c.points = 50;
    ASSERT_OK(achievements_unlock(s, &c, NULL, err));

    /* earned twice: refused, told apart from a real failure, nothing written */
    AchievementRow again = {0};
    again.user_id = uid;
    snprintf(again.achievement_name, sizeof again.achievement_name, "dragon_slayer");
    again.points = 999;
    ASSERT_FAILS(MA_ERR_CONSTRAINT, achievements_unlock(s, &again, &already, err), "already earned",
                 "'dragon_slayer'");
    assert_int_equal(already, 1);

    AchievementRow got = {0};
    ASSERT_OK(achievements_get(s, uid, "dragon_slayer", &got, err));
    assert_int_equal(got.id, a.id);
    assert_int_equal(got.points, 50);
    assert_string_equal(got.description, "Defeat the dragon of the north");
    assert_string_equal(jstr(got.unlock_data, "character"), "Xan");
    assert_string_equal(jstr(got.unlock_data, "world"), "Eldoria");
    assert_int_equal((int)jnum(got.unlock_data, "day"), 12);
    assert_string_equal(got.unlocked_at, a.unlocked_at);
    achievement_row_clear(&got);

    int has = -1;
    ASSERT_OK(achievements_has(s, uid, "first_steps", &has, err));
    assert_int_equal(has, 1);
    ASSERT_OK(achievements_has(s, other, "first_steps", &has, err));
    assert_int_equal(has, 0);
    int64_t total = -1;
    ASSERT_OK(achievements_total_points(s, uid, &total, err));
    assert_int_equal(total, 55);
    ASSERT_OK(achievements_total_points(s, 31337, &total, err));
    assert_int_equal(total, 0);

    AchievementRow *rows = NULL;
    int n = 0;
    ASSERT_OK(achievements_list(s, uid, &rows, &n, err));
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].achievement_name, "dragon_slayer");
    assert_string_equal(rows[1].achievement_name, "first_steps");
    assert_true(cJSON_IsObject(rows[1].unlock_data));
    achievements_list_free(rows, n);

    ASSERT_OK(achievements_revoke(s, a.id, err));
    ASSERT_FAILS(MA_ERR_NOT_FOUND, achievements_get(s, uid, "dragon_slayer", &got, err), "has not earned",
                 "'dragon_slayer'");
    ASSERT_FAILS(MA_ERR_NOT_FOUND, achievements_revoke(s, a.id, err), "no achievement", "revoke");
    ASSERT_OK(achievements_total_points(s, uid, &total, err));
    assert_int_equal(total, 5);
    /* once revoked it can be earned again */
    ASSERT_OK(achievements_unlock(s, &again, &already, err));
    assert_int_equal(already, 0);
}

static void test_achievements_refuse_missing_user_and_negative_points(void **state)
{
    (void)state;
    AchievementRow a = {0};
    a.user_id = 4040;
    snprintf(a.achievement_name, sizeof a.achievement_name, "ghost");
    int already = -1;
    ASSERT_FAILS(MA_ERR_CONSTRAINT, achievements_unlock(s, &a, &already, err), "'ghost'", "no user with id 4040");
    assert_int_equal(already, 0);
    a.user_id = add_user("zed");
    a.points = -1;
    ASSERT_FAILS(MA_ERR_CONSTRAINT, achievements_unlock(s, &a, &already, err), "unlocking 'ghost'", "points");
    assert_int_equal(already, 0);
    int has = 1;
    ASSERT_OK(achievements_has(s, a.user_id, "ghost", &has, err));
    assert_int_equal(has, 0);
}

/* ------------------------------------------------------------ recipes */

static RecipeRow make_recipe(const char *name, const char *type, const char *ingredients, const char *result)
{
    RecipeRow r = {0};
    snprintf(r.recipe_name, sizeof r.recipe_name, "%s", name);
    snprintf(r.recipe_type, sizeof r.recipe_type, "%s", type);
    r.ingredients = json(ingredients);
    r.result_item = json(result);
    r.required_level = 1;
    return r;
}

static void test_recipes_insert_get_upsert_list_delete(void **state)
{
    (void)state;
    RecipeRow chest = make_recipe("chest", "carpentry", "[{\"item\": \"oak_plank\", \"count\": 8}]",
                                  "{\"item\": \"chest\", \"count\": 1}");
    chest.required_level = 2;
    chest.unlock_conditions = json("{\"skill\": \"carpentry\", \"level\": 2}");
    ASSERT_OK(recipes_insert(s, &chest, err));
    assert_true(chest.id > 0);
    assert_int_equal(strlen(chest.created_at), 24);
    recipe_row_clear(&chest);
    RecipeRow torch = make_recipe("torch", "", "[{\"item\": \"stick\", \"count\": 1}, {\"item\": \"coal\", \"count\": 1}]",
                                  "{\"item\": \"torch\", \"count\": 4}");
    ASSERT_OK(recipes_insert(s, &torch, err));
    recipe_row_clear(&torch);

    RecipeRow got = {0};
    ASSERT_OK(recipes_get_by_name(s, "chest", &got, err));
    assert_int_equal(got.id, chest.id);
    assert_int_equal(cJSON_GetArraySize(got.ingredients), 1);
    assert_string_equal(jstr(cJSON_GetArrayItem(got.ingredients, 0), "item"), "oak_plank");
    assert_int_equal((int)jnum(cJSON_GetArrayItem(got.ingredients, 0), "count"), 8);
    assert_string_equal(jstr(got.result_item, "item"), "chest");
    assert_int_equal((int)jnum(got.result_item, "count"), 1);
    assert_int_equal(got.required_level, 2);
    assert_string_equal(got.recipe_type, "carpentry");
    assert_string_equal(jstr(got.unlock_conditions, "skill"), "carpentry");
    assert_int_equal((int)jnum(got.unlock_conditions, "level"), 2);
    assert_string_equal(got.created_at, chest.created_at);
    recipe_row_clear(&got);

    ASSERT_OK(recipes_get(s, torch.id, &got, err));
    assert_string_equal(got.recipe_name, "torch");
    assert_string_equal(got.recipe_type, "general");
    assert_int_equal(cJSON_GetArraySize(got.ingredients), 2);
    assert_string_equal(jstr(cJSON_GetArrayItem(got.ingredients, 1), "item"), "coal");
    assert_true(cJSON_IsObject(got.unlock_conditions));
    recipe_row_clear(&got);

    /* upsert by name: every column rewritten, id and created_at kept */
    RecipeRow chest2 = make_recipe("chest", "storage", "[{\"item\": \"oak_plank\", \"count\": 6}]",
                                   "{\"item\": \"chest\", \"count\": 2}");
    chest2.required_level = 3;
    ASSERT_OK(recipes_upsert(s, &chest2, err));
    assert_int_equal(chest2.id, chest.id);
    assert_string_equal(chest2.created_at, chest.created_at);
    recipe_row_clear(&chest2);
    RecipeRow lamp = make_recipe("lamp", "storage", "[{\"item\": \"glass\", \"count\": 1}]",
                                 "{\"item\": \"lamp\", \"count\": 1}");
    ASSERT_OK(recipes_upsert(s, &lamp, err)); /* a new name inserts */
    assert_true(lamp.id > torch.id);
    recipe_row_clear(&lamp);
    ASSERT_OK(recipes_get_by_name(s, "chest", &got, err));
    assert_int_equal(got.required_level, 3);
    assert_string_equal(got.recipe_type, "storage");
    assert_int_equal((int)jnum(cJSON_GetArrayItem(got.ingredients, 0), "count"), 6);
    assert_int_equal((int)jnum(got.result_item, "count"), 2);
    assert_null(cJSON_GetObjectItemCaseSensitive(got.unlock_conditions, "skill"));
    recipe_row_clear(&got);

    RecipeRow *rows = NULL;
    int n = 0;
    ASSERT_OK(recipes_list(s, NULL, &rows, &n, err));
    assert_int_equal(n, 3);
    assert_string_equal(rows[0].recipe_name, "chest");
    assert_string_equal(rows[1].recipe_name, "lamp");
    assert_string_equal(rows[2].recipe_name, "torch");
    recipes_list_free(rows, n);
    ASSERT_OK(recipes_list(s, "storage", &rows, &n, err));
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].recipe_name, "chest");
    assert_string_equal(rows[1].recipe_name, "lamp");
    recipes_list_free(rows, n);
    ASSERT_OK(recipes_list(s, "alchemy", &rows, &n, err));
    assert_int_equal(n, 0);

    ASSERT_OK(recipes_delete(s, chest.id, err));
    ASSERT_FAILS(MA_ERR_NOT_FOUND, recipes_get_by_name(s, "chest", &got, err), "no recipe", "'chest'");
    ASSERT_FAILS(MA_ERR_NOT_FOUND, recipes_get(s, chest.id, &got, err), "no recipe", "with id");
    ASSERT_FAILS(MA_ERR_NOT_FOUND, recipes_delete(s, chest.id, err), "no recipe", "delete");
    ASSERT_OK(recipes_list(s, NULL, &rows, &n, err));
    assert_int_equal(n, 2);
    recipes_list_free(rows, n);
}

static void test_recipes_refuse_duplicate_name_level_zero_and_missing_json(void **state)
{
    (void)state;
    RecipeRow r = make_recipe("bread", "cooking", "[{\"item\": \"wheat\", \"count\": 3}]",
                              "{\"item\": \"bread\", \"count\": 1}");
    ASSERT_OK(recipes_insert(s, &r, err));
    ASSERT_FAILS(MA_ERR_CONSTRAINT, recipes_insert(s, &r, err), "a recipe named 'bread'", "already exists");

    snprintf(r.recipe_name, sizeof r.recipe_name, "cake");
    r.required_level = 0;
    ASSERT_FAILS(MA_ERR_CONSTRAINT, recipes_insert(s, &r, err), "recipe 'cake'", "required_level");
    ASSERT_FAILS(MA_ERR_CONSTRAINT, recipes_upsert(s, &r, err), "recipe 'cake'", "required_level");
    r.required_level = 1;
    cJSON *ingredients = r.ingredients;
    r.ingredients = NULL;
    ASSERT_FAILS(MA_ERR_INVALID, recipes_insert(s, &r, err), "recipe 'cake'", "ingredients must be a JSON array");
    r.ingredients = ingredients;
    cJSON_Delete(r.result_item);
    r.result_item = cJSON_CreateArray();
    ASSERT_FAILS(MA_ERR_INVALID, recipes_insert(s, &r, err), "recipe 'cake'", "result_item must be a JSON object");
    recipe_row_clear(&r);

    RecipeRow *rows = NULL;
    int n = 0;
    ASSERT_OK(recipes_list(s, NULL, &rows, &n, err));
    assert_int_equal(n, 1);
    recipes_list_free(rows, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_users_round_trip_keeps_every_column),
        T(test_users_refuse_duplicates_and_bad_values_with_clear_messages),
        T(test_sessions_round_trip_and_logout),
        T(test_sessions_refuse_duplicate_token_unknown_user_and_bad_times),
        T(test_sessions_delete_expired_removes_only_expired_sessions),
        T(test_deleting_a_user_removes_sessions_characters_and_achievements),
        T(test_characters_round_trip_keeps_every_column),
        T(test_characters_refuse_missing_world_level_zero_and_taken_names),
        T(test_inventory_round_trip_orders_by_slot_and_finds_stacks),
        T(test_inventory_refuses_quantity_zero_taken_slot_and_missing_character),
        T(test_skills_upsert_get_update_list_delete),
        T(test_skills_refuse_level_zero_and_missing_character),
        T(test_relationships_upsert_get_change_list_delete),
        T(test_relationships_refuse_out_of_range_self_and_missing_character),
        T(test_deleting_a_character_removes_its_inventory_skills_and_relationships),
        T(test_achievements_unlock_once_list_has_points_and_revoke),
        T(test_achievements_refuse_missing_user_and_negative_points),
        T(test_recipes_insert_get_upsert_list_delete),
        T(test_recipes_refuse_duplicate_name_level_zero_and_missing_json),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
