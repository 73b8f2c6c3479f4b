-- Schema version 6: each organization's key policy. An organization of an older store
-- gets none: no maximum lifetime, no required expiration, rotation due after 90 days.
-- max_lifetime and rotate_every are seconds.

ALTER TABLE orgs ADD COLUMN max_lifetime INTEGER CHECK (max_lifetime > 0);
ALTER TABLE orgs ADD COLUMN require_expiry INTEGER NOT NULL DEFAULT 0
    CHECK (require_expiry IN (0, 1));
ALTER TABLE orgs ADD COLUMN rotate_every INTEGER NOT NULL DEFAULT 7776000
    CHECK (rotate_every > 0);
