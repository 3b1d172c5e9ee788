/* sample_play.h — the part of `sample-data` that plays: a short adventure
 * for one player character of each world, through game_apply, so that the
 * skills, inventories, quest progress, achievements and character state it
 * leaves come from the game's own rules. */
#ifndef MA_GAME_SAMPLE_PLAY_H
#define MA_GAME_SAMPLE_PLAY_H

#include "save/save.h"

typedef struct SamplePlayStats {
    int characters, actions, done;
} SamplePlayStats;

/* Plays `steps` actions for the first player character of every world of
 * s. Each action is committed as in play. The actions are fixed, so the
 * same save gives the same rows (their timestamps are the time of the run). */
int sample_play(Save *s, int steps, SamplePlayStats *stats, Err *err);

#endif
