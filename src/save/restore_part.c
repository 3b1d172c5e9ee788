/* restore_part.c — world rollback and character recovery from a backup. */
#include "save/save.h"

#include "save/save_internal.h"

int save_restore_part(Save *s, const char *src, int version, const char *world, const char *character,
                      SaveRestoreResult *res, Err *err)
{
    (void)version;
    (void)world;
    (void)character;
    (void)res;
    return err_set(err, MA_ERR_INVALID, "%s: restoring one world or character from %s is not built yet", s->path,
                   src);
}
