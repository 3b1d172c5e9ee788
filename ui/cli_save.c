/* cli_save.c — the commands that look after the save: init, info, verify,
 * backup, restore, sample-data. */
#include "cli.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "save/backup.h"
#include "sample/sample.h"
#include "save/worlds.h"
#include "client.h"
#include "agents/evolution.h"
#include "game/game_verify.h"
#include "world/world.h"
#include "world/world_verify.h"

static int cmd_init(CliCtx *ctx)
{
    Err err = {0};
    Save *s = NULL;
    /* Probe first, to say whether this created, upgraded or found it current. */
    struct stat st;
    int existed = stat(ctx->save_path, &st) == 0 && st.st_size > 0;
    cli_default_folder(ctx);
    if (save_open(ctx->save_path, SAVE_CREATE | SAVE_INIT, &s, &err) != MA_OK)
        return cli_fail(&err);
    if (!existed)
        printf("created %s (save format %d)\n", ctx->save_path, save_schema_version(s));
    else if (save_was_empty(s))
        printf("made a save in %s, an SQLite database with no tables (save format %d)\n", ctx->save_path,
               save_schema_version(s));
    else if (save_migration_backup(s))
        printf("upgraded %s to save format %d; the old save is kept at %s\n", ctx->save_path,
               save_schema_version(s), save_migration_backup(s));
    else
        printf("%s is up to date (save format %d)\n", ctx->save_path, save_schema_version(s));
    save_close(s);
    return CLI_OK;
}

static int cmd_info(CliCtx *ctx)
{
    Save *s = cli_open_save(ctx, SAVE_READONLY);
    if (!s)
        return CLI_FAIL;
    Err err = {0};
    const char *names[64];
    int64_t counts[64];
    int version = save_schema_version(s);
    printf("save:   %s\n", ctx->save_path);
    printf("format: %d (this game writes %d)\n", version, save_latest_version());
    int n = save_table_counts(s, names, counts, 64, &err);
    if (n < 0) {
        save_close(s);
        return cli_fail(&err);
    }
    printf("tables:\n");
    for (int i = 0; i < n; i++)
        printf("  %-24s %10lld\n", names[i], (long long)counts[i]);
    if (version == save_latest_version()) {
        WorldRow *worlds = NULL;
        int nw = 0;
        if (worlds_list(s, &worlds, &nw, &err) != MA_OK) {
            save_close(s);
            return cli_fail(&err);
        }
        printf("worlds:%s\n", nw ? "" : " none yet (create one with `world create NAME`)");
        for (int i = 0; i < nw; i++) {
            int64_t chunks = 0, chars = 0;
            worlds_counts(s, worlds[i].id, &chunks, &chars, NULL);
            printf("  %-16s seed %-20lld type %-10s chunks %-8lld characters %lld\n", cli_safe(worlds[i].name),
                   (long long)worlds[i].seed, cli_safe(worlds[i].world_type), (long long)chunks, (long long)chars);
        }
        worlds_list_free(worlds, nw);
    }
    save_close(s);
    return CLI_OK;
}

static void print_problem(const char *problem, void *ud)
{
    (void)ud;
    printf("PROBLEM %s\n", cli_safe(problem));
}

/* The world layer's check: every stored chunk decodes (the save layer cannot
 * read block_data). Prints each broken chunk; returns how many, or < 0. */
static int check_chunks(Save *s, void *ud, Err *err)
{
    (void)ud;
    if (save_schema_version(s) != save_latest_version())
        return 0; /* the chunk table of an older format is checked once upgraded */
    BlockRegistry *reg = NULL;
    int rc = blocks_load_default(&reg, err);
    if (rc != MA_OK)
        return rc;
    int problems = world_verify_chunks(s, reg, print_problem, NULL, err);
    blocks_free(reg);
    return problems;
}

/* The agents' part: every applied evolution entry's blocks and entities still hold what it left,
 * or a later entry or the player's own hand explains why not (src/agents/evolution.h). */
static int check_evolution(Save *s, Err *err)
{
    if (save_schema_version(s) != save_latest_version())
        return 0;
    BlockRegistry *reg = NULL;
    WorldRow *worlds = NULL;
    int nw = 0, problems = 0;
    int rc = blocks_load_default(&reg, err);
    if (rc == MA_OK)
        rc = worlds_list(s, &worlds, &nw, err);
    for (int i = 0; rc == MA_OK && i < nw; i++) {
        World *w = NULL;
        if ((rc = world_open(s, reg, NULL, worlds[i].id, 0, &w, err)) != MA_OK)
            break;
        int n = evolution_verify(s, w, worlds[i].id, print_problem, NULL, err);
        world_close(w);
        if (n == MA_ERR_CORRUPT) { /* a chunk it needs does not load (listed above): a problem too */
            printf("PROBLEM world '%s' (id %lld): its evolution log could not be checked: %s\n", cli_safe(worlds[i].name),
                   (long long)worlds[i].id, cli_safe(err->msg));
            problems++;
        } else if (n < 0) {
            rc = n;
        } else {
            problems += n;
        }
    }
    worlds_list_free(worlds, nw);
    blocks_free(reg);
    return rc == MA_OK ? problems : rc;
}

/* A stage of verify that stopped with an error: a damaged save (SQLite finds it malformed) is a
 * problem found, printed as one (exit 3), and the stages after it still run; any other error (out
 * of memory, a read failing) ends verify as a failure. */
static int stage_done(int n, const char *stage, int *problems, Err *err)
{
    if (n >= 0) {
        *problems += n;
        return 1;
    }
    if (n == MA_ERR_CORRUPT) {
        printf("PROBLEM %s could not be checked: %s\n", stage, cli_safe(err->msg));
        (*problems)++;
        *err = (Err){0};
        return 1;
    }
    return 0;
}

static int cmd_verify(CliCtx *ctx)
{
    Save *s = cli_open_save(ctx, SAVE_READONLY);
    if (!s)
        return CLI_FAIL;
    Err err = {0};
    int problems = 0;
    int ok = stage_done(save_verify(s, print_problem, NULL, &err), "the save", &problems, &err) &&
             stage_done(check_chunks(s, NULL, &err), "the chunks", &problems, &err) &&
             stage_done(check_evolution(s, &err), "the evolution log", &problems, &err);
    if (ok && save_schema_version(s) == save_latest_version())
        ok = stage_done(game_verify(s, print_problem, NULL, &err), "the game's invariants", &problems, &err);
    save_close(s);
    if (!ok)
        return cli_fail(&err);
    if (problems == 0) {
        printf("%s: ok (integrity, foreign keys, game invariants, every chunk and the evolution log)\n", ctx->save_path);
        return CLI_OK;
    }
    printf("%s: %d problem%s found\n", ctx->save_path, problems, problems == 1 ? "" : "s");
    return CLI_PROBLEMS;
}

/* `backup list`: the automatic backups of the save, oldest first. */
static int backup_list_cmd(CliCtx *ctx)
{
    Err err = {0};
    BackupInfo *v = NULL;
    int n = 0;
    if (backup_list(ctx->save_path, &v, &n, &err) != MA_OK)
        return cli_fail(&err);
    BackupSettings set;
    if (backup_settings_from_env(&set, &err) != MA_OK)
        fprintf(stderr, "magic-adventure: %s\n", cli_safe(err.msg));
    char folder[4096], kept[64];
    backup_folder(ctx->save_path, folder, sizeof folder);
    if (set.retention_days)
        snprintf(kept, sizeof kept, "kept %d days", set.retention_days);
    else
        snprintf(kept, sizeof kept, "kept forever");
    if (n == 0) {
        printf("no backups of %s yet in %s (they are made %s; `backup` makes one now)\n", cli_safe(ctx->save_path),
               cli_safe(folder), set.when == BACKUP_DEFAULT_WHEN ? "on quit and once a game day"
                                 : set.when == BACKUP_ON_QUIT ? "on quit" : set.when == BACKUP_DAILY ? "once a game day"
                                 : "only by hand: MAGIC_BACKUP_SCHEDULE is off");
        return CLI_OK;
    }
    printf("backups of %s in %s (%s):\n", cli_safe(ctx->save_path), cli_safe(folder), kept);
    printf("  %-23s %10s  %-7s %s\n", "made (UTC)", "size", "reason", "file");
    for (int i = 0; i < n; i++) {
        char when[32];
        snprintf(when, sizeof when, "%.10s %.8s", v[i].time, v[i].time + 11);
        printf("  %-23s %10.1f kB  %-7s %s\n", when, (double)v[i].bytes / 1024.0, v[i].reason, cli_safe(v[i].path));
    }
    free(v);
    return CLI_OK;
}

/* A backup copies the save's pages as they are: one of a damaged save is damaged too, and
 * restore would refuse it. Said at once (exit 3, as verify's problems), the copy kept. */
static int backup_damaged(CliCtx *ctx, const char *path, const char *found)
{
    fprintf(stderr,
            "magic-adventure: the save %s is damaged, and so is this copy of it, %s (%s): `restore` will refuse it. "
            "`magic-adventure --save %s verify` lists the damage; restore an earlier backup (`backup list`)\n",
            cli_safe(ctx->save_path), cli_safe(path), cli_safe(found), cli_safe(ctx->save_path));
    return CLI_PROBLEMS;
}

static int backup_checked(CliCtx *ctx, const char *path)
{
    Err err = {0};
    return save_backup_check(path, &err) == MA_OK ? CLI_OK : backup_damaged(ctx, path, err.msg);
}

static int cmd_backup(CliCtx *ctx)
{
    if (ctx->argc == 2 && strcmp(ctx->argv[1], "list") == 0)
        return backup_list_cmd(ctx);
    if (ctx->argc == 2 && !ctx->argv[1][0])
        return cli_usage_error(ctx, "FILE is empty: give a file name, or nothing for a backup into the backups folder");
    Save *s = cli_open_save(ctx, SAVE_READONLY);
    if (!s)
        return CLI_FAIL;
    Err err = {0};
    if (ctx->argc == 1) {
        BackupSettings set;
        if (backup_settings_from_env(&set, &err) != MA_OK)
            fprintf(stderr, "magic-adventure: %s\n", cli_safe(err.msg));
        BackupInfo made;
        int pruned = 0;
        int rc = backup_auto(s, "manual", set.retention_days, &made, &pruned, &err);
        save_close(s);
        if (rc != MA_OK)
            return cli_fail(&err);
        printf("backed up %s to %s", cli_safe(ctx->save_path), cli_safe(made.path));
        if (pruned)
            printf(" (removed %d backup%s older than %d days)", pruned, pruned == 1 ? "" : "s", set.retention_days);
        printf("\n");
        return made.damaged[0] ? backup_damaged(ctx, made.path, made.damaged) : CLI_OK;
    }
    int rc = save_backup(s, ctx->argv[1], &err);
    save_close(s);
    if (rc != MA_OK)
        return cli_fail(&err);
    printf("backed up %s to %s\n", cli_safe(ctx->save_path), cli_safe(ctx->argv[1]));
    return backup_checked(ctx, ctx->argv[1]);
}

static int cmd_restore(CliCtx *ctx)
{
    SaveRestoreOpts ro = {.check = check_chunks, .world = cli_opt(ctx, "world"), .character = cli_opt(ctx, "character")};
    if (ctx->argc != 2)
        return cli_usage_error(ctx, "expects one FILE to restore from");
    if (ro.character && !ro.world)
        return cli_usage_error(ctx, "--character NAME needs --world W, the world the character lives in");
    const char *file = ctx->argv[1];
    Err err = {0};
    SaveRestoreResult res;
    /* A damaged save, which cannot be opened or read through, is moved aside whole instead. */
    Save *s = NULL;
    cli_default_folder(ctx);
    int existed = access(ctx->save_path, F_OK) == 0; /* a save made here just now holds nothing to keep */
    int rc = save_open(ctx->save_path, SAVE_CREATE, &s, &err);
    if (rc == MA_ERR_CORRUPT) {
        rc = save_restore_over_damaged(ctx->save_path, file, &ro, &res, &err);
    } else {
        if (rc != MA_OK && !(s = cli_open_save(ctx, SAVE_CREATE))) /* its own words for the rest */
            return CLI_FAIL;
        rc = save_restore_from(s, file, &ro, &res, &err);
        save_close(s);
        if (rc != MA_OK && res.damaged)
            rc = save_restore_over_damaged(ctx->save_path, file, &ro, &res, &err);
    }
    if (rc != MA_OK)
        return cli_fail(&err);
    if (!existed && res.kept[0]) {
        unlink(res.kept);
        res.kept[0] = '\0';
    }
    if (ro.character)
        printf("recovered character '%s' of world '%s' in %s from %s: %lld rows written", cli_safe(ro.character),
               cli_safe(ro.world), cli_safe(ctx->save_path), cli_safe(file), (long long)res.rows);
    else if (ro.world)
        printf("rolled world '%s' of %s back to %s: %lld rows written", cli_safe(ro.world), cli_safe(ctx->save_path),
               cli_safe(file), (long long)res.rows);
    else
        printf("restored %s from %s", cli_safe(ctx->save_path), cli_safe(file));
    if (res.skipped)
        printf(" (%lld left out: what they refer to is no longer in the save)", (long long)res.skipped);
    printf("%s\n", ro.world ? "; the rest of the save was not touched" : "");
    if (res.kept[0])
        printf("the save as it was%s is kept at %s\n", res.damaged ? " (damaged)" : "", cli_safe(res.kept));
    return CLI_OK;
}

static int cmd_sample_data(CliCtx *ctx)
{
    long long users = 5, seed = 1, steps = 60;
    if (cli_opt_int(ctx, "users", 1, 10000, &users) == CLI_USAGE || cli_opt_int(ctx, "seed", LLONG_MIN, LLONG_MAX, &seed) == CLI_USAGE ||
        cli_opt_int(ctx, "steps", 0, 100000, &steps) == CLI_USAGE)
        return CLI_USAGE;
    if (cli_flag(ctx, "no-play"))
        steps = 0;
    Save *s = cli_open_save(ctx, SAVE_CREATE);
    if (!s)
        return CLI_FAIL;
    Err err = {0};
    SampleStats stats;
    int rc = sample_generate(s, (int)users, (uint64_t)seed, (int)steps, &stats, &err);
    save_close(s);
    if (rc != MA_OK)
        return cli_fail(&err);
    printf("added sample data to %s (seed %lld): %d %s, %d %s, %d %s; %d %s played through "
           "the game's rules (%d carried out, the rest refused as the game refuses them)\n",
           ctx->save_path, seed, stats.users, stats.users == 1 ? "player" : "players", stats.worlds,
           stats.worlds == 1 ? "world" : "worlds", stats.characters, stats.characters == 1 ? "character" : "characters",
           stats.actions, stats.actions == 1 ? "action" : "actions", stats.done);
    return CLI_OK;
}

int cmd_play_default(CliCtx *ctx)
{
    /* The full-screen client needs a terminal on both ends. */
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "magic-adventure: the game needs a terminal (standard input and output are not one).\n"
                        "To play without one, give actions as text: magic-adventure play --script FILE "
                        "(or --script - to read them from standard input).\n");
        return CLI_FAIL;
    }
    cli_default_folder(ctx);
    return client_run(ctx->save_path, ctx->resume);
}

const CliCommand cli_cmd_init = {
    "init", "", "create the save, or upgrade an older one to this version", cmd_init, 0, {{0}}, NULL,
};
const CliCommand cli_cmd_info = {
    "info", "", "show the save's format version, row counts and worlds", cmd_info, 0, {{0}}, NULL,
};
const CliCommand cli_cmd_verify = {
    "verify", "", "check the save: integrity, foreign keys, the game's invariants", cmd_verify, 0, {{0}}, NULL,
};
const CliCommand cli_cmd_backup = {
    "backup", "[FILE | list]",
    "copy the save to a new FILE (online, safe while playing), or into its backups folder; list: the backups made",
    cmd_backup, 1, {{0}}, NULL,
};
const CliCommand cli_cmd_restore = {
    "restore", "FILE [--world NAME [--character NAME]]",
    "replace the save with the backup FILE, or roll back one world, or recover one character (the save as it was "
    "is kept as a new .before-restore.bak)",
    cmd_restore, 1,
    {{"world", 'w', "NAME", "roll back only this world"},
     {"character", 'c', "NAME", "recover only this character (of --world)"}},
    NULL,
};
const CliCommand cli_cmd_sample_data = {
    "sample-data", "[--users N] [--seed S] [--steps N] [--no-play]",
    "players, worlds and characters made by the game, each character playing N actions (60) through the game's "
    "rules with the world's agents",
    cmd_sample_data, 0,
    {{"users", 'u', "N", "how many players (1 to 10000; 5)"},
     {"seed", 'S', "S", "the seed of everything made (1)"},
     {"steps", 'n', "N", "actions each character plays (0 to 100000; 60)"},
     {"no-play", 'N', NULL, "make the characters but play no actions"}},
    NULL,
};
