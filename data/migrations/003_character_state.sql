-- 003_character_state.sql — what a character knows and has decided, beyond the
-- design's tables: story and dialogue flags, discovered recipes, chosen skill
-- specialisations, unspent stat points. One row per (character, kind, key).
CREATE TABLE character_state (
    id           INTEGER PRIMARY KEY,
    character_id INTEGER NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('flag', 'recipe', 'specialization', 'counter')),
    key          TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 64),
    value        TEXT NOT NULL DEFAULT '',
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (character_id, kind, key)
);

-- The design's Inventory has "trade and transfer logging": every item that
-- moves between characters (gift, trade, quest delivery, theft) is logged here.
CREATE TABLE item_transfers (
    id                INTEGER PRIMARY KEY,
    from_character_id INTEGER REFERENCES characters(id) ON DELETE SET NULL,
    to_character_id   INTEGER REFERENCES characters(id) ON DELETE SET NULL,
    item_name         TEXT NOT NULL CHECK (length(item_name) >= 1),
    quantity          INTEGER NOT NULL CHECK (quantity > 0),
    reason            TEXT NOT NULL CHECK (reason IN ('gift', 'trade', 'sale', 'purchase', 'quest', 'theft', 'loot', 'drop')),
    price             INTEGER NOT NULL DEFAULT 0 CHECK (price >= 0),
    transferred_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (from_character_id IS NOT NULL OR to_character_id IS NOT NULL)
);
CREATE INDEX idx_item_transfers_from ON item_transfers (from_character_id, transferred_at);
CREATE INDEX idx_item_transfers_to ON item_transfers (to_character_id, transferred_at);
