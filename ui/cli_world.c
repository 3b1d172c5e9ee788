/* cli_world.c — the commands for looking at and making worlds: world
 * create/list, render, map, chunk, pregen. Developers' tools: each opens
 * the save read-only unless it writes (world create, pregen), opens the
 * world through the core (src/world/world.h) and prints what the core
 * returns. */
#include "cli.h"

#include "launch.h"

#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "save/chunks.h"
#include "save/worlds.h"
#include "world/blocks.h"
#include "world/chunk_codec.h"
#include "world/generator.h"
#include "world/map_png.h"
#include "world/render.h"
#include "world/world.h"

/* Coordinates the tools accept: far enough for any walk, small enough that
 * chunk arithmetic never overflows. */
#define COORD_LIMIT 1000000000LL

/* A save, the block registry and one open world. */
typedef struct WorldSession {
    Save *save;
    BlockRegistry *reg;
    World *world;
    char at_path[4300]; /* --at: the temporary copy, removed on close */
} WorldSession;

static void session_close(WorldSession *ws)
{
    if (ws->world)
        world_close(ws->world);
    if (ws->save)
        save_close(ws->save);
    if (ws->reg)
        blocks_free(ws->reg);
    cli_world_at_done(ws->at_path);
    memset(ws, 0, sizeof *ws);
}

/* Opens the save (flags as save_open), the registry and the world `name`.
 * Prints the reason and returns CLI_FAIL when any of them cannot be had. */
static int session_open(const CliCtx *ctx, const char *name, int flags, WorldSession *ws)
{
    Err err = {0};
    memset(ws, 0, sizeof *ws);
    ws->save = cli_open_save(ctx, flags);
    if (!ws->save)
        return CLI_FAIL;
    WorldRow row = {0};
    if (worlds_get_by_name(ws->save, name, &row, &err) != MA_OK) {
        if (err.code == MA_ERR_NOT_FOUND)
            fprintf(stderr, "magic-adventure: %s: there is no world named '%s' (`world list` shows them)\n",
                    ctx->save_path, cli_safe(name));
        else
            cli_fail(&err);
        session_close(ws);
        return CLI_FAIL;
    }
    world_row_clear(&row);
    if (blocks_load_default(&ws->reg, &err) != MA_OK || world_open(ws->save, ws->reg, name, 0, 0, &ws->world, &err) != MA_OK) {
        cli_fail(&err);
        session_close(ws);
        return CLI_FAIL;
    }
    return CLI_OK;
}

/* Parses a coordinate option value; prints the usage error itself. */
/* --at ID: 0 when not given, CLI_USAGE when not an entry id. */
static int at_option(const CliCtx *ctx, long long *at)
{
    const char *v = cli_opt(ctx, "at");
    if (v && (cli_parse_i64(v, at) || *at < 0))
        return cli_usage_error(ctx, "--at takes an evolution entry id (0: before any agent acted)");
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- world create / world list ---- */

static int world_create_cmd(CliCtx *ctx)
{
    long long seed = 0;
    int have_seed = cli_opt_int(ctx, "seed", LLONG_MIN, LLONG_MAX, &seed);
    if (have_seed == CLI_USAGE)
        return CLI_USAGE;
    const char *type = cli_opt(ctx, "type") ? cli_opt(ctx, "type") : "normal";
    if (ctx->argc != 2)
        return cli_usage_error(ctx, "takes one NAME");
    const char *name = ctx->argv[1];
    size_t len = strlen(name);
    if (len == 0 || len > 64)
        return cli_usage_error(ctx, "a world's name is 1 to 64 bytes (this one is %zu)", len);
    if (!have_seed)
        seed = (long long)launch_random_seed();

    Err err = {0};
    BlockRegistry *reg = NULL;
    Generator *gen = NULL;
    if (blocks_load_default(&reg, &err) != MA_OK)
        return cli_fail(&err);
    if (generator_new(reg, (uint64_t)seed, type, GENERATOR_VERSION, &gen, &err) != MA_OK) {
        blocks_free(reg);
        return cli_usage_error(ctx, "world type '%s' is not known: %s", type, err.msg);
    }
    generator_free(gen);
    blocks_free(reg);

    Save *s = cli_open_save(ctx, SAVE_CREATE);
    if (!s)
        return CLI_FAIL;
    WorldRow row = {0};
    if (worlds_get_by_name(s, name, &row, &err) == MA_OK) {
        fprintf(stderr, "magic-adventure: %s: a world named '%s' already exists (id %lld, seed %lld); choose another name\n",
                ctx->save_path, cli_safe(name), (long long)row.id, (long long)row.seed);
        world_row_clear(&row);
        save_close(s);
        return CLI_FAIL;
    }
    int64_t id = 0;
    int rc = world_create(s, name, (uint64_t)seed, type, &id, &err);
    save_close(s);
    if (rc != MA_OK)
        return cli_fail(&err);
    printf("created world '%s' in %s: id %lld, seed %lld, type %s, generator version %d\n", cli_safe(name),
           ctx->save_path, (long long)id, seed, type, GENERATOR_VERSION);
    return CLI_OK;
}

static int world_list_cmd(CliCtx *ctx)
{
    Save *s = cli_open_save(ctx, SAVE_READONLY);
    if (!s)
        return CLI_FAIL;
    Err err = {0};
    WorldRow *rows = NULL;
    int n = 0;
    if (worlds_list(s, &rows, &n, &err) != MA_OK) {
        save_close(s);
        return cli_fail(&err);
    }
    if (n == 0) {
        printf("no worlds in %s yet (create one with `world create NAME`)\n", ctx->save_path);
    } else {
        printf("%-4s %-20s %-20s %-8s %-9s %10s %10s\n", "id", "name", "seed", "type", "generator", "chunks",
               "characters");
        for (int i = 0; i < n; i++) {
            int64_t chunks = 0, chars = 0;
            if (worlds_counts(s, rows[i].id, &chunks, &chars, &err) != MA_OK) {
                worlds_list_free(rows, n);
                save_close(s);
                return cli_fail(&err);
            }
            /* The generator version the world keeps making chunks with ("?": a damaged setting). */
            int version;
            char gen[16] = "?";
            if (world_settings_generator_version(rows[i].settings, &version))
                snprintf(gen, sizeof gen, "%d", version);
            printf("%-4lld %-20s %-20lld %-8s %-9s %10lld %10lld\n", (long long)rows[i].id, cli_safe(rows[i].name),
                   (long long)rows[i].seed, cli_safe(rows[i].world_type), gen, (long long)chunks, (long long)chars);
        }
    }
    worlds_list_free(rows, n);
    save_close(s);
    return CLI_OK;
}

/* ---- render ---- */

static int locale_is_utf8(void)
{
    setlocale(LC_CTYPE, "");
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

static int auto_palette(void)
{
    const char *term = getenv("TERM");
    const char *ct = getenv("COLORTERM");
    return (term && strstr(term, "256")) || (ct && *ct) ? RENDER_COLOR_256 : RENDER_COLOR_8;
}

typedef struct LegendEntry {
    const char *glyph;
    const char *name;
    int count;
} LegendEntry;

static int legend_cmp(const void *a, const void *b)
{
    const LegendEntry *x = a, *y = b;
    if (x->count != y->count)
        return y->count - x->count;
    return strcmp(x->name, y->name);
}

/* One line: the rectangle shown, what is at the centre, and the glyphs
 * seen most often with their names. */
static void print_footer(World *w, const RenderCell *cells, int width, int height, int utf8, int color, int section,
                         long long x, long long y, long long z)
{
    const BlockRegistry *reg = world_blocks(w);
    LegendEntry entries[BLOCKS_MAX + 4];
    int n = 0;
    static const char *const entity_names[][2] = {{"V", "npc"}, {"c", "creature"}, {"$", "item"}, {"?", "entity"}};
    int block_seen[BLOCKS_MAX] = {0}, entity_seen[4] = {0};
    for (int i = 0; i < width * height; i++) {
        const RenderCell *c = &cells[i];
        if (c->is_entity) {
            int k = c->ascii == 'V' ? 0 : c->ascii == 'c' ? 1 : c->ascii == '$' ? 2 : 3;
            entity_seen[k]++;
        } else if (c->depth != RENDER_DEPTH_NONE) {
            block_seen[c->block]++;
        }
    }
    for (int b = 0; b < BLOCKS_MAX; b++) {
        if (!block_seen[b])
            continue;
        const BlockDef *d = blocks_get(reg, (BlockId)b);
        static char ascii[BLOCKS_MAX][2];
        ascii[b][0] = d->glyph_ascii;
        ascii[b][1] = '\0';
        entries[n++] = (LegendEntry){utf8 ? d->glyph_utf8 : ascii[b], d->name, block_seen[b]};
    }
    for (int k = 0; k < 4; k++)
        if (entity_seen[k]) /* entities first: few, and the reason to look */
            entries[n++] = (LegendEntry){entity_names[k][0], entity_names[k][1], 1 << 30};
    qsort(entries, (size_t)n, sizeof entries[0], legend_cmp);
    if (section)
        printf("x %lld..%lld, y %lld..%lld at z %lld (looking north)", x - width / 2, x - width / 2 + width - 1,
               y + height / 2 - height + 1, y + height / 2, z);
    else
        printf("x %lld..%lld, z %lld..%lld at y %lld", x - width / 2, x - width / 2 + width - 1, z - height / 2,
               z - height / 2 + height - 1, y);
    printf(" | centre %lld,%lld,%lld: %s, %s |", x, y, z,
           blocks_get(reg, world_get_block(w, (int32_t)x, (int32_t)y, (int32_t)z))->name,
           biome_name(generator_biome(world_generator(w), (int32_t)x, (int32_t)z)));
    for (int i = 0; i < n && i < 9; i++)
        printf(" %s %s", entries[i].glyph, entries[i].name);
    /* Depth is drawn only with colour (or bold and dim): without it, say so rather than promise it. */
    printf("%s\n", color ? " | dimmer = deeper" : " | depth not shown without colour (--color=8 or 256)");
}

static void terminal_size(int *w, int *h)
{
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 2) {
        *w = ws.ws_col;
        *h = ws.ws_row - 2;
    } else {
        *w = 80;
        *h = 24;
    }
}

static int cmd_render(CliCtx *ctx)
{
    const char *name = cli_opt(ctx, "world"), *col = cli_opt(ctx, "color");
    long long x = 0, y = 0, z = 0, width = 0, height = 0, at = -1;
    int have_x, have_y, have_z, color = -1;
    int ascii = cli_flag(ctx, "ascii") > 0, section = cli_flag(ctx, "section") > 0;
    if ((have_x = cli_opt_int(ctx, "x", -COORD_LIMIT, COORD_LIMIT, &x)) == CLI_USAGE ||
        (have_y = cli_opt_int(ctx, "y", 0, WORLD_HEIGHT - 1, &y)) == CLI_USAGE ||
        (have_z = cli_opt_int(ctx, "z", -COORD_LIMIT, COORD_LIMIT, &z)) == CLI_USAGE ||
        cli_opt_int(ctx, "width", 1, 2000, &width) == CLI_USAGE ||
        cli_opt_int(ctx, "height", 1, 2000, &height) == CLI_USAGE || at_option(ctx, &at) == CLI_USAGE)
        return CLI_USAGE;
    if (!col)
        ;
    else if (!col[0] || strcmp(col, "256") == 0)
        color = RENDER_COLOR_256;
    else if (strcmp(col, "8") == 0)
        color = RENDER_COLOR_8;
    else if (strcmp(col, "none") == 0 || strcmp(col, "never") == 0)
        color = RENDER_COLOR_NONE;
    else
        return cli_usage_error(ctx, "--color takes 256, 8 or none, not '%s'", col);
    if (!name)
        return cli_usage_error(ctx, "which world? Give --world NAME");
    if (color < 0)    if (!name)
        return cli_usage_error(ctx, "which world? Give --world NAME");
    if (color < 0)
        color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR") ? auto_palette() : RENDER_COLOR_NONE;
    int utf8 = !ascii && locale_is_utf8();
    int tw, th;
    terminal_size(&tw, &th);
    if (!width)
        width = tw;
    if (!height)
        height = th;

    /* --at: the world as it was just after that entry, from a copy with every later change undone. */
    CliCtx at_ctx = *ctx;
    char at_path[4300] = "";
    if (at >= 0) {
        if (cli_world_at(ctx, name, at, at_path, sizeof at_path) != CLI_OK)
            return CLI_FAIL;
        at_ctx.save_path = at_path;
        ctx = &at_ctx;
    }
    WorldSession ws;
    if (session_open(ctx, name, SAVE_READONLY, &ws) != CLI_OK) {
        cli_world_at_done(at_path);
        return CLI_FAIL;
    }
    snprintf(ws.at_path, sizeof ws.at_path, "%s", at_path);
    if (!have_x || !have_y || !have_z) {
        int32_t sx, sy, sz;
        generator_spawn_point(world_generator(ws.world), &sx, &sy, &sz);
        x = have_x ? x : sx;
        y = have_y ? y : sy;
        z = have_z ? z : sz;
    }
    Err err = {0};
    RenderCell *cells = malloc((size_t)width * (size_t)height * sizeof *cells);
    if (!cells) {
        session_close(&ws);
        err_set(&err, MA_ERR_NOMEM, "out of memory");
        return cli_fail(&err);
    }
    int rc = world_batch_begin(ws.world, &err);
    if (rc == MA_OK) {
        rc = section ? render_section(ws.world, (int32_t)x, (int32_t)y, (int32_t)z, (int)width, (int)height, cells, &err)
                     : render_slice(ws.world, (int32_t)x, (int32_t)y, (int32_t)z, (int)width, (int)height, cells, &err);
        Err e2 = {0};
        if (world_batch_end(ws.world, &e2) != MA_OK && rc == MA_OK) {
            rc = e2.code;
            err = e2;
        }
    }
    if (rc != MA_OK) {
        free(cells);
        session_close(&ws);
        return cli_fail(&err);
    }
    char *text = render_to_text(cells, (int)width, (int)height, utf8, color);
    if (!text) {
        free(cells);
        session_close(&ws);
        err_set(&err, MA_ERR_NOMEM, "out of memory");
        return cli_fail(&err);
    }
    fputs(text, stdout);
    print_footer(ws.world, cells, (int)width, (int)height, utf8, color, section, x, y, z);
    free(text);
    free(cells);
    session_close(&ws);
    return CLI_OK;
}

/* ---- map ---- */

static int cmd_map(CliCtx *ctx)
{
    const char *name = cli_opt(ctx, "world"), *out = cli_opt(ctx, "out");
    long long radius = 4, y = -1, scale = 1, x = 0, z = 0, at = -1;
    int have_x, have_z;
    if (cli_opt_int(ctx, "radius", 0, MAP_PNG_MAX_RADIUS, &radius) == CLI_USAGE ||
        cli_opt_int(ctx, "y", 0, WORLD_HEIGHT - 1, &y) == CLI_USAGE ||
        cli_opt_int(ctx, "scale", 1, MAP_PNG_MAX_SCALE, &scale) == CLI_USAGE ||
        (have_x = cli_opt_int(ctx, "x", -COORD_LIMIT, COORD_LIMIT, &x)) == CLI_USAGE ||
        (have_z = cli_opt_int(ctx, "z", -COORD_LIMIT, COORD_LIMIT, &z)) == CLI_USAGE || at_option(ctx, &at) == CLI_USAGE)
        return CLI_USAGE;
    if (!name)
        return cli_usage_error(ctx, "which world? Give --world NAME");
    if (!out || !*out)    if (!name)
        return cli_usage_error(ctx, "which world? Give --world NAME");
    if (!out || !*out)
        return cli_usage_error(ctx, "where to? Give --out FILE.png");
    int side = map_png_side((int)radius, (int)scale);
    if (side > MAP_PNG_MAX_PIXELS)
        return cli_usage_error(ctx, "--radius %lld at --scale %lld makes a %d-pixel image; at most %d a side",
                               radius, scale, side, MAP_PNG_MAX_PIXELS);

    CliCtx at_ctx = *ctx;
    char at_path[4300] = "";
    if (at >= 0) {
        if (cli_world_at(ctx, name, at, at_path, sizeof at_path) != CLI_OK)
            return CLI_FAIL;
        at_ctx.save_path = at_path;
        ctx = &at_ctx;
    }
    WorldSession ws;
    if (session_open(ctx, name, SAVE_READONLY, &ws) != CLI_OK) {
        cli_world_at_done(at_path);
        return CLI_FAIL;
    }
    snprintf(ws.at_path, sizeof ws.at_path, "%s", at_path);
    if (!have_x || !have_z) {
        int32_t sx, sy, sz;
        generator_spawn_point(world_generator(ws.world), &sx, &sy, &sz);
        x = have_x ? x : sx;
        z = have_z ? z : sz;
    }
    Err err = {0};
    double t0 = now_seconds();
    int rc = world_batch_begin(ws.world, &err);
    if (rc == MA_OK) {
        rc = map_png_write(ws.world, out, (int32_t)x, (int32_t)z, (int)radius, (int)y, (int)scale, &err);
        Err e2 = {0};
        if (world_batch_end(ws.world, &e2) != MA_OK && rc == MA_OK) {
            rc = e2.code;
            err = e2;
        }
    }
    if (rc != MA_OK) {
        session_close(&ws);
        return cli_fail(&err);
    }
    int32_t ccx = chunk_coord((int32_t)x), ccz = chunk_coord((int32_t)z);
    char level[32];
    if (y < 0)
        snprintf(level, sizeof level, "surface");
    else
        snprintf(level, sizeof level, "level y %lld", y);
    printf("wrote %s: %dx%d pixels, %s, chunks x %d..%d z %d..%d around %lld,%lld, in %.2f s\n", out, side, side,
           level, ccx - (int)radius, ccx + (int)radius, ccz - (int)radius, ccz + (int)radius, x, z,
           now_seconds() - t0);
    session_close(&ws);
    return CLI_OK;
}

/* ---- chunk ---- */

typedef struct PaletteCount {
    BlockId id;
    int count;
} PaletteCount;

static int palette_cmp(const void *a, const void *b)
{
    const PaletteCount *x = a, *y = b;
    return x->count != y->count ? y->count - x->count : (int)x->id - (int)y->id;
}

static void print_chunk_summary(const BlockRegistry *reg, const Chunk *ch, int64_t version, size_t encoded,
                                size_t sparse, const char *structures)
{
    int counts[BLOCKS_MAX] = {0};
    for (int y = 0; y < CHUNK_SIZE; y++)
        for (int z = 0; z < CHUNK_SIZE; z++)
            for (int x = 0; x < CHUNK_SIZE; x++)
                counts[chunk_get(ch, x, y, z)]++;
    PaletteCount pal[BLOCKS_MAX];
    int n = 0;
    for (int i = 0; i < BLOCKS_MAX; i++)
        if (counts[i])
            pal[n++] = (PaletteCount){(BlockId)i, counts[i]};
    qsort(pal, (size_t)n, sizeof pal[0], palette_cmp);
    printf("summary:\n");
    if (version > 0)
        printf("  version:    %lld\n", (long long)version);
    else
        printf("  version:    0 (not stored)\n");
    printf("  palette:    %d block type%s:", n, n == 1 ? "" : "s");
    for (int i = 0; i < n; i++)
        printf("%s %s %d", i ? "," : "", blocks_get(reg, pal[i].id)->name, pal[i].count);
    printf("\n");
    printf("  metadata:   %d block%s\n", ch->n_meta, ch->n_meta == 1 ? "" : "s");
    printf("  structures: %s\n", structures && *structures && strcmp(structures, "[]") != 0 ? structures : "none");
    printf("  entities:   %d\n", cJSON_GetArraySize(ch->entities));
    printf("  encoded:    %zu bytes (the design's plain sparse form: %zu bytes)\n", encoded, sparse);
}

static int cmd_chunk(CliCtx *ctx)
{
    /* Chunk coordinates may be negative: the parser takes "-3" for a number, not an option. */
    const char *name = cli_opt(ctx, "world");
    long long coord[3];
    int ncoord = ctx->argc - 1;
    for (int i = 0; i < ncoord; i++)
        if (cli_parse_i64(ctx->argv[i + 1], &coord[i]))
            return cli_usage_error(ctx, "chunk coordinates are whole numbers, not '%s'", ctx->argv[i + 1]);
    if (!name)
        return cli_usage_error(ctx, "which world? Give --world NAME");
    if (ncoord != 3)    if (!name)
        return cli_usage_error(ctx, "which world? Give --world NAME");
    if (ncoord != 3)
        return cli_usage_error(ctx, "needs three chunk coordinates CX CY CZ");
    long long climit = COORD_LIMIT / CHUNK_SIZE;
    if (coord[0] < -climit || coord[0] > climit || coord[2] < -climit || coord[2] > climit)
        return cli_usage_error(ctx, "chunk x and z go from %lld to %lld", -climit, climit);
    if (coord[1] < 0 || coord[1] >= WORLD_CHUNKS_Y)
        return cli_usage_error(ctx, "chunk y goes from 0 to %d (the world is %d blocks high), not %lld",
                               WORLD_CHUNKS_Y - 1, WORLD_HEIGHT, coord[1]);
    int32_t cx = (int32_t)coord[0], cy = (int32_t)coord[1], cz = (int32_t)coord[2];

    WorldSession ws;
    if (session_open(ctx, name, SAVE_READONLY, &ws) != CLI_OK)
        return CLI_FAIL;
    Err err = {0};
    int rc = CLI_OK;
    ChunkRow row = {0};
    Chunk *decoded = NULL;
    char *encoded = NULL, *sparse = NULL, *structures_text = NULL;
    size_t enc_len = 0, sparse_len = 0;
    int got = chunks_get(ws.save, world_id(ws.world), cx, cy, cz, &row, &err);
    if (got == MA_OK) {
        if (chunk_decode(row.block_data, row.block_len, row.structures, ws.reg, cx, cy, cz, &decoded, &err) != MA_OK) {
            printf("%s\n", row.block_data);
            fprintf(stderr, "magic-adventure: chunk %d,%d,%d of world '%s' is stored but does not decode: %s\n", cx,
                    cy, cz, cli_safe(name), cli_safe(err.msg));
            rc = CLI_FAIL;
            goto cleanup;
        }
        if (!(sparse = chunk_encode_sparse(decoded, ws.reg, &sparse_len, &err))) {
            rc = cli_fail(&err);
            goto cleanup;
        }
        printf("stored chunk %d,%d,%d of world '%s':\n%s\n", cx, cy, cz, cli_safe(name), row.block_data);
        print_chunk_summary(ws.reg, decoded, row.version, row.block_len, sparse_len, row.structures);
    } else if (err.code == MA_ERR_NOT_FOUND) {
        Chunk *ch = world_chunk(ws.world, cx, cy, cz, &err);
        if (!ch) {
            rc = cli_fail(&err);
            goto cleanup;
        }
        if (!(encoded = chunk_encode(ch, ws.reg, &enc_len, &err)) ||
            !(sparse = chunk_encode_sparse(ch, ws.reg, &sparse_len, &err))) {
            rc = cli_fail(&err);
            goto cleanup;
        }
        structures_text = cJSON_PrintUnformatted(ch->structures);
        printf("chunk %d,%d,%d of world '%s' is not stored; this is what generation gives:\n%s\n", cx, cy, cz,
               cli_safe(name), encoded);
        print_chunk_summary(ws.reg, ch, 0, enc_len, sparse_len, structures_text);
    } else {
        rc = cli_fail(&err);
    }
cleanup:
    free(encoded);
    free(sparse);
    cJSON_free(structures_text);
    if (decoded)
        chunk_free(decoded);
    chunk_row_clear(&row);
    session_close(&ws);
    return rc;
}

/* ---- pregen ---- */

typedef struct PregenProgress {
    int tty;
    double start;
    int last_done;
} PregenProgress;

static void pregen_progress(int done, int total, void *ud)
{
    PregenProgress *p = ud;
    if (!p->tty || total <= 0)
        return;
    const int bar = 30;
    int filled = (int)((long long)done * bar / total);
    double dt = now_seconds() - p->start;
    fprintf(stderr, "\r[");
    for (int i = 0; i < bar; i++)
        fputc(i < filled ? '#' : '.', stderr);
    fprintf(stderr, "] %d/%d columns, %.0f chunks/s ", done, total,
            dt > 0 ? (double)done * WORLD_CHUNKS_Y / dt : 0.0);
    fflush(stderr);
    p->last_done = done;
}

static int cmd_pregen(CliCtx *ctx)
{
    const char *name = cli_opt(ctx, "world");
    long long radius = -1, x = 0, z = 0;
    int have_x, have_z;
    if (cli_opt_int(ctx, "radius", 0, 256, &radius) == CLI_USAGE ||
        (have_x = cli_opt_int(ctx, "x", -COORD_LIMIT, COORD_LIMIT, &x)) == CLI_USAGE ||
        (have_z = cli_opt_int(ctx, "z", -COORD_LIMIT, COORD_LIMIT, &z)) == CLI_USAGE)
        return CLI_USAGE;
    if (!name)
        return cli_usage_error(ctx, "which world? Give --world NAME");
    if (radius < 0)    if (!name)
        return cli_usage_error(ctx, "which world? Give --world NAME");
    if (radius < 0)
        return cli_usage_error(ctx, "how far? Give --radius CHUNKS");

    WorldSession ws;
    if (session_open(ctx, name, 0, &ws) != CLI_OK)
        return CLI_FAIL;
    if (!have_x || !have_z) {
        int32_t sx, sy, sz;
        generator_spawn_point(world_generator(ws.world), &sx, &sy, &sz);
        x = have_x ? x : sx;
        z = have_z ? z : sz;
    }
    Err err = {0};
    int64_t before = 0, after = 0, chars = 0;
    if (worlds_counts(ws.save, world_id(ws.world), &before, &chars, &err) != MA_OK) {
        session_close(&ws);
        return cli_fail(&err);
    }
    int32_t ccx = chunk_coord((int32_t)x), ccz = chunk_coord((int32_t)z), r = (int32_t)radius;
    PregenProgress prog = {isatty(STDERR_FILENO), now_seconds(), 0};
    int rc = world_store_area(ws.world, ccx - r, ccz - r, ccx + r, ccz + r, pregen_progress, &prog, &err);
    double dt = now_seconds() - prog.start;
    if (prog.tty)
        fputc('\n', stderr);
    if (rc != MA_OK) {
        session_close(&ws);
        return cli_fail(&err);
    }
    if (worlds_counts(ws.save, world_id(ws.world), &after, &chars, &err) != MA_OK) {
        session_close(&ws);
        return cli_fail(&err);
    }
    long long columns = (2LL * r + 1) * (2LL * r + 1);
    long long added = (long long)(after - before);
    printf("pregen: world '%s', chunks x %d..%d z %d..%d (%lld columns of %d): stored %lld new chunks "
                    "in %.2f s (%.0f chunks/s); %lld were already stored; the world now holds %lld\n",
            cli_safe(name), ccx - r, ccx + r, ccz - r, ccz + r, columns, WORLD_CHUNKS_Y, added, dt,
            dt > 0 ? (double)added / dt : 0.0, columns * WORLD_CHUNKS_Y - added, (long long)after);
    session_close(&ws);
    return CLI_OK;
}

static const CliCommand world_subs[] = {
    {"create", "NAME [--seed N] [--type normal|flat]", "make a world", world_create_cmd, 1,
     {{"seed", 'S', "N", "the world's seed (default: a random one)"},
      {"type", 't', "T", "normal or flat (normal)"}},
     NULL},
    {"list", "", "the worlds with their seeds and sizes", world_list_cmd, 0, {{0}}, NULL},
    {NULL, NULL, NULL, NULL, 0, {{0}}, NULL},
};
const CliCommand cli_cmd_world = {
    "world", NULL, "make a world, or list the worlds with their seeds and sizes", NULL, 0, {{0}}, world_subs,
};
const CliCommand cli_cmd_render = {
    "render", "--world NAME [--x X --y Y --z Z] [--width W --height H] [--color[=256|8|none]] [--ascii] [--section] [--at ID]",
    "print the top-down slice at level y around (x, z) (--section: the upright cut at z)", cmd_render, 0,
    {CLI_OPT_WORLD,
     CLI_OPT_X,
     {"y", 'y', "Y", "the level (default: spawn's)"},
     CLI_OPT_Z,
     {"width", 'W', "W", "columns (default: the terminal's)"},
     {"height", 'H', "H", "rows (default: the terminal's)"},
     {"color", 0, "[=256|8|none]", "colours (default: as the terminal can)"},
     {"ascii", 'a', NULL, "plain ASCII glyphs"},
     {"section", 's', NULL, "the upright cut at z instead"},
     CLI_OPT_AT},
    NULL,
};
const CliCommand cli_cmd_map = {
    "map", "--world NAME --out FILE.png [--radius CHUNKS] [--y Y] [--scale N] [--x X --z Z] [--at ID]",
    "draw a top-down PNG picture of the surface (or of level y)", cmd_map, 0,
    {CLI_OPT_WORLD,
     {"out", 'o', "FILE.png", "where to write the picture"},
     {"radius", 'r', "CHUNKS", "how far around the centre (4)"},
     {"y", 'y', "Y", "the level (default: the surface)"},
     {"scale", 's', "N", "pixels a block (1)"},
     CLI_OPT_X,
     CLI_OPT_Z,
     CLI_OPT_AT},
    NULL,
};
const CliCommand cli_cmd_chunk = {
    "chunk", "--world NAME CX CY CZ", "show a chunk's stored JSON (or what generation gives) and a summary",
    cmd_chunk, 3, {CLI_OPT_WORLD}, NULL,
};
const CliCommand cli_cmd_pregen = {
    "pregen", "--world NAME --radius CHUNKS [--x X --z Z]",
    "generate and store the chunks around (x, z) (default: spawn)", cmd_pregen, 0,
    {CLI_OPT_WORLD,
     {"radius", 'r', "CHUNKS", "how far around the centre (0 to 256)"},
     CLI_OPT_X,
     CLI_OPT_Z},
    NULL,
};
