/* screen_lists.c — the list widget (lettered or not, type-to-filter), message boxes and the
 * prompts. The screens built on the widget have their own files (screen_help.c,
 * screen_messages.c, screen_inventory.c, ...). */
#include "screen_lists.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "screen_help.h"
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
    int last; /* the last item drawn whole by the last draw */
    char filter[64];
    int typing; /* lettered lists: typing goes to the filter */
    int own_letters; /* the items carry their own letters */
    char notice[80]; /* said on the bottom line until the next key ("" none) */
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

typedef struct ListGeom {
    int x, text_w, detail_w, rows;
} ListGeom;

static ListGeom list_geom(const ListState *st)
{
    const ListSpec *sp = st->spec;
    ListGeom gm;
    gm.rows = LINES - 4 > 1 ? LINES - 4 : 1;
    gm.x = 1 + (sp->lettered ? 3 : 0);
    gm.detail_w = 0;
    for (int i = 0; i < st->n_shown; i++) {
        int w = term_text_cols(sp->items[st->shown[i]].detail);
        if (w > gm.detail_w)
            gm.detail_w = w;
    }
    if (gm.detail_w > COLS / 2)
        gm.detail_w = COLS / 2;
    gm.text_w = COLS - 2 - gm.x - (gm.detail_w ? gm.detail_w + 2 : 0);
    if (gm.text_w < 8)
        gm.text_w = 8;
    return gm;
}

/* How many lines item vi takes. */
static int item_height(const ListState *st, const ListGeom *gm, int vi)
{
    if (!st->spec->wrap)
        return 1;
    const char *p = st->spec->items[st->shown[vi]].text;
    int n = 0;
    size_t take;
    do {
        /* Continuation lines are indented by two. */
        p = term_wrap_line(p, n ? gm->text_w - 2 : gm->text_w, &take);
        n++;
    } while (*p);
    return n;
}

/* Moves top so that the cursor's item is on the page whole. */
static void list_scroll_to_cursor(ListState *st, const ListGeom *gm)
{
    if (st->cursor < st->top)
        st->top = st->cursor;
    for (;;) {
        int lines = 0;
        for (int vi = st->top; vi <= st->cursor && vi < st->n_shown; vi++)
            lines += item_height(st, gm, vi);
        if (lines <= gm->rows || st->top >= st->cursor)
            break;
        st->top++;
    }
}

static void list_draw(ListState *st)
{
    erase();
    if (term_too_small())
        return;
    const ListSpec *sp = st->spec;
    char line[640];
    /* A title or a hint wider than the screen ends in an ellipsis ("the path you too" had been
     * cut at 60 columns). */
    attrset(term_role(ROLE_TITLE));
    term_clip(sp->title, COLS - 2, line, sizeof line);
    term_put(0, 1, COLS - 2, line);
    attrset(A_NORMAL);
    if (st->filter[0] || st->typing || !sp->lettered) {
        /* The filter keeps lines (a quest's objectives and the headings are lines of their own). */
        snprintf(line, sizeof line, "Filter: %s%s   (%d of %d line%s)", st->filter,
                 st->typing || !sp->lettered ? "_" : "", st->n_shown, sp->n, sp->n == 1 ? "" : "s");
        attrset(term_role(ROLE_INFO));
        term_put(1, 1, COLS - 2, line);
        attrset(A_NORMAL);
    }
    ListGeom gm = list_geom(st);
    if (sp->selectable)
        list_scroll_to_cursor(st, &gm);
    if (st->top >= st->n_shown)
        st->top = st->n_shown > 0 ? st->n_shown - 1 : 0;
    int y = 2;
    st->last = st->top - 1;
    for (int vi = st->top; vi < st->n_shown && y < 2 + gm.rows; vi++) {
        const ListItem *it = &sp->items[st->shown[vi]];
        int h = item_height(st, &gm, vi);
        if (y + h > 2 + gm.rows && vi > st->top)
            break;
        int hl = sp->selectable && vi == st->cursor;
        int it_no_detail = 0;
        attr_t base = hl ? term_role(ROLE_HILITE) : it->attr ? it->attr : A_NORMAL;
        if (sp->lettered) {
            char l = st->own_letters ? it->letter : vi < 52 ? letter_for(vi) : 0;
            snprintf(line, sizeof line, "%c) ", l ? l : ' ');
            attrset(hl ? base : A_NORMAL);
            term_put(y, 1, 3, l ? line : "   ");
        }
        attrset(base);
        if (sp->wrap) {
            const char *p = it->text;
            for (int k = 0; k < h && y + k < 2 + gm.rows; k++) {
                size_t take;
                int w = k ? gm.text_w - 2 : gm.text_w;
                const char *next = term_wrap_line(p, w, &take);
                snprintf(line, sizeof line, "%s%.*s", k ? "  " : "", (int)take, p);
                char padded[700];
                snprintf(padded, sizeof padded, "%-*s", gm.text_w, line);
                term_put(y + k, gm.x, gm.text_w, padded);
                p = next;
            }
        } else {
            /* A text longer than its column takes the detail's room on its row, and the detail
             * is then left out rather than cut: a cut number reads as another number. */
            int full = COLS - 1 - gm.x;
            int len = term_text_cols(it->text);
            int w = len > gm.text_w ? (len < full ? len : full) : gm.text_w;
            char fitted[400];
            term_clip(it->text, w, fitted, sizeof fitted);
            snprintf(line, sizeof line, "%-*s", w, fitted);
            term_put(y, gm.x, w, line);
            if (w > gm.text_w && (COLS - 1 - (gm.x + w + 2)) < term_text_cols(it->detail))
                it_no_detail = 1;
        }
        if (gm.detail_w && it->detail[0] && !it_no_detail) {
            char fitted[160];
            term_clip(it->detail, gm.detail_w, fitted, sizeof fitted);
            attrset(hl ? term_role(ROLE_HILITE) : term_role(ROLE_DIM));
            if (hl) /* the highlight runs across the gap */
                term_put(y, gm.x + gm.text_w, 2, "  ");
            term_put(y, COLS - 1 - term_text_cols(fitted), term_text_cols(fitted), fitted);
        }
        attrset(A_NORMAL);
        y += h;
        st->last = vi;
    }
    if (st->n_shown == 0)
        term_put(3, 3, COLS - 4, st->filter[0] ? "(nothing matches the filter)" : "(empty)");
    const char *hint = sp->hint;
    if (!hint)
        hint = sp->lettered ? "a-z pick  / filter  Up/Down  Enter choose  ? help  Esc back"
               : sp->selectable ? "type to filter  Up/Down  Enter choose  ? help  Esc back"
                                : "type to filter  PgUp/PgDn scroll  ? help  Esc back";
    if (st->top > 0 || st->last < st->n_shown - 1) {
        /* The place in the list is never the part cut: it goes first when the hint is long. */
        char where[48];
        snprintf(where, sizeof where, "[%d-%d of %d]", st->top + 1, st->last + 1, st->n_shown);
        if (term_text_cols(hint) + 3 + (int)strlen(where) <= COLS - 2)
            snprintf(line, sizeof line, "%s   %s", hint, where);
        else
            snprintf(line, sizeof line, "%s  %s", where, hint);
        hint = line;
    }
    char fitted[640];
    term_clip(hint, COLS - 2, fitted, sizeof fitted);
    hint = fitted;
    if (st->notice[0]) {
        attrset(term_role(ROLE_WARN));
        term_put(LINES - 1, 1, COLS - 2, st->notice);
    } else {
        attrset(term_role(ROLE_DIM));
        term_put(LINES - 1, 1, COLS - 2, hint);
    }
    attrset(A_NORMAL);
    refresh();
}

int list_run(const ListSpec *spec) { return list_run_at(spec, NULL); }

int list_run_at(const ListSpec *spec, int *at)
{
    ListState st = {.spec = spec};
    st.shown = calloc((size_t)(spec->n > 0 ? spec->n : 1), sizeof *st.shown);
    if (!st.shown)
        return -1;
    for (int i = 0; i < spec->n; i++)
        st.own_letters |= spec->items[i].letter != 0;
    list_refilter(&st);
    int result = -1;
    for (;;) {
        list_draw(&st);
        if (at)
            *at = st.n_shown > 0 && st.cursor < st.n_shown ? st.shown[st.cursor] : -1;
        int ch = term_getkey();
        if (ch == TERM_KEY_SIGNAL) {
            result = -2;
            break;
        }
        if (ch == KEY_RESIZE)
            continue;
        st.notice[0] = '\0';
        ListGeom gm = list_geom(&st);
        int rows = gm.rows;
        int printable = ch >= 32 && ch < 256 && ch != 127;
        if (!st.typing && spec->keys_ok && ch > 0 && ch < 256 && strchr(spec->keys_ok, ch)) {
            result = LIST_KEY(ch);
            break;
        }
        /* Letters pick in a lettered list; typing filters otherwise. */
        if (spec->lettered && !st.typing && index_of_letter(ch) >= 0 && ch != 'Q') {
            if (st.own_letters) {
                for (int vi = 0; vi < st.n_shown; vi++)
                    if (spec->items[st.shown[vi]].letter == ch) {
                        result = st.shown[vi];
                        goto done;
                    }
            } else {
                int vi = index_of_letter(ch);
                if (vi < st.n_shown) {
                    result = st.shown[vi];
                    break;
                }
            }
            /* A letter that picks nothing here says so (it had done nothing at all). */
            snprintf(st.notice, sizeof st.notice, "Nothing here is lettered %c) - pick one of the letters shown, Esc back",
                     ch);
            continue;
        }
        KeyCmd cmd = keys_lookup(ch, KCTX_LIST, NULL);
        if ((st.typing || !spec->lettered) && printable && cmd != KC_HELP && cmd != KC_PAGE_DOWN) {
            size_t len = strlen(st.filter);
            if (len + 1 < sizeof st.filter) {
                st.filter[len] = (char)ch;
                st.filter[len + 1] = '\0';
                list_refilter(&st);
                st.top = 0;
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
            if (!spec->selectable) {
                st.top = st.top > 0 ? st.top - 1 : 0, st.cursor = st.top;
            } else {
                int c = st.cursor - 1;
                while (c >= 0 && spec->items[st.shown[c]].heading)
                    c--;
                if (c >= 0)
                    st.cursor = c;
                else
                    st.top = 0; /* only headings above: show them, stay on the first item */
            }
            break;
        case KC_LIST_DOWN:
            if (!spec->selectable) {
                if (st.last < st.n_shown - 1)
                    st.top++;
                st.cursor = st.top;
            } else {
                int c = st.cursor + 1;
                while (c < st.n_shown && spec->items[st.shown[c]].heading)
                    c++;
                if (c < st.n_shown)
                    st.cursor = c;
            }
            break;
        case KC_PAGE_UP: {
            int lines = 0, t = st.top;
            while (t > 0 && lines + item_height(&st, &gm, t - 1) <= rows)
                lines += item_height(&st, &gm, --t);
            st.top = t;
            st.cursor = st.top;
            break;
        }
        case KC_PAGE_DOWN:
            if (st.last < st.n_shown - 1) {
                st.top = st.last + 1 > st.top ? st.last + 1 : st.top + 1;
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
            screen_help_run(spec->help_ctx ? spec->help_ctx : KCTX_LIST);
            break;
        default:
            break;
        }
    }
done:
    if (at && result >= 0)
        *at = result;
    free(st.shown);
    return result;
}

int screen_message(const char *title, const char *text) { return screen_message_hint(title, text, NULL); }

int screen_message_hint(const char *title, const char *text, const char *hint)
{
    for (;;) {
        erase();
        if (!term_too_small()) {
            attrset(term_role(ROLE_TITLE));
            term_put(1, 2, COLS - 4, title);
            attrset(A_NORMAL);
            /* Each line of text wrapped at spaces to the screen's columns (term_wrap_line). */
            int y = 3, w = COLS - 4;
            const char *p = text;
            while (*p && y < LINES - 2) {
                size_t para = strcspn(p, "\n");
                char buf[4096];
                snprintf(buf, sizeof buf, "%.*s", (int)para, p);
                if (!buf[0])
                    y++; /* an empty line */
                for (const char *q = buf; *q && y < LINES - 2;) {
                    size_t take;
                    const char *next = term_wrap_line(q, w, &take);
                    char line[2048];
                    snprintf(line, sizeof line, "%.*s", (int)take, q);
                    term_put(y++, 2, w, line);
                    q = next;
                }
                p += para;
                if (*p == '\n')
                    p++;
            }
            attrset(term_role(ROLE_DIM));
            term_put(LINES - 1, 2, COLS - 4, hint ? hint : "Press any key");
            attrset(A_NORMAL);
            refresh();
        }
        int ch = term_getkey();
        if (ch != KEY_RESIZE)
            return ch;
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
    /* A default is shown selected, as in a dialog box: typing replaces it, Backspace clears it,
     * Enter keeps it, Right or End starts editing it. */
    int selected = len > 0 && !hidden;
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
            attrset(term_role(ROLE_INFO));
            term_put(5, 2, 2, "> ");
            attrset(selected ? term_role(ROLE_HILITE) : term_role(ROLE_INFO));
            term_put(5, 4, COLS - 6, shown);
            attrset(term_role(ROLE_INFO));
            if (!selected) {
                int w = 0;
                for (const char *c = shown; *c; c++)
                    w += (*c & 0xC0) != 0x80;
                if (4 + w < COLS - 2)
                    term_put(5, 4 + w, 1, "_");
            }
            attrset(term_role(ROLE_DIM));
            term_put(LINES - 1, 2, COLS - 4,
                     selected ? "Enter keep  type to replace  Backspace clear  Right edit  Esc back"
                              : "Enter accept  Backspace erase  ^U erase all  Esc back");
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
        if (selected && (ch == KEY_RIGHT || ch == KEY_END)) {
            selected = 0;
            continue;
        }
        if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
            if (selected)
                len = 0;
            while (len > 0 && (buf[len - 1] & 0xC0) == 0x80)
                len--;
            if (len > 0)
                len--;
            buf[len] = '\0';
            selected = 0;
            continue;
        }
        if (ch == 21) { /* ^U: erase all */
            len = 0;
            buf[0] = '\0';
            selected = 0;
            continue;
        }
        if (ch >= 32 && ch < 256 && ch != 127) {
            if (selected) {
                len = 0;
                buf[0] = '\0';
                selected = 0;
            }
            if (len + 1 < size) {
                buf[len++] = (char)ch;
                buf[len] = '\0';
            }
        }
    }
}
