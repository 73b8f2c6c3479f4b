//! The store file under stress: locked by another process past the timeout, truncated,
//! with bytes flipped in the middle of its pages, written by a newer version. Each is
//! exit 3 with a clear message, never a hang, a panic or a change to the file.

use std::fs;
use std::process::Output;
use std::thread;
use std::time::Duration;

use crate::common::{
    TestEnv, audit,
    process::{bounded, command, text},
    sqlite_only, store_files,
};

const REASON: &str = "locks, damage and versions of the SQLite file";

/// The last line that starts with `error: ` (warnings may come first).
fn error_line(out: &Output) -> String {
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_else(|| panic!("no error line: {stderr:?}"))
        .to_owned()
}

const WRITES: [&[&str]; 5] = [
    &["generate", "--name", "Locked out"],
    &["revoke", "Deploy", "--yes"],
    &["org", "set-plan", "ultra", "--yes"],
    &["org", "create", "beta", "--plan", "pro"],
    &["org", "use", "acme"],
];

fn stocked() -> (TestEnv, String) {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("Deploy");
    env.generate("Backup job");
    (env, key)
}

/// Runs each command in its own thread (each waits out the busy timeout) and returns
/// the outputs in order.
fn all_at_once(env: &TestEnv, commands: &[&[&str]]) -> Vec<Output> {
    thread::scope(|s| {
        let handles: Vec<_> = commands
            .iter()
            .map(|args| s.spawn(move || bounded(command(env, args), Duration::from_secs(60))))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn a_writer_holding_the_lock_past_the_timeout_is_exit_3_not_a_hang() {
    if sqlite_only(REASON) {
        return;
    }
    let (env, key) = stocked();
    let before = env.run(&["--json", "list"]).status(0).stdout();
    let holder = rusqlite::Connection::open(&env.db).unwrap();
    holder
        .execute_batch("BEGIN EXCLUSIVE; UPDATE orgs SET name = 'held';")
        .unwrap();
    // WAL: readers go on while a writer holds the lock; writers give up after the timeout.
    let reads: [&[&str]; 4] = [
        &["list"],
        &["show", "Deploy"],
        &["org", "list"],
        &["verify", "--no-touch", &key],
    ];
    let commands: Vec<&[&str]> = WRITES.iter().chain(reads.iter()).copied().collect();
    let outputs = all_at_once(&env, &commands);
    for (args, out) in commands.iter().zip(&outputs) {
        if reads.contains(args) {
            assert_eq!(
                out.status.code(),
                Some(0),
                "{args:?} reads through the lock: {}",
                text(&out.stderr)
            );
            continue;
        }
        assert_eq!(
            out.status.code(),
            Some(3),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out.stdout));
        let error = error_line(out);
        assert!(
            error.contains("locked by another process"),
            "{args:?}: {error}"
        );
        assert!(
            text(&out.stderr).contains("try again"),
            "{args:?}: the hint"
        );
    }
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    assert_eq!(
        env.run(&["--json", "list"]).status(0).stdout(),
        before,
        "no half-done change"
    );
    for args in WRITES {
        env.run(args).status(0);
    }
    audit::replay(&env.db);
}

#[test]
fn an_exclusive_lock_on_the_file_is_exit_3_for_readers_too() {
    if sqlite_only(REASON) {
        return;
    }
    let (env, key) = stocked();
    let holder = rusqlite::Connection::open(&env.db).unwrap();
    holder
        .execute_batch(
            "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; UPDATE orgs SET name = 'held';",
        )
        .unwrap();
    let commands: [&[&str]; 4] = [
        &["list"],
        &["verify", &key],
        &["generate", "--name", "Locked out"],
        &["plans"],
    ];
    for (args, out) in commands.iter().zip(all_at_once(&env, &commands)) {
        assert_eq!(
            out.status.code(),
            Some(3),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            error_line(&out).contains("locked"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    env.run(&["verify", &key]).status(0);
    audit::replay(&env.db);
}

#[test]
fn a_short_lock_is_waited_out() {
    if sqlite_only(REASON) {
        return;
    }
    let (env, _) = stocked();
    let holder = rusqlite::Connection::open(&env.db).unwrap();
    holder
        .execute_batch("BEGIN EXCLUSIVE; UPDATE orgs SET name = 'held';")
        .unwrap();
    // Started while the lock is held; the lock goes away well within the busy timeout.
    let children: Vec<_> = WRITES
        .iter()
        .map(|args| command(&env, args).spawn().unwrap())
        .collect();
    thread::sleep(Duration::from_millis(800));
    holder.execute_batch("COMMIT").unwrap();
    for (args, child) in WRITES.iter().zip(children) {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    assert_eq!(env.keys().len(), 3);
}

#[test]
fn a_truncated_store_is_exit_3_and_left_as_it_was() {
    if sqlite_only(REASON) {
        return;
    }
    let (env, key) = stocked();
    env.run(&["org", "set-plan", "enterprise", "--yes"])
        .status(0);
    for i in 0..30 {
        env.generate(&format!(
            "Filler key number {i} with a name long enough to need pages"
        ));
    }
    // Everything in the main file, no -wal or -shm: the truncation loses pages that
    // are nowhere else.
    audit::settle(&env.db);
    let good = fs::read(&env.db).unwrap();
    let commands: [&[&str]; 7] = [
        &["list"],
        &["show", "Deploy"],
        &["verify", &key],
        &["generate", "--name", "On a truncated store"],
        &["revoke", "Deploy", "--yes"],
        &["org", "list"],
        &["--json", "list"],
    ];
    let mut runs = 0;
    for len in [0, 1, 99, 100, 4096, 8192, good.len() / 2, good.len() - 4096] {
        replace_store(&env.db, &good[..len]);
        for args in commands {
            let out = bounded(command(&env, args), Duration::from_secs(30));
            runs += 1;
            assert_eq!(
                out.status.code(),
                Some(3),
                "{args:?} on {len} bytes: {}",
                text(&out.stderr)
            );
            let error = error_line(&out);
            // SQLite reads an empty or one-byte file as a new, empty database.
            let expected = if len <= 1 {
                "not initialized"
            } else {
                "damaged"
            };
            assert!(error.contains(expected), "{len} bytes, {args:?}: {error}");
            assert!(out.stdout.is_empty(), "{args:?}");
        }
        assert_eq!(
            fs::read(&env.db).unwrap(),
            &good[..len],
            "a truncated store is left as it was"
        );
    }
    println!("{runs} runs on truncated stores");
    replace_store(&env.db, &good);
    env.run(&["verify", &key]).status(0);
}

/// Puts `bytes` in place of the store, with no -wal or -shm beside it.
fn replace_store(db: &std::path::Path, bytes: &[u8]) {
    for suffix in ["-wal", "-shm"] {
        let _ = fs::remove_file(format!("{}{suffix}", db.display()));
    }
    fs::write(db, bytes).unwrap();
}

/// A small deterministic generator for byte positions.
fn positions(seed: u64) -> impl FnMut(usize) -> usize {
    let mut state = seed | 1;
    move |n| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    }
}

#[test]
fn bytes_flipped_in_the_middle_of_pages_never_panic_or_misreport() {
    if sqlite_only(REASON) {
        return;
    }
    let (env, key) = stocked();
    env.run(&["org", "set-plan", "enterprise", "--yes"])
        .status(0);
    for i in 0..30 {
        env.generate(&format!(
            "Filler key number {i} with a name long enough to need pages"
        ));
        if i % 3 == 0 {
            env.run(&[
                "revoke",
                &format!("Filler key number {i} with a name long enough to need pages"),
                "--yes",
                "--reason",
                "rotation drill",
            ])
            .status(0);
        }
    }
    audit::settle(&env.db);
    let good = fs::read(&env.db).unwrap();
    let pages = good.len() / 4096;
    let commands: [&[&str]; 7] = [
        &["list"],
        &["show", "Deploy"],
        &["verify", &key],
        &["generate", "--name", "On a damaged store"],
        &["revoke", "Backup job", "--yes"],
        &["org", "list"],
        &["--json", "list"],
    ];
    let (mut runs, mut flips, mut detected) = (0, 0, 0);
    for seed in 1..=24u64 {
        let mut pick = positions(seed);
        let mut bad = good.clone();
        // Four bytes in the middle half of every page but the first (the header).
        for page in 1..pages {
            for _ in 0..4 {
                bad[page * 4096 + 1024 + pick(2048)] ^= 0xff;
                flips += 1;
            }
        }
        replace_store(&env.db, &bad);
        for args in commands {
            let out = bounded(command(&env, args), Duration::from_secs(30));
            runs += 1;
            let code = out.status.code();
            assert!(
                matches!(code, Some(0 | 1 | 3)),
                "seed {seed} {args:?}: exit {code:?}: {}",
                text(&out.stderr)
            );
            if code == Some(3) {
                detected += 1;
                let error = error_line(&out);
                assert!(
                    error.starts_with("error: store: "),
                    "seed {seed} {args:?}: {error}"
                );
            }
        }
    }
    println!("{flips} bytes flipped over 24 copies, {runs} runs, {detected} refused with exit 3");
    assert!(
        detected > 0,
        "the flips were never noticed: the test is not testing"
    );
    replace_store(&env.db, &good);
    env.run(&["verify", &key]).status(0);
}

#[test]
fn undecodable_rows_are_reported_as_damage() {
    if sqlite_only(REASON) {
        return;
    }
    for sql in [
        "UPDATE keys SET name = CAST(x'4b65ff79' AS TEXT) WHERE name = 'Deploy'",
        "UPDATE keys SET expires_at = 9223372036854775807 WHERE name = 'Deploy'",
        "UPDATE keys SET created_at = -9223372036854775808 WHERE name = 'Deploy'",
    ] {
        let (env, _) = stocked();
        env.sql(sql);
        for args in [&["list"][..], &["--json", "list"]] {
            let out = bounded(command(&env, args), Duration::from_secs(30));
            assert_eq!(out.status.code(), Some(3), "{sql}");
            let stderr = text(&out.stderr);
            assert!(
                stderr.contains("damaged") && stderr.contains("backup"),
                "{sql}: {stderr}"
            );
        }
    }
}

#[test]
fn a_store_from_a_newer_version_is_refused_by_every_command_and_untouched() {
    if sqlite_only(REASON) {
        return;
    }
    let (env, key) = stocked();
    env.sql("PRAGMA user_version = 99");
    audit::settle(&env.db);
    let before = fs::read(&env.db).unwrap();
    let modified = fs::metadata(&env.db).unwrap().modified().unwrap();
    let commands: [&[&str]; 13] = [
        &["list"],
        &["show", "Deploy"],
        &["verify", &key],
        &["generate", "--name", "From the past"],
        &["revoke", "Deploy", "--yes"],
        &["org", "list"],
        &["org", "show"],
        &["org", "create", "beta", "--plan", "pro"],
        &["org", "set-plan", "ultra", "--yes"],
        &["org", "use", "acme"],
        &["plans"],
        &["init", "--org", "other", "--plan", "pro"],
        &["--json", "list"],
    ];
    for args in commands {
        let out = bounded(command(&env, args), Duration::from_secs(30));
        assert_eq!(
            out.status.code(),
            Some(3),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(error_line(&out).contains("schema version 99"), "{args:?}");
        assert!(
            text(&out.stderr).contains("upgrade seenty-keys"),
            "{args:?}: the hint"
        );
    }
    assert_eq!(
        fs::read(&env.db).unwrap(),
        before,
        "every byte of the store"
    );
    // Opening may create an empty -wal; nothing may be written to it.
    for (path, bytes) in store_files(&env.db) {
        if path.to_string_lossy().ends_with("-wal") {
            assert!(
                bytes.is_empty(),
                "{} frames written to the -wal",
                bytes.len()
            );
        }
    }
    assert_eq!(fs::metadata(&env.db).unwrap().modified().unwrap(), modified);
}
