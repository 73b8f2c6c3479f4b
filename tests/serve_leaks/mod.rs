//! `serve`'s leak-report endpoint: the test plays GitHub (a P-256 key pair made here,
//! its public keys in a file or on a loopback HTTP server) and reports keys of the
//! store, noise, and forged or broken reports.

pub mod harness;

use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::{TestEnv, postgres_only};
use crate::serve::{Serve, time_until};
use harness::{KeyServer, SigningKey, json, listing, report, send_report, sha256_hex};

/// A store with one Pro organization, and GitHub's listing of `keys` in a file.
pub fn setup(keys: &[&SigningKey]) -> (TestEnv, String) {
    let env = TestEnv::with_org("acme", "pro");
    let path = env.path("github-keys.json");
    std::fs::write(&path, listing(keys)).unwrap();
    (env, path.display().to_string())
}

/// A Seenty key with a valid checksum that no store holds.
fn unknown_key() -> String {
    let other = TestEnv::new_sqlite();
    other
        .run(&["init", "--org", "elsewhere", "--plan", "pro"])
        .status(0);
    other.generate("Elsewhere")
}

/// The audit events of one key, newest first.
fn events(env: &TestEnv, id: &str) -> Vec<serde_json::Value> {
    let log = env.run(&["log", "--key", id, "--json"]).status(0).json();
    log.as_array().unwrap().clone()
}

/// How many times the key was revoked, by the audit log.
fn revocations(env: &TestEnv, key: &str) -> usize {
    let id = env.run_stdin(&["show", "-", "--json"], key).json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    events(env, &id)
        .iter()
        .filter(|e| e["kind"] == "key_revoked")
        .count()
}

#[test]
fn an_active_key_reported_is_revoked_at_once_and_noise_is_not() {
    let github = SigningKey::new("gh-1");
    let (env, keys) = setup(&[&github]);
    let leaked = env.generate("Leaky CI");
    let other = env.generate("Billing");
    let sum = if leaked.ends_with("000000") {
        "000001"
    } else {
        "000000"
    };
    let decoy = format!("{}{sum}", &leaked[..30]);
    let stripe = format!("sk_live_{}", "4eC39HqLyjWDarjtT1zdp7dc".repeat(4));
    let unknown = unknown_key();
    let serve = Serve::start(&env, &["--leak-keys", &keys]);
    assert_eq!(serve.check(&leaked).status, 204);
    let body = report(&[&leaked, &decoy, &stripe, &unknown]);
    let reply = send_report(&serve, &github, &body);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let labels = [
        "true_positive",
        "false_positive",
        "false_positive",
        "false_positive",
    ];
    let expected: Vec<_> = [&leaked, &decoy, &stripe, &unknown]
        .iter()
        .zip(labels)
        .map(|(t, label)| {
            json!({"token_hash": sha256_hex(t), "token_type": "seenty_api_key", "label": label})
        })
        .collect();
    assert_eq!(json(&reply), json!(expected));
    // Rejected by this process before it answered, and by `verify`.
    assert_eq!(serve.check(&leaked).status, 401);
    env.run_stdin(&["verify", "-"], &leaked)
        .status(1)
        .stderr_has("REVOKED");
    assert_eq!(serve.check(&other).status, 204);
    env.run_stdin(&["verify", "-"], &other).status(0);
    let reason =
        "leaked: reported by GitHub (content) at https://github.com/octo/leaky/blob/main/f0.env";
    let shown = env.run_stdin(&["show", "-", "--json"], &leaked).json();
    assert_eq!(shown["status"], "Revoked");
    assert_eq!(shown["revoke_reason"], reason);
    env.run_stdin(&["show", "-"], &leaked).stdout_has(reason);
    env.run(&["list", "--status", "revoked"])
        .stdout_has("Leaky CI");
    let id = shown["id"].as_str().unwrap();
    let events = events(&env, id);
    assert!(
        events.iter().any(|e| e["kind"] == "key_revoked"
            && e["actor"] == "github leak report"
            && e["detail"] == reason),
        "{events:?}"
    );
    let findings = env.run(&["report", "--json"]).status(1).json_lines();
    assert!(
        findings.iter().any(|f| f["key_id"] == id
            && f["finding"] == "leaked"
            && f["detail"].as_str().unwrap().contains("f0.env")),
        "{findings:?}"
    );
    // The senders retry: the same answer, and still one revocation.
    let again = send_report(&serve, &github, &body);
    assert_eq!((again.status, json(&again)), (200, json!(expected)));
    assert_eq!(revocations(&env, &leaked), 1);
    // No token in the log: only counts and key ids.
    let log = serve.log();
    assert!(log.contains("leak report from GitHub"), "{log}");
    for token in [&leaked, &decoy, &stripe, &unknown] {
        assert!(!log.contains(token.as_str()), "{log}");
    }
}

#[test]
fn forged_or_broken_reports_are_refused_and_change_nothing() {
    let github = SigningKey::new("gh-1");
    let forger = SigningKey::new("gh-1");
    let (env, keys) = setup(&[&github]);
    let leaked = env.generate("Leaky CI");
    let serve = Serve::start(&env, &["--leak-keys", &keys]);
    let body = report(&[&leaked]);
    let signature = github.sign(&body);
    let path = "/v1/leaks/github";
    let id_header = "Github-Public-Key-Identifier";
    let sig_header = "Github-Public-Key-Signature";
    let refusals = [
        ("wrong signature", send_report(&serve, &forger, &body)),
        (
            "unknown key id",
            send_report(&serve, &SigningKey::new("gh-9"), &body),
        ),
        (
            "no signature",
            serve.request("POST", path, &[(id_header, "gh-1")], &body),
        ),
        (
            "no key id",
            serve.request("POST", path, &[(sig_header, &signature)], &body),
        ),
        ("no headers", serve.request("POST", path, &[], &body)),
        (
            "body changed after signing",
            serve.request(
                "POST",
                path,
                &[(id_header, "gh-1"), (sig_header, &signature)],
                &report(&[&leaked, &leaked]),
            ),
        ),
    ];
    for (what, reply) in refusals {
        assert_eq!(reply.status, 401, "{what}: {}", reply.text());
    }
    for not_a_report in [
        &b"{\"token\":\"x\"}"[..],
        b"[1,2]",
        b"[{\"token\":\"x\"}]",
        b"nope",
    ] {
        let reply = send_report(&serve, &github, not_a_report);
        assert_eq!(reply.status, 400, "{}", reply.text());
    }
    let huge = vec![b' '; (16 << 20) + 1];
    assert_eq!(send_report(&serve, &github, &huge).status, 413);
    assert_eq!(serve.check(&leaked).status, 204);
    env.run_stdin(&["verify", "-"], &leaked).status(0);
    assert_eq!(revocations(&env, &leaked), 0);
}

#[test]
fn on_leak_record_keeps_the_key_working_and_records_the_report() {
    let github = SigningKey::new("gh-1");
    let (env, keys) = setup(&[&github]);
    let leaked = env.generate("Leaky CI");
    let serve = Serve::start(&env, &["--leak-keys", &keys, "--on-leak", "record"]);
    let body = report(&[&leaked]);
    for _ in 0..2 {
        let reply = send_report(&serve, &github, &body);
        assert_eq!(reply.status, 200);
        assert_eq!(json(&reply)[0]["label"], "true_positive");
    }
    assert_eq!(serve.check(&leaked).status, 204);
    env.run_stdin(&["verify", "-"], &leaked).status(0);
    let id = env.key_named("Leaky CI")["id"].as_str().unwrap().to_owned();
    let events = events(&env, &id);
    let recorded: Vec<_> = events
        .iter()
        .filter(|e| e["kind"] == "leak_reported")
        .collect();
    assert_eq!(
        recorded.len(),
        1,
        "one event for a retried report: {events:?}"
    );
    assert_eq!(recorded[0]["actor"], "github leak report");
    assert_eq!(revocations(&env, &leaked), 0);
    env.run(&["log", "--key", &id]).stdout_has("leak reported");
    let findings = env.run(&["report", "--json"]).status(1).json_lines();
    assert!(
        findings.iter().any(|f| f["key_id"] == id.as_str()
            && f["finding"] == "leaked"
            && f["detail"].as_str().unwrap().contains("left working")),
        "{findings:?}"
    );
}

#[test]
fn keys_from_a_url_follow_a_rotation_at_the_provider() {
    let old = SigningKey::new("gh-old");
    let new = SigningKey::new("gh-new");
    let env = TestEnv::with_org("acme", "pro");
    let first = env.generate("First");
    let second = env.generate("Second");
    let server = KeyServer::start(listing(&[&old]));
    let serve = Serve::start(&env, &["--leak-keys", &server.url]);
    assert_eq!(server.hits(), 1, "read once at start");
    assert_eq!(send_report(&serve, &old, &report(&[&first])).status, 200);
    assert_eq!(server.hits(), 1, "a known key needs no read");
    *server.listing.lock().unwrap() = listing(&[&new]);
    let reply = send_report(&serve, &new, &report(&[&second]));
    assert_eq!((reply.status, server.hits()), (200, 2), "{}", reply.text());
    assert_eq!(json(&reply)[0]["label"], "true_positive");
    // Another unknown identifier within the minute reads nothing more.
    let stranger = SigningKey::new("gh-stranger");
    assert_eq!(
        send_report(&serve, &stranger, &report(&[&first])).status,
        401
    );
    assert_eq!(server.hits(), 2);
    assert_eq!(serve.check(&second).status, 401);
}

#[test]
fn without_leak_keys_the_path_is_not_there_and_a_bad_source_stops_the_start() {
    let env = TestEnv::with_org("acme", "pro");
    let serve = Serve::start(&env, &[]);
    let reply = serve.request("POST", "/v1/leaks/github", &[], b"[]");
    assert_eq!(reply.status, 404);
    drop(serve);
    let missing = env.path("nowhere.json").display().to_string();
    env.run(&["serve", "--listen", "127.0.0.1:0", "--leak-keys", &missing])
        .status(3)
        .stderr_has("nowhere.json");
    let garbage = env.path("garbage.json");
    std::fs::write(
        &garbage,
        r#"{"public_keys":[{"key_identifier":"x","key":"no"}]}"#,
    )
    .unwrap();
    let garbage = garbage.display().to_string();
    env.run(&["serve", "--listen", "127.0.0.1:0", "--leak-keys", &garbage])
        .status(3);
    env.run(&["serve", "--leak-keys", "ftp://example.com/keys"])
        .status(2);
}

#[test]
fn gitlab_reports_come_with_gitlab_headers() {
    let gitlab = SigningKey::new("gl-1");
    let (env, keys) = setup(&[&gitlab]);
    let leaked = env.generate("Leaky CI");
    let serve = Serve::start(&env, &["--gitlab-leak-keys", &keys]);
    let body = report(&[&leaked]);
    let signature = gitlab.sign(&body);
    let github_headers = [
        ("Github-Public-Key-Identifier", "gl-1"),
        ("Github-Public-Key-Signature", signature.as_str()),
    ];
    assert_eq!(
        serve
            .request("POST", "/v1/leaks/github", &github_headers, &body)
            .status,
        404
    );
    let reply = serve.request(
        "POST",
        "/v1/leaks/gitlab",
        &[
            ("Gitlab-Public-Key-Identifier", "gl-1"),
            ("Gitlab-Public-Key-Signature", &signature),
        ],
        &body,
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let shown = env.run_stdin(&["show", "-", "--json"], &leaked).json();
    assert!(
        shown["revoke_reason"]
            .as_str()
            .unwrap()
            .starts_with("leaked: reported by GitLab (content)")
    );
}

#[test]
fn a_second_serve_on_postgres_rejects_a_reported_key_within_a_second() {
    let Some(server) = postgres_only() else {
        return;
    };
    let github = SigningKey::new("gh-1");
    let env = TestEnv::new_postgres(&server);
    env.run(&["init", "--org", "acme", "--plan", "pro"])
        .status(0);
    let path = env.path("github-keys.json");
    std::fs::write(&path, listing(&[&github])).unwrap();
    let leaked = env.generate("Leaky CI");
    let receiver = Serve::start(&env, &["--leak-keys", &path.display().to_string()]);
    let elsewhere = Serve::start(&env, &[]);
    assert_eq!(
        elsewhere.check(&leaked).status,
        204,
        "remembered before the report"
    );
    let reply = send_report(&receiver, &github, &report(&[&leaked]));
    assert_eq!(reply.status, 200);
    let answered = Instant::now();
    let took = time_until(&elsewhere, &leaked, "REVOKED", answered);
    assert!(
        took.is_some_and(|took| took < Duration::from_secs(1)),
        "the second process accepted the key for {took:?}"
    );
}

#[test]
fn a_report_of_many_keys_revokes_each_active_one_once() {
    let github = SigningKey::new("gh-1");
    let env = TestEnv::with_org("acme", "enterprise");
    let path = env.path("github-keys.json");
    std::fs::write(&path, listing(&[&github])).unwrap();
    let keys: Vec<String> = (0..12).map(|i| env.generate(&format!("Key {i}"))).collect();
    env.run_stdin(&["revoke", "-", "--yes", "--reason", "by hand"], &keys[0])
        .status(0);
    // A rotation's old key in its grace period still works: it is revoked now.
    env.run_stdin(&["rotate", "Key 1", "--grace", "1h", "--yes"], "")
        .status(0);
    let serve = Serve::start(&env, &["--leak-keys", &path.display().to_string()]);
    let mut reported: Vec<&str> = keys.iter().map(String::as_str).collect();
    reported.push(&keys[5]);
    let reply = send_report(&serve, &github, &report(&reported));
    assert_eq!(reply.status, 200, "{}", reply.text());
    let labels = json(&reply);
    assert!(
        labels
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["label"] == "true_positive"),
        "{labels}"
    );
    for (i, key) in keys.iter().enumerate() {
        let shown = env.run_stdin(&["show", "-", "--json"], key).json();
        assert_eq!(shown["status"], "Revoked", "key {i}");
        assert_eq!(revocations(&env, key), 1, "key {i}");
        let reason = shown["revoke_reason"].as_str().unwrap();
        assert_eq!(i == 0, reason == "by hand", "key {i}: {reason}");
        assert_eq!(serve.check(key).status, 401, "key {i}");
    }
}

#[test]
fn a_key_written_into_a_token_type_is_not_echoed() {
    let github = SigningKey::new("gh-1");
    let env = TestEnv::with_org("acme", "pro");
    let path = env.path("github-keys.json");
    std::fs::write(&path, listing(&[&github])).unwrap();
    let leaked = env.generate("Leaked");
    let other = env.generate("Other");
    let serve = Serve::start(&env, &["--leak-keys", &path.display().to_string()]);
    let body = serde_json::to_vec(&serde_json::json!([{
        "token": leaked, "type": format!("type {other}"),
        "url": "https://github.com/octo/leaky/blob/main/.env", "source": "content"
    }]))
    .unwrap();
    let reply = send_report(&serve, &github, &body);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(!reply.text().contains(&other[8..]), "{}", reply.text());
    assert!(!reply.text().contains(&leaked[8..]), "{}", reply.text());
    assert!(reply.text().contains("type sk_live_"), "{}", reply.text());
}
