//! Secret hygiene and who can read the store.
//!
//! A secret appears once, on the stdout of the command that made it, and nowhere else:
//! not in the store's files (main, -wal, -shm, looked at while a connection keeps the
//! -wal alive), not on stderr, not in any other command's output or `--json`, not in an
//! error message. The store's files are private whatever the umask, and a store others
//! can read gets a warning whose `chmod` fixes it.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::common::{BIN, TestEnv, contains, mode, sqlite_only, store_files};

const REASON: &str = "searches the SQLite store's files and their modes";

/// Every 12-character window of the secret's random part and checksum: finding any of
/// them anywhere is a leak (the 4-character hint is fine).
fn fragments(secret: &str) -> Vec<&str> {
    let body = &secret[8..];
    (0..=body.len() - 12).map(|i| &body[i..i + 12]).collect()
}

fn assert_no_secret(what: &str, bytes: &[u8], secrets: &[String]) {
    for secret in secrets {
        for fragment in fragments(secret) {
            assert!(
                !contains(bytes, fragment.as_bytes()),
                "{what} holds {fragment:?} of a secret: {:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_secret_is_printed_once_and_found_nowhere_else() {
    if sqlite_only(REASON) {
        return;
    }
    let env = TestEnv::with_org("acme", "pro");
    // A connection with a read done keeps the -wal and -shm files as they are written:
    // the last process to close would otherwise checkpoint and delete the -wal.
    let holder = rusqlite::Connection::open(&env.db).unwrap();
    holder
        .query_row("SELECT count(*) FROM keys", [], |r| r.get::<_, i64>(0))
        .unwrap();

    let run = env
        .run(&["generate", "--name", "Deploy", "--expires", "90d"])
        .status(0)
        .stderr_is("");
    let first = run.stdout().trim_end().to_owned();
    assert_eq!(run.stdout().matches(&first).count(), 1);
    let json = env
        .run(&["--json", "generate", "--name", "Backup job"])
        .status(0)
        .stderr_is("");
    let second = json.json()["key"].as_str().unwrap().to_owned();
    assert_eq!(json.stdout().matches(&second).count(), 1);
    let secrets = [first.clone(), second.clone()];

    let mut typo = first.clone().into_bytes();
    typo[20] = if typo[20] == b'a' { b'b' } else { b'a' };
    let typo = String::from_utf8(typo).unwrap();
    let longer = format!("{first}x");
    let id = env.key_named("Deploy")["id"].as_str().unwrap().to_owned();
    // (arguments, stdin, SEENTY_TOKEN)
    let battery: Vec<(Vec<&str>, &str, Option<&str>)> = vec![
        (vec!["list"], "", None),
        (vec!["--json", "list"], "", None),
        (vec!["ls", "--status", "active"], "", None),
        (vec!["show", "Deploy"], "", None),
        (vec!["--json", "show", &id], "", None),
        (vec!["show", "-"], &first, None),
        (vec!["--json", "show", "-"], &first, None),
        (vec!["verify", &first], "", None),
        (vec!["verify", "-"], &first, None),
        (vec!["verify"], "", Some(&first)),
        (vec!["--json", "verify", &first], "", None),
        (vec!["verify", "--quiet", &first], "", None),
        (vec!["verify", &typo], "", None),
        (vec!["--json", "verify", &typo], "", None),
        (vec!["verify", "-"], &longer, None),
        (vec!["show", "-"], &typo, None),
        (vec!["revoke", "-", "--yes"], &typo, None),
        (vec!["generate", "--name", "Deploy"], "", None),
        (vec!["org", "list"], "", None),
        (vec!["--json", "org", "list"], "", None),
        (vec!["org", "show"], "", None),
        (vec!["--json", "org", "show"], "", None),
        (vec!["plans"], "", None),
        (vec!["list"], "", Some(&first)),
        (
            vec!["revoke", "-", "--yes", "--reason", "rotated by hand"],
            &second,
            None,
        ),
        (vec!["--json", "revoke", "-", "--yes"], &second, None),
        (vec!["verify", &second], "", None),
        (vec!["--json", "verify", &second], "", None),
        (vec!["--json", "list", "--status", "revoked"], "", None),
    ];
    for (args, stdin, token) in &battery {
        let mut cmd = env.command();
        cmd.args(args).write_stdin(stdin.as_bytes());
        if let Some(token) = token {
            cmd.env("SEENTY_TOKEN", token);
        }
        let out = cmd.output().unwrap();
        let code = out.status.code();
        assert!(matches!(code, Some(0 | 1)), "{args:?}: exit {code:?}");
        assert_no_secret(&format!("stdout of {args:?}"), &out.stdout, &secrets);
        assert_no_secret(&format!("stderr of {args:?}"), &out.stderr, &secrets);
    }

    let files = store_files(&env.db);
    let names: Vec<_> = files.iter().map(|(p, _)| p.display().to_string()).collect();
    assert_eq!(
        files.len(),
        3,
        "main, -wal and -shm are all there: {names:?}"
    );
    for (path, bytes) in &files {
        assert_no_secret(&path.display().to_string(), bytes, &secrets);
    }
    // What is stored is the hash: finding it shows the right bytes were searched.
    for secret in &secrets {
        let hash = Sha256::digest(secret.as_bytes());
        assert!(
            files.iter().any(|(_, bytes)| contains(bytes, &hash)),
            "the hash is stored"
        );
    }
    drop(holder);
    for path in files_under(env.dir.path()) {
        assert_no_secret(
            &path.display().to_string(),
            &std::fs::read(&path).unwrap(),
            &secrets,
        );
    }
    println!(
        "{} commands, {} store files: no fragment of either secret",
        battery.len(),
        names.len()
    );
}

#[test]
fn a_secret_pasted_as_a_keyref_is_not_echoed() {
    if sqlite_only(REASON) {
        return;
    }
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("Deploy");
    let other = TestEnv::with_org("acme", "pro").generate("Elsewhere");
    for secret in [&key, &other] {
        for args in [
            vec!["revoke", secret, "--yes"],
            vec!["show", secret],
            vec!["--json", "show", secret],
        ] {
            let out = env.command().args(&args).output().unwrap();
            assert_no_secret(
                &format!("stderr of {:?}", &args[..args.len() - 1]),
                &out.stderr,
                std::slice::from_ref(secret),
            );
            assert_no_secret("stdout", &out.stdout, std::slice::from_ref(secret));
        }
    }
}

#[test]
fn the_wal_and_shm_the_binary_creates_are_private_whatever_the_umask() {
    if sqlite_only(REASON) {
        return;
    }
    for umask in ["000", "022"] {
        let env = TestEnv::new();
        let init = Command::new("sh")
            .args([
                "-c",
                &format!("umask {umask}; exec \"$0\" init --org acme --plan pro"),
                BIN,
            ])
            .env("SEENTY_KEYS_DB", &env.db)
            .output()
            .unwrap();
        assert!(init.status.success());
        // `revoke -` opens the store, then waits on stdin: its -wal and -shm stay while
        // we look at them.
        let mut child = Command::new("sh")
            .args([
                "-c",
                &format!("umask {umask}; exec \"$0\" revoke - --yes"),
                BIN,
            ])
            .env("SEENTY_KEYS_DB", &env.db)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let shm = env.db.with_file_name("keys.db-shm");
        let wal = env.db.with_file_name("keys.db-wal");
        let start = Instant::now();
        while !(shm.exists() && wal.exists()) {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no -wal/-shm appeared"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        for path in [&env.db, &wal, &shm] {
            assert_eq!(mode(path), 0o600, "{} under umask {umask}", path.display());
        }
        assert_eq!(mode(env.db.parent().unwrap()), 0o700);
        child.stdin.take().unwrap().write_all(b"not a key").unwrap();
        assert_eq!(child.wait().unwrap().code(), Some(1));
    }
}

/// The command after "fix it: " in the warning.
fn suggested_fix(stderr: &str) -> String {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("warning: "))
        .unwrap_or_else(|| panic!("no warning: {stderr}"));
    line.split_once("fix it: ")
        .unwrap_or_else(|| panic!("no fix: {line}"))
        .1
        .to_owned()
}

fn assert_warning_fix_works(env: &TestEnv, mode_before: u32) {
    std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(mode_before)).unwrap();
    let run = env.run(&["--json", "list"]).status(0);
    let _: serde_json::Value = run.json(); // stdout stays clean JSON
    let fix = suggested_fix(&run.stderr());
    assert!(fix.starts_with("chmod 600 "), "{fix}");
    let done = Command::new("sh").args(["-c", &fix]).output().unwrap();
    assert!(
        done.status.success(),
        "{fix}: {}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_eq!(mode(&env.db), 0o600, "running {fix:?} fixed it");
    env.run(&["list"]).status(0).stderr_is("");
}

#[test]
fn a_store_others_can_reach_warns_with_a_chmod_that_fixes_it() {
    if sqlite_only(REASON) {
        return;
    }
    let env = TestEnv::with_org("acme", "pro");
    env.generate("Deploy");
    for mode in [0o644, 0o640, 0o604, 0o660, 0o666, 0o620, 0o602, 0o610] {
        assert_warning_fix_works(&env, mode);
    }
    for mode in [0o600, 0o400, 0o700] {
        std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(mode)).unwrap();
        env.run(&["list"]).status(0).stderr_is("");
    }
}

#[test]
fn the_suggested_chmod_works_for_any_path() {
    if sqlite_only(REASON) {
        return;
    }
    let env = TestEnv::new();
    let db = env.path("it's a \"$HOME\" `dir`/keys.db");
    env.run(&[
        "--db",
        db.to_str().unwrap(),
        "init",
        "--org",
        "acme",
        "--plan",
        "pro",
    ])
    .status(0);
    let env = TestEnv { db, ..env };
    assert_warning_fix_works(&env, 0o644);
}
