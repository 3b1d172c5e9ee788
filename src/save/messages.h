/* messages.h — the message_log table (migration 008): the lines of a character's message log,
 * as the client shows them, kept between sessions. */
#ifndef MA_SAVE_MESSAGES_H
#define MA_SAVE_MESSAGES_H

#include <stdint.h>

#include "save/save.h"

typedef struct MessageRow {
    int64_t id;
    int64_t turn;
    char severity[8]; /* "info", "good", "warn", "bad" */
    int repeats;      /* >= 1 */
    char text[200];
} MessageRow;

/* Adds a line for the character; its id in *id (may be NULL). */
int messages_append(Save *s, int64_t character_id, int64_t turn, const char *severity, int repeats,
                    const char *text, int64_t *id, Err *err);
/* A stored line was repeated: its count and turn now. */
int messages_update(Save *s, int64_t id, int repeats, int64_t turn, Err *err);
/* The character's last `limit` lines, oldest first, into a heap array the caller frees with free(). */
int messages_recent(Save *s, int64_t character_id, int limit, MessageRow **out, int *n, Err *err);
/* Keeps the character's last `keep` lines and deletes the older ones; how many went in *deleted
 * (may be NULL). */
int messages_trim(Save *s, int64_t character_id, int keep, int *deleted, Err *err);

#endif
