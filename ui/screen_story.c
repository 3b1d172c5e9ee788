/* screen_story.c — the story pane and the journal (see screen_story.h). The pane reads the
 * core's view of the storyline (story_view) and takes choices as actions through
 * game_apply; the journal and history are lists over story_views and story_history. */
#include "screen_story.h"
#include "screen_lists.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/quest.h"
#include "game/story.h"
#include "screen_help.h"
#include "term.h"

#define OUTCOME_LINES 10
#define OUTCOME_TEXT 400 /* a line of what happened; wrapped to the pane when drawn */

/* Wraps text at width into lines (a blank line between paragraphs); returns how many, at
 * most max. Each line is a NUL-terminated copy in lines[i]; when the text needs more than max
 * lines, the last ends in "..." (the rest is not shown, and the reader is told so). */
static int wrap(const char *text, int width, char lines[][512], int max)
{
    const char *p = text;
    int n = 0;
    if (width < 8)
        width = 8;
    if (width > 500)
        width = 500;
    while (*p && n < max) {
        if (*p == '\n') {
            lines[n++][0] = '\0';
            p++;
            continue;
        }
        int len = (int)strcspn(p, "\n");
        int take = len <= width ? len : width;
        if (take < len)
            for (int k = take; k > width / 2; k--)
                if (p[k] == ' ') {
                    take = k;
                    break;
                }
        snprintf(lines[n++], 512, "%.*s", take, p);
        p += take;
        while (*p == ' ')
            p++;
    }
    if (*p && n > 0) { /* cut: room for "..." at the end of the last line, at a character's start */
        char *last = lines[n - 1];
        size_t keep = strlen(last);
        if ((int)keep > width - 3)
            keep = (size_t)(width - 3);
        while (keep > 0 && ((unsigned char)last[keep] & 0xC0) == 0x80)
            keep--;
        memcpy(last + keep, "...", 4);
    }
    return n;
}

/* Takes action a; keeps the lines that say what happened (not the next passage, which the
 * pane draws itself) in out, and everything in the log. */
static int story_apply(Game *g, const Action *a, MsgLog *log, char out[][OUTCOME_TEXT], int *n_out)
{
    ActionResult r;
    Err err = {0};
    *n_out = 0;
    if (game_apply(g, a, &r, &err) != MA_OK) {
        snprintf(out[(*n_out)++], OUTCOME_TEXT, "could not save: %s", err.msg);
        if (log)
            log_add(log, SEV_BAD, (long)game_clock(g), "could not save: %s", err.msg);
        return -1;
    }
    long turn = (long)game_clock(g);
    if (!r.ok) {
        snprintf(out[(*n_out)++], OUTCOME_TEXT, "%s", r.text);
        if (log)
            log_add(log, SEV_WARN, turn, "%s", r.text);
    }
    int passage = 0;
    for (int i = 0; i < r.n_events; i++) {
        const char *t = r.events[i].text;
        passage |= strncmp(t, "~ ", 2) == 0;
        if (passage)
            continue; /* the passage and its choices are on the pane already */
        if (log)
            log_add(log, r.events[i].severity, turn, "%s", t);
        if (*n_out < OUTCOME_LINES && strncmp(t, "You choose: ", 12) != 0)
            snprintf(out[(*n_out)++], OUTCOME_TEXT, "%s", t);
    }
    return r.ok;
}

#define PANE_TEXT_MAX 160

/* Draws the pane; the passage scrolls when it does not fit (*scroll is clamped here). */
/* The most rows a choice takes in the pane: its tag, its text and why it is locked. */
#define CHOICE_ROWS 4

static void pane_draw(const StoryView *v, int n_stories, char outcome[][OUTCOME_TEXT], int n_outcome, int *scroll)
{
    erase();
    if (term_too_small())
        return;
    char line[400];
    snprintf(line, sizeof line, "%s — %s story%s%s", v->title, v->type,
             strcmp(v->status, "active") == 0 ? "" : strcmp(v->status, "finished") == 0 ? ", finished: " : ", abandoned",
             strcmp(v->status, "finished") == 0 ? v->ending : "");
    /* The count on the right, the title clipped before it with an ellipsis (at 60 columns they
     * had run together: "... — vill4 storylines"). */
    char right[64] = "";
    if (n_stories > 1)
        snprintf(right, sizeof right, COLS >= 80 ? "%d storylines (Tab: the next)" : "%d stories (Tab)", n_stories);
    int rlen = (int)strlen(right), room = COLS - 2 - (rlen ? rlen + 2 : 0);
    char clipped[400];
    term_clip(line, room, clipped, sizeof clipped);
    attrset(term_role(ROLE_TITLE));
    term_put(0, 1, room, clipped);
    attrset(A_NORMAL);
    if (rlen) {
        attrset(term_role(ROLE_DIM));
        term_put(0, COLS - 1 - rlen, rlen, right);
        attrset(A_NORMAL);
    }
    int width = COLS - 6;
    char (*text)[512] = malloc(sizeof(char[PANE_TEXT_MAX][512]));
    char (*choice)[512] = malloc(sizeof(char[STORY_MAX_CHOICES * CHOICE_ROWS][512]));
    char (*said)[512] = malloc(sizeof(char[OUTCOME_LINES * 3][512]));
    if (!text || !choice || !said) {
        free(text);
        free(choice);
        free(said);
        return;
    }
    /* What happened, each line wrapped to the pane (at most three rows a line). */
    int n_said = 0;
    for (int i = 0; i < n_outcome; i++)
        n_said += wrap(outcome[i], width, said + n_said, 3);
    int nt = wrap(v->text, width, text, PANE_TEXT_MAX);
    int nc = 0, first[STORY_MAX_CHOICES + 1];
    for (int i = 0; i < v->n_choices; i++) {
        const StoryChoice *c = &v->choices[i];
        /* A choice that ends the storyline says so before it is taken (a warrior's only open
         * choice had ended the main story at once, with no word that it would). */
        const char *ends = c->ends == 1 ? "  (this ends the story)" : c->ends == 2 ? "  (this gives up the story)" : "";
        if (c->available)
            snprintf(line, sizeof line, "%c) %s%s%s%s", 'a' + i, c->tag, c->tag[0] ? " " : "", c->text, ends);
        else
            snprintf(line, sizeof line, "%c) %s%s%s%s  [locked: %s]", 'a' + i, c->tag, c->tag[0] ? " " : "", c->text,
                     ends, c->why);
        first[i] = nc;
        nc += wrap(line, width, choice + nc, CHOICE_ROWS);
    }
    first[v->n_choices] = nc;
    int ended = strcmp(v->status, "active") != 0;
    /* Rows: title and a blank, the passage, a blank, the choices (or the end), the outcome after a
     * blank, the key line. The outcome gives way first, then the passage scrolls. */
    int fixed = 2 + 1 + nc + ended + 1;
    int shown_outcome = n_said;
    while (shown_outcome > 0 && LINES - fixed - (shown_outcome + 1) < 4)
        shown_outcome--;
    int avail = LINES - fixed - (shown_outcome ? shown_outcome + 1 : 0);
    if (avail < 1)
        avail = 1;
    int more = nt > avail;
    int rows = more ? avail - 1 : avail;
    if (rows < 1)
        rows = 1;
    int max_scroll = nt > rows ? nt - rows : 0;
    if (*scroll > max_scroll)
        *scroll = max_scroll;
    if (*scroll < 0)
        *scroll = 0;
    int y = 2;
    for (int i = *scroll; i < nt && i < *scroll + rows; i++)
        term_put(y++, 3, width, text[i]);
    if (more) {
        attrset(term_role(ROLE_DIM));
        snprintf(line, sizeof line, "(%s%s)", *scroll < max_scroll ? "PgDn: more" : "the end of the passage",
                 *scroll > 0 ? ", PgUp: back" : "");
        term_put(y++, 3, width, line);
        attrset(A_NORMAL);
    }
    y++;
    for (int i = 0; i < v->n_choices; i++) {
        attrset(v->choices[i].available ? A_BOLD : term_role(ROLE_DIM));
        for (int k = first[i]; k < first[i + 1]; k++)
            term_put(y++, 3, width, choice[k]);
        attrset(A_NORMAL);
    }
    if (ended) {
        attrset(term_role(strcmp(v->status, "finished") == 0 ? ROLE_GOOD : ROLE_WARN));
        term_put(y++, 3, width, strcmp(v->status, "finished") == 0 ? "The story has ended." : "You left this story.");
        attrset(A_NORMAL);
    }
    y++;
    attrset(term_role(ROLE_INFO));
    for (int i = n_said - shown_outcome; i < n_said && y < LINES - 1; i++)
        term_put(y++, 3, width, said[i]);
    attrset(term_role(ROLE_DIM));
    const char *place = "";
    for (int i = 0; i < v->n_choices && !place[0]; i++)
        place = v->choices[i].place;
    /* "a choose" for one choice ("a-a" had been shown); under 80 columns the short words, so that
     * the line is whole at 60 ("Esc back t" had been cut). */
    char pick[16];
    if (v->n_choices == 1)
        snprintf(pick, sizeof pick, "a choose");
    else
        snprintf(pick, sizeof pick, "a-%c choose", 'a' + (v->n_choices > 26 ? 25 : v->n_choices - 1));
    /* The long words where they fit, else the short (a long place's name had cut "? keys" at 80). */
    for (int pass = 0; pass < 2; pass++) {
        int narrow = COLS < 80 || pass == 1;
        if (!ended && place[0] && !narrow)
            snprintf(line, sizeof line, "%s  t go to %s%s  Tab next story  J journal  Esc leave  ? keys", pick,
                     quest_place_is_name(place) ? "" : "the ",
                     place); /* fits 80 columns with the longest kind, and a village's name */
        else if (!ended && place[0])
            snprintf(line, sizeof line, "%s  t go there  Tab next  J journal  Esc leave  ?", pick);
        else if (!ended && v->n_choices > 0)
            snprintf(line, sizeof line,
                     narrow ? "%s  PgDn/PgUp  Tab next  J journal  Esc leave  ?"
                            : "%s   PgDn/PgUp scroll   Tab next story   J journal   Esc leave   ? keys",
                     pick);
        else
            snprintf(line, sizeof line, "%s",
                     narrow ? "PgDn/PgUp scroll  Tab next  J journal  Esc back  ? keys"
                            : "PgDn/PgUp scroll   Tab next story   J journal   Esc back to the map   ? keys");
        if (term_text_cols(line) <= COLS - 2)
            break;
    }
    char keys[400];
    term_clip(line, COLS - 2, keys, sizeof keys);
    term_put(LINES - 1, 1, COLS - 2, keys);
    attrset(A_NORMAL);
    refresh();
    free(text);
    free(choice);
    free(said);
}

/* The storyline after the focused one among the active ones (or any, when none is active). */
static int next_story(Game *g, char *title, size_t size)
{
    StoryView *v = NULL;
    int n = 0, rc = 0;
    Err err = {0};
    if (story_views(g, &v, &n, &err) != MA_OK || n < 2) {
        free(v);
        return 0;
    }
    int cur = 0;
    for (int i = 0; i < n; i++)
        if (v[i].focused)
            cur = i;
    for (int k = 1; k < n && !rc; k++) {
        const StoryView *w = &v[(cur + k) % n];
        if (strcmp(w->status, "active") == 0 || k == n - 1 || strcmp(v[cur].status, "active") != 0) {
            snprintf(title, size, "%s", w->title);
            rc = 1;
        }
    }
    free(v);
    return rc;
}

/* The storylines Tab goes through: the open ones, and the one in focus when it has ended (an
 * abandoned storyline had still been counted: "3 storylines" while Tab went between two). */
static int count_stories(Game *g)
{
    StoryView *v = NULL;
    int n = 0, k = 0;
    Err err = {0};
    if (story_views(g, &v, &n, &err) != MA_OK)
        n = 0;
    for (int i = 0; i < n; i++)
        k += strcmp(v[i].status, "active") == 0 || v[i].focused;
    free(v);
    return k;
}

int screen_story_run(Game *g, MsgLog *log, char *go, size_t go_size)
{
    go[0] = '\0';
    char outcome[OUTCOME_LINES][OUTCOME_TEXT];
    int n_outcome = 0, scroll = 0;
    int64_t ended = 0; /* a storyline the last choice ended: shown, with its ending, until a key */
    for (;;) {
        StoryView v;
        Err err = {0};
        int rc = story_view(g, ended, &v, &err);
        if (rc == MA_ERR_NOT_FOUND) {
            screen_message("Story", "No story has begun for you yet. Stories begin as you play: talk to the villagers, "
                                    "explore ruins, dungeons and shrines.");
            return 0;
        }
        if (rc != MA_OK) {
            screen_message("Story", err.msg);
            return 0;
        }
        pane_draw(&v, count_stories(g), outcome, n_outcome, &scroll);
        int ch = term_getkey();
        if (ch == TERM_KEY_SIGNAL)
            return -2;
        if (ch == KEY_RESIZE)
            continue;
        if (ended && ch != 27 && ch != 'q') {
            ended = 0; /* seen: on to the storyline in focus now */
            n_outcome = scroll = 0;
            continue;
        }
        int arg = 0;
        KeyCmd cmd = keys_lookup(ch, KCTX_STORY, &arg);
        if (cmd == KC_BACK || ch == 'q')
            return 0;
        if (cmd == KC_HELP) {
            screen_help_run(KCTX_STORY);
            continue;
        }
        if (cmd == KC_JOURNAL) {
            screen_story_journal_run(g);
            continue;
        }
        if (cmd == KC_STORY_GO && !ended) {
            for (int i = 0; i < v.n_choices && !go[0]; i++)
                snprintf(go, go_size, "%s", v.choices[i].place);
            if (go[0])
                return 2;
            continue;
        }
        if (cmd == KC_PAGE_DOWN || cmd == KC_PAGE_UP || cmd == KC_LIST_DOWN || cmd == KC_LIST_UP) {
            int step = cmd == KC_PAGE_DOWN || cmd == KC_PAGE_UP ? LINES / 2 : 1;
            scroll += cmd == KC_PAGE_DOWN || cmd == KC_LIST_DOWN ? step : -step;
            continue;
        }
        Action a;
        memset(&a, 0, sizeof a);
        if (cmd == KC_STORY_NEXT) {
            a.kind = ACT_STORY_FOCUS;
            if (!next_story(g, a.arg, sizeof a.arg))
                continue;
            n_outcome = 0;
            story_apply(g, &a, log, outcome, &n_outcome);
            n_outcome = scroll = 0;
            continue;
        }
        int pick = ch >= 'a' && ch <= 'h' ? ch - 'a' : -1;
        if (pick < 0 || pick >= v.n_choices)
            continue;
        /* Giving a storyline up asks first (a player who had pressed Tab gave up the wrong one). */
        if (v.choices[pick].available && v.choices[pick].ends == 2) {
            char q[200];
            snprintf(q, sizeof q, "Give up %s for good?", v.title);
            int yes = prompt_yn(q, 0);
            if (yes < 0)
                return 0;
            if (!yes)
                continue;
        }
        a.kind = ACT_CHOOSE;
        a.count = pick + 1;
        if (story_apply(g, &a, log, outcome, &n_outcome) < 0)
            return 0;
        scroll = 0;
        /* A choice that ends the storyline moves the focus on: its ending is shown first. */
        StoryView after;
        if (story_view(g, v.story_id, &after, &err) == MA_OK && strcmp(after.status, "active") != 0)
            ended = v.story_id;
    }
}

/* ---- the journal ---- */

/* "day 3, 14:20" for a game turn (turn 0 is 08:00 on day 1; a turn is two minutes). */
static void when_words(int64_t turn, char *buf, size_t size)
{
    if (turn < 0) {
        snprintf(buf, size, "?");
        return;
    }
    int minutes = (int)((8 * 60 + (turn % TURNS_PER_DAY) * (1440 / TURNS_PER_DAY)) % 1440);
    snprintf(buf, size, "day %lld, %02d:%02d", (long long)(turn / TURNS_PER_DAY + 1), minutes / 60, minutes % 60);
}

static void history_run(Game *g, const StoryView *v)
{
    StoryStep *steps = NULL;
    int n = 0;
    Err err = {0};
    if (story_history(game_save(g), game_player(g)->character_id, v->story_id, &steps, &n, &err) != MA_OK) {
        screen_message("History", err.msg);
        return;
    }
    ListItem *items = calloc((size_t)(n * 4 + 3), sizeof *items);
    if (!items) {
        free(steps);
        return;
    }
    int k = 0;
    for (int i = 0; i < n; i++) {
        char when[40];
        when_words(steps[i].turn, when, sizeof when);
        snprintf(items[k].text, sizeof items[k].text, "%d. %s", i + 1, steps[i].choice);
        snprintf(items[k++].detail, sizeof items[0].detail, "%s", when);
        snprintf(items[k++].text, sizeof items[0].text, "     changed: %s", steps[i].changed);
        if (steps[i].revises[0])
            snprintf(items[k++].text, sizeof items[0].text, "     %s", steps[i].revises);
        if (steps[i].revised_by[0])
            snprintf(items[k++].text, sizeof items[0].text, "     %s", steps[i].revised_by);
    }
    if (strcmp(v->status, "active") == 0)
    {
        char start[80];
        snprintf(start, sizeof start, "%s", v->text);
        size_t len = strlen(start);
        while (len > 0 && ((unsigned char)v->text[len] & 0xC0) == 0x80) /* not in a character's middle */
            start[--len] = '\0';
        for (char *c = start; *c; c++)
            if (*c == '\n')
                *c = ' ';
        /* A passage that opens with speech has its own quote mark (it had shown ""It is...). */
        snprintf(items[k++].text, sizeof items[0].text, start[0] == '"' ? "-> now: %s...\" (s on the map reads on)"
                                                                          : "-> now: \"%s...\" (s on the map reads on)",
                 start);
    }
    else if (strcmp(v->status, "finished") == 0)
        snprintf(items[k++].text, sizeof items[0].text, "-> the end: %s", v->ending);
    else
        snprintf(items[k++].text, sizeof items[0].text, "-> abandoned");
    char title[200];
    snprintf(title, sizeof title, "%s — the path you took (%d choice%s)", v->title, n, n == 1 ? "" : "s");
    ListSpec spec = {.title = title, .items = items, .n = k, .help_ctx = KCTX_LIST};
    list_run(&spec);
    free(items);
    free(steps);
}

void screen_story_journal_run(Game *g)
{
    for (;;) {
        StoryView *v = NULL;
        int n = 0;
        Err err = {0};
        if (story_views(g, &v, &n, &err) != MA_OK) {
            screen_message("Journal", err.msg);
            return;
        }
        if (n == 0) {
            free(v);
            screen_message("Journal", "No story has begun for you yet. Talk to the villagers; explore ruins, dungeons "
                                      "and shrines.");
            return;
        }
        ListItem *items = calloc((size_t)n, sizeof *items);
        if (!items) {
            free(v);
            return;
        }
        for (int i = 0; i < n; i++) {
            if (strcmp(v[i].status, "active") == 0)
                snprintf(items[i].text, sizeof items[i].text, "%s%s — %d choice%s so far", v[i].focused ? "* " : "",
                         v[i].title, v[i].choices_made, v[i].choices_made == 1 ? "" : "s");
            else if (strcmp(v[i].status, "finished") == 0)
                snprintf(items[i].text, sizeof items[i].text, "%s — ended: %s", v[i].title, v[i].ending);
            else
                snprintf(items[i].text, sizeof items[i].text, "%s — abandoned", v[i].title);
            snprintf(items[i].detail, sizeof items[i].detail, "%s, %s", v[i].type, v[i].status);
        }
        ListSpec spec = {.title = "Journal — your storylines (a letter opens the path you took)", .items = items,
                         .n = n, .lettered = 1, .selectable = 1, .help_ctx = KCTX_LIST};
        int pick = list_run(&spec);
        free(items);
        if (pick >= 0)
            history_run(g, &v[pick]);
        free(v);
        if (pick < 0)
            return;
    }
}
