//! What a verified report does to the store, in one place: each token is judged by its
//! checksum first (noise costs no read), the rest are looked up in one snapshot, and the
//! active keys among them are revoked in one transaction (or, with `--on-leak record`,
//! the report is recorded on each). Retries of a report change nothing more.

use std::collections::HashSet;

use crate::domain::event::EventKind;
use crate::error::Result;
use crate::lifecycle::Session;
use crate::store::{Durability, KeyMatch, Stamp};

use super::report::{self, Answer, Label, Provider, Reported};

/// What a leak report does to an active key (`serve --on-leak`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum OnLeak {
    /// Revoke it at once.
    #[default]
    Revoke,
    /// Keep it working and record the report in the audit trail.
    Record,
}

/// A report's answer, and what it changed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    pub answers: Vec<Answer>,
    /// Keys revoked by this report (not those already revoked).
    pub revoked: usize,
    /// Keys on which the report was recorded (`--on-leak record`), not those it already was.
    pub recorded: usize,
    /// The ids of the keys revoked or recorded on, for the log.
    pub keys: Vec<String>,
}

/// A key of the store found in a report, active at the time of the report.
struct Hit {
    found: KeyMatch,
    reason: String,
}

/// Acts on a verified report. `only_org` is the service's `--org`: a key of another
/// organization is not one the service holds, so it is a false positive.
pub(crate) fn act(
    session: &mut Session,
    provider: Provider,
    on_leak: OnLeak,
    only_org: Option<&str>,
    reported: &[Reported],
) -> Result<Outcome> {
    let mut answers: Vec<Answer> = reported
        .iter()
        .map(|r| Answer {
            token_hash: report::token_hash(&r.token),
            // The type is echoed as received, but never a key written into it.
            token_type: crate::render::redact_keys(&r.kind).into_owned(),
            label: Label::FalsePositive,
        })
        .collect();
    let (places, hashes): (Vec<usize>, Vec<_>) = reported
        .iter()
        .enumerate()
        .filter_map(|(i, r)| report::candidate(&r.token).map(|hash| (i, hash)))
        .unzip();
    let mut hits = Vec::new();
    if !hashes.is_empty() {
        let now = session.tick()?;
        let mut seen = HashSet::new();
        session.store().lookup_many(&hashes, &mut |at, found| {
            let Some(found) = found else { return Ok(()) };
            if only_org.is_some_and(|org| org != found.org) {
                return Ok(());
            }
            let i = places[at];
            answers[i].label = Label::TruePositive;
            let active = found.status(now) == crate::domain::key::Status::Active;
            if active && seen.insert(found.id.clone()) {
                let r = &reported[i];
                let reason = report::reason(provider, &r.source, &r.url);
                hits.push(Hit { found, reason });
            }
            Ok(())
        })?;
    }
    let mut outcome = Outcome {
        answers,
        ..Outcome::default()
    };
    if hits.is_empty() {
        return Ok(outcome);
    }
    match on_leak {
        OnLeak::Revoke => {
            outcome.keys = revoke(session, &hits, provider.actor())?;
            outcome.revoked = outcome.keys.len();
        }
        OnLeak::Record => {
            let stamp = Stamp {
                now: session.tick()?,
                actor: provider.actor().to_owned(),
            };
            outcome.keys = record(session, &hits, &stamp)?;
            outcome.recorded = outcome.keys.len();
        }
    }
    Ok(outcome)
}

/// Revokes every hit in one transaction; returns the ids of those still active.
fn revoke(session: &mut Session, hits: &[Hit], actor: &str) -> Result<Vec<String>> {
    let keys: Vec<(String, Option<String>)> = hits
        .iter()
        .map(|h| (h.found.id.clone(), Some(h.reason.clone())))
        .collect();
    session.revoke_reported(&keys, actor)
}

/// How far back a key's trail is read for the same report already recorded.
const RECORDED_LOOKBACK: u32 = 1000;

/// Records the report on each hit not already carrying it (a retry), in one
/// transaction; returns the ids of those recorded on.
fn record(session: &mut Session, hits: &[Hit], stamp: &Stamp) -> Result<Vec<String>> {
    let mut fresh = Vec::new();
    for hit in hits {
        let mut known = false;
        let key = Some(hit.found.id.as_str());
        session
            .store()
            .events(&hit.found.org, key, RECORDED_LOOKBACK, &mut |event| {
                known |= event.kind == EventKind::LeakReported
                    && event.detail.as_deref() == Some(hit.reason.as_str());
                Ok(())
            })?;
        if !known {
            fresh.push(hit);
        }
    }
    if fresh.is_empty() {
        return Ok(Vec::new());
    }
    session.store().transact(Durability::Synced, &mut |tx| {
        for hit in &fresh {
            let org = tx.org_of_key(hit.found.handle)?;
            let detail = Some(hit.reason.as_str());
            tx.append_event(
                stamp,
                org,
                Some(hit.found.handle),
                EventKind::LeakReported,
                detail,
            )?;
        }
        Ok(())
    })?;
    Ok(fresh.into_iter().map(|h| h.found.id.clone()).collect())
}
