/* map_png.c — the world as a PNG: first a colour per block column (surface
 * heights and hill-shading, or a level through render_slice), then the
 * rows scaled up and written by libpng to a temporary file that is renamed
 * into place. */
#include "world/map_png.h"

#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <png.h>

#include "world/render.h"

int map_png_side(int radius_chunks, int scale)
{
    return (2 * radius_chunks + 1) * CHUNK_SIZE * scale;
}

static uint8_t clamp8(double v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5);
}

/* What the surface pass learns about one column. */
typedef struct Column {
    int16_t height;   /* y of the top block that is not open; -1: none */
    BlockId top;      /* that block */
    BlockId floor;    /* under a liquid: the first block that is not liquid */
    uint8_t depth;    /* liquid blocks from the top down (capped) */
    uint8_t state;    /* 0 looking for the top, 1 counting liquid, 2 done */
} Column;

#define WATER_DEPTH_MAX 24

/* Fills cols (side*side, row-major by z then x) for the chunk columns of
 * the area, scanning each from the top chunk down until every column has
 * found its surface and the bottom of any water on it. */
static int surface_scan(World *w, int32_t x0, int32_t z0, int side, Column *cols, Err *err)
{
    const BlockRegistry *reg = world_blocks(w);
    uint8_t open[BLOCKS_MAX], liquid[BLOCKS_MAX];
    for (int i = 0; i < BLOCKS_MAX; i++) {
        const BlockDef *d = blocks_get(reg, (BlockId)i);
        open[i] = (uint8_t)render_block_is_open(d);
        liquid[i] = (uint8_t)d->liquid;
    }
    for (int i = 0; i < side * side; i++)
        cols[i] = (Column){.height = -1, .top = BLOCK_AIR, .floor = BLOCK_AIR, .depth = 0, .state = 0};
    int nchunks = side / CHUNK_SIZE;
    for (int ccz = 0; ccz < nchunks; ccz++) {
        for (int ccx = 0; ccx < nchunks; ccx++) {
            int32_t cx = chunk_coord(x0) + ccx, cz = chunk_coord(z0) + ccz;
            int left = CHUNK_SIZE * CHUNK_SIZE, in_liquid = 0;
            for (int cy = WORLD_CHUNKS_Y - 1; cy >= 0 && left > 0; cy--) {
                Err e2 = {0};
                Chunk *c = world_chunk(w, cx, cy, cz, &e2);
                if (!c) {
                    if (err)
                        *err = e2;
                    return e2.code ? e2.code : MA_ERR_INVALID;
                }
                if (!c->blocks && open[c->uniform] && !in_liquid)
                    continue; /* nothing in this chunk changes any column's state */
                for (int lz = 0; lz < CHUNK_SIZE; lz++) {
                    for (int lx = 0; lx < CHUNK_SIZE; lx++) {
                        Column *col = &cols[(size_t)(ccz * CHUNK_SIZE + lz) * (size_t)side +
                                            (size_t)(ccx * CHUNK_SIZE + lx)];
                        for (int ly = CHUNK_SIZE - 1; ly >= 0 && col->state < 2; ly--) {
                            BlockId id = chunk_get(c, lx, ly, lz);
                            if (col->state == 0) {
                                if (open[id])
                                    continue;
                                col->height = (int16_t)(cy * CHUNK_SIZE + ly);
                                col->top = id;
                                col->state = liquid[id] ? 1 : 2;
                                col->depth = liquid[id] ? 1 : 0;
                                in_liquid += liquid[id];
                            } else if (liquid[id] && col->depth < WATER_DEPTH_MAX) {
                                col->depth++;
                            } else {
                                col->floor = id;
                                col->state = 2;
                                in_liquid--;
                            }
                        }
                        if (col->state == 2) {
                            col->state = 3; /* counted once */
                            left--;
                        }
                    }
                }
            }
        }
    }
    return MA_OK;
}

static double height_at(const Column *cols, int side, int x, int z)
{
    x = x < 0 ? 0 : x >= side ? side - 1 : x;
    z = z < 0 ? 0 : z >= side ? side - 1 : z;
    const Column *c = &cols[(size_t)z * (size_t)side + (size_t)x];
    return c->height < 0 ? 0 : c->height;
}

static void surface_colors(const BlockRegistry *reg, const Column *cols, int side, uint8_t *rgb)
{
    for (int z = 0; z < side; z++) {
        for (int x = 0; x < side; x++) {
            const Column *c = &cols[(size_t)z * (size_t)side + (size_t)x];
            uint8_t *px = &rgb[((size_t)z * (size_t)side + (size_t)x) * 3];
            if (c->height < 0) {
                px[0] = px[1] = px[2] = 16;
                continue;
            }
            const BlockDef *top = blocks_get(reg, c->top);
            double col[3] = {top->rgb[0], top->rgb[1], top->rgb[2]};
            if (c->depth > 0) {
                /* Shallow water shows its floor; deep water darkens. */
                const BlockDef *fl = blocks_get(reg, c->floor);
                double see = c->depth >= 6 ? 0 : 0.55 * (6 - c->depth) / 5.0;
                double dark = 1.0 - 0.035 * (c->depth > 14 ? 14 : c->depth);
                for (int k = 0; k < 3; k++)
                    col[k] = (col[k] * (1 - see) + fl->rgb[k] * see) * dark;
            } else {
                /* Light from the north-west: slopes facing it brighten. */
                double dx = height_at(cols, side, x - 1, z) - height_at(cols, side, x + 1, z);
                double dz = height_at(cols, side, x, z - 1) - height_at(cols, side, x, z + 1);
                double shade = 1.0 - 0.09 * (dx + dz);
                shade = shade < 0.55 ? 0.55 : shade > 1.45 ? 1.45 : shade;
                double alt = 0.85 + 0.3 * (c->height - SEA_LEVEL + 20) / 100.0;
                alt = alt < 0.75 ? 0.75 : alt > 1.25 ? 1.25 : alt;
                for (int k = 0; k < 3; k++)
                    col[k] *= shade * alt;
            }
            for (int k = 0; k < 3; k++)
                px[k] = clamp8(col[k]);
        }
    }
}

/* A level: render_slice strip by strip (one chunk row at a time). */
static int level_colors(World *w, int32_t x0, int32_t z0, int side, int y, uint8_t *rgb, Err *err)
{
    const BlockRegistry *reg = world_blocks(w);
    RenderCell *cells = malloc((size_t)side * CHUNK_SIZE * sizeof *cells);
    if (!cells)
        return err_set(err, MA_ERR_NOMEM, "map: out of memory");
    for (int strip = 0; strip < side / CHUNK_SIZE; strip++) {
        int32_t zs = z0 + strip * CHUNK_SIZE;
        int rc = render_slice(w, x0 + side / 2, y, zs + CHUNK_SIZE / 2, side, CHUNK_SIZE, cells, err);
        if (rc != MA_OK) {
            free(cells);
            return rc;
        }
        for (int r = 0; r < CHUNK_SIZE; r++) {
            for (int x = 0; x < side; x++) {
                const RenderCell *c = &cells[(size_t)r * (size_t)side + (size_t)x];
                uint8_t *px = &rgb[((size_t)(strip * CHUNK_SIZE + r) * (size_t)side + (size_t)x) * 3];
                if (c->depth == RENDER_DEPTH_NONE) {
                    px[0] = px[1] = px[2] = 16;
                    continue;
                }
                const BlockDef *d = blocks_get(reg, c->block);
                double f = 1.0 - 0.08 * c->depth;
                for (int k = 0; k < 3; k++)
                    px[k] = clamp8(d->rgb[k] * f + 24 * (1 - f));
            }
        }
    }
    free(cells);
    return MA_OK;
}

typedef struct PngJob {
    FILE *f;
    const uint8_t *rgb; /* side*side*3 */
    int side, scale;
    png_bytep row;      /* side*scale*3 */
    char msg[256];
} PngJob;

static void png_error_fn(png_structp png, png_const_charp msg)
{
    PngJob *job = png_get_error_ptr(png);
    snprintf(job->msg, sizeof job->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void png_warning_fn(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* Whether path holds something that is not a picture (the save itself, given as --out by mistake,
 * or any other file): refused with err set, as a map only ever replaces an earlier map (a PNG)
 * or an empty file. */
static int replaces_other(const char *path, Err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0; /* nothing there (or not reachable: the write says why) */
    if (!S_ISREG(st.st_mode)) {
        err_set(err, MA_ERR_INVALID, "map: %s is not a file; give --out FILE.png", path);
        return 1;
    }
    if (st.st_size == 0)
        return 0;
    unsigned char head[8] = {0};
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    if (n == sizeof head && memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0)
        return 0;
    err_set(err, MA_ERR_INVALID, "map: %s already exists and is not a PNG picture; not replacing it (give another --out)",
            path);
    return 1;
}

/* Writes the scaled image; 0 on success, else job->msg says why. Kept
 * apart so that nothing live across setjmp changes after it. */
static int png_emit(PngJob *job)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, job, png_error_fn, png_warning_fn);
    if (!png) {
        snprintf(job->msg, sizeof job->msg, "out of memory");
        return -1;
    }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        snprintf(job->msg, sizeof job->msg, "out of memory");
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return -1;
    }
    png_init_io(png, job->f);
    png_uint_32 px = (png_uint_32)job->side * (png_uint_32)job->scale;
    png_set_IHDR(png, info, px, px, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, 6);
    png_write_info(png, info);
    for (int z = 0; z < job->side; z++) {
        const uint8_t *src = &job->rgb[(size_t)z * (size_t)job->side * 3];
        for (int x = 0; x < job->side; x++)
            for (int s = 0; s < job->scale; s++)
                memcpy(&job->row[((size_t)x * (size_t)job->scale + (size_t)s) * 3], &src[(size_t)x * 3], 3);
        for (int s = 0; s < job->scale; s++)
            png_write_row(png, job->row);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return 0;
}

int map_png_write(World *w, const char *path, int32_t center_x, int32_t center_z, int radius_chunks, int y,
                  int scale, Err *err)
{
    if (radius_chunks < 0 || radius_chunks > MAP_PNG_MAX_RADIUS)
        return err_set(err, MA_ERR_INVALID, "map: radius %d is outside 0..%d chunks", radius_chunks,
                       MAP_PNG_MAX_RADIUS);
    if (scale < 1 || scale > MAP_PNG_MAX_SCALE)
        return err_set(err, MA_ERR_INVALID, "map: scale %d is outside 1..%d", scale, MAP_PNG_MAX_SCALE);
    if (map_png_side(radius_chunks, scale) > MAP_PNG_MAX_PIXELS)
        return err_set(err, MA_ERR_INVALID, "map: a radius of %d chunks at scale %d is %d pixels a side, over %d",
                       radius_chunks, scale, map_png_side(radius_chunks, scale), MAP_PNG_MAX_PIXELS);
    if (y >= WORLD_HEIGHT)
        return err_set(err, MA_ERR_INVALID, "map: level %d is above the world (0..%d)", y, WORLD_HEIGHT - 1);
    if (replaces_other(path, err))
        return err->code;
    int side = (2 * radius_chunks + 1) * CHUNK_SIZE;
    int32_t x0 = (chunk_coord(center_x) - radius_chunks) * CHUNK_SIZE;
    int32_t z0 = (chunk_coord(center_z) - radius_chunks) * CHUNK_SIZE;
    int rc = MA_OK;
    char *tmp = NULL;
    int fd = -1;
    PngJob job = {0};
    Column *cols = NULL;
    uint8_t *rgb = malloc((size_t)side * (size_t)side * 3);
    job.row = malloc((size_t)side * (size_t)scale * 3);
    if (!rgb || !job.row) {
        rc = err_set(err, MA_ERR_NOMEM, "map: out of memory");
        goto cleanup;
    }
    if (y < 0) {
        cols = malloc((size_t)side * (size_t)side * sizeof *cols);
        if (!cols) {
            rc = err_set(err, MA_ERR_NOMEM, "map: out of memory");
            goto cleanup;
        }
        if ((rc = surface_scan(w, x0, z0, side, cols, err)) != MA_OK)
            goto cleanup;
        surface_colors(world_blocks(w), cols, side, rgb);
    } else if ((rc = level_colors(w, x0, z0, side, y, rgb, err)) != MA_OK) {
        goto cleanup;
    }

    size_t tlen = strlen(path) + 16;
    tmp = malloc(tlen);
    if (!tmp) {
        rc = err_set(err, MA_ERR_NOMEM, "map: out of memory");
        goto cleanup;
    }
    snprintf(tmp, tlen, "%s.tmpXXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0) {
        rc = err_set(err, MA_ERR_IO, "map: cannot write %s: %s", path, strerror(errno));
        goto cleanup;
    }
    /* mkstemp makes the file for its owner alone; a picture is made as any other file is (0666
     * less the umask), keeping the mode of the picture it replaces. */
    struct stat st;
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, stat(path, &st) == 0 ? st.st_mode & 07777 : 0666 & ~mask) != 0) {
        rc = err_set(err, MA_ERR_IO, "map: cannot write %s: %s", path, strerror(errno));
        goto cleanup;
    }
    job.f = fdopen(fd, "wb");
    if (!job.f) {
        rc = err_set(err, MA_ERR_IO, "map: cannot write %s: %s", path, strerror(errno));
        goto cleanup;
    }
    fd = -1;
    job.rgb = rgb;
    job.side = side;
    job.scale = scale;
    if (png_emit(&job) != 0) {
        rc = err_set(err, MA_ERR_IO, "map: writing %s: %s", path, job.msg);
        goto cleanup;
    }
    int close_failed = fflush(job.f) != 0 || fsync(fileno(job.f)) != 0;
    close_failed |= fclose(job.f) != 0;
    job.f = NULL;
    if (close_failed) {
        rc = err_set(err, MA_ERR_IO, "map: writing %s: %s", path, strerror(errno));
        goto cleanup;
    }
    if (rename(tmp, path) != 0) {
        rc = err_set(err, MA_ERR_IO, "map: cannot replace %s: %s", path, strerror(errno));
        goto cleanup;
    }
    free(tmp);
    tmp = NULL;
cleanup:
    if (job.f)
        fclose(job.f);
    if (fd >= 0)
        close(fd);
    if (tmp) {
        unlink(tmp);
        free(tmp);
    }
    free(cols);
    free(rgb);
    free(job.row);
    return rc;
}
