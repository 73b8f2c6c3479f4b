//! What a person reads when something goes wrong or is reported: exact texts of the
//! errors and their fixes, counts and plan names, usage errors and help. Prompts at a
//! terminal are in tests/cli/terminal.rs.

use crate::common::TestEnv;

/// `beta` is the default; `acme` is on Starter with its one key.
fn two_orgs() -> TestEnv {
    let env = TestEnv::with_org("beta", "pro");
    env.run(&["org", "create", "acme", "--plan", "starter"])
        .status(0);
    env.run(&["--org", "acme", "generate", "--name", "CI"])
        .status(0);
    env
}

#[test]
fn fixes_name_the_organization_when_it_is_not_the_default() {
    let env = two_orgs();
    let refused = env
        .run(&["--org", "acme", "generate", "--name", "Deploy"])
        .status(1);
    refused.stderr_is(
        "error: organization \"acme\" has 1 active key and its Starter plan allows 1\n  \
         revoke a key (seenty-keys --org acme revoke KEYREF) or upgrade: seenty-keys --org acme org set-plan pro\n",
    );
    // SEENTY_ORG acts on acme as well, so the fix names it too.
    env.command()
        .env("SEENTY_ORG", "acme")
        .args(["show", "nothing"])
        .assert()
        .code(1)
        .stderr(
            "error: no key matches \"nothing\" in organization \"acme\"\n  \
             see the keys and their ids: seenty-keys --org acme list\n",
        );
    // On the default organization the fix needs no --org.
    env.run(&["--org", "beta", "show", "nothing"])
        .status(1)
        .stderr_has("\n  see the keys and their ids: seenty-keys list\n");
    env.run(&["org", "use", "acme"]).status(0);
    env.run(&["--org", "acme", "generate", "--name", "Deploy"])
        .status(1)
        .stderr_has("or upgrade: seenty-keys org set-plan pro\n");
}

#[test]
fn a_secret_from_stdin_that_no_organization_knows() {
    let env = TestEnv::with_org("acme", "pro");
    let elsewhere = TestEnv::with_org("other", "pro");
    let key = elsewhere.generate("CI");
    env.run_stdin(&["revoke", "-", "--yes"], &key)
        .status(1)
        .stderr_is(
            "error: no key in this store matches the key read from standard input\n  \
             check that it is a key of this store (--db PATH or SEENTY_KEYS_DB)\n",
        );
    env.run_stdin(&["--org", "acme", "show", "-"], &key)
        .status(1)
        .stderr_has(
            "error: no key in organization \"acme\" matches the key read from standard input\n",
        );
}

#[test]
fn a_file_that_is_not_a_store_is_named_and_the_path_questioned() {
    let env = TestEnv::new_sqlite();
    let path = env.path("passwd");
    std::fs::write(&path, "root:x:0:0:root:/root:/bin/bash\n".repeat(200)).unwrap();
    let path = path.display().to_string();
    env.run(&["--db", &path, "list"]).status(3).stderr_is(&format!(
        "error: store: {path}: not a seenty-keys store (or a damaged one)\n  \
         check the path given with --db or SEENTY_KEYS_DB; if it is the right file, the store is damaged: restore it from a backup\n"
    ));
}

#[test]
fn grace_errors_talk_about_the_grace_period() {
    let env = TestEnv::with_org("acme", "pro");
    env.generate("CI");
    for grace in ["never", "-1h", "soon"] {
        env.run(&["rotate", "CI", "--grace", grace, "--yes"])
            .status(2)
            .stderr_is(&format!(
                "error: invalid grace period \"{grace}\": --grace is how long the old key keeps working, a duration such as 30m, 1h or 2d\n  \
                 leave --grace out to stop the old key now\n"
            ));
    }
    env.run(&["rotate", "CI", "--grace", "99999999999999999999w", "--yes"])
        .status(2)
        .stderr_has("longer than the 7 days");
}

#[test]
fn creating_an_existing_organization_offers_to_use_it() {
    let env = TestEnv::with_org("acme", "pro");
    env.run(&["org", "create", "acme", "--plan", "pro"])
        .status(1)
        .stderr_is(
            "error: organization \"acme\" already exists\n  \
             use it: seenty-keys org use acme (or see it: seenty-keys org show acme)\n",
        );
}

#[test]
fn counts_are_plural_only_when_not_one_and_plans_spelled_as_in_tables() {
    let env = TestEnv::new();
    env.run(&["init", "--org", "acme", "--plan", "starter"])
        .status(0)
        .stdout_has("with organization acme (Starter: up to 1 active key).");
    env.generate("CI");
    env.run(&["org", "set-plan", "enterprise"])
        .status(0)
        .stdout_is("acme: Starter -> Enterprise (1 key in use, no limit).\n");
    env.run(&["org", "set-plan", "pro"])
        .status(0)
        .stdout_is("acme: Enterprise -> Pro (1 of 5 keys in use).\n");
    env.run(&["org", "set-plan", "hobby", "--yes"])
        .status(0)
        .stderr_has("Hobby has no API access: its 1 active key will be rejected.");
    let dump = env.run(&["export"]).status(0).stdout();
    let target = TestEnv::new();
    target
        .run_stdin(&["import"], &dump)
        .status(0)
        .stdout_has("Imported 1 organization, 1 setting, 1 key, 0 revocations,");
}

#[test]
fn help_and_usage_lines_tell_the_truth_about_the_environment() {
    let env = TestEnv::with_org("acme", "pro");
    // SEENTY_KEYS_DB is set by the test environment: --db is not required for it.
    env.run(&["revoke"])
        .status(2)
        .stderr_has("\nUsage: seenty-keys revoke <KEYREF>...\n");
    let help = env.run(&["generate", "--help"]).status(0).stdout();
    assert!(help.contains("[env: SEENTY_ORG]"), "{help}");
    assert!(!help.contains("SEENTY_ORG="), "{help}");
    let typo = env.run(&["genrate"]).status(2).stderr();
    assert!(
        typo.contains("tip: a similar subcommand exists: 'generate'")
            && !typo.contains("generate-assets"),
        "{typo}"
    );
}

#[test]
fn negative_and_huge_values_get_a_reason() {
    let env = TestEnv::with_org("acme", "pro");
    env.run(&["generate", "--name", "CI", "--expires", "-5d"])
        .status(2)
        .stderr_is(
            "error: expiration \"-5d\" is in the past: a duration counts forward from now, e.g. 5d\n",
        );
    for limit in ["-1", "0"] {
        env.run(&["log", "--limit", limit])
            .status(2)
            .stderr_has(&format!(
                "invalid value '{limit}' for '--limit <N>': {limit} is not in 1.."
            ));
    }
    env.run(&["generate", "--name", "CI", "--expires", "1000000d"])
        .status(2)
        .stderr_is(
            "error: expiration \"1000000d\" is more than 10 years away: a key expires within 10 years, or never\n",
        );
    env.run(&["rotate", "CI", "--expires", "2100-01-01", "--yes"])
        .status(2)
        .stderr_has("is more than 10 years away");
    env.run(&["generate", "--name", "CI", "--expires", "3650d"])
        .status(0);
}

#[test]
fn the_readme_stands_alone_and_lists_every_exit() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        !readme.contains("SPEC"),
        "the README is the contract itself"
    );
    let exits = readme.split("## Exit codes").nth(1).unwrap();
    let refused = exits.lines().find(|l| l.starts_with("| 1 |")).unwrap();
    assert!(refused.contains("a prompt answered no"), "{refused}");
    assert!(
        !readme.contains("$PWD/demo"),
        "the quickstart leaves the clone clean"
    );
}
