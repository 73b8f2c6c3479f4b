//! The open connections, bounded without letting idle ones lock others out: past
//! [`SOFT_LIMIT`] each new connection closes the oldest one that has no request in
//! progress (an idle keep-alive, or headers that never came), as nginx and HAProxy shed;
//! [`HARD_LIMIT`] bounds them all (open files), beyond which new ones wait in the
//! listen backlog.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

/// Connections kept open before the oldest idle one is closed for a new one.
pub(crate) const SOFT_LIMIT: usize = 800;
/// Connections open at once at most: under the usual limit of 1024 open files, with
/// room for the store's connections and the listeners.
pub(crate) const HARD_LIMIT: usize = 900;

/// One open connection, as the registry sees it.
#[derive(Default)]
pub(crate) struct Conn {
    /// Requests in progress.
    busy: AtomicUsize,
    /// Told when the connection is to close for a newer one.
    pub shed: Notify,
}

impl Conn {
    /// Marks a request in progress until the guard is dropped.
    pub(crate) fn busy(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::SeqCst);
        Busy(self.clone())
    }

    pub(crate) fn is_busy(&self) -> bool {
        self.busy.load(Ordering::SeqCst) > 0
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
    /// oldest idle connection to close.
    pub(crate) fn admit(&self) -> (u64, Arc<Conn>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let conn = Arc::new(Conn::default());
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.len() >= SOFT_LIMIT
            && let Some(oldest) = open.iter().find(|(_, c)| !c.is_busy()).map(|(id, _)| *id)
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
