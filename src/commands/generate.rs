//! `generate`: a new key, shown once, or handed to `--exec`'s command.
//!
//! The key is stored only once its secret was delivered: a key nobody received is never
//! stored (see `store::deliver_then_store`).

use crate::cli::GenerateArgs;
use crate::domain::expires::Expiry;
use crate::domain::key::Secret;
use crate::domain::text::{is_generic_name, validate_name};
use crate::error::{Error, Exit, Result};
use crate::render::{NewKeyJson, escape};
use crate::store::NewKey;
use crate::term;

use super::Ctx;
use super::secret::{self, Destination};

pub(crate) fn run(ctx: &Ctx, args: &GenerateArgs) -> Result<Exit> {
    let name = args.name.clone();
    let expiry = args.expires.clone().unwrap_or_else(Expiry::never);
    if let Some(now) = ctx.local_clock() {
        expiry.at(now)?;
    }
    if name.is_none() && !ctx.config.terminals.can_prompt() {
        return Err(Error::MissingValue { flag: "--name" });
    }
    let destination = Destination::of(args.exec.as_deref());
    destination.check()?;
    let mut session = ctx.session()?;
    let expires_at = expiry.at(session.now())?;
    let org = session.acting_org()?;
    let name = match name {
        Some(name) => name,
        None => term::ask_text(
            "Key name (what it is for, e.g. \"GitHub Actions CI\")",
            |text| validate_name(text).map_err(|e| e.to_string()),
        )?,
    };
    if is_generic_name(&name) {
        ctx.warn(&format!(
            "{:?} is a generic name; name keys after their purpose (e.g. \"GitHub Actions CI\") so you know which to revoke",
            escape(&name)
        ));
    }

    let secret = Secret::generate()?;
    let new = NewKey {
        org,
        name,
        hash: secret.hash(),
        hint: secret.hint(),
        expires_at,
        // Without --expires the key policy's maximum lifetime applies, if there is one.
        expires_asked: args.expires.is_some(),
    };
    let key = session.create_key(&new, &mut |key| {
        destination.deliver(ctx, &secret, &NewKeyJson::new(key, Some(secret.expose())))
    })?;
    destination.after(ctx, &NewKeyJson::new(&key, None))?;
    if destination.is_stdout() {
        secret::say_shown_once(ctx, &key);
    }
    Ok(Exit::Success)
}
