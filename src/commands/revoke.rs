//! `revoke KEYREF…`, and `revoke --never-used | --unused-for D | --expiring-within D`:
//! immediate, confirmed once at a terminal (`--yes` otherwise), all the keys in one
//! transaction. Selectors choose keys by the rules of `report`; `--dry-run` lists them
//! and changes nothing. The keys' rows and history stay.

use std::collections::HashMap;
use std::io::Write;

use crate::cli::RevokeArgs;
use crate::domain::Timestamp;
use crate::domain::hygiene::{Finding, KeyFacts, Thresholds, key_findings};
use crate::domain::key::Status;
use crate::domain::policy::Policy;
use crate::error::{Error, Exit, Result};
use crate::render::{DryRunJson, KeyJson, escape, table_time};
use crate::store::Revocation;
use crate::store::rows::Hygiene;

use super::{Ctx, print_json, print_line};

/// A key chosen for revocation: by reference, or by a selector with its finding.
struct Chosen {
    id: String,
    name: String,
    org: String,
    /// Already revoked (named by reference): revoking it again succeeds and says so.
    revoked_at: Option<Timestamp>,
    reason: Option<String>,
}

/// The selectors given, as the findings of `report` they stand for.
struct Selectors {
    findings: Vec<Finding>,
    thresholds: Thresholds,
}

impl Selectors {
    fn new(args: &RevokeArgs) -> Self {
        let (unused_for, expiring_within) = (args.unused_for, args.expiring_within);
        let defaults = Thresholds::default();
        let findings = [
            (args.never_used, Finding::NeverUsed),
            (unused_for.is_some(), Finding::Unused),
            (expiring_within.is_some(), Finding::Expiring),
        ]
        .into_iter()
        .filter_map(|(given, finding)| given.then_some(finding))
        .collect();
        Self {
            findings,
            thresholds: Thresholds {
                unused_for: unused_for.unwrap_or(defaults.unused_for),
                expiring_within: expiring_within.unwrap_or(defaults.expiring_within),
            },
        }
    }

    /// The first selected finding about `key`, as a reason: "never-used: created 12
    /// days ago, never used".
    fn select(&self, key: &KeyFacts, policy: &Policy, now: Timestamp) -> Option<String> {
        let mut reason = None;
        key_findings(
            key,
            policy,
            &self.thresholds,
            now,
            &mut |finding, detail| {
                if reason.is_none() && self.findings.contains(&finding) {
                    reason = Some(format!("{}: {detail}", finding.name()));
                }
            },
        );
        reason
    }
}

pub(crate) fn run(ctx: &Ctx, args: &RevokeArgs) -> Result<Exit> {
    let reason = args.reason.clone();
    let selectors = Selectors::new(args);
    if !selectors.findings.is_empty() && args.keys.iter().any(|k| k.trim() == "-") {
        return Err(Error::StdinWithSelectors);
    }
    let mut session = ctx.session()?;
    let now = ctx.now();
    let mut chosen: Vec<Chosen> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    // A key named and selected too is revoked once, with the selector's reason if the
    // command line gave none.
    let mut add = |c: Chosen| match seen.get(&c.id) {
        Some(&at) => {
            if chosen[at].reason.is_none() {
                chosen[at].reason = c.reason;
            }
        }
        None => {
            seen.insert(c.id.clone(), chosen.len());
            chosen.push(c);
        }
    };
    let mut read_stdin = false;
    for reference in &args.keys {
        // The key on standard input is read once, however often `-` is given.
        if reference.trim() == "-" && std::mem::replace(&mut read_stdin, true) {
            continue;
        }
        let key = ctx.resolve_key(&mut session, reference)?;
        let revoked = key.status(now) == Status::Revoked;
        add(Chosen {
            id: key.id,
            name: key.name,
            org: key.org,
            revoked_at: key.revoked_at.filter(|_| revoked),
            reason: reason.clone(),
        });
    }
    if !selectors.findings.is_empty() {
        let org = session.acting_org()?;
        let mut policy = None;
        session.hygiene(Some(&org), now, &mut |row| {
            match row {
                Hygiene::Org(facts) => policy = Some(facts.policy),
                Hygiene::Key { key, .. } => {
                    if let Some(why) = policy.and_then(|p| selectors.select(&key, &p, now)) {
                        add(Chosen {
                            id: key.id,
                            name: key.name,
                            org: org.clone(),
                            revoked_at: None,
                            reason: Some(reason.clone().unwrap_or(why)),
                        });
                    }
                }
            }
            Ok(())
        })?;
    }
    // One KEYREF alone prints as revoke always has: one object, one line.
    let single = args.keys.len() == 1 && selectors.findings.is_empty();
    if args.dry_run {
        return dry_run(ctx, &chosen);
    }
    if chosen.is_empty() {
        if !ctx.config.json {
            ctx.warn("no key matches; nothing was revoked");
        } else {
            print_json(&Vec::<()>::new())?;
        }
        return Ok(Exit::Success);
    }
    let active: Vec<&Chosen> = chosen.iter().filter(|c| c.revoked_at.is_none()).collect();
    if let [one] = active.as_slice() {
        let question = format!(
            "Revoke {} ({})? Everything using it fails from now on.",
            one.id,
            escape(&one.name)
        );
        ctx.confirm(args.yes, "revoke", &question)?;
    } else if !active.is_empty() {
        if ctx.config.terminals.can_prompt() && !args.yes {
            let mut err = std::io::stderr().lock();
            for c in &active {
                let _ = writeln!(err, "  {} ({})", c.id, escape(&c.name));
            }
        }
        let question = format!(
            "Revoke these {} keys? Everything using them fails from now on.",
            active.len()
        );
        ctx.confirm(args.yes, "revoke", &question)?;
    }
    let keys: Vec<(String, Option<String>)> = chosen
        .iter()
        .map(|c| (c.id.clone(), c.reason.clone()))
        .collect();
    let done = session.revoke_many(&keys)?;
    report(ctx, &done, single)?;
    Ok(Exit::Success)
}

fn dry_run(ctx: &Ctx, chosen: &[Chosen]) -> Result<Exit> {
    if ctx.config.json {
        let json: Vec<_> = chosen
            .iter()
            .map(|c| DryRunJson {
                id: &c.id,
                name: &c.name,
                org: &c.org,
                reason: c.reason.as_deref(),
            })
            .collect();
        print_json(&json)?;
        return Ok(Exit::Success);
    }
    let mut count = 0;
    for c in chosen {
        let line = match (c.revoked_at, &c.reason) {
            (Some(at), _) => format!(
                "{} ({}) was already revoked on {} UTC",
                c.id,
                escape(&c.name),
                table_time(Some(at))
            ),
            (None, Some(reason)) => {
                count += 1;
                format!(
                    "Would revoke {} ({}): {}",
                    c.id,
                    escape(&c.name),
                    escape(reason)
                )
            }
            (None, None) => {
                count += 1;
                format!("Would revoke {} ({})", c.id, escape(&c.name))
            }
        };
        print_line(&line)?;
    }
    let s = if count == 1 { "" } else { "s" };
    let _ = writeln!(
        std::io::stderr(),
        "Dry run: {count} key{s} would be revoked; nothing was changed."
    );
    Ok(Exit::Success)
}

/// What was done, a line per key (or `--json`: the keys as they are now).
fn report(ctx: &Ctx, done: &[Revocation], single: bool) -> Result<()> {
    let now = ctx.now();
    let key_of = |r: &Revocation| match r {
        Revocation::Revoked(key) | Revocation::AlreadyRevoked(key) => key.clone(),
    };
    if ctx.config.json {
        let keys: Vec<_> = done.iter().map(key_of).collect();
        let json: Vec<_> = keys.iter().map(|k| KeyJson::new(k, now)).collect();
        return match json.as_slice() {
            [one] if single => print_json(one),
            _ => print_json(&json),
        };
    }
    let mut revoked = 0;
    for r in done {
        let line = match r {
            Revocation::Revoked(key) => {
                revoked += 1;
                format!("Revoked {} ({}).", key.id, escape(&key.name))
            }
            Revocation::AlreadyRevoked(key) => format!(
                "{} ({}) was already revoked on {} UTC.",
                key.id,
                escape(&key.name),
                table_time(key.revoked_at)
            ),
        };
        print_line(&line)?;
    }
    if done.len() > 1 {
        print_line(&format!("Revoked {revoked} keys."))?;
    }
    Ok(())
}
