/* db_migrate.h — the server's schema: data/pg/NNN_*.sql applied in order.
 *
 * Each migration runs in its own transaction and is recorded in schema_migrations; an
 * advisory lock makes two servers started at once migrate one after the other. */
#ifndef MA_SERVER_DB_MIGRATE_H
#define MA_SERVER_DB_MIGRATE_H

#include "db.h"

/* The migrations this build carries, in order. */
extern const char *const db_migrations[];
int db_migration_count(void);

/* Applies what is missing. *applied (may be NULL) receives how many were applied now,
 * *version the schema version after. A database at a newer version than this build knows is
 * refused (MA_ERR_NEWER). */
int db_migrate(Db *db, int *applied, int *version, Err *err);

/* The database's schema version (0 when never migrated). */
int db_schema_version(Db *db, int *version, Err *err);

#endif
