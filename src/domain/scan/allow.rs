//! `.seenty-keys-allow`: the hashes of keys a repository knows to be dead, so finding
//! them does not fail a scan. One SHA-256 hex digest per line (what `sha256sum` prints
//! first, so its output can be appended as it is), `#` starts a comment.

use std::collections::HashSet;

use crate::domain::key::KeyHash;

/// The file's name, at the root of a repository.
pub const FILE_NAME: &str = ".seenty-keys-allow";

/// The digests listed in `text`, and the 1-based numbers of lines that hold something
/// other than a digest.
pub fn parse(text: &str) -> (HashSet<KeyHash>, Vec<usize>) {
    let mut hashes = HashSet::new();
    let mut bad = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let content = line.split('#').next().unwrap_or_default();
        let Some(first) = content.split_whitespace().next() else {
            continue;
        };
        match parse_hex(first) {
            Some(hash) => {
                hashes.insert(hash);
            }
            None => bad.push(index + 1),
        }
    }
    (hashes, bad)
}

/// A 64-character hex digest, either case.
pub fn parse_hex(text: &str) -> Option<KeyHash> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        let digit = |c: u8| char::from(c).to_digit(16);
        *slot = u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()?;
    }
    Some(KeyHash(out))
}

/// The lower-case hex of a digest, as `sha256sum` writes it.
pub fn hex(hash: &KeyHash) -> String {
    format!("{hash:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_comments_and_sha256sum_lines() {
        let hash = KeyHash::of(b"sk_live_x");
        let text = format!(
            "# dead keys\n{}  -\n\n  {}  # old CI key\nnot-a-digest\n",
            hex(&hash),
            hex(&hash).to_uppercase()
        );
        let (hashes, bad) = parse(&text);
        assert_eq!(hashes.into_iter().collect::<Vec<_>>(), [hash]);
        assert_eq!(bad, [5]);
        assert_eq!(parse_hex(&"g".repeat(64)), None);
    }
}
