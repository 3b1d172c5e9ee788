/* npc_dialogue.c — talking with villagers: data/dialogue.json read and checked (per role:
 * greetings by the villager's regard, replies plain or expanding into lists the game fills in),
 * and the conversation itself: the menu, what each reply says and does, trade prices. Villagers
 * in the world (meeting, regard, deeds) are npc.c. */
#include "game/npc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/game_internal.h"
#include "game/game_rules.h"
#include "game/inventory.h"
#include "game/npc_internal.h"
#include "game/progress.h"
#include "game/quest.h"
#include "game/rules.h"
#include "save/characters.h"
#include "save/charstate.h"
#include "save/skills.h"
#include "util/data.h"
#include "util/text.h"
#include "util/json_field.h"

/* ------------------------------------------------------------ data/dialogue.json */

static int text_ok(const char *s, size_t max) { return s && s[0] && strlen(s) <= max; }

static int range_ok(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return !v || (cJSON_IsNumber(v) && v->valueint >= -100 && v->valueint <= 100);
}

static int validate_trade(const cJSON *t, char *why, size_t size)
{
    if (!cJSON_IsObject(t) || !text_ok(json_str(t, "currency"), 63))
        return snprintf(why, size, "trade: needs \"currency\", an item name"), 1;
    static const char *const lists[] = {"sells", "buys"};
    for (int k = 0; k < 2; k++) {
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(t, lists[k]), *it;
        if (l && !cJSON_IsArray(l))
            return snprintf(why, size, "trade.%s must be an array", lists[k]), 1;
        int i = 0;
        cJSON_ArrayForEach(it, l) {
            const cJSON *price = cJSON_GetObjectItemCaseSensitive(it, "price");
            if (!text_ok(json_str(it, "item"), 63) || !cJSON_IsNumber(price) || price->valueint < 1 ||
                price->valueint > 9999)
                return snprintf(why, size, "trade.%s[%d]: needs \"item\" and a \"price\" from 1 to 9999", lists[k], i), 1;
            i++;
        }
    }
    return 0;
}

int dialogue_load(const char *json, size_t len, const char *source, DialogueBook **out, Err *err)
{
    *out = NULL;
    cJSON *root = json_parse_data(json, len, source, err);
    if (!root)
        return MA_ERR_INVALID;
    int rc = MA_OK;
    char why[200], where[256];
    const cJSON *roles = cJSON_GetObjectItemCaseSensitive(root, "roles"), *role;
    if (!cJSON_IsObject(roles) || !roles->child) {
        rc = err_set(err, MA_ERR_INVALID, "%s: \"roles\" must be an object of roles", source);
        goto fail;
    }
    cJSON_ArrayForEach(role, roles) {
        const char *rn = role->string;
#define ROLE_FAIL(...)                                                                                            \
    do {                                                                                                          \
        snprintf(why, sizeof why, __VA_ARGS__);                                                                   \
        rc = err_set(err, MA_ERR_INVALID, "%s: role \"%s\": %s", source, rn, why);                               \
        goto fail;                                                                                                \
    } while (0)
        if (!text_in_list(rn, role_names, NELEM(role_names)))
            ROLE_FAIL("not a villager role (smith, farmer, guard, priest, trader)");
        const cJSON *gr = cJSON_GetObjectItemCaseSensitive(role, "greetings"), *it;
        if (!cJSON_IsArray(gr) || cJSON_GetArraySize(gr) == 0)
            ROLE_FAIL("greetings must be a non-empty array");
        int i = 0;
        cJSON_ArrayForEach(it, gr) {
            if (!text_ok(json_str(it, "text"), 190) || !range_ok(it, "min") || !range_ok(it, "max"))
                ROLE_FAIL("greeting %d: needs \"text\" (1 to 190 characters) and min/max from -100 to 100", i);
            i++;
        }
        const cJSON *replies = cJSON_GetObjectItemCaseSensitive(role, "replies");
        if (!cJSON_IsArray(replies) || cJSON_GetArraySize(replies) == 0 || cJSON_GetArraySize(replies) > 12)
            ROLE_FAIL("replies must be an array of 1 to 12 replies");
        i = 0;
        cJSON_ArrayForEach(it, replies) {
            if (!cJSON_IsObject(it) || !text_ok(json_str(it, "text"), 100))
                ROLE_FAIL("reply %d: text must be 1 to 100 characters", i);
            const cJSON *offer = cJSON_GetObjectItemCaseSensitive(it, "offer");
            if (offer && !text_in_list(json_str(it, "offer"), offers, NELEM(offers)))
                ROLE_FAIL("reply %d: offer must be one of work, hand_in, buy, sell, bye", i);
            if (cJSON_GetObjectItemCaseSensitive(it, "response") && !text_ok(json_str(it, "response"), 190))
                ROLE_FAIL("reply %d: response must be 1 to 190 characters", i);
            if (cJSON_GetObjectItemCaseSensitive(it, "counter") && !text_ok(json_str(it, "counter"), 63))
                ROLE_FAIL("reply %d: counter must be a name of 1 to 63 characters", i);
            snprintf(where, sizeof where, "%s: role \"%s\": reply %d: condition", source, rn, i);
            if ((rc = rules_validate_condition(cJSON_GetObjectItemCaseSensitive(it, "condition"), where, err)) != MA_OK)
                goto fail;
            snprintf(where, sizeof where, "%s: role \"%s\": reply %d: effects", source, rn, i);
            if ((rc = rules_validate_effects(cJSON_GetObjectItemCaseSensitive(it, "effects"), where, err)) != MA_OK)
                goto fail;
            i++;
        }
        const cJSON *trade = cJSON_GetObjectItemCaseSensitive(role, "trade");
        if (trade && validate_trade(trade, why, sizeof why)) {
            rc = err_set(err, MA_ERR_INVALID, "%s: role \"%s\": %s", source, rn, why);
            goto fail;
        }
#undef ROLE_FAIL
    }
    DialogueBook *b = calloc(1, sizeof *b);
    if (!b) {
        rc = err_set(err, MA_ERR_NOMEM, "out of memory");
        goto fail;
    }
    b->root = root;
    b->roles = roles;
    *out = b;
    return MA_OK;
fail:
    cJSON_Delete(root);
    return rc;
}

static int parse_book(const char *text, size_t len, const char *where, void *out, Err *err)
{
    return dialogue_load(text, len, where, out, err);
}

int dialogue_load_default(DialogueBook **out, Err *err)
{
    *out = NULL;
    return data_book_corrupt(data_book_load("dialogue.json", parse_book, out, err), err);
}

void dialogue_free(DialogueBook *b)
{
    if (!b)
        return;
    cJSON_Delete(b->root);
    free(b);
}

/* ------------------------------------------------------------ conversation */

typedef struct Npc {
    int64_t id;
    char entity[48], name[65], role[16], village[48];
    int opinion, your_view;
} Npc;

static int npc_load(Game *g, int64_t id, Npc *n)
{
    memset(n, 0, sizeof *n);
    CharacterRow c;
    if (characters_get(g->save, id, &c, NULL) != MA_OK)
        return 0;
    n->id = id;
    snprintf(n->name, sizeof n->name, "%s", c.name);
    snprintf(n->entity, sizeof n->entity, "%s",
             json_str(c.appearance, "entity_id") ? json_str(c.appearance, "entity_id") : "");
    snprintf(n->role, sizeof n->role, "%s", json_str(c.appearance, "role") ? json_str(c.appearance, "role") : "");
    snprintf(n->village, sizeof n->village, "%s",
             json_str(c.appearance, "village") ? json_str(c.appearance, "village") : "");
    character_row_clear(&c);
    RelationshipRow rel;
    if (relationships_get(g->save, id, g->p.character_id, &rel, NULL) == MA_OK) {
        n->opinion = rel.relationship_value;
        relationship_row_clear(&rel);
    }
    if (relationships_get(g->save, g->p.character_id, id, &rel, NULL) == MA_OK) {
        n->your_view = rel.relationship_value;
        relationship_row_clear(&rel);
    }
    return 1;
}

typedef struct Entry {
    char key[80];
    char text[150];
    int available;
    char why[150];
} Entry;

typedef struct Menu {
    Entry e[NPC_MAX_REPLIES];
    int n;
} Menu;

static Entry *menu_add(Menu *m, const char *key)
{
    if (m->n >= NPC_MAX_REPLIES)
        return NULL;
    Entry *e = &m->e[m->n++];
    memset(e, 0, sizeof *e);
    snprintf(e->key, sizeof e->key, "%s", key);
    e->available = 1;
    return e;
}

/* Replaces "@npc" by the villager's name in an explanation. */
static void name_npc(char *s, size_t size, const char *name)
{
    char *at = strstr(s, "@npc");
    if (!at)
        return;
    char rest[200];
    snprintf(rest, sizeof rest, "%s", at + 4);
    *at = '\0';
    size_t used = strlen(s);
    snprintf(s + used, size - used, "%s%s", name, rest);
}

/* A price with the villager's regard (a friend at 100 sells for 25% less and buys for 25% more)
 * and the player's trading skill (progress_price_factor: below 1 is better for the player). */
static int price_for(Game *g, int base, int opinion, int buying)
{
    double f = progress_price_factor(g);
    if (f <= 0)
        f = 1.0;
    /* Festivals and seasons move prices both ways, as the relationship does. */
    double mood = g->mods.price > 0 ? g->mods.price : 1.0;
    double pct = buying ? (100 - opinion / 4) * f * mood : (100 + opinion / 4) / f / mood;
    int p = (int)(base * pct / 100.0 + 0.5);
    return p < 1 ? 1 : p;
}

static const cJSON *role_data(const DialogueBook *b, const char *role)
{
    return cJSON_GetObjectItemCaseSensitive(b->roles, role);
}

static int build_menu(Game *g, const DialogueBook *b, const Npc *npc, Menu *m, Err *err)
{
    m->n = 0;
    const cJSON *rd = role_data(b, npc->role);
    if (!rd)
        return MA_OK;
    GameRules rules;
    game_rules_bind(&rules, g, NULL);
    const cJSON *reply;
    int i = 0;
    cJSON_ArrayForEach(reply, cJSON_GetObjectItemCaseSensitive(rd, "replies")) {
        const char *offer = json_str(reply, "offer");
        const cJSON *trade = cJSON_GetObjectItemCaseSensitive(rd, "trade");
        char key[80];
        Entry *e;
        if (!offer) {
            const cJSON *cond = cJSON_GetObjectItemCaseSensitive(reply, "condition");
            int ok = rules_check(&rules.ctx, cond);
            if (!ok && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "hidden")))
                goto next;
            snprintf(key, sizeof key, "r%d", i);
            if (!(e = menu_add(m, key)))
                break;
            snprintf(e->text, sizeof e->text, "%s", json_str(reply, "text"));
            e->available = ok;
            if (!ok) {
                rules_explain(&rules.ctx, cond, e->why, sizeof e->why);
                name_npc(e->why, sizeof e->why, npc->name);
            }
        } else if (strcmp(offer, "work") == 0 || strcmp(offer, "hand_in") == 0) {
            int work = strcmp(offer, "work") == 0;
            QuestOffer q[NPC_MAX_REPLIES];
            int n = work ? quest_offers(g, npc->role, npc->name, npc->entity, q, 2, err)
                         : quest_hand_ins(g, npc->role, npc->entity, q, 2, err);
            if (n < 0)
                return n;
            for (int k = 0; k < n; k++) {
                snprintf(key, sizeof key, "%c:%s", work ? 'w' : 'h', q[k].name);
                if (!(e = menu_add(m, key)))
                    break;
                if (work)
                    snprintf(e->text, sizeof e->text, "I'll take it: %s (%s)", q[k].title, q[k].summary);
                else if (q[k].deliver)
                    snprintf(e->text, sizeof e->text, "Deliver %s: %s", q[k].summary, q[k].title);
                else
                    snprintf(e->text, sizeof e->text, "Hand in: %s", q[k].title);
                e->available = q[k].available;
                snprintf(e->why, sizeof e->why, "%s", q[k].why);
            }
            /* Nothing to hand in is the usual case: not worth a line. */
            if (n == 0 && work) {
                snprintf(key, sizeof key, "%c-", work ? 'w' : 'h');
                if (!(e = menu_add(m, key)))
                    break;
                snprintf(e->text, sizeof e->text, "%s", json_str(reply, "text"));
                e->available = 0;
                snprintf(e->why, sizeof e->why, "%s", work ? "no work for you right now" : "you have nothing to hand in");
            }
        } else if ((strcmp(offer, "buy") == 0 || strcmp(offer, "sell") == 0) && trade) {
            int buying = strcmp(offer, "buy") == 0;
            const char *cur = json_str(trade, "currency");
            int shown = 0;
            const cJSON *it;
            cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(trade, buying ? "sells" : "buys")) {
                if (shown >= 2)
                    break;
                const char *item = json_str(it, "item");
                int price = price_for(g, json_int(it, "price", 1), npc->opinion, buying);
                int have = game_item_count(g, buying ? cur : item, NULL);
                if (!buying && have < 1)
                    continue;
                snprintf(key, sizeof key, "%c:%s", buying ? 'b' : 's', item);
                if (!(e = menu_add(m, key)))
                    break;
                char itemw[64], pricew[96];
                text_words(item, itemw, sizeof itemw);
                items_count_words(g->items, cur, price, pricew, sizeof pricew);
                snprintf(e->text, sizeof e->text, "%s 1 %s for %s", buying ? "Buy" : "Sell", itemw, pricew);
                if (buying && have < price) {
                    e->available = 0;
                    snprintf(e->why, sizeof e->why, "needs %s (you have %d)", pricew, have < 0 ? 0 : have);
                }
                shown++;
            }
            if (!shown) {
                snprintf(key, sizeof key, "%c-", buying ? 'b' : 's');
                if (!(e = menu_add(m, key)))
                    break;
                snprintf(e->text, sizeof e->text, "%s", json_str(reply, "text"));
                e->available = 0;
                snprintf(e->why, sizeof e->why, "%s", buying ? "nothing for sale" : "you carry nothing they buy");
            }
        } else if (strcmp(offer, "bye") == 0) {
            if (!(e = menu_add(m, "x")))
                break;
            snprintf(e->text, sizeof e->text, "%s", json_str(reply, "text"));
        }
    next:
        i++;
    }
    return MA_OK;
}

static void greeting(const DialogueBook *b, const Game *g, const Npc *npc, char *buf, size_t size)
{
    const cJSON *gr, *pick = NULL;
    cJSON_ArrayForEach(gr, cJSON_GetObjectItemCaseSensitive(role_data(b, npc->role), "greetings")) {
        if (npc->opinion >= json_int(gr, "min", -100) && npc->opinion <= json_int(gr, "max", 100)) {
            pick = gr;
            break;
        }
    }
    const char *text = pick ? json_str(pick, "text") : "...";
    /* {player}, {name}, {village} in the text. */
    size_t o = 0;
    for (const char *c = text; *c && o + 1 < size;) {
        const char *rep = NULL;
        size_t skip = 0;
        if (strncmp(c, "{player}", 8) == 0)
            rep = g->p.name, skip = 8;
        else if (strncmp(c, "{name}", 6) == 0)
            rep = npc->name, skip = 6;
        else if (strncmp(c, "{village}", 9) == 0)
            rep = npc->village[0] ? npc->village : "the village", skip = 9;
        if (rep) {
            int w = snprintf(buf + o, size - o, "%s", rep);
            o += w > 0 ? (size_t)w : 0;
            if (o >= size)
                o = size - 1;
            c += skip;
        } else {
            buf[o++] = *c++;
        }
    }
    buf[o] = '\0';
}

static int store_menu(Game *g, const char *entity, const Menu *m, Err *err)
{
    char keys[NPC_MAX_REPLIES * 81] = "";
    size_t o = 0;
    for (int i = 0; i < m->n; i++)
        o += (size_t)snprintf(keys + o, sizeof keys - o, "%s%s", i ? "|" : "", m->e[i].key);
    int rc = charstate_set(g->save, g->p.character_id, "flag", "talking_to", entity, err);
    if (rc == MA_OK)
        rc = charstate_set(g->save, g->p.character_id, "flag", "talk_menu", keys, err);
    return rc;
}

static void show_menu(ActionResult *r, const Menu *m)
{
    for (int i = 0; i < m->n; i++) {
        if (m->e[i].available)
            game_event(r, SEV_INFO, "%d) %s", i + 1, m->e[i].text);
        else
            game_event(r, SEV_INFO, "%d) (%s — %s)", i + 1, m->e[i].text, m->e[i].why);
    }
}

/* The villager of the conversation in progress, or 0. */
static int64_t talking_to(Game *g, char *entity, size_t size)
{
    if (charstate_get(g->save, g->p.character_id, "flag", "talking_to", entity, size, NULL) != MA_OK || !entity[0])
        return 0;
    return npc_character_id(g, entity);
}

int npc_talk(Game *g, Dir d, ActionResult *r, Err *err)
{
    int dx, dz;
    dir_delta(d, &dx, &dz);
    int32_t pos[3];
    cJSON *e = npc_entity_at(g, g->p.x + dx, g->p.y, g->p.z + dz, pos);
    if (!e) {
        static const char *const where[] = {"to the north", "to the north-east", "to the east", "to the south-east",
                                            "to the south", "to the south-west", "to the west", "to the north-west"};
        game_refuse(r, "nobody %s to talk to", d >= DIR_N && d <= DIR_NW ? where[d] : "there");
        return MA_OK;
    }
    DialogueBook *b = g->dialogue;
    int64_t id = 0;
    int rc = npc_ensure(g, e, pos[0], pos[1], pos[2], &id, err);
    int was_new = 0;
    /* Talking is meeting: walking by later must not say "You meet" them again. */
    if (rc == MA_OK && json_str(e, "id"))
        rc = npc_mark_met(g, json_str(e, "id"), &was_new, err);
    cJSON_Delete(e);
    Npc npc;
    Menu m;
    if (rc != MA_OK || !npc_load(g, id, &npc))
        goto done;
    if ((rc = build_menu(g, b, &npc, &m, err)) != MA_OK || (rc = store_menu(g, npc.entity, &m, err)) != MA_OK)
        goto done;
    char line[200], role[16];
    greeting(b, g, &npc, line, sizeof line);
    text_words(npc.role, role, sizeof role);
    game_event(r, SEV_INFO, "%s the %s: \"%s\"", npc.name, role, line);
    show_menu(r, &m);
    rc = charstate_add(g->save, g->p.character_id, "conversations", 1, NULL, err);
    r->ok = rc == MA_OK;
    game_pass_time(g, 1, r);
done:
    return rc;
}

/* One unit of item bought from (buying) or sold to the villager, in one transaction: what the
 * player hands over moves to the villager's pack (inventory_transfer logs it), what the player
 * receives is logged from the villager. */
static int do_trade(Game *g, const Npc *npc, const cJSON *trade, int buying, const char *item, ActionResult *r,
                    Err *err)
{
    const cJSON *it, *found = NULL;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(trade, buying ? "sells" : "buys")) {
        if (strcmp(json_str(it, "item"), item) == 0)
            found = it;
    }
    if (!found) {
        game_refuse(r, "%s does not trade in %s", npc->name, item);
        return MA_OK;
    }
    const char *cur = json_str(trade, "currency");
    int price = price_for(g, json_int(found, "price", 1), npc->opinion, buying);
    const char *paid = buying ? cur : item, *got = buying ? item : cur;
    int paid_n = buying ? price : 1, got_n = buying ? 1 : price;
    Player before = g->p;
    int rc = save_savepoint(g->save, err);
    if (rc != MA_OK)
        return rc;
    rc = inventory_transfer(g, npc->id, paid, paid_n, buying ? "purchase" : "sale", buying ? price : 0, err);
    if (rc == MA_OK) {
        int left = game_give_item(g, got, blocks_find(g->blocks, got) > 0 ? "block" : "material", got_n, err);
        rc = left < 0 ? left : left > 0 ? err_set(err, MA_ERR_INVALID, "your pack is full") : MA_OK;
    }
    if (rc == MA_OK)
        rc = transfers_log(g->save, npc->id, g->p.character_id, got, got_n, buying ? "purchase" : "sale",
                           buying ? 0 : price, err);
    if (rc == MA_OK)
        rc = charstate_add(g->save, g->p.character_id, "trades", 1, NULL, err);
    rc = save_end_savepoint(g->save, rc, err);
    if (rc == MA_ERR_INVALID) {
        g->p = before;
        game_refuse(r, "no deal: %s", err->msg);
        err_clear(err);
        return MA_OK;
    }
    if (rc == MA_OK) {
        char itemw[64], pricew[96];
        text_words(item, itemw, sizeof itemw);
        items_count_words(g->items, cur, price, pricew, sizeof pricew);
        game_event(r, SEV_GOOD, "You %s 1 %s for %s.", buying ? "buy" : "sell", itemw, pricew);
        r->ok = 1;
    }
    return rc;
}

/* Carries out one entry of the menu. */
static int say_entry(Game *g, const DialogueBook *b, const Npc *npc, const Entry *e, ActionResult *r, Err *err)
{
    const cJSON *rd = role_data(b, npc->role);
    int rc = MA_OK;
    char line[200] = "";
    if (e->key[0] == 'r') {
        const cJSON *reply = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(rd, "replies"), atoi(e->key + 1));
        GameRules rules;
        game_rules_bind(&rules, g, r);
        Player before = g->p;
        int events = r->n_events;
        if ((rc = save_savepoint(g->save, err)) != MA_OK)
            return rc;
        const char *counter = json_str(reply, "counter");
        if (counter)
            rc = charstate_add(g->save, g->p.character_id, counter, 1, NULL, err);
        if (rc == MA_OK)
            rc = rules_apply(&rules.ctx, cJSON_GetObjectItemCaseSensitive(reply, "effects"), err);
        rc = save_end_savepoint(g->save, rc, err);
        if (rc != MA_OK) {
            g->p = before;
            r->n_events = events;
            if (rc == MA_ERR_INVALID || rc == MA_ERR_NOT_FOUND) {
                game_refuse(r, "not now: %s", err->msg);
                err_clear(err);
                return MA_OK;
            }
            return rc;
        }
        snprintf(line, sizeof line, "%s", json_str(reply, "response") ? json_str(reply, "response") : "");
        r->ok = 1;
    } else if (e->key[0] == 'w') {
        rc = quest_start(g, e->key + 2, npc->entity, r, err);
        if (rc == MA_ERR_INVALID) {
            game_refuse(r, "%s", err->msg);
            err_clear(err);
            return MA_OK;
        }
        r->ok = rc == MA_OK;
        quest_given_words(g, e->key + 2, npc->role, line, sizeof line);
    } else if (e->key[0] == 'h') {
        rc = quest_hand_in(g, e->key + 2, npc->entity, r, err);
        if (r->ok)
            snprintf(line, sizeof line, "Thank you, %s.", g->p.name);
    } else if (e->key[0] == 'b' || e->key[0] == 's') {
        rc = do_trade(g, npc, cJSON_GetObjectItemCaseSensitive(rd, "trade"), e->key[0] == 'b', e->key + 2, r, err);
    } else if (e->key[0] == 'x') {
        r->ok = 1;
        game_event(r, SEV_INFO, "%s: \"%s\"", npc->name, "Farewell.");
        return npc_end_conversation(g, err);
    }
    if (rc == MA_OK && r->ok && line[0])
        game_event(r, SEV_INFO, "%s: \"%s\"", npc->name, line);
    return rc;
}

int npc_say(Game *g, int reply, ActionResult *r, Err *err)
{
    char entity[64], keys[NPC_MAX_REPLIES * 81];
    int64_t id = talking_to(g, entity, sizeof entity);
    Npc npc;
    if (id <= 0 || !npc_load(g, id, &npc)) {
        game_refuse(r, "you are not talking to anyone (talk DIR first)");
        return MA_OK;
    }
    /* Where the villager stands now: villagers walk (to work, to the green, home) after they are met. */
    if (!npc_within_reach(g, npc.entity, TALK_REACH)) {
        game_refuse(r, "%s is too far away to hear you", npc.name);
        return npc_end_conversation(g, err);
    }
    if (charstate_get(g->save, g->p.character_id, "flag", "talk_menu", keys, sizeof keys, NULL) != MA_OK)
        keys[0] = '\0';
    char *want = NULL, *save_ptr = NULL;
    int k = 0, count = 0;
    for (char *t = strtok_r(keys, "|", &save_ptr); t; t = strtok_r(NULL, "|", &save_ptr)) {
        count++;
        if (++k == reply)
            want = t;
    }
    if (!want) {
        game_refuse(r, "there is no reply %d (1 to %d)", reply, count);
        return MA_OK;
    }
    DialogueBook *b = g->dialogue;
    int rc = MA_OK;
    Menu m;
    if ((rc = build_menu(g, b, &npc, &m, err)) != MA_OK)
        goto done;
    const Entry *e = NULL;
    for (int i = 0; i < m.n && !e; i++)
        if (strcmp(m.e[i].key, want) == 0)
            e = &m.e[i];
    if (!e) {
        game_refuse(r, "that reply is no longer on offer");
        goto done;
    }
    if (!e->available) {
        game_refuse(r, "not now: %s", e->why);
        goto done;
    }
    if ((rc = say_entry(g, b, &npc, e, r, err)) != MA_OK || !r->ok || e->key[0] == 'x')
        goto done;
    game_pass_time(g, 1, r);
    /* The conversation goes on: the replies as they are now. */
    if (npc_load(g, id, &npc) && (rc = build_menu(g, b, &npc, &m, err)) == MA_OK &&
        (rc = store_menu(g, npc.entity, &m, err)) == MA_OK)
        show_menu(r, &m);
done:
    return rc;
}

int npc_conversation(Game *g, NpcView *out, Err *err)
{
    memset(out, 0, sizeof *out);
    char entity[64];
    int64_t id = talking_to(g, entity, sizeof entity);
    Npc npc;
    if (id <= 0 || !npc_load(g, id, &npc))
        return err_set(err, MA_ERR_NOT_FOUND, "you are not talking to anyone");
    DialogueBook *b = g->dialogue;
    int rc = MA_OK;
    Menu m;
    if ((rc = build_menu(g, b, &npc, &m, err)) != MA_OK || (rc = store_menu(g, npc.entity, &m, err)) != MA_OK)
        goto done;
    snprintf(out->entity_id, sizeof out->entity_id, "%s", npc.entity);
    snprintf(out->name, sizeof out->name, "%s", npc.name);
    snprintf(out->role, sizeof out->role, "%s", npc.role);
    snprintf(out->village, sizeof out->village, "%s", npc.village);
    out->opinion = npc.opinion;
    out->your_view = npc.your_view;
    greeting(b, g, &npc, out->line, sizeof out->line);
    for (int i = 0; i < m.n; i++) {
        snprintf(out->replies[i].text, sizeof out->replies[i].text, "%s", m.e[i].text);
        out->replies[i].available = m.e[i].available;
        snprintf(out->replies[i].why, sizeof out->replies[i].why, "%s", m.e[i].why);
    }
    out->n_replies = m.n;
done:
    return rc;
}

int npc_end_conversation(Game *g, Err *err)
{
    int rc = charstate_delete(g->save, g->p.character_id, "flag", "talking_to", err);
    if (rc == MA_ERR_NOT_FOUND)
        rc = MA_OK;
    if (rc == MA_OK) {
        rc = charstate_delete(g->save, g->p.character_id, "flag", "talk_menu", err);
        if (rc == MA_ERR_NOT_FOUND)
            rc = MA_OK;
    }
    if (rc == MA_OK)
        err_clear(err);
    return rc;
}
