/* generator_spawn.c — structures near a point (from the regions' plans, structures.c) and the
 * player's spawn: the nearest standable dry ground found in growing squares. */
#include "world/generator.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/prng.h"
#include "world/generator_internal.h"
#include "world/noise.h"
#include "world/structures.h"

/* ---- structures and spawn ------------------------------------------------------- */

/* The structures within radius_blocks of (x, z) that match (type, else any; name, else any, in
 * any case), the nearest max of them, nearest first. */
static int structures_scan(Generator *g, int32_t x, int32_t z, int radius_blocks, const char *type, const char *name,
                           GenStructure *out, int max)
{
    if (g->flat || max <= 0 || radius_blocks < 0)
        return 0;
    int n = 0;
    double dist[64];
    if (max > 64)
        max = 64;
    int32_t rx0 = structures_region_of(x - radius_blocks), rx1 = structures_region_of(x + radius_blocks);
    int32_t rz0 = structures_region_of(z - radius_blocks), rz1 = structures_region_of(z + radius_blocks);
    for (int32_t rz = rz0; rz <= rz1; rz++)
        for (int32_t rx = rx0; rx <= rx1; rx++) {
            const RegionPlan *rp = generator_region_plan(g, rx, rz);
            for (int i = 0; i < rp->n; i++) {
                const GenStructure *s = &rp->s[i].info;
                if ((type && strcmp(s->type, type) != 0) || (name && strcasecmp(s->name, name) != 0))
                    continue;
                /* Horizontal distance from (x, z) to the box. */
                double ex = x < s->x ? s->x - x : x > s->x + s->w - 1 ? x - (s->x + s->w - 1) : 0;
                double ez = z < s->z ? s->z - z : z > s->z + s->d - 1 ? z - (s->z + s->d - 1) : 0;
                if (ex * ex + ez * ez > (double)radius_blocks * radius_blocks)
                    continue;
                double mx = s->x + s->w / 2.0 - x, mz = s->z + s->d / 2.0 - z;
                double d = mx * mx + mz * mz;
                if (n == max && d >= dist[n - 1])
                    continue;
                int at = n < max ? n++ : n - 1;
                while (at > 0 && dist[at - 1] > d) {
                    dist[at] = dist[at - 1];
                    out[at] = out[at - 1];
                    at--;
                }
                dist[at] = d;
                out[at] = *s;
            }
        }
    return n;
}

int generator_structures_near(Generator *g, int32_t x, int32_t z, int radius_blocks, GenStructure *out, int max)
{
    return structures_scan(g, x, z, radius_blocks, NULL, NULL, out, max);
}

int generator_structures_of(Generator *g, int32_t x, int32_t z, int radius_blocks, const char *type, GenStructure *out,
                            int max)
{
    return structures_scan(g, x, z, radius_blocks, type, NULL, out, max);
}

int generator_structure_nearest(Generator *g, int32_t x, int32_t z, int radius_blocks, const char *type,
                                const char *name, GenStructure *out)
{
    return structures_scan(g, x, z, radius_blocks, type, name, out, 1);
}

/* One generated chunk kept for block lookups while choosing the spawn. */
typedef struct Probe {
    Chunk *c;
} Probe;

static int probe_block(Generator *g, Probe *pr, int32_t x, int32_t y, int32_t z)
{
    if (y < 0 || y >= WORLD_HEIGHT)
        return g->b.air;
    int32_t cx = chunk_coord(x), cy = y / CHUNK_SIZE, cz = chunk_coord(z);
    if (!pr->c || pr->c->cx != cx || pr->c->cy != cy || pr->c->cz != cz) {
        chunk_free(pr->c);
        pr->c = chunk_new(cx, cy, cz, BLOCK_AIR);
        if (!pr->c)
            return -1;
        generator_fill(g, pr->c);
    }
    return chunk_get(pr->c, chunk_local(x), y - cy * CHUNK_SIZE, chunk_local(z));
}

/* Solid, dry ground with two blocks of air above; *y gets the feet level. */
static int standable(Generator *g, Probe *pr, int32_t x, int32_t z, int32_t *y)
{
    int h = generator_surface_y(g, x, z);
    if (h < SEA_LEVEL)
        return 0;
    /* Paths and steps may lift the ground a block or two; roofs are higher. */
    for (int yy = h + 3; yy >= h && yy >= 1; yy--) {
        int below = probe_block(g, pr, x, yy - 1, z);
        if (below < 0)
            return 0;
        const BlockDef *d = blocks_get(g->reg, (BlockId)below);
        if (!d->solid || d->liquid)
            continue;
        if (probe_block(g, pr, x, yy, z) == g->b.air && probe_block(g, pr, x, yy + 1, z) == g->b.air) {
            *y = yy;
            return 1;
        }
        return 0;
    }
    return 0;
}

/* Searches squares of growing size around (x, z) for a standable spot. */
/* Whether a villager of plan rp stands on column (x, z): nobody is spawned on top of one. */
static int villager_at(const RegionPlan *rp, int32_t x, int32_t z)
{
    for (int k = 0; rp && k < rp->n; k++)
        for (int i = 0; i < rp->s[k].n_npcs; i++)
            if (rp->s[k].npcs[i].x == x && rp->s[k].npcs[i].z == z)
                return 1;
    return 0;
}

static int spawn_search(Generator *g, Probe *pr, const RegionPlan *rp, int32_t x, int32_t z, int radius, int32_t *ox,
                        int32_t *oy, int32_t *oz)
{
    for (int r = 0; r <= radius; r++)
        for (int dz = -r; dz <= r; dz++)
            for (int dx = -r; dx <= r; dx++) {
                if (abs(dx) != r && abs(dz) != r)
                    continue;
                int32_t y;
                Biome b = generator_biome(g, x + dx, z + dz);
                if (b == BIOME_OCEAN || b == BIOME_LAKE || villager_at(rp, x + dx, z + dz))
                    continue;
                if (standable(g, pr, x + dx, z + dz, &y)) {
                    *ox = x + dx, *oy = y, *oz = z + dz;
                    return 1;
                }
            }
    return 0;
}

void generator_spawn_point(Generator *g, int32_t *x, int32_t *y, int32_t *z)
{
    *x = 0;
    *y = SEA_LEVEL + 1;
    *z = 0;
    if (g->flat)
        return;
    Probe pr = {NULL};
    GenStructure near[64];
    int n = generator_structures_near(g, 0, 0, 200, near, 64);
    int found = 0;
    for (int i = 0; i < n && !found; i++) {
        if (strcmp(near[i].type, "village") != 0)
            continue;
        /* Beside the well, by the guard (not on the guard's own cell). */
        int32_t vx = near[i].x + near[i].w / 2, vz = near[i].z + near[i].d / 2;
        const RegionPlan *rp = generator_region_plan(g, structures_region_of(vx), structures_region_of(vz));
        for (int k = 0; k < rp->n; k++)
            for (int p = 0; p < rp->s[k].n_pieces; p++)
                if (rp->s[k].pieces[p].kind == PIECE_WELL)
                    vx = rp->s[k].pieces[p].x1 + 1, vz = rp->s[k].pieces[p].z1 + 1;
        found = spawn_search(g, &pr, rp, vx, vz, 24, x, y, z);
    }
    if (!found)
        found = spawn_search(g, &pr, NULL, 0, 0, 96, x, y, z);
    /* Out at sea: look for the nearest land in widening rings (up to 2 km). */
    for (int ring = 1; !found && ring <= 64; ring++) {
        int32_t r = ring * 32;
        for (int32_t t = -r; t < r && !found; t += 32) {
            const int32_t cand[4][2] = {{t, -r}, {r, t}, {-t, r}, {-r, -t}};
            for (int k = 0; k < 4 && !found; k++)
                if (generator_surface_y(g, cand[k][0], cand[k][1]) >= SEA_LEVEL)
                    found = spawn_search(g, &pr, NULL, cand[k][0], cand[k][1], 24, x, y, z);
        }
    }
    if (!found) {
        /* All water near the origin: stand on the sea (the game may place a raft). */
        *y = generator_surface_y(g, 0, 0) + 1;
        if (*y <= SEA_LEVEL)
            *y = SEA_LEVEL + 1;
    }
    chunk_free(pr.c);
}
