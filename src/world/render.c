/* render.c — top-down slices and upright sections as glyph cells, and the
 * cells as (optionally coloured) text.
 *
 * Both views are one routine over a View: two axes across the screen and a
 * depth axis that sight travels along (down for the slice, north for the
 * section). The screen is walked in tiles that each lie in one chunk, so a
 * chunk is fetched once per tile (once for the front level, once more for
 * the level behind when some cell of the tile still looks further), and
 * blocks are read straight from the chunk's array. A chunk pointer from the
 * world is only used until the next world_chunk call, since that may evict. */
#include "world/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "world/chunk.h"

int render_block_is_open(const BlockDef *def)
{
    return def->transparent && !def->liquid && (def->glyph_ascii == ' ' || def->glyph_ascii == '\0');
}

static void cell_set_block(RenderCell *cell, const BlockDef *d, BlockId id, int depth);

/* Per-block appearance, built once per call from the registry; each block's cell (at depth 0)
 * is made the first time the view meets the block, then copied. */
typedef struct Look {
    const BlockDef *def[BLOCKS_MAX];
    uint8_t open[BLOCKS_MAX];
    uint8_t solid[BLOCKS_MAX];
    uint8_t made[BLOCKS_MAX];
    RenderCell cell[BLOCKS_MAX];
} Look;

static void look_init(Look *lk, const BlockRegistry *reg)
{
    for (int i = 0; i < BLOCKS_MAX; i++) {
        const BlockDef *d = blocks_get(reg, (BlockId)i);
        lk->def[i] = d;
        lk->open[i] = (uint8_t)render_block_is_open(d);
        lk->solid[i] = (uint8_t)d->solid;
        lk->made[i] = 0;
    }
}

static void cell_set_block(RenderCell *cell, const BlockDef *d, BlockId id, int depth)
{
    cell->ascii = d->glyph_ascii ? d->glyph_ascii : ' ';
    memcpy(cell->utf8, d->glyph_utf8, sizeof cell->utf8);
    cell->utf8[sizeof cell->utf8 - 1] = '\0';
    if (!cell->utf8[0]) {
        cell->utf8[0] = cell->ascii;
        cell->utf8[1] = '\0';
    }
    cell->color256 = d->color256;
    cell->color8 = d->color8 & 7;
    cell->depth = (uint8_t)depth;
    cell->is_entity = 0;
    cell->block = id;
    cell->unseen = 0;
}

static void cell_set_nothing(RenderCell *cell)
{
    memset(cell, 0, sizeof *cell);
    cell->ascii = ' ';
    cell->utf8[0] = ' ';
    cell->color256 = 244;
    cell->color8 = 7;
    cell->depth = RENDER_DEPTH_NONE;
}

/* An entity seen while its chunk was at hand, applied once every cell's
 * depth is known. */
typedef struct Seen {
    int col, row, depth;
    char ascii;
    char utf8[8]; /* a copy: the entity may go with its chunk before it is drawn */
    uint8_t color256, color8;
} Seen;

typedef struct SeenList {
    Seen *v;
    int n, cap;
} SeenList;

/* The design's "entities": {"type":"npc","id":"villager_001","position":[8,1,8]}.
 * Position is local to the chunk as in the design; world coordinates that
 * fall inside the chunk are accepted too. Fields "x","y","z" also work. */
static int entity_world_pos(const cJSON *e, const Chunk *c, int32_t out[3])
{
    double p[3];
    const cJSON *pos = cJSON_GetObjectItemCaseSensitive(e, "position");
    if (cJSON_IsArray(pos) && cJSON_GetArraySize(pos) >= 3) {
        for (int i = 0; i < 3; i++) {
            const cJSON *v = cJSON_GetArrayItem(pos, i);
            if (!cJSON_IsNumber(v))
                return 0;
            p[i] = v->valuedouble;
        }
    } else {
        static const char *const names[3] = {"x", "y", "z"};
        for (int i = 0; i < 3; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, names[i]);
            if (!cJSON_IsNumber(v))
                return 0;
            p[i] = v->valuedouble;
        }
    }
    int32_t base[3] = {c->cx * CHUNK_SIZE, c->cy * CHUNK_SIZE, c->cz * CHUNK_SIZE};
    int32_t q[3];
    for (int i = 0; i < 3; i++) {
        if (!(p[i] > -2e9 && p[i] < 2e9))
            return 0;
        double f = p[i] < 0 ? (double)(int64_t)p[i] - ((double)(int64_t)p[i] != p[i]) : (double)(int64_t)p[i];
        q[i] = (int32_t)f;
    }
    int world_inside = 1, local_inside = 1;
    for (int i = 0; i < 3; i++) {
        if (q[i] < base[i] || q[i] >= base[i] + CHUNK_SIZE)
            world_inside = 0;
        if (q[i] < 0 || q[i] >= CHUNK_SIZE)
            local_inside = 0;
    }
    for (int i = 0; i < 3; i++)
        out[i] = world_inside ? q[i] : base[i] + q[i];
    return world_inside || local_inside;
}

static void entity_glyph(const cJSON *e, Seen *s)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "type");
    const char *type = cJSON_IsString(t) ? t->valuestring : "";
    if (strcmp(type, "npc") == 0) {
        s->ascii = 'V';
        snprintf(s->utf8, sizeof s->utf8, "%s", "V");
        s->color256 = 226;
        s->color8 = 3;
    } else if (strcmp(type, "creature") == 0 || strcmp(type, "mob") == 0 || strcmp(type, "animal") == 0) {
        s->ascii = 'c';
        snprintf(s->utf8, sizeof s->utf8, "%s", "c");
        s->color256 = 208;
        s->color8 = 1;
        /* A creature spawned by the game carries its own look (data/creatures.json). */
        const cJSON *glyph = cJSON_GetObjectItemCaseSensitive(e, "glyph");
        const cJSON *c256 = cJSON_GetObjectItemCaseSensitive(e, "color256");
        const cJSON *c8 = cJSON_GetObjectItemCaseSensitive(e, "color8");
        if (cJSON_IsString(glyph) && glyph->valuestring[0] && strlen(glyph->valuestring) < 8) {
            snprintf(s->utf8, sizeof s->utf8, "%s", glyph->valuestring);
            s->ascii = (unsigned char)glyph->valuestring[0] >= 0x21 && (unsigned char)glyph->valuestring[0] < 0x7f
                           ? glyph->valuestring[0] : 'c';
        }
        if (cJSON_IsNumber(c256) && c256->valueint >= 0 && c256->valueint <= 255)
            s->color256 = (uint8_t)c256->valueint;
        if (cJSON_IsNumber(c8) && c8->valueint >= 0 && c8->valueint <= 7)
            s->color8 = (uint8_t)c8->valueint;
    } else if (strcmp(type, "item") == 0) {
        s->ascii = '$';
        snprintf(s->utf8, sizeof s->utf8, "%s", "\xe2\x9c\xa6"); /* ✦ */
        s->color256 = 51;
        s->color8 = 6;
    } else {
        s->ascii = '?';
        snprintf(s->utf8, sizeof s->utf8, "%s", "?");
        s->color256 = 201;
        s->color8 = 5;
    }
}

/* Which way the screen lies in the world. Axis numbers: 0 x, 1 y, 2 z. */
typedef struct View {
    int32_t origin[3]; /* world position of cell (0, 0) at depth 0 */
    int col_axis, row_axis, depth_axis;
    int row_sign; /* +1: the row axis grows down the screen; -1: it shrinks */
    uint8_t *sight; /* or NULL; else per cell, set by render_view: SIGHT_BLOCK for a block at the
                     * front level (depth 0), with SIGHT_OPEN_ABOVE when the block in front of it (a
                     * slice: the one above) lets sight through; SIGHT_OPEN for any other cell */
} View;

enum { SIGHT_BLOCK = 0, SIGHT_OPEN = 1, SIGHT_OPEN_ABOVE = 2 };

static const int axis_stride[3] = {1, CHUNK_SIZE * CHUNK_SIZE, CHUNK_SIZE}; /* CHUNK_INDEX */

static int seen_push(SeenList *l, const Seen *s)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        Seen *v = realloc(l->v, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *s;
    return 0;
}

static int collect_entities(const Chunk *c, const View *v, int width, int height, SeenList *seen)
{
    /* One walk down the list: indexing it (cJSON_GetArrayItem) would be quadratic. */
    const cJSON *e;
    cJSON_ArrayForEach(e, c->entities) {
        int32_t p[3];
        if (!cJSON_IsObject(e) || !entity_world_pos(e, c, p))
            continue;
        Seen s;
        s.col = (int)(p[v->col_axis] - v->origin[v->col_axis]);
        s.row = (int)(p[v->row_axis] - v->origin[v->row_axis]) * v->row_sign;
        s.depth = (int)(v->origin[v->depth_axis] - p[v->depth_axis]);
        if (s.col < 0 || s.col >= width || s.row < 0 || s.row >= height || s.depth < 0 ||
            s.depth > RENDER_LOOK_DOWN)
            continue;
        entity_glyph(e, &s);
        if (seen_push(seen, &s))
            return -1;
    }
    return 0;
}

/* Fetches a chunk; coordinates outside the world's height give NULL with
 * no error (all air). */
static int fetch(World *w, int32_t c3[3], Chunk **out, Err *err)
{
    *out = NULL;
    if (c3[1] < 0 || c3[1] >= WORLD_CHUNKS_Y)
        return MA_OK;
    Err e2 = {0};
    *out = world_chunk(w, c3[0], c3[1], c3[2], &e2);
    if (!*out) {
        if (err)
            *err = e2;
        if (!e2.code)
            return err_set(err, MA_ERR_INVALID, "chunk %d,%d,%d could not be loaded", c3[0], c3[1], c3[2]);
        return e2.code;
    }
    return MA_OK;
}

/* Chunk coordinate and how many screen steps stay in that chunk, walking
 * from world coordinate a in direction sign. */
static int32_t span(int32_t a, int sign, int *steps)
{
    int local = chunk_local(a);
    *steps = sign > 0 ? CHUNK_SIZE - local : local + 1;
    return chunk_coord(a);
}

static int render_view(World *w, const View *v, int width, int height, RenderCell *cells, Err *err)
{
    if (width <= 0 || height <= 0 || !cells)
        return err_set(err, MA_ERR_INVALID, "render: a view of %dx%d cells is empty", width, height);
    Look *lk = malloc(sizeof *lk);
    if (!lk)
        return err_set(err, MA_ERR_NOMEM, "render: out of memory");
    look_init(lk, world_blocks(w));
    if (v->sight)
        memset(v->sight, SIGHT_OPEN, (size_t)width * (size_t)height);
    SeenList seen = {0};
    int rc = MA_OK;
    const int ca = v->col_axis, ra = v->row_axis, da = v->depth_axis;
    const int32_t front = v->origin[da];
    int front_steps;
    const int32_t front_chunk = span(front, -1, &front_steps); /* levels in the front chunk: local+1 */
    const int front_local = front_steps - 1;

    for (int row0 = 0; row0 < height;) {
        int rsteps;
        int32_t rb = v->origin[ra] + (int32_t)row0 * v->row_sign;
        int32_t rchunk = span(rb, v->row_sign, &rsteps);
        int row1 = row0 + rsteps < height ? row0 + rsteps : height;
        for (int col0 = 0; col0 < width;) {
            int csteps;
            int32_t cb = v->origin[ca] + col0;
            int32_t cchunk = span(cb, 1, &csteps);
            int col1 = col0 + csteps < width ? col0 + csteps : width;
            int pending = 0;
            /* The level in front of the front level (above it, in a slice), for sight:
             * in the same chunk, or when the front level is the chunk's last, the plane of the
             * next chunk that touches it, copied now (fetching another chunk later may evict). */
            uint8_t front_next[CHUNK_SIZE * CHUNK_SIZE];
            int have_next = 0;
            if (v->sight && front_local == CHUNK_SIZE - 1) {
                int32_t n3[3];
                n3[ca] = cchunk;
                n3[ra] = rchunk;
                n3[da] = front_chunk + 1;
                Chunk *nch;
                if ((rc = fetch(w, n3, &nch, err)) != MA_OK)
                    goto cleanup;
                for (int a = 0; a < CHUNK_SIZE; a++)
                    for (int b = 0; b < CHUNK_SIZE; b++)
                        front_next[a * CHUNK_SIZE + b] =
                            nch ? (uint8_t)(nch->blocks ? nch->blocks[a * axis_stride[ca] + b * axis_stride[ra]]
                                                        : nch->uniform)
                                : BLOCK_AIR; /* above the world: air */
                have_next = 1;
            }
            for (int pass = 0; pass < 2; pass++) {
                if (pass == 1 && !pending)
                    break;
                int32_t c3[3];
                c3[ca] = cchunk;
                c3[ra] = rchunk;
                c3[da] = front_chunk - pass;
                Chunk *ch;
                if ((rc = fetch(w, c3, &ch, err)) != MA_OK)
                    goto cleanup;
                /* Depth range in this chunk: pass 0 from the front level
                 * down to local 0; pass 1 from local 15 on. */
                int d_first = pass == 0 ? 0 : front_local + 1;
                int l_first = pass == 0 ? front_local : CHUNK_SIZE - 1;
                int d_last = pass == 0 ? front_local : front_local + CHUNK_SIZE;
                if (d_last > RENDER_LOOK_DOWN)
                    d_last = RENDER_LOOK_DOWN;
                for (int row = row0; row < row1; row++) {
                    int32_t wr = v->origin[ra] + (int32_t)row * v->row_sign;
                    int lr = chunk_local(wr);
                    for (int col = col0; col < col1; col++) {
                        RenderCell *cell = &cells[(size_t)row * (size_t)width + (size_t)col];
                        if (pass == 1 && cell->depth != 255)
                            continue;
                        int lc = chunk_local(v->origin[ca] + col);
                        int found = 0;
                        if (ch) {
                            int base = lc * axis_stride[ca] + lr * axis_stride[ra];
                            for (int d = d_first, l = l_first; d <= d_last; d++, l--) {
                                BlockId id = ch->blocks ? ch->blocks[base + l * axis_stride[da]] : ch->uniform;
                                if (!lk->open[id]) {
                                    if (!lk->made[id]) {
                                        cell_set_block(&lk->cell[id], lk->def[id], id, 0);
                                        lk->made[id] = 1;
                                    }
                                    *cell = lk->cell[id];
                                    cell->depth = (uint8_t)d;
                                    if (d == 0 && v->sight) {
                                        BlockId up = have_next ? front_next[lc * CHUNK_SIZE + lr]
                                                     : ch->blocks ? ch->blocks[base + (l + 1) * axis_stride[da]]
                                                                  : ch->uniform;
                                        /* Leaves and glass let sight through: a trunk in its
                                         * leaves is a tree, not "rock at this level". */
                                        v->sight[(size_t)row * (size_t)width + (size_t)col] =
                                            lk->def[id]->transparent                           ? SIGHT_OPEN
                                            : lk->open[up] || !lk->solid[up] || lk->def[up]->transparent ? SIGHT_OPEN_ABOVE
                                                                                                        : SIGHT_BLOCK;
                                    }
                                    found = 1;
                                    break;
                                }
                            }
                        }
                        if (found)
                            continue;
                        /* Below the world's floor there is nothing more to see. */
                        int32_t next = front - (d_last + 1);
                        if (d_last < RENDER_LOOK_DOWN && !(da == 1 && next < 0)) {
                            cell->depth = 255;
                            pending = 1;
                        } else {
                            cell_set_nothing(cell);
                        }
                    }
                }
                if (ch && collect_entities(ch, v, width, height, &seen)) {
                    rc = err_set(err, MA_ERR_NOMEM, "render: out of memory");
                    goto cleanup;
                }
            }
            col0 = col1;
        }
        row0 = row1;
    }
    for (int i = 0; i < seen.n; i++) {
        const Seen *s = &seen.v[i];
        RenderCell *cell = &cells[(size_t)s->row * (size_t)width + (size_t)s->col];
        int limit = cell->is_entity ? cell->depth - 1 : cell->depth - (lk->solid[cell->block] ? 1 : 0);
        if (cell->depth == RENDER_DEPTH_NONE)
            limit = RENDER_LOOK_DOWN;
        if (s->depth > limit)
            continue;
        cell->ascii = s->ascii;
        memcpy(cell->utf8, s->utf8, sizeof cell->utf8);
        cell->utf8[sizeof cell->utf8 - 1] = '\0';
        cell->color256 = s->color256;
        cell->color8 = s->color8;
        cell->depth = (uint8_t)s->depth;
        cell->is_entity = 1;
    }
cleanup:
    free(seen.v);
    free(lk);
    return rc;
}

/* The two views: a slice at level y centred on (x, z), looking down; a cut at z centred on
 * (x, y), looking north. */
static View slice_view(int32_t x, int32_t y, int32_t z, int width, int height)
{
    return (View){.origin = {x - width / 2, y, z - height / 2}, .col_axis = 0, .row_axis = 2, .depth_axis = 1,
                  .row_sign = 1};
}

static View section_view(int32_t x, int32_t y, int32_t z, int width, int height)
{
    return (View){.origin = {x - width / 2, y + height / 2, z}, .col_axis = 0, .row_axis = 1, .depth_axis = 2,
                  .row_sign = -1};
}

int render_slice(World *w, int32_t x, int32_t y, int32_t z, int width, int height, RenderCell *cells, Err *err)
{
    View v = slice_view(x, y, z, width, height);
    return render_view(w, &v, width, height, cells, err);
}

/* render_view as the player sees it (render_slice_seen, render_section_seen): the blocks at the
 * front level with nothing open beside them in the view nor in front of them drawn as stone. */
static int render_seen(World *w, const View *view, int width, int height, RenderCell *cells, Err *err)
{
    if (width <= 0 || height <= 0 || !cells)
        return err_set(err, MA_ERR_INVALID, "render: a view of %dx%d cells is empty", width, height);
    /* The view itself, with what each cell lets the eye do (render_view's sight); then the
     * cells just outside it (a row above and below, a column each side), so that every cell
     * shown has its four neighbours. Nothing of the view's size is copied: this is drawn every
     * step. */
    size_t n = (size_t)width * (size_t)height;
    uint8_t *sight = malloc(n + 2 * ((size_t)width + (size_t)height));
    RenderCell *edge = malloc(2 * ((size_t)width + (size_t)height) * sizeof *edge);
    int rc = MA_OK;
    if (!sight || !edge) {
        rc = err_set(err, MA_ERR_NOMEM, "render: out of memory");
        goto done;
    }
    View v = *view;
    v.sight = sight;
    if ((rc = render_view(w, &v, width, height, cells, err)) != MA_OK)
        goto done;
    /* The edges: the row before the first and after the last, the column before and after. */
    const int ca = v.col_axis, ra = v.row_axis;
    uint8_t *ns = sight + n, *ss = ns + width, *ws = ss + width, *es = ws + height; /* the edges' sight */
    RenderCell *north = edge, *south = edge + width, *west = edge + 2 * width, *east = west + height;
    View vn = v, vs = v, vw = v, ve = v;
    vn.origin[ra] -= v.row_sign;
    vn.sight = ns;
    vs.origin[ra] += v.row_sign * height;
    vs.sight = ss;
    vw.origin[ca] -= 1;
    vw.sight = ws;
    ve.origin[ca] += width;
    ve.sight = es;
    if ((rc = render_view(w, &vn, width, 1, north, err)) != MA_OK ||
        (rc = render_view(w, &vs, width, 1, south, err)) != MA_OK ||
        (rc = render_view(w, &vw, 1, height, west, err)) != MA_OK ||
        (rc = render_view(w, &ve, 1, height, east, err)) != MA_OK)
        goto done;
    int stone = blocks_find(world_blocks(w), "stone");
    if (stone <= 0)
        goto done; /* a registry without stone: nothing to draw the rock with */
    RenderCell rock;
    cell_set_block(&rock, blocks_get(world_blocks(w), (BlockId)stone), (BlockId)stone, 0);
    for (int row = 0; row < height; row++)
        for (int col = 0; col < width; col++) {
            size_t i = (size_t)row * (size_t)width + (size_t)col;
            if (sight[i] != SIGHT_BLOCK)
                continue;
            int open = ((row > 0 ? sight[i - (size_t)width] : ns[col]) |
                        (row < height - 1 ? sight[i + (size_t)width] : ss[col]) | (col > 0 ? sight[i - 1] : ws[row]) |
                        (col < width - 1 ? sight[i + 1] : es[row])) &
                       SIGHT_OPEN;
            if (open)
                continue;
            /* Inside the rock: what it is stays unknown until a tunnel or a cave reaches it. */
            RenderCell *c = &cells[i];
            c->unseen = 1;
            if (c->block == (BlockId)stone)
                continue; /* drawn as itself already (most of the rock) */
            c->ascii = rock.ascii;
            memcpy(c->utf8, rock.utf8, sizeof c->utf8);
            c->color256 = rock.color256;
            c->color8 = rock.color8;
        }
done:
    free(sight);
    free(edge);
    return rc;
}

int render_slice_seen(World *w, int32_t x, int32_t y, int32_t z, int width, int height, RenderCell *cells, Err *err)
{
    View v = slice_view(x, y, z, width, height);
    return render_seen(w, &v, width, height, cells, err);
}

int render_section_seen(World *w, int32_t x, int32_t y, int32_t z, int width, int height, RenderCell *cells,
                        Err *err)
{
    View v = section_view(x, y, z, width, height);
    return render_seen(w, &v, width, height, cells, err);
}

int render_section(World *w, int32_t x, int32_t y, int32_t z, int width, int height, RenderCell *cells,
                   Err *err)
{
    View v = section_view(x, y, z, width, height);
    return render_view(w, &v, width, height, cells, err);
}

/* xterm-256 index -> rgb. */
static void xterm_rgb(int i, int rgb[3])
{
    static const uint8_t base16[16][3] = {
        {0, 0, 0}, {128, 0, 0}, {0, 128, 0}, {128, 128, 0}, {0, 0, 128}, {128, 0, 128}, {0, 128, 128},
        {192, 192, 192}, {128, 128, 128}, {255, 0, 0}, {0, 255, 0}, {255, 255, 0}, {0, 0, 255},
        {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
    };
    static const int cube[6] = {0, 95, 135, 175, 215, 255};
    if (i < 16) {
        for (int k = 0; k < 3; k++)
            rgb[k] = base16[i][k];
    } else if (i < 232) {
        i -= 16;
        rgb[0] = cube[i / 36];
        rgb[1] = cube[i / 6 % 6];
        rgb[2] = cube[i % 6];
    } else {
        rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (i - 232);
    }
}

static int cube_level(int c)
{
    static const int cube[6] = {0, 95, 135, 175, 215, 255};
    int best = 0;
    for (int k = 1; k < 6; k++)
        if (abs(cube[k] - c) < abs(cube[best] - c))
            best = k;
    return best;
}

static uint8_t dim256_compute(uint8_t color256, int depth);

uint8_t render_dim256(uint8_t color256, int depth)
{
    /* A table, filled on first use: the map asks this for every cell. */
    static uint8_t table[RENDER_LOOK_DOWN + 2][256];
    static int ready;
    if (depth <= 0)
        return color256;
    if (depth > RENDER_LOOK_DOWN + 1)
        depth = RENDER_LOOK_DOWN + 1;
    if (!ready) {
        for (int d = 1; d <= RENDER_LOOK_DOWN + 1; d++)
            for (int c = 0; c < 256; c++)
                table[d][c] = dim256_compute((uint8_t)c, d);
        ready = 1;
    }
    return table[depth][color256];
}

/* The palette's nearest colour to rgb: of the 6x6x6 cube or the grey ramp. */
static uint8_t nearest256(const int rgb[3])
{
    static const int cube[6] = {0, 95, 135, 175, 215, 255};
    int l[3] = {cube_level(rgb[0]), cube_level(rgb[1]), cube_level(rgb[2])};
    int cube_idx = 16 + 36 * l[0] + 6 * l[1] + l[2];
    long cube_err = 0;
    for (int k = 0; k < 3; k++)
        cube_err += (long)(cube[l[k]] - rgb[k]) * (cube[l[k]] - rgb[k]);
    int avg = (rgb[0] + rgb[1] + rgb[2]) / 3;
    int g = avg < 8 ? 0 : (avg - 8) / 10;
    if (g > 23)
        g = 23;
    int gv = 8 + 10 * g;
    long grey_err = 0;
    for (int k = 0; k < 3; k++)
        grey_err += (long)(gv - rgb[k]) * (gv - rgb[k]);
    return (uint8_t)(grey_err < cube_err ? 232 + g : cube_idx);
}

/* How bright a palette colour looks, 0..255. */
static int luma256(int c)
{
    int rgb[3];
    xterm_rgb(c, rgb);
    return (30 * rgb[0] + 59 * rgb[1] + 11 * rgb[2]) / 100;
}

/* The colour faded by t (0..1) toward grey level `toward` (0: black, which keeps the hue). */
static uint8_t fade256(uint8_t color256, double t, int toward)
{
    int rgb[3];
    xterm_rgb(color256, rgb);
    for (int k = 0; k < 3; k++)
        rgb[k] = (int)(rgb[k] * (1 - t) + toward * t + 0.5);
    return nearest256(rgb);
}

static uint8_t dim256_compute(uint8_t color256, int depth)
{
    /* Fade: a fifth of the way at one level down, most of the way at the limit of sight; but never
     * so little that the palette gives back the same colour, or one hardly darker: dirt one level
     * down (colour 94) had come back as 94 and a floor of stone as a shade from rock, so that a
     * player's own walls and tunnel could not be told from the ground about them. A level down is
     * darker than the level by a tenth toward black, which keeps the hue, else by a fifth toward a
     * dark grey, and each level further darker than the one above while the palette has a darker
     * shade. */
    int base = luma256(color256);
    uint8_t above = color256;
    uint8_t c = color256;
    for (int d = 1; d <= depth; d++) {
        /* Toward black a tenth darker will do (the palette's browns are few: dirt goes to 58);
         * toward grey, a fifth. */
        int want_black = d == 1 ? (base < 60 ? base - 1 : base * 9 / 10) : luma256(above) - 1;
        int want_grey = d == 1 ? (base < 60 ? base - 1 : base * 4 / 5) : luma256(above) - 1;
        double t0 = 0.2 + 0.6 * (d - 1) / RENDER_LOOK_DOWN;
        int found = 0;
        for (double t = t0; t < 0.96 && !found; t += 0.05) {
            c = fade256(color256, t, 0);
            found = c != color256 && luma256(c) <= want_black;
        }
        for (double t = t0; t < 0.96 && !found; t += 0.05) {
            c = fade256(color256, t, 58);
            found = c != color256 && luma256(c) <= want_grey;
        }
        if (d > 1 && luma256(c) > luma256(above))
            c = above;
        above = c;
    }
    return c;
}

/* The ANSI sequence for a cell, into buf (at most 24 bytes). */
static int cell_sgr(const RenderCell *c, int color, char *buf)
{
    if (color == RENDER_COLOR_256)
        return sprintf(buf, "\033[0;38;5;%dm", render_dim256(c->color256, c->depth));
    int attr = c->depth == 0 ? 1 : c->depth <= 2 ? 0 : 2;
    return sprintf(buf, "\033[%d;3%dm", attr, c->color8 & 7);
}

char *render_to_text(const RenderCell *cells, int w, int h, int utf8, int color)
{
    if (w <= 0 || h <= 0)
        return calloc(1, 1);
    /* Worst case per cell: a colour change plus a 7-byte glyph. */
    size_t per_cell = (color ? 24u : 0u) + (utf8 ? 8u : 1u);
    size_t cap = (size_t)w * (size_t)h * per_cell + (size_t)h * 8 + 1;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    char *p = out;
    for (int row = 0; row < h; row++) {
        char last[32] = "";
        for (int col = 0; col < w; col++) {
            const RenderCell *c = &cells[(size_t)row * (size_t)w + (size_t)col];
            int blank = c->ascii == ' ' && !c->is_entity;
            if (color && !blank) {
                char sgr[32];
                int n = cell_sgr(c, color, sgr);
                if (strcmp(sgr, last) != 0) {
                    memcpy(p, sgr, (size_t)n);
                    p += n;
                    memcpy(last, sgr, (size_t)n + 1);
                }
            }
            if (utf8 && c->utf8[0]) {
                size_t n = strnlen(c->utf8, sizeof c->utf8 - 1);
                memcpy(p, c->utf8, n);
                p += n;
            } else {
                *p++ = c->ascii >= 32 && c->ascii < 127 ? c->ascii : '?';
            }
        }
        if (color && last[0]) {
            memcpy(p, "\033[0m", 4);
            p += 4;
        }
        *p++ = '\n';
    }
    *p = '\0';
    return out;
}
