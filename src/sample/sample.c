/* sample.c — sample data made by the game itself (see sample.h). */
#include "sample/sample.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/agents.h"
#include "game/auth.h"
#include "game/classes.h"
#include "game/game.h"
#include "game/story.h"
#include "save/characters.h"
#include "save/users.h"
#include "save/worlds.h"
#include "util/prng.h"
#include "util/timeutil.h"

static const char *const first_names[] = {"aria", "bram", "cora", "dain", "elin", "finn", "greta", "hale",
                                          "ilse", "jory", "kara", "lenn", "mira", "nils", "orla", "piet",
                                          "quin", "rosa", "sven", "tilda", "ulf", "vera", "wren", "yara"};
static const char *const world_names[] = {"Amberfell", "Brightwater", "Coldharbour", "Duskmere", "Eastwick",
                                          "Foxhollow", "Greywatch", "Highmoor", "Ironvale", "Juniper Reach"};

typedef struct Bot {
    Game *g;
    Prng rng;
    int steps, done, budget;
    Err *err;
} Bot;

/* Sends one line as an action; refusals are part of play. Negative only when the save failed. */
static int act(Bot *b, const char *line, ActionResult *r)
{
    ActionResult local;
    if (!r)
        r = &local;
    memset(r, 0, sizeof *r);
    if (b->steps >= b->budget)
        return 0;
    Action a;
    if (action_parse(line, &a, b->err) != 1)
        return err_set(b->err, MA_ERR_INVALID, "sample play: '%s' does not parse: %s", line, b->err->msg);
    b->steps++;
    int rc = game_apply(b->g, &a, r, b->err);
    if (rc != MA_OK)
        return rc;
    b->done += r->ok;
    return 1;
}

static const char *dir_towards(int dx, int dz)
{
    static const char *const names[3][3] = {{"nw", "n", "ne"}, {"w", "", "e"}, {"sw", "s", "se"}};
    int sx = (dx > 0) - (dx < 0), sz = (dz > 0) - (dz < 0);
    return names[sz + 1][sx + 1];
}

/* The nearest villager within a few chunks: its world position. 0 when none. */
static int nearest_villager(Game *g, int32_t *vx, int32_t *vz)
{
    const Player *p = game_player(g);
    World *w = game_world(g);
    long best = -1;
    int32_t pcx = chunk_coord(p->x), pcz = chunk_coord(p->z), pcy = p->y / CHUNK_SIZE;
    for (int32_t cx = pcx - 2; cx <= pcx + 2; cx++)
        for (int32_t cz = pcz - 2; cz <= pcz + 2; cz++)
            for (int32_t cy = pcy - 1; cy <= pcy + 1; cy++) {
                Chunk *c = cy >= 0 && cy < WORLD_CHUNKS_Y ? world_chunk(w, cx, cy, cz, NULL) : NULL;
                const cJSON *e;
                if (!c)
                    continue;
                cJSON_ArrayForEach(e, c->entities) {
                    const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "type");
                    const cJSON *pos = cJSON_GetObjectItemCaseSensitive(e, "position");
                    if (!cJSON_IsString(type) || strcmp(type->valuestring, "npc") != 0 || cJSON_GetArraySize(pos) != 3)
                        continue;
                    int32_t x = cx * CHUNK_SIZE + cJSON_GetArrayItem(pos, 0)->valueint;
                    int32_t z = cz * CHUNK_SIZE + cJSON_GetArrayItem(pos, 2)->valueint;
                    long d = (long)(x - p->x) * (x - p->x) + (long)(z - p->z) * (z - p->z);
                    if (best < 0 || d < best) {
                        best = d;
                        *vx = x;
                        *vz = z;
                    }
                }
            }
    world_take_error(w, NULL);
    return best >= 0;
}

/* The number of the reply whose text holds `want` in a talk's events ("2) ..."), or 0. */
static int reply_with(const ActionResult *r, const char *want)
{
    for (int i = 0; i < r->n_events; i++) {
        int n = 0;
        if (sscanf(r->events[i].text, "%d)", &n) == 1 && strstr(r->events[i].text, want))
            return n;
    }
    return 0;
}

/* The main storyline: read it and take the first choice that is open, a few times. */
static int play_story(Bot *b)
{
    int rc = act(b, "story", NULL);
    for (int k = 0; rc >= 0 && k < 3; k++) {
        StoryView v;
        if (story_view(b->g, 0, &v, NULL) != MA_OK || strcmp(v.status, "active") != 0)
            break;
        int pick = 0;
        for (int i = 0; i < v.n_choices && !pick; i++)
            if (v.choices[i].available)
                pick = v.choices[i].number;
        if (!pick)
            break;
        char line[32];
        snprintf(line, sizeof line, "choose %d", pick);
        rc = act(b, line, NULL);
    }
    return rc;
}

/* Walk to the nearest villager, talk, and take what work there is. */
static int meet_villager(Bot *b)
{
    int rc = 1;
    for (int i = 0; rc > 0 && i < 30; i++) {
        int32_t vx, vz;
        const Player *p = game_player(b->g);
        if (!nearest_villager(b->g, &vx, &vz))
            return rc;
        int dx = vx - p->x, dz = vz - p->z;
        char line[32];
        if (abs(dx) <= 1 && abs(dz) <= 1 && (dx || dz)) {
            ActionResult r;
            snprintf(line, sizeof line, "talk %s", dir_towards(dx, dz));
            if ((rc = act(b, line, &r)) <= 0 || !r.ok)
                return rc;
            int n = reply_with(&r, "work");
            if (n) {
                snprintf(line, sizeof line, "say %d", n);
                if ((rc = act(b, line, &r)) <= 0)
                    return rc;
                if ((n = reply_with(&r, "I'll take it")) != 0) {
                    snprintf(line, sizeof line, "say %d", n);
                    rc = act(b, line, &r);
                }
            }
            return rc;
        }
        ActionResult r;
        if (!dx && !dz)
            dx = 1; /* on the same column (a level apart): step aside */
        snprintf(line, sizeof line, "move %s", dir_towards(dx, dz));
        if ((rc = act(b, line, &r)) > 0 && !r.ok) {
            /* Blocked: try along one axis, else anywhere. */
            snprintf(line, sizeof line, "move %s", dir_towards(dx, 0)[0] ? dir_towards(dx, 0) : dir_towards(0, dz));
            if ((rc = act(b, line, &r)) > 0 && !r.ok) {
                static const char *const any[] = {"n", "e", "s", "w"};
                snprintf(line, sizeof line, "move %s", any[prng_below(&b->rng, 4)]);
                rc = act(b, line, NULL);
            }
        }
    }
    return rc;
}

/* Dig, build, craft, equip and drop, as a new player does in their first minutes. */
static int work_a_little(Bot *b)
{
    static const char *const lines[] = {"dig w", "dig e", "dig n", "place w", "dig s", "dig down", "place up",
                                        "craft planks 2", "craft stick 1", "equip iron_sword", "equip oak_staff",
                                        "equip short_bow", "equip dagger", "drop planks 1", "use bread"};
    int rc = 1;
    for (size_t i = 0; rc > 0 && i < sizeof lines / sizeof lines[0]; i++)
        rc = act(b, lines[i], NULL);
    return rc;
}

static int wander(Bot *b)
{
    static const char *const dirs[] = {"n", "ne", "e", "se", "s", "sw", "w", "nw"};
    int rc = 1;
    while (rc > 0 && b->steps < b->budget) {
        char line[32];
        uint32_t roll = prng_below(&b->rng, 10);
        if (roll < 7)
            snprintf(line, sizeof line, "move %s", dirs[prng_below(&b->rng, 8)]);
        else if (roll < 9)
            snprintf(line, sizeof line, "dig %s", dirs[prng_below(&b->rng, 8)]);
        else
            snprintf(line, sizeof line, "wait %d", 1 + (int)prng_below(&b->rng, 20));
        rc = act(b, line, NULL);
    }
    return rc;
}

/* One character's first hour, `steps` actions long. */
static int play(Game *g, uint64_t seed, int steps, SampleStats *st, Err *err)
{
    Bot b = {.g = g, .budget = steps, .err = err};
    prng_seed(&b.rng, seed);
    int rc = play_story(&b);
    if (rc >= 0)
        rc = meet_villager(&b);
    /* And the work on the village's notice board, whoever gave it. */
    if (rc >= 0)
        rc = act(&b, "quest accept wood_for_winter", NULL);
    if (rc >= 0)
        rc = act(&b, "quest accept wolf_trouble", NULL);
    if (rc >= 0)
        rc = work_a_little(&b);
    /* A day and a night pass: the world's agents have their day. */
    if (rc >= 0)
        rc = act(&b, "wait days 1", NULL);
    if (rc >= 0)
        rc = meet_villager(&b);
    if (rc >= 0)
        rc = wander(&b);
    st->actions += b.steps;
    st->done += b.done;
    return rc < 0 ? rc : MA_OK;
}

/* A name not in use yet: base, then base2, base3... */
static int free_user_name(Save *s, const char *base, char *out, size_t size)
{
    for (int k = 1; k < 100000; k++) {
        if (k == 1)
            snprintf(out, size, "%s", base);
        else
            snprintf(out, size, "%s%d", base, k);
        UserRow u;
        if (users_get_by_username(s, out, &u, NULL) != MA_OK)
            return 1;
        user_row_clear(&u);
    }
    return 0;
}

static int free_world_name(Save *s, const char *base, char *out, size_t size)
{
    for (int k = 1; k < 100000; k++) {
        if (k == 1)
            snprintf(out, size, "%s", base);
        else
            snprintf(out, size, "%s %d", base, k);
        WorldRow w;
        if (worlds_get_by_name(s, out, &w, NULL) != MA_OK)
            return 1;
        world_row_clear(&w);
    }
    return 0;
}

/* The character's name: the player's, capitalised ("Kara"), unless someone in that world bears it
 * already (a villager met by an earlier player: the villagers' names are the same two dozen), then
 * with the class ("Kara the Warrior"). */
static void character_name_free(Save *s, const char *world, const char *user, const char *class_name, char *out,
                                size_t size)
{
    snprintf(out, size, "%c%s", toupper((unsigned char)user[0]), user + 1);
    WorldRow w;
    if (worlds_get_by_name(s, world, &w, NULL) != MA_OK)
        return;
    CharacterRow c;
    if (characters_get_by_name(s, w.id, out, &c, NULL) == MA_OK) {
        character_row_clear(&c);
        snprintf(out, size, "%c%s the %c%s", toupper((unsigned char)user[0]), user + 1,
                 toupper((unsigned char)class_name[0]), class_name + 1);
    }
    world_row_clear(&w);
}

int sample_generate(Save *s, int n_users, uint64_t seed, int steps, SampleStats *st, Err *err)
{
    memset(st, 0, sizeof *st);
    if (n_users < 1 || n_users > 10000)
        return err_set(err, MA_ERR_INVALID, "sample data needs 1 to 10000 users, not %d", n_users);
    if (steps < 0 || steps > 100000)
        return err_set(err, MA_ERR_INVALID, "sample data plays 0 to 100000 actions a character, not %d", steps);
    ClassList classes;
    int rc = classes_load_default(&classes, err);
    if (rc != MA_OK)
        return rc;
    Prng rng;
    prng_seed(&rng, seed);
    int n_worlds = (n_users + 2) / 3;
    char (*worlds)[65] = calloc((size_t)n_worlds, sizeof *worlds);
    if (!worlds) {
        classes_free(&classes);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    /* The worlds first: each its own seed, normal terrain with villages. */
    for (int i = 0; rc == MA_OK && i < n_worlds; i++) {
        int64_t id;
        if (!free_world_name(s, world_names[i % (int)(sizeof world_names / sizeof world_names[0])], worlds[i],
                             sizeof worlds[i]))
            rc = err_set(err, MA_ERR_CONSTRAINT, "no free world name");
        else
            rc = world_create(s, worlds[i], prng_next(&rng) % 1000000000000ULL, "normal", &id, err);
        st->worlds += rc == MA_OK;
    }
    for (int i = 0; rc == MA_OK && i < n_users; i++) {
        char name[65], pw[64];
        if (!free_user_name(s, first_names[i % (int)(sizeof first_names / sizeof first_names[0])], name, sizeof name)) {
            rc = err_set(err, MA_ERR_CONSTRAINT, "no free player name");
            break;
        }
        /* Every third player has a password, and signs in (a session); the others play locally. */
        int with_password = i % 3 == 0;
        snprintf(pw, sizeof pw, "sample-%s-%llu", name, (unsigned long long)(seed % 100000));
        int64_t uid;
        if (with_password && (rc = auth_create_user(s, name, pw, &uid, err)) != MA_OK)
            break;
        if (with_password) {
            AuthOutcome out;
            snprintf(pw, sizeof pw, "sample-%s-%llu", name, (unsigned long long)(seed % 100000));
            if ((rc = auth_sign_in(s, name, pw, time_now_ms(), &out, err)) != MA_OK)
                break;
        }
        st->users++;
        char character[65];
        character_name_free(s, worlds[i % n_worlds], name, classes.classes[i % classes.n].name, character,
                            sizeof character);
        GameStart gs = {.username = name, .world = worlds[i % n_worlds], .character = character,
                        .class_name = classes.classes[i % classes.n].name};
        Game *g = NULL;
        if ((rc = game_start(s, &gs, &g, err)) != MA_OK)
            break;
        st->characters++;
        Agents *agents = NULL;
        rc = agents_attach(g, &agents, NULL, err);
        if (rc == MA_OK)
            rc = play(g, hash_coords(seed, i, 0, 0, 0), steps, st, err);
        agents_detach(g, agents);
        game_close(g);
    }
    st->days = steps > 0 ? 1 : 0;
    free(worlds);
    classes_free(&classes);
    return rc;
}
