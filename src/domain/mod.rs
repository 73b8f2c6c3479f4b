//! Domain types and rules: keys, organizations, plans, names and expirations.
//!
//! Nothing here touches the disk, the terminal or the clock: callers pass `now` in, so
//! every rule can be tested (and property-tested) in isolation.

pub mod dump;
pub mod event;
pub mod expires;
pub mod hygiene;
pub mod key;
pub mod key_id;
pub mod org;
pub mod plan;
pub mod policy;
pub mod scan;
pub mod text;

/// A point in time, in whole seconds since the Unix epoch (UTC).
///
/// Seconds are the store's resolution: "last used" is correct to the second.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// A time as every machine-readable output writes it (JSON, export lines): RFC 3339 in
/// UTC, whole seconds, `2026-11-26T14:03:09Z`.
pub fn rfc3339(at: Timestamp) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
