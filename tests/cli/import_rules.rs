//! `import` accepts only what the commands could have produced: every field validated as
//! `generate` would, links and limits checked across lines, an export that always imports
//! again, and a `--merge` that never rewrites a revocation.

use serde_json::Value;

use crate::common::TestEnv;

/// An export of a store with organization `acme` on `plan` and keys named `names`.
fn exported(plan: &str, names: &[&str]) -> Vec<Value> {
    let env = TestEnv::with_org("acme", plan);
    for name in names {
        env.generate(name);
    }
    let out = env.run(&["export"]).status(0).stdout();
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn text(lines: &[Value]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

fn keys(lines: &mut [Value]) -> impl Iterator<Item = &mut Value> {
    lines.iter_mut().filter(|l| l["type"] == "key")
}

/// Imports `lines` into a fresh store; the store must stay empty when refused.
fn import(lines: &[Value], status: i32, says: &str) {
    let env = TestEnv::new();
    env.run_stdin(&["import"], &text(lines))
        .status(status)
        .stderr_has(says);
    if status != 0 {
        assert!(
            !env.store_exists() || env.run(&["org", "list", "--json"]).stdout().trim() == "[]",
            "something was imported"
        );
    }
}

#[test]
fn a_hint_that_is_not_a_hint_is_refused() {
    let mut lines = exported("pro", &["CI"]);
    for key in keys(&mut lines) {
        key["hint"] = "\u{1b}]0;PWNED\u{7}\u{1b}[31m".into();
    }
    import(&lines, 2, "hint");
}

#[test]
fn names_are_checked_as_generate_checks_them() {
    for name in [
        String::new(),
        "x".repeat(5000),
        "Prod\u{200B}deploy".to_owned(),
    ] {
        let mut lines = exported("pro", &["CI"]);
        for key in keys(&mut lines) {
            key["name"] = name.clone().into();
        }
        import(&lines, 2, "name");
    }
}

#[test]
fn two_active_keys_named_alike_are_refused() {
    let mut lines = exported("pro", &["Deploy", "Other"]);
    for key in keys(&mut lines).skip(1) {
        key["name"] = "deploy".into();
    }
    import(&lines, 1, "named alike");
}

#[test]
fn an_organization_above_its_limit_is_refused_unless_it_was_downgraded() {
    let mut lines = exported("pro", &["A", "B"]);
    for org in lines.iter_mut().filter(|l| l["type"] == "org") {
        org["plan"] = "starter".into();
    }
    import(&lines, 1, "allows 1");
    // What `org set-plan starter --yes` leaves behind imports again.
    let env = TestEnv::with_org("acme", "pro");
    env.generate("A");
    env.generate("B");
    env.run(&["org", "set-plan", "starter", "--yes"]).status(0);
    let out = env.run(&["export"]).status(0).stdout();
    TestEnv::new().run_stdin(&["import"], &out).status(0);
}

#[test]
fn a_key_replaced_twice_is_refused() {
    let env = TestEnv::with_org("acme", "pro");
    env.generate("CI");
    env.run(&["rotate", "CI", "--yes"]).status(0);
    let out = env.run(&["export"]).status(0).stdout();
    let mut lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let second = keys(&mut lines).nth(1).unwrap().clone();
    let mut third = second.clone();
    third["id"] = "key_thirdclaimant".into();
    third["hash"] = "cd".repeat(32).into();
    third["name"] = "CI copy".into();
    let at = lines.iter().position(|l| *l == second).unwrap() + 1;
    lines.insert(at, third);
    import(&lines, 1, "replaced by more than one key");
}

#[test]
fn times_an_export_could_not_write_again_are_refused() {
    let mut lines = exported("pro", &["CI"]);
    for key in keys(&mut lines) {
        key["created_at"] = "9999-12-31T23:59:59-14:00".into();
    }
    import(&lines, 2, "outside");
}

#[test]
fn merge_never_rewrites_a_revocation() {
    let env = TestEnv::with_org("acme", "pro");
    env.generate("CI");
    env.run(&["revoke", "CI", "--yes", "--reason", "LEAKED in public gist"])
        .status(0);
    let before = env.key_named("CI");
    let out = env.run(&["export"]).status(0).stdout();
    let mut lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for key in keys(&mut lines) {
        key["revoked_at"] = "2020-01-01T00:00:00Z".into();
        key["revoke_reason"] = "routine rotation".into();
    }
    env.run_stdin(&["import", "--merge"], &text(&lines))
        .status(0);
    let after = env.key_named("CI");
    assert_eq!(after["revoked_at"], before["revoked_at"]);
    let shown = env.run(&["show", "CI", "--json"]).status(0).json();
    assert_eq!(shown["revoke_reason"], "LEAKED in public gist", "{shown}");
}

#[test]
fn a_future_revocation_is_only_a_rotations_grace_period() {
    // A revocation years ahead would keep a key working without counting it.
    let mut lines = exported("pro", &["A"]);
    for key in keys(&mut lines) {
        key["revoked_at"] = "2099-01-01T00:00:00Z".into();
    }
    import(&lines, 1, "without a rotation's grace period");
    // A real grace period imports.
    let env = TestEnv::with_org("acme", "pro");
    env.generate("CI");
    env.run(&["rotate", "CI", "--grace", "1h", "--yes"])
        .status(0);
    let out = env.run(&["export"]).status(0).stdout();
    TestEnv::new().run_stdin(&["import"], &out).status(0);
}
