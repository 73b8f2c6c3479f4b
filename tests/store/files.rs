//! The store: file creation modes, missing, garbage and newer-schema stores, and `init`.
//! Tests about the SQLite file itself skip on PostgreSQL; the rest run on both.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use crate::common::{BIN, TestEnv, mode, sqlite_only, tool_available};

#[test]
fn created_0600_in_a_0700_directory_whatever_the_umask() {
    if sqlite_only("file and directory modes of the SQLite file") {
        return;
    }
    for umask in ["000", "022", "077"] {
        let env = TestEnv::new();
        let db = env.path("a/b/keys.db");
        let out = Command::new("sh")
            .args([
                "-c",
                &format!("umask {umask}; exec \"$0\" --db \"$1\" init --org acme --plan pro"),
                BIN,
            ])
            .arg(&db)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(mode(&db), 0o600, "umask {umask}");
        assert_eq!(mode(&env.path("a/b")), 0o700, "umask {umask}");
        assert_eq!(mode(&env.path("a")), 0o700, "umask {umask}");
    }
}

#[test]
fn the_default_store_lives_under_xdg_data_home() {
    if sqlite_only("the default store is a SQLite file under XDG_DATA_HOME") {
        return;
    }
    let env = TestEnv::new();
    let data = env.path("xdg");
    env.command()
        .env_remove("SEENTY_KEYS_DB")
        .env("XDG_DATA_HOME", &data)
        .args(["init", "--org", "acme", "--plan", "pro"])
        .assert()
        .success();
    assert!(data.join("seenty-keys/keys.db").is_file());
    env.command()
        .env_remove("SEENTY_KEYS_DB")
        .args(["plans"])
        .assert()
        .code(3);
    env.command()
        .env_remove("SEENTY_KEYS_DB")
        .env("HOME", env.path("home"))
        .args(["init", "--org", "acme", "--plan", "pro"])
        .assert()
        .success();
    assert!(env.path("home/.local/share/seenty-keys/keys.db").is_file());
}

#[test]
fn a_store_others_can_read_gets_a_warning_with_the_fix() {
    if sqlite_only("the mode of the SQLite file") {
        return;
    }
    let env = TestEnv::with_org("acme", "pro");
    std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(0o644)).unwrap();
    env.run(&["list"])
        .status(0)
        .stderr_has("warning: ")
        .stderr_has("chmod 600");
}

#[test]
fn a_missing_store_exits_3_and_names_init() {
    let env = TestEnv::new();
    for args in [
        &["list"][..],
        &["generate", "--name", "CI"],
        &["org", "list"],
        &["plans"],
    ] {
        env.run(args)
            .status(3)
            .stderr_has("error: no store at")
            .stderr_has("seenty-keys init");
    }
    assert!(!env.store_exists(), "only init creates a store");
}

#[test]
fn a_garbage_or_empty_file_exits_3() {
    if sqlite_only("a garbage file is a SQLite matter") {
        return;
    }
    let env = TestEnv::new();
    std::fs::create_dir_all(env.db.parent().unwrap()).unwrap();
    std::fs::write(&env.db, b"this is not a database, just some text that is long enough to look like a header.....................................").unwrap();
    env.run(&["list"])
        .status(3)
        .stderr_has("not a seenty-keys store");
    std::fs::write(&env.db, b"").unwrap();
    env.run(&["list"]).status(3).stderr_has("not initialized");
}

#[test]
fn a_truncated_store_exits_3() {
    if sqlite_only("truncates the SQLite file") {
        return;
    }
    let env = TestEnv::with_org("acme", "pro");
    env.generate("CI");
    // The tool keeps its WAL between runs; fold it into the main file first, so the
    // truncation loses pages that are nowhere else.
    env.sql("PRAGMA wal_checkpoint(TRUNCATE)");
    let bytes = std::fs::read(&env.db).unwrap();
    std::fs::write(&env.db, &bytes[..1000]).unwrap();
    env.run(&["list"]).status(3).stderr_has("error: ");
}

#[test]
fn a_newer_schema_is_refused_untouched() {
    let env = TestEnv::with_org("acme", "pro");
    env.set_schema_version(99);
    let before = env.snapshot();
    env.run(&["list"]).status(3).stderr_has("schema version 99");
    env.run(&["generate", "--name", "CI"]).status(3);
    env.run(&["init", "--org", "other", "--plan", "pro"])
        .status(3)
        .stderr_has("schema version 99");
    assert_eq!(env.snapshot(), before);
}

#[test]
fn the_store_uses_wal() {
    if sqlite_only("SQLite's journal mode") {
        return;
    }
    let env = TestEnv::with_org("acme", "pro");
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

/// The WAL outlives each process (no checkpoint on close), but the tool truncates it once
/// it passes 256 KiB, because every new process reads all of it to rebuild its index.
#[test]
fn the_wal_is_kept_between_runs_and_truncated_past_its_limit() {
    if sqlite_only("SQLite's WAL file") {
        return;
    }
    const LIMIT: u64 = 256 << 10;
    let env = TestEnv::with_org("acme", "enterprise");
    let wal = env.db.with_file_name("keys.db-wal");
    let (mut kept, mut truncated, mut last) = (false, false, 0);
    // Each `generate` appends about 28 KiB (seven pages) to the WAL.
    for i in 0..30 {
        env.generate(&format!("CI {i}"));
        let size = std::fs::metadata(&wal).map_or(0, |m| m.len());
        assert!(size <= LIMIT, "the WAL was left at {size} bytes");
        kept |= size > 0;
        truncated |= size < last;
        last = size;
    }
    assert!(kept, "the WAL is kept between runs");
    assert!(truncated, "30 runs passed the limit at least once");
    assert_eq!(env.keys().len(), 30);
}

/// The files a run fsyncs, in order, as strace saw them.
fn synced_files(env: &TestEnv, args: &[&str]) -> Vec<String> {
    let trace = env.path("strace.out");
    let out = Command::new("strace")
        .args(["-f", "-e", "trace=openat,fsync,fdatasync", "-o"])
        .arg(&trace)
        .arg(BIN)
        .arg("--db")
        .arg(&env.db)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    let mut open = std::collections::HashMap::new();
    let mut synced = Vec::new();
    for line in std::fs::read_to_string(&trace).unwrap().lines() {
        let call = line
            .split_once(' ')
            .map_or(line, |(_, rest)| rest.trim_start());
        let result = call.rsplit_once("= ").map(|(_, r)| r.trim());
        if let Some(args) = call.strip_prefix("openat(AT_FDCWD, \"") {
            if let (Some((path, _)), Some(fd)) = (args.split_once('"'), result) {
                open.insert(fd.to_owned(), path.to_owned());
            }
        } else if let Some(args) = call
            .strip_prefix("fsync(")
            .or_else(|| call.strip_prefix("fdatasync("))
        {
            let fd = args.split_once(')').map_or(args, |(fd, _)| fd);
            synced.push(open.get(fd).cloned().unwrap_or_else(|| format!("fd {fd}")));
        }
    }
    synced
}

/// A lifecycle write costs one fsync, of the WAL. The store's directory is synced too
/// only when the WAL may be new (missing, or empty), and before anything is written.
#[test]
fn a_write_fsyncs_the_wal_once_and_the_directory_only_for_a_new_wal() {
    if sqlite_only("SQLite's files") || !tool_available("strace") {
        return;
    }
    let env = TestEnv::with_org("acme", "enterprise");
    env.generate("Warm");
    let dir = env.db.parent().unwrap().display().to_string();
    let wal = format!("{}-wal", env.db.display());
    assert_eq!(
        synced_files(&env, &["generate", "--name", "CI"]),
        std::slice::from_ref(&wal),
        "a WAL that holds frames"
    );
    for (case, empty) in [("missing", false), ("empty", true)] {
        // Another SQLite program that closes last checkpoints and deletes the WAL.
        env.sql("PRAGMA wal_checkpoint(TRUNCATE)");
        assert!(!std::path::Path::new(&wal).exists());
        if empty {
            std::fs::write(&wal, b"").unwrap();
        }
        let synced = synced_files(&env, &["generate", "--name", &format!("CI {case}")]);
        assert_eq!(synced.first(), Some(&dir), "a {case} WAL: {synced:?}");
        assert!(
            synced[1..].iter().all(|f| *f == wal),
            "a {case} WAL: then only the WAL: {synced:?}"
        );
    }
    assert_eq!(env.keys().len(), 4);
}

#[test]
fn init_twice_is_refused_and_init_needs_its_values_without_a_terminal() {
    let env = TestEnv::with_org("acme", "pro");
    env.run(&["init", "--org", "other", "--plan", "pro"])
        .status(1)
        .stderr_has("already exists")
        .stderr_has("org create");
    let fresh = TestEnv::new();
    fresh
        .run(&["init", "--plan", "pro"])
        .status(2)
        .stderr_has("--org");
    fresh
        .run(&["init", "--org", "acme"])
        .status(2)
        .stderr_has("--plan");
    fresh
        .run(&["init", "--org", "Not A Slug", "--plan", "pro"])
        .status(2)
        .stderr_has("invalid organization slug");
    fresh
        .run(&["init", "--org", "acme", "--plan", "gold"])
        .status(2);
    assert!(!fresh.store_exists());
}

#[test]
fn other_urls_are_not_taken_for_paths() {
    let env = TestEnv::new();
    let run = env
        .run(&["--db", "mysql://u:hunter2@localhost/db", "list"])
        .status(2)
        .stderr_has("unsupported store location")
        .stderr_has("mysql://u@localhost/db");
    assert!(!run.stderr().contains("hunter2"), "{}", run.stderr());
}

#[test]
fn an_unreachable_postgres_server_exits_3_without_the_password() {
    let env = TestEnv::new();
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    for url in [
        "postgres://ci:hunter2@127.0.0.1:1/keys",
        "postgresql://ci@127.0.0.1:1/keys?password=hunter2",
    ] {
        let run = env
            .run(&["--db", url, "list"])
            .status(3)
            .stderr_has("could not connect to postgres")
            .stderr_has("ci@127.0.0.1:1/keys")
            .stderr_has("database server is running");
        assert!(!run.stderr().contains("hunter2"), "{}", run.stderr());
    }
}

#[test]
fn keys_and_events_are_never_deleted() {
    let env = TestEnv::with_org("acme", "pro");
    env.generate("CI");
    for sql in [
        "DELETE FROM keys",
        "DELETE FROM orgs",
        "DELETE FROM events",
        "UPDATE events SET actor = 'x'",
    ] {
        let refused = env.try_sql(sql).expect_err(sql);
        assert!(
            refused.contains("never deleted") || refused.contains("append-only"),
            "{sql}: {refused}"
        );
    }
    if env.is_postgres() {
        for table in ["keys", "orgs", "events"] {
            let sql = format!("TRUNCATE {table} CASCADE");
            env.try_sql(&sql).expect_err(&sql);
        }
    }
    let events = env.query("SELECT kind, actor FROM events ORDER BY id");
    let some = |s: &str| Some(s.to_owned());
    let actor = env.actor();
    assert_eq!(
        events,
        [
            vec![some("org_created"), some(&actor)],
            vec![some("key_created"), some(&actor)]
        ]
    );
}
