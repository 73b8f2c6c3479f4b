//! `report`: one store holding each finding exactly once beside keys that have none,
//! its times moved by writing them into the store (no sleeping); the exit codes, the
//! thresholds, the plain lines and the JSON lines.

use std::collections::BTreeSet;

use crate::common::{TestEnv, now};
use serde_json::Value;

const DAY: i64 = 86_400;

fn set_created(env: &TestEnv, name: &str, days_ago: i64) {
    env.sql(&format!(
        "UPDATE keys SET created_at = {} WHERE name = '{name}'",
        now() - days_ago * DAY
    ));
}

fn set_expires(env: &TestEnv, name: &str, days_from_now: i64) {
    env.sql(&format!(
        "UPDATE keys SET expires_at = {} WHERE name = '{name}'",
        now() + days_from_now * DAY
    ));
}

/// Two organizations whose keys hold each finding exactly once, and keys with none:
/// `acme` (Ultra, downgraded to Pro below its keys, no policy) and `beta` (Pro, a
/// 30-day maximum lifetime set after its keys were made).
fn store_with_every_finding() -> TestEnv {
    let env = TestEnv::with_org("acme", "ultra");
    env.run(&["org", "create", "beta", "--plan", "pro"])
        .status(0);
    let mut used = Vec::new();
    let acme = [
        ("Never used key", "60d", false),
        ("Unused key", "60d", true),
        ("Forever key", "never", true),
        ("Expiring key", "3d", true),
        ("Old key", "60d", true),
        ("test", "60d", true),
        ("Clean one", "60d", true),
        ("Young unused", "60d", false),
        ("Revoked forever", "never", true),
    ];
    for (name, expires, use_it) in acme {
        let run = env.run(&[
            "--org",
            "acme",
            "generate",
            "--name",
            name,
            "--expires",
            expires,
        ]);
        let secret = run.status(0).stdout().trim().to_owned();
        if use_it {
            used.push(secret);
        }
    }
    for (name, expires) in [("Long key", "365d"), ("Beta clean", "20d")] {
        let run = env.run(&[
            "--org",
            "beta",
            "generate",
            "--name",
            name,
            "--expires",
            expires,
        ]);
        used.push(run.status(0).stdout().trim().to_owned());
    }
    for secret in &used {
        env.run(&["verify", "--quiet", secret]).status(0);
    }
    env.run(&["--org", "acme", "revoke", "Revoked forever", "--yes"])
        .status(0);
    set_created(&env, "Never used key", 8);
    set_created(&env, "Young unused", 2);
    set_created(&env, "Unused key", 40);
    env.set_last_used("Unused key", now() - 31 * DAY);
    set_created(&env, "Old key", 100);
    set_expires(&env, "Old key", 60);
    env.run(&["--org", "acme", "org", "set-plan", "pro", "--yes"])
        .status(0);
    env.run(&["--org", "beta", "org", "policy", "--max-lifetime", "30d"])
        .status(0);
    env
}

fn summary(findings: &[Value]) -> Vec<(String, String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or("-").to_owned();
    findings
        .iter()
        .map(|f| (text(&f["finding"]), text(&f["org"]), text(&f["name"])))
        .collect()
}

#[test]
fn each_finding_once_and_clean_keys_none() {
    let env = store_with_every_finding();
    let run = env.run(&["report", "--json"]).status(1);
    let findings = run.json_lines();
    let mut got = summary(&findings);
    got.sort();
    let expected: Vec<(String, String, String)> = [
        ("expiring", "acme", "Expiring key"),
        ("generic-name", "acme", "test"),
        ("never-used", "acme", "Never used key"),
        ("no-expiry", "acme", "Forever key"),
        ("outside-policy", "beta", "Long key"),
        ("over-limit", "acme", "-"),
        ("rotation-due", "acme", "Old key"),
        ("unused", "acme", "Unused key"),
    ]
    .iter()
    .map(|(f, o, n)| (f.to_string(), o.to_string(), n.to_string()))
    .collect();
    assert_eq!(got, expected, "{}", run.stdout());

    // The JSON shape: exactly these fields; the over-limit finding names no key.
    for finding in &findings {
        let fields: BTreeSet<&str> = finding
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            fields,
            BTreeSet::from(["org", "key_id", "name", "finding", "detail"])
        );
        if finding["finding"] == "over-limit" {
            assert!(finding["key_id"].is_null() && finding["name"].is_null());
        } else {
            assert!(finding["key_id"].as_str().unwrap().starts_with("key_"));
        }
    }
    let detail = |kind: &str| {
        findings
            .iter()
            .find(|f| f["finding"] == kind)
            .map(|f| f["detail"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(detail("unused"), "last used 31 days ago");
    assert_eq!(detail("never-used"), "created 8 days ago, never used");
    assert_eq!(detail("over-limit"), "8 keys in use; the Pro plan allows 5");
    assert_eq!(
        detail("outside-policy"),
        "lives 365 days; the policy allows at most 30d"
    );
    assert_eq!(detail("expiring"), "expires in 3 days");
}

#[test]
fn piped_output_is_one_line_per_finding() {
    let env = store_with_every_finding();
    let out = env.run(&["report"]).status(1).stdout();
    assert_eq!(out.lines().count(), 8, "{out}");
    for line in out.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        // Several organizations: org, key, name, finding, detail.
        assert_eq!(fields.len(), 5, "{line:?}");
    }
    assert!(out.contains("acme\t-\t-\tover-limit\t"), "{out}");

    // One organization: its findings only, without the organization's column.
    let beta = env.run(&["--org", "beta", "report"]).status(1).stdout();
    let fields: Vec<&str> = beta.trim_end().split('\t').collect();
    assert_eq!(
        fields[1..],
        [
            "Long key",
            "outside-policy",
            "lives 365 days; the policy allows at most 30d"
        ]
    );
    assert!(fields[0].starts_with("key_"));
}

#[test]
fn thresholds_are_flags() {
    let env = store_with_every_finding();
    let kinds = |args: &[&str]| -> BTreeSet<String> {
        let mut argv = vec!["report", "--json"];
        argv.extend(args);
        env.run(&argv)
            .status(1)
            .json_lines()
            .iter()
            .map(|f| f["finding"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = kinds(&[]);
    assert!(all.contains("unused") && all.contains("expiring"));
    let wider = kinds(&["--unused-for", "40d", "--expiring-within", "2d"]);
    assert!(
        !wider.contains("unused") && !wider.contains("expiring"),
        "{wider:?}"
    );
    // A key expiring in 60 days is expiring within 61.
    let names: Vec<String> = env
        .run(&[
            "--org",
            "acme",
            "report",
            "--json",
            "--expiring-within",
            "61d",
        ])
        .status(1)
        .json_lines()
        .iter()
        .filter(|f| f["finding"] == "expiring")
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), 7, "{names:?}");
    for bad in ["0d", "soon", "-1d"] {
        env.run(&["report", &format!("--unused-for={bad}")])
            .status(2)
            .stderr_has("--unused-for");
    }
}

#[test]
fn nothing_to_report_exits_zero() {
    let env = TestEnv::with_org("acme", "pro");
    env.run(&["report"]).status(0).stdout_is("");
    let secret = env
        .run(&[
            "generate",
            "--name",
            "GitHub Actions CI",
            "--expires",
            "30d",
        ])
        .status(0)
        .stdout();
    env.run(&["verify", "--quiet", secret.trim()]).status(0);
    env.run(&["report"]).status(0).stdout_is("");
    env.run(&["report", "--json"]).status(0).stdout_is("");
    // A key in its rotation's grace period is on its way out: not reported.
    env.run(&["rotate", "GitHub Actions CI", "--grace", "1h", "--yes"])
        .status(0);
    env.run(&["report"]).status(0).stdout_is("");
    env.run(&["--org", "nope", "report"]).status(1);
}
