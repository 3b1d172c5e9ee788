/* stories.c — stories, story_branches, player_choices, story_progress and
 * story_choice_undo.
 *
 * Branches form one tree per story: a branch's parent must be a branch of
 * the same story, and branches_update refuses a parent that would close a
 * cycle, so branches_path_to_root, branches_tree and branches_subtree (the
 * recursive CTEs the design asks for) always end. verify.c checks the same
 * invariant on the file. */
#include "save/stories.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/save_internal.h"
#include "util/timeutil.h"

#define STORY_COLS "id, world_id, title, description, story_type, metadata, is_active, created_at, updated_at"
#define BRANCH_COLS "id, story_id, parent_branch_id, branch_name, content, conditions, consequences, " \
                    "branch_order, created_at"
#define CHOICE_COLS "id, character_id, story_branch_id, choice_text, choice_data, consequences, made_at"
#define PROGRESS_COLS "id, character_id, story_id, current_branch_id, status, ending, state, focused, started_at, " \
                      "updated_at"

/* A branch more than this many levels deep is taken for a cycle. */
#define BRANCH_MAX_DEPTH 10000

/* ------------------------------------------------------------ shared helpers */

static void bind_id_or_null(sqlite3_stmt *st, int i, int64_t id)
{
    if (id > 0)
        sqlite3_bind_int64(st, i, id);
    else
        sqlite3_bind_null(st, i);
}


/* ------------------------------------------------------------ stories */

void story_row_clear(StoryRow *r)
{
    if (!r)
        return;
    free(r->description);
    cJSON_Delete(r->metadata);
    r->description = NULL;
    r->metadata = NULL;
}

static void read_story(sqlite3_stmt *st, void *row)
{
    StoryRow *r = row;
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->world_id = sqlite3_column_int64(st, 1);
    save_col_copy(st, 2, r->title, sizeof r->title);
    r->description = save_col_text(st, 3);
    save_col_copy(st, 4, r->story_type, sizeof r->story_type);
    r->metadata = save_col_json(st, 5);
    r->is_active = sqlite3_column_int(st, 6);
    save_col_copy(st, 7, r->created_at, sizeof r->created_at);
    save_col_copy(st, 8, r->updated_at, sizeof r->updated_at);
}

static void clear_story(void *row)
{
    story_row_clear(row);
}

int stories_insert(Save *s, StoryRow *r, Err *err)
{
    static const char sql[] =
        "INSERT INTO stories (world_id, title, description, story_type, metadata, is_active) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id, created_at, updated_at";
    char what[200], missing[64];
    snprintf(what, sizeof what, "adding the story '%.128s' to world %lld", r->title, (long long)r->world_id);
    if (save_need_object(s, r->metadata, err, what, "stories.metadata") != MA_OK)
        return save_failed(err);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, r->world_id);
    sqlite3_bind_text(st, 2, r->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->description ? r->description : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->story_type[0] ? r->story_type : "main", -1, SQLITE_STATIC);
    save_bind_json(st, 5, r->metadata, "{}");
    sqlite3_bind_int(st, 6, r->is_active ? 1 : 0);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        snprintf(missing, sizeof missing, "there is no world %lld", (long long)r->world_id);
        return save_write_error(s, rc, err, what, missing);
    }
    r->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, r->created_at, sizeof r->created_at);
    save_col_copy(st, 2, r->updated_at, sizeof r->updated_at);
    sqlite3_reset(st);
    return MA_OK;
}

int stories_get(Save *s, int64_t id, StoryRow *out, Err *err)
{
    static const char sql[] = "SELECT " STORY_COLS " FROM stories WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    char missing[48];
    snprintf(missing, sizeof missing, "story with id %lld", (long long)id);
    return save_get_row(s, st, read_story, out, err, "reading a story", missing);
}

int stories_list(Save *s, int64_t world_id, int active_only, StoryRow **out, int *n, Err *err)
{
    static const char sql[] =
        "SELECT " STORY_COLS " FROM stories WHERE world_id = ?1 AND (?2 = 0 OR is_active = 1) ORDER BY id";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_int(st, 2, active_only ? 1 : 0);
    void *rows;
    int rc = save_collect_rows(s, st, sizeof **out, read_story, clear_story, &rows, n, err, "listing a world's stories");
    *out = rows;
    return rc;
}

void stories_list_free(StoryRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        story_row_clear(&rows[i]);
    free(rows);
}

int stories_find(Save *s, int64_t world_id, const char *name, int by_title, StoryRow *out, Err *err)
{
    static const char sql_name[] =
        "SELECT " STORY_COLS " FROM stories WHERE world_id = ? AND json_extract(metadata, '$.name') = ? ORDER BY id";
    static const char sql_title[] =
        "SELECT " STORY_COLS " FROM stories WHERE world_id = ? AND title = ? COLLATE NOCASE ORDER BY id";
    sqlite3_stmt *st = save_stmt(s, by_title ? sql_title : sql_name, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    char missing[200];
    snprintf(missing, sizeof missing, "story %s '%.128s' in world %lld", by_title ? "titled" : "named", name,
             (long long)world_id);
    return save_get_row(s, st, read_story, out, err, "finding a story", missing);
}

int stories_update(Save *s, const StoryRow *r, Err *err)
{
    static const char sql[] =
        "UPDATE stories SET title = ?, description = ?, story_type = ?, metadata = ?, is_active = ? WHERE id = ?";
    char what[64];
    snprintf(what, sizeof what, "updating story %lld", (long long)r->id);
    if (save_need_object(s, r->metadata, err, what, "stories.metadata") != MA_OK)
        return save_failed(err);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_text(st, 1, r->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->description ? r->description : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->story_type, -1, SQLITE_STATIC);
    save_bind_json(st, 4, r->metadata, "{}");
    sqlite3_bind_int(st, 5, r->is_active ? 1 : 0);
    sqlite3_bind_int64(st, 6, r->id);
    int rc = save_step_done(s, st, err, what);
    if (rc == MA_OK && sqlite3_changes(s->db) == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no story with id %lld", s->path, (long long)r->id);
    return rc;
}

int stories_delete(Save *s, int64_t id, Err *err)
{
    return save_exec_id(s, "DELETE FROM stories WHERE id = ?", id, err, "deleting a story");
}

/* ------------------------------------------------------------ story_branches */

void branch_row_clear(BranchRow *r)
{
    if (!r)
        return;
    free(r->content);
    cJSON_Delete(r->conditions);
    cJSON_Delete(r->consequences);
    r->content = NULL;
    r->conditions = r->consequences = NULL;
}

static void read_branch(sqlite3_stmt *st, void *row)
{
    BranchRow *r = row;
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->story_id = sqlite3_column_int64(st, 1);
    r->parent_branch_id = sqlite3_column_int64(st, 2); /* NULL reads as 0 */
    save_col_copy(st, 3, r->branch_name, sizeof r->branch_name);
    r->content = save_col_text(st, 4);
    r->conditions = save_col_json(st, 5);
    r->consequences = save_col_json(st, 6);
    r->branch_order = sqlite3_column_int(st, 7);
    save_col_copy(st, 8, r->created_at, sizeof r->created_at);
}

static void clear_branch(void *row)
{
    branch_row_clear(row);
}

/* Checks that parent_id may be the parent of branch self (0 for a new
 * branch) in story story_id: it exists, it is in the same story, and self is
 * not among its ancestors (or itself). */
static int check_parent(Save *s, int64_t self, int64_t story_id, int64_t parent_id, Err *err, const char *what)
{
    static const char sql_story[] = "SELECT story_id FROM story_branches WHERE id = ?";
    static const char sql_cycle[] =
        "WITH RECURSIVE up(id) AS (SELECT ?1 UNION "
        "SELECT b.parent_branch_id FROM story_branches b JOIN up ON b.id = up.id "
        "WHERE b.parent_branch_id IS NOT NULL) "
        "SELECT EXISTS (SELECT 1 FROM up WHERE id = ?2)";
    sqlite3_stmt *st = save_stmt(s, sql_story, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, parent_id);
    int rc = sqlite3_step(st);
    int64_t parent_story = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: %s: there is no parent branch %lld", s->path, what,
                       (long long)parent_id);
    if (rc != SQLITE_ROW)
        return save_db_error(s, rc, err, what);
    if (parent_story != story_id)
        return err_set(err, MA_ERR_INVALID, "%s: %s: the parent branch %lld belongs to story %lld, not %lld", s->path,
                       what, (long long)parent_id, (long long)parent_story, (long long)story_id);
    if (self <= 0)
        return MA_OK;
    st = save_stmt(s, sql_cycle, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, parent_id);
    sqlite3_bind_int64(st, 2, self);
    rc = sqlite3_step(st);
    int cycle = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return save_db_error(s, rc, err, what);
    if (cycle)
        return err_set(err, MA_ERR_INVALID, "%s: %s: branch %lld cannot hang under %lld, which is itself or below it",
                       s->path, what, (long long)self, (long long)parent_id);
    return MA_OK;
}

int branches_insert(Save *s, BranchRow *r, Err *err)
{
    static const char sql[] =
        "INSERT INTO story_branches (story_id, parent_branch_id, branch_name, content, conditions, consequences, "
        "branch_order) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id, created_at";
    char what[200], missing[64];
    snprintf(what, sizeof what, "adding the branch '%.128s' to story %lld", r->branch_name, (long long)r->story_id);
    if (r->parent_branch_id > 0 && check_parent(s, 0, r->story_id, r->parent_branch_id, err, what) != MA_OK)
        return save_failed(err);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, r->story_id);
    bind_id_or_null(st, 2, r->parent_branch_id);
    sqlite3_bind_text(st, 3, r->branch_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->content ? r->content : "", -1, SQLITE_STATIC);
    save_bind_json(st, 5, r->conditions, "{}");
    save_bind_json(st, 6, r->consequences, "{}");
    sqlite3_bind_int(st, 7, r->branch_order);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        snprintf(missing, sizeof missing, "there is no story %lld", (long long)r->story_id);
        return save_write_error(s, rc, err, what, missing);
    }
    r->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, r->created_at, sizeof r->created_at);
    sqlite3_reset(st);
    return MA_OK;
}

int branches_get(Save *s, int64_t id, BranchRow *out, Err *err)
{
    static const char sql[] = "SELECT " BRANCH_COLS " FROM story_branches WHERE id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, id);
    char missing[48];
    snprintf(missing, sizeof missing, "story branch with id %lld", (long long)id);
    return save_get_row(s, st, read_branch, out, err, "reading a story branch", missing);
}

static int list_branches(Save *s, const char *sql, int64_t key, BranchRow **out, int *n, Err *err, const char *what)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, key);
    void *rows;
    int rc = save_collect_rows(s, st, sizeof **out, read_branch, clear_branch, &rows, n, err, what);
    *out = rows;
    return rc;
}

int branches_children(Save *s, int64_t parent_id, BranchRow **out, int *n, Err *err)
{
    static const char sql[] =
        "SELECT " BRANCH_COLS " FROM story_branches WHERE parent_branch_id = ? ORDER BY branch_order, id";
    return list_branches(s, sql, parent_id, out, n, err, "listing a branch's children");
}

int branches_roots(Save *s, int64_t story_id, BranchRow **out, int *n, Err *err)
{
    static const char sql[] =
        "SELECT " BRANCH_COLS " FROM story_branches WHERE story_id = ? AND parent_branch_id IS NULL "
        "ORDER BY branch_order, id";
    return list_branches(s, sql, story_id, out, n, err, "listing a story's root branches");
}

int branches_list(Save *s, int64_t story_id, BranchRow **out, int *n, Err *err)
{
    static const char sql[] =
        "SELECT " BRANCH_COLS " FROM story_branches WHERE story_id = ? ORDER BY branch_order, id";
    return list_branches(s, sql, story_id, out, n, err, "listing a story's branches");
}

int branches_path_to_root(Save *s, int64_t branch_id, BranchRow **out, int *n, Err *err)
{
    /* depth stops the walk on a cycle planted by another writer. */
    static const char sql[] =
        "WITH RECURSIVE path(id, depth) AS ("
        " SELECT id, 0 FROM story_branches WHERE id = ?1"
        " UNION ALL"
        " SELECT b.parent_branch_id, path.depth + 1 FROM story_branches b JOIN path ON b.id = path.id"
        " WHERE b.parent_branch_id IS NOT NULL AND path.depth < ?2) "
        "SELECT " BRANCH_COLS " FROM story_branches JOIN path USING (id) ORDER BY path.depth";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, branch_id);
    sqlite3_bind_int(st, 2, BRANCH_MAX_DEPTH);
    void *rows;
    int count = 0;
    int rc = save_collect_rows(s, st, sizeof **out, read_branch, clear_branch, &rows, &count, err,
                     "finding a branch's path to its root");
    if (rc != MA_OK)
        return rc;
    BranchRow *path = rows;
    if (count == 0) {
        free(path);
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no story branch with id %lld", s->path,
                       (long long)branch_id);
    }
    if (path[count - 1].parent_branch_id != 0) {
        branches_list_free(path, count);
        return err_set(err, MA_ERR_CORRUPT,
                       "%s: the parents of story branch %lld do not lead to a root (a cycle, a missing parent, "
                       "or over %d levels); run `magic-adventure verify`",
                       s->path, (long long)branch_id, BRANCH_MAX_DEPTH);
    }
    *out = path;
    *n = count;
    return MA_OK;
}

void branches_list_free(BranchRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        branch_row_clear(&rows[i]);
    free(rows);
}

int branches_find(Save *s, int64_t story_id, const char *name, BranchRow *out, Err *err)
{
    static const char sql[] =
        "SELECT " BRANCH_COLS " FROM story_branches WHERE story_id = ? AND branch_name = ? ORDER BY id";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, story_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    char missing[200];
    snprintf(missing, sizeof missing, "branch '%.128s' in story %lld", name, (long long)story_id);
    return save_get_row(s, st, read_branch, out, err, "finding a story branch", missing);
}

/* A branch row followed by its depth (column 9). */
static void read_branch_depth(sqlite3_stmt *st, void *row)
{
    read_branch(st, row);
    ((BranchRow *)row)->depth = sqlite3_column_int(st, 9);
}

/* Tree order comes from a sort key built on the way down: each level appends
 * the branch's order and id, zero-padded, so that text order is tree order.
 * depth stops the walk on a cycle planted by another writer. */
#define TREE_WALK(start)                                                                                          \
    "WITH RECURSIVE sub(id, depth, sort) AS ("                                                                    \
    " SELECT id, 0, printf('%010d.%019d', branch_order, id) FROM story_branches WHERE " start                    \
    " UNION ALL"                                                                                                  \
    " SELECT b.id, sub.depth + 1, sub.sort || '/' || printf('%010d.%019d', b.branch_order, b.id)"                \
    " FROM story_branches b JOIN sub ON b.parent_branch_id = sub.id WHERE sub.depth < ?2) "                      \
    "SELECT " BRANCH_COLS ", sub.depth FROM story_branches JOIN sub USING (id) ORDER BY sub.sort"

static int walk_tree(Save *s, const char *sql, int64_t key, BranchRow **out, int *n, Err *err, const char *what)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, key);
    sqlite3_bind_int(st, 2, BRANCH_MAX_DEPTH);
    void *rows;
    int rc = save_collect_rows(s, st, sizeof **out, read_branch_depth, clear_branch, &rows, n, err, what);
    *out = rows;
    return rc;
}

int branches_tree(Save *s, int64_t story_id, BranchRow **out, int *n, Err *err)
{
    static const char sql[] = TREE_WALK("story_id = ?1 AND parent_branch_id IS NULL");
    return walk_tree(s, sql, story_id, out, n, err, "walking a story's tree");
}

int branches_subtree(Save *s, int64_t branch_id, BranchRow **out, int *n, Err *err)
{
    static const char sql[] = TREE_WALK("id = ?1");
    int rc = walk_tree(s, sql, branch_id, out, n, err, "walking the branches below a branch");
    if (rc == MA_OK && *n == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no story branch with id %lld", s->path,
                       (long long)branch_id);
    return rc;
}

int branches_reached(Save *s, int64_t branch_id, int *reached, Err *err)
{
    static const char sql[] =
        "SELECT EXISTS (SELECT 1 FROM player_choices WHERE story_branch_id = ?1) OR "
        "EXISTS (SELECT 1 FROM story_progress WHERE current_branch_id = ?1) OR "
        "EXISTS (SELECT 1 FROM story_branches b JOIN story_progress p ON p.story_id = b.story_id "
        "WHERE b.id = ?1 AND b.parent_branch_id IS NULL)";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, branch_id);
    int rc = sqlite3_step(st);
    *reached = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? MA_OK : save_db_error(s, rc, err, "asking whether a branch was reached");
}

int branches_update(Save *s, const BranchRow *r, Err *err)
{
    static const char sql_story[] = "SELECT story_id FROM story_branches WHERE id = ?";
    static const char sql[] =
        "UPDATE story_branches SET parent_branch_id = ?, branch_name = ?, content = ?, conditions = ?, "
        "consequences = ?, branch_order = ? WHERE id = ?";
    char what[64];
    snprintf(what, sizeof what, "updating story branch %lld", (long long)r->id);
    sqlite3_stmt *st = save_stmt(s, sql_story, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, r->id);
    int rc = sqlite3_step(st);
    int64_t story_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no story branch with id %lld", s->path, (long long)r->id);
    if (rc != SQLITE_ROW)
        return save_db_error(s, rc, err, what);
    if (r->parent_branch_id > 0 && check_parent(s, r->id, story_id, r->parent_branch_id, err, what) != MA_OK)
        return save_failed(err);

    st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    bind_id_or_null(st, 1, r->parent_branch_id);
    sqlite3_bind_text(st, 2, r->branch_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->content ? r->content : "", -1, SQLITE_STATIC);
    save_bind_json(st, 4, r->conditions, "{}");
    save_bind_json(st, 5, r->consequences, "{}");
    sqlite3_bind_int(st, 6, r->branch_order);
    sqlite3_bind_int64(st, 7, r->id);
    return save_step_done(s, st, err, what);
}

int branches_delete(Save *s, int64_t id, Err *err)
{
    return save_exec_id(s, "DELETE FROM story_branches WHERE id = ?", id, err, "deleting a story branch");
}

/* ------------------------------------------------------------ player_choices */

void choice_row_clear(ChoiceRow *r)
{
    if (!r)
        return;
    free(r->choice_text);
    cJSON_Delete(r->choice_data);
    cJSON_Delete(r->consequences);
    r->choice_text = NULL;
    r->choice_data = r->consequences = NULL;
}

static void read_choice(sqlite3_stmt *st, void *row)
{
    ChoiceRow *r = row;
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->character_id = sqlite3_column_int64(st, 1);
    r->story_branch_id = sqlite3_column_int64(st, 2);
    r->choice_text = save_col_text(st, 3);
    r->choice_data = save_col_json(st, 4);
    r->consequences = save_col_json(st, 5);
    save_col_copy(st, 6, r->made_at, sizeof r->made_at);
}

static void clear_choice(void *row)
{
    choice_row_clear(row);
}

int choices_record(Save *s, ChoiceRow *r, Err *err)
{
    static const char sql[] =
        "INSERT INTO player_choices (character_id, story_branch_id, choice_text, choice_data, consequences, made_at) "
        "VALUES (?, ?, ?, ?, ?, COALESCE(?, " NOW_SQL ")) RETURNING id, made_at";
    static const char sql_character[] = "SELECT 1 FROM characters WHERE id = ?";
    char what[96], missing[96];
    snprintf(what, sizeof what, "recording a choice of character %lld", (long long)r->character_id);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, r->character_id);
    bind_id_or_null(st, 2, r->story_branch_id);
    sqlite3_bind_text(st, 3, r->choice_text ? r->choice_text : "", -1, SQLITE_STATIC);
    save_bind_json(st, 4, r->choice_data, "{}");
    save_bind_json(st, 5, r->consequences, "{}");
    if (save_bind_time(s, st, 6, r->made_at, err, what, "made_at") != MA_OK) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return save_failed(err);
    }
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY && save_row_exists(s, sql_character, r->character_id))
            snprintf(missing, sizeof missing, "there is no story branch %lld", (long long)r->story_branch_id);
        else
            snprintf(missing, sizeof missing, "there is no character %lld", (long long)r->character_id);
        return save_write_error(s, rc, err, what, missing);
    }
    r->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, r->made_at, sizeof r->made_at);
    sqlite3_reset(st);
    return MA_OK;
}

static int list_choices(Save *s, const char *sql, int64_t key, ChoiceRow **out, int *n, Err *err, const char *what)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, key);
    void *rows;
    int rc = save_collect_rows(s, st, sizeof **out, read_choice, clear_choice, &rows, n, err, what);
    *out = rows;
    return rc;
}

int choices_list_by_character(Save *s, int64_t character_id, ChoiceRow **out, int *n, Err *err)
{
    static const char sql[] =
        "SELECT " CHOICE_COLS " FROM player_choices WHERE character_id = ? ORDER BY made_at, id";
    return list_choices(s, sql, character_id, out, n, err, "listing a character's choices");
}

int choices_list_by_branch(Save *s, int64_t branch_id, ChoiceRow **out, int *n, Err *err)
{
    static const char sql[] =
        "SELECT " CHOICE_COLS " FROM player_choices WHERE story_branch_id = ? ORDER BY made_at, id";
    return list_choices(s, sql, branch_id, out, n, err, "listing the choices made at a branch");
}

int choices_list_by_story(Save *s, int64_t character_id, int64_t story_id, ChoiceRow **out, int *n, Err *err)
{
    static const char sql[] =
        "SELECT " CHOICE_COLS " FROM player_choices WHERE character_id = ?1 "
        "AND json_extract(choice_data, '$.story_id') = ?2 ORDER BY made_at, id";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_int64(st, 2, story_id);
    void *rows;
    int rc = save_collect_rows(s, st, sizeof **out, read_choice, clear_choice, &rows, n, err,
                               "listing a character's choices in a story");
    *out = rows;
    return rc;
}

void choices_list_free(ChoiceRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        choice_row_clear(&rows[i]);
    free(rows);
}

int choices_delete(Save *s, int64_t id, Err *err)
{
    return save_exec_id(s, "DELETE FROM player_choices WHERE id = ?", id, err, "deleting a choice");
}

/* ------------------------------------------------------------ story_choice_undo */

int choice_undo_store(Save *s, int64_t choice_id, const void *changeset, int len, Err *err)
{
    static const char sql[] = "INSERT INTO story_choice_undo (id, changeset) VALUES (?, ?)";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, choice_id);
    sqlite3_bind_blob(st, 2, changeset, len, SQLITE_STATIC);
    int rc = save_step_done(s, st, err, "keeping how to undo a choice");
    sqlite3_clear_bindings(st);
    return rc;
}

int choice_undo_last(Save *s, int64_t character_id, ChoiceRow *choice, void **changeset, int *len, Err *err)
{
    static const char sql[] =
        "SELECT pc.id, pc.character_id, pc.story_branch_id, pc.choice_text, pc.choice_data, pc.consequences, "
        "pc.made_at, u.changeset FROM player_choices pc JOIN story_choice_undo u ON u.id = pc.id "
        "WHERE pc.character_id = ? ORDER BY pc.made_at DESC, pc.id DESC LIMIT 1";
    *changeset = NULL;
    *len = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, character_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_choice(st, choice);
        int n = sqlite3_column_bytes(st, 7);
        void *copy = malloc(n > 0 ? (size_t)n : 1);
        if (!copy) {
            sqlite3_reset(st);
            choice_row_clear(choice);
            return err_set(err, MA_ERR_NOMEM, "out of memory reading how to undo a choice");
        }
        memcpy(copy, sqlite3_column_blob(st, 7), (size_t)n);
        *changeset = copy;
        *len = n;
        sqlite3_reset(st);
        return MA_OK;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: character %lld has made no story choice that can be undone",
                       s->path, (long long)character_id);
    return save_db_error(s, rc, err, "finding the last choice to undo");
}

int choice_undo_exists(Save *s, int64_t choice_id)
{
    static const char sql[] = "SELECT 1 FROM story_choice_undo WHERE id = ?";
    return save_row_exists(s, sql, choice_id);
}

/* ------------------------------------------------------------ story_progress */

void story_progress_row_clear(StoryProgressRow *r)
{
    if (!r)
        return;
    cJSON_Delete(r->state);
    r->state = NULL;
}

static void read_progress(sqlite3_stmt *st, void *row)
{
    StoryProgressRow *r = row;
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->character_id = sqlite3_column_int64(st, 1);
    r->story_id = sqlite3_column_int64(st, 2);
    r->current_branch_id = sqlite3_column_int64(st, 3);
    save_col_copy(st, 4, r->status, sizeof r->status);
    save_col_copy(st, 5, r->ending, sizeof r->ending);
    r->state = save_col_json(st, 6);
    r->focused = sqlite3_column_int(st, 7);
    save_col_copy(st, 8, r->started_at, sizeof r->started_at);
    save_col_copy(st, 9, r->updated_at, sizeof r->updated_at);
}

static void clear_progress(void *row)
{
    story_progress_row_clear(row);
}

int story_progress_insert(Save *s, StoryProgressRow *r, Err *err)
{
    static const char sql[] =
        "INSERT INTO story_progress (character_id, story_id, current_branch_id, status, ending, state, focused) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id, started_at, updated_at";
    char what[160];
    snprintf(what, sizeof what, "beginning story %lld for character %lld", (long long)r->story_id,
             (long long)r->character_id);
    if (save_need_object(s, r->state, err, what, "story_progress.state") != MA_OK)
        return save_failed(err);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, r->character_id);
    sqlite3_bind_int64(st, 2, r->story_id);
    bind_id_or_null(st, 3, r->current_branch_id);
    sqlite3_bind_text(st, 4, r->status[0] ? r->status : "active", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->ending, -1, SQLITE_STATIC);
    save_bind_json(st, 6, r->state, "{}");
    sqlite3_bind_int(st, 7, r->focused ? 1 : 0);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return save_write_error(s, rc, err, what, "there is no such character, story or branch");
    }
    r->id = sqlite3_column_int64(st, 0);
    save_col_copy(st, 1, r->started_at, sizeof r->started_at);
    save_col_copy(st, 2, r->updated_at, sizeof r->updated_at);
    sqlite3_reset(st);
    return MA_OK;
}

int story_progress_get(Save *s, int64_t character_id, int64_t story_id, StoryProgressRow *out, Err *err)
{
    static const char sql[] = "SELECT " PROGRESS_COLS " FROM story_progress WHERE character_id = ? AND story_id = ?";
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_int64(st, 2, story_id);
    char missing[96];
    snprintf(missing, sizeof missing, "progress of character %lld in story %lld", (long long)character_id,
             (long long)story_id);
    return save_get_row(s, st, read_progress, out, err, "reading a character's story progress", missing);
}

static int list_progress(Save *s, const char *sql, int64_t key, StoryProgressRow **out, int *n, Err *err,
                         const char *what)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, key);
    void *rows;
    int rc = save_collect_rows(s, st, sizeof **out, read_progress, clear_progress, &rows, n, err, what);
    *out = rows;
    return rc;
}

int story_progress_list(Save *s, int64_t character_id, StoryProgressRow **out, int *n, Err *err)
{
    static const char sql[] =
        "SELECT " PROGRESS_COLS " FROM story_progress WHERE character_id = ? ORDER BY started_at, id";
    return list_progress(s, sql, character_id, out, n, err, "listing a character's storylines");
}

int story_progress_list_by_story(Save *s, int64_t story_id, StoryProgressRow **out, int *n, Err *err)
{
    static const char sql[] = "SELECT " PROGRESS_COLS " FROM story_progress WHERE story_id = ? ORDER BY id";
    return list_progress(s, sql, story_id, out, n, err, "listing the characters in a story");
}

void story_progress_list_free(StoryProgressRow *rows, int n)
{
    for (int i = 0; i < n; i++)
        story_progress_row_clear(&rows[i]);
    free(rows);
}

int story_progress_update(Save *s, const StoryProgressRow *r, Err *err)
{
    static const char sql[] =
        "UPDATE story_progress SET current_branch_id = ?, status = ?, ending = ?, state = ? WHERE id = ?";
    char what[64];
    snprintf(what, sizeof what, "updating story progress %lld", (long long)r->id);
    if (save_need_object(s, r->state, err, what, "story_progress.state") != MA_OK)
        return save_failed(err);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return save_failed(err);
    bind_id_or_null(st, 1, r->current_branch_id);
    sqlite3_bind_text(st, 2, r->status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->ending, -1, SQLITE_STATIC);
    save_bind_json(st, 4, r->state, "{}");
    sqlite3_bind_int64(st, 5, r->id);
    int rc = save_step_done(s, st, err, what);
    if (rc == MA_OK && sqlite3_changes(s->db) == 0)
        return err_set(err, MA_ERR_NOT_FOUND, "%s: there is no story progress with id %lld", s->path,
                       (long long)r->id);
    return rc;
}

int story_progress_focus(Save *s, int64_t character_id, int64_t story_id, Err *err)
{
    static const char sql_clear[] =
        "UPDATE story_progress SET focused = 0 WHERE character_id = ? AND focused = 1 AND story_id <> ?";
    static const char sql_set[] =
        "UPDATE story_progress SET focused = 1 WHERE character_id = ? AND story_id = ? AND focused = 0";
    sqlite3_stmt *st = save_stmt(s, sql_clear, err);
    if (!st)
        return save_failed(err);
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_int64(st, 2, story_id);
    int rc = save_step_done(s, st, err, "moving a character's story focus");
    if (rc != MA_OK || story_id <= 0)
        return rc;
    if (!(st = save_stmt(s, sql_set, err)))
        return save_failed(err);
    sqlite3_bind_int64(st, 1, character_id);
    sqlite3_bind_int64(st, 2, story_id);
    return save_step_done(s, st, err, "moving a character's story focus");
}
