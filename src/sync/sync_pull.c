/* sync_pull.c — what was pulled, merged into the save (the client's merge rules; see sync.h and
 * docs/sync-protocol.md, "Merging"). Runs with the world marked as being written from the
 * server, so that nothing here is recorded as a change of ours. */
#include "sync/sync_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/charstate.h"
#include "save/chunks.h"
#include "save/evolution.h"
#include "save/quests.h"
#include "save/skills.h"
#include "save/users.h"
#include "util/json_field.h"
#include "world/chunk_codec.h"
#include "world/chunk_diff.h"

static void count(SyncCtx *c, int *field)
{
    if (c->rep && field)
        (*field)++;
}

#define REP(c, f) ((c)->rep ? &(c)->rep->f : NULL)

/* ------------------------------------------------------------ chunks */

/* Lays our edits still waiting (or sent and not answered) for this chunk over ch. */
static int lay_pending(SyncCtx *c, Chunk *ch, const char *ref, Err *err)
{
    SyncLogRow *rows = NULL;
    int n = 0;
    int rc = synclog_list(c->s, c->world_id, -1, &rows, &n, err);
    const BlockRegistry *reg = world_blocks(c->w);
    for (int i = 0; rc == MA_OK && i < n; i++) {
        if (strcmp(rows[i].kind, "chunk_edit") != 0 || strcmp(rows[i].ref, ref) != 0 || !rows[i].body)
            continue;
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(rows[i].body, "blocks")) {
            int x = (int)sync_jint(e, "x", -1), y = (int)sync_jint(e, "y", -1), z = (int)sync_jint(e, "z", -1);
            int id = sync_jstr(e, "to") ? blocks_find(reg, sync_jstr(e, "to")) : -1;
            if (x < 0 || x > 15 || y < 0 || y > 15 || z < 0 || z > 15 || id < 0)
                continue;
            if (chunk_get(ch, x, y, z) != (BlockId)id) {
                if (chunk_set(ch, x, y, z, (BlockId)id) != MA_OK) {
                    rc = err_set(err, MA_ERR_NOMEM, "out of memory merging chunk %s", ref);
                    break;
                }
                chunk_meta_set(ch, CHUNK_INDEX(x, y, z), NULL); /* a new block starts without */
            }
        }
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(rows[i].body, "meta")) {
            int x = (int)sync_jint(e, "x", -1), y = (int)sync_jint(e, "y", -1), z = (int)sync_jint(e, "z", -1);
            const cJSON *to = cJSON_GetObjectItemCaseSensitive(e, "to");
            if (x < 0 || x > 15 || y < 0 || y > 15 || z < 0 || z > 15)
                continue;
            chunk_meta_set(ch, CHUNK_INDEX(x, y, z), cJSON_IsObject(to) ? cJSON_Duplicate(to, 1) : NULL);
        }
    }
    synclog_rows_free(rows, n);
    return rc;
}

int sync_chunk_coords(const cJSON *xyz, int32_t out[3])
{
    int x, y, z;
    if (!cJSON_IsArray(xyz) || cJSON_GetArraySize(xyz) != 3 ||
        json_value_int(cJSON_GetArrayItem(xyz, 0), -CHUNK_XZ_MAX, CHUNK_XZ_MAX, &x) != 0 ||
        json_value_int(cJSON_GetArrayItem(xyz, 1), 0, WORLD_CHUNKS_Y - 1, &y) != 0 ||
        json_value_int(cJSON_GetArrayItem(xyz, 2), -CHUNK_XZ_MAX, CHUNK_XZ_MAX, &z) != 0)
        return 0;
    out[0] = x, out[1] = y, out[2] = z;
    return 1;
}

static int apply_chunk(SyncCtx *c, const cJSON *row, Err *err)
{
    const cJSON *xyz = cJSON_GetObjectItemCaseSensitive(row, "chunk");
    const cJSON *bd = cJSON_GetObjectItemCaseSensitive(row, "block_data");
    int32_t at[3];
    if (!bd || !sync_chunk_coords(xyz, at)) {
        /* Outside the world, or not a place (a broken or hostile server): not stored, as any
         * other row this game cannot hold (it had been stored at a wrapped-round x). */
        count(c, REP(c, skipped));
        return MA_OK;
    }
    int32_t cx = at[0], cy = at[1], cz = at[2];
    int64_t version = sync_jint(row, "version", 0), known = 0;
    char ref[48];
    snprintf(ref, sizeof ref, "%d,%d,%d", cx, cy, cz);
    int rc = synclog_version_get(c->s, c->world_id, "chunk", ref, &known, err);
    if (rc != MA_OK || (version > 0 && version <= known))
        return rc;
    const BlockRegistry *reg = world_blocks(c->w);
    char *text = cJSON_PrintUnformatted(bd);
    const cJSON *sj = cJSON_GetObjectItemCaseSensitive(row, "structures");
    char *structures = cJSON_IsArray(sj) ? cJSON_PrintUnformatted(sj) : NULL;
    Chunk *merged = NULL;
    if (!text)
        return err_set(err, MA_ERR_NOMEM, "out of memory reading chunk %s from the server", ref);
    rc = chunk_decode(text, strlen(text), structures ? structures : "[]", reg, cx, cy, cz, &merged, err);
    cJSON_free(text);
    if (rc != MA_OK) {
        cJSON_free(structures);
        err_prefix(err, "chunk %s from the sync server", ref);
        return rc;
    }
    /* Creatures, villagers about and things on the ground stay this game's own. */
    Chunk *local = world_chunk(c->w, cx, cy, cz, err);
    if (!local) {
        rc = err->code ? err->code : MA_ERR_IO;
        goto done;
    }
    cJSON_Delete(merged->entities);
    merged->entities = cJSON_Duplicate(local->entities, 1);
    if ((rc = lay_pending(c, merged, ref, err)) != MA_OK)
        goto done;
    /* Our own edits coming back (or nothing new here): only the version is news. */
    ChunkDiff d;
    if (chunk_diff(local, merged, reg, &d) == MA_OK && d.n_blocks == 0 && d.n_meta == 0 &&
        cJSON_Compare(local->structures, merged->structures, 1)) {
        chunk_diff_clear(&d);
        rc = synclog_version_set(c->s, c->world_id, "chunk", ref, version, err);
        goto done;
    }
    chunk_diff_clear(&d);
    size_t len = 0;
    char *data = chunk_encode(merged, reg, &len, err);
    if (!data) {
        rc = err->code ? err->code : MA_ERR_NOMEM;
        goto done;
    }
    rc = chunks_put(c->s, c->world_id, cx, cy, cz, data, len, structures ? structures : "[]", NULL, err);
    free(data);
    if (rc == MA_OK)
        rc = synclog_version_set(c->s, c->world_id, "chunk", ref, version, err);
    if (rc == MA_OK)
        count(c, REP(c, chunks));
done:
    cJSON_free(structures);
    chunk_free(merged);
    return rc;
}

/* ------------------------------------------------------------ characters */

/* A villager met here before it was known by its key: found by its entity id. */
static int64_t villager_by_entity(SyncCtx *c, const char *entity)
{
    CharacterRow *rows = NULL;
    int n = 0;
    int64_t id = 0;
    Err quiet = {0};
    if (characters_list_by_world(c->s, c->world_id, &rows, &n, &quiet) != MA_OK)
        return 0;
    for (int i = 0; i < n && !id; i++) {
        const char *e = rows[i].user_id == 0 ? sync_jstr(rows[i].appearance, "entity_id") : NULL;
        if (e && strcmp(e, entity) == 0)
            id = rows[i].id;
    }
    characters_list_free(rows, n);
    return id;
}

/* The local character of a key (or 0), with the server's version known of it. */
static int64_t local_character(SyncCtx *c, const char *key, int64_t *version)
{
    int64_t id = 0;
    Err quiet = {0};
    *version = 0;
    if (synclog_key_find(c->s, c->world_id, key, &id, version, &quiet) == MA_OK)
        return id;
    return villager_by_entity(c, key);
}

/* The local user standing for a remote player: the account's own player, or one made to hold
 * another player's characters (profile.sync_remote). */
static int user_for(SyncCtx *c, const char *remote, int64_t *user_id, Err *err)
{
    if (strcmp(remote, c->account.username) == 0 && c->sw.user_id > 0) {
        *user_id = c->sw.user_id;
        return MA_OK;
    }
    int own = strcmp(remote, c->account.username) == 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        char name[65];
        if (attempt == 0)
            snprintf(name, sizeof name, "%s", remote);
        else
            snprintf(name, sizeof name, "%.40s@%.20s", remote, attempt == 1 ? "remote" : "sync");
        UserRow u;
        Err quiet = {0};
        if (users_get_by_username(c->s, name, &u, &quiet) == MA_OK) {
            const char *mark = sync_jstr(u.profile, "sync_remote");
            int fits = own ? !mark : mark && strcmp(mark, remote) == 0;
            *user_id = u.id;
            user_row_clear(&u);
            if (fits)
                return MA_OK;
            continue;
        }
        memset(&u, 0, sizeof u);
        snprintf(u.username, sizeof u.username, "%s", name);
        u.is_active = 1;
        u.profile = cJSON_CreateObject();
        cJSON_AddStringToObject(u.profile, "display_name", remote);
        if (!own)
            cJSON_AddStringToObject(u.profile, "sync_remote", remote);
        int rc = users_insert(c->s, &u, err);
        *user_id = u.id;
        user_row_clear(&u);
        return rc;
    }
    return err_set(err, MA_ERR_CONSTRAINT, "no local name is free for the player '%s' of the sync server", remote);
}

static int replace_belongings(SyncCtx *c, int64_t id, const cJSON *row, Err *err)
{
    InventoryRow *inv = NULL;
    int n = 0;
    int rc = inventory_list(c->s, id, &inv, &n, err);
    for (int i = 0; rc == MA_OK && i < n; i++)
        rc = inventory_delete(c->s, inv[i].id, err);
    inventory_list_free(inv, n);
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(row, "inventory")) {
        if (rc != MA_OK)
            break;
        InventoryRow r;
        memset(&r, 0, sizeof r);
        r.character_id = id;
        snprintf(r.item_type, sizeof r.item_type, "%s", sync_jstr(e, "item_type") ? sync_jstr(e, "item_type") : "item");
        snprintf(r.item_name, sizeof r.item_name, "%s", sync_jstr(e, "item_name") ? sync_jstr(e, "item_name") : "?");
        r.quantity = (int)sync_jint(e, "quantity", 1);
        r.slot_position = (int)sync_jint(e, "slot_position", INVENTORY_NO_SLOT);
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "item_data");
        r.item_data = cJSON_IsObject(d) ? cJSON_Duplicate(d, 1) : NULL;
        rc = inventory_add(c->s, &r, err);
        inventory_row_clear(&r);
    }
    SkillRow *sk = NULL;
    if (rc == MA_OK && (rc = skills_list(c->s, id, &sk, &n, err)) == MA_OK) {
        for (int i = 0; rc == MA_OK && i < n; i++)
            rc = skills_delete(c->s, id, sk[i].skill_name, err);
        skills_list_free(sk, n);
    }
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(row, "skills")) {
        if (rc != MA_OK)
            break;
        SkillRow r;
        memset(&r, 0, sizeof r);
        r.character_id = id;
        snprintf(r.skill_name, sizeof r.skill_name, "%s", sync_jstr(e, "skill_name") ? sync_jstr(e, "skill_name") : "?");
        r.skill_level = (int)sync_jint(e, "skill_level", 1);
        r.experience_points = sync_jint(e, "experience_points", 0);
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "skill_data");
        r.skill_data = cJSON_IsObject(d) ? cJSON_Duplicate(d, 1) : NULL;
        rc = skills_upsert(c->s, &r, err);
        skill_row_clear(&r);
    }
    /* State: what the server lists, and nothing else. */
    if (rc == MA_OK)
        rc = charstate_clear(c->s, id, err);
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(row, "state")) {
        if (rc != MA_OK)
            break;
        const char *kind = sync_jstr(e, "kind"), *key = sync_jstr(e, "key"), *value = sync_jstr(e, "value");
        if (kind && key)
            rc = charstate_set(c->s, id, kind, key, value ? value : "", err);
    }
    return rc;
}

static int apply_character(SyncCtx *c, const cJSON *row, Err *err)
{
    const char *key = sync_jstr(row, "key");
    if (!key)
        return MA_OK;
    int64_t version = sync_jint(row, "version", 0), known = 0;
    int64_t id = local_character(c, key, &known);
    if (id > 0 && !c->force) {
        if (version > 0 && version <= known)
            return MA_OK; /* we have it */
        char ref[24];
        snprintf(ref, sizeof ref, "%lld", (long long)id);
        int has = synclog_has_op(c->s, c->world_id, "character", ref, err);
        if (has < 0)
            return has;
        if (has || id == c->playing)
            return MA_OK; /* ours is on its way: the server decides when it comes */
    }
    int rc = MA_OK;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(row, "deleted"))) {
        if (id > 0 && (rc = characters_delete(c->s, id, err)) == MA_OK)
            count(c, REP(c, characters));
        return rc == MA_ERR_NOT_FOUND ? MA_OK : rc;
    }
    const cJSON *ch = cJSON_GetObjectItemCaseSensitive(row, "character");
    if (!cJSON_IsObject(ch))
        return MA_OK;
    int npc = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(row, "npc"));
    const char *user = sync_jstr(row, "user");
    int64_t user_id = 0;
    if (!npc && (rc = user_for(c, user ? user : "someone", &user_id, err)) != MA_OK)
        return rc;
    CharacterRow r;
    memset(&r, 0, sizeof r);
    Err quiet = {0};
    int exists = id > 0 && characters_get(c->s, id, &r, &quiet) == MA_OK;
    if (!exists)
        memset(&r, 0, sizeof r);
    r.user_id = user_id;
    r.world_id = c->world_id;
    const char *cls = sync_jstr(ch, "character_class");
    snprintf(r.character_class, sizeof r.character_class, "%s", cls ? cls : "adventurer");
    r.level = (int)sync_jint(ch, "level", 1);
    r.experience = sync_jint(ch, "experience", 0);
    cJSON_Delete(r.stats);
    cJSON_Delete(r.appearance);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(ch, "stats"), *ap = cJSON_GetObjectItemCaseSensitive(ch, "appearance");
    r.stats = cJSON_IsObject(st) ? cJSON_Duplicate(st, 1) : cJSON_CreateObject();
    r.appearance = cJSON_IsObject(ap) ? cJSON_Duplicate(ap, 1) : cJSON_CreateObject();
    const cJSON *pos = cJSON_GetObjectItemCaseSensitive(ch, "position");
    if (cJSON_GetArraySize(pos) == 3) {
        r.position_x = cJSON_GetNumberValue(cJSON_GetArrayItem(pos, 0));
        r.position_y = cJSON_GetNumberValue(cJSON_GetArrayItem(pos, 1));
        r.position_z = cJSON_GetNumberValue(cJSON_GetArrayItem(pos, 2));
    }
    /* Names are unique in a world here, not on the server: a clash gets the player's name. */
    const char *name = sync_jstr(ch, "name") ? sync_jstr(ch, "name") : "Someone";
    for (int attempt = 0; attempt < 3; attempt++) {
        char want[65];
        if (attempt == 0)
            snprintf(want, sizeof want, "%s", name);
        else if (attempt == 1)
            snprintf(want, sizeof want, "%.40s (%.20s)", name, npc ? "villager" : user ? user : "?");
        else
            snprintf(want, sizeof want, "%.30s (%.30s)", name, key);
        CharacterRow clash;
        if (characters_get_by_name(c->s, c->world_id, want, &clash, &quiet) == MA_OK) {
            int same = clash.id == id;
            character_row_clear(&clash);
            if (!same)
                continue;
        }
        snprintf(r.name, sizeof r.name, "%s", want);
        break;
    }
    if (exists) {
        rc = characters_update(c->s, &r, err); /* its user stays: a row does not change hands */
    } else {
        rc = characters_insert(c->s, &r, err);
        id = r.id;
    }
    character_row_clear(&r);
    if (rc == MA_OK)
        rc = replace_belongings(c, id, row, err);
    if (rc == MA_OK && !c->force)
        rc = synclog_key_set(c->s, id, c->world_id, key, version, err);
    if (rc == MA_OK)
        count(c, REP(c, characters));
    return rc;
}

/* ------------------------------------------------------------ relationships */

static int has_entry(const cJSON *list, const char *id)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, list) {
        const char *eid = sync_jstr(e, "id");
        if (eid && strcmp(eid, id) == 0)
            return 1;
    }
    return 0;
}

static int apply_relationship(SyncCtx *c, const cJSON *row, Err *err)
{
    const char *from = sync_jstr(row, "from"), *to = sync_jstr(row, "to");
    if (!from || !to)
        return MA_OK;
    int64_t v1, v2;
    int64_t a = local_character(c, from, &v1), b = local_character(c, to, &v2);
    if (a <= 0 || b <= 0 || a == b) {
        count(c, REP(c, skipped));
        return MA_OK;
    }
    char ref[140];
    snprintf(ref, sizeof ref, "%.64s>%.64s", from, to);
    int64_t version = sync_jint(row, "version", 0), known = 0;
    int rc = synclog_version_get(c->s, c->world_id, "relationship", ref, &known, err);
    if (rc != MA_OK || (version > 0 && version <= known))
        return rc;
    /* The union on entry ids: the server's history, then ours it does not have yet. */
    cJSON *merged = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(row, "interaction_history"), 1);
    if (!cJSON_IsArray(merged)) {
        cJSON_Delete(merged);
        merged = cJSON_CreateArray();
    }
    RelationshipRow mine;
    Err quiet = {0};
    int have = relationships_get(c->s, a, b, &mine, &quiet) == MA_OK;
    if (have) {
        const cJSON *e;
        cJSON_ArrayForEach(e, mine.interaction_history) {
            const char *id = sync_jstr(e, "id");
            if (!id || !has_entry(merged, id))
                cJSON_AddItemToArray(merged, cJSON_Duplicate(e, 1));
        }
    }
    /* The value replayed over the merged history from 0, clamped at each step (the local rule). */
    int value = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, merged) {
        value += (int)sync_jint(e, "change", 0);
        value = value < RELATIONSHIP_MIN ? RELATIONSHIP_MIN : value > RELATIONSHIP_MAX ? RELATIONSHIP_MAX : value;
    }
    /* Ours coming back as it is here: only the version is news. */
    int same = have && value == mine.relationship_value && cJSON_Compare(merged, mine.interaction_history, 1);
    if (have)
        relationship_row_clear(&mine);
    if (same) {
        cJSON_Delete(merged);
        return synclog_version_set(c->s, c->world_id, "relationship", ref, version, err);
    }
    RelationshipRow r = {.character_id = a, .target_character_id = b, .relationship_value = value,
                         .interaction_history = merged};
    snprintf(r.relationship_type, sizeof r.relationship_type, "%s",
             sync_jstr(row, "relationship_type") ? sync_jstr(row, "relationship_type") : "");
    rc = relationships_upsert(c->s, &r, err);
    cJSON_Delete(merged);
    if (rc == MA_OK)
        rc = synclog_version_set(c->s, c->world_id, "relationship", ref, version, err);
    if (rc == MA_OK)
        count(c, REP(c, relationships));
    return rc;
}

/* ------------------------------------------------------------ quest progress */

static int finished(const char *status) { return status && strcmp(status, "active") != 0; }

/* The server's rules on our side: counts take the larger, done stays done, objectives either
 * side has are kept. */
static void merge_objectives(cJSON *into, const cJSON *other)
{
    cJSON *a = cJSON_GetObjectItemCaseSensitive(into, "objectives");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(other, "objectives"), *o;
    if (!cJSON_IsArray(b))
        return;
    if (!cJSON_IsArray(a)) {
        cJSON_DeleteItemFromObjectCaseSensitive(into, "objectives");
        cJSON_AddItemToObject(into, "objectives", cJSON_Duplicate(b, 1));
        return;
    }
    cJSON_ArrayForEach(o, b) {
        const char *id = sync_jstr(o, "id");
        cJSON *mine = NULL, *x;
        cJSON_ArrayForEach(x, a) {
            const char *xid = sync_jstr(x, "id");
            if (id && xid && strcmp(id, xid) == 0)
                mine = x;
        }
        if (!mine) {
            cJSON_AddItemToArray(a, cJSON_Duplicate(o, 1));
            continue;
        }
        int64_t n = sync_jint(o, "count", 0);
        cJSON *mn = cJSON_GetObjectItemCaseSensitive(mine, "count");
        if (cJSON_IsNumber(mn) && n > mn->valuedouble)
            cJSON_SetNumberValue(mn, (double)n);
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "done"))) {
            cJSON_DeleteItemFromObjectCaseSensitive(mine, "done");
            cJSON_AddTrueToObject(mine, "done");
        }
    }
}

static int64_t quest_by_title(SyncCtx *c, const char *title)
{
    QuestRow *q = NULL;
    int n = 0;
    int64_t id = 0;
    Err quiet = {0};
    if (quests_list_world(c->s, c->world_id, &q, &n, &quiet) != MA_OK)
        return 0;
    for (int i = 0; i < n && !id; i++)
        if (strcmp(q[i].title, title) == 0)
            id = q[i].id;
    quests_list_free(q, n);
    return id;
}

static int apply_quest(SyncCtx *c, const cJSON *row, Err *err)
{
    const char *key = sync_jstr(row, "character");
    const char *title = sync_jstr(cJSON_GetObjectItemCaseSensitive(row, "quest"), "title");
    if (!key || !title)
        return MA_OK;
    int64_t known_c;
    int64_t ch = local_character(c, key, &known_c), quest = quest_by_title(c, title);
    if (ch <= 0 || quest <= 0) {
        count(c, REP(c, skipped)); /* a quest this world has not made here (an agent's of another game) */
        return MA_OK;
    }
    char ref[200];
    snprintf(ref, sizeof ref, "%.64s|%.128s", key, title);
    int64_t version = sync_jint(row, "version", 0), known = 0;
    int rc = synclog_version_get(c->s, c->world_id, "quest_progress", ref, &known, err);
    if (rc != MA_OK || (!c->force && version > 0 && version <= known))
        return rc;
    const char *status = sync_jstr(row, "status") ? sync_jstr(row, "status") : "active";
    cJSON *pd = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(row, "progress_data"), 1);
    if (!cJSON_IsObject(pd)) {
        cJSON_Delete(pd);
        pd = cJSON_CreateObject();
    }
    const char *completed = sync_jstr(row, "completed_at");
    cJSON *rewards = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(row, "rewards_earned"), 1);
    ProgressRow p;
    Err quiet = {0};
    int have = progress_get(c->s, ch, quest, &p, &quiet) == MA_OK;
    char final_status[16], final_completed[40];
    snprintf(final_status, sizeof final_status, "%s", status);
    snprintf(final_completed, sizeof final_completed, "%s", completed ? completed : "");
    if (have) {
        char ref2[24];
        snprintf(ref2, sizeof ref2, "%lld", (long long)p.id);
        int pending = synclog_has_op(c->s, c->world_id, "quest_progress", ref2, err);
        if (pending < 0) {
            rc = pending;
        } else if (pending) {
            /* Ours is on its way: merge so that neither side's progress is lost here. */
            merge_objectives(pd, p.progress_data);
            if (finished(p.status) && !finished(status)) {
                snprintf(final_status, sizeof final_status, "%s", p.status);
                snprintf(final_completed, sizeof final_completed, "%s", p.completed_at);
                cJSON_Delete(rewards);
                rewards = p.rewards_earned ? cJSON_Duplicate(p.rewards_earned, 1) : NULL;
            }
        }
    }
    if (rc == MA_OK && !have) {
        memset(&p, 0, sizeof p);
        p.character_id = ch;
        p.quest_id = quest;
        snprintf(p.started_at, sizeof p.started_at, "%s", sync_jstr(row, "started_at") ? sync_jstr(row, "started_at") : "");
        rc = progress_start(c->s, &p, err);
    }
    if (rc == MA_OK) {
        cJSON *put = cJSON_CreateObject();
        cJSON_AddNumberToObject(put, "id", (double)p.id);
        cJSON_AddStringToObject(put, "status", final_status);
        char *t = cJSON_PrintUnformatted(pd);
        cJSON_AddStringToObject(put, "progress_data", t ? t : "{}");
        cJSON_free(t);
        if (strcmp(final_status, "active") == 0 || !final_completed[0])
            cJSON_AddNullToObject(put, "completed_at");
        else
            cJSON_AddStringToObject(put, "completed_at", final_completed);
        if (strcmp(final_status, "completed") == 0 && !final_completed[0])
            cJSON_ReplaceItemInObjectCaseSensitive(put, "completed_at", cJSON_CreateString(p.started_at));
        t = cJSON_IsArray(rewards) ? cJSON_PrintUnformatted(rewards) : NULL;
        cJSON_AddStringToObject(put, "rewards_earned", t ? t : "[]");
        cJSON_free(t);
        rc = save_row_put(c->s, "quest_progress", put, err);
        cJSON_Delete(put);
    }
    progress_row_clear(&p);
    cJSON_Delete(pd);
    cJSON_Delete(rewards);
    if (rc == MA_OK && !c->force)
        rc = synclog_version_set(c->s, c->world_id, "quest_progress", ref, version, err);
    if (rc == MA_OK)
        count(c, REP(c, quests));
    return rc;
}

/* ------------------------------------------------------------ entries, and the dispatch */

static int apply_entry(SyncCtx *c, const cJSON *row, const char *kind, Err *err)
{
    const char *entry = sync_jstr(row, "entry");
    if (!entry)
        return MA_OK;
    int rc = synclog_entry_add(c->s, c->world_id, kind, entry, 0, row, err);
    if (rc > 0)
        count(c, REP(c, entries));
    return rc < 0 ? rc : MA_OK;
}

int sync_apply_row(SyncCtx *c, const cJSON *row, Err *err)
{
    const char *kind = sync_jstr(row, "kind");
    if (!kind)
        return MA_OK;
    if (strcmp(kind, "chunk") == 0)
        return apply_chunk(c, row, err);
    if (strcmp(kind, "character") == 0)
        return apply_character(c, row, err);
    if (strcmp(kind, "relationship") == 0)
        return apply_relationship(c, row, err);
    if (strcmp(kind, "quest_progress") == 0)
        return apply_quest(c, row, err);
    if (strcmp(kind, "evolution") == 0 || strcmp(kind, "story_choice") == 0)
        return apply_entry(c, row, kind, err);
    return MA_OK; /* the world's own row: each game keeps its clock and name */
}

int sync_take_pull(SyncCtx *c, const cJSON *changes, Err *err)
{
    /* Characters before what points at them. */
    for (int rank = 0; rank < 10; rank++) {
        const cJSON *row;
        cJSON_ArrayForEach(row, changes) {
            const char *kind = sync_jstr(row, "kind");
            int r = kind ? sync_kind_rank(kind) : 99;
            if (r != rank && !(rank == 9 && r >= 9))
                continue;
            int rc = sync_apply_row(c, row, err);
            if (rc != MA_OK)
                return rc;
        }
    }
    return MA_OK;
}
