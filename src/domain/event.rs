//! The audit trail's events: what happened to an organization or a key, when, and who
//! did it. Events are only ever appended.

use super::Timestamp;

/// The kinds of event, with the names the store and `log --json` use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    OrgCreated,
    PlanChanged,
    /// One setting of the key policy changed.
    PolicyChanged,
    KeyCreated,
    KeyRevoked,
    KeyRotated,
    /// `verify` saw a revoked key: someone still holds it.
    RevokedKeyUsed,
    /// `verify` saw an expired key.
    ExpiredKeyUsed,
    /// `org release-pending` gave back the places of keys being delivered.
    PendingReleased,
    /// A secret scanner reported the key leaked, and `serve --on-leak record` left it
    /// working.
    LeakReported,
}

impl EventKind {
    pub const ALL: [Self; 10] = [
        Self::OrgCreated,
        Self::PlanChanged,
        Self::PolicyChanged,
        Self::KeyCreated,
        Self::KeyRevoked,
        Self::KeyRotated,
        Self::RevokedKeyUsed,
        Self::ExpiredKeyUsed,
        Self::PendingReleased,
        Self::LeakReported,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::OrgCreated => "org_created",
            Self::PlanChanged => "plan_changed",
            Self::PolicyChanged => "policy_changed",
            Self::KeyCreated => "key_created",
            Self::KeyRevoked => "key_revoked",
            Self::KeyRotated => "key_rotated",
            Self::RevokedKeyUsed => "revoked_key_used",
            Self::ExpiredKeyUsed => "expired_key_used",
            Self::PendingReleased => "pending_released",
            Self::LeakReported => "leak_reported",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// How a table shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::OrgCreated => "org created",
            Self::PlanChanged => "plan changed",
            Self::PolicyChanged => "policy changed",
            Self::KeyCreated => "key created",
            Self::KeyRevoked => "key revoked",
            Self::KeyRotated => "key rotated",
            Self::RevokedKeyUsed => "revoked key used",
            Self::ExpiredKeyUsed => "expired key used",
            Self::PendingReleased => "pending keys released",
            Self::LeakReported => "leak reported",
        }
    }
}

/// One event as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub at: Timestamp,
    pub actor: String,
    pub org: String,
    pub kind: EventKind,
    pub key_id: Option<String>,
    pub key_name: Option<String>,
    pub detail: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(EventKind::from_name("nope"), None);
    }
}
