/* agents_game.c — the agents attached to a game in play: after every saved
 * action they note the player's deeds and run for the ticks the action's
 * time crossed, and what they did is added to the action's events. */
#include "agents/agent_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/charstate.h"

typedef struct Collect {
    ActionResult *r;
    int lines, more;
} Collect;

static void collect(AgentType who, int64_t entry_id, const char *type, const char *line, void *ud)
{
    (void)entry_id;
    Collect *c = ud;
    if (!c->r || strcmp(type, "schedule") == 0)
        return; /* villagers walking to work is in the chronicle, not news */
    /* Keep room in the action's events: a few lines, then a count. */
    if (c->lines < 4 && c->r->n_events < GAME_MAX_EVENTS - 1) {
        char text[160];
        snprintf(text, sizeof text, "%s%s", who == AGENT_COUNT ? "" : "In the world: ", line);
        game_event(c->r, SEV_INFO, "%s", text);
        c->lines++;
    } else {
        c->more++;
    }
}

static void flush_more(Collect *c)
{
    if (c->more > 0 && c->r)
        game_event(c->r, SEV_INFO, "... and %d more change%s in the world (the chronicle has them all).", c->more,
                   c->more == 1 ? "" : "s");
}

static void after_action(Game *g, int64_t clock_before, ActionResult *r, void *ud)
{
    Agents *a = ud;
    Err err = {0};
    Collect c = {r, 0, 0};
    int64_t now = game_clock(g);
    int deeds = agents_note_deeds(a, now, &err);
    int ran = 0;
    if (deeds >= 0 && (deeds > 0 || calendar_day(now) != calendar_day(clock_before) || now != clock_before))
        ran = agents_advance(a, now, -1, 60 * TICKS_PER_DAY, collect, &c, &err);
    if (deeds < 0 || ran < 0)
        game_event(r, SEV_WARN, "The world could not move on: %s", err.msg);
    flush_more(&c);
    if (ran > 0 || deeds > 0)
        game_refresh(g, NULL);
}

static void action_end(Game *g, int committed, void *ud)
{
    (void)g;
    agents_llm_run_end(ud, committed);
}

int agents_attach(Game *g, Agents **out, ActionResult *away, Err *err)
{
    *out = NULL;
    Agents *a = NULL;
    int rc = agents_open(game_save(g), game_world(g), &a, err);
    if (rc != MA_OK)
        return rc;
    a->game = g;
    if (away)
        memset(away, 0, sizeof *away);
    Collect c = {away, 0, 0};
    rc = agents_advance(a, game_clock(g), -1, AGENTS_CATCH_UP_DAYS * TICKS_PER_DAY, collect, &c, err);
    if (rc < 0) {
        agents_close(a);
        return rc;
    }
    flush_more(&c);
    game_refresh(g, NULL);
    game_set_after_action(g, after_action, action_end, a);
    *out = a;
    return MA_OK;
}

void agents_detach(Game *g, Agents *a)
{
    if (g)
        game_set_after_action(g, NULL, NULL, NULL);
    agents_close(a);
}

int64_t agents_chronicle_seen(Game *g)
{
    char buf[32];
    if (charstate_get(game_save(g), game_player(g)->character_id, "flag", "chronicle_seen", buf, sizeof buf, NULL) !=
        MA_OK)
        return 0;
    return atoll(buf);
}

int agents_chronicle_mark(Game *g, int64_t entry_id, Err *err)
{
    Save *s = game_save(g);
    if (save_in_transaction(s) || entry_id <= agents_chronicle_seen(g))
        return MA_OK;
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)entry_id);
    int rc = save_begin(s, err);
    if (rc != MA_OK)
        return rc;
    rc = charstate_set(s, game_player(g)->character_id, "flag", "chronicle_seen", buf, err);
    if (rc == MA_OK)
        return save_commit(s, err);
    save_rollback(s);
    return rc;
}
