-- Schema version 1: plans, organizations, keys, settings and the audit trail.
-- Times are whole seconds since the Unix epoch, UTC.

CREATE TABLE plans (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    key_limit  INTEGER,              -- NULL: unlimited
    api_access INTEGER NOT NULL,
    rank       INTEGER NOT NULL UNIQUE
) STRICT;

INSERT INTO plans (id, name, key_limit, api_access, rank) VALUES
    ('hobby',      'Hobby',      0,    0, 0),
    ('starter',    'Starter',    1,    1, 1),
    ('pro',        'Pro',        5,    1, 2),
    ('ultra',      'Ultra',      10,   1, 3),
    ('enterprise', 'Enterprise', NULL, 1, 4);

CREATE TABLE orgs (
    id         INTEGER PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    plan       TEXT NOT NULL REFERENCES plans (id),
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE keys (
    id            INTEGER PRIMARY KEY,
    public_id     TEXT NOT NULL UNIQUE,
    org_id        INTEGER NOT NULL REFERENCES orgs (id),
    name          TEXT NOT NULL,
    hash          BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
    hint          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER,
    last_used_at  INTEGER,
    revoked_at    INTEGER,
    revoke_reason TEXT
) STRICT;

CREATE INDEX keys_by_org_name ON keys (org_id, name);

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Append-only: the triggers below refuse every UPDATE and DELETE.
CREATE TABLE events (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    actor  TEXT NOT NULL,
    org_id INTEGER NOT NULL REFERENCES orgs (id),
    key_id INTEGER REFERENCES keys (id),
    kind   TEXT NOT NULL,            -- org_created, key_created, key_revoked, plan_changed
    detail TEXT
) STRICT;

CREATE INDEX events_by_key ON events (key_id);

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- History is kept: keys and organizations are never deleted.
CREATE TRIGGER keys_never_deleted BEFORE DELETE ON keys
BEGIN SELECT RAISE(ABORT, 'keys are never deleted'); END;
CREATE TRIGGER orgs_never_deleted BEFORE DELETE ON orgs
BEGIN SELECT RAISE(ABORT, 'organizations are never deleted'); END;
