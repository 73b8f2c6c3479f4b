//! Column lists, status predicates and row mappings shared by the SQLite queries.

use chrono::DateTime;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::functions::{UsageBlock, usage_block};
use crate::domain::Timestamp;
use crate::domain::event::EventKind;
use crate::domain::key::{Hint, Key};
use crate::domain::key_id::IdCodec;
use crate::domain::org::Org;
use crate::domain::plan::{Plan, PlanId};
use crate::error::Result;
use crate::store::Stamp;

/// The columns [`key`] reads, in its order; use with [`KEY_FROM`].
pub const KEY_COLUMNS: &str = "key_id(k.id, k.public_id), o.slug, k.name, k.hint, k.created_at, \
     k.expires_at, (SELECT usage_at(u.stamps, k.id) FROM key_usage u WHERE u.block = k.id >> 6), \
     k.revoked_at, \
     k.revoke_reason, (SELECT key_id(f.id, f.public_id) FROM keys f WHERE f.id = k.rotated_from), \
     (SELECT key_id(t.id, t.public_id) FROM keys t WHERE t.rotated_from = k.id)";
/// How many columns [`KEY_COLUMNS`] has: extra columns follow from this index.
pub const KEY_WIDTH: usize = 11;
pub const KEY_FROM: &str = "keys k JOIN orgs o ON o.id = k.org_id";

/// Status predicates at time `:now`, matching [`Key::status`].
pub const IS_REVOKED: &str = "(k.revoked_at IS NOT NULL AND k.revoked_at <= :now)";
pub const IS_EXPIRED: &str = "(k.expires_at IS NOT NULL AND k.expires_at <= :now)";
pub const IS_ACTIVE: &str = "(NOT (k.revoked_at IS NOT NULL AND k.revoked_at <= :now) \
     AND NOT (k.expires_at IS NOT NULL AND k.expires_at <= :now))";

pub const ORG_COLUMNS: &str = "o.slug, o.name, o.created_at, p.id, p.name, p.key_limit, p.api_access, \
     (SELECT count(*) FROM keys k WHERE k.org_id = o.id AND \
        NOT (k.revoked_at IS NOT NULL AND k.revoked_at <= :now) AND \
        NOT (k.expires_at IS NOT NULL AND k.expires_at <= :now))";
pub const ORG_FROM: &str = "orgs o JOIN plans p ON p.id = o.plan";

/// The row of the key whose id is `id`: an id kept in `public_id` (made before schema 4,
/// or imported) by its index, a derived one by the row it names.
pub fn key_row(conn: &Connection, ids: &IdCodec, id: &str) -> rusqlite::Result<Option<i64>> {
    let kept = conn
        .prepare_cached("SELECT id FROM keys WHERE public_id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    match (kept, ids.decode(id)) {
        (Some(row), _) => Ok(Some(row)),
        (None, Some(row)) => conn
            .prepare_cached("SELECT id FROM keys WHERE id = ?1 AND public_id IS NULL")?
            .query_row([row], |r| r.get(0))
            .optional(),
        (None, None) => Ok(None),
    }
}

pub fn timestamp(secs: i64) -> rusqlite::Result<Timestamp> {
    DateTime::from_timestamp(secs, 0).ok_or(rusqlite::Error::IntegralValueOutOfRange(0, secs))
}

pub fn opt_timestamp(secs: Option<i64>) -> rusqlite::Result<Option<Timestamp>> {
    secs.map(timestamp).transpose()
}

pub fn plan_id(text: &str) -> rusqlite::Result<PlanId> {
    PlanId::from_slug(text)
        .ok_or_else(|| rusqlite::Error::InvalidColumnName(format!("unknown plan {text}")))
}

pub fn key(row: &Row<'_>) -> rusqlite::Result<Key> {
    Ok(Key {
        id: row.get(0)?,
        org: row.get(1)?,
        name: row.get(2)?,
        hint: Hint(row.get(3)?),
        created_at: timestamp(row.get(4)?)?,
        expires_at: opt_timestamp(row.get(5)?)?,
        last_used_at: opt_timestamp(row.get(6)?)?,
        revoked_at: opt_timestamp(row.get(7)?)?,
        revoke_reason: row.get(8)?,
        rotated_from: row.get(9)?,
        rotated_to: row.get(10)?,
    })
}

/// Reads a plan from four columns starting at `at`: id, name, key_limit, api_access.
pub fn plan(row: &Row<'_>, at: usize) -> rusqlite::Result<Plan> {
    Ok(Plan {
        id: plan_id(&row.get::<_, String>(at)?)?,
        name: row.get(at + 1)?,
        key_limit: row.get(at + 2)?,
        api_access: row.get(at + 3)?,
    })
}

pub fn org(row: &Row<'_>) -> rusqlite::Result<Org> {
    Ok(Org {
        slug: row.get(0)?,
        name: row.get(1)?,
        created_at: timestamp(row.get(2)?)?,
        plan: plan(row, 3)?,
        active_keys: row.get::<_, i64>(7)?.unsigned_abs(),
    })
}

/// Records uses `(row, at seconds)`: each usage block read once and written once, and
/// only when a time in it moved, when the uses come sorted by row. Returns how many keys'
/// last used moved.
pub fn touch(conn: &Connection, uses: impl IntoIterator<Item = (i64, i64)>) -> Result<usize> {
    let mut read = conn.prepare_cached("SELECT stamps FROM key_usage WHERE block = ?1")?;
    let mut write = conn.prepare_cached(
        "INSERT INTO key_usage (block, stamps) VALUES (?1, ?2) \
         ON CONFLICT (block) DO UPDATE SET stamps = excluded.stamps",
    )?;
    let mut uses = uses.into_iter().peekable();
    let mut moved = 0;
    while let Some(&(first, _)) = uses.peek() {
        let block = usage_block(first);
        let mut stamps = UsageBlock::new(read.query_row([block], |r| r.get(0)).optional()?)?;
        let mut changed = 0;
        while let Some((row, at)) = uses.next_if(|(row, _)| usage_block(*row) == block) {
            changed += usize::from(stamps.raise(row, at)?);
        }
        if changed > 0 {
            write.execute(params![block, stamps.bytes()])?;
        }
        moved += changed;
    }
    Ok(moved)
}

/// Appends one event to the audit trail, inside the caller's transaction.
pub fn record_event(
    tx: &Transaction<'_>,
    stamp: &Stamp,
    org_id: i64,
    key_id: Option<i64>,
    kind: EventKind,
    detail: Option<&str>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO events (at, actor, org_id, key_id, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![stamp.now.timestamp(), stamp.actor, org_id, key_id, kind.name(), detail])?;
    Ok(())
}
