//! PostgreSQL's row operations for [`crate::store::rules`], inside one transaction.
//!
//! Writes that check the plan lock the organization's row first (`FOR UPDATE`): that
//! lock serializes `generate`, `rotate` and `org set-plan` of one organization across
//! processes and machines, as SQLite's single write lock does for a file. Revocation
//! and rotation lock the key's row, then read it afresh in a new statement.

use std::collections::BTreeMap;

use postgres::Transaction;

use super::rows::KEY_COLUMNS;
use crate::domain::Timestamp;
use crate::domain::event::EventKind;
use crate::domain::key::new_id;
use crate::domain::plan::{Plan, PlanId};
use crate::domain::policy::Policy;
use crate::domain::text::name_key;
use crate::error::Result;
use crate::store::rows::{
    self, KEY_FROM, KEY_WIDTH, ORG_FROM, POLICY_COLUMNS, counts_against_plan,
};
use crate::store::rules::{KeyRow, OrgRow, Reserved, Tx};
use crate::store::{NewKey, Stamp};

pub struct PgTx<'a, 'c> {
    pub tx: &'a mut Transaction<'c>,
    /// Whether this transaction counted its change already: once is enough, and each
    /// update of the one row adds a version of it the next one must pass.
    pub bumped: bool,
}

impl Tx for PgTx<'_, '_> {
    fn lock_org(&mut self, slug: &str) -> Result<Option<OrgRow>> {
        let Some(row) = self
            .tx
            .query_opt("SELECT id FROM orgs WHERE slug = $1 FOR UPDATE", &[&slug])?
        else {
            return Ok(None);
        };
        let org: i64 = row.try_get(0)?;
        // A new statement, so a new snapshot: the plan and policy as committed by the
        // previous holder.
        let row = self.tx.query_one(
            &format!(
                "SELECT p.id, p.name, p.key_limit, p.api_access, {POLICY_COLUMNS} \
                 FROM {ORG_FROM} WHERE o.id = $1"
            ),
            &[&org],
        )?;
        Ok(Some(OrgRow {
            row: org,
            plan: rows::plan(&row, 0)?,
            policy: rows::policy(&row, 4)?,
        }))
    }

    fn plans(&mut self) -> Result<Vec<Plan>> {
        super::orgs::plans(self.tx)
    }

    fn count_counted(&mut self, org: i64, now: i64) -> Result<u64> {
        let sql = format!(
            "SELECT (SELECT count(*) FROM keys k WHERE k.org_id = $1 AND {}) \
             + (SELECT count(*) FROM reservations r WHERE r.org_id = $1 AND r.until > $2)",
            counts_against_plan("$2")
        );
        let n: i64 = self.tx.query_one(&sql, &[&org, &now])?.try_get(0)?;
        Ok(n.unsigned_abs())
    }

    fn active_named(&mut self, org: i64, name: &str, now: i64) -> Result<Option<String>> {
        let sql = format!(
            "SELECT k.public_id FROM keys k WHERE k.org_id = $1 AND {} AND k.name_key = $3 \
             UNION ALL SELECT r.key_id FROM reservations r \
             WHERE r.org_id = $1 AND r.until > $2 AND r.name_key = $3 LIMIT 1",
            counts_against_plan("$2")
        );
        Ok(self
            .tx
            .query_opt(&sql, &[&org, &now, &name_key(name)])?
            .map(|row| row.try_get(0))
            .transpose()?)
    }

    fn replacement_reserved(&mut self, row: i64, now: i64) -> Result<bool> {
        Ok(self
            .tx
            .query_opt(
                "SELECT 1 FROM reservations WHERE replacing = $1 AND until > $2",
                &[&row, &now],
            )?
            .is_some())
    }

    fn reserve(
        &mut self,
        org: i64,
        name: &str,
        replacing: Option<i64>,
        until: i64,
    ) -> Result<Reserved> {
        let id = new_id()?;
        let row = self.tx.query_one(
            "INSERT INTO reservations (key_id, org_id, name, name_key, replacing, until) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &[&id, &org, &name, &name_key(name), &replacing, &until],
        )?;
        Ok(Reserved {
            token: row.try_get(0)?,
            id,
        })
    }

    fn release(&mut self, token: i64) -> Result<Option<i64>> {
        Ok(self
            .tx
            .query_opt(
                "DELETE FROM reservations WHERE id = $1 RETURNING until",
                &[&token],
            )?
            .map(|row| row.try_get(0))
            .transpose()?)
    }

    fn purge_reservations(&mut self, now: i64) -> Result<()> {
        self.tx
            .execute("DELETE FROM reservations WHERE until <= $1", &[&now])?;
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
        let row = self.tx.query_one(
            "INSERT INTO keys (public_id, org_id, name, name_key, hash, hint, created_at, \
             expires_at, rotated_from) VALUES ($1, $2, $3, $9, $4, $5, $6, $7, $8) RETURNING id",
            &[
                &reserved.id,
                &org,
                &new.name,
                &&new.hash.0[..],
                &new.hint.0,
                &created_at,
                &new.expires_at.map(|t| t.timestamp()),
                &rotated_from,
                &name_key(&new.name),
            ],
        )?;
        Ok(row.try_get(0)?)
    }

    fn key_for_update(&mut self, id: &str) -> Result<Option<KeyRow>> {
        if self
            .tx
            .query_opt(
                "SELECT id FROM keys WHERE public_id = $1 FOR UPDATE",
                &[&id],
            )?
            .is_none()
        {
            return Ok(None);
        }
        let sql =
            format!("SELECT {KEY_COLUMNS}, k.id, k.org_id FROM {KEY_FROM} WHERE k.public_id = $1");
        let Some(row) = self.tx.query_opt(&sql, &[&id])? else {
            return Ok(None);
        };
        Ok(Some(KeyRow {
            key: rows::key(&row)?,
            row: row.try_get(KEY_WIDTH)?,
            org: row.try_get(KEY_WIDTH + 1)?,
        }))
    }

    fn set_revoked(&mut self, row: i64, at: i64, reason: Option<&str>) -> Result<()> {
        self.tx.execute(
            "UPDATE keys SET revoked_at = $1, revoke_reason = $2 WHERE id = $3",
            &[&at, &reason, &row],
        )?;
        Ok(())
    }

    fn insert_org(
        &mut self,
        slug: &str,
        name: &str,
        plan: PlanId,
        created_at: i64,
    ) -> Result<Option<i64>> {
        Ok(self
            .tx
            .query_opt(
                "INSERT INTO orgs (slug, name, plan, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (slug) DO NOTHING RETURNING id",
                &[&slug, &name, &plan.slug(), &created_at],
            )?
            .map(|row| row.try_get(0))
            .transpose()?)
    }

    fn set_org_plan(&mut self, org: i64, plan: PlanId) -> Result<()> {
        self.tx.execute(
            "UPDATE orgs SET plan = $1 WHERE id = $2",
            &[&plan.slug(), &org],
        )?;
        Ok(())
    }

    fn set_org_policy(&mut self, org: i64, policy: &Policy) -> Result<()> {
        self.tx.execute(
            "UPDATE orgs SET max_lifetime = $1, require_expiry = $2, rotate_every = $3 WHERE id = $4",
            &[
                &policy.max_lifetime.map(|d| d.num_seconds()),
                &policy.require_expiry,
                &policy.rotate_every.num_seconds(),
                &org,
            ],
        )?;
        Ok(())
    }

    fn set_default_org(&mut self, slug: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO settings (name, value) VALUES ('default_org', $1) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            &[&slug],
        )?;
        Ok(())
    }

    /// Keys are touched in row order, so concurrent batches take their row locks in the
    /// same order and cannot deadlock.
    fn touch(&mut self, touched: &BTreeMap<i64, Timestamp>) -> Result<()> {
        if touched.is_empty() {
            return Ok(());
        }
        let touch = self.tx.prepare(
            "INSERT INTO key_usage (key_id, last_used_at) VALUES ($1, $2) \
             ON CONFLICT (key_id) DO UPDATE SET last_used_at = excluded.last_used_at \
             WHERE key_usage.last_used_at < excluded.last_used_at",
        )?;
        for (row, at) in touched {
            self.tx.execute(&touch, &[row, &at.timestamp()])?;
        }
        Ok(())
    }

    fn org_of_key(&mut self, row: i64) -> Result<i64> {
        Ok(self
            .tx
            .query_one("SELECT org_id FROM keys WHERE id = $1", &[&row])?
            .try_get(0)?)
    }

    fn append_event(
        &mut self,
        stamp: &Stamp,
        org: i64,
        key: Option<i64>,
        kind: EventKind,
        detail: Option<&str>,
    ) -> Result<i64> {
        let row = self.tx.query_one(
            "INSERT INTO events (at, actor, org_id, key_id, kind, detail) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &[
                &stamp.now.timestamp(),
                &stamp.actor,
                &org,
                &key,
                &kind.name(),
                &detail,
            ],
        )?;
        Ok(row.try_get(0)?)
    }

    fn recent_event(&mut self, key: i64, kind: EventKind, since: i64) -> Result<Option<i64>> {
        Ok(self
            .tx
            .query_one(
                "SELECT max(id) FROM events WHERE key_id = $1 AND kind = $2 AND at >= $3",
                &[&key, &kind.name(), &since],
            )?
            .try_get(0)?)
    }

    fn add_attempts(&mut self, event: i64, more: u64) -> Result<()> {
        self.tx.execute(
            "INSERT INTO event_counts (event_id, count) VALUES ($1, 1 + $2::bigint) \
             ON CONFLICT (event_id) DO UPDATE SET count = event_counts.count + $2::bigint",
            &[&event, &i64::try_from(more).unwrap_or(i64::MAX)],
        )?;
        Ok(())
    }

    fn bump_version(&mut self) -> Result<()> {
        if std::mem::replace(&mut self.bumped, true) {
            return Ok(());
        }
        // Delivered at commit, to the sessions listening then; the counter is what a
        // listener that missed it reads.
        self.tx.execute(
            &format!(
                "WITH bumped AS (UPDATE change_version SET version = version + 1 WHERE id = 1 \
                 RETURNING version) SELECT pg_notify('{}', version::text) FROM bumped",
                super::CHANGES_CHANNEL
            ),
            &[],
        )?;
        Ok(())
    }
}
