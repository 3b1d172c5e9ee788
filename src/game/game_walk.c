/* game_walk.c — planning a walk: the fewest steps from the player to the nearest cell a caller
 * wants, by the move's own rule (game_step_to), for travel. Changes nothing. */
#include "game/game.h"

#include <stdlib.h>
#include <string.h>

#include "game/game_internal.h"

/* A cell of the search square: the level reached there, the step that reached it. */
typedef struct WalkCell {
    int32_t y;
    int8_t from; /* the Dir that reached it; -1 not reached */
} WalkCell;

int game_plan_walk(Game *g, int radius, int (*goal)(int32_t x, int32_t z, void *ud), void *ud, Dir *path, int max,
                   int32_t *gx, int32_t *gz)
{
    if (radius < 1 || !goal || !path || max < 1)
        return -1;
    const int side = 2 * radius + 1;
    const int32_t x0 = g->p.x - radius, z0 = g->p.z - radius;
    WalkCell *cell = malloc((size_t)side * (size_t)side * sizeof *cell);
    int *queue = malloc((size_t)side * (size_t)side * sizeof *queue);
    if (!cell || !queue) {
        free(cell);
        free(queue);
        return -1;
    }
    for (int i = 0; i < side * side; i++)
        cell[i].from = -1;
    int lava = blocks_find(g->blocks, "lava");
    int start = radius * side + radius, head = 0, tail = 0, found = -1;
    cell[start].y = g->p.y;
    cell[start].from = DIR_NONE;
    queue[tail++] = start;
    while (head < tail && found < 0) {
        int at = queue[head++];
        int32_t x = x0 + at % side, z = z0 + at / side, y = cell[at].y;
        if (goal(x, z, ud)) {
            found = at;
            break;
        }
        for (int d = DIR_N; d <= DIR_NW; d++) {
            int dx, dz;
            dir_delta((Dir)d, &dx, &dz);
            int ix = at % side + dx, iz = at / side + dz;
            if (ix < 0 || iz < 0 || ix >= side || iz >= side || cell[iz * side + ix].from != -1)
                continue;
            int32_t to[3];
            int fall = 0, wet = 0;
            if (!game_step_to(g, x, y, z, (Dir)d, to, &fall, &wet))
                continue;
            /* Not a way that hurts: a fall that does, or a step into lava. */
            if ((fall > 3 && !wet) || (lava >= 0 && world_get_block(g->world, to[0], to[1], to[2]) == (BlockId)lava))
                continue;
            cell[iz * side + ix].y = to[1];
            cell[iz * side + ix].from = (int8_t)d;
            queue[tail++] = iz * side + ix;
        }
    }
    int steps = -1;
    if (found >= 0) {
        /* Back from the goal to the start, then the path in walking order. */
        int n = 0;
        for (int at = found; at != start && n < side * side;) {
            Dir d = (Dir)cell[at].from;
            int dx, dz;
            dir_delta(d, &dx, &dz);
            queue[n++] = d; /* the queue's room, reused */
            at = (at / side - dz) * side + (at % side - dx);
        }
        steps = n < max ? n : max;
        for (int i = 0; i < steps; i++)
            path[i] = (Dir)queue[n - 1 - i];
        *gx = x0 + found % side;
        *gz = z0 + found / side;
    }
    free(cell);
    free(queue);
    return steps;
}
