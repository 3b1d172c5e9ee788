/* story.c — storylines in play: beginning them, showing a passage, choosing, focus
 * (see story.h). The record of choices, the path and undo are in story_history.c; the
 * cast and filling of texts in story_cast.c; the file format in story_book.c. */
#include "game/story.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "game/game_internal.h"
#include "game/game_rules.h"
#include "game/npc.h"
#include "game/quest.h"
#include "game/rules.h"
#include "game/story_internal.h"
#include "save/changeset.h"
#include "save/charstate.h"
#include "save/quests.h"
#include "world/generator.h"
#include "util/text.h"
#include "util/json_field.h"

static const cJSON *field(const cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}


/* Puts villagers' names where the rules' words show their entity ids ("villager 12 -40"). */
void story_name_cast(const cJSON *state, char *text, size_t size)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, field(state, "cast")) {
        char id[80];
        text_words(json_str(m, "entity"), id, sizeof id);
        const char *name = json_str(m, "name");
        if (!id[0] || !name)
            continue;
        for (char *at = strstr(text, id); at; at = strstr(at + strlen(name), id)) {
            char rest[1024];
            snprintf(rest, sizeof rest, "%s", at + strlen(id));
            *at = '\0';
            size_t used = strlen(text);
            snprintf(text + used, size - used, "%s%s", name, rest);
        }
    }
}

/* ------------------------------------------------------------ the choices on offer */


void story_menu_free(Menu *m)
{
    branches_list_free(m->kids, m->n_kids);
    m->kids = NULL;
    m->n_kids = m->n = 0;
}

static int near_no_place(void *ud, const char *kind, int radius)
{
    (void)ud, (void)kind, (void)radius;
    return 0;
}

/* The choices of p's current passage, numbered as the player sees them: in branch order,
 * without the hidden ones whose condition is false. away: judged as if the player stood near no
 * place, so that each choice's place is the one it waits for even when the player is there. */
static int menu_build(Game *g, const StoryProgressRow *p, Menu *m, int explain, int away, Err *err)
{
    memset(m, 0, sizeof *m);
    if (p->current_branch_id <= 0 || strcmp(p->status, "active") != 0)
        return MA_OK;
    int rc = branches_children(g->save, p->current_branch_id, &m->kids, &m->n_kids, err);
    if (rc != MA_OK)
        return rc;
    GameRules gr;
    game_rules_bind(&gr, g, NULL);
    if (away)
        gr.ctx.near_place = near_no_place;
    for (int i = 0; i < m->n_kids && m->n < STORY_MAX_CHOICES; i++) {
        const BranchRow *kid = &m->kids[i];
        MenuItem *it = &m->item[m->n];
        memset(it, 0, sizeof *it);
        it->kid = i;
        char where[200];
        snprintf(where, sizeof where, "story %lld, branch \"%s\"", (long long)kid->story_id, kid->branch_name);
        Err e = {0};
        it->readable = story_branch_info(kid->conditions, kid->consequences, where, &it->info, &e) == MA_OK;
        StoryChoice *c = &it->c;
        snprintf(c->branch, sizeof c->branch, "%s", kid->branch_name);
        if (it->readable)
            c->ends = it->info.ending ? 1 : it->info.abandon ? 2 : 0;
        if (!it->readable) {
            text_words(kid->branch_name, c->text, sizeof c->text);
            snprintf(c->why, sizeof c->why, "this branch cannot be read (%s)", e.msg);
        } else {
            cJSON *cond = story_fill_rules(g, p->state, it->info.condition, 0, NULL, err);
            if (!cond)
                return err->code;
            c->available = rules_check(&gr.ctx, cond);
            if (!c->available) {
                if (explain)
                    rules_explain(&gr.ctx, cond, c->why, sizeof c->why);
                rules_place_wanted(&gr.ctx, cond, c->place, sizeof c->place);
            }
            cJSON_Delete(cond);
            if (!c->available && it->info.hidden)
                continue;
            story_name_cast(p->state, c->why, sizeof c->why);
            story_fill_text(g, p->state, it->info.choice ? it->info.choice : kid->branch_name, c->text, sizeof c->text);
            char tag[80];
            story_choice_tag(&it->info, g->skills, g->items, tag, sizeof tag);
            story_fill_text(g, p->state, tag, c->tag, sizeof c->tag);
        }
        c->number = ++m->n;
    }
    return MA_OK;
}

int story_menu_build(Game *g, const StoryProgressRow *p, Menu *m, Err *err) { return menu_build(g, p, m, 1, 0, err); }

int story_menu_build_quick(Game *g, const StoryProgressRow *p, Menu *m, Err *err)
{
    return menu_build(g, p, m, 0, 0, err);
}

/* ------------------------------------------------------------ views */

int story_focused_progress(Game *g, StoryProgressRow *out, Err *err)
{
    StoryProgressRow *rows = NULL;
    int n = 0, found = -1;
    int rc = story_progress_list(g->save, g->p.character_id, &rows, &n, err);
    if (rc != MA_OK)
        return rc;
    for (int i = 0; i < n && found < 0; i++)
        if (rows[i].focused)
            found = i;
    if (found >= 0) {
        *out = rows[found];
        memset(&rows[found], 0, sizeof rows[found]);
    }
    story_progress_list_free(rows, n);
    return found >= 0 ? MA_OK : err_set(err, MA_ERR_NOT_FOUND, "no storyline is in focus");
}

int story_focus_title(Game *g, char *buf, size_t size)
{
    buf[0] = '\0';
    StoryProgressRow p;
    if (story_focused_progress(g, &p, NULL) != MA_OK)
        return 0;
    int active = strcmp(p.status, "active") == 0;
    StoryRow s;
    if (active && stories_get(g->save, p.story_id, &s, NULL) == MA_OK) {
        snprintf(buf, size, "%s", s.title);
        story_row_clear(&s);
    }
    story_progress_row_clear(&p);
    return active && buf[0];
}

int story_focus_place(Game *g, char *kind, size_t size)
{
    kind[0] = '\0';
    StoryProgressRow p;
    if (story_focused_progress(g, &p, NULL) != MA_OK)
        return 0;
    Menu m;
    Err e = {0};
    if (story_menu_build_quick(g, &p, &m, &e) == MA_OK)
        for (int i = 0; i < m.n && !kind[0]; i++)
            snprintf(kind, size, "%s", m.item[i].c.place);
    story_menu_free(&m);
    story_progress_row_clear(&p);
    return kind[0] != '\0';
}

int story_focus_home_far(Game *g, char *name, size_t size)
{
    name[0] = '\0';
    StoryProgressRow p;
    if (story_focused_progress(g, &p, NULL) != MA_OK)
        return 0;
    char village[64];
    snprintf(village, sizeof village, "%s", json_str(p.state, "village") ? json_str(p.state, "village") : "");
    /* Only at the story's opening, before a choice: later the story has moved on (to ruins, a
     * cave), and the way home beside a passage read there pointed away from it. */
    ChoiceRow *ch = NULL;
    int nch = 0;
    int chose = choices_list_by_story(g->save, g->p.character_id, p.story_id, &ch, &nch, NULL) != MA_OK || nch > 0;
    choices_list_free(ch, nch);
    story_progress_row_clear(&p);
    GenStructure st;
    if (chose || !village[0] || !quest_place_nearest(g, village, &st))
        return 0;
    int dx, dz;
    if (quest_place_offset(g, &st, &dx, &dz) <= STORY_HOME_FAR)
        return 0;
    snprintf(name, size, "%s", village);
    return 1;
}

static int fill_view(Game *g, const StoryProgressRow *p, StoryView *v, Err *err)
{
    memset(v, 0, sizeof *v);
    StoryRow story;
    int rc = stories_get(g->save, p->story_id, &story, err);
    if (rc != MA_OK)
        return rc;
    v->story_id = p->story_id;
    snprintf(v->name, sizeof v->name, "%s", json_str(story.metadata, "name") ? json_str(story.metadata, "name") : "");
    snprintf(v->title, sizeof v->title, "%s", story.title);
    snprintf(v->type, sizeof v->type, "%s", story.story_type);
    story_row_clear(&story);
    snprintf(v->status, sizeof v->status, "%s", p->status);
    snprintf(v->ending, sizeof v->ending, "%s", p->ending);
    v->focused = p->focused;
    BranchRow b;
    if (p->current_branch_id > 0 && branches_get(g->save, p->current_branch_id, &b, NULL) == MA_OK) {
        snprintf(v->branch, sizeof v->branch, "%s", b.branch_name);
        story_fill_text(g, p->state, b.content, v->text, sizeof v->text);
        branch_row_clear(&b);
    } else {
        snprintf(v->text, sizeof v->text, "(This part of the story has been removed from the world.)");
    }
    ChoiceRow *made = NULL;
    int nm = 0;
    if ((rc = choices_list_by_story(g->save, g->p.character_id, p->story_id, &made, &nm, err)) != MA_OK)
        return rc;
    v->choices_made = nm;
    choices_list_free(made, nm);
    Menu m;
    if ((rc = story_menu_build(g, p, &m, err)) != MA_OK) {
        story_menu_free(&m);
        return rc;
    }
    for (int i = 0; i < m.n; i++)
        v->choices[i] = m.item[i].c;
    v->n_choices = m.n;
    story_menu_free(&m);
    return MA_OK;
}

int story_view(Game *g, int64_t story_id, StoryView *out, Err *err)
{
    StoryProgressRow p;
    int rc = story_id > 0 ? story_progress_get(g->save, g->p.character_id, story_id, &p, err)
                          : story_focused_progress(g, &p, err);
    if (rc != MA_OK)
        return rc;
    rc = fill_view(g, &p, out, err);
    story_progress_row_clear(&p);
    return rc;
}

static int status_rank(const StoryView *v)
{
    return strcmp(v->status, "active") == 0 ? (v->focused ? 0 : 1) : strcmp(v->status, "finished") == 0 ? 2 : 3;
}

int story_views(Game *g, StoryView **out, int *n_out, Err *err)
{
    *out = NULL;
    *n_out = 0;
    StoryProgressRow *rows = NULL;
    int n = 0;
    int rc = story_progress_list(g->save, g->p.character_id, &rows, &n, err);
    if (rc != MA_OK)
        return rc;
    StoryView *v = calloc((size_t)(n > 0 ? n : 1), sizeof *v);
    if (!v) {
        story_progress_list_free(rows, n);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < n && rc == MA_OK; i++)
        rc = fill_view(g, &rows[i], &v[i], err);
    story_progress_list_free(rows, n);
    if (rc != MA_OK) {
        free(v);
        return rc;
    }
    /* Stable: active (the focused one first), finished, abandoned; each in the order begun. */
    for (int i = 1; i < n; i++)
        for (int k = i; k > 0 && status_rank(&v[k - 1]) > status_rank(&v[k]); k--) {
            StoryView t = v[k];
            v[k] = v[k - 1];
            v[k - 1] = t;
        }
    *out = v;
    *n_out = n;
    return MA_OK;
}

cJSON *story_view_json(const StoryView *v, int with_text)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "title", v->title);
    cJSON_AddStringToObject(o, "name", v->name);
    cJSON_AddStringToObject(o, "type", v->type);
    cJSON_AddStringToObject(o, "status", v->status);
    cJSON_AddStringToObject(o, "branch", v->branch);
    if (v->ending[0])
        cJSON_AddStringToObject(o, "ending", v->ending);
    cJSON_AddBoolToObject(o, "focused", v->focused);
    cJSON_AddNumberToObject(o, "choices_made", v->choices_made);
    if (with_text)
        cJSON_AddStringToObject(o, "text", v->text);
    cJSON *list = cJSON_AddArrayToObject(o, "choices");
    for (int i = 0; i < v->n_choices; i++) {
        const StoryChoice *c = &v->choices[i];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddNumberToObject(x, "number", c->number);
        cJSON_AddStringToObject(x, "branch", c->branch);
        cJSON_AddStringToObject(x, "text", c->text);
        cJSON_AddStringToObject(x, "tag", c->tag);
        cJSON_AddBoolToObject(x, "available", c->available);
        cJSON_AddStringToObject(x, "why", c->why);
        if (c->place[0])
            cJSON_AddStringToObject(x, "place", c->place);
        cJSON_AddItemToArray(list, x);
    }
    return o;
}

cJSON *story_state_json(Game *g, Err *err)
{
    StoryView *v = NULL;
    int n = 0;
    if (story_views(g, &v, &n, err) != MA_OK)
        return NULL;
    cJSON *list = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(list, story_view_json(&v[i], 0));
    free(v);
    return list;
}

/* The passage as events: the title, the text in lines of at most 150 characters, the
 * numbered choices (locked ones with the reason), or the ending. */
void story_show_view(const StoryView *v, ActionResult *r)
{
    if (strcmp(v->status, "active") == 0)
        game_event(r, SEV_INFO, "~ %s ~", v->title);
    else if (strcmp(v->status, "finished") == 0)
        game_event(r, SEV_GOOD, "~ %s ~ (finished: %s)", v->title, v->ending);
    else
        game_event(r, SEV_WARN, "~ %s ~ (abandoned)", v->title);
    const char *p = v->text;
    while (*p) {
        while (*p == ' ' || *p == '\n')
            p++;
        size_t len = strcspn(p, "\n");
        if (len == 0)
            break;
        size_t take = len <= 150 ? len : 150;
        if (take < len)
            for (size_t k = take; k > 60; k--)
                if (p[k] == ' ') {
                    take = k;
                    break;
                }
        game_event(r, SEV_INFO, "%.*s", (int)take, p);
        p += take;
    }
    for (int i = 0; i < v->n_choices; i++) {
        const StoryChoice *c = &v->choices[i];
        GameEvent probe;
        int len = snprintf(probe.text, sizeof probe.text, "%d) %s%s%s — locked: %s", c->number, c->tag,
                           c->tag[0] ? " " : "", c->text, c->why);
        if (c->available)
            game_event(r, SEV_INFO, "%d) %s%s%s", c->number, c->tag, c->tag[0] ? " " : "", c->text);
        else if (len < (int)sizeof probe.text)
            game_event(r, SEV_INFO, "%s", probe.text);
        else { /* too long for one line: the reason on a line of its own, whole */
            game_event(r, SEV_INFO, "%d) %s%s%s", c->number, c->tag, c->tag[0] ? " " : "", c->text);
            game_event(r, SEV_INFO, "   — locked: %s", c->why);
        }
    }
    if (strcmp(v->status, "active") == 0 && v->n_choices == 0)
        game_event(r, SEV_INFO, "(There is nothing to choose here.)");
}

int story_show(Game *g, ActionResult *r, Err *err)
{
    StoryView v;
    int rc = story_view(g, 0, &v, err);
    if (rc == MA_ERR_NOT_FOUND) {
        err_clear(err);
        game_refuse(r, "no story has begun for you yet: they begin as you play (talk to villagers, explore ruins)");
        return MA_OK;
    }
    if (rc != MA_OK)
        return rc;
    story_show_view(&v, r);
    r->ok = 1;
    return MA_OK;
}

/* ------------------------------------------------------------ beginning */

/* Whether the storyline in focus has a choice that waits for the place the player has just
 * entered (its kind or its name), and that being here opens: that storyline brought them here,
 * and keeps the focus. */
static int focus_waits_for(Game *g, const GenStructure *place)
{
    StoryProgressRow p;
    if (!place || story_focused_progress(g, &p, NULL) != MA_OK)
        return 0;
    int waits = 0;
    Menu m;
    Err e = {0};
    if (menu_build(g, &p, &m, 0, 1, &e) == MA_OK)
        for (int i = 0; i < m.n && !waits; i++)
            waits = strcmp(m.item[i].c.place, place->type) == 0 || strcasecmp(m.item[i].c.place, place->name) == 0;
    story_menu_free(&m);
    story_progress_row_clear(&p);
    return waits;
}

/* Begins story for the player: its first root passage, the cast, and the focus, but where the
 * storyline in focus waits for the place entered. */
static int story_begin(Game *g, const StoryRow *story, const char *villager, const GenStructure *place,
                       ActionResult *r, Err *err)
{
    int keep_focus = focus_waits_for(g, place);
    BranchRow *roots = NULL;
    int n = 0;
    int rc = branches_roots(g->save, story->id, &roots, &n, err);
    if (rc != MA_OK || n == 0) {
        branches_list_free(roots, n);
        return rc; /* a story with no branches has nothing to play */
    }
    StoryProgressRow p;
    memset(&p, 0, sizeof p);
    p.character_id = g->p.character_id;
    p.story_id = story->id;
    p.current_branch_id = roots[0].id;
    snprintf(p.status, sizeof p.status, "active");
    p.state = story_cast_new(g, villager, place);
    rc = story_progress_insert(g->save, &p, err);
    if (rc == MA_OK && !keep_focus)
        rc = story_progress_focus(g->save, g->p.character_id, story->id, err);
    if (rc == MA_OK && r) {
        char text[STORY_MAX_TEXT + 512];
        story_fill_text(g, p.state, roots[0].content, text, sizeof text);
        size_t len = strcspn(text, "\n");
        const char *dot = strpbrk(text, ".!?");
        if (dot && (size_t)(dot - text) < len)
            len = (size_t)(dot - text) + 1;
        game_event(r, SEV_GOOD, "A story begins: %s.", story->title);
        /* Its first sentence (game_event cuts a long one at a word). */
        game_event(r, SEV_INFO, "%.*s", (int)len, text);
        r->story_news = 1;
    }
    story_progress_row_clear(&p);
    branches_list_free(roots, n);
    return rc;
}

/* The structure of kind `type` the player stands inside, if any. */
static int inside_place(Game *g, GenStructure *out)
{
    GenStructure near[8];
    int n = generator_structures_near(world_generator(g->world), g->p.x, g->p.z, 0, near, 8);
    for (int i = 0; i < n; i++)
        if (strcmp(near[i].type, "village") != 0 && g->p.y >= near[i].y && g->p.y <= near[i].y + near[i].h) {
            *out = near[i];
            return 1;
        }
    for (int i = 0; i < n; i++)
        if (strcmp(near[i].type, "village") == 0) {
            *out = near[i];
            return 1;
        }
    return 0;
}

static int quest_done(Game *g, const char *quest, Err *err)
{
    const char *title = quest_book_title(g->quest_book, quest);
    ProgressRow *rows = NULL;
    int n = 0, done = 0;
    if (!title || progress_list(g->save, g->p.character_id, "completed", &rows, &n, err) != MA_OK)
        return 0;
    for (int i = 0; i < n && !done; i++) {
        QuestRow q;
        if (quests_get(g->save, rows[i].quest_id, &q, NULL) == MA_OK) {
            done = strcmp(q.title, title) == 0;
            quest_row_clear(&q);
        }
    }
    progress_list_free(rows, n);
    return done;
}

/* The kinds of start of the storylines the character has not begun (g->story_starts), so
 * that most actions need not look at the stories at all. */
enum { START_START = 1, START_TALK = 2, START_ENTER = 4, START_QUEST = 8 };

static int start_kind(const char *on)
{
    return !on ? 0 : strcmp(on, "start") == 0 ? START_START : strcmp(on, "talk") == 0 ? START_TALK
                   : strcmp(on, "enter") == 0 ? START_ENTER : strcmp(on, "quest") == 0 ? START_QUEST : 0;
}

static int64_t quests_completed(Game *g)
{
    char buf[32];
    return charstate_get(g->save, g->p.character_id, "counter", "quests_completed", buf, sizeof buf, NULL) == MA_OK
               ? atoll(buf) : 0;
}

/* Whether action a could begin one of the storylines not yet begun. */
static int could_begin(Game *g, const Action *a, const ActionResult *r)
{
    int k = g->story_starts;
    if (k < 0 || (k & START_START))
        return 1;
    if ((k & START_TALK) && a->kind == ACT_TALK && r->ok)
        return 1;
    GenStructure place;
    if ((k & START_ENTER) && r->ok && (a->kind == ACT_MOVE || a->kind == ACT_UP || a->kind == ACT_DOWN) &&
        inside_place(g, &place))
        return 1;
    return (k & START_QUEST) && quests_completed(g) != g->story_quests_seen;
}

/* Begins every storyline whose start fires now; a is NULL when the game starts. */
static int begin_due(Game *g, const Action *a, ActionResult *r, Err *err)
{
    if (a && !could_begin(g, a, r))
        return MA_OK;
    StoryRow *stories = NULL;
    StoryProgressRow *prog = NULL;
    int ns = 0, np = 0;
    int rc = stories_list(g->save, g->p.world_id, 1, &stories, &ns, err);
    if (rc == MA_OK)
        rc = story_progress_list(g->save, g->p.character_id, &prog, &np, err);
    GameRules gr;
    game_rules_bind(&gr, g, NULL);
    int moved = a && (a->kind == ACT_MOVE || a->kind == ACT_UP || a->kind == ACT_DOWN) && r && r->ok;
    int talked = a && a->kind == ACT_TALK && r && r->ok;
    int have_place = -1, starts = 0;
    GenStructure place;
    char villager[64] = "", role[16] = "";
    if (talked && charstate_get(g->save, g->p.character_id, "flag", "talking_to", villager, sizeof villager, NULL) == MA_OK) {
        int64_t npc = npc_character_id(g, villager);
        if (npc <= 0 || !npc_role(g, npc, role, sizeof role, NULL, 0))
            role[0] = '\0';
    }
    for (int i = 0; i < ns && rc == MA_OK; i++) {
        const cJSON *start = field(stories[i].metadata, "start");
        const char *on = json_str(start, "on");
        if (!on)
            continue;
        int begun = 0;
        for (int k = 0; k < np && !begun; k++)
            begun = prog[k].story_id == stories[i].id;
        if (begun)
            continue;
        const GenStructure *at = NULL;
        const char *who = NULL;
        int fire = 0;
        if (strcmp(on, "start") == 0) {
            fire = 1;
        } else if (strcmp(on, "talk") == 0) {
            fire = talked && role[0] && json_str(start, "role") && strcmp(role, json_str(start, "role")) == 0;
            who = villager;
        } else if (strcmp(on, "enter") == 0 && moved) {
            if (have_place < 0)
                have_place = inside_place(g, &place);
            fire = have_place && json_str(start, "place") && strcmp(place.type, json_str(start, "place")) == 0;
            at = &place;
        } else if (strcmp(on, "quest") == 0 && a) {
            fire = quest_done(g, json_str(start, "quest"), err);
        }
        if (fire && !rules_check(&gr.ctx, field(start, "conditions")))
            fire = 0;
        if (fire)
            rc = story_begin(g, &stories[i], who, at, r, err);
        else
            starts |= start_kind(on);
    }
    g->story_starts = rc == MA_OK ? starts : -1;
    g->story_quests_seen = quests_completed(g);
    stories_list_free(stories, ns);
    story_progress_list_free(prog, np);
    return rc;
}

int story_game_started(Game *g, Err *err)
{
    int rc = story_seed_world(g->save, g->p.world_id, g->story_book, NULL, err);
    return rc == MA_OK ? begin_due(g, NULL, NULL, err) : rc;
}

int story_after_action(Game *g, const Action *a, ActionResult *r, Err *err)
{
    if (a->kind == ACT_STORY || a->kind == ACT_STORY_FOCUS)
        return MA_OK;
    return begin_due(g, a, r, err);
}

int story_start_named(Game *g, const char *name, ActionResult *r, Err *err)
{
    StoryRow story;
    int rc = stories_find(g->save, g->p.world_id, name, 0, &story, NULL);
    if (rc == MA_ERR_NOT_FOUND)
        rc = stories_find(g->save, g->p.world_id, name, 1, &story, NULL);
    if (rc != MA_OK)
        return err_set(err, MA_ERR_INVALID, "there is no story called %s in this world", name);
    StoryProgressRow p;
    if (story_progress_get(g->save, g->p.character_id, story.id, &p, NULL) == MA_OK) {
        story_progress_row_clear(&p);
        story_row_clear(&story);
        return MA_OK;
    }
    char villager[64] = "";
    charstate_get(g->save, g->p.character_id, "flag", "talking_to", villager, sizeof villager, NULL);
    rc = story_begin(g, &story, villager[0] ? villager : NULL, NULL, r, err);
    story_row_clear(&story);
    return rc;
}

/* ------------------------------------------------------------ focus */

int story_focus(Game *g, const char *title, ActionResult *r, Err *err)
{
    StoryView *v = NULL;
    int n = 0, found = -1;
    int rc = story_views(g, &v, &n, err);
    if (rc != MA_OK)
        return rc;
    for (int i = 0; i < n && found < 0; i++)
        if (strcasecmp(v[i].title, title) == 0 || strcasecmp(v[i].name, title) == 0)
            found = i;
    if (found < 0) {
        char list[300] = "";
        size_t o = 0;
        for (int i = 0; i < n && o < sizeof list; i++)
            o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", v[i].title);
        game_refuse(r, "you have no story called %s%s%s", title, n ? " (yours: " : "", n ? list : "");
        if (n)
            snprintf(r->text + strlen(r->text), sizeof r->text - strlen(r->text), ")");
        free(v);
        return MA_OK;
    }
    rc = story_progress_focus(g->save, g->p.character_id, v[found].story_id, err);
    if (rc == MA_OK) {
        v[found].focused = 1;
        story_show_view(&v[found], r);
        r->ok = 1;
    }
    free(v);
    return rc;
}
