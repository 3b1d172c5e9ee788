/* items.c — loading and validating data/items.json, and looking items up.
 *
 * Validation happens in two passes: each entry on its own (fields, types,
 * ranges, duplicates), then the references between entries (a bow's ammo
 * and an item's repair material must be items of the file). */
#include "game/items.h"

#include <cJSON.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/data.h"
#include "util/text.h"
#include "util/json_field.h"

struct ItemRegistry {
    ItemDef *defs;
    int n;
};

const char *const item_stat_names[ITEM_STATS] = {"health",    "mana",         "strength", "intelligence",
                                                 "dexterity", "constitution", "charisma"};

static const char *const slot_names[ITEM_SLOT_COUNT_] = {"head",     "body",     "hands", "feet",
                                                         "main_hand", "off_hand", "ring",  "bag"};

static const char *const item_types[] = {"block",  "tool",     "weapon",   "armor", "ring",   "bag",   "food",
                                         "potion", "material", "ammo",     "currency", "book", "scroll", "quest"};

static const char *const tool_kinds[] = {"pickaxe", "axe", "shovel", "hoe", "fishing_rod"};

const char *items_slot_name(ItemSlot s) { return s >= 0 && s < ITEM_SLOT_COUNT_ ? slot_names[s] : "none"; }

ItemSlot items_slot_parse(const char *name)
{
    for (int i = 0; name && i < ITEM_SLOT_COUNT_; i++)
        if (strcmp(slot_names[i], name) == 0)
            return (ItemSlot)i;
    return ITEM_SLOT_NONE;
}

static int entry_error(Err *err, const char *source, int i, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int entry_error(Err *err, const char *source, int i, const char *name, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return err_set(err, MA_ERR_INVALID, "%s: item %d (\"%s\"): %s", source, i, name && name[0] ? name : "?", why);
}

/* Copies an optional string field; -1 when present but not a string that fits. */
static int copy_str(const cJSON *obj, const char *key, char *buf, size_t size)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return 0;
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= size)
        return -1;
    snprintf(buf, size, "%s", v->valuestring);
    return 0;
}

static int valid_name(const char *s)
{
    if (!s[0])
        return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

static const char *const known_fields[] = {"name", "title", "type", "stack", "slot", "durability", "damage",
                                           "armor", "bonuses", "tool", "ranged", "ammo", "bag_slots", "heal",
                                           "mana", "teaches", "repair", "value", "description", "plural",
                                           "singular"};

/* The plural of an item's words by English rules: a name that already ends in 's' ("planks",
 * "leather boots", "glass") stays as it is; the rest follow text_plural. */
static void plural_rule(const char *name, char *buf, size_t size)
{
    char label[64];
    items_label(name, label, sizeof label);
    size_t len = strlen(label);
    if (len > 0 && label[len - 1] == 's')
        snprintf(buf, size, "%s", label);
    else
        text_plural(label, 2, buf, size);
}

/* Fills d from entry e (number i in the file); MA_OK or an error naming the entry. */
static int parse_entry(const cJSON *e, int i, const char *source, ItemDef *d, Err *err)
{
    memset(d, 0, sizeof *d);
    d->slot = ITEM_SLOT_NONE;
    if (!cJSON_IsObject(e))
        return entry_error(err, source, i, NULL, "must be an object");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
    if (!cJSON_IsString(name) || strlen(name->valuestring) >= sizeof d->name || !valid_name(name->valuestring))
        return entry_error(err, source, i, NULL,
                           "\"name\" must be a string of lowercase letters, digits and '_' (at most 47)");
    snprintf(d->name, sizeof d->name, "%s", name->valuestring);
    const cJSON *f;
    cJSON_ArrayForEach(f, e) {
        if (!text_in_list(f->string, known_fields, sizeof known_fields / sizeof known_fields[0]))
            return entry_error(err, source, i, d->name, "unknown field \"%s\"", f->string);
    }
    if (copy_str(e, "title", d->title, sizeof d->title) != 0)
        return entry_error(err, source, i, d->name, "\"title\" must be a string under 64 characters");
    if (!d->title[0])
        snprintf(d->title, sizeof d->title, "%s", d->name);
    if (copy_str(e, "plural", d->plural, sizeof d->plural) != 0)
        return entry_error(err, source, i, d->name, "\"plural\" must be a string under 64 characters");
    if (!d->plural[0])
        plural_rule(d->name, d->plural, sizeof d->plural);
    if (copy_str(e, "singular", d->singular, sizeof d->singular) != 0)
        return entry_error(err, source, i, d->name, "\"singular\" must be a string under 64 characters");
    if (!d->singular[0])
        items_label(d->name, d->singular, sizeof d->singular);
    if (copy_str(e, "description", d->description, sizeof d->description) != 0)
        return entry_error(err, source, i, d->name, "\"description\" must be a string under 256 characters");
    if (copy_str(e, "type", d->type, sizeof d->type) != 0 || !d->type[0] ||
        !text_in_list(d->type, item_types, sizeof item_types / sizeof item_types[0]))
        return entry_error(err, source, i, d->name,
                           "\"type\" must be one of block, tool, weapon, armor, ring, bag, food, potion, material, "
                           "ammo, currency, book, scroll, quest");
    const cJSON *stack = cJSON_GetObjectItemCaseSensitive(e, "stack");
    if (stack && cJSON_IsNumber(stack) && stack->valuedouble < 1)
        return entry_error(err, source, i, d->name, "\"stack\" must be at least 1, not %g", stack->valuedouble);
    if (json_field_int(e, "stack", 1, 999, -1, 0, &d->stack) != 0)
        return entry_error(err, source, i, d->name, "\"stack\" must be a whole number from 1 to 999");
    const cJSON *slot = cJSON_GetObjectItemCaseSensitive(e, "slot");
    if (slot) {
        if (!cJSON_IsString(slot) || (d->slot = items_slot_parse(slot->valuestring)) == ITEM_SLOT_NONE)
            return entry_error(err, source, i, d->name,
                               "unknown slot %s%s%s: use head, body, hands, feet, main_hand, off_hand, ring or bag",
                               cJSON_IsString(slot) ? "\"" : "", cJSON_IsString(slot) ? slot->valuestring : "(not a string)",
                               cJSON_IsString(slot) ? "\"" : "");
    }
    if (json_field_int(e, "durability", 0, 100000, 0, 0, &d->durability) != 0)
        return entry_error(err, source, i, d->name, "\"durability\" must be a whole number from 0 to 100000");
    if (json_field_int(e, "damage", 0, 1000, 0, 0, &d->damage) != 0 ||
        json_field_int(e, "armor", 0, 1000, 0, 0, &d->armor) != 0)
        return entry_error(err, source, i, d->name, "\"damage\" and \"armor\" must be whole numbers from 0 to 1000");
    if (json_field_int(e, "heal", 0, 10000, 0, 0, &d->heal) != 0 ||
        json_field_int(e, "mana", 0, 10000, 0, 0, &d->mana) != 0)
        return entry_error(err, source, i, d->name, "\"heal\" and \"mana\" must be whole numbers from 0 to 10000");
    if (json_field_int(e, "value", 0, 1000000, 0, 0, &d->value) != 0)
        return entry_error(err, source, i, d->name, "\"value\" must be a whole number of gold from 0 to 1000000");
    if (json_field_int(e, "bag_slots", 0, ITEM_MAX_BAG_SLOTS, 0, 0, &d->bag_slots) != 0)
        return entry_error(err, source, i, d->name, "\"bag_slots\" must be a whole number from 0 to %d",
                           ITEM_MAX_BAG_SLOTS);
    if ((d->bag_slots > 0) != (d->slot == ITEM_SLOT_BAG))
        return entry_error(err, source, i, d->name, "a bag needs both \"slot\": \"bag\" and \"bag_slots\" above 0");
    const cJSON *bonuses = cJSON_GetObjectItemCaseSensitive(e, "bonuses");
    if (bonuses && !cJSON_IsObject(bonuses))
        return entry_error(err, source, i, d->name, "\"bonuses\" must be an object of stat: number");
    const cJSON *b;
    cJSON_ArrayForEach(b, bonuses) {
        int k = 0;
        while (k < ITEM_STATS && strcmp(item_stat_names[k], b->string) != 0)
            k++;
        if (k == ITEM_STATS)
            return entry_error(err, source, i, d->name,
                               "bonus stat \"%s\" is not one of health, mana, strength, intelligence, dexterity, "
                               "constitution, charisma",
                               b->string);
        if (!cJSON_IsNumber(b) || b->valuedouble != (double)(int)b->valuedouble || b->valuedouble < -100 ||
            b->valuedouble > 100)
            return entry_error(err, source, i, d->name, "bonus \"%s\" must be a whole number from -100 to 100",
                               b->string);
        d->bonus[k] = (int)b->valuedouble;
    }
    const cJSON *tool = cJSON_GetObjectItemCaseSensitive(e, "tool");
    if (tool) {
        if (!cJSON_IsObject(tool) || copy_str(tool, "kind", d->tool_kind, sizeof d->tool_kind) != 0 ||
            !text_in_list(d->tool_kind, tool_kinds, sizeof tool_kinds / sizeof tool_kinds[0]))
            return entry_error(err, source, i, d->name,
                               "\"tool\" must be {\"kind\": pickaxe|axe|shovel|hoe|fishing_rod, \"power\": 1..10}");
        if (json_field_int(tool, "power", 1, 10, -1, 0, &d->tool_power) != 0 || d->tool_power < 1)
            return entry_error(err, source, i, d->name, "tool \"power\" must be a whole number from 1 to 10");
    }
    const cJSON *ranged = cJSON_GetObjectItemCaseSensitive(e, "ranged");
    if (ranged && !cJSON_IsBool(ranged))
        return entry_error(err, source, i, d->name, "\"ranged\" must be true or false");
    d->ranged = cJSON_IsTrue(ranged);
    if (copy_str(e, "ammo", d->ammo, sizeof d->ammo) != 0 || copy_str(e, "repair", d->repair, sizeof d->repair) != 0 ||
        copy_str(e, "teaches", d->teaches, sizeof d->teaches) != 0)
        return entry_error(err, source, i, d->name, "\"ammo\", \"repair\" and \"teaches\" must be item or recipe names");
    if (d->ranged && !d->ammo[0])
        return entry_error(err, source, i, d->name, "a ranged weapon needs \"ammo\"");
    if (d->repair[0] && d->durability == 0)
        return entry_error(err, source, i, d->name, "\"repair\" only makes sense with a \"durability\"");

    /* Anything worn or worn out is one per stack; the rest default to a full stack. */
    int single = d->slot != ITEM_SLOT_NONE || d->durability > 0;
    if (d->stack == -1)
        d->stack = single ? 1 : 64;
    if (single && d->stack != 1)
        return entry_error(err, source, i, d->name,
                           "\"stack\" must be 1 for an item that is equipped or has durability (it is %d)", d->stack);
    return MA_OK;
}

int items_load(const char *json, size_t len, const char *source, ItemRegistry **out, Err *err)
{
    *out = NULL;
    cJSON *root = json_parse_data(json, len, source, err);
    if (!root)
        return MA_ERR_INVALID;
    int rc = MA_OK;
    ItemRegistry *r = calloc(1, sizeof *r);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "items");
    if (!r) {
        rc = err_set(err, MA_ERR_NOMEM, "out of memory loading %s", source);
        goto done;
    }
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
        rc = err_set(err, MA_ERR_INVALID, "%s: \"items\" must be a non-empty array", source);
        goto done;
    }
    r->defs = calloc((size_t)cJSON_GetArraySize(list), sizeof *r->defs);
    if (!r->defs) {
        rc = err_set(err, MA_ERR_NOMEM, "out of memory loading %s", source);
        goto done;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, list) {
        ItemDef *d = &r->defs[r->n];
        if ((rc = parse_entry(e, r->n, source, d, err)) != MA_OK)
            goto done;
        if (items_find(r, d->name)) {
            rc = entry_error(err, source, r->n, d->name, "duplicate name: \"%s\" is defined twice", d->name);
            goto done;
        }
        r->n++;
    }
    for (int i = 0; i < r->n; i++) {
        const ItemDef *d = &r->defs[i];
        if (d->ammo[0] && !items_find(r, d->ammo)) {
            rc = entry_error(err, source, i, d->name, "\"ammo\" names the unknown item \"%s\"", d->ammo);
            goto done;
        }
        if (d->repair[0] && !items_find(r, d->repair)) {
            rc = entry_error(err, source, i, d->name, "\"repair\" names the unknown item \"%s\"", d->repair);
            goto done;
        }
    }
done:
    cJSON_Delete(root);
    if (rc != MA_OK) {
        items_free(r);
        return rc;
    }
    *out = r;
    return MA_OK;
}

static int parse_book(const char *text, size_t len, const char *where, void *out, Err *err)
{
    return items_load(text, len, where, out, err);
}

int items_load_default(ItemRegistry **out, Err *err)
{
    *out = NULL;
    return data_book_load("items.json", parse_book, out, err);
}

void items_free(ItemRegistry *r)
{
    if (!r)
        return;
    free(r->defs);
    free(r);
}

const ItemDef *items_find(const ItemRegistry *r, const char *name)
{
    for (int i = 0; r && name && i < r->n; i++)
        if (strcmp(r->defs[i].name, name) == 0)
            return &r->defs[i];
    return NULL;
}

const ItemDef *items_lookup(const ItemRegistry *r, const char *name)
{
    static const ItemDef plain = {.type = "material", .stack = ITEM_DEFAULT_STACK, .slot = ITEM_SLOT_NONE};
    const ItemDef *d = items_find(r, name);
    return d ? d : &plain;
}

int items_count(const ItemRegistry *r) { return r ? r->n : 0; }

const ItemDef *items_at(const ItemRegistry *r, int i) { return r && i >= 0 && i < r->n ? &r->defs[i] : NULL; }

const char *items_label(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s", name);
    for (char *c = buf; *c; c++)
        if (*c == '_')
            *c = ' ';
    return buf;
}

const char *items_title_words(const ItemRegistry *r, const char *name, char *buf, size_t size)
{
    const ItemDef *d = r && name ? items_find(r, name) : NULL;
    if (!d || !d->title[0])
        return items_label(name ? name : "", buf, size);
    snprintf(buf, size, "%s", d->title);
    if (buf[0] >= 'A' && buf[0] <= 'Z')
        buf[0] = (char)(buf[0] - 'A' + 'a');
    return buf;
}

const char *items_noun(const ItemRegistry *r, const char *name, int count, char *buf, size_t size)
{
    const ItemDef *d = items_find(r, name);
    if (count == 1 && d)
        snprintf(buf, size, "%s", d->singular);
    else if (count == 1)
        items_label(name ? name : "", buf, size);
    else if (d)
        snprintf(buf, size, "%s", d->plural);
    else
        plural_rule(name ? name : "", buf, size);
    return buf;
}

const char *items_count_words(const ItemRegistry *r, const char *name, int count, char *buf, size_t size)
{
    char words[64];
    snprintf(buf, size, "%d %s", count, items_noun(r, name, count, words, sizeof words));
    return buf;
}

int items_usable(const ItemDef *d) { return d && (d->heal > 0 || d->mana > 0 || d->teaches[0]); }

int items_wearable(const ItemDef *d) { return d && d->slot != ITEM_SLOT_NONE; }

int items_repairable(const ItemDef *d, int durability)
{
    return d && d->durability > 0 && d->repair[0] && durability < d->durability;
}
