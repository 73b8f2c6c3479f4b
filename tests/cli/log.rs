//! `log`: the audit trail, newest first, per key, limited, with actor and time.

use crate::common::TestEnv;

#[test]
fn every_lifecycle_event_is_logged_newest_first() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("CI");
    env.run(&["rotate", "CI", "--yes"]).status(0);
    env.run(&["verify", &key]).status(1);
    env.run(&["org", "set-plan", "ultra"]).status(0);
    env.generate("Other");
    env.run(&["revoke", "Other", "--yes", "--reason", "not needed"])
        .status(0);
    let log = env.run(&["--json", "log"]).status(0).json();
    let kinds: Vec<_> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds,
        [
            "key_revoked",
            "key_created",
            "plan_changed",
            "revoked_key_used",
            "key_rotated",
            "key_created",
            "key_created",
            "org_created"
        ]
    );
    assert_eq!(log[0]["detail"], "not needed");
    assert_eq!(log[0]["actor"], env.actor().as_str());
    assert!(log[0]["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(log[2]["detail"], "pro -> ultra");
    let table = env.run(&["log", "--limit", "2"]).status(0).stdout();
    assert_eq!(table.lines().count(), 3, "{table}");
    assert!(table.contains("key revoked") && table.contains("not needed"));
}

#[test]
fn key_narrows_the_log_to_one_key() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("CI");
    env.generate("Other");
    env.run(&["revoke", "CI", "--yes"]).status(0);
    let log = env
        .run_stdin(&["--json", "log", "--key", "-"], &key)
        .status(0)
        .json();
    let kinds: Vec<_> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["key_revoked", "key_created"]);
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .all(|e| e["key_name"] == "CI")
    );
    env.run(&["log", "--key", "Nope"]).status(1);
    env.run(&["log", "--limit", "-1"]).status(2);
}
