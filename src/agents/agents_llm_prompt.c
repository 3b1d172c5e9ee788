/* agents_llm_prompt.c — the context an LLM job carries, built from the save:
 * sections of world facts, the rows concerned, recent deeds from agent memory
 * and a summary, each cut to its token budget (a token taken as four bytes),
 * then the task with the offline text. What each section held, and whether it
 * was cut, goes to the job's "sections" (stored in the evolution entry's
 * reasoning as prompt_sections). */
#include "agents/agent_internal.h"
#include "agents/agents_llm_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/calendar.h"
#include "game/rules.h"
#include "save/agents.h"
#include "save/characters.h"
#include "save/events.h"
#include "save/quests.h"
#include "save/skills.h"
#include "save/stories.h"
#include "save/worlds.h"
#include "util/text.h"

/* Budgets, in bytes (about four a token). */
enum { BUDGET_WORLD = 640, BUDGET_ROWS = 1400, BUDGET_DEEDS = 480, BUDGET_SUMMARY = 240 };

LlmJob *llm_job_new(LlmKind kind)
{
    LlmJob *j = calloc(1, sizeof *j);
    if (j) {
        j->kind = kind;
        j->attempt = 1;
        j->sections = cJSON_CreateArray();
    }
    return j;
}

void llm_job_free(LlmJob *j)
{
    if (!j)
        return;
    cJSON_Delete(j->offline);
    cJSON_Delete(j->sections);
    free(j->user);
    free(j->echo);
    llm_answer_clear(&j->answer);
    free(j);
}

/* ------------------------------------------------------------ a string builder */

typedef struct Sb {
    char *s;
    size_t len, cap;
} Sb;

static void sb_add(Sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(Sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 512;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *g = realloc(b->s, cap);
        if (!g)
            return;
        b->s = g;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static const char *sb_str(const Sb *b) { return b->s ? b->s : ""; }

/* Appends section `name` (its text cut to budget at a line end) to the prompt and the echo text. */
static void section(LlmJob *j, Sb *user, Sb *echo, const char *name, const char *title, const char *text,
                    size_t budget)
{
    size_t n = strlen(text);
    int cut = 0;
    if (n > budget) {
        n = budget;
        while (n > budget / 2 && text[n] != '\n')
            n--;
        if (text[n] != '\n')
            n = budget;
        cut = 1;
    }
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
        n--;
    sb_add(user, "## %s\n%.*s%s\n\n", title, (int)n, text, cut ? "\n(...)" : "");
    sb_add(echo, "%.*s\n", (int)n, text);
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "name", name);
    cJSON_AddNumberToObject(s, "tokens", (double)((n + 3) / 4));
    cJSON_AddBoolToObject(s, "cut", cut);
    cJSON_AddItemToArray(j->sections, s);
}


/* ------------------------------------------------------------ the sections */

static int world_facts(Save *s, int64_t world_id, int64_t turn, Sb *out, Err *err)
{
    WorldRow w;
    int rc = worlds_get(s, world_id, &w, err);
    if (rc != MA_OK)
        return rc;
    char date[48], iso[32];
    int minute = (int)(((turn % 720) + 720) % 720) * 2 + 8 * 60;
    minute %= 1440;
    sb_add(out, "World: %s. Date: %s, %02d:%02d (%s). Season: %s.\n", w.name, calendar_date(turn, date, sizeof date),
           minute / 60, minute % 60, minute >= 20 * 60 || minute < 6 * 60 ? "night" : "day",
           calendar_season_name(calendar_season(turn)));
    world_row_clear(&w);
    EventRow *ev = NULL;
    int n = 0;
    if ((rc = events_list_active(s, world_id, calendar_iso(turn, iso, sizeof iso), &ev, &n, err)) != MA_OK)
        return rc;
    for (int i = 0; i < n && i < 6; i++)
        sb_add(out, "Going on: %s (%s).\n", ev[i].event_name, ev[i].event_type);
    events_list_free(ev, n);
    return MA_OK;
}

/* The deeds remembered for character_id (0: every player's), newest first. */
static int deeds(Save *s, int64_t world_id, int64_t character_id, int64_t turn, Sb *out, Err *err)
{
    MemoryRow *m = NULL;
    int n = 0;
    char iso[32];
    int rc = memory_list_type(s, world_id, "deed", calendar_iso(turn, iso, sizeof iso), &m, &n, err);
    if (rc != MA_OK)
        return rc;
    int shown = 0;
    for (int i = n - 1; i >= 0 && shown < 8; i--) {
        const cJSON *d = m[i].memory_data;
        if (character_id && (int64_t)agent_nfield(d, "character_id", 0) != character_id)
            continue;
        const char *what = agent_sfield(d, "what", "");
        const char *who = agent_sfield(d, "name", "a traveller");
        char kind[64];
        text_words(agent_sfield(d, "kind", NULL), kind, sizeof kind);
        int count = (int)agent_nfield(d, "count", 1), total = (int)agent_nfield(d, "total", 0);
        if (strcmp(what, "slain") == 0)
            sb_add(out, "%s slew %d %s (%d in all).\n", who, count, kind, total);
        else if (strcmp(what, "quests_completed") == 0)
            sb_add(out, "%s completed a quest (%d in all).\n", who, total);
        else if (strcmp(what, "deaths") == 0)
            sb_add(out, "%s died and woke again (%d deaths in all).\n", who, total);
        else
            continue;
        shown++;
    }
    if (shown == 0)
        sb_add(out, "Nothing remembered lately.\n");
    memory_list_free(m, n);
    return MA_OK;
}

/* Puts the prompt together: the sections, then the task and the offline text. */
static void finish(LlmJob *j, const char *world, const char *rows_title, const char *rows, const char *deeds_text,
                   const char *summary, const char *task)
{
    Sb user = {0}, echo = {0};
    sb_add(&echo, "%s\n", llm_kind_instructions(j->kind));
    section(j, &user, &echo, "world", "World", world, BUDGET_WORLD);
    section(j, &user, &echo, "rows", rows_title, rows, BUDGET_ROWS);
    section(j, &user, &echo, "deeds", "Recent deeds", deeds_text, BUDGET_DEEDS);
    section(j, &user, &echo, "summary", "Summary", summary, BUDGET_SUMMARY);
    char *offline = j->offline ? cJSON_PrintUnformatted(j->offline) : NULL;
    sb_add(&user, "## Task\n%s%s%s\n", task, offline ? "\nCurrent text (JSON): " : "", offline ? offline : "");
    cJSON_free(offline);
    free(j->user);
    free(j->echo);
    j->user = user.s ? user.s : strdup("");
    j->echo = echo.s ? echo.s : strdup("");
}

/* ------------------------------------------------------------ the jobs */

int llm_prompt_quest(Save *s, int64_t world_id, int64_t quest_id, int64_t turn, LlmJob *j, Err *err)
{
    QuestRow q;
    int rc = quests_get(s, quest_id, &q, err);
    if (rc != MA_OK)
        return rc;
    ObjectiveRow *ob = NULL;
    int no = 0;
    Sb world = {0}, rows = {0}, dd = {0}, sum = {0};
    if ((rc = objectives_list(s, quest_id, &ob, &no, err)) != MA_OK)
        goto done;
    j->row_id = quest_id;
    j->world_id = world_id;
    j->offline = cJSON_CreateObject();
    cJSON_AddStringToObject(j->offline, "title", q.title);
    cJSON_AddStringToObject(j->offline, "description", q.description ? q.description : "");
    cJSON *list = cJSON_AddArrayToObject(j->offline, "objectives");
    const char *giver = agent_sfield(q.details, "giver", "villager");
    char rewards[200];
    rules_describe_effects(q.rewards, NULL, rewards, sizeof rewards);
    sb_add(&rows, "A quest given by a %s, difficulty %d. Rewards (kept as they are): %s.\nObjectives:\n", giver,
           q.difficulty_level, rewards);
    j->n_obj = 0;
    for (int i = 0; i < no && j->n_obj < QUEST_MAX_OBJECTIVES; i++) {
        const char *id = agent_sfield(ob[i].progress_data, "id", NULL);
        if (!id)
            continue;
        char what[64];
        text_words(agent_sfield(ob[i].progress_data, "creature", NULL) ? agent_sfield(ob[i].progress_data, "creature", NULL)
              : agent_sfield(ob[i].progress_data, "item", NULL)   ? agent_sfield(ob[i].progress_data, "item", NULL)
                                                       : agent_sfield(ob[i].progress_data, "place", NULL),
              what, sizeof what);
        sb_add(&rows, "- id \"%s\": %s %d %s%s%s\n", id, agent_sfield(ob[i].progress_data, "kind", "do"),
               (int)agent_nfield(ob[i].progress_data, "count", 1), what, agent_sfield(ob[i].progress_data, "to", NULL) ? " to the " : "",
               agent_sfield(ob[i].progress_data, "to", ""));
        snprintf(j->obj_ids[j->n_obj], sizeof j->obj_ids[0], "%s", id);
        j->obj_rows[j->n_obj++] = ob[i].id;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", id);
        cJSON_AddStringToObject(o, "text", ob[i].objective_text ? ob[i].objective_text : "");
        cJSON_AddItemToArray(list, o);
    }
    int64_t for_id = (int64_t)agent_nfield(q.details, "for", 0);
    CharacterRow who;
    if (for_id > 0 && characters_get(s, for_id, &who, NULL) == MA_OK) {
        sb_add(&sum, "A quest for %s, a level %d %s. Keep it short and concrete.\n", who.name, who.level,
               who.character_class);
        character_row_clear(&who);
    } else {
        sb_add(&sum, "A quest for any traveller. Keep it short and concrete.\n");
    }
    if ((rc = world_facts(s, world_id, turn, &world, err)) == MA_OK &&
        (rc = deeds(s, world_id, for_id, turn, &dd, err)) == MA_OK)
        finish(j, sb_str(&world), "The quest", sb_str(&rows), sb_str(&dd), sb_str(&sum),
               "Rewrite this quest's title, description and objective texts. Keep every objective id.");
done:
    objectives_list_free(ob, no);
    quest_row_clear(&q);
    free(world.s), free(rows.s), free(dd.s), free(sum.s);
    return rc;
}

int llm_prompt_event(Save *s, int64_t world_id, int64_t event_id, int64_t turn, LlmJob *j, Err *err)
{
    EventRow e;
    int rc = events_get(s, event_id, &e, err);
    if (rc != MA_OK)
        return rc;
    Sb world = {0}, rows = {0}, dd = {0}, sum = {0};
    j->row_id = event_id;
    j->world_id = world_id;
    j->offline = cJSON_CreateObject();
    cJSON_AddStringToObject(j->offline, "name", e.event_name);
    cJSON_AddStringToObject(j->offline, "description", e.description ? e.description : "");
    char kind[40], creature[64], start[48], end[48];
    text_words(e.event_type, kind, sizeof kind);
    text_words(agent_sfield(e.event_data, "creature", NULL), creature, sizeof creature);
    int64_t t0 = (int64_t)agent_nfield(e.event_data, "start_turn", (double)turn);
    int64_t t1 = (int64_t)agent_nfield(e.event_data, "end_turn", (double)turn);
    sb_add(&rows, "An event of kind %s, from %s to %s.\n", kind, calendar_date(t0, start, sizeof start),
           calendar_date(t1, end, sizeof end));
    if (agent_sfield(e.event_data, "village", NULL))
        sb_add(&rows, "Where: the village of %s.\n", agent_sfield(e.event_data, "village", NULL));
    if (creature[0])
        sb_add(&rows, "Who: %ss.\n", creature);
    double price = agent_nfield(e.event_data, "price", 1), spawn = agent_nfield(e.event_data, "spawn_rate", 1);
    if (price != 1)
        sb_add(&rows, "Prices are %s (x%.2f).\n", price < 1 ? "lower" : "higher", price);
    if (spawn != 1)
        sb_add(&rows, "%s creatures (x%.2f)%s.\n", spawn > 1 ? "More" : "Fewer", spawn,
               cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e.event_data, "night_only")) ? " at night" : "");
    sb_add(&sum, "Name the event and tell the players what happens, in one or two sentences.\n");
    if ((rc = world_facts(s, world_id, turn, &world, err)) == MA_OK && (rc = deeds(s, world_id, 0, turn, &dd, err)) == MA_OK)
        finish(j, sb_str(&world), "The event", sb_str(&rows), sb_str(&dd), sb_str(&sum),
               "Rewrite this event's name and description.");
    event_row_clear(&e);
    free(world.s), free(rows.s), free(dd.s), free(sum.s);
    return rc;
}

int llm_prompt_branch(Save *s, int64_t world_id, int64_t branch_id, int64_t turn, LlmJob *j, Err *err)
{
    BranchRow b, parent;
    memset(&parent, 0, sizeof parent);
    int rc = branches_get(s, branch_id, &b, err);
    if (rc != MA_OK)
        return rc;
    StoryRow st;
    memset(&st, 0, sizeof st);
    Sb world = {0}, rows = {0}, dd = {0}, sum = {0};
    if ((rc = stories_get(s, b.story_id, &st, err)) != MA_OK)
        goto done;
    j->row_id = branch_id;
    j->world_id = world_id;
    j->offline = cJSON_CreateObject();
    cJSON_AddStringToObject(j->offline, "choice", agent_sfield(b.conditions, "choice", ""));
    cJSON_AddStringToObject(j->offline, "text", b.content ? b.content : "");
    const cJSON *cond = cJSON_GetObjectItemCaseSensitive(b.conditions, "condition");
    const cJSON *eff = cJSON_GetObjectItemCaseSensitive(b.consequences, "effects");
    if (cond)
        cJSON_AddItemToObject(j->offline, "conditions", cJSON_Duplicate(cond, 1));
    if (eff)
        cJSON_AddItemToObject(j->offline, "consequences", cJSON_Duplicate(eff, 1));
    sb_add(&rows, "Storyline: %s. %s\n", st.title, st.description ? st.description : "");
    if (b.parent_branch_id > 0 && branches_get(s, b.parent_branch_id, &parent, NULL) == MA_OK) {
        sb_add(&rows, "The passage before this choice:\n%.700s\n", parent.content ? parent.content : "");
        BranchRow *kids = NULL;
        int nk = 0;
        if (branches_children(s, parent.id, &kids, &nk, NULL) == MA_OK) {
            for (int i = 0; i < nk; i++)
                if (kids[i].id != branch_id && agent_sfield(kids[i].conditions, "choice", NULL))
                    sb_add(&rows, "Another choice there: %s\n", agent_sfield(kids[i].conditions, "choice", NULL));
            branches_list_free(kids, nk);
        }
    }
    sb_add(&sum, "Keep the storyline's people and places; what the branch does in the world stays as the game "
                 "decided.\n");
    if ((rc = world_facts(s, world_id, turn, &world, err)) == MA_OK && (rc = deeds(s, world_id, 0, turn, &dd, err)) == MA_OK)
        finish(j, sb_str(&world), "The storyline", sb_str(&rows), sb_str(&dd), sb_str(&sum),
               "Write this new branch's choice and passage.");
done:
    branch_row_clear(&b);
    branch_row_clear(&parent);
    story_row_clear(&st);
    free(world.s), free(rows.s), free(dd.s), free(sum.s);
    return rc;
}

int llm_prompt_line(Save *s, int64_t world_id, int64_t npc_id, int64_t player_id, const char *greeting,
                    int64_t turn, LlmJob *j, Err *err)
{
    CharacterRow npc, me;
    memset(&me, 0, sizeof me);
    int rc = characters_get(s, npc_id, &npc, err);
    if (rc != MA_OK)
        return rc;
    Sb world = {0}, rows = {0}, dd = {0}, sum = {0};
    if ((rc = characters_get(s, player_id, &me, err)) != MA_OK)
        goto done;
    char role[32];
    text_words(agent_sfield(npc.appearance, "role", "villager"), role, sizeof role);
    const char *village = agent_sfield(npc.appearance, "village", NULL);
    snprintf(j->who, sizeof j->who, "%s the %s", npc.name, role);
    j->row_id = npc_id;
    j->world_id = world_id;
    j->character_id = player_id;
    snprintf(j->entity, sizeof j->entity, "%s", agent_sfield(npc.appearance, "entity_id", ""));
    sb_add(&rows, "%s, the %s%s%s.\n", npc.name, role, village ? " of " : "", village ? village : "");
    RelationshipRow theirs, mine;
    int opinion = 0;
    if (relationships_get(s, npc_id, player_id, &theirs, NULL) == MA_OK) {
        opinion = theirs.relationship_value;
        sb_add(&rows, "%s's opinion of %s: %d (from -100 to 100).\n", npc.name, me.name, opinion);
        int n = cJSON_GetArraySize(theirs.interaction_history);
        for (int i = n > 5 ? n - 5 : 0; i < n; i++) {
            const cJSON *h = cJSON_GetArrayItem(theirs.interaction_history, i);
            sb_add(&rows, "Between them: %s (%+d)%s%s.\n", agent_sfield(h, "deed", "a deed"), (int)agent_nfield(h, "delta", 0),
                   agent_sfield(h, "reason", NULL) ? ": " : "", agent_sfield(h, "reason", ""));
        }
        relationship_row_clear(&theirs);
    } else {
        sb_add(&rows, "They have just met.\n");
    }
    if (relationships_get(s, player_id, npc_id, &mine, NULL) == MA_OK) {
        sb_add(&rows, "%s's opinion of %s: %d.\n", me.name, npc.name, mine.relationship_value);
        relationship_row_clear(&mine);
    }
    /* What this villager said to this player before (the lines kept). */
    MemoryRow *m = NULL;
    int nm = 0;
    char iso[32];
    if (memory_list_type(s, world_id, "line", calendar_iso(turn, iso, sizeof iso), &m, &nm, NULL) == MA_OK) {
        int shown = 0;
        for (int i = nm - 1; i >= 0 && shown < 3; i--)
            if ((int64_t)agent_nfield(m[i].memory_data, "npc_id", 0) == npc_id &&
                (int64_t)agent_nfield(m[i].memory_data, "character_id", 0) == player_id && agent_sfield(m[i].memory_data, "line", NULL)) {
                sb_add(&rows, "Said before: %s\n", agent_sfield(m[i].memory_data, "line", NULL));
                shown++;
            }
        memory_list_free(m, nm);
    }
    const char *mood = opinion <= -60 ? "hates" : opinion <= -20 ? "dislikes" : opinion < 20 ? "is neutral towards"
                       : opinion < 60 ? "likes" : "trusts";
    sb_add(&sum, "%s %s %s, a level %d %s, who has come to talk.\n", npc.name, mood, me.name, me.level,
           me.character_class);
    char task[400];
    snprintf(task, sizeof task, "Write what %s says now to %s. The game's own greeting was: \"%.190s\"", npc.name,
             me.name, greeting ? greeting : "");
    if ((rc = world_facts(s, world_id, turn, &world, err)) == MA_OK &&
        (rc = deeds(s, world_id, player_id, turn, &dd, err)) == MA_OK)
        finish(j, sb_str(&world), "The villager", sb_str(&rows), sb_str(&dd), sb_str(&sum), task);
done:
    character_row_clear(&npc);
    character_row_clear(&me);
    free(world.s), free(rows.s), free(dd.s), free(sum.s);
    return rc;
}
