/* screen_travel.c — walking and waiting many turns at a key: travel (explore the nearest ground
 * not seen yet, or walk to the look cursor) and rest, both the game's (game_travel, game_rest),
 * drawn as they go. The game stops them for an attack or harm; the client adds its own stops
 * for what its map shows: a threat in view or someone new. */
#include "screen_main_ui.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/game_travel.h"
#include "game/quest.h"
#include "screen_panel.h"
#include "term.h"

/* Who has been in view this session: an entity by its id, or (without one) by what it is and
 * where it lies. Kept from travel to travel and rest to rest (what was left behind one travel
 * and comes into view on the next is not new), the oldest forgotten first when it is full. */
#define VILLAGE_STOPS 8
#define VILLAGE_REACH 32 /* villagers this near one travel stopped for are of the same village */
typedef struct TravelSeen {
    char key[TRAVEL_SEEN_MAX][80];
    int n, next; /* n: how many are held; next: where the next one goes once full */
    int32_t stop_at[VILLAGE_STOPS][2]; /* where the strangers travel stopped for stood (x, z) */
    int n_stops;
} TravelSeen;

/* Whether a villager at (x, z) stands within VILLAGE_REACH of one travel stopped for already. */
static int near_a_stop(const TravelSeen *ts, int32_t x, int32_t z)
{
    int n = ts->n_stops < VILLAGE_STOPS ? ts->n_stops : VILLAGE_STOPS;
    for (int i = 0; i < n; i++)
        if (abs(ts->stop_at[i][0] - x) <= VILLAGE_REACH && abs(ts->stop_at[i][1] - z) <= VILLAGE_REACH)
            return 1;
    return 0;
}
static TravelSeen g_seen; /* the client's one session */

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
 * danger in view. A village's strangers stop it once: after one, those
 * standing near where that one stood come into view without a stop (walking
 * up to a village had stopped travel for each of its people in turn). */
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
        int at = ts->n < TRAVEL_SEEN_MAX ? ts->n++ : ts->next++ % TRAVEL_SEEN_MAX;
        snprintf(ts->key[at], sizeof ts->key[0], "%s", key);
        /* A deer or a boar that only fights back is no reason to stop (travel stopped every few
         * steps in the wilds); a hostile one, or one angered, is. */
        int ignore = !s->in_sight || (s->kind == SEEN_VILLAGER && (s->met || near_a_stop(ts, s->x, s->z))) ||
                     (s->kind == SEEN_CREATURE && !s->hostile);
        if (!first && !ignore)
            first = s;
    }
    if (first && first->kind == SEEN_VILLAGER) {
        int at = ts->n_stops++ % VILLAGE_STOPS;
        ts->stop_at[at][0] = first->x;
        ts->stop_at[at][1] = first->z;
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

/* Why travel or a rest stops for what the map shows after its last action, into reason (NULL: it
 * goes on); *alarm set for danger. Attacks and harm are the game's to stop for. Reads what the map
 * shows now: draw first. */
static const char *stop_reason(MainUi *u, TravelSeen *ts, char *reason, size_t size, int *alarm)
{
    const Seen *danger = panel_first_threat(&u->seen);
    const Seen *newcomer = travel_newcomer(ts, &u->seen);
    char what[200];
    if (danger) {
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

/* One travel's hook state: the client's view of each step. */
typedef struct TravelView {
    MainUi *u;
    TravelSeen *ts;
    int32_t x, z; /* where the last step began */
} TravelView;

/* After each step of game_travel (each batch of game_rest): log it, draw it, and stop for what the
 * map shows. */
static int travel_step(void *ud, const ActionResult *r, char *why, size_t size, int *alarm)
{
    TravelView *v = ud;
    MainUi *u = v->u;
    panel_mark_stale(&u->panel);
    panel_after_events(&u->panel, r);
    for (int i = 0; i < r->n_events; i++)
        log_add(&u->log, r->events[i].severity, (long)game_clock(u->g), "%s", r->events[i].text);
    if (!r->ok)
        return 0; /* nobody moved: the game plans again */
    const Player *p = game_player(u->g);
    int moved = p->x != v->x || p->z != v->z;
    for (Dir d = DIR_N; d <= DIR_NW; d++) { /* the minimap's arrow: the way the step went */
        int dx, dz;
        dir_delta(d, &dx, &dz);
        if (p->x - v->x == dx && p->z - v->z == dz)
            u->panel.heading = d;
    }
    v->x = p->x;
    v->z = p->z;
    if (term_signal())
        return -1;
    screen_main_draw(u);
    if (moved)
        napms(15); /* a walk the eye can follow; a rest goes at once */
    return stop_reason(u, v->ts, why, size, alarm) ? 1 : 0;
}

static void travel(MainUi *u, const TravelTo *to_where);

void screen_main_travel(MainUi *u, int to_cursor)
{
    const Player *p = game_player(u->g);
    TravelTo to = {.explore = !to_cursor};
    if (to_cursor) {
        to.x = p->x + u->lx;
        to.z = p->z + u->lz;
        u->mode = MODE_MAP;
        u->lx = u->lz = 0;
    }
    travel(u, &to);
}

void screen_main_travel_place(MainUi *u, const char *kind)
{
    const Player *p = game_player(u->g);
    char way[160];
    GenStructure st;
    if (!quest_place_nearest(u->g, kind, &st)) {
        quest_place_way(u->g, kind, way, sizeof way); /* "no ruins within 640 blocks" */
        log_add(&u->log, SEV_INFO, (long)game_clock(u->g), "%c%s.", toupper((unsigned char)way[0]), way + 1);
        return;
    }
    int dx, dz, far = quest_place_offset(u->g, &st, &dx, &dz);
    const int leg = GAME_WALK_MAX - 10; /* a cell on the way, within one travel */
    TravelTo to = {.explore = 0, .x = p->x + (far > leg ? dx * leg / far : dx),
                   .z = p->z + (far > leg ? dz * leg / far : dz)};
    if (danger_in_view(u)) /* before "You set off", which it had followed at once */
        return;
    log_add(&u->log, SEV_INFO, (long)game_clock(u->g), "You set off for %s (%s %d).", st.name, panel_compass(dx, dz),
            far);
    travel(u, &to);
}

static void travel(MainUi *u, const TravelTo *to_where)
{
    const Player *p = game_player(u->g);
    TravelTo to = *to_where;
    if (danger_in_view(u))
        return;
    travel_newcomer(&g_seen, &u->seen); /* what is in view as it starts is not news */
    TravelView view = {u, &g_seen, p->x, p->z};
    TravelHooks hooks = {travel_step, &view};
    ActionResult r;
    Err err = {0};
    if (game_travel(u->g, &to, &hooks, &r, &err) != MA_OK) {
        log_add(&u->log, SEV_BAD, (long)game_clock(u->g), "%s", err.msg);
        return;
    }
    if (r.n_events == 0 && !r.ok) /* not a step: why not */
        log_add(&u->log, SEV_INFO, (long)game_clock(u->g), "%c%s.", toupper((unsigned char)r.text[0]), r.text + 1);
    for (int i = 0; i < r.n_events; i++)
        log_add(&u->log, r.events[i].severity, (long)game_clock(u->g), "%s", r.events[i].text);
}

void screen_main_rest(MainUi *u)
{
    if (danger_in_view(u))
        return;
    travel_newcomer(&g_seen, &u->seen); /* what is in view as it starts is not news */
    const Player *p = game_player(u->g);
    TravelView view = {u, &g_seen, p->x, p->z};
    TravelHooks hooks = {travel_step, &view};
    ActionResult r;
    Err err = {0};
    if (game_rest(u->g, &hooks, &r, &err) != MA_OK) {
        log_add(&u->log, SEV_BAD, (long)game_clock(u->g), "%s", err.msg);
        return;
    }
    for (int i = 0; i < r.n_events; i++)
        log_add(&u->log, r.events[i].severity, (long)game_clock(u->g), "%s", r.events[i].text);
}
