/* sample_data.c — the design's "Sample Data Generation": a save full of
 * realistic, referentially valid rows in all 20 tables, to try the game, the
 * tools and the queries on something that looks lived-in.
 *
 * Every choice comes from one PRNG seeded with the caller's seed, and every
 * timestamp is the design's date (BASE_MS) plus a drawn offset, so the same
 * seed on an empty save gives byte-identical tables. The sample's "now" is
 * NOW_MS, 90 days later: expired sessions ended before it, active ones end
 * after it. Names that must be unique (usernames, emails, world names,
 * session tokens, character names within a world) are checked against the
 * save and suffixed when taken, so the generator can run again on a save
 * that already holds data. The six agents and the recipes are shared rows,
 * inserted only when missing.
 *
 * Conventions the sample follows (and the game may share):
 *   - inventory slot_position as in src/game/inventory.h: 0..35 backpack
 *     (0..8 the hotbar), 36..43 equipment (head, body, hands, feet,
 *     main_hand, off_hand, ring1, ring2), NULL for quest items carried
 *     outside the grid; item_data holds durability, max_durability,
 *     enchantments and, for equipment, "equipped" and "slot".
 *   - chunks are written in the design's plain sparse JSON form at chunk_y 4
 *     (local y 0 is SEA_LEVEL 64), around each world's village chunk; the
 *     village's NPC entities ("villager_001", ...) are the world's NPC
 *     characters (appearance.entity_id).
 * The word lists below are sample content of this generator, not game rules,
 * so they live here rather than in data/. */
#include "save/sample_data.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/changeset.h"
#include "save/save_internal.h"
#include "save/stories.h"
#include "util/prng.h"
#include "util/sha256.h"
#include "util/timeutil.h"

#define BASE_MS 1756995300000LL /* 2025-09-04T14:15:00.000Z, the design's date */
#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL
#define NOW_MS (BASE_MS + 90 * DAY_MS)
#define CHUNK_Y 4
#define SURFACE_Y 64
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define PICK(g, arr) ((arr)[prng_below(&(g)->rng, (uint32_t)COUNT(arr))])
#define TRY(x) do { if ((rc = (x)) != MA_OK) return rc; } while (0)

/* ------------------------------------------------------------ word lists */

static const char *const first_names[] = {
    "Elara", "Brom", "Kaelen", "Mira", "Tobias", "Seren", "Garrick", "Lyra", "Orin", "Talia",
    "Dorian", "Freya", "Cassian", "Isolde", "Rowan", "Wren", "Alaric", "Neve", "Corwin", "Ysolde",
    "Hale", "Juniper", "Magnus", "Odette", "Percival", "Rhea", "Silas", "Thea", "Ulric", "Vesna",
    "Edric", "Fiora", "Gideon", "Hazel", "Ivo", "Jora", "Leif", "Maren", "Nico", "Ophelia",
};
static const char *const surnames[] = {
    "Ashdown", "Blackthorn", "Brightwater", "Copperfield", "Dunmore", "Emberly", "Fairweather",
    "Hollowell", "Ironwood", "Kestrel", "Larkin", "Mossgrove", "Northcott", "Oakley", "Quill",
    "Ravensworth", "Silverleaf", "Thornbury", "Underhill", "Vale", "Whitlock", "Wilder", "Yarrow",
    "Stonebrook", "Marsh", "Holloway", "Finch", "Greaves", "Pike", "Tanner",
};
static const char *const domains[] = {"example.com", "example.org", "example.net", "mail.example.com"};
static const char *const bios[] = {
    "Explorer at heart; I map every cave I find.",
    "Builder of crooked towers and straight roads.",
    "Here for the stories. Always picks the risky option.",
    "Collector of rare ores and rarer friendships.",
    "Night-shift adventurer, torch in one hand, map in the other.",
    "I just want a quiet farm by the river.",
    "Speedrunning the main story, slowly.",
    "Alchemist in training. Mostly explosions so far.",
    "Will trade bread for directions.",
    "Retired dragon hunter (there were no dragons).",
};
static const char *const world_first[] = {
    "Emberfall", "Mistvale", "Stormreach", "Goldenmere", "Frosthollow", "Duskwood", "Brightwater",
    "Ravenholm", "Thornwick", "Silverpine", "Ironcrest", "Willowmere", "Moonshadow", "Sunspire",
    "Oakheart", "Greyharbor",
};
static const char *const world_second[] = {"Reach", "Vale", "Isles", "Highlands", "Marches", "Expanse", "Realm", "Wilds"};
static const char *const villages[] = {
    "Ashford", "Millbrook", "Oakhaven", "Thistledown", "Riverbend", "Stonehollow", "Fernwick",
    "Briarwood", "Harrowgate", "Larkspur", "Dunmere", "Kettleby",
};
static const char *const difficulties[] = {"peaceful", "easy", "normal", "normal", "hard"};
static const char *const races[] = {"human", "elf", "dwarf", "halfling", "orc"};
static const char *const hair[] = {"black", "auburn", "silver", "golden", "chestnut", "white", "copper", "shaved"};
static const char *const eyes[] = {"green", "grey", "brown", "blue", "amber", "violet"};
static const char *const terms[] = {"xterm-256color", "tmux-256color", "screen-256color", "linux", "alacritty"};

typedef struct ClassDef {
    const char *name;
    int hp, mp, str, intl, dex, con, cha;
    const char *skills[3];
    const char *weapon, *armor, *outfit;
} ClassDef;

/* Indexes 0..4 are the player classes; 5 is the villagers'. */
static const ClassDef classes[] = {
    {"warrior", 120, 20, 16, 8, 11, 15, 10, {"swordsmanship", "blocking", "smithing"}, "iron_sword", "iron_chestplate", "dented plate over chainmail"},
    {"mage", 75, 120, 7, 17, 11, 9, 12, {"fire_magic", "alchemy", "arcane_lore"}, "oak_staff", "robe", "star-stitched robe and a pointed hat"},
    {"ranger", 95, 40, 11, 11, 17, 12, 10, {"archery", "tracking", "herbalism"}, "bow", "leather_tunic", "hooded green cloak"},
    {"rogue", 90, 30, 10, 12, 18, 10, 14, {"stealth", "lockpicking", "dual_wielding"}, "dagger", "leather_tunic", "dark leathers with many pockets"},
    {"cleric", 100, 90, 11, 13, 9, 13, 16, {"healing", "holy_magic", "herbalism"}, "mace", "robe", "white robe with a sun emblem"},
    {"villager", 60, 10, 9, 9, 9, 10, 11, {NULL, NULL, NULL}, NULL, NULL, "plain linen clothes"},
};
#define N_PLAYER_CLASSES 5
#define VILLAGER 5

static const char *const general_skills[] = {"mining", "woodcutting", "fishing", "cooking", "farming", "bartering", "crafting"};

typedef struct RoleDef { const char *role, *skill, *item, *outfit; } RoleDef;
static const RoleDef roles[] = {
    {"blacksmith", "smithing", "iron_ingot", "leather apron"},
    {"farmer", "farming", "bread", "straw hat"},
    {"merchant", "bartering", "gold_coin", "embroidered coat"},
    {"innkeeper", "cooking", "bread", "stained apron"},
    {"guard", "swordsmanship", "iron_sword", "town tabard"},
    {"herbalist", "herbalism", "health_potion", "moss-green shawl"},
    {"fisher", "fishing", "cooked_fish", "oilskin coat"},
    {"carpenter", "woodcutting", "planks", "sawdust-covered overalls"},
};

typedef struct ItemDef {
    const char *name, *type;
    int max_stack, durability; /* durability 0: not a tool, weapon or armor */
    const char *effect;        /* consumables */
} ItemDef;
static const ItemDef items[] = {
    {"iron_sword", "weapon", 1, 250, NULL}, {"oak_staff", "weapon", 1, 200, NULL},
    {"bow", "weapon", 1, 384, NULL}, {"dagger", "weapon", 1, 180, NULL}, {"mace", "weapon", 1, 220, NULL},
    {"wooden_shield", "armor", 1, 150, NULL}, {"leather_cap", "armor", 1, 80, NULL},
    {"iron_helmet", "armor", 1, 165, NULL}, {"leather_tunic", "armor", 1, 80, NULL},
    {"iron_chestplate", "armor", 1, 240, NULL}, {"robe", "armor", 1, 100, NULL},
    {"leather_boots", "armor", 1, 65, NULL}, {"leather_leggings", "armor", 1, 75, NULL},
    {"wooden_pickaxe", "tool", 1, 60, NULL}, {"stone_pickaxe", "tool", 1, 132, NULL},
    {"iron_pickaxe", "tool", 1, 251, NULL}, {"iron_axe", "tool", 1, 250, NULL}, {"fishing_rod", "tool", 1, 64, NULL},
    {"oak_log", "block", 64, 0, NULL}, {"planks", "block", 64, 0, NULL}, {"cobblestone", "block", 64, 0, NULL},
    {"torch", "block", 64, 0, NULL}, {"stick", "material", 64, 0, NULL}, {"coal", "material", 64, 0, NULL},
    {"iron_ore", "block", 64, 0, NULL}, {"iron_ingot", "material", 64, 0, NULL}, {"string", "material", 64, 0, NULL},
    {"arrow", "ammunition", 64, 0, NULL}, {"flower_red", "material", 64, 0, NULL},
    {"bread", "consumable", 16, 0, "restore_hunger"}, {"cooked_fish", "consumable", 16, 0, "restore_hunger"},
    {"health_potion", "consumable", 8, 0, "heal"}, {"mana_potion", "consumable", 8, 0, "restore_mana"},
    {"gold_coin", "currency", 999, 0, NULL},
};
static const char *const bag_items[] = {
    "oak_log", "planks", "cobblestone", "stick", "coal", "iron_ore", "iron_ingot", "string",
    "flower_red", "bread", "cooked_fish", "health_potion", "mana_potion", "iron_axe", "fishing_rod",
};
static const char *const quest_items[] = {"ancient_key", "sealed_letter", "strange_map", "silver_locket"};
static const char *const enchant_weapon[] = {"sharpness", "smite", "fire_aspect", "knockback"};
static const char *const enchant_armor[] = {"protection", "thorns", "unbreaking"};
static const char *const enchant_tool[] = {"efficiency", "unbreaking", "fortune"};

typedef struct RelDef { const char *type, *reverse; int lo, hi; } RelDef;
static const RelDef rel_defs[] = {
    {"friend", "friend", 30, 90}, {"ally", "ally", 40, 100}, {"rival", "rival", -60, -10},
    {"enemy", "enemy", -100, -60}, {"acquaintance", "acquaintance", -10, 30},
    {"mentor", "student", 40, 80}, {"family", "family", 50, 100}, {"trade_partner", "trade_partner", 10, 60},
};
static const char *const interactions[] = {
    "traded goods", "shared a campfire", "fought side by side", "argued over loot", "exchanged gifts",
    "sparred in the square", "helped with a quest", "exchanged insults at the tavern", "shared a map",
};

typedef struct BranchDef { const char *name, *choice, *content; } BranchDef;
typedef struct StoryDef {
    const char *title, *description, *type, *tone;
    BranchDef root, child[3], grand[3][2];
} StoryDef;
static const StoryDef story_defs[] = {
    {"The Shadow over {village}", "Strange omens gather over {village}; something stirs beneath the old well.", "main", "ominous",
     {"The Omen", "Begin", "Crows circle the old watchtower above {village}, and the well water has turned bitter."},
     {{"Investigate the Well", "Climb down into the well", "A rope, a torch and a long drop into the dark."},
      {"Consult the Elder", "Ask the village elder about the omen", "The elder's hands shake as she unrolls a faded chart."},
      {"Ignore the Signs", "Leave it to the town guard", "The guards laugh it off. That night the torches gutter out."}},
     {{{"The Hidden Passage", "Follow the draft behind the stones", "Behind loose stones a tunnel runs toward the hills."},
       {"The Drowned Shrine", "Dive into the flooded chamber", "Under the water a shrine glows with a cold light."}},
      {{"The Elder's Secret", "Press her for the truth", "She admits the well was sealed once before, a century ago."},
       {NULL, NULL, NULL}},
      {{"Night of Ashes", "Defend the square", "Shapes climb out of the well at midnight."}, {NULL, NULL, NULL}}}},
    {"The Merchant's Debt", "A travelling merchant begs for help: bandits took his wagon on the forest road.", "side", "adventurous",
     {"A Desperate Plea", "Begin", "Merchant Pell wrings his hat outside the inn of {village}."},
     {{"Track the Bandits", "Follow the wagon tracks", "Deep ruts lead off the road into the pines."},
      {"Pay the Ransom", "Pay the bandits off", "A note pinned to a tree names a price in gold."},
      {NULL, NULL, NULL}},
     {{{"Ambush at the Ford", "Attack at the river crossing", "The bandits wade the ford, right into your trap."},
       {"Parley in the Pines", "Talk to the bandit leader", "The leader turns out to be Pell's own brother."}},
      {{"A Lighter Purse", "Hand over the gold", "The wagon comes back, lighter by a crate or two."}, {NULL, NULL, NULL}},
      {{NULL, NULL, NULL}, {NULL, NULL, NULL}}}},
    {"Roots of the Old Oak", "The oldest tree near {village} has started to whisper.", "lore", "mysterious",
     {"The Whispering Grove", "Begin", "Leaves rustle without wind in the grove east of {village}."},
     {{"Listen to the Dryad", "Sit beneath the oak and listen", "A voice like creaking wood asks for a favour."},
      {"Cut the Old Oak", "Fetch an axe", "The carpenter of {village} has wanted this timber for years."},
      {NULL, NULL, NULL}},
     {{{"The Dryad's Bargain", "Accept the dryad's bargain", "Plant ten saplings, and the grove will remember you."},
       {NULL, NULL, NULL}},
      {{"The Forest's Anger", "Keep cutting", "Roots burst from the ground around your feet."},
       {"A Fine Haul of Timber", "Stop at the first branch", "One great branch yields planks enough for a house."}},
      {{NULL, NULL, NULL}, {NULL, NULL, NULL}}}},
    {"Festival of Lanterns", "{village} prepares for its yearly festival of lanterns.", "event", "festive",
     {"Preparations", "Begin", "Paper, paint and candle wax cover every table in {village}."},
     {{"Help the Lantern Makers", "Offer to help with the lanterns", "Glue on your fingers, paint on your sleeves."},
      {"Enter the Archery Contest", "Sign up for the archery contest", "Targets line the meadow past the mill."},
      {NULL, NULL, NULL}},
     {{{"The Brightest Lantern", "Add the glowing moss", "Your lantern outshines every other on the river."},
       {NULL, NULL, NULL}},
      {{"A Steady Hand", "Shoot true", "Three arrows, three bullseyes."},
       {"The Rigged Target", "Expose the cheat", "The target's straw hides an iron plate."}},
      {{NULL, NULL, NULL}, {NULL, NULL, NULL}}}},
};

typedef struct ObjDef { const char *text, *kind, *target; int count; } ObjDef;
typedef struct QuestDef {
    const char *title, *description, *type;
    int difficulty, min_level, xp, gold;
    const char *reward_item;
    int reward_count, expires_days; /* expires_days 0: a permanent quest */
    ObjDef obj[4];
} QuestDef;
static const QuestDef quest_defs[] = {
    {"Wolves at the Gate", "Wolves have been seen at the edge of {village}.", "bounty", 2, 1, 150, 20, "leather_boots", 1, 0,
     {{"Speak to the guard captain of {village}", "talk", "guard", 1}, {"Slay 6 wolves in the forest", "kill", "wolf", 6},
      {"Return to the guard captain", "talk", "guard", 1}, {NULL, NULL, NULL, 0}}},
    {"Timber for {village}", "The carpenter needs wood to repair the mill.", "side", 1, 1, 80, 10, "iron_axe", 1, 0,
     {{"Chop 16 oak logs", "collect", "oak_log", 16}, {"Craft 32 planks", "craft", "planks", 32},
      {"Deliver the planks to the carpenter", "deliver", "planks", 32}, {NULL, NULL, NULL, 0}}},
    {"Deep Veins", "Iron is scarce; the blacksmith wants a new seam found.", "side", 4, 5, 300, 40, "iron_pickaxe", 1, 0,
     {{"Mine 10 iron ore", "collect", "iron_ore", 10}, {"Smelt 10 iron ingots", "craft", "iron_ingot", 10},
      {"Forge an iron sword", "craft", "iron_sword", 1}, {NULL, NULL, NULL, 0}}},
    {"Herbs for the Healer", "The herbalist is out of red flowers.", "daily", 1, 1, 40, 5, "health_potion", 2, 1,
     {{"Gather 5 red flowers", "collect", "flower_red", 5}, {"Brew a health potion", "craft", "health_potion", 1},
      {NULL, NULL, NULL, 0}, {NULL, NULL, NULL, 0}}},
    {"The Drowned Shrine", "Something waits below the well of {village}.", "main", 6, 8, 800, 120, "mana_potion", 3, 0,
     {{"Descend into the well", "explore", "well", 1}, {"Light 4 torches in the shrine", "place", "torch", 4},
      {"Defeat the shrine guardian", "kill", "shrine_guardian", 1}, {"Report to the elder", "talk", "elder", 1}}},
    {"Fishing Derby", "Who will land the biggest catch this week?", "event", 1, 1, 60, 25, "fishing_rod", 1, 7,
     {{"Catch 8 fish", "collect", "cooked_fish", 8}, {"Weigh your largest catch at the pier", "talk", "fisher", 1},
      {NULL, NULL, NULL, 0}, {NULL, NULL, NULL, 0}}},
    {"Clear the Old Mine", "Cave spiders nest in the mine north of {village}.", "bounty", 5, 6, 450, 60, "iron_helmet", 1, 0,
     {{"Enter the old mine", "explore", "old_mine", 1}, {"Defeat 10 cave spiders", "kill", "cave_spider", 10},
      {"Retrieve the foreman's lantern", "collect", "lantern", 1}, {NULL, NULL, NULL, 0}}},
    {"Lost Shipment", "A cart of supplies never reached {village}.", "side", 3, 3, 200, 35, "bread", 6, 3,
     {{"Find the wrecked cart on the forest road", "explore", "wrecked_cart", 1}, {"Recover 3 crates", "collect", "crate", 3},
      {"Return the goods to the merchant", "deliver", "crate", 3}, {NULL, NULL, NULL, 0}}},
};

typedef struct AchDef { const char *name, *description; int points; } AchDef;
static const AchDef achievement_defs[] = {
    {"First Steps", "Took the first step into the world.", 5}, {"Stonebreaker", "Mined 100 stone.", 10},
    {"Timberjack", "Felled 50 oak trees.", 10}, {"Master Crafter", "Crafted 25 different items.", 25},
    {"Wolfbane", "Defeated 20 wolves.", 15}, {"Friend of the Village", "Reached 80 reputation with a village.", 20},
    {"Deep Delver", "Found iron ore.", 10}, {"Story Seeker", "Made 10 story choices.", 15},
    {"Questmaster", "Completed 10 quests.", 30}, {"Night Owl", "Survived a night without a torch.", 15},
    {"Treasure Hunter", "Opened 5 chests.", 10}, {"Alchemist", "Brewed a potion.", 10},
    {"Dragon Slayer", "Defeated the ancient dragon.", 100}, {"Cartographer", "Explored 50 chunks.", 20},
    {"Big Spender", "Spent 1000 gold coins.", 15},
};

typedef struct AgentDef { const char *type, *role, *memory_type, *memory, *evolution_type, *reasoning; } AgentDef;
static const AgentDef agent_defs[6] = {
    {"story_weaver", "Narrative generation and evolution", "observation",
     "Players in {village} keep choosing the risky path; lean the next chapter toward danger.",
     "story_branch_added", "Most recent choices in {village} went unanswered by the current branches."},
    {"world_builder", "Environmental changes and additions", "plan",
     "The hills east of {village} are bare; a ruined watchtower would give explorers a landmark.",
     "structure_added", "Explorers around {village} had no landmark within 200 blocks."},
    {"character_master", "NPC behavior and relationships", "observation",
     "The blacksmith of {village} distrusts outsiders since the bandit raid.",
     "relationship_shift", "Repeated trades between these two characters warmed their relationship."},
    {"quest_generator", "Dynamic quest creation", "preference",
     "Wolf bounties around {village} were finished in under an hour; raise the count.",
     "quest_created", "Characters near {village} had no open quest matching their level."},
    {"event_coordinator", "World events and seasonal changes", "plan",
     "Harvest season in {village} ends soon; plan a lantern festival.",
     "event_scheduled", "No world event in {village} for two weeks; players asked for festivals."},
    {"balance_keeper", "Game balance monitoring", "summary",
     "Iron drops near {village} are running 30% above target.",
     "loot_rebalanced", "Iron ore income per hour exceeded the target band for three days."},
};

typedef struct EventDef { const char *type, *name, *description, *key; double value; } EventDef;
static const EventDef event_defs[] = {
    {"festival", "Harvest Moon Festival", "Lanterns line the streets of {village}; crops sell for double.", "price_multiplier", 2.0},
    {"invasion", "Goblin Raid", "Goblins from the hills test the walls of {village}.", "waves", 3},
    {"weather", "Great Thunderstorm", "Lightning splits the sky over {village} for three nights.", "lightning_chance", 0.2},
    {"market", "Travelling Market", "Caravans from the south set up stalls in {village}.", "discount_percent", 15},
    {"celestial", "Meteor Shower", "Fallen stars scatter iron in the fields around {village}.", "iron_bonus", 1.5},
    {"seasonal", "First Snow", "Snow settles on the roofs of {village}; the lake freezes over.", "frozen_water", 1},
};

typedef struct RecipeDef { const char *name, *ingredients, *result, *type, *unlock; int level; } RecipeDef;
static const RecipeDef recipe_defs[] = {
    {"planks", "[{\"item\":\"oak_log\",\"count\":1}]", "{\"item_name\":\"planks\",\"count\":4}", "carpentry", "{}", 1},
    {"stick", "[{\"item\":\"planks\",\"count\":2}]", "{\"item_name\":\"stick\",\"count\":4}", "carpentry", "{}", 1},
    {"torch", "[{\"item\":\"coal\",\"count\":1},{\"item\":\"stick\",\"count\":1}]", "{\"item_name\":\"torch\",\"count\":4}", "general", "{}", 1},
    {"chest", "[{\"item\":\"planks\",\"count\":8}]", "{\"item_name\":\"chest\",\"count\":1}", "carpentry", "{}", 1},
    {"wooden_pickaxe", "[{\"item\":\"planks\",\"count\":3},{\"item\":\"stick\",\"count\":2}]", "{\"item_name\":\"wooden_pickaxe\",\"count\":1}", "tools", "{}", 1},
    {"stone_pickaxe", "[{\"item\":\"cobblestone\",\"count\":3},{\"item\":\"stick\",\"count\":2}]", "{\"item_name\":\"stone_pickaxe\",\"count\":1}", "tools", "{}", 2},
    {"iron_ingot", "[{\"item\":\"iron_ore\",\"count\":1},{\"item\":\"coal\",\"count\":1}]", "{\"item_name\":\"iron_ingot\",\"count\":1}", "smelting", "{\"skill\":\"smithing\",\"level\":1}", 3},
    {"iron_pickaxe", "[{\"item\":\"iron_ingot\",\"count\":3},{\"item\":\"stick\",\"count\":2}]", "{\"item_name\":\"iron_pickaxe\",\"count\":1}", "tools", "{\"skill\":\"smithing\",\"level\":2}", 4},
    {"iron_sword", "[{\"item\":\"iron_ingot\",\"count\":2},{\"item\":\"stick\",\"count\":1}]", "{\"item_name\":\"iron_sword\",\"count\":1}", "weapons", "{\"skill\":\"smithing\",\"level\":3}", 5},
    {"bow", "[{\"item\":\"stick\",\"count\":3},{\"item\":\"string\",\"count\":3}]", "{\"item_name\":\"bow\",\"count\":1}", "weapons", "{}", 3},
    {"health_potion", "[{\"item\":\"flower_red\",\"count\":2},{\"item\":\"water_bottle\",\"count\":1}]", "{\"item_name\":\"health_potion\",\"count\":1}", "alchemy", "{\"skill\":\"alchemy\",\"level\":1}", 3},
    {"bread", "[{\"item\":\"wheat\",\"count\":3}]", "{\"item_name\":\"bread\",\"count\":1}", "cooking", "{}", 1},
};

/* ------------------------------------------------------------ state */

typedef struct UserInfo {
    int64_t id, created, last_login;
    int home_world, fav_class, active, n_sessions;
    int64_t session_at[3];
    int session_live[3];
} UserInfo;

typedef struct CharInfo {
    int64_t id, created;
    int world, user, cls, role, level; /* user -1 and cls VILLAGER for NPCs */
    char name[64];
} CharInfo;

typedef struct BranchInfo {
    int64_t id, created;
    int story, parent, depth; /* parent: index in the world's list, -1 for roots */
    const BranchDef *def;
} BranchInfo;

typedef struct WorldInfo {
    int64_t id, created, seed;
    char name[65];
    const char *village;
    int vx, vz, spawn[3];
    int n_npcs, npc_role[5], npc_pos[5][3]; /* local to the village chunk */
    int n_stories, story_def[3];
    int64_t story_id[3];
    BranchInfo branches[32];
    int n_branches;
    int n_quests, quest_def[6];
    int64_t quest_id[6], quest_created[6];
} WorldInfo;

typedef struct Gen {
    Save *s;
    Err *err;
    Prng rng;
    int rows, oom;
    UserInfo *users;
    WorldInfo *worlds;
    CharInfo *chars;
    int n_users, n_worlds, n_chars;
    int64_t agent_ids[6];
} Gen;

/* ------------------------------------------------------------ helpers */

static int64_t span(Gen *g, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + (int64_t)(prng_next(&g->rng) % (uint64_t)(hi - lo + 1));
}

/* A moment between t and the sample's now (t itself when t is later). */
static int64_t after(Gen *g, int64_t t) { return span(g, t, NOW_MS); }
static int range(Gen *g, int lo, int hi) { return prng_range(&g->rng, lo, hi); }
static int chance(Gen *g, double pct) { return prng_chance(&g->rng, pct); }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

static void shuffle(Gen *g, int *a, int n)
{
    for (int i = 0; i < n; i++)
        a[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)prng_below(&g->rng, (uint32_t)(i + 1)), t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

/* tmpl with every "{village}" replaced by village. */
static void fill(char *out, size_t size, const char *tmpl, const char *village)
{
    static const char tok[] = "{village}";
    size_t n = 0;
    while (*tmpl && n + 1 < size) {
        if (strncmp(tmpl, tok, sizeof tok - 1) == 0) {
            for (const char *v = village; *v && n + 1 < size; v++)
                out[n++] = *v;
            tmpl += sizeof tok - 1;
        } else {
            out[n++] = *tmpl++;
        }
    }
    out[n] = '\0';
}

static void bind_time(sqlite3_stmt *st, int i, int64_t ms)
{
    char buf[TIME_ISO_LEN];
    sqlite3_bind_text(st, i, time_iso(ms, buf), -1, SQLITE_TRANSIENT);
}

static void bind_time_or_null(sqlite3_stmt *st, int i, int64_t ms)
{
    if (ms)
        bind_time(st, i, ms);
    else
        sqlite3_bind_null(st, i);
}

/* Binds the text of j and frees j; a failure is reported by the next step. */
static void bind_json(Gen *g, sqlite3_stmt *st, int i, cJSON *j)
{
    if (!j || save_bind_json(st, i, j, "{}") != SQLITE_OK)
        g->oom = 1;
    cJSON_Delete(j);
}

static sqlite3_stmt *stmt(Gen *g, const char *sql) { return save_stmt(g->s, sql, g->err); }

/* Runs an INSERT, counts the rows it added, and returns the new row's id. */
static int insert(Gen *g, sqlite3_stmt *st, const char *what, int64_t *id)
{
    int rc = g->oom ? SQLITE_NOMEM : sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        int code = g->oom ? err_set(g->err, MA_ERR_NOMEM, "out of memory %s", what)
                          : save_db_error(g->s, rc, g->err, what);
        sqlite3_reset(st);
        return code;
    }
    sqlite3 *db = sqlite3_db_handle(st);
    g->rows += sqlite3_changes(db);
    if (id)
        *id = sqlite3_last_insert_rowid(db);
    sqlite3_reset(st);
    return MA_OK;
}

/* Whether sql (?1 = name, ?2 = text2 or int2) finds a row. */
static int is_taken(Gen *g, const char *sql, const char *name, const char *text2, int64_t int2, int *taken)
{
    sqlite3_stmt *st = stmt(g, sql);
    if (!st)
        return g->err->code;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    if (sqlite3_bind_parameter_count(st) >= 2) {
        if (text2)
            sqlite3_bind_text(st, 2, text2, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_int64(st, 2, int2);
    }
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        int code = save_db_error(g->s, rc, g->err, "checking sample names");
        sqlite3_reset(st);
        return code;
    }
    *taken = rc == SQLITE_ROW;
    sqlite3_reset(st);
    return MA_OK;
}

/* base, or base + sep + 2, 3, ... when the save already has it. */
static int make_unique(Gen *g, const char *sql, const char *base, const char *sep, const char *text2,
                       int64_t int2, char *out, size_t size)
{
    snprintf(out, size, "%s", base);
    for (int n = 2;; n++) {
        int taken = 0, rc = is_taken(g, sql, out, text2, int2, &taken);
        if (rc != MA_OK || !taken)
            return rc;
        snprintf(out, size, "%.48s%s%d", base, sep, n);
    }
}

static const ItemDef *item_def(const char *name)
{
    for (int i = 0; i < COUNT(items); i++)
        if (strcmp(items[i].name, name) == 0)
            return &items[i];
    return NULL;
}

/* ------------------------------------------------------------ users and sessions */

static int gen_users(Gen *g)
{
    static const char sql_taken[] = "SELECT 1 FROM users WHERE username = ?1 OR email = ?1 || '@' || ?2";
    static const char sql[] =
        "INSERT INTO users (username, email, password_hash, profile, created_at, updated_at, is_active, last_login) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    static const char b64[] = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    int rc;
    for (int i = 0; i < g->n_users; i++) {
        UserInfo *u = &g->users[i];
        const char *first = PICK(g, first_names), *last = PICK(g, surnames), *domain = PICK(g, domains);
        char base[64], name[64], email[128], display[80], hash[64];
        if (chance(g, 40))
            snprintf(base, sizeof base, "%s_%s%d", first, last, range(g, 1, 99));
        else
            snprintf(base, sizeof base, "%s_%s", first, last);
        for (char *p = base; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        snprintf(display, sizeof display, "%s %s", first, last);
        int has_hash = chance(g, 70);
        snprintf(hash, sizeof hash, "$2b$12$");
        for (size_t k = strlen(hash); k < 60; k++)
            hash[k] = b64[prng_below(&g->rng, 64)];
        hash[60] = '\0';

        u->id = 0;
        u->created = BASE_MS + span(g, 0, 60 * DAY_MS);
        u->active = chance(g, 94);
        u->fav_class = range(g, 0, N_PLAYER_CLASSES - 1);
        u->home_world = i % g->n_worlds;
        u->n_sessions = range(g, 1, 3);
        u->last_login = 0;
        for (int k = 0; k < u->n_sessions; k++) {
            u->session_live[k] = u->active && k == u->n_sessions - 1 && chance(g, 65);
            u->session_at[k] = u->session_live[k] ? NOW_MS - span(g, 0, 3 * DAY_MS)
                                                  : span(g, u->created, NOW_MS - 10 * DAY_MS);
            u->last_login = max64(u->last_login, u->session_at[k]);
        }

        cJSON *profile = cJSON_CreateObject(), *prefs = cJSON_CreateObject();
        cJSON_AddStringToObject(profile, "display_name", display);
        cJSON_AddStringToObject(profile, "bio", PICK(g, bios));
        cJSON_AddStringToObject(profile, "favorite_class", classes[u->fav_class].name);
        cJSON_AddStringToObject(prefs, "theme", chance(g, 50) ? "dark" : "classic");
        cJSON_AddStringToObject(prefs, "glyphs", chance(g, 75) ? "utf8" : "ascii");
        cJSON_AddStringToObject(prefs, "keymap", chance(g, 60) ? "wasd" : chance(g, 50) ? "vi" : "arrows");
        cJSON_AddBoolToObject(prefs, "sound", chance(g, 50));
        cJSON_AddBoolToObject(prefs, "show_coordinates", chance(g, 40));
        cJSON_AddStringToObject(prefs, "language", "en");
        cJSON_AddItemToObject(profile, "preferences", prefs);

        TRY(make_unique(g, sql_taken, base, "_", domain, 0, name, sizeof name));
        snprintf(email, sizeof email, "%s@%s", name, domain);
        sqlite3_stmt *st = stmt(g, sql);
        if (!st) {
            cJSON_Delete(profile);
            return g->err->code;
        }
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, email, -1, SQLITE_TRANSIENT);
        save_bind_text(st, 3, has_hash ? hash : NULL);
        bind_json(g, st, 4, profile);
        bind_time(st, 5, u->created);
        bind_time(st, 6, span(g, u->created, NOW_MS));
        sqlite3_bind_int(st, 7, u->active);
        bind_time(st, 8, u->last_login);
        TRY(insert(g, st, "adding sample users", &u->id));
    }
    return MA_OK;
}

static int gen_sessions(Gen *g)
{
    static const char sql_taken[] = "SELECT 1 FROM sessions WHERE session_token = ?1";
    static const char sql[] =
        "INSERT INTO sessions (user_id, session_token, session_data, created_at, expires_at, is_active) "
        "VALUES (?, ?, ?, ?, ?, ?)";
    int rc;
    for (int i = 0; i < g->n_users; i++) {
        const UserInfo *u = &g->users[i];
        for (int k = 0; k < u->n_sessions; k++) {
            /* A taken token is rehashed rather than redrawn, so that a second run
             * with the same seed draws the same rows (with suffixed names). */
            /* The save keeps only a token's SHA-256, as sessions_create does. */
            char token[40], hash[SHA256_HEX_LEN];
            uint64_t a = prng_next(&g->rng), b = prng_next(&g->rng);
            for (int taken = 1; taken; a = hash_u64(a), b = hash_u64(b)) {
                snprintf(token, sizeof token, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
                sha256_hex(token, strlen(token), hash);
                TRY(is_taken(g, sql_taken, hash, NULL, 0, &taken));
            }
            int64_t created = u->session_at[k];
            int64_t expires = u->session_live[k] ? created + 30 * DAY_MS : created + span(g, HOUR_MS, 7 * DAY_MS);
            cJSON *data = cJSON_CreateObject();
            cJSON_AddStringToObject(data, "client", "terminal");
            cJSON_AddStringToObject(data, "term", PICK(g, terms));
            char ip[32];
            snprintf(ip, sizeof ip, "192.0.2.%d", range(g, 2, 254));
            cJSON_AddStringToObject(data, "ip", ip);
            if (!u->session_live[k])
                cJSON_AddStringToObject(data, "ended", chance(g, 50) ? "logout" : "expired");
            sqlite3_stmt *st = stmt(g, sql);
            if (!st) {
                cJSON_Delete(data);
                return g->err->code;
            }
            sqlite3_bind_int64(st, 1, u->id);
            sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
            bind_json(g, st, 3, data);
            bind_time(st, 4, created);
            bind_time(st, 5, expires);
            sqlite3_bind_int(st, 6, u->session_live[k]);
            TRY(insert(g, st, "adding sample sessions", NULL));
        }
    }
    return MA_OK;
}

/* ------------------------------------------------------------ chunks */

enum Block {
    B_NONE, B_AIR, B_STONE, B_DIRT, B_GRASS, B_SAND, B_GRAVEL, B_WATER, B_OAK_LOG, B_OAK_LEAVES,
    B_TALL_GRASS, B_FLOWER_RED, B_COAL_ORE, B_IRON_ORE, B_COBBLESTONE, B_PLANKS, B_CHEST, B_TORCH,
};
static const char *const block_names[] = {
    "", "air", "stone", "dirt", "grass", "sand", "gravel", "water", "oak_log", "oak_leaves",
    "tall_grass", "flower_red", "coal_ore", "iron_ore", "cobblestone", "planks", "chest", "torch",
};
enum ChunkKind { K_VILLAGE, K_FOREST, K_PLAINS, K_BEACH };
static const char *const chest_loot[] = {"gold_coin", "bread", "iron_ingot", "torch", "health_potion", "arrow", "coal"};

typedef struct ChunkPlan {
    uint8_t b[16][16][16]; /* [y][z][x]; B_NONE: not listed (air) */
    int h[16][16];         /* surface height per column */
    int chest[4][3], n_chests;
    char chest_meta[4][256];
} ChunkPlan;

typedef struct Buf {
    char *p;
    size_t len, cap;
    int oom;
} Buf;

static void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(Buf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = b->oom ? 0 : vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (b->oom || n < 0)
            return;
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap + (size_t)n + 1) * 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

static void put(ChunkPlan *p, int x, int y, int z, enum Block b)
{
    if (x >= 0 && x < 16 && y >= 0 && y < 16 && z >= 0 && z < 16)
        p->b[y][z][x] = (uint8_t)b;
}

static void add_chest(Gen *g, ChunkPlan *p, int x, int y, int z)
{
    if (p->n_chests == 4)
        return;
    put(p, x, y, z, B_CHEST);
    int *c = p->chest[p->n_chests];
    c[0] = x, c[1] = y, c[2] = z;
    int order[COUNT(chest_loot)], n = range(g, 2, 4);
    shuffle(g, order, COUNT(chest_loot));
    char *m = p->chest_meta[p->n_chests++];
    size_t len = (size_t)snprintf(m, 256, "{\"items\":[");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(m + len, 256 - len, "%s{\"item\":\"%s\",\"count\":%d}", i ? "," : "",
                                chest_loot[order[i]], range(g, 1, 32));
    snprintf(m + len, 256 - len, "]}");
}

static void add_tree(ChunkPlan *p, int x, int z)
{
    int h = p->h[z][x];
    for (int dy = 3; dy <= 6; dy++) {
        int r = dy <= 4 ? 2 : 1;
        for (int dz = -r; dz <= r; dz++)
            for (int dx = -r; dx <= r; dx++) {
                if ((dx == r || dx == -r) && (dz == r || dz == -r) && r == 2)
                    continue;
                if (dy == 6 && dx && dz)
                    continue;
                int xx = x + dx, zz = z + dz, yy = h + dy;
                if (xx >= 0 && xx < 16 && zz >= 0 && zz < 16 && yy < 16 && p->b[yy][zz][xx] == B_NONE)
                    p->b[yy][zz][xx] = B_OAK_LEAVES;
            }
    }
    for (int dy = 1; dy <= 4; dy++)
        put(p, x, h + dy, z, B_OAK_LOG);
}

static int floor4(int v) { return v >= 0 ? v / 4 : -((3 - v) / 4); }

/* Terrain, then the chunk kind's features. Returns the structures array. */
static cJSON *plan_chunk(Gen *g, const WorldInfo *w, ChunkPlan *p, enum ChunkKind kind, int cx, int cz)
{
    memset(p, 0, sizeof *p);
    for (int z = 0; z < 16; z++)
        for (int x = 0; x < 16; x++) {
            int wx = cx * 16 + x, wz = cz * 16 + z;
            uint64_t hc = hash_coords((uint64_t)w->seed, floor4(wx), floor4(wz), 0, 0);
            int h = kind == K_VILLAGE ? 2 : kind == K_BEACH ? (x < 5 ? 0 : x < 9 ? 1 : 2) : 1 + (int)(hc % 3);
            p->h[z][x] = h;
            for (int y = 0; y <= h; y++) {
                enum Block b = B_DIRT;
                if (y == h)
                    b = kind == K_BEACH ? B_SAND : kind == K_PLAINS && chance(g, 3) ? B_GRAVEL : B_GRASS;
                else if (y == 0 && h >= 2)
                    b = chance(g, 6) ? B_COAL_ORE : chance(g, 3) ? B_IRON_ORE : chance(g, 5) ? B_GRAVEL : B_STONE;
                else if (kind == K_BEACH)
                    b = B_SAND;
                p->b[y][z][x] = (uint8_t)b;
            }
            if (kind == K_BEACH && h == 0)
                p->b[1][z][x] = B_WATER;
        }

    cJSON *structures = cJSON_CreateArray();
    int ox = cx * 16, oz = cz * 16;
    char name[96];
    if (kind == K_VILLAGE) {
        int h = 2;
        for (int z = 3; z <= 8; z++)
            for (int x = 3; x <= 9; x++) {
                put(p, x, h, z, B_COBBLESTONE);
                int edge = x == 3 || x == 9 || z == 3 || z == 8, corner = (x == 3 || x == 9) && (z == 3 || z == 8);
                for (int y = h + 1; y <= h + 3; y++)
                    put(p, x, y, z, corner ? B_OAK_LOG : edge ? B_PLANKS : B_AIR);
            }
        for (int z = 2; z <= 9; z++)
            for (int x = 2; x <= 10; x++)
                put(p, x, h + 4, z, B_PLANKS);
        put(p, 6, h + 1, 3, B_AIR); /* the door */
        put(p, 6, h + 2, 3, B_AIR);
        for (int z = 0; z <= 2; z++)
            put(p, 6, h, z, B_GRAVEL);
        add_chest(g, p, 4, h + 1, 7);
        put(p, 8, h + 1, 4, B_TORCH);
        put(p, 5, h + 1, 2, B_TORCH);
        for (int z = 10; z <= 12; z++) /* the well */
            for (int x = 11; x <= 13; x++)
                put(p, x, h + 1, z, x == 12 && z == 11 ? B_AIR : B_COBBLESTONE);
        put(p, 12, h, 11, B_WATER);
        for (int z = 0; z < 16; z++)
            for (int x = 0; x < 16; x++)
                if (p->b[h][z][x] == B_GRASS && p->b[h + 1][z][x] == B_NONE && chance(g, 8))
                    put(p, x, h + 1, z, chance(g, 30) ? B_FLOWER_RED : B_TALL_GRASS);
        cJSON *v = cJSON_CreateObject();
        cJSON_AddStringToObject(v, "type", "village");
        cJSON_AddStringToObject(v, "name", w->village);
        cJSON_AddNumberToObject(v, "x", ox + 6);
        cJSON_AddNumberToObject(v, "z", oz + 5);
        cJSON_AddItemToArray(structures, v);
        cJSON *well = cJSON_CreateObject();
        snprintf(name, sizeof name, "%s Well", w->village);
        cJSON_AddStringToObject(well, "type", "well");
        cJSON_AddStringToObject(well, "name", name);
        cJSON_AddNumberToObject(well, "x", ox + 12);
        cJSON_AddNumberToObject(well, "z", oz + 11);
        cJSON_AddItemToArray(structures, well);
        return structures;
    }

    const char *stype = NULL, *sname = NULL;
    int sx = 8, sz = 8;
    if (kind == K_FOREST) {
        int trees[8][2], n = 0;
        for (int t = 0; t < 10 && n < 8; t++) {
            int x = range(g, 2, 13), z = range(g, 2, 13), ok = p->b[p->h[z][x]][z][x] == B_GRASS;
            for (int k = 0; k < n && ok; k++)
                ok = abs(trees[k][0] - x) > 3 || abs(trees[k][1] - z) > 3;
            if (!ok)
                continue;
            trees[n][0] = x, trees[n][1] = z, n++;
            add_tree(p, x, z);
        }
        if (chance(g, 35)) {
            sx = range(g, 0, 15), sz = range(g, 0, 15);
            if (p->b[p->h[sz][sx] + 1][sz][sx] == B_NONE) {
                add_chest(g, p, sx, p->h[sz][sx] + 1, sz);
                stype = "cache", sname = "Hunter's Cache";
            }
        } else if (chance(g, 50)) {
            stype = "grove", sname = "Whispering Grove";
        }
    } else if (kind == K_PLAINS && chance(g, 40)) {
        sx = range(g, 3, 12), sz = range(g, 3, 12);
        for (int k = 0; k < 4; k++) {
            int px = sx + (k & 1 ? 2 : -2), pz = sz + (k & 2 ? 2 : -2), top = p->h[pz][px];
            for (int y = 1; y <= range(g, 1, 3); y++)
                put(p, px, top + y, pz, B_COBBLESTONE);
        }
        put(p, sx, p->h[sz][sx] + 1, sz, B_TORCH);
        stype = "ruin", sname = "Old Watchtower";
    } else if (kind == K_BEACH && chance(g, 35)) {
        sx = 6, sz = range(g, 3, 11);
        for (int x = 5; x <= 8; x++)
            put(p, x, 2, sz, B_PLANKS);
        add_chest(g, p, 7, 3, sz);
        stype = "shipwreck", sname = "The Gull's Lament";
    }
    for (int z = 0; z < 16; z++) /* plants on open grass */
        for (int x = 0; x < 16; x++) {
            int h = p->h[z][x];
            if (p->b[h][z][x] == B_GRASS && p->b[h + 1][z][x] == B_NONE &&
                chance(g, kind == K_PLAINS ? 22 : 8))
                put(p, x, h + 1, z, chance(g, 25) ? B_FLOWER_RED : B_TALL_GRASS);
        }
    if (stype) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "type", stype);
        cJSON_AddStringToObject(o, "name", sname);
        cJSON_AddNumberToObject(o, "x", ox + sx);
        cJSON_AddNumberToObject(o, "z", oz + sz);
        cJSON_AddItemToArray(structures, o);
    }
    return structures;
}

static void write_chunk(Gen *g, const WorldInfo *w, const ChunkPlan *p, enum ChunkKind kind, Buf *b)
{
    b->len = 0;
    buf_printf(b, "{\"blocks\":{");
    int first = 1;
    for (int y = 0; y < 16; y++)
        for (int z = 0; z < 16; z++)
            for (int x = 0; x < 16; x++) {
                int id = p->b[y][z][x];
                if (id == B_NONE)
                    continue;
                const char *meta = "{}";
                for (int c = 0; c < p->n_chests; c++)
                    if (id == B_CHEST && p->chest[c][0] == x && p->chest[c][1] == y && p->chest[c][2] == z)
                        meta = p->chest_meta[c];
                buf_printf(b, "%s\"%d,%d,%d\":{\"type\":\"%s\",\"metadata\":%s}", first ? "" : ",", x, y, z,
                           block_names[id], meta);
                first = 0;
            }
    buf_printf(b, "},\"entities\":[");
    if (kind == K_VILLAGE) {
        for (int i = 0; i < w->n_npcs; i++)
            buf_printf(b, "%s{\"type\":\"npc\",\"id\":\"villager_%03d\",\"position\":[%d,%d,%d]}", i ? "," : "",
                       i + 1, w->npc_pos[i][0], w->npc_pos[i][1], w->npc_pos[i][2]);
    } else {
        const char *animal = kind == K_PLAINS ? "sheep" : kind == K_FOREST ? "deer" : "crab";
        int n = range(g, kind == K_PLAINS ? 1 : 0, kind == K_BEACH ? 1 : 3);
        for (int i = 0; i < n; i++) {
            int x = range(g, 0, 15), z = range(g, 0, 15);
            buf_printf(b, "%s{\"type\":\"creature\",\"id\":\"%s_%03d\",\"position\":[%d,%d,%d]}", i ? "," : "",
                       animal, i + 1, x, p->h[z][x] + 1, z);
        }
    }
    buf_printf(b, "]}");
}

static int gen_chunks(Gen *g, WorldInfo *w, ChunkPlan *plan, Buf *buf)
{
    static const char sql[] =
        "INSERT INTO world_chunks (world_id, chunk_x, chunk_y, chunk_z, block_data, structures, created_at, "
        "updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    static const int around[8][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {-1, 1}, {1, -1}, {-1, -1}};
    int rc, order[8], kinds[3];
    shuffle(g, order, 8);
    shuffle(g, kinds, 3);
    int n = 1 + range(g, 2, 4);
    for (int i = 0; i < n; i++) {
        enum ChunkKind kind = i == 0 ? K_VILLAGE : i <= 3 ? (enum ChunkKind)(K_FOREST + kinds[i - 1])
                                                          : chance(g, 50) ? K_FOREST : K_PLAINS;
        int cx = w->vx + (i ? around[order[i - 1]][0] : 0), cz = w->vz + (i ? around[order[i - 1]][1] : 0);
        cJSON *structures = plan_chunk(g, w, plan, kind, cx, cz);
        write_chunk(g, w, plan, kind, buf);
        int version = range(g, 1, 3);
        int64_t created = w->created + span(g, 0, 2 * HOUR_MS);
        int64_t updated = version > 1 ? span(g, created + HOUR_MS, NOW_MS) : created;
        sqlite3_stmt *st = stmt(g, sql);
        if (!st || buf->oom) {
            cJSON_Delete(structures);
            return st ? err_set(g->err, MA_ERR_NOMEM, "out of memory writing sample chunks") : g->err->code;
        }
        sqlite3_bind_int64(st, 1, w->id);
        sqlite3_bind_int(st, 2, cx);
        sqlite3_bind_int(st, 3, CHUNK_Y);
        sqlite3_bind_int(st, 4, cz);
        sqlite3_bind_text(st, 5, buf->p, (int)buf->len, SQLITE_TRANSIENT);
        bind_json(g, st, 6, structures);
        bind_time(st, 7, created);
        bind_time(st, 8, updated);
        sqlite3_bind_int(st, 9, version);
        TRY(insert(g, st, "adding sample world chunks", NULL));
    }
    return MA_OK;
}

/* ------------------------------------------------------------ worlds */

static int gen_worlds(Gen *g)
{
    static const char sql_taken[] = "SELECT 1 FROM worlds WHERE name = ?1";
    static const char sql[] =
        "INSERT INTO worlds (name, settings, world_type, seed, created_at, updated_at, is_active, metadata) "
        "VALUES (?, ?, 'normal', ?, ?, ?, ?, ?)";
    int rc;
    ChunkPlan *plan = malloc(sizeof *plan);
    Buf buf = {0};
    int village_order[COUNT(villages)];
    shuffle(g, village_order, COUNT(villages));
    if (!plan)
        return err_set(g->err, MA_ERR_NOMEM, "out of memory generating sample worlds");
    for (int i = 0; i < g->n_worlds; i++) {
        WorldInfo *w = &g->worlds[i];
        char base[64], text[256];
        snprintf(base, sizeof base, "%s %s", PICK(g, world_first), PICK(g, world_second));
        w->village = villages[village_order[i % COUNT(villages)]];
        w->seed = (int64_t)(prng_next(&g->rng) >> 1);
        w->created = BASE_MS + span(g, 0, 20 * DAY_MS);
        w->vx = range(g, -2, 2);
        w->vz = range(g, -2, 2);
        w->spawn[0] = w->vx * 16 + 6, w->spawn[1] = SURFACE_Y + 3, w->spawn[2] = w->vz * 16 + 1;
        int role_order[COUNT(roles)];
        shuffle(g, role_order, COUNT(roles));
        w->n_npcs = range(g, 3, 5);
        for (int k = 0; k < w->n_npcs; k++) {
            w->npc_role[k] = role_order[k];
            w->npc_pos[k][0] = 1 + 2 * k + range(g, 0, 1), w->npc_pos[k][1] = 3, w->npc_pos[k][2] = range(g, 13, 15);
        }

        cJSON *settings = cJSON_CreateObject();
        cJSON_AddNumberToObject(settings, "generator_version", 1);
        cJSON_AddItemToObject(settings, "spawn", cJSON_CreateIntArray(w->spawn, 3));
        cJSON_AddStringToObject(settings, "difficulty", PICK(g, difficulties));
        cJSON_AddBoolToObject(settings, "pvp", chance(g, 30));
        cJSON_AddBoolToObject(settings, "keep_inventory", chance(g, 50));
        cJSON_AddNumberToObject(settings, "day_length_minutes", 20);
        cJSON_AddNumberToObject(settings, "max_players", 8 * range(g, 1, 4));
        cJSON *meta = cJSON_CreateObject();
        fill(text, sizeof text, "Rolling hills, old forests and a quiet coast around the village of {village}.", w->village);
        cJSON_AddStringToObject(meta, "description", text);
        cJSON_AddStringToObject(meta, "village", w->village);
        const char *biomes[] = {"plains", "forest", "beach"};
        cJSON_AddItemToObject(meta, "biomes", cJSON_CreateStringArray(biomes, 3));
        cJSON_AddStringToObject(meta, "created_by", "sample-data");
        cJSON_AddNumberToObject(meta, "evolution_stage", range(g, 1, 5));

        rc = make_unique(g, sql_taken, base, " ", NULL, 0, w->name, sizeof w->name);
        sqlite3_stmt *st = rc == MA_OK ? stmt(g, sql) : NULL;
        if (!st) {
            cJSON_Delete(settings);
            cJSON_Delete(meta);
            rc = rc != MA_OK ? rc : g->err->code;
            goto done;
        }
        sqlite3_bind_text(st, 1, w->name, -1, SQLITE_TRANSIENT);
        bind_json(g, st, 2, settings);
        sqlite3_bind_int64(st, 3, w->seed);
        bind_time(st, 4, w->created);
        bind_time(st, 5, span(g, w->created, NOW_MS));
        sqlite3_bind_int(st, 6, 1);
        bind_json(g, st, 7, meta);
        if ((rc = insert(g, st, "adding sample worlds", &w->id)) != MA_OK ||
            (rc = gen_chunks(g, w, plan, &buf)) != MA_OK)
            goto done;
    }
    rc = MA_OK;
done:
    free(plan);
    free(buf.p);
    return rc;
}

/* ------------------------------------------------------------ characters */

static cJSON *make_stats(Gen *g, const ClassDef *c, int level)
{
    int grow = level / 5;
    cJSON *s = cJSON_CreateObject();
    cJSON_AddNumberToObject(s, "health", c->hp + level * 6 + range(g, -5, 5));
    cJSON_AddNumberToObject(s, "mana", c->mp + level * (c->mp >= 80 ? 5 : 2) + range(g, 0, 10));
    cJSON_AddNumberToObject(s, "strength", c->str + grow + range(g, -2, 2));
    cJSON_AddNumberToObject(s, "intelligence", c->intl + grow + range(g, -2, 2));
    cJSON_AddNumberToObject(s, "dexterity", c->dex + grow + range(g, -2, 2));
    cJSON_AddNumberToObject(s, "constitution", c->con + grow + range(g, -2, 2));
    cJSON_AddNumberToObject(s, "charisma", c->cha + grow + range(g, -2, 2));
    return s;
}

/* A first name and surname not yet used in the world (suffixed after a few tries). */
static int char_name(Gen *g, int64_t world_id, char *out, size_t size)
{
    static const char sql_taken[] = "SELECT 1 FROM characters WHERE name = ?1 AND world_id = ?2";
    char base[64];
    int rc, taken = 0;
    for (int t = 0; t < 8; t++) {
        snprintf(base, sizeof base, "%s %s", PICK(g, first_names), PICK(g, surnames));
        TRY(is_taken(g, sql_taken, base, NULL, world_id, &taken));
        if (!taken) {
            snprintf(out, size, "%s", base);
            return MA_OK;
        }
    }
    return make_unique(g, sql_taken, base, " ", NULL, world_id, out, size);
}

static int insert_character(Gen *g, CharInfo *c, cJSON *appearance, const double pos[3])
{
    static const char sql[] =
        "INSERT INTO characters (user_id, world_id, name, character_class, level, experience, stats, appearance, "
        "position_x, position_y, position_z, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    cJSON *stats = make_stats(g, &classes[c->cls], c->level);
    int experience = 50 * c->level * (c->level - 1) + range(g, 0, 100 * c->level);
    int64_t updated = after(g, c->created);
    sqlite3_stmt *st = stmt(g, sql);
    if (!st) {
        cJSON_Delete(stats);
        cJSON_Delete(appearance);
        return g->err->code;
    }
    if (c->user >= 0)
        sqlite3_bind_int64(st, 1, g->users[c->user].id);
    else
        sqlite3_bind_null(st, 1);
    sqlite3_bind_int64(st, 2, g->worlds[c->world].id);
    sqlite3_bind_text(st, 3, c->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, classes[c->cls].name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, c->level);
    sqlite3_bind_int(st, 6, experience);
    bind_json(g, st, 7, stats);
    bind_json(g, st, 8, appearance);
    for (int i = 0; i < 3; i++)
        sqlite3_bind_double(st, 9 + i, pos[i]);
    bind_time(st, 12, c->created);
    bind_time(st, 13, updated);
    return insert(g, st, "adding sample characters", &c->id);
}

static int gen_characters(Gen *g)
{
    int rc;
    for (int i = 0; i < g->n_users; i++) {
        const UserInfo *u = &g->users[i];
        int n = range(g, 1, 3);
        for (int k = 0; k < n; k++) {
            CharInfo *c = &g->chars[g->n_chars];
            c->user = i;
            c->role = -1;
            c->world = chance(g, 80) ? u->home_world : range(g, 0, g->n_worlds - 1);
            c->cls = k == 0 && chance(g, 70) ? u->fav_class : range(g, 0, N_PLAYER_CLASSES - 1);
            c->level = range(g, 1, 12) + (chance(g, 30) ? range(g, 0, 18) : 0);
            const WorldInfo *w = &g->worlds[c->world];
            int64_t possible = max64(u->created, w->created);
            c->created = span(g, possible, possible + 20 * DAY_MS < NOW_MS ? possible + 20 * DAY_MS : NOW_MS);
            TRY(char_name(g, w->id, c->name, sizeof c->name));
            const char *race = PICK(g, races);
            cJSON *app = cJSON_CreateObject();
            cJSON_AddStringToObject(app, "race", race);
            cJSON_AddStringToObject(app, "hair", PICK(g, hair));
            cJSON_AddStringToObject(app, "eyes", PICK(g, eyes));
            cJSON_AddNumberToObject(app, "height_cm", strcmp(race, "halfling") == 0 ? range(g, 95, 120)
                                                      : strcmp(race, "dwarf") == 0  ? range(g, 125, 145)
                                                                                    : range(g, 155, 200));
            cJSON_AddStringToObject(app, "outfit", classes[c->cls].outfit);
            double pos[3] = {w->spawn[0] + range(g, -24, 24) + 0.5, SURFACE_Y + range(g, 1, 4),
                             w->spawn[2] + range(g, -24, 24) + 0.5};
            TRY(insert_character(g, c, app, pos));
            g->n_chars++;
        }
    }
    for (int wi = 0; wi < g->n_worlds; wi++) {
        const WorldInfo *w = &g->worlds[wi];
        for (int k = 0; k < w->n_npcs; k++) {
            CharInfo *c = &g->chars[g->n_chars];
            c->user = -1;
            c->world = wi;
            c->cls = VILLAGER;
            c->role = w->npc_role[k];
            c->level = range(g, 1, 5);
            c->created = w->created + span(g, 0, 2 * HOUR_MS);
            TRY(char_name(g, w->id, c->name, sizeof c->name));
            char entity[32];
            snprintf(entity, sizeof entity, "villager_%03d", k + 1);
            cJSON *app = cJSON_CreateObject();
            cJSON_AddStringToObject(app, "name", c->name);
            cJSON_AddStringToObject(app, "role", roles[c->role].role);
            cJSON_AddStringToObject(app, "entity_id", entity);
            cJSON_AddStringToObject(app, "race", PICK(g, races));
            cJSON_AddStringToObject(app, "hair", PICK(g, hair));
            cJSON_AddStringToObject(app, "outfit", roles[c->role].outfit);
            double pos[3] = {w->vx * 16 + w->npc_pos[k][0] + 0.5, SURFACE_Y + w->npc_pos[k][1],
                             w->vz * 16 + w->npc_pos[k][2] + 0.5};
            TRY(insert_character(g, c, app, pos));
            g->n_chars++;
        }
    }
    return MA_OK;
}

/* ------------------------------------------------------------ inventory and skills */

/* slot -1: not in a slot (NULL). equip: the equipment slot's name, or NULL. */
static int add_item(Gen *g, const CharInfo *c, const char *name, int qty, int slot, const char *equip)
{
    static const char sql[] =
        "INSERT INTO inventory (character_id, item_type, item_name, quantity, item_data, slot_position, "
        "acquired_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    const ItemDef *d = item_def(name);
    cJSON *data = cJSON_CreateObject();
    if (d && d->durability) {
        cJSON_AddNumberToObject(data, "durability", range(g, d->durability / 3, d->durability));
        cJSON_AddNumberToObject(data, "max_durability", d->durability);
        cJSON *ench = cJSON_AddArrayToObject(data, "enchantments");
        if (chance(g, 25)) {
            const char *e = strcmp(d->type, "weapon") == 0  ? PICK(g, enchant_weapon)
                            : strcmp(d->type, "armor") == 0 ? PICK(g, enchant_armor)
                                                            : PICK(g, enchant_tool);
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", e);
            cJSON_AddNumberToObject(o, "level", range(g, 1, 3));
            cJSON_AddItemToArray(ench, o);
        }
    } else if (d && d->effect) {
        cJSON_AddStringToObject(data, "effect", d->effect);
        cJSON_AddNumberToObject(data, "potency", 5 * range(g, 2, 8));
    } else if (!d) {
        cJSON_AddBoolToObject(data, "quest_item", 1);
        cJSON_AddStringToObject(data, "found_in", g->worlds[c->world].village);
    }
    if (equip) {
        cJSON_AddBoolToObject(data, "equipped", 1);
        cJSON_AddStringToObject(data, "slot", equip);
    }
    int64_t acquired = after(g, c->created);
    sqlite3_stmt *st = stmt(g, sql);
    if (!st) {
        cJSON_Delete(data);
        return g->err->code;
    }
    sqlite3_bind_int64(st, 1, c->id);
    sqlite3_bind_text(st, 2, d ? d->type : "quest_item", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, qty);
    bind_json(g, st, 5, data);
    if (slot >= 0)
        sqlite3_bind_int(st, 6, slot);
    else
        sqlite3_bind_null(st, 6);
    bind_time(st, 7, acquired);
    bind_time(st, 8, after(g, acquired));
    return insert(g, st, "adding sample inventory", NULL);
}

static int stack(Gen *g, const char *name)
{
    const ItemDef *d = item_def(name);
    int max = d ? d->max_stack : 1;
    return range(g, 1, max < 32 ? max : 32);
}

static int gen_inventory(Gen *g, const CharInfo *c)
{
    int rc;
    if (c->cls == VILLAGER) {
        const RoleDef *r = &roles[c->role];
        const ItemDef *d = item_def(r->item);
        if (d && d->durability)
            TRY(add_item(g, c, r->item, 1, 40, "main_hand"));
        else if (strcmp(r->item, "gold_coin") != 0)
            TRY(add_item(g, c, r->item, stack(g, r->item), 0, NULL));
        return add_item(g, c, "gold_coin", range(g, 10, 250), 8, NULL);
    }
    const ClassDef *cd = &classes[c->cls];
    TRY(add_item(g, c, cd->weapon, 1, 40, "main_hand"));
    TRY(add_item(g, c, cd->armor, 1, 37, "body"));
    if (chance(g, 50))
        TRY(add_item(g, c, c->level >= 10 ? "iron_helmet" : "leather_cap", 1, 36, "head"));
    if (chance(g, 30))
        TRY(add_item(g, c, "leather_leggings", 1, 30, NULL));
    if (chance(g, 40))
        TRY(add_item(g, c, "leather_boots", 1, 39, "feet"));
    if (c->cls == 0 || c->cls == 4)
        TRY(add_item(g, c, "wooden_shield", 1, 41, "off_hand"));
    TRY(add_item(g, c, c->level >= 12 ? "iron_pickaxe" : c->level >= 5 ? "stone_pickaxe" : "wooden_pickaxe", 1, 0, NULL));
    TRY(add_item(g, c, "torch", range(g, 4, 32), 1, NULL));
    if (c->cls == 2)
        TRY(add_item(g, c, "arrow", range(g, 16, 64), 2, NULL));
    TRY(add_item(g, c, "gold_coin", range(g, 5, 400), 8, NULL));
    int order[COUNT(bag_items)], n = range(g, 1, 4);
    shuffle(g, order, COUNT(bag_items));
    for (int k = 0; k < n; k++)
        TRY(add_item(g, c, bag_items[order[k]], stack(g, bag_items[order[k]]), 9 + 3 * k + range(g, 0, 2), NULL));
    if (chance(g, 20))
        TRY(add_item(g, c, PICK(g, quest_items), 1, -1, NULL));
    return MA_OK;
}

static int add_skill(Gen *g, const CharInfo *c, const char *name)
{
    static const char sql[] =
        "INSERT INTO character_skills (character_id, skill_name, skill_level, experience_points, skill_data, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?)";
    int top = c->level / 2 + 3, level = range(g, 1, top < 50 ? top : 50);
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "mastery", level < 5 ? "novice" : level < 10 ? "apprentice" : level < 20 ? "adept" : "expert");
    cJSON_AddNumberToObject(data, "times_used", range(g, level * 5, level * 40));
    if (level >= 5)
        cJSON_AddStringToObject(data, "trained_in", g->worlds[c->world].village);
    sqlite3_stmt *st = stmt(g, sql);
    if (!st) {
        cJSON_Delete(data);
        return g->err->code;
    }
    sqlite3_bind_int64(st, 1, c->id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, level);
    sqlite3_bind_int(st, 4, 25 * level * level + range(g, 0, 50 * level));
    bind_json(g, st, 5, data);
    bind_time(st, 6, after(g, c->created));
    return insert(g, st, "adding sample skills", NULL);
}

static int gen_skills(Gen *g, const CharInfo *c)
{
    int rc, order[COUNT(general_skills)], n;
    const char *own = NULL;
    if (c->cls == VILLAGER) {
        own = roles[c->role].skill;
        TRY(add_skill(g, c, own));
        n = range(g, 1, 2);
    } else {
        const ClassDef *cd = &classes[c->cls];
        int k = chance(g, 60) ? 3 : 2;
        for (int i = 0; i < k; i++)
            TRY(add_skill(g, c, cd->skills[i]));
        n = range(g, 1, 3);
    }
    shuffle(g, order, COUNT(general_skills));
    for (int i = 0, added = 0; i < COUNT(general_skills) && added < n; i++) {
        if (own && strcmp(own, general_skills[order[i]]) == 0)
            continue;
        TRY(add_skill(g, c, general_skills[order[i]]));
        added++;
    }
    return MA_OK;
}

/* ------------------------------------------------------------ relationships */

static int add_relationship(Gen *g, const CharInfo *a, const CharInfo *b, const char *type, int value)
{
    static const char sql[] =
        "INSERT INTO character_relationships (character_id, target_character_id, relationship_type, "
        "relationship_value, interaction_history, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
    int64_t created = after(g, max64(a->created, b->created)), updated = after(g, created), t = created;
    cJSON *history = cJSON_CreateArray();
    int n = range(g, 1, 4);
    for (int i = 0; i < n; i++) {
        char at[TIME_ISO_LEN];
        t = span(g, t, updated);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "at", time_iso(t, at));
        cJSON_AddStringToObject(e, "event", PICK(g, interactions));
        cJSON_AddNumberToObject(e, "delta", range(g, -10, 10));
        cJSON_AddItemToArray(history, e);
    }
    sqlite3_stmt *st = stmt(g, sql);
    if (!st) {
        cJSON_Delete(history);
        return g->err->code;
    }
    sqlite3_bind_int64(st, 1, a->id);
    sqlite3_bind_int64(st, 2, b->id);
    sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, value);
    bind_json(g, st, 5, history);
    bind_time(st, 6, created);
    bind_time(st, 7, updated);
    return insert(g, st, "adding sample relationships", NULL);
}

/* Pairs of the world's characters, each pair in both directions: about three
 * relationships per character, the two views close but not equal. */
static int gen_relationships(Gen *g, const int *members, int k)
{
    int rc;
    double pct = k <= 1 ? 0 : 300.0 / (k - 1);
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++) {
            if (!(i == 0 && j == 1) && !chance(g, pct))
                continue;
            const RelDef *r = &PICK(g, rel_defs);
            int ab = range(g, r->lo, r->hi), ba = ab + range(g, -15, 15);
            ba = ba < -100 ? -100 : ba > 100 ? 100 : ba;
            const CharInfo *a = &g->chars[members[i]], *b = &g->chars[members[j]];
            TRY(add_relationship(g, a, b, r->type, ab));
            TRY(add_relationship(g, b, a, r->reverse, ba));
        }
    return MA_OK;
}

/* ------------------------------------------------------------ stories and choices */

static void flag_name(char *out, size_t size, const char *name)
{
    size_t n = 0;
    for (const char *p = name; *p && n + 1 < size; p++)
        out[n++] = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : (*p >= 'a' && *p <= 'z') ? *p : '_';
    out[n] = '\0';
}

static int add_branch(Gen *g, WorldInfo *w, int64_t story_id, int story, int parent, const BranchDef *def,
                      int order, int64_t not_before)
{
    static const char sql[] =
        "INSERT INTO story_branches (story_id, parent_branch_id, branch_name, content, conditions, consequences, "
        "branch_order, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    BranchInfo *b = &w->branches[w->n_branches];
    b->story = story;
    b->parent = parent;
    b->depth = parent < 0 ? 0 : w->branches[parent].depth + 1;
    b->def = def;
    b->created = parent < 0 ? not_before : not_before + span(g, HOUR_MS, 3 * DAY_MS);
    char content[256], flag[64];
    fill(content, sizeof content, def->content, w->village);
    flag_name(flag, sizeof flag, def->name);
    /* The game's row form (docs/stories.md): the choice's text and its condition in the rule
     * language; what taking it does as effects. Leaves have no ending: the story waits for more. */
    cJSON *cond = cJSON_CreateObject(), *cons = cJSON_CreateObject();
    if (b->depth >= 1) {
        cJSON_AddStringToObject(cond, "choice", def->choice);
        cJSON *level = cJSON_AddObjectToObject(cJSON_AddObjectToObject(cond, "condition"), "level");
        cJSON_AddNumberToObject(level, "min", range(g, 1, 3) * b->depth);
    }
    cJSON *effects = cJSON_AddArrayToObject(cons, "effects");
    cJSON *f = cJSON_CreateObject(), *fv = cJSON_AddObjectToObject(f, "flag");
    cJSON_AddStringToObject(fv, "name", flag);
    cJSON_AddStringToObject(fv, "value", "yes");
    cJSON_AddItemToArray(effects, f);
    cJSON *xp = cJSON_CreateObject();
    cJSON_AddNumberToObject(xp, "experience", 10 * range(g, 1, 5));
    cJSON_AddItemToArray(effects, xp);
    sqlite3_stmt *st = stmt(g, sql);
    if (!st) {
        cJSON_Delete(cond);
        cJSON_Delete(cons);
        return g->err->code;
    }
    sqlite3_bind_int64(st, 1, story_id);
    if (parent >= 0)
        sqlite3_bind_int64(st, 2, w->branches[parent].id);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_text(st, 3, def->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, content, -1, SQLITE_TRANSIENT);
    bind_json(g, st, 5, cond);
    bind_json(g, st, 6, cons);
    sqlite3_bind_int(st, 7, order);
    bind_time(st, 8, b->created);
    int rc = insert(g, st, "adding sample story branches", &b->id);
    if (rc == MA_OK)
        w->n_branches++;
    return rc;
}

/* Two or three stories, each a tree: a root, its children, their children. */
static int gen_stories(Gen *g, WorldInfo *w)
{
    static const char sql[] =
        "INSERT INTO stories (world_id, title, description, story_type, metadata, is_active, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    int rc, order[COUNT(story_defs)];
    shuffle(g, order, COUNT(story_defs));
    w->n_stories = range(g, 2, 3);
    w->n_branches = 0;
    for (int s = 0; s < w->n_stories; s++) {
        const StoryDef *d = &story_defs[order[s]];
        w->story_def[s] = order[s];
        char title[128], desc[256];
        fill(title, sizeof title, d->title, w->village);
        fill(desc, sizeof desc, d->description, w->village);
        int64_t created = w->created + span(g, 0, 10 * DAY_MS), story_id = 0;
        cJSON *meta = cJSON_CreateObject();
        cJSON_AddStringToObject(meta, "author_agent", "story_weaver");
        cJSON_AddStringToObject(meta, "tone", d->tone);
        cJSON_AddNumberToObject(meta, "chapter", range(g, 1, 3));
        const char *tags[] = {d->type, w->village};
        cJSON_AddItemToObject(meta, "tags", cJSON_CreateStringArray(tags, 2));
        sqlite3_stmt *st = stmt(g, sql);
        if (!st) {
            cJSON_Delete(meta);
            return g->err->code;
        }
        sqlite3_bind_int64(st, 1, w->id);
        sqlite3_bind_text(st, 2, title, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, desc, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, d->type, -1, SQLITE_STATIC);
        bind_json(g, st, 5, meta);
        sqlite3_bind_int(st, 6, s == 0 || chance(g, 80));
        bind_time(st, 7, created);
        bind_time(st, 8, after(g, created));
        TRY(insert(g, st, "adding sample stories", &story_id));
        w->story_id[s] = story_id;

        int root = w->n_branches;
        TRY(add_branch(g, w, story_id, s, -1, &d->root, 0, created));
        for (int c = 0; c < 3 && d->child[c].name; c++) {
            int child = w->n_branches;
            TRY(add_branch(g, w, story_id, s, root, &d->child[c], c, w->branches[root].created));
            for (int k = 0, order_k = 0; k < 2 && d->grand[c][k].name; k++)
                if ((c == 0 && k == 0) || chance(g, 80))
                    TRY(add_branch(g, w, story_id, s, child, &d->grand[c][k], order_k++, w->branches[child].created));
        }
    }
    return MA_OK;
}

static int add_choice(Gen *g, const WorldInfo *w, const CharInfo *c, int branch, int64_t made_at)
{
    static const char sql[] =
        "INSERT INTO player_choices (character_id, story_branch_id, choice_text, choice_data, consequences, made_at) "
        "VALUES (?, ?, ?, ?, ?, ?)";
    const BranchInfo *b = &w->branches[branch];
    char title[128];
    fill(title, sizeof title, story_defs[w->story_def[b->story]].title, w->village);
    cJSON *data = cJSON_CreateObject(), *alts = cJSON_CreateArray(), *cons = cJSON_CreateObject();
    cJSON_AddNumberToObject(data, "story_id", (double)w->story_id[b->story]);
    cJSON_AddStringToObject(data, "story", title);
    cJSON_AddStringToObject(data, "branch", b->def->name);
    cJSON_AddNumberToObject(data, "depth", b->depth);
    for (int i = 0; i < w->n_branches; i++)
        if (i != branch && w->branches[i].parent == b->parent)
            cJSON_AddItemToArray(alts, cJSON_CreateString(w->branches[i].def->choice));
    cJSON_AddItemToObject(data, "alternatives", alts);
    cJSON_AddNumberToObject(cons, "reputation", range(g, -5, 10));
    cJSON_AddNumberToObject(cons, "experience", 10 * range(g, 1, 10));
    sqlite3_stmt *st = stmt(g, sql);
    if (!st) {
        cJSON_Delete(data);
        cJSON_Delete(cons);
        return g->err->code;
    }
    sqlite3_bind_int64(st, 1, c->id);
    sqlite3_bind_int64(st, 2, b->id);
    sqlite3_bind_text(st, 3, b->def->choice, -1, SQLITE_STATIC);
    bind_json(g, st, 4, data);
    bind_json(g, st, 5, cons);
    bind_time(st, 6, made_at);
    return insert(g, st, "adding sample player choices", NULL);
}

/* Each player character walks one or two of its world's stories: a choice
 * among the root's children, sometimes a second one deeper. */
static int gen_choices(Gen *g, const WorldInfo *w, const CharInfo *c)
{
    int rc, order[3], picks[8];
    shuffle(g, order, w->n_stories);
    int n = range(g, 1, 2);
    for (int s = 0; s < n && s < w->n_stories; s++) {
        int at = 0, k = 0;
        for (int i = 0; i < w->n_branches; i++)
            if (w->branches[i].story == order[s] && w->branches[i].depth == 1)
                picks[k++] = i;
        if (!k)
            continue;
        int child = picks[prng_below(&g->rng, (uint32_t)k)];
        int64_t made = after(g, max64(c->created, w->branches[child].created));
        TRY(add_choice(g, w, c, child, made));
        for (int i = 0; i < w->n_branches; i++)
            if (w->branches[i].parent == child)
                picks[at++] = i;
        if (at && chance(g, 60)) {
            int grand = picks[prng_below(&g->rng, (uint32_t)at)];
            TRY(add_choice(g, w, c, grand, after(g, max64(made, w->branches[grand].created))));
        }
    }
    return MA_OK;
}

/* Where each player character stands in the stories it chose in (migration 004): a
 * story_progress row at the branch of its last choice there, the latest story in focus.
 * Beginning those storylines is recorded as the game records a choice (changeset.h), and kept
 * as the undo record of the character's last choice, so `story undo` works on sample saves. */
static int gen_story_state(Gen *g, const CharInfo *c)
{
    static const char sql_choices[] =
        "SELECT pc.id, b.story_id, pc.story_branch_id, pc.made_at FROM player_choices pc "
        "JOIN story_branches b ON b.id = pc.story_branch_id WHERE pc.character_id = ? ORDER BY pc.made_at, pc.id";
    static const char sql_progress[] =
        "INSERT INTO story_progress (character_id, story_id, current_branch_id, status, state, focused, started_at, "
        "updated_at) VALUES (?, ?, ?, 'active', '{\"flags\":{}}', ?, ?, ?)";
    enum { MAXS = 8 };
    int64_t story[MAXS], branch[MAXS], last_choice = 0, last_story = 0;
    char made[MAXS][40];
    int ns = 0, rc;
    sqlite3_stmt *st = stmt(g, sql_choices);
    if (!st)
        return g->err->code;
    sqlite3_bind_int64(st, 1, c->id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t sid = sqlite3_column_int64(st, 1);
        int k = 0;
        while (k < ns && story[k] != sid)
            k++;
        if (k == ns && ns == MAXS)
            continue;
        ns += k == ns;
        story[k] = sid;
        branch[k] = sqlite3_column_int64(st, 2);
        snprintf(made[k], sizeof made[k], "%s", (const char *)sqlite3_column_text(st, 3));
        last_choice = sqlite3_column_int64(st, 0);
        last_story = sid;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return save_db_error(g->s, rc, g->err, "reading sample choices");
    if (!ns)
        return MA_OK;
    SaveChanges *rec = NULL;
    TRY(save_changes_begin(g->s, &rec, g->err));
    rc = MA_OK;
    for (int k = 0; k < ns && rc == MA_OK; k++) {
        if (!(st = stmt(g, sql_progress))) {
            rc = g->err->code;
            break;
        }
        sqlite3_bind_int64(st, 1, c->id);
        sqlite3_bind_int64(st, 2, story[k]);
        sqlite3_bind_int64(st, 3, branch[k]);
        sqlite3_bind_int(st, 4, story[k] == last_story);
        sqlite3_bind_text(st, 5, made[k], -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, made[k], -1, SQLITE_TRANSIENT);
        rc = insert(g, st, "adding sample story progress", NULL);
    }
    void *blob = NULL;
    int len = 0;
    if (rc == MA_OK)
        rc = save_changes_take(rec, &blob, &len, g->err);
    save_changes_end(rec);
    if (rc == MA_OK) {
        rc = choice_undo_store(g->s, last_choice, blob, len, g->err);
        g->rows += rc == MA_OK;
    }
    free(blob);
    return rc;
}

/* ------------------------------------------------------------ quests */

static int gen_quests(Gen *g, WorldInfo *w)
{
    static const char sql[] =
        "INSERT INTO quests (world_id, title, description, quest_type, requirements, rewards, difficulty_level, "
        "is_active, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    static const char sql_obj[] =
        "INSERT INTO quest_objectives (quest_id, objective_text, requirements, progress_data, is_completed, "
        "order_index) VALUES (?, ?, ?, ?, ?, ?)";
    int rc, order[COUNT(quest_defs)];
    shuffle(g, order, COUNT(quest_defs));
    w->n_quests = range(g, 3, 5);
    for (int q = 0; q < w->n_quests; q++) {
        const QuestDef *d = &quest_defs[order[q]];
        w->quest_def[q] = order[q];
        char title[128], desc[256];
        fill(title, sizeof title, d->title, w->village);
        fill(desc, sizeof desc, d->description, w->village);
        int64_t created = w->created + span(g, 0, 30 * DAY_MS);
        int64_t expires = d->expires_days ? created + d->expires_days * DAY_MS : 0;
        int active = !expires || expires > NOW_MS;
        w->quest_created[q] = created;
        cJSON *req = cJSON_CreateObject(), *rew = cJSON_CreateObject(), *ri = cJSON_CreateObject();
        cJSON_AddNumberToObject(req, "min_level", d->min_level);
        cJSON_AddNumberToObject(rew, "experience", d->xp);
        cJSON_AddNumberToObject(rew, "gold", d->gold);
        cJSON_AddStringToObject(ri, "item", d->reward_item);
        cJSON_AddNumberToObject(ri, "count", d->reward_count);
        cJSON_AddItemToArray(cJSON_AddArrayToObject(rew, "items"), ri);
        sqlite3_stmt *st = stmt(g, sql);
        if (!st) {
            cJSON_Delete(req);
            cJSON_Delete(rew);
            return g->err->code;
        }
        sqlite3_bind_int64(st, 1, w->id);
        sqlite3_bind_text(st, 2, title, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, desc, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, d->type, -1, SQLITE_STATIC);
        bind_json(g, st, 5, req);
        bind_json(g, st, 6, rew);
        sqlite3_bind_int(st, 7, d->difficulty);
        sqlite3_bind_int(st, 8, active);
        bind_time(st, 9, created);
        bind_time_or_null(st, 10, expires);
        TRY(insert(g, st, "adding sample quests", &w->quest_id[q]));
        for (int o = 0; o < 4 && d->obj[o].text; o++) {
            const ObjDef *od = &d->obj[o];
            char text[160];
            fill(text, sizeof text, od->text, w->village);
            cJSON *oreq = cJSON_CreateObject(), *prog = cJSON_CreateObject();
            cJSON_AddStringToObject(oreq, "type", od->kind);
            cJSON_AddStringToObject(oreq, "target", od->target);
            cJSON_AddNumberToObject(oreq, "count", od->count);
            cJSON_AddNumberToObject(prog, "required", od->count);
            if (!(st = stmt(g, sql_obj))) {
                cJSON_Delete(oreq);
                cJSON_Delete(prog);
                return g->err->code;
            }
            sqlite3_bind_int64(st, 1, w->quest_id[q]);
            sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
            bind_json(g, st, 3, oreq);
            bind_json(g, st, 4, prog);
            sqlite3_bind_int(st, 5, !active); /* a quest that ran out closed its objectives */
            sqlite3_bind_int(st, 6, o);
            TRY(insert(g, st, "adding sample quest objectives", NULL));
        }
    }
    return MA_OK;
}

static int gen_progress(Gen *g, const WorldInfo *w, const CharInfo *c)
{
    static const char sql[] =
        "INSERT INTO quest_progress (character_id, quest_id, status, progress_data, started_at, completed_at, "
        "rewards_earned) VALUES (?, ?, ?, ?, ?, ?, ?)";
    int rc, order[6], n = range(g, 1, 3);
    shuffle(g, order, w->n_quests);
    for (int k = 0; k < n && k < w->n_quests; k++) {
        int q = order[k];
        const QuestDef *d = &quest_defs[w->quest_def[q]];
        int n_obj = 0;
        while (n_obj < 4 && d->obj[n_obj].text)
            n_obj++;
        int roll = range(g, 0, 99);
        const char *status = roll < 45 ? "active" : roll < 80 ? "completed" : roll < 92 ? "failed" : "abandoned";
        /* Taken, and finished, while the quest was open. */
        int64_t expires = d->expires_days ? w->quest_created[q] + d->expires_days * DAY_MS : 0;
        int64_t from = max64(c->created, w->quest_created[q]), until = expires && expires < NOW_MS ? expires : NOW_MS;
        if (from >= until)
            continue; /* the character came after the quest had run out */
        if (strcmp(status, "active") == 0 && expires && expires <= NOW_MS)
            status = "expired";
        int done = strcmp(status, "completed") == 0;
        int64_t started = span(g, from, until);
        int64_t soonest = started + (until - started < HOUR_MS ? until - started : HOUR_MS);
        int64_t completed = done ? span(g, soonest, started + 10 * DAY_MS < until ? started + 10 * DAY_MS : until) : 0;
        cJSON *prog = cJSON_CreateObject(), *rewards = cJSON_CreateArray();
        cJSON_AddNumberToObject(prog, "objectives_done", done ? n_obj : range(g, 0, n_obj - 1));
        cJSON_AddNumberToObject(prog, "objectives_total", n_obj);
        if (strcmp(status, "failed") == 0)
            cJSON_AddStringToObject(prog, "reason", chance(g, 50) ? "fell in battle" : "ran out of time");
        if (done) {
            cJSON *xp = cJSON_CreateObject(), *gold = cJSON_CreateObject(), *item = cJSON_CreateObject();
            cJSON_AddStringToObject(xp, "type", "experience");
            cJSON_AddNumberToObject(xp, "amount", d->xp);
            cJSON_AddStringToObject(gold, "type", "gold");
            cJSON_AddNumberToObject(gold, "amount", d->gold);
            cJSON_AddStringToObject(item, "type", "item");
            cJSON_AddStringToObject(item, "item", d->reward_item);
            cJSON_AddNumberToObject(item, "count", d->reward_count);
            cJSON_AddItemToArray(rewards, xp);
            cJSON_AddItemToArray(rewards, gold);
            cJSON_AddItemToArray(rewards, item);
        }
        sqlite3_stmt *st = stmt(g, sql);
        if (!st) {
            cJSON_Delete(prog);
            cJSON_Delete(rewards);
            return g->err->code;
        }
        sqlite3_bind_int64(st, 1, c->id);
        sqlite3_bind_int64(st, 2, w->quest_id[q]);
        sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
        bind_json(g, st, 4, prog);
        bind_time(st, 5, started);
        bind_time_or_null(st, 6, completed);
        bind_json(g, st, 7, rewards);
        TRY(insert(g, st, "adding sample quest progress", NULL));
    }
    return MA_OK;
}

/* ------------------------------------------------------------ achievements */

static int gen_achievements(Gen *g, int ui, const int *own, int n_own)
{
    static const char sql[] =
        "INSERT INTO achievements (user_id, achievement_name, description, points, unlock_data, unlocked_at) "
        "VALUES (?, ?, ?, ?, ?, ?)";
    const UserInfo *u = &g->users[ui];
    int rc, order[COUNT(achievement_defs)], n = range(g, 1, 5);
    shuffle(g, order, COUNT(achievement_defs));
    for (int k = 0; k < n; k++) {
        const AchDef *d = &achievement_defs[order[k]];
        const CharInfo *c = &g->chars[own[prng_below(&g->rng, (uint32_t)n_own)]];
        cJSON *data = cJSON_CreateObject();
        cJSON_AddStringToObject(data, "character", c->name);
        cJSON_AddStringToObject(data, "world", g->worlds[c->world].name);
        sqlite3_stmt *st = stmt(g, sql);
        if (!st) {
            cJSON_Delete(data);
            return g->err->code;
        }
        sqlite3_bind_int64(st, 1, u->id);
        sqlite3_bind_text(st, 2, d->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, d->description, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, d->points);
        bind_json(g, st, 5, data);
        bind_time(st, 6, after(g, c->created));
        TRY(insert(g, st, "adding sample achievements", NULL));
    }
    return MA_OK;
}

/* ------------------------------------------------------------ agents */

static int lookup_id(Gen *g, const char *sql, const char *key, int64_t *id)
{
    sqlite3_stmt *st = stmt(g, sql);
    if (!st)
        return g->err->code;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        rc = save_db_error(g->s, rc, g->err, "looking up the AI agents");
    else
        rc = MA_OK;
    sqlite3_reset(st);
    return rc;
}

/* The six agents are shared by every world: an agent of a type the save
 * already has is reused, never duplicated. */
static int gen_agents(Gen *g)
{
    static const char sql_type[] = "SELECT id FROM ai_agents WHERE agent_type = ?1 ORDER BY id LIMIT 1";
    static const char sql_name[] = "SELECT id FROM ai_agents WHERE agent_name = ?1";
    static const char sql[] =
        "INSERT OR IGNORE INTO ai_agents (agent_name, agent_type, configuration, current_state, is_active, "
        "created_at, last_activity) VALUES (?1, ?1, ?2, ?3, 1, ?4, ?5)";
    int rc;
    for (int a = 0; a < 6; a++) {
        const AgentDef *d = &agent_defs[a];
        cJSON *conf = cJSON_CreateObject(), *state = cJSON_CreateObject();
        cJSON_AddStringToObject(conf, "description", d->role);
        cJSON_AddStringToObject(conf, "provider", "offline");
        cJSON_AddNumberToObject(conf, "temperature", range(g, 3, 9) / 10.0);
        cJSON_AddNumberToObject(conf, "run_every_minutes", 15 * range(g, 1, 8));
        cJSON_AddNumberToObject(conf, "max_changes_per_run", range(g, 1, 5));
        cJSON_AddStringToObject(state, "status", "idle");
        cJSON_AddNumberToObject(state, "runs_completed", range(g, 10, 500));
        int64_t last = NOW_MS - span(g, 0, DAY_MS);
        TRY(lookup_id(g, sql_type, d->type, &g->agent_ids[a]));
        if (g->agent_ids[a]) {
            cJSON_Delete(conf);
            cJSON_Delete(state);
            continue;
        }
        sqlite3_stmt *st = stmt(g, sql);
        if (!st) {
            cJSON_Delete(conf);
            cJSON_Delete(state);
            return g->err->code;
        }
        sqlite3_bind_text(st, 1, d->type, -1, SQLITE_STATIC);
        bind_json(g, st, 2, conf);
        bind_json(g, st, 3, state);
        bind_time(st, 4, BASE_MS);
        bind_time(st, 5, last);
        TRY(insert(g, st, "adding the AI agents", NULL));
        TRY(lookup_id(g, sql_name, d->type, &g->agent_ids[a]));
    }
    return MA_OK;
}

static int gen_agent_memory(Gen *g, const WorldInfo *w)
{
    static const char sql[] =
        "INSERT INTO agent_memory (agent_id, world_id, memory_type, memory_data, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?)";
    int rc, order[6], n = range(g, 2, 4);
    shuffle(g, order, 6);
    for (int k = 0; k < n; k++) {
        const AgentDef *d = &agent_defs[order[k]];
        char text[256];
        fill(text, sizeof text, d->memory, w->village);
        cJSON *data = cJSON_CreateObject();
        cJSON_AddStringToObject(data, "text", text);
        cJSON_AddNumberToObject(data, "importance", range(g, 3, 10) / 10.0);
        const char *subjects[] = {w->village, w->name};
        cJSON_AddItemToObject(data, "subjects", cJSON_CreateStringArray(subjects, 2));
        int64_t created = after(g, w->created);
        int64_t expires = chance(g, 40) ? created + span(g, 7 * DAY_MS, 60 * DAY_MS) : 0;
        sqlite3_stmt *st = stmt(g, sql);
        if (!st) {
            cJSON_Delete(data);
            return g->err->code;
        }
        sqlite3_bind_int64(st, 1, g->agent_ids[order[k]]);
        sqlite3_bind_int64(st, 2, w->id);
        sqlite3_bind_text(st, 3, d->memory_type, -1, SQLITE_STATIC);
        bind_json(g, st, 4, data);
        bind_time(st, 5, created);
        bind_time_or_null(st, 6, expires);
        TRY(insert(g, st, "adding sample agent memories", NULL));
    }
    return MA_OK;
}

/* What each kind of agent changed; never empty (verify checks). */
static cJSON *evolution_change(Gen *g, const WorldInfo *w, int agent, const CharInfo *npc)
{
    cJSON *c = cJSON_CreateObject();
    char text[128];
    switch (agent) {
    case 0: {
        const BranchInfo *b = &w->branches[range(g, 1, w->n_branches - 1)];
        fill(text, sizeof text, story_defs[w->story_def[b->story]].title, w->village);
        cJSON_AddStringToObject(c, "story", text);
        cJSON_AddStringToObject(c, "added_branch", b->def->name);
        break;
    }
    case 1: {
        static const char *const added[][2] = {
            {"ruin", "Old Watchtower"}, {"bridge", "Mossy Bridge"}, {"shrine", "Wayside Shrine"}, {"camp", "Bandit Camp"}};
        int which = range(g, 0, COUNT(added) - 1);
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "type", added[which][0]);
        cJSON_AddStringToObject(s, "name", added[which][1]);
        cJSON_AddNumberToObject(s, "x", w->spawn[0] + range(g, -64, 64));
        cJSON_AddNumberToObject(s, "z", w->spawn[2] + range(g, -64, 64));
        cJSON_AddItemToArray(cJSON_AddArrayToObject(c, "added"), s);
        break;
    }
    case 2: {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "npc", npc->name);
        cJSON_AddStringToObject(m, "from", "wary");
        cJSON_AddStringToObject(m, "to", "friendly");
        cJSON_AddItemToObject(c, "mood", m);
        break;
    }
    case 3: {
        const QuestDef *q = &quest_defs[w->quest_def[range(g, 0, w->n_quests - 1)]];
        fill(text, sizeof text, q->title, w->village);
        cJSON_AddStringToObject(c, "quest", text);
        cJSON_AddNumberToObject(c, "difficulty", q->difficulty);
        break;
    }
    case 4:
        cJSON_AddStringToObject(c, "scheduled_event", PICK(g, event_defs).name);
        cJSON_AddNumberToObject(c, "starts_in_days", range(g, 1, 14));
        break;
    default: {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "loot_table", "iron_ore");
        cJSON_AddNumberToObject(r, "from", 0.12);
        cJSON_AddNumberToObject(r, "to", 0.09);
        cJSON_AddItemToObject(c, "drop_rate", r);
        break;
    }
    }
    return c;
}

static int gen_evolution(Gen *g, const WorldInfo *w, const CharInfo *npc)
{
    static const char sql[] =
        "INSERT INTO world_evolution_log (world_id, agent_id, evolution_type, changes_made, reasoning, applied_at, "
        "is_active) VALUES (?, ?, ?, ?, ?, ?, ?)";
    int rc, order[6], n = range(g, 2, 4);
    shuffle(g, order, 6);
    for (int k = 0; k < n; k++) {
        int a = order[k];
        const AgentDef *d = &agent_defs[a];
        char text[256];
        fill(text, sizeof text, d->reasoning, w->village);
        cJSON *changes = evolution_change(g, w, a, npc), *why = cJSON_CreateObject();
        cJSON_AddStringToObject(why, "summary", text);
        cJSON_AddNumberToObject(why, "confidence", range(g, 55, 95) / 100.0);
        cJSON_AddStringToObject(why, "agent", d->type);
        sqlite3_stmt *st = stmt(g, sql);
        if (!st) {
            cJSON_Delete(changes);
            cJSON_Delete(why);
            return g->err->code;
        }
        sqlite3_bind_int64(st, 1, w->id);
        sqlite3_bind_int64(st, 2, g->agent_ids[a]);
        sqlite3_bind_text(st, 3, d->evolution_type, -1, SQLITE_STATIC);
        bind_json(g, st, 4, changes);
        bind_json(g, st, 5, why);
        bind_time(st, 6, after(g, w->created + DAY_MS));
        sqlite3_bind_int(st, 7, chance(g, 85)); /* 0: rolled back */
        TRY(insert(g, st, "adding sample world evolution", NULL));
    }
    return MA_OK;
}

static int gen_events(Gen *g, const WorldInfo *w)
{
    static const char sql[] =
        "INSERT INTO world_events (world_id, event_type, event_name, description, event_data, start_time, end_time, "
        "is_active) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    int rc, order[COUNT(event_defs)], n = range(g, 2, 3);
    shuffle(g, order, COUNT(event_defs));
    for (int k = 0; k < n; k++) {
        const EventDef *d = &event_defs[order[k]];
        char desc[256];
        fill(desc, sizeof desc, d->description, w->village);
        int64_t start = w->created + span(g, 0, 100 * DAY_MS); /* some are still to come */
        int64_t end = chance(g, 25) ? 0 : start + span(g, 6 * HOUR_MS, 7 * DAY_MS);
        int loc[2] = {w->spawn[0] + range(g, -32, 32), w->spawn[2] + range(g, -32, 32)};
        cJSON *data = cJSON_CreateObject();
        cJSON_AddNumberToObject(data, d->key, d->value);
        cJSON_AddItemToObject(data, "location", cJSON_CreateIntArray(loc, 2));
        cJSON_AddNumberToObject(data, "xp_multiplier", 1.0 + range(g, 0, 10) / 10.0);
        sqlite3_stmt *st = stmt(g, sql);
        if (!st) {
            cJSON_Delete(data);
            return g->err->code;
        }
        sqlite3_bind_int64(st, 1, w->id);
        sqlite3_bind_text(st, 2, d->type, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, d->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, desc, -1, SQLITE_TRANSIENT);
        bind_json(g, st, 5, data);
        bind_time(st, 6, start);
        bind_time_or_null(st, 7, end);
        sqlite3_bind_int(st, 8, !end || end > NOW_MS);
        TRY(insert(g, st, "adding sample world events", NULL));
    }
    return MA_OK;
}

static int gen_recipes(Gen *g)
{
    static const char sql[] =
        "INSERT OR IGNORE INTO crafting_recipes (recipe_name, ingredients, result_item, required_level, recipe_type, "
        "unlock_conditions, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
    int rc;
    for (int i = 0; i < COUNT(recipe_defs); i++) {
        const RecipeDef *d = &recipe_defs[i];
        sqlite3_stmt *st = stmt(g, sql);
        if (!st)
            return g->err->code;
        sqlite3_bind_text(st, 1, d->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, d->ingredients, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, d->result, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, d->level);
        sqlite3_bind_text(st, 5, d->type, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, d->unlock, -1, SQLITE_STATIC);
        bind_time(st, 7, BASE_MS);
        TRY(insert(g, st, "adding sample crafting recipes", NULL));
    }
    return MA_OK;
}

/* ------------------------------------------------------------ the whole */

/* Everything per world, in a fixed order (the order fixes the PRNG stream). */
static int gen_world_life(Gen *g, const int *by_world, const int *start)
{
    int rc;
    for (int wi = 0; wi < g->n_worlds; wi++) {
        WorldInfo *w = &g->worlds[wi];
        const int *members = by_world + start[wi];
        int k = start[wi + 1] - start[wi];
        const CharInfo *npc = NULL;
        TRY(gen_relationships(g, members, k));
        TRY(gen_stories(g, w));
        TRY(gen_quests(g, w));
        for (int i = 0; i < k; i++) {
            const CharInfo *c = &g->chars[members[i]];
            if (c->user < 0) {
                npc = npc ? npc : c;
                continue;
            }
            TRY(gen_choices(g, w, c));
            TRY(gen_story_state(g, c));
            TRY(gen_progress(g, w, c));
        }
        TRY(gen_agent_memory(g, w));
        TRY(gen_evolution(g, w, npc));
        TRY(gen_events(g, w));
    }
    return MA_OK;
}

/* Migration 003's tables: a few flags and discovered recipes per player
 * character, and the items that changed hands (loot, gifts in a world). */
static int gen_character_state(Gen *g, const int *by_world, const int *start)
{
    static const char state_sql[] =
        "INSERT INTO character_state (character_id, kind, key, value, updated_at) VALUES (?, ?, ?, ?, ?)";
    static const char transfer_sql[] =
        "INSERT INTO item_transfers (from_character_id, to_character_id, item_name, quantity, reason, price, "
        "transferred_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
    static const char *const flags[] = {"met_the_elder", "saw_the_ruins", "heard_the_bells"};
    static const char *const recipes[] = {"wooden_planks", "torch", "stone_pickaxe"};
    static const char *const loot[] = {"gold_coin", "iron_ingot", "bread", "arrow"};
    int rc;
    for (int i = 0; i < g->n_chars; i++) {
        const CharInfo *c = &g->chars[i];
        if (c->user < 0)
            continue;
        for (int k = 0; k < 3; k++) {
            int is_flag = k < 2;
            sqlite3_stmt *st = save_stmt(g->s, state_sql, g->err);
            if (!st)
                return g->err->code;
            sqlite3_bind_int64(st, 1, c->id);
            sqlite3_bind_text(st, 2, is_flag ? "flag" : "recipe", -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, is_flag ? flags[span(g, 0, 2)] : recipes[span(g, 0, 2)], -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, "yes", -1, SQLITE_STATIC);
            bind_time(st, 5, c->created + span(g, 60000, 86400000));
            /* The same key drawn twice is skipped: state is one row per key. */
            if (sqlite3_step(st) == SQLITE_DONE)
                g->rows += sqlite3_changes(sqlite3_db_handle(st));
            sqlite3_reset(st);
        }
        sqlite3_stmt *st = save_stmt(g->s, transfer_sql, g->err);
        if (!st)
            return g->err->code;
        sqlite3_bind_null(st, 1);
        sqlite3_bind_int64(st, 2, c->id);
        sqlite3_bind_text(st, 3, loot[span(g, 0, 3)], -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, (int)span(g, 1, 12));
        sqlite3_bind_text(st, 5, "loot", -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 6, 0);
        bind_time(st, 7, c->created + span(g, 60000, 86400000));
        if ((rc = insert(g, st, "adding an item transfer", NULL)) != MA_OK)
            return rc;
    }
    /* Gifts between neighbours in each world's list of characters. */
    for (int w = 0; w < g->n_worlds; w++) {
        for (int k = start[w]; k + 1 < start[w + 1]; k += 2) {
            const CharInfo *a = &g->chars[by_world[k]], *b = &g->chars[by_world[k + 1]];
            sqlite3_stmt *st = save_stmt(g->s, transfer_sql, g->err);
            if (!st)
                return g->err->code;
            sqlite3_bind_int64(st, 1, a->id);
            sqlite3_bind_int64(st, 2, b->id);
            sqlite3_bind_text(st, 3, loot[span(g, 0, 3)], -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 4, (int)span(g, 1, 5));
            sqlite3_bind_text(st, 5, span(g, 0, 1) ? "gift" : "trade", -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 6, (int)span(g, 0, 30));
            bind_time(st, 7, (a->created > b->created ? a->created : b->created) + span(g, 60000, 86400000));
            if ((rc = insert(g, st, "adding an item transfer", NULL)) != MA_OK)
                return rc;
        }
    }
    return MA_OK;
}

static int gen_all(Gen *g, int *by_world, int *start)
{
    int rc;
    TRY(gen_users(g));
    TRY(gen_sessions(g));
    TRY(gen_worlds(g));
    TRY(gen_characters(g));
    for (int i = 0; i < g->n_chars; i++) {
        TRY(gen_inventory(g, &g->chars[i]));
        TRY(gen_skills(g, &g->chars[i]));
    }
    /* Characters grouped by world, in insertion order (a counting sort). */
    for (int i = 0; i < g->n_chars; i++)
        start[g->chars[i].world + 1]++;
    for (int w = 0; w < g->n_worlds; w++)
        start[w + 1] += start[w];
    int *fill_at = by_world + g->n_chars; /* scratch: next free place per world */
    for (int w = 0; w < g->n_worlds; w++)
        fill_at[w] = start[w];
    for (int i = 0; i < g->n_chars; i++)
        by_world[fill_at[g->chars[i].world]++] = i;
    TRY(gen_agents(g));
    TRY(gen_world_life(g, by_world, start));
    TRY(gen_character_state(g, by_world, start));
    for (int i = 0, c = 0; i < g->n_users; i++) {
        int first = c;
        while (c < g->n_chars && g->chars[c].user == i)
            c++;
        int own[3] = {first, first + 1, first + 2};
        TRY(gen_achievements(g, i, own, c - first));
    }
    return gen_recipes(g);
}

int sample_data_generate(Save *s, int n_users, uint64_t seed, SampleDataStats *stats, Err *err)
{
    Err local = {0};
    if (!err)
        err = &local;
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (n_users < 1 || n_users > 1000000)
        return err_set(err, MA_ERR_INVALID, "sample data needs 1 to 1000000 users, not %d", n_users);
    Gen g = {.s = s, .err = err, .n_users = n_users, .n_worlds = (n_users + 2) / 3};
    prng_seed(&g.rng, seed);
    size_t max_chars = (size_t)n_users * 3 + (size_t)g.n_worlds * 5;
    g.users = calloc((size_t)n_users, sizeof *g.users);
    g.worlds = calloc((size_t)g.n_worlds, sizeof *g.worlds);
    g.chars = calloc(max_chars, sizeof *g.chars);
    int *by_world = calloc(max_chars + (size_t)g.n_worlds, sizeof *by_world);
    int *start = calloc((size_t)g.n_worlds + 1, sizeof *start);
    int rc;
    if (!g.users || !g.worlds || !g.chars || !by_world || !start)
        rc = err_set(err, MA_ERR_NOMEM, "out of memory generating sample data for %d users", n_users);
    else if ((rc = save_begin(s, err)) == MA_OK) {
        rc = gen_all(&g, by_world, start);
        if (rc == MA_OK)
            rc = save_commit(s, err);
        else
            save_rollback(s);
    }
    if (rc == MA_OK && stats) {
        stats->users = g.n_users;
        stats->worlds = g.n_worlds;
        stats->characters = g.n_chars;
        stats->rows = g.rows;
    }
    free(g.users);
    free(g.worlds);
    free(g.chars);
    free(by_world);
    free(start);
    return rc;
}
