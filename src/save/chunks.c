/* chunks.c — the world_chunks table: stored chunk JSON by coordinates.
 *
 * block_data is written by src/world/chunk_codec.c (see docs/chunk-format.md);
 * this file only moves text in and out. chunks_put is an upsert that bumps
 * the version, so every stored change is counted; chunks_insert stores a
 * chunk known to be new (world_store_area), without the upsert's work.
 *
 * Row ids: a chunk is stored under an id made of its coordinates
 * (chunk_rowid) where they fit, so that reading it is one search of the
 * table rather than one of the coordinates' index and then one of the table
 * (about half the time of a read from a large save). Rows written otherwise
 * (by an older game, sample data, or where that id was taken) are found
 * through the index, as before: the id is a shortcut, never a promise. */
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

/* The id of a chunk's row when its coordinates fit: the world (6 bits),
 * chunk x and chunk z (16 bits each, offset to be positive) and chunk y
 * (4 bits), so that ids sort by world, x, z, y and stay below 2^42 (six
 * bytes in SQLite's records, where the table and both of its indexes keep
 * the id); 0 when they do not fit (worlds from 64 on, chunks 32,768 or more
 * from the origin): the row then takes the next free id. */
static int64_t chunk_rowid(int64_t world_id, int32_t cx, int32_t cy, int32_t cz)
{
    const int32_t half = 1 << 15;
    if (world_id < 1 || world_id >= 1 << 6 || cx < -half || cx >= half || cz < -half || cz >= half || cy < 0 ||
        cy > 15)
        return 0;
    return world_id << 36 | (int64_t)(cx + half) << 20 | (int64_t)(cz + half) << 4 | cy;
}

/* Binds an id (NULL when 0: SQLite picks one). */
static void bind_rowid(sqlite3_stmt *st, int i, int64_t rowid)
{
    if (rowid)
        sqlite3_bind_int64(st, i, rowid);
    else
        sqlite3_bind_null(st, i);
}

int chunks_get(Save *s, int64_t world_id, int32_t cx, int32_t cy, int32_t cz, ChunkRow *out, Err *err)
{
    /* By the id first (the row there must be this chunk's), then by the
     * coordinates: one statement, whose second half runs only when the
     * first finds nothing (a NULL id finds nothing at once). */
    static const char sql[] = "SELECT block_data, structures, version FROM world_chunks "
                              "WHERE id = ?5 AND world_id = ?1 AND chunk_x = ?2 AND chunk_y = ?3 AND chunk_z = ?4 "
                              "UNION ALL "
                              "SELECT block_data, structures, version FROM world_chunks "
                              "WHERE world_id = ?1 AND chunk_x = ?2 AND chunk_y = ?3 AND chunk_z = ?4 LIMIT 1";
    LOCAL_ERR(err);
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = save_stmt(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_int(st, 2, cx);
    sqlite3_bind_int(st, 3, cy);
    sqlite3_bind_int(st, 4, cz);
    bind_rowid(st, 5, chunk_rowid(world_id, cx, cy, cz));
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

/* The time of a store, formatted once a millisecond: bound rather than the
 * columns' strftime default run twice a row (pregen stores tens of
 * thousands of rows a second). */
static const char *store_stamp(void)
{
    static _Thread_local int64_t stamp_ms = -1;
    static _Thread_local char stamp[TIME_ISO_LEN];
    int64_t now = time_now_ms();
    if (now != stamp_ms) {
        time_iso(now, stamp);
        stamp_ms = now;
    }
    return stamp;
}

/* Binds what both stores write: world, coordinates, text, structures, time. */
static void bind_chunk(sqlite3_stmt *st, int64_t world_id, int32_t cx, int32_t cy, int32_t cz, const char *block_data,
                       size_t block_len, const char *structures)
{
    sqlite3_bind_int64(st, 1, world_id);
    sqlite3_bind_int(st, 2, cx);
    sqlite3_bind_int(st, 3, cy);
    sqlite3_bind_int(st, 4, cz);
    sqlite3_bind_text(st, 5, block_data, (int)block_len, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, structures ? structures : "[]", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, store_stamp(), -1, SQLITE_STATIC);
}

int chunks_put(Save *s, int64_t world_id, int32_t cx, int32_t cy, int32_t cz, const char *block_data,
               size_t block_len, const char *structures, int64_t *version_out, Err *err)
{
    /* The version stops at INT64_MAX (the WHERE leaves the row as it is,
     * and no row comes back), where + 1 would turn it into a REAL. A new
     * row takes the chunk's id (?8) when it is free, else the next one. */
    static const char sql[] =
        "INSERT INTO world_chunks (world_id, chunk_x, chunk_y, chunk_z, block_data, structures, version, "
        "created_at, updated_at, id) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7, ?8) "
        "ON CONFLICT (world_id, chunk_x, chunk_y, chunk_z) DO UPDATE SET "
        "block_data = excluded.block_data, structures = excluded.structures, version = version + 1, "
        "updated_at = excluded.updated_at "
        "WHERE version < 9223372036854775807 "
        "RETURNING version";
    LOCAL_ERR(err);
    int64_t rowid = chunk_rowid(world_id, cx, cy, cz);
    sqlite3_stmt *st = NULL;
    int rc;
    for (;;) {
        if (!(st = save_stmt(s, sql, err)))
            return err->code;
        bind_chunk(st, world_id, cx, cy, cz, block_data, block_len, structures);
        bind_rowid(st, 8, rowid);
        rc = sqlite3_step(st);
        if (rc != SQLITE_CONSTRAINT_PRIMARYKEY || !rowid)
            break;
        rowid = 0; /* the chunk's id is another row's: take the next free one */
    }
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

int chunks_insert(Save *s, int64_t world_id, int32_t cx, int32_t cy, int32_t cz, const char *block_data,
                  size_t block_len, const char *structures, Err *err)
{
    /* A plain insert: no conflict to resolve and no row to return, about
     * half the work of chunks_put for SQLite. */
    static const char sql[] = "INSERT INTO world_chunks (world_id, chunk_x, chunk_y, chunk_z, block_data, structures, "
                              "version, created_at, updated_at, id) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7, ?8)";
    LOCAL_ERR(err);
    int64_t rowid = chunk_rowid(world_id, cx, cy, cz);
    sqlite3_stmt *st = NULL;
    int rc;
    for (;;) {
        if (!(st = save_stmt(s, sql, err)))
            return err->code;
        bind_chunk(st, world_id, cx, cy, cz, block_data, block_len, structures);
        bind_rowid(st, 8, rowid);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_CONSTRAINT_PRIMARYKEY || !rowid)
            break;
        rowid = 0;
    }
    if (rc != SQLITE_DONE) {
        rc = save_db_error(s, rc, err, "storing a chunk");
        err_prefix(err, "chunk %d,%d,%d of world %lld", cx, cy, cz, (long long)world_id);
        return rc;
    }
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
