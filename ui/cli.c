/* cli.c — the command table, global options and dispatch. */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "util/text.h"

static const CliCommand commands[] = {
    {"init", "", "create the save, or upgrade an older one to this version", cmd_init},
    {"info", "", "show the save's format version, row counts and worlds", cmd_info},
    {"verify", "", "check the save: integrity, foreign keys, the game's invariants", cmd_verify},
    {"backup", "[FILE | list]", "copy the save to a new FILE (online, safe while playing), or into its backups folder; list: the backups made", cmd_backup},
    {"restore", "FILE [--world NAME [--character NAME]]", "replace the save with the backup FILE, or roll back one world, or recover one character (the save as it was is kept as a new .before-restore.bak)", cmd_restore},
    {"agents", "list --world NAME | run --world NAME --days N [--agent TYPE]", "the six agents of a world and their state, or let N game days pass for them (the world's clock moves on)", cmd_agents},
    {"evolution", "log --world NAME [--agent TYPE] [--json] | show ID | rollback ID [--cascade] [--force] | rollback --world NAME --to ID | diff --world NAME --from ID --to ID",
     "what the agents changed, why, and undoing it", cmd_evolution},
    {"events", "--world NAME", "the world's date, season, and its events now and coming", cmd_events},
    {"dump", "[--stable] [--table NAME]", "print every row of the save, one a line (--stable masks times and tokens, for diff)", cmd_dump},
    {"sample-data", "[--users N] [--seed S] [--steps N] [--no-play]", "players, worlds and characters made by the game, each character playing N actions (60) through the game's rules with the world's agents", cmd_sample_data},
    {"play", "--script FILE [--world NAME] [--character NAME] [--class C] [--json] [--verbose]", "play without a terminal: one action a line (move n, dig down, place e planks, wait 3...)", cmd_play},
    {"world", "create NAME [--seed N] [--type normal|flat] | list", "make a world, or list the worlds with their seeds and sizes", cmd_world},
    {"render", "--world NAME [--x X --y Y --z Z] [--width W --height H] [--color[=256|8|none]] [--ascii] [--section] [--at ID]",
     "print the top-down slice at level y around (x, z) (--section: the upright cut at z)", cmd_render},
    {"map", "--world NAME --out FILE.png [--radius CHUNKS] [--y Y] [--scale N] [--x X --z Z] [--at ID]",
     "draw a top-down PNG picture of the surface (or of level y)", cmd_map},
    {"chunk", "--world NAME CX CY CZ", "show a chunk's stored JSON (or what generation gives) and a summary", cmd_chunk},
    {"pregen", "--world NAME --radius CHUNKS [--x X --z Z]", "generate and store the chunks around (x, z) (default: spawn)", cmd_pregen},
    {"story", "list --world W [--character C] | path --world W --character C [TITLE] | tree --world W TITLE [--character C] [--dot] | undo --world W --character C",
     "the storylines of a world or a character, the path taken, the whole tree (text or Graphviz), undo the last choice", cmd_story},
    {"sync", "login|register --server URL --user NAME | --world W | status --world W | share --world W | invite --world W USER | get --server URL WORLD | conflicts --world W [--mine N | --theirs N] | logout",
     "share worlds through a sync server: sign in (the password from the terminal or stdin), push and pull, see what waits and what conflicted", cmd_sync},
    {"llm", "check", "the LLM endpoint (MAGIC_LLM_URL): reach it, list its models, send one tiny request, say what failed", cmd_llm},
    {"bench", "world [--seed N] [--chunks N] [--json] | client [--chunks N] [--json] | agents", "measure the world (generation, storage, loading, size, memory, rendering) or the client (launch, redraw, memory, idle CPU)", cmd_bench},
    {NULL, NULL, NULL, NULL},
};

static const char *prog = "magic-adventure";

static void print_help(FILE *out)
{
    fprintf(out,
            "Usage: %s [--save PATH] [COMMAND [ARGS]]\n"
            "\n"
            "Magic Adventure, a persistent fantasy world in your terminal.\n"
            "With no COMMAND, starts the game.\n"
            "\n"
            "Options:\n"
            "  -s, --save PATH   the save file (default: $MAGIC_SAVE, else saves/default.db)\n"
            "  -h, --help        show this help (COMMAND --help for a command's own)\n"
            "  -V, --version     show the version and save format\n"
            "  -c, --continue    skip the title screen: resume the last character\n"
            "\n"
            "Commands:\n",
            prog);
    for (const CliCommand *c = commands; c->name; c++) {
        char head[256];
        snprintf(head, sizeof head, "%s %s", c->name, c->usage);
        if (strlen(head) <= 30)
            fprintf(out, "  %-30s %s\n", head, c->summary);
        else /* a long usage gets its own line */
            fprintf(out, "  %s\n  %-30s %s\n", head, "", c->summary);
    }
    fprintf(out, "\nExit status: 0 success, 1 failure, 2 usage error, 3 verify found problems.\n");
}

void cli_print_command_help(const char *name)
{
    for (const CliCommand *c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            printf("Usage: %s [--save PATH] %s %s\n  %s\n", prog, c->name, c->usage, c->summary);
}

int cli_wants_help(const CliCtx *ctx)
{
    for (int i = 1; i < ctx->argc; i++)
        if (strcmp(ctx->argv[i], "--help") == 0 || strcmp(ctx->argv[i], "-h") == 0)
            return 1;
    return 0;
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
    fprintf(stderr, "%s: ", prog);
    if (ctx && ctx->argc > 0)
        fprintf(stderr, "%s: ", cli_safe(ctx->argv[0]));
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fputs(cli_safe(msg), stderr);
    if (ctx && ctx->argc > 0)
        fprintf(stderr, "\nTry `%s %s --help`.\n", prog, ctx->argv[0]);
    else
        fprintf(stderr, "\nTry `%s --help`.\n", prog);
    return CLI_USAGE;
}

int cli_fail(const Err *err)
{
    fprintf(stderr, "%s: %s\n", prog, cli_safe(err->msg));
    return CLI_FAIL;
}

Save *cli_open_save(const CliCtx *ctx, int flags)
{
    Err err = {0};
    Save *s = NULL;
    if (save_open(ctx->save_path, flags, &s, &err) != MA_OK) {
        cli_fail(&err);
        return NULL;
    }
    if (save_notice(s))
        fprintf(stderr, "%s: %s\n", prog, cli_safe(save_notice(s)));
    if (save_migration_backup(s))
        fprintf(stderr, "%s: upgraded %s to save format %d (the old one is kept at %s)\n", prog,
                ctx->save_path, save_latest_version(), save_migration_backup(s));
    return s;
}

int cli_agents_wanted(void)
{
    const char *v = getenv("MAGIC_AGENTS");
    return !v || (strcmp(v, "off") != 0 && strcmp(v, "0") != 0);
}

int cli_parse_i64(const char *s, long long *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int cli_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"save", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"continue", no_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    CliCtx ctx = {0};
    const char *env = getenv("MAGIC_SAVE");
    ctx.save_path = env && *env ? env : "saves/default.db";
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+s:hVc", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (!*optarg)
                return cli_usage_error(NULL, "--save needs a path");
            ctx.save_path = optarg;
            break;
        case 'h':
            print_help(stdout);
            return CLI_OK;
        case 'c':
            ctx.resume = 1;
            break;
        case 'V':
            printf("magic-adventure %s (save format %d)\n", MA_VERSION, save_latest_version());
            return CLI_OK;
        default:
            if (optopt == 's')
                return cli_usage_error(NULL, "--save needs a path");
            return cli_usage_error(NULL, "unknown option '%s'", argv[optind - 1]);
        }
    }
    ctx.argc = argc - optind;
    ctx.argv = argv + optind;
    if (ctx.argc == 0)
        return cmd_play_default(&ctx);
    for (const CliCommand *cmd = commands; cmd->name; cmd++) {
        if (strcmp(cmd->name, ctx.argv[0]) == 0) {
            if (cli_wants_help(&ctx)) {
                cli_print_command_help(cmd->name);
                return CLI_OK;
            }
            optind = 0; /* reset getopt for the command's own options */
            return cmd->run(&ctx);
        }
    }
    return cli_usage_error(NULL, "unknown command '%s'", ctx.argv[0]);
}
