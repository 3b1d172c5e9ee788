/* screen_help.c — the help screen: every key of the key table (keys.c) in the list widget, the
 * current screen's keys first, each with the contexts it works in. */
#include "screen_help.h"

#include <stdio.h>
#include <stdlib.h>

#include "keys.h"
#include "screen_lists.h"

void screen_help_run(unsigned ctx)
{
    int n = keys_count();
    ListItem *items = calloc((size_t)n, sizeof *items);
    if (!items)
        return;
    /* The current screen's keys first, then the rest by context. */
    static const unsigned order[] = {KCTX_MAP, KCTX_DIR, KCTX_LOOK, KCTX_LIST, KCTX_MENU};
    int m = 0;
    char keys[96];
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < n; i++) {
            const KeyBinding *b = keys_get(i);
            int here = (b->contexts & ctx) != 0;
            if (here != (pass == 0))
                continue;
            keys_row_label(b, keys, sizeof keys);
            snprintf(items[m].text, sizeof items[m].text, "%-16s %s", keys, b->desc);
            if (b->contexts == KCTX_ANY)
                snprintf(items[m].detail, sizeof items[m].detail, "all");
            else {
                size_t len = 0;
                for (size_t o = 0; o < sizeof order / sizeof order[0]; o++)
                    if (b->contexts & order[o]) {
                        int w = snprintf(items[m].detail + len, sizeof items[m].detail - len, "%s%s",
                                         len ? " " : "", keys_context_name(order[o]));
                        if (w > 0)
                            len += (size_t)w;
                    }
            }
            m++;
        }
    }
    char title[96];
    snprintf(title, sizeof title, "Help: keys (%s first)", keys_context_name(ctx));
    ListSpec spec = {.title = title, .items = items, .n = m, .help_ctx = ctx,
                     .hint = "type to search  PgUp/PgDn/Space scroll  Esc back"};
    list_run(&spec);
    free(items);
}
