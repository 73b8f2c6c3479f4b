//! PostgreSQL reads of plans, organizations and the store's settings.

use postgres::GenericClient;

use crate::domain::Timestamp;
use crate::domain::org::Org;
use crate::domain::plan::Plan;
use crate::error::Result;
use crate::store::rows::{self, ORG_FROM, org_columns};

pub(crate) fn plans(conn: &mut impl GenericClient) -> Result<Vec<Plan>> {
    conn.query(
        "SELECT id, name, key_limit, api_access FROM plans ORDER BY rank",
        &[],
    )?
    .iter()
    .map(|row| rows::plan(row, 0))
    .collect()
}

pub(crate) fn all(conn: &mut impl GenericClient, now: Timestamp) -> Result<Vec<Org>> {
    let sql = format!(
        "SELECT {} FROM {ORG_FROM} ORDER BY o.slug",
        org_columns("$1")
    );
    conn.query(&sql, &[&now.timestamp()])?
        .iter()
        .map(|row| rows::org(row))
        .collect()
}

pub(crate) fn slugs(conn: &mut impl GenericClient) -> Result<Vec<String>> {
    conn.query("SELECT slug FROM orgs ORDER BY slug", &[])?
        .iter()
        .map(|row| Ok(row.try_get(0)?))
        .collect()
}

pub(crate) fn by_slug(
    conn: &mut impl GenericClient,
    slug: &str,
    now: Timestamp,
) -> Result<Option<Org>> {
    let sql = format!(
        "SELECT {} FROM {ORG_FROM} WHERE o.slug = $2",
        org_columns("$1")
    );
    conn.query_opt(&sql, &[&now.timestamp(), &slug])?
        .as_ref()
        .map(|row| rows::org(row))
        .transpose()
}

pub(crate) fn exists(conn: &mut impl GenericClient, slug: &str) -> Result<bool> {
    let row = conn.query_one(
        "SELECT EXISTS (SELECT 1 FROM orgs WHERE slug = $1)",
        &[&slug],
    )?;
    Ok(row.try_get(0)?)
}

pub(crate) fn default(conn: &mut impl GenericClient) -> Result<Option<String>> {
    Ok(conn
        .query_opt("SELECT value FROM settings WHERE name = 'default_org'", &[])?
        .map(|row| row.try_get(0))
        .transpose()?)
}
