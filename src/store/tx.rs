//! The row operations of one write transaction ([`Tx`]), which each backend writes in its
//! own SQL, and the one write the store makes on its own: recording uses, which
//! `verify` and the verification service do on every key they see and which decides
//! nothing. The lifecycle rules that drive [`Tx`] live in [`crate::lifecycle`].

use std::collections::BTreeMap;

use chrono::TimeDelta;

use crate::domain::Timestamp;
use crate::domain::dump::{KeyRecord, OrgRecord, Record};
use crate::domain::event::EventKind;
use crate::domain::key::Key;
use crate::domain::key::KeyHash;
pub use crate::domain::org::Pending;
use crate::domain::plan::{Plan, PlanId};
use crate::domain::policy::Policy;
use crate::error::Result;
use crate::store::{NewKey, Stamp, Uses};

/// A key row read for a write: the key, its row id and its organization's row id.
pub struct KeyRow {
    pub key: Key,
    pub row: i64,
    pub org: i64,
}

/// An organization read for a write, under its lock: its row id, plan and policy.
pub struct OrgRow {
    pub row: i64,
    pub plan: Plan,
    pub policy: Policy,
}

/// The row operations of one write transaction. Reads after a lock see what the
/// previous holder committed (SQLite: the transaction holds the file's write lock;
/// PostgreSQL: row locks, then a fresh statement).
pub trait Tx {
    /// Locks the organization against other writers that check its plan or policy, and
    /// reads it.
    fn lock_org(&mut self, slug: &str) -> Result<Option<OrgRow>>;
    fn plans(&mut self) -> Result<Vec<Plan>>;
    /// How many keys of `org` [count against its plan](super::rows::counts_against_plan)
    /// at `now`, with the reservations live at `now`.
    fn count_counted(&mut self, org: i64, now: i64) -> Result<u64>;
    /// The id of a key of `org` that [counts against its plan](super::rows::counts_against_plan)
    /// at `now` (active, and not in a rotation's grace period, whose replacement keeps the
    /// name), or of a live reservation, whose name looks like `name`.
    fn active_named(&mut self, org: i64, name: &str, now: i64) -> Result<Option<String>>;
    /// Whether a reservation live at `now` replaces key row `row` (a rotation under way).
    fn replacement_reserved(&mut self, row: i64, now: i64) -> Result<bool>;
    /// Reserves a key named `name` in `org` until `until`, and chooses its id.
    fn reserve(
        &mut self,
        org: i64,
        name: &str,
        replacing: Option<i64>,
        until: i64,
    ) -> Result<Reserved>;
    /// Deletes the reservation; its `until`, or None when it is gone.
    fn release(&mut self, token: i64) -> Result<Option<i64>>;
    /// Deletes the reservations that expired before `now`.
    fn purge_reservations(&mut self, now: i64) -> Result<()>;
    /// The keys of `org` being delivered: its reservations live at `now`, oldest first.
    fn pending(&mut self, org: i64, now: i64) -> Result<Vec<Pending>>;
    /// Deletes every reservation of `org`; the keys they held, oldest first.
    fn release_pending(&mut self, org: i64) -> Result<Vec<Pending>>;
    /// Inserts the reserved key and returns its row id.
    fn insert_key(
        &mut self,
        org: i64,
        new: &NewKey,
        created_at: i64,
        rotated_from: Option<i64>,
        reserved: &Reserved,
    ) -> Result<i64>;
    /// Locks and reads the key with this id, in any organization.
    fn key_for_update(&mut self, id: &str) -> Result<Option<KeyRow>>;
    fn set_revoked(&mut self, row: i64, at: i64, reason: Option<&str>) -> Result<()>;
    /// Inserts the organization; `None` when the slug is taken.
    fn insert_org(
        &mut self,
        slug: &str,
        name: &str,
        plan: PlanId,
        created_at: i64,
    ) -> Result<Option<i64>>;
    fn set_org_plan(&mut self, org: i64, plan: PlanId) -> Result<()>;
    fn set_org_policy(&mut self, org: i64, policy: &Policy) -> Result<()>;
    fn set_default_org(&mut self, slug: &str) -> Result<()>;
    /// Moves last used forward for each key row (never backwards).
    fn touch(&mut self, touched: &BTreeMap<i64, Timestamp>) -> Result<()>;
    /// The organization row of key row `row`.
    fn org_of_key(&mut self, row: i64) -> Result<i64>;
    /// Appends one event to the audit trail; returns its row id.
    fn append_event(
        &mut self,
        stamp: &Stamp,
        org: i64,
        key: Option<i64>,
        kind: EventKind,
        detail: Option<&str>,
    ) -> Result<i64>;
    /// The newest event of `kind` about key row `key` at `since` or later.
    fn recent_event(&mut self, key: i64, kind: EventKind, since: i64) -> Result<Option<i64>>;
    /// Adds `more` to the attempts event `event` stands for (one of its own).
    fn add_attempts(&mut self, event: i64, more: u64) -> Result<()>;
    /// Counts this transaction as a change that can alter a key's verdict (see
    /// [`super::Store::change_version`]), once however often it is called. Under the
    /// counter's row lock, so versions follow the order of the commits; PostgreSQL also
    /// notifies its listeners.
    fn bump_version(&mut self) -> Result<()>;
}

/// How long one event of attempts to use a revoked or expired key gathers more.
pub const ATTEMPTS_WINDOW: TimeDelta = TimeDelta::minutes(1);

/// A reserved key: the backend's handle on the reservation, and the key's id.
#[derive(Debug, Clone)]
pub struct Reserved {
    pub token: i64,
    pub id: String,
}

/// Last-used times and use attempts, as `verify` saw them. Attempts are counted: at most
/// one event per key and kind per [`ATTEMPTS_WINDOW`], standing for all of them, so a
/// flood of attempts cannot flood the audit trail.
pub fn record_uses(tx: &mut dyn Tx, uses: &Uses, stamp: &Stamp) -> Result<()> {
    tx.touch(&uses.touched)?;
    let mut attempts: BTreeMap<(i64, &'static str), (EventKind, u64)> = BTreeMap::new();
    for (handle, kind) in &uses.attempts {
        attempts
            .entry((*handle, kind.name()))
            .or_insert((*kind, 0))
            .1 += 1;
    }
    let since = (stamp.now - ATTEMPTS_WINDOW).timestamp() + 1;
    for ((handle, _), (kind, count)) in attempts {
        match tx.recent_event(handle, kind, since)? {
            Some(event) => tx.add_attempts(event, count)?,
            None => {
                let org = tx.org_of_key(handle)?;
                let event = tx.append_event(stamp, org, Some(handle), kind, None)?;
                if count > 1 {
                    tx.add_attempts(event, count - 1)?;
                }
            }
        }
    }
    Ok(())
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
    pub attempts: u64,
}

impl EventRow {
    /// [`Self::attempts`] as the stores' integer column holds it.
    pub fn attempts_column(&self) -> i64 {
        i64::try_from(self.attempts).unwrap_or(i64::MAX)
    }
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
    /// The id of the key that replaced key row `row` by rotation, if any.
    fn successor(&mut self, row: i64) -> Result<Option<String>>;
    /// The lifecycle rules' row operations, in the same transaction: the counts and the
    /// name checks `generate` makes.
    fn rules(&mut self) -> &mut dyn Tx;
    /// Called before each batch of records is applied: a backend whose every statement
    /// is a round trip looks up what the batch will ask in a few statements for the
    /// whole batch, and answers from that. The answers must stay those a statement at
    /// the time of the question would give (the backend updates them as it writes).
    fn prefetch(&mut self, _batch: &[Record], _now: Timestamp) -> Result<()> {
        Ok(())
    }
    /// Sends any writes the backend held back; called after the last batch.
    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
    /// [`Tx::active_named`], for a key about to be added.
    fn active_named(&mut self, org: i64, name: &str, now: i64) -> Result<Option<String>> {
        self.rules().active_named(org, name, now)
    }
    /// Whether the key with this id belongs to organization `slug` (locking it, as a
    /// rotation does).
    fn in_org(&mut self, id: &str, slug: &str) -> Result<bool> {
        Ok(self
            .rules()
            .key_for_update(id)?
            .is_some_and(|k| k.key.org == slug))
    }
}
