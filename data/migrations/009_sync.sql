-- 009_sync.sql — the game's side of online sync (docs/sync-protocol.md; README, "The sync server").
--
-- A world shared through a sync server has a sync_worlds row. From then on every change the
-- game commits to it is recorded in sync_log IN THE SAME TRANSACTION as the change: the
-- triggers below note characters (with their inventory, skills and state), relationships, quest
-- progress, evolution log entries and story choices; src/world/world.c records chunk edits block
-- by block when it writes a changed chunk (world_flush). So a change made offline, or just
-- before the game was killed, is never missed: it is pushed at the next sync.
--
-- A log row not yet sent (sent = 0) is one op waiting: later changes to the same row join it
-- (one unsent op per row; the triggers insert only when none waits: INSERT OR IGNORE would be
-- overridden by the conflict clause of the statement that fires them, an upsert's among them). When a push is prepared its op JSON is written whole into body and
-- sent = 1: from then on it is never changed, so a push retried after a cut or a crash sends the
-- same op ids and the server applies each once. The row goes when the server's answer is taken.

CREATE TABLE sync_accounts (
    id             INTEGER PRIMARY KEY,
    server_url     TEXT NOT NULL CHECK (server_url LIKE 'http://_%' OR server_url LIKE 'https://_%'),
    username       TEXT NOT NULL CHECK (length(username) BETWEEN 1 AND 64),
    remote_user_id INTEGER NOT NULL DEFAULT 0,
    token          TEXT NOT NULL DEFAULT '' CHECK (token = '' OR length(token) = 64), -- never a password
    expires_at     TEXT NOT NULL DEFAULT '',
    logged_in_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (server_url, username)
);

CREATE TABLE sync_worlds (
    world_id     INTEGER PRIMARY KEY REFERENCES worlds(id) ON DELETE CASCADE,
    account_id   INTEGER NOT NULL REFERENCES sync_accounts(id) ON DELETE RESTRICT,
    remote_id    INTEGER NOT NULL CHECK (remote_id >= 1),          -- the world's id on the server
    user_id      INTEGER REFERENCES users(id) ON DELETE SET NULL,  -- the local player the account plays as
    cursor       INTEGER NOT NULL DEFAULT 0 CHECK (cursor >= 0),   -- the pull cursor
    applying     INTEGER NOT NULL DEFAULT 0 CHECK (applying IN (0, 1)), -- 1 while what was pulled is written
    last_sync_at TEXT,
    last_try_at  TEXT,
    last_error   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE sync_log (
    id           INTEGER PRIMARY KEY,  -- the order of recording, the order of pushing
    world_id     INTEGER NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    op_id        TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(16)))),
    kind         TEXT NOT NULL CHECK (kind IN ('chunk_edit', 'character', 'relationship', 'quest_progress',
                                               'evolution', 'story_choice')),
    ref          TEXT NOT NULL,  -- chunk_edit: "CX,CY,CZ"; character deleted: "key:KEY"; else the local row id
    base_version INTEGER NOT NULL DEFAULT 0 CHECK (base_version >= 0),
    body         TEXT CHECK (body IS NULL OR json_valid(body)), -- chunk_edit: the edits so far; sent: the whole op
    sent         INTEGER NOT NULL DEFAULT 0 CHECK (sent IN (0, 1)),
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE UNIQUE INDEX idx_sync_log_waiting ON sync_log (world_id, kind, ref) WHERE sent = 0;
CREATE INDEX idx_sync_log_world ON sync_log (world_id, sent, id);

-- The key every machine knows a character by (a villager: its entity id; a player's: made once),
-- and the server's version of it last seen.
CREATE TABLE sync_keys (
    character_id INTEGER PRIMARY KEY REFERENCES characters(id) ON DELETE CASCADE,
    world_id     INTEGER NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    key          TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 64),
    version      INTEGER NOT NULL DEFAULT 0 CHECK (version >= 0),
    UNIQUE (world_id, key)
);

-- The server's version last pulled of a chunk ("CX,CY,CZ"), a relationship ("FROM>TO") or a
-- quest progress ("CHARACTER|TITLE").
CREATE TABLE sync_rows (
    id       INTEGER PRIMARY KEY,
    world_id INTEGER NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    kind     TEXT NOT NULL CHECK (kind IN ('chunk', 'relationship', 'quest_progress')),
    key      TEXT NOT NULL,
    version  INTEGER NOT NULL CHECK (version >= 0),
    UNIQUE (world_id, kind, key)
);

-- What the server did not take as it was: the server's stands, ours is kept here for the player
-- to see and re-apply (status 'mine') or let go (status 'theirs'). Nothing is deleted.
CREATE TABLE sync_conflicts (
    id          INTEGER PRIMARY KEY,
    world_id    INTEGER NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    op_id       TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('block', 'meta', 'entity', 'character', 'quest_progress', 'world',
                                              'rejected')),
    place       TEXT NOT NULL,  -- in words: "block 17,65,-3", "villager_3_4", "quest Wolf Trouble"
    detail      TEXT NOT NULL CHECK (json_valid(detail) AND json_type(detail) = 'object'), -- base, yours, server ...
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'mine', 'theirs')),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    resolved_at TEXT
);
CREATE INDEX idx_sync_conflicts_world ON sync_conflicts (world_id, status);

-- Append-only entries (evolution log, story choices) by their entry id: ours (local_id, the
-- world_evolution_log or player_choices row) once pushed, and other players' as pulled (data).
CREATE TABLE sync_entries (
    id       INTEGER PRIMARY KEY,
    world_id INTEGER NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    kind     TEXT NOT NULL CHECK (kind IN ('evolution', 'story_choice')),
    entry    TEXT NOT NULL,
    local_id INTEGER,  -- NULL: another player's
    data     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data)),
    UNIQUE (world_id, kind, entry)
);

-- ---------------------------------------------------------------- recording, in the writer's transaction
-- "synced" below: the world has a sync_worlds row and is not having pulled changes written.

CREATE TRIGGER sync_characters_insert AFTER INSERT ON characters
WHEN EXISTS (SELECT 1 FROM sync_worlds WHERE world_id = NEW.world_id AND applying = 0)
BEGIN
    INSERT INTO sync_log (world_id, kind, ref)
    SELECT NEW.world_id, 'character', CAST(NEW.id AS TEXT)
    WHERE NOT EXISTS (SELECT 1 FROM sync_log WHERE world_id = NEW.world_id AND kind = 'character'
                      AND ref = CAST(NEW.id AS TEXT) AND sent = 0);
END;

CREATE TRIGGER sync_characters_update AFTER UPDATE ON characters
WHEN EXISTS (SELECT 1 FROM sync_worlds WHERE world_id = NEW.world_id AND applying = 0)
BEGIN
    INSERT INTO sync_log (world_id, kind, ref, base_version)
    SELECT NEW.world_id, 'character', CAST(NEW.id AS TEXT), COALESCE((SELECT version FROM sync_keys WHERE character_id = NEW.id), 0)
    WHERE NOT EXISTS (SELECT 1 FROM sync_log WHERE world_id = NEW.world_id AND kind = 'character'
                      AND ref = CAST(NEW.id AS TEXT) AND sent = 0);
END;

-- A character the server knows is deleted there too (not another player's: theirs is theirs).
CREATE TRIGGER sync_characters_delete BEFORE DELETE ON characters
WHEN EXISTS (SELECT 1 FROM sync_worlds WHERE world_id = OLD.world_id AND applying = 0)
BEGIN
    DELETE FROM sync_log WHERE world_id = OLD.world_id AND kind = 'character' AND ref = CAST(OLD.id AS TEXT) AND sent = 0;
    INSERT INTO sync_log (world_id, kind, ref, base_version, body)
    SELECT OLD.world_id, 'character', 'key:' || k.key, k.version,
           json_object('kind', 'character', 'key', k.key, 'base_version', k.version, 'deleted', json('true'),
                       'npc', json(CASE WHEN OLD.user_id IS NULL THEN 'true' ELSE 'false' END))
    FROM sync_keys k
    WHERE k.character_id = OLD.id
      AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = OLD.user_id AND json_extract(u.profile, '$.sync_remote') IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM sync_log WHERE world_id = OLD.world_id AND kind = 'character'
                      AND ref = 'key:' || k.key AND sent = 0);
END;

-- Inventory, skills and state are part of the character's op.
CREATE TRIGGER sync_inventory_insert AFTER INSERT ON inventory
WHEN EXISTS (SELECT 1 FROM characters c JOIN sync_worlds w ON w.world_id = c.world_id
             WHERE c.id = NEW.character_id AND w.applying = 0)
BEGIN
    INSERT INTO sync_log (world_id, kind, ref, base_version)
    SELECT c.world_id, 'character', CAST(c.id AS TEXT), COALESCE((SELECT version FROM sync_keys WHERE character_id = c.id), 0)
    FROM characters c WHERE c.id = NEW.character_id
      AND NOT EXISTS (SELECT 1 FROM sync_log l WHERE l.world_id = c.world_id AND l.kind = 'character'
                      AND l.ref = CAST(c.id AS TEXT) AND l.sent = 0);
END;
CREATE TRIGGER sync_inventory_update AFTER UPDATE ON inventory
WHEN EXISTS (SELECT 1 FROM characters c JOIN sync_worlds w ON w.world_id = c.world_id
             WHERE c.id = NEW.character_id AND w.applying = 0)
BEGIN
    INSERT INTO sync_log (world_id, kind, ref, base_version)
    SELECT c.world_id, 'character', CAST(c.id AS TEXT), COALESCE((SELECT version FROM sync_keys WHERE character_id = c.id), 0)
    FROM characters c WHERE c.id = NEW.character_id
      AND NOT EXISTS (SELECT 1 FROM sync_log l WHERE l.world_id = c.world_id AND l.kind = 'character'
                      AND l.ref = CAST(c.id AS TEXT) AND l.sent = 0);
END;
CREATE TRIGGER sync_inventory_delete AFTER DELETE ON inventory
WHEN EXISTS (SELECT 1 FROM characters c JOIN sync_worlds w ON w.world_id = c.world_id
             WHERE c.id = OLD.character_id AND w.applying = 0)
BEGIN
    INSERT INTO sync_log (world_id, kind, ref, base_version)
    SELECT c.world_id, 'character', CAST(c.id AS TEXT), COALESCE((SELECT version FROM sync_keys WHERE character_id = c.id), 0)
    FROM characters c WHERE c.id = OLD.character_id
      AND NOT EXISTS (SELECT 1 FROM sync_log l WHERE l.world_id = c.world_id AND l.kind = 'character'
                      AND l.ref = CAST(c.id AS TEXT) AND l.sent = 0);
END;
CREATE TRIGGER sync_skills_insert AFTER INSERT ON character_skills
WHEN EXISTS (SELECT 1 FROM characters c JOIN sync_worlds w ON w.world_id = c.world_id
             WHERE c.id = NEW.character_id AND w.applying = 0)
BEGIN
    INSERT INTO sync_log (world_id, kind, ref, base_version)
    SELECT c.world_id, 'character', CAST(c.id AS TEXT), COALESCE((SELECT version FROM sync_keys WHERE character_id = c.id), 0)
    FROM characters c WHERE c.id = NEW.character_id
      AND NOT EXISTS (SELECT 1 FROM sync_log l WHERE l.world_id = c.world_id AND l.kind = 'character'
                      AND l.ref = CAST(c.id AS TEXT) AND l.sent = 0);
END;
CREATE TRIGGER sync_skills_update AFTER UPDATE ON character_skills
WHEN EXISTS (SELECT 1 FROM characters c JOIN sync_worlds w ON w.world_id = c.world_id
             WHERE c.id = NEW.character_id AND w.applying = 0)
BEGIN
    INSERT INTO sync_log (world_id, kind, ref, base_version)
    SELECT c.world_id, 'character', CAST(c.id AS TEXT), COALESCE((SELECT version FROM sync_keys WHERE character_id = c.id), 0)
    FROM characters c WHERE c.id = NEW.character_id
      AND NOT EXISTS (SELECT 1 FROM sync_log l WHERE l.world_id = c.world_id AND l.kind = 'character'
                      AND l.ref = CAST(c.id AS TEXT) AND l.sent = 0);
END;
CREATE TRIGGER sync_skills_delete AFTER DELETE ON character_skills
WHEN EXISTS (SELECT 1 FROM characters c JOIN sync_worlds w ON w.world_id = c.world_id
             WHERE c.id = OLD.character_id AND w.applying = 0)
BEGIN
    INSERT INTO sync_log (world_id, kind, ref, base_version)
    SELECT c.world_id, 'character', CAST(c.id AS TEXT), COALESCE((SELECT version FROM sync_keys WHERE character_id = c.id), 0)
    FROM characters c WHERE c.id = OLD.character_id
      AND NOT EXISTS (SELECT 1 FROM sync_log l WHERE l.world_id = c.world_id AND l.kind = 'character'
                      AND l.ref = CAST(c.id AS TEXT) AND l.sent = 0);
END;
CREATE TRIGGER sync_state_insert AFTER INSERT ON character_state
WHEN EXISTS (SELECT 1 FROM characters c JOIN sync_worlds w ON w.world_id = c.world_id
             WHERE c.id = NEW.character_id AND w.applying = 0)
BEGIN
    INSERT INTO sync_log (world_id, kind, ref, base_version)
    SELECT c.world_id, 'character', CAST(c.id AS TEXT), COALESCE((SELECT version FROM sync_keys WHERE character_id = c.id), 0)
    FROM characters c WHERE c.id = NEW.character_id
      AND NOT EXISTS (SELECT 1 FROM sync_log l WHERE l.world_id = c.world_id AND l.kind = 'character'
                      AND l.ref = CAST(c.id AS TEXT) AND l.sent = 0);
END;
CREATE TRIGGER sync_state_update AFTER UPDATE ON character_state
WHEN EXISTS (SELECT 1 FROM characters c JOIN sync_worlds w ON w.world_id = c.world_id
             WHERE c.id = NEW.character_id AND w.applying = 0)
BEGIN
    INSERT INTO sync_log (world_id, kind, ref, base_version)
    SELECT c.world_id, 'character', CAST(c.id AS TEXT), COALESCE((SELECT version FROM sync_keys WHERE character_id = c.id), 0)
    FROM characters c WHERE c.id = NEW.character_id
      AND NOT EXISTS (SELECT 1 FROM sync_log l WHERE l.world_id = c.world_id AND l.kind = 'character'
                      AND l.ref = CAST(c.id AS TEXT) AND l.sent = 0);
END;
CREATE TRIGGER sync_state_delete AFTER DELETE ON character_state
WHEN EXISTS (SELECT 1 FROM characters c JOIN sync_worlds w ON w.world_id = c.world_id
             WHERE c.id = OLD.character_id AND w.applying = 0)
BEGIN
    INSERT INTO sync_log (world_id, kind, ref, base_version)
    SELECT c.world_id, 'character', CAST(c.id AS TEXT), COALESCE((SELECT version FROM sync_keys WHERE character_id = c.id), 0)
    FROM characters c WHERE c.id = OLD.character_id
      AND NOT EXISTS (SELECT 1 FROM sync_log l WHERE l.world_id = c.world_id AND l.kind = 'character'
                      AND l.ref = CAST(c.id AS TEXT) AND l.sent = 0);
END;

-- Relationships (new history entries) and quest progress, by their row.
CREATE TRIGGER sync_relationships_insert AFTER INSERT ON character_relationships
WHEN EXISTS (SELECT 1 FROM characters c JOIN sync_worlds w ON w.world_id = c.world_id
             WHERE c.id = NEW.character_id AND w.applying = 0)
BEGIN
    INSERT INTO sync_log (world_id, kind, ref)
    SELECT c.world_id, 'relationship', CAST(NEW.id AS TEXT) FROM characters c WHERE c.id = NEW.character_id
      AND NOT EXISTS (SELECT 1 FROM sync_log l WHERE l.world_id = c.world_id AND l.kind = 'relationship'
                      AND l.ref = CAST(NEW.id AS TEXT) AND l.sent = 0);
END;
CREATE TRIGGER sync_relationships_update AFTER UPDATE ON character_relationships
WHEN EXISTS (SELECT 1 FROM characters c JOIN sync_worlds w ON w.world_id = c.world_id
             WHERE c.id = NEW.character_id AND w.applying = 0)
BEGIN
    INSERT INTO sync_log (world_id, kind, ref)
    SELECT c.world_id, 'relationship', CAST(NEW.id AS TEXT) FROM characters c WHERE c.id = NEW.character_id
      AND NOT EXISTS (SELECT 1 FROM sync_log l WHERE l.world_id = c.world_id AND l.kind = 'relationship'
                      AND l.ref = CAST(NEW.id AS TEXT) AND l.sent = 0);
END;
CREATE TRIGGER sync_quest_progress_insert AFTER INSERT ON quest_progress
WHEN EXISTS (SELECT 1 FROM characters c JOIN sync_worlds w ON w.world_id = c.world_id
             WHERE c.id = NEW.character_id AND w.applying = 0)
BEGIN
    INSERT INTO sync_log (world_id, kind, ref)
    SELECT c.world_id, 'quest_progress', CAST(NEW.id AS TEXT) FROM characters c WHERE c.id = NEW.character_id
      AND NOT EXISTS (SELECT 1 FROM sync_log l WHERE l.world_id = c.world_id AND l.kind = 'quest_progress'
                      AND l.ref = CAST(NEW.id AS TEXT) AND l.sent = 0);
END;
CREATE TRIGGER sync_quest_progress_update AFTER UPDATE ON quest_progress
WHEN EXISTS (SELECT 1 FROM characters c JOIN sync_worlds w ON w.world_id = c.world_id
             WHERE c.id = NEW.character_id AND w.applying = 0)
BEGIN
    INSERT INTO sync_log (world_id, kind, ref)
    SELECT c.world_id, 'quest_progress', CAST(NEW.id AS TEXT) FROM characters c WHERE c.id = NEW.character_id
      AND NOT EXISTS (SELECT 1 FROM sync_log l WHERE l.world_id = c.world_id AND l.kind = 'quest_progress'
                      AND l.ref = CAST(NEW.id AS TEXT) AND l.sent = 0);
END;

-- Append-only entries.
CREATE TRIGGER sync_evolution_insert AFTER INSERT ON world_evolution_log
WHEN EXISTS (SELECT 1 FROM sync_worlds WHERE world_id = NEW.world_id AND applying = 0)
BEGIN
    INSERT INTO sync_log (world_id, kind, ref)
    SELECT NEW.world_id, 'evolution', CAST(NEW.id AS TEXT)
    WHERE NOT EXISTS (SELECT 1 FROM sync_log WHERE world_id = NEW.world_id AND kind = 'evolution'
                      AND ref = CAST(NEW.id AS TEXT) AND sent = 0);
END;
CREATE TRIGGER sync_choices_insert AFTER INSERT ON player_choices
WHEN EXISTS (SELECT 1 FROM characters c JOIN sync_worlds w ON w.world_id = c.world_id
             WHERE c.id = NEW.character_id AND w.applying = 0)
BEGIN
    INSERT INTO sync_log (world_id, kind, ref)
    SELECT c.world_id, 'story_choice', CAST(NEW.id AS TEXT) FROM characters c WHERE c.id = NEW.character_id
      AND NOT EXISTS (SELECT 1 FROM sync_log l WHERE l.world_id = c.world_id AND l.kind = 'story_choice'
                      AND l.ref = CAST(NEW.id AS TEXT) AND l.sent = 0);
END;
