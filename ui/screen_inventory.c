/* screen_inventory.c — the pack on screen: the inventory (each item under the letter it keeps,
 * Enter for its page in words), the block picker (B), and the picker of the item commands (d, e,
 * r, U, R), which lists only what the command can take. Built on the list widget
 * (screen_lists.c). */
#include "screen_inventory.h"

#include "screen_lists.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/inventory.h"
#include "term.h"

/* An item's name for people: its title from items.json ("Iron ingot"), else its words. */
static void item_words(const ItemRegistry *reg, const char *name, char *buf, size_t size)
{
    const ItemDef *d = items_find(reg, name);
    if (d && d->title[0]) {
        snprintf(buf, size, "%s", d->title);
        return;
    }
    snprintf(buf, size, "%s", name);
    for (char *c = buf; *c; c++)
        if (*c == '_')
            *c = ' ';
}

/* "main_hand" -> "main hand". */
static void slot_words(const char *slot, char *buf, size_t size)
{
    snprintf(buf, size, "%s", slot);
    for (char *c = buf; *c; c++)
        if (*c == '_')
            *c = ' ';
}

static int by_letter(const void *a, const void *b)
{
    static const char order[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    char la = inventory_letter(a), lb = inventory_letter(b);
    const char *pa = la ? strchr(order, la) : NULL, *pb = lb ? strchr(order, lb) : NULL;
    long ia = pa ? pa - order : 100, ib = pb ? pb - order : 100;
    if (ia != ib)
        return ia < ib ? -1 : 1;
    const InventoryRow *ra = a, *rb = b;
    return ra->id < rb->id ? -1 : ra->id > rb->id;
}

/* The pack as list items, in letter order; each item carries its letter. */
static int load_inventory(Game *g, ListItem **items_out, InventoryRow **rows_out, int *n_out)
{
    Err err = {0};
    InventoryRow *rows = NULL;
    int n = 0;
    if (game_inventory(g, &rows, &n, &err) != MA_OK) {
        screen_message("Inventory", err.msg);
        return -1;
    }
    if (n > 1)
        qsort(rows, (size_t)n, sizeof *rows, by_letter);
    ListItem *items = calloc((size_t)(n > 0 ? n : 1), sizeof *items);
    if (!items) {
        inventory_list_free(rows, n);
        return -1;
    }
    const Player *p = game_player(g);
    const ItemRegistry *reg = inventory_items(g);
    for (int i = 0; i < n; i++) {
        char name[64];
        item_words(reg, rows[i].item_name, name, sizeof name);
        if (rows[i].quantity > 1)
            snprintf(items[i].text, sizeof items[i].text, "%s x%d%s", name, rows[i].quantity,
                     strcmp(rows[i].item_name, p->hand) == 0 ? "  (in hand)" : "");
        else
            snprintf(items[i].text, sizeof items[i].text, "%s%s", name,
                     strcmp(rows[i].item_name, p->hand) == 0 ? "  (in hand)" : "");
        snprintf(items[i].detail, sizeof items[i].detail, "%s", rows[i].item_type);
        items[i].letter = inventory_letter(&rows[i]);
    }
    *items_out = items;
    *rows_out = rows;
    *n_out = n;
    return 0;
}

void screen_inventory_run(Game *g)
{
    ListItem *items;
    InventoryRow *rows;
    int n;
    if (load_inventory(g, &items, &rows, &n) != 0)
        return;
    /* Equipment first in the list's words: where it is worn, and wear left. */
    const ItemRegistry *reg = inventory_items(g);
    for (int i = 0; i < n; i++) {
        const InventoryRow *r = &rows[i];
        const ItemDef *d = items_lookup(reg, r->item_name);
        const cJSON *dur = cJSON_GetObjectItemCaseSensitive(r->item_data, "durability");
        char wear[40] = "";
        if (d->durability > 0)
            snprintf(wear, sizeof wear, "  %d/%d", cJSON_IsNumber(dur) ? dur->valueint : d->durability, d->durability);
        size_t len = strlen(items[i].text);
        char where[32];
        slot_words(inventory_slot_label(r->slot_position), where, sizeof where);
        if (inventory_is_equipment_slot(r->slot_position))
            snprintf(items[i].text + len, sizeof items[i].text - len, "  [worn: %s]%s", where, wear);
        else
            snprintf(items[i].text + len, sizeof items[i].text - len, "%s", wear);
        snprintf(items[i].detail, sizeof items[i].detail, "%s%s", r->item_type,
                 inventory_is_equipment_slot(r->slot_position) ? ", equipped" : "");
    }
    ListSpec spec = {.title = "Inventory (Enter: full description)", .items = items, .n = n, .lettered = 1,
                     .selectable = 1, .help_ctx = KCTX_LIST};
    for (;;) {
        int pick = list_run(&spec);
        if (pick < 0)
            break;
        spec.start = pick;
        const InventoryRow *r = &rows[pick];
        const ItemDef *d = items_lookup(reg, r->item_name);
        char text[2048];
        size_t len = 0;
#define ADD(...)                                                                                            \
    (len < sizeof text ? (void)(len += (size_t)snprintf(text + len, sizeof text - len, __VA_ARGS__)) : (void)0)
        char words[64], slot[32];
        item_words(reg, r->item_name, words, sizeof words);
        ADD("%s (%s)\n", words, r->item_type);
        if (d->description[0])
            ADD("%s\n", d->description);
        ADD("\nQuantity: %d (stacks to %d)\n", r->quantity, d->stack);
        slot_words(inventory_slot_label(r->slot_position), slot, sizeof slot);
        if (inventory_is_equipment_slot(r->slot_position))
            ADD("Worn: %s (press r on the map to take it off)\n", slot);
        else if (r->slot_position >= 0)
            ADD("In the backpack%s\n", d->slot != ITEM_SLOT_NONE ? " (press e on the map to equip it)" : "");
        else
            ADD("Carried outside the pack\n");
        if (d->slot != ITEM_SLOT_NONE && !inventory_is_equipment_slot(r->slot_position)) {
            slot_words(items_slot_name(d->slot), slot, sizeof slot);
            ADD("Worn on: %s, once equipped\n", slot);
        }
        if (d->durability > 0) {
            const cJSON *dur = cJSON_GetObjectItemCaseSensitive(r->item_data, "durability");
            ADD("Durability: %d/%d%s\n", cJSON_IsNumber(dur) ? dur->valueint : d->durability, d->durability,
                d->repair[0] ? "" : " (cannot be repaired)");
            if (d->repair[0]) {
                item_words(reg, d->repair, words, sizeof words);
                ADD("Repaired with: %s (press R on the map)\n", words);
            }
        }
        if (d->damage)
            ADD("Damage: %d%s\n", d->damage, d->ranged ? " (ranged)" : "");
        if (d->ammo[0]) {
            item_words(reg, d->ammo, words, sizeof words);
            ADD("Shoots: %s\n", words);
        }
        if (d->armor)
            ADD("Armour: %d\n", d->armor);
        if (d->tool_kind[0]) {
            slot_words(d->tool_kind, slot, sizeof slot);
            ADD("Tool: %s, power %d\n", slot, d->tool_power);
        }
        for (int k = 0; k < ITEM_STATS; k++)
            if (d->bonus[k])
                ADD("%s %+d\n", item_stat_names[k], d->bonus[k]);
        if (d->bag_slots)
            ADD("Adds %d backpack slots\n", d->bag_slots);
        if (d->heal)
            ADD("Restores %d health\n", d->heal);
        if (d->mana)
            ADD("Restores %d mana\n", d->mana);
        if (d->teaches[0]) {
            item_words(reg, d->teaches, words, sizeof words);
            ADD("Teaches how to make: %s\n", words);
        }
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r->item_data, "enchantments")) {
            const cJSON *en = cJSON_GetObjectItemCaseSensitive(e, "name");
            const cJSON *lv = cJSON_GetObjectItemCaseSensitive(e, "level");
            if (cJSON_IsString(en))
                ADD("Enchanted: %s %d\n", en->valuestring, cJSON_IsNumber(lv) ? lv->valueint : 1);
        }
        ADD("Value: %d gold\nAcquired: %s", d->value, r->acquired_at);
        if (strcmp(r->item_name, game_player(g)->hand) == 0)
            ADD("\n\nYou hold it in your hand.");
#undef ADD
        screen_message(items[pick].text, text);
    }
    inventory_list_free(rows, n);
    free(items);
}

int screen_inventory_pick_block(Game *g, char *buf, size_t size)
{
    ListItem *items;
    InventoryRow *rows;
    int n;
    if (load_inventory(g, &items, &rows, &n) != 0)
        return 0;
    /* Only what can be placed: items that name a block. */
    const BlockRegistry *reg = game_blocks(g);
    int m = 0;
    int *map = calloc((size_t)(n > 0 ? n : 1), sizeof *map);
    for (int i = 0; map && i < n; i++)
        if (blocks_find(reg, rows[i].item_name) > 0) {
            items[m] = items[i];
            map[m++] = i;
        }
    int chosen = 0;
    if (map) {
        ListSpec spec = {.title = "Hold which block?", .items = items, .n = m, .lettered = 1, .selectable = 1,
                         .help_ctx = KCTX_LIST};
        int pick = list_run(&spec);
        if (pick >= 0) {
            snprintf(buf, size, "%s", rows[map[pick]].item_name);
            chosen = 1;
        }
    }
    free(map);
    inventory_list_free(rows, n);
    free(items);
    return chosen;
}

/* Whether a row is something the command can take. */
static int item_applies(Game *g, ItemPick what, const InventoryRow *r)
{
    const ItemDef *d = items_lookup(inventory_items(g), r->item_name);
    int worn = inventory_is_equipment_slot(r->slot_position);
    switch (what) {
    case PICK_EQUIP: return !worn && items_wearable(d);
    case PICK_WORN: return worn;
    case PICK_USE: return items_usable(d);
    case PICK_REPAIR: return items_repairable(d, inventory_durability_of(r, d));
    default: return 1;
    }
}

int screen_inventory_pick_item(Game *g, const char *title, ItemPick what, char *buf, size_t size)
{
    static const char *const none[] = {"You carry nothing.", "You have nothing to equip: nothing you carry is worn or wielded.",
                                       "You wear and wield nothing.", "You have nothing to use: no food, potion, book or scroll.",
                                       "Nothing needs repairing: nothing you carry is worn down."};
    ListItem *items;
    InventoryRow *rows;
    int n;
    if (load_inventory(g, &items, &rows, &n) != 0)
        return 0;
    int m = 0;
    int *map = calloc((size_t)(n > 0 ? n : 1), sizeof *map);
    for (int i = 0; map && i < n; i++)
        if (item_applies(g, what, &rows[i])) {
            items[m] = items[i];
            map[m++] = i;
        }
    int chosen = 0;
    if (map && m == 0) {
        snprintf(buf, size, "%s", none[what]);
        chosen = -1;
    } else if (map) {
        ListSpec spec = {.title = title, .items = items, .n = m, .lettered = 1, .selectable = 1, .help_ctx = KCTX_LIST};
        int pick = list_run(&spec);
        if (pick >= 0) {
            snprintf(buf, size, "%s", rows[map[pick]].item_name);
            chosen = 1;
        }
    }
    free(map);
    inventory_list_free(rows, n);
    free(items);
    return chosen;
}
