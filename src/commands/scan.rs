//! `scan [PATH…]`: finds `sk_live_` tokens and says which are live keys, for an admin
//! holding the store and for a team's pre-commit hook or CI job that has none.
//!
//! Searching and reading are in [`search`], the three output formats in [`output`].
//! Exit 1 when a key that may work is found (active in the store, or any Seenty key
//! when there is no store to ask), 2 for a path that does not exist, 3 when something
//! could not be read, after reporting what was found.

mod git;
mod output;
mod search;

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::{ScanArgs, ScanFormat};
use crate::domain::Timestamp;
use crate::domain::key::{KeyHash, Status};
use crate::domain::scan::allow;
use crate::error::{Error, Exit, Result};
use crate::lifecycle::Session;
use crate::render::escape;
use crate::store::{KeyMatch, Revocation};
use crate::term;

use super::Ctx;
use search::{Found, Outcome, Reader};

/// What is known of a finding.
pub enum Verdict {
    /// The checksum fails: another vendor's token, or noise.
    NotSeenty,
    /// A Seenty key, and no store to ask about it.
    Unverified,
    /// The store does not know it.
    Unknown,
    Known(Box<KeyMatch>),
    /// Listed in `.seenty-keys-allow`; what the store knows of it, if there is one.
    Allowed(Option<Box<KeyMatch>>),
}

impl Verdict {
    pub fn status(&self, now: Timestamp) -> Option<&'static str> {
        Some(match self {
            Verdict::NotSeenty => return None,
            Verdict::Unverified => "Unverified",
            Verdict::Unknown => "Unknown",
            Verdict::Known(key) => key.status(now).as_str(),
            Verdict::Allowed(_) => "Allowed",
        })
    }

    pub fn key(&self) -> Option<&KeyMatch> {
        match self {
            Verdict::Known(key) | Verdict::Allowed(Some(key)) => Some(key),
            _ => None,
        }
    }

    /// Whether this finding fails the scan: a key that may still work.
    pub fn fails(&self, now: Timestamp) -> bool {
        match self {
            Verdict::Unverified => true,
            Verdict::Known(key) => key.status(now) == Status::Active,
            _ => false,
        }
    }
}

pub fn run(ctx: &Ctx, args: &ScanArgs) -> Result<Exit> {
    if args.revoke && !args.yes && !ctx.config.terminals.can_prompt() {
        return Err(Error::ConfirmationNeeded {
            action: "scan --revoke",
        });
    }
    let format = args.format.unwrap_or(if ctx.config.json {
        ScanFormat::Json
    } else {
        ScanFormat::Text
    });
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let git_source = if args.staged {
        Some(git::Source::Staged)
    } else {
        args.git
            .as_ref()
            .map(|range| git::Source::History(range.as_deref()))
    };
    let targets = match git_source {
        Some(_) => Targets::default(),
        None => Targets::of(&paths)?,
    };
    let mut store = open_store(ctx, args.revoke)?;
    let allowed = allow_list(ctx, &paths);

    let mut outcome = Outcome {
        unreadable: targets.unreadable,
        ..Outcome::default()
    };
    let mut reader = Reader::new();
    if let Some(source) = &git_source {
        git::search(source, &mut reader, &mut outcome)?;
    }
    if targets.stdin {
        search::stdin(&mut reader, &mut outcome);
    }
    for file in &targets.files {
        search::explicit_file(&mut reader, file, &mut outcome);
    }
    let progress = progress_bar(ctx, format);
    search::walk(&targets.dirs, args.no_ignore, &progress, &mut outcome);
    progress.finish_and_clear();
    let mut findings = outcome.found;
    findings.sort_by(|a, b| {
        (&a.path, a.seq, a.token.line, a.token.column).cmp(&(
            &b.path,
            b.seq,
            b.token.line,
            b.token.column,
        ))
    });

    let verdicts = judge(ctx, &mut store, &allowed, &findings)?;
    output::write(ctx, format, &findings, &verdicts)?;
    let verdict = |f: &Found| verdict_of(&verdicts, f);
    if store.is_none()
        && findings
            .iter()
            .any(|f| matches!(verdict(f), Verdict::Unverified))
    {
        let _ = writeln!(
            io::stderr().lock(),
            "note: no store at {}, so the keys found are Unverified: their status needs the store (--db or SEENTY_KEYS_DB)",
            ctx.config.location
        );
    }

    // The active keys found, each once, with the first place it was seen.
    let mut active: Vec<(&KeyMatch, String)> = Vec::new();
    for finding in &findings {
        if let Verdict::Known(key) = verdict(finding)
            && key.status(ctx.now()) == Status::Active
            && !active.iter().any(|(k, _)| k.id == key.id)
        {
            active.push((key, finding.place()));
        }
    }
    if args.revoke
        && !active.is_empty()
        && let Some(store) = store.as_mut()
    {
        revoke_found(ctx, store, &active, args.yes)?;
    }
    for message in &outcome.unreadable {
        term::print_error(
            &Error::Unreadable(escape(message).into_owned()),
            ctx.config.color_stderr,
        );
    }
    if !outcome.unreadable.is_empty() {
        return Err(Error::ScanIncomplete {
            count: outcome.unreadable.len(),
        });
    }
    let fails = findings.iter().any(|f| verdict(f).fails(ctx.now()));
    Ok(if fails { Exit::Refused } else { Exit::Success })
}

/// The paths to search, sorted by how they are read. A path that does not exist is a
/// usage error before anything is read; one that cannot be looked at is unreadable.
#[derive(Default)]
struct Targets {
    stdin: bool,
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
    unreadable: Vec<String>,
}

impl Targets {
    fn of(paths: &[PathBuf]) -> Result<Self> {
        let mut targets = Targets::default();
        for path in paths {
            if path.as_os_str() == "-" {
                targets.stdin = true;
                continue;
            }
            match std::fs::metadata(path) {
                Ok(meta) if meta.is_dir() => targets.dirs.push(path.clone()),
                Ok(_) => targets.files.push(path.clone()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    return Err(Error::NoSuchPath {
                        path: escape(&search::shown(path)).into_owned(),
                    });
                }
                Err(e) => targets
                    .unreadable
                    .push(format!("{}: {e}", search::shown(path))),
            }
        }
        Ok(targets)
    }
}

/// The store, or `None` when there is none at the location (a developer's laptop, a CI
/// job without the keys). A store that exists but cannot be used still fails, and
/// `--revoke` needs one.
fn open_store(ctx: &Ctx, revoke: bool) -> Result<Option<Session>> {
    match ctx.session() {
        Ok(store) => Ok(Some(store)),
        Err(Error::StoreMissing { .. }) if !revoke => Ok(None),
        Err(e) => Err(e),
    }
}

/// The digests of `.seenty-keys-allow` at the root of each repository searched (the
/// current directory's too), a line that is not a digest named in a warning.
fn allow_list(ctx: &Ctx, paths: &[PathBuf]) -> HashSet<KeyHash> {
    let cwd = std::env::current_dir().ok();
    let mut roots: Vec<PathBuf> = Vec::new();
    let starts = cwd.iter().cloned().chain(
        paths
            .iter()
            .filter(|p| p.as_os_str() != "-")
            .filter_map(|p| std::fs::canonicalize(p).ok()),
    );
    for start in starts {
        let root = repository_root(&start).or_else(|| cwd.clone().filter(|c| *c == start));
        if let Some(root) = root
            && !roots.contains(&root)
        {
            roots.push(root);
        }
    }
    let mut hashes = HashSet::new();
    for root in roots {
        let file = root.join(allow::FILE_NAME);
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let (found, bad) = allow::parse(&text);
        for line in bad {
            ctx.warn(&format!(
                "{}:{line}: not a SHA-256 hex digest; ignored",
                escape(&file.to_string_lossy())
            ));
        }
        hashes.extend(found);
    }
    hashes
}

/// The nearest directory at or above `start` that holds `.git`.
fn repository_root(start: &Path) -> Option<PathBuf> {
    let dir = if start.is_dir() {
        start
    } else {
        start.parent()?
    };
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Each Seenty key found, judged once: allowed, looked up in the store, or unverified.
fn judge(
    ctx: &Ctx,
    store: &mut Option<Session>,
    allowed: &HashSet<KeyHash>,
    findings: &[Found],
) -> Result<HashMap<KeyHash, Verdict>> {
    let mut verdicts = HashMap::new();
    for hash in findings.iter().filter_map(|f| f.token.hash) {
        if verdicts.contains_key(&hash) {
            continue;
        }
        let known = match store {
            Some(store) => store
                .key_by_hash(&hash)?
                .filter(|k| ctx.config.org.as_ref().is_none_or(|org| *org == k.org))
                .map(Box::new),
            None => None,
        };
        let verdict = match (allowed.contains(&hash), known, store.is_some()) {
            (true, known, _) => Verdict::Allowed(known),
            (false, Some(key), _) => Verdict::Known(key),
            (false, None, true) => Verdict::Unknown,
            (false, None, false) => Verdict::Unverified,
        };
        verdicts.insert(hash, verdict);
    }
    Ok(verdicts)
}

static NOT_SEENTY: Verdict = Verdict::NotSeenty;

fn verdict_of<'a>(verdicts: &'a HashMap<KeyHash, Verdict>, finding: &Found) -> &'a Verdict {
    finding
        .token
        .hash
        .and_then(|h| verdicts.get(&h))
        .unwrap_or(&NOT_SEENTY)
}

fn revoke_found(
    ctx: &Ctx,
    store: &mut Session,
    active: &[(&KeyMatch, String)],
    yes: bool,
) -> Result<()> {
    ctx.confirm(
        yes,
        "scan --revoke",
        &format!("Revoke the {} active key(s) found?", active.len()),
    )?;
    for (key, path) in active {
        // A path is text from the file system: a key in it is not stored as a reason.
        let reason = format!("leaked in {}", crate::render::redact_keys(path));
        if let Revocation::Revoked(key) = store.revoke(&key.id, Some(&reason))? {
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

/// A spinner with the count of files read, on stderr at a terminal, for text output.
fn progress_bar(ctx: &Ctx, format: ScanFormat) -> ProgressBar {
    if !ctx.config.terminals.stderr || format != ScanFormat::Text {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} scanning: {pos} files") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    bar
}
