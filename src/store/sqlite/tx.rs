//! SQLite's row operations for [`crate::store::rules`], inside one `BEGIN IMMEDIATE`
//! transaction: the file's write lock is taken up front, so every check (the limit, the
//! name) and the write it guards happen under one lock.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, Transaction, named_params, params};

use super::compact::{id_for_new_row, key_row, next_key_row, touch};
use super::rows::KEY_COLUMNS;
use crate::domain::Timestamp;
use crate::domain::event::EventKind;
use crate::domain::key_id::IdCodec;
use crate::domain::plan::{Plan, PlanId};
use crate::domain::policy::Policy;
use crate::error::Result;
use crate::store::NewKey;
use crate::store::Stamp;
use crate::store::rows::{
    self, KEY_FROM, KEY_WIDTH, ORG_FROM, POLICY_COLUMNS, counts_against_plan,
};
use crate::store::rules::{KeyRow, OrgRow, Reserved, Tx};

pub struct SqliteTx<'a, 'c> {
    pub tx: &'a Transaction<'c>,
    pub ids: &'a IdCodec,
    /// Whether this transaction counted its change already: once is enough.
    pub bumped: bool,
}

impl Tx for SqliteTx<'_, '_> {
    fn lock_org(&mut self, slug: &str) -> Result<Option<OrgRow>> {
        // The transaction holds the file's write lock already.
        let mut stmt = self.tx.prepare_cached(&format!(
            "SELECT o.id, p.id, p.name, p.key_limit, p.api_access, {POLICY_COLUMNS} \
             FROM {ORG_FROM} WHERE o.slug = ?1"
        ))?;
        let mut found = stmt.query([slug])?;
        let Some(row) = found.next()? else {
            return Ok(None);
        };
        Ok(Some(OrgRow {
            row: row.get(0)?,
            plan: rows::plan(row, 1)?,
            policy: rows::policy(row, 5)?,
        }))
    }

    fn plans(&mut self) -> Result<Vec<Plan>> {
        super::orgs::plans(self.tx)
    }

    fn count_counted(&mut self, org: i64, now: i64) -> Result<u64> {
        let sql = format!(
            "SELECT (SELECT count(*) FROM keys k WHERE k.org_id = :org AND {}) \
             + (SELECT count(*) FROM reservations r WHERE r.org_id = :org AND r.until > :now)",
            counts_against_plan(":now")
        );
        let n: i64 = self
            .tx
            .prepare_cached(&sql)?
            .query_row(named_params! {":org": org, ":now": now}, |r| r.get(0))?;
        Ok(n.unsigned_abs())
    }

    fn active_named(&mut self, org: i64, name: &str, now: i64) -> Result<Option<String>> {
        let sql = format!(
            "SELECT key_id(k.id, k.public_id) FROM keys k WHERE k.org_id = :org AND {} \
             AND k.name_tag = name_tag(:name) AND name_key(k.name) = name_key(:name) \
             UNION ALL SELECT r.key_id FROM reservations r WHERE r.org_id = :org \
             AND r.until > :now AND name_key(r.name) = name_key(:name) LIMIT 1",
            counts_against_plan(":now")
        );
        Ok(self
            .tx
            .prepare_cached(&sql)?
            .query_row(
                named_params! {":org": org, ":now": now, ":name": name},
                |r| r.get(0),
            )
            .optional()?)
    }

    fn replacement_reserved(&mut self, row: i64, now: i64) -> Result<bool> {
        Ok(self
            .tx
            .prepare_cached("SELECT 1 FROM reservations WHERE replacing = ?1 AND until > ?2")?
            .exists(params![row, now])?)
    }

    fn reserve(
        &mut self,
        org: i64,
        name: &str,
        replacing: Option<i64>,
        until: i64,
    ) -> Result<Reserved> {
        let row = next_key_row(self.tx)?;
        let id = id_for_new_row(self.tx, self.ids, row)?;
        self.tx
            .prepare_cached(
                "INSERT INTO reservations (key_row, key_id, org_id, name, replacing, until) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![row, id, org, name, replacing, until])?;
        Ok(Reserved { token: row, id })
    }

    fn release(&mut self, token: i64) -> Result<Option<i64>> {
        Ok(self
            .tx
            .prepare_cached("DELETE FROM reservations WHERE key_row = ?1 RETURNING until")?
            .query_row([token], |r| r.get(0))
            .optional()?)
    }

    fn purge_reservations(&mut self, now: i64) -> Result<()> {
        self.tx
            .prepare_cached("DELETE FROM reservations WHERE until <= ?1")?
            .execute([now])?;
        Ok(())
    }

    fn insert_key(
        &mut self,
        org: i64,
        new: &NewKey,
        created_at: i64,
        rotated_from: Option<i64>,
        reserved: &Reserved,
    ) -> Result<i64> {
        let row = reserved.token;
        // A derived id is not stored; an id kept instead of a colliding one is.
        let kept = (reserved.id != self.ids.encode(row)).then_some(&reserved.id);
        self.tx
            .prepare_cached(
                "INSERT INTO keys (id, public_id, org_id, name, name_tag, hint, created_at, \
                 expires_at, rotated_from) VALUES (?1, ?2, ?3, ?4, name_tag(?4), ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                row,
                kept,
                org,
                new.name,
                new.hint.0,
                created_at,
                new.expires_at.map(|t| t.timestamp()),
                rotated_from,
            ])?;
        self.tx
            .prepare_cached("INSERT INTO key_hashes (hash, key_id) VALUES (?1, ?2)")?
            .execute(params![&new.hash.0[..], row])?;
        Ok(row)
    }

    fn key_for_update(&mut self, id: &str) -> Result<Option<KeyRow>> {
        let Some(row) = key_row(self.tx, self.ids, id)? else {
            return Ok(None);
        };
        let sql = format!("SELECT {KEY_COLUMNS}, k.id, k.org_id FROM {KEY_FROM} WHERE k.id = ?1");
        let mut stmt = self.tx.prepare_cached(&sql)?;
        let mut rows = stmt.query([row])?;
        let Some(found) = rows.next()? else {
            return Ok(None);
        };
        Ok(Some(KeyRow {
            key: rows::key(found)?,
            row: found.get(KEY_WIDTH)?,
            org: found.get(KEY_WIDTH + 1)?,
        }))
    }

    fn set_revoked(&mut self, row: i64, at: i64, reason: Option<&str>) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE keys SET revoked_at = ?1, revoke_reason = ?2 WHERE id = ?3")?
            .execute(params![at, reason, row])?;
        Ok(())
    }

    fn insert_org(
        &mut self,
        slug: &str,
        name: &str,
        plan: PlanId,
        created_at: i64,
    ) -> Result<Option<i64>> {
        let n = self.tx.execute(
            "INSERT INTO orgs (slug, name, plan, created_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (slug) DO NOTHING",
            params![slug, name, plan.slug(), created_at],
        )?;
        Ok((n == 1).then(|| self.tx.last_insert_rowid()))
    }

    fn set_org_plan(&mut self, org: i64, plan: PlanId) -> Result<()> {
        self.tx.execute(
            "UPDATE orgs SET plan = ?1 WHERE id = ?2",
            params![plan.slug(), org],
        )?;
        Ok(())
    }

    fn set_org_policy(&mut self, org: i64, policy: &Policy) -> Result<()> {
        self.tx.execute(
            "UPDATE orgs SET max_lifetime = ?1, require_expiry = ?2, rotate_every = ?3 WHERE id = ?4",
            params![
                policy.max_lifetime.map(|d| d.num_seconds()),
                policy.require_expiry,
                policy.rotate_every.num_seconds(),
                org
            ],
        )?;
        Ok(())
    }

    fn set_default_org(&mut self, slug: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO settings (name, value) VALUES ('default_org', ?1) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            [slug],
        )?;
        Ok(())
    }

    fn touch(&mut self, touched: &BTreeMap<i64, Timestamp>) -> Result<()> {
        touch(
            self.tx,
            touched.iter().map(|(row, at)| (*row, at.timestamp())),
        )?;
        Ok(())
    }

    fn org_of_key(&mut self, row: i64) -> Result<i64> {
        Ok(self
            .tx
            .prepare_cached("SELECT org_id FROM keys WHERE id = ?1")?
            .query_row([row], |r| r.get(0))?)
    }

    fn append_event(
        &mut self,
        stamp: &Stamp,
        org: i64,
        key: Option<i64>,
        kind: EventKind,
        detail: Option<&str>,
    ) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO events (at, actor, org_id, key_id, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![stamp.now.timestamp(), stamp.actor, org, key, kind.name(), detail])?;
        Ok(self.tx.last_insert_rowid())
    }

    fn recent_event(&mut self, key: i64, kind: EventKind, since: i64) -> Result<Option<i64>> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT max(id) FROM events WHERE key_id = ?1 AND kind = ?2 AND at >= ?3",
            )?
            .query_row(params![key, kind.name(), since], |r| r.get(0))?)
    }

    fn add_attempts(&mut self, event: i64, more: u64) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO event_counts (event_id, count) VALUES (?1, 1 + ?2) \
                 ON CONFLICT (event_id) DO UPDATE SET count = count + ?2",
            )?
            .execute(params![event, i64::try_from(more).unwrap_or(i64::MAX)])?;
        Ok(())
    }

    fn bump_version(&mut self) -> Result<()> {
        if std::mem::replace(&mut self.bumped, true) {
            return Ok(());
        }
        self.tx
            .prepare_cached("UPDATE change_version SET version = version + 1 WHERE id = 1")?
            .execute([])?;
        Ok(())
    }
}
