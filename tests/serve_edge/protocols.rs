//! The gateways that are not in Debian, Envoy (`ext_authz` in HTTP mode) and Traefik
//! (ForwardAuth), as their authorization protocols are documented and implemented: each
//! test plays the gateway's part against a real `serve` with the configuration the README
//! gives, and checks what the client and the upstream would see.
//!
//! - Traefik: a `GET` to `address` carrying the client's headers (hop-by-hop ones
//!   removed) and `X-Forwarded-Method/-Proto/-Host/-Uri/-For`; a 2xx lets the request
//!   through after replacing each `authResponseHeaders` name on it with the answer's
//!   values (deleted when the answer has none); any other answer goes back to the client
//!   with its status, headers and body; no answer at all is a 500.
//! - Envoy: the client's method, the path `path_prefix` + the client's path and query,
//!   `Content-Length: 0`, no body, and the headers `Host`, `Authorization` plus those
//!   `allowed_headers` lists; only a **200** lets the request through (copying the
//!   `allowed_upstream_headers`, replacing the client's); a 5xx or no answer is a 403;
//!   any other status goes back to the client with the answer's headers and body.

use std::net::SocketAddr;

use super::http::{self, Inspect, Response};
use super::{Fixture, Serve, VALID_NAME, addr, assert_no_secret};

/// What a gateway decided: the request passes upstream with these headers, or the
/// client gets this answer.
enum Outcome {
    Upstream(Vec<(String, String)>),
    Client(u16, Response),
}

const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
];

/// The README's Traefik middleware: `address: http://SERVE/v1/check`,
/// `authResponseHeaders: [X-Seenty-Key-Id, X-Seenty-Org, X-Seenty-Key-Name]`.
fn traefik(serve: SocketAddr, client: &[(&str, &str)]) -> Outcome {
    const AUTH_RESPONSE_HEADERS: [&str; 3] =
        ["X-Seenty-Key-Id", "X-Seenty-Org", "X-Seenty-Key-Name"];
    let mut forward: Vec<(&str, &str)> = client
        .iter()
        .filter(|(n, _)| !HOP_BY_HOP.contains(&n.to_ascii_lowercase().as_str()))
        .copied()
        .collect();
    forward.extend([
        ("X-Forwarded-For", "127.0.0.1"),
        ("X-Forwarded-Method", "POST"),
        ("X-Forwarded-Proto", "https"),
        ("X-Forwarded-Host", "api.example.com"),
        ("X-Forwarded-Uri", "/api/orders?page=2"),
    ]);
    let Some(answer) = http::try_send(serve, "GET", "/v1/check", &forward) else {
        return Outcome::Client(500, empty(500));
    };
    if !(200..300).contains(&answer.status) {
        return Outcome::Client(answer.status, answer);
    }
    let mut upstream: Vec<(String, String)> = client
        .iter()
        .filter(|(n, _)| {
            !AUTH_RESPONSE_HEADERS
                .iter()
                .any(|h| h.eq_ignore_ascii_case(n))
        })
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    for name in AUTH_RESPONSE_HEADERS {
        for value in answer.header_all(name) {
            upstream.push((name.to_owned(), value.to_owned()));
        }
    }
    Outcome::Upstream(upstream)
}

/// The README's Envoy filter: `path_prefix: /v1/ext-authz`, `allowed_headers` with
/// `x-api-key`, `allowed_upstream_headers` the three `x-seenty-` names, no
/// `failure_mode_allow`. The client's request is `POST /api/orders?page=2`.
fn envoy(serve: SocketAddr, client: &[(&str, &str)]) -> Outcome {
    const ALLOWED_UPSTREAM: [&str; 3] = ["x-seenty-key-id", "x-seenty-org", "x-seenty-key-name"];
    let check: Vec<(&str, &str)> = client
        .iter()
        .filter(|(n, _)| ["authorization", "x-api-key"].contains(&n.to_ascii_lowercase().as_str()))
        .copied()
        .collect();
    // `Content-Length: 0` comes with the empty POST (http::request).
    let Some(answer) = http::try_send(serve, "POST", "/v1/ext-authz/api/orders?page=2", &check)
    else {
        return Outcome::Client(403, empty(403));
    };
    if answer.status >= 500 {
        return Outcome::Client(403, empty(403));
    }
    if answer.status != 200 {
        return Outcome::Client(answer.status, answer);
    }
    let mut upstream: Vec<(String, String)> = client
        .iter()
        .filter(|(n, _)| !ALLOWED_UPSTREAM.contains(&n.to_ascii_lowercase().as_str()))
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    for name in ALLOWED_UPSTREAM {
        if let Some(value) = answer.header(name) {
            upstream.push((name.to_owned(), value.to_owned()));
        }
    }
    Outcome::Upstream(upstream)
}

fn empty(status: u16) -> Response {
    Response {
        status,
        headers: Vec::new(),
        body: Vec::new(),
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

type Gateway = fn(SocketAddr, &[(&str, &str)]) -> Outcome;

/// The same story through either gateway: identity upstream, forged headers replaced,
/// denials with serve's status and challenge, and a stopped serve denied.
fn through(gateway: Gateway, name: &str) {
    let fx = Fixture::new();
    let serve = Serve::start(&fx.env, &[]);
    let id = fx.id_of("acme", VALID_NAME);
    let bearer = format!("Bearer {}", fx.valid);
    let forged = ("X-Seenty-Key-Id", "key_forged");

    match gateway(addr(&serve), &[("Authorization", &bearer), forged]) {
        Outcome::Upstream(headers) => {
            assert_eq!(header(&headers, "x-seenty-key-id"), [id.as_str()], "{name}");
            assert_eq!(header(&headers, "x-seenty-org"), ["acme"], "{name}");
            assert_eq!(
                header(&headers, "x-seenty-key-name"),
                ["Deploy%20bot%20%2F%20caf%C3%A9"],
                "{name}"
            );
        }
        Outcome::Client(status, r) => panic!("{name} refused a valid key: {status} {}", r.raw()),
    }
    match gateway(addr(&serve), &[("X-Api-Key", &fx.valid)]) {
        Outcome::Upstream(headers) => {
            assert_eq!(header(&headers, "x-seenty-key-id"), [id.as_str()])
        }
        Outcome::Client(status, r) => panic!("{name}, X-Api-Key: {status} {}", r.raw()),
    }

    let revoked = format!("Bearer {}", fx.revoked);
    let plan = format!("Bearer {}", fx.plan);
    for (what, headers, status, code) in [
        (
            "revoked",
            vec![("Authorization", revoked.as_str()), forged],
            401,
            "REVOKED",
        ),
        ("no key", vec![forged], 401, "MISSING"),
        ("Hobby", vec![("Authorization", plan.as_str())], 403, "PLAN"),
    ] {
        match gateway(addr(&serve), &headers) {
            Outcome::Upstream(_) => panic!("{name} let a {what} request through"),
            Outcome::Client(got, r) => {
                assert_eq!(got, status, "{name}, {what}: {}", r.raw());
                assert_eq!(r.header("x-seenty-code"), Some(code), "{name}, {what}");
                if status == 401 {
                    let challenge = r.header("www-authenticate").unwrap_or_default();
                    assert!(
                        challenge.starts_with("Bearer realm=\"seenty-keys\""),
                        "{challenge}"
                    );
                }
                assert_no_secret(&r.raw(), &fx.secrets(), "an answer");
            }
        }
    }
    let addr = addr(&serve);
    assert!(serve.terminate().0.success());
    match gateway(addr, &[("Authorization", &bearer)]) {
        Outcome::Upstream(_) => panic!("{name} let a request through with serve stopped"),
        Outcome::Client(status, _) => assert!(status >= 400, "{name} denies: {status}"),
    }
}

#[test]
fn traefik_forward_auth_protocol() {
    through(traefik, "Traefik");
}

#[test]
fn envoy_ext_authz_http_protocol() {
    through(envoy, "Envoy");
}
