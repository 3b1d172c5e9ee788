/* cli_sync_internal.h — for the parts of `magic-adventure sync` only (cli_sync.c: the command's
 * table, running a job on the worker thread, the shared helpers; cli_sync_account.c: register,
 * login, logout; cli_sync_world.c: sync, status, conflicts, share, invite, get). */
#ifndef MA_UI_CLI_SYNC_INTERNAL_H
#define MA_UI_CLI_SYNC_INTERNAL_H

#include <stddef.h>

#include "cli.h"
#include "save/synclog.h"
#include "sync/sync.h"

/* The options of one `sync SUB` (cli_sync.c reads the ones its table entry names). */
typedef struct CliSyncOpts {
    const char *server, *user, *world, *email;
    long long mine, theirs;
    int all;
    const char *args[4];
    int nargs;
} CliSyncOpts;

/* Runs the job on the worker thread, drawing its progress on stderr when asked. Returns job->rc. */
int cli_sync_run_job(SyncJob *j, int progress);
/* "http://host:8787/" -> "http://host:8787" in out; refuses anything else than http(s) with a
 * usage error. Returns CLI_OK or CLI_USAGE. */
int cli_sync_server_url(const CliCtx *ctx, const char *in, char *out, size_t size);
/* Prints "magic-adventure: " and fmt with a (made safe to print). Returns CLI_FAIL. */
int cli_sync_fail(const char *fmt, const char *a);
/* One unit of work: begin, fn, commit (or roll back). Returns fn's status or the save's. */
int cli_sync_in_tx(Save *s, int (*fn)(Save *, void *, Err *), void *ud, Err *err);

/* cli_sync_account.c */
int cli_sync_login(CliCtx *ctx, const CliSyncOpts *o, int reg);
int cli_sync_logout(CliCtx *ctx, const CliSyncOpts *o);
/* The signed-in account for --server/--user (either may be absent when the save holds one) into
 * *a; a message and CLI_FAIL (or CLI_USAGE) when there is none or it is signed out. */
int cli_sync_account_for(CliCtx *ctx, Save *s, const CliSyncOpts *o, SyncAccount *a);

/* cli_sync_world.c */
int cli_sync_push_pull(CliCtx *ctx, const CliSyncOpts *o);
int cli_sync_status(CliCtx *ctx, const CliSyncOpts *o);
int cli_sync_conflicts(CliCtx *ctx, const CliSyncOpts *o);
int cli_sync_share(CliCtx *ctx, const CliSyncOpts *o);
int cli_sync_invite(CliCtx *ctx, const CliSyncOpts *o);
int cli_sync_get(CliCtx *ctx, const CliSyncOpts *o);

#endif
