/* events.h — the world_events table: festivals, storms, invasions and other
 * happenings of a world, each with a start and (once known) an end.
 *
 * Follows worlds.h: a plain struct per row, JSON columns as owned cJSON
 * trees, long text as an owned heap string, event_row_clear for the heap
 * parts, functions that return MA_OK or a negative MaStatus with err filled,
 * and heap arrays for lists that the caller frees with events_list_free.
 * Times are ISO-8601 UTC text; a time passed in is stored in that form, and a
 * malformed one is MA_ERR_INVALID. */
#ifndef MA_SAVE_EVENTS_H
#define MA_SAVE_EVENTS_H

#include <stdint.h>

#include <cJSON.h>

#include "save/save.h"

typedef struct EventRow {
    int64_t id;
    int64_t world_id;
    char event_type[33];
    char event_name[129];
    char *description;   /* owned heap string (set it with strdup); NULL is written as "" */
    cJSON *event_data;   /* owned; NULL on insert means {} */
    char start_time[32]; /* "" on insert means now */
    char end_time[32];   /* "": open-ended; else at or after start_time */
    int is_active;       /* written as given: a zeroed row inserts an ended event */
} EventRow;

void event_row_clear(EventRow *r);

/* Inserts r; fills id and start_time. A missing world or an end before the
 * start is MA_ERR_CONSTRAINT. */
int events_insert(Save *s, EventRow *r, Err *err);
int events_get(Save *s, int64_t id, EventRow *out, Err *err);
/* The events of a world going on at time `at`: active, started at or before
 * it and not yet ended (no end_time, or end_time after it); by start_time. */
int events_list_active(Save *s, int64_t world_id, const char *at, EventRow **out, int *n, Err *err);
/* Every event of a world, by start_time (then id). */
int events_list(Save *s, int64_t world_id, EventRow **out, int *n, Err *err);
void events_list_free(EventRow *rows, int n);
/* Ends event id at end_time (NULL or "" means now): sets end_time and
 * is_active 0. An event already ended is refused with MA_ERR_CONSTRAINT, and
 * an end before the start likewise. */
int events_end(Save *s, int64_t id, const char *end_time, Err *err);
/* Deletes one event; a missing one is not an error. */
int events_delete(Save *s, int64_t id, Err *err);

#endif
