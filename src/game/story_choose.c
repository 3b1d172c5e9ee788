/* story_choose.c — taking a choice (see story.h): its consequences, the revision of an earlier
 * choice, the record of what was actually applied, the storyline moved on, and the changeset of
 * the whole action kept for `story undo`. The choices on offer come from story.c's menu. */
#include "game/story.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/game_internal.h"
#include "game/game_rules.h"
#include "game/rules.h"
#include "game/story_internal.h"
#include "save/changeset.h"
#include "util/json_field.h"

static const cJSON *field(const cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
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
        if (!json_str(f, "name"))
            continue;
        cJSON_DeleteItemFromObjectCaseSensitive(flags, json_str(f, "name"));
        cJSON_AddStringToObject(flags, json_str(f, "name"), json_str(f, "value") ? json_str(f, "value") : "");
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
            int from = blocks_find(g->blocks, json_str(w, "from") ? json_str(w, "from") : ""),
                to = blocks_find(g->blocks, json_str(w, "to") ? json_str(w, "to") : "");
            if (cJSON_GetArraySize(at) != 3 || from < 0 || to < 0)
                continue;
            int32_t x = cJSON_GetArrayItem(at, 0)->valueint, y = cJSON_GetArrayItem(at, 1)->valueint,
                    z = cJSON_GetArrayItem(at, 2)->valueint;
            if (world_get_block(g->world, x, y, z) != (BlockId)to)
                continue; /* changed again since: not the earlier choice's doing any more */
            cJSON *e = cJSON_CreateObject(), *sb = cJSON_AddObjectToObject(e, "set_block");
            cJSON_AddStringToObject(sb, "block", json_str(w, "from"));
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
        rules_describe_effects(effects, g->items, what, sizeof what);
        story_name_cast(p->state, what, sizeof what);
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
    rules_describe_effects(effects, g->items, what, sizeof what);
    story_name_cast(p->state, what, sizeof what);
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
    int rc = story_focused_progress(g, &p, err);
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
    if ((rc = story_menu_build(g, &p, &m, err)) != MA_OK)
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
        /* The whole lock when it fits the result line; else the reason, which says what to do. */
        char full[sizeof it->c.tag + sizeof it->c.text + sizeof it->c.why + 16];
        int n = snprintf(full, sizeof full, "locked: %s%s%s — %s", it->c.tag, it->c.tag[0] ? " " : "", it->c.text,
                         it->c.why);
        if (n < (int)sizeof r->text)
            game_refuse(r, "%s", full);
        else
            game_refuse(r, "locked: %s", it->c.why);
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
    rc = save_end_savepoint(g->save, rc, err);
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
        story_show_view(&v, r);
out:
    story_menu_free(&m);
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
