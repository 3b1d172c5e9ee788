/* test_story_cli.c — storylines through the binary, as a player, a bot or an author uses them:
 * `play --script` to each ending of the main storyline on a fixed world, a locked choice
 * refused with its reason while the run goes on, the --json state's stories, the `story`
 * commands (list, path, tree, --dot, undo), a malformed story file refused at start with
 * the save left byte for byte as it was, and kill -9 during choices leaving each choice
 * whole or absent. */
#include "helpers.h"

#include <cJSON.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = th_tmpdir();
    setenv("USER", "hero", 1);
    unsetenv("MAGIC_DATA_DIR");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    th_tmpdir_free(dir);
    return 0;
}

/* A new save `name` with the world "Vale" (seed 42: its cast has a smith with a door). */
static const char *new_save(const char *name)
{
    const char *db = th_path(dir, name);
    unlink(db);
    RunResult r = th_run(NULL, "--save", db, "world", "create", "Vale", "--seed", "42", NULL);
    if (r.status != 0)
        fail_msg("world create: %s", r.err);
    th_run_free(&r);
    return db;
}

static RunResult play(const char *db, const char *script, const char *flag)
{
    return th_run(script, "--save", db, "play", "--script", "-", "--world", "Vale", flag, NULL);
}

static int64_t q64(const char *db, const char *sql) { return th_sql_int(db, sql); }

/* Taking back the first choice, made at turn 0, after 300 turns of play: the choice's rows go
 * back, the world's clock does not (it turned the shared world back to its first morning). */
static void test_undo_does_not_turn_the_worlds_clock_back(void **state)
{
    (void)state;
    const char *db = new_save("clock.db");
    RunResult r = play(db, "choose 1\nwait 300\nmove s\n", NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    const char *clock = "SELECT json_extract(metadata, '$.clock') FROM worlds WHERE name = 'Vale'";
    int64_t before = q64(db, clock);
    assert_true(before >= 300);
    r = th_run(NULL, "--save", db, "story", "undo", "--world", "Vale", "--character", "hero", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "undid choice 1 in The Cold Hearth"));
    th_run_free(&r);
    assert_int_equal(q64(db, clock), before);
    assert_int_equal(q64(db, "SELECT count(*) FROM player_choices"), 0);
}

/* The final --json state of a run (the last JSON object printed, which spans lines). */
static cJSON *final_state(const char *out)
{
    const char *start = strstr(out, "\n{\n");
    if (!start)
        fail_msg("no final state in:\n%s", out);
    cJSON *j = cJSON_Parse(start + 1);
    if (!j)
        fail_msg("the final state is not JSON:\n%s", start);
    return j;
}

static const cJSON *main_story(const cJSON *state)
{
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(state, "stories")) {
        if (strcmp(cJSON_GetObjectItemCaseSensitive(s, "title")->valuestring, "The Cold Hearth") == 0)
            return s;
    }
    fail_msg("no main storyline in the state");
    return NULL;
}

static void test_the_main_storyline_reaches_each_ending_by_different_choices(void **state)
{
    (void)state;
    /* A warrior (strength 16, charisma 10, intelligence 8) on the world of seed 42, who first walks
     * to the nearest ruins: every road's third or fourth choice reaches them, and asks for it. */
    /* The Ember brought home is brought home: the last choice of those roads waits until the
     * character is back in the story's own village (Wolfwick, 274 steps from the ruins: two legs,
     * and a second try when a fall stops the first). */
    static const struct {
        const char *script, *status, *ending;
        int choices;
    } roads[] = {
        {"walk ruins\nchoose 1\nchoose 3\nchoose 1\nchoose 1\nchoose 1\nwalk 70 -20\nwalk Wolfwick\nwalk Wolfwick\nchoose 1\n",
         "finished", "The Hearth Rekindled", 5},
        {"walk ruins\nchoose 1\nchoose 3\nchoose 1\nchoose 2\nwalk 70 -20\nwalk Wolfwick\nwalk Wolfwick\nchoose 1\n",
         "finished", "Driven Out", 5},
        {"walk ruins\nchoose 1\nchoose 2\nchoose 1\nchoose 2\n", "finished", "The Long Winter", 4},
        {"walk ruins\nchoose 3\nchoose 1\nchoose 2\nchoose 2\n", "finished", "The Ember's Keeper", 4},
        {"walk ruins\nchoose 3\nchoose 2\nchoose 2\nchoose 2\n", "abandoned", "", 4},
    };
    for (size_t i = 0; i < sizeof roads / sizeof roads[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "road%zu.db", i);
        const char *db = new_save(name);
        RunResult r = play(db, roads[i].script, "--json");
        if (r.status != 0)
            fail_msg("road %zu: exit %d: %s", i, r.status, r.err);
        cJSON *st = final_state(r.out);
        const cJSON *s = main_story(st);
        const char *status = cJSON_GetObjectItemCaseSensitive(s, "status")->valuestring;
        const cJSON *ending = cJSON_GetObjectItemCaseSensitive(s, "ending");
        if (strcmp(status, roads[i].status) != 0 ||
            strcmp(cJSON_IsString(ending) ? ending->valuestring : "", roads[i].ending) != 0)
            fail_msg("road %zu: %s, %s; want %s, %s\n%s", i, status, cJSON_IsString(ending) ? ending->valuestring : "",
                     roads[i].status, roads[i].ending, r.out);
        assert_int_equal(cJSON_GetObjectItemCaseSensitive(s, "choices_made")->valueint, roads[i].choices);
        if (i == 0) {
            /* At the ruins the homecoming was refused (the extra "choose 1"), with the way home. */
            assert_non_null(strstr(r.out, "locked: needs Wolfwick within 24 blocks (E 292)"));
            assert_non_null(strstr(r.out, "\"place\":\"Wolfwick\""));
            /* The torch lit at home, in words: "becomes a torch" (it had said "becomes torch"). */
            assert_non_null(strstr(r.out, ") becomes a torch."));
        }
        cJSON_Delete(st);
        th_run_free(&r);
        RunResult v = th_run(NULL, "--save", db, "verify", NULL);
        if (v.status != 0)
            fail_msg("road %zu: verify: %s%s", i, v.out, v.err);
        th_run_free(&v);
    }
    /* The endings differ in the world and the character too: the rekindled hearth leaves a
     * torch burning and a purse; the keeper's road makes the warrior hardier. */
    assert_int_equal(q64(th_path(dir, "road0.db"), "SELECT count(*) FROM player_choices WHERE "
                                                   "json_extract(consequences, '$.world[0].to') = 'torch'"), 1);
    /* lit at home, in Wolfwick (around x 217), not at the ruins (around x -75) where the Ember was taken */
    assert_true(q64(th_path(dir, "road0.db"), "SELECT json_extract(consequences, '$.world[0].at[0]') FROM player_choices "
                                              "WHERE json_extract(consequences, '$.world[0].to') = 'torch'") > 150);
    assert_true(q64(th_path(dir, "road0.db"), "SELECT sum(quantity) FROM inventory WHERE item_name = 'gold_coin'") >= 25);
    assert_int_equal(q64(th_path(dir, "road3.db"), "SELECT json_extract(stats, '$.constitution') FROM characters "
                                                   "WHERE name = 'hero'"), 17);
}

static void test_a_locked_choice_is_refused_with_its_reason_and_the_run_goes_on(void **state)
{
    (void)state;
    const char *db = new_save("locked.db");
    RunResult r = play(db, "story\nchoose 2\nchoose 7\nchoose 1\n", "--verbose");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "  | 2) [Charisma 13] Step between the crowd and the smithy — locked: needs charisma 13 (you have 10)\n"));
    assert_non_null(strstr(r.out, "\nlocked: [Charisma 13] Step between the crowd and the smithy — needs charisma 13 (you have 10)\n"
                                  "there is no choice 7 (1 to 3)\nok\n"));
    th_run_free(&r);
    assert_int_equal(q64(db, "SELECT count(*) FROM player_choices"), 1);
    /* Outside any story the words are refused too, and the run still goes on. */
    r = th_run("choose x\n", "--save", db, "play", "--script", "-", "--world", "Vale", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "choose takes the number of a choice"));
    th_run_free(&r);
}

static void test_json_gives_the_passage_and_the_state_lists_the_stories(void **state)
{
    (void)state;
    const char *db = new_save("json.db");
    RunResult r = play(db, "story\nchoose 1\n", "--json");
    assert_int_equal(r.status, 0);
    char *nl = strchr(r.out, '\n');
    *nl = '\0';
    cJSON *line = cJSON_Parse(r.out);
    *nl = '\n';
    assert_non_null(line);
    const cJSON *story = cJSON_GetObjectItemCaseSensitive(line, "story");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(story, "branch")->valuestring, "cold_morning");
    assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(story, "text")->valuestring, "The Ember is gone"));
    const cJSON *c2 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(story, "choices"), 1);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(c2, "number")->valueint, 2);
    assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c2, "available")));
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(c2, "why")->valuestring, "needs charisma 13 (you have 10)");
    cJSON_Delete(line);
    cJSON *st = final_state(r.out);
    const cJSON *s = main_story(st);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(s, "branch")->valuestring, "hear_the_priest");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(s, "status")->valuestring, "active");
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(s, "choices");
    assert_int_equal(cJSON_GetArraySize(choices), 3);
    const cJSON *c0 = cJSON_GetArrayItem(choices, 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(c0, "tag")->valuestring, "[Intelligence 12]");
    assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c0, "available")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(choices, 1), "available")));
    cJSON_Delete(st);
    th_run_free(&r);
}

static void test_story_commands_list_path_tree_and_undo(void **state)
{
    (void)state;
    const char *db = new_save("cmds.db");
    RunResult r = play(db, "walk ruins\nchoose 1\nchoose 2\nchoose 1\n", NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    r = th_run(NULL, "--save", db, "story", "list", "--world", "Vale", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "The Cold Hearth (main, 73 branches, starts on start): 1 active, 0 finished, 0 abandoned\n"));
    assert_non_null(strstr(r.out, "A Blade for the Dead (villager, "));
    th_run_free(&r);
    r = th_run(NULL, "--save", db, "story", "list", "--world", "Vale", "--character", "hero", NULL);
    assert_string_equal(r.out, "* The Cold Hearth (main): active at read_and_follow, 3 choices\n");
    th_run_free(&r);
    r = th_run(NULL, "--save", db, "story", "path", "--world", "Vale", "--character", "hero", NULL);
    assert_string_equal(r.out, "cold_morning\nhear_the_priest\nfollow_the_cart\nread_and_follow\n");
    th_run_free(&r);
    r = th_run(NULL, "--save", db, "story", "tree", "--world", "Vale", "The Cold Hearth", "--character", "hero", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\n* cold_morning\n  * hear_the_priest: \"Kneel beside {priest} and ask what was taken\"  -> @trader leaves home, 10 experience\n"));
    assert_non_null(strstr(r.out, "    - study_the_cage: [Intelligence 12] \"Study the cage and the ashes\"  -> 20 experience\n"));
    assert_non_null(strstr(r.out, "ENDING: The Hearth Rekindled"));
    assert_non_null(strstr(r.out, "(revises accuse_the_smith)"));
    th_run_free(&r);
    r = th_run(NULL, "--save", db, "story", "tree", "--world", "Vale", "the cold hearth", "--dot", "--character", "hero", NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(strncmp(r.out, "digraph \"The Cold Hearth\" {\n", 28), 0);
    assert_non_null(strstr(r.out, "label=\"accuse_the_smith\\ndoes: "));
    assert_non_null(strstr(r.out, "style=filled"));
    assert_non_null(strstr(r.out, "[Charisma 13] Step between the crowd and the smithy\"];"));
    assert_int_equal(strcmp(r.out + strlen(r.out) - 2, "}\n"), 0);
    th_run_free(&r);

    int64_t letters = q64(db, "SELECT coalesce(sum(quantity), 0) FROM inventory WHERE item_name = 'sealed_letter'");
    r = th_run(NULL, "--save", db, "story", "undo", "--world", "Vale", "--character", "hero", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "undid choice 3 in The Cold Hearth: \"Break the seal, read it, and follow the tracks\"\n"));
    th_run_free(&r);
    r = th_run(NULL, "--save", db, "story", "undo", "--world", "Vale", "--character", "hero", NULL);
    assert_non_null(strstr(r.out, "\"Go after "));
    th_run_free(&r);
    /* The letter the second choice gave is gone with it. */
    assert_int_equal(letters, 1);
    assert_int_equal(q64(db, "SELECT coalesce(sum(quantity), 0) FROM inventory WHERE item_name = 'sealed_letter'"), 0);
    r = th_run(NULL, "--save", db, "story", "path", "--world", "Vale", "--character", "hero", NULL);
    assert_string_equal(r.out, "cold_morning\nhear_the_priest\n");
    th_run_free(&r);
    r = th_run(NULL, "--save", db, "verify", NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    /* verify notices a character standing in another story's branch, or in one never chosen. */
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "UPDATE story_progress SET current_branch_id = (SELECT b.id FROM story_branches b "
                                     "JOIN stories s ON s.id = b.story_id WHERE s.title = 'The Last Keeper' AND "
                                     "b.parent_branch_id IS NOT NULL LIMIT 1)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    r = th_run(NULL, "--save", db, "verify", NULL);
    assert_int_equal(r.status, 3);
    assert_non_null(strstr(r.out, "a character's current branch belongs to its story and world: story_progress "));
    assert_non_null(strstr(r.out, "without having chosen it"));
    th_run_free(&r);
    /* Mistakes are named. */
    r = th_run(NULL, "--save", db, "story", "path", "--world", "Vale", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "story path: needs --character NAME"));
    th_run_free(&r);
    r = th_run(NULL, "--save", db, "story", "tree", "--world", "Vale", "Moby Dick", NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "there is no story called 'Moby Dick' in this world"));
    th_run_free(&r);
    r = th_run(NULL, "--save", db, "story", "undo", "--world", "Atlantis", "--character", "hero", NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "there is no world called 'Atlantis'"));
    th_run_free(&r);
}

static void test_a_malformed_story_file_is_refused_at_start_and_the_save_is_untouched(void **state)
{
    (void)state;
    const char *db = new_save("bad.db");
    RunResult r = play(db, "choose 1\n", NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    size_t before_len = 0, after_len = 0;
    char *before = th_read_file(db, &before_len);

    char data[4200], cmd[9000];
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -r '%s/../data' '%s'", data, getenv("MAGIC_TEST_DIR"), data);
    assert_int_equal(system(cmd), 0);
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"{\"name\":\"bad\",\"title\":\"Bad\",\"description\":\"A loop.\",\"type\":\"side\",\"version\":1,\"start\":"
         "{\"on\":\"start\"},\"branches\":[{\"name\":\"r\",\"text\":\"R\"},{\"name\":\"a\",\"parent\":\"b\",\"choice\":"
         "\"A\",\"text\":\"A\"},{\"name\":\"b\",\"parent\":\"a\",\"choice\":\"B\",\"text\":\"B\"},{\"name\":\"e\","
         "\"parent\":\"r\",\"choice\":\"E\",\"text\":\"E\",\"ending\":\"E\"}]}",
         "stories/zz_bad.json: branch \"a\": its parents lead back to it (a cycle: a -> b -> a)"},
        {"{\"name\":\"bad\",", "stories/zz_bad.json: not valid JSON"},
        {"{\"name\":\"bad\",\"title\":\"Bad\",\"description\":\"D.\",\"type\":\"side\",\"version\":1,\"start\":"
         "{\"on\":\"start\"},\"branches\":[{\"name\":\"r\",\"text\":\"R\"},{\"name\":\"e\",\"parent\":\"r\","
         "\"choice\":\"E\",\"text\":\"E\",\"ending\":\"E\",\"consequences\":[{\"give\":{\"item\":\"unicorn_horn\"}}]}]}",
         "stories/zz_bad.json: branch \"e\": consequences[0] (give): there is no item called \"unicorn_horn\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        th_write_file(th_path(data, "stories/zz_bad.json"), bad[i].text, -1);
        setenv("MAGIC_DATA_DIR", data, 1);
        r = play(db, "choose 1\n", NULL);
        unsetenv("MAGIC_DATA_DIR");
        assert_int_equal(r.status, 1);
        if (!strstr(r.err, bad[i].want))
            fail_msg("case %zu: %s", i, r.err);
        th_run_free(&r);
        char *after = th_read_file(db, &after_len);
        assert_int_equal(after_len, before_len);
        assert_memory_equal(after, before, before_len);
        free(after);
    }
    free(before);
}

/* Reads result lines (not the "  | " event lines) from fd until want of them have come. */
static int read_results(int fd, int want, char *buf, size_t size)
{
    size_t got = 0;
    int results = 0;
    buf[0] = '\0';
    while (results < want && got < size - 1) {
        ssize_t n = read(fd, buf + got, size - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
        buf[got] = '\0';
        results = 0;
        for (const char *l = buf; *l;) {
            const char *eol = strchr(l, '\n');
            if (!eol)
                break;
            results += strncmp(l, "  | ", 4) != 0;
            l = eol + 1;
        }
    }
    return results;
}

/* A choice whose passage reaches the ruins waits until the character is there: refused with the
 * way to the nearest ruins (the whole lock does not fit a result line; the reason does), marked
 * "place" in the JSON, and taken after `walk ruins`. */
static void test_a_choice_at_the_ruins_waits_until_you_walk_there(void **state)
{
    (void)state;
    const char *db = new_save("ruins.db");
    RunResult r = play(db, "choose 1\nchoose 2\nchoose 1\nstory\n", "--json");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"result\":\"locked: needs ruins within 24 blocks (the nearest: Ruins of Redstead, NW 80)\""));
    cJSON *st = final_state(r.out);
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(main_story(st), "choices"), 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(first, "branch")->valuestring, "read_and_follow");
    assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(first, "available")));
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(first, "place")->valuestring, "ruins");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(first, "tag")->valuestring, "[needs: sealed letter, near ruins]");
    /* The other choice is locked by charisma too: going there is not all it waits for. */
    assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(main_story(st), "choices"), 1),
                                                 "place"));
    cJSON_Delete(st);
    th_run_free(&r);
    assert_int_equal(q64(db, "SELECT count(*) FROM player_choices"), 2);

    r = play(db, "walk ruins\nchoose 1\n", "--verbose");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "steps to Ruins of Redstead.\nok\n  | You choose: Break the seal"));
    th_run_free(&r);
    assert_int_equal(q64(db, "SELECT count(*) FROM player_choices"), 3);

    /* Only the kinds of place the world has, or a place's own name. */
    r = play(db, "walk castle\n", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "a kind of place or a place's name: walk 120 -45, walk ruins (village, ruins, dungeon, "
                                  "shrine), walk Frosthaven"));
    th_run_free(&r);
    r = play(db, "walk Camelot\nwalk Ruins of Redstead\n", "--verbose");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "no Camelot within 640 blocks\n"));
    assert_non_null(strstr(r.out, "You are already at Ruins of Redstead.\n")); /* not "You walk 0 steps" */
    th_run_free(&r);
}

static void test_kill_9_during_choices_leaves_each_choice_whole_or_absent(void **state)
{
    (void)state;
    /* The road of the lie: each choice gives or takes gold, moves relationships, writes the
     * choice, its undo record and the storyline's progress. */
    const char *script = "walk ruins\nchoose 1\nchoose 3\nchoose 2\nchoose 1\n"; /* the lie's end is at the ruins */
    for (int round = 0; round < 6; round++) {
        char name[32];
        snprintf(name, sizeof name, "kill%d.db", round);
        const char *db = new_save(name);
        int to_game, from_game;
        pid_t pid = th_spawn(&to_game, &from_game, "--save", db, "play", "--script", "-", "--world", "Vale", NULL);
        assert_true(write(to_game, script, strlen(script)) == (ssize_t)strlen(script));
        char buf[8192];
        int results = read_results(from_game, round, buf, sizeof buf);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        close(to_game);
        close(from_game);
        assert_true(results >= round);
        /* Whatever was kept is whole: every choice has its undo record, the storyline stands at
         * the last choice, and the gold matches the choices that gave and took it. */
        int64_t choices = q64(db, "SELECT count(*) FROM player_choices");
        assert_int_equal(q64(db, "SELECT count(*) FROM story_choice_undo"), choices);
        assert_true(choices >= (round > 1 ? round - 1 : 0) && choices <= 4);
        if (choices > 0)
            assert_int_equal(q64(db, "SELECT count(*) FROM story_progress p WHERE p.current_branch_id = (SELECT "
                                     "story_branch_id FROM player_choices ORDER BY id DESC LIMIT 1)"), 1);
        int64_t gold = q64(db, "SELECT coalesce(sum(quantity), 0) FROM inventory WHERE item_name = 'gold_coin'");
        /* after 0..4 choices: the lie pays, the confession pays back (the purse for the Ember waits for the homecoming) */
        static const int64_t want_gold[] = {0, 0, 10, 0, 0};
        if (gold != want_gold[choices])
            fail_msg("round %d: %lld choices but %lld gold:\n%s", round, (long long)choices, (long long)gold, buf);
        RunResult v = th_run(NULL, "--save", db, "verify", NULL);
        if (v.status != 0)
            fail_msg("round %d: verify: %s%s", round, v.out, v.err);
        th_run_free(&v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_main_storyline_reaches_each_ending_by_different_choices),
        cmocka_unit_test(test_a_locked_choice_is_refused_with_its_reason_and_the_run_goes_on),
        cmocka_unit_test(test_json_gives_the_passage_and_the_state_lists_the_stories),
        cmocka_unit_test(test_story_commands_list_path_tree_and_undo),
        cmocka_unit_test(test_undo_does_not_turn_the_worlds_clock_back),
        cmocka_unit_test(test_a_malformed_story_file_is_refused_at_start_and_the_save_is_untouched),
        cmocka_unit_test(test_kill_9_during_choices_leaves_each_choice_whole_or_absent),
        cmocka_unit_test(test_a_choice_at_the_ruins_waits_until_you_walk_there),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
