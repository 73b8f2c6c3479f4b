//! The JSON views: every object `--json` prints (and a verification service answers
//! with), in one place. Commands build the data; these structs fix the field names and
//! their order, which scripts depend on.

use serde::Serialize;

use crate::domain::Timestamp;
use crate::domain::event::Event;
use crate::domain::key::Key;
use crate::domain::org::Org;
use crate::domain::plan::Plan;
use crate::domain::policy::{Policy, duration_label};
use crate::lifecycle::verify::{Code, Verdict};

use super::{json_opt_time, json_time};

#[derive(Serialize)]
pub(crate) struct KeyJson<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
    pub(crate) org: &'a str,
    pub(crate) hint: String,
    pub(crate) status: &'static str,
    pub(crate) created_at: String,
    pub(crate) expires_at: Option<String>,
    pub(crate) last_used_at: Option<String>,
    pub(crate) revoked_at: Option<String>,
    pub(crate) revoke_reason: Option<&'a str>,
    pub(crate) rotated_from: Option<&'a str>,
    pub(crate) rotated_to: Option<&'a str>,
}

impl<'a> KeyJson<'a> {
    pub(crate) fn new(key: &'a Key, now: Timestamp) -> Self {
        Self {
            id: &key.id,
            name: &key.name,
            org: &key.org,
            hint: key.hint.to_string(),
            status: key.status(now).as_str(),
            created_at: json_time(key.created_at),
            expires_at: json_opt_time(key.stops_at(now)),
            last_used_at: json_opt_time(key.last_used_at),
            revoked_at: json_opt_time(key.revoked_at),
            revoke_reason: key.revoke_reason.as_deref(),
            rotated_from: key.rotated_from.as_deref(),
            rotated_to: key.rotated_to.as_deref(),
        }
    }
}

/// The one time a secret is serialized: `generate --json`.
#[derive(Serialize)]
pub(crate) struct NewKeyJson<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
    pub(crate) org: &'a str,
    /// None when the secret went to `--exec`'s command instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) key: Option<&'a str>,
    pub(crate) created_at: String,
    pub(crate) expires_at: Option<String>,
}

impl<'a> NewKeyJson<'a> {
    pub(crate) fn new(key: &'a Key, secret: Option<&'a str>) -> Self {
        Self {
            id: &key.id,
            name: &key.name,
            org: &key.org,
            key: secret,
            created_at: json_time(key.created_at),
            expires_at: json_opt_time(key.expires_at),
        }
    }
}

#[derive(Serialize)]
pub(crate) struct PlanJson<'a> {
    pub(crate) plan: &'static str,
    pub(crate) name: &'a str,
    pub(crate) key_limit: Option<u32>,
    pub(crate) api_access: bool,
}

impl<'a> PlanJson<'a> {
    pub(crate) fn new(plan: &'a Plan) -> Self {
        Self {
            plan: plan.id.slug(),
            name: &plan.name,
            key_limit: plan.key_limit,
            api_access: plan.api_access,
        }
    }
}

#[derive(Serialize)]
pub(crate) struct OrgJson<'a> {
    pub(crate) slug: &'a str,
    pub(crate) name: &'a str,
    pub(crate) plan: &'static str,
    pub(crate) key_limit: Option<u32>,
    pub(crate) active_keys: u64,
    pub(crate) default: bool,
    pub(crate) created_at: String,
    pub(crate) policy: PolicyJson,
}

/// The key policy in JSON: durations as the flags take them (`"90d"`), `null` for none.
#[derive(Serialize)]
pub(crate) struct PolicyJson {
    pub(crate) max_lifetime: Option<String>,
    pub(crate) require_expiry: bool,
    pub(crate) rotate_every: String,
}

impl PolicyJson {
    pub(crate) fn new(policy: &Policy) -> Self {
        Self {
            max_lifetime: policy.max_lifetime.map(duration_label),
            require_expiry: policy.require_expiry,
            rotate_every: duration_label(policy.rotate_every),
        }
    }
}

impl<'a> OrgJson<'a> {
    pub(crate) fn new(org: &'a Org, default: bool) -> Self {
        Self {
            slug: &org.slug,
            name: &org.name,
            plan: org.plan.id.slug(),
            key_limit: org.plan.key_limit,
            active_keys: org.active_keys,
            default,
            created_at: json_time(org.created_at),
            policy: PolicyJson::new(&org.policy),
        }
    }
}

/// `verify --json`'s line, and a verification service's answer: the verdict on one key.
#[derive(Serialize)]
pub struct VerifyJson<'a> {
    valid: bool,
    code: Option<Code>,
    id: Option<&'a str>,
    org: Option<&'a str>,
    name: Option<&'a str>,
    expires_at: Option<String>,
}

impl<'a> VerifyJson<'a> {
    pub fn new(verdict: &'a Verdict) -> Self {
        let key = verdict.key.as_ref();
        Self {
            valid: verdict.code.is_none(),
            code: verdict.code,
            id: key.map(|k| k.id.as_str()),
            org: key.map(|k| k.org.as_str()),
            name: key.map(|k| k.name.as_str()),
            expires_at: verdict.stops_at.map(json_time),
        }
    }
}

/// An audit event in `log --json`.
#[derive(Serialize)]
pub(crate) struct EventJson<'a> {
    pub(crate) at: String,
    pub(crate) kind: &'static str,
    pub(crate) org: &'a str,
    pub(crate) key_id: Option<&'a str>,
    pub(crate) key_name: Option<&'a str>,
    pub(crate) actor: &'a str,
    pub(crate) detail: Option<&'a str>,
}

impl<'a> EventJson<'a> {
    pub(crate) fn new(event: &'a Event) -> Self {
        Self {
            at: json_time(event.at),
            kind: event.kind.name(),
            org: &event.org,
            key_id: event.key_id.as_deref(),
            key_name: event.key_name.as_deref(),
            actor: &event.actor,
            detail: event.detail.as_deref(),
        }
    }
}

/// `org policy --json`: the organization and its policy.
#[derive(Serialize)]
pub(crate) struct OrgPolicyJson<'a> {
    pub(crate) org: &'a str,
    #[serde(flatten)]
    pub(crate) policy: PolicyJson,
}

/// One finding of `report --json`.
#[derive(Serialize)]
pub(crate) struct ReportFindingJson<'a> {
    pub(crate) org: &'a str,
    pub(crate) key_id: Option<&'a str>,
    pub(crate) name: Option<&'a str>,
    pub(crate) finding: &'static str,
    pub(crate) detail: &'a str,
}

/// A key `revoke --dry-run --json` would revoke.
#[derive(Serialize)]
pub(crate) struct DryRunJson<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
    pub(crate) org: &'a str,
    pub(crate) reason: Option<&'a str>,
}

/// `generate --json` plus the old key and when it stops working.
#[derive(Serialize)]
pub(crate) struct RotateJson<'a> {
    #[serde(flatten)]
    pub(crate) new: NewKeyJson<'a>,
    pub(crate) rotated_from: &'a str,
    pub(crate) old_stops_at: String,
}

impl<'a> RotateJson<'a> {
    pub(crate) fn new(
        key: &'a Key,
        secret: Option<&'a str>,
        from: &'a str,
        stops_at: Timestamp,
    ) -> Self {
        Self {
            new: NewKeyJson::new(key, secret),
            rotated_from: from,
            old_stops_at: json_time(stops_at),
        }
    }
}

/// A finding of `scan --format json`.
#[derive(Serialize)]
pub(crate) struct ScanFindingJson<'a> {
    pub(crate) commit: Option<&'a str>,
    pub(crate) path: &'a str,
    pub(crate) line: u64,
    pub(crate) column: u64,
    pub(crate) base64: bool,
    pub(crate) hint: String,
    pub(crate) checksum: bool,
    pub(crate) status: Option<&'static str>,
    pub(crate) key_id: Option<&'a str>,
    pub(crate) name: Option<&'a str>,
    pub(crate) sha256: Option<String>,
}
