//! The verdict on a key, once for every way of asking: `verify` (one key, `--batch`) and
//! `serve` decide with this, so the rules and the JSON object they answer with cannot
//! drift apart.

use serde::Serialize;

use crate::domain::Timestamp;
use crate::domain::event::EventKind;
use crate::domain::key::{self, Malformed, Status};
use crate::render::json_time;
use crate::store::KeyMatch;

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
pub struct Outcome {
    pub code: Option<Code>,
    pub key: Option<KeyMatch>,
    pub malformed: Option<Malformed>,
    /// When the key stops working, as of the decision: a grace period's end counts.
    pub stops_at: Option<Timestamp>,
}

impl Outcome {
    pub fn malformed(why: Malformed) -> Self {
        Self {
            code: Some(Code::Malformed),
            key: None,
            malformed: Some(why),
            stops_at: None,
        }
    }

    fn not_found() -> Self {
        Self {
            code: Some(Code::NotFound),
            key: None,
            malformed: None,
            stops_at: None,
        }
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

/// The verdict at `now` on what a lookup by hash found; a key outside `org` (when the
/// asker is limited to one organization) is not found.
pub fn judge(found: Option<KeyMatch>, org: Option<&str>, now: Timestamp) -> Outcome {
    let Some(found) = found.filter(|f| org.is_none_or(|org| org == f.org)) else {
        return Outcome::not_found();
    };
    let code = match found.status(now) {
        Status::Revoked => Some(Code::Revoked),
        Status::Expired => Some(Code::Expired),
        Status::Active if !found.api_access => Some(Code::Plan),
        Status::Active => None,
    };
    Outcome {
        code,
        stops_at: key::stops_at(found.revoked_at, found.expires_at, now),
        key: Some(found),
        malformed: None,
    }
}

/// `verify --json`'s object, which `serve`'s `/v1/verify` answers too.
#[derive(Serialize)]
pub struct VerifyJson<'a> {
    pub valid: bool,
    pub code: Option<Code>,
    pub id: Option<&'a str>,
    pub org: Option<&'a str>,
    pub name: Option<&'a str>,
    pub expires_at: Option<String>,
}

impl<'a> VerifyJson<'a> {
    pub fn new(outcome: &'a Outcome) -> Self {
        let key = outcome.key.as_ref();
        Self {
            valid: outcome.code.is_none(),
            code: outcome.code,
            id: key.map(|k| k.id.as_str()),
            org: key.map(|k| k.org.as_str()),
            name: key.map(|k| k.name.as_str()),
            expires_at: outcome.stops_at.map(json_time),
        }
    }
}
