//! SQLite's side of the row layer: [`Columns`] over `rusqlite::Row`, the key columns in
//! this schema's compact layout (see [`super::compact`]), and the lookups by key id.

use rusqlite::{Connection, Row};

use crate::error::Result;
use crate::store::rows::{Columns, Query, columns_via};

columns_via!(Row<'_>, get);

impl Query for &Connection {
    fn each(&mut self, sql: &str, visit: &mut dyn FnMut(&dyn Columns) -> Result<()>) -> Result<()> {
        let mut stmt = self.prepare(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            visit(row)?;
        }
        Ok(())
    }
}

/// The columns [`crate::store::rows::key`] reads, in its order; use with
/// [`crate::store::rows::KEY_FROM`].
pub(crate) const KEY_COLUMNS: &str = "key_id(k.id, k.public_id), o.slug, k.name, k.hint, k.created_at, \
     k.expires_at, (SELECT usage_at(u.stamps, k.id) FROM key_usage u WHERE u.block = k.id >> 6), \
     k.revoked_at, \
     k.revoke_reason, (SELECT key_id(f.id, f.public_id) FROM keys f WHERE f.id = k.rotated_from), \
     (SELECT key_id(t.id, t.public_id) FROM keys t WHERE t.rotated_from = k.id)";
