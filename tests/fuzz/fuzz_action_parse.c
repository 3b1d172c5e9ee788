/* fuzz_action_parse.c — libFuzzer target for the play-script parser.
 *
 * Each input is one line of a `play --script` file: action_parse must turn
 * it into an Action, call it blank, or refuse it with a message; never crash
 * or read past the line. A parsed action's words must be NUL-terminated.
 * Run it with `scripts/fuzz fuzz_action_parse SECONDS`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "game/action.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);
    if (!line)
        return 0;
    memcpy(line, data, size);
    line[size] = '\0';
    Action a;
    Err err;
    int rc = action_parse(line, &a, &err);
    if (rc > 0 && (memchr(a.block, '\0', sizeof a.block) == NULL || memchr(a.arg, '\0', sizeof a.arg) == NULL ||
                   memchr(a.target, '\0', sizeof a.target) == NULL))
        abort();
    if (rc < 0 && memchr(err.msg, '\0', sizeof err.msg) == NULL)
        abort();
    free(line);
    return 0;
}
