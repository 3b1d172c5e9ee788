/* cli_sync.c — `magic-adventure sync ...`: sharing worlds through a sync server
 * (docs/sync-protocol.md; README, "The sync server").
 *
 *   sync register|login --server URL --user NAME   the password from the terminal (not echoed) or stdin
 *   sync logout [--server URL]
 *   sync --world W                  push what waits, then pull what others did (a progress bar on a terminal)
 *   sync status --world W           what waits, the cursor, the last try, the conflicts
 *   sync share --world W [--server URL]   upload a local world
 *   sync invite --world W USER      (the owner) let USER play it
 *   sync get --server URL WORLD     download a world one owns or was invited to
 *   sync conflicts --world W [--all] [--mine N | --theirs N]
 *
 * Network requests run on the worker thread (src/net/worker.c) while this thread draws the
 * progress; only this thread touches the save. This file holds the command's table, running a
 * job and the helpers the parts share; the accounts are in cli_sync_account.c, the worlds in
 * cli_sync_world.c. */
#include "cli_sync_internal.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net/http.h"
#include "net/worker.h"

static const char *prog = "magic-adventure";

/* ------------------------------------------------------------ running a job */

static void draw_progress(const SyncJob *j, int tty, int *last_phase)
{
    int phase = atomic_load(&j->phase), pushed = atomic_load(&j->pushed), total = atomic_load(&j->total);
    int pulled = atomic_load(&j->pulled);
    if (!tty) {
        if (phase != *last_phase) {
            if (phase == SYNC_PHASE_PUSHING)
                fprintf(stderr, "pushing %d change%s\n", total, total == 1 ? "" : "s");
            else if (phase == SYNC_PHASE_PULLING)
                fprintf(stderr, "pulling\n");
            *last_phase = phase;
        }
        return;
    }
    char bar[33];
    int width = 30, filled = 0;
    if (phase == SYNC_PHASE_PUSHING)
        filled = total > 0 ? pushed * width / total : width;
    else if (phase >= SYNC_PHASE_PULLING)
        filled = width;
    for (int i = 0; i < width; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    if (phase == SYNC_PHASE_PUSHING)
        fprintf(stderr, "\r[%s] pushed %d/%d      ", bar, pushed, total);
    else if (phase == SYNC_PHASE_PULLING)
        fprintf(stderr, "\r[%s] pulled %d       ", bar, pulled);
    else
        fprintf(stderr, "\r[%s] connecting       ", bar);
    fflush(stderr);
    *last_phase = phase;
}

/* Runs the job on the worker thread, drawing its progress here when asked. Returns job->rc. */
int cli_sync_run_job(SyncJob *j, int progress)
{
    http_global_init(); /* libcurl's set-up on this thread, before the worker's first request */
    Worker *w = worker_new(sync_job_run, NULL, NULL, 1);
    if (!w || worker_submit(w, j) != 0) {
        worker_free(w);
        sync_job_run(j, NULL, NULL); /* no thread to be had: the command may wait anyway */
        return j->rc;
    }
    int tty = isatty(STDERR_FILENO), last = -1;
    while (!worker_take(w)) {
        worker_wait(w, 100);
        if (progress)
            draw_progress(j, tty, &last);
    }
    if (progress && tty)
        fprintf(stderr, "\r%60s\r", "");
    worker_free(w);
    return j->rc;
}

/* ------------------------------------------------------------ small helpers */

/* The options of `sync SUB` (each subcommand takes the ones its table entry names). */
static int sync_opts(CliCtx *ctx, CliSyncOpts *o)
{
    memset(o, 0, sizeof *o);
    o->mine = o->theirs = -1;
    for (int i = 0; i < CLI_MAX_OPTS && ctx->cmd->opts[i].name; i++) {
        const char *name = ctx->cmd->opts[i].name, *v = ctx->value[i];
        if (!v)
            continue;
        if (strcmp(name, "server") == 0)
            o->server = v;
        else if (strcmp(name, "user") == 0)
            o->user = v;
        else if (strcmp(name, "world") == 0)
            o->world = v;
        else if (strcmp(name, "email") == 0)
            o->email = v;
        else if (strcmp(name, "all") == 0)
            o->all = 1;
        else if (cli_parse_i64(v, name[0] == 'm' ? &o->mine : &o->theirs) != 0 ||
                 (name[0] == 'm' ? o->mine : o->theirs) < 1)
            return cli_usage_error(ctx, "--%s needs a conflict number (see `sync conflicts`)", name);
    }
    for (int i = 1; i < ctx->argc && o->nargs < 4; i++)
        o->args[o->nargs++] = ctx->argv[i];
    return CLI_OK;
}

/* "http://host:8787/" -> "http://host:8787"; refuses anything else than http(s). */
int cli_sync_server_url(const CliCtx *ctx, const char *in, char *out, size_t size)
{
    if (!in || !*in)
        return cli_usage_error(ctx, "--server URL is needed (for example http://127.0.0.1:8787)");
    if (strncmp(in, "http://", 7) != 0 && strncmp(in, "https://", 8) != 0)
        return cli_usage_error(ctx, "the server's address must start with http:// or https:// (got '%s')", in);
    if (strlen(in) >= size)
        return cli_usage_error(ctx, "the server's address is too long");
    snprintf(out, size, "%s", in);
    size_t n = strlen(out);
    while (n > 8 && out[n - 1] == '/')
        out[--n] = '\0';
    return CLI_OK;
}

int cli_sync_fail(const char *fmt, const char *a)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, cli_safe(a));
    fputc('\n', stderr);
    return CLI_FAIL;
}

/* One unit of work: begin, fn, commit (or roll back). */
int cli_sync_in_tx(Save *s, int (*fn)(Save *, void *, Err *), void *ud, Err *err)
{
    int rc = save_begin(s, err);
    if (rc != MA_OK)
        return rc;
    rc = fn(s, ud, err);
    if (rc == MA_OK)
        rc = save_commit(s, err);
    if (rc != MA_OK)
        save_rollback(s);
    return rc;
}

/* ------------------------------------------------------------ the command */

/* Runs `sync SUB` (the entry's name; "" is `sync --world W`). */
static int cmd_sync(CliCtx *ctx)
{
    const char *sub = ctx->cmd->name;
    CliSyncOpts o;
    int rc = sync_opts(ctx, &o);
    if (rc != CLI_OK)
        return rc;
    if (!sub[0])
        return cli_sync_push_pull(ctx, &o);
    if (strcmp(sub, "login") == 0 || strcmp(sub, "register") == 0)
        return cli_sync_login(ctx, &o, strcmp(sub, "register") == 0);
    if (strcmp(sub, "logout") == 0)
        return cli_sync_logout(ctx, &o);
    if (strcmp(sub, "status") == 0)
        return cli_sync_status(ctx, &o);
    if (strcmp(sub, "share") == 0)
        return cli_sync_share(ctx, &o);
    if (strcmp(sub, "invite") == 0)
        return cli_sync_invite(ctx, &o);
    if (strcmp(sub, "get") == 0)
        return cli_sync_get(ctx, &o);
    return cli_sync_conflicts(ctx, &o);
}

#define SYNC_SERVER {"server", 0, "URL", "the sync server (http:// or https://)"}
#define SYNC_USER {"user", 0, "NAME", "your name on the server"}
static const CliCommand sync_subs[] = {
    {"login", "--server URL --user NAME", "sign in (the password from the terminal or stdin)", cmd_sync, 0,
     {SYNC_SERVER, SYNC_USER, {"email", 0, "ADDRESS", "accepted, not used"}}, NULL},
    {"register", "--server URL --user NAME", "make an account and sign in", cmd_sync, 0,
     {SYNC_SERVER, SYNC_USER, {"email", 0, "ADDRESS", "accepted, not used"}}, NULL},
    {"", "--world W", "push the world's changes and pull the others'", cmd_sync, 0, {CLI_OPT_WORLD}, NULL},
    {"status", "--world W", "what waits to be pushed and pulled", cmd_sync, 0, {CLI_OPT_WORLD}, NULL},
    {"share", "--world W", "put the world on the server", cmd_sync, 0, {CLI_OPT_WORLD, SYNC_SERVER, SYNC_USER}, NULL},
    {"invite", "--world W USER", "let USER play the shared world", cmd_sync, 1, {CLI_OPT_WORLD}, NULL},
    {"get", "--server URL WORLD", "make a shared WORLD here and pull it", cmd_sync, 1, {SYNC_SERVER, SYNC_USER}, NULL},
    {"conflicts", "--world W [--mine N | --theirs N]", "what conflicted, and settling it", cmd_sync, 0,
     {CLI_OPT_WORLD,
      {"mine", 0, "N", "settle conflict N with this machine's version"},
      {"theirs", 0, "N", "settle conflict N with the server's version"},
      {"all", 0, NULL, "list the settled conflicts too"}},
     NULL},
    {"logout", "", "forget the sign-in", cmd_sync, 0, {SYNC_SERVER, SYNC_USER}, NULL},
    {NULL, NULL, NULL, NULL, 0, {{0}}, NULL},
};
const CliCommand cli_cmd_sync = {
    "sync", NULL,
    "share worlds through a sync server: sign in (the password from the terminal or stdin), push and pull, see what "
    "waits and what conflicted",
    NULL, 0, {{0}}, sync_subs,
};
