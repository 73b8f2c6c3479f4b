//! SQL for keys: creation under the plan's limit, lookups, revocation and rotation.
//!
//! The write functions take the caller's `BEGIN IMMEDIATE` transaction, so a check (the
//! limit, the name) and the write it guards happen under one lock.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::rc::Rc;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, named_params, params};

use super::orgs;
use super::rows::{
    self, IS_ACTIVE, IS_EXPIRED, IS_REVOKED, KEY_COLUMNS, KEY_FROM, KEY_WIDTH, record_event,
};
use crate::domain::Timestamp;
use crate::domain::event::EventKind;
use crate::domain::key::{Key, KeyHash, Status, new_id};
use crate::domain::key_id::IdCodec;
use crate::error::{Error, Result};
use crate::store::{self, KeyMatch, NewKey, Revocation, Rotation, Stamp};

/// Inserts `new` after checking the plan and the name. `replacing` is the row of a key
/// being rotated out: it counts neither against the limit nor as a name clash.
pub fn create(
    tx: &Transaction<'_>,
    ids: &IdCodec,
    new: &NewKey,
    replacing: Option<i64>,
    stamp: &Stamp,
) -> Result<Key> {
    let now = stamp.now.timestamp();
    let (org_id, plan) = orgs::id_and_plan(tx, &new.org)?;
    let others =
        format!("FROM keys k WHERE k.org_id = :org AND {IS_ACTIVE} AND k.id IS NOT :replacing");
    // The count walks the organization's keys, history included; an unlimited plan
    // admits any count, so it skips the walk and `generate` stays flat as keys pile up.
    let active: i64 = if plan.key_limit.is_some() {
        tx.prepare_cached(&format!("SELECT count(*) {others}"))?
            .query_row(
                named_params! {":org": org_id, ":now": now, ":replacing": replacing},
                |r| r.get(0),
            )?
    } else {
        0
    };
    store::admit(&new.org, &plan, active.unsigned_abs(), || orgs::plans(tx))?;
    // A rotation keeps the name on purpose, even while a predecessor is in its grace period.
    if replacing.is_none() {
        let clash: Option<String> = tx
            .prepare_cached(&format!("SELECT key_id(k.id, k.public_id) {others} AND k.name_tag = name_tag(:name) AND k.name = :name LIMIT 1"))?
            .query_row(
                named_params! {":org": org_id, ":now": now, ":replacing": replacing, ":name": new.name},
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = clash {
            return Err(Error::DuplicateName {
                name: new.name.clone(),
                id,
            });
        }
    }
    tx.prepare_cached(
        "INSERT INTO keys (org_id, name, name_tag, hint, created_at, expires_at, rotated_from) \
         VALUES (?1, ?2, name_tag(?2), ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        org_id,
        new.name,
        new.hint.0,
        now,
        new.expires_at.map(|t| t.timestamp()),
        replacing,
    ])?;
    let row_id = tx.last_insert_rowid();
    tx.prepare_cached("INSERT INTO key_hashes (hash, key_id) VALUES (?1, ?2)")?
        .execute(params![&new.hash.0[..], row_id])?;
    let id = id_for_new_row(tx, ids, row_id)?;
    let rotated_from = match replacing {
        Some(old) => Some(tx.query_row(
            "SELECT key_id(id, public_id) FROM keys WHERE id = ?1",
            [old],
            |r| r.get(0),
        )?),
        None => None,
    };
    let detail = rotated_from
        .as_ref()
        .map(|old: &String| format!("rotated from {old}"));
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

/// The id of a new row: derived from it, unless a kept id (made before schema 4, or
/// imported) already reads the same, in which case the row keeps a random id instead.
fn id_for_new_row(tx: &Transaction<'_>, ids: &IdCodec, row: i64) -> Result<String> {
    let derived = ids.encode(row);
    let taken = tx
        .prepare_cached("SELECT 1 FROM keys WHERE public_id = ?1")?
        .exists([&derived])?;
    if !taken {
        return Ok(derived);
    }
    let id = new_id()?;
    tx.prepare_cached("UPDATE keys SET public_id = ?1 WHERE id = ?2")?
        .execute(params![id, row])?;
    Ok(id)
}

pub fn visit(
    conn: &Connection,
    org: &str,
    status: Option<Status>,
    now: Timestamp,
    visit: &mut dyn FnMut(Key) -> Result<()>,
) -> Result<()> {
    let few: bool = conn
        .prepare_cached(&format!(
            "SELECT count(*) < {FEW_KEYS} FROM (SELECT 1 FROM keys \
             WHERE org_id = (SELECT id FROM orgs WHERE slug = ?1) LIMIT {FEW_KEYS})"
        ))?
        .query_row([org], |row| row.get(0))?;
    let mut stmt = conn.prepare_cached(&visit_sql(status, few))?;
    let now = status.map(|_| now.timestamp());
    let mut rows = stmt.query(named_params! {":org": org, ":now": now})?;
    while let Some(row) = rows.next()? {
        visit(rows::key(row)?)?;
    }
    Ok(())
}

/// Below this many keys, an organization's keys are found through its index; from it on,
/// by one pass over all keys.
const FEW_KEYS: u32 = 4096;

/// The keys of organization `:org` with `status` at `:now` (all when `:now` is NULL), in
/// creation order; `few` when the organization has fewer than [`FEW_KEYS`].
fn visit_sql(status: Option<Status>, few: bool) -> String {
    let filter = match status {
        None => "1".to_owned(),
        Some(Status::Revoked) => IS_REVOKED.to_owned(),
        Some(Status::Expired) => format!("NOT {IS_REVOKED} AND {IS_EXPIRED}"),
        Some(Status::Active) => IS_ACTIVE.to_owned(),
    };
    // A few keys: their ids from the organization index, sorted in a temporary index
    // (sorting whole rows instead spilled to temporary files at 100k keys). Many: one
    // pass over all keys in row order, which is creation order, so nothing is sorted;
    // the temporary index was a tenth of listing 100k keys. The pass also reads other
    // organizations' keys, about 0.09 s a million, so a small organization beside them
    // keeps the index. `+` and CROSS JOIN keep the planner off the index.
    let (from, org) = if few {
        (
            KEY_FROM,
            "k.id IN (SELECT id FROM keys WHERE org_id = (SELECT id FROM orgs WHERE slug = :org))",
        )
    } else {
        (
            "keys k CROSS JOIN orgs o ON o.id = k.org_id",
            "+k.org_id = (SELECT id FROM orgs WHERE slug = :org)",
        )
    };
    format!(
        "SELECT {KEY_COLUMNS} FROM {from} WHERE {org} AND (:now IS NULL OR {filter}) ORDER BY k.id"
    )
}

pub fn by_id(conn: &Connection, ids: &IdCodec, org: &str, id: &str) -> Result<Option<Key>> {
    let Some(row) = rows::key_row(conn, ids, id)? else {
        return Ok(None);
    };
    let sql = format!("SELECT {KEY_COLUMNS} FROM {KEY_FROM} WHERE k.id = ?1 AND o.slug = ?2");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![row, org], rows::key)
        .optional()?)
}

/// All keys of `org` with this exact name, newest first.
pub fn named(conn: &Connection, org: &str, name: &str) -> Result<Vec<Key>> {
    let sql = format!(
        "SELECT {KEY_COLUMNS} FROM {KEY_FROM} WHERE o.slug = ?1 AND k.name_tag = name_tag(?2) AND k.name = ?2 \
         ORDER BY k.id DESC"
    );
    let keys = conn
        .prepare_cached(&sql)?
        .query_map([org, name], rows::key)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(keys)
}

/// The `verify` lookup: the row through `key_hashes`, keyed by the hash.
const BY_HASH: &str = "SELECT k.id, key_id(k.id, k.public_id), o.slug, k.name, k.expires_at, \
     k.revoked_at, p.api_access \
     FROM key_hashes h JOIN keys k ON k.id = h.key_id JOIN orgs o ON o.id = k.org_id \
     JOIN plans p ON p.id = o.plan WHERE h.hash = ?1";

/// [`BY_HASH`] for a chunk of hashes in one statement: the hashes are rusqlite's
/// `rarray` of `?1`, looked up one after another (CROSS JOIN keeps them the outer loop),
/// and each row ends with its hash's position in the array, from 1. The organization's
/// row id stands in for its slug and plan, which [`by_hashes`] looks up once per
/// organization: joined, they cost every key two more B-tree descents.
const BY_HASHES: &str = "SELECT k.id, key_id(k.id, k.public_id), k.org_id, k.name, \
     k.expires_at, k.revoked_at, a.rowid \
     FROM rarray(?1) a CROSS JOIN key_hashes h ON h.hash = a.value \
     JOIN keys k ON k.id = h.key_id";
const ORG_ACCESS: &str =
    "SELECT o.slug, p.api_access FROM orgs o JOIN plans p ON p.id = o.plan WHERE o.id = ?1";

pub fn by_hash(conn: &Connection, hash: &KeyHash) -> Result<Option<KeyMatch>> {
    let found = conn
        .prepare_cached(BY_HASH)?
        .query_row([&hash.0[..]], |row| {
            key_match(row, row.get(2)?, row.get(6)?)
        })
        .optional()?;
    Ok(found)
}

/// [`by_hash`] for each of `hashes`, through one run of one statement ([`BY_HASHES`]):
/// a statement run per key, and its reset, were a fifth of a `verify --batch`. Needs
/// the `rarray` module ([`super::SqliteStore`] loads it for bulk reads).
pub fn by_hashes(
    conn: &Connection,
    hashes: &[KeyHash],
    found: &mut dyn FnMut(usize, Option<KeyMatch>) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(BY_HASHES)?;
    let mut org_access = conn.prepare_cached(ORG_ACCESS)?;
    let mut orgs: HashMap<i64, (String, bool)> = HashMap::new();
    let values: Rc<Vec<Value>> =
        Rc::new(hashes.iter().map(|h| Value::Blob(h.0.to_vec())).collect());
    let mut seen = vec![false; hashes.len()];
    let mut rows = stmt.query([values])?;
    while let Some(row) = rows.next()? {
        let org_id: i64 = row.get(2)?;
        let (org, api_access) = match orgs.entry(org_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => {
                new.insert(org_access.query_row([org_id], |r| Ok((r.get(0)?, r.get(1)?)))?)
            }
        };
        let key = key_match(row, org.clone(), *api_access)?;
        // The position comes from `rarray`, between 1 and the number of hashes.
        let i = usize::try_from(row.get::<_, i64>(6)? - 1).unwrap_or(usize::MAX);
        if let Some(slot) = seen.get_mut(i) {
            *slot = true;
            found(i, Some(key))?;
        }
    }
    for (i, _) in seen.iter().enumerate().filter(|(_, s)| !**s) {
        found(i, None)?;
    }
    Ok(())
}

/// A [`KeyMatch`] from the columns [`BY_HASH`] and [`BY_HASHES`] share.
fn key_match(row: &Row<'_>, org: String, api_access: bool) -> rusqlite::Result<KeyMatch> {
    Ok(KeyMatch {
        handle: row.get(0)?,
        id: row.get(1)?,
        org,
        name: row.get(3)?,
        expires_at: rows::opt_timestamp(row.get(4)?)?,
        revoked_at: rows::opt_timestamp(row.get(5)?)?,
        api_access,
    })
}

/// A key with its row id and its organization's row id, for writes.
fn for_update(tx: &Transaction<'_>, ids: &IdCodec, id: &str) -> Result<(Key, i64, i64)> {
    let sql = format!("SELECT {KEY_COLUMNS}, k.id, k.org_id FROM {KEY_FROM} WHERE k.id = ?1");
    let found = match rows::key_row(tx, ids, id)? {
        None => None,
        Some(row) => tx
            .prepare_cached(&sql)?
            .query_row([row], |row| {
                Ok((
                    rows::key(row)?,
                    row.get(KEY_WIDTH)?,
                    row.get(KEY_WIDTH + 1)?,
                ))
            })
            .optional()?,
    };
    found.ok_or_else(|| Error::NoSuchKey {
        reference: id.to_owned(),
        org: String::new(),
    })
}

pub fn revoke(
    tx: &Transaction<'_>,
    ids: &IdCodec,
    id: &str,
    reason: Option<&str>,
    stamp: &Stamp,
) -> Result<Revocation> {
    let (key, row_id, org_id) = for_update(tx, ids, id)?;
    if key.status(stamp.now) == Status::Revoked {
        return Ok(Revocation::AlreadyRevoked(key));
    }
    tx.execute(
        "UPDATE keys SET revoked_at = ?1, revoke_reason = ?2 WHERE id = ?3",
        params![stamp.now.timestamp(), reason, row_id],
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
    tx: &Transaction<'_>,
    ids: &IdCodec,
    old_id: &str,
    new: &NewKey,
    old_stops_at: Timestamp,
    stamp: &Stamp,
) -> Result<Rotation> {
    let (old, old_row, org_id) = for_update(tx, ids, old_id)?;
    old.check_rotatable(stamp.now)
        .map_err(|why| Error::unrotatable(&old.id, why))?;
    let new_key = create(tx, ids, new, Some(old_row), stamp)?;
    let old = old.rotated(&new_key.id, old_stops_at);
    tx.execute(
        "UPDATE keys SET revoked_at = ?1, revoke_reason = ?2 WHERE id = ?3",
        params![old_stops_at.timestamp(), old.revoke_reason, old_row],
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteStore;

    /// `list` of many keys walks them once in row order, and sorts nothing; of a few,
    /// reads them through the organization index and sorts their ids, not whole rows.
    #[test]
    fn listing_many_keys_sorts_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = SqliteStore::create(&dir.path().join("keys.db")).unwrap();
        for (status, few) in [None, Some(Status::Active), Some(Status::Expired)]
            .into_iter()
            .flat_map(|status| [(status, false), (status, true)])
        {
            let sql = format!("EXPLAIN QUERY PLAN {}", visit_sql(status, few));
            let mut stmt = store.conn.prepare(&sql).unwrap();
            let plan: Vec<String> = stmt
                .query_map(named_params! {":org": "acme", ":now": 0}, |row| row.get(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let scan = plan.iter().any(|step| step == "SCAN k");
            let sorts = plan.iter().any(|step| step.contains("TEMP B-TREE"));
            let indexed = plan
                .iter()
                .any(|step| step.contains("keys_by_org_name_tag"));
            assert_eq!((scan, sorts, indexed), (!few, false, few), "{plan:#?}");
        }
    }
}
