/* creatures.c — the creature book (data/creatures.json and data/spells.json,
 * validated when loaded), creatures as chunk entities, spawning near the
 * player and the creatures' own turns. What the player does to them (bump,
 * arrows, spells) and what they do to the player is in combat.c.
 *
 * The world cache may evict a chunk whenever another one is loaded, and the
 * entity objects go with it, so a creature's turn looks at the blocks first
 * and only then fetches its chunk and changes the entity; nothing holds an
 * entity pointer across a call that may load chunks. */
#include "game/creatures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/game_internal.h"
#include "save/charstate.h"
#include "util/data.h"
#include "util/json_field.h"

/* How far (in chunks, horizontally) around the player creatures live and act. */
#define TICK_CHUNKS 2

typedef struct Habitat {
    unsigned biomes; /* one bit per Biome */
    int min_y, max_y;
    int time; /* 0 any, 1 day, 2 night */
} Habitat;

typedef struct SpawnRules {
    double chance_day, chance_night, chance_cave; /* percent per turn */
    int cave_below_y, cap, min_distance, max_distance;
} SpawnRules;

struct CreatureBook {
    CreatureDef *defs;
    Habitat *habitats;
    int n;
    SpellDef *spells;
    int n_spells;
    SpawnRules spawn;
};

/* ------------------------------------------------------------ loading */

static int entry_error(Err *err, const char *source, const char *what, int i, const char *name, const char *why)
{
    return err_set(err, MA_ERR_INVALID, "%s: %s %d (\"%s\"): %s", source, what, i, name && name[0] ? name : "?", why);
}

/* [min, max] with lo <= min <= max <= hi. */
static int get_range(const cJSON *o, const char *key, int lo, int hi, int *mn, int *mx)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2)
        return -1;
    const cJSON *a = cJSON_GetArrayItem(v, 0), *b = cJSON_GetArrayItem(v, 1);
    if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b) || a->valueint < lo || b->valueint > hi || a->valueint > b->valueint)
        return -1;
    *mn = a->valueint;
    *mx = b->valueint;
    return 0;
}

static int valid_kind(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* Exactly one UTF-8 character. */
static int one_glyph(const char *s)
{
    int starts = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            starts++;
    return starts == 1;
}

static int parse_habitat(const cJSON *h, Habitat *out, const char **why)
{
    static char msg[160];
    const cJSON *biomes = cJSON_GetObjectItemCaseSensitive(h, "biomes");
    if (!cJSON_IsObject(h) || !cJSON_IsArray(biomes) || cJSON_GetArraySize(biomes) == 0) {
        *why = "\"habitat\" must be an object with a non-empty \"biomes\" array";
        return -1;
    }
    out->biomes = 0;
    const cJSON *b;
    cJSON_ArrayForEach(b, biomes) {
        int found = 0;
        if (cJSON_IsString(b) && strcmp(b->valuestring, "any") == 0) {
            out->biomes = (1u << BIOME_COUNT) - 1;
            found = 1;
        }
        for (int i = 0; i < BIOME_COUNT && cJSON_IsString(b) && !found; i++)
            if (strcmp(b->valuestring, biome_name((Biome)i)) == 0) {
                out->biomes |= 1u << i;
                found = 1;
            }
        if (!found) {
            snprintf(msg, sizeof msg, "habitat.biomes: \"%s\" is not a biome (any, ocean, plains, forest, desert, "
                     "snowy mountains, swamp, lake)", cJSON_IsString(b) ? b->valuestring : "?");
            *why = msg;
            return -1;
        }
    }
    if (json_field_int(h, "min_y", 0, WORLD_HEIGHT - 1, 0, 0, &out->min_y) ||
        json_field_int(h, "max_y", 0, WORLD_HEIGHT - 1, WORLD_HEIGHT - 1, 0, &out->max_y) || out->min_y > out->max_y) {
        *why = "habitat.min_y and habitat.max_y must be levels 0..255 with min_y <= max_y";
        return -1;
    }
    char time[8];
    if (json_field_str(h, "time", time, sizeof time, "any", JSON_FIELD_NONEMPTY)) {
        *why = "habitat.time must be \"day\", \"night\" or \"any\"";
        return -1;
    }
    out->time = strcmp(time, "day") == 0 ? 1 : strcmp(time, "night") == 0 ? 2 : strcmp(time, "any") == 0 ? 0 : -1;
    if (out->time < 0) {
        *why = "habitat.time must be \"day\", \"night\" or \"any\"";
        return -1;
    }
    return 0;
}

static int parse_drops(const cJSON *drops, CreatureDef *d, const char **why)
{
    d->n_drops = 0;
    if (!drops)
        return 0;
    if (!cJSON_IsArray(drops) || cJSON_GetArraySize(drops) > 8) {
        *why = "\"drops\" must be an array of at most 8 entries";
        return -1;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, drops) {
        CreatureDrop *dr = &d->drops[d->n_drops];
        if (!cJSON_IsObject(e) || json_field_str(e, "item", dr->item, sizeof dr->item, NULL, JSON_FIELD_NONEMPTY) ||
            !valid_kind(dr->item) ||
            json_field_int(e, "chance", 0, 100, 0, 1, &dr->chance) ||
                get_range(e, "count", 1, 99, &dr->min, &dr->max)) {
            *why = "each drop needs \"item\" (an item name), \"chance\" (0..100) and \"count\" [min, max] in 1..99";
            return -1;
        }
        d->n_drops++;
    }
    return 0;
}

static int parse_creature(const cJSON *c, CreatureDef *d, Habitat *h, const char **why)
{
    memset(d, 0, sizeof *d);
    if (!cJSON_IsObject(c) || json_field_str(c, "kind", d->kind, sizeof d->kind, NULL, JSON_FIELD_NONEMPTY) ||
        !valid_kind(d->kind)) {
        *why = "\"kind\" must be a name of lower-case letters, digits and _ under 32 characters";
        return -1;
    }
    char plain[32];
    snprintf(plain, sizeof plain, "%s", d->kind);
    for (char *p = plain; *p; p++)
        if (*p == '_')
            *p = ' ';
    if (json_field_str(c, "name", d->name, sizeof d->name, plain, JSON_FIELD_NONEMPTY)) {
        *why = "\"name\" must be a string under 40 characters";
        return -1;
    }
    if (json_field_str(c, "glyph", d->glyph, sizeof d->glyph, NULL, JSON_FIELD_NONEMPTY) || !one_glyph(d->glyph)) {
        *why = "\"glyph\" must be one character";
        return -1;
    }
    if (json_field_int(c, "color256", 0, 255, 0, 1, &d->color256) ||
        json_field_int(c, "color8", 0, 7, 0, 1, &d->color8)) {
        *why = "\"color256\" (0..255) and \"color8\" (0..7) are required";
        return -1;
    }
    if (json_field_int(c, "health", 1, 10000, 0, 1, &d->health)) {
        *why = "\"health\" must be a whole number from 1 to 10000";
        return -1;
    }
    if (get_range(c, "attack", 0, 1000, &d->attack_min, &d->attack_max)) {
        *why = "\"attack\" must be [min, max] damage with 0 <= min <= max <= 1000";
        return -1;
    }
    if (json_field_int(c, "defense", 0, 100, 0, 1, &d->defense) || json_field_int(c, "hit", 0, 100, 0, 1, &d->hit)) {
        *why = "\"defense\" and \"hit\" (percent) must be whole numbers from 0 to 100";
        return -1;
    }
    if (json_field_int(c, "speed", 10, 300, 100, 0, &d->speed) || json_field_int(c, "sight", 1, 32, 10, 0, &d->sight)) {
        *why = "\"speed\" must be 10..300 (100: a step a turn) and \"sight\" 1..32 blocks";
        return -1;
    }
    char aggr[16];
    if (json_field_str(c, "aggression", aggr, sizeof aggr, NULL, JSON_FIELD_NONEMPTY)) {
        *why = "\"aggression\" must be \"hostile\", \"neutral\" or \"passive\"";
        return -1;
    }
    if (strcmp(aggr, "hostile") == 0)
        d->aggression = AGGR_HOSTILE;
    else if (strcmp(aggr, "neutral") == 0)
        d->aggression = AGGR_NEUTRAL;
    else if (strcmp(aggr, "passive") == 0)
        d->aggression = AGGR_PASSIVE;
    else {
        *why = "\"aggression\" must be \"hostile\", \"neutral\" or \"passive\"";
        return -1;
    }
    if (json_field_str(c, "verb", d->verb, sizeof d->verb, "attacks", JSON_FIELD_NONEMPTY)) {
        *why = "\"verb\" must be a short word (\"bites\")";
        return -1;
    }
    if (parse_habitat(cJSON_GetObjectItemCaseSensitive(c, "habitat"), h, why))
        return -1;
    if (json_field_int(c, "weight", 0, 1000, 0, 1, &d->weight) || json_field_int(c, "xp", 0, 100000, 0, 1, &d->xp)) {
        *why = "\"weight\" (0..1000, 0: never spawns) and \"xp\" (0..100000) are required";
        return -1;
    }
    return parse_drops(cJSON_GetObjectItemCaseSensitive(c, "drops"), d, why);
}

static double get_percent(const cJSON *o, const char *key, double def, int *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v)
        return def;
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 100)
        *bad = 1;
    return cJSON_IsNumber(v) ? v->valuedouble : def;
}

static int parse_spawning(const cJSON *s, SpawnRules *out, const char *source, Err *err)
{
    int bad = 0;
    out->chance_day = get_percent(s, "chance_day", 3, &bad);
    out->chance_night = get_percent(s, "chance_night", 12, &bad);
    out->chance_cave = get_percent(s, "chance_cave", 10, &bad);
    if (s && !cJSON_IsObject(s))
        bad = 1;
    if (bad || json_field_int(s, "cave_below_y", 0, WORLD_HEIGHT, 50, 0, &out->cave_below_y) ||
        json_field_int(s, "cap", 0, 64, 8, 0, &out->cap) ||
        json_field_int(s, "min_distance", 1, 30, 7, 0, &out->min_distance) ||
        json_field_int(s, "max_distance", 1, 30, 24, 0, &out->max_distance) || out->min_distance > out->max_distance)
        return err_set(err, MA_ERR_INVALID, "%s: \"spawning\": chances are percentages (0..100); cave_below_y 0..256, "
                       "cap 0..64, min_distance <= max_distance in 1..30", source);
    return MA_OK;
}

static cJSON *parse_json(const char *json, size_t len, const char *source, Err *err)
{
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        long off = at && at >= json && at <= json + len ? (long)(at - json) : -1;
        err_set(err, MA_ERR_INVALID, "%s: not valid JSON (near byte %ld)", source, off);
    }
    return root;
}

int creatures_load(const char *json, size_t len, const char *source, CreatureBook **out, Err *err)
{
    *out = NULL;
    cJSON *root = parse_json(json, len, source, err);
    if (!root)
        return MA_ERR_INVALID;
    int rc = MA_OK;
    CreatureBook *b = calloc(1, sizeof *b);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "creatures");
    if (!b) {
        rc = err_set(err, MA_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
        rc = err_set(err, MA_ERR_INVALID, "%s: \"creatures\" must be a non-empty array", source);
        goto done;
    }
    if ((rc = parse_spawning(cJSON_GetObjectItemCaseSensitive(root, "spawning"), &b->spawn, source, err)) != MA_OK)
        goto done;
    int n = cJSON_GetArraySize(list);
    b->defs = calloc((size_t)n, sizeof *b->defs);
    b->habitats = calloc((size_t)n, sizeof *b->habitats);
    if (!b->defs || !b->habitats) {
        rc = err_set(err, MA_ERR_NOMEM, "out of memory");
        goto done;
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, list) {
        const char *why = NULL;
        CreatureDef *d = &b->defs[b->n];
        if (parse_creature(c, d, &b->habitats[b->n], &why)) {
            rc = entry_error(err, source, "creature", b->n, d->kind, why);
            goto done;
        }
        if (creatures_find(b, d->kind)) {
            rc = entry_error(err, source, "creature", b->n, d->kind, "the kind is used twice");
            goto done;
        }
        b->n++;
    }
done:
    cJSON_Delete(root);
    if (rc != MA_OK)
        creatures_free(b);
    else
        *out = b;
    return rc;
}

static int parse_spell(const cJSON *s, SpellDef *d, const char **why)
{
    memset(d, 0, sizeof *d);
    if (!cJSON_IsObject(s) || json_field_str(s, "name", d->name, sizeof d->name, NULL, JSON_FIELD_NONEMPTY) ||
        !valid_kind(d->name)) {
        *why = "\"name\" must be a name of lower-case letters, digits and _";
        return -1;
    }
    if (json_field_str(s, "title", d->title, sizeof d->title, d->name, JSON_FIELD_NONEMPTY) ||
        json_field_str(s, "verb", d->verb, sizeof d->verb, "hits", JSON_FIELD_NONEMPTY)) {
        *why = "\"title\" and \"verb\" must be short strings";
        return -1;
    }
    if (json_field_int(s, "mana", 0, 1000, 0, 1, &d->mana)) {
        *why = "\"mana\" (the cost) must be a whole number from 0 to 1000";
        return -1;
    }
    char effect[16];
    if (json_field_str(s, "effect", effect, sizeof effect, NULL, JSON_FIELD_NONEMPTY) ||
        (strcmp(effect, "damage") && strcmp(effect, "slow") && strcmp(effect, "heal"))) {
        *why = "\"effect\" must be \"damage\", \"slow\" or \"heal\"";
        return -1;
    }
    d->effect = strcmp(effect, "damage") == 0 ? SPELL_DAMAGE : strcmp(effect, "slow") == 0 ? SPELL_SLOW : SPELL_HEAL;
    if (get_range(s, "amount", 0, 1000, &d->amount_min, &d->amount_max)) {
        *why = "\"amount\" must be [min, max] with 0 <= min <= max <= 1000";
        return -1;
    }
    if (json_field_int(s, "range", 0, 16, 0, 0, &d->range) || (d->effect != SPELL_HEAL && d->range < 1) ||
        json_field_int(s, "turns", 0, 100, 0, 0, &d->turns) || (d->effect == SPELL_SLOW && d->turns < 1)) {
        *why = "\"range\" must be 1..16 for a spell cast at something, and a slow needs \"turns\" 1..100";
        return -1;
    }
    const cJSON *classes = cJSON_GetObjectItemCaseSensitive(s, "classes");
    if (classes && (!cJSON_IsArray(classes) || cJSON_GetArraySize(classes) > 4)) {
        *why = "\"classes\" must be an array of at most 4 class names";
        return -1;
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, classes) {
        if (!cJSON_IsString(c) || !c->valuestring[0] || strlen(c->valuestring) >= sizeof d->classes[0]) {
            *why = "\"classes\" must hold class names";
            return -1;
        }
        snprintf(d->classes[d->n_classes++], sizeof d->classes[0], "%s", c->valuestring);
    }
    if (json_field_str(s, "skill", d->skill, sizeof d->skill, "", JSON_FIELD_NONEMPTY) ||
        json_field_int(s, "min_skill", 0, 100, 1, 0, &d->min_skill)) {
        *why = "\"skill\" must be a skill name and \"min_skill\" a level 0..100";
        return -1;
    }
    if (!d->n_classes && !d->skill[0]) {
        *why = "a spell needs \"classes\" or a \"skill\" that may cast it";
        return -1;
    }
    return 0;
}

int creatures_load_spells(CreatureBook *b, const char *json, size_t len, const char *source, Err *err)
{
    cJSON *root = parse_json(json, len, source, err);
    if (!root)
        return MA_ERR_INVALID;
    int rc = MA_OK;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "spells");
    if (!cJSON_IsArray(list)) {
        rc = err_set(err, MA_ERR_INVALID, "%s: \"spells\" must be an array", source);
        goto done;
    }
    int n = cJSON_GetArraySize(list);
    SpellDef *v = calloc((size_t)n + 1, sizeof *v);
    if (!v) {
        rc = err_set(err, MA_ERR_NOMEM, "out of memory");
        goto done;
    }
    int k = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, list) {
        const char *why = NULL;
        if (parse_spell(s, &v[k], &why)) {
            rc = entry_error(err, source, "spell", k, v[k].name, why);
            break;
        }
        for (int j = 0; j < k && rc == MA_OK; j++)
            if (strcmp(v[j].name, v[k].name) == 0)
                rc = entry_error(err, source, "spell", k, v[k].name, "the name is used twice");
        if (rc != MA_OK)
            break;
        k++;
    }
    if (rc != MA_OK) {
        free(v);
        goto done;
    }
    free(b->spells);
    b->spells = v;
    b->n_spells = k;
done:
    cJSON_Delete(root);
    return rc;
}

/* Reads data file name; *missing is set when the game was built without it
 * (and no MAGIC_DATA_DIR is set). */
static char *read_data(const char *name, size_t *len, char *where, size_t wsize, int *missing, Err *err)
{
    const char *dir = getenv("MAGIC_DATA_DIR");
    data_describe(name, where, wsize);
    char *text = data_read(name, len, err);
    *missing = !text && err->code == MA_ERR_NOT_FOUND && !(dir && *dir);
    return text;
}

int creatures_load_default(CreatureBook **out, Err *err)
{
    *out = NULL;
    Err local = {0};
    if (!err)
        err = &local;
    size_t len;
    char where[256];
    int missing;
    char *text = read_data("creatures.json", &len, where, sizeof where, &missing, err);
    if (!text && missing) {
        /* A build that does not embed the file yet (data/meson.build) plays
         * without creatures rather than refusing to start. */
        *out = calloc(1, sizeof **out);
        return *out ? MA_OK : err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    if (!text)
        return err->code;
    int rc = creatures_load(text, len, where, out, err);
    free(text);
    if (rc != MA_OK)
        return rc;
    text = read_data("spells.json", &len, where, sizeof where, &missing, err);
    if (!text && missing)
        return MA_OK;
    if (!text)
        rc = err->code;
    else
        rc = creatures_load_spells(*out, text, len, where, err);
    free(text);
    if (rc != MA_OK) {
        creatures_free(*out);
        *out = NULL;
    }
    return rc;
}

void creatures_free(CreatureBook *b)
{
    if (!b)
        return;
    free(b->defs);
    free(b->habitats);
    free(b->spells);
    free(b);
}

const CreatureDef *creatures_find(const CreatureBook *b, const char *kind)
{
    for (int i = 0; b && kind && i < b->n; i++)
        if (strcmp(b->defs[i].kind, kind) == 0)
            return &b->defs[i];
    return NULL;
}

int creatures_count(const CreatureBook *b) { return b ? b->n : 0; }
const CreatureDef *creatures_get(const CreatureBook *b, int i) { return b && i >= 0 && i < b->n ? &b->defs[i] : NULL; }

const SpellDef *creatures_spell(const CreatureBook *b, const char *name)
{
    for (int i = 0; b && name && i < b->n_spells; i++)
        if (strcmp(b->spells[i].name, name) == 0)
            return &b->spells[i];
    return NULL;
}

int creatures_spell_count(const CreatureBook *b) { return b ? b->n_spells : 0; }

const SpellDef *creatures_spell_at(const CreatureBook *b, int i)
{
    return b && i >= 0 && i < b->n_spells ? &b->spells[i] : NULL;
}

/* ------------------------------------------------------------ entities */

static const char *ent_str(const cJSON *e, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* The local position of an entity, 0..15 each; 0 when it has none. */
static int ent_local(const cJSON *e, int p[3])
{
    const cJSON *pos = cJSON_GetObjectItemCaseSensitive(e, "position");
    if (!cJSON_IsArray(pos) || cJSON_GetArraySize(pos) < 3)
        return 0;
    for (int i = 0; i < 3; i++) {
        const cJSON *v = cJSON_GetArrayItem(pos, i);
        if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble >= CHUNK_SIZE)
            return 0;
        p[i] = (int)v->valuedouble;
    }
    return 1;
}

static void ent_set_local(cJSON *e, int32_t x, int32_t y, int32_t z)
{
    cJSON *pos = cJSON_CreateArray();
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(x)));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(y)));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(chunk_local(z)));
    if (cJSON_GetObjectItemCaseSensitive(e, "position"))
        cJSON_ReplaceItemInObjectCaseSensitive(e, "position", pos);
    else
        cJSON_AddItemToObject(e, "position", pos);
}

static void fill_ref(Game *g, const Chunk *ch, cJSON *e, const int lp[3], CreatureRef *out)
{
    memset(out, 0, sizeof *out);
    out->entity = e;
    out->cx = ch->cx;
    out->cy = ch->cy;
    out->cz = ch->cz;
    out->x = ch->cx * CHUNK_SIZE + lp[0];
    out->y = ch->cy * CHUNK_SIZE + lp[1];
    out->z = ch->cz * CHUNK_SIZE + lp[2];
    out->def = creatures_find(g->creatures, ent_str(e, "kind"));
    snprintf(out->id, sizeof out->id, "%s", ent_str(e, "id"));
}

int creature_at(Game *g, int32_t x, int32_t y, int32_t z, int creatures_only, CreatureRef *out, Err *err)
{
    static const int dys[3] = {0, 1, -1};
    for (int k = 0; k < 3; k++) {
        int32_t yy = y + dys[k];
        if (yy < 0 || yy >= WORLD_HEIGHT)
            continue;
        Chunk *ch = world_chunk(g->world, chunk_coord(x), chunk_coord(yy), chunk_coord(z), err);
        if (!ch)
            return err ? err->code : MA_ERR_IO;
        int want[3] = {chunk_local(x), chunk_local(yy), chunk_local(z)};
        cJSON *e;
        cJSON_ArrayForEach(e, ch->entities) {
            int lp[3];
            if (!cJSON_IsObject(e) || !ent_local(e, lp) || lp[0] != want[0] || lp[1] != want[1] || lp[2] != want[2])
                continue;
            const char *type = ent_str(e, "type");
            int is_creature = strcmp(type, "creature") == 0 && creatures_find(g->creatures, ent_str(e, "kind"));
            if (!is_creature && (creatures_only || strcmp(type, "npc") != 0))
                continue;
            fill_ref(g, ch, e, lp, out);
            return 1;
        }
    }
    return 0;
}

cJSON *creature_entity(Game *g, const CreatureRef *c, Err *err)
{
    Chunk *ch = world_chunk(g->world, c->cx, c->cy, c->cz, err);
    if (!ch)
        return NULL;
    cJSON *e;
    cJSON_ArrayForEach(e, ch->entities)
        if (cJSON_IsObject(e) && strcmp(ent_str(e, "id"), c->id) == 0 && strcmp(ent_str(e, "type"), "creature") == 0)
            return e;
    return NULL;
}

/* ------------------------------------------------------------ the creatures near the player */

typedef struct Near {
    CreatureRef *v;
    int n, cap;
} Near;

static int in_area(const Game *g, int32_t x, int32_t y, int32_t z)
{
    int32_t dcx = chunk_coord(x) - chunk_coord(g->p.x), dcz = chunk_coord(z) - chunk_coord(g->p.z);
    int32_t dcy = chunk_coord(y) - chunk_coord(g->p.y);
    return dcx >= -TICK_CHUNKS && dcx <= TICK_CHUNKS && dcz >= -TICK_CHUNKS && dcz <= TICK_CHUNKS && dcy >= -1 &&
           dcy <= 1 && y >= 1 && y < WORLD_HEIGHT - 2;
}

/* Every creature in the chunks around the player (a copy of where each is:
 * entities are fetched again by id before they change). */
static int gather(Game *g, Near *near, Err *err)
{
    near->n = 0;
    int32_t pcx = chunk_coord(g->p.x), pcy = chunk_coord(g->p.y), pcz = chunk_coord(g->p.z);
    for (int32_t cy = pcy - 1; cy <= pcy + 1; cy++) {
        if (cy < 0 || cy >= WORLD_CHUNKS_Y)
            continue;
        for (int32_t cz = pcz - TICK_CHUNKS; cz <= pcz + TICK_CHUNKS; cz++)
            for (int32_t cx = pcx - TICK_CHUNKS; cx <= pcx + TICK_CHUNKS; cx++) {
                Chunk *ch = world_chunk(g->world, cx, cy, cz, err);
                if (!ch)
                    return err->code;
                cJSON *e;
                cJSON_ArrayForEach(e, ch->entities) {
                    int lp[3];
                    if (!cJSON_IsObject(e) || strcmp(ent_str(e, "type"), "creature") != 0 || !ent_local(e, lp) ||
                        !creatures_find(g->creatures, ent_str(e, "kind")) || !ent_str(e, "id")[0])
                        continue;
                    if (near->n == near->cap) {
                        int cap = near->cap ? near->cap * 2 : 32;
                        CreatureRef *v = realloc(near->v, (size_t)cap * sizeof *v);
                        if (!v)
                            return err_set(err, MA_ERR_NOMEM, "out of memory");
                        near->v = v;
                        near->cap = cap;
                    }
                    fill_ref(g, ch, e, lp, &near->v[near->n++]);
                }
            }
    }
    return MA_OK;
}

static int solid_at(Game *g, int32_t x, int32_t y, int32_t z)
{
    return blocks_get(g->blocks, world_get_block(g->world, x, y, z))->solid;
}

/* Feet and head free, feet not in a liquid, solid ground below. */
static int standable(Game *g, int32_t x, int32_t y, int32_t z)
{
    if (y < 1 || y >= WORLD_HEIGHT - 1)
        return 0;
    const BlockDef *feet = blocks_get(g->blocks, world_get_block(g->world, x, y, z));
    return !feet->solid && !feet->liquid && !solid_at(g, x, y + 1, z) && solid_at(g, x, y - 1, z);
}

/* Someone (the player, another creature) stands in that cell. */
static int occupied(const Game *g, const Near *near, int32_t x, int32_t y, int32_t z, const char *self)
{
    if (x == g->p.x && z == g->p.z && y >= g->p.y - 1 && y <= g->p.y + 1)
        return 1;
    for (int i = 0; i < near->n; i++)
        if (near->v[i].x == x && near->v[i].z == z && near->v[i].y >= y - 1 && near->v[i].y <= y + 1 &&
            strcmp(near->v[i].id, self) != 0)
            return 1;
    return 0;
}

/* Moves the creature's entity to world cell (x, y, z), into the
 * neighbouring chunk's entities when it crosses a border. */
static int relocate(Game *g, CreatureRef *c, int32_t x, int32_t y, int32_t z, Err *err)
{
    int32_t ncx = chunk_coord(x), ncy = chunk_coord(y), ncz = chunk_coord(z);
    Chunk *dst = world_chunk(g->world, ncx, ncy, ncz, err);
    if (!dst)
        return err->code;
    Chunk *src = world_chunk(g->world, c->cx, c->cy, c->cz, err);
    if (!src)
        return err->code;
    cJSON *e = creature_entity(g, c, err);
    if (!e)
        return MA_OK; /* gone (killed this turn) */
    if (src != dst) {
        cJSON_DetachItemViaPointer(src->entities, e);
        cJSON_AddItemToArray(dst->entities, e);
        world_mark_dirty(g->world, c->cx, c->cy, c->cz);
    }
    ent_set_local(e, x, y, z);
    world_mark_dirty(g->world, ncx, ncy, ncz);
    c->cx = ncx;
    c->cy = ncy;
    c->cz = ncz;
    c->x = x;
    c->y = y;
    c->z = z;
    return MA_OK;
}

/* One step toward (nx, nz) from where c stands: level, up one block or down
 * at most three. Returns 1 when it moved. */
static int step(Game *g, Near *near, CreatureRef *c, int32_t nx, int32_t nz, Err *err)
{
    int32_t ny = -1;
    if (standable(g, nx, c->y, nz))
        ny = c->y;
    else if (standable(g, nx, c->y + 1, nz) && !solid_at(g, c->x, c->y + 2, c->z))
        ny = c->y + 1;
    else if (!solid_at(g, nx, c->y, nz) && !solid_at(g, nx, c->y + 1, nz))
        for (int32_t k = 1; k <= 3 && ny < 0; k++) {
            if (standable(g, nx, c->y - k, nz))
                ny = c->y - k;
            else if (solid_at(g, nx, c->y - k, nz))
                break;
        }
    if (ny < 0 || !in_area(g, nx, ny, nz) || occupied(g, near, nx, ny, nz, c->id))
        return 0;
    int rc = relocate(g, c, nx, ny, nz, err);
    return rc != MA_OK ? rc : 1;
}

static int sign(int v) { return (v > 0) - (v < 0); }

/* What one creature does with one of its moves. Returns 1 when it attacked
 * (no more moves this turn), 0 otherwise, or a negative status. */
static int creature_move(Game *g, Near *near, CreatureRef *c, int angry, ActionResult *r, Err *err)
{
    const CreatureDef *d = c->def;
    int dx = g->p.x - c->x, dz = g->p.z - c->z, dy = g->p.y - c->y;
    int dist = abs(dx) > abs(dz) ? abs(dx) : abs(dz);
    int hunts = d->aggression == AGGR_HOSTILE || angry;
    if (hunts && dist <= 1 && abs(dy) <= 1 && (dist || dy)) {
        int rc = combat_creature_attacks(g, d, r, err);
        return rc != MA_OK ? rc : 1;
    }
    if (hunts && dist <= d->sight && abs(dy) <= 4) {
        int tries[3][2] = {{sign(dx), sign(dz)}, {sign(dx), 0}, {0, sign(dz)}};
        for (int i = 0; i < 3; i++) {
            if (!tries[i][0] && !tries[i][1])
                continue;
            int rc = step(g, near, c, c->x + tries[i][0], c->z + tries[i][1], err);
            if (rc != 0)
                return rc < 0 ? rc : 0;
        }
        return 0;
    }
    /* Wandering: now and then a step in a random direction. */
    if (prng_chance(&g->rng, 35)) {
        int ddx, ddz;
        dir_delta((Dir)prng_below(&g->rng, 8), &ddx, &ddz);
        int rc = step(g, near, c, c->x + ddx, c->z + ddz, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* A creature's turn: as many moves as its speed gives (100: one a turn),
 * half as many while slowed. */
static int creature_turn(Game *g, Near *near, CreatureRef *c, ActionResult *r, Err *err)
{
    cJSON *e = creature_entity(g, c, err);
    if (!e)
        return MA_OK;
    const cJSON *angry_v = cJSON_GetObjectItemCaseSensitive(e, "angry");
    int angry = cJSON_IsTrue(angry_v);
    cJSON *slow = cJSON_GetObjectItemCaseSensitive(e, "slow");
    int speed = c->def->speed;
    if (cJSON_IsNumber(slow)) {
        speed /= 2;
        if (slow->valueint <= 1)
            cJSON_DeleteItemFromObjectCaseSensitive(e, "slow");
        else
            cJSON_SetNumberValue(slow, slow->valueint - 1);
        world_mark_dirty(g->world, c->cx, c->cy, c->cz);
    }
    int moves = speed / 100 + (prng_chance(&g->rng, speed % 100) ? 1 : 0);
    for (int i = 0; i < moves; i++) {
        int rc = creature_move(g, near, c, angry, r, err);
        if (rc != 0)
            return rc < 0 ? rc : MA_OK;
    }
    return MA_OK;
}

/* ------------------------------------------------------------ spawning */

static int habitat_fits(const Habitat *h, Biome biome, int32_t y, int night)
{
    return (h->biomes & (1u << biome)) && y >= h->min_y && y <= h->max_y &&
           (h->time == 0 || (h->time == 2) == (night != 0));
}

int creatures_native(const CreatureBook *b, Biome biome, int32_t y, const CreatureDef **out, int max)
{
    int n = 0;
    for (int i = 0; i < b->n && n < max; i++) {
        const Habitat *h = &b->habitats[i];
        if (b->defs[i].aggression == AGGR_HOSTILE && b->defs[i].weight > 0 && (h->biomes & (1u << biome)) &&
            y >= h->min_y && y <= h->max_y)
            out[n++] = &b->defs[i];
    }
    return n;
}

/* Maybe one new creature near the player: the chance per turn depends on
 * night and depth, the kind on the place and the time; none while `cap`
 * creatures are already in the chunks around the player. */
static int maybe_spawn(Game *g, Near *near, Err *err)
{
    const CreatureBook *b = g->creatures;
    const SpawnRules *sr = &b->spawn;
    int night = game_is_night(g);
    int cave = g->p.y < sr->cave_below_y;
    double chance = cave ? sr->chance_cave : night ? sr->chance_night : sr->chance_day;
    chance *= night ? g->mods.spawn_rate_night : g->mods.spawn_rate; /* the season, the balance, a blood moon */
    if (!prng_chance(&g->rng, chance))
        return MA_OK;
    if (near->n >= sr->cap)
        return MA_OK;
    for (int attempt = 0; attempt < 6; attempt++) {
        int dx = prng_range(&g->rng, -sr->max_distance, sr->max_distance);
        int dz = prng_range(&g->rng, -sr->max_distance, sr->max_distance);
        int d2 = dx * dx + dz * dz;
        if (d2 < sr->min_distance * sr->min_distance || d2 > sr->max_distance * sr->max_distance)
            continue;
        int32_t x = g->p.x + dx, z = g->p.z + dz, y = -1;
        for (int k = 0; k <= 16 && y < 0; k++) {
            int32_t yy = g->p.y + (k % 2 ? (k + 1) / 2 : -(k / 2));
            if (in_area(g, x, yy, z) && standable(g, x, yy, z))
                y = yy;
        }
        if (y < 0 || occupied(g, near, x, y, z, ""))
            continue;
        Biome biome = generator_biome(world_generator(g->world), x, z);
        int total = 0;
        for (int i = 0; i < b->n; i++)
            if (habitat_fits(&b->habitats[i], biome, y, night))
                total += b->defs[i].weight;
        if (total <= 0)
            return MA_OK;
        int roll = (int)prng_below(&g->rng, (uint32_t)total);
        const CreatureDef *d = NULL;
        for (int i = 0; i < b->n && !d; i++)
            if (habitat_fits(&b->habitats[i], biome, y, night) && (roll -= b->defs[i].weight) < 0)
                d = &b->defs[i];
        int64_t serial = 0;
        int rc = charstate_add(g->save, g->p.character_id, "creatures_spawned", 1, &serial, err);
        if (rc != MA_OK)
            return rc;
        Chunk *ch = world_chunk(g->world, chunk_coord(x), chunk_coord(y), chunk_coord(z), err);
        if (!ch)
            return err->code;
        char id[32];
        snprintf(id, sizeof id, "c_%lld", (long long)serial);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "type", "creature");
        cJSON_AddStringToObject(e, "kind", d->kind);
        cJSON_AddStringToObject(e, "id", id);
        cJSON_AddNumberToObject(e, "hp", d->health);
        ent_set_local(e, x, y, z);
        cJSON_AddStringToObject(e, "glyph", d->glyph);
        cJSON_AddNumberToObject(e, "color256", d->color256);
        cJSON_AddNumberToObject(e, "color8", d->color8);
        cJSON_AddItemToArray(ch->entities, e);
        world_mark_dirty(g->world, ch->cx, ch->cy, ch->cz);
        return MA_OK;
    }
    return MA_OK;
}

int creatures_tick(Game *g, int turns, ActionResult *r, Err *err)
{
    if (!g->creatures || g->creatures->n == 0 || turns <= 0)
        return MA_OK;
    Near near = {0};
    int rc = MA_OK;
    for (int t = 0; t < turns && rc == MA_OK; t++) {
        if ((rc = gather(g, &near, err)) != MA_OK || (rc = maybe_spawn(g, &near, err)) != MA_OK)
            break;
        for (int i = 0; i < near.n && rc == MA_OK; i++)
            rc = creature_turn(g, &near, &near.v[i], r, err);
    }
    free(near.v);
    return rc;
}
