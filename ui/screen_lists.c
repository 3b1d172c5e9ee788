/* screen_lists.c — the list widget (lettered or not, type-to-filter), the
 * screens built on it (help from the key table, message history,
 * inventory, the block picker) and the prompts. */
#include "screen.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "game/inventory.h"
#include "term.h"

static int matches(const ListItem *it, const char *filter)
{
    if (!filter[0])
        return 1;
    return strcasestr(it->text, filter) != NULL || strcasestr(it->detail, filter) != NULL;
}

static char letter_for(int i) { return i < 26 ? (char)('a' + i) : i < 52 ? (char)('A' + i - 26) : ' '; }

static int index_of_letter(int ch) { return ch >= 'a' && ch <= 'z' ? ch - 'a' : ch >= 'A' && ch <= 'Z' ? ch - 'A' + 26 : -1; }

typedef struct ListState {
    const ListSpec *spec;
    int *shown; /* indices of items passing the filter */
    int n_shown;
    int cursor, top;
    char filter[64];
    int typing; /* lettered lists: typing goes to the filter */
} ListState;

static void list_refilter(ListState *st)
{
    int keep = st->n_shown > 0 && st->cursor < st->n_shown ? st->shown[st->cursor] : st->spec->start;
    st->n_shown = 0;
    st->cursor = 0;
    for (int i = 0; i < st->spec->n; i++)
        if (matches(&st->spec->items[i], st->filter)) {
            if (i == keep)
                st->cursor = st->n_shown;
            st->shown[st->n_shown++] = i;
        }
}

static void list_draw(ListState *st)
{
    erase();
    if (term_too_small())
        return;
    const ListSpec *sp = st->spec;
    attrset(term_role(ROLE_TITLE));
    term_put(0, 1, COLS - 2, sp->title);
    attrset(A_NORMAL);
    char line[320];
    if (st->filter[0] || st->typing || !sp->lettered) {
        snprintf(line, sizeof line, "Filter: %s%s   (%d of %d)", st->filter, st->typing || !sp->lettered ? "_" : "",
                 st->n_shown, sp->n);
        attrset(term_role(ROLE_INFO));
        term_put(1, 1, COLS - 2, line);
        attrset(A_NORMAL);
    }
    int rows = LINES - 4;
    if (st->cursor < st->top)
        st->top = st->cursor;
    if (st->cursor >= st->top + rows)
        st->top = st->cursor - rows + 1;
    if (st->top > 0 && st->top > st->n_shown - rows)
        st->top = st->n_shown - rows > 0 ? st->n_shown - rows : 0;
    int detail_w = 0;
    for (int i = 0; i < st->n_shown; i++) {
        int w = (int)strlen(sp->items[st->shown[i]].detail);
        if (w > detail_w)
            detail_w = w;
    }
    if (detail_w > COLS / 3)
        detail_w = COLS / 3;
    for (int r = 0; r < rows && st->top + r < st->n_shown; r++) {
        int vi = st->top + r;
        const ListItem *it = &sp->items[st->shown[vi]];
        int hl = sp->selectable && vi == st->cursor;
        if (hl)
            attrset(term_role(ROLE_HILITE));
        int x = 1;
        if (sp->lettered && vi < 52) {
            snprintf(line, sizeof line, "%c) ", letter_for(vi));
            term_put(2 + r, x, 3, line);
        }
        x += sp->lettered ? 3 : 0;
        int text_w = COLS - 2 - x - (detail_w ? detail_w + 2 : 0);
        /* A text too long for its column takes room from the detail
         * column on its row rather than losing its end. */
        int len = 0, dx = COLS - 1 - detail_w;
        for (const char *c = it->text; *c; c++)
            len += (*c & 0xC0) != 0x80;
        if (detail_w && len > text_w) {
            text_w = len < COLS - 2 - x ? len : COLS - 2 - x;
            dx = x + text_w + 1;
        }
        snprintf(line, sizeof line, "%-*s", text_w > 0 ? text_w : 0, it->text);
        term_put(2 + r, x, text_w, line);
        if (detail_w && it->detail[0] && COLS - 1 - dx > 0) {
            attrset(hl ? term_role(ROLE_HILITE) : term_role(ROLE_DIM));
            term_put(2 + r, dx, COLS - 1 - dx, it->detail);
        }
        attrset(A_NORMAL);
    }
    if (st->n_shown == 0)
        term_put(3, 3, COLS - 4, st->filter[0] ? "(nothing matches the filter)" : "(empty)");
    const char *hint = sp->hint;
    if (!hint)
        hint = sp->lettered ? "a-z pick  / filter  Up/Down  Enter choose  ? help  Esc back"
               : sp->selectable ? "type to filter  Up/Down  Enter choose  ? help  Esc back"
                                : "type to filter  PgUp/PgDn scroll  ? help  Esc back";
    if (st->n_shown > rows) {
        snprintf(line, sizeof line, "%s   [%d-%d of %d]", hint, st->top + 1,
                 st->top + rows < st->n_shown ? st->top + rows : st->n_shown, st->n_shown);
        hint = line;
    }
    attrset(term_role(ROLE_DIM));
    term_put(LINES - 1, 1, COLS - 2, hint);
    attrset(A_NORMAL);
    refresh();
}

int list_run(const ListSpec *spec)
{
    ListState st = {.spec = spec};
    st.shown = calloc((size_t)(spec->n > 0 ? spec->n : 1), sizeof *st.shown);
    if (!st.shown)
        return -1;
    list_refilter(&st);
    int result = -1;
    for (;;) {
        list_draw(&st);
        int ch = term_getkey();
        if (ch == TERM_KEY_SIGNAL) {
            result = -2;
            break;
        }
        if (ch == KEY_RESIZE)
            continue;
        int rows = LINES - 4 > 1 ? LINES - 4 : 1;
        int printable = ch >= 32 && ch < 256 && ch != 127;
        /* Letters pick in a lettered list; typing filters otherwise. */
        if (spec->lettered && !st.typing && index_of_letter(ch) >= 0 && ch != 'Q') {
            int vi = index_of_letter(ch);
            if (vi < st.n_shown) {
                result = st.shown[vi];
                break;
            }
            continue;
        }
        KeyCmd cmd = keys_lookup(ch, KCTX_LIST, NULL);
        if ((st.typing || !spec->lettered) && printable && cmd != KC_HELP && cmd != KC_PAGE_DOWN) {
            size_t len = strlen(st.filter);
            if (len + 1 < sizeof st.filter) {
                st.filter[len] = (char)ch;
                st.filter[len + 1] = '\0';
                list_refilter(&st);
            }
            continue;
        }
        switch (cmd) {
        case KC_BACK:
            if (st.typing || st.filter[0]) {
                st.typing = 0;
                st.filter[0] = '\0';
                list_refilter(&st);
                continue;
            }
            goto done;
        case KC_SELECT:
            if (st.typing) {
                st.typing = 0;
                continue;
            }
            if (spec->selectable && st.n_shown > 0) {
                result = st.shown[st.cursor];
                goto done;
            }
            break;
        case KC_LIST_UP:
            if (!spec->selectable)
                st.top = st.top > 0 ? st.top - 1 : 0, st.cursor = st.top;
            else if (st.cursor > 0)
                st.cursor--;
            break;
        case KC_LIST_DOWN:
            if (!spec->selectable) {
                if (st.top + rows < st.n_shown)
                    st.top++;
                st.cursor = st.top + rows - 1 < st.n_shown ? st.top + rows - 1 : st.n_shown - 1;
            } else if (st.cursor + 1 < st.n_shown) {
                st.cursor++;
            }
            break;
        case KC_PAGE_UP:
            st.cursor = st.top - rows > 0 ? st.top - rows : 0;
            st.top = st.cursor;
            break;
        case KC_PAGE_DOWN:
            if (st.top + rows < st.n_shown) {
                st.top += rows;
                st.cursor = st.top;
            }
            break;
        case KC_FILTER:
            st.typing = 1;
            break;
        case KC_ERASE: {
            size_t len = strlen(st.filter);
            if (len) {
                st.filter[len - 1] = '\0';
                list_refilter(&st);
            } else {
                st.typing = 0;
            }
            break;
        }
        case KC_HELP:
            help_run(spec->help_ctx ? spec->help_ctx : KCTX_LIST);
            break;
        default:
            break;
        }
    }
done:
    free(st.shown);
    return result;
}

void help_run(unsigned ctx)
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

void screen_message(const char *title, const char *text)
{
    for (;;) {
        erase();
        if (!term_too_small()) {
            attrset(term_role(ROLE_TITLE));
            term_put(1, 2, COLS - 4, title);
            attrset(A_NORMAL);
            /* Wrap text at spaces and newlines. */
            int y = 3, w = COLS - 4;
            const char *p = text;
            while (*p && y < LINES - 2) {
                int len = (int)strcspn(p, "\n");
                if (len > w) {
                    len = w;
                    while (len > 0 && p[len] != ' ')
                        len--;
                    if (len == 0)
                        len = w;
                }
                char line[512];
                snprintf(line, sizeof line, "%.*s", len, p);
                term_put(y++, 2, w, line);
                p += len;
                if (*p == '\n' || *p == ' ')
                    p++;
            }
            attrset(term_role(ROLE_DIM));
            term_put(LINES - 1, 2, COLS - 4, "Press any key");
            attrset(A_NORMAL);
            refresh();
        }
        int ch = term_getkey();
        if (ch != KEY_RESIZE)
            return;
    }
}

int prompt_yn(const char *question, int def)
{
    for (;;) {
        char line[256];
        snprintf(line, sizeof line, "%s %s ", question, def ? "[Yn]" : "[yN]");
        if (!term_too_small()) {
            move(LINES - 1, 0);
            clrtoeol();
            attrset(term_role(ROLE_WARN) | A_BOLD);
            term_put(LINES - 1, 0, COLS, line);
            attrset(A_NORMAL);
            refresh();
        }
        int ch = term_getkey();
        if (ch == TERM_KEY_SIGNAL)
            return -2;
        if (ch == KEY_RESIZE) {
            erase();
            continue;
        }
        if (ch == 'y' || ch == 'Y')
            return 1;
        if (ch == 'n' || ch == 'N' || ch == 27)
            return 0;
        if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
            return def;
    }
}

int prompt_text(const char *title, const char *question, char *buf, size_t size, int hidden)
{
    size_t len = strlen(buf);
    for (;;) {
        erase();
        if (!term_too_small()) {
            attrset(term_role(ROLE_TITLE));
            term_put(1, 2, COLS - 4, title);
            attrset(A_NORMAL);
            term_put(3, 2, COLS - 4, question);
            char shown[300];
            if (hidden) {
                size_t n = 0;
                for (size_t i = 0; i < len && n + 1 < sizeof shown; i++)
                    if ((buf[i] & 0xC0) != 0x80)
                        shown[n++] = '*';
                shown[n] = '\0';
            } else {
                snprintf(shown, sizeof shown, "%s", buf);
            }
            char line[320];
            snprintf(line, sizeof line, "> %s_", shown);
            attrset(term_role(ROLE_INFO));
            term_put(5, 2, COLS - 4, line);
            attrset(term_role(ROLE_DIM));
            term_put(LINES - 1, 2, COLS - 4, "Enter accept  Backspace erase  Esc back");
            attrset(A_NORMAL);
            refresh();
        }
        int ch = term_getkey();
        if (ch == TERM_KEY_SIGNAL)
            return -2;
        if (ch == KEY_RESIZE)
            continue;
        if (ch == 27)
            return 0;
        if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
            return 1;
        if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
            while (len > 0 && (buf[len - 1] & 0xC0) == 0x80)
                len--;
            if (len > 0)
                len--;
            buf[len] = '\0';
            continue;
        }
        if (ch == 21) { /* ^U: erase all */
            len = 0;
            buf[0] = '\0';
            continue;
        }
        if (ch >= 32 && ch < 256 && ch != 127 && len + 1 < size) {
            buf[len++] = (char)ch;
            buf[len] = '\0';
        }
    }
}

void messages_run(const MsgLog *log)
{
    ListItem *items = calloc((size_t)(log->n > 0 ? log->n : 1), sizeof *items);
    if (!items)
        return;
    for (int i = 0; i < log->n; i++) {
        log_format(&log->lines[i], items[i].text, sizeof items[i].text);
        snprintf(items[i].detail, sizeof items[i].detail, "turn %ld", log->lines[i].turn);
    }
    ListSpec spec = {.title = "Messages (newest last)", .items = items, .n = log->n,
                     .start = log->n > 0 ? log->n - 1 : 0, .help_ctx = KCTX_LIST};
    /* Start scrolled to the end: a selectable list keeps the cursor there. */
    spec.selectable = 1;
    spec.hint = "type to filter  Up/Down/PgUp/PgDn scroll  Esc back";
    while (list_run(&spec) >= 0) {
    }
    free(items);
}

static int load_inventory(Game *g, ListItem **items_out, InventoryRow **rows_out, int *n_out)
{
    Err err = {0};
    InventoryRow *rows = NULL;
    int n = 0;
    if (game_inventory(g, &rows, &n, &err) != MA_OK) {
        screen_message("Inventory", err.msg);
        return -1;
    }
    ListItem *items = calloc((size_t)(n > 0 ? n : 1), sizeof *items);
    if (!items) {
        inventory_list_free(rows, n);
        return -1;
    }
    const Player *p = game_player(g);
    for (int i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s", rows[i].item_name);
        for (char *c = name; *c; c++)
            if (*c == '_')
                *c = ' ';
        snprintf(items[i].text, sizeof items[i].text, "%s x%d%s", name, rows[i].quantity,
                 strcmp(rows[i].item_name, p->hand) == 0 ? "  (in hand)" : "");
        snprintf(items[i].detail, sizeof items[i].detail, "%s", rows[i].item_type);
    }
    *items_out = items;
    *rows_out = rows;
    *n_out = n;
    return 0;
}

void inventory_run(Game *g)
{
    ListItem *items;
    InventoryRow *rows;
    int n;
    if (load_inventory(g, &items, &rows, &n) != 0)
        return;
    /* Equipment first in the list's words: where it is worn, and wear left. */
    const ItemRegistry *reg = inventory_items(g);
    for (int i = 0; i < n; i++) {
        const InventoryRow *r = &rows[i];
        const ItemDef *d = items_lookup(reg, r->item_name);
        const cJSON *dur = cJSON_GetObjectItemCaseSensitive(r->item_data, "durability");
        char wear[40] = "";
        if (d->durability > 0)
            snprintf(wear, sizeof wear, "  %d/%d", cJSON_IsNumber(dur) ? dur->valueint : d->durability, d->durability);
        size_t len = strlen(items[i].text);
        if (inventory_is_equipment_slot(r->slot_position))
            snprintf(items[i].text + len, sizeof items[i].text - len, "  [worn: %s]%s",
                     inventory_slot_label(r->slot_position), wear);
        else
            snprintf(items[i].text + len, sizeof items[i].text - len, "%s", wear);
        snprintf(items[i].detail, sizeof items[i].detail, "%s%s", r->item_type,
                 inventory_is_equipment_slot(r->slot_position) ? ", equipped" : "");
    }
    ListSpec spec = {.title = "Inventory (Enter: full description)", .items = items, .n = n, .lettered = 1,
                     .selectable = 1, .help_ctx = KCTX_LIST};
    for (;;) {
        int pick = list_run(&spec);
        if (pick < 0)
            break;
        spec.start = pick;
        const InventoryRow *r = &rows[pick];
        const ItemDef *d = items_lookup(reg, r->item_name);
        char text[2048];
        size_t len = 0;
#define ADD(...)                                                                                            \
    (len < sizeof text ? (void)(len += (size_t)snprintf(text + len, sizeof text - len, __VA_ARGS__)) : (void)0)
        ADD("%s (%s)\n", d->title[0] ? d->title : r->item_name, r->item_type);
        if (d->description[0])
            ADD("%s\n", d->description);
        ADD("\nQuantity: %d (stacks to %d)\n", r->quantity, d->stack);
        if (inventory_is_equipment_slot(r->slot_position))
            ADD("Worn: %s (slot %d)\n", inventory_slot_label(r->slot_position), r->slot_position);
        else if (r->slot_position >= 0)
            ADD("In the backpack, slot %d%s\n", r->slot_position,
                d->slot != ITEM_SLOT_NONE ? " (equip it to wear it)" : "");
        else
            ADD("Carried outside the pack\n");
        if (d->slot != ITEM_SLOT_NONE)
            ADD("Worn on: %s\n", items_slot_name(d->slot));
        if (d->durability > 0) {
            const cJSON *dur = cJSON_GetObjectItemCaseSensitive(r->item_data, "durability");
            ADD("Durability: %d/%d%s\n", cJSON_IsNumber(dur) ? dur->valueint : d->durability, d->durability,
                d->repair[0] ? "" : " (cannot be repaired)");
            if (d->repair[0])
                ADD("Repaired with: %s\n", d->repair);
        }
        if (d->damage)
            ADD("Damage: %d%s\n", d->damage, d->ranged ? " (ranged)" : "");
        if (d->ammo[0])
            ADD("Shoots: %s\n", d->ammo);
        if (d->armor)
            ADD("Armour: %d\n", d->armor);
        if (d->tool_kind[0])
            ADD("Tool: %s, power %d\n", d->tool_kind, d->tool_power);
        for (int k = 0; k < ITEM_STATS; k++)
            if (d->bonus[k])
                ADD("%s %+d\n", item_stat_names[k], d->bonus[k]);
        if (d->bag_slots)
            ADD("Adds %d backpack slots\n", d->bag_slots);
        if (d->heal)
            ADD("Restores %d health\n", d->heal);
        if (d->mana)
            ADD("Restores %d mana\n", d->mana);
        if (d->teaches[0])
            ADD("Teaches: %s\n", d->teaches);
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r->item_data, "enchantments")) {
            const cJSON *en = cJSON_GetObjectItemCaseSensitive(e, "name");
            const cJSON *lv = cJSON_GetObjectItemCaseSensitive(e, "level");
            if (cJSON_IsString(en))
                ADD("Enchanted: %s %d\n", en->valuestring, cJSON_IsNumber(lv) ? lv->valueint : 1);
        }
        ADD("Value: %d gold\nAcquired: %s", d->value, r->acquired_at);
        if (strcmp(r->item_name, game_player(g)->hand) == 0)
            ADD("\n\nYou hold it in your hand.");
#undef ADD
        screen_message(items[pick].text, text);
    }
    inventory_list_free(rows, n);
    free(items);
}

int block_pick_run(Game *g, char *buf, size_t size)
{
    ListItem *items;
    InventoryRow *rows;
    int n;
    if (load_inventory(g, &items, &rows, &n) != 0)
        return 0;
    /* Only what can be placed: items that name a block. */
    const BlockRegistry *reg = game_blocks(g);
    int m = 0;
    int *map = calloc((size_t)(n > 0 ? n : 1), sizeof *map);
    for (int i = 0; map && i < n; i++)
        if (blocks_find(reg, rows[i].item_name) > 0) {
            items[m] = items[i];
            map[m++] = i;
        }
    int chosen = 0;
    if (map) {
        ListSpec spec = {.title = "Hold which block?", .items = items, .n = m, .lettered = 1, .selectable = 1,
                         .help_ctx = KCTX_LIST};
        int pick = list_run(&spec);
        if (pick >= 0) {
            snprintf(buf, size, "%s", rows[map[pick]].item_name);
            chosen = 1;
        }
    }
    free(map);
    inventory_list_free(rows, n);
    free(items);
    return chosen;
}

int item_pick_run(Game *g, const char *title, char *buf, size_t size)
{
    ListItem *items;
    InventoryRow *rows;
    int n;
    if (load_inventory(g, &items, &rows, &n) != 0)
        return 0;
    ListSpec spec = {.title = title, .items = items, .n = n, .lettered = 1, .selectable = 1, .help_ctx = KCTX_LIST};
    int pick = list_run(&spec);
    int chosen = 0;
    if (pick >= 0) {
        snprintf(buf, size, "%s", rows[pick].item_name);
        chosen = 1;
    }
    inventory_list_free(rows, n);
    free(items);
    return chosen;
}
