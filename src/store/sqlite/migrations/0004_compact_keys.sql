-- Schema version 4: a smaller `keys` table, for stores of millions of keys.
-- * Key ids are derived from the row id (crate::domain::key_id) with this store's salt,
--   instead of a 20-character column and its unique index in every row. `public_id`
--   keeps the ids of keys made before this version or imported: NULL means derived.
-- * The hash lives once, as the key of a WITHOUT ROWID table, instead of in `keys` and
--   again in its unique index; `verify` finds the row in one B-tree less.
-- * The name index holds a 32-bit tag of the name (`name_tag`, a CRC-32) instead of it.
-- * Last used is packed 64 keys to a row (see src/store/sqlite/functions.rs).
-- `name_tag()` is a function the tool registers before it migrates.
-- The migration runs with foreign keys off (SQLite's recipe for rebuilding a table) and
-- checks them before it commits.

CREATE TABLE key_id_salt (
    salt BLOB NOT NULL CHECK (length(salt) = 16)
) STRICT;
INSERT INTO key_id_salt (salt) VALUES (randomblob(16));

CREATE TABLE keys_v4 (
    id            INTEGER PRIMARY KEY,
    public_id     TEXT,
    org_id        INTEGER NOT NULL REFERENCES orgs (id),
    name          TEXT NOT NULL,
    name_tag      INTEGER NOT NULL,
    hint          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER,
    revoked_at    INTEGER,
    revoke_reason TEXT,
    rotated_from  INTEGER REFERENCES keys (id)
) STRICT;

-- No REFERENCES clause on key_id, as in key_usage: rows of keys are never deleted.
CREATE TABLE key_hashes (
    hash   BLOB PRIMARY KEY CHECK (length(hash) = 32),
    key_id INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO keys_v4 (id, public_id, org_id, name, name_tag, hint, created_at, expires_at,
                     revoked_at, revoke_reason, rotated_from)
    SELECT id, public_id, org_id, name, name_tag(name), hint, created_at, expires_at,
           revoked_at, revoke_reason, rotated_from
    FROM keys ORDER BY id;
INSERT INTO key_hashes (hash, key_id) SELECT hash, id FROM keys ORDER BY hash;

DROP TRIGGER keys_never_deleted;
DROP TABLE keys;
ALTER TABLE keys_v4 RENAME TO keys;

CREATE UNIQUE INDEX keys_by_public_id ON keys (public_id) WHERE public_id IS NOT NULL;
CREATE INDEX keys_by_org_name_tag ON keys (org_id, name_tag);
CREATE INDEX keys_by_rotated_from ON keys (rotated_from) WHERE rotated_from IS NOT NULL;

-- Block `b` holds keys 64b to 64b+63: slot i is 4 bytes, big-endian seconds, 0 for never.
CREATE TABLE key_usage_v4 (
    block  INTEGER PRIMARY KEY,
    stamps BLOB NOT NULL CHECK (length(stamps) = 256)
) STRICT;
WITH RECURSIVE slots (slot) AS (SELECT 0 UNION ALL SELECT slot + 1 FROM slots WHERE slot < 63)
INSERT INTO key_usage_v4 (block, stamps)
    SELECT b.block,
           unhex(group_concat(printf('%08X', coalesce(u.last_used_at, 0)), '' ORDER BY s.slot))
    FROM (SELECT DISTINCT key_id >> 6 AS block FROM key_usage) b
    CROSS JOIN slots s
    LEFT JOIN key_usage u ON u.key_id = b.block * 64 + s.slot
    GROUP BY b.block;
DROP TABLE key_usage;
ALTER TABLE key_usage_v4 RENAME TO key_usage;

CREATE TRIGGER keys_never_deleted BEFORE DELETE ON keys
BEGIN SELECT RAISE(ABORT, 'keys are never deleted'); END;
CREATE TRIGGER key_hashes_never_deleted BEFORE DELETE ON key_hashes
BEGIN SELECT RAISE(ABORT, 'keys are never deleted'); END;
