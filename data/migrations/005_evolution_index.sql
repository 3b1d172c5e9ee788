-- 005_evolution_index.sql — which log entries touched which things, so that
-- look mode can say "changed by entry #12", a rollback can find the later
-- entries that built on the same block, and verify can explain a block that no
-- longer holds what an entry left there.
--
-- thing: 'b:X,Y,Z' a block (world coordinates), 'e:ID' an entity (a villager),
-- 'r:TABLE:ID' a row. player_turn: the game turn at which the player last
-- changed the thing by hand after the entry (NULL: never).
CREATE TABLE world_evolution_things (
    id          INTEGER PRIMARY KEY,
    world_id    INTEGER NOT NULL REFERENCES worlds(id) ON DELETE CASCADE,
    thing       TEXT NOT NULL CHECK (length(thing) BETWEEN 3 AND 128),
    entry_id    INTEGER NOT NULL REFERENCES world_evolution_log(id) ON DELETE CASCADE,
    player_turn INTEGER,
    UNIQUE (world_id, thing, entry_id)
);
CREATE INDEX idx_world_evolution_things_entry ON world_evolution_things (entry_id);
