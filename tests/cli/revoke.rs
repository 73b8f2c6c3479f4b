//! `revoke`: by id, by name and by the secret on stdin; twice; confirmation rules.

use crate::common::TestEnv;

#[test]
fn revoke_by_id_by_name_and_by_secret() {
    let env = TestEnv::with_org("acme", "pro");
    let by_id = env.generate("By id");
    env.generate("By name");
    let by_secret = env.generate("By secret");
    let id = env.key_named("By id")["id"].as_str().unwrap().to_owned();

    env.run(&["revoke", &id, "--yes"])
        .status(0)
        .stdout_has("Revoked")
        .stdout_has(&id);
    env.run(&["revoke", "By name", "--yes", "--reason", "rotated by hand"])
        .status(0);
    env.run_stdin(
        &["revoke", "-", "--yes", "--reason", "leaked in build log"],
        &format!("{by_secret}\n"),
    )
    .status(0);

    for name in ["By id", "By name", "By secret"] {
        assert_eq!(env.key_named(name)["status"], "Revoked", "{name}");
    }
    assert_eq!(env.key_named("By name")["revoke_reason"], "rotated by hand");
    assert_eq!(
        env.key_named("By secret")["revoke_reason"],
        "leaked in build log"
    );
    env.run(&["verify", &by_id]).status(1).stderr_has("REVOKED");
    env.run(&["verify", &by_secret])
        .status(1)
        .stderr_has("REVOKED");
}

#[test]
fn revoking_twice_succeeds_and_says_so() {
    let env = TestEnv::with_org("acme", "pro");
    env.generate("CI");
    env.run(&["revoke", "CI", "--yes", "--reason", "first"])
        .status(0);
    env.run(&["revoke", "CI", "--yes", "--reason", "second"])
        .status(0)
        .stdout_has("already revoked");
    // Without --yes too: there is nothing left to confirm.
    env.run(&["revoke", "CI"])
        .status(0)
        .stdout_has("already revoked");
    assert_eq!(env.key_named("CI")["revoke_reason"], "first");
}

#[test]
fn without_a_terminal_revoke_needs_yes() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("CI");
    env.run(&["revoke", "CI"]).status(2).stderr_has("--yes");
    env.run(&["verify", &key]).status(0);
}

#[test]
fn unknown_or_malformed_references_are_refused() {
    let env = TestEnv::with_org("acme", "pro");
    env.generate("CI");
    env.run(&["revoke", "Nope", "--yes"])
        .status(1)
        .stderr_has("no key matches")
        .stderr_has("seenty-keys list");
    env.run(&["revoke", "key_0000000000000000", "--yes"])
        .status(1);
    env.run_stdin(&["revoke", "-", "--yes"], "sk_live_bogus")
        .status(1)
        .stderr_has("not a valid Seenty key");
    env.run_stdin(
        &["revoke", "-", "--yes"],
        "sk_live_0000000000000000000000000000",
    )
    .status(1);
    env.run(&["revoke", "CI", "--yes", "--reason", "bad\u{1b}reason"])
        .status(2);
    assert_eq!(env.key_named("CI")["status"], "Active");
}

#[test]
fn a_name_shared_by_revoked_keys_is_ambiguous() {
    let env = TestEnv::with_org("acme", "pro");
    env.generate("CI");
    env.run(&["revoke", "CI", "--yes"]).status(0);
    env.generate("CI");
    env.run(&["revoke", "CI", "--yes"]).status(0);
    env.run(&["show", "CI"])
        .status(1)
        .stderr_has("2 keys are named");
    env.generate("CI");
    env.run(&["show", "CI"]).status(0).stdout_has("Active");
}

#[test]
fn show_lists_the_properties() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("CI");
    let out = env.run(&["show", "CI"]).status(0).stdout();
    for label in [
        "ID",
        "Name",
        "Organization",
        "Key",
        "Created",
        "Expiration",
        "Last used",
        "Status",
    ] {
        assert!(out.contains(label), "{label}: {out}");
    }
    assert!(out.contains(&format!("sk_live_…{}", &key[32..])));
    assert!(!out.contains(&key));
    let json = env
        .run_stdin(&["--json", "show", "-"], &key)
        .status(0)
        .json();
    assert_eq!(json["name"], "CI");
    assert_eq!(json["status"], "Active");
}
