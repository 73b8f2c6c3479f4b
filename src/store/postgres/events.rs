//! SQL for the audit trail on PostgreSQL: reading it, and recording what `verify` saw.

use postgres::{Client, Transaction};

use super::rows::{record_event, timestamp};
use crate::domain::event::{Event, EventKind};
use crate::error::{Error, Result, StoreFault};
use crate::store::{Stamp, Uses};

pub fn visit(
    conn: &mut Client,
    org: &str,
    key_id: Option<&str>,
    limit: u32,
    visit: &mut dyn FnMut(Event) -> Result<()>,
) -> Result<()> {
    let rows = conn.query(
        "SELECT e.at, e.actor, o.slug, e.kind, k.public_id, k.name, e.detail \
         FROM events e JOIN orgs o ON o.id = e.org_id LEFT JOIN keys k ON k.id = e.key_id \
         WHERE o.slug = $1 AND ($2::text IS NULL OR k.public_id = $2) \
         ORDER BY e.id DESC LIMIT $3",
        &[&org, &key_id, &i64::from(limit)],
    )?;
    for row in rows {
        let kind: String = row.try_get(3)?;
        let kind = EventKind::from_name(&kind).ok_or_else(|| Error::Store {
            fault: StoreFault::Corrupt,
            message: format!("unknown event kind {kind:?}"),
        })?;
        visit(Event {
            at: timestamp(row.try_get(0)?)?,
            actor: row.try_get(1)?,
            org: row.try_get(2)?,
            kind,
            key_id: row.try_get(4)?,
            key_name: row.try_get(5)?,
            detail: row.try_get(6)?,
        })?;
    }
    Ok(())
}

/// Last-used times (never moved backwards) and use attempts, in the caller's transaction.
/// Keys are touched in row order, so concurrent batches take their row locks in the same
/// order and cannot deadlock.
pub fn record_uses(tx: &mut Transaction<'_>, uses: &Uses, stamp: &Stamp) -> Result<()> {
    if !uses.touched.is_empty() {
        let touch = tx.prepare(
            "INSERT INTO key_usage (key_id, last_used_at) VALUES ($1, $2) \
             ON CONFLICT (key_id) DO UPDATE SET last_used_at = excluded.last_used_at \
             WHERE key_usage.last_used_at < excluded.last_used_at",
        )?;
        for (handle, at) in &uses.touched {
            tx.execute(&touch, &[handle, &at.timestamp()])?;
        }
    }
    for (handle, kind) in &uses.attempts {
        let org_id: i64 = tx
            .query_one("SELECT org_id FROM keys WHERE id = $1", &[handle])?
            .try_get(0)?;
        record_event(tx, stamp, org_id, Some(*handle), *kind, None)?;
    }
    Ok(())
}
