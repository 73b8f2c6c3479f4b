//! The leak-report endpoints (`POST /v1/leaks/github`, `/v1/leaks/gitlab`): the HTTP
//! side of [`crate::leak`]. A report's body is read whole (at most 16 MiB), its
//! signature checked against the provider's public keys, and then handed to a thread
//! with a store of its own, which judges and revokes (the store's interface is
//! synchronous, so it stays off the HTTP workers). Once a revocation is committed the
//! view is brought up to date at once, so this process rejects the key before it answers.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::StatusCode;
use hyper::body::Incoming;
use hyper::header::HeaderMap;
use tokio::sync::oneshot;

use super::http::{Answer, error, reply};
use super::log;
use super::view::View;
use crate::error::{Error, Result};
use crate::leak;
use crate::leak::act::{self, OnLeak, Outcome};
use crate::leak::report::{MAX_REPORT, Provider, Reported};
use crate::leak::source::{KeySource, Keyring, REFRESH_EVERY, Refresh};
use crate::lifecycle::{Actor, Session};
use crate::store::Location;

/// How long a report's body may take to arrive once the headers have.
const BODY_TIME: Duration = Duration::from_secs(20);
/// Reports whose bodies are read at once: each may hold up to 16 MiB before its
/// signature can be checked, so unsigned floods cannot grow memory past this many.
const READING_AT_ONCE: usize = 8;

/// `--leak-keys`, `--gitlab-leak-keys` and `--on-leak`.
pub(crate) struct LeakOptions {
    pub github: Option<KeySource>,
    pub gitlab: Option<KeySource>,
    pub on_leak: OnLeak,
}

struct Job {
    provider: Provider,
    reported: Vec<Reported>,
    reply: oneshot::Sender<Result<Outcome>>,
}

/// The enabled endpoints: each provider's keys, and the thread that acts on reports.
pub(crate) struct Leaks {
    keyrings: Vec<(Provider, Arc<Keyring>)>,
    jobs: Sender<Job>,
    reading: tokio::sync::Semaphore,
}

impl Leaks {
    /// Reads each provider's keys (a source that cannot be read or parsed stops the
    /// service from starting) on `runtime`, and starts the thread that acts on reports,
    /// with a store of its own (opened here, outside the runtime, as the blocking
    /// PostgreSQL client requires). `None` when no provider is configured.
    pub(crate) fn start(
        options: LeakOptions,
        location: &Location,
        org: Option<String>,
        view: Arc<View>,
        runtime: &tokio::runtime::Runtime,
    ) -> Result<Option<Self>> {
        let mut keyrings = Vec::new();
        for (provider, source) in [
            (Provider::GitHub, options.github),
            (Provider::GitLab, options.gitlab),
        ] {
            let Some(source) = source else { continue };
            let keyring = runtime.block_on(Keyring::load(source)).map_err(|e| {
                Error::Unreadable(format!("the {} leak keys: {e}", provider.name()))
            })?;
            log(&format!(
                "leak reports from {} at /v1/leaks/{} ({} public keys, --on-leak {})",
                provider.name(),
                provider.slug(),
                runtime.block_on(keyring.count()),
                on_leak_name(options.on_leak),
            ));
            let keyring = Arc::new(keyring);
            let hourly = Arc::clone(&keyring);
            runtime.spawn(async move {
                loop {
                    tokio::time::sleep(REFRESH_EVERY).await;
                    if let Some(refresh) = hourly.refresh_if_stale().await {
                        log_refresh(provider, &refresh);
                    }
                }
            });
            keyrings.push((provider, keyring));
        }
        if keyrings.is_empty() {
            return Ok(None);
        }
        // The actor of each change is the report's sender, named per report.
        let session = Session::open(location, Actor::Named(String::new()))?;
        let (jobs, received) = mpsc::channel();
        let on_leak = options.on_leak;
        thread::spawn(move || acting(session, &received, on_leak, org.as_deref(), &view));
        Ok(Some(Self {
            keyrings,
            jobs,
            reading: tokio::sync::Semaphore::new(READING_AT_ONCE),
        }))
    }

    /// The provider whose endpoint `path` is, when it is enabled.
    pub(crate) fn provider(&self, path: &str) -> Option<Provider> {
        let slug = path.strip_prefix("/v1/leaks/")?;
        self.keyrings
            .iter()
            .map(|(p, _)| *p)
            .find(|p| p.slug() == slug)
    }

    /// Answers one report.
    pub(crate) async fn handle(
        &self,
        provider: Provider,
        headers: &HeaderMap,
        body: Incoming,
    ) -> Answer {
        let Some(keyring) = self.keyring(provider) else {
            return error(StatusCode::NOT_FOUND, "no such path");
        };
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let signed = (
            header(provider.key_id_header()),
            header(provider.signature_header()),
        );
        // A report without its signature headers is refused before a byte of its body is
        // read, and bodies are read a few at a time: an unsigned flood holds no memory.
        let is_signed = matches!(signed, (Some(_), Some(_)));
        let _reading = if is_signed {
            match self.reading.acquire().await {
                Ok(permit) => Some(permit),
                Err(_) => return error(StatusCode::SERVICE_UNAVAILABLE, "the service is stopping"),
            }
        } else {
            None
        };
        let body = if is_signed {
            tokio::time::timeout(BODY_TIME, Limited::new(body, MAX_REPORT).collect()).await
        } else {
            Ok(Ok(http_body_util::Collected::default()))
        };
        let body = match body {
            Ok(Ok(collected)) => collected.to_bytes(),
            Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
                return error(StatusCode::PAYLOAD_TOO_LARGE, "the report is over 16 MiB");
            }
            Ok(Err(_)) => return error(StatusCode::BAD_REQUEST, "the body could not be read"),
            Err(_) => return error(StatusCode::REQUEST_TIMEOUT, "the body took too long"),
        };
        let checked = leak::check(keyring, signed.0, signed.1, &body, &mut |refresh| {
            log_refresh(provider, &refresh)
        })
        .await;
        let reported = match checked {
            Ok(reported) => reported,
            Err(why) => {
                log(&format!(
                    "leak report from {} refused: {why}",
                    provider.name()
                ));
                let status = StatusCode::from_u16(why.status()).unwrap_or(StatusCode::BAD_REQUEST);
                return error(status, &why.to_string());
            }
        };
        let count = reported.len();
        let (reply_to, outcome) = oneshot::channel();
        let job = Job {
            provider,
            reported,
            reply: reply_to,
        };
        let sent = self.jobs.send(job).is_ok();
        let outcome = match (sent, outcome.await) {
            (true, Ok(Ok(outcome))) => outcome,
            (_, Ok(Err(e))) => {
                log(&format!(
                    "leak report from {} not acted on: {e}",
                    provider.name()
                ));
                return unavailable();
            }
            _ => return unavailable(),
        };
        log_outcome(provider, count, &outcome);
        match serde_json::to_vec(&outcome.answers) {
            Ok(json) => reply(StatusCode::OK, json.into(), Some("application/json")),
            Err(_) => error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the answer could not be written",
            ),
        }
    }

    fn keyring(&self, provider: Provider) -> Option<&Keyring> {
        self.keyrings
            .iter()
            .find(|(p, _)| *p == provider)
            .map(|(_, k)| k.as_ref())
    }
}

/// The store could not act: the sender retries later, and a retry is safe.
fn unavailable() -> Answer {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "the store could not act on the report; send it again",
    )
}

fn on_leak_name(on_leak: OnLeak) -> &'static str {
    match on_leak {
        OnLeak::Revoke => "revoke",
        OnLeak::Record => "record",
    }
}

fn log_refresh(provider: Provider, refresh: &Refresh) {
    match refresh {
        Refresh::Read(count) => log(&format!(
            "read {count} {} public keys for leak reports",
            provider.name()
        )),
        Refresh::Failed(e) => log(&format!(
            "could not read the {} public keys, keeping the last ones: {e}",
            provider.name()
        )),
    }
}

/// One line per report: no token, only counts and the ids of the keys acted on.
fn log_outcome(provider: Provider, count: usize, outcome: &Outcome) {
    let positives = outcome
        .answers
        .iter()
        .filter(|a| a.label == leak::report::Label::TruePositive)
        .count();
    let acted = if outcome.keys.is_empty() {
        String::new()
    } else {
        let verb = if outcome.revoked > 0 {
            "revoked"
        } else {
            "recorded on"
        };
        format!("; {verb} {}", outcome.keys.join(", "))
    };
    log(&format!(
        "leak report from {}: {count} token(s), {positives} of this store{acted}",
        provider.name()
    ));
}

/// Acts on the reports handed over, one at a time, until the service stops. After a
/// revocation the counter is read and shown to the view, so this process stops
/// accepting the key before the report is answered. A failed act connects again
/// before the next.
fn acting(
    mut session: Session,
    jobs: &Receiver<Job>,
    on_leak: OnLeak,
    org: Option<&str>,
    view: &View,
) {
    let mut broken = false;
    while let Ok(job) = jobs.recv() {
        if broken {
            let _ = session.store().reconnect();
        }
        let result = act::act(&mut session, job.provider, on_leak, org, &job.reported);
        broken = result.is_err();
        if result.as_ref().is_ok_and(|o| o.revoked > 0) {
            let started = Instant::now();
            if let Ok(seen) = session.store().change_version() {
                view.observe(seen, started);
            }
        }
        let _ = job.reply.send(result);
    }
}
