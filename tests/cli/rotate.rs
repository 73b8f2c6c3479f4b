//! `rotate`: a new key with the same name, the old one revoked now or after a grace
//! period, at the plan's limit, and the links both ways.

use crate::common::{self, TestEnv};

#[test]
fn a_script_captures_the_new_key_and_the_old_one_stops_now() {
    let env = TestEnv::with_org("acme", "pro");
    let old = env.generate("GitHub Actions CI");
    let run = env
        .run(&["rotate", "GitHub Actions CI", "--yes"])
        .status(0)
        .stderr_is("");
    let new = run.stdout().trim_end().to_owned();
    assert!(new.starts_with("sk_live_") && new.len() == 36 && run.stdout().lines().count() == 1);
    env.run(&["verify", &old]).status(1).stderr_has("REVOKED");
    env.run(&["verify", &new])
        .status(0)
        .stdout_has("GitHub Actions CI");
    let keys = env.keys();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0]["rotated_to"], keys[1]["id"]);
    assert_eq!(keys[1]["rotated_from"], keys[0]["id"]);
    assert_eq!(keys[0]["status"], "Revoked");
    env.run(&["list"])
        .status(0)
        .stdout_has(&format!("Revoked → {}", keys[1]["id"].as_str().unwrap()));
    env.run(&["show", keys[1]["id"].as_str().unwrap()])
        .status(0)
        .stdout_has("Rotated from");
}

#[test]
fn a_starter_org_rotates_its_one_key_with_a_grace_period() {
    let env = TestEnv::with_org("acme", "starter");
    let old = env.generate("CI");
    let json = env
        .run(&["--json", "rotate", "CI", "--grace", "1h", "--yes"])
        .status(0)
        .json();
    let new = json["key"].as_str().unwrap().to_owned();
    let old_id = env.keys()[0]["id"].clone();
    assert_eq!(json["rotated_from"], old_id);
    assert_eq!(json["name"], "CI");
    let stops =
        chrono::DateTime::parse_from_rfc3339(json["old_stops_at"].as_str().unwrap()).unwrap();
    let in_an_hour = chrono::Utc::now() + chrono::TimeDelta::hours(1);
    assert!(
        (stops.timestamp() - in_an_hour.timestamp()).abs() < 30,
        "{stops}"
    );
    // Both work during the grace period; nothing else fits under the limit.
    env.run(&["verify", &old]).status(0);
    env.run(&["verify", &new]).status(0);
    env.run(&["generate", "--name", "Another"])
        .status(1)
        .stderr_has("allows 1");
    // Once the grace period is over, the old key is revoked.
    env.sql("UPDATE keys SET revoked_at = 1 WHERE rotated_from IS NULL");
    env.run(&["verify", &old]).status(1).stderr_has("REVOKED");
    env.run(&["verify", &new]).status(0);
}

/// A key in its grace period shows when it stops, in every `expires_at` and in the tables.
#[test]
fn a_key_in_its_grace_period_expires_when_the_grace_ends() {
    let env = TestEnv::with_org("acme", "pro");
    let old = env.generate("CI");
    let long_lived = env
        .run(&["generate", "--name", "Deploy", "--expires", "1d"])
        .status(0)
        .stdout();
    let json = env
        .run(&["--json", "rotate", "CI", "--grace", "1h", "--yes"])
        .status(0)
        .json();
    let stops = json["old_stops_at"].as_str().unwrap().to_owned();
    let old_id = json["rotated_from"].as_str().unwrap().to_owned();
    assert_eq!(env.key_named("CI")["expires_at"], stops, "list --json");
    let shown = env.run(&["--json", "show", &old_id]).status(0).json();
    assert_eq!(shown["expires_at"], stops, "show --json");
    let verified = env.run(&["--json", "verify", &old]).status(0).json();
    assert_eq!(verified["expires_at"], stops, "verify --json");
    let in_table = format!("{} {}", &stops[..10], &stops[11..16]);
    let row = env.run(&["list"]).status(0).stdout();
    let row = row
        .lines()
        .find(|l| l.contains(&old_id))
        .unwrap()
        .to_owned();
    assert!(row.contains(&in_table) && !row.contains("Never  "), "{row}");
    env.run(&["show", &old_id])
        .status(0)
        .stdout_has(&format!("Expiration (UTC)     {in_table}"));
    // An expiration sooner than the grace end stays; the new key keeps the old one's lifetime.
    let json = env
        .run(&["--json", "rotate", "Deploy", "--grace", "7d", "--yes"])
        .status(0)
        .json();
    let verified = env
        .run(&["--json", "verify", long_lived.trim()])
        .status(0)
        .json();
    assert_ne!(verified["expires_at"], json["old_stops_at"]);
    assert!(verified["expires_at"].is_string());
}

#[test]
fn the_new_key_inherits_the_old_lifetime_unless_told() {
    let env = TestEnv::with_org("acme", "pro");
    env.run(&["generate", "--name", "CI", "--expires", "90d"])
        .status(0);
    let json = env
        .run(&["--json", "rotate", "CI", "--yes"])
        .status(0)
        .json();
    let expires =
        chrono::DateTime::parse_from_rfc3339(json["expires_at"].as_str().unwrap()).unwrap();
    let expected = chrono::Utc::now() + chrono::TimeDelta::days(90);
    assert!((expires.timestamp() - expected.timestamp()).abs() < 30);
    let json = env
        .run(&["--json", "rotate", "CI", "--yes", "--expires", "2030-01-01"])
        .status(0)
        .json();
    assert_eq!(json["expires_at"], "2030-01-01T00:00:00Z");
    let json = env
        .run(&["--json", "rotate", "CI", "--yes", "--expires", "never"])
        .status(0)
        .json();
    assert!(json["expires_at"].is_null());
}

#[test]
fn revoked_or_expired_keys_cannot_be_rotated() {
    let env = TestEnv::with_org("acme", "pro");
    env.generate("Gone");
    env.run(&["revoke", "Gone", "--yes"]).status(0);
    env.run(&["rotate", "Gone", "--yes"])
        .status(1)
        .stderr_has("is revoked and cannot be rotated");
    env.generate("Old");
    env.sql("UPDATE keys SET expires_at = 1 WHERE name = 'Old'");
    env.run(&["rotate", "Old", "--yes"])
        .status(1)
        .stderr_has("is expired");
    assert_eq!(env.keys().len(), 2);
}

#[test]
fn a_key_in_its_grace_period_rotates_only_once() {
    let env = TestEnv::with_org("acme", "pro");
    env.generate("CI");
    let old_id = env.keys()[0]["id"].as_str().unwrap().to_owned();
    env.run(&["rotate", &old_id, "--grace", "2h", "--yes"])
        .status(0);
    env.run(&["rotate", &old_id, "--yes"])
        .status(1)
        .stderr_has("already rotated to");
    // By name, the newest active key is the one rotated.
    env.run(&["rotate", "CI", "--yes"]).status(0);
    assert_eq!(env.keys().len(), 3);
}

#[test]
fn grace_and_confirmation_rules() {
    let env = TestEnv::with_org("acme", "pro");
    env.generate("CI");
    env.run(&["rotate", "CI", "--grace", "8d", "--yes"])
        .status(2)
        .stderr_has("7 days");
    env.run(&["rotate", "CI", "--grace", "soon", "--yes"])
        .status(2);
    env.run(&["rotate", "CI"]).status(2).stderr_has("--yes");
    env.run(&["rotate", "CI", "--grace", "7d", "--yes"])
        .status(0);
    env.run(&["rotate", "Nope", "--yes"]).status(1);
}

#[test]
fn rotating_by_the_leaked_secret_on_stdin() {
    let env = TestEnv::with_org("acme", "pro");
    let old = env.generate("CI");
    let new = env
        .run_stdin(&["rotate", "-", "--yes"], &old)
        .status(0)
        .stdout();
    env.run(&["verify", new.trim()]).status(0);
    env.run(&["verify", &old]).status(1);
}

#[test]
fn a_closed_stdout_leaves_the_old_key_untouched() {
    let env = TestEnv::with_org("acme", "pro");
    let old = env.generate("CI");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::new(common::BIN)
        .env("SEENTY_KEYS_DB", &env.db)
        .args(["rotate", "CI", "--yes"])
        .stdout(writer)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    env.run(&["verify", &old]).status(0);
    assert_eq!(env.keys().len(), 1);
}

/// A key in its grace period does not count against the plan, and every count the tool
/// shows agrees: `org show`, `org list` and the limit's refusal.
#[test]
fn every_count_leaves_out_a_key_in_its_grace_period() {
    let env = TestEnv::with_org("acme", "starter");
    env.generate("CI");
    env.run(&["rotate", "CI", "--grace", "1h", "--yes"])
        .status(0);
    let shown = env.run(&["org", "show", "--json"]).status(0).json();
    assert_eq!(shown["active_keys"], 1, "{shown}");
    let listed = env.run(&["org", "list", "--json"]).status(0).json();
    assert_eq!(listed[0]["active_keys"], 1, "{listed}");
    env.run(&["generate", "--name", "Second"])
        .status(1)
        .stderr_has("has 1 active key ");
}
