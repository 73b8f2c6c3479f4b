//! The open connections, bounded without letting idle or slow ones lock others out:
//! past [`SOFT_LIMIT`] each new connection closes the oldest one that has no request in
//! progress (an idle keep-alive, or headers that never came), as nginx and HAProxy shed,
//! or else the oldest whose request has run longer than [`SLOW`] (a body trickling in:
//! every answer the service gives takes milliseconds); [`HARD_LIMIT`] bounds them all
//! (open files), beyond which new ones wait in the listen backlog.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// Connections kept open before the oldest idle one is closed for a new one.
pub(crate) const SOFT_LIMIT: usize = 800;
/// Connections open at once at most: under the usual limit of 1024 open files, with
/// room for the store's connections and the listeners.
pub(crate) const HARD_LIMIT: usize = 900;
/// A request in progress for longer than this may be closed for a new connection once
/// the soft limit is reached.
const SLOW: Duration = Duration::from_secs(1);

/// Milliseconds since the registry's first use: when a request started, in an atomic.
fn clock_ms() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    let start = START.get_or_init(Instant::now);
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// One open connection, as the registry sees it.
#[derive(Default)]
pub(crate) struct Conn {
    /// Requests in progress.
    busy: AtomicUsize,
    /// When the request in progress started ([`clock_ms`]).
    since: AtomicU64,
    /// Told when the connection is to close for a newer one.
    pub shed: Notify,
}

impl Conn {
    /// Marks a request in progress until the guard is dropped.
    pub(crate) fn busy(self: &Arc<Self>) -> Busy {
        if self.busy.fetch_add(1, Ordering::SeqCst) == 0 {
            self.since.store(clock_ms(), Ordering::SeqCst);
        }
        Busy(self.clone())
    }

    pub(crate) fn is_busy(&self) -> bool {
        self.busy.load(Ordering::SeqCst) > 0
    }

    /// Whether its request in progress has run longer than [`SLOW`].
    pub(crate) fn is_slow(&self) -> bool {
        let slow = u64::try_from(SLOW.as_millis()).unwrap_or(u64::MAX);
        self.is_busy() && clock_ms().saturating_sub(self.since.load(Ordering::SeqCst)) > slow
    }
}

pub(crate) struct Busy(Arc<Conn>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

#[derive(Default)]
pub(crate) struct Conns {
    next: AtomicU64,
    open: Mutex<BTreeMap<u64, Arc<Conn>>>,
}

impl Conns {
    /// Registers a new connection (its id and state); past the soft limit, tells the
    /// oldest idle connection, or else the oldest slow one, to close.
    pub(crate) fn admit(&self) -> (u64, Arc<Conn>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let conn = Arc::new(Conn::default());
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.len() >= SOFT_LIMIT
            && let Some(oldest) = open
                .iter()
                .find(|(_, c)| !c.is_busy())
                .or_else(|| open.iter().find(|(_, c)| c.is_slow()))
                .map(|(id, _)| *id)
            && let Some(oldest) = open.remove(&oldest)
        {
            oldest.shed.notify_one();
        }
        open.insert(id, conn.clone());
        (id, conn)
    }

    pub(crate) fn leave(&self, id: u64) {
        self.open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
    }
}
