/* inventory.c — the pack and the equipment: stacking by each item's maximum,
 * the slot model of inventory.h, equipping, items on the ground and in
 * chests, eating and reading, wear and repair, and items changing hands.
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

/* ------------------------------------------------------------ the slot model */

static const struct {
    int position;
    const char *name;
} equip_slots[] = {
    {INV_SLOT_HEAD, "head"},           {INV_SLOT_BODY, "body"},         {INV_SLOT_HANDS, "hands"},
    {INV_SLOT_FEET, "feet"},           {INV_SLOT_MAIN_HAND, "main_hand"}, {INV_SLOT_OFF_HAND, "off_hand"},
    {INV_SLOT_RING1, "ring1"},         {INV_SLOT_RING2, "ring2"},       {INV_SLOT_BAG, "bag"},
};
#define N_EQUIP_SLOTS ((int)(sizeof equip_slots / sizeof equip_slots[0]))

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
static int slot_position_of(ItemSlot s)
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

static const char *const slot_phrase[] = {"on your head", "on your body", "on your hands", "on your feet",
                                          "in your main hand", "in your off hand", "on a finger", "at your hip"};

const ItemRegistry *inventory_items(const Game *g) { return g->items; }

/* ------------------------------------------------------------ a character's rows */

typedef struct Pack {
    InventoryRow *rows;
    int n;
    int bag;                          /* backpack slots the equipped bag opens */
    unsigned char used[INV_SLOT_BAG + 1];
} Pack;

static void pack_free(Pack *p)
{
    inventory_list_free(p->rows, p->n);
    memset(p, 0, sizeof *p);
}

static int pack_load(Game *g, int64_t character_id, Pack *p, Err *err)
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

static int is_pack_slot(const Pack *p, int pos)
{
    return (pos >= 0 && pos < INV_BACKPACK_SLOTS) || (pos >= INV_BAG_FIRST && pos < INV_BAG_FIRST + p->bag);
}

/* The first free backpack slot (bag slots after the first 36), or -1. */
static int pack_free_slot(const Pack *p)
{
    for (int i = 0; i < INV_BACKPACK_SLOTS; i++)
        if (!p->used[i])
            return i;
    for (int i = INV_BAG_FIRST; i < INV_BAG_FIRST + p->bag; i++)
        if (!p->used[i])
            return i;
    return -1;
}

static int row_at(const Pack *p, int pos)
{
    for (int i = 0; i < p->n; i++)
        if (p->rows[i].slot_position == pos)
            return i;
    return -1;
}

/* A row holding item: want 0 not equipped (pack or unplaced), 1 equipped, -1 either (pack first). */
static int find_row(const Pack *p, const char *item, int want)
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
static cJSON *loose_data(const cJSON *data)
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

static int durability_of(const InventoryRow *row, const ItemDef *d)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(row->item_data, "durability");
    return cJSON_IsNumber(v) ? v->valueint : d->durability;
}

static void set_number(cJSON *obj, const char *key, double v)
{
    cJSON *old = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (old)
        cJSON_SetNumberValue(old, v);
    else
        cJSON_AddNumberToObject(obj, key, v);
}

static void plural(char *buf, size_t size, const char *item, int count)
{
    char label[64];
    items_label(item, label, sizeof label);
    snprintf(buf, size, "%d %s", count, label);
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
static char free_letter(const Pack *p, const char *taken)
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

static void set_letter(InventoryRow *row, char letter)
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
    int rc = pack_load(g, g->p.character_id, &p, err);
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
            set_letter(&p.rows[i], 0);
        l = free_letter(&p, given);
        if (!l)
            continue;
        set_letter(&p.rows[i], l);
        given[n_given++] = l;
        rc = inventory_update(g->save, &p.rows[i], err);
    }
    pack_free(&p);
    return rc;
}

/* ------------------------------------------------------------ stacking */

/* How many of item fit into character_id's pack (up to count). */
static int room_for(Game *g, const Pack *p, const char *item, int count, int with_data)
{
    const ItemDef *d = items_lookup(g->items, item);
    int max = with_data ? 1 : d->stack, room = 0;
    for (int i = 0; i < p->n && max > 1; i++)
        if (is_pack_slot(p, p->rows[i].slot_position) && strcmp(p->rows[i].item_name, item) == 0 &&
            p->rows[i].quantity < max)
            room += max - p->rows[i].quantity;
    for (int pos = 0; pos <= INV_SLOT_BAG && room < count; pos++)
        if (is_pack_slot(p, pos) && !p->used[pos])
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
    int rc = pack_load(g, character_id, &p, err);
    if (rc != MA_OK)
        return rc;
    for (int i = 0; i < p.n && count > 0 && max > 1; i++) {
        InventoryRow *row = &p.rows[i];
        if (!is_pack_slot(&p, row->slot_position) || strcmp(row->item_name, item) != 0 || row->quantity >= max)
            continue;
        int add = max - row->quantity < count ? max - row->quantity : count;
        row->quantity += add;
        if ((rc = inventory_update(g->save, row, err)) != MA_OK)
            goto done;
        count -= add;
    }
    while (count > 0) {
        int slot = pack_free_slot(&p);
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
            set_letter(&r, free_letter(&p, NULL));
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
    pack_free(&p);
    return rc;
}

/* Called for each part of a removal before the rows change: n of the item,
 * with the row's loose item_data (NULL for a plain stack). */
typedef int (*TakeFn)(Game *g, const char *item, int n, const cJSON *data, void *ud, Err *err);

/* Removes count of item from character_id (pack rows from the last, then
 * unplaced, then equipment), calling fn (may be NULL) for each part. */
static int take_with(Game *g, int64_t character_id, const char *item, int count, TakeFn fn, void *ud, Err *err)
{
    Pack p;
    int rc = pack_load(g, character_id, &p, err);
    for (int pass = 0; rc == MA_OK && pass < 2; pass++)
        for (int i = p.n - 1; rc == MA_OK && i >= 0 && count > 0; i--) {
            InventoryRow *row = &p.rows[i];
            if (strcmp(row->item_name, item) != 0 || inventory_is_equipment_slot(row->slot_position) != pass)
                continue;
            int n = row->quantity < count ? row->quantity : count;
            if (fn) {
                cJSON *data = loose_data(row->item_data);
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
    pack_free(&p);
    return rc;
}

int inventory_take_from(Game *g, int64_t character_id, const char *item, int count, Err *err)
{
    return take_with(g, character_id, item, count, NULL, NULL, err);
}

int inventory_count(Game *g, int64_t character_id, const char *item, Err *err)
{
    Pack p;
    if (pack_load(g, character_id, &p, err) != MA_OK)
        return -1;
    int total = 0;
    for (int i = 0; i < p.n; i++)
        if (strcmp(p.rows[i].item_name, item) == 0)
            total += p.rows[i].quantity;
    pack_free(&p);
    return total;
}

/* ------------------------------------------------------------ items on the ground */

/* Adds an item entity at world (x, y, z), joining a plain pile of the same item there. */
static int put_on_ground(Game *g, int32_t x, int32_t y, int32_t z, const char *item, int count, const cJSON *data,
                         Err *err)
{
    if (y < 0 || y >= WORLD_HEIGHT)
        return err_set(err, MA_ERR_INVALID, "cannot put %s outside the world (y %d)", item, (int)y);
    int32_t cx = chunk_coord(x), cy = chunk_coord(y), cz = chunk_coord(z);
    Chunk *c = world_chunk(g->world, cx, cy, cz, err);
    if (!c)
        return err->code;
    int lx = chunk_local(x), ly = chunk_local(y), lz = chunk_local(z);
    cJSON *e;
    cJSON_ArrayForEach(e, c->entities) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "type");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "item");
        const cJSON *pos = cJSON_GetObjectItemCaseSensitive(e, "position");
        cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "count");
        if (data || !cJSON_IsString(type) || strcmp(type->valuestring, "item") != 0 || !cJSON_IsString(name) ||
            strcmp(name->valuestring, item) != 0 || !cJSON_IsNumber(n) || cJSON_GetObjectItemCaseSensitive(e, "data") ||
            cJSON_GetArraySize(pos) != 3 || cJSON_GetArrayItem(pos, 0)->valueint != lx ||
            cJSON_GetArrayItem(pos, 1)->valueint != ly || cJSON_GetArrayItem(pos, 2)->valueint != lz)
            continue;
        cJSON_SetNumberValue(n, n->valuedouble + count);
        world_mark_dirty(g->world, cx, cy, cz);
        return MA_OK;
    }
    e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "type", "item");
    cJSON_AddStringToObject(e, "item", item);
    cJSON_AddNumberToObject(e, "count", count);
    cJSON *pos = cJSON_AddArrayToObject(e, "position");
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(lx));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(ly));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(lz));
    if (data)
        cJSON_AddItemToObject(e, "data", cJSON_Duplicate(data, 1));
    cJSON_AddItemToArray(c->entities, e);
    world_mark_dirty(g->world, cx, cy, cz);
    return MA_OK;
}

typedef struct GroundSpot {
    int32_t x, y, z;
} GroundSpot;

static int drop_part(Game *g, const char *item, int n, const cJSON *data, void *ud, Err *err)
{
    const GroundSpot *at = ud;
    return put_on_ground(g, at->x, at->y, at->z, item, n, data, err);
}

int inventory_drop(Game *g, const char *item, int count, ActionResult *r, Err *err)
{
    if (count <= 0)
        count = 1;
    char label[64], what[80];
    items_label(item, label, sizeof label);
    int have = inventory_count(g, g->p.character_id, item, err);
    if (have < 0)
        return err->code;
    if (have == 0) {
        game_refuse(r, "you have no %s", label);
        return MA_OK;
    }
    if (have < count) {
        game_refuse(r, "you have only %d %s", have, label);
        return MA_OK;
    }
    GroundSpot at = {g->p.x, g->p.y, g->p.z};
    int rc = take_with(g, g->p.character_id, item, count, drop_part, &at, err);
    if (rc == MA_OK)
        rc = transfers_log(g->save, g->p.character_id, 0, item, count, "drop", 0, err);
    if (rc != MA_OK)
        return rc;
    if (have == count && strcmp(g->p.hand, item) == 0)
        g->p.hand[0] = '\0';
    plural(what, sizeof what, item, count);
    game_event(r, SEV_INFO, "You drop %s at your feet.", what);
    r->ok = 1;
    game_pass_time(g, 1, r);
    return MA_OK;
}

int inventory_drop_all_at(Game *g, int32_t x, int32_t y, int32_t z, Err *err)
{
    Pack p;
    int rc = pack_load(g, g->p.character_id, &p, err);
    for (int i = 0; rc == MA_OK && i < p.n; i++) {
        const InventoryRow *row = &p.rows[i];
        cJSON *data = loose_data(row->item_data);
        rc = put_on_ground(g, x, y, z, row->item_name, row->quantity, data, err);
        cJSON_Delete(data);
        if (rc == MA_OK)
            rc = inventory_delete(g->save, row->id, err);
        if (rc == MA_OK)
            rc = transfers_log(g->save, g->p.character_id, 0, row->item_name, row->quantity, "drop", 0, err);
    }
    pack_free(&p);
    if (rc == MA_OK)
        g->p.hand[0] = '\0';
    return rc;
}

/* Appends "3 coal" to a summary line ("You take 3 coal, 1 bread"). */
static void summary_add(char *line, size_t size, const char *item, int n)
{
    char what[80];
    plural(what, sizeof what, item, n);
    size_t len = strlen(line);
    if (len + strlen(what) + 3 < size)
        snprintf(line + len, size - len, "%s%s", len ? ", " : "", what);
}

/* Picks up the item entities at the player's feet. *found: how many piles lay there. */
static int take_from_ground(Game *g, int *found, char *line, size_t size, int *full, Err *err)
{
    int32_t cx = chunk_coord(g->p.x), cy = chunk_coord(g->p.y), cz = chunk_coord(g->p.z);
    Chunk *c = world_chunk(g->world, cx, cy, cz, err);
    if (!c)
        return err->code;
    int lx = chunk_local(g->p.x), ly = chunk_local(g->p.y), lz = chunk_local(g->p.z);
    *found = 0;
    for (int i = cJSON_GetArraySize(c->entities) - 1; i >= 0; i--) {
        cJSON *e = cJSON_GetArrayItem(c->entities, i);
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "type");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "item");
        const cJSON *pos = cJSON_GetObjectItemCaseSensitive(e, "position");
        cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "count");
        if (!cJSON_IsString(type) || strcmp(type->valuestring, "item") != 0 || !cJSON_IsString(name) ||
            !name->valuestring[0] || !cJSON_IsNumber(n) || n->valueint < 1 || cJSON_GetArraySize(pos) != 3 ||
            cJSON_GetArrayItem(pos, 0)->valueint != lx || cJSON_GetArrayItem(pos, 1)->valueint != ly ||
            cJSON_GetArrayItem(pos, 2)->valueint != lz)
            continue;
        (*found)++;
        const cJSON *data = cJSON_GetObjectItemCaseSensitive(e, "data");
        char item[65];
        snprintf(item, sizeof item, "%s", name->valuestring);
        int count = n->valueint;
        int left = inventory_give(g, g->p.character_id, item, "", count, cJSON_IsObject(data) ? data : NULL, err);
        if (left < 0)
            return left;
        if (left > 0)
            *full = 1;
        if (count - left > 0) {
            int rc = transfers_log(g->save, 0, g->p.character_id, item, count - left, "loot", 0, err);
            if (rc != MA_OK)
                return rc;
            summary_add(line, size, item, count - left);
        }
        if (left > 0)
            cJSON_SetNumberValue(n, left);
        else
            cJSON_DeleteItemFromArray(c->entities, i);
        world_mark_dirty(g->world, cx, cy, cz);
    }
    return MA_OK;
}

/* Empties what fits of the chest at (x, y, z) into the pack. */
static int take_from_chest(Game *g, int32_t x, int32_t y, int32_t z, const cJSON *meta, char *line, size_t size,
                           int *full, Err *err)
{
    cJSON *copy = cJSON_Duplicate(meta, 1);
    cJSON *items = cJSON_GetObjectItemCaseSensitive(copy, "items");
    int rc = MA_OK;
    for (int i = cJSON_GetArraySize(items) - 1; rc == MA_OK && i >= 0; i--) {
        cJSON *it = cJSON_GetArrayItem(items, i);
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "item");
        cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "count");
        const cJSON *data = cJSON_GetObjectItemCaseSensitive(it, "data");
        if (!cJSON_IsString(name) || !name->valuestring[0] || !cJSON_IsNumber(n) || n->valueint < 1) {
            cJSON_DeleteItemFromArray(items, i);
            continue;
        }
        char item[65];
        snprintf(item, sizeof item, "%s", name->valuestring);
        int count = n->valueint;
        int left = inventory_give(g, g->p.character_id, item, "", count, cJSON_IsObject(data) ? data : NULL, err);
        if (left < 0) {
            rc = left;
            break;
        }
        if (left > 0)
            *full = 1;
        if (count - left > 0) {
            rc = transfers_log(g->save, 0, g->p.character_id, item, count - left, "loot", 0, err);
            /* Loot reads in the chest's order: insert at the front as we walk back. */
            char part[80];
            plural(part, sizeof part, item, count - left);
            size_t len = strlen(line), plen = strlen(part);
            if (len + plen + 3 < size) {
                memmove(line + plen + (len ? 2 : 0), line, len + 1);
                memcpy(line, part, plen);
                if (len)
                    memcpy(line + plen, ", ", 2);
            }
        }
        if (left > 0)
            cJSON_SetNumberValue(n, left);
        else
            cJSON_DeleteItemFromArray(items, i);
    }
    if (rc != MA_OK) {
        cJSON_Delete(copy);
        return rc;
    }
    return world_set_block_meta(g->world, x, y, z, copy, err);
}

int inventory_take(Game *g, ActionResult *r, Err *err)
{
    char line[140] = "";
    int found = 0, full = 0;
    int rc = take_from_ground(g, &found, line, sizeof line, &full, err);
    if (rc != MA_OK)
        return rc;
    if (found > 0) {
        if (!line[0]) {
            game_refuse(r, "your pack is full");
            return MA_OK;
        }
        game_event(r, SEV_GOOD, "You pick up %s.", line);
    } else {
        /* No pile here: a chest underfoot, then around the feet, then around the head. */
        static const int around[][3] = {{0, -1, 0}, {0, 0, -1}, {1, 0, 0},  {0, 0, 1},  {-1, 0, 0},
                                        {1, 0, -1}, {1, 0, 1},  {-1, 0, 1}, {-1, 0, -1}, {0, 1, -1},
                                        {1, 1, 0},  {0, 1, 1},  {-1, 1, 0}, {1, 1, -1}, {1, 1, 1},
                                        {-1, 1, 1}, {-1, 1, -1}};
        int chest = blocks_find(g->blocks, "chest"), chests = 0;
        for (size_t k = 0; chest > 0 && k < sizeof around / sizeof around[0]; k++) {
            int32_t x = g->p.x + around[k][0], y = g->p.y + around[k][1], z = g->p.z + around[k][2];
            if (y < 0 || y >= WORLD_HEIGHT || world_get_block(g->world, x, y, z) != (BlockId)chest)
                continue;
            chests++;
            Chunk *c = world_chunk(g->world, chunk_coord(x), chunk_coord(y), chunk_coord(z), err);
            if (!c)
                return err->code;
            const cJSON *meta = chunk_meta_get(c, CHUNK_INDEX(chunk_local(x), chunk_local(y), chunk_local(z)));
            if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(meta, "items")) == 0)
                continue;
            if ((rc = take_from_chest(g, x, y, z, meta, line, sizeof line, &full, err)) != MA_OK)
                return rc;
            break;
        }
        if (!chests) {
            game_refuse(r, "nothing here to take");
            return MA_OK;
        }
        if (!line[0]) {
            game_refuse(r, full ? "your pack is full" : "the chest is empty");
            return MA_OK;
        }
        game_event(r, SEV_GOOD, "You open the chest and take %s.", line);
    }
    if (full)
        game_event(r, SEV_WARN, "Your pack is full; the rest stays where it was.");
    r->ok = 1;
    game_pass_time(g, 1, r);
    return MA_OK;
}

/* ------------------------------------------------------------ equipment */

/* Marks a row as worn in position pos. */
static void mark_equipped(InventoryRow *row, const ItemDef *d, int pos)
{
    if (!cJSON_IsObject(row->item_data)) {
        cJSON_Delete(row->item_data);
        row->item_data = cJSON_CreateObject();
    }
    cJSON_DeleteItemFromObjectCaseSensitive(row->item_data, "equipped");
    cJSON_DeleteItemFromObjectCaseSensitive(row->item_data, "slot");
    cJSON_AddBoolToObject(row->item_data, "equipped", 1);
    cJSON_AddStringToObject(row->item_data, "slot", inventory_slot_label(pos));
    if (d->durability > 0 && !cJSON_GetObjectItemCaseSensitive(row->item_data, "durability"))
        cJSON_AddNumberToObject(row->item_data, "durability", d->durability);
    row->slot_position = pos;
}

static void mark_unequipped(InventoryRow *row, int pos)
{
    if (row->item_data) {
        cJSON_DeleteItemFromObjectCaseSensitive(row->item_data, "equipped");
        cJSON_DeleteItemFromObjectCaseSensitive(row->item_data, "slot");
    }
    row->slot_position = pos;
}

/* Items lying in bag slots beyond what a bag of `keep` slots holds. */
static int bag_overflow(const Pack *p, int keep)
{
    int n = 0;
    for (int i = 0; i < p->n; i++)
        if (p->rows[i].slot_position >= INV_BAG_FIRST + keep && p->rows[i].slot_position < INV_BAG_FIRST + INV_BAG_SLOTS)
            n++;
    return n;
}

static int equip_rows(Game *g, Pack *p, int src, const ItemDef *d, ActionResult *r, Err *err)
{
    InventoryRow *s = &p->rows[src];
    char label[64], old_label[64];
    items_label(s->item_name, label, sizeof label);
    int target = slot_position_of(d->slot);
    if (d->slot == ITEM_SLOT_RING && p->used[INV_SLOT_RING1] && !p->used[INV_SLOT_RING2])
        target = INV_SLOT_RING2;
    int old = row_at(p, target);
    if (d->slot == ITEM_SLOT_BAG && old >= 0 && bag_overflow(p, d->bag_slots) > 0) {
        game_refuse(r, "empty the bag's last slots first: the %s holds only %d", label, d->bag_slots);
        return MA_OK;
    }
    /* Whatever was worn goes where the new item came from, or to a free slot. */
    int split = s->quantity > 1;
    int back = -1;
    if (old >= 0) {
        back = !split && is_pack_slot(p, s->slot_position) ? s->slot_position : pack_free_slot(p);
        if (back < 0) {
            items_label(p->rows[old].item_name, old_label, sizeof old_label);
            game_refuse(r, "your pack is full: no room to take off the %s", old_label);
            return MA_OK;
        }
    }
    int rc = MA_OK;
    if (old >= 0) {
        p->rows[old].slot_position = INVENTORY_NO_SLOT;
        rc = inventory_update(g->save, &p->rows[old], err);
    }
    if (rc == MA_OK && split) {
        s->quantity--;
        rc = inventory_update(g->save, s, err);
        InventoryRow one;
        memset(&one, 0, sizeof one);
        one.character_id = s->character_id;
        snprintf(one.item_type, sizeof one.item_type, "%s", s->item_type);
        snprintf(one.item_name, sizeof one.item_name, "%s", s->item_name);
        one.quantity = 1;
        one.item_data = loose_data(s->item_data);
        mark_equipped(&one, d, target);
        if (one.character_id == g->p.character_id)
            set_letter(&one, free_letter(p, NULL));
        if (rc == MA_OK)
            rc = inventory_add(g->save, &one, err);
        inventory_row_clear(&one);
    } else if (rc == MA_OK) {
        mark_equipped(s, d, target);
        rc = inventory_update(g->save, s, err);
    }
    if (rc == MA_OK && old >= 0) {
        mark_unequipped(&p->rows[old], back);
        rc = inventory_update(g->save, &p->rows[old], err);
    }
    if (rc != MA_OK)
        return rc;
    game_event(r, SEV_GOOD, "You %s the %s %s.", d->slot <= ITEM_SLOT_FEET || d->slot == ITEM_SLOT_RING ? "put on" : "take up",
               label, slot_phrase[d->slot]);
    if (old >= 0) {
        items_label(p->rows[old].item_name, old_label, sizeof old_label);
        game_event(r, SEV_INFO, "The %s goes back into your pack.", old_label);
    }
    r->ok = 1;
    game_pass_time(g, 1, r);
    return MA_OK;
}

int inventory_equip(Game *g, const char *item, ActionResult *r, Err *err)
{
    char label[64];
    items_label(item, label, sizeof label);
    Pack p;
    int rc = pack_load(g, g->p.character_id, &p, err);
    if (rc != MA_OK)
        return rc;
    const ItemDef *d = items_find(g->items, item);
    int src = find_row(&p, item, 0);
    if (src < 0 && find_row(&p, item, 1) >= 0)
        game_refuse(r, "the %s is already equipped", label);
    else if (src < 0)
        game_refuse(r, "you have no %s", label);
    else if (!d || d->slot == ITEM_SLOT_NONE)
        game_refuse(r, "cannot equip the %s: %s %s is not worn or wielded", label,
                    d && strchr("aeiou", d->type[0]) ? "an" : "a", d ? d->type : "material");
    else
        rc = equip_rows(g, &p, src, d, r, err);
    pack_free(&p);
    return rc;
}

int inventory_unequip(Game *g, const char *item_or_slot, ActionResult *r, Err *err)
{
    char label[64];
    Pack p;
    int rc = pack_load(g, g->p.character_id, &p, err);
    if (rc != MA_OK)
        return rc;
    int pos = inventory_slot_position(item_or_slot);
    int idx = pos >= 0 ? row_at(&p, pos) : find_row(&p, item_or_slot, 1);
    if (idx < 0) {
        items_label(item_or_slot, label, sizeof label);
        if (pos >= 0)
            game_refuse(r, "nothing is worn in your %s slot", label);
        else if (find_row(&p, item_or_slot, 0) >= 0)
            game_refuse(r, "the %s is not equipped", label);
        else
            game_refuse(r, "you have no %s equipped", label);
        goto done;
    }
    InventoryRow *row = &p.rows[idx];
    items_label(row->item_name, label, sizeof label);
    int free_pos;
    if (row->slot_position == INV_SLOT_BAG) {
        int inside = bag_overflow(&p, 0);
        if (inside > 0) {
            game_refuse(r, "empty the %s first: %d stack%s still in it", label, inside, inside == 1 ? " is" : "s are");
            goto done;
        }
        p.bag = 0;
    }
    if ((free_pos = pack_free_slot(&p)) < 0) {
        game_refuse(r, "your pack is full: no room for the %s", label);
        goto done;
    }
    mark_unequipped(row, free_pos);
    if ((rc = inventory_update(g->save, row, err)) != MA_OK)
        goto done;
    game_event(r, SEV_INFO, "You take off the %s and put it in your pack.", label);
    r->ok = 1;
    game_pass_time(g, 1, r);
done:
    pack_free(&p);
    return rc;
}

static int enchant_level(const cJSON *data, const char *name)
{
    int total = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(data, "enchantments")) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "name");
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(e, "level");
        if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
            total += cJSON_IsNumber(l) ? l->valueint : 1;
    }
    return total;
}

int inventory_bonuses(Game *g, EquipBonuses *out, Err *err)
{
    memset(out, 0, sizeof *out);
    Pack p;
    int rc = pack_load(g, g->p.character_id, &p, err);
    if (rc != MA_OK)
        return rc;
    for (int i = 0; i < p.n; i++) {
        const InventoryRow *row = &p.rows[i];
        const ItemDef *d = items_find(g->items, row->item_name);
        if (!d || !inventory_is_equipment_slot(row->slot_position))
            continue;
        out->armor += d->armor + enchant_level(row->item_data, "protection");
        for (int k = 0; k < ITEM_STATS; k++)
            out->stat[k] += d->bonus[k];
        if (row->slot_position == INV_SLOT_MAIN_HAND) {
            out->attack = d->damage + enchant_level(row->item_data, "sharpness");
            out->weapon = d->name;
            out->ranged = d->ranged;
            out->tool_power = d->tool_power;
        }
    }
    pack_free(&p);
    return MA_OK;
}

/* ------------------------------------------------------------ wear and repair */

int inventory_wear(Game *g, const char *slot, int amount, ActionResult *r, Err *err)
{
    Pack p;
    int rc = pack_load(g, g->p.character_id, &p, err);
    if (rc != MA_OK)
        return rc;
    int pos = inventory_slot_position(slot);
    int idx = pos >= 0 ? row_at(&p, pos) : find_row(&p, slot, -1);
    const ItemDef *d = idx >= 0 ? items_lookup(g->items, p.rows[idx].item_name) : NULL;
    if (d && d->durability > 0 && amount > 0) {
        InventoryRow *row = &p.rows[idx];
        char label[64];
        items_label(row->item_name, label, sizeof label);
        int before = durability_of(row, d), now = before - amount;
        if (now <= 0) {
            rc = inventory_delete(g->save, row->id, err);
            if (rc == MA_OK) {
                game_event(r, SEV_BAD, "Your %s breaks!", label);
                if (strcmp(g->p.hand, row->item_name) == 0 &&
                    inventory_count(g, g->p.character_id, row->item_name, NULL) == 0)
                    g->p.hand[0] = '\0';
            }
        } else {
            if (!cJSON_IsObject(row->item_data)) {
                cJSON_Delete(row->item_data);
                row->item_data = cJSON_CreateObject();
            }
            set_number(row->item_data, "durability", now);
            rc = inventory_update(g->save, row, err);
            int low = d->durability / 10;
            if (rc == MA_OK && now <= low && before > low)
                game_event(r, SEV_WARN, "Your %s is nearly worn out (%d/%d).", label, now, d->durability);
        }
    }
    pack_free(&p);
    return rc;
}

int inventory_repair(Game *g, const char *item, ActionResult *r, Err *err)
{
    char label[64], mat[64];
    items_label(item, label, sizeof label);
    Pack p;
    int rc = pack_load(g, g->p.character_id, &p, err);
    if (rc != MA_OK)
        return rc;
    const ItemDef *d = items_lookup(g->items, item);
    /* The most worn one of that name, equipped or not. */
    int idx = -1;
    for (int i = 0; i < p.n; i++)
        if (strcmp(p.rows[i].item_name, item) == 0 &&
            (idx < 0 || durability_of(&p.rows[i], d) < durability_of(&p.rows[idx], d)))
            idx = i;
    if (idx < 0) {
        game_refuse(r, "you have no %s", label);
        goto done;
    }
    if (d->durability <= 0) {
        game_refuse(r, "the %s does not wear out", label);
        goto done;
    }
    if (!d->repair[0]) {
        game_refuse(r, "the %s cannot be repaired", label);
        goto done;
    }
    InventoryRow *row = &p.rows[idx];
    int now = durability_of(row, d);
    if (now >= d->durability) {
        game_refuse(r, "the %s is not damaged (%d/%d)", label, now, d->durability);
        goto done;
    }
    items_label(d->repair, mat, sizeof mat);
    int have = inventory_count(g, g->p.character_id, d->repair, err);
    if (have < 0) {
        rc = err->code;
        goto done;
    }
    if (have == 0) {
        game_refuse(r, "repairing the %s takes 1 %s; you have none", label, mat);
        goto done;
    }
    if (!cJSON_IsObject(row->item_data)) {
        cJSON_Delete(row->item_data);
        row->item_data = cJSON_CreateObject();
    }
    set_number(row->item_data, "durability", d->durability);
    if ((rc = inventory_update(g->save, row, err)) != MA_OK ||
        (rc = inventory_take_from(g, g->p.character_id, d->repair, 1, err)) != MA_OK)
        goto done;
    game_event(r, SEV_GOOD, "You repair the %s with 1 %s (%d/%d).", label, mat, d->durability, d->durability);
    r->ok = 1;
    game_pass_time(g, 2, r);
done:
    pack_free(&p);
    return rc;
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
    if (!d || (d->heal == 0 && d->mana == 0 && !d->teaches[0])) {
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
    if (left > 0)
        return err_set(err, MA_ERR_INVALID, "no room for %d %s", left, item);
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
        return err_set(err, MA_ERR_INVALID, "%s has only %d %s, not %d", g->p.name, have, label, count);
    /* Check the room first so that nothing moves when it cannot all move.
     * Gear with its own data moves one per slot. */
    Pack theirs;
    if ((rc = pack_load(g, to_character_id, &theirs, err)) != MA_OK)
        return rc;
    const ItemDef *d = items_lookup(g->items, item);
    int room = room_for(g, &theirs, item, count, d->stack == 1 || d->durability > 0);
    pack_free(&theirs);
    if (room < count)
        return err_set(err, MA_ERR_INVALID, "%s's pack has room for only %d %s", to_name, room, label);
    Receiver rcv = {to_character_id};
    if ((rc = take_with(g, g->p.character_id, item, count, give_part, &rcv, err)) != MA_OK)
        return rc;
    if (have == count && strcmp(g->p.hand, item) == 0)
        g->p.hand[0] = '\0';
    return transfers_log(g->save, g->p.character_id, to_character_id, item, count, reason, price, err);
}
