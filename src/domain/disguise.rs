//! Seenty keys in every form that still carries one: the whole key, its 28 characters
//! after the prefix alone, the prefix in another letter case or with `-` for `_`,
//! percent-encoded, or in base64 (standard or URL-safe, at any alignment).
//!
//! A secret is never stored as text and never quoted back in a message (see
//! [`super::text`] and `render::redact_keys`), and pasting it in a disguise must not get
//! it past either. The checksum is what keeps false alarms negligible: a run of 28
//! base-62 characters is taken for a key only when its last 6 are the CRC of
//! `sk_live_` and its first 22, a chance of 1 in 62⁶ per place.

use std::ops::Range;

use base64::Engine;
use base64::engine::general_purpose::GeneralPurpose;
use base64::engine::{DecodePaddingMode, GeneralPurposeConfig};

use super::key::{CHECKSUM_LEN, Hint, KEY_LEN, PREFIX, RANDOM_LEN, checksum};

/// The characters of a key after its prefix.
const BODY_LEN: usize = RANDOM_LEN + CHECKSUM_LEN;
/// The fewest base64 characters that can hold a key's body at any alignment.
const BASE64_MIN: usize = (BODY_LEN * 4).div_ceil(3);
/// How many encodings deep a key is looked for (base64 of a percent-encoded key, …).
const DEPTH: usize = 2;

/// A key found in some text: the bytes that carry it, and the hint to show instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub range: Range<usize>,
    pub hint: Hint,
}

/// Every key `text` carries, in any form, in order of where it starts; ranges may
/// overlap (a base64 run around a key also found as itself).
pub fn find(text: &[u8]) -> Vec<Found> {
    let mut found = find_in(text, DEPTH);
    found.sort_by_key(|f| (f.range.start, f.range.end));
    found
}

/// Whether `text` carries a key in any form.
pub fn carries_key(text: &[u8]) -> bool {
    !find_in(text, DEPTH).is_empty()
}

fn find_in(text: &[u8], depth: usize) -> Vec<Found> {
    let mut found = bodies(text);
    if depth == 0 {
        return found;
    }
    for run in runs(text, is_percent_char).filter(|r| text[r.clone()].contains(&b'%')) {
        let decoded: Vec<u8> = percent_encoding::percent_decode(&text[run.clone()]).collect();
        found.extend(hints_in(&decoded, depth - 1, &run));
    }
    for run in runs(text, is_base64_char).filter(|r| r.len() >= BASE64_MIN) {
        for decoded in base64_alignments(&text[run.clone()]) {
            found.extend(hints_in(&decoded, depth - 1, &run));
        }
    }
    found
}

/// The keys in `decoded`, reported as standing at `run` of the encoded text.
fn hints_in(decoded: &[u8], depth: usize, run: &Range<usize>) -> Vec<Found> {
    find_in(decoded, depth)
        .into_iter()
        .map(|f| Found {
            range: run.clone(),
            hint: f.hint,
        })
        .collect()
}

/// Every place 28 base-62 characters carry a valid checksum, with the prefix before
/// them (in any case, `-` or `_`) counted as part of the key.
fn bodies(text: &[u8]) -> Vec<Found> {
    let mut found = Vec::new();
    for run in runs(text, |b| b.is_ascii_alphanumeric()) {
        let mut at = run.start;
        while at + BODY_LEN <= run.end {
            let body = &text[at..at + BODY_LEN];
            if is_body(body) {
                let start = if has_prefix(&text[..at]) {
                    at - PREFIX.len()
                } else {
                    at
                };
                found.push(Found {
                    range: start..at + BODY_LEN,
                    hint: Hint::of(body),
                });
                at += BODY_LEN;
            } else {
                at += 1;
            }
        }
    }
    found
}

/// Whether 28 base-62 characters are a key's body: their checksum holds.
fn is_body(body: &[u8]) -> bool {
    let mut key = [0u8; KEY_LEN - CHECKSUM_LEN];
    key[..PREFIX.len()].copy_from_slice(PREFIX.as_bytes());
    key[PREFIX.len()..].copy_from_slice(&body[..RANDOM_LEN]);
    checksum(&key) == body[RANDOM_LEN..]
}

/// Whether `before` ends with the prefix, in any letter case, `-` or `_` as separators.
fn has_prefix(before: &[u8]) -> bool {
    let Some(tail) = before
        .len()
        .checked_sub(PREFIX.len())
        .map(|at| &before[at..])
    else {
        return false;
    };
    tail.iter()
        .zip(PREFIX.bytes())
        .all(|(&got, want)| match want {
            b'_' => got == b'_' || got == b'-',
            _ => got.eq_ignore_ascii_case(&want),
        })
}

/// Maximal runs of bytes `keep` accepts.
fn runs(text: &[u8], keep: impl Fn(u8) -> bool) -> impl Iterator<Item = Range<usize>> {
    let mut start = None;
    let mut out = Vec::new();
    for (at, &b) in text.iter().enumerate() {
        match (keep(b), start) {
            (true, None) => start = Some(at),
            (false, Some(from)) => {
                out.push(from..at);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        out.push(from..text.len());
    }
    out.into_iter()
}

fn is_percent_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'%' | b'_' | b'-' | b'.' | b'~' | b'+')
}

/// Both base64 alphabets: standard (`+/`) and URL-safe (`-_`).
fn is_base64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_')
}

/// `run` decoded from each of its first four characters on, so that a key encoded
/// after other characters is found whatever their number. A last group of 2 or 3
/// characters (unpadded) is decoded too; a single one holds no whole byte.
fn base64_alignments(run: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    (0..4).filter_map(move |offset| {
        let rest = run.get(offset..)?;
        let whole = &rest[..rest.len() - usize::from(rest.len() % 4 == 1)];
        let standard: Vec<u8> = whole
            .iter()
            .map(|&b| match b {
                b'-' => b'+',
                b'_' => b'/',
                b => b,
            })
            .collect();
        LENIENT.decode(standard).ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::key::Secret;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

    /// Every form the key `k` is recognised in, each inside other text.
    fn forms(k: &str) -> Vec<String> {
        let body = &k[PREFIX.len()..];
        let mut forms = vec![
            k.to_owned(),
            body.to_owned(),
            format!("SK_LIVE_{body}"),
            format!("sk-live-{body}"),
            format!("Sk-Live_{body}"),
            format!("sk%5Flive%5F{body}"),
            format!("sk%5flive%5f{}", body.replace('A', "%41")),
        ];
        for pad in ["", "a", "ab", "API_KEY="] {
            let text = format!("{pad}{k}");
            forms.push(STANDARD.encode(&text));
            forms.push(URL_SAFE_NO_PAD.encode(&text));
            forms.push(STANDARD.encode(format!("{pad}{body}")));
        }
        forms
    }

    #[test]
    fn finds_a_key_in_every_form() {
        for _ in 0..50 {
            let secret = Secret::generate().unwrap();
            let k = secret.expose();
            let hint = secret.hint();
            for form in forms(k) {
                for text in [
                    form.clone(),
                    format!("reason: {form} (ci)"),
                    format!("x{form}y"),
                ] {
                    let found = find(text.as_bytes());
                    assert!(!found.is_empty(), "{text}");
                    assert!(found.iter().all(|f| f.hint == hint), "{text}: {found:?}");
                }
            }
        }
    }

    #[test]
    fn ordinary_text_carries_no_key() {
        let secret = Secret::generate().unwrap();
        let k = secret.expose();
        for text in [
            "GitHub Actions CI",
            "rotated to key_0123456789abcdef; stops working at 2026-01-01T00:00:00Z",
            "aGVsbG8gd29ybGQsIHRoaXMgaXMgYmFzZTY0IG9mIHNvbWUgdGV4dA==",
            "100%25 sure",
            &k[..KEY_LEN - 1],
            &k[PREFIX.len() + 1..],
        ] {
            assert!(!carries_key(text.as_bytes()), "{text}");
        }
    }
}
