//! `generate`: a new key, shown once.
//!
//! The key is written to stdout inside the store's write transaction, which commits only
//! after the write succeeded: a key nobody saw is never stored.

use std::io::{self, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt};

use zeroize::Zeroizing;

use crate::cli::GenerateArgs;
use crate::domain::expires::parse_expiry;
use crate::domain::key::{self, Key, Secret};
use crate::domain::text::{is_generic_name, validate_name};
use crate::error::{Error, Exit, Result};
use crate::render::{NewKeyJson, escape};
use crate::store::NewKey;
use crate::term;

use super::Ctx;

pub fn run(ctx: &Ctx, args: &GenerateArgs) -> Result<Exit> {
    let name = args.name.as_deref().map(validate_name).transpose()?;
    let expires_at = parse_expiry(&args.expires, ctx.now)?;
    if name.is_none() && !ctx.config.terminals.can_prompt() {
        return Err(Error::MissingValue { flag: "--name" });
    }
    if stdout_is_discarded() {
        return Err(Error::NowhereToShowSecret);
    }
    let mut store = ctx.open_store()?;
    let org = ctx.org(store.as_mut())?;
    let name = match name {
        Some(name) => name,
        None => term::ask_text("Key name (what it is for, e.g. \"GitHub Actions CI\")", |text| {
            validate_name(text).map_err(|e| e.to_string())
        })?,
    };
    if is_generic_name(&name) {
        ctx.warn(&format!(
            "{:?} is a generic name; name keys after their purpose (e.g. \"GitHub Actions CI\") so you know which to revoke",
            escape(&name)
        ));
    }

    let secret = Secret::generate()?;
    let new = NewKey {
        id: key::new_id()?,
        org,
        name,
        hash: secret.hash(),
        hint: secret.hint(),
        expires_at,
    };
    let key = store.create_key(&new, &ctx.stamp(), &mut |key| deliver(ctx, key, &secret))?;
    if ctx.config.terminals.stdout && !ctx.config.json {
        ctx.warn(&format!(
            "this key ({}, {}) is shown only once: store it now in a password manager or your CI's secret store",
            key.id,
            escape(&key.name)
        ));
    }
    Ok(Exit::Success)
}

/// Shows the secret: the key and a newline (or the JSON object), flushed, so that a
/// failed write is seen before the transaction commits.
fn deliver(ctx: &Ctx, key: &Key, secret: &Secret) -> Result<()> {
    let text = if ctx.config.json {
        let json = serde_json::to_string(&NewKeyJson::new(key, secret.expose())).map_err(io::Error::from)?;
        Zeroizing::new(json + "\n")
    } else {
        Zeroizing::new(format!("{}\n", secret.expose()))
    };
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(Error::SecretNotDelivered)
}

/// Whether stdout goes to /dev/null, which is also what a closed stdout becomes: the
/// Rust runtime reopens closed standard descriptors on /dev/null at start-up.
fn stdout_is_discarded() -> bool {
    let Ok(fd) = io::stdout().as_fd().try_clone_to_owned() else { return true };
    let Ok(meta) = std::fs::File::from(fd).metadata() else { return true };
    let Ok(null) = std::fs::metadata("/dev/null") else { return false };
    meta.file_type().is_char_device() && meta.rdev() == null.rdev()
}
