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
/// when it exited 0 having read the whole secret.
///
/// The secret fits in the pipe's buffer, so a completed write says nothing about the
/// reader, and a command that exits without reading (`true`, `head -c 12`) would look
/// like one that took the key. This process keeps a read end of the pipe open: once the
/// command has exited, the bytes still in the pipe (`FIONREAD`) are the ones it left
/// unread. Only the newline may remain.
fn run_command(cmd: &str, secret: &Secret) -> Result<()> {
    let io_error = |what: &str| {
        let what = what.to_owned();
        move |source| Error::Io { what, source }
    };
    let stderr = io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .map_err(io_error("passing standard error to --exec's command"))?;
    let (reader, mut writer) = io::pipe().map_err(io_error("making a pipe for --exec"))?;
    let kept = reader
        .try_clone()
        .map_err(io_error("making a pipe for --exec"))?;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::from(reader))
        .stdout(Stdio::from(stderr))
        .spawn()
        .map_err(io_error("starting sh for --exec"))?;
    let mut text = Zeroizing::new(Vec::with_capacity(64));
    text.extend_from_slice(secret.expose().as_bytes());
    text.push(b'\n');
    // The read end kept here means the write never meets a closed pipe.
    let written = writer.write_all(&text);
    drop(writer);
    let status = child
        .wait()
        .map_err(io_error("waiting for --exec's command"))?;
    written.map_err(io_error("writing the key to --exec's command"))?;
    if !status.success() {
        return Err(Error::ExecFailed {
            status: status
                .code()
                .map_or_else(|| "a signal".to_owned(), |c| c.to_string()),
        });
    }
    let unread = rustix::io::ioctl_fionread(&kept)
        .map_err(|e| io_error("checking that --exec's command read the key")(e.into()))?;
    if unread > 1 {
        return Err(Error::ExecFailed {
            status: "0 without reading the whole key".to_owned(),
        });
    }
    Ok(())
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
