//! `import [--merge]`: loads what `export` wrote, from standard input, into this store
//! (SQLite or PostgreSQL). The whole input is read, a bounded line at a time, and checked
//! before the store is opened, so a bad line changes nothing; the load itself is one
//! transaction, and a store the import created is removed again when the load fails.

use std::io::{BufRead, IsTerminal, Read};

use crate::cli::ImportArgs;
use crate::domain::dump::{self, Record};
use crate::error::{Error, Exit, Result};
use crate::lifecycle::import::{Imported, import};
use crate::render::count;
use crate::store::{self, Location, Store};

use super::{Ctx, print_json, print_line};

/// The longest line an import reads: an export's lines are a few kilobytes at most
/// (names of 100 characters, reasons of 500), and a longer one is refused as it is read,
/// so memory stays bounded whatever the input holds.
pub(crate) const LINE_MAX: usize = 64 * 1024;

pub(crate) fn run(ctx: &Ctx, args: &ImportArgs) -> Result<Exit> {
    if std::io::stdin().is_terminal() {
        return Err(Error::ImportFromTerminal);
    }
    let (records, lines) = parse(std::io::stdin().lock())?;
    let bad = |(i, message): (usize, String)| Error::BadImport {
        line: lines[i],
        message,
    };
    // Organizations the file names but does not define must be in the store already.
    let mut elsewhere = Vec::new();
    // SQLite's clock is this machine's, known before the store is opened; PostgreSQL's
    // is the server's, read once it is.
    let local_now = matches!(ctx.config.location, Location::Sqlite(_)).then(|| ctx.now());
    dump::check_records(&records, local_now, &mut |slug| {
        elsewhere.push(slug.to_owned());
        true
    })
    .map_err(bad)?;
    let (store, created) = store::create(&ctx.config.location)?;
    let imported = load(ctx, store, &records, &elsewhere, args.merge).map_err(|e| match e {
        LoadError::Bad(at) => bad(at),
        LoadError::Store(e) => e,
    });
    let imported = match imported {
        Ok(imported) => imported,
        Err(e) => {
            if created {
                discard(&ctx.config.location);
            }
            return Err(e);
        }
    };
    if ctx.config.json {
        print_json(&imported)?;
    } else {
        print_line(&summary(&imported))?;
    }
    Ok(Exit::Success)
}

enum LoadError {
    /// The record at this index cannot be, given the store.
    Bad((usize, String)),
    Store(Error),
}

impl From<Error> for LoadError {
    fn from(e: Error) -> Self {
        Self::Store(e)
    }
}

fn load(
    ctx: &Ctx,
    store: Box<dyn Store + Send>,
    records: &[Record],
    elsewhere: &[String],
    merge: bool,
) -> std::result::Result<Imported, LoadError> {
    // The session (and its store) is dropped on return, before a refused import's file
    // is removed.
    let mut session = ctx.session_on(store)?;
    for slug in elsewhere {
        if !session.has_org(slug)? {
            let at = records
                .iter()
                .position(|r| matches!(r, Record::Setting { value, .. } if value == slug))
                .unwrap_or_default();
            let why =
                format!("default_org {slug:?} names no organization of the file or the store");
            return Err(LoadError::Bad((at, why)));
        }
    }
    if !matches!(ctx.config.location, Location::Sqlite(_)) {
        dump::check_records(records, Some(ctx.now()), &mut |_| true).map_err(LoadError::Bad)?;
    }
    Ok(import(&mut *session, records, merge, ctx.now())?)
}

/// Removes the SQLite store this import created and could not fill, with its companion
/// files: a refused import leaves no store behind. (A PostgreSQL database is the
/// administrator's; its schema stays.)
fn discard(location: &Location) {
    if let Location::Sqlite(path) = location {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut file = path.clone().into_os_string();
            file.push(suffix);
            let _ = std::fs::remove_file(file);
        }
    }
}

/// Every line checked: the header first, then records; blank lines are skipped. Each
/// record comes with its line number. Lines are read one at a time, none longer than
/// [`LINE_MAX`].
fn parse(mut input: impl BufRead) -> Result<(Vec<Record>, Vec<usize>)> {
    let (mut records, mut lines) = (Vec::new(), Vec::new());
    let mut buffer = Vec::new();
    let mut header = false;
    for line in 1.. {
        buffer.clear();
        (&mut input)
            .take(LINE_MAX as u64 + 1)
            .read_until(b'\n', &mut buffer)
            .map_err(|source| Error::Io {
                what: "reading standard input".to_owned(),
                source,
            })?;
        if buffer.is_empty() {
            break;
        }
        let bad = |message: String| Error::BadImport { line, message };
        if buffer.len() > LINE_MAX {
            return Err(bad(format!(
                "the line is longer than {LINE_MAX} bytes; no line of an export is"
            )));
        }
        let text = std::str::from_utf8(&buffer).map_err(|_| bad("not UTF-8".to_owned()))?;
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        if !header {
            dump::check_header(text).map_err(bad)?;
            header = true;
            continue;
        }
        records.push(dump::parse_line(text).map_err(bad)?);
        lines.push(line);
    }
    if !header {
        return Err(Error::BadImport {
            line: 1,
            message: "the input is empty".to_owned(),
        });
    }
    Ok((records, lines))
}

fn summary(done: &Imported) -> String {
    if !done.changed() {
        return format!(
            "Nothing to import: the store already holds all {}.",
            count(done.unchanged, "record")
        );
    }
    let already = match done.unchanged {
        1 => "1 record was already there".to_owned(),
        n => format!("{n} records were already there"),
    };
    format!(
        "Imported {}, {}, {}, {}, {} and {} ({already}).",
        count(done.orgs, "organization"),
        count(done.settings, "setting"),
        count(done.keys, "key"),
        count(done.revocations, "revocation"),
        count(done.usage, "last-used time"),
        count(done.events, "event"),
    )
}
