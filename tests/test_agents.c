/* test_agents.c — the living world: the six agents on a normal world (seed
 * 3, villages and ruins near the start), through the core.
 *
 * - a game year (28 days) of agents gives the same log and the same world twice;
 * - every day of agents, rolled back, gives back the save of the day before,
 *   compared whole (rows of every table but the log's own, and every chunk the
 *   agents touched, decoded); the days cover every kind of change;
 * - rolling back to 0 gives back the world as it was before the agents ran;
 * - a rollback is refused when a later entry or the player built on it, and
 *   goes through with --cascade / --force;
 * - agents never touch the chunk a player stands in;
 * - raids wait for the second day and never put a raider within 12 steps of a player;
 * - the balance keeper's knobs stay within data/balance.json's bounds;
 * - killed at any statement of a day's run (kill -9 style), the save verifies,
 *   and running again gives exactly the world of a run that was not killed;
 * - verify finds a block the log cannot explain;
 * - a deed becomes a woven storyline, and its open branch is continued with a
 *   place that exists;
 * - attached to a game, the agents run inside the player's actions. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agents/agents.h"
#include "agents/evolution.h"
#include "fault/fault.h"
#include "game/action.h"
#include "game/calendar.h"
#include "game/game.h"
#include "game/items.h"
#include "game/quest.h"
#include "game/story_book.h"
#include "save/agents.h"
#include "save/charstate.h"
#include "save/chunks.h"
#include "save/dump.h"
#include "save/events.h"
#include "save/quests.h"
#include "save/stories.h"
#include "save/worlds.h"
#include "world/blocks.h"
#include "world/chunk_codec.h"
#include "world/generator.h"

static char *dir;
static char base_db[4096];
static int32_t px, pz; /* the player */
static int64_t player_id;

typedef struct Session {
    Save *s;
    BlockRegistry *reg;
    World *w;
    Agents *a;
} Session;

static void copy_file(const char *from, const char *to) { th_copy_file(from, to); }

static void open_session(Session *x, const char *path)
{
    Err err = {0};
    memset(x, 0, sizeof *x);
    if (save_open(path, 0, &x->s, &err) != MA_OK || blocks_load_default(&x->reg, &err) != MA_OK ||
        world_open(x->s, x->reg, "vale", 0, 0, &x->w, &err) != MA_OK || agents_open(x->s, x->w, &x->a, &err) != MA_OK)
        fail_msg("%s", err.msg);
}

/* A fresh copy of the base save named name (its path into work), opened. */
static void open_copy(Session *x, char *work, size_t size, const char *name)
{
    snprintf(work, size, "%s", th_path(dir, name));
    copy_file(base_db, work);
    open_session(x, work);
}

static void close_session(Session *x)
{
    agents_close(x->a);
    world_close(x->w);
    blocks_free(x->reg);
    save_close(x->s);
    memset(x, 0, sizeof *x);
}

static void advance_days(Session *x, int days)
{
    Err err = {0};
    int64_t now = agents_present(x->a);
    int rc = agents_advance(x->a, now + (int64_t)days * TURNS_PER_DAY, -1, days * 3 + 3, NULL, NULL, &err);
    if (rc < 0)
        fail_msg("agents: %s", err.msg);
}

static int64_t last_entry(Save *s)
{
    EvolutionRow *rows = NULL;
    int n = 0;
    Err err = {0};
    assert_int_equal(evolution_list(s, 1, 0, &rows, &n, &err), MA_OK);
    int64_t id = 0;
    for (int i = 0; i < n; i++)
        if (rows[i].id > id)
            id = rows[i].id;
    evolution_list_free(rows, n);
    return id;
}

/* ------------------------------------------------------------ the state of a save, compared */

typedef struct Coords {
    int32_t (*c)[3];
    int n, cap;
} Coords;

static int collect_coords(int32_t cx, int32_t cy, int32_t cz, const char *data, size_t len, const char *structures,
                          int64_t version, void *ud)
{
    (void)data, (void)len, (void)structures, (void)version;
    Coords *k = ud;
    if (k->n == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 64;
        k->c = realloc(k->c, (size_t)k->cap * sizeof *k->c);
    }
    k->c[k->n][0] = cx, k->c[k->n][1] = cy, k->c[k->n][2] = cz;
    k->n++;
    return 0;
}

/* The chunk coordinates stored for world 1. */
static Coords stored_chunks(Save *s)
{
    Coords k = {0};
    Err err = {0};
    assert_int_equal(chunks_each(s, 1, collect_coords, &k, &err), MA_OK);
    return k;
}

typedef struct Text {
    char *p;
    size_t len, cap;
} Text;

static void text_add(Text *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len + n + 2 > t->cap) {
        t->cap = (t->len + n + 2) * 2;
        t->p = realloc(t->p, t->cap);
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len++] = '\n';
    t->p[t->len] = '\0';
}

static void add_line(const char *line, void *ud) { text_add(ud, line); }

/* Every row of every table but the log's own bookkeeping (the log, its index, the agents' rows
 * and the stored form of chunks): what the world's rows are, not how they got there. */
static char *world_state(const char *path)
{
    Session x;
    open_session(&x, path);
    Text t = {0};
    text_add(&t, "");
    Err err = {0};
    static const char *const tables[] = {"users", "worlds", "characters", "character_relationships",
                                         "character_skills", "inventory", "stories", "story_branches",
                                         "player_choices", "quests", "quest_objectives", "quest_progress",
                                         "agent_memory", "world_events", "character_state", "story_progress", NULL};
    for (int i = 0; tables[i]; i++)
        assert_int_equal(save_dump(x.s, SAVE_DUMP_STABLE, tables[i], add_line, &t, &err), MA_OK);
    close_session(&x);
    return t.p;
}

/* The chunks stored in `a` or `b`, as each world gives them: two worlds are the same when every
 * chunk either holds is the same in both (stored or generated). */
static void assert_same_world(const char *a, const char *b, const char *what)
{
    char *sa = world_state(a), *sb = world_state(b);
    /* The rows, then each chunk stored in either save, decoded, both ways. */
    size_t ra = strlen(sa), rb = strlen(sb);
    if (ra != rb || memcmp(sa, sb, ra) != 0) {
        size_t i = 0;
        while (i < ra && i < rb && sa[i] == sb[i])
            i++;
        while (i > 0 && sa[i - 1] != '\n')
            i--;
        /* The line where they part, from the first character that differs. */
        size_t k = i;
        while (sa[k] && sa[k] == sb[k])
            k++;
        size_t from = k > 60 ? k - 60 : i;
        fail_msg("%s: the rows differ:\n  ...%.200s\n  ...%.200s", what, sa + from, sb + from);
    }
    Session xa, xb;
    open_session(&xa, a);
    open_session(&xb, b);
    Err err = {0};
    for (int side = 0; side < 2; side++) {
        Session *from = side ? &xb : &xa, *other = side ? &xa : &xb;
        Coords rows = stored_chunks(from->s);
        for (int i = 0; i < rows.n; i++) {
            int32_t cx = rows.c[i][0], cy = rows.c[i][1], cz = rows.c[i][2];
            Chunk *c1 = world_chunk(from->w, cx, cy, cz, &err);
            size_t l1 = 0, l2 = 0;
            char *e1 = chunk_encode(c1, from->reg, &l1, &err);
            char *n1 = cJSON_PrintUnformatted(c1->entities);
            Chunk *c2 = world_chunk(other->w, cx, cy, cz, &err);
            char *e2 = chunk_encode(c2, other->reg, &l2, &err);
            char *n2 = cJSON_PrintUnformatted(c2->entities);
            if (strcmp(e1, e2) != 0 || strcmp(n1, n2) != 0)
                fail_msg("%s: chunk %d,%d,%d differs:\n  %.200s\n  %.200s", what, cx, cy, cz, n1, n2);
            free(e1);
            free(e2);
            cJSON_free(n1);
            cJSON_free(n2);
        }
        free(rows.c);
    }
    close_session(&xa);
    close_session(&xb);
    free(sa);
    free(sb);
}

/* ------------------------------------------------------------ set-up */

static int group_setup(void **state)
{
    (void)state;
    dir = th_tmpdir();
    setenv("USER", "hero", 1);
    snprintf(base_db, sizeof base_db, "%s", th_path(dir, "base.db"));
    Save *s = NULL;
    Err err = {0};
    if (save_open(base_db, SAVE_CREATE, &s, &err) != MA_OK)
        fail_msg("%s", err.msg);
    int64_t id;
    assert_int_equal(world_create(s, "vale", 3, "normal", &id, &err), MA_OK);
    Game *g = NULL;
    GameStart st = {.username = "hero", .world = "vale"};
    if (game_start(s, &st, &g, &err) != MA_OK)
        fail_msg("%s", err.msg);
    px = game_player(g)->x;
    pz = game_player(g)->z;
    player_id = game_player(g)->character_id;
    game_close(g);
    save_close(s);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    th_tmpdir_free(dir);
    return 0;
}

/* ------------------------------------------------------------ tests */

/* A read-only query of the save at path, the caller steps it: its statement (*db to close). */
static sqlite3_stmt *query_save(const char *path, const char *sql, sqlite3 **db)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(*db, sql, -1, &st, NULL), SQLITE_OK);
    return st;
}

/* Every "Bring N NOUN to" of a villager's request names the items as English counts them: NOUN
 * is an item's plural when N > 1 ("6 oak logs", "3 bread"), its name when N is 1. */
static void assert_fetch_quests_count_items_in_english(const char *path)
{
    Err err = {0};
    ItemRegistry *items = NULL;
    assert_int_equal(items_load_default(&items, &err), MA_OK);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = query_save(path, "SELECT description FROM quests WHERE description LIKE '%Bring % to %'", &db);
    int checked = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *d = strstr((const char *)sqlite3_column_text(st, 0), "Bring ");
        int n = 0, used = 0;
        if (!d || sscanf(d, "Bring %d %n", &n, &used) != 1 || used == 0)
            continue;
        const char *noun = d + used, *to = strstr(noun, " to ");
        assert_non_null(to);
        int named = 0;
        for (int i = 0; i < items_count(items) && !named; i++) {
            char words[64];
            items_noun(items, items_at(items, i)->name, n, words, sizeof words);
            named = strlen(words) == (size_t)(to - noun) && strncmp(words, noun, (size_t)(to - noun)) == 0;
        }
        if (!named)
            fail_msg("\"%s\" does not count its item in English", d);
        checked++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    items_free(items);
    assert_true(checked > 0);
}

/* The chronicle's lines of villagers walking agree in number: "1 villager of Elmfield goes to
 * work", "3 villagers of Elmfield go to work". */
static void assert_villagers_walk_in_english(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = query_save(path,
                                  "SELECT json_extract(changes_made, '$.summary') FROM world_evolution_log "
                                  "WHERE evolution_type = 'schedule'",
                                  &db);
    static const char *const many[] = {" go to work", " gather on the village green", " go home"};
    static const char *const one[] = {" goes to work", " gathers on the village green", " goes home"};
    int checked = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(st, 0);
        int n = 0, used = 0;
        assert_non_null(line);
        if (sscanf(line, "%d villager%n", &n, &used) != 1 || used == 0)
            fail_msg("a schedule line that does not count villagers: \"%s\"", line);
        int plural = line[used] == 's';
        const char *const *verbs = n == 1 ? one : many;
        int agrees = plural == (n != 1);
        int verb = 0;
        for (int k = 0; k < 3; k++)
            verb |= strlen(line) > strlen(verbs[k]) && strcmp(line + strlen(line) - strlen(verbs[k]), verbs[k]) == 0;
        if (!agrees || !verb)
            fail_msg("\"%s\" does not agree in number", line);
        checked++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_true(checked > 0);
}

/* Each new quest in the chronicle says whom to ask for it, by the quest's own giver: "(ask Ilse
 * the smith)" for a villager's need, "(ask the priest of Elmfield)" otherwise (broken on purpose:
 * the line without it left a player who read "a new quest for you" with nobody to go to). */
static void assert_new_quests_say_whom_to_ask(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = query_save(path,
                                  "SELECT json_extract(l.changes_made, '$.summary'), json_extract(q.details, '$.giver'), "
                                  "json_extract(q.details, '$.asker'), json_extract(q.details, '$.asker_entity') "
                                  "FROM world_evolution_log l JOIN quests q "
                                  "ON q.id = json_extract(l.changes_made, '$.rows[0].id') WHERE l.evolution_type = 'quest'",
                                  &db);
    int checked = 0, asked = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(st, 0), *giver = (const char *)sqlite3_column_text(st, 1);
        assert_non_null(line);
        assert_non_null(giver);
        const char *ask = strstr(line, " (ask ");
        char the[48], a[48], of[64];
        snprintf(the, sizeof the, " the %s)", giver);
        snprintf(a, sizeof a, "(ask a %s)", giver);
        snprintf(of, sizeof of, "(ask the %s of ", giver);
        size_t n = strlen(line);
        int ends = ask && ((n > strlen(the) && strcmp(line + n - strlen(the), the) == 0) || strstr(ask, a) ||
                           strstr(ask, of));
        if (!ends)
            fail_msg("\"%s\" does not say to ask the %s", line, giver);
        /* A villager's own request keeps who asked (the quest log says "ask Piet the farmer"). */
        const char *asker = (const char *)sqlite3_column_text(st, 2);
        char named[96];
        snprintf(named, sizeof named, "(ask %s the %s)", asker ? asker : "", giver);
        if (asker && !strstr(line, named))
            fail_msg("\"%s\": the quest keeps %s as the one who asks", line, asker);
        /* ... and which Piet, by entity (another village may have one). */
        const char *entity = (const char *)sqlite3_column_text(st, 3);
        if (asker && (!entity || strncmp(entity, "villager_", 9) != 0))
            fail_msg("\"%s\": the quest keeps %s's entity \"%s\"", line, asker, entity ? entity : "(none)");
        if (!asker && strstr(line, " the ") && !strstr(ask, of) && !strstr(ask, a))
            fail_msg("\"%s\" names a villager the quest does not keep", line);
        asked += asker != NULL;
        checked++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_true(checked > 0);
    assert_true(asked > 0);
}

static void test_a_year_of_agents_is_the_same_twice(void **state)
{
    (void)state;
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s", th_path(dir, "year_a.db"));
    snprintf(b, sizeof b, "%s", th_path(dir, "year_b.db"));
    for (int k = 0; k < 2; k++) {
        copy_file(base_db, k ? b : a);
        Session x;
        open_session(&x, k ? b : a);
        advance_days(&x, CALENDAR_YEAR_DAYS);
        close_session(&x);
    }
    Err err = {0};
    Save *sa = NULL, *sb = NULL;
    assert_int_equal(save_open(a, SAVE_READONLY, &sa, &err), MA_OK);
    assert_int_equal(save_open(b, SAVE_READONLY, &sb, &err), MA_OK);
    Text la = {0}, lb = {0};
    assert_int_equal(save_dump(sa, 0, "world_evolution_log", add_line, &la, &err), MA_OK);
    assert_int_equal(save_dump(sb, 0, "world_evolution_log", add_line, &lb, &err), MA_OK);
    assert_non_null(la.p);
    assert_true(strlen(la.p) > 1000);
    assert_string_equal(la.p, lb.p);
    save_close(sa);
    save_close(sb);
    free(la.p);
    free(lb.p);
    assert_same_world(a, b, "two runs of the same year");
    assert_fetch_quests_count_items_in_english(a);
    /* (A year of this world never moves a lone villager: the singular is checked only if it comes.) */
    assert_villagers_walk_in_english(a);
    assert_new_quests_say_whom_to_ask(a);
}

static void test_every_day_rolls_back_to_the_day_before(void **state)
{
    (void)state;
    char work[4096], before[4096];
    snprintf(work, sizeof work, "%s", th_path(dir, "days.db"));
    snprintf(before, sizeof before, "%s", th_path(dir, "days_before.db"));
    copy_file(base_db, work);
    const char *kinds[] = {"season", "schedule", "need", "quest", "build", "event"};
    int seen[6] = {0};
    for (int day = 0; day < 16; day++) {
        copy_file(work, before);
        Session x;
        open_session(&x, work);
        int64_t last = last_entry(x.s);
        advance_days(&x, 1);
        /* What this day did, by kind. */
        EvolutionRow *rows = NULL;
        int n = 0;
        Err err = {0};
        assert_int_equal(evolution_list(x.s, 1, 0, &rows, &n, &err), MA_OK);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < 6; k++)
                seen[k] += rows[i].id > last && strcmp(rows[i].evolution_type, kinds[k]) == 0;
        evolution_list_free(rows, n);
        close_session(&x);
        /* Rolled back, on a copy: the save of the day before. */
        char undone[4096];
        snprintf(undone, sizeof undone, "%s", th_path(dir, "days_undone.db"));
        copy_file(work, undone);
        open_session(&x, undone);
        EvoRollback opt = {0};
        assert_int_equal(save_begin(x.s, &err), MA_OK);
        if (evolution_rollback_to(x.s, x.w, 1, last, &opt, &err) != MA_OK)
            fail_msg("day %d: %s", day, err.msg);
        assert_int_equal(world_flush(x.w, &err), MA_OK);
        assert_int_equal(save_commit(x.s, &err), MA_OK);
        close_session(&x);
        char what[64];
        snprintf(what, sizeof what, "day %d rolled back", day);
        assert_same_world(undone, before, what);
    }
    for (int k = 0; k < 6; k++)
        if (!seen[k])
            fail_msg("no %s change in sixteen days: the test does not cover it", kinds[k]);
}

static void test_rolling_back_to_zero_gives_back_the_world_before_the_agents(void **state)
{
    (void)state;
    char work[4096];
    Session x;
    open_copy(&x, work, sizeof work, "zero.db");
    advance_days(&x, CALENDAR_YEAR_DAYS);
    assert_true(last_entry(x.s) > 100);
    Err err = {0};
    EvoRollback opt = {0};
    assert_int_equal(save_begin(x.s, &err), MA_OK);
    if (evolution_rollback_to(x.s, x.w, 1, 0, &opt, &err) != MA_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(world_flush(x.w, &err), MA_OK);
    assert_int_equal(save_commit(x.s, &err), MA_OK);
    close_session(&x);
    assert_same_world(work, base_db, "a year rolled back to 0");
}

static const char *str_or_empty(const cJSON *o, const char *k)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
    return v ? v : "";
}

static int64_t entry_of_type(Save *s, const char *type, int nth)
{
    EvolutionRow *rows = NULL;
    int n = 0, k = 0;
    Err err = {0};
    int64_t id = 0;
    assert_int_equal(evolution_list(s, 1, 1, &rows, &n, &err), MA_OK);
    for (int i = 0; i < n && !id; i++)
        if (strcmp(rows[i].evolution_type, type) == 0 && k++ == nth)
            id = rows[i].id;
    evolution_list_free(rows, n);
    return id;
}

/* A villager who moves into a new house takes a first name no villager of the village has (two
 * Ysoldes had moved into one village): over sixty days of the world builder alone, each one who
 * moved in is the only one of that name among the villagers of the village's chunks. */
static void test_who_moves_in_has_a_name_of_their_own_in_the_village(void **state)
{
    (void)state;
    char work[4096];
    Session x;
    open_copy(&x, work, sizeof work, "names.db");
    Err aerr = {0};
    int64_t now = agents_present(x.a);
    if (agents_advance(x.a, now + 60 * TURNS_PER_DAY, 1 << AGENT_WORLD_BUILDER, 200, NULL, NULL, &aerr) < 0)
        fail_msg("agents: %s", aerr.msg);
    EvolutionRow *rows = NULL;
    int n = 0, moved = 0;
    Err err = {0};
    assert_int_equal(evolution_list(x.s, 1, 1, &rows, &n, &err), MA_OK);
    for (int i = 0; i < n; i++) {
        char village[48], name[32], role[16];
        const char *sum = str_or_empty(rows[i].changes_made, "summary");
        if (sscanf(sum, "a new house in %47[^,], and %31s the %15s moves in", village, name, role) != 3)
            continue;
        moved++;
        GenStructure v;
        assert_int_equal(generator_structure_nearest(world_generator(x.w), 0, 0, 2000, "village", village, &v), 1);
        int same = 0;
        for (int32_t cx = chunk_coord(v.x - 24); cx <= chunk_coord(v.x + v.w + 24); cx++)
            for (int32_t cz = chunk_coord(v.z - 24); cz <= chunk_coord(v.z + v.d + 24); cz++)
                for (int32_t cy = (v.y - 24) / CHUNK_SIZE; cy <= (v.y + 24) / CHUNK_SIZE; cy++) {
                    Chunk *ch = cy >= 0 && cy < WORLD_CHUNKS_Y ? world_chunk(x.w, cx, cy, cz, &err) : NULL;
                    const cJSON *en;
                    if (ch)
                        cJSON_ArrayForEach(en, ch->entities) same +=
                            strcmp(str_or_empty(en, "type"), "npc") == 0 &&
                            strcmp(str_or_empty(en, "village"), village) == 0 && strcmp(str_or_empty(en, "name"), name) == 0;
                }
        if (same != 1)
            fail_msg("%s: %d villagers of %s are called %s", sum, same, village, name);
    }
    evolution_list_free(rows, n);
    print_message("%d moved in over sixty days\n", moved);
    assert_true(moved >= 2);
    close_session(&x);
}

/* "While you were away": the news a player wants first — after ten days the newest new quest of
 * the quest generator comes before the needs, the season's turn and any tuning written after it
 * (the line had shown "the balance is tuned: reward_scale 1.00 -> 1.05" while a new quest
 * waited), and the villagers' daily walks are never news. */
static void test_the_news_puts_a_new_quest_first(void **state)
{
    (void)state;
    char work[4096];
    Session x;
    open_copy(&x, work, sizeof work, "news.db");
    advance_days(&x, 10);
    int64_t newest_quest = 0;
    EvolutionRow *rows = NULL;
    int n = 0, all = 0, later = 0;
    Err err = {0};
    assert_int_equal(evolution_list(x.s, 1, 1, &rows, &n, &err), MA_OK);
    char want[160] = "";
    for (int i = 0; i < n; i++) {
        const char *t = rows[i].evolution_type;
        if (strcmp(t, "schedule") == 0 || strcmp(t, "rollback") == 0)
            continue;
        all++;
        if (strcmp(t, "quest") == 0 && rows[i].id > newest_quest) {
            newest_quest = rows[i].id;
            snprintf(want, sizeof want, "%s", str_or_empty(rows[i].changes_made, "summary"));
        }
    }
    for (int i = 0; i < n; i++)
        later += rows[i].id > newest_quest && strcmp(rows[i].evolution_type, "schedule") != 0 &&
                 strcmp(rows[i].evolution_type, "rollback") != 0;
    evolution_list_free(rows, n);
    assert_true(newest_quest > 0);
    assert_true(later > 0); /* news newer than the quest: else the order is not put to the test */
    char lines[4][160];
    int64_t newest = 0;
    assert_int_equal(evolution_news(x.s, 1, 0, lines, 4, &newest), all);
    assert_string_equal(lines[0], want);
    for (int i = 0; i < 4; i++)
        assert_null(strstr(lines[i], "go to work"));
    /* Nothing new since the newest: no news. */
    assert_int_equal(evolution_news(x.s, 1, newest, lines, 4, &newest), 0);
    close_session(&x);
}

static void test_a_rollback_is_refused_when_built_upon(void **state)
{
    (void)state;
    char work[4096];
    Session x;
    open_copy(&x, work, sizeof work, "built.db");
    advance_days(&x, 10);
    Err err = {0};
    /* The player digs out a block an agent placed. */
    int64_t build = entry_of_type(x.s, "build", 0);
    assert_true(build > 0);
    EvolutionRow e;
    assert_int_equal(evolution_get(x.s, build, &e, &err), MA_OK);
    const cJSON *b = cJSON_GetArrayItem(cJSON_GetObjectItem(e.changes_made, "blocks"), 0);
    int32_t bx = cJSON_GetObjectItem(b, "x")->valueint, by = cJSON_GetObjectItem(b, "y")->valueint,
            bz = cJSON_GetObjectItem(b, "z")->valueint;
    /* Look mode names the entry in the chronicle's words: "chronicle #12, world builder: ...". */
    char why[200], want[120];
    assert_int_equal(evolution_block_provenance(x.s, 1, bx, by, bz, why, sizeof why), build);
    snprintf(want, sizeof want, "chronicle #%lld, world builder: %s", (long long)build,
             cJSON_GetStringValue(cJSON_GetObjectItem(e.changes_made, "summary")));
    assert_string_equal(why, want);
    evolution_row_clear(&e);
    assert_int_equal(save_begin(x.s, &err), MA_OK);
    assert_int_equal(world_set_block(x.w, bx, by, bz, (BlockId)blocks_find(x.reg, "glass"), &err), MA_OK);
    assert_int_equal(world_flush(x.w, &err), MA_OK);
    assert_int_equal(evolution_note_player_block(x.s, 1, bx, by, bz, 100, &err), MA_OK);
    assert_int_equal(save_commit(x.s, &err), MA_OK);
    EvoRollback opt = {0};
    opt.cascade = 1;
    assert_int_equal(save_begin(x.s, &err), MA_OK);
    assert_int_not_equal(evolution_rollback(x.s, x.w, build, &opt, &err), MA_OK);
    save_rollback(x.s);
    world_forget(x.w);
    if (!strstr(err.msg, "the player built on"))
        fail_msg("refused, but not for the player: %s", err.msg);
    opt.force = 1;
    assert_int_equal(save_begin(x.s, &err), MA_OK);
    if (evolution_rollback(x.s, x.w, build, &opt, &err) != MA_OK)
        fail_msg("forced: %s", err.msg);
    assert_int_equal(save_commit(x.s, &err), MA_OK);
    /* A villager's walk that later walks built on: refused alone, taken with the later ones by --cascade. */
    int64_t walk = entry_of_type(x.s, "schedule", 0);
    assert_true(walk > 0);
    memset(&opt, 0, sizeof opt);
    assert_int_equal(save_begin(x.s, &err), MA_OK);
    assert_int_not_equal(evolution_rollback(x.s, x.w, walk, &opt, &err), MA_OK);
    save_rollback(x.s);
    world_forget(x.w);
    assert_non_null(strstr(err.msg, "--cascade"));
    opt.cascade = 1;
    assert_int_equal(save_begin(x.s, &err), MA_OK);
    if (evolution_rollback(x.s, x.w, walk, &opt, &err) != MA_OK)
        fail_msg("cascade: %s", err.msg);
    assert_int_equal(save_commit(x.s, &err), MA_OK);
    assert_true(opt.n_rolled >= 2);
    assert_int_equal(opt.rolled[opt.n_rolled - 1], walk);
    /* A quest an agent made, taken by a character: refused, as their progress would go with it. */
    int64_t made = entry_of_type(x.s, "quest", 0);
    assert_true(made > 0);
    assert_int_equal(evolution_get(x.s, made, &e, &err), MA_OK);
    int64_t quest = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, cJSON_GetObjectItem(e.changes_made, "rows")) {
        if (strcmp(cJSON_GetObjectItem(row, "table")->valuestring, "quests") == 0 && !quest)
            quest = (int64_t)cJSON_GetObjectItem(row, "id")->valuedouble;
    }
    evolution_row_clear(&e);
    assert_true(quest > 0);
    int64_t hero = th_sql_int(work, "SELECT id FROM characters WHERE user_id IS NOT NULL LIMIT 1");
    ProgressRow taken = {.character_id = hero, .quest_id = quest};
    assert_int_equal(save_begin(x.s, &err), MA_OK);
    assert_int_equal(progress_start(x.s, &taken, &err), MA_OK);
    assert_int_equal(save_commit(x.s, &err), MA_OK);
    progress_row_clear(&taken);
    memset(&opt, 0, sizeof opt);
    opt.cascade = 1;
    assert_int_equal(save_begin(x.s, &err), MA_OK);
    assert_int_not_equal(evolution_rollback(x.s, x.w, made, &opt, &err), MA_OK);
    save_rollback(x.s);
    world_forget(x.w);
    if (!strstr(err.msg, "taken by 1 character (their progress on it would go too)"))
        fail_msg("refused, but not for the quest taken: %s", err.msg);
    opt.force = 1;
    assert_int_equal(save_begin(x.s, &err), MA_OK);
    if (evolution_rollback(x.s, x.w, made, &opt, &err) != MA_OK)
        fail_msg("forced: %s", err.msg);
    assert_int_equal(save_commit(x.s, &err), MA_OK);
    close_session(&x);
}

static void test_agents_never_touch_the_players_chunk(void **state)
{
    (void)state;
    char work[4096];
    Session x;
    open_copy(&x, work, sizeof work, "guard.db");
    advance_days(&x, CALENDAR_YEAR_DAYS);
    EvolutionRow *rows = NULL;
    int n = 0, blocks = 0;
    Err err = {0};
    assert_int_equal(evolution_list(x.s, 1, 0, &rows, &n, &err), MA_OK);
    for (int i = 0; i < n; i++) {
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(rows[i].changes_made, "blocks")) {
            blocks++;
            int32_t x0 = cJSON_GetObjectItem(it, "x")->valueint, z0 = cJSON_GetObjectItem(it, "z")->valueint;
            if (chunk_coord(x0) == chunk_coord(px) && chunk_coord(z0) == chunk_coord(pz))
                fail_msg("entry #%lld changed (%d, %d) in the player's chunk", (long long)rows[i].id, x0, z0);
        }
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(rows[i].changes_made, "entities")) {
            const cJSON *c = cJSON_GetObjectItem(it, "chunk");
            if (cJSON_GetArrayItem(c, 0)->valueint == chunk_coord(px) && cJSON_GetArrayItem(c, 2)->valueint == chunk_coord(pz))
                fail_msg("entry #%lld moved someone in the player's chunk", (long long)rows[i].id);
        }
    }
    evolution_list_free(rows, n);
    assert_true(blocks > 100);
    close_session(&x);
}

/* Raids come to a village near a player, but never on the world's first day (a new player starts in
 * a village and has a day to find their feet) and never within 12 steps of a player. The data make
 * a raid certain every day (raid: 1.0), so the first day would have one if the rule did not hold. */
static void raids_with_the_player_at(int spot)
{
    char work[4096], data[4096];
    snprintf(work, sizeof work, "%s", th_path(dir, "raids.db"));
    snprintf(data, sizeof data, "%s", th_path(dir, "raid-data"));
    copy_file(base_db, work);
    char cmd[12000];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -r '%s/../data' '%s' && sed -i 's/\"raid\": *[0-9.]*/\"raid\": 1.0/' '%s/agents.json'"
             " && grep -q '\"raid\": 1.0' '%s/agents.json'", data, getenv("MAGIC_TEST_DIR"), data, data, data);
    assert_int_equal(system(cmd), 0);
    /* The player stands a few steps from the row north of the nearest village where raiders gather,
     * in the next chunk (agents never touch the player's own chunk). */
    Session x;
    open_session(&x, work);
    GenStructure v[16];
    int nv = generator_structures_near(world_generator(x.w), px, pz, 192, v, 16), vi = -1;
    for (int i = 0; i < nv && vi < 0; i++)
        if (strcmp(v[i].type, "village") == 0)
            vi = i;
    assert_true(vi >= 0);
    int32_t zr = v[vi].z - 6, up = (chunk_coord(zr) + 1) * CHUNK_SIZE, down = chunk_coord(zr) * CHUNK_SIZE - 1;
    int32_t qx = v[vi].x - 6 + spot * (v[vi].w + 12) / 3, qz = up - zr < zr - down ? up : down;
    close_session(&x);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(work, &db), SQLITE_OK);
    char sql[200];
    snprintf(sql, sizeof sql, "UPDATE characters SET position_x = %d, position_z = %d", qx, qz);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    setenv("MAGIC_DATA_DIR", data, 1);
    open_session(&x, work);
    Err err = {0};
    int64_t now = agents_present(x.a);
    int rc = agents_advance(x.a, now + 6 * TURNS_PER_DAY, 1 << AGENT_EVENT_COORDINATOR, 20, NULL, NULL, &err);
    unsetenv("MAGIC_DATA_DIR");
    if (rc < 0)
        fail_msg("agents: %s", err.msg);
    EventRow *ev = NULL;
    int nev = 0, raids = 0, second_day = 0;
    assert_int_equal(events_list(x.s, 1, &ev, &nev, &err), MA_OK);
    for (int i = 0; i < nev; i++) {
        if (strcmp(ev[i].event_type, "raid") != 0)
            continue;
        raids++;
        int64_t day = calendar_day(calendar_turn_of_iso(ev[i].start_time));
        if (day < 1) /* the calendar's first day */
            fail_msg("a raid on the first day: %s at %s", ev[i].event_name, ev[i].start_time);
        second_day += day == 1;
    }
    for (int i = 0; i < nev; i++)
        event_row_clear(&ev[i]);
    free(ev);
    assert_true(raids >= 3); /* most of the days after the first */
    assert_true(second_day > 0); /* a day's wait, not two (its 06:00 run is 22 hours in) */
    Coords k = stored_chunks(x.s);
    int raiders = 0;
    for (int i = 0; i < k.n; i++) {
        Chunk *c = world_chunk(x.w, k.c[i][0], k.c[i][1], k.c[i][2], &err);
        assert_non_null(c);
        const cJSON *e;
        cJSON_ArrayForEach(e, c->entities) {
            const cJSON *id = cJSON_GetObjectItem(e, "id"), *pos = cJSON_GetObjectItem(e, "position");
            if (!cJSON_IsString(id) || strncmp(id->valuestring, "raider_", 7) != 0)
                continue;
            raiders++;
            int32_t rx = k.c[i][0] * CHUNK_SIZE + cJSON_GetArrayItem(pos, 0)->valueint;
            int32_t rz = k.c[i][2] * CHUNK_SIZE + cJSON_GetArrayItem(pos, 2)->valueint;
            if (abs(rx - qx) < 12 && abs(rz - qz) < 12)
                fail_msg("%s was put down at (%d, %d), beside the player at (%d, %d)", id->valuestring, rx, rz, qx, qz);
        }
    }
    free(k.c);
    assert_true(raiders > 0);
    close_session(&x);
}

/* With data that make a blood moon certain every day, none rises on the world's first night; one
 * rises every night after. */
static void test_no_blood_moon_on_the_first_night(void **state)
{
    (void)state;
    char work[4096], data[4096];
    snprintf(work, sizeof work, "%s", th_path(dir, "moon.db"));
    snprintf(data, sizeof data, "%s", th_path(dir, "moon-data"));
    copy_file(base_db, work);
    char cmd[12000];
    snprintf(cmd, sizeof cmd,
             "rm -rf '%s' && cp -r '%s/../data' '%s' && sed -i 's/\"blood_moon\": *[0-9.]*/\"blood_moon\": 1.0/' "
             "'%s/agents.json' && grep -q '\"blood_moon\": 1.0' '%s/agents.json'",
             data, getenv("MAGIC_TEST_DIR"), data, data, data);
    assert_int_equal(system(cmd), 0);
    setenv("MAGIC_DATA_DIR", data, 1);
    Session x;
    open_session(&x, work);
    Err err = {0};
    int64_t now = agents_present(x.a);
    int rc = agents_advance(x.a, now + 4 * TURNS_PER_DAY, 1 << AGENT_EVENT_COORDINATOR, 20, NULL, NULL, &err);
    unsetenv("MAGIC_DATA_DIR");
    if (rc < 0)
        fail_msg("agents: %s", err.msg);
    EventRow *ev = NULL;
    int nev = 0, moons = 0;
    assert_int_equal(events_list(x.s, 1, &ev, &nev, &err), MA_OK);
    for (int i = 0; i < nev; i++) {
        if (strcmp(ev[i].event_type, "blood_moon") != 0)
            continue;
        moons++;
        if (calendar_turn_of_iso(ev[i].start_time) < TURNS_PER_DAY)
            fail_msg("a blood moon on the first night, at %s", ev[i].start_time);
    }
    for (int i = 0; i < nev; i++)
        event_row_clear(&ev[i]);
    free(ev);
    if (moons < 2) /* each day after the first of the four */
        fail_msg("%d blood moons in four days from turn %lld (%d events)", moons, (long long)now, nev);
    close_session(&x);
}

static void test_raids_wait_a_day_and_keep_their_distance(void **state)
{
    (void)state;
    for (int spot = 0; spot < 4; spot++) /* along the row where the raiders gather */
        raids_with_the_player_at(spot);
}

static void test_the_balance_keeper_stays_within_its_bounds(void **state)
{
    (void)state;
    char work[4096];
    Session x;
    open_copy(&x, work, sizeof work, "balance.db");
    Err err = {0};
    double lo[3] = {0.5, 0.75, 0.75}, hi[3] = {2.0, 1.5, 1.5};
    static const char *const knobs[] = {"spawn_rate", "reward_scale", "difficulty"};
    int moved = 0;
    for (int day = 0; day < 40; day++) {
        /* A player who walks a lot and dies every day, then (from day 20) gains far too much. */
        assert_int_equal(save_begin(x.s, &err), MA_OK);
        assert_int_equal(charstate_add(x.s, player_id, "steps", 50, NULL, &err), MA_OK);
        if (day < 20)
            assert_int_equal(charstate_add(x.s, player_id, "deaths", 3, NULL, &err), MA_OK);
        else
            assert_int_equal(charstate_add(x.s, player_id, "blocks_dug", 1, NULL, &err), MA_OK);
        assert_int_equal(save_commit(x.s, &err), MA_OK);
        advance_days(&x, 1);
        WorldRow w;
        assert_int_equal(worlds_get(x.s, 1, &w, &err), MA_OK);
        const cJSON *bal = cJSON_GetObjectItem(w.settings, "balance");
        for (int k = 0; k < 3; k++) {
            const cJSON *v = cJSON_GetObjectItem(bal, knobs[k]);
            if (v) {
                moved = 1;
                if (v->valuedouble < lo[k] - 1e-9 || v->valuedouble > hi[k] + 1e-9)
                    fail_msg("day %d: %s is %.3f, outside %.2f..%.2f", day, knobs[k], v->valuedouble, lo[k], hi[k]);
            }
        }
        if (day == 19) {
            /* Twenty days of deaths drive spawns down to their floor, and no further. */
            const cJSON *v = cJSON_GetObjectItem(bal, "spawn_rate");
            assert_non_null(v);
            assert_true(v->valuedouble <= lo[0] + 1e-9);
        }
        world_row_clear(&w);
    }
    assert_true(moved);
    close_session(&x);
}

static void test_killed_mid_run_then_run_again_gives_the_same_world(void **state)
{
    (void)state;
    char start[4096], clean[4096], work[4096];
    snprintf(start, sizeof start, "%s", th_path(dir, "kill_start.db"));
    snprintf(clean, sizeof clean, "%s", th_path(dir, "kill_clean.db"));
    snprintf(work, sizeof work, "%s", th_path(dir, "kill_work.db"));
    /* Start from a world a few days in (villagers out, quests open), then the next two days. */
    copy_file(base_db, start);
    Session x;
    open_session(&x, start);
    advance_days(&x, 6);
    int64_t target = agents_present(x.a) + 2 * TURNS_PER_DAY;
    close_session(&x);
    copy_file(start, clean);
    open_session(&x, clean);
    fault_reset();
    Err err = {0};
    assert_true(agents_advance(x.a, target, -1, 0, NULL, NULL, &err) >= 0);
    long statements = fault_statements();
    close_session(&x);
    assert_true(statements > 50);
    const char *k = getenv("MAGIC_FAULT_STRIDE");
    long stride = (k && atol(k) > 0 ? atol(k) : 1) * 19; /* every 19th statement (a day is ~1,400) */
    int tried = 0;
    for (long n = 1; n <= statements; n += stride) {
        copy_file(start, work);
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            Session y;
            Save *s = NULL;
            BlockRegistry *reg = NULL;
            World *w = NULL;
            Agents *a = NULL;
            Err e = {0};
            (void)y;
            if (save_open(work, 0, &s, &e) != MA_OK || blocks_load_default(&reg, &e) != MA_OK ||
                world_open(s, reg, "vale", 0, 0, &w, &e) != MA_OK || agents_open(s, w, &a, &e) != MA_OK)
                _exit(2);
            fault_exit_at_statement(n);
            agents_advance(a, target, -1, 0, NULL, NULL, &e);
            _exit(0);
        }
        int st = 0;
        waitpid(pid, &st, 0);
        assert_true(WIFEXITED(st) && (WEXITSTATUS(st) == FAULT_EXIT_STATUS || WEXITSTATUS(st) == 0));
        RunResult v = th_run(NULL, "--save", work, "verify", NULL);
        if (v.status != 0)
            fail_msg("killed at statement %ld: verify says\n%s%s", n, v.out, v.err);
        th_run_free(&v);
        open_session(&x, work);
        if (agents_advance(x.a, target, -1, 0, NULL, NULL, &err) < 0)
            fail_msg("run again after statement %ld: %s", n, err.msg);
        close_session(&x);
        char what[64];
        snprintf(what, sizeof what, "killed at statement %ld and run again", n);
        assert_same_world(work, clean, what);
        tried++;
    }
    print_message("agents killed at %d of %ld statements; each time the save verified and the rerun matched\n", tried,
                  statements);
}

static void test_verify_finds_a_block_the_log_cannot_explain(void **state)
{
    (void)state;
    char work[4096];
    Session x;
    open_copy(&x, work, sizeof work, "explain.db");
    advance_days(&x, 10);
    Err err = {0};
    int64_t build = entry_of_type(x.s, "build", 0);
    EvolutionRow e;
    assert_int_equal(evolution_get(x.s, build, &e, &err), MA_OK);
    const cJSON *b = cJSON_GetArrayItem(cJSON_GetObjectItem(e.changes_made, "blocks"), 0);
    int32_t bx = cJSON_GetObjectItem(b, "x")->valueint, by = cJSON_GetObjectItem(b, "y")->valueint,
            bz = cJSON_GetObjectItem(b, "z")->valueint;
    evolution_row_clear(&e);
    /* Changed behind the log's back (not by the player's hand, not by an entry). */
    assert_int_equal(world_set_block(x.w, bx, by, bz, (BlockId)blocks_find(x.reg, "glass"), &err), MA_OK);
    assert_int_equal(world_flush(x.w, &err), MA_OK);
    close_session(&x);
    RunResult v = th_run(NULL, "--save", work, "verify", NULL);
    assert_int_equal(v.status, 3);
    char want[128];
    snprintf(want, sizeof want, "evolution entry #%lld left %d,%d,%d", (long long)build, bx, by, bz);
    if (!strstr(v.out, want))
        fail_msg("verify did not name the block (%s):\n%s", want, v.out);
    th_run_free(&v);
    /* The player's own hand explains it. */
    open_session(&x, work);
    assert_int_equal(save_begin(x.s, &err), MA_OK);
    assert_int_equal(evolution_note_player_block(x.s, 1, bx, by, bz, 5000, &err), MA_OK);
    assert_int_equal(save_commit(x.s, &err), MA_OK);
    close_session(&x);
    v = th_run(NULL, "--save", work, "verify", NULL);
    if (v.status != 0)
        fail_msg("verify after the player's hand:\n%s", v.out);
    th_run_free(&v);
}

static void test_a_deed_becomes_a_storyline_that_goes_on_with_a_real_place(void **state)
{
    (void)state;
    char work[4096];
    Session x;
    open_copy(&x, work, sizeof work, "woven.db");
    Err err = {0};
    /* The agents learn where the counters stand; then the hero completes the farmer's quest. */
    assert_true(agents_note_deeds(x.a, agents_present(x.a), &err) >= 0);
    assert_int_equal(save_begin(x.s, &err), MA_OK);
    QuestRow *qs = NULL;
    int nq = 0;
    assert_int_equal(quests_list_world(x.s, 1, &qs, &nq, &err), MA_OK);
    int64_t qid = 0;
    for (int i = 0; i < nq && !qid; i++)
        if (strcmp(str_or_empty(qs[i].details, "giver"), "farmer") == 0)
            qid = qs[i].id;
    quests_list_free(qs, nq);
    assert_true(qid > 0);
    ProgressRow p;
    memset(&p, 0, sizeof p);
    p.character_id = player_id;
    p.quest_id = qid;
    assert_int_equal(progress_start(x.s, &p, &err), MA_OK);
    progress_row_clear(&p);
    assert_int_equal(progress_complete(x.s, player_id, qid, NULL, NULL, &err), MA_OK);
    assert_int_equal(charstate_add(x.s, player_id, "quests_completed", 1, NULL, &err), MA_OK);
    assert_int_equal(save_commit(x.s, &err), MA_OK);
    assert_int_equal(agents_note_deeds(x.a, agents_present(x.a), &err), 1);
    /* A second quest handed in before the day turns: a second deed, but one feast (four quests had
     * made four feasts of one name, four lines in the panel and the chronicle). */
    assert_int_equal(save_begin(x.s, &err), MA_OK);
    assert_int_equal(charstate_add(x.s, player_id, "quests_completed", 1, NULL, &err), MA_OK);
    assert_int_equal(save_commit(x.s, &err), MA_OK);
    assert_int_equal(agents_note_deeds(x.a, agents_present(x.a), &err), 1);
    advance_days(&x, 1);
    EventRow *ev = NULL;
    int nev = 0, feasts = 0;
    assert_int_equal(events_list(x.s, 1, &ev, &nev, &err), MA_OK);
    for (int i = 0; i < nev; i++)
        feasts += strncmp(ev[i].event_name, "A feast for ", 12) == 0;
    events_list_free(ev, nev);
    assert_int_equal(feasts, 1);
    /* A storyline of the villager kind, in the world's rows, that the game's own check reads. */
    StoryRow *stories = NULL;
    int ns = 0;
    int64_t woven = 0;
    assert_int_equal(stories_list(x.s, 1, 1, &stories, &ns, &err), MA_OK);
    for (int i = 0; i < ns; i++)
        if (strcmp(str_or_empty(stories[i].metadata, "source"), "agent:story_weaver") == 0) {
            woven = stories[i].id;
            assert_non_null(strstr(stories[i].title, "What Was Left Behind: "));
            assert_string_equal(stories[i].story_type, "villager");
        }
    stories_list_free(stories, ns);
    assert_true(woven > 0);
    BranchRow *br = NULL;
    int nb = 0;
    assert_int_equal(branches_list(x.s, woven, &br, &nb, &err), MA_OK);
    assert_true(nb >= 4);
    int64_t open = 0;
    for (int i = 0; i < nb; i++) {
        StoryBranchInfo info;
        assert_int_equal(story_branch_info(br[i].conditions, br[i].consequences, "woven", &info, &err), MA_OK);
        if (strcmp(br[i].branch_name, "a_rumour") == 0) {
            assert_null(info.ending); /* left open for the weaver */
            open = br[i].id;
        }
    }
    branches_list_free(br, nb);
    assert_true(open > 0);
    /* The hero takes the open branch and waits there: the next day it goes on. */
    assert_int_equal(save_begin(x.s, &err), MA_OK);
    StoryProgressRow sp;
    memset(&sp, 0, sizeof sp);
    sp.character_id = player_id;
    sp.story_id = woven;
    sp.current_branch_id = open;
    snprintf(sp.status, sizeof sp.status, "active");
    assert_int_equal(story_progress_insert(x.s, &sp, &err), MA_OK);
    story_progress_row_clear(&sp);
    assert_int_equal(save_commit(x.s, &err), MA_OK);
    advance_days(&x, 1);
    assert_int_equal(branches_children(x.s, open, &br, &nb, &err), MA_OK);
    assert_int_equal(nb, 2);
    GenStructure near[8];
    int n = generator_structures_near(world_generator(x.w), px, pz, 400, near, 8), named = 0;
    for (int i = 0; i < n; i++)
        named |= strstr(br[0].content, near[i].name) != NULL;
    if (!named)
        fail_msg("the continuation names no place near the hero: %s", br[0].content);
    branches_list_free(br, nb);
    close_session(&x);
}

/* Attached to a game, the agents run inside each action for the time it took: a day of waiting
 * brings entries dated within that day and news in the actions' results; an action that fails
 * takes the agents' part with it. */
static void test_agents_run_inside_the_players_actions(void **state)
{
    (void)state;
    char work[4096];
    snprintf(work, sizeof work, "%s", th_path(dir, "played.db"));
    copy_file(base_db, work);
    Save *s = NULL;
    Game *g = NULL;
    Agents *a = NULL;
    Err err = {0};
    GameStart st = {.username = "hero", .world = "vale"};
    if (save_open(work, 0, &s, &err) != MA_OK || game_start(s, &st, &g, &err) != MA_OK ||
        agents_attach(g, &a, NULL, &err) != MA_OK)
        fail_msg("%s", err.msg);
    int64_t start = game_clock(g);
    int64_t before = last_entry(s);
    int news = 0;
    Action act;
    assert_int_equal(action_parse("wait 120", &act, &err), 1);
    for (int i = 0; i < 3000 && game_clock(g) < start + TURNS_PER_DAY + TURNS_PER_DAY / 2; i++) {
        ActionResult r;
        if (game_apply(g, &act, &r, &err) != MA_OK)
            fail_msg("%s", err.msg);
        for (int k = 0; k < r.n_events; k++)
            news += strncmp(r.events[k].text, "In the world: ", 14) == 0;
    }
    assert_true(game_clock(g) >= start + TURNS_PER_DAY + TURNS_PER_DAY / 2);
    assert_true(news > 0);
    /* New entries, dated after the game began (the catch-up at attach ran to the start only). */
    char start_iso[32];
    calendar_iso(start, start_iso, sizeof start_iso);
    EvolutionRow *rows = NULL;
    int n = 0, later = 0;
    assert_int_equal(evolution_list(s, 1, 0, &rows, &n, &err), MA_OK);
    for (int i = 0; i < n; i++)
        later += rows[i].id > before && strcmp(rows[i].applied_at, start_iso) > 0;
    evolution_list_free(rows, n);
    assert_true(later > 0);
    agents_detach(g, a);
    game_close(g);
    save_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_year_of_agents_is_the_same_twice),
        cmocka_unit_test(test_every_day_rolls_back_to_the_day_before),
        cmocka_unit_test(test_rolling_back_to_zero_gives_back_the_world_before_the_agents),
        cmocka_unit_test(test_the_news_puts_a_new_quest_first),
        cmocka_unit_test(test_who_moves_in_has_a_name_of_their_own_in_the_village),
        cmocka_unit_test(test_a_rollback_is_refused_when_built_upon),
        cmocka_unit_test(test_agents_never_touch_the_players_chunk),
        cmocka_unit_test(test_raids_wait_a_day_and_keep_their_distance),
        cmocka_unit_test(test_no_blood_moon_on_the_first_night),
        cmocka_unit_test(test_the_balance_keeper_stays_within_its_bounds),
        cmocka_unit_test(test_killed_mid_run_then_run_again_gives_the_same_world),
        cmocka_unit_test(test_verify_finds_a_block_the_log_cannot_explain),
        cmocka_unit_test(test_a_deed_becomes_a_storyline_that_goes_on_with_a_real_place),
        cmocka_unit_test(test_agents_run_inside_the_players_actions),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
