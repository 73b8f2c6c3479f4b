//! The SQLite backend: the only module that holds SQL or touches rusqlite.
//!
//! One file, WAL journal, a busy timeout so concurrent processes wait instead of failing,
//! and every write in an explicit `BEGIN IMMEDIATE` transaction: taking the write lock
//! up front is what makes "count the active keys, then insert" safe across processes.

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::time::Duration;

use chrono::DateTime;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, Row, Transaction, TransactionBehavior, params};

use super::{KeyMatch, NewKey, Revocation, Stamp, Store};
use crate::domain::Timestamp;
use crate::domain::key::{Hint, Key, KeyHash, Status};
use crate::domain::org::Org;
use crate::domain::plan::{Plan, PlanId, Refusal};
use crate::error::{Error, Result, StoreFault};

/// Migrations, applied in order; the schema version is their count (`PRAGMA user_version`).
const MIGRATIONS: &[&str] = &[include_str!("migrations/0001_init.sql")];
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

const KEY_COLUMNS: &str = "k.public_id, o.slug, k.name, k.hint, k.created_at, k.expires_at, \
                           k.last_used_at, k.revoked_at, k.revoke_reason";
const KEY_FROM: &str = "keys k JOIN orgs o ON o.id = k.org_id";
/// Status predicates at time `?now`, matching [`Key::status`].
const IS_REVOKED: &str = "(k.revoked_at IS NOT NULL AND k.revoked_at <= :now)";
const IS_EXPIRED: &str = "(k.expires_at IS NOT NULL AND k.expires_at <= :now)";
const ORG_COLUMNS: &str = "o.slug, o.name, o.created_at, p.id, p.name, p.key_limit, p.api_access, \
     (SELECT count(*) FROM keys k WHERE k.org_id = o.id \
        AND NOT (k.revoked_at IS NOT NULL AND k.revoked_at <= :now) \
        AND NOT (k.expires_at IS NOT NULL AND k.expires_at <= :now))";
const ORG_FROM: &str = "orgs o JOIN plans p ON p.id = o.plan";

pub struct SqliteStore {
    conn: Connection,
}

impl SqliteStore {
    /// Opens an existing, initialized store, upgrading an older schema. A newer schema is
    /// refused before anything is written.
    pub fn open(path: &Path) -> Result<Self> {
        match fs::metadata(path) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(Error::StoreMissing { path: path.to_owned() });
            }
            Err(source) => return Err(Error::Io { what: format!("reading {}", path.display()), source }),
        }
        let mut store = Self::connect(path)?;
        match store.schema_version()? {
            0 => Err(Error::StoreUninitialized { path: path.to_owned() }),
            _ => {
                store.migrate()?;
                Ok(store)
            }
        }
    }

    /// Opens the store, creating the file (0600) and its directory (0700) when missing.
    /// Returns whether the schema was created by this call.
    pub fn create(path: &Path) -> Result<(Self, bool)> {
        if !path.exists() {
            create_private_file(path)?;
        }
        let mut store = Self::connect(path)?;
        let fresh = store.schema_version()? == 0;
        if fresh {
            // WAL lets readers (verify) run while a writer works; the mode is persistent.
            let mode: String =
                store.conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(Error::Store { fault: StoreFault::Other, message: format!("journal mode {mode}") });
            }
        }
        store.migrate()?;
        Ok((store, fresh))
    }

    fn connect(path: &Path) -> Result<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        // FULL: an acknowledged revoke survives a power cut, not just a crash.
        conn.pragma_update(None, "synchronous", "FULL")?;
        Ok(Self { conn })
    }

    fn schema_version(&self) -> Result<i64> {
        Ok(self.conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
    }

    /// Applies the migrations this store lacks, in one transaction.
    fn migrate(&mut self) -> Result<()> {
        let latest = latest_version();
        let version = self.schema_version()?;
        check_version(version)?;
        if version == latest {
            return Ok(());
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let applied = check_version(version)?;
        for sql in &MIGRATIONS[applied..] {
            tx.execute_batch(sql)?;
        }
        tx.pragma_update(None, "user_version", latest)?;
        tx.commit()?;
        Ok(())
    }

    fn immediate(&mut self) -> Result<Transaction<'_>> {
        Ok(self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
    }
}

fn latest_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// The number of migrations already applied, or why the version cannot be used.
fn check_version(version: i64) -> Result<usize> {
    if version > latest_version() {
        return Err(Error::StoreNewer { found: version, supported: latest_version() });
    }
    usize::try_from(version).map_err(|_| Error::Store {
        fault: StoreFault::Corrupt,
        message: format!("invalid schema version {version}"),
    })
}

/// Creates the store file with mode 0600, and any missing directories with mode 0700,
/// whatever the umask.
fn create_private_file(path: &Path) -> Result<()> {
    let io_err = |what: String| move |source| Error::Io { what, source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let missing: Vec<_> = dir.ancestors().take_while(|d| !d.as_os_str().is_empty() && !d.exists()).collect();
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io_err(format!("creating {}", dir.display())))?;
        for created in missing {
            fs::set_permissions(created, fs::Permissions::from_mode(0o700))
                .map_err(io_err(format!("setting the mode of {}", created.display())))?;
        }
    }
    match fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(file) => file
            .set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(io_err(format!("setting the mode of {}", path.display()))),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(Error::Io { what: format!("creating {}", path.display()), source }),
    }
}

/// A warning with the fix when other users can read or write the store file.
pub fn permission_warnings(path: &Path) -> Vec<String> {
    match fs::metadata(path) {
        Ok(meta) if meta.permissions().mode() & 0o077 != 0 => vec![format!(
            "the store {} is accessible to other users (mode {:o}); fix it: chmod 600 '{}'",
            path.display(),
            meta.permissions().mode() & 0o777,
            path.display()
        )],
        _ => Vec::new(),
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        let fault = match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreFault::Locked,
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreFault::Corrupt,
            Some(ErrorCode::ReadOnly) => StoreFault::ReadOnly,
            Some(ErrorCode::DiskFull) => StoreFault::Full,
            Some(ErrorCode::SystemIoFailure | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
                StoreFault::Io
            }
            _ => StoreFault::Other,
        };
        let message = match fault {
            StoreFault::Locked => format!(
                "the store stayed locked by another process for more than {} s",
                BUSY_TIMEOUT.as_secs()
            ),
            StoreFault::Corrupt => "the file is not a seenty-keys store, or it is damaged".to_owned(),
            StoreFault::Full => "the disk is full".to_owned(),
            _ => e.to_string(),
        };
        Error::Store { fault, message }
    }
}

fn timestamp(secs: i64) -> rusqlite::Result<Timestamp> {
    DateTime::from_timestamp(secs, 0).ok_or(rusqlite::Error::IntegralValueOutOfRange(0, secs))
}

fn opt_timestamp(secs: Option<i64>) -> rusqlite::Result<Option<Timestamp>> {
    secs.map(timestamp).transpose()
}

fn plan_id(text: &str) -> rusqlite::Result<PlanId> {
    PlanId::from_slug(text).ok_or_else(|| rusqlite::Error::InvalidColumnName(format!("unknown plan {text}")))
}

fn key_from_row(row: &Row<'_>) -> rusqlite::Result<Key> {
    Ok(Key {
        id: row.get(0)?,
        org: row.get(1)?,
        name: row.get(2)?,
        hint: Hint(row.get(3)?),
        created_at: timestamp(row.get(4)?)?,
        expires_at: opt_timestamp(row.get(5)?)?,
        last_used_at: opt_timestamp(row.get(6)?)?,
        revoked_at: opt_timestamp(row.get(7)?)?,
        revoke_reason: row.get(8)?,
    })
}

/// Reads a plan from four columns starting at `at`: id, name, key_limit, api_access.
fn plan_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<Plan> {
    Ok(Plan {
        id: plan_id(&row.get::<_, String>(at)?)?,
        name: row.get(at + 1)?,
        key_limit: row.get(at + 2)?,
        api_access: row.get(at + 3)?,
    })
}

fn org_from_row(row: &Row<'_>) -> rusqlite::Result<Org> {
    Ok(Org {
        slug: row.get(0)?,
        name: row.get(1)?,
        created_at: timestamp(row.get(2)?)?,
        plan: plan_from_row(row, 3)?,
        active_keys: row.get::<_, i64>(7)?.unsigned_abs(),
    })
}

fn record_event(
    tx: &Transaction<'_>,
    stamp: &Stamp,
    org_id: i64,
    key_id: Option<i64>,
    kind: &str,
    detail: Option<&str>,
) -> Result<()> {
    tx.prepare_cached("INSERT INTO events (at, actor, org_id, key_id, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
        .execute(params![stamp.now.timestamp(), stamp.actor, org_id, key_id, kind, detail])?;
    Ok(())
}

fn all_plans(conn: &Connection) -> Result<Vec<Plan>> {
    let mut stmt = conn.prepare_cached("SELECT id, name, key_limit, api_access FROM plans ORDER BY rank")?;
    let plans = stmt.query_map([], |row| plan_from_row(row, 0))?.collect::<rusqlite::Result<_>>()?;
    Ok(plans)
}

impl Store for SqliteStore {
    fn plans(&mut self) -> Result<Vec<Plan>> {
        all_plans(&self.conn)
    }

    fn orgs(&mut self, now: Timestamp) -> Result<Vec<Org>> {
        let sql = format!("SELECT {ORG_COLUMNS} FROM {ORG_FROM} ORDER BY o.slug");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let orgs = stmt
            .query_map(rusqlite::named_params! {":now": now.timestamp()}, org_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(orgs)
    }

    fn org(&mut self, slug: &str, now: Timestamp) -> Result<Option<Org>> {
        let sql = format!("SELECT {ORG_COLUMNS} FROM {ORG_FROM} WHERE o.slug = :slug");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let org = stmt
            .query_row(rusqlite::named_params! {":now": now.timestamp(), ":slug": slug}, org_from_row)
            .optional()?;
        Ok(org)
    }

    fn create_org(&mut self, slug: &str, name: &str, plan: PlanId, stamp: &Stamp) -> Result<Org> {
        let tx = self.immediate()?;
        let exists: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM orgs WHERE slug = ?1)", [slug], |r| r.get(0))?;
        if exists {
            return Err(Error::OrgExists { slug: slug.to_owned() });
        }
        tx.execute(
            "INSERT INTO orgs (slug, name, plan, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![slug, name, plan.slug(), stamp.now.timestamp()],
        )?;
        let org_id = tx.last_insert_rowid();
        record_event(&tx, stamp, org_id, None, "org_created", Some(plan.slug()))?;
        tx.commit()?;
        self.org(slug, stamp.now)?.ok_or_else(|| Error::NoSuchOrg { slug: slug.to_owned() })
    }

    fn default_org(&mut self) -> Result<Option<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT value FROM settings WHERE name = 'default_org'")?;
        Ok(stmt.query_row([], |row| row.get(0)).optional()?)
    }

    fn set_default_org(&mut self, slug: &str) -> Result<()> {
        let tx = self.immediate()?;
        tx.execute(
            "INSERT INTO settings (name, value) VALUES ('default_org', ?1) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            [slug],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn set_plan(&mut self, org: &str, plan: PlanId, stamp: &Stamp) -> Result<PlanId> {
        let tx = self.immediate()?;
        let (org_id, old): (i64, String) = tx
            .query_row("SELECT id, plan FROM orgs WHERE slug = ?1", [org], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or_else(|| Error::NoSuchOrg { slug: org.to_owned() })?;
        let old = plan_id(&old)?;
        if old != plan {
            tx.execute("UPDATE orgs SET plan = ?1 WHERE id = ?2", params![plan.slug(), org_id])?;
            record_event(&tx, stamp, org_id, None, "plan_changed", Some(&format!("{old} -> {plan}")))?;
        }
        tx.commit()?;
        Ok(old)
    }

    fn create_key(
        &mut self,
        new: &NewKey,
        stamp: &Stamp,
        deliver: &mut dyn FnMut(&Key) -> Result<()>,
    ) -> Result<Key> {
        let now = stamp.now.timestamp();
        let tx = self.immediate()?;
        let (org_id, plan) = tx
            .query_row(
                "SELECT o.id, p.id, p.name, p.key_limit, p.api_access FROM orgs o JOIN plans p ON p.id = o.plan \
                 WHERE o.slug = ?1",
                [&new.org],
                |row| Ok((row.get::<_, i64>(0)?, plan_from_row(row, 1)?)),
            )
            .optional()?
            .ok_or_else(|| Error::NoSuchOrg { slug: new.org.clone() })?;
        let active_sql = format!("SELECT count(*) FROM keys k WHERE k.org_id = :org AND NOT {IS_REVOKED} AND NOT {IS_EXPIRED}");
        let active: i64 = tx.prepare_cached(&active_sql)?.query_row(
            rusqlite::named_params! {":org": org_id, ":now": now},
            |r| r.get(0),
        )?;
        let active = active.unsigned_abs();
        match plan.admit_new_key(active) {
            Ok(()) => {}
            Err(Refusal::NoApiAccess) => return Err(Error::NoApiAccess { org: new.org.clone() }),
            Err(Refusal::LimitReached { limit, active }) => {
                let plans = all_plans(&tx)?;
                let upgrade = Plan::upgrade_for(&plans, active).map(|p| p.id);
                return Err(Error::PlanLimit { org: new.org.clone(), plan: plan.id, limit, active, upgrade });
            }
        }
        let same_name = format!(
            "SELECT k.public_id FROM keys k WHERE k.org_id = :org AND k.name = :name \
             AND NOT {IS_REVOKED} AND NOT {IS_EXPIRED} LIMIT 1"
        );
        let existing: Option<String> = tx
            .prepare_cached(&same_name)?
            .query_row(rusqlite::named_params! {":org": org_id, ":name": new.name, ":now": now}, |r| r.get(0))
            .optional()?;
        if let Some(id) = existing {
            return Err(Error::DuplicateName { name: new.name.clone(), id });
        }
        tx.prepare_cached(
            "INSERT INTO keys (public_id, org_id, name, hash, hint, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            new.id,
            org_id,
            new.name,
            &new.hash.0[..],
            new.hint.0,
            now,
            new.expires_at.map(|t| t.timestamp())
        ])?;
        let key_id = tx.last_insert_rowid();
        record_event(&tx, stamp, org_id, Some(key_id), "key_created", None)?;
        let key = Key {
            id: new.id.clone(),
            org: new.org.clone(),
            name: new.name.clone(),
            hint: new.hint.clone(),
            created_at: timestamp(now)?,
            expires_at: new.expires_at,
            last_used_at: None,
            revoked_at: None,
            revoke_reason: None,
        };
        // The secret must reach its reader before the key exists; an error here rolls back.
        deliver(&key)?;
        tx.commit()?;
        Ok(key)
    }

    fn keys(
        &mut self,
        org: &str,
        status: Option<Status>,
        now: Timestamp,
        visit: &mut dyn FnMut(Key) -> Result<()>,
    ) -> Result<()> {
        let filter = match status {
            None => "1".to_owned(),
            Some(Status::Revoked) => IS_REVOKED.to_owned(),
            Some(Status::Expired) => format!("NOT {IS_REVOKED} AND {IS_EXPIRED}"),
            Some(Status::Active) => format!("NOT {IS_REVOKED} AND NOT {IS_EXPIRED}"),
        };
        let sql = format!("SELECT {KEY_COLUMNS} FROM {KEY_FROM} WHERE o.slug = :org AND {filter} ORDER BY k.id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut params: Vec<(&str, &dyn rusqlite::ToSql)> = vec![(":org", &org)];
        let now = now.timestamp();
        if status.is_some() {
            params.push((":now", &now));
        }
        let mut rows = stmt.query(params.as_slice())?;
        while let Some(row) = rows.next()? {
            visit(key_from_row(row)?)?;
        }
        Ok(())
    }

    fn key_by_id(&mut self, org: &str, id: &str) -> Result<Option<Key>> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM {KEY_FROM} WHERE k.public_id = ?1 AND o.slug = ?2");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        Ok(stmt.query_row([id, org], key_from_row).optional()?)
    }

    fn keys_named(&mut self, org: &str, name: &str) -> Result<Vec<Key>> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM {KEY_FROM} WHERE o.slug = ?1 AND k.name = ?2 ORDER BY k.id DESC");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let keys = stmt.query_map([org, name], key_from_row)?.collect::<rusqlite::Result<_>>()?;
        Ok(keys)
    }

    fn key_by_hash(&mut self, hash: &KeyHash) -> Result<Option<KeyMatch>> {
        let sql = format!(
            "SELECT {KEY_COLUMNS}, p.api_access FROM {KEY_FROM} JOIN plans p ON p.id = o.plan WHERE k.hash = ?1"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let found = stmt
            .query_row([&hash.0[..]], |row| Ok(KeyMatch { key: key_from_row(row)?, api_access: row.get(9)? }))
            .optional()?;
        Ok(found)
    }

    fn revoke(&mut self, id: &str, reason: Option<&str>, stamp: &Stamp) -> Result<Revocation> {
        let tx = self.immediate()?;
        let sql = format!("SELECT {KEY_COLUMNS}, k.id, k.org_id FROM {KEY_FROM} WHERE k.public_id = ?1");
        let (key, row_id, org_id) = tx
            .query_row(&sql, [id], |row| Ok((key_from_row(row)?, row.get::<_, i64>(9)?, row.get::<_, i64>(10)?)))
            .optional()?
            .ok_or_else(|| Error::NoSuchKey { reference: id.to_owned(), org: String::new() })?;
        if key.status(stamp.now) == Status::Revoked {
            return Ok(Revocation::AlreadyRevoked(key));
        }
        tx.execute(
            "UPDATE keys SET revoked_at = ?1, revoke_reason = ?2 WHERE id = ?3",
            params![stamp.now.timestamp(), reason, row_id],
        )?;
        record_event(&tx, stamp, org_id, Some(row_id), "key_revoked", reason)?;
        tx.commit()?;
        Ok(Revocation::Revoked(Key { revoked_at: Some(stamp.now), revoke_reason: reason.map(str::to_owned), ..key }))
    }

    fn touch(&mut self, id: &str, at: Timestamp) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(
            "UPDATE keys SET last_used_at = ?1 WHERE public_id = ?2 AND (last_used_at IS NULL OR last_used_at < ?1)",
        )?;
        stmt.execute(params![at.timestamp(), id])?;
        Ok(())
    }
}
