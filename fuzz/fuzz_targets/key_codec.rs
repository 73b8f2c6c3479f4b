//! The key codec: `check` never panics, accepts exactly the well-formed keys, and every
//! one-byte change to a valid key is rejected offline.

#![no_main]

use libfuzzer_sys::fuzz_target;
use seenty_keys::domain::key::{self, ALPHABET, Hint, KEY_LEN, KeyHash, PREFIX, checksum};

fuzz_target!(|data: &[u8]| {
    if let Ok(hash) = key::check(data) {
        assert_eq!(data.len(), KEY_LEN);
        assert!(data.starts_with(PREFIX.as_bytes()));
        assert!(data[PREFIX.len()..].iter().all(u8::is_ascii_alphanumeric));
        assert_eq!(checksum(&data[..KEY_LEN - 6]), data[KEY_LEN - 6..]);
        assert_eq!(hash, KeyHash::of(data));
    }
    let _ = Hint::of(data);
    let _ = key::looks_like_id(&String::from_utf8_lossy(data));

    // Seal the first 22 bytes (mapped to base 62) into a key: it must pass, and any
    // one-byte change to it must not.
    if data.len() < 24 {
        return;
    }
    let mut sealed = PREFIX.as_bytes().to_vec();
    sealed.extend(data[..22].iter().map(|b| ALPHABET[usize::from(*b % 62)]));
    let sum = checksum(&sealed);
    sealed.extend(sum);
    assert!(key::check(&sealed).is_ok(), "{:?}", String::from_utf8_lossy(&sealed));
    let at = usize::from(data[22]) % KEY_LEN;
    let mut changed = sealed.clone();
    changed[at] = changed[at].wrapping_add(data[23].max(1));
    if changed != sealed {
        assert!(key::check(&changed).is_err(), "{:?}", String::from_utf8_lossy(&changed));
    }
});
