/* cli.h — the command-line shell: `magic-adventure [--save PATH] [COMMAND [ARGS]]`.
 *
 * Commands are data (as tmux's cmd_entry): each cli_*.c file defines the table entries of its
 * commands (CliCommand: name, usage, summary, options, run), cli.c lists them, parses every
 * command's options with one parser and makes the help from the entries. Exit codes: */
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

/* One option of a command: --name (and -letter), taking a value when arg is set. arg names the
 * value in help ("NAME"); an arg in brackets ("[=256|8|none]") is optional and given only as
 * --name=VALUE. */
typedef struct CliOpt {
    const char *name;
    char letter; /* 0: no short form */
    const char *arg;
    const char *help;
} CliOpt;

/* Options many commands share, written once. */
#define CLI_OPT_WORLD {"world", 'w', "NAME", "the world"}
#define CLI_OPT_X {"x", 'x', "X", "the centre's x (default: spawn)"}
#define CLI_OPT_Z {"z", 'z', "Z", "the centre's z (default: spawn)"}
#define CLI_OPT_AT {"at", 'A', "ID", "the world as it was after evolution entry ID (0: before any agent acted)"}

#define CLI_MAX_OPTS 12
#define CLI_MAX_ARGS 8

#define CLI_DEFAULT_SAVE "saves/default.db"

typedef struct CliCtx CliCtx;

/* One entry of the command table (tmux's cmd_entry): a command's name, the arguments it takes
 * (for help), its summary, its options and how many plain arguments it takes, so that its flags
 * and its help are written once. A command with subcommands has subs (ended by a NULL name; a sub
 * named "" runs when no subcommand is given) and no run; its usage is made from theirs. */
typedef struct CliCommand {
    const char *name;
    const char *usage;   /* what follows the name in help, without the options' own text */
    const char *summary; /* one line */
    int (*run)(CliCtx *ctx);
    int max_args;        /* plain arguments it takes at most; more is a usage error */
    CliOpt opts[CLI_MAX_OPTS];
    const struct CliCommand *subs;
} CliCommand;

struct CliCtx {
    const char *save_path;   /* --save, $MAGIC_SAVE or CLI_DEFAULT_SAVE */
    int resume;              /* --continue: skip the title screen and resume */
    const char *name;        /* the command as typed, for messages: "render", "agents run" */
    const CliCommand *cmd;   /* its table entry */
    const char *value[CLI_MAX_OPTS]; /* by option: the value last given ("" for a flag), or NULL */
    int given[CLI_MAX_OPTS];         /* by option: how many times it was given */
    int argc;                /* argv[0] is the (sub)command's name, then its plain arguments */
    char *argv[CLI_MAX_ARGS + 2];
};

/* The parsed options of ctx's command, by long name (a name not in the command's entry is a
 * programming error and aborts). cli_opt: the value, or NULL when not given; cli_flag: how many
 * times given. */
const char *cli_opt(const CliCtx *ctx, const char *name);
int cli_flag(const CliCtx *ctx, const char *name);
/* A whole-number option from lo to hi: 0 when not given (*out untouched), 1 when given, or
 * CLI_USAGE after saying what it takes. */
int cli_opt_int(const CliCtx *ctx, const char *name, long long lo, long long hi, long long *out);

/* The commands (each in its cli_*.c file, next to what it runs). */
extern const CliCommand cli_cmd_init, cli_cmd_info, cli_cmd_verify, cli_cmd_backup, cli_cmd_restore,
    cli_cmd_agents, cli_cmd_evolution, cli_cmd_events, cli_cmd_dump, cli_cmd_sample_data, cli_cmd_play,
    cli_cmd_world, cli_cmd_render, cli_cmd_map, cli_cmd_chunk, cli_cmd_pregen, cli_cmd_story, cli_cmd_sync,
    cli_cmd_llm, cli_cmd_bench;

int cli_main(int argc, char **argv);

/* Helpers for commands. */
int cli_usage_error(const CliCtx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Makes the default save's folder (saves/) when the save is the default one and does not exist
 * yet: a command that creates the save works in any folder. */
void cli_default_folder(const CliCtx *ctx);
/* Opens the save, printing a clear error on failure. flags as save_open. */
Save *cli_open_save(const CliCtx *ctx, int flags);
int cli_fail(const Err *err);
/* Untrusted text (a name from a save, a message quoting one) made safe to
 * print: control characters escaped (util/text.h). Returns one of a few
 * rotating static buffers, so several may be used in one printf. */
const char *cli_safe(const char *text);
/* Parses a whole decimal integer; 0 on success. */
int cli_parse_i64(const char *s, long long *out);

/* render/map --at ID (cli_agents.c): a temporary copy of the save (its path into path) with every
 * agent change after entry `at` undone; cli_world_at_done removes it (path "" does nothing). */
int cli_world_at(const CliCtx *ctx, const char *world, long long at, char *path, size_t size);
void cli_world_at_done(const char *path);
/* The parts of `bench` in their own files: client (cli_bench_client.c), codec-model
 * (cli_bench_model.c), agents (cli_bench_agents.c). */
int bench_client(CliCtx *ctx, int json, long long chunks);
/* `bench codec-model [--c2] --out FILE` (cli_bench_model.c). */
int bench_codec_model(CliCtx *ctx, const char *out, long long columns, int c2);
int bench_agents(CliCtx *ctx);
/* The LLM endpoint (cli_llm.c): the bound on waiting for answers where no player waits (play --script). */
int cli_llm_drain_ms(void);
/* The game itself (no command; cli_save.c). */
int cmd_play_default(CliCtx *ctx);

#endif
