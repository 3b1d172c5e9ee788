/* screen_chronicle.h — the chronicle screen (what the world's agents did). */
#ifndef MA_UI_SCREEN_CHRONICLE_H
#define MA_UI_SCREEN_CHRONICLE_H

#include <stdint.h>

#include "save/save.h"

/* Shows the world's evolution log, newest first, until Esc. */
void screen_chronicle_run(Save *s, int64_t world_id);

#endif
