//! `rotate KEYREF`: a new key with the same name, printed exactly as `generate` prints
//! it, and the old key revoked now or when a grace period ends, in one transaction.
//!
//! Built for secret-rotation scripts: `NEW=$(seenty-keys rotate "CI" --grace 1h --yes)`.

use crate::cli::RotateArgs;
use crate::domain::key::Secret;
use crate::error::{Error, Exit, Result};
use crate::render::{RotateJson, escape, table_time};
use crate::store::NewKey;
use chrono::TimeDelta;

use super::Ctx;
use super::secret::{self, Destination};

pub(crate) fn run(ctx: &Ctx, args: &RotateArgs) -> Result<Exit> {
    let grace = args.grace.unwrap_or(TimeDelta::zero());
    let expires = |now| args.expires.as_ref().map(|e| e.at(now)).transpose();
    if let Some(now) = ctx.local_clock() {
        expires(now)?;
    }
    let destination = Destination::of(args.exec.as_deref());
    destination.check()?;
    let mut session = ctx.session()?;
    let expires = expires(session.now())?;
    let old = ctx.resolve_key(&mut session, &args.key)?;
    old.check_rotatable(ctx.now())
        .map_err(|why| Error::unrotatable(&old.id, why))?;
    let old_stops_at = ctx.now() + grace;
    let when = if grace.is_zero() {
        "now".to_owned()
    } else {
        format!("at {} UTC", table_time(Some(old_stops_at)))
    };
    ctx.confirm(
        args.yes,
        "rotate",
        &format!(
            "Replace {} ({})? The old key stops working {when}.",
            old.id,
            escape(&old.name)
        ),
    )?;

    // The new key lives as long as the old one was meant to, counted from now.
    let expires_at = match expires {
        Some(expires) => expires,
        None => old.expires_at.map(|at| ctx.now() + (at - old.created_at)),
    };
    let secret = Secret::generate()?;
    let new = NewKey {
        org: old.org.clone(),
        name: old.name.clone(),
        hash: secret.hash(),
        hint: secret.hint(),
        expires_at,
        // Without --expires a lifetime outside the key policy gives way to its maximum.
        expires_asked: args.expires.is_some(),
    };
    let rotation = session.rotate(&old.id, &new, old_stops_at, &mut |key| {
        destination.deliver(
            ctx,
            &secret,
            &RotateJson::new(key, Some(secret.expose()), &old.id, old_stops_at),
        )
    })?;
    destination.after(
        ctx,
        &RotateJson::new(&rotation.new, None, &old.id, old_stops_at),
    )?;
    if destination.is_stdout() {
        secret::say_shown_once(ctx, &rotation.new);
    }
    if ctx.config.terminals.stderr && !ctx.config.json {
        ctx.warn(&format!(
            "{} stops working {when}; update what uses it",
            rotation.old.id
        ));
    }
    Ok(Exit::Success)
}
