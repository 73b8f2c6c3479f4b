//! Organizations and plans: create, list, show, use, set-plan, and choosing the org.

use crate::common::TestEnv;

#[test]
fn plans_are_seeded_with_their_limits() {
    let env = TestEnv::with_org("acme", "pro");
    let json = env.run(&["--json", "plans"]).status(0).json();
    let limits: Vec<_> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["plan"].clone(),
                p["key_limit"].clone(),
                p["api_access"].clone(),
            )
        })
        .collect();
    assert_eq!(
        serde_json::to_value(limits).unwrap(),
        serde_json::json!([
            ["hobby", 0, false],
            ["starter", 1, true],
            ["pro", 5, true],
            ["ultra", 10, true],
            ["enterprise", null, true]
        ])
    );
    env.run(&["plans"])
        .status(0)
        .stdout_has("Enterprise")
        .stdout_has("Unlimited");
}

#[test]
fn org_list_shows_keys_in_use_against_each_limit() {
    let env = TestEnv::with_org("acme", "pro");
    env.generate("CI");
    env.run(&[
        "org",
        "create",
        "beta",
        "--plan",
        "enterprise",
        "--name",
        "Beta Inc",
    ])
    .status(0);
    let table = env.run(&["org", "list"]).status(0).stdout();
    assert!(table.contains("1 / 5"), "{table}");
    assert!(table.contains("0 / Unlimited"), "{table}");
    let json = env.run(&["--json", "org", "list"]).status(0).json();
    assert_eq!(json[0]["slug"], "acme");
    assert_eq!(json[0]["active_keys"], 1);
    assert_eq!(json[0]["default"], true);
    assert_eq!(json[1]["name"], "Beta Inc");
    assert!(json[1]["key_limit"].is_null());
}

#[test]
fn the_org_is_the_flag_else_the_default_else_the_only_one() {
    let env = TestEnv::new();
    env.run(&["init", "--org", "acme", "--plan", "pro"])
        .status(0);
    env.run(&["org", "create", "beta", "--plan", "pro"])
        .status(0);
    // init made acme the default.
    env.generate("Acme CI");
    assert_eq!(env.key_named("Acme CI")["org"], "acme");
    env.run(&["org", "use", "beta"]).status(0);
    env.generate("Beta CI");
    assert_eq!(env.key_named("Beta CI")["org"], "beta");
    env.run(&["--org", "acme", "list"])
        .status(0)
        .stdout_has("Acme CI");
    env.command()
        .env("SEENTY_ORG", "acme")
        .args(["show", "Acme CI"])
        .assert()
        .code(0);
    env.run(&["--org", "nope", "list"])
        .status(1)
        .stderr_has("no organization \"nope\"")
        .stderr_has("org list");
    env.run(&["org", "use", "nope"]).status(1);
    env.run(&["org", "show"]).status(0).stdout_has("beta");
    env.run(&["--json", "org", "show", "acme"]).status(0);
}

#[test]
fn several_orgs_and_no_default_asks_which() {
    let env = TestEnv::with_org("acme", "pro");
    env.run(&["org", "create", "beta", "--plan", "pro"])
        .status(0);
    env.sql("DELETE FROM settings");
    env.run(&["generate", "--name", "CI"])
        .status(1)
        .stderr_has("2 organizations")
        .stderr_has("--org");
}

#[test]
fn org_create_rules() {
    let env = TestEnv::with_org("acme", "pro");
    env.run(&["org", "create", "acme", "--plan", "pro"])
        .status(1)
        .stderr_has("already exists");
    env.run(&["org", "create", "Bad Slug", "--plan", "pro"])
        .status(2);
    env.run(&["org", "create", "good", "--plan", "platinum"])
        .status(2);
    env.run(&[
        "org", "create", "good", "--plan", "pro", "--name", "a\u{7}b",
    ])
    .status(2);
    env.run(&["org", "create", "good", "--plan", "pro"])
        .status(0);
}

#[test]
fn plan_changes_are_audited() {
    let env = TestEnv::with_org("acme", "pro");
    env.run(&["org", "set-plan", "ultra"])
        .status(0)
        .stdout_has("Pro -> Ultra");
    let detail = env.query_value("SELECT detail FROM events WHERE kind = 'plan_changed'");
    assert_eq!(detail.as_deref(), Some("pro -> ultra"));
}
