//! Finding `sk_live_` tokens in bytes, for `scan`: a byte-level search with no
//! allocation per line, reporting each token's line, column, hint and checksum.
//!
//! A token is `sk_live_` followed by exactly 28 base-62 characters and not by a 29th.
//! Tokens whose checksum fails are reported as not Seenty keys: other vendors use the
//! same prefix.

use memchr::memmem;

use super::key::{self, KEY_LEN, KeyHash, PREFIX};

/// One token found in a buffer. The secret itself is not kept, only what may be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// 1-based line number.
    pub line: usize,
    /// 1-based byte column, as `rg --column` counts.
    pub column: usize,
    /// The last 4 characters.
    pub tail: String,
    /// `Some` when the checksum holds: a Seenty key, looked up by this hash.
    pub hash: Option<KeyHash>,
}

/// Every token in `haystack`, in order.
pub fn find_tokens(haystack: &[u8]) -> Vec<Token> {
    let finder = memmem::Finder::new(PREFIX.as_bytes());
    let mut tokens = Vec::new();
    // Line counting resumes from the previous match, so the buffer is walked once.
    let (mut line, mut line_start, mut counted_to) = (1usize, 0usize, 0usize);
    for start in finder.find_iter(haystack) {
        let Some(candidate) = haystack.get(start..start + KEY_LEN) else {
            break;
        };
        let body_ok = candidate[PREFIX.len()..]
            .iter()
            .all(u8::is_ascii_alphanumeric);
        let ends = haystack
            .get(start + KEY_LEN)
            .is_none_or(|b| !b.is_ascii_alphanumeric());
        if !(body_ok && ends) {
            continue;
        }
        for newline in memchr::memchr_iter(b'\n', &haystack[counted_to..start]) {
            line += 1;
            line_start = counted_to + newline + 1;
        }
        counted_to = start;
        tokens.push(Token {
            line,
            column: start - line_start + 1,
            tail: String::from_utf8_lossy(&candidate[KEY_LEN - 4..]).into_owned(),
            hash: key::check(candidate).ok(),
        });
    }
    tokens
}

/// Whether a buffer looks binary: a NUL byte in its first 8 KiB, as git and rg decide.
pub fn is_binary(head: &[u8]) -> bool {
    memchr::memchr(0, &head[..head.len().min(8192)]).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::key::Secret;

    #[test]
    fn finds_keys_with_line_and_column() {
        let a = Secret::generate().unwrap();
        let b = Secret::generate().unwrap();
        let text = format!(
            "first line\n  token = \"{}\"\n\nx{} {}\n",
            a.expose(),
            b.expose(),
            a.expose()
        );
        let tokens = find_tokens(text.as_bytes());
        let places: Vec<_> = tokens.iter().map(|t| (t.line, t.column)).collect();
        assert_eq!(places, [(2, 12), (4, 2), (4, 39)]);
        assert_eq!(tokens[0].hash, Some(a.hash()));
        assert_eq!(tokens[1].hash, Some(b.hash()));
        assert_eq!(tokens[1].tail, &b.expose()[32..]);
    }

    #[test]
    fn other_vendors_tokens_fail_the_checksum_and_longer_runs_are_not_tokens() {
        let other = "sk_live_abcdefghijklmnopqrstuvwxyz12";
        let tokens = find_tokens(other.as_bytes());
        assert_eq!(tokens.len(), 1);
        assert_eq!(tokens[0].hash, None);
        assert!(find_tokens(b"sk_live_abcdefghijklmnopqrstuvwxyz1234567").is_empty());
        assert!(find_tokens(b"sk_live_short").is_empty());
        assert!(find_tokens(b"sk_live_").is_empty());
    }

    #[test]
    fn binary_detection() {
        assert!(is_binary(b"abc\0def"));
        assert!(!is_binary(b"plain text"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let _ = find_tokens(&bytes);
        }
    }
}
