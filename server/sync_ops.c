/* sync_ops.c — parsing and validating a push batch (see sync_ops.h). */
#include "sync_ops.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/timeutil.h"
#include "world/chunk.h"

const char *const sync_kind_names[SYNC_KIND_COUNT] = {
    "world", "chunk_edit", "character", "relationship", "quest_progress", "evolution", "story_choice",
};

static const char *const agent_types[] = {"story_weaver", "world_builder", "character_master",
                                          "quest_generator", "event_coordinator", "balance_keeper"};
static const char *const quest_statuses[] = {"active", "completed", "failed", "abandoned", "expired"};
static const char *const state_kinds[] = {"flag", "recipe", "specialization", "counter"};

/* ------------------------------------------------------------ field checks */

typedef struct V {
    Err *err;
    char where[96];
} V;

static int fail(V *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(V *v, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(v->err, MA_ERR_INVALID, "%s%s%s", v->where, v->where[0] ? ": " : "", msg);
}

static int is_whole(const cJSON *n, int64_t lo, int64_t hi)
{
    if (!cJSON_IsNumber(n))
        return 0;
    double d = n->valuedouble;
    return isfinite(d) && d == floor(d) && d >= (double)lo && d <= (double)hi;
}

int sync_int_field(const cJSON *o, const char *name, int64_t lo, int64_t hi, int64_t def, int64_t *out)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!n || cJSON_IsNull(n)) {
        *out = def;
        return 1;
    }
    if (!is_whole(n, lo, hi))
        return 0;
    *out = (int64_t)n->valuedouble;
    return 1;
}

/* single_line: no control characters at all; else tabs and newlines are allowed. */
static int text_ok(const char *s, size_t min, size_t max, int single_line)
{
    size_t n = strlen(s);
    if (n < min || n > max)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0x7f || (c < 0x20 && (single_line || (c != '\n' && c != '\t' && c != '\r'))))
            return 0;
    }
    return 1;
}

static int text(V *v, const cJSON *o, const char *name, size_t min, size_t max, int required, int single_line,
                const char **out)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, name);
    *out = NULL;
    if (!s || cJSON_IsNull(s)) {
        if (required)
            return fail(v, "%s is missing (text of %zu to %zu characters)", name, min, max);
        return MA_OK;
    }
    if (!cJSON_IsString(s) || !s->valuestring)
        return fail(v, "%s must be text", name);
    if (!text_ok(s->valuestring, min, max, single_line))
        return fail(v, "%s must be %zu to %zu bytes%s", name, min, max, single_line ? " without control characters" : "");
    *out = s->valuestring;
    return MA_OK;
}

static int integer(V *v, const cJSON *o, const char *name, int64_t lo, int64_t hi, int required, int64_t def,
                   int64_t *out)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, name);
    if ((!n || cJSON_IsNull(n)) && required)
        return fail(v, "%s is missing (a whole number %lld..%lld)", name, (long long)lo, (long long)hi);
    if (!sync_int_field(o, name, lo, hi, def, out))
        return fail(v, "%s must be a whole number %lld..%lld", name, (long long)lo, (long long)hi);
    return MA_OK;
}

static int object(V *v, const cJSON *o, const char *name, int required, const cJSON **out)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, name);
    *out = NULL;
    if (!x || cJSON_IsNull(x)) {
        if (required)
            return fail(v, "%s is missing (an object)", name);
        return MA_OK;
    }
    if (!cJSON_IsObject(x))
        return fail(v, "%s must be an object", name);
    *out = x;
    return MA_OK;
}

static int array(V *v, const cJSON *o, const char *name, int max, int required, const cJSON **out)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, name);
    *out = NULL;
    if (!x || cJSON_IsNull(x)) {
        if (required)
            return fail(v, "%s is missing (a list)", name);
        return MA_OK;
    }
    if (!cJSON_IsArray(x))
        return fail(v, "%s must be a list", name);
    if (cJSON_GetArraySize(x) > max)
        return fail(v, "%s holds %d entries; at most %d are accepted", name, cJSON_GetArraySize(x), max);
    *out = x;
    return MA_OK;
}

/* An object or a list (free-form game data: requirements, rewards, changes...). */
static int document(V *v, const cJSON *o, const char *name, int required, const cJSON **out)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, name);
    *out = NULL;
    if (!x || cJSON_IsNull(x)) {
        if (required)
            return fail(v, "%s is missing (an object or a list)", name);
        return MA_OK;
    }
    if (!cJSON_IsObject(x) && !cJSON_IsArray(x))
        return fail(v, "%s must be an object or a list", name);
    *out = x;
    return MA_OK;
}

static int boolean(V *v, const cJSON *o, const char *name, int def, int *out)
{
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!b || cJSON_IsNull(b)) {
        *out = def;
        return MA_OK;
    }
    if (!cJSON_IsBool(b))
        return fail(v, "%s must be true or false", name);
    *out = cJSON_IsTrue(b);
    return MA_OK;
}

/* An ISO-8601 UTC time as the save writes it ("2026-11-27T03:17:40.123Z"). */
static int iso_time(V *v, const cJSON *o, const char *name)
{
    const char *s;
    int rc = text(v, o, name, 10, 40, 0, 1, &s);
    if (rc != MA_OK || !s)
        return rc;
    int64_t t = time_parse_iso(s);
    if (t < 0 || t > 253402300799000LL)
        return fail(v, "%s must be an ISO-8601 UTC time like 2026-11-27T03:17:40.123Z", name);
    return MA_OK;
}

static int one_of(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

static int finite_number(const cJSON *n, double lim)
{
    return cJSON_IsNumber(n) && isfinite(n->valuedouble) && fabs(n->valuedouble) <= lim;
}

/* Entries of a history: objects with a unique "id" (and, for relationships, a "change"). */
static int history(V *v, const cJSON *o, const char *name, int with_change, const cJSON **out)
{
    int rc = array(v, o, name, SYNC_MAX_ENTRIES, 0, out);
    if (rc != MA_OK || !*out)
        return rc;
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, *out) {
        if (!cJSON_IsObject(e))
            return fail(v, "%s[%d] must be an object", name, i);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
        if (!cJSON_IsString(id) || !text_ok(id->valuestring, 1, 64, 1))
            return fail(v, "%s[%d].id must be text of 1 to 64 characters (the entry's own id)", name, i);
        if (with_change) {
            const cJSON *ch = cJSON_GetObjectItemCaseSensitive(e, "change");
            if (ch && !is_whole(ch, -200, 200))
                return fail(v, "%s[%d].change must be a whole number -200..200", name, i);
        }
        int j = 0;
        const cJSON *f;
        cJSON_ArrayForEach(f, *out) {
            if (j++ >= i)
                break;
            if (strcmp(cJSON_GetObjectItemCaseSensitive(f, "id")->valuestring, id->valuestring) == 0)
                return fail(v, "%s[%d].id '%s' is listed twice", name, i, id->valuestring);
        }
        i++;
    }
    return MA_OK;
}

/* ------------------------------------------------------------ world */

static int parse_seed(const cJSON *s, int64_t *out)
{
    if (cJSON_IsString(s) && s->valuestring) {
        const char *p = s->valuestring;
        if (!*p || strlen(p) > 20)
            return 0;
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (*end || errno)
            return 0;
        *out = v;
        return 1;
    }
    if (is_whole(s, -9007199254740992LL, 9007199254740992LL)) {
        *out = (int64_t)s->valuedouble;
        return 1;
    }
    return 0;
}

int sync_world_fields(const cJSON *o, const BlockRegistry *reg, int creating, SyncWorldFields *f, Err *err)
{
    (void)reg;
    memset(f, 0, sizeof *f);
    f->is_active = -1;
    snprintf(f->world_type, sizeof f->world_type, "normal");
    V v = {err, ""};
    const char *s;
    int rc = text(&v, o, "name", 1, 64, creating, 1, &s);
    if (rc != MA_OK)
        return rc;
    if (s) {
        snprintf(f->name, sizeof f->name, "%s", s);
        f->has_name = 1;
    }
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(o, "seed");
    if (seed && !cJSON_IsNull(seed)) {
        if (!parse_seed(seed, &f->seed))
            return fail(&v, "seed must be a whole number (as text for any 64-bit value)");
        f->has_seed = 1;
    } else if (creating) {
        return fail(&v, "seed is missing");
    }
    if ((rc = text(&v, o, "world_type", 1, 31, 0, 1, &s)) != MA_OK)
        return rc;
    if (s) {
        if (strcmp(s, "normal") != 0 && strcmp(s, "flat") != 0)
            return fail(&v, "world_type '%s' is not one the game generates (normal, flat)", s);
        snprintf(f->world_type, sizeof f->world_type, "%s", s);
        f->has_type = 1;
    }
    const cJSON *settings, *metadata;
    if ((rc = object(&v, o, "settings", 0, &settings)) != MA_OK || (rc = object(&v, o, "metadata", 0, &metadata)) != MA_OK)
        return rc;
    if (settings) {
        const cJSON *gv = cJSON_GetObjectItemCaseSensitive(settings, "generator_version");
        if (gv && !is_whole(gv, 1, 1000))
            return fail(&v, "settings.generator_version must be a whole number 1..1000");
        f->has_settings = 1;
    }
    f->has_metadata = metadata != NULL;
    if ((rc = boolean(&v, o, "is_active", -1, &f->is_active)) != MA_OK)
        return rc;
    f->settings = settings ? cJSON_Duplicate(settings, 1) : cJSON_CreateObject();
    f->metadata = metadata ? cJSON_Duplicate(metadata, 1) : cJSON_CreateObject();
    if (!f->settings || !f->metadata) {
        sync_world_fields_clear(f);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    return MA_OK;
}

void sync_world_fields_clear(SyncWorldFields *f)
{
    cJSON_Delete(f->settings);
    cJSON_Delete(f->metadata);
    f->settings = f->metadata = NULL;
}

/* ------------------------------------------------------------ chunk_edit */

static int local_xyz(V *v, const cJSON *e, const char *list, int i, uint8_t *x, uint8_t *y, uint8_t *z)
{
    static const char *const axis[3] = {"x", "y", "z"};
    uint8_t *out[3] = {x, y, z};
    for (int a = 0; a < 3; a++) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, axis[a]);
        if (!is_whole(n, 0, CHUNK_SIZE - 1))
            return fail(v, "%s[%d].%s must be a whole number 0..15 (a block's place inside the chunk)", list, i,
                        axis[a]);
        *out[a] = (uint8_t)n->valuedouble;
    }
    return MA_OK;
}

/* A metadata or entity value: an object, or null for none. */
static int json_value(V *v, const cJSON *e, const char *list, int i, const char *name, const cJSON **out)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(e, name);
    if (!x)
        return fail(v, "%s[%d].%s is missing (an object, or null for none)", list, i, name);
    if (cJSON_IsNull(x)) {
        *out = NULL;
        return MA_OK;
    }
    if (!cJSON_IsObject(x))
        return fail(v, "%s[%d].%s must be an object or null", list, i, name);
    *out = x;
    return MA_OK;
}

static int parse_chunk_edit(V *v, const cJSON *o, const BlockRegistry *reg, SyncOp *op)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "chunk");
    if (!cJSON_IsArray(c) || cJSON_GetArraySize(c) != 3)
        return fail(v, "chunk must be [cx, cy, cz]");
    const cJSON *cx = cJSON_GetArrayItem(c, 0), *cy = cJSON_GetArrayItem(c, 1), *cz = cJSON_GetArrayItem(c, 2);
    if (!is_whole(cx, -SYNC_CHUNK_XZ_MAX, SYNC_CHUNK_XZ_MAX) || !is_whole(cz, -SYNC_CHUNK_XZ_MAX, SYNC_CHUNK_XZ_MAX))
        return fail(v, "chunk x and z must be whole numbers within ±%d", SYNC_CHUNK_XZ_MAX);
    if (!is_whole(cy, 0, WORLD_CHUNKS_Y - 1))
        return fail(v, "chunk y must be a whole number 0..%d (the world is %d blocks high)", WORLD_CHUNKS_Y - 1,
                    WORLD_HEIGHT);
    op->cx = (int32_t)cx->valuedouble;
    op->cy = (int32_t)cy->valuedouble;
    op->cz = (int32_t)cz->valuedouble;
    int rc = integer(v, o, "base_version", 0, INT32_MAX, 1, 0, &op->base_version);
    const cJSON *blocks, *meta, *ents;
    if (rc != MA_OK || (rc = array(v, o, "blocks", SYNC_MAX_EDITS, 0, &blocks)) != MA_OK ||
        (rc = array(v, o, "meta", SYNC_MAX_JSON_EDITS, 0, &meta)) != MA_OK ||
        (rc = array(v, o, "entities", SYNC_MAX_JSON_EDITS, 0, &ents)) != MA_OK)
        return rc;
    int nb = blocks ? cJSON_GetArraySize(blocks) : 0, nm = meta ? cJSON_GetArraySize(meta) : 0;
    int ne = ents ? cJSON_GetArraySize(ents) : 0;
    if (nb + nm + ne == 0)
        return fail(v, "a chunk_edit needs at least one change in blocks, meta or entities");
    op->blocks = nb ? calloc((size_t)nb, sizeof *op->blocks) : NULL;
    op->meta = nm ? calloc((size_t)nm, sizeof *op->meta) : NULL;
    op->ents = ne ? calloc((size_t)ne, sizeof *op->ents) : NULL;
    if ((nb && !op->blocks) || (nm && !op->meta) || (ne && !op->ents))
        return err_set(v->err, MA_ERR_NOMEM, "out of memory");
    /* One bit per block: an op may name a block once. */
    uint8_t seen[CHUNK_VOLUME / 8];
    memset(seen, 0, sizeof seen);
    const cJSON *e;
    int i = 0;
    cJSON_ArrayForEach(e, blocks) {
        if (!cJSON_IsObject(e))
            return fail(v, "blocks[%d] must be an object {x, y, z, from, to}", i);
        SyncBlockEdit *b = &op->blocks[i];
        if ((rc = local_xyz(v, e, "blocks", i, &b->x, &b->y, &b->z)) != MA_OK)
            return rc;
        b->index = (uint16_t)CHUNK_INDEX(b->x, b->y, b->z);
        if (seen[b->index >> 3] & (1u << (b->index & 7)))
            return fail(v, "blocks[%d]: block %d,%d,%d is listed twice", i, b->x, b->y, b->z);
        seen[b->index >> 3] |= (uint8_t)(1u << (b->index & 7));
        static const char *const ends[2] = {"from", "to"};
        for (int k = 0; k < 2; k++) {
            const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, ends[k]);
            if (!cJSON_IsString(n) || !n->valuestring)
                return fail(v, "blocks[%d].%s must be a block name", i, ends[k]);
            int id = blocks_find(reg, n->valuestring);
            if (id < 0)
                return fail(v, "blocks[%d].%s: '%.40s' is not a block of data/blocks.json", i, ends[k], n->valuestring);
            if (k == 0)
                b->from = (BlockId)id;
            else
                b->to = (BlockId)id;
        }
        i++;
    }
    op->n_blocks = nb;
    memset(seen, 0, sizeof seen);
    i = 0;
    cJSON_ArrayForEach(e, meta) {
        if (!cJSON_IsObject(e))
            return fail(v, "meta[%d] must be an object {x, y, z, from, to}", i);
        SyncJsonEdit *m = &op->meta[i];
        if ((rc = local_xyz(v, e, "meta", i, &m->x, &m->y, &m->z)) != MA_OK)
            return rc;
        m->index = (uint16_t)CHUNK_INDEX(m->x, m->y, m->z);
        if (seen[m->index >> 3] & (1u << (m->index & 7)))
            return fail(v, "meta[%d]: block %d,%d,%d is listed twice", i, m->x, m->y, m->z);
        seen[m->index >> 3] |= (uint8_t)(1u << (m->index & 7));
        if ((rc = json_value(v, e, "meta", i, "from", &m->from)) != MA_OK ||
            (rc = json_value(v, e, "meta", i, "to", &m->to)) != MA_OK)
            return rc;
        i++;
    }
    op->n_meta = nm;
    i = 0;
    cJSON_ArrayForEach(e, ents) {
        if (!cJSON_IsObject(e))
            return fail(v, "entities[%d] must be an object {id, from, to}", i);
        SyncJsonEdit *m = &op->ents[i];
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
        if (!cJSON_IsString(id) || !text_ok(id->valuestring, 1, 64, 1))
            return fail(v, "entities[%d].id must be text of 1 to 64 characters", i);
        m->entity = id->valuestring;
        for (int j = 0; j < i; j++)
            if (strcmp(op->ents[j].entity, m->entity) == 0)
                return fail(v, "entities[%d]: entity '%s' is listed twice", i, m->entity);
        if ((rc = json_value(v, e, "entities", i, "from", &m->from)) != MA_OK ||
            (rc = json_value(v, e, "entities", i, "to", &m->to)) != MA_OK)
            return rc;
        for (int k = 0; k < 2; k++) {
            const cJSON *val = k ? m->to : m->from;
            const cJSON *vid = val ? cJSON_GetObjectItemCaseSensitive(val, "id") : NULL;
            if (val && (!cJSON_IsString(vid) || strcmp(vid->valuestring, m->entity) != 0))
                return fail(v, "entities[%d].%s.id must be '%s'", i, k ? "to" : "from", m->entity);
        }
        i++;
    }
    op->n_ents = ne;
    return MA_OK;
}

/* ------------------------------------------------------------ character */

static int parse_character(V *v, const cJSON *o, SyncOp *op)
{
    int rc = text(v, o, "key", 1, 64, 1, 1, &op->key);
    if (rc == MA_OK)
        rc = integer(v, o, "base_version", 0, INT64_C(1) << 53, 1, 0, &op->base_version);
    if (rc == MA_OK)
        rc = boolean(v, o, "deleted", 0, &op->deleted);
    if (rc == MA_OK)
        rc = boolean(v, o, "npc", 0, &op->npc);
    if (rc != MA_OK || op->deleted)
        return rc;
    const cJSON *ch, *stats, *appearance, *list;
    if ((rc = object(v, o, "character", 1, &ch)) != MA_OK)
        return rc;
    const char *s;
    int64_t n;
    snprintf(v->where + strlen(v->where), sizeof v->where - strlen(v->where), " character");
    if ((rc = text(v, ch, "name", 1, 64, 1, 1, &s)) != MA_OK ||
        (rc = text(v, ch, "character_class", 1, 64, 1, 1, &s)) != MA_OK ||
        (rc = integer(v, ch, "level", 1, 100000, 0, 1, &n)) != MA_OK ||
        (rc = integer(v, ch, "experience", 0, INT32_MAX, 0, 0, &n)) != MA_OK ||
        (rc = object(v, ch, "stats", 0, &stats)) != MA_OK || (rc = object(v, ch, "appearance", 0, &appearance)) != MA_OK)
        return rc;
    if (stats) {
        const cJSON *st;
        cJSON_ArrayForEach(st, stats) {
            if (!finite_number(st, 1e9) && !cJSON_IsString(st) && !cJSON_IsBool(st))
                return fail(v, "stats.%s must be a number, text or true/false", st->string);
        }
    }
    const cJSON *pos = cJSON_GetObjectItemCaseSensitive(ch, "position");
    if (pos && (!cJSON_IsArray(pos) || cJSON_GetArraySize(pos) != 3 || !finite_number(cJSON_GetArrayItem(pos, 0), 1e9) ||
                !finite_number(cJSON_GetArrayItem(pos, 1), 1e9) || !finite_number(cJSON_GetArrayItem(pos, 2), 1e9)))
        return fail(v, "position must be [x, y, z], numbers within ±1e9");
    v->where[strlen(v->where) - strlen(" character")] = '\0';

    /* inventory, skills, state: the character's whole set (they replace the server's) */
    if ((rc = array(v, o, "inventory", SYNC_MAX_ROWS, 0, &list)) != MA_OK)
        return rc;
    const cJSON *e;
    int i = 0;
    cJSON_ArrayForEach(e, list) {
        const cJSON *data;
        int64_t slot, q;
        snprintf(v->where + strlen(v->where), sizeof v->where - strlen(v->where), " inventory[%d]", i);
        if (!cJSON_IsObject(e))
            return fail(v, "must be an object");
        if ((rc = text(v, e, "item_type", 1, 64, 1, 1, &s)) != MA_OK || (rc = text(v, e, "item_name", 1, 64, 1, 1, &s)) != MA_OK ||
            (rc = integer(v, e, "quantity", 1, 1000000, 0, 1, &q)) != MA_OK ||
            (rc = integer(v, e, "slot_position", 0, 100000, 0, -1, &slot)) != MA_OK ||
            (rc = object(v, e, "item_data", 0, &data)) != MA_OK)
            return rc;
        int j = 0;
        const cJSON *f;
        cJSON_ArrayForEach(f, list) {
            int64_t other;
            if (j++ >= i)
                break;
            if (slot >= 0 && sync_int_field(f, "slot_position", 0, 100000, -1, &other) && other == slot)
                return fail(v, "slot %lld holds two stacks", (long long)slot);
        }
        *strrchr(v->where, ' ') = '\0';
        i++;
    }
    if ((rc = array(v, o, "skills", SYNC_MAX_ROWS, 0, &list)) != MA_OK)
        return rc;
    i = 0;
    cJSON_ArrayForEach(e, list) {
        const cJSON *data;
        const char *name;
        snprintf(v->where + strlen(v->where), sizeof v->where - strlen(v->where), " skills[%d]", i);
        if (!cJSON_IsObject(e))
            return fail(v, "must be an object");
        if ((rc = text(v, e, "skill_name", 1, 64, 1, 1, &name)) != MA_OK ||
            (rc = integer(v, e, "skill_level", 1, 100000, 0, 1, &n)) != MA_OK ||
            (rc = integer(v, e, "experience_points", 0, INT32_MAX, 0, 0, &n)) != MA_OK ||
            (rc = object(v, e, "skill_data", 0, &data)) != MA_OK)
            return rc;
        int j = 0;
        const cJSON *f;
        cJSON_ArrayForEach(f, list) {
            if (j++ >= i)
                break;
            if (strcmp(cJSON_GetObjectItemCaseSensitive(f, "skill_name")->valuestring, name) == 0)
                return fail(v, "skill '%s' is listed twice", name);
        }
        *strrchr(v->where, ' ') = '\0';
        i++;
    }
    if ((rc = array(v, o, "state", SYNC_MAX_STATE, 0, &list)) != MA_OK)
        return rc;
    i = 0;
    cJSON_ArrayForEach(e, list) {
        const char *kind, *key, *value;
        snprintf(v->where + strlen(v->where), sizeof v->where - strlen(v->where), " state[%d]", i);
        if (!cJSON_IsObject(e))
            return fail(v, "must be an object {kind, key, value}");
        if ((rc = text(v, e, "kind", 1, 32, 1, 1, &kind)) != MA_OK || (rc = text(v, e, "key", 1, 64, 1, 1, &key)) != MA_OK ||
            (rc = text(v, e, "value", 0, 1024, 0, 0, &value)) != MA_OK)
            return rc;
        if (!one_of(kind, state_kinds, 4))
            return fail(v, "kind must be flag, recipe, specialization or counter");
        *strrchr(v->where, ' ') = '\0';
        i++;
    }
    /* the same (kind, key) twice: the last one counts (push.c keeps it) */
    return MA_OK;
}

/* ------------------------------------------------------------ the other kinds */

static int parse_relationship(V *v, const cJSON *o, SyncOp *op)
{
    const char *type;
    int rc = text(v, o, "from", 1, 64, 1, 1, &op->key);
    if (rc == MA_OK)
        rc = text(v, o, "to", 1, 64, 1, 1, &op->key2);
    if (rc == MA_OK)
        rc = text(v, o, "relationship_type", 1, 32, 0, 1, &type);
    if (rc == MA_OK)
        rc = history(v, o, "entries", 1, &op->entries);
    if (rc == MA_OK && strcmp(op->key, op->key2) == 0)
        return fail(v, "a character has no relationship with itself");
    if (rc == MA_OK && !op->entries && !type)
        return fail(v, "a relationship op needs entries or a relationship_type");
    return rc;
}

static int parse_quest(V *v, const cJSON *o, SyncOp *op)
{
    const cJSON *q, *pd, *list;
    const char *s;
    int64_t n;
    int rc = text(v, o, "character", 1, 64, 1, 1, &op->key);
    if (rc == MA_OK)
        rc = object(v, o, "quest", 1, &q);
    if (rc != MA_OK)
        return rc;
    if ((rc = text(v, q, "title", 1, 128, 1, 1, &op->key2)) != MA_OK ||
        (rc = text(v, q, "description", 0, 4000, 0, 0, &s)) != MA_OK ||
        (rc = text(v, q, "quest_type", 1, 32, 0, 1, &s)) != MA_OK ||
        (rc = integer(v, q, "difficulty_level", 1, 1000, 0, 1, &n)) != MA_OK ||
        (rc = document(v, q, "requirements", 0, &list)) != MA_OK || (rc = document(v, q, "rewards", 0, &list)) != MA_OK ||
        (rc = array(v, q, "objectives", 100, 0, &list)) != MA_OK)
        return rc;
    const cJSON *e;
    int i = 0;
    cJSON_ArrayForEach(e, list) {
        if (!cJSON_IsObject(e) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "text")) ||
            !text_ok(cJSON_GetObjectItemCaseSensitive(e, "text")->valuestring, 1, 500, 0))
            return fail(v, "quest.objectives[%d] must be an object with text of 1 to 500 bytes", i);
        i++;
    }
    if ((rc = text(v, o, "status", 1, 16, 1, 1, &s)) != MA_OK)
        return rc;
    if (!one_of(s, quest_statuses, 5))
        return fail(v, "status must be active, completed, failed, abandoned or expired");
    if ((rc = object(v, o, "progress_data", 0, &pd)) != MA_OK)
        return rc;
    const cJSON *objs = pd ? cJSON_GetObjectItemCaseSensitive(pd, "objectives") : NULL;
    if (objs) {
        if (!cJSON_IsArray(objs) || cJSON_GetArraySize(objs) > 100)
            return fail(v, "progress_data.objectives must be a list of at most 100");
        i = 0;
        cJSON_ArrayForEach(e, objs) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
            int64_t cnt;
            if (!cJSON_IsObject(e) || !cJSON_IsString(id) || !text_ok(id->valuestring, 1, 64, 1) ||
                !sync_int_field(e, "count", 0, INT32_MAX, 0, &cnt))
                return fail(v, "progress_data.objectives[%d] needs an id (text) and a count (a whole number >= 0)", i);
            i++;
        }
    }
    if ((rc = history(v, o, "history", 0, &op->entries)) != MA_OK || (rc = iso_time(v, o, "started_at")) != MA_OK ||
        (rc = iso_time(v, o, "completed_at")) != MA_OK || (rc = array(v, o, "rewards_earned", 100, 0, &list)) != MA_OK)
        return rc;
    return MA_OK;
}

static int parse_evolution(V *v, const cJSON *o, SyncOp *op)
{
    const cJSON *agent, *doc;
    const char *s;
    int b;
    int rc = text(v, o, "entry", 1, 64, 1, 1, &op->key);
    if (rc == MA_OK)
        rc = object(v, o, "agent", 1, &agent);
    if (rc != MA_OK)
        return rc;
    if ((rc = text(v, agent, "name", 1, 64, 1, 1, &s)) != MA_OK || (rc = text(v, agent, "type", 1, 32, 1, 1, &s)) != MA_OK)
        return rc;
    if (!one_of(s, agent_types, 6))
        return fail(v, "agent.type must be one of story_weaver, world_builder, character_master, quest_generator, "
                       "event_coordinator, balance_keeper");
    if ((rc = text(v, o, "evolution_type", 1, 64, 1, 1, &s)) != MA_OK ||
        (rc = document(v, o, "changes_made", 1, &doc)) != MA_OK || (rc = document(v, o, "reasoning", 0, &doc)) != MA_OK ||
        (rc = iso_time(v, o, "applied_at")) != MA_OK || (rc = boolean(v, o, "is_active", 1, &b)) != MA_OK)
        return rc;
    return MA_OK;
}

static int parse_choice(V *v, const cJSON *o, SyncOp *op)
{
    const cJSON *story, *branch, *doc;
    const char *s;
    int rc = text(v, o, "entry", 1, 64, 1, 1, &op->key);
    if (rc == MA_OK)
        rc = text(v, o, "character", 1, 64, 1, 1, &op->key2);
    if (rc == MA_OK)
        rc = object(v, o, "story", 1, &story);
    if (rc == MA_OK)
        rc = object(v, o, "branch", 1, &branch);
    if (rc != MA_OK)
        return rc;
    if ((rc = text(v, story, "title", 1, 128, 1, 1, &s)) != MA_OK ||
        (rc = text(v, story, "description", 0, 4000, 0, 0, &s)) != MA_OK ||
        (rc = text(v, story, "story_type", 1, 32, 0, 1, &s)) != MA_OK)
        return rc;
    if (((rc = text(v, branch, "name", 1, 128, 1, 1, &s)) != MA_OK ||
                   (rc = text(v, branch, "content", 0, 20000, 0, 0, &s)) != MA_OK ||
                   (rc = text(v, branch, "parent", 1, 128, 0, 1, &s)) != MA_OK))
        return rc;
    if ((rc = text(v, o, "choice_text", 1, 2000, 1, 0, &s)) != MA_OK ||
        (rc = document(v, o, "choice_data", 0, &doc)) != MA_OK || (rc = document(v, o, "consequences", 0, &doc)) != MA_OK ||
        (rc = iso_time(v, o, "made_at")) != MA_OK)
        return rc;
    return MA_OK;
}

static int parse_world_op(V *v, const cJSON *o, const BlockRegistry *reg, SyncOp *op)
{
    const cJSON *w;
    int rc = integer(v, o, "base_version", 0, INT64_C(1) << 53, 1, 0, &op->base_version);
    if (rc == MA_OK)
        rc = object(v, o, "world", 1, &w);
    if (rc != MA_OK)
        return rc;
    SyncWorldFields f;
    Err e2 = {0};
    if (sync_world_fields(w, reg, 0, &f, &e2) != MA_OK)
        return fail(v, "world: %s", e2.msg);
    sync_world_fields_clear(&f);
    return MA_OK;
}

/* ------------------------------------------------------------ the batch */

static int op_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 8 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == ':'))
            return 0;
    }
    return 1;
}

void sync_batch_free(SyncBatch *b)
{
    if (!b)
        return;
    for (int i = 0; i < b->n; i++) {
        free(b->ops[i].blocks);
        free(b->ops[i].meta);
        free(b->ops[i].ents);
    }
    free(b->ops);
    cJSON_Delete(b->root);
    free(b);
}

int sync_batch_parse(const char *text_in, size_t len, const BlockRegistry *reg, SyncBatch **out, Err *err)
{
    *out = NULL;
    SyncBatch *b = calloc(1, sizeof *b);
    if (!b)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    V v = {err, ""};
    int rc = MA_OK;
    const char *end = NULL;
    b->root = cJSON_ParseWithLengthOpts(text_in, len, &end, 0);
    while (b->root && end < text_in + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
        end++;
    if (b->root && end != text_in + len) { /* something after the JSON */
        cJSON_Delete(b->root);
        b->root = NULL;
    }
    const cJSON *ops = b->root ? cJSON_GetObjectItemCaseSensitive(b->root, "ops") : NULL;
    if (!b->root) {
        rc = fail(&v, "the body is not JSON (near byte %zu)", end ? (size_t)(end - text_in) : (size_t)0);
    } else if (!cJSON_IsObject(b->root)) {
        rc = fail(&v, "the body must be an object {\"ops\": [...]}");
    } else if (!cJSON_IsArray(ops)) {
        rc = fail(&v, "ops must be a list of operations");
    } else if (cJSON_GetArraySize(ops) < 1 || cJSON_GetArraySize(ops) > SYNC_MAX_OPS) {
        rc = fail(&v, "a push holds 1 to %d operations (this one %d)", SYNC_MAX_OPS, cJSON_GetArraySize(ops));
    }
    if (rc != MA_OK) {
        sync_batch_free(b);
        return rc;
    }
    b->ops = calloc((size_t)cJSON_GetArraySize(ops), sizeof *b->ops);
    if (!b->ops) {
        sync_batch_free(b);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    const cJSON *o;
    cJSON_ArrayForEach(o, ops) {
        int i = b->n;
        SyncOp *op = &b->ops[b->n++];
        op->json = o;
        op->base_version = -1;
        snprintf(v.where, sizeof v.where, "ops[%d]", i);
        if (!cJSON_IsObject(o)) {
            rc = fail(&v, "must be an object");
            break;
        }
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id"), *kind = cJSON_GetObjectItemCaseSensitive(o, "kind");
        if (!cJSON_IsString(id) || !op_id_ok(id->valuestring)) {
            rc = fail(&v, "id must be 8 to 64 characters of letters, digits and - _ . : (unique per operation)");
            break;
        }
        snprintf(op->id, sizeof op->id, "%s", id->valuestring);
        for (int j = 0; j < i; j++)
            if (strcmp(b->ops[j].id, op->id) == 0) {
                rc = fail(&v, "op id '%s' is used twice in this push", op->id);
                break;
            }
        if (rc != MA_OK)
            break;
        int k = -1;
        for (int j = 0; cJSON_IsString(kind) && j < SYNC_KIND_COUNT; j++)
            if (strcmp(kind->valuestring, sync_kind_names[j]) == 0)
                k = j;
        if (k < 0) {
            rc = fail(&v, "kind must be one of world, chunk_edit, character, relationship, quest_progress, "
                          "evolution, story_choice");
            break;
        }
        op->kind = (SyncKind)k;
        snprintf(v.where, sizeof v.where, "ops[%d] (%s)", i, sync_kind_names[k]);
        switch (op->kind) {
        case SYNC_WORLD: rc = parse_world_op(&v, o, reg, op); break;
        case SYNC_CHUNK_EDIT: rc = parse_chunk_edit(&v, o, reg, op); break;
        case SYNC_CHARACTER: rc = parse_character(&v, o, op); break;
        case SYNC_RELATIONSHIP: rc = parse_relationship(&v, o, op); break;
        case SYNC_QUEST_PROGRESS: rc = parse_quest(&v, o, op); break;
        case SYNC_EVOLUTION: rc = parse_evolution(&v, o, op); break;
        case SYNC_STORY_CHOICE: rc = parse_choice(&v, o, op); break;
        default: rc = fail(&v, "unknown kind"); break;
        }
        if (rc != MA_OK)
            break;
    }
    if (rc != MA_OK) {
        sync_batch_free(b);
        return rc;
    }
    *out = b;
    return MA_OK;
}
