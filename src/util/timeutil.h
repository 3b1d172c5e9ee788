/* timeutil.h — the save's timestamps: ISO-8601 UTC text
 * ("2026-11-27T03:17:40.123Z"), the form SQLite's strftime produces and the
 * sqlite3 shell shows readably. */
#ifndef MA_UTIL_TIMEUTIL_H
#define MA_UTIL_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TIME_ISO_LEN 32

/* Formats epoch seconds (plus milliseconds) as ISO-8601 UTC into buf. */
char *time_iso(int64_t epoch_ms, char buf[TIME_ISO_LEN]);
/* Current wall-clock time in milliseconds since the epoch. */
int64_t time_now_ms(void);
/* Parses the ISO form back; returns -1 when malformed. */
int64_t time_parse_iso(const char *s);
/* Monotonic clock in nanoseconds, for benchmarks. */
uint64_t time_mono_ns(void);

#endif
