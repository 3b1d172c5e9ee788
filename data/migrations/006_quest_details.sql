-- 006_quest_details.sql — a quest is played from its rows: what the design's
-- columns do not hold (its short name, the role that gives it and takes it
-- back, the time limit once taken, the condition to be offered at all, and
-- where it came from: the game's data, an agent, a sync) is kept here, so a
-- quest written by an agent or received by sync plays like one from
-- data/quests.json.
ALTER TABLE quests ADD COLUMN details TEXT NOT NULL DEFAULT '{}'
    CHECK (json_valid(details) AND json_type(details) = 'object');
