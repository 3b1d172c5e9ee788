/* chunk.c — a 16×16×16 piece of the world in memory.
 *
 * A chunk of one block holds no array (`uniform`); the array of 4096 ids is
 * allocated on the first differing chunk_set and dropped again by
 * chunk_compact. Metadata is a small array sorted by index. */
#include "world/chunk.h"

#include <stdlib.h>
#include <string.h>

Chunk *chunk_new(int32_t cx, int32_t cy, int32_t cz, BlockId fill)
{
    Chunk *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->cx = cx;
    c->cy = cy;
    c->cz = cz;
    c->uniform = fill;
    c->entities = cJSON_CreateArray();
    c->structures = cJSON_CreateArray();
    if (!c->entities || !c->structures) {
        chunk_free(c);
        return NULL;
    }
    return c;
}

void chunk_free(Chunk *c)
{
    if (!c)
        return;
    free(c->blocks);
    for (int i = 0; i < c->n_meta; i++)
        cJSON_Delete(c->meta[i].metadata);
    free(c->meta);
    cJSON_Delete(c->entities);
    cJSON_Delete(c->structures);
    free(c);
}

int chunk_set(Chunk *c, int x, int y, int z, BlockId id)
{
    if (!c->blocks) {
        if (id == c->uniform)
            return MA_OK;
        c->blocks = malloc(CHUNK_VOLUME);
        if (!c->blocks)
            return MA_ERR_NOMEM;
        memset(c->blocks, c->uniform, CHUNK_VOLUME);
    }
    c->blocks[CHUNK_INDEX(x, y, z)] = id;
    return MA_OK;
}

int chunk_is_uniform(const Chunk *c)
{
    if (!c->blocks)
        return 1;
    const uint8_t *b = c->blocks;
    /* Compare 8 bytes at a time against the first block repeated. */
    uint64_t first = 0x0101010101010101ull * b[0];
    for (int i = 0; i < CHUNK_VOLUME; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        if (w != first)
            return 0;
    }
    return 1;
}

void chunk_compact(Chunk *c)
{
    if (c->blocks && chunk_is_uniform(c)) {
        c->uniform = c->blocks[0];
        free(c->blocks);
        c->blocks = NULL;
    }
}

cJSON *chunk_entity_find(const Chunk *c, const char *id, int *index)
{
    cJSON *e;
    int i = 0;
    cJSON_ArrayForEach(e, c->entities) {
        const cJSON *eid = cJSON_GetObjectItemCaseSensitive(e, "id");
        if (id && cJSON_IsString(eid) && strcmp(eid->valuestring, id) == 0) {
            if (index)
                *index = i;
            return e;
        }
        i++;
    }
    if (index)
        *index = -1;
    return NULL;
}

static int meta_find(const Chunk *c, int index)
{
    int lo = 0, hi = c->n_meta - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (c->meta[mid].index == index)
            return mid;
        if (c->meta[mid].index < index)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -(lo + 1);
}

cJSON *chunk_meta_get(const Chunk *c, int index)
{
    int at = meta_find(c, index);
    return at >= 0 ? c->meta[at].metadata : NULL;
}

int chunk_meta_set(Chunk *c, int index, cJSON *metadata)
{
    if (index < 0 || index >= CHUNK_VOLUME) {
        cJSON_Delete(metadata);
        return MA_ERR_INVALID;
    }
    int at = meta_find(c, index);
    if (at >= 0) {
        cJSON_Delete(c->meta[at].metadata);
        if (metadata) {
            c->meta[at].metadata = metadata;
        } else {
            memmove(&c->meta[at], &c->meta[at + 1], (size_t)(c->n_meta - at - 1) * sizeof c->meta[0]);
            c->n_meta--;
        }
        return MA_OK;
    }
    if (!metadata)
        return MA_OK;
    at = -at - 1;
    ChunkMeta *grown = realloc(c->meta, (size_t)(c->n_meta + 1) * sizeof *grown);
    if (!grown) {
        cJSON_Delete(metadata);
        return MA_ERR_NOMEM;
    }
    c->meta = grown;
    memmove(&c->meta[at + 1], &c->meta[at], (size_t)(c->n_meta - at) * sizeof c->meta[0]);
    c->meta[at].index = (uint16_t)index;
    c->meta[at].metadata = metadata;
    c->n_meta++;
    return MA_OK;
}

/* An estimate of a cJSON tree's heap: nodes plus strings. */
static size_t json_memory(const cJSON *j)
{
    size_t n = 0;
    for (; j; j = j->next) {
        n += sizeof *j;
        if (j->string)
            n += strlen(j->string) + 1;
        if (j->valuestring)
            n += strlen(j->valuestring) + 1;
        if (j->child)
            n += json_memory(j->child);
    }
    return n;
}

size_t chunk_memory(const Chunk *c)
{
    size_t n = sizeof *c;
    if (c->blocks)
        n += CHUNK_VOLUME;
    n += (size_t)c->n_meta * sizeof c->meta[0];
    for (int i = 0; i < c->n_meta; i++)
        n += json_memory(c->meta[i].metadata);
    n += json_memory(c->entities) + json_memory(c->structures);
    return n;
}
