/* screen_help.c — the help screen: every key of the key table (keys.c) in the list widget, the
 * current screen's keys first, each with the contexts it works in. */
#include "screen_help.h"

#include <stdio.h>
#include <stdlib.h>

#include "game/creatures.h"
#include "game/game.h"
#include "keys.h"
#include "screen_lists.h"
#include "term.h"
#include "world/blocks.h"

/* The map's legend into items from m: a heading, who stands on the map, then every block. */
static int legend(Game *g, ListItem *items, int m, int max)
{
    int utf8 = term_utf8();
    const BlockRegistry *reg = game_blocks(g);
    const CreatureBook *book = game_creatures(g);
    if (m < max) {
        snprintf(items[m].text, sizeof items[m].text, "-- The map: a block at your level is bright, one below darker --");
        items[m++].heading = 1;
    }
    static const char *const who[][3] = {{"@", "@", "you"}, {"V", "V", "a villager (by the name the panel gives)"},
                                         {"\xe2\x9c\xa6", "$", "things lying on the ground"}};
    for (size_t i = 0; i < sizeof who / sizeof who[0] && m < max; i++)
        snprintf(items[m++].text, sizeof items[m - 1].text, "%-3s %s", utf8 ? who[i][0] : who[i][1], who[i][2]);
    for (int i = 0; i < creatures_count(book) && m < max; i++) {
        const CreatureDef *c = creatures_get(book, i);
        snprintf(items[m++].text, sizeof items[m - 1].text, "%-3s %s (a creature; hostile ones in red)", c->glyph,
                 c->name);
    }
    for (int id = 1; id < blocks_count(reg) && m < max; id++) {
        const BlockDef *d = blocks_get(reg, (BlockId)id);
        char name[64], glyph[8];
        game_block_label(g, (BlockId)id, name, sizeof name);
        if (utf8 && d->glyph_utf8[0])
            snprintf(glyph, sizeof glyph, "%s", d->glyph_utf8);
        else
            snprintf(glyph, sizeof glyph, "%c", d->glyph_ascii ? d->glyph_ascii : ' ');
        snprintf(items[m++].text, sizeof items[m - 1].text, "%s   %s", glyph, name);
        items[m - 1].attr = term_map_attr((uint8_t)d->color256, (uint8_t)d->color8, 0, 0);
    }
    return m;
}

void screen_help_run(unsigned ctx) { screen_help_run_map(ctx, NULL); }

void screen_help_run_map(unsigned ctx, Game *g)
{
    int n = keys_count();
    int max = n + (g ? 2 + 4 + creatures_count(game_creatures(g)) + blocks_count(game_blocks(g)) : 0);
    ListItem *items = calloc((size_t)max, sizeof *items);
    if (!items)
        return;
    /* The current screen's keys first, then the rest by context. */
    static const unsigned order[] = {KCTX_MAP, KCTX_DIR, KCTX_LOOK, KCTX_LIST, KCTX_MENU, KCTX_STORY};
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
    if (g)
        m = legend(g, items, m, max);
    char title[96];
    snprintf(title, sizeof title, "Help: keys (%s first)", keys_context_name(ctx));
    ListSpec spec = {.title = title, .items = items, .n = m, .help_ctx = ctx,
                     .hint = "type to search  PgUp/PgDn/Space scroll  Esc back"};
    list_run(&spec);
    free(items);
}
