/* test_quests.c — villagers, dialogue, quests and achievements, through game_apply and through
 * `play --script`: talking and replying, accepting, counters, hand-in with rewards once, expiry
 * on the clock, relationships both ways with history, replies unavailable with a reason,
 * achievements announced once and hidden ones as "???", malformed data refused with file, entry
 * and reason, and a kill -9 in the middle of a hand-in. Uses a "flat" world with a farmer
 * villager placed one block east of the player. The game data is read from the source tree
 * (MAGIC_DATA_DIR). */
#include "helpers.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "game/achieve.h"
#include "game/game.h"
#include "game/game_rules.h"
#include "game/npc.h"
#include "game/progress.h"
#include "game/creatures.h"
#include "game/calendar.h"
#include "game/quest.h"
#include "save/worlds.h"
#include "save/achievements.h"
#include "save/characters.h"
#include "save/charstate.h"
#include "save/quests.h"
#include "save/skills.h"

static char *dir;
static char data_dir[4096];

static int setup(void **state)
{
    (void)state;
    dir = th_tmpdir();
    setenv("USER", "tester", 1);
    const char *src = getenv("MAGIC_TEST_DIR");
    snprintf(data_dir, sizeof data_dir, "%s/../data", src ? src : "tests");
    setenv("MAGIC_DATA_DIR", data_dir, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    th_tmpdir_free(dir);
    return 0;
}

typedef struct Fixture {
    Save *save;
    Game *game;
    int32_t vx, vy, vz; /* the villager */
    char villager[48];
} Fixture;

/* Opens the save `file` (with its world "flatland", created when it lacks it) as character. */
static void open_game(Fixture *f, const char *file, const char *character)
{
    ThGame g;
    th_game_start(&g, th_path(dir, file), &(ThGameOpts){.character = character});
    f->save = g.save;
    f->game = g.game;
}

/* A new save with a flat world, the player, and a villager of `role` one block east. */
static void start(Fixture *f, const char *file, const char *role)
{
    Err err = {0};
    open_game(f, file, NULL);
    const Player *p = game_player(f->game);
    f->vx = p->x + 1;
    f->vy = p->y;
    f->vz = p->z;
    World *w = game_world(f->game);
    snprintf(f->villager, sizeof f->villager, "villager_%d_%d", f->vx, f->vz);
    th_put_entity(w, th_villager(f->villager, "Mara", role, "Testford"), f->vx, f->vy, f->vz);
    if (world_flush(w, &err) != MA_OK)
        fail_msg("%s", err.msg);
}

static void stop(Fixture *f)
{
    game_close(f->game);
    save_close(f->save);
}

/* Fails with every event when none contains text. */
static void expect_event(const ActionResult *r, const char *text)
{
    if (th_event_with(r, text))
        return;
    char all[GAME_MAX_EVENTS * 170] = "";
    size_t o = 0;
    for (int i = 0; i < r->n_events; i++)
        o += (size_t)snprintf(all + o, sizeof all - o, "\n  %s", r->events[i].text);
    fail_msg("no event with \"%s\" in: %s%s", text, r->text, all);
}

/* The number of the listed reply that contains text ("3) Hand in: ..." gives 3), or 0. */
static int reply_number(const ActionResult *r, const char *text)
{
    for (int i = 0; i < r->n_events; i++)
        if (strstr(r->events[i].text, text) && r->events[i].text[0] >= '1' && r->events[i].text[0] <= '9' &&
            r->events[i].text[1] == ')')
            return r->events[i].text[0] - '0';
    return 0;
}

static void say_reply(Fixture *f, const ActionResult *listing, const char *text, ActionResult *out)
{
    int n = reply_number(listing, text);
    if (n == 0)
        fail_msg("no reply with \"%s\" (first event: %s)", text, listing->n_events ? listing->events[0].text : "");
    char line[16];
    snprintf(line, sizeof line, "say %d", n);
    *out = th_act(f->game, line);
}

static void give(Fixture *f, const char *item, int count, int slot)
{
    InventoryRow r;
    memset(&r, 0, sizeof r);
    r.character_id = game_player(f->game)->character_id;
    snprintf(r.item_type, sizeof r.item_type, "material");
    snprintf(r.item_name, sizeof r.item_name, "%s", item);
    r.quantity = count;
    r.slot_position = slot;
    Err err = {0};
    if (inventory_add(game_save(f->game), &r, &err) != MA_OK)
        fail_msg("%s", err.msg);
    inventory_row_clear(&r);
}

static int count_of(Fixture *f, const char *item) { return th_item_count(f->game, item); }

static int64_t quest_id(Fixture *f, const char *title)
{
    QuestRow *rows = NULL;
    int n = 0;
    int64_t id = 0;
    Err err = {0};
    assert_int_equal(quests_list_active(game_save(f->game), game_player(f->game)->world_id, &rows, &n, &err), MA_OK);
    for (int i = 0; i < n; i++)
        if (strcmp(rows[i].title, title) == 0)
            id = rows[i].id;
    quests_list_free(rows, n);
    assert_true(id > 0);
    return id;
}

static int64_t villager_id(Fixture *f)
{
    int64_t id = npc_character_id(f->game, f->villager);
    assert_true(id > 0);
    return id;
}

static int relationship(Fixture *f, int64_t from, int64_t to, int *history)
{
    RelationshipRow r;
    Err err = {0};
    assert_int_equal(relationships_get(game_save(f->game), from, to, &r, &err), MA_OK);
    int v = r.relationship_value;
    if (history)
        *history = cJSON_GetArraySize(r.interaction_history);
    relationship_row_clear(&r);
    return v;
}

/* ------------------------------------------------------------ talking */

static void test_talk_lists_replies_and_say_1_accepts_a_quest(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "talk.db", "farmer");
    ActionResult r = th_act(f.game, "talk e");
    assert_true(r.ok);
    expect_event(&r, "Mara the farmer: \"Good day, tester.");
    assert_non_null(strstr(r.events[1].text, "1) I'll take it: Wood for the Winter (collect 10 oak logs;"));
    /* The villager is a character row now: class villager, no user, role and home kept. */
    CharacterRow c;
    Err err = {0};
    assert_int_equal(characters_get(f.save, villager_id(&f), &c, &err), MA_OK);
    assert_string_equal(c.character_class, "villager");
    assert_int_equal(c.user_id, 0);
    assert_string_equal(cJSON_GetObjectItem(c.appearance, "role")->valuestring, "farmer");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(c.appearance, "home")), 3);
    character_row_clear(&c);
    /* Talking again does not make a second row. */
    th_act(f.game, "talk e");
    CharacterRow *rows = NULL;
    int n = 0;
    assert_int_equal(characters_list_by_world(f.save, game_player(f.game)->world_id, &rows, &n, &err), MA_OK);
    assert_int_equal(n, 2);
    characters_list_free(rows, n);

    r = th_act(f.game, "say 1");
    assert_true(r.ok);
    expect_event(&r, "Quest accepted: Wood for the Winter — Oak logs gathered 0/10.");
    assert_string_equal(quest_state_name(f.game, "wood_for_winter"), "active");
    /* The templates are in the world's quests, with their objectives in order. */
    ObjectiveRow *obs = NULL;
    assert_int_equal(objectives_list(f.save, quest_id(&f, "The Pilgrimage"), &obs, &n, &err), MA_OK);
    assert_int_equal(n, 2);
    assert_string_equal(obs[0].objective_text, "Shrine visited");
    assert_string_equal(obs[1].objective_text, "Told the priest");
    objectives_list_free(obs, n);
    /* Once taken, it is no longer offered. */
    r = th_act(f.game, "talk e");
    assert_null(th_event_with(&r, "Wood for the Winter"));
    /* say without a conversation, or out of range, is refused. */
    r = th_act(f.game, "say 9");
    assert_false(r.ok);
    assert_non_null(strstr(r.text, "there is no reply 9"));
    stop(&f);
}

/* Takes the villager of f out of its chunk and puts it at (x, y, z): villagers walk (to work,
 * to the green, home) after they are met. */
static void move_villager(Fixture *f, int32_t x, int32_t y, int32_t z)
{
    World *w = game_world(f->game);
    Chunk *c = world_chunk(w, chunk_coord(f->vx), chunk_coord(f->vy), chunk_coord(f->vz), NULL);
    assert_non_null(c);
    for (int i = cJSON_GetArraySize(c->entities) - 1; i >= 0; i--) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(c->entities, i), "id");
        if (cJSON_IsString(id) && strcmp(id->valuestring, f->villager) == 0)
            cJSON_DeleteItemFromArray(c->entities, i);
    }
    world_mark_dirty(w, c->cx, c->cy, c->cz);
    cJSON *e = th_villager(f->villager, "Mara", "farmer", "Testford");
    th_put_entity(w, e, x, y, z);
    f->vx = x;
    f->vy = y;
    f->vz = z;
}

/* Replies reach the villager where it stands now, not where it was first met (every reply had
 * been refused as "too far away to hear you" once the villager had walked on from there). */
static void test_a_villager_hears_you_where_it_stands_now(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "walked.db", "farmer");
    ActionResult r = th_act(f.game, "talk e");
    assert_true(r.ok);
    r = th_act(f.game, "say 9"); /* no such reply: the conversation goes on */
    int32_t x0 = game_player(f.game)->x;
    /* Mara walks 10 east, then the player walks up to her and talks again. */
    move_villager(&f, f.vx + 10, f.vy, f.vz);
    char line[64];
    snprintf(line, sizeof line, "walk %d %d", f.vx - 1, f.vz);
    r = th_act(f.game, line);
    assert_true(r.ok);
    assert_int_equal(game_player(f.game)->x, x0 + 10);
    r = th_act(f.game, "talk e");
    assert_true(r.ok);
    ActionResult said;
    say_reply(&f, &r, "Wood for the Winter", &said);
    assert_true(said.ok);
    expect_event(&said, "Quest accepted: Wood for the Winter");
    /* And while the player talks she walks off 10 more: out of hearing. */
    r = th_act(f.game, "talk e");
    assert_true(r.ok);
    move_villager(&f, f.vx + 10, f.vy, f.vz);
    r = th_act(f.game, "say 1");
    assert_false(r.ok);
    assert_non_null(strstr(r.text, "Mara is too far away to hear you"));
    stop(&f);
}

static void test_talk_to_nobody_is_refused(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "nobody.db", "farmer");
    ActionResult r = th_act(f.game, "talk w");
    assert_false(r.ok);
    assert_string_equal(r.text, "nobody to the west to talk to");
    stop(&f);
}

static void test_dialogue_reply_unavailable_says_why(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "why.db", "farmer");
    ActionResult r = th_act(f.game, "talk e");
    const char *line = th_event_with(&r, "Could you teach me about the land?");
    assert_non_null(line);
    assert_non_null(strstr(line, "— needs a relationship of 20 or more with Mara (it is 0)"));
    ActionResult said;
    say_reply(&f, &r, "teach me", &said);
    r = said;
    assert_false(r.ok);
    assert_non_null(strstr(r.text, "not now: needs a relationship of 20 or more with Mara"));
    stop(&f);
}

/* A villager teaches once: the lesson had been on offer again and again, each time more skill for
 * nothing (Swordsmanship 4, 5, 6 from the guard in a row). */
static void test_a_villager_teaches_once(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "teach.db", "farmer");
    ActionResult r = th_act(f.game, "talk e");
    Err err = {0};
    ActionResult rr;
    memset(&rr, 0, sizeof rr);
    assert_int_equal(save_begin(f.save, &err), MA_OK);
    assert_int_equal(npc_relationship_change(f.game, villager_id(&f), 25, "test", "a friend", &rr, &err), MA_OK);
    assert_int_equal(save_commit(f.save, &err), MA_OK);
    r = th_act(f.game, "talk e");
    int before = progress_skill_level(f.game, "gathering");
    ActionResult said;
    say_reply(&f, &r, "teach me", &said);
    assert_true(said.ok);
    assert_non_null(th_event_with(&said, "Watch the birds"));
    r = th_act(f.game, "talk e");
    const char *line = th_event_with(&r, "Could you teach me about the land?");
    assert_non_null(line);
    assert_non_null(strstr(line, "—")); /* on offer no more, with why */
    say_reply(&f, &r, "teach me", &said);
    assert_false(said.ok);
    assert_non_null(strstr(said.text, "not now"));
    assert_true(progress_skill_level(f.game, "gathering") >= before);
    stop(&f);
}

/* The quest the panel follows is kept for the next session (it went back to the first active one). */
static void test_the_followed_quest_is_kept_across_sessions(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "tracked.db", "guard");
    char name[64];
    quest_tracked(f.game, name, sizeof name);
    assert_string_equal(name, "");
    assert_true(th_act(f.game, "quest accept wolf_trouble").ok);
    assert_true(th_act(f.game, "quest accept the_old_ruins").ok);
    Err err = {0};
    assert_int_equal(quest_set_tracked(f.game, "the_old_ruins", &err), MA_OK);
    stop(&f);
    open_game(&f, "tracked.db", NULL);
    quest_tracked(f.game, name, sizeof name);
    assert_string_equal(name, "the_old_ruins");
    stop(&f);
}

/* ------------------------------------------------------------ quests */

/* A quest to reach a kind of place says where the nearest one is: the log carries the place's
 * kind, and quest_place_nearest finds one of that kind in a generated world (the panel and the
 * quest page show it as a direction and a distance). */
static void test_a_place_to_reach_has_a_direction(void **state)
{
    (void)state;
    Fixture f;
    ThGame g;
    th_game_start(&g, th_path(dir, "ruins.db"), &(ThGameOpts){.world = "Ambermoor", .seed = 4242, .type = "normal"});
    f.save = g.save;
    f.game = g.game;
    const Player *p = game_player(f.game);
    World *w = game_world(f.game);
    Err err = {0};
    th_put_entity(w, th_villager("villager_t_guard", "Piet", "guard", "Hollowfield"), p->x + 1, p->y, p->z);
    assert_int_equal(world_flush(w, &err), MA_OK);
    ActionResult r = th_act(f.game, "talk e");
    ActionResult said;
    say_reply(&f, &r, "The Old Ruins", &said);
    assert_true(said.ok);
    QuestView *log = NULL;
    int n = 0;
    assert_int_equal(quest_log(f.game, &log, &n, &err), MA_OK);
    assert_int_equal(n, 1);
    assert_string_equal(log[0].objectives[0].place, "ruins");
    GenStructure st;
    assert_int_equal(quest_place_nearest(f.game, log[0].objectives[0].place, &st), 1);
    assert_string_equal(st.type, "ruins");
    int dx = st.x + st.w / 2 - p->x, dz = st.z + st.d / 2 - p->z;
    assert_true(abs(dx) <= QUEST_PLACE_RADIUS + st.w && abs(dz) <= QUEST_PLACE_RADIUS + st.d);
    assert_int_equal(quest_place_nearest(f.game, "nowhere", &st), 0);
    free(log);
    stop(&f);
}

/* A dungeon lies under the ground (version 4 worlds give most a way down): walking to it leads to
 * the top of its ladder, and it is reached — for a quest's "reach", a story's "near" — down in
 * it, not from the ground above, where the way says how deep it lies; down the ladder and through
 * its passage the player walks into the room, where The Sleeper Below begins. */
static void test_a_dungeon_is_reached_down_its_ladder_not_from_the_ground_above(void **state)
{
    (void)state;
    ThGame g;
    th_game_start(&g, th_path(dir, "ladder.db"), &(ThGameOpts){.world = "Stonereach", .seed = 777, .type = "normal"});
    Game *game = g.game;
    const Player *p = game_player(game);
    ActionResult r = th_act(game, "walk dungeon");
    assert_string_equal(r.text, "ok");
    const char *walked = th_event_with(&r, "to the way down into");
    assert_non_null(walked);
    GenStructure st;
    assert_int_equal(quest_place_nearest(game, "dungeon", &st), 1);
    assert_true(st.has_entry);
    assert_non_null(strstr(walked, st.name));
    assert_true(abs(p->x - st.entry_x) <= 1 && abs(p->z - st.entry_z) <= 1);
    /* On the ground above it, not there yet: the way says how deep. */
    int deep = st.entry_y - (st.y + 1);
    char way[200], want[200];
    assert_false(game_near_place(game, "dungeon", 24));
    quest_place_way(game, "dungeon", way, sizeof way);
    snprintf(want, sizeof want, "below (a ladder goes down)");
    if (p->x == st.entry_x && p->z == st.entry_z)
        snprintf(want, sizeof want, "below: its ladder is here (> climbs down)");
    assert_non_null(strstr(way, want));
    /* Onto the top of the ladder, and down it to the floor. */
    char line[64];
    snprintf(line, sizeof line, "walk %d %d", (int)st.entry_x, (int)st.entry_z);
    th_act(game, line);
    assert_int_equal(p->y, st.entry_y);
    quest_place_way(game, "dungeon", way, sizeof way);
    snprintf(want, sizeof want, "the nearest: %s, %d below: its ladder is here (> climbs down)", st.name, deep);
    assert_string_equal(way, want);
    int climbed = 0;
    while (th_act(game, "down").ok) {
        climbed++;
        /* Reached at the rooms' height (floor to roof), not above their roof in the shaft; the
         * way says how far below it lies only while above them. */
        assert_int_equal(game_near_place(game, "dungeon", 24), p->y <= st.y + st.h - 1);
        assert_int_equal(quest_place_below(game, &st), p->y >= st.y + st.h ? p->y - (st.y + 1) : 0);
    }
    assert_int_equal(climbed, deep);
    assert_int_equal(p->y, st.y + 1);
    assert_true(game_near_place(game, "dungeon", 24));
    /* Through the passage (toward the room) and in. */
    int dx = st.entry_x < st.x ? 1 : st.entry_x >= st.x + st.w ? -1 : 0;
    int dz = st.entry_z < st.z ? 1 : st.entry_z >= st.z + st.d ? -1 : 0;
    const char *way_in = dx > 0 ? "e" : dx < 0 ? "w" : dz > 0 ? "s" : "n";
    snprintf(line, sizeof line, "move %s", way_in);
    assert_true(th_act(game, line).ok); /* the passage */
    r = th_act(game, line);             /* the doorway in the wall */
    assert_true(r.ok);
    r = th_act(game, line); /* inside */
    assert_true(r.ok);
    assert_true(p->x >= st.x + 1 && p->x < st.x + st.w - 1 && p->z >= st.z + 1 && p->z < st.z + st.d - 1);
    ActionResult story = th_act(game, "story");
    assert_non_null(th_event_with(&story, "The Sleeper Below"));
    th_game_stop(&g);
}

/* The quests on offer list those that can be taken now first, then the locked ones: a villager
 * shows two, and the quest log's list is cut too, so a locked quest early in the book must not
 * hide one that can be taken. Light the Way done at level 1 unlocks Iron for the Forge, which
 * needs level 2: seventh in the book, it comes last. */
static void test_quests_on_offer_list_those_that_can_be_taken_first(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "offers.db", "guard");
    ActionResult r;
    Err err = {0};
    memset(&r, 0, sizeof r);
    assert_int_equal(save_begin(f.save, &err), MA_OK);
    assert_int_equal(quest_start(f.game, "light_the_way", NULL, &r, &err), MA_OK);
    assert_int_equal(quest_advance(f.game, "light_the_way", "torches", 4, &r, &err), MA_OK);
    assert_int_equal(quest_hand_in(f.game, "light_the_way", NULL, &r, &err), MA_OK);
    assert_int_equal(save_commit(f.save, &err), MA_OK);
    assert_string_equal(quest_state_name(f.game, "light_the_way"), "completed");
    QuestOffer o[32];
    int n = quest_offers(f.game, NULL, NULL, NULL, o, 32, &err);
    assert_true(n >= 2);
    assert_string_equal(o[n - 1].name, "iron_for_the_forge");
    assert_false(o[n - 1].available);
    assert_non_null(strstr(o[n - 1].why, "level 2"));
    for (int i = 0; i < n - 1; i++)
        assert_true(o[i].available);
    int cut = quest_offers(f.game, NULL, NULL, NULL, o, n - 1, &err);
    assert_int_equal(cut, n - 1);
    for (int i = 0; i < cut; i++)
        if (!o[i].available)
            fail_msg("offer %d of %d, %s, cannot be taken, and one that can was left out", i + 1, cut, o[i].name);
    stop(&f);
}

/* A quest an agent wrote for one villager's need keeps who asked: the offer names them ("Piet's
 * request — ask Piet the farmer" in the quest log), and a name past 63 characters is refused. */
static void test_a_villagers_request_keeps_who_asked(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "asker.db", "guard");
    Err err = {0};
    const char *tpl = "{\"name\":\"fetch_7\",\"title\":\"Piet's request\",\"giver\":\"farmer\",\"asker\":\"Piet\","
                      "\"difficulty\":1,\"objectives\":[{\"id\":\"bring\",\"kind\":\"deliver\",\"item\":\"bread\","
                      "\"count\":2,\"to\":\"farmer\",\"text\":\"Bread brought\"}]}";
    cJSON *q = cJSON_Parse(tpl);
    int64_t id = 0;
    assert_int_equal(save_begin(f.save, &err), MA_OK);
    assert_int_equal(quest_insert_template(f.save, game_player(f.game)->world_id, q, "agent", NULL, NULL, &id, &err),
                     MA_OK);
    cJSON_ReplaceItemInObjectCaseSensitive(q, "name", cJSON_CreateString("fetch_8"));
    cJSON_ReplaceItemInObjectCaseSensitive(q, "asker", cJSON_CreateString(
        "Piet of the Very Long Name Who Lives Beyond the Hills and Far Away Over There"));
    assert_int_equal(quest_insert_template(f.save, game_player(f.game)->world_id, q, "agent", NULL, NULL, &id, &err),
                     MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "asker (the villager whose request it is) must be 1 to 63 characters"));
    assert_int_equal(save_commit(f.save, &err), MA_OK);
    cJSON_Delete(q);
    quest_forget_templates(f.game);
    QuestOffer o[32];
    int n = quest_offers(f.game, "farmer", NULL, NULL, o, 32, &err), found = 0;
    for (int i = 0; i < n; i++)
        if (strcmp(o[i].name, "fetch_7") == 0) {
            assert_string_equal(o[i].asker, "Piet");
            found = 1;
        } else {
            assert_string_equal(o[i].asker, ""); /* the book's quests: any farmer's */
        }
    assert_true(found);
    stop(&f);
}

/* Talking to a villager: their own request comes first and a new quest of the agents' before the
 * book's, so that two lines do not hide them (a guard offered the book's two while "Trouble near
 * Frosthaven — ask a guard" waited unseen); another villager's request is not theirs to give, nor
 * that of another village's Mara (the quest names its asker's entity; it had matched by name). */
static void test_a_villager_offers_their_own_request_and_the_new_quests_first(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "own.db", "farmer"); /* Mara the farmer, east */
    Err err = {0};
    th_act(f.game, "talk e"); /* meets her: her row, and her entity's id */
    char *mara = th_sql_text(th_path(dir, "own.db"),
                             "SELECT json_extract(appearance, '$.entity_id') FROM characters WHERE name = 'Mara'");
    assert_non_null(mara);
    char mine[600], other[600];
    snprintf(mine, sizeof mine,
             "{\"name\":\"fetch_3\",\"title\":\"Mara's request\",\"giver\":\"farmer\",\"asker\":\"Mara\","
             "\"asker_entity\":\"%s\",\"type\":\"generated\",\"difficulty\":1,\"objectives\":[{\"id\":\"bring\","
             "\"kind\":\"deliver\",\"item\":\"bread\",\"count\":1,\"to\":\"farmer\",\"text\":\"Bread brought\"}]}",
             mara);
    snprintf(other, sizeof other,
             "{\"name\":\"fetch_4\",\"title\":\"Fish for Mara\",\"giver\":\"farmer\",\"asker\":\"Mara\","
             "\"asker_entity\":\"%s_elsewhere\",\"type\":\"generated\",\"difficulty\":1,\"objectives\":[{\"id\":"
             "\"bring\",\"kind\":\"deliver\",\"item\":\"bread\",\"count\":1,\"to\":\"farmer\",\"text\":"
             "\"Bread brought\"}]}",
             mara);
    free(mara);
    const char *tpls[] = {
        "{\"name\":\"fetch_1\",\"title\":\"Piet's request\",\"giver\":\"farmer\",\"asker\":\"Piet\",\"type\":\"generated\","
        "\"difficulty\":1,\"objectives\":[{\"id\":\"bring\",\"kind\":\"deliver\",\"item\":\"bread\",\"count\":2,"
        "\"to\":\"farmer\",\"text\":\"Bread brought\"}]}",
        "{\"name\":\"slay_2\",\"title\":\"Trouble near Testford\",\"giver\":\"farmer\",\"type\":\"generated\","
        "\"difficulty\":1,\"objectives\":[{\"id\":\"slay\",\"kind\":\"slay\",\"creature\":\"wolf\",\"count\":2,"
        "\"text\":\"Wolves slain\"}]}",
        other,
        mine,
    };
    assert_int_equal(save_begin(f.save, &err), MA_OK);
    for (int i = 0; i < 4; i++) {
        cJSON *q = cJSON_Parse(tpls[i]);
        int64_t id = 0;
        assert_int_equal(quest_insert_template(f.save, game_player(f.game)->world_id, q, "agent", NULL, NULL, &id, &err),
                         MA_OK);
        cJSON_Delete(q);
    }
    assert_int_equal(save_commit(f.save, &err), MA_OK);
    quest_forget_templates(f.game);
    ActionResult r = th_act(f.game, "talk e");
    assert_non_null(th_event_with(&r, "I'll take it: Mara's request"));
    assert_non_null(th_event_with(&r, "I'll take it: Trouble near Testford"));
    assert_null(th_event_with(&r, "Piet's request"));
    assert_null(th_event_with(&r, "Fish for Mara"));
    assert_null(th_event_with(&r, "Wood for the Winter")); /* the book's, after the two */
    /* Taken, the book's quest comes up in their place. */
    ActionResult said;
    say_reply(&f, &r, "I'll take it: Mara's request", &said);
    assert_true(said.ok);
    /* Her bread is for her: another farmer does not take it (a priest had taken Sven's flowers). */
    const Player *hero = game_player(f.game);
    th_put_entity(game_world(f.game), th_villager("villager_other_farmer", "Piet", "farmer", "Testford"), hero->x - 1,
                  hero->y, hero->z);
    assert_int_equal(world_flush(game_world(f.game), &err), MA_OK);
    r = th_act(f.game, "talk w");
    assert_non_null(th_event_with(&r, "Piet"));
    assert_null(th_event_with(&r, "Deliver 1 bread: Mara's request"));
    r = th_act(f.game, "talk e");
    assert_non_null(th_event_with(&r, "Deliver 1 bread: Mara's request"));
    r = th_act(f.game, "talk e");
    assert_non_null(th_event_with(&r, "I'll take it: Trouble near Testford"));
    assert_non_null(th_event_with(&r, "I'll take it: Wood for the Winter"));
    assert_null(th_event_with(&r, "Fish for Mara"));
    /* The quest log still lists Piet's, to ask Piet. */
    QuestOffer o[32];
    int n = quest_offers(f.game, NULL, NULL, NULL, o, 32, &err), piet = 0;
    for (int i = 0; i < n; i++)
        piet |= strcmp(o[i].name, "fetch_1") == 0;
    assert_true(piet);
    stop(&f);
}

/* An agent's quest is offered for a while (expires_at): the offer says how long is left, in
 * turns the quest log words as game time ("offered 2 days more"); a book's quest always. */
static void test_an_offer_says_how_long_it_stands(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "offer_left.db", "farmer");
    Err err = {0};
    const char *tpl = "{\"name\":\"fetch_9\",\"title\":\"Mara's request\",\"giver\":\"farmer\",\"asker\":\"Mara\","
                      "\"type\":\"generated\",\"difficulty\":1,\"objectives\":[{\"id\":\"bring\",\"kind\":\"deliver\","
                      "\"item\":\"bread\",\"count\":1,\"to\":\"farmer\",\"text\":\"Bread brought\"}]}";
    cJSON *q = cJSON_Parse(tpl);
    char created[32], expires[32];
    int64_t now = game_clock(f.game), id = 0;
    calendar_iso(now, created, sizeof created);
    calendar_iso(now + 2 * TURNS_PER_DAY, expires, sizeof expires);
    assert_int_equal(save_begin(f.save, &err), MA_OK);
    assert_int_equal(quest_insert_template(f.save, game_player(f.game)->world_id, q, "agent", created, expires, &id, &err),
                     MA_OK);
    assert_int_equal(save_commit(f.save, &err), MA_OK);
    cJSON_Delete(q);
    quest_forget_templates(f.game);
    QuestOffer o[32];
    int n = quest_offers(f.game, NULL, NULL, NULL, o, 32, &err), seen = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(o[i].name, "fetch_9") == 0) {
            assert_int_equal(o[i].offer_left, 2 * TURNS_PER_DAY);
            seen = 1;
        } else {
            assert_int_equal(o[i].offer_left, -1);
        }
    }
    assert_true(seen);
    char span[48];
    assert_string_equal(calendar_span(2 * TURNS_PER_DAY, span, sizeof span), "2 days");
    /* Mara sent away (a story's leave marks her row away): her request cannot be had, and the
     * log says why (it had said "ask Mara the farmer" while she was gone). */
    th_act(f.game, "talk e"); /* meets her: her row */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(th_path(dir, "offer_left.db"), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_exec(db, "UPDATE characters SET appearance = json_set(appearance, '$.away', json('{}')) "
                                      "WHERE name = 'Mara'", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_changes(db), 1);
    sqlite3_close(db);
    n = quest_offers(f.game, NULL, NULL, NULL, o, 32, &err);
    seen = 0;
    for (int i = 0; i < n; i++)
        if (strcmp(o[i].name, "fetch_9") == 0) {
            assert_false(o[i].available);
            assert_string_equal(o[i].why, "Mara has gone away for now: none can take it until they are home");
            seen = 1;
        }
    assert_true(seen);
    stop(&f);
}

/* A villager met in a world holds their name there: a character of that name is refused with
 * what the name is (it said "belongs to another player"), and the save is as it was. */
static void test_a_villagers_name_is_refused_for_a_new_character_in_words(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "named.db", "farmer");
    th_act(f.game, "talk e"); /* meets Mara */
    game_close(f.game);
    Err err = {0};
    Game *g = NULL;
    GameStart st = {.username = "tester", .world = "flatland", .character = "Mara"};
    assert_int_equal(game_start(f.save, &st, &g, &err), MA_ERR_INVALID);
    assert_null(g);
    assert_string_equal(err.msg, "'Mara' in flatland is the name of a villager there: choose another name for your "
                                 "character");
    st.character = "Mara the Bold";
    assert_int_equal(game_start(f.save, &st, &g, &err), MA_OK);
    f.game = g;
    stop(&f);
}

/* A priest blesses once: afterwards the reply is gone from the conversation, not shown locked with
 * the rule behind it ("not allowed with the flag blessed set"). */
static void test_a_blessing_once_given_is_no_longer_offered(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "bless.db", "priest");
    ActionResult r = th_act(f.game, "talk e"), said;
    say_reply(&f, &r, "Will you bless me?", &said);
    assert_true(said.ok);
    r = th_act(f.game, "talk e");
    assert_true(r.ok);
    assert_int_equal(reply_number(&r, "bless"), 0);
    for (int i = 0; i < r.n_events; i++)
        if (strstr(r.events[i].text, "flag"))
            fail_msg("the conversation shows a rule: %s", r.events[i].text);
    stop(&f);
}

/* Who gives a quest says where it ends: the priest's bread goes to the farmer and counts there
 * (she had said "Come back to me when it is done"); a guard's quest comes back to the guard. */
static void test_the_giver_says_where_a_quest_ends(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "words.db", "priest");
    ActionResult r = th_act(f.game, "talk e"), said;
    say_reply(&f, &r, "Bread for the Farmer", &said);
    assert_true(said.ok);
    assert_non_null(th_event_with(&said, "Good. Take them to the farmer: that is all it needs."));
    assert_null(th_event_with(&said, "Come back to me"));
    stop(&f);
    start(&f, "words2.db", "guard");
    r = th_act(f.game, "talk e");
    say_reply(&f, &r, "Wolf Trouble", &said);
    assert_true(said.ok);
    assert_non_null(th_event_with(&said, "Good. Come back to me when it is done."));
    stop(&f);
}

/* A quest to slay a kind of creature says where that kind is found (the quest page shows it). */
static void test_a_creature_to_slay_says_where_it_lives(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "hunt.db", "guard");
    ActionResult r = th_act(f.game, "talk e");
    ActionResult said;
    say_reply(&f, &r, "Wolf Trouble", &said);
    assert_true(said.ok);
    QuestView *log = NULL;
    int n = 0;
    Err err = {0};
    assert_int_equal(quest_log(f.game, &log, &n, &err), MA_OK);
    assert_int_equal(n, 1);
    assert_string_equal(log[0].objectives[0].creature, "wolf");
    char where[160];
    creatures_habitat_words(game_creatures(f.game), log[0].objectives[0].creature, where, sizeof where);
    assert_string_equal(where, "plains, forest, snowy mountains and tundra, by night"); /* data/creatures.json */
    creatures_habitat_words(game_creatures(f.game), "scorpion", where, sizeof where);
    assert_string_equal(where, "desert");
    creatures_habitat_words(game_creatures(f.game), "nonesuch", where, sizeof where);
    assert_string_equal(where, "");
    free(log);
    stop(&f);
}

static void test_counters_advance_and_hand_in_rewards_exactly_once(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "handin.db", "farmer");
    ActionResult r = th_act(f.game, "talk e");
    r = th_act(f.game, "say 1");
    assert_true(r.ok);
    give(&f, "oak_log", 4, 30);
    r = th_act(f.game, "wait");
    expect_event(&r, "Wood for the Winter: Oak logs gathered 4/10.");
    QuestView *log = NULL;
    int n = 0;
    Err err = {0};
    assert_int_equal(quest_log(f.game, &log, &n, &err), MA_OK);
    assert_int_equal(n, 1);
    assert_string_equal(log[0].status, "active");
    assert_int_equal(log[0].objectives[0].count, 4);
    assert_int_equal(log[0].objectives[0].target, 10);
    assert_int_equal(log[0].turns_left, -1);
    /* The log says what was asked, as the quest's data words it (the quest page shows it). */
    assert_string_equal(log[0].description,
                        "The farmer's woodpile is low and the nights are getting cold. Bring oak logs.");
    /* Handed in to its giver: the giver's village, where the page and the panel point once it is
     * done ("Done: hand it in to Mara, the farmer of Testford (E 3)"). */
    assert_string_equal(log[0].giver_village, "Testford");
    free(log);

    /* Not done yet: the hand-in is refused and says what is missing. */
    r = th_act(f.game, "talk e");
    assert_int_equal(reply_number(&r, "Hand in"), 0);
    ActionResult direct;
    memset(&direct, 0, sizeof direct);
    assert_int_equal(save_begin(f.save, &err), MA_OK);
    assert_int_equal(quest_hand_in(f.game, "wood_for_winter", f.villager, &direct, &err), MA_OK);
    save_rollback(f.save);
    assert_false(direct.ok);
    assert_non_null(strstr(direct.text, "not done yet: Oak logs gathered 4/10"));

    give(&f, "oak_log", 6, 31);
    r = th_act(f.game, "wait");
    expect_event(&r, "Oak logs gathered 10/10 — done.");
    /* The villager who gave it, by the name every screen uses. */
    expect_event(&r, ", the farmer");
    expect_event(&r, "is done: hand it in to ");

    int64_t xp = game_player(f.game)->experience;
    int bread = count_of(&f, "bread");
    r = th_act(f.game, "talk e");
    ActionResult done;
    say_reply(&f, &r, "Hand in: Wood for the Winter", &done);
    assert_true(done.ok);
    expect_event(&done, "Quest complete: Wood for the Winter (40 experience, gives 3 bread, gives 5 gold coins).");
    assert_int_equal(count_of(&f, "oak_log"), 0);
    assert_int_equal(count_of(&f, "bread"), bread + 3);
    assert_int_equal(count_of(&f, "gold_coin"), 5);
    assert_int_equal(game_player(f.game)->experience, xp + 40);
    assert_string_equal(quest_state_name(f.game, "wood_for_winter"), "completed");
    ProgressRow p;
    int64_t qid = quest_id(&f, "Wood for the Winter");
    assert_int_equal(progress_get(f.save, game_player(f.game)->character_id, qid, &p, &err), MA_OK);
    assert_int_equal(cJSON_GetArraySize(p.rewards_earned), 3);
    assert_true(p.completed_at[0] != '\0');
    progress_row_clear(&p);
    /* The giver thinks better of the player, both ways, with the reason in the history. */
    int hist = 0;
    assert_int_equal(relationship(&f, villager_id(&f), game_player(f.game)->character_id, &hist), 10);
    assert_int_equal(hist, 2);
    assert_int_equal(relationship(&f, game_player(f.game)->character_id, villager_id(&f), NULL), 5);

    /* A second hand-in is refused, and gives nothing. */
    memset(&direct, 0, sizeof direct);
    assert_int_equal(save_begin(f.save, &err), MA_OK);
    assert_int_equal(quest_hand_in(f.game, "wood_for_winter", f.villager, &direct, &err), MA_OK);
    save_rollback(f.save);
    assert_false(direct.ok);
    assert_string_equal(direct.text, "Wood for the Winter was already handed in");
    assert_int_equal(progress_complete(f.save, game_player(f.game)->character_id, qid, NULL, NULL, &err),
                     MA_ERR_CONSTRAINT);
    assert_int_equal(count_of(&f, "gold_coin"), 5);
    assert_int_equal(game_player(f.game)->experience, xp + 40);
    r = th_act(f.game, "quest accept Wood for the Winter");
    assert_false(r.ok);
    assert_non_null(strstr(r.text, "already taken"));
    stop(&f);
}

/* Waits n turns, again and again when an attack ends a wait early. */
static ActionResult wait_turns(Fixture *f, int n)
{
    int64_t until = game_clock(f->game) + n;
    ActionResult r;
    memset(&r, 0, sizeof r);
    while (game_clock(f->game) < until) {
        char line[32];
        snprintf(line, sizeof line, "wait %lld", (long long)(until - game_clock(f->game)));
        r = th_act(f->game, line);
    }
    return r;
}

static void test_slay_counts_from_acceptance_and_quest_expires_on_the_clock(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "expire.db", "farmer");
    int64_t me = game_player(f.game)->character_id;
    Err err = {0};
    /* Wolves slain before the quest do not count. */
    assert_int_equal(charstate_add(f.save, me, "slain_wolf", 5, NULL, &err), MA_OK);
    ActionResult r = th_act(f.game, "quest accept wolf_trouble");
    assert_true(r.ok);
    expect_event(&r, "Quest accepted: Wolf Trouble — Wolves slain 0/3 (720 turns).");
    assert_int_equal(charstate_add(f.save, me, "slain_wolf", 2, NULL, &err), MA_OK);
    r = th_act(f.game, "wait");
    expect_event(&r, "Wolf Trouble: Wolves slain 2/3.");
    r = wait_turns(&f, 700);
    assert_string_equal(quest_state_name(f.game, "wolf_trouble"), "active");
    QuestView *log = NULL;
    int n = 0;
    assert_int_equal(quest_log(f.game, &log, &n, &err), MA_OK);
    assert_int_equal(log[0].turns_left, 19);
    free(log);
    r = wait_turns(&f, 18);
    assert_string_equal(quest_state_name(f.game, "wolf_trouble"), "active");
    /* Nobody about, so that the last turn holds only the news. */
    const Player *pl = game_player(f.game);
    th_clear_creatures(game_world(f.game), pl->x - 40, pl->x + 40, pl->y, pl->z - 40, pl->z + 40);
    r = th_act(f.game, "wait");
    expect_event(&r, "Quest failed: Wolf Trouble — the time ran out.");
    assert_null(th_event_with(&r, "you for "));
    /* Bad news, not a blow: resting does not stop as if attacked. */
    assert_false(r.attacked);
    assert_string_equal(quest_state_name(f.game, "wolf_trouble"), "failed");
    ProgressRow p;
    assert_int_equal(progress_get(f.save, me, quest_id(&f, "Wolf Trouble"), &p, &err), MA_OK);
    assert_string_equal(p.status, "expired");
    progress_row_clear(&p);
    /* An expired quest gives nothing when its wolves are slain after all. */
    assert_int_equal(charstate_add(f.save, me, "slain_wolf", 5, NULL, &err), MA_OK);
    r = th_act(f.game, "wait");
    assert_null(th_event_with(&r, "Wolf Trouble"));
    stop(&f);
}

/* Time that passed while the player was away (the agents ran days on) fails a quest whose time
 * ran out as the game starts, and says so then (it had stayed "active, 0 minutes left" until the
 * first key). */
static void test_a_quest_whose_time_ran_out_while_away_fails_at_the_start(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "away_expire.db", "guard");
    Err err = {0};
    assert_true(th_act(f.game, "quest accept wolf_trouble").ok);
    int64_t world = game_player(f.game)->world_id, later = game_clock(f.game) + 2 * TURNS_PER_DAY;
    stop(&f);
    Save *s = th_save_open(th_path(dir, "away_expire.db"), 0);
    assert_int_equal(worlds_set_clock(s, world, later, &err), MA_OK);
    save_close(s);
    open_game(&f, "away_expire.db", NULL);
    expect_event(game_started(f.game), "Quest failed: Wolf Trouble — the time ran out.");
    assert_string_equal(quest_state_name(f.game, "wolf_trouble"), "failed");
    stop(&f);
    /* Started again, nothing more to say. */
    open_game(&f, "away_expire.db", NULL);
    assert_int_equal(game_started(f.game)->n_events, 0);
    stop(&f);
}

/* The time limit is for the work: wolves slain in time, the quest waits to be handed in however
 * long the walk back takes (it had failed when its limit passed with the work done). */
static void test_a_quest_done_in_time_waits_past_its_limit_to_be_handed_in(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "done_in_time.db", "guard");
    int64_t me = game_player(f.game)->character_id;
    Err err = {0};
    ActionResult r = th_act(f.game, "quest accept wolf_trouble");
    assert_true(r.ok);
    assert_int_equal(charstate_add(f.save, me, "slain_wolf", 3, NULL, &err), MA_OK);
    r = th_act(f.game, "wait");
    expect_event(&r, "Wolf Trouble is done: hand it in to");
    QuestView *log = NULL;
    int n = 0;
    assert_int_equal(quest_log(f.game, &log, &n, &err), MA_OK);
    assert_int_equal(log[0].turns_left, -1); /* no count-down once done */
    free(log);
    const Player *pl = game_player(f.game);
    th_clear_creatures(game_world(f.game), pl->x - 40, pl->x + 40, pl->y, pl->z - 40, pl->z + 40);
    r = wait_turns(&f, 760);
    assert_null(th_event_with(&r, "the time ran out"));
    assert_string_equal(quest_state_name(f.game, "wolf_trouble"), "active");
    r = th_act(f.game, "talk e");
    ActionResult said;
    say_reply(&f, &r, "Hand in: Wolf Trouble", &said);
    assert_true(said.ok);
    assert_string_equal(quest_state_name(f.game, "wolf_trouble"), "completed");
    stop(&f);
}

static void test_deliver_through_dialogue_completes_and_pleases_the_receiver(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "deliver.db", "farmer");
    ActionResult r = th_act(f.game, "quest accept Bread for the Farmer");
    assert_true(r.ok);
    int bread = count_of(&f, "bread");
    assert_true(bread >= 2);
    r = th_act(f.game, "talk e");
    ActionResult d;
    say_reply(&f, &r, "Deliver 2 bread: Bread for the Farmer", &d);
    assert_true(d.ok);
    expect_event(&d, "You hand over 2 bread.");
    expect_event(&d, "Quest complete: Bread for the Farmer");
    assert_int_equal(count_of(&f, "bread"), bread - 2);
    assert_int_equal(relationship(&f, villager_id(&f), game_player(f.game)->character_id, NULL), 5);
    assert_string_equal(quest_state_name(f.game, "bread_for_the_farmer"), "completed");
    stop(&f);
}

static void test_quest_shared_with_another_character_of_the_player(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "share.db", "farmer");
    stop(&f);
    open_game(&f, "share.db", "Second");
    int64_t second = game_player(f.game)->character_id;
    stop(&f);
    open_game(&f, "share.db", "tester");
    ActionResult r = th_act(f.game, "quest accept wood_for_winter");
    assert_true(r.ok);
    Err err = {0};
    r = th_act(f.game, "quest share wood_for_winter to Second");
    assert_true(r.ok);
    ProgressRow p;
    assert_int_equal(progress_get(f.save, second, quest_id(&f, "Wood for the Winter"), &p, &err), MA_OK);
    assert_string_equal(p.status, "active");
    progress_row_clear(&p);
    memset(&r, 0, sizeof r);
    assert_int_equal(quest_share(f.game, "wood_for_winter", "Second", &r, &err), MA_OK);
    assert_false(r.ok);
    memset(&r, 0, sizeof r);
    assert_int_equal(quest_share(f.game, "wood_for_winter", "Mara", &r, &err), MA_OK);
    assert_false(r.ok);
    assert_non_null(strstr(r.text, "not another of your characters"));
    stop(&f);
}

static void test_talk_objective_completes_by_itself_when_talking_to_the_role(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "priest.db", "priest");
    ActionResult r = th_act(f.game, "quest accept A Word with the Priest");
    assert_true(r.ok);
    int64_t xp = game_player(f.game)->experience;
    r = th_act(f.game, "talk e");
    expect_event(&r, "A Word with the Priest: Spoke with the priest 1/1 — done.");
    expect_event(&r, "The priest promises to bless the fields.");
    expect_event(&r, "Quest complete: A Word with the Priest");
    assert_int_equal(game_player(f.game)->experience, xp + 20);
    assert_string_equal(quest_state_name(f.game, "word_with_the_priest"), "completed");
    stop(&f);
}

static void test_difficulty_scales_with_the_character_level(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "scale.db", "farmer");
    CharacterRow c;
    Err err = {0};
    assert_int_equal(characters_get(f.save, game_player(f.game)->character_id, &c, &err), MA_OK);
    c.level = 6;
    assert_int_equal(characters_update(f.save, &c, &err), MA_OK);
    character_row_clear(&c);
    stop(&f);
    open_game(&f, "scale.db", NULL);
    ActionResult r = th_act(f.game, "talk e");
    expect_event(&r, "1) I'll take it: Wood for the Winter (collect 20 oak logs; 80 experience");
    r = th_act(f.game, "say 1");
    expect_event(&r, "Oak logs gathered 0/20");
    stop(&f);
}

static void test_rule_context_reads_and_changes_the_game_all_or_nothing(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "ctx.db", "smith");
    th_act(f.game, "talk e");
    Err err = {0};
    int furnace = blocks_find(game_blocks(f.game), "furnace");
    assert_true(furnace > 0);
    const Player *p = game_player(f.game);
    assert_int_equal(world_set_block(game_world(f.game), p->x - 3, p->y, p->z, (BlockId)furnace, &err), MA_OK);
    ActionResult r;
    memset(&r, 0, sizeof r);
    GameRules rules;
    game_rules_bind(&rules, f.game, &r);
    const char *yes = "{\"all\":[{\"level\":{\"min\":1}},{\"item\":{\"name\":\"bread\"}},"
                      "{\"relationship\":{\"with\":\"@npc\",\"min\":0,\"max\":0}},"
                      "{\"relationship\":{\"with\":\"Mara\",\"max\":0}},"
                      "{\"quest\":{\"name\":\"wood_for_winter\",\"state\":\"none\"}},"
                      "{\"achievement\":\"friendly_face\"},{\"place\":{\"near\":\"furnace\",\"radius\":4}},"
                      "{\"stat\":{\"name\":\"strength\",\"min\":1}},{\"time\":{\"from\":\"06:00\",\"to\":\"20:00\"}}]}";
    cJSON *cond = cJSON_Parse(yes);
    assert_int_equal(rules_check(&rules.ctx, cond), 1);
    cJSON_Delete(cond);
    cond = cJSON_Parse("{\"place\":{\"near\":\"furnace\",\"radius\":2}}");
    assert_int_equal(rules_check(&rules.ctx, cond), 0);
    cJSON_Delete(cond);
    /* Effects: all of them, or none when one fails. */
    int64_t xp = p->experience;
    cJSON *fx = cJSON_Parse("[{\"give\":{\"item\":\"gold_coin\",\"count\":3}},{\"experience\":5},"
                            "{\"relationship\":{\"with\":\"@npc\",\"add\":4,\"reason\":\"helped\"}},"
                            "{\"flag\":{\"name\":\"helped_smith\",\"value\":\"yes\"}},{\"unlock_recipe\":\"iron_sword\"},"
                            "{\"start_quest\":\"light_the_way\"},{\"message\":\"Well done.\"}]");
    /* Outside a unit of work effects are refused: they could only commit on their own. */
    assert_int_not_equal(rules_apply(&rules.ctx, fx, &err), MA_OK);
    assert_non_null(strstr(err.msg, "outside its transaction"));
    assert_int_equal(count_of(&f, "gold_coin"), 0);
    assert_int_equal(save_begin(f.save, &err), MA_OK);
    assert_int_equal(rules_apply(&rules.ctx, fx, &err), MA_OK);
    assert_int_equal(save_commit(f.save, &err), MA_OK);
    cJSON_Delete(fx);
    assert_int_equal(count_of(&f, "gold_coin"), 3);
    assert_int_equal(p->experience, xp + 5);
    assert_int_equal(relationship(&f, villager_id(&f), p->character_id, NULL), 4);
    assert_string_equal(quest_state_name(f.game, "light_the_way"), "active");
    char buf[32];
    assert_int_equal(charstate_get(f.save, p->character_id, "recipe", "iron_sword", buf, sizeof buf, &err), MA_OK);
    expect_event(&r, "Well done.");
    int events = r.n_events;
    fx = cJSON_Parse("[{\"give\":{\"item\":\"gold_coin\",\"count\":3}},{\"experience\":5},{\"message\":\"No.\"},"
                     "{\"take\":{\"item\":\"diamond\",\"count\":1}}]");
    assert_int_equal(save_begin(f.save, &err), MA_OK);
    assert_int_not_equal(rules_apply(&rules.ctx, fx, &err), MA_OK);
    assert_int_equal(save_commit(f.save, &err), MA_OK);
    assert_non_null(strstr(err.msg, "you have only 0 diamond"));
    cJSON_Delete(fx);
    assert_int_equal(count_of(&f, "gold_coin"), 3);
    assert_int_equal(p->experience, xp + 5);
    assert_int_equal(r.n_events, events);
    /* A world event from a consequence: at once in the game's prices and in the world's events. */
    cJSON *ev = cJSON_Parse("[{\"start_event\":{\"name\":\"Night of Bells\",\"days\":2,\"price_pct\":50}}]");
    assert_int_equal(save_begin(f.save, &err), MA_OK);
    assert_int_equal(rules_apply(&rules.ctx, ev, &err), MA_OK);
    assert_int_equal(save_commit(f.save, &err), MA_OK);
    cJSON_Delete(ev);
    const WorldMods *mods = game_world_mods(f.game);
    assert_true(mods->price > 0.49 && mods->price < 0.51);
    assert_int_equal(mods->n_events, 1);
    assert_string_equal(mods->events[0], "Night of Bells");

    stop(&f);
}

/* ------------------------------------------------------------ relationships */

static void test_relationships_move_both_ways_with_history(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "rel.db", "farmer");
    ActionResult r = th_act(f.game, "talk e");
    int64_t me = game_player(f.game)->character_id, npc = villager_id(&f);
    int hist = 0;
    assert_int_equal(relationship(&f, npc, me, &hist), 0);
    assert_int_equal(hist, 1);
    assert_int_equal(relationship(&f, me, npc, &hist), 0);
    assert_int_equal(hist, 1);

    int bread = count_of(&f, "bread");
    ActionResult g;
    say_reply(&f, &r, "Here, have a loaf of bread.", &g);
    assert_true(g.ok);
    expect_event(&g, "Mara: \"Bread from a stranger! You have a good heart.\"");
    assert_int_equal(count_of(&f, "bread"), bread - 1);
    assert_int_equal(relationship(&f, npc, me, &hist), 5);
    assert_int_equal(hist, 2);
    assert_int_equal(relationship(&f, me, npc, &hist), 2);
    assert_int_equal(hist, 2);
    RelationshipRow row;
    Err err = {0};
    assert_int_equal(relationships_get(f.save, npc, me, &row, &err), MA_OK);
    const cJSON *last = cJSON_GetArrayItem(row.interaction_history, 1);
    assert_string_equal(cJSON_GetObjectItem(last, "reason")->valuestring, "a gift of bread");
    relationship_row_clear(&row);

    /* Combat marks an attack with a flag; it counts once. */
    char flag[80];
    snprintf(flag, sizeof flag, "attacked_%s", f.villager);
    assert_int_equal(charstate_set(f.save, me, "flag", flag, "1", &err), MA_OK);
    r = th_act(f.game, "wait");
    expect_event(&r, "Mara thinks worse of you (-25, now -20).");
    th_act(f.game, "wait");
    assert_int_equal(relationship(&f, npc, me, &hist), -20);
    assert_int_equal(hist, 3);
    assert_int_equal(relationship(&f, me, npc, NULL), -10);
    char look[200];
    assert_int_equal(npc_describe(f.game, f.vx, f.vy, f.vz, look, sizeof look), 1);
    assert_string_equal(look, "Mara, the farmer of Testford: dislikes you (-20): you attacked them");
    assert_int_equal(npc_describe(f.game, f.vx + 5, f.vy, f.vz, look, sizeof look), 0);
    /* The greeting follows the regard. */
    r = th_act(f.game, "talk e");
    expect_event(&r, "Good day");
    stop(&f);
}

static void test_villager_met_by_walking_near(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "meet.db", "smith");
    assert_int_equal(npc_character_id(f.game, f.villager), 0);
    ActionResult r = th_act(f.game, "move w");
    expect_event(&r, "You meet Mara, the smith of Testford.");
    assert_true(npc_character_id(f.game, f.villager) > 0);
    r = th_act(f.game, "move e");
    assert_null(th_event_with(&r, "You meet"));
    stop(&f);
}

/* Talking to a villager is meeting them: walking by afterwards does not say "You meet" them. */
static void test_a_villager_talked_to_is_met(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "meet_talk.db", "smith");
    ActionResult r = th_act(f.game, "talk e");
    assert_true(r.ok);
    r = th_act(f.game, "move w");
    assert_true(r.ok);
    assert_null(th_event_with(&r, "You meet"));
    stop(&f);
}

static void test_trader_prices_follow_the_relationship(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "trade.db", "trader");
    give(&f, "gold_coin", 10, 30);
    give(&f, "oak_log", 3, 31);
    int bread = count_of(&f, "bread");
    ActionResult r = th_act(f.game, "talk e"), s;
    say_reply(&f, &r, "Buy 1 bread for 4 gold coins", &s);
    assert_true(s.ok);
    expect_event(&s, "You buy 1 bread for 4 gold coins.");
    assert_int_equal(count_of(&f, "bread"), bread + 1);
    assert_int_equal(count_of(&f, "gold_coin"), 6);
    int64_t me = game_player(f.game)->character_id, npc = villager_id(&f);
    Err err = {0};
    assert_int_equal(relationships_change(f.save, npc, me, -100, NULL, NULL, &err), MA_OK);
    r = th_act(f.game, "talk e");
    expect_event(&r, "Buy 1 bread for 5 gold coins");
    expect_event(&r, "Sell 1 oak log for 2 gold coins");
    assert_int_equal(relationships_change(f.save, npc, me, 200, NULL, NULL, &err), MA_OK);
    r = th_act(f.game, "talk e");
    expect_event(&r, "Buy 1 bread for 3 gold coins");
    say_reply(&f, &r, "Sell 1 oak log for 3 gold coins", &s);
    assert_true(s.ok);
    assert_int_equal(count_of(&f, "oak_log"), 2);
    assert_int_equal(count_of(&f, "gold_coin"), 9);
    /* What the player paid went into the trader's pack, and both sides were logged. */
    InventoryRow *rows = NULL;
    int n = 0, coins = 0;
    assert_int_equal(inventory_list(f.save, npc, &rows, &n, &err), MA_OK);
    for (int i = 0; i < n; i++)
        coins += strcmp(rows[i].item_name, "gold_coin") == 0 ? rows[i].quantity : 0;
    inventory_list_free(rows, n);
    assert_int_equal(coins, 4);
    int64_t logged = 0;
    assert_int_equal(transfers_count(f.save, me, &logged, &err), MA_OK);
    assert_int_equal(logged, 4);
    stop(&f);
}

/* ------------------------------------------------------------ achievements */

static void test_achievement_unlocks_once_and_is_announced(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "ach.db", "farmer");
    ActionResult r = th_act(f.game, "talk e");
    expect_event(&r, "Achievement unlocked: Friendly Face (+10)");
    r = th_act(f.game, "talk e");
    assert_null(th_event_with(&r, "Achievement unlocked"));
    AchievementRow *rows = NULL;
    int n = 0;
    Err err = {0};
    assert_int_equal(achievements_list(f.save, game_player(f.game)->user_id, &rows, &n, &err), MA_OK);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].achievement_name, "friendly_face");
    assert_int_equal(rows[0].points, 10);
    achievements_list_free(rows, n);
    /* A chain: explorer is locked behind first steps; 20 steps earn first steps. */
    AchieveView *v = NULL;
    int64_t points = 0;
    assert_int_equal(achieve_list(f.game, &v, &n, &points, &err), MA_OK);
    assert_int_equal(points, 10);
    assert_string_equal(v[0].name, "first_steps");
    assert_int_equal(v[0].need, 20);
    assert_string_equal(v[1].locked_by, "First Steps");
    free(v);
    const char *announced = NULL;
    for (int i = 0; i < 20; i++) {
        r = th_act(f.game, i % 2 ? "move s" : "move n"); /* not east: the villager stands there */
        if (th_event_with(&r, "Achievement unlocked: First Steps (+10)"))
            announced = "yes";
    }
    if (!announced) {
        char steps[32] = "";
        charstate_get(f.save, game_player(f.game)->character_id, "counter", "steps", steps, sizeof steps, &err);
        fail_msg("First Steps not announced; steps %s; last move: %s (%d events: %s)", steps, r.text, r.n_events,
                 r.n_events ? r.events[0].text : "");
    }
    assert_int_equal(achieve_list(f.game, &v, &n, &points, &err), MA_OK);
    assert_true(v[0].earned);
    assert_string_equal(v[1].locked_by, "");
    assert_int_equal(v[1].have, 20);
    assert_int_equal(v[1].need, 500);
    free(v);
    stop(&f);
}

static void test_hidden_achievement_shown_as_unknown_until_earned(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "hidden.db", "farmer");
    AchieveView *v = NULL;
    int n = 0;
    Err err = {0};
    assert_int_equal(achieve_list(f.game, &v, &n, NULL, &err), MA_OK);
    assert_true(n >= 15);
    int k = -1;
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].name, "back_from_the_dead") == 0)
            k = i;
    assert_true(k >= 0);
    assert_string_equal(v[k].title, "???");
    assert_string_equal(v[k].description, "???");
    assert_int_equal(v[k].need, 0);
    free(v);
    assert_int_equal(charstate_add(f.save, game_player(f.game)->character_id, "deaths", 1, NULL, &err), MA_OK);
    ActionResult r = th_act(f.game, "wait");
    expect_event(&r, "Achievement unlocked: Back from the Dead (+10)");
    assert_int_equal(achieve_list(f.game, &v, &n, NULL, &err), MA_OK);
    assert_string_equal(v[k].title, "Back from the Dead");
    assert_true(v[k].earned);
    free(v);
    stop(&f);
}

/* ------------------------------------------------------------ malformed data */

static void test_malformed_data_refused_with_file_entry_and_reason(void **state)
{
    (void)state;
    Err err = {0};
    QuestBook *qb = NULL;
    const char *bad_count = "{\"quests\":[{\"name\":\"bad\",\"title\":\"Bad\",\"giver\":\"smith\",\"objectives\":"
                            "[{\"id\":\"a\",\"kind\":\"collect\",\"item\":\"oak_log\",\"count\":0,\"text\":\"x\"}]}]}";
    assert_int_equal(quest_book_load(bad_count, strlen(bad_count), "x/quests.json", &qb, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "x/quests.json: quest 0 (\"bad\"): objectives[0]: count must be a whole number"));
    const char *bad_reward = "{\"quests\":[{\"name\":\"bad\",\"title\":\"Bad\",\"giver\":\"smith\",\"rewards\":[{\"experience\":0}],"
                             "\"objectives\":[{\"id\":\"a\",\"kind\":\"talk\",\"role\":\"priest\",\"text\":\"x\"}]}]}";
    assert_int_equal(quest_book_load(bad_reward, strlen(bad_reward), "x/quests.json", &qb, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "x/quests.json: quest 0 (\"bad\"): rewards"));
    const char *bad_giver = "{\"quests\":[{\"name\":\"bad\",\"title\":\"Bad\",\"giver\":\"king\",\"objectives\":[]}]}";
    assert_int_equal(quest_book_load(bad_giver, strlen(bad_giver), "x/quests.json", &qb, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "quest 0 (\"bad\"): giver must be one of"));

    DialogueBook *db = NULL;
    const char *bad_cond = "{\"roles\":{\"smith\":{\"greetings\":[{\"text\":\"hi\"}],\"replies\":[{\"text\":\"a\","
                           "\"condition\":{\"level\":{\"min\":\"five\"}}}]}}}";
    assert_int_equal(dialogue_load(bad_cond, strlen(bad_cond), "x/dialogue.json", &db, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "x/dialogue.json: role \"smith\": reply 0: condition"));
    const char *bad_offer = "{\"roles\":{\"smith\":{\"greetings\":[{\"text\":\"hi\"}],\"replies\":[{\"text\":\"a\",\"offer\":\"dance\"}]}}}";
    assert_int_equal(dialogue_load(bad_offer, strlen(bad_offer), "x/dialogue.json", &db, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "x/dialogue.json: role \"smith\": reply 0: offer must be one of"));

    AchieveBook *ab = NULL;
    const char *bad_points = "{\"achievements\":[{\"name\":\"a\",\"title\":\"A\",\"description\":\"d\",\"points\":-1,"
                             "\"condition\":{\"level\":{\"min\":2}}}]}";
    assert_int_equal(achieve_book_load(bad_points, strlen(bad_points), "x/achievements.json", &ab, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "x/achievements.json: achievement 0 (\"a\"): points must be"));
    const char *circle = "{\"achievements\":[{\"name\":\"a\",\"title\":\"A\",\"description\":\"d\",\"points\":1,\"after\":\"b\","
                         "\"condition\":{}},{\"name\":\"b\",\"title\":\"B\",\"description\":\"d\",\"points\":1,\"after\":\"a\","
                         "\"condition\":{}}]}";
    assert_int_equal(achieve_book_load(circle, strlen(circle), "x/achievements.json", &ab, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "circle"));
    const char *not_json = "{\"achievements\": [";
    assert_int_equal(achieve_book_load(not_json, strlen(not_json), "x/achievements.json", &ab, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "not valid JSON"));

    /* The shipped files load. */
    assert_int_equal(quest_book_load_default(&qb, &err), MA_OK);
    quest_book_free(qb);
    assert_int_equal(dialogue_load_default(&db, &err), MA_OK);
    dialogue_free(db);
    assert_int_equal(achieve_book_load_default(&ab, &err), MA_OK);
    achieve_book_free(ab);

    /* In play: a broken quests.json stops the action with the file and the reason. */
    Fixture f;
    start(&f, "baddata.db", "farmer");
    char *bad = th_tmpdir();
    /* Every other data file as shipped. */
    DIR *d = opendir(data_dir);
    assert_non_null(d);
    for (struct dirent *de; (de = readdir(d));) {
        size_t nl = strlen(de->d_name);
        if (nl < 6 || strcmp(de->d_name + nl - 5, ".json") != 0)
            continue;
        char src[4400];
        snprintf(src, sizeof src, "%s/%s", data_dir, de->d_name);
        size_t len;
        char *text = th_read_file(src, &len);
        th_write_file(th_path(bad, de->d_name), text, (long)len);
        free(text);
    }
    closedir(d);
    th_write_file(th_path(bad, "quests.json"), bad_count, -1);
    setenv("MAGIC_DATA_DIR", bad, 1);
    /* The game refuses to start on it, saying which file, entry and why. */
    Game *again = NULL;
    GameStart st = {.username = "tester", .world = "flatland", .seed = 7};
    int rc = game_start(f.save, &st, &again, &err);
    setenv("MAGIC_DATA_DIR", data_dir, 1);
    assert_int_not_equal(rc, MA_OK);
    assert_null(again);
    assert_non_null(strstr(err.msg, "quests.json: quest 0 (\"bad\"): objectives[0]: count"));
    th_tmpdir_free(bad);
    stop(&f);
}

/* ------------------------------------------------------------ play --script */

static void test_play_script_talk_and_say(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "script.db", "farmer");
    stop(&f);
    const char *db = th_path(dir, "script.db");
    RunResult r = th_run("talk e\nsay 1\nsay 9\n", "--save", db, "play", "--script", "-", "--world", "flatland", "--json", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "1) I'll take it: Wood for the Winter"));
    assert_non_null(strstr(r.out, "Quest accepted: Wood for the Winter"));
    assert_non_null(strstr(r.out, "there is no reply 9"));
    th_run_free(&r);
    /* A later run goes on with the same quest. */
    open_game(&f, "script.db", NULL);
    assert_string_equal(quest_state_name(f.game, "wood_for_winter"), "active");
    stop(&f);
}

/* ------------------------------------------------------------ kill -9 */

typedef struct Outcome {
    char status[16];
    int logs, coins, rewards;
    int64_t xp;
} Outcome;

static void outcome_of(const char *file, Outcome *o)
{
    Fixture f;
    open_game(&f, file, NULL);
    memset(o, 0, sizeof *o);
    ProgressRow p;
    Err err = {0};
    assert_int_equal(progress_get(f.save, game_player(f.game)->character_id, quest_id(&f, "Wood for the Winter"), &p, &err),
                     MA_OK);
    snprintf(o->status, sizeof o->status, "%s", p.status);
    o->rewards = cJSON_GetArraySize(p.rewards_earned);
    progress_row_clear(&p);
    o->logs = count_of(&f, "oak_log");
    o->coins = count_of(&f, "gold_coin");
    o->xp = game_player(f.game)->experience;
    stop(&f);
}

static void test_kill_9_during_hand_in_keeps_all_or_nothing(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "kill0.db", "farmer");
    th_act(f.game, "talk e");
    th_act(f.game, "say 1");
    give(&f, "oak_log", 10, 30);
    th_act(f.game, "wait");
    ActionResult r = th_act(f.game, "talk e");
    int k = reply_number(&r, "Hand in: Wood for the Winter");
    assert_true(k > 0);
    int64_t xp0 = game_player(f.game)->experience;
    stop(&f);
    size_t len;
    char *image = th_read_file(th_path(dir, "kill0.db"), &len);
    int all = 0, none = 0;
    /* Kill at growing delays, the last after the results are printed. */
    static const int delays_us[] = {0, 2000, 5000, 10000, 20000, 35000, 50000, 70000, 90000, 120000, -1};
    for (size_t i = 0; i < sizeof delays_us / sizeof delays_us[0]; i++) {
        char file[32];
        snprintf(file, sizeof file, "kill%zu.db", i + 1);
        th_write_file(th_path(dir, file), image, (long)len);
        int to_game, from_game;
        pid_t pid = th_spawn(&to_game, &from_game, "--save", th_path(dir, file), "play", "--script", "-", "--world",
                             "flatland", NULL);
        char steps[32];
        snprintf(steps, sizeof steps, "say %d\n", k);
        assert_true(write(to_game, steps, strlen(steps)) > 0);
        if (delays_us[i] >= 0) {
            struct timespec ts = {0, delays_us[i] * 1000L};
            nanosleep(&ts, NULL);
        } else {
            char buf[64];
            assert_true(read(from_game, buf, sizeof buf) > 0);
        }
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        close(to_game);
        close(from_game);
        Outcome o;
        outcome_of(file, &o);
        if (strcmp(o.status, "completed") == 0) {
            assert_int_equal(o.logs, 0);
            assert_int_equal(o.coins, 5);
            assert_int_equal(o.rewards, 3);
            assert_int_equal(o.xp, xp0 + 40);
            all++;
        } else {
            assert_string_equal(o.status, "active");
            assert_int_equal(o.logs, 10);
            assert_int_equal(o.coins, 0);
            assert_int_equal(o.rewards, 0);
            assert_int_equal(o.xp, xp0);
            none++;
        }
        RunResult v = th_run(NULL, "--save", th_path(dir, file), "verify", NULL);
        if (v.status != 0)
            fail_msg("verify %s: %s%s", file, v.out, v.err);
        th_run_free(&v);
    }
    free(image);
    assert_true(all >= 1);
    print_message("kill -9 during hand-in: %d runs kept all, %d kept none\n", all, none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_talk_lists_replies_and_say_1_accepts_a_quest),
        cmocka_unit_test(test_talk_to_nobody_is_refused),
        cmocka_unit_test(test_the_followed_quest_is_kept_across_sessions),
        cmocka_unit_test(test_a_villager_teaches_once),
        cmocka_unit_test(test_a_quest_whose_time_ran_out_while_away_fails_at_the_start),
        cmocka_unit_test(test_a_quest_done_in_time_waits_past_its_limit_to_be_handed_in),
        cmocka_unit_test(test_a_villager_hears_you_where_it_stands_now),
        cmocka_unit_test(test_dialogue_reply_unavailable_says_why),
        cmocka_unit_test(test_counters_advance_and_hand_in_rewards_exactly_once),
        cmocka_unit_test(test_a_place_to_reach_has_a_direction),
        cmocka_unit_test(test_the_giver_says_where_a_quest_ends),
        cmocka_unit_test(test_a_blessing_once_given_is_no_longer_offered),
        cmocka_unit_test(test_a_villagers_name_is_refused_for_a_new_character_in_words),
        cmocka_unit_test(test_a_villagers_request_keeps_who_asked),
        cmocka_unit_test(test_a_villager_offers_their_own_request_and_the_new_quests_first),
        cmocka_unit_test(test_an_offer_says_how_long_it_stands),
        cmocka_unit_test(test_quests_on_offer_list_those_that_can_be_taken_first),
        cmocka_unit_test(test_a_dungeon_is_reached_down_its_ladder_not_from_the_ground_above),
        cmocka_unit_test(test_a_creature_to_slay_says_where_it_lives),
        cmocka_unit_test(test_slay_counts_from_acceptance_and_quest_expires_on_the_clock),
        cmocka_unit_test(test_deliver_through_dialogue_completes_and_pleases_the_receiver),
        cmocka_unit_test(test_quest_shared_with_another_character_of_the_player),
        cmocka_unit_test(test_talk_objective_completes_by_itself_when_talking_to_the_role),
        cmocka_unit_test(test_difficulty_scales_with_the_character_level),
        cmocka_unit_test(test_rule_context_reads_and_changes_the_game_all_or_nothing),
        cmocka_unit_test(test_relationships_move_both_ways_with_history),
        cmocka_unit_test(test_villager_met_by_walking_near),
        cmocka_unit_test(test_a_villager_talked_to_is_met),
        cmocka_unit_test(test_trader_prices_follow_the_relationship),
        cmocka_unit_test(test_achievement_unlocks_once_and_is_announced),
        cmocka_unit_test(test_hidden_achievement_shown_as_unknown_until_earned),
        cmocka_unit_test(test_malformed_data_refused_with_file_entry_and_reason),
        cmocka_unit_test(test_play_script_talk_and_say),
        cmocka_unit_test(test_kill_9_during_hand_in_keeps_all_or_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
