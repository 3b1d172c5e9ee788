/* screen_main_keys.c — the main screen's keys: on the map (by group: acting, the view, what is
 * carried, the other screens), in the direction prompt and in look mode. Each key is looked up
 * in the key table (keys.c) and becomes one Action through screen_main_act, or a screen. */
#include "screen_main_ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/inventory.h"
#include "game/creatures.h"
#include "screen_achievements.h"
#include "screen_chronicle.h"
#include "screen_craft.h"
#include "screen_help.h"
#include "screen_inventory.h"
#include "screen_messages.h"
#include "screen_lists.h"
#include "screen_quests.h"
#include "screen_sheet.h"
#include "screen_skills.h"
#include "term.h"
#include "screen_story.h"
#include "screen_sync.h"
#include "screen_talk.h"



/* ---- the map's keys, by group: each handles its own commands and returns NOT_MINE for the
 * rest; otherwise 0 (go on), 1 (quit) or -2 (a signal). ---- */
#define NOT_MINE (-100)

/* What to take from a chest of several things: everything (arg ""), or one of them (its name into
 * arg); 0 when the player backs out. A pile underfoot or a chest of one thing: no question. */
static int take_which(MainUi *u, char *arg, size_t size)
{
    InventoryChoice ch[INVENTORY_CHEST_STACKS];
    int n = inventory_chest_choices(u->g, ch, INVENTORY_CHEST_STACKS);
    arg[0] = '\0';
    if (n < 2)
        return 1;
    ListItem items[INVENTORY_CHEST_STACKS + 1];
    memset(items, 0, sizeof items);
    snprintf(items[0].text, sizeof items[0].text, "everything");
    for (int i = 0; i < n; i++)
        items_count_words(inventory_items(u->g), ch[i].item, ch[i].count, items[i + 1].text, sizeof items[i + 1].text);
    ListSpec spec = {.title = "Take what from the chest?", .items = items, .n = n + 1, .lettered = 1,
                     .selectable = 1, .help_ctx = KCTX_LIST};
    int pick = list_run(&spec);
    if (pick < 0)
        return 0;
    if (pick > 0)
        snprintf(arg, size, "%s", ch[pick - 1].item);
    return 1;
}

/* Moving, waiting, and the actions that ask for a direction next. */
static int map_key_act(MainUi *u, KeyCmd cmd, int arg)
{
    Action a = {0};
    if (cmd == KC_PLACE && !game_player(u->g)->hand[0]) {
        /* An empty hand: choose the block now, then the direction (the next key had been taken as
         * a move after "Your hand is empty"). */
        char name[64];
        Action sel = {.kind = ACT_SELECT};
        if (!screen_inventory_pick_block(u->g, name, 32)) {
            log_add(&u->log, SEV_WARN, (long)game_clock(u->g), "Your hand is empty: B chooses a block to place.");
            return 0;
        }
        snprintf(sel.block, sizeof sel.block, "%s", name);
        if (screen_main_act(u, &sel, NULL) != 1 || !game_player(u->g)->hand[0])
            return 0;
    }
    switch (cmd) {
    case KC_MOVE: a.kind = ACT_MOVE, a.dir = (Dir)arg; break;
    case KC_UP: a.kind = ACT_UP; break;
    case KC_DOWN: a.kind = ACT_DOWN; break;
    case KC_WAIT: a.kind = ACT_WAIT, a.count = 1; break;
    case KC_TAKE:
        a.kind = ACT_TAKE;
        if (!take_which(u, a.arg, sizeof a.arg))
            return 0;
        break;
    case KC_PLACE:
    case KC_DIG:
    case KC_ATTACK:
    case KC_SHOOT:
    case KC_TALK:
        u->mode = MODE_DIR;
        u->pending = cmd;
        return 0;
    default: return NOT_MINE;
    }
    screen_main_act(u, &a, NULL);
    return 0;
}

/* Where the map looks: look mode, the level shown, the cross-section, travel. */
static int map_key_view(MainUi *u, KeyCmd cmd)
{
    switch (cmd) {
    case KC_LOOK:
        u->mode = MODE_LOOK;
        u->lx = u->lz = 0;
        u->section = 0;
        screen_main_describe_spot(u, 0);
        return 0;
    case KC_VIEW_DOWN: u->view_dy--; return 0;
    case KC_VIEW_UP: u->view_dy++; return 0;
    case KC_SECTION:
        u->section = !u->section;
        log_add(&u->log, SEV_INFO, (long)game_clock(u->g), u->section ? "Cross-section view (looking north). X returns to the map."
                                                                     : "Map view.");
        return 0;
    case KC_BACK:
        u->view_dy = 0;
        u->section = 0;
        return 0;
    case KC_TRAVEL: screen_main_travel(u, 0); return 0;
    case KC_REST: screen_main_rest(u); return 0;
    default: return NOT_MINE;
    }
}

/* The spell to cast: a list of them, then a direction. */
static void map_key_cast(MainUi *u)
{
    const CreatureBook *book = game_creatures(u->g);
    int n = creatures_spell_count(book);
    ListItem *items = calloc((size_t)(n > 0 ? n : 1), sizeof *items);
    if (!items)
        return;
    char why[32][120];
    for (int i = 0; i < n && i < 32; i++) {
        const SpellDef *sp = creatures_spell_at(book, i);
        snprintf(items[i].text, sizeof items[i].text, "%s", sp->title[0] ? sp->title : sp->name);
        /* A spell this character cannot cast is dimmed and says why (a cleric had been offered
         * Firebolt, then refused). */
        if (combat_may_cast(u->g, sp, why[i], sizeof why[i])) {
            snprintf(items[i].detail, sizeof items[i].detail, "%d mana", sp->mana);
        } else {
            snprintf(items[i].text + strlen(items[i].text), sizeof items[i].text - strlen(items[i].text), " (%s)",
                     why[i]);
            items[i].attr = term_role(ROLE_DIM);
        }
    }
    ListSpec spec = {.title = "Cast which spell?", .items = items, .n = n, .lettered = 1, .selectable = 1,
                     .help_ctx = KCTX_LIST};
    int pick = list_run(&spec);
    free(items);
    if (pick >= 0 && pick < 32 && why[pick][0]) {
        log_add(&u->log, SEV_WARN, (long)game_clock(u->g), "You cannot cast %s: it %s.",
                creatures_spell_at(book, pick)->name, why[pick]);
    } else if (pick >= 0 && creatures_spell_at(book, pick)->effect == SPELL_HEAL) {
        /* On oneself: cast at once (it had asked "Cast in which direction?"). */
        Action a = {.kind = ACT_CAST, .dir = DIR_NONE};
        snprintf(a.arg, sizeof a.arg, "%s", creatures_spell_at(book, pick)->name);
        screen_main_act(u, &a, NULL);
    } else if (pick >= 0) {
        snprintf(u->spell, sizeof u->spell, "%s", creatures_spell_at(book, pick)->name);
        u->mode = MODE_DIR;
        u->pending = KC_CAST;
    }
}

/* What is carried: the block in hand, an item to drop, wear, take off, use or repair, crafting,
 * a spell. */
static int map_key_items(MainUi *u, KeyCmd cmd)
{
    static const struct { KeyCmd cmd; ActionKind kind; ItemPick what; const char *title; } picks[] = {
        {KC_DROP, ACT_DROP, PICK_ANY, "Drop what?"}, {KC_STORE, ACT_STORE, PICK_ANY, "Put what into the chest?"},
        {KC_EQUIP, ACT_EQUIP, PICK_EQUIP, "Equip what?"},
        {KC_UNEQUIP, ACT_UNEQUIP, PICK_WORN, "Take off what?"}, {KC_USE, ACT_USE, PICK_USE, "Use what?"},
        {KC_REPAIR, ACT_REPAIR, PICK_REPAIR, "Repair what?"},
    };
    Action a = {0};
    char name[160];
    if (cmd == KC_PICK_BLOCK) {
        if (screen_inventory_pick_block(u->g, name, 32)) {
            a.kind = ACT_SELECT;
            snprintf(a.block, sizeof a.block, "%s", name);
            if (screen_main_act(u, &a, NULL) == 1) {
                char words[64];
                log_add(&u->log, SEV_INFO, (long)game_clock(u->g), "You hold %s.",
                        items_title_words(inventory_items(u->g), name, words, sizeof words));
            }
        }
        return 0;
    }
    if (cmd == KC_CRAFT) {
        int count = 1;
        if (screen_craft_run(u->g, name, 64, &count) > 0) {
            a.kind = ACT_CRAFT;
            a.count = count;
            snprintf(a.arg, sizeof a.arg, "%s", name);
            screen_main_act(u, &a, NULL);
        }
        return 0;
    }
    if (cmd == KC_CAST) {
        map_key_cast(u);
        return 0;
    }
    if (cmd == KC_STORE && !inventory_chest_near(u->g)) {
        log_add(&u->log, SEV_WARN, (long)game_clock(u->g), "No chest beside you: place one (P) and stand by it.");
        return 0;
    }
    for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++) {
        if (picks[i].cmd != cmd)
            continue;
        int got = screen_inventory_pick_item(u->g, picks[i].title, picks[i].what, name, sizeof name);
        if (got < 0)
            log_add(&u->log, SEV_INFO, (long)game_clock(u->g), "%s", name);
        if (got > 0) {
            a.kind = picks[i].kind;
            a.count = a.kind == ACT_STORE ? 0 : 1; /* into a chest goes the whole stack */
            snprintf(a.arg, sizeof a.arg, "%s", name);
            screen_main_act(u, &a, NULL);
        }
        return 0;
    }
    return NOT_MINE;
}

/* 1 when this world is shared, else says how to share it. */
static int world_shared(MainUi *u)
{
    if (!u->sync)
        log_add(&u->log, SEV_INFO, (long)game_clock(u->g),
                "This world is not shared: magic-adventure sync share --world NAME shares it.");
    return u->sync != NULL;
}

/* The other screens, syncing now, help and quitting. */
static int map_key_screens(MainUi *u, KeyCmd cmd)
{
    switch (cmd) {
    case KC_MESSAGES: screen_messages_run(&u->log); return 0;
    case KC_INVENTORY: screen_inventory_run(u->g); return 0;
    case KC_SHEET:
    case KC_SKILLS: {
        /* A stat raised on the sheet, a specialisation chosen among the skills: taken as any action. */
        Action a;
        if (cmd == KC_SHEET ? screen_sheet_run(u->g, &a) : screen_skills_run(u->g, &a))
            screen_main_act(u, &a, NULL);
        return 0;
    }
    case KC_QUESTS: {
        char go[32];
        int rc = screen_quests_run(u->g, &u->log, u->panel.tracked, sizeof u->panel.tracked, go, sizeof go);
        panel_mark_stale(&u->panel);
        if (rc == 2)
            screen_main_travel_place(u, go); /* an objective asks to reach it */
        return 0;
    }
    case KC_ACHIEVEMENTS: screen_achievements_run(u->g); return 0;
    case KC_STORY: {
        screen_main_draw(u);
        char go[32];
        int rc = screen_story_run(u->g, &u->log, go, sizeof go);
        panel_mark_story(&u->panel);
        if (rc == 2)
            screen_main_travel_place(u, go); /* a choice waits for the player there */
        return rc == -2 ? -2 : 0;
    }
    case KC_JOURNAL: screen_story_journal_run(u->g); return 0;
    case KC_CHRONICLE: screen_chronicle_run(u->s, game_player(u->g)->world_id); return 0;
    case KC_SYNC:
        if (world_shared(u))
            screen_main_sync_now(u, 0);
        return 0;
    case KC_SYNC_SCREEN:
        if (!world_shared(u))
            return 0;
        screen_main_draw(u);
        return screen_sync_run(u->s, game_world(u->g), u->sync, &u->log, (long)game_clock(u->g)) == -2 ? -2 : 0;
    case KC_HELP: screen_help_run_map(KCTX_MAP, u->g); return 0;
    case KC_QUIT: {
        screen_main_draw(u);
        int yes = prompt_yn("Quit the game? Everything is saved.", 0);
        return yes == 0 ? 0 : yes == 1 ? 1 : -2;
    }
    default: return NOT_MINE;
    }
}

/* One key on the map: 0 to go on, 1 when the player quits, -2 on a signal. */
int screen_main_key_map(MainUi *u, int ch)
{
    int arg = 0, r;
    KeyCmd cmd = keys_lookup(ch, KCTX_MAP, &arg);
    if ((r = map_key_act(u, cmd, arg)) != NOT_MINE || (r = map_key_view(u, cmd)) != NOT_MINE ||
        (r = map_key_items(u, cmd)) != NOT_MINE || (r = map_key_screens(u, cmd)) != NOT_MINE)
        return r;
    return 0;
}

void screen_main_key_dir(MainUi *u, int ch)
{
    int arg = 0;
    KeyCmd cmd = keys_lookup(ch, KCTX_DIR, &arg);
    Dir d = cmd == KC_MOVE ? (Dir)arg : cmd == KC_UP ? DIR_UP : cmd == KC_DOWN ? DIR_DOWN : DIR_NONE;
    if (cmd == KC_HELP) {
        screen_help_run(KCTX_DIR);
        return;
    }
    if (d == DIR_NONE) {
        if (cmd == KC_BACK)
            u->mode = MODE_MAP;
        return;
    }
    u->mode = MODE_MAP;
    if ((d == DIR_UP || d == DIR_DOWN) && u->pending != KC_DIG && u->pending != KC_PLACE)
        return;
    if (u->pending == KC_TALK) {
        screen_main_draw(u);
        u->llm_talk = u->llm != NULL;
        screen_talk_run(u->g, d, &u->log);
        u->llm_talk = 0;
        panel_mark_names(&u->panel);
        return;
    }
    Action a = {.kind = ACT_PLACE, .dir = d};
    switch (u->pending) {
    case KC_DIG: a.kind = ACT_DIG; break;
    case KC_ATTACK: a.kind = ACT_ATTACK; break;
    case KC_SHOOT: a.kind = ACT_SHOOT; break;
    case KC_CAST:
        a.kind = ACT_CAST;
        snprintf(a.arg, sizeof a.arg, "%s", u->spell);
        break;
    default: break;
    }
    screen_main_act(u, &a, NULL);
}

void screen_main_key_look(MainUi *u, int ch)
{
    int arg = 0;
    KeyCmd cmd = keys_lookup(ch, KCTX_LOOK, &arg);
    Layout L = screen_main_layout();
    switch (cmd) {
    case KC_MOVE: {
        int dx, dz;
        dir_delta((Dir)arg, &dx, &dz);
        if (abs(u->lx + dx) <= L.map_w / 2 - 1 && abs(u->lz + dz) <= L.map_h / 2 - 1) {
            u->lx += dx;
            u->lz += dz;
        }
        screen_main_describe_spot(u, 0);
        break;
    }
    case KC_SELECT:
        screen_main_describe_spot(u, 1);
        break;
    case KC_VIEW_DOWN:
        u->view_dy--;
        screen_main_describe_spot(u, 0);
        break;
    case KC_VIEW_UP:
        u->view_dy++;
        screen_main_describe_spot(u, 0);
        break;
    case KC_TRAVEL:
        u->status[0] = '\0';
        screen_main_travel(u, 1);
        break;
    case KC_HELP:
        screen_help_run(KCTX_LOOK);
        break;
    case KC_BACK:
    case KC_LOOK:
        u->mode = MODE_MAP;
        u->lx = u->lz = 0;
        break;
    default:
        break;
    }
}

