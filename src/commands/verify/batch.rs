//! `verify --batch`: one key per line on stdin, one result per line on stdout, in input
//! order, in constant memory.
//!
//! Lines are taken in chunks: the chunk's lookups run in one read transaction (one lock,
//! one snapshot), its last-used times and use attempts are written in one transaction,
//! and its output is flushed once. A chunk ends at [`CHUNK`] lines, or as soon as the
//! input pauses (nothing more is ready to read), so a program can write one key and read
//! its answer: a thread reads standard input and hands over what each read returned, and
//! an empty hand-over is the pause. Each chunk reads the clock afresh, so a key revoked
//! or expiring while the batch runs is rejected from the next line on. A blank line is
//! `invalid MALFORMED`, so output lines pair with input lines.

use std::io::{self, BufWriter, Read, Write};
use std::sync::mpsc::{self, Receiver, TryRecvError};

use zeroize::Zeroizing;

use crate::domain::key::{self, KeyHash, Malformed};
use crate::error::{Error, Exit, Result};

use super::Verifier;
use crate::verdict::{Code, Outcome, VerifyJson};

/// Lines per chunk at most: one read transaction, one write transaction, one flush.
const CHUNK: usize = 4096;
/// A line longer than this cannot be a key; the rest of it is skipped, not buffered.
const MAX_LINE: usize = 1024;
/// Bytes per read of standard input, and how many reads may wait for the main thread:
/// the memory bound of the input side.
const BLOCK: usize = 1 << 16;
const BLOCKS_AHEAD: usize = 4;

type Block = Zeroizing<Vec<u8>>;

pub fn run(verifier: &mut Verifier<'_>, quiet: bool) -> Result<Exit> {
    let mut lines = Lines::new(spawn_reader());
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let json = verifier.ctx.config.json;
    // Per chunk: each line's checksum verdict, and the hashes to look up.
    let mut checked: Vec<Result<usize, Malformed>> = Vec::with_capacity(CHUNK);
    let mut hashes: Vec<KeyHash> = Vec::with_capacity(CHUNK);
    let mut all_valid = true;
    let mut more = true;
    while more {
        checked.clear();
        hashes.clear();
        more = lines.chunk(CHUNK, &mut |line| {
            checked.push(key::check(line.trim_ascii()).map(|hash| {
                hashes.push(hash);
                hashes.len() - 1
            }));
        })?;
        let mut found = vec![None; hashes.len()];
        if !hashes.is_empty() {
            let ctx = verifier.ctx;
            let store = verifier.store()?;
            store.lookup_many(&hashes, &mut |i, m| {
                found[i] = m;
                Ok(())
            })?;
            ctx.tick(store)?;
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

/// Reads standard input on a thread of its own: each read's bytes, as they come.
fn spawn_reader() -> Receiver<io::Result<Block>> {
    let (send, receive) = mpsc::sync_channel(BLOCKS_AHEAD);
    std::thread::spawn(move || {
        let mut stdin = io::stdin().lock();
        loop {
            let mut block = Zeroizing::new(vec![0; BLOCK]);
            let read = match stdin.read(&mut block) {
                Ok(0) => return,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let _ = send.send(Err(e));
                    return;
                }
            };
            block.truncate(read);
            if send.send(Ok(block)).is_err() {
                return;
            }
        }
    });
    receive
}

/// Lines from blocks of input, each cut at [`MAX_LINE`] bytes.
struct Lines {
    blocks: Receiver<io::Result<Block>>,
    block: Block,
    at: usize,
    line: Zeroizing<Vec<u8>>,
    /// Bytes of a line whose end has not come yet.
    open: bool,
}

impl Lines {
    fn new(blocks: Receiver<io::Result<Block>>) -> Self {
        Self {
            blocks,
            block: Zeroizing::new(Vec::new()),
            at: 0,
            line: Zeroizing::new(Vec::with_capacity(MAX_LINE)),
            open: false,
        }
    }

    /// Hands up to `most` lines to `each`: fewer when the input pauses after at least one.
    /// Returns false at the end of input.
    fn chunk(&mut self, most: usize, each: &mut dyn FnMut(&[u8])) -> Result<bool> {
        let mut taken = 0;
        loop {
            while taken < most && self.at < self.block.len() {
                let rest = &self.block[self.at..];
                let (used, done) = match memchr::memchr(b'\n', rest) {
                    Some(end) => (end + 1, true),
                    None => (rest.len(), false),
                };
                let content = &rest[..if done { used - 1 } else { used }];
                let room = MAX_LINE.saturating_sub(self.line.len());
                self.line
                    .extend_from_slice(&content[..content.len().min(room)]);
                self.at += used;
                self.open = !done;
                if done {
                    each(&self.line);
                    self.line.clear();
                    taken += 1;
                }
            }
            if taken == most {
                return Ok(true);
            }
            let next = if taken == 0 {
                self.blocks.recv().ok()
            } else {
                match self.blocks.try_recv() {
                    Ok(block) => Some(block),
                    Err(TryRecvError::Empty) => return Ok(true),
                    Err(TryRecvError::Disconnected) => None,
                }
            };
            match next {
                Some(Ok(block)) => {
                    self.block = block;
                    self.at = 0;
                }
                Some(Err(source)) => {
                    return Err(Error::Io {
                        what: "reading standard input".to_owned(),
                        source,
                    });
                }
                None => {
                    // The end of input ends a last line without a newline.
                    if self.open {
                        each(&self.line);
                        self.line.clear();
                        self.open = false;
                    }
                    return Ok(false);
                }
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines of `input` handed over in blocks of `size` bytes, all sent at once.
    fn lines(input: &[u8], size: usize) -> Vec<Vec<u8>> {
        let (send, receive) = mpsc::sync_channel(input.len() + 1);
        for block in input.chunks(size) {
            send.send(Ok(Zeroizing::new(block.to_vec()))).unwrap();
        }
        drop(send);
        let mut lines = Lines::new(receive);
        let mut out = Vec::new();
        while lines.chunk(3, &mut |line| out.push(line.to_vec())).unwrap() {}
        out
    }

    #[test]
    fn lines_are_split_and_bounded() {
        for size in [1, 2, 7, 4096] {
            assert_eq!(
                lines(b"a\nbb\n\nccc", size),
                [b"a".to_vec(), b"bb".to_vec(), vec![], b"ccc".to_vec()]
            );
            assert!(lines(b"", size).is_empty());
            let long = vec![b'x'; 5000];
            let got = lines(&[&long[..], b"\nnext\n"].concat(), size);
            assert_eq!(got.len(), 2);
            assert_eq!(got[0].len(), MAX_LINE);
            assert_eq!(got[1], b"next");
        }
    }

    /// A chunk ends when nothing more is ready, without waiting for the rest.
    #[test]
    fn a_pause_ends_the_chunk() {
        let (send, receive) = mpsc::sync_channel(4);
        send.send(Ok(Zeroizing::new(b"one\ntw".to_vec()))).unwrap();
        let mut lines = Lines::new(receive);
        let mut got = Vec::new();
        assert!(lines.chunk(10, &mut |l| got.push(l.to_vec())).unwrap());
        assert_eq!(got, [b"one".to_vec()]);
        send.send(Ok(Zeroizing::new(b"o\n".to_vec()))).unwrap();
        drop(send);
        got.clear();
        while lines.chunk(10, &mut |l| got.push(l.to_vec())).unwrap() {}
        assert_eq!(got, [b"two".to_vec()]);
    }
}
