/* screen_title.c — from launch to play: the title menu (Continue, Quick
 * start, New game, Quit), signing in, picking or creating a player, a
 * world and a character, and the progress shown while the land around the
 * start is generated. Then the main screen. */
#include "screen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/auth.h"
#include "game/items.h"
#include "save/users.h"
#include "save/worlds.h"
#include "autobackup.h"
#include "session_file.h"
#include "term.h"
#include "net/llm.h"
#include "util/timeutil.h"

#define PREGEN_RADIUS 3 /* chunk columns around the start stored at creation */

static const char *g_save_path = ""; /* for the session file (session_file.h) */

/* Keeps a new session's token for Continue (a failure only means a password next time). */
static void keep_session(const char *username, const AuthOutcome *out)
{
    if (out->token[0])
        session_file_write(g_save_path, username, out->token);
}

/* 1 when this client kept a live session of username: Continue needs no password then. */
static int resume_session(Save *s, const char *username)
{
    char token[160];
    if (!session_file_read(g_save_path, username, token, sizeof token))
        return 0;
    int ok = auth_session_resume(s, username, token, time_now_ms(), NULL) == MA_OK;
    explicit_bzero(token, sizeof token);
    return ok;
}

/* What to resume: the player who played last (and has a character). */
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
    const char *me = cli_username();
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

/* ---- progress while the world is stored ---- */
typedef struct Progress {
    const char *what;
} Progress;

static void progress_draw(int done, int total, void *ud)
{
    const Progress *pr = ud;
    erase();
    if (!term_too_small()) {
        int w = COLS - 20 > 60 ? 60 : COLS - 20;
        int y = LINES / 2 - 1, x = (COLS - w - 2) / 2;
        attrset(term_role(ROLE_TITLE));
        term_put(y - 2, x, w + 2, pr->what);
        attrset(A_NORMAL);
        int fill = total > 0 ? done * w / total : w;
        mvaddch(y, x, '[');
        attrset(term_role(ROLE_GOOD));
        for (int i = 0; i < w; i++)
            term_glyph(y, x + 1 + i, i < fill ? "\xe2\x96\x88" : " ", i < fill ? '#' : ' ',
                       i < fill ? term_role(ROLE_GOOD) : A_NORMAL);
        attrset(A_NORMAL);
        mvaddch(y, x + w + 1, ']');
        char buf[64];
        snprintf(buf, sizeof buf, "%d of %d chunk columns (%d%%)", done, total, total ? done * 100 / total : 100);
        term_put(y + 1, x, w + 2, buf);
    }
    refresh();
}

static void busy(const char *what)
{
    Progress pr = {what};
    progress_draw(0, 0, &pr);
}

/* Stores the land around the character so the first steps need no generation. */
static int pregen(Game *g, Err *err)
{
    const Player *p = game_player(g);
    int32_t cx = chunk_coord(p->x), cz = chunk_coord(p->z);
    Progress pr = {"Shaping the land around you..."};
    return world_store_area(game_world(g), cx - PREGEN_RADIUS, cz - PREGEN_RADIUS, cx + PREGEN_RADIUS,
                            cz + PREGEN_RADIUS, progress_draw, &pr, err);
}

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
static int sign_in(Save *s, const char *username)
{
    Err err = {0};
    AuthOutcome out;
    if (auth_has_password(s, username, &err) != 1) {
        memset(&out, 0, sizeof out);
        int rc = auth_sign_in(s, username, NULL, time_now_ms(), &out, &err);
        if (rc == MA_OK)
            keep_session(username, &out);
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
            keep_session(username, &out);
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
    snprintf(name, size, "%s", cli_username());
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
            keep_session(name, &out);
    }
    explicit_bzero(copy, sizeof copy);
    if (rc != MA_OK) {
        screen_message("New player", err.msg);
        return 0;
    }
    return 1;
}

static int pick_player(Save *s, char *name, size_t size)
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
            r = sign_in(s, chosen);
            if (r == 1)
                snprintf(name, size, "%s", chosen);
        }
        if (r != 0)
            return r;
    }
}

/* ---- worlds and characters ---- */
typedef struct Choice {
    char world[65];
    int new_world;
    char character[65];
    char class_name[33];
} Choice;

static int create_world(Save *s, Choice *c)
{
    WorldRow *ws = NULL;
    int n = 0;
    worlds_list(s, &ws, &n, NULL);
    worlds_list_free(ws, n);
    snprintf(c->world, sizeof c->world, "World %d", n + 1);
    const char *q = "Name of the new world:";
    for (;;) {
        int r = prompt_text("New world", q, c->world, sizeof c->world, 0);
        if (r != 1)
            return r;
        WorldRow w;
        if (!c->world[0]) {
            q = "A name is needed. Name of the new world:";
            continue;
        }
        if (worlds_get_by_name(s, c->world, &w, NULL) == MA_OK) {
            world_row_clear(&w);
            q = "A world of that name exists. Name of the new world:";
            continue;
        }
        break;
    }
    char seed_text[32] = "";
    long long seed = 0;
    for (const char *q2 = "Seed (a number; Enter for a random one):";;) {
        int r = prompt_text("New world", q2, seed_text, sizeof seed_text, 0);
        if (r != 1)
            return r;
        if (!seed_text[0]) {
            seed = (long long)cli_random_seed();
            break;
        }
        if (cli_parse_i64(seed_text, &seed) == 0 && seed >= 0)
            break;
        q2 = "Not a whole number. Seed (Enter for a random one):";
    }
    static const ListItem types[] = {{.text = "normal", .detail = "hills, forests, villages, caves"},
                                     {.text = "flat", .detail = "superflat, for building"}};
    ListSpec spec = {.title = "New world: which kind?", .items = types, .n = 2, .lettered = 1, .selectable = 1,
                     .help_ctx = KCTX_MENU};
    int t = list_run(&spec);
    if (t < 0)
        return t == -2 ? -2 : 0;
    busy("Creating the world...");
    Err err = {0};
    int64_t id;
    if (world_create(s, c->world, (uint64_t)seed, types[t].text, &id, &err) != MA_OK) {
        screen_message("New world", err.msg);
        return 0;
    }
    c->new_world = 1;
    return 1;
}

static int pick_world(Save *s, Choice *c)
{
    for (;;) {
        WorldRow *ws = NULL;
        int n = 0;
        Err err = {0};
        if (worlds_list(s, &ws, &n, &err) != MA_OK) {
            screen_message("Worlds", err.msg);
            return 0;
        }
        ListItem *items = calloc((size_t)n + 1, sizeof *items);
        if (!items) {
            worlds_list_free(ws, n);
            return 0;
        }
        for (int i = 0; i < n; i++) {
            snprintf(items[i].text, sizeof items[i].text, "%s", ws[i].name);
            snprintf(items[i].detail, sizeof items[i].detail, "%s, seed %lld", ws[i].world_type, (long long)ws[i].seed);
        }
        snprintf(items[n].text, sizeof items[n].text, "Create a new world");
        ListSpec spec = {.title = "New game: which world?", .items = items, .n = n + 1, .lettered = 1,
                         .selectable = 1, .help_ctx = KCTX_MENU};
        int pick = list_run(&spec);
        if (pick >= 0 && pick < n) {
            snprintf(c->world, sizeof c->world, "%s", ws[pick].name);
            c->new_world = 0;
        }
        worlds_list_free(ws, n);
        free(items);
        if (pick < 0)
            return pick == -2 ? -2 : 0;
        if (pick < n)
            return 1;
        int r = create_world(s, c);
        if (r != 0)
            return r;
    }
}

static int stat_of(const cJSON *stats, const char *key)
{
    return (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(stats, key));
}

/* "swordsmanship" -> "Swordsmanship", "iron_sword" -> "Iron sword". */
static void title_case(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s", name);
    for (char *c = buf; *c; c++)
        if (*c == '_')
            *c = ' ';
    if (buf[0] >= 'a' && buf[0] <= 'z')
        buf[0] = (char)(buf[0] - 'a' + 'A');
}

/* A class in words for its page: stats by name, skills, gear by title. */
static void class_page(const ClassDef *d, const ItemRegistry *items, char *text, size_t size)
{
    const cJSON *st = d->stats;
    size_t len = (size_t)snprintf(text, size,
                                  "%s\n\nStarting stats:\n  Health %d, Mana %d\n  Strength %d, Intelligence %d, "
                                  "Dexterity %d\n  Constitution %d, Charisma %d\n\nStarting skills: ",
                                  d->description, stat_of(st, "health"), stat_of(st, "mana"), stat_of(st, "strength"),
                                  stat_of(st, "intelligence"), stat_of(st, "dexterity"), stat_of(st, "constitution"),
                                  stat_of(st, "charisma"));
    int k = 0;
    const cJSON *sk;
    cJSON_ArrayForEach(sk, d->skills) {
        char name[64];
        title_case(sk->string, name, sizeof name);
        if (len < size)
            len += (size_t)snprintf(text + len, size - len, "%s%s %d", k++ ? ", " : "", name, sk->valueint);
    }
    if (!k && len < size)
        len += (size_t)snprintf(text + len, size - len, "none");
    if (len < size)
        len += (size_t)snprintf(text + len, size - len, "\n\nStarting gear: ");
    for (int i = 0; i < d->n_gear && len < size; i++) {
        const ItemDef *it = items_find(items, d->gear[i].item);
        char title[64];
        if (it && it->title[0])
            snprintf(title, sizeof title, "%s", it->title);
        else
            title_case(d->gear[i].item, title, sizeof title);
        if (d->gear[i].count > 1) {
            len += (size_t)snprintf(text + len, size - len, "%s%s x%d", i ? ", " : "", title, d->gear[i].count);
        } else {
            len += (size_t)snprintf(text + len, size - len, "%s%s", i ? ", " : "", title);
        }
    }
}

static int pick_class(Choice *c)
{
    ClassList cl = {0};
    ItemRegistry *reg = NULL;
    Err err = {0};
    if (classes_load_default(&cl, &err) != MA_OK) {
        screen_message("Classes", err.msg);
        return 0;
    }
    items_load_default(&reg, NULL); /* for the gear's titles; the names do without */
    ListItem *items = calloc((size_t)cl.n + 1, sizeof *items);
    int result = 0;
    if (!items)
        goto done;
    for (int i = 0; i < cl.n; i++) {
        snprintf(items[i].text, sizeof items[i].text, "%-8s %s", cl.classes[i].title, cl.classes[i].description);
        const cJSON *st = cl.classes[i].stats;
        snprintf(items[i].detail, sizeof items[i].detail, "HP %d MP %d STR %d INT %d", stat_of(st, "health"),
                 stat_of(st, "mana"), stat_of(st, "strength"), stat_of(st, "intelligence"));
    }
    for (;;) {
        ListSpec spec = {.title = "New character: which class?", .items = items, .n = cl.n, .lettered = 1,
                         .selectable = 1, .start = cl.default_index, .help_ctx = KCTX_MENU, .wrap = 1};
        int pick = list_run(&spec);
        if (pick < 0) {
            result = pick == -2 ? -2 : 0;
            break;
        }
        const ClassDef *d = &cl.classes[pick];
        char text[1200];
        class_page(d, reg, text, sizeof text);
        erase();
        screen_message(d->title, text);
        int yes = prompt_yn("Play this class?", 1);
        if (yes == -2) {
            result = -2;
            break;
        }
        if (yes == 1) {
            snprintf(c->class_name, sizeof c->class_name, "%s", d->name);
            result = 1;
            break;
        }
    }
done:
    free(items);
    items_free(reg);
    classes_free(&cl);
    return result;
}

static int pick_character(Save *s, const char *username, Choice *c)
{
    UserRow u;
    WorldRow w;
    Err err = {0};
    int64_t uid = 0, wid = 0;
    if (users_get_by_username(s, username, &u, NULL) == MA_OK) {
        uid = u.id;
        user_row_clear(&u);
    }
    if (worlds_get_by_name(s, c->world, &w, &err) == MA_OK) {
        wid = w.id;
        world_row_clear(&w);
    }
    for (;;) {
        CharacterRow *cs = NULL;
        int n = 0;
        if (uid && wid)
            characters_list_by_user(s, uid, wid, &cs, &n, NULL);
        ListItem *items = calloc((size_t)n + 1, sizeof *items);
        if (!items) {
            characters_list_free(cs, n);
            return 0;
        }
        for (int i = 0; i < n; i++) {
            snprintf(items[i].text, sizeof items[i].text, "%s", cs[i].name);
            snprintf(items[i].detail, sizeof items[i].detail, "%s, level %d", cs[i].character_class, cs[i].level);
        }
        snprintf(items[n].text, sizeof items[n].text, "Create a new character");
        char title[120];
        snprintf(title, sizeof title, "New game: who plays in %s?", c->world);
        ListSpec spec = {.title = title, .items = items, .n = n + 1, .lettered = 1, .selectable = 1,
                         .help_ctx = KCTX_MENU};
        int pick = list_run(&spec);
        if (pick >= 0 && pick < n)
            snprintf(c->character, sizeof c->character, "%s", cs[pick].name);
        characters_list_free(cs, n);
        free(items);
        if (pick < 0)
            return pick == -2 ? -2 : 0;
        if (pick < n) {
            c->class_name[0] = '\0';
            return 1;
        }
        snprintf(c->character, sizeof c->character, "%s", username);
        CharacterRow ex;
        const char *q = "Name of the new character:";
        int r;
        for (;;) {
            r = prompt_text("New character", q, c->character, sizeof c->character, 0);
            if (r != 1)
                break;
            if (!c->character[0]) {
                q = "A name is needed. Name of the new character:";
                continue;
            }
            if (wid && characters_get_by_name(s, wid, c->character, &ex, NULL) == MA_OK) {
                character_row_clear(&ex);
                q = "Someone in this world has that name. Name of the new character:";
                continue;
            }
            break;
        }
        if (r == 1)
            r = pick_class(c);
        if (r != 0)
            return r;
    }
}

/* ---- starting and playing ---- */
static int play(Save *s, const GameStart *st, int fresh)
{
    busy(fresh ? "Creating your world..." : "Loading...");
    Game *g = NULL;
    Err err = {0};
    if (game_start(s, st, &g, &err) != MA_OK) {
        screen_message("Cannot start the game", err.msg);
        return 0;
    }
    if (fresh && pregen(g, &err) != MA_OK)
        screen_message("The land could not be stored", err.msg); /* playable anyway: it generates as you go */
    int r = main_screen_run(s, g);
    AutoBackup backup;
    char note[4400];
    autobackup_start(&backup, g, note, sizeof note);
    if (autobackup_on_quit(&backup, g, note, sizeof note) < 0 && r != -2)
        screen_message("The backup on quit was not made", note);
    game_close(g);
    return r == -2 ? -2 : 1;
}

static int quick_start(Save *s)
{
    const char *me = cli_username();
    int r = sign_in(s, me);
    if (r != 1)
        return r;
    GameStart st = {.username = me, .new_world = 1, .seed = cli_random_seed()};
    int played = play(s, &st, 1);
    if (played == 1) {
        /* A brand-new user has a session only now that game_start made it. */
        AuthOutcome out;
        Err err = {0};
        memset(&out, 0, sizeof out);
        if (auth_has_password(s, me, &err) == 0 && auth_sign_in(s, me, NULL, time_now_ms(), &out, &err) == MA_OK)
            keep_session(me, &out);
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
            int r = resume_session(s, e[pick].user) ? 1 : sign_in(s, e[pick].user);
            if (r == 1) {
                GameStart st = {.username = e[pick].user, .world = e[pick].world, .character = e[pick].character};
                r = play(s, &st, 0);
            }
            result = r;
        }
    }
    free(e);
    free(items);
    return result;
}

static int new_game(Save *s)
{
    char username[65];
    Choice c;
    memset(&c, 0, sizeof c);
    int step = 0;
    while (step < 3) {
        int r = step == 0 ? pick_player(s, username, sizeof username)
                : step == 1 ? pick_world(s, &c)
                            : pick_character(s, username, &c);
        if (r == -2)
            return -2;
        step += r == 1 ? 1 : -1;
        if (step < 0)
            return 0;
    }
    GameStart st = {.username = username, .world = c.world, .character = c.character,
                    .class_name = c.class_name[0] ? c.class_name : NULL};
    return play(s, &st, c.new_world);
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
static int title_run(Save *s, const char *save_path, int resume)
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
                help_run(KCTX_MENU);
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
            r = resume_session(s, res.username) ? 1 : sign_in(s, res.username);
            if (r == 1) {
                GameStart st = {.username = res.username};
                r = play(s, &st, 0);
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
        case T_NEW: r = new_game(s); break;
        default: return 0;
        }
        if (r == -2)
            return -2;
        if (r == 1)
            return 0; /* the player quit from the game: leave */
    }
}

int client_run(CliCtx *ctx)
{
    Save *s = cli_open_save(ctx, SAVE_CREATE);
    if (!s)
        return CLI_FAIL;
    char msg[300];
    if (term_open(msg, sizeof msg) != 0) {
        fprintf(stderr, "magic-adventure: %s\n", msg);
        save_close(s);
        return CLI_FAIL;
    }
    g_save_path = ctx->save_path;
    /* Sessions past their 24 hours are of no use to anyone: gone. */
    auth_sessions_expire(s, time_now_ms(), NULL, NULL);
    int r = title_run(s, ctx->save_path, ctx->resume);
    term_close();
    save_close(s);
    if (r == -2)
        return 128 + term_signal();
    return CLI_OK;
}
