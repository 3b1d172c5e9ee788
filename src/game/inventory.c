/* inventory.c — the pack: stacking by each item's maximum, the slot model of inventory.h,
 * letters, eating and reading, and items changing hands. Items on the ground are
 * inventory_ground.c; equipping, wear and repair inventory_equip.c (shared:
 * inventory_internal.h).
 *
 * Everything here reads the character's rows afresh (a Pack) and writes
 * them back through the save's inventory functions; game_apply commits.
 * Items on the ground are entities of the chunk they lie in:
 *   {"type":"item","item":"torch","count":3,"position":[lx,ly,lz]}
 * with "data" added for gear that keeps durability or enchantments. */
#include "game/inventory.h"

#include "game/game_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/charstate.h"
#include "game/inventory_internal.h"

/* ------------------------------------------------------------ the slot model */

int inventory_is_equipment_slot(int position)
{
    return (position >= INV_SLOT_HEAD && position <= INV_SLOT_RING2) || position == INV_SLOT_BAG;
}

const char *inventory_slot_label(int position)
{
    for (int i = 0; i < N_EQUIP_SLOTS; i++)
        if (equip_slots[i].position == position)
            return equip_slots[i].name;
    if ((position >= 0 && position < INV_BACKPACK_SLOTS) ||
        (position >= INV_BAG_FIRST && position < INV_BAG_FIRST + INV_BAG_SLOTS))
        return "backpack";
    return "none";
}

int inventory_slot_position(const char *name)
{
    if (strcmp(name, "ring") == 0)
        return INV_SLOT_RING1;
    for (int i = 0; i < N_EQUIP_SLOTS; i++)
        if (strcmp(equip_slots[i].name, name) == 0)
            return equip_slots[i].position;
    return -1;
}

/* The position an item of slot s goes to (rings: see equip). */
int inventory_slot_position_of(ItemSlot s)
{
    switch (s) {
    case ITEM_SLOT_HEAD: return INV_SLOT_HEAD;
    case ITEM_SLOT_BODY: return INV_SLOT_BODY;
    case ITEM_SLOT_HANDS: return INV_SLOT_HANDS;
    case ITEM_SLOT_FEET: return INV_SLOT_FEET;
    case ITEM_SLOT_MAIN_HAND: return INV_SLOT_MAIN_HAND;
    case ITEM_SLOT_OFF_HAND: return INV_SLOT_OFF_HAND;
    case ITEM_SLOT_RING: return INV_SLOT_RING1;
    case ITEM_SLOT_BAG: return INV_SLOT_BAG;
    default: return -1;
    }
}

const ItemRegistry *inventory_items(const Game *g) { return g->items; }

/* ------------------------------------------------------------ a character's rows */

void inventory_pack_free(Pack *p)
{
    inventory_list_free(p->rows, p->n);
    memset(p, 0, sizeof *p);
}

int inventory_pack_load(Game *g, int64_t character_id, Pack *p, Err *err)
{
    memset(p, 0, sizeof *p);
    int rc = inventory_list(g->save, character_id, &p->rows, &p->n, err);
    if (rc != MA_OK)
        return rc;
    for (int i = 0; i < p->n; i++) {
        int pos = p->rows[i].slot_position;
        if (pos >= 0 && pos <= INV_SLOT_BAG)
            p->used[pos] = 1;
        if (pos == INV_SLOT_BAG) {
            p->bag = items_lookup(g->items, p->rows[i].item_name)->bag_slots;
            if (p->bag > INV_BAG_SLOTS)
                p->bag = INV_BAG_SLOTS;
        }
    }
    return MA_OK;
}

/* Keeps a row just added in p (a copy), so that the next row added sees its slot and letter. */
static int pack_append(Pack *p, const InventoryRow *r)
{
    InventoryRow *rows = realloc(p->rows, sizeof *rows * (size_t)(p->n + 1));
    if (!rows)
        return MA_ERR_NOMEM;
    p->rows = rows;
    InventoryRow *c = &p->rows[p->n++];
    *c = *r;
    c->item_data = r->item_data ? cJSON_Duplicate(r->item_data, 1) : NULL;
    return MA_OK;
}

int inventory_is_pack_slot(const Pack *p, int pos)
{
    return (pos >= 0 && pos < INV_BACKPACK_SLOTS) || (pos >= INV_BAG_FIRST && pos < INV_BAG_FIRST + p->bag);
}

/* The first free backpack slot (bag slots after the first 36), or -1. */
int inventory_pack_free_slot(const Pack *p)
{
    for (int i = 0; i < INV_BACKPACK_SLOTS; i++)
        if (!p->used[i])
            return i;
    for (int i = INV_BAG_FIRST; i < INV_BAG_FIRST + p->bag; i++)
        if (!p->used[i])
            return i;
    return -1;
}

int inventory_row_at(const Pack *p, int pos)
{
    for (int i = 0; i < p->n; i++)
        if (p->rows[i].slot_position == pos)
            return i;
    return -1;
}

/* A row holding item: want 0 not equipped (pack or unplaced), 1 equipped, -1 either (pack first). */
int inventory_find_row(const Pack *p, const char *item, int want)
{
    for (int pass = 0; pass < 2; pass++) {
        int equipped = want == 1 || (want == -1 && pass == 1);
        for (int i = 0; i < p->n; i++)
            if (strcmp(p->rows[i].item_name, item) == 0 &&
                inventory_is_equipment_slot(p->rows[i].slot_position) == equipped)
                return i;
        if (want != -1)
            break;
    }
    return -1;
}

/* item_data without the equipment keys, or NULL when nothing else is left
 * (a plain stack). Caller deletes. */
cJSON *inventory_loose_data(const cJSON *data)
{
    if (!cJSON_IsObject(data))
        return NULL;
    cJSON *d = cJSON_Duplicate(data, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(d, "equipped");
    cJSON_DeleteItemFromObjectCaseSensitive(d, "slot");
    cJSON_DeleteItemFromObjectCaseSensitive(d, "letter");
    if (!d->child) {
        cJSON_Delete(d);
        return NULL;
    }
    return d;
}

int inventory_durability_of(const InventoryRow *row, const ItemDef *d)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(row->item_data, "durability");
    return cJSON_IsNumber(v) ? v->valueint : d->durability;
}

void inventory_set_number(cJSON *obj, const char *key, double v)
{
    cJSON *old = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (old)
        cJSON_SetNumberValue(old, v);
    else
        cJSON_AddNumberToObject(obj, key, v);
}

/* ------------------------------------------------------------ letters */

/* The player's items keep the letter they got when they arrived (item_data "letter"), as in
 * NetHack and Crawl: crafting a chest does not move the sword from a to h. A new row takes the
 * first letter no other row holds; a letter is free again once its row is gone. */
static const char letter_order[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

char inventory_letter(const InventoryRow *row)
{
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(row->item_data, "letter");
    return cJSON_IsString(l) && l->valuestring[0] && !l->valuestring[1] && strchr(letter_order, l->valuestring[0])
               ? l->valuestring[0]
               : 0;
}

/* The first letter no row of p holds (skipping `taken` too, may be NULL), or 0 when all 52 are. */
char inventory_free_letter(const Pack *p, const char *taken)
{
    for (const char *c = letter_order; *c; c++) {
        int used = taken && strchr(taken, *c);
        for (int i = 0; i < p->n && !used; i++)
            used = inventory_letter(&p->rows[i]) == *c;
        if (!used)
            return *c;
    }
    return 0;
}

void inventory_set_letter(InventoryRow *row, char letter)
{
    if (!cJSON_IsObject(row->item_data)) {
        cJSON_Delete(row->item_data);
        row->item_data = cJSON_CreateObject();
    }
    cJSON_DeleteItemFromObjectCaseSensitive(row->item_data, "letter");
    if (letter) {
        char l[2] = {letter, '\0'};
        cJSON_AddStringToObject(row->item_data, "letter", l);
    }
}

int inventory_letters_assign(Game *g, Err *err)
{
    Pack p;
    int rc = inventory_pack_load(g, g->p.character_id, &p, err);
    char given[sizeof letter_order] = "";
    size_t n_given = 0;
    for (int i = 0; rc == MA_OK && i < p.n; i++) {
        char l = inventory_letter(&p.rows[i]);
        /* A letter held by an earlier row too (a hand-edited save) is given again. */
        int twice = 0;
        for (int j = 0; j < i && l && !twice; j++)
            twice = inventory_letter(&p.rows[j]) == l;
        if (l && !twice)
            continue;
        if (twice)
            inventory_set_letter(&p.rows[i], 0);
        l = inventory_free_letter(&p, given);
        if (!l)
            continue;
        inventory_set_letter(&p.rows[i], l);
        given[n_given++] = l;
        rc = inventory_update(g->save, &p.rows[i], err);
    }
    inventory_pack_free(&p);
    return rc;
}

/* ------------------------------------------------------------ stacking */

/* How many of item fit into character_id's pack (up to count). */
static int room_for(Game *g, const Pack *p, const char *item, int count, int with_data)
{
    const ItemDef *d = items_lookup(g->items, item);
    int max = with_data ? 1 : d->stack, room = 0;
    for (int i = 0; i < p->n && max > 1; i++)
        if (inventory_is_pack_slot(p, p->rows[i].slot_position) && strcmp(p->rows[i].item_name, item) == 0 &&
            p->rows[i].quantity < max)
            room += max - p->rows[i].quantity;
    for (int pos = 0; pos <= INV_SLOT_BAG && room < count; pos++)
        if (inventory_is_pack_slot(p, pos) && !p->used[pos])
            room += max;
    return room < count ? room : count;
}

int inventory_give(Game *g, int64_t character_id, const char *item, const char *type, int count, const cJSON *data,
                   Err *err)
{
    const ItemDef *d = items_lookup(g->items, item);
    int max = data ? 1 : d->stack;
    if (max < 1)
        max = 1;
    Pack p;
    int rc = inventory_pack_load(g, character_id, &p, err);
    if (rc != MA_OK)
        return rc;
    for (int i = 0; i < p.n && count > 0 && max > 1; i++) {
        InventoryRow *row = &p.rows[i];
        if (!inventory_is_pack_slot(&p, row->slot_position) || strcmp(row->item_name, item) != 0 || row->quantity >= max)
            continue;
        int add = max - row->quantity < count ? max - row->quantity : count;
        row->quantity += add;
        if ((rc = inventory_update(g->save, row, err)) != MA_OK)
            goto done;
        count -= add;
    }
    while (count > 0) {
        int slot = inventory_pack_free_slot(&p);
        if (slot < 0)
            break;
        InventoryRow r;
        memset(&r, 0, sizeof r);
        r.character_id = character_id;
        snprintf(r.item_type, sizeof r.item_type, "%s", d->name[0] ? d->type : type && type[0] ? type : "material");
        snprintf(r.item_name, sizeof r.item_name, "%s", item);
        r.quantity = count < max ? count : max;
        r.slot_position = slot;
        if (data) {
            r.item_data = cJSON_Duplicate(data, 1);
        } else if (d->durability > 0) {
            r.item_data = cJSON_CreateObject();
            cJSON_AddNumberToObject(r.item_data, "durability", d->durability);
        }
        if (character_id == g->p.character_id)
            inventory_set_letter(&r, inventory_free_letter(&p, NULL));
        else if (r.item_data)
            cJSON_DeleteItemFromObjectCaseSensitive(r.item_data, "letter");
        rc = inventory_add(g->save, &r, err);
        if (rc == MA_OK)
            rc = pack_append(&p, &r);
        inventory_row_clear(&r);
        if (rc != MA_OK)
            goto done;
        p.used[slot] = 1;
        count -= count < max ? count : max;
    }
    rc = count;
done:
    inventory_pack_free(&p);
    return rc;
}

/* Removes count of item from character_id (pack rows from the last, then
 * unplaced, then equipment), calling fn (may be NULL) for each part. */
int inventory_take_with(Game *g, int64_t character_id, const char *item, int count, TakeFn fn, void *ud, Err *err)
{
    Pack p;
    int rc = inventory_pack_load(g, character_id, &p, err);
    for (int pass = 0; rc == MA_OK && pass < 2; pass++)
        for (int i = p.n - 1; rc == MA_OK && i >= 0 && count > 0; i--) {
            InventoryRow *row = &p.rows[i];
            if (strcmp(row->item_name, item) != 0 || inventory_is_equipment_slot(row->slot_position) != pass)
                continue;
            int n = row->quantity < count ? row->quantity : count;
            if (fn) {
                cJSON *data = inventory_loose_data(row->item_data);
                rc = fn(g, item, n, data, ud, err);
                cJSON_Delete(data);
                if (rc != MA_OK)
                    break;
            }
            if (row->quantity > n) {
                row->quantity -= n;
                rc = inventory_update(g->save, row, err);
            } else {
                rc = inventory_delete(g->save, row->id, err);
            }
            count -= n;
        }
    inventory_pack_free(&p);
    return rc;
}

int inventory_take_from(Game *g, int64_t character_id, const char *item, int count, Err *err)
{
    return inventory_take_with(g, character_id, item, count, NULL, NULL, err);
}

int inventory_count(Game *g, int64_t character_id, const char *item, Err *err)
{
    Pack p;
    if (inventory_pack_load(g, character_id, &p, err) != MA_OK)
        return -1;
    int total = 0;
    for (int i = 0; i < p.n; i++)
        if (strcmp(p.rows[i].item_name, item) == 0)
            total += p.rows[i].quantity;
    inventory_pack_free(&p);
    return total;
}

/* ------------------------------------------------------------ using things */

int inventory_use(Game *g, const char *item, ActionResult *r, Err *err)
{
    char label[64], recipe[64];
    items_label(item, label, sizeof label);
    int have = inventory_count(g, g->p.character_id, item, err);
    if (have < 0)
        return err->code;
    if (have == 0) {
        game_refuse(r, "you have no %s", label);
        return MA_OK;
    }
    const ItemDef *d = items_find(g->items, item);
    if (!items_usable(d)) {
        game_refuse(r, "cannot use the %s: it is not food, a potion, a book or a scroll%s", label,
                    d && d->slot != ITEM_SLOT_NONE ? " (equip it instead)" : "");
        return MA_OK;
    }
    Player *p = &g->p;
    int heal = d->heal < p->max_health - p->health ? d->heal : p->max_health - p->health;
    int mana = d->mana < p->max_mana - p->mana ? d->mana : p->max_mana - p->mana;
    int learn = 0;
    if (heal < 0)
        heal = 0;
    if (mana < 0)
        mana = 0;
    if (d->teaches[0]) {
        char value[64];
        int rc = charstate_get(g->save, p->character_id, "recipe", d->teaches, value, sizeof value, err);
        if (rc != MA_OK && rc != MA_ERR_NOT_FOUND)
            return rc;
        learn = rc == MA_ERR_NOT_FOUND;
    }
    items_label(d->teaches, recipe, sizeof recipe);
    if (!heal && !mana && !learn) {
        if (d->teaches[0])
            game_refuse(r, "you already know how to make %s", recipe);
        else if (d->heal && !d->mana)
            game_refuse(r, "you are not hurt (%d/%d health)", p->health, p->max_health);
        else if (d->mana && !d->heal)
            game_refuse(r, "your mana is full (%d/%d)", p->mana, p->max_mana);
        else
            game_refuse(r, "you are not hurt and your mana is full");
        return MA_OK;
    }
    int rc = MA_OK;
    if (learn)
        rc = charstate_set(g->save, p->character_id, "recipe", d->teaches, item, err);
    if (rc == MA_OK)
        rc = inventory_take_from(g, p->character_id, item, 1, err);
    if (rc != MA_OK)
        return rc;
    const char *verb = strcmp(d->type, "food") == 0 ? "eat" : strcmp(d->type, "potion") == 0 ? "drink" : "read";
    p->health += heal;
    p->mana += mana;
    if (heal && mana)
        game_event(r, SEV_GOOD, "You %s the %s: +%d health (%d/%d), +%d mana (%d/%d).", verb, label, heal,
                   p->health, p->max_health, mana, p->mana, p->max_mana);
    else if (heal)
        game_event(r, SEV_GOOD, "You %s the %s: +%d health (%d/%d).", verb, label, heal, p->health, p->max_health);
    else if (mana)
        game_event(r, SEV_GOOD, "You %s the %s: +%d mana (%d/%d).", verb, label, mana, p->mana, p->max_mana);
    if (learn)
        game_event(r, SEV_GOOD, "You %s the %s and learn how to make %s.", verb, label, recipe);
    if (have == 1 && strcmp(p->hand, item) == 0)
        p->hand[0] = '\0';
    r->ok = 1;
    game_pass_time(g, 1, r);
    return MA_OK;
}

/* ------------------------------------------------------------ between characters */

typedef struct Receiver {
    int64_t id;
} Receiver;

static int give_part(Game *g, const char *item, int n, const cJSON *data, void *ud, Err *err)
{
    const Receiver *to = ud;
    int left = inventory_give(g, to->id, item, "", n, data, err);
    if (left < 0)
        return left;
    char what[80];
    if (left > 0)
        return err_set(err, MA_ERR_INVALID, "no room for %s", items_count_words(g->items, item, left, what, sizeof what));
    return MA_OK;
}

int inventory_transfer(Game *g, int64_t to_character_id, const char *item, int count, const char *reason, int price,
                       Err *err)
{
    static const char *const reasons[] = {"gift", "trade", "sale", "purchase", "quest", "theft", "loot", "drop"};
    int known = 0;
    for (size_t i = 0; reason && i < sizeof reasons / sizeof reasons[0]; i++)
        known |= strcmp(reason, reasons[i]) == 0;
    if (!known)
        return err_set(err, MA_ERR_INVALID, "cannot move %s: \"%s\" is not a reason (gift, trade, sale, purchase, "
                                            "quest, theft, loot, drop)", item, reason ? reason : "");
    if (count < 1 || price < 0)
        return err_set(err, MA_ERR_INVALID, "cannot move %d %s for %d gold", count, item, price);
    if (to_character_id == g->p.character_id)
        return err_set(err, MA_ERR_INVALID, "cannot give %s to yourself", item);
    CharacterRow to;
    int rc = characters_get(g->save, to_character_id, &to, err);
    if (rc != MA_OK)
        return rc;
    char to_name[65], label[64];
    snprintf(to_name, sizeof to_name, "%s", to.name);
    character_row_clear(&to);
    items_label(item, label, sizeof label);
    int have = inventory_count(g, g->p.character_id, item, err);
    if (have < 0)
        return err->code;
    if (have < count)
        return err_set(err, MA_ERR_INVALID, "%s has only %s, not %d", g->p.name,
                       items_count_words(g->items, item, have, label, sizeof label), count);
    /* Check the room first so that nothing moves when it cannot all move.
     * Gear with its own data moves one per slot. */
    Pack theirs;
    if ((rc = inventory_pack_load(g, to_character_id, &theirs, err)) != MA_OK)
        return rc;
    const ItemDef *d = items_lookup(g->items, item);
    int room = room_for(g, &theirs, item, count, d->stack == 1 || d->durability > 0);
    inventory_pack_free(&theirs);
    if (room < count)
        return err_set(err, MA_ERR_INVALID, "%s's pack has room for only %s", to_name,
                       items_count_words(g->items, item, room, label, sizeof label));
    Receiver rcv = {to_character_id};
    if ((rc = inventory_take_with(g, g->p.character_id, item, count, give_part, &rcv, err)) != MA_OK)
        return rc;
    if (have == count && strcmp(g->p.hand, item) == 0)
        g->p.hand[0] = '\0';
    return transfers_log(g->save, g->p.character_id, to_character_id, item, count, reason, price, err);
}
