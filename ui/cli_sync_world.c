/* cli_sync_world.c — the world commands of `sync`: push and pull (`sync --world W`), status,
 * conflicts, share, invite and get. The command's table is in cli_sync.c. */
#include "cli_sync_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "save/users.h"
#include "save/worlds.h"
#include "world/world.h"

static const char *prog = "magic-adventure";

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
    if (r->more_waiting)
        printf("more changes wait on the server than one sync pulls: sync again to go on\n");
}

/* Push what waits, pull what others did. Returns a CLI status. */
static int sync_world(Open *op, int progress)
{
    Err err = {0};
    PrepTx pt = {.world_id = world_id(op->w)};
    if (cli_sync_in_tx(op->s, prep, &pt, &err) != MA_OK) {
        sync_plan_clear(&pt.plan);
        return cli_fail(&err);
    }
    SyncJob *j = sync_plan_job(&pt.plan);
    sync_plan_clear(&pt.plan);
    if (!j)
        return cli_sync_fail("%s", "out of memory");
    cli_sync_run_job(j, progress);
    TakeTx tt = {.w = op->w, .job = j};
    int status = CLI_OK;
    if (cli_sync_in_tx(op->s, take, &tt, &err) != MA_OK) {
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

int cli_sync_push_pull(CliCtx *ctx, const CliSyncOpts *o)
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

int cli_sync_status(CliCtx *ctx, const CliSyncOpts *o)
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

int cli_sync_conflicts(CliCtx *ctx, const CliSyncOpts *o)
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
        return cli_sync_fail("the world '%s' is not shared: nothing to conflict with", o->world);
    }
    if (settle) {
        ResolveTx t = {op.w, o->mine > 0 ? o->mine : o->theirs, o->mine > 0};
        if (cli_sync_in_tx(op.s, resolve, &t, &err) != MA_OK) {
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

int cli_sync_share(CliCtx *ctx, const CliSyncOpts *o)
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
        return cli_sync_fail("the world '%s' is shared already: `sync --world NAME` sends what changed", o->world);
    }
    if ((status = cli_sync_account_for(ctx, op.s, o, &a)) != CLI_OK) {
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
    if (cli_sync_run_job(j, 0) != MA_OK) {
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
    if (cli_sync_in_tx(op.s, share, &t, &err) != MA_OK) {
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

int cli_sync_invite(CliCtx *ctx, const CliSyncOpts *o)
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
    if (cli_sync_run_job(j, 0) != MA_OK)
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

int cli_sync_get(CliCtx *ctx, const CliSyncOpts *o)
{
    if (o->nargs != 1)
        return cli_usage_error(ctx, "which world? sync get --server URL WORLD");
    if (!o->server)
        return cli_usage_error(ctx, "--server URL is needed");
    Save *s = cli_open_save(ctx, SAVE_CREATE);
    if (!s)
        return CLI_FAIL;
    SyncAccount a;
    int status = cli_sync_account_for(ctx, s, o, &a);
    if (status != CLI_OK) {
        save_close(s);
        return status;
    }
    SyncJob *j = sync_job_new(SYNC_JOB_LIST_WORLDS);
    snprintf(j->url, sizeof j->url, "%s", a.server_url);
    snprintf(j->token, sizeof j->token, "%s", a.token);
    if (cli_sync_run_job(j, 0) != MA_OK) {
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
    if (cli_sync_in_tx(s, get, &t, &err) != MA_OK) {
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
