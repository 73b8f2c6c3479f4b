//! The parsers behind the binary, driven through it: keys of every wrong shape,
//! `--expires` at the edges of chrono's range, and property tests over names, keys,
//! expirations and KEYREFs.
//!
//! The codec, expiry parser and name rules also have unit property tests in
//! `src/domain`; these drive the binary, so they run few cases (32), and `fuzz/` holds
//! libFuzzer targets for the key codec and the expiry parser.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use proptest::prelude::*;

use crate::common::{
    TestEnv,
    process::{assert_inert, assert_no_panic, command, text, with_stdin},
};

/// Every single-character typo, deletion, insertion and swap of a real key, and the
/// usual ways a key gets mangled in transit.
fn wrong_shapes(key: &str) -> Vec<Vec<u8>> {
    let bytes = key.as_bytes();
    let mut out: Vec<Vec<u8>> = Vec::new();
    for i in 0..bytes.len() {
        let mut deleted = bytes.to_vec();
        deleted.remove(i);
        out.push(deleted);
        // The next character of the alphabet (a typo), and the same letter in the other case.
        let mut typo = bytes.to_vec();
        typo[i] = match typo[i] {
            b'9' => b'A',
            b'Z' => b'a',
            b'z' => b'0',
            b if b.is_ascii_alphanumeric() => b + 1,
            _ => b'x',
        };
        out.push(typo);
        if bytes[i].is_ascii_alphabetic() {
            let mut flipped = bytes.to_vec();
            flipped[i] ^= 0x20;
            out.push(flipped);
        }
        if i + 1 < bytes.len() && bytes[i] != bytes[i + 1] {
            let mut swapped = bytes.to_vec();
            swapped.swap(i, i + 1);
            out.push(swapped);
        }
    }
    for i in (0..=bytes.len()).step_by(6) {
        let mut inserted = bytes.to_vec();
        inserted.insert(i, b'Q');
        out.push(inserted);
    }
    for n in [0, 1, 8, 20, 30, 35] {
        out.push(bytes[..n].to_vec());
    }
    let tail = &key[8..];
    for prefix in [
        "sk_test_",
        "SK_LIVE_",
        "sk-live-",
        "pk_live_",
        "sk_live",
        "sk_live__",
        "rk_live_",
    ] {
        out.push(format!("{prefix}{tail}").into_bytes());
    }
    for mangled in [
        format!("{key}{key}"),
        format!("{key} {key}"),
        format!(
            "{}{}",
            &key[..18],
            &key[18..].replace(|c: char| c.is_ascii_digit(), "０")
        ),
        format!("{} {}", &key[..18], &key[18..]),
        format!("{}\u{200b}{}", &key[..18], &key[18..]),
        format!("{}\u{a0}", key),
        format!("\u{feff}{key}"),
        key.replacen('a', "а", 1).replacen('e', "е", 1), // Cyrillic look-alikes
        format!("\"{key}\""),
        format!("'{key}'"),
        format!("export SEENTY_TOKEN={key}"),
        format!("Bearer {key}"),
        key.to_uppercase(),
        key.to_lowercase(),
        "sk_live_0000000000000000000000000000".to_owned(),
        "sk_live_zzzzzzzzzzzzzzzzzzzzzzzzzzzz".to_owned(),
    ] {
        if mangled != key {
            out.push(mangled.into_bytes());
        }
    }
    out.push([&bytes[..20], b"\x00", &bytes[21..]].concat());
    out.push([&bytes[..20], b"\xff", &bytes[21..]].concat());
    out.sort();
    out.dedup();
    out.retain(|k| k != bytes);
    out
}

#[test]
fn keys_of_every_wrong_shape_are_malformed_and_never_echoed() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("Deploy");
    let shapes = wrong_shapes(&key);
    for (i, shape) in shapes.iter().enumerate() {
        // Every other one through stdin, the rest as the argument (which cannot hold NUL).
        let out = if i % 2 == 0 || shape.contains(&0) {
            let mut cmd = command(&env, &[]);
            cmd.args(["verify", "-"]);
            with_stdin(cmd, shape)
        } else {
            command(&env, &[])
                .arg("verify")
                .arg(OsStr::from_bytes(shape))
                .output()
                .unwrap()
        };
        let what = format!("{:?}", String::from_utf8_lossy(shape));
        assert_eq!(out.status.code(), Some(1), "{what}: {}", text(&out.stderr));
        assert!(out.stdout.is_empty(), "{what}");
        assert!(
            text(&out.stderr).contains("(MALFORMED)"),
            "{what}: CRC-32 catches every one-character slip: {}",
            text(&out.stderr)
        );
        let tail = &key[key.len() - 12..];
        assert!(
            !text(&out.stderr).contains(tail),
            "{what}: the input is echoed"
        );
    }
    // Acting on a mangled key through stdin refuses without touching the key.
    for shape in shapes.iter().step_by(7) {
        let mut cmd = command(&env, &[]);
        cmd.args(["revoke", "-", "--yes"]);
        let out = with_stdin(cmd, shape);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stderr).contains("not a valid Seenty key"),
            "{}",
            text(&out.stderr)
        );
    }
    // Surrounding ASCII whitespace is not a wrong shape.
    for padded in [
        format!("  {key}\n"),
        format!("\t{key}\r\n"),
        format!("\n\n{key}\n\n"),
    ] {
        let mut cmd = command(&env, &[]);
        cmd.args(["verify", "--no-touch", "-"]);
        assert_eq!(
            with_stdin(cmd, padded.as_bytes()).status.code(),
            Some(0),
            "{padded:?}"
        );
    }
    env.run(&["verify", &key]).status(0);
    println!(
        "{} wrong shapes of one key rejected as MALFORMED",
        shapes.len()
    );
}

#[test]
fn expirations_at_the_edges_of_chrono_are_stored_or_refused_cleanly() {
    let env = TestEnv::with_org("acme", "enterprise");
    // (input, accepted)
    let cases = [
        ("1m", true),
        ("00000000000000000000001m", true),
        (" 90d ", true),
        ("2030-01-19", true),
        ("2030-12-31T23:59:60Z", true), // a leap second: rounded up to the next second
        // At most ten years ahead.
        ("3650d", true),
        ("2038-01-19", false),
        ("9999-12-31", false),
        ("9999-12-31T23:59:59+00:00", false),
        ("0m", false),
        ("0000-01-01", false),
        ("1970-01-01T00:00:00Z", false),
        ("-0001-01-01", false),
        ("2031-02-29", false),
        ("2030-13-01", false),
        ("10000-01-01", false),
        ("262143-01-01", false),
        ("+262143-01-01", false),
        ("262142-12-31T23:59:59Z", false),
        ("153722867280912930m", false),
        ("15372286728091w", false),
        ("5000000000000w", false),
        ("9223372036854775807m", false),
        ("9223372036854775808d", false),
        ("18446744073709551616w", false),
        ("90D", false),
        ("٩٠d", false),
        ("1e3d", false),
        ("+90d", false),
        ("-90d", false),
        ("90 d", false),
        ("P90D", false),
        ("", false),
    ];
    for (i, (when, accepted)) in cases.iter().enumerate() {
        let name = format!("Edge {i}");
        let arg = format!("--expires={when}");
        let out = env
            .command()
            .args(["--json", "generate", "--name", &name, &arg])
            .output()
            .unwrap();
        assert_no_panic(&out, when);
        if *accepted {
            assert_eq!(
                out.status.code(),
                Some(0),
                "{when:?}: {}",
                text(&out.stderr)
            );
            let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert!(
                json["expires_at"].as_str().unwrap() > json["created_at"].as_str().unwrap(),
                "{when:?}: {json}"
            );
        } else {
            assert_eq!(
                out.status.code(),
                Some(2),
                "{when:?}: {}",
                text(&out.stdout)
            );
            assert!(
                text(&out.stderr).contains("expiration"),
                "{when:?}: {}",
                text(&out.stderr)
            );
        }
    }
    // Far-future values the parser accepts today (see the ignored test below) must not
    // break any command that shows them.
    for when in [
        "+10000-01-01",
        "+262142-12-31",
        "9999-12-31T23:59:59.999999999Z",
    ] {
        let out = env
            .command()
            .args([
                "generate",
                "--name",
                &format!("Far {when}"),
                "--expires",
                when,
            ])
            .output()
            .unwrap();
        assert_no_panic(&out, when);
    }
    for args in [
        &["list"][..],
        &["--json", "list"],
        &["list", "--status", "active"],
        &["org", "list"],
        &["--json", "org", "show"],
    ] {
        env.run(args).status(0);
    }
    for key in env.keys() {
        env.run(&["show", key["id"].as_str().unwrap()]).status(0);
    }
    println!("{} expirations tried", cases.len() + 3);
}

#[test]
fn every_accepted_expiration_is_shown_as_rfc3339() {
    let env = TestEnv::with_org("acme", "enterprise");
    for when in [
        "9999-12-31T23:59:59Z",
        "+10000-01-01",
        "+262142-12-31",
        "9999-12-31T23:59:59.999999999Z",
        "9999-12-31T23:59:59-23:59",
    ] {
        let out = env
            .command()
            .args([
                "--json",
                "generate",
                "--name",
                &format!("Far {when}"),
                "--expires",
                when,
            ])
            .output()
            .unwrap();
        if out.status.code() == Some(2) {
            assert!(
                text(&out.stderr).contains("years away"),
                "{when}: {}",
                text(&out.stderr)
            );
            continue;
        }
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let at = json["expires_at"].as_str().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(at).is_ok(),
            "{when}: expires_at {at:?} is not RFC 3339"
        );
    }
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Invisible characters and separators other than the space, which names refuse: the
/// library's own rule (its Unicode tables come from `unicode-security`).
fn is_invisible(c: char) -> bool {
    seenty_keys::domain::text::is_invisible(c)
}

proptest! {
    #![proptest_config(config())]

    /// A name is stored exactly as trimmed, or refused with exit 2 for the reason the
    /// rules give; `show NAME` finds that key.
    #[test]
    fn names_are_stored_exactly_or_refused(raw_name in "\\PC{0,3}[\\s\\PC\\p{Cc}\u{202e}\u{2066}]{0,110}") {
        // NUL cannot be in argv; a lone "-" as a KEYREF means "the key on stdin".
        prop_assume!(!raw_name.contains('\0') && raw_name.trim() != "-");
        let env = TestEnv::with_org("acme", "enterprise");
        let out = env.command().args(["generate", &format!("--name={raw_name}")]).output().unwrap();
        let name = raw_name.trim();
        let valid = !name.is_empty()
            && !name.chars().any(|c| is_unsafe(c) || is_invisible(c))
            && name.chars().count() <= 100;
        assert_inert(&out, &raw_name);
        if valid {
            prop_assert_eq!(out.status.code(), Some(0), "{:?}: {}", raw_name, text(&out.stderr));
            let keys = env.keys();
            prop_assert_eq!(keys[0]["name"].as_str(), Some(name));
            let shown = env.run(&["--json", "show", "--", name]).status(0).json();
            prop_assert_eq!(&shown["id"], &keys[0]["id"]);
        } else {
            prop_assert_eq!(out.status.code(), Some(2), "{:?}", raw_name);
            prop_assert!(env.keys().is_empty());
        }
    }

    /// Whatever `verify` reads, it answers 0 or 1 with a code, never echoes a key-like
    /// input, and accepts only the real key.
    #[test]
    fn verify_answers_every_input(input in prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..80),
        "sk_live_[0-9A-Za-z]{28}".prop_map(String::into_bytes),
        "sk_live_[0-9A-Za-z_ -]{20,40}".prop_map(String::into_bytes),
    ]) {
        let env = TestEnv::with_org("acme", "pro");
        let mut cmd = command(&env, &[]);
        cmd.args(["verify", "-"]);
        let out = with_stdin(cmd, &input);
        prop_assert_eq!(out.status.code(), Some(1));
        let stderr = text(&out.stderr);
        prop_assert!(stderr.contains("(MALFORMED)") || stderr.contains("(NOT_FOUND)"), "{}", stderr);
        if input.len() >= 20 {
            prop_assert!(!stderr.contains(&*String::from_utf8_lossy(&input[8..20])), "echoed: {}", stderr);
        }
        assert_inert(&out, "verify");
    }

    /// Any `--expires` text is accepted (a time after now) or refused with exit 2.
    #[test]
    fn any_expiration_text_is_accepted_or_refused(when in prop_oneof![
        "\\PC{0,24}",
        "[0-9]{1,22}[mhdwMHDWs]?",
        "[+-]?[0-9]{1,7}-[0-9]{1,2}-[0-9]{1,2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,12})?(Z|[+-][0-9]{2}:[0-9]{2}))?",
    ]) {
        let env = TestEnv::with_org("acme", "pro");
        let arg = format!("--expires={when}");
        let out = env.command().args(["--json", "generate", "--name", "CI", &arg]).output().unwrap();
        assert_no_panic(&out, &when);
        match out.status.code() {
            Some(0) => {
                let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                let expires = json["expires_at"].as_str().map(str::to_owned);
                // A year past 9999 ("+10000-…") is the known bug of
                // `every_accepted_expiration_is_shown_as_rfc3339`; it is still later.
                let later = |e: String| e.starts_with('+') || e.as_str() > json["created_at"].as_str().unwrap();
                prop_assert!(expires.is_none_or(later), "{}", json);
            }
            code => {
                prop_assert_eq!(code, Some(2), "{:?}", when);
                prop_assert!(text(&out.stderr).contains("expiration"), "{}", text(&out.stderr));
            }
        }
    }

    /// Any KEYREF finds the one key by its id or name, or nothing: exit 0 or 1.
    #[test]
    fn any_keyref_finds_its_key_or_nothing(reference in prop_oneof![
        "\\PC{1,40}",
        "key_[0-9A-Za-z%_'\"]{0,20}",
        Just("Deploy".to_owned()),
    ]) {
        let env = TestEnv::with_org("acme", "pro");
        env.generate("Deploy");
        let id = env.key_named("Deploy")["id"].as_str().unwrap().to_owned();
        let out = env.command().args(["--json", "show", "--", &reference]).output().unwrap();
        assert_no_panic(&out, &reference);
        assert_inert(&out, &reference);
        let trimmed = reference.trim();
        if trimmed == "Deploy" || trimmed == id {
            prop_assert_eq!(out.status.code(), Some(0));
        } else {
            prop_assert_eq!(out.status.code(), Some(1), "{:?}: {}", reference, text(&out.stderr));
        }
    }
}
