//! SQL for `export` and `import` on PostgreSQL: every row out in replay order from one
//! snapshot, and the row operations [`crate::lifecycle::import`] drives inside one
//! transaction.

use std::collections::HashMap;

use postgres::types::ToSql;
use postgres::{GenericClient, Statement, Transaction};

use super::known::Known;
use super::pending::Pending;
use super::rows::Queries;
use super::tx::PgTx;
use crate::domain::Timestamp;
use crate::domain::dump::{KeyRecord, OrgRecord, Record};
use crate::domain::key::KeyHash;
use crate::domain::text::name_key;
use crate::error::Result;
use crate::store::rows::{self, Columns, ExportSql};
use crate::store::tx::Tx;
use crate::store::tx::{EventRow, Existing, Target};

/// The export's queries in this schema.
const EXPORT: ExportSql = ExportSql {
    orgs: "SELECT slug, name, plan, created_at, max_lifetime, require_expiry, rotate_every \
           FROM orgs ORDER BY id",
    settings: "SELECT name, value FROM settings ORDER BY name",
    keys: "SELECT k.public_id, o.slug, k.name, k.hash, k.hint, k.created_at, k.expires_at, \
           k.revoked_at, k.revoke_reason, f.public_id \
           FROM keys k JOIN orgs o ON o.id = k.org_id LEFT JOIN keys f ON f.id = k.rotated_from \
           ORDER BY k.id",
    usage: "SELECT k.public_id, u.last_used_at FROM key_usage u JOIN keys k ON k.id = u.key_id \
            ORDER BY u.key_id",
    events: "SELECT o.slug, k.public_id, e.at, e.actor, e.kind, e.detail, \
             coalesce((SELECT c.count FROM event_counts c WHERE c.event_id = e.id), 1) \
             FROM events e JOIN orgs o ON o.id = e.org_id LEFT JOIN keys k ON k.id = e.key_id \
             ORDER BY e.id",
};

/// Every row, in the order an import replays them, from the caller's snapshot.
pub(crate) fn export(
    conn: &mut impl GenericClient,
    visit: &mut dyn FnMut(Record) -> Result<()>,
) -> Result<()> {
    rows::export(&mut Queries(conn), &EXPORT, visit)
}

/// The import's row operations in one transaction, each statement prepared once; the
/// lookups answered from what [`Known`] fetched for the batch where it can.
pub(crate) struct Importer<'a, 'c> {
    rows: PgTx<'a, 'c>,
    prepared: HashMap<&'static str, Statement>,
    known: Known,
    pending: Pending,
}

impl<'a, 'c> Importer<'a, 'c> {
    pub(crate) fn new(tx: &'a mut Transaction<'c>) -> Self {
        Self {
            rows: PgTx { tx, bumped: false },
            prepared: HashMap::new(),
            known: Known::default(),
            pending: Pending::default(),
        }
    }

    /// A statement sent now: the writes held back go first, so that it sees them.
    fn prepared(&mut self, sql: &'static str) -> Result<Statement> {
        self.pending.flush(self.rows.tx)?;
        if let Some(stmt) = self.prepared.get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = self.rows.tx.prepare(sql)?;
        self.prepared.insert(sql, stmt.clone());
        Ok(stmt)
    }

    fn execute(&mut self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        let stmt = self.prepared(sql)?;
        Ok(self.rows.tx.execute(&stmt, params)?)
    }

    fn query_opt(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<postgres::Row>> {
        let stmt = self.prepared(sql)?;
        Ok(self.rows.tx.query_opt(&stmt, params)?)
    }

    fn query_one(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<postgres::Row> {
        let stmt = self.prepared(sql)?;
        Ok(self.rows.tx.query_one(&stmt, params)?)
    }
}

impl Target for Importer<'_, '_> {
    fn org_count(&mut self) -> Result<u64> {
        let n: i64 = self
            .query_one("SELECT count(*) FROM orgs", &[])?
            .try_get(0)?;
        Ok(n.unsigned_abs())
    }

    fn insert_org(&mut self, org: &OrgRecord) -> Result<bool> {
        let added = self.query_opt(
            "INSERT INTO orgs (slug, name, plan, created_at, max_lifetime, require_expiry, \
             rotate_every) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (slug) DO NOTHING \
             RETURNING id",
            &[
                &org.slug,
                &org.name,
                &org.plan.slug(),
                &org.created_at.timestamp(),
                &org.policy.max_lifetime.map(|d| d.num_seconds()),
                &org.policy.require_expiry,
                &org.policy.rotate_every.num_seconds(),
            ],
        )?;
        let Some(row) = added else {
            return Ok(false);
        };
        let id: i64 = row.try_get(0)?;
        self.known.orgs.insert(org.slug.clone(), id);
        self.known.new_orgs.insert(id);
        Ok(true)
    }

    fn org_row(&mut self, slug: &str) -> Result<Option<i64>> {
        if let Some(&id) = self.known.orgs.get(slug) {
            return Ok(Some(id));
        }
        let id: Option<i64> = self
            .query_opt("SELECT id FROM orgs WHERE slug = $1", &[&slug])?
            .map(|r| r.try_get(0))
            .transpose()?;
        if let Some(id) = id {
            self.known.orgs.insert(slug.to_owned(), id);
        }
        Ok(id)
    }

    fn insert_setting(&mut self, name: &str, value: &str) -> Result<bool> {
        let n = self.execute(
            "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            &[&name, &value],
        )?;
        Ok(n == 1)
    }

    fn key(&mut self, id: &str) -> Result<Option<Existing>> {
        if let Some(known) = self.known.key(id) {
            return Ok(known);
        }
        let Some(row) = self.query_opt(
            "SELECT id, revoked_at FROM keys WHERE public_id = $1",
            &[&id],
        )?
        else {
            return Ok(None);
        };
        Ok(Some(Existing {
            row: row.try_get(0)?,
            revoked_at: row.opt_time(1)?,
        }))
    }

    fn key_with_hash(&mut self, hash: &KeyHash) -> Result<Option<String>> {
        if let Some(id) = self.known.hashes.get(hash) {
            return Ok(id.clone());
        }
        Ok(self
            .query_opt(
                "SELECT public_id FROM keys WHERE hash = $1",
                &[&&hash.0[..]],
            )?
            .map(|r| r.try_get(0))
            .transpose()?)
    }

    fn insert_key(&mut self, key: &KeyRecord, org: i64, rotated_from: Option<i64>) -> Result<()> {
        if let Some(row) = self.pending.key(key, org, rotated_from) {
            self.known.added_key(key, row, org, rotated_from);
            return Ok(());
        }
        let row = self.query_one(
            "INSERT INTO keys (public_id, org_id, name, hash, hint, created_at, expires_at, \
             revoked_at, revoke_reason, rotated_from, name_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            &[
                &key.id,
                &org,
                &key.name,
                &&key.hash.0[..],
                &key.hint.0,
                &key.created_at.timestamp(),
                &key.expires_at.map(|t| t.timestamp()),
                &key.revoked_at.map(|t| t.timestamp()),
                &key.revoke_reason,
                &rotated_from,
                &name_key(&key.name),
            ],
        )?;
        self.known
            .added_key(key, row.try_get(0)?, org, rotated_from);
        Ok(())
    }

    fn revoke(&mut self, row: i64, at: Timestamp, reason: Option<&str>) -> Result<()> {
        let revoked = self.query_opt(
            "UPDATE keys SET revoked_at = $1, revoke_reason = $2 WHERE id = $3 \
             AND (revoked_at IS NULL OR revoked_at > $1) RETURNING public_id",
            &[&at.timestamp(), &reason, &row],
        )?;
        if let Some(revoked) = revoked {
            let id: String = revoked.try_get(0)?;
            self.known.revoked(&id, at);
        }
        Ok(())
    }

    fn touch(&mut self, row: i64, at: Timestamp) -> Result<bool> {
        if let Some(moved) = self.known.touch(row, at.timestamp()) {
            if moved {
                self.pending.touch(row, at.timestamp());
            }
            return Ok(moved);
        }
        let n = self.execute(
            "INSERT INTO key_usage (key_id, last_used_at) VALUES ($1, $2) \
             ON CONFLICT (key_id) DO UPDATE SET last_used_at = excluded.last_used_at \
             WHERE key_usage.last_used_at < excluded.last_used_at",
            &[&row, &at.timestamp()],
        )?;
        Ok(n == 1)
    }

    fn count_events(&mut self, e: &EventRow) -> Result<u64> {
        if let Some(&n) = self.known.events.get(e) {
            return Ok(n);
        }
        if self.known.is_new(e) {
            return Ok(0);
        }
        let n: i64 = self
            .query_one(
                "SELECT count(*) FROM events e WHERE org_id = $1 AND key_id IS NOT DISTINCT FROM $2 \
                 AND at = $3 AND actor = $4 AND kind = $5 AND detail IS NOT DISTINCT FROM $6 \
                 AND coalesce((SELECT c.count FROM event_counts c WHERE c.event_id = e.id), 1) = $7",
                &[&e.org, &e.key, &e.at, &e.actor, &e.kind, &e.detail, &e.attempts_column()],
            )?
            .try_get(0)?;
        Ok(n.unsigned_abs())
    }

    fn insert_event(&mut self, e: &EventRow) -> Result<()> {
        if e.attempts <= 1 {
            self.pending.event(e);
            return Ok(());
        }
        let id: i64 = self
            .query_one(
                "INSERT INTO events (at, actor, org_id, key_id, kind, detail) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                &[&e.at, &e.actor, &e.org, &e.key, &e.kind, &e.detail],
            )?
            .try_get(0)?;
        if e.attempts > 1 {
            self.execute(
                "INSERT INTO event_counts (event_id, count) VALUES ($1, $2)",
                &[&id, &e.attempts_column()],
            )?;
        }
        Ok(())
    }

    fn successor(&mut self, row: i64) -> Result<Option<String>> {
        if let Some(id) = self.known.successors.get(&row) {
            return Ok(id.clone());
        }
        Ok(self
            .query_opt(
                "SELECT public_id FROM keys WHERE rotated_from = $1",
                &[&row],
            )?
            .map(|r| r.try_get(0))
            .transpose()?)
    }

    fn rules(&mut self) -> &mut dyn Tx {
        &mut self.rows
    }

    fn prefetch(&mut self, batch: &[Record], now: Timestamp) -> Result<()> {
        self.pending.flush(self.rows.tx)?;
        self.known.prefetch(self.rows.tx, batch, now)?;
        let new_keys = batch.iter().filter(|r| matches!(r, Record::Key(_))).count();
        self.pending.reserve_rows(self.rows.tx, new_keys)
    }

    fn flush(&mut self) -> Result<()> {
        self.pending.flush(self.rows.tx)
    }

    fn active_named(&mut self, org: i64, name: &str, now: i64) -> Result<Option<String>> {
        if let Some(id) = self.known.active_named(org, name, now) {
            return Ok(id);
        }
        self.pending.flush(self.rows.tx)?;
        self.rows.active_named(org, name, now)
    }

    fn in_org(&mut self, id: &str, slug: &str) -> Result<bool> {
        if let Some(answer) = self.known.in_org(id, slug) {
            return Ok(answer);
        }
        self.pending.flush(self.rows.tx)?;
        Ok(self
            .rows
            .key_for_update(id)?
            .is_some_and(|k| k.key.org == slug))
    }
}
