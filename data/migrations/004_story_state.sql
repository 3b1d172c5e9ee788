-- 004_story_state.sql — where each character stands in each storyline, and how to
-- take back a story choice.
--
-- story_progress: one row per (character, story) once the storyline has begun for
-- that character: the branch whose passage the character is reading now, whether the
-- storyline is active, finished (with the ending reached) or abandoned, the story's
-- own state (the villagers and place it is about, the flags it set), and which
-- storyline the character has in focus (at most one). A character's current branch
-- is where the path of its choices ends; `magic-adventure verify` checks that.
CREATE TABLE story_progress (
    id                INTEGER PRIMARY KEY,
    character_id      INTEGER NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    story_id          INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    current_branch_id INTEGER REFERENCES story_branches(id) ON DELETE SET NULL,
    status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'finished', 'abandoned')),
    ending            TEXT NOT NULL DEFAULT '',
    state             TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(state) AND json_type(state) = 'object'),
    focused           INTEGER NOT NULL DEFAULT 0 CHECK (focused IN (0, 1)),
    started_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (character_id, story_id)
);
CREATE UNIQUE INDEX idx_story_progress_focus ON story_progress (character_id) WHERE focused = 1;
CREATE INDEX idx_story_progress_branch ON story_progress (current_branch_id);

CREATE TRIGGER story_progress_touch AFTER UPDATE ON story_progress FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN UPDATE story_progress SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id; END;

-- story_choice_undo: for a choice made by the game (id is the player_choices id), the SQLite session changeset of
-- everything the choice's action wrote (the choice row, the story's progress, items,
-- stats, relationships, quests, blocks...). `magic-adventure story undo` applies its
-- inverse, which restores exactly those rows and deletes the choice (and, by cascade,
-- this row). Choices written by other tools have none and cannot be undone.
CREATE TABLE story_choice_undo (
    id        INTEGER PRIMARY KEY REFERENCES player_choices(id) ON DELETE CASCADE,
    changeset BLOB NOT NULL CHECK (length(changeset) > 0)
);
