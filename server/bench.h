/* bench.h — `magic-adventure-server bench`: the load test (docs/scaling.md). */
#ifndef MA_SERVER_BENCH_H
#define MA_SERVER_BENCH_H

/* argv after "bench". Prints the figures; returns the exit status (1 when any error or lost
 * row was seen). */
int bench_main(int argc, char **argv);

#endif
