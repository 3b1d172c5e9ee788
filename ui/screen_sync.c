/* screen_sync.c — the sync screen (key `o` on the map of a shared world): the state line of
 * the sidebar in full, then every open conflict with where it is and what each side holds. A
 * conflict chosen with Enter asks: re-apply mine (a new change, pushed at the next sync), keep
 * theirs (what the world shows already), or decide later. */
#include "screen_sync.h"
#include "screen_lists.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int settle(Save *s, World *w, SyncSession *ss, int64_t id, int mine, MsgLog *log, long turn)
{
    sync_session_changed(ss);
    Err err = {0};
    int rc = save_begin(s, &err);
    if (rc == MA_OK) {
        rc = mine ? sync_conflict_mine(s, w, id, &err) : sync_conflict_theirs(s, id, &err);
        if (rc == MA_OK)
            rc = save_commit(s, &err);
        if (rc != MA_OK) {
            save_rollback(s);
            world_forget(w);
        }
    }
    if (rc != MA_OK)
        log_add(log, SEV_BAD, turn, "%s", err.msg);
    else if (mine)
        log_add(log, SEV_GOOD, turn, "Conflict %lld: yours is back, and goes to the server at the next sync.", (long long)id);
    else
        log_add(log, SEV_INFO, turn, "Conflict %lld: the server's stands.", (long long)id);
    return rc;
}

int screen_sync_run(Save *s, World *w, SyncSession *ss, MsgLog *log, long turn)
{
    for (;;) {
        char line[160], title[240];
        sync_session_line(ss, line, sizeof line);
        SyncConflict *cs = NULL;
        int n = 0;
        Err err = {0};
        if (synclog_conflicts(s, world_id(w), 1, &cs, &n, &err) != MA_OK) {
            screen_message("Sync", err.msg);
            return 0;
        }
        if (n == 0) {
            snprintf(title, sizeof title, "Sync: %s.\n\nNo conflicts: everything you and the others did stands. "
                     "O syncs now.", line);
            screen_message("Sync", title);
            return 0;
        }
        ListItem *items = calloc((size_t)n, sizeof *items);
        if (!items) {
            synclog_conflicts_free(cs, n);
            return 0;
        }
        for (int i = 0; i < n; i++) {
            sync_conflict_describe(&cs[i], items[i].text, sizeof items[i].text);
            snprintf(items[i].detail, sizeof items[i].detail, "#%lld %.10s", (long long)cs[i].id, cs[i].created_at);
        }
        snprintf(title, sizeof title, "Sync: %s. %d conflict%s: the server's stands in the world; yours is kept here",
                 line, n, n == 1 ? "" : "s");
        ListSpec spec = {.title = title, .hint = "Enter: re-apply mine or keep theirs   Esc: back", .items = items,
                         .n = n, .lettered = 1, .selectable = 1, .help_ctx = KCTX_LIST};
        int pick = list_run(&spec);
        free(items);
        if (pick < 0) {
            synclog_conflicts_free(cs, n);
            return pick == -2 ? -2 : 0;
        }
        char what[200];
        sync_conflict_describe(&cs[pick], what, sizeof what);
        int64_t id = cs[pick].id;
        int can_mine = strcmp(cs[pick].kind, "block") == 0 || strcmp(cs[pick].kind, "meta") == 0 ||
                       strcmp(cs[pick].kind, "character") == 0 || strcmp(cs[pick].kind, "quest_progress") == 0;
        synclog_conflicts_free(cs, n);
        ListItem choice[3];
        memset(choice, 0, sizeof choice);
        int k = 0, mine_at = -1, theirs_at;
        if (can_mine) {
            snprintf(choice[k].text, sizeof choice[k].text, "Re-apply mine (pushed at the next sync)");
            mine_at = k++;
        }
        snprintf(choice[k].text, sizeof choice[k].text, "Keep theirs (what the world shows now)");
        theirs_at = k++;
        snprintf(choice[k].text, sizeof choice[k].text, "Decide later");
        k++;
        ListSpec ask = {.title = what, .items = choice, .n = k, .lettered = 1, .selectable = 1, .help_ctx = KCTX_LIST};
        int c = list_run(&ask);
        if (c == -2)
            return -2;
        if (c == mine_at || c == theirs_at)
            settle(s, w, ss, id, c == mine_at, log, turn);
    }
}
