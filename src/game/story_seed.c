/* story_seed.c — a book of storylines into a world's rows (see story_book.h): inserted when
 * new; with a newer version, the branches nobody has reached are rewritten and new ones added;
 * everything else left as it is, so that history is never rewritten and seeding twice
 * changes nothing. */
#include "game/story_book.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "game/story_internal.h"
#include "util/json_field.h"

static const cJSON *field(const cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

/* ------------------------------------------------------------ into a world's rows */

/* The file's branches in tree order (a parent before its children), as indexes. */
static int tree_order(const cJSON *branches, const cJSON ***out, int *n_out)
{
    int n = cJSON_GetArraySize(branches);
    const cJSON **all = calloc((size_t)n, sizeof *all), **order = calloc((size_t)n, sizeof *order);
    if (!all || !order) {
        free(all);
        free(order);
        return -1;
    }
    int i = 0, k = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, branches) all[i++] = it;
    for (i = 0; i < n; i++)
        if (!field(all[i], "parent"))
            order[k++] = all[i];
    for (int at = 0; at < k; at++)
        for (i = 0; i < n; i++)
            if (json_str(all[i], "parent") && strcmp(json_str(all[i], "parent"), json_str(order[at], "name")) == 0)
                order[k++] = all[i];
    free(all);
    *out = order;
    *n_out = k;
    return 0;
}

/* Position of branch b among the children of its parent, in file order. */
static int sibling_order(const cJSON *branches, const cJSON *b)
{
    const char *p = json_str(b, "parent");
    int k = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, branches) {
        if (it == b)
            return k;
        const char *q = json_str(it, "parent");
        if ((!p && !q) || (p && q && strcmp(p, q) == 0))
            k++;
    }
    return k;
}

static void fill_branch_row(BranchRow *r, const cJSON *branches, const cJSON *fb)
{
    snprintf(r->branch_name, sizeof r->branch_name, "%s", json_str(fb, "name"));
    free(r->content);
    cJSON_Delete(r->conditions);
    cJSON_Delete(r->consequences);
    r->content = strdup(json_str(fb, "text"));
    r->conditions = story_row_conditions(fb);
    r->consequences = story_row_consequences(fb);
    r->branch_order = sibling_order(branches, fb);
}

static cJSON *story_metadata(const cJSON *f, const char *source)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "name", json_str(f, "name"));
    cJSON_AddNumberToObject(m, "version", field(f, "version")->valuedouble);
    cJSON_AddItemToObject(m, "start", cJSON_Duplicate(field(f, "start"), 1));
    cJSON_AddStringToObject(m, "source", source);
    return m;
}

static int seed_one(Save *s, int64_t world_id, const cJSON *f, const char *source, StorySeedReport *rep, Err *err)
{
    StoryRow row;
    memset(&row, 0, sizeof row);
    int rc = stories_find(s, world_id, json_str(f, "name"), 0, &row, err);
    int version = (int)field(f, "version")->valuedouble, fresh = rc == MA_ERR_NOT_FOUND;
    if (rc != MA_OK && !fresh)
        return rc;
    err_clear(err);
    if (!fresh) {
        int have = cJSON_IsNumber(field(row.metadata, "version")) ? field(row.metadata, "version")->valueint : 0;
        if (have >= version) {
            story_row_clear(&row);
            return MA_OK;
        }
    }
    snprintf(row.title, sizeof row.title, "%s", json_str(f, "title"));
    free(row.description);
    row.description = strdup(json_str(f, "description"));
    snprintf(row.story_type, sizeof row.story_type, "%s", json_str(f, "type"));
    cJSON_Delete(row.metadata);
    row.metadata = story_metadata(f, source);
    row.is_active = 1;
    if (fresh) {
        row.world_id = world_id;
        rc = stories_insert(s, &row, err);
        rep->stories_added++;
    } else {
        rc = stories_update(s, &row, err);
        rep->stories_updated++;
    }
    int64_t story_id = row.id;
    story_row_clear(&row);
    if (rc != MA_OK)
        return rc;

    const cJSON *branches = field(f, "branches");
    const cJSON **order = NULL;
    int n = 0;
    if (tree_order(branches, &order, &n) != 0)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n && rc == MA_OK; i++) {
        const cJSON *fb = order[i];
        BranchRow br, parent;
        memset(&br, 0, sizeof br);
        int64_t parent_id = 0;
        const char *pn = json_str(fb, "parent");
        if (pn) {
            if (branches_find(s, story_id, pn, &parent, NULL) != MA_OK)
                continue; /* its parent is not in the rows (removed by another writer): leave it out */
            parent_id = parent.id;
            /* A parent kept as the ending someone reached stays an ending: a branch the new file
             * puts below it (a homecoming after what was the last choice) could never be reached. */
            int ends = field(parent.consequences, "ending") != NULL || cJSON_IsTrue(field(parent.consequences, "abandon"));
            branch_row_clear(&parent);
            if (ends) {
                rep->branches_kept++;
                continue;
            }
        }
        int have = fresh ? MA_ERR_NOT_FOUND : branches_find(s, story_id, json_str(fb, "name"), &br, err);
        if (have == MA_OK) {
            int reached = 0;
            rc = branches_reached(s, br.id, &reached, err);
            if (rc == MA_OK && reached) {
                rep->branches_kept++;
            } else if (rc == MA_OK) {
                fill_branch_row(&br, branches, fb);
                br.parent_branch_id = parent_id;
                rc = branches_update(s, &br, err);
                rep->branches_updated++;
            }
        } else if (have == MA_ERR_NOT_FOUND) {
            err_clear(err);
            br.story_id = story_id;
            br.parent_branch_id = parent_id;
            fill_branch_row(&br, branches, fb);
            rc = branches_insert(s, &br, err);
            rep->branches_added++;
        } else {
            rc = have;
        }
        branch_row_clear(&br);
    }
    free(order);
    return rc;
}

int story_seed_world(Save *s, int64_t world_id, const StoryBook *b, StorySeedReport *rep, Err *err)
{
    StorySeedReport local;
    if (!rep)
        rep = &local;
    memset(rep, 0, sizeof *rep);
    if (story_book_count(b) == 0)
        return MA_OK;
    int rc = save_savepoint(s, err);
    if (rc != MA_OK)
        return rc;
    for (int i = 0; i < story_book_count(b) && rc == MA_OK; i++)
        rc = seed_one(s, world_id, story_book_get(b, i), story_book_source(b, i), rep, err);
    if (rc == MA_OK)
        return save_release(s, err);
    save_rollback_savepoint(s);
    err_prefix(err, "writing the storylines into the world");
    return rc;
}
