/* world_verify.h — the world layer's part of `verify` and `restore`: every
 * stored chunk must decode.
 *
 * src/save checks what SQL can see (integrity, foreign keys, invariants); a
 * chunk's block_data is only understood by the codec here, so the command
 * line runs this check after save_verify, and restore runs it on the file it
 * is about to restore (through save_restore_from's check). */
#ifndef MA_WORLD_WORLD_VERIFY_H
#define MA_WORLD_WORLD_VERIFY_H

#include "save/save.h"
#include "world/blocks.h"

/* Decodes every stored chunk of every world with chunk_decode. Calls
 * report once per chunk that does not decode ("world 'NAME' (id N): chunk
 * X,Y,Z does not load: reason"). Returns the number of such chunks, or a
 * negative status (err set) when the save could not be read. */
int world_verify_chunks(Save *s, const BlockRegistry *reg, SaveProblemFn report, void *ud, Err *err);

#endif
