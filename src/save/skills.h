/* skills.h — the character_skills and character_relationships tables: what
 * a character has learnt, and how it regards the characters it has met.
 *
 * Follows the pattern of worlds.h: one plain struct per row (short strings
 * in fixed buffers, JSON columns as owned cJSON trees), a _row_clear for the
 * heap parts, and functions that return MA_OK or a negative MaStatus and fill
 * an Err naming the save and what was being done. A skill is addressed by
 * (character, skill name), a relationship by (character, target): one row
 * per direction, so A's view of B and B's view of A are two rows. */
#ifndef MA_SAVE_SKILLS_H
#define MA_SAVE_SKILLS_H

#include <stdint.h>

#include <cJSON.h>

#include "save/save.h"

typedef struct SkillRow {
    int64_t id;
    int64_t character_id;
    char skill_name[65];
    int skill_level;            /* >= 1, written as given */
    int64_t experience_points;  /* >= 0 */
    cJSON *skill_data;          /* owned object: specialisations, unlocks... */
    char updated_at[32];
} SkillRow;

/* Frees the JSON tree of a row (not the row itself) and sets it to NULL. */
void skill_row_clear(SkillRow *r);

/* Inserts the skill, or when the character already has a skill of that name
 * overwrites its level and experience (and skill_data, unless NULL: NULL
 * keeps the stored data, or stores {} for a new skill). Fills in r->id and
 * updated_at. MA_ERR_CONSTRAINT for a missing character, level < 1 or
 * negative experience. */
int skills_upsert(Save *s, SkillRow *r, Err *err);
/* The character's skill of that name into *out (cleared by the caller).
 * MA_ERR_NOT_FOUND when it has not learnt it. */
int skills_get(Save *s, int64_t character_id, const char *skill_name, SkillRow *out, Err *err);
/* Writes skill_level, experience_points and skill_data (NULL keeps it) of
 * r->id. MA_ERR_NOT_FOUND when r->id is not stored. */
int skills_update(Save *s, const SkillRow *r, Err *err);
/* Forgets a skill. MA_ERR_NOT_FOUND when the character does not have it. */
int skills_delete(Save *s, int64_t character_id, const char *skill_name, Err *err);
/* A character's skills by name, into a heap array the caller frees with
 * skills_list_free (*out is NULL when there are none). */
int skills_list(Save *s, int64_t character_id, SkillRow **out, int *n, Err *err);
void skills_list_free(SkillRow *rows, int n);

#define RELATIONSHIP_MIN (-100)
#define RELATIONSHIP_MAX 100

typedef struct RelationshipRow {
    int64_t id;
    int64_t character_id;         /* whose view this is */
    int64_t target_character_id;  /* of whom; never the same character */
    char relationship_type[33];   /* friend, rival...; "" on upsert: keep it, or 'acquaintance' when new */
    int relationship_value;       /* RELATIONSHIP_MIN..RELATIONSHIP_MAX */
    cJSON *interaction_history;   /* owned array, oldest first */
    char created_at[32];
    char updated_at[32];
} RelationshipRow;

void relationship_row_clear(RelationshipRow *r);

/* Inserts or overwrites the row for (character_id, target_character_id):
 * type, value, and interaction_history unless NULL (NULL keeps the stored
 * history, or stores [] for a new row). Fills in r->id, created_at and
 * updated_at. MA_ERR_CONSTRAINT for a value outside -100..100, a character
 * facing itself, or a missing character. */
int relationships_upsert(Save *s, RelationshipRow *r, Err *err);
/* character_id's view of target_id. MA_ERR_NOT_FOUND when they have none. */
int relationships_get(Save *s, int64_t character_id, int64_t target_id, RelationshipRow *out, Err *err);
/* Adds delta to character_id's regard for target_id, clamped to -100..100,
 * and appends interaction (a copy; may be NULL to append nothing) to the
 * history, in one statement. Creates the relationship ('acquaintance', value
 * 0 + delta) when they had none. *new_value (if not NULL) receives the
 * stored value. MA_ERR_CONSTRAINT for a character facing itself or a missing
 * character. */
int relationships_change(Save *s, int64_t character_id, int64_t target_id, int delta, const cJSON *interaction,
                         int *new_value, Err *err);
/* Forgets character_id's view of target_id (not the reverse view).
 * MA_ERR_NOT_FOUND when there is none. */
int relationships_delete(Save *s, int64_t character_id, int64_t target_id, Err *err);
/* Every view character_id holds, by target id; free with
 * relationships_list_free. */
int relationships_list(Save *s, int64_t character_id, RelationshipRow **out, int *n, Err *err);
void relationships_list_free(RelationshipRow *rows, int n);

#endif
