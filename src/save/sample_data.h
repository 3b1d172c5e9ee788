/* sample_data.h — the design's "Sample Data Generation": realistic,
 * referentially valid rows in every table, deterministic for a seed. */
#ifndef MA_SAVE_SAMPLE_DATA_H
#define MA_SAVE_SAMPLE_DATA_H

#include <stdint.h>

#include "save/save.h"

typedef struct SampleDataStats {
    int users, worlds, characters, rows;
} SampleDataStats;

/* Adds sample data for n_users users to s, in one transaction (all or
 * nothing). The same seed on an empty save gives the same rows. Names are
 * made unique against what the save already holds. */
int sample_data_generate(Save *s, int n_users, uint64_t seed, SampleDataStats *stats, Err *err);

#endif
