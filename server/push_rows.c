/* push_rows.c — the changed rows of a push as the JSON lists db_sync_write_all writes, and
 * what must exist before them (quests, agents, stories and branches, a character's pack). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_sync.h"
#include "push_internal.h"
#include "world/chunk_codec.h"

/* ------------------------------------------------------------ writing
 *
 * Rows are sent to db_sync_write_all as JSON lists, each row with its "ord": its change
 * number is the batch's first + ord, fixed inside the one statement that locks the world's row. */

static void add_copy(cJSON *to, const cJSON *from, const char *name, const char *as)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, name);
    if (v && !cJSON_IsNull(v))
        cJSON_AddItemToObject(to, as ? as : name, cJSON_Duplicate(v, 1));
}

int push_chunk_rows(Push *p, cJSON *rows, int *n)
{
    for (int i = 0; i < p->n_chunks; i++) {
        ChunkSlot *s = &p->chunks[i];
        if (!s->dirty)
            continue;
        size_t len = 0;
        char *bd = chunk_encode_palette(s->c, p->srv->blocks, &len, p->err);
        if (!bd)
            return p->err->code ? p->err->code : MA_ERR_NOMEM;
        cJSON *o = cJSON_CreateObject();
        if (s->exists)
            cJSON_AddNumberToObject(o, "id", (double)s->id);
        cJSON_AddNumberToObject(o, "x", s->cx);
        cJSON_AddNumberToObject(o, "y", s->cy);
        cJSON_AddNumberToObject(o, "z", s->cz);
        cJSON_AddRawToObject(o, "block_data", bd);
        free(bd);
        if (s->exists)
            cJSON_AddRawToObject(o, "structures", s->structures);
        else
            cJSON_AddItemToObject(o, "structures", cJSON_Duplicate(s->c->structures, 1));
        cJSON_AddNumberToObject(o, "version", s->version);
        cJSON_AddNumberToObject(o, "ord", s->ord);
        cJSON_AddNumberToObject(o, "expect", s->exists ? s->orig_version : 0);
        cJSON_AddItemToArray(rows, o);
        (*n)++;
    }
    return MA_OK;
}

void push_character_rows(Push *p, cJSON *rows, int *n)
{
    for (int i = 0; i < p->n_chars; i++) {
        CharSlot *s = &p->chars[i];
        if (!s->dirty)
            continue;
        cJSON *o = cJSON_CreateObject();
        if (s->exists)
            cJSON_AddNumberToObject(o, "id", (double)s->id);
        cJSON_AddStringToObject(o, "key", s->key);
        if (s->user_id)
            cJSON_AddNumberToObject(o, "user_id", (double)s->user_id);
        if (s->snapshot) {
            const cJSON *ch = cJSON_GetObjectItemCaseSensitive(s->snapshot->json, "character");
            static const char *const f[] = {"name", "character_class", "level", "experience", "stats", "appearance"};
            for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
                add_copy(o, ch, f[k], NULL);
            const cJSON *pos = cJSON_GetObjectItemCaseSensitive(ch, "position");
            if (cJSON_IsArray(pos)) {
                cJSON_AddNumberToObject(o, "px", cJSON_GetArrayItem(pos, 0)->valuedouble);
                cJSON_AddNumberToObject(o, "py", cJSON_GetArrayItem(pos, 1)->valuedouble);
                cJSON_AddNumberToObject(o, "pz", cJSON_GetArrayItem(pos, 2)->valuedouble);
            }
        }
        cJSON_AddBoolToObject(o, "deleted", s->deleted);
        cJSON_AddNumberToObject(o, "version", (double)s->version);
        cJSON_AddNumberToObject(o, "ord", s->ord);
        cJSON_AddNumberToObject(o, "expect", s->exists ? (double)s->orig_version : 0);
        cJSON_AddItemToArray(rows, o);
        (*n)++;
    }
}

/* Replaces the inventory, skills and state of the characters written with contents: those
 * already on the server (fresh 0, before the world's row is locked: these rows carry no change
 * number), or those just created (fresh 1, once they have ids). */
int push_write_character_rows(Push *p, int fresh)
{
    int rc = MA_OK;
    cJSON *idlist = cJSON_CreateArray(), *inv = cJSON_CreateArray(), *skills = cJSON_CreateArray();
    cJSON *state = cJSON_CreateArray();
    for (int i = 0; i < p->n_chars; i++) {
        CharSlot *s = &p->chars[i];
        if (!s->dirty || !s->snapshot || s->exists == fresh)
            continue;
        cJSON_AddItemToArray(idlist, cJSON_CreateNumber((double)s->id));
        const cJSON *j = s->snapshot->json, *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "inventory")) {
            cJSON *o = cJSON_Duplicate(e, 1);
            cJSON_AddNumberToObject(o, "cid", (double)s->id);
            cJSON_AddItemToArray(inv, o);
        }
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "skills")) {
            cJSON *o = cJSON_Duplicate(e, 1);
            cJSON_AddNumberToObject(o, "cid", (double)s->id);
            cJSON_AddItemToArray(skills, o);
        }
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "state");
        cJSON_ArrayForEach(e, st) {
            /* the same (kind, key) twice: the last one counts */
            int later = 0;
            for (const cJSON *f = e->next; f && !later; f = f->next)
                later = strcmp(push_str(f, "kind"), push_str(e, "kind")) == 0 && strcmp(push_str(f, "key"), push_str(e, "key")) == 0;
            if (later)
                continue;
            cJSON *o = cJSON_Duplicate(e, 1);
            cJSON_AddNumberToObject(o, "cid", (double)s->id);
            cJSON_AddItemToArray(state, o);
        }
    }
    if (cJSON_GetArraySize(idlist)) {
        char *a = push_print(idlist, p->err), *b = push_print(inv, p->err), *c = push_print(skills, p->err), *d = push_print(state, p->err);
        rc = a && b && c && d ? db_sync_replace_character_rows(p->db, a, b, c, d, p->err) : MA_ERR_NOMEM;
        free(a);
        free(b);
        free(c);
        free(d);
    }
    cJSON_Delete(idlist);
    cJSON_Delete(inv);
    cJSON_Delete(skills);
    cJSON_Delete(state);
    return rc;
}

/* A character's id when it is on the server already, else its key (created in this batch:
 * the statement that creates it gives its id). */
static void add_character_ref(cJSON *o, Push *p, const char *key, const char *id_name, const char *key_name)
{
    CharSlot *c = push_char_slot(p, key);
    if (c->exists)
        cJSON_AddNumberToObject(o, id_name, (double)c->id);
    cJSON_AddStringToObject(o, key_name, key);
}

void push_relationship_rows(Push *p, cJSON *rows, int *n)
{
    for (int i = 0; i < p->n_rels; i++) {
        RelSlot *s = &p->rels[i];
        if (!s->dirty)
            continue;
        cJSON *o = cJSON_CreateObject();
        if (s->exists)
            cJSON_AddNumberToObject(o, "id", (double)s->id);
        add_character_ref(o, p, s->from, "f", "fkey");
        add_character_ref(o, p, s->to, "t", "tkey");
        if (s->type[0])
            cJSON_AddStringToObject(o, "type", s->type);
        cJSON_AddNumberToObject(o, "value", s->value);
        cJSON_AddItemToObject(o, "hist", cJSON_Duplicate(s->hist, 1));
        cJSON_AddNumberToObject(o, "version", (double)s->version);
        cJSON_AddNumberToObject(o, "ord", s->ord);
        cJSON_AddNumberToObject(o, "expect", s->exists ? (double)s->orig_version : 0);
        cJSON_AddItemToArray(rows, o);
        (*n)++;
    }
}

/* Makes sure the quests the batch's progress refers to exist; *ids receives title -> id. */
int push_ensure_quests(Push *p, cJSON **ids)
{
    cJSON *defs = cJSON_CreateArray();
    *ids = NULL;
    int n = 0;
    for (int i = 0; i < p->n_quests; i++) {
        QuestSlot *s = &p->quests[i];
        if (!s->dirty)
            continue;
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = p->quests[j].dirty && strcmp(p->quests[j].title, s->title) == 0;
        if (!seen)
            cJSON_AddItemToArray(defs, cJSON_Duplicate(s->def, 1));
        n++;
    }
    int rc = MA_OK;
    if (n) {
        char *json = push_print(defs, p->err);
        rc = json ? db_sync_ensure_quests(p->db, p->world, json, ids, p->err) : MA_ERR_NOMEM;
        free(json);
    }
    cJSON_Delete(defs);
    return rc;
}

int push_quest_rows(Push *p, const cJSON *quest_ids, cJSON *rows, int *n)
{
    for (int i = 0; i < p->n_quests; i++) {
        QuestSlot *s = &p->quests[i];
        if (!s->dirty)
            continue;
        const cJSON *qid = cJSON_GetObjectItemCaseSensitive(quest_ids, s->title);
        if (!cJSON_IsNumber(qid))
            return err_set(p->err, DB_RETRY, "quest '%s' was being created by another push", s->title);
        char started[TIME_ISO_LEN], completed[TIME_ISO_LEN];
        push_canon_time(s->st.started_at, started);
        push_canon_time(s->st.completed_at, completed);
        cJSON *o = cJSON_CreateObject();
        if (s->exists)
            cJSON_AddNumberToObject(o, "id", (double)s->id);
        add_character_ref(o, p, s->character, "cid", "ckey");
        cJSON_AddNumberToObject(o, "qid", qid->valuedouble);
        cJSON_AddStringToObject(o, "status", s->st.status);
        cJSON_AddItemToObject(o, "pd", cJSON_Duplicate(s->st.progress_data, 1));
        cJSON_AddItemToObject(o, "rewards", cJSON_Duplicate(s->st.rewards_earned, 1));
        cJSON_AddStringToObject(o, "started", started);
        cJSON_AddStringToObject(o, "completed", completed);
        cJSON_AddNumberToObject(o, "version", (double)s->version);
        cJSON_AddNumberToObject(o, "ord", s->ord);
        cJSON_AddNumberToObject(o, "expect", s->exists ? (double)s->orig_version : 0);
        cJSON_AddItemToArray(rows, o);
        (*n)++;
    }
    return MA_OK;
}

/* The agents of new evolution entries and the stories and branches of new choices exist
 * before the world's row is locked (they carry no change number); *agents receives
 * name -> id, *branches "title\nbranch" -> id. */
int push_ensure_log_owners(Push *p, cJSON **agents, cJSON **branches)
{
    cJSON *a = cJSON_CreateArray(), *b = cJSON_CreateArray();
    *agents = *branches = NULL;
    for (int i = 0; i < p->n_evo; i++) {
        if (!p->evo[i].fresh)
            continue;
        const cJSON *agent = cJSON_GetObjectItemCaseSensitive(p->evo[i].op->json, "agent");
        cJSON *o = cJSON_CreateObject();
        add_copy(o, agent, "name", NULL);
        add_copy(o, agent, "type", NULL);
        cJSON_AddItemToArray(a, o);
    }
    for (int i = 0; i < p->n_choices; i++) {
        if (!p->choices[i].fresh)
            continue;
        const cJSON *j = p->choices[i].op->json;
        const cJSON *story = cJSON_GetObjectItemCaseSensitive(j, "story");
        const cJSON *branch = cJSON_GetObjectItemCaseSensitive(j, "branch");
        cJSON *o = cJSON_CreateObject();
        add_copy(o, story, "title", NULL);
        add_copy(o, story, "description", NULL);
        add_copy(o, story, "story_type", NULL);
        add_copy(o, branch, "name", "branch");
        add_copy(o, branch, "content", NULL);
        add_copy(o, branch, "parent", NULL);
        cJSON_AddItemToArray(b, o);
    }
    int rc = MA_OK;
    if (cJSON_GetArraySize(a)) {
        char *json = push_print(a, p->err);
        rc = json ? db_sync_ensure_agents(p->db, json, agents, p->err) : MA_ERR_NOMEM;
        free(json);
    }
    if (rc == MA_OK && cJSON_GetArraySize(b)) {
        char *json = push_print(b, p->err);
        rc = json ? db_sync_ensure_branches(p->db, p->world, json, branches, p->err) : MA_ERR_NOMEM;
        free(json);
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
    return rc;
}

int push_entry_rows(Push *p, int choice, const cJSON *owners, cJSON *rows, int *n)
{
    EntrySlot *list = choice ? p->choices : p->evo;
    int count = choice ? p->n_choices : p->n_evo;
    for (int i = 0; i < count; i++) {
        EntrySlot *s = &list[i];
        if (!s->fresh)
            continue;
        const cJSON *j = s->op->json, *owner;
        cJSON *o = cJSON_CreateObject();
        char t[TIME_ISO_LEN];
        cJSON_AddStringToObject(o, "entry", s->entry);
        if (!choice) {
            owner = cJSON_GetObjectItemCaseSensitive(owners, push_str(cJSON_GetObjectItemCaseSensitive(j, "agent"), "name"));
            add_copy(o, j, "evolution_type", NULL);
            add_copy(o, j, "changes_made", NULL);
            add_copy(o, j, "reasoning", NULL);
            add_copy(o, j, "is_active", NULL);
            push_canon_time(push_str(j, "applied_at"), t);
            cJSON_AddStringToObject(o, "applied_at", t);
            if (cJSON_IsNumber(owner))
                cJSON_AddNumberToObject(o, "agent_id", owner->valuedouble);
        } else {
            char key[300];
            snprintf(key, sizeof key, "%s\n%s", push_str(cJSON_GetObjectItemCaseSensitive(j, "story"), "title"),
                     push_str(cJSON_GetObjectItemCaseSensitive(j, "branch"), "name"));
            owner = cJSON_GetObjectItemCaseSensitive(owners, key);
            add_character_ref(o, p, s->op->key2, "cid", "ckey");
            add_copy(o, j, "choice_text", NULL);
            add_copy(o, j, "choice_data", NULL);
            add_copy(o, j, "consequences", NULL);
            push_canon_time(push_str(j, "made_at"), t);
            cJSON_AddStringToObject(o, "made_at", t);
            if (cJSON_IsNumber(owner))
                cJSON_AddNumberToObject(o, "branch_id", owner->valuedouble);
        }
        if (!cJSON_IsNumber(owner)) {
            /* its agent or branch was being created by another push: not visible yet */
            cJSON_Delete(o);
            return err_set(p->err, DB_RETRY, "a log entry's agent or story was being created by another push");
        }
        cJSON_AddNumberToObject(o, "ord", s->ord);
        cJSON_AddItemToArray(rows, o);
        (*n)++;
    }
    return MA_OK;
}

