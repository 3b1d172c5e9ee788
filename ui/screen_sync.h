/* screen_sync.h — the sync screen of a shared world: where it stands, and the conflicts. */
#ifndef MA_UI_SCREEN_SYNC_H
#define MA_UI_SCREEN_SYNC_H

#include "screen_log.h"
#include "sync/sync.h"

/* Shows the world's sync state and its open conflicts (where, mine against theirs); Enter on
 * one re-applies mine or keeps theirs, each in a transaction of its own. Returns at Esc (0) or
 * on a signal (-2). The world's cache is written and read through w. */
int screen_sync_run(Save *s, World *w, SyncSession *ss, MsgLog *log, long turn);

#endif
