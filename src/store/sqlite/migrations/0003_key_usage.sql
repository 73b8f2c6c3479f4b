-- Schema version 3: "last used" moves to a narrow table of its own.
-- `verify --batch` records a use of many different keys per transaction; in the wide
-- keys table each of those dirties its own page, while ~400 usage rows share one page.

-- No REFERENCES clause: the foreign-key check would cost a seek into keys per recorded
-- use, and the id always comes from a lookup in keys, whose rows are never deleted.
CREATE TABLE key_usage (
    key_id       INTEGER PRIMARY KEY,
    last_used_at INTEGER NOT NULL
) STRICT;

INSERT INTO key_usage (key_id, last_used_at)
    SELECT id, last_used_at FROM keys WHERE last_used_at IS NOT NULL;

ALTER TABLE keys DROP COLUMN last_used_at;
