/* blocks.c — the block registry: data/blocks.json parsed and checked.
 *
 * Every field is validated when the file is loaded, so the rest of the game
 * can trust a BlockDef. Names are also kept in a small hash table, because
 * the chunk decoder looks up every palette name of every chunk it loads. */
#include "world/blocks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "util/data.h"

#define NAME_SLOTS 512 /* power of two, > 2 * BLOCKS_MAX */

struct BlockRegistry {
    int count;
    BlockDef defs[BLOCKS_MAX];
    int16_t slots[NAME_SLOTS]; /* id + 1, 0 for an empty slot */
};

static uint32_t name_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

int blocks_find_n(const BlockRegistry *r, const char *name, size_t len)
{
    if (!r || len == 0 || len >= sizeof r->defs[0].name)
        return -1;
    for (uint32_t i = name_hash(name, len) & (NAME_SLOTS - 1);; i = (i + 1) & (NAME_SLOTS - 1)) {
        int id = r->slots[i] - 1;
        if (id < 0)
            return -1;
        const char *n = r->defs[id].name;
        if (memcmp(n, name, len) == 0 && n[len] == '\0')
            return id;
    }
}

int blocks_find(const BlockRegistry *r, const char *name)
{
    return name ? blocks_find_n(r, name, strlen(name)) : -1;
}

int blocks_count(const BlockRegistry *r) { return r ? r->count : 0; }

const BlockDef *blocks_get(const BlockRegistry *r, BlockId id)
{
    return (int)id < r->count ? &r->defs[id] : &r->defs[0];
}

void blocks_free(BlockRegistry *r) { free(r); }

/* ------------------------------------------------------------ validation */

/* Bytes of the one UTF-8 character s holds, or 0 when s is not exactly one
 * well-formed, printable character. */
static int utf8_single(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s);
    uint32_t cp;
    int len;
    if (n == 0)
        return 0;
    if (u[0] < 0x80) {
        len = 1;
        cp = u[0];
    } else if ((u[0] & 0xE0) == 0xC0) {
        len = 2;
        cp = u[0] & 0x1Fu;
    } else if ((u[0] & 0xF0) == 0xE0) {
        len = 3;
        cp = u[0] & 0x0Fu;
    } else if ((u[0] & 0xF8) == 0xF0) {
        len = 4;
        cp = u[0] & 0x07u;
    } else {
        return 0;
    }
    if ((size_t)len != n)
        return 0;
    for (int i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (u[i] & 0x3Fu);
    }
    static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return 0;
    return len;
}

static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof ((BlockDef *)0)->name)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

static const char *const known_fields[] = {
    "name", "ascii", "unicode", "color256", "color8", "rgb", "solid", "liquid", "transparent",
    "metadata", "climbable", "light", "replaceable", "tall", "hardness", "tool", "drop", "drop_count", NULL,
};

static const char *const known_tools[] = {"", "pickaxe", "axe", "shovel", "hoe", "shears", "sword", NULL};

/* Line and column (1-based) of byte offset off in text. */
static void text_position(const char *text, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* An integer field in [lo, hi]; returns 0 when bad. */
static int int_field(const cJSON *v, int lo, int hi, int *out)
{
    if (!cJSON_IsNumber(v))
        return 0;
    double d = v->valuedouble;
    if (!(d >= lo && d <= hi) || d != floor(d))
        return 0;
    *out = (int)d;
    return 1;
}

static int flag_field(const cJSON *entry, const char *key, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(entry, key);
    if (!v) {
        *out = 0;
        return 1;
    }
    if (!cJSON_IsBool(v))
        return 0;
    *out = cJSON_IsTrue(v);
    return 1;
}

/* Fills d from entry; on failure writes the reason to why and returns 0. */
static int parse_entry(const cJSON *entry, BlockDef *d, char *why, size_t whysize)
{
    const cJSON *v;
    if (!cJSON_IsObject(entry)) {
        snprintf(why, whysize, "must be an object");
        return 0;
    }
    for (const cJSON *f = entry->child; f; f = f->next) {
        int known = 0;
        for (int i = 0; known_fields[i]; i++)
            known |= strcmp(f->string, known_fields[i]) == 0;
        if (!known) {
            snprintf(why, whysize, "unknown field \"%.40s\"", f->string);
            return 0;
        }
    }
    v = cJSON_GetObjectItemCaseSensitive(entry, "name");
    if (!cJSON_IsString(v) || !valid_name(v->valuestring)) {
        snprintf(why, whysize, "\"name\" must be 1 to 31 characters of a-z, 0-9 and _");
        return 0;
    }
    snprintf(d->name, sizeof d->name, "%s", v->valuestring);

    v = cJSON_GetObjectItemCaseSensitive(entry, "ascii");
    if (!cJSON_IsString(v) || strlen(v->valuestring) != 1 || v->valuestring[0] < 0x20 || v->valuestring[0] > 0x7E) {
        snprintf(why, whysize, "\"ascii\" must be one printable character");
        return 0;
    }
    d->glyph_ascii = v->valuestring[0];

    v = cJSON_GetObjectItemCaseSensitive(entry, "unicode");
    if (!cJSON_IsString(v) || !utf8_single(v->valuestring)) {
        snprintf(why, whysize, "\"unicode\" must be one printable Unicode character");
        return 0;
    }
    snprintf(d->glyph_utf8, sizeof d->glyph_utf8, "%s", v->valuestring);

    int n;
    if (!int_field(cJSON_GetObjectItemCaseSensitive(entry, "color256"), 0, 255, &n)) {
        snprintf(why, whysize, "\"color256\" must be an integer from 0 to 255");
        return 0;
    }
    d->color256 = (uint8_t)n;
    if (!int_field(cJSON_GetObjectItemCaseSensitive(entry, "color8"), 0, 7, &n)) {
        snprintf(why, whysize, "\"color8\" must be an integer from 0 to 7");
        return 0;
    }
    d->color8 = (uint8_t)n;

    v = cJSON_GetObjectItemCaseSensitive(entry, "rgb");
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 3) {
        snprintf(why, whysize, "\"rgb\" must be an array of three integers from 0 to 255");
        return 0;
    }
    for (int i = 0; i < 3; i++) {
        if (!int_field(cJSON_GetArrayItem(v, i), 0, 255, &n)) {
            snprintf(why, whysize, "\"rgb\" must be an array of three integers from 0 to 255");
            return 0;
        }
        d->rgb[i] = (uint8_t)n;
    }

    static const char *const flags[] = {"solid", "liquid", "transparent", "metadata", "climbable", "light",
                                        "replaceable", "tall"};
    int fv[8];
    for (int i = 0; i < 8; i++) {
        if (!flag_field(entry, flags[i], &fv[i])) {
            snprintf(why, whysize, "\"%s\" must be true or false", flags[i]);
            return 0;
        }
    }
    d->solid = (unsigned)fv[0];
    d->liquid = (unsigned)fv[1];
    d->transparent = (unsigned)fv[2];
    d->has_metadata = (unsigned)fv[3];
    d->climbable = (unsigned)fv[4];
    d->light = (unsigned)fv[5];
    d->replaceable = (unsigned)fv[6];
    d->tall = (unsigned)fv[7];
    if (d->solid && d->liquid) {
        snprintf(why, whysize, "cannot be both \"solid\" and \"liquid\"");
        return 0;
    }

    v = cJSON_GetObjectItemCaseSensitive(entry, "hardness");
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble > 1e6) {
        snprintf(why, whysize, "\"hardness\" must be a number (seconds to dig; negative: cannot be dug)");
        return 0;
    }
    d->hardness = (float)v->valuedouble;

    v = cJSON_GetObjectItemCaseSensitive(entry, "tool");
    if (v) {
        int ok = 0;
        if (cJSON_IsString(v))
            for (int i = 0; known_tools[i]; i++)
                ok |= strcmp(v->valuestring, known_tools[i]) == 0;
        if (!ok) {
            snprintf(why, whysize, "\"tool\" must be one of \"\", pickaxe, axe, shovel, hoe, shears, sword");
            return 0;
        }
        snprintf(d->tool, sizeof d->tool, "%s", v->valuestring);
    }

    v = cJSON_GetObjectItemCaseSensitive(entry, "drop");
    if (v) {
        /* The drop names an item (items.json), not necessarily a block. */
        if (!cJSON_IsString(v) || (v->valuestring[0] && !valid_name(v->valuestring))) {
            snprintf(why, whysize, "\"drop\" must be an item name (a-z, 0-9, _) or \"\"");
            return 0;
        }
        snprintf(d->drop, sizeof d->drop, "%s", v->valuestring);
    }
    v = cJSON_GetObjectItemCaseSensitive(entry, "drop_count");
    if (v) {
        if (!int_field(v, 0, 64, &n)) {
            snprintf(why, whysize, "\"drop_count\" must be an integer from 0 to 64");
            return 0;
        }
        d->drop_count = n;
    } else {
        d->drop_count = d->drop[0] ? 1 : 0;
    }
    if (d->drop[0] && d->drop_count == 0) {
        snprintf(why, whysize, "\"drop_count\" is 0 but \"drop\" names \"%s\"", d->drop);
        return 0;
    }
    if (!d->drop[0] && d->drop_count != 0) {
        snprintf(why, whysize, "\"drop_count\" is %d but \"drop\" is empty", d->drop_count);
        return 0;
    }
    return 1;
}

int blocks_load(const char *json_text, size_t len, const char *source, BlockRegistry **out, Err *err)
{
    *out = NULL;
    if (!source)
        source = "blocks.json";
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json_text, len, &end, 0);
    if (!root) {
        size_t off = end && end >= json_text && end <= json_text + len ? (size_t)(end - json_text) : 0;
        int line, col;
        text_position(json_text, off, &line, &col);
        return err_set(err, MA_ERR_CORRUPT, "%s: line %d, column %d: not valid JSON", source, line, col);
    }
    int rc = MA_OK;
    BlockRegistry *r = NULL;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "blocks");
    if (!cJSON_IsObject(root) || !cJSON_IsArray(list)) {
        rc = err_set(err, MA_ERR_CORRUPT, "%s: must be an object with a \"blocks\" array", source);
        goto cleanup;
    }
    int n = cJSON_GetArraySize(list);
    if (n == 0) {
        rc = err_set(err, MA_ERR_CORRUPT, "%s: \"blocks\" is empty (block 0 must be \"air\")", source);
        goto cleanup;
    }
    if (n > BLOCKS_MAX) {
        rc = err_set(err, MA_ERR_CORRUPT, "%s: %d blocks, at most %d are allowed", source, n, BLOCKS_MAX);
        goto cleanup;
    }
    r = calloc(1, sizeof *r);
    if (!r) {
        rc = err_set(err, MA_ERR_NOMEM, "out of memory loading %s", source);
        goto cleanup;
    }
    int i = 0;
    for (const cJSON *e = list->child; e; e = e->next, i++) {
        BlockDef *d = &r->defs[i];
        char why[160];
        if (!parse_entry(e, d, why, sizeof why)) {
            const cJSON *nm = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "name") : NULL;
            if (cJSON_IsString(nm))
                rc = err_set(err, MA_ERR_CORRUPT, "%s: block %d (\"%.40s\"): %s", source, i, nm->valuestring, why);
            else
                rc = err_set(err, MA_ERR_CORRUPT, "%s: block %d: %s", source, i, why);
            goto cleanup;
        }
        if (i == 0 && strcmp(d->name, "air") != 0) {
            rc = err_set(err, MA_ERR_CORRUPT, "%s: block 0 (\"%s\"): the first block must be \"air\"", source, d->name);
            goto cleanup;
        }
        if (i == 0 && (d->solid || d->liquid || !d->transparent)) {
            rc = err_set(err, MA_ERR_CORRUPT, "%s: block 0 (\"air\"): air must be transparent, not solid or liquid",
                         source);
            goto cleanup;
        }
        int prev = blocks_find(r, d->name);
        if (prev >= 0) {
            rc = err_set(err, MA_ERR_CORRUPT, "%s: block %d (\"%s\"): the name is already used by block %d", source,
                         i, d->name, prev);
            goto cleanup;
        }
        uint32_t slot = name_hash(d->name, strlen(d->name)) & (NAME_SLOTS - 1);
        while (r->slots[slot])
            slot = (slot + 1) & (NAME_SLOTS - 1);
        r->slots[slot] = (int16_t)(i + 1);
        r->count = i + 1;
    }
    *out = r;
    r = NULL;
cleanup:
    free(r);
    cJSON_Delete(root);
    return rc;
}

static int parse_book(const char *text, size_t len, const char *where, void *out, Err *err)
{
    return blocks_load(text, len, where, out, err);
}

int blocks_load_default(BlockRegistry **out, Err *err)
{
    *out = NULL;
    return data_book_load("blocks.json", parse_book, out, err);
}
