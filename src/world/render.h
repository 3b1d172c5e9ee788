/* render.h — the world as a grid of glyph cells, for the text client and
 * the `render` command.
 *
 * render_slice draws a top-down slice at one level: a block at that level
 * draws bright (depth 0); an open cell (air, or a see-through block with a
 * blank glyph) looks down up to RENDER_LOOK_DOWN levels and shows the first
 * block it meets with depth = how many levels below that is. Water, lava
 * and plants are blocks like any other and draw as themselves. Entities of
 * the chunks (npc, creature, item) draw on top. render_section does the same
 * for an upright x–y cut at fixed z, looking north (toward smaller z).
 *
 * The grid only says what is there; render_to_text (or the ncurses client)
 * decides how it looks. Nothing here prints. */
#ifndef MA_WORLD_RENDER_H
#define MA_WORLD_RENDER_H

#include <stdint.h>

#include "util/err.h"
#include "world/blocks.h"
#include "world/world.h"

/* How far an open cell looks down (or, in a section, behind). */
#define RENDER_LOOK_DOWN 8
/* depth of a cell that found nothing within RENDER_LOOK_DOWN levels. */
#define RENDER_DEPTH_NONE (RENDER_LOOK_DOWN + 1)

typedef struct RenderCell {
    char ascii;        /* printable ASCII glyph */
    char utf8[8];      /* one UTF-8 character, NUL-terminated */
    uint8_t color256;  /* xterm-256 foreground of the thing shown (undimmed) */
    uint8_t color8;    /* 0..7 basic foreground */
    uint8_t depth;     /* 0: solid at this level (bright); 1..8: levels below (dimmer); RENDER_DEPTH_NONE: nothing */
    uint8_t is_entity; /* the glyph is an entity standing there */
    BlockId block;     /* the block shown (under the entity, when there is one) */
    uint8_t unseen;    /* render_slice_seen: a block inside the rock, drawn as stone whatever it is */
} RenderCell;

/* True when sight passes through the block: air, and see-through blocks
 * whose glyph is blank. Glass and leaves have glyphs, so they are drawn. */
int render_block_is_open(const BlockDef *def);

/* Fills width*height cells (row-major, row 0 north = smallest z, column 0
 * west = smallest x) with the slice at level y centred on (x, z): cell
 * (col, row) is world (x - width/2 + col, z - height/2 + row). Chunks come
 * from the world (loaded or generated), each fetched once. Returns MA_OK, or
 * an error when a chunk cannot be loaded. */
int render_slice(World *w, int32_t x, int32_t y, int32_t z, int width, int height, RenderCell *cells, Err *err);

/* As render_slice, as the player sees the level: a block at the level (depth 0) with nothing
 * open beside it at that level (its four neighbours) nor above it is inside the rock, and is
 * drawn as stone whatever it is (unseen = 1, block still the real one): ores show where a
 * tunnel, a cave or the open sky reaches them, not through the rock. The developers' views
 * (`render`, `map`) use render_slice and show everything. */
int render_slice_seen(World *w, int32_t x, int32_t y, int32_t z, int width, int height, RenderCell *cells, Err *err);

/* Fills width*height cells with the upright cut at z centred on (x, y):
 * cell (col, row) is world (x - width/2 + col, y + height/2 - row, z), row 0
 * the highest. Open cells look north (z-1, z-2, ...). */
int render_section(World *w, int32_t x, int32_t y, int32_t z, int width, int height, RenderCell *cells,
                   Err *err);
/* As render_section, as the player sees the cut: a block in it with nothing open beside it in
 * the cut nor in front of it (south, toward the viewer) is drawn as stone (unseen = 1). */
int render_section_seen(World *w, int32_t x, int32_t y, int32_t z, int width, int height, RenderCell *cells,
                        Err *err);

enum RenderColor {
    RENDER_COLOR_NONE = 0,
    RENDER_COLOR_8 = 1,   /* 8 colours; bold at depth 0, dim attribute further down */
    RENDER_COLOR_256 = 2, /* xterm-256, fading toward grey with depth */
};

/* The cells as text: h lines of w glyphs, each ending in '\n'. utf8 picks
 * the Unicode glyphs over the ASCII ones; color is a RenderColor (ANSI
 * escapes, reset at the end of each line). Returns a heap string the caller
 * frees, or NULL when out of memory. */
char *render_to_text(const RenderCell *cells, int w, int h, int utf8, int color);

/* The xterm-256 colour for `color256` seen `depth` levels down: the same
 * colour at depth 0, blended toward dark grey below. */
uint8_t render_dim256(uint8_t color256, int depth);

#endif
