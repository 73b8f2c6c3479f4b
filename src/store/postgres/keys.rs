//! SQL for keys on PostgreSQL: creation under the plan's limit, lookups, revocation and
//! rotation.
//!
//! Creation locks the organization's row first ([`orgs::lock`]), so "count the active
//! keys, then insert" is one step for every process on every machine. Revocation and
//! rotation lock the key's row, then read it afresh.

use postgres::types::Type;
use postgres::{Client, GenericClient, Transaction};

use super::orgs;
use super::rows::{
    self, KEY_COLUMNS, KEY_FROM, KEY_WIDTH, is_active, is_expired, is_revoked, record_event,
};
use crate::domain::Timestamp;
use crate::domain::event::EventKind;
use crate::domain::key::{Key, KeyHash, Status, new_id};
use crate::error::{Error, Result};
use crate::store::{self, KeyMatch, NewKey, Revocation, Rotation, Stamp};

/// Inserts `new` after checking the plan and the name. `replacing` is the row of a key
/// being rotated out: it counts neither against the limit nor as a name clash.
pub fn create(
    tx: &mut Transaction<'_>,
    new: &NewKey,
    replacing: Option<i64>,
    stamp: &Stamp,
) -> Result<Key> {
    let now = stamp.now.timestamp();
    let (org_id, plan) = orgs::lock(tx, &new.org)?;
    let others = format!(
        "FROM keys k WHERE k.org_id = $1 AND {} AND k.id IS DISTINCT FROM $3",
        is_active("$2")
    );
    // An unlimited plan admits any count: skip walking the organization's keys.
    let active: i64 = if plan.key_limit.is_some() {
        tx.query_one(
            &format!("SELECT count(*) {others}"),
            &[&org_id, &now, &replacing],
        )?
        .try_get(0)?
    } else {
        0
    };
    store::admit(&new.org, &plan, active.unsigned_abs(), || orgs::plans(tx))?;
    // A rotation keeps the name on purpose, even while a predecessor is in its grace period.
    if replacing.is_none() {
        let clash = tx.query_opt(
            &format!("SELECT k.public_id {others} AND k.name = $4 LIMIT 1"),
            &[&org_id, &now, &replacing, &new.name],
        )?;
        if let Some(row) = clash {
            return Err(Error::DuplicateName {
                name: new.name.clone(),
                id: row.try_get(0)?,
            });
        }
    }
    let id = new_id()?;
    let row = tx.query_one(
        "INSERT INTO keys (public_id, org_id, name, hash, hint, created_at, expires_at, rotated_from) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, \
         (SELECT public_id FROM keys WHERE id = $8)",
        &[
            &id,
            &org_id,
            &new.name,
            &&new.hash.0[..],
            &new.hint.0,
            &now,
            &new.expires_at.map(|t| t.timestamp()),
            &replacing,
        ],
    )?;
    let row_id: i64 = row.try_get(0)?;
    let rotated_from: Option<String> = row.try_get(1)?;
    let detail = rotated_from
        .as_ref()
        .map(|old| format!("rotated from {old}"));
    record_event(
        tx,
        stamp,
        org_id,
        Some(row_id),
        EventKind::KeyCreated,
        detail.as_deref(),
    )?;
    Ok(new.stored(id, rows::timestamp(now)?, rotated_from))
}

pub fn visit(
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

pub fn by_id(conn: &mut impl GenericClient, org: &str, id: &str) -> Result<Option<Key>> {
    let sql =
        format!("SELECT {KEY_COLUMNS} FROM {KEY_FROM} WHERE k.public_id = $1 AND o.slug = $2");
    conn.query_opt(&sql, &[&id, &org])?
        .as_ref()
        .map(rows::key)
        .transpose()
}

/// All keys of `org` with this exact name, newest first.
pub fn named(conn: &mut impl GenericClient, org: &str, name: &str) -> Result<Vec<Key>> {
    let sql = format!(
        "SELECT {KEY_COLUMNS} FROM {KEY_FROM} WHERE o.slug = $1 AND k.name = $2 ORDER BY k.id DESC"
    );
    conn.query(&sql, &[&org, &name])?
        .iter()
        .map(rows::key)
        .collect()
}

/// The `verify` lookup: one row through the unique index on `hash`, in one round trip
/// (typed parameters, no separate prepare).
pub fn by_hash(conn: &mut impl GenericClient, hash: &KeyHash) -> Result<Option<KeyMatch>> {
    let rows = conn.query_typed(
        "SELECT k.id, k.public_id, o.slug, k.name, k.expires_at, k.revoked_at, p.api_access \
         FROM keys k JOIN orgs o ON o.id = k.org_id JOIN plans p ON p.id = o.plan \
         WHERE k.hash = $1",
        &[(&&hash.0[..], Type::BYTEA)],
    )?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    Ok(Some(KeyMatch {
        handle: row.try_get(0)?,
        id: row.try_get(1)?,
        org: row.try_get(2)?,
        name: row.try_get(3)?,
        expires_at: rows::opt_timestamp(row.try_get(4)?)?,
        revoked_at: rows::opt_timestamp(row.try_get(5)?)?,
        api_access: row.try_get(6)?,
    }))
}

/// Locks a key's row, then reads it in a new statement (so with what the previous lock
/// holder committed): the key with its row id and its organization's row id.
fn for_update(tx: &mut Transaction<'_>, id: &str) -> Result<(Key, i64, i64)> {
    let no_such_key = || Error::NoSuchKey {
        reference: id.to_owned(),
        org: String::new(),
    };
    tx.query_opt(
        "SELECT id FROM keys WHERE public_id = $1 FOR UPDATE",
        &[&id],
    )?
    .ok_or_else(no_such_key)?;
    let sql =
        format!("SELECT {KEY_COLUMNS}, k.id, k.org_id FROM {KEY_FROM} WHERE k.public_id = $1");
    let row = tx.query_opt(&sql, &[&id])?.ok_or_else(no_such_key)?;
    Ok((
        rows::key(&row)?,
        row.try_get(KEY_WIDTH)?,
        row.try_get(KEY_WIDTH + 1)?,
    ))
}

pub fn revoke(
    tx: &mut Transaction<'_>,
    id: &str,
    reason: Option<&str>,
    stamp: &Stamp,
) -> Result<Revocation> {
    let (key, row_id, org_id) = for_update(tx, id)?;
    if key.status(stamp.now) == Status::Revoked {
        return Ok(Revocation::AlreadyRevoked(key));
    }
    tx.execute(
        "UPDATE keys SET revoked_at = $1, revoke_reason = $2 WHERE id = $3",
        &[&stamp.now.timestamp(), &reason, &row_id],
    )?;
    record_event(
        tx,
        stamp,
        org_id,
        Some(row_id),
        EventKind::KeyRevoked,
        reason,
    )?;
    Ok(Revocation::Revoked(key.revoked(stamp.now, reason)))
}

pub fn rotate(
    tx: &mut Transaction<'_>,
    old_id: &str,
    new: &NewKey,
    old_stops_at: Timestamp,
    stamp: &Stamp,
) -> Result<Rotation> {
    let (old, old_row, org_id) = for_update(tx, old_id)?;
    old.check_rotatable(stamp.now)
        .map_err(|why| Error::unrotatable(&old.id, why))?;
    let new_key = create(tx, new, Some(old_row), stamp)?;
    let old = old.rotated(&new_key.id, old_stops_at);
    tx.execute(
        "UPDATE keys SET revoked_at = $1, revoke_reason = $2 WHERE id = $3",
        &[&old_stops_at.timestamp(), &old.revoke_reason, &old_row],
    )?;
    let detail = old.rotation_detail();
    record_event(
        tx,
        stamp,
        org_id,
        Some(old_row),
        EventKind::KeyRotated,
        detail.as_deref(),
    )?;
    Ok(Rotation { new: new_key, old })
}
