//! The key lifecycle rules, once for both backends: admission against the plan and the
//! key policy, name uniqueness, create, revoke (one key or many), rotate, plan and policy
//! changes, organizations, and the audit event each one records. A backend supplies the row operations ([`Tx`]) inside its own write
//! transaction, in its SQL; this module decides, as [`super::import`] does for imports.

use std::collections::BTreeMap;

use crate::domain::Timestamp;
use crate::domain::event::EventKind;
use crate::domain::key::{Key, Status};
use crate::domain::plan::{Plan, PlanId, Refusal};
use crate::domain::policy::{Policy, PolicyChange};
use crate::error::{Error, Result};
use crate::store::{NewKey, Revocation, Rotation, Stamp, Uses};

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
    /// at `now`.
    fn count_counted(&mut self, org: i64, now: i64) -> Result<u64>;
    /// The id of an active key of `org` named `name` at `now`.
    fn active_named(&mut self, org: i64, name: &str, now: i64) -> Result<Option<String>>;
    /// Inserts the key and returns its row id and key id.
    fn insert_key(
        &mut self,
        org: i64,
        new: &NewKey,
        created_at: i64,
        rotated_from: Option<i64>,
    ) -> Result<(i64, String)>;
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
    fn append_event(
        &mut self,
        stamp: &Stamp,
        org: i64,
        key: Option<i64>,
        kind: EventKind,
        detail: Option<&str>,
    ) -> Result<()>;
    /// Makes the transaction's writes reach the store's log before a secret is shown,
    /// so a full disk fails first (SQLite); nothing to do where the server holds them.
    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
}

fn lock_org(tx: &mut dyn Tx, slug: &str) -> Result<OrgRow> {
    tx.lock_org(slug)?.ok_or_else(|| Error::NoSuchOrg {
        slug: slug.to_owned(),
    })
}

/// Applies the plan's rule to one more key. When the limit refuses, the plans name an
/// upgrade in the hint.
fn admit(tx: &mut dyn Tx, org: &str, plan: &Plan, counted: u64) -> Result<()> {
    match plan.admit_new_key(counted) {
        Ok(()) => Ok(()),
        Err(Refusal::NoApiAccess) => Err(Error::NoApiAccess {
            org: org.to_owned(),
        }),
        Err(Refusal::LimitReached { limit, active }) => {
            let upgrade = Plan::upgrade_for(&tx.plans()?, active).map(|p| p.id);
            Err(Error::PlanLimit {
                org: org.to_owned(),
                plan: plan.id,
                limit,
                active,
                upgrade,
            })
        }
    }
}

/// Inserts `new` after checking the plan and the name. `replacing` is the key being
/// rotated out: it keeps the name on purpose, and it stops counting as this key starts.
pub fn create_key(
    tx: &mut dyn Tx,
    new: &NewKey,
    replacing: Option<&KeyRow>,
    stamp: &Stamp,
) -> Result<(Key, i64)> {
    let now = stamp.now.timestamp();
    let OrgRow {
        row: org,
        plan,
        policy,
    } = lock_org(tx, &new.org)?;
    // The policy read under the lock decides: one changed since the caller looked holds.
    let expires_at = policy
        .expiry(new.expires_at, new.expires_asked, stamp.now)
        .map_err(|why| Error::OutsidePolicy {
            org: new.org.clone(),
            why,
        })?;
    let adjusted;
    let new = if expires_at == new.expires_at {
        new
    } else {
        adjusted = NewKey {
            expires_at,
            ..new.clone()
        };
        &adjusted
    };
    // An unlimited plan admits any count: skip walking the organization's keys.
    let mut counted = if plan.key_limit.is_some() {
        tx.count_counted(org, now)?
    } else {
        0
    };
    if replacing.is_some() {
        counted = counted.saturating_sub(1);
    }
    admit(tx, &new.org, &plan, counted)?;
    if replacing.is_none()
        && let Some(id) = tx.active_named(org, &new.name, now)?
    {
        return Err(Error::DuplicateName {
            name: new.name.clone(),
            id,
        });
    }
    let (row, id) = tx.insert_key(org, new, now, replacing.map(|r| r.row))?;
    let rotated_from = replacing.map(|r| r.key.id.clone());
    let detail = rotated_from
        .as_ref()
        .map(|old| format!("rotated from {old}"));
    tx.append_event(
        stamp,
        org,
        Some(row),
        EventKind::KeyCreated,
        detail.as_deref(),
    )?;
    Ok((new.stored(id, stamp.now, rotated_from), row))
}

fn key_for_update(tx: &mut dyn Tx, id: &str) -> Result<KeyRow> {
    tx.key_for_update(id)?.ok_or_else(|| Error::NoSuchKey {
        reference: id.to_owned(),
        org: String::new(),
    })
}

pub fn revoke(
    tx: &mut dyn Tx,
    id: &str,
    reason: Option<&str>,
    stamp: &Stamp,
) -> Result<Revocation> {
    let found = key_for_update(tx, id)?;
    if found.key.status(stamp.now) == Status::Revoked {
        return Ok(Revocation::AlreadyRevoked(found.key));
    }
    tx.set_revoked(found.row, stamp.now.timestamp(), reason)?;
    tx.append_event(
        stamp,
        found.org,
        Some(found.row),
        EventKind::KeyRevoked,
        reason,
    )?;
    Ok(Revocation::Revoked(found.key.revoked(stamp.now, reason)))
}

/// Revokes each key, in one transaction, each with its own reason. Keys are locked in
/// the order of their ids, so two bulk revocations cannot deadlock; the outcomes come
/// back in the order given.
pub fn revoke_many(
    tx: &mut dyn Tx,
    keys: &[(String, Option<String>)],
    stamp: &Stamp,
) -> Result<Vec<Revocation>> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|a, b| keys[*a].0.cmp(&keys[*b].0));
    let mut done: Vec<Option<Revocation>> = vec![None; keys.len()];
    for i in order {
        let (id, reason) = &keys[i];
        done[i] = Some(revoke(tx, id, reason.as_deref(), stamp)?);
    }
    Ok(done.into_iter().flatten().collect())
}

pub fn rotate(
    tx: &mut dyn Tx,
    old_id: &str,
    new: &NewKey,
    old_stops_at: Timestamp,
    stamp: &Stamp,
) -> Result<Rotation> {
    let old = key_for_update(tx, old_id)?;
    old.key
        .check_rotatable(stamp.now)
        .map_err(|why| Error::unrotatable(&old.key.id, why))?;
    let (new_key, _) = create_key(tx, new, Some(&old), stamp)?;
    let rotated = old.key.clone().rotated(&new_key.id, old_stops_at);
    tx.set_revoked(
        old.row,
        old_stops_at.timestamp(),
        rotated.revoke_reason.as_deref(),
    )?;
    let detail = rotated.rotation_detail();
    tx.append_event(
        stamp,
        old.org,
        Some(old.row),
        EventKind::KeyRotated,
        detail.as_deref(),
    )?;
    Ok(Rotation {
        new: new_key,
        old: rotated,
    })
}

/// Returns the plan the organization had before. Unless `confirmed`, a plan that
/// strands the keys counted inside this transaction is refused: a key committed since
/// the caller looked cannot slip past the confirmation.
pub fn set_plan(
    tx: &mut dyn Tx,
    slug: &str,
    plan: PlanId,
    stamp: &Stamp,
    confirmed: bool,
) -> Result<PlanId> {
    let OrgRow {
        row: org,
        plan: old,
        ..
    } = lock_org(tx, slug)?;
    if !confirmed {
        let counted = tx.count_counted(org, stamp.now.timestamp())?;
        if tx
            .plans()?
            .iter()
            .any(|p| p.id == plan && p.strands(counted))
        {
            return Err(Error::ConfirmationNeeded {
                action: "a downgrade below the active keys",
            });
        }
    }
    if old.id != plan {
        tx.set_org_plan(org, plan)?;
        let detail = format!("{} -> {plan}", old.id);
        tx.append_event(stamp, org, None, EventKind::PlanChanged, Some(&detail))?;
    }
    Ok(old.id)
}

/// Applies `change` to the organization's policy, an audit event for each setting that
/// changed ("max-lifetime: none -> 90d"). Keys that exist keep their expiration.
/// Returns the policy before and after.
pub fn set_policy(
    tx: &mut dyn Tx,
    slug: &str,
    change: &PolicyChange,
    stamp: &Stamp,
) -> Result<(Policy, Policy)> {
    let OrgRow {
        row: org,
        policy: old,
        ..
    } = lock_org(tx, slug)?;
    let (new, changed) = old.apply(change);
    if changed.is_empty() {
        return Ok((old, old));
    }
    tx.set_org_policy(org, &new)?;
    for (setting, from, to) in changed {
        let detail = format!("{setting}: {from} -> {to}");
        tx.append_event(stamp, org, None, EventKind::PolicyChanged, Some(&detail))?;
    }
    Ok((old, new))
}

pub fn create_org(
    tx: &mut dyn Tx,
    slug: &str,
    name: &str,
    plan: PlanId,
    stamp: &Stamp,
) -> Result<()> {
    let org = tx
        .insert_org(slug, name, plan, stamp.now.timestamp())?
        .ok_or_else(|| Error::OrgExists {
            slug: slug.to_owned(),
        })?;
    tx.append_event(stamp, org, None, EventKind::OrgCreated, Some(plan.slug()))
}

/// Last-used times and use attempts, as `verify` saw them.
pub fn record_uses(tx: &mut dyn Tx, uses: &Uses, stamp: &Stamp) -> Result<()> {
    tx.touch(&uses.touched)?;
    for (handle, kind) in &uses.attempts {
        let org = tx.org_of_key(*handle)?;
        tx.append_event(stamp, org, Some(*handle), *kind, None)?;
    }
    Ok(())
}
