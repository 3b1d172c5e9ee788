/* inventory_equip.c — equipment: equipping and unequipping into the slots of inventory.h, the
 * bonuses worn gear gives, and wear and repair. */
#include "game/inventory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/game_internal.h"
#include "game/inventory_internal.h"
#include "save/charstate.h"

static const char *const slot_phrase[] = {"on your head", "on your body", "on your hands", "on your feet",
                                          "in your main hand", "in your off hand", "on a finger", "at your hip"};

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

/* quiet: the class's weapon put in hand as a character is made — no words, no time. */
static int equip_rows(Game *g, Pack *p, int src, const ItemDef *d, ActionResult *r, int quiet, Err *err)
{
    InventoryRow *s = &p->rows[src];
    char label[64], old_label[64];
    items_label(s->item_name, label, sizeof label);
    int target = inventory_slot_position_of(d->slot);
    if (d->slot == ITEM_SLOT_RING && p->used[INV_SLOT_RING1] && !p->used[INV_SLOT_RING2])
        target = INV_SLOT_RING2;
    int old = inventory_row_at(p, target);
    if (d->slot == ITEM_SLOT_BAG && old >= 0 && bag_overflow(p, d->bag_slots) > 0) {
        game_refuse(r, "empty the bag's last slots first: the %s holds only %d", label, d->bag_slots);
        return MA_OK;
    }
    /* Whatever was worn goes where the new item came from, or to a free slot. */
    int split = s->quantity > 1;
    int back = -1;
    if (old >= 0) {
        back = !split && inventory_is_pack_slot(p, s->slot_position) ? s->slot_position : inventory_pack_free_slot(p);
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
        one.item_data = inventory_loose_data(s->item_data);
        mark_equipped(&one, d, target);
        if (one.character_id == g->p.character_id)
            inventory_set_letter(&one, inventory_free_letter(p, NULL));
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
    if (rc != MA_OK || quiet)
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
    int rc = inventory_pack_load(g, g->p.character_id, &p, err);
    if (rc != MA_OK)
        return rc;
    const ItemDef *d = items_find(g->items, item);
    int src = inventory_find_row(&p, item, 0);
    if (src < 0 && inventory_find_row(&p, item, 1) >= 0)
        game_refuse(r, "the %s is already equipped", label);
    else if (src < 0)
        game_refuse(r, "you have no %s", label);
    else if (!d || d->slot == ITEM_SLOT_NONE)
        game_refuse(r, "cannot equip the %s: %s %s is not worn or wielded", label,
                    d && strchr("aeiou", d->type[0]) ? "an" : "a", d ? d->type : "material");
    else
        rc = equip_rows(g, &p, src, d, r, 0, err);
    inventory_pack_free(&p);
    return rc;
}

int inventory_equip_start(Game *g, const char *item, Err *err)
{
    Pack p;
    int rc = inventory_pack_load(g, g->p.character_id, &p, err);
    if (rc != MA_OK)
        return rc;
    const ItemDef *d = items_find(g->items, item);
    int src = inventory_find_row(&p, item, 0);
    if (d && d->slot != ITEM_SLOT_NONE && src >= 0 && inventory_row_at(&p, inventory_slot_position_of(d->slot)) < 0) {
        ActionResult scratch;
        memset(&scratch, 0, sizeof scratch);
        rc = equip_rows(g, &p, src, d, &scratch, 1, err);
    }
    inventory_pack_free(&p);
    return rc;
}

int inventory_wielded(Game *g, char *name, size_t size, Err *err)
{
    return inventory_item_in_slot(g->save, g->p.character_id, INV_SLOT_MAIN_HAND, name, size, err);
}

int inventory_unequip(Game *g, const char *item_or_slot, ActionResult *r, Err *err)
{
    char label[64];
    Pack p;
    int rc = inventory_pack_load(g, g->p.character_id, &p, err);
    if (rc != MA_OK)
        return rc;
    int pos = inventory_slot_position(item_or_slot);
    int idx = pos >= 0 ? inventory_row_at(&p, pos) : inventory_find_row(&p, item_or_slot, 1);
    if (idx < 0) {
        items_label(item_or_slot, label, sizeof label);
        if (pos >= 0)
            game_refuse(r, "nothing is worn in your %s slot", label);
        else if (inventory_find_row(&p, item_or_slot, 0) >= 0)
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
    if ((free_pos = inventory_pack_free_slot(&p)) < 0) {
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
    inventory_pack_free(&p);
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
    int rc = inventory_pack_load(g, g->p.character_id, &p, err);
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
    inventory_pack_free(&p);
    return MA_OK;
}

/* ------------------------------------------------------------ wear and repair */

int inventory_gear_settle(Game *g, ActionResult *r, Err *err)
{
    EquipBonuses b;
    int rc = inventory_bonuses(g, &b, err);
    if (rc != MA_OK)
        return rc;
    Player *p = &g->p;
    int dh = b.stat[0] - p->gear_health, dm = b.stat[1] - p->gear_mana;
    if (!dh && !dm)
        return MA_OK;
    p->max_health = p->max_health + dh < 1 ? 1 : p->max_health + dh;
    p->max_mana = p->max_mana + dm < 0 ? 0 : p->max_mana + dm;
    p->health = p->health > p->max_health ? p->max_health : p->health;
    p->mana = p->mana > p->max_mana ? p->max_mana : p->mana;
    p->gear_health = b.stat[0];
    p->gear_mana = b.stat[1];
    /* "(+10 from what you wear)", or nothing when what is worn adds none (it had said "+0"). */
    char from[48] = "";
    if (r && dh) {
        if (p->gear_health)
            snprintf(from, sizeof from, " (%+d from what you wear)", p->gear_health);
        game_event(r, SEV_INFO, "Health at most %d now%s.", p->max_health, from);
    }
    if (r && dm) {
        from[0] = '\0';
        if (p->gear_mana)
            snprintf(from, sizeof from, " (%+d from what you wear)", p->gear_mana);
        game_event(r, SEV_INFO, "Mana at most %d now%s.", p->max_mana, from);
    }
    return MA_OK;
}

int inventory_wear(Game *g, const char *slot, int amount, ActionResult *r, Err *err)
{
    Pack p;
    int rc = inventory_pack_load(g, g->p.character_id, &p, err);
    if (rc != MA_OK)
        return rc;
    int pos = inventory_slot_position(slot);
    int idx = pos >= 0 ? inventory_row_at(&p, pos) : inventory_find_row(&p, slot, -1);
    const ItemDef *d = idx >= 0 ? items_lookup(g->items, p.rows[idx].item_name) : NULL;
    if (d && d->durability > 0 && amount > 0) {
        InventoryRow *row = &p.rows[idx];
        char label[64];
        items_label(row->item_name, label, sizeof label);
        int before = inventory_durability_of(row, d), now = before - amount;
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
            inventory_set_number(row->item_data, "durability", now);
            rc = inventory_update(g->save, row, err);
            int low = d->durability / 10;
            if (rc == MA_OK && now <= low && before > low)
                game_event(r, SEV_WARN, "Your %s is nearly worn out (%d/%d).", label, now, d->durability);
        }
    }
    inventory_pack_free(&p);
    return rc;
}

int inventory_repair(Game *g, const char *item, ActionResult *r, Err *err)
{
    char label[64], mat[64];
    items_label(item, label, sizeof label);
    Pack p;
    int rc = inventory_pack_load(g, g->p.character_id, &p, err);
    if (rc != MA_OK)
        return rc;
    const ItemDef *d = items_lookup(g->items, item);
    /* The most worn one of that name, equipped or not. */
    int idx = -1;
    for (int i = 0; i < p.n; i++)
        if (strcmp(p.rows[i].item_name, item) == 0 &&
            (idx < 0 || inventory_durability_of(&p.rows[i], d) < inventory_durability_of(&p.rows[idx], d)))
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
    int now = inventory_durability_of(row, d);
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
    inventory_set_number(row->item_data, "durability", d->durability);
    if ((rc = inventory_update(g->save, row, err)) != MA_OK ||
        (rc = inventory_take_from(g, g->p.character_id, d->repair, 1, err)) != MA_OK)
        goto done;
    game_event(r, SEV_GOOD, "You repair the %s with 1 %s (%d/%d).", label, mat, d->durability, d->durability);
    r->ok = 1;
    game_pass_time(g, 2, r);
done:
    inventory_pack_free(&p);
    return rc;
}
