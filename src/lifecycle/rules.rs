//! The key lifecycle rules, once for both backends: admission against the plan, name
//! uniqueness, create, revoke, rotate, plan changes, organizations, and the audit event
//! each one records. A backend supplies the row operations ([`Tx`]) inside its own write
//! transaction, in its SQL; this module decides, as [`super::import`] does for imports.

use chrono::TimeDelta;

use crate::domain::Timestamp;
use crate::domain::event::EventKind;
use crate::domain::key::{Key, Status};
use crate::domain::plan::{Plan, PlanId, Refusal};
use crate::domain::policy::{Policy, PolicyChange};
use crate::error::{Error, Result};
use crate::store::tx::{KeyRow, OrgRow, Reserved, Tx};
use crate::store::{NewKey, Revocation, Stamp};

/// How long a reservation holds its place while the secret is delivered. A process that
/// dies while delivering holds it no longer than this; a delivery that takes longer
/// still stores its key if the plan and the name still allow it then.
pub const RESERVATION: TimeDelta = TimeDelta::minutes(10);

/// A key reserved in a first transaction, to be stored in a second once its secret is
/// delivered: `key` is the key as it will be stored.
#[derive(Debug, Clone)]
pub struct Reservation {
    pub reserved: Reserved,
    /// The key to store: as asked, with the expiration the policy gave it.
    pub new: NewKey,
    pub key: Key,
    /// The key a rotation replaces.
    pub replacing: Option<String>,
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

/// Checks that one more key fits the plan and that its name is free, at `now`.
/// `replacing` is the key a rotation replaces: it keeps the name on purpose, and it stops
/// counting as the new key starts.
fn check_room(
    tx: &mut dyn Tx,
    org: i64,
    plan: &Plan,
    new: &NewKey,
    replacing: bool,
    now: i64,
) -> Result<()> {
    // An unlimited plan admits any count: skip walking the organization's keys.
    let mut counted = if plan.key_limit.is_some() {
        tx.count_counted(org, now)?
    } else {
        0
    };
    if replacing {
        counted = counted.saturating_sub(1);
    }
    admit(tx, &new.org, plan, counted)?;
    if !replacing && let Some(id) = tx.active_named(org, &new.name, now)? {
        return Err(Error::DuplicateName {
            name: new.name.clone(),
            id,
        });
    }
    Ok(())
}

/// The first of a new key's two transactions: reserves its place under the plan and its
/// name (for a rotation, of the active key `replacing`), so that its secret can be
/// delivered with no lock held.
pub fn reserve(
    tx: &mut dyn Tx,
    new: &NewKey,
    replacing: Option<&str>,
    stamp: &Stamp,
) -> Result<Reservation> {
    let now = stamp.now.timestamp();
    tx.purge_reservations(now)?;
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
    let new = NewKey {
        expires_at,
        ..new.clone()
    };
    let old = replacing.map(|id| key_for_update(tx, id)).transpose()?;
    if let Some(old) = &old {
        old.key
            .check_rotatable(stamp.now)
            .map_err(|why| Error::unrotatable(&old.key.id, why))?;
        if tx.replacement_reserved(old.row, now)? {
            return Err(Error::RotationUnderWay {
                id: old.key.id.clone(),
            });
        }
    }
    check_room(tx, org, &plan, &new, old.is_some(), now)?;
    let until = (stamp.now + RESERVATION).timestamp();
    let reserved = tx.reserve(org, &new.name, old.as_ref().map(|o| o.row), until)?;
    let replacing = old.map(|o| o.key.id);
    Ok(Reservation {
        key: new.stored(reserved.id.clone(), stamp.now, replacing.clone()),
        new,
        reserved,
        replacing,
    })
}

/// The second transaction, once the secret is delivered: stores the reserved key (and
/// for a rotation, lets the old one stop at `old_stops_at`), with the times of `stamp`,
/// the reservation's. A reservation that expired by `now` is checked against the plan
/// and the name again.
pub fn activate(
    tx: &mut dyn Tx,
    reservation: &Reservation,
    old_stops_at: Timestamp,
    stamp: &Stamp,
    at: Timestamp,
) -> Result<(Key, Option<Key>)> {
    let now = at.timestamp();
    let new = &reservation.new;
    let OrgRow { row: org, plan, .. } = lock_org(tx, &new.org)?;
    let old = reservation
        .replacing
        .as_deref()
        .map(|id| key_for_update(tx, id))
        .transpose()?;
    // A live reservation holds the key's place, like a key that exists: a confirmed
    // downgrade since then leaves it, as it leaves existing keys, so no delivered key is
    // refused by a race. One that expired (or that another process purged once it
    // expired) may have lost its place, and is checked again.
    match tx.release(reservation.reserved.token)? {
        Some(until) if until > now => {}
        _ => check_room(tx, org, &plan, new, old.is_some(), now)?,
    }
    // Two rotations of one key: the reservation keeps the second from starting, unless it
    // expired while this one was delivering.
    if let Some(KeyRow {
        key: Key {
            id,
            rotated_to: Some(to),
            ..
        },
        ..
    }) = &old
    {
        return Err(Error::AlreadyRotated {
            id: id.clone(),
            to: to.clone(),
        });
    }
    let row = tx.insert_key(
        org,
        new,
        stamp.now.timestamp(),
        old.as_ref().map(|o| o.row),
        &reservation.reserved,
    )?;
    let detail = reservation
        .replacing
        .as_ref()
        .map(|old| format!("rotated from {old}"));
    tx.append_event(
        stamp,
        org,
        Some(row),
        EventKind::KeyCreated,
        detail.as_deref(),
    )?;
    let key = Key {
        created_at: stamp.now,
        ..reservation.key.clone()
    };
    let Some(old) = old else {
        return Ok((key, None));
    };
    // Revoked by someone else while the secret was delivered: that revocation stands.
    let rotated = if old.key.status(at) == Status::Revoked {
        Key {
            rotated_to: Some(key.id.clone()),
            ..old.key
        }
    } else {
        let rotated = old.key.rotated(&key.id, old_stops_at);
        tx.set_revoked(
            old.row,
            old_stops_at.timestamp(),
            rotated.revoke_reason.as_deref(),
        )?;
        rotated
    };
    let detail = rotated.rotation_detail();
    tx.append_event(
        stamp,
        old.org,
        Some(old.row),
        EventKind::KeyRotated,
        detail.as_deref(),
    )?;
    Ok((key, Some(rotated)))
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
    tx.append_event(stamp, org, None, EventKind::OrgCreated, Some(plan.slug()))?;
    Ok(())
}
