/* launch.c — opening the save, a random seed and the player's name, shared by the command line
 * (cli*.c) and the client (client.c). See launch.h. */
#include "launch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/agents_llm.h"
#include "net/llm.h"
#include "util/prng.h"
#include "util/text.h"

static const char *prog = "magic-adventure";

Save *launch_open_save(const char *path, int flags)
{
    Err err = {0};
    Save *s = NULL;
    char safe[2048];
    if (save_open(path, flags, &s, &err) != MA_OK) {
        fprintf(stderr, "%s: %s\n", prog, text_escape(err.msg, safe, sizeof safe));
        return NULL;
    }
    if (save_notice(s))
        fprintf(stderr, "%s: %s\n", prog, text_escape(save_notice(s), safe, sizeof safe));
    if (save_migration_backup(s))
        fprintf(stderr, "%s: upgraded %s to save format %d (the old one is kept at %s)\n", prog, path,
                save_latest_version(), save_migration_backup(s));
    return s;
}

uint64_t launch_random_seed(void)
{
    long long fixed;
    const char *env = getenv("MAGIC_SEED");
    if (env && *env && launch_parse_seed(env, &fixed) == 0)
        return (uint64_t)fixed;
    return util_random_seed();
}

const char *launch_username(void)
{
    const char *u = getenv("USER");
    if (!u || !*u)
        u = getenv("LOGNAME");
    return u && *u ? u : "player";
}

int launch_parse_seed(const char *text, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || !*text || *end || v < 0)
        return -1;
    *out = v;
    return 0;
}

int launch_agents_wanted(void)
{
    const char *v = getenv("MAGIC_AGENTS");
    return !v || (strcmp(v, "off") != 0 && strcmp(v, "0") != 0);
}

AgentsLlm *launch_llm_open(Game *g, char *note, size_t size)
{
    note[0] = '\0';
    LlmConfig cfg;
    llm_config_load(&cfg);
    if (!cfg.on) {
        if (cfg.problem[0])
            snprintf(note, size, "LLM off: %s", cfg.problem);
        return NULL;
    }
    AgentsLlm *l = NULL;
    Err err = {0};
    if (agents_llm_open(game_save(g), game_world(g), &cfg, &l, &err) != MA_OK) {
        snprintf(note, size, "LLM off: %s", err.msg);
        return NULL;
    }
    if (cfg.problem[0])
        snprintf(note, size, "LLM: %s", cfg.problem);
    return l;
}
