//! Faults around the store: a full disk, a read-only file, directory or file system.
//! Each write fails with exit 3 and a clear message, never hangs, never half-writes, and
//! the store works again once the fault is gone. (Locks, damaged files and newer schemas
//! are in `reliability_store.rs`.)
//!
//! The full disk and the read-only file system need a tmpfs, so they run only as root
//! (CI is root) and print why they skip otherwise. File permissions do not bind root, so
//! as root the permission tests run the binary as `nobody` through `setpriv`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use crate::common::{
    BIN, TestEnv, audit, is_root, needs_root,
    process::{bounded, command, text},
    skip_unless_ci, sqlite_only, store_files,
};

const REASON: &str = "disk, permission and file system faults of the SQLite file";

/// Asserts a "could not run" failure: exit 3, one `error:` line, no panic.
fn assert_exit_3(out: &Output, what: &str) {
    let stderr = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{what}: stdout {:?} stderr {stderr}",
        text(&out.stdout)
    );
    assert!(stderr.starts_with("error: "), "{what}: {stderr}");
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
}

/// A tmpfs mounted over `dir` for the life of the guard.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Self> {
        if !needs_root("mounting a tmpfs") {
            return None;
        }
        fs::create_dir_all(dir).unwrap();
        let status = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(dir)
            .status();
        if !status.is_ok_and(|s| s.success()) {
            skip_unless_ci("mount -t tmpfs failed (no CAP_SYS_ADMIN in this container?)");
            return None;
        }
        Some(Self(dir.to_owned()))
    }

    fn remount(&self, option: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,{option}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(ok.success(), "remount {option}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
}

/// Writes zeros to `path` until the file system is full.
fn fill(path: &Path) {
    use std::io::Write;
    let mut file = fs::File::create(path).unwrap();
    let block = vec![0u8; 4096];
    loop {
        if let Err(e) = file.write_all(&block).and_then(|()| file.sync_all()) {
            assert_eq!(e.raw_os_error(), Some(28), "ENOSPC expected: {e}");
            break;
        }
    }
    // Whatever a partial block left: tmpfs allocates in pages, so fill byte by byte.
    while file.write_all(&[0]).and_then(|()| file.flush()).is_ok() {}
}

struct Stocked {
    keys: Vec<String>,
    revoked: String,
}

/// Three keys, one of them revoked.
fn stock(env: &TestEnv) -> Stocked {
    let keys: Vec<String> = (0..3)
        .map(|i| env.generate(&format!("Before the fault {i}")))
        .collect();
    env.run(&["revoke", "Before the fault 0", "--yes"])
        .status(0);
    Stocked {
        revoked: keys[0].clone(),
        keys,
    }
}

/// The store holds what it held before the fault, and takes writes again.
fn assert_survived(env: &TestEnv, stocked: &Stocked) {
    audit::replay(&env.db);
    env.run(&["verify", "--no-touch", &stocked.revoked])
        .status(1)
        .stderr_has("(REVOKED)");
    for key in &stocked.keys[1..] {
        env.run(&["verify", "--no-touch", key]).status(0);
    }
    let key = env.generate("After the fault");
    env.run(&["verify", &key]).status(0);
    env.run(&["revoke", "After the fault", "--yes"]).status(0);
    audit::replay(&env.db);
}

const WRITES: [&[&str]; 5] = [
    &["generate", "--name", "During the fault"],
    &["revoke", "Before the fault 1", "--yes"],
    &["org", "set-plan", "ultra", "--yes"],
    &["org", "create", "beta", "--plan", "pro"],
    &["org", "use", "acme"],
];

/// Runs every write on a full disk (with or without a live -wal to grow) and returns
/// the outputs, after checking the promises that already hold: a write either fails
/// with exit 3 and leaves no trace, or succeeds (it fit in pages the files already had)
/// and is kept.
fn full_disk(hold_wal: bool) -> Option<Vec<(String, Output)>> {
    let env = TestEnv::new();
    let disk = Tmpfs::mount(env.db.parent().unwrap(), "1m")?;
    env.run(&["init", "--org", "acme", "--plan", "pro"])
        .status(0);
    // A connection held open keeps the -wal (and what it holds) and the -shm.
    let holder = hold_wal.then(|| {
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        conn.query_row("SELECT count(*) FROM keys", [], |r| r.get::<_, i64>(0))
            .unwrap();
        conn
    });
    let stocked = stock(&env);
    if !hold_wal {
        // No -wal or -shm: the first write must create them.
        audit::settle(&env.db);
    }
    let filler = env.db.with_file_name("filler");
    fill(&filler);
    let mut outputs = Vec::new();
    for args in WRITES {
        let out = bounded(command(&env, args), Duration::from_secs(30));
        if out.status.code() != Some(0) {
            assert_exit_3(&out, &format!("{args:?} on a full disk"));
        }
        outputs.push((format!("{args:?}"), out));
    }
    assert_eq!(
        outputs[0].1.status.code(),
        Some(3),
        "generate needs new pages: the disk was not full"
    );
    fs::remove_file(&filler).unwrap();
    drop(holder);
    // Each write is there exactly when it exited 0.
    let ok = |i: usize| outputs[i].1.status.success();
    let printed = text(&outputs[0].1.stdout);
    if let Some(key) = printed
        .split_whitespace()
        .find(|w| w.starts_with("sk_live_"))
    {
        // A secret printed by a generate that failed must not work.
        env.run(&["verify", key])
            .status(1)
            .stderr_has("(NOT_FOUND)");
    }
    assert!(env.keys().iter().all(|k| k["name"] != "During the fault"));
    let revoked = env.key_named("Before the fault 1")["status"] == "Revoked";
    assert_eq!(revoked, ok(1), "revoke exited {:?}", outputs[1].1.status);
    let org = env.run(&["--json", "org", "show", "acme"]).status(0).json();
    assert_eq!(org["plan"] == "ultra", ok(2), "set-plan: {org}");
    let beta = env.run(&["org", "show", "beta"]).0.status.success();
    assert_eq!(beta, ok(3), "org create");
    let mut stocked = stocked;
    if ok(1) {
        stocked.keys.remove(1); // revoked by the write that fit
    }
    assert_survived(&env, &stocked);
    drop(disk);
    Some(outputs)
}

#[test]
fn a_full_disk_fails_with_exit_3_and_the_store_survives() {
    if sqlite_only(REASON) {
        return;
    }
    for hold_wal in [false, true] {
        if full_disk(hold_wal).is_none() {
            return;
        }
    }
}

#[test]
fn a_full_disk_says_the_disk_is_full() {
    if sqlite_only(REASON) {
        return;
    }
    let Some(outputs) = full_disk(false) else {
        return;
    };
    for (what, out) in outputs {
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("disk is full") && stderr.contains("free some disk space"),
            "{what}: {stderr}"
        );
    }
}

#[test]
fn a_generate_whose_commit_fails_does_not_leave_a_usable_looking_key() {
    if sqlite_only(REASON) {
        return;
    }
    let Some(outputs) = full_disk(true) else {
        return;
    };
    let (what, out) = &outputs[0];
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(
        stdout.is_empty() || stderr.to_lowercase().contains("not stored"),
        "{what}: exit 3 with a key on stdout {stdout:?} that was never stored, and stderr only says {stderr:?}"
    );
}

/// The binary, run as a user file permissions bind: `nobody` through `setpriv` when the
/// tests run as root (after handing the test directory to `nobody`), else ourselves.
fn unprivileged(env: &TestEnv, args: &[&str]) -> Option<Command> {
    if !is_root() {
        return Some(command(env, args));
    }
    let chown = Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(env.dir.path())
        .status();
    let probe = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            BIN,
            "--version",
        ])
        .output();
    if !chown.is_ok_and(|s| s.success()) || !probe.is_ok_and(|o| o.status.success()) {
        skip_unless_ci("cannot run the binary as nobody (setpriv, or a path nobody may not read)");
        return None;
    }
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN]);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", env.dir.path())
        .env("USER", "tester")
        .env("SEENTY_KEYS_DB", &env.db)
        .args(args);
    Some(cmd)
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

const READS: [&[&str]; 4] = [
    &["list"],
    &["show", "Before the fault 1"],
    &["org", "list"],
    &["plans"],
];

#[test]
fn a_read_only_store_file_serves_reads_and_refuses_writes_clearly() {
    if sqlite_only(REASON) {
        return;
    }
    let env = TestEnv::with_org("acme", "pro");
    let stocked = stock(&env);
    if unprivileged(&env, &["--version"]).is_none() {
        return;
    }
    chmod(&env.db, 0o400);
    let before = fs::read(&env.db).unwrap();
    for args in READS {
        let out = bounded(unprivileged(&env, args).unwrap(), Duration::from_secs(30));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    let verify = bounded(
        unprivileged(&env, &["verify", "--no-touch", &stocked.keys[1]]).unwrap(),
        Duration::from_secs(30),
    );
    assert_eq!(
        verify.status.code(),
        Some(0),
        "verify --no-touch reads only: {}",
        text(&verify.stderr)
    );
    // Recording last used is best effort: the verdict stands, with a warning.
    let touching = bounded(
        unprivileged(&env, &["verify", &stocked.keys[1]]).unwrap(),
        Duration::from_secs(30),
    );
    assert_eq!(
        touching.status.code(),
        Some(0),
        "{}",
        text(&touching.stderr)
    );
    assert!(text(&touching.stderr).contains("was not recorded"));
    for args in WRITES.iter() {
        let out = bounded(unprivileged(&env, args).unwrap(), Duration::from_secs(30));
        assert_exit_3(&out, &format!("{args:?} on a read-only file"));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("readonly") && stderr.contains("writable"),
            "{args:?}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out.stdout));
    }
    assert_eq!(fs::read(&env.db).unwrap(), before, "the file is untouched");
}

#[test]
fn a_store_made_writable_again_takes_writes() {
    if sqlite_only(REASON) {
        return;
    }
    let env = TestEnv::with_org("acme", "pro");
    let stocked = stock(&env);
    if unprivileged(&env, &["--version"]).is_none() {
        return;
    }
    audit::settle(&env.db);
    chmod(&env.db, 0o400);
    let out = bounded(
        unprivileged(&env, &["list"]).unwrap(),
        Duration::from_secs(30),
    );
    assert_eq!(out.status.code(), Some(0));
    chmod(&env.db, 0o600);
    let out = bounded(
        unprivileged(&env, &["generate", "--name", "Writable again"]).unwrap(),
        Duration::from_secs(30),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "the file is writable again, yet: {}",
        text(&out.stderr)
    );
    let _ = Command::new("chown")
        .args(["-R", "0:0"])
        .arg(env.dir.path())
        .status();
    assert_survived(&env, &stocked);
}

#[test]
fn a_read_only_directory_fails_with_exit_3_and_the_store_survives() {
    if sqlite_only(REASON) {
        return;
    }
    let env = TestEnv::with_org("acme", "pro");
    let stocked = stock(&env);
    if unprivileged(&env, &["--version"]).is_none() {
        return;
    }
    // A store restored into a directory it cannot write: no -wal or -shm yet.
    audit::settle(&env.db);
    let dir = env.db.parent().unwrap();
    chmod(dir, 0o500);
    let before = fs::read(&env.db).unwrap();
    for args in READS.iter().chain(WRITES.iter()) {
        let out = bounded(unprivileged(&env, args).unwrap(), Duration::from_secs(30));
        assert_exit_3(&out, &format!("{args:?} in a read-only directory"));
        assert!(
            text(&out.stderr).contains("writable"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    assert_eq!(fs::read(&env.db).unwrap(), before, "the file is untouched");
    chmod(dir, 0o700);
    let _ = Command::new("chown")
        .args(["-R", "0:0"])
        .arg(env.dir.path())
        .status();
    assert_survived(&env, &stocked);
}

#[test]
fn a_read_only_file_system_refuses_writes_with_exit_3_and_the_store_survives() {
    if sqlite_only(REASON) {
        return;
    }
    // With the -wal and -shm the tool leaves behind, and without them (a restored store).
    for settled in [false, true] {
        let env = TestEnv::new();
        let Some(disk) = Tmpfs::mount(env.db.parent().unwrap(), "4m") else {
            return;
        };
        env.run(&["init", "--org", "acme", "--plan", "pro"])
            .status(0);
        let stocked = stock(&env);
        if settled {
            audit::settle(&env.db);
        }
        disk.remount("ro");
        let before = store_files(&env.db);
        for args in READS {
            // Reading needs no write, but SQLite may need to create the -shm: either way,
            // no panic and a clear exit.
            let out = bounded(command(&env, args), Duration::from_secs(30));
            if out.status.code() != Some(0) {
                assert_exit_3(&out, &format!("{args:?} on a read-only file system"));
            }
        }
        for args in WRITES {
            let out = bounded(command(&env, args), Duration::from_secs(30));
            assert_exit_3(&out, &format!("{args:?} on a read-only file system"));
        }
        assert_eq!(store_files(&env.db), before, "the files are untouched");
        disk.remount("rw");
        assert_survived(&env, &stocked);
    }
}

#[test]
fn a_read_only_file_system_is_named_in_the_error() {
    if sqlite_only(REASON) {
        return;
    }
    let env = TestEnv::new();
    let Some(disk) = Tmpfs::mount(env.db.parent().unwrap(), "4m") else {
        return;
    };
    env.run(&["init", "--org", "acme", "--plan", "pro"])
        .status(0);
    stock(&env);
    audit::settle(&env.db);
    disk.remount("ro");
    for args in READS.iter().chain(WRITES.iter()) {
        let out = bounded(command(&env, args), Duration::from_secs(30));
        if out.status.success() {
            continue;
        }
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("read-only") || stderr.contains("writable"),
            "{args:?}: {stderr}"
        );
    }
}
