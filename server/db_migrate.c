/* db_migrate.c — applying data/pg/ (see db_migrate.h). */
#include "db_migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/data.h"

/* server/meson.build compiles data/pg/ into this table (scripts/embed_data.py). */
extern const EmbeddedFile server_embedded_files[];

/* A migration's text: from $MAGIC_DATA_DIR/pg/ when set (as the game's data files), else the
 * compiled-in copy. Heap text the caller frees, or NULL with err. */
static char *migration_text(const char *name, Err *err)
{
    const char *dir = getenv("MAGIC_DATA_DIR");
    if (dir && *dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        return file_read_all(path, NULL, err);
    }
    for (const EmbeddedFile *e = server_embedded_files; e->name; e++)
        if (strcmp(e->name, name) == 0) {
            char *s = malloc((size_t)e->len + 1);
            if (!s) {
                err_set(err, MA_ERR_NOMEM, "out of memory");
                return NULL;
            }
            memcpy(s, e->bytes, (size_t)e->len);
            s[e->len] = '\0';
            return s;
        }
    err_set(err, MA_ERR_NOT_FOUND, "data/%s is not compiled into this server", name);
    return NULL;
}

const char *const db_migrations[] = {
    "pg/001_initial_schema.sql",
    "pg/002_add_indexes.sql",
    "pg/003_sync.sql",
    "pg/004_character_state.sql",
    NULL,
};

int db_migration_count(void)
{
    int n = 0;
    while (db_migrations[n])
        n++;
    return n;
}

static const char *const create_table =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())";

int db_schema_version(Db *db, int *version, Err *err)
{
    *version = 0;
    PGresult *r = db_exec(db, "reading the schema version",
                          "SELECT to_regclass('schema_migrations') IS NOT NULL", 0, NULL, err);
    if (!r)
        return err->code;
    int exists = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (!exists)
        return MA_OK;
    r = db_exec(db, "reading the schema version", "SELECT COALESCE(max(version), 0) FROM schema_migrations", 0,
                NULL, err);
    if (!r)
        return err->code;
    *version = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return MA_OK;
}

int db_migrate(Db *db, int *applied, int *version, Err *err)
{
    int n = db_migration_count(), done = 0, rc;
    if (applied)
        *applied = 0;
    if ((rc = db_begin(db, err)) != MA_OK)
        return rc;
    /* 0x4D414456 "MADV": one migrating server at a time. */
    rc = db_run(db, "taking the migration lock", "SELECT pg_advisory_xact_lock(1296122966)", 0, NULL, err);
    if (rc == MA_OK)
        rc = db_run(db, "creating schema_migrations", create_table, 0, NULL, err);
    int current = 0;
    if (rc == MA_OK) {
        PGresult *r = db_exec(db, "reading the schema version",
                              "SELECT COALESCE(max(version), 0) FROM schema_migrations", 0, NULL, err);
        if (!r)
            rc = err->code;
        else {
            current = atoi(PQgetvalue(r, 0, 0));
            PQclear(r);
        }
    }
    if (rc == MA_OK && current > n)
        rc = err_set(err, MA_ERR_NEWER,
                     "the database is at schema version %d, newer than this server knows (%d): "
                     "run the newer server, or restore a backup", current, n);
    /* Each migration in its own transaction: the first one continues the one opened above. */
    for (int i = current; rc == MA_OK && i < n; i++) {
        if (i > current) {
            if ((rc = db_begin(db, err)) != MA_OK)
                break;
            rc = db_run(db, "taking the migration lock", "SELECT pg_advisory_xact_lock(1296122966)", 0, NULL, err);
            if (rc != MA_OK)
                break;
        }
        char *sql = migration_text(db_migrations[i], err);
        if (!sql) {
            rc = err->code;
            break;
        }
        /* Several statements without parameters: the simple query protocol. */
        PGresult *r = PQexec(db->conn, sql);
        free(sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
            char msg[400];
            snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(r));
            msg[strcspn(msg, "\n")] = '\0';
            rc = err_set(err, MA_ERR_DB, "migration data/%s failed: %s", db_migrations[i], msg);
            PQclear(r);
            break;
        }
        PQclear(r);
        char ver[16];
        snprintf(ver, sizeof ver, "%d", i + 1);
        const char *p[2] = {ver, db_migrations[i]};
        rc = db_run(db, "recording the migration", "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    2, p, err);
        if (rc == MA_OK)
            rc = db_commit(db, err);
        if (rc == MA_OK)
            done++;
    }
    if (rc != MA_OK) {
        db_rollback(db);
        return rc;
    }
    if (db->in_tx) /* nothing to apply: end the first transaction */
        rc = db_commit(db, err);
    if (applied)
        *applied = done;
    if (version)
        *version = current + done;
    return rc;
}
