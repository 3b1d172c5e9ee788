/* screen_main_ui.h — the main screen's state, shared by its three files only: screen_main.c (the
 * loop, drawing, actions, look), screen_main_keys.c (what each key does) and screen_travel.c
 * (travel and rest, drawn as they go). Not for other screens: they get what they need as
 * arguments. */
#ifndef MA_UI_SCREEN_MAIN_UI_H
#define MA_UI_SCREEN_MAIN_UI_H

#include <stddef.h>
#include <stdint.h>

#include "agents/agents.h"
#include "agents/agents_llm.h"
#include "autobackup.h"
#include "game/game.h"
#include "keys.h"
#include "screen_log.h"
#include "screen_panel.h"
#include "sync/sync.h"
#include "world/render.h"

#define TRAVEL_SEEN_MAX 1024 /* what travel and rest remember having seen this session */

typedef enum Mode { MODE_MAP, MODE_DIR, MODE_LOOK } Mode;

typedef struct MainUi {
    Save *s;
    Game *g;
    MsgLog log;
    Mode mode;
    KeyCmd pending;  /* KC_DIG, KC_PLACE, KC_ATTACK, KC_SHOOT, KC_CAST or KC_TALK while asking for a direction */
    char spell[32];  /* the spell chosen for KC_CAST */
    int view_dy;     /* [ and ]: the level shown, relative to the feet */
    int section;     /* X: the cross-section instead of the top-down map */
    int lx, lz;      /* look cursor, relative to the character */
    char status[640];
    RenderCell *cells;
    int cells_section; /* the cells are a cross-section (else the slice at the level shown) */
    size_t cells_cap;
    SeenList seen;     /* who the last drawn map showed */
    PanelState panel;  /* the side panel: its minimap, tracked quest, names */
    AutoBackup backup; /* a backup when a new game day begins */
    Agents *agents;    /* the world's agents, attached to the game (NULL with MAGIC_AGENTS=off) */
    struct {           /* what the last drawn map showed (see shift_with_step) */
        int valid, view_dy, section, map_w, map_h, cols, lines;
        int32_t x, y, z;
    } shown;
    AgentsLlm *llm;    /* the LLM session, NULL when off */
    int llm_talk;      /* a talk begins: ask for the villager's line at the next wait */
    int llm_news;      /* lines logged since the last draw */
    int at_map;        /* the map's own loop is waiting for a key (other screens are not redrawn for news) */
    SyncSession *sync; /* a shared world's sync in the background, NULL when the world is not shared */
    int sync_news;     /* a sync finished since the last draw */
} MainUi;

/* ---- layout ---- */
typedef struct Layout {
    int map_w, map_h, panel_x, panel_w, status_y, log_y, log_h;
} Layout;

/* Where each part of the screen goes at the terminal's size now. */
Layout screen_main_layout(void);
/* Draws the whole screen. */
void screen_main_draw(MainUi *u);
/* Applies a through game_apply and logs what happened (res may be NULL): 1 done, 0 refused,
 * negative on an error (said in the log). */
int screen_main_act(MainUi *u, const Action *a, ActionResult *res);
/* Travels (game_travel) to the look cursor (to_cursor) or the nearest unexplored ground, drawing
 * each step; refused with a threat in view (panel_first_threat). Besides the game's own stops
 * (an attack, harm, no way, GAME_TRAVEL_STEPS), it stops when a threat comes into view or
 * someone new does (a villager not met, a creature that fights back, an item). */
void screen_main_travel(MainUi *u, int to_cursor);
/* Travel toward the nearest place of a kind ("ruins"), as travel to a cell: to its middle, or,
 * when that is farther than one travel goes, to a cell on the way. */
void screen_main_travel_place(MainUi *u, const char *kind);
/* Rests (game_rest) until health and mana are full, drawing as it goes; refused with danger in
 * view, stopped by an attack, harm, danger or a newcomer in view (as travel). */
void screen_main_rest(MainUi *u);
/* Says what is at the look cursor on the status line (log_it: in the log too). */
void screen_main_describe_spot(MainUi *u, int log_it);
/* Starts a sync of the shared world in the background (quiet: say nothing unless it fails). */
void screen_main_sync_now(MainUi *u, int quiet);
/* The keys: on the map (0 go on, 1 quit, -2 a signal), in the direction prompt, in look mode. */
int screen_main_key_map(MainUi *u, int ch);
void screen_main_key_dir(MainUi *u, int ch);
void screen_main_key_look(MainUi *u, int ch);

#endif
