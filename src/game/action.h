/* action.h — everything a player can do, as data.
 *
 * The key table (ui/keys.c) maps keys to Actions, `play --script` parses
 * text lines into Actions (action_parse), and tests build them directly;
 * all of them are carried out by one function, game_apply (game.h). */
#ifndef MA_GAME_ACTION_H
#define MA_GAME_ACTION_H

#include <stdint.h>

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
    ACT_ATTACK,  /* dir: bump-attack what stands there */
    ACT_SHOOT,   /* dir: a ranged attack along a line */
    ACT_CAST,    /* arg: spell; dir */
    ACT_TALK,    /* dir: talk to who stands there */
    ACT_SAY,     /* count: the reply picked (1-based) */
    ACT_TAKE,    /* pick up what lies here (or open the chest ahead and take from it) */
    ACT_DROP,    /* arg: item; count */
    ACT_EQUIP,   /* arg: item */
    ACT_UNEQUIP, /* arg: item or slot */
    ACT_USE,     /* arg: item (eat, drink, read) */
    ACT_CRAFT,   /* arg: recipe; count */
    ACT_QUEST_ACCEPT, /* arg: quest title */
    ACT_LEVELUP, /* arg: the stat to raise */
    ACT_REPAIR,  /* arg: item */
    ACT_SPECIALIZE, /* arg: skill; block: the specialisation */
    ACT_QUEST_SHARE, /* arg: quest; target: another character of the same player */
    ACT_STORY,   /* show the focused storyline's passage and choices */
    ACT_CHOOSE,  /* count: the choice taken (1-based) in the focused storyline */
    ACT_STORY_FOCUS, /* arg: the title of the storyline to put in focus */
    ACT_STORE,   /* arg: item; count (0: all of it): put it into the chest beside the player */
    ACT_WALK,    /* x, z: walk there by the fewest steps (game_walk: one move action a step) */
    ACT_REST,    /* wait until health and mana are full (game_rest: ten turns an action) */
    ACT_EXPLORE, /* walk toward the nearest ground not explored yet (game_travel) */
    ACT_COUNT_
} ActionKind;

typedef struct Action {
    ActionKind kind;
    Dir dir;
    int count;
    char block[32];
    char arg[64]; /* item, recipe, quest, stat or spell name, or a story's title */
    char target[65]; /* a character's name */
    int32_t x, z;    /* ACT_WALK: where to (when arg is "": else arg is a kind of place, "ruins") */
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
