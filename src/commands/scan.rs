//! `scan [PATH…]`: finds `sk_live_` tokens in files and says which are live keys.
//!
//! The walk is `ignore`'s parallel walker, so `.gitignore` and hidden files are honoured
//! as `rg` does; each file is searched as bytes (one reusable buffer per thread), binary
//! files are skipped, and only hints ever reach the output. Exit 1 when an active key is
//! found, so it serves as a pre-commit hook or CI gate.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use ignore::{WalkBuilder, WalkState};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::cli::ScanArgs;
use crate::domain::key::{KeyHash, PREFIX, Status};
use crate::domain::scan::{Token, find_tokens, is_binary};
use crate::error::{Error, Exit, Result};
use crate::render::{escape, message};
use crate::store::{KeyMatch, Revocation, Store};

use super::{Ctx, read_stdin_into};

/// A token and where it was found.
struct Finding {
    path: String,
    token: Token,
}

/// What the store says of a finding.
enum Verdict {
    /// The checksum fails: another vendor's token, or noise.
    NotSeenty,
    Unknown,
    Known(Box<KeyMatch>),
}

#[derive(Serialize)]
struct FindingJson<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    hint: String,
    checksum: bool,
    status: Option<&'static str>,
    key_id: Option<&'a str>,
    name: Option<&'a str>,
}

pub fn run(ctx: &Ctx, args: &ScanArgs) -> Result<Exit> {
    if args.revoke && !args.yes && !ctx.config.terminals.can_prompt() {
        return Err(Error::ConfirmationNeeded {
            action: "scan --revoke",
        });
    }
    let mut store = ctx.open_store()?;
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut findings = search(ctx, &paths)?;
    findings.sort_by(|a, b| {
        (&a.path, a.token.line, a.token.column).cmp(&(&b.path, b.token.line, b.token.column))
    });

    let mut verdicts: HashMap<KeyHash, Verdict> = HashMap::new();
    for finding in &findings {
        if let Some(hash) = finding.token.hash
            && !verdicts.contains_key(&hash)
        {
            let found = store.key_by_hash(&hash)?;
            let mine = found.filter(|k| ctx.config.org.as_ref().is_none_or(|org| *org == k.org));
            verdicts.insert(
                hash,
                mine.map_or(Verdict::Unknown, |k| Verdict::Known(Box::new(k))),
            );
        }
    }
    let verdict = |token: &Token| verdict_of(&verdicts, token);
    report(ctx, &findings, &verdicts)?;

    // The active keys found, each once, with the first place it was seen.
    let mut active: Vec<(&KeyMatch, &str)> = Vec::new();
    for finding in &findings {
        if let Verdict::Known(key) = verdict(&finding.token)
            && key.status(ctx.now()) == Status::Active
            && !active.iter().any(|(k, _)| k.id == key.id)
        {
            active.push((key, &finding.path));
        }
    }
    if args.revoke && !active.is_empty() {
        revoke_found(ctx, store.as_mut(), &active, args.yes)?;
    }
    Ok(if active.is_empty() {
        Exit::Success
    } else {
        Exit::Refused
    })
}

static NOT_SEENTY: Verdict = Verdict::NotSeenty;

fn verdict_of<'a>(verdicts: &'a HashMap<KeyHash, Verdict>, token: &Token) -> &'a Verdict {
    token
        .hash
        .and_then(|h| verdicts.get(&h))
        .unwrap_or(&NOT_SEENTY)
}

fn report(ctx: &Ctx, findings: &[Finding], verdicts: &HashMap<KeyHash, Verdict>) -> Result<()> {
    let verdict = |token: &Token| verdict_of(verdicts, token);
    let mut out = BufWriter::new(io::stdout().lock());
    if ctx.config.json {
        let json: Vec<_> = findings
            .iter()
            .map(|f| {
                let key = match verdict(&f.token) {
                    Verdict::Known(key) => Some(key),
                    _ => None,
                };
                FindingJson {
                    path: &f.path,
                    line: f.token.line,
                    column: f.token.column,
                    hint: hint(&f.token),
                    checksum: f.token.hash.is_some(),
                    status: match verdict(&f.token) {
                        Verdict::NotSeenty => None,
                        Verdict::Unknown => Some("Unknown"),
                        Verdict::Known(key) => Some(key.status(ctx.now()).as_str()),
                    },
                    key_id: key.map(|k| k.id.as_str()),
                    name: key.map(|k| k.name.as_str()),
                }
            })
            .collect();
        crate::render::write_json(&mut out, &json).map_err(io::Error::from)?;
        writeln!(out)?;
    } else {
        for f in findings {
            let place = format!("{}:{}:{}", message(&f.path), f.token.line, f.token.column);
            let what = match verdict(&f.token) {
                Verdict::NotSeenty => "checksum fails  not a Seenty key".to_owned(),
                Verdict::Unknown => "checksum ok  Unknown".to_owned(),
                Verdict::Known(key) => {
                    format!(
                        "checksum ok  {}  {} \"{}\"",
                        key.status(ctx.now()).as_str(),
                        key.id,
                        escape(&key.name)
                    )
                }
            };
            writeln!(out, "{place}  {}  {what}", hint(&f.token))?;
        }
    }
    out.flush()?;
    Ok(())
}

fn hint(token: &Token) -> String {
    format!("{PREFIX}…{}", token.tail)
}

fn revoke_found(
    ctx: &Ctx,
    store: &mut dyn Store,
    active: &[(&KeyMatch, &str)],
    yes: bool,
) -> Result<()> {
    ctx.confirm(
        yes,
        "scan --revoke",
        &format!("Revoke the {} active key(s) found?", active.len()),
    )?;
    let stamp = ctx.stamp();
    for (key, path) in active {
        // A path is text from the file system: a key in it is not stored as a reason.
        let reason = format!("leaked in {}", crate::render::redact_keys(path));
        if let Revocation::Revoked(key) = store.revoke(&key.id, Some(&reason), &stamp)? {
            let _ = writeln!(
                io::stderr().lock(),
                "Revoked {} ({}): {}",
                key.id,
                escape(&key.name),
                escape(&reason)
            );
        }
    }
    Ok(())
}

/// Searches every path (`-` = stdin) in parallel and returns what it found.
fn search(ctx: &Ctx, paths: &[PathBuf]) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    let walked: Vec<&PathBuf> = paths.iter().filter(|p| p.as_os_str() != "-").collect();
    if walked.len() < paths.len() {
        let mut input = Vec::new();
        read_stdin_into(&mut input, u64::MAX)?;
        if !is_binary(&input) {
            findings.extend(find_tokens(&input).into_iter().map(|token| Finding {
                path: "<stdin>".to_owned(),
                token,
            }));
        }
    }
    let Some((first, rest)) = walked.split_first() else {
        return Ok(findings);
    };
    let mut walk = WalkBuilder::new(first);
    for path in rest {
        walk.add(path);
    }
    let progress = progress_bar(ctx);
    let (sender, receiver) = mpsc::channel::<std::result::Result<Vec<Finding>, String>>();
    walk.build_parallel().run(|| {
        let sender = sender.clone();
        let progress = progress.clone();
        let mut buffer = Vec::new();
        Box::new(move |entry| {
            let result = match entry {
                Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                    progress.inc(1);
                    scan_file(entry.path(), &mut buffer)
                }
                Ok(_) => return WalkState::Continue,
                Err(e) => Err(e.to_string()),
            };
            if !matches!(&result, Ok(found) if found.is_empty()) && sender.send(result).is_err() {
                return WalkState::Quit;
            }
            WalkState::Continue
        })
    });
    drop(sender);
    progress.finish_and_clear();
    for result in receiver {
        match result {
            Ok(found) => findings.extend(found),
            Err(message) => ctx.warn(&escape(&message)),
        }
    }
    Ok(findings)
}

/// Reads one file into the thread's buffer and finds its tokens; binary files are skipped.
fn scan_file(path: &Path, buffer: &mut Vec<u8>) -> std::result::Result<Vec<Finding>, String> {
    buffer.clear();
    File::open(path)
        .and_then(|mut file| file.read_to_end(buffer))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if is_binary(buffer) {
        return Ok(Vec::new());
    }
    let shown = path
        .strip_prefix("./")
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned();
    Ok(find_tokens(buffer)
        .into_iter()
        .map(|token| Finding {
            path: shown.clone(),
            token,
        })
        .collect())
}

/// A spinner with the count of files read, on stderr at a terminal only.
fn progress_bar(ctx: &Ctx) -> ProgressBar {
    if !ctx.config.terminals.stderr || ctx.config.json {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} scanning: {pos} files") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    bar
}
