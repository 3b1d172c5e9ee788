/* screen_chronicle.c — the chronicle: what happened in the world, newest
 * first, from the evolution log (src/agents/evolution.h). Typing filters it
 * (an agent's name keeps that agent's entries); Enter shows an entry: when,
 * who, why, and what it changed. Also the "While you were away" lines shown
 * when a game is continued. */
#include "screen_chronicle.h"
#include "screen_lists.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/agents.h"
#include "game/calendar.h"
#include "save/agents.h"
#include "term.h"

static const char *agent_name(Save *s, int64_t id, char *buf, size_t size)
{
    AgentRow a;
    snprintf(buf, size, "%s", id ? "?" : "the world");
    if (id && agents_get(s, id, &a, NULL) == MA_OK) {
        snprintf(buf, size, "%s", a.agent_type);
        for (char *c = buf; *c; c++) /* "world builder", as look mode and the news say it */
            if (*c == '_')
                *c = ' ';
        agent_row_clear(&a);
    }
    return buf;
}

static const char *summary_of(const EvolutionRow *r)
{
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(r->changes_made, "summary");
    return cJSON_IsString(sum) && sum->valuestring[0] ? sum->valuestring : r->evolution_type;
}

static void entry_detail(Save *s, const EvolutionRow *r, char *buf, size_t size)
{
    char who[40], when[48];
    calendar_date(calendar_turn_of_iso(r->applied_at), when, sizeof when);
    agent_name(s, r->agent_id, who, sizeof who);
    size_t n = (size_t)snprintf(buf, size, "#%lld, %s, by the %s%s.\n\n%s.\n", (long long)r->id, when, who,
                                r->is_active ? "" : " (rolled back since)", summary_of(r));
    const cJSON *it;
    cJSON_ArrayForEach(it, r->reasoning) {
        if (n >= size || strcmp(it->string, "agent") == 0 || strcmp(it->string, "date") == 0)
            continue;
        char *v = cJSON_IsString(it) ? NULL : cJSON_PrintUnformatted(it);
        n += (size_t)snprintf(buf + n, size - n, "\n%s: %s", it->string, v ? v : it->valuestring);
        cJSON_free(v);
    }
    if (n < size)
        snprintf(buf + n, size - n, "\n\nIt changed %d blocks, %d creatures or villagers and %d rows of the save.",
                 cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->changes_made, "blocks")),
                 cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->changes_made, "entities")),
                 cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->changes_made, "rows")));
}

void screen_chronicle_run(Save *s, int64_t world_id)
{
    EvolutionRow *rows = NULL;
    int n = 0;
    if (evolution_list(s, world_id, 0, &rows, &n, NULL) != MA_OK) {
        screen_message("Chronicle", "The chronicle could not be read from the save.");
        return;
    }
    ListItem *items = calloc((size_t)(n > 0 ? n : 1), sizeof *items);
    int *index = calloc((size_t)(n > 0 ? n : 1), sizeof *index);
    int k = 0;
    for (int i = n - 1; items && index && i >= 0; i--) {
        char who[40], when[48];
        calendar_date(calendar_turn_of_iso(rows[i].applied_at), when, sizeof when);
        snprintf(items[k].text, sizeof items[k].text, "%-20s %-17s %s%s", when,
                 agent_name(s, rows[i].agent_id, who, sizeof who), rows[i].is_active ? "" : "(undone) ",
                 summary_of(&rows[i]));
        snprintf(items[k].detail, sizeof items[k].detail, "#%lld", (long long)rows[i].id);
        index[k++] = i;
    }
    if (k == 0) {
        screen_message("Chronicle", "Nothing has happened in this world yet. Days pass, villages grow, seasons "
                                    "turn: come back later.");
    } else if (items && index) {
        ListSpec spec = {.title = "Chronicle: what happened in the world (newest first)", .items = items, .n = k,
                         .selectable = 1, .help_ctx = KCTX_LIST, .wrap = 1, /* at 60 columns a summary had
                                                                               * been cut to 20 characters */
                         .hint = "type an agent's name to filter  Enter: why  Esc back"};
        int pick;
        while ((pick = list_run(&spec)) >= 0) {
            char text[3000];
            entry_detail(s, &rows[index[pick]], text, sizeof text);
            screen_message("Chronicle entry", text);
            spec.start = pick;
        }
    }
    free(items);
    free(index);
    evolution_list_free(rows, n);
}

