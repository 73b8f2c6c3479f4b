//! Bulk `revoke`: many KEYREFs, the selectors (`--never-used`, `--unused-for`,
//! `--expiring-within`), `--dry-run` changing nothing, one confirmation, and one
//! transaction: SIGKILL in the middle leaves all of the keys revoked or none.

use std::collections::BTreeSet;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::thread;
use std::time::Instant;

use crate::common::{BIN, TestEnv, now};
use serde_json::Value;

const DAY: i64 = 86_400;

fn events(env: &TestEnv) -> u64 {
    env.query_value("SELECT count(*) FROM events")
        .unwrap()
        .parse()
        .unwrap()
}

fn revoked(env: &TestEnv) -> BTreeSet<String> {
    env.keys()
        .into_iter()
        .filter(|k| k["status"] == "Revoked")
        .map(|k| k["name"].as_str().unwrap().to_owned())
        .collect()
}

fn names(list: &[Value]) -> BTreeSet<String> {
    list.iter()
        .map(|k| k["name"].as_str().unwrap().to_owned())
        .collect()
}

/// `acme` with keys for each selector and keys no selector takes.
fn store() -> TestEnv {
    let env = TestEnv::with_org("acme", "enterprise");
    let mut used = Vec::new();
    for (name, expires, use_it) in [
        ("Stale one", "60d", false),
        ("Stale two", "never", false),
        ("Idle", "60d", true),
        ("Soon", "3d", true),
        ("Fresh", "60d", true),
        ("Young", "60d", false),
    ] {
        let run = env.run(&["generate", "--name", name, "--expires", expires]);
        let secret = run.status(0).stdout().trim().to_owned();
        if use_it {
            used.push(secret);
        }
    }
    for secret in &used {
        env.run(&["verify", "--quiet", secret]).status(0);
    }
    // Times moved by writing them: two keys made ten days ago and never used, one whose
    // last use was forty days ago.
    env.sql(&format!(
        "UPDATE keys SET created_at = {} WHERE name IN ('Stale one', 'Stale two', 'Idle')",
        now() - 50 * DAY
    ));
    env.set_last_used("Idle", now() - 40 * DAY);
    env
}

#[test]
fn a_dry_run_changes_nothing_and_the_real_run_revokes_its_list() {
    let env = store();
    let selectors = [
        "--never-used",
        "--unused-for",
        "30d",
        "--expiring-within",
        "7d",
    ];
    let before = env.snapshot();
    let events_before = events(&env);

    let mut dry = vec!["revoke", "--dry-run"];
    dry.extend(selectors);
    let text = env.run(&dry).status(0).stdout();
    let mut dry_json = dry.clone();
    dry_json.push("--json");
    let listed = env.run(&dry_json).status(0).json();
    let listed = listed.as_array().unwrap().clone();
    assert_eq!(
        names(&listed),
        BTreeSet::from(["Idle", "Soon", "Stale one", "Stale two"].map(String::from))
    );
    assert_eq!(text.lines().count(), 4, "{text}");
    for key in &listed {
        assert!(text.contains(key["id"].as_str().unwrap()), "{text}");
    }
    let reason_of = |name: &str| {
        listed
            .iter()
            .find(|k| k["name"] == name)
            .and_then(|k| k["reason"].as_str())
            .unwrap()
            .to_owned()
    };
    assert_eq!(reason_of("Idle"), "unused: last used 40 days ago");
    assert_eq!(
        reason_of("Stale one"),
        "never-used: created 50 days ago, never used"
    );

    // Nothing changed: not a byte of the SQLite file, not an event.
    assert_eq!(env.snapshot(), before, "a dry run changed the store");
    assert_eq!(events(&env), events_before);

    // Without a terminal the real run needs --yes, and changes nothing without it.
    let mut real: Vec<&str> = vec!["revoke"];
    real.extend(selectors);
    env.run(&real).status(2).stderr_has("--yes");
    assert!(revoked(&env).is_empty());

    real.push("--yes");
    let out = env.run(&real).status(0).stdout();
    assert!(out.contains("Revoked 4 keys."), "{out}");
    assert_eq!(revoked(&env), names(&listed), "exactly the dry run's list");
    assert_eq!(events(&env), events_before + 4, "an event per key");
    for key in &listed {
        let shown = env
            .run(&["show", key["id"].as_str().unwrap(), "--json"])
            .status(0)
            .json();
        assert_eq!(shown["revoke_reason"], key["reason"], "{shown}");
    }
    // Again: nothing left to select.
    env.run(&real).status(0).stderr_has("nothing was revoked");
}

#[test]
fn many_keyrefs_take_one_confirmation_and_one_reason() {
    let env = TestEnv::with_org("acme", "pro");
    env.generate("One");
    env.generate("Two");
    env.generate("Three");
    let one = env.key_named("One")["id"].as_str().unwrap().to_owned();
    env.run(&["revoke", &one, "Two", "--reason", "cleanup", "--yes"])
        .status(0)
        .stdout_has("Revoked 2 keys.");
    assert_eq!(revoked(&env), BTreeSet::from(["One".into(), "Two".into()]));
    assert_eq!(env.key_named("Two")["revoke_reason"], "cleanup");

    // An unknown reference refuses the whole command before anything is revoked.
    env.run(&["revoke", "Three", "No such key", "--yes"])
        .status(1)
        .stderr_has("No such key");
    assert_eq!(env.key_named("Three")["status"], "Active");

    // A revoked key among them says so; --json lists every key.
    let run = env
        .run(&["revoke", &one, "Three", "--yes", "--json"])
        .status(0);
    let listed = run.json();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k["status"] == "Revoked")
    );
    env.run(&["revoke", &one, "--yes"])
        .status(0)
        .stdout_has("already revoked");
}

#[test]
fn the_key_on_stdin_is_not_combined_with_selectors() {
    let env = TestEnv::with_org("acme", "pro");
    let secret = env.generate("Leaked");
    env.sql(&format!(
        "UPDATE keys SET created_at = {}",
        now() - 30 * DAY
    ));
    for selector in [
        vec!["--never-used"],
        vec!["--unused-for", "1d"],
        vec!["--expiring-within", "1d"],
    ] {
        let mut args = vec!["revoke", "-", "--yes"];
        args.extend(selector);
        env.run_stdin(&args, &secret)
            .status(2)
            .stderr_has("cannot be combined");
    }
    assert!(revoked(&env).is_empty());
    env.run_stdin(&["revoke", "-", "--yes"], &secret).status(0);
    assert_eq!(revoked(&env), BTreeSet::from(["Leaked".into()]));
}

/// SIGKILL at points spread over a bulk revocation's run: each time, either every key
/// is revoked with its event, or none is.
#[test]
fn sigkill_mid_run_leaves_all_or_none_revoked() {
    const KEYS: usize = 300;
    let env = TestEnv::with_org("acme", "enterprise");
    for i in 0..KEYS {
        env.run(&["generate", "--name", &format!("Integration {i}")])
            .status(0);
    }
    env.sql(&format!(
        "UPDATE keys SET created_at = {}",
        now() - 30 * DAY
    ));
    let spawn = || {
        Command::new(BIN)
            .args(["revoke", "--never-used", "--yes", "--reason", "cleanup"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", env.dir.path())
            .env("USER", "tester")
            .env("SEENTY_KEYS_DB", &env.db)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn")
    };
    let revocations = || -> u64 {
        env.query_value("SELECT count(*) FROM events WHERE kind = 'key_revoked'")
            .unwrap()
            .parse()
            .unwrap()
    };
    let unrevoke = || env.sql("UPDATE keys SET revoked_at = NULL, revoke_reason = NULL");

    // A run left alone, to spread the kills over how long one takes here.
    let start = Instant::now();
    assert!(spawn().wait().unwrap().success());
    let typical = start.elapsed();
    assert_eq!(revoked(&env).len(), KEYS);
    unrevoke();

    let (mut killed, mut all, mut none) = (0, 0, 0);
    for trial in 0..40u32 {
        let before = revocations();
        let mut child = spawn();
        // Points from the start of the process to half again its usual run.
        thread::sleep(typical.mul_f64(f64::from(trial % 20) * 0.075));
        let _ = child.kill();
        let status = child.wait().unwrap();
        killed += u32::from(status.signal() == Some(9));
        let count = revoked(&env).len();
        let events = revocations() - before;
        match count {
            0 => {
                assert_eq!(events, 0, "trial {trial}: events without revocations");
                none += 1;
            }
            KEYS => {
                assert_eq!(events, KEYS as u64, "trial {trial}: an event per key");
                all += 1;
                unrevoke();
            }
            partial => panic!("trial {trial}: {partial} of {KEYS} keys revoked"),
        }
    }
    crate::common::say(&format!(
        "bulk revoke under SIGKILL: {killed} killed, {all} all revoked, {none} none ({typical:?} a run)"
    ));
    assert!(killed >= 10, "only {killed} of 40 runs were killed");
}
