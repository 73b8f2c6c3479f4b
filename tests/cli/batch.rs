//! `verify --batch`: one result per line, in order, for thousands of mixed lines.

use crate::common::TestEnv;

#[test]
fn thousands_of_mixed_lines_get_the_right_answer_each() {
    let env = TestEnv::with_org("acme", "enterprise");
    let valid: Vec<String> = (0..5)
        .map(|i| env.generate(&format!("Runner {i}")))
        .collect();
    let revoked = env.generate("Revoked");
    let expired = env.generate("Expired");
    env.run(&["revoke", "Revoked", "--yes"]).status(0);
    env.sql("UPDATE keys SET expires_at = 1 WHERE name = 'Expired'");
    let mut unknown = valid[0].clone().into_bytes();
    // A well-formed key from nowhere: take a real key of another store.
    let other = TestEnv::with_org("other", "pro").generate("Elsewhere");
    unknown.clear();
    unknown.extend_from_slice(other.as_bytes());
    let unknown = String::from_utf8(unknown).unwrap();

    let ids: Vec<String> = (0..5)
        .map(|i| {
            env.key_named(&format!("Runner {i}"))["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let mut input = String::new();
    let mut expected = String::new();
    for i in 0..6000 {
        let (line, result) = match i % 7 {
            0..=2 => (
                format!("  {}  ", valid[i % 5]),
                format!("valid {}", ids[i % 5]),
            ),
            3 => (revoked.clone(), "invalid REVOKED".to_owned()),
            4 => (expired.clone(), "invalid EXPIRED".to_owned()),
            5 => (unknown.clone(), "invalid NOT_FOUND".to_owned()),
            _ => (
                if i % 2 == 0 {
                    String::new()
                } else {
                    "sk_live_typo".to_owned()
                },
                "invalid MALFORMED".to_owned(),
            ),
        };
        input.push_str(&line);
        input.push('\n');
        expected.push_str(&result);
        expected.push('\n');
    }
    let run = env.run_stdin(&["verify", "--batch"], &input).status(1);
    let got = run.stdout();
    for (n, (got, want)) in got.lines().zip(expected.lines()).enumerate() {
        assert_eq!(got, want, "line {}", n + 1);
    }
    assert_eq!(got.lines().count(), 6000);
    for key in [&valid[0], &revoked, &expired] {
        assert!(
            !got.contains(key.as_str()) && !run.stderr().contains(key.as_str()),
            "a secret was echoed"
        );
    }
    // Last used is recorded for the valid keys, and the uses of a revoked or expired key
    // are in the log, counted: one event per key (the batch takes well under a minute)
    // saying how many attempts it stands for.
    assert!(env.key_named("Runner 3")["last_used_at"].is_string());
    let log = env
        .run(&["--json", "log", "--limit", "100000"])
        .status(0)
        .json();
    let uses = |kind: &str| -> Vec<String> {
        log.as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == kind)
            .map(|e| e["detail"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let attempts = |rest| {
        format!(
            "{} attempts in a minute",
            (0..6000).filter(|i| i % 7 == rest).count()
        )
    };
    assert_eq!(uses("revoked_key_used"), [attempts(3)]);
    assert_eq!(uses("expired_key_used"), [attempts(4)]);
}

#[test]
fn all_valid_exits_0_and_json_lines_are_one_per_key() {
    let env = TestEnv::with_org("acme", "pro");
    let a = env.generate("A");
    let b = env.generate("B");
    env.run_stdin(&["verify", "--batch"], &format!("{a}\n{b}\n{a}"))
        .status(0);
    env.run_stdin(&["verify", "--batch"], "")
        .status(0)
        .stdout_is("");
    let lines = env
        .run_stdin(&["--json", "verify", "--batch"], &format!("{a}\nnope\n"))
        .status(1)
        .json_lines();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[0]["name"], "A");
    assert_eq!(lines[1]["code"], "MALFORMED");
    env.run_stdin(&["verify", "--batch", "--quiet"], &format!("{a}\nnope\n"))
        .status(1)
        .stdout_is("");
}

#[test]
fn no_touch_and_org_apply_to_batches() {
    let env = TestEnv::with_org("acme", "pro");
    let a = env.generate("A");
    env.run_stdin(&["verify", "--batch", "--no-touch"], &a)
        .status(0);
    assert!(env.key_named("A")["last_used_at"].is_null());
    env.run(&["org", "create", "beta", "--plan", "pro"])
        .status(0);
    env.run_stdin(&["--org", "beta", "verify", "--batch"], &a)
        .status(1)
        .stdout_is("invalid NOT_FOUND\n");
    env.run(&["verify", "--batch", &a]).status(2);
}

#[test]
fn a_huge_line_is_malformed_not_buffered() {
    let env = TestEnv::with_org("acme", "pro");
    let a = env.generate("A");
    let input = format!("{}\n{a}\n", "x".repeat(5_000_000));
    let id = env.key_named("A")["id"].as_str().unwrap().to_owned();
    env.run_stdin(&["verify", "--batch"], &input)
        .status(1)
        .stdout_is(&format!("invalid MALFORMED\nvalid {id}\n"));
}

#[test]
fn each_line_names_its_own_organization_and_plan() {
    let env = TestEnv::with_org("acme", "pro");
    let a = env.generate("A");
    let mut keys = vec![a];
    for org in ["beta", "gamma"] {
        env.run(&["org", "create", org, "--plan", "pro"]).status(0);
        let run = env
            .run(&["--org", org, "generate", "--name", "A"])
            .status(0);
        keys.push(run.stdout().trim().to_owned());
    }
    env.run(&["--org", "gamma", "org", "set-plan", "hobby", "--yes"])
        .status(0);
    let order = [0, 1, 2, 1, 0, 2, 0];
    let input: String = order.iter().map(|&i| format!("{}\n", keys[i])).collect();
    let lines = env
        .run_stdin(&["--json", "verify", "--batch"], &input)
        .status(1)
        .json_lines();
    assert_eq!(lines.len(), order.len());
    for (line, &i) in lines.iter().zip(&order) {
        assert_eq!(line["org"], ["acme", "beta", "gamma"][i], "{line}");
        assert_eq!(line["valid"], i != 2, "{line}");
        let code = if i == 2 { "PLAN" } else { "" };
        assert_eq!(line["code"].as_str().unwrap_or(""), code, "{line}");
    }
}
