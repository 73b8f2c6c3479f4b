//! SQLite's compact layout, all in one place: the SQL functions its columns need
//! (registered on every connection the tool opens), the lookup of a key's row by its id,
//! the id of a new row, and the packed usage writes. Other programs (the `sqlite3` shell)
//! can read and write the store without the functions; they only decode what the tool
//! packs. With them, the other modules' queries read like PostgreSQL's.
//!
//! - `key_id(row, public_id)`: a key's id, kept or derived ([`IdCodec`]).
//! - `name_tag(name)`: the 32-bit tag the name index holds instead of the name, a tag of
//!   its look-alike key; `name_key(name)`: that key ([`name_key`]).
//! - `usage_at(stamps, row)`: last used, packed [`SLOTS`] keys to a `key_usage` row as
//!   big-endian `u32` seconds (0: never used). Writes go through [`UsageBlock`], a
//!   block at a time.

use rusqlite::functions::FunctionFlags;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::key::new_id;
use crate::domain::key_id::IdCodec;
use crate::domain::text::name_key;
use crate::error::Result;

/// Keys per `key_usage` row: key `row` is in block `row >> 6`, slot `row & 63`.
pub(crate) const SLOTS: i64 = 64;
const STAMP: usize = 4;
const BLOCK_BYTES: usize = STAMP * 64;

const PURE: FunctionFlags = FunctionFlags::SQLITE_UTF8.union(FunctionFlags::SQLITE_DETERMINISTIC);

/// `key_id`, with the salt the migrations stored; returns the codec for the queries that
/// decode ids in Rust.
pub(crate) fn register_ids(conn: &Connection) -> rusqlite::Result<IdCodec> {
    let salt: Vec<u8> = conn.query_row("SELECT salt FROM key_id_salt", [], |r| r.get(0))?;
    let ids = IdCodec::new(&salt);
    conn.create_scalar_function("key_id", 2, PURE, move |ctx| {
        let public: Option<String> = ctx.get(1)?;
        let row: Option<i64> = ctx.get(0)?;
        Ok(public.or_else(|| row.map(|row| ids.encode(row))))
    })?;
    Ok(ids)
}

/// `name_tag` and `usage_at`, before migrating: the migrations use them.
pub(crate) fn register_packing(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("name_tag", 1, PURE, |ctx| {
        Ok(name_tag(&ctx.get::<String>(0)?))
    })?;
    conn.create_scalar_function("name_key", 1, PURE, |ctx| {
        Ok(name_key(&ctx.get::<String>(0)?))
    })?;
    conn.create_scalar_function("usage_at", 2, PURE, |ctx| {
        let slot = slot(ctx.get(1)?);
        // Borrowed: `list` reads a block per key.
        match ctx.get_raw(0) {
            ValueRef::Null => Ok(None),
            ValueRef::Blob(stamps) => Ok(stamp(stamps, slot)),
            _ => Err(rusqlite::Error::UserFunctionError(
                "a key_usage row that is not a blob".into(),
            )),
        }
    })?;
    Ok(())
}

/// The `key_usage` row that holds key `row`'s last used.
pub(crate) fn usage_block(row: i64) -> i64 {
    row >> SLOTS.trailing_zeros()
}

/// The row of the key whose id is `id`: an id kept in `public_id` (made before schema 4,
/// or imported) by its index, a derived one by the row it names.
pub(crate) fn key_row(conn: &Connection, ids: &IdCodec, id: &str) -> rusqlite::Result<Option<i64>> {
    let kept = conn
        .prepare_cached("SELECT id FROM keys WHERE public_id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    match (kept, ids.decode(id)) {
        (Some(row), _) => Ok(Some(row)),
        (None, Some(row)) => conn
            .prepare_cached("SELECT id FROM keys WHERE id = ?1 AND public_id IS NULL")?
            .query_row([row], |r| r.get(0))
            .optional(),
        (None, None) => Ok(None),
    }
}

/// The row a new key takes: after every key and every reserved key, so a reservation's
/// row (and so its derived id) stays its own.
pub(crate) fn next_key_row(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT max(coalesce((SELECT max(id) FROM keys), 0), \
                        coalesce((SELECT max(key_row) FROM reservations), 0)) + 1",
        )?
        .query_row([], |r| r.get(0))?)
}

/// The id of a new key at `row`: derived from it, unless a kept id (made before schema
/// 4, or imported) already reads the same, in which case the key keeps a random id.
pub(crate) fn id_for_new_row(conn: &Connection, ids: &IdCodec, row: i64) -> Result<String> {
    let derived = ids.encode(row);
    let taken = conn
        .prepare_cached("SELECT 1 FROM keys WHERE public_id = ?1")?
        .exists([&derived])?;
    if taken { Ok(new_id()?) } else { Ok(derived) }
}

/// Records uses `(row, at seconds)`: each usage block read once and written once, and
/// only when a time in it moved, when the uses come sorted by row. Returns how many keys'
/// last used moved.
pub(crate) fn touch(
    conn: &Connection,
    uses: impl IntoIterator<Item = (i64, i64)>,
) -> Result<usize> {
    let mut read = conn.prepare_cached("SELECT stamps FROM key_usage WHERE block = ?1")?;
    let mut write = conn.prepare_cached(
        "INSERT INTO key_usage (block, stamps) VALUES (?1, ?2) \
         ON CONFLICT (block) DO UPDATE SET stamps = excluded.stamps",
    )?;
    let mut uses = uses.into_iter().peekable();
    let mut moved = 0;
    while let Some(&(first, _)) = uses.peek() {
        let block = usage_block(first);
        let mut stamps = UsageBlock::new(read.query_row([block], |r| r.get(0)).optional()?)?;
        let mut changed = 0;
        while let Some((row, at)) = uses.next_if(|(row, _)| usage_block(*row) == block) {
            changed += usize::from(stamps.raise(row, at)?);
        }
        if changed > 0 {
            write.execute(params![block, stamps.bytes()])?;
        }
        moved += changed;
    }
    Ok(moved)
}

/// One `key_usage` row being written: last used only moves forward.
pub(crate) struct UsageBlock(Vec<u8>);

impl UsageBlock {
    /// The stored row, or an empty one when the block has none yet.
    pub(crate) fn new(stored: Option<Vec<u8>>) -> rusqlite::Result<Self> {
        match stored {
            None => Ok(Self(vec![0; BLOCK_BYTES])),
            Some(stamps) if stamps.len() == BLOCK_BYTES => Ok(Self(stamps)),
            Some(stamps) => Err(damaged(stamps.len())),
        }
    }

    /// Records a use of key `row` at `at` (seconds) unless a later one is recorded; true
    /// when its last used moved.
    pub(crate) fn raise(&mut self, row: i64, at: i64) -> rusqlite::Result<bool> {
        let at = u32::try_from(at).map_err(|_| {
            rusqlite::Error::UserFunctionError(
                format!("last used {at} is outside 1970-2106, which the store can hold").into(),
            )
        })?;
        let slot = slot(row);
        if stamp(&self.0, slot).is_some_and(|old| old >= i64::from(at)) {
            return Ok(false);
        }
        self.0[slot * STAMP..][..STAMP].copy_from_slice(&at.to_be_bytes());
        Ok(true)
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// CRC-32 of the name's [`name_key`]: four bytes in the index instead of the whole name,
/// the same for names that look alike. Tags collide now and then; every lookup compares
/// the name (or its key) itself too.
pub(crate) fn name_tag(name: &str) -> i64 {
    // Stored signed, so SQLite keeps it in four bytes rather than six.
    i64::from(crc32fast::hash(name_key(name).as_bytes()).cast_signed())
}

/// Key `row`'s place in its block.
fn slot(row: i64) -> usize {
    // `row & 63` is in 0..64.
    (row & (SLOTS - 1)) as usize
}

/// The time in `slot`, `None` when never used or when the row is not a usage block.
fn stamp(stamps: &[u8], slot: usize) -> Option<i64> {
    let bytes: [u8; STAMP] = stamps
        .get(slot * STAMP..(slot + 1) * STAMP)?
        .try_into()
        .ok()?;
    let at = u32::from_be_bytes(bytes);
    (at != 0).then_some(i64::from(at))
}

fn damaged(len: usize) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(
        format!("a key_usage row of {len} bytes, not {BLOCK_BYTES}").into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        register_packing(&conn).unwrap();
        conn
    }

    #[test]
    fn usage_moves_only_forward_and_keeps_other_slots() {
        let conn = conn();
        let at = |block: &UsageBlock, row: i64| -> Option<i64> {
            conn.query_row(
                "SELECT usage_at(?1, ?2)",
                rusqlite::params![block.bytes(), row],
                |r| r.get(0),
            )
            .unwrap()
        };
        let get = |sql: &str| -> Option<i64> { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(get("SELECT usage_at(NULL, 5)"), None);
        let mut block = UsageBlock::new(None).unwrap();
        assert!(block.raise(69, 1_700_000_000).unwrap());
        assert_eq!(at(&block, 5), Some(1_700_000_000));
        assert_eq!(at(&block, 6), None);
        assert!(!block.raise(5, 1_699_999_999).unwrap());
        assert!(!block.raise(5, 1_700_000_000).unwrap());
        assert!(block.raise(5, 1_700_000_009).unwrap());
        assert_eq!(at(&block, 69), Some(1_700_000_009));
        assert!(block.raise(63, 7).unwrap());
        assert_eq!(at(&block, 63), Some(7));
        assert_eq!(at(&block, 0), None);
        assert!(block.raise(5, -1).is_err());
        assert!(block.raise(5, 1 << 32).is_err());
        assert!(UsageBlock::new(Some(vec![0])).is_err());
        assert_eq!(usage_block(63), 0);
        assert_eq!(usage_block(64), 1);
    }

    #[test]
    fn name_tags_fit_four_bytes() {
        for name in ["", "GitHub Actions CI", "ü", &"x".repeat(500)] {
            let tag = name_tag(name);
            assert!(
                i64::from(i32::MIN) <= tag && tag <= i64::from(i32::MAX),
                "{name}"
            );
        }
    }
}
