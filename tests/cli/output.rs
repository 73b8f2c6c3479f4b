//! What reaches a terminal or a script: tables, escaping of stored text, colors, usage
//! errors, and no panic on odd input.

use crate::common::{self, TestEnv};

#[test]
fn list_has_the_spec_columns_and_never_the_secret() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("GitHub Actions CI");
    let table = env.run(&["list"]).status(0).stdout();
    let header: Vec<_> = table
        .lines()
        .next()
        .unwrap()
        .split("  ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(
        header,
        [
            "ID",
            "Name",
            "Key",
            "Created (UTC)",
            "Expiration (UTC)",
            "Last used (UTC)",
            "Status"
        ]
    );
    assert!(table.contains("Never") && table.contains("Active"));
    assert!(!table.contains(&key));
    let revoked = env.run(&["ls", "--status", "revoked"]).status(0).stdout();
    assert_eq!(revoked.lines().count(), 1, "only the header: {revoked}");
    env.run(&["list", "--status", "bogus"]).status(2);
}

#[test]
fn json_lists_are_arrays_with_rfc3339_times() {
    let env = TestEnv::with_org("acme", "pro");
    env.run(&["--json", "list"]).status(0).stdout_is("[\n]\n");
    env.generate("CI");
    let keys = env.keys();
    let created = keys[0]["created_at"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(created).is_ok() && created.ends_with('Z'),
        "{created}"
    );
    assert!(keys[0]["expires_at"].is_null());
}

#[test]
fn control_characters_from_the_store_are_escaped() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("CI");
    // A name written by another tool straight into the file.
    let chr = if env.is_postgres() { "chr" } else { "char" };
    env.sql(&format!(
        "UPDATE keys SET name = 'evil' || {chr}(27) || '[2J' || {chr}(8238) || 'x' || {chr}(10) || 'y'"
    ));
    for args in [&["list"][..], &["show", "-"], &["verify", "-"]] {
        let run = env.run_stdin(args, &key).status(0);
        let out = run.stdout();
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{202e}'),
            "{args:?}: {out:?}"
        );
        assert!(
            out.contains("evil\\u{1b}[2J\\u{202e}x\\ny"),
            "{args:?}: {out}"
        );
    }
}

#[test]
fn colors_follow_the_flag_and_no_color() {
    let env = TestEnv::with_org("acme", "pro");
    env.generate("CI");
    let colored = env.run(&["--color", "always", "list"]).status(0).stdout();
    assert!(colored.contains("\u{1b}["), "{colored:?}");
    let plain = env.run(&["--color", "never", "list"]).status(0).stdout();
    assert!(!plain.contains('\u{1b}'));
    let auto = env.run(&["list"]).status(0).stdout();
    assert!(!auto.contains('\u{1b}'), "not a terminal: no color");
    let err = env
        .run(&["--color", "always", "revoke", "nope", "--yes"])
        .status(1)
        .stderr();
    assert!(err.starts_with("\u{1b}[1;31merror:"), "{err:?}");
    env.run(&["--color", "sometimes", "list"]).status(2);
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let env = TestEnv::with_org("acme", "pro");
    env.run(&["--help"]).status(0).stdout_has("generate");
    env.run(&["--version"]).status(0).stdout_has("seenty-keys");
    env.run(&["frobnicate"]).status(2).stderr_has("error:");
    env.run(&["generate", "--bogus"]).status(2);
    env.run(&[]).status(2);
}

/// Adds `count` keys straight into the store (far faster than `generate`), named by the
/// SQL expression `name` over `i`, from 1 to `count`.
fn add_keys(env: &TestEnv, count: u32, name: &str) {
    env.sql(&if env.is_postgres() {
        format!(
            "INSERT INTO keys (public_id, org_id, name, hash, hint, created_at) \
             SELECT 'key_bulk' || i, 1, {name}, sha256(i::text::bytea), 'sk_live_…abcd', \
             1700000000 FROM generate_series(1, {count}) i"
        )
    } else {
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) \
             INSERT INTO keys (org_id, name, name_tag, hint, created_at) \
             SELECT 1, {name}, name_tag({name}), 'abcd', 1700000000 FROM n; \
             INSERT INTO key_hashes (hash, key_id) SELECT randomblob(32), id FROM keys \
             WHERE id NOT IN (SELECT key_id FROM key_hashes)"
        )
    });
}

/// `list` to a pipe prints its rows a chunk at a time (4096 rows), in constant memory;
/// the chunks still line up as one table, even when the widest name comes late.
#[test]
fn a_long_list_to_a_pipe_is_one_aligned_table() {
    let env = TestEnv::with_org("acme", "enterprise");
    env.generate("CI");
    add_keys(
        &env,
        5000,
        "CASE WHEN i = 4500 THEN 'A much longer name than any other' ELSE 'Bulk ' || i END",
    );
    let out = env.run(&["list"]).status(0).stdout();
    let widths: std::collections::BTreeSet<usize> =
        out.lines().map(|line| line.chars().count()).collect();
    assert_eq!(out.lines().count(), 5002, "a header and 5001 keys");
    assert_eq!(
        widths.len(),
        1,
        "every line as wide as the header: {widths:?}"
    );
    assert!(out.contains("A much longer name than any other"));
}

#[test]
fn a_reader_that_goes_away_ends_list_quietly() {
    let env = TestEnv::with_org("acme", "enterprise");
    env.generate("CI");
    // Far more output than a pipe buffers, so the writer meets the closed pipe.
    add_keys(&env, 2000, "'Bulk ' || i");
    let out = std::process::Command::new("bash")
        .args([
            "-c",
            "set -o pipefail; \"$0\" --json list | head -c 10 >/dev/null",
            common::BIN,
        ])
        .env("SEENTY_KEYS_DB", &env.db)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Odd arguments and odd stdin never panic: every exit is 0, 1, 2 or 3.
#[test]
fn no_input_panics() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("CI");
    // Linux caps one argument at 128 KiB.
    let big = "x".repeat(120_000);
    let cases: Vec<Vec<String>> = vec![
        vec!["generate".into(), "--name".into(), big.clone()],
        vec![
            "generate".into(),
            "--name".into(),
            "ok".into(),
            "--expires".into(),
            "262143-12-31".into(),
        ],
        vec![
            "generate".into(),
            "--name".into(),
            "ok".into(),
            "--expires".into(),
            "9999999999w".into(),
        ],
        vec!["revoke".into(), big.clone(), "--yes".into()],
        vec!["show".into(), "'; DROP TABLE keys; --".into()],
        vec!["verify".into(), big.clone()],
        vec!["verify".into(), format!("{key}\u{7}")],
        vec!["--org".into(), big.clone(), "list".into()],
        vec![
            "org".into(),
            "create".into(),
            big,
            "--plan".into(),
            "pro".into(),
        ],
    ];
    for args in cases {
        let out = env.command().args(&args).output().unwrap();
        let code = out.status.code().unwrap();
        assert!((0..=3).contains(&code), "{code}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
            "{stderr}"
        );
    }
    env.run_stdin(&["verify"], &format!("{key}\u{0}"))
        .status(1)
        .stderr_has("MALFORMED");
    env.run(&["verify", &key]).status(0);
    assert_eq!(env.keys().len(), 1);
}

/// An organization of more than 4096 keys is listed by one pass over the store's keys, a
/// smaller one through its index (SQLite): both list their own keys only, in creation
/// order, with `--status` applied, and the plain table's chunks line up.
#[test]
fn list_orders_a_large_organization_and_a_small_one_beside_it() {
    const BIG: usize = 4100;
    let env = TestEnv::new();
    let org = |slug: &str| {
        format!(
            r#"{{"type":"org","slug":"{slug}","name":"{slug}","plan":"enterprise","created_at":"2026-01-01T00:00:00Z"}}"#
        )
    };
    let key = |n: usize, org: &str, revoked: bool| {
        let revoked_at = if revoked {
            r#""2026-02-01T00:00:00Z""#
        } else {
            "null"
        };
        format!(
            r#"{{"type":"key","id":"key_{n:016}","org":"{org}","name":"{org} {n}","hash":"{n:064x}","hint":"{:04}","created_at":"2026-01-02T00:00:00Z","expires_at":null,"revoked_at":{revoked_at},"revoke_reason":null,"rotated_from":null}}"#,
            n % 10_000
        )
    };
    let mut dump = vec![
        r#"{"type":"header","format":"seenty-keys-export","version":1}"#.to_owned(),
        org("big"),
        org("small"),
    ];
    let (mut big, mut small) = (Vec::new(), Vec::new());
    for n in 0..BIG + 3 {
        // The small organization's keys sit among the large one's.
        let (slug, ids) = if n % 1500 == 500 {
            ("small", &mut small)
        } else {
            ("big", &mut big)
        };
        dump.push(key(n, slug, n % 7 == 0));
        ids.push((format!("key_{n:016}"), n % 7 == 0));
    }
    assert_eq!((big.len(), small.len()), (BIG, 3));
    env.run_stdin(&["import"], &(dump.join("\n") + "\n"))
        .status(0);

    let ids = |args: &[&str]| -> Vec<String> {
        let out = env.run(args).status(0).json();
        out.as_array()
            .unwrap()
            .iter()
            .map(|k| k["id"].as_str().unwrap().to_owned())
            .collect()
    };
    for (slug, keys) in [("big", &big), ("small", &small)] {
        let all: Vec<_> = keys.iter().map(|(id, _)| id.clone()).collect();
        let revoked: Vec<_> = keys
            .iter()
            .filter(|k| k.1)
            .map(|(id, _)| id.clone())
            .collect();
        let active: Vec<_> = keys
            .iter()
            .filter(|k| !k.1)
            .map(|(id, _)| id.clone())
            .collect();
        assert_eq!(ids(&["--org", slug, "--json", "list"]), all, "{slug}");
        assert_eq!(
            ids(&["--org", slug, "--json", "list", "--status", "revoked"]),
            revoked,
            "{slug}"
        );
        assert_eq!(
            ids(&["--org", slug, "--json", "list", "--status", "active"]),
            active,
            "{slug}"
        );
    }

    let table = env.run(&["--org", "big", "list"]).status(0).stdout();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), BIG + 1, "a header and a line a key");
    let listed: Vec<&str> = lines[1..]
        .iter()
        .map(|line| line.split_whitespace().next().unwrap())
        .collect();
    let all: Vec<&str> = big.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(listed, all);
    // Every line, across the chunks, puts the status column at the same place.
    let column = |line: &str, at: usize| line[..at].chars().count();
    let status_at = column(lines[0], lines[0].find("Status").unwrap());
    for line in &lines[1..] {
        let at = line
            .find("Active")
            .or_else(|| line.find("Revoked"))
            .unwrap();
        assert_eq!(column(line, at), status_at, "{line}");
    }
}
