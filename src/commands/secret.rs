//! Showing a new secret, once: shared by `generate` and `rotate`.
//!
//! The secret is written and flushed inside the store's write transaction; the caller
//! commits only when this succeeded, so a key nobody saw is never stored.

use std::io::{self, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt};

use serde::Serialize;
use zeroize::Zeroizing;

use crate::domain::key::{Key, Secret};
use crate::error::{Error, Result};
use crate::render::escape;

use super::Ctx;

/// Refuses up front when stdout goes to /dev/null, which is also what a closed stdout
/// becomes: the Rust runtime reopens closed standard descriptors on /dev/null.
pub fn check_destination() -> Result<()> {
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
pub fn deliver(ctx: &Ctx, secret: &Secret, json: &impl Serialize) -> Result<()> {
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

/// At a terminal, says on stderr that the key will not be shown again.
pub fn say_shown_once(ctx: &Ctx, key: &Key) {
    if ctx.config.terminals.stdout && !ctx.config.json {
        ctx.warn(&format!(
            "this key ({}, {}) is shown only once: store it now in a password manager or your CI's secret store",
            key.id,
            escape(&key.name)
        ));
    }
}
