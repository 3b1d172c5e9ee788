/* llm_stub.h — starts and stops tests/llm_stub.py, the scripted
 * OpenAI-compatible endpoint on a loopback port, for the LLM tests. */
#ifndef MA_TESTS_LLM_STUB_H
#define MA_TESTS_LLM_STUB_H

#include <sys/types.h>

typedef struct LlmStub {
    pid_t pid;
    int port;
    char url[64];    /* http://127.0.0.1:PORT/v1 */
    char log[512];   /* one JSON line a request */
    char script[512];
} LlmStub;

/* Writes script (the JSON of llm_stub.py) under dir and starts the stub;
 * fails the test when it does not come up. */
void llm_stub_start(LlmStub *st, const char *dir, const char *script);
void llm_stub_stop(LlmStub *st);
/* How many requests the stub saw whose path contains `path`. */
int llm_stub_count(const LlmStub *st, const char *path);
/* The request log (heap; "" when none). */
char *llm_stub_requests(const LlmStub *st);
/* A loopback port nothing listens on (bound, then closed). */
int llm_stub_closed_port(void);

#endif
