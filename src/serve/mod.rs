//! `seenty-keys serve`: the verification service for API servers and gateways.
//!
//! The store is read by threads of its own (`source`); what they learn is kept in a
//! `view::View` that a monitor keeps current with the store's change counter, so a
//! check of a key seen before costs no database round trip, and a revocation anywhere
//! reaches every process within a second. A process that cannot confirm it is current
//! answers 503 (fails closed). HTTP/1.1 is served by hyper on tokio (`listen`,
//! `http`).

mod conns;
mod http;
mod leaks;
mod listen;
mod metrics;
mod source;
mod view;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, watch};

use crate::error::{Error, Exit, Result, StoreFault};
use crate::store::Location;
use conns::{Conns, HARD_LIMIT};
pub(crate) use leaks::LeakOptions;
use listen::Bound;

/// `--freshness` at most.
const MAX_FRESHNESS: Duration = Duration::from_secs(60);
/// How long the store has to answer the first read of its counter at start.
const READY_TIME: Duration = Duration::from_secs(10);
/// How long requests in progress have to finish at SIGTERM or SIGINT.
const DRAIN_TIME: Duration = Duration::from_secs(10);

/// What the command line chose.
pub(crate) struct Options {
    pub location: Location,
    pub org: Option<String>,
    pub listen: Vec<String>,
    pub freshness: Duration,
    /// Who acts in the audit events of attempts with revoked or expired keys.
    pub actor: String,
    /// The leak-report endpoints to enable.
    pub leaks: LeakOptions,
}

/// `--freshness`: seconds (`1s`), milliseconds (`500ms`) or the tool's other durations
/// (`1m`); more than zero and at most a minute.
pub(crate) fn parse_freshness(text: &str) -> Result<Duration> {
    let text = text.trim();
    let number =
        |digits: &str, unit: u64| digits.parse::<u64>().ok().and_then(|n| n.checked_mul(unit));
    let ms = if let Some(digits) = text.strip_suffix("ms") {
        number(digits, 1)
    } else if let Some(digits) = text.strip_suffix('s') {
        number(digits, 1000)
    } else {
        crate::domain::expires::parse_duration(text)
            .ok()
            .flatten()
            .and_then(|span| u64::try_from(span.num_milliseconds()).ok())
    };
    match ms.map(Duration::from_millis) {
        Some(d) if !d.is_zero() && d <= MAX_FRESHNESS => Ok(d),
        _ => Err(Error::BadFreshness(text.to_owned())),
    }
}

/// One line on stderr, keys shown as hints.
pub(crate) fn log(message: &str) {
    eprintln!("seenty-keys serve: {}", crate::render::message(message));
}

pub(crate) fn run(options: Options) -> Result<Exit> {
    let bound = options
        .listen
        .iter()
        .map(|addr| listen::bind(addr))
        .collect::<Result<Vec<_>>>()?;
    let view = Arc::new(view::View::new(options.freshness));
    let metrics = Arc::new(metrics::Metrics::default());
    let source = source::Source::start(&options.location, &view, &metrics, options.actor)?;
    let started = Instant::now();
    while !view.fresh() {
        if started.elapsed() > READY_TIME {
            source.stop();
            return Err(Error::Store {
                fault: StoreFault::Connect,
                message: "the store did not answer at start".to_owned(),
            });
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| Error::Io {
            what: "starting the HTTP service".to_owned(),
            source,
        })?;
    let leaks = leaks::Leaks::start(
        options.leaks,
        &options.location,
        options.org.clone(),
        view.clone(),
        &runtime,
    );
    let leaks = match leaks {
        Ok(leaks) => leaks,
        Err(e) => {
            source.stop();
            return Err(e);
        }
    };
    let scope = options
        .org
        .as_ref()
        .map_or("every organization".to_owned(), |org| {
            format!("organization {org}")
        });
    log(&format!(
        "started: {scope} of {}, freshness {}ms",
        options.location,
        options.freshness.as_millis()
    ));
    let app = Arc::new(http::App {
        view,
        source,
        metrics,
        org: options.org,
        leaks,
    });
    let served = runtime.block_on(serve(bound, app.clone()));
    app.source.stop();
    runtime.shutdown_timeout(Duration::from_millis(100));
    let bound = served?;
    for listener in &bound {
        listener.clean_up();
    }
    log("stopped");
    Ok(Exit::Success)
}

/// Serves on every listener until SIGTERM or SIGINT, then stops accepting and lets the
/// requests in progress finish. Returns the listeners, for their clean-up.
async fn serve(bound: Vec<Bound>, app: Arc<http::App>) -> Result<Vec<Bound>> {
    let signal = |kind| {
        tokio::signal::unix::signal(kind).map_err(|source| Error::Io {
            what: "installing the signal handlers".to_owned(),
            source,
        })
    };
    let mut terminate = signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut interrupt = signal(tokio::signal::unix::SignalKind::interrupt())?;
    let permits = Arc::new(Semaphore::new(HARD_LIMIT));
    let conns = Arc::new(Conns::default());
    let (stop, stopped) = watch::channel(false);
    let mut loops = tokio::task::JoinSet::new();
    for listener in bound {
        // Printed once the store answered and the listener accepts.
        eprintln!("listening on {}", listener.describe());
        loops.spawn(listener.accept(app.clone(), permits.clone(), conns.clone(), stopped.clone()));
    }
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
    }
    log("stopping: finishing the requests in progress");
    let _ = stop.send(true);
    let mut listeners = Vec::new();
    while let Some(done) = loops.join_next().await {
        if let Ok(Ok(listener)) = done {
            listeners.push(listener);
        }
    }
    let all = u32::try_from(HARD_LIMIT).unwrap_or(u32::MAX);
    if tokio::time::timeout(DRAIN_TIME, permits.acquire_many(all))
        .await
        .is_err()
    {
        log("requests still in progress after 10s were cut");
    }
    Ok(listeners)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_takes_seconds_milliseconds_and_minutes_up_to_one() {
        assert_eq!(parse_freshness("1s").unwrap(), Duration::from_secs(1));
        assert_eq!(
            parse_freshness(" 250ms").unwrap(),
            Duration::from_millis(250)
        );
        assert_eq!(parse_freshness("1m").unwrap(), Duration::from_secs(60));
        for bad in ["0s", "0ms", "61s", "2m", "1h", "s", "-1s", "1.5s", ""] {
            assert!(parse_freshness(bad).is_err(), "{bad}");
        }
    }
}
