/* inventory.h — the player's pack and equipment as game actions: equip,
 * unequip, drop, take (items on the ground, chests), use, repair; stacks
 * with per-item maximums; equipment bonuses; wear; items moving between
 * characters.
 *
 * Slot model (inventory.slot_position):
 *   0..35   the backpack (0..8 are the hotbar the UI shows first)
 *   36 head, 37 body, 38 hands, 39 feet, 40 main_hand, 41 off_hand,
 *   42 ring1, 43 ring2                       the equipment slots
 *   44..59  more backpack, open while a bag is equipped (as many as the
 *           bag's bag_slots, from 44)
 *   60      the bag itself (equipment slot "bag")
 *   NULL    carried outside the grid (quest items of older saves)
 * An equipped item's item_data holds {"equipped": true, "slot": NAME,
 * "durability": n, "enchantments": [{"name":..., "level":n}]} with NAME the
 * slot's name above ("ring1", "ring2" for rings); `verify` checks that
 * equipment sits only in these slots and matches its item_data.slot.
 * Anything with durability keeps "durability" in item_data wherever it is.
 *
 * Every action returns MA_OK with r->ok = 0 and a reason when it cannot be
 * done, and writes through the save without committing: game_apply
 * commits the whole action. A negative return means the save failed. */
#ifndef MA_GAME_INVENTORY_H
#define MA_GAME_INVENTORY_H

#include <stdint.h>

#include "game/game.h"
#include "game/items.h"

#define INV_BACKPACK_SLOTS 36
#define INV_SLOT_HEAD 36
#define INV_SLOT_BODY 37
#define INV_SLOT_HANDS 38
#define INV_SLOT_FEET 39
#define INV_SLOT_MAIN_HAND 40
#define INV_SLOT_OFF_HAND 41
#define INV_SLOT_RING1 42
#define INV_SLOT_RING2 43
#define INV_BAG_FIRST 44
#define INV_BAG_SLOTS 16 /* 44..59 */
#define INV_SLOT_BAG 60

/* 1 for the equipment positions (36..43 and 60). */
int inventory_is_equipment_slot(int position);
/* The name of an equipment position ("head", ..., "ring1", "ring2", "bag"),
 * "backpack" for 0..35 and 44..59, or "none". */
const char *inventory_slot_label(int position);
/* The position of an equipment slot name ("head", "ring1", "ring" = ring1,
 * "bag"...), or -1. */
int inventory_slot_position(const char *name);

/* The letter an item row of the player keeps while it is carried (item_data "letter", a-z then
 * A-Z), or 0 when it has none (more than 52 rows, or another character's). */
char inventory_letter(const InventoryRow *row);
/* Gives every row of the player without a letter the first free one (an older save, rows made
 * outside the game's rules); inside the caller's transaction. */
int inventory_letters_assign(Game *g, Err *err);

/* The item registry the game loaded (for the screens). Borrowed. */
const ItemRegistry *inventory_items(const Game *g);

/* Wears item (from the pack) in its slot; whatever was there goes back to
 * where the item came from. Refuses what cannot be worn, with the reason. */
int inventory_equip(Game *g, const char *item, ActionResult *r, Err *err);
/* Puts item from the pack into its slot when that slot is empty, saying nothing and passing no
 * time: a new character's weapon (classes.json's gear of type "weapon") is in hand from the start. */
int inventory_equip_start(Game *g, const char *item, Err *err);
/* The item in the main hand into name ("" for bare hands): the side panel's "Wield:", read each
 * frame with one indexed query. */
int inventory_wielded(Game *g, char *name, size_t size, Err *err);
/* Takes off the item in a slot ("head", "ring2"...) or the equipped item of
 * that name, back into the pack; refuses when the pack is full. */
int inventory_unequip(Game *g, const char *item_or_slot, ActionResult *r, Err *err);
/* Puts count (0 means 1) of item on the ground at the player's feet, as an
 * item entity in the chunk; logged as a "drop" transfer. */
int inventory_drop(Game *g, const char *item, int count, ActionResult *r, Err *err);
/* How many stacks a chest holds (a stack: any number of one plain item, or one piece of gear). */
#define INVENTORY_CHEST_STACKS 27
/* Puts count (0: all the player has) of item into the chest beside the player (the one `take` would open):
 * plain items join a stack of their kind there, gear keeps its data; logged as a "drop"
 * transfer (the schema's reasons: it leaves the pack for the world; taking it back is "loot"). Refused with no chest near, or a chest of INVENTORY_CHEST_STACKS stacks. */
int inventory_store(Game *g, const char *item, int count, ActionResult *r, Err *err);
/* Whether a chest stands where inventory_store and inventory_take look for one. */
int inventory_chest_near(Game *g);
/* What the chest at world (x, y, z) holds, in words ("3 bread, 1 iron sword", "nothing"), into
 * buf; 0 when no chest stands there. */
int inventory_chest_words(Game *g, int32_t x, int32_t y, int32_t z, char *buf, size_t size);
/* Picks up the items lying at the player's feet; when there are none,
 * opens a chest underfoot or next to the player (feet or head level) and
 * takes what it holds (logged as "loot"). With `item` (NULL or "": everything), only that item,
 * from the pile or the first chest near that holds it ("no bread here or in the chest"). What
 * does not fit stays. */
int inventory_take(Game *g, const char *item, ActionResult *r, Err *err);
/* An item a chest holds and how many, for the take list. */
typedef struct InventoryChoice {
    char item[65];
    int count;
} InventoryChoice;
/* What the chest `take` would open holds, an entry an item (its stacks summed), in the chest's
 * order: how many were written (at most max), 0 when no chest near holds anything or when
 * something lies at the player's feet (take picks that up first). */
int inventory_chest_choices(Game *g, InventoryChoice *out, int max);
/* Eats food, drinks a potion, or reads a book or scroll (learning the recipe
 * it teaches as character_state "recipe"). One is used up. */
int inventory_use(Game *g, const char *item, ActionResult *r, Err *err);
/* Restores a carried item's durability for one unit of its repair material. */
int inventory_repair(Game *g, const char *item, ActionResult *r, Err *err);

/* What the equipment adds up to, for the character sheet and combat.
 * weapon is the main-hand item's name (NULL when the hand is empty),
 * borrowed from the registry; ranged is 1 for a bow. attack is the main
 * hand's damage (plus "sharpness" levels), armor the sum of armour (plus
 * "protection" levels), stat[] in item_stat_names order, tool_power the
 * main-hand tool's power (0 without one). */
typedef struct EquipBonuses {
    int attack, armor, stat[ITEM_STATS];
    int tool_power;
    const char *weapon;
    int ranged;
} EquipBonuses;
/* The durability an item row has left (its item_data's, else the kind's new durability). */
int inventory_durability_of(const InventoryRow *row, const ItemDef *d);
int inventory_bonuses(Game *g, EquipBonuses *out, Err *err);
/* Worn gear's health and mana bonuses raise the maximums while it is worn: brings what the
 * maximums hold of it (Player.gear_health, gear_mana) in line with what is worn now, and keeps
 * health and mana within them; says so in r (may be NULL) when they change. game_apply calls it
 * after every action, so that whatever took gear off or put it on (equipping, wearing out, a
 * death, a trade) is counted once. */
int inventory_gear_settle(Game *g, ActionResult *r, Err *err);

/* Wears down by amount the item in an equipment slot ("main_hand", "body",
 * ...) or, when slot is not a slot name, the first carried item of that
 * name. At 0 it breaks (is removed) with a message in r. Items without
 * durability, and an empty slot, are left alone. */
int inventory_wear(Game *g, const char *slot, int amount, ActionResult *r, Err *err);

/* Moves count of item from the player to another character (stacking by
 * the item's maximum) and logs it with reason and price ("gift", "trade",
 * "sale", "purchase", "quest", "theft", "loot", "drop"). Nothing moves and
 * MA_ERR_INVALID says why when the player has too few or the receiver's
 * pack is too full. Gold for a price moves by a second call. */
int inventory_transfer(Game *g, int64_t to_character_id, const char *item, int count, const char *reason, int price,
                       Err *err);

/* On death: everything the player carries (equipment too) becomes item
 * entities at world position (x, y, z), logged as "drop". */
int inventory_drop_all_at(Game *g, int32_t x, int32_t y, int32_t z, Err *err);

/* The stacking rules behind game_give_item / game_take_item /
 * game_item_count, for any character. data (may be NULL) is copied into
 * new rows as their item_data (for gear that keeps durability or
 * enchantments). _give returns how many did not fit, or a negative status;
 * _take takes from the pack before equipment. */
int inventory_give(Game *g, int64_t character_id, const char *item, const char *type, int count, const cJSON *data,
                   Err *err);
int inventory_take_from(Game *g, int64_t character_id, const char *item, int count, Err *err);
int inventory_count(Game *g, int64_t character_id, const char *item, Err *err);

#endif
