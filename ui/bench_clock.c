/* bench_clock.c — the clocks the `bench` commands time with, one copy for all of them. */
#include "bench_clock.h"

#include <time.h>

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double bench_wall_s(void) { return clock_s(CLOCK_MONOTONIC); }

double bench_thread_cpu_s(void) { return clock_s(CLOCK_THREAD_CPUTIME_ID); }

double bench_process_cpu_s(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }
