/* backup.h — automatic backups of a save, as the design asks: made on a
 * schedule the player sets, kept in a folder beside the save, pruned after
 * BACKUP_RETENTION_DAYS days, and listed.
 *
 * The save DIR/NAME.db keeps its backups in DIR/backups/NAME/, one file a
 * backup, named by the UTC time it was made and why:
 * 20261127-031740Z-quit.db (with -2, -3... when two fall in one second).
 * Each is a whole save (save_backup: online, written to a temporary and
 * renamed into place), restored with `restore FILE`. The client makes them;
 * the core offers the functions and reads the settings. */
#ifndef MA_SAVE_BACKUP_H
#define MA_SAVE_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "save/save.h"

enum BackupWhen {
    BACKUP_ON_QUIT = 1 << 0, /* when the game or a script ends */
    BACKUP_DAILY = 1 << 1,   /* when a new game day begins (TURNS_PER_DAY turns) */
};

typedef struct BackupSettings {
    int when;           /* BackupWhen bits; 0: no automatic backups */
    int retention_days; /* backups older than this are removed; 0 keeps them all */
} BackupSettings;

#define BACKUP_DEFAULT_WHEN (BACKUP_ON_QUIT | BACKUP_DAILY)
#define BACKUP_DEFAULT_RETENTION_DAYS 30

/* The settings from the environment: MAGIC_BACKUP_SCHEDULE ("quit,day" by
 * default; any of "quit", "day" joined by commas, or "off") and
 * BACKUP_RETENTION_DAYS (a whole number of days, 0..36500; default 30). A
 * value that does not read keeps the default for that setting and returns
 * MA_ERR_INVALID with err saying which and why, so the caller can warn. */
int backup_settings_from_env(BackupSettings *out, Err *err);
/* Parses a schedule as MAGIC_BACKUP_SCHEDULE takes it. */
int backup_schedule_parse(const char *text, int *when, Err *err);

typedef struct BackupInfo {
    char path[4096];
    char time[32];   /* when it was made, ISO-8601 UTC (from its name) */
    int64_t time_ms;
    int64_t bytes;
    char reason[16]; /* quit, day, manual, ... */
    char damaged[400]; /* backup_auto: "" when the new copy passed PRAGMA quick_check, else what it found */
} BackupInfo;

/* Backs the open save up into its backups folder (made if missing) with
 * reason (lower-case letters), checks the copy (PRAGMA quick_check), then,
 * when it is sound, removes the backups older than retention_days. made (if
 * not NULL) describes the new backup; *pruned (if not NULL) receives how many
 * old ones went. A damaged copy (the save is damaged: a backup copies pages as
 * they are) is kept and said in made->damaged, and no old backup is removed:
 * the older ones may be the last sound copies. */
int backup_auto(Save *s, const char *reason, int retention_days, BackupInfo *made, int *pruned, Err *err);
/* The backups of the save at save_path, oldest first, in a heap array the
 * caller frees (NULL when there are none). Files in the folder that are not
 * named as backups are left out. */
int backup_list(const char *save_path, BackupInfo **out, int *n, Err *err);
/* Removes the backups of the save made before now_ms minus retention_days
 * (nothing when retention_days is 0); *pruned receives how many. */
int backup_prune(const char *save_path, int retention_days, int64_t now_ms, int *pruned, Err *err);
/* The folder of the save's backups (DIR/backups/NAME). */
void backup_folder(const char *save_path, char *out, size_t size);

#endif
