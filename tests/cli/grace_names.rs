//! A name during a rotation's grace period: two active keys share it, so `revoke NAME`
//! and `show NAME` are ambiguous (exit 2, both ids listed, nothing revoked), while
//! `rotate NAME` takes the replacement.

use crate::common::TestEnv;

const NAME: &str = "GitHub Actions CI";

/// `rotate NAME --grace 1h`: the new secret.
fn rotate_with_grace(env: &TestEnv) -> String {
    env.run(&["rotate", NAME, "--grace", "1h", "--yes"])
        .status(0)
        .stdout()
        .trim()
        .to_owned()
}

/// A key rotated with a grace period of an hour: (old secret, new secret, old id, new id).
fn in_grace(env: &TestEnv) -> (String, String, String, String) {
    let old = env.generate(NAME);
    let new = rotate_with_grace(env);
    let keys = env.keys();
    let id = |i: usize| keys[i]["id"].as_str().unwrap().to_owned();
    (old, new, id(0), id(1))
}

#[test]
fn revoking_a_name_in_grace_is_ambiguous_and_revokes_nothing() {
    let env = TestEnv::with_org("acme", "pro");
    let (old, new, old_id, new_id) = in_grace(&env);
    env.run(&["revoke", NAME, "--yes"])
        .status(2)
        .stderr_has(&old_id)
        .stderr_has(&new_id)
        .stderr_has("grace period");
    env.run_stdin(&["verify"], &old).status(0);
    env.run_stdin(&["verify"], &new).status(0);
    // Among other references, one ambiguous name stops the whole revocation.
    let other = env.generate("Other");
    env.run(&["revoke", "Other", NAME, "--yes"]).status(2);
    env.run_stdin(&["verify"], &other).status(0);
    // By id, the leaked old key is the one revoked.
    env.run(&["revoke", &old_id, "--yes"]).status(0);
    env.run_stdin(&["verify"], &old).status(1);
    env.run_stdin(&["verify"], &new).status(0);
    // With one active key left, the name names it again.
    env.run(&["revoke", NAME, "--yes"]).status(0);
    env.run_stdin(&["verify"], &new).status(1);
}

#[test]
fn showing_a_name_in_grace_is_ambiguous() {
    let env = TestEnv::with_org("acme", "pro");
    let (_, _, old_id, new_id) = in_grace(&env);
    for args in [vec!["show", NAME], vec!["--json", "show", NAME]] {
        env.run(&args)
            .status(2)
            .stderr_has(&old_id)
            .stderr_has(&new_id);
    }
    env.run(&["show", &old_id]).status(0).stdout_has(&old_id);
}

#[test]
fn rotating_a_name_in_grace_rotates_the_replacement() {
    let env = TestEnv::with_org("acme", "pro");
    let (old, new, _, new_id) = in_grace(&env);
    let newest = rotate_with_grace(&env);
    let keys = env.keys();
    assert_eq!(keys[1]["id"], new_id.as_str());
    assert_eq!(keys[1]["rotated_to"], keys[2]["id"]);
    env.run_stdin(&["verify"], &new).status(0);
    env.run_stdin(&["verify"], &newest).status(0);
    // The first key's grace period ended with this rotation: two keys work, not three.
    env.run_stdin(&["verify"], &old).status(1);
}
