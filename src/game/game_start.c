/* game_start.c — starting a game: the user, the world (made and named from its seed, or opened),
 * the character (created from its class, or the one played last), the data books loaded, and
 * closing it all again. */
#include "game/game.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/achieve.h"
#include "game/calendar.h"
#include "game/game_internal.h"
#include "game/game_travel.h"
#include "game/inventory.h"
#include "game/npc.h"
#include "game/quest.h"
#include "game/story.h"
#include "save/charstate.h"
#include "save/events.h"
#include "save/evolution.h"
#include "save/skills.h"
#include "save/users.h"
#include "save/worlds.h"
#include "util/prng.h"

/* ------------------------------------------------------------ starting */

static const char *const name_a[] = {"Elder", "Raven", "Thorn", "Amber", "Frost", "Willow", "Iron", "Mist",
                                     "Storm", "Gold", "Ash", "Silver", "Moon", "Oak", "Stone", "Wyrm"};
static const char *const name_b[] = {"moor", "vale", "reach", "hold", "fell", "mere", "wood", "haven",
                                     "crest", "march", "shire", "deep", "watch", "glen", "ford", "spire"};

static void world_name_for(uint64_t seed, char *buf, size_t size)
{
    uint64_t h = hash_u64(seed);
    snprintf(buf, size, "%s%s", name_a[h % 16], name_b[(h >> 8) % 16]);
}

void game_world_name_suggest(Save *s, uint64_t seed, char *buf, size_t size)
{
    char base[48];
    world_name_for(seed, base, sizeof base);
    snprintf(buf, size, "%s", base);
    WorldRow existing;
    for (int i = 2; worlds_get_by_name(s, buf, &existing, NULL) == MA_OK; i++) {
        world_row_clear(&existing);
        snprintf(buf, size, "%s %d", base, i);
    }
}

static int ensure_user(Game *g, const char *username, Err *err)
{
    UserRow u;
    int rc = users_get_by_username(g->save, username, &u, err);
    if (rc == MA_ERR_NOT_FOUND) {
        memset(&u, 0, sizeof u);
        snprintf(u.username, sizeof u.username, "%s", username);
        u.is_active = 1;
        u.profile = cJSON_CreateObject();
        cJSON_AddStringToObject(u.profile, "display_name", username);
        cJSON_AddBoolToObject(u.profile, "local", 1);
        rc = users_insert(g->save, &u, err);
    }
    if (rc == MA_OK) {
        g->p.user_id = u.id;
        snprintf(g->p.username, sizeof g->p.username, "%s", u.username);
    }
    user_row_clear(&u);
    return rc;
}

/* The user's profile remembers the last world and character for "Continue". */
static int64_t profile_last(Game *g, const char *key)
{
    UserRow u;
    if (users_get(g->save, g->p.user_id, &u, NULL) != MA_OK)
        return 0;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(u.profile, key);
    int64_t id = cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
    user_row_clear(&u);
    return id;
}

static int remember_last(Game *g, Err *err)
{
    UserRow u;
    int rc = users_get(g->save, g->p.user_id, &u, err);
    if (rc != MA_OK)
        return rc;
    game_set_num(u.profile, "last_world_id", (double)g->p.world_id);
    game_set_num(u.profile, "last_character_id", (double)g->p.character_id);
    rc = users_update(g->save, &u, err);
    user_row_clear(&u);
    return rc;
}

static int create_character(Game *g, const char *name, const char *class_name, Err *err)
{
    const ClassDef *cls = class_name ? classes_find(&g->classes, class_name)
                                     : &g->classes.classes[g->classes.default_index];
    if (!cls)
        return err_set(err, MA_ERR_INVALID, "there is no class named '%s'", class_name);
    CharacterRow c;
    memset(&c, 0, sizeof c);
    c.user_id = g->p.user_id;
    c.world_id = g->p.world_id;
    snprintf(c.name, sizeof c.name, "%s", name);
    snprintf(c.character_class, sizeof c.character_class, "%s", cls->name);
    c.level = 1;
    c.stats = cJSON_Duplicate(cls->stats, 1);
    game_set_num(c.stats, "max_health", game_stat_int(cls->stats, "health", 100));
    game_set_num(c.stats, "max_mana", game_stat_int(cls->stats, "mana", 0));
    c.appearance = cJSON_CreateObject();
    const char *hand = "";
    for (int i = 0; i < cls->n_gear; i++)
        if (strcmp(cls->gear[i].type, "block") == 0 && !hand[0])
            hand = cls->gear[i].item;
    cJSON_AddStringToObject(c.appearance, "held_item", hand);
    c.position_x = g->spawn[0] + 0.5;
    c.position_y = g->spawn[1];
    c.position_z = g->spawn[2] + 0.5;
    int rc = characters_insert(g->save, &c, err);
    if (rc == MA_OK)
        game_player_from_row(g, &c);
    character_row_clear(&c);
    for (int i = 0; rc == MA_OK && i < cls->n_gear; i++) {
        int left = game_give_item(g, cls->gear[i].item, cls->gear[i].type, cls->gear[i].count, err);
        rc = left < 0 ? left : MA_OK;
    }
    /* The class's first weapon is in hand from the start (a warrior does not fight bare-handed
     * with a sword in the pack); the rest of the gear stays in the pack. */
    for (int i = 0; rc == MA_OK && i < cls->n_gear; i++)
        if (strcmp(cls->gear[i].type, "weapon") == 0) {
            rc = inventory_equip_start(g, cls->gear[i].item, err);
            if (rc == MA_OK)
                rc = inventory_gear_settle(g, NULL, err);
            /* A new character starts whole: the staff's +10 mana full too (a mage began at 120/130). */
            g->p.health = g->p.max_health;
            g->p.mana = g->p.max_mana;
            break;
        }
    /* The class's skills are the character's from the start: rows in character_skills, as the
     * skills screen, `verify`, sync and a character recovery read them. */
    const cJSON *sk;
    cJSON_ArrayForEach(sk, cls->skills) {
        if (rc != MA_OK)
            break;
        if (!cJSON_IsNumber(sk) || sk->valueint < 1 || !skillbook_has(g->skills, sk->string))
            continue;
        SkillRow row;
        memset(&row, 0, sizeof row);
        row.character_id = g->p.character_id;
        snprintf(row.skill_name, sizeof row.skill_name, "%s", sk->string);
        row.skill_level = sk->valueint;
        rc = skills_upsert(g->save, &row, err);
        skill_row_clear(&row);
    }
    return rc;
}

static int open_world(Game *g, int64_t id, const char *name, Err *err)
{
    int rc = world_open(g->save, g->blocks, name, id, 0, &g->world, err);
    if (rc != MA_OK)
        return rc;
    g->p.world_id = world_id(g->world);
    snprintf(g->p.world_name, sizeof g->p.world_name, "%s", world_name(g->world));
    generator_spawn_point(world_generator(g->world), &g->spawn[0], &g->spawn[1], &g->spawn[2]);
    WorldRow w;
    if ((rc = worlds_get(g->save, g->p.world_id, &w, err)) != MA_OK)
        return rc;
    const cJSON *clock = cJSON_GetObjectItemCaseSensitive(w.metadata, "clock");
    g->clock = cJSON_IsNumber(clock) ? (int64_t)clock->valuedouble : 0;
    world_row_clear(&w);
    return MA_OK;
}

int game_start(Save *s, const GameStart *st, Game **out, Err *err)
{
    *out = NULL;
    Game *g = calloc(1, sizeof *g);
    if (!g)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    g->save = s;
    g->story_starts = -1;
    int rc = blocks_load_default(&g->blocks, err);
    if (rc == MA_OK)
        rc = classes_load_default(&g->classes, err);
    if (rc == MA_OK)
        rc = items_load_default(&g->items, err);
    if (rc == MA_OK)
        rc = skillbook_load_default(&g->skills, err);
    if (rc == MA_OK)
        rc = classes_check_refs(&g->classes, g->items, g->skills, err);
    if (rc == MA_OK)
        rc = crafting_load_default(&g->craft, err);
    if (rc == MA_OK)
        rc = creatures_load_default(&g->creatures, err);
    if (rc == MA_OK)
        rc = quest_book_load_default(&g->quest_book, err);
    if (rc == MA_OK)
        rc = achieve_book_load_default(&g->achieve_book, err);
    if (rc == MA_OK) {
        StoryRefs refs = {.items = g->items, .blocks = g->blocks, .quests = g->quest_book};
        rc = story_book_load_default(&refs, &g->story_book, err);
    }
    if (rc == MA_OK)
        rc = dialogue_load_default(&g->dialogue, err);
    if (rc != MA_OK)
        goto fail;
    g->ladder = (BlockId)(blocks_find(g->blocks, "ladder") > 0 ? blocks_find(g->blocks, "ladder") : 0);
    g->stairs = (BlockId)(blocks_find(g->blocks, "stairs") > 0 ? blocks_find(g->blocks, "stairs") : 0);
    for (int id = 1; id < blocks_count(g->blocks); id++)
        g->has_light |= blocks_get(g->blocks, (BlockId)id)->light;
    const char *username = st->username && st->username[0] ? st->username : "player";

    if ((rc = save_begin(s, err)) != MA_OK)
        goto fail;
    if ((rc = ensure_user(g, username, err)) != MA_OK)
        goto fail_tx;

    /* The world: named, the last one, or a new one. */
    int64_t last_world = profile_last(g, "last_world_id");
    if (st->world && !st->new_world) {
        rc = open_world(g, 0, st->world, err);
    } else if (!st->new_world && last_world > 0 && open_world(g, last_world, NULL, NULL) == MA_OK) {
        rc = MA_OK;
    } else {
        char name[65];
        if (st->world)
            snprintf(name, sizeof name, "%s", st->world);
        else
            game_world_name_suggest(s, st->seed, name, sizeof name);
        int64_t id;
        rc = world_create(s, name, st->seed, "normal", &id, err);
        if (rc == MA_OK)
            rc = open_world(g, id, NULL, err);
    }
    if (rc != MA_OK)
        goto fail_tx;

    /* The character: named, the last one in this world, any of the user's there, or a new one. */
    CharacterRow c;
    int found = 0;
    if (st->character) {
        if (characters_get_by_name(s, g->p.world_id, st->character, &c, NULL) == MA_OK) {
            if (c.user_id != g->p.user_id) {
                int villager = c.user_id == 0;
                character_row_clear(&c);
                if (villager)
                    rc = err_set(err, MA_ERR_INVALID,
                                 "'%s' in %s is the name of a villager there: choose another name for your "
                                 "character", st->character, g->p.world_name);
                else
                    rc = err_set(err, MA_ERR_INVALID, "the character '%s' in %s belongs to another player",
                                 st->character, g->p.world_name);
                goto fail_tx;
            }
            found = 1;
        }
    } else {
        int64_t last = profile_last(g, "last_character_id");
        if (last > 0 && characters_get(s, last, &c, NULL) == MA_OK) {
            if (c.world_id == g->p.world_id && c.user_id == g->p.user_id)
                found = 1;
            else
                character_row_clear(&c);
        }
        if (!found) {
            CharacterRow *rows = NULL;
            int n = 0;
            if (characters_list_by_user(s, g->p.user_id, g->p.world_id, &rows, &n, NULL) == MA_OK && n > 0) {
                c = rows[n - 1];
                memset(&rows[n - 1], 0, sizeof rows[n - 1]);
                found = 1;
            }
            characters_list_free(rows, n);
        }
    }
    if (found) {
        game_player_from_row(g, &c);
        character_row_clear(&c);
    } else if ((rc = create_character(g, st->character ? st->character : username, st->class_name, err)) != MA_OK) {
        goto fail_tx;
    }
    /* Items keep their letters; rows of an older save get theirs now. */
    if ((rc = inventory_letters_assign(g, err)) != MA_OK)
        goto fail_tx;
    if ((rc = quest_seed(g, err)) != MA_OK)
        goto fail_tx;
    ActionResult discovered; /* what is already known how to make is recorded quietly */
    memset(&discovered, 0, sizeof discovered);
    if ((rc = crafting_discover(g, &discovered, err)) < 0)
        goto fail_tx;
    /* The world's storylines, and the main one's opening for a character starting out. */
    if ((rc = story_game_started(g, err)) != MA_OK)
        goto fail_tx;
    /* Time passed while the player was away (the agents ran days on): a quest whose time ran out
     * fails now and says so, not at the first key (it had shown "0 minutes left" as active). */
    if ((rc = quest_expire_overdue(g, &g->started, err)) != MA_OK)
        goto fail_tx;
    /* Gear worn in a save from before its bonuses counted: counted now. */
    if ((rc = inventory_gear_settle(g, NULL, err)) != MA_OK)
        goto fail_tx;
    if ((rc = remember_last(g, err)) != MA_OK || (rc = world_flush(g->world, err)) != MA_OK ||
        (rc = save_commit(s, err)) != MA_OK)
        goto fail_tx;
    if ((rc = game_refresh(g, err)) != MA_OK)
        goto fail;
    /* Rolls are reproducible: the same save state gives the same fights and crafts. */
    prng_seed(&g->rng, hash_coords(world_seed(g->world), g->p.character_id, g->clock, 0, 0));
    game_explored_mark_here(g);
    *out = g;
    return MA_OK;

fail_tx:
    save_rollback(s);
fail:
    game_close(g);
    return rc;
}

void game_close(Game *g)
{
    if (!g)
        return;
    story_drop_choice(g);
    story_book_free(g->story_book);
    world_close(g->world);
    creatures_free(g->creatures);
    quest_book_free(g->quest_book);
    quest_forget_templates(g);
    achieve_book_free(g->achieve_book);
    dialogue_free(g->dialogue);
    crafting_free(g->craft);
    skillbook_free(g->skills);
    items_free(g->items);
    classes_free(&g->classes);
    blocks_free(g->blocks);
    free(g->explored);
    free(g);
}

const Player *game_player(const Game *g) { return &g->p; }
World *game_world(Game *g) { return g->world; }
const BlockRegistry *game_blocks(const Game *g) { return g->blocks; }
const ClassList *game_classes(const Game *g) { return &g->classes; }
Save *game_save(Game *g) { return g->save; }
const struct CreatureBook *game_creatures(const Game *g) { return g->creatures; }
