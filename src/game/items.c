/* items.c — placeholder: being written. */
#include "game/items.h"

#include <stddef.h>

int items_load_default(ItemRegistry **out, Err *err)
{
    (void)err;
    *out = NULL;
    return MA_OK;
}

void items_free(ItemRegistry *r) { (void)r; }
