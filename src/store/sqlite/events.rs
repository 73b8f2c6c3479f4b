//! SQL for the audit trail: reading it, and recording what `verify` saw.

use rusqlite::{Connection, Transaction, params};

use super::rows::{self, key_row, record_event, timestamp};
use crate::domain::event::{Event, EventKind};
use crate::domain::key_id::IdCodec;
use crate::error::{Error, Result, StoreFault};
use crate::store::{Stamp, Uses};

pub fn visit(
    conn: &Connection,
    ids: &IdCodec,
    org: &str,
    key_id: Option<&str>,
    limit: u32,
    visit: &mut dyn FnMut(Event) -> Result<()>,
) -> Result<()> {
    let key_row = match key_id {
        Some(id) => match key_row(conn, ids, id)? {
            Some(row) => Some(row),
            None => return Ok(()),
        },
        None => None,
    };
    let mut stmt = conn.prepare_cached(
        "SELECT e.at, e.actor, o.slug, e.kind, key_id(k.id, k.public_id), k.name, e.detail \
         FROM events e JOIN orgs o ON o.id = e.org_id LEFT JOIN keys k ON k.id = e.key_id \
         WHERE o.slug = ?1 AND (?2 IS NULL OR e.key_id = ?2) \
         ORDER BY e.id DESC LIMIT ?3",
    )?;
    let mut rows = stmt.query(params![org, key_row, limit])?;
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
    rows::touch(
        tx,
        uses.touched.iter().map(|(row, at)| (*row, at.timestamp())),
    )?;
    if uses.attempts.is_empty() {
        // The common case (a valid key): no statement to prepare, which `verify` would pay for.
        return Ok(());
    }
    let mut org_of = tx.prepare_cached("SELECT org_id FROM keys WHERE id = ?1")?;
    for (handle, kind) in &uses.attempts {
        let org_id: i64 = org_of.query_row([handle], |r| r.get(0))?;
        record_event(tx, stamp, org_id, Some(*handle), *kind, None)?;
    }
    Ok(())
}
