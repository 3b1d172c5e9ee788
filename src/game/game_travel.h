/* game_travel.h — travel and rest: many steps, or many turns, for one key or one script word.
 *
 * Exploring walks to the nearest ground the player has not been near yet; travel to a cell walks
 * there (or beside it, when it cannot be stood on). The way is planned by game_plan_walk and
 * planned again as it goes (at the end of each leg, and when someone steps into the way); each
 * step is a move action of its own through game_apply, committed as it is taken, so a travel cut
 * short keeps the steps it took. Travel stops when a creature strikes at the player or something
 * hurts them, when there is no way on, after GAME_TRAVEL_STEPS steps, or when the caller's hook
 * says so (the client stops for what its map shows: danger, someone new).
 *
 * The explored map is what the player has been near this session: the ground within half the
 * sight radius of every place they stood after an action (game_apply marks it), in a square of
 * GAME_EXPLORED_SIDE cells around where the game began. Ground outside that square counts as
 * explored. It is not saved: a new session explores afresh. */
#ifndef MA_GAME_GAME_TRAVEL_H
#define MA_GAME_GAME_TRAVEL_H

#include <stddef.h>
#include <stdint.h>

#include "game/game.h"

#define GAME_TRAVEL_STEPS 60   /* the most steps one exploring takes (to a cell: GAME_WALK_MAX) */
#define GAME_TRAVEL_RADIUS 40  /* how far around a walk is planned (a square) */
#define GAME_TRAVEL_MARGIN 24  /* to a cell: that far past it, to go round what is between */
#define GAME_TRAVEL_REPLANS 8  /* steps refused (someone in the way) before travel gives up */
#define GAME_EXPLORED_SIDE 1024
#define GAME_SIGHT_DAY 24      /* how far the player sees by day, in cells */
#define GAME_SIGHT_NIGHT 9     /* and by night (lights aside) */

/* How far the player sees now (less at night). */
int game_sight_radius(const Game *g);
/* Whether the player could see the cell (x, y, z) from where they stand: along the straight line
 * between them on the ground's plane, no cell is opaque at both the player's feet and eye levels
 * (stone, planks, a door; leaves, glass and water let sight through). Only what a wall hides is
 * hidden: distance and the dark are game_sight_radius's. A zombie behind a house's wall is no
 * danger in view for a rest or a travel. */
int game_line_of_sight(Game *g, int32_t x, int32_t y, int32_t z);
/* Whether the ground at (x, z) is explored (1 outside the map, and when it could not be made). */
int game_explored(Game *g, int32_t x, int32_t z);
/* Marks the ground within r of (x, z) as explored. */
void game_explored_mark(Game *g, int32_t x, int32_t z, int r);
/* Marks the ground around the player (half the sight radius): game_apply calls it after each action. */
void game_explored_mark_here(Game *g);

/* How far past a hostile creature's sight it still counts as danger to travel and rest (the
 * client's PANEL_THREAT_MARGIN says the same for what its map shows). */
#define GAME_THREAT_MARGIN 4
/* The nearest hostile creature (or an angered one) within its sight and GAME_THREAT_MARGIN of the
 * player (creatures_nearest_threat), in words ("wolf to the north-east, 6 away"): 1, or 0 when none.
 * Travel and rest without a hook (a script: no map) refuse and stop for it. */
int game_threat_near(Game *g, char *what, size_t size);

/* Where travel goes: the nearest ground not explored (explore), or cell (x, z). */
typedef struct TravelTo {
    int explore;
    int32_t x, z;
} TravelTo;

/* Called after each step with its result (the step's events are the hook's to show; without a
 * hook they go into the travel's result). Returns 0 to go on; 1 to stop, with the reason in why
 * (words after "Travelled N steps: ") and *alarm set when it is a warning; -1 to stop without a
 * word (the client is closing). */
typedef struct TravelHooks {
    int (*step)(void *ud, const ActionResult *step, char *why, size_t size, int *alarm);
    void *ud;
} TravelHooks;

/* Travels (see the top of this file); hooks may be NULL. res: refused when no step could be
 * taken ("everything you can walk to nearby is explored (40 steps around)", "no way there from
 * here ..."), else ok, with the last event "Travelled N steps: why." (a warning when it stopped
 * for an attack or harm; why is "arrived" at the cell). Returns an error only when a step could
 * not be saved; the steps before it stay. */
int game_travel(Game *g, const TravelTo *to, const TravelHooks *hooks, ActionResult *res, Err *err);

#define GAME_REST_BATCH 10  /* turns of rest an action (a transaction) */
#define GAME_REST_IDLE 100  /* a rest when nothing needs healing: time passing */

/* Rests: waits GAME_REST_BATCH turns an action (each committed, as a step of travel is) until
 * health and mana are full (as long as that takes: a point of health every 10 turns, of mana
 * every 5); GAME_REST_IDLE turns when they are full already. Stops when a creature strikes at the player or something hurts them, or when the
 * hook says so (called after each batch, as for travel). res: ok, with the last event
 * "Rested N turns: why." ("health and mana are full"; a warning for an attack). Returns an error
 * only when a batch could not be saved; the turns before it stay. */
int game_rest(Game *g, const TravelHooks *hooks, ActionResult *res, Err *err);

#endif
