/* api_worlds.c — sharing a world: create it on the server, list, describe, invite, and find
 * chunks by what they hold. Only a world's owner invites; members read and write it. */
#include "api.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_users.h"
#include "sync_ops.h"
#include "world/generator.h"

/* The world of the request, checked: 1 when the user may use it (owner_only: must own it). */
int api_world_check(Req *q, Resp *r, Db *db, int owner_only, WorldAccess *wa)
{
    Err err = {0};
    if (db_world_access(db, q->world_id, q->user_id, wa, &err) != MA_OK) {
        resp_db_error(r, &err);
        return 0;
    }
    if (!wa->exists || wa->deleted) {
        resp_error(r, 404, "there is no world %" PRId64 " on the server", q->world_id);
        return 0;
    }
    if (!wa->member) {
        resp_error(r, 403, "world %" PRId64 " ('%s') is not yours and its owner has not invited you", q->world_id,
                   wa->name);
        return 0;
    }
    if (owner_only && !wa->owner) {
        resp_error(r, 403, "only the owner of world %" PRId64 " ('%s') may do this", q->world_id, wa->name);
        return 0;
    }
    return 1;
}

void api_worlds_list(Req *q, Resp *r)
{
    Db db;
    Err err = {0};
    cJSON *list = NULL;
    int rc = db_acquire(q->srv->pool, &db, &err);
    if (rc == MA_OK) {
        rc = db_worlds_of(&db, q->user_id, &list, &err);
        db_release(&db);
    }
    if (rc != MA_OK) {
        resp_db_error(r, &err);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "worlds", list);
    resp_json(r, 200, o);
}

void api_worlds_create(Req *q, Resp *r)
{
    cJSON *body = req_json_object(q, r);
    if (!body)
        return;
    Err err = {0};
    SyncWorldFields f;
    if (sync_world_fields(body, q->srv->blocks, 1, &f, &err) != MA_OK) {
        resp_error(r, 400, "%s", err.msg);
        cJSON_Delete(body);
        return;
    }
    char *settings = cJSON_PrintUnformatted(f.settings), *metadata = cJSON_PrintUnformatted(f.metadata);
    Db db;
    int64_t id = 0;
    int rc = settings && metadata ? db_acquire(q->srv->pool, &db, &err) : err_set(&err, MA_ERR_NOMEM, "out of memory");
    if (rc == MA_OK) {
        rc = db_world_create(&db, q->user_id, f.name, f.seed, f.world_type, settings, metadata, &id, &err);
        db_release(&db);
    }
    free(settings);
    free(metadata);
    if (rc == MA_ERR_CONSTRAINT) {
        resp_error(r, 409, "%s", err.msg);
    } else if (rc != MA_OK) {
        resp_db_error(r, &err);
    } else {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double)id);
        cJSON_AddStringToObject(o, "name", f.name);
        cJSON_AddNumberToObject(o, "version", 1);
        resp_json(r, 201, o);
    }
    sync_world_fields_clear(&f);
    cJSON_Delete(body);
}

void api_world_get(Req *q, Resp *r)
{
    Db db;
    Err err = {0};
    if (db_acquire(q->srv->pool, &db, &err) != MA_OK) {
        resp_db_error(r, &err);
        return;
    }
    WorldAccess wa;
    cJSON *o = NULL;
    if (api_world_check(q, r, &db, 0, &wa)) {
        if (db_world_describe(&db, q->world_id, &o, &err) != MA_OK)
            resp_db_error(r, &err);
        else
            resp_json(r, 200, o);
    }
    db_release(&db);
}

void api_world_invite(Req *q, Resp *r)
{
    cJSON *body = req_json_object(q, r);
    if (!body)
        return;
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(body, "username");
    if (!cJSON_IsString(u) || !u->valuestring[0] || strlen(u->valuestring) > 64) {
        resp_error(r, 400, "an invitation needs {\"username\": NAME}");
        cJSON_Delete(body);
        return;
    }
    Db db;
    Err err = {0};
    if (db_acquire(q->srv->pool, &db, &err) != MA_OK) {
        resp_db_error(r, &err);
        cJSON_Delete(body);
        return;
    }
    WorldAccess wa;
    if (api_world_check(q, r, &db, 1, &wa)) {
        int added = 0;
        int rc = db_world_invite(&db, q->world_id, q->user_id, u->valuestring, &added, &err);
        if (rc == MA_ERR_NOT_FOUND) {
            resp_error(r, 404, "%s", err.msg);
        } else if (rc != MA_OK) {
            resp_db_error(r, &err);
        } else {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "username", u->valuestring);
            cJSON_AddStringToObject(o, "status", added ? "invited" : "already a member");
            resp_json(r, added ? 201 : 200, o);
        }
    }
    db_release(&db);
    cJSON_Delete(body);
}

void api_chunks_search(Req *q, Resp *r)
{
    char block[64] = "", entity[80] = "", lim[16] = "";
    int has_block = req_query(q, "block", block, sizeof block);
    int has_entity = req_query(q, "entity", entity, sizeof entity);
    if (has_block == has_entity) {
        resp_error(r, 400, "say what to find: ?block=NAME (a block in the palette) or ?entity=ID, one of them");
        return;
    }
    if (has_block && blocks_find(q->srv->blocks, block) < 0) {
        resp_error(r, 400, "block=%s: not a block of data/blocks.json", block);
        return;
    }
    if (has_entity && (!entity[0] || strlen(entity) > 64)) {
        resp_error(r, 400, "entity: an id of 1 to 64 characters");
        return;
    }
    int limit = 100;
    if (req_query(q, "limit", lim, sizeof lim)) {
        char *end;
        long l = strtol(lim, &end, 10);
        if (*end || l < 1 || l > 1000) {
            resp_error(r, 400, "limit=%s: must be 1 to 1000", lim);
            return;
        }
        limit = (int)l;
    }
    Db db;
    Err err = {0};
    if (db_acquire(q->srv->pool, &db, &err) != MA_OK) {
        resp_db_error(r, &err);
        return;
    }
    WorldAccess wa;
    if (api_world_check(q, r, &db, 0, &wa)) {
        cJSON *list = NULL;
        if (db_chunks_containing(&db, q->world_id, has_block ? block : NULL, has_entity ? entity : NULL, limit, &list,
                                 &err) != MA_OK) {
            resp_db_error(r, &err);
        } else {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddItemToObject(o, "chunks", list);
            resp_json(r, 200, o);
        }
    }
    db_release(&db);
}
