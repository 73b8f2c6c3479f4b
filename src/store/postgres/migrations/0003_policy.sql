-- Schema version 3: each organization's key policy, as SQLite's migration 6. An
-- organization of an older store gets none: no maximum lifetime, no required
-- expiration, rotation due after 90 days. max_lifetime and rotate_every are seconds.

ALTER TABLE orgs
    ADD COLUMN max_lifetime BIGINT CHECK (max_lifetime > 0),
    ADD COLUMN require_expiry BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN rotate_every BIGINT NOT NULL DEFAULT 7776000 CHECK (rotate_every > 0);
