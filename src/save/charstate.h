/* charstate.h — the character_state and item_transfers tables (migration
 * 003): flags, discovered recipes, specialisations and counters per
 * character, and the log of items moving between characters. */
#ifndef MA_SAVE_CHARSTATE_H
#define MA_SAVE_CHARSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "save/save.h"

/* kind: "flag", "recipe", "specialization" or "counter". */
/* Writes value for (character, kind, key), replacing any earlier one. */
int charstate_set(Save *s, int64_t character_id, const char *kind, const char *key, const char *value, Err *err);
/* Reads it into buf; MA_ERR_NOT_FOUND when unset. */
int charstate_get(Save *s, int64_t character_id, const char *kind, const char *key, char *buf, size_t size, Err *err);
int charstate_delete(Save *s, int64_t character_id, const char *kind, const char *key, Err *err);
/* Forgets every state of a character (sync replaces it with what the server holds). */
int charstate_clear(Save *s, int64_t character_id, Err *err);
/* Adds delta to a counter (missing counts as 0); the new value in *out. */
int charstate_add(Save *s, int64_t character_id, const char *key, int64_t delta, int64_t *out, Err *err);
/* Calls fn for every key of a kind (in key order); fn returns non-zero to stop. */
typedef int (*CharstateFn)(const char *key, const char *value, void *ud);
int charstate_each(Save *s, int64_t character_id, const char *kind, CharstateFn fn, void *ud, Err *err);

/* Logs an item moving; from or to may be 0 (the world). reason as the CHECK lists. */
int transfers_log(Save *s, int64_t from_character_id, int64_t to_character_id, const char *item, int quantity,
                  const char *reason, int price, Err *err);
/* Rows logged for a character (either side). */
int transfers_count(Save *s, int64_t character_id, int64_t *count, Err *err);

#endif
