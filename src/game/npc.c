/* npc.c — villagers in the world: meeting, relationships, deeds, names. Dialogue and trade are
 * npc_dialogue.c (shared: npc_internal.h).
 *
 * World generation puts villagers in chunk entities ({"type":"npc","id":"villager_3_4",
 * "role":"smith","name":"Mara","village":"Ashford","position":[lx,ly,lz]}). The first time the
 * player talks to one or walks within 3 blocks, the villager becomes a characters row (class
 * "villager", no user; appearance {"entity_id","role","village","home":[x,y,z]}), with a
 * relationship row each way. Dialogue comes from data/dialogue.json, per role: greetings by the
 * NPC's regard, and replies that are plain (a condition, effects and a response, all in the
 * rule language) or that expand into lists the game fills in ("offer": work, hand_in, buy,
 * sell, bye). */
#include "game/npc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/game_internal.h"
#include "game/game_rules.h"
#include "game/inventory.h"
#include "game/progress.h"
#include "game/quest.h"
#include "game/rules.h"
#include "save/characters.h"
#include "save/charstate.h"
#include "save/skills.h"
#include "util/data.h"
#include "util/text.h"
#include "game/npc_internal.h"

/* ------------------------------------------------------------ villagers in the world */

/* The villager entity at world (x, z) whose feet are at y - 1..y + 1; a copy the caller deletes,
 * with its world position in pos. */
cJSON *npc_entity_at(Game *g, int32_t x, int32_t y, int32_t z, int32_t pos[3])
{
    int32_t cx = chunk_coord(x), cz = chunk_coord(z);
    int32_t cys[3] = {chunk_coord(y - 1), chunk_coord(y), chunk_coord(y + 1)};
    for (int k = 0; k < 3; k++) {
        if (k > 0 && cys[k] == cys[k - 1])
            continue;
        Chunk *c = world_chunk(g->world, cx, cys[k], cz, NULL);
        if (!c)
            continue;
        const cJSON *e;
        cJSON_ArrayForEach(e, c->entities) {
            const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "position");
            if (!json_str(e, "type") || strcmp(json_str(e, "type"), "npc") != 0 || cJSON_GetArraySize(p) != 3)
                continue;
            int32_t wx = cx * CHUNK_SIZE + cJSON_GetArrayItem(p, 0)->valueint;
            int32_t wy = cys[k] * CHUNK_SIZE + cJSON_GetArrayItem(p, 1)->valueint;
            int32_t wz = cz * CHUNK_SIZE + cJSON_GetArrayItem(p, 2)->valueint;
            if (wx == x && wz == z && wy >= y - 1 && wy <= y + 1) {
                pos[0] = wx;
                pos[1] = wy;
                pos[2] = wz;
                return cJSON_Duplicate(e, 1);
            }
        }
    }
    return NULL;
}

/* Whether the villager whose entity id is entity stands within reach (across) and a level (up or
 * down) of the player, wherever it has walked since it was met. */
int npc_within_reach(Game *g, const char *entity, int reach)
{
    const Player *p = &g->p;
    for (int32_t cy = chunk_coord(p->y - 1); cy <= chunk_coord(p->y + 1); cy++)
        for (int32_t cz = chunk_coord(p->z - reach); cz <= chunk_coord(p->z + reach); cz++)
            for (int32_t cx = chunk_coord(p->x - reach); cx <= chunk_coord(p->x + reach); cx++) {
                Chunk *c = world_chunk(g->world, cx, cy, cz, NULL);
                if (!c)
                    continue;
                const cJSON *e;
                cJSON_ArrayForEach(e, c->entities) {
                    const cJSON *pos = cJSON_GetObjectItemCaseSensitive(e, "position");
                    if (!json_str(e, "id") || strcmp(json_str(e, "id"), entity) != 0 || cJSON_GetArraySize(pos) != 3)
                        continue;
                    int32_t wx = cx * CHUNK_SIZE + cJSON_GetArrayItem(pos, 0)->valueint;
                    int32_t wy = cy * CHUNK_SIZE + cJSON_GetArrayItem(pos, 1)->valueint;
                    int32_t wz = cz * CHUNK_SIZE + cJSON_GetArrayItem(pos, 2)->valueint;
                    return abs(wx - p->x) <= reach && abs(wz - p->z) <= reach && abs(wy - p->y) <= 1;
                }
            }
    return 0;
}

int64_t npc_character_id(Game *g, const char *entity_id)
{
    if (!entity_id || !entity_id[0])
        return 0;
    CharacterRow *rows = NULL;
    int n = 0;
    int64_t id = 0;
    if (characters_list_by_world(g->save, g->p.world_id, &rows, &n, NULL) != MA_OK)
        return 0;
    for (int i = 0; i < n && !id; i++) {
        const char *e = json_str(rows[i].appearance, "entity_id");
        if (rows[i].user_id == 0 && e && strcmp(e, entity_id) == 0)
            id = rows[i].id;
    }
    characters_list_free(rows, n);
    return id;
}

int npc_role(Game *g, int64_t npc_id, char *role, size_t role_size, char *entity, size_t entity_size)
{
    CharacterRow c;
    if (characters_get(g->save, npc_id, &c, NULL) != MA_OK)
        return 0;
    const char *r = json_str(c.appearance, "role"), *e = json_str(c.appearance, "entity_id");
    int ok = c.user_id == 0 && r != NULL;
    if (ok && role)
        snprintf(role, role_size, "%s", r);
    if (ok && entity)
        snprintf(entity, entity_size, "%s", e ? e : "");
    character_row_clear(&c);
    return ok;
}

static cJSON *history_entry(Game *g, const char *deed, int delta, const char *reason)
{
    cJSON *h = cJSON_CreateObject();
    cJSON_AddNumberToObject(h, "turn", (double)g->clock);
    cJSON_AddStringToObject(h, "deed", deed);
    cJSON_AddNumberToObject(h, "change", delta);
    cJSON_AddStringToObject(h, "reason", reason);
    return h;
}

int npc_relationship_change(Game *g, int64_t npc_id, int delta, const char *deed, const char *reason,
                            ActionResult *r, Err *err)
{
    int back = delta / 2;
    if (back == 0 && delta != 0)
        back = delta > 0 ? 1 : -1;
    cJSON *h1 = history_entry(g, deed, delta, reason), *h2 = history_entry(g, deed, back, reason);
    int now = 0;
    int rc = save_savepoint(g->save, err);
    if (rc == MA_OK) {
        rc = relationships_change(g->save, npc_id, g->p.character_id, delta, h1, &now, err);
        if (rc == MA_OK)
            rc = relationships_change(g->save, g->p.character_id, npc_id, back, h2, NULL, err);
        rc = save_end_savepoint(g->save, rc, err);
    }
    cJSON_Delete(h1);
    cJSON_Delete(h2);
    if (rc == MA_OK && r && delta != 0) {
        CharacterRow c;
        if (characters_get(g->save, npc_id, &c, NULL) == MA_OK) {
            game_event(r, delta > 0 ? SEV_GOOD : SEV_WARN, "%s %s you (%+d, now %d).", c.name,
                       delta > 0 ? "thinks better of" : "thinks worse of", delta, now);
            character_row_clear(&c);
        }
    }
    return rc;
}

int npc_met_names(Game *g, NpcName **out, int *n_out, Err *err)
{
    *out = NULL;
    *n_out = 0;
    CharacterRow *rows = NULL;
    int n = 0;
    int rc = characters_list_by_world(g->save, g->p.world_id, &rows, &n, err);
    if (rc != MA_OK)
        return rc;
    NpcName *v = calloc((size_t)(n > 0 ? n : 1), sizeof *v);
    if (!v) {
        characters_list_free(rows, n);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    int k = 0;
    for (int i = 0; i < n; i++) {
        const char *e = json_str(rows[i].appearance, "entity_id");
        if (rows[i].user_id != 0 || !e)
            continue;
        snprintf(v[k].entity, sizeof v[k].entity, "%s", e);
        snprintf(v[k].name, sizeof v[k].name, "%s", rows[i].name);
        text_words(json_str(rows[i].appearance, "role") ? json_str(rows[i].appearance, "role") : "", v[k].role,
                   sizeof v[k].role);
        k++;
    }
    characters_list_free(rows, n);
    *out = v;
    *n_out = k;
    return MA_OK;
}

int npc_display_name(Game *g, int64_t npc_id, char *buf, size_t size)
{
    CharacterRow c;
    if (characters_get(g->save, npc_id, &c, NULL) != MA_OK) {
        snprintf(buf, size, "a villager");
        return 0;
    }
    char role[16] = "";
    text_words(json_str(c.appearance, "role") ? json_str(c.appearance, "role") : "", role, sizeof role);
    const char *village = json_str(c.appearance, "village");
    /* "Mara of Ashford" already says the village. */
    int says_village = village && village[0] && strstr(c.name, village) != NULL;
    if (role[0])
        snprintf(buf, size, "%s, the %s%s%s", c.name, role, village && village[0] && !says_village ? " of " : "",
                 village && !says_village ? village : "");
    else
        snprintf(buf, size, "%s", c.name);
    character_row_clear(&c);
    return 1;
}

int npc_ensure(Game *g, const cJSON *e, int32_t wx, int32_t wy, int32_t wz, int64_t *id, Err *err)
{
    const char *entity = json_str(e, "id");
    *id = npc_character_id(g, entity);
    if (*id > 0 || !entity)
        return MA_OK;
    const char *name = json_str(e, "name") ? json_str(e, "name") : "Villager";
    const char *village = json_str(e, "village") ? json_str(e, "village") : "";
    CharacterRow c;
    memset(&c, 0, sizeof c);
    c.world_id = g->p.world_id;
    snprintf(c.character_class, sizeof c.character_class, "villager");
    c.level = 1;
    /* The design's seven stats, as `verify` expects of every character: an ordinary villager. */
    c.stats = cJSON_CreateObject();
    static const char *const stat_keys[] = {"health", "mana", "strength", "intelligence", "dexterity",
                                            "constitution", "charisma"};
    static const int stat_values[] = {40, 10, 10, 10, 10, 10, 12};
    for (size_t i = 0; i < NELEM(stat_keys); i++)
        cJSON_AddNumberToObject(c.stats, stat_keys[i], stat_values[i]);
    c.appearance = cJSON_CreateObject();
    cJSON_AddStringToObject(c.appearance, "entity_id", entity);
    cJSON_AddStringToObject(c.appearance, "role", json_str(e, "role") ? json_str(e, "role") : "farmer");
    cJSON_AddStringToObject(c.appearance, "village", village);
    cJSON *home = cJSON_AddArrayToObject(c.appearance, "home");
    cJSON_AddItemToArray(home, cJSON_CreateNumber(wx));
    cJSON_AddItemToArray(home, cJSON_CreateNumber(wy));
    cJSON_AddItemToArray(home, cJSON_CreateNumber(wz));
    c.position_x = wx + 0.5;
    c.position_y = wy;
    c.position_z = wz + 0.5;
    int rc = save_savepoint(g->save, err);
    if (rc != MA_OK) {
        character_row_clear(&c);
        return rc;
    }
    /* Names are unique in a world, and a player must be able to tell two villagers apart by
     * name: a second Mara of another village is "Mara of Ashford"; a second Mara of the same
     * village (generation gives each villager a first name of 24, so one village often has two)
     * gets a byname chosen by her entity id ("Mara Greycloak"); failing all, her id. Generation
     * is left as it is: old worlds keep their villagers, and the fix reaches them too. */
    static const char *const bynames[] = {"Greycloak", "Longstride", "Brightwater", "Quickhand", "Oakheart",
                                          "Stonefoot", "Redmane",    "Fairweather", "Ironside",  "Swiftbrook",
                                          "Thornfield", "Ambervale"};
    uint32_t h = 2166136261u;
    for (const char *k = entity; *k; k++)
        h = (h ^ (unsigned char)*k) * 16777619u;
    int same_village = 0;
    for (int attempt = 0; attempt < 3 + (int)NELEM(bynames); attempt++) {
        if (attempt == 0)
            snprintf(c.name, sizeof c.name, "%s", name);
        else if (attempt == 1 && village[0] && !same_village)
            snprintf(c.name, sizeof c.name, "%.30s of %.30s", name, village);
        else if (attempt >= 2 && attempt < 2 + (int)NELEM(bynames))
            snprintf(c.name, sizeof c.name, "%.30s %s", name, bynames[(h + (uint32_t)attempt - 2) % NELEM(bynames)]);
        else if (attempt >= 2)
            snprintf(c.name, sizeof c.name, "%.20s (%.40s)", name, entity);
        else
            continue;
        CharacterRow clash;
        if (characters_get_by_name(g->save, g->p.world_id, c.name, &clash, NULL) == MA_OK) {
            if (attempt == 0) {
                const char *cv = json_str(clash.appearance, "village");
                same_village = clash.user_id == 0 && cv && strcmp(cv, village) == 0;
            }
            character_row_clear(&clash);
            continue;
        }
        rc = characters_insert(g->save, &c, err);
        break;
    }
    if (rc == MA_OK && c.id == 0)
        rc = err_set(err, MA_ERR_CONSTRAINT, "no free name for the villager %s", entity);
    cJSON *h1 = history_entry(g, "met", 0, "first meeting"), *h2 = history_entry(g, "met", 0, "first meeting");
    if (rc == MA_OK)
        rc = relationships_change(g->save, c.id, g->p.character_id, 0, h1, NULL, err);
    if (rc == MA_OK)
        rc = relationships_change(g->save, g->p.character_id, c.id, 0, h2, NULL, err);
    if (rc == MA_OK)
        rc = charstate_add(g->save, g->p.character_id, "villagers_met", 1, NULL, err);
    cJSON_Delete(h1);
    cJSON_Delete(h2);
    rc = save_end_savepoint(g->save, rc, err);
    if (rc == MA_OK)
        *id = c.id;
    character_row_clear(&c);
    return rc;
}

/* Records that the player has met the villager of entity id `entity` (a flag met_ID); *was_new
 * says whether they had not met before. Walking up to them and talking to them both count. */
int npc_mark_met(Game *g, const char *entity, int *was_new, Err *err)
{
    char flag[80], buf[8];
    snprintf(flag, sizeof flag, "met_%.60s", entity);
    *was_new = charstate_get(g->save, g->p.character_id, "flag", flag, buf, sizeof buf, NULL) != MA_OK;
    return *was_new ? charstate_set(g->save, g->p.character_id, "flag", flag, "1", err) : MA_OK;
}

/* Villagers within MEET_RADIUS of the player become rows. */
static int meet_nearby(Game *g, ActionResult *r, Err *err)
{
    int32_t x0 = g->p.x - MEET_RADIUS, x1 = g->p.x + MEET_RADIUS, z0 = g->p.z - MEET_RADIUS, z1 = g->p.z + MEET_RADIUS;
    int rc = MA_OK;
    for (int32_t cx = chunk_coord(x0); cx <= chunk_coord(x1) && rc == MA_OK; cx++)
        for (int32_t cz = chunk_coord(z0); cz <= chunk_coord(z1) && rc == MA_OK; cz++) {
            int32_t cy = chunk_coord(g->p.y);
            Chunk *c = world_chunk(g->world, cx, cy, cz, NULL);
            if (!c || cJSON_GetArraySize(c->entities) == 0)
                continue;
            cJSON *ents = cJSON_Duplicate(c->entities, 1), *e;
            cJSON_ArrayForEach(e, ents) {
                const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "position");
                if (!json_str(e, "type") || strcmp(json_str(e, "type"), "npc") != 0 || cJSON_GetArraySize(p) != 3 ||
                    !json_str(e, "id"))
                    continue;
                int32_t wx = cx * CHUNK_SIZE + cJSON_GetArrayItem(p, 0)->valueint;
                int32_t wy = cy * CHUNK_SIZE + cJSON_GetArrayItem(p, 1)->valueint;
                int32_t wz = cz * CHUNK_SIZE + cJSON_GetArrayItem(p, 2)->valueint;
                if (abs(wx - g->p.x) > MEET_RADIUS || abs(wz - g->p.z) > MEET_RADIUS || abs(wy - g->p.y) > 2)
                    continue;
                int64_t id;
                int was_new;
                if ((rc = npc_mark_met(g, json_str(e, "id"), &was_new, err)) != MA_OK)
                    break;
                if (!was_new)
                    continue;
                if ((rc = npc_ensure(g, e, wx, wy, wz, &id, err)) != MA_OK)
                    break;
                char who[160];
                npc_display_name(g, id, who, sizeof who);
                game_event(r, SEV_INFO, "You meet %s.", who);
            }
            cJSON_Delete(ents);
        }
    return rc;
}

typedef struct Deed {
    char key[65];
} Deed;

typedef struct DeedList {
    Deed d[16];
    int n;
} DeedList;

static int collect_deed(const char *key, const char *value, void *ud)
{
    DeedList *l = ud;
    if ((strncmp(key, "attacked_", 9) == 0 || strncmp(key, "stole_", 6) == 0) && strcmp(value, "counted") != 0 &&
        l->n < 16)
        snprintf(l->d[l->n++].key, sizeof l->d[0].key, "%s", key);
    return 0;
}

/* The villager a deed flag names: an entity id or a character id. */
static int64_t deed_target(Game *g, const char *who)
{
    int64_t id = npc_character_id(g, who);
    if (id > 0)
        return id;
    char *end;
    long long n = strtoll(who, &end, 10);
    return *end == '\0' && n > 0 && npc_role(g, n, NULL, 0, NULL, 0) ? n : 0;
}

int npc_after_action(Game *g, const Action *a, ActionResult *r, Err *err)
{
    int rc = MA_OK;
    if ((a->kind == ACT_MOVE || a->kind == ACT_UP || a->kind == ACT_DOWN) && r->ok)
        rc = meet_nearby(g, r, err);
    DeedList l;
    l.n = 0;
    if (rc == MA_OK)
        rc = charstate_each(g->save, g->p.character_id, "flag", collect_deed, &l, err);
    for (int i = 0; i < l.n && rc == MA_OK; i++) {
        int attack = strncmp(l.d[i].key, "attacked_", 9) == 0;
        int64_t npc = deed_target(g, l.d[i].key + (attack ? 9 : 6));
        if (npc > 0)
            rc = npc_relationship_change(g, npc, attack ? -25 : -15, attack ? "attack" : "theft",
                                         attack ? "you attacked them" : "you stole from them", r, err);
        if (rc == MA_OK)
            rc = charstate_set(g->save, g->p.character_id, "flag", l.d[i].key, "counted", err);
    }
    return rc;
}

static const char *opinion_words(int v)
{
    return v <= -60 ? "hates you" : v <= -20 ? "dislikes you" : v < 20 ? "is neutral toward you" : v < 60 ? "likes you" : "trusts you";
}

int npc_describe(Game *g, int32_t x, int32_t y, int32_t z, char *buf, size_t size)
{
    int32_t pos[3];
    cJSON *e = npc_entity_at(g, x, y, z, pos);
    if (!e)
        e = npc_entity_at(g, x, y - 1, z, pos);
    if (!e)
        return 0;
    char role[16];
    text_words(json_str(e, "role"), role, sizeof role);
    const char *village = json_str(e, "village");
    int64_t id = npc_character_id(g, json_str(e, "id"));
    RelationshipRow rel;
    if (id > 0 && relationships_get(g->save, id, g->p.character_id, &rel, NULL) == MA_OK) {
        const cJSON *last = cJSON_GetArrayItem(rel.interaction_history, cJSON_GetArraySize(rel.interaction_history) - 1);
        char who[160];
        npc_display_name(g, id, who, sizeof who);
        snprintf(buf, size, "%s: %s (%d)%s%s", who, opinion_words(rel.relationship_value), rel.relationship_value,
                 last ? ": " : "", last && json_str(last, "reason") ? json_str(last, "reason") : "");
        relationship_row_clear(&rel);
    } else {
        snprintf(buf, size, "%s, the %s%s%s: has not met you", json_str(e, "name") ? json_str(e, "name") : "a villager",
                 role, village ? " of " : "", village ? village : "");
    }
    cJSON_Delete(e);
    return 1;
}
