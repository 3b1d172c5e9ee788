/* sync_internal.h — shared by the files of src/sync/ only. */
#ifndef MA_SYNC_INTERNAL_H
#define MA_SYNC_INTERNAL_H

#include "save/characters.h"
#include "sync/sync.h"

/* Whose a character is, for sync. */
typedef enum SyncOwner {
    SYNC_OWN,    /* a local player's: pushed as the account's */
    SYNC_NPC,    /* a villager (no user): shared, keyed by its entity id */
    SYNC_OTHERS, /* another player's, pulled: never pushed from here */
} SyncOwner;

typedef struct SyncCtx {
    Save *s;
    World *w;          /* the world open on the save (NULL in prepare) */
    int64_t world_id;
    SyncWorld sw;
    SyncAccount account;
    int64_t playing;   /* the character played right now in this process, or 0 */
    SyncReport *rep;   /* may be NULL */
    int force;         /* re-applying our side of a conflict: written whatever the versions say */
} SyncCtx;

/* The owner of a character row. */
SyncOwner sync_owner_of(Save *s, const CharacterRow *c);
/* The character's key, made and kept when it has none (a villager's is its entity id, a
 * player's a new UUID). MA_ERR_NOT_FOUND for a villager without an entity id or another
 * player's character without one (neither can be pushed). */
int sync_character_key(SyncCtx *c, const CharacterRow *row, char key[65], Err *err);

/* Applies one pulled row (or the "server" row of a conflict answer) to the save. */
int sync_apply_row(SyncCtx *c, const cJSON *row, Err *err);
/* Applies every pulled row, characters first (sync_pull.c). */
int sync_take_pull(SyncCtx *c, const cJSON *changes, Err *err);
/* The rank of a kind in a push or an apply: characters first (others point at them). */
int sync_kind_rank(const char *kind);

/* Integer and string members, with defaults. */
int64_t sync_jint(const cJSON *o, const char *name, int64_t def);
/* A chunk's [cx, cy, cz] into out: 1 when they are whole numbers inside the world (|cx|, |cz| at
 * most CHUNK_XZ_MAX, cy 0..15), else 0. */
int sync_chunk_coords(const cJSON *xyz, int32_t out[3]);
const char *sync_jstr(const cJSON *o, const char *name);

#endif
