/* sample_data.c — placeholder until the sample data generator lands. */
#include "save/sample_data.h"

int sample_data_generate(Save *s, int n_users, uint64_t seed, SampleDataStats *stats, Err *err)
{
    (void)s; (void)n_users; (void)seed; (void)stats;
    return err_set(err, MA_ERR_INVALID, "sample-data is not implemented yet");
}
