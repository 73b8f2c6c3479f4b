//! SQL for `export` and `import` on SQLite: every row out in replay order, and the row
//! operations [`crate::store::import`] drives inside one write transaction.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::compact::{key_row, next_key_row, touch};
use super::tx::SqliteTx;
use crate::domain::Timestamp;
use crate::domain::dump::{KeyRecord, OrgRecord, Record};
use crate::domain::key::KeyHash;
use crate::domain::key_id::IdCodec;
use crate::error::Result;
use crate::store::import::{EventRow, Existing, Target};
use crate::store::rows::{self, ExportSql};
use crate::store::rules::Tx;

/// The export's queries in this schema: ids decoded, usage unpacked.
const EXPORT: ExportSql = ExportSql {
    orgs: "SELECT slug, name, plan, created_at, max_lifetime, require_expiry, rotate_every \
           FROM orgs ORDER BY id",
    settings: "SELECT name, value FROM settings ORDER BY name",
    keys: "SELECT key_id(k.id, k.public_id), o.slug, k.name, h.hash, k.hint, k.created_at, \
           k.expires_at, k.revoked_at, k.revoke_reason, key_id(f.id, f.public_id) \
           FROM key_hashes h JOIN keys k ON k.id = h.key_id JOIN orgs o ON o.id = k.org_id \
           LEFT JOIN keys f ON f.id = k.rotated_from ORDER BY k.id",
    usage: "SELECT key_id(k.id, k.public_id), usage_at(u.stamps, k.id) FROM key_usage u \
            JOIN keys k ON k.id BETWEEN u.block * 64 AND u.block * 64 + 63 \
            WHERE usage_at(u.stamps, k.id) IS NOT NULL ORDER BY k.id",
    events: "SELECT o.slug, key_id(k.id, k.public_id), e.at, e.actor, e.kind, e.detail, \
             coalesce((SELECT c.count FROM event_counts c WHERE c.event_id = e.id), 1) \
             FROM events e JOIN orgs o ON o.id = e.org_id LEFT JOIN keys k ON k.id = e.key_id \
             ORDER BY e.id",
};

/// Every row, in the order an import replays them, from the caller's read snapshot.
pub fn export(conn: &Connection, visit: &mut dyn FnMut(Record) -> Result<()>) -> Result<()> {
    rows::export(&mut &*conn, &EXPORT, visit)
}

/// The import's row operations in one `BEGIN IMMEDIATE` transaction. Imported keys keep
/// their ids, in `public_id`.
pub struct Importer<'a, 'c> {
    rows: SqliteTx<'a, 'c>,
}

impl<'a, 'c> Importer<'a, 'c> {
    pub fn new(tx: &'a Transaction<'c>, ids: &'a IdCodec) -> Self {
        Self {
            rows: SqliteTx {
                tx,
                ids,
                bumped: false,
            },
        }
    }
}

impl Target for Importer<'_, '_> {
    fn org_count(&mut self) -> Result<u64> {
        let n: i64 = self
            .rows
            .tx
            .query_row("SELECT count(*) FROM orgs", [], |r| r.get(0))?;
        Ok(n.unsigned_abs())
    }

    fn insert_org(&mut self, org: &OrgRecord) -> Result<bool> {
        let n = self.rows.tx.execute(
            "INSERT INTO orgs (slug, name, plan, created_at, max_lifetime, require_expiry, \
             rotate_every) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (slug) DO NOTHING",
            params![
                org.slug,
                org.name,
                org.plan.slug(),
                org.created_at.timestamp(),
                org.policy.max_lifetime.map(|d| d.num_seconds()),
                org.policy.require_expiry,
                org.policy.rotate_every.num_seconds(),
            ],
        )?;
        Ok(n == 1)
    }

    fn org_row(&mut self, slug: &str) -> Result<Option<i64>> {
        Ok(self
            .rows
            .tx
            .query_row("SELECT id FROM orgs WHERE slug = ?1", [slug], |r| r.get(0))
            .optional()?)
    }

    fn insert_setting(&mut self, name: &str, value: &str) -> Result<bool> {
        let n = self.rows.tx.execute(
            "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
            [name, value],
        )?;
        Ok(n == 1)
    }

    fn key(&mut self, id: &str) -> Result<Option<Existing>> {
        let Some(row) = key_row(self.rows.tx, self.rows.ids, id)? else {
            return Ok(None);
        };
        let revoked_at: Option<i64> =
            self.rows
                .tx
                .query_row("SELECT revoked_at FROM keys WHERE id = ?1", [row], |r| {
                    r.get(0)
                })?;
        Ok(Some(Existing {
            row,
            revoked_at: revoked_at.map(rows::timestamp).transpose()?,
        }))
    }

    fn key_with_hash(&mut self, hash: &KeyHash) -> Result<Option<String>> {
        Ok(self
            .rows
            .tx
            .query_row(
                "SELECT key_id(k.id, k.public_id) FROM key_hashes h JOIN keys k ON k.id = h.key_id \
                 WHERE h.hash = ?1",
                [&hash.0[..]],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn insert_key(&mut self, key: &KeyRecord, org: i64, rotated_from: Option<i64>) -> Result<()> {
        self.rows.tx.execute(
            "INSERT INTO keys (id, public_id, org_id, name, name_tag, hint, created_at, \
             expires_at, revoked_at, revoke_reason, rotated_from) \
             VALUES (?10, ?1, ?2, ?3, name_tag(?3), ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                key.id,
                org,
                key.name,
                key.hint.0,
                key.created_at.timestamp(),
                key.expires_at.map(|t| t.timestamp()),
                key.revoked_at.map(|t| t.timestamp()),
                key.revoke_reason,
                rotated_from,
                // Not a row a pending `generate` has reserved.
                next_key_row(self.rows.tx)?,
            ],
        )?;
        self.rows.tx.execute(
            "INSERT INTO key_hashes (hash, key_id) VALUES (?1, ?2)",
            params![&key.hash.0[..], self.rows.tx.last_insert_rowid()],
        )?;
        Ok(())
    }

    fn revoke(&mut self, row: i64, at: Timestamp, reason: Option<&str>) -> Result<()> {
        self.rows.tx.execute(
            "UPDATE keys SET revoked_at = ?1, revoke_reason = ?2 WHERE id = ?3 \
             AND (revoked_at IS NULL OR revoked_at > ?1)",
            params![at.timestamp(), reason, row],
        )?;
        Ok(())
    }

    fn touch(&mut self, row: i64, at: Timestamp) -> Result<bool> {
        Ok(touch(self.rows.tx, [(row, at.timestamp())])? == 1)
    }

    fn count_events(&mut self, e: &EventRow) -> Result<u64> {
        let n: i64 = self.rows.tx.query_row(
            "SELECT count(*) FROM events e WHERE org_id = ?1 AND key_id IS ?2 AND at = ?3 \
             AND actor = ?4 AND kind = ?5 AND detail IS ?6 AND coalesce((SELECT c.count FROM event_counts c WHERE c.event_id = e.id), 1) = ?7",
            params![e.org, e.key, e.at, e.actor, e.kind, e.detail, e.attempts_column()],
            |r| r.get(0),
        )?;
        Ok(n.unsigned_abs())
    }

    fn insert_event(&mut self, e: &EventRow) -> Result<()> {
        self.rows.tx.execute(
            "INSERT INTO events (at, actor, org_id, key_id, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![e.at, e.actor, e.org, e.key, e.kind, e.detail],
        )?;
        if e.attempts > 1 {
            self.rows.tx.execute(
                "INSERT INTO event_counts (event_id, count) VALUES (?1, ?2)",
                params![self.rows.tx.last_insert_rowid(), e.attempts_column()],
            )?;
        }
        Ok(())
    }

    fn successor(&mut self, row: i64) -> Result<Option<String>> {
        Ok(self
            .rows
            .tx
            .query_row(
                "SELECT key_id(id, public_id) FROM keys WHERE rotated_from = ?1",
                [row],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn rules(&mut self) -> &mut dyn Tx {
        &mut self.rows
    }
}
