/* cli_llm.c — `llm check`, and opening the LLM session for the client and
 * `play --script` (src/agents/agents_llm.h).
 *
 * `llm check` reaches the endpoint configured (MAGIC_LLM_URL ...), lists its
 * models when it can, sends one tiny request, and prints the latency of each
 * step and, when something failed, what failed in words a user can act on
 * (connection refused, TLS, 401, 404 model, timeout). Exit status 0 when the
 * tiny request came back, 1 when not (or when the LLM is off). */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "agents/agents_llm.h"
#include "net/llm.h"

static int cmd_llm_check(CliCtx *ctx)
{
    LlmConfig cfg;
    llm_config_load(&cfg);
    char line[1400];
    llm_config_describe(&cfg, line, sizeof line);
    printf("LLM: %s\n", cli_safe(line));
    if (cfg.on && cfg.problem[0])
        printf("note: %s\n", cli_safe(cfg.problem));
    if (cfg.file[0])
        printf("config file: %s\n", cli_safe(cfg.file));
    if (!cfg.on) {
        printf("To use one, start a local model server and point the game at it, for example:\n"
               "  llama-server -m MODEL.gguf --port 8080      then  MAGIC_LLM_URL=http://127.0.0.1:8080/v1\n"
               "  ollama serve; ollama pull llama3.2          then  MAGIC_LLM_URL=http://127.0.0.1:11434/v1 "
               "MAGIC_LLM_MODEL=llama3.2\n");
        return CLI_FAIL;
    }
    LlmProbe p;
    llm_probe(&cfg, &p);
    if (p.reached) {
        printf("models: HTTP %ld in %.0f ms", p.models_status, p.models_seconds * 1000);
        for (int i = 0; i < p.n_models; i++)
            printf("%s%s", i ? ", " : ": ", cli_safe(p.models[i]));
        if (p.more_models)
            printf(" and %d more", p.more_models);
        printf("\n");
    }
    if (p.chat_ok) {
        printf("chat: a tiny request to %s came back in %.0f ms", cli_safe(p.model), p.chat_seconds * 1000);
        if (p.prompt_tokens >= 0)
            printf(" (%ld prompt + %ld completion tokens)", p.prompt_tokens, p.completion_tokens);
        printf("\nok: the agents and villagers will write through it.\n");
        return CLI_OK;
    }
    printf("failed: %s\n", cli_safe(p.error));
    if (p.advice[0])
        printf("what to do: %s\n", cli_safe(p.advice));
    printf("The game plays on without it: the offline rules write everything.\n");
    return CLI_FAIL;
}

int cli_llm_drain_ms(void)
{
    LlmConfig cfg;
    llm_config_load(&cfg);
    /* One request and its retry, and a little more: nobody waits at the keyboard here. */
    return (cfg.timeout_s * 2 + 5) * 1000;
}

static const CliCommand llm_subs[] = {
    {"check", "", "the LLM endpoint (MAGIC_LLM_URL): reach it, list its models, send one tiny request, say what failed",
     cmd_llm_check, 0, {{0}}, NULL},
    {NULL, NULL, NULL, NULL, 0, {{0}}, NULL},
};
const CliCommand cli_cmd_llm = {
    "llm", NULL, "the LLM endpoint (MAGIC_LLM_URL): reach it, list its models, send one tiny request, say what failed",
    NULL, 0, {{0}}, llm_subs,
};
