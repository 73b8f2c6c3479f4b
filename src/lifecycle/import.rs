//! The import algorithm, once for both backends: what to add, what is already there,
//! what conflicts. A backend supplies the row operations ([`Target`]) inside its own
//! write transaction; this module decides.
//!
//! Importing is idempotent: organizations, settings and keys are matched by slug, name
//! and key id and added only when missing; a revocation in the file is applied to a key
//! the store has unrevoked, or whose rotation grace period is still running and ends
//! later (a revocation in effect, its time and its reason, is never changed); last used moves only forward; events are matched as a multiset, so an event
//! the store already holds as many times as the file does is not added again.
//!
//! An import accepts only what the commands could have produced: each line is validated
//! as it is parsed ([`crate::domain::dump::parse_line`]), and across lines here: a
//! rotation's link stays in its organization and names a key replaced once; no two keys
//! that count against the plan share a name (after the look-alike rule); and no
//! organization ends above its plan's limit, unless the file records a plan change that
//! left it there (a downgrade, which the commands allow after a confirmation).

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;

use crate::domain::Timestamp;
use crate::domain::dump::{EventRecord, KeyRecord, Record};
use crate::domain::event::EventKind;
use crate::domain::text::name_key;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::tx::{EventRow, OrgRow, Target};

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

/// Loads exported records into `store` in one write transaction, idempotently. Without
/// `merge`, a store that holds an organization is refused, untouched. Keys count against
/// their plans, and names clash, as at `now`.
pub fn import(
    store: &mut dyn Store,
    records: &[Record],
    merge: bool,
    now: Timestamp,
) -> Result<Imported> {
    let mut done = None;
    store.import_with(&mut |target| {
        done = Some(run(target, records, merge, now)?);
        Ok(())
    })?;
    done.ok_or_else(|| Error::corrupt("an import returned nothing".into()))
}

/// Loads `records` into `target`. Without `merge`, a store that holds any organization
/// is refused before anything is written.
fn run(
    target: &mut dyn Target,
    records: &[Record],
    merge: bool,
    now: Timestamp,
) -> Result<Imported> {
    let orgs = target.org_count()?;
    if orgs > 0 && !merge {
        return Err(Error::ImportTargetNotEmpty { orgs });
    }
    check_chains(target, records, now)?;
    // The keys the file says were replaced, for [`check_grace`].
    let successors: HashSet<&str> = records
        .iter()
        .filter_map(|r| match r {
            Record::Key(k) => k.rotated_from.as_deref(),
            _ => None,
        })
        .collect();
    let mut state = State::default();
    // A backend may look up what a whole batch needs in one go (see `Target::prefetch`).
    for batch in records.chunks(BATCH) {
        target.prefetch(batch, now)?;
        for record in batch {
            apply(target, record, &mut state, &successors, now)?;
        }
    }
    target.flush()?;
    check_limits(target, records, &state.touched, now)?;
    // Keys added, revoked or moved between organizations: `serve` must look again. Last,
    // so the counter's row lock is taken after every key row's, as the other writes do.
    if state.done.changed() {
        target.rules().bump_version()?;
    }
    Ok(state.done)
}

/// How many records a backend is given at a time to look up in one go: enough that a
/// round trip per batch costs nothing, few enough that the answers stay small.
const BATCH: usize = 5000;

/// What the import has done so far, across batches.
#[derive(Default)]
struct State<'r> {
    done: Imported,
    /// Per distinct event: how many the store held before, and how many the file had so far.
    events: HashMap<EventRow, (u64, u64)>,
    /// Key ids some key in the file names as the key it replaced.
    replaced: HashSet<&'r str>,
    /// Organizations whose keys were added.
    touched: BTreeSet<&'r str>,
}

/// Counts a record as added (in `n`) or as already there.
fn count(added: bool, n: &mut u64, unchanged: &mut u64) {
    if added {
        *n += 1;
    } else {
        *unchanged += 1;
    }
}

/// Applies one record.
fn apply<'r>(
    target: &mut dyn Target,
    record: &'r Record,
    state: &mut State<'r>,
    successors: &HashSet<&str>,
    now: Timestamp,
) -> Result<()> {
    let done = &mut state.done;
    match record {
        Record::Org(org) => {
            let added = target.insert_org(org)?;
            count(added, &mut done.orgs, &mut done.unchanged);
        }
        Record::Setting { name, value } => {
            let added = target.insert_setting(name, value)?;
            count(added, &mut done.settings, &mut done.unchanged);
        }
        Record::Key(key) => apply_key(target, key, state, successors, now)?,
        Record::Usage { key, last_used_at } => {
            let row = key_row(target, key)?;
            let moved = target.touch(row, *last_used_at)?;
            count(moved, &mut done.usage, &mut done.unchanged);
        }
        Record::Event(event) => {
            let row = event_row(target, event)?;
            let (before, seen) = match state.events.get(&row) {
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
            state.events.insert(row, (before, seen));
        }
    }
    Ok(())
}

/// Applies one key: added when new, its revocation applied when the store has it.
fn apply_key<'r>(
    target: &mut dyn Target,
    key: &'r KeyRecord,
    state: &mut State<'r>,
    successors: &HashSet<&str>,
    now: Timestamp,
) -> Result<()> {
    let done = &mut state.done;
    match target.key(&key.id)? {
        Some(existing) => {
            if target.key_with_hash(&key.hash)?.as_deref() != Some(key.id.as_str()) {
                return Err(conflict(format!(
                    "key {} is in the store with a different hash",
                    key.id
                )));
            }
            match key.revoked_at {
                // A revocation already in effect stays as it is; a grace period
                // still running may end sooner.
                Some(at)
                    if existing
                        .revoked_at
                        .is_none_or(|current| current > now && at < current) =>
                {
                    let replaced = successors.contains(key.id.as_str())
                        || target.successor(existing.row)?.is_some();
                    check_grace(key, replaced, now)?;
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
            check_grace(key, successors.contains(key.id.as_str()), now)?;
            let org = org_row(target, &key.org)?;
            let rotated_from = match &key.rotated_from {
                Some(id) => Some(replaced_row(target, key, id, &mut state.replaced)?),
                None => None,
            };
            if counts(key, now)
                && let Some(other) = target.active_named(org, &key.name, now.timestamp())?
            {
                return Err(conflict(format!(
                    "keys {other} and {} of {:?} are both active and named alike ({:?})",
                    key.id,
                    key.org,
                    name_key(&key.name)
                )));
            }
            target.insert_key(key, org, rotated_from)?;
            state.touched.insert(&key.org);
            done.keys += 1;
        }
    }
    Ok(())
}

/// A revocation still to come is a rotation's grace period: the key is `replaced` by
/// another, and the grace ends within the 7 days a rotation allows. Any other would keep
/// a key working without counting it.
fn check_grace(key: &KeyRecord, replaced: bool, now: Timestamp) -> Result<()> {
    match key.revoked_at {
        Some(at) if at > now && (!replaced || at > now + chrono::TimeDelta::days(7)) => {
            Err(conflict(format!(
                "key {} is revoked in the future ({}) without a rotation's grace period",
                key.id,
                at.to_rfc3339()
            )))
        }
        _ => Ok(()),
    }
}

/// At most two keys of a rotation chain work at once: a key in its grace period whose
/// predecessor (in the file, or for a merge in the store) is in its grace period too
/// is a state no rotation leaves behind, and would keep a third key working uncounted.
fn check_chains(target: &mut dyn Target, records: &[Record], now: Timestamp) -> Result<()> {
    let in_grace = |revoked_at: Option<Timestamp>| revoked_at.is_some_and(|at| at > now);
    let revoked: HashMap<&str, Option<Timestamp>> = records
        .iter()
        .filter_map(|r| match r {
            Record::Key(k) => Some((k.id.as_str(), k.revoked_at)),
            _ => None,
        })
        .collect();
    for record in records {
        let Record::Key(key) = record else { continue };
        let Some(from) = key
            .rotated_from
            .as_deref()
            .filter(|_| in_grace(key.revoked_at))
        else {
            continue;
        };
        let before = match revoked.get(from) {
            Some(at) => *at,
            None => target.key(from)?.and_then(|k| k.revoked_at),
        };
        if in_grace(before) {
            return Err(conflict(format!(
                "keys {from} and {} of one rotation chain are both in a grace period: at most two keys of a chain work at once",
                key.id
            )));
        }
    }
    Ok(())
}

/// Whether a key counts against its plan at `now`: active and not replaced (a future
/// revocation time is a rotation's grace period).
fn counts(key: &KeyRecord, now: Timestamp) -> bool {
    key.revoked_at.is_none() && key.expires_at.is_none_or(|at| at > now)
}

/// The row of the key `key` replaced: an earlier key of its organization that nothing
/// else replaced.
fn replaced_row<'r>(
    target: &mut dyn Target,
    key: &KeyRecord,
    id: &'r str,
    replaced: &mut HashSet<&'r str>,
) -> Result<i64> {
    let row = key_row(target, id)?;
    if !target.in_org(id, &key.org)? {
        return Err(conflict(format!(
            "key {} replaces {id}, which is not a key of {:?}",
            key.id, key.org
        )));
    }
    if !replaced.insert(id) || target.successor(row)?.is_some() {
        return Err(conflict(format!(
            "key {id} is replaced by more than one key"
        )));
    }
    Ok(row)
}

/// No organization ends above its plan's limit, unless the file records a change of
/// its plan (a confirmed downgrade leaves the keys as they were).
fn check_limits(
    target: &mut dyn Target,
    records: &[Record],
    touched: &BTreeSet<&str>,
    now: Timestamp,
) -> Result<()> {
    // One pass over the records, not one per organization.
    let downgraded: HashSet<&str> = records
        .iter()
        .filter_map(|r| match r {
            Record::Event(e) if e.kind == EventKind::PlanChanged => Some(e.org.as_str()),
            _ => None,
        })
        .collect();
    for &slug in touched {
        let downgraded = downgraded.contains(slug);
        let Some(OrgRow { row: org, plan, .. }) = target.rules().lock_org(slug)? else {
            continue;
        };
        let counted = target.rules().count_counted(org, now.timestamp())?;
        if !downgraded && plan.strands(counted) {
            return Err(conflict(format!(
                "organization {slug:?} would have {counted} active keys on its {} plan, which allows {}",
                plan.id,
                plan.limit_label()
            )));
        }
    }
    Ok(())
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
        attempts: event.attempts,
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
