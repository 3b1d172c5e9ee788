/* items.h — every item of the game, from data/items.json: type, stack
 * size, equipment slot, durability, damage, armour, stat bonuses, tool
 * kind and power, what eating or drinking it restores, what it teaches,
 * what repairs it, its value and description.
 *
 * The registry is read-only after loading. An item that the file does not
 * name (an older save, another module's invention) still works: items_lookup
 * answers with a plain material that stacks to ITEM_DEFAULT_STACK. */
#ifndef MA_GAME_ITEMS_H
#define MA_GAME_ITEMS_H

#include <stddef.h>

#include "util/err.h"

#define ITEM_STATS 7            /* the design's seven stats, in item_stat_names order */
#define ITEM_DEFAULT_STACK 99   /* stack size of an item items.json does not name */
#define ITEM_MAX_BAG_SLOTS 16   /* the most backpack slots a bag adds */

/* Where an item is worn. ITEM_SLOT_RING fits either ring finger. */
typedef enum ItemSlot {
    ITEM_SLOT_NONE = -1,
    ITEM_SLOT_HEAD,
    ITEM_SLOT_BODY,
    ITEM_SLOT_HANDS,
    ITEM_SLOT_FEET,
    ITEM_SLOT_MAIN_HAND,
    ITEM_SLOT_OFF_HAND,
    ITEM_SLOT_RING,
    ITEM_SLOT_BAG,
    ITEM_SLOT_COUNT_
} ItemSlot;

typedef struct ItemDef {
    char name[48];         /* the key: "iron_sword" */
    char title[64];        /* "Iron sword" */
    char plural[64];       /* words for more than one: "iron swords", "bread" (items.json "plural", else
                              English rules on the name) */
    char singular[64];     /* words for one: "plank", "pair of leather boots" (items.json "singular",
                              else the name's words) */
    char type[16];         /* block, tool, weapon, armor, ring, bag, food, potion, material, ammo,
                              currency, book, scroll, quest */
    int stack;             /* most per stack; 1 for anything worn or worn out */
    ItemSlot slot;         /* ITEM_SLOT_NONE when it cannot be equipped */
    int durability;        /* uses when new; 0: does not wear */
    int damage, armor;     /* added to attack and armour while equipped */
    int bonus[ITEM_STATS]; /* stat changes while equipped */
    char tool_kind[16];    /* pickaxe, axe, shovel, hoe, fishing_rod, or "" */
    int tool_power;        /* 1 wood, 2 stone, 3 iron, 4 diamond */
    int ranged;            /* a bow: attacks at range using ammo */
    char ammo[48];         /* the item a ranged weapon shoots, or "" */
    int bag_slots;         /* backpack slots an equipped bag opens */
    int heal, mana;        /* restored by use (food, potions) */
    char teaches[64];      /* the recipe a book or scroll teaches when used, or "" */
    char repair[48];       /* the material one repair costs, or "" (cannot be repaired) */
    int value;             /* gold price */
    char description[256];
} ItemDef;

typedef struct ItemRegistry ItemRegistry;

/* "health", "mana", "strength", "intelligence", "dexterity", "constitution", "charisma". */
extern const char *const item_stat_names[ITEM_STATS];

/* Parses items JSON ({"items": [ {...}, ... ]}) into a new registry the
 * caller frees with items_free. source names the file in messages; a bad
 * file is refused with MA_ERR_INVALID and "source: item N ("name"): reason". */
int items_load(const char *json, size_t len, const char *source, ItemRegistry **out, Err *err);
/* Loads data/items.json (embedded, or from $MAGIC_DATA_DIR). */
int items_load_default(ItemRegistry **out, Err *err);
void items_free(ItemRegistry *r);

/* The item named name, or NULL when the file has none (r may be NULL). */
const ItemDef *items_find(const ItemRegistry *r, const char *name);
/* Like items_find, but never NULL: unknown names get a plain material with
 * stack ITEM_DEFAULT_STACK (whose name field is empty). */
const ItemDef *items_lookup(const ItemRegistry *r, const char *name);
/* Iteration in file order: items_at(r, 0 .. items_count(r) - 1). */
int items_count(const ItemRegistry *r);
const ItemDef *items_at(const ItemRegistry *r, int i);

/* "head", "body", "hands", "feet", "main_hand", "off_hand", "ring", "bag";
 * items_slot_parse is the reverse (ITEM_SLOT_NONE when unknown). */
const char *items_slot_name(ItemSlot s);
ItemSlot items_slot_parse(const char *name);

/* An item's name as words for messages ("iron_sword" -> "iron sword"), into buf. */
const char *items_label(const char *name, char *buf, size_t size);
/* An item's (or block's) name as its title says it, in lower case ("flower_red" -> "red flower",
 * "planks" -> "planks"); a name r does not hold (r may be NULL) as items_label. Returns buf. */
const char *items_title_words(const ItemRegistry *r, const char *name, char *buf, size_t size);
/* What can be done with an item of this kind (NULL: an unknown item, nothing): used (food, a
 * potion, a book or a scroll: it heals, restores mana or teaches), and worn (it has a slot). */
int items_usable(const ItemDef *d);
int items_wearable(const ItemDef *d);
/* Whether an item of this kind with `durability` left can be repaired now: it wears, names what
 * repairs it, and is worn down. */
int items_repairable(const ItemDef *d, int durability);

/* A count of an item as words, into buf: "1 torch", "4 torches", "3 bread", "1 plank". The
 * singular is the item's own (ItemDef.singular) and the plural is the
 * item's own (ItemDef.plural); an item r does not hold (r may be NULL) gets English rules on its
 * name, as items_load gives an item with no "plural". Returns buf. */
const char *items_count_words(const ItemRegistry *r, const char *name, int count, char *buf, size_t size);
/* The same without the number: "torch" for 1, "torches" for more, into buf. Returns buf. */
const char *items_noun(const ItemRegistry *r, const char *name, int count, char *buf, size_t size);

#endif
