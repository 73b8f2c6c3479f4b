-- Schema version 7: a counter of the changes that can alter a key's verdict (a key
-- stored, revoked or rotated, a plan changed, an import), bumped inside each such write
-- transaction. `serve` reads it to know when what it remembers may be out of date; usage
-- records (last used, use attempts) do not bump it.

CREATE TABLE change_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO change_version (id, version) VALUES (1, 0);
