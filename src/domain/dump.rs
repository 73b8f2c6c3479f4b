//! The export format: the whole store as JSON lines, one record per line, in an order
//! an import can replay (organizations, settings, keys oldest first, key usage, events
//! oldest first), after a header naming the format and its version.
//!
//! Keys travel as their SHA-256 in hex, never as secrets. Times are RFC 3339 UTC, as in
//! every other JSON the tool prints. Plans are not exported: they are part of the schema.

use serde::{Deserialize, Serialize};

use super::Timestamp;
use super::event::EventKind;
use super::key::{Hint, KeyHash, looks_like_id};
use super::org::validate_slug;
use super::plan::PlanId;
use super::policy::{DEFAULT_ROTATE_EVERY, Policy};
use super::text::{BadText, validate_name, validate_text};

pub const FORMAT: &str = "seenty-keys-export";
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRecord {
    pub slug: String,
    pub name: String,
    pub plan: PlanId,
    pub created_at: Timestamp,
    pub policy: Policy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    pub id: String,
    pub org: String,
    pub name: String,
    pub hash: KeyHash,
    pub hint: Hint,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub revoke_reason: Option<String>,
    /// The id of the key this one replaced by rotation; it comes earlier in the export.
    pub rotated_from: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub org: String,
    pub key: Option<String>,
    pub at: Timestamp,
    pub actor: String,
    pub kind: EventKind,
    pub detail: Option<String>,
    /// How many attempts to use a revoked or expired key the event stands for; 1 for
    /// every other event.
    pub attempts: u64,
}

/// One line of an export, after the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    Org(OrgRecord),
    Setting {
        name: String,
        value: String,
    },
    Key(KeyRecord),
    Usage {
        key: String,
        last_used_at: Timestamp,
    },
    Event(EventRecord),
}

/// The wire form of a line: flat, tagged by `type`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum Line {
    Header {
        format: String,
        version: u32,
    },
    Org {
        slug: String,
        name: String,
        plan: String,
        created_at: String,
        /// The key policy, in seconds; left out when not set, so a store without a
        /// policy exports no policy fields.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_lifetime: Option<i64>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        require_expiry: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rotate_every: Option<i64>,
    },
    Setting {
        name: String,
        value: String,
    },
    Key {
        id: String,
        org: String,
        name: String,
        hash: String,
        hint: String,
        created_at: String,
        expires_at: Option<String>,
        revoked_at: Option<String>,
        revoke_reason: Option<String>,
        rotated_from: Option<String>,
    },
    Usage {
        key: String,
        last_used_at: String,
    },
    Event {
        org: String,
        key: Option<String>,
        at: String,
        actor: String,
        kind: String,
        detail: Option<String>,
        #[serde(default = "one", skip_serializing_if = "is_one")]
        attempts: u64,
    },
}

fn one() -> u64 {
    1
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde passes a reference.
fn is_one(n: &u64) -> bool {
    *n == 1
}

/// The first line of every export.
pub fn header() -> String {
    let line = Line::Header {
        format: FORMAT.to_owned(),
        version: VERSION,
    };
    serde_json::to_string(&line).unwrap_or_default()
}

/// One record as one line of JSON (without the newline).
pub fn to_line(record: &Record) -> String {
    let time = super::rfc3339;
    let line = match record.clone() {
        Record::Org(o) => Line::Org {
            slug: o.slug,
            name: o.name,
            plan: o.plan.slug().to_owned(),
            created_at: time(o.created_at),
            max_lifetime: o.policy.max_lifetime.map(|d| d.num_seconds()),
            require_expiry: o.policy.require_expiry,
            rotate_every: (o.policy.rotate_every != DEFAULT_ROTATE_EVERY)
                .then(|| o.policy.rotate_every.num_seconds()),
        },
        Record::Setting { name, value } => Line::Setting { name, value },
        Record::Key(k) => Line::Key {
            id: k.id,
            org: k.org,
            name: k.name,
            hash: k.hash.0.iter().map(|b| format!("{b:02x}")).collect(),
            hint: k.hint.0,
            created_at: time(k.created_at),
            expires_at: k.expires_at.map(time),
            revoked_at: k.revoked_at.map(time),
            revoke_reason: k.revoke_reason,
            rotated_from: k.rotated_from,
        },
        Record::Usage { key, last_used_at } => Line::Usage {
            key,
            last_used_at: time(last_used_at),
        },
        Record::Event(e) => Line::Event {
            org: e.org,
            key: e.key,
            at: time(e.at),
            actor: e.actor,
            kind: e.kind.name().to_owned(),
            detail: e.detail,
            attempts: e.attempts,
        },
    };
    // Plain strings and integers: serializing cannot fail.
    serde_json::to_string(&line).unwrap_or_default()
}

/// Checks the header line: this format, a version this tool reads.
pub fn check_header(text: &str) -> Result<(), String> {
    match serde_json::from_str::<Line>(text) {
        Ok(Line::Header { format, version }) if format == FORMAT && version <= VERSION => Ok(()),
        Ok(Line::Header { format, version }) if format == FORMAT => Err(format!(
            "format version {version} is newer than this seenty-keys reads ({VERSION})"
        )),
        _ => Err(format!(
            "the first line is not a {FORMAT} header; is this the output of seenty-keys export?"
        )),
    }
}

/// Parses and validates one record line.
pub fn parse_line(text: &str) -> Result<Record, String> {
    let line: Line = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ok(match line {
        Line::Header { .. } => return Err("a second header".to_owned()),
        Line::Org {
            slug,
            name,
            plan,
            created_at,
            max_lifetime,
            require_expiry,
            rotate_every,
        } => Record::Org(OrgRecord {
            slug: slug_of(slug)?,
            name: as_made(validate_text("the organization name", &name), name)?,
            plan: PlanId::from_slug(&plan).ok_or_else(|| format!("unknown plan {plan:?}"))?,
            created_at: time(&created_at)?,
            policy: Policy {
                max_lifetime: max_lifetime.map(|s| span("max_lifetime", s)).transpose()?,
                require_expiry,
                rotate_every: rotate_every
                    .map(|s| span("rotate_every", s))
                    .transpose()?
                    .unwrap_or(DEFAULT_ROTATE_EVERY),
            },
        }),
        Line::Setting { name, value } => {
            // The one setting there is: the default organization.
            if name != "default_org" {
                return Err(format!("unknown setting {name:?}"));
            }
            Record::Setting {
                name,
                value: slug_of(value)?,
            }
        }
        Line::Key {
            id,
            org,
            name,
            hash,
            hint,
            created_at,
            expires_at,
            revoked_at,
            revoke_reason,
            rotated_from,
        } => Record::Key(KeyRecord {
            id: key_id(id)?,
            org: slug_of(org)?,
            name: as_made(validate_name(&name), name)?,
            hash: hash_of(&hash)?,
            hint: hint_of(hint)?,
            created_at: time(&created_at)?,
            expires_at: opt_time(expires_at.as_deref())?,
            revoked_at: opt_time(revoked_at.as_deref())?,
            revoke_reason: revoke_reason
                .map(|reason| as_made(validate_text("the reason", &reason), reason))
                .transpose()?,
            rotated_from: rotated_from.map(key_id).transpose()?,
        }),
        Line::Usage { key, last_used_at } => Record::Usage {
            key: key_id(key)?,
            last_used_at: time(&last_used_at)?,
        },
        Line::Event {
            org,
            key,
            at,
            actor,
            kind,
            detail,
            attempts,
        } => Record::Event(EventRecord {
            org: slug_of(org)?,
            key: key.map(key_id).transpose()?,
            at: time(&at)?,
            actor: as_made(validate_text("the actor", &actor), actor)?,
            kind: EventKind::from_name(&kind)
                .ok_or_else(|| format!("unknown event kind {kind:?}"))?,
            detail: detail
                .map(|text| as_made(validate_text("the detail", &text), text))
                .transpose()?,
            attempts: if attempts == 0 {
                return Err("an event stands for at least one attempt".to_owned());
            } else {
                attempts
            },
        }),
    })
}

/// `text` when the commands could have stored it: what validation made of it is itself.
fn as_made(validated: Result<String, BadText>, text: String) -> Result<String, String> {
    match validated {
        Ok(made) if made == text => Ok(text),
        Ok(_) => Err(format!("{:?} has surrounding whitespace", text)),
        Err(e) => Err(e.to_string()),
    }
}

/// A hint as the store keeps it: the key's last 4 characters, base 62.
fn hint_of(hint: String) -> Result<Hint, String> {
    if hint.len() == 4 && hint.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(Hint(hint))
    } else {
        Err("a hint is the last 4 characters of a key (0-9, A-Z, a-z)".to_owned())
    }
}

fn slug_of(slug: String) -> Result<String, String> {
    validate_slug(&slug).map_err(|e| e.to_string())?;
    Ok(slug)
}

fn key_id(id: String) -> Result<String, String> {
    if looks_like_id(&id) {
        Ok(id)
    } else {
        Err(format!("{id:?} is not a key id"))
    }
}

fn hash_of(hex: &str) -> Result<KeyHash, String> {
    let bad = || format!("hash {hex:?} is not 64 hexadecimal digits");
    if hex.len() != 64 || !hex.is_ascii() {
        return Err(bad());
    }
    let mut bytes = [0u8; 32];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(KeyHash(bytes))
}

/// A policy duration in seconds, as the flags could have set it: more than zero, at most
/// a hundred years.
fn span(field: &str, secs: i64) -> Result<chrono::TimeDelta, String> {
    Some(secs)
        .filter(|s| (1..=36_500 * 86_400).contains(s))
        .and_then(chrono::TimeDelta::try_seconds)
        .ok_or_else(|| format!("{field} {secs} is not a policy duration"))
}

/// A time an export can write again: from 1970 to the end of year 9999, UTC (RFC 3339
/// has four-digit years, and the store whole seconds since 1970).
fn time(text: &str) -> Result<Timestamp, String> {
    let at = chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("time {text:?}: {e}"))?;
    let last = chrono::DateTime::from_timestamp(253_402_300_799, 0).unwrap_or_default();
    if at.timestamp() < 0 || at > last {
        return Err(format!(
            "time {text:?} is outside 1970-01-01 to 9999-12-31 UTC"
        ));
    }
    Ok(at)
}

fn opt_time(text: Option<&str>) -> Result<Option<Timestamp>, String> {
    text.map(time).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        chrono::DateTime::from_timestamp(secs, 0).expect("time")
    }

    #[test]
    fn records_round_trip() {
        let records = [
            Record::Org(OrgRecord {
                slug: "acme".into(),
                name: "Acme Inc".into(),
                plan: PlanId::Pro,
                created_at: at(1_700_000_000),
                policy: Policy {
                    max_lifetime: Some(chrono::TimeDelta::days(30)),
                    require_expiry: true,
                    rotate_every: chrono::TimeDelta::days(60),
                },
            }),
            Record::Setting {
                name: "default_org".into(),
                value: "acme".into(),
            },
            Record::Key(KeyRecord {
                id: "key_abcDEF123".into(),
                org: "acme".into(),
                name: "CI".into(),
                hash: KeyHash([0xab; 32]),
                hint: Hint("abcd".into()),
                created_at: at(1_700_000_001),
                expires_at: Some(at(1_800_000_000)),
                revoked_at: None,
                revoke_reason: None,
                rotated_from: Some("key_older1".into()),
            }),
            Record::Usage {
                key: "key_abcDEF123".into(),
                last_used_at: at(1_700_000_100),
            },
            Record::Event(EventRecord {
                org: "acme".into(),
                key: None,
                at: at(1_700_000_000),
                actor: "ci".into(),
                kind: EventKind::OrgCreated,
                detail: Some("pro".into()),
                attempts: 1,
            }),
            Record::Event(EventRecord {
                org: "acme".into(),
                key: Some("key_abcDEF123".into()),
                at: at(1_700_000_200),
                actor: "ci".into(),
                kind: EventKind::RevokedKeyUsed,
                detail: None,
                attempts: 37,
            }),
        ];
        for record in records {
            let line = to_line(&record);
            assert!(!line.contains('\n'));
            assert_eq!(parse_line(&line), Ok(record), "{line}");
        }
    }

    /// What the commands could not have stored is refused: the export of it could not
    /// be imported again, or it would reach a terminal raw.
    #[test]
    fn only_what_commands_make_is_imported() {
        let key = |name: &str, hint: &str, created: &str| {
            format!(
                r#"{{"type":"key","id":"key_abc123","org":"acme","name":{},"hash":"{}","hint":{},"created_at":"{created}","expires_at":null,"revoked_at":null,"revoke_reason":null,"rotated_from":null}}"#,
                serde_json::to_string(name).unwrap(),
                "ab".repeat(32),
                serde_json::to_string(hint).unwrap(),
            )
        };
        let good = "2026-01-01T00:00:00Z";
        assert!(parse_line(&key("CI", "abcd", good)).is_ok());
        for bad in [
            key("CI", "\u{1b}]0;PWNED\u{7}\u{1b}[31m", good),
            key("CI", "sk_live_…abcd", good),
            key("", "abcd", good),
            key(&"x".repeat(5000), "abcd", good),
            key(" CI", "abcd", good),
            key("Prod\u{200B}deploy", "abcd", good),
            key("CI", "abcd", "9999-12-31T23:59:59-14:00"),
            r#"{"type":"org","slug":"acme","name":"Acme \u001b[31m","plan":"pro","created_at":"2026-01-01T00:00:00Z"}"#.to_owned(),
            r#"{"type":"setting","name":"evil","value":"x"}"#.to_owned(),
        ] {
            assert!(parse_line(&bad).is_err(), "{bad}");
        }
        assert!(parse_line(&key("CI", "abcd", "9999-12-31T23:59:59Z")).is_ok());
    }

    #[test]
    fn bad_lines_are_refused() {
        check_header(&header()).expect("our header");
        assert!(
            check_header(r#"{"type":"header","format":"seenty-keys-export","version":99}"#)
                .is_err()
        );
        assert!(check_header(r#"{"type":"org"}"#).is_err());
        for line in [
            "not json",
            r#"{"type":"planet"}"#,
            r#"{"type":"org","slug":"Bad Slug","name":"x","plan":"pro","created_at":"2026-01-01T00:00:00Z"}"#,
            r#"{"type":"org","slug":"acme","name":"x","plan":"gold","created_at":"2026-01-01T00:00:00Z"}"#,
            r#"{"type":"org","slug":"acme","name":"x","plan":"pro","created_at":"yesterday"}"#,
            r#"{"type":"usage","key":"key_abc","last_used_at":"2026-01-01T00:00:00Z","extra":1}"#,
            r#"{"type":"usage","key":"nope","last_used_at":"2026-01-01T00:00:00Z"}"#,
            r#"{"type":"key","id":"key_abc","org":"acme","name":"x","hash":"zz","hint":"h","created_at":"2026-01-01T00:00:00Z","expires_at":null,"revoked_at":null,"revoke_reason":null,"rotated_from":null}"#,
        ] {
            assert!(parse_line(line).is_err(), "{line}");
        }
    }
}
