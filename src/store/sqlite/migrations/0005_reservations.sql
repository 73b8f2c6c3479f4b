-- Schema version 5: look-alike names, counted use attempts, and keys reserved while their secret is delivered (src/store/rules.rs).
-- A reservation counts against the plan and holds its name, so no other process can take
-- the place while no lock is held; but it is no key: `verify` never sees it. It is
-- deleted when its key is stored or its delivery failed, and ignored once expired (a
-- process that died while delivering). `key_row` is the row, and so the derived id, the
-- key will have; `key_id` is that id as printed.

CREATE TABLE reservations (
    key_row   INTEGER PRIMARY KEY,
    key_id    TEXT NOT NULL,
    org_id    INTEGER NOT NULL REFERENCES orgs (id),
    name      TEXT NOT NULL,
    replacing INTEGER,
    until     INTEGER NOT NULL
) STRICT;
CREATE INDEX reservations_by_org ON reservations (org_id);

-- Names that look alike are one name (crate::domain::text::name_key): the tag in the
-- name index becomes a tag of that key. Names of existing keys that collide under the
-- new rule are left as they are; both keys keep working.
UPDATE keys SET name_tag = name_tag(name);

-- Attempts to use a revoked or expired key are counted, not recorded one row each: at
-- most one event per key and kind per minute, and here how many attempts it stands for
-- when more than one. The events themselves stay append-only.
CREATE TABLE event_counts (
    event_id INTEGER PRIMARY KEY REFERENCES events (id),
    count    INTEGER NOT NULL CHECK (count > 1)
) STRICT;
