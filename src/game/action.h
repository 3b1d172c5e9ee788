/* action.h — everything a player can do, as data.
 *
 * The key table (ui/keys.c) maps keys to Actions, `play --script` parses
 * text lines into Actions (action_parse), and tests build them directly;
 * all of them are carried out by one function, game_apply (game.h). */
#ifndef MA_GAME_ACTION_H
#define MA_GAME_ACTION_H

#include "util/err.h"

typedef enum Dir {
    DIR_NONE = -1,
    DIR_N, DIR_NE, DIR_E, DIR_SE, DIR_S, DIR_SW, DIR_W, DIR_NW,
    DIR_UP, DIR_DOWN,
    DIR_COUNT
} Dir;

typedef enum ActionKind {
    ACT_MOVE,  /* dir: one of the eight compass directions */
    ACT_UP,    /* climb a ladder or stairs */
    ACT_DOWN,  /* go down a ladder or stairs */
    ACT_DIG,   /* dir: compass, up or down */
    ACT_PLACE, /* dir: compass, up or down; block: name, or "" for the one in hand */
    ACT_WAIT,  /* count: turns */
    ACT_SELECT,/* block: the item to hold */
    ACT_COUNT_
} ActionKind;

typedef struct Action {
    ActionKind kind;
    Dir dir;
    int count;
    char block[32];
} Action;

/* "n" "ne" ... "up" "down" (or "north" ...) -> Dir; DIR_NONE when unknown. */
Dir dir_parse(const char *word);
const char *dir_name(Dir d);
/* Horizontal offsets of a compass direction (0, 0 for up/down); north is -z. */
void dir_delta(Dir d, int *dx, int *dz);

/* Parses one script line ("move n", "dig down", "place e planks", "wait 3").
 * Returns 1 for an action, 0 for a blank or comment line, or a negative
 * status with err saying what is wrong with the line. */
int action_parse(const char *line, Action *out, Err *err);

/* The script word of an action kind ("move", "dig", ...). */
const char *action_name(ActionKind k);

#endif
