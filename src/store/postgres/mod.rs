//! The PostgreSQL backend, for teams whose CI runners span machines: the only module
//! besides [`super::sqlite`] that holds SQL, and the only one that touches the
//! `postgres` crate.
//!
//! Same rows as the SQLite store (integer Unix seconds, a `key_usage` table), versioned
//! migrations tracked in `schema_migrations`, and the same guarantees by other means:
//! writes that check a plan lock the organization's row, every change is one
//! transaction, and waiting for a lock ends after [`LOCK_TIMEOUT_MS`] with exit 3.

mod dump;
mod errors;
mod events;
mod keys;
mod known;
mod leaks;
mod orgs;
mod pending;
mod pgpass;
mod rows;
mod tls;
mod tx;
pub mod url;

use postgres::config::SslMode;
use postgres::{Client, NoTls, Transaction};

use super::{Durability, KeyMatch, Store, Tx};
use crate::domain::Timestamp;
use crate::domain::dump::Record;
use crate::domain::event::Event;
use crate::domain::key::{Key, KeyHash, Status};
use crate::domain::org::Org;
use crate::domain::plan::Plan;
use crate::domain::text::name_key;
use crate::error::{Error, Result};
pub use url::PgUrl;

/// Migrations, applied in order; migration N is schema version N.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_reservations.sql"),
    include_str!("migrations/0003_policy.sql"),
    include_str!("migrations/0004_change_version.sql"),
];
/// The migration that adds `keys.name_key`, which only the tool can compute.
const NAME_KEYS_FROM: usize = 2;
/// How long a statement waits for a row or table lock before failing (exit 3), as
/// SQLite's busy timeout.
pub const LOCK_TIMEOUT_MS: u64 = 5000;
/// The channel every change of the counter is notified on (`serve` listens).
pub const CHANGES_CHANNEL: &str = "seenty_keys_changes";
/// The advisory lock that serializes migrations between processes.
const MIGRATION_LOCK: i64 = 0x5eed_4b65_7973;
/// The advisory lock that serializes imports, so two cannot both find the store empty.
const IMPORT_LOCK: i64 = 0x5eed_4b65_7974;

pub struct PgStore {
    client: Client,
    url: PgUrl,
    /// The server's clock as read when the store was opened, for the command's first
    /// [`Store::clock`]: one round trip less.
    opened_at: Option<Timestamp>,
    /// `current_user`, read with the schema version: [`Store::role`].
    role: Option<String>,
}

impl PgStore {
    /// Opens an initialized store, upgrading an older schema. A newer schema is refused
    /// before anything is written; a database without the schema is "no store".
    pub fn open(url: &PgUrl) -> Result<Self> {
        let mut store = Self::connect(url)?;
        match store.schema_version()? {
            0 => Err(Error::StoreMissing {
                location: url.to_string(),
            }),
            version => {
                store.migrate(version)?;
                Ok(store)
            }
        }
    }

    /// Opens the store, creating the schema in the (existing) database when missing.
    /// Returns whether the schema was created by this call.
    pub fn create(url: &PgUrl) -> Result<(Self, bool)> {
        let mut store = Self::connect(url)?;
        let version = store.schema_version()?;
        store.migrate(version)?;
        Ok((store, version == 0))
    }

    fn connect(url: &PgUrl) -> Result<Self> {
        let settings = url.config()?;
        let mut config = settings.config.clone();
        let options = format!(
            "{} -c lock_timeout={LOCK_TIMEOUT_MS}",
            config.get_options().unwrap_or_default()
        );
        config.options(options.trim_start());
        let connected = if config.get_ssl_mode() == SslMode::Disable {
            config.connect(NoTls)
        } else {
            config.connect(tls::LazyTls::new(&settings))
        };
        let client = connected.map_err(|e| errors::connect_error(&e, url))?;
        Ok(Self {
            client,
            url: url.clone(),
            opened_at: None,
            role: None,
        })
    }

    /// The highest migration applied; 0 when the database has no seenty-keys schema.
    /// One round trip, which runs before every command, and also reads the server's
    /// clock for the command's first [`Store::clock`] and the role for [`Store::role`].
    fn schema_version(&mut self) -> Result<i64> {
        let messages = match self.client.simple_query(
            "SELECT coalesce(max(version), 0), floor(extract(epoch FROM statement_timestamp()))::bigint, \
             current_user FROM schema_migrations",
        ) {
            Ok(messages) => messages,
            Err(e) if e.code() == Some(&postgres::error::SqlState::UNDEFINED_TABLE) => {
                return Ok(0);
            }
            Err(e) => return Err(e.into()),
        };
        let row = messages.iter().find_map(|m| match m {
            postgres::SimpleQueryMessage::Row(row) => Some(row),
            _ => None,
        });
        let column = |i| {
            row.and_then(|row| row.get(i))
                .and_then(|t| t.parse::<i64>().ok())
        };
        self.opened_at = column(1).and_then(|secs| chrono::DateTime::from_timestamp(secs, 0));
        self.role = row.and_then(|row| row.get(2)).map(str::to_owned);
        column(0).ok_or_else(|| Error::corrupt("unreadable schema version".to_owned()))
    }

    /// Applies the migrations this store lacks, in one transaction, under an advisory
    /// lock so two processes never migrate at once.
    fn migrate(&mut self, seen: i64) -> Result<()> {
        if super::migrations_applied(seen, MIGRATIONS.len())? == MIGRATIONS.len() {
            return Ok(());
        }
        let mut tx = self.client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (\
                 version    BIGINT PRIMARY KEY, \
                 applied_at BIGINT NOT NULL)",
        )?;
        // Another process may have migrated while we waited for the lock.
        let version: i64 = tx
            .query_one(
                "SELECT coalesce(max(version), 0)::bigint FROM schema_migrations",
                &[],
            )?
            .try_get(0)?;
        let applied = super::migrations_applied(version, MIGRATIONS.len())?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
            tx.batch_execute(sql)?;
            if i + 1 == NAME_KEYS_FROM {
                fill_name_keys(&mut tx)?;
            }
            let version = i64::try_from(i + 1).unwrap_or(i64::MAX);
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) \
                 VALUES ($1, extract(epoch FROM now())::bigint)",
                &[&version],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A read-only transaction that sees one snapshot of the store throughout.
    fn snapshot(&mut self) -> Result<Transaction<'_>> {
        Ok(self
            .client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?)
    }

    /// Runs `work` in one transaction. Usage records commit without waiting for the WAL
    /// flush (`synchronous_commit = off`): a crash of the server may lose the last
    /// moments of "last used", never a key or a revocation. A commit whose answer the
    /// connection lost is [`Error::CommitLost`].
    fn write<T>(
        &mut self,
        durability: Durability,
        work: impl FnOnce(&mut Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut tx = self.client.transaction()?;
        if durability == Durability::Relaxed {
            tx.batch_execute("SET LOCAL synchronous_commit = off")?;
        }
        // An error drops `tx`, which rolls back.
        let value = work(&mut tx)?;
        tx.commit().map_err(|e| {
            if e.as_db_error().is_none() && errors::is_connection_lost(&e) {
                Error::CommitLost(Box::new(e.into()))
            } else {
                e.into()
            }
        })?;
        Ok(value)
    }
}

impl Store for PgStore {
    fn plans(&mut self) -> Result<Vec<Plan>> {
        orgs::plans(&mut self.client)
    }

    fn orgs(&mut self, now: Timestamp) -> Result<Vec<Org>> {
        orgs::all(&mut self.client, now)
    }

    fn org_slugs(&mut self) -> Result<Vec<String>> {
        orgs::slugs(&mut self.client)
    }

    fn org(&mut self, slug: &str, now: Timestamp) -> Result<Option<Org>> {
        orgs::by_slug(&mut self.client, slug, now)
    }

    fn has_org(&mut self, slug: &str) -> Result<bool> {
        orgs::exists(&mut self.client, slug)
    }

    fn default_org(&mut self) -> Result<Option<String>> {
        orgs::default(&mut self.client)
    }

    fn keys(
        &mut self,
        org: &str,
        status: Option<Status>,
        now: Timestamp,
        visit: &mut dyn FnMut(Key) -> Result<()>,
    ) -> Result<()> {
        keys::visit(&mut self.client, org, status, now, visit)
    }

    fn key_by_id(&mut self, org: &str, id: &str) -> Result<Option<Key>> {
        keys::by_id(&mut self.client, org, id)
    }

    fn keys_named(&mut self, org: &str, name: &str) -> Result<Vec<Key>> {
        keys::named(&mut self.client, org, name)
    }

    fn key_by_hash(&mut self, hash: &KeyHash) -> Result<Option<KeyMatch>> {
        keys::by_hash(&mut self.client, hash)
    }

    fn lookup_many(
        &mut self,
        hashes: &[KeyHash],
        found: &mut dyn FnMut(usize, Option<KeyMatch>) -> Result<()>,
    ) -> Result<()> {
        // One snapshot for all the lookups.
        let mut tx = self.snapshot()?;
        keys::by_hashes(&mut tx, hashes, found)?;
        tx.commit()?;
        Ok(())
    }

    fn events(
        &mut self,
        org: &str,
        key_id: Option<&str>,
        limit: u32,
        visit: &mut dyn FnMut(Event) -> Result<()>,
    ) -> Result<()> {
        events::visit(&mut self.client, org, key_id, limit, visit)
    }

    fn leaks(
        &mut self,
        org: Option<&str>,
        since: Timestamp,
        visit: &mut dyn FnMut(Event) -> Result<()>,
    ) -> Result<()> {
        events::leaks(&mut self.client, org, since, visit)
    }

    fn hygiene(
        &mut self,
        org: Option<&str>,
        now: Timestamp,
        visit: &mut dyn FnMut(super::rows::Hygiene) -> Result<()>,
    ) -> Result<()> {
        keys::hygiene(&mut self.client, org, now, visit)
    }

    fn export(&mut self, visit: &mut dyn FnMut(Record) -> Result<()>) -> Result<()> {
        let mut tx = self.snapshot()?;
        dump::export(&mut tx, visit)?;
        tx.commit()?;
        Ok(())
    }

    fn import_with(
        &mut self,
        work: &mut dyn FnMut(&mut dyn crate::store::tx::Target) -> Result<()>,
    ) -> Result<()> {
        self.write(Durability::Synced, |tx| {
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&IMPORT_LOCK])?;
            // Keys added to an organization must not race a `generate` counting them.
            tx.batch_execute("SELECT id FROM orgs ORDER BY id FOR UPDATE")?;
            work(&mut dump::Importer::new(tx))
        })
    }

    fn clock(&mut self) -> Result<Timestamp> {
        if let Some(at) = self.opened_at.take() {
            return Ok(at);
        }
        let secs: i64 = self
            .client
            .query_one(
                "SELECT floor(extract(epoch FROM clock_timestamp()))::bigint",
                &[],
            )?
            .try_get(0)?;
        super::rows::timestamp(secs)
    }

    fn transact(
        &mut self,
        durability: Durability,
        work: &mut dyn FnMut(&mut dyn Tx) -> Result<()>,
    ) -> Result<()> {
        self.write(durability, |tx| work(&mut tx::PgTx { tx, bumped: false }))
    }

    fn revoke_reported(
        &mut self,
        keys: &[(String, Option<String>)],
        stamp: &super::Stamp,
    ) -> Result<Option<Vec<String>>> {
        self.write(Durability::Synced, |tx| leaks::revoke(tx, keys, stamp))
            .map(Some)
    }

    fn role(&mut self) -> Result<Option<String>> {
        if self.role.is_none() {
            // A database without the schema yet: the version query failed before it.
            let role: String = self
                .client
                .query_one("SELECT current_user::text", &[])?
                .try_get(0)?;
            self.role = Some(role);
        }
        Ok(self.role.clone())
    }

    fn reconnect(&mut self) -> Result<()> {
        let url = self.url.clone();
        *self = Self::connect(&url)?;
        Ok(())
    }

    fn change_version(&mut self) -> Result<super::Observed> {
        let row = self.client.query_one(
            "SELECT version, floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint \
             FROM change_version WHERE id = 1",
            &[],
        )?;
        Ok(super::Observed {
            version: row.try_get(0)?,
            clock_ms: row.try_get(1)?,
        })
    }

    fn listen_changes(&mut self) -> Result<bool> {
        self.client
            .batch_execute(&format!("LISTEN {CHANGES_CHANNEL}"))?;
        Ok(true)
    }

    fn wait_change(&mut self, timeout: std::time::Duration) -> Result<bool> {
        use postgres::fallible_iterator::FallibleIterator;
        let mut notifications = self.client.notifications();
        let came = notifications.timeout_iter(timeout).next()?.is_some();
        // One read of the counter covers every notification queued meanwhile.
        while notifications.iter().next()?.is_some() {}
        Ok(came)
    }
}

/// Fills in the look-alike key of every key's name ([`name_key`]), inside the migration.
fn fill_name_keys(tx: &mut Transaction<'_>) -> Result<()> {
    let update = tx.prepare("UPDATE keys SET name_key = $1 WHERE id = $2")?;
    for row in tx.query("SELECT id, name FROM keys WHERE name_key IS NULL", &[])? {
        let (id, name): (i64, String) = (row.try_get(0)?, row.try_get(1)?);
        tx.execute(&update, &[&name_key(&name), &id])?;
    }
    Ok(())
}
