/* bench_clock.h — the clocks the `bench` commands time with (bench_clock.c), in seconds. Which
 * one a figure uses is part of what it means: the wall clock waits for the disk and the other
 * processes; a CPU clock counts only the work. */
#ifndef MA_UI_BENCH_CLOCK_H
#define MA_UI_BENCH_CLOCK_H

/* CLOCK_MONOTONIC: the wall clock (a reading costs about 40 ns here). */
double bench_wall_s(void);
/* CPU time of the calling thread, whatever else the machine is doing (a system call of about a
 * microsecond: not for timing work that short). */
double bench_thread_cpu_s(void);
/* CPU time of the whole process, every thread (SQLite's work included). */
double bench_process_cpu_s(void);

#endif
