/* screen_panel.h — the main screen's side panel (screen_panel.c): who you are and where
 * (with how far below the surface), the time, the ground, the hand, the story in focus, the
 * tracked quest with its next objective, and everyone in view with direction, distance,
 * health and hostility. From 120 columns on the panel is wider and adds a minimap of the
 * ground seen this session with the way you are heading.
 *
 * The map (screen_main.c) tells the panel what it drew: each entity cell through
 * panel_note_entity. Nothing here acts
 * on the game; the quest log and the villagers' names are read again only when the caller
 * says that something happened (panel_mark_stale). */
#ifndef MA_UI_SCREEN_PANEL_H
#define MA_UI_SCREEN_PANEL_H

#include <stddef.h>
#include <stdint.h>

#include "game/action.h"
#include "game/game.h"
#include "game/npc.h"
#include "game/quest.h"
#include "world/generator.h"
#include "world/render.h"

#define PANEL_W_NARROW 26
#define PANEL_W_WIDE 40
#define PANEL_WIDE_FROM 120 /* columns */
#define SEEN_MAX 48

typedef enum SeenKind { SEEN_CREATURE, SEEN_VILLAGER, SEEN_ITEM, SEEN_OTHER } SeenKind;

/* One entity drawn on the map. */
typedef struct Seen {
    SeenKind kind;
    char name[64];   /* "giant spider", "Alda Greycloak" (a met villager's unique name), "torch" */
    char role[16];   /* a villager's role in words */
    char glyph[8];
    char ascii;
    uint8_t color256, color8;
    int32_t x, y, z; /* world cell */
    int dx, dy, dz;  /* from the player */
    int dist;        /* steps away (the larger of |dx| and |dz|) */
    int hp, max_hp;  /* -1 when unknown */
    int hostile;     /* attacks on sight: hostile kind, or a neutral one made angry */
    int neutral;     /* fights back when attacked */
    int count;       /* items: how many lie there */
    char counted[72]; /* items: the count as words ("4 torches", "3 bread") */
    int sight;       /* a creature: how far it notices the player (its kind's "sight"; 0 unknown) */
    char id[48];     /* the entity's id ("" when it has none) */
    int met;         /* a villager the player has met (known by name) */
    int in_sight;    /* no wall between it and the player (game_line_of_sight): the map shows every
                        open cell of the level, a zombie behind a house's wall too */
} Seen;

typedef struct SeenList {
    Seen v[SEEN_MAX];
    int n, total; /* total: every entity drawn, also those beyond SEEN_MAX */
} SeenList;

#define PANEL_MAX_STRUCTS 16

/* The nearest place of a kind and which way it lies, looked for again only when the kind
 * changes or the player has gone 8 blocks from where it was looked for. */
typedef struct PlaceWay {
    char kind[64];       /* "ruins", or a place's name ("Frosthaven"); "" not looked for */
    int32_t at[2];       /* where the player stood when it was looked for */
    int found;           /* -1: not looked for; 0: none near; 1: near */
    GenStructure near;
} PlaceWay;

typedef struct PanelState {
    uint32_t *mm;        /* minimap: MM_SIDE^2 cells of the biome at each (+1), 0 not looked up yet */
    int32_t mm_x0, mm_z0;
    GenStructure structs[PANEL_MAX_STRUCTS]; /* villages, ruins... near the player */
    int n_structs;       /* -1: not looked up yet */
    int32_t struct_at[2];
    Dir heading;         /* the way the last step went (DIR_NONE before one) */
    char tracked[64];    /* the quest followed in the panel (its name); "" the first active one */
    QuestView quest;     /* the tracked quest as last read */
    int has_quest;
    int quest_stale;
    PlaceWay quest_way;  /* the place the tracked quest's next objective is to reach */
    NpcName *names;      /* met villagers, for their unique names */
    int n_names;
    int names_stale;
    int32_t at[3];       /* where the depth and biome below were read (they change only with it) */
    int at_valid;
    char depth[48], biome[24];
    char story[64];      /* the storyline in focus ("" none) */
    int story_stale;
    char story_place[64]; /* the kind of place (or the place by name) a choice of its passage waits for ("" none) */
    int story_place_stale; /* read it again at the next draw (the story pane was open) */
    int32_t story_place_at[2]; /* where the player stood when it was read */
    int story_place_age;  /* draws since (it is read again every STORY_PLACE_EVERY) */
    PlaceWay story_way;
    int has_sync;        /* the world is synced: the lines below are shown */
    char sync[160];      /* its sync state ("synced 2 min ago", "offline, 12 waiting"...) */
    int sync_conflicts;  /* conflicts waiting for the player's word */
} PanelState;

/* Sets up the panel's memory around the start; panel_free releases it. */
void panel_init(PanelState *ps, const Game *g);
void panel_free(PanelState *ps);
/* Something happened (an action, a talk, a choice): the quest, names and story are read again. */
void panel_mark_stale(PanelState *ps);
/* After an action: a villager met gets the name the game gave them (read again lazily). Talking
 * may meet one too: call panel_mark_names after a conversation. */
void panel_after_events(PanelState *ps, const ActionResult *r);
#define panel_mark_names(ps) ((ps)->names_stale = 1)
/* The story pane was open (a choice may have been taken): what its passage waits for is read
 * again at the next draw. Otherwise it is read again when the storyline in focus changes, every
 * 4 blocks walked and every STORY_PLACE_EVERY draws: reading it costs about 0.1 ms. */
#define panel_mark_story(ps) ((ps)->story_place_stale = 1)
#define STORY_PLACE_EVERY 8

/* The panel's width at this many columns. */
int panel_width(int cols);

/* Adds the entity standing at world cell (x, y, z) to the list (looked up in its chunk). */
void panel_note_entity(PanelState *ps, Game *g, SeenList *seen, int32_t x, int32_t y, int32_t z);
/* Orders the list: hostile creatures first, nearest first, then other creatures, villagers, items. */
void panel_sort_seen(SeenList *seen);
/* Fills *out with the entity at world cell (x, y, z) as the panel would show it; 0 when none. */
int panel_entity_at(PanelState *ps, Game *g, int32_t x, int32_t y, int32_t z, Seen *out);
/* The nearest hostile creature of the list, or NULL. */
const Seen *panel_first_hostile(const SeenList *seen);
/* "giant spider to the north-east, 5 away, 12/15 health, hostile" — for messages and look. */
void panel_seen_words(const Seen *s, char *buf, size_t size);
/* "N", "NE", ... for an offset (north is -z); "here" for none. */
const char *panel_compass(int dx, int dz);
/* How far past a hostile creature's sight it still counts as a threat to travel and rest. */
#define PANEL_THREAT_MARGIN 4
/* The nearest hostile creature close enough to notice the player soon (within its sight and
 * PANEL_THREAT_MARGIN; any distance when its sight is unknown), or NULL: what travel and rest
 * will not go on with. A scorpion far off in the sand, which has not seen you, is not one. */
const Seen *panel_first_threat(const SeenList *seen);

/* "12 below the surface", "on the surface", "3 above the ground": where (x, y, z) is (a feet
 * cell) against the generated terrain there (under the sea, against the water's top); one
 * block over the terrain (a road, a floor) is still on the surface. */
void panel_depth_words(Game *g, int32_t x, int32_t y, int32_t z, char *buf, size_t size);

/* Draws the panel from column x, width w, rows 0 .. rows-1. view_dy and section say what the
 * map shows; seen is what it drew. */
void panel_draw(PanelState *ps, Game *g, const SeenList *seen, int x, int w, int rows, int view_dy, int section);

#endif
