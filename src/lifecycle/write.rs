//! Every change to the store, through one protocol: the rule runs inside one write
//! transaction, and when the commit's answer is lost with the connection the session
//! connects again and looks: the outcome is reported, never guessed. A new key is stored
//! only once its secret was delivered ([`deliver_then_store`]).

use crate::domain::Timestamp;
use crate::domain::key::{Key, KeyHash};
use crate::domain::org::Org;
use crate::domain::plan::PlanId;
use crate::domain::policy::{Policy, PolicyChange};
use crate::error::{Check, Error, Result};
use crate::store::{Durability, NewKey, Revocation, Rotation, Stamp, Store, Tx};

use super::{Session, rules};

impl Session {
    /// Fails with [`Error::OrgExists`] when the slug is taken.
    pub fn create_org(&mut self, slug: &str, name: &str, plan: PlanId) -> Result<Org> {
        let stamp = self.stamp();
        let store = self.store.as_mut();
        write(
            store,
            Durability::Synced,
            |tx| rules::create_org(tx, slug, name, plan, &stamp),
            |store, ()| store.has_org(slug),
            |()| Check::Org {
                slug: slug.to_owned(),
            },
        )?;
        store.org(slug, stamp.now)?.ok_or_else(|| Error::NoSuchOrg {
            slug: slug.to_owned(),
        })
    }

    pub fn set_default_org(&mut self, slug: &str) -> Result<()> {
        write(
            self.store.as_mut(),
            Durability::Synced,
            |tx| tx.set_default_org(slug),
            |store, ()| Ok(store.default_org()?.as_deref() == Some(slug)),
            |()| Check::Orgs,
        )
    }

    /// Returns the plan the organization had before. Unless `confirmed`, a plan that
    /// [strands](crate::domain::plan::Plan::strands) the active keys, counted inside the
    /// write transaction, is refused with [`Error::ConfirmationNeeded`].
    pub fn set_plan(&mut self, org: &str, plan: PlanId, confirmed: bool) -> Result<PlanId> {
        let stamp = self.stamp();
        write(
            self.store.as_mut(),
            Durability::Synced,
            |tx| rules::set_plan(tx, org, plan, &stamp, confirmed),
            |store, _| {
                Ok(store
                    .org(org, stamp.now)?
                    .is_some_and(|o| o.plan.id == plan))
            },
            |_| Check::Org {
                slug: org.to_owned(),
            },
        )
    }

    /// Applies `change` to the organization's key policy; returns the policy before and
    /// after.
    pub fn set_policy(&mut self, org: &str, change: &PolicyChange) -> Result<(Policy, Policy)> {
        let stamp = self.stamp();
        write(
            self.store.as_mut(),
            Durability::Synced,
            |tx| rules::set_policy(tx, org, change, &stamp),
            |store, (_, new)| Ok(store.org(org, stamp.now)?.is_some_and(|o| o.policy == *new)),
            |_| Check::Policy {
                org: org.to_owned(),
            },
        )
    }

    /// Stores a new key, checked against the plan's limit and the name's uniqueness, once
    /// `deliver` has handed its secret over (see [`deliver_then_store`]).
    pub fn create_key(
        &mut self,
        new: &NewKey,
        deliver: &mut dyn FnMut(&Key) -> Result<()>,
    ) -> Result<Key> {
        let stamp = self.stamp();
        let store = self.store.as_mut();
        Ok(deliver_then_store(store, new, None, stamp.now, &stamp, deliver)?.0)
    }

    pub fn revoke(&mut self, id: &str, reason: Option<&str>) -> Result<Revocation> {
        let stamp = self.stamp();
        write(
            self.store.as_mut(),
            Durability::Synced,
            |tx| rules::revoke(tx, id, reason, &stamp),
            |store, done| match done {
                Revocation::Revoked(key) => Ok(store
                    .key_by_id(&key.org, &key.id)?
                    .is_some_and(|k| k.revoked_at.is_some())),
                Revocation::AlreadyRevoked(_) => Ok(true),
            },
            |done| {
                let key = match done {
                    Revocation::Revoked(key) | Revocation::AlreadyRevoked(key) => key,
                };
                Check::Key {
                    org: key.org.clone(),
                    id: key.id.clone(),
                }
            },
        )
    }

    /// Revokes every key of `keys` (id, reason) in one transaction: all of them or none.
    pub fn revoke_many(&mut self, keys: &[(String, Option<String>)]) -> Result<Vec<Revocation>> {
        let stamp = self.stamp();
        write(
            self.store.as_mut(),
            Durability::Synced,
            |tx| rules::revoke_many(tx, keys, &stamp),
            |store, done| {
                // One transaction: one revocation in place means all of them.
                match done.iter().find_map(|r| match r {
                    Revocation::Revoked(key) => Some(key),
                    Revocation::AlreadyRevoked(_) => None,
                }) {
                    Some(key) => Ok(store
                        .key_by_id(&key.org, &key.id)?
                        .is_some_and(|k| k.revoked_at.is_some())),
                    None => Ok(true),
                }
            },
            |done| {
                let org = done.first().map_or("", |r| match r {
                    Revocation::Revoked(key) | Revocation::AlreadyRevoked(key) => &key.org,
                });
                Check::Revoked {
                    org: org.to_owned(),
                }
            },
        )
    }

    /// Replaces the active key `old_id` with `new`: the old key stops working at
    /// `old_stops_at` (now, or when a grace period ends) and does not count against the
    /// plan's limit. Stored once `deliver` succeeded, as [`Self::create_key`].
    pub fn rotate(
        &mut self,
        old_id: &str,
        new: &NewKey,
        old_stops_at: Timestamp,
        deliver: &mut dyn FnMut(&Key) -> Result<()>,
    ) -> Result<Rotation> {
        let stamp = self.stamp();
        let store = self.store.as_mut();
        match deliver_then_store(store, new, Some(old_id), old_stops_at, &stamp, deliver)? {
            (new, Some(old)) => Ok(Rotation { new, old }),
            (_, None) => Err(Error::corrupt("a rotation replaced no key".into())),
        }
    }
}

/// Whether the key with this hash is in the store under this id.
fn stored(store: &mut dyn Store, hash: &KeyHash, id: &str) -> Result<bool> {
    Ok(store.key_by_hash(hash)?.is_some_and(|found| found.id == id))
}

/// Runs `work` in one write transaction. When the commit's answer is lost with the
/// connection, connects again and asks `landed` whether the change is there: the
/// outcome is reported, never guessed. `check` names where to look, for when
/// the store cannot be reached again.
fn write<T>(
    store: &mut dyn Store,
    durability: Durability,
    mut work: impl FnMut(&mut dyn Tx) -> Result<T>,
    landed: impl FnOnce(&mut dyn Store, &T) -> Result<bool>,
    check: impl FnOnce(&T) -> Check,
) -> Result<T> {
    let mut value = None;
    let result = store.transact(durability, &mut |tx| {
        value = Some(work(tx)?);
        Ok(())
    });
    let lost = match result {
        Ok(()) => return value.ok_or_else(|| Error::corrupt("a write returned nothing".into())),
        Err(Error::CommitLost(cause)) => cause,
        Err(e) => return Err(e),
    };
    let Some(value) = value else {
        return Err(*lost);
    };
    match store.reconnect().and_then(|()| landed(store, &value)) {
        Ok(true) => Ok(value),
        Ok(false) => Err(Error::NotCommitted(lost)),
        Err(_) => Err(Error::OutcomeUnknown {
            cause: lost,
            check: check(&value),
        }),
    }
}

/// A key is stored only once its secret has been delivered, and nothing waits on the
/// delivery: a first transaction reserves the key's place under the plan and its name
/// ([`rules::reserve`]), `deliver` runs with no lock held (a stalled stdout or a slow
/// `--exec` command blocks nobody), and a second transaction stores the key
/// ([`rules::activate`]). A failed delivery releases the reservation and changes
/// nothing; a second transaction that fails after the delivery says that the delivered
/// key was not stored, and one whose outcome was lost is found out ([`write`]).
fn deliver_then_store(
    store: &mut dyn Store,
    new: &NewKey,
    replacing: Option<&str>,
    old_stops_at: Timestamp,
    stamp: &Stamp,
    deliver: &mut dyn FnMut(&Key) -> Result<()>,
) -> Result<(Key, Option<Key>)> {
    // Nothing delivered yet, so a lost answer needs no finding out: the reservation, if
    // it was made, expires.
    let reservation = write(
        store,
        Durability::Relaxed,
        |tx| rules::reserve(tx, new, replacing, stamp),
        |_, _| Ok(false),
        |r| Check::Keys {
            org: r.key.org.clone(),
        },
    )?;
    if let Err(e) = deliver(&reservation.key) {
        let token = reservation.reserved.token;
        let _ = store.transact(Durability::Relaxed, &mut |tx| tx.release(token).map(drop));
        return Err(e);
    }
    // The key is stored with the times it was delivered with (its creation, its
    // expiration, the old key's end): what was printed, or handed to a script, is what
    // the store holds, and a lifetime is exactly the one asked for. Whether the
    // reservation outlived the delivery is judged by the clock of now.
    let now = store.clock()?;
    let stored = write(
        store,
        Durability::Synced,
        |tx| rules::activate(tx, &reservation, old_stops_at, stamp, now),
        |store, (key, _)| stored(store, &new.hash, &key.id),
        |(key, _)| Check::Key {
            org: key.org.clone(),
            id: key.id.clone(),
        },
    );
    if let Err(Error::ShownButNotStored(_) | Error::Store { .. } | Error::NotCommitted(_)) = &stored
    {
        // Refused or failed in the second transaction: give the place back now rather
        // than when the reservation expires.
        let token = reservation.reserved.token;
        let _ = store.transact(Durability::Relaxed, &mut |tx| tx.release(token).map(drop));
    }
    match stored {
        Err(e @ Error::OutcomeUnknown { .. }) => Err(e),
        Err(Error::NotCommitted(e)) => Err(Error::ShownButNotStored(e)),
        Err(e) => Err(Error::ShownButNotStored(Box::new(e))),
        ok => ok,
    }
}
