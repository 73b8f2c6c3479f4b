//! Attempts to use a revoked or expired key are audit events, counted: at most one event
//! per key per minute, carrying how many attempts it stands for.

use crate::common::TestEnv;

fn attempt_events(env: &TestEnv) -> Vec<serde_json::Value> {
    let log = env
        .run(&["log", "--json", "--limit", "1000"])
        .status(0)
        .json();
    log.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "revoked_key_used")
        .cloned()
        .collect()
}

#[test]
fn a_flood_of_attempts_is_one_event_that_counts_them() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("CI");
    env.run(&["revoke", "CI", "--yes"]).status(0);
    let input = format!("{key}\n").repeat(20_000);
    env.run_stdin(&["verify", "--batch", "--no-touch", "--quiet"], &input)
        .status(1);
    env.run_stdin(&["verify"], &key).status(1);
    let events = attempt_events(&env);
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(
        events[0]["detail"], "20001 attempts in a minute",
        "{events:#?}"
    );
    let rows = env.query_value("SELECT count(*) FROM events");
    // Organization created, key created, key revoked, one for the attempts.
    assert_eq!(rows.as_deref(), Some("4"));
    // The count travels with an export.
    let dump = env.run(&["export"]).status(0).stdout();
    assert!(dump.contains("\"attempts\":20001"), "{dump}");
    let copy = TestEnv::new();
    copy.run_stdin(&["import"], &dump).status(0);
    assert_eq!(
        attempt_events(&copy)[0]["detail"],
        "20001 attempts in a minute"
    );
}

#[test]
fn a_minute_later_attempts_start_a_new_event() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("CI");
    env.run(&["revoke", "CI", "--yes"]).status(0);
    env.run_stdin(&["verify"], &key).status(1);
    // Moved back two minutes, as if it were recorded then: the append-only guard is
    // lifted for the test's own write.
    let moved = "UPDATE events SET at = at - 120 WHERE kind = 'revoked_key_used'";
    if env.is_postgres() {
        env.sql(&format!(
            "ALTER TABLE events DISABLE TRIGGER USER; {moved}; ALTER TABLE events ENABLE TRIGGER USER"
        ));
    } else {
        env.sql(&format!(
            "DROP TRIGGER events_append_only_update; {moved}; \
             CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events \
             BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
        ));
    }
    env.run_stdin(&["verify"], &key).status(1);
    env.run_stdin(&["verify"], &key).status(1);
    let events = attempt_events(&env);
    assert_eq!(events.len(), 2, "{events:#?}");
    assert_eq!(events[0]["detail"], "2 attempts in a minute");
    assert!(events[1]["detail"].is_null(), "{events:#?}");
}
