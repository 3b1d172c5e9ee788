/* quest_internal.h — what the quest files share (quest.c: progress; quest_book.c: loading
 * and the quests' rows; quest_dialogue.c: what villagers offer, the log, sharing). Not for other
 * modules: they include game/quest.h. */
#ifndef MA_GAME_QUEST_INTERNAL_H
#define MA_GAME_QUEST_INTERNAL_H

#include <stdint.h>

#include <cJSON.h>

#include "game/game_internal.h"
#include "game/quest.h"
#include "util/json_field.h"

struct QuestBook {
    cJSON *root;
    const cJSON *list; /* the "quests" array */
};

static const char *const kinds[] = {"collect", "slay", "reach", "talk", "craft", "deliver"};
static const char *const roles[] = {"smith", "farmer", "guard", "priest", "trader"};

/* ------------------------------------------------------------ small JSON helpers */

static inline int bfield(const cJSON *o, const char *k) { return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k)); }

static inline void set_int(cJSON *o, const char *k, double v)
{
    cJSON *old = cJSON_GetObjectItemCaseSensitive(o, k);
    if (old)
        cJSON_SetNumberValue(old, v);
    else
        cJSON_AddNumberToObject(o, k, v);
}

static inline void set_bool(cJSON *o, const char *k, int v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, k);
    cJSON_AddBoolToObject(o, k, v);
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* In quest_book.c (what each does is said at its definition). */
const cJSON *quest_tpl_objectives(const cJSON *tpl);
const char *quest_tpl_turn_in(const cJSON *tpl);
const cJSON *quest_templates(Game *g);
int quest_tpl_open(const Game *g, const cJSON *t);
const cJSON *quest_tpl_find(Game *g, const char *name);
int quest_row(Game *g, const cJSON *tpl, int64_t *id, Err *err);
const cJSON *quest_tpl_of_row(Game *g, int64_t quest_id);

/* In quest.c (what each does is said at its definition). */
int quest_scale_for(int level);
int quest_scaled_target(const cJSON *ob, int scale);
cJSON *quest_new_progress(Game *g, const cJSON *tpl, int64_t character_id, int level, const char *giver);
cJSON *quest_scaled_rewards(const Game *g, const cJSON *tpl, int scale);
cJSON *quest_obj_state(cJSON *pd, int i);
int quest_all_done(const cJSON *tpl, cJSON *pd);
int quest_obj_open(Game *g, const cJSON *tpl, cJSON *pd, int i, const RuleCtx *ctx);
int quest_open_delivery(Game *g, const cJSON *tpl, cJSON *pd, const char *role, const RuleCtx *ctx);
/* Whether the villager of entity `entity` may take quest tpl back: anyone of its role, but a
 * villager's own request only its asker (another priest had taken Sven's flowers). 1 or 0. */
int quest_taken_back_by(Game *g, const cJSON *tpl, const char *entity);

/* In quest_dialogue.c (what each does is said at its definition). */
void quest_giver_words(Game *g, const cJSON *tpl, const cJSON *pd, char *buf, size_t size);

#endif
