//! openapi.yaml's leak-report paths against what a real `serve` answers: the test plays
//! GitHub and GitLab (the leak tests' signing key pair, the public keys in a file) and
//! every answer, accepted or refused, goes through the same checker as the other
//! endpoints' ([`assert_described`]).

use std::net::SocketAddr;

use serde_json::json;

use super::http::{Inspect, Response};
use super::openapi::{Log, assert_described};
use super::{Serve, addr, assert_no_secret};
use crate::common::venv_tool;
use crate::serve_leaks::harness::{SigningKey, listing, report, sha256_hex};
use crate::serve_leaks::setup;

/// A provider's path and the names of its two headers.
struct Provider {
    path: &'static str,
    key_id: &'static str,
    signature: &'static str,
}

const GITHUB: Provider = Provider {
    path: "/v1/leaks/github",
    key_id: "Github-Public-Key-Identifier",
    signature: "Github-Public-Key-Signature",
};

const GITLAB: Provider = Provider {
    path: "/v1/leaks/gitlab",
    key_id: "Gitlab-Public-Key-Identifier",
    signature: "Gitlab-Public-Key-Signature",
};

#[test]
fn leak_report_answers_match_the_openapi_description() {
    let Some(python) = venv_tool("python") else {
        return;
    };
    let github = SigningKey::new("gh-1");
    let gitlab = SigningKey::new("gl-1");
    let (env, github_keys) = setup(&[&github]);
    let gitlab_keys = env.path("gitlab-keys.json");
    std::fs::write(&gitlab_keys, listing(&[&gitlab])).unwrap();
    let leaked = [
        env.generate("Leaky on GitHub"),
        env.generate("Leaky on GitLab"),
    ];
    let serve = Serve::start(
        &env,
        &[
            "--leak-keys",
            &github_keys,
            "--gitlab-leak-keys",
            &gitlab_keys.display().to_string(),
        ],
    );
    let mut log = Log::default();
    for ((provider, key), leaked) in [(&GITHUB, &github), (&GITLAB, &gitlab)]
        .into_iter()
        .zip(&leaked)
    {
        reports(addr(&serve), provider, key, leaked, &mut log);
    }
    let bare = Serve::start(&env, &[]);
    for provider in [&GITHUB, &GITLAB] {
        let body = report(&[&leaked[0]]);
        let signature = github.sign(&body);
        let headers = [(provider.key_id, "gh-1"), (provider.signature, &signature)];
        let r = log.send(addr(&bare), "POST", provider.path, &headers, &body);
        assert_eq!(
            r.status,
            404,
            "{} without its keys: {}",
            provider.path,
            r.raw()
        );
        let r = log.send(addr(&bare), "GET", provider.path, &[], b"");
        assert_eq!(r.status, 404, "GET {} without its keys", provider.path);
    }
    let secrets: Vec<&str> = leaked.iter().map(String::as_str).collect();
    assert_no_secret(&log.json(), &secrets, "an answer");
    assert_described(&python, &log);
}

/// One provider's path: a signed report of a key of the store and noise, then refusals
/// (a forged signature, a missing header, a signed body that is no report, GET).
fn reports(addr: SocketAddr, provider: &Provider, key: &SigningKey, leaked: &str, log: &mut Log) {
    let unknown = seenty_keys::domain::key::Secret::generate().unwrap();
    let tokens = [leaked, unknown.expose(), "sk_live_short"];
    let body = report(&tokens);
    let r = signed(addr, provider, key, &body, log);
    assert_eq!(r.status, 200, "{}: {}", provider.path, r.raw());
    let labels = ["true_positive", "false_positive", "false_positive"];
    let expected: Vec<_> = tokens
        .iter()
        .zip(labels)
        .map(|(t, label)| {
            json!({"token_hash": sha256_hex(t), "token_type": "seenty_api_key", "label": label})
        })
        .collect();
    assert_eq!(r.json(), json!(expected), "{}", provider.path);

    let forger = SigningKey::new(&key.id);
    let r = signed(addr, provider, &forger, &body, log);
    assert_eq!(
        r.status,
        401,
        "{} wrong signature: {}",
        provider.path,
        r.raw()
    );
    let r = log.send(
        addr,
        "POST",
        provider.path,
        &[(provider.key_id, &key.id)],
        &body,
    );
    assert_eq!(r.status, 401, "{} no signature: {}", provider.path, r.raw());
    let r = signed(addr, provider, key, b"{\"token\":\"x\"}", log);
    assert_eq!(r.status, 400, "{} not an array: {}", provider.path, r.raw());
    let r = log.send(addr, "GET", provider.path, &[], b"");
    assert_eq!(r.status, 405, "GET {}: {}", provider.path, r.raw());
    assert_eq!(r.header("allow"), Some("POST"));
}

/// POSTs `body` to the provider's path, signed by `key` in the provider's headers.
fn signed(
    addr: SocketAddr,
    provider: &Provider,
    key: &SigningKey,
    body: &[u8],
    log: &mut Log,
) -> Response {
    let signature = key.sign(body);
    let headers = [
        (provider.key_id, key.id.as_str()),
        (provider.signature, &signature),
    ];
    log.send(addr, "POST", provider.path, &headers, body)
}
