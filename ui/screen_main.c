/* screen_main.c — the main screen: the map (top-down slice or cross-section)
 * centred on the character, the side panel, the message log, and the modes
 * that work on the map: direction prompts (dig, place), look. Travel and
 * rest are screen_travel.c.
 *
 * What each key does is screen_main_keys.c (keys from the key table, keys.c);
 * the state both files share is screen_main_ui.h. Every action goes through
 * game_apply, which commits before it returns. */
#include "screen_main.h"
#include "screen_main_ui.h"
#include "screen_lists.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "screen_panel.h"
#include "agents/agents_llm.h"
#include "game/story.h"
#include "game/game_travel.h"
#include "agents/agents.h"
#include "agents/evolution.h"
#include "autobackup.h"
#include "launch.h"
#include "game/calendar.h"
#include "screen_chronicle.h"
#include "term.h"
#include "game/creatures.h"
#include "game/inventory.h"
#include "game/npc.h"
#include "world/render.h"

Layout screen_main_layout(void)
{
    Layout L;
    L.log_h = LINES >= 40 ? 7 : LINES >= 30 ? 5 : 4;
    L.map_h = LINES - L.log_h - 1;
    L.status_y = L.map_h;
    L.log_y = L.map_h + 1;
    L.panel_w = panel_width(COLS);
    L.panel_x = COLS - L.panel_w;
    L.map_w = L.panel_x - 1;
    return L;
}


/* ---- drawing ---- */
static int ensure_cells(MainUi *u, int w, int h)
{
    size_t need = (size_t)w * (size_t)h;
    if (need <= u->cells_cap)
        return 0;
    RenderCell *c = realloc(u->cells, need * sizeof *c);
    if (!c)
        return -1;
    u->cells = c;
    u->cells_cap = need;
    return 0;
}

static void draw_map(MainUi *u, const Layout *L)
{
    const Player *p = game_player(u->g);
    int w = L->map_w, h = L->map_h;
    u->seen.n = 0;
    u->seen.total = 0;
    if (w <= 0 || h <= 0 || ensure_cells(u, w, h) != 0)
        return;
    Err err = {0};
    int rc = u->section ? render_section_seen(game_world(u->g), p->x, p->y + u->view_dy, p->z, w, h, u->cells, &err)
                        : render_slice_seen(game_world(u->g), p->x, p->y + u->view_dy, p->z, w, h, u->cells, &err);
    if (rc != MA_OK) {
        snprintf(u->status, sizeof u->status, "cannot draw the map: %s", err.msg);
        return;
    }
    u->cells_section = u->section;
    int night = game_is_night(u->g);
    int radius = game_sight_radius(u->g);
    int cx = w / 2, cy = h / 2;
    /* At night the lights in view (torches, lanterns) light what is around them, however far from
     * the player. */
    enum { MAX_LIGHTS = 64 };
    const BlockRegistry *reg = game_blocks(u->g);
    int lights[MAX_LIGHTS][2], n_lights = 0;
    for (int i = 0; night && i < w * h && n_lights < MAX_LIGHTS; i++)
        if (blocks_get(reg, u->cells[i].block)->light && u->cells[i].depth <= 3 && !u->cells[i].unseen) {
            lights[n_lights][0] = i % w;
            lights[n_lights++][1] = i / w;
        }
    TermGlyph line[512];
    for (int row = 0; row < h; row++) {
        for (int col = 0; col < w; col++) {
            const RenderCell *c = &u->cells[row * w + col];
            int dx = col - cx, dz = row - cy;
            /* Cells are about twice as tall as wide: halve the horizontal distance. */
            int far = night && (dx * dx) / 4 + dz * dz > radius * radius;
            /* A light's circle in blocks, as the spawn rule has it (not halved across like the
             * sight above): what the map shows lit is where nothing hostile comes into being. */
            for (int k = 0; far && k < n_lights; k++) {
                int lx = col - lights[k][0], lz = row - lights[k][1];
                far = lx * lx + lz * lz > CREATURES_LIGHT_RADIUS * CREATURES_LIGHT_RADIUS;
            }
            TermGlyph *gl = &line[col % 512];
            if (far || c->depth == RENDER_DEPTH_NONE) {
                *gl = (TermGlyph){NULL, ' ', A_NORMAL};
            } else {
                *gl = (TermGlyph){c->utf8, c->ascii, term_map_attr(c->color256, c->color8, c->depth, night)};
            }
            if (col % 512 == 511 || col == w - 1)
                term_glyph_row(row, col - col % 512, line, col % 512 + 1);
            if (far || c->depth == RENDER_DEPTH_NONE)
                continue;
            if (c->is_entity && !u->section)
                panel_note_entity(&u->panel, u->g, &u->seen, p->x + dx, p->y + u->view_dy - c->depth, p->z + dz);
        }
    }
    /* A creature or villager a level up beside you (on a ledge, a step up) strikes and is struck
     * as one at your level: drawn, underlined, on the cell it stands over, and listed "up" (it had
     * fought unseen, shown only by `]`). */
    for (int dz = -1; !u->section && u->view_dy == 0 && dz <= 1; dz++)
        for (int dx = -1; dx <= 1; dx++) {
            CreatureRef ref;
            if ((!dx && !dz) || cx + dx < 0 || cx + dx >= w || cy + dz < 0 || cy + dz >= h ||
                creature_at(u->g, p->x + dx, p->y + 1, p->z + dz, 0, &ref, NULL) != 1 || ref.y != p->y + 1)
                continue;
            int before = u->seen.n;
            panel_note_entity(&u->panel, u->g, &u->seen, ref.x, ref.y, ref.z);
            if (u->seen.n == before)
                continue;
            const Seen *s = &u->seen.v[before];
            attr_t a = s->kind == SEEN_CREATURE ? term_map_attr(s->color256, s->color8, 0, night) : term_role(ROLE_INFO);
            term_glyph(cy + dz, cx + dx, s->glyph[0] ? s->glyph : NULL, s->ascii ? s->ascii : '?', a | A_UNDERLINE);
        }
    panel_sort_seen(&u->seen);
    term_glyph(cy, cx, "@", '@', u->view_dy == 0 ? term_role(ROLE_PLAYER) : term_role(ROLE_DIM));
    if (u->mode == MODE_LOOK && !u->section) {
        int lc = cx + u->lx, lr = cy + u->lz;
        if (lc >= 0 && lc < w && lr >= 0 && lr < h) {
            const RenderCell *c = &u->cells[lr * w + lc];
            attr_t a = A_REVERSE | A_BOLD;
            if (lc == cx && lr == cy)
                term_glyph(lr, lc, "@", '@', a);
            else
                term_glyph(lr, lc, c->depth == RENDER_DEPTH_NONE ? " " : c->utf8,
                           c->depth == RENDER_DEPTH_NONE ? ' ' : c->ascii, a);
        }
    }
}

static const char *label_of(MainUi *u, BlockId id, char *buf, size_t size)
{
    return game_block_label(u->g, id, buf, size);
}

static void draw_panel(MainUi *u, const Layout *L)
{
    for (int y = 0; y < L->map_h; y++)
        term_glyph(y, L->panel_x - 1, "\xe2\x94\x82", '|', term_role(ROLE_DIM));
    u->panel.has_sync = u->sync != NULL;
    if (u->sync) {
        sync_session_line(u->sync, u->panel.sync, sizeof u->panel.sync);
        u->panel.sync_conflicts = sync_session_conflicts(u->sync);
    }
    panel_draw(&u->panel, u->g, &u->seen, L->panel_x, L->panel_w, L->map_h, u->view_dy, u->section);
}

static attr_t sev_attr(Severity s)
{
    switch (s) {
    case SEV_GOOD: return term_role(ROLE_GOOD);
    case SEV_WARN: return term_role(ROLE_WARN);
    case SEV_BAD: return term_role(ROLE_BAD);
    default: return A_NORMAL;
    }
}

static void draw_log(MainUi *u, const Layout *L)
{
    attrset(term_role(ROLE_INFO));
    move(L->status_y, 0);
    clrtoeol();
    const char *status = u->status;
    char mode[200];
    if (!status[0]) {
        if (u->mode == MODE_DIR)
            snprintf(mode, sizeof mode, "%s in which direction? (hjklyubn, arrows, keypad%s; Esc cancels)",
                     u->pending == KC_DIG ? "Dig" : u->pending == KC_PLACE ? "Place" : u->pending == KC_ATTACK ? "Attack"
                     : u->pending == KC_SHOOT ? "Shoot" : u->pending == KC_CAST ? "Cast" : "Talk",
                     u->pending == KC_DIG ? ", < up, > down" : u->pending == KC_PLACE ? ", < up, > under you" : "");
        else if (u->mode == MODE_LOOK)
            snprintf(mode, sizeof mode, "Look: move the cursor; Enter describes, t travels there, Esc ends");
        else
            mode[0] = '\0';
        status = mode;
    }
    /* One row: a longer line (look at a villager) ends in an ellipsis; the log keeps it whole. */
    char clipped[sizeof u->status + 8];
    term_clip(status, COLS, clipped, sizeof clipped);
    term_put(L->status_y, 0, COLS, clipped);
    attrset(A_NORMAL);
    /* The newest messages at the bottom, each wrapped at spaces onto as many rows as it needs (a
     * message longer than the rows left shows its beginning, its last row ending in an ellipsis:
     * M shows it whole); older ones above while rows remain. */
    for (int i = 0; i < L->log_h; i++) {
        move(L->log_y + i, 0);
        clrtoeol();
    }
    int row = L->log_h;
    for (int k = u->log.n - 1; k >= 0 && row > 0; k--) {
        const LogLine *l = &u->log.lines[k];
        char buf[512];
        log_format(l, buf, sizeof buf);
        const char *part[8];
        size_t take[8];
        int n = 0;
        for (const char *p = buf; *p && n < 8; n++) {
            part[n] = p;
            p = term_wrap_line(p, COLS, &take[n]);
        }
        if (n == 0) { /* an empty message still takes its row */
            part[0] = buf;
            take[0] = 0;
            n = 1;
        }
        int cut = n > row;
        if (cut)
            n = row;
        row -= n;
        attrset(k == u->log.n - 1 ? sev_attr(l->sev) | A_BOLD : sev_attr(l->sev));
        for (int j = 0; j < n; j++) {
            char line[512];
            if (cut && j == n - 1)
                term_clip(part[j], COLS, line, sizeof line); /* the rest of the message, clipped */
            else
                snprintf(line, sizeof line, "%.*s", (int)take[j], part[j]);
            term_put(L->log_y + row + j, 0, COLS, line);
        }
        attrset(A_NORMAL);
    }
}

/* After one step the map shows the same picture moved by one cell: move
 * what the terminal shows with it (term_shift_map), so that the update sends
 * a new column or row instead of every cell. Call before doupdate. */
static void shift_with_step(MainUi *u, const Layout *L, int drawn)
{
    const Player *p = game_player(u->g);
    int dx = p->x - u->shown.x, dz = p->z - u->shown.z;
    /* After a resize the terminal may hold a frame drawn for the old size
     * (the resize can land while a frame is being written): paint it all. */
    if (drawn && u->shown.valid && (u->shown.cols != COLS || u->shown.lines != LINES))
        clearok(curscr, TRUE);
    if (drawn && u->shown.valid && !u->section && !u->shown.section && u->shown.view_dy == u->view_dy &&
        u->shown.y == p->y && u->shown.map_w == L->map_w && u->shown.map_h == L->map_h && u->shown.cols == COLS &&
        u->shown.lines == LINES && abs(dx) + abs(dz) == 1)
        term_shift_map(L->map_h, L->map_w, dx, dz);
    u->shown.valid = drawn;
    u->shown.x = p->x;
    u->shown.y = p->y;
    u->shown.z = p->z;
    u->shown.view_dy = u->view_dy;
    u->shown.section = u->section;
    u->shown.map_w = L->map_w;
    u->shown.map_h = L->map_h;
    u->shown.cols = COLS;
    u->shown.lines = LINES;
}

/* Composes the screen into stdscr; returns 0 when the terminal is too
 * small (the message is drawn instead). */
static int compose(MainUi *u, Layout *L)
{
    erase();
    if (term_too_small())
        return 0;
    *L = screen_main_layout();
    World *w = game_world(u->g);
    Err err = {0};
    /* One read transaction for the map and the panel: their many reads share one lock of the
     * save instead of taking and leaving it a statement at a time. */
    world_batch_begin(w, &err);
    draw_map(u, L);
    draw_panel(u, L);
    world_batch_end(w, &err);
    draw_log(u, L);
    return 1;
}

/* doupdate takes in a resize that arrived since the frame was composed
 * (ncurses handles a pending SIGWINCH there): the frame was laid out for
 * the old size, so it is drawn again. */
static int resized_since(int cols, int lines) { return COLS != cols || LINES != lines; }

void screen_main_draw(MainUi *u)
{
    for (int tries = 0; tries < 3; tries++) {
        int cols = COLS, lines = LINES;
        Layout L = {0};
        int drawn = compose(u, &L);
        wnoutrefresh(stdscr);
        shift_with_step(u, &L, drawn);
        doupdate();
        if (!resized_since(cols, lines))
            break;
    }
}

static long long ns_between(const struct timespec *a, const struct timespec *b)
{
    return (long long)(b->tv_sec - a->tv_sec) * 1000000000LL + (b->tv_nsec - a->tv_nsec);
}

/* screen_main_draw() for `bench client`, writing one line to report: the CPU time of
 * composing the screen (our code and curses) and of writing it to the
 * terminal (doupdate), in nanoseconds; the write() calls and bytes of that
 * update; where the character stands (x z), so that steps can be told
 * apart by direction; and the monotonic clock when the update was written
 * (nanoseconds), so that the bench times the launch to the first map. */
static void draw_timed(MainUi *u, FILE *report)
{
    struct timespec t0, t1, t2;
    long long w0 = 0, b0 = 0, w1 = 0, b1 = 0;
    int cols = COLS, lines = LINES;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    Layout L = {0};
    int drawn = compose(u, &L);
    wnoutrefresh(stdscr);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    int counted = term_output_counters(&w0, &b0) == 0;
    shift_with_step(u, &L, drawn);
    doupdate();
    counted = counted && term_output_counters(&w1, &b1) == 0;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t2);
    struct timespec shown;
    clock_gettime(CLOCK_MONOTONIC, &shown);
    if (resized_since(cols, lines))
        screen_main_draw(u); /* not measured: the terminal changed size under the frame */
    const Player *p = game_player(u->g);
    fprintf(report, "%lld %lld %lld %lld %d %d %lld\n", ns_between(&t0, &t1), ns_between(&t1, &t2),
            counted ? w1 - w0 : -1, counted ? b1 - b0 : -1, p->x, p->z,
            (long long)shown.tv_sec * 1000000000LL + shown.tv_nsec);
}

/* ---- actions ---- */
/* Carries out one action and logs what happened. Returns res->ok, or -1
 * when the save failed. */
/* ---- a shared world's sync (src/sync/sync.h): started here, taken between keys ---- */

/* Seconds between automatic syncs while changes wait (MAGIC_SYNC_EVERY; default 120). */
static long sync_every(void)
{
    const char *v = getenv("MAGIC_SYNC_EVERY");
    long s = v ? atol(v) : 120;
    return s > 0 ? s : 120;
}

void screen_main_sync_now(MainUi *u, int quiet)
{
    Err err = {0};
    int rc = sync_session_start(u->sync, &err);
    if (rc < 0)
        log_add(&u->log, SEV_WARN, (long)game_clock(u->g), "Sync: %s", err.msg);
    else if (rc == 1 && !quiet)
        log_add(&u->log, SEV_INFO, (long)game_clock(u->g), "Sync: one is on its way already.");
    else if (!quiet)
        log_add(&u->log, SEV_INFO, (long)game_clock(u->g), "Sync: sending what you did, fetching what others did...");
}

static void sync_after_action(MainUi *u)
{
    Err err = {0};
    sync_session_changed(u->sync);
    if (sync_session_maybe(u->sync, sync_every(), &err) < 0)
        log_add(&u->log, SEV_WARN, (long)game_clock(u->g), "Sync: %s", err.msg);
}

/* Takes a finished sync into the save, and says what it brought. */
static void sync_poll(MainUi *u)
{
    SyncReport rep;
    char note[600];
    Err err = {0};
    int rc = sync_session_poll(u->sync, &rep, note, sizeof note, &err);
    long turn = (long)game_clock(u->g);
    if (rc == 0)
        return;
    u->sync_news = 1;
    if (rc < 0) {
        log_add(&u->log, SEV_BAD, turn, "Sync: %s", err.msg);
        return;
    }
    if (note[0]) {
        log_add(&u->log, SEV_WARN, turn, "Sync stopped: %s (nothing is lost: it waits for the next one)", note);
        return;
    }
    int changes = rep.chunks + rep.characters + rep.relationships + rep.quests + rep.entries;
    log_add(&u->log, SEV_GOOD, turn, "Synced: %d sent, %d change%s from others%s", rep.pushed, changes,
            changes == 1 ? "" : "s", rep.more_waiting ? " (more wait on the server: the next sync brings them)." : ".");
    if (rep.new_conflicts)
        log_add(&u->log, SEV_WARN, turn, "%d conflict%s: the server's stands, yours is kept. Press o.",
                rep.new_conflicts, rep.new_conflicts == 1 ? "" : "s");
}

int screen_main_act(MainUi *u, const Action *a, ActionResult *res)
{
    Err err = {0};
    ActionResult local;
    if (!res)
        res = &local;
    if (game_apply(u->g, a, res, &err) != MA_OK) {
        log_add(&u->log, SEV_BAD, (long)game_clock(u->g), "%s", err.msg);
        return -1;
    }
    long turn = (long)game_clock(u->g);
    if (!res->ok)
        log_add(&u->log, SEV_WARN, turn, "%s", res->text);
    for (int i = 0; i < res->n_events; i++)
        log_add(&u->log, res->events[i].severity, turn, "%s", res->events[i].text);
    if (res->story_news)
        log_add(&u->log, SEV_GOOD, turn, "Press s to read the story, J for your journal.");
    panel_mark_stale(&u->panel);
    panel_after_events(&u->panel, res);
    if (a->kind == ACT_MOVE && res->ok)
        u->panel.heading = a->dir;
    char note[4400];
    int made = autobackup_after_action(&u->backup, u->g, note, sizeof note);
    if (made)
        log_add(&u->log, made > 0 ? SEV_INFO : SEV_BAD, turn, "A new day: %s", note);
    if (u->sync)
        sync_after_action(u);
    return res->ok;
}

void screen_main_describe_spot(MainUi *u, int log_it)
{
    const Player *p = game_player(u->g);
    World *w = game_world(u->g);
    int32_t x = p->x + u->lx, y = p->y + u->view_dy, z = p->z + u->lz;
    char here[64], below[64], who[200] = "", depth[48], holds[300];
    BlockId at = world_get_block(w, x, y, z);
    const BlockDef *def = blocks_get(game_blocks(u->g), at);
    label_of(u, at, here, sizeof here);
    char text[640];
    if (render_block_is_open(def)) {
        int d = 1;
        BlockId b = BLOCK_AIR;
        for (; d <= RENDER_LOOK_DOWN; d++) {
            b = world_get_block(w, x, y - d, z);
            if (!render_block_is_open(blocks_get(game_blocks(u->g), b)))
                break;
        }
        char what[64];
        if (d <= RENDER_LOOK_DOWN)
            snprintf(below, sizeof below, "%s %d level%s down", label_of(u, b, what, sizeof what), d, d == 1 ? "" : "s");
        else
            snprintf(below, sizeof below, "nothing within %d levels", RENDER_LOOK_DOWN);
        panel_depth_words(u->g, x, y, z, depth, sizeof depth);
        snprintf(text, sizeof text, "(%d, %d, %d, %s) %s here; below: %s", x, y, z, depth, at ? here : "open air",
                 below);
    } else {
        panel_depth_words(u->g, x, y, z, depth, sizeof depth);
        /* Inside the rock the map draws stone whatever is there: looking says no more. */
        Layout Ls = screen_main_layout();
        int scol = Ls.map_w / 2 + u->lx, srow = Ls.map_h / 2 + u->lz;
        int unseen = u->cells && !u->cells_section && scol >= 0 && srow >= 0 && scol < Ls.map_w && srow < Ls.map_h &&
                     u->cells[srow * Ls.map_w + scol].unseen;
        if (unseen)
            snprintf(text, sizeof text, "(%d, %d, %d, %s) rock at this level (solid; what lies inside it is not seen "
                                        "until you dig to it)", x, y, z, depth);
        else if (inventory_chest_words(u->g, x, y, z, holds, sizeof holds))
            snprintf(text, sizeof text, "(%d, %d, %d, %s) %s at this level (solid); it holds %s", x, y, z, depth, here,
                     holds);
        else /* a flower, a torch, a door: not solid, walked through or into */
            snprintf(text, sizeof text, "(%d, %d, %d, %s) %s at this level%s", x, y, z, depth, here,
                     def->solid ? " (solid)" : "");
    }
    /* Someone standing here or just below? */
    Layout L = screen_main_layout();
    int col = L.map_w / 2 + u->lx, row = L.map_h / 2 + u->lz;
    if (u->cells && col >= 0 && row >= 0 && col < L.map_w && row < L.map_h) {
        const RenderCell *c = &u->cells[row * L.map_w + col];
        Seen e;
        if (c->is_entity && panel_entity_at(&u->panel, u->g, x, y - c->depth, z, &e)) {
            e.dx = u->lx;
            e.dz = u->lz;
            e.dist = abs(u->lx) > abs(u->lz) ? abs(u->lx) : abs(u->lz);
            char opinion[160];
            /* A villager's opinion of you, and why; a creature's health and temper. */
            if (e.kind == SEEN_VILLAGER && npc_describe(u->g, x, y, z, opinion, sizeof opinion) == 1)
                snprintf(who, sizeof who, "%s", opinion);
            else
                panel_seen_words(&e, who, sizeof who);
        }
    }
    if (u->lx == 0 && u->lz == 0 && u->view_dy == 0)
        snprintf(who, sizeof who, "you");
    /* Who stands there comes first: on a narrow terminal the end of the line is cut. */
    if (who[0]) {
        char where[400];
        snprintf(where, sizeof where, "%s", text);
        snprintf(text, sizeof text, "%s — %s", who, where);
    }
    size_t len;
    /* A block or villager an agent changed says which entry did (the chronicle has the why). */
    char why[160] = "";
    int32_t py = y;
    if (render_block_is_open(def))
        for (int d = 1; d <= RENDER_LOOK_DOWN && render_block_is_open(blocks_get(game_blocks(u->g), world_get_block(w, x, py, z))); d++)
            py--;
    /* Someone standing there: their own entry only (the floor under a villager had named the
     * agent's house as if it were about them). */
    CreatureRef ref;
    int someone = who[0] && strcmp(who, "you") != 0;
    if (someone && creature_at(u->g, x, y, z, 0, &ref, NULL) == 1) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(ref.entity, "id");
        if (cJSON_IsString(id))
            evolution_entity_provenance(u->s, p->world_id, id->valuestring, why, sizeof why);
    }
    if (!why[0] && !someone)
        evolution_block_provenance(u->s, p->world_id, x, py, z, why, sizeof why);
    if (why[0]) {
        len = strlen(text);
        snprintf(text + len, sizeof text - len, " [%s]", why);
    }
    snprintf(u->status, sizeof u->status, "%s", text);
    if (log_it)
        log_add(&u->log, SEV_INFO, (long)game_clock(u->g), "%s", text);
}

/* ---- the LLM, between keys (src/agents/agents_llm.h) ---- */
static void llm_said(AgentsLlmNote kind, const char *text, void *ud)
{
    MainUi *u = ud;
    long turn = (long)game_clock(u->g);
    if (kind == AGENTS_LLM_REWROTE)
        log_add(&u->log, SEV_INFO, turn, "In the world: %s", text);
    else
        log_add(&u->log, SEV_INFO, turn, "%s", text);
    u->llm_news = 1;
}

/* Called by term_getkey before it waits for a key: asks for a line when a talk began, takes what came back. */
static int llm_idle(void *ud)
{
    MainUi *u = ud;
    if (!u->llm)
        return TERM_IDLE_BLOCK;
    Err err = {0};
    if (u->llm_talk) {
        u->llm_talk = 0;
        if (agents_llm_talk(u->llm, u->g, llm_said, u, &err) < 0)
            log_add(&u->log, SEV_BAD, (long)game_clock(u->g), "%s", err.msg);
    }
    if (agents_llm_poll(u->llm, u->g, game_clock(u->g), llm_said, u, &err) < 0)
        log_add(&u->log, SEV_BAD, (long)game_clock(u->g), "%s", err.msg);
    if (u->llm_news && u->at_map) {
        u->llm_news = 0;
        return TERM_IDLE_REDRAW;
    }
    return agents_llm_pending(u->llm) > 0 ? TERM_IDLE_POLL : TERM_IDLE_BLOCK;
}

/* Between keys: the LLM's answers and a sync that finished. The network never makes a key wait. */
static int main_idle(void *ud)
{
    MainUi *u = ud;
    int r = llm_idle(u);
    if (u->sync) {
        sync_poll(u);
        if (u->sync_news && u->at_map) {
            u->sync_news = 0;
            return TERM_IDLE_REDRAW;
        }
        if (r == TERM_IDLE_BLOCK && sync_session_busy(u->sync))
            r = TERM_IDLE_POLL;
    }
    return r;
}

int screen_main_run(Save *s, Game *g)
{
    MainUi u = {.s = s, .g = g};
    const Player *p = game_player(g);
    panel_init(&u.panel, g);
    quest_tracked(g, u.panel.tracked, sizeof u.panel.tracked); /* as the last session left it */
    /* The messages of earlier sessions, as they were left. */
    Err lerr = {0};
    int returning = 0; /* this character has played before: its messages are in the save */
    if (log_load(&u.log, s, p->character_id, LOG_KEEP_IN_SAVE, &lerr) != MA_OK)
        log_add(&u.log, SEV_WARN, (long)game_clock(g), "The earlier messages could not be read: %s", lerr.msg);
    else if ((returning = u.log.n > 0)) {
        log_add(&u.log, SEV_INFO, (long)game_clock(g), "-- Earlier messages above (M: the history) --");
        u.log.lines[u.log.n - 1].id = -1; /* this session's marker, not a message to keep */
    }
    char warning[1024];
    autobackup_start(&u.backup, g, warning, sizeof warning);
    if (warning[0])
        log_add(&u.log, SEV_WARN, (long)game_clock(g), "Backups: %s", warning);
    if (game_is_night(g))
        log_add(&u.log, SEV_INFO, (long)game_clock(g), "It is night: you see less far.");
    /* The living world: catch up, and tell in a line what happened since this character last looked. */
    if (launch_agents_wanted()) {
        ActionResult away;
        Err err = {0};
        if (agents_attach(g, &u.agents, &away, &err) != MA_OK)
            log_add(&u.log, SEV_WARN, (long)game_clock(g), "The world's agents could not start: %s", err.msg);
    }
    char news[1][160];
    int64_t newest = 0, seen = agents_chronicle_seen(g);
    int n_news = evolution_news(s, p->world_id, seen, news, 1, &newest);
    if (n_news > 0)
        log_add(&u.log, SEV_INFO, (long)game_clock(g), "%s %s%s (H: the chronicle%s)",
                seen > 0 ? "While you were away:" : "In the world:", news[0], n_news > 1 ? ", and more" : "",
                n_news > 1 ? " has them all" : "");
    const ActionResult *started = game_started(g);
    for (int i = 0; i < started->n_events; i++)
        log_add(&u.log, started->events[i].severity, (long)game_clock(g), "%s", started->events[i].text);
    if (returning)
        log_add(&u.log, SEV_GOOD, (long)game_clock(g), "Welcome back to %s, %s.", p->world_name, p->name);
    else
        log_add(&u.log, SEV_GOOD, (long)game_clock(g), "Welcome, %s, to %s. Press ? for the keys.", p->name,
                p->world_name);
    char story[64];
    /* A character played before only by `play --script` has no messages yet, but its story goes on. */
    if (story_focus_title(g, story, sizeof story))
        log_add(&u.log, SEV_GOOD, (long)game_clock(g),
                returning || game_clock(g) > 0 ? "Your story goes on: %s. Press s to read it."
                                               : "A story waits for you: %s. Press s to read it.",
                story);
    char note[700];
    u.llm = launch_llm_open(g, note, sizeof note);
    if (note[0])
        log_add(&u.log, SEV_WARN, (long)game_clock(g), "%s", note);
    /* A shared world syncs in the background: now, after actions now and then, and on O. */
    u.sync = sync_session_open(s, game_world(g), p->character_id);
    if (u.sync)
        screen_main_sync_now(&u, 1);
    if (u.llm || u.sync)
        term_set_idle(main_idle, &u, 100);
    if (u.llm && u.agents)
        agents_llm_attach(u.agents, u.llm);
    int result = 0;
    /* For `bench client`: leave after this many screens have been drawn. */
    const char *bench = getenv("MAGIC_BENCH_EXIT_AFTER_DRAWS");
    long draws_left = bench ? atol(bench) : 0;
    /* ... and write the CPU time of each draw there (nanoseconds, a line each). */
    const char *report_path = getenv("MAGIC_BENCH_REPORT");
    FILE *report = report_path ? fopen(report_path, "w") : NULL;
    for (;;) {
        /* What the log says is kept for the next session; a failure here is not worth a line. */
        log_keep(&u.log, s, game_player(g)->character_id, NULL);
        if (u.mode != MODE_LOOK)
            u.status[0] = '\0';
        if (report) {
            draw_timed(&u, report);
        } else {
            screen_main_draw(&u);
        }
        if (bench && --draws_left <= 0)
            break;
        u.at_map = 1;
        int ch = term_getkey();
        u.at_map = 0;
        if (ch == TERM_KEY_SIGNAL) {
            result = -2;
            break;
        }
        if (ch == KEY_RESIZE || COLS < TERM_MIN_COLS || LINES < TERM_MIN_ROWS)
            continue; /* redraw; keys mean nothing while the screen is too small */
        if (keys_lookup(ch, KCTX_ANY, NULL) == KC_REDRAW) {
            clearok(curscr, TRUE);
            continue;
        }
        if (u.mode == MODE_DIR) {
            screen_main_key_dir(&u, ch);
        } else if (u.mode == MODE_LOOK) {
            screen_main_key_look(&u, ch);
        } else {
            int q = screen_main_key_map(&u, ch);
            if (q) {
                result = q == 1 ? 0 : -2;
                break;
            }
        }
        /* Any key may have acted (a move, a talk, a choice, travel): the panel reads the quest and
         * the story again. After the key, not before: a screen the key opened (talk) may have
         * drawn the map under it, and read them, before its choice was made. */
        panel_mark_stale(&u.panel);
    }
    if (report)
        fclose(report);
    log_keep(&u.log, s, game_player(g)->character_id, NULL);
    /* What was shown in the log this session is not news next time. */
    if (evolution_news(s, game_player(g)->world_id, agents_chronicle_seen(g), news, 0, &newest) >= 0 && newest > 0)
        agents_chronicle_mark(g, newest, NULL);
    term_set_idle(NULL, NULL, 0);
    if (u.agents)
        agents_llm_attach(u.agents, NULL);
    agents_llm_close(u.llm); /* cancels what is in flight */
    sync_session_close(u.sync); /* likewise: its ops wait in the save for the next sync */
    agents_detach(g, u.agents);
    free(u.cells);
    panel_free(&u.panel);
    log_free(&u.log);
    return result;
}
