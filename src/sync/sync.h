/* sync.h — the game's side of online sync (docs/sync-protocol.md, README "The sync server").
 *
 * A sync is three steps, so that the game never waits on the network and only the main thread
 * touches the save:
 *
 *   1. sync_prepare (main thread, in the caller's transaction): the ops waiting in the world's
 *      change log (save/synclog.h) are built from the rows and sealed — each keeps its op id and
 *      body from then on, so a push retried after a cut or a crash is applied once.
 *   2. sync_job_run (a worker thread, no save): push the sealed ops in batches, then pull every
 *      change since the cursor. src/net/sync_client.h does the talking.
 *   3. sync_take (main thread, in the caller's transaction): the answers come off the log (a
 *      conflict is kept in sync_conflicts with the server's value taken), and what was pulled is
 *      merged into the save: chunks block by block against the common base (our own edits still
 *      waiting are laid again over the server's chunk), other players' characters as theirs,
 *      histories of relationships by entry id, quest progress by the server's rules, append-only
 *      entries kept by id. The caller then drops its World's cache (world_forget).
 *
 * The CLI (ui/cli_sync.c) and the client (ui/screen_sync.c, sync_session) both go through
 * these. Nothing here prints; errors come back as MaStatus with an Err in words. */
#ifndef MA_SYNC_SYNC_H
#define MA_SYNC_SYNC_H

#include <stdatomic.h>
#include <stdint.h>

#include <cJSON.h>

#include "save/save.h"
#include "net/sync_client.h"
#include "save/synclog.h"
#include "util/err.h"
#include "world/world.h"

/* ------------------------------------------------------------ the network job */

typedef enum SyncJobKind {
    SYNC_JOB_REGISTER,     /* username, password */
    SYNC_JOB_LOGIN,        /* username, password -> login */
    SYNC_JOB_CREATE_WORLD, /* world -> remote_id (409: a world of ours with that name is looked up) */
    SYNC_JOB_LIST_WORLDS,  /* -> worlds */
    SYNC_JOB_INVITE,       /* remote_id, invitee */
    SYNC_JOB_SYNC,         /* remote_id, ops, cursor -> results, changes, cursor_out */
} SyncJobKind;

typedef enum SyncPhase { SYNC_PHASE_WAITING, SYNC_PHASE_PUSHING, SYNC_PHASE_PULLING, SYNC_PHASE_DONE } SyncPhase;

typedef struct SyncJob {
    SyncJobKind kind;
    /* in */
    char url[256];
    char token[65];
    char username[65];
    char password[128];     /* wiped once sent */
    char invitee[65];
    int64_t remote_id;
    int64_t cursor;
    cJSON *world;           /* owned: CREATE_WORLD's body */
    cJSON *ops;             /* owned: SYNC's sealed ops, in push order */
    int retries;            /* extra tries of a failed request (default 3) */
    long timeout_ms;        /* a whole request (default 30 s) */
    /* progress, read by the main thread while the job runs */
    atomic_int phase;       /* SyncPhase */
    atomic_int pushed;      /* ops answered so far */
    atomic_int total;       /* ops to push */
    atomic_int pulled;      /* rows pulled so far */
    /* out */
    int rc;                 /* MA_OK or the first failure */
    Err err;
    int http_status;        /* of the failing request, 0 when none came */
    int bad_op;             /* SYNC: index in ops of an op the server refused whole (400), else -1 */
    SyncLogin login;
    int64_t new_id;
    cJSON *worlds;          /* owned: LIST_WORLDS, and CREATE_WORLD when adopting */
    cJSON *results;         /* owned: SYNC's answers, one per op answered (a prefix of ops) */
    cJSON *changes;         /* owned: SYNC's pulled rows; NULL when the pull did not finish */
    int64_t cursor_out;
    int more_waiting;       /* SYNC: the pull stopped at its most rows a sync, more wait on the server */
} SyncJob;

/* A job of that kind (zeroed, retries 3); NULL when out of memory. */
SyncJob *sync_job_new(SyncJobKind kind);
void sync_job_free(SyncJob *j);
/* Runs the job (blocking: call it on a worker, or from a command that may wait). cancel may be
 * NULL. A WorkerRunFn. */
void sync_job_run(void *job, const atomic_int *cancel, void *ctx);
/* The worker's free function. */
void sync_job_free_any(void *job);

/* ------------------------------------------------------------ a sync: prepare, take */

typedef struct SyncPlan {
    int64_t world_id;
    SyncWorld sw;
    SyncAccount account;
    cJSON *ops;      /* owned: every sealed op not yet answered, in push order */
    int sealed_now;  /* ops sealed by this prepare */
} SyncPlan;

/* Seals the ops waiting for world_id and gathers every op not yet answered. Inside the caller's
 * transaction. MA_ERR_NOT_FOUND when the world is not synced; MA_ERR_INVALID when its account
 * has no token (the message says to log in). */
int sync_prepare(Save *s, int64_t world_id, SyncPlan *plan, Err *err);
void sync_plan_clear(SyncPlan *plan);
/* A SYNC job for the plan (takes plan->ops). NULL when out of memory. */
SyncJob *sync_plan_job(SyncPlan *plan);

typedef struct SyncReport {
    int pushed;           /* ops answered */
    int applied;          /* ... applied as sent (or merged) */
    int conflicts;        /* ... with a conflict kept */
    int rejected;         /* ... refused (kept as a conflict too) */
    int pulled;           /* rows pulled */
    int chunks, characters, relationships, quests, entries; /* pulled rows that changed the save */
    int skipped;          /* pulled rows this save cannot hold (a quest it does not know ...) */
    int new_conflicts;    /* conflicts kept by this sync */
    int waiting;          /* ops still waiting after it */
    int offline;          /* the server could not be reached */
    int more_waiting;     /* the pull stopped at its most rows a sync: more wait on the server */
} SyncReport;

/* Takes a finished SYNC job into the save (inside the caller's transaction): the answers off
 * the log, conflicts kept, the pull merged, the cursor moved, the try noted (with the job's error
 * when it failed: a refused token is forgotten). playing: the character id being played right
 * now in this process (its row is not overwritten from the server; 0 for none). w: the world
 * open on the save (its chunks are the merge's base); the caller calls world_forget(w) after
 * committing. Returns MA_OK unless the save failed; the job's own failure is in job->rc and
 * in the report. */
int sync_take(Save *s, World *w, SyncJob *job, int64_t playing, SyncReport *rep, Err *err);

/* ------------------------------------------------------------ sharing and getting a world */

/* After the server made the world (remote_id): marks the local world synced for the account
 * and records its whole state into the change log (chunks that differ from the generator,
 * characters, relationships, quest progress, evolution entries, story choices). In the
 * caller's transaction; turns recording on in w. */
int sync_share_record(Save *s, World *w, int64_t account_id, int64_t remote_id, int64_t user_id, Err *err);

/* Makes the local copy of a server world (an entry of GET /v1/worlds) for the account, whose
 * player plays as the local user of the same name (made when missing). *world_id: the new
 * world. In the caller's transaction. MA_ERR_CONSTRAINT when a world of that name exists here. */
int sync_get_create(Save *s, const cJSON *remote, const SyncAccount *account, int64_t *world_id, Err *err);

/* ------------------------------------------------------------ conflicts */

/* Re-applies our side of an open conflict (a block or metadata set back to ours, a villager's
 * row or a quest's status written back as ours): a new change, recorded to be pushed at the
 * next sync. In the caller's transaction; w is the conflict's world. MA_ERR_INVALID for a kind
 * that cannot be re-applied (the message says why). */
int sync_conflict_mine(Save *s, World *w, int64_t conflict_id, Err *err);
/* Lets the server's side stand (it already does in the save): the conflict is closed. */
int sync_conflict_theirs(Save *s, int64_t conflict_id, Err *err);
/* One line about a conflict: "block 17,65,-3: mine stone, theirs planks (base air)". */
void sync_conflict_describe(const SyncConflict *c, char *buf, size_t size);

/* The sidebar's words for a world: "synced 2 min ago", "3 changes waiting", "offline (3 waiting)",
 * "2 conflicts (o)"; "" when the world is not synced. now: time(NULL). */
void sync_status_line(Save *s, int64_t world_id, long long now, char *buf, size_t size);

#endif

/* ------------------------------------------------------------ a sync in the background */

/* The client's sync of the world being played: prepared and taken on the main thread (each a
 * transaction of its own, between actions), the network on a worker. The game never waits. */
typedef struct SyncSession SyncSession;

/* NULL when the world is not shared (or out of memory). s and w are borrowed; playing is the
 * character played (its row is not overwritten by a pull while it is played). */
SyncSession *sync_session_open(Save *s, World *w, int64_t playing);
/* Cancels what is in flight (it is pushed again at the next sync: nothing is lost). */
void sync_session_close(SyncSession *ss);
/* Starts a sync unless one runs: 0 started, 1 one is running already, or a negative status
 * (err says why: not signed in, the save ...). Never inside another transaction. */
int sync_session_start(SyncSession *ss, Err *err);
/* Starts one when changes wait and the last sync is older than every_s seconds (0 when none
 * was started). For after an action. */
int sync_session_maybe(SyncSession *ss, long every_s, Err *err);
/* Takes a finished sync into the save: 1 (rep filled; the job's error, if any, in note), 0 when
 * none has finished, or a negative status. */
int sync_session_poll(SyncSession *ss, SyncReport *rep, char *note, size_t size, Err *err);
int sync_session_busy(const SyncSession *ss);
/* The sidebar's words ("sending 120/500" while one runs, else sync_status_line, read from the
 * save at most once a second) and the open conflicts. */
void sync_session_line(SyncSession *ss, char *buf, size_t size);
int sync_session_conflicts(SyncSession *ss);
/* Something changed what the line says (an action, a conflict settled): read it again. */
void sync_session_changed(SyncSession *ss);
