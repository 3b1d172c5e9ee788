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
#include "save/characters.h"
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
        /* The reply list is drawn from the conversation itself, not from the events, and is not
         * copied into the message log: there it would push out what happened. */
        const char *t = r.events[i].text;
        int is_reply = t[0] >= '1' && t[0] <= '9' && t[1] == ')';
        if (is_reply)
            continue;
        if (log)
            log_add(log, r.events[i].severity, turn, "%s", t);
        if (*n_out < TALK_OUTCOME_LINES)
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
    int says_village = v->village[0] && strstr(v->name, v->village) != NULL; /* "Mara of Ashford" */
    snprintf(line, sizeof line, "%s, the %s%s%s — %s (%d)", v->name, role, v->village[0] && !says_village ? " of " : "",
             says_village ? "" : v->village, opinion_words(v->opinion), v->opinion);
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
    char foot[80];
    if (v->n_replies > 1)
        snprintf(foot, sizeof foot, "a-%c reply   Esc walk away", 'a' + v->n_replies - 1);
    else
        snprintf(foot, sizeof foot, "%sEsc walk away", v->n_replies ? "a reply   " : "");
    attrset(term_role(ROLE_DIM));
    term_put(LINES - 1, 1, COLS - 2, foot);
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
        if (log && v.replies[pick].available)
            log_add(log, SEV_INFO, (long)game_clock(g), "You: \"%s\"", v.replies[pick].text);
        memset(&a, 0, sizeof a);
        a.kind = ACT_SAY;
        a.count = pick + 1;
        if (talk_apply(g, &a, log, outcome, &n_outcome) < 0)
            return 0;
    }
}

/* Shares quest q with another of the player's characters in this world, picked from a list
 * (ACT_QUEST_SHARE, as `quest share NAME to CHARACTER` in a script). */
static void share_quest(Game *g, const QuestView *q, MsgLog *log)
{
    const Player *p = game_player(g);
    CharacterRow *cs = NULL;
    int n = 0;
    Err err = {0};
    if (characters_list_by_user(game_save(g), p->user_id, p->world_id, &cs, &n, &err) != MA_OK) {
        screen_message("Share a quest", err.msg);
        return;
    }
    ListItem *items = calloc((size_t)(n > 0 ? n : 1), sizeof *items);
    int *map = calloc((size_t)(n > 0 ? n : 1), sizeof *map);
    int m = 0;
    for (int i = 0; items && map && i < n; i++) {
        if (cs[i].id == p->character_id)
            continue;
        snprintf(items[m].text, sizeof items[m].text, "%s", cs[i].name);
        snprintf(items[m].detail, sizeof items[m].detail, "%s, level %d", cs[i].character_class, cs[i].level);
        map[m++] = i;
    }
    if (items && map && m == 0) {
        screen_message("Share a quest", "You have no other character in this world to share it with. "
                                        "A character of yours made with New game in this world can take it.");
    } else if (items && map) {
        char title[200];
        snprintf(title, sizeof title, "Share %s with which of your characters?", q->title);
        ListSpec spec = {.title = title, .items = items, .n = m, .lettered = 1, .selectable = 1, .help_ctx = KCTX_LIST};
        int pick = list_run(&spec);
        if (pick >= 0) {
            Action a;
            memset(&a, 0, sizeof a);
            a.kind = ACT_QUEST_SHARE;
            snprintf(a.arg, sizeof a.arg, "%s", q->name);
            snprintf(a.target, sizeof a.target, "%s", cs[map[pick]].name);
            char out[TALK_OUTCOME_LINES][160];
            int n_out = 0;
            talk_apply(g, &a, log, out, &n_out);
            screen_message("Share a quest", n_out > 0 ? out[0] : "Shared.");
        }
    }
    free(map);
    free(items);
    characters_list_free(cs, n);
}

/* One quest's page: who gave it, each objective, time left, rewards. t tracks it in the side
 * panel, s shares it. Returns 1 when it was chosen to be tracked. */
static int quest_page(Game *g, const QuestView *q, MsgLog *log, int active)
{
    ListItem items[QUEST_MAX_OBJECTIVES + 8];
    memset(items, 0, sizeof items);
    int k = 0;
    snprintf(items[k++].text, sizeof items[0].text, "From %s", q->giver_name[0] ? q->giver_name : "a villager");
    snprintf(items[k++].text, sizeof items[0].text, "Status: %s%s", q->status,
             strcmp(q->status, "expired") == 0 ? " (time ran out)" : "");
    if (q->turns_left >= 0)
        snprintf(items[k++].text, sizeof items[0].text, "Time left: %lld turns (%lld hours of game time)",
                 (long long)q->turns_left, (long long)(q->turns_left * 2 / 60));
    for (int j = 0; j < q->n_objectives; j++) {
        const QuestObjectiveView *o = &q->objectives[j];
        snprintf(items[k].text, sizeof items[0].text, "  %s %d/%d", o->text, o->count, o->target);
        snprintf(items[k++].detail, sizeof items[0].detail, "%s", o->done ? "done" : o->open ? "in progress" : "not yet");
    }
    if (q->rewards[0])
        snprintf(items[k++].text, sizeof items[0].text, "Rewards: %s", q->rewards);
    ListSpec spec = {.title = q->title, .items = items, .n = k, .wrap = 1, .keys_ok = active ? "ts" : NULL,
                     .hint = active ? "t track in the side panel  s share with another of your characters  Esc back"
                                    : "Esc back"};
    for (;;) {
        int r = list_run(&spec);
        if (r == LIST_KEY('t'))
            return 1;
        if (r == LIST_KEY('s')) {
            share_quest(g, q, log);
            continue;
        }
        return 0;
    }
}

void quests_run(Game *g, MsgLog *log, char *tracked, size_t tracked_size)
{
    QuestView *q = NULL;
    int n = 0;
    Err err = {0};
    if (quest_log(g, &q, &n, &err) != MA_OK) {
        screen_message("Quests", err.msg);
        return;
    }
    int cap = 4;
    for (int i = 0; i < n; i++)
        cap += 1 + q[i].n_objectives;
    ListItem *items = calloc((size_t)cap, sizeof *items);
    int *quest_of = calloc((size_t)cap, sizeof *quest_of);
    if (!items || !quest_of) {
        free(items);
        free(quest_of);
        free(q);
        return;
    }
    int k = 0;
    const char *section = "";
    int first_active = -1;
    for (int i = 0; i < n; i++) {
        int active = strcmp(q[i].status, "active") == 0;
        const char *group = active ? "Active" : strcmp(q[i].status, "completed") == 0 ? "Completed" : "Failed";
        if (active && first_active < 0)
            first_active = i;
        if (strcmp(group, section) != 0) {
            section = group;
            quest_of[k] = -1;
            snprintf(items[k].text, sizeof items[0].text, "-- %s --", group);
            items[k++].attr = term_role(ROLE_DIM);
        }
        int is_tracked = active && (strcmp(q[i].name, tracked) == 0 || (!tracked[0] && i == first_active));
        ListItem *it = &items[k];
        quest_of[k++] = i;
        snprintf(it->text, sizeof it->text, "%s%s — from %s", q[i].title, is_tracked ? " (tracked)" : "",
                 q[i].giver_name[0] ? q[i].giver_name : "a villager");
        if (q[i].turns_left >= 0)
            snprintf(it->detail, sizeof it->detail, "%lld turns left", (long long)q[i].turns_left);
        for (int j = 0; j < q[i].n_objectives; j++) {
            const QuestObjectiveView *o = &q[i].objectives[j];
            it = &items[k];
            quest_of[k++] = i;
            snprintf(it->text, sizeof it->text, "    %s %d/%d", o->text, o->count, o->target);
            snprintf(it->detail, sizeof it->detail, "%s", o->done ? "done" : o->open ? "in progress" : "not yet");
        }
    }
    char title[96];
    snprintf(title, sizeof title, "Quest log — %d quest%s (Enter: details, track, share)", n, n == 1 ? "" : "s");
    ListSpec spec = {.title = title, .items = items, .n = k, .selectable = 1, .wrap = 1, .help_ctx = KCTX_LIST,
                     .start = k > 1 ? 1 : 0}; /* on the first quest, not its section's heading */
    if (n == 0) {
        snprintf(items[0].text, sizeof items[0].text, "No quests yet: talk to villagers (T, then a direction) and ask for work.");
        quest_of[0] = -1;
        spec.n = 1;
        spec.selectable = 0;
    }
    for (;;) {
        int pick = list_run(&spec);
        if (pick < 0)
            break;
        spec.start = pick;
        int i = quest_of[pick];
        if (i < 0)
            continue;
        int active = strcmp(q[i].status, "active") == 0;
        if (quest_page(g, &q[i], log, active) && active) {
            snprintf(tracked, tracked_size, "%s", q[i].name);
            if (log)
                log_add(log, SEV_INFO, (long)game_clock(g), "The side panel follows %s.", q[i].title);
            break;
        }
    }
    free(quest_of);
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
    ListSpec spec = {.title = title, .items = items, .n = n, .wrap = 1};
    list_run(&spec);
    free(items);
    free(v);
}
