/* keys.h — the one key table.
 *
 * Each row binds one or more keys, in one or more contexts (screens), to a
 * command, with the description the help screen shows. The screens'
 * dispatchers ask keys_lookup; the help screen lists keys_get(0..count-1).
 * A new screen adds a context bit and its rows here. This file uses only
 * the curses key constants, never a curses function. */
#ifndef MA_UI_KEYS_H
#define MA_UI_KEYS_H

#include <stddef.h>

typedef enum KeyCmd {
    KC_NONE,
    KC_MOVE,        /* arg: Dir */
    KC_UP,          /* `<`: climb; in a direction prompt: up */
    KC_DOWN,        /* `>`: descend; in a direction prompt: down */
    KC_DIG,
    KC_PLACE,
    KC_PICK_BLOCK,
    KC_WAIT,
    KC_REST,        /* rest until healed (or a while), stopping for danger or newcomers */
    KC_LOOK,
    KC_VIEW_DOWN,
    KC_VIEW_UP,
    KC_SECTION,
    KC_TRAVEL,
    KC_MESSAGES,
    KC_INVENTORY,
    KC_HELP,
    KC_BACK,
    KC_QUIT,
    KC_SELECT,      /* Enter: choose / details */
    KC_LIST_UP,
    KC_LIST_DOWN,
    KC_PAGE_UP,
    KC_PAGE_DOWN,
    KC_FILTER,      /* `/`: start typing a filter in a lettered list */
    KC_ERASE,       /* Backspace: erase the filter's last character */
    KC_REDRAW,
    KC_ATTACK,      /* then a direction */
    KC_SHOOT,       /* then a direction */
    KC_CAST,        /* a spell, then a direction */
    KC_TALK,        /* then a direction */
    KC_TAKE,
    KC_DROP,
    KC_STORE,       /* put an item into the chest beside the player */
    KC_EQUIP,
    KC_UNEQUIP,
    KC_USE,
    KC_REPAIR,
    KC_CRAFT,
    KC_SHEET,
    KC_SKILLS,
    KC_QUESTS,
    KC_ACHIEVEMENTS,
    KC_STORY,       /* the story pane: the focused storyline's passage and choices */
    KC_JOURNAL,     /* the journal: storylines and the choices made in each */
    KC_STORY_NEXT,  /* in the story pane: the next storyline */
    KC_STORY_GO,    /* in the story pane: travel toward the place a choice waits for */
    KC_CHRONICLE,   /* the chronicle: what the world's agents changed, and why */
    KC_SYNC,        /* a shared world: sync now (in the background) */
    KC_SYNC_SCREEN, /* a shared world: its sync state and the conflicts to settle */
    KC_COUNT_
} KeyCmd;

/* Contexts (bits): where a row applies. */
enum {
    KCTX_MAP = 1 << 0,  /* the main screen */
    KCTX_DIR = 1 << 1,  /* "which direction?" after D, P, F, f, z or T */
    KCTX_LOOK = 1 << 2, /* look mode */
    KCTX_LIST = 1 << 3, /* lists: help, messages, inventory, menus */
    KCTX_MENU = 1 << 4, /* the title screen and its menus */
    KCTX_STORY = 1 << 5, /* the story pane (letters a-h take a choice) */
    KCTX_ANY = 0xff,
};

#define KEYS_PER_ROW 8

typedef struct KeyBinding {
    int keys[KEYS_PER_ROW]; /* 0-terminated */
    unsigned contexts;
    KeyCmd cmd;
    int arg;
    const char *desc;
} KeyBinding;

int keys_count(void);
const KeyBinding *keys_get(int i);
/* The command of `key` in context ctx (one KCTX_ bit); *arg gets the row's
 * argument. KC_NONE when the key means nothing there. */
KeyCmd keys_lookup(int key, unsigned ctx, int *arg);
/* A readable name for a key: "k", "Up", "Enter", "Kp7", "^L". */
const char *keys_label(int key, char *buf, size_t size);
/* All of a row's keys as "h Left 4". */
const char *keys_row_label(const KeyBinding *b, char *buf, size_t size);
/* The name of a context bit ("map", "look", ...). */
const char *keys_context_name(unsigned ctx);

#endif
