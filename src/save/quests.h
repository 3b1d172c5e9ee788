/* quests.h — the quest tables: quests (offered in a world), quest_objectives
 * (the ordered steps of a quest) and quest_progress (one row per character
 * and quest: started, then completed, failed, abandoned or expired).
 *
 * Follows worlds.h: a plain struct per row, JSON columns as owned cJSON
 * trees, long text as owned heap strings, a *_row_clear for the heap parts,
 * functions that return MA_OK or a negative MaStatus with err filled, and
 * heap arrays for lists that the caller frees with the matching *_list_free.
 * Times are ISO-8601 UTC text ("2026-11-27T03:17:40.123Z"); a time passed in
 * is stored in that form, and a malformed one is MA_ERR_INVALID. */
#ifndef MA_SAVE_QUESTS_H
#define MA_SAVE_QUESTS_H

#include <stdint.h>

#include <cJSON.h>

#include "save/save.h"

/* ------------------------------------------------------------ quests */

typedef struct QuestRow {
    int64_t id;
    int64_t world_id;
    char title[129];
    char *description;     /* owned heap string (set it with strdup); NULL is written as "" */
    char quest_type[33];   /* "" on insert means "side" */
    cJSON *requirements;   /* owned; NULL on insert means {} */
    cJSON *rewards;        /* owned; NULL on insert means {} */
    int difficulty_level;  /* >= 1; 0 on insert means 1 */
    int is_active;         /* written as given: a zeroed row inserts an inactive quest */
    char created_at[32];   /* "" on insert means now */
    char expires_at[32];   /* "": a permanent quest; else after created_at */
    cJSON *details;        /* owned; NULL on insert means {}: name, giver, turn_in, time_limit, unlock, source
                            * (migration 006) */
} QuestRow;

void quest_row_clear(QuestRow *r);

/* Inserts r; fills id and created_at. A missing world or a refused value
 * (an expires_at not after created_at) is MA_ERR_CONSTRAINT. */
int quests_insert(Save *s, QuestRow *r, Err *err);
int quests_get(Save *s, int64_t id, QuestRow *out, Err *err);
/* The active quests of a world (is_active = 1), by id. */
int quests_list_active(Save *s, int64_t world_id, QuestRow **out, int *n, Err *err);
/* Every quest of a world, active or not, by id. */
int quests_list_world(Save *s, int64_t world_id, QuestRow **out, int *n, Err *err);
/* The quests of a world (every world when world_id is 0) whose expires_at is
 * at or before as_of, active or not, by expires_at. */
int quests_list_expired(Save *s, int64_t world_id, const char *as_of, QuestRow **out, int *n, Err *err);
void quests_list_free(QuestRow *rows, int n);
/* Writes title, description, quest_type, requirements, rewards,
 * difficulty_level, is_active and expires_at of r->id. */
int quests_update(Save *s, const QuestRow *r, Err *err);
/* Deletes the quest with its objectives and every character's progress. */
int quests_delete(Save *s, int64_t id, Err *err);

/* ------------------------------------------------------------ quest_objectives */

typedef struct ObjectiveRow {
    int64_t id;
    int64_t quest_id;
    char *objective_text;  /* owned heap string (set it with strdup); must not be empty */
    cJSON *requirements;   /* owned; NULL on insert means {} */
    cJSON *progress_data;  /* owned; NULL on insert means {} */
    int is_completed;
    int order_index;       /* >= 0, unique within the quest */
} ObjectiveRow;

void objective_row_clear(ObjectiveRow *r);

/* Inserts r; fills id. A second objective at the same order_index of a quest,
 * or a missing quest, is MA_ERR_CONSTRAINT. */
int objectives_insert(Save *s, ObjectiveRow *r, Err *err);
int objectives_get(Save *s, int64_t id, ObjectiveRow *out, Err *err);
/* The objectives of a quest ordered by order_index. */
int objectives_list(Save *s, int64_t quest_id, ObjectiveRow **out, int *n, Err *err);
void objectives_list_free(ObjectiveRow *rows, int n);
/* Sets progress_data (NULL means {}) and is_completed of objective id. */
int objectives_update_progress(Save *s, int64_t id, const cJSON *progress_data, int is_completed, Err *err);

/* ------------------------------------------------------------ quest_progress */

typedef struct ProgressRow {
    int64_t id;
    int64_t character_id;
    int64_t quest_id;
    char status[16];       /* active, completed, failed, abandoned, expired */
    cJSON *progress_data;  /* owned; NULL on start means {} */
    char started_at[32];   /* "" on start means now */
    char completed_at[32]; /* "" unless completed */
    cJSON *rewards_earned; /* owned; [] until completed */
} ProgressRow;

void progress_row_clear(ProgressRow *r);

/* Starts quest p->quest_id for p->character_id: status active, progress_data
 * as given; fills id, status and started_at. A character that already has a
 * row for this quest (in any status) is refused with MA_ERR_CONSTRAINT, and so
 * is a missing character or quest. */
int progress_start(Save *s, ProgressRow *p, Err *err);
/* The progress of a character on a quest; MA_ERR_NOT_FOUND if never started. */
int progress_get(Save *s, int64_t character_id, int64_t quest_id, ProgressRow *out, Err *err);
/* How many characters took quest quest_id (any status). */
int progress_count_for_quest(Save *s, int64_t quest_id, int64_t *count, Err *err);
/* A character's quests by started_at, only those in status when it is not NULL. */
int progress_list(Save *s, int64_t character_id, const char *status, ProgressRow **out, int *n, Err *err);
void progress_list_free(ProgressRow *rows, int n);
/* Replaces progress_data (NULL means {}) of an active quest; a quest that is
 * no longer active is refused with MA_ERR_INVALID. Here and below, a quest the
 * character never started is MA_ERR_NOT_FOUND. */
int progress_update(Save *s, int64_t character_id, int64_t quest_id, const cJSON *progress_data, Err *err);
/* Completes an active quest: status completed, completed_at (NULL or "" means
 * now) and rewards_earned (NULL means []). Rewards are recorded once: a quest
 * already completed, or not active, is refused with MA_ERR_CONSTRAINT and left
 * as it was. */
int progress_complete(Save *s, int64_t character_id, int64_t quest_id, const char *completed_at,
                      const cJSON *rewards_earned, Err *err);
/* End an active quest without rewards (completed_at stays empty). A quest
 * that is not active is refused with MA_ERR_CONSTRAINT. */
int progress_fail(Save *s, int64_t character_id, int64_t quest_id, Err *err);
int progress_abandon(Save *s, int64_t character_id, int64_t quest_id, Err *err);
int progress_expire(Save *s, int64_t character_id, int64_t quest_id, Err *err);
/* Marks expired every active progress on a quest whose expires_at is at or
 * before as_of; *expired (may be NULL) receives how many. */
int progress_expire_due(Save *s, const char *as_of, int64_t *expired, Err *err);

#endif
