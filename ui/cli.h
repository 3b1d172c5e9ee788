/* cli.h — the command-line shell: `magic-adventure [--save PATH] [COMMAND [ARGS]]`.
 *
 * Commands are a table (cli.c); each lives in a cli_*.c file next to the
 * others of its kind and parses its own options. Exit codes: */
#ifndef MA_UI_CLI_H
#define MA_UI_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "game/game.h"
#include "save/save.h"

enum {
    CLI_OK = 0,
    CLI_FAIL = 1,     /* a runtime failure: the save, a file, the data */
    CLI_USAGE = 2,    /* a bad command, flag or argument */
    CLI_PROBLEMS = 3, /* verify found problems */
};

typedef struct CliCtx {
    const char *save_path; /* --save, $MAGIC_SAVE or saves/default.db */
    int resume;            /* --continue: skip the title screen and resume */
    int argc;              /* the command's own arguments; argv[0] is the command name */
    char **argv;
} CliCtx;

typedef struct CliCommand {
    const char *name;
    const char *usage;   /* arguments, for --help */
    const char *summary; /* one line */
    int (*run)(CliCtx *ctx);
} CliCommand;

int cli_main(int argc, char **argv);

/* Helpers for commands. */
int cli_usage_error(const CliCtx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Opens the save, printing a clear error on failure. flags as save_open. */
Save *cli_open_save(const CliCtx *ctx, int flags);
int cli_fail(const Err *err);
/* Untrusted text (a name from a save, a message quoting one) made safe to
 * print: control characters escaped (util/text.h). Returns one of a few
 * rotating static buffers, so several may be used in one printf. */
const char *cli_safe(const char *text);
/* Parses a whole decimal integer; 0 on success. */
int cli_parse_i64(const char *s, long long *out);
/* Whether the world's agents should run with the game (MAGIC_AGENTS=off stops them). */
int cli_agents_wanted(void);
/* True when a command's argv asks for help (-h/--help). */
int cli_wants_help(const CliCtx *ctx);
void cli_print_command_help(const char *name);

/* Commands (cli_save.c). */
int cmd_init(CliCtx *ctx);
int cmd_info(CliCtx *ctx);
int cmd_verify(CliCtx *ctx);
int cmd_backup(CliCtx *ctx);
int cmd_restore(CliCtx *ctx);
int cmd_sample_data(CliCtx *ctx);
/* The living world (cli_agents.c). */
int cmd_agents(CliCtx *ctx);
int cmd_evolution(CliCtx *ctx);
int cmd_events(CliCtx *ctx);
/* render/map --at ID: a temporary copy of the save (its path into path) with every agent change
 * after entry `at` undone; cli_world_at_done removes it (path "" does nothing). */
int cli_world_at(const CliCtx *ctx, const char *world, long long at, char *path, size_t size);
void cli_world_at_done(const char *path);
/* `dump` (cli_dump.c). */
int cmd_dump(CliCtx *ctx);
/* Headless play (cli_play.c), and helpers it shares with the client. */
int cmd_play(CliCtx *ctx);
/* `bench client` (cli_bench_client.c). */
int bench_client(CliCtx *ctx, int json, long long chunks);
/* `bench codec-model [--c2] --out FILE` (cli_bench_model.c). */
int bench_codec_model(CliCtx *ctx, const char *out, long long columns, int c2);
/* `bench agents` (cli_bench_agents.c). */
int bench_agents(CliCtx *ctx);
uint64_t cli_random_seed(void);
const char *cli_username(void);
/* Commands (cli_world.c). */
int cmd_world(CliCtx *ctx);
int cmd_render(CliCtx *ctx);
int cmd_map(CliCtx *ctx);
int cmd_chunk(CliCtx *ctx);
int cmd_pregen(CliCtx *ctx);
/* Storylines (cli_story.c). */
int cmd_story(CliCtx *ctx);
/* The LLM endpoint (cli_llm.c): `llm check`; the session of a game, NULL when
 * off or failing (note says why, "" when there is nothing to say); the bound
 * on waiting for answers where no player waits (play --script). */
struct AgentsLlm;
int cmd_llm(CliCtx *ctx);
struct AgentsLlm *cli_llm_open(Game *g, char *note, size_t size);
int cli_llm_drain_ms(void);
/* Sharing worlds through a sync server (cli_sync.c). */
int cmd_sync(CliCtx *ctx);
/* Commands (cli_bench.c). */
int cmd_bench(CliCtx *ctx);
/* The game itself (no command). */
int cmd_play_default(CliCtx *ctx);

#endif
