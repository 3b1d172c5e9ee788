/* stories.h — the story tables: stories, story_branches (a tree per story),
 * player_choices (what a character chose, at which branch), and the game's own
 * story_progress (where a character stands in each storyline) and
 * story_choice_undo (how to take a choice back), from migration 004.
 *
 * Follows worlds.h: a plain struct per row, JSON columns as owned cJSON
 * trees, long text as owned heap strings, a *_row_clear for the heap parts,
 * and functions that return MA_OK or a negative MaStatus with err filled
 * (the message names the save and what was being done). Lists are heap
 * arrays the caller frees with the matching *_list_free. */
#ifndef MA_SAVE_STORIES_H
#define MA_SAVE_STORIES_H

#include <stdint.h>

#include <cJSON.h>

#include "save/save.h"

/* ------------------------------------------------------------ stories */

typedef struct StoryRow {
    int64_t id;
    int64_t world_id;
    char title[129];
    char *description;   /* owned heap string (set it with strdup); NULL is written as "" */
    char story_type[33]; /* "" on insert means "main" */
    cJSON *metadata;     /* owned; must be a JSON object; NULL on insert means {} */
    int is_active;       /* written as given: a zeroed row inserts an inactive story */
    char created_at[32];
    char updated_at[32];
} StoryRow;

/* Frees the heap parts of a row (description, metadata), not the row itself. */
void story_row_clear(StoryRow *r);

/* Inserts r into r->world_id; fills id, created_at and updated_at. Fails with
 * MA_ERR_CONSTRAINT when the world does not exist or a value is refused, and
 * MA_ERR_INVALID when metadata is not a JSON object. */
int stories_insert(Save *s, StoryRow *r, Err *err);
/* Reads story id into *out (which then owns its heap parts). MA_ERR_NOT_FOUND
 * when there is no such story. */
int stories_get(Save *s, int64_t id, StoryRow *out, Err *err);
/* The stories of a world by id, only the active ones when active_only. *out is
 * a heap array of *n rows the caller frees with stories_list_free. */
int stories_list(Save *s, int64_t world_id, int active_only, StoryRow **out, int *n, Err *err);
void stories_list_free(StoryRow *rows, int n);
/* The story of world_id whose metadata.name is name (the storyline's key in
 * data/stories), or, with by_title, whose title is name in any case.
 * MA_ERR_NOT_FOUND when there is none. */
int stories_find(Save *s, int64_t world_id, const char *name, int by_title, StoryRow *out, Err *err);
/* Writes title, description, story_type, metadata and is_active of r->id
 * (world_id is not moved). MA_ERR_NOT_FOUND when there is no such story. */
int stories_update(Save *s, const StoryRow *r, Err *err);
/* Deletes the story and, by cascade, its branches; choices made at those
 * branches stay, with no branch. Deleting a missing story is not an error. */
int stories_delete(Save *s, int64_t id, Err *err);

/* ------------------------------------------------------------ story_branches */

typedef struct BranchRow {
    int64_t id;
    int64_t story_id;
    int64_t parent_branch_id; /* 0: a root of the story */
    char branch_name[129];
    char *content;       /* owned heap string (set it with strdup); NULL is written as "" */
    cJSON *conditions;   /* owned; NULL on insert means {} */
    cJSON *consequences; /* owned; NULL on insert means {} */
    int branch_order;    /* position among its siblings, >= 0 */
    char created_at[32];
    int depth;           /* filled by branches_tree and branches_subtree only: 0 at the top */
} BranchRow;

void branch_row_clear(BranchRow *r);

/* Inserts r; fills id and created_at. The parent, when given, must exist and
 * belong to the same story (MA_ERR_NOT_FOUND / MA_ERR_INVALID); a missing
 * story or a refused value is MA_ERR_CONSTRAINT. */
int branches_insert(Save *s, BranchRow *r, Err *err);
int branches_get(Save *s, int64_t id, BranchRow *out, Err *err);
/* The children of branch parent_id ordered by branch_order (then id). */
int branches_children(Save *s, int64_t parent_id, BranchRow **out, int *n, Err *err);
/* The roots (branches without a parent) of a story, ordered by branch_order. */
int branches_roots(Save *s, int64_t story_id, BranchRow **out, int *n, Err *err);
/* Every branch of a story, ordered by branch_order (then id). */
int branches_list(Save *s, int64_t story_id, BranchRow **out, int *n, Err *err);
/* The branch and its ancestors, found with a recursive query: (*out)[0] is the
 * branch itself and (*out)[*n - 1] its root. MA_ERR_NOT_FOUND when the branch
 * does not exist; MA_ERR_CORRUPT when the parents do not lead to a root (a
 * cycle or a dangling parent, which this file refuses to create but another
 * writer might have). */
int branches_path_to_root(Save *s, int64_t branch_id, BranchRow **out, int *n, Err *err);
void branches_list_free(BranchRow *rows, int n);
/* The branch of story_id named name. MA_ERR_NOT_FOUND when there is none. */
int branches_find(Save *s, int64_t story_id, const char *name, BranchRow *out, Err *err);
/* Every branch of a story in tree order (a parent before its children, siblings
 * by branch_order), with depth, walked down from the roots by a recursive query. */
int branches_tree(Save *s, int64_t story_id, BranchRow **out, int *n, Err *err);
/* The branch and everything below it, in tree order, depth counted from it
 * (a recursive query). MA_ERR_NOT_FOUND when the branch does not exist. */
int branches_subtree(Save *s, int64_t branch_id, BranchRow **out, int *n, Err *err);
/* Whether any character has reached the branch: chosen it, reads it now, or (a root) has
 * begun its story. */
int branches_reached(Save *s, int64_t branch_id, int *reached, Err *err);
/* Writes parent_branch_id, branch_name, content, conditions, consequences and
 * branch_order of r->id (story_id is not moved). Refuses a parent from another
 * story and a parent that would make a cycle (MA_ERR_INVALID). */
int branches_update(Save *s, const BranchRow *r, Err *err);
/* Deletes the branch; its children become roots and choices made at it keep
 * their text with no branch. */
int branches_delete(Save *s, int64_t id, Err *err);

/* ------------------------------------------------------------ player_choices */

typedef struct ChoiceRow {
    int64_t id;
    int64_t character_id;
    int64_t story_branch_id; /* 0: none (also after the branch was deleted) */
    char *choice_text;       /* owned heap string (set it with strdup); must not be empty */
    cJSON *choice_data;      /* owned; NULL on insert means {} */
    cJSON *consequences;     /* owned; NULL on insert means {} */
    char made_at[32];        /* ISO-8601 UTC; "" on insert means now */
} ChoiceRow;

void choice_row_clear(ChoiceRow *r);

/* Records a choice; fills id and made_at. A missing character or branch is
 * MA_ERR_CONSTRAINT; a malformed made_at is MA_ERR_INVALID. */
int choices_record(Save *s, ChoiceRow *r, Err *err);
/* A character's choices in the order they were made (made_at, then id). */
int choices_list_by_character(Save *s, int64_t character_id, ChoiceRow **out, int *n, Err *err);
/* The choices made at a branch, in the order they were made. */
int choices_list_by_branch(Save *s, int64_t branch_id, ChoiceRow **out, int *n, Err *err);
/* A character's choices in one story (choice_data.story_id), in the order made. */
int choices_list_by_story(Save *s, int64_t character_id, int64_t story_id, ChoiceRow **out, int *n, Err *err);
void choices_list_free(ChoiceRow *rows, int n);
/* Deletes one choice row (and its undo record). */
int choices_delete(Save *s, int64_t id, Err *err);

/* ------------------------------------------------------------ story_choice_undo */

/* Keeps the changeset that undoes choice choice_id (len bytes, copied). */
int choice_undo_store(Save *s, int64_t choice_id, const void *changeset, int len, Err *err);
/* The character's most recent choice that has an undo record, and that record
 * (a heap copy the caller frees with free()). MA_ERR_NOT_FOUND when there is none. */
int choice_undo_last(Save *s, int64_t character_id, ChoiceRow *choice, void **changeset, int *len, Err *err);
/* Whether choice_id has an undo record. */
int choice_undo_exists(Save *s, int64_t choice_id);

/* ------------------------------------------------------------ story_progress */

typedef struct StoryProgressRow {
    int64_t id;
    int64_t character_id;
    int64_t story_id;
    int64_t current_branch_id; /* 0: none (the branch was deleted) */
    char status[16];           /* "active", "finished" or "abandoned"; "" on insert means active */
    char ending[129];          /* the ending reached, when finished */
    cJSON *state;              /* owned; a JSON object; NULL on insert means {} */
    int focused;               /* the storyline the character has in focus (at most one) */
    char started_at[32];
    char updated_at[32];
} StoryProgressRow;

void story_progress_row_clear(StoryProgressRow *r);
/* Begins a storyline for a character; fills id and the times. A second row for
 * the same character and story is MA_ERR_CONSTRAINT. */
int story_progress_insert(Save *s, StoryProgressRow *r, Err *err);
/* MA_ERR_NOT_FOUND when the storyline has not begun for the character. */
int story_progress_get(Save *s, int64_t character_id, int64_t story_id, StoryProgressRow *out, Err *err);
/* A character's storylines in the order they began. */
int story_progress_list(Save *s, int64_t character_id, StoryProgressRow **out, int *n, Err *err);
/* Every character's progress in one story. */
int story_progress_list_by_story(Save *s, int64_t story_id, StoryProgressRow **out, int *n, Err *err);
void story_progress_list_free(StoryProgressRow *rows, int n);
/* Writes current_branch_id, status, ending and state of r->id. */
int story_progress_update(Save *s, const StoryProgressRow *r, Err *err);
/* Puts story_id (0: none) in the character's focus, taking it from any other. */
int story_progress_focus(Save *s, int64_t character_id, int64_t story_id, Err *err);

#endif
