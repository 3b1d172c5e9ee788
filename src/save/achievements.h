/* achievements.h — the achievements table: what a user has earned, once.
 *
 * Follows the pattern of worlds.h: one plain struct per row (short strings
 * in fixed buffers, JSON columns as owned cJSON trees), a _row_clear for the
 * heap parts, and functions that return MA_OK or a negative MaStatus and fill
 * an Err naming the save and what was being done. An achievement belongs to
 * a user (not a character) and is earned at most once per user. */
#ifndef MA_SAVE_ACHIEVEMENTS_H
#define MA_SAVE_ACHIEVEMENTS_H

#include <stdint.h>

#include <cJSON.h>

#include "save/save.h"

typedef struct AchievementRow {
    int64_t id;
    int64_t user_id;
    char achievement_name[65];
    char description[256];
    int points;          /* >= 0 */
    cJSON *unlock_data;  /* owned: what earned it (character, world, quest...) */
    char unlocked_at[32];
} AchievementRow;

/* Frees the JSON tree of a row (not the row itself) and sets it to NULL. */
void achievement_row_clear(AchievementRow *a);

/* Records that a->user_id earned a->achievement_name; fills in a->id and
 * unlocked_at. unlock_data NULL means {}.
 * When the user had already earned it, nothing is written, the call returns
 * MA_ERR_CONSTRAINT ("already earned") and *already_earned (if not NULL) is
 * set to 1, so a caller that unlocks "if not yet" can tell this from a real
 * failure; it is 0 on every other outcome. Also MA_ERR_CONSTRAINT for a
 * missing user or negative points. */
int achievements_unlock(Save *s, AchievementRow *a, int *already_earned, Err *err);
/* The user's achievement of that name into *out (cleared by the caller).
 * MA_ERR_NOT_FOUND when not earned. */
int achievements_get(Save *s, int64_t user_id, const char *name, AchievementRow *out, Err *err);
/* *has = 1 when the user has earned the achievement, else 0. */
int achievements_has(Save *s, int64_t user_id, const char *name, int *has, Err *err);
/* Sum of the points of the user's achievements (0 when none). */
int achievements_total_points(Save *s, int64_t user_id, int64_t *total, Err *err);
/* Takes an achievement back (admin tools, tests). MA_ERR_NOT_FOUND when
 * there is no row with that id. */
int achievements_revoke(Save *s, int64_t id, Err *err);
/* The user's achievements in the order they were earned, into a heap array
 * the caller frees with achievements_list_free (*out NULL when none). */
int achievements_list(Save *s, int64_t user_id, AchievementRow **out, int *n, Err *err);
void achievements_list_free(AchievementRow *rows, int n);

#endif
