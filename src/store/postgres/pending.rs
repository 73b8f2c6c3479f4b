//! An import's writes on PostgreSQL held back and sent as one statement per table: keys,
//! last-used times and events of a batch go in as arrays, not as a round trip each. The
//! importer sends them before any statement that could read them, and at the end.

use std::collections::{BTreeMap, VecDeque};

use postgres::Transaction;

use crate::domain::dump::KeyRecord;
use crate::domain::text::name_key;
use crate::error::Result;
use crate::store::tx::EventRow;

/// The columns of one key to insert, with its row id chosen ahead.
struct KeyInsert {
    row: i64,
    id: String,
    org: i64,
    name: String,
    hash: Vec<u8>,
    hint: String,
    created_at: i64,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
    revoke_reason: Option<String>,
    rotated_from: Option<i64>,
    name_key: String,
}

#[derive(Default)]
pub(crate) struct Pending {
    /// Row ids taken from the keys' sequence for the batch's new keys, in order.
    rows: VecDeque<i64>,
    keys: Vec<KeyInsert>,
    /// Last used by key row: the latest time the import moved it to.
    usage: BTreeMap<i64, i64>,
    /// Events standing for one attempt each (an event with a count is written at once).
    events: Vec<EventRow>,
}

impl Pending {
    /// Takes `n` row ids for new keys from the sequence, in one statement.
    pub(crate) fn reserve_rows(&mut self, tx: &mut Transaction<'_>, n: usize) -> Result<()> {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        if n == 0 {
            return Ok(());
        }
        self.rows.clear();
        for row in tx.query(
            "SELECT nextval(pg_get_serial_sequence('keys', 'id')) FROM generate_series(1, $1::bigint)",
            &[&n],
        )? {
            self.rows.push_back(row.try_get(0)?);
        }
        Ok(())
    }

    /// Queues the key, when a row id is at hand; its row id.
    pub(crate) fn key(
        &mut self,
        key: &KeyRecord,
        org: i64,
        rotated_from: Option<i64>,
    ) -> Option<i64> {
        let row = self.rows.pop_front()?;
        self.keys.push(KeyInsert {
            row,
            id: key.id.clone(),
            org,
            name: key.name.clone(),
            hash: key.hash.0.to_vec(),
            hint: key.hint.0.clone(),
            created_at: key.created_at.timestamp(),
            expires_at: key.expires_at.map(|t| t.timestamp()),
            revoked_at: key.revoked_at.map(|t| t.timestamp()),
            revoke_reason: key.revoke_reason.clone(),
            rotated_from,
            name_key: name_key(&key.name),
        });
        Some(row)
    }

    pub(crate) fn touch(&mut self, row: i64, at: i64) {
        self.usage.insert(row, at);
    }

    pub(crate) fn event(&mut self, event: &EventRow) {
        self.events.push(event.clone());
    }

    /// Sends what is queued: keys first, which the others refer to.
    pub(crate) fn flush(&mut self, tx: &mut Transaction<'_>) -> Result<()> {
        self.flush_keys(tx)?;
        if !self.usage.is_empty() {
            let (rows, times): (Vec<i64>, Vec<i64>) =
                std::mem::take(&mut self.usage).into_iter().unzip();
            tx.execute(
                "INSERT INTO key_usage (key_id, last_used_at) \
                 SELECT * FROM unnest($1::bigint[], $2::bigint[]) \
                 ON CONFLICT (key_id) DO UPDATE SET last_used_at = excluded.last_used_at \
                 WHERE key_usage.last_used_at < excluded.last_used_at",
                &[&rows, &times],
            )?;
        }
        if !self.events.is_empty() {
            let events = std::mem::take(&mut self.events);
            // In the file's order, which is the audit trail's.
            tx.execute(
                "INSERT INTO events (at, actor, org_id, key_id, kind, detail) \
                 SELECT at, actor, org, key, kind, detail FROM unnest($1::bigint[], \
                 $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[]) \
                 WITH ORDINALITY AS q (at, actor, org, key, kind, detail, i) ORDER BY i",
                &[
                    &events.iter().map(|e| e.at).collect::<Vec<_>>(),
                    &events.iter().map(|e| e.actor.as_str()).collect::<Vec<_>>(),
                    &events.iter().map(|e| e.org).collect::<Vec<_>>(),
                    &events.iter().map(|e| e.key).collect::<Vec<_>>(),
                    &events.iter().map(|e| e.kind).collect::<Vec<_>>(),
                    &events
                        .iter()
                        .map(|e| e.detail.as_deref())
                        .collect::<Vec<_>>(),
                ],
            )?;
        }
        Ok(())
    }

    fn flush_keys(&mut self, tx: &mut Transaction<'_>) -> Result<()> {
        if self.keys.is_empty() {
            return Ok(());
        }
        let keys = std::mem::take(&mut self.keys);
        tx.execute(
            "INSERT INTO keys (id, public_id, org_id, name, hash, hint, created_at, expires_at, \
             revoked_at, revoke_reason, rotated_from, name_key) \
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], \
             $5::bytea[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[], $10::text[], \
             $11::bigint[], $12::text[])",
            &[
                &keys.iter().map(|k| k.row).collect::<Vec<_>>(),
                &keys.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(),
                &keys.iter().map(|k| k.org).collect::<Vec<_>>(),
                &keys.iter().map(|k| k.name.as_str()).collect::<Vec<_>>(),
                &keys.iter().map(|k| k.hash.as_slice()).collect::<Vec<_>>(),
                &keys.iter().map(|k| k.hint.as_str()).collect::<Vec<_>>(),
                &keys.iter().map(|k| k.created_at).collect::<Vec<_>>(),
                &keys.iter().map(|k| k.expires_at).collect::<Vec<_>>(),
                &keys.iter().map(|k| k.revoked_at).collect::<Vec<_>>(),
                &keys
                    .iter()
                    .map(|k| k.revoke_reason.as_deref())
                    .collect::<Vec<_>>(),
                &keys.iter().map(|k| k.rotated_from).collect::<Vec<_>>(),
                &keys.iter().map(|k| k.name_key.as_str()).collect::<Vec<_>>(),
            ],
        )?;
        Ok(())
    }
}
