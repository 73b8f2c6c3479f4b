//! Every endpoint, status, header and body of the HTTP API, on the suite's backend.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::{Serve, time_until, within};
use crate::common::TestEnv;

/// A key whose checksum holds but that no store holds: generated in a store of its own.
fn stranger() -> String {
    let other = TestEnv::new_sqlite();
    other
        .run(&["init", "--org", "other", "--plan", "pro"])
        .status(0);
    other.generate("elsewhere")
}

fn assert_refused(reply: &super::Reply, status: u16, code: &str, key_given: bool) {
    assert_eq!(reply.status, status, "{reply:?}");
    assert_eq!(reply.code(), Some(code), "{reply:?}");
    assert_eq!(
        reply.text(),
        format!(r#"{{"valid":false,"code":"{code}"}}"#)
    );
    let challenge = reply.header("www-authenticate");
    match (status, key_given) {
        (401, true) => assert_eq!(
            challenge,
            Some(r#"Bearer realm="seenty-keys", error="invalid_token""#)
        ),
        (401, false) => assert_eq!(challenge, Some(r#"Bearer realm="seenty-keys""#)),
        _ => assert_eq!(challenge, None),
    }
    for identity in ["x-seenty-key-id", "x-seenty-org", "x-seenty-key-name"] {
        assert_eq!(reply.header(identity), None, "{reply:?}");
    }
}

#[test]
fn check_answers_a_valid_key_with_its_identity_from_either_header() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("Déploiement CI/CD");
    let id = env.key_named("Déploiement CI/CD")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let serve = Serve::start(&env, &[]);
    let bearer = format!("bearer  {key} ");
    for headers in [
        vec![("Authorization", bearer.as_str())],
        vec![("X-Api-Key", key.as_str())],
        vec![("Authorization", "Basic dXNlcjpwdw=="), ("X-Api-Key", &key)],
    ] {
        for method in ["GET", "POST", "HEAD"] {
            let reply = serve.request(method, "/v1/check", &headers, b"ignored");
            assert_eq!(reply.status, 204, "{method} {reply:?}");
            assert_eq!(reply.header("x-seenty-key-id"), Some(id.as_str()));
            assert_eq!(reply.header("x-seenty-org"), Some("acme"));
            assert_eq!(
                reply.header("x-seenty-key-name"),
                Some("D%C3%A9ploiement%20CI%2FCD")
            );
            assert!(reply.body.is_empty());
        }
    }
    // Envoy's ext_authz allows only a 200, at its path prefix plus the client's path.
    let reply = serve.request(
        "GET",
        "/v1/ext-authz/api/orders?x=1",
        &[("X-Api-Key", &key)],
        b"",
    );
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.header("x-seenty-key-id"), Some(id.as_str()));
    assert!(!serve.log().contains(&key), "{}", serve.log());
}

#[test]
fn check_refuses_with_the_code_and_the_challenge() {
    let env = TestEnv::with_org("acme", "pro");
    let revoked = env.generate("revoked");
    env.run(&["revoke", "revoked", "--yes"]).status(0);
    let expired = env.generate("expired");
    env.sql("UPDATE keys SET expires_at = 1 WHERE name = 'expired'");
    let serve = Serve::start(&env, &[]);
    assert_refused(&serve.get("/v1/check"), 401, "MISSING", false);
    let empty = serve.request("GET", "/v1/check", &[("Authorization", "Bearer ")], b"");
    assert_refused(&empty, 401, "MISSING", false);
    let mut typo = revoked.clone();
    typo.pop();
    typo.push(if revoked.ends_with('A') { 'B' } else { 'A' });
    assert_refused(&serve.check(&typo), 401, "MALFORMED", true);
    assert_refused(&serve.check("not a key at all"), 401, "MALFORMED", true);
    assert_refused(&serve.check(&stranger()), 401, "NOT_FOUND", true);
    assert_refused(&serve.check(&revoked), 401, "REVOKED", true);
    assert_refused(&serve.check(&expired), 401, "EXPIRED", true);
    let log = serve.log();
    for key in [&revoked, &expired, &typo] {
        assert!(!log.contains(key.as_str()), "{log}");
    }
}

#[test]
fn a_key_of_an_organization_on_hobby_is_403_within_a_second_of_the_downgrade() {
    let env = TestEnv::with_org("acme", "starter");
    let key = env.generate("ci");
    let serve = Serve::start(&env, &[]);
    assert_eq!(serve.check(&key).status, 204);
    env.run(&["org", "set-plan", "hobby", "--yes"]).status(0);
    let waited = time_until(&serve, &key, "PLAN", Instant::now()).expect("403 PLAN");
    assert!(waited < Duration::from_secs(1), "{waited:?}");
    let reply = serve.check(&key);
    assert_refused(&reply, 403, "PLAN", true);
}

#[test]
fn verify_answers_verify_json_object_whatever_the_verdict() {
    let env = TestEnv::with_org("acme", "pro");
    let valid = env.generate("ci");
    let revoked = env.generate("old");
    env.run(&["revoke", "old", "--yes"]).status(0);
    let serve = Serve::start(&env, &[]);
    for key in [valid.as_str(), revoked.as_str(), "sk_live_nope"] {
        let expected: Value = serde_json::from_str(
            &env.run_stdin(&["verify", "--json", "--no-touch", "-"], key)
                .stdout(),
        )
        .unwrap();
        let body = serde_json::json!({ "key": key }).to_string();
        let reply = serve.request(
            "POST",
            "/v1/verify",
            &[("Content-Type", "text/plain")],
            body.as_bytes(),
        );
        assert_eq!(reply.status, 200, "{reply:?}");
        assert_eq!(reply.header("content-type"), Some("application/json"));
        let got: Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(got, expected);
        let fields: Vec<&String> = got.as_object().unwrap().keys().collect();
        assert_eq!(fields.len(), 6, "{got}");
    }
    assert!(!serve.log().contains(&valid));
}

#[test]
fn verify_refuses_bodies_that_are_not_a_key_object() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("ci");
    let serve = Serve::start(&env, &[]);
    let quoted = format!("\"{key}\"");
    for body in [
        &b"not json"[..],
        b"[]",
        b"{}",
        br#"{"key":5}"#,
        quoted.as_bytes(),
    ] {
        let reply = serve.request("POST", "/v1/verify", &[], body);
        assert_eq!(reply.status, 400, "{reply:?}");
        let error: Value = serde_json::from_slice(&reply.body).unwrap();
        assert!(error["error"].is_string(), "{error}");
        assert!(!reply.text().contains(&key));
    }
    let big = format!(r#"{{"key":"{key}","pad":"{}"}}"#, "x".repeat(70 * 1024));
    let reply = serve.request("POST", "/v1/verify", &[], big.as_bytes());
    assert_eq!(reply.status, 413, "{reply:?}");
    let reply = serve.get("/v1/verify");
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("POST"));
}

#[test]
fn healthz_metrics_and_unknown_paths() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("ci");
    let serve = Serve::start(&env, &[]);
    let health = serve.get("/healthz");
    assert_eq!((health.status, health.text().trim()), (200, "ok"));
    assert_eq!(serve.check(&key).status, 204);
    assert_eq!(serve.check(&key).status, 204);
    assert_eq!(serve.check(&stranger()).status, 401);
    let metrics = serve.get("/metrics");
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    let text = metrics.text();
    for line in [
        "seenty_keys_verifications_total{code=\"VALID\"} 2",
        "seenty_keys_verifications_total{code=\"NOT_FOUND\"} 1",
        "seenty_keys_verifications_total{code=\"REVOKED\"} 0",
        "seenty_keys_http_responses_total{status=\"204\"} 2",
        "seenty_keys_store_up 1",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in {text}");
    }
    let age: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("seenty_keys_view_age_seconds "))
        .expect("the view's age")
        .parse()
        .unwrap();
    assert!((0.0..1.0).contains(&age), "{age}");
    for path in ["/", "/v1", "/v1/checks", "/healthz/x", "/v2/check"] {
        assert_eq!(serve.get(path).status, 404, "{path}");
    }
}

#[test]
fn org_limits_the_service_to_one_organization() {
    let env = TestEnv::with_org("acme", "pro");
    env.run(&["org", "create", "globex", "--plan", "pro"])
        .status(0);
    let ours = env.generate("ci");
    let theirs = env
        .run(&["--org", "globex", "generate", "--name", "ci"])
        .status(0)
        .stdout();
    let theirs = theirs.trim();
    let serve = Serve::start(&env, &["--org", "acme"]);
    assert_eq!(serve.check(&ours).status, 204);
    assert_refused(&serve.check(theirs), 401, "NOT_FOUND", true);
    let everyone = Serve::start(&env, &[]);
    assert_eq!(
        everyone.check(theirs).header("x-seenty-org"),
        Some("globex")
    );
    env.command()
        .args(["--org", "initech", "serve", "--listen", "127.0.0.1:0"])
        .assert()
        .code(1);
}

#[test]
fn a_revoked_key_is_rejected_and_a_new_key_accepted_within_a_second() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("ci");
    let serve = Serve::start(&env, &[]);
    assert_eq!(serve.check(&key).status, 204);
    env.run(&["revoke", "ci", "--yes"]).status(0);
    let waited = time_until(&serve, &key, "REVOKED", Instant::now()).expect("rejected");
    assert!(waited < Duration::from_secs(1), "{waited:?}");
    let fresh = env.generate("ci");
    let start = Instant::now();
    assert!(within(Duration::from_secs(3), || serve
        .check(&fresh)
        .status
        == 204));
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_key_brought_in_by_import_is_accepted_within_a_second_though_it_was_unknown() {
    let env = TestEnv::with_org("acme", "pro");
    let other = TestEnv::new_sqlite();
    other
        .run(&["init", "--org", "acme", "--plan", "pro"])
        .status(0);
    let key = other.generate("moved");
    let serve = Serve::start(&env, &[]);
    // Remembered as unknown: the import must make the service look again.
    assert_eq!(serve.check(&key).code(), Some("NOT_FOUND"));
    let dump = other.run(&["export"]).status(0).stdout();
    env.run_stdin(&["import", "--merge"], &dump).status(0);
    let start = Instant::now();
    assert!(within(Duration::from_secs(3), || serve.check(&key).status == 204));
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn headers_over_16_kib_are_431_and_the_service_keeps_answering() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("ci");
    let serve = Serve::start(&env, &[]);
    let near = "a".repeat(15_000);
    assert_eq!(
        serve
            .request("GET", "/healthz", &[("X-Pad", &near)], b"")
            .status,
        200
    );
    let over = "a".repeat(17 * 1024);
    let reply = serve.request(
        "GET",
        "/v1/check",
        &[("X-Api-Key", &key), ("X-Pad", &over)],
        b"",
    );
    assert_eq!(reply.status, 431, "{reply:?}");
    assert!(!reply.text().contains(&key));
    assert_eq!(serve.check(&key).status, 204);
}
