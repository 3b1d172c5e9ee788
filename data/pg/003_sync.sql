-- 003_sync.sql — what online sync needs beyond the design's tables (docs/sync-protocol.md):
--   * who may read and write a world: its owner and the users the owner invited;
--   * per synced row: a row version (what a client's edit was based on), the per-world change
--     sequence value of its last change (what `changes?since=` reads), a deleted flag;
--   * stable keys that every client agrees on (a character's key, a log entry's id), since each
--     client's local row ids differ;
--   * the applied operations (op id -> the answer given), which make a retried push harmless.
--
-- The per-world sequence: worlds.seq_head is bumped by UPDATE ... RETURNING inside the push
-- transaction, so the row lock orders pushes of one world and each row's change_seq becomes
-- visible in the same order it was given (a global sequence or a timestamp could commit out
-- of order, and a reader whose cursor had passed a late commit would never see it).

ALTER TABLE worlds
    ADD COLUMN owner_id    BIGINT REFERENCES users(id) ON DELETE CASCADE,
    ADD COLUMN seq_head    BIGINT NOT NULL DEFAULT 0 CHECK (seq_head >= 0),
    ADD COLUMN row_version BIGINT NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    ADD COLUMN change_seq  BIGINT NOT NULL DEFAULT 0 CHECK (change_seq >= 0),
    ADD COLUMN deleted     BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE world_members (
    world_id   BIGINT NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'member')),
    invited_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (world_id, user_id)
);
CREATE INDEX idx_world_members_user ON world_members (user_id);

-- Chunks: world_chunks.version is the row version already. A pull near a place reads the
-- changes of each chunk column around it (idx_world_chunks_column), so its cost does not grow
-- with what the rest of the world does.
ALTER TABLE world_chunks ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0 CHECK (change_seq >= 0);
CREATE INDEX idx_world_chunks_changes ON world_chunks (world_id, change_seq);
CREATE INDEX idx_world_chunks_column ON world_chunks (world_id, chunk_x, chunk_z, change_seq);

ALTER TABLE characters
    ADD COLUMN sync_key    TEXT CHECK (sync_key IS NULL OR length(sync_key) BETWEEN 1 AND 64),
    ADD COLUMN row_version BIGINT NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    ADD COLUMN change_seq  BIGINT NOT NULL DEFAULT 0 CHECK (change_seq >= 0),
    ADD COLUMN deleted     BOOLEAN NOT NULL DEFAULT false;
CREATE UNIQUE INDEX idx_characters_sync_key ON characters (world_id, sync_key);
CREATE INDEX idx_characters_changes ON characters (world_id, change_seq);

-- Relationships, quest progress and choices hang off a character; they carry their world too,
-- so that a pull reads one index per table and the tables can be partitioned by world_id.
ALTER TABLE character_relationships
    ADD COLUMN world_id    BIGINT REFERENCES worlds(id) ON DELETE CASCADE,
    ADD COLUMN row_version BIGINT NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    ADD COLUMN change_seq  BIGINT NOT NULL DEFAULT 0 CHECK (change_seq >= 0);
CREATE INDEX idx_character_relationships_changes ON character_relationships (world_id, change_seq);

ALTER TABLE quest_progress
    ADD COLUMN world_id    BIGINT REFERENCES worlds(id) ON DELETE CASCADE,
    ADD COLUMN row_version BIGINT NOT NULL DEFAULT 1 CHECK (row_version >= 1),
    ADD COLUMN change_seq  BIGINT NOT NULL DEFAULT 0 CHECK (change_seq >= 0);
CREATE INDEX idx_quest_progress_changes ON quest_progress (world_id, change_seq);

-- A world's quests and stories are found by title (the game makes one row per template).
CREATE UNIQUE INDEX idx_quests_world_title ON quests (world_id, title);
CREATE UNIQUE INDEX idx_stories_world_title ON stories (world_id, title);
CREATE UNIQUE INDEX idx_story_branches_name ON story_branches (story_id, branch_name);

-- Append-only logs: an entry's id (given by the client that wrote it) is its key.
ALTER TABLE world_evolution_log
    ADD COLUMN sync_key   TEXT CHECK (sync_key IS NULL OR length(sync_key) BETWEEN 1 AND 64),
    ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0 CHECK (change_seq >= 0);
CREATE UNIQUE INDEX idx_world_evolution_sync_key ON world_evolution_log (world_id, sync_key);
CREATE INDEX idx_world_evolution_changes ON world_evolution_log (world_id, change_seq);

ALTER TABLE player_choices
    ADD COLUMN world_id   BIGINT REFERENCES worlds(id) ON DELETE CASCADE,
    ADD COLUMN sync_key   TEXT CHECK (sync_key IS NULL OR length(sync_key) BETWEEN 1 AND 64),
    ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0 CHECK (change_seq >= 0);
CREATE UNIQUE INDEX idx_player_choices_sync_key ON player_choices (world_id, sync_key);
CREATE INDEX idx_player_choices_changes ON player_choices (world_id, change_seq);

-- The applied operations. A push claims each op id by inserting it (a second push of the same
-- id waits for the first to commit, then finds it) and stores its answer in the same
-- transaction; a retry gets that answer back and changes nothing.
CREATE TABLE sync_ops (
    world_id   BIGINT NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    op_id      TEXT NOT NULL CHECK (length(op_id) BETWEEN 8 AND 64),
    user_id    BIGINT REFERENCES users(id) ON DELETE SET NULL,
    kind       TEXT NOT NULL,
    response   JSONB NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (world_id, op_id)
);
