/* autobackup.h — when the game makes its automatic backups: on quit and
 * when a new game day begins (a game day is TURNS_PER_DAY turns of the game
 * clock), as MAGIC_BACKUP_SCHEDULE says. The core (src/save/backup.h) keeps
 * the schedule, the folder and the pruning; this is the client's half, used
 * by the full-screen client and by `play --script`. */
#ifndef MA_UI_AUTOBACKUP_H
#define MA_UI_AUTOBACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "game/game.h"
#include "save/backup.h"

typedef struct AutoBackup {
    BackupSettings settings;
    int64_t day; /* the game day at the start, or of the last backup for a new day */
} AutoBackup;

/* Reads the settings and notes the current game day. A setting that does not
 * read keeps its default; warning says so ("" when all is well). */
void autobackup_start(AutoBackup *ab, Game *g, char *warning, size_t size);
/* After an action: a backup when a new game day has begun and the schedule
 * asks for one. 1: made (msg says where), 0: none due, -1: failed (msg says
 * why; the game goes on), -2: made, but the copy is damaged as the save is
 * (msg says so; no older backup was removed). */
int autobackup_after_action(AutoBackup *ab, Game *g, char *msg, size_t size);
/* When the game ends: a backup when the schedule asks for one. As above. */
int autobackup_on_quit(AutoBackup *ab, Game *g, char *msg, size_t size);

#endif
