/* push.h — applying a push batch: one transaction, an answer per operation.
 *
 * The batch is one unit of work (one transaction, as every unit of work in this project).
 * Inside it each operation is decided on its own, in order: applied (with the row's new
 * version), duplicate (its op id was applied before: the first answer is returned), conflict
 * (the server's row is returned and the server's state stands; a chunk edit's other blocks
 * still merge), or rejected (not allowed: another player's character, an unknown reference).
 * The answers are stored with the op ids in the same transaction, so a batch replayed after
 * a cut connection changes nothing twice. */
#ifndef MA_SERVER_PUSH_H
#define MA_SERVER_PUSH_H

#include <cJSON.h>

#include "db.h"
#include "db_users.h"
#include "server.h"
#include "sync_ops.h"

/* Runs b inside the open transaction of db. MA_OK with *answer ({"results": [...],
 * "seq_head": N}); DB_RETRY when a concurrent push got to a row first (roll back, run again);
 * another status with err on failure. */
int push_apply(Server *srv, Db *db, int64_t world, int64_t user, const WorldAccess *wa, const SyncBatch *b,
               cJSON **answer, Err *err);

#endif
