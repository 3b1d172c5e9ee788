/* autobackup.c — see autobackup.h. */
#include "autobackup.h"

#include <stdio.h>

static int64_t game_day(Game *g)
{
    return game_clock(g) / TURNS_PER_DAY;
}

void autobackup_start(AutoBackup *ab, Game *g, char *warning, size_t size)
{
    Err err = {0};
    warning[0] = '\0';
    if (backup_settings_from_env(&ab->settings, &err) != MA_OK)
        snprintf(warning, size, "%s", err.msg);
    ab->day = game_day(g);
}

static int make(AutoBackup *ab, Game *g, const char *reason, char *msg, size_t size)
{
    Err err = {0};
    BackupInfo made;
    int pruned = 0;
    if (backup_auto(game_save(g), reason, ab->settings.retention_days, &made, &pruned, &err) != MA_OK) {
        snprintf(msg, size, "the automatic backup (%s) was not made: %s", reason, err.msg);
        return -1;
    }
    if (made.damaged[0]) {
        snprintf(msg, size,
                 "the save is damaged, and so is its backup %s (%s); older backups were all kept. "
                 "`magic-adventure --save %s verify` lists the damage, `backup list` the backups to restore",
                 made.path, made.damaged, save_path(game_save(g)));
        return -2;
    }
    snprintf(msg, size, "backed up the save to %s%s", made.path,
             pruned ? " (and removed backups older than the retention period)" : "");
    return 1;
}

int autobackup_after_action(AutoBackup *ab, Game *g, char *msg, size_t size)
{
    int64_t day = game_day(g);
    if (day <= ab->day)
        return 0;
    ab->day = day;
    if (!(ab->settings.when & BACKUP_DAILY))
        return 0;
    return make(ab, g, "day", msg, size);
}

int autobackup_on_quit(AutoBackup *ab, Game *g, char *msg, size_t size)
{
    if (!(ab->settings.when & BACKUP_ON_QUIT))
        return 0;
    return make(ab, g, "quit", msg, size);
}
