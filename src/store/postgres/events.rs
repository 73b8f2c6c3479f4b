//! PostgreSQL reads of the audit trail.

use postgres::Client;

use crate::domain::Timestamp;
use crate::domain::event::Event;
use crate::domain::leak::Provider;
use crate::error::Result;
use crate::store::rows;

pub(crate) fn visit(
    conn: &mut Client,
    org: &str,
    key_id: Option<&str>,
    limit: u32,
    visit: &mut dyn FnMut(Event) -> Result<()>,
) -> Result<()> {
    let rows = conn.query(
        "SELECT e.at, e.actor, o.slug, e.kind, k.public_id, k.name, e.detail, \
         coalesce((SELECT c.count FROM event_counts c WHERE c.event_id = e.id), 1) \
         FROM events e JOIN orgs o ON o.id = e.org_id LEFT JOIN keys k ON k.id = e.key_id \
         WHERE o.slug = $1 AND ($2::text IS NULL OR k.public_id = $2) \
         ORDER BY e.id DESC LIMIT $3",
        &[&org, &key_id, &i64::from(limit)],
    )?;
    for row in rows {
        visit(rows::event(&row)?)?;
    }
    Ok(())
}

/// See [`crate::store::Store::leaks`].
pub fn leaks(
    conn: &mut Client,
    org: Option<&str>,
    since: Timestamp,
    visit: &mut dyn FnMut(Event) -> Result<()>,
) -> Result<()> {
    let sql = rows::leaks_sql("k.public_id", ["$1", "$2::text", "$3", "$4"]);
    let [github, gitlab] = Provider::ALL.map(Provider::actor);
    let rows = conn.query(&sql, &[&since.timestamp(), &org, &github, &gitlab])?;
    for row in rows {
        visit(rows::event(&row)?)?;
    }
    Ok(())
}
