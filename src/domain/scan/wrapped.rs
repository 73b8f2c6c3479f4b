//! Base64 wrapped into lines (76 columns as `base64` and MIME write it, 64 as `openssl`
//! and PEM do, `\r\n` line ends, the indentation of a YAML block scalar). A key whose
//! encoding crosses a line break is found by joining the lines of each wrapped block
//! (without their breaks and indentation) and searching the joined text; each position
//! found there is mapped back to its line and column in the input.
//!
//! Only what can be a wrapped block is copied: a line break is joined when the line
//! before it ends in at least [`MIN_LINE`] base64 characters and the next one starts
//! with one, after its indentation. Keys that sit inside one line are the plain
//! scanner's: callers search the input as it is too, and drop a token found twice at
//! the same place. Joining lines cannot invent a key: what decodes must still carry
//! the prefix and a valid checksum.
//!
//! Looking at every line end costs more than the search itself on text of short lines,
//! so lines are only looked at near a *fragment*: the first or last five characters of
//! the base64 of `sk_live_` at one of its alignments. A line break cuts that 10-character
//! form at most once (the lines of a block hold 16 characters or more), so one of its
//! halves is always in the input as it is. From the start of the line before a fragment's
//! line, what is joined is what joining every line would give from there on; the lines
//! in between are only counted.

use std::collections::VecDeque;

use aho_corasick::{AhoCorasick, MatchKind};

use super::{BASE64_PREFIX, Scanner, Token};

/// Bytes handled at a time, so the joined text and its position map stay small.
const PIECE: usize = 16 * 1024;

/// The shortest line a wrapped block is made of (before its last line).
pub const MIN_LINE: usize = 16;

/// How much of a line's trailing base64 is kept to start a block: a key's window and
/// the start of its base64 group, rounded up.
const TAIL: usize = 64;

/// Where a run of joined bytes starts: its absolute offset in the joined text, and the
/// input's line and 0-based column of its first byte.
#[derive(Clone, Copy)]
struct Segment {
    joined: u64,
    line: u64,
    column: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Outside a block: only each line's trailing base64 run is noted.
    Lines,
    /// After a joined line break: skipping the next line's indentation.
    Indent,
    /// Inside a block: copying the line's leading base64 run.
    Block,
}

fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// Whether a line (without its `\n`) ends in enough base64 to start a block.
fn ends_in_base64(line: &[u8]) -> bool {
    let body = line.strip_suffix(b"\r").unwrap_or(line);
    body.len() >= MIN_LINE && body[body.len() - MIN_LINE..].iter().all(|&b| is_base64(b))
}

/// The halves of the base64 forms of the prefix, found in one pass; `None` only if the
/// searcher cannot be built, and then every line is looked at. Leftmost-first matching
/// is what lets it use its SIMD searcher (the standard kind walks the automaton).
fn fragments() -> Option<AhoCorasick> {
    let halves = BASE64_PREFIX
        .iter()
        .flat_map(|(form, _)| [&form[..FRAGMENT], &form[FRAGMENT..]]);
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(halves)
        .ok()
}

/// The length of a fragment: half of a 10-character base64 form.
const FRAGMENT: usize = 5;

/// The start of the line before the one holding `at`, but not before `from`.
fn line_before(piece: &[u8], from: usize, at: usize) -> usize {
    let Some(end) = memchr::memrchr(b'\n', &piece[from..at]) else {
        return from;
    };
    memchr::memrchr(b'\n', &piece[from..from + end]).map_or(from, |n| from + n + 1)
}

pub struct Wrapped {
    scanner: Scanner,
    gate: Option<AhoCorasick>,
    /// The last bytes of the input seen, for a fragment cut by the end of a piece.
    carry: Vec<u8>,
    /// A block going on is not cut up to this line (one near a fragment).
    keep_to_line: u64,
    joined: Vec<u8>,
    /// Absolute offset of `joined[0]`.
    base: u64,
    segments: VecDeque<Segment>,
    /// Line and 0-based column of the next input byte.
    line: u64,
    column: u64,
    mode: Mode,
    /// The length of the base64 run ending here (saturating), and its last bytes.
    run: usize,
    tail: Vec<u8>,
    /// The column just after the tail's last byte.
    tail_end: u64,
    /// The last bytes seen ended with `\r`: a line end, unless more of the line follows.
    cr: bool,
    /// The next byte copied starts a new segment (something was left out before it).
    new_segment: bool,
    raw: Vec<Token>,
}

impl Default for Wrapped {
    fn default() -> Self {
        Self::new()
    }
}

impl Wrapped {
    pub fn new() -> Self {
        Self {
            scanner: Scanner::base64_only(),
            gate: fragments(),
            carry: Vec::with_capacity(2 * FRAGMENT),
            keep_to_line: 0,
            joined: Vec::new(),
            base: 0,
            segments: VecDeque::new(),
            line: 1,
            column: 0,
            mode: Mode::Lines,
            run: 0,
            tail: Vec::with_capacity(TAIL),
            tail_end: 0,
            cr: false,
            new_segment: true,
            raw: Vec::new(),
        }
    }

    /// Without the fragment gate: every line end looked at, as the gate must match.
    #[cfg(test)]
    pub fn looking_at_every_line() -> Self {
        Self {
            gate: None,
            ..Self::new()
        }
    }

    pub fn reset(&mut self) {
        self.scanner.reset();
        self.joined.clear();
        self.carry.clear();
        self.keep_to_line = 0;
        self.base = 0;
        self.segments.clear();
        (self.line, self.column) = (1, 0);
        self.mode = Mode::Lines;
        self.run = 0;
        self.tail.clear();
        self.cr = false;
        self.new_segment = true;
    }

    /// Searches the next bytes of the input (only new ones); `eof` when none follow.
    /// Tokens go to `found`: only those in wrapped blocks, some also found in place.
    pub fn feed(&mut self, input: &[u8], eof: bool, found: &mut Vec<Token>) {
        for piece in input.chunks(PIECE) {
            self.take(piece);
            if !self.joined.is_empty() {
                self.search(false, found);
            }
        }
        if eof {
            self.search(true, found);
        }
    }

    /// Takes one piece: lines far from any fragment are counted, not looked at.
    fn take(&mut self, piece: &[u8]) {
        let Some(gate) = self.gate.take() else {
            self.take_all(piece);
            return;
        };
        let find = |from: usize| {
            gate.find(&piece[from..])
                .map(|m| (from + m.start(), from + m.end()))
        };
        // Up to `hold` every line is looked at: the end of a fragment, or of the piece.
        let mut hold = self.cut_fragment(&gate, piece);
        let mut next = find(0);
        let mut pos = 0;
        loop {
            // A fragment passed while looking at lines keeps the block it may be in.
            while let Some((start, end)) = next.filter(|&(start, _)| start < pos) {
                let after = memchr::memchr_iter(b'\n', &piece[start..pos]).count();
                self.keep_block(self.line.saturating_sub(after as u64));
                hold = hold.max(end);
                next = find(start + 1);
            }
            if pos == piece.len() {
                break;
            }
            if pos >= hold && self.may_skip() {
                // Without a fragment, the last two lines are looked at: a fragment cut by
                // the piece's end is on the last.
                let resume = line_before(piece, pos, next.map_or(piece.len(), |(s, _)| s));
                self.skip(&piece[pos..resume]);
                pos = resume;
                hold = next.map_or(piece.len(), |(_, end)| end);
            }
            let end = if pos < hold { hold } else { piece.len() };
            let left = self.step(&piece[pos..end]);
            pos = end - left.len();
        }
        self.gate = Some(gate);
    }

    /// The end, in `piece`, of a fragment that starts in the pieces before; 0 if none.
    fn cut_fragment(&mut self, gate: &AhoCorasick, piece: &[u8]) -> usize {
        let before = self.carry.len();
        self.carry
            .extend_from_slice(&piece[..piece.len().min(FRAGMENT - 1)]);
        // Each start in the carry, since leftmost matches would hide overlapping ones.
        let end = (0..before)
            .filter_map(|start| {
                let m = gate.find(&self.carry[start..])?;
                (m.start() == 0 && start + m.end() > before).then(|| start + m.end() - before)
            })
            .max()
            .unwrap_or(0);
        if end > 0 {
            self.keep_block(self.line);
        }
        if piece.len() >= FRAGMENT - 1 {
            self.carry.clear();
            self.carry
                .extend_from_slice(&piece[piece.len() - (FRAGMENT - 1)..]);
        } else {
            self.carry
                .drain(..self.carry.len().saturating_sub(FRAGMENT - 1));
        }
        end
    }

    fn take_all(&mut self, mut rest: &[u8]) {
        while !rest.is_empty() {
            rest = self.step(rest);
        }
    }

    fn step<'a>(&mut self, rest: &'a [u8]) -> &'a [u8] {
        match self.mode {
            Mode::Lines => self.lines(rest),
            Mode::Indent => self.indent(rest),
            Mode::Block => self.block(rest),
        }
    }

    /// Outside a block with no base64 run going on, or at a line's start far enough
    /// from the last fragment: lines from here can be counted instead (a block going on
    /// is cut, which only loses what is far from any fragment).
    fn may_skip(&self) -> bool {
        (self.mode == Mode::Lines && self.run == 0 && !self.cr)
            || (self.column == 0 && self.line > self.keep_to_line)
    }

    /// A fragment on `line`: the block it may be in is not cut before the key it may
    /// start is whole (a key's base64 with its group's start is under 64 characters,
    /// four lines of a block at least).
    fn keep_block(&mut self, line: u64) {
        self.keep_to_line = self.keep_to_line.max(line + (TAIL / MIN_LINE) as u64);
    }

    /// Passes over whole lines (`lines` ends with a line break, or is empty).
    fn skip(&mut self, lines: &[u8]) {
        if lines.is_empty() {
            return;
        }
        self.line += memchr::memchr_iter(b'\n', lines).count() as u64;
        self.column = 0;
        self.mode = Mode::Lines;
        self.run = 0;
        self.tail.clear();
        self.cr = false;
    }

    /// Outside a block: whole lines that cannot start one are passed over with one
    /// `memchr` pass; the first that may (or a line cut by the end of `rest`) is noted.
    fn lines<'a>(&mut self, rest: &'a [u8]) -> &'a [u8] {
        let mut start = 0;
        if self.run == 0 && !self.cr {
            for at in memchr::memchr_iter(b'\n', rest) {
                if ends_in_base64(&rest[start..at]) {
                    break;
                }
                self.line += 1;
                self.column = 0;
                start = at + 1;
            }
        }
        self.line_end(&rest[start..])
    }

    /// Outside a block, up to the end of the line: a block starts at its end when its
    /// trailing base64 run is long enough.
    fn line_end<'a>(&mut self, rest: &'a [u8]) -> &'a [u8] {
        let end = memchr::memchr(b'\n', rest);
        let part = &rest[..end.unwrap_or(rest.len())];
        if self.cr && !part.is_empty() {
            // The `\r` was inside the line.
            self.run = 0;
            self.tail.clear();
        }
        let body = part.strip_suffix(b"\r").unwrap_or(part);
        self.cr = body.len() < part.len();
        let run = body.iter().rev().take_while(|&&b| is_base64(b)).count();
        if run < body.len() {
            self.run = 0;
            self.tail.clear();
        }
        self.run = self.run.saturating_add(run);
        let added = &body[body.len() - run..];
        self.tail
            .extend_from_slice(&added[added.len().saturating_sub(TAIL)..]);
        let excess = self.tail.len().saturating_sub(TAIL);
        self.tail.drain(..excess);
        if !body.is_empty() {
            self.tail_end = self.column + body.len() as u64;
        }
        let tail_column = self.tail_end.saturating_sub(self.tail.len() as u64);
        self.column += part.len() as u64;
        let Some(at) = end else {
            return &[];
        };
        if self.run >= MIN_LINE {
            // A block starts with the line's last base64 characters; a separator keeps
            // it apart from the block before.
            self.joined.push(b'.');
            self.segments.push_back(Segment {
                joined: self.base + self.joined.len() as u64,
                line: self.line,
                column: tail_column,
            });
            self.joined.extend_from_slice(&self.tail);
            self.mode = Mode::Indent;
        }
        self.newline();
        &rest[at + 1..]
    }

    fn indent<'a>(&mut self, rest: &'a [u8]) -> &'a [u8] {
        let blanks = rest
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        self.column += blanks as u64;
        let rest = &rest[blanks..];
        if let Some(&first) = rest.first() {
            self.mode = if is_base64(first) {
                self.new_segment = true;
                Mode::Block
            } else {
                Mode::Lines
            };
        }
        rest
    }

    /// Inside a block: the line's leading base64 run is copied; a line that is all
    /// base64 and long enough continues the block on the next.
    fn block<'a>(&mut self, rest: &'a [u8]) -> &'a [u8] {
        if self.cr && rest.first().is_some_and(|&b| b != b'\n') {
            // A `\r` inside a line ends the block, as it ends a run outside one: only
            // line breaks are joined, so a fragment is never cut twice.
            self.end_block();
            return rest;
        }
        let run = rest.iter().take_while(|&&b| is_base64(b)).count();
        if run > 0 {
            if self.new_segment {
                self.segments.push_back(Segment {
                    joined: self.base + self.joined.len() as u64,
                    line: self.line,
                    column: self.column,
                });
                self.new_segment = false;
            }
            self.joined.extend_from_slice(&rest[..run]);
            self.column += run as u64;
            self.run = self.run.saturating_add(run);
        }
        let rest = &rest[run..];
        match rest.first() {
            None => rest,
            Some(b'\r') => {
                self.column += 1;
                self.cr = true;
                &rest[1..]
            }
            Some(b'\n') => {
                self.mode = if self.run >= MIN_LINE {
                    Mode::Indent
                } else {
                    Mode::Lines
                };
                self.newline();
                &rest[1..]
            }
            Some(_) => {
                self.end_block();
                rest
            }
        }
    }

    /// The block ends inside a line; the rest of the line may start another.
    fn end_block(&mut self) {
        self.mode = Mode::Lines;
        self.run = 0;
        self.tail.clear();
        self.cr = false;
    }

    fn newline(&mut self) {
        self.line += 1;
        self.column = 0;
        self.run = 0;
        self.tail.clear();
        self.cr = false;
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
