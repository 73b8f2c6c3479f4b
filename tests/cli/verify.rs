//! `verify`: where the key comes from, each rejection code, JSON, and last used.

use crate::common::TestEnv;

fn env_with_key() -> (TestEnv, String) {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("GitHub Actions CI");
    (env, key)
}

fn valid_line(env: &TestEnv) -> String {
    let id = env.key_named("GitHub Actions CI")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    format!("valid {id} acme GitHub Actions CI\n")
}

#[test]
fn the_key_comes_from_the_argument_dash_the_environment_or_stdin() {
    let (env, key) = env_with_key();
    let expected = valid_line(&env);
    env.run(&["verify", &key])
        .status(0)
        .stdout_is(&expected)
        .stderr_is("");
    env.run_stdin(&["verify", "-"], &format!("  {key}\n"))
        .status(0)
        .stdout_is(&expected);
    env.run_stdin(&["verify"], &format!("{key}\n"))
        .status(0)
        .stdout_is(&expected);
    env.command()
        .env("SEENTY_TOKEN", &key)
        .arg("verify")
        .assert()
        .code(0)
        .stdout(expected.clone());
    // The argument wins over SEENTY_TOKEN, which wins over stdin.
    env.command()
        .env("SEENTY_TOKEN", "garbage")
        .args(["verify", &key])
        .assert()
        .code(0);
    env.command()
        .env("SEENTY_TOKEN", &key)
        .arg("verify")
        .write_stdin("garbage")
        .assert()
        .code(0);
    env.command()
        .env("SEENTY_TOKEN", "garbage")
        .arg("verify")
        .write_stdin(key.clone())
        .assert()
        .code(1);
}

#[test]
fn malformed_keys_are_rejected_offline() {
    let (env, key) = env_with_key();
    let mut typo = key.clone().into_bytes();
    typo[12] = if typo[12] == b'a' { b'b' } else { b'a' };
    let typo = String::from_utf8(typo).unwrap();
    for bad in [
        "",
        "sk_live_",
        "hello",
        &key[..35],
        &format!("{key}x"),
        &typo,
        &key.replace("sk_live_", "sk_test_"),
    ] {
        env.run_stdin(&["verify", "-"], bad)
            .status(1)
            .stdout_is("")
            .stderr_has("authentication error: ")
            .stderr_has("(MALFORMED)");
    }
    // Offline: no store is needed to reject a malformed key.
    let empty = TestEnv::new();
    empty
        .run(&["verify", "sk_live_nope"])
        .status(1)
        .stderr_has("MALFORMED");
}

#[test]
fn invalid_utf8_is_malformed_not_a_crash() {
    let (env, _) = env_with_key();
    env.command()
        .args(["verify", "-"])
        .write_stdin(vec![0xff, 0xfe, b'\n'])
        .assert()
        .code(1);
    use std::os::unix::ffi::OsStrExt;
    let arg = std::ffi::OsStr::from_bytes(b"sk_live_\xff");
    env.command().arg("verify").arg(arg).assert().code(1);
}

#[test]
fn each_rejection_has_its_code() {
    let env = TestEnv::with_org("acme", "pro");
    let revoked = env.generate("Revoked one");
    let expired = env.generate("Expired one");
    let unknown = {
        let other = TestEnv::with_org("other", "pro");
        other.generate("Elsewhere")
    };
    env.run(&["revoke", "Revoked one", "--yes"]).status(0);
    env.sql("UPDATE keys SET expires_at = 1 WHERE name = 'Expired one'");
    env.run(&["verify", &revoked])
        .status(1)
        .stderr_has("(REVOKED)")
        .stdout_is("");
    env.run(&["verify", &expired])
        .status(1)
        .stderr_has("(EXPIRED)");
    env.run(&["verify", &unknown])
        .status(1)
        .stderr_has("(NOT_FOUND)");

    let plan = env.generate("Plan one");
    env.run(&["org", "set-plan", "hobby", "--yes"]).status(0);
    env.run(&["verify", &plan]).status(1).stderr_has("(PLAN)");
}

#[test]
fn org_narrows_verify_to_one_organization() {
    let (env, key) = env_with_key();
    env.run(&["org", "create", "beta", "--plan", "pro"])
        .status(0);
    env.run(&["--org", "acme", "verify", &key]).status(0);
    env.run(&["--org", "beta", "verify", &key])
        .status(1)
        .stderr_has("(NOT_FOUND)");
    env.command()
        .env("SEENTY_ORG", "beta")
        .args(["verify", &key])
        .assert()
        .code(1);
}

#[test]
fn json_reports_without_echoing_the_secret() {
    let (env, key) = env_with_key();
    let valid = env.run(&["--json", "verify", &key]).status(0);
    assert!(!valid.stdout().contains(&key));
    let json = valid.json();
    assert_eq!(json["valid"], true);
    assert!(json["code"].is_null());
    assert_eq!(json["org"], "acme");
    assert_eq!(json["name"], "GitHub Actions CI");
    assert!(json["expires_at"].is_null());
    let fields: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
    assert_eq!(fields, ["code", "expires_at", "id", "name", "org", "valid"]);

    let bad = env
        .run(&["--json", "verify", "sk_live_0000000000000000000000000000"])
        .status(1)
        .json();
    assert_eq!(bad["valid"], false);
    assert_eq!(bad["code"], "MALFORMED");
    assert!(bad["id"].is_null() && bad["org"].is_null() && bad["name"].is_null());
    env.run(&["revoke", "GitHub Actions CI", "--yes"]).status(0);
    let revoked = env.run(&["--json", "verify", &key]).status(1).json();
    assert_eq!(revoked["code"], "REVOKED");
    assert_eq!(revoked["name"], "GitHub Actions CI");
}

#[test]
fn quiet_prints_nothing_and_no_touch_leaves_last_used() {
    let (env, key) = env_with_key();
    env.run(&["verify", "--quiet", "--no-touch", &key])
        .status(0)
        .stdout_is("");
    assert!(env.key_named("GitHub Actions CI")["last_used_at"].is_null());
    env.run(&["verify", "-q", &key]).status(0).stdout_is("");
    let used = env.key_named("GitHub Actions CI")["last_used_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let at = chrono::DateTime::parse_from_rfc3339(&used).unwrap();
    let age = chrono::Utc::now().signed_duration_since(at);
    assert!(age.num_seconds() >= 0 && age.num_seconds() < 60, "{used}");
}
