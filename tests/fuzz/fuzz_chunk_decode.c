/* fuzz_chunk_decode.c — libFuzzer target for the chunk decoder.
 *
 * Feeds arbitrary bytes to chunk_decode with the default block registry;
 * any input must give either a chunk or an error, never a crash or
 * undefined behaviour. A decoded chunk is re-encoded and decoded again,
 * which must succeed and give the same blocks.
 * Run it with `scripts/fuzz fuzz_chunk_decode SECONDS` (corpus: tests/fuzz/fuzz_chunk_decode/). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "world/chunk_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static BlockRegistry *reg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!reg && blocks_load_default(&reg, NULL) != MA_OK)
        abort();
    /* The decoder gets NUL-terminated text from SQLite; give it the same. */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    Chunk *c = NULL;
    Err err;
    if (chunk_decode(text, size, NULL, reg, 1, 2, 3, &c, &err) == MA_OK) {
        size_t len = 0;
        char *again = chunk_encode(c, reg, &len, &err);
        if (!again)
            abort();
        Chunk *d = NULL;
        if (chunk_decode(again, len, NULL, reg, 1, 2, 3, &d, &err) != MA_OK)
            abort();
        for (int i = 0; i < CHUNK_VOLUME; i++)
            if (chunk_get(c, i & 15, i >> 8, (i >> 4) & 15) != chunk_get(d, i & 15, i >> 8, (i >> 4) & 15))
                abort();
        chunk_free(d);
        free(again);
        chunk_free(c);
    }
    free(text);
    return 0;
}
