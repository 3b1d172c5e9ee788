/* restore_part.c — world rollback and character recovery from a backup
 * (the design's "Recovery Procedures"), without touching the rest of the save.
 *
 * The backup is attached to the save's connection as "bak" (it has the same
 * schema: the caller checked its format), and the rows are copied with
 * INSERT ... SELECT in one transaction, which is verified (foreign keys and
 * the game's invariants) before it commits: a restore that would leave the
 * save with more problems than it had is rolled back whole.
 *
 * World rollback deletes the world (its chunks, characters with everything
 * they own, stories, quests, events, agent memories and evolution log go
 * with it, by the schema's ON DELETE CASCADE) and copies the backup's world
 * back with the same ids. Character recovery rewrites one character's row in
 * place (so what other characters hold about it stays) and replaces what it
 * owns: inventory, skills, its side of relationships, quest progress,
 * choices and character_state; rows whose target is no longer in the save
 * (a quest, a story branch, another character) are left out and counted. */
#include "save/save.h"

#include <stdio.h>
#include <string.h>

#include "save/save_internal.h"

typedef struct Part {
    Save *s;
    const char *src;
    SaveRestoreResult *res;
    Err *err;
} Part;

/* Runs one statement (SQL from sqlite3_mprintf, freed here); adds the rows it
 * changed to res->rows. A failure is worded for a restore from src. */
static int run(Part *p, char *sql)
{
    if (!sql)
        return err_set(p->err, MA_ERR_NOMEM, "out of memory restoring from %s", p->src);
    char *msg = NULL;
    int rc = sqlite3_exec(p->s->db, sql, NULL, NULL, &msg);
    sqlite3_free(sql);
    if (rc == SQLITE_OK) {
        p->res->rows += sqlite3_changes(p->s->db);
        return MA_OK;
    }
    int ext = sqlite3_extended_errcode(p->s->db);
    if (ext == SQLITE_CONSTRAINT_PRIMARYKEY || ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_ROWID)
        err_set(p->err, MA_ERR_CONSTRAINT,
                "%s: rows of %s have ids or names that other rows of the save now use (%s); nothing was restored. "
                "Restore the whole file instead (`restore FILE`)", p->s->path, p->src, msg ? msg : "");
    else if (save_disk_error(p->s->path, ext, sqlite3_system_errno(p->s->db), p->err, "restoring") == MA_OK)
        err_set(p->err, (ext & 0xff) == SQLITE_CONSTRAINT ? MA_ERR_CONSTRAINT : MA_ERR_DB, "%s: restoring from %s: %s",
                p->s->path, p->src, msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return p->err ? p->err->code : MA_ERR_DB;
}

/* One integer from sql (sqlite3_mprintf, freed here): *out, or 0 when no row. */
static int one_int(Part *p, char *sql, int64_t *out)
{
    *out = 0;
    if (!sql)
        return err_set(p->err, MA_ERR_NOMEM, "out of memory restoring from %s", p->src);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(p->s->db, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *out = sqlite3_column_int64(st, 0);
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? MA_OK : save_db_error(p->s, rc, p->err, "reading the backup");
}

/* The columns of table but id and character_id, as "a, b, c" (sqlite3_free it). */
static char *columns_but_owner(Part *p, const char *table)
{
    char *sql = sqlite3_mprintf("SELECT group_concat('\"' || replace(name, '\"', '\"\"') || '\"', ', ') "
                                "FROM pragma_table_info(%Q, 'main') WHERE name NOT IN ('id', 'character_id')", table);
    sqlite3_stmt *st = NULL;
    char *cols = NULL;
    if (sql && sqlite3_prepare_v2(p->s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_text(st, 0))
        cols = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return cols;
}

/* Collects the problems save_verify reports: their count and the first one. */
typedef struct Problems {
    int n;
    char first[512];
} Problems;

static void note_problem(const char *problem, void *ud)
{
    Problems *pr = ud;
    if (pr->n++ == 0)
        snprintf(pr->first, sizeof pr->first, "%s", problem);
}

static int count_problems(Part *p, Problems *pr)
{
    memset(pr, 0, sizeof *pr);
    int n = save_verify(p->s, note_problem, pr, p->err);
    return n < 0 ? n : MA_OK;
}

/* ------------------------------------------------------------ world rollback */

static int rollback_world(Part *p, const char *world)
{
    int64_t main_id, bak_id, n;
    int rc;
    if ((rc = one_int(p, sqlite3_mprintf("SELECT id FROM bak.worlds WHERE name = %Q", world), &bak_id)) != MA_OK)
        return rc;
    if (!bak_id)
        return err_set(p->err, MA_ERR_NOT_FOUND, "%s has no world named '%s'; nothing was restored", p->src, world);
    if ((rc = one_int(p, sqlite3_mprintf("SELECT id FROM main.worlds WHERE name = %Q", world), &main_id)) != MA_OK)
        return rc;
    /* Players' characters need their player: one deleted since the backup cannot come back this way. */
    if ((rc = one_int(p, sqlite3_mprintf("SELECT count(*) FROM bak.characters WHERE world_id = %lld AND user_id "
                                         "IS NOT NULL AND user_id NOT IN (SELECT id FROM main.users)",
                                         (long long)bak_id), &n)) != MA_OK)
        return rc;
    if (n)
        return err_set(p->err, MA_ERR_CONSTRAINT,
                       "world '%s' of %s has %lld character%s of players no longer in this save; nothing was "
                       "restored. Restore the whole file instead (`restore FILE`)", world, p->src, (long long)n,
                       n == 1 ? "" : "s");
    if (main_id) {
        /* A transfer between two of the world's characters would lose both ends (a CHECK refuses that). */
        rc = run(p, sqlite3_mprintf("DELETE FROM main.item_transfers WHERE from_character_id IN (SELECT id FROM "
                                    "main.characters WHERE world_id = %lld) OR to_character_id IN (SELECT id FROM "
                                    "main.characters WHERE world_id = %lld)", (long long)main_id, (long long)main_id));
        if (rc == MA_OK)
            rc = run(p, sqlite3_mprintf("DELETE FROM main.worlds WHERE id = %lld", (long long)main_id));
        if (rc != MA_OK)
            return rc;
    }
    p->res->rows = 0; /* count what is written back, not what was deleted */
    long long b = (long long)bak_id;
#define CHARS "(SELECT id FROM bak.characters WHERE world_id = %lld)"
    char *steps[] = {
        sqlite3_mprintf("INSERT INTO main.worlds SELECT * FROM bak.worlds WHERE id = %lld", b),
        sqlite3_mprintf("INSERT INTO main.world_chunks SELECT * FROM bak.world_chunks WHERE world_id = %lld", b),
        sqlite3_mprintf("INSERT INTO main.characters SELECT * FROM bak.characters WHERE world_id = %lld", b),
        sqlite3_mprintf("INSERT INTO main.stories SELECT * FROM bak.stories WHERE world_id = %lld", b),
        sqlite3_mprintf("INSERT INTO main.story_branches SELECT * FROM bak.story_branches WHERE story_id IN "
                        "(SELECT id FROM bak.stories WHERE world_id = %lld)", b),
        sqlite3_mprintf("INSERT INTO main.quests SELECT * FROM bak.quests WHERE world_id = %lld", b),
        sqlite3_mprintf("INSERT INTO main.quest_objectives SELECT * FROM bak.quest_objectives WHERE quest_id IN "
                        "(SELECT id FROM bak.quests WHERE world_id = %lld)", b),
        sqlite3_mprintf("INSERT INTO main.inventory SELECT * FROM bak.inventory WHERE character_id IN " CHARS, b),
        sqlite3_mprintf("INSERT INTO main.character_skills SELECT * FROM bak.character_skills WHERE character_id IN "
                        CHARS, b),
        sqlite3_mprintf("INSERT INTO main.character_state SELECT * FROM bak.character_state WHERE character_id IN "
                        CHARS, b),
        sqlite3_mprintf("INSERT INTO main.character_relationships SELECT * FROM bak.character_relationships WHERE "
                        "character_id IN " CHARS " AND target_character_id IN (SELECT id FROM main.characters)", b),
        sqlite3_mprintf("INSERT INTO main.quest_progress SELECT * FROM bak.quest_progress WHERE character_id IN "
                        CHARS " AND quest_id IN (SELECT id FROM main.quests)", b),
        sqlite3_mprintf("INSERT INTO main.player_choices SELECT id, character_id, CASE WHEN story_branch_id IN "
                        "(SELECT id FROM main.story_branches) THEN story_branch_id END, choice_text, choice_data, "
                        "consequences, made_at FROM bak.player_choices WHERE character_id IN " CHARS, b),
        /* Where each character stands in the world's stories (migration 004), and how to take its choices back. */
        sqlite3_mprintf("INSERT INTO main.story_progress SELECT * FROM bak.story_progress WHERE character_id IN "
                        CHARS, b),
        /* The message log the client keeps (migration 008). */
        sqlite3_mprintf("INSERT INTO main.message_log SELECT * FROM bak.message_log WHERE character_id IN " CHARS, b),
        sqlite3_mprintf("INSERT OR REPLACE INTO main.story_choice_undo SELECT * FROM bak.story_choice_undo WHERE id IN "
                        "(SELECT id FROM main.player_choices WHERE character_id IN " CHARS ")", b),
        sqlite3_mprintf("INSERT INTO main.agent_memory SELECT * FROM bak.agent_memory WHERE world_id = %lld AND "
                        "agent_id IN (SELECT id FROM main.ai_agents)", b),
        sqlite3_mprintf("INSERT INTO main.world_evolution_log SELECT id, world_id, CASE WHEN agent_id IN (SELECT id "
                        "FROM main.ai_agents) THEN agent_id END, evolution_type, changes_made, reasoning, applied_at, "
                        "is_active FROM bak.world_evolution_log WHERE world_id = %lld", b),
        sqlite3_mprintf("INSERT INTO main.world_events SELECT * FROM bak.world_events WHERE world_id = %lld", b),
        /* Which evolution entries touched what (migration 005). */
        sqlite3_mprintf("INSERT INTO main.world_evolution_things SELECT * FROM bak.world_evolution_things WHERE "
                        "world_id = %lld", b),
        sqlite3_mprintf("INSERT INTO main.item_transfers SELECT id, CASE WHEN from_character_id IN (SELECT id FROM "
                        "main.characters) THEN from_character_id END, CASE WHEN to_character_id IN (SELECT id FROM "
                        "main.characters) THEN to_character_id END, item_name, quantity, reason, price, transferred_at "
                        "FROM bak.item_transfers WHERE from_character_id IN " CHARS " OR to_character_id IN " CHARS,
                        b, b),
    };
#undef CHARS
    size_t n_steps = sizeof steps / sizeof steps[0];
    rc = MA_OK;
    for (size_t i = 0; i < n_steps; i++) {
        if (rc == MA_OK)
            rc = run(p, steps[i]);
        else
            sqlite3_free(steps[i]);
    }
    return rc;
}

/* ------------------------------------------------------------ character recovery */

/* What a character owns: the table, and the condition (over bak's row) that
 * what it points to is still in the save, world main_world. */
static const struct {
    const char *table;
    const char *keep; /* a %lld for the save's world id, or NULL */
} owned[] = {
    {"inventory", NULL},
    {"character_skills", NULL},
    {"character_state", NULL},
    {"message_log", NULL},
    {"character_relationships", "target_character_id IN (SELECT id FROM main.characters WHERE world_id = %lld)"},
    {"quest_progress", "quest_id IN (SELECT id FROM main.quests WHERE world_id = %lld)"},
    {"player_choices", "(story_branch_id IS NULL OR story_branch_id IN (SELECT b.id FROM main.story_branches b JOIN "
                       "main.stories s ON s.id = b.story_id WHERE s.world_id = %lld))"},
    {"story_progress", "story_id IN (SELECT id FROM main.stories WHERE world_id = %lld) AND (current_branch_id IS NULL "
                       "OR current_branch_id IN (SELECT id FROM main.story_branches))"},
};

static int recover_character(Part *p, const char *world, const char *character)
{
    int64_t main_world, bak_world, bak_char, main_char, n;
    int rc;
    if ((rc = one_int(p, sqlite3_mprintf("SELECT id FROM bak.worlds WHERE name = %Q", world), &bak_world)) != MA_OK ||
        (rc = one_int(p, sqlite3_mprintf("SELECT id FROM main.worlds WHERE name = %Q", world), &main_world)) != MA_OK)
        return rc;
    if (!bak_world)
        return err_set(p->err, MA_ERR_NOT_FOUND, "%s has no world named '%s'; nothing was restored", p->src, world);
    if (!main_world)
        return err_set(p->err, MA_ERR_NOT_FOUND, "the save has no world named '%s' to recover a character into: "
                       "roll the world back first (`restore FILE --world '%s'`)", world, world);
    if ((rc = one_int(p, sqlite3_mprintf("SELECT id FROM bak.characters WHERE world_id = %lld AND name = %Q",
                                         (long long)bak_world, character), &bak_char)) != MA_OK)
        return rc;
    if (!bak_char)
        return err_set(p->err, MA_ERR_NOT_FOUND, "%s has no character named '%s' in world '%s'; nothing was restored",
                       p->src, character, world);
    if ((rc = one_int(p, sqlite3_mprintf("SELECT count(*) FROM bak.characters WHERE id = %lld AND user_id IS NOT "
                                         "NULL AND user_id NOT IN (SELECT id FROM main.users)", (long long)bak_char),
                      &n)) != MA_OK)
        return rc;
    if (n)
        return err_set(p->err, MA_ERR_CONSTRAINT, "the player of '%s' in %s is no longer in this save; nothing was "
                       "restored", character, p->src);
    if ((rc = one_int(p, sqlite3_mprintf("SELECT id FROM main.characters WHERE world_id = %lld AND name = %Q",
                                         (long long)main_world, character), &main_char)) != MA_OK)
        return rc;
    static const char cols[] = "user_id, character_class, level, experience, stats, appearance, position_x, "
                               "position_y, position_z, created_at, updated_at";
    if (main_char) {
        rc = run(p, sqlite3_mprintf("UPDATE main.characters SET (%s) = (SELECT %s FROM bak.characters WHERE id = %lld) "
                                    "WHERE id = %lld", cols, cols, (long long)bak_char, (long long)main_char));
    } else {
        /* Back under its old id when no other row took it since. */
        rc = run(p, sqlite3_mprintf("INSERT INTO main.characters (id, world_id, name, %s) SELECT CASE WHEN id IN "
                                    "(SELECT id FROM main.characters) THEN NULL ELSE id END, %lld, name, %s FROM "
                                    "bak.characters WHERE id = %lld", cols, (long long)main_world, cols,
                                    (long long)bak_char));
        main_char = sqlite3_last_insert_rowid(p->s->db);
    }
    for (size_t i = 0; rc == MA_OK && i < sizeof owned / sizeof owned[0]; i++) {
        const char *t = owned[i].table;
        char *keep = owned[i].keep ? sqlite3_mprintf(owned[i].keep, (long long)main_world) : sqlite3_mprintf("1");
        char *c = columns_but_owner(p, t);
        int64_t all = 0, kept = 0;
        if (!keep || !c) {
            rc = err_set(p->err, MA_ERR_NOMEM, "out of memory restoring from %s", p->src);
        } else if ((rc = one_int(p, sqlite3_mprintf("SELECT count(*) FROM bak.%s WHERE character_id = %lld", t,
                                                    (long long)bak_char), &all)) == MA_OK &&
                   (rc = run(p, sqlite3_mprintf("DELETE FROM main.%s WHERE character_id = %lld", t,
                                                (long long)main_char))) == MA_OK) {
            int64_t before = p->res->rows;
            /* Ids are kept when free, so that nothing pointing at them by id is lost. */
            rc = run(p, sqlite3_mprintf("INSERT INTO main.%s (id, character_id, %s) SELECT CASE WHEN id IN (SELECT id "
                                        "FROM main.%s) THEN NULL ELSE id END, %lld, %s FROM bak.%s WHERE "
                                        "character_id = %lld AND %s", t, c, t, (long long)main_char, c, t,
                                        (long long)bak_char, keep));
            kept = p->res->rows - before;
            p->res->skipped += all - kept;
        }
        sqlite3_free(keep);
        sqlite3_free(c);
    }
    /* How to take back each choice that came back under its own id (migration 004). */
    if (rc == MA_OK)
        rc = run(p, sqlite3_mprintf("INSERT OR REPLACE INTO main.story_choice_undo SELECT u.* FROM bak.story_choice_undo u JOIN "
                                    "bak.player_choices c ON c.id = u.id WHERE c.character_id = %lld AND u.id IN "
                                    "(SELECT id FROM main.player_choices WHERE character_id = %lld)",
                                    (long long)bak_char, (long long)main_char));
    return rc;
}

int save_restore_part(Save *s, const char *src, int version, const char *world, const char *character,
                      SaveRestoreResult *res, Err *err)
{
    Part p = {.s = s, .src = src, .res = res, .err = err};
    if (version != save_schema_version(s))
        return err_set(err, MA_ERR_INVALID,
                       "%s is save format %d and this save is format %d: one world or character can only be restored "
                       "from a backup of the same format. Restore the whole file, or upgrade a copy of the backup "
                       "first (`magic-adventure --save COPY init`)", src, version, save_schema_version(s));
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "ATTACH DATABASE ?1 AS bak", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, src, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(s->db);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return save_db_error(s, rc, err, "opening the backup to restore from");
    Problems before, after;
    if ((rc = save_begin(s, err)) != MA_OK)
        goto detach;
    if ((rc = count_problems(&p, &before)) != MA_OK)
        goto rollback;
    rc = character ? recover_character(&p, world, character) : rollback_world(&p, world);
    if (rc != MA_OK)
        goto rollback;
    if ((rc = count_problems(&p, &after)) != MA_OK)
        goto rollback;
    if (after.n > before.n) {
        rc = err_set(err, MA_ERR_CONSTRAINT,
                     "restoring %s '%s' from %s would leave the save with %d problem%s it did not have (the first: "
                     "%s); nothing was restored", character ? "character" : "world", character ? character : world,
                     src, after.n - before.n, after.n - before.n == 1 ? "" : "s", after.first);
        goto rollback;
    }
    rc = save_commit(s, err);
    goto detach;
rollback:
    save_rollback(s);
detach:
    sqlite3_exec(s->db, "DETACH DATABASE bak", NULL, NULL, NULL);
    return rc;
}
