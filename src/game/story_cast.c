/* story_cast.c — who and where a storyline is about (see story_internal.h).
 *
 * A story file speaks of "{smith}" and "@smith"; a world has Mara, the smith of Ashford,
 * standing at (12, 64, -40). When a storyline begins, the nearest village's plan (world
 * generation, structures.h) gives one villager per role, and the storyline keeps them in
 * its state for good: {"village":"Ashford","cast":{"smith":{"name":"Mara","role":"smith",
 * "entity":"villager_12_-40","village":"Ashford","at":[12,64,-40]},...},"place":{...}}. */
#include "game/story_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "game/game_internal.h"
#include "game/npc.h"
#include "save/characters.h"
#include "save/charstate.h"
#include "world/structures.h"
#include "util/json_field.h"
#include "util/text.h"

#define CAST_RADIUS 512
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const roles[] = {"smith", "farmer", "guard", "priest", "trader"};

static cJSON *pos_json(int32_t x, int32_t y, int32_t z)
{
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, cJSON_CreateNumber(x));
    cJSON_AddItemToArray(a, cJSON_CreateNumber(y));
    cJSON_AddItemToArray(a, cJSON_CreateNumber(z));
    return a;
}

/* The id of the villager entity standing at world (x, y, z), from its chunk; "" when none. */
static void entity_id_at(Game *g, int32_t x, int32_t y, int32_t z, char *out, size_t size)
{
    out[0] = '\0';
    Chunk *c = world_chunk(g->world, chunk_coord(x), chunk_coord(y), chunk_coord(z), NULL);
    if (!c)
        return;
    const cJSON *e;
    cJSON_ArrayForEach(e, c->entities) {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "position");
        if (!json_str(e, "type") || strcmp(json_str(e, "type"), "npc") != 0 || cJSON_GetArraySize(p) != 3)
            continue;
        if (cJSON_GetArrayItem(p, 0)->valueint == chunk_local(x) && cJSON_GetArrayItem(p, 2)->valueint == chunk_local(z) &&
            json_str(e, "id")) {
            snprintf(out, size, "%s", json_str(e, "id"));
            return;
        }
    }
}

static cJSON *member(const char *name, const char *role, const char *entity, const char *village, int32_t x,
                     int32_t y, int32_t z)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "name", name);
    cJSON_AddStringToObject(m, "role", role);
    cJSON_AddStringToObject(m, "entity", entity);
    cJSON_AddStringToObject(m, "village", village);
    cJSON_AddItemToObject(m, "at", pos_json(x, y, z));
    return m;
}

/* The villagers of village v (a copy: the plan is borrowed until the next generator call). */
static int village_people(Generator *gen, const GenStructure *v, StructNpc *npcs)
{
    int nn = 0;
    const RegionPlan *rp = generator_region_plan(gen, structures_region_of(v->x + v->w / 2),
                                                 structures_region_of(v->z + v->d / 2));
    for (int i = 0; i < rp->n; i++)
        if (strcmp(rp->s[i].info.name, v->name) == 0 && strcmp(rp->s[i].info.type, "village") == 0) {
            nn = rp->s[i].n_npcs;
            memcpy(npcs, rp->s[i].npcs, (size_t)nn * sizeof npcs[0]);
        }
    return nn;
}

/* Whether cast already holds someone else called name: a story that says "Ilse" twice must
 * mean one person. */
static int name_taken(const cJSON *cast, const char *name)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, cast) {
        if (json_str(m, "name") && strcmp(json_str(m, "name"), name) == 0)
            return 1;
    }
    return 0;
}

/* Fills cast with one villager per role: from the village named `village` (or the nearest
 * one when NULL) near (x, z), then, for a role that village lacks, from the next nearest
 * village that has one, passing over a villager who has the name of someone already cast.
 * Writes the first village's name into state. */
static void add_village(Game *g, cJSON *state, cJSON *cast, const char *village, int32_t x, int32_t z)
{
    Generator *gen = world_generator(g->world);
    GenStructure near[64];
    int n = generator_structures_of(gen, x, z, CAST_RADIUS, "village", near, 64); /* every village within 512 */
    /* The village asked for first, then the others nearest first. */
    for (int i = 0; i < n && village; i++)
        if (strcmp(near[i].type, "village") == 0 && strcmp(near[i].name, village) == 0) {
            GenStructure t = near[0];
            near[0] = near[i];
            near[i] = t;
            break;
        }
    for (int vi = 0; vi < n; vi++) {
        const GenStructure *v = &near[vi];
        if (strcmp(v->type, "village") != 0)
            continue;
        if (!cJSON_GetObjectItemCaseSensitive(state, "village"))
            cJSON_AddStringToObject(state, "village", v->name);
        StructNpc npcs[STRUCT_MAX_NPCS];
        int nn = village_people(gen, v, npcs);
        for (size_t r = 0; r < NELEM(roles); r++) {
            if (cJSON_GetObjectItemCaseSensitive(cast, roles[r]))
                continue;
            for (int i = 0; i < nn; i++) {
                if (strcmp(npcs[i].role, roles[r]) != 0 || name_taken(cast, npcs[i].name))
                    continue;
                char entity[64];
                entity_id_at(g, npcs[i].x, npcs[i].y, npcs[i].z, entity, sizeof entity);
                if (!entity[0])
                    continue;
                cJSON_AddItemToObject(cast, roles[r],
                                      member(npcs[i].name, roles[r], entity, v->name, npcs[i].x, npcs[i].y, npcs[i].z));
                break;
            }
        }
    }
}

cJSON *story_cast_new(Game *g, const char *villager_entity, const GenStructure *place)
{
    cJSON *state = cJSON_CreateObject();
    cJSON *cast = cJSON_AddObjectToObject(state, "cast");
    cJSON_AddObjectToObject(state, "flags");
    int32_t x = g->p.x, z = g->p.z;
    const char *village = NULL;
    char village_buf[64] = "";
    int64_t npc = villager_entity ? npc_character_id(g, villager_entity) : 0;
    CharacterRow c;
    if (npc > 0 && characters_get(g->save, npc, &c, NULL) == MA_OK) {
        const cJSON *home = cJSON_GetObjectItemCaseSensitive(c.appearance, "home");
        int32_t h[3] = {g->p.x, g->p.y, g->p.z};
        for (int i = 0; i < 3 && cJSON_GetArraySize(home) == 3; i++)
            h[i] = cJSON_GetArrayItem(home, i)->valueint;
        const char *role = json_str(c.appearance, "role");
        snprintf(village_buf, sizeof village_buf, "%s",
                 json_str(c.appearance, "village") ? json_str(c.appearance, "village") : "");
        cJSON_AddItemToObject(cast, "villager",
                              member(c.name, role ? role : "villager", villager_entity, village_buf, h[0], h[1], h[2]));
        /* The villager stands for their role too, in their own village. */
        if (role && !cJSON_GetObjectItemCaseSensitive(cast, role))
            cJSON_AddItemToObject(cast, role, cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(cast, "villager"), 1));
        if (village_buf[0]) {
            village = village_buf;
            cJSON_AddStringToObject(state, "village", village_buf);
        }
        x = h[0];
        z = h[2];
        character_row_clear(&c);
    }
    if (place) {
        cJSON *p = cJSON_AddObjectToObject(state, "place");
        cJSON_AddStringToObject(p, "type", place->type);
        cJSON_AddStringToObject(p, "name", place->name);
        cJSON_AddItemToObject(p, "at", pos_json(place->x + place->w / 2, g->p.y, place->z + place->d / 2));
    }
    add_village(g, state, cast, village, x, z);
    return state;
}

/* ------------------------------------------------------------ filling */

int story_cast_village_at(Game *g, const char *village, int32_t *x, int32_t *z)
{
    StoryProgressRow *rows = NULL;
    int n = 0, found = 0;
    if (story_progress_list(g->save, g->p.character_id, &rows, &n, NULL) != MA_OK)
        return 0;
    for (int i = 0; i < n && !found; i++) {
        const cJSON *m;
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(rows[i].state, "cast")) {
            const char *v = json_str(m, "village");
            const cJSON *at = cJSON_GetObjectItemCaseSensitive(m, "at");
            if (v && strcasecmp(v, village) == 0 && cJSON_GetArraySize(at) == 3 &&
                cJSON_IsNumber(cJSON_GetArrayItem(at, 0)) && cJSON_IsNumber(cJSON_GetArrayItem(at, 2))) {
                *x = (int32_t)cJSON_GetArrayItem(at, 0)->valuedouble;
                *z = (int32_t)cJSON_GetArrayItem(at, 2)->valuedouble;
                found = 1;
                break;
            }
        }
    }
    story_progress_list_free(rows, n);
    return found;
}

static const cJSON *cast_of(const cJSON *state, const char *who)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(state, "cast"), who);
}

/* {way:KIND} (back = 0): the way in words ("south-west") from the storyline's village to the
 * nearest place of KIND within 640 blocks of it; {way_back:KIND} (back = 1): from that place to
 * the village. Where either cannot be found (a flat world, a cast with no village) the story's
 * own words stand in: north there, south back. */
static const char *way_field(Game *g, const cJSON *state, const char *kind, int back)
{
    const char *village = json_str(state, "village");
    const cJSON *m, *at = NULL;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(state, "cast")) {
        const char *v = json_str(m, "village");
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(m, "at");
        if (village && v && strcmp(v, village) == 0 && cJSON_GetArraySize(a) == 3 &&
            cJSON_IsNumber(cJSON_GetArrayItem(a, 0)) && cJSON_IsNumber(cJSON_GetArrayItem(a, 2)) &&
            fabs(cJSON_GetArrayItem(a, 0)->valuedouble) < 1e9 && fabs(cJSON_GetArrayItem(a, 2)->valuedouble) < 1e9) {
            at = a; /* (a damaged state's 1e300 is no place) */
            break;
        }
    }
    Generator *gen = world_generator(g->world);
    if (!at || !gen)
        return back ? "south" : "north";
    int32_t x = (int32_t)cJSON_GetArrayItem(at, 0)->valuedouble, z = (int32_t)cJSON_GetArrayItem(at, 2)->valuedouble;
    const char *way = NULL;
    GenStructure home, there;
    if (generator_structure_nearest(gen, x, z, 128, "village", village, &home)) {
        int dx = 0, dz = 0;
        if (generator_structure_nearest(gen, home.x + home.w / 2, home.z + home.d / 2, 640, kind, NULL, &there))
            dx = there.x + there.w / 2 - (home.x + home.w / 2), dz = there.z + there.d / 2 - (home.z + home.d / 2);
        way = back ? text_compass(-dx, -dz) : text_compass(dx, dz);
    }
    return way ? way : back ? "south" : "north";
}

/* The text of one {field}, or its stand-in. */
static const char *field_value(Game *g, const cJSON *state, const char *name, char *buf, size_t size)
{
    if (strcmp(name, "character") == 0)
        return g->p.name;
    if (strcmp(name, "class") == 0)
        return g->p.character_class;
    if (strcmp(name, "world") == 0)
        return g->p.world_name;
    if (strcmp(name, "village") == 0)
        return json_str(state, "village") ? json_str(state, "village") : "the village";
    if (strncmp(name, "way:", 4) == 0)
        return way_field(g, state, name + 4, 0);
    if (strncmp(name, "way_back:", 9) == 0)
        return way_field(g, state, name + 9, 1);
    if (strcmp(name, "place") == 0) {
        const char *p = json_str(cJSON_GetObjectItemCaseSensitive(state, "place"), "name");
        return p ? p : "this place";
    }
    const char *who = json_str(cast_of(state, name), "name");
    if (who)
        return who;
    snprintf(buf, size, "the %s", name);
    return buf;
}

void story_fill_text(Game *g, const cJSON *state, const char *in, char *out, size_t size)
{
    size_t o = 0;
    if (!size)
        return;
    for (const char *p = in ? in : ""; *p && o + 1 < size;) {
        const char *end = *p == '{' ? strchr(p, '}') : NULL;
        if (end && end - p < 32) {
            char name[32], buf[48];
            snprintf(name, sizeof name, "%.*s", (int)(end - p - 1), p + 1);
            const char *v = field_value(g, state, name, buf, sizeof buf);
            /* "the smith" starting a sentence reads "The smith". */
            size_t back = o;
            while (back > 0 && (out[back - 1] == '"' || out[back - 1] == '\''))
                back--;
            int start = back == 0 || (back >= 2 && out[back - 1] == ' ' && strchr(".!?", out[back - 2])) ||
                        out[back - 1] == '\n';
            for (const char *q = v; *q && o + 1 < size; q++)
                out[o++] = q == v && start ? (char)toupper((unsigned char)*q) : *q;
            p = end + 1;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
}

static int64_t ensure_member(Game *g, const cJSON *m, Err *err)
{
    const char *entity = json_str(m, "entity");
    if (!entity || !entity[0])
        return 0;
    int64_t id = npc_character_id(g, entity);
    if (id > 0)
        return id;
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(m, "at");
    if (cJSON_GetArraySize(at) != 3)
        return 0;
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "type", "npc");
    cJSON_AddStringToObject(e, "id", entity);
    cJSON_AddStringToObject(e, "role", json_str(m, "role") ? json_str(m, "role") : "farmer");
    cJSON_AddStringToObject(e, "name", json_str(m, "name") ? json_str(m, "name") : "Villager");
    cJSON_AddStringToObject(e, "village", json_str(m, "village") ? json_str(m, "village") : "");
    int rc = npc_ensure(g, e, cJSON_GetArrayItem(at, 0)->valueint, cJSON_GetArrayItem(at, 1)->valueint,
                        cJSON_GetArrayItem(at, 2)->valueint, &id, err);
    cJSON_Delete(e);
    return rc == MA_OK ? id : rc;
}

static void note_skip(cJSON **skipped, const char *what, const char *who)
{
    if (!skipped)
        return;
    if (!*skipped)
        *skipped = cJSON_CreateArray();
    char buf[160];
    snprintf(buf, sizeof buf, "%s: nobody here is %s", what, who);
    cJSON_AddItemToArray(*skipped, cJSON_CreateString(buf));
}

static void fill_string(Game *g, const cJSON *state, cJSON *s)
{
    if (!cJSON_IsString(s) || !strchr(s->valuestring, '{'))
        return;
    char buf[512];
    story_fill_text(g, state, s->valuestring, buf, sizeof buf);
    buf[255] = '\0'; /* the rule language's limit for texts */
    cJSON_SetValuestring(s, buf);
}

/* Makes one form concrete in place; returns 0 when it names someone the cast lacks, -1
 * when the save failed. */
static int fill_form(Game *g, const cJSON *state, cJSON *kv, int effects, Err *err)
{
    const char *k = kv->string;
    cJSON *it;
    if (strcmp(k, "all") == 0 || strcmp(k, "any") == 0) {
        cJSON_ArrayForEach(it, kv) {
            if (it->child && fill_form(g, state, it->child, effects, err) < 0)
                return -1;
        }
        return 1;
    }
    if (strcmp(k, "not") == 0)
        return kv->child ? fill_form(g, state, kv->child, effects, err) : 1;
    int moves = strcmp(k, "leave") == 0 || strcmp(k, "come_home") == 0;
    if (strcmp(k, "relationship") == 0 || moves) {
        /* "with" a villager, or "who" leaves or comes home: their entity id, the villager met. */
        cJSON *with = cJSON_GetObjectItemCaseSensitive(kv, moves ? "who" : "with");
        fill_string(g, state, cJSON_GetObjectItemCaseSensitive(kv, "reason"));
        if (!cJSON_IsString(with) || with->valuestring[0] != '@' || strcmp(with->valuestring, "@npc") == 0)
            return 1;
        const cJSON *m = cast_of(state, with->valuestring + 1);
        const char *entity = json_str(m, "entity");
        if (effects && m) {
            int64_t id = ensure_member(g, m, err);
            if (id < 0)
                return -1;
            if (id == 0)
                entity = NULL;
        }
        if (!entity || !entity[0]) {
            if (effects)
                return 0;
            cJSON_SetValuestring(with, "nobody");
            return 1;
        }
        cJSON_SetValuestring(with, entity);
        return 1;
    }
    if (strcmp(k, "set_block") == 0) {
        cJSON *at = cJSON_GetObjectItemCaseSensitive(kv, "at");
        if (!cJSON_IsString(at) || at->valuestring[0] != '@')
            return 1;
        const cJSON *m = strcmp(at->valuestring, "@place") == 0 ? cJSON_GetObjectItemCaseSensitive(state, "place")
                                                                : cast_of(state, at->valuestring + 1);
        const cJSON *pos = cJSON_GetObjectItemCaseSensitive(m, "at");
        if (cJSON_GetArraySize(pos) != 3)
            return 0;
        cJSON_ReplaceItemInObjectCaseSensitive(kv, "at", cJSON_Duplicate(pos, 1));
        return 1;
    }
    if (strcmp(k, "place") == 0) {
        /* "@village": the story's own village, by its name (any village when the cast has none). */
        cJSON *near = cJSON_GetObjectItemCaseSensitive(kv, "near");
        if (cJSON_IsString(near) && strcmp(near->valuestring, "@village") == 0) {
            const char *home = json_str(state, "village");
            cJSON_SetValuestring(near, home && home[0] ? home : "village");
        }
        return 1;
    }
    if (strcmp(k, "message") == 0)
        fill_string(g, state, kv);
    return 1;
}

cJSON *story_fill_rules(Game *g, const cJSON *state, const cJSON *json, int effects, cJSON **skipped, Err *err)
{
    if (skipped)
        *skipped = NULL;
    cJSON *copy = json ? cJSON_Duplicate(json, 1) : NULL;
    if (!copy)
        return effects ? cJSON_CreateArray() : cJSON_CreateObject();
    if (!effects) {
        if (copy->child && fill_form(g, state, copy->child, 0, err) < 0) {
            cJSON_Delete(copy);
            return NULL;
        }
        return copy;
    }
    cJSON *it = copy->child;
    while (it) {
        cJSON *next = it->next;
        int keep = it->child ? fill_form(g, state, it->child, 1, err) : 1;
        if (keep < 0) {
            cJSON_Delete(copy);
            if (skipped) {
                cJSON_Delete(*skipped);
                *skipped = NULL;
            }
            return NULL;
        }
        if (!keep) {
            const char *k = it->child->string ? it->child->string : "";
            const char *who = strcmp(k, "relationship") == 0                              ? json_str(it->child, "with")
                            : strcmp(k, "leave") == 0 || strcmp(k, "come_home") == 0 ? json_str(it->child, "who")
                                                                                        : json_str(it->child, "at");
            note_skip(skipped, it->child->string, who ? who + 1 : "there");
            cJSON_Delete(cJSON_DetachItemViaPointer(copy, it));
        }
        it = next;
    }
    return copy;
}
