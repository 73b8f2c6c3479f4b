//! Finding `sk_live_` tokens in a stream of bytes, for `scan`, in bounded memory.
//!
//! The caller feeds the input chunk by chunk ([`Scanner::feed`]) and keeps only what the
//! scanner asks it to keep: a token's length of overlap, so a token cut by a chunk
//! boundary is still found whole, however large the file or long its lines.
//!
//! A token is `sk_live_` followed by one or more base-62 characters. When at least 28
//! follow and the first 28 carry a valid checksum it is a Seenty key (even with more
//! characters glued on); otherwise it is not ours (Stripe's keys share the prefix).
//! Base64 text is searched too: the base64 of `sk_live_` is a fixed string at each of
//! its three alignments in a 3-byte group, so finding those and decoding around them
//! finds encoded keys without decoding anything else. Base64 wrapped into lines is
//! searched again with its lines joined ([`wrapped`]).

pub mod allow;
mod decode;
pub mod wrapped;

use memchr::memmem::Finder;

pub use decode::Utf16Decoder;

use super::key::{self, KEY_LEN, KeyHash, PREFIX};

/// The most bytes a match needs from its start to be decided, rounded up: the caller
/// never has to keep more than this between chunks.
pub const OVERLAP: usize = 64;

/// How a token was written in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Plain,
    Base64,
}

/// One token found. The secret itself is not kept, only what may be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// 1-based line number.
    pub line: u64,
    /// 1-based byte column, as `rg --column` counts.
    pub column: u64,
    /// The last 4 characters of the key (of the token, for one that is not a key).
    pub tail: String,
    /// `Some` when the checksum holds: a Seenty key, looked up by this hash.
    pub hash: Option<KeyHash>,
    pub encoding: Encoding,
}

/// What to look for: the plain prefix, or its base64 form at one alignment.
#[derive(Clone, Copy)]
enum Kind {
    Plain,
    /// The number of bytes before the prefix in its 3-byte group (0, 1 or 2).
    Base64(usize),
}

/// The base64 characters that only `sk_live_` can produce, per alignment, and how many
/// characters of the 4-character group come before them.
const BASE64_PREFIX: [(&str, usize); 3] = [("c2tfbGl2ZV", 0), ("NrX2xpdmVf", 2), ("za19saXZlX", 3)];

impl Kind {
    /// Bytes before the pattern that the match reads (the start of a base64 group).
    fn lookbehind(self) -> usize {
        match self {
            Kind::Plain => 0,
            Kind::Base64(a) => BASE64_PREFIX[a].1,
        }
    }

    /// Bytes from the match's start (after the lookbehind) that decide it.
    fn window(self) -> usize {
        match self {
            // The prefix, 28 characters and one more to see whether the run goes on.
            Kind::Plain => KEY_LEN + 1,
            // Enough 4-character groups for the alignment's bytes, a key and one more.
            Kind::Base64(a) => (a + KEY_LEN + 1).div_ceil(3) * 4,
        }
    }
}

/// A token whose base-62 run reached the end of a chunk: decided, but its last 4
/// characters (the hint of a token that is not ours) are only known when the run ends.
struct Pending {
    token: Token,
    tail: [u8; 4],
    /// Absolute offset where the run continues: the end of the bytes seen so far.
    resume: u64,
}

/// Line counting, resumable: where the last counted position is and what line it is on.
#[derive(Clone, Copy)]
struct Lines {
    line: u64,
    line_start: u64,
    counted_to: u64,
}

impl Lines {
    /// Advances to absolute offset `to` over `buf`, which starts at absolute `base`.
    fn advance(&mut self, buf: &[u8], base: u64, to: u64) {
        if to <= self.counted_to {
            return;
        }
        let region = &buf[offset(self.counted_to - base)..offset(to - base)];
        // memchr counts with SIMD (and is built optimised in test builds too).
        let newlines = memchr::memchr_iter(b'\n', region).count();
        if newlines > 0 {
            self.line += newlines as u64;
            if let Some(last) = memchr::memrchr(b'\n', region) {
                self.line_start = self.counted_to + last as u64 + 1;
            }
        }
        self.counted_to = to;
    }
}

/// A relative offset inside a buffer the caller holds, so it fits in `usize`.
fn offset(relative: u64) -> usize {
    usize::try_from(relative).unwrap_or(usize::MAX)
}

/// Searches one input at a time; [`Scanner::reset`] readies it for the next one, so the
/// searchers are built once per thread.
pub struct Scanner {
    finders: Vec<(Kind, Finder<'static>)>,
    /// Absolute offset of the buffer's first byte.
    base: u64,
    /// Per kind: absolute position from which matches have not been looked at yet.
    examined: Vec<u64>,
    lines: Lines,
    pending: Option<Pending>,
}

impl Default for Scanner {
    fn default() -> Self {
        Self::new()
    }
}

impl Scanner {
    /// Searches for both the plain prefix and its base64 forms.
    pub fn new() -> Self {
        Self::with(true, true)
    }

    /// Searches for the base64 forms of the prefix only.
    pub fn base64_only() -> Self {
        Self::with(false, true)
    }

    fn with(plain: bool, base64: bool) -> Self {
        let mut finders = Vec::new();
        if plain {
            finders.push((Kind::Plain, Finder::new(PREFIX.as_bytes()).into_owned()));
        }
        for (alignment, (pattern, _)) in BASE64_PREFIX.iter().enumerate().filter(|_| base64) {
            finders.push((
                Kind::Base64(alignment),
                Finder::new(pattern.as_bytes()).into_owned(),
            ));
        }
        let examined = vec![0; finders.len()];
        Self {
            finders,
            base: 0,
            examined,
            lines: Lines {
                line: 1,
                line_start: 0,
                counted_to: 0,
            },
            pending: None,
        }
    }

    pub fn reset(&mut self) {
        self.base = 0;
        self.examined.iter_mut().for_each(|e| *e = 0);
        self.lines = Lines {
            line: 1,
            line_start: 0,
            counted_to: 0,
        };
        self.pending = None;
    }

    /// Searches `buf`, the input from where the last call said to keep, with new bytes
    /// after; `eof` when no more follow. Tokens go to `found`, in no particular order.
    /// Returns how many leading bytes of `buf` the caller may drop: the rest (at most
    /// [`OVERLAP`] bytes) must start the next call's buffer.
    pub fn feed(&mut self, buf: &[u8], eof: bool, found: &mut Vec<Token>) -> usize {
        let end = self.base + buf.len() as u64;
        self.finish_pending(buf, eof, found);
        let mut keep = end;
        let mut ready: Vec<(u64, Kind)> = Vec::new();
        for (index, (kind, finder)) in self.finders.iter().enumerate() {
            let lookbehind = kind.lookbehind() as u64;
            // Matches of this pattern that start before `next` are already done.
            let mut next = end.saturating_sub((finder.needle().len() - 1) as u64);
            let from = offset(self.examined[index].saturating_sub(self.base));
            for at in finder.find_iter(&buf[from.min(buf.len())..]) {
                let at = self.base + (from + at) as u64;
                if at < self.examined[index] {
                    continue;
                }
                // Where the match's window starts: a base64 group begins before it.
                let Some(start) = at.checked_sub(lookbehind) else {
                    continue;
                };
                if start < self.base {
                    continue;
                }
                if !eof && start + kind.window() as u64 > end {
                    next = next.min(at);
                    break;
                }
                ready.push((start, *kind));
            }
            if eof {
                next = end;
            }
            self.examined[index] = next;
            keep = keep.min(next.saturating_sub(lookbehind).max(self.base));
        }
        ready.sort_by_key(|(start, _)| *start);
        // Lines are counted up to `keep` for good; past it, on a copy, since the next
        // call resumes counting from there.
        let mut after_keep: Option<Lines> = None;
        for (start, kind) in ready {
            let lines = if start < keep {
                self.lines.advance(buf, self.base, start);
                &mut self.lines
            } else {
                let copy = after_keep.get_or_insert_with(|| {
                    let mut copy = self.lines;
                    copy.advance(buf, self.base, keep);
                    copy
                });
                copy.advance(buf, self.base, start);
                copy
            };
            let (line, line_start) = (lines.line, lines.line_start);
            let rel = offset(start - self.base);
            match kind {
                Kind::Plain => self.plain_token(buf, rel, eof, line, line_start, found),
                Kind::Base64(alignment) => {
                    if let Some(token) =
                        base64_token(&buf[rel..], alignment, line, start - line_start + 1)
                    {
                        found.push(token);
                    }
                }
            }
        }
        self.lines.advance(buf, self.base, keep);
        let drop = offset(keep - self.base);
        self.base = keep;
        drop
    }

    /// A plain token at `rel`; one whose run reaches the end of `buf` waits in `pending`.
    fn plain_token(
        &mut self,
        buf: &[u8],
        rel: usize,
        eof: bool,
        line: u64,
        line_start: u64,
        found: &mut Vec<Token>,
    ) {
        let at = self.base + rel as u64;
        let Some(run) = Run::at(&buf[rel..]) else {
            return;
        };
        let token = run.token(line, at - line_start + 1, Encoding::Plain);
        if !eof && rel + PREFIX.len() + run.len == buf.len() {
            let tail = run.last4(&buf[rel + PREFIX.len()..]);
            let resume = self.base + buf.len() as u64;
            self.pending = Some(Pending {
                token,
                tail,
                resume,
            });
        } else {
            found.push(token);
        }
    }

    /// Continues a token cut at the last chunk's end: its run goes on at the start of the
    /// new bytes, which begin where the last buffer ended.
    fn finish_pending(&mut self, buf: &[u8], eof: bool, found: &mut Vec<Token>) {
        let Some(mut pending) = self.pending.take() else {
            return;
        };
        let resume = offset(pending.resume.saturating_sub(self.base)).min(buf.len());
        let rest = &buf[resume..];
        let more = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        shift_tail(&mut pending.tail, &rest[..more]);
        if more == rest.len() && !eof {
            pending.resume = self.base + buf.len() as u64;
            self.pending = Some(pending);
            return;
        }
        if pending.token.hash.is_none() {
            pending.token.tail = String::from_utf8_lossy(&pending.tail).into_owned();
        }
        found.push(pending.token);
    }
}

/// Moves the last bytes of `more` into the rolling 4-byte tail.
fn shift_tail(tail: &mut [u8; 4], more: &[u8]) {
    for &b in more.iter().rev().take(4).rev() {
        tail.copy_within(1.., 0);
        tail[3] = b;
    }
}

/// The base-62 run after a `sk_live_` at the start of `bytes`.
struct Run<'a> {
    key: &'a [u8],
    len: usize,
}

impl<'a> Run<'a> {
    fn at(bytes: &'a [u8]) -> Option<Self> {
        let after = bytes.get(PREFIX.len()..)?;
        let len = after
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        (len > 0).then_some(Self { key: bytes, len })
    }

    /// The last 4 characters of the run (fewer when it is shorter).
    fn last4(&self, run: &[u8]) -> [u8; 4] {
        let mut tail = *b"    ";
        shift_tail(&mut tail, &run[..self.len]);
        tail
    }

    fn token(&self, line: u64, column: u64, encoding: Encoding) -> Token {
        let hash = (self.len >= KEY_LEN - PREFIX.len())
            .then(|| key::check(&self.key[..KEY_LEN]).ok())
            .flatten();
        let tail = match hash {
            Some(_) => &self.key[KEY_LEN - 4..KEY_LEN],
            None => {
                let end = PREFIX.len() + self.len;
                &self.key[end.saturating_sub(4).max(PREFIX.len())..end]
            }
        };
        Token {
            line,
            column,
            tail: String::from_utf8_lossy(tail).into_owned(),
            hash,
            encoding,
        }
    }
}

/// Decodes the base64 group run at the start of `text` and reads the token in it.
fn base64_token(text: &[u8], alignment: usize, line: u64, column: u64) -> Option<Token> {
    let window = Kind::Base64(alignment).window();
    let decoded = decode::base64(&text[..window.min(text.len())]);
    let bytes = decoded.get(alignment..)?;
    if !bytes.starts_with(PREFIX.as_bytes()) {
        return None;
    }
    let run = Run::at(bytes)?;
    // The column of the character where the prefix's first byte starts.
    Some(run.token(line, column + alignment as u64, Encoding::Base64))
}

/// Every token in a whole buffer, in order: [`Scanner`] fed once.
pub fn find_tokens(haystack: &[u8]) -> Vec<Token> {
    let mut found = Vec::new();
    Scanner::new().feed(haystack, true, &mut found);
    found.sort_by_key(|t| (t.line, t.column));
    found
}

/// Sorts tokens by place and keeps one per place: where the input as it is and its
/// joined base64 lines both found something, the Seenty key (a line cut a key's
/// encoding short where it was found in place).
pub fn one_per_place(found: &mut Vec<Token>) {
    found.sort_by_key(|t| (t.line, t.column, t.hash.is_none()));
    found.dedup_by_key(|t| (t.line, t.column));
}

/// Whether a block looks binary: a NUL byte in its first 8 KiB, as git and rg decide.
pub fn is_binary(head: &[u8]) -> bool {
    memchr::memchr(0, &head[..head.len().min(8192)]).is_some()
}

/// The byte-order mark of UTF-16 text, if `head` starts with one: `Some(big_endian)`.
pub fn utf16_bom(head: &[u8]) -> Option<bool> {
    match head {
        [0xFF, 0xFE, ..] => Some(false),
        [0xFE, 0xFF, ..] => Some(true),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
