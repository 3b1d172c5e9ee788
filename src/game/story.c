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

static const char *sfield(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *field(const cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static void words(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s", name ? name : "");
    for (char *c = buf; *c; c++)
        if (*c == '_')
            *c = ' ';
}

/* Puts villagers' names where the rules' words show their entity ids ("villager 12 -40"). */
static void name_cast(const cJSON *state, char *text, size_t size)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, field(state, "cast")) {
        char id[80];
        words(sfield(m, "entity"), id, sizeof id);
        const char *name = sfield(m, "name");
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

typedef struct MenuItem {
    int kid;              /* index into Menu.kids */
    int readable;         /* the row reads as a branch */
    StoryBranchInfo info; /* borrowed from Menu.kids[kid] */
    StoryChoice c;
} MenuItem;

typedef struct Menu {
    BranchRow *kids;
    int n_kids;
    MenuItem item[STORY_MAX_CHOICES];
    int n;
} Menu;

static void menu_free(Menu *m)
{
    branches_list_free(m->kids, m->n_kids);
    m->kids = NULL;
    m->n_kids = m->n = 0;
}

/* The choices of p's current passage, numbered as the player sees them: in branch order,
 * without the hidden ones whose condition is false. */
static int build_menu(Game *g, const StoryProgressRow *p, Menu *m, Err *err)
{
    memset(m, 0, sizeof *m);
    if (p->current_branch_id <= 0 || strcmp(p->status, "active") != 0)
        return MA_OK;
    int rc = branches_children(g->save, p->current_branch_id, &m->kids, &m->n_kids, err);
    if (rc != MA_OK)
        return rc;
    GameRules gr;
    game_rules_bind(&gr, g, NULL);
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
        if (!it->readable) {
            words(kid->branch_name, c->text, sizeof c->text);
            snprintf(c->why, sizeof c->why, "this branch cannot be read (%s)", e.msg);
        } else {
            cJSON *cond = story_fill_rules(g, p->state, it->info.condition, 0, NULL, err);
            if (!cond)
                return err->code;
            c->available = rules_check(&gr.ctx, cond);
            if (!c->available)
                rules_explain(&gr.ctx, cond, c->why, sizeof c->why);
            cJSON_Delete(cond);
            if (!c->available && it->info.hidden)
                continue;
            name_cast(p->state, c->why, sizeof c->why);
            story_fill_text(g, p->state, it->info.choice ? it->info.choice : kid->branch_name, c->text, sizeof c->text);
            char tag[80];
            story_choice_tag(&it->info, tag, sizeof tag);
            story_fill_text(g, p->state, tag, c->tag, sizeof c->tag);
        }
        c->number = ++m->n;
    }
    return MA_OK;
}

/* ------------------------------------------------------------ views */

static int focused_progress(Game *g, StoryProgressRow *out, Err *err)
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
    if (focused_progress(g, &p, NULL) != MA_OK)
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

static int fill_view(Game *g, const StoryProgressRow *p, StoryView *v, Err *err)
{
    memset(v, 0, sizeof *v);
    StoryRow story;
    int rc = stories_get(g->save, p->story_id, &story, err);
    if (rc != MA_OK)
        return rc;
    v->story_id = p->story_id;
    snprintf(v->name, sizeof v->name, "%s", sfield(story.metadata, "name") ? sfield(story.metadata, "name") : "");
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
    if ((rc = build_menu(g, p, &m, err)) != MA_OK) {
        menu_free(&m);
        return rc;
    }
    for (int i = 0; i < m.n; i++)
        v->choices[i] = m.item[i].c;
    v->n_choices = m.n;
    menu_free(&m);
    return MA_OK;
}

int story_view(Game *g, int64_t story_id, StoryView *out, Err *err)
{
    StoryProgressRow p;
    int rc = story_id > 0 ? story_progress_get(g->save, g->p.character_id, story_id, &p, err)
                          : focused_progress(g, &p, err);
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
static void show_view(const StoryView *v, ActionResult *r)
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
        if (c->available)
            game_event(r, SEV_INFO, "%d) %s%s%s", c->number, c->tag, c->tag[0] ? " " : "", c->text);
        else
            game_event(r, SEV_INFO, "%d) %s%s%s — locked: %s", c->number, c->tag, c->tag[0] ? " " : "", c->text,
                       c->why);
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
    show_view(&v, r);
    r->ok = 1;
    return MA_OK;
}

/* ------------------------------------------------------------ beginning */

/* Begins story for the player: its first root passage, the cast, the focus. */
static int story_begin(Game *g, const StoryRow *story, const char *villager, const GenStructure *place,
                       ActionResult *r, Err *err)
{
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
    if (rc == MA_OK)
        rc = story_progress_focus(g->save, g->p.character_id, story->id, err);
    if (rc == MA_OK && r) {
        char text[STORY_MAX_TEXT + 512];
        story_fill_text(g, p.state, roots[0].content, text, sizeof text);
        size_t len = strcspn(text, "\n");
        const char *dot = strpbrk(text, ".!?");
        if (dot && (size_t)(dot - text) < len)
            len = (size_t)(dot - text) + 1;
        game_event(r, SEV_GOOD, "A story begins: %s.", story->title);
        game_event(r, SEV_INFO, "%.150s%s", text, len > 150 ? "..." : "");
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
        const char *on = sfield(start, "on");
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
            fire = talked && role[0] && sfield(start, "role") && strcmp(role, sfield(start, "role")) == 0;
            who = villager;
        } else if (strcmp(on, "enter") == 0 && moved) {
            if (have_place < 0)
                have_place = inside_place(g, &place);
            fire = have_place && sfield(start, "place") && strcmp(place.type, sfield(start, "place")) == 0;
            at = &place;
        } else if (strcmp(on, "quest") == 0 && a) {
            fire = quest_done(g, sfield(start, "quest"), err);
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
        show_view(&v[found], r);
        r->ok = 1;
    }
    free(v);
    return rc;
}

/* ------------------------------------------------------------ choosing */

/* Flags set by an effect list go into the storyline's state too (for the journal). */
static void note_flags(cJSON *state, const cJSON *effects)
{
    cJSON *flags = cJSON_GetObjectItemCaseSensitive(state, "flags");
    if (!flags)
        flags = cJSON_AddObjectToObject(state, "flags");
    const cJSON *it;
    cJSON_ArrayForEach(it, effects) {
        const cJSON *f = field(it, "flag");
        if (!sfield(f, "name"))
            continue;
        cJSON_DeleteItemFromObjectCaseSensitive(flags, sfield(f, "name"));
        cJSON_AddStringToObject(flags, sfield(f, "name"), sfield(f, "value") ? sfield(f, "value") : "");
    }
}

/* Applies the revision of an earlier choice (see story_book.h): its effects, and with
 * restore_world the blocks that choice changed that are still as it left them. *out gets
 * the record ({"choice_id", "branch", "effects", "described", "restored", "note"}), or
 * stays NULL when the character never made the choice being revised. */
static int revise(Game *g, GameRules *gr, const StoryProgressRow *p, const StoryBranchInfo *info, cJSON **out,
                  Err *err)
{
    *out = NULL;
    BranchRow target;
    if (branches_find(g->save, p->story_id, info->revises, &target, NULL) != MA_OK)
        return MA_OK;
    ChoiceRow *made = NULL;
    int n = 0;
    int rc = choices_list_by_story(g->save, g->p.character_id, p->story_id, &made, &n, err);
    int earlier = -1;
    for (int i = 0; rc == MA_OK && i < n; i++)
        if (made[i].story_branch_id == target.id)
            earlier = i;
    branch_row_clear(&target);
    if (rc != MA_OK || earlier < 0) {
        choices_list_free(made, n);
        return rc;
    }
    cJSON *effects = story_fill_rules(g, p->state, info->revise_effects, 1, NULL, err);
    if (!effects) {
        choices_list_free(made, n);
        return err->code;
    }
    int restored = 0;
    if (info->restore_world) {
        const cJSON *w;
        cJSON_ArrayForEach(w, field(made[earlier].consequences, "world")) {
            const cJSON *at = field(w, "at");
            int from = blocks_find(g->blocks, sfield(w, "from") ? sfield(w, "from") : ""),
                to = blocks_find(g->blocks, sfield(w, "to") ? sfield(w, "to") : "");
            if (cJSON_GetArraySize(at) != 3 || from < 0 || to < 0)
                continue;
            int32_t x = cJSON_GetArrayItem(at, 0)->valueint, y = cJSON_GetArrayItem(at, 1)->valueint,
                    z = cJSON_GetArrayItem(at, 2)->valueint;
            if (world_get_block(g->world, x, y, z) != (BlockId)to)
                continue; /* changed again since: not the earlier choice's doing any more */
            cJSON *e = cJSON_CreateObject(), *sb = cJSON_AddObjectToObject(e, "set_block");
            cJSON_AddStringToObject(sb, "block", sfield(w, "from"));
            cJSON_AddItemToObject(sb, "at", cJSON_Duplicate(at, 1));
            cJSON *off = cJSON_AddArrayToObject(sb, "offset");
            for (int k = 0; k < 3; k++)
                cJSON_AddItemToArray(off, cJSON_CreateNumber(0));
            cJSON_AddItemToArray(effects, e);
            restored++;
        }
    }
    rc = rules_apply(&gr->ctx, effects, err);
    if (rc == MA_OK) {
        cJSON *rec = cJSON_CreateObject();
        cJSON_AddNumberToObject(rec, "choice_id", (double)made[earlier].id);
        cJSON_AddStringToObject(rec, "branch", info->revises);
        cJSON_AddStringToObject(rec, "choice", made[earlier].choice_text);
        char what[400], note[300];
        rules_describe_effects(effects, what, sizeof what);
        name_cast(p->state, what, sizeof what);
        cJSON_AddStringToObject(rec, "described", what);
        cJSON_AddNumberToObject(rec, "restored", restored);
        if (info->revise_note) {
            story_fill_text(g, p->state, info->revise_note, note, sizeof note);
            cJSON_AddStringToObject(rec, "note", note);
        }
        cJSON_AddItemToObject(rec, "effects", effects);
        effects = NULL;
        *out = rec;
        if (gr->r)
            game_event(gr->r, SEV_INFO, "This changes what you chose before (\"%.80s\")%s%s", made[earlier].choice_text,
                       info->revise_note ? ": " : ".", info->revise_note ? note : "");
    }
    cJSON_Delete(effects);
    choices_list_free(made, n);
    return rc;
}

/* After a storyline ends: the focus goes to another active one, if any. */
static int refocus(Game *g, int64_t ended, ActionResult *r, Err *err)
{
    StoryProgressRow *rows = NULL;
    int n = 0;
    int rc = story_progress_list(g->save, g->p.character_id, &rows, &n, err);
    int pick = -1;
    for (int i = 0; rc == MA_OK && i < n; i++)
        if (rows[i].story_id != ended && strcmp(rows[i].status, "active") == 0)
            pick = i; /* the most recently begun */
    if (rc == MA_OK && pick >= 0) {
        rc = story_progress_focus(g->save, g->p.character_id, rows[pick].story_id, err);
        StoryRow s;
        if (rc == MA_OK && stories_get(g->save, rows[pick].story_id, &s, NULL) == MA_OK) {
            game_event(r, SEV_INFO, "Your story focus returns to %s.", s.title);
            story_row_clear(&s);
        }
    }
    story_progress_list_free(rows, n);
    return rc;
}

static cJSON *world_record(Game *g, const GameRules *gr)
{
    cJSON *list = cJSON_CreateArray();
    for (int i = 0; i < gr->n_blocks; i++) {
        const RuleBlockLog *l = &gr->blocks[i];
        cJSON *o = cJSON_CreateObject();
        cJSON *at = cJSON_AddArrayToObject(o, "at");
        cJSON_AddItemToArray(at, cJSON_CreateNumber(l->x));
        cJSON_AddItemToArray(at, cJSON_CreateNumber(l->y));
        cJSON_AddItemToArray(at, cJSON_CreateNumber(l->z));
        cJSON_AddStringToObject(o, "from", blocks_get(g->blocks, l->from)->name);
        cJSON_AddStringToObject(o, "to", blocks_get(g->blocks, l->to)->name);
        cJSON_AddItemToArray(list, o);
    }
    return list;
}

/* The part of a choice made inside its savepoint: consequences, revision, the record, the
 * storyline moved on. Fills *choice_id. */
static int take_choice(Game *g, StoryProgressRow *p, const BranchRow *from, const Menu *m, const MenuItem *it,
                       GameRules *gr, ActionResult *r, int64_t *choice_id, Err *err)
{
    const BranchRow *kid = &m->kids[it->kid];
    cJSON *skipped = NULL;
    cJSON *effects = story_fill_rules(g, p->state, it->info.effects, 1, &skipped, err);
    if (!effects)
        return err->code;
    cJSON *revision = NULL, *data = NULL, *cons = NULL;
    int rc = rules_apply(&gr->ctx, effects, err);
    if (rc == MA_OK && it->info.revises)
        rc = revise(g, gr, p, &it->info, &revision, err);
    if (rc != MA_OK)
        goto done;

    StoryRow story;
    if ((rc = stories_get(g->save, p->story_id, &story, err)) != MA_OK)
        goto done;
    data = cJSON_CreateObject();
    cJSON_AddNumberToObject(data, "story_id", (double)p->story_id);
    cJSON_AddStringToObject(data, "story", story.title);
    cJSON_AddStringToObject(data, "branch", kid->branch_name);
    cJSON_AddNumberToObject(data, "branch_id", (double)kid->id);
    cJSON_AddStringToObject(data, "from", from->branch_name);
    cJSON_AddNumberToObject(data, "number", it->c.number);
    if (it->c.tag[0])
        cJSON_AddStringToObject(data, "tag", it->c.tag);
    cJSON_AddNumberToObject(data, "turn", (double)g->clock);
    cJSON *offered = cJSON_AddArrayToObject(data, "offered");
    for (int i = 0; i < m->n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "text", m->item[i].c.text);
        cJSON_AddBoolToObject(o, "available", m->item[i].c.available);
        cJSON_AddItemToArray(offered, o);
    }
    story_row_clear(&story);

    cons = cJSON_CreateObject();
    char what[400];
    rules_describe_effects(effects, what, sizeof what);
    name_cast(p->state, what, sizeof what);
    cJSON_AddStringToObject(cons, "described", what);
    cJSON_AddItemToObject(cons, "effects", effects);
    effects = NULL;
    if (skipped) {
        cJSON_AddItemToObject(cons, "skipped", skipped);
        skipped = NULL;
    }
    cJSON_AddItemToObject(cons, "world", world_record(g, gr));
    if (revision) {
        cJSON_AddItemToObject(cons, "revises", revision);
        revision = NULL;
    }
    int ends = it->info.ending || it->info.abandon;
    if (it->info.ending)
        cJSON_AddStringToObject(cons, "ending", it->info.ending);
    if (it->info.abandon)
        cJSON_AddBoolToObject(cons, "abandoned", 1);

    ChoiceRow c;
    memset(&c, 0, sizeof c);
    c.character_id = g->p.character_id;
    c.story_branch_id = kid->id;
    c.choice_text = strdup(it->c.text);
    c.choice_data = data;
    c.consequences = cons;
    rc = choices_record(g->save, &c, err);
    *choice_id = c.id;
    c.choice_data = c.consequences = NULL;
    choice_row_clear(&c);
    if (rc != MA_OK)
        goto done;

    note_flags(p->state, cJSON_GetObjectItemCaseSensitive(cons, "effects"));
    p->current_branch_id = kid->id;
    if (ends) {
        snprintf(p->status, sizeof p->status, "%s", it->info.abandon ? "abandoned" : "finished");
        snprintf(p->ending, sizeof p->ending, "%s", it->info.ending ? it->info.ending : "");
    }
    rc = story_progress_update(g->save, p, err);
    if (rc == MA_OK && r) {
        char was[200];
        snprintf(was, sizeof was, "%s", cJSON_GetObjectItemCaseSensitive(cons, "described")->valuestring);
        if (strcmp(was, "nothing") != 0)
            game_event(r, SEV_GOOD, "Your choice: %s.", was);
        const cJSON *sk;
        cJSON_ArrayForEach(sk, cJSON_GetObjectItemCaseSensitive(cons, "skipped"))
            game_event(r, SEV_INFO, "(Not here: %s.)", sk->valuestring);
    }
    if (rc == MA_OK && ends)
        rc = refocus(g, p->story_id, r, err);
done:
    cJSON_Delete(effects);
    cJSON_Delete(skipped);
    cJSON_Delete(revision);
    cJSON_Delete(data);
    cJSON_Delete(cons);
    return rc;
}

int story_choose(Game *g, int number, ActionResult *r, Err *err)
{
    StoryProgressRow p;
    int rc = focused_progress(g, &p, err);
    if (rc == MA_ERR_NOT_FOUND) {
        err_clear(err);
        game_refuse(r, "no story is waiting for a choice (story shows yours)");
        return MA_OK;
    }
    if (rc != MA_OK)
        return rc;
    Menu m;
    memset(&m, 0, sizeof m);
    BranchRow from;
    memset(&from, 0, sizeof from);
    StoryRow story;
    memset(&story, 0, sizeof story);
    if ((rc = stories_get(g->save, p.story_id, &story, err)) != MA_OK)
        goto out;
    if (strcmp(p.status, "active") != 0) {
        game_refuse(r, "%s has ended%s%s; there is nothing more to choose", story.title, p.ending[0] ? ": " : "",
                    p.ending);
        goto out;
    }
    if (p.current_branch_id <= 0 || (rc = branches_get(g->save, p.current_branch_id, &from, err)) != MA_OK) {
        if (rc == MA_ERR_NOT_FOUND || p.current_branch_id <= 0) {
            err_clear(err);
            rc = MA_OK;
            game_refuse(r, "this part of %s is gone from the world", story.title);
        }
        goto out;
    }
    if ((rc = build_menu(g, &p, &m, err)) != MA_OK)
        goto out;
    if (number < 1 || number > m.n) {
        if (m.n == 0)
            game_refuse(r, "there is nothing to choose here");
        else
            game_refuse(r, "there is no choice %d (1 to %d)", number, m.n);
        goto out;
    }
    const MenuItem *it = &m.item[number - 1];
    if (!it->c.available) {
        game_refuse(r, "locked: %s%s%s — %s", it->c.tag, it->c.tag[0] ? " " : "", it->c.text, it->c.why);
        goto out;
    }

    /* Everything this action writes from here on is recorded, for `story undo`. */
    SaveChanges *rec = NULL;
    if ((rc = save_changes_begin(g->save, &rec, err)) != MA_OK)
        goto out;
    if ((rc = save_savepoint(g->save, err)) != MA_OK) {
        save_changes_end(rec);
        goto out;
    }
    Player before = g->p;
    int events = r->n_events;
    GameRules gr;
    game_rules_bind(&gr, g, r);
    game_event(r, SEV_INFO, "You choose: %s", it->c.text);
    int64_t choice_id = 0;
    rc = take_choice(g, &p, &from, &m, it, &gr, r, &choice_id, err);
    if (rc == MA_OK)
        rc = save_release(g->save, err);
    else
        save_rollback_savepoint(g->save);
    if (rc != MA_OK) {
        game_rules_restore_blocks(&gr, 0);
        g->p = before;
        r->n_events = events;
        save_changes_end(rec);
        if (rc == MA_ERR_INVALID || rc == MA_ERR_NOT_FOUND) {
            game_refuse(r, "not now: %s", err->msg);
            err_clear(err);
            rc = MA_OK;
        }
        goto out;
    }
    g->story_changes = rec;
    g->story_choice_id = choice_id;
    r->ok = 1;
    r->story_news = 1;
    StoryView v;
    if ((rc = story_view(g, p.story_id, &v, err)) == MA_OK)
        show_view(&v, r);
out:
    menu_free(&m);
    branch_row_clear(&from);
    story_row_clear(&story);
    story_progress_row_clear(&p);
    return rc;
}

int story_seal_choice(Game *g, Err *err)
{
    if (!g->story_changes)
        return MA_OK;
    void *blob = NULL;
    int len = 0;
    int rc = save_changes_take(g->story_changes, &blob, &len, err);
    save_changes_end(g->story_changes);
    g->story_changes = NULL;
    if (rc == MA_OK)
        rc = choice_undo_store(g->save, g->story_choice_id, blob, len, err);
    free(blob);
    return rc;
}

void story_drop_choice(Game *g)
{
    g->story_starts = -1; /* a rolled-back action may have begun a storyline: look again */
    save_changes_end(g->story_changes);
    g->story_changes = NULL;
}
