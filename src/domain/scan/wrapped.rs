//! Base64 wrapped into lines (76 columns as `base64` and MIME write it, 64 as `openssl`
//! and PEM do, `\r\n` line ends, the indentation of a YAML block scalar): the line breaks
//! and the indentation after them are taken out before the base64 patterns are searched,
//! so a key split across lines is decoded whole. Each position found in the joined text
//! is mapped back to its line and column in the input.
//!
//! Joining unrelated lines cannot invent a key: what decodes must still carry the
//! prefix and a valid checksum.

use std::collections::VecDeque;

use super::{Scanner, Token};

/// Bytes joined and searched at a time, so the position map stays small.
const PIECE: usize = 16 * 1024;

/// Where a run of joined bytes starts: its absolute offset in the joined text, and the
/// input's line and 0-based column of its first byte.
#[derive(Clone, Copy)]
struct Segment {
    joined: u64,
    line: u64,
    column: u64,
}

pub struct Wrapped {
    scanner: Scanner,
    joined: Vec<u8>,
    /// Absolute offset of `joined[0]`.
    base: u64,
    segments: VecDeque<Segment>,
    line: u64,
    column: u64,
    /// After a line break: blanks are indentation, left out.
    skipping: bool,
    raw: Vec<Token>,
}

impl Default for Wrapped {
    fn default() -> Self {
        Self::new()
    }
}

impl Wrapped {
    pub fn new() -> Self {
        let mut wrapped = Self {
            scanner: Scanner::base64_only(),
            joined: Vec::with_capacity(PIECE + super::OVERLAP),
            base: 0,
            segments: VecDeque::new(),
            line: 1,
            column: 0,
            skipping: false,
            raw: Vec::new(),
        };
        wrapped.reset();
        wrapped
    }

    pub fn reset(&mut self) {
        self.scanner.reset();
        self.joined.clear();
        self.base = 0;
        self.segments.clear();
        self.segments.push_back(Segment {
            joined: 0,
            line: 1,
            column: 0,
        });
        self.line = 1;
        self.column = 0;
        self.skipping = false;
    }

    /// Searches the next bytes of the input (only new ones); `eof` when none follow.
    pub fn feed(&mut self, input: &[u8], eof: bool, found: &mut Vec<Token>) {
        let mut pieces = input.chunks(PIECE).peekable();
        if pieces.peek().is_none() {
            self.search(eof, found);
        }
        while let Some(piece) = pieces.next() {
            self.join(piece);
            self.search(eof && pieces.peek().is_none(), found);
        }
    }

    /// Appends `piece` to the joined text without its line breaks and indentation.
    fn join(&mut self, mut piece: &[u8]) {
        while !piece.is_empty() {
            if self.skipping {
                let blanks = piece
                    .iter()
                    .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                    .count();
                for &b in &piece[..blanks] {
                    self.column += 1;
                    if b == b'\n' {
                        self.line += 1;
                        self.column = 0;
                    }
                }
                piece = &piece[blanks..];
                if piece.is_empty() {
                    return;
                }
                self.skipping = false;
                self.segments.push_back(Segment {
                    joined: self.base + self.joined.len() as u64,
                    line: self.line,
                    column: self.column,
                });
            }
            let run = memchr::memchr2(b'\n', b'\r', piece).unwrap_or(piece.len());
            self.joined.extend_from_slice(&piece[..run]);
            self.column += run as u64;
            piece = &piece[run..];
            if !piece.is_empty() {
                self.skipping = true;
            }
        }
    }

    fn search(&mut self, eof: bool, found: &mut Vec<Token>) {
        self.raw.clear();
        let drop = self.scanner.feed(&self.joined, eof, &mut self.raw);
        for mut token in self.raw.drain(..) {
            // The joined text has no line breaks: its column is its offset, plus one.
            let at = token.column - 1;
            let index = self.segments.partition_point(|s| s.joined <= at);
            let Some(segment) = index.checked_sub(1).and_then(|i| self.segments.get(i)) else {
                continue;
            };
            token.line = segment.line;
            token.column = segment.column + (at - segment.joined) + 1;
            found.push(token);
        }
        self.joined.drain(..drop);
        self.base += drop as u64;
        while self.segments.len() > 1 && self.segments[1].joined <= self.base {
            self.segments.pop_front();
        }
    }
}
