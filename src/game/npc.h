/* npc.h — villagers as characters: meeting them (a characters row per villager of world
 * generation, keyed by its entity id), talking (dialogue with numbered replies from
 * data/dialogue.json whose availability and outcome follow the rule language), relationships
 * both ways moved by deeds, trading with prices shaped by the relationship, and the NPC's
 * opinion for look mode.
 *
 * A conversation lives in the save, as the player's charstate flags "talking_to" (the
 * villager's entity id) and "talk_menu" (the replies as last shown), so `talk e` and a later
 * `say 2` work across runs of `play --script`. */
#ifndef MA_GAME_NPC_H
#define MA_GAME_NPC_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "game/game.h"

#define NPC_MAX_REPLIES 6

/* data/dialogue.json, validated. */
typedef struct DialogueBook DialogueBook;
/* Parses and validates json (len bytes); source names the file in messages ("data/dialogue.json:
 * role \"smith\": reply 2: condition: ..."). */
int dialogue_load(const char *json, size_t len, const char *source, DialogueBook **out, Err *err);
int dialogue_load_default(DialogueBook **out, Err *err);
void dialogue_free(DialogueBook *b);

/* ACT_TALK: talk to the villager standing in direction d. The events hold the NPC's line and
 * the replies, numbered ("1) Any work for me?"); unavailable ones say why. */
int npc_talk(Game *g, Dir d, ActionResult *r, Err *err);
/* ACT_SAY: pick reply number `reply` (1-based) of the conversation; its effects apply in one
 * transaction. Refused (r->ok = 0) when not talking, out of range, or unavailable (and why). */
int npc_say(Game *g, int reply, ActionResult *r, Err *err);

/* One reply as a screen shows it. */
typedef struct NpcReply {
    char text[150];
    int available;
    char why[150]; /* "" when available */
} NpcReply;

/* The conversation in progress, for the talk screen. */
typedef struct NpcView {
    char entity_id[48], name[65], role[16], village[48];
    int opinion;   /* the NPC's view of the player, -100..100 */
    int your_view; /* the player's view of the NPC */
    char line[200];
    NpcReply replies[NPC_MAX_REPLIES];
    int n_replies;
} NpcView;

/* Fills *out with the current conversation; MA_ERR_NOT_FOUND when the player talks to nobody. */
int npc_conversation(Game *g, NpcView *out, Err *err);
/* Ends the conversation (the talk screen's Escape); not an action, commits at once. */
int npc_end_conversation(Game *g, Err *err);

/* For look mode: when a villager stands at (x, y, z) (feet or head), writes who they are and
 * their opinion of the player and why ("Mara, the smith of Ashford: likes you (25): brought a
 * gift of bread") and returns 1; else 0. */
int npc_describe(Game *g, int32_t x, int32_t y, int32_t z, char *buf, size_t size);

/* A met villager as every screen names them: "Mara Greycloak, the smith of Ashford" (the row's
 * name, unique in the world, with role and village). Returns 0 (and "a villager") when there
 * is no such row. */
int npc_display_name(Game *g, int64_t npc_id, char *buf, size_t size);
/* Every villager of the world met so far: entity id, the row's name and the role in words, for a
 * screen that names the villagers it shows. A heap array the caller frees with free(). */
typedef struct NpcName {
    char entity[48], name[65], role[16];
} NpcName;
int npc_met_names(Game *g, NpcName **out, int *n, Err *err);
/* The characters row of the villager with this entity id, or 0 when never met. */
int64_t npc_character_id(Game *g, const char *entity_id);
/* The row of villager entity e (a chunk entity object, at world position wx, wy, wz), made on
 * first meeting together with both relationship rows. */
int npc_ensure(Game *g, const cJSON *e, int32_t wx, int32_t wy, int32_t wz, int64_t *id, Err *err);
/* The role and entity id of an NPC row (from its appearance); 0 when it is not a villager. */
int npc_role(Game *g, int64_t npc_id, char *role, size_t role_size, char *entity, size_t entity_size);
/* Moves both views by a deed: the NPC's view of the player by delta, the player's of the NPC by
 * half of it (at least 1 either way); both appended to interaction_history with the turn, the
 * deed ("gift", "quest", "attack", "theft", "trade", "deed") and the reason. */
int npc_relationship_change(Game *g, int64_t npc_id, int delta, const char *deed, const char *reason,
                            ActionResult *r, Err *err);
/* After every action (called by quest_after_action): meets villagers within 3 blocks after a
 * move, and turns the combat's "attacked_<npc>" and "stole_<npc>" flags into relationship
 * changes (once each). */
int npc_after_action(Game *g, const Action *a, ActionResult *r, Err *err);

#endif
