/* structures.c — planning and stamping villages, ruins, dungeons, shrines.
 *
 * Planning looks only at (seed, region) and at the terrain functions of the
 * generator, never at chunks, so every chunk sees the same plan. A village is
 * a plus of streets around a well with houses and farms along the arms; the
 * arms' slots are laid out so that no two pieces can overlap. Underground
 * structures are placed below the lowest ground over them and below any
 * surface structure of the region, and are stamped first. */
#include "world/structures.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "util/prng.h"

/* Salts that keep the hash streams of different decisions apart. */
enum { SALT_REGION = 0x5354, SALT_VILLAGE, SALT_RUINS, SALT_UNDER, SALT_LOOT, SALT_BLOCK };

#define VILLAGE_ARM 27   /* street length from the centre */
#define REGION_MARGIN 6  /* structures keep this far from their region's edge */

const char *structures_blocks_init(StructBlocks *ids, const BlockRegistry *reg)
{
    static const struct {
        const char *name;
        size_t off;
    } table[] = {
#define B(n) {#n, offsetof(StructBlocks, n)}
        B(air), B(stone), B(dirt), B(grass), B(sand), B(gravel), B(water), B(cobblestone),
        B(mossy_cobblestone), B(planks), B(brick), B(glass), B(torch), B(chest), B(door), B(oak_log),
        B(bed), B(workbench), B(furnace), B(alchemy_table), B(farmland), B(wheat), B(sandstone),
        B(obsidian), B(ladder),
#undef B
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int id = blocks_find(reg, table[i].name);
        if (id < 0)
            return table[i].name;
        *(BlockId *)((char *)ids + table[i].off) = (BlockId)id;
    }
    return NULL;
}

/* ---- names ---------------------------------------------------------------- */

static const char *const name_head[] = {"Ash", "Oak", "Brook", "Stone", "Elder", "Thorn", "Raven", "Wolf",
                                        "Mill", "Green", "Fair", "Wil", "Hollow", "Briar", "Frost", "Amber",
                                        "Elm", "Lark", "Marsh", "Red"};
static const char *const name_tail[] = {"ford", "wick", "ton", "stead", "dale", "bury", "holm",
                                        "mere", "field", "haven", "brook", "moor"};
static const char *const first_names[] = {"Alda", "Bram", "Cora", "Doran", "Edda", "Finn", "Greta", "Hugo",
                                          "Ilse", "Jory", "Kara", "Lenn", "Mira", "Nils", "Orla", "Piet",
                                          "Quin", "Rosa", "Sven", "Tilda", "Ulf", "Vera", "Wren", "Yara"};
_Static_assert(sizeof first_names / sizeof first_names[0] >= STRUCT_MAX_NPCS,
               "every villager of a village needs a name of their own");
static const char *const roles[] = {"smith", "farmer", "priest", "trader", "guard"};
static const char *const crypt_adj[] = {"Mossy", "Silent", "Sunken", "Forgotten", "Damp", "Hollow", "Old"};
static const char *const crypt_noun[] = {"Crypt", "Vault", "Catacomb", "Cellar", "Barrow"};
static const char *const shrine_of[] = {"the Moon", "Embers", "the Mists", "Aurelia", "the Deep", "Verdance"};

#define PICK(p, arr) ((arr)[prng_below((p), (uint32_t)(sizeof(arr) / sizeof((arr)[0])))])

static void place_name(Prng *p, char *out, size_t n)
{
    /* One draw per statement: the order of evaluating arguments is unspecified. */
    const char *head = PICK(p, name_head);
    const char *tail = PICK(p, name_tail);
    snprintf(out, n, "%s%s", head, tail);
}

/* ---- piece geometry --------------------------------------------------------- */

static int block_hash(const StructPiece *p, int32_t x, int32_t y, int32_t z, int mod)
{
    return (int)(hash_coords(p->variant, x, y, z, SALT_BLOCK) % (uint64_t)mod);
}

/* House coordinates in the door's frame: u along the door wall, v away from
 * it (0 is the door wall); W and D the house's size in that frame. */
static void house_frame(const StructPiece *p, int32_t x, int32_t z, int *u, int *v, int *W, int *D)
{
    int w = p->x1 - p->x0 + 1, d = p->z1 - p->z0 + 1;
    int lx = x - p->x0, lz = z - p->z0;
    switch (p->facing) {
    case 0: *u = lx; *v = lz; *W = w; *D = d; break;
    case 2: *u = w - 1 - lx; *v = d - 1 - lz; *W = w; *D = d; break;
    case 1: *u = lz; *v = w - 1 - lx; *W = d; *D = w; break;
    default: *u = d - 1 - lz; *v = lx; *W = d; *D = w; break;
    }
}

static int house_block(const StructPiece *p, const StructBlocks *b, int32_t x, int32_t y, int32_t z)
{
    int u, v, W, D;
    house_frame(p, x, z, &u, &v, &W, &D);
    int ly = y - p->base_y;
    int edge_u = u == 0 || u == W - 1, edge_v = v == 0 || v == D - 1;
    int edge = edge_u || edge_v;
    if (ly < 0)
        return b->cobblestone;
    if (ly == 0)
        return edge ? b->cobblestone : b->planks;
    if (ly <= 3) {
        if (edge_u && edge_v)
            return b->oak_log;
        if (edge) {
            if (v == 0 && u == W / 2 && ly <= 2)
                return b->door;
            if (ly == 2 && ((edge_u && v == D / 2) || (v == D - 1 && u == W / 2)))
                return b->glass;
            return (ly == 1 && (p->variant & 1)) ? b->cobblestone : b->planks;
        }
        if (v == D - 2 && ly == 1 && u == 1)
            return b->bed;
        if (v == D - 2 && ly == 1 && u == W - 2)
            return (p->variant & 2) ? b->furnace : b->workbench;
        if (v == D - 2 && ly == 3 && u == W / 2)
            return b->torch;
        return b->air;
    }
    if (ly == 4)
        return (p->variant & 4) ? b->brick : b->planks;
    return edge ? -1 : b->planks; /* ly 5: the raised middle of the roof */
}

static int well_block(const StructPiece *p, const StructBlocks *b, int32_t x, int32_t y, int32_t z)
{
    int lx = x - p->x0, lz = z - p->z0, ly = y - p->base_y;
    int ring = lx == 0 || lx == 3 || lz == 0 || lz == 3;
    int corner = (lx == 0 || lx == 3) && (lz == 0 || lz == 3);
    if (ly == -3)
        return b->cobblestone;
    if (ly <= 0)
        return ring ? b->cobblestone : b->water;
    if (ly == 1)
        return ring ? b->cobblestone : b->air;
    if (ly <= 3)
        return corner ? b->oak_log : b->air;
    return b->planks;
}

static int path_block(const StructPiece *p, const StructBlocks *b, int32_t y, int ground)
{
    int top = ground < SEA_LEVEL ? SEA_LEVEL : ground;
    if (y == top)
        return ground < SEA_LEVEL ? b->planks : (p->variant & 1) ? b->sandstone : b->gravel;
    if (y == top + 1 || y == top + 2)
        return b->air;
    return -1;
}

static int step_block(const StructPiece *p, const StructBlocks *b, int32_t y, int ground)
{
    int top = ground > p->base_y ? ground : p->base_y;
    if (y == p->base_y)
        return (p->variant & 1) ? b->sandstone : b->gravel;
    if (y > p->base_y && y <= top + 2)
        return b->air;
    if (y < p->base_y)
        return b->cobblestone;
    return -1;
}

static int farm_block(const StructPiece *p, const StructBlocks *b, int32_t x, int32_t y, int32_t z)
{
    int w = p->x1 - p->x0 + 1, d = p->z1 - p->z0 + 1;
    int lx = x - p->x0, lz = z - p->z0, ly = y - p->base_y;
    int edge = lx == 0 || lx == w - 1 || lz == 0 || lz == d - 1;
    int channel = w >= d ? lz == d / 2 : lx == w / 2;
    if (ly < 0)
        return b->dirt;
    if (ly == 0)
        return edge ? b->oak_log : channel ? b->water : b->farmland;
    if (ly == 1 && !edge && !channel)
        return b->wheat;
    return b->air;
}

static int ruin_block(const StructPiece *p, const StructBlocks *b, int32_t x, int32_t y, int32_t z)
{
    int w = p->x1 - p->x0 + 1, d = p->z1 - p->z0 + 1;
    int lx = x - p->x0, lz = z - p->z0, ly = y - p->base_y;
    int edge = lx == 0 || lx == w - 1 || lz == 0 || lz == d - 1;
    if (!edge) {
        if (ly == 1 && lx == w / 2 && lz == d / 2 && (p->variant & 3) == 0)
            return b->chest;
        if (ly == 0 && block_hash(p, x, 0, z, 3) == 0)
            return b->cobblestone;
        return -1;
    }
    /* Each wall column stands to its own height; some are gone. */
    int height = block_hash(p, x, 1, z, 5);
    if (ly > height)
        return -1;
    return block_hash(p, x, y, z, 5) < 3 ? b->mossy_cobblestone : b->cobblestone;
}

static int dungeon_block(const StructPiece *p, const StructBlocks *b, int32_t x, int32_t y, int32_t z)
{
    int w = p->x1 - p->x0 + 1, d = p->z1 - p->z0 + 1, h = p->y1 - p->y0 + 1;
    int lx = x - p->x0, lz = z - p->z0, ly = y - p->y0;
    int shell = lx == 0 || lx == w - 1 || lz == 0 || lz == d - 1 || ly == 0 || ly == h - 1;
    if (shell) {
        if (lz == 0 && lx == w / 2 && (ly == 1 || ly == 2))
            return b->air; /* a doorway, often onto a cave */
        return block_hash(p, x, y, z, 5) < 2 ? b->mossy_cobblestone : b->cobblestone;
    }
    if (ly == 1 && lx == 1 && lz == d / 2)
        return b->chest;
    if (ly == 1 && lx == w - 2 && lz == d / 2 && (p->variant & 1))
        return b->chest;
    if (ly == 3 && lx == w / 2 && lz == d - 2)
        return b->torch;
    return b->air;
}

static int shrine_block(const StructPiece *p, const StructBlocks *b, int32_t x, int32_t y, int32_t z)
{
    int w = p->x1 - p->x0 + 1, d = p->z1 - p->z0 + 1, h = p->y1 - p->y0 + 1;
    int lx = x - p->x0, lz = z - p->z0, ly = y - p->y0;
    int cx = w / 2, cz = d / 2;
    int shell = lx == 0 || lx == w - 1 || lz == 0 || lz == d - 1 || ly == 0 || ly == h - 1;
    if (shell) {
        if (ly == 0 && lx >= cx - 1 && lx <= cx + 1 && lz >= cz - 1 && lz <= cz + 1)
            return b->obsidian;
        return b->brick;
    }
    if (ly == 1 && lx == cx && lz == cz)
        return b->alchemy_table;
    if (ly == 1 && lx == cx && lz == d - 2)
        return b->chest;
    if (ly == 2 && (lx == 1 || lx == w - 2) && (lz == 1 || lz == d - 2))
        return b->torch;
    return b->air;
}

/* The way down to a dungeon or shrine (generator version 4 on), on the side of the room its
 * facing names (0 north, 1 east, 2 south, 3 west). Across that side it is 3 wide, centred on
 * its ladder's column (plan_shaft); outwards it is 4 deep: the row of the room's wall (v = 0), the passage
 * (v = 1), the shaft (v = 2), the shaft's far wall (v = 3); it runs from the room's floor
 * (base_y) up to the ground of each column (ground: the terrain's height there, or the sea's
 * surface where that is higher), flush with it. The ladder climbs the shaft from the floor to
 * the ground, and the cell above it is cleared of grass and flowers; the passage is two high at
 * the floor and opens the room's wall there (a dungeon's own doorway on the north; a shrine has
 * none); the rest is a wall of cobblestone, keeping out caves and water. */
static int shaft_block(const StructPiece *p, const StructBlocks *b, int32_t x, int32_t y, int32_t z, int ground)
{
    int u, v; /* across the side (-1..1), outwards from the room's wall (0..3) */
    switch (p->facing) {
    case 0: u = x - (p->x0 + 1), v = p->z1 - z; break;
    case 1: u = z - (p->z0 + 1), v = x - p->x0; break;
    case 2: u = x - (p->x0 + 1), v = z - p->z0; break;
    default: u = z - (p->z0 + 1), v = p->x1 - x; break;
    }
    int ly = y - p->base_y, top = ground < SEA_LEVEL ? SEA_LEVEL : ground;
    if (top > p->y1 - 1)
        top = p->y1 - 1;
    if (v == 0)
        return u == 0 && (ly == 1 || ly == 2) ? b->air : -1;
    if (y > top)
        return u == 0 && v == 2 && y == top + 1 ? b->air : -1;
    if (u == 0 && v == 2 && ly > 0)
        return b->ladder;
    if (u == 0 && v == 1 && (ly == 1 || ly == 2))
        return b->air;
    return block_hash(p, x, y, z, 5) < 2 ? b->mossy_cobblestone : b->cobblestone;
}

int structures_piece_block(const StructPiece *p, const StructBlocks *ids, int32_t x, int32_t y, int32_t z,
                           int ground)
{
    if (x < p->x0 || x > p->x1 || y < p->y0 || y > p->y1 || z < p->z0 || z > p->z1)
        return -1;
    switch ((PieceKind)p->kind) {
    case PIECE_PATH: return path_block(p, ids, y, ground);
    case PIECE_STEP: return step_block(p, ids, y, ground);
    case PIECE_FARM: return farm_block(p, ids, x, y, z);
    case PIECE_WELL: return well_block(p, ids, x, y, z);
    case PIECE_HOUSE: return house_block(p, ids, x, y, z);
    case PIECE_RUIN: return ruin_block(p, ids, x, y, z);
    case PIECE_DUNGEON: return dungeon_block(p, ids, x, y, z);
    case PIECE_SHRINE: return shrine_block(p, ids, x, y, z);
    case PIECE_SHAFT: return shaft_block(p, ids, x, y, z, ground);
    }
    return -1;
}

/* ---- loot ------------------------------------------------------------------- */

typedef struct LootEntry {
    const char *item;
    int pct, lo, hi;
} LootEntry;

static const LootEntry loot_dungeon[] = {
    {"iron_ingot", 70, 1, 4}, {"gold_ingot", 35, 1, 3}, {"bread", 60, 1, 3}, {"coal", 55, 2, 8},
    {"bone", 50, 1, 4},       {"string", 40, 1, 3},     {"torch", 45, 2, 6}, {"diamond", 8, 1, 2},
};
static const LootEntry loot_shrine[] = {
    {"healing_potion", 70, 1, 2}, {"mana_potion", 60, 1, 2}, {"spell_scroll", 40, 1, 1},
    {"gold_ingot", 50, 2, 5},     {"diamond", 20, 1, 2},     {"enchanted_book", 15, 1, 1},
};
static const LootEntry loot_ruins[] = {
    {"coal", 50, 1, 5}, {"bread", 50, 1, 2}, {"iron_ingot", 30, 1, 2}, {"torch", 40, 1, 4}, {"string", 30, 1, 2},
};

cJSON *structures_chest_loot(uint64_t seed, int kind, int32_t x, int32_t y, int32_t z)
{
    const LootEntry *table = loot_dungeon;
    size_t n = sizeof loot_dungeon / sizeof loot_dungeon[0];
    if (kind == PIECE_SHRINE) {
        table = loot_shrine;
        n = sizeof loot_shrine / sizeof loot_shrine[0];
    } else if (kind == PIECE_RUIN) {
        table = loot_ruins;
        n = sizeof loot_ruins / sizeof loot_ruins[0];
    }
    Prng p;
    prng_seed(&p, hash_coords(seed, x, y, z, SALT_LOOT));
    cJSON *meta = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(meta, "items");
    for (size_t i = 0; i < n; i++) {
        int roll = (int)prng_below(&p, 100);
        int count = prng_range(&p, table[i].lo, table[i].hi);
        if (roll >= table[i].pct && !(i == n - 1 && cJSON_GetArraySize(items) == 0))
            continue;
        cJSON *it = cJSON_CreateObject();
        cJSON_AddStringToObject(it, "item", table[i].item);
        cJSON_AddNumberToObject(it, "count", count);
        cJSON_AddItemToArray(items, it);
    }
    return meta;
}

/* ---- planning --------------------------------------------------------------- */

static void piece_box(StructPiece *pc, int kind, int32_t x0, int32_t y0, int32_t z0, int32_t x1, int32_t y1,
                      int32_t z1)
{
    pc->kind = (uint8_t)kind;
    pc->x0 = x0, pc->y0 = y0, pc->z0 = z0;
    pc->x1 = x1, pc->y1 = y1, pc->z1 = z1;
}

static StructPiece *add_piece(StructPlan *s)
{
    if (s->n_pieces >= STRUCT_MAX_PIECES)
        return NULL;
    StructPiece *pc = &s->pieces[s->n_pieces++];
    memset(pc, 0, sizeof *pc);
    return pc;
}

/* The bounding box of all pieces. */
static void plan_bbox(StructPlan *s)
{
    int32_t x0 = INT32_MAX, y0 = INT32_MAX, z0 = INT32_MAX, x1 = INT32_MIN, y1 = INT32_MIN, z1 = INT32_MIN;
    for (int i = 0; i < s->n_pieces; i++) {
        const StructPiece *p = &s->pieces[i];
        x0 = p->x0 < x0 ? p->x0 : x0, y0 = p->y0 < y0 ? p->y0 : y0, z0 = p->z0 < z0 ? p->z0 : z0;
        x1 = p->x1 > x1 ? p->x1 : x1, y1 = p->y1 > y1 ? p->y1 : y1, z1 = p->z1 > z1 ? p->z1 : z1;
    }
    s->info.x = x0, s->info.y = y0, s->info.z = z0;
    s->info.w = x1 - x0 + 1, s->info.h = y1 - y0 + 1, s->info.d = z1 - z0 + 1;
    s->box[0] = x0, s->box[1] = y0, s->box[2] = z0, s->box[3] = x1, s->box[4] = y1, s->box[5] = z1;
}

/* Ground heights over a box's corners, centre and (optionally) one more
 * point; returns 0 when any is under water or the spread exceeds max_spread. */
static int ground_fits(Generator *g, int32_t x0, int32_t z0, int32_t x1, int32_t z1, int max_spread, int *lo_out,
                       int *hi_out)
{
    int32_t xs[5] = {x0, x1, x0, x1, (x0 + x1) / 2}, zs[5] = {z0, z0, z1, z1, (z0 + z1) / 2};
    int lo = WORLD_HEIGHT, hi = 0;
    for (int i = 0; i < 5; i++) {
        int h = generator_surface_y(g, xs[i], zs[i]);
        lo = h < lo ? h : lo;
        hi = h > hi ? h : hi;
    }
    if (lo_out)
        *lo_out = lo;
    if (hi_out)
        *hi_out = hi;
    return lo > SEA_LEVEL && hi - lo <= max_spread;
}

/* Where a village may stand: tundra too (version 3 on), where earlier versions saw plains and forest. */
static int land_biome(Biome b)
{
    return b == BIOME_PLAINS || b == BIOME_FOREST || b == BIOME_DESERT || b == BIOME_TUNDRA;
}

/* A street from the well outwards along one axis. */
static void add_street(Generator *g, StructPlan *s, int32_t vx, int32_t vz, int dx, int dz, int len, int sandy)
{
    int32_t ax = vx + (dx > 0 ? 2 : dx < 0 ? -3 : 0), az = vz + (dz > 0 ? 2 : dz < 0 ? -3 : 0);
    int32_t bx = vx + dx * len, bz = vz + dz * len;
    int lo = WORLD_HEIGHT, hi = 0;
    int steps = len - 2;
    for (int i = 0; i <= steps; i++) {
        int h = generator_surface_y(g, ax + dx * i, az + dz * i);
        lo = h < lo ? h : lo;
        hi = h > hi ? h : hi;
    }
    if (hi < SEA_LEVEL)
        hi = SEA_LEVEL;
    StructPiece *pc = add_piece(s);
    if (!pc)
        return;
    piece_box(pc, PIECE_PATH, ax < bx ? ax : bx, lo, az < bz ? az : bz, ax < bx ? bx : ax, hi + 2,
              az < bz ? bz : az);
    pc->variant = (uint32_t)sandy;
}

/* Names npc, the last villager planned in s, with one draw of p. From generator version 2 a
 * name another villager of s has is passed over for the next free one in first_names (a
 * village has fewer villagers than there are names); version 1 keeps the draw as it is. */
static void villager_name(const Generator *g, Prng *p, const StructPlan *s, StructNpc *npc)
{
    const size_t n_names = sizeof first_names / sizeof first_names[0];
    size_t k = prng_below(p, (uint32_t)n_names);
    for (size_t tries = 0; generator_version(g) >= 2 && tries < n_names; tries++, k = (k + 1) % n_names) {
        int taken = 0;
        for (int i = 0; i < s->n_npcs && !taken; i++)
            taken = &s->npcs[i] != npc && strcmp(s->npcs[i].name, first_names[k]) == 0;
        if (!taken)
            break;
    }
    snprintf(npc->name, sizeof npc->name, "%s", first_names[k]);
}

static int plan_village(Generator *g, uint64_t seed, int32_t rx, int32_t rz, StructPlan *s)
{
    Prng p;
    prng_seed(&p, hash_coords(seed, rx, rz, SALT_VILLAGE, 0));
    int span = STRUCT_REGION_BLOCKS - 2 * (VILLAGE_ARM + REGION_MARGIN);
    int32_t vx = 0, vz = 0;
    Biome biome = BIOME_OCEAN;
    int found = 0;
    for (int attempt = 0; attempt < 4 && !found; attempt++) {
        vx = rx * STRUCT_REGION_BLOCKS + VILLAGE_ARM + REGION_MARGIN + (int32_t)prng_below(&p, (uint32_t)span);
        vz = rz * STRUCT_REGION_BLOCKS + VILLAGE_ARM + REGION_MARGIN + (int32_t)prng_below(&p, (uint32_t)span);
        biome = generator_biome(g, vx, vz);
        found = land_biome(biome) && ground_fits(g, vx - 2, vz - 2, vx + 1, vz + 1, 3, NULL, NULL);
    }
    if (!found)
        return 0;
    int ground = generator_surface_y(g, vx, vz);
    int sandy = biome == BIOME_DESERT;

    memset(s, 0, sizeof *s);
    snprintf(s->info.type, sizeof s->info.type, "village");
    place_name(&p, s->info.name, sizeof s->info.name);

    /* Slots: two along each arm on each side, at distances where no house
     * of one arm can reach the houses of the next. */
    static const int arm_dx[4] = {1, -1, 0, 0}, arm_dz[4] = {0, 0, 1, -1};
    static const int slot_t[2] = {13, 23};
    StructPiece houses[16], farms[16], doors[16];
    int n_houses = 0, n_farms = 0, arm_len[4] = {0, 0, 0, 0};
    for (int a = 0; a < 4; a++) {
        for (int ti = 0; ti < 2; ti++) {
            for (int side = -1; side <= 1; side += 2) {
                int roll = (int)prng_below(&p, 100);
                int W = roll % 2 ? 7 : 5, D = 5 + (int)prng_below(&p, 3);
                int is_farm = roll >= 62 && roll < 80;
                if (roll >= 80)
                    continue;
                if (is_farm)
                    W = 7, D = 5;
                int t = slot_t[ti];
                /* Along-arm extent [t - W/2, t - W/2 + W - 1]; across [2, 2 + D - 1] on `side`. */
                int along0 = t - W / 2, along1 = along0 + W - 1;
                int across0 = side > 0 ? 2 : -(2 + D - 1), across1 = side > 0 ? 2 + D - 1 : -2;
                int32_t x0, x1, z0, z1;
                int facing;
                int32_t door_x, door_z;
                if (arm_dx[a]) {
                    int s0 = arm_dx[a] > 0 ? along0 : -along1, s1 = arm_dx[a] > 0 ? along1 : -along0;
                    x0 = vx + s0, x1 = vx + s1, z0 = vz + across0, z1 = vz + across1;
                    facing = side > 0 ? 0 : 2;
                    door_x = vx + arm_dx[a] * t, door_z = vz + side;
                } else {
                    int s0 = arm_dz[a] > 0 ? along0 : -along1, s1 = arm_dz[a] > 0 ? along1 : -along0;
                    z0 = vz + s0, z1 = vz + s1, x0 = vx + across0, x1 = vx + across1;
                    facing = side > 0 ? 3 : 1;
                    door_x = vx + side, door_z = vz + arm_dz[a] * t;
                }
                if (!ground_fits(g, x0, z0, x1, z1, 3, NULL, NULL))
                    continue;
                Biome b = generator_biome(g, (x0 + x1) / 2, (z0 + z1) / 2);
                if (!land_biome(b))
                    continue;
                int base = generator_surface_y(g, (x0 + x1) / 2, (z0 + z1) / 2);
                StructPiece pc;
                memset(&pc, 0, sizeof pc);
                pc.facing = (uint8_t)facing;
                pc.base_y = base;
                pc.variant = (uint32_t)prng_next(&p);
                if (is_farm) {
                    piece_box(&pc, PIECE_FARM, x0, base - 1, z0, x1, base + 2, z1);
                    farms[n_farms++] = pc;
                } else {
                    piece_box(&pc, PIECE_HOUSE, x0, base - 4, z0, x1, base + 5, z1);
                    houses[n_houses] = pc;
                    /* The cell between the door and the street, at the floor's level. */
                    int dg = generator_surface_y(g, door_x, door_z);
                    StructPiece dp;
                    memset(&dp, 0, sizeof dp);
                    piece_box(&dp, PIECE_STEP, door_x, dg < base ? dg : base, door_z, door_x,
                              (dg > base ? dg : base) + 2, door_z);
                    dp.base_y = base;
                    dp.variant = (uint32_t)sandy;
                    doors[n_houses++] = dp;
                }
                if (t + 4 > arm_len[a])
                    arm_len[a] = t + 4;
            }
        }
    }
    if (n_houses < 3)
        return 0;

    /* Paths first, then farms, the well and the houses over them. */
    for (int a = 0; a < 4; a++)
        if (arm_len[a])
            add_street(g, s, vx, vz, arm_dx[a], arm_dz[a], arm_len[a], sandy);
    for (int i = 0; i < n_houses; i++) {
        StructPiece *pc = add_piece(s);
        if (pc)
            *pc = doors[i];
    }
    for (int i = 0; i < n_farms; i++) {
        StructPiece *pc = add_piece(s);
        if (pc)
            *pc = farms[i];
    }
    StructPiece *well = add_piece(s);
    piece_box(well, PIECE_WELL, vx - 2, ground - 3, vz - 2, vx + 1, ground + 4, vz + 1);
    well->base_y = ground;
    /* From version 4 the first four houses are the smith's, a farmer's, the priest's and a
     * trader's, in an order of their own, so that a village has each (stories and quests send
     * the player to them); earlier versions drew every house's role alone, and a village could
     * have no priest. */
    int first_roles[4] = {0, 1, 2, 3};
    int all_roles = generator_version(g) >= 4;
    for (int i = 3; all_roles && i > 0; i--) {
        int j = (int)prng_below(&p, (uint32_t)i + 1), t = first_roles[i];
        first_roles[i] = first_roles[j];
        first_roles[j] = t;
    }
    for (int i = 0; i < n_houses; i++) {
        StructPiece *pc = add_piece(s);
        if (!pc)
            break;
        *pc = houses[i];
        /* One villager in the middle of each house. */
        if (s->n_npcs < STRUCT_MAX_NPCS) {
            StructNpc *npc = &s->npcs[s->n_npcs++];
            npc->x = (pc->x0 + pc->x1) / 2;
            npc->z = (pc->z0 + pc->z1) / 2;
            npc->y = pc->base_y + 1;
            snprintf(npc->role, sizeof npc->role, "%s", roles[all_roles && i < 4 ? first_roles[i] : (int)prng_below(&p, 4)]);
            villager_name(g, &p, s, npc);
        }
    }
    /* A guard by the well. */
    if (s->n_npcs < STRUCT_MAX_NPCS) {
        StructNpc *npc = &s->npcs[s->n_npcs++];
        npc->x = vx + 2;
        npc->z = vz + 2;
        npc->y = generator_surface_y(g, npc->x, npc->z) + 1;
        snprintf(npc->role, sizeof npc->role, "guard");
        villager_name(g, &p, s, npc);
    }
    plan_bbox(s);
    return 1;
}

static int plan_ruins(Generator *g, uint64_t seed, int32_t rx, int32_t rz, StructPlan *s)
{
    Prng p;
    prng_seed(&p, hash_coords(seed, rx, rz, SALT_RUINS, 0));
    int w = prng_range(&p, 7, 11), d = prng_range(&p, 7, 11);
    int span = STRUCT_REGION_BLOCKS - 2 * REGION_MARGIN - 11;
    int32_t x0 = rx * STRUCT_REGION_BLOCKS + REGION_MARGIN + (int32_t)prng_below(&p, (uint32_t)span);
    int32_t z0 = rz * STRUCT_REGION_BLOCKS + REGION_MARGIN + (int32_t)prng_below(&p, (uint32_t)span);
    if (!ground_fits(g, x0, z0, x0 + w - 1, z0 + d - 1, 4, NULL, NULL))
        return 0;
    Biome b = generator_biome(g, x0 + w / 2, z0 + d / 2);
    if (b == BIOME_OCEAN || b == BIOME_LAKE)
        return 0;
    int base = generator_surface_y(g, x0 + w / 2, z0 + d / 2);
    memset(s, 0, sizeof *s);
    snprintf(s->info.type, sizeof s->info.type, "ruins");
    char nm[32];
    place_name(&p, nm, sizeof nm);
    snprintf(s->info.name, sizeof s->info.name, "Ruins of %s", nm);
    StructPiece *pc = add_piece(s);
    piece_box(pc, PIECE_RUIN, x0, base - 2, z0, x0 + w - 1, base + 4, z0 + d - 1);
    pc->base_y = base;
    pc->variant = (uint32_t)prng_next(&p);
    plan_bbox(s);
    return 1;
}

/* The way down to room (a dungeon's or shrine's piece, the first of s), from version 4: a ladder
 * shaft beside the middle of one of its walls (see shaft_block) — the north first, where a
 * dungeon has its doorway, then east, south, west — where the ground is dry, even (at most two
 * blocks of rise over the shaft and two blocks round it) and clear of the surface structure
 * `above`; else
 * none (under the sea, say), and the room is found by digging as before. The structure's box
 * stays the room's: the shaft is not "in" the dungeon. */
static void plan_shaft(Generator *g, StructPlan *s, const StructPlan *above, const StructPiece *room)
{
    int32_t mx = room->x0 + (room->x1 - room->x0 + 1) / 2, mz = room->z0 + (room->z1 - room->z0 + 1) / 2;
    for (int facing = 0; facing < 4; facing++) {
        /* The ladder's column, two cells out from that wall: by the middle of the north wall
         * (a dungeon's doorway), one cell off the middle of the others, where a chest stands
         * inside (a dungeon's by the east and west walls, a shrine's by the south). */
        int32_t sx = facing == 1 ? room->x1 + 2 : facing == 3 ? room->x0 - 2 : facing == 2 ? mx - 1 : mx;
        int32_t sz = facing == 0 ? room->z0 - 2 : facing == 2 ? room->z1 + 2 : mz - 1;
        int lo, hi, centre = generator_surface_y(g, sx, sz);
        ground_fits(g, sx - 2, sz - 2, sx + 2, sz + 2, WORLD_HEIGHT, &lo, &hi);
        if (lo < SEA_LEVEL || hi - lo > 2)
            continue;
        if (above && sx - 3 <= above->box[3] && sx + 3 >= above->box[0] && sz - 3 <= above->box[5] &&
            sz + 3 >= above->box[2])
            continue;
        if (hi + 1 > WORLD_HEIGHT - 1 || hi - room->y0 < 4)
            continue;
        GenStructure room_box = s->info;
        StructPiece *pc = add_piece(s);
        if (!pc)
            return;
        /* From the room's wall (inclusive) out to the shaft's far wall. */
        switch (facing) {
        case 0: piece_box(pc, PIECE_SHAFT, sx - 1, room->y0, sz - 1, sx + 1, hi + 1, room->z0); break;
        case 1: piece_box(pc, PIECE_SHAFT, room->x1, room->y0, sz - 1, sx + 1, hi + 1, sz + 1); break;
        case 2: piece_box(pc, PIECE_SHAFT, sx - 1, room->y0, room->z1, sx + 1, hi + 1, sz + 1); break;
        default: piece_box(pc, PIECE_SHAFT, sx - 1, room->y0, sz - 1, room->x0, hi + 1, sz + 1); break;
        }
        pc->facing = (uint8_t)facing;
        pc->base_y = room->y0;
        pc->variant = room->variant;
        plan_bbox(s);
        s->info = room_box; /* the place is the room; what is stamped (box) takes the shaft too */
        s->info.has_entry = 1;
        s->info.entry_x = sx, s->info.entry_y = centre, s->info.entry_z = sz;
        return;
    }
}

/* A dungeon or shrine below the ground, and below `above` (the surface
 * structure's box, if any) where their footprints meet. */
static int plan_underground(Generator *g, uint64_t seed, int32_t rx, int32_t rz, const StructPlan *above,
                            StructPlan *s)
{
    Prng p;
    prng_seed(&p, hash_coords(seed, rx, rz, SALT_UNDER, 0));
    int roll = (int)prng_below(&p, 100);
    if (roll >= 60)
        return 0;
    int shrine = roll >= 42;
    int w = shrine ? 9 : prng_range(&p, 7, 9), d = shrine ? 9 : prng_range(&p, 7, 9), h = shrine ? 7 : 6;
    int span = STRUCT_REGION_BLOCKS - 2 * REGION_MARGIN - 9;
    int32_t x0 = rx * STRUCT_REGION_BLOCKS + REGION_MARGIN + (int32_t)prng_below(&p, (uint32_t)span);
    int32_t z0 = rz * STRUCT_REGION_BLOCKS + REGION_MARGIN + (int32_t)prng_below(&p, (uint32_t)span);
    int lo;
    ground_fits(g, x0, z0, x0 + w - 1, z0 + d - 1, WORLD_HEIGHT, &lo, NULL);
    int top_max = lo - 8;
    if (above && x0 <= above->info.x + above->info.w - 1 && x0 + w - 1 >= above->info.x &&
        z0 <= above->info.z + above->info.d - 1 && z0 + d - 1 >= above->info.z &&
        above->info.y - 4 < top_max)
        top_max = above->info.y - 4;
    int y_hi = top_max - h + 1;
    if (y_hi > 45)
        y_hi = 45;
    if (y_hi < 12)
        return 0;
    int32_t y0 = prng_range(&p, 12, y_hi);
    memset(s, 0, sizeof *s);
    snprintf(s->info.type, sizeof s->info.type, "%s", shrine ? "shrine" : "dungeon");
    if (shrine) {
        snprintf(s->info.name, sizeof s->info.name, "Shrine of %s", PICK(&p, shrine_of));
    } else {
        const char *adj = PICK(&p, crypt_adj);
        const char *noun = PICK(&p, crypt_noun);
        snprintf(s->info.name, sizeof s->info.name, "The %s %s", adj, noun);
    }
    StructPiece *pc = add_piece(s);
    piece_box(pc, shrine ? PIECE_SHRINE : PIECE_DUNGEON, x0, y0, z0, x0 + w - 1, y0 + h - 1, z0 + d - 1);
    pc->base_y = y0;
    pc->variant = (uint32_t)prng_next(&p);
    plan_bbox(s);
    if (generator_version(g) >= 4)
        plan_shaft(g, s, above, pc);
    return 1;
}

void structures_plan_region(Generator *g, uint64_t seed, int32_t rx, int32_t rz, RegionPlan *out)
{
    out->rx = rx;
    out->rz = rz;
    out->n = 0;
    Prng p;
    prng_seed(&p, hash_coords(seed, rx, rz, SALT_REGION, 0));
    int roll = (int)prng_below(&p, 100);
    StructPlan surface;
    int has_surface = 0;
    if (roll < 55)
        has_surface = plan_village(g, seed, rx, rz, &surface) || plan_ruins(g, seed, rx, rz, &surface);
    else if (roll < 75)
        has_surface = plan_ruins(g, seed, rx, rz, &surface);
    /* Underground first: the surface structure is stamped over it. */
    if (plan_underground(g, seed, rx, rz, has_surface ? &surface : NULL, &out->s[out->n]))
        out->n++;
    if (has_surface)
        out->s[out->n++] = surface;
}

int structures_column_reserved(const RegionPlan *rp, int32_t x, int32_t z, int margin)
{
    for (int i = 0; i < rp->n; i++) {
        const GenStructure *s = &rp->s[i].info;
        if (rp->s[i].pieces[0].kind == PIECE_DUNGEON || rp->s[i].pieces[0].kind == PIECE_SHRINE) {
            /* Below the ground: only the top of its shaft, if it has one. */
            if (s->has_entry && x >= s->entry_x - 1 - margin && x <= s->entry_x + 1 + margin &&
                z >= s->entry_z - 1 - margin && z <= s->entry_z + 1 + margin)
                return 1;
            continue;
        }
        if (x >= s->x - margin && x < s->x + s->w + margin && z >= s->z - margin && z < s->z + s->d + margin)
            return 1;
    }
    return 0;
}

/* ---- stamping --------------------------------------------------------------- */

static int overlap(int32_t a0, int32_t a1, int32_t b0, int32_t b1, int32_t *lo, int32_t *hi)
{
    *lo = a0 > b0 ? a0 : b0;
    *hi = a1 < b1 ? a1 : b1;
    return *lo <= *hi;
}

static cJSON *landmark_json(const GenStructure *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", s->type);
    cJSON_AddStringToObject(o, "name", s->name);
    cJSON_AddNumberToObject(o, "x", s->x);
    cJSON_AddNumberToObject(o, "y", s->y);
    cJSON_AddNumberToObject(o, "z", s->z);
    cJSON_AddNumberToObject(o, "w", s->w);
    cJSON_AddNumberToObject(o, "h", s->h);
    cJSON_AddNumberToObject(o, "d", s->d);
    return o;
}

static cJSON *npc_json(const StructNpc *n, const char *village, int lx, int ly, int lz)
{
    char id[48];
    snprintf(id, sizeof id, "villager_%d_%d", (int)n->x, (int)n->z);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", "npc");
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "role", n->role);
    cJSON_AddStringToObject(o, "name", n->name);
    cJSON_AddStringToObject(o, "village", village);
    cJSON *pos = cJSON_AddArrayToObject(o, "position");
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(lx));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(ly));
    cJSON_AddItemToArray(pos, cJSON_CreateNumber(lz));
    return o;
}

int structures_stamp(const RegionPlan *rp, const StructBlocks *ids, uint64_t seed, Chunk *c, uint8_t *blocks,
                     const int16_t *heights, int *meta_index, cJSON **meta_out, int meta_max)
{
    int32_t bx0 = c->cx * CHUNK_SIZE, by0 = c->cy * CHUNK_SIZE, bz0 = c->cz * CHUNK_SIZE;
    int32_t bx1 = bx0 + CHUNK_SIZE - 1, by1 = by0 + CHUNK_SIZE - 1, bz1 = bz0 + CHUNK_SIZE - 1;
    int n_meta = 0;
    for (int si = 0; si < rp->n; si++) {
        const StructPlan *s = &rp->s[si];
        int32_t lo, hi;
        if (!overlap(s->box[0], s->box[3], bx0, bx1, &lo, &hi) || !overlap(s->box[1], s->box[4], by0, by1, &lo, &hi) ||
            !overlap(s->box[2], s->box[5], bz0, bz1, &lo, &hi))
            continue;
        /* The landmark where the place itself is (a dungeon's shaft is not the dungeon). */
        if (overlap(s->info.x, s->info.x + s->info.w - 1, bx0, bx1, &lo, &hi) &&
            overlap(s->info.y, s->info.y + s->info.h - 1, by0, by1, &lo, &hi) &&
            overlap(s->info.z, s->info.z + s->info.d - 1, bz0, bz1, &lo, &hi))
            cJSON_AddItemToArray(c->structures, landmark_json(&s->info));
        for (int pi = 0; pi < s->n_pieces; pi++) {
            const StructPiece *p = &s->pieces[pi];
            int32_t x0, x1, y0, y1, z0, z1;
            if (!overlap(p->x0, p->x1, bx0, bx1, &x0, &x1) || !overlap(p->y0, p->y1, by0, by1, &y0, &y1) ||
                !overlap(p->z0, p->z1, bz0, bz1, &z0, &z1))
                continue;
            for (int32_t y = y0; y <= y1; y++)
                for (int32_t z = z0; z <= z1; z++)
                    for (int32_t x = x0; x <= x1; x++) {
                        int lx = x - bx0, ly = y - by0, lz = z - bz0;
                        int b = structures_piece_block(p, ids, x, y, z, heights[lz * CHUNK_SIZE + lx]);
                        if (b < 0)
                            continue;
                        int idx = CHUNK_INDEX(lx, ly, lz);
                        blocks[idx] = (uint8_t)b;
                        if (b == ids->chest && n_meta < meta_max) {
                            meta_index[n_meta] = idx;
                            meta_out[n_meta++] = structures_chest_loot(seed, p->kind, x, y, z);
                        }
                    }
        }
        for (int ni = 0; ni < s->n_npcs; ni++) {
            const StructNpc *n = &s->npcs[ni];
            if (n->x < bx0 || n->x > bx1 || n->y < by0 || n->y > by1 || n->z < bz0 || n->z > bz1)
                continue;
            cJSON_AddItemToArray(c->entities, npc_json(n, s->info.name, n->x - bx0, n->y - by0, n->z - bz0));
        }
    }
    return n_meta;
}
