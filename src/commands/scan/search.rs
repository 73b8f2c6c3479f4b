//! Reading what `scan` searches: the walk (rg's rules, plus hidden files), explicit
//! files of any kind, and standard input, each read in fixed-size chunks so memory stays
//! flat whatever the size of a file or the length of its lines.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use ignore::{WalkBuilder, WalkState};
use indicatif::ProgressBar;

use crate::domain::scan::wrapped::Wrapped;
use crate::domain::scan::{Scanner, Token, Utf16Decoder, is_binary, one_per_place, utf16_bom};
use crate::render::redact_keys;

/// Bytes read at a time. The scanner keeps at most its overlap between chunks.
const CHUNK: usize = 256 * 1024;

/// A token and the name of what it was found in: a path, and for a blob of git's
/// history the commit that introduced it.
pub struct Found {
    pub commit: Option<String>,
    /// The order git listed the blob in (oldest first), to sort history findings by.
    pub seq: usize,
    pub path: String,
    pub token: Token,
}

/// What a search found, and what it could not read (each a message naming the path).
#[derive(Default)]
pub struct Outcome {
    pub found: Vec<Found>,
    pub unreadable: Vec<String>,
}

impl Found {
    /// Where it is, as the output names it: `path`, or `commit:path` from history.
    pub fn place(&self) -> String {
        match &self.commit {
            Some(commit) => format!("{commit}:{}", self.path),
            None => self.path.clone(),
        }
    }
}

impl Outcome {
    fn add(&mut self, path: &str, tokens: Vec<Token>) {
        self.add_git(None, 0, path, tokens);
    }

    pub fn add_git(&mut self, commit: Option<&str>, seq: usize, path: &str, tokens: Vec<Token>) {
        self.found.extend(tokens.into_iter().map(|token| Found {
            commit: commit.map(str::to_owned),
            seq,
            path: path.to_owned(),
            token,
        }));
    }
}

/// One thread's reusable buffers and searchers: the input as it is, and base64 wrapped
/// into lines joined up (which finds some tokens a second time, at the same place).
pub struct Reader {
    scanner: Scanner,
    wrapped: Wrapped,
    buf: Vec<u8>,
    text: Vec<u8>,
    found: Vec<Token>,
}

impl Reader {
    pub fn new() -> Self {
        Self {
            scanner: Scanner::new(),
            wrapped: Wrapped::new(),
            buf: vec![0; CHUNK],
            text: Vec::new(),
            found: Vec::new(),
        }
    }

    /// Every token in `input`. Unless `explicit`, binary input (a NUL in the first
    /// block) is skipped, as rg does; UTF-16 with a byte-order mark is decoded.
    pub fn scan(&mut self, input: &mut dyn Read, explicit: bool) -> io::Result<Vec<Token>> {
        self.scanner.reset();
        self.wrapped.reset();
        self.found.clear();
        let (mut len, mut eof) = fill(input, &mut self.buf, 0)?;
        if let Some(big_endian) = utf16_bom(&self.buf[..len]) {
            return self.scan_utf16(input, big_endian, len, eof);
        }
        if !explicit && is_binary(&self.buf[..len]) {
            return Ok(Vec::new());
        }
        // Where the bytes not yet given to `wrapped` start.
        let mut fresh = 0;
        loop {
            self.wrapped
                .feed(&self.buf[fresh..len], eof, &mut self.found);
            let drop = self.scanner.feed(&self.buf[..len], eof, &mut self.found);
            if eof {
                return Ok(self.finish());
            }
            self.buf.copy_within(drop..len, 0);
            fresh = len - drop;
            (len, eof) = fill(input, &mut self.buf, fresh)?;
        }
    }

    fn scan_utf16(
        &mut self,
        input: &mut dyn Read,
        big_endian: bool,
        len: usize,
        mut eof: bool,
    ) -> io::Result<Vec<Token>> {
        let mut decoder = Utf16Decoder::new(big_endian);
        self.text.clear();
        decoder.decode(&self.buf[2..len], eof, &mut self.text);
        let mut fresh = 0;
        loop {
            self.wrapped.feed(&self.text[fresh..], eof, &mut self.found);
            let drop = self.scanner.feed(&self.text, eof, &mut self.found);
            if eof {
                return Ok(self.finish());
            }
            self.text.drain(..drop);
            fresh = self.text.len();
            let len;
            (len, eof) = fill(input, &mut self.buf, 0)?;
            decoder.decode(&self.buf[..len], eof, &mut self.text);
        }
    }
}

impl Reader {
    /// The tokens found, each place once.
    fn finish(&mut self) -> Vec<Token> {
        let mut found = std::mem::take(&mut self.found);
        one_per_place(&mut found);
        found
    }
}

/// Reads into `buf` after its first `len` bytes until it is full or the input ends.
/// Returns the new length and whether the input ended.
fn fill(input: &mut dyn Read, buf: &mut [u8], mut len: usize) -> io::Result<(usize, bool)> {
    while len < buf.len() {
        match input.read(&mut buf[len..]) {
            Ok(0) => return Ok((len, true)),
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((len, false))
}

/// The name a path is reported by: as given, without a leading `./`, and with any key
/// in it cut to its hint (a file can be named after a secret).
pub fn shown(path: &Path) -> String {
    redact_keys(&path.strip_prefix("./").unwrap_or(path).to_string_lossy()).into_owned()
}

/// Searches one explicitly named file, whatever its kind (a FIFO, `/dev/stdin`, binary).
pub fn explicit_file(reader: &mut Reader, path: &Path, outcome: &mut Outcome) {
    let name = shown(path);
    match File::open(path).and_then(|mut file| reader.scan(&mut file, true)) {
        Ok(tokens) => outcome.add(&name, tokens),
        Err(e) => outcome.unreadable.push(format!("{name}: {e}")),
    }
}

/// Standard input, reported as `<stdin>`.
pub fn stdin(reader: &mut Reader, outcome: &mut Outcome) {
    match reader.scan(&mut io::stdin().lock(), true) {
        Ok(tokens) => outcome.add("<stdin>", tokens),
        Err(e) => outcome.unreadable.push(format!("<stdin>: {e}")),
    }
}

/// Walks directories in parallel with rg's rules (`.gitignore`, `.ignore`, unless
/// `no_ignore`), hidden files included, `.git/` skipped.
pub fn walk(dirs: &[PathBuf], no_ignore: bool, progress: &ProgressBar, outcome: &mut Outcome) {
    let Some((first, rest)) = dirs.split_first() else {
        return;
    };
    let mut walk = WalkBuilder::new(first);
    for dir in rest {
        walk.add(dir);
    }
    walk.hidden(false).filter_entry(|entry| {
        !(entry.file_name() == ".git" && entry.file_type().is_some_and(|t| t.is_dir()))
    });
    if no_ignore {
        walk.standard_filters(false);
    }
    type Message = Result<(String, Vec<Token>), String>;
    let (sender, receiver) = mpsc::channel::<Message>();
    walk.build_parallel().run(|| {
        let sender = sender.clone();
        let progress = progress.clone();
        let mut reader = Reader::new();
        Box::new(move |entry| {
            let message = match entry {
                Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                    progress.inc(1);
                    let name = shown(entry.path());
                    match File::open(entry.path()).and_then(|mut f| reader.scan(&mut f, false)) {
                        Ok(tokens) if tokens.is_empty() => return WalkState::Continue,
                        Ok(tokens) => Ok((name, tokens)),
                        Err(e) => Err(format!("{name}: {e}")),
                    }
                }
                Ok(_) => return WalkState::Continue,
                // ignore's message starts with the path, as walked: `./dir: …`.
                Err(e) => {
                    let message = redact_keys(&e.to_string()).into_owned();
                    Err(message.strip_prefix("./").unwrap_or(&message).to_owned())
                }
            };
            if sender.send(message).is_err() {
                return WalkState::Quit;
            }
            WalkState::Continue
        })
    });
    drop(sender);
    for message in receiver {
        match message {
            Ok((name, tokens)) => outcome.add(&name, tokens),
            Err(e) => outcome.unreadable.push(e),
        }
    }
}
