//! Promises that hold at the edges: a secret never
//! becomes text, the store's files are trusted and private as a whole, the audit log
//! records who really acted, and command-line text reaches the terminal escaped.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Run, TestEnv, contains, is_root, mode, needs_root, sqlite_only, store_files};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use seenty_keys::domain::key::{PREFIX, checksum};

const REASON: &str = "the store file's owner and mode";

/// A valid key (its checksum holds) around 22 given random characters.
fn key_of(random: &str) -> String {
    let mut key = format!("{PREFIX}{random}");
    let sum = checksum(key.as_bytes());
    key.push_str(std::str::from_utf8(&sum).unwrap());
    key
}

/// Fails when the key's 22 random characters appear in any output of `run`.
fn assert_hidden(what: &str, run: &Run, key: &str) {
    let random = &key[PREFIX.len()..PREFIX.len() + 22];
    for (stream, bytes) in [("stdout", &run.0.stdout), ("stderr", &run.0.stderr)] {
        assert!(
            !contains(bytes, random.as_bytes()),
            "{what}: the key is on {stream}:\n{}",
            String::from_utf8_lossy(bytes)
        );
    }
}

fn all_output(run: &Run) -> String {
    format!("{}{}", run.stdout(), run.stderr())
}

#[test]
fn a_key_quoted_in_any_argument_shows_as_its_hint() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("Deploy");
    let hint = format!("{PREFIX}…{}", &key[key.len() - 4..]);
    let mut cases: Vec<Vec<String>> = [
        format!("Bearer {key}"),
        format!("SEENTY_TOKEN={key}"),
        format!("`{key}`"),
        format!("\u{200b}{key}"),
        format!("\u{feff}{key}"),
        format!("x{key}"),
    ]
    .into_iter()
    .map(|text| vec!["show".to_owned(), text])
    .collect();
    let quoted: [&[&str]; 4] = [
        &["generate", "--name", "n", "--expires", &key],
        &["rotate", "Deploy", "--grace", &key, "--yes"],
        &["--org", &key, "list"],
        &["scan", &format!("x{key}")],
    ];
    cases.extend(quoted.map(|args| args.iter().map(|s| s.to_string()).collect()));
    for args in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = env.run(&args);
        assert_hidden(&format!("{args:?}"), &run, &key);
        let out = all_output(&run);
        assert!(
            out.contains(&hint) || out.contains("looks like an API key"),
            "{args:?}: {}",
            all_output(&run)
        );
    }
    // Before a store is open: `init`'s slug, and a server address, quoted in errors.
    let fresh = TestEnv::new_sqlite();
    let run = fresh.run(&["init", "--org", &format!("x{key}"), "--plan", "pro"]);
    let run = run.status(2).stderr_has("looks like an API key");
    assert_hidden("init --org x$K", &run, &key);
    let url = format!("postgres://{key}@127.0.0.1:1/keys");
    let run = fresh.run(&["--db", &url, "list"]).status(3);
    assert_hidden("--db postgres://$K@…", &run, &key);
    assert!(run.stderr().contains(&hint), "{}", run.stderr());
    // clap's own parse errors.
    let run = env.run(&["list", &key]).status(2);
    assert_hidden("an unexpected argument", &run, &key);
}

#[test]
fn a_key_is_refused_as_a_name_a_reason_or_an_organization() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("Deploy");
    let refused: [&[&str]; 5] = [
        &["generate", "--name", &key],
        &["generate", "--name", &format!("CI {key}")],
        &[
            "revoke",
            "Deploy",
            "--yes",
            "--reason",
            &format!("found in build log: {key}"),
        ],
        &[
            "org",
            "create",
            "beta",
            "--plan",
            "pro",
            "--name",
            &format!("x{key}"),
        ],
        &["org", "create", &key, "--plan", "pro"],
    ];
    for args in refused {
        let run = env.run(args).status(2).stderr_has("looks like an API key");
        assert_hidden(&format!("{args:?}"), &run, &key);
    }
    // Nothing of it was stored: not in show, log, export, nor the store's bytes.
    for args in [
        &["show", "Deploy"][..],
        &["log"],
        &["export"],
        &["--json", "list"],
    ] {
        assert_hidden(&format!("{args:?}"), &env.run(args).status(0), &key);
    }
    let random = &key.as_bytes()[PREFIX.len()..PREFIX.len() + 22];
    if env.is_postgres() {
        assert!(
            !contains(&env.snapshot(), random),
            "the database holds the key"
        );
    } else {
        for (path, bytes) in store_files(&env.db) {
            assert!(
                !contains(&bytes, random),
                "{} holds the key",
                path.display()
            );
        }
    }
}

/// Text pieces to put around a key: printable ASCII, invisible and format characters,
/// prefixes people paste, and parts of the prefix itself.
fn around() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[ -~]{0,3}",
        "[^\u{0}]{1,2}",
        prop::sample::select(vec![
            "\u{200b}",
            "\u{feff}",
            "\u{2060}",
            "\u{200d}",
            "\u{ad}",
            "\u{200e}",
            "\u{202e}",
            "\u{e0041}",
            "\u{3164}",
            "\n",
            "\t",
            "\u{1b}[31m",
            "`",
            "\"",
            "'",
            "Bearer ",
            "SEENTY_TOKEN=",
            "sk_live_",
            "sk_live_ab",
            "sk",
            "x",
            "0",
            "_live_",
        ])
        .prop_map(str::to_owned),
    ];
    prop::collection::vec(piece, 0..4).prop_map(|pieces| pieces.concat())
}

#[test]
fn no_command_shows_a_key_whatever_text_surrounds_it() {
    let env = TestEnv::with_org("acme", "pro");
    env.generate("Deploy");
    let mut runner = TestRunner::new(Config {
        cases: 32,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (around(), "[0-9A-Za-z]{22}", around());
    runner
        .run(&strategy, |(before, random, after)| {
            let key = key_of(&random);
            let text = format!("{before}{key}{after}");
            let commands: [&[&str]; 6] = [
                &["show", &text],
                &["revoke", "Deploy", "--yes", "--reason", &text],
                &["generate", "--name", &text],
                &["--org", &text, "list"],
                &["generate", "--name", "CI", "--expires", &text],
                &["rotate", "Deploy", "--grace", &text, "--yes"],
            ];
            for args in commands {
                let run = env.run(args);
                let random_shown = contains(&run.0.stdout, random.as_bytes())
                    || contains(&run.0.stderr, random.as_bytes());
                prop_assert!(
                    !random_shown,
                    "{args:?}\nstdout: {}\nstderr: {}",
                    run.stdout(),
                    run.stderr()
                );
                // A key may never be stored as a name or reason.
                if args[0] == "revoke" || args[1] == "--name" && args.len() == 3 {
                    prop_assert_eq!(run.0.status.code(), Some(2), "{:?}: {}", args, run.stderr());
                }
            }
            Ok(())
        })
        .unwrap();
}

// ---- item 6: the store's files

fn companions(db: &Path) -> [PathBuf; 2] {
    ["-wal", "-shm"].map(|suffix| PathBuf::from(format!("{}{suffix}", db.display())))
}

/// `umask 022; touch keys.db; init`: the fix printed covers the -wal and -shm, and
/// after `chmod 600 keys.db` alone they follow it.
#[test]
fn the_companion_files_follow_the_store_files_mode() {
    if sqlite_only(REASON) {
        return;
    }
    let env = TestEnv::new();
    std::fs::create_dir_all(env.db.parent().unwrap()).unwrap();
    std::fs::write(&env.db, b"").unwrap();
    std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let run = env
        .run(&["init", "--org", "acme", "--plan", "pro"])
        .status(0);
    let [wal, shm] = companions(&env.db);
    let fix = format!(
        "chmod 600 '{}' '{}' '{}'",
        env.db.display(),
        wal.display(),
        shm.display()
    );
    run.stderr_has(&fix);
    std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(0o600)).unwrap();
    env.generate("Deploy");
    for path in [&wal, &shm] {
        assert_eq!(mode(path), 0o600, "{}", path.display());
    }
    env.run(&["list"]).status(0).stderr_is("");
}

/// Another account's file in a shared directory is not trusted, as `ssh` would not.
#[test]
fn a_store_owned_by_another_user_is_refused() {
    if sqlite_only(REASON) {
        return;
    }
    if !needs_root("giving a file to another user") {
        return;
    }
    let nobody = 65534;
    // Pre-created, empty and writable by all, before `init`.
    let env = TestEnv::new();
    std::fs::create_dir_all(env.db.parent().unwrap()).unwrap();
    std::fs::write(&env.db, b"").unwrap();
    std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(0o666)).unwrap();
    std::os::unix::fs::chown(&env.db, Some(nobody), Some(nobody)).unwrap();
    env.run(&["init", "--org", "acme", "--plan", "pro"])
        .status(3)
        .stderr_has("owned by another user");
    for path in companions(&env.db) {
        assert!(!path.exists(), "{} was created", path.display());
    }
    // A working store given away: refused, and not changed.
    let env = TestEnv::with_org("acme", "pro");
    env.generate("Deploy");
    let before = store_files(&env.db);
    for (path, _) in &before {
        std::os::unix::fs::chown(path, Some(nobody), Some(nobody)).unwrap();
    }
    env.run(&["list"])
        .status(3)
        .stderr_has("owned by another user");
    env.run(&["generate", "--name", "CI"]).status(3);
    assert_eq!(store_files(&env.db), before);
    // Root's own files stay trusted, and companions are given the file's owner.
    std::os::unix::fs::chown(&env.db, Some(0), Some(0)).unwrap();
    env.run(&["list"]).status(0);
    for path in companions(&env.db) {
        assert_eq!(
            std::fs::metadata(&path).unwrap().uid(),
            0,
            "{}",
            path.display()
        );
    }
}

/// `init --db /dev/null` as root left a `/dev/null-journal`: a device (here a copy of
/// /dev/null's) is refused before anything is created beside it.
#[test]
fn a_store_path_that_is_not_a_regular_file_is_refused() {
    if sqlite_only(REASON) {
        return;
    }
    let env = TestEnv::new();
    let dir = env.path("devices");
    std::fs::create_dir(&dir).unwrap();
    let mut paths = vec![dir.join("sub")];
    std::fs::create_dir(&paths[0]).unwrap();
    if needs_root("the device case (mknod)") {
        let null = dir.join("null");
        let made = Command::new("mknod")
            .args([null.to_str().unwrap(), "c", "1", "3"])
            .status()
            .unwrap();
        assert!(made.success());
        paths.push(null);
    }
    for path in &paths {
        let db = path.to_str().unwrap();
        env.run(&["--db", db, "init", "--org", "acme", "--plan", "pro"])
            .status(3)
            .stderr_has("not a regular file");
        env.run(&["--db", db, "list"]).status(3);
    }
    let mut left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    let mut expected = vec!["sub".to_owned()];
    if is_root() {
        expected.insert(0, "null".to_owned());
    }
    assert_eq!(left, expected, "nothing is created beside the path");
}

// ---- item 9: the actor

#[test]
fn the_actor_is_the_real_users_account_not_user() {
    let env = TestEnv::with_org("acme", "pro");
    let deploy = env.generate("Deploy");
    env.generate("CI");
    let long = "x".repeat(100 * 1024);
    for (user, key) in [("security-team", "Deploy"), (long.as_str(), "CI")] {
        let run = env
            .command()
            .env("USER", user)
            .env("LOGNAME", user)
            .args(["revoke", key, "--yes"])
            .output()
            .unwrap();
        Run(run).status(0);
    }
    // An attempt to use the revoked key is an audit event too, recorded by `verify`.
    env.run(&["verify", &deploy]).status(1);
    let expected = env.actor();
    let log = env.run(&["--json", "log"]).status(0).json();
    let events = log.as_array().expect("log --json is an array");
    assert!(
        events.iter().any(|e| e["kind"] == "revoked_key_used"),
        "{log}"
    );
    for event in events {
        assert_eq!(event["actor"], expected.as_str(), "{event}");
    }
}

// ---- item 10: command-line text reaches the terminal escaped

#[test]
fn paths_are_escaped_wherever_they_are_printed() {
    let env = TestEnv::new_sqlite();
    let dir = env.path("a\u{1b}]0;PWNED\u{7}\u{1b}[31m\nb");
    let db = dir.join("keys.db");
    let db = db.to_str().unwrap();
    let assert_escaped = |what: &str, run: &Run| {
        for text in [run.stdout(), run.stderr()] {
            for line in text.lines() {
                assert!(
                    !line.contains('\u{1b}') && !line.contains('\u{7}'),
                    "{what}: raw control characters: {line:?}"
                );
                // The path never spans two lines.
                assert!(!line.starts_with("b/keys.db"), "{what}: {text:?}");
            }
        }
    };
    // An error quoting it.
    let run = env.run(&["--db", db, "list"]).status(3);
    let run = run.stderr_has("\\u{1b}]0;PWNED\\u{7}\\u{1b}[31m\\nb");
    assert_escaped("no store", &run);
    // `init` printing it, and the permission warning about it.
    let run = env
        .run(&["--db", db, "init", "--org", "acme", "--plan", "pro"])
        .status(0);
    let run = run.stdout_has("\\u{1b}]0;PWNED");
    assert_escaped("init", &run);
    std::fs::set_permissions(Path::new(db), std::fs::Permissions::from_mode(0o644)).unwrap();
    let run = env.run(&["--db", db, "list"]).status(0);
    assert_escaped("the permission warning", &run);
    // Its fix still works when pasted into a shell, as printed.
    let line = run.stderr();
    let fix = line.split_once("fix it: ").expect("a fix").1.trim_end();
    let done = Command::new("bash").args(["-c", fix]).output().unwrap();
    assert!(done.status.success(), "{fix}: {:?}", done);
    assert_eq!(mode(Path::new(db)), 0o600, "{fix}");
    env.run(&["--db", db, "list"]).status(0).stderr_is("");
}
