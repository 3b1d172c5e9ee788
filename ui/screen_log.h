/* screen_log.h — the message log (screen_log.c): lines with their severity and repeats, kept in
 * the save per character. */
#ifndef MA_UI_SCREEN_LOG_H
#define MA_UI_SCREEN_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "game/game.h"

typedef struct LogLine {
    Severity sev;
    int count; /* repeats stacked into this line ("x3") */
    long turn;
    char text[160];
    int64_t id; /* its message_log row once kept in the save, else 0; -1: never kept (a marker) */
    int dirty;  /* kept, and repeated since */
} LogLine;

typedef struct MsgLog {
    LogLine *lines;
    int n, cap;
} MsgLog;

/* The message log is kept in the save (message_log, migration 008), per character: log_load reads
 * the last `limit` lines of an earlier session into an empty log (and removes older ones from
 * the save); log_keep writes the lines added or repeated since, in one transaction of its own
 * (call it between actions). Both return MA_OK or a status with err filled. */
#define LOG_KEEP_IN_SAVE 500
int log_load(MsgLog *log, Save *s, int64_t character_id, int limit, Err *err);
int log_keep(MsgLog *log, Save *s, int64_t character_id, Err *err);

void log_add(MsgLog *log, Severity sev, long turn, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void log_free(MsgLog *log);
/* "Warning: " etc.: the word that says the severity without colour. */
const char *log_prefix(Severity sev);
/* The line as shown: prefix, text and " x3". */
void log_format(const LogLine *l, char *buf, size_t size);


#endif
