/* llm_stub.c — see llm_stub.h. */
#include "llm_stub.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

void llm_stub_start(LlmStub *st, const char *dir, const char *script)
{
    static int n;
    memset(st, 0, sizeof *st);
    char port_file[512];
    snprintf(st->script, sizeof st->script, "%s/stub%d.json", dir, n);
    snprintf(st->log, sizeof st->log, "%s/stub%d.log", dir, n);
    snprintf(port_file, sizeof port_file, "%s/stub%d.port", dir, n);
    n++;
    th_write_file(st->script, script, -1);
    unlink(port_file);
    unlink(st->log);
    char stub[512];
    snprintf(stub, sizeof stub, "%s/llm_stub.py", getenv("MAGIC_TEST_DIR") ? getenv("MAGIC_TEST_DIR") : "tests");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* The stub ends with the test: a failed assertion jumps past llm_stub_stop, and a stub
         * left running holds the test's output open until meson's timeout. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        execlp("python3", "python3", stub, "--script", st->script, "--port-file", port_file, "--log", st->log,
               "--lifetime", "600", (char *)NULL);
        _exit(127);
    }
    st->pid = pid;
    for (int i = 0; i < 200; i++) {
        size_t len = 0;
        FILE *f = fopen(port_file, "r");
        if (f) {
            fclose(f);
            char *text = th_read_file(port_file, &len);
            st->port = atoi(text);
            free(text);
            break;
        }
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (st->port <= 0) {
        llm_stub_stop(st);
        fail_msg("the LLM stub (%s) did not start", stub);
    }
    snprintf(st->url, sizeof st->url, "http://127.0.0.1:%d/v1", st->port);
}

void llm_stub_stop(LlmStub *st)
{
    if (st->pid > 0) {
        kill(st->pid, SIGTERM);
        waitpid(st->pid, NULL, 0);
        st->pid = 0;
    }
}

char *llm_stub_requests(const LlmStub *st)
{
    FILE *f = fopen(st->log, "r");
    if (!f)
        return strdup("");
    fclose(f);
    size_t len = 0;
    return th_read_file(st->log, &len);
}

int llm_stub_count(const LlmStub *st, const char *path)
{
    char *log = llm_stub_requests(st);
    int n = 0;
    char needle[128];
    snprintf(needle, sizeof needle, "\"path\": \"/v1%s", path);
    for (const char *p = strstr(log, needle); p; p = strstr(p + 1, needle))
        n++;
    free(log);
    return n;
}

int llm_stub_closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}
