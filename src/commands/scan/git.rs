//! `scan --staged` and `scan --git [RANGE]`: objects read from git itself, by running the
//! `git` binary's object-reading commands (as betterleaks does) rather than linking
//! gitoxide, whose build would more than double this crate's (BENCHMARKS.md has the
//! figures). Every git command goes through [`command::git`], which switches off what the
//! repository could make git run.
//!
//! `git log --raw` (or `git diff --cached --raw`) names each blob with the path and
//! commit that introduced it, and each commit, whose message is searched too; without a
//! range, what tags point at (blobs, trees, their own messages) follows. Each object id
//! goes once, as it is first seen, to one `git cat-file --batch`, whose output is read
//! object by object in bounded chunks. The three run at once: listing, reading and
//! searching overlap.

pub mod allow;
mod command;
mod tags;

use std::collections::HashSet;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdout, Stdio};
use std::sync::mpsc;

use crate::error::{Error, Result};

use super::search::{Outcome, Reader};
pub use command::check_range;

/// What to read from git.
pub enum Source<'a> {
    /// The index: what `git commit` would record, as changed from HEAD.
    Staged,
    /// History: every object reachable from all refs, or those the commits of a range add.
    History(Option<&'a str>),
}

/// Which part of an object is searched.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    /// A blob: a file's content, or a symbolic link's target.
    Content,
    /// A commit's or an annotated tag's message (after its headers).
    Message,
}

/// An object to read, and where it is reported: `commit:path`, `tag NAME:path`.
struct Item {
    id: String,
    commit: Option<String>,
    path: String,
    part: Part,
}

/// The name a message is reported under, in the place of a path.
const MESSAGE: &str = "(message)";

pub fn search(source: &Source, reader: &mut Reader, outcome: &mut Outcome) -> Result<()> {
    let (list, tags) = match source {
        Source::Staged => (
            command::git(&[
                "diff",
                "--cached",
                "--raw",
                "-z",
                "--no-renames",
                "--no-abbrev",
                "--no-ext-diff",
                "--no-textconv",
            ]),
            Vec::new(),
        ),
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
                "--no-textconv",
                "--no-show-signature",
            ];
            match range {
                Some(range) => args.extend(["--end-of-options", range]),
                None => args.push("--all"),
            }
            args.push("--");
            let tags = match range {
                Some(_) => Vec::new(),
                None => tags::list()?,
            };
            (command::git(&args), tags)
        }
    };
    let mut list = command::spawn(list)?;
    let mut cat = cat_file()?;

    // The listing is parsed on a thread that feeds cat-file the new object ids and sends
    // where each was found, in the same order, to the reading side below.
    let (sender, receiver) = mpsc::channel::<Item>();
    let listing = list.stdout.take();
    let mut cat_in = cat.stdin.take();
    let lister = std::thread::spawn(move || -> io::Result<()> {
        let (Some(listing), Some(cat_in)) = (listing, cat_in.as_mut()) else {
            return Ok(());
        };
        let mut ids = io::BufWriter::new(cat_in);
        let mut seen = HashSet::new();
        let mut visit = |item: Item| -> io::Result<()> {
            if seen.insert(item.id.clone()) {
                writeln!(ids, "{}", item.id)?;
                if sender.send(item).is_err() {
                    return Err(io::ErrorKind::BrokenPipe.into());
                }
            }
            Ok(())
        };
        parse_raw(BufReader::new(listing), &mut visit)?;
        tags::visit(&tags, &mut visit)?;
        ids.flush()
    });
    let read = read_objects(&mut cat, &receiver, reader, outcome);
    drop(receiver);
    let listed = lister.join();
    let _ = cat.wait();
    command::finish(list)?;
    read.map_err(|source| Error::Io {
        what: "reading objects from git cat-file".to_owned(),
        source,
    })?;
    match listed {
        Ok(Err(source)) => Err(Error::Io {
            what: "reading the list of objects from git".to_owned(),
            source,
        }),
        _ => Ok(()),
    }
}

/// `git cat-file --batch`, its memory bounded: blobs over 2 MiB streamed instead of
/// loaded whole, and smaller pack windows and delta cache (its defaults took 180 MiB on
/// the benchmark's history; these 58 MiB for the whole scan, BENCHMARKS.md).
fn cat_file() -> Result<Child> {
    let mut cat = command::git(&[
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
    ]);
    cat.stdin(Stdio::piped()).stderr(Stdio::inherit());
    command::spawn(cat)
}

/// Whether a tree entry's mode is searched: a regular file, or a symbolic link (its
/// target is text). Submodules (commits) and trees are not blobs.
fn searched_mode(mode: &str) -> bool {
    mode.starts_with("100") || mode == "120000"
}

/// Parses `--raw -z` output: commit ids (from `--format=%H`) and entries
/// `:MODE MODE OLD NEW STATUS` each followed by a path. Each commit's message is visited,
/// then the blobs of files and symbolic links it adds.
fn parse_raw(input: impl BufRead, visit: &mut dyn FnMut(Item) -> io::Result<()>) -> io::Result<()> {
    let mut commit: Option<String> = None;
    let mut entry: Option<String> = None;
    for field in input.split(0) {
        let field = field?;
        let field = String::from_utf8_lossy(&field);
        let field = field.trim_start_matches('\n');
        if let Some(raw) = entry.take() {
            // `raw` is `:100644 100644 <old> <new> M`: the new blob of a file.
            let parts: Vec<&str> = raw.split(' ').collect();
            if let [_, mode, _, new, status] = parts[..]
                && searched_mode(mode)
                && !status.starts_with('D')
                && new.bytes().any(|b| b != b'0')
            {
                visit(Item {
                    id: new.to_owned(),
                    commit: commit.clone(),
                    path: crate::render::redact_keys(field).into_owned(),
                    part: Part::Content,
                })?;
            }
        } else if let Some(raw) = field.strip_prefix(':') {
            entry = Some(raw.to_owned());
        } else if !field.is_empty() {
            commit = Some(field.to_owned());
            visit(Item {
                id: field.to_owned(),
                commit: commit.clone(),
                path: MESSAGE.to_owned(),
                part: Part::Message,
            })?;
        }
    }
    Ok(())
}

/// Reads cat-file's answers, one per object sent, and searches each in chunks.
fn read_objects(
    cat: &mut Child,
    items: &mpsc::Receiver<Item>,
    reader: &mut Reader,
    outcome: &mut Outcome,
) -> io::Result<()> {
    let Some(stdout) = cat.stdout.take() else {
        return Ok(());
    };
    let mut out: BufReader<ChildStdout> = BufReader::with_capacity(64 * 1024, stdout);
    let mut header = String::new();
    for (seq, item) in items.iter().enumerate() {
        header.clear();
        if out.read_line(&mut header)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        // `<id> <type> <size>`, or `<id> missing`.
        let Some(size) = header
            .trim_end()
            .strip_prefix(&item.id)
            .and_then(|rest| rest.strip_prefix(' '))
            .and_then(|rest| rest.split_once(' '))
            .and_then(|(_, size)| size.parse::<u64>().ok())
        else {
            outcome
                .unreadable
                .push(format!("{}: git has no object {}", item.path, item.id));
            continue;
        };
        let mut content = (&mut out).take(size);
        if item.part == Part::Message {
            skip_headers(&mut content)?;
        }
        let tokens = reader.scan(&mut content, false)?;
        // A binary blob is left unread: skip the rest of it, and the newline after.
        io::copy(&mut content, &mut io::sink())?;
        let mut newline = [0u8; 1];
        out.read_exact(&mut newline)?;
        outcome.add_git(item.commit.as_deref(), seq, &item.path, tokens);
    }
    Ok(())
}

/// Consumes a commit's or tag's headers, up to and including the empty line before its
/// message, in bounded memory whatever their length (a signature is a header).
fn skip_headers(input: &mut impl BufRead) -> io::Result<()> {
    let mut after_newline = false;
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        let mut used = buf.len();
        let mut done = false;
        for (at, &byte) in buf.iter().enumerate() {
            if byte == b'\n' && after_newline {
                used = at + 1;
                done = true;
                break;
            }
            after_newline = byte == b'\n';
        }
        input.consume(used);
        if done {
            return Ok(());
        }
    }
}
