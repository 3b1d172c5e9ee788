/* test_auth.c — players, passwords, lockout and sessions. */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "game/auth.h"
#include "save/save.h"

static char *dir;
static Save *save;
static const int64_t T0 = 1800000000000LL; /* a fixed clock: 2027-01-15 */

static int setup(void **state)
{
    (void)state;
    setenv("MAGIC_BCRYPT_COST", "4", 1);
    dir = th_tmpdir();
    Err err = {0};
    if (save_open(th_path(dir, "auth.db"), SAVE_CREATE, &save, &err) != MA_OK)
        fail_msg("%s", err.msg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    save_close(save);
    th_tmpdir_free(dir);
    return 0;
}

static void test_password_is_stored_only_as_bcrypt_hash(void **state)
{
    (void)state;
    char pw[] = "correct horse";
    Err err = {0};
    int64_t id = 0;
    assert_int_equal(auth_create_user(save, "ann", pw, &id, &err), MA_OK);
    /* The caller's copy is wiped. */
    assert_int_equal(pw[0], '\0');
    UserRow u;
    assert_int_equal(users_get(save, id, &u, &err), MA_OK);
    assert_memory_equal(u.password_hash, "$2b$", 4);
    assert_null(strstr(u.password_hash, "correct horse"));
    user_row_clear(&u);
    /* Nowhere in the file either. */
    save_close(save);
    size_t len;
    char *bytes = th_read_file(th_path(dir, "auth.db"), &len);
    char *wal = th_read_file(th_path(dir, "auth.db-wal"), NULL);
    assert_null(memmem(bytes, len, "correct horse", 13));
    if (wal)
        assert_null(strstr(wal, "correct horse"));
    free(bytes);
    free(wal);
    assert_int_equal(save_open(th_path(dir, "auth.db"), 0, &save, &err), MA_OK);
}

static void test_right_password_signs_in_with_a_session(void **state)
{
    (void)state;
    char pw[] = "opensesame";
    Err err = {0};
    assert_int_equal(auth_create_user(save, "bob", pw, NULL, &err), MA_OK);
    char good[] = "opensesame";
    AuthOutcome o;
    assert_int_equal(auth_sign_in(save, "bob", good, T0, &o, &err), MA_OK);
    assert_int_equal(strlen(o.token), 64);
    int64_t uid = 0;
    assert_int_equal(auth_session_user(save, o.token, T0 + 1000, &uid, &err), MA_OK);
    assert_int_equal(uid, o.user_id);
    /* Sessions expire. */
    assert_int_equal(auth_session_user(save, o.token, T0 + 25LL * 3600 * 1000, &uid, &err), MA_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "expired"));
    UserRow u;
    assert_int_equal(users_get(save, o.user_id, &u, &err), MA_OK);
    assert_string_not_equal(u.last_login, "");
    user_row_clear(&u);
}

static void test_wrong_password_counts_down_then_locks_until_a_time(void **state)
{
    (void)state;
    char pw[] = "s3cret";
    Err err = {0};
    assert_int_equal(auth_create_user(save, "cy", pw, NULL, &err), MA_OK);
    AuthOutcome o;
    for (int i = 1; i <= 4; i++) {
        char bad[] = "guess";
        assert_int_equal(auth_sign_in(save, "cy", bad, T0 + i, &o, &err), MA_ERR_INVALID);
        assert_int_equal(o.tries_left, 5 - i);
        assert_non_null(strstr(err.msg, "wrong password"));
    }
    char bad[] = "guess";
    assert_int_equal(auth_sign_in(save, "cy", bad, T0 + 5, &o, &err), MA_ERR_LOCKED);
    assert_non_null(strstr(err.msg, "locked until"));
    /* Even the right password is refused while locked. */
    char right[] = "s3cret";
    assert_int_equal(auth_sign_in(save, "cy", right, T0 + 60 * 1000, &o, &err), MA_ERR_LOCKED);
    assert_string_not_equal(o.locked_until, "");
    /* After the lock expires, the right password works again. */
    char right2[] = "s3cret";
    assert_int_equal(auth_sign_in(save, "cy", right2, T0 + 16LL * 60 * 1000, &o, &err), MA_OK);
}

static void test_local_player_without_password_signs_in(void **state)
{
    (void)state;
    Err err = {0};
    assert_int_equal(auth_create_user(save, "dee", NULL, NULL, &err), MA_OK);
    assert_int_equal(auth_has_password(save, "dee", &err), 0);
    AuthOutcome o;
    assert_int_equal(auth_sign_in(save, "dee", NULL, T0, &o, &err), MA_OK);
    assert_int_equal(auth_sign_in(save, "nobody", NULL, T0, &o, &err), MA_ERR_NOT_FOUND);
    assert_int_equal(auth_create_user(save, "dee", NULL, NULL, &err), MA_ERR_CONSTRAINT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_is_stored_only_as_bcrypt_hash),
        cmocka_unit_test(test_right_password_signs_in_with_a_session),
        cmocka_unit_test(test_wrong_password_counts_down_then_locks_until_a_time),
        cmocka_unit_test(test_local_player_without_password_signs_in),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
