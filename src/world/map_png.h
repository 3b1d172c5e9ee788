/* map_png.h — a top-down picture of the world as a PNG (libpng).
 *
 * For people who would rather look than read: one pixel (or scale×scale
 * pixels) per block column. The surface view colours each column by its top
 * block (BlockDef.rgb), hill-shaded from its neighbours' heights and
 * lightened with altitude; water is tinted by its depth. The level view
 * shows the blocks at one y the way render_slice sees them (open cells show
 * what lies below, darker with depth). */
#ifndef MA_WORLD_MAP_PNG_H
#define MA_WORLD_MAP_PNG_H

#include <stdint.h>

#include "util/err.h"
#include "world/world.h"

/* Limits, so that a typo does not ask for a gigapixel image. */
#define MAP_PNG_MAX_RADIUS 64
#define MAP_PNG_MAX_SCALE 16
#define MAP_PNG_MAX_PIXELS 16384 /* per side */

/* The image side in pixels for a radius and scale: (2r+1)*16*scale. */
int map_png_side(int radius_chunks, int scale);

/* Writes the map of the chunk columns within radius_chunks of the chunk
 * holding (center_x, center_z) to path: the surface when y < 0, else level
 * y. Chunks come from the world (loaded or generated). The file is written
 * to a temporary name beside path and renamed, so path is either the old
 * file or the whole new picture. Returns MA_OK or an error naming the file. */
int map_png_write(World *w, const char *path, int32_t center_x, int32_t center_z, int radius_chunks, int y,
                  int scale, Err *err);

#endif
