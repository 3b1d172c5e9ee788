/* screen_newgame.c — New game: the player (screen_signin.c), then a world (picked or created
 * with its seed and type), then a character (picked, or created with a class shown page by
 * page), then play. See screen_newgame.h. */
#include "screen_newgame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/game.h"
#include "game/progress.h"
#include "game/items.h"
#include "save/worlds.h"
#include "launch.h"
#include "screen_lists.h"
#include "screen_loading.h"
#include "screen_signin.h"
#include "term.h"

/* ---- worlds and characters ---- */
typedef struct Choice {
    char world[65];
    int new_world;
    char character[65];
    char class_name[33];
} Choice;

static int create_world(Save *s, Choice *c)
{
    /* A name as Quick start gives ("Frostmere"), from a random number: the seed comes next. */
    game_world_name_suggest(s, launch_random_seed(), c->world, sizeof c->world);
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
            seed = (long long)launch_random_seed();
            break;
        }
        if (launch_parse_seed(seed_text, &seed) == 0)
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
    screen_loading_busy("Creating the world...");
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
static void class_page(const ClassDef *d, const ItemRegistry *items, const SkillBook *skills, char *text, size_t size)
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
        const char *title = skillbook_title(skills, sk->string); /* "magic" is Spellcraft */
        if (title)
            snprintf(name, sizeof name, "%s", title);
        else
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
    SkillBook *skills = NULL;
    skillbook_load_default(&skills, NULL); /* likewise for the skills' */
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
        class_page(d, reg, skills, text, sizeof text);
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
    skillbook_free(skills);
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

int screen_newgame_run(Save *s)
{
    char username[65];
    Choice c;
    memset(&c, 0, sizeof c);
    int step = 0;
    while (step < 3) {
        int r = step == 0 ? screen_signin_pick_player(s, username, sizeof username)
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
    return screen_loading_play(s, &st, c.new_world);
}

