/* verify.c — `magic-adventure verify`: SQLite's integrity and foreign-key
 * checks, then the game's own invariants.
 *
 * Each invariant is one query that returns a text row per problem; the
 * table below is the written list of what a healthy save promises. The
 * schema's CHECK constraints are repeated here on purpose: a save edited by
 * hand (or with ignore_check_constraints) can hold values they would refuse. */
#include "save/save.h"

#include <stdio.h>
#include <string.h>

#include "save/save_internal.h"

typedef struct Invariant {
    const char *name;
    const char *sql; /* each row: one problem, as text */
} Invariant;

static const Invariant invariants[] = {
    {"relationship values are within -100..100",
     "SELECT 'character_relationships ' || id || ': relationship_value ' || relationship_value || "
     "' is outside -100..100' FROM character_relationships WHERE relationship_value NOT BETWEEN -100 AND 100"},
    {"no character has a relationship with itself",
     "SELECT 'character_relationships ' || id || ': character ' || character_id || ' is related to itself' "
     "FROM character_relationships WHERE character_id = target_character_id"},
    {"related characters live in the same world",
     "SELECT 'character_relationships ' || r.id || ': characters ' || a.id || ' and ' || b.id || "
     "' live in different worlds' FROM character_relationships r JOIN characters a ON a.id = r.character_id "
     "JOIN characters b ON b.id = r.target_character_id WHERE a.world_id <> b.world_id"},
    {"inventory quantities are positive",
     "SELECT 'inventory ' || id || ': ' || item_name || ' has quantity ' || quantity FROM inventory WHERE quantity <= 0"},
    /* The slot model of src/game/inventory.h: 36..43 head, body, hands, feet,
     * main_hand, off_hand, ring1, ring2 and 60 bag are equipment; an item
     * there says so in item_data.slot, and an item saying so lies there. */
    {"equipped items lie in the equipment slot their item_data names",
     "WITH slots(pos, name) AS (VALUES (36, 'head'), (37, 'body'), (38, 'hands'), (39, 'feet'), "
     "(40, 'main_hand'), (41, 'off_hand'), (42, 'ring1'), (43, 'ring2'), (60, 'bag')) "
     "SELECT 'inventory ' || i.id || ': ' || i.item_name || ' lies in equipment slot ' || i.slot_position || "
     "' (' || s.name || ') but its item_data.slot is ' || quote(json_extract(i.item_data, '$.slot')) "
     "FROM inventory i JOIN slots s ON s.pos = i.slot_position "
     "WHERE json_extract(i.item_data, '$.slot') IS NOT s.name "
     "UNION ALL SELECT 'inventory ' || i.id || ': ' || i.item_name || ' is marked as worn in ' || "
     "quote(json_extract(i.item_data, '$.slot')) || ' but lies in slot ' || quote(i.slot_position) "
     "FROM inventory i WHERE json_extract(i.item_data, '$.slot') IS NOT NULL AND NOT EXISTS "
     "(SELECT 1 FROM slots s WHERE s.pos = i.slot_position AND s.name = json_extract(i.item_data, '$.slot'))"},
    {"equipment slots hold one item each",
     "SELECT 'inventory ' || id || ': ' || quantity || ' ' || item_name || ' in equipment slot ' || slot_position "
     "|| ' (one item is worn at a time)' FROM inventory "
     "WHERE (slot_position BETWEEN 36 AND 43 OR slot_position = 60) AND quantity <> 1"},
    {"characters have level >= 1 and experience >= 0",
     "SELECT 'characters ' || id || ' (' || name || '): level ' || level || ', experience ' || experience "
     "FROM characters WHERE level < 1 OR experience < 0"},
    {"character stats hold the design's seven numbers",
     "SELECT 'characters ' || c.id || ' (' || c.name || '): stats lack a number for ' || k.key "
     "FROM characters c, (SELECT 'health' AS key UNION ALL SELECT 'mana' UNION ALL SELECT 'strength' "
     "UNION ALL SELECT 'intelligence' UNION ALL SELECT 'dexterity' UNION ALL SELECT 'constitution' "
     "UNION ALL SELECT 'charisma') k WHERE json_type(c.stats, '$.' || k.key) NOT IN ('integer', 'real') "
     "OR json_type(c.stats, '$.' || k.key) IS NULL"},
    {"skills have level >= 1",
     "SELECT 'character_skills ' || id || ': ' || skill_name || ' at level ' || skill_level "
     "FROM character_skills WHERE skill_level < 1 OR experience_points < 0"},
    {"a story branch's parent belongs to the same story",
     "SELECT 'story_branches ' || b.id || ' (' || b.branch_name || '): parent ' || p.id || "
     "' belongs to story ' || p.story_id || ', not ' || b.story_id "
     "FROM story_branches b JOIN story_branches p ON p.id = b.parent_branch_id WHERE p.story_id <> b.story_id"},
    {"story branches form trees (no cycles)",
     "WITH RECURSIVE walk(start, node, depth) AS ("
     " SELECT id, parent_branch_id, 1 FROM story_branches WHERE parent_branch_id IS NOT NULL"
     " UNION ALL SELECT w.start, b.parent_branch_id, w.depth + 1 FROM walk w JOIN story_branches b ON b.id = w.node"
     " WHERE b.parent_branch_id IS NOT NULL AND w.node <> w.start AND w.depth < 10000)"
     " SELECT DISTINCT 'story_branches ' || start || ': its parents lead back to itself (a cycle)'"
     " FROM walk WHERE node = start"},
    {"a choice is made in a story of the character's world",
     "SELECT 'player_choices ' || pc.id || ': character ' || c.id || ' chose in a story of world ' || "
     "s.world_id || ' but lives in world ' || c.world_id FROM player_choices pc "
     "JOIN characters c ON c.id = pc.character_id JOIN story_branches b ON b.id = pc.story_branch_id "
     "JOIN stories s ON s.id = b.story_id WHERE s.world_id <> c.world_id"},
    /* Story choices and story state (migration 004): a choice the game recorded names its story
     * in choice_data.story_id; a character's current branch is a branch of its story, on a path
     * of parents that reaches a root, and it is the root or a branch the character chose. */
    {"a choice points at a branch of its own story",
     "SELECT 'player_choices ' || pc.id || ': made in story ' || json_extract(pc.choice_data, '$.story_id') || "
     "' at branch ' || b.id || ', which belongs to story ' || b.story_id FROM player_choices pc "
     "JOIN story_branches b ON b.id = pc.story_branch_id "
     "WHERE json_type(pc.choice_data, '$.story_id') = 'integer' AND json_extract(pc.choice_data, '$.story_id') <> b.story_id"},
    {"a character's current branch belongs to its story and world",
     "SELECT 'story_progress ' || p.id || ': character ' || p.character_id || ' is at branch ' || b.id || "
     "' of story ' || b.story_id || ', not of story ' || p.story_id FROM story_progress p "
     "JOIN story_branches b ON b.id = p.current_branch_id WHERE b.story_id <> p.story_id "
     "UNION ALL SELECT 'story_progress ' || p.id || ': character ' || c.id || ' of world ' || c.world_id || "
     "' follows story ' || s.id || ' of world ' || s.world_id FROM story_progress p "
     "JOIN characters c ON c.id = p.character_id JOIN stories s ON s.id = p.story_id WHERE s.world_id <> c.world_id"},
    {"a character's current branch is reachable",
     "WITH RECURSIVE up(progress, node, depth) AS ("
     " SELECT id, current_branch_id, 0 FROM story_progress WHERE current_branch_id IS NOT NULL"
     " UNION ALL SELECT u.progress, b.parent_branch_id, u.depth + 1 FROM up u JOIN story_branches b ON b.id = u.node"
     " WHERE b.parent_branch_id IS NOT NULL AND u.depth < 10000) "
     "SELECT 'story_progress ' || p.id || ': branch ' || p.current_branch_id || ' cannot be reached from a root' "
     "FROM story_progress p WHERE p.current_branch_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM up "
     "JOIN story_branches r ON r.id = up.node WHERE up.progress = p.id AND r.parent_branch_id IS NULL) "
     "UNION ALL SELECT 'story_progress ' || p.id || ': character ' || p.character_id || ' is at branch ' || "
     "p.current_branch_id || ' without having chosen it' FROM story_progress p "
     "JOIN story_branches b ON b.id = p.current_branch_id WHERE b.parent_branch_id IS NOT NULL AND NOT EXISTS "
     "(SELECT 1 FROM player_choices pc WHERE pc.character_id = p.character_id AND pc.story_branch_id = b.id)"},
    {"a character's quests are quests of its world",
     "SELECT 'quest_progress ' || qp.id || ': character ' || c.id || ' (world ' || c.world_id || "
     "') tracks quest ' || q.id || ' of world ' || q.world_id FROM quest_progress qp "
     "JOIN characters c ON c.id = qp.character_id JOIN quests q ON q.id = qp.quest_id WHERE q.world_id <> c.world_id"},
    {"quest status is known and completed quests say when",
     "SELECT 'quest_progress ' || id || ': status ' || quote(status) || ', completed_at ' || quote(completed_at) "
     "FROM quest_progress WHERE status NOT IN ('active', 'completed', 'failed', 'abandoned', 'expired') "
     "OR (status = 'completed' AND completed_at IS NULL) OR (status = 'active' AND completed_at IS NOT NULL)"},
    {"rewards are recorded only for completed quests",
     "SELECT 'quest_progress ' || id || ': rewards recorded for a quest that is ' || status "
     "FROM quest_progress WHERE status <> 'completed' AND json_array_length(rewards_earned) > 0"},
    {"sessions expire after they start",
     "SELECT 'sessions ' || id || ': expires at ' || expires_at || ', before it was created (' || created_at || ')' "
     "FROM sessions WHERE expires_at <= created_at"},
    {"session tokens are stored only as SHA-256 hashes",
     "SELECT 'sessions ' || id || ': session_token is not a SHA-256 hash (64 hex digits): a token kept in plain "
     "text is a live secret in every copy of the save' FROM sessions "
     "WHERE length(session_token) <> 64 OR session_token GLOB '*[^0-9a-f]*'"},
    {"chunk rows are unique per world and coordinates",
     "SELECT 'world_chunks: world ' || world_id || ' has ' || count(*) || ' rows for chunk ' || "
     "chunk_x || ',' || chunk_y || ',' || chunk_z FROM world_chunks GROUP BY world_id, chunk_x, chunk_y, chunk_z "
     "HAVING count(*) > 1"},
    {"chunk versions start at 1",
     "SELECT 'world_chunks ' || id || ': version ' || version FROM world_chunks WHERE version < 1"},
    {"JSON columns hold valid JSON",
     "SELECT 'characters ' || id || ': stats is not valid JSON' FROM characters WHERE NOT json_valid(stats) "
     "UNION ALL SELECT 'world_chunks ' || id || ': block_data is not valid JSON' FROM world_chunks WHERE NOT json_valid(block_data) "
     "UNION ALL SELECT 'inventory ' || id || ': item_data is not valid JSON' FROM inventory WHERE NOT json_valid(item_data)"},
    {"recipes have ingredients and a result",
     "SELECT 'crafting_recipes ' || id || ' (' || recipe_name || '): no ingredients' FROM crafting_recipes "
     "WHERE json_array_length(ingredients) = 0 UNION ALL SELECT 'crafting_recipes ' || id || ' (' || recipe_name || "
     "'): result has no item name' FROM crafting_recipes WHERE json_extract(result_item, '$.item_name') IS NULL"},
    {"evolution log entries record a change",
     "SELECT 'world_evolution_log ' || id || ': changes_made is empty' FROM world_evolution_log "
     "WHERE changes_made IN ('{}', '[]', 'null')"},
    {"booleans are 0 or 1",
     "SELECT 'users ' || id || ': is_active = ' || quote(is_active) FROM users WHERE is_active NOT IN (0, 1) "
     "UNION ALL SELECT 'worlds ' || id || ': is_active = ' || quote(is_active) FROM worlds WHERE is_active NOT IN (0, 1) "
     "UNION ALL SELECT 'quest_objectives ' || id || ': is_completed = ' || quote(is_completed) FROM quest_objectives WHERE is_completed NOT IN (0, 1)"},
    {NULL, NULL},
};

static int run_rows(Save *s, const char *sql, const char *prefix, SaveProblemFn report, void *ud, Err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        save_db_error(s, rc, err, prefix);
        sqlite3_finalize(st);
        return -1;
    }
    int problems = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        if (!text || strcmp(text, "ok") == 0)
            continue;
        char line[1024];
        snprintf(line, sizeof line, "%s: %s", prefix, text);
        report(line, ud);
        problems++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        char line[1024];
        snprintf(line, sizeof line, "%s: could not finish: %s", prefix, sqlite3_errstr(rc));
        report(line, ud);
        problems++;
    }
    return problems;
}

int save_verify(Save *s, SaveProblemFn report, void *ud, Err *err)
{
    int problems = 0, n;
    int version = save_schema_version(s);
    if (version != save_latest_version()) {
        char line[256];
        snprintf(line, sizeof line, "schema: save format %d, this game writes %d (run `init` to upgrade)",
                 version, save_latest_version());
        report(line, ud);
        problems++;
        if (version < save_latest_version())
            return problems; /* the invariants below assume the current schema */
    }
    if ((n = run_rows(s, "PRAGMA integrity_check", "integrity", report, ud, err)) < 0)
        return err->code;
    problems += n;
    n = run_rows(s,
                 "SELECT 'table ' || \"table\" || ' row ' || quote(rowid) || ' refers to a missing row of ' "
                 "|| parent FROM pragma_foreign_key_check",
                 "foreign key", report, ud, err);
    if (n < 0)
        return err->code;
    problems += n;
    for (const Invariant *inv = invariants; inv->name; inv++) {
        if ((n = run_rows(s, inv->sql, inv->name, report, ud, err)) < 0)
            return err->code;
        problems += n;
    }
    return problems;
}
