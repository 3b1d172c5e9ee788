/* evolution.h — changes to the world that can be read, explained and undone.
 *
 * An agent (or anything else that changes the world on its own) records its
 * change through an Evo: it sets blocks through evo_set_block, and before it
 * changes an entity or a row it names it with evo_touch_entity / evo_touch_row.
 * evo_commit then takes the "after" of everything touched and appends one
 * world_evolution_log row whose changes_made is a reversible diff:
 *
 *   {"summary": "a well in Greenbrook",
 *    "blocks":   [{"x":1,"y":64,"z":2,"before":"grass","after":"cobblestone"}],
 *    "entities": [{"chunk":[0,4,0],"id":"villager_3_9","before":{...},"after":{...},
 *                  "before_index":2,"after_index":-1}],
 *    "rows":     [{"table":"quests","id":12,"before":null,"after":{...}}]}
 *
 * (before null: created; after null: deleted), and indexes what it touched
 * (save/evolution.h). All of it happens inside the caller's transaction, with
 * the world's chunks flushed into it.
 *
 * Rolling an entry back checks that every block, entity and row still holds
 * what the entry left; a later entry that changed the same thing is rolled
 * back first when asked (cascade), else the rollback is refused naming it; a
 * thing the player changed by hand refuses it unless forced. The inverse is
 * applied, the entry marked rolled back, and the rollback logged as an entry
 * of type "rollback" with its own diff. */
#ifndef MA_AGENTS_EVOLUTION_H
#define MA_AGENTS_EVOLUTION_H

#include <stdint.h>

#include <cJSON.h>

#include "save/save.h"
#include "world/world.h"

typedef struct Evo Evo;

/* Starts a change to world w (its save s; the world row world_id) at game
 * turn `turn`. NULL when out of memory. */
Evo *evo_new(Save *s, World *w, int64_t world_id, int64_t turn);
void evo_free(Evo *e);
/* Blocks in chunk column (cx, cz) are refused from now on (a player's; up to 16 columns). */
void evo_guard_column(Evo *e, int32_t cx, int32_t cz);
/* Whether (x, z) lies in the guarded column. */
int evo_guarded(const Evo *e, int32_t x, int32_t z);
/* Sets a block by name, keeping the first "before". MA_ERR_INVALID when the
 * block is in the guarded column or the name is unknown. */
int evo_set_block(Evo *e, int32_t x, int32_t y, int32_t z, const char *block, Err *err);
/* Names an entity (by its "id") of chunk (cx, cy, cz) about to change; call
 * it for each chunk it leaves or enters. */
int evo_touch_entity(Evo *e, int32_t cx, int32_t cy, int32_t cz, const char *entity_id, Err *err);
/* Names a row about to change (its before is read now). */
int evo_touch_row(Evo *e, const char *table, int64_t id, Err *err);
/* Names a row just made (its before is nothing). */
int evo_new_row(Evo *e, const char *table, int64_t id, Err *err);
/* How many things have been touched. */
int evo_size(const Evo *e);
/* Sets the one-line summary ("a well in Greenbrook"). */
void evo_summary(Evo *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Flushes the world's chunks, takes every "after", drops things that did not
 * change, appends the log entry (reasoning is taken; agent_id 0 for none) and
 * indexes it. *entry_id is 0 when nothing changed (no entry is written). */
int evo_commit(Evo *e, int64_t agent_id, const char *type, cJSON *reasoning, int64_t *entry_id, Err *err);

/* Rolling back, inside the caller's transaction (world flushed into it). The
 * ids of every entry rolled back (the asked one last) go to rolled (may be
 * NULL), at most max. */
typedef struct EvoRollback {
    int cascade;     /* roll back later entries that built on this one first */
    int force;       /* undo even what the player changed by hand since */
    int64_t turn;    /* the game turn of the rollback, for its log entry */
    int64_t rolled[256]; /* the first 256 entries rolled back */
    int n_rolled;        /* how many of them are in rolled */
    int n_total;         /* how many entries were rolled back in all */
} EvoRollback;
int evolution_rollback(Save *s, World *w, int64_t entry_id, EvoRollback *opt, Err *err);
/* Rolls back every applied entry of the world after to_id, newest first
 * (to_id 0: back to before any agent acted). */
int evolution_rollback_to(Save *s, World *w, int64_t world_id, int64_t to_id, EvoRollback *opt, Err *err);

/* The applied entry that last changed the block at (x, y, z), or 0; its one-line
 * summary goes to buf ("chronicle #12, world builder: a well in Greenbrook"). */
int64_t evolution_block_provenance(Save *s, int64_t world_id, int32_t x, int32_t y, int32_t z, char *buf,
                                   size_t size);
/* The same for an entity (a villager) by id. */
int64_t evolution_entity_provenance(Save *s, int64_t world_id, const char *entity_id, char *buf, size_t size);

/* verify: every applied entry's blocks hold what it left, or a later entry or
 * the player's own hand explains why not. Calls report once per problem;
 * returns the number of problems or a negative status. */
typedef void (*EvoProblemFn)(const char *problem, void *ud);
int evolution_verify(Save *s, World *w, int64_t world_id, EvoProblemFn report, void *ud, Err *err);

/* The player changed the block at (x, y, z) by hand at turn (noted only where
 * an entry had changed it). */
int evolution_note_player_block(Save *s, int64_t world_id, int32_t x, int32_t y, int32_t z, int64_t turn, Err *err);

/* What differs between two points of the log (entries in from_id..to_id
 * applied): blocks by chunk and rows by table, as JSON (caller frees):
 * {"blocks": {"cx,cy,cz": [{"x","y","z","from","to"}]}, "rows": {"table": [{"id","from","to"}]}}. */
cJSON *evolution_diff(Save *s, int64_t world_id, int64_t from_id, int64_t to_id, Err *err);

/* The news since entry `seen` (villagers' daily walks and rollbacks left out): up to max
 * summaries into lines, the news a player most wants first (a new quest, an event, a house built;
 * a need, the season; gossip and the balance's tuning last), newest first within each; returns
 * the count of all of them, and the newest entry id in *newest. The client's "While you were
 * away: ..." line. */
int evolution_news(Save *s, int64_t world_id, int64_t seen, char lines[][160], int max, int64_t *newest);

#endif
