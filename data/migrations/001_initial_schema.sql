-- 001_initial_schema.sql — every table of ../shared/spec/schema-design.md in SQLite.
--
-- How the design's PostgreSQL types map here (chosen once, used everywhere):
--   bigint id PK        -> INTEGER PRIMARY KEY (the rowid: auto-assigned, 64-bit)
--   bigint FK           -> INTEGER REFERENCES parent(id) with an explicit ON DELETE
--   string / text       -> TEXT, with a CHECK on length where a name must not be empty
--   int / float         -> INTEGER / REAL
--   jsonb               -> TEXT holding JSON, CHECK (json_valid(col)); objects where
--                          the design shows objects (json_type = 'object')
--   timestamp           -> TEXT, ISO-8601 UTC with milliseconds ("2026-11-27T03:17:40.123Z"),
--                          which sorts as time sorts and reads well in the sqlite3 shell
--   boolean             -> INTEGER 0/1 with CHECK (col IN (0, 1))
-- updated_at is kept current by a trigger per table (it fires only when an UPDATE
-- did not set updated_at itself, so the data layer may set it explicitly).
-- ON DELETE: a user owns sessions, characters and achievements (CASCADE); a world
-- owns its chunks, characters, stories, quests, events, evolution log and agent
-- memories (CASCADE); a character owns its inventory, skills, relationships, quest
-- progress and choices (CASCADE); a story owns its branches (CASCADE); a deleted
-- parent branch leaves its children as roots (SET NULL); a choice outlives a
-- deleted branch (SET NULL); an agent's log entries stay for audit (SET NULL).
-- Foreign keys are enforced: the game opens every save with PRAGMA foreign_keys=ON.

PRAGMA application_id = 1296122966; -- 0x4D414456, "MADV": marks a Magic Adventure save

-- ---------------------------------------------------------------- users and sessions
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 64),
    email         TEXT UNIQUE CHECK (email IS NULL OR email LIKE '%_@_%'),
    password_hash TEXT,  -- bcrypt ($2b$...) via libxcrypt; NULL for a local player without one
    profile       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(profile) AND json_type(profile) = 'object'),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    is_active     INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    last_login    TEXT
);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    session_token TEXT NOT NULL UNIQUE CHECK (length(session_token) >= 16),
    session_data  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(session_data) AND json_type(session_data) = 'object'),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    expires_at    TEXT NOT NULL,
    is_active     INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    CHECK (expires_at > created_at)
);

-- ---------------------------------------------------------------- worlds and chunks
CREATE TABLE worlds (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    settings   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings) AND json_type(settings) = 'object'),
    world_type TEXT NOT NULL DEFAULT 'normal' CHECK (length(world_type) >= 1),
    seed       INTEGER NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    is_active  INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    metadata   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object')
);

CREATE TABLE world_chunks (
    id         INTEGER PRIMARY KEY,
    world_id   INTEGER NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    chunk_x    INTEGER NOT NULL,
    chunk_y    INTEGER NOT NULL,
    chunk_z    INTEGER NOT NULL,
    block_data TEXT NOT NULL CHECK (json_valid(block_data)),
    structures TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(structures)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    version    INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

-- ---------------------------------------------------------------- characters
CREATE TABLE characters (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER REFERENCES users(id) ON DELETE CASCADE, -- NULL: a non-player character
    world_id        INTEGER NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    character_class TEXT NOT NULL CHECK (length(character_class) >= 1),
    level           INTEGER NOT NULL DEFAULT 1 CHECK (level >= 1),
    experience      INTEGER NOT NULL DEFAULT 0 CHECK (experience >= 0),
    stats           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(stats) AND json_type(stats) = 'object'),
    appearance      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(appearance) AND json_type(appearance) = 'object'),
    position_x      REAL NOT NULL DEFAULT 0,
    position_y      REAL NOT NULL DEFAULT 0,
    position_z      REAL NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (world_id, name)
);

CREATE TABLE character_relationships (
    id                  INTEGER PRIMARY KEY,
    character_id        INTEGER NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    target_character_id INTEGER NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    relationship_type   TEXT NOT NULL DEFAULT 'acquaintance' CHECK (length(relationship_type) >= 1),
    relationship_value  INTEGER NOT NULL DEFAULT 0 CHECK (relationship_value BETWEEN -100 AND 100),
    interaction_history TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(interaction_history) AND json_type(interaction_history) = 'array'),
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (character_id <> target_character_id),
    UNIQUE (character_id, target_character_id) -- one row per direction: A's view of B, B's of A
);

CREATE TABLE character_skills (
    id                INTEGER PRIMARY KEY,
    character_id      INTEGER NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    skill_name        TEXT NOT NULL CHECK (length(skill_name) >= 1),
    skill_level       INTEGER NOT NULL DEFAULT 1 CHECK (skill_level >= 1),
    experience_points INTEGER NOT NULL DEFAULT 0 CHECK (experience_points >= 0),
    skill_data        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(skill_data) AND json_type(skill_data) = 'object'),
    updated_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (character_id, skill_name)
);

-- ---------------------------------------------------------------- inventory and crafting
CREATE TABLE crafting_recipes (
    id                INTEGER PRIMARY KEY,
    recipe_name       TEXT NOT NULL UNIQUE CHECK (length(recipe_name) >= 1),
    ingredients       TEXT NOT NULL CHECK (json_valid(ingredients) AND json_type(ingredients) = 'array'),
    result_item       TEXT NOT NULL CHECK (json_valid(result_item) AND json_type(result_item) = 'object'),
    required_level    INTEGER NOT NULL DEFAULT 1 CHECK (required_level >= 1),
    recipe_type       TEXT NOT NULL DEFAULT 'general' CHECK (length(recipe_type) >= 1),
    unlock_conditions TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(unlock_conditions)),
    created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE inventory (
    id            INTEGER PRIMARY KEY,
    character_id  INTEGER NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    item_type     TEXT NOT NULL CHECK (length(item_type) >= 1),
    item_name     TEXT NOT NULL CHECK (length(item_name) >= 1),
    quantity      INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0),
    item_data     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(item_data) AND json_type(item_data) = 'object'),
    slot_position INTEGER CHECK (slot_position IS NULL OR slot_position >= 0),
    acquired_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (character_id, slot_position) -- one stack per slot; NULL slots (unplaced) may repeat
);

-- ---------------------------------------------------------------- stories
CREATE TABLE stories (
    id          INTEGER PRIMARY KEY,
    world_id    INTEGER NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    title       TEXT NOT NULL CHECK (length(title) >= 1),
    description TEXT NOT NULL DEFAULT '',
    story_type  TEXT NOT NULL DEFAULT 'main' CHECK (length(story_type) >= 1),
    metadata    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    is_active   INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE story_branches (
    id               INTEGER PRIMARY KEY,
    story_id         INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    parent_branch_id INTEGER REFERENCES story_branches(id) ON DELETE SET NULL,
    branch_name      TEXT NOT NULL CHECK (length(branch_name) >= 1),
    content          TEXT NOT NULL DEFAULT '',
    conditions       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(conditions)),
    consequences     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(consequences)),
    branch_order     INTEGER NOT NULL DEFAULT 0 CHECK (branch_order >= 0),
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (parent_branch_id IS NULL OR parent_branch_id <> id)
);

CREATE TABLE player_choices (
    id              INTEGER PRIMARY KEY,
    character_id    INTEGER NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    story_branch_id INTEGER REFERENCES story_branches(id) ON DELETE SET NULL,
    choice_text     TEXT NOT NULL CHECK (length(choice_text) >= 1),
    choice_data     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(choice_data)),
    consequences    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(consequences)),
    made_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- ---------------------------------------------------------------- quests
CREATE TABLE quests (
    id               INTEGER PRIMARY KEY,
    world_id         INTEGER NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    title            TEXT NOT NULL CHECK (length(title) >= 1),
    description      TEXT NOT NULL DEFAULT '',
    quest_type       TEXT NOT NULL DEFAULT 'side' CHECK (length(quest_type) >= 1),
    requirements     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(requirements)),
    rewards          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(rewards)),
    difficulty_level INTEGER NOT NULL DEFAULT 1 CHECK (difficulty_level >= 1),
    is_active        INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    expires_at       TEXT, -- NULL: a permanent quest
    CHECK (expires_at IS NULL OR expires_at > created_at)
);

CREATE TABLE quest_objectives (
    id             INTEGER PRIMARY KEY,
    quest_id       INTEGER NOT NULL REFERENCES quests(id) ON DELETE CASCADE,
    objective_text TEXT NOT NULL CHECK (length(objective_text) >= 1),
    requirements   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(requirements)),
    progress_data  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(progress_data)),
    is_completed   INTEGER NOT NULL DEFAULT 0 CHECK (is_completed IN (0, 1)),
    order_index    INTEGER NOT NULL DEFAULT 0 CHECK (order_index >= 0),
    UNIQUE (quest_id, order_index)
);

CREATE TABLE quest_progress (
    id             INTEGER PRIMARY KEY,
    character_id   INTEGER NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    quest_id       INTEGER NOT NULL REFERENCES quests(id) ON DELETE CASCADE,
    status         TEXT NOT NULL DEFAULT 'active'
                   CHECK (status IN ('active', 'completed', 'failed', 'abandoned', 'expired')),
    progress_data  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(progress_data)),
    started_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    completed_at   TEXT,
    rewards_earned TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(rewards_earned)),
    UNIQUE (character_id, quest_id),
    CHECK (status <> 'completed' OR completed_at IS NOT NULL), -- a completed quest says when
    CHECK (status <> 'active' OR completed_at IS NULL)
);

-- ---------------------------------------------------------------- achievements
CREATE TABLE achievements (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    achievement_name TEXT NOT NULL CHECK (length(achievement_name) >= 1),
    description      TEXT NOT NULL DEFAULT '',
    points           INTEGER NOT NULL DEFAULT 0 CHECK (points >= 0),
    unlock_data      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(unlock_data)),
    unlocked_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (user_id, achievement_name) -- earned once per user
);

-- ---------------------------------------------------------------- AI agents
CREATE TABLE ai_agents (
    id            INTEGER PRIMARY KEY,
    agent_name    TEXT NOT NULL UNIQUE CHECK (length(agent_name) >= 1),
    agent_type    TEXT NOT NULL CHECK (agent_type IN ('story_weaver', 'world_builder', 'character_master',
                                                      'quest_generator', 'event_coordinator', 'balance_keeper')),
    configuration TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(configuration) AND json_type(configuration) = 'object'),
    current_state TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(current_state) AND json_type(current_state) = 'object'),
    is_active     INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    last_activity TEXT
);

CREATE TABLE agent_memory (
    id          INTEGER PRIMARY KEY,
    agent_id    INTEGER NOT NULL REFERENCES ai_agents(id) ON DELETE CASCADE,
    world_id    INTEGER NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    memory_type TEXT NOT NULL CHECK (length(memory_type) >= 1),
    memory_data TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(memory_data)),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    expires_at  TEXT, -- NULL: kept until the agent forgets it
    CHECK (expires_at IS NULL OR expires_at > created_at)
);

CREATE TABLE world_evolution_log (
    id             INTEGER PRIMARY KEY,
    world_id       INTEGER NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    agent_id       INTEGER REFERENCES ai_agents(id) ON DELETE SET NULL, -- the audit trail outlives the agent
    evolution_type TEXT NOT NULL CHECK (length(evolution_type) >= 1),
    changes_made   TEXT NOT NULL CHECK (json_valid(changes_made)),
    reasoning      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(reasoning)),
    applied_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    is_active      INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)) -- 0: rolled back
);

-- ---------------------------------------------------------------- world events
CREATE TABLE world_events (
    id          INTEGER PRIMARY KEY,
    world_id    INTEGER NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    event_type  TEXT NOT NULL CHECK (length(event_type) >= 1),
    event_name  TEXT NOT NULL CHECK (length(event_name) >= 1),
    description TEXT NOT NULL DEFAULT '',
    event_data  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(event_data)),
    start_time  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    end_time    TEXT,
    is_active   INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    CHECK (end_time IS NULL OR end_time >= start_time)
);

-- ---------------------------------------------------------------- updated_at triggers
CREATE TRIGGER users_touch AFTER UPDATE ON users FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN UPDATE users SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id; END;
CREATE TRIGGER worlds_touch AFTER UPDATE ON worlds FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN UPDATE worlds SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id; END;
CREATE TRIGGER world_chunks_touch AFTER UPDATE ON world_chunks FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN UPDATE world_chunks SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id; END;
CREATE TRIGGER characters_touch AFTER UPDATE ON characters FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN UPDATE characters SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id; END;
CREATE TRIGGER character_relationships_touch AFTER UPDATE ON character_relationships FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN UPDATE character_relationships SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id; END;
CREATE TRIGGER character_skills_touch AFTER UPDATE ON character_skills FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN UPDATE character_skills SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id; END;
CREATE TRIGGER inventory_touch AFTER UPDATE ON inventory FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN UPDATE inventory SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id; END;
CREATE TRIGGER stories_touch AFTER UPDATE ON stories FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN UPDATE stories SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id; END;
