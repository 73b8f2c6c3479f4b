//! `verify [KEY]` and `verify --batch`: is this key good right now?
//!
//! One key: exit 0 and `valid <id> <org> <name>`, or exit 1 and `authentication error: …`
//! with one of the codes of SPEC 5. A batch: one result line per input line, in order.
//! The format and checksum are checked before the store is opened, so a typo costs no
//! database read; a valid key costs one indexed lookup by hash, and the last-used writes
//! of a batch are grouped into one transaction per chunk.

use std::ffi::OsString;
use std::io::{self, BufRead, BufWriter, Write};
use std::os::unix::ffi::OsStringExt;

use serde::Serialize;
use zeroize::Zeroizing;

use crate::cli::VerifyArgs;
use crate::domain::event::EventKind;
use crate::domain::key::{self, Key, Malformed, Status};
use crate::error::{Error, Exit, Result};
use crate::render::{escape, json_time, table_time};
use crate::store::{Store, Uses};

use super::{Ctx, print_json, read_stdin, trim};

/// Lines per chunk in a batch: one transaction for the chunk's writes, one flush of
/// output, one clock reading.
const CHUNK: usize = 4096;
/// A line longer than this cannot be a key; the rest of it is skipped, not buffered.
const MAX_LINE: usize = 1024;

/// Why a key was rejected; the codes are part of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Code {
    Malformed,
    NotFound,
    Revoked,
    Expired,
    Plan,
}

impl Code {
    fn name(self) -> &'static str {
        match self {
            Self::Malformed => "MALFORMED",
            Self::NotFound => "NOT_FOUND",
            Self::Revoked => "REVOKED",
            Self::Expired => "EXPIRED",
            Self::Plan => "PLAN",
        }
    }
}

/// The verdict on one key: valid when `code` is `None`.
struct Outcome {
    code: Option<Code>,
    key: Option<Key>,
    malformed: Option<Malformed>,
}

#[derive(Serialize)]
struct VerifyJson<'a> {
    valid: bool,
    code: Option<Code>,
    id: Option<&'a str>,
    org: Option<&'a str>,
    name: Option<&'a str>,
    expires_at: Option<String>,
}

impl<'a> VerifyJson<'a> {
    fn new(outcome: &'a Outcome) -> Self {
        let key = outcome.key.as_ref();
        Self {
            valid: outcome.code.is_none(),
            code: outcome.code,
            id: key.map(|k| k.id.as_str()),
            org: key.map(|k| k.org.as_str()),
            name: key.map(|k| k.name.as_str()),
            expires_at: key.and_then(|k| k.expires_at).map(json_time),
        }
    }
}

/// Checks keys against one store, opened at the first key that passes its checksum, and
/// collects the uses to record.
struct Verifier<'a> {
    ctx: &'a Ctx,
    store: Option<Box<dyn Store>>,
    no_touch: bool,
    uses: Uses,
}

impl Verifier<'_> {
    fn check(&mut self, input: &[u8]) -> Result<Outcome> {
        let hash = match key::check(input) {
            Ok(hash) => hash,
            Err(why) => {
                return Ok(Outcome {
                    code: Some(Code::Malformed),
                    key: None,
                    malformed: Some(why),
                });
            }
        };
        let store = match &mut self.store {
            Some(store) => store,
            None => self.store.insert(self.ctx.open_store()?),
        };
        let found = store.key_by_hash(&hash)?;
        let Some(found) = found.filter(|f| {
            self.ctx
                .config
                .org
                .as_ref()
                .is_none_or(|org| *org == f.key.org)
        }) else {
            return Ok(Outcome {
                code: Some(Code::NotFound),
                key: None,
                malformed: None,
            });
        };
        let code = match found.key.status(self.ctx.now) {
            Status::Revoked => Some(Code::Revoked),
            Status::Expired => Some(Code::Expired),
            Status::Active if !found.api_access => Some(Code::Plan),
            Status::Active => None,
        };
        match code {
            None if !self.no_touch => self.uses.touched.push((found.key.id.clone(), self.ctx.now)),
            Some(Code::Revoked) => self
                .uses
                .attempts
                .push((found.key.id.clone(), EventKind::RevokedKeyUsed)),
            Some(Code::Expired) => self
                .uses
                .attempts
                .push((found.key.id.clone(), EventKind::ExpiredKeyUsed)),
            _ => {}
        }
        Ok(Outcome {
            code,
            key: Some(found.key),
            malformed: None,
        })
    }

    /// Writes what was collected, in one transaction.
    fn record(&mut self) -> Result<()> {
        if let Some(store) = &mut self.store
            && !self.uses.is_empty()
        {
            store.record_uses(&self.uses, &self.ctx.stamp())?;
        }
        self.uses.clear();
        Ok(())
    }
}

pub fn run(ctx: &Ctx, args: &VerifyArgs) -> Result<Exit> {
    let mut verifier = Verifier {
        ctx,
        store: None,
        no_touch: args.no_touch,
        uses: Uses::default(),
    };
    if args.batch {
        return batch(&mut verifier, args.quiet);
    }
    let input = read_key(args.key.clone())?;
    let outcome = verifier.check(trim(&input))?;
    verifier.record()?;
    if let Some(code) = outcome.code {
        let _ = writeln!(
            io::stderr().lock(),
            "authentication error: {} ({})",
            reason(&outcome),
            code.name()
        );
    }
    if ctx.config.json && !args.quiet {
        print_json(&VerifyJson::new(&outcome))?;
    } else if let (Some(key), None, false) = (&outcome.key, outcome.code, args.quiet) {
        writeln!(
            io::stdout().lock(),
            "valid {} {} {}",
            key.id,
            key.org,
            escape(&key.name)
        )?;
    }
    Ok(if outcome.code.is_none() {
        Exit::Success
    } else {
        Exit::Refused
    })
}

/// The key from the argument (`-` = stdin), else `SEENTY_TOKEN`, else stdin.
fn read_key(argument: Option<OsString>) -> Result<Zeroizing<Vec<u8>>> {
    match argument {
        Some(arg) if arg == "-" => read_stdin(),
        Some(arg) => Ok(Zeroizing::new(arg.into_vec())),
        None => match std::env::var_os("SEENTY_TOKEN") {
            Some(token) => Ok(Zeroizing::new(token.into_vec())),
            None => read_stdin(),
        },
    }
}

fn reason(outcome: &Outcome) -> String {
    let key = outcome.key.as_ref();
    let id = key.map_or("", |k| k.id.as_str());
    match outcome.code {
        Some(Code::Malformed) => match outcome.malformed {
            Some(why) => format!("malformed key: {why}"),
            None => "malformed key".to_owned(),
        },
        Some(Code::NotFound) => "no such key".to_owned(),
        Some(Code::Revoked) => format!(
            "key {id} was revoked on {} UTC",
            table_time(key.and_then(|k| k.revoked_at))
        ),
        Some(Code::Expired) => format!(
            "key {id} expired on {} UTC",
            table_time(key.and_then(|k| k.expires_at))
        ),
        Some(Code::Plan) => format!(
            "organization {}'s plan has no API access",
            key.map_or("", |k| k.org.as_str())
        ),
        None => "valid".to_owned(),
    }
}

/// One key per line on stdin, one result per line on stdout, in order, in constant
/// memory. A blank line is `invalid MALFORMED`, so output lines pair with input lines.
fn batch(verifier: &mut Verifier<'_>, quiet: bool) -> Result<Exit> {
    let stdin = io::stdin();
    let mut input = io::BufReader::with_capacity(1 << 16, stdin.lock());
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut line = Zeroizing::new(Vec::with_capacity(MAX_LINE));
    let mut all_valid = true;
    let mut in_chunk = 0;
    while read_line(&mut input, &mut line)? {
        let outcome = verifier.check(trim(&line))?;
        all_valid &= outcome.code.is_none();
        if !quiet {
            write_result(&mut out, &outcome, verifier.ctx.config.json)?;
        }
        in_chunk += 1;
        if in_chunk == CHUNK {
            verifier.record()?;
            out.flush()?;
            in_chunk = 0;
        }
    }
    verifier.record()?;
    out.flush()?;
    Ok(if all_valid {
        Exit::Success
    } else {
        Exit::Refused
    })
}

fn write_result(out: &mut impl Write, outcome: &Outcome, json: bool) -> Result<()> {
    if json {
        serde_json::to_writer(&mut *out, &VerifyJson::new(outcome)).map_err(io::Error::from)?;
        out.write_all(b"\n")?;
    } else {
        match (&outcome.key, outcome.code) {
            (Some(key), None) => writeln!(out, "valid {}", key.id)?,
            (_, Some(code)) => writeln!(out, "invalid {}", code.name())?,
            (None, None) => writeln!(out, "invalid {}", Code::NotFound.name())?,
        }
    }
    Ok(())
}

/// Reads one line into `line` (without its newline), keeping at most [`MAX_LINE`] bytes
/// of it. Returns false at the end of input.
fn read_line(input: &mut impl BufRead, line: &mut Vec<u8>) -> Result<bool> {
    line.clear();
    let mut any = false;
    loop {
        let buf = input.fill_buf().map_err(|source| Error::Io {
            what: "reading standard input".to_owned(),
            source,
        })?;
        if buf.is_empty() {
            return Ok(any);
        }
        any = true;
        let (taken, done) = match memchr::memchr(b'\n', buf) {
            Some(at) => (at + 1, true),
            None => (buf.len(), false),
        };
        let content = &buf[..if done { taken - 1 } else { taken }];
        let room = MAX_LINE.saturating_sub(line.len());
        line.extend_from_slice(&content[..content.len().min(room)]);
        input.consume(taken);
        if done {
            return Ok(true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<Vec<u8>> {
        let mut reader = io::BufReader::with_capacity(7, input);
        let mut line = Vec::new();
        let mut out = Vec::new();
        while read_line(&mut reader, &mut line).unwrap() {
            out.push(line.clone());
        }
        out
    }

    #[test]
    fn lines_are_split_and_bounded() {
        assert_eq!(
            lines(b"a\nbb\n\nccc"),
            [b"a".to_vec(), b"bb".to_vec(), vec![], b"ccc".to_vec()]
        );
        assert!(lines(b"").is_empty());
        let long = vec![b'x'; 5000];
        let got = lines(&[&long[..], b"\nnext\n"].concat());
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].len(), MAX_LINE);
        assert_eq!(got[1], b"next");
    }
}
