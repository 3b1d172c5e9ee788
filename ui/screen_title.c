/* screen_title.c — the title menu (Continue, Load, Quick start, New game, Quit) and what its
 * entries start; New game lives in screen_newgame.c, signing in in screen_signin.c. */
#include "screen_title.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/auth.h"
#include "save/users.h"
#include "save/worlds.h"
#include "launch.h"
#include "screen_help.h"
#include "net/llm.h"
#include "screen_lists.h"
#include "screen_loading.h"
#include "screen_newgame.h"
#include "screen_signin.h"
#include "term.h"
#include "util/timeutil.h"

typedef struct Resume {
    int found;
    char username[65];
    char text[200];
} Resume;

static void find_resume(Save *s, Resume *r)
{
    memset(r, 0, sizeof *r);
    UserRow *users = NULL;
    int n = 0;
    Err err = {0};
    if (users_list(s, &users, &n, &err) != MA_OK)
        return;
    const char *me = launch_username();
    int best = -1;
    for (int i = 0; i < n; i++) {
        CharacterRow *cs = NULL;
        int nc = 0;
        if (characters_list_by_user(s, users[i].id, 0, &cs, &nc, NULL) != MA_OK || nc == 0) {
            characters_list_free(cs, nc);
            continue;
        }
        characters_list_free(cs, nc);
        if (best < 0)
            best = i;
        else {
            int c = strcmp(users[i].last_login, users[best].last_login);
            if (c > 0 || (c == 0 && strcmp(users[i].username, me) == 0))
                best = i;
        }
    }
    if (best >= 0) {
        UserRow *u = &users[best];
        r->found = 1;
        snprintf(r->username, sizeof r->username, "%s", u->username);
        /* Name the character the core will resume, when the profile says. */
        const cJSON *last = cJSON_GetObjectItemCaseSensitive(u->profile, "last_character_id");
        CharacterRow c;
        if (cJSON_IsNumber(last) && characters_get(s, (int64_t)last->valuedouble, &c, NULL) == MA_OK) {
            WorldRow w;
            char wname[65] = "";
            if (worlds_get(s, c.world_id, &w, NULL) == MA_OK) {
                snprintf(wname, sizeof wname, "%s", w.name);
                world_row_clear(&w);
            }
            snprintf(r->text, sizeof r->text, "%s the %s, level %d, in %s", c.name, c.character_class, c.level, wname);
            character_row_clear(&c);
        } else {
            snprintf(r->text, sizeof r->text, "%s's last game", u->username);
        }
    }
    users_list_free(users, n);
}

static int quick_start(Save *s)
{
    const char *me = launch_username();
    int r = screen_signin_run(s, me);
    if (r != 1)
        return r;
    GameStart st = {.username = me, .new_world = 1, .seed = launch_random_seed()};
    int played = screen_loading_play(s, &st, 1);
    if (played == 1) {
        /* A brand-new user has a session only now that game_start made it. */
        AuthOutcome out;
        Err err = {0};
        memset(&out, 0, sizeof out);
        if (auth_has_password(s, me, &err) == 0 && auth_sign_in(s, me, NULL, time_now_ms(), &out, &err) == MA_OK)
            screen_signin_keep(me, &out);
    }
    return played;
}

/* ---- load: any character of any player ---- */
static int load_game(Save *s)
{
    UserRow *users = NULL;
    int nu = 0;
    Err err = {0};
    if (users_list(s, &users, &nu, &err) != MA_OK) {
        screen_message("Load", err.msg);
        return 0;
    }
    /* Every player's characters, the most recently played first. */
    typedef struct Entry {
        char user[65], character[65], world[65], updated[32];
    } Entry;
    Entry *e = NULL;
    ListItem *items = NULL;
    int n = 0, cap = 0, result = 0;
    for (int i = 0; i < nu; i++) {
        CharacterRow *cs = NULL;
        int nc = 0;
        if (characters_list_by_user(s, users[i].id, 0, &cs, &nc, NULL) != MA_OK)
            continue;
        for (int k = 0; k < nc; k++) {
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                Entry *ne = realloc(e, sizeof *e * (size_t)cap);
                ListItem *ni = realloc(items, sizeof *items * (size_t)cap);
                if (ne)
                    e = ne;
                if (ni)
                    items = ni;
                if (!ne || !ni)
                    break;
            }
            WorldRow w;
            char wname[65] = "?";
            if (worlds_get(s, cs[k].world_id, &w, NULL) == MA_OK) {
                snprintf(wname, sizeof wname, "%s", w.name);
                world_row_clear(&w);
            }
            snprintf(e[n].user, sizeof e[n].user, "%s", users[i].username);
            snprintf(e[n].character, sizeof e[n].character, "%s", cs[k].name);
            snprintf(e[n].world, sizeof e[n].world, "%s", wname);
            snprintf(e[n].updated, sizeof e[n].updated, "%s", cs[k].updated_at);
            memset(&items[n], 0, sizeof items[n]);
            snprintf(items[n].text, sizeof items[n].text, "%s the %s, level %d, in %s", cs[k].name,
                     cs[k].character_class, cs[k].level, wname);
            snprintf(items[n].detail, sizeof items[n].detail, "%s, %.10s", users[i].username, cs[k].updated_at);
            n++;
        }
        characters_list_free(cs, nc);
    }
    users_list_free(users, nu);
    /* Newest first: sort both arrays together by the time played. */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(e[j - 1].updated, e[j].updated) < 0; j--) {
            Entry te = e[j];
            e[j] = e[j - 1];
            e[j - 1] = te;
            ListItem ti = items[j];
            items[j] = items[j - 1];
            items[j - 1] = ti;
        }
    if (n == 0) {
        screen_message("Load", "There is no game to load yet: Quick start or New game makes one.");
    } else {
        ListSpec spec = {.title = "Load: which game?", .items = items, .n = n, .lettered = 1, .selectable = 1,
                         .help_ctx = KCTX_MENU};
        int pick = list_run(&spec);
        if (pick == -2) {
            result = -2;
        } else if (pick >= 0) {
            int r = screen_signin_resume(s, e[pick].user) ? 1 : screen_signin_run(s, e[pick].user);
            if (r == 1) {
                GameStart st = {.username = e[pick].user, .world = e[pick].world, .character = e[pick].character};
                r = screen_loading_play(s, &st, 0);
            }
            result = r;
        }
    }
    free(e);
    free(items);
    return result;
}

static const char *const title_art[] = {
    " __  __             _         _       _                 _                  ",
    "|  \\/  | __ _  __ _(_) ___   / \\   __| |_   _____ _ __ | |_ _   _ _ __ ___ ",
    "| |\\/| |/ _` |/ _` | |/ __| / _ \\ / _` \\ \\ / / _ \\ '_ \\| __| | | | '__/ _ \\",
    "| |  | | (_| | (_| | | (__ / ___ \\ (_| |\\ V /  __/ | | | |_| |_| | | |  __/",
    "|_|  |_|\\__,_|\\__, |_|\\___/_/   \\_\\__,_| \\_/ \\___|_| |_|\\__|\\__,_|_|  \\___|",
    "              |___/                                                         ",
};

enum { T_CONTINUE, T_LOAD, T_QUICK, T_NEW, T_QUIT };

static void title_draw(const int *entries, int n, int cursor, const Resume *res, const char *save_path, const char *llm)
{
    erase();
    if (term_too_small())
        return;
    int art_h = (int)(sizeof title_art / sizeof title_art[0]);
    int art_w = (int)strlen(title_art[0]);
    int y = LINES / 2 - (art_h + n + 6) / 2;
    if (y < 0)
        y = 0;
    attrset(term_role(ROLE_TITLE));
    if (COLS >= art_w + 2 && LINES >= 24) {
        for (int i = 0; i < art_h; i++)
            term_put(y + i, (COLS - art_w) / 2, art_w, title_art[i]);
        y += art_h + 1;
    } else {
        term_put(y, (COLS - 15) / 2, 15, "Magic Adventure");
        y += 2;
    }
    attrset(term_role(ROLE_DIM));
    const char *sub = "a persistent world of blocks, magic and stories";
    term_put(y, (COLS - (int)strlen(sub)) / 2, COLS, sub);
    attrset(A_NORMAL);
    y += 2;
    static const char *const names[] = {"Continue", "Load", "Quick start", "New game", "Quit"};
    for (int i = 0; i < n; i++) {
        char line[260];
        const char *note = entries[i] == T_CONTINUE ? res->text
                           : entries[i] == T_LOAD    ? "any character of any player in this save"
                           : entries[i] == T_QUICK   ? (res->found ? "a new world, a fresh character" : "play now")
                           : entries[i] == T_NEW     ? "choose player, world and character"
                                                     : "";
        snprintf(line, sizeof line, "%s %-12s %s", i == cursor ? ">" : " ", names[entries[i]], note);
        int w = COLS - 8 > 70 ? 70 : COLS - 8;
        attrset(i == cursor ? term_role(ROLE_HILITE) : A_NORMAL);
        term_put(y + i, (COLS - w) / 2, w, line);
        attrset(A_NORMAL);
    }
    /* Whether an LLM writes for the villagers and agents (MAGIC_LLM_URL; `llm check` tests it). */
    int w = COLS - 8 > 70 ? 70 : COLS - 8;
    attrset(term_role(ROLE_DIM));
    term_put(y + n + 1, (COLS - w) / 2, w, llm);
    attrset(A_NORMAL);
    char foot[300];
    snprintf(foot, sizeof foot, "Up/Down choose  Enter start  ? help  Q quit    save: %s", save_path);
    attrset(term_role(ROLE_DIM));
    term_put(LINES - 1, 1, COLS - 2, foot);
    attrset(A_NORMAL);
    refresh();
}

/* Runs the title menu until the player quits. Returns 0, or -2 on a signal. */
int screen_title_run(Save *s, const char *save_path, int resume)
{
    LlmConfig cfg;
    llm_config_load(&cfg);
    char llm[900];
    if (cfg.on)
        snprintf(llm, sizeof llm, "  Storyteller (LLM): on, %s%s%s", cfg.model[0] ? cfg.model : "", cfg.model[0] ? " at " : "",
                 cfg.url);
    else if (cfg.problem[0])
        snprintf(llm, sizeof llm, "  Storyteller (LLM): off (%s)", cfg.problem);
    else
        snprintf(llm, sizeof llm, "  Storyteller (LLM): off (MAGIC_LLM_URL; see `llm check`)");
    for (;;) {
        Resume res;
        find_resume(s, &res);
        int entries[5], n = 0;
        if (res.found) {
            entries[n++] = T_CONTINUE;
            entries[n++] = T_LOAD;
        }
        entries[n++] = T_QUICK;
        entries[n++] = T_NEW;
        entries[n++] = T_QUIT;
        int cursor = 0, chosen = -1;
        if (resume && res.found)
            chosen = T_CONTINUE; /* --continue */
        resume = 0;
        while (chosen < 0) {
            title_draw(entries, n, cursor, &res, save_path, llm);
            int ch = term_getkey();
            if (ch == TERM_KEY_SIGNAL)
                return -2;
            if (ch == KEY_RESIZE || COLS < TERM_MIN_COLS || LINES < TERM_MIN_ROWS)
                continue;
            KeyCmd cmd = keys_lookup(ch, KCTX_MENU, NULL);
            if (cmd == KC_LIST_UP || ch == 'k')
                cursor = (cursor + n - 1) % n;
            else if (cmd == KC_LIST_DOWN || ch == 'j')
                cursor = (cursor + 1) % n;
            else if (cmd == KC_SELECT)
                chosen = entries[cursor];
            else if (cmd == KC_HELP)
                screen_help_run(KCTX_MENU);
            else if (cmd == KC_BACK || ch == 'q' || ch == 'Q') {
                title_draw(entries, n, cursor, &res, save_path, llm);
                int yes = prompt_yn("Quit Magic Adventure?", 0);
                if (yes == -2)
                    return -2;
                if (yes == 1)
                    return 0;
            }
        }
        int r = 0;
        switch (chosen) {
        case T_CONTINUE:
            /* A session this client signed in within the last day goes on without the password. */
            r = screen_signin_resume(s, res.username) ? 1 : screen_signin_run(s, res.username);
            if (r == 1) {
                GameStart st = {.username = res.username};
                r = screen_loading_play(s, &st, 0);
            }
            break;
        case T_LOAD: r = load_game(s); break;
        case T_QUICK:
            if (res.found) {
                title_draw(entries, n, cursor, &res, save_path, llm);
                r = prompt_yn("Start a new world? Your game stays saved: Continue or Load returns to it.", 0);
                if (r != 1)
                    break;
            }
            r = quick_start(s);
            break;
        case T_NEW: r = screen_newgame_run(s); break;
        default: return 0;
        }
        if (r == -2)
            return -2;
        if (r == 1)
            return 0; /* the player quit from the game: leave */
    }
}

