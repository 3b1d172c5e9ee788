/* keys.c — the key table (see keys.h). */
#include "keys.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "game/action.h"

#define ESC 27
#define CTRL(c) ((c) & 0x1f)
#define MOVING (KCTX_MAP | KCTX_DIR | KCTX_LOOK)

static const KeyBinding g_keys[] = {
    {{'k', KEY_UP, '8', 0}, MOVING, KC_MOVE, DIR_N, "move north (look: cursor north)"},
    {{'j', KEY_DOWN, '2', 0}, MOVING, KC_MOVE, DIR_S, "move south"},
    {{'h', KEY_LEFT, '4', 0}, MOVING, KC_MOVE, DIR_W, "move west"},
    {{'l', KEY_RIGHT, '6', 0}, MOVING, KC_MOVE, DIR_E, "move east"},
    {{'y', KEY_A1, KEY_HOME, '7', 0}, MOVING, KC_MOVE, DIR_NW, "move north-west"},
    {{'u', KEY_A3, KEY_PPAGE, '9', 0}, MOVING, KC_MOVE, DIR_NE, "move north-east"},
    {{'b', KEY_C1, KEY_END, '1', 0}, MOVING, KC_MOVE, DIR_SW, "move south-west"},
    {{'n', KEY_C3, KEY_NPAGE, '3', 0}, MOVING, KC_MOVE, DIR_SE, "move south-east"},
    {{'<', 0}, KCTX_MAP | KCTX_DIR, KC_UP, 0, "go up a ladder or stairs (after D/P: up)"},
    {{'>', 0}, KCTX_MAP | KCTX_DIR, KC_DOWN, 0, "go down a ladder or stairs (after D/P: down)"},
    {{'D', 0}, KCTX_MAP, KC_DIG, 0, "dig: then a direction, < or >"},
    {{'P', 0}, KCTX_MAP, KC_PLACE, 0, "place the block in hand: then a direction, < or >"},
    {{'B', 0}, KCTX_MAP, KC_PICK_BLOCK, 0, "choose the block to hold"},
    {{'.', '5', KEY_B2, 0}, KCTX_MAP, KC_WAIT, 0, "wait a turn"},
    {{'Z', 0}, KCTX_MAP, KC_REST, 0, "rest until healed (or 100 turns); stops for danger"},
    {{'x', ';', 0}, KCTX_MAP | KCTX_LOOK, KC_LOOK, 0, "look mode: move a cursor, see what is there"},
    {{'[', 0}, KCTX_MAP | KCTX_LOOK, KC_VIEW_DOWN, 0, "view the level below (without moving)"},
    {{']', 0}, KCTX_MAP | KCTX_LOOK, KC_VIEW_UP, 0, "view the level above (without moving)"},
    {{'X', 0}, KCTX_MAP, KC_SECTION, 0, "cross-section view on/off"},
    {{'t', 0}, KCTX_MAP | KCTX_LOOK, KC_TRAVEL, 0, "travel: explore, or walk to the look cursor"},
    {{'M', 0}, KCTX_MAP, KC_MESSAGES, 0, "message history (type to filter)"},
    {{'i', 0}, KCTX_MAP, KC_INVENTORY, 0, "inventory"},
    {{'F', 0}, KCTX_MAP, KC_ATTACK, 0, "attack: then a direction (or walk into it)"},
    {{'f', 0}, KCTX_MAP, KC_SHOOT, 0, "fire a bow: then a direction (needs arrows)"},
    {{'z', 0}, KCTX_MAP, KC_CAST, 0, "cast a spell: choose it, then a direction"},
    {{'T', 0}, KCTX_MAP, KC_TALK, 0, "talk to someone: then a direction"},
    {{'g', ',', 0}, KCTX_MAP, KC_TAKE, 0, "take what lies here, or loot a chest by you"},
    {{'d', 0}, KCTX_MAP, KC_DROP, 0, "drop an item"},
    {{'p', 0}, KCTX_MAP, KC_STORE, 0, "put an item into the chest beside you"},
    {{'e', 0}, KCTX_MAP, KC_EQUIP, 0, "equip (wear or wield) an item"},
    {{'r', 0}, KCTX_MAP, KC_UNEQUIP, 0, "remove an equipped item"},
    {{'U', 0}, KCTX_MAP, KC_USE, 0, "use an item: eat, drink, read"},
    {{'R', 0}, KCTX_MAP, KC_REPAIR, 0, "repair an item (costs material)"},
    {{'c', 0}, KCTX_MAP, KC_CRAFT, 0, "craft: the recipes you know, what each needs"},
    {{'C', 0}, KCTX_MAP, KC_SHEET, 0, "character sheet (raise a stat after a level-up)"},
    {{'S', 0}, KCTX_MAP, KC_SKILLS, 0, "skills: trees, levels, what unlocks next, specialisations"},
    {{'q', 0}, KCTX_MAP, KC_QUESTS, 0, "quest log"},
    {{'A', 0}, KCTX_MAP, KC_ACHIEVEMENTS, 0, "achievements"},
    {{'s', 0}, KCTX_MAP, KC_STORY, 0, "story: read the passage in focus; a letter takes a choice"},
    {{'J', 0}, KCTX_MAP | KCTX_STORY, KC_JOURNAL, 0, "journal: your storylines and every choice you made"},
    {{'\t', 0}, KCTX_STORY, KC_STORY_NEXT, 0, "the next storyline you are in"},
    {{'t', 0}, KCTX_STORY, KC_STORY_GO, 0, "travel toward the place a choice waits for"},
    {{'H', 0}, KCTX_MAP, KC_CHRONICLE, 0, "chronicle: what happened in the world, and why"},
    {{'O', 0}, KCTX_MAP, KC_SYNC, 0, "sync now: send what you did, fetch what others did"},
    {{'o', 0}, KCTX_MAP, KC_SYNC_SCREEN, 0, "sync: what waits; conflicts, mine or theirs"},
    {{'Q', 0}, KCTX_MAP, KC_QUIT, 0, "quit (asks first; the game is always saved)"},
    {{'\n', '\r', KEY_ENTER, 0}, KCTX_LIST | KCTX_MENU | KCTX_LOOK, KC_SELECT, 0,
     "choose / show details / describe the spot"},
    {{KEY_UP, 0}, KCTX_LIST | KCTX_MENU | KCTX_STORY, KC_LIST_UP, 0, "previous line"},
    {{KEY_DOWN, 0}, KCTX_LIST | KCTX_MENU | KCTX_STORY, KC_LIST_DOWN, 0, "next line"},
    {{KEY_PPAGE, 0}, KCTX_LIST | KCTX_STORY, KC_PAGE_UP, 0, "previous page"},
    {{KEY_NPAGE, ' ', 0}, KCTX_LIST | KCTX_STORY, KC_PAGE_DOWN, 0, "next page"},
    {{'/', 0}, KCTX_LIST, KC_FILTER, 0, "filter a lettered list (else just type)"},
    {{KEY_BACKSPACE, 127, 8, 0}, KCTX_LIST, KC_ERASE, 0, "erase the last filter letter"},
    {{'?', 0}, KCTX_ANY, KC_HELP, 0, "help: the keys (type to search)"},
    {{ESC, 0}, KCTX_ANY, KC_BACK, 0, "back out one level"},
    {{CTRL('l'), 0}, KCTX_ANY, KC_REDRAW, 0, "redraw the screen"},
};

int keys_count(void) { return (int)(sizeof g_keys / sizeof g_keys[0]); }

const KeyBinding *keys_get(int i) { return i >= 0 && i < keys_count() ? &g_keys[i] : NULL; }

KeyCmd keys_lookup(int key, unsigned ctx, int *arg)
{
    for (int i = 0; i < keys_count(); i++) {
        if (!(g_keys[i].contexts & ctx))
            continue;
        for (int k = 0; k < KEYS_PER_ROW && g_keys[i].keys[k]; k++) {
            if (g_keys[i].keys[k] == key) {
                if (arg)
                    *arg = g_keys[i].arg;
                return g_keys[i].cmd;
            }
        }
    }
    return KC_NONE;
}

const char *keys_label(int key, char *buf, size_t size)
{
    static const struct {
        int key;
        const char *name;
    } names[] = {
        {KEY_UP, "Up"}, {KEY_DOWN, "Down"}, {KEY_LEFT, "Left"}, {KEY_RIGHT, "Right"},
        {KEY_HOME, "Home"}, {KEY_END, "End"}, {KEY_PPAGE, "PgUp"}, {KEY_NPAGE, "PgDn"},
        {KEY_A1, "Kp7"}, {KEY_A3, "Kp9"}, {KEY_B2, "Kp5"}, {KEY_C1, "Kp1"}, {KEY_C3, "Kp3"},
        {KEY_ENTER, "KpEnter"}, {KEY_BACKSPACE, "Backspace"}, {127, "Del"}, {8, "^H"},
        {'\n', "Enter"}, {'\r', "^M"}, {27, "Esc"}, {' ', "Space"}, {'\t', "Tab"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].key == key) {
            snprintf(buf, size, "%s", names[i].name);
            return buf;
        }
    if (key > 0 && key < 32)
        snprintf(buf, size, "^%c", key + 64);
    else if (key >= 32 && key < 127)
        snprintf(buf, size, "%c", key);
    else
        snprintf(buf, size, "key%d", key);
    return buf;
}

const char *keys_row_label(const KeyBinding *b, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int k = 0; k < KEYS_PER_ROW && b->keys[k]; k++) {
        if (b->keys[k] == '\r')
            continue; /* the same key as Enter for a reader */
        char one[16];
        keys_label(b->keys[k], one, sizeof one);
        int n = snprintf(buf + len, size - len, "%s%s", len ? " " : "", one);
        if (n < 0 || (size_t)n >= size - len)
            break;
        len += (size_t)n;
    }
    return buf;
}

const char *keys_context_name(unsigned ctx)
{
    switch (ctx) {
    case KCTX_MAP: return "map";
    case KCTX_DIR: return "dir";
    case KCTX_LOOK: return "look";
    case KCTX_LIST: return "list";
    case KCTX_MENU: return "menu";
    case KCTX_STORY: return "story";
    default: return "all";
    }
}
