/* sync_world.c — sharing a local world, making the local copy of a server's world, the
 * conflicts kept for the player, and the words of the sidebar (see sync.h). */
#include "sync/sync_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "save/agents.h"
#include "save/chunks.h"
#include "save/quests.h"
#include "save/skills.h"
#include "save/stories.h"
#include "save/users.h"
#include "save/worlds.h"
#include "util/timeutil.h"
#include "world/chunk_codec.h"
#include "world/chunk_diff.h"
#include "world/generator.h"

/* ------------------------------------------------------------ sharing */

typedef struct ShareChunks {
    SyncCtx *c;
    Err *err;
    int rc;
} ShareChunks;

/* One stored chunk: what it holds that the generator does not make. */
static int share_chunk(int32_t cx, int32_t cy, int32_t cz, const char *block_data, size_t len, const char *structures,
                       int64_t version, void *ud)
{
    (void)version;
    ShareChunks *sc = ud;
    const BlockRegistry *reg = world_blocks(sc->c->w);
    Chunk *now = NULL, *base = chunk_new(cx, cy, cz, BLOCK_AIR);
    if (!base) {
        sc->rc = err_set(sc->err, MA_ERR_NOMEM, "out of memory sharing chunk %d,%d,%d", cx, cy, cz);
        return 1;
    }
    generator_fill(world_generator(sc->c->w), base);
    sc->rc = chunk_decode(block_data, len, structures, reg, cx, cy, cz, &now, sc->err);
    if (sc->rc == MA_OK) {
        ChunkDiff d;
        if (chunk_diff(base, now, reg, &d) != MA_OK)
            sc->rc = err_set(sc->err, MA_ERR_NOMEM, "out of memory sharing chunk %d,%d,%d", cx, cy, cz);
        else
            sc->rc = synclog_record_chunk(sc->c->s, sc->c->world_id, cx, cy, cz, d.blocks, d.n_blocks, d.meta, d.n_meta,
                                          sc->err);
        chunk_diff_clear(&d);
    }
    chunk_free(now);
    chunk_free(base);
    return sc->rc != MA_OK;
}

static int add_id(SyncCtx *c, const char *kind, int64_t id, Err *err)
{
    char ref[24];
    snprintf(ref, sizeof ref, "%lld", (long long)id);
    return synclog_add(c->s, c->world_id, kind, ref, 0, NULL, err);
}

int sync_share_record(Save *s, World *w, int64_t account_id, int64_t remote_id, int64_t user_id, Err *err)
{
    SyncCtx c = {.s = s, .w = w, .world_id = world_id(w)};
    /* Whatever the cache holds goes to the save first: the share compares the save with the generator. */
    int rc = world_flush(w, err);
    SyncWorld sw = {.world_id = c.world_id, .account_id = account_id, .remote_id = remote_id, .user_id = user_id};
    if (rc == MA_OK)
        rc = synclog_world_add(s, &sw, err);
    if (rc != MA_OK)
        return rc;
    world_set_sync(w, 1);
    ShareChunks sc = {.c = &c, .err = err, .rc = MA_OK};
    rc = chunks_each(s, c.world_id, share_chunk, &sc, err);
    if (rc == MA_OK)
        rc = sc.rc;
    CharacterRow *chars = NULL;
    int nc = 0;
    if (rc == MA_OK)
        rc = characters_list_by_world(s, c.world_id, &chars, &nc, err);
    for (int i = 0; rc == MA_OK && i < nc; i++) {
        rc = add_id(&c, "character", chars[i].id, err);
        RelationshipRow *rel = NULL;
        int n = 0;
        if (rc == MA_OK && (rc = relationships_list(s, chars[i].id, &rel, &n, err)) == MA_OK) {
            for (int k = 0; rc == MA_OK && k < n; k++)
                rc = add_id(&c, "relationship", rel[k].id, err);
            relationships_list_free(rel, n);
        }
        ProgressRow *pr = NULL;
        if (rc == MA_OK && (rc = progress_list(s, chars[i].id, NULL, &pr, &n, err)) == MA_OK) {
            for (int k = 0; rc == MA_OK && k < n; k++)
                rc = add_id(&c, "quest_progress", pr[k].id, err);
            progress_list_free(pr, n);
        }
        ChoiceRow *ch = NULL;
        if (rc == MA_OK && (rc = choices_list_by_character(s, chars[i].id, &ch, &n, err)) == MA_OK) {
            for (int k = 0; rc == MA_OK && k < n; k++)
                rc = add_id(&c, "story_choice", ch[k].id, err);
            choices_list_free(ch, n);
        }
    }
    characters_list_free(chars, nc);
    EvolutionRow *ev = NULL;
    int ne = 0;
    if (rc == MA_OK && (rc = evolution_list(s, c.world_id, 0, &ev, &ne, err)) == MA_OK) {
        for (int k = 0; rc == MA_OK && k < ne; k++)
            rc = add_id(&c, "evolution", ev[k].id, err);
        evolution_list_free(ev, ne);
    }
    return rc;
}

/* ------------------------------------------------------------ getting */

int sync_get_create(Save *s, const cJSON *remote, const SyncAccount *account, int64_t *world_id, Err *err)
{
    const char *name = sync_jstr(remote, "name");
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(remote, "seed");
    const char *type = sync_jstr(remote, "world_type");
    int64_t remote_id = sync_jint(remote, "id", 0);
    if (!name || !seed || remote_id <= 0)
        return err_set(err, MA_ERR_INVALID, "the sync server's description of the world is incomplete");
    /* A world whose settings do not say predates the setting: version 1, as in a save. */
    int64_t v = sync_jint(cJSON_GetObjectItemCaseSensitive(remote, "settings"), "generator_version", 1);
    if (v < GENERATOR_VERSION_OLDEST || v > GENERATOR_VERSION)
        return err_set(err, v > GENERATOR_VERSION ? MA_ERR_NEWER : MA_ERR_INVALID,
                       "the world '%s' on the server was made with world generator version %lld; this game has "
                       "versions %d to %d", name, (long long)v, GENERATOR_VERSION_OLDEST, GENERATOR_VERSION);
    long long sv = 0;
    if (cJSON_IsString(seed)) {
        char *end;
        sv = strtoll(seed->valuestring, &end, 10);
        if (*end)
            return err_set(err, MA_ERR_INVALID, "the sync server's seed for '%s' is not a number", name);
    } else {
        sv = (long long)cJSON_GetNumberValue(seed);
    }
    WorldRow existing;
    Err quiet = {0};
    if (worlds_get_by_name(s, name, &existing, &quiet) == MA_OK) {
        world_row_clear(&existing);
        return err_set(err, MA_ERR_CONSTRAINT, "%s already has a world named '%s': sync get makes a new one (use "
                       "another save with --save)", save_path(s), name);
    }
    int rc = world_create_version(s, name, (uint64_t)sv, type ? type : "normal", (int)v, world_id, err);
    if (rc != MA_OK)
        return rc;
    /* The downloading player plays as the local user of the account's name. */
    UserRow u;
    int64_t user_id = 0;
    if (users_get_by_username(s, account->username, &u, &quiet) == MA_OK) {
        user_id = u.id;
        user_row_clear(&u);
    } else {
        memset(&u, 0, sizeof u);
        snprintf(u.username, sizeof u.username, "%s", account->username);
        u.is_active = 1;
        u.profile = cJSON_CreateObject();
        cJSON_AddStringToObject(u.profile, "display_name", account->username);
        cJSON_AddBoolToObject(u.profile, "local", 1);
        rc = users_insert(s, &u, err);
        user_id = u.id;
        user_row_clear(&u);
        if (rc != MA_OK)
            return rc;
    }
    SyncWorld sw = {.world_id = *world_id, .account_id = account->id, .remote_id = remote_id, .user_id = user_id};
    return synclog_world_add(s, &sw, err);
}

/* ------------------------------------------------------------ conflicts */

static const char *name_or(const cJSON *v, const char *none)
{
    if (cJSON_IsString(v))
        return v->valuestring;
    if (!v || cJSON_IsNull(v))
        return none;
    return "(a value)";
}

void sync_conflict_describe(const SyncConflict *c, char *buf, size_t size)
{
    const cJSON *d = c->detail;
    if (strcmp(c->kind, "block") == 0) {
        snprintf(buf, size, "%s: mine %s, theirs %s (before both: %s)", c->place,
                 name_or(cJSON_GetObjectItemCaseSensitive(d, "yours"), "?"),
                 name_or(cJSON_GetObjectItemCaseSensitive(d, "server"), "?"),
                 name_or(cJSON_GetObjectItemCaseSensitive(d, "base"), "?"));
    } else if (strcmp(c->kind, "meta") == 0 || strcmp(c->kind, "entity") == 0) {
        char *mine = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(d, "yours"));
        char *theirs = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(d, "server"));
        snprintf(buf, size, "%s: mine %.60s, theirs %.60s", c->place, mine ? mine : "none", theirs ? theirs : "none");
        cJSON_free(mine);
        cJSON_free(theirs);
    } else if (strcmp(c->kind, "rejected") == 0) {
        snprintf(buf, size, "%s", c->place);
    } else if (strcmp(c->kind, "quest_progress") == 0) {
        const cJSON *y = cJSON_GetObjectItemCaseSensitive(d, "yours"), *s = cJSON_GetObjectItemCaseSensitive(d, "server");
        snprintf(buf, size, "%s: mine %s, theirs %s", c->place, name_or(cJSON_GetObjectItemCaseSensitive(y, "status"), "?"),
                 name_or(cJSON_GetObjectItemCaseSensitive(s, "status"), "?"));
    } else {
        const cJSON *y = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(d, "yours"), "character");
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(d, "server"), "character");
        snprintf(buf, size, "%s: mine level %lld with %lld XP, theirs level %lld with %lld XP", c->place,
                 (long long)sync_jint(y, "level", 0), (long long)sync_jint(y, "experience", 0),
                 (long long)sync_jint(s, "level", 0), (long long)sync_jint(s, "experience", 0));
    }
}

int sync_conflict_theirs(Save *s, int64_t conflict_id, Err *err)
{
    SyncConflict c;
    int rc = synclog_conflict_get(s, conflict_id, &c, err);
    if (rc != MA_OK)
        return rc;
    if (strcmp(c.status, "open") != 0)
        rc = err_set(err, MA_ERR_INVALID, "conflict %lld was settled already (%s)", (long long)conflict_id, c.status);
    else
        rc = synclog_conflict_resolve(s, conflict_id, "theirs", err);
    synclog_conflict_clear(&c);
    return rc;
}

int sync_conflict_mine(Save *s, World *w, int64_t conflict_id, Err *err)
{
    SyncConflict c;
    int rc = synclog_conflict_get(s, conflict_id, &c, err);
    if (rc != MA_OK)
        return rc;
    const cJSON *d = c.detail;
    if (c.world_id != world_id(w)) {
        rc = err_set(err, MA_ERR_INVALID, "conflict %lld is not of world '%s'", (long long)conflict_id, world_name(w));
    } else if (strcmp(c.status, "open") != 0) {
        rc = err_set(err, MA_ERR_INVALID, "conflict %lld was settled already (%s)", (long long)conflict_id, c.status);
    } else if (strcmp(c.kind, "block") == 0 || strcmp(c.kind, "meta") == 0) {
        const cJSON *at = cJSON_GetObjectItemCaseSensitive(d, "at");
        int32_t x = (int32_t)cJSON_GetNumberValue(cJSON_GetArrayItem(at, 0));
        int32_t y = (int32_t)cJSON_GetNumberValue(cJSON_GetArrayItem(at, 1));
        int32_t z = (int32_t)cJSON_GetNumberValue(cJSON_GetArrayItem(at, 2));
        const cJSON *yours = cJSON_GetObjectItemCaseSensitive(d, "yours");
        if (strcmp(c.kind, "block") == 0) {
            int id = cJSON_IsString(yours) ? blocks_find(world_blocks(w), yours->valuestring) : -1;
            rc = id < 0 ? err_set(err, MA_ERR_INVALID, "conflict %lld: '%s' is not a block of this game", (long long)conflict_id,
                                  name_or(yours, "?"))
                        : world_set_block(w, x, y, z, (BlockId)id, err);
        } else {
            rc = world_set_block_meta(w, x, y, z, cJSON_IsObject(yours) ? cJSON_Duplicate(yours, 1) : NULL, err);
        }
        /* Written now: recorded as a new edit, based on the server's value that stands here. */
        if (rc == MA_OK)
            rc = world_flush(w, err);
    } else if (strcmp(c.kind, "character") == 0 || strcmp(c.kind, "quest_progress") == 0) {
        /* Ours written back over the server's: the triggers record it, based on the server's version. */
        SyncCtx ctx = {.s = s, .w = w, .world_id = c.world_id, .force = 1};
        rc = synclog_world_get(s, c.world_id, &ctx.sw, err);
        if (rc == MA_OK)
            rc = synclog_account_get(s, ctx.sw.account_id, &ctx.account, err);
        cJSON *row = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(d, "yours"), 1);
        if (rc == MA_OK && cJSON_IsObject(row)) {
            if (strcmp(c.kind, "character") == 0 && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(row, "npc")))
                cJSON_AddStringToObject(row, "user", ctx.account.username);
            cJSON_DeleteItemFromObjectCaseSensitive(row, "version");
            rc = sync_apply_row(&ctx, row, err);
        }
        cJSON_Delete(row);
    } else {
        rc = err_set(err, MA_ERR_INVALID, "conflict %lld (%s) cannot be re-applied: %s", (long long)conflict_id, c.kind,
                     strcmp(c.kind, "rejected") == 0 ? "the server refused it as it was; let it go with --theirs"
                                                      : "things on the ground and villagers about are each game's own");
    }
    if (rc == MA_OK)
        rc = synclog_conflict_resolve(s, conflict_id, "mine", err);
    synclog_conflict_clear(&c);
    return rc;
}

/* ------------------------------------------------------------ the sidebar */

void sync_status_line(Save *s, int64_t world_id, long long now, char *buf, size_t size)
{
    buf[0] = '\0';
    SyncWorld sw;
    Err quiet = {0};
    if (synclog_world_get(s, world_id, &sw, &quiet) != MA_OK)
        return;
    int waiting = 0, sent = 0;
    synclog_count(s, world_id, &waiting, &sent, &quiet);
    waiting += sent;
    SyncAccount a;
    int signed_in = synclog_account_get(s, sw.account_id, &a, &quiet) == MA_OK && a.token[0];
    if (!signed_in) {
        snprintf(buf, size, waiting ? "log in again, %d waiting" : "log in again", waiting);
        return;
    }
    int64_t last_ok = sw.last_sync_at[0] ? time_parse_iso(sw.last_sync_at) : -1;
    int64_t last_try = sw.last_try_at[0] ? time_parse_iso(sw.last_try_at) : -1;
    if (sw.last_error[0] && last_try >= last_ok) {
        int offline = strncmp(sw.last_error, "offline: ", 9) == 0;
        if (waiting)
            snprintf(buf, size, "%s, %d waiting", offline ? "offline" : "refused", waiting);
        else
            snprintf(buf, size, "%s", offline ? "offline" : "refused (sync status)");
        return;
    }
    if (waiting) {
        snprintf(buf, size, "%d change%s waiting", waiting, waiting == 1 ? "" : "s");
        return;
    }
    if (last_ok < 0) {
        snprintf(buf, size, "not synced yet");
        return;
    }
    long long mins = (now - last_ok / 1000) / 60;
    if (mins < 1)
        snprintf(buf, size, "synced just now");
    else if (mins < 120)
        snprintf(buf, size, "synced %lld min ago", mins);
    else if (mins < 48 * 60)
        snprintf(buf, size, "synced %lld h ago", mins / 60);
    else
        snprintf(buf, size, "synced %lld days ago", mins / 1440);
}
