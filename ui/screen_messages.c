/* screen_messages.c — the message history: the whole log (screen_log.c) in the list widget,
 * newest last, each line with its turn. */
#include "screen_messages.h"

#include <stdio.h>
#include <stdlib.h>

#include "screen_lists.h"

void screen_messages_run(const MsgLog *log)
{
    ListItem *items = calloc((size_t)(log->n > 0 ? log->n : 1), sizeof *items);
    if (!items)
        return;
    for (int i = 0; i < log->n; i++) {
        log_format(&log->lines[i], items[i].text, sizeof items[i].text);
        snprintf(items[i].detail, sizeof items[i].detail, "turn %ld", log->lines[i].turn);
    }
    ListSpec spec = {.title = "Messages (newest last)", .items = items, .n = log->n,
                     .start = log->n > 0 ? log->n - 1 : 0, .help_ctx = KCTX_LIST, .wrap = 1};
    /* Start scrolled to the end: a selectable list keeps the cursor there. */
    spec.selectable = 1;
    spec.hint = "type to filter  Up/Down/PgUp/PgDn scroll  Esc back";
    while (list_run(&spec) >= 0) {
    }
    free(items);
}
