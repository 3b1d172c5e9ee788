/* game_walk.c — planning a walk: the fewest steps from the player to the nearest cell a caller
 * wants, by the move's own rule (game_step_to), for travel. Changes nothing. */
#include "game/game.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/creatures.h"
#include "game/game_internal.h"
#include "game/quest.h"
#include "util/json_field.h"

/* A cell of the search square: the level reached there, the step that reached it. */
typedef struct WalkCell {
    int32_t y;
    int8_t from; /* the Dir that reached it; DIR_NONE (-1) not reached; DIR_COUNT the start */
} WalkCell;

/* Marks in taken (side x side, from x0, z0) the cells where a creature or a villager stands now,
 * within 8 levels of the player: a plan goes round them. */
static void mark_standing(Game *g, int32_t x0, int32_t z0, int side, uint8_t *taken)
{
    for (int32_t cy = chunk_coord(g->p.y - 8); cy <= chunk_coord(g->p.y + 8); cy++) {
        if (cy < 0 || cy >= WORLD_CHUNKS_Y)
            continue;
        for (int32_t cz = chunk_coord(z0); cz <= chunk_coord(z0 + side - 1); cz++)
            for (int32_t cx = chunk_coord(x0); cx <= chunk_coord(x0 + side - 1); cx++) {
                Chunk *c = world_chunk(g->world, cx, cy, cz, NULL);
                if (!c)
                    continue;
                const cJSON *e;
                cJSON_ArrayForEach(e, c->entities) {
                    const char *type = json_str(e, "type");
                    const cJSON *pos = cJSON_GetObjectItemCaseSensitive(e, "position");
                    if (!type || (strcmp(type, "npc") != 0 && strcmp(type, "creature") != 0) ||
                        cJSON_GetArraySize(pos) != 3)
                        continue;
                    int32_t x = cx * CHUNK_SIZE + cJSON_GetArrayItem(pos, 0)->valueint - x0;
                    int32_t y = cy * CHUNK_SIZE + cJSON_GetArrayItem(pos, 1)->valueint;
                    int32_t z = cz * CHUNK_SIZE + cJSON_GetArrayItem(pos, 2)->valueint - z0;
                    if (x >= 0 && z >= 0 && x < side && z < side && abs(y - g->p.y) <= 8)
                        taken[z * side + x] = 1;
                }
            }
    }
}

int game_plan_walk(Game *g, int radius, int (*goal)(int32_t x, int32_t y, int32_t z, void *ud), void *ud, Dir *path,
                   int max,
                   int32_t *gx, int32_t *gz)
{
    if (radius < 1 || !goal || !path || max < 1)
        return -1;
    const int side = 2 * radius + 1;
    const int32_t x0 = g->p.x - radius, z0 = g->p.z - radius;
    WalkCell *cell = malloc((size_t)side * (size_t)side * sizeof *cell);
    int *queue = malloc((size_t)side * (size_t)side * sizeof *queue);
    uint8_t *taken = calloc((size_t)side * (size_t)side, 1);
    if (!cell || !queue || !taken) {
        free(cell);
        free(queue);
        free(taken);
        return -1;
    }
    mark_standing(g, x0, z0, side, taken);
    for (int i = 0; i < side * side; i++)
        cell[i].from = -1;
    int lava = blocks_find(g->blocks, "lava");
    int start = radius * side + radius, head = 0, tail = 0, found = -1;
    cell[start].y = g->p.y;
    /* Reached, and the start: not -1 (DIR_NONE), which marks a cell not reached yet. Were it -1, a
     * neighbour would queue the start again, and with every cell of the square reached (open
     * ground) the queue would run one past its end. */
    cell[start].from = (int8_t)DIR_COUNT;
    queue[tail++] = start;
    while (head < tail && found < 0) {
        int at = queue[head++];
        int32_t x = x0 + at % side, z = z0 + at / side, y = cell[at].y;
        if (goal(x, y, z, ud)) {
            found = at;
            break;
        }
        for (int d = DIR_N; d <= DIR_NW; d++) {
            int dx, dz;
            dir_delta((Dir)d, &dx, &dz);
            int ix = at % side + dx, iz = at / side + dz;
            if (ix < 0 || iz < 0 || ix >= side || iz >= side || cell[iz * side + ix].from != DIR_NONE)
                continue;
            /* Round someone standing there, unless they stand on the goal itself. */
            if (taken[iz * side + ix] && !goal(x0 + ix, y, z0 + iz, ud))
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
    free(taken);
    return steps;
}

int game_walk_step(Game *g, Dir d, ActionResult *r, int *planned, int *hurt, Err *err)
{
    int32_t to[3];
    int can = game_step_to(g, g->p.x, g->p.y, g->p.z, d, to, NULL, NULL);
    int health = g->p.health;
    *hurt = 0;
    /* A creature that wandered into the way is not walked into: that would be an attack (a
     * walk had killed a deer that stepped onto its path). Nothing happens, as for a villager. */
    int dx, dz;
    dir_delta(d, &dx, &dz);
    CreatureRef who;
    int found = creature_at(g, g->p.x + dx, g->p.y, g->p.z + dz, 1, &who, err);
    if (found < 0)
        return found;
    if (found) {
        memset(r, 0, sizeof *r);
        game_refuse(r, "blocked: a %s is in the way", who.def ? who.def->name : "creature");
        *planned = 0;
        return MA_OK;
    }
    Action m;
    memset(&m, 0, sizeof m);
    m.kind = ACT_MOVE;
    m.dir = d;
    int rc = game_apply(g, &m, r, err);
    if (rc != MA_OK)
        return rc;
    *planned = can && r->ok && g->p.x == to[0] && g->p.z == to[2];
    *hurt = g->p.health < health;
    return MA_OK;
}

/* The walk's goal: a cell of the rectangle {x0, z0, x1, z1} (inclusive): the cell asked for,
 * or a place's ground and the cells beside it. */
static int walk_goal(int32_t x, int32_t y, int32_t z, void *ud)
{
    const int32_t *r = ud;
    (void)y;
    return x >= r[0] && x <= r[2] && z >= r[1] && z <= r[3];
}

/* Steps from (x, z) to the nearest cell of rectangle r (as walk_goal), as a king moves. */
static int64_t rect_far(const int32_t *r, int32_t x, int32_t z)
{
    int64_t dx = x < r[0] ? (int64_t)r[0] - x : x > r[2] ? (int64_t)x - r[2] : 0;
    int64_t dz = z < r[1] ? (int64_t)r[1] - z : z > r[3] ? (int64_t)z - r[3] : 0;
    return dx > dz ? dx : dz;
}

int game_walk(Game *g, const Action *a, ActionResult *res, Err *err)
{
    memset(res, 0, sizeof *res);
    int32_t rect[4] = {a->x, a->z, a->x, a->z}, gx, gz;
    GenStructure place;
    int to_place = a->arg[0] != '\0';
    if (to_place) {
        /* The nearest place of that kind: its ground, or a cell beside it. */
        if (!quest_place_nearest(g, a->arg, &place)) {
            game_refuse(res, "no %s within %d blocks", a->arg, QUEST_PLACE_RADIUS);
            return MA_OK;
        }
        rect[0] = place.x - 1;
        rect[1] = place.z - 1;
        rect[2] = place.x + place.w;
        rect[3] = place.z + place.d;
        if (place.has_entry && quest_place_below(g, &place) > 0) {
            /* A dungeon or shrine below: the top of its ladder, or a cell beside it. */
            rect[0] = place.entry_x - 1;
            rect[1] = place.entry_z - 1;
            rect[2] = place.entry_x + 1;
            rect[3] = place.entry_z + 1;
        }
    }
    int64_t far = rect_far(rect, g->p.x, g->p.z);
    if (far > GAME_WALK_MAX) {
        if (to_place) { /* which way and where, so that a script can go there by legs (walk X Z) */
            int dx, dz;
            quest_place_offset(g, &place, &dx, &dz);
            game_refuse(res, "too far to walk at once (%s is %lld steps away, %s, around %d %d; at most %d)",
                        place.name, (long long)far, quest_compass(dx, dz), g->p.x + dx, g->p.z + dz, GAME_WALK_MAX);
        }
        else
            game_refuse(res, "too far to walk at once (%lld steps; at most %d)", (long long)far, GAME_WALK_MAX);
        return MA_OK;
    }
    Dir path[GAME_WALK_MAX];
    int radius = (int)far + 24 > GAME_WALK_MAX ? GAME_WALK_MAX : (int)far + 24;
    int n = game_plan_walk(g, radius, walk_goal, rect, path, GAME_WALK_MAX, &gx, &gz);
    if (n < 0) {
        game_refuse(res, "no way there from here (searched %d steps around)", radius);
        return MA_OK;
    }
    int steps = 0;
    char why[128] = "";
    for (int i = 0; i < n && !why[0]; i++) {
        ActionResult r;
        int planned, hurt, rc = game_walk_step(g, path[i], &r, &planned, &hurt, err);
        if (rc != MA_OK)
            return rc; /* the steps before stay: each was committed */
        res->turns += r.turns;
        res->story_news |= r.story_news;
        res->attacked |= r.attacked;
        for (int k = 0; k < r.n_events; k++)
            game_event(res, r.events[k].severity, "%s", r.events[k].text);
        if (!r.ok)
            snprintf(why, sizeof why, "%s", r.text);
        else if (!planned)
            snprintf(why, sizeof why, "someone was in the way");
        else if (hurt)
            snprintf(why, sizeof why, "you were hurt");
        steps += planned;
    }
    if (!why[0] && !walk_goal(g->p.x, g->p.y, g->p.z, rect))
        snprintf(why, sizeof why, "the way there is longer than %d steps", GAME_WALK_MAX);
    if (why[0]) {
        game_refuse(res, "stopped after %d step%s: %s", steps, steps == 1 ? "" : "s", why);
        return MA_OK;
    }
    res->ok = 1;
    snprintf(res->text, sizeof res->text, "ok");
    int below = to_place ? quest_place_below(g, &place) : 0;
    /* "You walk 12 steps to", or, standing there already, "You are at" (not "You walk 0 steps"). */
    char went[48];
    if (steps > 0)
        snprintf(went, sizeof went, "You walk %d step%s to", steps, steps == 1 ? "" : "s");
    else
        snprintf(went, sizeof went, "You are already at");
    if (to_place && below > 0 && place.has_entry)
        game_event(res, SEV_INFO,
                   "%s the way down into %s: a ladder in a shaft rimmed with cobblestone, %d blocks deep (step onto "
                   "it, then > to climb down).",
                   went, place.name, below);
    else if (to_place && below > 0)
        game_event(res, SEV_INFO, "%s %s, which lies %d blocks below with no way down: dig (D, then >).", went,
                   place.name, below);
    else if (to_place)
        game_event(res, SEV_INFO, "%s %s.", went, place.name);
    else
        game_event(res, SEV_INFO, "%s (%d, %d).", went, (int)a->x, (int)a->z);
    return MA_OK;
}
