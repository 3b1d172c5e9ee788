/* screen_travel.c — walking and waiting many turns at a key: travel (explore the nearest ground
 * not seen yet, or walk to the look cursor) along a walk planned by the game (game_plan_walk),
 * and rest. Both stop for an attack, a threat in view or someone new; each step, and each ten
 * turns of rest, is one action through game_apply. */
#include "screen_main_ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screen_panel.h"
#include "term.h"

/* ---- explored ground, for travel ---- */
static int explored_get(const MainUi *u, int32_t x, int32_t z)
{
    int64_t ix = (int64_t)x - u->ex0, iz = (int64_t)z - u->ez0;
    if (!u->explored || ix < 0 || iz < 0 || ix >= SEEN_SIDE || iz >= SEEN_SIDE)
        return 1; /* off the map: treat as explored, travel never aims there */
    size_t bit = (size_t)iz * SEEN_SIDE + (size_t)ix;
    return (u->explored[bit / 8] >> (bit % 8)) & 1;
}

void screen_main_explored_mark(MainUi *u, int32_t x, int32_t z, int r)
{
    if (!u->explored)
        return;
    for (int dz = -r; dz <= r; dz++)
        for (int dx = -r; dx <= r; dx++) {
            if (dx * dx + dz * dz > r * r)
                continue;
            int64_t ix = (int64_t)x + dx - u->ex0, iz = (int64_t)z + dz - u->ez0;
            if (ix < 0 || iz < 0 || ix >= SEEN_SIDE || iz >= SEEN_SIDE)
                continue;
            size_t bit = (size_t)iz * SEEN_SIDE + (size_t)ix;
            u->explored[bit / 8] |= (uint8_t)(1u << (bit % 8));
        }
}

/* Who has been in view during one travel: an entity by its id, or (without
 * one) by what it is and where it lies. */
typedef struct TravelSeen {
    char key[TRAVEL_SEEN_MAX][80];
    int n;
} TravelSeen;

static void travel_key(const Seen *s, char *key, size_t size)
{
    if (s->id[0])
        snprintf(key, size, "%d:%s", (int)s->kind, s->id);
    else
        snprintf(key, size, "%d:%s@%d,%d,%d", (int)s->kind, s->name, (int)s->x, (int)s->y, (int)s->z);
}

/* Adds what is in view now to ts; returns the first newcomer worth stopping
 * for (a creature that fights, a villager not met yet, something lying
 * there), or NULL. Villagers the player knows by name come and go without
 * stopping travel (in a village they always do), and so do harmless animals
 * (deer, sheep: the side panel lists them). Hostile ones stop it anyway, as
 * danger in view. */
static const Seen *travel_newcomer(TravelSeen *ts, const SeenList *seen)
{
    const Seen *first = NULL;
    for (int i = 0; i < seen->n; i++) {
        const Seen *s = &seen->v[i];
        char key[80];
        travel_key(s, key, sizeof key);
        int known = 0;
        for (int k = 0; k < ts->n && !known; k++)
            known = strcmp(ts->key[k], key) == 0;
        if (known)
            continue;
        if (ts->n < TRAVEL_SEEN_MAX)
            snprintf(ts->key[ts->n++], sizeof ts->key[0], "%s", key);
        int ignore = (s->kind == SEEN_VILLAGER && s->met) || (s->kind == SEEN_CREATURE && !s->hostile && !s->neutral);
        if (!first && !ignore)
            first = s;
    }
    return first;
}

/* As in Crawl: no travel or rest with danger in view. Draws the map, and says so when there is. */
static int danger_in_view(MainUi *u)
{
    screen_main_draw(u);
    const Seen *danger = panel_first_threat(&u->seen);
    if (!danger)
        return 0;
    char what[200];
    panel_seen_words(danger, what, sizeof what);
    log_add(&u->log, SEV_WARN, (long)game_clock(u->g), "Not with danger in view: %s.", what);
    return 1;
}

/* Why a walk or a rest stops after its last action, into reason (NULL: it goes on); *alarm set
 * for the warnings (an attack, danger). Reads what the map shows now: draw first. */
static const char *stop_reason(MainUi *u, TravelSeen *ts, int attacked, char *reason, size_t size, int *alarm)
{
    const Player *p = game_player(u->g);
    const Seen *danger = panel_first_threat(&u->seen);
    const Seen *newcomer = travel_newcomer(ts, &u->seen);
    char what[200];
    if (attacked) {
        snprintf(reason, size, "you are attacked (%d/%d health)", p->health, p->max_health);
        *alarm = 1;
    } else if (danger) {
        panel_seen_words(danger, what, sizeof what);
        snprintf(reason, size, "danger in view: %s", what);
        *alarm = 1;
    } else if (newcomer) {
        panel_seen_words(newcomer, what, sizeof what);
        snprintf(reason, size, "new in view: %s", what);
    } else {
        return NULL;
    }
    return reason;
}

/* What travel walks to: the nearest ground not seen yet, or a cell (within `near` steps of it);
 * and how far around the walk is searched. */
typedef struct TravelGoal {
    MainUi *u;
    int explore;
    int32_t tx, tz;
    int near;
    int radius;
} TravelGoal;

static int travel_goal(int32_t x, int32_t z, void *ud)
{
    const TravelGoal *g = ud;
    if (g->explore)
        return !explored_get(g->u, x, z);
    return abs(x - g->tx) <= g->near && abs(z - g->tz) <= g->near;
}

/* Plans the walk to the goal: its steps in path, how many (-1: no way); to the cursor, the cell
 * itself or, when that cannot be stood on, one beside it. */
static int travel_plan(MainUi *u, TravelGoal *goal, Dir *path, int32_t *gx, int32_t *gz)
{
    goal->near = 0;
    int n = game_plan_walk(u->g, goal->radius, travel_goal, goal, path, TRAVEL_STEPS, gx, gz);
    if (n < 0 && !goal->explore) {
        goal->near = 1;
        n = game_plan_walk(u->g, goal->radius, travel_goal, goal, path, TRAVEL_STEPS, gx, gz);
    }
    return n;
}

void screen_main_travel(MainUi *u, int to_cursor)
{
    const Player *p = game_player(u->g);
    TravelGoal goal = {.u = u, .explore = !to_cursor, .radius = TRAVEL_PLAN_RADIUS};
    if (to_cursor) {
        goal.tx = p->x + u->lx;
        goal.tz = p->z + u->lz;
        /* Anywhere the map shows: far enough around to go round what stands between. */
        int far = abs(u->lx) > abs(u->lz) ? abs(u->lx) : abs(u->lz);
        if (far + TRAVEL_PLAN_MARGIN > goal.radius)
            goal.radius = far + TRAVEL_PLAN_MARGIN;
        u->mode = MODE_MAP;
        u->lx = u->lz = 0;
    }
    if (danger_in_view(u))
        return;
    Dir path[TRAVEL_STEPS];
    int32_t gx = 0, gz = 0;
    int n = travel_plan(u, &goal, path, &gx, &gz), k = 0;
    if (n < 0) {
        if (to_cursor)
            log_add(&u->log, SEV_INFO, (long)game_clock(u->g), "No way there from here (searched %d steps around).",
                    goal.radius);
        else
            log_add(&u->log, SEV_INFO, (long)game_clock(u->g),
                    "Everything you can walk to nearby is explored (%d steps around).", TRAVEL_PLAN_RADIUS);
        return;
    }
    static TravelSeen ts; /* the client's one travel at a time */
    ts.n = 0;
    travel_newcomer(&ts, &u->seen);
    int last_hp = p->health, alarm = 0, steps = 0, blocked = 0, plans = 1;
    const char *why = NULL;
    char reason[240];
    while (steps < TRAVEL_STEPS) {
        if (term_signal())
            return;
        if (k >= n) { /* the end of the walk: arrived, or (exploring) the next ground to see */
            if (!goal.explore && p->x == gx && p->z == gz) {
                why = "arrived";
                break;
            }
            screen_main_explored_mark(u, p->x, p->z, screen_main_sight_radius(u) / 2);
            if (++plans > TRAVEL_STEPS) {
                why = "no way forward";
                break;
            }
            if ((n = travel_plan(u, &goal, path, &gx, &gz)) < 0) {
                why = goal.explore ? "everything you can walk to nearby is explored" : "no way there any more";
                break;
            }
            k = 0;
            if (n == 0)
                continue; /* standing on the goal: the top of the loop says so */
        }
        Action a = {.kind = ACT_MOVE, .dir = path[k]};
        ActionResult r;
        Err err = {0};
        if (game_apply(u->g, &a, &r, &err) != MA_OK) {
            log_add(&u->log, SEV_BAD, (long)game_clock(u->g), "%s", err.msg);
            return;
        }
        panel_mark_stale(&u->panel);
        panel_after_events(&u->panel, &r);
        for (int i = 0; i < r.n_events; i++)
            log_add(&u->log, r.events[i].severity, (long)game_clock(u->g), "%s", r.events[i].text);
        int attacked = r.attacked; /* a blow, even one that missed; not a failed quest */
        if (!r.ok) {
            /* Someone in the way (the plan does not count who moves): plan again, a few times. */
            if (++blocked > TRAVEL_REPLANS) {
                why = "the way is blocked";
                break;
            }
            n = k = 0;
            continue;
        }
        steps++;
        k++;
        u->panel.heading = a.dir;
        screen_main_explored_mark(u, p->x, p->z, screen_main_sight_radius(u) / 2);
        screen_main_draw(u);
        napms(15);
        why = stop_reason(u, &ts, attacked || p->health < last_hp, reason, sizeof reason, &alarm);
        last_hp = p->health;
        if (why)
            break;
    }
    log_add(&u->log, alarm ? SEV_WARN : SEV_INFO, (long)game_clock(u->g), "Travelled %d step%s%s%s.", steps,
            steps == 1 ? "" : "s", why ? ": " : "", why ? why : "");
}

void screen_main_rest(MainUi *u)
{
    const Player *p = game_player(u->g);
    if (danger_in_view(u))
        return;
    static TravelSeen ts; /* the client's one rest at a time */
    ts.n = 0;
    travel_newcomer(&ts, &u->seen);
    int healing = p->health < p->max_health || p->mana < p->max_mana;
    int limit = healing ? REST_MAX_TURNS : REST_FULL_TURNS, rested = 0, alarm = 0;
    const char *why = NULL;
    char reason[240];
    while (rested < limit) {
        if (term_signal())
            return;
        Action a = {.kind = ACT_WAIT, .count = limit - rested < REST_BATCH ? limit - rested : REST_BATCH};
        ActionResult r;
        Err err = {0};
        int health = p->health;
        if (game_apply(u->g, &a, &r, &err) != MA_OK) {
            log_add(&u->log, SEV_BAD, (long)game_clock(u->g), "%s", err.msg);
            return;
        }
        panel_mark_stale(&u->panel);
        panel_after_events(&u->panel, &r);
        int attacked = r.attacked || p->health < health;
        for (int i = 0; i < r.n_events; i++)
            log_add(&u->log, r.events[i].severity, (long)game_clock(u->g), "%s", r.events[i].text);
        rested += r.turns > 0 ? r.turns : a.count;
        screen_main_draw(u);
        why = stop_reason(u, &ts, attacked, reason, sizeof reason, &alarm);
        if (!why && healing && p->health >= p->max_health && p->mana >= p->max_mana)
            why = "health and mana are full";
        if (why)
            break;
    }
    log_add(&u->log, alarm ? SEV_WARN : SEV_INFO, (long)game_clock(u->g), "Rested %d turn%s%s%s.", rested,
            rested == 1 ? "" : "s", why ? ": " : "", why ? why : "");
}
