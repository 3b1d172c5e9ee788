/* screen_log.c — the message log: lines with a severity, repeats stacked, kept in the save
 * between sessions (save/messages.c). */
#include "screen_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/messages.h"

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
            last->dirty = last->id != 0;
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
    memset(l, 0, sizeof *l);
    l->sev = sev;
    l->count = 1;
    l->turn = turn;
    snprintf(l->text, sizeof l->text, "%s", text);
}

static const char *const sev_names[] = {"info", "good", "warn", "bad"};

int log_load(MsgLog *log, Save *s, int64_t character_id, int limit, Err *err)
{
    MessageRow *rows = NULL;
    int n = 0;
    int rc = messages_recent(s, character_id, limit, &rows, &n, err);
    if (rc != MA_OK)
        return rc;
    for (int i = 0; i < n; i++) {
        Severity sev = SEV_INFO;
        for (int k = 0; k < 4; k++)
            if (strcmp(rows[i].severity, sev_names[k]) == 0)
                sev = (Severity)k;
        log_add(log, sev, (long)rows[i].turn, "%s", rows[i].text);
        LogLine *l = &log->lines[log->n - 1];
        l->count = rows[i].repeats;
        l->id = rows[i].id;
        l->dirty = 0;
    }
    free(rows);
    /* Older lines than these are not kept. */
    if ((rc = save_begin(s, err)) != MA_OK)
        return rc;
    rc = messages_trim(s, character_id, LOG_KEEP_IN_SAVE, NULL, err);
    if (rc == MA_OK)
        return save_commit(s, err);
    save_rollback(s);
    return rc;
}

int log_keep(MsgLog *log, Save *s, int64_t character_id, Err *err)
{
    int todo = 0;
    for (int i = log->n - 1; i >= 0 && !todo; i--)
        todo = !log->lines[i].id || (log->lines[i].dirty && log->lines[i].id > 0);
    if (!todo)
        return MA_OK;
    int rc = save_begin(s, err);
    if (rc != MA_OK)
        return rc;
    /* New lines are at the end: walk back to the first one kept. */
    int first = log->n;
    while (first > 0 && (!log->lines[first - 1].id || (log->lines[first - 1].dirty && log->lines[first - 1].id > 0)))
        first--;
    int64_t ids[LOG_KEEP];
    int n_new = 0;
    for (int i = first; rc == MA_OK && i < log->n; i++) {
        LogLine *l = &log->lines[i];
        if (l->id < 0)
            continue; /* the client's own marker, never kept */
        if (l->id)
            rc = messages_update(s, l->id, l->count, l->turn, err);
        else
            rc = messages_append(s, character_id, l->turn, sev_names[l->sev], l->count, l->text, &ids[n_new++], err);
    }
    static int kept_since_trim;
    if (rc == MA_OK && (kept_since_trim += n_new) > LOG_KEEP_IN_SAVE / 5) {
        kept_since_trim = 0;
        rc = messages_trim(s, character_id, LOG_KEEP_IN_SAVE, NULL, err);
    }
    if (rc == MA_OK)
        rc = save_commit(s, err);
    else
        save_rollback(s);
    if (rc != MA_OK)
        return rc;
    /* Only once the transaction is in does the log know its rows. */
    int k = 0;
    for (int i = first; i < log->n; i++) {
        LogLine *l = &log->lines[i];
        if (!l->id)
            l->id = ids[k++];
        l->dirty = 0;
    }
    return MA_OK;
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
