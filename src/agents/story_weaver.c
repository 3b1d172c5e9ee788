/* story_weaver.c — storylines that follow from what the player has done.
 *
 * Once a day (06:00):
 *   - a deed remembered since its last look (agents_note_deeds) may begin a
 *     new villager storyline, from data/agents.json's story_templates filled
 *     with the deed's facts: a quest completed brings "gratitude" (the quest's
 *     giver's role remembers it), five creatures of a kind slain bring
 *     "hunter" (the watch has heard). At most one a day; each template once
 *     per deed kind and character's quest or creature. The storyline is a file
 *     of docs/stories.md's form, validated by the same code as data/stories
 *     and written into the world's rows the same way (story_seed_world);
 *   - a template's branch marked "open" is written as a leaf without an
 *     ending: a character who takes it waits there, and on a later day the
 *     weaver adds branches under that leaf (the "continuation" template)
 *     filled with a real place near that character: a ruin, dungeon or shrine
 *     that exists, its name, direction and distance.
 * Every storyline and branch it writes is one evolution entry, so it can be
 * read in the chronicle and rolled back. */
#include "agents/agent_internal.h"
#include "util/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/story_book.h"
#include "save/quests.h"
#include "save/stories.h"
#include "world/blocks.h"

#define WOVEN_SOURCE "agent:story_weaver"

/* A value as it may stand inside a JSON string: quotes and backslashes escaped, control
 * characters dropped. */
static void json_safe(const char *in, char *out, size_t size)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && n + 2 < size; p++) {
        if (*p < 0x20)
            continue;
        if (*p == '"' || *p == '\\')
            out[n++] = '\\';
        out[n++] = (char)*p;
    }
    out[n] = '\0';
}

/* The template, with the facts put in: a new JSON tree (NULL when it does not parse). */
static cJSON *fill_template(const cJSON *tpl, const char *const *facts)
{
    char *text = cJSON_PrintUnformatted(tpl);
    if (!text)
        return NULL;
    size_t size = strlen(text) * 2 + 4096;
    char *out = malloc(size);
    char safe[8][200];
    const char *kv[18];
    int k = 0;
    for (int i = 0; facts[i] && i < 16; i += 2) {
        json_safe(facts[i + 1], safe[i / 2], sizeof safe[0]);
        kv[k++] = facts[i];
        kv[k++] = safe[i / 2];
    }
    while (k < 18)
        kv[k++] = NULL;
    if (out)
        agent_fill(out, size, text, kv[0], kv[1], kv[2], kv[3], kv[4], kv[5], kv[6], kv[7], kv[8], kv[9], kv[10],
                   kv[11], kv[12], kv[13], kv[14], kv[15], (const char *)NULL);
    cJSON_free(text);
    cJSON *j = out ? cJSON_Parse(out) : NULL;
    free(out);
    return j;
}

/* Writes a filled storyline (file form) into the world: validated like data/stories, its
 * "open" branch left without an ending. The new story row's id goes to *story_id. */
static int weave_storyline(AgentCtx *c, Evo *e, cJSON *file, const char *name, int64_t *story_id, Err *err)
{
    char open[64] = "";
    cJSON *b;
    cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(file, "branches")) {
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "open")))
            snprintf(open, sizeof open, "%s", agent_sfield(b, "name", ""));
        cJSON_DeleteItemFromObjectCaseSensitive(b, "open");
    }
    cJSON_DeleteItemFromObjectCaseSensitive(file, "deed");
    cJSON_DeleteItemFromObjectCaseSensitive(file, "name");
    cJSON_AddStringToObject(file, "name", name);
    cJSON_DeleteItemFromObjectCaseSensitive(file, "version");
    cJSON_AddNumberToObject(file, "version", 1);
    char *json = cJSON_PrintUnformatted(file);
    StoryBook *book = story_book_new();
    StoryRefs refs = {.items = c->a->items, .blocks = world_blocks(c->a->w), .quests = NULL};
    int rc = json && book ? story_book_add(book, json, strlen(json), WOVEN_SOURCE, &refs, err)
                          : err_set(err, MA_ERR_NOMEM, "out of memory");
    if (rc == MA_OK)
        rc = story_book_finish(book, err);
    StorySeedReport rep = {0};
    if (rc == MA_OK)
        rc = story_seed_world(c->a->s, c->a->world_id, book, &rep, err);
    cJSON_free(json);
    story_book_free(book);
    StoryRow row;
    if (rc == MA_OK && (rc = stories_find(c->a->s, c->a->world_id, name, 0, &row, err)) == MA_OK) {
        *story_id = row.id;
        cJSON_DeleteItemFromObjectCaseSensitive(row.metadata, "source");
        cJSON_AddStringToObject(row.metadata, "source", WOVEN_SOURCE);
        if (open[0])
            cJSON_AddStringToObject(row.metadata, "open", open);
        rc = stories_update(c->a->s, &row, err);
        story_row_clear(&row);
    }
    BranchRow *br = NULL;
    int n = 0;
    if (rc == MA_OK && (rc = branches_list(c->a->s, *story_id, &br, &n, err)) == MA_OK) {
        for (int i = 0; i < n && rc == MA_OK; i++) {
            if (open[0] && strcmp(br[i].branch_name, open) == 0) {
                /* Still being written: the storyline waits here for the weaver's next day. */
                cJSON_DeleteItemFromObjectCaseSensitive(br[i].consequences, "ending");
                rc = branches_update(c->a->s, &br[i], err);
            }
            if (rc == MA_OK)
                rc = evo_new_row(e, "story_branches", br[i].id, err);
        }
        branches_list_free(br, n);
    }
    if (rc == MA_OK)
        rc = evo_new_row(e, "stories", *story_id, err);
    return rc;
}

/* The role that gave the character's most recently completed quest, and its title. */
static int last_quest(AgentCtx *c, int64_t character_id, char *role, size_t rsize, char *title, size_t tsize)
{
    ProgressRow *p = NULL;
    int n = 0, found = 0;
    if (progress_list(c->a->s, character_id, "completed", &p, &n, NULL) != MA_OK)
        return 0;
    const ProgressRow *best = NULL;
    for (int i = 0; i < n; i++)
        if (!best || strcmp(p[i].completed_at, best->completed_at) >= 0)
            best = &p[i];
    QuestRow q;
    if (best && quests_get(c->a->s, best->quest_id, &q, NULL) == MA_OK) {
        const char *giver = agent_sfield(q.details, "giver", NULL);
        if (giver) {
            snprintf(role, rsize, "%s", giver);
            snprintf(title, tsize, "%s", q.title);
            found = 1;
        }
        quest_row_clear(&q);
    }
    progress_list_free(p, n);
    return found;
}

/* A new storyline from one remembered deed; 1 when one was woven. */
static int weave_from_deed(AgentCtx *c, const MemoryRow *m, Err *err)
{
    const cJSON *tpls = cJSON_GetObjectItemCaseSensitive(c->a->config, "story_templates");
    const char *what = agent_sfield(m->memory_data, "what", "");
    int64_t who = (int64_t)agent_nfield(m->memory_data, "character_id", 0);
    cJSON *woven = cJSON_GetObjectItemCaseSensitive(c->state, "woven");
    if (!woven)
        woven = cJSON_AddObjectToObject(c->state, "woven");
    char key[128], name[64];
    const char *facts[16] = {0};
    char role[16] = "", quest[129] = "", count[16], creature[48] = "", creatures[56] = "";
    const cJSON *tpl = NULL;
    if (strcmp(what, "quests_completed") == 0) {
        if (!last_quest(c, who, role, sizeof role, quest, sizeof quest))
            return 0;
        snprintf(key, sizeof key, "gratitude:%lld:%s", (long long)who, quest);
        tpl = cJSON_GetObjectItemCaseSensitive(tpls, "gratitude");
        facts[0] = "role", facts[1] = role, facts[2] = "quest", facts[3] = quest;
    } else if (strcmp(what, "slain") == 0) {
        const CreatureDef *d = creatures_find(c->a->creatures, agent_sfield(m->memory_data, "kind", ""));
        int total = (int)agent_nfield(m->memory_data, "total", 0);
        if (!d || d->aggression != AGGR_HOSTILE || total < 5)
            return 0;
        snprintf(key, sizeof key, "hunter:%lld:%s", (long long)who, d->kind);
        snprintf(creature, sizeof creature, "%c%s", d->name[0] >= 'a' && d->name[0] <= 'z' ? d->name[0] - 32 : d->name[0],
                 d->name + 1);
        text_plural(d->name, 2, creatures, sizeof creatures);
        snprintf(count, sizeof count, "%d", total);
        tpl = cJSON_GetObjectItemCaseSensitive(tpls, "hunter");
        facts[0] = "creature", facts[1] = creature, facts[2] = "creatures", facts[3] = creatures, facts[4] = "count",
        facts[5] = count;
    }
    if (!tpl || cJSON_GetObjectItemCaseSensitive(woven, key))
        return 0;
    cJSON *file = fill_template(tpl, facts);
    if (!file)
        return err_set(err, MA_ERR_CORRUPT, "data/agents.json: story_templates: a template does not fill");
    snprintf(name, sizeof name, "woven_%lld", (long long)c->tick);
    Evo *e = agent_evo(c);
    int64_t story_id = 0;
    int rc = e ? weave_storyline(c, e, file, name, &story_id, err) : err_set(err, MA_ERR_NOMEM, "out of memory");
    if (rc == MA_OK) {
        evo_summary(e, "a new storyline: %s", agent_sfield(file, "title", name));
        cJSON *why = cJSON_CreateObject();
        cJSON_AddStringToObject(why, "saw", what);
        cJSON_AddItemToObject(why, "deed", cJSON_Duplicate(m->memory_data, 1));
        cJSON_AddStringToObject(why, "why", "a deed the villages remember becomes a story of its own");
        rc = agent_commit(c, e, "story", why, NULL, err);
        cJSON_AddNumberToObject(woven, key, (double)story_id);
    }
    evo_free(e);
    cJSON_Delete(file);
    return rc == MA_OK ? 1 : rc;
}

/* Under an open leaf a character has reached: the continuation, about a real place near them. */
static int continue_storyline(AgentCtx *c, const StoryRow *story, const BranchRow *leaf, const AgentPlayer *p, Err *err)
{
    GenStructure places[8];
    int np = agent_places(c, NULL, 400, places, 8);
    const GenStructure *place = NULL;
    for (int i = 0; i < np && !place; i++)
        if (strcmp(places[i].type, "village") != 0)
            place = &places[i];
    if (!place)
        return MA_OK; /* nothing nearby worth a rumour yet: the story waits another day */
    int dx = place->x + place->w / 2 - p->x, dz = place->z + place->d / 2 - p->z;
    char distance[16], kind[16];
    snprintf(distance, sizeof distance, "%d", (int)lround(sqrt((double)dx * dx + (double)dz * dz) / 10) * 10);
    snprintf(kind, sizeof kind, "%s", strcmp(place->type, "ruins") == 0 ? "ruin" : place->type);
    const char *way = text_compass(dx, dz);
    const char *facts[] = {"place_kind", kind,     "place_name", place->name, "direction", way ? way : "east",
                           "distance",   distance, NULL,         NULL}; /* (at its middle: east, as atan2(0, 0) says) */
    cJSON *kids = fill_template(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c->a->config,
                                                                                                  "story_templates"),
                                                                 "continuation"),
                                facts);
    if (!cJSON_IsArray(kids)) {
        cJSON_Delete(kids);
        return err_set(err, MA_ERR_CORRUPT, "data/agents.json: story_templates.continuation must be a list of branches");
    }
    Evo *e = agent_evo(c);
    if (!e) {
        cJSON_Delete(kids);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    int rc = MA_OK, order = 0;
    cJSON *kb;
    int64_t new_ids[8];
    int n_new = 0;
    cJSON_ArrayForEach(kb, kids) {
        if (rc != MA_OK)
            break;
        BranchRow br;
        memset(&br, 0, sizeof br);
        br.story_id = story->id;
        br.parent_branch_id = leaf->id;
        snprintf(br.branch_name, sizeof br.branch_name, "%s_%s", leaf->branch_name, agent_sfield(kb, "name", "next"));
        br.content = strdup(agent_sfield(kb, "text", ""));
        br.conditions = story_row_conditions(kb);
        br.consequences = story_row_consequences(kb);
        br.branch_order = order++;
        /* The same check the game makes when it plays a branch, and the text's fields. */
        char where[200], bad[64];
        snprintf(where, sizeof where, "%s: branch \"%s\"", WOVEN_SOURCE, br.branch_name);
        StoryBranchInfo info;
        if ((rc = story_branch_info(br.conditions, br.consequences, where, &info, err)) == MA_OK &&
            (!story_fields_ok(br.content, bad, sizeof bad) || (info.choice && !story_fields_ok(info.choice, bad, sizeof bad))))
            rc = err_set(err, MA_ERR_CORRUPT, "%s: unknown field {%s}", where, bad);
        if (rc == MA_OK && (rc = branches_insert(c->a->s, &br, err)) == MA_OK)
            rc = evo_new_row(e, "story_branches", br.id, err);
        if (rc == MA_OK && n_new < (int)(sizeof new_ids / sizeof new_ids[0]))
            new_ids[n_new++] = br.id;
        branch_row_clear(&br);
    }
    cJSON_Delete(kids);
    if (rc == MA_OK) {
        evo_summary(e, "%s goes on: word of the %s of %s", story->title, kind, place->name);
        cJSON *why = cJSON_CreateObject();
        char saw[160];
        snprintf(saw, sizeof saw, "%s waits at \"%s\"", p->name, leaf->branch_name);
        cJSON_AddStringToObject(why, "saw", saw);
        cJSON_AddStringToObject(why, "place", place->name);
        cJSON_AddStringToObject(why, "why", "a storyline left open is continued with a place that exists near the player");
        int64_t entry = 0;
        rc = agent_commit(c, e, "story", why, &entry, err);
        /* With an LLM attached, the new branches' words are asked to be rewritten (the offline text
         * stays until a valid reply comes; each rewrite is an entry of its own that rolls back). */
        for (int i = 0; i < n_new && rc == MA_OK; i++)
            rc = agent_llm_rewrite(c, LLM_BRANCH, new_ids[i], entry, err);
    }
    evo_free(e);
    return rc;
}

static int continue_open(AgentCtx *c, Err *err)
{
    StoryRow *stories = NULL;
    int n = 0;
    int rc = stories_list(c->a->s, c->a->world_id, 1, &stories, &n, err);
    for (int i = 0; i < n && rc == MA_OK; i++) {
        const char *open = agent_sfield(stories[i].metadata, "open", NULL);
        if (!open || strcmp(agent_sfield(stories[i].metadata, "source", ""), WOVEN_SOURCE) != 0)
            continue;
        BranchRow leaf, *kids = NULL;
        int nk = 0;
        if (branches_find(c->a->s, stories[i].id, open, &leaf, NULL) != MA_OK)
            continue;
        if ((rc = branches_children(c->a->s, leaf.id, &kids, &nk, err)) == MA_OK && nk == 0) {
            StoryProgressRow *pr = NULL;
            int np = 0;
            if ((rc = story_progress_list_by_story(c->a->s, stories[i].id, &pr, &np, err)) == MA_OK) {
                const AgentPlayer *waiting = NULL;
                for (int k = 0; k < np && !waiting; k++)
                    for (int j = 0; j < c->n_players && !waiting; j++)
                        if (pr[k].character_id == c->players[j].id && pr[k].current_branch_id == leaf.id &&
                            strcmp(pr[k].status, "active") == 0)
                            waiting = &c->players[j];
                story_progress_list_free(pr, np);
                if (waiting)
                    rc = continue_storyline(c, &stories[i], &leaf, waiting, err);
            }
        }
        branches_list_free(kids, nk);
        branch_row_clear(&leaf);
    }
    stories_list_free(stories, n);
    return rc;
}

int story_weaver_run(AgentCtx *c, Err *err)
{
    int rc = continue_open(c, err);
    if (rc != MA_OK)
        return rc;
    MemoryRow *m = NULL;
    int n = 0;
    if ((rc = agent_recall(c, "deed", &m, &n, err)) != MA_OK)
        return rc;
    int64_t seen = (int64_t)agent_nfield(c->state, "deeds_woven_id", 0), newest = seen;
    int woven = 0;
    for (int i = 0; i < n && rc == MA_OK; i++) {
        if (m[i].id <= seen)
            continue;
        if (woven)
            break; /* one storyline a day: the next deed waits for tomorrow */
        newest = m[i].id;
        int r = weave_from_deed(c, &m[i], err);
        if (r < 0)
            rc = r;
        woven += r > 0;
    }
    memory_list_free(m, n);
    if (rc == MA_OK && newest != seen) {
        cJSON_DeleteItemFromObjectCaseSensitive(c->state, "deeds_woven_id");
        cJSON_AddNumberToObject(c->state, "deeds_woven_id", (double)newest);
    }
    return rc;
}
