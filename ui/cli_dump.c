/* cli_dump.c — `dump`: the whole save as text, one line a row, so that two
 * saves can be compared with diff (and the crash campaign compares a save
 * after kill -9 with a clean replay). */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "save/dump.h"

static void print_line(const char *text, void *ud)
{
    (void)ud;
    puts(text);
}

int cmd_dump(CliCtx *ctx)
{
    static const struct option opts[] = {
        {"stable", no_argument, NULL, 's'},
        {"table", required_argument, NULL, 't'},
        {NULL, 0, NULL, 0},
    };
    int flags = 0, c;
    const char *table = NULL;
    opterr = 0;
    while ((c = getopt_long(ctx->argc, ctx->argv, "st:", opts, NULL)) != -1) {
        switch (c) {
        case 's': flags |= SAVE_DUMP_STABLE; break;
        case 't': table = optarg; break;
        default:
            if (optopt)
                return cli_usage_error(ctx, "option '%s' needs a value", ctx->argv[optind - 1]);
            return cli_usage_error(ctx, "unknown option '%s'", ctx->argv[optind - 1]);
        }
    }
    if (optind != ctx->argc)
        return cli_usage_error(ctx, "unexpected argument '%s'", ctx->argv[optind]);
    Save *s = cli_open_save(ctx, SAVE_READONLY);
    if (!s)
        return CLI_FAIL;
    Err err = {0};
    int rc = save_dump(s, flags, table, print_line, NULL, &err);
    save_close(s);
    return rc == MA_OK ? CLI_OK : cli_fail(&err);
}
