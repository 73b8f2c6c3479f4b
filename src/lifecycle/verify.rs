//! The verdict on a key, as `verify` prints it and a verification service answers it:
//! the checksum offline, then one lookup by hash, judged at the session's clock, and the
//! use noted for a later record (last used, or an attempt to use a revoked or expired
//! key for the audit trail).

use serde::Serialize;

use crate::domain::Timestamp;
use crate::domain::event::EventKind;
use crate::domain::key::{self, KeyHash, Malformed, Status};
use crate::error::Result;
use crate::store::{KeyMatch, Uses};

use super::Session;

/// Why a key was rejected; the codes are part of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Code {
    Malformed,
    NotFound,
    Revoked,
    Expired,
    Plan,
}

impl Code {
    pub fn name(self) -> &'static str {
        match self {
            Self::Malformed => "MALFORMED",
            Self::NotFound => "NOT_FOUND",
            Self::Revoked => "REVOKED",
            Self::Expired => "EXPIRED",
            Self::Plan => "PLAN",
        }
    }
}

/// The verdict on one key: valid when `code` is `None`.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub code: Option<Code>,
    pub key: Option<KeyMatch>,
    pub malformed: Option<Malformed>,
    /// When the key stops working, as of the decision: a grace period's end counts.
    pub stops_at: Option<Timestamp>,
}

impl Verdict {
    pub fn malformed(why: Malformed) -> Self {
        Self {
            code: Some(Code::Malformed),
            key: None,
            malformed: Some(why),
            stops_at: None,
        }
    }

    pub fn is_valid(&self) -> bool {
        self.code.is_none()
    }

    /// What to record about this use: the key's row and, for a revoked or expired key,
    /// the audit event its attempt counts toward (`None` for a valid key's last used).
    pub fn usage(&self) -> Option<(i64, Option<EventKind>)> {
        let key = self.key.as_ref()?;
        match self.code {
            None => Some((key.handle, None)),
            Some(Code::Revoked) => Some((key.handle, Some(EventKind::RevokedKeyUsed))),
            Some(Code::Expired) => Some((key.handle, Some(EventKind::ExpiredKeyUsed))),
            Some(_) => None,
        }
    }
}

/// Verdicts on keys, and the uses they saw, to be recorded in one transaction.
#[derive(Debug, Default)]
pub struct Verification {
    /// Only keys of this organization are found (`--org`).
    org: Option<String>,
    /// Leave last-used times alone (`--no-touch`); attempts are still recorded.
    no_touch: bool,
    uses: Uses,
}

impl Verification {
    pub fn new(org: Option<String>, no_touch: bool) -> Self {
        Self {
            org,
            no_touch,
            uses: Uses::default(),
        }
    }

    /// One key: the checksum offline, then one lookup, judged at the session's clock.
    pub fn check(&mut self, session: &mut Session, input: &[u8]) -> Result<Verdict> {
        match key::check(input) {
            Ok(hash) => self.lookup(session, &hash),
            Err(why) => Ok(Verdict::malformed(why)),
        }
    }

    /// A key whose checksum passed: one lookup by its hash.
    pub fn lookup(&mut self, session: &mut Session, hash: &KeyHash) -> Result<Verdict> {
        let found = session.store().key_by_hash(hash)?;
        Ok(self.judge(found, session.now()))
    }

    /// The verdict on what a lookup found at `now`, noting the use to record.
    pub fn judge(&mut self, found: Option<KeyMatch>, now: Timestamp) -> Verdict {
        let verdict = judge(found, self.org.as_deref(), now);
        match verdict.usage() {
            Some((handle, None)) if !self.no_touch => self.uses.touch(handle, now),
            Some((handle, Some(kind))) => self.uses.attempts.push((handle, kind)),
            _ => {}
        }
        verdict
    }

    /// Whether there are uses to record.
    pub fn has_uses(&self) -> bool {
        !self.uses.is_empty()
    }

    /// Records the uses noted since the last record, in one transaction, and forgets
    /// them whether or not the store took them: a verdict stands either way.
    pub fn record(&mut self, session: &mut Session) -> Result<()> {
        let result = if self.uses.is_empty() {
            Ok(())
        } else {
            session.record_uses(&self.uses)
        };
        self.uses.clear();
        result
    }
}

/// The verdict at `now` on what a lookup by hash found; a key outside `org` (when the
/// asker is limited to one organization) is not found. One clock reading decides, and is
/// the `expires_at` reported with the decision.
pub fn judge(found: Option<KeyMatch>, org: Option<&str>, now: Timestamp) -> Verdict {
    let Some(found) = found.filter(|f| org.is_none_or(|org| org == f.org)) else {
        return Verdict {
            code: Some(Code::NotFound),
            key: None,
            malformed: None,
            stops_at: None,
        };
    };
    let code = match found.status(now) {
        Status::Revoked => Some(Code::Revoked),
        Status::Expired => Some(Code::Expired),
        Status::Active if !found.api_access => Some(Code::Plan),
        Status::Active => None,
    };
    Verdict {
        code,
        stops_at: key::stops_at(found.revoked_at, found.expires_at, now),
        key: Some(found),
        malformed: None,
    }
}
