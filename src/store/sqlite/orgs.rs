//! SQL for plans, organizations and the store's settings.

use rusqlite::{Connection, OptionalExtension, Transaction, named_params, params};

use super::rows::{self, IS_ACTIVE, ORG_COLUMNS, ORG_FROM, record_event};
use crate::domain::Timestamp;
use crate::domain::event::EventKind;
use crate::domain::org::Org;
use crate::domain::plan::{Plan, PlanId};
use crate::error::{Error, Result};
use crate::store::{self, Stamp};

pub fn plans(conn: &Connection) -> Result<Vec<Plan>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, name, key_limit, api_access FROM plans ORDER BY rank")?;
    let plans = stmt
        .query_map([], |row| rows::plan(row, 0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(plans)
}

pub fn all(conn: &Connection, now: Timestamp) -> Result<Vec<Org>> {
    let sql = format!("SELECT {ORG_COLUMNS} FROM {ORG_FROM} ORDER BY o.slug");
    let mut stmt = conn.prepare_cached(&sql)?;
    let orgs = stmt
        .query_map(named_params! {":now": now.timestamp()}, rows::org)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(orgs)
}

pub fn slugs(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT slug FROM orgs ORDER BY slug")?;
    let slugs = stmt
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(slugs)
}

pub fn by_slug(conn: &Connection, slug: &str, now: Timestamp) -> Result<Option<Org>> {
    let sql = format!("SELECT {ORG_COLUMNS} FROM {ORG_FROM} WHERE o.slug = :slug");
    let mut stmt = conn.prepare_cached(&sql)?;
    let org = stmt
        .query_row(
            named_params! {":now": now.timestamp(), ":slug": slug},
            rows::org,
        )
        .optional()?;
    Ok(org)
}

pub fn exists(conn: &Connection, slug: &str) -> Result<bool> {
    let mut stmt = conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM orgs WHERE slug = ?1)")?;
    Ok(stmt.query_row([slug], |r| r.get(0))?)
}

/// The organization's row id and plan, for writes that check the plan.
pub fn id_and_plan(tx: &Transaction<'_>, slug: &str) -> Result<(i64, Plan)> {
    let found = tx
        .prepare_cached(
            "SELECT o.id, p.id, p.name, p.key_limit, p.api_access \
             FROM orgs o JOIN plans p ON p.id = o.plan WHERE o.slug = ?1",
        )?
        .query_row([slug], |row| {
            Ok((row.get::<_, i64>(0)?, rows::plan(row, 1)?))
        })
        .optional()?;
    found.ok_or_else(|| Error::NoSuchOrg {
        slug: slug.to_owned(),
    })
}

pub fn create(
    tx: &Transaction<'_>,
    slug: &str,
    name: &str,
    plan: PlanId,
    stamp: &Stamp,
) -> Result<()> {
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM orgs WHERE slug = ?1)",
        [slug],
        |r| r.get(0),
    )?;
    if exists {
        return Err(Error::OrgExists {
            slug: slug.to_owned(),
        });
    }
    tx.execute(
        "INSERT INTO orgs (slug, name, plan, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![slug, name, plan.slug(), stamp.now.timestamp()],
    )?;
    let org_id = tx.last_insert_rowid();
    record_event(
        tx,
        stamp,
        org_id,
        None,
        EventKind::OrgCreated,
        Some(plan.slug()),
    )
}

pub fn default(conn: &Connection) -> Result<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT value FROM settings WHERE name = 'default_org'")?;
    Ok(stmt.query_row([], |row| row.get(0)).optional()?)
}

pub fn set_default(tx: &Transaction<'_>, slug: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO settings (name, value) VALUES ('default_org', ?1) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        [slug],
    )?;
    Ok(())
}

/// Returns the plan the organization had before.
pub fn set_plan(
    tx: &Transaction<'_>,
    slug: &str,
    plan: PlanId,
    stamp: &Stamp,
    confirmed: bool,
) -> Result<PlanId> {
    let (org_id, old) = id_and_plan(tx, slug)?;
    if !confirmed {
        let active: i64 = tx.query_row(
            &format!("SELECT count(*) FROM keys k WHERE k.org_id = :org AND {IS_ACTIVE}"),
            named_params! {":org": org_id, ":now": stamp.now.timestamp()},
            |r| r.get(0),
        )?;
        store::confirm_downgrade(plan, active.unsigned_abs(), &plans(tx)?)?;
    }
    if old.id != plan {
        tx.execute(
            "UPDATE orgs SET plan = ?1 WHERE id = ?2",
            params![plan.slug(), org_id],
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
