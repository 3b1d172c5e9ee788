/* cli_bench.c — the `bench` command's table: its subcommands and their options. Each part
 * measures in its own file: world (cli_bench_world.c, printed by cli_bench_world_print.c),
 * client (cli_bench_client.c), agents (cli_bench_agents.c), codec-model (cli_bench_model.c).
 * They print figures; they never fail on time. */
#include "cli.h"

#include <limits.h>

#include "cli_bench_world_internal.h"

static int bench_world_cmd(CliCtx *ctx)
{
    long long seed = 20261127, chunks = 100000;
    if (cli_opt_int(ctx, "seed", LLONG_MIN, LLONG_MAX, &seed) == CLI_USAGE ||
        cli_opt_int(ctx, "chunks", 256, 2000000, &chunks) == CLI_USAGE)
        return CLI_USAGE;
    return bench_world(ctx, seed, chunks, cli_flag(ctx, "json") > 0);
}

static int bench_client_cmd(CliCtx *ctx)
{
    long long chunks = 10000;
    if (cli_opt_int(ctx, "chunks", 16, 2000000, &chunks) == CLI_USAGE)
        return CLI_USAGE;
    return bench_client(ctx, cli_flag(ctx, "json") > 0, chunks);
}

static int bench_codec_model_cmd(CliCtx *ctx)
{
    const char *out = cli_opt(ctx, "out");
    if (!out)
        return cli_usage_error(ctx, "needs --out FILE");
    return bench_codec_model(ctx, out, 1500, cli_flag(ctx, "c2") > 0);
}

static const CliCommand bench_subs[] = {
    {"world", "[--seed N] [--chunks N] [--json]",
     "the world: generation, storage, loading, size, memory, rendering", bench_world_cmd, 0,
     {{"seed", 'S', "N", "the world's seed (20261127)"},
      {"chunks", 'n', "N", "chunks to store (256 to 2000000; 100000)"},
      {"json", 'j', NULL, "the figures as JSON"}},
     NULL},
    {"client", "[--chunks N] [--json]", "the client: launch, redraw, memory, idle CPU", bench_client_cmd, 0,
     {{"chunks", 0, "N", "chunks in the save (16 to 2000000; 10000)"}, {"json", 0, NULL, "the figures as JSON"}},
     NULL},
    {"agents", "", "a game year of the six agents on 10,000 stored chunks", bench_agents, 0, {{0}}, NULL},
    {"codec-model", "[--c2] --out FILE", "train the chunk model on generated terrain and write it to FILE",
     bench_codec_model_cmd, 0,
     {{"out", 0, "FILE", "where to write it"}, {"c2", 0, NULL, "the model of the \"c2\" form (veins apart)"}}, NULL},
    {NULL, NULL, NULL, NULL, 0, {{0}}, NULL},
};
const CliCommand cli_cmd_bench = {
    "bench", NULL,
    "measure the world (generation, storage, loading, size, memory, rendering) or the client (launch, redraw, "
    "memory, idle CPU)",
    NULL, 0, {{0}}, bench_subs,
};
