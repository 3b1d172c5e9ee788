/* story_book.h — storylines as data: the files of data/stories/NAME.json, validated, and
 * their rows in a world (stories and story_branches), which are what the game plays.
 *
 * A storyline file holds the story (name, title, description, type, version, how it
 * starts) and a flat list of branches, each naming its parent: one root passage, and
 * below it the choices, each with the text the player reads, the conditions under
 * which it is offered and the consequences of taking it, all in the rule language
 * (docs/rules.md). docs/stories.md describes every field. A bad file is refused whole,
 * naming the file, the branch and the reason; so is a row that does not read as a
 * branch when the game plays it.
 *
 * story_seed_world writes a book into a world's rows: new storylines are inserted, a
 * newer version of a storyline updates the branches no character has reached yet and
 * adds new ones, and everything else (history) is left as it is. Seeding twice changes
 * nothing. */
#ifndef MA_GAME_STORY_BOOK_H
#define MA_GAME_STORY_BOOK_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "game/items.h"
#include "game/progress.h"
#include "save/save.h"
#include "save/stories.h"
#include "util/err.h"

#define STORY_MAX_CHOICES 8    /* children of one branch */
#define STORY_MAX_BRANCHES 400 /* branches in one storyline */
#define STORY_MAX_TEXT 1400    /* bytes of a passage */
#define STORY_MAX_CHOICE 120   /* bytes of a choice's text */

struct ItemRegistry;
struct BlockRegistry;
struct QuestBook;

/* The game data that names in a story must exist in; any may be NULL (not checked). */
typedef struct StoryRefs {
    const struct ItemRegistry *items;
    const struct BlockRegistry *blocks;
    const struct QuestBook *quests;
} StoryRefs;

typedef struct StoryBook StoryBook;

StoryBook *story_book_new(void);
void story_book_free(StoryBook *b);
/* Parses and validates one storyline file (len bytes of JSON; source names it in
 * messages) and adds it to b. MA_ERR_INVALID with "SOURCE: branch \"NAME\": WHY". */
int story_book_add(StoryBook *b, const char *json, size_t len, const char *source, const StoryRefs *refs, Err *err);
/* Checks what spans files: storyline names are unique, start_story names a storyline
 * of the book. Call after the last story_book_add. */
int story_book_finish(const StoryBook *b, Err *err);
/* Every data/stories/NAME.json (built in, or from $MAGIC_DATA_DIR/stories), in name order,
 * added and finished. A bad file is MA_ERR_CORRUPT (the game does not start on it). */
int story_book_load_default(const StoryRefs *refs, StoryBook **out, Err *err);
int story_book_count(const StoryBook *b);
/* The storyline file i (validated JSON, owned by the book). */
const cJSON *story_book_get(const StoryBook *b, int i);
const cJSON *story_book_find(const StoryBook *b, const char *name);
/* Where storyline i came from ("data/stories/NAME.json"). */
const char *story_book_source(const StoryBook *b, int i);

/* One branch as the game plays it, read from its row's conditions and consequences
 * (the row form, docs/stories.md). Pointers are borrowed from the row's JSON. */
typedef struct StoryBranchInfo {
    const cJSON *condition;      /* NULL: always offered */
    const char *choice;          /* the choice's text; NULL for a root */
    const char *tag;             /* NULL: derived from the condition */
    int hidden;                  /* not listed while its condition is false */
    const cJSON *effects;        /* NULL: none */
    const char *revises;         /* the earlier branch whose choice this one revises, or NULL */
    const cJSON *revise_effects; /* what the revision does (may be NULL) */
    int restore_world;           /* put back the blocks the revised choice changed */
    const char *revise_note;     /* the revision in words, or NULL */
    const char *ending;          /* taking it finishes the storyline with this ending */
    int abandon;                 /* taking it abandons the storyline */
} StoryBranchInfo;

/* Reads and validates the row form; where names the branch in messages. */
int story_branch_info(const cJSON *conditions, const cJSON *consequences, const char *where, StoryBranchInfo *out,
                      Err *err);

/* The tag shown before a gated choice: the author's tag, else one derived from the
 * condition the player can see ("[Charisma 14]", "[needs: silver key]", "[Spellcraft 2]",
 * "[needs: 3 iron ingots]"); flags and quest states give none. Skills are named by their titles
 * from skills (may be NULL: the name), items counted with the plurals of items (may be NULL:
 * English rules). Writes "" when there is nothing to show. */
void story_choice_tag(const StoryBranchInfo *info, const SkillBook *skills, const ItemRegistry *items, char *buf,
                      size_t size);

/* A branch of the file form (docs/stories.md) in the row form: story_branches.conditions and
 * .consequences (new JSON the caller frees). For story_seed.c and the story weaver agent. */
cJSON *story_row_conditions(const cJSON *file_branch);
cJSON *story_row_consequences(const cJSON *file_branch);

/* Whether text holds only known {fields} (docs/stories.md); the first unknown in bad. */
int story_fields_ok(const char *text, char *bad, size_t size);

typedef struct StorySeedReport {
    int stories_added, stories_updated;
    int branches_added, branches_updated, branches_kept; /* kept: reached by someone, left alone */
} StorySeedReport;

/* Writes the book's storylines into world_id's rows (inside the caller's transaction;
 * see above). rep may be NULL. */
int story_seed_world(Save *s, int64_t world_id, const StoryBook *b, StorySeedReport *rep, Err *err);

#endif
