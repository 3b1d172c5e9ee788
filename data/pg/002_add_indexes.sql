-- 002_add_indexes.sql — the design's "Critical Indexes" as it writes them (the three GIN
-- indexes included), the per-table indexes its table specifications name, and indexes on
-- foreign keys (so ON DELETE CASCADE and "everything of this character" never scan a table).
-- Which queries use the GIN indexes, with EXPLAIN: docs/sync-protocol.md, "The GIN indexes".

-- Users (table specification)
CREATE INDEX idx_users_username ON users (username);
CREATE INDEX idx_users_email ON users (email);
CREATE INDEX idx_users_last_login ON users (last_login);

-- World chunk retrieval. The coordinates index is UNIQUE: a world has one row per chunk.
CREATE UNIQUE INDEX idx_world_chunks_coordinates ON world_chunks (world_id, chunk_x, chunk_y, chunk_z);
CREATE INDEX idx_world_chunks_updated ON world_chunks (updated_at);

-- Character position queries (the design names the (user_id, world_id) index twice: both exist)
CREATE INDEX idx_characters_position ON characters (world_id, position_x, position_y, position_z);
CREATE INDEX idx_characters_user ON characters (user_id, world_id);
CREATE INDEX idx_characters_user_world ON characters (user_id, world_id);

-- Story and quest lookups
CREATE INDEX idx_story_branches_parent ON story_branches (parent_branch_id);
CREATE INDEX idx_player_choices_character ON player_choices (character_id, made_at);
CREATE INDEX idx_quest_progress_character ON quest_progress (character_id, status);

-- AI agent activity
CREATE INDEX idx_world_evolution_world ON world_evolution_log (world_id, applied_at);
CREATE INDEX idx_agent_memory_world ON agent_memory (world_id, agent_id);

-- JSONB optimization (the design's GIN indexes, default jsonb_ops: @>, ?, ?| and ?&)
CREATE INDEX idx_characters_stats ON characters USING GIN (stats);
CREATE INDEX idx_world_chunks_blocks ON world_chunks USING GIN (block_data);
CREATE INDEX idx_users_profile ON users USING GIN (profile);

-- Foreign keys (not in the design; they serve cascades and per-owner listings)
CREATE INDEX idx_sessions_user ON sessions (user_id, expires_at);
CREATE INDEX idx_character_relationships_target ON character_relationships (target_character_id);
CREATE INDEX idx_character_skills_character ON character_skills (character_id);
CREATE INDEX idx_inventory_character ON inventory (character_id, slot_position);
CREATE INDEX idx_stories_world ON stories (world_id, is_active);
CREATE INDEX idx_story_branches_story ON story_branches (story_id, branch_order);
CREATE INDEX idx_player_choices_branch ON player_choices (story_branch_id);
CREATE INDEX idx_quests_world ON quests (world_id, is_active);
CREATE INDEX idx_quest_progress_quest ON quest_progress (quest_id);
CREATE INDEX idx_achievements_user ON achievements (user_id, unlocked_at);
CREATE INDEX idx_agent_memory_agent ON agent_memory (agent_id, expires_at);
CREATE INDEX idx_world_evolution_agent ON world_evolution_log (agent_id);
CREATE INDEX idx_world_events_world ON world_events (world_id, is_active, start_time);
