/* chunks.c — the world_chunks table: stored chunk JSON by coordinates.
 *
 * block_data is written by src/world/chunk_codec.c (see docs/chunk-format.md);
 * this file only moves text in and out. chunks_put is an upsert that bumps
 * the version, so every stored change is counted. */
#include "save/chunks.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "save/save_internal.h"
#include "util/timeutil.h"

void chunk_row_clear(ChunkRow *r)
{
    if (!r)
        return;
    free(r->block_data);
    free(r->structures);
    memset(r, 0, sizeof *r);
}

/* Statements need an Err to report into; callers may pass NULL. */
#define LOCAL_ERR(err)                                                                                                 \
    Err local_err_;                                                                                                    \
    if (!(err))                                                                                                        \
    (err) = &local_err_

int chunks_get(Save *s, int64_t world_id, int32_t cx, int32_t cy, int32_t cz, ChunkRow *out, Err *err)
{
    static const char sql[] = "SELECT block_data, structures, version FROM world_chunks "
                              "WHERE world_id = ? AND chunk_x = ? AND chunk_y = ? AND chunk_z = ?";
    LOCAL_ERR(err);
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_int(st, 2, cx);
    sqlite3_bind_int(st, 3, cy);
    sqlite3_bind_int(st, 4, cz);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return err_set(err, MA_ERR_NOT_FOUND, "%s: world %lld has no stored chunk %d,%d,%d", save_path(s),
                       (long long)world_id, cx, cy, cz);
    }
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return save_db_error(s, rc, err, "reading a chunk");
    }
    const char *bd = (const char *)sqlite3_column_text(st, 0);
    size_t bl = (size_t)sqlite3_column_bytes(st, 0);
    const char *sd = (const char *)sqlite3_column_text(st, 1);
    size_t sl = (size_t)sqlite3_column_bytes(st, 1);
    out->block_data = malloc(bl + 1);
    out->structures = malloc(sl + 1);
    if (!out->block_data || !out->structures) {
        sqlite3_reset(st);
        chunk_row_clear(out);
        return err_set(err, MA_ERR_NOMEM, "out of memory reading chunk %d,%d,%d", cx, cy, cz);
    }
    if (bl)
        memcpy(out->block_data, bd, bl);
    out->block_data[bl] = '\0';
    out->block_len = bl;
    if (sl)
        memcpy(out->structures, sd, sl);
    out->structures[sl] = '\0';
    /* A version past INT64_MAX (written by an older game's + 1) reads back as a REAL. */
    int vtype = sqlite3_column_type(st, 2);
    out->version = sqlite3_column_int64(st, 2);
    sqlite3_reset(st);
    if (vtype != SQLITE_INTEGER || out->version < 1) {
        chunk_row_clear(out);
        return err_set(err, MA_ERR_CORRUPT, "%s: world %lld chunk %d,%d,%d: version is not a whole number from 1 to %lld",
                       save_path(s), (long long)world_id, cx, cy, cz, (long long)INT64_MAX);
    }
    return MA_OK;
}

int chunks_put(Save *s, int64_t world_id, int32_t cx, int32_t cy, int32_t cz, const char *block_data,
               size_t block_len, const char *structures, int64_t *version_out, Err *err)
{
    /* The timestamps are bound, formatted here once a millisecond, rather
     * than the columns' strftime default run twice a row (pregen stores tens
     * of thousands of rows a second). The version stops at INT64_MAX (the
     * WHERE leaves the row as it is, and no row comes back), where + 1 would
     * turn it into a REAL. */
    static const char sql[] =
        "INSERT INTO world_chunks (world_id, chunk_x, chunk_y, chunk_z, block_data, structures, version, "
        "created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 1, ?7, ?7) "
        "ON CONFLICT (world_id, chunk_x, chunk_y, chunk_z) DO UPDATE SET "
        "block_data = excluded.block_data, structures = excluded.structures, version = version + 1, "
        "updated_at = excluded.updated_at "
        "WHERE version < 9223372036854775807 "
        "RETURNING version";
    static _Thread_local int64_t stamp_ms = -1;
    static _Thread_local char stamp[TIME_ISO_LEN];
    LOCAL_ERR(err);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_int(st, 2, cx);
    sqlite3_bind_int(st, 3, cy);
    sqlite3_bind_int(st, 4, cz);
    sqlite3_bind_text(st, 5, block_data, (int)block_len, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, structures ? structures : "[]", -1, SQLITE_STATIC);
    int64_t now = time_now_ms();
    if (now != stamp_ms) {
        time_iso(now, stamp);
        stamp_ms = now;
    }
    sqlite3_bind_text(st, 7, stamp, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return err_set(err, MA_ERR_CONSTRAINT,
                       "%s: chunk %d,%d,%d of world %lld has reached the last version (%lld); it is left unchanged",
                       save_path(s), cx, cy, cz, (long long)world_id, (long long)INT64_MAX);
    }
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        rc = save_db_error(s, rc, err, "storing a chunk");
        err_prefix(err, "chunk %d,%d,%d of world %lld", cx, cy, cz, (long long)world_id);
        return rc;
    }
    if (version_out)
        *version_out = sqlite3_column_int64(st, 0);
    /* Step to the end so the write completes before the reset. */
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return save_db_error(s, rc, err, "storing a chunk");
    return MA_OK;
}

int chunks_exists(Save *s, int64_t world_id, int32_t cx, int32_t cy, int32_t cz, Err *err)
{
    static const char sql[] = "SELECT 1 FROM world_chunks "
                              "WHERE world_id = ? AND chunk_x = ? AND chunk_y = ? AND chunk_z = ?";
    LOCAL_ERR(err);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_int(st, 2, cx);
    sqlite3_bind_int(st, 3, cy);
    sqlite3_bind_int(st, 4, cz);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return save_db_error(s, rc, err, "looking up a chunk");
}

int chunks_any_in_area(Save *s, int64_t world_id, int32_t cx0, int32_t cz0, int32_t cx1, int32_t cz1, Err *err)
{
    static const char sql[] = "SELECT 1 FROM world_chunks WHERE world_id = ? AND chunk_x BETWEEN ? AND ? "
                              "AND chunk_z BETWEEN ? AND ? LIMIT 1";
    LOCAL_ERR(err);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_int(st, 2, cx0 < cx1 ? cx0 : cx1);
    sqlite3_bind_int(st, 3, cx0 < cx1 ? cx1 : cx0);
    sqlite3_bind_int(st, 4, cz0 < cz1 ? cz0 : cz1);
    sqlite3_bind_int(st, 5, cz0 < cz1 ? cz1 : cz0);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return save_db_error(s, rc, err, "looking up chunks");
}

int chunks_each(Save *s, int64_t world_id, ChunkVisitFn fn, void *ud, Err *err)
{
    /* Not the cached statement: fn may call back into the save (chunks_get). */
    static const char sql[] = "SELECT chunk_x, chunk_y, chunk_z, block_data, structures, version "
                              "FROM world_chunks WHERE world_id = ? ORDER BY chunk_x, chunk_y, chunk_z";
    LOCAL_ERR(err);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return save_db_error(s, rc, err, "listing chunks");
    sqlite3_bind_int64(st, 1, world_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *bd = (const char *)sqlite3_column_text(st, 3);
        size_t bl = (size_t)sqlite3_column_bytes(st, 3);
        const char *sd = (const char *)sqlite3_column_text(st, 4);
        if (fn(sqlite3_column_int(st, 0), sqlite3_column_int(st, 1), sqlite3_column_int(st, 2), bd ? bd : "", bl,
               sd ? sd : "[]", sqlite3_column_int64(st, 5), ud)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return save_db_error(s, rc, err, "listing chunks");
    return MA_OK;
}
