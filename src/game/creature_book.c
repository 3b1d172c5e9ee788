/* creature_book.c — the creature book: data/creatures.json (each creature, its habitat and drops,
 * and the spawning rules) read and checked, with data/spells.json added by creature_spells.c. */
#include "game/creatures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/creatures_internal.h"
#include "game/game_internal.h"
#include "save/charstate.h"
#include "util/data.h"
#include "util/json_field.h"

/* ------------------------------------------------------------ loading */

int creatures_entry_error(Err *err, const char *source, const char *what, int i, const char *name, const char *why)
{
    return err_set(err, MA_ERR_INVALID, "%s: %s %d (\"%s\"): %s", source, what, i, name && name[0] ? name : "?", why);
}

/* [min, max] with lo <= min <= max <= hi. */
int creatures_get_range(const cJSON *o, const char *key, int lo, int hi, int *mn, int *mx)
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

int creatures_valid_kind(const char *s)
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
                     "snowy mountains, swamp, lake, tundra)", cJSON_IsString(b) ? b->valuestring : "?");
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
            !creatures_valid_kind(dr->item) ||
            json_field_int(e, "chance", 0, 100, 0, 1, &dr->chance) ||
                creatures_get_range(e, "count", 1, 99, &dr->min, &dr->max)) {
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
        !creatures_valid_kind(d->kind)) {
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
    if (creatures_get_range(c, "attack", 0, 1000, &d->attack_min, &d->attack_max)) {
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

int creatures_load(const char *json, size_t len, const char *source, CreatureBook **out, Err *err)
{
    *out = NULL;
    cJSON *root = json_parse_data(json, len, source, err);
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
            rc = creatures_entry_error(err, source, "creature", b->n, d->kind, why);
            goto done;
        }
        if (creatures_find(b, d->kind)) {
            rc = creatures_entry_error(err, source, "creature", b->n, d->kind, "the kind is used twice");
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

/* Reads data file name, saying where from in where. */
static char *read_data(const char *name, size_t *len, char *where, size_t wsize, Err *err)
{
    data_describe(name, where, wsize);
    return data_read(name, len, err);
}

int creatures_load_default(CreatureBook **out, Err *err)
{
    *out = NULL;
    Err local = {0};
    if (!err)
        err = &local;
    size_t len;
    char where[256];
    char *text = read_data("creatures.json", &len, where, sizeof where, err);
    if (!text)
        return err->code;
    int rc = creatures_load(text, len, where, out, err);
    free(text);
    if (rc != MA_OK)
        return rc;
    text = read_data("spells.json", &len, where, sizeof where, err);
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

void creatures_habitat_words(const CreatureBook *b, const char *kind, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int i = 0; b && kind && i < b->n; i++) {
        if (strcmp(b->defs[i].kind, kind) != 0)
            continue;
        const Habitat *h = &b->habitats[i];
        if (!h->biomes || b->defs[i].weight <= 0)
            return;
        size_t len = 0;
        int k = 0, n = 0;
        for (int bi = 0; bi < BIOME_COUNT; bi++)
            n += (h->biomes >> bi & 1) != 0;
        for (int bi = 0; bi < BIOME_COUNT && len < size; bi++) {
            if (!(h->biomes >> bi & 1))
                continue;
            k++;
            len += (size_t)snprintf(buf + len, size - len, "%s%s", k == 1 ? "" : k == n ? " and " : ", ",
                                    biome_name((Biome)bi));
        }
        if (h->max_y < SEA_LEVEL && len < size)
            len += (size_t)snprintf(buf + len, size - len, ", underground (below y %d)", h->max_y + 1);
        if (h->time && len < size)
            snprintf(buf + len, size - len, ", %s", h->time == 2 ? "by night" : "by day");
        return;
    }
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
