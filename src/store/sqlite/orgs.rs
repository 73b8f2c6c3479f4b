//! SQLite reads of plans, organizations and the store's settings.

use rusqlite::{Connection, OptionalExtension, named_params};

use crate::domain::Timestamp;
use crate::domain::org::Org;
use crate::domain::plan::Plan;
use crate::error::Result;
use crate::store::rows::{self, ORG_FROM, org_columns};

pub(crate) fn plans(conn: &Connection) -> Result<Vec<Plan>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, name, key_limit, api_access FROM plans ORDER BY rank")?;
    let mut rows = stmt.query([])?;
    let mut plans = Vec::new();
    while let Some(row) = rows.next()? {
        plans.push(rows::plan(row, 0)?);
    }
    Ok(plans)
}

pub(crate) fn all(conn: &Connection, now: Timestamp) -> Result<Vec<Org>> {
    let sql = format!(
        "SELECT {} FROM {ORG_FROM} ORDER BY o.slug",
        org_columns(":now")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(named_params! {":now": now.timestamp()})?;
    let mut orgs = Vec::new();
    while let Some(row) = rows.next()? {
        orgs.push(rows::org(row)?);
    }
    Ok(orgs)
}

pub(crate) fn slugs(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT slug FROM orgs ORDER BY slug")?;
    let slugs = stmt
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(slugs)
}

pub(crate) fn by_slug(conn: &Connection, slug: &str, now: Timestamp) -> Result<Option<Org>> {
    let sql = format!(
        "SELECT {} FROM {ORG_FROM} WHERE o.slug = :slug",
        org_columns(":now")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(named_params! {":now": now.timestamp(), ":slug": slug})?;
    rows.next()?.map(|row| rows::org(row)).transpose()
}

pub(crate) fn exists(conn: &Connection, slug: &str) -> Result<bool> {
    let mut stmt = conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM orgs WHERE slug = ?1)")?;
    Ok(stmt.query_row([slug], |r| r.get(0))?)
}

pub(crate) fn default(conn: &Connection) -> Result<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT value FROM settings WHERE name = 'default_org'")?;
    Ok(stmt.query_row([], |row| row.get(0)).optional()?)
}
