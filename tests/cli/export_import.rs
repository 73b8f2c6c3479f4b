//! `export` and `import [--merge]`: the whole store as JSON lines, loaded back into
//! either backend, idempotently. Runs on the suite's backend; with a PostgreSQL server,
//! also SQLite to PostgreSQL and back.

use serde_json::Value;

use crate::common::{TestEnv, postgres_only};

/// Keys of a populated store: (secret, what verify must say).
struct Stocked {
    secrets: Vec<(String, &'static str)>,
}

/// Two organizations; active, rotated (in grace), revoked and expired keys; last-used
/// times; an attempt to use a revoked key in the audit trail.
fn stock(env: &TestEnv) -> Stocked {
    env.run(&["init", "--org", "acme", "--plan", "pro"])
        .status(0);
    env.run(&[
        "org",
        "create",
        "beta",
        "--plan",
        "starter",
        "--name",
        "Beta Ltd – Zürich",
    ])
    .status(0);
    let ci = env.generate("CI");
    let deploy = env.generate("Deploy");
    let old = env.generate("Old");
    let rotated = env
        .run(&["rotate", "CI", "--grace", "1h", "--yes"])
        .status(0)
        .stdout()
        .trim()
        .to_owned();
    env.run(&["revoke", "Deploy", "--yes", "--reason", "leaked"])
        .status(0);
    env.sql("UPDATE keys SET expires_at = 1 WHERE name = 'Old'");
    env.run(&["verify", &ci]).status(0);
    env.run(&["verify", &deploy]).status(1);
    env.run(&["verify", &old]).status(1);
    let beta = env
        .run(&["--org", "beta", "generate", "--name", "Beta CI"])
        .status(0)
        .stdout()
        .trim()
        .to_owned();
    env.run(&["verify", &beta]).status(0);
    Stocked {
        secrets: vec![
            (ci, "valid"),
            (rotated, "valid"),
            (beta, "valid"),
            (deploy, "REVOKED"),
            (old, "EXPIRED"),
        ],
    }
}

/// What a user can see of a store: every organization's keys and log, and the orgs.
fn view(env: &TestEnv) -> Vec<Value> {
    let mut seen = vec![env.run(&["--json", "org", "list"]).status(0).json()];
    for org in ["acme", "beta"] {
        seen.push(env.run(&["--org", org, "--json", "list"]).status(0).json());
        let log = env
            .run(&["--org", org, "--json", "log", "--limit", "1000"])
            .status(0)
            .stdout();
        seen.push(Value::String(log));
    }
    seen
}

fn export(env: &TestEnv) -> String {
    env.run(&["export"]).status(0).stdout()
}

fn check_keys(env: &TestEnv, stocked: &Stocked) {
    for (secret, verdict) in &stocked.secrets {
        if *verdict == "valid" {
            env.run(&["verify", "--no-touch", secret]).status(0);
        } else {
            env.run(&["verify", "--no-touch", secret])
                .status(1)
                .stderr_has(verdict);
        }
    }
}

fn round_trip(source: &TestEnv, target: &TestEnv) {
    let stocked = stock(source);
    let before = view(source);
    let dump = export(source);
    for (secret, _) in &stocked.secrets {
        assert!(!dump.contains(secret.as_str()), "a secret in the export");
        assert!(
            !dump.contains(&secret[8..30]),
            "a secret's random part in the export"
        );
    }
    assert!(dump.lines().count() > 10, "{dump}");
    target
        .run_stdin(&["import"], &dump)
        .status(0)
        .stdout_has("Imported 2 organizations");
    assert_eq!(view(target), before);
    assert_eq!(
        export(target),
        dump,
        "export, import, export is the identity"
    );
    check_keys(target, &stocked);
    // The imported store goes on working: plan limits count the imported keys.
    target
        .run(&["--org", "beta", "generate", "--name", "Second"])
        .status(1)
        .stderr_has("allows 1");
    target
        .run(&["--org", "acme", "generate", "--name", "New"])
        .status(0);
}

#[test]
fn export_then_import_reproduces_the_store() {
    round_trip(&TestEnv::new(), &TestEnv::new());
}

#[test]
fn sqlite_to_postgres_and_back() {
    let Some(server) = postgres_only() else {
        return;
    };
    round_trip(&TestEnv::new_sqlite(), &TestEnv::new_postgres(&server));
    round_trip(&TestEnv::new_postgres(&server), &TestEnv::new_sqlite());
}

#[test]
fn importing_twice_changes_nothing_and_a_non_empty_store_needs_merge() {
    let source = TestEnv::new();
    stock(&source);
    let dump = export(&source);
    let target = TestEnv::new();
    target.run_stdin(&["import"], &dump).status(0);
    let after_first = target.snapshot();
    target
        .run_stdin(&["import"], &dump)
        .status(1)
        .stderr_has("--merge");
    target
        .run_stdin(&["import", "--merge"], &dump)
        .status(0)
        .stdout_has("Nothing to import");
    let json = target
        .run_stdin(&["--json", "import", "--merge"], &dump)
        .status(0)
        .json();
    assert_eq!(json["keys"], 0);
    assert_eq!(json["events"], 0);
    assert_eq!(target.snapshot(), after_first);
}

#[test]
fn merge_adds_what_is_missing_and_keeps_what_is_there() {
    let source = TestEnv::new();
    let stocked = stock(&source);
    let dump = export(&source);
    let target = TestEnv::with_org("gamma", "ultra");
    let gamma_key = target.generate("Gamma CI");
    target
        .run_stdin(&["import"], &dump)
        .status(1)
        .stderr_has("already holds 1 organization");
    target.run_stdin(&["import", "--merge"], &dump).status(0);
    let orgs = target.run(&["--json", "org", "list"]).status(0).json();
    let slugs: Vec<_> = orgs
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["slug"].clone())
        .collect();
    assert_eq!(slugs, ["acme", "beta", "gamma"]);
    // The target's default organization is kept.
    target.run(&["list"]).status(0).stdout_has("Gamma CI");
    target.run(&["verify", &gamma_key]).status(0);
    check_keys(&target, &stocked);
    // A revocation made at the source after the first import follows on the next merge.
    source
        .run_stdin(&["revoke", "-", "--yes"], &stocked.secrets[0].0)
        .status(0);
    target
        .run_stdin(&["--json", "import", "--merge"], &export(&source))
        .status(0);
    target
        .run(&["verify", &stocked.secrets[0].0])
        .status(1)
        .stderr_has("REVOKED");
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let source = TestEnv::new();
    stock(&source);
    let dump = export(&source);
    let fresh = TestEnv::new();
    let header = dump.lines().next().unwrap();
    for (input, code, says) in [
        ("", 2, "empty"),
        ("{\"type\":\"org\"}\n", 2, "header"),
        (&*format!("{header}\nnot json\n"), 2, "line 2"),
        (
            &*format!(
                "{header}\n{{\"type\":\"usage\",\"key\":\"key_nothere\",\"last_used_at\":\"2026-01-01T00:00:00Z\"}}\n"
            ),
            1,
            "key_nothere",
        ),
        (
            &*dump.replace("\"plan\":\"pro\"", "\"plan\":\"platinum\""),
            2,
            "unknown plan",
        ),
    ] {
        fresh
            .run_stdin(&["import"], input)
            .status(code)
            .stderr_has(says);
    }
    // Nothing of a refused import stays behind.
    assert!(
        fresh.run(&["org", "list"]).0.status.code() != Some(0) || {
            let orgs = fresh.run(&["--json", "org", "list"]).status(0).json();
            orgs.as_array().unwrap().is_empty()
        }
    );
    // A conflicting key (same id, another hash) stops the whole import.
    let target = TestEnv::new();
    target.run_stdin(&["import"], &dump).status(0);
    let before = target.snapshot();
    let key_line = dump
        .lines()
        .find(|l| l.contains("\"type\":\"key\""))
        .unwrap();
    let hash_at = key_line.find("\"hash\":\"").unwrap() + 8;
    let mut tampered = key_line.to_owned();
    tampered.replace_range(hash_at..hash_at + 4, "0000");
    let input = format!("{header}\n{tampered}\n");
    target
        .run_stdin(&["import", "--merge"], &input)
        .status(1)
        .stderr_has("different hash");
    assert_eq!(target.snapshot(), before);
}
