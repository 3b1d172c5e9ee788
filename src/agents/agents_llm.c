/* agents_llm.c — the LLM session of a world: jobs staged during an agent's
 * run and queued once it commits, the worker that sends them, and the main
 * thread's side that validates each answer and applies it as an evolution
 * entry of its own (see agents_llm.h). */
#include "agents/agent_internal.h"
#include "agents/agents_llm.h"
#include "agents/agents_llm_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "game/npc.h"
#include "game/story_book.h"
#include "net/worker.h"
#include "save/agents.h"
#include "save/evolution.h"
#include "save/quests.h"
#include "save/stories.h"
#include "save/worlds.h"

#define MAX_STAGED 32
#define MAX_LINES AGENTS_LLM_QUEUE

struct AgentsLlm {
    Save *s;
    World *w;
    int64_t world_id;
    LlmConfig cfg;
    LlmClient *client;
    Worker *worker;
    int64_t agent_ids[AGENT_COUNT];
    LlmJob *staged[MAX_STAGED]; /* asked for during an agent's run, queued when it commits */
    int n_staged;
    cJSON *notes;               /* news to report at the next poll */
    /* tokens a game day */
    int64_t usage_day;
    long usage_tokens;
    int64_t usage_memory;       /* the agent_memory row keeping them, 0 when none yet */
    int64_t budget_said_day;    /* the day (+1) the spent budget was said, 0 never */
    /* resting after failures to reach the endpoint */
    int failures_in_row;
    double rest_until;
    int64_t lines[MAX_LINES][2]; /* villager and player of each line on its way */
    AgentsLlmStats stats;
};

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void note(AgentsLlm *l, AgentsLlmNote kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(AgentsLlm *l, AgentsLlmNote kind, const char *fmt, ...)
{
    char text[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    cJSON *n = cJSON_CreateObject();
    cJSON_AddNumberToObject(n, "kind", kind);
    cJSON_AddStringToObject(n, "text", text);
    cJSON_AddItemToArray(l->notes, n);
}

static void flush_notes(AgentsLlm *l, AgentsLlmReportFn report, void *ud)
{
    cJSON *n;
    cJSON_ArrayForEach(n, l->notes) {
        if (report)
            report((AgentsLlmNote)cJSON_GetObjectItemCaseSensitive(n, "kind")->valueint,
                   cJSON_GetObjectItemCaseSensitive(n, "text")->valuestring, ud);
    }
    cJSON_Delete(l->notes);
    l->notes = cJSON_CreateArray();
}

/* ------------------------------------------------------------ the worker's side */

static void run_job(void *job, const atomic_int *cancel, void *ctx)
{
    LlmJob *j = job;
    LlmClient *c = ctx;
    char *user = j->user;
    char *again = NULL;
    if (j->attempt > 1) {
        size_t n = strlen(j->user) + strlen(j->retry_why) + 200;
        again = malloc(n);
        if (again) {
            snprintf(again, n, "%s\nYour previous reply was refused: %s. Reply again with one JSON object, as asked.",
                     j->user, j->retry_why);
            user = again;
        }
    }
    LlmCall call = {.system = llm_kind_instructions(j->kind), .user = user, .schema_name = llm_kind_name(j->kind),
                    .schema = llm_kind_schema(j->kind), .max_tokens = llm_kind_max_tokens(j->kind),
                    .temperature = 0.8};
    llm_answer_clear(&j->answer);
    llm_chat(c, &call, &j->answer, cancel);
    free(again);
}

static void free_job(void *job) { llm_job_free(job); }

/* ------------------------------------------------------------ opening */

static int usage_load(AgentsLlm *l, int64_t turn, Err *err)
{
    MemoryRow *m = NULL;
    int n = 0;
    char iso[32];
    int rc = memory_list_type(l->s, l->world_id, "llm_usage", calendar_iso(turn, iso, sizeof iso), &m, &n, err);
    if (rc != MA_OK)
        return rc;
    l->usage_day = calendar_day(turn);
    for (int i = 0; i < n; i++)
        if ((int64_t)agent_nfield(m[i].memory_data, "day", -1) == l->usage_day) {
            l->usage_tokens = (long)agent_nfield(m[i].memory_data, "tokens", 0);
            l->usage_memory = m[i].id;
        }
    memory_list_free(m, n);
    return MA_OK;
}

static int world_clock_of(Save *s, int64_t world_id, int64_t *clock)
{
    WorldRow w;
    *clock = 0;
    if (worlds_get(s, world_id, &w, NULL) != MA_OK)
        return -1;
    *clock = (int64_t)agent_nfield(w.metadata, "clock", 0);
    world_row_clear(&w);
    return 0;
}

int agents_llm_open(Save *s, World *w, const LlmConfig *cfg, AgentsLlm **out, Err *err)
{
    *out = NULL;
    if (!cfg->on)
        return err_set(err, MA_ERR_INVALID, "the LLM is off: %s", cfg->problem[0] ? cfg->problem : "no MAGIC_LLM_URL");
    AgentsLlm *l = calloc(1, sizeof *l);
    if (!l)
        return err_set(err, MA_ERR_NOMEM, "out of memory opening the LLM session");
    l->s = s;
    l->w = w;
    l->world_id = world_id(w);
    l->cfg = *cfg;
    l->notes = cJSON_CreateArray();
    /* The agents' rows (a line is kept as the character master's memory). */
    int rc = MA_OK;
    for (int t = 0; t < AGENT_COUNT && rc == MA_OK; t++) {
        char name[80];
        snprintf(name, sizeof name, "%s@%lld", agent_type_name((AgentType)t), (long long)l->world_id);
        AgentRow row;
        if (agents_get_by_name(s, name, &row, NULL) == MA_OK) {
            l->agent_ids[t] = row.id;
            agent_row_clear(&row);
        } else {
            Agents *a = NULL;
            if ((rc = agents_open(s, w, &a, err)) == MA_OK) {
                for (int k = 0; k < AGENT_COUNT; k++)
                    l->agent_ids[k] = a->ids[k];
                agents_close(a);
            }
            break;
        }
    }
    int64_t clock = 0;
    world_clock_of(s, l->world_id, &clock);
    if (rc == MA_OK)
        rc = usage_load(l, clock, err);
    if (rc == MA_OK) {
        l->client = llm_client_new(cfg);
        l->worker = l->client ? worker_new(run_job, free_job, l->client, AGENTS_LLM_QUEUE) : NULL;
        if (!l->worker)
            rc = err_set(err, MA_ERR_NOMEM, "could not start the LLM worker thread");
    }
    if (rc != MA_OK) {
        agents_llm_close(l);
        return rc;
    }
    *out = l;
    return MA_OK;
}

void agents_llm_close(AgentsLlm *l)
{
    if (!l)
        return;
    worker_free(l->worker); /* cancels the request in flight */
    for (int i = 0; i < l->n_staged; i++)
        llm_job_free(l->staged[i]);
    llm_client_free(l->client);
    cJSON_Delete(l->notes);
    memset(&l->cfg, 0, sizeof l->cfg);
    free(l);
}

void agents_llm_attach(Agents *a, AgentsLlm *l)
{
    if (a)
        a->llm = l;
}

int agents_llm_pending(AgentsLlm *l) { return l ? worker_pending(l->worker) : 0; }

void agents_llm_stats(const AgentsLlm *l, AgentsLlmStats *out)
{
    *out = l->stats;
    out->tokens_today = l->usage_tokens;
}

/* ------------------------------------------------------------ asking */

/* Whether one more request may go now: not resting, the day's tokens not spent. */
static int may_ask(AgentsLlm *l, int64_t turn, const char *what)
{
    if (calendar_day(turn) != l->usage_day) {
        l->usage_day = calendar_day(turn);
        l->usage_tokens = 0;
        l->usage_memory = 0;
    }
    if (l->rest_until > mono_s())
        return 0;
    if (l->usage_tokens >= l->cfg.tokens_per_day) {
        if (l->budget_said_day != l->usage_day + 1) /* once a day */
            note(l, AGENTS_LLM_INFO, "The storyteller has spent today's %ld tokens: %s keeps the game's own words, "
                 "and so does everything else until tomorrow.", l->cfg.tokens_per_day, what);
        l->budget_said_day = l->usage_day + 1;
        return 0;
    }
    return 1;
}

static int submit(AgentsLlm *l, LlmJob *j, const char *what)
{
    if (worker_submit(l->worker, j) != 0) {
        note(l, AGENTS_LLM_FELL_BACK, "The storyteller is busy (%d waiting): %s keeps the game's own words.",
             AGENTS_LLM_QUEUE, what);
        return -1; /* the caller still owns j */
    }
    l->stats.asked += j->attempt == 1;
    return 0;
}

int agent_llm_rewrite(AgentCtx *c, LlmKind kind, int64_t row_id, int64_t entry_id, Err *err)
{
    AgentsLlm *l = c->a->llm;
    if (!l || entry_id <= 0 || row_id <= 0)
        return MA_OK;
    if (l->n_staged >= MAX_STAGED || !may_ask(l, c->turn, llm_kind_name(kind)))
        return MA_OK;
    LlmJob *j = llm_job_new(kind);
    if (!j)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    j->agent = c->type;
    j->agent_id = c->agent_id;
    j->source_entry = entry_id;
    int rc = kind == LLM_QUEST   ? llm_prompt_quest(c->a->s, c->a->world_id, row_id, c->turn, j, err)
             : kind == LLM_EVENT ? llm_prompt_event(c->a->s, c->a->world_id, row_id, c->turn, j, err)
             : kind == LLM_BRANCH ? llm_prompt_branch(c->a->s, c->a->world_id, row_id, c->turn, j, err)
                                  : err_set(err, MA_ERR_INVALID, "an agent cannot ask for a %s", llm_kind_name(kind));
    if (rc != MA_OK) {
        llm_job_free(j);
        return rc;
    }
    l->staged[l->n_staged++] = j;
    return MA_OK;
}

int agents_llm_staged(const Agents *a)
{
    return a && a->llm ? a->llm->n_staged : 0;
}

void agents_llm_drop_from(Agents *a, int mark)
{
    AgentsLlm *l = a ? a->llm : NULL;
    if (!l)
        return;
    for (int i = mark < 0 ? 0 : mark; i < l->n_staged; i++) {
        llm_job_free(l->staged[i]);
        l->staged[i] = NULL;
    }
    if (mark >= 0 && mark < l->n_staged)
        l->n_staged = mark;
}

void agents_llm_run_end(Agents *a, int committed)
{
    AgentsLlm *l = a ? a->llm : NULL;
    if (!l)
        return;
    for (int i = 0; i < l->n_staged; i++) {
        /* Not committed: the rows it names were rolled back. */
        if (!committed || submit(l, l->staged[i], llm_kind_name(l->staged[i]->kind)) != 0)
            llm_job_free(l->staged[i]);
        l->staged[i] = NULL;
    }
    l->n_staged = 0;
}

/* The line kept for this villager, player and day, if any, into buf. */
static int stored_line(AgentsLlm *l, int64_t npc_id, int64_t player_id, int64_t turn, char *buf, size_t size, Err *err)
{
    MemoryRow *m = NULL;
    int n = 0, found = 0;
    char iso[32];
    int rc = memory_list_type(l->s, l->world_id, "line", calendar_iso(turn, iso, sizeof iso), &m, &n, err);
    if (rc != MA_OK)
        return rc;
    for (int i = n - 1; i >= 0 && !found; i--) {
        const cJSON *d = m[i].memory_data;
        if ((int64_t)agent_nfield(d, "npc_id", 0) == npc_id && (int64_t)agent_nfield(d, "character_id", 0) == player_id &&
            (int64_t)agent_nfield(d, "day", -1) == calendar_day(turn) && agent_sfield(d, "line", NULL)) {
            snprintf(buf, size, "%s", agent_sfield(d, "line", ""));
            found = 1;
        }
    }
    memory_list_free(m, n);
    return found;
}

/* Is a line for this villager and player already on its way? */
static int line_pending(AgentsLlm *l, int64_t npc_id, int64_t player_id)
{
    for (int i = 0; i < MAX_LINES; i++)
        if (l->lines[i][0] == npc_id && l->lines[i][1] == player_id)
            return 1;
    return 0;
}

static void line_mark(AgentsLlm *l, int64_t npc_id, int64_t player_id, int on)
{
    for (int i = 0; i < MAX_LINES; i++) {
        if (on && l->lines[i][0] == 0) {
            l->lines[i][0] = npc_id;
            l->lines[i][1] = player_id;
            return;
        }
        if (!on && l->lines[i][0] == npc_id && l->lines[i][1] == player_id)
            l->lines[i][0] = l->lines[i][1] = 0;
    }
}

int agents_llm_talk(AgentsLlm *l, Game *g, AgentsLlmReportFn report, void *ud, Err *err)
{
    NpcView v;
    if (npc_conversation(g, &v, NULL) != MA_OK)
        return 0;
    int64_t npc_id = npc_character_id(g, v.entity_id), player = game_player(g)->character_id;
    int64_t turn = game_clock(g);
    if (npc_id <= 0)
        return 0;
    char line[LLM_MAX_LINE + 8];
    int found = stored_line(l, npc_id, player, turn, line, sizeof line, err);
    if (found < 0)
        return found;
    char role[16];
    snprintf(role, sizeof role, "%s", v.role);
    for (char *p = role; *p; p++)
        if (*p == '_')
            *p = ' ';
    if (found) {
        char text[400];
        snprintf(text, sizeof text, "%s the %s: \"%s\"", v.name, role, line);
        if (report)
            report(AGENTS_LLM_SPOKE, text, ud);
        return 1;
    }
    if (line_pending(l, npc_id, player) || !may_ask(l, turn, "the villager"))
        return 0;
    LlmJob *j = llm_job_new(LLM_LINE);
    if (!j)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    j->agent = AGENT_CHARACTER_MASTER;
    j->agent_id = l->agent_ids[AGENT_CHARACTER_MASTER];
    j->day = calendar_day(turn);
    int rc = llm_prompt_line(l->s, l->world_id, npc_id, player, v.line, turn, j, err);
    if (rc != MA_OK) {
        llm_job_free(j);
        return rc;
    }
    if (submit(l, j, "the villager") == 0)
        line_mark(l, npc_id, player, 1);
    else
        llm_job_free(j);
    return 0;
}

/* ------------------------------------------------------------ answers */

/* Item and quest names a generated branch may use: those of the game's data. */
typedef struct Names {
    AgentsLlm *l;
    ItemRegistry *items;
} Names;

static int item_exists(void *ud, const char *name)
{
    Names *n = ud;
    return n->items && items_find(n->items, name) != NULL;
}

static int quest_exists(void *ud, const char *name)
{
    Names *n = ud;
    QuestRow *rows = NULL;
    int k = 0, found = 0;
    if (quests_list_world(n->l->s, n->l->world_id, &rows, &k, NULL) != MA_OK)
        return 0;
    for (int i = 0; i < k && !found; i++)
        found = agent_sfield(rows[i].details, "name", NULL) && strcmp(agent_sfield(rows[i].details, "name", ""), name) == 0;
    quests_list_free(rows, k);
    return found;
}

/* Does the row still hold what the offline rules wrote (nobody changed it since)? */
static int row_still(Save *s, const char *table, int64_t id, const char *column, const char *text)
{
    cJSON *row = NULL;
    if (save_row_get(s, table, id, &row, NULL) != MA_OK || !row)
        return 0;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, column);
    int same = cJSON_IsString(v) && strcmp(v->valuestring, text ? text : "") == 0;
    cJSON_Delete(row);
    return same;
}

static int put_text(Save *s, const char *table, int64_t id, const char *column, const char *text, const char *column2,
                    const char *text2, Err *err)
{
    cJSON *row = cJSON_CreateObject();
    cJSON_AddNumberToObject(row, "id", (double)id);
    cJSON_AddStringToObject(row, column, text);
    if (column2)
        cJSON_AddStringToObject(row, column2, text2);
    int rc = save_row_put(s, table, row, err);
    cJSON_Delete(row);
    return rc;
}

static cJSON *usage_json(const LlmEnvelope *e)
{
    cJSON *u = cJSON_CreateObject();
    cJSON_AddNumberToObject(u, "prompt_tokens", (double)e->prompt_tokens);
    cJSON_AddNumberToObject(u, "completion_tokens", (double)e->completion_tokens);
    cJSON_AddNumberToObject(u, "total_tokens", (double)e->total_tokens);
    return u;
}

/* Counts the tokens of an answer against the day, keeping them in agent memory (inside the caller's transaction). */
static int count_tokens(AgentsLlm *l, const LlmEnvelope *e, int64_t turn, Err *err)
{
    long used = e->total_tokens > 0 ? e->total_tokens : 0;
    if (used == 0)
        return MA_OK;
    if (calendar_day(turn) != l->usage_day) {
        l->usage_day = calendar_day(turn);
        l->usage_tokens = 0;
        l->usage_memory = 0;
    }
    l->usage_tokens += used;
    cJSON *data = cJSON_CreateObject();
    cJSON_AddNumberToObject(data, "day", (double)l->usage_day);
    cJSON_AddNumberToObject(data, "tokens", (double)l->usage_tokens);
    int rc;
    if (l->usage_memory > 0) {
        cJSON *row = cJSON_CreateObject();
        cJSON_AddNumberToObject(row, "id", (double)l->usage_memory);
        char *text = cJSON_PrintUnformatted(data);
        cJSON_AddStringToObject(row, "memory_data", text ? text : "{}");
        cJSON_free(text);
        rc = save_row_put(l->s, "agent_memory", row, err);
        cJSON_Delete(row);
        cJSON_Delete(data);
    } else {
        MemoryRow m;
        memset(&m, 0, sizeof m);
        m.agent_id = l->agent_ids[AGENT_CHARACTER_MASTER];
        m.world_id = l->world_id;
        snprintf(m.memory_type, sizeof m.memory_type, "llm_usage");
        m.memory_data = data;
        calendar_iso(turn, m.created_at, sizeof m.created_at);
        calendar_iso(calendar_day_start(l->usage_day + 2), m.expires_at, sizeof m.expires_at);
        rc = memory_remember(l->s, &m, err);
        l->usage_memory = m.id;
        memory_row_clear(&m);
    }
    return rc;
}

static cJSON *reasoning_of(const AgentsLlm *l, const LlmJob *j, const LlmEnvelope *e)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "source", "llm");
    cJSON_AddStringToObject(r, "agent", agent_type_name((AgentType)j->agent));
    cJSON_AddStringToObject(r, "kind", llm_kind_name(j->kind));
    cJSON_AddStringToObject(r, "model", e->model[0] ? e->model : j->answer.model);
    cJSON_AddStringToObject(r, "endpoint", l->cfg.url);
    cJSON_AddItemToObject(r, "usage", usage_json(e));
    cJSON_AddItemToObject(r, "prompt_sections", cJSON_Duplicate(j->sections, 1));
    cJSON_AddStringToObject(r, "reply", e->content ? e->content : "");
    if (j->source_entry > 0)
        cJSON_AddNumberToObject(r, "rewrites", (double)j->source_entry);
    cJSON_AddNumberToObject(r, "attempts", j->attempt);
    cJSON_AddNumberToObject(r, "seconds", (double)((long)(j->answer.seconds * 100)) / 100);
    return r;
}

/* Applies a validated rewrite of an agent's rows as an "llm" entry. 1 when applied, 0 when the rows moved on. */
static int apply_rewrite(AgentsLlm *l, LlmJob *j, const cJSON *v, const LlmEnvelope *e, int64_t turn, char *said,
                         size_t said_size, Err *err)
{
    EvolutionRow src;
    if (evolution_get(l->s, j->source_entry, &src, NULL) != MA_OK) {
        snprintf(said, said_size, "its entry #%lld is gone", (long long)j->source_entry);
        return 0;
    }
    int active = src.is_active;
    evolution_row_clear(&src);
    if (!active) {
        snprintf(said, said_size, "its entry #%lld was rolled back", (long long)j->source_entry);
        return 0;
    }
    Evo *ev = evo_new(l->s, l->w, l->world_id, turn);
    if (!ev)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    int rc = MA_OK, fresh = 1;
    const char *old_title = "";
    char summary[200];
    if (j->kind == LLM_QUEST) {
        old_title = agent_sfield(j->offline, "title", "");
        fresh = row_still(l->s, "quests", j->row_id, "title", old_title) &&
                row_still(l->s, "quests", j->row_id, "description", agent_sfield(j->offline, "description", ""));
        if (fresh && (rc = evo_touch_row(ev, "quests", j->row_id, err)) == MA_OK)
            rc = put_text(l->s, "quests", j->row_id, "title", agent_sfield(v, "title", ""), "description",
                          agent_sfield(v, "description", ""), err);
        const cJSON *o;
        cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(v, "objectives")) {
            for (int k = 0; fresh && rc == MA_OK && k < j->n_obj; k++)
                if (strcmp(j->obj_ids[k], agent_sfield(o, "id", "")) == 0 &&
                    (rc = evo_touch_row(ev, "quest_objectives", j->obj_rows[k], err)) == MA_OK)
                    rc = put_text(l->s, "quest_objectives", j->obj_rows[k], "objective_text", agent_sfield(o, "text", ""),
                                  NULL, NULL, err);
        }
        snprintf(summary, sizeof summary, "the quest \"%.60s\" retold: \"%.60s\"", old_title, agent_sfield(v, "title", ""));
    } else if (j->kind == LLM_EVENT) {
        old_title = agent_sfield(j->offline, "name", "");
        fresh = row_still(l->s, "world_events", j->row_id, "event_name", old_title) &&
                row_still(l->s, "world_events", j->row_id, "description", agent_sfield(j->offline, "description", ""));
        if (fresh && (rc = evo_touch_row(ev, "world_events", j->row_id, err)) == MA_OK)
            rc = put_text(l->s, "world_events", j->row_id, "event_name", agent_sfield(v, "name", ""), "description",
                          agent_sfield(v, "description", ""), err);
        snprintf(summary, sizeof summary, "the event \"%.60s\" retold: \"%.60s\"", old_title, agent_sfield(v, "name", ""));
    } else {
        int reached = 1;
        fresh = branches_reached(l->s, j->row_id, &reached, NULL) == MA_OK && !reached &&
                row_still(l->s, "story_branches", j->row_id, "content", agent_sfield(j->offline, "text", ""));
        BranchRow b;
        if (fresh && (rc = evo_touch_row(ev, "story_branches", j->row_id, err)) == MA_OK &&
            (rc = branches_get(l->s, j->row_id, &b, err)) == MA_OK) {
            free(b.content);
            b.content = strdup(agent_sfield(v, "text", ""));
            cJSON_DeleteItemFromObjectCaseSensitive(b.conditions, "choice");
            cJSON_AddStringToObject(b.conditions, "choice", agent_sfield(v, "choice", ""));
            /* The reply's rules fill in only what the offline rules left empty: they never override them. */
            const cJSON *cond = cJSON_GetObjectItemCaseSensitive(v, "conditions");
            if (cond && !cJSON_GetObjectItemCaseSensitive(b.conditions, "condition"))
                cJSON_AddItemToObject(b.conditions, "condition", cJSON_Duplicate(cond, 1));
            const cJSON *eff = cJSON_GetObjectItemCaseSensitive(v, "consequences");
            const cJSON *had = cJSON_GetObjectItemCaseSensitive(b.consequences, "effects");
            if (eff && cJSON_GetArraySize(had) == 0) {
                cJSON_DeleteItemFromObjectCaseSensitive(b.consequences, "effects");
                cJSON_AddItemToObject(b.consequences, "effects", cJSON_Duplicate(eff, 1));
            }
            StoryBranchInfo info;
            Err why = {0};
            rc = story_branch_info(b.conditions, b.consequences, "the rewritten branch", &info, &why);
            if (rc != MA_OK) {
                snprintf(said, said_size, "the branch would not read: %s", why.msg);
                fresh = 0;
                rc = MA_OK;
            } else {
                rc = branches_update(l->s, &b, err);
            }
            branch_row_clear(&b);
        }
        snprintf(summary, sizeof summary, "a story branch written: \"%.100s\"", agent_sfield(v, "choice", ""));
    }
    int64_t id = 0;
    if (rc == MA_OK && fresh) {
        evo_summary(ev, "%s", summary);
        rc = evo_commit(ev, j->agent_id, "llm", reasoning_of(l, j, e), &id, err);
    }
    evo_free(ev);
    if (rc != MA_OK)
        return rc;
    if (!fresh) {
        if (!said[0])
            snprintf(said, said_size, "its rows changed since the agent wrote them");
        return 0;
    }
    snprintf(said, said_size, "#%lld %s", (long long)id, summary);
    return 1;
}

/* Keeps a villager's line in agent memory. */
static int keep_line(AgentsLlm *l, LlmJob *j, const cJSON *v, const LlmEnvelope *e, int64_t turn, Err *err)
{
    MemoryRow m;
    memset(&m, 0, sizeof m);
    m.agent_id = l->agent_ids[AGENT_CHARACTER_MASTER];
    m.world_id = l->world_id;
    snprintf(m.memory_type, sizeof m.memory_type, "line");
    m.memory_data = cJSON_CreateObject();
    cJSON_AddStringToObject(m.memory_data, "line", agent_sfield(v, "line", ""));
    cJSON_AddNumberToObject(m.memory_data, "npc_id", (double)j->row_id);
    cJSON_AddStringToObject(m.memory_data, "entity", j->entity);
    cJSON_AddNumberToObject(m.memory_data, "character_id", (double)j->character_id);
    cJSON_AddNumberToObject(m.memory_data, "day", (double)j->day);
    cJSON_AddStringToObject(m.memory_data, "source", "llm");
    cJSON_AddStringToObject(m.memory_data, "model", e->model[0] ? e->model : j->answer.model);
    cJSON_AddItemToObject(m.memory_data, "usage", usage_json(e));
    cJSON_AddItemToObject(m.memory_data, "prompt_sections", cJSON_Duplicate(j->sections, 1));
    calendar_iso(turn, m.created_at, sizeof m.created_at);
    calendar_iso(turn + 7 * TURNS_PER_DAY, m.expires_at, sizeof m.expires_at);
    int rc = memory_remember(l->s, &m, err);
    memory_row_clear(&m);
    return rc;
}

static const char *job_what(const LlmJob *j, char *buf, size_t size)
{
    if (j->kind == LLM_LINE)
        snprintf(buf, size, "%s's line", j->who);
    else
        snprintf(buf, size, "%s's %s (entry #%lld)", agent_type_name((AgentType)j->agent), llm_kind_name(j->kind),
                 (long long)j->source_entry);
    return buf;
}

/* One answer: applied, asked again, or given up. Returns 1 when the job ended (the caller frees it), 2 when
 * it was asked again (the worker has it), or a negative status. */
static int take_answer(AgentsLlm *l, LlmJob *j, Game *g, int64_t turn, Err *err)
{
    char what[200], why[400] = "";
    job_what(j, what, sizeof what);
    if (!j->answer.ok) {
        l->stats.fell_back++;
        int transport = strncmp(j->answer.fail, "http_4", 6) == 0 || strcmp(j->answer.fail, "refused") == 0 ||
                        strcmp(j->answer.fail, "timeout") == 0 || strcmp(j->answer.fail, "connect") == 0 ||
                        strcmp(j->answer.fail, "resolve") == 0 || strcmp(j->answer.fail, "tls") == 0 ||
                        strcmp(j->answer.fail, "cut") == 0 || strncmp(j->answer.fail, "http_5", 6) == 0 ||
                        strcmp(j->answer.fail, "rate_limited") == 0 || strcmp(j->answer.fail, "no_model") == 0;
        note(l, AGENTS_LLM_FELL_BACK, "The storyteller could not write %s (%s): the game's own words stay.", what,
             j->answer.error);
        if (transport && ++l->failures_in_row >= AGENTS_LLM_TRIP) {
            l->rest_until = mono_s() + AGENTS_LLM_REST;
            l->failures_in_row = 0;
            note(l, AGENTS_LLM_INFO, "The storyteller is unreachable: the game writes alone for %d s.", AGENTS_LLM_REST);
        }
        return 1;
    }
    l->failures_in_row = 0;
    LlmEnvelope e;
    cJSON *v = NULL;
    int valid = llm_envelope_parse(j->answer.body, j->answer.body_len, &e, why, sizeof why) == 0;
    /* Tokens count whatever the reply is worth. */
    int rc = save_begin(l->s, err);
    if (rc != MA_OK) {
        llm_envelope_clear(&e);
        return rc;
    }
    rc = count_tokens(l, &e, turn, err);
    if (valid && rc == MA_OK) {
        Names names = {l, NULL};
        if (j->kind == LLM_BRANCH)
            items_load_default(&names.items, NULL);
        const char *ids[QUEST_MAX_OBJECTIVES];
        for (int k = 0; k < j->n_obj; k++)
            ids[k] = j->obj_ids[k];
        LlmExpect ex = {.kind = j->kind, .objective_ids = ids, .n_objectives = j->n_obj, .prompt = j->echo,
                        .item_exists = item_exists, .quest_exists = quest_exists, .ud = &names};
        valid = llm_reply_validate(&ex, e.content, &v, why, sizeof why) == 0;
        items_free(names.items);
    }
    int applied = 0;
    char said[400] = "";
    if (valid && rc == MA_OK) {
        if (j->kind == LLM_LINE)
            rc = keep_line(l, j, v, &e, turn, err);
        else
            rc = (applied = apply_rewrite(l, j, v, &e, turn, said, sizeof said, err)) < 0 ? applied : MA_OK;
    }
    if (rc == MA_OK)
        rc = save_commit(l->s, err);
    if (rc != MA_OK) {
        save_rollback(l->s);
        world_forget(l->w);
        cJSON_Delete(v);
        llm_envelope_clear(&e);
        return rc;
    }
    int ended = 1;
    if (!valid) {
        if (j->attempt == 1 && may_ask(l, turn, what)) {
            j->attempt = 2;
            snprintf(j->retry_why, sizeof j->retry_why, "%s", why);
            l->stats.retried++;
            note(l, AGENTS_LLM_INFO, "The storyteller's reply for %s was refused (%s): asking once more.", what, why);
            llm_answer_clear(&j->answer);
            ended = submit(l, j, what) == 0 ? 2 : 1;
        } else {
            l->stats.fell_back++;
            note(l, AGENTS_LLM_FELL_BACK, "The storyteller's reply for %s was refused (%s): the game's own words stay.",
                 what, why);
        }
    } else if (j->kind == LLM_LINE) {
        l->stats.spoke++;
        note(l, AGENTS_LLM_SPOKE, "%s: \"%s\"", j->who, agent_sfield(v, "line", ""));
    } else if (applied) {
        l->stats.applied++;
        note(l, AGENTS_LLM_REWROTE, "%s", said);
        if (g)
            game_refresh(g, NULL);
    } else {
        l->stats.fell_back++;
        note(l, AGENTS_LLM_FELL_BACK, "The storyteller's words for %s were not used: %s.", what, said);
    }
    cJSON_Delete(v);
    llm_envelope_clear(&e);
    return ended;
}

int agents_llm_poll(AgentsLlm *l, Game *g, int64_t turn, AgentsLlmReportFn report, void *ud, Err *err)
{
    if (!l)
        return 0;
    int ended = 0, rc = MA_OK;
    LlmJob *j;
    while (rc >= 0 && (j = worker_take(l->worker)) != NULL) {
        rc = take_answer(l, j, g, turn, err);
        if (rc == 2)
            continue; /* asked again: the worker has it */
        if (j->kind == LLM_LINE)
            line_mark(l, j->row_id, j->character_id, 0);
        llm_job_free(j);
        ended += rc == 1;
    }
    flush_notes(l, report, ud);
    return rc < 0 ? rc : ended;
}

int agents_llm_drain(AgentsLlm *l, Game *g, int64_t turn, int timeout_ms, AgentsLlmReportFn report, void *ud, Err *err)
{
    if (!l)
        return 0;
    double until = mono_s() + timeout_ms / 1000.0;
    for (;;) {
        int rc = agents_llm_poll(l, g, turn, report, ud, err);
        if (rc < 0)
            return rc;
        int left = worker_pending(l->worker);
        double wait = until - mono_s();
        if (left == 0 || wait <= 0)
            return left;
        worker_wait(l->worker, wait > 0.25 ? 250 : (int)(wait * 1000) + 1);
    }
}
