//! The HTTP API: one function routes each (method, path) to its handler, so another
//! endpoint is one more arm. Every answer to a key check comes from [`verdict`](crate::lifecycle::verify), as
//! `verify`'s do, and no answer carries the key.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Body, Bytes, Incoming};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;

use super::metrics::{Gauges, Metrics};
use super::source::Source;
use super::view::View;
use crate::domain::key;
use crate::lifecycle::verify::{self as verdict, Code, Verdict as Outcome};
use crate::render::VerifyJson;

pub(crate) type Answer = Response<Full<Bytes>>;

/// The largest body `/v1/verify` reads; a key is 36 bytes.
const MAX_BODY: usize = 64 * 1024;
/// How long a body may take to arrive once the headers have.
const BODY_TIME: Duration = Duration::from_secs(10);
/// How long a lookup may take before the answer is 503.
const LOOKUP_TIME: Duration = Duration::from_secs(2);
/// What a header value keeps unencoded: the URL's unreserved characters.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// What every request is answered from.
pub(crate) struct App {
    pub view: Arc<View>,
    pub source: Source,
    pub metrics: Arc<Metrics>,
    /// `--org`: the only organization whose keys are served.
    pub org: Option<String>,
    /// The leak-report endpoints, when `--leak-keys` enabled them.
    pub leaks: Option<super::leaks::Leaks>,
}

pub(crate) async fn handle(
    app: Arc<App>,
    request: Request<Incoming>,
) -> Result<Answer, Infallible> {
    let answer = route(&app, request).await;
    app.metrics.response(answer.status().as_u16());
    Ok(answer)
}

async fn route(app: &App, request: Request<Incoming>) -> Answer {
    let (parts, body) = request.into_parts();
    match (&parts.method, parts.uri.path()) {
        (_, "/v1/check") => check(app, &parts.headers, StatusCode::NO_CONTENT).await,
        // Envoy's ext_authz (HTTP mode) allows only a 200, and appends the client's
        // path to its `path_prefix`.
        (_, path) if path == "/v1/ext-authz" || path.starts_with("/v1/ext-authz/") => {
            check(app, &parts.headers, StatusCode::OK).await
        }
        (&Method::POST, "/v1/verify") => verify(app, body).await,
        (&Method::GET | &Method::HEAD, "/healthz") => healthz(app),
        (&Method::GET | &Method::HEAD, "/metrics") => metrics(app),
        (_, "/v1/verify") => not_allowed("POST"),
        (_, "/healthz" | "/metrics") => not_allowed("GET, HEAD"),
        (method, path) => match app
            .leaks
            .as_ref()
            .and_then(|l| Some((l, l.provider(path)?)))
        {
            Some((leaks, provider)) if method == Method::POST => {
                leaks.handle(provider, &parts.headers, body).await
            }
            Some(_) => not_allowed("POST"),
            None => error(StatusCode::NOT_FOUND, "no such path"),
        },
    }
}

/// For gateways: `valid` (204, or 200 for Envoy) with the key's identity, or
/// 401/403/503 with the code.
async fn check(app: &App, headers: &HeaderMap, valid: StatusCode) -> Answer {
    let Some(presented) = presented(headers) else {
        return if app.view.fresh() {
            refused(app, "MISSING", false)
        } else {
            refused(app, "UNAVAILABLE", false)
        };
    };
    let Some(outcome) = decide(app, presented).await else {
        return refused(app, "UNAVAILABLE", true);
    };
    match (&outcome.key, outcome.code) {
        (Some(key), None) => {
            app.metrics.verdict("VALID");
            let mut answer = reply(valid, Bytes::new(), None);
            let headers = answer.headers_mut();
            for (name, value) in [
                ("x-seenty-key-id", &key.id),
                ("x-seenty-org", &key.org),
                ("x-seenty-key-name", &key.name),
            ] {
                let encoded = utf8_percent_encode(value, UNRESERVED).to_string();
                if let Ok(value) = HeaderValue::try_from(encoded) {
                    headers.insert(name, value);
                }
            }
            answer
        }
        (_, code) => refused(app, code.map_or("NOT_FOUND", Code::name), true),
    }
}

/// The key a request presents: `Authorization: Bearer KEY`, else `X-Api-Key: KEY`.
fn presented(headers: &HeaderMap) -> Option<&[u8]> {
    let bearer = headers.get(header::AUTHORIZATION).and_then(|value| {
        let value = value.as_bytes().trim_ascii();
        let (scheme, rest) = value.split_at_checked(6)?;
        let token = rest.strip_prefix(b" ")?.trim_ascii();
        (scheme.eq_ignore_ascii_case(b"bearer") && !token.is_empty()).then_some(token)
    });
    bearer.or_else(|| {
        headers
            .get("x-api-key")
            .map(|value| value.as_bytes().trim_ascii())
            .filter(|token| !token.is_empty())
    })
}

/// The verdict on a presented key, or `None` when it cannot be trusted: the view is
/// not fresh, or the store did not answer.
async fn decide(app: &App, presented: &[u8]) -> Option<Outcome> {
    if !app.view.fresh() {
        return None;
    }
    let hash = match key::check(presented.trim_ascii()) {
        Ok(hash) => hash,
        Err(why) => return Some(Outcome::malformed(why)),
    };
    let (remembered, epoch) = app.view.get(&hash);
    let found = match remembered {
        Some(found) => found,
        None => {
            let found = tokio::time::timeout(LOOKUP_TIME, app.source.lookup(hash))
                .await
                .ok()
                .flatten()?;
            app.view.fill(hash, epoch, found.clone());
            found
        }
    };
    let now = app.view.now();
    let outcome = verdict::judge(found, app.org.as_deref(), now);
    if let Some((handle, attempt)) = outcome.usage() {
        app.source.record(handle, attempt, now);
    }
    Some(outcome)
}

/// A rejected check: the status its code calls for, the code in a header and the body.
fn refused(app: &App, code: &'static str, key_given: bool) -> Answer {
    app.metrics.verdict(code);
    let status = match code {
        "PLAN" => StatusCode::FORBIDDEN,
        "UNAVAILABLE" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::UNAUTHORIZED,
    };
    // The order the contract shows; `code` is one of ours, nothing to escape.
    let body = format!(r#"{{"valid":false,"code":"{code}"}}"#);
    let mut answer = reply(status, body.into(), Some("application/json"));
    let headers = answer.headers_mut();
    headers.insert("x-seenty-code", HeaderValue::from_static(code));
    if status == StatusCode::UNAUTHORIZED {
        let challenge = if key_given {
            r#"Bearer realm="seenty-keys", error="invalid_token""#
        } else {
            r#"Bearer realm="seenty-keys""#
        };
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        );
    }
    answer
}

#[derive(Deserialize)]
struct VerifyBody {
    key: String,
}

/// For applications: `verify --json`'s object, whatever the verdict.
async fn verify(app: &App, body: Incoming) -> Answer {
    if !app.view.fresh() {
        return refused(app, "UNAVAILABLE", true);
    }
    // A body announced too long is refused before a byte of it is read.
    if body.size_hint().lower() > MAX_BODY as u64 {
        return error(StatusCode::PAYLOAD_TOO_LARGE, "the body is over 64 KiB");
    }
    let bytes = match tokio::time::timeout(BODY_TIME, Limited::new(body, MAX_BODY).collect()).await
    {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return error(StatusCode::PAYLOAD_TOO_LARGE, "the body is over 64 KiB");
        }
        Ok(Err(_)) => return error(StatusCode::BAD_REQUEST, "the body could not be read"),
        Err(_) => return error(StatusCode::REQUEST_TIMEOUT, "the body took too long"),
    };
    // serde's message may quote the input, which may hold a key: not passed on.
    let Ok(VerifyBody { key }) = serde_json::from_slice(&bytes) else {
        return error(
            StatusCode::BAD_REQUEST,
            r#"the body must be a JSON object {"key": "..."}"#,
        );
    };
    let Some(outcome) = decide(app, key.as_bytes()).await else {
        return refused(app, "UNAVAILABLE", true);
    };
    app.metrics
        .verdict(outcome.code.map_or("VALID", Code::name));
    let body = serde_json::to_string(&VerifyJson::new(&outcome)).unwrap_or_default();
    reply(StatusCode::OK, body.into(), Some("application/json"))
}

fn healthz(app: &App) -> Answer {
    if app.view.fresh() {
        reply(StatusCode::OK, "ok\n".into(), Some("text/plain"))
    } else {
        reply(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable: the store's changes are not confirmed\n".into(),
            Some("text/plain"),
        )
    }
}

fn metrics(app: &App) -> Answer {
    let text = app.metrics.render(&Gauges {
        view_age: app.view.age().map(|age| age.as_secs_f64()),
        remembered: app.view.entries(),
    });
    reply(
        StatusCode::OK,
        text.into(),
        Some("text/plain; version=0.0.4"),
    )
}

fn not_allowed(allow: &'static str) -> Answer {
    let mut answer = error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
    answer
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    answer
}

pub(super) fn error(status: StatusCode, message: &str) -> Answer {
    let body = serde_json::json!({ "error": message }).to_string();
    reply(status, body.into(), Some("application/json"))
}

pub(super) fn reply(status: StatusCode, body: Bytes, content_type: Option<&'static str>) -> Answer {
    let mut answer = Response::new(Full::new(body));
    *answer.status_mut() = status;
    let headers = answer.headers_mut();
    if let Some(content_type) = content_type {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    // A verdict is of this moment: no cache in between may keep it.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    answer
}
