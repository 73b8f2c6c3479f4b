//! The counters `/metrics` shows, in Prometheus's text format: verdicts by code, answers
//! by status, the store's health and the view's age. Plain atomics: a request adds to
//! them without a lock.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// The codes a verdict is counted under: `VALID`, `verify`'s, and the service's own.
pub(crate) const CODES: [&str; 8] = [
    "VALID",
    "MALFORMED",
    "NOT_FOUND",
    "REVOKED",
    "EXPIRED",
    "PLAN",
    "MISSING",
    "UNAVAILABLE",
];

/// The statuses the service answers with (hyper answers 431 and drops slow clients
/// before a request reaches it).
const STATUSES: [u16; 11] = [200, 204, 400, 401, 403, 404, 405, 408, 413, 500, 503];

#[derive(Default)]
pub(crate) struct Metrics {
    verifications: [AtomicU64; CODES.len()],
    responses: [AtomicU64; STATUSES.len()],
    pub reconnects: AtomicU64,
    pub store_up: AtomicU64,
    pub flushes: AtomicU64,
    pub flush_failures: AtomicU64,
    pub connections: AtomicU64,
}

/// What the service is doing when `/metrics` is read, beside the counters.
pub(crate) struct Gauges {
    pub view_age: Option<f64>,
    pub remembered: usize,
}

impl Metrics {
    pub(crate) fn verdict(&self, code: &str) {
        if let Some(i) = CODES.iter().position(|c| *c == code) {
            self.verifications[i].fetch_add(1, Relaxed);
        }
    }

    pub(crate) fn response(&self, status: u16) {
        if let Some(i) = STATUSES.iter().position(|s| *s == status) {
            self.responses[i].fetch_add(1, Relaxed);
        }
    }

    pub(crate) fn render(&self, gauges: &Gauges) -> String {
        let mut out = String::with_capacity(4096);
        let mut lines = String::new();
        for (code, count) in CODES.iter().zip(&self.verifications) {
            let _ = writeln!(
                lines,
                "seenty_keys_verifications_total{{code=\"{code}\"}} {}",
                count.load(Relaxed)
            );
        }
        family(
            &mut out,
            ("seenty_keys_verifications_total", "counter"),
            "Keys checked, by verdict code (VALID for accepted keys).",
            &lines,
        );
        lines.clear();
        for (status, count) in STATUSES.iter().zip(&self.responses) {
            let _ = writeln!(
                lines,
                "seenty_keys_http_responses_total{{status=\"{status}\"}} {}",
                count.load(Relaxed)
            );
        }
        family(
            &mut out,
            ("seenty_keys_http_responses_total", "counter"),
            "HTTP answers, by status.",
            &lines,
        );
        let age = gauges
            .view_age
            .map_or("+Inf".to_owned(), |a| format!("{a:.3}"));
        let load = |counter: &AtomicU64| counter.load(Relaxed).to_string();
        let single = [
            (
                ("seenty_keys_view_age_seconds", "gauge"),
                "How long ago the service last confirmed it had seen every change of the store.",
                age,
            ),
            (
                ("seenty_keys_store_up", "gauge"),
                "1 while the store answers, 0 while it is lost.",
                load(&self.store_up),
            ),
            (
                ("seenty_keys_store_reconnects_total", "counter"),
                "Connections to the store made again after it was lost.",
                load(&self.reconnects),
            ),
            (
                ("seenty_keys_remembered_keys", "gauge"),
                "Key hashes whose lookup is remembered until the next change.",
                gauges.remembered.to_string(),
            ),
            (
                ("seenty_keys_last_used_flushes_total", "counter"),
                "Transactions that wrote batched last-used times and use attempts.",
                load(&self.flushes),
            ),
            (
                ("seenty_keys_last_used_flush_failures_total", "counter"),
                "Batches of last-used times the store refused (kept for the next try).",
                load(&self.flush_failures),
            ),
            (
                ("seenty_keys_open_connections", "gauge"),
                "HTTP connections open now.",
                load(&self.connections),
            ),
        ];
        for ((name, kind), help, value) in single {
            family(&mut out, (name, kind), help, &format!("{name} {value}\n"));
        }
        out
    }
}

/// One metric family: its help and type lines, then its samples.
fn family(out: &mut String, (name, kind): (&str, &str), help: &str, samples: &str) {
    let _ = write!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{samples}");
}
