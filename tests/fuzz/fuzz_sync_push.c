/* fuzz_sync_push.c — libFuzzer target for the push parser and the merge.
 *
 * Feeds arbitrary bytes to sync_batch_parse (what the server does with a push body before it
 * touches the database). Any input must give a batch or an error, never a crash or undefined
 * behaviour. A batch that parses is merged as the server would: each chunk_edit into a chunk
 * (which is then encoded and decoded again, and must give the same blocks), each history into
 * a history, each quest progress into a quest state.
 *   scripts/fuzz fuzz_sync_push 180   (uses tests/fuzz/fuzz_sync_push.dict) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync_merge.h"
#include "sync_ops.h"
#include "world/chunk_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static BlockRegistry *reg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!reg && blocks_load_default(&reg, NULL) != MA_OK)
        abort();
    SyncBatch *b = NULL;
    Err err;
    /* The server hands over exactly the bytes received (not NUL-terminated). */
    char *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    if (sync_batch_parse(copy, size, reg, &b, &err) != MA_OK) {
        free(copy);
        return 0;
    }
    Chunk *c = chunk_new(0, 4, 0, (BlockId)blocks_find(reg, "stone"));
    cJSON *conflicts = cJSON_CreateArray(), *hist = cJSON_CreateArray();
    SyncQuestState q = {0};
    for (int i = 0; i < b->n; i++) {
        const SyncOp *op = &b->ops[i];
        int changed = 0;
        if (op->kind == SYNC_CHUNK_EDIT && sync_merge_chunk(c, reg, op, conflicts, &changed) != MA_OK)
            abort();
        if (op->kind == SYNC_RELATIONSHIP && op->entries) {
            if (sync_merge_history(hist, op->entries) < 0)
                abort();
            int v = sync_relationship_value(hist);
            if (v < -100 || v > 100)
                abort();
        }
        if (op->kind == SYNC_QUEST_PROGRESS && sync_merge_quest(&q, op, conflicts) != MA_OK)
            abort();
    }
    size_t len = 0;
    char *text = chunk_encode(c, reg, &len, &err);
    if (!text)
        abort();
    Chunk *d = NULL;
    if (chunk_decode(text, len, NULL, reg, 0, 4, 0, &d, &err) != MA_OK)
        abort();
    for (int i = 0; i < CHUNK_VOLUME; i++)
        if (chunk_get(c, i & 15, i >> 8, (i >> 4) & 15) != chunk_get(d, i & 15, i >> 8, (i >> 4) & 15))
            abort();
    chunk_free(d);
    free(text);
    sync_quest_state_clear(&q);
    cJSON_Delete(hist);
    cJSON_Delete(conflicts);
    chunk_free(c);
    sync_batch_free(b);
    free(copy);
    return 0;
}
