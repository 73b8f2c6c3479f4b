//! `revoke KEYREF`: immediate, confirmed at a terminal, `--yes` otherwise. The key's row
//! and history stay.

use crate::cli::RevokeArgs;
use crate::domain::key::Status;
use crate::domain::text::validate_text;
use crate::error::{Exit, Result};
use crate::render::{KeyJson, escape, table_time};
use crate::store::Revocation;

use super::{Ctx, print_json, print_line};

pub fn run(ctx: &Ctx, args: &RevokeArgs) -> Result<Exit> {
    let reason = args
        .reason
        .as_deref()
        .map(|r| validate_text("the reason", r))
        .transpose()?;
    let mut store = ctx.open_store()?;
    let key = ctx.resolve_key(store.as_mut(), &args.key)?;
    if key.status(ctx.now()) != Status::Revoked {
        let question = format!(
            "Revoke {} ({})? Everything using it fails from now on.",
            key.id,
            escape(&key.name)
        );
        ctx.confirm(args.yes, "revoke", &question)?;
    }
    let (key, message) = match store.revoke(&key.id, reason.as_deref(), &ctx.stamp())? {
        Revocation::Revoked(key) => {
            let message = format!("Revoked {} ({}).", key.id, escape(&key.name));
            (key, message)
        }
        Revocation::AlreadyRevoked(key) => {
            let message = format!(
                "{} ({}) was already revoked on {} UTC.",
                key.id,
                escape(&key.name),
                table_time(key.revoked_at)
            );
            (key, message)
        }
    };
    if ctx.config.json {
        print_json(&KeyJson::new(&key, ctx.now()))?;
    } else {
        print_line(&message)?;
    }
    Ok(Exit::Success)
}
