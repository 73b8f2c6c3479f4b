//! Everything `serve` asks of the store, and the threads that ask it: the store's
//! interface is synchronous (SQLite; the `postgres` crate's blocking client), so it is
//! kept off the HTTP workers. One monitor keeps the [`View`] current, a few lookup
//! threads answer misses, and one writer flushes last-used times. Each thread holds a
//! store of its own.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::log;
use super::metrics::Metrics;
use super::view::View;
use crate::domain::Timestamp;
use crate::domain::event::EventKind;
use crate::domain::key::KeyHash;
use crate::error::Result;
use crate::lifecycle::{Actor, Session};
use crate::store::{self, KeyMatch, Location, Store, Uses};

/// How often the counter is read when no notification comes: a change is seen this
/// soon even through a pooler that drops notifications, or after they were lost.
const POLL: Duration = Duration::from_millis(100);
/// Waits between attempts to reach a lost store: doubled up to the maximum.
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(1);
/// How often batched last-used times are written.
const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// Use attempts held for the next flush at most; a flood of attempts beyond it between
/// two flushes is not counted.
const ATTEMPTS_HELD: usize = 1 << 20;
/// Threads answering lookups that miss the view, each with its own connection.
const LOOKUP_THREADS: usize = 4;

struct Job {
    hash: KeyHash,
    reply: oneshot::Sender<Option<Option<KeyMatch>>>,
}

/// The store as the service sees it.
pub(crate) struct Source {
    jobs: Sender<Job>,
    pending: Arc<Mutex<Uses>>,
    stop: Arc<AtomicBool>,
    flusher: Mutex<Option<(Sender<()>, JoinHandle<()>)>>,
}

impl Source {
    /// Opens one store per thread and starts them; a store that cannot be opened is the
    /// error, before any thread runs.
    pub(crate) fn start(
        location: &Location,
        view: &Arc<View>,
        metrics: &Arc<Metrics>,
        actor: String,
    ) -> Result<Self> {
        let monitor_store = store::open(location)?;
        // Writes go through a session, as every command's do: its actor signs the audit
        // events of attempts with revoked or expired keys.
        let flush_session = Session::open(location, Actor::Named(actor))?;
        let lookup_stores = (0..LOOKUP_THREADS)
            .map(|_| store::open(location))
            .collect::<Result<Vec<_>>>()?;
        let stop = Arc::new(AtomicBool::new(false));
        let (view_, metrics_, stop_) = (view.clone(), metrics.clone(), stop.clone());
        thread::spawn(move || monitor(monitor_store, &view_, &metrics_, &stop_));
        let (jobs, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for store in lookup_stores {
            let receiver = receiver.clone();
            thread::spawn(move || lookups(store, &receiver));
        }
        let pending = Arc::new(Mutex::new(Uses::default()));
        let (stop_flush, stopped) = mpsc::channel();
        let (pending_, metrics_) = (pending.clone(), metrics.clone());
        let writer = thread::spawn(move || {
            flusher(flush_session, &pending_, &stopped, &metrics_);
        });
        Ok(Self {
            jobs,
            pending,
            stop,
            flusher: Mutex::new(Some((stop_flush, writer))),
        })
    }

    /// The key with this hash as the store holds it now; `None` when the store could
    /// not be asked.
    pub(crate) async fn lookup(&self, hash: KeyHash) -> Option<Option<KeyMatch>> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job { hash, reply }).ok()?;
        answer.await.ok().flatten()
    }

    /// Notes a use for the next flush: a valid key's last used (`attempt` is `None`),
    /// or an attempt with a revoked or expired key.
    pub(crate) fn record(&self, handle: i64, attempt: Option<EventKind>, at: Timestamp) {
        let mut pending = lock(&self.pending);
        match attempt {
            None => pending.touch(handle, at),
            Some(kind) if pending.attempts.len() < ATTEMPTS_HELD => {
                pending.attempts.push((handle, kind));
            }
            Some(_) => {}
        }
    }

    /// Stops the monitor and writes what is pending; waits for the write.
    pub(crate) fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some((stop, writer)) = lock(&self.flusher).take() {
            let _ = stop.send(());
            let _ = writer.join();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Keeps the view current: listens for notifications (PostgreSQL) and then reads the
/// counter, on every (re)connection and at each notification or [`POLL`]. A failure
/// marks the store lost (logged once, as is its return) and reconnects with a backoff.
fn monitor(store: Box<dyn Store + Send>, view: &View, metrics: &Metrics, stop: &AtomicBool) {
    let mut monitor = Monitor {
        store,
        metrics,
        lost: None,
        listening: false,
        backoff: BACKOFF_MIN,
    };
    metrics.store_up.store(1, Ordering::Relaxed);
    while !stop.load(Ordering::Relaxed) {
        let started = Instant::now();
        match monitor.read() {
            Ok(seen) => {
                view.observe(seen, started);
                monitor.confirmed();
                if let Err(e) = monitor.store.wait_change(POLL) {
                    monitor.failed(&e, started);
                }
            }
            Err(e) => monitor.failed(&e, started),
        }
    }
}

struct Monitor<'a> {
    store: Box<dyn Store + Send>,
    metrics: &'a Metrics,
    /// Since when the store has been lost.
    lost: Option<Instant>,
    listening: bool,
    backoff: Duration,
}

impl Monitor<'_> {
    /// Listens first, if this connection does not yet: a change committed between the
    /// two is then either in the read or notified.
    fn read(&mut self) -> Result<store::Observed> {
        if !self.listening {
            self.store.listen_changes()?;
            self.listening = true;
        }
        self.store.change_version()
    }

    fn confirmed(&mut self) {
        self.backoff = BACKOFF_MIN;
        if let Some(since) = self.lost.take() {
            self.metrics.store_up.store(1, Ordering::Relaxed);
            log(&format!(
                "the store is back after {:.1}s",
                since.elapsed().as_secs_f64()
            ));
        }
    }

    fn failed(&mut self, error: &crate::error::Error, started: Instant) {
        if self.lost.is_none() {
            self.lost = Some(started);
            self.metrics.store_up.store(0, Ordering::Relaxed);
            log(&format!(
                "lost the store ({error}); answering 503 until it is back"
            ));
        }
        self.listening = false;
        thread::sleep(self.backoff);
        self.backoff = (self.backoff * 2).min(BACKOFF_MAX);
        if self.store.reconnect().is_ok() {
            self.metrics.reconnects.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Answers lookups by hash until the service stops. A failed lookup answers `None` and
/// connects again before the next one.
fn lookups(mut store: Box<dyn Store + Send>, jobs: &Mutex<Receiver<Job>>) {
    let mut broken = false;
    loop {
        let Ok(job) = lock(jobs).recv() else {
            return;
        };
        if broken && store.reconnect().is_err() {
            let _ = job.reply.send(None);
            continue;
        }
        let found = store.key_by_hash(&job.hash).ok();
        broken = found.is_none();
        let _ = job.reply.send(found);
    }
}

/// Writes the uses gathered every [`FLUSH_EVERY`], and once more when told to stop.
fn flusher(mut session: Session, pending: &Mutex<Uses>, stop: &Receiver<()>, metrics: &Metrics) {
    loop {
        let stopping = !matches!(
            stop.recv_timeout(FLUSH_EVERY),
            Err(RecvTimeoutError::Timeout)
        );
        // At the last flush, one more try on a fresh connection.
        let tries = if stopping { 2 } else { 1 };
        for _ in 0..tries {
            if flush(&mut session, pending, metrics) {
                break;
            }
            let _ = session.store().reconnect();
        }
        if stopping {
            return;
        }
    }
}

/// One transaction for everything gathered since the last flush; what the store
/// refused is put back for the next. Whether nothing is left to write.
fn flush(session: &mut Session, pending: &Mutex<Uses>, metrics: &Metrics) -> bool {
    let uses = std::mem::take(&mut *lock(pending));
    if uses.is_empty() {
        return true;
    }
    let written = session.tick().and_then(|_| session.record_uses(&uses));
    if written.is_ok() {
        metrics.flushes.fetch_add(1, Ordering::Relaxed);
        return true;
    }
    metrics.flush_failures.fetch_add(1, Ordering::Relaxed);
    let mut pending = lock(pending);
    for (handle, at) in uses.touched {
        pending.touch(handle, at);
    }
    let room = ATTEMPTS_HELD.saturating_sub(pending.attempts.len());
    pending
        .attempts
        .extend(uses.attempts.into_iter().take(room));
    false
}
