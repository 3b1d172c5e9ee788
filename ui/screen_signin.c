/* screen_signin.c — signing a player in (the password, a session kept for Continue), and
 * picking or creating the player for a new game. See screen_signin.h. */
#include "screen_signin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/auth.h"
#include "save/users.h"
#include "launch.h"
#include "screen_lists.h"
#include "session_file.h"
#include "term.h"
#include "util/timeutil.h"

static const char *g_save_path = ""; /* for the session file (session_file.h) */

void screen_signin_init(const char *save_path)
{
    g_save_path = save_path;
}

/* Keeps a new session's token for Continue (a failure only means a password next time). */
void screen_signin_keep(const char *username, const AuthOutcome *out)
{
    if (out->token[0])
        session_file_write(g_save_path, username, out->token);
}

/* 1 when this client kept a live session of username: Continue needs no password then. */
int screen_signin_resume(Save *s, const char *username)
{
    char token[160];
    if (!session_file_read(g_save_path, username, token, sizeof token))
        return 0;
    int ok = auth_session_resume(s, username, token, time_now_ms(), NULL) == MA_OK;
    explicit_bzero(token, sizeof token);
    return ok;
}

/* What to resume: the player who played last (and has a character). */
/* ---- signing in ---- */
static void hhmm(const char *iso, char *buf, size_t size)
{
    if (strlen(iso) >= 16)
        snprintf(buf, size, "%.5s UTC", iso + 11);
    else
        snprintf(buf, size, "%s", iso);
}

/* Signs username in (asking for the password when it has one). 1 signed
 * in, 0 backed out or refused, -2 signal. */
int screen_signin_run(Save *s, const char *username)
{
    Err err = {0};
    AuthOutcome out;
    if (auth_has_password(s, username, &err) != 1) {
        memset(&out, 0, sizeof out);
        int rc = auth_sign_in(s, username, NULL, time_now_ms(), &out, &err);
        if (rc == MA_OK)
            screen_signin_keep(username, &out);
        if (rc == MA_OK || rc == MA_ERR_NOT_FOUND)
            return 1; /* a new player is created by game_start */
        screen_message("Cannot sign in", err.msg);
        return 0;
    }
    char question[200];
    snprintf(question, sizeof question, "Password for %s:", username);
    for (;;) {
        char pw[128] = "";
        char title[120];
        snprintf(title, sizeof title, "Sign in: %s", username);
        int r = prompt_text(title, question, pw, sizeof pw, 1);
        if (r != 1) {
            explicit_bzero(pw, sizeof pw);
            return r;
        }
        memset(&out, 0, sizeof out);
        int rc = auth_sign_in(s, username, pw, time_now_ms(), &out, &err);
        explicit_bzero(pw, sizeof pw);
        if (rc == MA_OK) {
            screen_signin_keep(username, &out);
            return 1;
        }
        if (rc == MA_ERR_LOCKED) {
            char when[32], msg[200];
            hhmm(out.locked_until, when, sizeof when);
            snprintf(msg, sizeof msg, "Too many wrong passwords: %s is locked until %s.", username, when);
            screen_message("Account locked", msg);
            return 0;
        }
        if (rc == MA_ERR_INVALID) {
            snprintf(question, sizeof question, "Wrong password: %d tr%s left. Password for %s:", out.tries_left,
                     out.tries_left == 1 ? "y" : "ies", username);
            continue;
        }
        screen_message("Cannot sign in", err.msg);
        return 0;
    }
}

/* Creates a player; name is filled in. 1 done, 0 backed out, -2 signal. */
static int create_player(Save *s, char *name, size_t size)
{
    snprintf(name, size, "%s", launch_username());
    UserRow u;
    if (users_get_by_username(s, name, &u, NULL) == MA_OK) {
        user_row_clear(&u);
        name[0] = '\0';
    }
    const char *q = "Name of the new player:";
    for (;;) {
        int r = prompt_text("New player", q, name, size, 0);
        if (r != 1)
            return r;
        if (!name[0]) {
            q = "A name is needed. Name of the new player:";
            continue;
        }
        if (users_get_by_username(s, name, &u, NULL) == MA_OK) {
            user_row_clear(&u);
            q = "That name is taken. Name of the new player:";
            continue;
        }
        break;
    }
    char pw[128] = "", pw2[128] = "";
    for (;;) {
        int r = prompt_text("New player", "Password (optional for a local player; Enter for none):", pw, sizeof pw, 1);
        if (r != 1)
            return r;
        if (!pw[0])
            break;
        r = prompt_text("New player", "The same password again:", pw2, sizeof pw2, 1);
        if (r != 1) {
            explicit_bzero(pw, sizeof pw);
            return r;
        }
        if (strcmp(pw, pw2) == 0)
            break;
        explicit_bzero(pw, sizeof pw);
        explicit_bzero(pw2, sizeof pw2);
        screen_message("New player", "The two passwords differ. Try again.");
    }
    explicit_bzero(pw2, sizeof pw2);
    char copy[128];
    memcpy(copy, pw, sizeof copy);
    Err err = {0};
    int64_t id;
    int rc = auth_create_user(s, name, pw, &id, &err);
    explicit_bzero(pw, sizeof pw);
    if (rc == MA_OK) {
        AuthOutcome out;
        memset(&out, 0, sizeof out);
        rc = auth_sign_in(s, name, copy[0] ? copy : NULL, time_now_ms(), &out, &err);
        if (rc == MA_OK)
            screen_signin_keep(name, &out);
    }
    explicit_bzero(copy, sizeof copy);
    if (rc != MA_OK) {
        screen_message("New player", err.msg);
        return 0;
    }
    return 1;
}

int screen_signin_pick_player(Save *s, char *name, size_t size)
{
    for (;;) {
        UserRow *users = NULL;
        int n = 0;
        Err err = {0};
        if (users_list(s, &users, &n, &err) != MA_OK) {
            screen_message("Players", err.msg);
            return 0;
        }
        ListItem *items = calloc((size_t)n + 1, sizeof *items);
        if (!items) {
            users_list_free(users, n);
            return 0;
        }
        for (int i = 0; i < n; i++) {
            snprintf(items[i].text, sizeof items[i].text, "%s", users[i].username);
            snprintf(items[i].detail, sizeof items[i].detail, "%s", users[i].password_hash[0] ? "password" : "local");
        }
        snprintf(items[n].text, sizeof items[n].text, "Create a new player");
        ListSpec spec = {.title = "New game: who is playing?", .items = items, .n = n + 1, .lettered = 1,
                         .selectable = 1, .help_ctx = KCTX_MENU};
        int pick = list_run(&spec);
        char chosen[65] = "";
        if (pick >= 0 && pick < n)
            snprintf(chosen, sizeof chosen, "%s", users[pick].username);
        users_list_free(users, n);
        free(items);
        if (pick < 0)
            return pick == -2 ? -2 : 0;
        int r;
        if (pick == n) {
            r = create_player(s, name, size);
        } else {
            r = screen_signin_run(s, chosen);
            if (r == 1)
                snprintf(name, size, "%s", chosen);
        }
        if (r != 0)
            return r;
    }
}

