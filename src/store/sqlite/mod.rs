//! The SQLite backend: the only module that holds SQL or touches rusqlite.
//!
//! One file, WAL journal, a busy timeout so concurrent processes wait instead of failing,
//! and every write in an explicit `BEGIN IMMEDIATE` transaction: taking the write lock
//! up front is what makes "count the active keys, then insert" safe across processes.

mod compact;
mod dump;
mod errors;
mod events;
mod files;
mod keys;
mod orgs;
mod rows;
mod tx;

pub(crate) use files::permission_warnings;
use files::{check_files, create_private_file};

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};

use super::{Durability, KeyMatch, Store, Tx, system_now};
use crate::domain::Timestamp;
use crate::domain::dump::Record;
use crate::domain::event::Event;
use crate::domain::key::{Key, KeyHash, Status};
use crate::domain::key_id::IdCodec;
use crate::domain::org::Org;
use crate::domain::plan::Plan;
use crate::error::{Error, Result, StoreFault};

/// Migrations, applied in order; the schema version is their count (`PRAGMA user_version`).
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_rotation.sql"),
    include_str!("migrations/0003_key_usage.sql"),
    include_str!("migrations/0004_compact_keys.sql"),
    include_str!("migrations/0005_reservations.sql"),
    include_str!("migrations/0006_policy.sql"),
    include_str!("migrations/0007_change_version.sql"),
];
/// The first migration that rebuilds a table, which SQLite's recipe runs with foreign
/// keys off: dropping the old table would otherwise fail on the rows that point at it.
const REBUILDS_FROM: usize = 3;
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// When a connection closes, the WAL is checkpointed (and truncated) once it has grown
/// past this, rather than by SQLite on every close: see [`SqliteStore::connect`]. Every
/// new process rebuilds its index from the whole WAL, reading and checksumming every
/// frame, while a checkpoint costs a few fsyncs: this size balances the two for a
/// `verify` (one page written) and a `generate` (about seven); BENCHMARKS.md has the
/// figures.
const WAL_LIMIT: u64 = 256 << 10;
/// Within one long run (`verify --batch`) the WAL may grow to this before a checkpoint:
/// checkpointing every chunk would cost more than the chunk.
const WAL_CAP: u64 = 16 << 20;
/// Reads that walk much of the store (`verify --batch`, `list`, `export`) map it into
/// memory and skip a `pread` copy per page. A single lookup reads a handful of pages, for
/// which setting up and tearing down the mapping costs more than it saves.
const BULK_MMAP: i64 = 1 << 30;

pub struct SqliteStore {
    conn: Connection,
    wal: std::path::PathBuf,
    durability: Durability,
    mapped: bool,
    ids: IdCodec,
}

impl SqliteStore {
    /// Opens an existing, initialized store, upgrading an older schema. A newer schema is
    /// refused before anything is written.
    pub fn open(path: &Path) -> Result<Self> {
        match fs::metadata(path) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(Error::StoreMissing {
                    location: path.display().to_string(),
                });
            }
            Err(source) => {
                return Err(Error::Io {
                    what: format!("reading {}", path.display()),
                    source,
                });
            }
        }
        let (conn, wal) = connect(path)?;
        let version = schema_version(&conn)?;
        if version == 0 {
            return Err(Error::StoreUninitialized {
                location: path.display().to_string(),
            });
        }
        Self::ready(conn, wal, version)
    }

    /// Opens the store, creating the file (0600) and its directory (0700) when missing.
    /// Returns whether the schema was created by this call.
    pub fn create(path: &Path) -> Result<(Self, bool)> {
        if !path.exists() {
            create_private_file(path)?;
        }
        let (conn, wal) = connect(path)?;
        let version = schema_version(&conn)?;
        let fresh = version == 0;
        if fresh {
            // WAL lets readers (verify) run while a writer works; the mode is persistent.
            let mode: String =
                conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(Error::Store {
                    fault: StoreFault::Other,
                    message: format!("journal mode {mode}"),
                });
            }
        }
        Ok((Self::ready(conn, wal, version)?, fresh))
    }

    /// Brings the schema up to date from `version` and loads what this store's queries
    /// need: its SQL functions, and the salt of its key ids.
    fn ready(mut conn: Connection, wal: PathBuf, version: i64) -> Result<Self> {
        compact::register_packing(&conn)?;
        migrate(&mut conn, &wal, version)?;
        let ids = compact::register_ids(&conn)?;
        Ok(Self {
            conn,
            wal,
            durability: Durability::Relaxed,
            mapped: false,
            ids,
        })
    }

    /// Readies the connection for a read that walks much of the store: maps the file
    /// (see [`BULK_MMAP`]) and loads the `rarray` module, in which `verify --batch`
    /// passes a chunk's hashes (registering a module costs the other bulk readers
    /// nothing worth a second flag).
    fn prepare_bulk_reads(&mut self) -> Result<()> {
        if !self.mapped {
            self.conn.pragma_update(None, "mmap_size", BULK_MMAP)?;
            rusqlite::vtab::array::load_module(&self.conn)?;
            self.mapped = true;
        }
        Ok(())
    }

    /// Runs `work` in one write transaction and commits it with the given durability.
    fn write<T>(
        &mut self,
        durability: Durability,
        work: impl FnOnce(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        if durability != self.durability {
            let level = match durability {
                Durability::Synced => "FULL",
                Durability::Relaxed => "NORMAL",
            };
            self.conn.pragma_update(None, "synchronous", level)?;
            self.durability = durability;
        }
        let tx = immediate(&mut self.conn, &self.wal)?;
        let value = work(&tx)?;
        tx.commit()?;
        self.checkpoint_past(WAL_CAP);
        Ok(value)
    }

    /// Truncates the WAL once it has grown past `limit`. The data is already committed,
    /// so a checkpoint that cannot run now (readers, a full disk) is left for later.
    fn checkpoint_past(&self, limit: u64) {
        if fs::metadata(&self.wal).is_ok_and(|m| m.len() > limit) {
            let _ = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
    }
}

/// Opens a connection with the store's policy.
///
/// The WAL and its index are kept between processes: SQLite's default is for the last
/// connection to checkpoint on close (several fsyncs) and delete `-wal`/`-shm`, so the
/// next process rebuilds the index. Instead no checkpoint runs on close or
/// automatically; the tool truncates the WAL itself (see [`WAL_LIMIT`], [`WAL_CAP`]).
/// QPSG keeps cached statements from being re-prepared on every use: with STAT4
/// compiled in, clearing a binding would otherwise expire a statement whose plan
/// could depend on it.
fn connect(path: &Path) -> Result<(Connection, PathBuf)> {
    check_files(path)?;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
    conn.execute_batch(
        "PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0; PRAGMA synchronous = NORMAL;",
    )?;
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    Ok((conn, wal.into()))
}

fn schema_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

/// Applies the migrations a store at `version` lacks, in one transaction.
fn migrate(conn: &mut Connection, wal: &Path, version: i64) -> Result<()> {
    let total = MIGRATIONS.len();
    if super::migrations_applied(version, total)? == total {
        return Ok(());
    }
    // Foreign keys cannot be switched inside a transaction; they are checked below.
    conn.pragma_update(None, "foreign_keys", false)?;
    let result = migrate_in(conn, wal);
    conn.pragma_update(None, "foreign_keys", true)?;
    result
}

fn migrate_in(conn: &mut Connection, wal: &Path) -> Result<()> {
    let total = MIGRATIONS.len();
    let tx = immediate(conn, wal)?;
    // Another process may have migrated while we waited for the lock.
    let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let applied = super::migrations_applied(version, total)?;
    for sql in &MIGRATIONS[applied..] {
        tx.execute_batch(sql)?;
    }
    if applied <= REBUILDS_FROM {
        let broken: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()?;
        if let Some(table) = broken {
            return Err(Error::Store {
                fault: StoreFault::Corrupt,
                message: format!("upgrading the store left a dangling reference in {table}"),
            });
        }
    }
    // A handful of migrations: the count always fits.
    tx.pragma_update(None, "user_version", total as i64)?;
    tx.commit()?;
    Ok(())
}

/// A write transaction that takes the lock up front (waiting up to the busy timeout),
/// so no read inside it can be invalidated by another writer.
fn immediate<'c>(conn: &'c mut Connection, wal: &Path) -> Result<Transaction<'c>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    sync_directory_of_new_wal(wal);
    Ok(tx)
}

/// Makes the WAL's directory entry durable when the WAL may be new. Called under the
/// write lock, before anything is written.
///
/// The bundled SQLite is built without directory syncs (`SQLITE_DISABLE_DIRSYNC`, in
/// `.cargo/config.toml`): it opens the WAL with `O_CREAT` in every process, takes it for
/// a new file, and fsyncs the directory at the first commit, a second fsync for every
/// `generate` or `revoke`. The tool never deletes the WAL (it truncates it), so the entry
/// needs a sync only when the WAL may have just been created: when it is missing or
/// empty, the first writer syncs the directory before writing. A WAL that holds frames
/// was first written by a process that did so, or by another SQLite program, which syncs
/// the directory before it releases the write lock.
fn sync_directory_of_new_wal(wal: &Path) {
    if fs::metadata(wal).is_ok_and(|m| m.len() > 0) {
        return;
    }
    let dir = match wal.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    // Best effort, as SQLite's own directory sync: a directory this user cannot open
    // leaves the entry to the file system's next journal commit.
    if let Ok(dir) = fs::File::open(dir) {
        let _ = dir.sync_all();
    }
}

/// A plain connection to a store's file with the tool's SQL functions (`key_id`,
/// `name_tag`, `usage_at`), for reading and writing the file around the tool,
/// as the tests do. `key_id` is there once the store has its salt.
pub fn connection_with_functions(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    compact::register_packing(&conn)?;
    // A store before schema 4 has no salt, and no `key_id` then.
    let _ = compact::register_ids(&conn);
    Ok(conn)
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.checkpoint_past(WAL_LIMIT);
    }
}

impl Store for SqliteStore {
    fn plans(&mut self) -> Result<Vec<Plan>> {
        orgs::plans(&self.conn)
    }

    fn orgs(&mut self, now: Timestamp) -> Result<Vec<Org>> {
        orgs::all(&self.conn, now)
    }

    fn org_slugs(&mut self) -> Result<Vec<String>> {
        orgs::slugs(&self.conn)
    }

    fn org(&mut self, slug: &str, now: Timestamp) -> Result<Option<Org>> {
        orgs::by_slug(&self.conn, slug, now)
    }

    fn has_org(&mut self, slug: &str) -> Result<bool> {
        orgs::exists(&self.conn, slug)
    }

    fn default_org(&mut self) -> Result<Option<String>> {
        orgs::default(&self.conn)
    }

    fn keys(
        &mut self,
        org: &str,
        status: Option<Status>,
        now: Timestamp,
        visit: &mut dyn FnMut(Key) -> Result<()>,
    ) -> Result<()> {
        self.prepare_bulk_reads()?;
        keys::visit(&self.conn, org, status, now, visit)
    }

    fn key_by_id(&mut self, org: &str, id: &str) -> Result<Option<Key>> {
        keys::by_id(&self.conn, &self.ids, org, id)
    }

    fn keys_named(&mut self, org: &str, name: &str) -> Result<Vec<Key>> {
        keys::named(&self.conn, org, name)
    }

    fn key_by_hash(&mut self, hash: &KeyHash) -> Result<Option<KeyMatch>> {
        keys::by_hash(&self.conn, hash)
    }

    fn lookup_many(
        &mut self,
        hashes: &[KeyHash],
        found: &mut dyn FnMut(usize, Option<KeyMatch>) -> Result<()>,
    ) -> Result<()> {
        self.prepare_bulk_reads()?;
        // A deferred transaction that only reads: one shared lock for all the lookups.
        let tx = self.conn.transaction()?;
        keys::by_hashes(&tx, hashes, found)?;
        Ok(tx.commit()?)
    }

    fn events(
        &mut self,
        org: &str,
        key_id: Option<&str>,
        limit: u32,
        visit: &mut dyn FnMut(Event) -> Result<()>,
    ) -> Result<()> {
        events::visit(&self.conn, &self.ids, org, key_id, limit, visit)
    }

    fn leaks(
        &mut self,
        org: Option<&str>,
        since: Timestamp,
        visit: &mut dyn FnMut(Event) -> Result<()>,
    ) -> Result<()> {
        events::leaks(&self.conn, org, since, visit)
    }

    fn hygiene(
        &mut self,
        org: Option<&str>,
        now: Timestamp,
        visit: &mut dyn FnMut(super::rows::Hygiene) -> Result<()>,
    ) -> Result<()> {
        self.prepare_bulk_reads()?;
        // A deferred transaction that only reads: the organizations and their keys from
        // one snapshot.
        let tx = self.conn.transaction()?;
        keys::hygiene(&tx, org, now, visit)?;
        Ok(tx.commit()?)
    }

    fn export(&mut self, visit: &mut dyn FnMut(Record) -> Result<()>) -> Result<()> {
        self.prepare_bulk_reads()?;
        // A deferred transaction that only reads: one snapshot for the whole export.
        let tx = self.conn.transaction()?;
        dump::export(&tx, visit)?;
        Ok(tx.commit()?)
    }

    fn import_with(
        &mut self,
        work: &mut dyn FnMut(&mut dyn crate::store::tx::Target) -> Result<()>,
    ) -> Result<()> {
        let ids = self.ids;
        self.write(Durability::Synced, |tx| {
            work(&mut dump::Importer::new(tx, &ids))
        })
    }

    fn clock(&mut self) -> Result<Timestamp> {
        Ok(system_now())
    }

    fn transact(
        &mut self,
        durability: Durability,
        work: &mut dyn FnMut(&mut dyn Tx) -> Result<()>,
    ) -> Result<()> {
        let ids = self.ids;
        self.write(durability, |tx| {
            work(&mut tx::SqliteTx {
                tx,
                ids: &ids,
                bumped: false,
            })
        })
    }

    /// A local file's commit has no answer to lose.
    fn reconnect(&mut self) -> Result<()> {
        Ok(())
    }

    fn change_version(&mut self) -> Result<super::Observed> {
        let version = self
            .conn
            .prepare_cached("SELECT version FROM change_version WHERE id = 1")?
            .query_row([], |row| row.get(0))?;
        Ok(super::Observed {
            version,
            clock_ms: chrono::Utc::now().timestamp_millis(),
        })
    }
}
