//! The one way `scan` runs git: with every program the scanned repository's configuration
//! could name switched off, so a repository from a stranger is as safe to scan as a plain
//! directory.
//!
//! Only commands that read objects are used (`log --raw`, `diff --cached --raw`,
//! `cat-file --batch`, `for-each-ref`, `ls-tree`): none of them writes, and none runs a
//! hook. What a repository can still configure for them is overridden on the command
//! line, which git ranks above every configuration file: the fsmonitor, signature
//! verification (`log.showSignature` runs `gpg.program`), external diff and textconv
//! drivers, pagers and hooks; network access (a partial clone would fetch a missing
//! object through a transport the repository names) is refused through the environment,
//! and `git replace` objects are ignored so a replacement cannot hide a commit.

use std::io;
use std::process::{Child, Command, Stdio};

use crate::error::{Error, Result};

/// Settings given with `-c`, above the repository's own configuration.
const OVERRIDES: &[&str] = &[
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "log.showSignature=false",
    "diff.external=",
    "protocol.allow=never",
    "core.sshCommand=false",
    "credential.helper=",
    "gc.auto=0",
    "maintenance.auto=false",
];

/// A git command, hardened; stdout piped, stdin closed.
pub fn git(args: &[&str]) -> Command {
    let mut command = Command::new("git");
    command.args(["--no-pager", "--no-replace-objects"]);
    for setting in OVERRIDES {
        command.args(["-c", setting]);
    }
    command
        .args(args)
        // Overrides `protocol.<name>.allow` too: no transport at all.
        .env("GIT_ALLOW_PROTOCOL", "none")
        .env("GIT_NO_LAZY_FETCH", "1")
        .env("GIT_NO_REPLACE_OBJECTS", "1")
        .env("GIT_PAGER", "cat")
        .env("GIT_TERMINAL_PROMPT", "0")
        // A read never refreshes and rewrites the index.
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env_remove("GIT_EXTERNAL_DIFF")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

pub fn spawn(mut command: Command) -> Result<Child> {
    command.spawn().map_err(|e| missing(&e))
}

fn missing(e: &io::Error) -> Error {
    Error::Git(format!("cannot run git: {e}"))
}

/// Runs a short command to its end and returns its output; its failure (not a
/// repository, a bad revision) is the user's to fix, in git's own words.
pub fn output(args: &[&str]) -> Result<Vec<u8>> {
    let child = spawn(git(args))?;
    finish(child)
}

/// Waits for a command; a failure is reported with the first line git wrote.
pub fn finish(child: Child) -> Result<Vec<u8>> {
    let out = child.wait_with_output().map_err(|source| Error::Io {
        what: "waiting for git".to_owned(),
        source,
    })?;
    if out.status.success() {
        return Ok(out.stdout);
    }
    let message = String::from_utf8_lossy(&out.stderr);
    let message = message.lines().next().unwrap_or("failed").trim();
    Err(Error::Git(crate::render::escape(message).into_owned()))
}

/// A RANGE is a revision, never an option: one starting with `-` is refused before git
/// sees it (`--output=FILE` would write a file).
pub fn check_range(range: &str) -> Result<()> {
    if range.starts_with('-') {
        return Err(Error::Git(format!(
            "RANGE {:?} begins with '-': give a revision range such as origin/main..HEAD",
            crate::render::redact_keys(range)
        )));
    }
    Ok(())
}
