/* cli_sync_account.c — `sync register`, `sync login`, `sync logout`: an account on a sync
 * server, its token kept in the save (never the password), and the account a world command
 * uses. The command's table is in cli_sync.c. */
#include "cli_sync_internal.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

static const char *prog = "magic-adventure";

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
        return cli_sync_fail("%s", "out of memory");
    snprintf(j->url, sizeof j->url, "%s", url);
    snprintf(j->username, sizeof j->username, "%s", user);
    snprintf(j->password, sizeof j->password, "%s", password);
    int status = CLI_OK;
    Save *s = NULL;
    if (cli_sync_run_job(j, 0) != MA_OK) {
        status = cli_fail(&j->err);
    } else if (!(s = cli_open_save(ctx, SAVE_CREATE))) {
        status = CLI_FAIL;
    } else {
        LoginTx t = {url, user, j};
        Err err = {0};
        if (cli_sync_in_tx(s, login_store, &t, &err) != MA_OK) {
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

int cli_sync_login(CliCtx *ctx, const CliSyncOpts *o, int reg)
{
    char url[256], pw[128], again[128];
    int rc = cli_sync_server_url(ctx, o->server, url, sizeof url);
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
            return cli_sync_fail("%s", "the two passwords differ: nothing was registered");
        }
        explicit_bzero(again, sizeof again);
    }
    int status = CLI_OK;
    if (reg) {
        SyncJob *j = sync_job_new(SYNC_JOB_REGISTER);
        snprintf(j->url, sizeof j->url, "%s", url);
        snprintf(j->username, sizeof j->username, "%s", o->user);
        snprintf(j->password, sizeof j->password, "%s", pw);
        if (cli_sync_run_job(j, 0) != MA_OK)
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

int cli_sync_logout(CliCtx *ctx, const CliSyncOpts *o)
{
    char url[256] = "";
    if (o->server && cli_sync_server_url(ctx, o->server, url, sizeof url) != CLI_OK)
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
        if (cli_sync_in_tx(s, forget, &t, &err) != MA_OK)
            status = cli_fail(&err);
        else
            printf("signed out of %s (%s): the token is forgotten here\n", cli_safe(a.server_url), cli_safe(a.username));
    }
    explicit_bzero(&a, sizeof a);
    save_close(s);
    return status;
}

/* ------------------------------------------------------------ the account a command uses */

int cli_sync_account_for(CliCtx *ctx, Save *s, const CliSyncOpts *o, SyncAccount *a)
{
    char url[256] = "";
    if (o->server && cli_sync_server_url(ctx, o->server, url, sizeof url) != CLI_OK)
        return CLI_USAGE;
    Err err = {0};
    if (synclog_account_find(s, url[0] ? url : NULL, o->user, a, &err) != MA_OK)
        return cli_fail(&err);
    if (!a->token[0])
        return cli_sync_fail("not signed in to %s: run `magic-adventure sync login --server URL --user NAME` again",
                        a->server_url);
    return CLI_OK;
}
