//! Rotation chains cannot get around the plan's limit: at most two keys of a chain work
//! at once. Rotating a key whose predecessor is still in its grace period ends that grace
//! now (an audit event); `import` refuses a chain with two keys in grace.

use serde_json::Value;

use crate::common::TestEnv;

/// The keys of `secrets` that `verify --batch --no-touch` says are valid, by index.
fn working(env: &TestEnv, secrets: &[String]) -> Vec<usize> {
    let input = secrets.join("\n") + "\n";
    let out = env
        .run_stdin(&["verify", "--batch", "--no-touch"], &input)
        .stdout();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), secrets.len(), "{out}");
    (0..secrets.len())
        .filter(|&i| lines[i].starts_with("valid "))
        .collect()
}

/// `rotate ARGS --yes`: the new secret.
fn rotate(env: &TestEnv, args: &[&str]) -> String {
    let args: Vec<&str> = ["rotate"]
        .iter()
        .chain(args)
        .chain(&["--yes"])
        .copied()
        .collect();
    env.run(&args).status(0).stdout().trim().to_owned()
}

#[test]
fn twelve_rotations_with_a_week_of_grace_leave_two_working_keys() {
    let env = TestEnv::with_org("acme", "starter");
    let mut secrets = vec![env.generate("chain")];
    for _ in 0..12 {
        secrets.push(rotate(&env, &["chain", "--grace", "7d"]));
        // After every rotation: the new key and the one it replaced, no other.
        let n = secrets.len();
        assert_eq!(working(&env, &secrets), [n - 2, n - 1]);
    }
    let org = env.run(&["org", "show", "--json"]).status(0).json();
    assert_eq!(org["active_keys"], 1, "{org}");
    env.run(&["org", "show"]).status(0).stdout_has("1 / 1");
    // The list agrees: two keys still active, the older in its grace period.
    let keys = env.keys();
    let active: Vec<&Value> = keys.iter().filter(|k| k["status"] == "Active").collect();
    assert_eq!(active.len(), 2, "{keys:?}");
    // Each ended grace period is in the audit trail, naming the rotation that ended it.
    let log = env
        .run(&["--json", "log", "--limit", "100"])
        .status(0)
        .json();
    let ended = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["kind"] == "key_revoked"
                && e["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("grace period ended"))
        })
        .count();
    assert_eq!(ended, 11, "{log:?}");
    // The trail and the state tell the same story, and the store exports and imports.
    if !env.is_postgres() {
        crate::common::audit::replay(&env.db);
    }
    let out = env.run(&["export"]).status(0).stdout();
    let copy = TestEnv::new();
    copy.run_stdin(&["import"], &out).status(0);
    assert_eq!(working(&copy, &secrets), [11, 12]);
}

#[test]
fn rotating_without_grace_ends_the_predecessors_grace_too() {
    let env = TestEnv::with_org("acme", "pro");
    let first = env.generate("CI");
    let second = rotate(&env, &["CI", "--grace", "1h"]);
    let third = rotate(&env, &["CI"]);
    assert_eq!(working(&env, &[first, second, third]), [2]);
    let old = &env.keys()[0];
    assert!(
        old["revoke_reason"]
            .as_str()
            .is_some_and(|r| r.contains("grace period ended")),
        "{old}"
    );
}

/// A Pro export of one key rotated eight times, every replaced key made to look as if
/// it were still in its grace period (as a store written before this rule could hold).
fn chained_export() -> String {
    let env = TestEnv::with_org("acme", "pro");
    env.generate("chain");
    for _ in 0..8 {
        env.run(&["rotate", "chain", "--grace", "7d", "--yes"])
            .status(0);
    }
    let grace_end = (chrono::Utc::now() + chrono::TimeDelta::days(6))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let out = env.run(&["export"]).status(0).stdout();
    let mut lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for line in &mut lines {
        if line["type"] == "key" && !line["revoked_at"].is_null() {
            line["revoked_at"] = grace_end.clone().into();
        }
        // The events that recorded the early ends go too.
        if line["type"] == "event" && line["kind"] == "key_revoked" {
            *line = Value::Null;
        }
    }
    lines
        .iter()
        .filter(|l| !l.is_null())
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn import_refuses_a_chain_with_two_keys_in_grace() {
    let text = chained_export();
    let env = TestEnv::new();
    let run = env
        .run_stdin(&["import"], &text)
        .stderr_has("both in a grace period");
    let code = run.0.status.code();
    assert!(matches!(code, Some(1 | 2)), "{code:?}: {}", run.stderr());
    // Nothing was imported.
    if env.store_exists() {
        let orgs = env.query_value("SELECT count(*) FROM orgs");
        assert_eq!(orgs.as_deref(), Some("0"));
    }
}
