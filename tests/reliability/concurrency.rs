//! Reliability under concurrency: many processes on one store at once.
//!
//! - `generate` at the plan limit admits exactly the limit, and every other process is
//!   refused with exit 1 (never a lock error);
//! - once `revoke` has exited 0, no `verify` started afterwards accepts the key;
//! - `org set-plan` racing `generate`: every key was admitted under the plan in force
//!   when it was committed (checked by replaying the audit trail).

use std::process::{Child, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::{
    TestEnv, audit,
    process::{command, text},
    sqlite_only,
};

const REASON: &str = "the race is checked by replaying the SQLite store's audit trail";

fn spawn(env: &TestEnv, args: &[&str]) -> Child {
    command(env, args).spawn().expect("spawn")
}

/// Starts `n` `generate` processes at once and sorts their outcomes.
fn race_generates(env: &TestEnv, n: usize, tag: &str) -> (Vec<String>, Vec<Output>) {
    let names: Vec<String> = (0..n).map(|i| format!("{tag} runner {i}")).collect();
    let children: Vec<Child> = names
        .iter()
        .map(|name| spawn(env, &["generate", "--name", name]))
        .collect();
    let mut printed = Vec::new();
    let mut refused = Vec::new();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        match out.status.code() {
            Some(0) => {
                let stdout = text(&out.stdout);
                assert_eq!(stdout.lines().count(), 1, "one key: {stdout:?}");
                printed.push(stdout.trim_end().to_owned());
            }
            Some(1) => {
                assert!(out.stdout.is_empty(), "a refused generate prints no key");
                refused.push(out);
            }
            other => panic!(
                "generate exited {other:?}, only 0 and 1 are allowed: {}",
                text(&out.stderr)
            ),
        }
    }
    (printed, refused)
}

#[test]
fn generates_at_the_plan_limit_admit_exactly_the_limit() {
    if sqlite_only(REASON) {
        return;
    }
    // (plan, limit, active keys before, revoked keys before, processes)
    for (plan, limit, before, revoked, processes) in [
        ("starter", 1, 0, 0, 16),
        ("pro", 5, 2, 3, 24),
        ("ultra", 10, 0, 0, 32),
        ("ultra", 10, 9, 1, 16),
    ] {
        let env = TestEnv::with_org("acme", "enterprise");
        for i in 0..before + revoked {
            env.generate(&format!("Existing {i}"));
        }
        for i in 0..revoked {
            env.run(&["revoke", &format!("Existing {i}"), "--yes"])
                .status(0);
        }
        env.run(&["org", "set-plan", plan, "--yes"]).status(0);

        let (printed, refused) = race_generates(&env, processes, plan);
        assert_eq!(printed.len(), limit - before, "{plan}: admitted");
        assert_eq!(
            refused.len(),
            processes - (limit - before),
            "{plan}: refused"
        );
        for out in &refused {
            let stderr = text(&out.stderr);
            assert!(
                stderr.contains(&format!("allows {limit}")),
                "{plan}: the limit message, not a lock error: {stderr}"
            );
        }
        let active = env
            .run(&["list", "--status", "active", "--json"])
            .status(0)
            .json();
        assert_eq!(
            active.as_array().unwrap().len(),
            limit,
            "{plan}: active keys"
        );
        for key in &printed {
            env.run(&["verify", "--no-touch", key]).status(0);
        }
        let audit = audit::replay(&env.db);
        assert_eq!(audit.keys, before + revoked + printed.len());
    }
}

#[test]
fn hobby_refuses_every_concurrent_generate() {
    if sqlite_only(REASON) {
        return;
    }
    let env = TestEnv::with_org("acme", "hobby");
    let (printed, refused) = race_generates(&env, 12, "hobby");
    assert!(printed.is_empty());
    for out in refused {
        assert!(text(&out.stderr).contains("Hobby"), "{}", text(&out.stderr));
    }
    assert!(env.keys().is_empty());
    audit::replay(&env.db);
}

/// One `verify` run by a racing loop: when it started and ended, and how it exited.
struct Attempt {
    key: usize,
    started: Instant,
    code: Option<i32>,
    stderr: String,
}

#[test]
fn once_revoke_has_exited_no_later_verify_succeeds() {
    if sqlite_only(REASON) {
        return;
    }
    const ROUNDS: usize = 4;
    const LOOPS: usize = 4;
    let env = Arc::new(TestEnv::with_org("acme", "enterprise"));
    let control = env.generate("Stays valid");
    let mut total_verifies = 0;
    for round in 0..ROUNDS {
        let target = env.generate(&format!("Revoked in round {round}"));
        let keys = Arc::new([target.clone(), control.clone()]);
        let stop = Arc::new(AtomicBool::new(false));
        let attempts = Arc::new(Mutex::new(Vec::new()));
        let loops: Vec<_> = (0..LOOPS)
            .map(|n| {
                let (env, keys, stop, attempts) =
                    (env.clone(), keys.clone(), stop.clone(), attempts.clone());
                thread::spawn(move || {
                    let mut i = n;
                    while !stop.load(Ordering::SeqCst) {
                        // Every fourth check is of the control key, which must stay valid.
                        let key = usize::from(i % 4 == 3);
                        i += 1;
                        let started = Instant::now();
                        let out = command(&env, &["verify", &keys[key]])
                            .output()
                            .expect("verify");
                        attempts.lock().unwrap().push(Attempt {
                            key,
                            started,
                            code: out.status.code(),
                            stderr: text(&out.stderr),
                        });
                    }
                })
            })
            .collect();
        thread::sleep(Duration::from_millis(150));
        // Alternate between revoking by id and by the secret on stdin.
        let revoke_started = Instant::now();
        let out = if round % 2 == 0 {
            let id = env.key_named(&format!("Revoked in round {round}"))["id"]
                .as_str()
                .unwrap()
                .to_owned();
            command(&env, &["revoke", &id, "--yes"]).output().unwrap()
        } else {
            let mut child = command(&env, &["revoke", "-", "--yes"])
                .stdin(Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(target.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        };
        let revoked = Instant::now();
        assert_eq!(out.status.code(), Some(0), "revoke: {}", text(&out.stderr));
        thread::sleep(Duration::from_millis(250));
        stop.store(true, Ordering::SeqCst);
        for handle in loops {
            handle.join().unwrap();
        }

        let attempts = attempts.lock().unwrap();
        total_verifies += attempts.len();
        let mut after = 0;
        let mut before = 0;
        for a in attempts.iter() {
            match (a.key, a.code) {
                (1, code) => assert_eq!(code, Some(0), "the control key stays valid: {}", a.stderr),
                (_, Some(0)) => {
                    assert!(
                        a.started < revoked,
                        "a verify started after revoke exited 0 accepted the key"
                    );
                }
                (_, Some(1)) => assert!(a.stderr.contains("(REVOKED)"), "{}", a.stderr),
                (_, code) => panic!("verify exited {code:?}: {}", a.stderr),
            }
            if a.key == 0 && a.started > revoked {
                after += 1;
            }
            if a.key == 0 && a.started < revoke_started && a.code == Some(0) {
                before += 1;
            }
        }
        assert!(
            after > 0 && before > 0,
            "the race happened: {before} checks before, {after} after"
        );
    }
    println!("revoke raced {total_verifies} verify processes in {ROUNDS} rounds");
    audit::replay(&env.db);
}

#[test]
fn set_plan_racing_generate_admits_keys_only_under_the_plan_in_force() {
    if sqlite_only(REASON) {
        return;
    }
    const PLANS: [&str; 8] = [
        "starter",
        "pro",
        "hobby",
        "ultra",
        "starter",
        "enterprise",
        "pro",
        "starter",
    ];
    for round in 0..3 {
        let env = Arc::new(TestEnv::with_org("acme", "ultra"));
        for i in 0..3 {
            env.generate(&format!("Existing {i}"));
        }
        let changer = {
            let env = env.clone();
            thread::spawn(move || {
                let mut codes = Vec::new();
                for plan in PLANS.iter().cycle().skip(round).take(PLANS.len()) {
                    let out = command(&env, &["org", "set-plan", plan, "--yes"])
                        .output()
                        .unwrap();
                    codes.push((out.status.code(), text(&out.stderr)));
                }
                codes
            })
        };
        let (printed, refused) = race_generates(&env, 24, &format!("round {round}"));
        for (code, stderr) in changer.join().unwrap() {
            assert_eq!(code, Some(0), "set-plan: {stderr}");
        }
        for out in &refused {
            let stderr = text(&out.stderr);
            assert!(
                stderr.contains("allows") || stderr.contains("Hobby"),
                "a plan refusal, not a lock error: {stderr}"
            );
        }
        // Whatever plan the race ended on, every printed key is stored and works.
        env.run(&["org", "set-plan", "enterprise", "--yes"])
            .status(0);
        for key in &printed {
            env.run(&["verify", "--no-touch", key]).status(0);
        }
        let audit = audit::replay(&env.db);
        assert_eq!(audit.keys, 3 + printed.len());
        let mut current = "ultra";
        let mut changes = 0;
        for plan in PLANS
            .iter()
            .cycle()
            .skip(round)
            .take(PLANS.len())
            .chain(["enterprise"].iter())
        {
            changes += usize::from(*plan != current);
            current = plan;
        }
        assert_eq!(audit.plan_changes, changes);
    }
}

#[test]
fn a_downgrade_without_yes_cannot_slip_past_a_concurrent_generate() {
    if sqlite_only(REASON) {
        return;
    }
    let env = TestEnv::with_org("acme", "pro");
    env.generate("First");
    // Another writer holds the lock and is about to commit a second key.
    let other = seenty_keys::store::sqlite::connection_with_functions(&env.db).unwrap();
    other
        .execute_batch(
            "BEGIN IMMEDIATE;
             INSERT INTO keys (org_id, name, name_tag, hint, created_at)
                 VALUES (1, 'Second', name_tag('Second'), 'abcd', unixepoch());
             INSERT INTO key_hashes (hash, key_id) VALUES (randomblob(32), last_insert_rowid());
             INSERT INTO events (at, actor, org_id, key_id, kind)
                 VALUES (unixepoch(), 'other', 1, last_insert_rowid(), 'key_created');",
        )
        .unwrap();
    // One active key fits Starter, so no confirmation is asked for...
    let child = spawn(&env, &["org", "set-plan", "starter"]);
    thread::sleep(Duration::from_millis(1000));
    // ...but by the time set-plan gets the lock there are two.
    other.execute_batch("COMMIT").unwrap();
    let out = child.wait_with_output().unwrap();
    let plan: String = other
        .query_row("SELECT plan FROM orgs", [], |r| r.get(0))
        .unwrap();
    assert!(
        !(out.status.success() && plan == "starter"),
        "moved to Starter (1 key) with 2 active keys and no confirmation: {}",
        text(&out.stdout)
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--yes"), "{}", text(&out.stderr));
}
