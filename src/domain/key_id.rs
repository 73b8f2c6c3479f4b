//! Key ids derived from a store's row numbers, so a SQLite store need not keep a
//! 20-character id and a unique index on it beside every key (a quarter of its size).
//!
//! A row number goes through a keyed permutation (a four-round Feistel network over 94
//! bits, SHA-256 as the round function, keyed by a random per-store salt) and is written
//! as 16 base-62 characters, the shape of random key ids. Without the salt an id
//! says nothing about the row or how many keys the store holds; with it the row comes
//! back, so looking a key up by id is a primary-key seek. The id depends only on the
//! salt and the row, never on the secret.

use sha2::{Digest, Sha256};

use super::key::{ALPHABET, ID_PREFIX};

const DIGITS: usize = 16;
/// Each half of the Feistel network: 2 × 47 = 94 bits, and 2^94 < 62^16.
const HALF_BITS: u32 = 47;
const HALF_MASK: u128 = (1 << HALF_BITS) - 1;
/// 62^8: the base of each eight-digit half of an id.
const EIGHT_DIGITS: u128 = 62u128.pow(8);
const ROUNDS: u8 = 4;

/// Turns row numbers into key ids and back, for one store's salt.
#[derive(Clone, Copy)]
pub struct IdCodec {
    key: [u8; 32],
}

impl IdCodec {
    pub fn new(salt: &[u8]) -> Self {
        Self {
            key: Sha256::digest(salt).into(),
        }
    }

    /// The id of row `row` (row numbers are positive).
    pub fn encode(&self, row: i64) -> String {
        let (mut left, mut right) = split(u128::from(row.unsigned_abs()));
        for round in 0..ROUNDS {
            (left, right) = (right, left ^ self.mix(round, right));
        }
        let value = (left << HALF_BITS) | right;
        // Eight digits from each of two u64 halves: one u128 division, where a digit at a
        // time took two (a library call each); u64 division by 62 is a multiplication.
        // Both halves are below 62^8 < 2^48, as value < 2^94 < 62^16.
        let halves = [(value / EIGHT_DIGITS) as u64, (value % EIGHT_DIGITS) as u64];
        let mut digits = [b'0'; DIGITS];
        for (mut half, slots) in halves.into_iter().zip(digits.chunks_mut(DIGITS / 2)) {
            for slot in slots.iter_mut().rev() {
                // `half % 62` is below 62, so the index is in range.
                *slot = ALPHABET[(half % 62) as usize];
                half /= 62;
            }
        }
        let mut id = String::with_capacity(ID_PREFIX.len() + DIGITS);
        id.push_str(ID_PREFIX);
        id.extend(digits.iter().map(|&b| char::from(b)));
        id
    }

    /// The row whose id is `id`, when `id` is one this codec could have made; `None` for
    /// anything else, such as most random ids from before derived ids.
    pub fn decode(&self, id: &str) -> Option<i64> {
        let digits = id.strip_prefix(ID_PREFIX)?.as_bytes();
        if digits.len() != DIGITS {
            return None;
        }
        let mut value: u128 = 0;
        for &b in digits {
            let digit = ALPHABET.iter().position(|&a| a == b)?;
            value = value * 62 + digit as u128;
        }
        if value >> (2 * HALF_BITS) != 0 {
            return None;
        }
        let (mut left, mut right) = split(value);
        for round in (0..ROUNDS).rev() {
            (left, right) = (right ^ self.mix(round, left), left);
        }
        let row = i64::try_from((left << HALF_BITS) | right).ok()?;
        (row > 0).then_some(row)
    }

    /// The round function: 47 bits of SHA-256(key, round, half).
    fn mix(&self, round: u8, half: u128) -> u128 {
        let digest = Sha256::new()
            .chain_update(self.key)
            .chain_update([round])
            .chain_update(half.to_le_bytes())
            .finalize();
        let mut first = [0u8; 16];
        first.copy_from_slice(&digest[..16]);
        u128::from_le_bytes(first) & HALF_MASK
    }
}

fn split(value: u128) -> (u128, u128) {
    (value >> HALF_BITS, value & HALF_MASK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::key::looks_like_id;
    use proptest::prelude::*;

    #[test]
    fn ids_have_the_spec_shape_and_differ_between_stores() {
        let a = IdCodec::new(b"salt one");
        let b = IdCodec::new(b"salt two");
        let id = a.encode(1);
        assert!(looks_like_id(&id), "{id}");
        assert_eq!(id.len(), ID_PREFIX.len() + DIGITS);
        assert_ne!(id, b.encode(1));
        assert_ne!(a.encode(1), a.encode(2));
    }

    /// Ids users hold must never change: these were written by the first encoder.
    #[test]
    fn ids_read_as_they_always_have() {
        let codec = IdCodec::new(b"a fixed salt");
        let ids: Vec<String> = [1, 2, 64, 1_000_000, i64::MAX]
            .into_iter()
            .map(|row| codec.encode(row))
            .collect();
        assert_eq!(
            ids,
            [
                "key_9eJEWQ7gBhQE6TSx",
                "key_J65ZZg0V0ZpaESIS",
                "key_Hs2jIwkqAZUwiB07",
                "key_GlEkQntAc8xIbNYx",
                "key_E9DEfUfoROkYfoYe",
            ]
        );
    }

    #[test]
    fn other_ids_are_not_rows() {
        let codec = IdCodec::new(b"salt");
        for id in [
            "key_",
            "key_abc",
            "key_zzzzzzzzzzzzzzzz",
            "kex_0000000000000001",
            "key_00000000000000!1",
        ] {
            assert_eq!(codec.decode(id), None, "{id}");
        }
    }

    proptest! {
        #[test]
        fn every_row_comes_back(row in 1..i64::MAX, salt in proptest::collection::vec(any::<u8>(), 16)) {
            let codec = IdCodec::new(&salt);
            prop_assert_eq!(codec.decode(&codec.encode(row)), Some(row));
        }

        #[test]
        fn decode_never_panics(id in "key_[0-9A-Za-z]{0,20}") {
            let _ = IdCodec::new(b"salt").decode(&id);
        }
    }
}
