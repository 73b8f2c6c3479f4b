//! The import algorithm, once for both backends: what to add, what is already there,
//! what conflicts. A backend supplies the row operations ([`Target`]) inside its own
//! write transaction; this module decides.
//!
//! Importing is idempotent: organizations, settings and keys are matched by slug, name
//! and key id and added only when missing; a revocation in the file is applied to a key
//! the store has unrevoked, or revoked later (a revocation is never undone or
//! postponed); last used moves only forward; events are matched as a multiset, so an event the store already holds as
//! many times as the file does is not added again.

use std::collections::HashMap;

use serde::Serialize;

use crate::domain::Timestamp;
use crate::domain::dump::{EventRecord, KeyRecord, OrgRecord, Record};
use crate::domain::key::KeyHash;
use crate::error::{Error, Result};

/// What an import added; `unchanged` counts the records the store already held.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Imported {
    pub orgs: u64,
    pub settings: u64,
    pub keys: u64,
    pub revocations: u64,
    pub usage: u64,
    pub events: u64,
    pub unchanged: u64,
}

impl Imported {
    pub fn changed(&self) -> bool {
        self.orgs + self.settings + self.keys + self.revocations + self.usage + self.events > 0
    }
}

/// A key the store already has, as the import sees it.
pub struct Existing {
    pub row: i64,
    pub revoked_at: Option<Timestamp>,
}

/// An event reduced to what identifies it, with row ids resolved.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventRow {
    pub org: i64,
    pub key: Option<i64>,
    pub at: i64,
    pub actor: String,
    pub kind: &'static str,
    pub detail: Option<String>,
}

/// The row operations an import needs, inside one write transaction.
pub trait Target {
    fn org_count(&mut self) -> Result<u64>;
    /// Adds the organization unless its slug exists; whether it was added.
    fn insert_org(&mut self, org: &OrgRecord) -> Result<bool>;
    fn org_row(&mut self, slug: &str) -> Result<Option<i64>>;
    /// Adds the setting unless it is set; whether it was added.
    fn insert_setting(&mut self, name: &str, value: &str) -> Result<bool>;
    fn key(&mut self, id: &str) -> Result<Option<Existing>>;
    /// The id of the key with this hash, if any.
    fn key_with_hash(&mut self, hash: &KeyHash) -> Result<Option<String>>;
    fn insert_key(&mut self, key: &KeyRecord, org: i64, rotated_from: Option<i64>) -> Result<()>;
    /// Sets the revocation time, unless the key is already revoked at or before `at`.
    fn revoke(&mut self, row: i64, at: Timestamp, reason: Option<&str>) -> Result<()>;
    /// Moves last used forward; whether it moved.
    fn touch(&mut self, row: i64, at: Timestamp) -> Result<bool>;
    fn count_events(&mut self, event: &EventRow) -> Result<u64>;
    fn insert_event(&mut self, event: &EventRow) -> Result<()>;
}

/// Loads `records` into `target`. Without `merge`, a store that holds any organization
/// is refused before anything is written.
pub fn run(target: &mut dyn Target, records: &[Record], merge: bool) -> Result<Imported> {
    let orgs = target.org_count()?;
    if orgs > 0 && !merge {
        return Err(Error::ImportTargetNotEmpty { orgs });
    }
    let mut done = Imported::default();
    let count = |added: bool, n: &mut u64, unchanged: &mut u64| {
        if added {
            *n += 1;
        } else {
            *unchanged += 1;
        }
    };
    // Per distinct event: how many the store held before, and how many the file had so far.
    let mut events: HashMap<EventRow, (u64, u64)> = HashMap::new();
    for record in records {
        match record {
            Record::Org(org) => {
                let added = target.insert_org(org)?;
                count(added, &mut done.orgs, &mut done.unchanged);
            }
            Record::Setting { name, value } => {
                let added = target.insert_setting(name, value)?;
                count(added, &mut done.settings, &mut done.unchanged);
            }
            Record::Key(key) => match target.key(&key.id)? {
                Some(existing) => {
                    if target.key_with_hash(&key.hash)?.as_deref() != Some(key.id.as_str()) {
                        return Err(conflict(format!(
                            "key {} is in the store with a different hash",
                            key.id
                        )));
                    }
                    match key.revoked_at {
                        Some(at) if existing.revoked_at.is_none_or(|current| at < current) => {
                            target.revoke(existing.row, at, key.revoke_reason.as_deref())?;
                            done.revocations += 1;
                        }
                        _ => done.unchanged += 1,
                    }
                }
                None => {
                    if let Some(other) = target.key_with_hash(&key.hash)? {
                        return Err(conflict(format!(
                            "key {} has the same hash as key {other} in the store",
                            key.id
                        )));
                    }
                    let org = org_row(target, &key.org)?;
                    let rotated_from = match &key.rotated_from {
                        Some(id) => Some(key_row(target, id)?),
                        None => None,
                    };
                    target.insert_key(key, org, rotated_from)?;
                    done.keys += 1;
                }
            },
            Record::Usage { key, last_used_at } => {
                let row = key_row(target, key)?;
                let moved = target.touch(row, *last_used_at)?;
                count(moved, &mut done.usage, &mut done.unchanged);
            }
            Record::Event(event) => {
                let row = event_row(target, event)?;
                let (before, seen) = match events.get(&row) {
                    Some(&counts) => counts,
                    None => (target.count_events(&row)?, 0),
                };
                let seen = seen + 1;
                if seen > before {
                    target.insert_event(&row)?;
                    done.events += 1;
                } else {
                    done.unchanged += 1;
                }
                events.insert(row, (before, seen));
            }
        }
    }
    Ok(done)
}

fn event_row(target: &mut dyn Target, event: &EventRecord) -> Result<EventRow> {
    Ok(EventRow {
        org: org_row(target, &event.org)?,
        key: event
            .key
            .as_deref()
            .map(|id| key_row(target, id))
            .transpose()?,
        at: event.at.timestamp(),
        actor: event.actor.clone(),
        kind: event.kind.name(),
        detail: event.detail.clone(),
    })
}

fn org_row(target: &mut dyn Target, slug: &str) -> Result<i64> {
    target.org_row(slug)?.ok_or_else(|| {
        conflict(format!(
            "organization {slug:?} is neither earlier in the input nor in the store"
        ))
    })
}

fn key_row(target: &mut dyn Target, id: &str) -> Result<i64> {
    target.key(id)?.map(|k| k.row).ok_or_else(|| {
        conflict(format!(
            "key {id} is neither earlier in the input nor in the store"
        ))
    })
}

fn conflict(message: String) -> Error {
    Error::ImportConflict(message)
}
