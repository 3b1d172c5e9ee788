/* achieve.h — achievements from data/achievements.json: unlock conditions in the rule language
 * plus progress counters (charstate counters such as "ores_mined" 7/50), chains (an achievement
 * is considered only after the one it follows), hidden ones shown as "???" until earned, points;
 * earned per user (the achievements table) and announced in the events. */
#ifndef MA_GAME_ACHIEVE_H
#define MA_GAME_ACHIEVE_H

#include <stddef.h>
#include <stdint.h>

#include "game/game.h"

typedef struct AchieveBook AchieveBook;
int achieve_book_load(const char *json, size_t len, const char *source, AchieveBook **out, Err *err);
int achieve_book_load_default(AchieveBook **out, Err *err);
/* Whether the book has an achievement of that name (its key, "first_steps"). */
int achieve_book_knows(const AchieveBook *b, const char *name);
void achieve_book_free(AchieveBook *b);

/* After every action: unlocks what became true ("Achievement unlocked: First Steps (+10)"). */
int achieve_check(Game *g, ActionResult *r, Err *err);
/* Unlocks one achievement (the rule language's effect); already earned is not an error. An
 * unknown name is MA_ERR_NOT_FOUND. */
int achieve_unlock(Game *g, const char *name, ActionResult *r, Err *err);

/* One achievement as the screen shows it; hidden and not earned: title and description "???". */
typedef struct AchieveView {
    char name[64], title[64], description[160];
    int points, earned, hidden;
    int64_t have, need;    /* progress; need 0 when it has no counter */
    char counter_label[48];
    char locked_by[64];    /* the title of the achievement it follows, while that is not earned */
} AchieveView;
/* Every achievement in file order, with the user's total points; heap array, free(). */
int achieve_list(Game *g, AchieveView **out, int *n, int64_t *points, Err *err);

#endif
