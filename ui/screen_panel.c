/* screen_panel.c — the main screen's side panel (see screen_panel.h).
 *
 * The panel is a list of lines, each with a priority. When the terminal is short the least
 * important lines go first (blank lines, the minimap, the biome, the world's name), so that at
 * 80x24 the hostile creature in view still has its line; at 160x50 everything fits. */
#include "screen_panel.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/calendar.h"
#include "game/creatures.h"
#include "game/game_travel.h"
#include "game/inventory.h"
#include "game/items.h"
#include "game/story.h"
#include "term.h"
#include "world/chunk.h"
#include "world/generator.h"

#define MM_SCALE 8   /* blocks a minimap cell */
#define MM_SIDE 128  /* cells a side of the minimap's memory (1024 blocks) */
#define MM_ROWS 11
#define PLINES 96

/* ---- setup ---- */

void panel_init(PanelState *ps, const Game *g)
{
    memset(ps, 0, sizeof *ps);
    const Player *p = game_player(g);
    ps->mm = calloc((size_t)MM_SIDE * MM_SIDE, sizeof *ps->mm);
    int32_t half = MM_SIDE * MM_SCALE / 2;
    ps->mm_x0 = p->x - half - ((p->x - half) % MM_SCALE + MM_SCALE) % MM_SCALE;
    ps->mm_z0 = p->z - half - ((p->z - half) % MM_SCALE + MM_SCALE) % MM_SCALE;
    ps->heading = DIR_NONE;
    ps->n_structs = -1;
    ps->quest_way.found = ps->story_way.found = -1;
    ps->story_place_stale = 1;
    ps->quest_stale = ps->names_stale = ps->story_stale = 1;
}

void panel_free(PanelState *ps)
{
    free(ps->mm);
    free(ps->names);
    memset(ps, 0, sizeof *ps);
}

void panel_mark_stale(PanelState *ps) { ps->quest_stale = ps->story_stale = 1; }

void panel_after_events(PanelState *ps, const ActionResult *r)
{
    for (int i = 0; i < r->n_events; i++)
        if (strncmp(r->events[i].text, "You meet ", 9) == 0)
            ps->names_stale = 1;
}

int panel_width(int cols) { return cols >= PANEL_WIDE_FROM ? PANEL_W_WIDE : PANEL_W_NARROW; }

/* ---- what stands on the map ---- */

const char *panel_compass(int dx, int dz) { return quest_compass(dx, dz); }

static const char *compass_words(const char *c)
{
    static const struct { const char *c, *w; } t[] = {{"N", "north"}, {"NE", "north-east"}, {"E", "east"},
                                                       {"SE", "south-east"}, {"S", "south"}, {"SW", "south-west"},
                                                       {"W", "west"}, {"NW", "north-west"}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(t[i].c, c) == 0)
            return t[i].w;
    return c;
}

static const char *str_of(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void underscores_to_spaces(char *s)
{
    for (; *s; s++)
        if (*s == '_')
            *s = ' ';
}

/* The villagers' unique names, read again after something happened. */
static void refresh_names(PanelState *ps, Game *g)
{
    if (!ps->names_stale)
        return;
    ps->names_stale = 0;
    free(ps->names);
    ps->names = NULL;
    ps->n_names = 0;
    npc_met_names(g, &ps->names, &ps->n_names, NULL);
}

/* Whether entity e stands at world (x, z), its position given in the chunk's or the world's terms. */
static int entity_at_column(const cJSON *e, int32_t x, int32_t z)
{
    const cJSON *pos = cJSON_GetObjectItemCaseSensitive(e, "position");
    double p[3] = {0, 0, 0};
    if (cJSON_IsArray(pos) && cJSON_GetArraySize(pos) >= 3) {
        int i = 0;
        const cJSON *v;
        cJSON_ArrayForEach(v, pos) {
            if (i < 3)
                p[i++] = cJSON_GetNumberValue(v);
        }
    } else {
        p[0] = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "x"));
        p[1] = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "y"));
        p[2] = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "z"));
    }
    return ((int32_t)p[0] == chunk_local(x) && (int32_t)p[2] == chunk_local(z)) || ((int32_t)p[0] == x && (int32_t)p[2] == z);
}

int panel_entity_at(PanelState *ps, Game *g, int32_t x, int32_t y, int32_t z, Seen *out)
{
    memset(out, 0, sizeof *out);
    Err err = {0};
    Chunk *c = world_chunk(game_world(g), chunk_coord(x), chunk_coord(y), chunk_coord(z), &err);
    if (!c)
        return 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, c->entities) {
        if (!entity_at_column(e, x, z))
            continue;
        const char *type = str_of(e, "type");
        out->x = x;
        out->y = y;
        out->z = z;
        out->hp = out->max_hp = -1;
        out->ascii = '?';
        snprintf(out->id, sizeof out->id, "%s", str_of(e, "id") ? str_of(e, "id") : "");
        if (type && strcmp(type, "creature") == 0) {
            out->kind = SEEN_CREATURE;
            const char *kind = str_of(e, "kind");
            const CreatureDef *def = kind ? creatures_find(game_creatures(g), kind) : NULL;
            snprintf(out->name, sizeof out->name, "%s", def ? def->name : kind ? kind : "creature");
            if (def) {
                snprintf(out->glyph, sizeof out->glyph, "%s", def->glyph);
                out->ascii = def->glyph[0] & 0x80 ? def->name[0] : def->glyph[0];
                out->color256 = (uint8_t)def->color256;
                out->color8 = (uint8_t)def->color8;
                out->max_hp = def->health;
                out->sight = def->sight;
                const cJSON *angry = cJSON_GetObjectItemCaseSensitive(e, "angry");
                out->hostile = def->aggression == AGGR_HOSTILE || cJSON_IsTrue(angry);
                out->neutral = def->aggression == AGGR_NEUTRAL && !out->hostile;
            }
            const cJSON *hp = cJSON_GetObjectItemCaseSensitive(e, "hp");
            out->hp = cJSON_IsNumber(hp) ? hp->valueint : out->max_hp;
        } else if (type && strcmp(type, "npc") == 0) {
            out->kind = SEEN_VILLAGER;
            const char *id = str_of(e, "id"), *name = str_of(e, "name"), *role = str_of(e, "role");
            snprintf(out->name, sizeof out->name, "%s", name ? name : "someone");
            snprintf(out->role, sizeof out->role, "%s", role ? role : "");
            underscores_to_spaces(out->role);
            refresh_names(ps, g);
            for (int i = 0; id && i < ps->n_names; i++)
                if (strcmp(ps->names[i].entity, id) == 0) {
                    snprintf(out->name, sizeof out->name, "%s", ps->names[i].name);
                    out->met = 1;
                    break;
                }
            snprintf(out->glyph, sizeof out->glyph, "V");
            out->ascii = 'V';
        } else if (type && strcmp(type, "item") == 0) {
            out->kind = SEEN_ITEM;
            const char *item = str_of(e, "item");
            snprintf(out->name, sizeof out->name, "%s", item ? item : "something");
            underscores_to_spaces(out->name);
            const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "count");
            out->count = cJSON_IsNumber(n) ? n->valueint : 1;
            items_count_words(inventory_items(g), item ? item : "something", out->count, out->counted,
                              sizeof out->counted);
            /* Every pile that lies there ("8 gold coins, 1 bread"; the bread had gone unsaid). */
            for (const cJSON *f = e->next; f; f = f->next) {
                const char *ft = str_of(f, "type"), *fi = str_of(f, "item");
                if (!ft || strcmp(ft, "item") != 0 || !entity_at_column(f, x, z))
                    continue;
                const cJSON *fn = cJSON_GetObjectItemCaseSensitive(f, "count");
                char more[80];
                items_count_words(inventory_items(g), fi ? fi : "something", cJSON_IsNumber(fn) ? fn->valueint : 1,
                                  more, sizeof more);
                size_t len = strlen(out->counted);
                snprintf(out->counted + len, sizeof out->counted - len, ", %s", more);
            }
            snprintf(out->glyph, sizeof out->glyph, "*");
            out->ascii = '*';
        } else {
            out->kind = SEEN_OTHER;
            const char *keys[] = {"name", "kind", "species", "id", "type"};
            snprintf(out->name, sizeof out->name, "someone");
            for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
                if (str_of(e, keys[k]) && str_of(e, keys[k])[0]) {
                    snprintf(out->name, sizeof out->name, "%s", str_of(e, keys[k]));
                    break;
                }
            underscores_to_spaces(out->name);
            snprintf(out->glyph, sizeof out->glyph, "?");
        }
        return 1;
    }
    return 0;
}

void panel_note_entity(PanelState *ps, Game *g, SeenList *seen, int32_t x, int32_t y, int32_t z)
{
    seen->total++;
    if (seen->n >= SEEN_MAX)
        return;
    Seen *s = &seen->v[seen->n];
    if (!panel_entity_at(ps, g, x, y, z, s))
        return;
    const Player *p = game_player(g);
    s->dx = x - p->x;
    s->dz = z - p->z;
    s->dy = y - p->y;
    s->dist = abs(s->dx) > abs(s->dz) ? abs(s->dx) : abs(s->dz);
    s->in_sight = game_line_of_sight(g, x, y, z);
    seen->n++;
}

static int seen_rank(const Seen *s)
{
    return s->kind == SEEN_CREATURE ? (s->hostile ? 0 : 1) : s->kind == SEEN_VILLAGER ? 2 : s->kind == SEEN_ITEM ? 4 : 3;
}

static int by_threat(const void *a, const void *b)
{
    const Seen *x = a, *y = b;
    int rx = seen_rank(x), ry = seen_rank(y);
    if (rx != ry)
        return rx - ry;
    if (x->dist != y->dist)
        return x->dist - y->dist;
    return strcmp(x->name, y->name);
}

void panel_sort_seen(SeenList *seen) { qsort(seen->v, (size_t)seen->n, sizeof seen->v[0], by_threat); }

/* The nearest hostile creature in view within `reach` steps past its sight and with no wall
 * between (any distance and behind walls too when reach is negative), or NULL. */
static const Seen *nearest_hostile(const SeenList *seen, int reach)
{
    const Seen *best = NULL;
    for (int i = 0; i < seen->n; i++) {
        const Seen *s = &seen->v[i];
        if (s->kind == SEEN_CREATURE && s->hostile &&
            (reach < 0 || ((s->sight <= 0 || s->dist <= s->sight + reach) && s->in_sight)) &&
            (!best || s->dist < best->dist))
            best = s;
    }
    return best;
}

const Seen *panel_first_hostile(const SeenList *seen) { return nearest_hostile(seen, -1); }

const Seen *panel_first_threat(const SeenList *seen) { return nearest_hostile(seen, PANEL_THREAT_MARGIN); }

void panel_seen_words(const Seen *s, char *buf, size_t size)
{
    const char *c = panel_compass(s->dx, s->dz);
    char where[48];
    if (s->dist == 0) /* the same column: a level above or below says which */
        snprintf(where, sizeof where, "%s", s->dy < 0 ? "below" : s->dy > 0 ? "above" : "here");
    else
        snprintf(where, sizeof where, "to the %s, %d away%s", compass_words(c), s->dist, s->dy > 0 ? ", a level up" : "");
    if (s->kind == SEEN_CREATURE)
        snprintf(buf, size, "%s %s, %d/%d health, %s", s->name, where, s->hp, s->max_hp,
                 s->hostile ? "hostile" : s->neutral ? "neutral (fights back)" : "harmless");
    else if (s->kind == SEEN_VILLAGER)
        snprintf(buf, size, "%s%s%s %s", s->name, s->role[0] ? ", the " : "", s->role, where);
    else
        snprintf(buf, size, "%s %s", s->name, where);
}

/* ---- where ---- */

void panel_depth_words(Game *g, int32_t x, int32_t y, int32_t z, char *buf, size_t size)
{
    int top = generator_surface_y(world_generator(game_world(g)), x, z);
    if (top < SEA_LEVEL - 1)
        top = SEA_LEVEL - 1; /* under the sea, the water's top is the surface */
    int depth = top + 1 - y;
    /* A road, a floor or a slab is a block over the terrain: still "on the surface". */
    if (depth > 0)
        snprintf(buf, size, "%d below the surface", depth);
    else if (depth >= -1)
        snprintf(buf, size, "on the surface");
    else
        snprintf(buf, size, "%d above the ground", -depth);
}

/* ---- the minimap ---- */

static const char *heading_arrow(Dir d, char *ascii)
{
    static const char *const arrows[8] = {"\xe2\x86\x91", "\xe2\x86\x97", "\xe2\x86\x92", "\xe2\x86\x98",
                                          "\xe2\x86\x93", "\xe2\x86\x99", "\xe2\x86\x90", "\xe2\x86\x96"};
    static const char asc[8] = {'^', '/', '>', '\\', 'v', '/', '<', '\\'};
    if (d < DIR_N || d > DIR_NW) {
        *ascii = '@';
        return "@";
    }
    *ascii = asc[d];
    return arrows[d];
}

/* What a minimap cell shows: the biome at its centre from the world's generator (cached, as the
 * terrain never moves), and the structures the generator planned near the player on top. */
typedef struct MmLook {
    const char *utf8;
    char ascii;
    uint8_t c256, c8;
} MmLook;

static const MmLook biome_look[BIOME_COUNT] = {
    [BIOME_OCEAN] = {"\xe2\x89\x88", '~', 27, 4},           [BIOME_PLAINS] = {"\"", '"', 106, 2},
    [BIOME_FOREST] = {"\xe2\x99\xa3", '&', 28, 2},          [BIOME_DESERT] = {"\xc2\xb7", '.', 179, 3},
    [BIOME_SNOWY_MOUNTAINS] = {"\xe2\x96\xb2", '^', 252, 7}, [BIOME_SWAMP] = {",", ',', 100, 2},
    [BIOME_LAKE] = {"\xe2\x89\x88", '~', 39, 6},            [BIOME_TUNDRA] = {"*", '*', 255, 7},
};

static MmLook structure_look(const char *type)
{
    if (strcmp(type, "village") == 0)
        return (MmLook){"\xe2\x8c\x82", '#', 180, 3};
    if (strcmp(type, "ruins") == 0)
        return (MmLook){"%", '%', 245, 7};
    if (strcmp(type, "dungeon") == 0)
        return (MmLook){">", '>', 196, 1};
    return (MmLook){"\xe2\x80\xa0", '+', 141, 5}; /* shrine */
}

static int64_t mm_cell(int32_t v, int32_t v0) { return (int64_t)v >= v0 ? ((int64_t)v - v0) / MM_SCALE : -1; }

/* The structures near the player, looked up again after a walk of a few cells. */
static void refresh_structures(PanelState *ps, Game *g)
{
    const Player *p = game_player(g);
    if (ps->n_structs >= 0 && abs(p->x - ps->struct_at[0]) < 4 * MM_SCALE && abs(p->z - ps->struct_at[1]) < 4 * MM_SCALE)
        return;
    ps->struct_at[0] = p->x;
    ps->struct_at[1] = p->z;
    ps->n_structs = generator_structures_near(world_generator(game_world(g)), p->x, p->z, 40 * MM_SCALE,
                                              ps->structs, PANEL_MAX_STRUCTS);
}

static void draw_minimap_row(PanelState *ps, Game *g, const SeenList *seen, int y, int x, int w, int row, int rows)
{
    const Player *p = game_player(g);
    Generator *gen = world_generator(game_world(g));
    int64_t pcx = mm_cell(p->x, ps->mm_x0), pcz = mm_cell(p->z, ps->mm_z0);
    int night = game_is_night(g);
    TermGlyph line[PANEL_W_WIDE];
    if (w > PANEL_W_WIDE)
        w = PANEL_W_WIDE;
    int64_t iz = pcz - rows / 2 + row;
    for (int col = 0; col < w; col++) {
        int64_t ix = pcx - w / 2 + col;
        if (ix < 0 || iz < 0 || ix >= MM_SIDE || iz >= MM_SIDE || !ps->mm) {
            line[col] = (TermGlyph){NULL, ' ', A_NORMAL};
            continue;
        }
        uint32_t *v = &ps->mm[iz * MM_SIDE + ix];
        if (!*v) {
            int32_t wx = ps->mm_x0 + (int32_t)ix * MM_SCALE + MM_SCALE / 2;
            int32_t wz = ps->mm_z0 + (int32_t)iz * MM_SCALE + MM_SCALE / 2;
            *v = (uint32_t)generator_biome(gen, wx, wz) + 1;
        }
        const MmLook *l = &biome_look[(*v - 1) % BIOME_COUNT];
        line[col] = (TermGlyph){l->utf8, l->ascii, term_map_attr(l->c256, l->c8, 1, night)};
    }
    /* Villages, ruins, dungeons and shrines: every cell their box covers. */
    for (int i = 0; i < ps->n_structs; i++) {
        const GenStructure *st = &ps->structs[i];
        int64_t z0 = mm_cell(st->z, ps->mm_z0), z1 = mm_cell(st->z + st->d - 1, ps->mm_z0);
        if (iz < z0 || iz > z1)
            continue;
        int64_t x0 = mm_cell(st->x, ps->mm_x0), x1 = mm_cell(st->x + st->w - 1, ps->mm_x0);
        MmLook l = structure_look(st->type);
        for (int64_t ix = x0; ix <= x1; ix++) {
            int col = (int)(ix - (pcx - w / 2));
            if (col >= 0 && col < w)
                line[col] = (TermGlyph){l.utf8, l.ascii, term_map_attr(l.c256, l.c8, 0, night)};
        }
    }
    /* Creatures and villagers in view on top, hostile ones in the colour of danger. */
    for (int i = 0; i < seen->n; i++) {
        const Seen *s = &seen->v[i];
        if (s->kind != SEEN_CREATURE && s->kind != SEEN_VILLAGER)
            continue;
        int col = (int)(mm_cell(s->x, ps->mm_x0) - (pcx - w / 2));
        if (mm_cell(s->z, ps->mm_z0) != iz || col < 0 || col >= w)
            continue;
        attr_t a = s->hostile ? term_role(ROLE_BAD) | A_BOLD : s->kind == SEEN_VILLAGER ? term_role(ROLE_INFO) : A_NORMAL;
        line[col] = (TermGlyph){s->glyph, s->ascii, a};
    }
    if (row == rows / 2) {
        char ascii;
        const char *arrow = heading_arrow(ps->heading, &ascii);
        line[w / 2] = (TermGlyph){arrow, ascii, term_role(ROLE_PLAYER) | A_BOLD};
    }
    term_glyph_row(y, x, line, w);
}

/* ---- the panel's lines ---- */

typedef struct PLine {
    int prio;    /* 0 most important .. 9 first to go */
    int group;   /* lines of one group go together (0: alone) */
    int mm_row;  /* -1 text, else the minimap's row */
    int shown;
    attr_t attr;
    char text[160];
} PLine;

typedef struct Panel {
    PLine l[PLINES];
    int n;
} Panel;

static void add(Panel *pn, int prio, attr_t attr, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void add(Panel *pn, int prio, attr_t attr, const char *fmt, ...)
{
    if (pn->n >= PLINES)
        return;
    PLine *l = &pn->l[pn->n++];
    memset(l, 0, sizeof *l);
    l->prio = prio;
    l->mm_row = -1;
    l->attr = attr;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->text, sizeof l->text, fmt, ap);
    va_end(ap);
}

static void blank(Panel *pn) { add(pn, 8, A_NORMAL, "%s", ""); }

/* Keeps the most important lines that fit in rows; a group goes whole. */
static void fit(Panel *pn, int rows)
{
    int shown = pn->n;
    for (int i = 0; i < pn->n; i++)
        pn->l[i].shown = 1;
    while (shown > rows) {
        int worst = -1;
        for (int i = pn->n - 1; i >= 0; i--)
            if (pn->l[i].shown && (worst < 0 || pn->l[i].prio > pn->l[worst].prio))
                worst = i;
        if (worst < 0)
            break;
        int group = pn->l[worst].group;
        for (int i = 0; i < pn->n; i++)
            if (pn->l[i].shown && (i == worst || (group && pn->l[i].group == group))) {
                pn->l[i].shown = 0;
                shown--;
            }
    }
    /* A blank line at the top of what is left, or two in a row, says nothing. */
    int prev_blank = 1;
    for (int i = 0; i < pn->n; i++) {
        if (!pn->l[i].shown)
            continue;
        int is_blank = pn->l[i].mm_row < 0 && !pn->l[i].text[0];
        if (is_blank && prev_blank)
            pn->l[i].shown = 0;
        prev_blank = is_blank;
    }
}

/* The tracked quest: the one the player chose, else the first active one. */
static void refresh_quest(PanelState *ps, Game *g)
{
    if (!ps->quest_stale)
        return;
    ps->quest_stale = 0;
    ps->has_quest = 0;
    QuestView *q = NULL;
    int n = 0;
    if (quest_log(g, &q, &n, NULL) != MA_OK)
        return;
    int pick = -1;
    for (int i = 0; i < n; i++) {
        if (strcmp(q[i].status, "active") != 0)
            continue;
        if (pick < 0 || (ps->tracked[0] && strcmp(q[i].name, ps->tracked) == 0))
            pick = i;
    }
    if (pick >= 0) {
        ps->quest = q[pick];
        ps->has_quest = 1;
    }
    free(q);
}

/* One creature, villager or item as a panel line: "s giant spider  NE 5  12/15 !". */
static void seen_line(Panel *pn, const Seen *s, int w, int prio)
{
    char where[16], right[40], left[80], line[160];
    if (s->dist == 0) /* the same column: a level above or below says which */
        snprintf(where, sizeof where, "%s", s->dy < 0 ? "below" : s->dy > 0 ? "above" : "here");
    else /* a level up beside you (screen_main draws it underlined): "NE1 up" */
        snprintf(where, sizeof where, "%s%s%d%s", panel_compass(s->dx, s->dz), w >= PANEL_W_WIDE ? " " : "", s->dist,
                 s->dy > 0 ? " up" : "");
    attr_t a = A_NORMAL;
    const char *g = term_utf8() && s->glyph[0] ? s->glyph : (char[2]){s->ascii ? s->ascii : '?', 0};
    if (s->kind == SEEN_CREATURE) {
        if (w >= PANEL_W_WIDE)
            snprintf(right, sizeof right, "%-4s %3d/%-3d %s", where, s->hp, s->max_hp,
                     s->hostile ? "hostile" : s->neutral ? "neutral" : "harmless");
        else
            snprintf(right, sizeof right, "%s %d/%d%s", where, s->hp, s->max_hp, s->hostile ? "!" : "");
        a = s->hostile ? term_role(ROLE_BAD) | A_BOLD : s->neutral ? term_role(ROLE_WARN) : A_NORMAL;
        snprintf(left, sizeof left, "%s %s", g, s->name);
    } else if (s->kind == SEEN_VILLAGER) {
        snprintf(right, sizeof right, "%s", where);
        if (s->role[0])
            snprintf(left, sizeof left, "%s %s, %s", g, s->name, s->role);
        else
            snprintf(left, sizeof left, "%s %s", g, s->name);
        a = term_role(ROLE_INFO);
    } else {
        snprintf(right, sizeof right, "%s", where);
        if (s->count > 1)
            snprintf(left, sizeof left, "%s %s", g, s->counted);
        else
            snprintf(left, sizeof left, "%s %s", g, s->name);
        a = term_role(ROLE_DIM);
    }
    /* The name gives way to the numbers: they are what the line is for. */
    int room = w - 2 - (int)strlen(right) - 1;
    int cols = 0;
    const char *c = left;
    while (*c && cols < room) {
        c++;
        while ((*c & 0xC0) == 0x80)
            c++;
        cols++;
    }
    snprintf(line, sizeof line, "%.*s%*s %s", (int)(c - left), left, room - cols, "", right);
    add(pn, prio, a, "%s", line);
}

/* " nearest ruins: E 204" (or " no ruins within 640"): the way to the nearest place of a kind,
 * looked for again when the kind changes or every 8 blocks walked. */
static void add_way(Panel *pn, PlaceWay *pw, Game *g, const char *kind)
{
    const Player *pl = game_player(g);
    if (strcmp(pw->kind, kind) != 0 || pw->found < 0 || abs(pl->x - pw->at[0]) >= 8 || abs(pl->z - pw->at[1]) >= 8) {
        snprintf(pw->kind, sizeof pw->kind, "%s", kind);
        pw->at[0] = pl->x;
        pw->at[1] = pl->z;
        pw->found = quest_place_nearest(g, kind, &pw->near);
    }
    if (pw->found) {
        int dx, dz, dist = quest_place_offset(g, &pw->near, &dx, &dz), below = quest_place_below(g, &pw->near);
        if (quest_place_is_name(kind)) /* a story's own village: " Frosthaven: S 180" */
            add(pn, 3, term_role(ROLE_INFO), " %s: %s %d", kind, panel_compass(dx, dz), dist);
        else if (below > 0 && dist == 0) /* on its ladder, or above a dungeon with none */
            add(pn, 3, term_role(ROLE_INFO), " nearest %s: %d below", kind, below);
        else if (below > 0)
            add(pn, 3, term_role(ROLE_INFO), " nearest %s: %s %d, %d below", kind, panel_compass(dx, dz), dist, below);
        else
            add(pn, 3, term_role(ROLE_INFO), " nearest %s: %s %d", kind, panel_compass(dx, dz), dist);
    } else {
        add(pn, 4, term_role(ROLE_DIM), " no %s within %d", kind, QUEST_PLACE_RADIUS);
    }
}

void panel_draw(PanelState *ps, Game *g, const SeenList *seen, int x, int w, int rows, int view_dy, int section)
{
    const Player *p = game_player(g);
    int wide = w >= PANEL_W_WIDE;
    Panel pn;
    pn.n = 0;
    char b[160];

    add(&pn, 0, term_role(ROLE_TITLE), "%s", p->name);
    add(&pn, 1, A_NORMAL, "%s, level %d", p->character_class, p->level);
    blank(&pn);
    attr_t hp = p->health * 4 <= p->max_health ? term_role(ROLE_BAD)
                : p->health * 2 <= p->max_health ? term_role(ROLE_WARN) : term_role(ROLE_GOOD);
    add(&pn, 0, hp, "Health: %d/%d%s", p->health, p->max_health, p->health * 4 <= p->max_health ? " LOW" : "");
    if (wide) {
        add(&pn, 2, term_role(ROLE_INFO), "Mana:   %d/%d", p->mana, p->max_mana);
        add(&pn, 4, A_NORMAL, "XP:     %lld", (long long)p->experience);
    } else {
        add(&pn, 2, term_role(ROLE_INFO), "Mana:   %d/%d  XP: %lld", p->mana, p->max_mana, (long long)p->experience);
    }

    /* The minimap, in the wide panel: the ground seen this session, the heading, who is near. */
    if (wide && ps->mm) {
        refresh_structures(ps, g);
        blank(&pn);
        pn.l[pn.n - 1].prio = 7;
        /* Where the panel is short of rows (a village's dozen villagers in view), the minimap gives
         * up its outer rows first and keeps the five round the player as long as the last
         * villagers of the list (it had gone whole, and players never saw it). */
        for (int r = 0; r < MM_ROWS && pn.n < PLINES; r++) {
            add(&pn, abs(r - MM_ROWS / 2) <= 2 ? 5 : 7, A_NORMAL, "%s", "");
            pn.l[pn.n - 1].mm_row = r;
        }
        /* The nearest place with a name, and which way. */
        const GenStructure *near = NULL;
        for (int i = 0; i < ps->n_structs && !near; i++)
            near = &ps->structs[i];
        if (near) {
            /* Toward its middle, or the top of the ladder down to a dungeon or shrine below. */
            int dx, dz, dist = quest_place_offset(g, near, &dx, &dz), below = quest_place_below(g, near);
            int inside = p->x >= near->x && p->x < near->x + near->w && p->z >= near->z && p->z < near->z + near->d;
            if (below > 0 && (dist == 0 || (inside && !near->has_entry)))
                add(&pn, 6, term_role(ROLE_DIM), "%s %d below", near->name, below);
            else if (below > 0)
                add(&pn, 6, term_role(ROLE_DIM), "%s %s %d, %d below", near->name, panel_compass(dx, dz), dist,
                    below);
            else if (inside)
                add(&pn, 6, term_role(ROLE_DIM), "In %s (%s)", near->name, near->type);
            else
                add(&pn, 6, term_role(ROLE_DIM), "%s (%s) %s %d", near->name, near->type, panel_compass(dx, dz), dist);
        }
    }

    blank(&pn);
    add(&pn, 2, A_NORMAL, "X: %d Y: %d", p->x, p->y);
    add(&pn, 1, A_BOLD, "Z: %d", p->z);
    World *world = game_world(g);
    if (!ps->at_valid || ps->at[0] != p->x || ps->at[1] != p->y || ps->at[2] != p->z) {
        /* Two samples of the terrain's noise: only when the character has moved. */
        panel_depth_words(g, p->x, p->y, p->z, ps->depth, sizeof ps->depth);
        snprintf(ps->biome, sizeof ps->biome, "%s", biome_name(generator_biome(world_generator(world), p->x, p->z)));
        ps->at[0] = p->x;
        ps->at[1] = p->y;
        ps->at[2] = p->z;
        ps->at_valid = 1;
    }
    add(&pn, 2, A_NORMAL, "%s%s", wide ? "Depth:  " : "", ps->depth);
    if (wide && ps->heading >= DIR_N && ps->heading <= DIR_NW) {
        static const char *const names[8] = {"north", "north-east", "east", "south-east",
                                             "south", "south-west", "west", "north-west"};
        add(&pn, 5, A_NORMAL, "Going:  %s", names[ps->heading]);
    }
    if (view_dy)
        add(&pn, 1, term_role(ROLE_WARN), "Viewing level %+d", view_dy);
    if (section)
        add(&pn, 1, term_role(ROLE_INFO), "Cross-section (north)");
    int m = game_minute_of_day(g);
    int night = game_is_night(g);
    add(&pn, 2, night ? term_role(ROLE_INFO) : term_role(ROLE_WARN), "Time:   %02d:%02d, %s", m / 60, m % 60,
        night ? "night" : "day");
    char date[48];
    add(&pn, 4, A_NORMAL, "Date:   %s", calendar_date(game_clock(g), date, sizeof date));
    const WorldMods *mods = game_world_mods(g);
    for (int i = 0; i < mods->n_events; i++)
        add(&pn, 3, term_role(ROLE_WARN), "Event:  %s", mods->events[i]);
    add(&pn, 5, term_role(ROLE_DIM), "World:  %s", p->world_name);
    if (ps->has_sync) {
        const char *line = ps->sync;
        attr_t a = strncmp(line, "offline", 7) == 0 || strncmp(line, "log in", 6) == 0 || strncmp(line, "refused", 7) == 0
                       ? term_role(ROLE_WARN)
                       : term_role(ROLE_INFO);
        /* "offline, 12 waiting" does not fit beside the label: the rest goes on the next line. */
        const char *comma = strstr(line, ", ");
        if (comma && (int)strlen(line) > w - 10) {
            add(&pn, 3, a, "Sync:   %.*s,", (int)(comma - line), line);
            add(&pn, 3, a, "        %s", comma + 2);
        } else {
            add(&pn, 3, a, "Sync:   %s", line);
        }
        if (ps->sync_conflicts > 0)
            add(&pn, 2, term_role(ROLE_WARN), "        %d conflict%s (o)", ps->sync_conflicts,
                ps->sync_conflicts == 1 ? "" : "s");
    }
    add(&pn, 4, A_NORMAL, "Ground: %s", game_block_label(g, world_get_block(world, p->x, p->y - 1, p->z), b, sizeof b));
    add(&pn, 6, A_NORMAL, "Biome:  %s", ps->biome);
    /* What is wielded (the main hand) and the block that P places (chosen with B). */
    Err werr = {0};
    char held[64], wield[64], block[64];
    if (inventory_wielded(g, held, sizeof held, &werr) != MA_OK || !held[0])
        snprintf(wield, sizeof wield, "bare hands");
    else
        items_label(held, wield, sizeof wield);
    add(&pn, 2, A_NORMAL, "Wield:  %s", wield);
    add(&pn, 2, A_NORMAL, "Block:  %s",
        p->hand[0] ? items_title_words(inventory_items(g), p->hand, block, sizeof block) : "none (B)");

    if (ps->story_stale) {
        char was[sizeof ps->story];
        snprintf(was, sizeof was, "%s", ps->story);
        if (!story_focus_title(g, ps->story, sizeof ps->story)) {
            ps->story_place[0] = '\0';
        } else if (ps->story_place_stale || strcmp(was, ps->story) != 0 || abs(p->x - ps->story_place_at[0]) >= 4 ||
                   abs(p->z - ps->story_place_at[1]) >= 4 || ++ps->story_place_age >= STORY_PLACE_EVERY) {
            if (!story_focus_place(g, ps->story_place, sizeof ps->story_place))
                story_focus_home_far(g, ps->story_place, sizeof ps->story_place); /* "Wolfwick: E 199" */
            ps->story_place_at[0] = p->x;
            ps->story_place_at[1] = p->z;
            ps->story_place_age = ps->story_place_stale = 0;
        }
        ps->story_stale = 0;
    }
    if (ps->story[0]) {
        add(&pn, 3, term_role(ROLE_INFO), "Story (press s):");
        pn.l[pn.n - 1].group = 3;
        add(&pn, 3, term_role(ROLE_INFO), " %s", ps->story);
        pn.l[pn.n - 1].group = 3;
        if (ps->story_place[0]) {
            add_way(&pn, &ps->story_way, g, ps->story_place);
            pn.l[pn.n - 1].group = 3;
        }
    }

    refresh_quest(ps, g);
    if (ps->has_quest) {
        const QuestView *q = &ps->quest;
        blank(&pn);
        add(&pn, 3, term_role(ROLE_GOOD), "Quest: %s", q->title);
        const QuestObjectiveView *next = NULL;
        for (int i = 0; i < q->n_objectives && !next; i++)
            if (q->objectives[i].open)
                next = &q->objectives[i];
        int done = 1;
        for (int i = 0; i < q->n_objectives; i++)
            done &= q->objectives[i].done;
        if (next)
            add(&pn, 3, A_NORMAL, " %s %d/%d", next->text, next->count, next->target);
        if (next && next->place[0])
            add_way(&pn, &ps->quest_way, g, next->place);
        else if (done) {
            add(&pn, 3, term_role(ROLE_GOOD), " done: hand it in");
            if (q->giver_village[0]) /* the way back to the giver: "Greenbrook: E 105" */
                add_way(&pn, &ps->quest_way, g, q->giver_village);
        }
        if (wide || done)
            add(&pn, done ? 3 : 5, term_role(ROLE_DIM), " from %s", q->giver_name);
        if (q->turns_left >= 0) {
            char span[48];
            add(&pn, 4, term_role(ROLE_WARN), " %s left", calendar_span(q->turns_left, span, sizeof span));
        }
    }

    blank(&pn);
    if (seen->n == 0) {
        add(&pn, 6, term_role(ROLE_DIM), "No one in view.");
    } else {
        const Seen *h = panel_first_hostile(seen);
        add(&pn, h ? 1 : 4, h ? term_role(ROLE_BAD) | A_BOLD : A_BOLD, "%s", h ? "In view (hostile!):" : "In view:");
        for (int i = 0; i < seen->n; i++) {
            const Seen *s = &seen->v[i];
            int prio = s->kind == SEEN_CREATURE ? (s->hostile ? (i < 3 ? 1 : 3) : 4) : s->kind == SEEN_VILLAGER ? 5 : 6;
            seen_line(&pn, s, w, prio);
        }
        if (seen->total > seen->n)
            add(&pn, 6, term_role(ROLE_DIM), " and %d more", seen->total - seen->n);
    }
    add(&pn, 9, term_role(ROLE_DIM), "? help  Q quit");

    fit(&pn, rows);
    int y = 0;
    for (int i = 0; i < pn.n && y < rows; i++) {
        const PLine *l = &pn.l[i];
        if (!l->shown)
            continue;
        /* The help line sits at the bottom when there is room. */
        if (i == pn.n - 1 && l->prio == 9)
            y = rows - 1;
        if (l->mm_row >= 0) {
            draw_minimap_row(ps, g, seen, y, x + 1, w - 2, l->mm_row, MM_ROWS);
        } else {
            attrset(l->attr);
            term_put(y, x + 1, w - 1, l->text);
            attrset(A_NORMAL);
        }
        y++;
    }
}
