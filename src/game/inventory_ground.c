/* inventory_ground.c — items on the ground: entities of the chunk they lie in
 *   {"type":"item","item":"torch","count":3,"position":[lx,ly,lz]}
 * (with "data" for gear that keeps durability or enchantments): dropping, dropping all at death,
 * and picking up what lies at the player's feet. */
#include "game/inventory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/game_internal.h"
#include "game/inventory_internal.h"
#include "save/charstate.h"

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

/* How many of item the player holds, when they hold *count of it (*count <= 0: all_of_it ? all
 * they hold : 1); 0 with the refusal in r when they do not, negative on an error. */
static int pack_holds(Game *g, const char *item, int *count, int all_of_it, ActionResult *r, Err *err)
{
    char label[64];
    items_label(item, label, sizeof label);
    int have = inventory_count(g, g->p.character_id, item, err);
    if (have < 0)
        return err->code;
    if (*count <= 0)
        *count = all_of_it && have > 0 ? have : 1;
    if (have == 0)
        game_refuse(r, "you have no %s", label);
    else if (have < *count)
        game_refuse(r, "you have only %s", items_count_words(g->items, item, have, label, sizeof label));
    return have >= *count ? have : 0;
}

/* After count of item left the pack (of the have it held): the hand, "You VERB 3 bread WHERE.", a
 * turn. */
static void left_the_pack(Game *g, const char *item, int count, int have, const char *verb, const char *where,
                          ActionResult *r)
{
    char what[80];
    if (have == count && strcmp(g->p.hand, item) == 0)
        g->p.hand[0] = '\0';
    items_count_words(g->items, item, count, what, sizeof what);
    game_event(r, SEV_INFO, "You %s %s %s.", verb, what, where);
    r->ok = 1;
    game_pass_time(g, 1, r);
}

int inventory_drop(Game *g, const char *item, int count, ActionResult *r, Err *err)
{
    int have = pack_holds(g, item, &count, 0, r, err);
    if (have <= 0)
        return have < 0 ? have : MA_OK;
    GroundSpot at = {g->p.x, g->p.y, g->p.z};
    int rc = inventory_take_with(g, g->p.character_id, item, count, drop_part, &at, err);
    if (rc == MA_OK)
        rc = transfers_log(g->save, g->p.character_id, 0, item, count, "drop", 0, err);
    if (rc != MA_OK)
        return rc;
    left_the_pack(g, item, count, have, "drop", "at your feet", r);
    return MA_OK;
}

int inventory_drop_all_at(Game *g, int32_t x, int32_t y, int32_t z, Err *err)
{
    Pack p;
    int rc = inventory_pack_load(g, g->p.character_id, &p, err);
    for (int i = 0; rc == MA_OK && i < p.n; i++) {
        const InventoryRow *row = &p.rows[i];
        cJSON *data = inventory_loose_data(row->item_data);
        rc = put_on_ground(g, x, y, z, row->item_name, row->quantity, data, err);
        cJSON_Delete(data);
        if (rc == MA_OK)
            rc = inventory_delete(g->save, row->id, err);
        if (rc == MA_OK)
            rc = transfers_log(g->save, g->p.character_id, 0, row->item_name, row->quantity, "drop", 0, err);
    }
    inventory_pack_free(&p);
    if (rc == MA_OK)
        g->p.hand[0] = '\0';
    return rc;
}

/* Appends "3 coal" to a summary line ("You take 3 coal, 1 bread"). */
static void summary_add(const Game *g, char *line, size_t size, const char *item, int n)
{
    char what[80];
    items_count_words(g->items, item, n, what, sizeof what);
    size_t len = strlen(line);
    if (len + strlen(what) + 3 < size)
        snprintf(line + len, size - len, "%s%s", len ? ", " : "", what);
}

/* Picks up the item entities at the player's feet. *found: how many piles lay there. */
static int take_from_ground(Game *g, const char *want, int *found, char *line, size_t size, int *full, Err *err)
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
            cJSON_GetArrayItem(pos, 2)->valueint != lz || (want && strcmp(name->valuestring, want) != 0))
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
            summary_add(g, line, size, item, count - left);
        }
        if (left > 0)
            cJSON_SetNumberValue(n, left);
        else
            cJSON_DeleteItemFromArray(c->entities, i);
        world_mark_dirty(g->world, cx, cy, cz);
    }
    return MA_OK;
}

/* Where the player finds a chest, in order: underfoot, then around the feet, then around the head. */
static const int chest_spots[][3] = {{0, -1, 0}, {0, 0, -1}, {1, 0, 0},  {0, 0, 1},  {-1, 0, 0},  {1, 0, -1},
                                     {1, 0, 1},  {-1, 0, 1}, {-1, 0, -1}, {0, 1, -1}, {1, 1, 0},  {0, 1, 1},
                                     {-1, 1, 0}, {1, 1, -1}, {1, 1, 1},  {-1, 1, 1}, {-1, 1, -1}};

/* The first of chest_spots where a chest stands, into at: 1, or 0 when there is none. */
static int chest_spot(Game *g, int32_t at[3])
{
    int chest = blocks_find(g->blocks, "chest");
    for (size_t k = 0; chest > 0 && k < sizeof chest_spots / sizeof chest_spots[0]; k++) {
        int32_t x = g->p.x + chest_spots[k][0], y = g->p.y + chest_spots[k][1], z = g->p.z + chest_spots[k][2];
        if (y < 0 || y >= WORLD_HEIGHT || world_get_block(g->world, x, y, z) != (BlockId)chest)
            continue;
        at[0] = x;
        at[1] = y;
        at[2] = z;
        return 1;
    }
    return 0;
}

int inventory_chest_near(Game *g)
{
    int32_t at[3];
    return chest_spot(g, at);
}

int inventory_chest_words(Game *g, int32_t x, int32_t y, int32_t z, char *buf, size_t size)
{
    int chest = blocks_find(g->blocks, "chest");
    buf[0] = '\0';
    if (chest <= 0 || y < 0 || y >= WORLD_HEIGHT || world_get_block(g->world, x, y, z) != (BlockId)chest)
        return 0;
    Chunk *c = world_chunk(g->world, chunk_coord(x), chunk_coord(y), chunk_coord(z), NULL);
    const cJSON *meta = c ? chunk_meta_get(c, CHUNK_INDEX(chunk_local(x), chunk_local(y), chunk_local(z))) : NULL;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(meta, "items")) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "item"), *n = cJSON_GetObjectItemCaseSensitive(it, "count");
        if (cJSON_IsString(name) && cJSON_IsNumber(n) && n->valueint > 0)
            summary_add(g, buf, size, name->valuestring, n->valueint);
    }
    if (!buf[0])
        snprintf(buf, size, "nothing");
    return 1;
}

/* The chest items go into (chest_spot), with its metadata (a copy the caller writes back,
 * {"items": [...]}) in *meta: 1, 0 when there is none, or an error. */
static int chest_beside(Game *g, int32_t at[3], cJSON **meta, Err *err)
{
    if (!chest_spot(g, at))
        return 0;
    Chunk *c = world_chunk(g->world, chunk_coord(at[0]), chunk_coord(at[1]), chunk_coord(at[2]), err);
    if (!c)
        return err->code;
    const cJSON *m = chunk_meta_get(c, CHUNK_INDEX(chunk_local(at[0]), chunk_local(at[1]), chunk_local(at[2])));
    *meta = cJSON_IsObject(m) ? cJSON_Duplicate(m, 1) : cJSON_CreateObject();
    if (!*meta)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(*meta, "items"))) {
        cJSON_DeleteItemFromObjectCaseSensitive(*meta, "items");
        cJSON_AddArrayToObject(*meta, "items");
    }
    return 1;
}

/* One part of what is stored: onto a plain stack of the same item, or a stack of its own. */
static int store_part(Game *g, const char *item, int n, const cJSON *data, void *ud, Err *err)
{
    (void)g;
    (void)err;
    cJSON *items = cJSON_GetObjectItemCaseSensitive((cJSON *)ud, "items"), *it;
    cJSON_ArrayForEach(it, items) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "item");
        cJSON *count = cJSON_GetObjectItemCaseSensitive(it, "count");
        if (!data && cJSON_IsString(name) && strcmp(name->valuestring, item) == 0 && cJSON_IsNumber(count) &&
            !cJSON_GetObjectItemCaseSensitive(it, "data")) {
            cJSON_SetNumberValue(count, count->valuedouble + n);
            return MA_OK;
        }
    }
    it = cJSON_CreateObject();
    cJSON_AddStringToObject(it, "item", item);
    cJSON_AddNumberToObject(it, "count", n);
    if (data)
        cJSON_AddItemToObject(it, "data", cJSON_Duplicate(data, 1));
    cJSON_AddItemToArray(items, it);
    return MA_OK;
}

int inventory_store(Game *g, const char *item, int count, ActionResult *r, Err *err)
{
    int have = pack_holds(g, item, &count, 1, r, err);
    if (have <= 0)
        return have < 0 ? have : MA_OK;
    int32_t at[3] = {0, 0, 0};
    cJSON *meta = NULL;
    int found = chest_beside(g, at, &meta, err);
    if (found < 0)
        return found;
    if (!found) {
        game_refuse(r, "no chest beside you to put it in (place one: P)");
        return MA_OK;
    }
    if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(meta, "items")) >= INVENTORY_CHEST_STACKS) {
        cJSON_Delete(meta);
        game_refuse(r, "the chest is full (%d stacks)", INVENTORY_CHEST_STACKS);
        return MA_OK;
    }
    int rc = inventory_take_with(g, g->p.character_id, item, count, store_part, meta, err);
    if (rc == MA_OK)
        rc = transfers_log(g->save, g->p.character_id, 0, item, count, "drop", 0, err); /* out of the pack */
    if (rc != MA_OK) {
        cJSON_Delete(meta);
        return rc;
    }
    if ((rc = world_set_block_meta(g->world, at[0], at[1], at[2], meta, err)) != MA_OK) /* takes meta */
        return rc;
    left_the_pack(g, item, count, have, "put", "in the chest", r);
    return MA_OK;
}

/* Whether the chest's entry `it` is a stack of `want` (NULL: any). */
static int chest_entry_is(const cJSON *it, const char *want)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "item"), *n = cJSON_GetObjectItemCaseSensitive(it, "count");
    return cJSON_IsString(name) && name->valuestring[0] && cJSON_IsNumber(n) && n->valueint >= 1 &&
           (!want || strcmp(name->valuestring, want) == 0);
}

/* The chest take opens: the first of chest_spots holding a stack of `want` (NULL: anything),
 * into at, with its metadata in *meta (NULL when none holds it); *chests counts the chests near. */
static int chest_to_loot(Game *g, const char *want, int32_t at[3], int *chests, const cJSON **meta, Err *err)
{
    int chest = blocks_find(g->blocks, "chest");
    *chests = 0;
    *meta = NULL;
    for (size_t k = 0; chest > 0 && k < sizeof chest_spots / sizeof chest_spots[0]; k++) {
        int32_t x = g->p.x + chest_spots[k][0], y = g->p.y + chest_spots[k][1], z = g->p.z + chest_spots[k][2];
        if (y < 0 || y >= WORLD_HEIGHT || world_get_block(g->world, x, y, z) != (BlockId)chest)
            continue;
        (*chests)++;
        Chunk *c = world_chunk(g->world, chunk_coord(x), chunk_coord(y), chunk_coord(z), err);
        if (!c)
            return err->code;
        const cJSON *m = chunk_meta_get(c, CHUNK_INDEX(chunk_local(x), chunk_local(y), chunk_local(z)));
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(m, "items")) {
            if (chest_entry_is(it, want)) {
                at[0] = x;
                at[1] = y;
                at[2] = z;
                *meta = m;
                return MA_OK;
            }
        }
    }
    return MA_OK;
}

/* Whether an item lies at the player's feet (take picks it up before any chest is opened). */
static int pile_here(Game *g)
{
    Chunk *c = world_chunk(g->world, chunk_coord(g->p.x), chunk_coord(g->p.y), chunk_coord(g->p.z), NULL);
    int lx = chunk_local(g->p.x), ly = chunk_local(g->p.y), lz = chunk_local(g->p.z);
    const cJSON *e;
    if (!c)
        return 0;
    cJSON_ArrayForEach(e, c->entities) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "type"), *pos = cJSON_GetObjectItemCaseSensitive(e, "position");
        if (cJSON_IsString(type) && strcmp(type->valuestring, "item") == 0 && cJSON_GetArraySize(pos) == 3 &&
            cJSON_GetArrayItem(pos, 0)->valueint == lx && cJSON_GetArrayItem(pos, 1)->valueint == ly &&
            cJSON_GetArrayItem(pos, 2)->valueint == lz)
            return 1;
    }
    return 0;
}

int inventory_chest_choices(Game *g, InventoryChoice *out, int max)
{
    int32_t at[3];
    int chests = 0;
    Err err = {0};
    if (pile_here(g))
        return 0;
    const cJSON *meta = NULL;
    if (chest_to_loot(g, NULL, at, &chests, &meta, &err) != MA_OK)
        return 0;
    int n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(meta, "items")) {
        if (!chest_entry_is(it, NULL))
            continue;
        const char *name = cJSON_GetObjectItemCaseSensitive(it, "item")->valuestring;
        int count = cJSON_GetObjectItemCaseSensitive(it, "count")->valueint, k = 0;
        while (k < n && strcmp(out[k].item, name) != 0)
            k++;
        if (k == n) {
            if (n == max)
                continue;
            snprintf(out[n].item, sizeof out[n].item, "%s", name);
            out[n++].count = 0;
        }
        out[k].count += count;
    }
    return n;
}

/* Empties what fits of the chest at (x, y, z) into the pack: its stacks of `want`, or (NULL) all. */
static int take_from_chest(Game *g, int32_t x, int32_t y, int32_t z, const cJSON *meta, const char *want, char *line,
                           size_t size, int *full, Err *err)
{
    cJSON *copy = cJSON_Duplicate(meta, 1);
    cJSON *items = cJSON_GetObjectItemCaseSensitive(copy, "items");
    int rc = MA_OK, n_got = 0;
    InventoryChoice got[32]; /* what was taken, an entry an item (stacks of it summed) */
    int first[32];           /* and the index of its first stack */
    for (int i = cJSON_GetArraySize(items) - 1; rc == MA_OK && i >= 0; i--) {
        cJSON *it = cJSON_GetArrayItem(items, i);
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "item");
        cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "count");
        const cJSON *data = cJSON_GetObjectItemCaseSensitive(it, "data");
        if (!cJSON_IsString(name) || !name->valuestring[0] || !cJSON_IsNumber(n) || n->valueint < 1) {
            cJSON_DeleteItemFromArray(items, i);
            continue;
        }
        if (want && strcmp(name->valuestring, want) != 0)
            continue;
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
            int k = 0;
            while (k < n_got && strcmp(got[k].item, item) != 0)
                k++;
            if (k == n_got && n_got < (int)(sizeof got / sizeof got[0])) {
                snprintf(got[n_got].item, sizeof got[n_got].item, "%s", item);
                got[n_got++].count = 0;
            }
            if (k < n_got) {
                got[k].count += count - left;
                first[k] = i;
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
    /* Loot reads in the chest's order (first stacks first; they were taken last to first), each
     * item once: "3 iron ingots, 2 healing potions". */
    for (int done = 0; done < n_got; done++) {
        int k = -1;
        for (int j = 0; j < n_got; j++)
            if (got[j].count > 0 && (k < 0 || first[j] < first[k]))
                k = j;
        summary_add(g, line, size, got[k].item, got[k].count);
        got[k].count = 0;
    }
    return world_set_block_meta(g->world, x, y, z, copy, err);
}

int inventory_take(Game *g, const char *item, ActionResult *r, Err *err)
{
    char line[140] = "";
    int found = 0, full = 0;
    const char *want = item && item[0] ? item : NULL;
    int rc = take_from_ground(g, want, &found, line, sizeof line, &full, err);
    if (rc != MA_OK)
        return rc;
    if (found > 0) {
        if (!line[0]) {
            game_refuse(r, "your pack is full");
            return MA_OK;
        }
        game_event(r, SEV_GOOD, "You pick up %s.", line);
    } else {
        /* No pile here: a chest underfoot, then around the feet, then around the head (the first
         * that holds what is wanted). */
        int32_t at[3];
        int chests = 0;
        const cJSON *meta = NULL;
        if ((rc = chest_to_loot(g, want, at, &chests, &meta, err)) != MA_OK)
            return rc;
        if (meta && (rc = take_from_chest(g, at[0], at[1], at[2], meta, want, line, sizeof line, &full, err)) != MA_OK)
            return rc;
        if (want && !meta) {
            char label[64];
            items_label(want, label, sizeof label);
            game_refuse(r, chests ? "no %s here or in the chest" : "no %s here to take", label);
            return MA_OK;
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
