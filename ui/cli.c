/* cli.c — the command table, global options and dispatch. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launch.h"
#include "util/text.h"

static const CliCommand *const commands[] = {
    &cli_cmd_init, &cli_cmd_info, &cli_cmd_verify, &cli_cmd_backup, &cli_cmd_restore, &cli_cmd_agents,
    &cli_cmd_evolution, &cli_cmd_events, &cli_cmd_dump, &cli_cmd_sample_data, &cli_cmd_play, &cli_cmd_world,
    &cli_cmd_render, &cli_cmd_map, &cli_cmd_chunk, &cli_cmd_pregen, &cli_cmd_story, &cli_cmd_sync,
    &cli_cmd_llm, &cli_cmd_bench, NULL,
};

static const char *prog = "magic-adventure";

/* The program's own options, before the command. */
static const CliCommand program = {
    "", "[--save PATH] [COMMAND [ARGS]]", "Magic Adventure, a persistent fantasy world in your terminal.", NULL, 0,
    {{"save", 's', "PATH", "the save file (default: $MAGIC_SAVE, else saves/default.db)"},
     {"help", 'h', NULL, "show this help (COMMAND --help for a command's own)"},
     {"version", 'V', NULL, "show the version and save format"},
     {"continue", 'c', NULL, "skip the title screen: resume the last character"}},
    NULL,
};

/* A command's usage as help shows it: its own arguments, or its subcommands' joined by " | ". */
static void usage_of(const CliCommand *c, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!c->subs) {
        snprintf(buf, size, "%s", c->usage ? c->usage : "");
        return;
    }
    size_t len = 0;
    for (const CliCommand *s = c->subs; s->name && len < size; s++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s%s%s", s == c->subs ? "" : " | ", s->name,
                                s->name[0] && s->usage && s->usage[0] ? " " : "", s->usage ? s->usage : "");
}

static void print_options(FILE *out, const CliCommand *c)
{
    for (const CliOpt *o = c->opts; o->name; o++) {
        char head[80];
        int optional = o->arg && o->arg[0] == '[';
        if (o->letter)
            snprintf(head, sizeof head, "-%c, --%s%s%s", o->letter, o->name, o->arg && !optional ? " " : "",
                     o->arg ? o->arg : "");
        else
            snprintf(head, sizeof head, "    --%s%s%s", o->name, o->arg && !optional ? " " : "", o->arg ? o->arg : "");
        fprintf(out, "  %-26s %s\n", head, o->help);
    }
}

static void print_help(FILE *out)
{
    fprintf(out, "Usage: %s %s\n\n%s\nWith no COMMAND, starts the game.\n\nOptions:\n", prog, program.usage,
            program.summary);
    print_options(out, &program);
    fprintf(out, "\nCommands:\n");
    for (const CliCommand *const *c = commands; *c; c++) {
        char usage[1024], head[1200];
        usage_of(*c, usage, sizeof usage);
        snprintf(head, sizeof head, "%s %s", (*c)->name, usage);
        if (strlen(head) <= 30)
            fprintf(out, "  %-30s %s\n", head, (*c)->summary);
        else /* a long usage gets its own line */
            fprintf(out, "  %s\n  %-30s %s\n", head, "", (*c)->summary);
    }
    fprintf(out, "\nExit status: 0 success, 1 failure, 2 usage error, 3 verify found problems.\n");
}

/* `COMMAND --help`: its usage, summary and options (each subcommand's, for a command that has them). */
static void print_command_help(const CliCommand *c, const char *name)
{
    char usage[1024];
    usage_of(c, usage, sizeof usage);
    printf("Usage: %s [--save PATH] %s %s\n  %s\n", prog, name, usage, c->summary);
    if (c->opts[0].name) {
        printf("\nOptions:\n");
        print_options(stdout, c);
    }
    for (const CliCommand *s = c->subs; s && s->name; s++) {
        printf("\n%s%s%s %s\n  %s\n", name, s->name[0] ? " " : "", s->name, s->usage, s->summary);
        print_options(stdout, s);
    }
}

const char *cli_safe(const char *text)
{
    static char bufs[8][2048];
    static int next;
    char *b = bufs[next++ % 8];
    return text_escape(text, b, sizeof bufs[0]);
}

int cli_usage_error(const CliCtx *ctx, const char *fmt, ...)
{
    va_list ap;
    char msg[2048];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *name = ctx && ctx->name ? ctx->name : NULL;
    /* One tail for every usage error: what was wrong, and where the command's help is. */
    if (name)
        fprintf(stderr, "%s %s: %s; see %s %s --help\n", prog, name, cli_safe(msg), prog, name);
    else
        fprintf(stderr, "%s: %s; see %s --help\n", prog, cli_safe(msg), prog);
    return CLI_USAGE;
}

int cli_fail(const Err *err)
{
    fprintf(stderr, "%s: %s\n", prog, cli_safe(err->msg));
    return CLI_FAIL;
}

void cli_default_folder(const CliCtx *ctx)
{
    if (strcmp(ctx->save_path, CLI_DEFAULT_SAVE) == 0 && access(CLI_DEFAULT_SAVE, F_OK) != 0)
        mkdir("saves", 0700);
}

Save *cli_open_save(const CliCtx *ctx, int flags)
{
    if (flags & SAVE_CREATE)
        cli_default_folder(ctx);
    return launch_open_save(ctx->save_path, flags);
}

int cli_parse_i64(const char *s, long long *out)
{
    /* Digits with an optional minus, nothing else: strtoll would also take " 5" and "+5". */
    if (!s || !(isdigit((unsigned char)*s) || (*s == '-' && isdigit((unsigned char)s[1]))))
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* ---- the one option parser ---- */

static int opt_index(const CliCtx *ctx, const char *name)
{
    for (int i = 0; ctx->cmd && i < CLI_MAX_OPTS && ctx->cmd->opts[i].name; i++)
        if (strcmp(ctx->cmd->opts[i].name, name) == 0)
            return i;
    fprintf(stderr, "%s: internal error: %s has no option --%s\n", prog, ctx->name ? ctx->name : "?", name);
    abort();
}

const char *cli_opt(const CliCtx *ctx, const char *name)
{
    return ctx->value[opt_index(ctx, name)];
}

int cli_flag(const CliCtx *ctx, const char *name)
{
    return ctx->given[opt_index(ctx, name)];
}

int cli_opt_int(const CliCtx *ctx, const char *name, long long lo, long long hi, long long *out)
{
    const char *v = cli_opt(ctx, name);
    long long n;
    if (!v)
        return 0;
    if ((cli_parse_i64(v, &n) || n < lo || n > hi) && lo == LLONG_MIN && hi == LLONG_MAX)
        return cli_usage_error(ctx, "--%s takes a whole number, not '%s'", name, v);
    if (cli_parse_i64(v, &n) || n < lo || n > hi)
        return cli_usage_error(ctx, "--%s takes a whole number from %lld to %lld, not '%s'", name, lo, hi, v);
    *out = n;
    return 1;
}

/* "-5" is a number (a coordinate), not an option. */
static int is_number(const char *s)
{
    long long v;
    return cli_parse_i64(s, &v) == 0;
}

/* Parses argv[1..argc) by cmd's entry into ctx: options anywhere (up to "--"), values as
 * "--name V", "--name=V", "-x V" or "-xV"; the rest are plain arguments. With stop, the options
 * end at the first plain argument, whose index goes into *stop (argc when there is none). */
static int parse_args(CliCtx *ctx, const CliCommand *cmd, int argc, char **argv, int *stop)
{
    ctx->cmd = cmd;
    memset(ctx->value, 0, sizeof ctx->value);
    memset(ctx->given, 0, sizeof ctx->given);
    ctx->argc = 1;
    ctx->argv[0] = argv[0];
    int options = 1;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (options && strcmp(a, "--") == 0) {
            options = 0;
            continue;
        }
        if (!options || a[0] != '-' || !a[1] || is_number(a)) {
            if (stop) {
                *stop = i;
                return CLI_OK;
            }
            if (ctx->argc - 1 >= cmd->max_args || ctx->argc > CLI_MAX_ARGS)
                return cli_usage_error(ctx, "unexpected argument '%s'", a);
            ctx->argv[ctx->argc++] = a;
            continue;
        }
        const CliOpt *o = NULL;
        const char *value = NULL;
        if (a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
            for (const CliOpt *p = cmd->opts; p->name && !o; p++)
                if (strlen(p->name) == len && strncmp(p->name, a + 2, len) == 0)
                    o = p;
            if (o && eq) {
                if (!o->arg)
                    return cli_usage_error(ctx, "--%s takes no value", o->name);
                value = eq + 1;
            }
        } else {
            for (const CliOpt *p = cmd->opts; p->name && !o; p++)
                if (p->letter == a[1])
                    o = p;
            if (o && a[2]) {
                if (!o->arg || o->arg[0] == '[')
                    return cli_usage_error(ctx, "unknown option %s", a);
                value = a + 2;
            }
        }
        if (!o)
            return cli_usage_error(ctx, "unknown option %s", a);
        if (!value && o->arg && o->arg[0] != '[') {
            if (i + 1 >= argc)
                return cli_usage_error(ctx, "--%s needs a value (%s)", o->name, o->arg);
            /* "--world --verbose": the value was forgotten, not a world named "--verbose" (which
             * --world=--verbose still gives). */
            if (strncmp(argv[i + 1], "--", 2) == 0)
                return cli_usage_error(ctx, "--%s needs a value (%s) before %s", o->name, o->arg, argv[i + 1]);
            value = argv[++i];
        }
        int k = (int)(o - cmd->opts);
        ctx->value[k] = value ? value : "";
        ctx->given[k]++;
    }
    ctx->argv[ctx->argc] = NULL;
    if (stop)
        *stop = argc;
    return CLI_OK;
}

static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

static int dispatch_sub(CliCtx *ctx, const CliCommand *cmd, int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        print_command_help(cmd, ctx->name);
        return CLI_OK;
    }
    int rc = parse_args(ctx, cmd, argc, argv, NULL);
    return rc != CLI_OK ? rc : cmd->run(ctx);
}

/* Finds the subcommand, parses its options and runs it. name is the command as typed so far. */
static int dispatch(CliCtx *ctx, const CliCommand *cmd, int argc, char **argv)
{
    static char name[64];
    snprintf(name, sizeof name, "%s", cmd->name);
    ctx->name = name;
    ctx->cmd = cmd;
    if (cmd->subs) {
        const CliCommand *sub = NULL, *def = NULL;
        for (const CliCommand *s = cmd->subs; s->name; s++) {
            if (!s->name[0])
                def = s;
            else if (argc > 1 && strcmp(s->name, argv[1]) == 0)
                sub = s;
        }
        if (!sub && (argc < 2 || argv[1][0] == '-') && def && !wants_help(argc, argv))
            return dispatch_sub(ctx, def, argc, argv);
        if (!sub) {
            if (wants_help(argc, argv)) {
                print_command_help(cmd, name);
                return CLI_OK;
            }
            char list[256];
            size_t len = 0;
            list[0] = '\0';
            for (const CliCommand *s = cmd->subs; s->name && len < sizeof list; s++)
                if (s->name[0])
                    len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "", s->name);
            if (argc < 2)
                return cli_usage_error(ctx, "takes a subcommand: %s", list);
            return cli_usage_error(ctx, "unknown subcommand '%s' (%s)", argv[1], list);
        }
        size_t len = strlen(name);
        snprintf(name + len, sizeof name - len, " %s", sub->name);
        return dispatch_sub(ctx, sub, argc - 1, argv + 1);
    }
    return dispatch_sub(ctx, cmd, argc, argv);
}
int cli_main(int argc, char **argv)
{
    CliCtx ctx = {0};
    const char *env = getenv("MAGIC_SAVE");
    ctx.save_path = env && *env ? env : CLI_DEFAULT_SAVE;
    int optind = argc, rc = parse_args(&ctx, &program, argc, argv, &optind);
    if (rc != CLI_OK)
        return rc;
    long long seed;
    const char *seed_env = getenv("MAGIC_SEED");
    if (seed_env && *seed_env && launch_parse_seed(seed_env, &seed) != 0) {
        char safe[128];
        fprintf(stderr, "%s: MAGIC_SEED=%s is not a seed: a whole number from 0 (or unset it for a random one)\n", prog,
                text_escape(seed_env, safe, sizeof safe));
        return CLI_USAGE;
    }
    if (cli_flag(&ctx, "help")) {
        print_help(stdout);
        return CLI_OK;
    }
    if (cli_flag(&ctx, "version")) {
        printf("magic-adventure %s (save format %d)\n", MA_VERSION, save_latest_version());
        return CLI_OK;
    }
    if (cli_opt(&ctx, "save") && !*cli_opt(&ctx, "save"))
        return cli_usage_error(NULL, "--save needs a path");
    if (cli_opt(&ctx, "save"))
        ctx.save_path = cli_opt(&ctx, "save");
    ctx.resume = cli_flag(&ctx, "continue") > 0;
    if (optind >= argc)
        return cmd_play_default(&ctx);
    for (const CliCommand *const *cmd = commands; *cmd; cmd++)
        if (strcmp((*cmd)->name, argv[optind]) == 0)
            return dispatch(&ctx, *cmd, argc - optind, argv + optind);
    return cli_usage_error(NULL, "unknown command '%s'", argv[optind]);
}
