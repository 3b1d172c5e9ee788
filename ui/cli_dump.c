/* cli_dump.c — `dump`: the whole save as text, one line a row, so that two
 * saves can be compared with diff (and the crash campaign compares a save
 * after kill -9 with a clean replay). */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "save/dump.h"

static void print_line(const char *text, void *ud)
{
    (void)ud;
    puts(text);
}

static int cmd_dump(CliCtx *ctx)
{
    int flags = cli_flag(ctx, "stable") ? SAVE_DUMP_STABLE : 0;
    const char *table = cli_opt(ctx, "table");
    Save *s = cli_open_save(ctx, SAVE_READONLY);
    if (!s)
        return CLI_FAIL;
    Err err = {0};
    int rc = save_dump(s, flags, table, print_line, NULL, &err);
    save_close(s);
    return rc == MA_OK ? CLI_OK : cli_fail(&err);
}

const CliCommand cli_cmd_dump = {
    "dump", "[--stable] [--table NAME]",
    "print every row of the save, one a line (--stable masks times and tokens, for diff)", cmd_dump, 0,
    {{"stable", 's', NULL, "mask times and tokens, so that two dumps compare with diff"},
     {"table", 't', "NAME", "only this table's rows"}},
    NULL,
};
