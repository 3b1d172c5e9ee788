/* screen_chronicle.h — the chronicle screen (what the world's agents did). */
#ifndef MA_UI_SCREEN_CHRONICLE_H
#define MA_UI_SCREEN_CHRONICLE_H

#include <stdint.h>

#include "save/save.h"

/* Shows the world's evolution log, newest first, until Esc. */
void screen_chronicle_run(Save *s, int64_t world_id);
/* The news since entry `seen` (villagers' daily walks and rollbacks left
 * out): up to max summaries into lines, the count of all of them returned,
 * and the newest entry id in *newest. */
int chronicle_away(Save *s, int64_t world_id, int64_t seen, char lines[][160], int max, int64_t *newest);

#endif
