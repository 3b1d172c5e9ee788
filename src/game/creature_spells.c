/* creature_spells.c — spells: data/spells.json read and checked into the creature book, and
 * looked up by name for the player's and the creatures' casting (combat.c casts them). */
#include "game/creatures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/creatures_internal.h"
#include "game/game_internal.h"
#include "save/charstate.h"
#include "util/data.h"
#include "util/json_field.h"

static int parse_spell(const cJSON *s, SpellDef *d, const char **why)
{
    memset(d, 0, sizeof *d);
    if (!cJSON_IsObject(s) || json_field_str(s, "name", d->name, sizeof d->name, NULL, JSON_FIELD_NONEMPTY) ||
        !creatures_valid_kind(d->name)) {
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
    if (creatures_get_range(s, "amount", 0, 1000, &d->amount_min, &d->amount_max)) {
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
    cJSON *root = json_parse_data(json, len, source, err);
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
            rc = creatures_entry_error(err, source, "spell", k, v[k].name, why);
            break;
        }
        for (int j = 0; j < k && rc == MA_OK; j++)
            if (strcmp(v[j].name, v[k].name) == 0)
                rc = creatures_entry_error(err, source, "spell", k, v[k].name, "the name is used twice");
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
