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
 * progress; only this thread touches the save. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "net/http.h"
#include "net/worker.h"
#include "save/synclog.h"
#include "save/users.h"
#include "save/worlds.h"
#include "sync/sync.h"
#include "util/timeutil.h"
#include "world/world.h"

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
static int run_job(SyncJob *j, int progress)
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

/* ------------------------------------------------------------ passwords */

/* One line of password: from the terminal without echo, or from standard input. */
static int read_password(const char *prompt, char *buf, size_t size)
{
    int tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty) {
        fprintf(stderr, "%s", prompt);
        fflush(stderr);
        if (tcgetattr(STDIN_FILENO, &old) == 0) {
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            quiet.c_lflag |= ECHONL;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        } else {
            tty = 0;
        }
    }
    char *got = fgets(buf, (int)size, stdin);
    if (tty)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    if (!got)
        return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

/* ------------------------------------------------------------ small helpers */

typedef struct Opts {
    const char *server, *user, *world, *email;
    long long mine, theirs;
    int all;
    const char *args[4];
    int nargs;
} Opts;

/* The options of `sync SUB` (each subcommand takes the ones its table entry names). */
static int sync_opts(CliCtx *ctx, Opts *o)
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
static int server_url(const CliCtx *ctx, const char *in, char *out, size_t size)
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

static int fail_msg(const char *fmt, const char *a)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, cli_safe(a));
    fputc('\n', stderr);
    return CLI_FAIL;
}

/* One unit of work: begin, fn, commit (or roll back). */
static int in_tx(Save *s, int (*fn)(Save *, void *, Err *), void *ud, Err *err)
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

/* The save holds a bearer token from now on: it must be the user's alone. */
static void keep_private(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && (st.st_mode & 077)) {
        if (chmod(path, 0600) == 0)
            fprintf(stderr, "%s: %s was readable by others; it holds a sync token now, so it is mode 0600\n", prog,
                    cli_safe(path));
        else
            fprintf(stderr, "%s: warning: %s is readable by others and holds a sync token (chmod 600 it)\n", prog,
                    cli_safe(path));
    }
}

/* ------------------------------------------------------------ register, login, logout */

typedef struct LoginTx {
    const char *url, *user;
    SyncJob *job;
} LoginTx;

static int login_store(Save *s, void *ud, Err *err)
{
    LoginTx *t = ud;
    return synclog_account_put(s, t->url, t->user, t->job->login.user_id, t->job->login.token, t->job->login.expires_at,
                               NULL, err);
}

/* Signs in over the network first, then keeps the token in the save (opened, or made, only
 * then: a refused password leaves no file behind). */
static int do_login(CliCtx *ctx, const char *url, const char *user, const char *password)
{
    SyncJob *j = sync_job_new(SYNC_JOB_LOGIN);
    if (!j)
        return fail_msg("%s", "out of memory");
    snprintf(j->url, sizeof j->url, "%s", url);
    snprintf(j->username, sizeof j->username, "%s", user);
    snprintf(j->password, sizeof j->password, "%s", password);
    int status = CLI_OK;
    Save *s = NULL;
    if (run_job(j, 0) != MA_OK) {
        status = cli_fail(&j->err);
    } else if (!(s = cli_open_save(ctx, SAVE_CREATE))) {
        status = CLI_FAIL;
    } else {
        LoginTx t = {url, user, j};
        Err err = {0};
        if (in_tx(s, login_store, &t, &err) != MA_OK) {
            status = cli_fail(&err);
        } else {
            keep_private(ctx->save_path);
            printf("signed in to %s as %s until %s; the token is kept in %s (mode 0600), never the password\n",
                   cli_safe(url), cli_safe(user), cli_safe(j->login.expires_at), cli_safe(ctx->save_path));
        }
        save_close(s);
    }
    sync_job_free(j);
    return status;
}

static int cmd_login(CliCtx *ctx, const Opts *o, int reg)
{
    char url[256], pw[128], again[128];
    int rc = server_url(ctx, o->server, url, sizeof url);
    if (rc != CLI_OK)
        return rc;
    if (!o->user || !*o->user)
        return cli_usage_error(ctx, "--user NAME is needed");
    if (strlen(o->user) > 64)
        return cli_usage_error(ctx, "a user name is 1 to 64 characters");
    char prompt[400];
    snprintf(prompt, sizeof prompt, "Password for %s at %s: ", o->user, url);
    if (read_password(prompt, pw, sizeof pw) != 0)
        return cli_usage_error(ctx, "no password given (type it, or give it on standard input)");
    if (reg && isatty(STDIN_FILENO)) {
        if (read_password("The same password again: ", again, sizeof again) != 0 || strcmp(pw, again) != 0) {
            explicit_bzero(pw, sizeof pw);
            explicit_bzero(again, sizeof again);
            return fail_msg("%s", "the two passwords differ: nothing was registered");
        }
        explicit_bzero(again, sizeof again);
    }
    int status = CLI_OK;
    if (reg) {
        SyncJob *j = sync_job_new(SYNC_JOB_REGISTER);
        snprintf(j->url, sizeof j->url, "%s", url);
        snprintf(j->username, sizeof j->username, "%s", o->user);
        snprintf(j->password, sizeof j->password, "%s", pw);
        if (run_job(j, 0) != MA_OK)
            status = cli_fail(&j->err);
        else
            printf("registered %s at %s\n", cli_safe(o->user), cli_safe(url));
        sync_job_free(j);
    }
    if (status == CLI_OK)
        status = do_login(ctx, url, o->user, pw);
    explicit_bzero(pw, sizeof pw);
    return status;
}

typedef struct ForgetTx {
    int64_t id;
} ForgetTx;

static int forget(Save *s, void *ud, Err *err) { return synclog_account_forget_token(s, ((ForgetTx *)ud)->id, err); }

static int cmd_logout(CliCtx *ctx, const Opts *o)
{
    char url[256] = "";
    if (o->server && server_url(ctx, o->server, url, sizeof url) != CLI_OK)
        return CLI_USAGE;
    Save *s = cli_open_save(ctx, 0);
    if (!s)
        return CLI_FAIL;
    SyncAccount a;
    Err err = {0};
    int status = CLI_OK;
    if (synclog_account_find(s, url[0] ? url : NULL, o->user, &a, &err) != MA_OK) {
        status = cli_fail(&err);
    } else {
        ForgetTx t = {a.id};
        if (in_tx(s, forget, &t, &err) != MA_OK)
            status = cli_fail(&err);
        else
            printf("signed out of %s (%s): the token is forgotten here\n", cli_safe(a.server_url), cli_safe(a.username));
    }
    explicit_bzero(&a, sizeof a);
    save_close(s);
    return status;
}

/* ------------------------------------------------------------ a world and its sync */

typedef struct Open {
    Save *s;
    BlockRegistry *reg;
    World *w;
} Open;

static int open_world(CliCtx *ctx, const char *name, int flags, Open *op)
{
    memset(op, 0, sizeof *op);
    if (!name || !*name)
        return cli_usage_error(ctx, "--world NAME is needed");
    op->s = cli_open_save(ctx, flags);
    if (!op->s)
        return CLI_FAIL;
    Err err = {0};
    if (blocks_load_default(&op->reg, &err) != MA_OK || world_open(op->s, op->reg, name, 0, 0, &op->w, &err) != MA_OK) {
        cli_fail(&err);
        return CLI_FAIL;
    }
    return CLI_OK;
}

static void close_world(Open *op)
{
    world_close(op->w);
    blocks_free(op->reg);
    save_close(op->s);
    memset(op, 0, sizeof *op);
}

typedef struct PrepTx {
    int64_t world_id;
    SyncPlan plan;
} PrepTx;

static int prep(Save *s, void *ud, Err *err)
{
    PrepTx *t = ud;
    return sync_prepare(s, t->world_id, &t->plan, err);
}

typedef struct TakeTx {
    World *w;
    SyncJob *job;
    SyncReport rep;
} TakeTx;

static int take(Save *s, void *ud, Err *err)
{
    TakeTx *t = ud;
    return sync_take(s, t->w, t->job, 0, &t->rep, err);
}

static void print_report(const char *world, const SyncReport *r, const SyncJob *j)
{
    printf("%s: pushed %d change%s", cli_safe(world), r->pushed, r->pushed == 1 ? "" : "s");
    if (r->pushed)
        printf(" (%d taken, %d with conflicts kept, %d refused)", r->applied, r->conflicts, r->rejected);
    if (j->rc == MA_OK)
        printf("; pulled %d (%d chunks, %d characters, %d relationships, %d quests, %d entries%s)", r->pulled, r->chunks,
               r->characters, r->relationships, r->quests, r->entries, r->skipped ? ", some this game cannot hold" : "");
    printf("\n");
    if (r->new_conflicts)
        printf("%d new conflict%s kept: see `%s sync conflicts --world %s`\n", r->new_conflicts,
               r->new_conflicts == 1 ? "" : "s", prog, cli_safe(world));
    if (r->waiting)
        printf("%d change%s still waiting for the next sync\n", r->waiting, r->waiting == 1 ? "" : "s");
}

/* Push what waits, pull what others did. Returns a CLI status. */
static int sync_world(Open *op, int progress)
{
    Err err = {0};
    PrepTx pt = {.world_id = world_id(op->w)};
    if (in_tx(op->s, prep, &pt, &err) != MA_OK) {
        sync_plan_clear(&pt.plan);
        return cli_fail(&err);
    }
    SyncJob *j = sync_plan_job(&pt.plan);
    sync_plan_clear(&pt.plan);
    if (!j)
        return fail_msg("%s", "out of memory");
    run_job(j, progress);
    TakeTx tt = {.w = op->w, .job = j};
    int status = CLI_OK;
    if (in_tx(op->s, take, &tt, &err) != MA_OK) {
        world_forget(op->w);
        status = cli_fail(&err);
    } else {
        print_report(world_name(op->w), &tt.rep, j);
        if (j->rc != MA_OK) {
            fprintf(stderr, "%s: sync of %s stopped: %s\n", prog, cli_safe(world_name(op->w)), cli_safe(j->err.msg));
            if (j->http_status == 401)
                fprintf(stderr, "%s: log in again: %s sync login --server %s --user %s\n", prog, prog,
                        cli_safe(j->url), cli_safe(pt.plan.account.username));
            else if (j->http_status == 0)
                fprintf(stderr, "%s: nothing is lost: what waits is pushed at the next sync\n", prog);
            status = CLI_FAIL;
        }
    }
    sync_job_free(j);
    return status;
}

static int cmd_sync_world(CliCtx *ctx, const Opts *o)
{
    if (o->nargs)
        return cli_usage_error(ctx, "unexpected '%s' (sync --world NAME)", o->args[0]);
    Open op;
    int rc = open_world(ctx, o->world, 0, &op);
    if (rc == CLI_OK)
        rc = sync_world(&op, 1);
    close_world(&op);
    return rc;
}

/* ------------------------------------------------------------ status, conflicts */

static void kind_line(const char *kind, int waiting, int sent, void *ud)
{
    (void)ud;
    printf("  %-15s %d waiting", kind, waiting);
    if (sent)
        printf(", %d sent and not answered yet", sent);
    printf("\n");
}

static int cmd_status(CliCtx *ctx, const Opts *o)
{
    Open op;
    int status = open_world(ctx, o->world, SAVE_READONLY, &op);
    if (status != CLI_OK) {
        close_world(&op);
        return status;
    }
    Err err = {0};
    SyncWorld sw;
    SyncAccount a;
    int64_t id = world_id(op.w);
    if (synclog_world_get(op.s, id, &sw, &err) != MA_OK || synclog_account_get(op.s, sw.account_id, &a, &err) != MA_OK) {
        close_world(&op);
        return cli_fail(&err);
    }
    char line[160];
    sync_status_line(op.s, id, (long long)time(NULL), line, sizeof line);
    printf("world %s: shared on %s as %s (the server's world %lld)\n", cli_safe(world_name(op.w)), cli_safe(a.server_url),
           cli_safe(a.username), (long long)sw.remote_id);
    printf("state: %s\n", line);
    printf("signed in: %s\n", a.token[0] ? "yes" : "no (sync login again)");
    printf("last sync: %s\n", sw.last_sync_at[0] ? sw.last_sync_at : "never");
    if (sw.last_error[0])
        printf("last try (%s) failed: %s\n", sw.last_try_at, cli_safe(sw.last_error));
    printf("pull cursor: %lld\n", (long long)sw.cursor);
    int waiting = 0, sent = 0;
    synclog_count(op.s, id, &waiting, &sent, &err);
    printf("waiting to be pushed: %d op%s%s\n", waiting + sent, waiting + sent == 1 ? "" : "s",
           waiting + sent ? ":" : "");
    synclog_count_kinds(op.s, id, kind_line, NULL, &err);
    int open = synclog_conflict_count(op.s, id, &err);
    printf("conflicts: %d open%s\n", open < 0 ? 0 : open,
           open > 0 ? " (magic-adventure sync conflicts --world NAME)" : "");
    SyncConflict *cs = NULL;
    int n = 0;
    if (open > 0 && synclog_conflicts(op.s, id, 1, &cs, &n, &err) == MA_OK) {
        for (int i = 0; i < n && i < 5; i++) {
            char d[400];
            sync_conflict_describe(&cs[i], d, sizeof d);
            printf("  #%lld %s\n", (long long)cs[i].id, cli_safe(d));
        }
        if (n > 5)
            printf("  and %d more\n", n - 5);
        synclog_conflicts_free(cs, n);
    }
    int64_t remote = 0;
    synclog_entry_count(op.s, id, &remote, &err);
    printf("other players' log entries and story choices kept: %lld\n", (long long)remote);
    explicit_bzero(&a, sizeof a);
    close_world(&op);
    return CLI_OK;
}

typedef struct ResolveTx {
    World *w;
    int64_t id;
    int mine;
} ResolveTx;

static int resolve(Save *s, void *ud, Err *err)
{
    ResolveTx *t = ud;
    return t->mine ? sync_conflict_mine(s, t->w, t->id, err) : sync_conflict_theirs(s, t->id, err);
}

static int cmd_conflicts(CliCtx *ctx, const Opts *o)
{
    if (o->mine > 0 && o->theirs > 0)
        return cli_usage_error(ctx, "--mine and --theirs settle one conflict each: give one");
    int settle = o->mine > 0 || o->theirs > 0;
    Open op;
    int status = open_world(ctx, o->world, settle ? 0 : SAVE_READONLY, &op);
    if (status != CLI_OK) {
        close_world(&op);
        return status;
    }
    Err err = {0};
    int64_t id = world_id(op.w);
    if (synclog_world_is_synced(op.s, id, &err) != 1) {
        close_world(&op);
        return fail_msg("the world '%s' is not shared: nothing to conflict with", o->world);
    }
    if (settle) {
        ResolveTx t = {op.w, o->mine > 0 ? o->mine : o->theirs, o->mine > 0};
        if (in_tx(op.s, resolve, &t, &err) != MA_OK) {
            world_forget(op.w);
            status = cli_fail(&err);
        } else if (t.mine) {
            printf("conflict %lld: yours is back in %s, and goes to the server at the next sync\n", (long long)t.id,
                   cli_safe(world_name(op.w)));
        } else {
            printf("conflict %lld: the server's stands (it is what %s holds)\n", (long long)t.id, cli_safe(world_name(op.w)));
        }
        close_world(&op);
        return status;
    }
    SyncConflict *cs = NULL;
    int n = 0;
    if (synclog_conflicts(op.s, id, !o->all, &cs, &n, &err) != MA_OK) {
        close_world(&op);
        return cli_fail(&err);
    }
    if (n == 0)
        printf("%s: no %sconflicts\n", cli_safe(world_name(op.w)), o->all ? "" : "open ");
    for (int i = 0; i < n; i++) {
        char d[600];
        sync_conflict_describe(&cs[i], d, sizeof d);
        printf("#%lld [%s] %s (%s)\n", (long long)cs[i].id, cs[i].status, cli_safe(d), cs[i].created_at);
    }
    if (n > 0 && !o->all)
        printf("re-apply yours: %s sync conflicts --world %s --mine N; keep the server's: --theirs N\n", prog,
               cli_safe(world_name(op.w)));
    synclog_conflicts_free(cs, n);
    close_world(&op);
    return CLI_OK;
}

/* ------------------------------------------------------------ share, invite, get */

typedef struct ShareTx {
    World *w;
    int64_t account, remote, user;
} ShareTx;

static int share(Save *s, void *ud, Err *err)
{
    ShareTx *t = ud;
    return sync_share_record(s, t->w, t->account, t->remote, t->user, err);
}

/* The local player the account plays as in a world: the user of the account's name, else the
 * one whose characters are in the world. */
static int64_t local_player(Save *s, int64_t world, const char *username)
{
    UserRow u;
    Err quiet = {0};
    int64_t id = 0;
    if (users_get_by_username(s, username, &u, &quiet) == MA_OK) {
        id = u.id;
        user_row_clear(&u);
        return id;
    }
    CharacterRow *rows = NULL;
    int n = 0;
    if (characters_list_by_world(s, world, &rows, &n, &quiet) == MA_OK)
        for (int i = 0; i < n && !id; i++)
            id = rows[i].user_id;
    characters_list_free(rows, n);
    return id;
}

static int account_for(CliCtx *ctx, Save *s, const Opts *o, SyncAccount *a)
{
    char url[256] = "";
    if (o->server && server_url(ctx, o->server, url, sizeof url) != CLI_OK)
        return CLI_USAGE;
    Err err = {0};
    if (synclog_account_find(s, url[0] ? url : NULL, o->user, a, &err) != MA_OK)
        return cli_fail(&err);
    if (!a->token[0])
        return fail_msg("not signed in to %s: run `magic-adventure sync login --server URL --user NAME` again",
                        a->server_url);
    return CLI_OK;
}

static int cmd_share(CliCtx *ctx, const Opts *o)
{
    Open op;
    int status = open_world(ctx, o->world, 0, &op);
    if (status != CLI_OK) {
        close_world(&op);
        return status;
    }
    Err err = {0};
    SyncAccount a;
    if (synclog_world_is_synced(op.s, world_id(op.w), &err) == 1) {
        close_world(&op);
        return fail_msg("the world '%s' is shared already: `sync --world NAME` sends what changed", o->world);
    }
    if ((status = account_for(ctx, op.s, o, &a)) != CLI_OK) {
        close_world(&op);
        return status;
    }
    WorldRow row;
    if (worlds_get(op.s, world_id(op.w), &row, &err) != MA_OK) {
        close_world(&op);
        return cli_fail(&err);
    }
    SyncJob *j = sync_job_new(SYNC_JOB_CREATE_WORLD);
    snprintf(j->url, sizeof j->url, "%s", a.server_url);
    snprintf(j->token, sizeof j->token, "%s", a.token);
    j->world = cJSON_CreateObject();
    cJSON_AddStringToObject(j->world, "name", row.name);
    char seed[32];
    snprintf(seed, sizeof seed, "%lld", (long long)row.seed);
    cJSON_AddStringToObject(j->world, "seed", seed);
    cJSON_AddStringToObject(j->world, "world_type", row.world_type);
    cJSON_AddItemToObject(j->world, "settings", cJSON_Duplicate(row.settings, 1));
    cJSON_AddItemToObject(j->world, "metadata", cJSON_CreateObject());
    world_row_clear(&row);
    if (run_job(j, 0) != MA_OK) {
        if (j->rc == MA_ERR_CONSTRAINT)
            fprintf(stderr, "%s: the server has a world named '%s' already (names are unique there): rename yours "
                    "or share another\n", prog, cli_safe(o->world));
        status = cli_fail(&j->err);
        sync_job_free(j);
        close_world(&op);
        return status;
    }
    ShareTx t = {op.w, a.id, j->new_id, local_player(op.s, world_id(op.w), a.username)};
    sync_job_free(j);
    if (in_tx(op.s, share, &t, &err) != MA_OK) {
        world_forget(op.w);
        world_set_sync(op.w, 0);
        close_world(&op);
        return cli_fail(&err);
    }
    printf("shared %s on %s as the server's world %lld; invite players with `%s sync invite --world %s NAME`\n",
           cli_safe(o->world), cli_safe(a.server_url), (long long)t.remote, prog, cli_safe(o->world));
    status = sync_world(&op, 1);
    explicit_bzero(&a, sizeof a);
    close_world(&op);
    return status;
}

static int cmd_invite(CliCtx *ctx, const Opts *o)
{
    if (o->nargs != 1)
        return cli_usage_error(ctx, "whom? sync invite --world NAME USER");
    Save *s = cli_open_save(ctx, SAVE_READONLY);
    if (!s)
        return CLI_FAIL;
    Err err = {0};
    WorldRow row;
    SyncWorld sw;
    SyncAccount a;
    if (!o->world) {
        save_close(s);
        return cli_usage_error(ctx, "--world NAME is needed");
    }
    if (worlds_get_by_name(s, o->world, &row, &err) != MA_OK || synclog_world_get(s, row.id, &sw, &err) != MA_OK ||
        synclog_account_get(s, sw.account_id, &a, &err) != MA_OK) {
        save_close(s);
        return cli_fail(&err);
    }
    world_row_clear(&row);
    save_close(s);
    SyncJob *j = sync_job_new(SYNC_JOB_INVITE);
    snprintf(j->url, sizeof j->url, "%s", a.server_url);
    snprintf(j->token, sizeof j->token, "%s", a.token);
    snprintf(j->invitee, sizeof j->invitee, "%s", o->args[0]);
    j->remote_id = sw.remote_id;
    int status = CLI_OK;
    if (run_job(j, 0) != MA_OK)
        status = cli_fail(&j->err);
    else
        printf("%s may now play %s: `%s sync get --server %s %s`\n", cli_safe(o->args[0]), cli_safe(o->world), prog,
               cli_safe(a.server_url), cli_safe(o->world));
    explicit_bzero(&a, sizeof a);
    sync_job_free(j);
    return status;
}

typedef struct GetTx {
    const cJSON *remote;
    SyncAccount *account;
    int64_t world_id;
} GetTx;

static int get(Save *s, void *ud, Err *err)
{
    GetTx *t = ud;
    return sync_get_create(s, t->remote, t->account, &t->world_id, err);
}

static int cmd_get(CliCtx *ctx, const Opts *o)
{
    if (o->nargs != 1)
        return cli_usage_error(ctx, "which world? sync get --server URL WORLD");
    if (!o->server)
        return cli_usage_error(ctx, "--server URL is needed");
    Save *s = cli_open_save(ctx, SAVE_CREATE);
    if (!s)
        return CLI_FAIL;
    SyncAccount a;
    int status = account_for(ctx, s, o, &a);
    if (status != CLI_OK) {
        save_close(s);
        return status;
    }
    SyncJob *j = sync_job_new(SYNC_JOB_LIST_WORLDS);
    snprintf(j->url, sizeof j->url, "%s", a.server_url);
    snprintf(j->token, sizeof j->token, "%s", a.token);
    if (run_job(j, 0) != MA_OK) {
        status = cli_fail(&j->err);
        sync_job_free(j);
        save_close(s);
        return status;
    }
    const cJSON *found = NULL, *w;
    cJSON_ArrayForEach(w, j->worlds) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w, "name"));
        if (name && strcmp(name, o->args[0]) == 0)
            found = w;
    }
    if (!found) {
        fprintf(stderr, "%s: the sync server at %s has no world '%s' that %s owns or was invited to: its owner can "
                "invite you with `%s sync invite --world %s %s`\n", prog, cli_safe(a.server_url), cli_safe(o->args[0]),
                cli_safe(a.username), prog, cli_safe(o->args[0]), cli_safe(a.username));
        sync_job_free(j);
        save_close(s);
        return CLI_FAIL;
    }
    GetTx t = {found, &a, 0};
    Err err = {0};
    if (in_tx(s, get, &t, &err) != MA_OK) {
        status = cli_fail(&err);
        sync_job_free(j);
        save_close(s);
        return status;
    }
    sync_job_free(j);
    save_close(s);
    printf("made %s here from %s; pulling it\n", cli_safe(o->args[0]), cli_safe(a.server_url));
    Open op;
    status = open_world(ctx, o->args[0], 0, &op);
    if (status == CLI_OK)
        status = sync_world(&op, 1);
    if (status == CLI_OK)
        printf("play it as %s: %s play --world %s (or the game's title screen)\n", cli_safe(a.username), prog,
               cli_safe(o->args[0]));
    close_world(&op);
    explicit_bzero(&a, sizeof a);
    return status;
}

/* ------------------------------------------------------------ the command */

/* Runs `sync SUB` (the entry's name; "" is `sync --world W`). */
static int cmd_sync(CliCtx *ctx)
{
    const char *sub = ctx->cmd->name;
    Opts o;
    int rc = sync_opts(ctx, &o);
    if (rc != CLI_OK)
        return rc;
    if (!sub[0])
        return cmd_sync_world(ctx, &o);
    if (strcmp(sub, "login") == 0 || strcmp(sub, "register") == 0)
        return cmd_login(ctx, &o, strcmp(sub, "register") == 0);
    if (strcmp(sub, "logout") == 0)
        return cmd_logout(ctx, &o);
    if (strcmp(sub, "status") == 0)
        return cmd_status(ctx, &o);
    if (strcmp(sub, "share") == 0)
        return cmd_share(ctx, &o);
    if (strcmp(sub, "invite") == 0)
        return cmd_invite(ctx, &o);
    if (strcmp(sub, "get") == 0)
        return cmd_get(ctx, &o);
    return cmd_conflicts(ctx, &o);
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
