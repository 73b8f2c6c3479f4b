//! The key format: generation, the offline checksum, the stored hash and the hint.
//!
//! A key is `sk_live_` + 22 random base-62 characters + a 6-character base-62 CRC-32 of
//! the first 30 characters. The checksum lets `verify` and `scan` reject typos and other
//! vendors' `sk_live_` tokens without touching the store.

use rand::TryRng;
use rand::rngs::SysRng;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::Timestamp;

pub const PREFIX: &str = "sk_live_";
/// Base-62 alphabet, in the digit order the key format fixes: `0-9`, `A-Z`, `a-z`.
pub const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
pub const RANDOM_LEN: usize = 22;
pub const CHECKSUM_LEN: usize = 6;
pub const KEY_LEN: usize = PREFIX.len() + RANDOM_LEN + CHECKSUM_LEN;
pub const ID_PREFIX: &str = "key_";
const ID_RANDOM_LEN: usize = 16;

/// The operating system's CSPRNG could not be read.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random number generator failed: {0}")]
pub struct RandomError(String);

/// A whole key in memory. Its buffer is wiped when dropped.
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// A new key: 22 characters from the OS CSPRNG, then the checksum.
    pub fn generate() -> Result<Self, RandomError> {
        let mut key = Zeroizing::new(String::with_capacity(KEY_LEN));
        key.push_str(PREFIX);
        let mut random = Zeroizing::new([0u8; RANDOM_LEN]);
        fill_base62(&mut random[..])?;
        key.extend(random.iter().map(|&b| char::from(b)));
        let checksum = checksum(key.as_bytes());
        key.push_str(std::str::from_utf8(&checksum).unwrap_or_default());
        Ok(Self(key))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> KeyHash {
        KeyHash::of(self.0.as_bytes())
    }

    pub fn hint(&self) -> Hint {
        Hint::of(self.0.as_bytes())
    }
}

/// Why a string is not a Seenty key (the `MALFORMED` rejection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    #[error("a key is {KEY_LEN} characters long")]
    Length,
    #[error("a key starts with {PREFIX}")]
    Prefix,
    #[error("a key holds only the characters 0-9, A-Z and a-z after its prefix")]
    Alphabet,
    #[error("the key's checksum does not match (a typo, or not a Seenty key)")]
    Checksum,
}

/// Checks the format and checksum of `input`, offline. On success returns the hash to
/// look up; the input itself is not kept.
pub fn check(input: &[u8]) -> Result<KeyHash, Malformed> {
    if input.len() != KEY_LEN {
        return Err(Malformed::Length);
    }
    if !input.starts_with(PREFIX.as_bytes()) {
        return Err(Malformed::Prefix);
    }
    if !input[PREFIX.len()..].iter().all(u8::is_ascii_alphanumeric) {
        return Err(Malformed::Alphabet);
    }
    let (body, sum) = input.split_at(PREFIX.len() + RANDOM_LEN);
    if checksum(body) != sum {
        return Err(Malformed::Checksum);
    }
    Ok(KeyHash::of(input))
}

/// A `sk_live_` token quoted inside some text: where it stands, and whether it is a
/// whole Seenty key (its checksum holds) or the prefix and the base-62 run after it (a
/// mistyped or cut key, or another vendor's secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quoted {
    pub range: std::ops::Range<usize>,
    pub valid: bool,
}

/// Every `sk_live_` token in `text` that has at least one base-62 character after the
/// prefix, in order. Unlike `scan`'s tokens, what stands around a key does not matter:
/// `x$KEY`, `${KEY}abc` and `Bearer $KEY` each quote one.
pub fn quoted_in(text: &[u8]) -> impl Iterator<Item = Quoted> + '_ {
    let find = |from: usize| {
        memchr::memmem::find(text.get(from..)?, PREFIX.as_bytes()).map(|at| from + at)
    };
    let mut from = 0;
    std::iter::from_fn(move || {
        loop {
            let at = find(from)?;
            let body = at + PREFIX.len();
            let run = text[body..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            let valid = run >= KEY_LEN - PREFIX.len() && check(&text[at..at + KEY_LEN]).is_ok();
            // The next token may begin inside this one (`sk_live_ab` + `sk_live_…`: the
            // run `absk` holds the next prefix's `sk`): a token ends where one begins,
            // so no key is passed over.
            let next = find(body).unwrap_or(text.len());
            let end = if valid { at + KEY_LEN } else { body + run }.min(next);
            if end == body {
                from = body;
                continue;
            }
            from = end;
            return Some(Quoted {
                range: at..end,
                valid,
            });
        }
    })
}

/// Whether `text` holds a Seenty key anywhere, in any form that still carries it (see
/// [`super::disguise`]): such text is never stored.
pub fn contains_key(text: &str) -> bool {
    super::disguise::carries_key(text.as_bytes())
}

/// CRC-32 (zlib/IEEE) of `body`, in base 62, most significant digit first, padded to 6.
pub fn checksum(body: &[u8]) -> [u8; CHECKSUM_LEN] {
    let mut value = u64::from(crc32fast::hash(body));
    let mut out = [b'0'; CHECKSUM_LEN];
    for slot in out.iter_mut().rev() {
        // `value % 62` is below 62, so the index is in range.
        *slot = ALPHABET[(value % 62) as usize];
        value /= 62;
    }
    out
}

/// Fills `out` with base-62 characters from the OS CSPRNG.
///
/// Bytes are drawn in bulk and rejection-sampled: only bytes below 248 (= 4 × 62) are
/// kept, so every character is equally likely.
fn fill_base62(out: &mut [u8]) -> Result<(), RandomError> {
    let mut pool = Zeroizing::new([0u8; 64]);
    let mut filled = 0;
    while filled < out.len() {
        SysRng
            .try_fill_bytes(&mut pool[..])
            .map_err(|e| RandomError(e.to_string()))?;
        for &byte in pool.iter().filter(|&&b| b < 248) {
            if filled == out.len() {
                break;
            }
            out[filled] = ALPHABET[usize::from(byte % 62)];
            filled += 1;
        }
    }
    Ok(())
}

/// A new opaque key id: `key_` + 16 random base-62 characters (not derived from the secret).
pub fn new_id() -> Result<String, RandomError> {
    let mut random = [0u8; ID_RANDOM_LEN];
    fill_base62(&mut random)?;
    let mut id = String::with_capacity(ID_PREFIX.len() + ID_RANDOM_LEN);
    id.push_str(ID_PREFIX);
    id.extend(random.iter().map(|&b| char::from(b)));
    Ok(id)
}

/// Whether `text` has the shape of a key id (so a KEYREF is looked up as an id first).
pub fn looks_like_id(text: &str) -> bool {
    text.strip_prefix(ID_PREFIX)
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// SHA-256 of the whole key string: the only thing the store keeps of a secret.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyHash(pub [u8; 32]);

impl KeyHash {
    pub fn of(key: &[u8]) -> Self {
        Self(Sha256::digest(key).into())
    }
}

impl std::fmt::Debug for KeyHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for b in &self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// The last 4 characters of a key, shown as `sk_live_…abcd`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint(pub String);

impl Hint {
    pub fn of(key: &[u8]) -> Self {
        let tail = &key[key.len().saturating_sub(4)..];
        Self(String::from_utf8_lossy(tail).into_owned())
    }
}

impl std::fmt::Display for Hint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{PREFIX}…{}", self.0)
    }
}

/// A key's status at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Status {
    Active,
    Revoked,
    Expired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Revoked => "Revoked",
            Self::Expired => "Expired",
        }
    }
}

/// A key's status at `now`. Revocation wins over expiry: a revoked key reports `Revoked`
/// even once expired. A revocation in the future (a rotation's grace period) is not yet.
pub fn status_at(
    revoked_at: Option<Timestamp>,
    expires_at: Option<Timestamp>,
    now: Timestamp,
) -> Status {
    if revoked_at.is_some_and(|at| at <= now) {
        Status::Revoked
    } else if expires_at.is_some_and(|at| at <= now) {
        Status::Expired
    } else {
        Status::Active
    }
}

/// When a key stops working, as of `now`: its expiration, or the end of a rotation's
/// grace period (a revocation still to come) when that is sooner.
pub fn stops_at(
    revoked_at: Option<Timestamp>,
    expires_at: Option<Timestamp>,
    now: Timestamp,
) -> Option<Timestamp> {
    match revoked_at {
        Some(end) if end > now => Some(expires_at.map_or(end, |at| at.min(end))),
        _ => expires_at,
    }
}

/// A stored key, as the store returns it: everything but the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub id: String,
    pub org: String,
    pub name: String,
    pub hint: Hint,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub revoke_reason: Option<String>,
    /// The key this one replaced, when it was made by `rotate`.
    pub rotated_from: Option<String>,
    /// The key that replaced this one.
    pub rotated_to: Option<String>,
}

/// Why a key cannot be rotated: only an active key can, and only once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unrotatable {
    NotActive(Status),
    AlreadyRotated { to: String },
}

impl Key {
    pub fn status(&self, now: Timestamp) -> Status {
        status_at(self.revoked_at, self.expires_at, now)
    }

    pub fn stops_at(&self, now: Timestamp) -> Option<Timestamp> {
        stops_at(self.revoked_at, self.expires_at, now)
    }

    pub fn check_rotatable(&self, now: Timestamp) -> Result<(), Unrotatable> {
        match (self.status(now), &self.rotated_to) {
            (Status::Active, None) => Ok(()),
            (Status::Active, Some(to)) => Err(Unrotatable::AlreadyRotated { to: to.clone() }),
            (status, _) => Err(Unrotatable::NotActive(status)),
        }
    }

    /// This key, revoked at `at` for `reason`.
    #[must_use]
    pub fn revoked(self, at: Timestamp, reason: Option<&str>) -> Self {
        Self {
            revoked_at: Some(at),
            revoke_reason: reason.map(str::to_owned),
            ..self
        }
    }

    /// This key as a rotation to `to` leaves it: working until `stops_at`, then revoked.
    #[must_use]
    pub fn rotated(self, to: &str, stops_at: Timestamp) -> Self {
        Self {
            revoked_at: Some(stops_at),
            revoke_reason: Some(format!("rotated to {to}")),
            rotated_to: Some(to.to_owned()),
            ..self
        }
    }

    /// The audit trail's words for that rotation.
    pub fn rotation_detail(&self) -> Option<String> {
        let (to, at) = (self.rotated_to.as_ref()?, self.revoked_at?);
        let at = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        Some(format!("rotated to {to}; stops working at {at}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn generated_keys_have_the_spec_shape() {
        for _ in 0..1000 {
            let key = Secret::generate().unwrap();
            let text = key.expose();
            assert_eq!(text.len(), KEY_LEN);
            assert!(text.starts_with(PREFIX));
            assert_eq!(check(text.as_bytes()), Ok(key.hash()));
        }
    }

    #[test]
    fn checksum_is_base62_of_crc32() {
        // CRC-32 of "" is 0, and of "a" is 0xe8b7be43 = 3904355907.
        assert_eq!(&checksum(b""), b"000000");
        let mut n: u64 = 3_904_355_907;
        let mut expected = Vec::new();
        while n > 0 {
            expected.push(ALPHABET[(n % 62) as usize]);
            n /= 62;
        }
        while expected.len() < 6 {
            expected.push(b'0');
        }
        expected.reverse();
        assert_eq!(checksum(b"a").to_vec(), expected);
    }

    #[test]
    fn ids_are_distinct_and_well_formed() {
        let a = new_id().unwrap();
        let b = new_id().unwrap();
        assert_ne!(a, b);
        assert!(looks_like_id(&a));
        assert_eq!(a.len(), 20);
        assert!(!looks_like_id("key_"));
        assert!(!looks_like_id("GitHub Actions CI"));
    }

    #[test]
    fn a_key_in_its_grace_period_stops_when_the_grace_ends() {
        let at = |s| chrono::DateTime::from_timestamp(s, 0).unwrap();
        let now = at(1000);
        assert_eq!(stops_at(None, None, now), None);
        assert_eq!(stops_at(Some(at(2000)), None, now), Some(at(2000)));
        assert_eq!(
            stops_at(Some(at(2000)), Some(at(1500)), now),
            Some(at(1500))
        );
        assert_eq!(
            stops_at(Some(at(2000)), Some(at(3000)), now),
            Some(at(2000))
        );
        // Revoked already: the expiration stays what it was.
        assert_eq!(stops_at(Some(at(500)), None, now), None);
        assert_eq!(stops_at(Some(at(500)), Some(at(3000)), now), Some(at(3000)));
    }

    #[test]
    fn hint_shows_the_last_four() {
        assert_eq!(Hint::of(b"sk_live_abcdWXYZ").to_string(), "sk_live_…WXYZ");
    }

    #[test]
    fn finds_keys_quoted_in_text() {
        let key = Secret::generate().unwrap();
        let k = key.expose();
        for text in [
            format!("Bearer {k}"),
            format!("SEENTY_TOKEN={k}"),
            format!("`{k}`"),
            format!("\u{200b}{k}"),
            format!("x{k}"),
            format!("{k}abc"),
            format!("sk_live_{k}"),
            format!("sk_live_ab{k}"),
            format!("sk_live_sk_live_{k}"),
        ] {
            assert!(contains_key(&text), "{text:?}");
            let found: Vec<_> = quoted_in(text.as_bytes()).filter(|q| q.valid).collect();
            assert_eq!(found.len(), 1, "{text:?}");
            assert_eq!(&text[found[0].range.clone()], k);
        }
        let last = if k.ends_with('X') { 'Y' } else { 'X' };
        let typo = format!("{}{last}", &k[..KEY_LEN - 1]);
        assert!(!contains_key(&typo));
        assert_eq!(
            quoted_in(typo.as_bytes()).collect::<Vec<_>>(),
            [Quoted {
                range: 0..KEY_LEN,
                valid: false
            }]
        );
        assert_eq!(quoted_in(b"the sk_live_ prefix, sk_live_\xe2").count(), 0);
    }

    proptest! {
        #[test]
        fn check_never_panics(input in proptest::collection::vec(any::<u8>(), 0..80)) {
            let _ = check(&input);
        }

        #[test]
        fn any_one_changed_character_fails(pos in 0usize..KEY_LEN, replacement in 0usize..62) {
            let key = Secret::generate().unwrap();
            let mut bytes = key.expose().as_bytes().to_vec();
            let new = if pos < PREFIX.len() { b'X' } else { ALPHABET[replacement] };
            prop_assume!(bytes[pos] != new);
            bytes[pos] = new;
            prop_assert!(check(&bytes).is_err());
        }

        #[test]
        fn any_string_of_the_alphabet_with_its_checksum_passes(body in "[0-9A-Za-z]{22}") {
            let mut key = format!("{PREFIX}{body}").into_bytes();
            let sum = checksum(&key);
            key.extend_from_slice(&sum);
            prop_assert!(check(&key).is_ok());
        }
    }
}
