//! SQLite reads of the audit trail.

use rusqlite::{Connection, params};

use super::compact::key_row;
use crate::domain::Timestamp;
use crate::domain::event::Event;
use crate::domain::key_id::IdCodec;
use crate::domain::leak::Provider;
use crate::error::Result;
use crate::store::rows;

pub(crate) fn visit(
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
        "SELECT e.at, e.actor, o.slug, e.kind, key_id(k.id, k.public_id), k.name, e.detail, \
         coalesce((SELECT c.count FROM event_counts c WHERE c.event_id = e.id), 1) \
         FROM events e JOIN orgs o ON o.id = e.org_id LEFT JOIN keys k ON k.id = e.key_id \
         WHERE o.slug = ?1 AND (?2 IS NULL OR e.key_id = ?2) \
         ORDER BY e.id DESC LIMIT ?3",
    )?;
    let mut rows = stmt.query(params![org, key_row, limit])?;
    while let Some(row) = rows.next()? {
        visit(rows::event(row)?)?;
    }
    Ok(())
}

/// See [`crate::store::Store::leaks`].
pub fn leaks(
    conn: &Connection,
    org: Option<&str>,
    since: Timestamp,
    visit: &mut dyn FnMut(Event) -> Result<()>,
) -> Result<()> {
    let sql = rows::leaks_sql("key_id(k.id, k.public_id)", ["?1", "?2", "?3", "?4"]);
    let mut stmt = conn.prepare(&sql)?;
    let [github, gitlab] = Provider::ALL.map(Provider::actor);
    let mut rows = stmt.query(params![since.timestamp(), org, github, gitlab])?;
    while let Some(row) = rows.next()? {
        visit(rows::event(row)?)?;
    }
    Ok(())
}
