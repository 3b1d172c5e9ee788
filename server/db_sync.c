/* db_sync.c — the SQL of push and pull (see db_sync.h). */
#include "db_sync.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ rows in the pull format */

#define ISO(t) "to_char((" t ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

#define WORLD_ROW(w)                                                                                              \
    "jsonb_build_object('kind', 'world', 'version', " w ".row_version, 'deleted', " w ".deleted, "                \
    "'world', jsonb_build_object('name', " w ".name, 'seed', " w ".seed::text, 'world_type', " w ".world_type, "   \
    "'settings', " w ".settings, 'metadata', " w ".metadata, 'is_active', " w ".is_active))"

#define CHUNK_ROW(c)                                                                                              \
    "jsonb_build_object('kind', 'chunk', 'chunk', jsonb_build_array(" c ".chunk_x, " c ".chunk_y, " c ".chunk_z), " \
    "'version', " c ".version, 'block_data', " c ".block_data, 'structures', " c ".structures)"

#define CHARACTER_ROW(c)                                                                                          \
    "jsonb_build_object('kind', 'character', 'key', " c ".sync_key, 'version', " c ".row_version, "              \
    "'deleted', " c ".deleted, 'npc', " c ".user_id IS NULL, "                                                    \
    "'user', (SELECT u.username FROM users u WHERE u.id = " c ".user_id), "                                       \
    "'character', jsonb_build_object('name', " c ".name, 'character_class', " c ".character_class, "            \
    "  'level', " c ".level, 'experience', " c ".experience, 'stats', " c ".stats, 'appearance', " c ".appearance, " \
    "  'position', jsonb_build_array(" c ".position_x, " c ".position_y, " c ".position_z)), "                   \
    "'inventory', (SELECT COALESCE(jsonb_agg(jsonb_build_object('item_type', i.item_type, 'item_name', i.item_name, " \
    "  'quantity', i.quantity, 'item_data', i.item_data, 'slot_position', i.slot_position) "                     \
    "  ORDER BY i.slot_position NULLS LAST, i.id), '[]') FROM inventory i WHERE i.character_id = " c ".id), "     \
    "'skills', (SELECT COALESCE(jsonb_agg(jsonb_build_object('skill_name', s.skill_name, 'skill_level', "        \
    "  s.skill_level, 'experience_points', s.experience_points, 'skill_data', s.skill_data) ORDER BY s.skill_name), " \
    "  '[]') FROM character_skills s WHERE s.character_id = " c ".id), "                                          \
    "'state', (SELECT COALESCE(jsonb_agg(jsonb_build_object('kind', st.kind, 'key', st.key, 'value', st.value) " \
    "  ORDER BY st.kind, st.key), '[]') FROM character_state st WHERE st.character_id = " c ".id))"

#define RELATIONSHIP_ROW(r)                                                                                       \
    "jsonb_build_object('kind', 'relationship', "                                                                 \
    "'from', (SELECT k.sync_key FROM characters k WHERE k.id = " r ".character_id), "                             \
    "'to', (SELECT k.sync_key FROM characters k WHERE k.id = " r ".target_character_id), "                        \
    "'version', " r ".row_version, 'relationship_type', " r ".relationship_type, "                               \
    "'relationship_value', " r ".relationship_value, 'interaction_history', " r ".interaction_history)"

#define QUEST_ROW(p)                                                                                              \
    "jsonb_build_object('kind', 'quest_progress', "                                                               \
    "'character', (SELECT k.sync_key FROM characters k WHERE k.id = " p ".character_id), "                        \
    "'quest', (SELECT jsonb_build_object('title', q.title, 'description', q.description, 'quest_type', "         \
    "  q.quest_type, 'requirements', q.requirements, 'rewards', q.rewards, 'difficulty_level', q.difficulty_level) " \
    "  FROM quests q WHERE q.id = " p ".quest_id), "                                                              \
    "'version', " p ".row_version, 'status', " p ".status, 'progress_data', " p ".progress_data, "               \
    "'started_at', " ISO(p ".started_at") ", 'completed_at', " ISO(p ".completed_at") ", "                        \
    "'rewards_earned', " p ".rewards_earned)"

#define EVOLUTION_ROW(e)                                                                                          \
    "jsonb_build_object('kind', 'evolution', 'entry', " e ".sync_key, "                                           \
    "'agent', (SELECT jsonb_build_object('name', a.agent_name, 'type', a.agent_type) FROM ai_agents a "          \
    "  WHERE a.id = " e ".agent_id), "                                                                            \
    "'evolution_type', " e ".evolution_type, 'changes_made', " e ".changes_made, 'reasoning', " e ".reasoning, " \
    "'applied_at', " ISO(e ".applied_at") ", 'is_active', " e ".is_active)"

#define CHOICE_ROW(pc)                                                                                            \
    "jsonb_build_object('kind', 'story_choice', 'entry', " pc ".sync_key, "                                       \
    "'character', (SELECT k.sync_key FROM characters k WHERE k.id = " pc ".character_id), "                       \
    "'story', (SELECT jsonb_build_object('title', s.title, 'description', s.description, 'story_type', "         \
    "  s.story_type) FROM story_branches b JOIN stories s ON s.id = b.story_id WHERE b.id = " pc ".story_branch_id), " \
    "'branch', (SELECT jsonb_build_object('name', b.branch_name, 'content', b.content, 'parent', "               \
    "  (SELECT pb.branch_name FROM story_branches pb WHERE pb.id = b.parent_branch_id)) "                          \
    "  FROM story_branches b WHERE b.id = " pc ".story_branch_id), "                                              \
    "'choice_text', " pc ".choice_text, 'choice_data', " pc ".choice_data, 'consequences', " pc ".consequences, " \
    "'made_at', " ISO(pc ".made_at") ")"

/* ------------------------------------------------------------ helpers */

static int64_t i64(const char *s)
{
    return s && *s ? strtoll(s, NULL, 10) : 0;
}

static char *dup_text(const char *s)
{
    char *d = strdup(s ? s : "");
    return d;
}

/* Runs a statement whose one row and column is a count. */
static int count_of(Db *db, const char *what, const char *sql, int n, const char *const *p, int *out, Err *err)
{
    PGresult *r = db_exec(db, what, sql, n, p, err);
    if (!r)
        return err->code;
    *out = PQntuples(r) ? atoi(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    return MA_OK;
}

#define WORLD_PARAM(buf, world) char buf[24]; snprintf(buf, sizeof buf, "%" PRId64, world)

/* ------------------------------------------------------------ applied operations */

int db_sync_seen_ops(Db *db, int64_t world, const char *ids_json, cJSON **out, Err *err)
{
    WORLD_PARAM(w, world);
    const char *p[2] = {w, ids_json};
    PGresult *r = db_exec(db, "looking up applied operations",
                          /* one index probe per id, whatever the planner believes about the world (the
                           * LIMIT keeps the subquery from being flattened into a scan of the world) */
                          "SELECT COALESCE(jsonb_object_agg(s.op_id, s.response), '{}')::text "
                          "FROM jsonb_array_elements_text($2::jsonb) AS i(op) CROSS JOIN LATERAL "
                          "(SELECT op_id, response FROM sync_ops WHERE world_id = $1 AND op_id = i.op LIMIT 1) s",
                          2, p, err);
    if (!r)
        return err->code;
    *out = cJSON_Parse(PQgetvalue(r, 0, 0));
    PQclear(r);
    return *out ? MA_OK : err_set(err, MA_ERR_NOMEM, "out of memory");
}

int db_sync_store_ops(Db *db, int64_t world, int64_t user, const char *ops_json, int *stored, Err *err)
{
    WORLD_PARAM(w, world);
    char u[24];
    snprintf(u, sizeof u, "%" PRId64, user);
    const char *p[3] = {w, u, ops_json};
    /* A concurrent push of the same op id waits here for the other to commit, then inserts
     * nothing: the short count sends this batch round again, where it finds the answers. */
    return count_of(db, "recording applied operations",
                    "WITH x AS (SELECT * FROM jsonb_to_recordset($3::jsonb) AS x(op text, kind text, response jsonb)), "
                    "ins AS (INSERT INTO sync_ops (world_id, op_id, user_id, kind, response) "
                    "  SELECT $1, op, $2, kind, response FROM x ORDER BY op ON CONFLICT DO NOTHING RETURNING 1) "
                    "SELECT count(*) FROM ins",
                    3, p, stored, err);
}

/* ------------------------------------------------------------ chunks */

int db_sync_load_chunks(Db *db, int64_t world, const char *coords_json, DbChunk **out, int *n, Err *err)
{
    WORLD_PARAM(w, world);
    const char *p[2] = {w, coords_json};
    *out = NULL;
    *n = 0;
    PGresult *r = db_exec(db, "reading chunks",
                          "SELECT c.id, c.chunk_x, c.chunk_y, c.chunk_z, c.version, c.block_data::text, "
                          "c.structures::text FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(v, n) "
                          "CROSS JOIN LATERAL (SELECT * FROM world_chunks w WHERE w.world_id = $1 "
                          "  AND w.chunk_x = (e.v->>0)::int AND w.chunk_y = (e.v->>1)::int AND w.chunk_z = (e.v->>2)::int "
                          "  FOR UPDATE) c ORDER BY e.n",
                          2, p, err);
    if (!r)
        return err->code;
    int rows = PQntuples(r);
    DbChunk *a = rows ? calloc((size_t)rows, sizeof *a) : NULL;
    if (rows && !a) {
        PQclear(r);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < rows; i++) {
        a[i].id = i64(PQgetvalue(r, i, 0));
        a[i].cx = (int32_t)i64(PQgetvalue(r, i, 1));
        a[i].cy = (int32_t)i64(PQgetvalue(r, i, 2));
        a[i].cz = (int32_t)i64(PQgetvalue(r, i, 3));
        a[i].version = (int)i64(PQgetvalue(r, i, 4));
        a[i].block_data = dup_text(PQgetvalue(r, i, 5));
        a[i].structures = dup_text(PQgetvalue(r, i, 6));
    }
    PQclear(r);
    *out = a;
    *n = rows;
    return MA_OK;
}

void db_sync_chunks_free(DbChunk *rows, int n)
{
    for (int i = 0; i < n; i++) {
        free(rows[i].block_data);
        free(rows[i].structures);
    }
    free(rows);
}

/* ------------------------------------------------------------ characters */

int db_sync_load_characters(Db *db, int64_t world, const char *keys_json, DbCharacter **out, int *n, Err *err)
{
    WORLD_PARAM(w, world);
    const char *p[2] = {w, keys_json};
    *out = NULL;
    *n = 0;
    PGresult *r = db_exec(db, "reading characters",
                          "SELECT c.sync_key, c.id, COALESCE(c.user_id, 0), c.row_version, c.deleted, "
                          CHARACTER_ROW("c") "::text FROM jsonb_array_elements_text($2::jsonb) AS k(key) "
                          "CROSS JOIN LATERAL (SELECT * FROM characters WHERE world_id = $1 AND sync_key = k.key LIMIT 1) c "
                          "ORDER BY c.id FOR UPDATE OF c",
                          2, p, err);
    if (!r)
        return err->code;
    int rows = PQntuples(r);
    DbCharacter *a = rows ? calloc((size_t)rows, sizeof *a) : NULL;
    if (rows && !a) {
        PQclear(r);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < rows; i++) {
        snprintf(a[i].key, sizeof a[i].key, "%s", PQgetvalue(r, i, 0));
        a[i].id = i64(PQgetvalue(r, i, 1));
        a[i].user_id = i64(PQgetvalue(r, i, 2));
        a[i].version = i64(PQgetvalue(r, i, 3));
        a[i].deleted = PQgetvalue(r, i, 4)[0] == 't';
        a[i].row = dup_text(PQgetvalue(r, i, 5));
    }
    PQclear(r);
    *out = a;
    *n = rows;
    return MA_OK;
}

void db_sync_characters_free(DbCharacter *rows, int n)
{
    for (int i = 0; i < n; i++)
        free(rows[i].row);
    free(rows);
}

int db_sync_replace_character_rows(Db *db, const char *ids_json, const char *inventory_json, const char *skills_json,
                                   const char *state_json, Err *err)
{
    const char *p1[1] = {ids_json};
    int rc = db_run(db, "clearing inventory, skills and state",
                    /* = ANY (ARRAY(...)): an index probe per character, never a scan */
                    "WITH a AS (DELETE FROM inventory WHERE character_id = ANY (ARRAY(SELECT "
                    "  (jsonb_array_elements_text($1::jsonb))::bigint))), "
                    "b AS (DELETE FROM character_skills WHERE character_id = ANY (ARRAY(SELECT "
                    "  (jsonb_array_elements_text($1::jsonb))::bigint))) "
                    "DELETE FROM character_state WHERE character_id = ANY (ARRAY(SELECT "
                    "  (jsonb_array_elements_text($1::jsonb))::bigint))",
                    1, p1, err);
    if (rc != MA_OK)
        return rc;
    const char *p2[3] = {inventory_json, skills_json, state_json};
    return db_run(db, "writing inventory, skills and state",
                  "WITH a AS (INSERT INTO inventory (character_id, item_type, item_name, quantity, item_data, "
                  "  slot_position) SELECT cid, item_type, item_name, COALESCE(quantity, 1), COALESCE(item_data, '{}'), "
                  "  slot_position FROM jsonb_to_recordset($1::jsonb) AS x(cid bigint, item_type text, item_name text, "
                  "  quantity int, item_data jsonb, slot_position int)), "
                  "b AS (INSERT INTO character_skills (character_id, skill_name, skill_level, experience_points, "
                  "  skill_data) SELECT cid, skill_name, COALESCE(skill_level, 1), COALESCE(experience_points, 0), "
                  "  COALESCE(skill_data, '{}') FROM jsonb_to_recordset($2::jsonb) AS x(cid bigint, skill_name text, "
                  "  skill_level int, experience_points int, skill_data jsonb)) "
                  "INSERT INTO character_state (character_id, kind, key, value) SELECT cid, kind, key, "
                  "  COALESCE(value, '') FROM jsonb_to_recordset($3::jsonb) AS x(cid bigint, kind text, key text, value text)",
                  3, p2, err);
}

/* ------------------------------------------------------------ relationships */

int db_sync_load_relationships(Db *db, int64_t world, const char *pairs_json, DbRelationship **out, int *n, Err *err)
{
    WORLD_PARAM(w, world);
    const char *p[2] = {w, pairs_json};
    *out = NULL;
    *n = 0;
    PGresult *r = db_exec(db, "reading relationships",
                          "SELECT e.v->>'f', e.v->>'t', r.row_version, r.relationship_type, r.interaction_history::text, "
                          "r.id FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(v, n) "
                          /* one probe per key and one on the (character, target) key: the LIMITs keep the
                           * planner from turning these into scans of the world */
                          "CROSS JOIN LATERAL (SELECT id FROM characters WHERE world_id = $1 AND sync_key = e.v->>'f' "
                          "  LIMIT 1) fc "
                          "CROSS JOIN LATERAL (SELECT id FROM characters WHERE world_id = $1 AND sync_key = e.v->>'t' "
                          "  LIMIT 1) tc "
                          "CROSS JOIN LATERAL (SELECT * FROM character_relationships WHERE character_id = fc.id "
                          "  AND target_character_id = tc.id LIMIT 1 FOR UPDATE) r "
                          "ORDER BY e.n",
                          2, p, err);
    if (!r)
        return err->code;
    int rows = PQntuples(r);
    DbRelationship *a = rows ? calloc((size_t)rows, sizeof *a) : NULL;
    if (rows && !a) {
        PQclear(r);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < rows; i++) {
        snprintf(a[i].from, sizeof a[i].from, "%s", PQgetvalue(r, i, 0));
        snprintf(a[i].to, sizeof a[i].to, "%s", PQgetvalue(r, i, 1));
        a[i].version = i64(PQgetvalue(r, i, 2));
        snprintf(a[i].type, sizeof a[i].type, "%s", PQgetvalue(r, i, 3));
        a[i].history = dup_text(PQgetvalue(r, i, 4));
        a[i].id = i64(PQgetvalue(r, i, 5));
    }
    PQclear(r);
    *out = a;
    *n = rows;
    return MA_OK;
}

void db_sync_relationships_free(DbRelationship *rows, int n)
{
    for (int i = 0; i < n; i++)
        free(rows[i].history);
    free(rows);
}

/* ------------------------------------------------------------ quests */

int db_sync_load_quest_progress(Db *db, int64_t world, const char *pairs_json, DbQuestProgress **out, int *n,
                                Err *err)
{
    WORLD_PARAM(w, world);
    const char *p[2] = {w, pairs_json};
    *out = NULL;
    *n = 0;
    PGresult *r = db_exec(db, "reading quest progress",
                          "SELECT e.v->>'c', e.v->>'t', p.status, p.progress_data::text, p.rewards_earned::text, "
                          ISO("p.started_at") ", COALESCE(" ISO("p.completed_at") ", ''), p.row_version, p.id "
                          "FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(v, n) "
                          "CROSS JOIN LATERAL (SELECT id FROM characters WHERE world_id = $1 AND sync_key = e.v->>'c' "
                          "  LIMIT 1) c "
                          "CROSS JOIN LATERAL (SELECT id FROM quests WHERE world_id = $1 AND title = e.v->>'t' LIMIT 1) q "
                          "CROSS JOIN LATERAL (SELECT * FROM quest_progress WHERE character_id = c.id AND quest_id = q.id "
                          "  LIMIT 1 FOR UPDATE) p "
                          "ORDER BY e.n",
                          2, p, err);
    if (!r)
        return err->code;
    int rows = PQntuples(r);
    DbQuestProgress *a = rows ? calloc((size_t)rows, sizeof *a) : NULL;
    if (rows && !a) {
        PQclear(r);
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < rows; i++) {
        snprintf(a[i].character, sizeof a[i].character, "%s", PQgetvalue(r, i, 0));
        snprintf(a[i].title, sizeof a[i].title, "%s", PQgetvalue(r, i, 1));
        snprintf(a[i].status, sizeof a[i].status, "%s", PQgetvalue(r, i, 2));
        a[i].progress_data = dup_text(PQgetvalue(r, i, 3));
        a[i].rewards_earned = dup_text(PQgetvalue(r, i, 4));
        snprintf(a[i].started_at, sizeof a[i].started_at, "%s", PQgetvalue(r, i, 5));
        snprintf(a[i].completed_at, sizeof a[i].completed_at, "%s", PQgetvalue(r, i, 6));
        a[i].version = i64(PQgetvalue(r, i, 7));
        a[i].id = i64(PQgetvalue(r, i, 8));
    }
    PQclear(r);
    *out = a;
    *n = rows;
    return MA_OK;
}

void db_sync_quest_progress_free(DbQuestProgress *rows, int n)
{
    for (int i = 0; i < n; i++) {
        free(rows[i].progress_data);
        free(rows[i].rewards_earned);
    }
    free(rows);
}

int db_sync_ensure_quests(Db *db, int64_t world, const char *defs_json, cJSON **ids, Err *err)
{
    WORLD_PARAM(w, world);
    const char *p[2] = {w, defs_json};
    PGresult *r = db_exec(db, "creating quests",
                          "WITH x AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(title text, description text, "
                          "  quest_type text, requirements jsonb, rewards jsonb, difficulty_level int, objectives jsonb)), "
                          "ins AS (INSERT INTO quests (world_id, title, description, quest_type, requirements, rewards, "
                          "  difficulty_level) SELECT $1, title, COALESCE(description, ''), COALESCE(quest_type, 'side'), "
                          "  COALESCE(requirements, '{}'), COALESCE(rewards, '{}'), COALESCE(difficulty_level, 1) FROM x "
                          "  ON CONFLICT (world_id, title) DO NOTHING RETURNING id, title), "
                          "obj AS (INSERT INTO quest_objectives (quest_id, objective_text, requirements, order_index) "
                          "  SELECT ins.id, o.value->>'text', COALESCE(o.value->'requirements', '{}'), (o.ord - 1)::int "
                          "  FROM ins JOIN x ON x.title = ins.title "
                          "  CROSS JOIN LATERAL jsonb_array_elements(COALESCE(x.objectives, '[]')) WITH ORDINALITY "
                          "  AS o(value, ord)) "
                          "SELECT COALESCE(jsonb_object_agg(title, id), '{}')::text FROM "
                          "(SELECT id, title FROM ins UNION ALL "
                          " SELECT q.id, q.title FROM quests q WHERE q.world_id = $1 "
                          "   AND q.title = ANY (ARRAY(SELECT title FROM x))) t",
                          2, p, err);
    if (!r)
        return err->code;
    *ids = cJSON_Parse(PQgetvalue(r, 0, 0));
    PQclear(r);
    return *ids ? MA_OK : err_set(err, MA_ERR_NOMEM, "out of memory");
}

/* ------------------------------------------------------------ append-only logs */

int db_sync_existing_entries(Db *db, int64_t world, int choices, const char *keys_json, cJSON **out, Err *err)
{
    WORLD_PARAM(w, world);
    const char *p[2] = {w, keys_json};
    PGresult *r = db_exec(db, "reading log entries",
                          choices ? "SELECT COALESCE(jsonb_agg(e.sync_key), '[]')::text FROM "
                                    "jsonb_array_elements_text($2::jsonb) AS k(key) CROSS JOIN LATERAL "
                                    "(SELECT sync_key FROM player_choices WHERE world_id = $1 AND sync_key = k.key LIMIT 1) e"
                                  : "SELECT COALESCE(jsonb_agg(e.sync_key), '[]')::text FROM "
                                    "jsonb_array_elements_text($2::jsonb) AS k(key) CROSS JOIN LATERAL "
                                    "(SELECT sync_key FROM world_evolution_log WHERE world_id = $1 AND sync_key = k.key LIMIT 1) e",
                          2, p, err);
    if (!r)
        return err->code;
    *out = cJSON_Parse(PQgetvalue(r, 0, 0));
    PQclear(r);
    return *out ? MA_OK : err_set(err, MA_ERR_NOMEM, "out of memory");
}

/* ------------------------------------------------------------ owners of log entries */

int db_sync_ensure_agents(Db *db, const char *agents_json, cJSON **ids, Err *err)
{
    const char *p[1] = {agents_json};
    PGresult *r = db_exec(db, "creating agents",
                          "WITH x AS (SELECT DISTINCT ON (name) name, type FROM jsonb_to_recordset($1::jsonb) "
                          "  AS x(name text, type text) ORDER BY name), "
                          "ins AS (INSERT INTO ai_agents (agent_name, agent_type) SELECT name, type FROM x "
                          "  ON CONFLICT (agent_name) DO NOTHING RETURNING id, agent_name) "
                          "SELECT COALESCE(jsonb_object_agg(agent_name, id), '{}')::text FROM "
                          "(SELECT id, agent_name FROM ins UNION ALL SELECT a.id, a.agent_name FROM ai_agents a "
                          " WHERE a.agent_name = ANY (ARRAY(SELECT name FROM x))) t",
                          1, p, err);
    if (!r)
        return err->code;
    *ids = cJSON_Parse(PQgetvalue(r, 0, 0));
    PQclear(r);
    return *ids ? MA_OK : err_set(err, MA_ERR_NOMEM, "out of memory");
}

int db_sync_ensure_branches(Db *db, int64_t world, const char *rows_json, cJSON **ids, Err *err)
{
    WORLD_PARAM(w, world);
    const char *p[2] = {w, rows_json};
    PGresult *r = db_exec(db, "creating stories and branches",
                          "WITH x AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(title text, description text, "
                          "  story_type text, branch text, content text, parent text)), "
                          "st AS (INSERT INTO stories (world_id, title, description, story_type) "
                          "  SELECT DISTINCT ON (title) $1::bigint, title, COALESCE(description, ''), "
                          "  COALESCE(story_type, 'main') FROM x ORDER BY title "
                          "  ON CONFLICT (world_id, title) DO NOTHING RETURNING id, title), "
                          "allst AS (SELECT id, title FROM st UNION ALL "
                          "  SELECT s.id, s.title FROM stories s WHERE s.world_id = $1 "
                          "  AND s.title = ANY (ARRAY(SELECT title FROM x))), "
                          "br AS (INSERT INTO story_branches (story_id, branch_name, content, parent_branch_id) "
                          "  SELECT DISTINCT ON (s.id, x.branch) s.id, x.branch, COALESCE(x.content, ''), "
                          "  (SELECT b.id FROM story_branches b WHERE b.story_id = s.id AND b.branch_name = x.parent) "
                          "  FROM x JOIN allst s ON s.title = x.title ORDER BY s.id, x.branch "
                          "  ON CONFLICT (story_id, branch_name) DO NOTHING RETURNING id, story_id, branch_name), "
                          "allbr AS (SELECT id, story_id, branch_name FROM br UNION ALL "
                          "  SELECT b.id, b.story_id, b.branch_name FROM story_branches b "
                          "  WHERE b.story_id IN (SELECT id FROM allst)) "
                          "SELECT COALESCE(jsonb_object_agg(s.title || chr(10) || b.branch_name, b.id), '{}')::text "
                          "FROM allbr b JOIN allst s ON s.id = b.story_id",
                          2, p, err);
    if (!r)
        return err->code;
    *ids = cJSON_Parse(PQgetvalue(r, 0, 0));
    PQclear(r);
    return *ids ? MA_OK : err_set(err, MA_ERR_NOMEM, "out of memory");
}

/* ------------------------------------------------------------ writing a batch */

int db_sync_write_all(Db *db, int64_t world, int take, int64_t first_taken, const char *const rows[6], int64_t *first,
                      int counts[6], cJSON **char_ids, Err *err)
{
    WORLD_PARAM(w, world);
    char k[16], f[24];
    snprintf(k, sizeof k, "%d", take);
    snprintf(f, sizeof f, "%" PRId64, first_taken);
    const char *p[9] = {w, k, f, rows[0], rows[1], rows[2], rows[3], rows[4], rows[5]};
    *char_ids = NULL;
    /* One statement: take the numbers (the world's row stays locked to the commit) and write
     * every table. Rows created here are referred to by key through the CTEs' RETURNING. */
    PGresult *r = db_exec(db, "writing a push",
        "WITH s AS (UPDATE worlds SET seq_head = seq_head + $2::int WHERE id = $1 AND $2::int > 0 "
        "  RETURNING seq_head - $2::int + 1 AS first), "
        "b AS (SELECT COALESCE((SELECT first FROM s), $3::bigint) AS first), "
        /* chunks */
        "xc AS (SELECT * FROM jsonb_to_recordset($4::jsonb) AS x(id bigint, x int, y int, z int, block_data jsonb, "
        "  structures jsonb, version int, ord int, expect int)), "
        "cu AS (UPDATE world_chunks c SET block_data = xc.block_data, version = xc.version, "
        "  change_seq = (SELECT first FROM b) + xc.ord FROM xc WHERE xc.expect > 0 AND c.id = xc.id "
        "  AND c.world_id = $1 AND c.version = xc.expect RETURNING 1), "
        "ci AS (INSERT INTO world_chunks (world_id, chunk_x, chunk_y, chunk_z, block_data, structures, version, "
        "  change_seq) SELECT $1, x, y, z, block_data, structures, version, (SELECT first FROM b) + ord FROM xc "
        "  WHERE expect = 0 RETURNING 1), "
        /* characters */
        "xk AS (SELECT * FROM jsonb_to_recordset($5::jsonb) AS x(id bigint, key text, user_id bigint, name text, "
        "  character_class text, level int, experience int, stats jsonb, appearance jsonb, px float8, py float8, "
        "  pz float8, deleted bool, version bigint, ord int, expect bigint)), "
        "ku AS (UPDATE characters c SET name = COALESCE(xk.name, c.name), "
        "  character_class = COALESCE(xk.character_class, c.character_class), level = COALESCE(xk.level, c.level), "
        "  experience = COALESCE(xk.experience, c.experience), stats = COALESCE(xk.stats, c.stats), "
        "  appearance = COALESCE(xk.appearance, c.appearance), position_x = COALESCE(xk.px, c.position_x), "
        "  position_y = COALESCE(xk.py, c.position_y), position_z = COALESCE(xk.pz, c.position_z), "
        "  deleted = xk.deleted, row_version = xk.version, change_seq = (SELECT first FROM b) + xk.ord "
        "  FROM xk WHERE xk.expect > 0 AND c.id = xk.id AND c.world_id = $1 AND c.row_version = xk.expect "
        "  RETURNING c.id, c.sync_key), "
        "ki AS (INSERT INTO characters (world_id, sync_key, user_id, name, character_class, level, experience, stats, "
        "  appearance, position_x, position_y, position_z, deleted, row_version, change_seq) "
        "  SELECT $1, key, user_id, name, character_class, COALESCE(level, 1), COALESCE(experience, 0), "
        "  COALESCE(stats, '{}'), COALESCE(appearance, '{}'), COALESCE(px, 0), COALESCE(py, 0), COALESCE(pz, 0), "
        "  deleted, version, (SELECT first FROM b) + ord FROM xk WHERE expect = 0 RETURNING id, sync_key), "
        /* relationships */
        "xr AS (SELECT * FROM jsonb_to_recordset($6::jsonb) AS x(id bigint, f bigint, t bigint, fkey text, tkey text, "
        "  type text, value int, hist jsonb, version bigint, ord int, expect bigint)), "
        "ru AS (UPDATE character_relationships r SET relationship_type = COALESCE(xr.type, r.relationship_type), "
        "  relationship_value = xr.value, interaction_history = xr.hist, row_version = xr.version, "
        "  change_seq = (SELECT first FROM b) + xr.ord, world_id = $1 FROM xr WHERE xr.expect > 0 AND r.id = xr.id "
        "  AND r.row_version = xr.expect RETURNING 1), "
        "ri AS (INSERT INTO character_relationships (world_id, character_id, target_character_id, relationship_type, "
        "  relationship_value, interaction_history, row_version, change_seq) "
        "  SELECT $1, COALESCE(f, (SELECT id FROM ki WHERE sync_key = fkey)), "
        "  COALESCE(t, (SELECT id FROM ki WHERE sync_key = tkey)), COALESCE(type, 'acquaintance'), value, hist, "
        "  version, (SELECT first FROM b) + ord FROM xr WHERE expect = 0 RETURNING 1), "
        /* quest progress */
        "xq AS (SELECT * FROM jsonb_to_recordset($7::jsonb) AS x(id bigint, cid bigint, ckey text, qid bigint, "
        "  status text, pd jsonb, rewards jsonb, started text, completed text, version bigint, ord int, expect bigint)), "
        "qu AS (UPDATE quest_progress p SET status = xq.status, progress_data = xq.pd, rewards_earned = xq.rewards, "
        "  completed_at = NULLIF(xq.completed, '')::timestamptz, row_version = xq.version, "
        "  change_seq = (SELECT first FROM b) + xq.ord, world_id = $1 FROM xq WHERE xq.expect > 0 AND p.id = xq.id "
        "  AND p.row_version = xq.expect RETURNING 1), "
        "qi AS (INSERT INTO quest_progress (world_id, character_id, quest_id, status, progress_data, rewards_earned, "
        "  started_at, completed_at, row_version, change_seq) SELECT $1, "
        "  COALESCE(cid, (SELECT id FROM ki WHERE sync_key = ckey)), qid, status, pd, rewards, "
        "  COALESCE(NULLIF(started, '')::timestamptz, now()), NULLIF(completed, '')::timestamptz, version, "
        "  (SELECT first FROM b) + ord FROM xq WHERE expect = 0 RETURNING 1), "
        /* the append-only logs */
        "xe AS (SELECT * FROM jsonb_to_recordset($8::jsonb) AS x(entry text, agent_id bigint, evolution_type text, "
        "  changes_made jsonb, reasoning jsonb, applied_at text, is_active bool, ord int)), "
        "ei AS (INSERT INTO world_evolution_log (world_id, sync_key, agent_id, evolution_type, changes_made, reasoning, "
        "  applied_at, is_active, change_seq) SELECT $1, entry, agent_id, evolution_type, changes_made, "
        "  COALESCE(reasoning, '{}'), COALESCE(NULLIF(applied_at, '')::timestamptz, now()), COALESCE(is_active, true), "
        "  (SELECT first FROM b) + ord FROM xe ON CONFLICT (world_id, sync_key) DO NOTHING RETURNING 1), "
        "xp AS (SELECT * FROM jsonb_to_recordset($9::jsonb) AS x(entry text, cid bigint, ckey text, branch_id bigint, "
        "  choice_text text, choice_data jsonb, consequences jsonb, made_at text, ord int)), "
        "pi AS (INSERT INTO player_choices (world_id, sync_key, character_id, story_branch_id, choice_text, choice_data, "
        "  consequences, made_at, change_seq) SELECT $1, entry, COALESCE(cid, (SELECT id FROM ki WHERE sync_key = ckey)), "
        "  branch_id, choice_text, COALESCE(choice_data, '{}'), COALESCE(consequences, '{}'), "
        "  COALESCE(NULLIF(made_at, '')::timestamptz, now()), (SELECT first FROM b) + ord FROM xp "
        "  ON CONFLICT (world_id, sync_key) DO NOTHING RETURNING 1) "
        "SELECT (SELECT first FROM b), (SELECT count(*) FROM cu) + (SELECT count(*) FROM ci), "
        "(SELECT count(*) FROM ku) + (SELECT count(*) FROM ki), (SELECT count(*) FROM ru) + (SELECT count(*) FROM ri), "
        "(SELECT count(*) FROM qu) + (SELECT count(*) FROM qi), (SELECT count(*) FROM ei), (SELECT count(*) FROM pi), "
        "(SELECT COALESCE(jsonb_object_agg(sync_key, id), '{}') FROM "
        " (SELECT id, sync_key FROM ku UNION ALL SELECT id, sync_key FROM ki) t)::text",
        9, p, err);
    if (!r)
        return err->code;
    if (PQgetisnull(r, 0, 0)) {
        PQclear(r);
        return err_set(err, MA_ERR_NOT_FOUND, "world %" PRId64 " is gone", world);
    }
    *first = i64(PQgetvalue(r, 0, 0));
    for (int i = 0; i < 6; i++)
        counts[i] = atoi(PQgetvalue(r, 0, 1 + i));
    *char_ids = cJSON_Parse(PQgetvalue(r, 0, 7));
    PQclear(r);
    return *char_ids ? MA_OK : err_set(err, MA_ERR_NOMEM, "out of memory");
}

/* ------------------------------------------------------------ the world row and its sequence */

int db_sync_take_seqs(Db *db, int64_t world, int n, int64_t *first, int64_t *version, char **row, Err *err)
{
    WORLD_PARAM(w, world);
    char k[16];
    snprintf(k, sizeof k, "%d", n);
    const char *p[2] = {w, k};
    PGresult *r = db_exec(db, "taking change sequence numbers",
                          "UPDATE worlds w SET seq_head = seq_head + $2::int WHERE id = $1 "
                          "RETURNING seq_head - $2::int + 1, row_version, " WORLD_ROW("w") "::text",
                          2, p, err);
    if (!r)
        return err->code;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return err_set(err, MA_ERR_NOT_FOUND, "world %" PRId64 " is gone", world);
    }
    *first = i64(PQgetvalue(r, 0, 0));
    *version = i64(PQgetvalue(r, 0, 1));
    *row = dup_text(PQgetvalue(r, 0, 2));
    PQclear(r);
    return MA_OK;
}

int db_sync_world_name_taken(Db *db, int64_t world, const char *name, int *taken, Err *err)
{
    WORLD_PARAM(w, world);
    const char *p[2] = {w, name};
    return count_of(db, "checking a world name", "SELECT count(*) FROM worlds WHERE name = $2 AND id <> $1", 2, p,
                    taken, err);
}

int db_sync_write_world(Db *db, int64_t world, const char *fields_json, Err *err)
{
    WORLD_PARAM(w, world);
    const char *p[2] = {w, fields_json};
    return db_run(db, "writing the world",
                  "UPDATE worlds w SET name = COALESCE(f->>'name', w.name), "
                  "settings = COALESCE(f->'settings', w.settings), metadata = COALESCE(f->'metadata', w.metadata), "
                  "is_active = COALESCE((f->>'is_active')::boolean, w.is_active), "
                  "deleted = COALESCE((f->>'deleted')::boolean, w.deleted), "
                  "row_version = (f->>'version')::bigint, change_seq = (f->>'seq')::bigint "
                  "FROM (SELECT $2::jsonb AS f) x WHERE w.id = $1",
                  2, p, err);
}

/* ------------------------------------------------------------ pull */

/* The rows of the chosen changes, in the pull format, as one JSON list; shared by both pulls. */
#define CHANGES_TAIL                                                                                              \
    "SELECT (SELECT seq_head FROM worlds WHERE id = $1), COALESCE(jsonb_agg((CASE p.kind "                        \
    " WHEN 0 THEN (SELECT " WORLD_ROW("w") " FROM worlds w WHERE w.id = p.id) "                                   \
    " WHEN 1 THEN (SELECT " CHUNK_ROW("c") " FROM world_chunks c WHERE c.id = p.id) "                             \
    " WHEN 2 THEN (SELECT " CHARACTER_ROW("c") " FROM characters c WHERE c.id = p.id) "                           \
    " WHEN 3 THEN (SELECT " RELATIONSHIP_ROW("r") " FROM character_relationships r WHERE r.id = p.id) "           \
    " WHEN 4 THEN (SELECT " QUEST_ROW("qp") " FROM quest_progress qp WHERE qp.id = p.id) "                        \
    " WHEN 5 THEN (SELECT " EVOLUTION_ROW("e") " FROM world_evolution_log e WHERE e.id = p.id) "                  \
    " ELSE (SELECT " CHOICE_ROW("pc") " FROM player_choices pc WHERE pc.id = p.id) "                              \
    " END) || jsonb_build_object('seq', p.seq) ORDER BY p.seq) FILTER (WHERE p.rn < $3), '[]')::text, "          \
    "count(*), COALESCE(max(p.seq) FILTER (WHERE p.rn < $3), $2) FROM pick p"

int db_sync_changes(Db *db, int64_t world, int64_t since, int limit, const SyncArea *near, int64_t user, char **json,
                    int64_t *cursor, int *more, int64_t *head, Err *err)
{
    WORLD_PARAM(w, world);
    char s[24], l[16], x0[16], x1[16], z0[16], z1[16], u[24];
    snprintf(s, sizeof s, "%" PRId64, since);
    snprintf(l, sizeof l, "%d", limit + 1);
    *json = NULL;
    PGresult *r;
    /* Each table gives its first rows after the cursor through its (world_id, change_seq)
     * index; the union keeps the first limit + 1 in sequence order (the extra one only says
     * that more follow); only the first limit become JSON, built here and passed to the client
     * as they are. */
    if (!near) {
        const char *p[3] = {w, s, l};
        r = db_exec(db, "reading changes",
                    "WITH pick AS (SELECT seq, kind, id, row_number() OVER (ORDER BY seq) AS rn FROM ("
                    " (SELECT change_seq AS seq, 0 AS kind, id FROM worlds WHERE id = $1 AND change_seq > $2) "
                    " UNION ALL (SELECT change_seq, 1, id FROM world_chunks WHERE world_id = $1 AND change_seq > $2 "
                    "   ORDER BY change_seq LIMIT $3) "
                    " UNION ALL (SELECT change_seq, 2, id FROM characters WHERE world_id = $1 AND change_seq > $2 "
                    "   ORDER BY change_seq LIMIT $3) "
                    " UNION ALL (SELECT change_seq, 3, id FROM character_relationships WHERE world_id = $1 "
                    "   AND change_seq > $2 ORDER BY change_seq LIMIT $3) "
                    " UNION ALL (SELECT change_seq, 4, id FROM quest_progress WHERE world_id = $1 "
                    "   AND change_seq > $2 ORDER BY change_seq LIMIT $3) "
                    " UNION ALL (SELECT change_seq, 5, id FROM world_evolution_log WHERE world_id = $1 "
                    "   AND change_seq > $2 ORDER BY change_seq LIMIT $3) "
                    " UNION ALL (SELECT change_seq, 6, id FROM player_choices WHERE world_id = $1 "
                    "   AND change_seq > $2 ORDER BY change_seq LIMIT $3) "
                    ") u ORDER BY seq LIMIT $3) " CHANGES_TAIL,
                    3, p, err);
    } else {
        /* Around the player: chunks in the square, characters standing in it (and the user's
         * own), relationships, quests and choices of the user's characters, the whole world's
         * row and evolution log. */
        snprintf(x0, sizeof x0, "%d", near->x0);
        snprintf(x1, sizeof x1, "%d", near->x1);
        snprintf(z0, sizeof z0, "%d", near->z0);
        snprintf(z1, sizeof z1, "%d", near->z1);
        snprintf(u, sizeof u, "%" PRId64, user);
        const char *p[8] = {w, s, l, x0, x1, z0, z1, u};
        /* Every branch starts from something small: the chunk columns of the square (one index
         * range each), the characters standing in it (the design's position index), the user's
         * own characters. So a pull near a place costs the same however busy the rest of the
         * world is; only the world's evolution log is read whole. */
        r = db_exec(db, "reading changes near a place",
                    "WITH mine AS MATERIALIZED (SELECT id FROM characters WHERE user_id = $8::bigint AND world_id = $1), "
                    "pick AS (SELECT seq, kind, id, row_number() OVER (ORDER BY seq) AS rn FROM ("
                    " (SELECT change_seq AS seq, 0 AS kind, id FROM worlds WHERE id = $1 AND change_seq > $2) "
                    " UNION ALL (SELECT c.change_seq, 1, c.id FROM generate_series($4::int, $5::int) AS gx(x) "
                    "   CROSS JOIN generate_series($6::int, $7::int) AS gz(z) CROSS JOIN LATERAL "
                    "   (SELECT id, change_seq FROM world_chunks WHERE world_id = $1 AND chunk_x = gx.x AND chunk_z = gz.z "
                    "    AND change_seq > $2 ORDER BY change_seq LIMIT $3) c ORDER BY c.change_seq LIMIT $3) "
                    " UNION ALL (SELECT change_seq, 2, id FROM (SELECT id, change_seq FROM characters "
                    "   WHERE world_id = $1 AND position_x >= $4::int * 16 AND position_x < ($5::int + 1) * 16 "
                    "   AND position_z >= $6::int * 16 AND position_z < ($7::int + 1) * 16 OFFSET 0) h "
                    "   WHERE change_seq > $2 AND id NOT IN (SELECT id FROM mine) "
                    "   UNION ALL SELECT k.change_seq, 2, k.id FROM mine m JOIN characters k ON k.id = m.id "
                    "   WHERE k.change_seq > $2 ORDER BY 1 LIMIT $3) "
                    " UNION ALL (SELECT r.change_seq, 3, r.id FROM mine m CROSS JOIN LATERAL "
                    "   (SELECT id, change_seq FROM character_relationships WHERE character_id = m.id AND change_seq > $2 "
                    "    UNION SELECT id, change_seq FROM character_relationships WHERE target_character_id = m.id "
                    "    AND change_seq > $2) r ORDER BY r.change_seq LIMIT $3) "
                    " UNION ALL (SELECT q.change_seq, 4, q.id FROM mine m CROSS JOIN LATERAL "
                    "   (SELECT id, change_seq FROM quest_progress WHERE character_id = m.id AND change_seq > $2) q "
                    "   ORDER BY q.change_seq LIMIT $3) "
                    " UNION ALL (SELECT change_seq, 5, id FROM world_evolution_log WHERE world_id = $1 "
                    "   AND change_seq > $2 ORDER BY change_seq LIMIT $3) "
                    " UNION ALL (SELECT c.change_seq, 6, c.id FROM mine m CROSS JOIN LATERAL "
                    "   (SELECT id, change_seq FROM player_choices WHERE character_id = m.id AND change_seq > $2) c "
                    "   ORDER BY c.change_seq LIMIT $3) "
                    ") u ORDER BY seq LIMIT $3) " CHANGES_TAIL,
                    8, p, err);
    }
    if (!r)
        return err->code;
    *head = i64(PQgetvalue(r, 0, 0));
    *json = dup_text(PQgetvalue(r, 0, 1));
    *more = atoi(PQgetvalue(r, 0, 2)) > limit;
    /* With nothing more to come, everything up to the head is seen: this statement's snapshot
     * holds every push that took a number up to it (they take numbers under the world's row
     * lock, in commit order), so the next pull need not look at what was filtered out again. */
    *cursor = *more ? i64(PQgetvalue(r, 0, 3)) : (*head > since ? *head : since);
    PQclear(r);
    return *json ? MA_OK : err_set(err, MA_ERR_NOMEM, "out of memory");
}
