-- 008_message_log.sql — the message log a player reads on the main screen, kept so that
-- Continue shows what happened before (and `M` the history of earlier sessions). One row per
-- line as the client shows it (repeats stacked: "x3"), per character; the client keeps the
-- last 500 lines of each character and removes older ones. Not game state: no action reads it.
CREATE TABLE message_log (
    id           INTEGER PRIMARY KEY,
    character_id INTEGER NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    turn         INTEGER NOT NULL CHECK (turn >= 0),
    severity     TEXT NOT NULL CHECK (severity IN ('info', 'good', 'warn', 'bad')),
    repeats      INTEGER NOT NULL DEFAULT 1 CHECK (repeats >= 1),
    text         TEXT NOT NULL,
    logged_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX idx_message_log_character ON message_log (character_id, id);
