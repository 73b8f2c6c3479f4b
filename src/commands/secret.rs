//! Delivering a new secret, once: shared by `generate` and `rotate`.
//!
//! The secret goes to standard output, or to the standard input of `--exec`'s command,
//! between the store's two transactions (see `store::deliver_then_store`): the key is
//! stored only when the delivery succeeded, so a key nobody received is never stored,
//! and no lock is held meanwhile.

use std::io::{self, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::process::{Command, Stdio};

use serde::Serialize;
use zeroize::Zeroizing;

use crate::domain::key::{Key, Secret};
use crate::error::{Error, Result};
use crate::render::escape;

use super::Ctx;

/// Refuses up front when stdout goes to /dev/null, which is also what a closed stdout
/// becomes: the Rust runtime reopens closed standard descriptors on /dev/null.
pub(crate) fn check_destination() -> Result<()> {
    if stdout_is_discarded() {
        Err(Error::NowhereToShowSecret)
    } else {
        Ok(())
    }
}

fn stdout_is_discarded() -> bool {
    let Ok(fd) = io::stdout().as_fd().try_clone_to_owned() else {
        return true;
    };
    let Ok(meta) = std::fs::File::from(fd).metadata() else {
        return true;
    };
    let Ok(null) = std::fs::metadata("/dev/null") else {
        return false;
    };
    meta.file_type().is_char_device() && meta.rdev() == null.rdev()
}

/// Writes the key and a newline, or `json` (which holds the key) with `--json`, and
/// flushes, so a failed write is seen before the transaction commits. Every buffer that
/// held the secret is wiped.
pub(crate) fn deliver(ctx: &Ctx, secret: &Secret, json: &impl Serialize) -> Result<()> {
    // Room enough up front that the buffer never reallocates and leaves a copy behind.
    let mut text = Zeroizing::new(Vec::with_capacity(4096));
    if ctx.config.json {
        crate::render::write_json(&mut *text, json).map_err(io::Error::from)?;
    } else {
        text.extend_from_slice(secret.expose().as_bytes());
    }
    text.push(b'\n');
    let mut out = io::stdout().lock();
    out.write_all(&text)
        .and_then(|()| out.flush())
        .map_err(Error::SecretNotDelivered)
}

/// Where the secret goes: standard output, or `--exec`'s command.
pub(crate) enum Destination<'a> {
    Stdout,
    Command(&'a str),
}

impl<'a> Destination<'a> {
    pub(crate) fn of(exec: Option<&'a str>) -> Self {
        exec.map_or(Self::Stdout, Self::Command)
    }

    /// Refuses up front what cannot receive the secret.
    pub(crate) fn check(&self) -> Result<()> {
        match self {
            Self::Stdout => check_destination(),
            Self::Command(cmd) if cmd.trim().is_empty() => Err(Error::EmptyExec),
            Self::Command(_) => Ok(()),
        }
    }

    /// Hands the secret over: [`deliver`] to stdout, or [`run_command`].
    pub(crate) fn deliver(&self, ctx: &Ctx, secret: &Secret, json: &impl Serialize) -> Result<()> {
        match self {
            Self::Stdout => deliver(ctx, secret, json),
            Self::Command(cmd) => run_command(cmd, secret),
        }
    }

    /// After the key is stored: with `--exec`, `--json` prints the record without the key.
    pub(crate) fn after(&self, ctx: &Ctx, json: &impl Serialize) -> Result<()> {
        if let Self::Command(_) = self
            && ctx.config.json
        {
            super::print_json(json)?;
        }
        Ok(())
    }

    pub(crate) fn is_stdout(&self) -> bool {
        matches!(self, Self::Stdout)
    }
}

/// Runs `sh -c cmd` with the secret and a newline on its standard input; its own output
/// goes to stderr, so nothing it prints can be taken for the tool's output. Succeeds
/// when it read the secret and exited 0.
fn run_command(cmd: &str, secret: &Secret) -> Result<()> {
    let stderr = io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|source| Error::Io {
            what: "passing standard error to --exec's command".to_owned(),
            source,
        })?;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::piped())
        .stdout(Stdio::from(stderr))
        .spawn()
        .map_err(|source| Error::Io {
            what: "starting sh for --exec".to_owned(),
            source,
        })?;
    let mut text = Zeroizing::new(Vec::with_capacity(64));
    text.extend_from_slice(secret.expose().as_bytes());
    text.push(b'\n');
    let written = child.stdin.take().map(|mut input| input.write_all(&text));
    let status = child.wait().map_err(|source| Error::Io {
        what: "waiting for --exec's command".to_owned(),
        source,
    })?;
    if !status.success() {
        return Err(Error::ExecFailed {
            status: status
                .code()
                .map_or_else(|| "a signal".to_owned(), |c| c.to_string()),
        });
    }
    match written {
        Some(Ok(())) => Ok(()),
        _ => Err(Error::ExecFailed {
            status: "0 without reading the key".to_owned(),
        }),
    }
}

/// At a terminal, says on stderr that the key will not be shown again.
pub(crate) fn say_shown_once(ctx: &Ctx, key: &Key) {
    if ctx.config.terminals.stdout && !ctx.config.json {
        ctx.warn(&format!(
            "this key ({}, {}) is shown only once: store it now in a password manager or your CI's secret store",
            key.id,
            escape(&key.name)
        ));
    }
}
