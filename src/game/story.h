/* story.h — storylines as the player lives them.
 *
 * A world's storylines are rows (story_book.h writes them from data/stories). For a
 * character, a storyline begins when its start fires — when the character begins
 * playing (the main storyline's opening), talks to a villager of a role, enters a ruin,
 * dungeon or shrine, finishes a quest, or a consequence starts it — and then waits at a
 * passage (a branch) whose children are the choices on offer. Several storylines run at
 * once; one is in focus, and `story`, `choose N` and the story pane work on it. Each
 * keeps its state in story_progress (current branch, status, ending, the villagers and
 * place it is about, the flags it set).
 *
 * Choosing (ACT_CHOOSE) applies the branch's consequences, a revision of an earlier
 * choice when the branch has one, records the player_choices row with what was actually
 * applied, and moves the storyline on, all in the action's one transaction; everything
 * the action writes is recorded as a changeset (story_choice_undo) so that
 * story_undo_last can restore exactly the rows as they were. */
#ifndef MA_GAME_STORY_H
#define MA_GAME_STORY_H

#include <stdint.h>

#include <cJSON.h>

#include "game/game.h"
#include "game/story_book.h"
#include "save/stories.h"

/* A choice as the player sees it. */
typedef struct StoryChoice {
    int number;     /* 1-based: what `choose N` takes */
    char branch[129]; /* the branch it leads to (its name) */
    char text[160]; /* filled from the world */
    char tag[80];   /* "[Charisma 14]", "[needs: silver key]" or "" */
    int available;
    char why[200];  /* when not available: "needs charisma 14 (you have 10)" */
    char place[64]; /* when the choice waits only for the player to go there: "ruins", or a place by name ("Frosthaven"); else "" */
    int ends;       /* taking it ends the storyline: 1 with an ending, 2 giving it up; else 0 */
} StoryChoice;

/* A storyline where the character stands in it. */
typedef struct StoryView {
    int64_t story_id;
    char name[64], title[129], type[16];
    char status[16];  /* active, finished, abandoned */
    char ending[129]; /* when finished */
    char branch[129]; /* the current branch's name */
    char text[STORY_MAX_TEXT + 512]; /* its passage, filled */
    int focused;
    int choices_made;
    int n_choices;
    StoryChoice choices[STORY_MAX_CHOICES];
} StoryView;

/* At game start (inside game_start's transaction): writes the book into the player's
 * world and begins the storylines that begin when a character starts playing. */
int story_game_started(Game *g, Err *err);
/* After every action (game_apply): begins the storylines whose start the action fired. */
int story_after_action(Game *g, const Action *a, ActionResult *r, Err *err);
/* Begins storyline `name` (its data name or title) for the player now (the start_story
 * effect); nothing when it has begun before. MA_ERR_INVALID for an unknown storyline. */
int story_start_named(Game *g, const char *name, ActionResult *r, Err *err);

/* ACT_STORY: the focused storyline's passage and numbered choices as events. */
int story_show(Game *g, ActionResult *r, Err *err);
/* ACT_CHOOSE: takes choice `number` of the focused storyline's passage. A locked or
 * absent choice, or consequences that cannot happen now (a full pack), are refused with
 * the reason (r->ok = 0) and change nothing. */
int story_choose(Game *g, int number, ActionResult *r, Err *err);
/* ACT_STORY_FOCUS: puts the storyline titled `title` (any case) in focus. */
int story_focus(Game *g, const char *title, ActionResult *r, Err *err);

/* game_apply calls these around its commit: the changeset of a choice's action is kept
 * with the choice (seal), or dropped when the action is rolled back (drop). */
int story_seal_choice(Game *g, Err *err);
void story_drop_choice(Game *g);

/* The storyline `story_id` (0: the focused one) as the player sees it now.
 * MA_ERR_NOT_FOUND when the character has no storyline (in focus). */
int story_view(Game *g, int64_t story_id, StoryView *out, Err *err);
/* Every storyline of the player: active ones first (the focused one leading), then
 * finished, then abandoned. *out is a heap array of views the caller frees with free(). */
int story_views(Game *g, StoryView **out, int *n, Err *err);
/* The title of the storyline in focus into buf; 1 when it is active (waiting for a
 * choice), 0 otherwise (buf ""). Cheap: for a side panel drawn after every key. */
int story_focus_title(Game *g, char *buf, size_t size);
/* The kind of place ("ruins") a choice of the focused storyline's passage waits for, when going
 * there is all it waits for: 1 and kind, else 0 and "". For the side panel's way. */
int story_focus_place(Game *g, char *kind, size_t size);
/* When the player is more than STORY_HOME_FAR blocks from the focused storyline's own village
 * and has made no choice in it yet (a quick start far from any village: "You wake in Wolfwick"
 * 199 blocks off): 1 and its name, else 0 and "". For the side panel's way. */
#define STORY_HOME_FAR 48
int story_focus_home_far(Game *g, char *name, size_t size);

/* Where a village the player's storylines know by name (their cast's, any case) lies: the home
 * (x, z) of one of its villagers in the cast, and 1; 0 when no storyline knows it. So that a
 * story's village far beyond the search for places (QUEST_PLACE_RADIUS) is still found. */
int story_cast_village_at(Game *g, const char *village, int32_t *x, int32_t *z);
/* A view as JSON: title, name, type, status, branch, ending, focused, text, and the
 * choices with number, text, tag, available and why (and place, when going there is all a
 * choice waits for). Caller deletes. */
cJSON *story_view_json(const StoryView *v, int with_text);
/* The "stories" list of `play --json`'s state. Caller deletes; NULL on error. */
cJSON *story_state_json(Game *g, Err *err);

/* ---- the record, for the journal and the command line (no Game needed) ---- */

/* One choice in a storyline's history. */
typedef struct StoryStep {
    int64_t choice_id;
    char made_at[32];  /* when, on the wall clock */
    int64_t turn;      /* when, on the game clock */
    char from[129];    /* the passage it was made at */
    char branch[129];  /* the branch it led to */
    char choice[200];  /* the text the player chose */
    char changed[400]; /* what it did, in words */
    char revises[300]; /* "revises your choice #12 (...): ..." or "" */
    char revised_by[200]; /* "revised later by ..." or "" */
    int undoable;
} StoryStep;

/* The character's choices in a storyline, in order. Heap array; free() it. */
int story_history(Save *s, int64_t character_id, int64_t story_id, StoryStep **out, int *n, Err *err);
/* The branches from the root to the character's current branch (the root first), found
 * with the recursive CTE of branches_path_to_root. */
int story_path(Save *s, int64_t character_id, int64_t story_id, BranchRow **out, int *n, Err *err);

typedef struct StoryUndo {
    int64_t choice_id;
    char story[129], choice[200];
    int rows, conflicts, missing;
    char tables[300]; /* "inventory 1, player_choices 1, story_progress 1" */
} StoryUndo;
/* Undoes the character's last choice made by the game: the rows its action changed go
 * back to what they were. Inside the caller's transaction. MA_ERR_NOT_FOUND when there is
 * no choice to undo. */
int story_undo_last(Save *s, int64_t character_id, StoryUndo *out, Err *err);

#endif
