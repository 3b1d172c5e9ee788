/* game_travel.c — exploring and travelling to a cell, a step at a time, and resting, ten turns
 * at a time (see game_travel.h); and the explored map travel goes by. */
#include "game/game_travel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/creatures.h"
#include "game/game_internal.h"

int game_sight_radius(const Game *g) { return game_is_night(g) ? GAME_SIGHT_NIGHT : GAME_SIGHT_DAY; }

/* ---- the explored map ---- */

/* The map, made at first use around the player; NULL when it cannot be. */
static uint8_t *explored_map(Game *g)
{
    if (!g->explored && !g->explored_failed) {
        g->explored = calloc((size_t)GAME_EXPLORED_SIDE * GAME_EXPLORED_SIDE / 8, 1);
        if (!g->explored) {
            g->explored_failed = 1;
            return NULL;
        }
        g->ex0 = (int64_t)g->p.x - GAME_EXPLORED_SIDE / 2;
        g->ez0 = (int64_t)g->p.z - GAME_EXPLORED_SIDE / 2;
    }
    return g->explored;
}

/* The bit of (x, z), or -1 outside the map. */
static int64_t explored_bit(const Game *g, int32_t x, int32_t z)
{
    int64_t ix = (int64_t)x - g->ex0, iz = (int64_t)z - g->ez0;
    if (ix < 0 || iz < 0 || ix >= GAME_EXPLORED_SIDE || iz >= GAME_EXPLORED_SIDE)
        return -1;
    return iz * GAME_EXPLORED_SIDE + ix;
}

int game_explored(Game *g, int32_t x, int32_t z)
{
    const uint8_t *map = explored_map(g);
    int64_t bit = map ? explored_bit(g, x, z) : -1;
    return bit < 0 ? 1 : map[bit / 8] >> (bit % 8) & 1;
}

void game_explored_mark(Game *g, int32_t x, int32_t z, int r)
{
    uint8_t *map = explored_map(g);
    if (!map)
        return;
    for (int dz = -r; dz <= r; dz++)
        for (int dx = -r; dx <= r; dx++) {
            int64_t bit = dx * dx + dz * dz <= r * r ? explored_bit(g, (int32_t)((int64_t)x + dx), (int32_t)((int64_t)z + dz)) : -1;
            if (bit >= 0)
                map[bit / 8] |= (uint8_t)(1u << (bit % 8));
        }
}

void game_explored_mark_here(Game *g) { game_explored_mark(g, g->p.x, g->p.z, game_sight_radius(g) / 2); }

/* ---- danger, for travel and rest without a map ---- */

/* "north", "south-east"... for an offset (north is -z). */
static const char *compass_words(int dx, int dz)
{
    static const char *const words[3][3] = {{"north-west", "north", "north-east"},
                                            {"west", "here", "east"},
                                            {"south-west", "south", "south-east"}};
    return words[(dz > 0) - (dz < 0) + 1][(dx > 0) - (dx < 0) + 1];
}

int game_threat_near(Game *g, char *what, size_t size)
{
    CreatureRef c;
    int dist = 0;
    Err quiet = {0}; /* a chunk that does not load is no danger seen: the step itself will say */
    if (creatures_nearest_threat(g, GAME_THREAT_MARGIN, &c, &dist, &quiet) != 1)
        return 0;
    if (c.x == g->p.x && c.z == g->p.z) /* the same column: a level above or below says which */
        snprintf(what, size, "%s %s", c.def->name, c.y < g->p.y ? "below you" : c.y > g->p.y ? "above you" : "here");
    else
        snprintf(what, size, "%s to the %s, %d away", c.def->name, compass_words(c.x - g->p.x, c.z - g->p.z), dist);
    return 1;
}

/* ---- travel ---- */

typedef struct Goal {
    Game *g;
    const TravelTo *to;
    int near; /* to a cell: how far from it counts as there */
    int land; /* exploring: only ground where the feet are not in water */
} Goal;

static int64_t cells_apart(int64_t x1, int64_t z1, int64_t x2, int64_t z2)
{
    int64_t dx = llabs(x1 - x2), dz = llabs(z1 - z2);
    return dx > dz ? dx : dz;
}

static int goal_reached(int32_t x, int32_t y, int32_t z, void *ud)
{
    Goal *q = ud;
    if (q->to->explore)
        return !game_explored(q->g, x, z) &&
               (!q->land || !blocks_get(q->g->blocks, world_get_block(q->g->world, x, y, z))->liquid);
    return cells_apart(x, z, q->to->x, q->to->z) <= q->near;
}

/* The walk to the goal (-1: none): exploring, the nearest ground not seen yet that is not under
 * water (a lake may be swum across to reach it), else the nearest water; to a cell, the cell
 * itself or, when that cannot be stood on, one beside it. */
static int plan(Goal *q, int radius, Dir *path, int max, int32_t *gx, int32_t *gz)
{
    q->near = 0;
    q->land = q->to->explore;
    int n = game_plan_walk(q->g, radius, goal_reached, q, path, max, gx, gz);
    if (n < 0) {
        q->near = !q->to->explore;
        q->land = 0;
        n = game_plan_walk(q->g, radius, goal_reached, q, path, max, gx, gz);
    }
    return n;
}

/* The step's events into the travel's result, keeping the last place for its own line. */
static void keep_events(ActionResult *res, const ActionResult *r)
{
    for (int i = 0; i < r->n_events && res->n_events < GAME_MAX_EVENTS - 1; i++)
        res->events[res->n_events++] = r->events[i];
}

/* After a step of travel or a batch of rest: the step's events go to the hook (which may stop
 * it) or into res; returns 1 when it stops there: for an attack or harm (health was lost), or
 * for the hook's reason, into why with *alarm; or silently (*quiet) when the hook says -1. */
static int step_stops(Game *g, const TravelHooks *hooks, ActionResult *res, const ActionResult *r, int hurt,
                      char *why, size_t size, int *alarm, int *quiet)
{
    res->turns += r->turns;
    res->story_news |= r->story_news;
    res->attacked |= r->attacked;
    char said[240] = "";
    int said_alarm = 0, stop = hooks && hooks->step ? hooks->step(hooks->ud, r, said, sizeof said, &said_alarm) : 0;
    if (!hooks || !hooks->step)
        keep_events(res, r);
    if (stop < 0) {
        *quiet = 1;
        return 1;
    }
    if (r->attacked || hurt) {
        snprintf(why, size, "you are %s (%d/%d health)", r->attacked ? "attacked" : "hurt", g->p.health,
                 g->p.max_health);
        *alarm = 1;
        return 1;
    }
    if (stop > 0) {
        snprintf(why, size, "%s", said);
        *alarm = said_alarm;
        return 1;
    }
    char what[160];
    if ((!hooks || !hooks->step) && game_threat_near(g, what, sizeof what)) {
        snprintf(why, size, "danger near: %s", what); /* without a map: the client's hook says "in view" */
        *alarm = 1;
        return 1;
    }
    return 0;
}

/* The last line of a travel or a rest: "Travelled 12 steps: why." (a warning when alarmed). */
static void say_done(ActionResult *res, int alarm, const char *verb, int n, const char *unit, const char *why)
{
    if (res->n_events >= GAME_MAX_EVENTS)
        res->n_events = GAME_MAX_EVENTS - 1;
    game_event(res, alarm ? SEV_WARN : SEV_INFO, "%s %d %s%s%s%s.", verb, n, unit, n == 1 ? "" : "s",
               why[0] ? ": " : "", why);
}

/* Without a hook (a script), travel and rest are refused with danger near, as the client refuses
 * them with danger in view. */
static int refused_for_danger(Game *g, const TravelHooks *hooks, ActionResult *res)
{
    char what[160];
    if (hooks && hooks->step)
        return 0;
    if (!game_threat_near(g, what, sizeof what))
        return 0;
    game_refuse(res, "not with danger near: %s", what);
    return 1;
}

int game_travel(Game *g, const TravelTo *to, const TravelHooks *hooks, ActionResult *res, Err *err)
{
    memset(res, 0, sizeof *res);
    if (refused_for_danger(g, hooks, res))
        return MA_OK;
    Goal q = {g, to, 0, 0};
    int radius = GAME_TRAVEL_RADIUS;
    if (!to->explore) {
        int64_t far = cells_apart(to->x, to->z, g->p.x, g->p.z);
        if (far > GAME_WALK_MAX) {
            game_refuse(res, "too far to travel at once (%lld steps; at most %d)", (long long)far, GAME_WALK_MAX);
            return MA_OK;
        }
        if (far + GAME_TRAVEL_MARGIN > radius)
            radius = (int)far + GAME_TRAVEL_MARGIN;
    }
    /* Exploring goes a leg at a time; to a cell, as far as a walk goes. */
    const int max_steps = to->explore ? GAME_TRAVEL_STEPS : GAME_WALK_MAX;
    Dir path[GAME_WALK_MAX];
    int32_t gx = 0, gz = 0;
    int n = plan(&q, radius, path, max_steps, &gx, &gz), k = 0;
    if (n < 0) {
        if (to->explore)
            game_refuse(res, "everything you can walk to nearby is explored (%d steps around)", radius);
        else
            game_refuse(res, "no way there from here (searched %d steps around)", radius);
        return MA_OK;
    }
    int steps = 0, blocked = 0, plans = 1, alarm = 0, arrived = 0, quiet = 0;
    char why[240] = "";
    while (steps < max_steps) {
        if (k >= n) { /* the end of a leg: arrived, or (exploring) the next ground to see */
            if (!to->explore && g->p.x == gx && g->p.z == gz) {
                arrived = 1;
                /* A goal one cannot stand on (a tree, a wall) is reached beside it, and said so. */
                snprintf(why, sizeof why, "%s",
                         g->p.x == to->x && g->p.z == to->z ? "arrived" : "arrived beside it");
                break;
            }
            if (++plans > GAME_TRAVEL_STEPS) {
                snprintf(why, sizeof why, "no way forward");
                break;
            }
            if ((n = plan(&q, radius, path, max_steps, &gx, &gz)) < 0) {
                snprintf(why, sizeof why, "%s",
                         to->explore ? "everything you can walk to nearby is explored" : "no way there any more");
                break;
            }
            k = 0;
            if (n == 0)
                continue; /* standing on the goal: the top of the loop says so */
        }
        const int32_t from[2] = {g->p.x, g->p.z}; /* where the step began */
        ActionResult r;
        int planned, hurt, rc = game_walk_step(g, path[k], &r, &planned, &hurt, err);
        if (rc != MA_OK)
            return rc; /* the steps before stay: each was committed */
        steps += r.ok && (g->p.x != from[0] || g->p.z != from[1]);
        if (step_stops(g, hooks, res, &r, hurt, why, sizeof why, &alarm, &quiet))
            break;
        if (cells_apart(g->p.x, g->p.z, from[0], from[1]) > 1) { /* a death, a wake elsewhere */
            snprintf(why, sizeof why, "you are somewhere else now");
            alarm = 1;
            break;
        }
        if (!r.ok && !to->explore && cells_apart(g->p.x, g->p.z, to->x, to->z) <= 1) {
            /* Beside the goal, and someone stands on it. */
            arrived = 1;
            snprintf(why, sizeof why, "beside it (%s)", r.text);
            break;
        }
        if (!planned) {
            /* Someone in the way (the plan does not count who moves), or the ground changed: plan again. */
            if (++blocked > GAME_TRAVEL_REPLANS) {
                snprintf(why, sizeof why, "the way is blocked");
                break;
            }
            n = k = 0;
            continue;
        }
        k++;
    }
    if (!why[0] && !to->explore && steps >= max_steps)
        snprintf(why, sizeof why, "not there yet, %lld cells away", (long long)cells_apart(g->p.x, g->p.z, to->x, to->z));
    if (quiet || steps > 0 || arrived) {
        res->ok = 1;
        snprintf(res->text, sizeof res->text, "ok");
    } else {
        game_refuse(res, "%s", why[0] ? why : "no step taken");
    }
    if (!quiet)
        say_done(res, alarm, "Travelled", steps, "step", why);
    return MA_OK;
}

/* ---- rest ---- */

int game_rest(Game *g, const TravelHooks *hooks, ActionResult *res, Err *err)
{
    memset(res, 0, sizeof *res);
    if (refused_for_danger(g, hooks, res))
        return MA_OK;
    const Player *p = &g->p;
    int healing = p->health < p->max_health || p->mana < p->max_mana;
    /* As long as healing takes (a point of health every 10 turns, of mana every 5), and a batch. */
    int need_health = 10 * (p->max_health - p->health), need_mana = 5 * (p->max_mana - p->mana);
    int limit = healing ? (need_health > need_mana ? need_health : need_mana) + GAME_REST_BATCH : GAME_REST_IDLE;
    int rested = 0, alarm = 0, quiet = 0;
    char why[240] = "";
    while (rested < limit) {
        Action a;
        memset(&a, 0, sizeof a);
        a.kind = ACT_WAIT;
        a.count = limit - rested < GAME_REST_BATCH ? limit - rested : GAME_REST_BATCH;
        int health = p->health;
        ActionResult r;
        int rc = game_apply(g, &a, &r, err);
        if (rc != MA_OK)
            return rc; /* the turns before stay: each batch was committed */
        rested += r.turns > 0 ? r.turns : a.count;
        if (step_stops(g, hooks, res, &r, p->health < health, why, sizeof why, &alarm, &quiet))
            break;
        if (healing && p->health >= p->max_health && p->mana >= p->max_mana) {
            snprintf(why, sizeof why, "health and mana are full");
            break;
        }
    }
    res->ok = 1;
    snprintf(res->text, sizeof res->text, "ok");
    if (!quiet)
        say_done(res, alarm, "Rested", rested, "turn", why);
    return MA_OK;
}
