//! `org policy`: the key policy shown and set (each change an audit event), enforced by
//! `generate` and `rotate` with the default lifetime, on the suite's backend; existing
//! keys untouched by a new policy; an older store migrated with no policy set.

use crate::common::{TestEnv, lifetime};
use serde_json::json;

const DAY: i64 = 86_400;

fn policy_events(env: &TestEnv) -> Vec<String> {
    env.run(&["log", "--json"])
        .status(0)
        .json()
        .as_array()
        .expect("log --json is an array")
        .iter()
        .filter(|e| e["kind"] == "policy_changed")
        .map(|e| e["detail"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn no_policy_by_default() {
    let env = TestEnv::with_org("acme", "pro");
    let shown = env.run(&["org", "policy", "--json"]).status(0).json();
    assert_eq!(
        shown,
        json!({"org": "acme", "max_lifetime": null, "require_expiry": false, "rotate_every": "90d"})
    );
    let key = env
        .run(&["generate", "--name", "Anything", "--json"])
        .status(0);
    assert_eq!(lifetime(&key.json()), None, "no policy: never expires");
    env.run(&["org", "policy"])
        .status(0)
        .stdout_has("Max key lifetime")
        .stdout_has("none");
}

#[test]
fn a_maximum_lifetime_is_the_default_and_the_bound() {
    let env = TestEnv::with_org("acme", "pro");
    env.run(&["org", "policy", "--max-lifetime", "30d"])
        .status(0)
        .stdout_is("acme: max-lifetime none -> 30d\n");

    let key = env
        .run(&["generate", "--name", "Default", "--json"])
        .status(0);
    assert_eq!(lifetime(&key.json()), Some(30 * DAY), "exactly the maximum");

    for (expires, says) in [
        ("never", "never expire"),
        ("31d", "longer than the 30d"),
        ("2035-01-01", "longer than the 30d"),
    ] {
        env.run(&["generate", "--name", "Too long", "--expires", expires])
            .status(1)
            .stderr_has(says)
            .stderr_has("at most 30d");
    }
    let exact = env.run(&["generate", "--name", "Exact", "--expires", "30d", "--json"]);
    assert_eq!(lifetime(&exact.status(0).json()), Some(30 * DAY));
    let short = env.run(&["generate", "--name", "Short", "--expires", "10d", "--json"]);
    assert_eq!(lifetime(&short.status(0).json()), Some(10 * DAY));
    assert_eq!(env.keys().len(), 3, "the refused keys were not stored");

    // rotate: refused outside the policy, the old key untouched.
    env.run(&["rotate", "Short", "--expires", "31d", "--yes"])
        .status(1)
        .stderr_has("at most 30d");
    let short_key = env.key_named("Short");
    assert_eq!(short_key["status"], "Active");
    assert!(short_key["revoked_at"].is_null(), "{short_key}");
    assert!(short_key["rotated_to"].is_null(), "{short_key}");
    // Without --expires a rotation keeps the old key's lifetime inside the policy…
    let rotated = env.run(&["rotate", "Short", "--yes", "--json"]).status(0);
    assert_eq!(lifetime(&rotated.json()), Some(10 * DAY));
    // …and shortens one outside it to the maximum.
    env.run(&["org", "policy", "--max-lifetime", "none"])
        .status(0);
    env.run(&["generate", "--name", "Forever", "--expires", "never"])
        .status(0);
    env.run(&["org", "policy", "--max-lifetime", "7d"])
        .status(0);
    let rotated = env.run(&["rotate", "Forever", "--yes", "--json"]).status(0);
    assert_eq!(lifetime(&rotated.json()), Some(7 * DAY));
}

#[test]
fn a_required_expiry_refuses_never_and_has_no_default() {
    let env = TestEnv::with_org("acme", "pro");
    env.run(&["org", "policy", "--require-expiry"]).status(0);
    env.run(&["generate", "--name", "No expiry"])
        .status(1)
        .stderr_has("must have an expiration")
        .stderr_has("--expires");
    env.run(&["generate", "--name", "No expiry", "--expires", "never"])
        .status(1);
    let long = env.run(&["generate", "--name", "Long", "--expires", "400d", "--json"]);
    assert_eq!(lifetime(&long.status(0).json()), Some(400 * DAY));

    env.run(&["org", "policy", "--no-require-expiry"]).status(0);
    env.run(&["generate", "--name", "No expiry"]).status(0);
}

#[test]
fn each_change_is_an_audit_event_and_org_show_has_the_policy() {
    let env = TestEnv::with_org("acme", "pro");
    env.run(&[
        "org",
        "policy",
        "--max-lifetime",
        "90d",
        "--require-expiry",
        "--rotate-every",
        "30d",
    ])
    .status(0);
    // The same values again change nothing and record nothing.
    env.run(&["org", "policy", "--max-lifetime", "90d"])
        .status(0)
        .stdout_has("unchanged");
    env.run(&["org", "policy", "--max-lifetime", "none"])
        .status(0);
    let mut events = policy_events(&env);
    events.reverse();
    assert_eq!(
        events,
        [
            "max-lifetime: none -> 90d",
            "require-expiry: no -> yes",
            "rotate-every: 90d -> 30d",
            "max-lifetime: 90d -> none",
        ]
    );
    let shown = env.run(&["org", "show", "--json"]).status(0).json();
    assert_eq!(
        shown["policy"],
        json!({"max_lifetime": null, "require_expiry": true, "rotate_every": "30d"})
    );
    env.run(&["org", "show"])
        .status(0)
        .stdout_has("Rotate every")
        .stdout_has("30d");
    env.run(&["log"]).status(0).stdout_has("policy changed");
}

#[test]
fn bad_policy_values_are_usage_errors() {
    let env = TestEnv::with_org("acme", "pro");
    for args in [
        ["--max-lifetime", "0d"],
        ["--max-lifetime", "soon"],
        ["--rotate-every", "none"],
        ["--rotate-every", "36501d"],
    ] {
        let mut argv = vec!["org", "policy"];
        argv.extend(args);
        env.run(&argv).status(2).stderr_has(args[0]);
    }
    assert!(policy_events(&env).is_empty());
}

#[test]
fn a_policy_set_after_keys_exist_changes_none_of_them() {
    let env = TestEnv::with_org("acme", "pro");
    env.run(&["generate", "--name", "Forever"]).status(0);
    env.run(&["generate", "--name", "A year", "--expires", "365d"])
        .status(0);
    env.run(&["generate", "--name", "Ten days", "--expires", "10d"])
        .status(0);
    let before = env.keys();
    env.run(&["org", "policy", "--max-lifetime", "30d"])
        .status(0);
    assert_eq!(env.keys(), before, "no key changed");

    let findings = env.run(&["report", "--json"]).status(1).json_lines();
    let mut outside: Vec<&str> = findings
        .iter()
        .filter(|f| f["finding"] == "outside-policy")
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    outside.sort_unstable();
    assert_eq!(outside, ["A year", "Forever"]);
}

/// A store from before the policy (SQLite schema 4, PostgreSQL schema 1) migrates with
/// no policy set, and takes one afterwards.
#[test]
fn an_older_store_migrates_with_no_policy() {
    let env = TestEnv::with_org("acme", "pro");
    env.generate("Before the policy");
    if env.is_postgres() {
        env.sql(
            "ALTER TABLE orgs DROP COLUMN max_lifetime, DROP COLUMN require_expiry, \
             DROP COLUMN rotate_every; DELETE FROM schema_migrations WHERE version = 3;",
        );
    } else {
        env.sql(
            "ALTER TABLE orgs DROP COLUMN max_lifetime; ALTER TABLE orgs DROP COLUMN require_expiry; \
             ALTER TABLE orgs DROP COLUMN rotate_every; PRAGMA user_version = 5;",
        );
    }
    let shown = env.run(&["org", "policy", "--json"]).status(0).json();
    assert_eq!(
        shown,
        json!({"org": "acme", "max_lifetime": null, "require_expiry": false, "rotate_every": "90d"})
    );
    env.run(&["org", "policy", "--max-lifetime", "5d"])
        .status(0);
    let key = env
        .run(&["generate", "--name", "After", "--json"])
        .status(0);
    assert_eq!(lifetime(&key.json()), Some(5 * DAY));
    assert!(env.key_named("Before the policy")["expires_at"].is_null());
}

/// `export` carries the policy, and `import` restores it, on either backend.
#[test]
fn the_policy_moves_with_export_and_import() {
    let env = TestEnv::with_org("acme", "pro");
    env.run(&[
        "org",
        "policy",
        "--max-lifetime",
        "45d",
        "--require-expiry",
        "--rotate-every",
        "60d",
    ])
    .status(0);
    let dump = env.run(&["export"]).status(0).stdout();
    let copy = TestEnv::new();
    copy.run_stdin(&["import"], &dump).status(0);
    assert_eq!(
        copy.run(&["org", "policy", "--json"]).status(0).json(),
        json!({"org": "acme", "max_lifetime": "45d", "require_expiry": true, "rotate_every": "60d"})
    );
    // A store without a policy exports its organizations without a policy field.
    let plain = TestEnv::with_org("beta", "pro");
    let line = plain.run(&["export"]).status(0).stdout();
    let org_line = line
        .lines()
        .find(|l| l.contains("\"type\":\"org\""))
        .unwrap();
    assert!(
        !org_line.contains("max_lifetime") && !org_line.contains("rotate_every"),
        "{org_line}"
    );
}
