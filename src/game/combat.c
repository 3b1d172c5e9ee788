/* combat.c — fighting: the player's bump attack, arrows and spells, a
 * creature's attack on the player, a creature's death (drops, experience,
 * the slain_<kind> counter) and the player's death (counter "deaths", the
 * pack dropped where they fell).
 *
 * Rolls (all from g->rng, so a fight is reproducible):
 *   melee   to hit 60% + 3 per dexterity over 10 - 3 per creature defense
 *           (10..95%); damage 1d4 + (strength - 8) / 2 + weapon + skill
 *           - defense, at least 1.
 *   arrows  to hit 55% + 4 per dexterity over 10 - 3 per defense - 2 per
 *           cell of distance; damage 2..5 + (dexterity - 10) / 2 + bow + skill
 *           - defense, at least 1.
 *   spells  never miss; amount from the spell + (intelligence - 10) / 2 +
 *           skill - defense / 2.
 *   a creature's attack: its "hit" - 2 per dexterity over 10 - 2 per armour
 *           (5..95%); damage from its "attack" range - armour / 2, at least 1.
 * Equipment comes from inventory.c (inventory_bonuses, inventory_wear),
 * skills and experience from progress.c. */
#include "game/creatures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/game_internal.h"
#include "game/game_travel.h"
#include "game/inventory.h"
#include "game/progress.h"
#include "save/characters.h"
#include "save/charstate.h"
#include "util/text.h"

#define SHOOT_RANGE 8

/* ------------------------------------------------------------ what other modules give a fight */

/* Equipment's part in a fight (inventory.c): the main hand's damage, the
 * armour worn, and whether the main hand holds a bow. */
typedef struct CombatGear {
    int attack, armor, ranged;
    EquipBonuses worn; /* the whole of it, for the stats (progress_stat_worn) */
} CombatGear;

/* The first melee weapon the player carries in the pack (not in hand), into buf, or "". */
static int carried_weapon(Game *g, char *buf, size_t size, Err *err)
{
    buf[0] = '\0';
    InventoryRow *rows = NULL;
    int n = 0;
    int rc = inventory_list(g->save, g->p.character_id, &rows, &n, err);
    for (int i = 0; rc == MA_OK && i < n && !buf[0]; i++) {
        const ItemDef *d = items_find(inventory_items(g), rows[i].item_name);
        if (d && strcmp(d->type, "weapon") == 0 && !inventory_is_equipment_slot(rows[i].slot_position) &&
            !d->ranged)
            snprintf(buf, size, "%s", rows[i].item_name);
    }
    inventory_list_free(rows, n);
    return rc;
}

static int combat_gear(Game *g, CombatGear *out, Err *err)
{
    EquipBonuses b;
    memset(out, 0, sizeof *out);
    int rc = inventory_bonuses(g, &b, err);
    if (rc != MA_OK)
        return rc;
    out->attack = b.attack;
    out->armor = b.armor;
    out->ranged = b.ranged;
    out->worn = b;
    return MA_OK;
}

/* Trains the skill used in a fight (progress.c), when the skill book has it. */
static int combat_train(Game *g, const char *skill, int xp, ActionResult *r, Err *err)
{
    if (!g->skills || !skillbook_has(g->skills, skill))
        return MA_OK;
    return progress_skill_use(g, skill, xp, r, err);
}

/* ------------------------------------------------------------ helpers */

static int clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

static const char *dir_word(Dir d)
{
    static const char *const words[] = {"north", "north-east", "east", "south-east",
                                        "south", "south-west", "west", "north-west"};
    return d >= DIR_N && d <= DIR_NW ? words[d] : "away";
}

/* "2 raw meat", "a wolf pelt": item names read with spaces. */
static void item_words(const Game *g, const char *item, int count, char *buf, size_t size)
{
    if (count == 1) {
        char name[40];
        items_label(item, name, sizeof name);
        snprintf(buf, size, "%s %s", strchr("aeiou", name[0]) ? "an" : "a", name);
    } else {
        items_count_words(g->items, item, count, buf, size);
    }
}

/* Adds count of item to the item entity at the same local cell (or a new one). */
static void ground_add(cJSON *entities, const cJSON *pos, const char *item, int count)
{
    cJSON *e;
    cJSON_ArrayForEach(e, entities) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "type");
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(e, "item");
        cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "count");
        cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "position");
        if (cJSON_IsString(t) && strcmp(t->valuestring, "item") == 0 && cJSON_IsString(it) &&
            strcmp(it->valuestring, item) == 0 && cJSON_IsNumber(n) && cJSON_Compare(p, pos, 1)) {
            cJSON_SetNumberValue(n, n->valueint + count);
            return;
        }
    }
    e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "type", "item");
    cJSON_AddStringToObject(e, "item", item);
    cJSON_AddNumberToObject(e, "count", count);
    cJSON_AddItemToObject(e, "position", cJSON_Duplicate(pos, 1));
    cJSON_AddItemToArray(entities, e);
}

/* The creature dies: its entity goes, its drops lie where it stood. */
static int creature_dies(Game *g, CreatureRef *c, ActionResult *r, Err *err)
{
    const CreatureDef *d = c->def;
    Chunk *ch = world_chunk(g->world, c->cx, c->cy, c->cz, err);
    if (!ch)
        return err->code;
    cJSON *e = creature_entity(g, c, err);
    if (!e)
        return MA_OK;
    cJSON *pos = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(e, "position"), 1);
    cJSON_Delete(cJSON_DetachItemViaPointer(ch->entities, e));
    char list[150] = "";
    size_t used = 0;
    for (int i = 0; i < d->n_drops; i++) {
        const CreatureDrop *dr = &d->drops[i];
        if (!prng_chance(&g->rng, dr->chance))
            continue;
        int count = prng_range(&g->rng, dr->min, dr->max);
        ground_add(ch->entities, pos, dr->item, count);
        char words[48];
        item_words(g, dr->item, count, words, sizeof words);
        used += (size_t)snprintf(list + used, used < sizeof list ? sizeof list - used : 0, "%s%s",
                                 used ? " and " : "", words);
    }
    cJSON_Delete(pos);
    world_mark_dirty(g->world, c->cx, c->cy, c->cz);
    if (list[0])
        game_event(r, SEV_INFO, "The %s drops %s.", d->name, list);
    char key[48];
    snprintf(key, sizeof key, "slain_%s", d->kind);
    int rc = charstate_add(g->save, g->p.character_id, key, 1, NULL, err);
    if (rc == MA_OK && d->xp > 0)
        rc = progress_add_experience(g, d->xp, r, err);
    return rc;
}

int creature_damage(Game *g, CreatureRef *c, int amount, const char *who, ActionResult *r, Err *err)
{
    cJSON *e = creature_entity(g, c, err);
    if (!e)
        return MA_OK;
    const CreatureDef *d = c->def;
    cJSON *hp = cJSON_GetObjectItemCaseSensitive(e, "hp");
    int left = (cJSON_IsNumber(hp) ? hp->valueint : d->health) - amount;
    if (left <= 0) {
        game_event(r, SEV_GOOD, "%s the %s for %d. The %s dies.", who, d->name, amount, d->name);
        return creature_dies(g, c, r, err);
    }
    if (cJSON_IsNumber(hp))
        cJSON_SetNumberValue(hp, left);
    else
        cJSON_AddNumberToObject(e, "hp", left);
    if (d->aggression == AGGR_NEUTRAL && !cJSON_GetObjectItemCaseSensitive(e, "angry"))
        cJSON_AddBoolToObject(e, "angry", 1);
    world_mark_dirty(g->world, c->cx, c->cy, c->cz);
    game_event(r, SEV_GOOD, "%s the %s for %d (%d/%d left).", who, d->name, amount, left, d->health);
    return MA_OK;
}

/* A miss still wakes a neutral creature's anger. */
static void provoke(Game *g, CreatureRef *c, Err *err)
{
    cJSON *e = creature_entity(g, c, err);
    if (e && c->def->aggression == AGGR_NEUTRAL && !cJSON_GetObjectItemCaseSensitive(e, "angry")) {
        cJSON_AddBoolToObject(e, "angry", 1);
        world_mark_dirty(g->world, c->cx, c->cy, c->cz);
    }
}

/* ------------------------------------------------------------ the player's attacks */

static int attack_villager(Game *g, CreatureRef *c, ActionResult *r, Err *err)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(c->entity, "name");
    const char *who = cJSON_IsString(name) && name->valuestring[0] ? name->valuestring : "The villager";
    char key[64];
    snprintf(key, sizeof key, "attacked_%s", c->id[0] ? c->id : "villager");
    int rc = charstate_set(g->save, g->p.character_id, "flag", key, "1", err);
    if (rc != MA_OK)
        return rc;
    game_event(r, SEV_WARN, "You strike %s. %s cries out and backs away from you!", who, who);
    r->ok = 1;
    game_pass_time(g, 1, r);
    return MA_OK;
}

int combat_attack(Game *g, Dir d, ActionResult *r, Err *err)
{
    if (d < DIR_N || d > DIR_NW) {
        game_refuse(r, "attack takes a compass direction: n ne e se s sw w nw");
        return MA_OK;
    }
    int dx, dz;
    dir_delta(d, &dx, &dz);
    CreatureRef c;
    int found = creature_at(g, g->p.x + dx, g->p.y, g->p.z + dz, 0, &c, err);
    if (found < 0)
        return found;
    if (!found) {
        game_refuse(r, "nothing to attack there");
        return MA_OK;
    }
    if (!c.def)
        return attack_villager(g, &c, r, err);
    CombatGear gear;
    int rc = combat_gear(g, &gear, err);
    if (rc != MA_OK)
        return rc;
    int str = progress_stat_worn(g, "strength", 10, &gear.worn, err),
        dex = progress_stat_worn(g, "dexterity", 10, &gear.worn, err);
    int to_hit = clamp(60 + (dex - 10) * 3 - c.def->defense * 3, 10, 95);
    if (!gear.attack && !g->told_bare_hands) {
        /* Nothing in hand, and a weapon in the pack: say so once a session (a new warrior's sword
         * starts in the pack, and fists do a third of its damage). */
        char carried[65] = "";
        if ((rc = carried_weapon(g, carried, sizeof carried, err)) != MA_OK)
            return rc;
        if (carried[0]) {
            char words[80];
            text_words(carried, words, sizeof words);
            game_event(r, SEV_WARN, "You fight bare-handed: your %s is in your pack (e wields it).", words);
            g->told_bare_hands = 1;
        }
    }
    if (prng_chance(&g->rng, to_hit)) {
        int weapon = gear.ranged ? 0 : gear.attack; /* a bow in hand hits like a fist */
        int dmg = prng_range(&g->rng, 1, 4) + (str - 8) / 2 + weapon + progress_damage_bonus(g, "melee") -
                  c.def->defense;
        rc = creature_damage(g, &c, dmg < 1 ? 1 : dmg, "You hit", r, err);
        if (rc == MA_OK && weapon)
            rc = inventory_wear(g, "main_hand", 1, r, err);
        if (rc == MA_OK)
            rc = combat_train(g, "swordsmanship", 2, r, err);
    } else {
        game_event(r, SEV_INFO, "You miss the %s.", c.def->name);
        provoke(g, &c, err);
    }
    if (rc != MA_OK)
        return rc;
    r->ok = 1;
    game_pass_time(g, 1, r);
    return MA_OK;
}

/* The nearest creature in sight within range cells whose way is d as the side panel words it
 * ("bandit W 7" lies west though off the exact line), into *tx, *tz: 1, 0 when none, or a
 * negative status. */
static int aim(Game *g, Dir d, int range, int32_t *tx, int32_t *tz, Err *err)
{
    int ddx, ddz;
    dir_delta(d, &ddx, &ddz);
    const char *way = quest_compass(ddx, ddz);
    for (int ring = 1; ring <= range; ring++)
        for (int dz = -ring; dz <= ring; dz++)
            for (int dx = -ring; dx <= ring; dx++) {
                if ((abs(dx) != ring && abs(dz) != ring) || strcmp(quest_compass(dx, dz), way) != 0)
                    continue;
                CreatureRef c;
                int found = creature_at(g, g->p.x + dx, g->p.y, g->p.z + dz, 1, &c, err);
                if (found < 0)
                    return found;
                if (found && game_line_of_sight(g, g->p.x + dx, g->p.y, g->p.z + dz)) {
                    *tx = g->p.x + dx;
                    *tz = g->p.z + dz;
                    return 1;
                }
            }
    return 0;
}

/* The first creature along direction d within range cells, or a wall: toward the nearest
 * creature in sight that lies that way (aim), else straight along d (an arrow shot at a bandit
 * the panel put "W 7", two rows off the line, had flown on and been lost).
 * Returns 1 with *c for a creature, 0 with *dist where it stopped (wall at
 * *wall, air otherwise), or a negative status. */
static int trace(Game *g, Dir d, int range, CreatureRef *c, int *dist, BlockId *wall, Err *err)
{
    int dx, dz;
    dir_delta(d, &dx, &dz);
    int32_t tx = g->p.x + dx * range, tz = g->p.z + dz * range;
    int aimed = aim(g, d, range, &tx, &tz, err);
    if (aimed < 0)
        return aimed;
    int ax = abs(tx - g->p.x), az = abs(tz - g->p.z), steps = ax > az ? ax : az;
    *wall = BLOCK_AIR;
    for (int k = 1; k <= range && k <= steps; k++) {
        /* The cells of the line to (tx, tz), one a step (rounded to the nearest). */
        int32_t x = g->p.x + (int32_t)lround((double)(tx - g->p.x) * k / steps),
                z = g->p.z + (int32_t)lround((double)(tz - g->p.z) * k / steps);
        *dist = k;
        int found = creature_at(g, x, g->p.y, z, 1, c, err);
        if (found != 0)
            return found;
        BlockId b = world_get_block(g->world, x, g->p.y + 1, z);
        if (blocks_get(g->blocks, b)->solid) {
            *wall = b;
            return 0;
        }
    }
    return 0;
}

int combat_shoot(Game *g, Dir d, ActionResult *r, Err *err)
{
    if (d < DIR_N || d > DIR_NW) {
        game_refuse(r, "shoot takes a compass direction: n ne e se s sw w nw");
        return MA_OK;
    }
    CombatGear gear;
    int rc = combat_gear(g, &gear, err);
    if (rc != MA_OK)
        return rc;
    if (!gear.ranged) {
        game_refuse(r, "you need a bow in hand to shoot (equip one)");
        return MA_OK;
    }
    int arrows = game_item_count(g, "arrow", err);
    if (arrows < 0)
        return err->code;
    if (arrows == 0) {
        game_refuse(r, "you have no arrows");
        return MA_OK;
    }
    if ((rc = game_take_item(g, "arrow", 1, err)) != MA_OK)
        return rc;
    CreatureRef c;
    int dist = 0;
    BlockId wall;
    int found = trace(g, d, SHOOT_RANGE, &c, &dist, &wall, err);
    if (found < 0)
        return found;
    if (found) {
        int dex = progress_stat_worn(g, "dexterity", 10, &gear.worn, err);
        int to_hit = clamp(55 + (dex - 10) * 4 - c.def->defense * 3 - dist * 2, 10, 95);
        if (prng_chance(&g->rng, to_hit)) {
            int dmg = prng_range(&g->rng, 2, 5) + (dex - 10) / 2 + gear.attack +
                      progress_damage_bonus(g, "ranged") - c.def->defense;
            rc = creature_damage(g, &c, dmg < 1 ? 1 : dmg, "Your arrow hits", r, err);
            if (rc == MA_OK)
                rc = combat_train(g, "archery", 2, r, err);
            if (rc == MA_OK)
                rc = inventory_wear(g, "main_hand", 1, r, err);
        } else {
            game_event(r, SEV_INFO, "Your arrow misses the %s.", c.def->name);
            provoke(g, &c, err);
        }
    } else if (wall != BLOCK_AIR) {
        char name[40];
        game_event(r, SEV_INFO, "Your arrow strikes the %s and breaks.", game_block_label(g, wall, name, sizeof name));
    } else {
        game_event(r, SEV_INFO, "Your arrow flies %s and is lost (a bow reaches %d blocks).", dir_word(d), SHOOT_RANGE);
    }
    if (rc != MA_OK)
        return rc;
    r->ok = 1;
    game_pass_time(g, 1, r);
    return MA_OK;
}

/* Whether the character may cast s: one of its classes, or its skill. */
static int may_cast(Game *g, const SpellDef *s)
{
    for (int i = 0; i < s->n_classes; i++)
        if (strcmp(s->classes[i], g->p.character_class) == 0)
            return 1;
    return s->skill[0] && progress_skill_level(g, s->skill) >= s->min_skill;
}

int combat_may_cast(Game *g, const SpellDef *s, char *why, size_t size)
{
    if (why && size)
        why[0] = '\0';
    if (may_cast(g, s))
        return 1;
    char who[80] = "";
    for (int i = 0; i < s->n_classes; i++)
        snprintf(who + strlen(who), sizeof who - strlen(who), "%s%s", i ? " or " : "", s->classes[i]);
    if (s->skill[0])
        snprintf(who + strlen(who), sizeof who - strlen(who), "%s%s skill %d", who[0] ? ", or " : "", s->skill,
                 s->min_skill);
    if (why && size)
        snprintf(why, size, "needs a %s", who);
    return 0;
}

int combat_cast(Game *g, const char *spell, Dir d, ActionResult *r, Err *err)
{
    const SpellDef *s = creatures_spell(g->creatures, spell);
    if (!s) {
        game_refuse(r, "there is no spell called %s", spell);
        return MA_OK;
    }
    char why[120];
    if (!combat_may_cast(g, s, why, sizeof why)) {
        game_refuse(r, "you cannot cast %s: it %s", s->name, why);
        return MA_OK;
    }
    if (s->effect == SPELL_HEAL && g->p.health >= g->p.max_health) {
        /* Not hurt: the mana stays (it had cast for "0 health" and trained the skill). */
        game_refuse(r, "you are not hurt (%d/%d health)", g->p.health, g->p.max_health);
        return MA_OK;
    }
    if (g->p.mana < s->mana) {
        game_refuse(r, "not enough mana for %s (%d of %d)", s->name, g->p.mana, s->mana);
        return MA_OK;
    }
    if (s->effect != SPELL_HEAL && (d < DIR_N || d > DIR_NW)) {
        game_refuse(r, "%s takes a compass direction: cast %s n", s->name, s->name);
        return MA_OK;
    }
    int intel = progress_stat(g, "intelligence", 10, err);
    int amount = prng_range(&g->rng, s->amount_min, s->amount_max) + (intel - 10) / 2 + progress_damage_bonus(g, "spell");
    g->p.mana -= s->mana;
    int rc = MA_OK;
    if (s->effect == SPELL_HEAL) {
        int before = g->p.health;
        g->p.health = clamp(g->p.health + (amount < 1 ? 1 : amount), 0, g->p.max_health);
        game_event(r, SEV_GOOD, "You cast %s and recover %d health (%d/%d).", s->title, g->p.health - before,
                   g->p.health, g->p.max_health);
    } else {
        CreatureRef c;
        int dist = 0;
        BlockId wall;
        int found = trace(g, d, s->range, &c, &dist, &wall, err);
        if (found < 0)
            return found;
        if (found) {
            char who[64];
            snprintf(who, sizeof who, "Your %s %s", s->name, s->verb);
            int dmg = amount - c.def->defense / 2;
            rc = creature_damage(g, &c, dmg < 1 ? 1 : dmg, who, r, err);
            cJSON *e = rc == MA_OK && s->effect == SPELL_SLOW ? creature_entity(g, &c, err) : NULL;
            if (e) {
                cJSON_DeleteItemFromObjectCaseSensitive(e, "slow");
                cJSON_AddNumberToObject(e, "slow", s->turns);
                world_mark_dirty(g->world, c.cx, c.cy, c.cz);
                game_event(r, SEV_INFO, "The %s slows down.", c.def->name);
            }
        } else {
            game_event(r, SEV_INFO, "Your %s flies %s and fades away.", s->name, dir_word(d));
        }
    }
    if (rc == MA_OK && s->skill[0])
        rc = combat_train(g, s->skill, 2, r, err);
    if (rc != MA_OK)
        return rc;
    r->ok = 1;
    game_pass_time(g, 1, r);
    return MA_OK;
}

/* ------------------------------------------------------------ creatures attack */

int combat_creature_attacks(Game *g, const CreatureDef *def, ActionResult *r, Err *err)
{
    CombatGear gear;
    int rc = combat_gear(g, &gear, err);
    if (rc != MA_OK)
        return rc;
    r->attacked = 1;
    int dex = progress_stat_worn(g, "dexterity", 10, &gear.worn, err);
    int to_hit = clamp(def->hit - (dex - 10) * 2 - gear.armor * 2, 5, 95);
    if (!prng_chance(&g->rng, to_hit)) {
        game_event(r, SEV_INFO, "The %s misses you.", def->name);
        return MA_OK;
    }
    /* The world's difficulty (the balance keeper's knob, 0.75 to 1.5) scales the blow. */
    double scale = g->mods.difficulty > 0 ? g->mods.difficulty : 1.0;
    int dmg = (int)lround(prng_range(&g->rng, def->attack_min, def->attack_max) * scale) - gear.armor / 2;
    if (dmg < 1)
        dmg = 1;
    if (gear.armor > 0 && (rc = inventory_wear(g, "body", 1, r, err)) != MA_OK)
        return rc;
    if (dmg < g->p.health) {
        g->p.health -= dmg;
        game_event(r, SEV_BAD, "The %s %s you for %d (%d/%d left).", def->name, def->verb, dmg, g->p.health,
                   g->p.max_health);
        return MA_OK;
    }
    /* Death: keep room for the lines game_hurt and game_apply add. */
    if (r->n_events > GAME_MAX_EVENTS - 3)
        r->n_events = GAME_MAX_EVENTS - 3;
    char cause[64];
    snprintf(cause, sizeof cause, "The %s %s you", def->name, def->verb);
    game_hurt(g, dmg, cause, r); /* game_apply counts the death and drops the pack */
    return MA_OK;
}
