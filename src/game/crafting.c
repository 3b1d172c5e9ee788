/* crafting.c — loading and checking data/recipes.json, storing it in
 * crafting_recipes, discovering recipes, and crafting.
 *
 * One craft of count attempts is one piece of work: every attempt is rolled
 * first, then the ingredients of the successes and the failure cost of the
 * failures are taken and the results given inside one (nested) transaction,
 * so a crash leaves all of it or none. */
#include "game/crafting.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/game_internal.h"
#include "game/rules.h"
#include "save/charstate.h"
#include "save/recipes.h"
#include "util/data.h"
#include "util/json_field.h"

typedef struct Recipe {
    char name[65], type[33], description[120];
    CraftIngredient ing[CRAFT_MAX_INGREDIENTS];
    int n_ing;
    char result[33], result_type[16];
    int result_count;
    int required_level;
    char station[33], skill[33];
    double chance;
    int xp, turns;
    int lose_all;                                /* a failure loses every ingredient */
    CraftIngredient lose[CRAFT_MAX_INGREDIENTS]; /* else these (need = count lost) */
    int n_lose;
    int hurt;
    cJSON *unlock; /* owned; {} when always known */
} Recipe;

struct CraftBook {
    Recipe *r;
    int n;
    int skill_xp;
    double failure_xp_fraction, max_chance;
    int stored;
};

/* ------------------------------------------------------------ loading */

static const cJSON *get(const cJSON *o, const char *k) { return cJSON_GetObjectItemCaseSensitive(o, k); }

static int name_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n >= max)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

static int get_name(const cJSON *o, const char *k, char *buf, size_t size, int required)
{
    const cJSON *v = get(o, k);
    buf[0] = '\0';
    if (!v || cJSON_IsNull(v))
        return required ? -1 : 0;
    if (!cJSON_IsString(v) || !name_ok(v->valuestring, size))
        return -1;
    snprintf(buf, size, "%s", v->valuestring);
    return 0;
}

/* [{"item": NAME, "count": N}, ...] */
static int parse_items(const cJSON *arr, CraftIngredient *out, int *n, int allow_empty)
{
    *n = 0;
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > CRAFT_MAX_INGREDIENTS ||
        (!allow_empty && cJSON_GetArraySize(arr) == 0))
        return -1;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        CraftIngredient *c = &out[*n];
        if (get_name(it, "item", c->item, sizeof c->item, 1) != 0 ||
            json_field_int(it, "count", 1, 999, 1, 0, &c->need) != 0)
            return -1;
        for (int j = 0; j < *n; j++)
            if (strcmp(out[j].item, c->item) == 0)
                return -1;
        (*n)++;
    }
    return 0;
}

static int parse_recipe(CraftBook *b, Recipe *rc, const cJSON *o, const BlockRegistry *blocks,
                        const SkillBook *skills, const char *source, int i, Err *err)
{
    char where[200];
    if (!cJSON_IsObject(o) || get_name(o, "name", rc->name, sizeof rc->name, 1) != 0)
        return err_set(err, MA_ERR_INVALID,
                       "%s: recipe %d: \"name\" must be a name of lower-case letters, digits and _ (under 65)", source,
                       i);
    snprintf(where, sizeof where, "%s: recipe %d (\"%s\")", source, i, rc->name);
    for (int j = 0; j < b->n; j++)
        if (strcmp(b->r[j].name, rc->name) == 0)
            return err_set(err, MA_ERR_INVALID, "%s: the name is used twice", where);
    const cJSON *desc = get(o, "description");
    if (desc && (!cJSON_IsString(desc) || strlen(desc->valuestring) >= sizeof rc->description))
        return err_set(err, MA_ERR_INVALID, "%s: \"description\" must be a string under %zu characters", where,
                       sizeof rc->description);
    if (desc)
        snprintf(rc->description, sizeof rc->description, "%s", desc->valuestring);
    if (get_name(o, "type", rc->type, sizeof rc->type, 0) != 0)
        return err_set(err, MA_ERR_INVALID, "%s: \"type\" must be a short name", where);
    if (parse_items(get(o, "ingredients"), rc->ing, &rc->n_ing, 0) != 0)
        return err_set(err, MA_ERR_INVALID,
                       "%s: \"ingredients\" must be 1 to %d different {\"item\": name, \"count\": 1..999}", where,
                       CRAFT_MAX_INGREDIENTS);
    const cJSON *res = get(o, "result");
    if (!cJSON_IsObject(res) || get_name(res, "item", rc->result, sizeof rc->result, 1) != 0 ||
        json_field_int(res, "count", 1, 99, 1, 0, &rc->result_count) != 0 ||
        get_name(res, "type", rc->result_type, sizeof rc->result_type, 0) != 0)
        return err_set(err, MA_ERR_INVALID,
                       "%s: \"result\" must be {\"item\": name, \"count\": 1..99, \"type\": block|tool|weapon|...}",
                       where);
    if (!rc->result_type[0])
        snprintf(rc->result_type, sizeof rc->result_type, "%s",
                 blocks_find(blocks, rc->result) > 0 ? "block" : "material");
    if (json_field_int(o, "required_level", 1, 1000, 1, 0, &rc->required_level) != 0)
        return err_set(err, MA_ERR_INVALID, "%s: \"required_level\" must be a whole number from 1 to 1000", where);
    if (get_name(o, "station", rc->station, sizeof rc->station, 0) != 0)
        return err_set(err, MA_ERR_INVALID, "%s: \"station\" must be a block name or null", where);
    if (rc->station[0] && blocks_find(blocks, rc->station) <= 0)
        return err_set(err, MA_ERR_INVALID, "%s: station \"%s\" is not a block of data/blocks.json", where,
                       rc->station);
    if (get_name(o, "skill", rc->skill, sizeof rc->skill, 0) != 0)
        return err_set(err, MA_ERR_INVALID, "%s: \"skill\" must be a skill name or null", where);
    if (rc->skill[0] && skills && !skillbook_has(skills, rc->skill))
        return err_set(err, MA_ERR_INVALID, "%s: skill \"%s\" is not in data/skills.json", where, rc->skill);
    const cJSON *ch = get(o, "chance");
    if (!cJSON_IsNumber(ch) || ch->valuedouble <= 0 || ch->valuedouble > 1)
        return err_set(err, MA_ERR_INVALID, "%s: \"chance\" must be a number above 0 and at most 1", where);
    rc->chance = ch->valuedouble;
    if (json_field_int(o, "xp", 0, 10000, b->skill_xp, 0, &rc->xp) != 0 ||
        json_field_int(o, "turns", 1, 1000, 1, 0, &rc->turns) != 0)
        return err_set(err, MA_ERR_INVALID, "%s: \"xp\" must be 0..10000 and \"turns\" 1..1000", where);
    const cJSON *f = get(o, "on_failure");
    const cJSON *lose = get(f, "lose");
    if (!cJSON_IsObject(f) || !lose || json_field_int(f, "hurt", 0, 1000, 0, 0, &rc->hurt) != 0)
        return err_set(err, MA_ERR_INVALID,
                       "%s: \"on_failure\" must be {\"lose\": \"all\" | \"none\" | [{\"item\", \"count\"}], "
                       "\"hurt\": 0..1000}",
                       where);
    if (cJSON_IsString(lose) && strcmp(lose->valuestring, "all") == 0) {
        rc->lose_all = 1;
    } else if (cJSON_IsString(lose) && strcmp(lose->valuestring, "none") == 0) {
        rc->n_lose = 0;
    } else if (parse_items(lose, rc->lose, &rc->n_lose, 0) != 0) {
        return err_set(err, MA_ERR_INVALID,
                       "%s: on_failure.lose must be \"all\", \"none\" or a list of {\"item\", \"count\"}", where);
    }
    for (int k = 0; k < rc->n_lose; k++) {
        int found = 0;
        for (int j = 0; j < rc->n_ing; j++)
            if (strcmp(rc->ing[j].item, rc->lose[k].item) == 0 && rc->lose[k].need <= rc->ing[j].need)
                found = 1;
        if (!found)
            return err_set(err, MA_ERR_INVALID,
                           "%s: on_failure.lose: %d %s is more than the recipe uses (only ingredients can be lost)",
                           where, rc->lose[k].need, rc->lose[k].item);
    }
    const cJSON *unlock = get(o, "unlock");
    char uw[240];
    snprintf(uw, sizeof uw, "%s: unlock", where);
    int st = rules_validate_condition(unlock, uw, err);
    if (st != MA_OK)
        return st;
    rc->unlock = unlock && !cJSON_IsNull(unlock) ? cJSON_Duplicate(unlock, 1) : cJSON_CreateObject();
    return MA_OK;
}

static int load_with(const char *json, size_t len, const char *source, const BlockRegistry *blocks,
                     const SkillBook *skills, CraftBook **out, Err *err)
{
    *out = NULL;
    cJSON *root = json_parse_data(json, len, source, err);
    if (!root)
        return MA_ERR_INVALID;
    int rc = MA_OK;
    CraftBook *b = calloc(1, sizeof *b);
    const cJSON *list = get(root, "recipes");
    if (!b) {
        rc = err_set(err, MA_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
        rc = err_set(err, MA_ERR_INVALID, "%s: \"recipes\" must be a non-empty array", source);
        goto done;
    }
    const cJSON *fx = get(root, "failure_xp_fraction");
    if (json_field_int(root, "skill_xp", 0, 10000, 3, 0, &b->skill_xp) != 0 ||
        (fx && (!cJSON_IsNumber(fx) || fx->valuedouble < 0 || fx->valuedouble > 1))) {
        rc = err_set(err, MA_ERR_INVALID, "%s: \"skill_xp\" must be 0..10000 and \"failure_xp_fraction\" 0..1", source);
        goto done;
    }
    b->failure_xp_fraction = fx ? fx->valuedouble : 0.5;
    const cJSON *mc = get(root, "max_chance");
    b->max_chance = cJSON_IsNumber(mc) && mc->valuedouble > 0 && mc->valuedouble <= 1 ? mc->valuedouble : 0.98;
    b->r = calloc((size_t)cJSON_GetArraySize(list), sizeof *b->r);
    if (!b->r) {
        rc = err_set(err, MA_ERR_NOMEM, "out of memory");
        goto done;
    }
    const cJSON *o;
    cJSON_ArrayForEach(o, list) {
        if ((rc = parse_recipe(b, &b->r[b->n], o, blocks, skills, source, b->n, err)) != MA_OK) {
            cJSON_Delete(b->r[b->n].unlock);
            goto done;
        }
        b->n++;
    }
done:
    cJSON_Delete(root);
    if (rc != MA_OK) {
        crafting_free(b);
        return rc;
    }
    *out = b;
    return MA_OK;
}

int crafting_load(const char *json, size_t len, const char *source, const BlockRegistry *blocks, CraftBook **out,
                  Err *err)
{
    SkillBook *skills = NULL;
    int rc = skillbook_load_default(&skills, err);
    if (rc == MA_OK)
        rc = load_with(json, len, source, blocks, skills, out, err);
    skillbook_free(skills);
    return rc;
}

typedef struct CraftParse {
    const BlockRegistry *blocks;
    CraftBook **out;
} CraftParse;

static int parse_book(const char *text, size_t len, const char *where, void *arg, Err *err)
{
    const CraftParse *cp = arg;
    return crafting_load(text, len, where, cp->blocks, cp->out, err);
}

int crafting_load_default(CraftBook **out, Err *err)
{
    *out = NULL;
    BlockRegistry *blocks = NULL;
    int rc = blocks_load_default(&blocks, err);
    if (rc != MA_OK)
        return rc;
    CraftParse cp = {blocks, out};
    rc = data_book_load("recipes.json", parse_book, &cp, err);
    blocks_free(blocks);
    return rc;
}

void crafting_free(CraftBook *b)
{
    if (!b)
        return;
    for (int i = 0; i < b->n; i++)
        cJSON_Delete(b->r[i].unlock);
    free(b->r);
    free(b);
}

int crafting_recipe_count(const CraftBook *b) { return b ? b->n : 0; }

/* ------------------------------------------------------------ the stored table */

static cJSON *items_json(const CraftIngredient *c, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "item", c[i].item);
        cJSON_AddNumberToObject(o, "count", c[i].need);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

int crafting_store(Game *g, Err *err)
{
    CraftBook *b = g->craft;
    if (b->stored)
        return MA_OK;
    int rc = save_savepoint(g->save, err);
    if (rc != MA_OK)
        return rc;
    for (int i = 0; rc == MA_OK && i < b->n; i++) {
        const Recipe *r = &b->r[i];
        RecipeRow row;
        memset(&row, 0, sizeof row);
        snprintf(row.recipe_name, sizeof row.recipe_name, "%s", r->name);
        row.ingredients = items_json(r->ing, r->n_ing);
        row.result_item = cJSON_CreateObject();
        cJSON_AddStringToObject(row.result_item, "item_name", r->result); /* as inventory names it */
        cJSON_AddNumberToObject(row.result_item, "count", r->result_count);
        cJSON_AddStringToObject(row.result_item, "type", r->result_type);
        cJSON_AddStringToObject(row.result_item, "station", r->station);
        cJSON_AddStringToObject(row.result_item, "skill", r->skill);
        cJSON_AddNumberToObject(row.result_item, "chance", r->chance);
        row.required_level = r->required_level;
        snprintf(row.recipe_type, sizeof row.recipe_type, "%s", r->type);
        row.unlock_conditions = cJSON_Duplicate(r->unlock, 1);
        rc = recipes_upsert(g->save, &row, err);
        recipe_row_clear(&row);
    }
    if (rc != MA_OK) {
        save_rollback_savepoint(g->save);
        return rc;
    }
    if ((rc = save_release(g->save, err)) == MA_OK)
        b->stored = 1;
    return rc;
}

/* ------------------------------------------------------------ discovery */

static const Recipe *find_recipe(const CraftBook *b, const char *name)
{
    char want[65];
    snprintf(want, sizeof want, "%s", name ? name : "");
    for (char *c = want; *c; c++)
        if (*c == ' ')
            *c = '_';
    for (int i = 0; i < b->n; i++)
        if (strcmp(b->r[i].name, want) == 0)
            return &b->r[i];
    return NULL;
}

static int is_discovered(Game *g, const char *name)
{
    char buf[64];
    return charstate_get(g->save, g->p.character_id, "recipe", name, buf, sizeof buf, NULL) == MA_OK;
}

static int record_discovery(Game *g, const Recipe *r, Err *err)
{
    char when[48];
    snprintf(when, sizeof when, "turn %lld", (long long)g->clock);
    return charstate_set(g->save, g->p.character_id, "recipe", r->name, when, err);
}

typedef struct Known {
    const CraftBook *b;
    unsigned char *known;
} Known;

static int mark_known(const char *key, const char *value, void *ud)
{
    (void)value;
    Known *k = ud;
    for (int i = 0; i < k->b->n; i++)
        if (strcmp(k->b->r[i].name, key) == 0)
            k->known[i] = 1;
    return 0;
}

static void label(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s", name);
    for (char *c = buf; *c; c++)
        if (*c == '_')
            *c = ' ';
}

int crafting_discover(Game *g, ActionResult *r, Err *err)
{
    CraftBook *b = g->craft;
    int rc = crafting_store(g, err);
    if (rc != MA_OK)
        return rc;
    unsigned char *known = calloc((size_t)b->n, 1);
    if (!known)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    Known k = {b, known};
    if ((rc = charstate_each(g->save, g->p.character_id, "recipe", mark_known, &k, err)) != MA_OK) {
        free(known);
        return rc;
    }
    ProgressView v;
    RuleCtx ctx;
    progress_rule_ctx(g, &v, &ctx);
    char names[150] = "";
    int found = 0;
    for (int i = 0; rc == MA_OK && i < b->n; i++) {
        if (known[i] || !rules_check(&ctx, b->r[i].unlock))
            continue;
        rc = record_discovery(g, &b->r[i], err);
        found++;
        size_t len = strlen(names);
        char l[65];
        label(b->r[i].name, l, sizeof l);
        if (len + strlen(l) + 8 < sizeof names)
            snprintf(names + len, sizeof names - len, "%s%s", len ? ", " : "", l);
        else if (len + 5 < sizeof names && strcmp(names + len - 3, "...") != 0)
            snprintf(names + len, sizeof names - len, ", ...");
    }
    progress_view_clear(&v);
    free(known);
    if (rc != MA_OK)
        return rc;
    if (found)
        game_event(r, SEV_GOOD, "You could make: %s", names);
    return found;
}

/* ------------------------------------------------------------ crafting */

static int station_near(Game *g, const char *station)
{
    if (!station[0])
        return 1;
    int id = blocks_find(g->blocks, station);
    if (id <= 0)
        return 0;
    /* The player's two cells, and CRAFT_STATION_REACH around either. */
    for (int dy = -CRAFT_STATION_REACH; dy <= 1 + CRAFT_STATION_REACH; dy++)
        for (int dx = -CRAFT_STATION_REACH; dx <= CRAFT_STATION_REACH; dx++)
            for (int dz = -CRAFT_STATION_REACH; dz <= CRAFT_STATION_REACH; dz++) {
                int32_t y = g->p.y + dy;
                if (y >= 0 && y < WORLD_HEIGHT && world_get_block(g->world, g->p.x + dx, y, g->p.z + dz) == id)
                    return 1;
            }
    return 0;
}

static double chance_of(Game *g, const Recipe *r)
{
    double c = r->chance + (r->skill[0] ? progress_craft_bonus(g, r->skill) : 0);
    double cap = g->craft->max_chance;
    if (r->chance > cap)
        cap = r->chance;
    return c > cap ? cap : c;
}

double crafting_chance(Game *g, const char *recipe)
{
    const Recipe *r = find_recipe(g->craft, recipe);
    return r ? chance_of(g, r) : 0;
}

void crafting_ingredient_words(const CraftIngredient *c, int count, char *buf, size_t size)
{
    char name[40];
    label(c->item, name, sizeof name);
    int need = c->need * (count > 0 ? count : 1);
    if (c->have >= need)
        snprintf(buf, size, "%s %d/%d — enough", name, c->have, need);
    else
        snprintf(buf, size, "%s %d/%d — missing %d", name, c->have, need, need - c->have);
}

static void failure_words(const Game *g, const Recipe *r, char *buf, size_t size)
{
    if (r->lose_all) {
        snprintf(buf, size, "a failure loses all the ingredients");
    } else if (r->n_lose == 0) {
        snprintf(buf, size, "a failure costs only time");
    } else {
        snprintf(buf, size, "a failure loses ");
        for (int i = 0; i < r->n_lose; i++) {
            char what[96];
            items_count_words(g->items, r->lose[i].item, r->lose[i].need, what, sizeof what);
            size_t len = strlen(buf);
            snprintf(buf + len, size - len, "%s%s", i ? " and " : "", what);
        }
    }
    if (r->hurt) {
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, " and hurts you for %d", r->hurt);
    }
}

/* Fills v for recipe r at count crafts; the ingredient counts come from the save. */
static int view_of(Game *g, const Recipe *r, int count, CraftView *v, Err *err)
{
    memset(v, 0, sizeof *v);
    snprintf(v->name, sizeof v->name, "%s", r->name);
    snprintf(v->description, sizeof v->description, "%s", r->description);
    snprintf(v->result, sizeof v->result, "%s", r->result);
    snprintf(v->result_type, sizeof v->result_type, "%s", r->result_type);
    v->result_count = r->result_count;
    v->n_ing = r->n_ing;
    int can = INT32_MAX;
    size_t blen = 0;
    for (int i = 0; i < r->n_ing; i++) {
        v->ing[i] = r->ing[i];
        int have = game_item_count(g, r->ing[i].item, err);
        if (have < 0)
            return err->code;
        v->ing[i].have = have;
        if (have / r->ing[i].need < can)
            can = have / r->ing[i].need;
        if (have < r->ing[i].need * count) {
            char w[96];
            crafting_ingredient_words(&v->ing[i], count, w, sizeof w);
            snprintf(v->blocked + blen, sizeof v->blocked - blen, "%s%s", blen ? "; " : "", w);
            blen = strlen(v->blocked);
        }
    }
    snprintf(v->station, sizeof v->station, "%s", r->station);
    v->station_near = station_near(g, r->station);
    v->required_level = r->required_level;
    snprintf(v->skill, sizeof v->skill, "%s", r->skill);
    v->chance = chance_of(g, r);
    failure_words(g, r, v->failure, sizeof v->failure);
    char pre[200] = "";
    if (g->p.level < r->required_level)
        snprintf(pre, sizeof pre, "needs level %d (you are level %d)", r->required_level, g->p.level);
    else if (!v->station_near) {
        char s[40];
        label(r->station, s, sizeof s);
        snprintf(pre, sizeof pre, "needs a %s within %d steps", s, CRAFT_STATION_REACH);
    }
    if (pre[0]) {
        char rest[200];
        snprintf(rest, sizeof rest, "%s", v->blocked);
        snprintf(v->blocked, sizeof v->blocked, "%s%s%s", pre, rest[0] ? "; " : "", rest);
        can = 0;
    }
    v->can_make = can == INT32_MAX ? 0 : can;
    return MA_OK;
}

int crafting_list(Game *g, CraftView **out, int *n, Err *err)
{
    *out = NULL;
    *n = 0;
    CraftBook *b = g->craft;
    CraftView *v = calloc((size_t)b->n, sizeof *v);
    if (!v)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    int m = 0, rc = MA_OK;
    for (int i = 0; rc == MA_OK && i < b->n; i++)
        if (is_discovered(g, b->r[i].name))
            rc = view_of(g, &b->r[i], 1, &v[m++], err);
    if (rc != MA_OK) {
        free(v);
        return rc;
    }
    /* By name, so a lettered list stays put as more are found. */
    for (int i = 1; i < m; i++)
        for (int j = i; j > 0 && strcmp(v[j - 1].name, v[j].name) > 0; j--) {
            CraftView t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    *out = v;
    *n = m;
    return MA_OK;
}

static int take_all(Game *g, const CraftIngredient *c, int n, int times, Err *err)
{
    int rc = MA_OK;
    for (int i = 0; rc == MA_OK && i < n && times > 0; i++)
        rc = game_take_item(g, c[i].item, c[i].need * times, err);
    return rc;
}

int crafting_craft(Game *g, const char *recipe, int count, ActionResult *r, Err *err)
{
    int rc = crafting_store(g, err);
    if (rc != MA_OK)
        return rc;
    const Recipe *rec = find_recipe(g->craft, recipe);
    char name[65];
    label(recipe && recipe[0] ? recipe : "?", name, sizeof name);
    if (!rec) {
        game_refuse(r, "there is no recipe called '%s'", name);
        return MA_OK;
    }
    if (count < 1)
        count = 1;
    if (count > 999) {
        game_refuse(r, "at most 999 at once");
        return MA_OK;
    }
    if (!is_discovered(g, rec->name)) {
        /* Discovery runs after each action; a condition that holds now counts. */
        ProgressView v;
        RuleCtx ctx;
        progress_rule_ctx(g, &v, &ctx);
        int holds = rules_check(&ctx, rec->unlock);
        char why[200] = "";
        if (!holds) /* what would teach it: "needs oak log (you have 0)" */
            rules_explain(&ctx, rec->unlock, why, sizeof why);
        progress_view_clear(&v);
        if (!holds) {
            /* "needs 1 iron ingot (you have 0); needs Smithing 1 (...)" as "1 iron ingot (...) and Smithing 1 (...)" */
            for (char *p = strstr(why, "; needs "); p; p = strstr(p + 5, "; needs ")) {
                memmove(p + 5, p + 8, strlen(p + 8) + 1);
                memcpy(p, " and ", 5);
            }
            const char *what = strncmp(why, "needs ", 6) == 0 ? why + 6 : why;
            game_refuse(r, "you do not know how to make %s yet (you learn it with %s)", name, what);
            return MA_OK;
        }
        if ((rc = record_discovery(g, rec, err)) != MA_OK)
            return rc;
    }
    CraftView v;
    if ((rc = view_of(g, rec, count, &v, err)) != MA_OK)
        return rc;
    if (v.blocked[0]) {
        game_refuse(r, "%s", v.blocked);
        return MA_OK;
    }
    double chance = chance_of(g, rec);
    int ok = 0;
    for (int i = 0; i < count; i++)
        ok += prng_unit(&g->rng) < chance;
    int failed = count - ok;
    if ((rc = save_savepoint(g->save, err)) != MA_OK)
        return rc;
    rc = take_all(g, rec->ing, rec->n_ing, ok, err);
    if (rc == MA_OK)
        rc = rec->lose_all ? take_all(g, rec->ing, rec->n_ing, failed, err)
                           : take_all(g, rec->lose, rec->n_lose, failed, err);
    int left = 0;
    if (rc == MA_OK && ok > 0) {
        left = game_give_item(g, rec->result, rec->result_type, ok * rec->result_count, err);
        rc = left < 0 ? left : MA_OK;
    }
    int xp = ok * rec->xp + (int)floor(failed * rec->xp * g->craft->failure_xp_fraction);
    if (rc == MA_OK && rec->skill[0])
        rc = progress_skill_use(g, rec->skill, xp, r, err);
    if (rc != MA_OK) {
        save_rollback_savepoint(g->save);
        return rc;
    }
    if ((rc = save_release(g->save, err)) != MA_OK)
        return rc;
    char result[96];
    if (ok > 0)
        game_event(r, SEV_GOOD, "You make %s%s.",
                   items_count_words(g->items, rec->result, ok * rec->result_count, result, sizeof result),
                   count > 1 ? (failed ? "" : " (every attempt worked)") : "");
    if (left > 0)
        game_event(r, SEV_WARN, "Your pack is full; %s %s lost.",
                   items_count_words(g->items, rec->result, left, result, sizeof result), left == 1 ? "is" : "are");
    if (failed > 0) {
        char cost[128];
        failure_words(g, rec, cost, sizeof cost);
        game_event(r, SEV_WARN, "%d of %d attempt%s failed (%.0f%% chance): %s.", failed, count, count == 1 ? "" : "s",
                   chance * 100, cost);
        if (rec->hurt) {
            int dmg = rec->hurt * failed;
            if (dmg > g->p.max_health / 2)
                dmg = g->p.max_health / 2 > 0 ? g->p.max_health / 2 : 1;
            game_hurt(g, dmg, "The mixture boils over", r);
        }
    }
    r->ok = 1;
    game_pass_time(g, rec->turns * count, r);
    return MA_OK;
}
