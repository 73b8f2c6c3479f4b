//! PostgreSQL's side of the row layer: [`Columns`] over `postgres::Row`, and the key
//! columns in this schema.

use postgres::{GenericClient, Row};

use crate::error::Result;
use crate::store::rows::{Columns, Query, columns_via};

columns_via!(Row, try_get);

/// Runs each query in the caller's transaction (its snapshot).
pub(crate) struct Queries<'a, C: GenericClient>(pub &'a mut C);

impl<C: GenericClient> Query for Queries<'_, C> {
    fn each(&mut self, sql: &str, visit: &mut dyn FnMut(&dyn Columns) -> Result<()>) -> Result<()> {
        for row in self.0.query(sql, &[])? {
            visit(&row)?;
        }
        Ok(())
    }
}

/// The columns [`crate::store::rows::key`] reads, in its order; use with
/// [`crate::store::rows::KEY_FROM`].
pub(crate) const KEY_COLUMNS: &str = "k.public_id, o.slug, k.name, k.hint, k.created_at, k.expires_at, \
     (SELECT u.last_used_at FROM key_usage u WHERE u.key_id = k.id), k.revoked_at, k.revoke_reason, \
     (SELECT f.public_id FROM keys f WHERE f.id = k.rotated_from), \
     (SELECT t.public_id FROM keys t WHERE t.rotated_from = k.id)";
