/* test_progress.c — experience and levels, stat raises, skills: training by
 * use, unlock dependencies, specialisations and their effects, through the
 * core, game_apply and `play --script`; malformed skills.json and
 * progression.json refused with file, entry and reason. Each test plays in
 * a flat world (grass at SEA_LEVEL, dirt below, stone from SEA_LEVEL - 4)
 * with its own copy of data/ in $MAGIC_DATA_DIR, so it can use small
 * numbers where the real ones would need hours of digging. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/game.h"
#include "game/progress.h"
#include "save/characters.h"
#include "save/charstate.h"
#include "save/skills.h"
#include "world/blocks.h"
#include "world/generator.h"

static char *dir;

/* A copy of data/ under dir/name, for $MAGIC_DATA_DIR. */
static const char *data_copy(const char *name) { return th_data_copy(dir, name); }

/* Replaces the first `from` in data file `file` by `to`. */
static void data_patch(const char *data, const char *file, const char *from, const char *to)
{
    th_data_patch(data, file, from, to);
}

static int setup(void **state)
{
    (void)state;
    dir = th_tmpdir();
    setenv("USER", "tester", 1);
    setenv("MAGIC_DATA_DIR", data_copy("data"), 1);
    return 0;
}

/* Before each test: the unchanged copy of data/. */
static int real_data(void **state)
{
    (void)state;
    setenv("MAGIC_DATA_DIR", th_path(dir, "data"), 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    th_tmpdir_free(dir);
    return 0;
}

typedef ThGame Fixture;

/* A new save `file` with a flat world and a character of class cls (NULL: the default). */
static void start(Fixture *f, const char *file, const char *cls)
{
    th_game_start(f, th_path(dir, file), &(ThGameOpts){.class_name = cls});
}

static int has_event(const ActionResult *r, const char *text) { return th_event_with(r, text) != NULL; }

static int stored_stat(Fixture *f, const char *stat)
{
    CharacterRow c;
    Err err = {0};
    assert_int_equal(characters_get(f->save, game_player(f->game)->character_id, &c, &err), MA_OK);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c.stats, stat);
    int n = cJSON_IsNumber(v) ? v->valueint : -1;
    character_row_clear(&c);
    return n;
}

static void set_skill(Fixture *f, const char *skill, int level)
{
    SkillRow row;
    memset(&row, 0, sizeof row);
    row.character_id = game_player(f->game)->character_id;
    snprintf(row.skill_name, sizeof row.skill_name, "%s", skill);
    row.skill_level = level;
    Err err = {0};
    assert_int_equal(skills_upsert(f->save, &row, &err), MA_OK);
    skill_row_clear(&row);
}

static void place_block(Fixture *f, const char *block, int dx, int dz)
{
    const Player *p = game_player(f->game);
    int id = blocks_find(game_blocks(f->game), block);
    assert_true(id > 0);
    Err err = {0};
    assert_int_equal(world_set_block(game_world(f->game), p->x + dx, p->y, p->z + dz, (BlockId)id, &err), MA_OK);
}

/* A progression with small numbers: levels at 0, 10, 30, 70 experience. */
static const char *small_progression =
    "{\"max_level\": 5, \"experience\": {\"first_level\": 10, \"growth\": 2}, \"experience_per_skill_level\": 10,"
    " \"level_up\": {\"stat_points\": 1, \"max_health\": 3, \"restore\": true}, \"stat_max\": 20,"
    " \"raise\": {\"health\": {\"max_health\": 10}, \"mana\": {\"max_mana\": 10}, \"strength\": {\"strength\": 1},"
    " \"intelligence\": {\"intelligence\": 1, \"max_mana\": 4}, \"dexterity\": {\"dexterity\": 1},"
    " \"constitution\": {\"constitution\": 1, \"max_health\": 5}, \"charisma\": {\"charisma\": 1}},"
    " \"limits\": {\"mining_speed_max\": 4, \"price_factor_min\": 0.6}}";

static void use_small_numbers(const char *name)
{
    const char *data = data_copy(name);
    char path[4200];
    snprintf(path, sizeof path, "%s/progression.json", data);
    th_write_file(path, small_progression, -1);
    /* Skills: 2 xp for the first level instead of 20. */
    data_patch(data, "skills.json", "\"first_level\": 20", "\"first_level\": 2");
    setenv("MAGIC_DATA_DIR", data, 1);
}

/* ------------------------------------------------------------ levels */

static void test_experience_curve_follows_progression_json(void **state)
{
    (void)state;
    use_small_numbers("data-curve");
    Fixture f;
    start(&f, "curve.db", NULL);
    assert_int_equal(progress_experience_for_level(f.game, 1), 0);
    assert_int_equal(progress_experience_for_level(f.game, 2), 10);
    assert_int_equal(progress_experience_for_level(f.game, 3), 30);
    assert_int_equal(progress_experience_for_level(f.game, 4), 70);
    th_game_stop(&f);
    setenv("MAGIC_DATA_DIR", th_path(dir, "data"), 1);
    /* The real curve rises too. */
    start(&f, "curve-real.db", NULL);
    int64_t prev = 0, step = 0;
    for (int l = 2; l <= 10; l++) {
        int64_t at = progress_experience_for_level(f.game, l);
        assert_true(at - prev > step);
        step = at - prev;
        prev = at;
    }
    th_game_stop(&f);
}

static void test_experience_levels_up_grants_points_and_announces(void **state)
{
    (void)state;
    use_small_numbers("data-xp");
    Fixture f;
    start(&f, "xp.db", NULL);
    const Player *p = game_player(f.game);
    int max_hp = p->max_health;
    ActionResult r;
    memset(&r, 0, sizeof r);
    Err err = {0};
    assert_int_equal(progress_add_experience(f.game, 9, &r, &err), MA_OK);
    assert_int_equal(p->level, 1);
    assert_int_equal(r.n_events, 0);
    assert_int_equal(progress_add_experience(f.game, 25, &r, &err), MA_OK);
    assert_int_equal(p->level, 3);
    assert_true(has_event(&r, "You reach level 2! You may raise a stat (C: the character sheet)"));
    assert_true(has_event(&r, "You reach level 3! You may raise a stat (C: the character sheet)"));
    assert_int_equal(progress_stat_points(f.game), 2);
    assert_int_equal(p->max_health, max_hp + 2 * 3);
    /* Stored: the character row and the counter. */
    CharacterRow c;
    assert_int_equal(characters_get(f.save, p->character_id, &c, &err), MA_OK);
    assert_int_equal(c.level, 3);
    assert_int_equal(c.experience, 34);
    character_row_clear(&c);
    char buf[16];
    assert_int_equal(charstate_get(f.save, p->character_id, "counter", "stat_points", buf, sizeof buf, &err), MA_OK);
    assert_string_equal(buf, "2");
    th_game_stop(&f);
}

static void test_levelup_raises_a_stat_through_game_apply(void **state)
{
    (void)state;
    use_small_numbers("data-levelup");
    Fixture f;
    start(&f, "levelup.db", NULL);
    const Player *p = game_player(f.game);
    ActionResult r = th_act(f.game, "levelup strength");
    assert_false(r.ok);
    assert_non_null(strstr(r.text, "no stat points to spend"));
    memset(&r, 0, sizeof r);
    Err err = {0};
    assert_int_equal(progress_add_experience(f.game, 30, &r, &err), MA_OK);
    int con = stored_stat(&f, "constitution"), str = stored_stat(&f, "strength"), hp = p->max_health;
    r = th_act(f.game, "levelup wisdom");
    assert_false(r.ok);
    assert_non_null(strstr(r.text, "unknown stat 'wisdom'"));
    r = th_act(f.game, "levelup constitution");
    assert_string_equal(r.text, "ok");
    assert_int_equal(stored_stat(&f, "constitution"), con + 1);
    assert_int_equal(p->max_health, hp + 5);
    assert_int_equal(stored_stat(&f, "max_health"), hp + 5);
    assert_true(has_event(&r, "1 stat point left"));
    r = th_act(f.game, "levelup strength");
    assert_string_equal(r.text, "ok");
    assert_int_equal(stored_stat(&f, "strength"), str + 1);
    /* Said as the sheet shows it: the sword in hand adds 1 (it had said the base alone). */
    char said[96];
    snprintf(said, sizeof said, "strength %d (+1 from what you wear)", str + 2);
    assert_true(has_event(&r, said));
    assert_int_equal(progress_stat_points(f.game), 0);
    assert_false(th_act(f.game, "levelup strength").ok);
    th_game_stop(&f);
}

static void test_levelup_through_play_script(void **state)
{
    (void)state;
    use_small_numbers("data-script");
    const char *db = th_path(dir, "script.db");
    RunResult r = th_run(NULL, "--save", db, "world", "create", "flatland", "--type", "flat", "--seed", "3", NULL);
    assert_int_equal(r.status, 0);
    th_run_free(&r);
    /* Through grass and three dirt to the stone: one stone trains mining
     * 1 -> 2, which gives 10 experience: level 2 and a point to spend. */
    const char *script = "levelup strength\ndig down\ndig down\ndig down\ndig down\ndig down\nlevelup strength\n";
    r = th_run(script, "--save", db, "play", "--script", "-", "--world", "flatland", "--json", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "no stat points to spend"));
    assert_non_null(strstr(r.out, "Your Mining rises to 2."));
    assert_non_null(strstr(r.out, "You reach level 2! You may raise a stat (C: the character sheet)"));
    assert_non_null(strstr(r.out, "{\"line\":7,\"result\":\"ok\""));
    assert_non_null(strstr(r.out, "\"level\":\t2"));
    th_run_free(&r);
    Save *s = NULL;
    Err err = {0};
    assert_int_equal(save_open(db, SAVE_READONLY, &s, &err), MA_OK);
    CharacterRow *rows = NULL;
    int n = 0;
    assert_int_equal(characters_list_by_world(s, 1, &rows, &n, &err), MA_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].level, 2);
    const cJSON *strength = cJSON_GetObjectItemCaseSensitive(rows[0].stats, "strength");
    assert_int_equal(strength->valueint, 17); /* a warrior starts at 16 */
    SkillRow sk;
    assert_int_equal(skills_get(s, rows[0].id, "mining", &sk, &err), MA_OK);
    assert_int_equal(sk.skill_level, 2);
    skill_row_clear(&sk);
    characters_list_free(rows, n);
    save_close(s);
}

/* ------------------------------------------------------------ skills */

static void test_smithing_unlocks_only_after_mining_2(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "unlock.db", "warrior"); /* mining 1 from the class */
    Err err = {0};
    int64_t id = game_player(f.game)->character_id;
    assert_int_equal(progress_skill_level(f.game, "mining"), 1);
    assert_false(progress_skill_unlocked(f.game, "smithing"));
    ActionResult r;
    memset(&r, 0, sizeof r);
    /* Using a locked skill teaches nothing and says nothing. */
    assert_int_equal(progress_skill_use(f.game, "smithing", 500, &r, &err), MA_OK);
    assert_int_equal(r.n_events, 0);
    SkillRow row;
    assert_int_equal(skills_get(f.save, id, "smithing", &row, NULL), MA_ERR_NOT_FOUND);
    /* The skills screen says why. */
    int found = 0;
    for (int i = 0; i < progress_skill_count(f.game); i++) {
        SkillInfo info;
        assert_int_equal(progress_skill_info(f.game, i, &info, &err), MA_OK);
        if (strcmp(info.name, "smithing") == 0) {
            found = 1;
            assert_false(info.unlocked);
            assert_non_null(strstr(info.locked_why, "Mining 2 (you have 1)"));
        }
        /* A skill is named as the screen names it: the skill "magic" is Spellcraft. */
        if (strcmp(info.name, "firecraft") == 0) {
            assert_false(info.unlocked);
            if (!strstr(info.locked_why, "needs Spellcraft 2 (you have 0)"))
                fail_msg("Firecraft's lock says \"%s\"", info.locked_why);
        }
        if (strcmp(info.name, "mining") == 0)
            assert_non_null(strstr(info.opens, "smithing"));
    }
    assert_true(found);
    /* Mining to 2 opens smithing, and says so. */
    memset(&r, 0, sizeof r);
    assert_int_equal(progress_skill_use(f.game, "mining", 100, &r, &err), MA_OK);
    assert_true(progress_skill_level(f.game, "mining") >= 2);
    assert_true(has_event(&r, "You can now learn Smithing."));
    assert_true(progress_skill_unlocked(f.game, "smithing"));
    memset(&r, 0, sizeof r);
    assert_int_equal(progress_skill_use(f.game, "smithing", 1, &r, &err), MA_OK);
    assert_true(has_event(&r, "You begin to learn Smithing."));
    assert_int_equal(skills_get(f.save, id, "smithing", &row, &err), MA_OK);
    assert_int_equal(row.skill_level, 1);
    assert_int_equal(row.experience_points, 1);
    skill_row_clear(&row);
    th_game_stop(&f);
}

static void test_digging_stone_raises_mining_experience(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "mining.db", "warrior");
    Err err = {0};
    int64_t id = game_player(f.game)->character_id;
    SkillRow row;
    /* The warrior starts with mining 1 (data/classes.json), as a row. Grass and dirt are shovel
     * work: no mining experience. */
    for (int i = 0; i < 4; i++)
        assert_true(th_act(f.game, "dig down").ok);
    assert_int_equal(skills_get(f.save, id, "mining", &row, NULL), MA_OK);
    assert_int_equal(row.skill_level, 1);
    assert_int_equal(row.experience_points, 0);
    skill_row_clear(&row);
    assert_true(th_act(f.game, "dig down").ok); /* stone */
    assert_int_equal(skills_get(f.save, id, "mining", &row, &err), MA_OK);
    assert_int_equal(row.skill_level, 1);
    int64_t xp = row.experience_points;
    assert_true(xp > 0);
    skill_row_clear(&row);
    assert_true(th_act(f.game, "dig e").ok); /* stone at the feet */
    assert_int_equal(skills_get(f.save, id, "mining", &row, &err), MA_OK);
    assert_true(row.experience_points > xp || row.skill_level > 1);
    skill_row_clear(&row);
    th_game_stop(&f);
}

static void test_mining_level_makes_digging_faster(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "speed.db", "mage"); /* wooden pickaxe, no mining */
    assert_true(progress_mining_speed(f.game) == 1.0);
    /* Obsidian: 50 seconds of work by hand, a third with a pickaxe. */
    place_block(&f, "obsidian", 1, 0);
    place_block(&f, "obsidian", -1, 0);
    ActionResult slow = th_act(f.game, "dig e");
    assert_true(slow.ok);
    set_skill(&f, "mining", 10);
    assert_true(progress_mining_speed(f.game) > 1.9);
    ActionResult fast = th_act(f.game, "dig w");
    assert_true(fast.ok);
    assert_true(fast.turns < slow.turns);
    th_game_stop(&f);
}

static void test_specialisation_waits_for_its_level_and_changes_effects(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "spec.db", "warrior");
    ActionResult r;
    memset(&r, 0, sizeof r);
    Err err = {0};
    assert_int_equal(progress_specialize(f.game, "mining", "tunneler", &r, &err), MA_OK);
    assert_false(r.ok);
    assert_non_null(strstr(r.text, "needs Mining 5"));
    /* Reaching 5 by use asks for the choice. */
    memset(&r, 0, sizeof r);
    assert_int_equal(progress_skill_use(f.game, "mining", 100000, &r, &err), MA_OK);
    assert_true(has_event(&r, "choose a specialisation (S: the skills; specialize mining NAME in a script)"));
    double before = progress_mining_speed(f.game);
    memset(&r, 0, sizeof r);
    assert_int_equal(progress_specialize(f.game, "mining", "gemcutter", &r, &err), MA_OK);
    assert_false(r.ok);
    assert_non_null(strstr(r.text, "prospector"));
    memset(&r, 0, sizeof r);
    assert_int_equal(progress_specialize(f.game, "mining", "tunneler", &r, &err), MA_OK);
    assert_true(r.ok);
    assert_true(progress_mining_speed(f.game) > before);
    char buf[40];
    assert_int_equal(charstate_get(f.save, game_player(f.game)->character_id, "specialization", "mining", buf,
                                   sizeof buf, &err), MA_OK);
    assert_string_equal(buf, "tunneler");
    memset(&r, 0, sizeof r);
    assert_int_equal(progress_specialize(f.game, "mining", "prospector", &r, &err), MA_OK);
    assert_false(r.ok);
    assert_non_null(strstr(r.text, "already"));
    th_game_stop(&f);
}

static void test_skills_give_damage_craft_and_price_bonuses(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "effects.db", "warrior"); /* swordsmanship 2 */
    assert_int_equal(progress_damage_bonus(f.game, "melee"), 2);
    assert_int_equal(progress_damage_bonus(f.game, "ranged"), 0);
    assert_int_equal(progress_damage_bonus(f.game, "spell"), 0);
    assert_true(progress_price_factor(f.game) == 1.0);
    assert_true(progress_craft_bonus(f.game, "carpentry") == 0.0);
    set_skill(&f, "trading", 5);
    set_skill(&f, "carpentry", 3);
    set_skill(&f, "magic", 4);
    assert_true(progress_price_factor(f.game) < 1.0);
    assert_true(progress_price_factor(f.game) >= 0.6);
    assert_true(progress_craft_bonus(f.game, "carpentry") > 0.05);
    assert_true(progress_craft_bonus(f.game, "smithing") == 0.0);
    assert_int_equal(progress_damage_bonus(f.game, "spell"), 4);
    th_game_stop(&f);
}

static void test_every_class_skill_is_in_skills_json(void **state)
{
    (void)state;
    Fixture f;
    start(&f, "classes.db", NULL);
    SkillBook *b = NULL;
    Err err = {0};
    assert_int_equal(skillbook_load_default(&b, &err), MA_OK);
    const ClassList *cl = game_classes(f.game);
    for (int i = 0; i < cl->n; i++) {
        const cJSON *s;
        cJSON_ArrayForEach(s, cl->classes[i].skills) {
            if (!skillbook_has(b, s->string))
                fail_msg("class %s starts with skill %s, which data/skills.json lacks", cl->classes[i].name, s->string);
        }
    }
    skillbook_free(b);
    th_game_stop(&f);
}

/* ------------------------------------------------------------ malformed data */

static void expect_refused(const char *skills, const char *prog, const char *want1, const char *want2)
{
    SkillBook *b = NULL;
    Err err = {0};
    const char *good_prog = small_progression;
    int rc = skillbook_load(skills, strlen(skills), "data/skills.json", prog ? prog : good_prog,
                            strlen(prog ? prog : good_prog), "data/progression.json", &b, &err);
    assert_int_equal(rc, MA_ERR_INVALID);
    assert_null(b);
    if (!strstr(err.msg, want1) || (want2 && !strstr(err.msg, want2)))
        fail_msg("message \"%s\" lacks \"%s\" / \"%s\"", err.msg, want1, want2 ? want2 : "");
}

static void test_malformed_skill_data_is_refused_with_file_entry_and_reason(void **state)
{
    (void)state;
    const char *ok = "{\"trees\":[{\"name\":\"t\",\"skills\":[{\"name\":\"a\",\"effects\":{\"mining_speed\":0.1}}]}]}";
    SkillBook *b = NULL;
    Err err = {0};
    assert_int_equal(skillbook_load(ok, strlen(ok), "s", small_progression, strlen(small_progression), "p", &b, &err),
                     MA_OK);
    skillbook_free(b);
    expect_refused("{\"trees\": [", NULL, "data/skills.json: not valid JSON", NULL);
    expect_refused(ok, "{\"max_level\": 5,", "data/progression.json: not valid JSON", NULL);
    expect_refused("{\"trees\":[{\"name\":\"t\",\"skills\":[{\"name\":\"a\",\"requires\":{\"skill\":{\"min\":2}}}]}]}",
                   NULL, "data/skills.json: skill 0 (\"a\"): requires", "name");
    expect_refused("{\"trees\":[{\"name\":\"t\",\"skills\":[{\"name\":\"a\",\"requires\":{\"skil\":{}}}]}]}", NULL,
                   "skill 0 (\"a\"): requires", NULL);
    expect_refused("{\"trees\":[{\"name\":\"t\",\"skills\":[{\"name\":\"a\"},{\"name\":\"b\",\"requires\":"
                   "{\"skill\":{\"name\":\"minning\",\"min\":2}}}]}]}",
                   NULL, "skill 1 (\"b\")", "no skill named \"minning\"");
    expect_refused("{\"trees\":[{\"name\":\"t\",\"skills\":[{\"name\":\"a\",\"effects\":{\"luck\":1}}]}]}", NULL,
                   "skill 0 (\"a\"): unknown effect \"luck\"", NULL);
    expect_refused("{\"trees\":[{\"name\":\"t\",\"skills\":[{\"name\":\"a\"},{\"name\":\"a\"}]}]}", NULL,
                   "skill 1 (\"a\"): the name is used twice", NULL);
    expect_refused(ok, "{\"max_level\": 5, \"experience\": {\"first_level\": 10, \"growth\": 2}, \"level_up\": "
                       "{\"stat_points\": 1}, \"stat_max\": 20, \"raise\": {}}",
                   "data/progression.json: raise.health", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_experience_curve_follows_progression_json, real_data),
        cmocka_unit_test_setup(test_experience_levels_up_grants_points_and_announces, real_data),
        cmocka_unit_test_setup(test_levelup_raises_a_stat_through_game_apply, real_data),
        cmocka_unit_test_setup(test_levelup_through_play_script, real_data),
        cmocka_unit_test_setup(test_smithing_unlocks_only_after_mining_2, real_data),
        cmocka_unit_test_setup(test_digging_stone_raises_mining_experience, real_data),
        cmocka_unit_test_setup(test_mining_level_makes_digging_faster, real_data),
        cmocka_unit_test_setup(test_specialisation_waits_for_its_level_and_changes_effects, real_data),
        cmocka_unit_test_setup(test_skills_give_damage_craft_and_price_bonuses, real_data),
        cmocka_unit_test_setup(test_every_class_skill_is_in_skills_json, real_data),
        cmocka_unit_test_setup(test_malformed_skill_data_is_refused_with_file_entry_and_reason, real_data),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
