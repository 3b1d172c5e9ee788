/* quest.h — quests as the player lives them: templates from data/quests.json, inserted into the
 * world's quests and quest_objectives on first need; accepting (quest_progress); objectives of
 * several kinds (collect, slay, reach, talk, craft, deliver) that unlock in order or on a
 * condition; counters; expiry on the game clock; rewards given once (progress_complete records
 * rewards_earned and refuses a second time); difficulty scaled by the character's level;
 * sharing with another character of the same player. */
#ifndef MA_GAME_QUEST_H
#define MA_GAME_QUEST_H

#include <stddef.h>
#include <stdint.h>

#include "game/game.h"

#define QUEST_MAX_OBJECTIVES 8

/* data/quests.json, validated. */
typedef struct QuestBook QuestBook;
int quest_book_load(const char *json, size_t len, const char *source, QuestBook **out, Err *err);
int quest_book_load_default(QuestBook **out, Err *err);
void quest_book_free(QuestBook *b);
/* The title of quest `name` (template name or title, any case), or NULL when the book has none. */
const char *quest_book_title(const QuestBook *b, const char *name);

/* Quests are played from their rows (quests, quest_objectives, and the quest's details: migration
 * 005), whether they came from data/quests.json, an agent or a sync. quest_insert_template writes
 * a template of data/quests.json's form as those rows (source: "data", "agent", "sync"; times may
 * be NULL), inside the caller's transaction. */
int quest_insert_template(Save *s, int64_t world_id, const cJSON *tpl, const char *source, const char *created_at,
                          const char *expires_at, int64_t *id, Err *err);
/* Whether a quest row holds a quest the game can play (its details and objectives read as a
 * template and pass the same checks as data/quests.json); why says why not. For verify. */
struct QuestRow;
int quest_row_playable(Save *s, const struct QuestRow *q, Err *why);
/* Writes the quests of data/quests.json the world does not have yet as rows (game_start). */
int quest_seed(Game *g, Err *err);
/* Forgets the quests read from the rows, so that the next use reads them again (after an agent or a
 * sync added some: game_refresh does it). */
void quest_forget_templates(Game *g);

/* ACT_QUEST_ACCEPT: takes the quest named (template name or title, any case). */
int quest_accept(Game *g, const char *name, ActionResult *r, Err *err);
/* After every action: villagers met and deeds (npc_after_action), then objectives that the
 * action fulfilled, quests that expired, quests that complete by themselves. */
int quest_after_action(Game *g, const Action *a, ActionResult *r, Err *err);
/* Fails the active quests whose time ran out with their work not done ("Quest failed: Wolf
 * Trouble — the time ran out." into r): after every action, and when a game starts, for the
 * time that passed while the player was away. Inside the caller's transaction. */
int quest_expire_overdue(Game *g, ActionResult *r, Err *err);

/* "none", "active", "completed" or "failed" (failed, abandoned and expired all read as failed). */
const char *quest_state_name(Game *g, const char *quest);
/* Starts a quest for the player. giver: the villager's entity id, or NULL. A quest that cannot
 * be taken (unknown, taken before, requirements unmet) is MA_ERR_INVALID with the reason in err;
 * other errors are the save's. */
int quest_start(Game *g, const char *quest, const char *giver, ActionResult *r, Err *err);
/* Fails an active quest of the player (a story's consequence); a quest not taken or already
 * ended is left as it is. MA_ERR_INVALID for a quest the book does not have. */
int quest_fail(Game *g, const char *quest, ActionResult *r, Err *err);
/* Advances objective `objective` (its id) of an active quest by amount. */
int quest_advance(Game *g, const char *quest, const char *objective, int amount, ActionResult *r, Err *err);
/* Hands a quest in to villager npc_entity (NULL: no villager check): delivers what a deliver
 * objective for that villager's role asks, and when every objective is done takes what collect
 * objectives consume and gives the rewards, all in one transaction. Refusals (not done, already
 * handed in, wrong villager) set r->ok = 0 and return MA_OK. */
int quest_hand_in(Game *g, const char *quest, const char *npc_entity, ActionResult *r, Err *err);
/* Gives another character of the same player in this world the same quest, fresh. */
int quest_share(Game *g, const char *quest, const char *character_name, ActionResult *r, Err *err);

/* A quest a villager offers or takes back, for dialogue. */
typedef struct QuestOffer {
    char name[64], title[129];
    char giver[32]; /* the role that gives it ("farmer") */
    char asker[64]; /* the villager whose request it is ("Piet"), or "" */
    char summary[150]; /* "collect 10 oak log; gives 40 experience" */
    int available;
    char why[150];
    int deliver; /* hand-in list: 1 when this hands over a deliver objective's items */
    int64_t offer_left; /* turns until it is no longer offered (an agent's quest), -1 for always */
} QuestOffer;
/* Quests villagers of `role` (NULL: of any role) give that the player has not taken and whose
 * unlock holds (available when the requirements hold too). With `villager` (the name of the one
 * talked to, and `entity`, their entity's id, or NULL; NULL for the quest log), another villager's
 * own request is left out (by the asker's entity where the quest names it: two villages may each
 * have a Piet; else by name) and the order is
 * what that villager would raise first: their own request, then the world's new quests (the
 * agents', which run out), then the rest that can be taken, then the locked; else the available
 * first, then the others. Each group in the quest book's order. Returns how many were written (at
 * most max) or a negative status. */
int quest_offers(Game *g, const char *role, const char *villager, const char *entity, QuestOffer *out, int max,
                 Err *err);
/* What a villager of `role` says on giving quest `name`: "Good. Come back to me when it is
 * done." when it is handed in to them; where it counts the moment it is done (turn_in "auto"),
 * "Good. Take them to the farmer: that is all it needs." for a delivery to another villager, else
 * "Good. It counts the moment it is done: you need not come back." */
void quest_given_words(Game *g, const char *name, const char *role, char *buf, size_t size);
/* Active quests a villager of `role` (of entity `entity`, or NULL) takes back now: every objective
 * done and handed in to that role, or a deliver objective for that role; a villager's own request
 * only to them. */
int quest_hand_ins(Game *g, const char *role, const char *entity, QuestOffer *out, int max, Err *err);

/* The quest log. */
typedef struct QuestObjectiveView {
    char text[128];   /* "wolves slain" */
    int count, target;
    int done, open;   /* open: unlocked and not done */
    char place[16];   /* a "reach" objective: the kind of place ("ruins", "shrine"); else "" */
    char creature[32]; /* a "slay" objective: the kind of creature ("wolf"); else "" */
} QuestObjectiveView;
typedef struct QuestView {
    char name[64], title[129], status[16], giver[16];
    char giver_name[160]; /* "Alda Greycloak, the guard of Greenbrook", or "a guard" */
    char giver_village[48]; /* the village the quest is handed in at (its giver's), or "" when
                               another villager takes it or none is recorded */
    int64_t turns_left; /* -1: no time limit */
    int n_objectives;
    QuestObjectiveView objectives[QUEST_MAX_OBJECTIVES];
    char rewards[160];
    char description[1024]; /* what the giver asked and why (the quest's "description"), may be "" */
} QuestView;
/* Every quest of the player (active first, then completed, then failed/expired); heap array the
 * caller frees with free(). */
int quest_log(Game *g, QuestView **out, int *n, Err *err);

/* The quest the side panel follows (its name), kept per character across sessions: "" when none
 * was chosen (the panel then follows the first active one). */
void quest_tracked(Game *g, char *buf, size_t size);
/* Chooses it, in a transaction of its own (call it between actions): MA_OK, or why not. */
int quest_set_tracked(Game *g, const char *name, Err *err);

/* How far the game looks for a quest's place (quest_place_nearest), in blocks. */
#define QUEST_PLACE_RADIUS 640
/* Whether `place` is a place's own name ("Frosthaven", "Ruins of Larkton") rather than one of
 * the kinds "village", "ruins", "dungeon", "shrine". */
int quest_place_is_name(const char *place);
/* The nearest place of kind `place` ("ruins", "village", "dungeon", "shrine"), or the nearest
 * place of that name (any case: "Frosthaven"), within QUEST_PLACE_RADIUS of the player, into
 * *out: 1, or 0 when there is none that near; a village named by the player's storylines (their
 * cast's) is found however far (story_cast_village_at). */
int quest_place_nearest(Game *g, const char *place, GenStructure *out);
/* "the nearest: Ruins of Larkton, E 204" (the place's name, quest_compass toward its middle, and
 * how far in steps), or for a place named: "S 180", into buf, and 1; or "no ruins within 640
 * blocks" and 0. A dungeon or shrine below the player says how deep and how to get down: "the
 * nearest: The Hollow Vault, NE 40, 30 below (a ladder goes down)", "..., 22 below (no way down:
 * dig)", at the top of its ladder "the nearest: The Hollow Vault, 30 below: its ladder is here (>
 * climbs down)". For a quest's page and a story choice that needs the place. */
int quest_place_way(Game *g, const char *place, char *buf, size_t size);
/* From the player to the middle of st — or, for a dungeon or shrine below the player that has a
 * way down, to the top of its ladder: *dx, *dz, and how many steps (a king's moves). */
int quest_place_offset(const Game *g, const GenStructure *st, int *dx, int *dz);
/* How many blocks the floor of a dungeon or shrine lies below the player's feet when the player
 * is above its rooms (0 for a place on the surface, or at the rooms' height or below). */
int quest_place_below(const Game *g, const GenStructure *st);
/* "N", "NE", ... "here" toward an offset (north is -z): within a 2:1 slope of an axis it is
 * that axis, between them the diagonal. */
const char *quest_compass(int dx, int dz);

#endif
