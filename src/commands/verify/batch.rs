//! `verify --batch`: one key per line on stdin, one result per line on stdout, in input
//! order, in constant memory.
//!
//! Lines are taken in chunks: the chunk's lookups run in one read transaction (one lock,
//! one snapshot), its last-used times and use attempts are written in one transaction,
//! and its output is flushed once. A blank line is `invalid MALFORMED`, so output lines
//! pair with input lines.

use std::io::{self, BufRead, BufWriter, Write};

use zeroize::Zeroizing;

use crate::domain::key::{self, KeyHash, Malformed};
use crate::error::{Error, Exit, Result};

use super::{Code, Outcome, Verifier, VerifyJson};

/// Lines per chunk: one read transaction, one write transaction, one flush.
const CHUNK: usize = 4096;
/// A line longer than this cannot be a key; the rest of it is skipped, not buffered.
const MAX_LINE: usize = 1024;

pub fn run(verifier: &mut Verifier<'_>, quiet: bool) -> Result<Exit> {
    let stdin = io::stdin();
    let mut input = io::BufReader::with_capacity(1 << 16, stdin.lock());
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let json = verifier.ctx.config.json;
    let mut line = Zeroizing::new(Vec::with_capacity(MAX_LINE));
    // Per chunk: each line's checksum verdict, and the hashes to look up.
    let mut checked: Vec<Result<usize, Malformed>> = Vec::with_capacity(CHUNK);
    let mut hashes: Vec<KeyHash> = Vec::with_capacity(CHUNK);
    let mut all_valid = true;
    let mut more = true;
    while more {
        checked.clear();
        hashes.clear();
        while checked.len() < CHUNK {
            if !read_line(&mut input, &mut line)? {
                more = false;
                break;
            }
            checked.push(key::check(line.trim_ascii()).map(|hash| {
                hashes.push(hash);
                hashes.len() - 1
            }));
        }
        let mut found = vec![None; hashes.len()];
        if !hashes.is_empty() {
            verifier.store()?.lookup_many(&hashes, &mut |i, m| {
                found[i] = m;
                Ok(())
            })?;
        }
        for verdict in &checked {
            let outcome = match verdict {
                Ok(i) => verifier.judge(found[*i].take()),
                Err(why) => Outcome::malformed(*why),
            };
            all_valid &= outcome.code.is_none();
            if !quiet {
                write_result(&mut out, &outcome, json)?;
            }
        }
        verifier.record();
        out.flush()?;
    }
    Ok(if all_valid {
        Exit::Success
    } else {
        Exit::Refused
    })
}

fn write_result(out: &mut impl Write, outcome: &Outcome, json: bool) -> Result<()> {
    if json {
        crate::render::write_json(&mut *out, &VerifyJson::new(outcome)).map_err(io::Error::from)?;
        out.write_all(b"\n")?;
        return Ok(());
    }
    match (&outcome.key, outcome.code) {
        (Some(key), None) => writeln!(out, "valid {}", key.id)?,
        (_, code) => writeln!(out, "invalid {}", code.unwrap_or(Code::NotFound).name())?,
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
