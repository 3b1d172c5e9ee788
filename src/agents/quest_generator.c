/* quest_generator.c — quests written for the character, from what is around.
 *
 * Once a day (06:00), for each player character with fewer than "open_max"
 * of its own generated quests still open, it writes one more, choosing among
 * what the world offers right now:
 *   fetch  a villager's need (remembered by the character master) becomes a
 *          delivery to that villager's role;
 *   slay   creatures that live where the character stands (their habitat),
 *          as many as the level asks;
 *   reach  a ruin, dungeon or shrine that exists within "radius" blocks.
 * The quest is rows (quests, quest_objectives, details: migration 006), for
 * that character only, offered by the giver's role, expiring after
 * "expiry_days" days on the game clock; its rewards follow level and
 * difficulty. Rows are what the game plays, so the quest plays like one of
 * data/quests.json's. One evolution entry a quest. */
#include "agents/agent_internal.h"
#include "util/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/quest.h"
#include "save/quests.h"


/* How many open quests the agent wrote for this character; their titles go to titles (a JSON
 * array, may be NULL). */
static int open_for(AgentCtx *c, int64_t character_id, cJSON *titles, Err *err)
{
    QuestRow *rows = NULL;
    int n = 0, open = 0;
    int rc = quests_list_world(c->a->s, c->a->world_id, &rows, &n, err);
    if (rc != MA_OK)
        return rc;
    char now[32];
    calendar_iso(c->turn, now, sizeof now);
    for (int i = 0; i < n; i++) {
        const cJSON *who = cJSON_GetObjectItemCaseSensitive(rows[i].details, "for");
        if (rows[i].is_active && strcmp(agent_sfield(rows[i].details, "source", ""), "agent") == 0 &&
            cJSON_IsNumber(who) && (int64_t)who->valuedouble == character_id &&
            (!rows[i].expires_at[0] || strcmp(rows[i].expires_at, now) > 0)) {
            open++;
            if (titles)
                cJSON_AddItemToArray(titles, cJSON_CreateString(rows[i].title));
        }
    }
    quests_list_free(rows, n);
    return open;
}

static cJSON *objective(const char *id, const char *kind, const char *key, const char *value, int count,
                        const char *text)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "kind", kind);
    cJSON_AddStringToObject(o, key, value);
    if (count > 0)
        cJSON_AddNumberToObject(o, "count", count);
    cJSON_AddStringToObject(o, "text", text);
    return o;
}

/* A need no quest has taken yet; its memory id goes to *memory. */
static int pick_need(AgentCtx *c, cJSON **need, int64_t *memory, Err *err)
{
    *need = NULL;
    MemoryRow *m = NULL;
    int n = 0;
    int rc = agent_recall(c, "need", &m, &n, err);
    if (rc != MA_OK)
        return rc;
    cJSON *used = cJSON_GetObjectItemCaseSensitive(c->state, "needs_taken");
    for (int i = 0; i < n && !*need; i++) {
        int taken = 0;
        const cJSON *u;
        cJSON_ArrayForEach(u, used) taken |= (int64_t)u->valuedouble == m[i].id;
        if (!taken && items_find(c->a->items, agent_sfield(m[i].memory_data, "item", ""))) {
            *need = cJSON_Duplicate(m[i].memory_data, 1);
            *memory = m[i].id;
        }
    }
    memory_list_free(m, n);
    return MA_OK;
}

static int has_title(const cJSON *titles, const char *title)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, titles) if (strcmp(t->valuestring, title) == 0) return 1;
    return 0;
}

static int write_quest(AgentCtx *c, const AgentPlayer *p, const cJSON *open_titles, Err *err)
{
    const cJSON *tpls = cJSON_GetObjectItemCaseSensitive(c->a->config, "quest_templates");
    cJSON *q = cJSON_CreateObject(), *obs = cJSON_CreateArray(), *why = cJSON_CreateObject();
    char title[129], text[600], name[64], village_name[48] = "";
    int difficulty = 1 + p->level / 3;
    if (difficulty > 10)
        difficulty = 10;
    /* asker: the villager whose need a fetch quest is, by name and by their entity's id */
    const char *giver = "guard", *asker = NULL, *asker_entity = NULL;
    int64_t need_memory = 0;
    cJSON *need = NULL;
    int rc = pick_need(c, &need, &need_memory, err);
    if (rc != MA_OK)
        goto done;
    GenStructure near[4];
    int nv = agent_places(c, "village", 512, near, 4);
    if (nv > 0)
        snprintf(village_name, sizeof village_name, "%s", near[0].name);
    int roll = (int)prng_below(&c->rng, 3);
    if (need && (roll == 0 || roll == 1)) {
        /* fetch */
        char item[64], items[64], count[16];
        text_words(agent_sfield(need, "item", "bread"), item, sizeof item);
        items_noun(c->a->items, agent_sfield(need, "item", "bread"), (int)agent_nfield(need, "count", 1), items,
                   sizeof items);
        snprintf(count, sizeof count, "%d", (int)agent_nfield(need, "count", 1));
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(tpls, "fetch");
        agent_fill(title, sizeof title, agent_sfield(t, "title", "{villager}'s request"), "villager",
                   agent_sfield(need, "villager", "A villager"), NULL);
        agent_fill(text, sizeof text, agent_sfield(t, "description", "{text}"), "text", agent_sfield(need, "text", ""),
                   "count", count, "item", items, "villager", agent_sfield(need, "villager", "a villager"), "village",
                   agent_sfield(need, "village", "the village"), NULL);
        giver = agent_sfield(need, "role", "farmer");
        asker = agent_sfield(need, "villager", NULL);
        asker_entity = agent_sfield(need, "entity", NULL);
        char otext[100], plural_noun[64];
        /* "Red flowers brought", as items.json names them ("Flower red brought" from the id). */
        items_noun(c->a->items, agent_sfield(need, "item", "bread"), 2, plural_noun, sizeof plural_noun);
        snprintf(otext, sizeof otext, "%s brought", plural_noun);
        otext[0] = (char)(otext[0] >= 'a' && otext[0] <= 'z' ? otext[0] - 32 : otext[0]);
        cJSON *o = objective("bring", "deliver", "item", agent_sfield(need, "item", "bread"),
                             (int)agent_nfield(need, "count", 1), otext);
        cJSON_AddStringToObject(o, "to", giver);
        cJSON_AddItemToArray(obs, o);
        cJSON_AddStringToObject(why, "saw", agent_sfield(need, "text", "a villager's need"));
        cJSON_AddStringToObject(why, "why", "a villager needs something a traveller can bring");
        cJSON *taken = cJSON_GetObjectItemCaseSensitive(c->state, "needs_taken");
        if (!taken)
            taken = cJSON_AddArrayToObject(c->state, "needs_taken");
        cJSON_AddItemToArray(taken, cJSON_CreateNumber((double)need_memory));
        while (cJSON_GetArraySize(taken) > 64)
            cJSON_DeleteItemFromArray(taken, 0);
        snprintf(name, sizeof name, "fetch_%lld", (long long)c->tick);
    } else {
        GenStructure places[8];
        int np = roll == 2 ? 0 : agent_places(c, NULL, (int)agent_nfield(c->conf, "radius", 320), places, 8);
        const GenStructure *place = NULL;
        const cJSON *reach_tpl = cJSON_GetObjectItemCaseSensitive(tpls, "reach");
        for (int i = 0; i < np && !place; i++) {
            char t[129];
            agent_fill(t, sizeof t, agent_sfield(reach_tpl, "title", "Into the {place}"), "place", places[i].type, NULL);
            if (strcmp(places[i].type, "village") != 0 && !has_title(open_titles, t))
                place = &places[i];
        }
        if (place) {
            /* reach */
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(tpls, "reach");
            agent_fill(title, sizeof title, agent_sfield(t, "title", "Into the {place}"), "place", place->type, NULL);
            agent_fill(text, sizeof text, agent_sfield(t, "description", "Find the {place} of {name}."), "place",
                       place->type, "name", place->name, NULL);
            char otext[100];
            snprintf(otext, sizeof otext, "%s found", place->name); /* "The Damp Cellar found" */
            cJSON *o = objective("find", "reach", "place", place->type, 0, otext);
            cJSON_AddNumberToObject(o, "radius", 24);
            cJSON_AddItemToArray(obs, o);
            giver = "priest";
            cJSON_AddStringToObject(why, "saw", place->name);
            cJSON_AddStringToObject(why, "why", "a place that exists, near enough to reach, not yet a quest");
            snprintf(name, sizeof name, "reach_%lld", (long long)c->tick);
        } else {
            /* slay: what lives where the character stands */
            Biome biome = generator_biome(world_generator(c->a->w), p->x, p->z);
            const CreatureDef *fit[16];
            int nf = creatures_native(c->a->creatures, biome, p->y, fit, 16);
            if (nf == 0)
                goto done;
            const CreatureDef *d = fit[prng_below(&c->rng, (uint32_t)nf)];
            int count = 2 + p->level / 2 + (int)prng_below(&c->rng, 3);
            char plural[64], countw[16];
            text_plural(d->name, 2, plural, sizeof plural);
            snprintf(countw, sizeof countw, "%d", count);
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(tpls, "slay");
            agent_fill(title, sizeof title, agent_sfield(t, "title", "Trouble near {village}"), "village",
                       village_name[0] ? village_name : "the road", NULL);
            agent_fill(text, sizeof text, agent_sfield(t, "description", "Slay {creatures}."), "giver", "The guard",
                       "village", village_name[0] ? village_name : "the road", "creatures", plural, NULL);
            char otext[100];
            snprintf(otext, sizeof otext, "%c%s slain", plural[0] >= 'a' && plural[0] <= 'z' ? plural[0] - 32 : plural[0],
                     plural + 1);
            cJSON_AddItemToArray(obs, objective("slay", "slay", "creature", d->kind, count, otext));
            cJSON_AddStringToObject(why, "saw", biome_name(biome));
            cJSON_AddStringToObject(why, "why", "creatures that live where the character is, as many as the level asks");
            difficulty = difficulty < 10 ? difficulty + 1 : 10;
            snprintf(name, sizeof name, "slay_%lld", (long long)c->tick);
        }
    }
    if (has_title(open_titles, title))
        goto done; /* the same quest is open already: another kind another day */
    cJSON_AddStringToObject(q, "name", name);
    cJSON_AddStringToObject(q, "title", title);
    cJSON_AddStringToObject(q, "description", text);
    cJSON_AddStringToObject(q, "giver", giver);
    if (asker && asker[0])
        cJSON_AddStringToObject(q, "asker", asker); /* the quest log: "ask Piet the farmer" */
    /* Which Piet: another village may have one too, who must not give this Piet's request. */
    if (asker && asker[0] && asker_entity && asker_entity[0])
        cJSON_AddStringToObject(q, "asker_entity", asker_entity);
    cJSON_AddStringToObject(q, "type", "generated");
    cJSON_AddNumberToObject(q, "difficulty", difficulty);
    int days = (int)agent_nfield(c->conf, "expiry_days", 4);
    cJSON_AddNumberToObject(q, "time_limit", days * TURNS_PER_DAY);
    cJSON *req = cJSON_AddObjectToObject(q, "requirements");
    cJSON *lvl = cJSON_AddObjectToObject(req, "level");
    cJSON_AddNumberToObject(lvl, "min", 1);
    cJSON *rew = cJSON_AddArrayToObject(q, "rewards");
    cJSON *xp = cJSON_CreateObject();
    cJSON_AddNumberToObject(xp, "experience", 25 * difficulty + 10 * p->level);
    cJSON_AddItemToArray(rew, xp);
    cJSON *gold = cJSON_CreateObject(), *give = cJSON_AddObjectToObject(gold, "give");
    cJSON_AddStringToObject(give, "item", "gold_coin");
    cJSON_AddNumberToObject(give, "count", 3 + 2 * difficulty);
    cJSON_AddItemToArray(rew, gold);
    cJSON_AddItemToObject(q, "objectives", obs);
    obs = NULL;
    cJSON_AddNumberToObject(q, "for", (double)p->id);
    Evo *e = agent_evo(c);
    if (!e) {
        rc = err_set(err, MA_ERR_NOMEM, "out of memory");
        goto done;
    }
    char created[32], expires[32];
    calendar_iso(c->turn, created, sizeof created);
    calendar_iso(c->turn + (int64_t)days * TURNS_PER_DAY, expires, sizeof expires);
    int64_t qid = 0;
    rc = quest_insert_template(c->a->s, c->a->world_id, q, "agent", created, expires, &qid, err);
    if (rc == MA_OK)
        rc = evo_new_row(e, "quests", qid, err);
    if (rc == MA_OK) {
        /* The objectives were written with the quest: name them too, so a rollback takes them back. */
        ObjectiveRow *ob = NULL;
        int no = 0;
        if ((rc = objectives_list(c->a->s, qid, &ob, &no, err)) == MA_OK) {
            for (int i = 0; i < no && rc == MA_OK; i++)
                rc = evo_new_row(e, "quest_objectives", ob[i].id, err);
            objectives_list_free(ob, no);
        }
    }
    if (rc == MA_OK) {
        /* Who to ask: the villager whose need it is, else the giver's role in the village near. */
        if (asker)
            evo_summary(e, "a new quest for %s: %s (ask %s the %s)", p->name, title, asker, giver);
        else if (village_name[0])
            evo_summary(e, "a new quest for %s: %s (ask the %s of %s)", p->name, title, giver, village_name);
        else
            evo_summary(e, "a new quest for %s: %s (ask a %s)", p->name, title, giver);
        cJSON_AddStringToObject(why, "for", p->name);
        cJSON_AddNumberToObject(why, "level", p->level);
        cJSON_AddNumberToObject(why, "difficulty", difficulty);
        int64_t entry = 0;
        rc = agent_commit(c, e, "quest", why, &entry, err);
        why = NULL;
        if (rc == MA_OK)
            rc = agent_llm_rewrite(c, LLM_QUEST, qid, entry, err);
    }
    evo_free(e);
done:
    cJSON_Delete(q);
    cJSON_Delete(obs);
    cJSON_Delete(why);
    cJSON_Delete(need);
    return rc;
}

int quest_generator_run(AgentCtx *c, Err *err)
{
    int open_max = (int)agent_nfield(c->conf, "open_max", 2);
    for (int i = 0; i < c->n_players; i++) {
        cJSON *titles = cJSON_CreateArray();
        int open = open_for(c, c->players[i].id, titles, err);
        int rc = open < 0 ? open : open >= open_max ? MA_OK : write_quest(c, &c->players[i], titles, err);
        cJSON_Delete(titles);
        if (rc != MA_OK)
            return rc;
    }
    return MA_OK;
}
