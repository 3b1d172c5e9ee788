-- 004_character_state.sql — the local save's character_state (data/migrations/003): what a
-- character knows and has decided beyond the design's tables (story and dialogue flags,
-- discovered recipes, chosen specialisations, counters). A synced character carries it.
-- (item_transfers, the local trade log, is not synced: it records one save's history.)
CREATE TABLE character_state (
    id           BIGSERIAL PRIMARY KEY,
    character_id BIGINT NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('flag', 'recipe', 'specialization', 'counter')),
    key          TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 64),
    value        TEXT NOT NULL DEFAULT '',
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (character_id, kind, key)
);
