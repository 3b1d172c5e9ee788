/* achieve.c — achievements: data/achievements.json, checking after every action, unlocking.
 *
 * An achievement is earned when the one it follows ("after") is earned, its progress counter
 * (a charstate counter of the character, e.g. "steps" 20/20) is reached and its condition (the
 * rule language) holds. Earning is per user, recorded once by achievements_unlock, in one
 * transaction with the achievement's own rewards, and announced in the events. */
#include "game/achieve.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/game_internal.h"
#include "game/game_rules.h"
#include "game/rules.h"
#include "save/achievements.h"
#include "save/charstate.h"
#include "util/data.h"
#include "util/json_field.h"

struct AchieveBook {
    cJSON *root;
    const cJSON *list;
};

#define CHECK_PASSES 3 /* how far one action can climb a chain */

static int is_ident(const char *s)
{
    if (!s || !s[0] || strlen(s) > 63)
        return 0;
    for (const char *c = s; *c; c++)
        if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_'))
            return 0;
    return 1;
}

static int text_ok(const char *s, size_t max) { return s && s[0] && strlen(s) <= max; }

static const cJSON *find(const cJSON *list, const char *name)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, list) {
        /* Entries after the one being checked are not validated yet: one may have no name. */
        const char *n = json_str(a, "name");
        if (n && strcmp(n, name) == 0)
            return a;
    }
    return NULL;
}

int achieve_book_load(const char *json, size_t len, const char *source, AchieveBook **out, Err *err)
{
    *out = NULL;
    cJSON *root = json_parse_data(json, len, source, err);
    if (!root)
        return MA_ERR_INVALID;
    int rc = MA_OK;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "achievements"), *a;
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
        rc = err_set(err, MA_ERR_INVALID, "%s: \"achievements\" must be a non-empty array", source);
        goto fail;
    }
    int i = 0;
    char where[256];
    cJSON_ArrayForEach(a, list) {
        const char *name = cJSON_IsObject(a) ? json_str(a, "name") : NULL;
        const char *why = NULL;
        const cJSON *points = cJSON_GetObjectItemCaseSensitive(a, "points");
        const cJSON *counter = cJSON_GetObjectItemCaseSensitive(a, "counter");
        const char *after = json_str(a, "after");
        if (!is_ident(name))
            why = "name must be a name of a-z, 0-9 and _ (1 to 63 characters)";
        else if (find(list, name) != a)
            why = "the name is used twice";
        else if (!text_ok(json_str(a, "title"), 63))
            why = "title must be 1 to 63 characters";
        else if (!text_ok(json_str(a, "description"), 150))
            why = "description must be 1 to 150 characters";
        else if (!cJSON_IsNumber(points) || points->valueint < 0 || points->valueint > 1000)
            why = "points must be a whole number from 0 to 1000";
        else if (cJSON_GetObjectItemCaseSensitive(a, "after") && (!after || !find(list, after) ||
            strcmp(after, name) == 0))
            why = "after must name another achievement of this file";
        else if (counter && (!is_ident(json_str(counter, "key")) || json_int(counter, "target", 0) < 1 ||
                             !text_ok(json_str(counter, "label"), 47)))
            why = "counter needs key (a counter name), target (1 or more) and label (1 to 47 characters)";
        else if (!counter && !cJSON_GetObjectItemCaseSensitive(a, "condition"))
            why = "needs a condition or a counter (or both)";
        if (why) {
            rc = err_set(err, MA_ERR_INVALID, "%s: achievement %d (\"%s\"): %s", source, i, name ? name : "?", why);
            goto fail;
        }
        snprintf(where, sizeof where, "%s: achievement %d (\"%s\"): condition", source, i, name);
        if ((rc = rules_validate_condition(cJSON_GetObjectItemCaseSensitive(a, "condition"), where, err)) != MA_OK)
            goto fail;
        snprintf(where, sizeof where, "%s: achievement %d (\"%s\"): rewards", source, i, name);
        if ((rc = rules_validate_effects(cJSON_GetObjectItemCaseSensitive(a, "rewards"), where, err)) != MA_OK)
            goto fail;
        i++;
    }
    /* A chain must end: following "after" from any achievement reaches one without it. */
    i = 0;
    cJSON_ArrayForEach(a, list) {
        const cJSON *c = a;
        int steps = 0;
        while (c && json_str(c, "after") && steps <= cJSON_GetArraySize(list)) {
            c = find(list, json_str(c, "after"));
            steps++;
        }
        if (steps > cJSON_GetArraySize(list)) {
            rc = err_set(err, MA_ERR_INVALID, "%s: achievement %d (\"%s\"): its chain of \"after\" goes round in a circle",
                         source, i, json_str(a, "name"));
            goto fail;
        }
        i++;
    }
    AchieveBook *b = calloc(1, sizeof *b);
    if (!b) {
        rc = err_set(err, MA_ERR_NOMEM, "out of memory");
        goto fail;
    }
    b->root = root;
    b->list = list;
    *out = b;
    return MA_OK;
fail:
    cJSON_Delete(root);
    return rc;
}

static int parse_book(const char *text, size_t len, const char *where, void *out, Err *err)
{
    return achieve_book_load(text, len, where, out, err);
}

int achieve_book_load_default(AchieveBook **out, Err *err)
{
    *out = NULL;
    return data_book_corrupt(data_book_load("achievements.json", parse_book, out, err), err);
}

void achieve_book_free(AchieveBook *b)
{
    if (!b)
        return;
    cJSON_Delete(b->root);
    free(b);
}

/* The book loaded when the game started (game_start refuses a bad file). */
static int achieve_book_of(Game *g, AchieveBook **out, Err *err)
{
    (void)err;
    *out = g->achieve_book;
    return MA_OK;
}

static int64_t counter_of(Game *g, const char *key)
{
    char buf[32];
    if (charstate_get(g->save, g->p.character_id, "counter", key, buf, sizeof buf, NULL) != MA_OK)
        return 0;
    return atoll(buf);
}

static int earned(Game *g, const char *name)
{
    int has = 0;
    return achievements_has(g->save, g->p.user_id, name, &has, NULL) == MA_OK && has;
}

static int unlock_one(Game *g, const cJSON *a, ActionResult *r, Err *err)
{
    AchievementRow row;
    memset(&row, 0, sizeof row);
    row.user_id = g->p.user_id;
    snprintf(row.achievement_name, sizeof row.achievement_name, "%s", json_str(a, "name"));
    snprintf(row.description, sizeof row.description, "%s: %s", json_str(a, "title"), json_str(a, "description"));
    row.points = json_int(a, "points", 0);
    row.unlock_data = cJSON_CreateObject();
    cJSON_AddStringToObject(row.unlock_data, "character", g->p.name);
    cJSON_AddNumberToObject(row.unlock_data, "character_id", (double)g->p.character_id);
    cJSON_AddStringToObject(row.unlock_data, "world", g->p.world_name);
    cJSON_AddNumberToObject(row.unlock_data, "turn", (double)g->clock);
    GameRules rules;
    game_rules_bind(&rules, g, r);
    Player before = g->p;
    int events = r ? r->n_events : 0;
    int already = 0;
    int rc = save_savepoint(g->save, err);
    if (rc == MA_OK) {
        rc = achievements_unlock(g->save, &row, &already, err);
        if (rc == MA_OK)
            rc = rules_apply(&rules.ctx, cJSON_GetObjectItemCaseSensitive(a, "rewards"), err);
        rc = save_end_savepoint(g->save, rc, err);
    }
    achievement_row_clear(&row);
    if (already) {
        err_clear(err);
        return MA_OK;
    }
    if (rc != MA_OK) {
        g->p = before;
        if (r)
            r->n_events = events;
        return rc;
    }
    if (r)
        game_event(r, SEV_GOOD, "Achievement unlocked: %s (+%d)", json_str(a, "title"), json_int(a, "points", 0));
    return MA_OK;
}

int achieve_unlock(Game *g, const char *name, ActionResult *r, Err *err)
{
    AchieveBook *b = NULL;
    int rc = achieve_book_of(g, &b, err);
    if (rc != MA_OK)
        return rc;
    const cJSON *a = find(b->list, name);
    if (!a)
        rc = err_set(err, MA_ERR_NOT_FOUND, "there is no achievement called %s", name);
    else if (!earned(g, name))
        rc = unlock_one(g, a, r, err);
    return rc;
}

int achieve_check(Game *g, ActionResult *r, Err *err)
{
    AchieveBook *b = NULL;
    int rc = achieve_book_of(g, &b, err);
    if (rc != MA_OK)
        return rc;
    GameRules rules;
    game_rules_bind(&rules, g, r);
    for (int pass = 0, more = 1; pass < CHECK_PASSES && more && rc == MA_OK; pass++) {
        more = 0;
        const cJSON *a;
        cJSON_ArrayForEach(a, b->list) {
            const char *after = json_str(a, "after");
            if (earned(g, json_str(a, "name")) || (after && !earned(g, after)))
                continue;
            const cJSON *counter = cJSON_GetObjectItemCaseSensitive(a, "counter");
            if (counter && counter_of(g, json_str(counter, "key")) < json_int(counter, "target", 1))
                continue;
            if (!rules_check(&rules.ctx, cJSON_GetObjectItemCaseSensitive(a, "condition")))
                continue;
            if ((rc = unlock_one(g, a, r, err)) != MA_OK)
                break;
            more = 1;
        }
    }
    return rc;
}

int achieve_list(Game *g, AchieveView **out, int *n_out, int64_t *points, Err *err)
{
    *out = NULL;
    *n_out = 0;
    AchieveBook *b = NULL;
    int rc = achieve_book_of(g, &b, err);
    if (rc != MA_OK)
        return rc;
    int n = cJSON_GetArraySize(b->list);
    AchieveView *v = calloc((size_t)n, sizeof *v);
    if (!v) {
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    int i = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, b->list) {
        AchieveView *x = &v[i++];
        snprintf(x->name, sizeof x->name, "%s", json_str(a, "name"));
        x->points = json_int(a, "points", 0);
        x->earned = earned(g, x->name);
        x->hidden = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "hidden"));
        int veiled = x->hidden && !x->earned;
        snprintf(x->title, sizeof x->title, "%s", veiled ? "???" : json_str(a, "title"));
        snprintf(x->description, sizeof x->description, "%s", veiled ? "???" : json_str(a, "description"));
        const cJSON *counter = cJSON_GetObjectItemCaseSensitive(a, "counter");
        if (counter && !veiled) {
            x->need = json_int(counter, "target", 1);
            x->have = x->earned ? x->need : counter_of(g, json_str(counter, "key"));
            if (x->have > x->need)
                x->have = x->need;
            snprintf(x->counter_label, sizeof x->counter_label, "%s", json_str(counter, "label"));
        }
        const char *after = json_str(a, "after");
        if (after && !earned(g, after)) {
            const cJSON *prev = find(b->list, after);
            int prev_veiled = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(prev, "hidden"));
            snprintf(x->locked_by, sizeof x->locked_by, "%s", prev_veiled ? "???" : json_str(prev, "title"));
        }
    }
    if (points && (rc = achievements_total_points(g->save, g->p.user_id, points, err)) != MA_OK) {
        free(v);
        return rc;
    }
    *out = v;
    *n_out = n;
    return MA_OK;
}

int achieve_book_knows(const AchieveBook *b, const char *name)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, b->list)
        if (name && json_str(a, "name") && strcmp(json_str(a, "name"), name) == 0)
            return 1;
    return 0;
}
