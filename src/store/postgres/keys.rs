//! PostgreSQL reads of keys: listing, lookups by id and name, and the `verify` lookup by
//! hash. Writes go through [`super::tx`].

use postgres::types::Type;
use postgres::{Client, GenericClient};

use super::rows::KEY_COLUMNS;
use crate::domain::Timestamp;
use crate::domain::key::{Key, KeyHash, Status};
use crate::error::Result;
use crate::store::KeyMatch;
use crate::store::rows::{
    self, HYGIENE_ORG_COLUMNS, Hygiene, HygieneRows, KEY_FROM, ORG_FROM, Positions,
    counts_against_plan, is_active, is_expired, is_revoked,
};

pub(crate) fn visit(
    conn: &mut Client,
    org: &str,
    status: Option<Status>,
    now: Timestamp,
    visit: &mut dyn FnMut(Key) -> Result<()>,
) -> Result<()> {
    let filter = match status {
        None => "$2::bigint IS NULL".to_owned(),
        Some(Status::Revoked) => is_revoked("$2"),
        Some(Status::Expired) => format!("NOT {} AND {}", is_revoked("$2"), is_expired("$2")),
        Some(Status::Active) => is_active("$2"),
    };
    let sql = format!(
        "SELECT {KEY_COLUMNS} FROM {KEY_FROM} WHERE o.slug = $1 AND {filter} ORDER BY k.id"
    );
    // One snapshot for the whole listing, streamed in batches rather than held whole.
    let mut tx = conn.build_transaction().read_only(true).start()?;
    let stmt = tx.prepare(&sql)?;
    let now = status.map(|_| now.timestamp());
    let portal = tx.bind(&stmt, &[&org, &now])?;
    loop {
        let batch = tx.query_portal(&portal, 500)?;
        for row in &batch {
            visit(rows::key(row)?)?;
        }
        if batch.len() < 500 {
            break;
        }
    }
    tx.commit()?;
    Ok(())
}

/// `report`'s read (see [`crate::store::Store::hygiene`]): one read-only transaction,
/// the keys streamed in batches, only the columns the findings need.
pub(crate) fn hygiene(
    conn: &mut Client,
    org: Option<&str>,
    now: Timestamp,
    visit: &mut dyn FnMut(Hygiene) -> Result<()>,
) -> Result<()> {
    let mut tx = conn
        .build_transaction()
        .read_only(true)
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .start()?;
    let mut rows = HygieneRows::default();
    let sql = format!(
        "SELECT {HYGIENE_ORG_COLUMNS} FROM {ORG_FROM} WHERE $1::text IS NULL OR o.slug = $1 \
         ORDER BY o.slug"
    );
    for row in tx.query(&sql, &[&org])? {
        rows.org(&row, visit)?;
    }
    let sql = format!(
        "SELECT k.org_id, k.public_id, k.name, k.created_at, k.expires_at, u.last_used_at \
         FROM keys k LEFT JOIN key_usage u ON u.key_id = k.id \
         WHERE ($1::text IS NULL OR k.org_id = (SELECT id FROM orgs WHERE slug = $1)) AND {} \
         ORDER BY k.id",
        counts_against_plan("$2")
    );
    let stmt = tx.prepare(&sql)?;
    let portal = tx.bind(&stmt, &[&org, &now.timestamp()])?;
    loop {
        let batch = tx.query_portal(&portal, 1000)?;
        for row in &batch {
            rows.key(row, visit)?;
        }
        if batch.len() < 1000 {
            break;
        }
    }
    tx.commit()?;
    Ok(())
}

pub(crate) fn by_id(conn: &mut impl GenericClient, org: &str, id: &str) -> Result<Option<Key>> {
    let sql =
        format!("SELECT {KEY_COLUMNS} FROM {KEY_FROM} WHERE k.public_id = $1 AND o.slug = $2");
    conn.query_opt(&sql, &[&id, &org])?
        .as_ref()
        .map(|row| rows::key(row))
        .transpose()
}

/// All keys of `org` with this exact name, newest first.
pub(crate) fn named(conn: &mut impl GenericClient, org: &str, name: &str) -> Result<Vec<Key>> {
    let sql = format!(
        "SELECT {KEY_COLUMNS} FROM {KEY_FROM} WHERE o.slug = $1 AND k.name = $2 ORDER BY k.id DESC"
    );
    conn.query(&sql, &[&org, &name])?
        .iter()
        .map(|row| rows::key(row))
        .collect()
}

/// The `verify` lookup: one row through the unique index on `hash`, in one round trip
/// (typed parameters, no separate prepare).
pub(crate) fn by_hash(conn: &mut impl GenericClient, hash: &KeyHash) -> Result<Option<KeyMatch>> {
    let rows = conn.query_typed(
        "SELECT k.id, k.public_id, o.slug, k.name, k.expires_at, k.revoked_at, p.api_access \
         FROM keys k JOIN orgs o ON o.id = k.org_id JOIN plans p ON p.id = o.plan \
         WHERE k.hash = $1",
        &[(&&hash.0[..], Type::BYTEA)],
    )?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    Ok(Some(rows::key_match(
        row,
        row.try_get(2)?,
        row.try_get(6)?,
    )?))
}

/// [`by_hash`] for each of `hashes` in one round trip: the hashes go in as an array,
/// and each row ends with its hash's position in it, from 1.
pub(crate) fn by_hashes(
    conn: &mut impl GenericClient,
    hashes: &[KeyHash],
    found: &mut dyn FnMut(usize, Option<KeyMatch>) -> Result<()>,
) -> Result<()> {
    let values: Vec<&[u8]> = hashes.iter().map(|h| &h.0[..]).collect();
    let rows = conn.query_typed(
        "SELECT k.id, k.public_id, o.slug, k.name, k.expires_at, k.revoked_at, p.api_access, h.i \
         FROM unnest($1::bytea[]) WITH ORDINALITY AS h (hash, i) \
         JOIN keys k ON k.hash = h.hash JOIN orgs o ON o.id = k.org_id \
         JOIN plans p ON p.id = o.plan",
        &[(&values, Type::BYTEA_ARRAY)],
    )?;
    let mut positions = Positions::new(hashes.len());
    for row in &rows {
        if let Some(i) = positions.take(row.try_get(7)?) {
            found(
                i,
                Some(rows::key_match(row, row.try_get(2)?, row.try_get(6)?)?),
            )?;
        }
    }
    for i in positions.missing() {
        found(i, None)?;
    }
    Ok(())
}
