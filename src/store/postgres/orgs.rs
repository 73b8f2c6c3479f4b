//! SQL for plans, organizations and the store's settings, on PostgreSQL.
//!
//! Writes that check the plan lock the organization's row (`FOR UPDATE`): that lock is
//! what serializes `generate`, `rotate` and `org set-plan` of one organization across
//! processes and machines, as SQLite's single write lock does for a file.

use postgres::{GenericClient, Transaction};

use super::rows::{self, ORG_FROM, org_columns, record_event};
use crate::domain::Timestamp;
use crate::domain::event::EventKind;
use crate::domain::org::Org;
use crate::domain::plan::{Plan, PlanId};
use crate::error::{Error, Result};
use crate::store::{self, Stamp};

pub fn plans(conn: &mut impl GenericClient) -> Result<Vec<Plan>> {
    conn.query(
        "SELECT id, name, key_limit, api_access FROM plans ORDER BY rank",
        &[],
    )?
    .iter()
    .map(|row| rows::plan(row, 0))
    .collect()
}

pub fn all(conn: &mut impl GenericClient, now: Timestamp) -> Result<Vec<Org>> {
    let sql = format!(
        "SELECT {} FROM {ORG_FROM} ORDER BY o.slug",
        org_columns("$1")
    );
    conn.query(&sql, &[&now.timestamp()])?
        .iter()
        .map(rows::org)
        .collect()
}

pub fn slugs(conn: &mut impl GenericClient) -> Result<Vec<String>> {
    conn.query("SELECT slug FROM orgs ORDER BY slug", &[])?
        .iter()
        .map(|row| Ok(row.try_get(0)?))
        .collect()
}

pub fn by_slug(conn: &mut impl GenericClient, slug: &str, now: Timestamp) -> Result<Option<Org>> {
    let sql = format!(
        "SELECT {} FROM {ORG_FROM} WHERE o.slug = $2",
        org_columns("$1")
    );
    conn.query_opt(&sql, &[&now.timestamp(), &slug])?
        .as_ref()
        .map(rows::org)
        .transpose()
}

pub fn exists(conn: &mut impl GenericClient, slug: &str) -> Result<bool> {
    let row = conn.query_one(
        "SELECT EXISTS (SELECT 1 FROM orgs WHERE slug = $1)",
        &[&slug],
    )?;
    Ok(row.try_get(0)?)
}

/// Locks the organization's row until the transaction ends, and returns its row id and
/// plan. Everything read after this, in later statements, sees the writes of whoever
/// held the lock before.
pub fn lock(tx: &mut Transaction<'_>, slug: &str) -> Result<(i64, Plan)> {
    let locked = tx.query_opt("SELECT id FROM orgs WHERE slug = $1 FOR UPDATE", &[&slug])?;
    let Some(row) = locked else {
        return Err(Error::NoSuchOrg {
            slug: slug.to_owned(),
        });
    };
    let org_id: i64 = row.try_get(0)?;
    // A new statement, so a new snapshot: the plan as committed by the previous holder.
    let row = tx.query_one(
        "SELECT p.id, p.name, p.key_limit, p.api_access FROM orgs o JOIN plans p ON p.id = o.plan \
         WHERE o.id = $1",
        &[&org_id],
    )?;
    Ok((org_id, rows::plan(&row, 0)?))
}

pub fn create(
    tx: &mut Transaction<'_>,
    slug: &str,
    name: &str,
    plan: PlanId,
    stamp: &Stamp,
) -> Result<()> {
    let inserted = tx.query_opt(
        "INSERT INTO orgs (slug, name, plan, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (slug) DO NOTHING RETURNING id",
        &[&slug, &name, &plan.slug(), &stamp.now.timestamp()],
    )?;
    let Some(row) = inserted else {
        return Err(Error::OrgExists {
            slug: slug.to_owned(),
        });
    };
    let org_id: i64 = row.try_get(0)?;
    record_event(
        tx,
        stamp,
        org_id,
        None,
        EventKind::OrgCreated,
        Some(plan.slug()),
    )
}

pub fn default(conn: &mut impl GenericClient) -> Result<Option<String>> {
    Ok(conn
        .query_opt("SELECT value FROM settings WHERE name = 'default_org'", &[])?
        .map(|row| row.try_get(0))
        .transpose()?)
}

pub fn set_default(tx: &mut Transaction<'_>, slug: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO settings (name, value) VALUES ('default_org', $1) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        &[&slug],
    )?;
    Ok(())
}

/// Returns the plan the organization had before.
pub fn set_plan(
    tx: &mut Transaction<'_>,
    slug: &str,
    plan: PlanId,
    stamp: &Stamp,
    confirmed: bool,
) -> Result<PlanId> {
    // The row lock on the organization also holds off a concurrent `generate`, so the
    // count below is the count the new plan meets.
    let (org_id, old) = lock(tx, slug)?;
    if !confirmed {
        let active: i64 = tx
            .query_one(
                &format!(
                    "SELECT count(*) FROM keys k WHERE k.org_id = $1 AND {}",
                    rows::is_active("$2")
                ),
                &[&org_id, &stamp.now.timestamp()],
            )?
            .try_get(0)?;
        store::confirm_downgrade(plan, active.unsigned_abs(), &plans(tx)?)?;
    }
    if old.id != plan {
        tx.execute(
            "UPDATE orgs SET plan = $1 WHERE id = $2",
            &[&plan.slug(), &org_id],
        )?;
        let detail = format!("{} -> {plan}", old.id);
        record_event(
            tx,
            stamp,
            org_id,
            None,
            EventKind::PlanChanged,
            Some(&detail),
        )?;
    }
    Ok(old.id)
}
