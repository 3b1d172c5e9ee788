/* quest_dialogue.c — quests as villagers and screens show them: the quests a villager offers or
 * takes back (dialogue lists), the quest log, and sharing a quest with another character. */
#include "game/quest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "game/calendar.h"
#include "game/game_internal.h"
#include "game/game_rules.h"
#include "game/inventory.h"
#include "game/npc.h"
#include "game/quest_internal.h"
#include "game/rules.h"
#include "game/story.h"
#include "save/characters.h"
#include "save/charstate.h"
#include "save/quests.h"
#include "util/data.h"
#include "util/text.h"

/* Who gave the quest, as the screens name villagers ("Alda Greycloak, the guard of Greenbrook"),
 * or "a guard" when no villager is recorded (a quest taken by script, or shared). */
void quest_giver_words(Game *g, const cJSON *tpl, const cJSON *pd, char *buf, size_t size)
{
    const char *entity = json_str(pd, "giver");
    int64_t npc = entity && entity[0] ? npc_character_id(g, entity) : 0;
    if (npc <= 0 || !npc_display_name(g, npc, buf, size)) {
        const char *role = json_str(tpl, "giver");
        snprintf(buf, size, "a %s", role && role[0] ? role : "villager");
    }
}

/* The village of the villager who gave the quest (progress_data's "giver"), into buf; "" when
 * there is none recorded or their row cannot be read. */
static void giver_village(Game *g, const cJSON *pd, char *buf, size_t size)
{
    buf[0] = '\0';
    const char *entity = json_str(pd, "giver");
    int64_t npc = entity && entity[0] ? npc_character_id(g, entity) : 0;
    CharacterRow c;
    if (npc <= 0 || characters_get(g->save, npc, &c, NULL) != MA_OK)
        return;
    const char *village = json_str(c.appearance, "village");
    snprintf(buf, size, "%s", village ? village : "");
    character_row_clear(&c);
}

/* ------------------------------------------------------------ dialogue lists */

static void summary(const Game *g, const cJSON *tpl, int scale, char *buf, size_t size)
{
    const cJSON *ob = cJSON_GetArrayItem(quest_tpl_objectives(tpl), 0);
    char what[64], rew[100];
    const char *kind = json_str(ob, "kind");
    const char *target = strcmp(kind, "slay") == 0 ? json_str(ob, "creature")
                         : strcmp(kind, "reach") == 0 ? json_str(ob, "place")
                         : strcmp(kind, "talk") == 0  ? json_str(ob, "role")
                                                      : json_str(ob, "item");
    text_words(target, what, sizeof what);
    cJSON *rewards = quest_scaled_rewards(g, tpl, scale);
    rules_describe_effects(rewards, g->items, rew, sizeof rew);
    cJSON_Delete(rewards);
    if (strcmp(kind, "reach") == 0 || strcmp(kind, "talk") == 0)
        snprintf(buf, size, "%s the %s; %s", strcmp(kind, "talk") == 0 ? "talk to" : kind, what, rew);
    else {
        /* Creatures and items are counted nouns: "slay 3 wolves", "collect 4 torches", "3 bread". */
        int n = quest_scaled_target(ob, scale);
        char noun[96];
        if (strcmp(kind, "slay") == 0) {
            char words[72];
            snprintf(noun, sizeof noun, "%d %s", n, text_plural(what, n, words, sizeof words));
        } else {
            items_count_words(g->items, target, n, noun, sizeof noun);
        }
        snprintf(buf, size, "%s %s; %s", kind, noun, rew);
    }
}

/* Whether the request `tpl` is that of the villager named `name` ("Ilse", or the row's longer
 * name "Ilse Greycloak") whose entity is `entity` (NULL or "" when not known). The asker's entity,
 * where the quest names it, decides: another village's Ilse is not this one. */
static int is_asker(const cJSON *tpl, const char *name, const char *entity)
{
    const char *asker = json_str(tpl, "asker"), *id = json_str(tpl, "asker_entity");
    if (id && id[0] && entity && entity[0])
        return strcmp(id, entity) == 0;
    size_t n = asker ? strlen(asker) : 0;
    return n > 0 && strncmp(name, asker, n) == 0 && (name[n] == '\0' || name[n] == ' ');
}

int quest_taken_back_by(Game *g, const cJSON *tpl, const char *entity)
{
    const char *asker = json_str(tpl, "asker");
    if (!asker || !asker[0] || !entity || !entity[0])
        return 1;
    int64_t id = npc_character_id(g, entity);
    CharacterRow c;
    if (id <= 0 || characters_get(g->save, id, &c, NULL) != MA_OK)
        return 0;
    int yes = is_asker(tpl, c.name, entity);
    character_row_clear(&c);
    return yes;
}

/* The group of an offer in a villager's order (see quest.h), -1 when they do not give it. */
static int offer_group(const cJSON *tpl, const char *villager, const char *entity, int available)
{
    const char *asker = json_str(tpl, "asker");
    if (!villager)
        return available ? 0 : 3;
    if (asker && asker[0] && !is_asker(tpl, villager, entity))
        return -1; /* another villager's own request */
    if (!available)
        return 3;
    if (asker && asker[0])
        return 0;
    const char *type = json_str(tpl, "type");
    return type && strcmp(type, "generated") == 0 ? 1 : 2;
}

/* Whether the villager whose request `tpl` is (`asker`, of `role`) has gone away (a story's leave:
 * appearance.away on their row), into why ("Alda has gone away for now"). The world's villager
 * rows are read once, into *rows (freed by the caller), on the first request that asks. */
static int asker_away(Game *g, const cJSON *tpl, const char *asker, const char *role, CharacterRow **rows, int *n,
                      int *loaded, char *why, size_t size)
{
    if (!*loaded) {
        *loaded = 1;
        if (characters_list_by_world(g->save, g->p.world_id, rows, n, NULL) != MA_OK) {
            *rows = NULL;
            *n = 0;
        }
    }
    for (int i = 0; i < *n; i++) {
        const CharacterRow *c = &(*rows)[i];
        const char *r = json_str(c->appearance, "role");
        if (c->user_id == 0 && r && strcmp(r, role) == 0 && is_asker(tpl, c->name, json_str(c->appearance, "entity_id")) &&
            cJSON_GetObjectItemCaseSensitive(c->appearance, "away")) {
            snprintf(why, size, "%s has gone away for now: none can take it until they are home", asker);
            return 1;
        }
    }
    return 0;
}

int quest_offers(Game *g, const char *role, const char *villager, const char *entity, QuestOffer *out, int max,
                 Err *err)
{
    int rc = MA_OK;
    CharacterRow *npcs = NULL;
    int n_npcs = 0, npcs_loaded = 0;
    GameRules rules;
    game_rules_bind(&rules, g, NULL);
    int n = 0;
    const cJSON *tpl;
    /* Group by group (a villager shows two: a locked one earlier in the book must not hide one
     * that can be taken, nor the book's quests hide the villager's own request). */
    for (int pass = 0; pass < 4 && rc == MA_OK; pass++)
        cJSON_ArrayForEach(tpl, quest_templates(g)) {
            if (n >= max)
                break;
            if ((role && strcmp(json_str(tpl, "giver"), role) != 0) || !quest_tpl_open(g, tpl))
                continue;
            const cJSON *req = cJSON_GetObjectItemCaseSensitive(tpl, "requirements");
            int available = rules_check(&rules.ctx, req);
            if (offer_group(tpl, villager, entity, available) != pass)
                continue;
            int64_t qid;
            if ((rc = quest_row(g, tpl, &qid, err)) != MA_OK)
                break;
            ProgressRow p;
            if (progress_get(g->save, g->p.character_id, qid, &p, NULL) == MA_OK) {
                progress_row_clear(&p);
                continue;
            }
            if (!rules_check(&rules.ctx, cJSON_GetObjectItemCaseSensitive(tpl, "unlock")))
                continue;
            QuestOffer *o = &out[n++];
            memset(o, 0, sizeof *o);
            snprintf(o->name, sizeof o->name, "%s", json_str(tpl, "name"));
            snprintf(o->title, sizeof o->title, "%s", json_str(tpl, "title"));
            snprintf(o->giver, sizeof o->giver, "%s", json_str(tpl, "giver"));
            snprintf(o->asker, sizeof o->asker, "%s", json_str(tpl, "asker") ? json_str(tpl, "asker") : "");
            summary(g, tpl, quest_scale_for(g->p.level), o->summary, sizeof o->summary);
            o->available = available;
            if (!o->available)
                rules_explain(&rules.ctx, req, o->why, sizeof o->why);
            /* The quest log's "Alda's request — ask Alda the trader" while the story has sent Alda
             * away: not to be had now, and why. */
            if (o->asker[0] &&
                asker_away(g, tpl, o->asker, o->giver, &npcs, &n_npcs, &npcs_loaded, o->why, sizeof o->why))
                o->available = 0;
            double exp = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(tpl, "expires_turn"));
            o->offer_left = exp >= 0 ? (int64_t)exp - g->clock : -1;
        }
    characters_list_free(npcs, n_npcs);
    return rc == MA_OK ? n : rc;
}

void quest_given_words(Game *g, const char *name, const char *role, char *buf, size_t size)
{
    const cJSON *tpl = quest_tpl_find(g, name);
    snprintf(buf, size, "Good. Come back to me when it is done.");
    if (!tpl || strcmp(quest_tpl_turn_in(tpl), "auto") != 0)
        return;
    const cJSON *ob;
    cJSON_ArrayForEach(ob, quest_tpl_objectives(tpl)) {
        const char *to = json_str(ob, "to");
        const char *kind = json_str(ob, "kind");
        if (kind && strcmp(kind, "deliver") == 0 && to && (!role || strcmp(to, role) != 0)) {
            snprintf(buf, size, "Good. Take them to the %s: that is all it needs.", to);
            return;
        }
    }
    snprintf(buf, size, "Good. It counts the moment it is done: you need not come back.");
}

int quest_hand_ins(Game *g, const char *role, const char *entity, QuestOffer *out, int max, Err *err)
{
    ProgressRow *rows = NULL;
    int n = 0, k = 0;
    int rc = progress_list(g->save, g->p.character_id, "active", &rows, &n, err);
    if (rc != MA_OK || n == 0)
        return rc;
    GameRules rules;
    game_rules_bind(&rules, g, NULL);
    for (int i = 0; i < n && k < max; i++) {
        const cJSON *tpl = quest_tpl_of_row(g, rows[i].quest_id);
        if (!tpl || !quest_taken_back_by(g, tpl, entity))
            continue;
        cJSON *pd = rows[i].progress_data;
        int d = quest_open_delivery(g, tpl, pd, role, &rules.ctx);
        int ready = quest_all_done(tpl, pd) && strcmp(json_str(tpl, "giver"), role) == 0;
        if (d < 0 && !ready)
            continue;
        QuestOffer *o = &out[k++];
        memset(o, 0, sizeof *o);
        snprintf(o->name, sizeof o->name, "%s", json_str(tpl, "name"));
        snprintf(o->title, sizeof o->title, "%s", json_str(tpl, "title"));
        o->available = 1;
        o->deliver = d >= 0;
        int j = 0;
        const cJSON *ob;
        cJSON_ArrayForEach(ob, quest_tpl_objectives(tpl)) {
            int need = json_int(quest_obj_state(pd, j), "target", 1);
            int due = d >= 0 ? j == d : strcmp(json_str(ob, "kind"), "collect") == 0 && bfield(ob, "consume");
            if (due) {
                char item[96];
                items_count_words(g->items, json_str(ob, "item"), need, item, sizeof item);
                int have = game_item_count(g, json_str(ob, "item"), NULL);
                snprintf(o->summary, sizeof o->summary, "%s", item);
                if (have < need) {
                    o->available = 0;
                    snprintf(o->why, sizeof o->why, "needs %s (you have %d)", item, have < 0 ? 0 : have);
                }
            }
            j++;
        }
    }
    progress_list_free(rows, n);
    return k;
}

/* ------------------------------------------------------------ log and sharing */

static int status_rank(const char *s)
{
    return strcmp(s, "active") == 0 ? 0 : strcmp(s, "completed") == 0 ? 1 : 2;
}

int quest_log(Game *g, QuestView **out, int *n_out, Err *err)
{
    *out = NULL;
    *n_out = 0;
    ProgressRow *rows = NULL;
    int n = 0;
    int rc = progress_list(g->save, g->p.character_id, NULL, &rows, &n, err);
    if (rc != MA_OK || n == 0)
        return rc;
    QuestView *v = calloc((size_t)n, sizeof *v);
    if (!v) {
        rc = err_set(err, MA_ERR_NOMEM, "out of memory");
        goto done;
    }
    GameRules rules;
    game_rules_bind(&rules, g, NULL);
    int k = 0;
    for (int rank = 0; rank < 3; rank++)
        for (int i = 0; i < n; i++) {
            if (status_rank(rows[i].status) != rank)
                continue;
            const cJSON *tpl = quest_tpl_of_row(g, rows[i].quest_id);
            QuestView *q = &v[k++];
            snprintf(q->status, sizeof q->status, "%s", rows[i].status);
            q->turns_left = -1;
            if (!tpl) {
                QuestRow qr;
                if (quests_get(g->save, rows[i].quest_id, &qr, NULL) == MA_OK) {
                    snprintf(q->title, sizeof q->title, "%s", qr.title);
                    snprintf(q->description, sizeof q->description, "%s", qr.description ? qr.description : "");
                    quest_row_clear(&qr);
                }
                continue;
            }
            cJSON *pd = rows[i].progress_data;
            snprintf(q->name, sizeof q->name, "%s", json_str(tpl, "name"));
            snprintf(q->title, sizeof q->title, "%s", json_str(tpl, "title"));
            snprintf(q->giver, sizeof q->giver, "%s", json_str(tpl, "giver"));
            const char *about = json_str(tpl, "description");
            snprintf(q->description, sizeof q->description, "%s", about ? about : "");
            quest_giver_words(g, tpl, rows[i].progress_data, q->giver_name, sizeof q->giver_name);
            if (strcmp(quest_tpl_turn_in(tpl), "giver") == 0)
                giver_village(g, pd, q->giver_village, sizeof q->giver_village);
            const cJSON *deadline = cJSON_GetObjectItemCaseSensitive(pd, "deadline");
            if (cJSON_IsNumber(deadline) && rank == 0 && !quest_all_done(tpl, pd)) {
                q->turns_left = (int64_t)deadline->valuedouble - g->clock;
                if (q->turns_left < 0)
                    q->turns_left = 0;
            }
            cJSON *rewards = quest_scaled_rewards(g, tpl, json_int(pd, "scale", 1));
            rules_describe_effects(rewards, g->items, q->rewards, sizeof q->rewards);
            cJSON_Delete(rewards);
            const cJSON *ob;
            cJSON_ArrayForEach(ob, quest_tpl_objectives(tpl)) {
                if (q->n_objectives >= QUEST_MAX_OBJECTIVES)
                    break;
                int j = q->n_objectives++;
                QuestObjectiveView *o = &q->objectives[j];
                cJSON *st = quest_obj_state(pd, j);
                snprintf(o->text, sizeof o->text, "%s", json_str(ob, "text"));
                const char *kind = json_str(ob, "kind"), *place = json_str(ob, "place");
                if (kind && strcmp(kind, "reach") == 0 && place)
                    snprintf(o->place, sizeof o->place, "%s", place);
                if (kind && strcmp(kind, "slay") == 0 && json_str(ob, "creature"))
                    snprintf(o->creature, sizeof o->creature, "%s", json_str(ob, "creature"));
                o->count = json_int(st, "count", 0);
                o->target = json_int(st, "target", 1);
                o->done = bfield(st, "done");
                o->open = rank == 0 && quest_obj_open(g, tpl, pd, j, &rules.ctx);
            }
        }
    *out = v;
    *n_out = k;
done:
    progress_list_free(rows, n);
    return rc;
}

int quest_place_is_name(const char *place)
{
    static const char *const place_kinds[] = {"village", "ruins", "dungeon", "shrine"};
    for (size_t i = 0; i < sizeof place_kinds / sizeof place_kinds[0]; i++)
        if (strcmp(place, place_kinds[i]) == 0)
            return 0;
    return 1;
}

int quest_place_nearest(Game *g, const char *place, GenStructure *out)
{
    /* The nearest of that kind or name, not the nearest among the 64 nearest places of any kind
     * (which reach only 500-620 blocks in a world of seed 20261127). */
    int named = quest_place_is_name(place);
    Generator *gen = world_generator(g->world);
    if (generator_structure_nearest(gen, g->p.x, g->p.z, QUEST_PLACE_RADIUS, named ? NULL : place,
                                    named ? place : NULL, out))
        return 1;
    /* A storyline's village farther off: its cast knows where its villagers live. */
    int32_t x, z;
    return named && story_cast_village_at(g, place, &x, &z) &&
           generator_structure_nearest(gen, x, z, 64, "village", place, out);
}

const char *quest_compass(int dx, int dz)
{
    if (dx == 0 && dz == 0)
        return "here";
    int ax = abs(dx), az = abs(dz);
    if (ax > 2 * az)
        return dx > 0 ? "E" : "W";
    if (az > 2 * ax)
        return dz > 0 ? "S" : "N";
    return dz < 0 ? (dx > 0 ? "NE" : "NW") : (dx > 0 ? "SE" : "SW");
}

int quest_place_way(Game *g, const char *place, char *buf, size_t size)
{
    GenStructure st;
    if (!quest_place_nearest(g, place, &st)) {
        snprintf(buf, size, "no %s within %d blocks", place, QUEST_PLACE_RADIUS);
        return 0;
    }
    int dx, dz, far = quest_place_offset(g, &st, &dx, &dz), below = quest_place_below(g, &st);
    if (quest_place_is_name(place))
        snprintf(buf, size, "%s %d", quest_compass(dx, dz), far);
    else if (below > 0 && st.has_entry && far == 0)
        snprintf(buf, size, "the nearest: %s, %d below: its ladder is here (> climbs down)", st.name, below);
    else if (below > 0)
        snprintf(buf, size, "the nearest: %s, %s %d, %d below (%s)", st.name, quest_compass(dx, dz), far, below,
                 st.has_entry ? "a ladder goes down" : "no way down: dig");
    else
        snprintf(buf, size, "the nearest: %s, %s %d", st.name, quest_compass(dx, dz), far);
    return 1;
}

int quest_place_below(const Game *g, const GenStructure *st)
{
    if (!generator_kind_underground(st->type))
        return 0;
    if (g->p.y < st->y + st->h)
        return 0; /* at its rooms' height (on the altar too), or below them */
    return g->p.y - (st->y + 1); /* the floor one stands on is the box's lowest layer plus one */
}

int quest_place_offset(const Game *g, const GenStructure *st, int *dx, int *dz)
{
    if (st->has_entry && quest_place_below(g, st) > 0) {
        *dx = st->entry_x - g->p.x;
        *dz = st->entry_z - g->p.z;
    } else {
        *dx = st->x + st->w / 2 - g->p.x;
        *dz = st->z + st->d / 2 - g->p.z;
    }
    return abs(*dx) > abs(*dz) ? abs(*dx) : abs(*dz);
}

int quest_share(Game *g, const char *quest, const char *character_name, ActionResult *r, Err *err)
{
    int rc = MA_OK;
    CharacterRow other;
    memset(&other, 0, sizeof other);
    ProgressRow mine, theirs;
    memset(&mine, 0, sizeof mine);
    memset(&theirs, 0, sizeof theirs);
    const cJSON *tpl = quest_tpl_find(g, quest);
    int64_t qid = 0;
    if (!tpl) {
        game_refuse(r, "there is no quest called %s", quest);
        goto done;
    }
    if ((rc = quest_row(g, tpl, &qid, err)) != MA_OK)
        goto done;
    if (progress_get(g->save, g->p.character_id, qid, &mine, NULL) != MA_OK || strcmp(mine.status, "active") != 0) {
        game_refuse(r, "you can share only a quest you are on, and %s is not one", json_str(tpl, "title"));
        goto done;
    }
    if (characters_get_by_name(g->save, g->p.world_id, character_name, &other, NULL) != MA_OK ||
        other.user_id != g->p.user_id || other.id == g->p.character_id) {
        game_refuse(r, "%s is not another of your characters in this world", character_name);
        goto done;
    }
    if (progress_get(g->save, other.id, qid, &theirs, NULL) == MA_OK) {
        game_refuse(r, "%s has already taken %s (%s)", other.name, json_str(tpl, "title"), theirs.status);
        goto done;
    }
    ProgressRow p;
    memset(&p, 0, sizeof p);
    p.character_id = other.id;
    p.quest_id = qid;
    p.progress_data = quest_new_progress(g, tpl, other.id, other.level, json_str(mine.progress_data, "giver"));
    /* A shared quest keeps the sharer's deadline. */
    const cJSON *deadline = cJSON_GetObjectItemCaseSensitive(mine.progress_data, "deadline");
    if (cJSON_IsNumber(deadline))
        set_int(p.progress_data, "deadline", deadline->valuedouble);
    rc = save_savepoint(g->save, err);
    if (rc == MA_OK) {
        rc = progress_start(g->save, &p, err);
        rc = save_end_savepoint(g->save, rc, err);
    }
    progress_row_clear(&p);
    if (rc == MA_OK) {
        r->ok = 1;
        game_event(r, SEV_GOOD, "You share %s with %s.", json_str(tpl, "title"), other.name);
    }
done:
    character_row_clear(&other);
    progress_row_clear(&mine);
    progress_row_clear(&theirs);
    return rc;
}

/* ------------------------------------------------------------ the quest followed */

void quest_tracked(Game *g, char *buf, size_t size)
{
    if (charstate_get(g->save, g->p.character_id, "flag", "tracked_quest", buf, size, NULL) != MA_OK)
        buf[0] = '\0';
}

int quest_set_tracked(Game *g, const char *name, Err *err)
{
    int rc = save_begin(g->save, err);
    if (rc != MA_OK)
        return rc;
    rc = charstate_set(g->save, g->p.character_id, "flag", "tracked_quest", name, err);
    if (rc == MA_OK)
        return save_commit(g->save, err);
    save_rollback(g->save);
    return rc;
}
