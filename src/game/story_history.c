/* story_history.c — what a character chose, the path it took, and taking a choice back
 * (see story.h). These read and write the save only: the command line uses them without a
 * game running. */
#include "game/story.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/changeset.h"
#include "util/json_field.h"

static const cJSON *field(const cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static double nfield(const cJSON *o, const char *k, double def)
{
    const cJSON *v = field(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : def;
}

/* What a recorded choice did, in words: its effects, the world, the ending. */
static void changed_words(const ChoiceRow *c, char *buf, size_t size)
{
    const cJSON *cons = c->consequences;
    const char *described = json_str(cons, "described");
    size_t o = (size_t)snprintf(buf, size, "%s", described && strcmp(described, "nothing") != 0 ? described : "");
    int blocks = cJSON_GetArraySize(field(cons, "world"));
    const cJSON *rev = field(cons, "revises");
    if (rev)
        blocks -= (int)nfield(rev, "restored", 0);
    if (blocks > 0 && o < size)
        o += (size_t)snprintf(buf + o, size - o, "%sthe world: %d block%s changed", o ? "; " : "", blocks,
                              blocks == 1 ? "" : "s");
    if (json_str(cons, "ending") && o < size)
        o += (size_t)snprintf(buf + o, size - o, "%sthe story ends: %s", o ? "; " : "", json_str(cons, "ending"));
    if (cJSON_IsTrue(field(cons, "abandoned")) && o < size)
        o += (size_t)snprintf(buf + o, size - o, "%sthe story is abandoned", o ? "; " : "");
    if (o == 0)
        snprintf(buf, size, "nothing you can see yet");
}

int story_history(Save *s, int64_t character_id, int64_t story_id, StoryStep **out, int *n_out, Err *err)
{
    *out = NULL;
    *n_out = 0;
    ChoiceRow *rows = NULL;
    int n = 0;
    int rc = choices_list_by_story(s, character_id, story_id, &rows, &n, err);
    if (rc != MA_OK)
        return rc;
    StoryStep *steps = calloc((size_t)(n > 0 ? n : 1), sizeof *steps);
    if (!steps) {
        choices_list_free(rows, n);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        StoryStep *st = &steps[i];
        const ChoiceRow *c = &rows[i];
        st->choice_id = c->id;
        snprintf(st->made_at, sizeof st->made_at, "%s", c->made_at);
        st->turn = (int64_t)nfield(c->choice_data, "turn", -1);
        snprintf(st->from, sizeof st->from, "%s",
                 json_str(c->choice_data, "from") ? json_str(c->choice_data, "from") : "");
        snprintf(st->branch, sizeof st->branch, "%s",
                 json_str(c->choice_data, "branch") ? json_str(c->choice_data, "branch") : "");
        const char *tag = json_str(c->choice_data, "tag");
        snprintf(st->choice, sizeof st->choice, "%s%s%s", tag ? tag : "", tag ? " " : "", c->choice_text);
        changed_words(c, st->changed, sizeof st->changed);
        const cJSON *rev = field(c->consequences, "revises");
        if (rev) {
            const char *note = json_str(rev, "note"), *what = json_str(rev, "described");
            int restored = (int)nfield(rev, "restored", 0);
            snprintf(st->revises, sizeof st->revises, "revises \"%.60s\"%s%s%s%s%s",
                     json_str(rev, "choice") ? json_str(rev, "choice") : "?", note ? ": " : "", note ? note : "",
                     what && strcmp(what, "nothing") != 0 ? " (" : "", what && strcmp(what, "nothing") != 0 ? what : "",
                     what && strcmp(what, "nothing") != 0 ? ")" : "");
            if (restored > 0) {
                size_t o = strlen(st->revises);
                snprintf(st->revises + o, sizeof st->revises - o, "; %d block%s put back", restored,
                         restored == 1 ? "" : "s");
            }
            /* The earlier step learns it was revised; its own row is left as it was. */
            for (int k = 0; k < i; k++)
                if (steps[k].choice_id == (int64_t)nfield(rev, "choice_id", 0))
                    snprintf(steps[k].revised_by, sizeof steps[k].revised_by, "revised later by \"%.60s\"%s%.100s",
                             c->choice_text, note ? ": " : "", note ? note : "");
        }
        st->undoable = choice_undo_exists(s, c->id);
    }
    choices_list_free(rows, n);
    *out = steps;
    *n_out = n;
    return MA_OK;
}

int story_path(Save *s, int64_t character_id, int64_t story_id, BranchRow **out, int *n_out, Err *err)
{
    *out = NULL;
    *n_out = 0;
    StoryProgressRow p;
    int rc = story_progress_get(s, character_id, story_id, &p, err);
    if (rc != MA_OK)
        return rc;
    int64_t at = p.current_branch_id;
    story_progress_row_clear(&p);
    if (at <= 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: the character's place in story %lld is gone", save_path(s),
                       (long long)story_id);
    BranchRow *path = NULL;
    int n = 0;
    if ((rc = branches_path_to_root(s, at, &path, &n, err)) != MA_OK)
        return rc;
    for (int i = 0; i < n / 2; i++) { /* the query gives the branch first, the root last */
        BranchRow t = path[i];
        path[i] = path[n - 1 - i];
        path[n - 1 - i] = t;
    }
    *out = path;
    *n_out = n;
    return MA_OK;
}

int story_undo_last(Save *s, int64_t character_id, StoryUndo *out, Err *err)
{
    memset(out, 0, sizeof *out);
    ChoiceRow c;
    void *blob = NULL;
    int len = 0;
    int rc = choice_undo_last(s, character_id, &c, &blob, &len, err);
    if (rc != MA_OK)
        return rc;
    out->choice_id = c.id;
    snprintf(out->story, sizeof out->story, "%s",
             json_str(c.choice_data, "story") ? json_str(c.choice_data, "story") : "");
    snprintf(out->choice, sizeof out->choice, "%s", c.choice_text);
    choice_row_clear(&c);
    save_changes_describe(blob, len, out->tables, sizeof out->tables);
    SaveRevert rv;
    rc = save_changes_revert(s, blob, len, &rv, err);
    free(blob);
    if (rc != MA_OK)
        return rc;
    out->rows = rv.rows;
    out->conflicts = rv.conflicts;
    out->missing = rv.missing;
    /* The inverse deletes the choice; a choice row changed since is gone all the same. */
    return choices_delete(s, out->choice_id, err);
}
