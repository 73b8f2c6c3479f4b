//! An organization's key policy: the best practices ("set expiration dates", "rotate
//! keys regularly") made rules. `generate` and `rotate` apply it to new keys; `report`
//! holds existing keys up against it, which a new policy never changes.

use chrono::TimeDelta;

use super::Timestamp;

/// How old a key may grow before `report` says to rotate it when the policy names no
/// age: "quarterly", as the best practices put it.
pub const DEFAULT_ROTATE_EVERY: TimeDelta = TimeDelta::days(90);

/// What an organization allows its new keys. The default (no policy set) allows any
/// key, and asks for rotation every [`DEFAULT_ROTATE_EVERY`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// New keys must expire within this long of their creation.
    pub max_lifetime: Option<TimeDelta>,
    /// New keys must have an expiration (`never` is refused).
    pub require_expiry: bool,
    /// The age after which `report` says a key is due for rotation.
    pub rotate_every: TimeDelta,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            max_lifetime: None,
            require_expiry: false,
            rotate_every: DEFAULT_ROTATE_EVERY,
        }
    }
}

/// A change to the policy: each `Some` field replaces the current value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PolicyChange {
    /// `Some(None)` removes the maximum.
    pub max_lifetime: Option<Option<TimeDelta>>,
    pub require_expiry: Option<bool>,
    pub rotate_every: Option<TimeDelta>,
}

impl PolicyChange {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Why a new key's expiration is outside the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outside {
    /// The key would never expire, and the policy requires an expiration.
    NoExpiry { max_lifetime: Option<TimeDelta> },
    /// The key would live longer than the policy's maximum.
    TooLong { max_lifetime: TimeDelta },
}

impl std::fmt::Display for Outside {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoExpiry { max_lifetime: None } => {
                write!(f, "it would never expire, and keys must have an expiration")
            }
            Self::NoExpiry {
                max_lifetime: Some(max),
            } => write!(
                f,
                "it would never expire, and keys must expire within {}",
                duration_label(*max)
            ),
            Self::TooLong { max_lifetime } => write!(
                f,
                "it would live longer than the {} keys may",
                duration_label(*max_lifetime)
            ),
        }
    }
}

impl Policy {
    /// Whether a key created at `created` expiring at `expires` is inside the policy.
    pub fn check(&self, created: Timestamp, expires: Option<Timestamp>) -> Result<(), Outside> {
        match (expires, self.max_lifetime) {
            (None, Some(max_lifetime)) => Err(Outside::NoExpiry {
                max_lifetime: Some(max_lifetime),
            }),
            (None, None) if self.require_expiry => Err(Outside::NoExpiry { max_lifetime: None }),
            (Some(at), Some(max_lifetime)) if at - created > max_lifetime => {
                Err(Outside::TooLong { max_lifetime })
            }
            _ => Ok(()),
        }
    }

    /// The expiration of a key created at `now`. One asked for (`--expires`) must be
    /// inside the policy. Without one, `preferred` is taken when it is (a rotation keeps
    /// the old key's lifetime), else the policy's maximum lifetime: `generate` without
    /// `--expires` gets exactly that lifetime.
    pub fn expiry(
        &self,
        preferred: Option<Timestamp>,
        asked: bool,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, Outside> {
        match self.check(now, preferred) {
            Ok(()) => Ok(preferred),
            Err(outside) if asked => Err(outside),
            Err(outside) => match self.max_lifetime {
                Some(max) => now.checked_add_signed(max).map(Some).ok_or(outside),
                None => Err(outside),
            },
        }
    }

    /// The policy with `change` applied, and a line per setting it changed: the
    /// setting's name, its old and its new value.
    pub fn apply(&self, change: &PolicyChange) -> (Self, Vec<(&'static str, String, String)>) {
        let mut new = *self;
        if let Some(max) = change.max_lifetime {
            new.max_lifetime = max;
        }
        if let Some(required) = change.require_expiry {
            new.require_expiry = required;
        }
        if let Some(every) = change.rotate_every {
            new.rotate_every = every;
        }
        let mut changed = Vec::new();
        for (name, old, value) in [
            (
                "max-lifetime",
                self.max_lifetime_label(),
                new.max_lifetime_label(),
            ),
            (
                "require-expiry",
                yes_no(self.require_expiry),
                yes_no(new.require_expiry),
            ),
            (
                "rotate-every",
                duration_label(self.rotate_every),
                duration_label(new.rotate_every),
            ),
        ] {
            if old != value {
                changed.push((name, old, value));
            }
        }
        (new, changed)
    }

    pub fn max_lifetime_label(&self) -> String {
        self.max_lifetime
            .map_or_else(|| "none".into(), duration_label)
    }
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

/// A duration as the policy flags take it: whole days, hours or minutes (`90d`, `12h`,
/// `30m`); a duration the flags cannot write (an imported one) in seconds.
pub fn duration_label(delta: TimeDelta) -> String {
    let secs = delta.num_seconds();
    for (unit, per) in [('d', 86_400), ('h', 3_600), ('m', 60)] {
        if secs != 0 && secs % per == 0 {
            return format!("{}{unit}", secs / per);
        }
    }
    format!("{secs}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        chrono::DateTime::from_timestamp(secs, 0).unwrap()
    }

    const DAY: i64 = 86_400;

    #[test]
    fn no_policy_allows_everything() {
        let policy = Policy::default();
        assert_eq!(policy.check(at(0), None), Ok(()));
        assert_eq!(policy.check(at(0), Some(at(10_000 * DAY))), Ok(()));
        assert_eq!(policy.rotate_every, TimeDelta::days(90));
    }

    #[test]
    fn the_maximum_is_a_default_and_a_bound() {
        let policy = Policy {
            max_lifetime: Some(TimeDelta::days(30)),
            ..Policy::default()
        };
        let now = at(1000);
        assert_eq!(
            policy.expiry(None, false, now),
            Ok(Some(at(1000 + 30 * DAY)))
        );
        assert_eq!(
            policy.expiry(None, true, now),
            Err(Outside::NoExpiry {
                max_lifetime: Some(TimeDelta::days(30))
            })
        );
        assert_eq!(
            policy.expiry(Some(at(1000 + 30 * DAY)), true, now),
            Ok(Some(at(1000 + 30 * DAY)))
        );
        assert_eq!(
            policy.expiry(Some(at(1001 + 30 * DAY)), true, now),
            Err(Outside::TooLong {
                max_lifetime: TimeDelta::days(30)
            })
        );
        // A rotation's preferred lifetime, shortened to the maximum.
        assert_eq!(
            policy.expiry(Some(at(1000 + 60 * DAY)), false, now),
            Ok(Some(at(1000 + 30 * DAY)))
        );
        assert_eq!(
            policy.expiry(Some(at(1000 + DAY)), false, now),
            Ok(Some(at(1000 + DAY)))
        );
    }

    #[test]
    fn required_expiry_without_a_maximum_has_no_default() {
        let policy = Policy {
            require_expiry: true,
            ..Policy::default()
        };
        assert_eq!(
            policy.expiry(None, false, at(0)),
            Err(Outside::NoExpiry { max_lifetime: None })
        );
        assert_eq!(
            policy.expiry(Some(at(5 * 365 * DAY)), true, at(0)),
            Ok(Some(at(5 * 365 * DAY)))
        );
    }

    #[test]
    fn changes_name_what_changed() {
        let old = Policy::default();
        let (new, changed) = old.apply(&PolicyChange {
            max_lifetime: Some(Some(TimeDelta::days(90))),
            require_expiry: Some(false),
            rotate_every: None,
        });
        assert_eq!(new.max_lifetime, Some(TimeDelta::days(90)));
        assert_eq!(
            changed,
            vec![("max-lifetime", "none".to_owned(), "90d".to_owned())]
        );
        let (_, changed) = new.apply(&PolicyChange {
            max_lifetime: Some(Some(TimeDelta::days(90))),
            ..PolicyChange::default()
        });
        assert!(changed.is_empty());
    }

    #[test]
    fn durations_read_as_typed() {
        for (secs, text) in [
            (90 * DAY, "90d"),
            (14 * DAY, "14d"),
            (365 * DAY, "365d"),
            (12 * 3600, "12h"),
            (1800, "30m"),
            (61, "61s"),
        ] {
            assert_eq!(duration_label(TimeDelta::seconds(secs)), text);
        }
    }
}
