//! A leak report's revocations in a few statements for the whole report: the rules of
//! [`crate::store::rules::revoke`] (a key already revoked is left as it is; each one
//! revoked gets its reason and an audit event; the change counter moves), with one round
//! trip per statement instead of five per key.

use std::collections::HashMap;

use postgres::Transaction;

use super::tx::PgTx;
use crate::domain::event::EventKind;
use crate::error::Result;
use crate::store::rows::is_revoked;
use crate::store::{Stamp, Tx};

/// See [`crate::store::Store::revoke_reported`].
pub fn revoke(
    tx: &mut Transaction<'_>,
    keys: &[(String, Option<String>)],
    stamp: &Stamp,
) -> Result<Vec<String>> {
    let now = stamp.now.timestamp();
    let ids: Vec<&str> = keys.iter().map(|(id, _)| id.as_str()).collect();
    // Locked in the order of their ids, as every bulk revocation locks, so two cannot
    // deadlock; a key revoked meanwhile is read again under the lock and left out.
    let locked = tx.query(
        &format!(
            "SELECT k.id, k.public_id FROM keys k WHERE k.public_id = ANY($1) AND NOT {} \
             ORDER BY k.public_id FOR UPDATE",
            is_revoked("$2")
        ),
        &[&ids, &now],
    )?;
    if locked.is_empty() {
        return Ok(Vec::new());
    }
    let reasons: HashMap<&str, Option<&str>> = keys
        .iter()
        .map(|(id, reason)| (id.as_str(), reason.as_deref()))
        .collect();
    let mut rows = Vec::with_capacity(locked.len());
    let mut revoked = Vec::with_capacity(locked.len());
    let mut why = Vec::with_capacity(locked.len());
    for row in &locked {
        let id: String = row.try_get(1)?;
        rows.push(row.try_get::<_, i64>(0)?);
        why.push(reasons.get(id.as_str()).copied().flatten());
        revoked.push(id);
    }
    PgTx { tx, bumped: false }.bump_version()?;
    tx.execute(
        "UPDATE keys k SET revoked_at = $1, revoke_reason = r.reason \
         FROM unnest($2::bigint[], $3::text[]) AS r (id, reason) WHERE k.id = r.id",
        &[&now, &rows, &why],
    )?;
    tx.execute(
        "INSERT INTO events (at, actor, org_id, key_id, kind, detail) \
         SELECT $1, $2, k.org_id, k.id, $3, r.reason \
         FROM unnest($4::bigint[], $5::text[]) WITH ORDINALITY AS r (id, reason, n) \
         JOIN keys k ON k.id = r.id ORDER BY r.n",
        &[
            &now,
            &stamp.actor,
            &EventKind::KeyRevoked.name(),
            &rows,
            &why,
        ],
    )?;
    Ok(revoked)
}
