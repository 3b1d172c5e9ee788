/* screen_talk.c — talking to villagers.
 *
 * The conversation screen reads the core's view of it (npc_conversation) and carries out
 * replies as ACT_SAY through game_apply, exactly as `say N` in a script, so quests and
 * achievements advance the same way. The quest log is screen_quests.c, the achievements
 * screen_achievements.c. */
#include "screen_talk.h"
#include "screen_lists.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/npc.h"
#include "term.h"


/* Applies a, logs what it did and keeps the last lines for the screen. */
int screen_talk_apply(Game *g, const Action *a, MsgLog *log, char out[][160], int *n_out)
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

int screen_talk_run(Game *g, Dir d, MsgLog *log)
{
    char outcome[TALK_OUTCOME_LINES][160];
    int n_outcome = 0;
    Action a;
    memset(&a, 0, sizeof a);
    a.kind = ACT_TALK;
    a.dir = d;
    if (screen_talk_apply(g, &a, log, outcome, &n_outcome) <= 0)
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
        if (screen_talk_apply(g, &a, log, outcome, &n_outcome) < 0)
            return 0;
    }
}

