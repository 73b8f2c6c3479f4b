//! The audit replay of a SQLite store: reads the store directly and checks that it is
//! whole (`integrity_check`, foreign keys) and that the audit trail and the state tell the
//! same story.
//!
//! Writes are serialized (`BEGIN IMMEDIATE`), so the order of `events.id` is the commit
//! order. Replaying it checks that every key has exactly one `key_created` event, every
//! revoked key exactly one revocation event (`key_revoked`, or `key_rotated` for a key
//! rotated out, then perhaps a `key_revoked` that ends its grace period early; an active
//! key none), every use of a revoked or expired key happened after
//! it stopped working, every plan change starts from the plan then in force and the last
//! one is the plan now stored, and every key was admitted under the plan in force at its
//! creation.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::Connection;
use seenty_keys::domain::key_id::IdCodec;

/// What the replay counted.
#[derive(Debug, Default)]
pub struct Audit {
    pub orgs: usize,
    pub keys: usize,
    pub revoked: usize,
    #[allow(dead_code)] // no test asserts on it; it shows in the printed summary
    pub events: usize,
    pub plan_changes: usize,
}

struct KeyRow {
    org_id: i64,
    created_at: i64,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
    reason: Option<String>,
}

/// One row of `events`: id, at, org_id, key_id, kind, detail.
type EventRow = (i64, i64, i64, Option<i64>, String, Option<String>);

/// API access and key limit (`None`: unlimited) of a plan, as the README lists them.
fn terms(plan: &str) -> Option<(bool, Option<usize>)> {
    Some(match plan {
        "hobby" => (false, Some(0)),
        "starter" => (true, Some(1)),
        "pro" => (true, Some(5)),
        "ultra" => (true, Some(10)),
        "enterprise" => (true, None),
        _ => return None,
    })
}

/// `PRAGMA integrity_check` and `foreign_key_check` on the store.
pub fn assert_intact(db: &Path) {
    let conn = Connection::open(db).expect("open store");
    let check: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(check, ["ok"], "integrity_check");
    let dangling: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(dangling, 0, "foreign_key_check");
}

/// Checks integrity, then replays the audit trail against the state; panics on the
/// first disagreement.
pub fn replay(db: &Path) -> Audit {
    assert_intact(db);
    check(db).unwrap_or_else(|why| panic!("audit replay: {why}"))
}

/// Fails with `Err(why)` unless the condition holds.
macro_rules! ensure {
    ($cond:expr, $($why:tt)+) => {
        if !$cond {
            return Err(format!($($why)+));
        }
    };
}

fn query<T>(
    conn: &Connection,
    sql: &str,
    row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Vec<T> {
    conn.prepare(sql)
        .unwrap()
        .query_map([], row)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Every key's id, to its row: the id kept in `public_id`, or the one derived from the row
/// with the store's salt.
pub fn key_ids(conn: &Connection) -> HashMap<String, i64> {
    let salt: Vec<u8> = conn
        .query_row("SELECT salt FROM key_id_salt", [], |r| r.get(0))
        .expect("the store's id salt");
    let ids = IdCodec::new(&salt);
    query(conn, "SELECT id, public_id FROM keys", |r| {
        let row: i64 = r.get(0)?;
        let kept: Option<String> = r.get(1)?;
        Ok((kept.unwrap_or_else(|| ids.encode(row)), row))
    })
    .into_iter()
    .collect()
}

/// The replay: `Err` with the first disagreement between the trail and the state.
pub fn check(db: &Path) -> Result<Audit, String> {
    let conn = Connection::open(db).expect("open store");
    let stored_plan: HashMap<i64, String> = query(&conn, "SELECT id, plan FROM orgs", |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .into_iter()
    .collect();
    let keys: HashMap<i64, KeyRow> = query(
        &conn,
        "SELECT id, org_id, created_at, expires_at, revoked_at, revoke_reason FROM keys",
        |r| {
            let row = KeyRow {
                org_id: r.get(1)?,
                created_at: r.get(2)?,
                expires_at: r.get(3)?,
                revoked_at: r.get(4)?,
                reason: r.get(5)?,
            };
            Ok((r.get(0)?, row))
        },
    )
    .into_iter()
    .collect();
    let public = key_ids(&conn);
    let hashless: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM keys) - (SELECT count(*) FROM key_hashes k \
             WHERE EXISTS (SELECT 1 FROM keys WHERE id = k.key_id))",
            [],
            |r| r.get(0),
        )
        .expect("count hashes");
    ensure!(hashless == 0, "{hashless} keys without their hash");
    let events: Vec<EventRow> = query(
        &conn,
        "SELECT id, at, org_id, key_id, kind, detail FROM events ORDER BY id",
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        },
    );
    let mut audit = Audit {
        orgs: stored_plan.len(),
        keys: keys.len(),
        events: events.len(),
        ..Audit::default()
    };

    let mut plan_of: HashMap<i64, String> = HashMap::new();
    // Per organization, each plan change: when, and the plan before it. A key is reserved
    // (admitted) before it is stored, and a confirmed downgrade between the two leaves it,
    // as it leaves keys that exist: it was admitted under a plan in force within the
    // reservation's 10 minutes before its event.
    let mut changes: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    let mut created: HashMap<i64, usize> = HashMap::new();
    // Revocation events seen so far, per key.
    let mut revoked: HashMap<i64, usize> = HashMap::new();
    // Keys rotated out: their grace period may end early, by a revocation or by the
    // rotation of their replacement, a second event for the same revocation.
    let mut in_grace: std::collections::HashSet<i64> = std::collections::HashSet::new();
    // Keys created so far, per organization.
    let mut seen: HashMap<i64, Vec<i64>> = HashMap::new();
    let active_at = |key: i64, t: i64, revoked: &HashMap<i64, usize>| {
        let row = &keys[&key];
        let gone = revoked.contains_key(&key) && row.revoked_at.is_some_and(|r| r <= t);
        !gone && row.expires_at.is_none_or(|e| e > t)
    };
    for (id, at, org, key, kind, detail) in &events {
        let ctx = format!("event {id} ({kind})");
        let key_row = match key {
            Some(k) => Some((*k, keys.get(k).ok_or(format!("{ctx}: key {k} missing"))?)),
            None => None,
        };
        match kind.as_str() {
            "org_created" => {
                ensure!(key.is_none(), "{ctx}: names a key");
                let plan = detail.clone().ok_or(format!("{ctx}: no plan"))?;
                ensure!(terms(&plan).is_some(), "{ctx}: unknown plan {plan:?}");
                ensure!(
                    plan_of.insert(*org, plan).is_none(),
                    "{ctx}: organization created twice"
                );
            }
            "plan_changed" => {
                audit.plan_changes += 1;
                let current = plan_of
                    .get(org)
                    .ok_or(format!("{ctx}: before org_created"))?;
                let detail = detail.as_deref().ok_or(format!("{ctx}: no detail"))?;
                let (old, new) = detail
                    .split_once(" -> ")
                    .ok_or(format!("{ctx}: detail {detail:?}"))?;
                ensure!(
                    old == current,
                    "{ctx}: from {old}, but {current} was in force"
                );
                ensure!(old != new, "{ctx}: a change that changes nothing");
                ensure!(terms(new).is_some(), "{ctx}: unknown plan {new:?}");
                changes.entry(*org).or_default().push((*at, old.to_owned()));
                plan_of.insert(*org, new.to_owned());
            }
            "key_created" => {
                let (key, row) = key_row.ok_or(format!("{ctx}: no key"))?;
                ensure!(row.org_id == *org, "{ctx}: organization");
                ensure!(row.created_at == *at, "{ctx}: time");
                *created.entry(key).or_default() += 1;
                // A rotation's successor does not count the key it replaces.
                let replaced = detail
                    .as_deref()
                    .and_then(|d| d.strip_prefix("rotated from "))
                    .and_then(|old| public.get(old).copied());
                let plan = plan_of
                    .get(org)
                    .ok_or(format!("{ctx}: before org_created"))?;
                let active = seen.get(org).map_or(0, |ks| {
                    ks.iter()
                        .filter(|k| Some(**k) != replaced && active_at(**k, *at, &revoked))
                        .count()
                });
                let earlier = changes.get(org).into_iter().flatten();
                let mut candidates = std::iter::once(plan)
                    .chain(earlier.filter(|(t, _)| *t >= *at - 600).map(|(_, p)| p));
                let admits = |plan: &String| {
                    let (api, max) = terms(plan).unwrap();
                    api && max.is_none_or(|max| active < max)
                };
                ensure!(
                    candidates.any(admits),
                    "{ctx}: a key admitted with {active} active keys on {plan}, \
                     or on no API access, and on no plan of the 10 minutes before"
                );
                seen.entry(*org).or_default().push(key);
            }
            "key_revoked" | "key_rotated" => {
                let (key, row) = key_row.ok_or(format!("{ctx}: no key"))?;
                ensure!(row.org_id == *org, "{ctx}: organization");
                ensure!(
                    created.get(&key) == Some(&1),
                    "{ctx}: before the key was created"
                );
                let revoked_at = row
                    .revoked_at
                    .ok_or(format!("{ctx}: the key is not revoked"))?;
                if kind == "key_revoked" {
                    ensure!(revoked_at == *at, "{ctx}: the key's revocation time");
                    ensure!(&row.reason == detail, "{ctx}: reason");
                } else {
                    ensure!(
                        revoked_at >= *at,
                        "{ctx}: a rotation ends the old key now or later"
                    );
                }
                if kind == "key_rotated" {
                    in_grace.insert(key);
                } else if in_grace.remove(&key) {
                    continue;
                }
                *revoked.entry(key).or_default() += 1;
            }
            "revoked_key_used" | "expired_key_used" => {
                let (key, row) = key_row.ok_or(format!("{ctx}: no key"))?;
                ensure!(
                    created.get(&key) == Some(&1),
                    "{ctx}: before the key was created"
                );
                let stopped = if kind == "revoked_key_used" {
                    revoked.contains_key(&key) && row.revoked_at.is_some_and(|r| r <= *at)
                } else {
                    row.expires_at.is_some_and(|e| e <= *at)
                };
                ensure!(stopped, "{ctx}: the key still worked then");
            }
            "pending_released" => {
                ensure!(key.is_none(), "{ctx}: names a key");
            }
            other => return Err(format!("{ctx}: unknown event kind {other:?}")),
        }
    }
    for (id, row) in &keys {
        ensure!(
            created.get(id) == Some(&1),
            "key {id}: {:?} key_created events, not one",
            created.get(id)
        );
        let expected = usize::from(row.revoked_at.is_some());
        let found = revoked.get(id).copied().unwrap_or(0);
        ensure!(
            found == expected,
            "key {id}: {found} revocation events, not {expected}"
        );
    }
    ensure!(
        plan_of == stored_plan,
        "the trail ends on plans {plan_of:?}, the store holds {stored_plan:?}"
    );
    audit.revoked = revoked.len();
    Ok(audit)
}

/// Folds the WAL into the main file and removes the `-wal` and `-shm` files, as a store
/// copied or restored from a backup looks: everything is in the one file. (The tool may
/// keep its WAL between runs; tests that damage or lock down the main file start here.)
pub fn settle(db: &Path) {
    let conn = Connection::open(db).expect("open store");
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
        r.get::<_, i64>(0)
    })
    .expect("checkpoint");
    drop(conn);
    for suffix in ["-wal", "-shm"] {
        let mut path = db.as_os_str().to_owned();
        path.push(suffix);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => panic!("{e}"),
            _ => {}
        }
    }
}
