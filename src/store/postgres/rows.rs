//! Column lists, status predicates and row mappings shared by the PostgreSQL queries:
//! the same shapes as the SQLite backend's, with positional parameters.

use postgres::{GenericClient, Row};

use crate::domain::Timestamp;
use crate::domain::event::EventKind;
use crate::domain::key::{Hint, Key};
use crate::domain::org::Org;
use crate::domain::plan::{Plan, PlanId};
use crate::error::{Error, Result, StoreFault};
use crate::store::Stamp;

/// The columns [`key`] reads, in its order; use with [`KEY_FROM`].
pub const KEY_COLUMNS: &str = "k.public_id, o.slug, k.name, k.hint, k.created_at, k.expires_at, \
     (SELECT u.last_used_at FROM key_usage u WHERE u.key_id = k.id), k.revoked_at, k.revoke_reason, \
     (SELECT f.public_id FROM keys f WHERE f.id = k.rotated_from), \
     (SELECT t.public_id FROM keys t WHERE t.rotated_from = k.id)";
/// How many columns [`KEY_COLUMNS`] has: extra columns follow from this index.
pub const KEY_WIDTH: usize = 11;
pub const KEY_FROM: &str = "keys k JOIN orgs o ON o.id = k.org_id";

/// Status predicates at the time in parameter `now` (e.g. `$2`), matching [`Key::status`].
pub fn is_revoked(now: &str) -> String {
    format!("(k.revoked_at IS NOT NULL AND k.revoked_at <= {now})")
}
pub fn is_expired(now: &str) -> String {
    format!("(k.expires_at IS NOT NULL AND k.expires_at <= {now})")
}
pub fn is_active(now: &str) -> String {
    format!("(NOT {} AND NOT {})", is_revoked(now), is_expired(now))
}

/// The columns [`org`] reads, with the time in parameter `now`.
pub fn org_columns(now: &str) -> String {
    format!(
        "o.slug, o.name, o.created_at, p.id, p.name, p.key_limit, p.api_access, \
         (SELECT count(*) FROM keys k WHERE k.org_id = o.id AND {})",
        is_active(now)
    )
}
pub const ORG_FROM: &str = "orgs o JOIN plans p ON p.id = o.plan";

pub fn timestamp(secs: i64) -> Result<Timestamp> {
    chrono::DateTime::from_timestamp(secs, 0)
        .ok_or_else(|| corrupt(format!("time {secs} out of range")))
}

pub fn opt_timestamp(secs: Option<i64>) -> Result<Option<Timestamp>> {
    secs.map(timestamp).transpose()
}

pub fn corrupt(message: String) -> Error {
    Error::Store {
        fault: StoreFault::Corrupt,
        message,
    }
}

pub fn plan_id(text: &str) -> Result<PlanId> {
    PlanId::from_slug(text).ok_or_else(|| corrupt(format!("unknown plan {text:?}")))
}

pub fn key(row: &Row) -> Result<Key> {
    Ok(Key {
        id: row.try_get(0)?,
        org: row.try_get(1)?,
        name: row.try_get(2)?,
        hint: Hint(row.try_get(3)?),
        created_at: timestamp(row.try_get(4)?)?,
        expires_at: opt_timestamp(row.try_get(5)?)?,
        last_used_at: opt_timestamp(row.try_get(6)?)?,
        revoked_at: opt_timestamp(row.try_get(7)?)?,
        revoke_reason: row.try_get(8)?,
        rotated_from: row.try_get(9)?,
        rotated_to: row.try_get(10)?,
    })
}

/// Reads a plan from four columns starting at `at`: id, name, key_limit, api_access.
pub fn plan(row: &Row, at: usize) -> Result<Plan> {
    let limit: Option<i64> = row.try_get(at + 2)?;
    Ok(Plan {
        id: plan_id(row.try_get(at)?)?,
        name: row.try_get(at + 1)?,
        key_limit: limit
            .map(|l| u32::try_from(l).map_err(|_| corrupt(format!("plan limit {l}"))))
            .transpose()?,
        api_access: row.try_get(at + 3)?,
    })
}

pub fn org(row: &Row) -> Result<Org> {
    Ok(Org {
        slug: row.try_get(0)?,
        name: row.try_get(1)?,
        created_at: timestamp(row.try_get(2)?)?,
        plan: plan(row, 3)?,
        active_keys: row.try_get::<_, i64>(7)?.unsigned_abs(),
    })
}

/// Appends one event to the audit trail, inside the caller's transaction.
pub fn record_event(
    tx: &mut impl GenericClient,
    stamp: &Stamp,
    org_id: i64,
    key_id: Option<i64>,
    kind: EventKind,
    detail: Option<&str>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO events (at, actor, org_id, key_id, kind, detail) VALUES ($1, $2, $3, $4, $5, $6)",
        &[&stamp.now.timestamp(), &stamp.actor, &org_id, &key_id, &kind.name(), &detail],
    )?;
    Ok(())
}
