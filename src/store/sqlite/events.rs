//! SQL for the audit trail: reading it, and recording what `verify` saw.

use rusqlite::{Connection, Transaction, params};

use super::rows::{record_event, timestamp};
use crate::domain::event::{Event, EventKind};
use crate::error::{Error, Result, StoreFault};
use crate::store::{Stamp, Uses};

pub fn visit(
    conn: &Connection,
    org: &str,
    key_id: Option<&str>,
    limit: u32,
    visit: &mut dyn FnMut(Event) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.at, e.actor, o.slug, e.kind, k.public_id, k.name, e.detail \
         FROM events e JOIN orgs o ON o.id = e.org_id LEFT JOIN keys k ON k.id = e.key_id \
         WHERE o.slug = ?1 AND (?2 IS NULL OR k.public_id = ?2) \
         ORDER BY e.id DESC LIMIT ?3",
    )?;
    let mut rows = stmt.query(params![org, key_id, limit])?;
    while let Some(row) = rows.next()? {
        let kind: String = row.get(3)?;
        let kind = EventKind::from_name(&kind).ok_or_else(|| Error::Store {
            fault: StoreFault::Corrupt,
            message: format!("unknown event kind {kind:?}"),
        })?;
        visit(Event {
            at: timestamp(row.get(0)?)?,
            actor: row.get(1)?,
            org: row.get(2)?,
            kind,
            key_id: row.get(4)?,
            key_name: row.get(5)?,
            detail: row.get(6)?,
        })?;
    }
    Ok(())
}

pub fn record_uses(tx: &Transaction<'_>, uses: &Uses, stamp: &Stamp) -> Result<()> {
    let mut touch = tx.prepare_cached(
        "UPDATE keys SET last_used_at = ?1 \
         WHERE public_id = ?2 AND (last_used_at IS NULL OR last_used_at < ?1)",
    )?;
    for (id, at) in &uses.touched {
        touch.execute(params![at.timestamp(), id])?;
    }
    let mut find = tx.prepare_cached("SELECT id, org_id FROM keys WHERE public_id = ?1")?;
    for (id, kind) in &uses.attempts {
        let (key_id, org_id): (i64, i64) = find.query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        record_event(tx, stamp, org_id, Some(key_id), *kind, None)?;
    }
    Ok(())
}
