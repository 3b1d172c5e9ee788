/* screen_talk.c — talking to villagers, the quest log and the achievements screen.
 *
 * The conversation screen reads the core's view of it (npc_conversation) and carries out
 * replies as ACT_SAY through game_apply, exactly as `say N` in a script, so quests and
 * achievements advance the same way. The quest log and achievements are read-only lists. */
#include "screen_talk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/achieve.h"
#include "game/npc.h"
#include "game/quest.h"
#include "term.h"

#define TALK_OUTCOME_LINES 6

/* Applies a, logs what it did and keeps the last lines for the screen. */
static int talk_apply(Game *g, const Action *a, MsgLog *log, char out[][160], int *n_out)
{
    ActionResult r;
    Err err = {0};
    *n_out = 0;
    if (game_apply(g, a, &r, &err) != MA_OK) {
        snprintf(out[(*n_out)++], 160, "could not save: %s", err.msg);
        if (log)
            log_add(log, SEV_BAD, (long)game_clock(g), "could not save: %s", err.msg);
        return -1;
    }
    long turn = (long)game_clock(g);
    if (!r.ok) {
        snprintf(out[(*n_out)++], 160, "%s", r.text);
        if (log)
            log_add(log, SEV_WARN, turn, "%s", r.text);
    }
    for (int i = 0; i < r.n_events; i++) {
        if (log)
            log_add(log, r.events[i].severity, turn, "%s", r.events[i].text);
        /* The reply list is drawn from the conversation itself, not from the events. */
        const char *t = r.events[i].text;
        int is_reply = t[0] >= '1' && t[0] <= '9' && t[1] == ')';
        if (!is_reply && *n_out < TALK_OUTCOME_LINES)
            snprintf(out[(*n_out)++], 160, "%s", t);
    }
    return r.ok;
}

static const char *opinion_words(int v)
{
    return v <= -60 ? "hates you" : v <= -20 ? "dislikes you" : v < 20 ? "neutral" : v < 60 ? "likes you" : "trusts you";
}

/* Draws text wrapped at width from row y; returns the next free row. */
static int put_wrapped(int y, int x, int width, int max_rows, const char *text)
{
    const char *p = text;
    int rows = 0;
    while (*p && rows < max_rows && width > 4) {
        int len = (int)strlen(p);
        int take = len <= width ? len : width;
        if (take < len)
            for (int k = take; k > width / 2; k--)
                if (p[k] == ' ') {
                    take = k;
                    break;
                }
        char line[512];
        snprintf(line, sizeof line, "%.*s", take, p);
        term_put(y + rows, x, width, line);
        rows++;
        p += take;
        while (*p == ' ')
            p++;
    }
    return y + rows;
}

static void talk_draw(const NpcView *v, char outcome[][160], int n_outcome)
{
    erase();
    if (term_too_small())
        return;
    char line[320], role[16];
    snprintf(role, sizeof role, "%s", v->role);
    snprintf(line, sizeof line, "%s the %s%s%s — %s (%d)", v->name, role, v->village[0] ? " of " : "", v->village,
             opinion_words(v->opinion), v->opinion);
    attrset(term_role(ROLE_TITLE));
    term_put(0, 1, COLS - 2, line);
    attrset(A_NORMAL);
    snprintf(line, sizeof line, "\"%s\"", v->line);
    int y = put_wrapped(2, 3, COLS - 6, 3, line) + 1;
    for (int i = 0; i < v->n_replies && y < LINES - 3; i++) {
        const NpcReply *r = &v->replies[i];
        if (r->available)
            snprintf(line, sizeof line, "%c) %s", 'a' + i, r->text);
        else
            snprintf(line, sizeof line, "%c) %s  [unavailable: %s]", 'a' + i, r->text, r->why);
        attrset(r->available ? A_NORMAL : term_role(ROLE_DIM));
        y = put_wrapped(y, 3, COLS - 6, 2, line);
        attrset(A_NORMAL);
    }
    y++;
    for (int i = 0; i < n_outcome && y < LINES - 2; i++) {
        attrset(term_role(ROLE_INFO));
        y = put_wrapped(y, 3, COLS - 6, 2, outcome[i]);
    }
    attrset(term_role(ROLE_DIM));
    term_put(LINES - 1, 1, COLS - 2, "a-f or 1-6 reply   Esc walk away");
    attrset(A_NORMAL);
    refresh();
}

int talk_screen_run(Game *g, Dir d, MsgLog *log)
{
    char outcome[TALK_OUTCOME_LINES][160];
    int n_outcome = 0;
    Action a;
    memset(&a, 0, sizeof a);
    a.kind = ACT_TALK;
    a.dir = d;
    if (talk_apply(g, &a, log, outcome, &n_outcome) <= 0)
        return -1;
    /* The greeting and the replies are drawn from the conversation. */
    n_outcome = 0;
    for (;;) {
        NpcView v;
        Err err = {0};
        if (npc_conversation(g, &v, &err) != MA_OK)
            return 0; /* the reply ended it (farewell) */
        talk_draw(&v, outcome, n_outcome);
        int ch = term_getkey();
        if (ch == TERM_KEY_SIGNAL)
            return -2;
        if (ch == KEY_RESIZE)
            continue;
        if (ch == 27 || ch == 'q') {
            npc_end_conversation(g, &err);
            return 0;
        }
        int pick = ch >= 'a' && ch <= 'z' ? ch - 'a' : ch >= '1' && ch <= '9' ? ch - '1' : -1;
        if (pick < 0 || pick >= v.n_replies)
            continue;
        memset(&a, 0, sizeof a);
        a.kind = ACT_SAY;
        a.count = pick + 1;
        if (talk_apply(g, &a, log, outcome, &n_outcome) < 0)
            return 0;
    }
}

void quests_run(Game *g)
{
    QuestView *q = NULL;
    int n = 0;
    Err err = {0};
    if (quest_log(g, &q, &n, &err) != MA_OK) {
        screen_message("Quests", err.msg);
        return;
    }
    int cap = 3;
    for (int i = 0; i < n; i++)
        cap += 1 + q[i].n_objectives;
    ListItem *items = calloc((size_t)cap, sizeof *items);
    if (!items) {
        free(q);
        return;
    }
    int k = 0;
    const char *section = "";
    for (int i = 0; i < n; i++) {
        const char *group = strcmp(q[i].status, "active") == 0      ? "Active"
                            : strcmp(q[i].status, "completed") == 0 ? "Completed"
                                                                    : "Failed";
        if (strcmp(group, section) != 0) {
            section = group;
            snprintf(items[k++].text, sizeof items[0].text, "-- %s --", group);
        }
        ListItem *it = &items[k++];
        snprintf(it->text, sizeof it->text, "%s%s", q[i].title, strcmp(q[i].status, "expired") == 0 ? " (time ran out)" : "");
        if (q[i].turns_left >= 0)
            snprintf(it->detail, sizeof it->detail, "%lld turns left", (long long)q[i].turns_left);
        else
            snprintf(it->detail, sizeof it->detail, "from a %s", q[i].giver[0] ? q[i].giver : "villager");
        for (int j = 0; j < q[i].n_objectives; j++) {
            const QuestObjectiveView *o = &q[i].objectives[j];
            it = &items[k++];
            snprintf(it->text, sizeof it->text, "    %s %d/%d", o->text, o->count, o->target);
            snprintf(it->detail, sizeof it->detail, "%s", o->done ? "done" : o->open ? "in progress" : "not yet");
        }
    }
    char title[96];
    snprintf(title, sizeof title, "Quest log — %d quest%s", n, n == 1 ? "" : "s");
    ListSpec spec = {.title = title, .items = items, .n = k};
    if (n == 0) {
        snprintf(items[0].text, sizeof items[0].text, "No quests yet: talk to villagers and ask for work.");
        spec.n = 1;
    }
    list_run(&spec);
    free(items);
    free(q);
}

void achievements_run(Game *g)
{
    AchieveView *v = NULL;
    int n = 0, earned = 0;
    int64_t points = 0;
    Err err = {0};
    if (achieve_list(g, &v, &n, &points, &err) != MA_OK) {
        screen_message("Achievements", err.msg);
        return;
    }
    ListItem *items = calloc((size_t)(n > 0 ? n : 1), sizeof *items);
    if (!items) {
        free(v);
        return;
    }
    for (int i = 0; i < n; i++) {
        earned += v[i].earned;
        snprintf(items[i].text, sizeof items[i].text, "%s %s — %s (%d pts)", v[i].earned ? "[x]" : "[ ]", v[i].title,
                 v[i].description, v[i].points);
        if (v[i].earned)
            snprintf(items[i].detail, sizeof items[i].detail, "earned");
        else if (v[i].locked_by[0])
            snprintf(items[i].detail, sizeof items[i].detail, "after %s", v[i].locked_by);
        else if (v[i].need > 0)
            snprintf(items[i].detail, sizeof items[i].detail, "%s %lld/%lld", v[i].counter_label, (long long)v[i].have,
                     (long long)v[i].need);
    }
    char title[96];
    snprintf(title, sizeof title, "Achievements — %lld points, %d of %d earned", (long long)points, earned, n);
    ListSpec spec = {.title = title, .items = items, .n = n};
    list_run(&spec);
    free(items);
    free(v);
}
