//! The storage interface: everything the commands need from a store, in domain types.
//!
//! Commands never see SQL or a database crate's types. A backend implements [`Store`];
//! [`open`] and [`create`] pick one from the `--db` location: SQLite ([`sqlite`]), the
//! embedded default, or PostgreSQL ([`postgres`]) for a store shared across machines.

pub mod import;
pub mod postgres;
pub mod rows;
pub mod rules;
pub mod sqlite;

use std::collections::BTreeMap;

use crate::domain::Timestamp;
use crate::domain::dump::Record;
use crate::domain::event::{Event, EventKind};
use crate::domain::key::{self, Hint, Key, KeyHash, Status};
use crate::domain::org::Org;
use crate::domain::plan::{Plan, PlanId};
use crate::domain::policy::{Policy, PolicyChange};
use crate::error::{Error, Result};
pub use rules::Tx;

/// Where the store lives, parsed from `--db` / `SEENTY_KEYS_DB`.
/// Its `Display` and `Debug` never show a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(std::path::PathBuf),
    Postgres(postgres::PgUrl),
}

impl Location {
    /// `PATH` or `sqlite:PATH`, or `postgres://…` / `postgresql://…`. Any other
    /// `scheme://` is refused rather than taken for a relative path.
    pub fn parse(text: &str) -> Result<Self> {
        if let Some(path) = text.strip_prefix("sqlite:") {
            return Ok(Self::Sqlite(path.into()));
        }
        if let Some(url) = postgres::PgUrl::parse(text) {
            return Ok(Self::Postgres(url));
        }
        if text.is_empty() || text.contains("://") {
            // Strip anything that looks like a password before echoing it.
            let shown = match text.split_once("://") {
                Some((scheme, rest)) => match rest.rsplit_once('@') {
                    Some((user, host)) => {
                        let user = user.split(':').next().unwrap_or_default();
                        format!("{scheme}://{user}@{host}")
                    }
                    None => text.to_owned(),
                },
                None => text.to_owned(),
            };
            return Err(Error::UnsupportedDb(shown));
        }
        Ok(Self::Sqlite(text.into()))
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "{}", path.display()),
            Self::Postgres(url) => write!(f, "{url}"),
        }
    }
}

/// This machine's clock in whole seconds, the stores' resolution: SQLite's
/// [`Store::clock`].
pub fn system_now() -> Timestamp {
    chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp(), 0).unwrap_or_default()
}

/// Who did something and when: stamped on every audit event.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub now: Timestamp,
    pub actor: String,
}

/// A key to insert. The secret is not here, only its hash and hint.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub org: String,
    pub name: String,
    pub hash: KeyHash,
    pub hint: Hint,
    /// Without `--expires`: `expires_at` is only a preference (a rotation keeps the old
    /// key's lifetime), and the key policy's maximum lifetime applies when it is outside it.
    pub expires_at: Option<Timestamp>,
    /// Whether `expires_at` was asked for (`--expires`): outside the policy it is refused.
    pub expires_asked: bool,
}

impl NewKey {
    /// The key as stored once inserted with id `id` at `created_at` (a rotation's
    /// replacement names the key it replaced). The backend chooses the id.
    pub fn stored(&self, id: String, created_at: Timestamp, rotated_from: Option<String>) -> Key {
        Key {
            id,
            org: self.org.clone(),
            name: self.name.clone(),
            hint: self.hint.clone(),
            created_at,
            expires_at: self.expires_at,
            last_used_at: None,
            revoked_at: None,
            revoke_reason: None,
            rotated_from,
            rotated_to: None,
        }
    }
}

/// What `verify` learns from one lookup by hash: only what a verdict needs, so the hot
/// path reads one narrow row.
#[derive(Debug, Clone)]
pub struct KeyMatch {
    /// The backend's row id, handed back in [`Uses`] so recording a use needs no lookup.
    pub handle: i64,
    pub id: String,
    pub org: String,
    pub name: String,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    /// Whether the organization's plan grants API access.
    pub api_access: bool,
}

impl KeyMatch {
    pub fn status(&self, now: Timestamp) -> Status {
        key::status_at(self.revoked_at, self.expires_at, now)
    }
}

/// The change counter as read at one moment ([`Store::change_version`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observed {
    pub version: i64,
    /// The store's clock at the read, in milliseconds since the epoch: the server's on
    /// PostgreSQL, this machine's for SQLite.
    pub clock_ms: i64,
}

/// A rotation: the new key, and the old one with the time it stops working.
#[derive(Debug, Clone)]
pub struct Rotation {
    pub new: Key,
    pub old: Key,
}

/// What `verify` saw, recorded in one transaction: last-used times (one per key, the
/// latest, in row order so neighbouring rows share pages) and attempts to use revoked or
/// expired keys for the audit trail. Keys are [`KeyMatch::handle`]s.
#[derive(Debug, Clone, Default)]
pub struct Uses {
    pub touched: BTreeMap<i64, Timestamp>,
    pub attempts: Vec<(i64, EventKind)>,
}

impl Uses {
    pub fn touch(&mut self, handle: i64, at: Timestamp) {
        self.touched.insert(handle, at);
    }

    pub fn is_empty(&self) -> bool {
        self.touched.is_empty() && self.attempts.is_empty()
    }

    pub fn clear(&mut self) {
        self.touched.clear();
        self.attempts.clear();
    }
}

/// The outcome of a revocation: revoking a revoked key succeeds and says so.
#[derive(Debug, Clone)]
pub enum Revocation {
    Revoked(Key),
    AlreadyRevoked(Key),
}

/// How hard a commit presses on the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Lifecycle changes (keys, revocations, plans): on disk before the command
    /// succeeds, so they survive a power cut.
    Synced,
    /// Usage records (last used, use attempts): safe from a crashed process, but the last
    /// moments may be lost to a power cut; this keeps fsync off the `verify` path.
    Relaxed,
}

/// A store: the reads each backend writes in its SQL, one write primitive
/// ([`Self::transact`]), and the writes, provided once for both backends on top of it
/// by [`rules`].
pub trait Store {
    fn plans(&mut self) -> Result<Vec<Plan>>;

    fn orgs(&mut self, now: Timestamp) -> Result<Vec<Org>>;
    /// Every organization's slug, in order: [`Self::orgs`] without counting their keys,
    /// which takes a scan of them all.
    fn org_slugs(&mut self) -> Result<Vec<String>>;
    fn org(&mut self, slug: &str, now: Timestamp) -> Result<Option<Org>>;
    /// Whether the organization exists: [`Self::org`] without counting its keys.
    fn has_org(&mut self, slug: &str) -> Result<bool>;
    fn default_org(&mut self) -> Result<Option<String>>;
    /// Calls `visit` for each key of `org` (with `status` at `now`, if given), oldest first.
    fn keys(
        &mut self,
        org: &str,
        status: Option<Status>,
        now: Timestamp,
        visit: &mut dyn FnMut(Key) -> Result<()>,
    ) -> Result<()>;
    fn key_by_id(&mut self, org: &str, id: &str) -> Result<Option<Key>>;
    /// All keys of `org` with this exact name, newest first.
    fn keys_named(&mut self, org: &str, name: &str) -> Result<Vec<Key>>;
    /// The key with this hash, in any organization: the `verify` lookup.
    fn key_by_hash(&mut self, hash: &KeyHash) -> Result<Option<KeyMatch>>;
    /// [`Self::key_by_hash`] for many hashes against one snapshot of the store (one read
    /// transaction): `found` gets each hash's index and match.
    fn lookup_many(
        &mut self,
        hashes: &[KeyHash],
        found: &mut dyn FnMut(usize, Option<KeyMatch>) -> Result<()>,
    ) -> Result<()>;
    /// Calls `visit` for the newest `limit` events of `org` (of one key, if given), newest
    /// first.
    fn events(
        &mut self,
        org: &str,
        key_id: Option<&str>,
        limit: u32,
        visit: &mut dyn FnMut(Event) -> Result<()>,
    ) -> Result<()>;
    /// What `report` reads, from one snapshot and one pass over the keys: organization
    /// `org` (every one when `None`), then each of its keys that counts against the plan
    /// at `now` (see [`rows::Hygiene`]), oldest first.
    fn hygiene(
        &mut self,
        org: Option<&str>,
        now: Timestamp,
        visit: &mut dyn FnMut(rows::Hygiene) -> Result<()>,
    ) -> Result<()>;
    /// Calls `visit` for each event a leak report recorded on a key (of `org`, or of
    /// every organization) at `since` or later, newest first: what `report` lists as
    /// leaked.
    fn leaks(
        &mut self,
        org: Option<&str>,
        since: Timestamp,
        visit: &mut dyn FnMut(Event) -> Result<()>,
    ) -> Result<()>;
    /// Calls `visit` for every row of the store, from one snapshot, in the order
    /// [`Self::import`] replays them (see [`crate::domain::dump`]).
    fn export(&mut self, visit: &mut dyn FnMut(Record) -> Result<()>) -> Result<()>;
    /// Loads exported records in one write transaction, idempotently (see [`import`]).
    /// Without `merge`, a store that holds an organization is refused, untouched.
    /// Keys count against their plans, and names clash, as at `now`.
    fn import(
        &mut self,
        records: &[Record],
        merge: bool,
        now: Timestamp,
    ) -> Result<import::Imported>;

    /// The time of this moment for every lifecycle time and status decision: the
    /// database server's clock on PostgreSQL, so runners with skewed clocks agree
    /// (whole seconds, the stores' resolution).
    fn clock(&mut self) -> Result<Timestamp>;
    /// Runs `work` in one write transaction and commits it with `durability`. A commit
    /// whose answer was lost with the connection is [`Error::CommitLost`]: it may or may
    /// not have happened.
    fn transact(
        &mut self,
        durability: Durability,
        work: &mut dyn FnMut(&mut dyn Tx) -> Result<()>,
    ) -> Result<()>;
    /// Connects again after [`Error::CommitLost`], to find out what happened.
    fn reconnect(&mut self) -> Result<()>;
    /// The change counter: it grows in every write transaction that can alter a key's
    /// verdict (a key stored, revoked or rotated, a plan changed, an import), and never
    /// with usage records. Read with the store's clock, for `serve`'s view.
    fn change_version(&mut self) -> Result<Observed>;
    /// Subscribes this connection to notifications of changes; false when the backend
    /// has none (SQLite), and then [`Self::wait_change`] only sleeps.
    fn listen_changes(&mut self) -> Result<bool> {
        Ok(false)
    }
    /// Waits at most `timeout` for a notification of a change; whether one came.
    fn wait_change(&mut self, timeout: std::time::Duration) -> Result<bool> {
        std::thread::sleep(timeout);
        Ok(false)
    }
    /// The database role this store acts as, recorded with the OS account in the audit
    /// log: PostgreSQL's `current_user`. A SQLite file has none.
    fn role(&mut self) -> Result<Option<String>> {
        Ok(None)
    }

    /// Fails with [`Error::OrgExists`] when the slug is taken.
    fn create_org(&mut self, slug: &str, name: &str, plan: PlanId, stamp: &Stamp) -> Result<Org> {
        write(
            self,
            Durability::Synced,
            |tx| rules::create_org(tx, slug, name, plan, stamp),
            |store, ()| store.has_org(slug),
            |()| format!("seenty-keys org show {slug}"),
        )?;
        self.org(slug, stamp.now)?.ok_or_else(|| Error::NoSuchOrg {
            slug: slug.to_owned(),
        })
    }

    fn set_default_org(&mut self, slug: &str) -> Result<()> {
        write(
            self,
            Durability::Synced,
            |tx| tx.set_default_org(slug),
            |store, ()| Ok(store.default_org()?.as_deref() == Some(slug)),
            |()| "seenty-keys org list".to_owned(),
        )
    }

    /// Returns the plan the organization had before. Unless `confirmed`, a plan that
    /// [strands](Plan::strands) the active keys, counted inside the write transaction, is
    /// refused with [`Error::ConfirmationNeeded`].
    fn set_plan(
        &mut self,
        org: &str,
        plan: PlanId,
        stamp: &Stamp,
        confirmed: bool,
    ) -> Result<PlanId> {
        write(
            self,
            Durability::Synced,
            |tx| rules::set_plan(tx, org, plan, stamp, confirmed),
            |store, _| {
                Ok(store
                    .org(org, stamp.now)?
                    .is_some_and(|o| o.plan.id == plan))
            },
            |_| format!("seenty-keys org show {org}"),
        )
    }

    /// Applies `change` to the organization's key policy; returns the policy before and
    /// after.
    fn set_policy(
        &mut self,
        org: &str,
        change: &PolicyChange,
        stamp: &Stamp,
    ) -> Result<(Policy, Policy)> {
        write(
            self,
            Durability::Synced,
            |tx| rules::set_policy(tx, org, change, stamp),
            |store, (_, new)| Ok(store.org(org, stamp.now)?.is_some_and(|o| o.policy == *new)),
            |_| format!("seenty-keys --org {org} org policy"),
        )
    }

    /// Stores a new key, checked against the plan's limit and the name's uniqueness, once
    /// `deliver` has handed its secret over (see [`deliver_then_store`]).
    fn create_key(
        &mut self,
        new: &NewKey,
        stamp: &Stamp,
        deliver: &mut dyn FnMut(&Key) -> Result<()>,
    ) -> Result<Key> {
        Ok(deliver_then_store(self, new, None, stamp.now, stamp, deliver)?.0)
    }

    fn revoke(&mut self, id: &str, reason: Option<&str>, stamp: &Stamp) -> Result<Revocation> {
        write(
            self,
            Durability::Synced,
            |tx| rules::revoke(tx, id, reason, stamp),
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
                format!("seenty-keys --org {} show {}", key.org, key.id)
            },
        )
    }

    /// Revokes every key of `keys` (id, reason) in one transaction: all of them or none.
    fn revoke_many(
        &mut self,
        keys: &[(String, Option<String>)],
        stamp: &Stamp,
    ) -> Result<Vec<Revocation>> {
        write(
            self,
            Durability::Synced,
            |tx| rules::revoke_many(tx, keys, stamp),
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
                format!("seenty-keys --org {org} list --status revoked")
            },
        )
    }

    /// What a leak report does: revokes, in one transaction, each of `keys` (id, reason)
    /// not revoked yet, and returns the ids it revoked. [`Self::revoke_many`] by default;
    /// PostgreSQL, where each statement is a round trip, does it in a few statements for
    /// the whole report, so a report of thousands of keys is answered in seconds.
    fn revoke_reported(
        &mut self,
        keys: &[(String, Option<String>)],
        stamp: &Stamp,
    ) -> Result<Vec<String>> {
        Ok(self
            .revoke_many(keys, stamp)?
            .into_iter()
            .filter_map(|done| match done {
                Revocation::Revoked(key) => Some(key.id),
                Revocation::AlreadyRevoked(_) => None,
            })
            .collect())
    }

    /// Replaces the active key `old_id` with `new`: the old key stops working at
    /// `old_stops_at` (now, or when a grace period ends) and does not count against the
    /// plan's limit. Stored once `deliver` succeeded, as `create_key`.
    fn rotate(
        &mut self,
        old_id: &str,
        new: &NewKey,
        old_stops_at: Timestamp,
        stamp: &Stamp,
        deliver: &mut dyn FnMut(&Key) -> Result<()>,
    ) -> Result<Rotation> {
        match deliver_then_store(self, new, Some(old_id), old_stops_at, stamp, deliver)? {
            (new, Some(old)) => Ok(Rotation { new, old }),
            (_, None) => Err(Error::corrupt("a rotation replaced no key".into())),
        }
    }

    /// Records last-used times (kept to the second, never moved backwards) and use
    /// attempts, all in one transaction.
    fn record_uses(&mut self, uses: &Uses, stamp: &Stamp) -> Result<()> {
        if uses.is_empty() {
            return Ok(());
        }
        // Usage may be lost to a crash by design (Durability::Relaxed): a lost answer
        // is not worth a second connection.
        match self.transact(Durability::Relaxed, &mut |tx| {
            rules::record_uses(tx, uses, stamp)
        }) {
            Err(Error::CommitLost(_)) => Ok(()),
            other => other,
        }
    }
}

/// Whether the key with this hash is in the store under this id.
fn stored<S: Store + ?Sized>(store: &mut S, hash: &KeyHash, id: &str) -> Result<bool> {
    Ok(store.key_by_hash(hash)?.is_some_and(|found| found.id == id))
}

/// Runs `work` in one write transaction. When the commit's answer is lost with the
/// connection, connects again and asks `landed` whether the change is there: the
/// outcome is reported, never guessed. `check` names the command that tells, for when
/// the store cannot be reached again.
fn write<S: Store + ?Sized, T>(
    store: &mut S,
    durability: Durability,
    mut work: impl FnMut(&mut dyn Tx) -> Result<T>,
    landed: impl FnOnce(&mut S, &T) -> Result<bool>,
    check: impl FnOnce(&T) -> String,
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
fn deliver_then_store<S: Store + ?Sized>(
    store: &mut S,
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
        |r| format!("seenty-keys --org {} list", r.key.org),
    )?;
    if let Err(e) = deliver(&reservation.key) {
        let token = reservation.reserved.token;
        let _ = store.transact(Durability::Relaxed, &mut |tx| tx.release(token).map(drop));
        return Err(e);
    }
    // The key starts working now, not when it was reserved: its creation, the audit
    // event and the old key's end (for a rotation) take the time of the second
    // transaction, so the trail's order is the order in which keys became valid.
    let now = store.clock()?;
    let stamp = &Stamp {
        now,
        actor: stamp.actor.clone(),
    };
    let old_stops_at = old_stops_at + (now - reservation.key.created_at);
    let stored = write(
        store,
        Durability::Synced,
        |tx| rules::activate(tx, &reservation, old_stops_at, stamp),
        |store, (key, _)| stored(store, &new.hash, &key.id),
        |(key, _)| format!("seenty-keys --org {} show {}", key.org, key.id),
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

/// How many of a backend's `migrations` a store at schema `version` has applied; a
/// newer schema is refused before anything is written.
pub(crate) fn migrations_applied(version: i64, migrations: usize) -> Result<usize> {
    let latest = i64::try_from(migrations).unwrap_or(i64::MAX);
    if version > latest {
        return Err(Error::StoreNewer {
            found: version,
            supported: latest,
        });
    }
    usize::try_from(version)
        .map_err(|_| Error::corrupt(format!("invalid schema version {version}")))
}

/// Opens an existing store; a missing one is [`Error::StoreMissing`].
pub fn open(location: &Location) -> Result<Box<dyn Store>> {
    Ok(open_send(location)?)
}

/// [`open`], for a store handed to another thread (`serve`'s).
pub fn open_send(location: &Location) -> Result<Box<dyn Store + Send>> {
    match location {
        Location::Sqlite(path) => Ok(Box::new(sqlite::SqliteStore::open(path)?)),
        Location::Postgres(url) => Ok(Box::new(postgres::PgStore::open(url)?)),
    }
}

/// Opens a store, creating it (and its directory) when missing. Only `init` creates.
pub fn create(location: &Location) -> Result<(Box<dyn Store>, bool)> {
    match location {
        Location::Sqlite(path) => {
            let (store, created) = sqlite::SqliteStore::create(path)?;
            Ok((Box::new(store), created))
        }
        Location::Postgres(url) => {
            let (store, created) = postgres::PgStore::create(url)?;
            Ok((Box::new(store), created))
        }
    }
}

/// Warnings about the store's location (a file others can read), for the caller to print.
pub fn warnings(location: &Location) -> Vec<String> {
    match location {
        Location::Sqlite(path) => sqlite::permission_warnings(path),
        Location::Postgres(_) => Vec::new(),
    }
}
