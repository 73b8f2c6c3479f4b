-- Schema version 4: a counter of the changes that can alter a key's verdict, as SQLite's
-- migration 7. Its single row is updated inside each such write transaction, so its row
-- lock orders the versions as the commits; the same transaction notifies the
-- `seenty_keys_changes` channel with the new version.

CREATE TABLE change_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO change_version (id, version) VALUES (1, 0);
