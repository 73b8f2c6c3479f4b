//! Key hygiene: what about an active key needs an admin's attention (`report`), and the
//! same rules choosing keys to revoke (`revoke --never-used`, `--unused-for`,
//! `--expiring-within`). Pure rules over a key's times, its name, the organization's
//! plan and policy.

use chrono::TimeDelta;

use super::Timestamp;
use super::plan::Plan;
use super::policy::{Outside, Policy, duration_label};
use super::text::is_generic_name;

/// A key unused this long after its creation is `never-used`.
pub const NEVER_USED_AFTER: TimeDelta = TimeDelta::days(7);
pub const DEFAULT_UNUSED_FOR: TimeDelta = TimeDelta::days(30);
pub const DEFAULT_EXPIRING_WITHIN: TimeDelta = TimeDelta::days(14);
/// How long `report` lists a key a leak report revoked.
pub const LEAKED_WITHIN: TimeDelta = TimeDelta::days(30);

/// The kinds of finding, with the names `report` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Finding {
    NeverUsed,
    Unused,
    NoExpiry,
    Expiring,
    RotationDue,
    OutsidePolicy,
    GenericName,
    OverLimit,
    /// Revoked (or only recorded) by a leak report within [`LEAKED_WITHIN`]: the key is
    /// no longer active, but its integration needs a new one.
    Leaked,
}

impl Finding {
    pub fn name(self) -> &'static str {
        match self {
            Self::NeverUsed => "never-used",
            Self::Unused => "unused",
            Self::NoExpiry => "no-expiry",
            Self::Expiring => "expiring",
            Self::RotationDue => "rotation-due",
            Self::OutsidePolicy => "outside-policy",
            Self::GenericName => "generic-name",
            Self::OverLimit => "over-limit",
            Self::Leaked => "leaked",
        }
    }
}

/// The thresholds of the time-based findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub unused_for: TimeDelta,
    pub expiring_within: TimeDelta,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            unused_for: DEFAULT_UNUSED_FOR,
            expiring_within: DEFAULT_EXPIRING_WITHIN,
        }
    }
}

/// What `report` reads of a key: only keys that count against the plan (active, not
/// replaced by a rotation) are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFacts {
    pub id: String,
    pub name: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
}

/// An organization as `report` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgFacts {
    pub slug: String,
    pub plan: Plan,
    pub policy: Policy,
}

/// Calls `found` with each finding about `key` at `now`, and a detail for people ("last
/// used 47 days ago"), in [`Finding`] order.
pub fn key_findings(
    key: &KeyFacts,
    policy: &Policy,
    thresholds: &Thresholds,
    now: Timestamp,
    found: &mut dyn FnMut(Finding, String),
) {
    let age = now - key.created_at;
    match key.last_used_at {
        None if age > NEVER_USED_AFTER => {
            found(
                Finding::NeverUsed,
                format!("created {}, never used", ago(age)),
            );
        }
        Some(used) if now - used > thresholds.unused_for => {
            found(Finding::Unused, format!("last used {}", ago(now - used)));
        }
        _ => {}
    }
    match key.expires_at {
        None => found(Finding::NoExpiry, "never expires".to_owned()),
        Some(at) if at - now <= thresholds.expiring_within => {
            found(Finding::Expiring, format!("expires in {}", span(at - now)));
        }
        Some(_) => {}
    }
    if age > policy.rotate_every {
        found(
            Finding::RotationDue,
            format!(
                "created {}; keys are rotated every {}",
                ago(age),
                duration_label(policy.rotate_every)
            ),
        );
    }
    if let Err(outside) = policy.check(key.created_at, key.expires_at) {
        let detail = match outside {
            Outside::NoExpiry { max_lifetime: None } => {
                "never expires; the policy requires an expiration".to_owned()
            }
            Outside::NoExpiry {
                max_lifetime: Some(max),
            } => format!(
                "never expires; the policy allows at most {}",
                duration_label(max)
            ),
            Outside::TooLong { max_lifetime } => format!(
                "lives {}; the policy allows at most {}",
                span(key.expires_at.map_or(age, |at| at - key.created_at)),
                duration_label(max_lifetime)
            ),
        };
        found(Finding::OutsidePolicy, detail);
    }
    if is_generic_name(&key.name) {
        found(
            Finding::GenericName,
            "the name does not say what the key is for".to_owned(),
        );
    }
}

/// The `over-limit` finding of an organization with `counted` keys in use, if its plan
/// allows fewer.
pub fn over_limit(plan: &Plan, counted: u64) -> Option<String> {
    let limit = plan.key_limit?;
    (counted > u64::from(limit)).then(|| {
        let s = if counted == 1 { "" } else { "s" };
        format!(
            "{counted} key{s} in use; the {} plan allows {limit}",
            plan.name
        )
    })
}

/// "47 days ago", "3 hours ago", "just now".
pub fn ago(delta: TimeDelta) -> String {
    if delta < TimeDelta::minutes(1) {
        return "just now".to_owned();
    }
    format!("{} ago", span(delta))
}

/// A span in its largest unit, to the nearest: "47 days", "1 hour", "5 minutes". To
/// the nearest, so a key made with `--expires 3d` expires "in 3 days" a second later.
pub fn span(delta: TimeDelta) -> String {
    let secs = delta.num_seconds().max(0);
    let (per, unit) = if delta >= TimeDelta::days(1) {
        (86_400, "day")
    } else if delta >= TimeDelta::hours(1) {
        (3_600, "hour")
    } else {
        (60, "minute")
    };
    let count = (secs + per / 2) / per;
    let s = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{s}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn at(days: i64) -> Timestamp {
        chrono::DateTime::from_timestamp(1_000 * DAY + days * DAY, 0).unwrap()
    }

    fn findings(key: &KeyFacts, policy: &Policy) -> Vec<(Finding, String)> {
        let mut out = Vec::new();
        key_findings(key, policy, &Thresholds::default(), at(0), &mut |f, d| {
            out.push((f, d))
        });
        out
    }

    fn key(created: i64, expires: Option<i64>, used: Option<i64>) -> KeyFacts {
        KeyFacts {
            id: "key_x".into(),
            name: "GitHub Actions CI".into(),
            created_at: at(created),
            expires_at: expires.map(at),
            last_used_at: used.map(at),
        }
    }

    #[test]
    fn a_clean_key_has_no_finding() {
        assert_eq!(
            findings(&key(-3, Some(60), Some(0)), &Policy::default()),
            []
        );
        // Young and unused yet: not `never-used`.
        assert_eq!(findings(&key(-7, Some(60), None), &Policy::default()), []);
    }

    #[test]
    fn each_rule() {
        let policy = Policy::default();
        let names = |k: &KeyFacts, p: &Policy| -> Vec<&str> {
            findings(k, p).into_iter().map(|(f, _)| f.name()).collect()
        };
        assert_eq!(
            findings(&key(-8, Some(60), None), &policy),
            [(Finding::NeverUsed, "created 8 days ago, never used".into())]
        );
        assert_eq!(
            findings(&key(-40, Some(60), Some(-31)), &policy),
            [(Finding::Unused, "last used 31 days ago".into())]
        );
        assert_eq!(names(&key(-40, Some(60), Some(-30)), &policy), [""; 0]);
        assert_eq!(names(&key(-1, None, Some(0)), &policy), ["no-expiry"]);
        assert_eq!(
            findings(&key(-1, Some(14), Some(0)), &policy),
            [(Finding::Expiring, "expires in 14 days".into())]
        );
        assert_eq!(names(&key(-1, Some(15), Some(0)), &policy), [""; 0]);
        assert_eq!(
            names(&key(-91, Some(15), Some(0)), &policy),
            ["rotation-due"]
        );
        let strict = Policy {
            max_lifetime: Some(TimeDelta::days(30)),
            ..Policy::default()
        };
        assert_eq!(
            findings(&key(-1, Some(60), Some(0)), &strict),
            [(
                Finding::OutsidePolicy,
                "lives 61 days; the policy allows at most 30d".into()
            )]
        );
        let mut generic = key(-1, Some(60), Some(0));
        generic.name = "test".into();
        assert_eq!(names(&generic, &policy), ["generic-name"]);
    }

    #[test]
    fn over_limit_after_a_downgrade() {
        let pro = Plan {
            id: crate::domain::plan::PlanId::Pro,
            name: "Pro".into(),
            key_limit: Some(5),
            api_access: true,
        };
        assert_eq!(over_limit(&pro, 5), None);
        assert_eq!(
            over_limit(&pro, 6).as_deref(),
            Some("6 keys in use; the Pro plan allows 5")
        );
    }

    #[test]
    fn spans_read_naturally() {
        assert_eq!(ago(TimeDelta::seconds(5)), "just now");
        assert_eq!(ago(TimeDelta::minutes(1)), "1 minute ago");
        assert_eq!(ago(TimeDelta::hours(5)), "5 hours ago");
        assert_eq!(ago(TimeDelta::days(47)), "47 days ago");
        assert_eq!(span(TimeDelta::days(3) - TimeDelta::seconds(1)), "3 days");
        assert_eq!(span(TimeDelta::hours(36)), "2 days");
        assert_eq!(span(TimeDelta::hours(35)), "1 day");
    }
}
