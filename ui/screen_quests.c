/* screen_quests.c — the quest log: active quests first, then completed and failed, each with
 * who gave it, its counters and time left; a quest's page tracks it or shares it. Then the
 * quests on offer, each with the villager to ask. */
#include "screen_quests.h"
#include "screen_lists.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/creatures.h"
#include "game/calendar.h"
#include "game/quest.h"
#include "save/characters.h"
#include "screen_panel.h"
#include "screen_talk.h"
#include "term.h"

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
            screen_talk_apply(g, &a, log, out, &n_out);
            screen_message("Share a quest", n_out > 0 ? out[0] : "Shared.");
        }
    }
    free(map);
    free(items);
    characters_list_free(cs, n);
}

/* One quest's page: who gave it, each objective, time left, rewards. t tracks it in the side
 * panel, s shares it, g sets off for the place an open objective asks to reach. Returns 1 when it
 * was chosen to be tracked, 2 (and the kind of place in go) to travel there, else 0. */
static int quest_page(Game *g, const QuestView *q, MsgLog *log, int active, char *go, size_t go_size)
{
    go[0] = '\0';
    /* A description of 1,000 bytes in lines of at most 60 columns: at most 180 bytes each (three
     * bytes a column at most), within a ListItem's text. */
    enum { ABOUT_LINES = 24, ABOUT_COLS = 60 };
    ListItem items[2 * QUEST_MAX_OBJECTIVES + 8 + ABOUT_LINES];
    memset(items, 0, sizeof items);
    int k = 0;
    snprintf(items[k++].text, sizeof items[0].text, "From %s", q->giver_name[0] ? q->giver_name : "a villager");
    /* What was asked, in the giver's words, cut into lines the list wraps again to the screen. */
    if (q->description[0] && strcmp(q->description, q->title) != 0) {
        const char *s = q->description;
        for (int line = 0; *s && line < ABOUT_LINES; line++) {
            size_t take = 0;
            const char *next = term_wrap_line(s, ABOUT_COLS, &take);
            snprintf(items[k++].text, sizeof items[0].text, "%.*s", (int)take, s);
            s = next;
        }
    }
    snprintf(items[k++].text, sizeof items[0].text, "Status: %s%s", q->status,
             strcmp(q->status, "expired") == 0 ? " (time ran out)" : "");
    if (q->turns_left >= 0) {
        char span[48];
        snprintf(items[k++].text, sizeof items[0].text, "Time left: %s of game time (%lld turns)",
                 calendar_span(q->turns_left, span, sizeof span), (long long)q->turns_left);
    }
    for (int j = 0; j < q->n_objectives; j++) {
        const QuestObjectiveView *o = &q->objectives[j];
        snprintf(items[k].text, sizeof items[0].text, "  %s %d/%d", o->text, o->count, o->target);
        snprintf(items[k++].detail, sizeof items[0].detail, "%s", o->done ? "done" : o->open ? "in progress" : "not yet");
        if (o->creature[0] && active && !o->done) {
            /* Where to hunt: where the kind comes into being. */
            char where[160];
            creatures_habitat_words(game_creatures(g), o->creature, where, sizeof where);
            if (where[0])
                snprintf(items[k++].text, sizeof items[0].text, "    found in %s", where);
        }
        if (o->place[0] && active && !o->done) {
            /* Where to go: the nearest place of that kind, and which way. */
            char way[160];
            if (quest_place_way(g, o->place, way, sizeof way) && !go[0])
                snprintf(go, go_size, "%s", o->place);
            snprintf(items[k++].text, sizeof items[0].text, "    %s", way);
        }
    }
    int all_done = q->n_objectives > 0;
    for (int j = 0; j < q->n_objectives; j++)
        all_done &= q->objectives[j].done;
    if (all_done && active && q->giver_village[0]) {
        /* Done: back to the giver, and the way there ("hand it in: Greenbrook, E 105"). */
        char way[160];
        if (quest_place_way(g, q->giver_village, way, sizeof way) && !go[0])
            snprintf(go, go_size, "%s", q->giver_village);
        snprintf(items[k++].text, sizeof items[0].text, "Done: hand it in to %s (%s)", q->giver_name, way);
    }
    if (q->rewards[0])
        snprintf(items[k++].text, sizeof items[0].text, "Rewards: %s", q->rewards);
    char hint[160];
    snprintf(hint, sizeof hint, "t track in the side panel  s share with another of your characters  %s%s%sEsc back",
             !go[0] ? "" : quest_place_is_name(go) ? "g go to " : "g go to the ", go, go[0] ? "  " : "");
    /* g is the page's key even with nowhere to go (it had typed into the filter). */
    ListSpec spec = {.title = q->title, .items = items, .n = k, .wrap = 1,
                     .keys_ok = active ? "tsg" : NULL, .hint = active ? hint : "Esc back"};
    for (;;) {
        int r = list_run(&spec);
        if (r == LIST_KEY('t'))
            return 1;
        if (r == LIST_KEY('g') && !go[0])
            continue;
        if (r == LIST_KEY('g'))
            return 2;
        if (r == LIST_KEY('s')) {
            share_quest(g, q, log);
            continue;
        }
        return 0;
    }
}

/* "a" or "an" before a role's name. */
static const char *a_or_an(const char *noun) { return noun[0] && strchr("aeiou", noun[0]) ? "an" : "a"; }

int screen_quests_run(Game *g, MsgLog *log, char *tracked, size_t tracked_size, char *go, size_t go_size)
{
    int rc = 0;
    go[0] = '\0';
    QuestView *q = NULL;
    int n = 0;
    Err err = {0};
    if (quest_log(g, &q, &n, &err) != MA_OK) {
        screen_message("Quests", err.msg);
        return 0;
    }
    /* What villagers would give now: the way to the next quest, not only the ones taken. */
    QuestOffer offers[32];
    int n_offers = quest_offers(g, NULL, NULL, NULL, offers, 32, &err);
    if (n_offers < 0)
        n_offers = 0; /* the log without them: it is still the log */
    int cap = 4 + n_offers;
    for (int i = 0; i < n; i++)
        cap += 1 + q[i].n_objectives;
    ListItem *items = calloc((size_t)cap, sizeof *items);
    int *quest_of = calloc((size_t)cap, sizeof *quest_of);
    if (!items || !quest_of) {
        free(items);
        free(quest_of);
        free(q);
        return 0;
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
            items[k].heading = 1;
            items[k++].attr = term_role(ROLE_DIM);
        }
        int is_tracked = active && (strcmp(q[i].name, tracked) == 0 || (!tracked[0] && i == first_active));
        ListItem *it = &items[k];
        quest_of[k++] = i;
        snprintf(it->text, sizeof it->text, "%s%s — from %s", q[i].title, is_tracked ? " (tracked)" : "",
                 q[i].giver_name[0] ? q[i].giver_name : "a villager");
        if (q[i].turns_left >= 0) {
            char span[48];
            snprintf(it->detail, sizeof it->detail, "%s left", calendar_span(q[i].turns_left, span, sizeof span));
        }
        for (int j = 0; j < q[i].n_objectives; j++) {
            const QuestObjectiveView *o = &q[i].objectives[j];
            it = &items[k];
            quest_of[k++] = i;
            snprintf(it->text, sizeof it->text, "    %s %d/%d", o->text, o->count, o->target);
            snprintf(it->detail, sizeof it->detail, "%s", o->done ? "done" : o->open ? "in progress" : "not yet");
        }
    }
    if (n_offers > 0) {
        quest_of[k] = -1;
        snprintf(items[k].text, sizeof items[0].text, "-- On offer: ask a villager for work (T, then a direction) --");
        items[k].heading = 1;
        items[k++].attr = term_role(ROLE_DIM);
    }
    for (int i = 0; i < n_offers; i++) {
        ListItem *it = &items[k];
        quest_of[k++] = -2 - i;
        if (offers[i].asker[0]) /* a villager's own request: "Piet's request — ask Piet the farmer" */
            snprintf(it->text, sizeof it->text, "%s — ask %s the %s", offers[i].title, offers[i].asker,
                     offers[i].giver);
        else
            snprintf(it->text, sizeof it->text, "%s — ask %s %s", offers[i].title, a_or_an(offers[i].giver),
                     offers[i].giver);
        if (!offers[i].available) {
            snprintf(it->detail, sizeof it->detail, "%s", offers[i].why);
        } else if (offers[i].offer_left >= 0) {
            /* An agent's quest is offered for a while: say how long (they had gone without a word). */
            char span[48];
            snprintf(it->detail, sizeof it->detail, "offered %s more",
                     calendar_span(offers[i].offer_left, span, sizeof span));
        }
    }
    char title[96];
    if (n_offers > 0)
        snprintf(title, sizeof title, "Quest log — %d quest%s, %d on offer (Enter: details)", n, n == 1 ? "" : "s",
                 n_offers);
    else
        snprintf(title, sizeof title, "Quest log — %d quest%s (Enter: details, track, share)", n, n == 1 ? "" : "s");
    ListSpec spec = {.title = title, .items = items, .n = k, .selectable = 1, .wrap = 1, .help_ctx = KCTX_LIST,
                     .start = k > 1 ? 1 : 0}; /* on the first quest, not its section's heading */
    if (n == 0 && n_offers == 0) {
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
        if (i <= -2) {
            const QuestOffer *o = &offers[-2 - i];
            char text[600], whom[100];
            /* A villager's own request is theirs to give: "Ask Sven the priest", not "a priest". */
            if (o->asker[0])
                snprintf(whom, sizeof whom, "%s the %s", o->asker, o->giver);
            else
                snprintf(whom, sizeof whom, "%s %s", a_or_an(o->giver), o->giver);
            snprintf(text, sizeof text, "%s.\n\n%s%s%sAsk %s for work: T, then the direction they stand in.",
                     o->summary, o->available ? "" : "Not yet: ", o->available ? "" : o->why,
                     o->available ? "" : ".\n\n", whom);
            text[0] = (char)(text[0] >= 'a' && text[0] <= 'z' ? text[0] - 32 : text[0]);
            screen_message(o->title, text);
            continue;
        }
        if (i < 0)
            continue;
        int active = strcmp(q[i].status, "active") == 0;
        int page = quest_page(g, &q[i], log, active, go, go_size);
        if (page == 2 && active) {
            rc = 2; /* the caller travels toward go */
            break;
        }
        go[0] = '\0';
        if (page == 1 && active) {
            snprintf(tracked, tracked_size, "%s", q[i].name);
            Err kept = {0};
            if (quest_set_tracked(g, q[i].name, &kept) != MA_OK && log)
                log_add(log, SEV_WARN, (long)game_clock(g), "Not kept for the next session: %s", kept.msg);
            if (log)
                log_add(log, SEV_INFO, (long)game_clock(g), "The side panel follows %s.", q[i].title);
            break;
        }
    }
    free(quest_of);
    free(items);
    free(q);
    return rc;
}

