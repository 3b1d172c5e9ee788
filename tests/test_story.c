/* test_story.c — storylines through the core's own functions.
 *
 * Storyline files: a malformed one is refused with file, branch and reason; the shipped
 * ones have the shape the design asks for. Rows: seeding twice adds nothing, a newer
 * version changes only what nobody has reached. Play, on a world with a fixed seed: the
 * main storyline waits at the start; a locked choice is refused with its reason;
 * consequences are applied once and recorded; the recursive CTE's path is the choices made;
 * a revision puts the smithy door back and is recorded on the new choice only; undo restores
 * every row of the save exactly; storylines run at once with a focus; a villager's story
 * begins when one talks to them. The rule language's new forms for stories are here too. */
#include "helpers.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/game.h"
#include "game/game_rules.h"
#include "game/items.h"
#include "game/npc.h"
#include "game/quest.h"
#include "game/rules.h"
#include "game/story.h"
#include "game/story_book.h"
#include "game/story_internal.h"
#include "save/changeset.h"
#include "save/characters.h"
#include "save/charstate.h"
#include "save/save.h"
#include "save/stories.h"
#include "save/worlds.h"
#include "util/data.h"
#include "world/blocks.h"
#include "world/generator.h"
#include "world/world.h"

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = th_tmpdir();
    setenv("USER", "tester", 1);
    unsetenv("MAGIC_DATA_DIR");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    th_tmpdir_free(dir);
    return 0;
}

/* ------------------------------------------------------------ helpers */

typedef ThGame Fx;

/* A save `file` with the world "Storyland" (seed 42, normal: the main storyline's cast has a
 * smith with a door), and the player's character, a warrior, in it. */
static void open_game(Fx *f, const char *file)
{
    th_game_start(f, th_path(dir, file), &(ThGameOpts){.world = "Storyland", .seed = 42, .type = "normal"});
}

static void close_game(Fx *f) { th_game_stop(f); }

/* Takes the choice of the focused passage that leads to branch `name`. */
static ActionResult choose(Fx *f, const char *name)
{
    StoryView v;
    Err err = {0};
    if (story_view(f->game, 0, &v, &err) != MA_OK)
        fail_msg("no story in focus: %s", err.msg);
    for (int i = 0; i < v.n_choices; i++)
        if (strcmp(v.choices[i].branch, name) == 0) {
            char line[32];
            snprintf(line, sizeof line, "choose %d", v.choices[i].number);
            ActionResult r = th_act(f->game, line);
            if (!r.ok)
                fail_msg("choosing %s was refused: %s", name, r.text);
            return r;
        }
    fail_msg("%s is not a choice at %s", name, v.branch);
    ActionResult none = {0};
    return none;
}

static int64_t q64(const char *file, const char *sql) { return th_sql_int(th_path(dir, file), sql); }

/* Whether one leaf of a condition is a place to go to, or the item `given` (may be ""). */
static int place_or_given(const cJSON *leaf, const char *given)
{
    const cJSON *need = cJSON_GetObjectItemCaseSensitive(leaf, "item");
    if (cJSON_GetObjectItemCaseSensitive(leaf, "place"))
        return 1;
    return need && given[0] && strcmp(cJSON_GetObjectItemCaseSensitive(need, "name")->valuestring, given) == 0;
}

/* Whether a condition needs nothing but places to go to and the item `given`: one such leaf, or
 * an "all" of them. */
static int needs_only_place_or(const cJSON *cond, const char *given)
{
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(cond, "all"), *leaf;
    if (!all)
        return place_or_given(cond, given);
    int n = 0;
    cJSON_ArrayForEach(leaf, all) {
        if (!place_or_given(leaf, given))
            return 0;
        n++;
    }
    return n > 0;
}

/* Walks to the nearest ruins, as the Cold Hearth's choices that reach them ask. */
static void walk_to_ruins(Fx *f)
{
    ActionResult r = th_act(f->game, "walk ruins");
    if (!r.ok)
        fail_msg("walk ruins: %s", r.text);
}

/* The road of the lie to the Cold Vault: the priest, the lie, the ruins, the north road. */
static void to_the_vault_by_the_lie(Fx *f)
{
    choose(f, "hear_the_priest");
    choose(f, "lie_to_the_guard");
    walk_to_ruins(f);
    choose(f, "blood_money_road");
}

/* The main storyline's own village (its cast's), by name (heap). */
static char *story_village(const char *file)
{
    char *v = th_sql_text(th_path(dir, file), "SELECT json_extract(p.state, '$.village') FROM story_progress p "
                                              "JOIN stories s ON s.id = p.story_id WHERE s.title = 'The Cold Hearth'");
    assert_non_null(v);
    assert_true(v[0] != '\0');
    return v;
}

/* Back to the story's village: `walk NAME`, by legs of at most 200 steps toward where the
 * refusal says it lies ("... around 217 34 ..."), and again after a stop on the way. */
static void walk_home(Fx *f, const char *file)
{
    char *home = story_village(file), line[160];
    for (int leg = 0; leg < 40; leg++) { /* at night a creature that strikes stops a walk: on again */
        snprintf(line, sizeof line, "walk %s", home);
        ActionResult r = th_act(f->game, line);
        if (r.ok) {
            free(home);
            return;
        }
        const char *around = strstr(r.text, "around ");
        int tx, tz;
        if (around && sscanf(around, "around %d %d", &tx, &tz) == 2) {
            const Player *p = game_player(f->game);
            int dx = tx - p->x, dz = tz - p->z, far = abs(dx) > abs(dz) ? abs(dx) : abs(dz);
            snprintf(line, sizeof line, "walk %d %d", p->x + dx * 180 / far, p->z + dz * 180 / far);
            th_act(f->game, line);
        }
    }
    fail_msg("could not walk home to %s", home);
}

/* A choice that ends the storyline says so before it is taken (StoryChoice.ends; the pane adds
 * "(this ends the story)"): at the opening none does; on the Long Winter's road, waiting for the
 * buyer does, and a choice that goes on does not. */
static void test_a_choice_that_ends_the_story_is_marked(void **state)
{
    (void)state;
    Fx f;
    open_game(&f, "ends.db");
    StoryView v;
    Err err = {0};
    assert_int_equal(story_view(f.game, 0, &v, &err), MA_OK);
    for (int i = 0; i < v.n_choices; i++)
        assert_int_equal(v.choices[i].ends, 0);
    walk_to_ruins(&f);
    int marked = 0, unmarked = 0;
    for (int step = 0; step < 8 && !marked; step++) {
        assert_int_equal(story_view(f.game, 0, &v, &err), MA_OK);
        int take = 0;
        for (int i = 0; i < v.n_choices; i++) {
            if (v.choices[i].ends == 1)
                marked++;
            else
                unmarked++;
            if (!take && v.choices[i].available)
                take = v.choices[i].number;
        }
        if (marked || !take)
            break;
        char line[32];
        snprintf(line, sizeof line, "choose %d", take);
        th_act(f.game, line);
    }
    assert_true(marked > 0);
    assert_true(unmarked > 0);
    close_game(&f);
}

/* A quick start far from the story's village ("You wake in Wolfwick", 200 blocks off) has the
 * panel point there: story_focus_home_far names it while the player is more than 48 blocks
 * away and has made no choice, and not once they chose or are home. */
static void test_the_way_home_is_shown_while_the_story_village_is_far(void **state)
{
    (void)state;
    Fx f;
    open_game(&f, "far.db");
    char *home = story_village("far.db"), name[64];
    GenStructure st;
    assert_int_equal(quest_place_nearest(f.game, home, &st), 1);
    int dx, dz;
    int far = quest_place_offset(f.game, &st, &dx, &dz);
    assert_true(far > STORY_HOME_FAR); /* seed 42 starts 200 blocks from Wolfwick */
    assert_int_equal(story_focus_home_far(f.game, name, sizeof name), 1);
    assert_string_equal(name, home);
    /* Once a choice is made the story has moved on: no way home beside its passages (it pointed
     * home from inside the ruins). */
    choose(&f, "hear_the_priest");
    assert_int_equal(story_focus_home_far(f.game, name, sizeof name), 0);
    walk_home(&f, "far.db");
    assert_int_equal(story_focus_home_far(f.game, name, sizeof name), 0);
    assert_string_equal(name, "");
    free(home);
    close_game(&f);
}

/* Every row of every table, in id order, each value with its type (heap). */
static char *dump(const char *file)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(th_path(dir, file), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    out[0] = '\0';
    for (int i = 0; save_table_names[i]; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY id", save_table_names[i]);
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                int n = sqlite3_column_bytes(st, c);
                const char *v = (const char *)sqlite3_column_blob(st, c);
                while (len + (size_t)n + 64 + strlen(sql) > cap)
                    out = realloc(out, cap *= 2);
                len += (size_t)snprintf(out + len, cap - len, "%s|%d|", save_table_names[i], sqlite3_column_type(st, c));
                if (n)
                    memcpy(out + len, v, (size_t)n);
                len += (size_t)n;
                out[len++] = '\x1f';
            }
            out[len++] = '\n';
            out[len] = '\0';
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return out;
}

/* Removes from a dump (in place) the lines of one table (prefix "worlds|"). */
static void drop_table_lines(char *dumped, const char *prefix)
{
    char *w = dumped;
    for (char *line = dumped; *line;) {
        char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) + 1 : strlen(line);
        if (strncmp(line, prefix, strlen(prefix)) != 0) {
            memmove(w, line, n);
            w += n;
        }
        line += n;
    }
    *w = '\0';
}

/* The first line where two dumps differ, for a readable failure. */
static void expect_same_rows(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return;
    const char *pa = a, *pb = b;
    while (*pa && *pa == *pb)
        pa++, pb++;
    while (pa > a && pa[-1] != '\n')
        pa--, pb--;
    fail_msg("the rows differ:\nbefore: %.300s\nafter:  %.300s", pa, pb);
}

/* ------------------------------------------------------------ storyline files */

typedef struct Refs {
    ItemRegistry *items;
    BlockRegistry *blocks;
    QuestBook *quests;
    StoryRefs r;
} Refs;

static void refs_load(Refs *x)
{
    Err err = {0};
    assert_int_equal(items_load_default(&x->items, &err), MA_OK);
    assert_int_equal(blocks_load_default(&x->blocks, &err), MA_OK);
    assert_int_equal(quest_book_load_default(&x->quests, &err), MA_OK);
    x->r = (StoryRefs){.items = x->items, .blocks = x->blocks, .quests = x->quests};
}

static void refs_free(Refs *x)
{
    items_free(x->items);
    blocks_free(x->blocks);
    quest_book_free(x->quests);
}

#define HEAD "{\"name\":\"tale\",\"title\":\"A Tale\",\"description\":\"A test.\",\"type\":\"side\",\"version\":1," \
             "\"start\":{\"on\":\"start\"},\"branches\":["
#define ROOT "{\"name\":\"root\",\"text\":\"Once.\"}"
#define END(n, p) "{\"name\":\"" n "\",\"parent\":\"" p "\",\"choice\":\"Go\",\"text\":\"The end.\",\"ending\":\"Done\"}"

static void test_malformed_story_files_are_refused_with_file_branch_and_reason(void **state)
{
    (void)state;
    Refs x;
    refs_load(&x);
    static const struct {
        const char *json, *want;
    } cases[] = {
        {"{\"name\": \"tale\", ", "x/tale.json: not valid JSON (near line 1)"},
        {HEAD ROOT ",{\"name\":\"b\",\"parent\":\"root\",\"choice\":\"Go\",\"ending\":\"E\"}]}",
         "x/tale.json: branch \"b\": has no text"},
        {HEAD ROOT ",{\"name\":\"b\",\"parent\":\"root\",\"choice\":\"Go\",\"text\":\"T\",\"ending\":\"E\","
              "\"conditions\":{\"levle\":{\"min\":2}}}]}",
         "x/tale.json: branch \"b\": conditions: levle is not a condition"},
        {HEAD ROOT ",{\"name\":\"b\",\"parent\":\"root\",\"choice\":\"Go\",\"text\":\"T\",\"ending\":\"E\","
              "\"consequences\":[{\"gift\":{\"item\":\"bread\"}}]}]}",
         "x/tale.json: branch \"b\": consequences: [0].gift is not an effect"},
        {HEAD ROOT ",{\"name\":\"a\",\"parent\":\"b\",\"choice\":\"A\",\"text\":\"T\"},"
              "{\"name\":\"b\",\"parent\":\"a\",\"choice\":\"B\",\"text\":\"T\"}," END("c", "root") "]}",
         "x/tale.json: branch \"a\": its parents lead back to it (a cycle: a -> b -> a)"},
        {HEAD ROOT ",{\"name\":\"b\",\"parent\":\"root\",\"choice\":\"Go\",\"text\":\"T\",\"ending\":\"E\","
              "\"conditions\":{\"item\":{\"name\":\"silver_key\"}}}]}",
         "x/tale.json: branch \"b\": conditions: there is no item called \"silver_key\""},
        {HEAD ROOT ",{\"name\":\"b\",\"parent\":\"root\",\"choice\":\"Go\",\"text\":\"T\",\"ending\":\"E\","
              "\"consequences\":[{\"start_quest\":\"dragon_hunt\"}]}]}",
         "x/tale.json: branch \"b\": consequences[0] (start_quest): there is no quest called \"dragon_hunt\""},
        {HEAD ROOT ",{\"name\":\"b\",\"parent\":\"root\",\"choice\":\"Go\",\"text\":\"T\",\"ending\":\"E\","
              "\"consequences\":[{\"set_block\":{\"block\":\"marble\",\"offset\":[1,0,0]}}]}]}",
         "there is no block called \"marble\""},
        {HEAD ROOT "," ROOT "]}", "x/tale.json: branch \"root\": the name is used by another branch too"},
        {HEAD ROOT ",{\"name\":\"r2\",\"text\":\"Twice.\"}]}", "branch \"r2\": has no parent, and neither has \"root\""},
        {HEAD ROOT ",{\"name\":\"b\",\"parent\":\"root\",\"choice\":\"Go\",\"text\":\"T\"}]}",
         "branch \"b\": is a dead end"},
        {HEAD ROOT ",{\"name\":\"b\",\"parent\":\"nowhere\",\"choice\":\"Go\",\"text\":\"T\",\"ending\":\"E\"}]}",
         "branch \"b\": parent \"nowhere\" is not a branch of this story"},
        {HEAD ROOT ",{\"name\":\"b\",\"parent\":\"root\",\"choice\":\"Go\",\"text\":\"Hello {wizard}.\",\"ending\":\"E\"}]}",
         "branch \"b\": {wizard} is not a field a text can hold"},
        {HEAD ROOT "," END("a", "root") ",{\"name\":\"b\",\"parent\":\"root\",\"choice\":\"B\",\"text\":\"T\","
              "\"ending\":\"E\",\"revises\":{\"branch\":\"a\"}}]}",
         "branch \"b\": revises \"a\", which is not an earlier choice on the way to this branch"},
        {HEAD ROOT ",{\"name\":\"b\",\"parent\":\"root\",\"choice\":\"Go\",\"text\":\"T\",\"ending\":\"E\","
              "\"colour\":\"red\"}]}",
         "branch \"b\": \"colour\" is not a field here"},
        {HEAD ROOT ",{\"name\":\"b\",\"parent\":\"root\",\"choice\":\"Go\",\"text\":\"T\",\"ending\":\"E\","
              "\"consequences\":[{\"relationship\":{\"with\":\"@wizard\",\"add\":5}}]}]}",
         "\"@wizard\" is not one of the story's people"},
        {"{\"name\":\"tale\",\"title\":\"A Tale\",\"description\":\"A test.\",\"type\":\"side\",\"version\":1,"
         "\"start\":{\"on\":\"talk\"},\"branches\":[" ROOT "]}",
         "start.role (smith, farmer, guard, priest or trader) goes with, and only with, \"on\": \"talk\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        StoryBook *b = story_book_new();
        Err err = {0};
        int rc = story_book_add(b, cases[i].json, strlen(cases[i].json), "x/tale.json", &x.r, &err);
        story_book_free(b);
        if (rc != MA_ERR_INVALID || !strstr(err.msg, cases[i].want))
            fail_msg("case %zu: got %d \"%s\", want \"%s\"", i, rc, err.msg, cases[i].want);
    }
    /* A good one passes, and a start_story naming a storyline the book lacks fails at finish. */
    const char *good = HEAD ROOT ",{\"name\":\"b\",\"parent\":\"root\",\"choice\":\"Go\",\"text\":\"T\",\"ending\":\"E\","
                       "\"consequences\":[{\"start_story\":\"sequel\"}]}]}";
    StoryBook *b = story_book_new();
    Err err = {0};
    assert_int_equal(story_book_add(b, good, strlen(good), "x/tale.json", &x.r, &err), MA_OK);
    assert_int_equal(story_book_finish(b, &err), MA_ERR_INVALID);
    assert_non_null(strstr(err.msg, "start_story: there is no storyline called \"sequel\""));
    story_book_free(b);
    refs_free(&x);
}

/* Whether an effect list changes something a player sees (not only flags and messages). */
static int visible_effects(const cJSON *effects)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, effects) {
        if (strcmp(it->child->string, "flag") != 0 && strcmp(it->child->string, "message") != 0)
            return 1;
    }
    return 0;
}

static void test_shipped_storylines_have_the_shape_the_design_asks_for(void **state)
{
    (void)state;
    Refs x;
    refs_load(&x);
    StoryBook *b = NULL;
    Err err = {0};
    if (story_book_load_default(&x.r, &b, &err) != MA_OK)
        fail_msg("%s", err.msg);
    int sides = 0, talk = 0, enter = 0, all_gated = 0, all_choices = 0;
    for (int i = 0; i < story_book_count(b); i++) {
        const cJSON *s = story_book_get(b, i);
        const cJSON *start = cJSON_GetObjectItemCaseSensitive(s, "start");
        const char *type = cJSON_GetObjectItemCaseSensitive(s, "type")->valuestring;
        const char *on = cJSON_GetObjectItemCaseSensitive(start, "on")->valuestring;
        sides += strcmp(type, "main") != 0;
        talk += strcmp(on, "talk") == 0;
        enter += strcmp(on, "enter") == 0;
        const cJSON *branches = cJSON_GetObjectItemCaseSensitive(s, "branches"), *br, *kid;
        int n = 0, choices = 0, gated = 0, visible = 0, n_endings = 0;
        char endings[16][129];
        cJSON_ArrayForEach(br, branches) {
            n++;
            const char *name = cJSON_GetObjectItemCaseSensitive(br, "name")->valuestring;
            const cJSON *ending = cJSON_GetObjectItemCaseSensitive(br, "ending");
            if (cJSON_IsString(ending)) {
                int seen = 0;
                for (int k = 0; k < n_endings; k++)
                    seen |= strcmp(endings[k], ending->valuestring) == 0;
                if (!seen && n_endings < 16)
                    snprintf(endings[n_endings++], sizeof endings[0], "%s", ending->valuestring);
            }
            if (!cJSON_GetObjectItemCaseSensitive(br, "parent"))
                continue;
            choices++;
            StoryBranchInfo info = {.condition = cJSON_GetObjectItemCaseSensitive(br, "conditions")};
            info.tag = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(br, "tag"))
                           ? cJSON_GetObjectItemCaseSensitive(br, "tag")->valuestring : NULL;
            char tag[80];
            story_choice_tag(&info, NULL, NULL, tag, sizeof tag);
            gated += tag[0] != '\0';
            visible += visible_effects(cJSON_GetObjectItemCaseSensitive(br, "consequences")) ||
                       visible_effects(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(br, "revises"),
                                                                      "consequences"));
            /* Nobody is stuck: every passage with choices offers one that needs nothing, or only
             * an item the passage itself gave, or going to a place (a walk away). */
            int kids = 0, open = 0;
            char given[200] = "";
            cJSON_ArrayForEach(kid, cJSON_GetObjectItemCaseSensitive(br, "consequences")) {
                const cJSON *g = cJSON_GetObjectItemCaseSensitive(kid, "give");
                if (g)
                    snprintf(given, sizeof given, "%s", cJSON_GetObjectItemCaseSensitive(g, "item")->valuestring);
            }
            cJSON_ArrayForEach(kid, branches) {
                const cJSON *p = cJSON_GetObjectItemCaseSensitive(kid, "parent");
                if (cJSON_IsString(p) && strcmp(p->valuestring, name) == 0) {
                    const cJSON *cond = cJSON_GetObjectItemCaseSensitive(kid, "conditions");
                    kids++;
                    open += !cond || needs_only_place_or(cond, given);
                }
            }
            if (kids && !open)
                fail_msg("%s: every choice after %s needs something", cJSON_GetObjectItemCaseSensitive(s, "name")->valuestring,
                         name);
        }
        all_gated += gated;
        all_choices += choices;
        if (strcmp(type, "main") == 0) {
            if (n < 40 || n_endings < 3)
                fail_msg("the main storyline has %d branches and %d endings (want 40 and 3)", n, n_endings);
            if (gated * 3 < choices || visible * 3 < choices)
                fail_msg("main: %d of %d choices gated visibly, %d with visible consequences", gated, choices, visible);
        }
    }
    /* The example file of docs/stories.md is a storyline the game accepts. */
    char path[4096];
    snprintf(path, sizeof path, "%s/../docs/stories.md", getenv("MAGIC_TEST_DIR"));
    char *doc = th_read_file(path, NULL);
    assert_non_null(doc);
    char *from = strstr(doc, "```json\n"), *to = from ? strstr(from + 8, "```") : NULL;
    assert_non_null(to);
    StoryBook *example = story_book_new();
    if (story_book_add(example, from + 8, (size_t)(to - from - 8), "docs/stories.md", &x.r, &err) != MA_OK)
        fail_msg("%s", err.msg);
    story_book_free(example);
    free(doc);
    if (all_gated * 3 < all_choices)
        fail_msg("%d of %d choices are gated visibly; want a third", all_gated, all_choices);
    assert_true(sides >= 5);
    assert_true(talk >= 2);
    assert_true(enter >= 2);
    story_book_free(b);
    refs_free(&x);
}

/* ------------------------------------------------------------ rows */

/* data/stories/cold_hearth.json as version 2: new texts everywhere, and a new ending. */
static StoryBook *newer_book(const Refs *x)
{
    Err err = {0};
    size_t len;
    char *text = data_read("stories/cold_hearth.json", &len, &err);
    assert_non_null(text);
    cJSON *f = cJSON_ParseWithLength(text, len);
    free(text);
    /* One version newer than the file the game ships. */
    double shipped = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(f, "version"));
    cJSON_ReplaceItemInObjectCaseSensitive(f, "version", cJSON_CreateNumber(shipped + 1));
    cJSON *br;
    cJSON_ArrayForEach(br, cJSON_GetObjectItemCaseSensitive(f, "branches"))
        cJSON_ReplaceItemInObjectCaseSensitive(br, "text", cJSON_CreateString("Rewritten."));
    cJSON *fresh = cJSON_Parse("{\"name\":\"a_new_way\",\"parent\":\"follow_the_cart\",\"choice\":\"Turn back\","
                               "\"text\":\"You turn back.\",\"ending\":\"The Long Winter\"}");
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(f, "branches"), fresh);
    char *out = cJSON_PrintUnformatted(f);
    cJSON_Delete(f);
    StoryBook *b = story_book_new();
    if (story_book_add(b, out, strlen(out), "x/cold_hearth.json", &x->r, &err) != MA_OK)
        fail_msg("%s", err.msg);
    free(out);
    return b;
}

static char *branch_text(Save *s, int64_t story, const char *name)
{
    BranchRow b;
    Err err = {0};
    if (branches_find(s, story, name, &b, &err) != MA_OK)
        return NULL;
    char *t = strdup(b.content);
    branch_row_clear(&b);
    return t;
}

/* A newer version that puts a branch below an ending someone has reached (as version 5 of the
 * Cold Hearth put each homecoming below what had been the last choice) leaves it out: the ending
 * reached stays an ending, with nothing below it that nobody could ever reach. */
static void test_a_newer_version_adds_nothing_below_an_ending_someone_reached(void **state)
{
    (void)state;
    Fx f;
    open_game(&f, "below_end.db");
    to_the_vault_by_the_lie(&f);
    choose(&f, "leave_the_smith");
    walk_home(&f, "below_end.db");
    choose(&f, "leave_the_smith_home");

    Refs x;
    refs_load(&x);
    Err err = {0};
    size_t len;
    char *text = data_read("stories/cold_hearth.json", &len, &err);
    assert_non_null(text);
    cJSON *file = cJSON_ParseWithLength(text, len);
    free(text);
    double shipped = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(file, "version"));
    cJSON_ReplaceItemInObjectCaseSensitive(file, "version", cJSON_CreateNumber(shipped + 1));
    cJSON *br;
    cJSON_ArrayForEach(br, cJSON_GetObjectItemCaseSensitive(file, "branches")) {
        if (strcmp(cJSON_GetObjectItemCaseSensitive(br, "name")->valuestring, "leave_the_smith_home") == 0)
            cJSON_DeleteItemFromObjectCaseSensitive(br, "ending");
    }
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(file, "branches"),
                         cJSON_Parse("{\"name\":\"an_epilogue\",\"parent\":\"leave_the_smith_home\",\"choice\":\"Go on\","
                                     "\"text\":\"Later.\",\"ending\":\"Driven Out\"}"));
    char *out = cJSON_PrintUnformatted(file);
    cJSON_Delete(file);
    StoryBook *b = story_book_new();
    if (story_book_add(b, out, strlen(out), "x/cold_hearth.json", &x.r, &err) != MA_OK)
        fail_msg("%s", err.msg);
    free(out);
    StorySeedReport rep;
    assert_int_equal(save_begin(f.save, &err), MA_OK);
    assert_int_equal(story_seed_world(f.save, game_player(f.game)->world_id, b, &rep, &err), MA_OK);
    assert_int_equal(save_commit(f.save, &err), MA_OK);
    assert_int_equal(rep.branches_added, 0);
    assert_int_equal(q64("below_end.db", "SELECT count(*) FROM story_branches WHERE branch_name = 'an_epilogue'"), 0);
    assert_int_equal(q64("below_end.db", "SELECT count(*) FROM story_branches WHERE branch_name = 'leave_the_smith_home' "
                                         "AND json_extract(consequences, '$.ending') = 'Driven Out'"), 1);
    story_book_free(b);
    refs_free(&x);
    close_game(&f);
}

static void test_seeding_twice_adds_nothing_and_a_newer_version_changes_only_what_nobody_reached(void **state)
{
    (void)state;
    Fx f;
    open_game(&f, "seed.db");
    int64_t stories = q64("seed.db", "SELECT count(*) FROM stories"),
            branches = q64("seed.db", "SELECT count(*) FROM story_branches");
    assert_true(stories >= 6);
    assert_true(branches >= 100);
    close_game(&f);
    open_game(&f, "seed.db"); /* a second game start seeds again */
    assert_int_equal(q64("seed.db", "SELECT count(*) FROM stories"), stories);
    assert_int_equal(q64("seed.db", "SELECT count(*) FROM story_branches"), branches);
    choose(&f, "hear_the_priest");
    int64_t choices = q64("seed.db", "SELECT count(*) FROM player_choices");

    Refs x;
    refs_load(&x);
    StoryBook *b = newer_book(&x);
    Err err = {0};
    StorySeedReport rep;
    Save *s = f.save;
    const Player *p = game_player(f.game);
    assert_int_equal(save_begin(s, &err), MA_OK);
    assert_int_equal(story_seed_world(s, p->world_id, b, &rep, &err), MA_OK);
    assert_int_equal(save_commit(s, &err), MA_OK);
    assert_int_equal(rep.stories_updated, 1);
    assert_int_equal(rep.branches_added, 1);
    assert_int_equal(rep.branches_kept, 2); /* the opening and hear_the_priest: reached */
    assert_int_equal(rep.branches_updated, (int)q64("seed.db", "SELECT count(*) FROM story_branches b JOIN stories s "
                                                               "ON s.id = b.story_id WHERE s.title = 'The Cold Hearth'") - 3);
    StoryRow story;
    assert_int_equal(stories_find(s, p->world_id, "cold_hearth", 0, &story, &err), MA_OK);
    char *root = branch_text(s, story.id, "cold_morning"), *kept = branch_text(s, story.id, "hear_the_priest"),
         *changed = branch_text(s, story.id, "follow_the_cart"), *added = branch_text(s, story.id, "a_new_way");
    assert_non_null(strstr(root, "You wake in"));
    assert_non_null(strstr(kept, "coal from the first forge"));
    assert_string_equal(changed, "Rewritten.");
    assert_string_equal(added, "You turn back.");
    free(root), free(kept), free(changed), free(added);
    story_row_clear(&story);
    assert_int_equal(q64("seed.db", "SELECT count(*) FROM player_choices"), choices);
    /* Seeding the same version again changes nothing. */
    assert_int_equal(save_begin(s, &err), MA_OK);
    assert_int_equal(story_seed_world(s, p->world_id, b, &rep, &err), MA_OK);
    assert_int_equal(save_commit(s, &err), MA_OK);
    assert_int_equal(rep.stories_added + rep.stories_updated + rep.branches_added + rep.branches_updated, 0);
    story_book_free(b);
    refs_free(&x);
    close_game(&f);
}

/* ------------------------------------------------------------ play */

static void test_a_new_character_meets_the_main_storyline_and_a_locked_choice_says_why(void **state)
{
    (void)state;
    Fx f;
    open_game(&f, "start.db");
    StoryView v;
    Err err = {0};
    assert_int_equal(story_view(f.game, 0, &v, &err), MA_OK);
    assert_string_equal(v.title, "The Cold Hearth");
    assert_string_equal(v.status, "active");
    assert_string_equal(v.branch, "cold_morning");
    assert_true(v.focused);
    assert_non_null(strstr(v.text, "The Ember is gone"));
    assert_null(strchr(v.text, '{')); /* every {field} filled */
    const StoryChoice *locked = NULL;
    for (int i = 0; i < v.n_choices; i++)
        if (strcmp(v.choices[i].branch, "stand_by_the_smith") == 0)
            locked = &v.choices[i];
    assert_non_null(locked);
    assert_false(locked->available);
    assert_string_equal(locked->tag, "[Charisma 13]");
    assert_string_equal(locked->why, "needs charisma 13 (you have 10)");
    char line[32];
    snprintf(line, sizeof line, "choose %d", locked->number);
    ActionResult r = th_act(f.game, line);
    assert_false(r.ok);
    assert_non_null(strstr(r.text, "locked: [Charisma 13] Step between the crowd and the smithy — needs charisma 13"));
    r = th_act(f.game, "choose 9");
    assert_false(r.ok);
    assert_string_equal(r.text, "there is no choice 9 (1 to 3)");
    assert_int_equal(q64("start.db", "SELECT count(*) FROM player_choices"), 0);
    /* `story` shows the passage without changing anything. */
    r = th_act(f.game, "story");
    assert_true(r.ok);
    assert_non_null(th_event_with(&r, "~ The Cold Hearth ~"));
    assert_non_null(th_event_with(&r, "2) [Charisma 13] Step between the crowd and the smithy — locked: needs charisma 13"));
    close_game(&f);
}

/* No two people of one cast share a name. In the world of seed 777 the nearest village has no
 * priest, and the next village's priest is an Ilse, as is the first village's smith: the story
 * read "Ilse kneels in the ashes ... the priest says" and then sent the crowd to Ilse the smith. */
static void test_a_cast_never_holds_two_people_of_one_name(void **state)
{
    (void)state;
    Fx f;
    th_game_start(&f, th_path(dir, "names.db"), &(ThGameOpts){.world = "Stonereach", .seed = 777, .type = "normal"});
    close_game(&f);
    char *names = th_sql_text(th_path(dir, "names.db"),
                              "SELECT group_concat(json_extract(c.value, '$.name') || '=' || json_extract(c.value, '$.entity'), ';') "
                              "FROM story_progress p, json_each(p.state, '$.cast') c "
                              "WHERE p.story_id = (SELECT id FROM stories WHERE story_type = 'main')");
    assert_non_null(names);
    assert_non_null(strchr(names, '='));
    /* name=entity pairs: a name seen twice must be the same person. */
    char *save = NULL;
    char seen[16][128];
    int n = 0;
    for (char *t = strtok_r(names, ";", &save); t && n < 16; t = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(t, '=');
        for (int i = 0; i < n; i++) {
            const char *other = strchr(seen[i], '=');
            if ((size_t)(other - seen[i]) == (size_t)(eq - t) && strncmp(seen[i], t, (size_t)(eq - t)) == 0 &&
                strcmp(other, eq) != 0)
                fail_msg("two people named %.*s in the cast: %s and %s", (int)(eq - t), t, seen[i], t);
        }
        snprintf(seen[n++], sizeof seen[0], "%s", t);
    }
    assert_true(n >= 4);
    free(names);
}

/* A derived tag names a skill by its title, as the lock's reason does ("[Spellcraft 2]", not
 * "[Magic 2]" beside "needs Spellcraft 2"), and counts items in English. */
static void test_a_choice_tag_names_skills_by_title_and_counts_items(void **state)
{
    (void)state;
    Err err = {0};
    SkillBook *skills = NULL;
    ItemRegistry *items = NULL;
    assert_int_equal(skillbook_load_default(&skills, &err), MA_OK);
    assert_int_equal(items_load_default(&items, &err), MA_OK);
    cJSON *c = cJSON_Parse("{\"all\":[{\"skill\":{\"name\":\"magic\",\"min\":2}},"
                           "{\"item\":{\"name\":\"bread\",\"count\":3}},{\"item\":{\"name\":\"torch\",\"count\":2}}]}");
    StoryBranchInfo info = {.condition = c};
    char tag[120];
    story_choice_tag(&info, skills, items, tag, sizeof tag);
    assert_string_equal(tag, "[Spellcraft 2, needs: 3 bread, needs: 2 torches]");
    story_choice_tag(&info, NULL, NULL, tag, sizeof tag);
    assert_string_equal(tag, "[Magic 2, needs: 3 breads, needs: 2 torches]");
    cJSON_Delete(c);
    items_free(items);
    skillbook_free(skills);
}

static void test_consequences_are_applied_once_and_recorded_with_the_choice(void **state)
{
    (void)state;
    Fx f;
    open_game(&f, "apply.db");
    int64_t xp0 = game_player(f.game)->experience;
    choose(&f, "hear_the_priest");
    ActionResult r = choose(&f, "follow_the_cart");
    assert_non_null(th_event_with(&r, "Your choice: gives 1 sealed letter, 15 experience."));
    assert_non_null(th_event_with(&r, "folded tight and sealed in red wax"));
    th_act(f.game, "story");
    th_act(f.game, "story");
    assert_int_equal(q64("apply.db", "SELECT sum(quantity) FROM inventory WHERE item_name = 'sealed_letter'"), 1);
    assert_int_equal(game_player(f.game)->experience, xp0 + 25);
    assert_int_equal(q64("apply.db", "SELECT count(*) FROM player_choices"), 2);
    assert_int_equal(q64("apply.db", "SELECT count(*) FROM story_choice_undo"), 2);
    assert_int_equal(q64("apply.db", "SELECT count(*) FROM player_choices WHERE json_extract(choice_data, '$.branch') = "
                                     "'follow_the_cart' AND json_extract(choice_data, '$.from') = 'hear_the_priest' "
                                     "AND json_extract(consequences, '$.effects[0].give.item') = 'sealed_letter' "
                                     "AND json_extract(consequences, '$.described') = 'gives 1 sealed letter, 15 experience'"),
                     1);
    /* The storyline stands where the last choice led. */
    assert_int_equal(q64("apply.db", "SELECT count(*) FROM story_progress p JOIN story_branches b ON b.id = "
                                     "p.current_branch_id WHERE b.branch_name = 'follow_the_cart' AND p.status = 'active'"),
                     1);
    close_game(&f);
}

static void test_the_cte_path_is_the_choices_made(void **state)
{
    (void)state;
    Fx f;
    open_game(&f, "path.db");
    const char *route[] = {"hear_the_priest", "lie_to_the_guard", "blood_money_road"};
    for (size_t i = 0; i < 3; i++) {
        if (i == 2)
            walk_to_ruins(&f); /* the north road ends at the ruins */
        choose(&f, route[i]);
    }
    StoryView v;
    Err err = {0};
    assert_int_equal(story_view(f.game, 0, &v, &err), MA_OK);
    BranchRow *path = NULL;
    int n = 0;
    const Player *p = game_player(f.game);
    assert_int_equal(story_path(f.save, p->character_id, v.story_id, &path, &n, &err), MA_OK);
    ChoiceRow *made = NULL;
    int nm = 0;
    assert_int_equal(choices_list_by_story(f.save, p->character_id, v.story_id, &made, &nm, &err), MA_OK);
    assert_int_equal(n, nm + 1);
    assert_string_equal(path[0].branch_name, "cold_morning");
    for (int i = 0; i < nm; i++) {
        assert_int_equal(path[i + 1].id, made[i].story_branch_id);
        assert_string_equal(path[i + 1].branch_name, route[i]);
    }
    /* Below a branch, its whole subtree in tree order, depth counted from it. */
    BranchRow *sub = NULL;
    int ns = 0;
    assert_int_equal(branches_subtree(f.save, path[2].id, &sub, &ns, &err), MA_OK);
    assert_int_equal(ns, 10); /* lie_to_the_guard, 2 roads, 4 choices in the vault and 3 homecomings */
    assert_string_equal(sub[0].branch_name, "lie_to_the_guard");
    assert_int_equal(sub[0].depth, 0);
    assert_string_equal(sub[1].branch_name, "blood_money_road");
    assert_int_equal(sub[2].depth, 2);
    branches_list_free(sub, ns);
    branches_list_free(path, n);
    choices_list_free(made, nm);
    close_game(&f);
}

/* The position and blocks of the first world change recorded by the choice at branch. */
static int recorded_block(const char *file, const char *branch, int32_t at[3], char *from, char *to)
{
    char sql[400];
    const char *keys[] = {"$.world[0].at[0]", "$.world[0].at[1]", "$.world[0].at[2]"};
    for (int i = 0; i < 3; i++) {
        snprintf(sql, sizeof sql, "SELECT json_extract(consequences, '%s') FROM player_choices WHERE "
                 "json_extract(choice_data, '$.branch') = '%s'", keys[i], branch);
        at[i] = (int32_t)q64(file, sql);
    }
    sqlite3 *db = NULL;
    sqlite3_open_v2(th_path(dir, file), &db, SQLITE_OPEN_READONLY, NULL);
    snprintf(sql, sizeof sql, "SELECT json_extract(consequences, '$.world[0].from'), json_extract(consequences, "
             "'$.world[0].to') FROM player_choices WHERE json_extract(choice_data, '$.branch') = '%s'", branch);
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    int ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0);
    if (ok) {
        snprintf(from, 32, "%s", sqlite3_column_text(st, 0));
        snprintf(to, 32, "%s", sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return ok;
}

static const char *block_at(Fx *f, const int32_t at[3])
{
    return blocks_get(game_blocks(f->game), world_get_block(game_world(f->game), at[0], at[1], at[2]))->name;
}

static void test_a_revision_reopens_the_smithy_and_is_recorded_on_the_new_choice(void **state)
{
    (void)state;
    Fx f;
    open_game(&f, "revise.db");
    ActionResult r = choose(&f, "accuse_the_smith");
    assert_non_null(th_event_with(&r, "becomes planks"));
    int32_t at[3];
    char from[32], to[32];
    assert_true(recorded_block("revise.db", "accuse_the_smith", at, from, to));
    assert_string_equal(from, "door");
    assert_string_equal(to, "planks");
    assert_string_equal(block_at(&f, at), "planks");
    sqlite3 *db = NULL;
    sqlite3_open_v2(th_path(dir, "revise.db"), &db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, "SELECT id, choice_data || consequences FROM player_choices", -1, &st, NULL);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t first = sqlite3_column_int64(st, 0);
    char *before = strdup((const char *)sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
    sqlite3_close(db);
    char flag[32];
    assert_int_equal(charstate_get(f.save, game_player(f.game)->character_id, "flag", "smith_exiled", flag, sizeof flag, NULL),
                     MA_OK);
    assert_string_equal(flag, "yes");

    choose(&f, "search_the_smithy"); /* a warrior has the strength */
    walk_to_ruins(&f);
    r = choose(&f, "clear_the_smith");
    assert_non_null(th_event_with(&r, "This changes what you chose before (\"Point at the soot on"));
    assert_non_null(th_event_with(&r, "the smithy door is opened again"));
    assert_string_equal(block_at(&f, at), "door");
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM player_choices WHERE json_extract(choice_data, '$.branch') = "
             "'clear_the_smith' AND json_extract(consequences, '$.revises.choice_id') = %lld AND "
             "json_extract(consequences, '$.revises.restored') = 1", (long long)first);
    assert_int_equal(q64("revise.db", sql), 1);
    /* The earlier choice keeps its own history. */
    db = NULL;
    sqlite3_open_v2(th_path(dir, "revise.db"), &db, SQLITE_OPEN_READONLY, NULL);
    snprintf(sql, sizeof sql, "SELECT choice_data || consequences FROM player_choices WHERE id = %lld", (long long)first);
    sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), before);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(before);
    assert_int_equal(charstate_get(f.save, game_player(f.game)->character_id, "flag", "smith_exiled", flag, sizeof flag, NULL),
                     MA_OK);
    assert_string_equal(flag, "pardoned");
    /* The history says so on both. */
    StoryView v;
    Err err = {0};
    assert_int_equal(story_view(f.game, 0, &v, &err), MA_OK);
    StoryStep *steps = NULL;
    int n = 0;
    assert_int_equal(story_history(f.save, game_player(f.game)->character_id, v.story_id, &steps, &n, &err), MA_OK);
    assert_int_equal(n, 3);
    assert_non_null(strstr(steps[0].revised_by, "revised later by \"Take the ledger to"));
    assert_non_null(strstr(steps[2].revises, "revises \"Point at the soot on"));
    assert_non_null(strstr(steps[2].revises, "1 block put back"));
    assert_non_null(strstr(steps[0].changed, "the world: 1 block changed"));
    free(steps);
    close_game(&f);
}

static void test_undo_restores_every_row_of_the_save_exactly(void **state)
{
    (void)state;
    Fx f;
    open_game(&f, "undo.db");
    char *before = dump("undo.db");
    /* A choice that meets villagers, moves two relationships, sets a flag, boards up a door and
     * gives experience: rows in many tables. */
    choose(&f, "accuse_the_smith");
    close_game(&f);
    char *after_choice = dump("undo.db");
    assert_string_not_equal(before, after_choice);

    Save *s = NULL;
    Err err = {0};
    assert_int_equal(save_open(th_path(dir, "undo.db"), 0, &s, &err), MA_OK);
    int64_t character = q64("undo.db", "SELECT id FROM characters WHERE user_id IS NOT NULL");
    StoryUndo u;
    assert_int_equal(save_begin(s, &err), MA_OK);
    assert_int_equal(story_undo_last(s, character, &u, &err), MA_OK);
    assert_int_equal(save_commit(s, &err), MA_OK);
    assert_string_equal(u.story, "The Cold Hearth");
    assert_non_null(strstr(u.choice, "Point at the soot on"));
    assert_int_equal(u.conflicts, 0);
    assert_true(u.rows >= 5);
    assert_non_null(strstr(u.tables, "world_chunks"));
    assert_non_null(strstr(u.tables, "character_relationships"));
    save_close(s);
    char *after = dump("undo.db");
    /* Every row as before the choice, but the world's own row: its clock is the world's time,
     * shared, and is not turned back by taking a choice back. */
    drop_table_lines(before, "worlds|");
    drop_table_lines(after, "worlds|");
    expect_same_rows(before, after);
    /* Nothing more to undo: back at the opening. */
    assert_int_equal(save_open(th_path(dir, "undo.db"), 0, &s, &err), MA_OK);
    assert_int_equal(save_begin(s, &err), MA_OK);
    assert_int_equal(story_undo_last(s, character, &u, &err), MA_ERR_NOT_FOUND);
    save_rollback(s);
    save_close(s);
    assert_int_equal(q64("undo.db", "SELECT count(*) FROM player_choices"), 0);
    assert_int_equal(q64("undo.db", "SELECT count(*) FROM story_progress p JOIN story_branches b ON b.id = "
                                    "p.current_branch_id WHERE b.branch_name = 'cold_morning'"), 1);
    free(before);
    free(after_choice);
    free(after);
}

static void test_storylines_run_at_once_and_the_focus_switches(void **state)
{
    (void)state;
    Fx f;
    open_game(&f, "many.db");
    choose(&f, "hear_the_priest");
    Err err = {0};
    ActionResult r;
    memset(&r, 0, sizeof r);
    assert_int_equal(save_begin(f.save, &err), MA_OK);
    assert_int_equal(story_start_named(f.game, "what_the_ruins_remember", &r, &err), MA_OK);
    assert_int_equal(story_start_named(f.game, "what_the_ruins_remember", &r, &err), MA_OK); /* once only */
    assert_int_equal(story_start_named(f.game, "no_such_story", &r, &err), MA_ERR_INVALID);
    assert_int_equal(save_commit(f.save, &err), MA_OK);
    assert_non_null(th_event_with(&r, "A story begins: What the Ruins Remember."));
    StoryView *v = NULL;
    int n = 0;
    assert_int_equal(story_views(f.game, &v, &n, &err), MA_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].title, "What the Ruins Remember"); /* focused, first */
    assert_true(v[0].focused);
    assert_string_equal(v[1].branch, "hear_the_priest");
    free(v);
    /* `choose` works on the focused one; `story focus` switches. */
    choose(&f, "listen_to_the_wind");
    r = th_act(f.game, "story focus the cold hearth");
    assert_true(r.ok);
    choose(&f, "follow_the_cart");
    r = th_act(f.game, "story focus Nowhere");
    assert_false(r.ok);
    assert_non_null(strstr(r.text, "you have no story called Nowhere (yours: The Cold Hearth, What the Ruins Remember)"));
    /* Finishing a storyline hands the focus back to another. */
    th_act(f.game, "story focus What the Ruins Remember");
    r = choose(&f, "hum_back");
    assert_non_null(th_event_with(&r, "Your story focus returns to The Cold Hearth."));
    assert_int_equal(story_views(f.game, &v, &n, &err), MA_OK);
    assert_string_equal(v[0].title, "The Cold Hearth");
    assert_string_equal(v[1].status, "finished");
    assert_string_equal(v[1].ending, "The Last Tune");
    free(v);
    cJSON *j = story_state_json(f.game, &err);
    assert_int_equal(cJSON_GetArraySize(j), 2);
    const cJSON *first = cJSON_GetArrayItem(j, 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(first, "branch")->valuestring, "follow_the_cart");
    const cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(first, "choices"), 1);
    assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c0, "available"))); /* [Charisma 14] */
    assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(c0, "why")->valuestring, "needs charisma 14"));
    cJSON_Delete(j);
    close_game(&f);
}

/* A flat world, and a villager of `role` standing one block east of the player. */
static void villager_east(Fx *f, const char *file, const char *role)
{
    Err err = {0};
    th_game_start(f, th_path(dir, file), NULL);
    const Player *p = game_player(f->game);
    World *w = game_world(f->game);
    int32_t x = p->x + 1, y = p->y, z = p->z;
    char entity[48];
    snprintf(entity, sizeof entity, "villager_%d_%d", x, z);
    th_put_entity(w, th_villager(entity, "Mara", role, "Testford"), x, y, z);
    assert_int_equal(world_flush(w, &err), MA_OK);
}

static void test_talking_to_a_smith_begins_their_story_with_them_in_it(void **state)
{
    (void)state;
    Fx f;
    villager_east(&f, "talk.db", "smith");
    ActionResult r = th_act(f.game, "talk e");
    assert_true(r.ok);
    assert_non_null(th_event_with(&r, "A story begins: A Blade for the Dead."));
    assert_true(r.story_news);
    StoryView v;
    Err err = {0};
    assert_int_equal(story_view(f.game, 0, &v, &err), MA_OK);
    assert_string_equal(v.title, "A Blade for the Dead");
    assert_non_null(strstr(v.text, "Behind Mara's anvil"));
    /* Its consequences reach the villager it is about. */
    r = choose(&f, "talk_about_the_brother");
    assert_non_null(th_event_with(&r, "Mara thinks better of you (+10"));
    /* In a flat world there is no village and no main cast: the main storyline reads with
     * stand-ins and skips what it cannot do, but goes on. */
    th_act(f.game, "story focus The Cold Hearth");
    assert_int_equal(story_view(f.game, 0, &v, &err), MA_OK);
    assert_non_null(strstr(v.text, "The priest kneels in the ashes"));
    r = choose(&f, "accuse_the_smith");
    assert_non_null(th_event_with(&r, "(Not here: set_block: nobody here is smith.)"));
    close_game(&f);
}

static void test_finishing_a_quest_begins_the_story_that_follows_it(void **state)
{
    (void)state;
    Fx f;
    villager_east(&f, "quest.db", "guard");
    Err err = {0};
    ActionResult r;
    memset(&r, 0, sizeof r);
    th_act(f.game, "wait");
    assert_int_equal(save_begin(f.save, &err), MA_OK);
    assert_int_equal(quest_start(f.game, "wolf_trouble", NULL, &r, &err), MA_OK);
    assert_int_equal(quest_advance(f.game, "wolf_trouble", "wolves", 3, &r, &err), MA_OK);
    assert_int_equal(quest_hand_in(f.game, "wolf_trouble", NULL, &r, &err), MA_OK);
    assert_int_equal(save_commit(f.save, &err), MA_OK);
    assert_true(r.ok);
    r = th_act(f.game, "wait");
    if (!th_event_with(&r, "A story begins: After the Wolves."))
        fail_msg("the story did not begin after the quest: %s", r.n_events ? r.events[0].text : "(no events)");
    close_game(&f);
}

/* Moves the player's character row to (x, y, z) (between games). */
static void put_player(Fx *f, const char *file, int32_t x, int32_t y, int32_t z)
{
    int64_t id = game_player(f->game)->character_id;
    close_game(f);
    Err err = {0};
    assert_int_equal(save_open(th_path(dir, file), 0, &f->save, &err), MA_OK);
    CharacterRow c;
    assert_int_equal(characters_get(f->save, id, &c, &err), MA_OK);
    c.position_x = x + 0.5;
    c.position_y = y;
    c.position_z = z + 0.5;
    assert_int_equal(characters_update(f->save, &c, &err), MA_OK);
    character_row_clear(&c);
    save_close(f->save);
    open_game(f, file);
}

/* Ruins too far for one walk: the refusal says which way and where, so that a script can go by
 * legs (walk X Z); none at all within 640 blocks says so. */
static void test_a_place_too_far_to_walk_to_says_which_way_and_where(void **state)
{
    (void)state;
    Fx f;
    open_game(&f, "far.db");
    put_player(&f, "far.db", -350, 64, 550); /* out at sea, 400 blocks and more from any ruins */
    ActionResult r = th_act(f.game, "walk ruins");
    assert_false(r.ok);
    if (strncmp(r.text, "too far to walk at once (Ruins of ", 34) != 0 || !strstr(r.text, " steps away, ") ||
        !strstr(r.text, ", around ") || !strstr(r.text, "; at most 200)"))
        fail_msg("%s", r.text);
    /* The cell it names is the middle of the ruins the quest page and the panel point to. */
    GenStructure st;
    assert_true(quest_place_nearest(f.game, "ruins", &st));
    char around[64];
    snprintf(around, sizeof around, ", around %d %d;", st.x + st.w / 2, st.z + st.d / 2);
    assert_non_null(strstr(r.text, around));
    assert_non_null(strstr(r.text, st.name));
    close_game(&f);
}

/* The eight winds in words, from atan2 (north is -z): the test's own reckoning. */
static const char *wind_of(double dx, double dz)
{
    static const char *const words[] = {"north", "north-east", "east", "south-east",
                                        "south", "south-west", "west", "north-west"};
    double deg = atan2(dx, -dz) * 180.0 / M_PI; /* 0 north, 90 east */
    if (deg < 0)
        deg += 360.0;
    return words[(int)floor((deg + 22.5) / 45.0) % 8];
}

/* The story's words for the way to the ruins are the world's (broken on purpose: with "north"
 * written in the passage, the text sent the player north of a village whose ruins lie
 * elsewhere): {way:ruins} is the way from the storyline's village to its nearest ruins,
 * {way_back:ruins} the way home; a field for a kind of place there is none of is refused. */
static void test_the_way_to_the_ruins_in_the_story_is_the_worlds(void **state)
{
    (void)state;
    Fx f;
    open_game(&f, "way.db");
    char *village = story_village("way.db");
    const Player *p = game_player(f.game);
    Generator *gen = world_generator(game_world(f.game));
    GenStructure home, ruins;
    assert_true(generator_structure_nearest(gen, p->x, p->z, 640, "village", village, &home));
    double hx = home.x + home.w / 2, hz = home.z + home.d / 2;
    assert_true(generator_structure_nearest(gen, (int32_t)hx, (int32_t)hz, 640, "ruins", NULL, &ruins));
    const char *way = wind_of(ruins.x + ruins.w / 2 - hx, ruins.z + ruins.d / 2 - hz);
    const char *back = wind_of(hx - (ruins.x + ruins.w / 2), hz - (ruins.z + ruins.d / 2));
    char want[96];

    choose(&f, "hear_the_priest");
    StoryView v;
    Err err = {0};
    assert_int_equal(story_view(f.game, 0, &v, &err), MA_OK);
    snprintf(want, sizeof want, "cart left before dawn, %s, with", way);
    if (!strstr(v.text, want))
        fail_msg("no \"%s\" (ruins %s at %d %d, %s at %.0f %.0f) in: %s", want, ruins.name, ruins.x, ruins.z,
                 village, hx, hz, v.text);
    choose(&f, "follow_the_cart");
    assert_int_equal(story_view(f.game, 0, &v, &err), MA_OK);
    snprintf(want, sizeof want, "Half a mile %s a wheel", way);
    if (!strstr(v.text, want))
        fail_msg("no \"%s\" in: %s", want, v.text);

    /* The way back, from the storyline's own state; a state with no cast (a flat world) keeps
     * the story's own words. */
    char *text = th_sql_text(th_path(dir, "way.db"), "SELECT p.state FROM story_progress p JOIN stories s "
                                                     "ON s.id = p.story_id WHERE s.title = 'The Cold Hearth'");
    cJSON *st = cJSON_Parse(text);
    assert_non_null(st);
    char out[128];
    story_fill_text(f.game, st, "to {way:ruins}, home {way_back:ruins}", out, sizeof out);
    snprintf(want, sizeof want, "to %s, home %s", way, back);
    assert_string_equal(out, want);
    cJSON *bare = cJSON_Parse("{\"village\":\"Nowhere\"}");
    story_fill_text(f.game, bare, "{way:ruins}, {way_back:shrine}", out, sizeof out);
    assert_string_equal(out, "North, south");
    /* A damaged state's place (1e300) is no place: the story's own words, no overflow. */
    cJSON *far = cJSON_Parse("{\"village\":\"Nowhere\",\"cast\":{\"smith\":{\"village\":\"Nowhere\","
                             "\"at\":[1e300,64,-1e300]}}}");
    story_fill_text(f.game, far, "the {way:ruins} road", out, sizeof out);
    assert_string_equal(out, "the north road");
    cJSON_Delete(far);
    char bad[64];
    assert_true(story_fields_ok("by the {way:shrine} road, {way_back:dungeon}", bad, sizeof bad));
    assert_false(story_fields_ok("the {way:castle} road", bad, sizeof bad));
    assert_string_equal(bad, "{way:castle}");
    assert_false(story_fields_ok("the {way:} road", bad, sizeof bad));
    assert_false(story_fields_ok("the {way:village} road", bad, sizeof bad)); /* its own, always */
    cJSON_Delete(bare);
    cJSON_Delete(st);
    free(text);
    free(village);
    close_game(&f);
}

/* Puts the player in the middle of place and takes one step that stays inside it (a story that
 * begins on entering fires on a move): what the step did. */
static ActionResult step_inside(Fx *f, const char *file, const GenStructure *place)
{
    Generator *gen = world_generator(game_world(f->game));
    int32_t x = place->x + place->w / 2, z = place->z + place->d / 2;
    put_player(f, file, x, generator_surface_y(gen, x, z) + 1, z);
    ActionResult r;
    int moved = 0;
    for (int d = 0; d < 8 && !moved; d++) {
        static const char *const dirs[] = {"move n", "move e", "move s", "move w", "move ne", "move se", "move sw", "move nw"};
        r = th_act(f->game, dirs[d]);
        moved = r.ok;
    }
    assert_true(moved);
    return r;
}

static void test_walking_into_a_ruin_begins_its_story(void **state)
{
    (void)state;
    Fx f;
    open_game(&f, "ruin.db");
    const Player *p = game_player(f.game);
    Generator *gen = world_generator(game_world(f.game));
    GenStructure near[64];
    int n = generator_structures_near(gen, p->x, p->z, 1500, near, 64), found = -1;
    for (int i = 0; i < n && found < 0; i++)
        if (strcmp(near[i].type, "ruins") == 0)
            found = i;
    assert_true(found >= 0);
    GenStructure ruin = near[found];
    ActionResult r = step_inside(&f, "ruin.db", &ruin);
    if (!th_event_with(&r, "A story begins: What the Ruins Remember."))
        fail_msg("no story began in %s", ruin.name);
    StoryView v;
    Err err = {0};
    assert_int_equal(story_view(f.game, 0, &v, &err), MA_OK);
    assert_non_null(strstr(v.text, ruin.name)); /* {place} is the ruin itself */
    close_game(&f);
}

/* A storyline whose choice waits at the ruins brought the player there: the ruin's own story
 * begins on the way in, but the focus stays with the storyline that waits (broken on purpose:
 * with the focus always moving to the story begun, the pane showed the ruin's story). */
static void test_the_story_that_waits_at_a_ruin_keeps_the_focus_there(void **state)
{
    (void)state;
    Fx f;
    open_game(&f, "waits.db");
    choose(&f, "hear_the_priest");
    choose(&f, "follow_the_cart"); /* its choices wait at the nearest ruins */
    char kind[64];
    assert_true(story_focus_place(f.game, kind, sizeof kind));
    assert_string_equal(kind, "ruins");
    const Player *p = game_player(f.game);
    Generator *gen = world_generator(game_world(f.game));
    GenStructure ruin;
    assert_true(generator_structure_nearest(gen, p->x, p->z, 1500, "ruins", NULL, &ruin));
    ActionResult r = step_inside(&f, "waits.db", &ruin);
    assert_non_null(th_event_with(&r, "A story begins: What the Ruins Remember."));
    StoryView *v = NULL;
    int n = 0;
    Err err = {0};
    assert_int_equal(story_views(f.game, &v, &n, &err), MA_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].title, "The Cold Hearth");
    assert_true(v[0].focused);
    assert_string_equal(v[1].title, "What the Ruins Remember");
    assert_string_equal(v[1].status, "active");
    free(v);
    close_game(&f);
}

/* ------------------------------------------------------------ the rule language for stories */

typedef struct Fake {
    int season;
    RuleBlockChange last;
    char failed[64], started[64];
} Fake;

static int f_season(void *ud) { return ((Fake *)ud)->season; }
static int f_block(void *ud, const RuleBlockChange *c, Err *err)
{
    (void)err;
    ((Fake *)ud)->last = *c;
    return MA_OK;
}
static int f_fail(void *ud, const char *q, Err *err)
{
    (void)err;
    snprintf(((Fake *)ud)->failed, 64, "%s", q);
    return MA_OK;
}
static int f_start(void *ud, const char *s, Err *err)
{
    (void)err;
    snprintf(((Fake *)ud)->started, 64, "%s", s);
    return MA_OK;
}
static int f_ok(void *ud, Err *err) { (void)ud, (void)err; return MA_OK; }
static void f_back(void *ud) { (void)ud; }

static void test_rules_season_set_block_fail_quest_and_start_story(void **state)
{
    (void)state;
    Fake fk = {.season = 3};
    RuleCtx x = {.ud = &fk, .season = f_season, .set_block = f_block, .fail_quest = f_fail, .start_story = f_start,
                 .begin = f_ok, .commit = f_ok, .rollback = f_back};
    cJSON *winter = cJSON_Parse("{\"season\":\"winter\"}"), *spring = cJSON_Parse("{\"season\":\"spring\"}");
    assert_true(rules_check(&x, winter));
    assert_false(rules_check(&x, spring));
    char why[200];
    rules_explain(&x, spring, why, sizeof why);
    assert_string_equal(why, "needs the season spring (it is winter)");
    cJSON_Delete(winter);
    cJSON_Delete(spring);
    Err err = {0};
    static const struct {
        const char *json, *want;
    } bad[] = {
        {"{\"season\":\"monsoon\"}", "season must be one of spring, summer, autumn, winter"},
        {"[{\"set_block\":{\"block\":\"air\"}}]", "needs either offset (a block beside the anchor) or replace"},
        {"[{\"set_block\":{\"block\":\"air\",\"offset\":[0,1,0],\"replace\":\"door\"}}]", "needs either offset"},
        {"[{\"set_block\":{\"block\":\"air\",\"offset\":[0,1,0],\"radius\":3}}]", "takes radius and count only with replace"},
        {"[{\"set_block\":{\"block\":\"air\",\"offset\":[0,99,0]}}]", "offset must be [x, y, z]: three whole numbers from -32 to 32"},
        {"[{\"set_block\":{\"block\":\"air\",\"offset\":[0,1]}}]", "offset must be [x, y, z]"},
        {"[{\"set_block\":{\"block\":\"air\",\"replace\":\"door\",\"radius\":17}}]", "radius must be a whole number from 1 to 16"},
        {"[{\"fail_quest\":\"\"}]", "fail_quest must be a name"},
        {"[{\"start_story\":5}]", "start_story must be a name"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *j = cJSON_Parse(bad[i].json);
        int rc = cJSON_IsArray(j) ? rules_validate_effects(j, NULL, &err) : rules_validate_condition(j, NULL, &err);
        if (rc != MA_ERR_INVALID || !strstr(err.msg, bad[i].want))
            fail_msg("%s: got \"%s\", want \"%s\"", bad[i].json, err.msg, bad[i].want);
        cJSON_Delete(j);
    }
    cJSON *e = cJSON_Parse("[{\"set_block\":{\"block\":\"planks\",\"at\":[10,64,-3],\"replace\":\"door\",\"radius\":4,"
                           "\"count\":2}},{\"fail_quest\":\"wolf_trouble\"},{\"start_story\":\"the_last_keeper\"}]");
    assert_int_equal(rules_apply(&x, e, &err), MA_OK);
    assert_true(fk.last.has_pos);
    assert_int_equal(fk.last.pos[0], 10);
    assert_int_equal(fk.last.pos[2], -3);
    assert_string_equal(fk.last.replace, "door");
    assert_int_equal(fk.last.count, 2);
    assert_string_equal(fk.failed, "wolf_trouble");
    assert_string_equal(fk.started, "the_last_keeper");
    rules_describe_effects(e, NULL, why, sizeof why);
    assert_string_equal(why, "turns up to 2 door into planks, fails the quest wolf trouble, begins the story the last keeper");
    cJSON_Delete(e);
}

/* wait_until (a story's "you reach the ruins at dusk") passes the clock on to that hour: the next
 * time it comes round, not when it is that hour or less than two hours past it; undone with the
 * rest of a list that fails. */
static int apply_text(GameRules *gr, const char *text, Err *err)
{
    cJSON *e = cJSON_Parse(text);
    int rc = rules_apply(&gr->ctx, e, err);
    cJSON_Delete(e);
    return rc;
}

static void test_wait_until_passes_the_clock_to_the_hour_a_story_names(void **state)
{
    (void)state;
    Fx f;
    villager_east(&f, "wait.db", "farmer");
    Game *g = f.game;
    int start = game_minute_of_day(g);
    assert_true(start < 19 * 60);
    ActionResult r;
    memset(&r, 0, sizeof r);
    GameRules gr;
    game_rules_bind(&gr, g, &r);
    Err err = {0};
    assert_int_equal(save_begin(f.save, &err), MA_OK);
    int64_t clock = game_clock(g);
    assert_int_equal(apply_text(&gr, "[{\"wait_until\":{\"hour\":19,\"minute\":30}}]", &err), MA_OK);
    assert_int_equal(game_minute_of_day(g), 19 * 60 + 30);
    assert_int_equal(game_clock(g) - clock, (19 * 60 + 30 - start) / 2);
    assert_non_null(th_event_with(&r, "Hours pass: it is 19:30."));
    /* Skipped, not played: the world's creatures take no turns for them (game_apply ticks them
     * for the action's turns; a bandit had the night to kill the player). */
    assert_int_equal(r.turns, 0);
    /* It is that hour, or within two hours after it: the clock stays. */
    clock = game_clock(g);
    assert_int_equal(apply_text(&gr, "[{\"wait_until\":{\"hour\":19,\"minute\":30}}]", &err), MA_OK);
    assert_int_equal(apply_text(&gr, "[{\"wait_until\":{\"hour\":18}}]", &err), MA_OK);
    assert_int_equal(game_clock(g), clock);
    /* Through the night to dawn: the next morning. */
    assert_int_equal(apply_text(&gr, "[{\"wait_until\":{\"hour\":6}}]", &err), MA_OK);
    assert_int_equal(game_minute_of_day(g), 6 * 60);
    assert_int_equal(game_clock(g) - clock, (24 * 60 - (19 * 60 + 30) + 6 * 60) / 2);
    /* A list that fails after it leaves the clock where it was. */
    clock = game_clock(g);
    assert_int_not_equal(apply_text(&gr, "[{\"wait_until\":{\"hour\":12}},{\"take\":{\"item\":\"diamond\",\"count\":5}}]", &err),
                         MA_OK);
    assert_int_equal(game_clock(g), clock);
    assert_int_equal(game_minute_of_day(g), 6 * 60);
    save_rollback(f.save);
    close_game(&f);
}

static void test_set_block_changes_the_world_and_a_rollback_puts_it_back(void **state)
{
    (void)state;
    Fx f;
    villager_east(&f, "blocks.db", "farmer");
    const Player *p = game_player(f.game);
    World *w = game_world(f.game);
    int32_t x = p->x, y = p->y, z = p->z + 2;
    BlockId before = world_get_block(w, x, y, z);
    GameRules gr;
    game_rules_bind(&gr, f.game, NULL);
    Err err = {0};
    assert_int_equal(save_begin(f.save, &err), MA_OK);
    /* A good block, then a bad one: the whole list is undone, in the world too. */
    cJSON *e = cJSON_Parse("[{\"set_block\":{\"block\":\"cobblestone\",\"offset\":[0,0,2]}},"
                           "{\"set_block\":{\"block\":\"stone\",\"offset\":[0,0,0]}}]");
    assert_int_not_equal(rules_apply(&gr.ctx, e, &err), MA_OK);
    assert_non_null(strstr(err.msg, "would bury you"));
    assert_int_equal(world_get_block(w, x, y, z), before);
    assert_int_equal(gr.n_blocks, 0);
    cJSON_Delete(e);
    e = cJSON_Parse("[{\"set_block\":{\"block\":\"cobblestone\",\"offset\":[0,0,2]}}]");
    assert_int_equal(rules_apply(&gr.ctx, e, &err), MA_OK);
    cJSON_Delete(e);
    assert_int_equal(gr.n_blocks, 1);
    assert_int_equal(world_get_block(w, x, y, z), blocks_find(game_blocks(f.game), "cobblestone"));
    save_rollback(f.save);
    world_forget(w);
    close_game(&f);
}

/* How many chunks within 4 columns and 2 levels of (x, y, z) hold the entity with this id, in the
 * world as the game sees it; where the last one stands in pos. */
static int entity_count(World *w, const char *id, int32_t x, int32_t y, int32_t z, int32_t pos[3])
{
    int n = 0;
    for (int32_t cy = chunk_coord(y) - 2; cy <= chunk_coord(y) + 2; cy++)
        for (int32_t cz = chunk_coord(z) - 4; cz <= chunk_coord(z) + 4; cz++)
            for (int32_t cx = chunk_coord(x) - 4; cx <= chunk_coord(x) + 4; cx++) {
                Chunk *c = cy >= 0 && cy < WORLD_CHUNKS_Y ? world_chunk(w, cx, cy, cz, NULL) : NULL;
                const cJSON *list = c ? c->entities : NULL, *e;
                cJSON_ArrayForEach(e, list) {
                    const cJSON *eid = cJSON_GetObjectItemCaseSensitive(e, "id");
                    const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "position");
                    if (!cJSON_IsString(eid) || strcmp(eid->valuestring, id) != 0 || cJSON_GetArraySize(p) != 3)
                        continue;
                    n++;
                    pos[0] = cx * CHUNK_SIZE + cJSON_GetArrayItem(p, 0)->valueint;
                    pos[1] = cy * CHUNK_SIZE + cJSON_GetArrayItem(p, 1)->valueint;
                    pos[2] = cz * CHUNK_SIZE + cJSON_GetArrayItem(p, 2)->valueint;
                }
            }
    return n;
}

/* The cast member's entity id and home (from the storyline's state). */
static char *cast_member(const char *file, const char *role, int32_t home[3])
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT json_extract(state, '$.cast.%s.entity') FROM story_progress", role);
    char *id = th_sql_text(th_path(dir, file), sql);
    assert_non_null(id);
    assert_true(id[0] != '\0');
    for (int k = 0; k < 3; k++) {
        snprintf(sql, sizeof sql, "SELECT json_extract(state, '$.cast.%s.at[%d]') FROM story_progress", role, k);
        home[k] = (int32_t)q64(file, sql);
    }
    return id;
}

static int64_t away_rows(const char *file, const char *id)
{
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM characters WHERE json_extract(appearance, '$.entity_id') = '%s' "
             "AND json_extract(appearance, '$.away.entity.id') = '%s'", id, id);
    return q64(file, sql);
}

/* "@village" in a place condition is the cast's village by name, or any village when the story
 * found none (its people from no village). */
static void test_at_village_is_the_story_village_by_name(void **state)
{
    (void)state;
    Fx f;
    open_game(&f, "atvillage.db");
    Err err = {0};
    cJSON *cond = cJSON_Parse("{\"all\":[{\"place\":{\"near\":\"@village\",\"radius\":24}},{\"level\":1}]}");
    cJSON *st = cJSON_Parse("{\"village\":\"Ashford\"}");
    cJSON *filled = story_fill_rules(f.game, st, cond, 0, NULL, &err);
    assert_non_null(filled);
    char *text = cJSON_PrintUnformatted(filled);
    assert_string_equal(text, "{\"all\":[{\"place\":{\"near\":\"Ashford\",\"radius\":24}},{\"level\":1}]}");
    free(text);
    cJSON_Delete(filled);
    cJSON_DeleteItemFromObject(st, "village");
    filled = story_fill_rules(f.game, st, cond, 0, NULL, &err);
    text = cJSON_PrintUnformatted(filled);
    assert_string_equal(text, "{\"all\":[{\"place\":{\"near\":\"village\",\"radius\":24}},{\"level\":1}]}");
    free(text);
    cJSON_Delete(filled);
    cJSON_Delete(st);
    cJSON_Delete(cond);
    close_game(&f);
}

/* A place by its name is found anywhere within 640 blocks, also past the 64 nearest places of
 * every kind (which reach 500-620 blocks: the story's village 600 blocks off had been "no
 * Frosthaven within 640 blocks"). */
static void test_a_place_by_name_is_found_past_the_nearest_sixty_four(void **state)
{
    (void)state;
    Fx f; /* a world whose spawn has more than 64 places within 640 blocks */
    th_game_start(&f, th_path(dir, "far.db"), &(ThGameOpts){.world = "Dense", .seed = 20261127, .type = "normal"});
    const Player *p = game_player(f.game);
    Generator *gen = world_generator(game_world(f.game));
    GenStructure all[64], far;
    int n = generator_structures_near(gen, p->x, p->z, QUEST_PLACE_RADIUS, all, 64);
    assert_int_equal(n, 64); /* more places within 640 blocks than that list holds */
    int got = 0;
    for (int k = 0; k < 32 && !got; k++) {
        /* places about 600 blocks away all round, within 640 and not among the 64 */
        int32_t px = p->x + (int32_t)(600 * cos(k * 0.19635)), pz = p->z + (int32_t)(600 * sin(k * 0.19635));
        GenStructure s[8];
        int m = generator_structures_near(gen, px, pz, 40, s, 8);
        for (int i = 0; i < m && !got; i++) {
            GenStructure one;
            int among = 0;
            for (int j = 0; j < n; j++)
                among |= strcmp(all[j].name, s[i].name) == 0;
            if (among || generator_structures_near(gen, p->x, p->z, QUEST_PLACE_RADIUS, &one, 1) == 0)
                continue;
            double ex = p->x < s[i].x ? s[i].x - p->x : p->x > s[i].x + s[i].w - 1 ? p->x - (s[i].x + s[i].w - 1) : 0;
            double ez = p->z < s[i].z ? s[i].z - p->z : p->z > s[i].z + s[i].d - 1 ? p->z - (s[i].z + s[i].d - 1) : 0;
            if (ex * ex + ez * ez <= (double)QUEST_PLACE_RADIUS * QUEST_PLACE_RADIUS) {
                far = s[i];
                got = 1;
            }
        }
    }
    assert_true(got);
    GenStructure found;
    assert_int_equal(quest_place_nearest(f.game, far.name, &found), 1);
    assert_string_equal(found.name, far.name);
    char line[160], want[160];
    snprintf(line, sizeof line, "walk %s", far.name);
    ActionResult r = th_act(f.game, line);
    snprintf(want, sizeof want, "too far to walk at once (%s is ", far.name);
    if (strncmp(r.text, want, strlen(want)) != 0)
        fail_msg("%s: %s", line, r.text);
    close_game(&f);
}

/* The story's village is found however far the player wanders: its cast knows where its villagers
 * live (broken on purpose: 1,000 blocks off it was "no Wolfwick within 640 blocks"); a village no
 * storyline knows is still looked for within 640 blocks only. */
static void test_the_story_village_is_found_from_far_away(void **state)
{
    (void)state;
    Fx f;
    open_game(&f, "wander.db");
    char *home = story_village("wander.db");
    GenStructure there;
    assert_true(quest_place_nearest(f.game, home, &there));
    int32_t hx = there.x + there.w / 2, hz = there.z + there.d / 2;
    put_player(&f, "wander.db", hx + 1000, 64, hz); /* far out east */
    char way[160], want[160];
    assert_true(quest_place_way(f.game, home, way, sizeof way));
    assert_string_equal(way, "W 1000");
    GenStructure found;
    assert_true(quest_place_nearest(f.game, home, &found));
    assert_string_equal(found.name, home);
    assert_int_equal(found.x, there.x);
    assert_int_equal(found.z, there.z);
    snprintf(want, sizeof want, "walk %s", home);
    ActionResult r = th_act(f.game, want);
    snprintf(want, sizeof want, "too far to walk at once (%s is ", home);
    if (strncmp(r.text, want, strlen(want)) != 0 || !strstr(r.text, " steps away, W, around "))
        fail_msg("%s", r.text);
    assert_false(quest_place_way(f.game, "Camelot", way, sizeof way));
    assert_string_equal(way, "no Camelot within 640 blocks");
    free(home);
    close_game(&f);
}

/* The Ember taken at the ruins is brought home: the ending waits, locked with the way, until
 * the character stands in the story's own village, found by its name (any other village is not
 * it), and what the homecoming does happens there. */
static void test_the_ember_is_brought_home_to_the_story_village(void **state)
{
    (void)state;
    Fx f;
    open_game(&f, "home.db");
    to_the_vault_by_the_lie(&f);
    ActionResult r = choose(&f, "leave_the_smith");
    assert_null(th_event_with(&r, "is home again")); /* the smith walks home with the ending, not before */
    char *home = story_village("home.db"), want[160];
    StoryView v;
    Err err = {0};
    assert_int_equal(story_view(f.game, 0, &v, &err), MA_OK);
    assert_string_equal(v.status, "active");
    assert_int_equal(v.n_choices, 1);
    assert_string_equal(v.choices[0].branch, "leave_the_smith_home");
    assert_false(v.choices[0].available);
    snprintf(want, sizeof want, "[near %s]", home);
    assert_string_equal(v.choices[0].tag, want);
    snprintf(want, sizeof want, "needs %s within 24 blocks (", home);
    if (strncmp(v.choices[0].why, want, strlen(want)) != 0)
        fail_msg("why: %s", v.choices[0].why);
    assert_string_equal(v.choices[0].place, home); /* the panel and `t` go there */
    r = th_act(f.game, "choose 1");
    assert_false(r.ok);

    walk_home(&f, "home.db");
    assert_int_equal(story_view(f.game, 0, &v, &err), MA_OK);
    assert_true(v.choices[0].available);
    /* Standing in a village is not enough: the story's own, by name. */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(th_path(dir, "home.db"), &db), SQLITE_OK);
    const char *sql = "UPDATE story_progress SET state = json_set(state, '$.village', ?1)";
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, "Elsewhere", -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    assert_int_equal(story_view(f.game, 0, &v, &err), MA_OK);
    assert_false(v.choices[0].available);
    assert_string_equal(v.choices[0].why, "needs Elsewhere within 24 blocks (no Elsewhere within 640 blocks)");
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, home, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);

    r = choose(&f, "leave_the_smith_home");
    assert_non_null(th_event_with(&r, "is home again"));
    assert_int_equal(story_view(f.game, 0, &v, &err), MA_OK);
    assert_string_equal(v.status, "finished");
    assert_string_equal(v.ending, "Driven Out");
    free(home);
    close_game(&f);
}

/* The trader's cart left before dawn (and the smith, once accused, is driven out): a story's
 * leave takes the villager out of the world, so no map, panel, talk or fight meets them, until
 * an ending brings them home, where they stand again; the save keeps both across a restart. */
static void test_a_villager_the_story_sends_away_is_gone_until_an_ending_brings_them_home(void **state)
{
    (void)state;
    Fx f;
    open_game(&f, "away.db");
    int32_t th[3], sh[3], at[3];
    char *trader = cast_member("away.db", "trader", th), *smith = cast_member("away.db", "smith", sh);
    World *w = game_world(f.game);
    assert_int_equal(entity_count(w, trader, th[0], th[1], th[2], at), 1);
    assert_int_equal(entity_count(w, smith, sh[0], sh[1], sh[2], at), 1);

    ActionResult r = choose(&f, "accuse_the_smith");
    assert_non_null(th_event_with(&r, "the trader has left"));
    assert_non_null(th_event_with(&r, "the smith has left"));
    assert_int_equal(entity_count(w, trader, th[0], th[1], th[2], at), 0);
    assert_int_equal(entity_count(w, smith, sh[0], sh[1], sh[2], at), 0);
    assert_int_equal(away_rows("away.db", trader), 1);
    assert_int_equal(away_rows("away.db", smith), 1);
    /* Reopened, the world read from the save has neither. */
    close_game(&f);
    open_game(&f, "away.db");
    w = game_world(f.game);
    assert_int_equal(entity_count(w, trader, th[0], th[1], th[2], at), 0);
    assert_int_equal(entity_count(w, smith, sh[0], sh[1], sh[2], at), 0);

    /* The trader's home is built over while they are away (stone where their feet and head were). */
    BlockId stone = (BlockId)blocks_find(game_blocks(f.game), "stone");
    assert_int_equal(world_set_block(w, th[0], th[1], th[2], stone, NULL), MA_OK);
    assert_int_equal(world_set_block(w, th[0], th[1] + 1, th[2], stone, NULL), MA_OK);
    choose(&f, "search_the_smithy");
    walk_to_ruins(&f);
    r = choose(&f, "clear_the_smith");
    assert_non_null(th_event_with(&r, "the smith is home again"));
    assert_int_equal(entity_count(w, smith, sh[0], sh[1], sh[2], at), 1);
    assert_memory_equal(at, sh, sizeof at);
    assert_int_equal(away_rows("away.db", smith), 0);
    assert_int_equal(entity_count(w, trader, th[0], th[1], th[2], at), 0);
    r = choose(&f, "storm_with_guard_and_smith");
    assert_null(th_event_with(&r, "the trader is home again")); /* not before you are */
    walk_home(&f, "away.db");
    r = choose(&f, "storm_with_guard_and_smith_home");
    assert_non_null(th_event_with(&r, "the trader is home again"));
    assert_int_equal(entity_count(w, trader, th[0], th[1], th[2], at), 1);
    /* Not inside the stone: the nearest place to stand, within 4 blocks. */
    assert_false(at[0] == th[0] && at[1] == th[1] && at[2] == th[2]);
    assert_true(abs(at[0] - th[0]) <= 4 && abs(at[2] - th[2]) <= 4 && abs(at[1] - th[1]) <= 2);
    const BlockDef *feet = blocks_get(game_blocks(f.game), world_get_block(w, at[0], at[1], at[2]));
    const BlockDef *head = blocks_get(game_blocks(f.game), world_get_block(w, at[0], at[1] + 1, at[2]));
    assert_false(feet->solid || head->solid);
    assert_int_equal(away_rows("away.db", trader), 0);
    close_game(&f);
    open_game(&f, "away.db");
    assert_int_equal(entity_count(game_world(f.game), trader, th[0], th[1], th[2], at), 1);
    assert_int_equal(world_get_block(game_world(f.game), th[0], th[1], th[2]), stone);
    close_game(&f);
    free(trader);
    free(smith);
}

/* An effect list that fails after a leave undoes it in the world's cache as in the save. */
static void test_a_failed_effect_list_leaves_the_villager_where_they_stood(void **state)
{
    (void)state;
    Fx f;
    open_game(&f, "away_undo.db");
    int32_t th[3], at[3];
    char *trader = cast_member("away_undo.db", "trader", th);
    choose(&f, "hear_the_priest"); /* the trader leaves; then comes home by hand, below */
    World *w = game_world(f.game);
    GameRules gr;
    game_rules_bind(&gr, f.game, NULL);
    Err err = {0};
    char json[300];
    snprintf(json, sizeof json, "[{\"come_home\":{\"who\":\"%s\"}},{\"take\":{\"item\":\"diamond\",\"count\":99}}]",
             trader);
    cJSON *e = cJSON_Parse(json);
    assert_int_equal(save_begin(f.save, &err), MA_OK);
    assert_int_not_equal(rules_apply(&gr.ctx, e, &err), MA_OK);
    assert_int_equal(entity_count(w, trader, th[0], th[1], th[2], at), 0);
    assert_int_equal(gr.n_moves, 0);
    /* And in the save: the row still says away. */
    CharacterRow c;
    assert_int_equal(characters_get(f.save, npc_character_id(f.game, trader), &c, &err), MA_OK);
    assert_non_null(cJSON_GetObjectItemCaseSensitive(c.appearance, "away"));
    character_row_clear(&c);
    /* Without the failing take it holds, and a leave undone by a rollback puts them back. */
    cJSON_DeleteItemFromArray(e, 1);
    assert_int_equal(rules_apply(&gr.ctx, e, &err), MA_OK);
    assert_int_equal(entity_count(w, trader, th[0], th[1], th[2], at), 1);
    cJSON_Delete(e);
    snprintf(json, sizeof json, "[{\"leave\":{\"who\":\"%s\"}},{\"take\":{\"item\":\"diamond\",\"count\":99}}]",
             trader);
    e = cJSON_Parse(json);
    assert_int_not_equal(rules_apply(&gr.ctx, e, &err), MA_OK);
    assert_int_equal(entity_count(w, trader, th[0], th[1], th[2], at), 1);
    cJSON_Delete(e);
    save_rollback(f.save);
    world_forget(w);
    close_game(&f);
    free(trader);
}

/* In a shared world another player's story may send a villager away: the chunk comes by sync
 * without them, but this save's row holds no record of it. come_home brings them back all the
 * same; and it never makes a second one of a villager who stands in the world. */
static void test_come_home_brings_back_a_villager_gone_without_a_record(void **state)
{
    (void)state;
    Fx f;
    open_game(&f, "away_sync.db");
    int32_t th[3], at[3];
    char *trader = cast_member("away_sync.db", "trader", th);
    choose(&f, "hear_the_priest"); /* the trader leaves, and meets the save as a row */
    World *w = game_world(f.game);
    assert_int_equal(entity_count(w, trader, th[0], th[1], th[2], at), 0);
    /* The record goes, as in the save of a player whose story did not send them. */
    Err err = {0};
    int64_t id = npc_character_id(f.game, trader);
    assert_true(id > 0);
    CharacterRow c;
    assert_int_equal(save_begin(f.save, &err), MA_OK);
    assert_int_equal(characters_get(f.save, id, &c, &err), MA_OK);
    cJSON_DeleteItemFromObjectCaseSensitive(c.appearance, "away");
    assert_int_equal(characters_update(f.save, &c, &err), MA_OK);
    character_row_clear(&c);
    GameRules gr;
    game_rules_bind(&gr, f.game, NULL);
    char json[200];
    snprintf(json, sizeof json, "[{\"come_home\":{\"who\":\"%s\"}}]", trader);
    cJSON *e = cJSON_Parse(json);
    assert_int_equal(rules_apply(&gr.ctx, e, &err), MA_OK);
    assert_int_equal(entity_count(w, trader, th[0], th[1], th[2], at), 1);
    assert_memory_equal(at, th, sizeof at);
    /* Home already: nothing more. */
    assert_int_equal(rules_apply(&gr.ctx, e, &err), MA_OK);
    assert_int_equal(entity_count(w, trader, th[0], th[1], th[2], at), 1);
    cJSON_Delete(e);
    assert_int_equal(save_commit(f.save, &err), MA_OK);
    close_game(&f);
    free(trader);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_story_files_are_refused_with_file_branch_and_reason),
        cmocka_unit_test(test_shipped_storylines_have_the_shape_the_design_asks_for),
        cmocka_unit_test(test_seeding_twice_adds_nothing_and_a_newer_version_changes_only_what_nobody_reached),
        cmocka_unit_test(test_a_newer_version_adds_nothing_below_an_ending_someone_reached),
        cmocka_unit_test(test_a_new_character_meets_the_main_storyline_and_a_locked_choice_says_why),
        cmocka_unit_test(test_a_cast_never_holds_two_people_of_one_name),
        cmocka_unit_test(test_a_choice_tag_names_skills_by_title_and_counts_items),
        cmocka_unit_test(test_consequences_are_applied_once_and_recorded_with_the_choice),
        cmocka_unit_test(test_the_cte_path_is_the_choices_made),
        cmocka_unit_test(test_a_revision_reopens_the_smithy_and_is_recorded_on_the_new_choice),
        cmocka_unit_test(test_undo_restores_every_row_of_the_save_exactly),
        cmocka_unit_test(test_storylines_run_at_once_and_the_focus_switches),
        cmocka_unit_test(test_talking_to_a_smith_begins_their_story_with_them_in_it),
        cmocka_unit_test(test_finishing_a_quest_begins_the_story_that_follows_it),
        cmocka_unit_test(test_walking_into_a_ruin_begins_its_story),
        cmocka_unit_test(test_the_story_that_waits_at_a_ruin_keeps_the_focus_there),
        cmocka_unit_test(test_the_story_village_is_found_from_far_away),
        cmocka_unit_test(test_a_place_too_far_to_walk_to_says_which_way_and_where),
        cmocka_unit_test(test_rules_season_set_block_fail_quest_and_start_story),
        cmocka_unit_test(test_set_block_changes_the_world_and_a_rollback_puts_it_back),
        cmocka_unit_test(test_wait_until_passes_the_clock_to_the_hour_a_story_names),
        cmocka_unit_test(test_the_way_home_is_shown_while_the_story_village_is_far),
        cmocka_unit_test(test_a_choice_that_ends_the_story_is_marked),
        cmocka_unit_test(test_at_village_is_the_story_village_by_name),
        cmocka_unit_test(test_a_place_by_name_is_found_past_the_nearest_sixty_four),
        cmocka_unit_test(test_the_ember_is_brought_home_to_the_story_village),
        cmocka_unit_test(test_the_way_to_the_ruins_in_the_story_is_the_worlds),
        cmocka_unit_test(test_a_villager_the_story_sends_away_is_gone_until_an_ending_brings_them_home),
        cmocka_unit_test(test_a_failed_effect_list_leaves_the_villager_where_they_stood),
        cmocka_unit_test(test_come_home_brings_back_a_villager_gone_without_a_record),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
