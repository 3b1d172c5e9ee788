/* test_story_tui.c — the story pane and the journal in the real client, driven through tmux as
 * a player would: after Quick start the map says a story waits; `s` opens the pane with the
 * passage and lettered choices (a locked one dim, with its reason); a letter takes a choice
 * and the next passage follows; Esc leaves the story waiting; `J` lists the storyline and
 * opens the path taken. The choice is then checked in the save. Skipped (77) without tmux. */
#include "helpers.h"
#include "tmux.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/game.h"
#include "game/story.h"
#include "save/save.h"

static char *g_dir;

static int setup(void **state)
{
    (void)state;
    if (!tmux_available()) {
        fprintf(stderr, "tmux is not installed: skipping\n");
        exit(77);
    }
    g_dir = th_tmpdir();
    setenv("USER", "tester", 1);
    tmux_init("story");
    return 0;
}

static int teardown(void **state)
{
    tmux_teardown(state);
    th_tmpdir_free(g_dir);
    return 0;
}

static int64_t q64(const char *sql) { return th_sql_int(th_path(g_dir, "s.db"), sql); }

static void test_read_a_passage_and_take_a_choice_by_its_letter(void **state)
{
    (void)state;
    tmux_start("story", 120, 40, "HOME=%s USER=tester MAGIC_SEED=20261127 %s --save %s/s.db", g_dir, getenv("MAGIC_EXE"),
               g_dir);
    free(tmux_wait_for("Quick start", 20));
    tmux_keys("Enter");
    static const char *const map[] = {"A story waits for you: The Cold Hearth. Press s to read it.", "Story (press s):", NULL};
    char *s = tmux_wait_all(map, 120);
    free(s);

    tmux_keys("s");
    static const char *const pane[] = {"The Cold Hearth — main story", "\"The Ember is gone,\"", "a) Kneel beside ",
                                       "b) [Charisma 13] Step between the crowd and the smithy  [locked: needs charisma 13 (you",
                                       "c) Point at the soot on ", "a-c choose", NULL};
    free(tmux_wait_all(pane, 10));
    /* A locked letter does nothing but say why; a free one takes the choice. */
    tmux_keys("b");
    free(tmux_wait_for("locked: [Charisma 13]", 10));
    tmux_keys("a");
    static const char *const next[] = {"It is a coal from the first forge", "[Intelligence 12] Study the cage and the ashes",
                                       "You gain 10 experience.", NULL};
    free(tmux_wait_all(next, 10));
    /* At 60 columns the key line is whole in short words (it had ended "Esc back t"). */
    tmux_resize(60, 20);
    s = tmux_wait_for("Tab next  J journal  Esc leave  ?", 10);
    assert_null(strstr(s, "a-a choose"));
    free(s);
    tmux_resize(120, 40);
    free(tmux_wait_for("Tab next story   J journal", 10));
    /* Esc: back to the map; the story waits. */
    tmux_keys("Escape");
    s = tmux_wait_for("Z:", 10);
    assert_null(strstr(s, "main story"));
    free(s);
    tmux_keys("J");
    static const char *const journal[] = {"Journal", "a) * The Cold Hearth — 1 choice so far", NULL};
    free(tmux_wait_all(journal, 10));
    tmux_keys("a");
    static const char *const path[] = {"the path you took (1 choice)", "1. Kneel beside ", "leaves home, 10 experience",
                                       "-> now: \"It is a coal", NULL};
    s = tmux_wait_all(path, 10);
    assert_null(strstr(s, "\"\"It is")); /* the passage's own quote mark, not doubled */
    free(s);
    tmux_keys("Escape");
    tmux_keys("Escape");
    s = tmux_wait_for("Z:", 10);
    free(s);
    tmux_keys("Q");
    free(tmux_wait_for("[yN]", 10));
    tmux_keys("y");
    s = tmux_wait_for("EXIT=", 20);
    assert_non_null(strstr(s, "EXIT=0"));
    free(s);
    assert_int_equal(q64("SELECT count(*) FROM player_choices WHERE json_extract(choice_data, '$.branch') = "
                         "'hear_the_priest'"), 1);
    assert_int_equal(q64("SELECT count(*) FROM story_progress p JOIN story_branches b ON b.id = p.current_branch_id "
                         "WHERE b.branch_name = 'hear_the_priest' AND p.focused = 1"), 1);
}

/* What a choice did is wrapped to the pane, never cut: the ending of The Cold Hearth reached by
 * waiting for the buyer says "Your choice: 50 experience, ...'s opinion -10, turns up to 12 grass
 * into snow, brings about The Long Winter.", longer than an 80-column row. */
static void test_what_a_choice_did_is_wrapped_not_cut(void **state)
{
    (void)state;
    tmux_start("story", 80, 30, "HOME=%s USER=tester MAGIC_SEED=20261127 %s --save %s/w.db", g_dir, getenv("MAGIC_EXE"),
               g_dir);
    free(tmux_wait_for("Quick start", 20));
    tmux_keys("Enter");
    free(tmux_wait_for("Story (press s):", 120));
    tmux_keys("s");
    free(tmux_wait_for("a-c choose", 10));
    tmux_keys("a");
    free(tmux_wait_for("Go after ", 10));
    tmux_keys("b");
    /* Following the tracks reaches the ruins: the choice waits until the character is there, the
     * pane says which way the nearest ruins lie and offers to go, and so does the side panel. */
    char *s = tmux_wait_for("t go to the ruins", 10);
    assert_non_null(strstr(s, "Break the seal"));
    assert_non_null(strstr(s, "Briarstead, E 103)")); /* "(the nearest: Ruins of" wraps before it */
    free(s);
    tmux_keys("Escape");
    free(tmux_wait_for("nearest ruins: E 103", 10));
    /* t in the pane travels there; travel stops for newcomers on the way, so go on until the
     * choice no longer waits. */
    int waiting = 1;
    tmux_keys("s");
    free(tmux_wait_for("t go to the ruins", 10));
    for (int i = 0; i < 8 && waiting; i++) {
        tmux_keys("t");
        free(tmux_wait_for("You set off for Ruins of Briarstead", 10));
        tmux_keys("s");
        s = tmux_wait_for("Break the seal", 30);
        waiting = strstr(s, "t go to the ruins") != NULL;
        free(s);
    }
    assert_false(waiting);
    tmux_keys("a");
    free(tmux_wait_for("Stay hidden and wait for the buyer", 10));
    tmux_keys("b");
    s = tmux_wait_for("The story has ended.", 10);
    /* The line's end is on the screen: "The Long Winter." after the wrap. */
    free(s);
    s = tmux_wait_for("brings about The Long Winter.", 5);
    assert_non_null(strstr(s, "Your choice: time passes to 00:00, 50 experience"));
    free(s);
    tmux_keys("Escape");
    free(tmux_wait_for("Z:", 10));
    tmux_keys("Q");
    free(tmux_wait_for("[yN]", 10));
    tmux_keys("y");
    s = tmux_wait_for("EXIT=", 20);
    assert_non_null(strstr(s, "EXIT=0"));
    free(s);
}

/* A choice that ends one storyline while another goes on shows the ending first (the focus moves on
 * to the other, and the pane had jumped to it, the ending's consequences printed under its passage). */
static void test_an_ending_is_shown_before_the_focus_moves_on(void **state)
{
    (void)state;
    ThGame f;
    th_game_start(&f, th_path(g_dir, "two.db"), NULL);
    ActionResult r;
    memset(&r, 0, sizeof r);
    Err err = {0};
    if (save_begin(f.save, &err) != MA_OK || story_start_named(f.game, "after_the_wolves", &r, &err) != MA_OK ||
        story_focus(f.game, "After the Wolves", &r, &err) != MA_OK || save_commit(f.save, &err) != MA_OK)
        fail_msg("%s", err.msg);
    th_game_stop(&f);
    tmux_start("story", 100, 40, "HOME=%s USER=tester MAGIC_SEED=20261127 MAGIC_AGENTS=off %s --save %s/two.db --continue",
               g_dir, getenv("MAGIC_EXE"), g_dir);
    free(tmux_wait_for("Z:", 60));
    tmux_keys("s");
    free(tmux_wait_for("Ask the old hunters", 10));
    tmux_keys("b");
    free(tmux_wait_for("Settle on the frost", 10));
    tmux_keys("b");
    static const char *const ending[] = {"After the Wolves", "The story has ended.", NULL};
    char *s = tmux_wait_all(ending, 10);
    free(s);
    tmux_keys("Space");
    free(tmux_wait_for("The Cold Hearth", 10));
    tmux_keys("Escape");
    free(tmux_wait_for("Z:", 10));
    tmux_keys("Q");
    free(tmux_wait_for("[yN]", 10));
    tmux_keys("y");
    free(tmux_wait_for("EXIT=", 20));
}

/* A character that has played only by `play --script` (choices made, turns gone by) opens in the
 * client with "Your story goes on", not "A story waits for you" as a new character's does. */
static void test_a_story_played_by_script_goes_on_in_the_client(void **state)
{
    (void)state;
    RunResult r = th_run("choose 1\nwait 5\n", "--save", th_path(g_dir, "script.db"), "play",
                         "--script", "-", NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    tmux_start("story", 100, 40, "HOME=%s USER=tester MAGIC_AGENTS=off %s --save %s/script.db --continue", g_dir,
               getenv("MAGIC_EXE"), g_dir);
    char *s = tmux_wait_for("Your story goes on: The Cold Hearth.", 60);
    assert_null(strstr(s, "A story waits for you"));
    free(s);
    tmux_quit_game();
}

/* Carried out of the vault, the Ember waits to be brought home: the side panel and the pane point
 * the way to the story's own village by its name, `t` sets off for it, and the ending comes there. */
static void test_the_way_home_is_shown_and_travelled(void **state)
{
    (void)state;
    setenv("MAGIC_SEED", "20261127", 1);
    RunResult r = th_run("walk ruins\nchoose 1\nchoose 3\nchoose 1\nchoose 2\n", "--save", th_path(g_dir, "home.db"),
                         "play", "--script", "-", NULL);
    unsetenv("MAGIC_SEED");
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    tmux_start("story", 100, 40, "HOME=%s USER=tester MAGIC_AGENTS=off %s --save %s/home.db --continue", g_dir,
               getenv("MAGIC_EXE"), g_dir);
    char *s = tmux_wait_for("Frosthaven: W 99", 60);
    assert_null(strstr(s, "nearest Frosthaven")); /* one village, by its name */
    free(s);
    tmux_keys("s");
    s = tmux_wait_for("t go to Frosthaven", 10);
    if (!strstr(s, "locked: needs") || !strstr(s, "Frosthaven within 24 blocks (W 99)")) /* wrapped between */
        fail_msg("%s", s);
    free(s);
    int waiting = 1;
    for (int i = 0; i < 8 && waiting; i++) {
        tmux_keys("t");
        free(tmux_wait_for("You set off for Frosthaven", 10));
        tmux_keys("s");
        s = tmux_wait_for("Carry the Ember home", 30);
        waiting = strstr(s, "t go to Frosthaven") != NULL;
        free(s);
    }
    assert_false(waiting);
    tmux_keys("a");
    static const char *const ending[] = {"finished: Driven Out", "The story has ended.", NULL};
    free(tmux_wait_all(ending, 10));
    tmux_keys("Escape");
    free(tmux_wait_for("Z:", 10));
    tmux_quit_game();
}

/* A quest that asks to reach a place offers to go there from its page, as the story pane does. */
static void test_a_quest_page_sets_off_for_the_place_it_asks_for(void **state)
{
    (void)state;
    tmux_start("story", 120, 40, "HOME=%s USER=tester MAGIC_SEED=20261127 %s --save %s/quest.db", g_dir,
               getenv("MAGIC_EXE"), g_dir);
    free(tmux_wait_for("Quick start", 20));
    tmux_keys("Enter");
    free(tmux_wait_for("Story (press s):", 120));
    /* Before any is taken, the log says what is on offer and whom to ask (broken on purpose:
     * it said only "No quests yet"). */
    tmux_keys("q");
    char *s = tmux_wait_for("On offer", 10);
    assert_non_null(strstr(s, "The Old Ruins — ask a guard"));
    assert_non_null(strstr(s, "Wood for the Winter — ask a farmer"));
    assert_null(strstr(s, "No quests yet"));
    free(s);
    tmux_type("Ruins");
    tmux_keys("Enter");
    s = tmux_wait_for("Ask a guard for work", 10);
    assert_non_null(strstr(s, "Reach the ruins"));
    free(s);
    tmux_keys("Escape");
    tmux_keys("Escape");
    tmux_keys("Escape");
    free(tmux_wait_for("Z:", 10));
    tmux_keys("T");
    tmux_keys("j"); /* Kara the guard stands one south of the start */
    free(tmux_wait_for("The Old Ruins (reach the ruins", 10));
    tmux_keys("b");
    free(tmux_wait_for("Quest accepted: The Old Ruins", 10));
    tmux_keys("Escape");
    tmux_keys("q");
    s = tmux_wait_for("Quest log", 10);
    assert_null(strstr(s, "The Old Ruins — ask a guard")); /* taken: no longer on offer */
    free(s);
    /* Up on the first quest stays on it: the "-- Active --" heading above is passed over (it
     * took the highlight, and Enter there did nothing). */
    tmux_keys("Up");
    tmux_keys("Enter");
    s = tmux_wait_for("g go to the ruins", 10);
    assert_non_null(strstr(s, "the nearest: Ruins of Briarstead, E 103"));
    free(s);
    tmux_keys("g");
    s = tmux_wait_for("Travelled ", 30);
    assert_null(strstr(s, "nearest ruins: E 103")); /* under way: the panel's way has changed */
    free(s);
    /* It said where it set off for (the travel's lines may have pushed it off the screen). */
    tmux_keys("M");
    free(tmux_wait_for("You set off for Ruins of Briarstead (E 103).", 10));
    tmux_keys("Escape");
    tmux_quit_game();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_read_a_passage_and_take_a_choice_by_its_letter, tmux_teardown),
        cmocka_unit_test_teardown(test_what_a_choice_did_is_wrapped_not_cut, tmux_teardown),
        cmocka_unit_test_teardown(test_an_ending_is_shown_before_the_focus_moves_on, tmux_teardown),
        cmocka_unit_test_teardown(test_a_story_played_by_script_goes_on_in_the_client, tmux_teardown),
        cmocka_unit_test_teardown(test_a_quest_page_sets_off_for_the_place_it_asks_for, tmux_teardown),
        cmocka_unit_test_teardown(test_the_way_home_is_shown_and_travelled, tmux_teardown),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
