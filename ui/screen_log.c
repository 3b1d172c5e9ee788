/* screen_log.c — the message log: lines with a severity, repeats stacked. */
#include "screen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_KEEP 2000 /* older lines are dropped */

void log_add(MsgLog *log, Severity sev, long turn, const char *fmt, ...)
{
    char text[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (log->n > 0) {
        LogLine *last = &log->lines[log->n - 1];
        if (last->sev == sev && strcmp(last->text, text) == 0) {
            last->count++;
            last->turn = turn;
            return;
        }
    }
    if (log->n == LOG_KEEP) {
        memmove(log->lines, log->lines + LOG_KEEP / 4, sizeof *log->lines * (size_t)(LOG_KEEP - LOG_KEEP / 4));
        log->n -= LOG_KEEP / 4;
    }
    if (log->n == log->cap) {
        int cap = log->cap ? log->cap * 2 : 64;
        LogLine *v = realloc(log->lines, sizeof *v * (size_t)cap);
        if (!v)
            return;
        log->lines = v;
        log->cap = cap;
    }
    LogLine *l = &log->lines[log->n++];
    l->sev = sev;
    l->count = 1;
    l->turn = turn;
    snprintf(l->text, sizeof l->text, "%s", text);
}

void log_free(MsgLog *log)
{
    free(log->lines);
    memset(log, 0, sizeof *log);
}

const char *log_prefix(Severity sev)
{
    switch (sev) {
    case SEV_GOOD: return "Good: ";
    case SEV_WARN: return "Warning: ";
    case SEV_BAD: return "DANGER: ";
    default: return "";
    }
}

void log_format(const LogLine *l, char *buf, size_t size)
{
    if (l->count > 1)
        snprintf(buf, size, "%s%s x%d", log_prefix(l->sev), l->text, l->count);
    else
        snprintf(buf, size, "%s%s", log_prefix(l->sev), l->text);
}
