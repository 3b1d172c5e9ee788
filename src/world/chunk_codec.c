/* chunk_codec.c — world_chunks.block_data: a chunk as compact JSON.
 *
 * Three forms are written (docs/chunk-format.md): a chunk that holds terrain
 * is {"c2":"..."} (the cell model with the veins apart, chunk_model.c; saves
 * before it hold {"c1":"..."}, the cell model alone); a uniform chunk, and one
 * with a block the model does not know, the palette form
 * {"palette":[names...],"rle":"..."} (the runs: chunk_palette.c); blocks
 * with metadata follow as the design's sparse "blocks" map and entities as
 * its "entities" list. Every form ever written is read, and the design's
 * plain sparse form in its object and list shapes.
 *
 * Decoding is on the hot path of loading the world: the common forms (no
 * metadata, no entities, no whitespace) are read by a small hand parser,
 * and anything else goes through cJSON. Both paths refuse hostile input. */
#include "world/chunk_codec.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world/chunk_model.h"
#include "world/chunk_palette.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif


/* ------------------------------------------------------------ text buffer */

typedef struct Buf {
    char *p;
    size_t n, cap;
    int oom;
} Buf;

static void buf_reserve(Buf *b, size_t more)
{
    if (b->oom || b->n + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + more + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return;
    }
    b->p = p;
    b->cap = cap;
}

static void buf_add(Buf *b, const char *s, size_t len)
{
    buf_reserve(b, len);
    if (b->oom)
        return;
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = '\0';
}

static void buf_str(Buf *b, const char *s) { buf_add(b, s, strlen(s)); }

static void buf_json(Buf *b, const cJSON *j)
{
    char *t = cJSON_PrintUnformatted(j);
    if (!t) {
        b->oom = 1;
        return;
    }
    buf_str(b, t);
    cJSON_free(t);
}

static char *buf_finish(Buf *b, size_t *len, Err *err)
{
    if (b->oom) {
        free(b->p);
        err_set(err, MA_ERR_NOMEM, "out of memory encoding a chunk");
        return NULL;
    }
    if (len)
        *len = b->n;
    return b->p;
}

/* ------------------------------------------------------------ encoding */

static int check_ids(const Chunk *c, const BlockRegistry *reg, Err *err)
{
    int count = blocks_count(reg);
    if (!c->blocks)
        return (int)c->uniform < count ? MA_OK
                                       : err_set(err, MA_ERR_INVALID, "chunk %d,%d,%d: block id %d is not in the registry",
                                                 c->cx, c->cy, c->cz, c->uniform);
    /* The largest id first, 16 at a time; the offender only when there is one. */
    uint8_t top = 0;
#if defined(__SSE2__)
    __m128i t = _mm_setzero_si128();
    for (int i = 0; i < CHUNK_VOLUME; i += 16)
        t = _mm_max_epu8(t, _mm_loadu_si128((const __m128i *)(c->blocks + i)));
    uint8_t lanes[16];
    _mm_storeu_si128((__m128i *)lanes, t);
    for (int i = 0; i < 16; i++)
        top = lanes[i] > top ? lanes[i] : top;
#else
    for (int i = 0; i < CHUNK_VOLUME; i++)
        top = c->blocks[i] > top ? c->blocks[i] : top;
#endif
    if ((int)top < count)
        return MA_OK;
    for (int i = 0; i < CHUNK_VOLUME; i++)
        if ((int)c->blocks[i] >= count)
            return err_set(err, MA_ERR_INVALID, "chunk %d,%d,%d: block id %d is not in the registry", c->cx, c->cy,
                           c->cz, c->blocks[i]);
    return MA_OK;
}

/* Registry ids to model ids for the blocks in `used`: 1 when every id is
 * the model's id of the same name (the usual case: the model was trained on
 * this data/blocks.json), 0 when some differ (map filled), -1 when a block
 * is not in the model. */
static int model_map_from_registry(const ChunkModel *m, const BlockRegistry *reg, uint64_t used, uint8_t *map)
{
    int same = 1;
    for (int id = 0; used; id++, used >>= 1) {
        if (!(used & 1))
            continue;
        const char *name = blocks_get(reg, (BlockId)id)->name;
        int mid = id < chunk_model_count(m) && strcmp(chunk_model_name(m, id), name) == 0 ? id
                                                                                          : chunk_model_find(m, name);
        if (mid < 0)
            return -1;
        map[id] = (uint8_t)mid;
        same &= mid == id;
    }
    return same;
}

/* {"c2":"..." (the model form) when the model knows every block of c;
 * returns 0 and writes nothing when it does not. */
static int encode_model(Buf *b, const Chunk *c, const BlockRegistry *reg)
{
    static _Thread_local char text[CHUNK_MODEL_C2_TEXT_MAX];
    const ChunkModel *m = chunk_model_get_c2(NULL);
    if (!m || blocks_count(reg) > CHUNK_MODEL_MAX_BLOCKS)
        return 0;
    uint64_t used = 0;
    size_t n = chunk_model_encode_c2(m, c->blocks, c->cy, text, &used);
    uint8_t map[CHUNK_MODEL_MAX_BLOCKS];
    int same = model_map_from_registry(m, reg, used, map);
    if (same < 0)
        return 0;
    if (!same) {
        uint8_t ids[CHUNK_VOLUME];
        for (int i = 0; i < CHUNK_VOLUME; i++)
            ids[i] = map[c->blocks[i]];
        n = chunk_model_encode_c2(m, ids, c->cy, text, &used);
    }
    if (n == 0)
        return 0;
    buf_reserve(b, n + 16);
    if (b->oom)
        return 1;
    buf_str(b, "{\"c2\":\"");
    buf_add(b, text, n);
    buf_str(b, "\"");
    return 1;
}

static void coord_key(char *out, size_t size, int index)
{
    snprintf(out, size, "\"%d,%d,%d\"", index & 15, index >> 8, (index >> 4) & 15);
}

/* ,"blocks":{...} for the blocks with metadata, and ,"entities":[...]. */
static void encode_extras(Buf *b, const Chunk *c, const BlockRegistry *reg)
{
    if (c->n_meta > 0) {
        buf_str(b, ",\"blocks\":{");
        for (int i = 0; i < c->n_meta; i++) {
            char key[24];
            int idx = c->meta[i].index;
            coord_key(key, sizeof key, idx);
            if (i)
                buf_str(b, ",");
            buf_str(b, key);
            buf_str(b, ":{\"type\":\"");
            buf_str(b, blocks_get(reg, chunk_get(c, idx & 15, idx >> 8, (idx >> 4) & 15))->name);
            buf_str(b, "\",\"metadata\":");
            buf_json(b, c->meta[i].metadata);
            buf_str(b, "}");
        }
        buf_str(b, "}");
    }
    if (c->entities && cJSON_GetArraySize(c->entities) > 0) {
        buf_str(b, ",\"entities\":");
        buf_json(b, c->entities);
    }
}

/* A chunk the decoder would refuse is never written. */
static int check_entities(const Chunk *c, Err *err)
{
    int n = c->entities ? cJSON_GetArraySize(c->entities) : 0;
    if (n > CHUNK_MAX_ENTITIES)
        return err_set(err, MA_ERR_INVALID, "chunk %d,%d,%d holds %d entities, more than the %d a chunk may hold",
                       c->cx, c->cy, c->cz, n, CHUNK_MAX_ENTITIES);
    return MA_OK;
}

static char *encode(const Chunk *c, const BlockRegistry *reg, int model, size_t *len, Err *err)
{
    if (check_ids(c, reg, err) != MA_OK || check_entities(c, err) != MA_OK)
        return NULL;
    Buf b = {0};
    if (!c->blocks || chunk_is_uniform(c)) {
        buf_str(&b, "{\"palette\":[\"");
        buf_str(&b, blocks_get(reg, c->blocks ? c->blocks[0] : c->uniform)->name);
        buf_str(&b, "\"]");
    } else if (!model || !encode_model(&b, c, reg)) {
        buf_str(&b, "{\"palette\":[");
        int16_t slot[BLOCKS_MAX];
        memset(slot, -1, sizeof slot);
        uint8_t idx[CHUNK_VOLUME];
        int palette_size = 0;
        for (int i = 0; i < CHUNK_VOLUME; i++) {
            BlockId id = c->blocks[i];
            if (slot[id] < 0) {
                if (palette_size)
                    buf_str(&b, ",");
                buf_str(&b, "\"");
                buf_str(&b, blocks_get(reg, id)->name);
                buf_str(&b, "\"");
                slot[id] = (int16_t)palette_size++;
            }
            idx[i] = (uint8_t)slot[id];
        }
        buf_str(&b, "],\"rle\":\"");
        char *rle = malloc(CHUNK_PALETTE_RLE_MAX);
        if (!rle) {
            b.oom = 1;
        } else {
            buf_add(&b, rle, chunk_palette_rle_encode(idx, palette_size, rle));
            free(rle);
        }
        buf_str(&b, "\"");
    }
    encode_extras(&b, c, reg);
    buf_str(&b, "}");
    return buf_finish(&b, len, err);
}

char *chunk_encode(const Chunk *c, const BlockRegistry *reg, size_t *len, Err *err)
{
    return encode(c, reg, 1, len, err);
}

char *chunk_encode_palette(const Chunk *c, const BlockRegistry *reg, size_t *len, Err *err)
{
    return encode(c, reg, 0, len, err);
}

char *chunk_encode_sparse(const Chunk *c, const BlockRegistry *reg, size_t *len, Err *err)
{
    if (check_ids(c, reg, err) != MA_OK)
        return NULL;
    Buf b = {0};
    buf_str(&b, "{\"blocks\":{");
    int first = 1;
    for (int i = 0; i < CHUNK_VOLUME; i++) {
        BlockId id = c->blocks ? c->blocks[i] : c->uniform;
        cJSON *meta = c->n_meta ? chunk_meta_get(c, i) : NULL;
        if (id == BLOCK_AIR && !meta)
            continue;
        char key[24];
        coord_key(key, sizeof key, i);
        if (!first)
            buf_str(&b, ",");
        first = 0;
        buf_str(&b, key);
        buf_str(&b, ":{\"type\":\"");
        buf_str(&b, blocks_get(reg, id)->name);
        buf_str(&b, "\",\"metadata\":");
        if (meta)
            buf_json(&b, meta);
        else
            buf_str(&b, "{}");
        buf_str(&b, "}");
    }
    buf_str(&b, "},\"entities\":");
    if (c->entities)
        buf_json(&b, c->entities);
    else
        buf_str(&b, "[]");
    buf_str(&b, "}");
    return buf_finish(&b, len, err);
}

/* ------------------------------------------------------------ decoding */

typedef struct Decoder {
    const BlockRegistry *reg;
    int32_t cx, cy, cz;
    Err *err;
} Decoder;

static int fail(const Decoder *d, const char *fmt, const char *detail)
{
    char reason[200];
    snprintf(reason, sizeof reason, fmt, detail ? detail : "");
    return err_set(d->err, MA_ERR_CORRUPT, "chunk %d,%d,%d: block_data: %s", d->cx, d->cy, d->cz, reason);
}

/* Fills c's blocks from a palette map and base64 run tokens. */
static int decode_rle(const Decoder *d, Chunk *c, const BlockId *map, int palette_size, const char *b64, size_t n)
{
    c->blocks = malloc(CHUNK_VOLUME);
    if (!c->blocks)
        return err_set(d->err, MA_ERR_NOMEM, "out of memory decoding a chunk");
    const char *why = chunk_palette_rle_decode(b64, n, map, palette_size, c->blocks);
    if (why)
        return fail(d, "%s", why);
    chunk_compact(c);
    return MA_OK;
}

/* Fills c's blocks from "c1" (form 1) or "c2" (form 2) text, the model forms. */
static int decode_model(const Decoder *d, Chunk *c, const char *text, size_t n, int form)
{
    const ChunkModel *m = form == 2 ? chunk_model_get_c2(d->err) : chunk_model_get(d->err);
    if (!m)
        return d->err->code;
    c->blocks = malloc(CHUNK_VOLUME);
    if (!c->blocks)
        return err_set(d->err, MA_ERR_NOMEM, "out of memory decoding a chunk");
    uint64_t used = 0;
    const char *why = form == 2 ? chunk_model_decode_c2(m, text, n, c->cy, c->blocks, &used)
                                : chunk_model_decode(m, text, n, c->cy, c->blocks, &used);
    if (why)
        return fail(d, "%s", why);
    /* Model ids to this registry's ids: the same unless data/blocks.json changed order. */
    uint8_t map[CHUNK_MODEL_MAX_BLOCKS];
    int same = 1, count = blocks_count(d->reg);
    for (int id = 0; used; id++, used >>= 1) {
        if (!(used & 1))
            continue;
        const char *name = chunk_model_name(m, id);
        int rid = id < count && strcmp(blocks_get(d->reg, (BlockId)id)->name, name) == 0 ? id
                                                                                          : blocks_find(d->reg, name);
        if (rid < 0)
            return fail(d, form == 2 ? "\"c2\" holds a block unknown to this game: \"%s\""
                                     : "\"c1\" holds a block unknown to this game: \"%s\"",
                        name);
        map[id] = (uint8_t)rid;
        same &= rid == id;
    }
    if (!same)
        for (int i = 0; i < CHUNK_VOLUME; i++)
            c->blocks[i] = map[c->blocks[i]];
    chunk_compact(c);
    return MA_OK;
}

/* The index of "x,y,z" (each 0..15), or -1. */
static int parse_coords(const char *s)
{
    int v[3];
    for (int k = 0; k < 3; k++) {
        if (*s < '0' || *s > '9')
            return -1;
        int n = *s++ - '0';
        if (*s >= '0' && *s <= '9')
            n = n * 10 + (*s++ - '0');
        if (n > 15)
            return -1;
        v[k] = n;
        if (k < 2 && *s++ != ',')
            return -1;
    }
    if (*s)
        return -1;
    return CHUNK_INDEX(v[0], v[1], v[2]);
}

/* The fast path: exactly {"palette":["a",...]} or {"palette":[...],"rle":"..."}
 * as the encoder writes them. Returns 1 when decoded, 0 when the text has
 * another shape (the caller falls back to cJSON), or a negative status. */
static int decode_fast(const Decoder *d, const char *s, size_t len, Chunk *c)
{
    static const char head[] = "{\"palette\":[", model[] = "{\"c1\":\"";
    const char *p = s, *end = s + len;
    while (end > p && (end[-1] == '\n' || end[-1] == ' '))
        end--;
    /* {"c1":"text"} or {"c2":"text"}: the text's alphabet holds neither '"' nor '\\'. */
    if ((size_t)(end - p) >= sizeof model - 1 && memcmp(p, model, 3) == 0 && (p[3] == '1' || p[3] == '2') &&
        memcmp(p + 4, model + 4, sizeof model - 5) == 0) {
        const char *t = p + sizeof model - 1, *q = memchr(t, '"', (size_t)(end - t));
        if (!q || end - q != 2 || q[1] != '}')
            return 0;
        int rc = decode_model(d, c, t, (size_t)(q - t), p[3] - '0');
        return rc == MA_OK ? 1 : rc;
    }
    if ((size_t)(end - p) < sizeof head - 1 || memcmp(p, head, sizeof head - 1) != 0)
        return 0;
    p += sizeof head - 1;
    BlockId map[BLOCKS_MAX];
    uint8_t seen[BLOCKS_MAX] = {0};
    int n = 0;
    for (;;) {
        if (p >= end || *p != '"')
            return 0;
        const char *name = ++p;
        while (p < end && *p != '"') {
            if (*p == '\\' || (unsigned char)*p < 0x20)
                return 0;
            p++;
        }
        if (p >= end)
            return 0;
        size_t nl = (size_t)(p - name);
        p++;
        if (n >= BLOCKS_MAX)
            return fail(d, "the palette holds more than %s names", "256");
        int id = blocks_find_n(d->reg, name, nl);
        if (id < 0) {
            char nm[40];
            snprintf(nm, sizeof nm, "%.*s", (int)(nl < 32 ? nl : 32), name);
            return fail(d, "the palette names an unknown block \"%s\"", nm);
        }
        if (seen[id])
            return fail(d, "the palette lists \"%s\" twice", blocks_get(d->reg, (BlockId)id)->name);
        seen[id] = 1;
        map[n++] = (BlockId)id;
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p < end && *p == ']') {
            p++;
            break;
        }
        return 0;
    }
    if (end - p == 1 && *p == '}') {
        if (n != 1)
            return fail(d, "a palette of several blocks needs %s", "\"rle\"");
        c->uniform = map[0];
        return 1;
    }
    static const char rle[] = ",\"rle\":\"";
    if ((size_t)(end - p) < sizeof rle - 1 || memcmp(p, rle, sizeof rle - 1) != 0)
        return 0;
    p += sizeof rle - 1;
    const char *b64 = p;
    while (p < end && *p != '"') {
        if (*p == '\\' || (unsigned char)*p < 0x20)
            return 0;
        p++;
    }
    if (end - p != 2 || p[1] != '}')
        return 0;
    int rc = decode_rle(d, c, map, n, b64, (size_t)(p - b64));
    return rc == MA_OK ? 1 : rc;
}

static int decode_palette(const Decoder *d, const cJSON *palette, BlockId *map, int *n)
{
    if (!cJSON_IsArray(palette))
        return fail(d, "\"palette\" must be an array of block names%s", "");
    uint8_t seen[BLOCKS_MAX] = {0};
    *n = 0;
    for (const cJSON *e = palette->child; e; e = e->next) {
        if (*n >= BLOCKS_MAX)
            return fail(d, "the palette holds more than %s names", "256");
        if (!cJSON_IsString(e))
            return fail(d, "\"palette\" must be an array of block names%s", "");
        int id = blocks_find(d->reg, e->valuestring);
        if (id < 0) {
            char nm[40];
            snprintf(nm, sizeof nm, "%.32s", e->valuestring);
            return fail(d, "the palette names an unknown block \"%s\"", nm);
        }
        if (seen[id])
            return fail(d, "the palette lists \"%s\" twice", blocks_get(d->reg, (BlockId)id)->name);
        seen[id] = 1;
        map[(*n)++] = (BlockId)id;
    }
    if (*n == 0)
        return fail(d, "the palette is empty%s", "");
    return MA_OK;
}

/* Takes the metadata of entry (an object) into the chunk. required: the
 * compact form lists only blocks that carry metadata. */
static int take_metadata(const Decoder *d, Chunk *c, cJSON *entry, int index, const char *key, int required)
{
    cJSON *meta = cJSON_GetObjectItemCaseSensitive(entry, "metadata");
    if (!meta) {
        if (required)
            return fail(d, "block \"%s\" has no \"metadata\"", key);
        return MA_OK;
    }
    if (!cJSON_IsObject(meta))
        return fail(d, "the \"metadata\" of block \"%s\" must be an object", key);
    if (!required && !meta->child)
        return MA_OK; /* the design's form gives every block an empty {} */
    cJSON_DetachItemViaPointer(entry, meta);
    if (chunk_meta_set(c, index, meta) != MA_OK)
        return err_set(d->err, MA_ERR_NOMEM, "out of memory decoding a chunk");
    return MA_OK;
}

/* "blocks": in the compact form, metadata of blocks already placed by
 * "rle"; in the sparse form, every non-air block. */
static int decode_blocks(const Decoder *d, Chunk *c, cJSON *blocks, int sparse)
{
    if (!cJSON_IsObject(blocks))
        return fail(d, "\"blocks\" must be an object%s", "");
    uint8_t seen[CHUNK_VOLUME / 8] = {0};
    if (sparse && blocks->child && !c->blocks) {
        c->blocks = calloc(CHUNK_VOLUME, 1);
        if (!c->blocks)
            return err_set(d->err, MA_ERR_NOMEM, "out of memory decoding a chunk");
    }
    for (cJSON *e = blocks->child; e; e = e->next) {
        char key[24];
        snprintf(key, sizeof key, "%.16s", e->string ? e->string : "");
        int index = e->string ? parse_coords(e->string) : -1;
        if (index < 0)
            return fail(d, "block key \"%s\" is not \"x,y,z\" with each 0..15", key);
        if (seen[index >> 3] & (1 << (index & 7)))
            return fail(d, "block \"%s\" is listed twice", key);
        seen[index >> 3] |= (uint8_t)(1 << (index & 7));
        if (!cJSON_IsObject(e))
            return fail(d, "block \"%s\" must be an object", key);
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "type");
        if (!cJSON_IsString(type))
            return fail(d, "block \"%s\" has no \"type\" name", key);
        int id = blocks_find(d->reg, type->valuestring);
        if (id < 0)
            return fail(d, "block \"%s\" has an unknown \"type\"", key);
        if (sparse) {
            c->blocks[index] = (BlockId)id;
        } else if (chunk_get(c, index & 15, index >> 8, (index >> 4) & 15) != id) {
            return fail(d, "the \"type\" of block \"%s\" differs from \"rle\"", key);
        }
        int rc = take_metadata(d, c, e, index, key, !sparse);
        if (rc != MA_OK)
            return rc;
    }
    if (sparse)
        chunk_compact(c);
    return MA_OK;
}

/* A whole number 0..15 from member `name` of e, or -1. */
static int list_coord(const cJSON *e, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, name);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 15 || v->valuedouble != (double)(int)v->valuedouble)
        return -1;
    return (int)v->valuedouble;
}

/* The design's list form: "blocks": [{"x":0,"y":0,"z":0,"type":"stone",
 * "metadata":{...}}, ...], every block not listed air. */
static int decode_block_list(const Decoder *d, Chunk *c, cJSON *blocks)
{
    uint8_t seen[CHUNK_VOLUME / 8] = {0};
    if (blocks->child && !(c->blocks = calloc(CHUNK_VOLUME, 1)))
        return err_set(d->err, MA_ERR_NOMEM, "out of memory decoding a chunk");
    int k = 0;
    for (cJSON *e = blocks->child; e; e = e->next, k++) {
        char key[48];
        snprintf(key, sizeof key, "number %d", k + 1);
        if (!cJSON_IsObject(e))
            return fail(d, "block %s of \"blocks\" must be an object", key);
        int x = list_coord(e, "x"), y = list_coord(e, "y"), z = list_coord(e, "z");
        if (x < 0 || y < 0 || z < 0)
            return fail(d, "block %s of \"blocks\" needs \"x\", \"y\" and \"z\", each a whole number 0..15", key);
        int index = CHUNK_INDEX(x, y, z);
        snprintf(key, sizeof key, "%d,%d,%d", x, y, z);
        if (seen[index >> 3] & (1 << (index & 7)))
            return fail(d, "block \"%s\" is listed twice", key);
        seen[index >> 3] |= (uint8_t)(1 << (index & 7));
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "type");
        if (!cJSON_IsString(type))
            return fail(d, "block \"%s\" has no \"type\" name", key);
        int id = blocks_find(d->reg, type->valuestring);
        if (id < 0) {
            char detail[80];
            snprintf(detail, sizeof detail, "%s\" has an unknown \"type\" \"%.32s", key, type->valuestring);
            return fail(d, "block \"%s\"", detail);
        }
        c->blocks[index] = (BlockId)id;
        int rc = take_metadata(d, c, e, index, key, 0);
        if (rc != MA_OK)
            return rc;
    }
    chunk_compact(c);
    return MA_OK;
}

static int decode_json(const Decoder *d, const char *json, size_t len, Chunk *c)
{
    const char *parse_end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &parse_end, 0);
    if (!root)
        return fail(d, "not valid JSON%s", "");
    for (const char *q = parse_end; q && q < json + len && *q; q++) {
        if (*q != ' ' && *q != '\n' && *q != '\r' && *q != '\t') {
            cJSON_Delete(root);
            return fail(d, "text follows the JSON object%s", "");
        }
    }
    int rc = MA_OK;
    if (!cJSON_IsObject(root)) {
        rc = fail(d, "must be a JSON object%s", "");
        goto cleanup;
    }
    cJSON *palette = cJSON_GetObjectItemCaseSensitive(root, "palette");
    cJSON *rle = cJSON_GetObjectItemCaseSensitive(root, "rle");
    cJSON *blocks = cJSON_GetObjectItemCaseSensitive(root, "blocks");
    cJSON *entities = cJSON_GetObjectItemCaseSensitive(root, "entities");
    cJSON *model1 = cJSON_GetObjectItemCaseSensitive(root, "c1");
    cJSON *model2 = cJSON_GetObjectItemCaseSensitive(root, "c2");
    cJSON *model = model1 ? model1 : model2;
    if (model) {
        const char *name = model1 ? "\"c1\"" : "\"c2\"";
        if (model1 && model2) {
            rc = fail(d, "\"c1\" cannot stand beside %s", "\"c2\"");
            goto cleanup;
        }
        if (palette || rle) {
            rc = fail(d, model1 ? "\"c1\" cannot stand beside %s" : "\"c2\" cannot stand beside %s",
                      "\"palette\" or \"rle\"");
            goto cleanup;
        }
        if (!cJSON_IsString(model)) {
            rc = fail(d, "%s must be a string", name);
            goto cleanup;
        }
        if ((rc = decode_model(d, c, model->valuestring, strlen(model->valuestring), model1 ? 1 : 2)) != MA_OK)
            goto cleanup;
        if (blocks && (rc = decode_blocks(d, c, blocks, 0)) != MA_OK)
            goto cleanup;
    } else if (palette) {
        BlockId map[BLOCKS_MAX];
        int n = 0;
        if ((rc = decode_palette(d, palette, map, &n)) != MA_OK)
            goto cleanup;
        if (rle) {
            if (!cJSON_IsString(rle)) {
                rc = fail(d, "\"rle\" must be a string%s", "");
                goto cleanup;
            }
            if ((rc = decode_rle(d, c, map, n, rle->valuestring, strlen(rle->valuestring))) != MA_OK)
                goto cleanup;
        } else if (n == 1) {
            c->uniform = map[0];
        } else {
            rc = fail(d, "a palette of several blocks needs %s", "\"rle\"");
            goto cleanup;
        }
        if (blocks && (rc = decode_blocks(d, c, blocks, 0)) != MA_OK)
            goto cleanup;
    } else if (rle) {
        rc = fail(d, "\"rle\" without %s", "\"palette\"");
        goto cleanup;
    } else if (cJSON_IsArray(blocks)) {
        if ((rc = decode_block_list(d, c, blocks)) != MA_OK)
            goto cleanup;
    } else if (blocks) {
        if ((rc = decode_blocks(d, c, blocks, 1)) != MA_OK)
            goto cleanup;
    } else {
        rc = fail(d, "neither %s, \"c1\", \"c2\" nor \"blocks\"", "\"palette\"");
        goto cleanup;
    }
    if (entities) {
        if (!cJSON_IsArray(entities)) {
            rc = fail(d, "\"entities\" must be an array%s", "");
            goto cleanup;
        }
        int n = cJSON_GetArraySize(entities);
        if (n > CHUNK_MAX_ENTITIES) {
            char detail[64];
            snprintf(detail, sizeof detail, "%d entities, more than the %d a chunk may hold", n, CHUNK_MAX_ENTITIES);
            rc = fail(d, "\"entities\" holds %s", detail);
            goto cleanup;
        }
        cJSON_DetachItemViaPointer(root, entities);
        cJSON_Delete(c->entities);
        c->entities = entities;
    }
cleanup:
    cJSON_Delete(root);
    return rc;
}

int chunk_decode(const char *json, size_t len, const char *structures_json, const BlockRegistry *reg, int32_t cx,
                 int32_t cy, int32_t cz, Chunk **out, Err *err)
{
    *out = NULL;
    Decoder d = {reg, cx, cy, cz, err};
    Chunk *c = chunk_new(cx, cy, cz, BLOCK_AIR);
    if (!c)
        return err_set(err, MA_ERR_NOMEM, "out of memory decoding a chunk");
    int rc = json ? decode_fast(&d, json, len, c) : fail(&d, "missing%s", "");
    if (rc == 0)
        rc = decode_json(&d, json, len, c);
    else if (rc == 1)
        rc = MA_OK;
    /* "[]", what most rows hold, is the empty list the chunk already has. */
    if (rc == MA_OK && structures_json && *structures_json && strcmp(structures_json, "[]") != 0) {
        cJSON *st = cJSON_Parse(structures_json);
        if (!cJSON_IsArray(st)) {
            cJSON_Delete(st);
            rc = err_set(err, MA_ERR_CORRUPT, "chunk %d,%d,%d: structures must be a JSON array", cx, cy, cz);
        } else {
            cJSON_Delete(c->structures);
            c->structures = st;
        }
    }
    if (rc != MA_OK) {
        chunk_free(c);
        return rc;
    }
    *out = c;
    return MA_OK;
}
