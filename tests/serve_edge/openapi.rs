//! openapi.yaml against what a real `serve` answers: every status, header and body of a
//! run through each endpoint and verdict is validated against the description by
//! openapi-core (a PyPI tool in the CI venv), and the answers are checked for what a
//! schema cannot say (the verdict each key gets, `/v1/verify` equal to `verify --json`).
//! The leak paths are run in `openapi_leaks`, through the same [`Log`] and checker.

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use super::http::{self, Inspect, Response};
use super::{Fixture, Serve, VALID_NAME, addr, assert_no_secret};
use crate::common::{pg_client, venv_tool};

const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// The exchanges the checker reads: request line and the answer as it came.
#[derive(Default)]
pub struct Log(Vec<Value>);

impl Log {
    /// The exchanges as the checker reads them.
    pub fn json(&self) -> String {
        Value::Array(self.0.clone()).to_string()
    }

    pub fn add(&mut self, method: &str, path: &str, r: Response) -> Response {
        self.0.push(json!({
            "method": method,
            "path": path,
            "status": r.status,
            "headers": r.headers.iter().map(|(n, v)| (n.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "body": r.text(),
            "content_type": r.header("content-type").unwrap_or(""),
        }));
        r
    }

    pub fn send(
        &mut self,
        addr: SocketAddr,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        let r = http::send(addr, method, path, headers, body);
        self.add(method, path, r)
    }
}

#[test]
fn every_answer_matches_the_openapi_description() {
    let Some(python) = venv_tool("python") else {
        return;
    };
    let fx = Fixture::new();
    let serve = Serve::start(&fx.env, &[]);
    let mut log = Log::default();
    check_valid(&fx, addr(&serve), &mut log);
    check_refusals(&fx, addr(&serve), &mut log);
    verify_objects(&fx, addr(&serve), &mut log);
    operations(addr(&serve), &mut log);
    if let Some(pg) = &fx.env.pg {
        unavailable(addr(&serve), &fx.valid, &pg.admin, &pg.name, &mut log);
    }
    assert_no_secret(&log.json(), &fx.secrets(), "an answer");
    assert_no_secret(&serve.log(), &fx.secrets(), "serve's stderr");
    assert_described(&python, &log);
}

/// Fails unless every exchange of `log` is as openapi.yaml describes it, by the checker
/// run with the venv's `python` (which also checks the description itself).
pub fn assert_described(python: &Path, log: &Log) {
    let all = log.json();
    let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml");
    let checker = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/serve_edge/openapi_check.py"
    );
    let mut child = Command::new(python)
        .args([checker, spec])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the checker");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(all.as_bytes())
        .unwrap();
    let out = child.wait_with_output().expect("checker output");
    assert!(
        out.status.success(),
        "answers not as openapi.yaml describes them:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A valid key: `/v1/check` with each method and either header, and Envoy's path.
fn check_valid(fx: &Fixture, addr: SocketAddr, log: &mut Log) {
    let id = fx.id_of("acme", VALID_NAME);
    let bearer = format!("Bearer {}", fx.valid);
    for method in METHODS {
        let r = http::send(
            addr,
            method,
            "/v1/check",
            &[("Authorization", &bearer)],
            b"",
        );
        assert_eq!(r.status, 204, "{method} with a valid key: {}", r.raw());
        assert_eq!(r.header("x-seenty-key-id"), Some(id.as_str()));
        assert_eq!(r.header("x-seenty-org"), Some("acme"));
        assert_eq!(
            r.header("x-seenty-key-name"),
            Some("Deploy%20bot%20%2F%20caf%C3%A9"),
            "the name percent-encoded as in a URL"
        );
        if method != "HEAD" {
            log.add(method, "/v1/check", r);
        }
    }
    let r = log.send(addr, "GET", "/v1/check", &[("X-Api-Key", &fx.valid)], b"");
    assert_eq!(r.status, 204, "X-Api-Key: {}", r.raw());
    let r = log.send(
        addr,
        "POST",
        "/v1/check",
        &[
            ("Authorization", &bearer),
            ("Content-Type", "application/json"),
        ],
        b"{\"key\":\"ignored\"}",
    );
    assert_eq!(r.status, 204, "a body is ignored: {}", r.raw());

    let r = log.send(
        addr,
        "GET",
        "/v1/ext-authz/orders",
        &[("Authorization", &bearer)],
        b"",
    );
    assert_eq!(r.status, 200, "Envoy's path: {}", r.raw());
    assert_eq!(r.header("x-seenty-key-id"), Some(id.as_str()));
    let revoked = format!("Bearer {}", fx.revoked);
    let r = log.send(
        addr,
        "POST",
        "/v1/ext-authz",
        &[("Authorization", &revoked)],
        b"",
    );
    assert_eq!(r.status, 401, "Envoy's path, revoked: {}", r.raw());
}

/// `/v1/check` with each kind of refused key, with GET and HEAD.
fn check_refusals(fx: &Fixture, addr: SocketAddr, log: &mut Log) {
    let unknown = seenty_keys::domain::key::Secret::generate().unwrap();
    let malformed = format!("{}x", &fx.valid[..fx.valid.len() - 1]);
    let cases: [(&str, Option<&str>, u16, &str); 6] = [
        ("no key", None, 401, "MISSING"),
        ("a typo", Some(&malformed), 401, "MALFORMED"),
        ("unknown", Some(unknown.expose()), 401, "NOT_FOUND"),
        ("revoked", Some(&fx.revoked), 401, "REVOKED"),
        ("expired", Some(&fx.expired), 401, "EXPIRED"),
        ("Hobby", Some(&fx.plan), 403, "PLAN"),
    ];
    for (what, key, status, code) in cases {
        let auth = key.map(|k| format!("Bearer {k}"));
        let headers: Vec<(&str, &str)> =
            auth.iter().map(|a| ("Authorization", a.as_str())).collect();
        let r = log.send(addr, "GET", "/v1/check", &headers, b"");
        assert_eq!(r.status, status, "{what}: {}", r.raw());
        assert_eq!(r.header("x-seenty-code"), Some(code), "{what}");
        assert_eq!(r.json(), json!({"valid": false, "code": code}), "{what}");
        assert!(r.header("x-seenty-key-id").is_none(), "{what}: no identity");
        if status == 401 {
            let challenge = match key {
                Some(_) => "Bearer realm=\"seenty-keys\", error=\"invalid_token\"",
                None => "Bearer realm=\"seenty-keys\"",
            };
            assert_eq!(r.header("www-authenticate"), Some(challenge), "{what}");
        }
        let head = http::send(addr, "HEAD", "/v1/check", &headers, b"");
        assert_eq!(head.status, status, "{what} with HEAD");
        assert_eq!(head.header("x-seenty-code"), Some(code), "{what} with HEAD");
    }
}

/// `POST /v1/verify`: the object of `verify --json` for each verdict, 400 for what is
/// not such a request, 413 past 64 KiB.
fn verify_objects(fx: &Fixture, addr: SocketAddr, log: &mut Log) {
    let unknown = seenty_keys::domain::key::Secret::generate().unwrap();
    for key in [
        &fx.valid,
        &fx.revoked,
        &fx.expired,
        &fx.plan,
        unknown.expose(),
        "sk_live_short",
    ] {
        let body = json!({ "key": key }).to_string();
        let r = log.send(
            addr,
            "POST",
            "/v1/verify",
            &[("Content-Type", "text/plain")],
            body.as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.raw());
        let cli = fx
            .env
            .run_stdin(&["verify", "--json", "--no-touch", "-"], key)
            .json();
        assert_eq!(
            r.json(),
            cli,
            "/v1/verify answers what verify --json prints"
        );
    }
    for bad in [
        &b"not json"[..],
        b"[]",
        b"{}",
        b"{\"key\": 42}",
        b"\xff\xfe{",
    ] {
        let r = log.send(addr, "POST", "/v1/verify", &[], bad);
        assert_eq!(
            r.status,
            400,
            "{:?}: {}",
            String::from_utf8_lossy(bad),
            r.raw()
        );
        assert!(r.json()["error"].is_string());
    }
    let r = log.send(addr, "GET", "/v1/verify", &[], b"");
    assert_eq!(r.status, 405, "GET /v1/verify: {}", r.raw());
    let big = format!(
        "{{\"key\":\"{}\",\"pad\":\"{}\"}}",
        fx.valid,
        "x".repeat(70 * 1024)
    );
    let r = log.send(addr, "POST", "/v1/verify", &[], big.as_bytes());
    assert_eq!(r.status, 413, "a body over 64 KiB");
}

/// `/healthz`, `/metrics`, and 431 for headers over 16 KiB on every endpoint.
fn operations(addr: SocketAddr, log: &mut Log) {
    let r = log.send(addr, "GET", "/healthz", &[], b"");
    assert_eq!((r.status, r.text().trim()), (200, "ok"));
    let r = log.send(addr, "GET", "/metrics", &[], b"");
    assert_eq!(r.status, 200);
    let metrics = r.text();
    for code in [
        "VALID",
        "MISSING",
        "MALFORMED",
        "NOT_FOUND",
        "REVOKED",
        "EXPIRED",
        "PLAN",
    ] {
        let line = format!("seenty_keys_verifications_total{{code=\"{code}\"}}");
        assert!(metrics.contains(&line), "{line} in\n{metrics}");
    }
    // Every metric openapi.yaml and the README name.
    for name in [
        "seenty_keys_view_age_seconds",
        "seenty_keys_http_responses_total{status=\"204\"}",
        "seenty_keys_store_up",
        "seenty_keys_store_reconnects_total",
        "seenty_keys_remembered_keys",
        "seenty_keys_last_used_flushes_total",
        "seenty_keys_last_used_flush_failures_total",
        "seenty_keys_open_connections",
    ] {
        assert!(
            metrics.contains(&format!("\n{name} ")),
            "{name} in\n{metrics}"
        );
    }
    let big = "a".repeat(17 * 1024);
    for (method, path) in [
        ("GET", "/v1/check"),
        ("POST", "/v1/verify"),
        ("GET", "/healthz"),
        ("GET", "/metrics"),
    ] {
        let r = log.send(addr, method, path, &[("X-Padding", &big)], b"");
        assert_eq!(r.status, 431, "{method} {path} with 17 KiB of headers");
    }
}

/// PostgreSQL refusing the service's connections: 503 on the verdict endpoints and on
/// `/healthz` within the freshness, as described.
fn unavailable(addr: SocketAddr, key: &str, admin: &str, db: &str, log: &mut Log) {
    let mut pg = pg_client(admin);
    pg.batch_execute(&format!(
        "ALTER DATABASE {db} ALLOW_CONNECTIONS false;
         SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'"
    ))
    .unwrap();
    let down = super::within(std::time::Duration::from_secs(5), || {
        http::get(addr, "/healthz", &[]).status == 503
    });
    let bearer = format!("Bearer {key}");
    let r = log.send(addr, "GET", "/v1/check", &[("Authorization", &bearer)], b"");
    let body = json!({ "key": key }).to_string();
    let v = log.send(addr, "POST", "/v1/verify", &[], body.as_bytes());
    let h = log.send(addr, "GET", "/healthz", &[], b"");
    pg.batch_execute(&format!("ALTER DATABASE {db} ALLOW_CONNECTIONS true"))
        .unwrap();
    assert!(down, "/healthz says 503 once the store is unreachable");
    for r in [&r, &v] {
        assert_eq!(r.status, 503, "{}", r.raw());
        assert_eq!(r.header("x-seenty-code"), Some("UNAVAILABLE"));
        assert_eq!(r.json(), json!({"valid": false, "code": "UNAVAILABLE"}));
    }
    assert_eq!(h.status, 503);
}
