//! `generate`: output for scripts and JSON, name and expiry rules, plan limits, and the
//! promise that a key nobody saw is never stored.

use std::process::Stdio;

use crate::common::{BIN, TestEnv};

#[test]
fn prints_only_the_key_when_piped() {
    let env = TestEnv::with_org("acme", "pro");
    let run = env
        .run(&["generate", "--name", "GitHub Actions CI"])
        .status(0)
        .stderr_is("");
    let out = run.stdout();
    assert!(
        out.starts_with("sk_live_") && out.len() == 37 && out.ends_with('\n'),
        "{out:?}"
    );
}

#[test]
fn json_has_the_spec_fields() {
    let env = TestEnv::with_org("acme", "pro");
    let json = env
        .run(&[
            "--json",
            "generate",
            "--name",
            "Deploy",
            "--expires",
            "2030-01-01",
        ])
        .status(0)
        .json();
    let fields: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        fields,
        ["created_at", "expires_at", "id", "key", "name", "org"]
    );
    assert_eq!(json["name"], "Deploy");
    assert_eq!(json["org"], "acme");
    assert_eq!(json["expires_at"], "2030-01-01T00:00:00Z");
    assert!(json["id"].as_str().unwrap().starts_with("key_"));
    assert!(json["key"].as_str().unwrap().starts_with("sk_live_"));
    let never = env
        .run(&["--json", "generate", "--name", "Forever"])
        .status(0)
        .json();
    assert!(never["expires_at"].is_null());
}

#[test]
fn bad_names_are_usage_errors() {
    let env = TestEnv::with_org("acme", "pro");
    let long = "x".repeat(101);
    for (name, message) in [
        ("", "empty"),
        ("   ", "empty"),
        (long.as_str(), "101 characters"),
        ("bad\u{1b}[31mname", "control"),
        ("two\nlines", "control"),
        ("bidi\u{202e}txt", "control"),
    ] {
        env.run(&["generate", "--name", name])
            .status(2)
            .stderr_has("error: ")
            .stderr_has(message);
    }
    // 100 characters (not bytes) is fine, surrounding blanks are trimmed.
    env.run(&["generate", "--name", &format!("  {}  ", "é".repeat(100))])
        .status(0);
    assert_eq!(env.keys()[0]["name"], "é".repeat(100));
    assert_eq!(env.keys().len(), 1);
}

#[test]
fn a_duplicate_active_name_is_refused_but_a_revoked_name_can_be_reused() {
    let env = TestEnv::with_org("acme", "pro");
    env.generate("GitHub Actions CI");
    env.run(&["generate", "--name", "GitHub Actions CI"])
        .status(1)
        .stderr_has("an active key named \"GitHub Actions CI\" already exists");
    env.run(&["revoke", "GitHub Actions CI", "--yes"]).status(0);
    env.generate("GitHub Actions CI");
    assert_eq!(env.keys().len(), 2);
}

#[test]
fn generic_names_get_a_warning() {
    let env = TestEnv::with_org("acme", "pro");
    env.run(&["generate", "--name", "key1"])
        .status(0)
        .stderr_has("warning: ")
        .stderr_has("generic name");
    env.run(&["generate", "--name", "Terraform integration"])
        .status(0)
        .stderr_is("");
}

#[test]
fn bad_expirations_are_usage_errors() {
    let env = TestEnv::with_org("acme", "pro");
    for when in [
        "yesterday",
        "2020-01-01",
        "0d",
        "2020-01-01T00:00:00Z",
        "99999999999999999999d",
        "1.5d",
        "",
    ] {
        env.run(&["generate", "--name", "CI", "--expires", when])
            .status(2)
            .stderr_has("expiration");
    }
    assert!(env.keys().is_empty());
    for when in [
        "90d",
        "12h",
        "2w",
        "30m",
        "never",
        "2030-12-31",
        "2030-12-31T23:59:59+01:00",
    ] {
        let name = format!("CI {when}");
        env.run(&["generate", "--name", &name, "--expires", when])
            .status(0);
        env.run(&["revoke", &name, "--yes"]).status(0);
    }
}

#[test]
fn missing_name_without_a_terminal_is_a_usage_error() {
    let env = TestEnv::with_org("acme", "pro");
    env.run(&["generate"])
        .status(2)
        .stderr_has("--name is required");
}

#[test]
fn hobby_has_no_api_access() {
    let env = TestEnv::with_org("free", "hobby");
    env.run(&["generate", "--name", "CI"])
        .status(1)
        .stderr_has("Hobby plan, which has no API access")
        .stderr_has("org set-plan starter");
    assert!(env.keys().is_empty());
}

#[test]
fn plan_limits_hold_and_revoked_or_expired_keys_do_not_count() {
    let env = TestEnv::with_org("acme", "starter");
    env.generate("Only key");
    env.run(&["generate", "--name", "Second"])
        .status(1)
        .stderr_has("allows 1")
        .stderr_has("org set-plan pro");
    env.run(&["revoke", "Only key", "--yes"]).status(0);
    env.generate("Replacement");
    env.sql("UPDATE keys SET expires_at = 1 WHERE name = 'Replacement'");
    env.generate("After expiry");
    env.run(&["org", "set-plan", "enterprise"]).status(0);
    for i in 0..12 {
        env.generate(&format!("Runner {i}"));
    }
}

#[test]
fn a_downgrade_keeps_keys_working_but_refuses_new_ones() {
    let env = TestEnv::with_org("acme", "pro");
    let keys: Vec<_> = (0..3)
        .map(|i| env.generate(&format!("Runner {i}")))
        .collect();
    env.run(&["org", "set-plan", "starter"])
        .status(2)
        .stderr_has("--yes");
    env.run(&["org", "set-plan", "starter", "--yes"]).status(0);
    for key in &keys {
        env.run(&["verify", key]).status(0);
    }
    env.run(&["generate", "--name", "Runner 4"])
        .status(1)
        .stderr_has("has 3 active keys");
    env.run(&["revoke", "Runner 0", "--yes"]).status(0);
    env.run(&["revoke", "Runner 1", "--yes"]).status(0);
    env.run(&["generate", "--name", "Runner 4"]).status(1);
    env.run(&["revoke", "Runner 2", "--yes"]).status(0);
    env.generate("Runner 4");
}

/// Rust reopens a closed stdout on /dev/null; either way the key would be lost.
#[test]
fn closed_or_discarded_stdout_stores_nothing() {
    let env = TestEnv::with_org("acme", "pro");
    for redirect in [">&-", ">/dev/null"] {
        let script = format!("exec \"$0\" generate --name CI {redirect}");
        let out = std::process::Command::new("sh")
            .args(["-c", &script, BIN])
            .env("SEENTY_KEYS_DB", &env.db)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(3),
            "{redirect}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was stored"));
    }
    assert!(env.keys().is_empty());
}

#[test]
fn a_broken_pipe_stores_nothing() {
    let env = TestEnv::with_org("acme", "pro");
    for json in [false, true] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut cmd = std::process::Command::new(BIN);
        cmd.env("SEENTY_KEYS_DB", &env.db)
            .stdout(writer)
            .stderr(Stdio::piped());
        if json {
            cmd.arg("--json");
        }
        let out = cmd.args(["generate", "--name", "CI"]).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(3),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stderr)
                .contains("could not be written to standard output")
        );
    }
    assert!(env.keys().is_empty());
    // The audit trail has no creation event for the key that was rolled back.
    let events = env.query_value("SELECT count(*) FROM events WHERE kind = 'key_created'");
    assert_eq!(events.as_deref(), Some("0"));
}
