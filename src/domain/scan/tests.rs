//! The token rules on whole buffers, and the same results whatever the chunking.

use super::*;
use crate::domain::key::Secret;

fn key() -> String {
    Secret::generate().unwrap().expose().to_owned()
}

/// Feeds `input` in chunks of `size` bytes, keeping what the scanner asks to keep.
fn chunked(input: &[u8], size: usize) -> Vec<Token> {
    let mut scanner = Scanner::new();
    let mut found = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut rest = input;
    loop {
        let take = size.min(rest.len());
        buf.extend_from_slice(&rest[..take]);
        rest = &rest[take..];
        let eof = rest.is_empty();
        let drop = scanner.feed(&buf, eof, &mut found);
        if eof {
            break;
        }
        buf.drain(..drop);
        assert!(buf.len() <= OVERLAP, "kept {} bytes", buf.len());
    }
    found.sort_by_key(|t| (t.line, t.column));
    found
}

#[test]
fn finds_keys_with_line_and_column() {
    let (a, b) = (key(), key());
    let text = format!("first line\n  token = \"{a}\"\n\nx{b} {a}\n");
    let tokens = find_tokens(text.as_bytes());
    let places: Vec<_> = tokens.iter().map(|t| (t.line, t.column)).collect();
    assert_eq!(places, [(2, 12), (4, 2), (4, 39)]);
    assert_eq!(tokens[0].hash, Some(KeyHash::of(a.as_bytes())));
    assert_eq!(tokens[1].hash, Some(KeyHash::of(b.as_bytes())));
    assert_eq!(tokens[1].tail, &b[32..]);
}

#[test]
fn glued_characters_keep_a_key_a_key() {
    let a = key();
    let tokens = find_tokens(format!("{a}XYZ9 and {a}sk_live_{a}").as_bytes());
    assert_eq!(tokens.len(), 4, "{tokens:?}");
    for t in [&tokens[0], &tokens[1], &tokens[3]] {
        assert_eq!(t.hash, Some(KeyHash::of(a.as_bytes())));
        assert_eq!(t.tail, &a[32..]);
    }
    // The `sk_live_` glued to the key before it is a token of its own: `sk`, not ours.
    assert_eq!((tokens[2].hash, tokens[2].tail.as_str()), (None, "sk"));
}

#[test]
fn stripe_shapes_and_noise_are_tokens_that_are_not_ours() {
    let short = format!("sk_live_{}", "a1B2".repeat(6));
    let long = format!("sk_live_{}Zq9x", "A".repeat(95));
    for (text, tail) in [(&short, "a1B2"), (&long, "Zq9x")] {
        let tokens = find_tokens(text.as_bytes());
        assert_eq!(tokens.len(), 1, "{text}");
        assert_eq!((tokens[0].hash, tokens[0].tail.as_str()), (None, tail));
    }
    assert_eq!(find_tokens(b"sk_live_ab")[0].tail, "ab");
    assert!(find_tokens(b"sk_live_").is_empty());
    assert!(find_tokens(b"the sk_live_\xe2\x80\xa6 hint").is_empty());
}

#[test]
fn base64_at_each_alignment() {
    let a = key();
    for pad in ["", "x", "xy", "TOKEN=", "data: "] {
        let encoded = decode_test::encode(format!("{pad}{a}\n").as_bytes());
        let text = format!("kind: Secret\n  token: {encoded}\n");
        let tokens = find_tokens(text.as_bytes());
        assert_eq!(tokens.len(), 1, "{pad:?}: {text}");
        let t = &tokens[0];
        assert_eq!(t.encoding, Encoding::Base64);
        assert_eq!(t.hash, Some(KeyHash::of(a.as_bytes())));
        assert_eq!(t.line, 2);
        let expected = 10 + (pad.len() * 4).div_ceil(3);
        assert!(
            t.column.abs_diff(expected as u64) <= 1,
            "{pad:?} {}",
            t.column
        );
    }
    // Base64 of something else near the pattern decodes to no token.
    assert!(find_tokens(b"c2tfbGl2ZV").is_empty());
}

#[test]
fn chunking_never_changes_the_result() {
    let (a, b) = (key(), key());
    let long = format!("sk_live_{}tail", "Q".repeat(300));
    let text = format!(
        "{}\n{a} {long}\n{}{b}\n{} {}\n",
        "x".repeat(100),
        "y".repeat(70),
        decode_test::encode(format!("z{b}").as_bytes()),
        decode_test::encode(b"sk_live_ABCD1234abcd"),
    );
    let whole = find_tokens(text.as_bytes());
    assert_eq!(whole.len(), 5, "{whole:?}");
    assert_eq!(whole[1].tail, "tail");
    for size in [1, 2, 3, 7, 8, 13, 36, 37, 64, 65, 100, 1000] {
        assert_eq!(chunked(text.as_bytes(), size), whole, "chunks of {size}");
    }
}

#[test]
fn binary_and_bom() {
    assert!(is_binary(b"abc\0def"));
    assert!(!is_binary(b"plain text"));
    assert_eq!(utf16_bom(b"\xff\xfea\0"), Some(false));
    assert_eq!(utf16_bom(b"\xfe\xff\0a"), Some(true));
    assert_eq!(utf16_bom(b"ab"), None);
}

#[test]
fn utf16_in_any_chunks() {
    let text = "k=\u{1F511} é\n";
    for big_endian in [false, true] {
        let units: Vec<u8> = text
            .encode_utf16()
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect();
        for size in [1, 2, 3, 5] {
            let mut decoder = Utf16Decoder::new(big_endian);
            let mut out = Vec::new();
            let chunks: Vec<_> = units.chunks(size).collect();
            for (i, chunk) in chunks.iter().enumerate() {
                decoder.decode(chunk, i + 1 == chunks.len(), &mut out);
            }
            assert_eq!(String::from_utf8(out).unwrap(), text, "{size}");
        }
    }
}

/// A base64 encoder for the tests only: the scanner never encodes.
mod decode_test {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::new();
        for group in bytes.chunks(3) {
            let mut n = [0u8; 3];
            n[..group.len()].copy_from_slice(group);
            let v = u32::from(n[0]) << 16 | u32::from(n[1]) << 8 | u32::from(n[2]);
            for i in 0..=group.len() {
                out.push(ALPHABET[(v >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        while !out.len().is_multiple_of(4) {
            out.push('=');
        }
        out
    }

    #[test]
    fn roundtrip() {
        let text = b"any bytes \x00\xff here";
        assert_eq!(super::decode::base64(encode(text).as_bytes()), text);
    }
}

proptest::proptest! {
    #[test]
    fn never_panics_and_chunks_agree(
        bytes in proptest::collection::vec(proptest::sample::select(b"sk_live_c2tfbGl2ZVNrX2\n\0aZ9".to_vec()), 0..300),
        size in 1usize..80,
    ) {
        let whole = find_tokens(&bytes);
        proptest::prop_assert_eq!(chunked(&bytes, size), whole);
    }
}

/// Every token `Wrapped` finds in `input` fed `size` bytes at a time.
fn wrapped_chunked(input: &[u8], size: usize) -> Vec<Token> {
    let mut wrapped = wrapped::Wrapped::new();
    let mut found = Vec::new();
    let mut chunks = input.chunks(size.max(1)).peekable();
    if chunks.peek().is_none() {
        wrapped.feed(&[], true, &mut found);
    }
    while let Some(chunk) = chunks.next() {
        wrapped.feed(chunk, chunks.peek().is_none(), &mut found);
    }
    found.sort_by_key(|t| (t.line, t.column));
    found
}

proptest::proptest! {
    #[test]
    fn wrapped_base64_is_found_whatever_the_chunking(
        pad in 0usize..40,
        width in wrapped::MIN_LINE..80,
        indent in 0usize..6,
        crlf: bool,
        size in 1usize..50,
    ) {
        let key = key();
        let text = format!("{}{key}", "x".repeat(pad));
        let encoded = decode_test::encode(text.as_bytes());
        let end = if crlf { "\r\n" } else { "\n" };
        let lines: Vec<String> = encoded
            .as_bytes()
            .chunks(width)
            .map(|l| format!("{}{}{end}", " ".repeat(indent), String::from_utf8_lossy(l)))
            .collect();
        let input = format!("data: |{end}{}", lines.concat());
        let both = |size: usize| {
            let mut found = chunked(input.as_bytes(), size);
            found.extend(wrapped_chunked(input.as_bytes(), size));
            one_per_place(&mut found);
            found
        };
        let whole = both(input.len());
        proptest::prop_assert_eq!(whole.len(), 1);
        proptest::prop_assert_eq!(&whole[0].tail, &key[32..]);
        let index = pad / 3 * 4 + pad % 3;
        proptest::prop_assert_eq!(whole[0].line, (index / width) as u64 + 2);
        proptest::prop_assert_eq!(whole[0].column, (index % width + indent) as u64 + 1);
        proptest::prop_assert_eq!(both(size), whole);
    }
}

/// Text made of pieces that put fragments of the base64 prefix, line ends, lone `\r`,
/// indentation and wrapped keys next to each other.
fn pieces_text(pieces: &[(u8, usize)], keys: &[String]) -> String {
    let mut text = String::new();
    for &(kind, n) in pieces {
        match kind {
            0 => {
                let key = &keys[n % keys.len()];
                let encoded = decode_test::encode(format!("{}{key}", "x".repeat(n % 3)).as_bytes());
                let width = wrapped::MIN_LINE + n % 64;
                let end = if n % 2 == 0 { "\n" } else { "\r\n" };
                for line in encoded.as_bytes().chunks(width) {
                    text.push_str(&" ".repeat(n % 5));
                    text.push_str(&String::from_utf8_lossy(line));
                    text.push_str(end);
                }
            }
            1 => text.push_str(["let x = y;\n", "fn a() {\n", "}\n", "\n", " ", "\t"][n % 6]),
            2 => text.push_str(&"QUJDRGVmZ2hpamtsbW5vcHFyc3R1".repeat(3)[..16 + n % 40]),
            3 => text.push_str(["c2tfb", "Gl2ZV", "NrX2x", "pdmVf", "za19s", "aXZlX"][n % 6]),
            4 => text.push_str(["\r", "\n", "\r\n", "=", "  "][n % 5]),
            _ => text.push_str(&keys[n % keys.len()]),
        }
    }
    text
}

proptest::proptest! {
    #[test]
    fn lines_far_from_a_fragment_are_only_counted(
        pieces in proptest::collection::vec((0u8..6, 0usize..1000), 0..40),
        size in 1usize..200,
    ) {
        let keys = [key(), key()];
        let input = pieces_text(&pieces, &keys);
        let mut every_line = wrapped::Wrapped::looking_at_every_line();
        let mut expected = Vec::new();
        every_line.feed(input.as_bytes(), true, &mut expected);
        expected.sort_by_key(|t| (t.line, t.column));
        proptest::prop_assert_eq!(wrapped_chunked(input.as_bytes(), size), expected.clone());
        proptest::prop_assert_eq!(wrapped_chunked(input.as_bytes(), input.len()), expected);
    }
}
