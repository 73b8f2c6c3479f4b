//! SQLite reads of keys: listing, lookups by id and name, and the `verify` lookups by
//! hash. Writes go through [`super::tx`].

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::rc::Rc;

use rusqlite::types::Value;
use rusqlite::{Connection, named_params, params};

use super::compact::key_row;
use super::rows::KEY_COLUMNS;
use crate::domain::Timestamp;
use crate::domain::key::{Key, KeyHash, Status};
use crate::domain::key_id::IdCodec;
use crate::error::Result;
use crate::store::KeyMatch;
use crate::store::rows::{
    self, HYGIENE_ORG_COLUMNS, Hygiene, HygieneRows, KEY_FROM, ORG_FROM, Positions,
    counts_against_plan, is_active, is_expired, is_revoked,
};

pub(crate) fn visit(
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
    let mut found = stmt.query(named_params! {":org": org, ":now": now})?;
    while let Some(row) = found.next()? {
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
        Some(Status::Revoked) => is_revoked(":now"),
        Some(Status::Expired) => format!("NOT {} AND {}", is_revoked(":now"), is_expired(":now")),
        Some(Status::Active) => is_active(":now"),
    };
    // A few keys: their ids from the organization index, sorted in a temporary index
    // (sorting whole rows instead spills to temporary files on large stores). Many: one
    // pass over all keys in row order, which is creation order, so nothing is sorted
    // (BENCHMARKS.md, `list`). The pass also reads other organizations' keys, so a small
    // organization beside them keeps the index. `+` and CROSS JOIN keep the planner off
    // the index.
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

/// `report`'s read (see [`crate::store::Store::hygiene`]), inside the caller's read
/// transaction: one pass over the keys in row order, which is creation order, reading
/// only the columns the findings need.
pub(crate) fn hygiene(
    conn: &Connection,
    org: Option<&str>,
    now: Timestamp,
    visit: &mut dyn FnMut(Hygiene) -> Result<()>,
) -> Result<()> {
    let mut rows = HygieneRows::default();
    let mut orgs = conn.prepare_cached(&format!(
        "SELECT {HYGIENE_ORG_COLUMNS} FROM {ORG_FROM} WHERE ?1 IS NULL OR o.slug = ?1 ORDER BY o.slug"
    ))?;
    let mut found = orgs.query([org])?;
    while let Some(row) = found.next()? {
        rows.org(row, visit)?;
    }
    // `+` keeps the planner off the organization index: a pass in row order reads each
    // page once, where the index would jump to every row.
    let mut keys = conn.prepare_cached(&format!(
        "SELECT k.org_id, key_id(k.id, k.public_id), k.name, k.created_at, k.expires_at, \
         (SELECT usage_at(u.stamps, k.id) FROM key_usage u WHERE u.block = k.id >> 6) \
         FROM keys k WHERE (:org IS NULL OR +k.org_id = (SELECT id FROM orgs WHERE slug = :org)) \
         AND {} ORDER BY k.id",
        counts_against_plan(":now")
    ))?;
    let mut found = keys.query(named_params! {":org": org, ":now": now.timestamp()})?;
    while let Some(row) = found.next()? {
        rows.key(row, visit)?;
    }
    Ok(())
}

pub(crate) fn by_id(conn: &Connection, ids: &IdCodec, org: &str, id: &str) -> Result<Option<Key>> {
    let Some(row) = key_row(conn, ids, id)? else {
        return Ok(None);
    };
    let sql = format!("SELECT {KEY_COLUMNS} FROM {KEY_FROM} WHERE k.id = ?1 AND o.slug = ?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut found = stmt.query(params![row, org])?;
    found.next()?.map(|row| rows::key(row)).transpose()
}

/// All keys of `org` with this exact name, newest first.
pub(crate) fn named(conn: &Connection, org: &str, name: &str) -> Result<Vec<Key>> {
    let sql = format!(
        "SELECT {KEY_COLUMNS} FROM {KEY_FROM} WHERE o.slug = ?1 AND k.name_tag = name_tag(?2) AND k.name = ?2 \
         ORDER BY k.id DESC"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut found = stmt.query([org, name])?;
    let mut keys = Vec::new();
    while let Some(row) = found.next()? {
        keys.push(rows::key(row)?);
    }
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

pub(crate) fn by_hash(conn: &Connection, hash: &KeyHash) -> Result<Option<KeyMatch>> {
    let mut stmt = conn.prepare_cached(BY_HASH)?;
    let mut found = stmt.query([&hash.0[..]])?;
    found
        .next()?
        .map(|row| rows::key_match(row, row.get(2)?, row.get(6)?))
        .transpose()
}

/// [`by_hash`] for each of `hashes`, through one run of one statement ([`BY_HASHES`]):
/// a statement run per key, and its reset, were a fifth of a `verify --batch`. Needs
/// the `rarray` module ([`super::SqliteStore`] loads it for bulk reads).
pub(crate) fn by_hashes(
    conn: &Connection,
    hashes: &[KeyHash],
    found: &mut dyn FnMut(usize, Option<KeyMatch>) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(BY_HASHES)?;
    let mut org_access = conn.prepare_cached(ORG_ACCESS)?;
    let mut orgs: HashMap<i64, (String, bool)> = HashMap::new();
    let values: Rc<Vec<Value>> =
        Rc::new(hashes.iter().map(|h| Value::Blob(h.0.to_vec())).collect());
    let mut positions = Positions::new(hashes.len());
    let mut rows = stmt.query([values])?;
    while let Some(row) = rows.next()? {
        let org_id: i64 = row.get(2)?;
        let (org, api_access) = match orgs.entry(org_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => {
                new.insert(org_access.query_row([org_id], |r| Ok((r.get(0)?, r.get(1)?)))?)
            }
        };
        let key = rows::key_match(row, org.clone(), *api_access)?;
        if let Some(i) = positions.take(row.get(6)?) {
            found(i, Some(key))?;
        }
    }
    for i in positions.missing() {
        found(i, None)?;
    }
    Ok(())
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
