/* inventory_internal.h — what the inventory files share: the slot table, a character's rows read
 * as a Pack, and the helpers stacking (inventory.c), the ground (inventory_ground.c) and
 * equipment (inventory_equip.c) all use. Not for other modules: they include game/inventory.h. */
#ifndef MA_GAME_INVENTORY_INTERNAL_H
#define MA_GAME_INVENTORY_INTERNAL_H

#include <stdint.h>

#include <cJSON.h>

#include "game/game_internal.h"
#include "game/inventory.h"

static const struct {
    int position;
    const char *name;
} equip_slots[] = {
    {INV_SLOT_HEAD, "head"},           {INV_SLOT_BODY, "body"},         {INV_SLOT_HANDS, "hands"},
    {INV_SLOT_FEET, "feet"},           {INV_SLOT_MAIN_HAND, "main_hand"}, {INV_SLOT_OFF_HAND, "off_hand"},
    {INV_SLOT_RING1, "ring1"},         {INV_SLOT_RING2, "ring2"},       {INV_SLOT_BAG, "bag"},
};
#define N_EQUIP_SLOTS ((int)(sizeof equip_slots / sizeof equip_slots[0]))
typedef struct Pack {
    InventoryRow *rows;
    int n;
    int bag;                          /* backpack slots the equipped bag opens */
    unsigned char used[INV_SLOT_BAG + 1];
} Pack;

/* Called for each part of a removal before the rows change: n of the item,
 * with the row's loose item_data (NULL for a plain stack). */
typedef int (*TakeFn)(Game *g, const char *item, int n, const cJSON *data, void *ud, Err *err);

/* In inventory.c (what each does is said at its definition). */
int inventory_slot_position_of(ItemSlot s);
void inventory_pack_free(Pack *p);
int inventory_pack_load(Game *g, int64_t character_id, Pack *p, Err *err);
int inventory_is_pack_slot(const Pack *p, int pos);
int inventory_pack_free_slot(const Pack *p);
int inventory_row_at(const Pack *p, int pos);
int inventory_find_row(const Pack *p, const char *item, int want);
cJSON *inventory_loose_data(const cJSON *data);
void inventory_set_number(cJSON *obj, const char *key, double v);
char inventory_free_letter(const Pack *p, const char *taken);
void inventory_set_letter(InventoryRow *row, char letter);
int inventory_take_with(Game *g, int64_t character_id, const char *item, int count, TakeFn fn, void *ud, Err *err);

#endif
