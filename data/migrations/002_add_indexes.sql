-- 002_add_indexes.sql — the design's "Critical Indexes", the per-table indexes its
-- table specifications name, and indexes on foreign keys (so ON DELETE CASCADE and
-- "everything of this character" never scan a whole table).

-- Users (table specification)
CREATE INDEX idx_users_username ON users (username);
CREATE INDEX idx_users_email ON users (email);
CREATE INDEX idx_users_last_login ON users (last_login);

-- World chunk retrieval. The coordinates index is UNIQUE: a world has one row per chunk.
CREATE UNIQUE INDEX idx_world_chunks_coordinates ON world_chunks (world_id, chunk_x, chunk_y, chunk_z);
CREATE INDEX idx_world_chunks_updated ON world_chunks (updated_at);

-- Character position queries. The design names the (user_id, world_id) index twice, as
-- idx_characters_user (critical indexes) and idx_characters_user_world (table spec): both exist.
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

-- The design's GIN indexes (PostgreSQL jsonb containment) have no SQLite twin. Each is
-- mapped to an expression index on the JSON fields the game actually filters on:
--   idx_characters_stats: characters are looked up by health (the dead, the wounded:
--     respawn and balance_keeper) within a world.
CREATE INDEX idx_characters_stats ON characters (world_id, json_extract(stats, '$.health'));
--   idx_world_chunks_blocks: agents and quests look for chunks that hold entities
--     (NPCs, creatures, chests); a partial index lists exactly those chunks.
CREATE INDEX idx_world_chunks_blocks ON world_chunks (world_id)
    WHERE json_array_length(block_data, '$.entities') > 0;
--   idx_users_profile: players are found by the display name in their profile.
CREATE INDEX idx_users_profile ON users (json_extract(profile, '$.display_name'));

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
