//! `scan --staged` and `scan --git [RANGE]`: blobs read from git itself, by running the
//! `git` binary's plumbing (as betterleaks does) rather than linking gitoxide, whose
//! build would more than double this crate's (BENCHMARKS.md has the figures).
//!
//! `git log --raw` (or `git diff --cached --raw`) names each blob with the path and
//! commit that introduced it; each blob id goes once, as it is first seen, to one
//! `git cat-file --batch`, whose output is read blob by blob in bounded chunks. The
//! three run at once: listing, reading and searching overlap.

use std::collections::HashSet;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;

use crate::error::{Error, Result};

use super::search::{Outcome, Reader};

/// What to read from git.
pub enum Source<'a> {
    /// The index: what `git commit` would record, as changed from HEAD.
    Staged,
    /// History: every blob reachable from all refs, or those the commits of a range add.
    History(Option<&'a str>),
}

/// A blob to read, and where it is reported.
struct Blob {
    id: String,
    commit: Option<String>,
    path: String,
}

pub fn search(source: &Source, reader: &mut Reader, outcome: &mut Outcome) -> Result<()> {
    let mut list = match source {
        Source::Staged => git(&[
            "diff",
            "--cached",
            "--raw",
            "-z",
            "--no-renames",
            "--no-abbrev",
            "--no-ext-diff",
        ]),
        Source::History(range) => {
            let mut args = vec![
                "log",
                "--topo-order",
                "--reverse",
                "-m",
                "--format=%H",
                "-z",
                "--raw",
                "--no-renames",
                "--no-abbrev",
                "--no-ext-diff",
            ];
            args.push(range.unwrap_or("--all"));
            args.push("--");
            git(&args)
        }
    }
    .spawn()
    .map_err(|e| git_missing(&e))?;
    // cat-file's memory, bounded: blobs over 2 MiB streamed instead of loaded whole, and
    // smaller pack windows and delta cache (its defaults took 180 MiB on the benchmark's
    // history; these 58 MiB for the whole scan, BENCHMARKS.md).
    let mut cat = git(&[
        "-c",
        "core.bigFileThreshold=2m",
        "-c",
        "core.deltaBaseCacheLimit=8m",
        "-c",
        "core.packedGitWindowSize=8m",
        "-c",
        "core.packedGitLimit=24m",
        "cat-file",
        "--batch",
    ])
    .stdin(Stdio::piped())
    .stderr(Stdio::inherit())
    .spawn()
    .map_err(|e| git_missing(&e))?;

    // The listing is parsed on a thread that feeds cat-file the new blob ids and sends
    // where each was found, in the same order, to the reading side below.
    let (sender, receiver) = mpsc::channel::<Blob>();
    let listing = list.stdout.take();
    let mut cat_in = cat.stdin.take();
    let lister = std::thread::spawn(move || -> io::Result<()> {
        let (Some(listing), Some(cat_in)) = (listing, cat_in.as_mut()) else {
            return Ok(());
        };
        let mut ids = io::BufWriter::new(cat_in);
        let mut seen = HashSet::new();
        parse_raw(BufReader::new(listing), &mut |blob| {
            if seen.insert(blob.id.clone()) {
                writeln!(ids, "{}", blob.id)?;
                if sender.send(blob).is_err() {
                    return Err(io::ErrorKind::BrokenPipe.into());
                }
            }
            Ok(())
        })?;
        ids.flush()
    });
    let read = read_blobs(&mut cat, &receiver, reader, outcome);
    drop(receiver);
    let listed = lister.join();
    let _ = cat.wait();
    finish(list)?;
    read.map_err(|source| Error::Io {
        what: "reading blobs from git cat-file".to_owned(),
        source,
    })?;
    match listed {
        Ok(Err(source)) => Err(Error::Io {
            what: "reading the list of blobs from git".to_owned(),
            source,
        }),
        _ => Ok(()),
    }
}

fn git(args: &[&str]) -> Command {
    let mut command = Command::new("git");
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn git_missing(e: &io::Error) -> Error {
    Error::Git(format!("cannot run git: {e}"))
}

/// Waits for the listing command; its failure (not a repository, a bad range) is the
/// user's to fix, in git's own words.
fn finish(child: Child) -> Result<()> {
    let out = child.wait_with_output().map_err(|source| Error::Io {
        what: "waiting for git".to_owned(),
        source,
    })?;
    if out.status.success() {
        return Ok(());
    }
    let message = String::from_utf8_lossy(&out.stderr);
    let message = message.lines().next().unwrap_or("failed").trim();
    Err(Error::Git(crate::render::escape(message).into_owned()))
}

/// Parses `--raw -z` output: commit ids (from `--format=%H`) and entries
/// `:MODE MODE OLD NEW STATUS` each followed by a path. Only files' blobs are kept.
fn parse_raw(input: impl BufRead, visit: &mut dyn FnMut(Blob) -> io::Result<()>) -> io::Result<()> {
    let mut commit: Option<String> = None;
    let mut entry: Option<String> = None;
    for field in input.split(0) {
        let field = field?;
        let field = String::from_utf8_lossy(&field);
        let field = field.trim_start_matches('\n');
        if let Some(raw) = entry.take() {
            // `raw` is `:100644 100644 <old> <new> M`: the new blob of a regular file.
            let parts: Vec<&str> = raw.split(' ').collect();
            if let [_, mode, _, new, status] = parts[..]
                && mode.starts_with("100")
                && !status.starts_with('D')
                && new.bytes().any(|b| b != b'0')
            {
                visit(Blob {
                    id: new.to_owned(),
                    commit: commit.clone(),
                    path: crate::render::redact_keys(field).into_owned(),
                })?;
            }
        } else if let Some(raw) = field.strip_prefix(':') {
            entry = Some(raw.to_owned());
        } else if !field.is_empty() {
            commit = Some(field.to_owned());
        }
    }
    Ok(())
}

/// Reads cat-file's answers, one per blob sent, and searches each in chunks.
fn read_blobs(
    cat: &mut Child,
    blobs: &mpsc::Receiver<Blob>,
    reader: &mut Reader,
    outcome: &mut Outcome,
) -> io::Result<()> {
    let Some(stdout) = cat.stdout.take() else {
        return Ok(());
    };
    let mut out: BufReader<ChildStdout> = BufReader::with_capacity(64 * 1024, stdout);
    let mut header = String::new();
    for (seq, blob) in blobs.iter().enumerate() {
        header.clear();
        if out.read_line(&mut header)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        // `<id> blob <size>`, or `<id> missing`.
        let Some(size) = header
            .trim_end()
            .strip_prefix(&blob.id)
            .and_then(|rest| rest.strip_prefix(" blob "))
            .and_then(|size| size.parse::<u64>().ok())
        else {
            outcome
                .unreadable
                .push(format!("{}: git has no blob {}", blob.path, blob.id));
            continue;
        };
        let mut content = (&mut out).take(size);
        let tokens = reader.scan(&mut content, false)?;
        // A binary blob is left unread: skip the rest of it, and the newline after.
        io::copy(&mut content, &mut io::sink())?;
        let mut newline = [0u8; 1];
        out.read_exact(&mut newline)?;
        outcome.add_git(blob.commit.as_deref(), seq, &blob.path, tokens);
    }
    Ok(())
}
