-- 001_initial_schema.sql — every table of ../shared/spec/schema-design.md in PostgreSQL 15,
-- as the design writes it: BIGSERIAL keys, JSONB columns, TIMESTAMPTZ timestamps, BOOLEAN flags.
-- The same constraints as the local save's data/migrations/001 (the project's reading of the
-- design), written in PostgreSQL's own terms:
--   jsonb columns       -> JSONB, CHECK (jsonb_typeof(col) = 'object' / 'array') where the
--                          design shows an object or a list
--   timestamp           -> TIMESTAMPTZ DEFAULT now()
--   boolean             -> BOOLEAN
--   float               -> DOUBLE PRECISION
-- updated_at is kept current by one trigger function (it leaves a value the UPDATE set itself).
-- ON DELETE choices are the local save's: a user owns sessions, characters and achievements; a
-- world owns its chunks, characters, stories, quests, events, evolution log and agent memories;
-- a character owns its inventory, skills, relationships, quest progress and choices; a story its
-- branches; a deleted parent branch leaves children as roots; a choice outlives its branch; an
-- agent's log entries stay for audit.
-- Applied by `magic-adventure-server migrate` in one transaction (server/db_migrate.c).

CREATE FUNCTION ma_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END $$;

-- ---------------------------------------------------------------- users and sessions
CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 64),
    email         TEXT UNIQUE CHECK (email IS NULL OR email LIKE '%_@_%'),
    password_hash TEXT,  -- bcrypt ($2b$...) via libxcrypt
    profile       JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(profile) = 'object'),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    is_active     BOOLEAN NOT NULL DEFAULT true,
    last_login    TIMESTAMPTZ
);

CREATE TABLE sessions (
    id            BIGSERIAL PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    session_token TEXT NOT NULL UNIQUE CHECK (length(session_token) >= 16), -- the server keeps a hash
    session_data  JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(session_data) = 'object'),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at    TIMESTAMPTZ NOT NULL,
    is_active     BOOLEAN NOT NULL DEFAULT true,
    CHECK (expires_at > created_at)
);

-- ---------------------------------------------------------------- worlds and chunks
CREATE TABLE worlds (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    settings   JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
    world_type TEXT NOT NULL DEFAULT 'normal' CHECK (length(world_type) >= 1),
    seed       BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    is_active  BOOLEAN NOT NULL DEFAULT true,
    metadata   JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE TABLE world_chunks (
    id         BIGSERIAL PRIMARY KEY,
    world_id   BIGINT NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    chunk_x    INTEGER NOT NULL,
    chunk_y    INTEGER NOT NULL,
    chunk_z    INTEGER NOT NULL,
    block_data JSONB NOT NULL CHECK (jsonb_typeof(block_data) = 'object'),
    structures JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(structures) = 'array'),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    version    INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

-- ---------------------------------------------------------------- characters
CREATE TABLE characters (
    id              BIGSERIAL PRIMARY KEY,
    user_id         BIGINT REFERENCES users(id) ON DELETE CASCADE, -- NULL: a non-player character
    world_id        BIGINT NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    character_class TEXT NOT NULL CHECK (length(character_class) >= 1),
    level           INTEGER NOT NULL DEFAULT 1 CHECK (level >= 1),
    experience      INTEGER NOT NULL DEFAULT 0 CHECK (experience >= 0),
    stats           JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(stats) = 'object'),
    appearance      JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(appearance) = 'object'),
    position_x      DOUBLE PRECISION NOT NULL DEFAULT 0,
    position_y      DOUBLE PRECISION NOT NULL DEFAULT 0,
    position_z      DOUBLE PRECISION NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE character_relationships (
    id                  BIGSERIAL PRIMARY KEY,
    character_id        BIGINT NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    target_character_id BIGINT NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    relationship_type   TEXT NOT NULL DEFAULT 'acquaintance' CHECK (length(relationship_type) >= 1),
    relationship_value  INTEGER NOT NULL DEFAULT 0 CHECK (relationship_value BETWEEN -100 AND 100),
    interaction_history JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(interaction_history) = 'array'),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (character_id <> target_character_id),
    UNIQUE (character_id, target_character_id)
);

CREATE TABLE character_skills (
    id                BIGSERIAL PRIMARY KEY,
    character_id      BIGINT NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    skill_name        TEXT NOT NULL CHECK (length(skill_name) >= 1),
    skill_level       INTEGER NOT NULL DEFAULT 1 CHECK (skill_level >= 1),
    experience_points INTEGER NOT NULL DEFAULT 0 CHECK (experience_points >= 0),
    skill_data        JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(skill_data) = 'object'),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (character_id, skill_name)
);

-- ---------------------------------------------------------------- inventory and crafting
CREATE TABLE crafting_recipes (
    id                BIGSERIAL PRIMARY KEY,
    recipe_name       TEXT NOT NULL UNIQUE CHECK (length(recipe_name) >= 1),
    ingredients       JSONB NOT NULL CHECK (jsonb_typeof(ingredients) = 'array'),
    result_item       JSONB NOT NULL CHECK (jsonb_typeof(result_item) = 'object'),
    required_level    INTEGER NOT NULL DEFAULT 1 CHECK (required_level >= 1),
    recipe_type       TEXT NOT NULL DEFAULT 'general' CHECK (length(recipe_type) >= 1),
    unlock_conditions JSONB NOT NULL DEFAULT '{}',
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE inventory (
    id            BIGSERIAL PRIMARY KEY,
    character_id  BIGINT NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    item_type     TEXT NOT NULL CHECK (length(item_type) >= 1),
    item_name     TEXT NOT NULL CHECK (length(item_name) >= 1),
    quantity      INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0),
    item_data     JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(item_data) = 'object'),
    slot_position INTEGER CHECK (slot_position IS NULL OR slot_position >= 0),
    acquired_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (character_id, slot_position)
);

-- ---------------------------------------------------------------- stories
CREATE TABLE stories (
    id          BIGSERIAL PRIMARY KEY,
    world_id    BIGINT NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    title       TEXT NOT NULL CHECK (length(title) >= 1),
    description TEXT NOT NULL DEFAULT '',
    story_type  TEXT NOT NULL DEFAULT 'main' CHECK (length(story_type) >= 1),
    metadata    JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    is_active   BOOLEAN NOT NULL DEFAULT true,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE story_branches (
    id               BIGSERIAL PRIMARY KEY,
    story_id         BIGINT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    parent_branch_id BIGINT REFERENCES story_branches(id) ON DELETE SET NULL,
    branch_name      TEXT NOT NULL CHECK (length(branch_name) >= 1),
    content          TEXT NOT NULL DEFAULT '',
    conditions       JSONB NOT NULL DEFAULT '{}',
    consequences     JSONB NOT NULL DEFAULT '{}',
    branch_order     INTEGER NOT NULL DEFAULT 0 CHECK (branch_order >= 0),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (parent_branch_id IS NULL OR parent_branch_id <> id)
);

CREATE TABLE player_choices (
    id              BIGSERIAL PRIMARY KEY,
    character_id    BIGINT NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    story_branch_id BIGINT REFERENCES story_branches(id) ON DELETE SET NULL,
    choice_text     TEXT NOT NULL CHECK (length(choice_text) >= 1),
    choice_data     JSONB NOT NULL DEFAULT '{}',
    consequences    JSONB NOT NULL DEFAULT '{}',
    made_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------- quests
CREATE TABLE quests (
    id               BIGSERIAL PRIMARY KEY,
    world_id         BIGINT NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    title            TEXT NOT NULL CHECK (length(title) >= 1),
    description      TEXT NOT NULL DEFAULT '',
    quest_type       TEXT NOT NULL DEFAULT 'side' CHECK (length(quest_type) >= 1),
    requirements     JSONB NOT NULL DEFAULT '{}',
    rewards          JSONB NOT NULL DEFAULT '{}',
    difficulty_level INTEGER NOT NULL DEFAULT 1 CHECK (difficulty_level >= 1),
    is_active        BOOLEAN NOT NULL DEFAULT true,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at       TIMESTAMPTZ, -- NULL: a permanent quest
    CHECK (expires_at IS NULL OR expires_at > created_at)
);

CREATE TABLE quest_objectives (
    id             BIGSERIAL PRIMARY KEY,
    quest_id       BIGINT NOT NULL REFERENCES quests(id) ON DELETE CASCADE,
    objective_text TEXT NOT NULL CHECK (length(objective_text) >= 1),
    requirements   JSONB NOT NULL DEFAULT '{}',
    progress_data  JSONB NOT NULL DEFAULT '{}',
    is_completed   BOOLEAN NOT NULL DEFAULT false,
    order_index    INTEGER NOT NULL DEFAULT 0 CHECK (order_index >= 0),
    UNIQUE (quest_id, order_index)
);

CREATE TABLE quest_progress (
    id             BIGSERIAL PRIMARY KEY,
    character_id   BIGINT NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    quest_id       BIGINT NOT NULL REFERENCES quests(id) ON DELETE CASCADE,
    status         TEXT NOT NULL DEFAULT 'active'
                   CHECK (status IN ('active', 'completed', 'failed', 'abandoned', 'expired')),
    progress_data  JSONB NOT NULL DEFAULT '{}',
    started_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at   TIMESTAMPTZ,
    rewards_earned JSONB NOT NULL DEFAULT '[]',
    UNIQUE (character_id, quest_id),
    CHECK (status <> 'completed' OR completed_at IS NOT NULL),
    CHECK (status <> 'active' OR completed_at IS NULL)
);

-- ---------------------------------------------------------------- achievements
CREATE TABLE achievements (
    id               BIGSERIAL PRIMARY KEY,
    user_id          BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    achievement_name TEXT NOT NULL CHECK (length(achievement_name) >= 1),
    description      TEXT NOT NULL DEFAULT '',
    points           INTEGER NOT NULL DEFAULT 0 CHECK (points >= 0),
    unlock_data      JSONB NOT NULL DEFAULT '{}',
    unlocked_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (user_id, achievement_name)
);

-- ---------------------------------------------------------------- AI agents
CREATE TABLE ai_agents (
    id            BIGSERIAL PRIMARY KEY,
    agent_name    TEXT NOT NULL UNIQUE CHECK (length(agent_name) >= 1),
    agent_type    TEXT NOT NULL CHECK (agent_type IN ('story_weaver', 'world_builder', 'character_master',
                                                      'quest_generator', 'event_coordinator', 'balance_keeper')),
    configuration JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(configuration) = 'object'),
    current_state JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(current_state) = 'object'),
    is_active     BOOLEAN NOT NULL DEFAULT true,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_activity TIMESTAMPTZ
);

CREATE TABLE agent_memory (
    id          BIGSERIAL PRIMARY KEY,
    agent_id    BIGINT NOT NULL REFERENCES ai_agents(id) ON DELETE CASCADE,
    world_id    BIGINT NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    memory_type TEXT NOT NULL CHECK (length(memory_type) >= 1),
    memory_data JSONB NOT NULL DEFAULT '{}',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ,
    CHECK (expires_at IS NULL OR expires_at > created_at)
);

CREATE TABLE world_evolution_log (
    id             BIGSERIAL PRIMARY KEY,
    world_id       BIGINT NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    agent_id       BIGINT REFERENCES ai_agents(id) ON DELETE SET NULL,
    evolution_type TEXT NOT NULL CHECK (length(evolution_type) >= 1),
    changes_made   JSONB NOT NULL,
    reasoning      JSONB NOT NULL DEFAULT '{}',
    applied_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    is_active      BOOLEAN NOT NULL DEFAULT true -- false: rolled back
);

-- ---------------------------------------------------------------- world events
CREATE TABLE world_events (
    id          BIGSERIAL PRIMARY KEY,
    world_id    BIGINT NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    event_type  TEXT NOT NULL CHECK (length(event_type) >= 1),
    event_name  TEXT NOT NULL CHECK (length(event_name) >= 1),
    description TEXT NOT NULL DEFAULT '',
    event_data  JSONB NOT NULL DEFAULT '{}',
    start_time  TIMESTAMPTZ NOT NULL DEFAULT now(),
    end_time    TIMESTAMPTZ,
    is_active   BOOLEAN NOT NULL DEFAULT true,
    CHECK (end_time IS NULL OR end_time >= start_time)
);

-- ---------------------------------------------------------------- updated_at triggers
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION ma_touch_updated_at();
CREATE TRIGGER worlds_touch BEFORE UPDATE ON worlds FOR EACH ROW EXECUTE FUNCTION ma_touch_updated_at();
CREATE TRIGGER world_chunks_touch BEFORE UPDATE ON world_chunks FOR EACH ROW EXECUTE FUNCTION ma_touch_updated_at();
CREATE TRIGGER characters_touch BEFORE UPDATE ON characters FOR EACH ROW EXECUTE FUNCTION ma_touch_updated_at();
CREATE TRIGGER character_relationships_touch BEFORE UPDATE ON character_relationships FOR EACH ROW EXECUTE FUNCTION ma_touch_updated_at();
CREATE TRIGGER character_skills_touch BEFORE UPDATE ON character_skills FOR EACH ROW EXECUTE FUNCTION ma_touch_updated_at();
CREATE TRIGGER inventory_touch BEFORE UPDATE ON inventory FOR EACH ROW EXECUTE FUNCTION ma_touch_updated_at();
CREATE TRIGGER stories_touch BEFORE UPDATE ON stories FOR EACH ROW EXECUTE FUNCTION ma_touch_updated_at();
