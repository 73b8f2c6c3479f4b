//! Hostile input: control characters, ANSI escapes and bidi overrides in text,
//! arguments at the kernel's size limit, invalid UTF-8, SQL metacharacters. Every one
//! gets a clear error (or is stored and shown literally), never a panic, and no escape
//! sequence reaches the screen. Keys, expirations and property tests over the parsers
//! are in `reliability_parsers.rs`.
//!
//! Linux caps a single argv (or environment) string at 128 KiB (MAX_ARG_STRLEN, 131072
//! bytes with its NUL), so "1 MB arguments" are tested as 128 KiB - 1 per string, 1 MiB
//! spread over several arguments, and 1 MiB on standard input.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::common::{
    TestEnv,
    process::{assert_inert, assert_no_panic, command, text, with_stdin},
    sqlite_only,
};

/// What the store holds, as the commands show it: unchanged after a refused command.
fn snapshot(env: &TestEnv) -> (String, String) {
    let keys = env.run(&["--json", "list"]).status(0).stdout();
    let orgs = env.run(&["--json", "org", "list"]).status(0).stdout();
    (keys, orgs)
}

/// Every C0 control but NUL (argv cannot hold it), DEL, every C1 control, every bidi
/// embedding/override/isolate, and real escape sequences.
fn hostile_texts() -> Vec<String> {
    let mut all: Vec<String> = (0x01u32..0x20)
        .chain([0x7f])
        .chain(0x80..0xa0)
        .chain(0x202a..0x202f)
        .chain(0x2066..0x206a)
        .map(|c| format!("CI {} job", char::from_u32(c).unwrap()))
        .collect();
    all.extend(
        [
            "\u{1b}[31mred\u{1b}[0m",
            "\u{1b}]0;pwned\u{7}",
            "\u{1b}]8;;https://evil.example\u{1b}\\click\u{1b}]8;;\u{1b}\\",
            "\u{1b}[2J\u{1b}[H",
            "\u{1b}P+q\u{1b}\\",
            "\u{9b}31mred",
            "fine\roverwritten",
            "invoice\u{202e}fdp.exe",
            "\u{2067}admin\u{2069} key",
        ]
        .map(str::to_owned),
    );
    all
}

#[test]
fn control_ansi_and_bidi_text_is_refused_with_an_escaped_error() {
    let env = TestEnv::with_org("acme", "pro");
    env.generate("Deploy");
    let before = snapshot(&env);
    let mut tried = 0;
    for hostile in hostile_texts() {
        for args in [
            vec!["generate", "--name", &hostile],
            vec!["revoke", "Deploy", "--yes", "--reason", &hostile],
            vec!["org", "create", "beta", "--plan", "pro", "--name", &hostile],
        ] {
            let out = env.command().args(&args).output().unwrap();
            tried += 1;
            let what = format!("{args:?}");
            assert_eq!(out.status.code(), Some(2), "{what}: {}", text(&out.stderr));
            assert!(
                text(&out.stderr).contains("control or bidirectional-override character"),
                "{what}: {}",
                text(&out.stderr)
            );
            assert_inert(&out, &what);
        }
    }
    let fresh = TestEnv::new();
    for hostile in ["\u{1b}[31mAcme", "Acme\u{202e}"] {
        let out = fresh
            .command()
            .args(["init", "--org", "acme", "--plan", "pro", "--name", hostile])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert_inert(&out, hostile);
        tried += 1;
    }
    assert!(!fresh.db.exists());
    assert_eq!(snapshot(&env), before, "nothing stored");
    println!("{tried} hostile texts refused");
}

#[test]
fn unusual_but_harmless_text_round_trips_exactly() {
    // Invisible characters and separators (zero-width joiners too, even inside emoji
    // sequences) are refused instead: tests/cli/names.rs.
    let env = TestEnv::with_org("acme", "enterprise");
    for name in [
        "Déploiement café ☕",
        "部署 キー 배포",
        "עברית ערבית العربية",
        "emoji 👩 👍🏽 🚀",
        "combining e\u{301}\u{301}\u{301}",
        "% _ * ? [a-z] \\ $HOME `id` $(id)",
    ] {
        env.run(&["generate", "--name", name]).status(0);
        let listed = env.key_named(name);
        assert_eq!(listed["name"], name);
        let shown = env.run(&["--json", "show", name]).status(0).json();
        assert_eq!(shown["id"], listed["id"], "{name}");
    }
}

#[test]
fn stored_hostile_text_is_escaped_in_every_table() {
    if sqlite_only("writes hostile bytes into the store with SQLite's char()") {
        return;
    }
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("Deploy");
    let revoked = env.generate("Old");
    env.run(&["revoke", "Old", "--yes", "--reason", "leaked"])
        .status(0);
    // Written by another tool straight into the file.
    let evil = "'evil' || char(27) || '[2J' || char(155) || '31m' || char(8238) || 'x' || char(7) || char(10) || 'y'";
    env.sql(&format!(
        "UPDATE keys SET name = {evil}; UPDATE keys SET revoke_reason = {evil} WHERE revoke_reason IS NOT NULL; UPDATE orgs SET name = {evil}"
    ));
    let id = env.keys()[0]["id"].as_str().unwrap().to_owned();
    let old = env.keys()[1]["id"].as_str().unwrap().to_owned();
    for (args, stdin) in [
        (vec!["list"], ""),
        (vec!["list", "--status", "revoked"], ""),
        (vec!["show", &id], ""),
        (vec!["show", &old], ""),
        (vec!["show", "-"], revoked.as_str()),
        (vec!["org", "list"], ""),
        (vec!["org", "show"], ""),
        (vec!["verify", &key], ""),
        (vec!["verify", &revoked], ""),
        (vec!["revoke", &old, "--yes"], ""),
        (vec!["revoke", &id, "--yes"], ""),
    ] {
        let out = env
            .command()
            .args(&args)
            .write_stdin(stdin)
            .output()
            .unwrap();
        assert_no_panic(&out, &format!("{args:?}"));
        assert_inert(&out, &format!("{args:?}"));
    }
}

#[test]
fn stored_hostile_text_is_escaped_in_json() {
    if sqlite_only("writes hostile bytes into the store with SQLite's char()") {
        return;
    }
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("Deploy");
    let evil = "'evil' || char(155) || '31m' || char(8238) || 'x' || char(133)";
    env.sql(&format!(
        "UPDATE keys SET name = {evil}, revoke_reason = {evil}; UPDATE orgs SET name = {evil}"
    ));
    let id = env.keys()[0]["id"].as_str().unwrap().to_owned();
    for args in [
        vec!["--json", "list"],
        vec!["--json", "show", &id],
        vec!["--json", "org", "list"],
        vec!["--json", "org", "show"],
        vec!["--json", "verify", &key],
        vec!["--json", "revoke", &id, "--yes"],
    ] {
        let out = env.command().args(&args).output().unwrap();
        assert_inert(&out, &format!("{args:?}"));
        // Escaping keeps the value: the JSON still decodes to the stored text.
        assert!(
            text(&out.stdout).contains("evil\\u009b31m\\u202ex\\u0085"),
            "{args:?}: {}",
            text(&out.stdout)
        );
    }
}

const ARG_MAX_STRLEN: usize = 128 * 1024;

#[test]
fn arguments_at_the_kernel_limit_get_clear_errors() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("Deploy");
    let before = snapshot(&env);
    // The kernel refuses one byte more: that is the largest argument anyone can pass.
    let over = "x".repeat(ARG_MAX_STRLEN);
    let refused = command(&env, &[])
        .arg(&over)
        .output()
        .expect_err("exec refuses a 128 KiB argument");
    assert_eq!(refused.raw_os_error(), Some(7), "E2BIG: {refused}");
    let big = "x".repeat(ARG_MAX_STRLEN - 1);
    let digits = format!("{}d", "9".repeat(ARG_MAX_STRLEN - 2));
    let path = format!("/tmp/{}", "d".repeat(ARG_MAX_STRLEN - 6));
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (
            vec!["generate", "--name", &big],
            2,
            "131071 characters long",
        ),
        (
            vec!["generate", "--name", "CI", "--expires", &digits],
            2,
            "more than 10 years away",
        ),
        (
            vec!["revoke", "Deploy", "--yes", "--reason", &big],
            2,
            "characters long",
        ),
        (vec!["revoke", &big, "--yes"], 1, "no key matches"),
        (vec!["show", &big], 1, "no key matches"),
        (vec!["verify", &big], 1, "(MALFORMED)"),
        (
            vec!["org", "create", &big, "--plan", "pro"],
            2,
            "invalid organization slug",
        ),
        (
            vec!["org", "create", "beta", "--plan", "pro", "--name", &big],
            2,
            "characters long",
        ),
        (vec!["--org", &big, "list"], 1, "no organization"),
        (vec!["--db", &path, "list"], 3, "File name too long"),
        // 1 MiB of argv in all, over eight arguments.
        (
            vec![
                "generate", "--name", "CI", &big, &big, &big, &big, &big, &big, &big, &big,
            ],
            2,
            "unexpected argument",
        ),
    ];
    let mut tried = 0;
    for (args, code, message) in cases {
        let out = command(&env, &[]).args(&args).output().unwrap();
        let what = format!(
            "{:?}",
            args.iter()
                .map(|a| &a[..a.len().min(20)])
                .collect::<Vec<_>>()
        );
        assert_eq!(
            out.status.code(),
            Some(code),
            "{what}: {}",
            &text(&out.stderr)[..300.min(out.stderr.len())]
        );
        assert!(
            text(&out.stderr).contains(message),
            "{what}: {}",
            &text(&out.stderr)[..300.min(out.stderr.len())]
        );
        assert_no_panic(&out, &what);
        tried += 1;
    }
    // An environment string counts its `NAME=` against the same 128 KiB.
    let token = &big["SEENTY_TOKEN=".len()..];
    let out = command(&env, &[])
        .env("SEENTY_TOKEN", token)
        .arg("verify")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("(MALFORMED)"));
    // 1 MiB on stdin: read up to a bound, then rejected.
    let mib = vec![b'k'; 1 << 20];
    let mut keyed = key.clone().into_bytes();
    keyed.extend(&mib);
    for (args, input) in [
        (vec!["verify", "-"], &mib),
        (vec!["verify"], &keyed),
        (vec!["revoke", "-", "--yes"], &mib),
        (vec!["show", "-"], &keyed),
    ] {
        let mut cmd = command(&env, &[]);
        cmd.args(&args);
        let out = with_stdin(cmd, input);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains("36 characters"),
            "{args:?}: {}",
            text(&out.stderr)
        );
        tried += 1;
    }
    assert_eq!(snapshot(&env), before, "nothing stored");
    env.run(&["verify", "--no-touch", &key]).status(0);
    println!(
        "{} arguments of 128 KiB - 1 and 4 inputs of 1 MiB refused cleanly",
        tried + 1
    );
}

#[test]
fn invalid_utf8_in_argv_environment_and_stdin() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("Deploy");
    let bad = OsStr::from_bytes(b"CI \xff\xfe job");
    let argvs: Vec<Vec<&OsStr>> = [
        &["generate", "--name", "@"][..],
        &["generate", "--name", "CI", "--expires", "@"],
        &["revoke", "@", "--yes"],
        &["revoke", "Deploy", "--yes", "--reason", "@"],
        &["show", "@"],
        &["list", "--status", "@"],
        &["org", "create", "@", "--plan", "pro"],
        &["org", "create", "beta", "--plan", "pro", "--name", "@"],
        &["org", "create", "beta", "--plan", "@"],
        &["org", "use", "@"],
        &["org", "show", "@"],
        &["org", "set-plan", "@"],
        &["--org", "@", "list"],
        &["--db", "@", "list"],
        &["--color", "@", "list"],
    ]
    .iter()
    .map(|args| {
        args.iter()
            .map(|a| if *a == "@" { bad } else { OsStr::new(a) })
            .collect()
    })
    .collect();
    for args in &argvs {
        let out = command(&env, &[]).args(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        // clap says so, or (for a fixed set of values) shows the value it could not match.
        assert!(
            text(&out.stderr).contains("invalid UTF-8")
                || text(&out.stderr).contains("invalid value 'CI \u{fffd}\u{fffd} job'"),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert_inert(&out, &format!("{args:?}"));
    }
    // The key argument is taken as bytes: invalid UTF-8 is just a malformed key.
    let out = command(&env, &[])
        .arg("verify")
        .arg(OsStr::from_bytes(b"sk_live_\xff\xfe"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("(MALFORMED)"));
    for (var, code) in [
        ("SEENTY_KEYS_DB", 2),
        ("SEENTY_ORG", 2),
        ("SEENTY_TOKEN", 1),
    ] {
        let out = command(&env, &[])
            .env(var, bad)
            .arg("verify")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{var}: {}",
            text(&out.stderr)
        );
        assert_no_panic(&out, var);
    }
    // A user name from the environment is not what the audit trail records.
    command(&env, &[])
        .env("USER", bad)
        .args(["revoke", "Deploy", "--yes"])
        .output()
        .unwrap();
    if !env.is_postgres() {
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        let actor: String = conn
            .query_row(
                "SELECT actor FROM events ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(actor, env.actor());
    }
    // Standard input.
    for args in [
        &["verify", "-"][..],
        &["revoke", "-", "--yes"],
        &["show", "-"],
    ] {
        let mut cmd = command(&env, &[]);
        cmd.args(args);
        let out = with_stdin(cmd, b"sk_live_\xff\xfe\xfd\n");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_inert(&out, &format!("{args:?}"));
    }
    assert_eq!(env.keys().len(), 1, "nothing stored");
    env.run(&["verify", &key]).status(1).stderr_has("(REVOKED)");
    // A non-UTF-8 home directory still holds a default store.
    let home = env.dir.path().join(OsStr::from_bytes(b"h\xffme"));
    let out = command(&env, &[])
        .env_remove("SEENTY_KEYS_DB")
        .env("HOME", &home)
        .args(["init", "--org", "acme", "--plan", "pro"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(home.join(".local/share/seenty-keys/keys.db").is_file());
}

#[test]
fn sql_metacharacters_are_stored_and_matched_literally() {
    let env = TestEnv::with_org("acme", "enterprise");
    let names = [
        "'; DROP TABLE keys; --",
        "Robert'); DROP TABLE orgs;--",
        "\" OR 1=1 --",
        "' OR '1'='1",
        "%",
        "_",
        "%%",
        "a%",
        "*",
        "\\",
        "?1",
        ":now",
        "@org",
        "$1",
        "key_%",
        "x'); UPDATE keys SET revoked_at = NULL; --",
        "/* comment */",
        "NULL",
        "0x00",
    ];
    let mut ids = Vec::new();
    for name in names {
        env.run(&["generate", "--name", name]).status(0);
        ids.push(env.key_named(name)["id"].as_str().unwrap().to_owned());
    }
    for (name, id) in names.iter().zip(&ids) {
        let shown = env.run(&["--json", "show", name]).status(0).json();
        assert_eq!(shown["id"], id.as_str(), "{name} matched another key");
        assert_eq!(shown["name"], *name);
    }
    // References that match nothing literally match nothing.
    for reference in [
        "key_' OR '1'='1",
        "key_%25",
        "' OR 1=1 --",
        "%'--",
        "_%",
        "Robert",
    ] {
        env.run(&["show", reference])
            .status(1)
            .stderr_has("no key matches");
        env.run(&["revoke", reference, "--yes"]).status(1);
    }
    env.run(&["--org", "acme' --", "list"])
        .status(1)
        .stderr_has("no organization");
    env.run(&["org", "create", "x'--", "--plan", "pro"])
        .status(2)
        .stderr_has("invalid organization slug");
    env.run(&[
        "org",
        "create",
        "beta",
        "--plan",
        "pro",
        "--name",
        "Beta'); DROP TABLE keys;--",
    ])
    .status(0);
    env.run(&["--json", "org", "show", "beta"])
        .status(0)
        .stdout_has("Beta'); DROP TABLE keys;--");
    // Revoking "%" revokes that key and no other.
    env.run(&[
        "revoke",
        "%",
        "--yes",
        "--reason",
        "'; DELETE FROM events; --",
    ])
    .status(0);
    let revoked: Vec<_> = env
        .keys()
        .into_iter()
        .filter(|k| k["status"] == "Revoked")
        .collect();
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0]["name"], "%");
    assert_eq!(env.keys().len(), names.len());
    let shown = env.run(&["--json", "show", "%"]).status(0).json();
    let reason = shown["revoke_reason"].as_str().unwrap();
    assert_eq!(reason, "'; DELETE FROM events; --");
    println!(
        "{} SQL-looking names and {} references handled literally",
        names.len(),
        6 + 3
    );
}
