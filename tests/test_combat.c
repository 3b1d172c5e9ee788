/* test_combat.c — creatures and combat through the core and `play --script`:
 * a fight to the death with the creature's hp kept in its chunk between
 * actions, drops and the slain counter; a hostile creature closing in and
 * biting; spawning by time of day; creatures crossing chunk borders;
 * arrows and spells with their costs; malformed data files refused.
 * Flat worlds: grass at y = SEA_LEVEL, the player's feet at SEA_LEVEL + 1. */
#include "helpers.h"

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include "game/creatures.h"
#include "game/game.h"
#include "game/game_internal.h"
#include "save/charstate.h"
#include "util/data.h"

static char *dir;

/* The game's data as the binary embeds it, plus any JSON file in data/ of the
 * source tree the build does not embed (yet); MAGIC_DATA_DIR points here
 * for the whole test, the binary it runs included. */
static char data_dir[4096];

static int embedded(const char *name)
{
    for (const EmbeddedFile *e = embedded_files; e->name; e++)
        if (strcmp(e->name, name) == 0)
            return 1;
    return 0;
}

static void make_data_dir(void)
{
    snprintf(data_dir, sizeof data_dir, "%s", th_path(dir, "data"));
    assert_int_equal(mkdir(data_dir, 0700), 0);
    assert_int_equal(mkdir(th_path(data_dir, "migrations"), 0700), 0);
    assert_int_equal(mkdir(th_path(data_dir, "stories"), 0700), 0);
    for (const EmbeddedFile *e = embedded_files; e->name; e++)
        th_write_file(th_path(data_dir, e->name), (const char *)e->bytes, e->len);
    char src_dir[4096];
    const char *tests = getenv("MAGIC_TEST_DIR");
    snprintf(src_dir, sizeof src_dir, "%s/../data", tests ? tests : ".");
    DIR *d = opendir(src_dir);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0 || embedded(de->d_name))
            continue;
        char *text = th_read_file(th_path(src_dir, de->d_name), NULL);
        assert_non_null(text);
        th_write_file(th_path(data_dir, de->d_name), text, -1);
        free(text);
    }
    closedir(d);
    setenv("MAGIC_DATA_DIR", data_dir, 1);
}

static int setup(void **state)
{
    (void)state;
    dir = th_tmpdir();
    setenv("USER", "tester", 1);
    make_data_dir();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    th_tmpdir_free(dir);
    return 0;
}

typedef ThGame Fixture;

static void start_as(Fixture *f, const char *file, int create_world, const char *character, const char *cls)
{
    th_game_start(f, th_path(dir, file),
                  &(ThGameOpts){.no_world = !create_world, .character = character, .class_name = cls});
}

static void start(Fixture *f, const char *file, int create_world) { start_as(f, file, create_world, NULL, NULL); }

static void print_events(const char *what, const ActionResult *r)
{
    for (int i = 0; i < r->n_events; i++)
        print_message("%s: %s\n", what, r->events[i].text);
}

/* Writes a creature entity at world cell (x, y, z) into its chunk. */
static void place_creature(Fixture *f, const char *kind, const char *id, int hp, int32_t x, int32_t y, int32_t z)
{
    Err err = {0};
    World *w = game_world(f->game);
    th_put_entity(w, th_creature(kind, id, hp), x, y, z);
    assert_int_equal(world_flush(w, &err), MA_OK);
}

/* Finds an entity by id (or, when id is NULL, a creature of any id, or with
 * item set, an item entity of that item) in the chunks around the player.
 * Fills world position, chunk and the entity; returns 1 when found. */
typedef struct Found {
    int32_t x, y, z, cx, cy, cz;
    cJSON *e;
} Found;

static int find_entity(Fixture *f, const char *id, const char *item, Found *out)
{
    const Player *p = game_player(f->game);
    World *w = game_world(f->game);
    for (int32_t cy = chunk_coord(p->y) - 1; cy <= chunk_coord(p->y) + 1; cy++)
        for (int32_t cz = chunk_coord(p->z) - 2; cz <= chunk_coord(p->z) + 2; cz++)
            for (int32_t cx = chunk_coord(p->x) - 2; cx <= chunk_coord(p->x) + 2; cx++) {
                Chunk *c = world_chunk(w, cx, cy, cz, NULL);
                assert_non_null(c);
                cJSON *e;
                cJSON_ArrayForEach(e, c->entities) {
                    const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "type");
                    const cJSON *i = cJSON_GetObjectItemCaseSensitive(e, id ? "id" : "item");
                    if (id && !(cJSON_IsString(i) && strcmp(i->valuestring, id) == 0))
                        continue;
                    if (!id && item && !(cJSON_IsString(t) && strcmp(t->valuestring, "item") == 0 &&
                                         cJSON_IsString(i) && strcmp(i->valuestring, item) == 0))
                        continue;
                    if (!id && !item && !(cJSON_IsString(t) && strcmp(t->valuestring, "creature") == 0))
                        continue;
                    const cJSON *pos = cJSON_GetObjectItemCaseSensitive(e, "position");
                    int lp[3];
                    for (int k = 0; k < 3; k++) {
                        lp[k] = cJSON_GetArrayItem(pos, k)->valueint;
                        assert_true(lp[k] >= 0 && lp[k] < CHUNK_SIZE);
                    }
                    out->cx = cx;
                    out->cy = cy;
                    out->cz = cz;
                    out->x = cx * CHUNK_SIZE + lp[0];
                    out->y = cy * CHUNK_SIZE + lp[1];
                    out->z = cz * CHUNK_SIZE + lp[2];
                    out->e = e;
                    return 1;
                }
            }
    return 0;
}

static int hp_of(const Found *c) { return cJSON_GetObjectItemCaseSensitive(c->e, "hp")->valueint; }

/* Removes every creature around the player; returns how many there were. */
static int clear_creatures(Fixture *f)
{
    int n = 0;
    Found c;
    while (find_entity(f, NULL, NULL, &c)) {
        Chunk *ch = world_chunk(game_world(f->game), c.cx, c.cy, c.cz, NULL);
        cJSON_Delete(cJSON_DetachItemViaPointer(ch->entities, c.e));
        world_mark_dirty(game_world(f->game), c.cx, c.cy, c.cz);
        n++;
    }
    return n;
}

static int64_t counter(Fixture *f, const char *key)
{
    char buf[32];
    Err err = {0};
    if (charstate_get(f->save, game_player(f->game)->character_id, "counter", key, buf, sizeof buf, &err) != MA_OK)
        return 0;
    return atoll(buf);
}

/* Fighting with nothing in hand while a weapon waits in the pack says so, once a session (a
 * warrior who put the sword away: fists do a third of its damage). */
static void test_bare_hands_with_a_weapon_in_the_pack_is_said_once(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "bare.db", 1);
    assert_string_equal(th_act(f.game, "unequip main_hand").text, "ok");
    const Player *p = game_player(f.game);
    place_creature(&f, "wolf", "c_wolf", 500, p->x + 1, p->y, p->z);
    ActionResult r = th_act(f.game, "attack e");
    assert_string_equal(r.text, "ok");
    assert_non_null(th_event_with(&r, "You fight bare-handed: your iron sword is in your pack (e wields it)."));
    r = th_act(f.game, "attack e");
    assert_null(th_event_with(&r, "bare-handed"));
    th_game_stop(&f);
    start(&f, "bare.db", 0); /* a new session says it again */
    r = th_act(f.game, "attack e");
    assert_non_null(th_event_with(&r, "bare-handed"));
    th_game_stop(&f);
    start(&f, "bare.db", 0);
    assert_string_equal(th_act(f.game, "equip iron_sword").text, "ok");
    r = th_act(f.game, "attack e");
    assert_string_equal(r.text, "ok");
    assert_null(th_event_with(&r, "bare-handed"));
    th_game_stop(&f);
}

static void test_attack_until_the_wolf_dies_keeps_hp_in_the_chunk_and_leaves_drops(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "fight.db", 1);
    assert_string_equal(th_act(f.game, "unequip main_hand").text, "ok"); /* bare hands: a few blows */
    const Player *p = game_player(f.game);
    int32_t wx = p->x + 1, wy = p->y, wz = p->z;
    place_creature(&f, "wolf", "c_wolf", 10, wx, wy, wz);
    assert_string_equal(th_act(f.game, "attack w").text, "nothing to attack there");
    int hits = 0, misses = 0, died = 0;
    for (int round = 0; round < 30 && !died; round++) {
        ActionResult r = th_act(f.game, "attack e");
        print_events("attack", &r);
        assert_string_equal(r.text, "ok");
        assert_true(r.turns >= 1);
        const char *hit = th_event_with(&r, "You hit the wolf for ");
        if (th_event_with(&r, "You miss the wolf.")) {
            misses++;
            continue;
        }
        assert_non_null(hit);
        hits++;
        if (strstr(hit, "The wolf dies.")) {
            died = 1;
            break;
        }
        int dmg, left, max;
        assert_int_equal(sscanf(hit, "You hit the wolf for %d (%d/%d left).", &dmg, &left, &max), 3);
        assert_int_equal(max, 10);
        assert_true(dmg >= 1);
        /* The hp lives in the chunk's entity: reopen the save and read it. */
        th_game_stop(&f);
        start(&f, "fight.db", 0);
        Found c;
        assert_true(find_entity(&f, "c_wolf", NULL, &c));
        assert_int_equal(hp_of(&c), left);
        assert_int_equal(c.x, wx);
        p = game_player(f.game);
    }
    assert_true(died);
    assert_true(hits >= 2); /* 10 hp: no single bare-handed blow of a level-1 warrior kills it */
    print_message("hits %d misses %d\n", hits, misses);
    th_game_stop(&f);
    start(&f, "fight.db", 0);
    Found c;
    assert_false(find_entity(&f, "c_wolf", NULL, &c));
    /* Raw meat always drops, where the wolf stood. */
    assert_true(find_entity(&f, NULL, "raw_meat", &c));
    assert_int_equal(c.x, wx);
    assert_int_equal(c.z, wz);
    assert_true(cJSON_GetObjectItemCaseSensitive(c.e, "count")->valueint >= 1);
    assert_int_equal(counter(&f, "slain_wolf"), 1);
    assert_true(game_player(f.game)->experience >= 12);
    th_game_stop(&f);
}

static void test_a_hostile_creature_closes_in_and_bites_while_the_player_waits(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "bite.db", 1);
    const Player *p = game_player(f.game);
    place_creature(&f, "wolf", "c_hunter", 10, p->x + 6, p->y, p->z + 2);
    int health = p->health, bitten = 0, last_dist = 6;
    for (int t = 0; t < 40 && !bitten; t++) {
        ActionResult r = th_act(f.game, "wait");
        Found c;
        assert_true(find_entity(&f, "c_hunter", NULL, &c));
        int dist = abs(c.x - p->x) > abs(c.z - p->z) ? abs(c.x - p->x) : abs(c.z - p->z);
        assert_true(dist <= last_dist); /* never backs off */
        last_dist = dist;
        const char *bite = th_event_with(&r, "The wolf bites you for ");
        /* A bite or a miss is an attack (travel and rest stop for it); a step closer is not. */
        assert_int_equal(r.attacked, bite || th_event_with(&r, "The wolf misses you."));
        if (bite) {
            int dmg, left, max;
            assert_int_equal(sscanf(bite, "The wolf bites you for %d (%d/%d left).", &dmg, &left, &max), 3);
            assert_true(dmg >= 2 && dmg <= 5);
            assert_int_equal(left, p->health);
            assert_int_equal(max, p->max_health);
            assert_true(p->health < health);
            assert_int_equal(dist, 1);
            bitten = 1;
        }
    }
    assert_true(bitten);
    th_game_stop(&f);
}

/* A long wait ends at a creature's first strike, hit or miss, as a rest does (broken on purpose:
 * it had gone on through misses, ending only at a bite). */
static void test_a_wait_ends_at_the_first_strike_hit_or_miss(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "waitstrike.db", 1);
    const Player *p = game_player(f.game);
    place_creature(&f, "wolf", "c_waiter", 10, p->x + 1, p->y, p->z);
    int misses = 0, bites = 0;
    for (int w = 0; w < 20; w++) {
        ActionResult r = th_act(f.game, "wait 30");
        int strikes = 0;
        for (int i = 0; i < r.n_events; i++) {
            misses += strstr(r.events[i].text, "The wolf misses you.") != NULL;
            bites += strstr(r.events[i].text, "The wolf bites you for ") != NULL;
            strikes += strstr(r.events[i].text, "The wolf misses you.") || strstr(r.events[i].text, "The wolf bites you");
        }
        if (strikes != 1 || !th_event_with(&r, "You stop waiting: you are under attack.")) {
            print_events("wait 30", &r);
            fail_msg("wait %d: %d strikes", w, strikes);
        }
    }
    assert_true(misses > 0);
    assert_true(bites > 0);
    th_game_stop(&f);
}

/* Removes every creature around the player; returns how many of them were hostile. */
static int clear_hostile(Fixture *f)
{
    int n = 0;
    Found c;
    while (find_entity(f, NULL, NULL, &c)) {
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(c.e, "kind");
        const CreatureDef *d = cJSON_IsString(kind) ? creatures_find(game_creatures(f->game), kind->valuestring) : NULL;
        n += d && d->aggression == AGGR_HOSTILE;
        Chunk *ch = world_chunk(game_world(f->game), c.cx, c.cy, c.cz, NULL);
        cJSON_Delete(cJSON_DetachItemViaPointer(ch->entities, c.e));
        world_mark_dirty(game_world(f->game), c.cx, c.cy, c.cz);
    }
    return n;
}

/* The world's difficulty (the balance keeper's knob) scales creatures' blows: at 1.5 a wolf's bite
 * (2 to 5) goes past 5; at 1.0 (the start) it never does. */
static void test_the_worlds_difficulty_scales_creatures_blows(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "difficulty.db", 1);
    Err err = {0};
    const Player *p = game_player(f.game);
    int biggest[2] = {0, 0};
    for (int pass = 0; pass < 2; pass++) {
        sqlite3 *db = NULL;
        assert_int_equal(sqlite3_open(th_path(dir, "difficulty.db"), &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db,
                                      pass ? "UPDATE worlds SET settings = json_set(settings, '$.balance.difficulty', 1.5)"
                                           : "UPDATE worlds SET settings = json_set(settings, '$.balance.difficulty', 1.0)",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(db);
        assert_int_equal(game_refresh(f.game, &err), MA_OK);
        char id[32];
        snprintf(id, sizeof id, "c_biter_%d", pass);
        place_creature(&f, "wolf", id, 1000, p->x + 1, p->y, p->z);
        int bites = 0;
        for (int t = 0; t < 100 && bites < 8; t++) {
            ActionResult r = th_act(f.game, "wait");
            const char *bite = th_event_with(&r, "The wolf bites you for ");
            int dmg = 0;
            if (bite && sscanf(bite, "The wolf bites you for %d", &dmg) == 1) {
                bites++;
                biggest[pass] = dmg > biggest[pass] ? dmg : biggest[pass];
            }
        }
        assert_int_equal(bites, 8);
        clear_hostile(&f);
    }
    assert_true(biggest[0] >= 2 && biggest[0] <= 5);
    assert_true(biggest[1] > 5);
    th_game_stop(&f);
}

/* Nothing hostile comes into being in a torch's light, or a lantern's: a night with torches (or
 * lanterns) every 7 blocks around the player spawns none, where the same night without them
 * spawns several. */
static void test_no_hostile_spawns_in_torchlight(void **state)
{
    (void)state;
    for (int with_torches = 0; with_torches <= 2; with_torches++) {
        static const char *const file[] = {"dark.db", "torch.db", "lantern.db"};
        Fixture f;
        start(&f, file[with_torches], 1);
        Err err = {0};
        ActionResult r;
        memset(&r, 0, sizeof r);
        th_act(f.game, "wait 360"); /* 08:00 + 12 hours */
        clear_creatures(&f);
        assert_true(game_is_night(f.game));
        const Player *p = game_player(f.game);
        int torch = blocks_find(game_blocks(f.game), with_torches == 2 ? "lantern" : "torch");
        assert_true(torch > 0);
        for (int dz = -28; with_torches && dz <= 28; dz += 7)
            for (int dx = -28; dx <= 28; dx += 7)
                if (dx || dz)
                    assert_int_equal(world_set_block(game_world(f.game), p->x + dx, p->y, p->z + dz, (BlockId)torch, &err),
                                     MA_OK);
        int hostile = 0;
        for (int t = 0; t < 300; t++) {
            assert_int_equal(creatures_tick(f.game, 1, &r, &err), MA_OK);
            hostile += clear_hostile(&f);
        }
        print_message("hostile creatures spawned in 300 turns of night %s: %d\n",
                      with_torches == 2 ? "with lanterns" : with_torches ? "with torches" : "without lights", hostile);
        if (with_torches)
            assert_int_equal(hostile, 0);
        else
            assert_true(hostile >= 2);
        th_game_stop(&f);
    }
}

/* Nothing comes into being under a roof on the surface (a boar had spawned in a villager's
 * house): a night under a stone roof 4 above the ground, as far round as creatures spawn, spawns
 * none, where the same night in the open spawns several. */
static void test_nothing_spawns_under_a_roof(void **state)
{
    (void)state;
    for (int roofed = 0; roofed <= 1; roofed++) {
        Fixture f;
        start(&f, roofed ? "roof.db" : "open.db", 1);
        Err err = {0};
        ActionResult r;
        memset(&r, 0, sizeof r);
        th_act(f.game, "wait 360"); /* 08:00 + 12 hours */
        clear_creatures(&f);
        const Player *p = game_player(f.game);
        int stone = blocks_find(game_blocks(f.game), "stone");
        for (int dz = -40; roofed && dz <= 40; dz++)
            for (int dx = -40; dx <= 40; dx++)
                assert_int_equal(world_set_block(game_world(f.game), p->x + dx, p->y + 4, p->z + dz, (BlockId)stone, &err),
                                 MA_OK);
        int spawned = 0;
        for (int t = 0; t < 300; t++) {
            assert_int_equal(creatures_tick(f.game, 1, &r, &err), MA_OK);
            spawned += clear_creatures(&f);
        }
        print_message("creatures spawned in 300 turns of night %s a roof: %d\n", roofed ? "under" : "without",
                      spawned);
        if (roofed)
            assert_int_equal(spawned, 0);
        else
            assert_true(spawned >= 2);
        th_game_stop(&f);
    }
}

static void test_more_creatures_spawn_at_night_than_by_day(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "spawn.db", 1);
    Err err = {0};
    ActionResult r;
    memset(&r, 0, sizeof r);
    assert_false(game_is_night(f.game));
    int day = 0, night = 0;
    for (int t = 0; t < 300; t++) {
        assert_int_equal(creatures_tick(f.game, 1, &r, &err), MA_OK);
        day += clear_creatures(&f);
    }
    th_act(f.game, "wait 360"); /* 08:00 + 12 hours */
    clear_creatures(&f);
    assert_true(game_is_night(f.game));
    for (int t = 0; t < 300; t++) {
        assert_int_equal(creatures_tick(f.game, 1, &r, &err), MA_OK);
        night += clear_creatures(&f);
    }
    print_message("spawned in 300 turns: %d by day, %d at night\n", day, night);
    assert_true(day >= 1);
    assert_true(night > 2 * day);
    /* The cap: however long the night, no more than 8 around the player. */
    assert_int_equal(creatures_tick(f.game, 400, &r, &err), MA_OK);
    int left = clear_creatures(&f);
    assert_true(left >= 1 && left <= 8);
    th_game_stop(&f);
}

static void test_a_creature_crossing_a_chunk_border_moves_to_that_chunk(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "border.db", 1);
    const Player *p = game_player(f.game);
    int lx = chunk_local(p->x);
    int32_t pcx = chunk_coord(p->x);
    /* Two blocks into the neighbouring chunk on the nearer side. */
    int32_t wx = lx >= 8 ? (pcx + 1) * CHUNK_SIZE + 1 : pcx * CHUNK_SIZE - 2;
    /* Three rows off, so that it is still walking when it crosses. */
    place_creature(&f, "zombie", "c_walker", 20, wx, p->y, p->z + 3);
    Found c;
    assert_true(find_entity(&f, "c_walker", NULL, &c));
    assert_int_equal(c.cx, lx >= 8 ? pcx + 1 : pcx - 1);
    int crossed = 0;
    for (int t = 0; t < 30 && !crossed; t++) {
        th_act(f.game, "wait");
        assert_true(find_entity(&f, "c_walker", NULL, &c));
        crossed = c.cx == pcx;
    }
    assert_true(crossed);
    /* Stored that way: the player's chunk holds it, the other does not. */
    th_game_stop(&f);
    start(&f, "border.db", 0);
    p = game_player(f.game);
    assert_true(find_entity(&f, "c_walker", NULL, &c));
    assert_int_equal(c.cx, pcx);
    Chunk *other = world_chunk(game_world(f.game), lx >= 8 ? pcx + 1 : pcx - 1, c.cy, c.cz, NULL);
    cJSON *e;
    cJSON_ArrayForEach(e, other->entities) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
        assert_false(cJSON_IsString(id) && strcmp(id->valuestring, "c_walker") == 0);
    }
    th_game_stop(&f);
}

static int item_count(Fixture *f, const char *item) { return th_item_count(f->game, item); }

static void test_shooting_needs_a_bow_and_uses_up_an_arrow(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "shoot.db", 1);
    assert_string_equal(th_act(f.game, "shoot e").text, "you need a bow in hand to shoot (equip one)");
    th_game_stop(&f);
    start_as(&f, "shoot.db", 0, "robin", "ranger"); /* a new ranger holds the bow */
    const Player *p = game_player(f.game);
    place_creature(&f, "boar", "c_target", 14, p->x + 3, p->y, p->z);
    int arrows = item_count(&f, "arrow");
    assert_true(arrows > 0);
    ActionResult r = th_act(f.game, "shoot e");
    print_events("shoot", &r);
    assert_string_equal(r.text, "ok");
    assert_true(th_event_with(&r, "Your arrow hits the boar for ") || th_event_with(&r, "Your arrow misses the boar."));
    assert_int_equal(item_count(&f, "arrow"), arrows - 1);
    clear_creatures(&f); /* an angry boar would spoil the count below */
    /* A boar the side panel puts east (5 east, 2 south: "E 5") is shot at east, off the exact line
     * (the arrow had flown along the row and been lost). */
    place_creature(&f, "boar", "c_target2", 14, p->x + 5, p->y, p->z + 2);
    r = th_act(f.game, "shoot e");
    assert_true(th_event_with(&r, "Your arrow hits the boar for ") || th_event_with(&r, "Your arrow misses the boar."));
    assert_null(th_event_with(&r, "is lost"));
    clear_creatures(&f);
    arrows--;
    /* Shooting into the open: the arrow is lost all the same. */
    r = th_act(f.game, "shoot w");
    assert_non_null(th_event_with(&r, "Your arrow flies west and is lost (a bow reaches 8 blocks)."));
    for (int left = arrows - 2; left > 0; left--)
        assert_string_equal(th_act(f.game, "shoot n").text, "ok");
    assert_int_equal(item_count(&f, "arrow"), 0);
    assert_string_equal(th_act(f.game, "shoot e").text, "you have no arrows");
    th_game_stop(&f);
}

static void test_casting_needs_the_class_and_costs_mana(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "cast.db", 1);
    assert_non_null(strstr(th_act(f.game, "cast firebolt e").text, "you cannot cast firebolt"));
    assert_string_equal(th_act(f.game, "cast fireball e").text, "there is no spell called fireball");
    th_game_stop(&f);
    start_as(&f, "cast.db", 0, "merlin", "mage");
    /* A new mage starts whole, the staff's +10 mana full too (it began at 120/130). */
    assert_int_equal(game_player(f.game)->max_mana, 130);
    assert_int_equal(game_player(f.game)->mana, 130);
    const Player *p = game_player(f.game);
    place_creature(&f, "bandit", "c_burn", 22, p->x + 4, p->y, p->z);
    int mana = p->mana;
    ActionResult r = th_act(f.game, "cast frost e");
    print_events("cast", &r);
    assert_string_equal(r.text, "ok");
    assert_int_equal(p->mana, mana - 6);
    assert_non_null(th_event_with(&r, "Your frost chills the bandit for "));
    assert_non_null(th_event_with(&r, "The bandit slows down."));
    Found c;
    assert_true(find_entity(&f, "c_burn", NULL, &c));
    assert_true(cJSON_GetObjectItemCaseSensitive(c.e, "slow")->valueint > 0);
    r = th_act(f.game, "cast firebolt e");
    print_events("cast", &r);
    assert_string_equal(r.text, "ok");
    const char *burn = th_event_with(&r, "Your firebolt burns the bandit for ");
    assert_non_null(burn);
    int dmg, left, max;
    assert_int_equal(sscanf(burn, "Your firebolt burns the bandit for %d (%d/%d left).", &dmg, &left, &max), 3);
    assert_int_equal(max, 22);
    assert_true(find_entity(&f, "c_burn", NULL, &c));
    assert_int_equal(hp_of(&c), left);
    assert_string_equal(th_act(f.game, "cast frost").text, "frost takes a compass direction: cast frost n");
    /* Unhurt, heal is refused and the mana stays (it had cast for "0 health"). */
    int mana_before = p->mana;
    r = th_act(f.game, "cast heal");
    assert_string_equal(r.text, "you are not hurt (70/70 health)");
    assert_int_equal(p->mana, mana_before);
    /* Hurt badly, heal until the mana runs out; then the spell is refused. */
    ActionResult hurt;
    memset(&hurt, 0, sizeof hurt);
    game_hurt(f.game, 65, "a test", &hurt);
    int casts = 0;
    while (casts < 100 && strcmp(th_act(f.game, casts % 2 ? "cast heal n" : "cast heal").text, "ok") == 0)
        casts++; /* heal, on oneself, needs no direction (the client had asked for one) */
    assert_true(casts >= 3);
    assert_true(p->mana < 10 || p->health == p->max_health);
    th_game_stop(&f);
}

static void test_walking_into_a_creature_attacks_it(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "bump.db", 1);
    const Player *p = game_player(f.game);
    int32_t x = p->x, z = p->z;
    place_creature(&f, "boar", "c_bump", 30, x + 1, p->y, z);
    ActionResult r = th_act(f.game, "move e");
    assert_int_equal(p->x, x); /* did not step into it */
    assert_true(th_event_with(&r, "the boar") != NULL);
    th_game_stop(&f);
}

static void test_attacking_a_villager_is_remembered(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "villager.db", 1);
    const Player *p = game_player(f.game);
    Err err = {0};
    int32_t x = p->x, y = p->y, z = p->z + 1;
    Chunk *c = world_chunk(game_world(f.game), chunk_coord(x), chunk_coord(y), chunk_coord(z), &err);
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "type", "npc");
    cJSON_AddStringToObject(e, "id", "villager_7");
    cJSON_AddStringToObject(e, "role", "farmer");
    cJSON_AddStringToObject(e, "name", "Wren");
    cJSON *pos = cJSON_AddArrayToObject(e, "position");
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(x)));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(y)));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(z)));
    cJSON_AddItemToArray(c->entities, e);
    /* Walking into her does not attack: she is in the way. */
    ActionResult r = th_act(f.game, "move s");
    assert_string_equal(r.text, "blocked: Wren is in the way (talk, or attack)");
    assert_null(th_event_with(&r, "Wren cries out"));
    r = th_act(f.game, "attack s");
    assert_string_equal(r.text, "ok");
    assert_non_null(th_event_with(&r, "Wren cries out"));
    char buf[16];
    assert_int_equal(charstate_get(f.save, p->character_id, "flag", "attacked_villager_7", buf, sizeof buf, &err),
                     MA_OK);
    th_game_stop(&f);
}

static void test_malformed_creature_and_spell_files_are_refused_with_entry_and_reason(void **state)
{
    (void)state;
    CreatureBook *b = NULL;
    Err err = {0};
    const char *bad_attack =
        "{\"creatures\":[{\"kind\":\"wolf\",\"glyph\":\"w\",\"color256\":1,\"color8\":1,\"health\":5,"
        "\"attack\":[1,2],\"defense\":0,\"hit\":50,\"aggression\":\"hostile\",\"habitat\":{\"biomes\":[\"any\"]},"
        "\"weight\":1,\"xp\":1},"
        "{\"kind\":\"boar\",\"glyph\":\"b\",\"color256\":1,\"color8\":1,\"health\":5,\"attack\":[4,2],"
        "\"defense\":0,\"hit\":50,\"aggression\":\"hostile\",\"habitat\":{\"biomes\":[\"any\"]},\"weight\":1,\"xp\":1}]}";
    assert_int_equal(creatures_load(bad_attack, strlen(bad_attack), "x/creatures.json", &b, &err), MA_ERR_INVALID);
    assert_null(b);
    assert_non_null(strstr(err.msg, "x/creatures.json: creature 1 (\"boar\"): \"attack\""));
    const char *bad_biome = "{\"creatures\":[{\"kind\":\"crab\",\"glyph\":\"c\",\"color256\":1,\"color8\":1,"
                            "\"health\":5,\"attack\":[1,2],\"defense\":0,\"hit\":50,\"aggression\":\"hostile\","
                            "\"habitat\":{\"biomes\":[\"beach\"]},\"weight\":1,\"xp\":1}]}";
    assert_int_equal(creatures_load(bad_biome, strlen(bad_biome), "x/creatures.json", &b, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "creature 0 (\"crab\"): habitat.biomes: \"beach\" is not a biome"));
    const char *not_json = "{\"creatures\": [";
    assert_int_equal(creatures_load(not_json, strlen(not_json), "x/creatures.json", &b, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "not valid JSON"));

    /* Spells, and both files through MAGIC_DATA_DIR. */
    char *bad_dir = strdup(th_path(dir, "bad"));
    assert_int_equal(mkdir(bad_dir, 0700), 0);
    char *src = th_read_file(th_path(data_dir, "creatures.json"), NULL);
    assert_non_null(src);
    th_write_file(th_path(bad_dir, "creatures.json"), src, -1);
    free(src);
    th_write_file(th_path(bad_dir, "spells.json"), "{\"spells\":[{\"name\":\"zap\",\"mana\":-3,\"effect\":\"damage\","
                  "\"amount\":[1,2],\"range\":4,\"classes\":[\"mage\"]}]}", -1);
    setenv("MAGIC_DATA_DIR", bad_dir, 1);
    int rc = creatures_load_default(&b, &err);
    assert_int_equal(rc, MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "spells.json: spell 0 (\"zap\"): \"mana\""));
    th_write_file(th_path(bad_dir, "creatures.json"), not_json, -1);
    rc = creatures_load_default(&b, &err);
    assert_int_equal(rc, MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "creatures.json: not valid JSON"));
    setenv("MAGIC_DATA_DIR", data_dir, 1);
    free(bad_dir);
    assert_int_equal(creatures_load_default(&b, &err), MA_OK);
    assert_true(creatures_count(b) >= 8);
    assert_non_null(creatures_find(b, "giant_spider"));
    assert_string_equal(creatures_find(b, "giant_spider")->name, "giant spider");
    assert_non_null(creatures_spell(b, "firebolt"));
    creatures_free(b);
}

static void test_script_attack_shoot_and_cast_answer_in_words(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "script.db", 1);
    const Player *p = game_player(f.game);
    place_creature(&f, "boar", "c_script", 14, p->x + 1, p->y, p->z);
    th_game_stop(&f);
    RunResult r = th_run("attack e\nshoot e\ncast firebolt e\nattack n\n", "--save", th_path(dir, "script.db"),
                         "play", "--script", "-", "--json", NULL);
    print_message("%s%s", r.out, r.err);
    assert_int_equal(r.status, 0);
    assert_true(strstr(r.out, "You hit the boar for ") || strstr(r.out, "You miss the boar."));
    assert_non_null(strstr(r.out, "\"result\":\"you need a bow in hand to shoot (equip one)\""));
    assert_non_null(strstr(r.out, "\"result\":\"you cannot cast firebolt: it needs a mage"));
    assert_non_null(strstr(r.out, "\"result\":\"nothing to attack there\""));
    th_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attack_until_the_wolf_dies_keeps_hp_in_the_chunk_and_leaves_drops),
        cmocka_unit_test(test_bare_hands_with_a_weapon_in_the_pack_is_said_once),
        cmocka_unit_test(test_a_hostile_creature_closes_in_and_bites_while_the_player_waits),
        cmocka_unit_test(test_a_wait_ends_at_the_first_strike_hit_or_miss),
        cmocka_unit_test(test_more_creatures_spawn_at_night_than_by_day),
        cmocka_unit_test(test_no_hostile_spawns_in_torchlight),
        cmocka_unit_test(test_the_worlds_difficulty_scales_creatures_blows),
        cmocka_unit_test(test_nothing_spawns_under_a_roof),
        cmocka_unit_test(test_a_creature_crossing_a_chunk_border_moves_to_that_chunk),
        cmocka_unit_test(test_shooting_needs_a_bow_and_uses_up_an_arrow),
        cmocka_unit_test(test_casting_needs_the_class_and_costs_mana),
        cmocka_unit_test(test_walking_into_a_creature_attacks_it),
        cmocka_unit_test(test_attacking_a_villager_is_remembered),
        cmocka_unit_test(test_malformed_creature_and_spell_files_are_refused_with_entry_and_reason),
        cmocka_unit_test(test_script_attack_shoot_and_cast_answer_in_words),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
