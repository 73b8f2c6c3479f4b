//! What an import on PostgreSQL already knows of the store: the answers to its lookups
//! (keys by id and by hash, successors, names in use, event counts), fetched for a whole
//! batch of records in a few statements, since every statement is a round trip to the
//! server. The importer keeps them true as it writes ([`Known::added_key`],
//! [`Known::revoked`]), so an answer is the one a statement at the time would give.

use std::collections::{HashMap, HashSet};

use postgres::Transaction;

use crate::domain::Timestamp;
use crate::domain::dump::{KeyRecord, Record};
use crate::domain::key::KeyHash;
use crate::domain::text::name_key;
use crate::error::Result;
use crate::store::rows::{Columns, counts_against_plan};
use crate::store::tx::{EventRow, Existing};

/// A key of the store as the import sees it.
pub(crate) struct KeyState {
    row: i64,
    org: i64,
    revoked_at: Option<Timestamp>,
}

/// The answers known so far; a missing entry means "ask the server".
#[derive(Default)]
pub(crate) struct Known {
    /// The time names were checked at, in seconds.
    now: Option<i64>,
    pub(crate) orgs: HashMap<String, i64>,
    /// By key id; `None`: the store has no such key.
    keys: HashMap<String, Option<KeyState>>,
    pub(crate) hashes: HashMap<KeyHash, Option<String>>,
    /// By key row: the id of the key that replaced it, if any.
    pub(crate) successors: HashMap<i64, Option<String>>,
    /// By organization row and name key: the keys and reservations that count at `now`.
    names: HashMap<(i64, String), Vec<String>>,
    /// Keys this import revoked: they count no more.
    revoked_ids: HashSet<String>,
    /// Rows this import added (keys, organizations): no event of the store names them.
    new_keys: HashSet<i64>,
    pub(crate) new_orgs: HashSet<i64>,
    pub(crate) events: HashMap<EventRow, u64>,
    /// By key row: its last-used time, `None` when never used.
    last_used: HashMap<i64, Option<i64>>,
}

impl Known {
    pub(crate) fn key(&self, id: &str) -> Option<Option<Existing>> {
        let state = self.keys.get(id)?;
        Some(state.as_ref().map(|k| Existing {
            row: k.row,
            revoked_at: k.revoked_at,
        }))
    }

    fn remember_key(&mut self, id: &str, row: i64, org: i64, revoked_at: Option<Timestamp>) {
        let state = KeyState {
            row,
            org,
            revoked_at,
        };
        self.keys.insert(id.to_owned(), Some(state));
    }

    /// Whether key `id` is in organization `slug`, when both are known.
    pub(crate) fn in_org(&self, id: &str, slug: &str) -> Option<bool> {
        let org = *self.orgs.get(slug)?;
        match self.keys.get(id)? {
            Some(key) => Some(key.org == org),
            None => Some(false),
        }
    }

    /// The first key or reservation of `org` that counts at `now` and is named like
    /// `name`, when known.
    pub(crate) fn active_named(&self, org: i64, name: &str, now: i64) -> Option<Option<String>> {
        if self.now != Some(now) {
            return None;
        }
        let Some(ids) = self.names.get(&(org, name_key(name))) else {
            // An organization this import added has only the keys it added.
            return self.new_orgs.contains(&org).then_some(None);
        };
        Some(
            ids.iter()
                .find(|id| !self.revoked_ids.contains(id.as_str()))
                .cloned(),
        )
    }

    /// Records a key this import added as row `row`.
    pub(crate) fn added_key(&mut self, key: &KeyRecord, row: i64, org: i64, from: Option<i64>) {
        self.remember_key(&key.id, row, org, key.revoked_at);
        self.hashes.insert(key.hash, Some(key.id.clone()));
        self.successors.insert(row, None);
        if let Some(from) = from {
            self.successors.insert(from, Some(key.id.clone()));
        }
        self.new_keys.insert(row);
        let counts = |now: i64| {
            key.revoked_at.is_none() && key.expires_at.is_none_or(|at| at.timestamp() > now)
        };
        if !self.now.is_some_and(counts) {
            return;
        }
        let pair = (org, name_key(&key.name));
        match self.names.get_mut(&pair) {
            Some(ids) => ids.push(key.id.clone()),
            None if self.new_orgs.contains(&org) => {
                self.names.insert(pair, vec![key.id.clone()]);
            }
            None => {}
        }
    }

    /// Records that key `id` is now revoked at `at`.
    pub(crate) fn revoked(&mut self, id: &str, at: Timestamp) {
        if let Some(Some(key)) = self.keys.get_mut(id) {
            key.revoked_at = Some(at);
        }
        self.revoked_ids.insert(id.to_owned());
    }

    /// Moves key row `row`'s last used to `at` if that is later: whether it moved, when
    /// the last use is known.
    pub(crate) fn touch(&mut self, row: i64, at: i64) -> Option<bool> {
        let current = match self.last_used.get(&row) {
            Some(current) => *current,
            None if self.new_keys.contains(&row) => None,
            None => return None,
        };
        let moved = current.is_none_or(|current| current < at);
        if moved {
            self.last_used.insert(row, Some(at));
        }
        Some(moved)
    }

    /// Whether an event row names a row this import added, so the store holds none like it.
    pub(crate) fn is_new(&self, e: &EventRow) -> bool {
        self.new_orgs.contains(&e.org) || e.key.is_some_and(|k| self.new_keys.contains(&k))
    }

    /// Looks up, in a few statements, what applying `batch` at `now` will ask.
    pub(crate) fn prefetch(
        &mut self,
        tx: &mut Transaction<'_>,
        batch: &[Record],
        now: Timestamp,
    ) -> Result<()> {
        if self.now != Some(now.timestamp()) {
            self.names.clear();
            self.now = Some(now.timestamp());
        }
        self.fetch_orgs(tx, batch)?;
        self.fetch_keys(tx, batch)?;
        self.fetch_hashes(tx, batch)?;
        self.fetch_names(tx, batch)?;
        self.fetch_usage(tx, batch)?;
        self.fetch_events(tx, batch)
    }

    fn fetch_orgs(&mut self, tx: &mut Transaction<'_>, batch: &[Record]) -> Result<()> {
        let mut slugs: Vec<&str> = batch
            .iter()
            .filter_map(|r| match r {
                Record::Org(o) => Some(o.slug.as_str()),
                Record::Key(k) => Some(k.org.as_str()),
                Record::Event(e) => Some(e.org.as_str()),
                _ => None,
            })
            .filter(|slug| !self.orgs.contains_key(*slug))
            .collect();
        slugs.sort_unstable();
        slugs.dedup();
        if slugs.is_empty() {
            return Ok(());
        }
        for row in tx.query("SELECT slug, id FROM orgs WHERE slug = ANY($1)", &[&slugs])? {
            self.orgs.insert(row.try_get(0)?, row.try_get(1)?);
        }
        Ok(())
    }

    /// Keys by id, locking those a key of the batch replaces (as a rotation does), then
    /// their successors in a fresh statement.
    fn fetch_keys(&mut self, tx: &mut Transaction<'_>, batch: &[Record]) -> Result<()> {
        let mut replaced: Vec<&str> = Vec::new();
        let mut others: Vec<&str> = Vec::new();
        for record in batch {
            match record {
                Record::Key(k) => {
                    others.push(&k.id);
                    replaced.extend(k.rotated_from.as_deref());
                }
                Record::Usage { key, .. } => others.push(key),
                Record::Event(e) => others.extend(e.key.as_deref()),
                _ => {}
            }
        }
        let mut rows = Vec::new();
        let sql = "SELECT public_id, id, org_id, revoked_at FROM keys WHERE public_id = ANY($1)";
        for (ids, lock) in [(replaced, " ORDER BY id FOR UPDATE"), (others, "")] {
            let mut ids: Vec<&str> = ids
                .into_iter()
                .filter(|id| !self.keys.contains_key(*id))
                .collect();
            ids.sort_unstable();
            ids.dedup();
            if ids.is_empty() {
                continue;
            }
            for row in tx.query(&format!("{sql}{lock}"), &[&ids])? {
                let id: String = row.try_get(0)?;
                rows.push(row.try_get(1)?);
                self.remember_key(&id, row.try_get(1)?, row.try_get(2)?, row.opt_time(3)?);
            }
            for id in ids {
                self.keys.entry(id.to_owned()).or_insert(None);
            }
        }
        rows.retain(|row| !self.successors.contains_key(row));
        by_rows(
            tx,
            "SELECT rotated_from, public_id FROM keys WHERE rotated_from = ANY($1)",
            rows,
            &mut self.successors,
        )
    }

    fn fetch_hashes(&mut self, tx: &mut Transaction<'_>, batch: &[Record]) -> Result<()> {
        let hashes: Vec<KeyHash> = batch
            .iter()
            .filter_map(|r| match r {
                Record::Key(k) if !self.hashes.contains_key(&k.hash) => Some(k.hash),
                _ => None,
            })
            .collect();
        if hashes.is_empty() {
            return Ok(());
        }
        let values: Vec<&[u8]> = hashes.iter().map(|h| &h.0[..]).collect();
        for row in tx.query(
            "SELECT hash, public_id FROM keys WHERE hash = ANY($1)",
            &[&values],
        )? {
            let hash: Vec<u8> = row.try_get(0)?;
            if let Ok(hash) = <[u8; 32]>::try_from(hash.as_slice()) {
                self.hashes.insert(KeyHash(hash), Some(row.try_get(1)?));
            }
        }
        for hash in hashes {
            self.hashes.entry(hash).or_insert(None);
        }
        Ok(())
    }

    /// The last-used times of the keys the batch's usage records name.
    fn fetch_usage(&mut self, tx: &mut Transaction<'_>, batch: &[Record]) -> Result<()> {
        let mut rows: Vec<i64> = batch
            .iter()
            .filter_map(|r| match r {
                Record::Usage { key, .. } => self.keys.get(key)?.as_ref().map(|k| k.row),
                _ => None,
            })
            .filter(|row| !self.last_used.contains_key(row) && !self.new_keys.contains(row))
            .collect();
        rows.sort_unstable();
        rows.dedup();
        by_rows(
            tx,
            "SELECT key_id, last_used_at FROM key_usage WHERE key_id = ANY($1)",
            rows,
            &mut self.last_used,
        )
    }

    /// The keys and reservations that count at `now` under the names of the batch's keys.
    fn fetch_names(&mut self, tx: &mut Transaction<'_>, batch: &[Record]) -> Result<()> {
        let mut wanted: Vec<(i64, String)> = batch
            .iter()
            .filter_map(|r| match r {
                Record::Key(k) => Some((*self.orgs.get(&k.org)?, name_key(&k.name))),
                _ => None,
            })
            .filter(|pair| !self.names.contains_key(pair))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let (Some(now), false) = (self.now, wanted.is_empty()) else {
            return Ok(());
        };
        let orgs: Vec<i64> = wanted.iter().map(|(org, _)| *org).collect();
        let names: Vec<&str> = wanted.iter().map(|(_, name)| name.as_str()).collect();
        let sql = format!(
            "SELECT q.org, q.name_key, k.public_id \
             FROM unnest($1::bigint[], $2::text[]) AS q (org, name_key) \
             JOIN keys k ON k.org_id = q.org AND k.name_key = q.name_key WHERE {} \
             UNION ALL SELECT q.org, q.name_key, r.key_id \
             FROM unnest($1::bigint[], $2::text[]) AS q (org, name_key) \
             JOIN reservations r ON r.org_id = q.org AND r.name_key = q.name_key \
             WHERE r.until > $3",
            counts_against_plan("$3")
        );
        for pair in &wanted {
            self.names.insert(pair.clone(), Vec::new());
        }
        for row in tx.query(&sql, &[&orgs, &names, &now])? {
            let pair: (i64, String) = (row.try_get(0)?, row.try_get(1)?);
            if let Some(ids) = self.names.get_mut(&pair) {
                ids.push(row.try_get(2)?);
            }
        }
        Ok(())
    }

    /// How many of each event of the batch the store holds, for those whose rows the
    /// store has (an event of a row this import adds has no twin in the store).
    fn fetch_events(&mut self, tx: &mut Transaction<'_>, batch: &[Record]) -> Result<()> {
        let mut wanted: Vec<EventRow> = Vec::new();
        for record in batch {
            let Record::Event(e) = record else { continue };
            let Some(&org) = self.orgs.get(&e.org) else {
                continue;
            };
            let key = match e.key.as_deref().map(|id| self.keys.get(id)) {
                None => None,
                Some(Some(Some(key))) => Some(key.row),
                Some(_) => continue,
            };
            let row = EventRow {
                org,
                key,
                at: e.at.timestamp(),
                actor: e.actor.clone(),
                kind: e.kind.name(),
                detail: e.detail.clone(),
                attempts: e.attempts,
            };
            if !self.events.contains_key(&row) {
                wanted.push(row);
            }
        }
        if wanted.is_empty() {
            return Ok(());
        }
        // Hashable equalities (a missing key as row 0, which no key has), so that the
        // server joins the batch against the events in one pass.
        let rows = tx.query(
            "SELECT q.i, count(m.id) FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], \
             $4::text[], $5::text[], $6::text[], $7::bigint[]) WITH ORDINALITY \
             AS q (org, key, at, actor, kind, detail, attempts, i) \
             LEFT JOIN (SELECT e.id, e.org_id, coalesce(e.key_id, 0) AS key, e.at, e.actor, \
             e.kind, e.detail, coalesce(c.count, 1) AS attempts \
             FROM events e LEFT JOIN event_counts c ON c.event_id = e.id) m \
             ON m.org_id = q.org AND m.key = coalesce(q.key, 0) AND m.at = q.at \
             AND m.actor = q.actor AND m.kind = q.kind AND m.attempts = q.attempts \
             AND m.detail IS NOT DISTINCT FROM q.detail \
             GROUP BY q.i",
            &[
                &wanted.iter().map(|e| e.org).collect::<Vec<_>>(),
                &wanted.iter().map(|e| e.key).collect::<Vec<_>>(),
                &wanted.iter().map(|e| e.at).collect::<Vec<_>>(),
                &wanted.iter().map(|e| e.actor.as_str()).collect::<Vec<_>>(),
                &wanted.iter().map(|e| e.kind).collect::<Vec<_>>(),
                &wanted
                    .iter()
                    .map(|e| e.detail.as_deref())
                    .collect::<Vec<_>>(),
                &wanted
                    .iter()
                    .map(EventRow::attempts_column)
                    .collect::<Vec<_>>(),
            ],
        )?;
        let mut counts = vec![0u64; wanted.len()];
        for row in rows {
            let i: i64 = row.try_get(0)?;
            let n: i64 = row.try_get(1)?;
            if let Some(slot) = usize::try_from(i - 1).ok().and_then(|i| counts.get_mut(i)) {
                *slot = n.unsigned_abs();
            }
        }
        for (row, n) in wanted.into_iter().zip(counts) {
            self.events.insert(row, n);
        }
        Ok(())
    }
}

/// Fills `known` for each of `rows` from `sql`, which gives (row, value) pairs for the
/// rows in `ANY($1)`: a row without a pair is known to have no value.
fn by_rows<V>(
    tx: &mut Transaction<'_>,
    sql: &str,
    rows: Vec<i64>,
    known: &mut HashMap<i64, Option<V>>,
) -> Result<()>
where
    V: for<'a> postgres::types::FromSql<'a>,
{
    if rows.is_empty() {
        return Ok(());
    }
    for row in tx.query(sql, &[&rows])? {
        known.insert(row.try_get(0)?, Some(row.try_get(1)?));
    }
    for row in rows {
        known.entry(row).or_insert(None);
    }
    Ok(())
}
