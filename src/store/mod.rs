//! The storage interface: everything the commands need from a store, in domain types.
//!
//! Commands never see SQL or a database crate's types. A backend implements [`Store`];
//! [`open`] and [`create`] pick one from the `--db` location: SQLite ([`sqlite`]), the
//! embedded default, or PostgreSQL ([`postgres`]) for a store shared across machines.

pub mod postgres;
pub mod rows;
pub mod sqlite;
pub mod tx;

use std::collections::BTreeMap;

use crate::domain::Timestamp;
use crate::domain::dump::Record;
use crate::domain::event::{Event, EventKind};
use crate::domain::key::{self, Hint, Key, KeyHash, Status};
use crate::domain::org::Org;
use crate::domain::plan::Plan;
use crate::error::{Error, Result};
pub use tx::Tx;

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

impl Location {
    /// Whether the store's clock is this machine's (SQLite's is): only then may a time
    /// be judged before the store is open.
    pub fn clock_is_local(&self) -> bool {
        matches!(self, Self::Sqlite(_))
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
    /// Notes a use of key row `handle` at `at`; the latest of its uses is kept (last used
    /// never moves backward).
    pub fn touch(&mut self, handle: i64, at: Timestamp) {
        let latest = self.touched.entry(handle).or_insert(at);
        *latest = (*latest).max(at);
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

/// A store: the reads each backend writes in its SQL, and one write primitive
/// ([`Self::transact`]) on which [`crate::lifecycle`] builds every change.
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
    /// Runs `work` over the rows an import adds, in one write transaction that no other
    /// writer of keys or organizations races (the algorithm is
    /// [`crate::lifecycle::import`]).
    fn import_with(
        &mut self,
        work: &mut dyn FnMut(&mut dyn tx::Target) -> Result<()>,
    ) -> Result<()>;

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
    /// A leak report's revocations as the backend does them in bulk: each of `keys` (id,
    /// reason) not revoked yet is revoked with its reason and an audit event, in one
    /// transaction, and the ids revoked are returned. `None` where the backend has no
    /// such path and the rules' own revocation of many keys serves
    /// (`Session::revoke_reported`): PostgreSQL has one, as each of its statements is a
    /// round trip and a report may name thousands of keys.
    fn revoke_reported(
        &mut self,
        _keys: &[(String, Option<String>)],
        _stamp: &Stamp,
    ) -> Result<Option<Vec<String>>> {
        Ok(None)
    }
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

    /// Records last-used times (kept to the second, never moved backwards) and use
    /// attempts, all in one transaction.
    fn record_uses(&mut self, uses: &Uses, stamp: &Stamp) -> Result<()> {
        if uses.is_empty() {
            return Ok(());
        }
        // Usage may be lost to a crash by design (Durability::Relaxed): a lost answer
        // is not worth a second connection.
        match self.transact(Durability::Relaxed, &mut |tx| {
            tx::record_uses(tx, uses, stamp)
        }) {
            Err(Error::CommitLost(_)) => Ok(()),
            other => other,
        }
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
pub fn open(location: &Location) -> Result<Box<dyn Store + Send>> {
    match location {
        Location::Sqlite(path) => Ok(Box::new(sqlite::SqliteStore::open(path)?)),
        Location::Postgres(url) => Ok(Box::new(postgres::PgStore::open(url)?)),
    }
}

/// Opens a store, creating it (and its directory) when missing. Only `init` creates.
pub fn create(location: &Location) -> Result<(Box<dyn Store + Send>, bool)> {
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
pub fn warnings(location: &Location) -> Vec<crate::error::StoreWarning> {
    match location {
        Location::Sqlite(path) => sqlite::permission_warnings(path),
        Location::Postgres(_) => Vec::new(),
    }
}
