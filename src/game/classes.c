/* classes.c — loading and validating data/classes.json. */
#include "game/classes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/items.h"
#include "game/progress.h"
#include "util/data.h"
#include "util/json_field.h"

static const char *const stat_keys[] = {"health", "mana", "strength", "intelligence", "dexterity",
                                        "constitution", "charisma"};

static int entry_error(Err *err, const char *source, int i, const char *name, const char *why)
{
    return err_set(err, MA_ERR_INVALID, "%s: class %d (\"%s\"): %s", source, i, name ? name : "?", why);
}

static int copy_str(const cJSON *obj, const char *key, char *buf, size_t size, int required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return required ? -1 : 0;
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= size || (required && !v->valuestring[0]))
        return -1;
    snprintf(buf, size, "%s", v->valuestring);
    return 0;
}

int classes_load(const char *json, size_t len, const char *source, ClassList *out, Err *err)
{
    memset(out, 0, sizeof *out);
    cJSON *root = json_parse_data(json, len, source, err);
    if (!root)
        return MA_ERR_INVALID;
    int rc = MA_OK;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "classes");
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
        rc = err_set(err, MA_ERR_INVALID, "%s: \"classes\" must be a non-empty array", source);
        goto done;
    }
    out->n = cJSON_GetArraySize(list);
    out->classes = calloc((size_t)out->n, sizeof *out->classes);
    if (!out->classes) {
        rc = err_set(err, MA_ERR_NOMEM, "out of memory");
        goto done;
    }
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, list) {
        ClassDef *d = &out->classes[i];
        if (!cJSON_IsObject(c) || copy_str(c, "name", d->name, sizeof d->name, 1) != 0) {
            rc = entry_error(err, source, i, NULL, "\"name\" must be a non-empty string under 32 characters");
            goto done;
        }
        for (int j = 0; j < i; j++)
            if (strcmp(out->classes[j].name, d->name) == 0) {
                rc = entry_error(err, source, i, d->name, "the name is used twice");
                goto done;
            }
        if (copy_str(c, "title", d->title, sizeof d->title, 0) != 0 ||
            copy_str(c, "description", d->description, sizeof d->description, 0) != 0) {
            rc = entry_error(err, source, i, d->name, "\"title\"/\"description\" must be short strings");
            goto done;
        }
        if (!d->title[0])
            snprintf(d->title, sizeof d->title, "%s", d->name);
        const cJSON *stats = cJSON_GetObjectItemCaseSensitive(c, "stats");
        if (!cJSON_IsObject(stats)) {
            rc = entry_error(err, source, i, d->name, "\"stats\" must be an object");
            goto done;
        }
        for (size_t k = 0; k < sizeof stat_keys / sizeof stat_keys[0]; k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(stats, stat_keys[k]);
            if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 10000) {
                char why[96];
                snprintf(why, sizeof why, "stats.%s must be a number from 0 to 10000", stat_keys[k]);
                rc = entry_error(err, source, i, d->name, why);
                goto done;
            }
        }
        d->stats = cJSON_Duplicate(stats, 1);
        const cJSON *skills = cJSON_GetObjectItemCaseSensitive(c, "skills");
        if (skills && !cJSON_IsObject(skills)) {
            rc = entry_error(err, source, i, d->name, "\"skills\" must be an object of skill: level");
            goto done;
        }
        d->skills = skills ? cJSON_Duplicate(skills, 1) : cJSON_CreateObject();
        const cJSON *gear = cJSON_GetObjectItemCaseSensitive(c, "gear");
        if (gear && (!cJSON_IsArray(gear) || cJSON_GetArraySize(gear) > 16)) {
            rc = entry_error(err, source, i, d->name, "\"gear\" must be an array of at most 16 items");
            goto done;
        }
        const cJSON *g;
        cJSON_ArrayForEach(g, gear) {
            ClassGear *cg = &d->gear[d->n_gear];
            const cJSON *count = cJSON_GetObjectItemCaseSensitive(g, "count");
            if (copy_str(g, "item", cg->item, sizeof cg->item, 1) != 0 ||
                copy_str(g, "type", cg->type, sizeof cg->type, 1) != 0 || !cJSON_IsNumber(count) ||
                count->valueint < 1 || count->valueint > 999) {
                rc = entry_error(err, source, i, d->name,
                                 "each gear entry needs \"item\", \"type\" and a \"count\" from 1 to 999");
                goto done;
            }
            cg->count = count->valueint;
            d->n_gear++;
        }
        i++;
    }
    char def[32] = "";
    if (copy_str(root, "default", def, sizeof def, 0) != 0) {
        rc = err_set(err, MA_ERR_INVALID, "%s: \"default\" must be a class name", source);
        goto done;
    }
    out->default_index = 0;
    if (def[0]) {
        out->default_index = -1;
        for (int j = 0; j < out->n; j++)
            if (strcmp(out->classes[j].name, def) == 0)
                out->default_index = j;
        if (out->default_index < 0) {
            rc = err_set(err, MA_ERR_INVALID, "%s: \"default\" names the unknown class \"%s\"", source, def);
            goto done;
        }
    }
done:
    cJSON_Delete(root);
    if (rc != MA_OK)
        classes_free(out);
    return rc;
}

static int parse_book(const char *text, size_t len, const char *where, void *out, Err *err)
{
    return classes_load(text, len, where, out, err);
}

int classes_load_default(ClassList *out, Err *err)
{
    return data_book_load("classes.json", parse_book, out, err);
}

void classes_free(ClassList *l)
{
    for (int i = 0; l->classes && i < l->n; i++) {
        cJSON_Delete(l->classes[i].stats);
        cJSON_Delete(l->classes[i].skills);
    }
    free(l->classes);
    memset(l, 0, sizeof *l);
}

const ClassDef *classes_find(const ClassList *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->classes[i].name, name) == 0)
            return &l->classes[i];
    return NULL;
}

int classes_check_refs(const ClassList *l, const ItemRegistry *items, const SkillBook *skills, Err *err)
{
    for (int i = 0; i < l->n; i++) {
        const ClassDef *d = &l->classes[i];
        char why[200];
        for (int k = 0; k < d->n_gear; k++) {
            const ItemDef *it = items_find(items, d->gear[k].item);
            if (!it) {
                snprintf(why, sizeof why, "gear \"%s\" is not an item of items.json", d->gear[k].item);
                return entry_error(err, "classes.json", i, d->name, why);
            }
            if (strcmp(it->type, d->gear[k].type) != 0) {
                snprintf(why, sizeof why, "gear \"%s\" says type \"%s\"; items.json says \"%s\"", d->gear[k].item,
                         d->gear[k].type, it->type);
                return entry_error(err, "classes.json", i, d->name, why);
            }
        }
        const cJSON *s;
        cJSON_ArrayForEach(s, d->skills) {
            if (!skillbook_has(skills, s->string)) {
                snprintf(why, sizeof why, "skill \"%s\" is not a skill of skills.json", s->string);
                return entry_error(err, "classes.json", i, d->name, why);
            }
        }
    }
    return MA_OK;
}
