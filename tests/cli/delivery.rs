//! Delivering a new secret: to a stalled stdout without holding anyone up, and to a
//! command with `--exec`, stored only when the command took it.

use std::io::Write;
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use crate::common::{BIN, TestEnv, lifetime};

#[test]
fn a_stalled_stdout_blocks_nobody_and_stores_nothing() {
    let env = TestEnv::with_org("acme", "pro");
    let other = env.generate("Leaked");
    // The pipe is filled first (64 KiB, its size on Linux), and nobody reads it: the key
    // cannot be written.
    let (reader, mut writer) = std::io::pipe().unwrap();
    writer.write_all(&[0; 65536]).unwrap();
    let mut stalled = std::process::Command::new(BIN)
        .env("SEENTY_KEYS_DB", env.location())
        .env("HOME", env.path(""))
        .args(["generate", "--name", "Stalled"])
        .stdout(Stdio::from(writer))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the generate has reserved its key (it then blocks on the write).
    let start = Instant::now();
    while env
        .query_value("SELECT count(*) FROM reservations")
        .as_deref()
        != Some("1")
    {
        assert!(start.elapsed() < Duration::from_secs(30), "no reservation");
        thread::sleep(Duration::from_millis(50));
    }
    env.run(&["revoke", "Leaked", "--yes"]).status(0);
    env.run_stdin(&["verify"], &other)
        .status(1)
        .stderr_has("REVOKED");
    env.run(&["generate", "--name", "Another"]).status(0);
    // The stalled name is held while its delivery is under way.
    env.run(&["generate", "--name", "Stalled"])
        .status(1)
        .stderr_has("already exists");
    stalled.kill().unwrap();
    let _ = stalled.wait();
    drop(reader);
    let names: Vec<String> = env
        .keys()
        .iter()
        .map(|k| k["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Leaked", "Another"]);
}

fn exec_env() -> TestEnv {
    TestEnv::with_org("acme", "pro")
}

#[test]
fn exec_hands_the_key_to_the_command_only() {
    let env = exec_env();
    let file = env.path("token");
    let cmd = format!("cat > '{}'; echo stored by the command", file.display());
    let run = env
        .run(&["generate", "--name", "CI", "--exec", &cmd])
        .status(0);
    let key = std::fs::read_to_string(&file).unwrap();
    let key = key.trim();
    assert!(key.starts_with("sk_live_"), "{key:?}");
    assert_eq!(run.stdout(), "");
    assert!(!run.stderr().contains(&key[8..]), "{}", run.stderr());
    assert!(
        run.stderr().contains("stored by the command"),
        "{}",
        run.stderr()
    );
    env.run_stdin(&["verify"], key).status(0);
}

#[test]
fn exec_with_json_prints_the_record_without_the_key() {
    let env = exec_env();
    let file = env.path("token");
    let cmd = format!("cat > '{}'", file.display());
    let run = env
        .run(&["generate", "--name", "CI", "--json", "--exec", &cmd])
        .status(0);
    let json = run.json();
    assert!(json.get("key").is_none(), "{json}");
    assert_eq!(json["name"], "CI");
    let key = std::fs::read_to_string(&file).unwrap();
    assert!(!run.stdout().contains(&key.trim()[8..]));
}

#[test]
fn a_failing_command_stores_nothing_and_says_its_status() {
    let env = exec_env();
    env.run(&[
        "generate",
        "--name",
        "CI",
        "--exec",
        "cat >/dev/null; exit 7",
    ])
    .status(1)
    .stderr_has("exited with 7")
    .stderr_has("nothing was stored");
    assert!(env.keys().is_empty());
    // The name is free again at once: the reservation went with the failure.
    env.run(&["generate", "--name", "CI", "--exec", "cat >/dev/null"])
        .status(0);
}

#[test]
fn a_rotation_happens_only_when_its_command_succeeds() {
    let env = exec_env();
    let old = env.generate("CI");
    env.run(&["rotate", "CI", "--yes", "--exec", "cat >/dev/null; false"])
        .status(1)
        .stderr_has("exited with 1");
    env.run_stdin(&["verify"], &old).status(0);
    assert_eq!(env.keys().len(), 1);
    let file = env.path("new");
    let cmd = format!("cat > '{}'", file.display());
    env.run(&["rotate", "CI", "--yes", "--exec", &cmd])
        .status(0);
    let new = std::fs::read_to_string(&file).unwrap();
    env.run_stdin(&["verify"], new.trim()).status(0);
    env.run_stdin(&["verify"], &old)
        .status(1)
        .stderr_has("REVOKED");
}

#[test]
fn the_command_runs_without_the_store_locked() {
    let env = exec_env();
    env.generate("Other");
    // The command itself revokes another key of the organization: with the lock held it
    // would wait out the busy timeout and fail.
    let cmd = format!("cat >/dev/null && '{BIN}' revoke Other --yes --reason 'rotated out'");
    env.run(&["generate", "--name", "CI", "--exec", &cmd])
        .status(0);
    let other = env.key_named("Other");
    assert_eq!(other["status"], "Revoked", "{other}");
}

/// A delivery that outlasts a second of the store's clock changes none of the times the
/// key was handed out with: the lifetime asked for is the one stored (and the one a
/// rotation keeps), and the old key stops when `rotate` said it would.
#[test]
fn a_slow_delivery_stores_the_times_it_delivered() {
    let env = TestEnv::with_org("acme", "pro");
    let slow = "sleep 1.2; cat >/dev/null";
    let made = env
        .run(&[
            "--json",
            "generate",
            "--name",
            "CI",
            "--expires",
            "10d",
            "--exec",
            slow,
        ])
        .status(0)
        .json();
    let stored = env.key_named("CI");
    assert_eq!(stored["created_at"], made["created_at"], "{stored}");
    assert_eq!(stored["expires_at"], made["expires_at"], "{stored}");
    let rotated = env
        .run(&[
            "--json", "rotate", "CI", "--grace", "1h", "--yes", "--exec", slow,
        ])
        .status(0)
        .json();
    let old = env
        .run(&["--json", "show", rotated["rotated_from"].as_str().unwrap()])
        .status(0)
        .json();
    assert_eq!(old["expires_at"], rotated["old_stops_at"], "{old}");
    let new = env
        .run(&["--json", "show", rotated["id"].as_str().unwrap()])
        .status(0)
        .json();
    assert_eq!(lifetime(&new), Some(10 * 86_400), "{new}");
}
