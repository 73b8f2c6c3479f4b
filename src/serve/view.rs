//! What `serve` knows of the store between reads: verdict inputs remembered by key hash
//! (found and not found alike), the change counter they were read at, when the service
//! last confirmed it had seen every change, and the store's clock.
//!
//! The rule that keeps a revocation from being missed: everything remembered is dropped
//! the moment a new counter value is observed, and a lookup may fill the memory only if
//! no new value was observed since it started. A lookup that raced a revocation
//! therefore cannot bring the old row back: it either lands before the drop, and goes
//! with it, or after, and is refused.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::domain::Timestamp;
use crate::domain::key::KeyHash;
use crate::store::{KeyMatch, Observed};

/// How many hashes are remembered at most: beyond it the memory starts afresh, so a
/// flood of random well-formed keys costs lookups, never unbounded memory.
const CAPACITY: usize = 200_000;

pub(crate) struct View {
    state: Mutex<State>,
    freshness: Duration,
}

struct State {
    /// The counter's value all of `known` was read at; `None` before the first read.
    version: Option<i64>,
    known: HashMap<KeyHash, Option<KeyMatch>>,
    /// When the last read of the counter that reached the store started.
    confirmed: Option<Instant>,
    /// The store's clock (milliseconds) at the instant of the last read.
    clock: Option<(Instant, i64)>,
}

/// The counter value a lookup started under, to hand back with its fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Epoch(Option<i64>);

impl View {
    pub(crate) fn new(freshness: Duration) -> Self {
        Self {
            state: Mutex::new(State {
                version: None,
                known: HashMap::new(),
                confirmed: None,
                clock: None,
            }),
            freshness,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind: keep going.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A read of the counter that started at `started` came back with `seen`: a new
    /// value drops everything remembered.
    pub(crate) fn observe(&self, seen: Observed, started: Instant) {
        let mut state = self.state();
        if state.version != Some(seen.version) {
            state.known.clear();
            state.version = Some(seen.version);
        }
        if state.confirmed.is_none_or(|at| at < started) {
            state.confirmed = Some(started);
        }
        state.clock = Some((started, seen.clock_ms));
    }

    /// How long ago the service last confirmed it had seen every change.
    pub(crate) fn age(&self) -> Option<Duration> {
        self.state().confirmed.map(|at| at.elapsed())
    }

    /// Whether answers can be trusted: a confirmation within the freshness bound.
    pub(crate) fn fresh(&self) -> bool {
        self.age().is_some_and(|age| age <= self.freshness)
    }

    /// The store's clock now, in whole seconds (the stores' resolution): the last
    /// reading moved on by this machine's monotonic clock, so a skewed system clock
    /// does not decide.
    pub(crate) fn now(&self) -> Timestamp {
        let clock = self.state().clock;
        let ms = match clock {
            Some((at, ms)) => {
                ms.saturating_add(i64::try_from(at.elapsed().as_millis()).unwrap_or(i64::MAX))
            }
            None => chrono::Utc::now().timestamp_millis(),
        };
        chrono::DateTime::from_timestamp(ms.div_euclid(1000), 0).unwrap_or_default()
    }

    /// What is remembered for this hash: `Some(None)` is a remembered "not found".
    pub(crate) fn get(&self, hash: &KeyHash) -> (Option<Option<KeyMatch>>, Epoch) {
        let state = self.state();
        (state.known.get(hash).cloned(), Epoch(state.version))
    }

    /// Remembers what a lookup that started at `epoch` found, unless a newer counter
    /// value was observed meanwhile.
    pub(crate) fn fill(&self, hash: KeyHash, epoch: Epoch, found: Option<KeyMatch>) {
        let mut state = self.state();
        if epoch.0.is_none() || state.version != epoch.0 {
            return;
        }
        if state.known.len() >= CAPACITY {
            state.known.clear();
        }
        state.known.insert(hash, found);
    }

    pub(crate) fn entries(&self) -> usize {
        self.state().known.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(version: i64) -> Observed {
        Observed {
            version,
            clock_ms: 1_700_000_000_000,
        }
    }

    fn found() -> Option<KeyMatch> {
        Some(KeyMatch {
            handle: 1,
            id: "key_1".into(),
            org: "acme".into(),
            name: "ci".into(),
            expires_at: None,
            revoked_at: None,
            api_access: true,
        })
    }

    #[test]
    fn a_fill_that_started_before_a_change_is_refused() {
        let view = View::new(Duration::from_secs(1));
        view.observe(seen(1), Instant::now());
        let hash = KeyHash([7; 32]);
        let (cached, epoch) = view.get(&hash);
        assert!(cached.is_none());
        view.observe(seen(2), Instant::now());
        view.fill(hash, epoch, found());
        assert!(view.get(&hash).0.is_none());
        let (_, epoch) = view.get(&hash);
        view.fill(hash, epoch, found());
        assert!(view.get(&hash).0.is_some());
        view.observe(seen(3), Instant::now());
        assert!(view.get(&hash).0.is_none());
    }

    #[test]
    fn answers_are_trusted_only_within_the_freshness_bound() {
        let view = View::new(Duration::from_millis(50));
        assert!(!view.fresh());
        view.observe(seen(1), Instant::now());
        assert!(view.fresh());
        std::thread::sleep(Duration::from_millis(80));
        assert!(!view.fresh());
    }

    #[test]
    fn the_clock_is_the_stores() {
        let view = View::new(Duration::from_secs(1));
        view.observe(seen(1), Instant::now());
        assert_eq!(view.now().timestamp(), 1_700_000_000);
    }
}
